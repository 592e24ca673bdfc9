//! The OB 3.0 API client (`client`, feature `http`) against a small OB 3.0 API host played on a
//! loopback server: the whole flow (discover, register, authorize with PKCE, exchange, push,
//! page), and the error paths — refresh before expiry and on 401, `invalid_grant` (code replay,
//! wrong verifier, dead refresh token), invalid discovery documents, state mismatch, the token
//! never sent outside the API, loopback refused unless allowed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use openbadges_backpack::client::{
    ApiClient, ClientError, Connection, CredentialBody, authorization_request, receive_redirect,
    registration_request,
};
use openbadges_backpack::oauth::{SCOPE_READONLY, SCOPE_UPSERT, pkce};
use openbadges_proof::loader::{HttpLimits, LoadError};
use openbadges_test_support::http::{Request, Response, Server};
use serde_json::{Value, json};

/// What the mock host keeps.
#[derive(Default)]
struct Host {
    /// The discovery document to serve instead of the good one.
    discovery: Option<Value>,
    /// Registered clients: id → (secret, redirect URIs).
    clients: BTreeMap<String, (String, Vec<String>)>,
    /// Issued codes: code → (client id, redirect URI, PKCE challenge).
    codes: BTreeMap<String, (String, String, String)>,
    /// Live access tokens and refresh tokens.
    access: Vec<String>,
    refresh: Vec<String>,
    /// Credentials held (by id) in arrival order.
    held: Vec<(String, Value)>,
    /// Counters.
    token_requests: usize,
    refreshes: usize,
    unauthorized: usize,
    next: usize,
    /// A `Link: next` pointing elsewhere, to see it dropped.
    foreign_link: bool,
    /// Refuse every bearer token.
    refuse_all: bool,
}

impl Host {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}-{}", self.next)
    }
}

fn form(body: &[u8]) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn json_reply(status: u16, v: &Value) -> Response {
    Response::status(status, v.to_string(), "application/json")
}

fn oauth_error(status: u16, code: &str) -> Response {
    json_reply(
        status,
        &json!({"error": code, "error_description": format!("mock: {code}")}),
    )
}

fn discovery(base: &str) -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "Mock backpack", "version": "3.0",
                 "x-imssf-privacyPolicyUrl": format!("{base}/privacy")},
        "servers": [{"url": format!("{base}/ims/ob/v3p0")}],
        "paths": {},
        "components": {"securitySchemes": {"OAuth2ACG": {
            "type": "oauth2",
            "x-imssf-registrationUrl": format!("{base}/register"),
            "flows": {"authorizationCode": {
                "authorizationUrl": format!("{base}/authorize"),
                "tokenUrl": format!("{base}/token"),
                "refreshUrl": format!("{base}/token"),
                "scopes": {SCOPE_UPSERT: "upsert", SCOPE_READONLY: "read"}
            }}
        }}}
    })
}

/// The client id and secret of an HTTP Basic header.
fn basic(req: &Request) -> Option<(String, String)> {
    use base64::Engine as _;
    let h = req.header("authorization")?.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD.decode(h).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (id, secret) = s.split_once(':')?;
    let dec = |x: &str| {
        url::form_urlencoded::parse(format!("x={x}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned()
    };
    Some((dec(id), dec(secret)))
}

fn handle(host: &Mutex<Host>, req: &Request) -> Response {
    let base = format!("http://{}", req.local_addr);
    let mut h = host.lock().unwrap();
    match (req.method.as_str(), req.path_only()) {
        ("GET", "/ims/ob/v3p0/discovery") => {
            json_reply(200, h.discovery.as_ref().unwrap_or(&discovery(&base)))
        }
        ("POST", "/register") => {
            let r: Value = serde_json::from_slice(&req.body).unwrap();
            for k in [
                "client_name",
                "client_uri",
                "logo_uri",
                "tos_uri",
                "policy_uri",
                "software_id",
                "software_version",
            ] {
                if !r[k].is_string() {
                    return oauth_error(400, "invalid_client_metadata");
                }
            }
            let uris: Vec<String> = serde_json::from_value(r["redirect_uris"].clone()).unwrap();
            let id = h.fresh("client");
            let secret = h.fresh("secret");
            h.clients.insert(id.clone(), (secret.clone(), uris));
            let mut answer = r.clone();
            answer["client_id"] = json!(id);
            answer["client_secret"] = json!(secret);
            answer["client_id_issued_at"] = json!(1);
            answer["client_secret_expires_at"] = json!(0);
            json_reply(201, &answer)
        }
        ("POST", "/token") => {
            h.token_requests += 1;
            let Some((id, secret)) = basic(req) else {
                return oauth_error(401, "invalid_client");
            };
            if h.clients.get(&id).map(|c| &c.0) != Some(&secret) {
                return oauth_error(401, "invalid_client");
            }
            let f = form(&req.body);
            match f.get("grant_type").map(String::as_str) {
                Some("authorization_code") => {
                    let Some((cid, redirect, challenge)) =
                        f.get("code").and_then(|c| h.codes.remove(c))
                    else {
                        return oauth_error(400, "invalid_grant");
                    };
                    let verifier = f.get("code_verifier").map_or("", String::as_str);
                    if cid != id
                        || f.get("redirect_uri") != Some(&redirect)
                        || !pkce::verify_s256(verifier, &challenge)
                    {
                        return oauth_error(400, "invalid_grant");
                    }
                }
                Some("refresh_token") => {
                    let rt = f.get("refresh_token").cloned().unwrap_or_default();
                    let Some(i) = h.refresh.iter().position(|r| *r == rt) else {
                        return oauth_error(400, "invalid_grant");
                    };
                    h.refresh.remove(i);
                    h.refreshes += 1;
                }
                _ => return oauth_error(400, "unsupported_grant_type"),
            }
            let at = h.fresh("at");
            let rt = h.fresh("rt");
            h.access.push(at.clone());
            h.refresh.push(rt.clone());
            json_reply(
                200,
                &json!({"access_token": at, "token_type": "Bearer", "expires_in": 3600,
                        "refresh_token": rt, "scope": SCOPE_UPSERT}),
            )
        }
        (m, "/ims/ob/v3p0/credentials") => {
            let token = req
                .header("authorization")
                .and_then(|a| a.strip_prefix("Bearer "))
                .unwrap_or("");
            if h.refuse_all || !h.access.iter().any(|t| t == token) {
                h.unauthorized += 1;
                return Response::Http {
                    status: 401,
                    headers: vec![(
                        "WWW-Authenticate".into(),
                        "Bearer error=\"invalid_token\"".into(),
                    )],
                    body: Vec::new(),
                };
            }
            if m == "POST" {
                let v: Value = serde_json::from_slice(&req.body).unwrap();
                let id = v["id"].as_str().unwrap_or_default().to_owned();
                let status = match h.held.iter().position(|(i, _)| *i == id) {
                    Some(i) => {
                        h.held[i].1 = v.clone();
                        200
                    }
                    None => {
                        h.held.push((id, v.clone()));
                        201
                    }
                };
                return json_reply(status, &v);
            }
            let q = form(req.path.split_once('?').map_or("", |(_, q)| q).as_bytes());
            let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(10);
            let offset: usize = q.get("offset").and_then(|l| l.parse().ok()).unwrap_or(0);
            let page: Vec<Value> = h
                .held
                .iter()
                .skip(offset)
                .take(limit)
                .map(|(_, v)| v.clone())
                .collect();
            let mut headers = vec![("X-Total-Count".to_owned(), h.held.len().to_string())];
            if offset + limit < h.held.len() {
                let next = if h.foreign_link {
                    format!(
                        "http://203.0.113.9/ims/ob/v3p0/credentials?limit={limit}&offset={}",
                        offset + limit
                    )
                } else {
                    format!(
                        "{base}/ims/ob/v3p0/credentials?limit={limit}&offset={}",
                        offset + limit
                    )
                };
                headers.push(("Link".into(), format!("<{next}>; rel=\"next\"")));
            }
            headers.push(("Content-Type".into(), "application/json".into()));
            Response::Http {
                status: 200,
                headers,
                body: json!({"credential": page}).to_string().into_bytes(),
            }
        }
        _ => Response::not_found(),
    }
}

struct Mock {
    server: Server,
    host: Arc<Mutex<Host>>,
}

impl Mock {
    fn start() -> Mock {
        let host = Arc::new(Mutex::new(Host::default()));
        let h = host.clone();
        let server = Server::start(move |req| handle(&h, req));
        Mock { server, host }
    }

    fn client(&self) -> ApiClient {
        ApiClient::new(&HttpLimits::default().allow_host(self.server.addr().to_string())).unwrap()
    }

    fn redirect_uri(&self) -> String {
        // The client's own loopback callback (another port: nothing listens, the test plays
        // the browser).
        "http://127.0.0.1:9/callback".to_owned()
    }

    /// The user consents: the host issues a code for the authorization URL's request and
    /// answers with the query the browser would bring back.
    fn consent(&self, authorization_url: &str) -> String {
        let u = url::Url::parse(authorization_url).unwrap();
        let q: BTreeMap<String, String> = u.query_pairs().into_owned().collect();
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"].len(), 43);
        assert!(q["scope"].contains(SCOPE_UPSERT));
        let mut h = self.host.lock().unwrap();
        let code = h.fresh("code");
        h.codes.insert(
            code.clone(),
            (
                q["client_id"].clone(),
                q["redirect_uri"].clone(),
                q["code_challenge"].clone(),
            ),
        );
        format!("code={code}&state={}", q["state"])
    }

    /// Discovery, registration, authorization and exchange: a connection.
    async fn connect(&self, client: &ApiClient) -> Connection {
        let service = client.discover(&self.server.base_url()).await.unwrap();
        let reg = client
            .register(
                &service,
                &registration_request("Test client", "http://127.0.0.1:9/", self.redirect_uri()),
            )
            .await
            .unwrap();
        let (url, pending) = authorization_request(
            &service,
            &reg,
            &self.redirect_uri(),
            &[SCOPE_UPSERT, SCOPE_READONLY],
        )
        .unwrap();
        let code = pending.code_from_callback(&self.consent(&url)).unwrap();
        client
            .exchange_code(&service, &reg, &pending, &code)
            .await
            .unwrap()
    }
}

fn credential(n: usize) -> Value {
    json!({"id": format!("urn:uuid:{n}"), "type": ["VerifiableCredential", "OpenBadgeCredential"]})
}

#[tokio::test]
async fn the_whole_flow_pushes_and_pages() {
    let mock = Mock::start();
    let client = mock.client();
    let mut conn = mock.connect(&client).await;
    // The connection persists as JSON and comes back the same.
    let saved = serde_json::to_string(&conn).unwrap();
    assert!(saved.contains("client_secret"));
    let back: Connection = serde_json::from_str(&saved).unwrap();
    assert_eq!(back, conn);

    let first = client
        .push_credential(&mut conn, &CredentialBody::Json(credential(1)))
        .await
        .unwrap();
    assert_eq!(first.status, 201);
    assert!(first.created());
    let again = client
        .push_credential(&mut conn, &CredentialBody::Json(credential(1)))
        .await
        .unwrap();
    assert_eq!(again.status, 200);
    client
        .push_credential(&mut conn, &CredentialBody::Json(credential(2)))
        .await
        .unwrap();

    let page = client.get_credentials(&mut conn, 1, 0).await.unwrap();
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.credentials, vec![credential(1)]);
    let next = page.next.expect("a next page");
    let page2 = client.get_credentials_at(&mut conn, &next).await.unwrap();
    assert_eq!(page2.credentials, vec![credential(2)]);
    assert_eq!(page2.next, None);
    assert_eq!(mock.host.lock().unwrap().refreshes, 0);
}

#[tokio::test]
async fn a_401_refreshes_once_then_retries() {
    let mock = Mock::start();
    let client = mock.client();
    let mut conn = mock.connect(&client).await;
    let old_refresh = conn.tokens.refresh_token.clone();
    // The host forgets the access token (revoked, or expired early).
    mock.host.lock().unwrap().access.clear();
    let pushed = client
        .push_credential(&mut conn, &CredentialBody::Json(credential(1)))
        .await
        .unwrap();
    assert_eq!(pushed.status, 201);
    {
        let h = mock.host.lock().unwrap();
        assert_eq!((h.unauthorized, h.refreshes), (1, 1));
    }
    // The rotated refresh token replaced the old one.
    assert_ne!(conn.tokens.refresh_token, old_refresh);

    // A token refused again after the refresh is the API's answer, not a loop.
    mock.host.lock().unwrap().refuse_all = true;
    let e = client
        .push_credential(&mut conn, &CredentialBody::Json(credential(2)))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::Api { status: 401, .. }), "{e}");
    {
        let h = mock.host.lock().unwrap();
        assert_eq!((h.unauthorized, h.refreshes), (3, 2));
    }

    // A refresh token the host no longer knows: `invalid_grant`, authorize again.
    {
        let mut h = mock.host.lock().unwrap();
        h.refuse_all = false;
        h.access.clear();
        h.refresh.clear();
    }
    let e = client
        .push_credential(&mut conn, &CredentialBody::Json(credential(2)))
        .await
        .unwrap_err();
    assert_eq!(e.oauth_error(), Some("invalid_grant"), "{e}");
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_before_use() {
    let mock = Mock::start();
    let client = mock.client();
    let mut conn = mock.connect(&client).await;
    conn.tokens.expires_at = Some(0);
    client
        .push_credential(&mut conn, &CredentialBody::Json(credential(1)))
        .await
        .unwrap();
    let h = mock.host.lock().unwrap();
    assert_eq!((h.unauthorized, h.refreshes), (0, 1));
    assert!(conn.tokens.expires_at.unwrap() > 0);
}

#[tokio::test]
async fn without_a_refresh_token_a_401_is_the_apis_answer() {
    let mock = Mock::start();
    let client = mock.client();
    let mut conn = mock.connect(&client).await;
    conn.tokens.refresh_token = None;
    mock.host.lock().unwrap().access.clear();
    let e = client
        .push_credential(&mut conn, &CredentialBody::Json(credential(1)))
        .await
        .unwrap_err();
    match e {
        ClientError::Api {
            status: 401,
            code_minor,
            ..
        } => {
            assert_eq!(code_minor.as_deref(), Some("invalid_token"));
        }
        other => panic!("{other}"),
    }
    assert_eq!(mock.host.lock().unwrap().unauthorized, 1);
}

#[tokio::test]
async fn replayed_codes_and_wrong_verifiers_are_invalid_grant() {
    let mock = Mock::start();
    let client = mock.client();
    let service = client.discover(&mock.server.base_url()).await.unwrap();
    let reg = client
        .register(
            &service,
            &registration_request("T", "http://127.0.0.1:9/", mock.redirect_uri()),
        )
        .await
        .unwrap();
    let (url, pending) =
        authorization_request(&service, &reg, &mock.redirect_uri(), &[SCOPE_UPSERT]).unwrap();
    let code = pending.code_from_callback(&mock.consent(&url)).unwrap();
    client
        .exchange_code(&service, &reg, &pending, &code)
        .await
        .unwrap();
    let replay = client
        .exchange_code(&service, &reg, &pending, &code)
        .await
        .unwrap_err();
    assert_eq!(replay.oauth_error(), Some("invalid_grant"), "{replay}");
    assert!(matches!(replay, ClientError::OAuth { status: 400, .. }));

    // Another request's verifier does not redeem this request's code.
    let (url, pending) =
        authorization_request(&service, &reg, &mock.redirect_uri(), &[SCOPE_UPSERT]).unwrap();
    let (_, other) =
        authorization_request(&service, &reg, &mock.redirect_uri(), &[SCOPE_UPSERT]).unwrap();
    let code = pending.code_from_callback(&mock.consent(&url)).unwrap();
    let e = client
        .exchange_code(&service, &reg, &other, &code)
        .await
        .unwrap_err();
    assert_eq!(e.oauth_error(), Some("invalid_grant"), "{e}");

    // A redirect URI that was not registered is refused before anything is sent.
    let e = authorization_request(
        &service,
        &reg,
        "http://127.0.0.1:9/elsewhere",
        &[SCOPE_UPSERT],
    )
    .unwrap_err();
    assert!(matches!(e, ClientError::InvalidUrl { .. }), "{e}");
}

#[tokio::test]
async fn the_state_must_match() {
    let mock = Mock::start();
    let client = mock.client();
    let service = client.discover(&mock.server.base_url()).await.unwrap();
    let reg = client
        .register(
            &service,
            &registration_request("T", "http://127.0.0.1:9/", mock.redirect_uri()),
        )
        .await
        .unwrap();
    let (url, pending) =
        authorization_request(&service, &reg, &mock.redirect_uri(), &[SCOPE_UPSERT]).unwrap();
    let (_, other) =
        authorization_request(&service, &reg, &mock.redirect_uri(), &[SCOPE_UPSERT]).unwrap();
    assert_ne!(pending.state, other.state);
    let query = mock.consent(&url);
    assert!(matches!(
        other.code_from_callback(&query),
        Err(ClientError::StateMismatch)
    ));
    assert!(matches!(
        pending.code_from_callback("code=x"),
        Err(ClientError::StateMismatch)
    ));
    assert!(matches!(
        pending.code_from_callback(&format!("code=x&state={}x", pending.state)),
        Err(ClientError::StateMismatch)
    ));
    // A denial (with the right state) carries its OAuth error code.
    let denied = pending
        .code_from_callback(&format!("error=access_denied&state={}", pending.state))
        .unwrap_err();
    assert_eq!(denied.oauth_error(), Some("access_denied"));
    // A forged denial (wrong state) is a state mismatch first.
    assert!(matches!(
        pending.code_from_callback("error=access_denied&state=forged"),
        Err(ClientError::StateMismatch)
    ));
    assert!(pending.code_from_callback(&query).is_ok());
}

#[tokio::test]
async fn invalid_discovery_documents_are_refused() {
    let mock = Mock::start();
    let client = mock.client();
    let base = mock.server.base_url();
    let good = discovery(&base);
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut no_registration = good.clone();
    no_registration["components"]["securitySchemes"]["OAuth2ACG"]
        .as_object_mut()
        .unwrap()
        .remove("x-imssf-registrationUrl");
    cases.push(("no registration URL", no_registration));
    let mut plain_http = good.clone();
    plain_http["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"]["tokenUrl"] =
        json!("http://backpack.example/token");
    cases.push(("token URL over plain http", plain_http));
    let mut no_scopes = good.clone();
    no_scopes["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"]["scopes"] =
        json!({});
    cases.push(("no scopes", no_scopes));
    let mut no_servers = good.clone();
    no_servers["servers"] = json!([]);
    cases.push(("no servers", no_servers));
    let mut not_oauth = good.clone();
    not_oauth["components"]["securitySchemes"]["OAuth2ACG"]["type"] = json!("apiKey");
    cases.push(("not oauth2", not_oauth));
    cases.push(("not an object", json!(["openapi"])));
    for (what, doc) in cases {
        mock.host.lock().unwrap().discovery = Some(doc);
        let e = client.discover(&base).await.unwrap_err();
        assert!(
            matches!(e, ClientError::InvalidDiscovery { .. }),
            "{what}: {e}"
        );
    }
    // Not found is not a service.
    let other = Server::start(|_| Response::not_found());
    let client =
        ApiClient::new(&HttpLimits::default().allow_host(other.addr().to_string())).unwrap();
    let e = client.discover(&other.base_url()).await.unwrap_err();
    assert!(matches!(e, ClientError::InvalidDiscovery { .. }), "{e}");
}

#[tokio::test]
async fn the_token_never_leaves_the_api() {
    let mock = Mock::start();
    let client = mock.client();
    let mut conn = mock.connect(&client).await;
    for n in 0..3 {
        client
            .push_credential(&mut conn, &CredentialBody::Json(credential(n)))
            .await
            .unwrap();
    }
    mock.host.lock().unwrap().foreign_link = true;
    let page = client.get_credentials(&mut conn, 1, 0).await.unwrap();
    assert_eq!(page.next, None, "a next link elsewhere is dropped");
    let e = client
        .get_credentials_at(&mut conn, "http://203.0.113.9/ims/ob/v3p0/credentials")
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::InvalidUrl { .. }), "{e}");
}

#[tokio::test]
async fn loopback_hosts_are_refused_unless_allowed() {
    let mock = Mock::start();
    let client = ApiClient::new(&HttpLimits::default()).unwrap();
    let e = client.discover(&mock.server.base_url()).await.unwrap_err();
    assert!(
        matches!(e, ClientError::Http(LoadError::Refused { .. })),
        "{e}"
    );
    assert_eq!(mock.server.requests(), 0);
    // And a plain-http host that is not loopback is refused as a URL.
    let e = client
        .discover("http://backpack.example")
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::InvalidUrl { .. }), "{e}");
}

/// A command-line client's loopback redirect: the browser's other requests get 404, the
/// redirect's code is returned, a wrong state refused.
#[tokio::test]
async fn the_loopback_redirect_is_received() {
    use std::time::Duration;
    let mock = Mock::start();
    let client = mock.client();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!("http://{}/callback", listener.local_addr().unwrap());
    let service = client.discover(&mock.server.base_url()).await.unwrap();
    let reg = client
        .register(
            &service,
            &registration_request("CLI", "http://127.0.0.1:9/", redirect_uri.clone()),
        )
        .await
        .unwrap();
    let (url, pending) =
        authorization_request(&service, &reg, &redirect_uri, &[SCOPE_UPSERT]).unwrap();
    let query = mock.consent(&url);
    // The browser: a favicon first, then the redirect.
    let browser = reqwest::Client::new();
    let (r1, r2) = (redirect_uri.clone(), format!("{redirect_uri}?{query}"));
    let visits = tokio::spawn(async move {
        let favicon = r1.replace("/callback", "/favicon.ico");
        let a = browser.get(favicon).send().await.unwrap().status().as_u16();
        let b = browser.get(r2).send().await.unwrap();
        (a, b.status().as_u16(), b.text().await.unwrap())
    });
    let code = receive_redirect(&listener, "/callback", &pending, Duration::from_secs(30))
        .await
        .unwrap();
    let (favicon, status, text) = visits.await.unwrap();
    assert_eq!((favicon, status), (404, 200));
    assert!(text.contains("close this window"), "{text}");
    client
        .exchange_code(&service, &reg, &pending, &code)
        .await
        .unwrap();

    // Another request's state: refused.
    let (_, other) = authorization_request(&service, &reg, &redirect_uri, &[SCOPE_UPSERT]).unwrap();
    let r = format!("{redirect_uri}?code=x&state={}", pending.state);
    let visit = tokio::spawn(async move { reqwest::get(r).await.unwrap().status().as_u16() });
    let e = receive_redirect(&listener, "/callback", &other, Duration::from_secs(30))
        .await
        .unwrap_err();
    assert!(matches!(e, ClientError::StateMismatch), "{e}");
    assert_eq!(visit.await.unwrap(), 200);
}
