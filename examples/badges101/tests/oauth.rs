//! The OB 3.0 API host with OAuth 2.0, proven with a client we did not write: Python's authlib
//! (PyPI, pinned; installed by this test into a virtual environment under the target
//! directory) registers dynamically, runs the authorization code grant with PKCE S256 against
//! Badges 101 on loopback, calls getCredentials and upsertCredential, refreshes and revokes, then
//! reads and writes the learner's profile under a second grant
//! (`tests/oauth/authlib_client.py`). The consent is given by the script posting the consent
//! page's own form, parsed from its HTML: the page is the app's, the decision what a person
//! would send; the browser tests check the page itself (axe). Outside CI the test skips when
//! Python or PyPI is unavailable; in CI (`CI=true`) it must run.
//!
//! Beside it, the app's side of the flow over raw HTTP: the consent page's "Email" field and
//! Allow button, the error page (no redirect) for an unregistered redirect URI, and a learner's
//! grant listing only that learner's credentials.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use badges101::{Config, start};
use openbadges_test_support::in_ci;
use serde_json::Value;

mod common;
use common::{TempDir, earn, get};

const AUTHLIB: &str = "authlib==1.9.10";
const REQUESTS: &str = "requests==2.34.2";

/// The virtual environment's interpreter with authlib installed, or `None` (outside CI only)
/// when Python or PyPI is unavailable.
fn authlib_python() -> Option<PathBuf> {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("authlib-1.9.10");
    let python = venv.join("bin/python");
    let ready = || {
        Command::new(&python)
            .args(["-c", "import authlib, requests"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready() {
        return Some(python);
    }
    let unavailable = |why: String| {
        assert!(!in_ci(), "authlib is required in CI: {why}");
        eprintln!("skipping the authlib interop test: {why}");
        None
    };
    match Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .status()
    {
        Ok(s) if s.success() => {}
        other => return unavailable(format!("python3 -m venv: {other:?}")),
    }
    let pip = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            AUTHLIB,
            REQUESTS,
        ])
        .status();
    if !pip.is_ok_and(|s| s.success()) || !ready() {
        return unavailable(format!("pip install {AUTHLIB} {REQUESTS} failed"));
    }
    Some(python)
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oauth/authlib_client.py")
}

#[test]
fn authlib_registers_authorizes_with_pkce_reads_upserts_refreshes_and_revokes() {
    let Some(python) = authlib_python() else {
        return;
    };
    let dir = TempDir::new("b101-oauth");
    let running = start(Config {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        threads: 2,
        access_token_ttl: Duration::from_secs(120),
        ..Config::default()
    })
    .unwrap();
    let addr = running.addr();
    // Two learners' badges in the one backpack: a grant of one sees only theirs.
    let ada = earn(addr, "ada@example.org");
    earn(addr, "grace@example.org");
    assert!(running.wait_for_pushes(Duration::from_secs(60)));

    // The script consents as Ada in "her browser": her learner cookie, set on her badge page.
    let badge = get(addr, &format!("/a/{ada}/badge"));
    let set_cookie = badge.header("Set-Cookie").unwrap();
    assert!(
        set_cookie.starts_with(&format!("b101_learner={ada};"))
            && set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite=Lax")
            && set_cookie.contains("Max-Age=2592000")
            && !set_cookie.contains("Secure"),
        "{set_cookie}"
    );
    let out = Command::new(&python)
        .arg(script())
        .arg(running.url())
        .arg("ada@example.org")
        .arg(&ada)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the authlib client failed:\n{stderr}");
    let seen: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["registered"], true);
    assert_eq!(seen["plain_refused"], true);
    assert_eq!(seen["unregistered_redirect_not_followed"], true);
    assert_eq!(
        seen["granted_scope"],
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly \
         https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
    );
    // The configured lifetime.
    assert_eq!(seen["expires_in"], 120);
    // Ada's grant lists Ada's badge only, not Grace's.
    assert_eq!(seen["total"], 1);
    // The credential the backpack holds, sent again: already held.
    assert_eq!(seen["upsert_status"], 200);
    assert_eq!(seen["revoked"], true);
    assert_eq!(seen["replay_revoked"], true);
    assert_eq!(seen["profile_name"], "Ada Lovelace");
    running.shutdown();
}

/// The discovery document over HTTP names the app's own endpoints; the consent page carries
/// the Email field and the Allow button; an unknown client gets the error page.
#[test]
fn discovery_and_the_consent_page() {
    let dir = TempDir::new("b101-oauth-pages");
    let running = start(Config {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        threads: 2,
        ..Config::default()
    })
    .unwrap();
    let addr = running.addr();
    let d = get(addr, "/ims/ob/v3p0/discovery");
    assert_eq!(d.status, 200);
    let d = d.json();
    let base = running.url().trim_end_matches('/');
    assert_eq!(d["servers"][0]["url"], format!("{base}/ims/ob/v3p0"));
    let acg = &d["components"]["securitySchemes"]["OAuth2ACG"];
    let register = acg["x-imssf-registrationUrl"].as_str().unwrap();
    assert_eq!(register, format!("{base}/ims/ob/v3p0/oauth/register"));

    let reg = openbadges_test_support::http::request(
        addr,
        "POST",
        "/ims/ob/v3p0/oauth/register",
        &[("Content-Type", "application/json")],
        serde_json::json!({
            "client_name": "Page test <wallet>",
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
    let page = get(
        addr,
        &format!(
            "/ims/ob/v3p0/oauth/authorize?response_type=code&client_id={client}\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=s1\
             &code_challenge={challenge}&code_challenge_method=S256"
        ),
    );
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("<label for=\"email\">Email</label>"),
        "{html}"
    );
    assert!(html.contains(">Allow</button>"));
    assert!(html.contains(">Deny</button>"));
    // The client's name is escaped.
    assert!(
        html.contains("Page test &#60;wallet&#62;") || html.contains("Page test &lt;wallet&gt;")
    );
    assert!(html.contains("Read the badges in your backpack"));
    assert!(
        page.header("Content-Security-Policy")
            .unwrap()
            .contains("form-action 'self' http://127.0.0.1:9;")
    );

    // The form posted back: Deny, Allow without an Email, Allow with one.
    let fields = format!(
        "response_type=code&client_id={client}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb\
         &state=s1&code_challenge={challenge}&code_challenge_method=S256"
    );
    let denied = common::post(
        addr,
        "/ims/ob/v3p0/oauth/authorize",
        &format!("{fields}&decision=deny"),
    );
    assert_eq!(denied.status, 303);
    let to = denied.header("Location").unwrap();
    assert!(
        to.starts_with("http://127.0.0.1:9/cb?error=access_denied&") && to.ends_with("&state=s1"),
        "{to}"
    );
    let no_email = common::post(
        addr,
        "/ims/ob/v3p0/oauth/authorize",
        &format!("{fields}&decision=allow&email="),
    );
    assert_eq!(no_email.status, 400);
    assert!(no_email.header("Location").is_none());
    // Allow is the learner's own, in the browser they earned their badge in (its learner
    // cookie) with the address they earned it with; anything else: 403, no redirect, no code.
    let ada = earn(addr, "ada@example.org");
    let grace = earn(addr, "grace@example.org");
    let passed_only = common::begin(addr);
    let allow = format!("{fields}&decision=allow&email=ada%40example.org");
    let refusals = [
        (None, allow.clone()),
        (Some(format!("b101_learner={grace}")), allow.clone()),
        (Some(format!("b101_learner={passed_only}")), allow.clone()),
        (Some("b101_learner=not-a-token".to_owned()), allow.clone()),
        (
            Some(format!("b101_learner={ada}")),
            format!("{fields}&decision=allow&email=grace%40example.org"),
        ),
    ];
    for (cookie, form) in &refusals {
        let r = match cookie {
            Some(c) => common::post_with_cookie(addr, "/ims/ob/v3p0/oauth/authorize", form, c),
            None => common::post(addr, "/ims/ob/v3p0/oauth/authorize", form),
        };
        assert_eq!(r.status, 403, "{cookie:?} {form}");
        assert!(r.header("Location").is_none(), "{cookie:?}");
        let text = r.text();
        assert!(!text.contains("code="), "{text}");
        assert!(
            text.contains("Open this page in the browser where you earned your Badges 101 badge"),
            "{text}"
        );
    }
    // Deny needs no cookie (above); Allow with Ada's cookie and her address (any case, spaces).
    let allowed = common::post_with_cookie(
        addr,
        "/ims/ob/v3p0/oauth/authorize",
        &format!("{fields}&decision=allow&email=+Ada%40Example.org+"),
        &format!("theme=dark; b101_learner={ada}"),
    );
    assert_eq!(allowed.status, 303, "{}", allowed.text());
    let to = allowed.header("Location").unwrap();
    assert!(
        to.starts_with("http://127.0.0.1:9/cb?code=") && to.ends_with("&state=s1"),
        "{to}"
    );
    // A forged form naming an unregistered redirect URI: the error page, no redirect.
    let forged = common::post(
        addr,
        "/ims/ob/v3p0/oauth/authorize",
        &format!(
            "{}&decision=allow&email=ada%40example.org",
            fields.replace("127.0.0.1%3A9%2Fcb", "127.0.0.1%3A9%2Fother")
        ),
    );
    assert_eq!(forged.status, 400);
    assert!(forged.header("Location").is_none());

    let bad = get(
        addr,
        &format!(
            "/ims/ob/v3p0/oauth/authorize?response_type=code&client_id={client}\
             &redirect_uri=https%3A%2F%2Fattacker.example%2Fcb\
             &code_challenge={challenge}&code_challenge_method=S256"
        ),
    );
    assert_eq!(bad.status, 400);
    assert!(bad.header("Location").is_none());
    running.shutdown();
}
