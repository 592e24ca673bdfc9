//! Unit tests of the stores: errors keep their causes.

#![allow(clippy::unwrap_used)]

use std::error::Error as _;

use super::SqliteStore;
use crate::Error;

/// A fresh directory under the system temp dir.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "openbadges-backpack-store-unit-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether `rusqlite::Error` is somewhere in the `source()` chain of `e`.
fn reaches_rusqlite(e: &Error) -> bool {
    std::iter::successors(e.source(), |c| (*c).source())
        .any(|c| c.downcast_ref::<rusqlite::Error>().is_some())
}

#[test]
fn an_sqlite_failure_keeps_the_rusqlite_error_as_its_source() {
    // A directory is no database file: SQLite cannot open it.
    let dir = temp_dir("isdir");
    let err = SqliteStore::open(&dir).unwrap_err();
    assert!(reaches_rusqlite(&err), "{err:?}");
    // The message is unchanged: the kind, then SQLite's own words.
    let cause = std::iter::successors(err.source(), |c| (*c).source())
        .find_map(|c| c.downcast_ref::<rusqlite::Error>())
        .unwrap();
    assert!(err.to_string().ends_with(&cause.to_string()), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_corrupted_database_keeps_the_rusqlite_error_as_its_source() {
    let dir = temp_dir("garbage");
    let path = dir.join("backpack.sqlite");
    let garbage: Vec<u8> = (0..16384u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(err.to_string().contains("corrupted"), "{err}");
    assert!(reaches_rusqlite(&err), "{err:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_that_cannot_be_created_keeps_the_io_error_as_its_source() {
    let dir = temp_dir("notadir");
    let file = dir.join("file");
    std::fs::write(&file, b"x").unwrap();
    let err = SqliteStore::open_dir(file.join("sub")).unwrap_err();
    assert!(
        err.to_string().starts_with("storage error: creating "),
        "{err}"
    );
    assert!(
        err.source()
            .is_some_and(|c| c.downcast_ref::<std::io::Error>().is_some()),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn body_digests_are_per_allocation_and_never_answer_for_other_bytes() {
    use std::sync::Arc;
    let mut digests = super::BodyDigests::default();
    // Same length, other bytes: a key on the length (or any coarser key) would mix them up.
    let a: Arc<[u8]> = Arc::from(&b"first body"[..]);
    let b: Arc<[u8]> = Arc::from(&b"other body"[..]);
    let a_again = Arc::clone(&a);
    let a_copy: Arc<[u8]> = Arc::from(&b"first body"[..]);
    for _ in 0..2 {
        assert_eq!(digests.sha256(&a), crate::model::sha256_hex(b"first body"));
        assert_eq!(digests.sha256(&b), crate::model::sha256_hex(b"other body"));
        assert_eq!(
            digests.sha256(&a_again),
            crate::model::sha256_hex(b"first body")
        );
        assert_eq!(
            digests.sha256(&a_copy),
            crate::model::sha256_hex(b"first body")
        );
    }
    // Empty bodies (which may share a dangling pointer) hash as empty.
    let e: Arc<[u8]> = Arc::from(&b""[..]);
    assert_eq!(digests.sha256(&e), crate::model::sha256_hex(b""));
}
