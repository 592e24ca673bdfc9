//! The PostgreSQL store (feature `postgres`): one database shared by any number of processes,
//! the same tables, migrations and checks as the SQLite store.

use std::time::Duration;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{Client, IsolationLevel, NoTls, Row, Transaction};
use r2d2::{CustomizeConnection, Pool};
use r2d2_postgres::PostgresConnectionManager;

use super::rows::{BADGE_COLUMNS, RawBadge, decode_err, parse_time, visibility};
use super::{SCHEMA_VERSION, Store, Write};
use crate::model::{
    BadgeId, BadgeRecord, BadgeState, Collection, CollectionId, KeptDocument, Visibility,
};
use crate::model::{sha256_hex, time_str};
use crate::{Error, Result};
use openbadges_model::{Identity, IdentityKind};

/// Migrations, in order, numbered as the SQLite store's (migration `n`, 1-based, brings the
/// schema from `n - 1` to `n`). Text keys sort bytewise (`COLLATE "C"`), as in SQLite and in
/// memory, so every listing comes back in the same order on every store.
const MIGRATIONS: &[&str] = &[
    // 1: badges, identifiers, collections.
    r#"CREATE TABLE badges (
        id TEXT COLLATE "C" PRIMARY KEY,
        dedup_key TEXT COLLATE "C" NOT NULL UNIQUE,
        original BYTEA NOT NULL,
        original_sha256 TEXT NOT NULL,
        document TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        source_location TEXT NOT NULL,
        source_within TEXT,
        input_kind TEXT NOT NULL,
        version TEXT NOT NULL,
        class TEXT,
        recipient TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('accepted', 'rejected')),
        imported_at TEXT NOT NULL,
        valid_from TEXT,
        verification_status TEXT NOT NULL
            CHECK (verification_status IN ('valid', 'invalid', 'indeterminate')),
        verification_report TEXT NOT NULL,
        verified_at TEXT NOT NULL
    );
    CREATE TABLE identifiers (
        kind TEXT COLLATE "C" NOT NULL,
        value TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (kind, value)
    );
    CREATE TABLE collections (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        visibility TEXT NOT NULL CHECK (visibility IN ('private', 'unlisted', 'public')),
        token TEXT,
        portfolio TEXT NOT NULL
    );
    CREATE TABLE collection_members (
        collection_id TEXT COLLATE "C" NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        position BIGINT NOT NULL,
        badge_id TEXT COLLATE "C" NOT NULL REFERENCES badges(id),
        PRIMARY KEY (collection_id, position),
        UNIQUE (collection_id, badge_id)
    );"#,
    // 2: documents kept for offline verification, stored once per (URL, content) and linked to
    // the badges that needed them.
    r#"CREATE TABLE documents (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        url TEXT COLLATE "C" NOT NULL,
        sha256 TEXT COLLATE "C" NOT NULL,
        media_type TEXT,
        fetched_at TEXT NOT NULL,
        body BYTEA NOT NULL,
        UNIQUE (url, sha256)
    );
    CREATE TABLE badge_documents (
        badge_id TEXT COLLATE "C" NOT NULL REFERENCES badges(id),
        document_id BIGINT NOT NULL REFERENCES documents(id),
        PRIMARY KEY (badge_id, document_id)
    );
    CREATE INDEX badge_documents_by_document ON badge_documents (document_id);"#,
    // 3: the OB 3.0 API host's OAuth 2.0 grant records (clients, codes, tokens: hashed).
    r#"CREATE TABLE oauth_grants (
        kind TEXT COLLATE "C" NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        family TEXT COLLATE "C",
        value TEXT NOT NULL,
        expires_at BIGINT,
        PRIMARY KEY (kind, key)
    );
    CREATE INDEX oauth_grants_by_family ON oauth_grants (family);"#,
];

/// How many times a commit is tried when PostgreSQL aborts it for a serialisation failure or a
/// deadlock (both are safe to retry: nothing of the attempt was applied).
const COMMIT_ATTEMPTS: usize = 3;

/// How a [`PostgresStore`] connects: the schema holding its tables and the connection pool.
///
/// ```
/// use openbadges_backpack::store::PostgresOptions;
/// let options = PostgresOptions::default().schema("alice_backpack").max_connections(4);
/// # let _ = options;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostgresOptions {
    schema: String,
    max_connections: u32,
    connect_timeout: Duration,
}

impl Default for PostgresOptions {
    /// Schema `backpack`, at most 8 connections, 10 s to get one.
    fn default() -> Self {
        PostgresOptions {
            schema: "backpack".to_owned(),
            max_connections: 8,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

impl PostgresOptions {
    /// The PostgreSQL schema (namespace) holding the backpack's tables, created on first open:
    /// one database can hold several backpacks, and other applications' tables never collide
    /// with them. Lowercase ASCII letters, digits and `_`, not starting with a digit, at most 63
    /// bytes (checked by [`PostgresStore::open_with`]). Default `backpack`.
    #[must_use]
    pub fn schema(mut self, name: impl Into<String>) -> Self {
        self.schema = name.into();
        self
    }

    /// The most connections the store's pool opens (at least 1; default 8). Connections are
    /// opened on demand and closed after 10 idle minutes.
    #[must_use]
    pub fn max_connections(mut self, n: u32) -> Self {
        self.max_connections = n;
        self
    }

    /// How long an operation waits for a connection (to be opened, or freed by another
    /// thread) before failing with [`Error::Storage`] (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
}

type Manager = PostgresConnectionManager<NoTls>;

/// A backpack kept in a PostgreSQL database, in a schema of its own (`backpack` unless
/// [`PostgresOptions::schema`] says otherwise).
///
/// - **Schema and migrations.** The same tables as [`SqliteStore`](super::SqliteStore), created
///   and migrated forward on open, each migration in its own transaction under an advisory lock,
///   so any number of processes may open an empty database at once; a database migrated by a
///   newer build gives [`Error::SchemaTooNew`].
/// - **Commits.** [`Store::commit`] is one transaction. Commits to the same backpack from any
///   number of stores, threads and processes take turns on a transaction-scoped advisory lock,
///   so none sees another half-done and none is lost (a serialisation failure or deadlock
///   reported by the server is retried).
/// - **Sharing.** `Send + Sync`, with a pool of connections ([`PostgresOptions`]): share one
///   store between threads as an `Arc`.
/// - **Async.** The methods block on the database (the `postgres` crate's sync client, which
///   owns a small tokio runtime). Call them from `tokio::task::spawn_blocking`; called on an
///   async worker thread they still work (on a thread of their own, blocking the worker), and
///   creating or dropping the store inside a runtime is safe.
/// - **Transport.** Connections are made without TLS: use it over loopback, a private network
///   or a Unix socket (`postgres://user@%2Frun%2Fpostgresql/db`). A URL asking for
///   `sslmode=require` is refused rather than silently sent in clear.
pub struct PostgresStore {
    /// `None` only while the store is dropped (see `Drop`).
    pool: Option<Pool<Manager>>,
    schema: String,
    /// The advisory lock commits to this schema take.
    commit_lock: i64,
}

impl std::fmt::Debug for PostgresStore {
    /// The schema and pool size; never the URL (it may carry a password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("schema", &self.schema)
            .field("max_connections", &self.pool.as_ref().map(Pool::max_size))
            .finish()
    }
}

/// Sets each new connection's `search_path` to the backpack's schema, so every statement
/// names its tables as the SQLite store does.
#[derive(Debug)]
struct SearchPath(String);

impl CustomizeConnection<Client, postgres::Error> for SearchPath {
    fn on_acquire(&self, conn: &mut Client) -> std::result::Result<(), postgres::Error> {
        // The name was checked to be a plain lowercase identifier: quoting cannot be escaped.
        conn.batch_execute(&format!("SET search_path TO \"{}\"", self.0))
    }
}

/// Whether `name` is a schema name this store accepts (see [`PostgresOptions::schema`]).
fn valid_schema(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
}

/// The advisory-lock key for `purpose` on `schema`: 64 bits of a SHA-256, so keys of other
/// applications and other backpacks in the same database do not collide.
fn lock_key(purpose: &str, schema: &str) -> i64 {
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        format!("openbadges-backpack {purpose} {schema}").as_bytes(),
    );
    let bits = digest
        .as_ref()
        .iter()
        .take(8)
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    i64::from_ne_bytes(bits.to_ne_bytes())
}

/// Runs `f` where the sync PostgreSQL client may run: right here when no tokio runtime is
/// current, else on a plain thread of its own (the client owns a runtime, which cannot be
/// started, nor dropped, on a thread that is inside another runtime).
fn off_runtime<T: Send>(f: impl FnOnce() -> Result<T> + Send) -> Result<T> {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("backpack-postgres".into())
            .spawn_scoped(scope, f)
            .map_err(|e| Error::storage_in("starting a thread for PostgreSQL", e))?;
        worker
            .join()
            .map_err(|_| Error::storage("the PostgreSQL thread panicked"))?
    })
}

/// Whether PostgreSQL aborted a transaction that can simply be tried again.
fn retryable(e: &Error) -> bool {
    let Error::Storage { source, .. } = e else {
        return false;
    };
    source
        .downcast_ref::<postgres::Error>()
        .and_then(postgres::Error::code)
        .is_some_and(|c| {
            *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED
        })
}

impl PostgresStore {
    /// Opens the backpack in the database at `url` (`postgres://user:password@host/db`, any
    /// form the `postgres` crate accepts) with the default [`PostgresOptions`], creating and
    /// migrating its schema.
    ///
    /// # Errors
    /// As [`PostgresStore::open_with`].
    pub fn open(url: &str) -> Result<Self> {
        PostgresStore::open_with(url, PostgresOptions::default())
    }

    /// Opens the backpack in the database at `url` with `options`, creating its schema and
    /// tables on first use and migrating them forward.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a bad schema name or pool size, [`Error::Storage`] when
    /// the URL does not parse (the message never repeats the URL) or the server cannot be
    /// reached in time, [`Error::SchemaTooNew`] when a newer build migrated the database.
    pub fn open_with(url: &str, options: PostgresOptions) -> Result<Self> {
        let PostgresOptions {
            schema,
            max_connections,
            connect_timeout,
        } = options;
        if !valid_schema(&schema) {
            return Err(Error::InvalidArgument(format!(
                "PostgreSQL schema name `{schema}`: use lowercase ASCII letters, digits and `_`, \
                 not starting with a digit, at most 63 bytes"
            )));
        }
        if max_connections == 0 {
            return Err(Error::InvalidArgument(
                "a PostgreSQL store needs at least one connection".into(),
            ));
        }
        let config: postgres::Config = url
            .parse()
            .map_err(|e| Error::storage_in("parsing the PostgreSQL URL", e))?;
        off_runtime(move || {
            let pool = Pool::builder()
                .max_size(max_connections)
                // Open connections on demand: building the pool waits for none.
                .min_idle(Some(0))
                .connection_timeout(connect_timeout)
                .connection_customizer(Box::new(SearchPath(schema.clone())))
                .build(PostgresConnectionManager::new(config, NoTls))
                .map_err(|e| Error::storage_in("connecting to PostgreSQL", e))?;
            let store = PostgresStore {
                pool: Some(pool),
                commit_lock: lock_key("commit", &schema),
                schema,
            };
            store.migrate()?;
            Ok(store)
        })
    }

    /// The schema holding the backpack's tables.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Runs `f` with a pooled connection, off any tokio runtime.
    fn run<T: Send>(&self, f: impl FnOnce(&mut Client) -> Result<T> + Send) -> Result<T> {
        let pool = self
            .pool
            .as_ref()
            .ok_or_else(|| Error::storage("the PostgreSQL store is closed"))?;
        off_runtime(|| {
            let mut conn = pool
                .get()
                .map_err(|e| Error::storage_in("connecting to PostgreSQL", e))?;
            f(&mut conn)
        })
    }

    /// Creates the schema and applies the migrations it lacks, one transaction each, every one
    /// under the schema's migration lock (so concurrent openers apply each exactly once).
    fn migrate(&self) -> Result<()> {
        let lock = lock_key("migrate", &self.schema);
        let schema = self.schema.as_str();
        self.run(|client| {
            loop {
                let mut tx = client.transaction()?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
                // Looked up first: `CREATE SCHEMA IF NOT EXISTS` needs the CREATE privilege
                // even when the schema exists.
                if tx
                    .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])?
                    .is_none()
                {
                    tx.batch_execute(&format!("CREATE SCHEMA \"{schema}\""))?;
                }
                tx.batch_execute(
                    "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
                )?;
                let found = recorded_version(&mut tx)?;
                if found > SCHEMA_VERSION {
                    return Err(Error::SchemaTooNew {
                        found,
                        supported: SCHEMA_VERSION,
                    });
                }
                let next = usize::try_from(found).map_err(Error::storage)?;
                let Some(sql) = MIGRATIONS.get(next) else {
                    tx.commit()?;
                    return Ok(());
                };
                tx.batch_execute(sql)?;
                tx.execute("DELETE FROM schema_version", &[])?;
                tx.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)",
                    &[&found.saturating_add(1)],
                )?;
                tx.commit()?;
            }
        })
    }

    /// The schema version recorded in the database.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub fn schema_version(&self) -> Result<i64> {
        self.run(|client| {
            let mut tx = client.transaction()?;
            recorded_version(&mut tx)
        })
    }

    /// Checks every original and kept document against its stored SHA-256 (in one consistent
    /// snapshot), plus [`Store::check`]; returns the problems found, worded as the SQLite
    /// store's [`integrity_check`](super::SqliteStore::integrity_check). PostgreSQL has no
    /// `PRAGMA integrity_check`; its own page checksums (`initdb --data-checksums`) and
    /// `amcheck` are the server administrator's.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems = self.run(|client| {
            let mut tx = client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let mut problems = Vec::new();
            for (table, query) in [
                (
                    "badge",
                    "SELECT id, original, original_sha256 FROM badges ORDER BY id",
                ),
                (
                    "kept document",
                    "SELECT url, body, sha256 FROM documents ORDER BY id",
                ),
            ] {
                // Streamed: one body in memory at a time.
                let mut rows = tx.query_raw(query, std::iter::empty::<&str>())?;
                while let Some(row) = rows.next()? {
                    let key: String = row.try_get(0)?;
                    let body: Vec<u8> = row.try_get(1)?;
                    let sha: String = row.try_get(2)?;
                    if sha256_hex(&body) != sha {
                        problems.push(format!(
                            "{table} {key}: stored bytes do not match their SHA-256"
                        ));
                    }
                }
            }
            tx.commit()?;
            Ok(problems)
        })?;
        problems.extend(self.check()?);
        Ok(problems)
    }
}

impl Drop for PostgresStore {
    /// Inside a tokio runtime, the pool (whose idle clients each own a runtime, which must not
    /// be dropped on an async thread) is dropped on a plain thread of its own; its connections
    /// close a moment later. Elsewhere it is dropped here.
    fn drop(&mut self) {
        let Some(pool) = self.pool.take() else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            let spawned = std::thread::Builder::new()
                .name("backpack-postgres-close".into())
                .spawn(move || drop(pool));
            // Joining would block the async thread; the thread ends by itself.
            drop(spawned);
        }
    }
}

/// The version recorded in `schema_version` (0 when none).
fn recorded_version(tx: &mut Transaction<'_>) -> Result<i64> {
    let found: Option<i64> = tx
        .query_one("SELECT max(version) FROM schema_version", &[])?
        .try_get(0)?;
    Ok(found.unwrap_or(0))
}

fn raw_badge(r: &Row) -> Result<RawBadge> {
    Ok(RawBadge {
        id: r.try_get(0)?,
        dedup_key: r.try_get(1)?,
        original: r.try_get(2)?,
        document: r.try_get(3)?,
        source_kind: r.try_get(4)?,
        source_location: r.try_get(5)?,
        source_within: r.try_get(6)?,
        input_kind: r.try_get(7)?,
        version: r.try_get(8)?,
        class: r.try_get(9)?,
        recipient: r.try_get(10)?,
        state: r.try_get(11)?,
        imported_at: r.try_get(12)?,
        valid_from: r.try_get(13)?,
        verification_status: r.try_get(14)?,
        verification_report: r.try_get(15)?,
        verified_at: r.try_get(16)?,
    })
}

fn put_badge(tx: &mut Transaction<'_>, b: &BadgeRecord) -> Result<()> {
    let recipient = serde_json::to_string(&b.recipient)
        .map_err(|e| Error::storage_in("encoding recipient", e))?;
    let columns = format!("{BADGE_COLUMNS}, original_sha256");
    let updates = columns
        .split(',')
        .map(str::trim)
        .filter(|c| *c != "id")
        .map(|c| format!("{c} = EXCLUDED.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let document = b.document.to_string();
    let imported_at = time_str(&b.imported_at);
    let valid_from = b.valid_from.as_ref().map(time_str);
    let checked_at = time_str(&b.verification.checked_at);
    let sha = sha256_hex(&b.original);
    let params: [&(dyn ToSql + Sync); 18] = [
        &b.id.as_str(),
        &b.dedup_key.as_str(),
        &b.original,
        &document,
        &b.source.kind.as_str(),
        &b.source.location,
        &b.source.within,
        &b.input_kind.as_str(),
        &b.version.as_str(),
        &b.class,
        &recipient,
        &b.state.as_str(),
        &imported_at,
        &valid_from,
        &b.verification.status.as_str(),
        &b.verification.report,
        &checked_at,
        &sha,
    ];
    tx.execute(
        &format!(
            "INSERT INTO badges ({columns}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
             ON CONFLICT (id) DO UPDATE SET {updates}"
        ),
        &params,
    )?;
    Ok(())
}

/// [`Error::NotFound`] unless badge `id` is stored.
fn require_badge(tx: &mut Transaction<'_>, id: &BadgeId) -> Result<()> {
    match tx.query_opt("SELECT 1 FROM badges WHERE id = $1", &[&id.as_str()])? {
        Some(_) => Ok(()),
        None => Err(Error::NotFound {
            what: "badge",
            id: id.to_string(),
        }),
    }
}

fn put_collection(tx: &mut Transaction<'_>, c: &Collection) -> Result<()> {
    let token = match &c.visibility {
        Visibility::Unlisted { token } => Some(token.as_str()),
        _ => None,
    };
    tx.execute(
        "INSERT INTO collections (id, name, description, visibility, token, portfolio)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
           visibility = EXCLUDED.visibility, token = EXCLUDED.token, portfolio = EXCLUDED.portfolio",
        &[
            &c.id.as_str(),
            &c.name,
            &c.description,
            &c.visibility.as_str(),
            &token,
            &c.portfolio,
        ],
    )?;
    tx.execute(
        "DELETE FROM collection_members WHERE collection_id = $1",
        &[&c.id.as_str()],
    )?;
    let mut seen = std::collections::BTreeSet::new();
    for (pos, m) in c.members.iter().enumerate() {
        require_badge(tx, m)?;
        // Checked here rather than left to the UNIQUE constraint, whose violation would abort
        // the transaction with a less helpful message.
        if !seen.insert(m) {
            return Err(Error::InvalidArgument(format!(
                "badge {m} appears twice in collection {}",
                c.id
            )));
        }
        let pos = i64::try_from(pos).map_err(Error::storage)?;
        tx.execute(
            "INSERT INTO collection_members (collection_id, position, badge_id) VALUES ($1, $2, $3)",
            &[&c.id.as_str(), &pos, &m.as_str()],
        )?;
    }
    Ok(())
}

fn apply(tx: &mut Transaction<'_>, w: &Write) -> Result<()> {
    match w {
        Write::PutBadge(b) => put_badge(tx, b)?,
        Write::SetBadgeState(id, state) => {
            let n = tx.execute(
                "UPDATE badges SET state = $2 WHERE id = $1",
                &[&id.as_str(), &state.as_str()],
            )?;
            if n == 0 {
                return Err(Error::NotFound {
                    what: "badge",
                    id: id.to_string(),
                });
            }
            if *state == BadgeState::Rejected {
                // Remove it from collections and close the gaps in positions.
                let affected = tx
                    .query(
                        "SELECT DISTINCT collection_id FROM collection_members WHERE badge_id = $1",
                        &[&id.as_str()],
                    )?
                    .iter()
                    .map(|r| r.try_get::<_, String>(0))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                tx.execute(
                    "DELETE FROM collection_members WHERE badge_id = $1",
                    &[&id.as_str()],
                )?;
                for cid in affected {
                    renumber(tx, &cid)?;
                }
            }
        }
        Write::PutCollection(c) => put_collection(tx, c)?,
        Write::DeleteCollection(id) => {
            tx.execute(
                "DELETE FROM collection_members WHERE collection_id = $1",
                &[&id.as_str()],
            )?;
            let n = tx.execute("DELETE FROM collections WHERE id = $1", &[&id.as_str()])?;
            if n == 0 {
                return Err(Error::NotFound {
                    what: "collection",
                    id: id.to_string(),
                });
            }
        }
        Write::AddIdentifier(i) => {
            tx.execute(
                "INSERT INTO identifiers (kind, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&i.kind.as_str(), &i.value],
            )?;
        }
        Write::RemoveIdentifier(i) => {
            tx.execute(
                "DELETE FROM identifiers WHERE kind = $1 AND value = $2",
                &[&i.kind.as_str(), &i.value],
            )?;
        }
        Write::PutDocuments(id, docs) => put_documents(tx, id, docs)?,
    }
    Ok(())
}

fn put_documents(tx: &mut Transaction<'_>, id: &BadgeId, docs: &[KeptDocument]) -> Result<()> {
    require_badge(tx, id)?;
    tx.execute(
        "DELETE FROM badge_documents WHERE badge_id = $1",
        &[&id.as_str()],
    )?;
    let insert = tx.prepare(
        "INSERT INTO documents (url, sha256, media_type, fetched_at, body)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (url, sha256) DO NOTHING",
    )?;
    let find = tx.prepare("SELECT id FROM documents WHERE url = $1 AND sha256 = $2")?;
    let link = tx.prepare(
        "INSERT INTO badge_documents (badge_id, document_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )?;
    for d in docs {
        let sha = d.sha256();
        let fetched_at = time_str(&d.fetched_at);
        tx.execute(
            &insert,
            &[&d.url, &sha, &d.media_type, &fetched_at, &&*d.body],
        )?;
        let doc_id: i64 = tx.query_one(&find, &[&d.url, &sha])?.try_get(0)?;
        tx.execute(&link, &[&id.as_str(), &doc_id])?;
    }
    Ok(())
}

fn renumber(tx: &mut Transaction<'_>, cid: &str) -> Result<()> {
    let members = tx
        .query(
            "SELECT badge_id FROM collection_members WHERE collection_id = $1 ORDER BY position",
            &[&cid],
        )?
        .iter()
        .map(|r| r.try_get::<_, String>(0))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    tx.execute(
        "DELETE FROM collection_members WHERE collection_id = $1",
        &[&cid],
    )?;
    for (pos, m) in members.iter().enumerate() {
        let pos = i64::try_from(pos).map_err(Error::storage)?;
        tx.execute(
            "INSERT INTO collection_members (collection_id, position, badge_id) VALUES ($1, $2, $3)",
            &[&cid, &pos, m],
        )?;
    }
    Ok(())
}

impl Store for PostgresStore {
    fn badge(&self, id: &BadgeId) -> Result<Option<BadgeRecord>> {
        let raw = self.run(|client| {
            client
                .query_opt(
                    &format!("SELECT {BADGE_COLUMNS} FROM badges WHERE id = $1"),
                    &[&id.as_str()],
                )?
                .as_ref()
                .map(raw_badge)
                .transpose()
        })?;
        raw.map(RawBadge::decode).transpose()
    }

    fn badges(&self) -> Result<Vec<BadgeRecord>> {
        let raws = self.run(|client| {
            client
                .query(
                    &format!("SELECT {BADGE_COLUMNS} FROM badges ORDER BY id"),
                    &[],
                )?
                .iter()
                .map(raw_badge)
                .collect::<Result<Vec<_>>>()
        })?;
        raws.into_iter().map(RawBadge::decode).collect()
    }

    fn badge_ids(&self) -> Result<Vec<BadgeId>> {
        let ids = self.run(|client| {
            client
                .query("SELECT id FROM badges ORDER BY id", &[])?
                .iter()
                .map(|r| r.try_get::<_, String>(0).map_err(Error::from))
                .collect::<Result<Vec<_>>>()
        })?;
        ids.iter().map(|id| BadgeId::parse(id)).collect()
    }

    fn badge_documents(&self, id: &BadgeId) -> Result<Vec<KeptDocument>> {
        let rows = self.run(|client| {
            client
                .query(
                    "SELECT d.url, d.media_type, d.fetched_at, d.body FROM badge_documents l
                     JOIN documents d ON d.id = l.document_id
                     WHERE l.badge_id = $1 ORDER BY d.url, d.sha256",
                    &[&id.as_str()],
                )?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<_, String>(0)?,
                        r.try_get::<_, Option<String>>(1)?,
                        r.try_get::<_, String>(2)?,
                        r.try_get::<_, Vec<u8>>(3)?,
                    ))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        rows.into_iter()
            .map(|(url, media_type, fetched_at, body)| {
                Ok(KeptDocument {
                    fetched_at: parse_time(id.as_str(), &fetched_at)?,
                    url,
                    media_type,
                    body: body.into(),
                })
            })
            .collect()
    }

    fn collections(&self) -> Result<Vec<Collection>> {
        // One statement: one snapshot of collections and their members together.
        let rows = self.run(|client| {
            client
                .query(
                    "SELECT c.id, c.name, c.description, c.visibility, c.token, c.portfolio,
                       coalesce(array_agg(m.badge_id ORDER BY m.position)
                                  FILTER (WHERE m.badge_id IS NOT NULL), '{}')
                     FROM collections c LEFT JOIN collection_members m ON m.collection_id = c.id
                     GROUP BY c.id ORDER BY c.id",
                    &[],
                )?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get::<_, String>(0)?,
                        r.try_get::<_, String>(1)?,
                        r.try_get::<_, String>(2)?,
                        r.try_get::<_, String>(3)?,
                        r.try_get::<_, Option<String>>(4)?,
                        r.try_get::<_, String>(5)?,
                        r.try_get::<_, Vec<String>>(6)?,
                    ))
                })
                .collect::<Result<Vec<_>>>()
        })?;
        rows.into_iter()
            .map(|(id, name, description, vis, token, portfolio, members)| {
                Ok(Collection {
                    visibility: visibility(&id, &vis, token)?,
                    members: members
                        .iter()
                        .map(|m| BadgeId::parse(m))
                        .collect::<Result<_>>()?,
                    id: CollectionId::parse(&id)?,
                    name,
                    description,
                    portfolio,
                })
            })
            .collect()
    }

    fn identifiers(&self) -> Result<Vec<Identity>> {
        let rows = self.run(|client| {
            client
                .query(
                    "SELECT kind, value FROM identifiers ORDER BY kind, value",
                    &[],
                )?
                .iter()
                .map(|r| Ok((r.try_get::<_, String>(0)?, r.try_get::<_, String>(1)?)))
                .collect::<Result<Vec<_>>>()
        })?;
        let mut out = rows
            .into_iter()
            .map(|(kind, value)| {
                let kind = IdentityKind::parse(&kind)
                    .ok_or_else(|| decode_err(&value, "unknown identifier kind"))?;
                Ok(Identity::new(kind, value))
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort();
        Ok(out)
    }

    fn commit(&self, writes: Vec<Write>) -> Result<()> {
        let lock = self.commit_lock;
        self.run(|client| {
            let mut attempt = 1;
            loop {
                let result = (|| {
                    let mut tx = client.transaction()?;
                    // Commits to this backpack take turns: each sees every earlier one whole.
                    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
                    for w in &writes {
                        apply(&mut tx, w)?;
                    }
                    tx.commit()?;
                    Ok(())
                })();
                match result {
                    Err(e) if attempt < COMMIT_ATTEMPTS && retryable(&e) => attempt += 1,
                    other => return other,
                }
            }
        })
    }

    fn integrity_check(&self) -> Result<Vec<String>> {
        PostgresStore::integrity_check(self)
    }

    fn grant_put(&self, row: &super::GrantRow) -> Result<()> {
        self.run(|client| {
            client.execute(
                "INSERT INTO oauth_grants (kind, key, family, value, expires_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, key) DO UPDATE SET \
                 family = EXCLUDED.family, value = EXCLUDED.value, expires_at = EXCLUDED.expires_at",
                &[&row.kind, &row.key, &row.family, &row.value, &row.expires_at],
            )?;
            Ok(())
        })
    }

    fn grant_get(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
        self.run(|client| {
            Ok(client
                .query_opt(
                    "SELECT value FROM oauth_grants WHERE kind = $1 AND key = $2 \
                     AND (expires_at IS NULL OR expires_at > $3)",
                    &[&kind, &key, &now],
                )?
                .map(|r| r.get(0)))
        })
    }

    fn grant_take(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
        // One statement: of concurrent deletes of one row, exactly one returns it.
        self.run(|client| {
            Ok(client
                .query_opt(
                    "DELETE FROM oauth_grants WHERE kind = $1 AND key = $2 \
                     RETURNING value, expires_at",
                    &[&kind, &key],
                )?
                .and_then(|r| {
                    let e: Option<i64> = r.get(1);
                    e.is_none_or(|e| e > now).then(|| r.get(0))
                }))
        })
    }

    fn grant_revoke_family(&self, family: &str, now: i64) -> Result<usize> {
        self.run(|client| {
            let n = client.execute("DELETE FROM oauth_grants WHERE family = $1", &[&family])?;
            client.execute(
                "DELETE FROM oauth_grants WHERE expires_at IS NOT NULL AND expires_at <= $1",
                &[&now],
            )?;
            Ok(usize::try_from(n).unwrap_or(usize::MAX))
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn migrations_match_the_sqlite_schema_version() {
        assert_eq!(
            i64::try_from(MIGRATIONS.len()).unwrap(),
            SCHEMA_VERSION,
            "the PostgreSQL and SQLite stores number their migrations alike"
        );
    }

    #[test]
    fn schema_names_are_plain_identifiers() {
        for ok in ["backpack", "_b", "alice_2", &"a".repeat(63)] {
            assert!(valid_schema(ok), "{ok}");
        }
        for bad in ["", "2a", "Backpack", "a-b", "a\"b", "a b", &"a".repeat(64)] {
            assert!(!valid_schema(bad), "{bad}");
        }
    }

    #[test]
    fn lock_keys_differ_by_purpose_and_schema() {
        let keys = [
            lock_key("commit", "backpack"),
            lock_key("migrate", "backpack"),
            lock_key("commit", "other"),
        ];
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[0], keys[2]);
        assert_eq!(keys[0], lock_key("commit", "backpack"));
    }
}
