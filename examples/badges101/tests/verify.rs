//! The "Verify a badge" page over real loopback HTTP: multipart posts to `/verify` of badges the
//! app issued through the learner flow — valid, tampered, revoked, issued by an instance that
//! cannot be reached —, the email check, nothing stored, and the body limit.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::Path;

use badges101::Policy;
use common::{ClientResponse, TempDir, app, earn, get};

const BOUNDARY: &str = "badges101-verify-test-boundary";

/// One multipart/form-data field: name, file name (for a file), content.
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

/// POST /verify with the multipart form `parts`.
fn verify(addr: SocketAddr, parts: &[Part<'_>]) -> ClientResponse {
    let mut body = Vec::new();
    for (name, file, data) in parts {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some(f) = file {
            body.extend_from_slice(
                format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream").as_bytes(),
            );
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={BOUNDARY}");
    openbadges_test_support::http::request(
        addr,
        "POST",
        "/verify",
        &[("Content-Type", ct.as_str())],
        &body,
    )
}

/// The page's text.
fn text(r: &ClientResponse) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

/// The page's one `h1`.
fn h1(page: &str) -> String {
    assert_eq!(page.matches("<h1").count(), 1, "{page}");
    let start = page.find("<h1>").unwrap() + 4;
    let end = page[start..].find("</h1>").unwrap() + start;
    page[start..end].to_owned()
}

/// The `<title>`.
fn title(page: &str) -> String {
    let start = page.find("<title>").unwrap() + 7;
    let end = page[start..].find("</title>").unwrap() + start;
    page[start..end].to_owned()
}

/// The baked OB 3.0 PNG of attempt `tok` (the "Download your badge" file).
fn download(addr: SocketAddr, tok: &str) -> Vec<u8> {
    let r = get(addr, &format!("/a/{tok}/badge/ob3.png"));
    assert_eq!(r.status, 200);
    r.body
}

/// The credential baked in `png`, as text.
fn baked_json(png: &[u8]) -> String {
    openbadges::bake::extract(png).unwrap().payload
}

#[test]
fn the_empty_page_has_the_form() {
    let dir = TempDir::new("b101-verify-empty");
    let running = app(dir.path(), Policy::Completion);
    let r = get(running.addr(), "/verify");
    assert_eq!(r.status, 200);
    let page = text(&r);
    assert_eq!(h1(&page), "Verify a badge");
    assert_eq!(title(&page), "Verify a badge — Badges 101");
    for needle in [
        "<label for=\"file\">Badge file</label>",
        "<label for=\"text\">Badge JSON or JWT</label>",
        "<label for=\"email\">Email to check (optional)</label>",
        "enctype=\"multipart/form-data\"",
        ">Verify</button>",
    ] {
        assert!(page.contains(needle), "{needle}");
    }
    // Nothing sent: the form again, saying what to do.
    let r = verify(
        running.addr(),
        &[("text", None, b"  "), ("email", None, b"")],
    );
    assert_eq!(r.status, 400);
    assert!(text(&r).contains("Choose a badge file or paste a badge"));
}

#[test]
fn a_badge_the_app_issued_is_valid_and_the_email_check_answers_yes_or_no() {
    let dir = TempDir::new("b101-verify-valid");
    let running = app(dir.path(), Policy::Completion);
    let addr = running.addr();
    let tok = earn(addr, "learner@example.org");
    let png = download(addr, &tok);

    let r = verify(addr, &[("file", Some("ob3.png"), &png)]);
    assert_eq!(r.status, 200);
    let page = text(&r);
    assert_eq!(h1(&page), "Valid badge", "{page}");
    assert_eq!(title(&page), "Valid badge — Verify a badge — Badges 101");
    for needle in [
        "class=\"verdict valid\"",
        "The signature matches the issuer&#39;s key.",
        "The badge has not been revoked.",
        "Badges 101",
        "An email address, kept private as a hash: sha256$",
        "The raw JSON report",
        "href=\"data:application/json;base64,",
    ] {
        assert!(page.contains(needle), "{needle} in {page}");
    }
    assert!(!page.contains("learner@example.org"), "{page}");

    // Pasted as JSON, with the right address: issued to it.
    let json = baked_json(&png);
    let r = verify(
        addr,
        &[
            ("text", None, json.as_bytes()),
            ("email", None, b"Learner@Example.org"),
        ],
    );
    let page = text(&r);
    assert_eq!(h1(&page), "Valid badge", "{page}");
    assert!(
        page.contains("Issued to Learner@Example.org: yes"),
        "{page}"
    );

    // Another address: not issued to it, so not a valid badge of theirs.
    let r = verify(
        addr,
        &[
            ("file", Some("ob3.png"), &png),
            ("email", None, b"someone@example.org"),
        ],
    );
    let page = text(&r);
    assert_eq!(h1(&page), "Invalid badge", "{page}");
    assert!(page.contains("Issued to someone@example.org: no"), "{page}");

    // Every download (the SVG too) verifies the same way (the OB 2.0 forms through the app's own hosted
    // documents, answered from its database).
    for form in ["ob3-jwt.png", "ob2.png", "ob2-signed.png", "ob3.svg"] {
        let b = get(addr, &format!("/a/{tok}/badge/{form}")).body;
        let page = text(&verify(addr, &[("file", Some(form), &b)]));
        assert_eq!(h1(&page), "Valid badge", "{form}: {page}");
    }
}

#[test]
fn one_byte_changed_is_invalid() {
    let dir = TempDir::new("b101-verify-tampered");
    let running = app(dir.path(), Policy::Completion);
    let addr = running.addr();
    let tok = earn(addr, "learner@example.org");
    let json = baked_json(&download(addr, &tok));
    let tampered = json.replacen("Badges 101", "Badges 102", 1);
    assert_ne!(json, tampered);
    let r = verify(addr, &[("file", Some("badge.json"), tampered.as_bytes())]);
    assert_eq!(r.status, 200);
    let page = text(&r);
    assert_eq!(h1(&page), "Invalid badge", "{page}");
    assert!(page.contains("class=\"verdict invalid\""));
    assert!(
        page.contains("The signature does not match the issuer&#39;s key"),
        "{page}"
    );
}

#[test]
fn a_revoked_badge_is_invalid_and_says_revoked() {
    let dir = TempDir::new("b101-verify-revoked");
    let running = app(dir.path(), Policy::Completion);
    let addr = running.addr();
    let tok = earn(addr, "learner@example.org");
    let png = download(addr, &tok);
    let issued = running.app().issued().unwrap();
    let uuid = issued.keys().next().unwrap();
    running
        .app()
        .revoke(uuid, Some("awarded in error"))
        .unwrap();
    let page = text(&verify(addr, &[("file", Some("ob3.png"), &png)]));
    assert_eq!(h1(&page), "Invalid badge", "{page}");
    assert!(page.contains("The issuer has revoked the badge."), "{page}");
}

#[test]
fn a_badge_whose_issuer_cannot_be_reached_could_not_be_checked() {
    // Issued by another instance; from this one, its address is loopback, which the
    // verifier's guard refuses to fetch (as it would any private address).
    let other_dir = TempDir::new("b101-verify-other");
    let other = app(other_dir.path(), Policy::Completion);
    let tok = earn(other.addr(), "learner@example.org");
    let png = download(other.addr(), &tok);
    drop(other);

    let dir = TempDir::new("b101-verify-unreachable");
    let running = app(dir.path(), Policy::Completion);
    let page = text(&verify(running.addr(), &[("file", Some("ob3.png"), &png)]));
    assert_eq!(h1(&page), "Badge could not be checked", "{page}");
    assert!(page.contains("class=\"verdict unknown\""));
    assert!(page.contains("Could not check"));
    assert!(!page.contains("Invalid"), "{page}");

    // A hosted assertion at an address that does not exist.
    let page = text(&verify(
        running.addr(),
        &[("text", None, b"https://issuer.invalid/assertions/1.json")],
    ));
    assert_eq!(h1(&page), "Badge could not be checked", "{page}");
}

/// Every file under `dir` (relative paths).
fn files(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else {
                out.insert(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out
}

/// Row counts of every table of the app's SQLite database.
fn row_counts(dir: &Path) -> Vec<(String, i64)> {
    let url = format!("sqlite:{}", dir.join(badges101::DATABASE_FILE).display());
    let tables = common::query(
        &url,
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    );
    tables
        .iter()
        .map(|row| {
            let name = match &row[0] {
                openbadges::store::SqlValue::Text(t) => t.clone(),
                other => panic!("{other:?}"),
            };
            let n = match &common::query(&url, &format!("SELECT COUNT(*) FROM \"{name}\""))[0][0] {
                openbadges::store::SqlValue::Integer(n) => *n,
                other => panic!("{other:?}"),
            };
            (name, n)
        })
        .collect()
}

#[test]
fn what_is_uploaded_is_not_stored() {
    let dir = TempDir::new("b101-verify-nothing-stored");
    let running = app(dir.path(), Policy::Completion);
    let addr = running.addr();
    let tok = earn(addr, "learner@example.org");
    let png = download(addr, &tok);
    assert!(running.wait_for_pushes(std::time::Duration::from_secs(10)));
    let rows = row_counts(dir.path());
    assert!(rows.iter().any(|(_, n)| *n > 0), "{rows:?}");
    let before = files(dir.path());
    for _ in 0..3 {
        let page = text(&verify(
            addr,
            &[
                ("file", Some("ob3.png"), &png),
                ("email", None, b"learner@example.org"),
            ],
        ));
        assert_eq!(h1(&page), "Valid badge");
    }
    assert_eq!(row_counts(dir.path()), rows);
    assert_eq!(files(dir.path()), before);
}

#[test]
fn more_than_the_limit_is_413() {
    let dir = TempDir::new("b101-verify-413");
    let running = app(dir.path(), Policy::Completion);
    let big = vec![b'a'; 3 * 1024 * 1024];
    let r = verify(running.addr(), &[("file", Some("big.json"), &big)]);
    assert_eq!(r.status, 413);
    // And the app still answers.
    assert_eq!(get(running.addr(), "/verify").status, 200);
}

#[test]
fn only_data_or_own_images_are_shown() {
    let dir = TempDir::new("b101-verify-images");
    let running = app(dir.path(), Policy::Completion);
    let badge = |image: &str| {
        format!(
            r#"{{"@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:00000000-0000-4000-8000-000000000001",
  "issuer": {{"id": "https://issuer.example/", "type": ["Profile"], "name": "Someone"}},
  "validFrom": "2026-01-02T00:00:00Z",
  "credentialSubject": {{"type": ["AchievementSubject"], "achievement": {{"id": "https://issuer.example/a",
    "type": ["Achievement"], "name": "A badge", "description": "d", "criteria": {{"narrative": "n"}},
    "image": {{"id": "{image}", "type": "Image"}}}}}}}}"#
        )
    };
    // Elsewhere: not loaded (that host would learn who looks at the badge).
    let page = text(&verify(
        running.addr(),
        &[(
            "text",
            None,
            badge("https://tracker.example/pixel.png").as_bytes(),
        )],
    ));
    assert_eq!(h1(&page), "Invalid badge", "{page}");
    assert!(page.contains("A badge") && page.contains("2 January 2026"));
    assert!(!page.contains("<img"), "{page}");
    // A data: image is shown.
    let data = "data:image/png;base64,iVBORw0KGgo=";
    let page = text(&verify(
        running.addr(),
        &[("text", None, badge(data).as_bytes())],
    ));
    assert!(
        page.contains(&format!("<img class=\"achievement-image\" src=\"{data}\"")),
        "{page}"
    );
}
