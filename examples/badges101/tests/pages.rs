//! Every page and state over real HTTP on loopback: each has exactly one `h1` and a `<title>`
//! of its own; the original's "What are Open Badges?" introduction is on the home page; the
//! backpack page writes dates as people do; and the badge art is what the learner downloads:
//! every PNG form 512 × 512, the SVG form the same drawing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::time::Duration;

use badges101::Policy;

mod common;
use common::{ClientResponse, ITEMS, TempDir, answer, app, begin, get, post};

/// A page's `<title>`, unescaped only as far as these titles need.
fn title(page: &str) -> String {
    let start = page.find("<title>").expect("a <title>") + "<title>".len();
    let end = page[start..].find("</title>").expect("a </title>") + start;
    page[start..end].to_owned()
}

/// The width and height in a PNG's header (`IHDR`, the first chunk).
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// A page the test walked to: which state it is, and the answer.
struct Seen {
    state: &'static str,
    page: ClientResponse,
}

#[test]
fn every_page_and_state_has_one_h1_and_a_title_of_its_own() {
    fn see(seen: &mut Vec<Seen>, state: &'static str, page: ClientResponse) {
        seen.push(Seen { state, page });
    }
    let dir = TempDir::new("b101-pages");
    let running = app(dir.path(), Policy::Completion);
    let addr = running.addr();
    let mut seen = Vec::new();

    see(&mut seen, "home", get(addr, "/"));
    see(&mut seen, "criteria", get(addr, "/criteria"));
    see(&mut seen, "not found", get(addr, "/no-such-page"));
    let tok = begin(addr);
    see(
        &mut seen,
        "lesson 1",
        get(addr, &format!("/a/{tok}/lesson/1")),
    );
    see(
        &mut seen,
        "lesson 2",
        get(addr, &format!("/a/{tok}/lesson/2")),
    );
    see(
        &mut seen,
        "unfinished",
        get(addr, &format!("/a/{tok}/result")),
    );
    // Question 2's right answer is False: answering True shows the "wrong" feedback.
    for (i, item) in ITEMS.into_iter().enumerate() {
        let q = format!("/a/{tok}/q/{}", i + 1);
        see(
            &mut seen,
            ["question 1", "question 2", "question 3"][i],
            get(addr, &q),
        );
        assert_eq!(answer(addr, &tok, item, "true").status, 303);
        see(
            &mut seen,
            ["feedback 1", "feedback 2", "feedback 3"][i],
            get(addr, &q),
        );
    }
    see(
        &mut seen,
        "congratulations",
        get(addr, &format!("/a/{tok}/result")),
    );
    see(
        &mut seen,
        "invalid email",
        post(addr, &format!("/a/{tok}/issue"), "email=not-an-address"),
    );
    let r = post(
        addr,
        &format!("/a/{tok}/issue"),
        "email=pages%40example.org",
    );
    assert_eq!(r.status, 303);
    assert!(running.wait_for_pushes(Duration::from_secs(60)));
    see(
        &mut seen,
        "badge (sent)",
        get(addr, &format!("/a/{tok}/badge")),
    );
    see(
        &mut seen,
        "backpack",
        get(addr, &format!("/a/{tok}/backpack")),
    );

    for s in &seen {
        let text = s.page.text();
        assert_eq!(
            text.matches("<h1").count(),
            1,
            "{}: one h1, not {}:\n{text}",
            s.state,
            text.matches("<h1").count()
        );
        assert!(text.starts_with("<!DOCTYPE html>"), "{}", s.state);
        assert!(text.contains("<html lang=\"en\">"), "{}", s.state);
    }
    // Every state's title differs from every other's.
    for (i, a) in seen.iter().enumerate() {
        for b in &seen[i + 1..] {
            assert_ne!(
                title(&a.page.text()),
                title(&b.page.text()),
                "{} and {} share a title",
                a.state,
                b.state
            );
        }
    }
    let page = |state: &str| seen.iter().find(|s| s.state == state).unwrap().page.text();
    assert_eq!(title(&page("question 1")), "Question 1 of 3 — Badges 101");
    assert_eq!(
        title(&page("feedback 1")),
        "Right! Question 1 of 3 — Badges 101"
    );
    assert_eq!(
        title(&page("feedback 2")),
        "Not quite. Question 2 of 3 — Badges 101"
    );
    // The invalid address: said in an alert tied to the field.
    let invalid = page("invalid email");
    assert!(invalid.contains("role=\"alert\""), "{invalid}");
    assert!(
        invalid.contains("aria-describedby=\"email-error\""),
        "{invalid}"
    );

    // The original's introduction, word for word (askama writes `'` as `&#39;`).
    let home = page("home").replace("&#39;", "'");
    assert!(home.contains("<h2>What are Open Badges?</h2>"));
    assert!(home.contains(
        "Learning today happens everywhere. But it's often difficult to get recognition for \
skills and achievements that happen online or out of school. Mozilla Open Badges helps solve \
that problem, making it easy for any organization to issue, manage and display digital badges \
across the web."
    ));
    assert!(home.contains("Take the Badges 101 quiz—and earn your first badge"));

    // Words a learner understands, and the way to check a badge.
    let badge = page("badge (sent)");
    assert!(badge.contains(">Download your badge as an image</a>"));
    assert!(badge.contains("<h2>Also available for developers</h2>"));
    assert!(badge.contains("href=\"/verify\""));
    assert!(!badge.contains("Alternatives"));

    // The backpack writes the issue date as people do: "7 December 2026".
    let today = chrono::Utc::now()
        .date_naive()
        .format("%-d %B %Y")
        .to_string();
    let backpack = page("backpack");
    assert!(
        backpack.contains(&format!(" on <span class=\"date\">{today}</span><br>")),
        "{today} in {backpack}"
    );
    running.shutdown();
}

#[test]
fn not_earning_it_has_its_own_title_and_one_h1() {
    let dir = TempDir::new("b101-pages-mastery");
    let running = app(dir.path(), Policy::Mastery);
    let addr = running.addr();
    let tok = begin(addr);
    for item in ITEMS {
        assert_eq!(answer(addr, &tok, item, "true").status, 303);
    }
    let page = get(addr, &format!("/a/{tok}/result")).text();
    assert_eq!(page.matches("<h1").count(), 1, "{page}");
    assert_eq!(title(&page), "Not earned this time — Badges 101");
    assert!(page.contains(">Try again</button>"));
    running.shutdown();
}

#[test]
fn the_badge_downloads_are_the_art_at_512_px() {
    let dir = TempDir::new("b101-pages-art");
    let running = app(dir.path(), Policy::Completion);
    let addr = running.addr();
    let tok = common::earn(addr, "art@example.org");
    for form in ["ob3.png", "ob3-jwt.png", "ob2.png", "ob2-signed.png"] {
        let png = get(addr, &format!("/a/{tok}/badge/{form}"));
        assert_eq!(png.status, 200, "{form}");
        assert_eq!(png_size(&png.body), (512, 512), "{form}");
    }
    // The hosted badge image and the one on the pages, too.
    for path in ["/badges/badges-101.png", "/static/badge.png"] {
        assert_eq!(png_size(&get(addr, path).body), (512, 512), "{path}");
    }
    // The SVG form is the same drawing (the credential baked in): its rosette, "101" and
    // "BADGES" are the art's own paths, and no text needs a font.
    let art =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/badge.svg")).unwrap();
    let svg = get(addr, &format!("/a/{tok}/badge/ob3.svg")).text();
    let paths: Vec<&str> = art.split("<path ").skip(1).collect();
    assert!(paths.len() >= 8, "{art}");
    for p in &paths {
        assert!(svg.contains(p.split("/>").next().unwrap()), "{p}");
    }
    assert!(!art.contains("<text"));
    assert_eq!(get(addr, "/static/badge.svg").text(), art);
    running.shutdown();
}
