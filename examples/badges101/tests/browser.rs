//! The real pages in headless Chromium (Debian's `chromium`, driven by `common::browser`), as a
//! learner who uses only the keyboard: Tab to each link, button and field, Enter or Space to
//! use it, typing the email. On every page and state — home, both lessons, each question and
//! its feedback, the congratulations, the invalid address, the badge page once sent, the
//! backpack, the criteria, the OB 3.0 API's consent page — axe-core finds no violation of impact serious or critical, and a
//! screenshot is taken at 1280 and 390 px wide (`common::browser::screenshot_dir`). The
//! downloaded badge is 512 × 512 and verifies for its learner only. "Add to your wallet" is
//! reached by keyboard, shows its QR code, and its `openid-credential-offer://` link resolves
//! with an independent OpenID4VCI client (`@openid4vc/openid4vci`, npm, pinned) to an offer of
//! both credentials whose issuer metadata it reads as 1.0. Skipped (with a message)
//! when no `chromium` is installed, unless `BADGES101_REQUIRE_BROWSER` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use badges101::{Config, Running, start};
use openbadges::Verifier;
use openbadges::proof::report::Status;
use serde_json::json;

mod common;
use common::browser::{Browser, Key, find_chromium};
use common::get;

/// At most this many Tab presses reach any control on a page (there are few).
const TABS: usize = 15;

/// The body of `GET path` from the app, which must answer 200.
fn http_get(addr: SocketAddr, path: &str) -> Vec<u8> {
    let r = get(addr, path);
    assert_eq!(r.status, 200, "{path}");
    r.body
}

/// The checks every page gets: exactly one `h1`, no serious or critical axe-core violation,
/// and its screenshots at both widths (`NAME-1280.png`, `NAME-390.png`). Returns its title.
fn check_page(b: &mut Browser, name: &str) -> String {
    b.wait_for_images();
    assert_eq!(b.h1s().len(), 1, "{name}: {:?}", b.h1s());
    b.assert_accessible(name);
    b.screenshots(name);
    b.title()
}

/// Tab to `control` (as `Browser::focused` names it), press `key`, and wait for the page it
/// leads to.
fn use_control(b: &mut Browser, control: &str, key: Key) {
    b.tab_to(control, TABS);
    b.mark_page();
    b.press(key);
    b.wait_for_new_page();
}

/// The home page: the skip link comes first and moves the focus to the content; then "Get
/// started" by keyboard.
fn home(b: &mut Browser, titles: &mut Vec<String>) {
    assert!(
        b.text()
            .contains("Helping learners everywhere display skills")
    );
    assert!(b.text().contains("What are Open Badges?"));
    titles.push(check_page(b, "01-home"));
    b.press(Key::Tab);
    assert_eq!(b.focused(), "A Skip to the content");
    b.press(Key::Enter);
    assert_eq!(b.eval("document.activeElement.id"), json!("main"));
    use_control(b, "BUTTON Get started", Key::Enter);
}

/// The two lessons, each left with its "Next" link.
fn lessons(b: &mut Browser, titles: &mut Vec<String>) {
    for (n, heading) in [
        (1, "Learning today happens everywhere."),
        (2, "Open Badge Infrastructure"),
    ] {
        assert_eq!(b.h1s(), [heading]);
        titles.push(check_page(b, &format!("0{}-lesson-{n}", n + 1)));
        use_control(b, "A Next", Key::Enter);
    }
}

/// The three questions: no answer before answering; the answer by keyboard (Enter on "True",
/// Space on the second "True", Enter on "False"); then the verdict and the explanation.
fn questions(b: &mut Browser, titles: &mut Vec<String>) {
    let answers = [
        (
            "BUTTON True",
            Key::Enter,
            "That's right!",
            "Answer: True. There are countless examples",
        ),
        (
            "BUTTON True",
            Key::Space,
            "That's wrong!",
            "Answer: False. While degrees do convey",
        ),
        (
            "BUTTON False",
            Key::Enter,
            "That's right!",
            "Answer: False. Resumes are documents",
        ),
    ];
    for (i, (button, key, verdict, explanation)) in answers.into_iter().enumerate() {
        let path = b.path();
        let t = b.text();
        assert!(t.contains("Your First Badge"), "{t}");
        assert!(!t.contains("Answer:"), "no answer before answering: {t}");
        titles.push(check_page(
            b,
            &format!("{:02}-question-{}", 4 + 2 * i, i + 1),
        ));
        use_control(b, button, key);
        // The same page again, now with the verdict and the explanation.
        assert_eq!(b.path(), path);
        let t = b.text();
        assert!(t.contains(verdict) && t.contains(explanation), "{t}");
        titles.push(check_page(
            b,
            &format!("{:02}-feedback-{}", 5 + 2 * i, i + 1),
        ));
        use_control(b, "A Next", Key::Enter);
    }
}

/// The congratulations; an invalid address first (its own state, the error tied to the
/// field), then the learner's: the badge page, which says the badge reached the backpack.
fn congratulations_and_send(
    b: &mut Browser,
    running: &Running,
    email: &str,
    titles: &mut Vec<String>,
) {
    let t = b.text();
    assert!(
        t.contains("Congratulations! You’ve just earned the Badges 101 badge!"),
        "{t}"
    );
    titles.push(check_page(b, "10-congratulations"));
    b.tab_to("INPUT Email", TABS);
    b.insert_text("not-an-address");
    b.mark_page();
    b.press(Key::Enter);
    b.wait_for_new_page();
    assert!(
        b.text().contains("Please enter a valid email address."),
        "{}",
        b.text()
    );
    titles.push(check_page(b, "11-invalid-email"));
    b.tab_to("INPUT Email", TABS);
    assert_eq!(
        b.eval("document.activeElement.getAttribute('aria-describedby')"),
        json!("email-error")
    );
    b.insert_text(email);
    use_control(b, "BUTTON Send to backpack", Key::Space);
    assert!(b.text().contains("Download your badge"), "{}", b.text());
    // "Send to backpack": the app pushed the credential to its own OB 3.0 API; once the push is
    // done the badge page says so.
    assert!(running.wait_for_pushes(Duration::from_secs(60)));
    b.mark_page();
    b.call("Page.reload", json!({}));
    b.wait_for_new_page();
    assert!(b.text().contains("Sent to your backpack."), "{}", b.text());
    titles.push(check_page(b, "12-badge"));
}

/// The `@openid4vc/openid4vci` release the wallet link is resolved with.
const OPENID4VCI_VERSION: &str = "0.4.6";

/// A folder with `@openid4vc/openid4vci` installed (once per target directory, as axe-core).
fn openid4vci_client() -> std::path::PathBuf {
    common::browser::npm_folder(
        &format!("openid4vci-{OPENID4VCI_VERSION}"),
        &[
            &format!("@openid4vc/openid4vci@{OPENID4VCI_VERSION}"),
            &format!("@openid4vc/oauth2@{OPENID4VCI_VERSION}"),
        ],
    )
}

/// Resolves `offer_uri` and its issuer's metadata with `@openid4vc/openid4vci`; returns
/// `{"issuer", "ids", "version"}`.
fn resolve_offer(offer_uri: &str) -> serde_json::Value {
    let script = "import { Openid4vciClient } from '@openid4vc/openid4vci';\n\
import { setGlobalConfig } from '@openid4vc/oauth2';\n\
setGlobalConfig({ allowInsecureUrls: true });\n\
const client = new Openid4vciClient({ callbacks: { fetch: (...a) => fetch(...a) } });\n\
const offer = await client.resolveCredentialOffer(process.argv[1]);\n\
const meta = await client.resolveIssuerMetadata(offer.credential_issuer);\n\
console.log(JSON.stringify({ issuer: offer.credential_issuer, ids: offer.credential_configuration_ids, \
metadata_issuer: meta.credentialIssuer.credential_issuer, version: meta.originalDraftVersion }));";
    let out = Command::new("node")
        .args(["--input-type=module", "-e", script, offer_uri])
        .current_dir(openid4vci_client())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the OpenID4VCI client could not resolve {offer_uri}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// "Add to your wallet", by keyboard: the link's `openid-credential-offer://` URI resolves with
/// the independent client to an offer of both credentials by this issuer (OpenID4VCI 1.0), and
/// its QR code is shown. Reloads the badge page after (focus back at its start).
fn add_to_your_wallet(b: &mut Browser, running: &Running) {
    b.tab_to("A Add to your wallet", TABS);
    let href = b.eval("document.activeElement.getAttribute('href')");
    let href = href.as_str().unwrap().to_owned();
    assert!(
        href.starts_with("openid-credential-offer://?credential_offer_uri="),
        "{href}"
    );
    assert_eq!(
        b.eval(
            "document.querySelector('img[alt=\"QR code: add to your wallet\"]').naturalWidth > 0"
        ),
        json!(true)
    );
    let resolved = resolve_offer(&href);
    let issuer = running.url().trim_end_matches('/').to_owned();
    assert_eq!(resolved["issuer"], json!(issuer), "{resolved}");
    assert_eq!(resolved["metadata_issuer"], json!(issuer), "{resolved}");
    assert_eq!(resolved["version"], json!("V1"), "{resolved}");
    assert_eq!(
        resolved["ids"],
        json!([
            "OpenBadgeCredential_ldp_vc",
            "OpenBadgeCredential_jwt_vc_json"
        ])
    );
    b.mark_page();
    b.call("Page.reload", json!({}));
    b.wait_for_new_page();
}

/// "Download your badge as an image" by keyboard; waits for the file in `dir/downloads`: the
/// same bytes as the app serves at the link, a 512 × 512 PNG. Returns them.
fn download_the_badge(b: &mut Browser, dir: &Path, addr: SocketAddr) -> Vec<u8> {
    let downloads = dir.join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let session = b.session.take();
    b.call(
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.display().to_string()}),
    );
    b.session = session;
    b.tab_to("A Download your badge as an image", TABS);
    let href = b.eval("new URL(document.activeElement.href).pathname");
    b.press(Key::Enter);
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
    assert_eq!(png, http_get(addr, href.as_str().unwrap()));
    // 512 × 512, from the PNG header.
    assert_eq!(&png[12..16], b"IHDR");
    assert_eq!(&png[16..24], [0, 0, 2, 0, 0, 0, 2, 0]);
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

/// The learner's backpack (by keyboard) lists the pushed badge, with its date as people write
/// it, and offers the zip export; then the criteria, from the footer.
fn backpack_and_criteria(b: &mut Browser, addr: SocketAddr, email: &str, titles: &mut Vec<String>) {
    use_control(b, "A Open your backpack", Key::Enter);
    let t = b.text();
    assert!(t.contains("Badges 101") && t.contains("verified"), "{t}");
    assert!(t.contains(email), "{t}");
    let today = chrono::Utc::now()
        .date_naive()
        .format("%-d %B %Y")
        .to_string();
    assert!(t.contains(&format!("on {today}")), "{today}: {t}");
    let zip = b.link("Download all (zip)");
    let zip = http_get(addr, &zip[zip.find("/a/").unwrap()..]);
    assert!(zip.starts_with(b"PK"));
    titles.push(check_page(b, "13-backpack"));
    use_control(b, "A What earns this badge", Key::Enter);
    assert_eq!(b.path(), "/criteria");
    titles.push(check_page(b, "14-criteria"));
}

/// The OB 3.0 API's consent page (a client registered over HTTP asks for the learner's
/// badges): its Email field takes the address by keyboard, and the page passes axe.
fn consent_page(b: &mut Browser, addr: SocketAddr, email: &str, titles: &mut Vec<String>) {
    let reg = openbadges_test_support::http::request(
        addr,
        "POST",
        "/ims/ob/v3p0/oauth/register",
        &[("Content-Type", "application/json")],
        json!({
            "client_name": "Keyboard wallet",
            "client_uri": "http://127.0.0.1:9/",
            "redirect_uris": ["http://127.0.0.1:9/cb"],
            "token_endpoint_auth_method": "none",
        })
        .to_string()
        .as_bytes(),
    );
    assert_eq!(reg.status, 201);
    let client = reg.json()["client_id"].as_str().unwrap().to_owned();
    let challenge = openbadges::backpack::oauth::pkce::s256_challenge(
        &openbadges::backpack::oauth::pkce::generate_verifier().unwrap(),
    );
    b.navigate(&format!(
        "http://{addr}/ims/ob/v3p0/oauth/authorize?response_type=code&client_id={client}\
         &redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=s&code_challenge={challenge}\
         &code_challenge_method=S256"
    ));
    let t = b.text();
    assert!(
        t.contains("Keyboard wallet") && t.contains("Read the badges in your backpack"),
        "{t}"
    );
    b.tab_to("INPUT Email", TABS);
    b.insert_text(email);
    titles.push(check_page(b, "15-consent"));
}

#[test]
fn a_learner_earns_the_badge_by_keyboard_alone_on_accessible_pages() {
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

    let mut b = Browser::open(&chromium, &dir, running.url());
    let mut titles = Vec::new();
    home(&mut b, &mut titles);
    lessons(&mut b, &mut titles);
    questions(&mut b, &mut titles);
    let email = "browser.learner@example.org";
    congratulations_and_send(&mut b, &running, email, &mut titles);
    add_to_your_wallet(&mut b, &running);
    let png = download_the_badge(&mut b, &dir, addr);
    downloaded_badge_verifies_for_its_learner_only(addr, &png, email);
    backpack_and_criteria(&mut b, addr, email, &mut titles);
    consent_page(&mut b, addr, email, &mut titles);
    // Each page and state has a title of its own.
    let mut distinct = titles.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), titles.len(), "{titles:#?}");
    drop(b);
    running.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
