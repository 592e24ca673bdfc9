//! The guarded HTTP loader against a loopback server started by the test: redirects to private addresses, oversize responses, redirect loops,
//! timeouts, 410 Gone, and a hosted badge verified end to end over HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use openbadges_proof::loader::{DocumentLoader, HttpLoader, LoadError};
use openbadges_proof::report::{Code, Status};
use openbadges_proof::verify::{RecipientProfile, Verifier};
use openbadges_test_support::http::{Request, Response, Server};
use serde_json::json;

/// The answers of the loopback server the loader tests fetch from.
fn routes(req: &Request) -> Response {
    let port = req.local_addr.port();
    match req.path.as_str() {
        "/ok.json" => Response::ok(
            br#"{"hello": "world"}"#.to_vec(),
            "application/json; charset=utf-8",
        ),
        "/big" => Response::ok(vec![b' '; 2 * 1024 * 1024], "application/json"),
        "/big-unsized" => {
            let mut v =
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                    .to_vec();
            v.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
            Response::Raw(v)
        }
        "/to-metadata" => Response::redirect(302, "http://169.254.169.254/latest/meta-data/"),
        "/to-private" => Response::redirect(302, "http://10.0.0.1/x"),
        "/to-other-port" => Response::redirect(
            302,
            &format!("http://127.0.0.1:{}/ok.json", port.wrapping_add(1)),
        ),
        "/to-ok" => Response::redirect(302, "/ok.json"),
        "/loop" => Response::redirect(302, "/loop"),
        "/gone" => Response::Http {
            status: 410,
            headers: Vec::new(),
            body: Vec::new(),
        },
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            Response::ok(b"{}".to_vec(), "application/json")
        }
        _ => Response::not_found(),
    }
}

fn serve() -> Server {
    Server::start(routes)
}

fn loader(port: u16) -> HttpLoader {
    HttpLoader::new()
        .unwrap()
        .allow_host(&format!("127.0.0.1:{port}"))
        .unwrap()
}

#[test]
fn loopback_is_refused_unless_allowed() {
    let s = serve();
    let url = format!("http://127.0.0.1:{}/ok.json", s.port());
    assert!(matches!(
        HttpLoader::new().unwrap().load(&url),
        Err(LoadError::Refused { .. })
    ));
    let d = loader(s.port()).load(&url).unwrap();
    assert_eq!(&*d.body, br#"{"hello": "world"}"#);
    assert_eq!(d.content_type.as_deref(), Some("application/json"));
}

#[test]
fn redirects_to_private_addresses_are_refused_at_every_hop() {
    let s = serve();
    let l = loader(s.port());
    for p in ["/to-metadata", "/to-private", "/to-other-port"] {
        let r = l.load(&format!("http://127.0.0.1:{}{p}", s.port()));
        assert!(matches!(r, Err(LoadError::Refused { .. })), "{p}: {r:?}");
    }
    let d = l
        .load(&format!("http://127.0.0.1:{}/to-ok", s.port()))
        .unwrap();
    assert!(d.final_url.ends_with("/ok.json"));
    let r = l.load(&format!("http://127.0.0.1:{}/loop", s.port()));
    assert!(
        matches!(r, Err(LoadError::TooManyRedirects { .. })),
        "{r:?}"
    );
}

#[test]
fn oversize_responses_are_refused_with_and_without_content_length() {
    let s = serve();
    let l = loader(s.port());
    for p in ["/big", "/big-unsized"] {
        let r = l.load(&format!("http://127.0.0.1:{}{p}", s.port()));
        assert!(matches!(r, Err(LoadError::TooLarge { .. })), "{p}: {r:?}");
    }
}

#[test]
fn slow_servers_time_out_and_gone_is_gone() {
    let s = serve();
    let l = loader(s.port())
        .timeout(Duration::from_millis(700))
        .unwrap();
    let t = Instant::now();
    let r = l.load(&format!("http://127.0.0.1:{}/slow", s.port()));
    assert!(matches!(r, Err(LoadError::TimedOut { .. })), "{r:?}");
    assert!(t.elapsed() < Duration::from_secs(3));
    let r = l.load(&format!("http://127.0.0.1:{}/gone", s.port()));
    assert!(matches!(r, Err(LoadError::Gone { .. })), "{r:?}");
}

#[test]
fn a_hosted_badge_verifies_over_http_and_a_private_redirect_is_indeterminate() {
    let s = Server::start(|req| {
        let b = format!("http://{}", req.local_addr);
        let doc = match req.path.as_str() {
            "/issuer.json" => {
                json!({"@context": "https://w3id.org/openbadges/v2", "id": format!("{b}/issuer.json"), "type": "Issuer", "name": "I", "url": "https://example.org", "email": "i@example.org"})
            }
            "/badge.json" => {
                json!({"@context": "https://w3id.org/openbadges/v2", "id": format!("{b}/badge.json"), "type": "BadgeClass", "name": "B", "description": "d", "image": format!("{b}/i.png"), "criteria": {"narrative": "n"}, "issuer": format!("{b}/issuer.json")})
            }
            "/a.json" => {
                json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": format!("{b}/a.json"), "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"}, "badge": format!("{b}/badge.json"), "issuedOn": "2024-01-15T12:00:00Z", "verification": {"type": "HostedBadge"}})
            }
            "/moved.json" => return Response::redirect(302, "http://192.168.0.1/a.json"),
            _ => return Response::not_found(),
        };
        Response::ok(serde_json::to_vec(&doc).unwrap(), "application/ld+json")
    });
    let l = loader(s.port());
    let v = Verifier::new(&l).with_recipient(RecipientProfile::new().email("student@example.org"));
    let r = v.verify_url(&format!("http://127.0.0.1:{}/a.json", s.port()));
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    let r = v.verify_url(&format!("http://127.0.0.1:{}/moved.json", s.port()));
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
    assert!(r.has_error(Code::FetchFailed));
}
