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
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};

use badges101::{Config, PushState, start};
use openbadges::Verifier;
use openbadges::proof::report::Status;

const LEARNERS: usize = 200;
const CLIENTS: usize = 16;

fn request(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let location = head
        .split("\r\n")
        .find_map(|l| l.strip_prefix("Location: "))
        .unwrap_or("")
        .to_owned();
    (status, location, raw[split + 4..].to_vec())
}

/// One learner's whole flow; returns the downloaded OB 3.0 PNG.
fn learner(addr: SocketAddr, i: usize) -> Vec<u8> {
    let (s, loc, _) = request(addr, "POST", "/start", "");
    assert_eq!(s, 303);
    let tok = loc
        .strip_prefix("/a/")
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    for (item, v) in [
        ("learning-everywhere", i % 2 == 0),
        ("degree-skill-set", false),
        ("resumes-validated", i % 3 == 0),
    ] {
        let (s, _, _) = request(
            addr,
            "POST",
            &format!("/a/{tok}/answer"),
            &format!("item={item}&answer={v}"),
        );
        assert_eq!(s, 303);
    }
    let (s, _, body) = request(addr, "GET", &format!("/a/{tok}/result"), "");
    assert_eq!(s, 200);
    assert!(String::from_utf8_lossy(&body).contains("Send to backpack"));
    // The form sent twice at the same time (a double click, a replay).
    let path = format!("/a/{tok}/issue");
    let form = format!("email=learner{i}%40example.org");
    let twice: Vec<_> = (0..2)
        .map(|_| {
            let (p, f) = (path.clone(), form.clone());
            std::thread::spawn(move || request(addr, "POST", &p, &f).0)
        })
        .collect();
    for t in twice {
        assert_eq!(t.join().unwrap(), 303);
    }
    let (s, _, png) = request(addr, "GET", &format!("/a/{tok}/badge/ob3.png"), "");
    assert_eq!(s, 200);
    png
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
    let issued = running.app().lock().unwrap().issued();
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
            .allow_host(&host)
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
