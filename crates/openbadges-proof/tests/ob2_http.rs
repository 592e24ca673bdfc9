//! The guarded HTTP loader against a tiny loopback server started by the test (bounded in
//! connections and time): redirects to private addresses, oversize responses, redirect loops,
//! timeouts, 410 Gone, and a hosted badge verified end to end over HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use openbadges_proof::loader::{DocumentLoader, HttpLoader, LoadError};
use openbadges_proof::report::{Code, Status};
use openbadges_proof::verify::{RecipientProfile, Verifier};
use serde_json::json;

struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

type Route = Box<dyn Fn(&str, u16) -> Vec<u8> + Send + Sync>;

/// Serves `route(path, port)` responses (raw HTTP) on 127.0.0.1 for at most 60 s / 200
/// connections.
fn serve(route: Route) -> Server {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let route = Arc::new(route);
    std::thread::spawn(move || {
        let start = Instant::now();
        for (n, conn) in l.incoming().enumerate() {
            if stop2.load(Ordering::SeqCst) || n > 200 || start.elapsed() > Duration::from_secs(60)
            {
                break;
            }
            let Ok(mut s) = conn else { continue };
            let route = route.clone();
            std::thread::spawn(move || {
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut line = String::new();
                if r.read_line(&mut line).is_err() {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                        break;
                    }
                }
                let resp = route(&path, port);
                let _ = s.write_all(&resp);
            });
        }
    });
    Server { port, stop }
}

fn ok(body: &[u8], ctype: &str) -> Vec<u8> {
    let mut v = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    v.extend_from_slice(body);
    v
}

fn redirect(to: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

fn routes() -> Route {
    Box::new(|path, port| match path {
        "/ok.json" => ok(br#"{"hello": "world"}"#, "application/json; charset=utf-8"),
        "/big" => ok(&vec![b' '; 2 * 1024 * 1024], "application/json"),
        "/big-unsized" => {
            let mut v =
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                    .to_vec();
            v.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
            v
        }
        "/to-metadata" => redirect("http://169.254.169.254/latest/meta-data/"),
        "/to-private" => redirect("http://10.0.0.1/x"),
        "/to-other-port" => redirect(&format!(
            "http://127.0.0.1:{}/ok.json",
            port.wrapping_add(1)
        )),
        "/to-ok" => redirect("/ok.json"),
        "/loop" => redirect("/loop"),
        "/gone" => b"HTTP/1.1 410 Gone\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            ok(b"{}", "application/json")
        }
        _ => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
    })
}

fn loader(port: u16) -> HttpLoader {
    HttpLoader::new()
        .unwrap()
        .allow_host(&format!("127.0.0.1:{port}"))
        .unwrap()
}

#[test]
fn loopback_is_refused_unless_allowed() {
    let s = serve(routes());
    let url = format!("http://127.0.0.1:{}/ok.json", s.port);
    assert!(matches!(
        HttpLoader::new().unwrap().load(&url),
        Err(LoadError::Refused { .. })
    ));
    let d = loader(s.port).load(&url).unwrap();
    assert_eq!(&*d.body, br#"{"hello": "world"}"#);
    assert_eq!(d.content_type.as_deref(), Some("application/json"));
}

#[test]
fn redirects_to_private_addresses_are_refused_at_every_hop() {
    let s = serve(routes());
    let l = loader(s.port);
    for p in ["/to-metadata", "/to-private", "/to-other-port"] {
        let r = l.load(&format!("http://127.0.0.1:{}{p}", s.port));
        assert!(matches!(r, Err(LoadError::Refused { .. })), "{p}: {r:?}");
    }
    let d = l
        .load(&format!("http://127.0.0.1:{}/to-ok", s.port))
        .unwrap();
    assert!(d.final_url.ends_with("/ok.json"));
    let r = l.load(&format!("http://127.0.0.1:{}/loop", s.port));
    assert!(
        matches!(r, Err(LoadError::TooManyRedirects { .. })),
        "{r:?}"
    );
}

#[test]
fn oversize_responses_are_refused_with_and_without_content_length() {
    let s = serve(routes());
    let l = loader(s.port);
    for p in ["/big", "/big-unsized"] {
        let r = l.load(&format!("http://127.0.0.1:{}{p}", s.port));
        assert!(matches!(r, Err(LoadError::TooLarge { .. })), "{p}: {r:?}");
    }
}

#[test]
fn slow_servers_time_out_and_gone_is_gone() {
    let s = serve(routes());
    let l = loader(s.port).timeout(Duration::from_millis(700)).unwrap();
    let t = Instant::now();
    let r = l.load(&format!("http://127.0.0.1:{}/slow", s.port));
    assert!(matches!(r, Err(LoadError::TimedOut { .. })), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(3));
    let r = l.load(&format!("http://127.0.0.1:{}/gone", s.port));
    assert!(matches!(r, Err(LoadError::Gone { .. })), "{r:?}");
}

#[test]
fn a_hosted_badge_verifies_over_http_and_a_private_redirect_is_indeterminate() {
    let s = serve(Box::new(|path, port| {
        let b = format!("http://127.0.0.1:{port}");
        let doc = match path {
            "/issuer.json" => {
                json!({"@context": "https://w3id.org/openbadges/v2", "id": format!("{b}/issuer.json"), "type": "Issuer", "name": "I", "url": "https://example.org", "email": "i@example.org"})
            }
            "/badge.json" => {
                json!({"@context": "https://w3id.org/openbadges/v2", "id": format!("{b}/badge.json"), "type": "BadgeClass", "name": "B", "description": "d", "image": format!("{b}/i.png"), "criteria": {"narrative": "n"}, "issuer": format!("{b}/issuer.json")})
            }
            "/a.json" => {
                json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": format!("{b}/a.json"), "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"}, "badge": format!("{b}/badge.json"), "issuedOn": "2024-01-15T12:00:00Z", "verification": {"type": "HostedBadge"}})
            }
            "/moved.json" => return redirect("http://192.168.0.1/a.json"),
            _ => {
                return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec();
            }
        };
        ok(&serde_json::to_vec(&doc).unwrap(), "application/ld+json")
    }));
    let l = loader(s.port);
    let v = Verifier::new(&l).with_recipient(RecipientProfile::new().email("student@example.org"));
    let r = v.verify_url(&format!("http://127.0.0.1:{}/a.json", s.port));
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    let r = v.verify_url(&format!("http://127.0.0.1:{}/moved.json", s.port));
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
    assert!(r.has_error(Code::FetchFailed));
}
