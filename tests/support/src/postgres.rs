//! Throwaway PostgreSQL databases on the test server.
//!
//! The server is named by `OPENBADGES_TEST_POSTGRES_URL` (`.ci/run` starts one with
//! `.ci/lib/postgres.sh`; so can a developer: `source .ci/lib/postgres.sh; pg_start`).
//! [`database`] creates a fresh database with a unique name for one test and drops it when the
//! [`TestDatabase`] is dropped, so tests never share tables. Outside CI an unset variable skips
//! the test (`None`, with a note on stderr); in CI it panics, as does an unreachable server.
//!
//! The administrative statements run on a plain thread of their own: the `postgres` client owns
//! a private tokio runtime, which must not be started or dropped on an async worker thread, so
//! the helpers are safe to call from `#[tokio::test]` too.
//!
//! ```no_run
//! let Some(db) = openbadges_test_support::postgres::database("example") else { return };
//! let url = db.url(); // postgres://postgres@127.0.0.1:55432/ob_example_…
//! # let _ = url;
//! ```

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The environment variable naming the test server (any database on it, usually `postgres`).
pub const ENV: &str = "OPENBADGES_TEST_POSTGRES_URL";

/// A database created for one test, dropped (with its connections) when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// The database's `postgres://` URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        if let Err(e) = admin(&self.admin_url, &sql) {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// A fresh, empty database named after `label`; `None` when no server is configured outside CI.
///
/// # Panics
/// In CI when [`ENV`] is unset, and whenever the server cannot create the database.
pub fn database(label: &str) -> Option<TestDatabase> {
    let admin_url = match std::env::var(ENV) {
        Ok(u) if !u.trim().is_empty() => u,
        _ if crate::in_ci() => panic!("{ENV} is not set: PostgreSQL tests must run in CI"),
        _ => {
            eprintln!(
                "skipped: {ENV} is not set (start one with `source .ci/lib/postgres.sh; pg_start`)"
            );
            return None;
        }
    };
    let name = unique_name(label);
    admin(&admin_url, &format!("CREATE DATABASE \"{name}\""))
        .unwrap_or_else(|e| panic!("cannot create test database {name} on {admin_url}: {e}"));
    let url = with_database(&admin_url, &name);
    Some(TestDatabase {
        admin_url,
        name,
        url,
    })
}

/// `ob_<label>_<pid>_<n>_<time>`: lowercase ASCII, at most 63 bytes (PostgreSQL's limit).
fn unique_name(label: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(24)
        .collect();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("ob_{label}_{}_{n}_{nanos}", std::process::id())
}

/// `url` with its database (path) replaced by `name`, query kept.
fn with_database(url: &str, name: &str) -> String {
    let mut u = url::Url::parse(url).unwrap_or_else(|e| panic!("{ENV}={url:?} is not a URL: {e}"));
    u.set_path(&format!("/{name}"));
    u.to_string()
}

/// Runs one statement on the server's admin database, on a thread of its own.
fn admin(url: &str, sql: &str) -> Result<(), String> {
    let (url, sql) = (url.to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let mut client =
            postgres::Client::connect(&url, postgres::NoTls).map_err(|e| e.to_string())?;
        client.batch_execute(&sql).map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "the PostgreSQL admin thread panicked".to_owned())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_valid_identifiers() {
        let a = unique_name("Issuer store: two instances!");
        let b = unique_name("Issuer store: two instances!");
        assert_ne!(a, b);
        assert!(a.len() <= 63, "{a}");
        assert!(
            a.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        );
    }

    #[test]
    fn the_database_replaces_the_path_and_keeps_the_rest() {
        assert_eq!(
            with_database(
                "postgres://u@127.0.0.1:5432/postgres?sslmode=disable",
                "ob_x"
            ),
            "postgres://u@127.0.0.1:5432/ob_x?sslmode=disable"
        );
    }

    #[test]
    fn a_database_is_created_usable_and_dropped() {
        let Some(db) = database("support smoke") else {
            return;
        };
        let (url, name) = (db.url().to_owned(), db.name().to_owned());
        let n: i32 = std::thread::spawn(move || {
            let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
            c.batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (41)")
                .unwrap();
            c.query_one("SELECT x + 1 FROM t", &[]).unwrap().get(0)
        })
        .join()
        .unwrap();
        assert_eq!(n, 42);
        let admin_url = db.admin_url.clone();
        drop(db);
        let left: i64 = std::thread::spawn(move || {
            let mut c = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
            c.query_one(
                "SELECT count(*) FROM pg_database WHERE datname = $1",
                &[&name],
            )
            .unwrap()
            .get(0)
        })
        .join()
        .unwrap();
        assert_eq!(left, 0, "the database is dropped with its TestDatabase");
    }
}
