//! Helpers shared by the Badges 101 tests: the app started on an ephemeral port, requests to
//! it (the workspace's loopback client, form-encoded), a learner's steps through the quiz up
//! to the issued badge, and waiting for a port the app has let go of.
#![allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::SocketAddr;
use std::path::Path;

use badges101::{Config, Policy, Running, start};
pub use openbadges_test_support::fixtures::TempDir;
pub use openbadges_test_support::http::ClientResponse;

/// The form encoding every page of the app posts.
pub const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// The three questions' item ids, in order.
pub const ITEMS: [&str; 3] = [
    "learning-everywhere",
    "degree-skill-set",
    "resumes-validated",
];

/// `method path` with the form-encoded `body`, one request per connection. The app never
/// answers in chunks.
pub fn request(addr: SocketAddr, method: &str, path: &str, body: &[u8]) -> ClientResponse {
    let r = openbadges_test_support::http::request(addr, method, path, &[FORM], body);
    assert!(
        !r.headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked")),
        "chunked responses are not expected"
    );
    r
}

/// `GET path`.
pub fn get(addr: SocketAddr, path: &str) -> ClientResponse {
    request(addr, "GET", path, b"")
}

/// `POST path` with the form `form` (already encoded).
pub fn post(addr: SocketAddr, path: &str, form: &str) -> ClientResponse {
    request(addr, "POST", path, form.as_bytes())
}

/// The app on an ephemeral port with its data in `dir`, two threads, under `policy`.
pub fn app(dir: &Path, policy: Policy) -> Running {
    start(Config {
        port: 0,
        data_dir: dir.to_path_buf(),
        policy,
        threads: 2,
        ..Config::default()
    })
    .unwrap()
}

/// A port no one listens on now (for a base URL fixed before the app starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// tiny_http closes its listener on its own thread after shutdown: wait for it.
pub fn wait_port_free(port: u16) {
    for _ in 0..100 {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("port {port} still in use");
}

/// POST /start and return the attempt's token.
pub fn begin(addr: SocketAddr) -> String {
    let r = post(addr, "/start", "");
    assert_eq!(r.status, 303);
    let loc = r.header("Location").unwrap().to_owned();
    let tok = loc
        .strip_prefix("/a/")
        .and_then(|l| l.strip_suffix("/lesson/1"))
        .unwrap();
    assert_eq!(tok.len(), 32);
    tok.to_owned()
}

/// Answers question `item` of attempt `tok` with `value`.
pub fn answer(addr: SocketAddr, tok: &str, item: &str, value: &str) -> ClientResponse {
    post(
        addr,
        &format!("/a/{tok}/answer"),
        &format!("item={item}&answer={value}"),
    )
}

/// A learner's whole flow up to the issued badge (every answer `true`, which the completion
/// policy passes); returns the attempt token.
pub fn earn(addr: SocketAddr, email: &str) -> String {
    let tok = begin(addr);
    for item in ITEMS {
        assert_eq!(answer(addr, &tok, item, "true").status, 303);
    }
    assert_eq!(get(addr, &format!("/a/{tok}/result")).status, 200);
    let r = post(
        addr,
        &format!("/a/{tok}/issue"),
        &format!("email={}", email.replace('@', "%40")),
    );
    assert_eq!(r.status, 303);
    tok
}
