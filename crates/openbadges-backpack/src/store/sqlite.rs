//! The SQLite store (the default): one file, WAL journal, versioned migrations.

use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, TransactionBehavior, params,
};

use super::rows::{BADGE_COLUMNS, RawBadge, decode_err, parse_time, visibility};
use super::{BodyDigests, Store, Write};
use crate::model::{
    BadgeId, BadgeRecord, BadgeState, Collection, CollectionId, KeptDocument, Visibility,
};
use crate::model::{sha256_hex, time_str};
use crate::{Error, Result};
use openbadges_model::{Identity, IdentityKind};

/// The database file's name inside a backpack directory ([`SqliteStore::open_dir`]).
pub const DB_FILE: &str = "backpack.sqlite";

/// The newest schema version this build writes (see `docs/backpack.md`).
pub const SCHEMA_VERSION: i64 = 3;

/// Migrations, in order; migration `n` (1-based) brings the schema from `n - 1` to `n`.
const MIGRATIONS: &[&str] = &[
    // 1: badges, identifiers, collections.
    "CREATE TABLE badges (
        id TEXT PRIMARY KEY NOT NULL,
        dedup_key TEXT NOT NULL UNIQUE,
        original BLOB NOT NULL,
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
    ) STRICT;
    CREATE TABLE identifiers (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (kind, value)
    ) STRICT;
    CREATE TABLE collections (
        id TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        visibility TEXT NOT NULL CHECK (visibility IN ('private', 'unlisted', 'public')),
        token TEXT,
        portfolio TEXT NOT NULL
    ) STRICT;
    CREATE TABLE collection_members (
        collection_id TEXT NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        badge_id TEXT NOT NULL REFERENCES badges(id),
        PRIMARY KEY (collection_id, position),
        UNIQUE (collection_id, badge_id)
    ) STRICT;",
    // 2: documents kept for offline verification, stored once per (URL, content) and linked to
    // the badges that needed them.
    "CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        media_type TEXT,
        fetched_at TEXT NOT NULL,
        body BLOB NOT NULL,
        UNIQUE (url, sha256)
    ) STRICT;
    CREATE TABLE badge_documents (
        badge_id TEXT NOT NULL REFERENCES badges(id),
        document_id INTEGER NOT NULL REFERENCES documents(id),
        PRIMARY KEY (badge_id, document_id)
    ) STRICT;
    CREATE INDEX badge_documents_by_document ON badge_documents (document_id);",
    // 3: the OB 3.0 API host's OAuth 2.0 grant records (clients, codes, tokens: hashed).
    "CREATE TABLE oauth_grants (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        family TEXT,
        value TEXT NOT NULL,
        expires_at INTEGER,
        PRIMARY KEY (kind, key)
    ) STRICT;
    CREATE INDEX oauth_grants_by_family ON oauth_grants (family);",
];

/// A backpack kept in one SQLite file (plus its `-wal`/`-shm` companions while open).
///
/// The file is created on first use; the schema is migrated forward on open (each migration in
/// its own transaction, the version recorded in `schema_version`). Journal mode is WAL with
/// `synchronous = FULL`: a commit that returned is on disk, and a process killed at any point
/// leaves the last committed state. A file that is not a backpack database gives
/// [`Error::Corrupted`], never a panic.
///
/// The store is `Send + Sync`: its one connection sits behind a mutex, so threads sharing a
/// store (`Arc<SqliteStore>`) take turns; several stores (or processes) on one file are
/// serialised by SQLite's write lock (each commit is an immediate transaction, waiting up to
/// 5 s for it). Every method blocks on file I/O: in async code, call it from
/// `tokio::task::spawn_blocking`.
///
/// Copying the write-ahead log into the database file (SQLite's checkpoint) is done by a
/// thread of the store with a connection of its own, after each commit, while the caller goes
/// on; the store's connection checkpoints itself only when the log has grown past 10,000
/// pages. A commit is durable when it returns either way (the log is synced); the thread is
/// joined when the store is dropped.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
    checkpoints: Option<Checkpointer>,
}

/// The store's checkpointing thread: woken after each commit, it runs a passive checkpoint on
/// its own connection (never waiting for the writer; what it could not copy is copied the
/// next time). Stopped and joined when the store is dropped.
#[derive(Debug)]
struct Checkpointer {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread on a connection of its own to `path` (`None` if either fails: the
    /// store's connection then checkpoints itself, as SQLite does by default).
    fn start(path: &Path) -> Option<Checkpointer> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .ok()?;
        conn.busy_timeout(BUSY_TIMEOUT).ok()?;
        conn.execute_batch("PRAGMA synchronous = FULL;").ok()?;
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("backpack-checkpoint".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    // Best effort: a checkpoint that fails or stops short is retried after
                    // the next commit.
                    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                }
            })
            .ok()?;
        Some(Checkpointer {
            wake: Some(wake),
            thread: Some(thread),
        })
    }

    /// Asks for a checkpoint (one already asked for and not begun covers this one too).
    fn poke(&self) {
        if let Some(wake) = &self.wake {
            let _ = wake.try_send(());
        }
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // The checkpointing connection closes first, so that the store's, closing last,
        // checkpoints what is left and removes the log, as it does on its own.
        if let Some(c) = &mut self.checkpoints {
            c.wake = None;
            if let Some(thread) = c.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

fn classify(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Error::Corrupted {
            path: path.display().to_string(),
            source: Box::new(e),
        },
        _ => Error::from(e),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the backpack database at `path` and migrates it.
    ///
    /// # Errors
    /// [`Error::Corrupted`] when the file is not a SQLite database or is damaged,
    /// [`Error::SchemaTooNew`] when a newer build wrote it, [`Error::Storage`] otherwise.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| classify(&path, e))?;
        let mut store = SqliteStore {
            conn: Mutex::new(conn),
            path,
            checkpoints: None,
        };
        store.init().map_err(|e| match e {
            Error::Storage { source, .. } if says_corrupted(&*source) => Error::Corrupted {
                path: store.path.display().to_string(),
                source,
            },
            other => other,
        })?;
        store.checkpoints = Checkpointer::start(&store.path);
        if store.checkpoints.is_some() {
            // The store's connection checkpoints only if the log has grown far past SQLite's
            // default (1,000 pages): when the thread falls behind, or for writes that do not
            // wake it (the OAuth grant records).
            store
                .conn()
                .execute_batch("PRAGMA wal_autocheckpoint = 10000;")
                .map_err(|e| classify(&store.path, e))?;
        }
        Ok(store)
    }

    /// Opens the backpack kept in directory `dir` (file `backpack.sqlite`), creating the
    /// directory and the file on first use. This is what the CLI's `--store DIR` names.
    ///
    /// # Errors
    /// As [`SqliteStore::open`]; [`Error::Storage`] if the directory cannot be created.
    pub fn open_dir(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::storage_in(format!("creating {}", dir.display()), e))?;
        SqliteStore::open(dir.join(DB_FILE))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection. A thread that panicked while holding it left no transaction open (a
    /// transaction rolls back when dropped), so a poisoned lock is still a usable connection.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn init(&self) -> Result<()> {
        let p = &self.path;
        let mut conn = self.conn();
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| classify(p, e))?;
        // Reading the journal mode touches the header: a garbage file fails here.
        set_wal(&conn).map_err(|e| classify(p, e))?;
        conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(|e| classify(p, e))?;
        // In a write transaction taken up front (waiting on the busy timeout): a statement that
        // reads, then writes, can be refused at once while another connection writes.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(p, e))?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL) STRICT;",
        )
        .map_err(|e| classify(p, e))?;
        tx.commit().map_err(|e| classify(p, e))?;
        let supported = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        let found = recorded_version(&conn).map_err(|e| classify(p, e))?;
        if found > supported {
            return Err(Error::SchemaTooNew { found, supported });
        }
        for (n, sql) in MIGRATIONS.iter().enumerate() {
            let version = i64::try_from(n).unwrap_or(i64::MAX).saturating_add(1);
            if version <= found {
                continue;
            }
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| classify(p, e))?;
            // Read again under the write lock: another process may have migrated meanwhile.
            if recorded_version(&tx).map_err(|e| classify(p, e))? >= version {
                continue;
            }
            tx.execute_batch(sql).map_err(|e| classify(p, e))?;
            tx.execute("DELETE FROM schema_version", [])
                .map_err(|e| classify(p, e))?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES (?1)",
                [version],
            )
            .map_err(|e| classify(p, e))?;
            tx.commit().map_err(|e| classify(p, e))?;
        }
        Ok(())
    }

    /// The schema version recorded in the file.
    ///
    /// # Errors
    /// [`Error::Storage`].
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn()
            .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?)
    }

    /// Runs SQLite's own integrity check, checks every original and kept document against its
    /// stored SHA-256, plus [`Store::check`]; returns the problems found.
    ///
    /// # Errors
    /// [`Error::Storage`] / [`Error::Corrupted`].
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let conn = self.conn();
        let mut stmt = conn
            .prepare("PRAGMA integrity_check")
            .map_err(|e| classify(&self.path, e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| classify(&self.path, e))?;
        for r in rows {
            let r = r.map_err(|e| classify(&self.path, e))?;
            if r != "ok" {
                problems.push(r);
            }
        }
        // Each stored body against the SHA-256 stored with it.
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
            let mut stmt = conn.prepare(query)?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for r in rows {
                let (key, body, sha) = r?;
                if sha256_hex(&body) != sha {
                    problems.push(format!(
                        "{table} {key}: stored bytes do not match their SHA-256"
                    ));
                }
            }
        }
        drop(stmt);
        drop(conn);
        problems.extend(self.check()?);
        Ok(problems)
    }
}

/// How long a connection waits for another one's lock (SQLite's busy timeout).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Switches the database to WAL. The switch takes an exclusive lock, and while another
/// connection is switching the same new file SQLite answers "busy" at once, without waiting on
/// the busy timeout: tried again every 10 ms for up to [`BUSY_TIMEOUT`].
fn set_wal(conn: &Connection) -> rusqlite::Result<String> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(e)
                if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                    && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// The version recorded in `schema_version` (0 when none).
fn recorded_version(conn: &Connection) -> rusqlite::Result<i64> {
    let found: Option<i64> =
        conn.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))?;
    Ok(found.unwrap_or(0))
}

/// Whether a database error's message says the file is not a database or is damaged.
fn says_corrupted(e: &(dyn std::error::Error + Send + Sync)) -> bool {
    let m = e.to_string();
    m.contains("not a database") || m.contains("malformed")
}

fn raw_badge(r: &Row<'_>) -> rusqlite::Result<RawBadge> {
    Ok(RawBadge {
        id: r.get(0)?,
        dedup_key: r.get(1)?,
        original: r.get(2)?,
        document: r.get(3)?,
        source_kind: r.get(4)?,
        source_location: r.get(5)?,
        source_within: r.get(6)?,
        input_kind: r.get(7)?,
        version: r.get(8)?,
        class: r.get(9)?,
        recipient: r.get(10)?,
        state: r.get(11)?,
        imported_at: r.get(12)?,
        valid_from: r.get(13)?,
        verification_status: r.get(14)?,
        verification_report: r.get(15)?,
        verified_at: r.get(16)?,
    })
}

/// The statement that stores a badge (prepared once per connection: `prepare_cached`).
static PUT_BADGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT OR REPLACE INTO badges ({BADGE_COLUMNS}, original_sha256) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
    )
});

/// The statement that reads one badge (prepared once per connection: `prepare_cached`).
static GET_BADGE: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {BADGE_COLUMNS} FROM badges WHERE id = ?1"));

/// The columns of a badge row that are computed from the record, not copied: its document and
/// recipient as JSON text and its original's SHA-256. Pure work, so a large commit prepares them
/// on several threads ([`SqliteStore::commit`]) while the statements run on the connection's.
struct BadgeText {
    document: String,
    recipient: String,
    original_sha256: String,
}

impl BadgeText {
    fn of(b: &BadgeRecord) -> Result<Self> {
        Ok(BadgeText {
            document: b.document.to_string(),
            recipient: serde_json::to_string(&b.recipient)
                .map_err(|e| Error::storage_in("encoding recipient", e))?,
            original_sha256: sha256_hex(&b.original),
        })
    }
}

fn put_badge(tx: &rusqlite::Transaction<'_>, b: &BadgeRecord, text: BadgeText) -> Result<()> {
    tx.prepare_cached(&PUT_BADGE)?.execute(params![
        b.id.as_str(),
        b.dedup_key.as_str(),
        b.original,
        text.document,
        b.source.kind.as_str(),
        b.source.location,
        b.source.within,
        b.input_kind.as_str(),
        b.version.as_str(),
        b.class,
        text.recipient,
        b.state.as_str(),
        time_str(&b.imported_at),
        b.valid_from.as_ref().map(time_str),
        b.verification.status.as_str(),
        b.verification.report,
        time_str(&b.verification.checked_at),
        text.original_sha256,
    ])?;
    Ok(())
}

/// [`Error::NotFound`] unless badge `id` is stored.
fn require_badge(tx: &rusqlite::Transaction<'_>, id: &BadgeId) -> Result<()> {
    let exists: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM badges WHERE id = ?1")?
        .query_row([id.as_str()], |r| r.get(0))
        .optional()?;
    match exists {
        Some(_) => Ok(()),
        None => Err(Error::NotFound {
            what: "badge",
            id: id.to_string(),
        }),
    }
}

fn put_collection(tx: &rusqlite::Transaction<'_>, c: &Collection) -> Result<()> {
    let token = match &c.visibility {
        Visibility::Unlisted { token } => Some(token.as_str()),
        _ => None,
    };
    tx.execute(
        "INSERT INTO collections (id, name, description, visibility, token, portfolio)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description,
           visibility = excluded.visibility, token = excluded.token, portfolio = excluded.portfolio",
        params![
            c.id.as_str(),
            c.name,
            c.description,
            c.visibility.as_str(),
            token,
            c.portfolio
        ],
    )?;
    tx.execute(
        "DELETE FROM collection_members WHERE collection_id = ?1",
        [c.id.as_str()],
    )?;
    for (pos, m) in c.members.iter().enumerate() {
        require_badge(tx, m)?;
        let pos = i64::try_from(pos).map_err(Error::storage)?;
        tx.execute(
            "INSERT INTO collection_members (collection_id, position, badge_id) VALUES (?1, ?2, ?3)",
            params![c.id.as_str(), pos, m.as_str()],
        )
        .map_err(|e| match e.sqlite_error_code() {
            Some(ErrorCode::ConstraintViolation) => Error::InvalidArgument(format!(
                "badge {m} appears twice in collection {}",
                c.id
            )),
            _ => Error::from(e),
        })?;
    }
    Ok(())
}

/// What one commit has learnt of its transaction, so as not to ask SQLite again: each kept
/// body's SHA-256, the id of each document row by its unique key (URL, SHA-256), and the badges
/// known to be stored. Rows of `documents` and `badges` are never deleted, so an answer stays
/// true until the commit ends; bounded by the commit's writes.
#[derive(Default)]
struct Known {
    digests: BodyDigests,
    documents: std::collections::HashMap<(String, String), i64>,
    badges: std::collections::HashSet<BadgeId>,
}

/// Applies one write; `text` is a [`Write::PutBadge`]'s prepared columns (computed here if
/// `None`).
fn apply(
    tx: &rusqlite::Transaction<'_>,
    w: &Write,
    text: Option<Result<BadgeText>>,
    known: &mut Known,
) -> Result<()> {
    match w {
        Write::PutBadge(b) => {
            put_badge(tx, b, text.unwrap_or_else(|| BadgeText::of(b))?)?;
            known.badges.insert(b.id.clone());
        }
        Write::SetBadgeState(id, state) => {
            let n = tx.execute(
                "UPDATE badges SET state = ?2 WHERE id = ?1",
                params![id.as_str(), state.as_str()],
            )?;
            if n == 0 {
                return Err(Error::NotFound {
                    what: "badge",
                    id: id.to_string(),
                });
            }
            if *state == BadgeState::Rejected {
                // Remove it from collections and close the gaps in positions.
                let affected: Vec<String> = {
                    let mut stmt = tx.prepare(
                        "SELECT DISTINCT collection_id FROM collection_members WHERE badge_id = ?1",
                    )?;
                    let rows = stmt.query_map([id.as_str()], |r| r.get(0))?;
                    rows.collect::<rusqlite::Result<_>>()?
                };
                tx.execute(
                    "DELETE FROM collection_members WHERE badge_id = ?1",
                    [id.as_str()],
                )?;
                for cid in affected {
                    renumber(tx, &cid)?;
                }
            }
        }
        Write::PutCollection(c) => put_collection(tx, c)?,
        Write::DeleteCollection(id) => {
            tx.execute(
                "DELETE FROM collection_members WHERE collection_id = ?1",
                [id.as_str()],
            )?;
            let n = tx.execute("DELETE FROM collections WHERE id = ?1", [id.as_str()])?;
            if n == 0 {
                return Err(Error::NotFound {
                    what: "collection",
                    id: id.to_string(),
                });
            }
        }
        Write::AddIdentifier(i) => {
            tx.execute(
                "INSERT OR IGNORE INTO identifiers (kind, value) VALUES (?1, ?2)",
                params![i.kind.as_str(), i.value],
            )?;
        }
        Write::RemoveIdentifier(i) => {
            tx.execute(
                "DELETE FROM identifiers WHERE kind = ?1 AND value = ?2",
                params![i.kind.as_str(), i.value],
            )?;
        }
        Write::PutDocuments(id, docs) => put_documents(tx, id, docs, known)?,
    }
    Ok(())
}

fn put_documents(
    tx: &rusqlite::Transaction<'_>,
    id: &BadgeId,
    docs: &[KeptDocument],
    known: &mut Known,
) -> Result<()> {
    if !known.badges.contains(id) {
        require_badge(tx, id)?;
        known.badges.insert(id.clone());
    }
    tx.prepare_cached("DELETE FROM badge_documents WHERE badge_id = ?1")?
        .execute([id.as_str()])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO documents (url, sha256, media_type, fetched_at, body)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut find = tx.prepare_cached("SELECT id FROM documents WHERE url = ?1 AND sha256 = ?2")?;
    let mut link = tx.prepare_cached(
        "INSERT OR IGNORE INTO badge_documents (badge_id, document_id) VALUES (?1, ?2)",
    )?;
    for d in docs {
        let key = (d.url.clone(), known.digests.sha256(&d.body));
        let (url, sha) = &key;
        // Most documents are kept already (shared by many badges): looked up first (in what
        // this commit has seen, then in the table), so their body is bound and inserted only
        // when new.
        let found: Option<i64> = match known.documents.get(&key) {
            Some(doc_id) => Some(*doc_id),
            None => find.query_row(params![url, sha], |r| r.get(0)).optional()?,
        };
        let doc_id = match found {
            Some(doc_id) => doc_id,
            None => {
                insert.execute(params![
                    d.url,
                    sha,
                    d.media_type,
                    time_str(&d.fetched_at),
                    &*d.body
                ])?;
                find.query_row(params![d.url, sha], |r| r.get(0))?
            }
        };
        link.execute(params![id.as_str(), doc_id])?;
        known.documents.insert(key, doc_id);
    }
    Ok(())
}

fn renumber(tx: &rusqlite::Transaction<'_>, cid: &str) -> Result<()> {
    let members: Vec<String> = {
        let mut stmt = tx.prepare(
            "SELECT badge_id FROM collection_members WHERE collection_id = ?1 ORDER BY position",
        )?;
        let rows = stmt.query_map([cid], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    tx.execute(
        "DELETE FROM collection_members WHERE collection_id = ?1",
        [cid],
    )?;
    for (pos, m) in members.iter().enumerate() {
        let pos = i64::try_from(pos).map_err(Error::storage)?;
        tx.execute(
            "INSERT INTO collection_members (collection_id, position, badge_id) VALUES (?1, ?2, ?3)",
            params![cid, pos, m],
        )?;
    }
    Ok(())
}

/// A commit with at least this many badges prepares their rows on every core.
const PARALLEL_COMMIT_MIN: usize = 16;

/// Writes prepared (on other threads) while the previous ones are applied.
const COMMIT_CHUNK: usize = 128;

/// Each write's prepared badge columns (`None` for other writes), computed on up to `threads`
/// threads while `meanwhile` runs here.
fn prepare_texts(
    writes: &[Write],
    threads: usize,
    meanwhile: &mut dyn FnMut(),
) -> Vec<Option<Result<BadgeText>>> {
    crate::parallel::map_in_order(
        writes,
        threads,
        |w| match w {
            Write::PutBadge(b) => Some(BadgeText::of(b)),
            _ => None,
        },
        meanwhile,
    )
}

impl Store for SqliteStore {
    fn badge(&self, id: &BadgeId) -> Result<Option<BadgeRecord>> {
        let conn = self.conn();
        let raw = conn
            .prepare_cached(&GET_BADGE)
            .and_then(|mut stmt| stmt.query_row([id.as_str()], raw_badge).optional())
            .map_err(|e| classify(&self.path, e))?;
        raw.map(RawBadge::decode).transpose()
    }

    fn badges_by_id(&self, ids: &[BadgeId]) -> Result<Vec<Option<BadgeRecord>>> {
        let p = &self.path;
        let mut conn = self.conn();
        // One read transaction (deferred: a snapshot from the first read on), so the lookups
        // share one set of file locks instead of taking and releasing them per badge.
        let tx = conn.transaction().map_err(|e| classify(p, e))?;
        let mut out = Vec::with_capacity(ids.len());
        {
            let mut stmt = tx.prepare_cached(&GET_BADGE).map_err(|e| classify(p, e))?;
            for id in ids {
                let raw = stmt
                    .query_row([id.as_str()], raw_badge)
                    .optional()
                    .map_err(|e| classify(p, e))?;
                out.push(raw.map(RawBadge::decode).transpose()?);
            }
        }
        tx.commit().map_err(|e| classify(p, e))?;
        Ok(out)
    }

    fn badges(&self) -> Result<Vec<BadgeRecord>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("SELECT {BADGE_COLUMNS} FROM badges ORDER BY id"))
            .map_err(|e| classify(&self.path, e))?;
        let rows = stmt
            .query_map([], raw_badge)
            .map_err(|e| classify(&self.path, e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(r.map_err(|e| classify(&self.path, e))?.decode()?);
        }
        Ok(out)
    }

    fn badge_ids(&self) -> Result<Vec<BadgeId>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare("SELECT id FROM badges ORDER BY id")
            .map_err(|e| classify(&self.path, e))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| classify(&self.path, e))?;
        let mut out = Vec::new();
        for r in rows {
            out.push(BadgeId::parse(&r.map_err(|e| classify(&self.path, e))?)?);
        }
        Ok(out)
    }

    fn badge_documents(&self, id: &BadgeId) -> Result<Vec<KeptDocument>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT d.url, d.media_type, d.fetched_at, d.body FROM badge_documents l
                 JOIN documents d ON d.id = l.document_id
                 WHERE l.badge_id = ?1 ORDER BY d.url, d.sha256",
            )
            .map_err(|e| classify(&self.path, e))?;
        let rows = stmt
            .query_map([id.as_str()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                ))
            })
            .map_err(|e| classify(&self.path, e))?;
        let mut out = Vec::new();
        for r in rows {
            let (url, media_type, fetched_at, body) = r.map_err(|e| classify(&self.path, e))?;
            out.push(KeptDocument {
                fetched_at: parse_time(id.as_str(), &fetched_at)?,
                url,
                media_type,
                body: body.into(),
            });
        }
        Ok(out)
    }

    fn collections(&self) -> Result<Vec<Collection>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT id, name, description, visibility, token, portfolio FROM collections ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut members_stmt = conn.prepare(
            "SELECT badge_id FROM collection_members WHERE collection_id = ?1 ORDER BY position",
        )?;
        let mut out = Vec::new();
        for r in rows {
            let (id, name, description, vis, token, portfolio) = r?;
            let visibility = visibility(&id, &vis, token)?;
            let members = members_stmt
                .query_map([id.as_str()], |r| r.get::<_, String>(0))?
                .map(|m| m.map_err(Error::from).and_then(|m| BadgeId::parse(&m)))
                .collect::<Result<Vec<_>>>()?;
            out.push(Collection {
                id: CollectionId::parse(&id)?,
                name,
                description,
                members,
                visibility,
                portfolio,
            });
        }
        Ok(out)
    }

    fn identifiers(&self) -> Result<Vec<Identity>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT kind, value FROM identifiers ORDER BY kind, value")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for r in rows {
            let (kind, value) = r?;
            let kind = IdentityKind::parse(&kind)
                .ok_or_else(|| decode_err(&value, "unknown identifier kind"))?;
            out.push(Identity::new(kind, value));
        }
        out.sort();
        Ok(out)
    }

    fn commit(&self, writes: Vec<Write>) -> Result<()> {
        let p = &self.path;
        let mut conn = self.conn();
        // IMMEDIATE: take the write lock up front (waiting on busy_timeout), so a concurrent
        // writer never makes this transaction fail half-way with SQLITE_BUSY.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| classify(p, e))?;
        // Each write dropped once applied: a large batch's records and documents are not all
        // held until the commit.
        // The kept documents' bodies shared by many badges of the batch are hashed once.
        let mut known = Known::default();
        // A large batch goes in chunks: while the statements of one chunk run here, the next
        // chunk's badges are rendered and hashed on the other cores (`BadgeText`), in order.
        let puts = writes
            .iter()
            .filter(|w| matches!(w, Write::PutBadge(_)))
            .count();
        let threads = if puts >= PARALLEL_COMMIT_MIN {
            crate::parallel::cores()
        } else {
            1
        };
        let mut writes = writes.into_iter();
        std::thread::scope(|s| -> Result<()> {
            // The applied writes are freed on another thread too (a batch's records are many
            // small allocations), while the next chunk's statements run here.
            let (spent, freeing) = std::sync::mpsc::channel::<Vec<Write>>();
            if threads > 1 {
                s.spawn(move || freeing.into_iter().for_each(drop));
            } else {
                // No receiver: each chunk is dropped where it is sent, as soon as applied.
                drop(freeing);
            }
            let mut chunk: Vec<Write> = writes.by_ref().take(COMMIT_CHUNK).collect();
            let mut texts = prepare_texts(&chunk, threads, &mut || {});
            while !chunk.is_empty() {
                let next: Vec<Write> = writes.by_ref().take(COMMIT_CHUNK).collect();
                let mut applied = Ok(());
                let next_texts = prepare_texts(&next, threads, &mut || {
                    applied = chunk
                        .iter()
                        .zip(std::mem::take(&mut texts))
                        .try_for_each(|(w, text)| apply(&tx, w, text, &mut known));
                });
                applied?;
                // Without a freeing thread (or if it is gone) the send fails and the chunk is
                // dropped here.
                let _ = spent.send(std::mem::replace(&mut chunk, next));
                texts = next_texts;
            }
            Ok(())
        })?;
        tx.commit().map_err(|e| classify(p, e))?;
        if let Some(c) = &self.checkpoints {
            c.poke();
        }
        Ok(())
    }

    fn integrity_check(&self) -> Result<Vec<String>> {
        SqliteStore::integrity_check(self)
    }

    fn grant_put(&self, row: &super::GrantRow) -> Result<()> {
        self.conn()
            .execute(
                "INSERT OR REPLACE INTO oauth_grants (kind, key, family, value, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![row.kind, row.key, row.family, row.value, row.expires_at],
            )
            .map_err(|e| classify(&self.path, e))?;
        Ok(())
    }

    fn grant_get(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
        self.conn()
            .query_row(
                "SELECT value FROM oauth_grants WHERE kind = ?1 AND key = ?2 \
                 AND (expires_at IS NULL OR expires_at > ?3)",
                params![kind, key, now],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| classify(&self.path, e))
    }

    fn grant_take(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
        // One statement: SQLite's write lock makes it atomic across connections and processes.
        let taken: Option<(String, Option<i64>)> = self
            .conn()
            .query_row(
                "DELETE FROM oauth_grants WHERE kind = ?1 AND key = ?2 \
                 RETURNING value, expires_at",
                params![kind, key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| classify(&self.path, e))?;
        Ok(taken
            .filter(|(_, e)| e.is_none_or(|e| e > now))
            .map(|(v, _)| v))
    }

    fn grant_revoke_family(&self, family: &str, now: i64) -> Result<usize> {
        let conn = self.conn();
        let n = conn
            .execute(
                "DELETE FROM oauth_grants WHERE family = ?1",
                params![family],
            )
            .map_err(|e| classify(&self.path, e))?;
        conn.execute(
            "DELETE FROM oauth_grants WHERE expires_at IS NOT NULL AND expires_at <= ?1",
            params![now],
        )
        .map_err(|e| classify(&self.path, e))?;
        Ok(n)
    }
}
