//! The OB 3.0 API host's OAuth 2.0 server (`oauth::host`) on every store (memory, SQLite,
//! PostgreSQL when `OPENBADGES_TEST_POSTGRES_URL` is set — in CI always): the whole flow and
//! every refusal, with the error codes the RFCs name.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use openbadges_backpack::oauth::host::{
    AuthorizationRefusal, AuthorizationRequest, Host, HostConfig, parse_form,
};
use openbadges_backpack::oauth::{
    SCOPE_PROFILE_READONLY, SCOPE_READONLY, SCOPE_UPSERT, ServiceDescription, pkce,
};
use openbadges_backpack::{MemoryStore, SqliteStore, Store};
use openbadges_test_support::fixtures::TempDir;
use serde_json::{Value, json};

const REDIRECT: &str = "http://127.0.0.1:8123/callback";

fn host() -> Host {
    Host::new(HostConfig::new("http://127.0.0.1:9000"))
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn body(pairs: &[(&str, &str)]) -> Vec<u8> {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                percent_encoding::utf8_percent_encode(v, percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

struct Client {
    id: String,
    secret: Option<String>,
}

impl Client {
    fn basic(&self) -> Option<String> {
        self.secret.as_ref().map(|s| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{}:{s}", self.id))
            )
        })
    }

    /// The token endpoint form with the client's id for a public client.
    fn with_id<'a>(&'a self, mut pairs: Vec<(&'a str, &'a str)>) -> Vec<(&'a str, &'a str)> {
        if self.secret.is_none() {
            pairs.push(("client_id", &self.id));
        }
        pairs
    }
}

fn register<S: Store + ?Sized>(h: &Host, s: &S, method: &str, scope: &str) -> Client {
    let r = h
        .register(
            s,
            json!({
                "client_name": "Test wallet",
                "client_uri": "http://127.0.0.1:8123/",
                "redirect_uris": [REDIRECT],
                "scope": scope,
                "token_endpoint_auth_method": method,
            })
            .to_string()
            .as_bytes(),
        )
        .unwrap();
    assert_eq!(r.status, 201, "{}", r.body);
    Client {
        id: r.body["client_id"].as_str().unwrap().to_owned(),
        secret: r.body["client_secret"].as_str().map(str::to_owned),
    }
}

fn request<S: Store + ?Sized>(
    h: &Host,
    s: &S,
    c: &Client,
    challenge: &str,
    scope: &str,
) -> AuthorizationRequest {
    h.authorization_request(
        s,
        &form(&[
            ("response_type", "code"),
            ("client_id", &c.id),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", "xyz"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ]),
    )
    .unwrap()
    .unwrap()
}

/// The code out of a redirect URL, checking `state` came back.
fn code_of(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    assert_eq!(base, REDIRECT);
    let q = parse_form(query);
    assert!(q.contains(&("state".into(), "xyz".into())), "{url}");
    q.into_iter().find(|(k, _)| k == "code").unwrap().1
}

fn exchange<S: Store + ?Sized>(
    h: &Host,
    s: &S,
    c: &Client,
    code: &str,
    verifier: &str,
) -> (u16, Value) {
    let r = h
        .token(
            s,
            c.basic().as_deref(),
            &body(&c.with_id(vec![
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", verifier),
            ])),
        )
        .unwrap();
    (r.status, r.body)
}

/// A consented code and its verifier.
fn consented<S: Store + ?Sized>(h: &Host, s: &S, c: &Client, scope: &str) -> (String, String) {
    let verifier = pkce::generate_verifier().unwrap();
    let req = request(h, s, c, &pkce::s256_challenge(&verifier), scope);
    let url = h.grant(s, &req, "learner@example.org").unwrap();
    (code_of(&url), verifier)
}

fn bearer(t: &Value) -> String {
    format!("Bearer {}", t["access_token"].as_str().unwrap())
}

fn on_every_store(test: impl Fn(&dyn Fn() -> Box<dyn Store>)) {
    test(&|| Box::new(MemoryStore::new()));
    let dir = TempDir::new("oauth-host");
    let n = std::cell::Cell::new(0);
    test(&|| {
        n.set(n.get() + 1);
        Box::new(SqliteStore::open(dir.join(format!("b{}.sqlite", n.get()))).unwrap())
    });
    if let Some(db) = openbadges_test_support::postgres::database("oauth_host") {
        let url = db.url().to_owned();
        test(&|| openbadges_backpack::store::open(&url).unwrap());
        drop(db);
    }
}

#[test]
fn discovery_names_every_endpoint_and_scope() {
    let d = host().discovery();
    let back: ServiceDescription =
        serde_json::from_value(serde_json::to_value(&d).unwrap()).unwrap();
    assert_eq!(back, d);
    assert_eq!(d.api_base(), Some("http://127.0.0.1:9000/ims/ob/v3p0"));
    let f = d.authorization_code();
    assert!(f.authorization_url.ends_with("/oauth/authorize"));
    assert!(f.token_url.ends_with("/oauth/token"));
    assert_eq!(f.scopes.len(), 4);
    assert!(d.registration_url().ends_with("/oauth/register"));
}

#[test]
fn the_whole_flow_then_every_refusal_on_every_store() {
    on_every_store(|new_store| {
        let h = host();
        let s = new_store();
        let s = &*s;
        for method in ["client_secret_basic", "none"] {
            let c = register(&h, s, method, &format!("{SCOPE_READONLY} {SCOPE_UPSERT}"));
            assert_eq!(c.secret.is_some(), method != "none");
            let (code, verifier) = consented(&h, s, &c, SCOPE_READONLY);
            let (st, t) = exchange(&h, s, &c, &code, &verifier);
            assert_eq!(st, 200, "{t}");
            assert_eq!(t["token_type"], "Bearer");
            assert_eq!(t["scope"], SCOPE_READONLY);
            let g = h
                .authorize_bearer(s, Some(&bearer(&t)), SCOPE_READONLY)
                .unwrap()
                .unwrap();
            assert_eq!(g.subject, "learner@example.org");

            // Token for another scope: 403 insufficient_scope.
            let r = h
                .authorize_bearer(s, Some(&bearer(&t)), SCOPE_UPSERT)
                .unwrap()
                .unwrap_err();
            assert_eq!(r.status, 403);
            assert!(
                r.www_authenticate
                    .unwrap()
                    .contains("error=\"insufficient_scope\"")
            );

            // Refresh rotation: the new pair works, the old refresh token is used up.
            let old_refresh = t["refresh_token"].as_str().unwrap().to_owned();
            let refresh = |rt: &str| {
                h.token(
                    s,
                    c.basic().as_deref(),
                    &body(&c.with_id(vec![("grant_type", "refresh_token"), ("refresh_token", rt)])),
                )
                .unwrap()
            };
            let r = refresh(&old_refresh);
            assert_eq!(r.status, 200, "{}", r.body);
            assert_ne!(r.body["refresh_token"], t["refresh_token"]);
            assert_ne!(r.body["access_token"], t["access_token"]);
            let r2 = refresh(&old_refresh);
            assert_eq!(
                (r2.status, r2.body["error"].as_str()),
                (400, Some("invalid_grant"))
            );
            let t2 = r.body;
            assert!(
                h.authorize_bearer(s, Some(&bearer(&t2)), SCOPE_READONLY)
                    .unwrap()
                    .is_ok()
            );

            // Revocation of the refresh token revokes the access token of its authorization.
            let rv = h
                .revoke(
                    s,
                    c.basic().as_deref(),
                    &body(&c.with_id(vec![("token", t2["refresh_token"].as_str().unwrap())])),
                )
                .unwrap();
            assert_eq!(rv.status, 200);
            let r = h
                .authorize_bearer(s, Some(&bearer(&t2)), SCOPE_READONLY)
                .unwrap()
                .unwrap_err();
            assert_eq!(r.status, 401);
            assert!(r.www_authenticate.unwrap().contains("invalid_token"));
            let r = refresh(t2["refresh_token"].as_str().unwrap());
            assert_eq!(r.body["error"], "invalid_grant");
            // Code replay: invalid_grant, even with the right verifier, and the tokens the
            // first redemption gave are revoked (RFC 6749 §4.1.2).
            let (code, verifier) = consented(&h, s, &c, SCOPE_READONLY);
            let (st, t3) = exchange(&h, s, &c, &code, &verifier);
            assert_eq!(st, 200);
            assert!(
                h.authorize_bearer(s, Some(&bearer(&t3)), SCOPE_READONLY)
                    .unwrap()
                    .is_ok()
            );
            let (st, e) = exchange(&h, s, &c, &code, &verifier);
            assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")));
            assert_eq!(
                h.authorize_bearer(s, Some(&bearer(&t3)), SCOPE_READONLY)
                    .unwrap()
                    .unwrap_err()
                    .status,
                401
            );
            let r = refresh(t3["refresh_token"].as_str().unwrap());
            assert_eq!(r.body["error"], "invalid_grant");
            // Unknown tokens: still 200 (RFC 7009 §2.2).
            let rv = h
                .revoke(
                    s,
                    c.basic().as_deref(),
                    &body(&c.with_id(vec![("token", "nope")])),
                )
                .unwrap();
            assert_eq!(rv.status, 200);
        }
    });
}

#[test]
fn pkce_mismatch_plain_and_missing_are_refused() {
    on_every_store(|new_store| {
        let h = host();
        let s = new_store();
        let s = &*s;
        let c = register(&h, s, "client_secret_basic", SCOPE_READONLY);
        // Verifier mismatch: invalid_grant.
        let (code, _) = consented(&h, s, &c, SCOPE_READONLY);
        let other = pkce::generate_verifier().unwrap();
        let (st, e) = exchange(&h, s, &c, &code, &other);
        assert_eq!(
            (st, e["error"].as_str()),
            (400, Some("invalid_grant")),
            "{e}"
        );
        // …and the code is used up by the failed try.
        // No verifier at all: invalid_request.
        let (code, _) = consented(&h, s, &c, SCOPE_READONLY);
        let r = h
            .token(
                s,
                c.basic().as_deref(),
                &body(&[("grant_type", "authorization_code"), ("code", &code)]),
            )
            .unwrap();
        assert_eq!(r.body["error"], "invalid_request");

        // `plain` (and no method, and no challenge): redirected back with invalid_request.
        let verifier = pkce::generate_verifier().unwrap();
        for (challenge, method) in [
            (verifier.as_str(), Some("plain")),
            (verifier.as_str(), None),
            ("", Some("S256")),
        ] {
            let mut f = form(&[
                ("response_type", "code"),
                ("client_id", &c.id),
                ("redirect_uri", REDIRECT),
                ("state", "xyz"),
                ("code_challenge", challenge),
            ]);
            if let Some(m) = method {
                f.push(("code_challenge_method".into(), m.into()));
            }
            match h.authorization_request(s, &f).unwrap() {
                Err(AuthorizationRefusal::Redirect(url)) => {
                    assert!(url.starts_with(REDIRECT), "{url}");
                    assert!(url.contains("error=invalid_request"), "{url}");
                    assert!(url.contains("state=xyz"), "{url}");
                }
                other => panic!("{method:?}: {other:?}"),
            }
        }
    });
}

#[test]
fn unregistered_redirect_uris_and_unknown_clients_are_never_redirected_to() {
    on_every_store(|new_store| {
        let h = host();
        let s = new_store();
        let s = &*s;
        let c = register(&h, s, "client_secret_basic", SCOPE_READONLY);
        let challenge = pkce::s256_challenge(&pkce::generate_verifier().unwrap());
        for (client, redirect) in [
            (c.id.as_str(), "http://127.0.0.1:8123/elsewhere"),
            (c.id.as_str(), "https://attacker.example/callback"),
            ("unknown-client", REDIRECT),
        ] {
            let f = form(&[
                ("response_type", "code"),
                ("client_id", client),
                ("redirect_uri", redirect),
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ]);
            assert!(
                matches!(
                    h.authorization_request(s, &f).unwrap(),
                    Err(AuthorizationRefusal::ErrorPage(_))
                ),
                "{client} {redirect}"
            );
        }
        // A scope the client did not register: back with invalid_scope.
        let f = form(&[
            ("response_type", "code"),
            ("client_id", &c.id),
            ("redirect_uri", REDIRECT),
            ("scope", SCOPE_PROFILE_READONLY),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ]);
        match h.authorization_request(s, &f).unwrap() {
            Err(AuthorizationRefusal::Redirect(u)) => assert!(u.contains("error=invalid_scope")),
            other => panic!("{other:?}"),
        }
        // Denied: access_denied with the state.
        let req = request(&h, s, &c, &challenge, SCOPE_READONLY);
        let u = h.deny(&req);
        assert!(
            u.contains("error=access_denied") && u.contains("state=xyz"),
            "{u}"
        );
    });
}

#[test]
fn registration_validates_uris_and_metadata() {
    let h = host();
    let s = MemoryStore::new();
    let reg = |v: Value| h.register(&s, v.to_string().as_bytes()).unwrap();
    let base = || {
        json!({"client_name": "w", "client_uri": "https://w.example/",
               "redirect_uris": ["https://w.example/cb"]})
    };
    let r = reg(base());
    assert_eq!(r.status, 201);
    assert_eq!(r.body["token_endpoint_auth_method"], "client_secret_basic");
    assert!(r.body["client_secret"].is_string());
    for (field, value, code) in [
        (
            "redirect_uris",
            json!(["http://w.example/cb"]),
            "invalid_redirect_uri",
        ),
        (
            "redirect_uris",
            json!(["http://localhost.w.example:80/cb"]),
            "invalid_redirect_uri",
        ),
        (
            "redirect_uris",
            json!(["https://w.example/cb#frag"]),
            "invalid_redirect_uri",
        ),
        ("redirect_uris", json!([]), "invalid_redirect_uri"),
        (
            "client_uri",
            json!("http://w.example/"),
            "invalid_client_metadata",
        ),
        ("scope", json!("openid"), "invalid_client_metadata"),
        (
            "grant_types",
            json!(["implicit"]),
            "invalid_client_metadata",
        ),
        (
            "token_endpoint_auth_method",
            json!("private_key_jwt"),
            "invalid_client_metadata",
        ),
    ] {
        let mut v = base();
        v[field] = value;
        let r = reg(v);
        assert_eq!(
            (r.status, r.body["error"].as_str()),
            (400, Some(code)),
            "{field}"
        );
    }
    let r = h.register(&s, b"not json").unwrap();
    assert_eq!(r.body["error"], "invalid_client_metadata");
}

#[test]
fn client_authentication_is_as_registered() {
    let h = host();
    let s = MemoryStore::new();
    let c = register(&h, &s, "client_secret_basic", SCOPE_READONLY);
    let (code, verifier) = consented(&h, &s, &c, SCOPE_READONLY);
    let token_body = body(&[
        ("grant_type", "authorization_code"),
        ("code", &code),
        ("code_verifier", &verifier),
    ]);
    // Wrong secret: 401 invalid_client with a Basic challenge; the code stays usable.
    let wrong = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:wrong", c.id))
    );
    let r = h.token(&s, Some(&wrong), &token_body).unwrap();
    assert_eq!(
        (r.status, r.body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    assert!(r.www_authenticate.is_some());
    // A confidential client posing as public (no secret): refused.
    let mut public = token_body.clone();
    public.extend_from_slice(format!("&client_id={}", c.id).as_bytes());
    let r = h.token(&s, None, &public).unwrap();
    assert_eq!(r.body["error"], "invalid_client");
    // A code issued to another client: invalid_grant.
    let other = register(&h, &s, "none", SCOPE_READONLY);
    let mut as_other = token_body.clone();
    as_other.extend_from_slice(format!("&client_id={}", other.id).as_bytes());
    let r = h.token(&s, None, &as_other).unwrap();
    assert_eq!(r.body["error"], "invalid_grant");
    // Unsupported grant type.
    let r = h
        .token(
            &s,
            c.basic().as_deref(),
            b"grant_type=password&username=a&password=b",
        )
        .unwrap();
    assert_eq!(r.body["error"], "unsupported_grant_type");
}

#[test]
fn expired_codes_and_tokens_are_refused() {
    let mut config = HostConfig::new("http://127.0.0.1:9000");
    config.code_lifetime_secs = 0;
    let h = Host::new(config.clone());
    let s = MemoryStore::new();
    let c = register(&h, &s, "none", SCOPE_READONLY);
    let (code, verifier) = consented(&h, &s, &c, SCOPE_READONLY);
    let (st, e) = exchange(&h, &s, &c, &code, &verifier);
    assert_eq!((st, e["error"].as_str()), (400, Some("invalid_grant")));

    config.code_lifetime_secs = 60;
    config.access_token_lifetime_secs = 0;
    let h = Host::new(config);
    let (code, verifier) = consented(&h, &s, &c, SCOPE_READONLY);
    let (st, t) = exchange(&h, &s, &c, &code, &verifier);
    assert_eq!(st, 200);
    let r = h
        .authorize_bearer(&s, Some(&bearer(&t)), SCOPE_READONLY)
        .unwrap()
        .unwrap_err();
    assert_eq!(r.status, 401);
    assert!(r.www_authenticate.unwrap().contains("invalid_token"));
}

#[test]
fn profiles_are_per_owner() {
    let s = MemoryStore::new();
    let limits = openbadges_model::Limits::default();
    use openbadges_backpack::oauth::host::{get_profile, put_profile};
    assert_eq!(
        get_profile(&s, "a@example.org").unwrap()["email"],
        "a@example.org"
    );
    let p = json!({"type": ["Profile"], "name": "Ada", "email": "a@example.org"});
    let r = put_profile(&s, "a@example.org", p.to_string().as_bytes(), &limits).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(get_profile(&s, "a@example.org").unwrap()["name"], "Ada");
    assert!(
        get_profile(&s, "b@example.org")
            .unwrap()
            .get("name")
            .is_none()
    );
    let r = put_profile(&s, "a@example.org", b"{\"type\":\"Achievement\"}", &limits).unwrap();
    assert_eq!(r.status, 400);
}

/// Several instances on one database: eight threads, alternating between two stores on one
/// SQLite file (and on one PostgreSQL database), redeem one code and then one refresh token;
/// exactly one of each succeeds, the others get `invalid_grant` (the refresh token from a code
/// redeemed once: a replayed code revokes what the first redemption gave).
#[test]
fn codes_and_refresh_tokens_are_single_use_across_instances() {
    let dir = TempDir::new("oauth-instances");
    let path = dir.join("shared.sqlite");
    let mut pairs: Vec<[Box<dyn Store + Send + Sync>; 2]> = vec![[
        Box::new(SqliteStore::open(&path).unwrap()),
        Box::new(SqliteStore::open(&path).unwrap()),
    ]];
    let db = openbadges_test_support::postgres::database("oauth_instances");
    if let Some(db) = &db {
        pairs.push([
            openbadges_backpack::store::open(db.url()).unwrap(),
            openbadges_backpack::store::open(db.url()).unwrap(),
        ]);
    }
    for stores in &pairs {
        let h = host();
        let c = register(&h, &*stores[0], "none", SCOPE_READONLY);
        let (code, verifier) = consented(&h, &*stores[1], &c, SCOPE_READONLY);
        let won: Vec<Value> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let (h, c, code, verifier) = (&h, &c, &code, &verifier);
                    let store = &*stores[i % 2];
                    s.spawn(move || exchange(h, store, c, code, verifier))
                })
                .collect();
            handles
                .into_iter()
                .map(|t| t.join().unwrap())
                .filter(|(st, _)| *st == 200)
                .map(|(_, t)| t)
                .collect()
        });
        assert_eq!(won.len(), 1);
        // The losers replayed the code, which revokes what the winner got (RFC 6749 §4.1.2)
        // whenever they saw its grant: the refresh race starts from a code redeemed once.
        let (code, verifier) = consented(&h, &*stores[1], &c, SCOPE_READONLY);
        let (status, tokens) = exchange(&h, &*stores[0], &c, &code, &verifier);
        assert_eq!(status, 200, "{tokens}");
        let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
        let refreshed = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    let (h, c, refresh) = (&h, &c, &refresh);
                    let store = &*stores[i % 2];
                    s.spawn(move || {
                        h.token(
                            store,
                            None,
                            &body(&c.with_id(vec![
                                ("grant_type", "refresh_token"),
                                ("refresh_token", refresh),
                            ])),
                        )
                        .unwrap()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|t| t.join().unwrap())
                .collect::<Vec<_>>()
        });
        assert_eq!(refreshed.iter().filter(|r| r.status == 200).count(), 1);
        assert!(
            refreshed
                .iter()
                .filter(|r| r.status != 200)
                .all(|r| r.body["error"] == "invalid_grant")
        );
    }
    drop(pairs);
    drop(db);
}
