//! Shared by the process tests: real `issuer-service` processes, a round-robin loopback proxy
//! (the "one name" several instances stand behind), and a client that reports a dropped
//! connection instead of panicking (the instance may be killed mid-request).
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

/// One running `issuer-service` process, killed (SIGKILL) when dropped.
pub struct Instance {
    child: Child,
    addr: SocketAddr,
}

impl Instance {
    /// Starts the service with `args` on an ephemeral loopback port and waits for its
    /// `listening on http://ADDR/` line.
    pub fn start(args: &[&str]) -> Instance {
        Instance::start_on(0, args)
    }

    /// Starts the service with `args` on loopback port `port` (0 = any).
    pub fn start_on(port: u16, args: &[&str]) -> Instance {
        let mut child = Command::new(env!("CARGO_BIN_EXE_issuer-service"))
            .args(["--port", &port.to_string()])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting issuer-service");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .strip_prefix("listening on http://")
            .and_then(|r| r.split('/').next())
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("issuer-service did not start: {line:?}")
            });
        Instance { child, addr }
    }

    /// The instance's own address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `kill -9`: no shutdown, no flush, nothing.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits: the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());
        self.child.wait().unwrap().code()
    }

    /// `POST path` with a JSON body; panics unless the connection completes.
    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let (status, body) = try_request(
            self.addr,
            "POST",
            path,
            Some("application/json"),
            &serde_json::to_vec(body).unwrap(),
        )
        .unwrap_or_else(|e| panic!("POST {path} on {}: {e}", self.addr));
        (status, parse_json(&body))
    }

    /// `POST /verify` with `body` of type `content_type`: the report.
    pub fn verify(&self, content_type: &str, body: &[u8]) -> Value {
        let (status, body) = try_request(self.addr, "POST", "/verify", Some(content_type), body)
            .unwrap_or_else(|e| panic!("POST /verify on {}: {e}", self.addr));
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        parse_json(&body)
    }

    /// `GET path`: status and body.
    pub fn get(&self, path: &str) -> (u16, Vec<u8>) {
        try_request(self.addr, "GET", path, None, b"")
            .unwrap_or_else(|e| panic!("GET {path} on {}: {e}", self.addr))
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The body as JSON (`Null` when it is not JSON).
pub fn parse_json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

/// One request on its own connection; an error when the connection is refused or dropped
/// before a complete answer (a killed server).
pub fn try_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(t) = content_type {
        head.push_str(&format!("Content-Type: {t}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes())?;
    // The server may answer (413) before reading a large body: a reset while writing is not
    // the answer, reading tells.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let broken = || std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "incomplete answer");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(broken)?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(broken)?;
    let mut body = raw[split + 4..].to_vec();
    let lower = head.to_ascii_lowercase();
    if lower.contains("transfer-encoding: chunked") {
        body = dechunk(&body).ok_or_else(broken)?;
    } else if let Some(len) = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        if body.len() < len {
            return Err(broken());
        }
        body.truncate(len);
    }
    Ok((status, body))
}

/// A chunked body, decoded; `None` when it is cut short.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&raw[..eol]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

/// A loopback TCP proxy handing each connection to the next backend in turn: the one public
/// name several instances stand behind. Stops when dropped.
pub struct Proxy {
    addr: SocketAddr,
    backends: Arc<Mutex<Vec<SocketAddr>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Binds an ephemeral loopback port; connections are refused until backends are set.
    pub fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let backends: Arc<Mutex<Vec<SocketAddr>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (b, st) = (Arc::clone(&backends), Arc::clone(&stop));
        let accept = std::thread::spawn(move || {
            let next = AtomicUsize::new(0);
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = conn else { continue };
                let list = b.lock().unwrap().clone();
                if list.is_empty() {
                    continue;
                }
                let backend = list[next.fetch_add(1, Ordering::Relaxed) % list.len()];
                std::thread::spawn(move || pipe(client, backend));
            }
        });
        Proxy {
            addr,
            backends,
            stop,
            accept: Some(accept),
        }
    }

    /// The proxy's address (the base URL's authority).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/`.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Sends the next connections to these backends, in turn.
    pub fn set_backends(&self, backends: &[SocketAddr]) {
        *self.backends.lock().unwrap() = backends.to_vec();
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Copies both ways between `client` and a new connection to `backend` until either closes.
fn pipe(client: TcpStream, backend: SocketAddr) {
    let Ok(server) = TcpStream::connect(backend) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let up = std::thread::spawn(move || {
        let mut client = client;
        let mut server = server;
        let _ = std::io::copy(&mut client, &mut server);
        let _ = server.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut s2, &mut c2);
    let _ = c2.shutdown(Shutdown::Write);
    let _ = up.join();
}

/// The path of `url` under `base` (with its leading `/`).
pub fn path_of(url: &str, base: &str) -> String {
    let origin_end = base.find("://").map_or(0, |i| i + 3);
    let origin_end = base[origin_end..]
        .find('/')
        .map_or(base.len(), |i| origin_end + i);
    url.strip_prefix(&base[..origin_end])
        .unwrap_or_else(|| panic!("{url} is not under {base}"))
        .to_owned()
}

/// `(status list URL, index)` of an OB 3.0 credential's `credentialStatus`.
pub fn status_entry(credential: &Value) -> (String, u64) {
    let s = &credential["credentialStatus"];
    let list = s["statusListCredential"].as_str().unwrap().to_owned();
    let index = s["statusListIndex"]
        .as_str()
        .and_then(|i| i.parse().ok())
        .or_else(|| s["statusListIndex"].as_u64())
        .unwrap();
    (list, index)
}

/// The verdict of a report (`valid`, `invalid`, `indeterminate`).
pub fn status_of(report: &Value) -> &str {
    report["status"].as_str().unwrap_or("?")
}

/// The error codes of a report.
pub fn codes_of(report: &Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `f(i)` for `i` in `0..count` on `threads` threads; results in index order.
pub fn in_parallel<T: Send>(count: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..count).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= count {
                        break;
                    }
                    let r = f(i);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(Option::unwrap)
        .collect()
}
