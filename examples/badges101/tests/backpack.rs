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

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use badges101::{Config, PushState, Running, start};
use openbadges::backpack::export::api::{ApiTokens, SCOPE_READONLY, SCOPE_UPSERT};
use openbadges_test_support::http;
use serde_json::Value;

mod common;
use common::{TempDir, begin, earn, wait_port_free};

/// The page of the issued badge says it was sent and links the backpack.
fn badge_page_links_the_backpack(addr: SocketAddr, tok: &str) {
    let page = http::request(addr, "GET", &format!("/a/{tok}/badge"), &[], b"").text();
    assert!(page.contains("Sent to your backpack."), "{page}");
    assert!(page.contains(&format!("href=\"/a/{tok}/backpack\"")));
}

/// The backpack holds the badge, verified, for that learner; the page lists it and the zip
/// export carries it with the documents its verification loaded. Returns the zip.
fn backpack_holds_and_exports_it(running: &Running, tok: &str, uuid: &str) -> Vec<u8> {
    let addr = running.addr();
    let held = running.backpack_credentials();
    assert_eq!(
        held,
        vec![(
            format!("urn:uuid:{uuid}"),
            "valid".to_owned(),
            "ada@example.org".to_owned()
        )]
    );
    let bp = http::request(addr, "GET", &format!("/a/{tok}/backpack"), &[], b"");
    assert_eq!(bp.status, 200);
    let t = bp.text();
    assert!(t.contains("<h1>Your backpack</h1>"));
    assert!(t.contains("<strong>Badges 101</strong>"), "{t}");
    assert!(t.contains("verified"));
    assert!(t.contains("Download all (zip)"));
    assert!(t.contains("Ada@Example.org"));
    // The zip export of this learner's badges.
    let zip = http::request(addr, "GET", &format!("/a/{tok}/backpack.zip"), &[], b"");
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

    zip.body
}

/// Another learner sees only their own badge; before issuing, the backpack page sends the
/// learner back to the result.
fn each_learner_sees_only_their_own(running: &Running, first_zip: &[u8]) {
    let addr = running.addr();
    let tok2 = earn(addr, "bob@example.org");
    assert!(running.wait_for_pushes(Duration::from_secs(60)));
    let t2 = http::request(addr, "GET", &format!("/a/{tok2}/backpack"), &[], b"").text();
    assert_eq!(t2.matches("<strong>Badges 101</strong>").count(), 1);
    assert!(!t2.contains("Ada@Example.org"));
    let zip2 = http::request(addr, "GET", &format!("/a/{tok2}/backpack.zip"), &[], b"").body;
    assert_ne!(zip2, first_zip);
    // Before issuing, the backpack page sends the learner back to the result.
    let tok3 = begin(addr);
    assert_eq!(
        http::request(addr, "GET", &format!("/a/{tok3}/backpack"), &[], b"").status,
        303
    );
}

/// `Bearer` headers for the pre-issued upsert and read-only API tokens in `dir`.
fn api_tokens(dir: &Path) -> (String, String) {
    let tokens = ApiTokens::load_or_create(&dir.join("keys/api-tokens.json")).unwrap();
    let up = format!(
        "Bearer {}",
        tokens.token_for(SCOPE_UPSERT).unwrap().secret()
    );
    let ro = format!(
        "Bearer {}",
        tokens.token_for(SCOPE_READONLY).unwrap().secret()
    );
    (up, ro)
}

const API: &str = "/ims/ob/v3p0/credentials";

/// The API's upsert: the same credential again is 200; no or an unknown token 401, the
/// read-only token 403, a tampered credential 400, an oversized body 413.
fn api_upsert_guards_itself(addr: SocketAddr, dir: &Path, tok: &str, uuid: &str) {
    let (up, ro) = api_tokens(dir);
    let png = http::request(addr, "GET", &format!("/a/{tok}/badge/ob3.png"), &[], b"").body;
    let credential = openbadges::bake::extract(&png)
        .unwrap()
        .payload
        .into_bytes();
    let api = API;
    let json = ("Content-Type", "application/json");
    // The same credential again: 200, the credential back.
    let r = http::request(
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
        let r = http::request(addr, "POST", api, &h, &credential);
        assert_eq!(r.status, 401, "{auth:?}");
        assert!(r.header("WWW-Authenticate").unwrap().starts_with("Bearer"));
        assert_eq!(r.json()["imsx_codeMajor"], "failure");
    }
    // The read-only token cannot upsert: 403.
    let r = http::request(
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
    let r = http::request(
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
    let r = http::request(addr, "POST", api, &[json, ("Authorization", &up)], &big);
    assert_eq!(r.status, 413);
}

/// getCredentials lists both learners' credentials with the read-only token, pages, and
/// refuses without a token; DELETE is not allowed. Still two badges, each pushed once.
fn api_lists_credentials(running: &Running, dir: &Path) {
    let addr = running.addr();
    let (up, ro) = api_tokens(dir);
    let api = API;
    let r = http::request(addr, "GET", api, &[("Authorization", &ro)], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("X-Total-Count"), Some("2"));
    assert_eq!(r.json()["credential"].as_array().unwrap().len(), 2);
    let r = http::request(
        addr,
        "GET",
        &format!("{api}?limit=1"),
        &[("Authorization", &ro)],
        b"",
    );
    assert_eq!(r.json()["credential"].as_array().unwrap().len(), 1);
    assert!(r.header("Link").unwrap().contains("rel=\"next\""));
    assert_eq!(http::request(addr, "GET", api, &[], b"").status, 401);
    assert_eq!(
        http::request(addr, "DELETE", api, &[("Authorization", &up)], b"").status,
        405
    );
    // Still two badges, each pushed once.
    assert_eq!(running.backpack_credentials().len(), 2);
    assert!(running.pushes().values().all(|s| *s
        == PushState::Sent {
            status: 201,
            posts: 1
        }));
}

/// After a restart the backpack (SQLite in the data directory) still holds them; a push that
/// never arrived (here: the backpack lost) is sent on the next start.
fn restart_sends_the_pushes_that_never_arrived(running: Running, dir: &Path, tok: &str) {
    let addr = running.addr();
    let port = addr.port();
    running.shutdown();
    wait_port_free(port);
    // A push that never arrived (here: the backpack lost) is sent on the next start.
    std::fs::remove_dir_all(dir.join("backpack")).unwrap();
    let again = start(Config {
        port,
        data_dir: dir.to_path_buf(),
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
    let t = http::request(again.addr(), "GET", &format!("/a/{tok}/backpack"), &[], b"").text();
    assert!(t.contains("<strong>Badges 101</strong>"));
    again.shutdown();
}

#[test]
fn the_badge_is_pushed_once_listed_and_exported_and_the_api_guards_itself() {
    let dir = TempDir::new("badges101-backpack");
    let running = start(Config {
        port: 0,
        data_dir: dir.to_path_buf(),
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
    let uuid = uuid.clone();
    badge_page_links_the_backpack(addr, &tok);
    let zip = backpack_holds_and_exports_it(&running, &tok, &uuid);
    each_learner_sees_only_their_own(&running, &zip);
    api_upsert_guards_itself(addr, &dir, &tok, &uuid);
    api_lists_credentials(&running, &dir);
    restart_sends_the_pushes_that_never_arrived(running, &dir, &tok);
}
