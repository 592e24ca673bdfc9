//! 200 learners finish the quiz concurrently on loopback, each sending the email form twice at
//! once: every attempt is issued exactly once, every badge verifies for its learner, and every
//! badge is pushed to the app's backpack exactly once (one POST, 201) and held there, verified.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use badges101::{Config, PushState, start};
use openbadges::Verifier;
use openbadges::proof::report::Status;

mod common;
use common::{answer, begin, get, post};

const LEARNERS: usize = 200;
const CLIENTS: usize = 16;

/// One learner's whole flow; returns the downloaded OB 3.0 PNG.
fn learner(addr: SocketAddr, i: usize) -> Vec<u8> {
    let tok = begin(addr);
    for (item, v) in [
        ("learning-everywhere", i % 2 == 0),
        ("degree-skill-set", false),
        ("resumes-validated", i % 3 == 0),
    ] {
        assert_eq!(answer(addr, &tok, item, &v.to_string()).status, 303);
    }
    let r = get(addr, &format!("/a/{tok}/result"));
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Send to backpack"));
    // The form sent twice at the same time (a double click, a replay).
    let path = format!("/a/{tok}/issue");
    let form = format!("email=learner{i}%40example.org");
    let twice: Vec<_> = (0..2)
        .map(|_| {
            let (p, f) = (path.clone(), form.clone());
            std::thread::spawn(move || post(addr, &p, &f).status)
        })
        .collect();
    for t in twice {
        assert_eq!(t.join().unwrap(), 303);
    }
    let r = get(addr, &format!("/a/{tok}/badge/ob3.png"));
    assert_eq!(r.status, 200);
    r.body
}

#[test]
fn two_hundred_learners_each_get_exactly_one_verifiable_badge() {
    let dir = std::env::temp_dir().join(format!("badges101-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let running = start(Config {
        port: 0,
        data_dir: dir.clone(),
        threads: 8,
        ..Config::default()
    })
    .unwrap();
    let addr = running.addr();
    let next = Arc::new(Mutex::new(0usize));
    let pngs = Arc::new(Mutex::new(vec![Vec::new(); LEARNERS]));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (next, pngs) = (Arc::clone(&next), Arc::clone(&pngs));
            std::thread::spawn(move || {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        if *n >= LEARNERS {
                            break;
                        }
                        *n += 1;
                        *n - 1
                    };
                    let png = learner(addr, i);
                    pngs.lock().unwrap()[i] = png;
                }
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    let issued = running.app().issued().unwrap();
    assert_eq!(issued.len(), LEARNERS, "exactly one badge per attempt");
    // Every badge pushed exactly once through the OB 3.0 API, and held, verified, by its owner.
    assert!(running.wait_for_pushes(std::time::Duration::from_secs(300)));
    let pushes = running.pushes();
    assert_eq!(pushes.len(), LEARNERS);
    for (uuid, state) in &pushes {
        assert_eq!(
            *state,
            PushState::Sent {
                status: 201,
                posts: 1
            },
            "{uuid}"
        );
        assert!(issued.contains_key(uuid));
    }
    let held = running.backpack_credentials();
    assert_eq!(held.len(), LEARNERS);
    let owners: BTreeSet<&str> = held.iter().map(|(_, _, o)| o.as_str()).collect();
    assert_eq!(owners.len(), LEARNERS);
    assert!(held.iter().all(|(_, v, _)| v == "valid"), "{held:?}");

    let pngs = pngs.lock().unwrap();
    let distinct: BTreeSet<&Vec<u8>> = pngs.iter().collect();
    assert_eq!(distinct.len(), LEARNERS);

    let host = addr.to_string();
    for (i, png) in pngs.iter().enumerate() {
        let v = Verifier::builder()
            .online(openbadges::HttpLimits::default().allow_host(&host))
            .recipient(format!("email:learner{i}@example.org").parse().unwrap())
            .build()
            .unwrap();
        let r = v.verify_bytes("badge.png", png);
        assert_eq!(
            r.status(),
            Status::Valid,
            "learner {i}: {}",
            r.to_json_line()
        );
    }
    running.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
