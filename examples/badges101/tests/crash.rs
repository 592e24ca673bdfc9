//! kill -9 in the middle of 200 concurrent issuances, five times, on SQLite and on PostgreSQL:
//! after each restart every acknowledged badge is complete (its attempt points at it, all its
//! forms and documents are served, it is revocable) and nothing is half-present (no badge
//! record without its attempt, documents and push-queue entry; no document, attempt or queue
//! entry without its badge record). After the last restart every badge is pushed to the
//! backpack.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openbadges::backpack::{SqliteStore, Store};

mod common;
use common::{Instance, TempDir, free_port, get, in_parallel, pass_quiz, query, texts, try_post};

const LEARNERS: usize = 200;
const CLIENTS: usize = 16;
const KILLS: usize = 5;

#[test]
fn kill_9_during_issuance_on_sqlite_loses_nothing_acknowledged() {
    let dir = TempDir::new("badges101-crash-sqlite");
    let url = format!("sqlite:{}", dir.join("data").join("badges101.db").display());
    crash_rounds(&dir, &url, &[]);
}

#[test]
fn kill_9_during_issuance_on_postgres_loses_nothing_acknowledged() {
    let Some(db) = openbadges_test_support::postgres::database("b101_crash") else {
        return;
    };
    let dir = TempDir::new("badges101-crash-postgres");
    crash_rounds(&dir, db.url(), &["--database", db.url()]);
}

fn crash_rounds(dir: &Path, url: &str, database: &[&str]) {
    let data = dir.join("data").display().to_string();
    // One port and base URL for every run (the badges' ids stay valid across restarts).
    let port = free_port().to_string();
    let base = format!("http://127.0.0.1:{port}/");
    let mut args = vec![
        "--data-dir",
        data.as_str(),
        "--port",
        &port,
        "--base-url",
        &base,
    ];
    args.extend_from_slice(database);
    let mut acknowledged: BTreeSet<String> = BTreeSet::new();
    let mut instance = Instance::start(&args);
    for round in 0..KILLS {
        let addr = instance.addr;
        // 200 learners ready to ask for their badge.
        let toks = in_parallel(LEARNERS, CLIENTS, move |_| pass_quiz(|_| addr));
        // Their 200 issuances at once; kill -9 once some (a different number each round)
        // were acknowledged.
        let acked = Arc::new(AtomicUsize::new(0));
        let kill_after = 15 + 10 * round;
        let live = Arc::new(Mutex::new(Some(instance)));
        let killer = {
            let (acked, live) = (Arc::clone(&acked), Arc::clone(&live));
            std::thread::spawn(move || {
                let end = Instant::now() + Duration::from_secs(120);
                while acked.load(Ordering::SeqCst) < kill_after && Instant::now() < end {
                    std::thread::sleep(Duration::from_millis(2));
                }
                live.lock().unwrap().take().unwrap().kill();
            })
        };
        let shared = Arc::new(toks.clone());
        let answers = {
            let acked = Arc::clone(&acked);
            in_parallel(LEARNERS, CLIENTS, move |i| {
                let ok = try_post(
                    addr,
                    &format!("/a/{}/issue", shared[i]),
                    &format!("email=learner{round}x{i}%40example.org"),
                ) == Some(303);
                if ok {
                    acked.fetch_add(1, Ordering::SeqCst);
                }
                ok
            })
        };
        killer.join().unwrap();
        let this_round: Vec<&String> = toks
            .iter()
            .zip(&answers)
            .filter(|(_, ok)| **ok)
            .map(|(t, _)| t)
            .collect();
        assert!(
            this_round.len() >= kill_after && this_round.len() < LEARNERS,
            "round {round}: the kill came in the middle ({} acknowledged)",
            this_round.len()
        );
        acknowledged.extend(this_round.into_iter().cloned());

        instance = Instance::start(&args);
        everything_acknowledged_is_complete(instance.addr, url, &acknowledged);
        nothing_is_half_present(instance.addr, url);
    }
    every_badge_is_revocable_and_pushed(&instance, &base, dir, url, &acknowledged, &args);
}

/// Every acknowledged attempt has its badge, all of whose forms are served.
fn everything_acknowledged_is_complete(
    addr: SocketAddr,
    url: &str,
    acknowledged: &BTreeSet<String>,
) {
    let badges = attempts_with_badges(url);
    for tok in acknowledged {
        assert!(
            badges.contains_key(tok),
            "acknowledged attempt {tok} has no badge"
        );
        let page = get(addr, &format!("/a/{tok}/badge"));
        assert_eq!(page.status, 200, "{tok}");
        for form in [
            "ob3.png",
            "ob3-jwt.png",
            "ob2.png",
            "ob2-signed.png",
            "ob3.svg",
        ] {
            let r = get(addr, &format!("/a/{tok}/badge/{form}"));
            assert_eq!(r.status, 200, "{tok} {form}");
            assert!(!r.body.is_empty());
        }
    }
}

/// attempt token → badge UUID, for the attempts that have one.
fn attempts_with_badges(url: &str) -> BTreeMap<String, String> {
    query(
        url,
        "SELECT token, badge_uuid FROM b101_attempts WHERE badge_uuid IS NOT NULL",
    )
    .into_iter()
    .map(|r| {
        (
            r[0].as_str().unwrap().to_owned(),
            r[1].as_str().unwrap().to_owned(),
        )
    })
    .collect()
}

/// The badge records (the store's `ob_issued`), the attempts pointing at badges, the push
/// queue and the hosted assertions name the same badges, and each badge's every hosted
/// document is served.
fn nothing_is_half_present(addr: SocketAddr, url: &str) {
    let records: BTreeSet<String> = texts(url, "SELECT uuid FROM ob_issued")
        .into_iter()
        .collect();
    let attempts: Vec<String> = attempts_with_badges(url).into_values().collect();
    let by_attempts: BTreeSet<String> = attempts.iter().cloned().collect();
    assert_eq!(attempts.len(), by_attempts.len(), "one attempt per badge");
    assert_eq!(records, by_attempts, "badge records and attempts");
    let queued: BTreeSet<String> = texts(url, "SELECT badge_uuid FROM b101_pushes")
        .into_iter()
        .collect();
    assert_eq!(records, queued, "badge records and push queue");
    let assertions: BTreeSet<String> = texts(
        url,
        "SELECT path FROM ob_documents WHERE path LIKE 'assertions/%'",
    )
    .into_iter()
    .map(|p| {
        p.strip_prefix("assertions/")
            .and_then(|p| p.strip_suffix(".json"))
            .unwrap()
            .to_owned()
    })
    .collect();
    assert_eq!(records, assertions, "badge records and hosted assertions");
    let store = openbadges::store::open(url).unwrap();
    for uuid in &records {
        let record = store.issued(uuid).unwrap().unwrap();
        assert!(!record.issued.hosted.is_empty());
        for d in &record.issued.hosted {
            let path = d.url.split_once("://").unwrap().1;
            let path = &path[path.find('/').unwrap()..];
            assert_eq!(get(addr, path).status, 200, "{uuid}: {path}");
        }
    }
}

/// Every badge can be revoked while the app runs (one through `badges101 revoke` per run, to
/// keep it lean: the rest through the store), and every badge lands in the backpack.
fn every_badge_is_revocable_and_pushed(
    instance: &Instance,
    base: &str,
    dir: &Path,
    url: &str,
    acknowledged: &BTreeSet<String>,
    args: &[&str],
) {
    let addr = instance.addr;
    let badges = attempts_with_badges(url);
    // Pushed, all of them, by the restarted instance (a push claimed by a killed instance is
    // taken again when its lease ends).
    let end = Instant::now() + Duration::from_secs(120);
    let held = loop {
        // The backpack's own store, read beside the running app: in the database when it is
        // PostgreSQL, else its SQLite file in the data directory.
        let store: Box<dyn Store + Send + Sync> = if url.starts_with("postgres") {
            openbadges::backpack::store::open(url).unwrap()
        } else {
            Box::new(SqliteStore::open_dir(dir.join("data/backpack")).unwrap())
        };
        let held: BTreeSet<String> = store
            .badges()
            .unwrap()
            .iter()
            .filter_map(|b| b.document["id"].as_str().map(str::to_owned))
            .collect();
        let queued = texts(url, "SELECT state FROM b101_pushes WHERE state <> 'sent'");
        if (held.len() >= badges.len() && queued.is_empty()) || Instant::now() > end {
            break held;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    for (tok, uuid) in &badges {
        assert!(
            held.contains(&format!("urn:uuid:{uuid}")),
            "badge {uuid} of {tok} (acknowledged: {}) was never pushed",
            acknowledged.contains(tok)
        );
    }
    let states = texts(url, "SELECT state FROM b101_pushes");
    assert!(states.iter().all(|s| s == "sent"), "{states:?}");

    // Revocable while the app runs: one through `badges101 revoke`, the rest through the
    // issuer on the same database; the running instance serves each at once.
    let uuids: Vec<&String> = badges.values().collect();
    let (first, rest) = uuids.split_first().unwrap();
    let mut revoke = args.to_vec();
    revoke.extend(["revoke", first.as_str(), "crash test"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_badges101"))
        .args(&revoke)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(get(addr, &format!("/assertions/{first}.json")).status, 410);
    let issuer = openbadges::Issuer::open(
        base,
        openbadges::IssuerProfile::new("Open Badges — Badges 101", "badges101@example.org"),
        openbadges::store::open(url).unwrap(),
    )
    .unwrap();
    for uuid in rest {
        issuer.revoke(uuid, None).unwrap();
        assert_eq!(get(addr, &format!("/assertions/{uuid}.json")).status, 410);
    }
}
