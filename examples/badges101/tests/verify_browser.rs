//! The "Verify a badge" page in headless Chromium, as a visitor uses it: a badge file chosen
//! through the real file input (`DOM.setFileInputFiles`) or a badge pasted into the textarea,
//! the Verify button pressed, the verdict read — for a valid badge, a tampered one, a revoked
//! one and one whose issuer cannot be reached — and axe-core on the empty page and on each
//! verdict (no serious or critical violation). Skipped (with a message) when no `chromium` is
//! installed, unless `BADGES101_REQUIRE_BROWSER` is set. The harness is `common::browser`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::path::Path;

use badges101::Policy;
use common::browser::{Browser, find_chromium};
use common::{TempDir, app, earn, get};
use serde_json::json;

/// The baked OB 3.0 PNG of attempt `tok` (the "Download your badge" file).
fn download(addr: std::net::SocketAddr, tok: &str) -> Vec<u8> {
    let r = get(addr, &format!("/a/{tok}/badge/ob3.png"));
    assert_eq!(r.status, 200);
    r.body
}

/// Chooses `file` in the page's "Badge file" input, as the file picker does.
fn choose_file(b: &mut Browser, file: &Path) {
    let doc = b.call("DOM.getDocument", json!({}));
    let input = b.call(
        "DOM.querySelector",
        json!({"nodeId": doc["root"]["nodeId"], "selector": "input[type=file]"}),
    );
    b.call(
        "DOM.setFileInputFiles",
        json!({"nodeId": input["nodeId"], "files": [file.display().to_string()]}),
    );
    assert_eq!(
        b.eval("document.getElementById('file').files.length"),
        json!(1)
    );
}

/// Presses Verify and waits for the result page; returns its one `h1`.
fn press_verify(b: &mut Browser) -> String {
    b.mark_page();
    b.click_button("Verify");
    b.wait_for_new_page();
    let h1s = b.h1s();
    assert_eq!(h1s.len(), 1, "{h1s:?}");
    h1s[0].clone()
}

/// Back to the empty form.
fn open_the_form(b: &mut Browser, base: &str) {
    b.navigate(&format!("{base}verify"));
    assert_eq!(b.h1s(), ["Verify a badge"]);
}

#[test]
fn each_verdict_in_headless_chromium() {
    let Some(chromium) = find_chromium() else {
        return;
    };
    let dir = TempDir::new("b101-verify-browser");
    let running = app(&dir.path().join("app"), Policy::Completion);
    let addr = running.addr();
    let base = running.url().to_owned();
    let tok = earn(addr, "learner@example.org");
    let png = download(addr, &tok);
    let badge_file = dir.path().join("my-badge.png");
    std::fs::write(&badge_file, &png).unwrap();

    // The empty page.
    let mut b = Browser::open(&chromium, dir.path(), &format!("{base}verify"));
    b.wait_for_path("/verify");
    assert_eq!(b.h1s(), ["Verify a badge"]);
    assert_eq!(b.title(), "Verify a badge — Badges 101");
    b.assert_accessible("verify: empty");
    b.screenshots("verify-empty");

    // Valid: the downloaded badge through the file input, with the learner's address.
    choose_file(&mut b, &badge_file);
    b.eval("document.getElementById('email').value = 'learner@example.org'");
    assert_eq!(press_verify(&mut b), "Valid badge");
    assert_eq!(b.title(), "Valid badge — Verify a badge — Badges 101");
    let text = b.text();
    assert!(text.contains("Valid"), "{text}");
    assert!(
        text.contains("Issued to learner@example.org: yes"),
        "{text}"
    );
    assert!(
        text.contains("The signature matches the issuer's key."),
        "{text}"
    );
    b.assert_accessible("verify: valid");
    b.screenshots("verify-valid");

    // Tampered: the credential pasted with one byte changed.
    open_the_form(&mut b, &base);
    let json = openbadges::bake::extract(&png).unwrap().payload;
    let tampered = json.replacen("Badges 101", "Badges 102", 1);
    b.eval("document.getElementById('text').focus()");
    b.insert_text(&tampered);
    assert_eq!(press_verify(&mut b), "Invalid badge");
    assert_eq!(b.title(), "Invalid badge — Verify a badge — Badges 101");
    let text = b.text();
    assert!(
        text.contains("The signature does not match the issuer's key"),
        "{text}"
    );
    b.assert_accessible("verify: tampered");
    b.screenshots("verify-invalid");

    // Revoked: the same file after the issuer revoked the badge.
    let uuid = running.app().issued().unwrap().into_keys().next().unwrap();
    running
        .app()
        .revoke(&uuid, Some("awarded in error"))
        .unwrap();
    open_the_form(&mut b, &base);
    choose_file(&mut b, &badge_file);
    assert_eq!(press_verify(&mut b), "Invalid badge");
    let text = b.text();
    assert!(text.contains("The issuer has revoked the badge."), "{text}");
    b.assert_accessible("verify: revoked");

    // Could not check: a badge of another instance, whose (loopback) address the verifier's
    // guard does not fetch.
    let other = app(&dir.path().join("other"), Policy::Completion);
    let other_tok = earn(other.addr(), "learner@example.org");
    let other_file = dir.path().join("other-badge.png");
    std::fs::write(&other_file, download(other.addr(), &other_tok)).unwrap();
    drop(other);
    open_the_form(&mut b, &base);
    choose_file(&mut b, &other_file);
    assert_eq!(press_verify(&mut b), "Badge could not be checked");
    assert_eq!(
        b.title(),
        "Badge could not be checked — Verify a badge — Badges 101"
    );
    let text = b.text();
    assert!(text.contains("Could not check"), "{text}");
    assert!(!text.contains("Invalid"), "{text}");
    b.assert_accessible("verify: could not check");
    b.screenshots("verify-could-not-check");
}
