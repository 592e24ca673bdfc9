//! `kill -9` of an instance in the middle of 200 concurrent issuances, five times, on SQLite
//! and on PostgreSQL. After each restart on the same database:
//! - every acknowledged badge (`200 OK` received) is complete: its record, every hosted
//!   document and every baked image are served, and it can be revoked (then `410 Gone`);
//! - nothing is half-present: every badge the store holds (acknowledged or not) has its
//!   complete record and documents and its row in the service's own table, written by the
//!   issuance hook in the same transaction, and every row there has its badge.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Instance, Proxy, parse_json, path_of, try_request};
use openbadges::store::{SqlValue, StoreTransaction};
use serde_json::{Value, json};

const ROUNDS: usize = 5;
const ISSUANCES: usize = 200;
const CLIENT_THREADS: usize = 16;

#[test]
fn kill_9_during_issuance_on_sqlite_leaves_no_half_badge() {
    let dir = openbadges_test_support::fixtures::TempDir::new("svc-crash");
    let url = format!("sqlite:{}", dir.join("issuer.sqlite3").display());
    crash_rounds(&url);
}

#[test]
fn kill_9_during_issuance_on_postgres_leaves_no_half_badge() {
    let Some(db) = openbadges_test_support::postgres::database("svc_crash") else {
        return;
    };
    crash_rounds(db.url());
}

/// Five rounds of: start, 200 concurrent issuances, `kill -9` part-way, restart, check.
fn crash_rounds(database: &str) {
    // One public name across restarts (the instance's port changes).
    let proxy = Proxy::start();
    let base = proxy.base_url();
    let args = ["--database", database, "--base-url", &base];
    let mut acknowledged: Vec<Value> = Vec::new();
    let mut checked = BTreeSet::new();
    for round in 0..ROUNDS {
        let instance = Instance::start(&args);
        proxy.set_backends(&[instance.addr()]);
        // Kill once this many badges were acknowledged in this round: a different point of the
        // run each time, always with issuances in flight.
        let kill_after = 20 + 25 * round;
        let (acked, refused) = issue_until_killed(instance, kill_after);
        assert!(
            acked.len() >= kill_after,
            "round {round}: {} acknowledged",
            acked.len()
        );
        assert!(
            refused > 0,
            "round {round}: the kill must interrupt the run"
        );
        let instance = Instance::start(&args);
        proxy.set_backends(&[instance.addr()]);
        let before = checked.len();
        check_consistent(&instance, database, &base, &acked, &mut checked);
        eprintln!(
            "{database}: round {round}: killed after {} acknowledged, {refused} without an answer; {} new badges in the store, all complete",
            acked.len(),
            checked.len() - before
        );
        acknowledged.extend(acked);
    }
    // Every badge acknowledged in any round is still there, revoked.
    let (in_store, _) = stored_uuids(database);
    for badge in &acknowledged {
        assert!(in_store.contains(badge["uuid"].as_str().unwrap()));
    }
}

/// Fires 200 issuances from 16 threads at `instance` and kills it (SIGKILL) once `kill_after`
/// were acknowledged. Returns the acknowledged badges and how many requests got no answer.
fn issue_until_killed(instance: Instance, kill_after: usize) -> (Vec<Value>, usize) {
    let addr = instance.addr();
    let next = AtomicUsize::new(0);
    let acked = Mutex::new(Vec::new());
    let acked_count = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..CLIENT_THREADS {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= ISSUANCES {
                        break;
                    }
                    let body = json!({ "recipient": format!("crash{i}@example.org") });
                    match try_request(
                        addr,
                        "POST",
                        "/issue",
                        Some("application/json"),
                        &serde_json::to_vec(&body).unwrap(),
                    ) {
                        Ok((200, answer)) => {
                            acked.lock().unwrap().push(parse_json(&answer));
                            acked_count.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok((status, answer)) => panic!(
                            "issuance answered {status}: {}",
                            String::from_utf8_lossy(&answer)
                        ),
                        Err(_) => {
                            refused.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(300);
        while acked_count.load(Ordering::SeqCst) < kill_after && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
        instance.kill9();
    });
    (acked.into_inner().unwrap(), refused.into_inner())
}

/// Every badge acknowledged in this round is complete and revocable; the store holds no
/// partial badge. `checked`: the badges checked in earlier rounds (not checked again).
fn check_consistent(
    instance: &Instance,
    database: &str,
    base: &str,
    acknowledged: &[Value],
    checked: &mut BTreeSet<String>,
) {
    let (in_store, in_hook_table) = stored_uuids(database);
    assert_eq!(
        in_store, in_hook_table,
        "every badge has its hook row and every hook row its badge"
    );
    for uuid in hosted_assertion_uuids(database) {
        assert!(
            in_store.contains(&uuid),
            "the hosted assertion of {uuid} has no badge record"
        );
    }
    let mut served = BTreeSet::new();
    for uuid in in_store.difference(&checked.clone()) {
        checked.insert(uuid.clone());
        let (status, record) = instance.get(&format!("/issued/{uuid}"));
        assert_eq!(status, 200, "record of {uuid}");
        let record = parse_json(&record);
        assert_complete(instance, base, &record, &mut served);
    }
    for badge in acknowledged {
        let uuid = badge["uuid"].as_str().unwrap();
        assert!(
            in_store.contains(uuid),
            "acknowledged badge {uuid} is in the store"
        );
        let (_, record) = instance.get(&format!("/issued/{uuid}"));
        let record = parse_json(&record);
        assert_eq!(record["ob3_credential"], badge["ob3_credential"]);
        if record["revoked"] == json!(true) {
            continue;
        }
        let (status, answer) = instance.post_json("/revoke", &json!({ "id": uuid }));
        assert_eq!(status, 200, "revoking {uuid}: {answer}");
        let hosted = path_of(badge["hosted_assertion"].as_str().unwrap(), base);
        assert_eq!(instance.get(&hosted).0, 410, "{uuid} is gone once revoked");
    }
}

/// Every hosted document and baked image of `record` is served (`410` for the hosted
/// assertion of a revoked badge). `served` skips documents already fetched (issuer-wide ones).
fn assert_complete(instance: &Instance, base: &str, record: &Value, served: &mut BTreeSet<String>) {
    let uuid = record["uuid"].as_str().unwrap();
    let revoked = record["revoked"] == json!(true);
    let hosted_assertion = record["hosted_assertion"].as_str().unwrap();
    assert!(record["ob2_signed"].is_string(), "{uuid}: signed assertion");
    assert!(record["ob3_credential"].is_object(), "{uuid}: credential");
    assert!(record["ob3_jwt"].is_string(), "{uuid}: VC-JWT");
    let documents = record["documents"].as_array().unwrap();
    assert!(
        documents.len() >= 8,
        "{uuid}: {} documents",
        documents.len()
    );
    for url in documents {
        let url = url.as_str().unwrap();
        let own = url == hosted_assertion;
        if !own && !served.insert(url.to_owned()) {
            continue;
        }
        let (status, _) = instance.get(&path_of(url, base));
        let expected = if own && revoked { 410 } else { 200 };
        assert_eq!(status, expected, "{uuid}: {url}");
    }
    let baked = record["baked"].as_array().unwrap();
    assert_eq!(baked.len(), 4, "{uuid}: one baked image per form");
    for image in baked {
        let (status, bytes) = instance.get(image["path"].as_str().unwrap());
        assert_eq!(status, 200);
        assert!(!bytes.is_empty());
    }
}

/// The UUIDs of the badges the store holds, and of the rows in the service's own table,
/// read straight from the database.
fn stored_uuids(database: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let store = openbadges::store::open(database).unwrap();
    let mut badges = BTreeSet::new();
    let mut rows = BTreeSet::new();
    store
        .transaction(&mut |tx: &mut dyn StoreTransaction| {
            badges = texts(tx, "SELECT uuid FROM ob_issued")?;
            rows = texts(tx, "SELECT uuid FROM svc_issuance")?;
            Ok(())
        })
        .unwrap();
    (badges, rows)
}

/// The UUIDs whose hosted assertion (`assertions/UUID.json`) the store holds.
fn hosted_assertion_uuids(database: &str) -> BTreeSet<String> {
    let store = openbadges::store::open(database).unwrap();
    let mut paths = BTreeSet::new();
    store
        .transaction(&mut |tx: &mut dyn StoreTransaction| {
            paths = texts(
                tx,
                "SELECT path FROM ob_documents WHERE path LIKE 'assertions/%'",
            )?;
            Ok(())
        })
        .unwrap();
    paths
        .iter()
        .map(|p| {
            p.trim_start_matches("assertions/")
                .trim_end_matches(".json")
                .to_owned()
        })
        .collect()
}

/// The first column of `sql`'s rows, as text.
fn texts(
    tx: &mut dyn StoreTransaction,
    sql: &str,
) -> Result<BTreeSet<String>, openbadges::store::StoreError> {
    Ok(tx
        .query(sql, &[])?
        .into_iter()
        .filter_map(|row| match row.into_iter().next() {
            Some(SqlValue::Text(t)) => Some(t),
            _ => None,
        })
        .collect())
}
