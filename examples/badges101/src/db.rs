//! The app's own tables, in the issuer's database (prefix `b101_`), written through the
//! store's transactions ([`IssuerStore::transaction`] and the issuance hook) with SQL that runs
//! on SQLite and PostgreSQL alike: `$N` placeholders, `TEXT` and `BIGINT` columns, no
//! backend-specific syntax.
//!
//! - `b101_attempts`: one row per learner's attempt, by its secret token. `version` makes every
//!   update a compare-and-set (two instances answering for one attempt never lose an answer);
//!   `badge_uuid` is set once, in the issuance's own transaction. A row without a badge older
//!   than the attempt lifetime (`created_at`) is deleted, when read or by a periodic sweep.
//! - `b101_settings`: the public base URL the instances serve under (what `revoke` rewrites the
//!   status lists with when it is given none).
//! - `b101_pushes`: the "Send to backpack" queue and each push's outcome, one row per badge,
//!   written in the issuance's transaction. A pusher claims a row with a lease
//!   (`lease_owner`, `lease_until`), so two instances never push one badge at once, and a push
//!   cut short by a crash is taken again once its lease ends.

use std::time::Duration;

use openbadges::store::{IssuerStore, SqlValue, StoreError};

use crate::AppError;

/// The app's tables. Each statement is idempotent (`IF NOT EXISTS`).
const SCHEMA: [&str; 5] = [
    "CREATE TABLE IF NOT EXISTS b101_attempts (
        token TEXT PRIMARY KEY,
        public_id TEXT NOT NULL UNIQUE,
        attempt TEXT NOT NULL,
        record TEXT,
        badge_uuid TEXT UNIQUE,
        email TEXT,
        version BIGINT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS b101_pushes (
        badge_uuid TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        credential TEXT NOT NULL,
        state TEXT NOT NULL,
        http_status BIGINT,
        posts BIGINT NOT NULL,
        failure TEXT,
        lease_owner TEXT,
        lease_until BIGINT NOT NULL,
        queued_at BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS b101_pushes_queued ON b101_pushes (state, lease_until)",
    "CREATE TABLE IF NOT EXISTS b101_settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // Expired attempts are found by age (see `App::delete_expired_attempts`).
    "CREATE INDEX IF NOT EXISTS b101_attempts_created ON b101_attempts (created_at)",
];

/// The `b101_settings` entry holding the public base URL the instances serve under.
pub(crate) const BASE_URL: &str = "base_url";

/// Creates the app's tables when missing. Two processes starting at once on an empty
/// PostgreSQL database may collide on the catalog (`CREATE TABLE IF NOT EXISTS` is not atomic
/// there): the loser retries, and then finds the tables.
///
/// # Errors
/// [`AppError`] when the database keeps refusing.
pub(crate) fn migrate(store: &dyn IssuerStore) -> Result<(), AppError> {
    let mut last = None;
    for round in 0..5u64 {
        let r = store.transaction(&mut |tx| {
            for sql in SCHEMA {
                tx.execute(sql, &[])?;
            }
            Ok(())
        });
        match r {
            Ok(()) => return Ok(()),
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(50 * (round + 1)));
    }
    Err(AppError::new(format!(
        "creating the app's tables: {}",
        last.map_or_else(String::new, |e| e.to_string())
    )))
}

/// The setting `name`, if recorded.
///
/// # Errors
/// A database error.
pub(crate) fn setting(store: &dyn IssuerStore, name: &str) -> Result<Option<String>, StoreError> {
    with_tx(store, |tx| {
        tx.query(
            "SELECT value FROM b101_settings WHERE name = $1",
            &[name.into()],
        )?
        .first()
        .map_or(Ok(None), |r| text(r, 0))
    })
}

/// Records the setting `name` (replacing any).
///
/// # Errors
/// A database error.
pub(crate) fn set_setting(
    store: &dyn IssuerStore,
    name: &str,
    value: &str,
) -> Result<(), StoreError> {
    with_tx(store, |tx| {
        tx.execute(
            "INSERT INTO b101_settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            &[name.into(), value.into()],
        )
    })?;
    Ok(())
}

/// Runs `f` in one transaction and returns what it produced (the facade's one definition).
pub(crate) use openbadges::store::in_transaction as with_tx;

/// Column `i` of `row` as text (`None` for `NULL`).
pub(crate) fn text(row: &[SqlValue], i: usize) -> Result<Option<String>, StoreError> {
    match row.get(i) {
        Some(SqlValue::Text(s)) => Ok(Some(s.clone())),
        Some(SqlValue::Null) => Ok(None),
        other => Err(StoreError::Corrupt(format!(
            "column {i}: expected text, found {other:?}"
        ))),
    }
}

/// Column `i` of `row` as text that must be there.
pub(crate) fn required_text(row: &[SqlValue], i: usize) -> Result<String, StoreError> {
    text(row, i)?.ok_or_else(|| StoreError::Corrupt(format!("column {i} is NULL")))
}

/// Column `i` of `row` as an integer (`None` for `NULL`).
pub(crate) fn integer(row: &[SqlValue], i: usize) -> Result<Option<i64>, StoreError> {
    match row.get(i) {
        Some(SqlValue::Integer(n)) => Ok(Some(*n)),
        Some(SqlValue::Null) => Ok(None),
        other => Err(StoreError::Corrupt(format!(
            "column {i}: expected an integer, found {other:?}"
        ))),
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
