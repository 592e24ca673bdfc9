//! A loopback HTTP/1.1 server for tests, and a small client.
//!
//! The server answers each connection on its own thread with what a handler returns for the
//! request: a [`Response`], raw bytes (for malformed answers), or a stall (for timeouts). It
//! serves until dropped. One connection carries one request (`Connection: close`).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target's path, with the query (`/a/b?x=1`).
    pub path: String,
    /// Header fields in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (read up to `Content-Length`).
    pub body: Vec<u8>,
    /// The server's own address (for answers that name the server, e.g. a redirect to
    /// another port of it).
    pub local_addr: SocketAddr,
}

impl Request {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The path without its query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
}

/// What the server sends back.
#[derive(Debug, Clone)]
pub enum Response {
    /// A well-formed response.
    Http {
        /// Status code.
        status: u16,
        /// Header fields (`Content-Length` and `Connection: close` are added).
        headers: Vec<(String, String)>,
        /// Body.
        body: Vec<u8>,
    },
    /// These bytes, exactly, then the connection is closed.
    Raw(Vec<u8>),
    /// Nothing for this long, then the connection is closed.
    Stall(Duration),
    /// `head` at once, then `body` one byte every `every` (a server dripping its answer),
    /// counting in `sent` the body bytes written; stops when the client goes away.
    Drip {
        /// Written at once (status line and header fields, as raw bytes).
        head: Vec<u8>,
        /// Written a byte at a time.
        body: Vec<u8>,
        /// The pause after each body byte.
        every: Duration,
        /// How many body bytes have been written so far.
        sent: Arc<AtomicUsize>,
    },
}

impl Response {
    /// 200 with `body` of type `content_type`.
    pub fn ok(body: impl Into<Vec<u8>>, content_type: &str) -> Response {
        Response::status(200, body, content_type)
    }

    /// 200 with a JSON body.
    pub fn json(value: &serde_json::Value) -> Response {
        Response::ok(serde_json::to_vec(value).unwrap(), "application/json")
    }

    /// `code` with `body` of type `content_type`.
    pub fn status(code: u16, body: impl Into<Vec<u8>>, content_type: &str) -> Response {
        Response::Http {
            status: code,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// 404 with a short text body, typed as a static server types it (badgecheck refuses a
    /// response without a `Content-Type` before it looks at the status).
    pub fn not_found() -> Response {
        Response::status(404, b"not found".to_vec(), "text/plain")
    }

    /// A redirect (`code`, e.g. 302) to `location`.
    pub fn redirect(code: u16, location: &str) -> Response {
        Response::Http {
            status: code,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
        }
    }

    /// The file `root/<path>` with a content type from its extension ([`content_type_for`]);
    /// 404 when it does not exist or the path climbs out of `root`.
    pub fn file(root: &Path, path: &str) -> Response {
        let rel = path.split('?').next().unwrap_or("").trim_start_matches('/');
        Response::file_as(root, path, content_type_for(rel))
    }

    /// The file `root/<path>` served as `content_type`, whatever its extension (a site that
    /// serves every document as `application/ld+json`); 404 as for [`Response::file`].
    pub fn file_as(root: &Path, path: &str, content_type: &str) -> Response {
        let rel = path.split('?').next().unwrap_or("").trim_start_matches('/');
        if rel.split('/').any(|seg| seg == "..") {
            return Response::not_found();
        }
        match std::fs::read(root.join(rel)) {
            Ok(body) => Response::ok(body, content_type),
            Err(_) => Response::not_found(),
        }
    }
}

/// The content type a static server gives a file name.
pub fn content_type_for(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "json" | "jsonld" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "html" => "text/html; charset=utf-8",
        "jws" | "jwt" | "txt" => "text/plain",
        _ => "application/octet-stream",
    }
}

type Handler = dyn Fn(&Request) -> Response + Send + Sync;

/// A loopback server, stopped when dropped: once the drop returns, the port refuses connections.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("addr", &self.addr).finish()
    }
}

impl Server {
    /// Serves `handler` on an ephemeral port of 127.0.0.1.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Server {
        Server::start_on(0, handler)
    }

    /// Serves `handler` on `127.0.0.1:port` (0: an ephemeral port). Panics if the port is taken.
    pub fn start_on(
        port: u16,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("binding 127.0.0.1:{port}: {e}"));
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let handler: Arc<Handler> = Arc::new(handler);
        let (stop2, requests2) = (stop.clone(), requests.clone());
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                let (handler, requests) = (handler.clone(), requests2.clone());
                std::thread::spawn(move || {
                    if let Some(req) = read_request(&stream) {
                        requests.fetch_add(1, Ordering::SeqCst);
                        write_response(stream, handler(&req));
                    }
                });
            }
        });
        Server {
            addr,
            stop,
            requests,
            accept: Some(accept),
        }
    }

    /// Serves the files under `root` ([`Response::file`]) on an ephemeral port.
    pub fn files(root: impl Into<PathBuf>) -> Server {
        let root = root.into();
        Server::start(move |req| Response::file(&root, req.path_only()))
    }

    /// Serves the files under `root` on `127.0.0.1:port` (fixtures that name a fixed port).
    pub fn files_on(port: u16, root: impl Into<PathBuf>) -> Server {
        let root = root.into();
        Server::start_on(port, move |req| Response::file(&root, req.path_only()))
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests it has read so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Stops serving: when this returns, the port refuses every connection (a site taken
    /// offline).
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag and closes the listener.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// A loopback port that is listened on but never answered: a test gives its address to code
/// that must not connect, then [`Trap::assert_untouched`] checks that nothing did (the pending
/// connection queue is read without blocking, so the check does not race the connection).
#[derive(Debug)]
pub struct Trap {
    listener: TcpListener,
    addr: SocketAddr,
}

impl Trap {
    /// A trap on an ephemeral port of 127.0.0.1.
    pub fn new() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        Trap { listener, addr }
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Panics with `what` if anything has connected.
    pub fn assert_untouched(&self, what: &str) {
        match self.listener.accept() {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => panic!("{what}: {other:?}"),
        }
    }
}

impl Default for Trap {
    fn default() -> Trap {
        Trap::new()
    }
}

fn read_request(stream: &TcpStream) -> Option<Request> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    r.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = find_header(&headers, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some(Request {
        method,
        path,
        headers,
        body,
        local_addr: stream.local_addr().ok()?,
    })
}

fn write_response(mut stream: TcpStream, resp: Response) {
    match resp {
        Response::Http {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (k, v) in &headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
        Response::Raw(bytes) => {
            let _ = stream.write_all(&bytes);
        }
        Response::Stall(d) => std::thread::sleep(d),
        Response::Drip {
            head,
            body,
            every,
            sent,
        } => {
            if stream.write_all(&head).is_err() {
                return;
            }
            for byte in body {
                if stream
                    .write_all(&[byte])
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
                sent.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(every);
            }
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        _ => "Status",
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A response as the client read it.
#[derive(Debug, Clone)]
pub struct ClientResponse {
    /// Status code.
    pub status: u16,
    /// Header fields in order.
    pub headers: Vec<(String, String)>,
    /// Body (the rest of the stream after the header).
    pub body: Vec<u8>,
}

impl ClientResponse {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {}", self.text()))
    }

    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// `GET path` from `addr`.
pub fn get(addr: SocketAddr, path: &str) -> ClientResponse {
    request(addr, "GET", path, &[], b"")
}

/// One request on its own connection (`Connection: close`): `method path` with `headers` and
/// `body` (a `Content-Length` is added). A stuck server fails the test after 60 s instead of
/// hanging it.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> ClientResponse {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) before reading a large body: ignore a reset while writing.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> ClientResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {head:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    ClientResponse {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}
