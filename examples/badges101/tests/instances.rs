//! Two `badges101` processes on one PostgreSQL database behind one public name (a loopback
//! TCP proxy, the test's load balancer): 400 learners, each step of each flow on alternating
//! instances and the email form sent to both at once, get 400 badges with 400 distinct
//! status-list indexes; every badge verifies through either instance and is pushed exactly once
//! into the one backpack in the database; a revocation made by `badges101 revoke` while both
//! run is served as revoked by both on the next request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::BTreeSet;
use std::io::{Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use openbadges::Verifier;
use openbadges::backpack::Store as _;
use openbadges::proof::report::{Code, Status};

mod common;
use common::{Instance, TempDir, get, in_parallel, pass_quiz, post, query, texts};

const LEARNERS: usize = 400;
const CLIENTS: usize = 16;
/// Verifications run on this many threads.
const VERIFIERS: usize = 8;

/// A TCP proxy on loopback: one public address in front of the instances. Each connection
/// goes to the next instance in turn, or to the one it is pinned to.
struct Proxy {
    addr: SocketAddr,
    backends: Arc<Mutex<Vec<SocketAddr>>>,
    /// 0: round robin; `k`: always backend `k - 1`.
    pin: Arc<AtomicUsize>,
}

impl Proxy {
    fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let backends: Arc<Mutex<Vec<SocketAddr>>> = Arc::default();
        let pin = Arc::new(AtomicUsize::new(0));
        let (b, p) = (Arc::clone(&backends), Arc::clone(&pin));
        std::thread::spawn(move || {
            let mut turn = 0usize;
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let to = {
                    let b = b.lock().unwrap();
                    if b.is_empty() {
                        continue;
                    }
                    turn += 1;
                    match p.load(Ordering::SeqCst) {
                        0 => b[turn % b.len()],
                        k => b[k - 1],
                    }
                };
                let Ok(server) = TcpStream::connect(to) else {
                    continue;
                };
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy {
            addr,
            backends,
            pin,
        }
    }

    fn pin(&self, k: usize) {
        self.pin.store(k, Ordering::SeqCst);
    }
}

/// Copies `from` into `to` on a thread of its own, then half-closes `to`.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}

/// The badge of attempt `tok` downloaded from `at` (form `form`) verifies online, through the
/// proxy, for learner `i`; returns the report's status and whether it says revoked.
fn verify(proxy: SocketAddr, at: SocketAddr, tok: &str, form: &str, who: &str) -> (Status, bool) {
    let r = get(at, &format!("/a/{tok}/badge/{form}"));
    assert_eq!(r.status, 200, "{tok} {form}");
    let v = Verifier::builder()
        .online(openbadges::HttpLimits::default().allow_host(proxy.to_string()))
        .recipient(format!("email:{who}").parse().unwrap())
        .build()
        .unwrap();
    let report = v.verify_bytes("badge.png", &r.body);
    (report.status(), report.has_error(Code::Revoked))
}

fn email(i: usize) -> String {
    format!("learner{i}@example.org")
}

#[test]
fn two_instances_on_one_postgres_database_serve_any_badge_and_every_revocation() {
    let Some(db) = openbadges_test_support::postgres::database("b101_instances") else {
        return;
    };
    let url = db.url().to_owned();
    let dir = TempDir::new("badges101-instances");
    let proxy = Proxy::start();
    let base = format!("http://{}/", proxy.addr);
    let instance = |name: &str| {
        let data = dir.join(name).display().to_string();
        Instance::start(&["--database", &url, "--base-url", &base, "--data-dir", &data])
    };
    // Both started at once on the empty database: migrations and the issuer's keys are
    // settled by the database (one set of keys, each table created once).
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| instance("a"));
        let b = s.spawn(|| instance("b"));
        (a.join().unwrap(), b.join().unwrap())
    });
    *proxy.backends.lock().unwrap() = vec![a.addr, b.addr];
    let both = [a.addr, b.addr];

    // 400 learners; every step on the other instance; the email form to both at once.
    let toks = in_parallel(LEARNERS, CLIENTS, move |i| {
        let tok = pass_quiz(|step| both[(i + step) % 2]);
        let path = format!("/a/{tok}/issue");
        let form = format!("email={}", email(i).replace('@', "%40"));
        let racing: Vec<_> = both
            .map(|at| {
                let (p, f) = (path.clone(), form.clone());
                std::thread::spawn(move || post(at, &p, &f).status)
            })
            .into_iter()
            .collect();
        for r in racing {
            assert_eq!(r.join().unwrap(), 303);
        }
        tok
    });

    // One badge per attempt, 400 distinct status-list indexes.
    let uuids = texts(
        &url,
        "SELECT badge_uuid FROM b101_attempts WHERE badge_uuid IS NOT NULL",
    );
    assert_eq!(uuids.len(), LEARNERS);
    let store = openbadges::store::open(&url).unwrap();
    let indexes: BTreeSet<u64> = uuids
        .iter()
        .map(|u| store.issued(u).unwrap().unwrap().status_index.unwrap())
        .collect();
    assert_eq!(indexes.len(), LEARNERS, "distinct status-list indexes");

    // Every badge verifies from either instance (downloaded from it, its documents fetched
    // through the proxy pinned to it): the OB 3.0 and the OB 2.0 hosted form.
    let toks = Arc::new(toks);
    for k in 1..=2 {
        proxy.pin(k);
        let (toks, at, p) = (Arc::clone(&toks), both[k - 1], proxy.addr);
        let statuses = in_parallel(LEARNERS, VERIFIERS, move |i| {
            ["ob3.png", "ob2.png"].map(|form| verify(p, at, &toks[i], form, &email(i)).0)
        });
        for (i, s) in statuses.iter().enumerate() {
            assert_eq!(s, &[Status::Valid; 2], "learner {i} through instance {k}");
        }
    }

    // Every badge pushed exactly once (one POST, 201) into the one backpack both instances
    // keep in the database, whichever instance issued it and whichever pushed it.
    let end = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !texts(&url, "SELECT state FROM b101_pushes WHERE state <> 'sent'").is_empty() {
        assert!(std::time::Instant::now() < end, "pushes still queued");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let pushes = query(&url, "SELECT http_status, posts FROM b101_pushes");
    assert_eq!(pushes.len(), LEARNERS);
    for p in &pushes {
        assert_eq!((p[0].as_i64(), p[1].as_i64()), (Some(201), Some(1)));
    }
    let held = openbadges::backpack::store::open(&url)
        .unwrap()
        .badges()
        .unwrap();
    assert_eq!(held.len(), LEARNERS);

    // Revoked with the command line while both run: both serve it on the next request.
    let tok = &toks[7];
    let uuid = texts(
        &url,
        &format!("SELECT badge_uuid FROM b101_attempts WHERE token = '{tok}'"),
    )
    .pop()
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_badges101"))
        // No --base-url: the one the instances serve under is recorded in the database.
        .args(["--database", &url, "revoke", &uuid, "test"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (k, at) in both.into_iter().enumerate() {
        assert_eq!(
            get(at, &format!("/assertions/{uuid}.json")).status,
            410,
            "instance {k}"
        );
        proxy.pin(k + 1);
        for form in ["ob3.png", "ob2.png"] {
            let (status, revoked) = verify(proxy.addr, at, tok, form, &email(7));
            assert_eq!(status, Status::Invalid, "instance {k} {form}");
            assert!(revoked, "instance {k} {form}");
        }
        // A badge not revoked is still valid through the same instance.
        assert_eq!(
            verify(proxy.addr, at, &toks[8], "ob3.png", &email(8)).0,
            Status::Valid
        );
    }
    drop((a, b));
}
