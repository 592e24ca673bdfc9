//! Storage: SQLite on disk (creation, migrations, persistence, corruption, a process killed
//! mid-import) and the in-memory store behaving the same.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use openbadges_test_support::fixtures::TempDir;

use std::time::{Duration, Instant};

use common::*;
use openbadges_backpack::{
    Backpack, BadgeState, Collection, Error, ImportResult, MemoryStore, SqliteStore, Store,
    Visibility, Write,
};
use openbadges_model::{Identity, IdentityKind};
use openbadges_proof::report::Status;
use serde_json::json;

#[test]
fn sqlite_file_is_created_on_first_use_and_persists() {
    let dir = TempDir::new("persist");
    let path = dir.join("sub").join("backpack.sqlite");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    assert!(!path.exists());
    let f = "backpack/clr20/simple.json";
    let (badges, collections) = {
        let store = SqliteStore::open(&path).unwrap();
        assert!(path.exists());
        assert_eq!(
            store.schema_version().unwrap(),
            openbadges_backpack::store::SCHEMA_VERSION
        );
        let mut bp = backpack(store, FixedVerifier(Status::Valid));
        assert_eq!(bp.import(&fixture(f), file(f)).unwrap().counts(), (2, 0, 0));
        let ids: Vec<_> = bp.badges().unwrap().into_iter().map(|b| b.id).collect();
        let mut c = Collection::new("Transcripts").unwrap();
        c.members = ids.iter().rev().cloned().collect();
        c.visibility = Visibility::new_unlisted().unwrap();
        c.portfolio = "What I learned.".into();
        bp.put_collection(c).unwrap();
        (
            bp.store().badges().unwrap(),
            bp.store().collections().unwrap(),
        )
    };
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.badges().unwrap(), badges);
    assert_eq!(store.collections().unwrap(), collections);
    assert_eq!(store.identifiers().unwrap().len(), owner().len());
    assert!(store.integrity_check().unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_garbage_database_file_is_a_typed_error_not_a_panic() {
    let dir = TempDir::new("garbage");
    let path = dir.join("backpack.sqlite");
    let garbage: Vec<u8> = (0..16384u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, Error::Corrupted { .. }), "{err:?}");
    assert!(err.to_string().contains("corrupted"), "{err}");
    // The file was not touched.
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_database_never_panics() {
    let dir = TempDir::new("damaged");
    let path = dir.join("backpack.sqlite");
    {
        let mut bp = backpack(
            SqliteStore::open(&path).unwrap(),
            FixedVerifier(Status::Valid),
        );
        for seq in 0..3 {
            bp.import(clr(seq, 5).to_string().as_bytes(), file("gen.json"))
                .unwrap();
        }
    }
    // Checkpointed on close: the data is in the main file. Overwrite pages past the header.
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 8192, "{}", bytes.len());
    let half = bytes.len() / 2;
    for b in bytes.iter_mut().skip(4096).take(half) {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    match SqliteStore::open(&path) {
        Err(e) => assert!(
            matches!(e, Error::Corrupted { .. } | Error::Storage { .. }),
            "{e:?}"
        ),
        Ok(store) => {
            let listed = store.badges();
            let checked = store.integrity_check();
            assert!(
                listed.is_err() || checked.is_err() || !checked.unwrap().is_empty(),
                "damage went unnoticed"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Four connections opening one new file at the same moment all succeed: the switch to WAL is
/// retried while another connection makes it, and each migration is applied once (the version
/// is read again under the write lock).
#[test]
fn stores_opening_a_new_file_at_once_migrate_it_once() {
    // Ten new files: the race is in the first moments of a file's life.
    for round in 0..10 {
        let dir = TempDir::new("open-race");
        let path = dir.join(format!("backpack{round}.sqlite"));
        let start = std::sync::Barrier::new(4);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    start.wait();
                    let store = SqliteStore::open(&path).unwrap();
                    assert_eq!(
                        store.schema_version().unwrap(),
                        openbadges_backpack::store::SCHEMA_VERSION
                    );
                });
            }
        });
        let conn = rusqlite::Connection::open(&path).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let dir = TempDir::new("newer");
    let path = dir.join("backpack.sqlite");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute("UPDATE schema_version SET version = 99", [])
        .unwrap();
    drop(conn);
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(err, Error::SchemaTooNew { found: 99, .. }),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same script against both stores gives the same observable state.
fn exercise<S: Store>(store: S) -> (Vec<openbadges_backpack::BadgeRecord>, Vec<Collection>) {
    let mut bp = backpack(store, FixedVerifier(Status::Valid));
    bp.import(clr(1, 3).to_string().as_bytes(), file("a.json"))
        .unwrap();
    let ids: Vec<_> = bp.badges().unwrap().into_iter().map(|b| b.id).collect();
    assert_eq!(ids.len(), 4);
    let mut c = Collection::new("All").unwrap();
    c.members = ids.clone();
    bp.put_collection(c.clone()).unwrap();
    // Rejecting removes the badge from collections, keeping the order of the rest.
    bp.reject(&ids[1]).unwrap();
    let got = bp.store().collection(&c.id).unwrap().unwrap();
    assert_eq!(
        got.members,
        vec![ids[0].clone(), ids[2].clone(), ids[3].clone()]
    );
    // A rejected badge cannot join a collection; a missing one neither.
    let mut bad = c.clone();
    bad.members.push(ids[1].clone());
    assert!(matches!(
        bp.put_collection(bad),
        Err(Error::InvalidArgument(_))
    ));
    // A failing batch applies nothing.
    let before = bp.store().badges().unwrap();
    let mut other = Collection::new("Other").unwrap();
    other.members = vec![ids[0].clone(), ids[0].clone()];
    let r = {
        let store_badge = before[0].clone();
        let mut changed = store_badge.clone();
        changed.state = BadgeState::Rejected;
        (changed, other)
    };
    let store = bp.into_store();
    let err = store.commit(vec![
        Write::PutBadge(Box::new(r.0)),
        Write::PutCollection(r.1),
    ]);
    assert!(err.is_err());
    assert_eq!(store.badges().unwrap(), before);
    assert!(matches!(
        store.commit(vec![Write::DeleteCollection(
            openbadges_backpack::CollectionId::generate().unwrap()
        )]),
        Err(Error::NotFound { .. })
    ));
    let mut collections = store.collections().unwrap();
    for c in &mut collections {
        // Ids are random per run; compare the rest.
        c.id =
            openbadges_backpack::CollectionId::parse("c00000000000000000000000000000000").unwrap();
    }
    (store.badges().unwrap(), collections)
}

#[test]
fn memory_sqlite_and_postgres_stores_behave_the_same() {
    let dir = TempDir::new("same");
    let a = exercise(MemoryStore::new());
    let b = exercise(SqliteStore::open(dir.join("b.sqlite")).unwrap());
    assert_eq!(a, b);
    // On PostgreSQL (skipped only outside CI without a server), through `store::open`.
    if let Some(db) = openbadges_test_support::postgres::database("backpack same") {
        let c = exercise(openbadges_backpack::store::open(db.url()).unwrap());
        assert_eq!(a, c);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

const CHILD_ENV: &str = "OPENBADGES_BACKPACK_KILL_TEST_DB";
const MEMBERS: usize = 8;

/// Counts badges through a read-only connection (never writing while the child writes).
fn count_badges(path: &std::path::Path) -> usize {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT count(*) FROM badges", [], |r| r.get::<_, i64>(0))
        .map_or(0, |n| n as usize)
}

/// In the child: import CLRs in a loop until killed.
fn child_loop(path: &str) -> ! {
    let store = SqliteStore::open(path).unwrap();
    let mut bp = Backpack::new(store, FixedVerifier(Status::Valid));
    for i in owner() {
        bp.add_identifier(i).unwrap();
    }
    // Each child run imports CLRs of its own (numbered from its process id).
    let base = std::process::id() as usize * 1_000_000;
    for seq in base.. {
        let r = bp
            .import(clr(seq, MEMBERS).to_string().as_bytes(), file("loop.json"))
            .unwrap();
        assert_eq!(r.result(), ImportResult::Imported);
    }
    unreachable!()
}

/// A child process importing in a loop is killed (SIGKILL) mid-import; the store it leaves
/// opens, passes SQLite's integrity check and ours, and holds only whole imports: every CLR
/// with all of its members.
#[test]
fn a_process_killed_mid_import_leaves_the_store_consistent() {
    if let Ok(path) = std::env::var(CHILD_ENV) {
        child_loop(&path);
    }
    let dir = TempDir::new("kill");
    let path = dir.join("backpack.sqlite");
    let exe = std::env::current_exe().unwrap();
    for round in 0..3 {
        let mut child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "a_process_killed_mid_import_leaves_the_store_consistent",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Let it commit some imports, then kill it at an arbitrary point.
        let start = Instant::now();
        let target = (round + 1) * 3 * (MEMBERS + 1);
        loop {
            std::thread::sleep(Duration::from_millis(20));
            if let Some(status) = child.try_wait().unwrap() {
                panic!("round {round}: the importing child exited by itself: {status}");
            }
            let n = count_badges(&path);
            if n >= target || start.elapsed() > Duration::from_secs(60) {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(7 * (round as u64 + 1)));
        child.kill().unwrap();
        child.wait().unwrap();

        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
        let badges = store.badges().unwrap();
        let clrs: Vec<_> = badges.iter().filter(|b| b.is_clr()).collect();
        assert!(!clrs.is_empty(), "round {round}: the child stored nothing");
        assert_eq!(
            badges.len(),
            clrs.len() * (MEMBERS + 1),
            "round {round}: a partial import"
        );
        for c in &clrs {
            let members = badges
                .iter()
                .filter(|b| {
                    b.source
                        .within
                        .as_deref()
                        .is_some_and(|w| w.starts_with(&format!("clr:{}/", c.id)))
                })
                .count();
            assert_eq!(
                members, MEMBERS,
                "round {round}: CLR {} is incomplete",
                c.id
            );
        }
    }
    // Still writable after the crashes.
    let mut bp = backpack(
        SqliteStore::open(&path).unwrap(),
        FixedVerifier(Status::Valid),
    );
    let r = bp
        .import(clr(1_000_000, 1).to_string().as_bytes(), file("after.json"))
        .unwrap();
    assert_eq!(r.counts(), (2, 0, 0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn open_dir_creates_the_backpack_and_private_collections_stay_private() {
    let root = TempDir::new("opendir");
    let dir = root.join("nested").join("backpack");
    let store = SqliteStore::open_dir(&dir).unwrap();
    assert!(dir.join(openbadges_backpack::store::DB_FILE).exists());
    let mut bp = backpack(store, FixedVerifier(Status::Valid));
    bp.import(clr(7, 2).to_string().as_bytes(), file("c.json"))
        .unwrap();
    let ids: Vec<_> = bp.badges().unwrap().into_iter().map(|b| b.id).collect();
    let mut private = Collection::new("Private").unwrap();
    private.members = ids.clone();
    let mut unlisted = Collection::new("Unlisted").unwrap();
    unlisted.visibility = Visibility::new_unlisted().unwrap();
    let Visibility::Unlisted { token } = unlisted.visibility.clone() else {
        unreachable!()
    };
    assert_eq!(token.len(), 43);
    let mut public = Collection::new("Public").unwrap();
    public.visibility = Visibility::Public;
    for c in [&private, &unlisted, &public] {
        bp.put_collection(c.clone()).unwrap();
    }
    assert!(bp.shared_collection(private.id.as_str()).unwrap().is_none());
    assert_eq!(
        bp.shared_collection(&token).unwrap().unwrap().id,
        unlisted.id
    );
    assert!(
        bp.shared_collection(unlisted.id.as_str())
            .unwrap()
            .is_none(),
        "an unlisted collection is reachable only by its token"
    );
    assert!(bp.shared_collection(&token[..42]).unwrap().is_none());
    assert_eq!(
        bp.shared_collection(public.id.as_str())
            .unwrap()
            .unwrap()
            .id,
        public.id
    );
    // Two fresh tokens differ.
    assert_ne!(
        Visibility::new_unlisted().unwrap(),
        Visibility::new_unlisted().unwrap()
    );
    let _ = std::fs::remove_dir_all(dir.parent().unwrap().parent().unwrap());
}

#[test]
fn a_directory_or_unreadable_path_is_an_error_not_a_panic() {
    let dir = TempDir::new("isdir");
    let err = SqliteStore::open(&dir).unwrap_err();
    assert!(
        matches!(err, Error::Storage { .. } | Error::Corrupted { .. }),
        "{err:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The identity kind and the verdict are the model's `IdentityKind` and the proof crate's
/// `Status`; a database written with the backpack's own names (`email`, `url`, `telephone`,
/// `did`; `valid`, `invalid`, `indeterminate`) must keep loading, and new writes keep them.
#[test]
fn stored_identity_kinds_and_verdicts_keep_their_strings() {
    let dir = TempDir::new("stored-strings");
    let path = dir.join("backpack.sqlite");
    let f = "backpack/clr20/simple.json";
    {
        let store = SqliteStore::open(&path).unwrap();
        let mut bp = backpack(store, FixedVerifier(Status::Indeterminate));
        assert_eq!(bp.import(&fixture(f), file(f)).unwrap().counts(), (2, 0, 0));
    }
    let conn = rusqlite::Connection::open(&path).unwrap();
    let strings = |sql: &str| -> Vec<String> {
        let mut st = conn.prepare(sql).unwrap();
        st.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        strings("SELECT DISTINCT verification_status FROM badges"),
        ["indeterminate"]
    );
    assert_eq!(
        strings("SELECT DISTINCT kind FROM identifiers ORDER BY kind"),
        ["did", "email"]
    );
    // Rows as an earlier build wrote them.
    conn.execute_batch(
        "INSERT INTO identifiers (kind, value) VALUES ('url', 'https://me.example/'),
                                                       ('telephone', '+15555550100');",
    )
    .unwrap();
    let ids = strings("SELECT id FROM badges ORDER BY id");
    conn.execute(
        "UPDATE badges SET verification_status = 'invalid' WHERE id = ?1",
        [&ids[0]],
    )
    .unwrap();
    conn.execute(
        "UPDATE badges SET verification_status = 'valid' WHERE id = ?1",
        [&ids[1]],
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    let mut got: Vec<_> = store
        .badges()
        .unwrap()
        .into_iter()
        .map(|b| (b.id.as_str().to_owned(), b.verification.status))
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            (ids[0].clone(), Status::Invalid),
            (ids[1].clone(), Status::Valid)
        ]
    );
    let kinds: Vec<_> = store
        .identifiers()
        .unwrap()
        .into_iter()
        .map(|i| i.kind)
        .collect();
    for k in [
        IdentityKind::Email,
        IdentityKind::Url,
        IdentityKind::Telephone,
        IdentityKind::Did,
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    // The archive's JSON spells them the same way.
    assert_eq!(
        serde_json::to_value(Identity::did("did:example:x")).unwrap(),
        json!({"kind": "did", "value": "did:example:x"})
    );
    for s in ["valid", "invalid", "indeterminate"] {
        let st: Status = serde_json::from_value(json!(s)).unwrap();
        assert_eq!((st.as_str(), Status::parse(s)), (s, Some(st)));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `store::open` reads `sqlite:PATH` (and `sqlite://PATH`) and `memory:`; anything else is a
/// typed error.
#[test]
fn store_open_picks_the_store_from_the_url() {
    let dir = TempDir::new("open-url");
    let path = dir.join("b.sqlite");
    let url = format!("sqlite:{}", path.display());
    {
        let store = openbadges_backpack::store::open(&url).unwrap();
        store
            .commit(vec![Write::AddIdentifier(Identity::email("a@example.org"))])
            .unwrap();
        assert!(format!("{store:?}").contains("SqliteStore"));
    }
    assert!(path.exists());
    let again = openbadges_backpack::store::open(&format!("sqlite://{}", path.display())).unwrap();
    assert_eq!(
        again.identifiers().unwrap(),
        [Identity::email("a@example.org")]
    );
    assert_eq!(again.integrity_check().unwrap(), Vec::<String>::new());
    let memory = openbadges_backpack::store::open("memory:").unwrap();
    assert!(memory.identifiers().unwrap().is_empty());
    for bad in [
        "sqlite:",
        "sqlite://",
        "memory:x",
        "ftp://host/x",
        "backpack.sqlite",
    ] {
        let err = openbadges_backpack::store::open(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad}: {err:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_large_commit_prepared_on_several_threads_stores_every_badge_and_document_as_given() {
    // 300 badges (and their documents) in one commit: `SqliteStore` prepares the badges' JSON
    // columns and hashes on other threads, 128 writes ahead of its statements. What it stores
    // must be what a store without that (memory) keeps, in every column it reads back, and the
    // stored hashes must match the originals (integrity check).
    let f = "backpack/clr20/simple.json";
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    bp.import(&fixture(f), file(f)).unwrap();
    let template = bp.store().badges().unwrap().remove(0);
    let mut writes = Vec::new();
    for i in 0..300 {
        let mut b = template.clone();
        b.dedup_key = openbadges_backpack::DedupKey::new(format!("test:{i}"));
        b.id = openbadges_backpack::BadgeId::for_key(&b.dedup_key);
        b.original = format!("original {i}").into_bytes();
        b.document = json!({"n": i, "name": format!("badge {i}")});
        let id = b.id.clone();
        writes.push(Write::PutBadge(Box::new(b)));
        // Documents by (URL, content), each body its own allocation: the same URL with other
        // bytes, the same bytes under another URL, and repeats, all in one commit (the store
        // remembers each document row's id for the rest of the commit).
        let documents = (0..2)
            .map(|k| openbadges_backpack::KeptDocument {
                url: format!("https://issuer.example/{}", (i + k) % 3),
                media_type: Some("application/json".into()),
                fetched_at: template.imported_at,
                body: std::sync::Arc::from(format!("body {}", (i + 2 * k) % 4).into_bytes()),
            })
            .collect();
        writes.push(Write::PutDocuments(id, documents));
    }
    let dir = TempDir::new("large-commit");
    let sqlite = SqliteStore::open(dir.join("backpack.sqlite")).unwrap();
    let memory = MemoryStore::new();
    sqlite.commit(writes.clone()).unwrap();
    memory.commit(writes).unwrap();
    let stored = sqlite.badges().unwrap();
    assert_eq!(stored.len(), 300);
    assert_eq!(stored, memory.badges().unwrap());
    for b in &stored {
        let kept = sqlite.badge_documents(&b.id).unwrap();
        assert_eq!(kept.len(), 2);
        assert_eq!(kept, memory.badge_documents(&b.id).unwrap(), "{}", b.id);
    }
    assert!(sqlite.integrity_check().unwrap().is_empty());
    // Read together (one read transaction): what `badge` answers for each id, stored or not.
    let mut ids: Vec<_> = stored.iter().step_by(7).map(|b| b.id.clone()).collect();
    ids.insert(
        3,
        openbadges_backpack::BadgeId::for_key(&openbadges_backpack::DedupKey::new("absent")),
    );
    let each: Vec<_> = ids.iter().map(|id| sqlite.badge(id).unwrap()).collect();
    assert_eq!(sqlite.badges_by_id(&ids).unwrap(), each);
    assert_eq!(memory.badges_by_id(&ids).unwrap(), each);
    assert!(each.get(3).unwrap().is_none());
}
