//! The real pages in headless Chromium (Debian's `chromium`), driven over the DevTools protocol
//! on a pipe (no extra crates): answer the three questions, read each explanation, submit an
//! email, follow "Download your badge", and verify the download. Skipped (with a message) when
//! no `chromium` is installed. The harness is `common::browser`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use badges101::{Config, Running, start};
use openbadges::Verifier;
use openbadges::proof::report::Status;
use serde_json::json;

mod common;
use common::browser::{Browser, find_chromium};
use common::get;

/// The body of `GET path` from the app, which must answer 200.
fn http_get(addr: std::net::SocketAddr, path: &str) -> Vec<u8> {
    let r = get(addr, path);
    assert_eq!(r.status, 200);
    r.body
}

/// Opens the app's intro page in a new tab of a headless Chromium (profile under `dir`).
fn open_the_intro(chromium: &str, dir: &Path, base: &str) -> Browser {
    let mut b = Browser::open(chromium, dir, base);
    b.wait_for_path("/");
    assert!(
        b.text()
            .contains("Helping learners everywhere display skills")
    );
    b.assert_accessible("home");
    b.screenshots("1-intro");
    b
}

/// From the intro to the second lesson.
fn read_the_two_lessons(b: &mut Browser, base: &str) {
    b.click_button("Get started");
    b.wait_for_path("/a/*");
    assert!(b.text().contains("Learning today happens everywhere."));
    b.screenshots("2-lesson-1");
    let next = b.link("Next");
    b.call("Page.navigate", json!({"url": next}));
    b.wait_for_path(next.strip_prefix(base.trim_end_matches('/')).unwrap());
    assert!(b.text().contains("Open Badge Infrastructure"));
    b.screenshots("3-lesson-2");
}

/// The three questions: no answer before answering, then the verdict and explanation.
fn answer_the_three_questions(b: &mut Browser, base: &str) {
    let answers = [
        (
            "True",
            "That's right!",
            "Answer: True. There are countless examples",
        ),
        (
            "True",
            "That's wrong!",
            "Answer: False. While degrees do convey",
        ),
        (
            "False",
            "That's right!",
            "Answer: False. Resumes are documents",
        ),
    ];
    for (i, (click, verdict, explanation)) in answers.iter().enumerate() {
        let next = b.link("Next");
        let path = next
            .strip_prefix(base.trim_end_matches('/'))
            .unwrap()
            .to_owned();
        b.call("Page.navigate", json!({"url": next}));
        b.wait_for_path(&path);
        let t = b.text();
        assert!(t.contains("Your First Badge"), "{t}");
        assert!(!t.contains("Answer:"), "no answer before answering: {t}");
        b.screenshots(&format!("{}-question-{}", 4 + 2 * i, i + 1));
        b.click_button(click);
        // The same page again, now with the verdict and the explanation.
        let deadline = Instant::now() + Duration::from_secs(30);
        while !b.text().contains(verdict) {
            assert!(Instant::now() < deadline, "no {verdict:?}: {}", b.text());
            std::thread::sleep(Duration::from_millis(50));
        }
        b.wait_for_path(&path);
        assert!(b.text().contains(explanation), "{}", b.text());
        b.screenshots(&format!("{}-answer-{}", 5 + 2 * i, i + 1));
    }
}

/// The result page congratulates; the email form sends the badge, the app pushes it to its
/// backpack and the badge page says so.
fn earn_and_send_to_the_backpack(b: &mut Browser, base: &str, running: &Running, email: &str) {
    let next = b.link("Next");
    b.call("Page.navigate", json!({"url": next}));
    b.wait_for_path(next.strip_prefix(base.trim_end_matches('/')).unwrap());
    let t = b.text();
    assert!(
        t.contains("Congratulations! You’ve just earned the Badges 101 badge!"),
        "{t}"
    );
    assert_eq!(
        b.eval("document.querySelector('label[for=email]').textContent"),
        json!("Email")
    );
    b.screenshots("10-congratulations");
    b.eval(&format!(
        "document.getElementById('email').value = {}",
        json!(email)
    ));
    b.click_button("Send to backpack");
    b.wait_for_path("/a/*");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !b.text().contains("Download your badge") {
        assert!(Instant::now() < deadline, "{}", b.text());
        std::thread::sleep(Duration::from_millis(50));
    }
    // "Send to backpack": the app pushed the credential to its own OB 3.0 API; once the push is
    // done the badge page says so.
    assert!(running.wait_for_pushes(Duration::from_secs(60)));
    b.call("Page.reload", json!({}));
    let deadline = Instant::now() + Duration::from_secs(30);
    while !b.text().contains("Sent to your backpack.") {
        assert!(Instant::now() < deadline, "{}", b.text());
        std::thread::sleep(Duration::from_millis(50));
    }
    b.wait_for_images();
    b.screenshots("11-badge");
}

/// Clicks the download link and waits for the file in `dir/downloads`: the same bytes as the
/// app serves at the link. Returns them.
fn download_the_badge(b: &mut Browser, dir: &Path, base: &str, addr: SocketAddr) -> Vec<u8> {
    // Download through the browser: click the link, wait for the file.
    let downloads = dir.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let session = b.session.take();
    b.call(
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.display().to_string()}),
    );
    b.session = session;
    let href = b.link("Download your badge");
    b.eval(
        "[...document.querySelectorAll('a')].find(a => a.textContent.trim() === 'Download your badge').click()",
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let file = loop {
        let done = std::fs::read_dir(&downloads)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "png"));
        if let Some(f) = done {
            break f;
        }
        assert!(
            Instant::now() < deadline,
            "no download in {}",
            downloads.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let png = std::fs::read(&file).unwrap();
    // The same bytes as the app serves at the link.
    assert_eq!(
        png,
        http_get(addr, href.strip_prefix(base.trim_end_matches('/')).unwrap())
    );

    png
}

/// The downloaded badge verifies for its learner and is invalid for anyone else.
fn downloaded_badge_verifies_for_its_learner_only(addr: SocketAddr, png: &[u8], email: &str) {
    let host = addr.to_string();
    let verifier = |who: &str| {
        Verifier::builder()
            .online(openbadges::HttpLimits::default().allow_host(&host))
            .recipient(format!("email:{who}").parse().unwrap())
            .build()
            .unwrap()
    };
    let r = verifier(email).verify_bytes("badge.png", png);
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    let r = verifier("someone.else@example.org").verify_bytes("badge.png", png);
    assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
}

/// The learner's backpack lists the pushed badge and offers the zip export.
fn backpack_lists_the_badge(b: &mut Browser, base: &str, addr: SocketAddr, email: &str) {
    let backpack = b.link("Open your backpack");
    b.call("Page.navigate", json!({"url": backpack}));
    b.wait_for_path(backpack.strip_prefix(base.trim_end_matches('/')).unwrap());
    let t = b.text();
    assert!(t.contains("Your backpack"), "{t}");
    assert!(t.contains("Badges 101") && t.contains("verified"), "{t}");
    assert!(t.contains(email), "{t}");
    let zip = b.link("Download all (zip)");
    let zip = http_get(addr, zip.strip_prefix(base.trim_end_matches('/')).unwrap());
    assert!(zip.starts_with(b"PK"));
    // The badge image shows (it is served by the app itself).
    b.wait_for_images();
    b.screenshots("12-backpack");
}

#[test]
fn a_learner_earns_the_badge_in_headless_chromium() {
    // CI sets BADGES101_REQUIRE_BROWSER=1 (and installs Chromium): there, skipping is a failure.
    let Some(chromium) = find_chromium() else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("badges101-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let running = start(Config {
        port: 0,
        data_dir: dir.join("data"),
        threads: 2,
        ..Config::default()
    })
    .unwrap();
    let addr = running.addr();
    let base = running.url().to_owned();

    let mut b = open_the_intro(&chromium, &dir, &base);
    read_the_two_lessons(&mut b, &base);
    answer_the_three_questions(&mut b, &base);
    let email = "browser.learner@example.org";
    earn_and_send_to_the_backpack(&mut b, &base, &running, email);
    let png = download_the_badge(&mut b, &dir, &base, addr);
    downloaded_badge_verifies_for_its_learner_only(addr, &png, email);
    backpack_lists_the_badge(&mut b, &base, addr, email);
    drop(b);
    running.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
