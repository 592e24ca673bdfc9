//! Slow and large clients do not stop the learners (issue 16's Done-when): 50 learners go
//! through the whole flow once to measure their usual time; then, while four slowloris
//! connections (`POST /start`, `Content-Length: 8000`, 3 bytes, then nothing) are held open
//! and a client streams a 200 MB header line, the same 50 go through it again, each within
//! the usual time + 2 s. The server closes each slowloris connection once the body read
//! timeout (2 s here) has passed, cuts the header line off early, and its peak memory stays
//! under 100 MB.
//!
//! The app is the `badges101` binary (a child process, so its memory is its own); its
//! timeouts are set through the environment.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

mod common;
use common::{ITEMS, Instance, TempDir, answer, begin, get, in_parallel, post};

const LEARNERS: usize = 50;
/// Learners at once (each a client thread).
const CLIENTS: usize = 10;
/// The body read timeout the app runs with here (seconds).
const BODY_TIMEOUT_SECS: u64 = 2;
/// The header line's length.
const HEADER_BYTES: usize = 200 * 1024 * 1024;

/// One learner's whole flow: start, both lessons, each question with its answer and the
/// feedback, the result, the email form, the badge page and the download. Its duration.
fn learner(addr: SocketAddr, i: usize) -> Duration {
    let t0 = Instant::now();
    let tok = begin(addr);
    for n in 1..=2 {
        assert_eq!(get(addr, &format!("/a/{tok}/lesson/{n}")).status, 200);
    }
    for (n, item) in ITEMS.iter().enumerate() {
        assert_eq!(get(addr, &format!("/a/{tok}/q/{}", n + 1)).status, 200);
        assert_eq!(answer(addr, &tok, item, "true").status, 303);
        assert_eq!(get(addr, &format!("/a/{tok}/q/{}", n + 1)).status, 200);
    }
    assert_eq!(get(addr, &format!("/a/{tok}/result")).status, 200);
    let r = post(
        addr,
        &format!("/a/{tok}/issue"),
        &format!("email=learner{i}%40example.org"),
    );
    assert_eq!(r.status, 303);
    assert_eq!(get(addr, &format!("/a/{tok}/badge")).status, 200);
    let png = get(addr, &format!("/a/{tok}/badge/ob3.png"));
    assert_eq!(png.status, 200);
    assert!(png.body.starts_with(b"\x89PNG"));
    t0.elapsed()
}

/// The status code of a raw answer, if one arrived.
fn status_of(raw: &[u8]) -> Option<u16> {
    std::str::from_utf8(raw.get(..12)?)
        .ok()?
        .strip_prefix("HTTP/1.1 ")?
        .parse()
        .ok()
}

/// One slowloris connection after another until `stop`: each sends a request head announcing
/// 8000 bytes of body and 3 of them, then waits for the server to close it. For each: how
/// long the server took to close it (`None`: it had not after 30 s) and its answer's status.
fn slowloris(addr: SocketAddr, stop: &AtomicBool) -> Vec<(Option<Duration>, Option<u16>)> {
    let mut seen = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(
            format!(
                "POST /start HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8000\r\n\r\nabc"
            )
            .as_bytes(),
        )
        .unwrap();
        let t0 = Instant::now();
        let mut raw = Vec::new();
        let closed = match s.read_to_end(&mut raw) {
            Ok(_) => Some(t0.elapsed()),
            // A reset is a close too.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Some(t0.elapsed()),
            Err(_) => None,
        };
        seen.push((closed, status_of(&raw)));
        if closed.is_none() {
            break;
        }
    }
    seen
}

/// Header lines of 200 MB, one connection after another (a quarter second apart) until
/// `stop`: each streams `GET /` with one header whose value is 200 MB, in 64 KiB chunks,
/// until the server stops taking it. For each: how many bytes it took.
fn huge_header(addr: SocketAddr, stop: &AtomicBool) -> Vec<usize> {
    let chunk = vec![b'a'; 64 * 1024];
    let mut seen = Vec::new();
    while !stop.load(Ordering::SeqCst) {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(30))).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\nX-Huge: ").as_bytes())
            .unwrap();
        let mut sent = 0;
        while sent < HEADER_BYTES {
            if s.write_all(&chunk).is_err() {
                break;
            }
            sent += chunk.len();
        }
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        seen.push(sent);
        std::thread::sleep(Duration::from_millis(250));
    }
    seen
}

#[test]
fn slowloris_and_a_200_mb_header_do_not_stop_fifty_learners() {
    let dir = TempDir::new("badges101-slow-clients");
    let data = dir.join("data").display().to_string();
    let timeout = BODY_TIMEOUT_SECS.to_string();
    let instance = Instance::start_with_env(
        &["--data-dir", &data],
        &[
            ("BADGES101_BODY_READ_TIMEOUT", &timeout),
            ("BADGES101_HEADER_READ_TIMEOUT", &timeout),
        ],
    );
    let addr = instance.addr;

    // Their usual time: the slowest of the 50 on an app no one attacks.
    let usual = in_parallel(LEARNERS, CLIENTS, move |i| learner(addr, i))
        .into_iter()
        .max()
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let slow: Vec<_> = (0..4)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || slowloris(addr, &stop))
        })
        .collect();
    let huge = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || huge_header(addr, &stop))
    };
    std::thread::sleep(Duration::from_millis(300));
    let attacked = in_parallel(LEARNERS, CLIENTS, move |i| learner(addr, LEARNERS + i));
    stop.store(true, Ordering::SeqCst);
    let slow: Vec<_> = slow.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let huge = huge.join().unwrap();

    // Every learner within their usual time + 2 s. (The usual time is the slowest learner's
    // of the first round: the machine is shared, so each learner is held to the round's
    // worst, not to their own.)
    let bound = usual + Duration::from_secs(2);
    let slowest = attacked.iter().max().unwrap();
    assert!(
        *slowest <= bound,
        "a learner took {slowest:?} under attack; usual {usual:?}"
    );
    // The server closed every slowloris connection once the body read timeout had passed
    // (408), not before, and not long after.
    assert!(slow.len() >= 4, "{slow:?}");
    for (closed, status) in &slow {
        let closed =
            closed.unwrap_or_else(|| panic!("a slowloris connection stayed open: {slow:?}"));
        assert!(
            closed >= Duration::from_millis(BODY_TIMEOUT_SECS * 1000 - 500)
                && closed <= Duration::from_secs(BODY_TIMEOUT_SECS + 5),
            "closed after {closed:?}"
        );
        assert!(matches!(status, Some(408) | None), "{status:?}");
    }
    assert!(slow.iter().any(|(_, s)| *s == Some(408)), "{slow:?}");
    // The header line was cut off early: at most a few MB (the sockets' buffers) of 200 MB.
    assert!(!huge.is_empty());
    for sent in &huge {
        assert!(
            *sent < 16 * 1024 * 1024,
            "{sent} bytes of header were taken"
        );
    }
    let peak = instance.peak_rss_kib();
    assert!(peak < 100 * 1024, "peak memory {peak} KiB");
    eprintln!(
        "usual {usual:?}, slowest under attack {slowest:?}, {} slowloris connections, {} huge headers (at most {} bytes each taken), peak memory {peak} KiB",
        slow.len(),
        huge.len(),
        huge.iter().max().unwrap()
    );
}
