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

pub mod browser;

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

/// `POST path` with the form `form` (already encoded) and the `Cookie` header `cookie` (the
/// learner's browser: `b101_learner=TOKEN`).
pub fn post_with_cookie(addr: SocketAddr, path: &str, form: &str, cookie: &str) -> ClientResponse {
    openbadges_test_support::http::request(
        addr,
        "POST",
        path,
        &[FORM, ("Cookie", cookie)],
        form.as_bytes(),
    )
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

/// Waits until nothing listens on `port` (`Running::shutdown` returns once the app let go of
/// it; a killed process may take a moment).
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

/// A learner's steps up to the result page (every answer `true`, which the completion policy
/// passes), each step on the instance `on(step)` picks; returns the attempt's token.
pub fn pass_quiz(on: impl Fn(usize) -> SocketAddr) -> String {
    let tok = begin(on(0));
    for (i, item) in ITEMS.into_iter().enumerate() {
        assert_eq!(answer(on(i + 1), &tok, item, "true").status, 303);
    }
    assert_eq!(get(on(4), &format!("/a/{tok}/result")).status, 200);
    tok
}

/// `POST path` with `form`, for requests that may meet a killed server: the status, or `None`
/// when the connection failed or broke before a whole answer's head arrived.
pub fn try_post(addr: SocketAddr, path: &str, form: &str) -> Option<u16> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .ok()?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n{form}",
        FORM.1,
        form.len()
    );
    s.write_all(head.as_bytes()).ok()?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).ok()?;
    let text = String::from_utf8_lossy(&answer);
    if !text.contains("\r\n\r\n") {
        return None;
    }
    text.strip_prefix("HTTP/1.1 ")
        .and_then(|r| r.get(..3))
        .and_then(|c| c.parse().ok())
}

/// A `badges101` process (the built binary), killed with SIGKILL when dropped.
pub struct Instance {
    child: std::process::Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Instance {
    /// Starts `badges101 --port 0 ARGS…` and waits until it listens.
    pub fn start(args: &[&str]) -> Instance {
        Self::start_with_env(args, &[])
    }

    /// Starts `badges101 --port 0 ARGS…` with the environment variables `env` set, and waits
    /// until it listens.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Instance {
        use std::io::BufRead as _;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_badges101"))
            .arg("--port")
            .arg("0")
            .args(args)
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .unwrap_or_else(|| panic!("badges101 {args:?} ended before listening"))
                .unwrap();
            if let Some(a) = line.strip_prefix("listening on ") {
                break a.parse().unwrap();
            }
        };
        // Keep draining its output so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Instance { child, addr }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM (what a service manager sends to stop it).
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to end; its exit status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().unwrap()
    }

    /// The peak resident memory (`VmHWM` in /proc/PID/status), in KiB.
    pub fn peak_rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// kill -9, and wait for it to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `work(i)` for `i` in `0..n` on `clients` threads; returns the results in order.
pub fn in_parallel<T: Send + 'static>(
    n: usize,
    clients: usize,
    work: impl Fn(usize) -> T + Send + Sync + 'static,
) -> Vec<T> {
    use std::sync::{Arc, Mutex};
    let work = Arc::new(work);
    let next = Arc::new(Mutex::new(0usize));
    let out: Arc<Mutex<Vec<Option<T>>>> = Arc::new(Mutex::new((0..n).map(|_| None).collect()));
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let (work, next, out) = (Arc::clone(&work), Arc::clone(&next), Arc::clone(&out));
            std::thread::spawn(move || {
                loop {
                    let i = {
                        let mut k = next.lock().unwrap();
                        if *k >= n {
                            break;
                        }
                        *k += 1;
                        *k - 1
                    };
                    let r = work(i);
                    out.lock().unwrap()[i] = Some(r);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let mut out = out.lock().unwrap();
    out.drain(..).map(|r| r.unwrap()).collect()
}

/// Rows of `sql` on the app's database at `url` (the store's own SQL transaction).
pub fn query(url: &str, sql: &str) -> Vec<Vec<openbadges::store::SqlValue>> {
    let store = openbadges::store::open(url).unwrap();
    let mut rows = Vec::new();
    store
        .transaction(&mut |tx| {
            rows = tx.query(sql, &[])?;
            Ok(())
        })
        .unwrap();
    rows
}

/// The first column of `sql`'s rows, as text.
pub fn texts(url: &str, sql: &str) -> Vec<String> {
    query(url, sql)
        .into_iter()
        .map(|r| r[0].as_str().unwrap().to_owned())
        .collect()
}
