//! [`PostgresIssuerStore`]: the issuer's state in a PostgreSQL database, shared by any number of
//! instances, through the `postgres` crate's sync client and an r2d2 pool.
//!
//! The sync client owns a private tokio runtime: it must not be created, used or dropped on an
//! async worker thread. So the pool is created on a plain thread when
//! [`PostgresIssuerStore::open`] is called inside a runtime, dropped on a plain thread when the
//! store is dropped inside one, and every operation called on a multi-threaded runtime's worker
//! runs in `block_in_place`. Async code should still use the issuer's `*_async` methods (they
//! run on tokio's blocking pool): on a current-thread runtime, only those are safe.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{NoTls, Row};
use r2d2_postgres::PostgresConnectionManager;

use super::sql::{
    index_from_i64, index_to_i64, keys_from_json, keys_to_json, pending_migrations,
    record_from_json, record_to_json,
};
use super::{
    IssuanceWrite, IssuedRecord, IssuerStore, RevokedBadge, RewriteFn, SqlValue, StoreError,
    StoreTransaction, StoredDocument, StoredKeys, TransactionFn,
};

/// The pool of sync PostgreSQL connections.
type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;

/// How many connections one store keeps at most.
const MAX_CONNECTIONS: u32 = 16;

/// How long a caller waits for a free connection.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);

/// The advisory lock key under which migrations run (one store schema per database).
const MIGRATION_LOCK: i64 = 0x6f62_5f69_7373_7565; // "ob_issue"

/// The schema, one migration per version (applied in order, each once, under the advisory
/// lock).
const MIGRATIONS: &[&str] = &[
    // 1: keys, the status-index sequence, badges, documents, revocations and the row that
    // serialises revocations.
    "CREATE TABLE ob_keys (id INTEGER PRIMARY KEY CHECK (id = 1), keys TEXT NOT NULL);
     CREATE SEQUENCE ob_status_index MINVALUE 0 START WITH 0;
     CREATE TABLE ob_issued (
         uuid TEXT PRIMARY KEY,
         status_index BIGINT UNIQUE,
         issued_at TEXT NOT NULL,
         record TEXT NOT NULL
     );
     CREATE TABLE ob_documents (
         path TEXT PRIMARY KEY,
         content_type TEXT NOT NULL,
         body BYTEA NOT NULL,
         gone_when_revoked TEXT
     );
     CREATE TABLE ob_revocations (
         uuid TEXT PRIMARY KEY REFERENCES ob_issued (uuid),
         reason TEXT,
         revoked_at TEXT NOT NULL
     );
     CREATE TABLE ob_revocation_lock (id INTEGER PRIMARY KEY CHECK (id = 1));
     INSERT INTO ob_revocation_lock (id) VALUES (1);",
];

/// An issuer store in a PostgreSQL database. Open it with [`PostgresIssuerStore::open`] (or
/// [`open`](super::open) with `postgres://…`). Status-list indexes come from a sequence,
/// each issuance is one transaction, revocations take a row lock so they run one at a time,
/// and migrations run under an advisory lock, so any number of instances can share the
/// database. Connections are plain TCP (no TLS): use it on a private network or loopback.
pub struct PostgresIssuerStore {
    /// `None` only while dropping.
    pool: Option<Arc<Pool>>,
}

impl std::fmt::Debug for PostgresIssuerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresIssuerStore")
            .field(
                "connections",
                &self.pool.as_ref().map(|p| p.state().connections),
            )
            .finish()
    }
}

impl Drop for PostgresIssuerStore {
    fn drop(&mut self) {
        // Dropping the pool drops sync clients, each with its own runtime: that panics on an
        // async worker thread, so do it on a plain thread there.
        if let Some(pool) = self.pool.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::Builder::new()
                .name("ob-pg-drop".into())
                .spawn(move || drop(pool));
        }
    }
}

/// A database error as a [`StoreError`]: unique and foreign-key violations are conflicts.
fn db(e: postgres::Error) -> StoreError {
    use postgres::error::SqlState;
    match e.code() {
        Some(c) if *c == SqlState::UNIQUE_VIOLATION || *c == SqlState::FOREIGN_KEY_VIOLATION => {
            StoreError::Conflict(e.to_string())
        }
        _ => StoreError::Database(match e.as_db_error() {
            Some(d) => d.to_string(),
            None => e.to_string(),
        }),
    }
}

/// Runs `f`, which blocks on the sync client. On a multi-threaded tokio runtime's worker it runs
/// in `block_in_place` (the sync client's own runtime cannot start on a worker otherwise); on
/// plain and blocking-pool threads it just runs.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

fn pool_error(e: r2d2::Error) -> StoreError {
    StoreError::Database(format!("connection pool: {e}"))
}

impl PostgresIssuerStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`) and brings its
    /// schema up to date. Blocking: from async code prefer calling it on a blocking thread
    /// (inside a runtime it runs on a plain thread of its own and waits for it).
    ///
    /// # Errors
    /// [`StoreError::Database`] when the URL is bad, the server unreachable or a migration
    /// fails; [`StoreError::Corrupt`] when the schema is newer than this build.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            let url = url.to_owned();
            return std::thread::Builder::new()
                .name("ob-pg-open".into())
                .spawn(move || Self::open_here(&url))
                .map_err(|e| StoreError::Database(format!("thread: {e}")))?
                .join()
                .map_err(|_| StoreError::Database("opening the store panicked".into()))?;
        }
        Self::open_here(url)
    }

    fn open_here(url: &str) -> Result<Self, StoreError> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e: postgres::Error| StoreError::Database(format!("bad URL: {e}")))?;
        let manager = PostgresConnectionManager::new(config, NoTls);
        let pool = r2d2::Pool::builder()
            .max_size(MAX_CONNECTIONS)
            .min_idle(Some(1))
            .connection_timeout(CONNECTION_TIMEOUT)
            .build(manager)
            .map_err(pool_error)?;
        let store = PostgresIssuerStore {
            pool: Some(Arc::new(pool)),
        };
        store.migrate()?;
        Ok(store)
    }

    fn client(
        &self,
    ) -> Result<r2d2::PooledConnection<PostgresConnectionManager<NoTls>>, StoreError> {
        self.pool
            .as_ref()
            .ok_or_else(|| StoreError::Database("the store is closed".into()))?
            .get()
            .map_err(pool_error)
    }

    /// Runs `f` in one transaction, committed when it returns `Ok`.
    fn write<T>(
        &self,
        f: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        blocking(|| {
            let mut c = self.client()?;
            let mut tx = c.transaction().map_err(db)?;
            let out = f(&mut tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
    }

    /// Runs `f` with a connection (reads outside a transaction).
    fn read<T>(
        &self,
        f: impl FnOnce(&mut postgres::Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        blocking(|| {
            let mut c = self.client()?;
            f(&mut c)
        })
    }

    fn migrate(&self) -> Result<(), StoreError> {
        self.write(|tx| {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
                .map_err(db)?;
            tx.batch_execute(
                "CREATE TABLE IF NOT EXISTS ob_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
            )
            .map_err(db)?;
            let version: i32 = match tx
                .query_opt("SELECT version FROM ob_schema WHERE id = 1", &[])
                .map_err(db)?
            {
                Some(r) => get(&r, 0)?,
                None => 0,
            };
            for (v, m) in pending_migrations(MIGRATIONS, i64::from(version))? {
                tx.batch_execute(m).map_err(db)?;
                let v = i32::try_from(v).unwrap_or(i32::MAX);
                tx.execute(
                    "INSERT INTO ob_schema (id, version) VALUES (1, $1)
                     ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                    &[&v],
                )
                .map_err(db)?;
            }
            Ok(())
        })
    }
}

/// A [`SqlValue`] as a PostgreSQL parameter: integers fit `BIGINT`, `INTEGER`, `SMALLINT` (range
/// checked) or `BOOLEAN`; text fits the text types; blobs fit `BYTEA`; `NULL` fits anything.
#[derive(Debug)]
struct Param<'a>(&'a SqlValue);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self.0 {
            SqlValue::Null => Ok(IsNull::Yes),
            SqlValue::Integer(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                _ => Err(format!("an integer cannot be a {ty} parameter").into()),
            },
            SqlValue::Text(s) => s.to_sql_checked(ty, out),
            SqlValue::Blob(b) => b.to_sql_checked(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// Column `i` of `row` as a [`SqlValue`].
fn column(row: &Row, i: usize) -> Result<SqlValue, StoreError> {
    let ty = row.columns().get(i).map(|c| c.type_().clone());
    let get = |e: postgres::Error| StoreError::Database(format!("column {i}: {e}"));
    Ok(match ty {
        Some(Type::INT8) => row.try_get::<_, Option<i64>>(i).map_err(get)?.into(),
        Some(Type::INT4) => row
            .try_get::<_, Option<i32>>(i)
            .map_err(get)?
            .map(i64::from)
            .into(),
        Some(Type::INT2) => row
            .try_get::<_, Option<i16>>(i)
            .map_err(get)?
            .map(i64::from)
            .into(),
        Some(Type::BOOL) => row
            .try_get::<_, Option<bool>>(i)
            .map_err(get)?
            .map(i64::from)
            .into(),
        Some(Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME) => {
            row.try_get::<_, Option<String>>(i).map_err(get)?.into()
        }
        Some(Type::BYTEA) => row.try_get::<_, Option<Vec<u8>>>(i).map_err(get)?.into(),
        Some(other) => {
            return Err(StoreError::Database(format!(
                "column {i} has type {other}: cast it to BIGINT, TEXT or BYTEA"
            )));
        }
        None => return Err(StoreError::Database(format!("no column {i}"))),
    })
}

/// The caller's view of a PostgreSQL transaction.
struct Tx<'a, 'c>(&'a mut postgres::Transaction<'c>);

impl StoreTransaction for Tx<'_, '_> {
    fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.0.execute(sql, &refs).map_err(db)
    }

    fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>, StoreError> {
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.0.query(sql, &refs).map_err(db)?;
        rows.iter()
            .map(|r| (0..r.len()).map(|i| column(r, i)).collect())
            .collect()
    }
}

fn put_document(
    tx: &mut postgres::Transaction<'_>,
    d: &StoredDocument,
    replace: bool,
) -> Result<(), StoreError> {
    let sql = if replace {
        "INSERT INTO ob_documents (path, content_type, body, gone_when_revoked) VALUES ($1, $2, $3, $4)
         ON CONFLICT (path) DO UPDATE SET content_type = excluded.content_type, body = excluded.body,
             gone_when_revoked = excluded.gone_when_revoked"
    } else {
        "INSERT INTO ob_documents (path, content_type, body, gone_when_revoked) VALUES ($1, $2, $3, $4)
         ON CONFLICT (path) DO NOTHING"
    };
    tx.execute(
        sql,
        &[&d.path, &d.content_type, &d.body, &d.gone_when_revoked],
    )
    .map_err(db)?;
    Ok(())
}

/// Column `i` of one of the store's own rows (a wrong type is a corrupt store, not a panic).
fn get<'a, T: postgres::types::FromSql<'a>>(r: &'a Row, i: usize) -> Result<T, StoreError> {
    r.try_get(i)
        .map_err(|e| StoreError::Corrupt(format!("column {i}: {e}")))
}

fn document_row(r: &Row) -> Result<StoredDocument, StoreError> {
    Ok(StoredDocument {
        path: get(r, 0)?,
        content_type: get(r, 1)?,
        body: get(r, 2)?,
        gone_when_revoked: get(r, 3)?,
    })
}

fn revoked_badge(r: &Row) -> Result<RevokedBadge, StoreError> {
    Ok(RevokedBadge {
        uuid: get(r, 0)?,
        status_index: get::<Option<i64>>(r, 1)?.map(index_from_i64).transpose()?,
        reason: get(r, 2)?,
        revoked_at: get(r, 3)?,
    })
}

const REVOKED_SQL: &str = "SELECT r.uuid, i.status_index, r.reason, r.revoked_at
     FROM ob_revocations r JOIN ob_issued i ON i.uuid = r.uuid";

const DOCUMENT_SQL: &str = "SELECT path, content_type, body, gone_when_revoked FROM ob_documents";

impl IssuerStore for PostgresIssuerStore {
    fn keys_or_insert(&self, new_keys: &StoredKeys) -> Result<StoredKeys, StoreError> {
        let json = keys_to_json(new_keys)?;
        let stored: String = self.write(|tx| {
            tx.execute(
                "INSERT INTO ob_keys (id, keys) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                &[&json],
            )
            .map_err(db)?;
            let row = tx
                .query_one("SELECT keys FROM ob_keys WHERE id = 1", &[])
                .map_err(db)?;
            get(&row, 0)
        })?;
        keys_from_json(&stored)
    }

    fn allocate_status_index(&self) -> Result<u64, StoreError> {
        self.read(|c| {
            let row = c
                .query_one("SELECT nextval('ob_status_index')", &[])
                .map_err(db)?;
            index_from_i64(get(&row, 0)?)
        })
    }

    fn commit_issuance(
        &self,
        issuance: IssuanceWrite<'_>,
        hook: &mut TransactionFn<'_>,
    ) -> Result<(), StoreError> {
        let r = issuance.record;
        let json = record_to_json(r)?;
        let index = r.status_index.map(index_to_i64).transpose()?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO ob_issued (uuid, status_index, issued_at, record) VALUES ($1, $2, $3, $4)",
                &[&r.uuid, &index, &r.issued_at, &json],
            )
            .map_err(db)?;
            for d in issuance.documents {
                put_document(tx, d, true)?;
            }
            for d in issuance.documents_if_absent {
                put_document(tx, d, false)?;
            }
            hook(&mut Tx(tx))
        })
    }

    fn issued(&self, uuid: &str) -> Result<Option<IssuedRecord>, StoreError> {
        self.read(|c| {
            let row = c
                .query_opt("SELECT record FROM ob_issued WHERE uuid = $1", &[&uuid])
                .map_err(db)?;
            row.map(|r| record_from_json(get(&r, 0)?)).transpose()
        })
    }

    fn issued_uuids(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            c.query("SELECT uuid FROM ob_issued ORDER BY uuid", &[])
                .map_err(db)?
                .iter()
                .map(|r| get(r, 0))
                .collect()
        })
    }

    fn revoke(
        &self,
        uuid: &str,
        reason: Option<&str>,
        revoked_at: &str,
        rewrite: &mut RewriteFn<'_>,
        hook: &mut TransactionFn<'_>,
    ) -> Result<Option<Vec<StoredDocument>>, StoreError> {
        self.write(|tx| {
            // One revocation at a time: each sees every revocation committed before it.
            tx.execute(
                "SELECT id FROM ob_revocation_lock WHERE id = 1 FOR UPDATE",
                &[],
            )
            .map_err(db)?;
            if tx
                .query_opt("SELECT 1 FROM ob_issued WHERE uuid = $1", &[&uuid])
                .map_err(db)?
                .is_none()
            {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO ob_revocations (uuid, reason, revoked_at) VALUES ($1, $2, $3)
                 ON CONFLICT (uuid) DO UPDATE SET reason = excluded.reason",
                &[&uuid, &reason, &revoked_at],
            )
            .map_err(db)?;
            let revoked = tx
                .query(&format!("{REVOKED_SQL} ORDER BY r.uuid"), &[])
                .map_err(db)?
                .iter()
                .map(revoked_badge)
                .collect::<Result<Vec<_>, _>>()?;
            let docs = rewrite(&revoked)?;
            for d in &docs {
                put_document(tx, d, true)?;
            }
            hook(&mut Tx(tx))?;
            Ok(Some(docs))
        })
    }

    fn revoked(&self) -> Result<Vec<RevokedBadge>, StoreError> {
        self.read(|c| {
            c.query(&format!("{REVOKED_SQL} ORDER BY r.uuid"), &[])
                .map_err(db)?
                .iter()
                .map(revoked_badge)
                .collect()
        })
    }

    fn revocation(&self, uuid: &str) -> Result<Option<RevokedBadge>, StoreError> {
        self.read(|c| {
            c.query_opt(&format!("{REVOKED_SQL} WHERE r.uuid = $1"), &[&uuid])
                .map_err(db)?
                .as_ref()
                .map(revoked_badge)
                .transpose()
        })
    }

    fn document(&self, path: &str) -> Result<Option<StoredDocument>, StoreError> {
        self.read(|c| {
            c.query_opt(&format!("{DOCUMENT_SQL} WHERE path = $1"), &[&path])
                .map_err(db)?
                .as_ref()
                .map(document_row)
                .transpose()
        })
    }

    fn documents_under(&self, prefix: &str) -> Result<Vec<StoredDocument>, StoreError> {
        self.read(|c| {
            c.query(
                &format!("{DOCUMENT_SQL} WHERE left(path, char_length($1)) = $1 ORDER BY path"),
                &[&prefix],
            )
            .map_err(db)?
            .iter()
            .map(document_row)
            .collect()
        })
    }

    fn put_documents_if_absent(&self, documents: &[StoredDocument]) -> Result<(), StoreError> {
        if documents.is_empty() {
            return Ok(());
        }
        self.write(|tx| {
            for d in documents {
                put_document(tx, d, false)?;
            }
            Ok(())
        })
    }

    fn transaction(&self, f: &mut TransactionFn<'_>) -> Result<(), StoreError> {
        self.write(|tx| f(&mut Tx(tx)))
    }
}
