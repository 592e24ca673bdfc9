//! Where an [`Issuer`](crate::Issuer) keeps what it must remember: its keys, every badge it
//! issued (every form and every hosted document), the status-list index allocation, and the
//! revocations with their reasons.
//!
//! [`IssuerStore`] is the trait; [`open`] picks an implementation from a URL:
//!
//! | URL | store | feature |
//! |-----|-------|---------|
//! | `memory:` | [`MemoryIssuerStore`]: one process, gone when dropped (tests) | always |
//! | `sqlite:PATH` | `SqliteIssuerStore`: one file (WAL), any number of processes on one machine | `sqlite` (default) |
//! | `postgres://…` | `PostgresIssuerStore`: any number of instances on one database | `postgres` |
//!
//! Every method is synchronous (the store does blocking I/O): from async code, call the
//! issuer's `*_async` methods (feature `tokio`) or `spawn_blocking`.
//!
//! # The caller's own writes
//! [`IssuerStore::transaction`] runs a closure in one database transaction with a
//! [`StoreTransaction`]: plain SQL with `$1, $2…` placeholders on every SQL backend, values as
//! [`SqlValue`]. [`Issuer::issue_with`](crate::Issuer::issue_with) and
//! [`Issuer::revoke_with`](crate::Issuer::revoke_with) run a hook in the issuer's own
//! transaction, so the caller's record and the badge commit together or not at all. Name your
//! tables with your own prefix; the store's tables start with `ob_`.

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::issuer::{HostedDocument, Issued};

pub use memory::MemoryIssuerStore;
#[cfg(feature = "postgres")]
pub use postgres::PostgresIssuerStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteIssuerStore;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused or failed (connection, SQL, I/O); the message says which.
    #[error("database: {0}")]
    Database(String),
    /// A write collided with existing data (a duplicate badge UUID or status-list index).
    #[error("conflict: {0}")]
    Conflict(String),
    /// What the database holds cannot be read back (bad JSON, a value of the wrong type, an
    /// unknown schema version).
    #[error("corrupt store: {0}")]
    Corrupt(String),
    /// The store URL is not one this build can open.
    #[error("unsupported store: {0}")]
    Unsupported(String),
    /// A caller's hook (or the issuer's own step inside the transaction) refused: everything
    /// in the transaction was rolled back.
    #[error("aborted: {0}")]
    Aborted(String),
}

/// A value passed to or read from SQL through a [`StoreTransaction`]. Booleans are integers,
/// timestamps are text (RFC 3339) on every backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    /// `NULL`.
    Null,
    /// An integer (`INTEGER` / `BIGINT`).
    Integer(i64),
    /// Text (`TEXT`).
    Text(String),
    /// Bytes (`BLOB` / `BYTEA`).
    Blob(Vec<u8>),
}

impl SqlValue {
    /// The integer, if this is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            SqlValue::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The text, if this is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SqlValue::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, if this is a blob.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            SqlValue::Blob(b) => Some(b),
            _ => None,
        }
    }
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Integer(v)
    }
}

impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}

impl From<Vec<u8>> for SqlValue {
    fn from(v: Vec<u8>) -> Self {
        SqlValue::Blob(v)
    }
}

impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(SqlValue::Null, Into::into)
    }
}

/// The caller's side of one database transaction: SQL with `$1, $2…` placeholders (on SQLite
/// too: they are rewritten to `?1, ?2…`). Nothing is committed until the closure that received
/// it returns `Ok`.
pub trait StoreTransaction {
    /// Runs one statement; returns the number of rows it changed.
    ///
    /// # Errors
    /// [`StoreError::Database`] (or [`StoreError::Unsupported`] on a store without SQL, such as
    /// [`MemoryIssuerStore`]).
    fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError>;

    /// Runs one query; returns its rows, each a list of column values.
    ///
    /// # Errors
    /// As [`StoreTransaction::execute`].
    fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>, StoreError>;
}

/// The closure a caller runs inside a store transaction.
pub type TransactionFn<'a> = dyn FnMut(&mut dyn StoreTransaction) -> Result<(), StoreError> + 'a;

/// A badge the issuer issued, as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IssuedRecord {
    /// The badge's UUID (lowercase, without `urn:uuid:`).
    pub uuid: String,
    /// Its status-list index, if its OB 3.0 credential carries a `credentialStatus`.
    pub status_index: Option<u64>,
    /// When it was issued (RFC 3339, UTC).
    pub issued_at: String,
    /// Everything the issuance produced: every form, baked image and hosted document.
    pub issued: Issued,
}

impl IssuedRecord {
    /// A record of `issued`.
    pub fn new(issued: Issued, status_index: Option<u64>, issued_at: String) -> Self {
        IssuedRecord {
            uuid: issued.uuid.clone(),
            status_index,
            issued_at,
            issued,
        }
    }
}

/// What [`Issuer::document`](crate::Issuer::document) answers for a path or URL it knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Served {
    /// Serve this document (`200`).
    Document(HostedDocument),
    /// The hosted assertion of a revoked badge: answer `410 Gone`.
    Gone,
}

/// A document as the store keeps it: by its path under the issuer's base URL (the URL is
/// made from the serving issuer's base URL).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StoredDocument {
    /// The path under the base URL (`assertions/….json`, `status/0.json`,
    /// `/.well-known/jwks.json` on the origin).
    pub path: String,
    /// The `Content-Type`.
    pub content_type: String,
    /// The body.
    pub body: Vec<u8>,
    /// The badge whose revocation turns this document into `410 Gone` (the hosted assertion).
    pub gone_when_revoked: Option<String>,
}

impl StoredDocument {
    /// A document at `path`.
    pub fn new(path: impl Into<String>, content_type: impl Into<String>, body: Vec<u8>) -> Self {
        StoredDocument {
            path: path.into(),
            content_type: content_type.into(),
            body,
            gone_when_revoked: None,
        }
    }
}

/// The issuer's keys as the store keeps them (secrets: the Ed25519 seed as hex, the JWS and
/// VC-JWT keys as PKCS#8 PEM). `Debug` shows no secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct StoredKeys {
    /// The Ed25519 Data Integrity seed, hex.
    pub ed25519_seed: Option<String>,
    /// The JWS key, PKCS#8 PEM.
    pub jws_pem: Option<String>,
    /// The separate VC-JWT key, PKCS#8 PEM.
    pub vc_jwt_pem: Option<String>,
}

impl fmt::Debug for StoredKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredKeys")
            .field("ed25519_seed", &self.ed25519_seed.as_ref().map(|_| "…"))
            .field("jws_pem", &self.jws_pem.as_ref().map(|_| "…"))
            .field("vc_jwt_pem", &self.vc_jwt_pem.as_ref().map(|_| "…"))
            .finish()
    }
}

/// A revoked badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RevokedBadge {
    /// The badge's UUID.
    pub uuid: String,
    /// Its status-list index, if it has one.
    pub status_index: Option<u64>,
    /// The public reason, if given.
    pub reason: Option<String>,
    /// When it was revoked (RFC 3339, UTC).
    pub revoked_at: String,
}

/// One issuance to commit: the record, and the documents to host.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct IssuanceWrite<'a> {
    /// The badge record (its UUID and status index must be new).
    pub record: &'a IssuedRecord,
    /// Documents written (replacing any at the same path): the badge's own documents.
    pub documents: &'a [StoredDocument],
    /// Documents written only where nothing is stored yet (a new status list).
    pub documents_if_absent: &'a [StoredDocument],
}

/// The revocation step that runs inside the store's serialised revocation transaction: given
/// every revoked badge (the new one included, by UUID), it returns the documents to rewrite
/// (`revocations.json`, the affected status list).
pub type RewriteFn<'a> = dyn FnMut(&[RevokedBadge]) -> Result<Vec<StoredDocument>, StoreError> + 'a;

/// Where an issuer keeps its state. Implementations: [`MemoryIssuerStore`],
/// `SqliteIssuerStore` (feature `sqlite`), `PostgresIssuerStore` (feature `postgres`); the
/// issuer drives them, so most code only needs [`open`].
///
/// Every method blocks (database I/O). Several issuers (threads, processes, machines) may share
/// one store: indexes are allocated by the database, each issuance is one transaction, and
/// revocations are serialised.
pub trait IssuerStore: Send + Sync + fmt::Debug {
    /// The stored keys; when none are stored yet, stores `new_keys` first (insert if absent,
    /// then read back: issuers opening an empty store at once agree on one set).
    ///
    /// # Errors
    /// A database error.
    fn keys_or_insert(&self, new_keys: &StoredKeys) -> Result<StoredKeys, StoreError>;

    /// Allocates a fresh status-list index, unique across every user of the store (a crash
    /// may leave gaps).
    ///
    /// # Errors
    /// A database error.
    fn allocate_status_index(&self) -> Result<u64, StoreError>;

    /// Commits one issuance in one transaction: the record, its documents, and then `hook`
    /// (the caller's writes). If anything fails, nothing is kept.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] for a duplicate UUID or index, the hook's error, or a
    /// database error.
    fn commit_issuance(
        &self,
        issuance: IssuanceWrite<'_>,
        hook: &mut TransactionFn<'_>,
    ) -> Result<(), StoreError>;

    /// The record of badge `uuid`, if issued.
    ///
    /// # Errors
    /// A database error, or [`StoreError::Corrupt`].
    fn issued(&self, uuid: &str) -> Result<Option<IssuedRecord>, StoreError>;

    /// The UUID of every badge issued, in ascending order.
    ///
    /// # Errors
    /// A database error.
    fn issued_uuids(&self) -> Result<Vec<String>, StoreError>;

    /// Revokes badge `uuid` in one transaction serialised against every other revocation:
    /// records it (a second revocation replaces the reason), calls `rewrite` with every
    /// revoked badge, writes the documents it returns, then runs `hook`. `Ok(None)` when
    /// `uuid` was never issued (nothing is written).
    ///
    /// # Errors
    /// `rewrite`'s or `hook`'s error, or a database error; nothing is kept.
    fn revoke(
        &self,
        uuid: &str,
        reason: Option<&str>,
        revoked_at: &str,
        rewrite: &mut RewriteFn<'_>,
        hook: &mut TransactionFn<'_>,
    ) -> Result<Option<Vec<StoredDocument>>, StoreError>;

    /// Every revoked badge, by UUID.
    ///
    /// # Errors
    /// A database error.
    fn revoked(&self) -> Result<Vec<RevokedBadge>, StoreError>;

    /// The revocation of badge `uuid`, if revoked.
    ///
    /// # Errors
    /// A database error.
    fn revocation(&self, uuid: &str) -> Result<Option<RevokedBadge>, StoreError>;

    /// The document stored at `path`.
    ///
    /// # Errors
    /// A database error.
    fn document(&self, path: &str) -> Result<Option<StoredDocument>, StoreError>;

    /// Every document whose path starts with `prefix`, by path.
    ///
    /// # Errors
    /// A database error.
    fn documents_under(&self, prefix: &str) -> Result<Vec<StoredDocument>, StoreError>;

    /// Stores each document where nothing is stored at its path yet.
    ///
    /// # Errors
    /// A database error.
    fn put_documents_if_absent(&self, documents: &[StoredDocument]) -> Result<(), StoreError>;

    /// Runs `f` in one database transaction: committed when it returns `Ok`, rolled back
    /// otherwise (its error is returned). `f` (like the hooks of
    /// [`IssuerStore::commit_issuance`] and [`IssuerStore::revoke`]) must not call the store or
    /// an issuer on it again: it holds the store's write lock (SQLite, memory) or a connection.
    ///
    /// # Errors
    /// `f`'s error or a database error.
    fn transaction(&self, f: &mut TransactionFn<'_>) -> Result<(), StoreError>;
}

/// Runs `f` in one [`IssuerStore::transaction`] and returns what it produced: the caller's
/// reads and writes commit together, or not at all.
///
/// # Errors
/// `f`'s error or a database error.
pub fn in_transaction<T>(
    store: &dyn IssuerStore,
    mut f: impl FnMut(&mut dyn StoreTransaction) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut out = None;
    store.transaction(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| StoreError::Database("the transaction produced nothing".into()))
}

/// Opens the store a URL names, runs its migrations (idempotent; safe when several processes
/// open at once), and shares it: `memory:`, `sqlite:PATH` (feature `sqlite`, default), or
/// `postgres://…` / `postgresql://…` (feature `postgres`).
///
/// # Errors
/// [`StoreError::Unsupported`] for a URL this build cannot open; a database error.
pub fn open(url: &str) -> Result<Arc<dyn IssuerStore>, StoreError> {
    let url = url.trim();
    if url == "memory:" {
        return Ok(Arc::new(MemoryIssuerStore::new()));
    }
    if let Some(path) = url.strip_prefix("sqlite:") {
        #[cfg(feature = "sqlite")]
        {
            let path = path.strip_prefix("//").unwrap_or(path);
            return Ok(Arc::new(SqliteIssuerStore::open(path)?));
        }
        #[cfg(not(feature = "sqlite"))]
        {
            let _ = path;
            return Err(StoreError::Unsupported(
                "sqlite: needs the `sqlite` feature".into(),
            ));
        }
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Arc::new(PostgresIssuerStore::open(url)?));
        #[cfg(not(feature = "postgres"))]
        return Err(StoreError::Unsupported(
            "postgres:// needs the `postgres` feature".into(),
        ));
    }
    Err(StoreError::Unsupported(format!(
        "{:?}: expected memory:, sqlite:PATH or postgres://…",
        redact(url)
    )))
}

/// [`open`] on tokio's blocking pool (feature `tokio`): connecting and migrating never hold an
/// async worker thread.
///
/// # Errors
/// As [`open`]; [`StoreError::Database`] if the blocking task panicked or was cancelled.
#[cfg(feature = "tokio")]
pub async fn open_async(url: &str) -> Result<Arc<dyn IssuerStore>, StoreError> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || open(&url))
        .await
        .map_err(|e| StoreError::Database(format!("opening the store: {e}")))?
}

/// `url` without anything that may be a password (what follows `://` up to `@`).
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(a)) if a > s => format!(
            "{}://…@{}",
            url.get(..s).unwrap_or(""),
            url.get(a + 1..).unwrap_or("")
        ),
        _ => url.to_owned(),
    }
}
