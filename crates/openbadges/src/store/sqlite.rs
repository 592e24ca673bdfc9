//! [`SqliteIssuerStore`]: the issuer's state in one SQLite file (WAL, busy timeout), shared by
//! every thread and process that opens the same file.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::types::{Value as SqliteValue, ValueRef};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::sql::{
    dollar_to_question, index_from_i64, index_to_i64, keys_from_json, keys_to_json,
    pending_migrations, record_from_json, record_to_json,
};
use super::{
    IssuanceWrite, IssuedRecord, IssuerStore, RevokedBadge, RewriteFn, SqlValue, StoreError,
    StoreTransaction, StoredDocument, StoredKeys, TransactionFn,
};

/// How long a connection waits for another writer before failing with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How many idle connections the store keeps for reuse.
const MAX_IDLE: usize = 8;

/// The schema, one migration per version (applied in order, each once).
const MIGRATIONS: &[&str] = &[
    // 1: keys, the status-index counter, badges, documents, revocations.
    "CREATE TABLE ob_keys (id INTEGER PRIMARY KEY CHECK (id = 1), keys TEXT NOT NULL);
     CREATE TABLE ob_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
     INSERT INTO ob_counters (name, value) VALUES ('status_index', 0);
     CREATE TABLE ob_issued (
         uuid TEXT PRIMARY KEY,
         status_index INTEGER UNIQUE,
         issued_at TEXT NOT NULL,
         record TEXT NOT NULL
     );
     CREATE TABLE ob_documents (
         path TEXT PRIMARY KEY,
         content_type TEXT NOT NULL,
         body BLOB NOT NULL,
         gone_when_revoked TEXT
     );
     CREATE TABLE ob_revocations (
         uuid TEXT PRIMARY KEY REFERENCES ob_issued (uuid),
         reason TEXT,
         revoked_at TEXT NOT NULL
     );",
];

/// An issuer store in one SQLite file. Open it with [`SqliteIssuerStore::open`] (or
/// [`open`](super::open) with `sqlite:PATH`); every process opening the same file shares it:
/// writes are transactions (`BEGIN IMMEDIATE`), status-list indexes come from a counter row,
/// and a busy timeout makes writers queue instead of failing.
#[derive(Debug)]
pub struct SqliteIssuerStore {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// A connection borrowed from the store, returned to it when dropped.
struct Borrowed<'a> {
    store: &'a SqliteIssuerStore,
    conn: Option<Connection>,
}

impl Drop for Borrowed<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let mut idle = self
                .store
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE {
                idle.push(c);
            }
        }
    }
}

impl Borrowed<'_> {
    fn conn(&mut self) -> Result<&mut Connection, StoreError> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError::Database("no connection".into()))
    }
}

/// A database error as a [`StoreError`]: constraint violations are conflicts.
fn db(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict(e.to_string()),
        _ => StoreError::Database(e.to_string()),
    }
}

impl SqliteIssuerStore {
    /// Opens (creating if needed, readable by its owner only: it holds the signing keys) the
    /// store in the SQLite file at `path`, and brings its schema up to date.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the file cannot be opened or migrated;
    /// [`StoreError::Corrupt`] when it was written by a newer version.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let store = SqliteIssuerStore {
            path: path.as_ref().to_path_buf(),
            idle: Mutex::new(Vec::new()),
        };
        create_private(&store.path)?;
        let mut c = store.borrow()?;
        migrate(c.conn()?)?;
        drop(c);
        Ok(store)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn borrow(&self) -> Result<Borrowed<'_>, StoreError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(c) => c,
            None => self.connect()?,
        };
        Ok(Borrowed {
            store: self,
            conn: Some(conn),
        })
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let c = Connection::open(&self.path).map_err(db)?;
        c.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
        // WAL: readers never wait for the writer; FULL: a committed issuance survives a
        // power loss, not only a crash.
        set_wal(&c).map_err(db)?;
        c.pragma_update(None, "synchronous", "FULL").map_err(db)?;
        c.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        Ok(c)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction (the write lock taken at the start, so
    /// writers queue on the busy timeout instead of failing on upgrade).
    fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut b = self.borrow()?;
        let tx = b
            .conn()?
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let out = f(&tx)?;
        tx.commit().map_err(db)?;
        Ok(out)
    }

    /// Runs `f` on a connection (reads).
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut b = self.borrow()?;
        f(b.conn()?)
    }
}

/// Switches `conn` to WAL. While another connection holds a new file (instances starting
/// together), SQLite answers this pragma "database is locked" at once instead of waiting on the
/// busy timeout, so it is retried until the timeout runs out.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(e)
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// Creates the database file readable by its owner only (it holds the signing keys) if it does
/// not exist yet; SQLite gives its `-wal` and `-shm` files the same permissions.
fn create_private(path: &Path) -> Result<(), StoreError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
        .open(path)
        .map(drop)
        .map_err(|e| StoreError::Database(format!("{}: {e}", path.display())))
}

/// Brings the schema up to date under the write lock (so concurrent openers apply each
/// migration once).
fn migrate(c: &mut Connection) -> Result<(), StoreError> {
    let tx = c
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS ob_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
    )
    .map_err(db)?;
    let version: i64 = tx
        .query_row("SELECT version FROM ob_schema WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db)?
        .unwrap_or(0);
    for (v, m) in pending_migrations(MIGRATIONS, version)? {
        tx.execute_batch(m).map_err(db)?;
        tx.execute(
            "INSERT INTO ob_schema (id, version) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            [v],
        )
        .map_err(db)?;
    }
    tx.commit().map_err(db)
}

/// The caller's view of a SQLite transaction.
struct Tx<'a, 'c>(&'a rusqlite::Transaction<'c>);

fn to_sqlite(v: &SqlValue) -> SqliteValue {
    match v {
        SqlValue::Null => SqliteValue::Null,
        SqlValue::Integer(i) => SqliteValue::Integer(*i),
        SqlValue::Text(s) => SqliteValue::Text(s.clone()),
        SqlValue::Blob(b) => SqliteValue::Blob(b.clone()),
    }
}

fn from_sqlite(v: ValueRef<'_>) -> Result<SqlValue, StoreError> {
    Ok(match v {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(i) => SqlValue::Integer(i),
        ValueRef::Text(t) => SqlValue::Text(
            std::str::from_utf8(t)
                .map_err(|e| StoreError::Corrupt(format!("text column: {e}")))?
                .to_owned(),
        ),
        ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
        ValueRef::Real(_) => {
            return Err(StoreError::Database(
                "REAL columns are not supported (use INTEGER or TEXT)".into(),
            ));
        }
    })
}

impl StoreTransaction for Tx<'_, '_> {
    fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        let params: Vec<SqliteValue> = params.iter().map(to_sqlite).collect();
        let n = self
            .0
            .execute(&dollar_to_question(sql), rusqlite::params_from_iter(params))
            .map_err(db)?;
        Ok(u64::try_from(n).unwrap_or(u64::MAX))
    }

    fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Vec<SqlValue>>, StoreError> {
        let params: Vec<SqliteValue> = params.iter().map(to_sqlite).collect();
        let mut st = self.0.prepare(&dollar_to_question(sql)).map_err(db)?;
        let columns = st.column_count();
        let mut rows = st.query(rusqlite::params_from_iter(params)).map_err(db)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(db)? {
            let mut row = Vec::with_capacity(columns);
            for i in 0..columns {
                row.push(from_sqlite(r.get_ref(i).map_err(db)?)?);
            }
            out.push(row);
        }
        Ok(out)
    }
}

fn put_document(
    tx: &rusqlite::Transaction<'_>,
    d: &StoredDocument,
    replace: bool,
) -> Result<(), StoreError> {
    let sql = if replace {
        "INSERT INTO ob_documents (path, content_type, body, gone_when_revoked) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (path) DO UPDATE SET content_type = excluded.content_type, body = excluded.body,
             gone_when_revoked = excluded.gone_when_revoked"
    } else {
        "INSERT INTO ob_documents (path, content_type, body, gone_when_revoked) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (path) DO NOTHING"
    };
    tx.execute(
        sql,
        params![d.path, d.content_type, d.body, d.gone_when_revoked],
    )
    .map_err(db)?;
    Ok(())
}

fn document_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredDocument> {
    Ok(StoredDocument {
        path: r.get(0)?,
        content_type: r.get(1)?,
        body: r.get(2)?,
        gone_when_revoked: r.get(3)?,
    })
}

fn revoked_row(
    r: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, Option<i64>, Option<String>, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn revoked_badge(
    (uuid, index, reason, revoked_at): (String, Option<i64>, Option<String>, String),
) -> Result<RevokedBadge, StoreError> {
    Ok(RevokedBadge {
        uuid,
        status_index: index.map(index_from_i64).transpose()?,
        reason,
        revoked_at,
    })
}

const REVOKED_SQL: &str = "SELECT r.uuid, i.status_index, r.reason, r.revoked_at
     FROM ob_revocations r JOIN ob_issued i ON i.uuid = r.uuid";

fn all_revoked(c: &Connection) -> Result<Vec<RevokedBadge>, StoreError> {
    let mut st = c
        .prepare(&format!("{REVOKED_SQL} ORDER BY r.uuid"))
        .map_err(db)?;
    let rows = st
        .query_map([], revoked_row)
        .map_err(db)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(db)?;
    rows.into_iter().map(revoked_badge).collect()
}

impl IssuerStore for SqliteIssuerStore {
    fn keys_or_insert(&self, new_keys: &StoredKeys) -> Result<StoredKeys, StoreError> {
        let json = keys_to_json(new_keys)?;
        let stored: String = self.write(|tx| {
            tx.execute(
                "INSERT INTO ob_keys (id, keys) VALUES (1, ?1) ON CONFLICT (id) DO NOTHING",
                [&json],
            )
            .map_err(db)?;
            tx.query_row("SELECT keys FROM ob_keys WHERE id = 1", [], |r| r.get(0))
                .map_err(db)
        })?;
        keys_from_json(&stored)
    }

    fn allocate_status_index(&self) -> Result<u64, StoreError> {
        let i: i64 = self.write(|tx| {
            tx.query_row(
                "UPDATE ob_counters SET value = value + 1 WHERE name = 'status_index' RETURNING value - 1",
                [],
                |r| r.get(0),
            )
            .map_err(db)
        })?;
        index_from_i64(i)
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
                "INSERT INTO ob_issued (uuid, status_index, issued_at, record) VALUES (?1, ?2, ?3, ?4)",
                params![r.uuid, index, r.issued_at, json],
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
        let json: Option<String> = self.read(|c| {
            c.query_row(
                "SELECT record FROM ob_issued WHERE uuid = ?1",
                [uuid],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)
        })?;
        json.as_deref().map(record_from_json).transpose()
    }

    fn issued_uuids(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut st = c
                .prepare("SELECT uuid FROM ob_issued ORDER BY uuid")
                .map_err(db)?;
            st.query_map([], |r| r.get(0))
                .map_err(db)?
                .collect::<Result<Vec<String>, _>>()
                .map_err(db)
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
            let known: Option<i64> = tx
                .query_row("SELECT 1 FROM ob_issued WHERE uuid = ?1", [uuid], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db)?;
            if known.is_none() {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO ob_revocations (uuid, reason, revoked_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (uuid) DO UPDATE SET reason = excluded.reason",
                params![uuid, reason, revoked_at],
            )
            .map_err(db)?;
            let docs = rewrite(&all_revoked(tx)?)?;
            for d in &docs {
                put_document(tx, d, true)?;
            }
            hook(&mut Tx(tx))?;
            Ok(Some(docs))
        })
    }

    fn revoked(&self) -> Result<Vec<RevokedBadge>, StoreError> {
        self.read(all_revoked)
    }

    fn revocation(&self, uuid: &str) -> Result<Option<RevokedBadge>, StoreError> {
        let row = self.read(|c| {
            c.query_row(
                &format!("{REVOKED_SQL} WHERE r.uuid = ?1"),
                [uuid],
                revoked_row,
            )
            .optional()
            .map_err(db)
        })?;
        row.map(revoked_badge).transpose()
    }

    fn document(&self, path: &str) -> Result<Option<StoredDocument>, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT path, content_type, body, gone_when_revoked FROM ob_documents WHERE path = ?1",
                [path],
                document_row,
            )
            .optional()
            .map_err(db)
        })
    }

    fn documents_under(&self, prefix: &str) -> Result<Vec<StoredDocument>, StoreError> {
        self.read(|c| {
            let mut st = c
                .prepare(
                    "SELECT path, content_type, body, gone_when_revoked FROM ob_documents
                     WHERE substr(path, 1, length(?1)) = ?1 ORDER BY path",
                )
                .map_err(db)?;
            st.query_map([prefix], document_row)
                .map_err(db)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db)
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
