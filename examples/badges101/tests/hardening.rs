//! The server's limits, each on the `badges101` binary (a child process, configured through
//! the environment as an operator would): a head over the size or header-count limit is
//! answered 431; a body over the limit 413 (the forms, `/start` included); new attempts past
//! the per-address rate 429 with `Retry-After`; a stalled head and an idle connection are
//! closed after the header read timeout; connections over the cap wait; an attempt past its
//! lifetime is refused and deleted (an issued one is kept); SIGTERM lets the request in flight
//! finish and the push queue drain; the default data directory is the per-user one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

mod common;
use common::{ITEMS, Instance, TempDir, answer, begin, earn, get, pass_quiz, post, request, texts};

/// The app on its own data directory in `dir`, with the environment `env`.
fn instance(dir: &TempDir, env: &[(&str, &str)]) -> Instance {
    let data = dir.join("data").display().to_string();
    Instance::start_with_env(&["--data-dir", &data], env)
}

/// The app's database URL for data in `dir`.
fn database(dir: &TempDir) -> String {
    format!("sqlite:{}", dir.join("data").join("badges101.db").display())
}

/// Sends `raw` on a new connection and reads until the server closes it (at most 10 s);
/// the answer's status, if one arrived.
fn raw_status(addr: SocketAddr, raw: &[u8]) -> Option<u16> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(raw);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    std::str::from_utf8(answer.get(..12)?)
        .ok()?
        .strip_prefix("HTTP/1.1 ")?
        .parse()
        .ok()
}

/// Whether the server closes `s` within `within` (reads until end of stream or a reset).
fn closed_by_server(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut sink = Vec::new();
    match s.read_to_end(&mut sink) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[test]
fn oversized_heads_are_431_and_oversized_bodies_413() {
    let dir = TempDir::new("badges101-hardening");
    let app = instance(&dir, &[]);
    let addr = app.addr;
    // A 20 KiB header (the limit is 16 KiB for the whole head).
    let big = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    assert_eq!(raw_status(addr, big.as_bytes()), Some(431));
    // 100 header fields (the limit is 64), 3 KiB in all.
    let mut many = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for i in 0..100 {
        many.push_str(&format!("X-Field-{i}: {i}\r\n"));
    }
    many.push_str("\r\n");
    assert_eq!(raw_status(addr, many.as_bytes()), Some(431));
    // A body over 8 KiB: /start, an answer, the email form, a hosted path.
    let tok = begin(addr);
    let nine_kib = vec![b'a'; 9 * 1024];
    for path in [
        "/start".to_owned(),
        format!("/a/{tok}/answer"),
        format!("/a/{tok}/issue"),
        "/issuer.json".to_owned(),
    ] {
        let r = request(addr, "POST", &path, &nine_kib);
        assert_eq!(r.status, 413, "POST {path}");
        assert!(r.text().contains("too large"), "{}", r.text());
    }
    // Chunked, with no length announced: cut at the limit all the same.
    let mut chunked = format!(
        "POST /a/{tok}/answer HTTP/1.1\r\nHost: {addr}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..3 {
        chunked.extend_from_slice(format!("{:x}\r\n", 4096).as_bytes());
        chunked.extend_from_slice(&[b'a'; 4096]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(raw_status(addr, &chunked), Some(413));
    // Within the limits all is well, and the attempt is untouched.
    assert_eq!(get(addr, "/").status, 200);
    assert_eq!(answer(addr, &tok, ITEMS[0], "true").status, 303);
}

#[test]
fn new_attempts_past_the_rate_are_429_with_retry_after() {
    let dir = TempDir::new("badges101-hardening");
    let app = instance(&dir, &[("BADGES101_MAX_ATTEMPTS_PER_MINUTE", "3")]);
    let addr = app.addr;
    let toks: Vec<String> = (0..3).map(|_| begin(addr)).collect();
    let r = post(addr, "/start", "");
    assert_eq!(r.status, 429);
    // 3 a minute: the next one in 20 s.
    let wait: u64 = r.header("Retry-After").unwrap().parse().unwrap();
    assert!((1..=20).contains(&wait), "Retry-After {wait}");
    assert!(r.text().contains("wait a minute"), "{}", r.text());
    assert!(r.header("Content-Type").unwrap().starts_with("text/html"));
    // Only new attempts are limited: the learners already in carry on.
    for tok in &toks {
        assert_eq!(answer(addr, tok, ITEMS[0], "true").status, 303);
    }
}

#[test]
fn slow_and_idle_connections_are_closed_and_those_over_the_cap_wait() {
    let dir = TempDir::new("badges101-hardening");
    let app = instance(
        &dir,
        &[
            ("BADGES101_HEADER_READ_TIMEOUT", "2"),
            ("BADGES101_MAX_CONNECTIONS", "2"),
        ],
    );
    let addr = app.addr;
    // Two clients that send half a head and stall take both connection slots.
    let mut stalled: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    // A third waits: no answer while they hold the slots...
    let mut third = TcpStream::connect(addr).unwrap();
    third
        .write_all(
            format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
    third
        .set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    let mut byte = [0u8; 1];
    let early = third.read(&mut byte);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "answered over the cap: {early:?}"
    );
    // ...the stalled ones are closed once the header read timeout passes...
    for s in &mut stalled {
        assert!(closed_by_server(s, Duration::from_secs(10)));
    }
    // ...and the third is answered.
    third
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    third.read_to_end(&mut answer).unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    // A kept-alive connection left idle is closed after the header read timeout too.
    let mut idle = TcpStream::connect(addr).unwrap();
    idle.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .unwrap();
    let t0 = Instant::now();
    assert!(closed_by_server(&mut idle, Duration::from_secs(10)));
    assert!(t0.elapsed() >= Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(get(addr, "/").status, 200);
}

#[test]
fn expired_attempts_are_refused_and_deleted_issued_ones_kept() {
    let dir = TempDir::new("badges101-hardening");
    let app = instance(&dir, &[("BADGES101_ATTEMPT_TTL", "3")]);
    let addr = app.addr;
    let db = database(&dir);
    let visited = begin(addr);
    let forgotten = begin(addr);
    let issued = earn(addr, "keeper@example.org");
    assert_eq!(get(addr, &format!("/a/{visited}/lesson/1")).status, 200);
    let attempts = || texts(&db, "SELECT token FROM b101_attempts");
    assert_eq!(attempts().len(), 3);
    std::thread::sleep(Duration::from_millis(4200));
    // Past its lifetime: "expired", and gone.
    let r = get(addr, &format!("/a/{visited}/lesson/1"));
    assert_eq!(r.status, 404);
    assert!(r.text().contains("expired"), "{}", r.text());
    assert!(!attempts().contains(&visited));
    assert_eq!(
        answer(addr, &visited, ITEMS[0], "true").status,
        404,
        "an expired attempt takes no answer"
    );
    // The one never visited again is deleted by the sweep (every 3 s here, one interval after
    // it expired).
    let end = Instant::now() + Duration::from_secs(10);
    while attempts().contains(&forgotten) {
        assert!(Instant::now() < end, "the expired attempt was not swept");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The issued one stays: its badge page, its download and its evidence record.
    assert_eq!(attempts(), vec![issued.clone()]);
    let badge = get(addr, &format!("/a/{issued}/badge"));
    assert_eq!(badge.status, 200);
    assert_eq!(get(addr, &format!("/a/{issued}/badge/ob3.png")).status, 200);
    let evidence = texts(&db, "SELECT public_id FROM b101_attempts");
    assert_eq!(
        get(addr, &format!("/attempts/{}.json", evidence[0])).status,
        200
    );
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_the_push_queue() {
    let dir = TempDir::new("badges101-hardening");
    let mut app = instance(&dir, &[]);
    let addr = app.addr;
    let tok = pass_quiz(|_| addr);
    // The email form, half sent when the app is told to stop.
    let form = b"email=last%40example.org";
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST /a/{tok}/issue HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        form.len()
    )
    .unwrap();
    s.write_all(&form[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    app.terminate();
    // It stops accepting...
    let end = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(addr).is_ok() {
        assert!(Instant::now() < end, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    // ...finishes the request in flight: the badge is issued...
    s.write_all(&form[10..]).unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
    assert!(answer.contains(&format!("/a/{tok}/badge")), "{answer}");
    // ...then pushes it to the backpack before it exits, cleanly.
    let status = app.wait();
    assert!(status.success(), "{status:?}");
    let db = database(&dir);
    assert_eq!(
        texts(&db, "SELECT state FROM b101_pushes"),
        vec!["sent".to_owned()]
    );
    let rows = common::query(&db, "SELECT http_status FROM b101_pushes");
    assert_eq!(rows[0][0].as_i64(), Some(201));
}

#[test]
fn the_default_data_directory_is_the_per_user_one() {
    let dir = TempDir::new("badges101-hardening");
    let home = dir.join("home");
    let cwd = dir.join("cwd");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&cwd).unwrap();
    let expected = home.join(".local/share/badges101");
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_badges101"));
        c.args(args)
            .current_dir(&cwd)
            .env("HOME", &home)
            .env_remove("XDG_DATA_HOME")
            .env_remove("BADGES101_DATA_DIR");
        c
    };
    // --help says where, resolved.
    let help = run(&["--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stderr).into_owned();
    assert!(
        help.contains(&format!("default: {}", expected.display())),
        "{help}"
    );
    // Start-up says where, and puts it there, not in the current directory.
    let mut child = run(&["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut said = String::new();
    while !said.contains("data directory:") {
        use std::io::BufRead as _;
        assert_ne!(out.read_line(&mut said).unwrap(), 0, "{said}");
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        said.contains(&format!("data directory: {}", expected.display())),
        "{said}"
    );
    assert!(expected.join("badges101.db").exists());
    assert_eq!(std::fs::read_dir(&cwd).unwrap().count(), 0);
}

#[test]
fn the_api_reads_no_body_without_a_token_and_holds_at_most_8_mib_at_once() {
    use openbadges::backpack::export::api::{ApiTokens, SCOPE_UPSERT};
    let dir = TempDir::new("badges101-hardening");
    let app = instance(&dir, &[("BADGES101_BODY_READ_TIMEOUT", "2")]);
    let addr = app.addr;
    let api = "/ims/ob/v3p0/credentials";
    let upload_head = |auth: &str, len: usize| {
        format!(
            "POST {api} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        )
    };
    // No token, 1 MB announced, nothing sent: 401 at once, without waiting for the body.
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(upload_head("", 1_000_000).as_bytes()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 401");
    // With the token: eight uploads of 1 MiB that stall take all the room for bodies...
    let tokens = ApiTokens::load_or_create(&dir.join("data/keys/api-tokens.json")).unwrap();
    let auth = format!(
        "Authorization: Bearer {}\r\n",
        tokens.token_for(SCOPE_UPSERT).unwrap().secret()
    );
    let mut stalled: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(upload_head(&auth, 1024 * 1024).as_bytes())
                .unwrap();
            s.write_all(b"{").unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // ...so a ninth, small and whole, waits for room...
    let mut ninth = TcpStream::connect(addr).unwrap();
    ninth
        .write_all(format!("{}{{}}", upload_head(&auth, 2)).as_bytes())
        .unwrap();
    ninth
        .set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    let mut byte = [0u8; 1];
    let early = ninth.read(&mut byte);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "answered while the room was taken: {early:?}"
    );
    // ...until the stalled ones time out (408)...
    for s in &mut stalled {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer);
        assert!(
            answer.starts_with(b"HTTP/1.1 408"),
            "{:?}",
            String::from_utf8_lossy(&answer)
        );
    }
    // ...and then it is read and answered (`{}` is no credential: 400).
    ninth
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = ninth.read_to_end(&mut answer);
    assert!(
        answer.starts_with(b"HTTP/1.1 400"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
}
