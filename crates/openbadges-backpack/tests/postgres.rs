//! The PostgreSQL store on a real server (`OPENBADGES_TEST_POSTGRES_URL`; each test skips only
//! outside CI when it is unset): several stores and processes on one database, migrations
//! racing on an empty database, damage found by the integrity check as on SQLite, and the store
//! created, used and dropped inside tokio runtimes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::sync::Arc;

use common::*;
use openbadges_backpack::store::{self, PostgresOptions, PostgresStore, SCHEMA_VERSION};
use openbadges_backpack::{
    Backpack, BadgeId, Collection, Error, ImportResult, KeptDocument, SqliteStore, Store, Write,
};
use openbadges_model::Identity;
use openbadges_proof::report::Status;
use openbadges_test_support::fixtures::TempDir;
use openbadges_test_support::postgres::{TestDatabase, database};

/// Runs `sql` on the test database with a client of its own (off any runtime), returning the
/// first column of each row as text.
fn sql(db: &TestDatabase, sql: &str) -> Vec<String> {
    let (url, sql) = (db.url().to_owned(), sql.to_owned());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        c.simple_query(&sql)
            .unwrap()
            .into_iter()
            .filter_map(|m| match m {
                postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).unwrap_or("").to_owned()),
                _ => None,
            })
            .collect()
    })
    .join()
    .unwrap()
}

const THREADS: usize = 6;
const IMPORTS: usize = 4;
const MEMBERS: usize = 3;

/// Six threads, alternating between two stores on one database, each import CLRs, keep a
/// shared and an own document with every badge, add an identifier, build a collection and
/// reject one of its badges (which renumbers it). Nothing is lost: every badge, link,
/// identifier and collection is there, the shared document is stored once, and the integrity
/// check is clean through either store.
#[test]
fn two_stores_on_one_database_commit_concurrently_without_losing_a_write() {
    let Some(db) = database("backpack concurrent") else {
        return;
    };
    let stores = [
        Arc::new(PostgresStore::open(db.url()).unwrap()),
        Arc::new(PostgresStore::open(db.url()).unwrap()),
    ];
    let shared = KeptDocument {
        url: "https://issuer.example/shared-key.json".into(),
        media_type: Some("application/json".into()),
        fetched_at: t0(),
        body: br#"{"shared": true}"#[..].into(),
    };
    let kept: Vec<(BadgeId, String)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = Arc::clone(&stores[t % 2]);
                let shared = shared.clone();
                s.spawn(move || {
                    let mut bp = Backpack::new(store, FixedVerifier(Status::Valid)).with_clock(t0);
                    for i in owner() {
                        bp.add_identifier(i).unwrap();
                    }
                    bp.add_identifier(Identity::email(format!("thread{t}@example.org")))
                        .unwrap();
                    let mut mine = Vec::new();
                    for i in 0..IMPORTS {
                        let seq = t * 1000 + i;
                        let report = bp
                            .import(clr(seq, MEMBERS).to_string().as_bytes(), file("c.json"))
                            .unwrap();
                        assert_eq!(report.result(), ImportResult::Imported);
                        let ids: Vec<BadgeId> =
                            report.items.iter().filter_map(|it| it.id.clone()).collect();
                        assert_eq!(ids.len(), MEMBERS + 1);
                        let writes = ids
                            .iter()
                            .map(|id| {
                                let own = KeptDocument {
                                    url: format!("https://issuer.example/{id}.json"),
                                    media_type: None,
                                    fetched_at: t0(),
                                    body: id.as_str().as_bytes().into(),
                                };
                                mine.push((id.clone(), own.url.clone()));
                                Write::PutDocuments(id.clone(), vec![shared.clone(), own])
                            })
                            .collect();
                        bp.store().commit(writes).unwrap();
                    }
                    let mut c = Collection::new(format!("Thread {t}")).unwrap();
                    c.members = mine.iter().map(|(id, _)| id.clone()).collect();
                    bp.put_collection(c.clone()).unwrap();
                    bp.reject(&c.members[1]).unwrap();
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let total = THREADS * IMPORTS * (MEMBERS + 1);
    assert_eq!(kept.len(), total);
    for store in &stores {
        let badges = store.badge_ids().unwrap();
        assert_eq!(badges.len(), total, "every imported badge is stored");
        let expected: BTreeSet<&BadgeId> = kept.iter().map(|(id, _)| id).collect();
        assert_eq!(badges.iter().collect::<BTreeSet<_>>(), expected);
        for (id, own) in &kept {
            let urls: Vec<String> = store
                .badge_documents(id)
                .unwrap()
                .into_iter()
                .map(|d| d.url)
                .collect();
            let mut expected = vec![shared.url.clone(), own.clone()];
            expected.sort();
            assert_eq!(urls, expected, "{id}");
        }
        assert_eq!(store.identifiers().unwrap().len(), owner().len() + THREADS);
        let collections = store.collections().unwrap();
        assert_eq!(collections.len(), THREADS);
        for c in &collections {
            assert_eq!(c.members.len(), IMPORTS * (MEMBERS + 1) - 1, "{}", c.name);
        }
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
    }
    assert_eq!(
        sql(
            &db,
            "SELECT count(*) FROM backpack.documents WHERE url LIKE '%shared-key.json'"
        ),
        ["1"],
        "the shared document is stored once"
    );
    assert_eq!(
        sql(&db, "SELECT count(*) FROM backpack.documents"),
        [(total + 1).to_string()]
    );
}

/// Four threads on two stores keep replacing the same badge's kept documents and the same
/// collection's members, each with its own choice. Every commit succeeds, and what is left is
/// one thread's choice whole: never a mix of two replacements.
#[test]
fn concurrent_replacements_of_the_same_rows_leave_one_whole_replacement() {
    let Some(db) = database("backpack replace race") else {
        return;
    };
    let stores = [
        Arc::new(PostgresStore::open(db.url()).unwrap()),
        Arc::new(PostgresStore::open(db.url()).unwrap()),
    ];
    let mut bp = backpack(Arc::clone(&stores[0]), FixedVerifier(Status::Valid));
    let report = bp
        .import(clr(77, 3).to_string().as_bytes(), file("r.json"))
        .unwrap();
    let ids: Vec<BadgeId> = report.items.iter().filter_map(|i| i.id.clone()).collect();
    let target = ids[0].clone();
    let collection = Collection::new("Contended").unwrap();
    // Thread t's choice: documents t.0..t.2 on the badge, the badges rotated by t.
    let choice = |t: usize| {
        let docs: Vec<KeptDocument> = (0..3)
            .map(|i| KeptDocument {
                url: format!("https://issuer.example/{t}/{i}.json"),
                media_type: None,
                fetched_at: t0(),
                body: format!("{t}.{i}").into_bytes().into(),
            })
            .collect();
        let mut c = collection.clone();
        c.members = ids.clone();
        c.members.rotate_left(t);
        (docs, c)
    };
    let is_whole = |urls: &[String]| {
        (0..4).any(|t| {
            let (docs, _) = choice(t);
            docs.into_iter().map(|d| d.url).collect::<Vec<_>>() == urls
        })
    };
    let (docs, c) = choice(0);
    stores[0]
        .commit(vec![
            Write::PutDocuments(target.clone(), docs),
            Write::PutCollection(c),
        ])
        .unwrap();
    let writing = std::sync::atomic::AtomicUsize::new(4);
    std::thread::scope(|s| {
        // A reader sees only whole states while the writers run.
        s.spawn(|| {
            while writing.load(std::sync::atomic::Ordering::SeqCst) > 0 {
                let urls: Vec<String> = stores[1]
                    .badge_documents(&target)
                    .unwrap()
                    .into_iter()
                    .map(|d| d.url)
                    .collect();
                assert!(is_whole(&urls), "a mix of replacements: {urls:?}");
            }
        });
        for t in 0..4 {
            let writing = &writing;
            let store = Arc::clone(&stores[t % 2]);
            let (docs, c) = choice(t);
            let target = target.clone();
            s.spawn(move || {
                for _ in 0..25 {
                    store
                        .commit(vec![
                            Write::PutDocuments(target.clone(), docs.clone()),
                            Write::PutCollection(c.clone()),
                        ])
                        .unwrap();
                }
                writing.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            });
        }
    });
    let urls: Vec<String> = stores[1]
        .badge_documents(&target)
        .unwrap()
        .into_iter()
        .map(|d| d.url)
        .collect();
    let members = stores[1]
        .collection(&collection.id)
        .unwrap()
        .unwrap()
        .members;
    assert!(is_whole(&urls), "a mix of replacements: {urls:?}");
    assert!(
        (0..4).any(|t| choice(t).1.members == members),
        "a mix of replacements: {members:?}"
    );
    assert_eq!(stores[0].integrity_check().unwrap(), Vec::<String>::new());
}

const KILL_CHILD_ENV: &str = "OPENBADGES_BACKPACK_PG_KILL_CHILD";
const KILL_MEMBERS: usize = 6;

/// In a child: import CLRs (one CLR and its members per transaction) until killed.
fn import_until_killed(url: &str) -> ! {
    let mut bp = backpack(
        PostgresStore::open(url).unwrap(),
        FixedVerifier(Status::Valid),
    );
    let base = std::process::id() as usize * 1_000_000;
    for seq in base.. {
        let r = bp
            .import(
                clr(seq, KILL_MEMBERS).to_string().as_bytes(),
                file("loop.json"),
            )
            .unwrap();
        assert_eq!(r.result(), ImportResult::Imported);
    }
    unreachable!()
}

/// Badges stored so far (0 before the tables exist).
fn count_badges(url: &str) -> usize {
    let url = url.to_owned();
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).ok()?;
        let n: i64 = c
            .query_one("SELECT count(*) FROM backpack.badges", &[])
            .ok()?
            .get(0);
        usize::try_from(n).ok()
    })
    .join()
    .unwrap()
    .unwrap_or(0)
}

/// A child process importing in a loop is killed (SIGKILL) mid-import, three times: the database
/// holds only whole imports (every CLR with all its members), the integrity check is clean, and
/// the dead process's commit lock is gone (a new commit goes through).
#[test]
fn a_process_killed_mid_import_leaves_only_whole_imports() {
    if let Ok(url) = std::env::var(KILL_CHILD_ENV) {
        import_until_killed(&url);
    }
    let Some(db) = database("backpack kill") else {
        return;
    };
    let exe = std::env::current_exe().unwrap();
    for round in 0..3 {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "a_process_killed_mid_import_leaves_only_whole_imports",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(KILL_CHILD_ENV, db.url())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let target = (round + 1) * 3 * (KILL_MEMBERS + 1);
        let start = std::time::Instant::now();
        while count_badges(db.url()) < target && start.elapsed().as_secs() < 60 {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("round {round}: the importing child exited by itself: {status}");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(7 * (round as u64 + 1)));
        child.kill().unwrap();
        child.wait().unwrap();

        let store = PostgresStore::open(db.url()).unwrap();
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
        let badges = store.badges().unwrap();
        let clrs: Vec<_> = badges.iter().filter(|b| b.is_clr()).collect();
        assert!(!clrs.is_empty(), "round {round}: the child stored nothing");
        eprintln!("round {round}: {} whole imports after the kill", clrs.len());
        assert_eq!(
            badges.len(),
            clrs.len() * (KILL_MEMBERS + 1),
            "round {round}: a partial import"
        );
        for c in &clrs {
            let prefix = format!("clr:{}/", c.id);
            let members = badges
                .iter()
                .filter(|b| {
                    b.source
                        .within
                        .as_deref()
                        .is_some_and(|w| w.starts_with(&prefix))
                })
                .count();
            assert_eq!(
                members, KILL_MEMBERS,
                "round {round}: CLR {} is incomplete",
                c.id
            );
        }
        // The killed session's lock died with it.
        store
            .commit(vec![Write::AddIdentifier(Identity::email(format!(
                "after{round}@example.org"
            )))])
            .unwrap();
    }
}

const MIGRATE_CHILD_ENV: &str = "OPENBADGES_BACKPACK_PG_MIGRATE_CHILD";
const CHILD: &str = "two_processes_opening_an_empty_database_at_once_migrate_it_once";

/// In a child: say `ready`, wait for `go` on stdin, then open the store from two threads at
/// once and print the schema version each saw.
fn migrate_child(url: &str) -> ! {
    println!("ready");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "go");
    let versions: Vec<i64> = std::thread::scope(|s| {
        let openers: Vec<_> = (0..2)
            .map(|_| s.spawn(|| PostgresStore::open(url).unwrap().schema_version().unwrap()))
            .collect();
        openers.into_iter().map(|o| o.join().unwrap()).collect()
    });
    for v in versions {
        println!("version {v}");
    }
    std::process::exit(0)
}

/// Two processes (two openers each) released at the same moment on an empty database: all
/// open it, each migration is applied once, and the result is a whole, usable backpack.
#[test]
fn two_processes_opening_an_empty_database_at_once_migrate_it_once() {
    if let Ok(url) = std::env::var(MIGRATE_CHILD_ENV) {
        migrate_child(&url);
    }
    let Some(db) = database("backpack migrate race") else {
        return;
    };
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", CHILD, "--nocapture", "--test-threads=1"])
                .env(MIGRATE_CHILD_ENV, db.url())
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut outputs: Vec<_> = children
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().unwrap()))
        .collect();
    // Both are started and waiting; release them together.
    for out in &mut outputs {
        let mut line = String::new();
        while !line.contains("ready") {
            line.clear();
            assert_ne!(out.read_line(&mut line).unwrap(), 0, "a child ended early");
        }
    }
    for c in &mut children {
        c.stdin.as_mut().unwrap().write_all(b"go\n").unwrap();
    }
    for (mut c, out) in children.into_iter().zip(outputs) {
        let lines: Vec<String> = out.lines().map(Result::unwrap).collect();
        assert!(c.wait().unwrap().success(), "a child failed: {lines:?}");
        let versions: Vec<&String> = lines.iter().filter(|l| l.starts_with("version")).collect();
        assert_eq!(
            versions,
            [
                &format!("version {SCHEMA_VERSION}"),
                &format!("version {SCHEMA_VERSION}")
            ]
        );
    }
    assert_eq!(
        sql(&db, "SELECT version FROM backpack.schema_version"),
        [SCHEMA_VERSION.to_string()],
        "one version row"
    );
    let store = PostgresStore::open(db.url()).unwrap();
    let mut bp = backpack(store, FixedVerifier(Status::Valid));
    let r = bp
        .import(clr(1, 2).to_string().as_bytes(), file("after.json"))
        .unwrap();
    assert_eq!(r.counts(), (3, 0, 0));
    assert_eq!(bp.store().integrity_check().unwrap(), Vec::<String>::new());
}

/// Damage done behind the store's back (an original's bytes changed, a badge's dedup key
/// edited, a kept document's body changed) is reported by the integrity check, in the same
/// words on PostgreSQL as on SQLite.
#[test]
fn damaged_rows_are_reported_by_the_integrity_check_as_on_sqlite() {
    let Some(db) = database("backpack damage") else {
        return;
    };
    let dir = TempDir::new("pg-damage");
    let sqlite_path = dir.join("backpack.sqlite");
    let doc = KeptDocument {
        url: "https://issuer.example/key.json".into(),
        media_type: None,
        fetched_at: t0(),
        body: b"{}"[..].into(),
    };
    let fill = |store: &dyn Store| -> Vec<BadgeId> {
        let mut bp = backpack(store, FixedVerifier(Status::Valid));
        bp.import(clr(5, 2).to_string().as_bytes(), file("d.json"))
            .unwrap();
        let ids = bp.store().badge_ids().unwrap();
        bp.store()
            .commit(vec![Write::PutDocuments(ids[0].clone(), vec![doc.clone()])])
            .unwrap();
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
        ids
    };
    let pg = PostgresStore::open(db.url()).unwrap();
    let pg_ids = fill(&pg);
    let sqlite = SqliteStore::open(&sqlite_path).unwrap();
    let sqlite_ids = fill(&sqlite);
    assert_eq!(pg_ids, sqlite_ids);
    let (a, b) = (pg_ids[0].as_str(), pg_ids[1].as_str());
    let damage = format!(
        "UPDATE badges SET original = original || '\\x00'::bytea WHERE id = '{a}';
         UPDATE badges SET dedup_key = 'edited' WHERE id = '{b}';
         UPDATE documents SET body = '\\x7b7d20'::bytea;"
    );
    sql(&db, &format!("SET search_path TO backpack; {damage}"));
    let conn = rusqlite::Connection::open(&sqlite_path).unwrap();
    conn.execute_batch(&format!(
        "UPDATE badges SET original = CAST(original || x'00' AS BLOB) WHERE id = '{a}';
         UPDATE badges SET dedup_key = 'edited' WHERE id = '{b}';
         UPDATE documents SET body = x'7b7d20';"
    ))
    .unwrap();
    drop(conn);
    let found = pg.integrity_check().unwrap();
    assert_eq!(
        found,
        [
            format!("badge {a}: stored bytes do not match their SHA-256"),
            "kept document https://issuer.example/key.json: stored bytes do not match their SHA-256"
                .to_owned(),
            format!("badge {b} does not match its dedup key"),
        ]
    );
    assert_eq!(sqlite.integrity_check().unwrap(), found);
    // `check` (what every store checks) sees the edited key on both.
    assert_eq!(pg.check().unwrap(), sqlite.check().unwrap());
    assert_eq!(pg.check().unwrap().len(), 1);
    // A row no decoder accepts is a typed error, not a panic.
    sql(
        &db,
        &format!("UPDATE backpack.badges SET recipient = 'not json' WHERE id = '{a}'"),
    );
    assert!(matches!(pg.badges(), Err(Error::Decode { .. })));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_database_migrated_by_a_newer_build_is_refused() {
    let Some(db) = database("backpack newer") else {
        return;
    };
    drop(PostgresStore::open(db.url()).unwrap());
    sql(&db, "UPDATE backpack.schema_version SET version = 99");
    let err = PostgresStore::open(db.url()).unwrap_err();
    assert!(
        matches!(err, Error::SchemaTooNew { found: 99, .. }),
        "{err:?}"
    );
}

/// Two schemas in one database are two backpacks; a reopened store finds what was committed.
#[test]
fn each_schema_is_a_backpack_of_its_own_and_survives_reopening() {
    let Some(db) = database("backpack schemas") else {
        return;
    };
    let alice = PostgresOptions::default().schema("alice");
    {
        let mut bp = backpack(
            PostgresStore::open_with(db.url(), alice.clone()).unwrap(),
            FixedVerifier(Status::Valid),
        );
        bp.import(clr(9, 1).to_string().as_bytes(), file("a.json"))
            .unwrap();
    }
    let again = PostgresStore::open_with(db.url(), alice).unwrap();
    assert_eq!(again.schema(), "alice");
    assert_eq!(again.badges().unwrap().len(), 2);
    let default = store::open(db.url()).unwrap();
    assert!(default.badges().unwrap().is_empty());
    assert!(default.identifiers().unwrap().is_empty());
    // Bad options are refused before connecting.
    for bad in [
        PostgresOptions::default().schema("Robert'); DROP TABLE badges;--"),
        PostgresOptions::default().max_connections(0),
    ] {
        let err = PostgresStore::open_with(db.url(), bad).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    }
}

/// The store is usable from request threads as an `Arc<dyn Store + Send + Sync>` backing one
/// `Backpack` per request.
#[test]
fn a_store_from_open_is_shared_between_threads_behind_an_arc() {
    let Some(db) = database("backpack arc") else {
        return;
    };
    let shared: Arc<dyn Store + Send + Sync> = Arc::from(store::open(db.url()).unwrap());
    std::thread::scope(|s| {
        for t in 0..3 {
            let shared = Arc::clone(&shared);
            s.spawn(move || {
                let mut bp = backpack(shared, FixedVerifier(Status::Valid));
                bp.import(clr(500 + t, 1).to_string().as_bytes(), file("t.json"))
                    .unwrap();
            });
        }
    });
    assert_eq!(shared.badges().unwrap().len(), 6);
}

/// Creating, using and dropping the store on an async worker thread (the sync client owns a
/// runtime of its own) neither panics nor deadlocks, on both runtime flavours.
async fn create_use_and_drop_inside_a_runtime(label: &str) {
    let Some(db) = database(label) else {
        return;
    };
    let store = PostgresStore::open(db.url()).unwrap();
    store
        .commit(vec![Write::AddIdentifier(Identity::email("a@example.org"))])
        .unwrap();
    assert_eq!(store.identifiers().unwrap().len(), 1);
    drop(store);
    // And the recommended way: on the blocking pool, where the store is dropped too.
    let url = db.url().to_owned();
    let n = tokio::task::spawn_blocking(move || {
        let store = PostgresStore::open(&url).unwrap();
        store.identifiers().unwrap().len()
    })
    .await
    .unwrap();
    assert_eq!(n, 1);
    // A store opened outside and dropped inside.
    let url = db.url().to_owned();
    let outside = std::thread::spawn(move || PostgresStore::open(&url).unwrap())
        .join()
        .unwrap();
    assert_eq!(outside.identifiers().unwrap().len(), 1);
    drop(outside);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_is_created_used_and_dropped_on_a_multi_thread_runtime() {
    create_use_and_drop_inside_a_runtime("backpack tokio mt").await;
}

#[tokio::test(flavor = "current_thread")]
async fn the_store_is_created_used_and_dropped_on_a_current_thread_runtime() {
    create_use_and_drop_inside_a_runtime("backpack tokio ct").await;
}

/// A URL asking for TLS is refused (this store connects without TLS) rather than sent in clear,
/// and no error message repeats the URL's password.
#[test]
fn tls_demands_and_bad_urls_fail_without_echoing_the_password() {
    let Some(db) = database("backpack tls") else {
        return;
    };
    let quick = || PostgresOptions::default().connect_timeout(std::time::Duration::from_secs(1));
    let require = format!("{}?sslmode=require", db.url());
    let err = PostgresStore::open_with(&require, quick()).unwrap_err();
    assert!(matches!(err, Error::Storage { .. }), "{err:?}");
    assert!(err.to_string().contains("TLS"), "{err}");
    for url in [
        "postgres://user:hunter2secret@127.0.0.1:1/db?connect_timeout=x",
        "postgres://user:hunter2secret@127.0.0.1:1/db",
    ] {
        let err = PostgresStore::open_with(url, quick()).unwrap_err();
        assert!(matches!(err, Error::Storage { .. }), "{err:?}");
        assert!(!err.to_string().contains("hunter2"), "{err}");
        assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
    }
    let err = store::open("mysql://user:hunter2secret@host/db").unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}
