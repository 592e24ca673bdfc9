//! "Send to backpack" to another OB 3.0 API host, by its address: the learner on Badges 101
//! gives the host's URL, follows the link to the host's consent page, comes back on
//! `/backpack/callback`, and the badge is in the host's backpack; the page says "Sent to your
//! backpack at HOST". The host here is a minimal OB 3.0 API host played by the test on a
//! loopback server (discovery, RFC 7591 registration, authorization with PKCE S256 and an
//! immediate consent, token endpoint, upsertCredential). Also: one registration per host for
//! many learners, a callback used once, an unknown state refused, a host that does not speak
//! the API, and a learner who does not allow it. Then to a **second Badges 101 instance** as
//! the host, through its own OAuth 2.0 consent page (posted over HTTP), the badge read back from
//! it with the library client. And both in headless Chromium by keyboard, with axe-core on the
//! new pages (skipped without Chromium unless `BADGES101_REQUIRE_BROWSER`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use badges101::{Config, Running, start};
use common::{ITEMS, TempDir, answer, begin, get, post};
use openbadges::backpack::oauth::{SCOPE_UPSERT, pkce};
use openbadges_test_support::http::{Request, Response, Server};
use serde_json::{Value, json};

#[derive(Default)]
struct Host {
    registrations: usize,
    redirect_uris: BTreeMap<String, Vec<String>>,
    codes: BTreeMap<String, (String, String)>,
    access: Vec<String>,
    held: Vec<Value>,
    deny: bool,
    next: usize,
}

fn json_reply(status: u16, v: &Value) -> Response {
    Response::status(status, v.to_string(), "application/json")
}

fn handle(host: &Mutex<Host>, req: &Request) -> Response {
    let base = format!("http://{}", req.local_addr);
    let mut h = host.lock().unwrap();
    h.next += 1;
    let n = h.next;
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(req.path.split_once('?').map_or("", |(_, q)| q).as_bytes())
            .into_owned()
            .collect();
    match (req.method.as_str(), req.path_only()) {
        ("GET", "/ims/ob/v3p0/discovery") => json_reply(
            200,
            &json!({
                "openapi": "3.0.1",
                "info": {"title": "Test backpack", "version": "3.0",
                         "x-imssf-privacyPolicyUrl": format!("{base}/privacy")},
                "servers": [{"url": format!("{base}/ims/ob/v3p0")}],
                "components": {"securitySchemes": {"OAuth2ACG": {
                    "type": "oauth2",
                    "x-imssf-registrationUrl": format!("{base}/register"),
                    "flows": {"authorizationCode": {
                        "authorizationUrl": format!("{base}/authorize"),
                        "tokenUrl": format!("{base}/token"),
                        "scopes": {SCOPE_UPSERT: "add badges"}
                    }}
                }}}
            }),
        ),
        ("POST", "/register") => {
            let r: Value = serde_json::from_slice(&req.body).unwrap();
            h.registrations += 1;
            let id = format!("client-{n}");
            let uris: Vec<String> = serde_json::from_value(r["redirect_uris"].clone()).unwrap();
            h.redirect_uris.insert(id.clone(), uris);
            let mut answer = r;
            answer["client_id"] = json!(id);
            answer["client_secret"] = json!(format!("secret-{n}"));
            answer["client_secret_expires_at"] = json!(0);
            json_reply(201, &answer)
        }
        ("GET", "/authorize") => {
            // The consent page, consenting at once: back to the (registered) redirect URI.
            let redirect = &query["redirect_uri"];
            assert!(h.redirect_uris[&query["client_id"]].contains(redirect));
            assert_eq!(query["code_challenge_method"], "S256");
            let state = &query["state"];
            let location = if h.deny {
                format!("{redirect}?error=access_denied&state={state}")
            } else {
                let code = format!("code-{n}");
                h.codes.insert(
                    code.clone(),
                    (query["code_challenge"].clone(), redirect.clone()),
                );
                format!("{redirect}?code={code}&state={state}")
            };
            Response::redirect(302, &location)
        }
        ("POST", "/token") => {
            assert!(req.header("authorization").unwrap().starts_with("Basic "));
            let f: BTreeMap<String, String> = url::form_urlencoded::parse(&req.body)
                .into_owned()
                .collect();
            let Some((challenge, redirect)) = h.codes.remove(&f["code"]) else {
                return json_reply(400, &json!({"error": "invalid_grant"}));
            };
            if !pkce::verify_s256(&f["code_verifier"], &challenge) || f["redirect_uri"] != redirect
            {
                return json_reply(400, &json!({"error": "invalid_grant"}));
            }
            let at = format!("at-{n}");
            h.access.push(at.clone());
            json_reply(
                200,
                &json!({"access_token": at, "token_type": "Bearer", "expires_in": 600}),
            )
        }
        ("POST", "/ims/ob/v3p0/credentials") => {
            let token = req
                .header("authorization")
                .and_then(|a| a.strip_prefix("Bearer "))
                .unwrap_or("");
            if !h.access.iter().any(|t| t == token) {
                return Response::status(401, "", "text/plain");
            }
            let v: Value = serde_json::from_slice(&req.body).unwrap();
            h.held.push(v.clone());
            json_reply(201, &v)
        }
        _ => Response::not_found(),
    }
}

fn host() -> (Server, Arc<Mutex<Host>>) {
    let state = Arc::new(Mutex::new(Host::default()));
    let s = state.clone();
    (Server::start(move |r| handle(&s, r)), state)
}

fn app(dir: &TempDir, allowed: &Server) -> Running {
    app_on(dir, allowed, None)
}

fn app_on(dir: &TempDir, allowed: &Server, database: Option<String>) -> Running {
    start(Config {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        database,
        threads: 2,
        allow_backpack_hosts: vec![allowed.addr().to_string()],
        ..Config::default()
    })
    .unwrap()
}

fn passed(addr: std::net::SocketAddr) -> String {
    let tok = begin(addr);
    for item in ITEMS {
        assert_eq!(answer(addr, &tok, item, "true").status, 303);
    }
    assert_eq!(get(addr, &format!("/a/{tok}/result")).status, 200);
    tok
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The "Continue to HOST" link of the page between the form and the host.
fn continue_link(page: &str) -> String {
    let at = page.find("id=\"continue\" href=\"").unwrap() + "id=\"continue\" href=\"".len();
    let href = &page[at..];
    href[..href.find('"').unwrap()]
        .replace("&#38;", "&")
        .replace("&amp;", "&")
        .replace("&#61;", "=")
        .replace("&#47;", "/")
}

/// The learner follows the link to the host and comes back: the callback's path and query.
fn consent(host: &Server, link: &str) -> String {
    let path = link.strip_prefix(&host.base_url()).unwrap();
    let r = openbadges_test_support::http::request(host.addr(), "GET", path, &[], b"");
    assert_eq!(r.status, 302);
    let back = r.header("Location").unwrap().to_owned();
    let url = url::Url::parse(&back).unwrap();
    assert_eq!(url.path(), "/backpack/callback");
    format!("/backpack/callback?{}", url.query().unwrap())
}

#[test]
fn a_learner_sends_the_badge_to_another_backpack() {
    sends_to_another_backpack(None);
}

/// The same on PostgreSQL (the app's tables and their SQL on the other backend).
#[test]
fn a_learner_sends_the_badge_to_another_backpack_on_postgresql() {
    let Some(db) = openbadges_test_support::postgres::database("b101_send_elsewhere") else {
        eprintln!("SKIPPED: OPENBADGES_TEST_POSTGRES_URL is not set");
        return;
    };
    sends_to_another_backpack(Some(db.url().to_owned()));
}

fn sends_to_another_backpack(database: Option<String>) {
    let dir = TempDir::new("send-elsewhere");
    let (backpack, state) = host();
    let running = app_on(&dir, &backpack, database);
    let addr = running.addr();
    let tok = passed(addr);

    let form = format!(
        "email={}&backpack={}",
        enc("learner@example.org"),
        enc(&backpack.base_url())
    );
    let page = post(addr, &format!("/a/{tok}/issue"), &form);
    assert_eq!(page.status, 200, "{}", page.text());
    let host_name = backpack.base_url();
    assert!(page.text().contains(&format!("Continue to {host_name}")));
    let callback = consent(&backpack, &continue_link(&page.text()));

    let back = get(addr, &callback);
    assert_eq!(back.status, 303, "{}", back.text());
    assert_eq!(
        back.header("Location"),
        Some(format!("/a/{tok}/badge").as_str())
    );
    let badge = get(addr, &format!("/a/{tok}/badge")).text();
    assert!(
        badge.contains(&format!("Sent to your backpack at {host_name}")),
        "{badge}"
    );
    {
        let h = state.lock().unwrap();
        assert_eq!(h.held.len(), 1);
        let c = &h.held[0];
        assert!(
            c["type"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "OpenBadgeCredential" || t == "AchievementCredential"),
            "{c}"
        );
        assert!(
            c["proof"].is_object() || c["proof"].is_array(),
            "signed: {c}"
        );
    }

    // The callback is used once (on every instance: it is taken in the database).
    let again = get(addr, &callback);
    assert_eq!(again.status, 400);
    assert_eq!(state.lock().unwrap().held.len(), 1);

    // A second learner: the app's registration with the host is reused.
    let tok2 = passed(addr);
    let page = post(addr, &format!("/a/{tok2}/issue"), &form);
    let callback = consent(&backpack, &continue_link(&page.text()));
    assert_eq!(get(addr, &callback).status, 303);
    let h = state.lock().unwrap();
    assert_eq!(h.held.len(), 2);
    assert_eq!(h.registrations, 1, "one registration per host");
}

#[test]
fn refusals_are_told_on_the_badge_page() {
    let dir = TempDir::new("send-elsewhere-refused");
    let (backpack, state) = host();
    let running = app(&dir, &backpack);
    let addr = running.addr();

    // The learner does not allow it.
    state.lock().unwrap().deny = true;
    let tok = passed(addr);
    let form = format!(
        "email={}&backpack={}",
        enc("learner@example.org"),
        enc(&backpack.base_url())
    );
    let page = post(addr, &format!("/a/{tok}/issue"), &form);
    let callback = consent(&backpack, &continue_link(&page.text()));
    assert_eq!(get(addr, &callback).status, 303);
    let badge = get(addr, &format!("/a/{tok}/badge")).text();
    assert!(
        badge.contains("you did not allow Badges 101 to add the badge"),
        "{badge}"
    );
    assert!(state.lock().unwrap().held.is_empty());

    // A state nobody sent.
    let forged = get(addr, "/backpack/callback?code=x&state=forged");
    assert_eq!(forged.status, 400);

    // An address that does not speak the OB 3.0 API (allowed, but 404 on discovery).
    let nothing = Server::start(|_| Response::not_found());
    let dir2 = TempDir::new("send-elsewhere-nothing");
    let running2 = app(&dir2, &nothing);
    let tok = passed(running2.addr());
    let form = format!(
        "email={}&backpack={}",
        enc("learner@example.org"),
        enc(&nothing.base_url())
    );
    let r = post(running2.addr(), &format!("/a/{tok}/issue"), &form);
    assert_eq!(r.status, 303);
    let badge = get(running2.addr(), &format!("/a/{tok}/badge")).text();
    assert!(
        badge.contains("does not offer the Open Badges 3.0 API"),
        "{badge}"
    );

    // A host not allowed (loopback, not in --allow-backpack-host): refused without contact,
    // from the badge page's own form.
    let other = Server::start(|_| Response::not_found());
    let r = post(
        running2.addr(),
        &format!("/a/{tok}/backpack/send"),
        &format!("backpack={}", enc(&other.base_url())),
    );
    assert_eq!(r.status, 303);
    assert_eq!(other.requests(), 0);
    let badge = get(running2.addr(), &format!("/a/{tok}/badge")).text();
    assert!(badge.contains("we could not reach it"), "{badge}");
}

#[test]
fn in_the_browser_by_keyboard_on_accessible_pages() {
    use common::browser::{Browser, Key, find_chromium};
    let Some(chromium) = find_chromium() else {
        return;
    };
    let dir = TempDir::new("send-elsewhere-browser");
    let (backpack, state) = host();
    let running = app(&dir, &backpack);
    let tok = passed(running.addr());
    let mut b = Browser::open(
        &chromium,
        dir.path(),
        &format!("{}a/{tok}/result", running.url()),
    );
    let go = |b: &mut Browser, control: &str, key: Key| {
        b.tab_to(control, 20);
        b.mark_page();
        b.press(key);
        b.wait_for_new_page();
    };
    b.tab_to("INPUT Email", 20);
    b.insert_text("browser.learner@example.org");
    b.tab_to("INPUT Backpack address (OB 3.0 API)", 5);
    b.insert_text(&backpack.base_url());
    go(&mut b, "BUTTON Send to backpack", Key::Enter);
    let host_name = backpack.base_url();
    assert!(b.text().contains(&host_name), "{}", b.text());
    b.wait_for_images();
    assert_eq!(b.h1s().len(), 1);
    b.assert_accessible("30-send-to-another-backpack");
    b.screenshots("30-send-to-another-backpack");
    let send_title = b.title();
    // The link to the host's consent page; the host consents and sends the browser back.
    go(&mut b, &format!("A Continue to {host_name}"), Key::Enter);
    assert_eq!(b.path(), format!("/a/{tok}/badge"));
    assert!(
        b.text()
            .contains(&format!("Sent to your backpack at {host_name}")),
        "{}",
        b.text()
    );
    b.wait_for_images();
    assert_eq!(b.h1s().len(), 1);
    b.assert_accessible("31-badge-sent-to-another-backpack");
    b.screenshots("31-badge-sent-to-another-backpack");
    assert_ne!(b.title(), send_title);
    assert_eq!(state.lock().unwrap().held.len(), 1);
    drop(b);
    running.shutdown();
}

/// HTML text as written by the templates, unescaped.
fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#61;", "=")
        .replace("&#47;", "/")
        .replace("&#43;", "+")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The hidden fields of the first form on `page`.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[at + "<input type=\"hidden\" name=\"".len()..];
        let name = &rest[..rest.find('"').unwrap()];
        let v = &rest[rest.find("value=\"").unwrap() + "value=\"".len()..];
        let value = &v[..v.find('"').unwrap()];
        out.push((unescape(name), unescape(value)));
    }
    out
}

/// The learner on one Badges 101 instance sends the badge to the backpack of a **second**
/// Badges 101 instance, through its OAuth 2.0 host: discovery, registration, its consent page
/// (the form posted as a person would: "Email", "Allow"), the code exchanged with PKCE, the
/// push accepted by the second instance's backpack.
#[test]
fn a_learner_sends_the_badge_to_a_second_badges101_backpack() {
    let dir_b = TempDir::new("send-elsewhere-b");
    let b = start(Config {
        port: 0,
        data_dir: dir_b.path().to_path_buf(),
        threads: 2,
        ..Config::default()
    })
    .unwrap();
    let dir_a = TempDir::new("send-elsewhere-a");
    let a = start(Config {
        port: 0,
        data_dir: dir_a.path().to_path_buf(),
        threads: 2,
        allow_backpack_hosts: vec![b.addr().to_string()],
        ..Config::default()
    })
    .unwrap();
    let email = "two.instances@example.org";
    // The learner holds a badge of the host instance B too, earned in this "browser": its
    // learner cookie is what lets them consent there.
    let b_tok = common::earn(b.addr(), email);
    let cookie = format!("b101_learner={b_tok}");
    // That badge is in B's backpack too (B's own push, done before A's badge arrives).
    assert!(b.wait_for_pushes(std::time::Duration::from_secs(60)));
    let tok = passed(a.addr());
    let b_url = b.url().trim_end_matches('/').to_owned();
    let page = post(
        a.addr(),
        &format!("/a/{tok}/issue"),
        &format!("email={}&backpack={}", enc(email), enc(&b_url)),
    );
    assert_eq!(page.status, 200, "{}", page.text());
    let link = continue_link(&page.text());
    let consent_path = link.strip_prefix(&b_url).unwrap().to_owned();
    let consent = get(b.addr(), &consent_path);
    assert_eq!(consent.status, 200, "{}", consent.text());
    let text = consent.text();
    assert!(
        text.contains("<label for=\"email\">Email</label>"),
        "{text}"
    );
    assert!(text.contains(">Allow</button>"), "{text}");
    let action = {
        let at = text.find("<form method=\"post\" action=\"").unwrap()
            + "<form method=\"post\" action=\"".len();
        unescape(&text[at..at + text[at..].find('"').unwrap()])
    };
    let mut form: Vec<(String, String)> = hidden_fields(&text);
    form.push(("email".into(), email.into()));
    form.push(("decision".into(), "allow".into()));
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let allowed = common::post_with_cookie(b.addr(), &action, &body, &cookie);
    assert!(
        matches!(allowed.status, 302 | 303),
        "{} {}",
        allowed.status,
        allowed.text()
    );
    let back = url::Url::parse(allowed.header("Location").unwrap()).unwrap();
    assert_eq!(back.port(), Some(a.addr().port()));
    assert_eq!(back.path(), "/backpack/callback");
    let done = get(
        a.addr(),
        &format!("/backpack/callback?{}", back.query().unwrap()),
    );
    assert_eq!(done.status, 303, "{}", done.text());
    let badge = get(a.addr(), &format!("/a/{tok}/badge")).text();
    assert!(
        badge.contains(&format!("Sent to your backpack at {b_url}")),
        "{badge}"
    );

    // The badge is in the learner's backpack at the second instance: read back with the
    // library client (getCredentials) under a grant of its own, consented the same way.
    use openbadges::backpack::client::{ApiClient, authorization_request, registration_request};
    use openbadges::backpack::oauth::SCOPE_READONLY;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = ApiClient::new(
        &openbadges::proof::loader::HttpLimits::default().allow_host(b.addr().to_string()),
    )
    .unwrap();
    let redirect_uri = "http://127.0.0.1:9/cb";
    let service = runtime.block_on(client.discover(&b_url)).unwrap();
    let reg = runtime
        .block_on(client.register(
            &service,
            &registration_request("Reader", "http://127.0.0.1:9/", redirect_uri),
        ))
        .unwrap();
    let (url, pending) =
        authorization_request(&service, &reg, redirect_uri, &[SCOPE_READONLY]).unwrap();
    let consent = get(b.addr(), url.strip_prefix(&b_url).unwrap()).text();
    let mut form = hidden_fields(&consent);
    form.push(("email".into(), email.into()));
    form.push(("decision".into(), "allow".into()));
    let body: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let allowed = common::post_with_cookie(b.addr(), &action, &body, &cookie);
    let back = url::Url::parse(allowed.header("Location").unwrap()).unwrap();
    let code = pending.code_from_callback(back.query().unwrap()).unwrap();
    let mut connection = runtime
        .block_on(client.exchange_code(&service, &reg, &pending, &code))
        .unwrap();
    let page = runtime
        .block_on(client.get_credentials(&mut connection, 10, 0))
        .unwrap();
    // The learner's badge of B and the one sent from A.
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.credentials.len() + page.compact_jws.len(), 2);
    a.shutdown();
    b.shutdown();
}

/// The Badges 101 browser flow to a second Badges 101 instance's backpack through OAuth 2.0, by
/// keyboard: the address typed, "Continue to HOST", the second instance's consent page ("Email",
/// "Allow"), and back to the badge page, which says "Sent to your backpack at HOST".
#[test]
fn in_the_browser_to_a_second_badges101_backpack() {
    use common::browser::{Browser, Key, find_chromium};
    let Some(chromium) = find_chromium() else {
        return;
    };
    let dir_b = TempDir::new("send-elsewhere-browser-b");
    let b_app = start(Config {
        port: 0,
        data_dir: dir_b.path().to_path_buf(),
        threads: 2,
        ..Config::default()
    })
    .unwrap();
    let dir_a = TempDir::new("send-elsewhere-browser-a");
    let a_app = start(Config {
        port: 0,
        data_dir: dir_a.path().to_path_buf(),
        threads: 2,
        allow_backpack_hosts: vec![b_app.addr().to_string()],
        ..Config::default()
    })
    .unwrap();
    let email = "browser.two@example.org";
    let b_url = b_app.url().trim_end_matches('/').to_owned();
    let go = |b: &mut Browser, control: &str, key: Key| {
        b.tab_to(control, 20);
        b.mark_page();
        b.press(key);
        b.wait_for_new_page();
    };
    // The browser earns a badge of the host instance B first: B's learner cookie is what lets
    // the learner consent there.
    let b_tok = passed(b_app.addr());
    let mut b = Browser::open(
        &chromium,
        dir_a.path(),
        &format!("{}a/{b_tok}/result", b_app.url()),
    );
    b.tab_to("INPUT Email", 20);
    b.insert_text(email);
    go(&mut b, "BUTTON Send to backpack", Key::Enter);
    assert_eq!(b.path(), format!("/a/{b_tok}/badge"));
    // Then the badge of instance A, sent to B.
    let tok = passed(a_app.addr());
    b.navigate(&format!("{}a/{tok}/result", a_app.url()));
    b.tab_to("INPUT Email", 20);
    b.insert_text(email);
    b.tab_to("INPUT Backpack address (OB 3.0 API)", 5);
    b.insert_text(&b_url);
    go(&mut b, "BUTTON Send to backpack", Key::Enter);
    // Both instances are on 127.0.0.1 here, and cookies ignore ports: A's learner cookie now
    // stands in B's place. The learner opens their badge of B again (which sets B's cookie
    // back), then follows "Continue to B". Two real hosts keep two cookies.
    let link = b.eval(
        "[...document.querySelectorAll('a')].find(a => a.textContent.includes('Continue to')).href",
    );
    let link = link.as_str().unwrap().to_owned();
    assert!(link.starts_with(&b_url), "{link}");
    b.navigate(&format!("{b_url}/a/{b_tok}/badge"));
    b.navigate(&link);
    // The second instance's consent page.
    assert!(b.text().contains("Allow"), "{}", b.text());
    b.tab_to("INPUT Email", 20);
    b.insert_text(email);
    go(&mut b, "BUTTON Allow", Key::Enter);
    assert_eq!(b.path(), format!("/a/{tok}/badge"));
    assert!(
        b.text()
            .contains(&format!("Sent to your backpack at {b_url}")),
        "{}",
        b.text()
    );
    b.assert_accessible("32-badge-sent-to-a-second-badges101");
    drop(b);
    a_app.shutdown();
    b_app.shutdown();
}
