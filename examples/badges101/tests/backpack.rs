//! "Send to backpack" over real HTTP on loopback: the app pushes the issued OB 3.0 credential to
//! its own OB 3.0 API (`POST /ims/ob/v3p0/credentials`) once; the learner's backpack page lists
//! it and offers the zip export; the API refuses missing/wrong tokens (401), the wrong scope
//! (403), a tampered credential (400), an oversized body (413), and reports a re-push (200).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use badges101::{Config, PushState, start};
use openbadges::backpack::export::api::{ApiTokens, SCOPE_READONLY, SCOPE_UPSERT};
use serde_json::Value;

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Resp {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

const FORM: (&str, &str) = ("Content-Type", "application/x-www-form-urlencoded");

/// A learner's whole flow up to the issued badge; returns the attempt token.
fn earn(addr: SocketAddr, email: &str) -> String {
    let r = request(addr, "POST", "/start", &[FORM], b"");
    assert_eq!(r.status, 303);
    let tok = r.header("Location").unwrap()[3..35].to_owned();
    for item in [
        "learning-everywhere",
        "degree-skill-set",
        "resumes-validated",
    ] {
        let body = format!("item={item}&answer=true");
        let r = request(
            addr,
            "POST",
            &format!("/a/{tok}/answer"),
            &[FORM],
            body.as_bytes(),
        );
        assert_eq!(r.status, 303);
    }
    assert_eq!(
        request(addr, "GET", &format!("/a/{tok}/result"), &[], b"").status,
        200
    );
    let body = format!("email={}", email.replace('@', "%40"));
    let r = request(
        addr,
        "POST",
        &format!("/a/{tok}/issue"),
        &[FORM],
        body.as_bytes(),
    );
    assert_eq!(r.status, 303);
    tok
}

#[test]
fn the_badge_is_pushed_once_listed_and_exported_and_the_api_guards_itself() {
    let dir = std::env::temp_dir().join(format!("badges101-backpack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let running = start(Config {
        port: 0,
        data_dir: dir.clone(),
        threads: 2,
        ..Config::default()
    })
    .unwrap();
    let addr = running.addr();
    let tok = earn(addr, "Ada@Example.org");
    assert!(running.wait_for_pushes(Duration::from_secs(60)));
    let pushes = running.pushes();
    assert_eq!(pushes.len(), 1);
    let (uuid, state) = pushes.iter().next().unwrap();
    assert_eq!(
        *state,
        PushState::Sent {
            status: 201,
            posts: 1
        },
        "{state:?}"
    );

    // The badge page says so and links the backpack.
    let page = request(addr, "GET", &format!("/a/{tok}/badge"), &[], b"").text();
    assert!(page.contains("Sent to your backpack."), "{page}");
    assert!(page.contains(&format!("href=\"/a/{tok}/backpack\"")));

    // The backpack holds it, verified, for that learner.
    let held = running.backpack_credentials();
    assert_eq!(
        held,
        vec![(
            format!("urn:uuid:{uuid}"),
            "valid".to_owned(),
            "ada@example.org".to_owned()
        )]
    );
    let bp = request(addr, "GET", &format!("/a/{tok}/backpack"), &[], b"");
    assert_eq!(bp.status, 200);
    let t = bp.text();
    assert!(t.contains("<h2>Your backpack</h2>"));
    assert!(t.contains("<strong>Badges 101</strong>"), "{t}");
    assert!(t.contains("verified"));
    assert!(t.contains("Download all (zip)"));
    assert!(t.contains("Ada@Example.org"));
    // The zip export of this learner's badges.
    let zip = request(addr, "GET", &format!("/a/{tok}/backpack.zip"), &[], b"");
    assert_eq!(zip.status, 200);
    assert_eq!(zip.header("Content-Type"), Some("application/zip"));
    assert!(zip.body.starts_with(b"PK\x03\x04"));
    assert!(zip.body.windows(13).any(|w| w == b"manifest.json"));
    // Self-contained: the documents the push's verification loaded (the status list; the key
    // is in the verification method's fragment) travel with the badges.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.body.clone())).unwrap();
    let index: serde_json::Value =
        serde_json::from_reader(archive.by_name("documents/index.json").unwrap()).unwrap();
    let urls: Vec<&str> = index["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["url"].as_str())
        .collect();
    assert!(
        urls.iter().any(|u| u.contains("/status/")),
        "the status list was not kept: {urls:?}"
    );

    // Another learner sees only their own badge.
    let tok2 = earn(addr, "bob@example.org");
    assert!(running.wait_for_pushes(Duration::from_secs(60)));
    let t2 = request(addr, "GET", &format!("/a/{tok2}/backpack"), &[], b"").text();
    assert_eq!(t2.matches("<strong>Badges 101</strong>").count(), 1);
    assert!(!t2.contains("Ada@Example.org"));
    let zip2 = request(addr, "GET", &format!("/a/{tok2}/backpack.zip"), &[], b"").body;
    assert_ne!(zip2, zip.body);
    // Before issuing, the backpack page sends the learner back to the result.
    let r = request(addr, "POST", "/start", &[FORM], b"");
    let tok3 = &r.header("Location").unwrap()[3..35];
    assert_eq!(
        request(addr, "GET", &format!("/a/{tok3}/backpack"), &[], b"").status,
        303
    );

    // The API itself, with the pre-issued tokens from the data directory.
    let tokens = ApiTokens::load_or_create(&dir.join("keys/api-tokens.json")).unwrap();
    let up = format!(
        "Bearer {}",
        tokens.token_for(SCOPE_UPSERT).unwrap().secret()
    );
    let ro = format!(
        "Bearer {}",
        tokens.token_for(SCOPE_READONLY).unwrap().secret()
    );
    let png = request(addr, "GET", &format!("/a/{tok}/badge/ob3.png"), &[], b"").body;
    let credential = openbadges::bake::extract(&png)
        .unwrap()
        .payload
        .into_bytes();
    let api = "/ims/ob/v3p0/credentials";
    let json = ("Content-Type", "application/json");
    // The same credential again: 200, the credential back.
    let r = request(
        addr,
        "POST",
        api,
        &[json, ("Authorization", &up)],
        &credential,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], format!("urn:uuid:{uuid}"));
    // No token, an unknown token: 401 with a Bearer challenge.
    for auth in [None, Some("Bearer nope"), Some("Basic YTpi")] {
        let mut h = vec![json];
        if let Some(a) = auth {
            h.push(("Authorization", a));
        }
        let r = request(addr, "POST", api, &h, &credential);
        assert_eq!(r.status, 401, "{auth:?}");
        assert!(r.header("WWW-Authenticate").unwrap().starts_with("Bearer"));
        assert_eq!(r.json()["imsx_codeMajor"], "failure");
    }
    // The read-only token cannot upsert: 403.
    let r = request(
        addr,
        "POST",
        api,
        &[json, ("Authorization", &ro)],
        &credential,
    );
    assert_eq!(r.status, 403);
    assert!(
        r.header("WWW-Authenticate")
            .unwrap()
            .contains("insufficient_scope")
    );
    // A tampered credential (another achievement name under the same proof): 400.
    let mut forged: Value = serde_json::from_slice(&credential).unwrap();
    forged["credentialSubject"]["achievement"]["name"] = "Badges 102".into();
    let r = request(
        addr,
        "POST",
        api,
        &[json, ("Authorization", &up)],
        forged.to_string().as_bytes(),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    let v = r.json();
    assert_eq!(
        v["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"],
        "invalid_data"
    );
    assert!(
        v["imsx_description"].as_str().unwrap().contains("invalid"),
        "{v}"
    );
    // Over the size cap: 413.
    let big = vec![b' '; 1024 * 1024 + 1];
    let r = request(addr, "POST", api, &[json, ("Authorization", &up)], &big);
    assert_eq!(r.status, 413);
    // getCredentials with the read-only token lists both learners' credentials; not with none.
    let r = request(addr, "GET", api, &[("Authorization", &ro)], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Total-Count"), Some("2"));
    assert_eq!(r.json()["credential"].as_array().unwrap().len(), 2);
    let r = request(
        addr,
        "GET",
        &format!("{api}?limit=1"),
        &[("Authorization", &ro)],
        b"",
    );
    assert_eq!(r.json()["credential"].as_array().unwrap().len(), 1);
    assert!(r.header("Link").unwrap().contains("rel=\"next\""));
    assert_eq!(request(addr, "GET", api, &[], b"").status, 401);
    assert_eq!(
        request(addr, "DELETE", api, &[("Authorization", &up)], b"").status,
        405
    );
    // Still two badges, each pushed once.
    assert_eq!(running.backpack_credentials().len(), 2);
    assert!(running.pushes().values().all(|s| *s
        == PushState::Sent {
            status: 201,
            posts: 1
        }));

    // After a restart the backpack (SQLite in the data directory) still holds them.
    let port = addr.port();
    running.shutdown();
    for _ in 0..100 {
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // A push that never arrived (here: the backpack lost) is sent on the next start.
    std::fs::remove_dir_all(dir.join("backpack")).unwrap();
    let again = start(Config {
        port,
        data_dir: dir.clone(),
        threads: 2,
        ..Config::default()
    })
    .unwrap();
    assert!(again.wait_for_pushes(Duration::from_secs(60)));
    let re = again.pushes();
    assert_eq!(re.len(), 2);
    assert!(re.values().all(|s| *s
        == PushState::Sent {
            status: 201,
            posts: 1
        }));
    let t = request(again.addr(), "GET", &format!("/a/{tok}/backpack"), &[], b"").text();
    assert!(t.contains("<strong>Badges 101</strong>"));
    again.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
