//! The routes: one axum [`Router`] ([`router`]) over what the handlers share ([`Ctx`]).
//!
//! Every handler that touches the database (the app, the issuer, the backpack: all
//! synchronous) runs it on tokio's blocking pool ([`blocking`]), never on a worker thread.
//! Every route has a body limit ([`BodyLimit`]): the pages 8 KiB, the OB 3.0 API its upsert
//! limit; the body is read whole, within the body read timeout, before a handler runs.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use openbadges::backpack::export::api::{
    ApiReply, ApiTokens, MAX_UPSERT_BYTES, Page, SCOPE_READONLY, SCOPE_UPSERT, imsx_status_info,
    ob3_get_credentials, ob3_get_credentials_of, ob3_upsert_credential,
};
use openbadges::backpack::oauth::host::{
    AuthorizationRefusal, Host, OAuthReply, get_profile, paths, put_profile,
};
use openbadges::backpack::oauth::{DISCOVERY_PATH, SCOPE_PROFILE_READONLY, SCOPE_PROFILE_UPDATE};

use openbadges::oid4vci::Oid4vciResponse;

use crate::html;
use crate::limits::{BodyLimit, BodyRefusal, MAX_FORM_BYTES, RateLimiter};
use crate::pack::{self, Pack};
use crate::state::{App, Hosted, Refused, is_token};

/// The body limit of the OAuth 2.0 endpoints and the profile (16 KiB: a registration, a form,
/// a profile).
const MAX_OAUTH_BYTES: usize = 16 * 1024;
/// How many OAuth 2.0 bodies are held in memory at once (64 × 16 KiB = 1 MiB).
const OAUTH_BODIES_AT_ONCE: usize = 64;

/// The path of the OB 3.0 API's credentials endpoint.
pub(crate) const API_PATH: &str = "/ims/ob/v3p0/credentials";

/// What the request handlers share (one per running app). Add what new routes need here.
pub(crate) struct Ctx {
    /// The quiz, the attempts and the issuer, on the database.
    pub(crate) app: App,
    /// The learners' backpack (its lock is the only lock).
    pub(crate) pack: Arc<Mutex<Pack>>,
    /// The OB 3.0 API's pre-issued local bearer tokens (the development shortcut; the app's
    /// own pusher uses one).
    pub(crate) tokens: Arc<ApiTokens>,
    /// The OB 3.0 API's OAuth 2.0 authorization server (its grants in the backpack's store).
    pub(crate) host: Host,
    /// The OB 3.0 API endpoint's public URL (for `Link` headers).
    pub(crate) api_url: String,
    /// New attempts per client address.
    pub(crate) new_attempts: RateLimiter,
    /// How long a request body may take to arrive ([`crate::Config::body_read_timeout`]).
    pub(crate) body_read_timeout: Duration,
    /// The OB 3.0 API client "Send to backpack" uses for other hosts ([`crate::remote`]).
    pub(crate) backpacks: openbadges::backpack::client::ApiClient,
    /// The verify page's verifier ([`crate::verify::verifier`]).
    pub(crate) verifier: openbadges::Verifier,
    /// How many connections are served at once ([`crate::Config::max_connections`]).
    pub(crate) max_connections: usize,
}

/// The app's routes over `ctx`: the pages (8 KiB bodies), the OB 3.0 API (its upsert limit),
/// the hosted documents (the pages' fallback), with the security headers on every answer.
///
/// A new group of routes is merged here with its own body limit:
/// `.merge(BodyLimit { max_bytes, read_timeout, refuse }.apply(its_routes))`.
pub(crate) fn router(ctx: Arc<Ctx>) -> Router {
    let vci = ctx.app.vci();
    let [token_path, nonce_path, credential_path, offers_prefix] = vci.endpoint_paths();
    let pages = Router::new()
        .route(&vci.issuer_metadata_path(), get(vci_issuer_metadata))
        .route(
            &vci.authorization_server_metadata_path(),
            get(vci_authorization_server_metadata),
        )
        .route(&token_path, post(vci_token))
        .route(&nonce_path, post(vci_nonce))
        .route(&credential_path, post(vci_credential))
        .route(&format!("{offers_prefix}{{reference}}"), get(vci_offer))
        .route("/", get(home))
        .route("/start", post(start_attempt))
        .route("/criteria", get(criteria))
        .route("/static/badge.png", get(badge_png))
        .route("/static/badge.svg", get(badge_svg))
        .route("/a/{tok}/{*rest}", any(attempt))
        .route(crate::remote::CALLBACK_PATH, get(backpack_callback))
        .fallback(hosted)
        .method_not_allowed_fallback(method_not_allowed);
    let pages = BodyLimit {
        max_bytes: MAX_FORM_BYTES,
        read_timeout: ctx.body_read_timeout,
        // Every connection may send a whole form at once (512 × 8 KiB: 4 MiB by default).
        at_once: ctx.max_connections,
        refuse: refuse_page,
    }
    .apply(pages);
    let oauth = BodyLimit {
        max_bytes: MAX_OAUTH_BYTES,
        read_timeout: ctx.body_read_timeout,
        refuse: refuse_api,
        at_once: OAUTH_BODIES_AT_ONCE,
    }
    .apply(
        Router::new()
            .route(DISCOVERY_PATH, get(discovery))
            .route(paths::REGISTER, post(register))
            .route(paths::AUTHORIZE, get(authorize).post(consent))
            .route(paths::TOKEN, post(token))
            .route(paths::REVOKE, post(revoke))
            .route(paths::PROFILE, get(profile).put(profile)),
    );
    let verify = BodyLimit {
        max_bytes: crate::verify::MAX_VERIFY_BODY,
        read_timeout: ctx.body_read_timeout,
        // At most 8 MiB of uploaded badges in memory at once.
        at_once: 4,
        refuse: refuse_page,
    }
    .apply(crate::verify::routes(
        ctx.verifier.clone(),
        ctx.app.origin(),
    ));
    Router::new()
        .merge(pages)
        .merge(oauth)
        .merge(verify)
        .merge(api_routes(&ctx))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(ctx)
}

/// The OB 3.0 API alone (what the pusher's own listener serves), with its body limit, after
/// the bearer token: a client without one gets no body read.
pub(crate) fn api_routes(ctx: &Arc<Ctx>) -> Router<Arc<Ctx>> {
    BodyLimit {
        max_bytes: MAX_UPSERT_BYTES,
        read_timeout: ctx.body_read_timeout,
        // At most 8 MiB of credentials in memory at once.
        at_once: 8,
        refuse: refuse_api,
    }
    .apply(Router::new().route(API_PATH, any(api_credentials)))
    .layer(axum::middleware::from_fn_with_state(
        Arc::clone(ctx),
        authorize_api,
    ))
}

/// The OB 3.0 API's bearer token, checked before the body is read: `credential.upsert` to
/// `POST`, `credential.readonly` to `GET` (other methods go on to their 405).
async fn authorize_api(
    State(ctx): State<Arc<Ctx>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let scope = match *req.method() {
        Method::POST => SCOPE_UPSERT,
        Method::GET => SCOPE_READONLY,
        _ => return next.run(req).await,
    };
    let auth = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let auth = auth.map(str::to_owned);
    let checked = {
        let ctx = Arc::clone(&ctx);
        tokio::task::spawn_blocking(move || {
            let Ok(pack) = ctx.pack.lock() else {
                return Err(api_failure(
                    500,
                    "internal_server_error",
                    "the backpack is unavailable",
                ));
            };
            bearer(&ctx, &pack, auth.as_deref(), scope)
        })
        .await
    };
    match checked {
        Ok(Ok(owner)) => {
            let mut req = req;
            req.extensions_mut().insert(Owner(owner));
            next.run(req).await
        }
        Ok(Err(refused)) => refused.into_response(),
        Err(_) => api_failure(500, "internal_server_error", "the check failed").into_response(),
    }
}

/// Whose request to the credentials endpoint it is: `Some(email)` with an OAuth 2.0 access
/// token (the learner who consented), `None` with a pre-issued local token.
#[derive(Debug, Clone)]
struct Owner(Option<String>);

/// Runs `f` (database work) on the blocking pool.
pub(crate) async fn blocking(f: impl FnOnce() -> Reply + Send + 'static) -> Reply {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        eprintln!("badges101: a request handler failed: {e}");
        Reply::error(500, "Something went wrong on our side.")
    })
}

/// An answer before it is sent.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// An HTML page.
    pub(crate) fn html(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "text/html; charset=utf-8".into(),
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    /// `303 See Other` to `to`.
    pub(crate) fn redirect(to: String) -> Self {
        let mut r = Self::html(303, html::error(303, "See other"));
        r.headers.push(("Location", to));
        r
    }

    /// The error page.
    pub(crate) fn error(status: u16, message: &str) -> Self {
        Self::html(status, html::error(status, message))
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut r = Response::new(Body::from(self.body));
        *r.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = r.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.content_type) {
            headers.insert(header::CONTENT_TYPE, v);
        }
        for (name, value) in self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.append(n, v);
            }
        }
        r
    }
}

impl From<ApiReply> for Reply {
    fn from(r: ApiReply) -> Self {
        let mut headers = Vec::new();
        if let Some(w) = r.www_authenticate {
            headers.push(("WWW-Authenticate", w));
        }
        Reply {
            status: r.status,
            content_type: r.content_type.into(),
            body: r.body,
            headers,
        }
    }
}

impl From<Refused> for Reply {
    fn from(r: Refused) -> Self {
        match r {
            Refused::UnknownAttempt => Reply::error(404, "Not found."),
            Refused::Expired => Reply::error(
                404,
                "This attempt has expired. Start again from the home page: it takes a few minutes.",
            ),
            Refused::Bad(m) => Reply::error(400, &m),
            Refused::Conflict(m) => Reply::error(409, &m),
            Refused::Internal(m) => {
                eprintln!("badges101: internal error: {m}");
                Reply::error(500, "Something went wrong on our side.")
            }
        }
    }
}

/// The headers every answer carries: no sniffing, no referrer (attempt tokens are in page
/// URLs); pages: a strict Content-Security-Policy and no caching; SVG documents: a policy
/// that runs no script and loads nothing; everything else may be read cross-origin (hosted
/// badge documents). A route that set one of them keeps its own.
async fn security_headers(mut r: Response) -> Response {
    let content_type = r
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let h = r.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "no-referrer");
    if content_type.starts_with("text/html") {
        set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        );
        set(header::CACHE_CONTROL, "no-store");
    } else if content_type.starts_with("image/svg+xml") {
        set(
            header::CONTENT_SECURITY_POLICY,
            openbadges::backpack::svg::SVG_CONTENT_SECURITY_POLICY,
        );
        set(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    } else {
        set(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    }
    r
}

/// `r` with `Connection: close` (the rest of the request was not read).
fn closing(r: impl IntoResponse) -> Response {
    let mut r = r.into_response();
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// The pages' answer to a refused body.
fn refuse_page(why: BodyRefusal) -> Response {
    closing(match why {
        BodyRefusal::TooLarge { .. } => Reply::error(413, "Request too large."),
        BodyRefusal::TooSlow => Reply::error(408, "The request took too long to arrive."),
        BodyRefusal::Unreadable => Reply::error(400, "Could not read the request."),
    })
}

/// The OB 3.0 API's answer to a refused body.
fn refuse_api(why: BodyRefusal) -> Response {
    closing(match why {
        BodyRefusal::TooLarge { max_bytes } => api_failure(
            413,
            "invalid_data",
            &format!("the request body is over the limit of {max_bytes} bytes"),
        ),
        BodyRefusal::TooSlow => api_failure(408, "invalid_data", "the request took too long"),
        BodyRefusal::Unreadable => api_failure(400, "invalid_data", "could not read the request"),
    })
}

impl From<Oid4vciResponse> for Reply {
    fn from(r: Oid4vciResponse) -> Self {
        let mut content_type = "application/json".to_owned();
        let mut headers = Vec::new();
        for (name, value) in r.headers {
            if name.eq_ignore_ascii_case("content-type") {
                content_type = value;
            } else {
                headers.push((name, value));
            }
        }
        Reply {
            status: r.status,
            content_type,
            body: r.body,
            headers,
        }
    }
}

/// `GET /.well-known/openid-credential-issuer`: the OpenID4VCI Credential Issuer Metadata.
async fn vci_issuer_metadata(State(ctx): State<Arc<Ctx>>) -> Reply {
    ctx.app.vci().issuer_metadata().into()
}

/// `GET /.well-known/oauth-authorization-server`: the OAuth 2.0 AS Metadata (RFC 8414).
async fn vci_authorization_server_metadata(State(ctx): State<Arc<Ctx>>) -> Reply {
    ctx.app.vci().authorization_server_metadata().into()
}

/// `POST /oid4vci/token`: the pre-authorized code for an access token.
async fn vci_token(State(ctx): State<Arc<Ctx>>, body: Bytes) -> Reply {
    blocking(move || ctx.app.vci().token(&body).into()).await
}

/// `POST /oid4vci/nonce`: a fresh `c_nonce`.
async fn vci_nonce(State(ctx): State<Arc<Ctx>>) -> Reply {
    blocking(move || ctx.app.vci().nonce().into()).await
}

/// `POST /oid4vci/credential`: the credential, to the key proof's holder.
async fn vci_credential(State(ctx): State<Arc<Ctx>>, headers: HeaderMap, body: Bytes) -> Reply {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    blocking(move || ctx.app.vci().credential(auth.as_deref(), &body).into()).await
}

/// `GET /oid4vci/offers/{reference}`: a credential offer by reference.
async fn vci_offer(
    State(ctx): State<Arc<Ctx>>,
    axum::extract::Path(reference): axum::extract::Path<String>,
) -> Reply {
    blocking(move || ctx.app.vci().offer_by_reference(&reference).into()).await
}

async fn method_not_allowed() -> Reply {
    Reply::error(405, "Method not allowed.")
}

async fn home() -> Reply {
    Reply::html(200, html::intro())
}

async fn criteria(State(ctx): State<Arc<Ctx>>) -> Reply {
    Reply::html(200, html::criteria(ctx.app.quiz()))
}

/// The badge image as PNG (rasterised once, on first use: on the blocking pool).
async fn badge_png() -> Reply {
    blocking(|| match crate::art::badge_png() {
        Ok(png) => Reply {
            status: 200,
            content_type: "image/png".into(),
            body: png.to_vec(),
            headers: Vec::new(),
        },
        Err(e) => Reply::from(Refused::Internal(e.to_string())),
    })
    .await
}

/// The badge art as SVG.
async fn badge_svg() -> Reply {
    Reply {
        status: 200,
        content_type: "image/svg+xml".into(),
        body: crate::art::BADGE_SVG.to_vec(),
        headers: Vec::new(),
    }
}

/// `POST /start`: a new attempt, within the client address's rate.
async fn start_attempt(
    State(ctx): State<Arc<Ctx>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Reply {
    if let Err(wait) = ctx.new_attempts.admit(peer.ip(), Instant::now()) {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut r = Reply::error(
            429,
            "Many people started Badges 101 from your network just now. Please wait a minute, then start again.",
        );
        r.headers.push(("Retry-After", secs.max(1).to_string()));
        return r;
    }
    blocking(move || match ctx.app.new_attempt() {
        Ok(tok) => Reply::redirect(format!("/a/{tok}/lesson/1")),
        Err(e) => Reply::from(Refused::from(e)),
    })
    .await
}

/// The hosted documents (the pages' fallback): `GET` only.
async fn hosted(State(ctx): State<Arc<Ctx>>, method: Method, uri: Uri) -> Reply {
    if method != Method::GET {
        return Reply::error(405, "Method not allowed.");
    }
    let path = uri.path().to_owned();
    blocking(move || hosted_document(&ctx.app, &path).unwrap_or_else(Reply::from)).await
}

fn hosted_document(app: &App, path: &str) -> Result<Reply, Refused> {
    Ok(match app.hosted(path)? {
        Hosted::Found(d) => Reply {
            status: 200,
            content_type: d.content_type,
            body: d.body,
            headers: Vec::new(),
        },
        Hosted::Gone => Reply {
            status: 410,
            content_type: "application/json".into(),
            body: br#"{"error":"gone","reason":"revoked"}"#.to_vec(),
            headers: Vec::new(),
        },
        Hosted::NotFound => Reply::error(404, "Not found."),
    })
}

/// `GET /backpack/callback`: the learner back from another host's consent page.
async fn backpack_callback(State(ctx): State<Arc<Ctx>>, uri: Uri) -> Reply {
    crate::remote::callback(ctx, uri.query().unwrap_or("").to_owned()).await
}

/// The backpack address of a form (`backpack`), when one is given: "Send to backpack" goes to
/// that OB 3.0 API host rather than the app's own backpack.
fn backpack_address(body: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "backpack")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `POST /a/TOKEN/issue` with a backpack address, and `POST /a/TOKEN/backpack/send`: the badge
/// (issued first, for `issue`) sent to another OB 3.0 API host.
async fn send_elsewhere(ctx: Arc<Ctx>, tok: String, issue: bool, body: Bytes) -> Reply {
    let Some(host) = backpack_address(&body) else {
        return Reply::error(400, "Enter the address of your backpack.");
    };
    let (c, t) = (ctx.clone(), tok.clone());
    let issued = tokio::task::spawn_blocking(move || -> Result<Result<String, Reply>, Refused> {
        if issue {
            let form = match parse_form(&body) {
                Ok(f) => f,
                Err(r) => return Ok(Err(r)),
            };
            let email = match field(&form, "email") {
                Ok(e) => e.to_owned(),
                Err(r) => return Ok(Err(r)),
            };
            return match c.app.issue(&t, &email, false) {
                Ok(uuid) => Ok(Ok(uuid)),
                Err(Refused::Bad(m)) => {
                    let record = c.app.finish(&t)?;
                    Ok(Err(Reply::html(
                        400,
                        html::result(&t, c.app.quiz(), record.as_ref(), None, Some(&m)),
                    )))
                }
                Err(e) => Err(e),
            };
        }
        match c.app.attempt(&t)?.issued.clone() {
            Some(uuid) => Ok(Ok(uuid)),
            None => Ok(Err(Reply::redirect(format!("/a/{t}/result")))),
        }
    })
    .await;
    match issued {
        Ok(Ok(Ok(uuid))) => {
            let cookie = issue.then(|| learner_cookie(&ctx.app, &tok));
            let mut r = crate::remote::start_send(ctx, tok, uuid, host).await;
            r.headers.extend(cookie);
            r
        }
        Ok(Ok(Err(reply))) => reply,
        Ok(Err(refused)) => Reply::from(refused),
        Err(_) => Reply::error(500, "Something went wrong on our side."),
    }
}

/// Everything under `/a/TOKEN/`: the learner's pages and forms.
async fn attempt(State(ctx): State<Arc<Ctx>>, method: Method, uri: Uri, body: Bytes) -> Reply {
    let path = uri.path().to_owned();
    if method == Method::POST {
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if let ["a", tok, rest @ ..] = segs.as_slice() {
            let elsewhere = match rest {
                ["issue"] => backpack_address(&body).is_some().then_some(true),
                ["backpack", "send"] => Some(false),
                _ => None,
            };
            if let (true, Some(issue)) = (is_token(tok), elsewhere) {
                return send_elsewhere(ctx, (*tok).to_owned(), issue, body).await;
            }
        }
    }
    blocking(move || {
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let r = match segs.as_slice() {
            ["a", tok, rest @ ..] if is_token(tok) => match (&method, rest) {
                (&Method::GET, ["backpack"]) => backpack_page(&ctx, tok, false),
                (&Method::GET, ["backpack.zip"]) => backpack_page(&ctx, tok, true),
                _ => {
                    let form = if method == Method::POST {
                        parse_form(&body)
                    } else {
                        Ok(Vec::new())
                    };
                    attempt_route(&ctx.app, &method, tok, rest, form)
                }
            },
            _ if method == Method::GET => hosted_document(&ctx.app, &path),
            _ => Ok(Reply::error(405, "Method not allowed.")),
        };
        r.unwrap_or_else(Reply::from)
    })
    .await
}

fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, Reply> {
    if std::str::from_utf8(body).is_err() {
        return Err(Reply::error(400, "The form is not UTF-8."));
    }
    Ok(url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Result<&'a str, Reply> {
    let mut found = form.iter().filter(|(k, _)| k == name);
    match (found.next(), found.next()) {
        (Some((_, v)), None) => Ok(v),
        (None, _) => Err(Reply::error(400, &format!("Missing form field {name:?}."))),
        (Some(_), Some(_)) => Err(Reply::error(400, &format!("Repeated form field {name:?}."))),
    }
}

fn attempt_route(
    app: &App,
    method: &Method,
    tok: &str,
    rest: &[&str],
    form: Result<Vec<(String, String)>, Reply>,
) -> Result<Reply, Refused> {
    app.attempt(tok)?;
    match (method, rest) {
        (&Method::GET, ["lesson", n]) => {
            let n = n.parse::<u8>().map_err(|_| Refused::UnknownAttempt)?;
            html::lesson(tok, n)
                .map(|p| Reply::html(200, p))
                .ok_or(Refused::UnknownAttempt)
        }
        (&Method::GET, ["q", n]) => {
            let n = n.parse::<usize>().map_err(|_| Refused::UnknownAttempt)?;
            question_page(app, tok, n)
        }
        (&Method::POST, ["answer"]) => {
            let form = match form {
                Ok(f) => f,
                Err(r) => return Ok(r),
            };
            let (item, answer) = match (field(&form, "item"), field(&form, "answer")) {
                (Ok(i), Ok(a)) => (i.to_owned(), a.to_ascii_lowercase()),
                (Err(r), _) | (_, Err(r)) => return Ok(r),
            };
            let value = match answer.as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(Refused::Bad("The answer is True or False.".into())),
            };
            let ids = item_ids(app, tok)?;
            let n = ids
                .iter()
                .position(|i| *i == item)
                .ok_or_else(|| Refused::Bad(format!("unknown question {item:?}")))?;
            app.answer(tok, &item, value)?;
            Ok(Reply::redirect(format!("/a/{tok}/q/{}", n + 1)))
        }
        (&Method::GET, ["result"]) => {
            let record = app.finish(tok)?;
            if record.is_some() && app.attempt(tok)?.issued.is_some() {
                return Ok(Reply::redirect(format!("/a/{tok}/badge")));
            }
            let first_open = first_unanswered(app, tok)?;
            Ok(Reply::html(
                200,
                html::result(tok, app.quiz(), record.as_ref(), first_open, None),
            ))
        }
        (&Method::POST, ["issue"]) => {
            let form = match form {
                Ok(f) => f,
                Err(r) => return Ok(r),
            };
            let email = match field(&form, "email") {
                Ok(e) => e.to_owned(),
                Err(r) => return Ok(r),
            };
            match app.issue(tok, &email, true) {
                Ok(_) => {
                    let mut r = Reply::redirect(format!("/a/{tok}/badge"));
                    r.headers.push(learner_cookie(app, tok));
                    Ok(r)
                }
                Err(Refused::Bad(m)) => {
                    let record = app.finish(tok)?;
                    Ok(Reply::html(
                        400,
                        html::result(tok, app.quiz(), record.as_ref(), None, Some(&m)),
                    ))
                }
                Err(e) => Err(e),
            }
        }
        (&Method::GET, ["badge"]) => {
            let Some(uuid) = app.attempt(tok)?.issued.clone() else {
                return Ok(Reply::redirect(format!("/a/{tok}/result")));
            };
            let push = app.push_state(&uuid)?;
            let wallet = app.wallet_offer(tok)?;
            let sent = crate::remote::last_send(app.issuer_store(), &uuid)?;
            let mut r = Reply::html(
                200,
                html::badge(
                    tok,
                    &uuid,
                    app.base_url(),
                    push.as_ref(),
                    Some(wallet),
                    sent.as_ref(),
                ),
            );
            r.headers.push(learner_cookie(app, tok));
            Ok(r)
        }
        (&Method::GET, ["badge", name]) => {
            let bytes = app.baked(tok, name)?;
            let content_type = if name.ends_with(".svg") {
                "image/svg+xml"
            } else {
                "image/png"
            };
            Ok(Reply {
                status: 200,
                content_type: content_type.into(),
                body: bytes,
                headers: vec![(
                    "Content-Disposition",
                    format!("attachment; filename=\"badges101-{name}\""),
                )],
            })
        }
        (&Method::GET | &Method::POST, _) => Err(Refused::UnknownAttempt),
        _ => Ok(Reply::error(405, "Method not allowed.")),
    }
}

/// Item ids in presentation order.
fn item_ids(app: &App, tok: &str) -> Result<Vec<String>, Refused> {
    let a = app.attempt(tok)?.attempt.clone();
    Ok(a.view(app.quiz()).items().map(|i| i.id.clone()).collect())
}

fn first_unanswered(app: &App, tok: &str) -> Result<Option<usize>, Refused> {
    let ids = item_ids(app, tok)?;
    let a = app.attempt(tok)?;
    Ok(ids
        .iter()
        .position(|i| !a.attempt.responses.contains_key(i))
        .map(|p| p + 1))
}

fn question_page(app: &App, tok: &str, n: usize) -> Result<Reply, Refused> {
    let a = app.attempt(tok)?.attempt.clone();
    let view = a.view(app.quiz());
    let total = view.items().count();
    let Some(pi) = view.items().find(|i| i.number == n) else {
        return Err(Refused::UnknownAttempt);
    };
    let section = view
        .sections
        .iter()
        .find(|s| s.items.iter().any(|i| i.id == pi.id))
        .and_then(|s| s.title.clone())
        .unwrap_or_else(|| "Your First Badge".into());
    let item = app
        .quiz()
        .item(&pi.id)
        .ok_or_else(|| Refused::Internal("item vanished".into()))?;
    let answered = if a.responses.contains_key(&pi.id) {
        let grade = a
            .preview(app.quiz())
            .map_err(|e| Refused::Internal(e.to_string()))?;
        Some(
            grade
                .items
                .iter()
                .find(|o| o.id == pi.id)
                .and_then(|o| o.correct)
                == Some(true),
        )
    } else {
        None
    };
    Ok(Reply::html(
        200,
        html::question(tok, app.quiz(), &section, n, total, item, answered),
    ))
}

fn api_failure(status: u16, minor: &str, why: &str) -> Reply {
    Reply {
        status,
        content_type: "application/json".into(),
        body: imsx_status_info(minor, why).to_string().into_bytes(),
        headers: Vec::new(),
    }
}

/// `POST /ims/ob/v3p0/credentials` (upsertCredential) and `GET` (getCredentials) of the OB 3.0
/// API over the app's backpack, with bearer tokens.
async fn api_credentials(
    State(ctx): State<Arc<Ctx>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    owner: Option<axum::Extension<Owner>>,
    body: Bytes,
) -> Reply {
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = text(header::CONTENT_TYPE);
    let query = uri.query().unwrap_or("").to_owned();
    let owner = owner.and_then(|o| o.0.0);
    blocking(move || api_credentials_sync(&ctx, &method, content_type, &query, &body, owner)).await
}

/// The API's work once [`authorize_api`] let the request through.
fn api_credentials_sync(
    ctx: &Ctx,
    method: &Method,
    content_type: Option<String>,
    query: &str,
    body: &[u8],
    owner: Option<String>,
) -> Reply {
    match *method {
        Method::POST => {
            let Ok(mut pack) = ctx.pack.lock() else {
                return api_failure(500, "internal_server_error", "the backpack is unavailable");
            };
            // The learner who consented owns what their client sends.
            if let Some(email) = &owner {
                if let Err(e) = pack.add_identifier(pack::learner(email)) {
                    eprintln!("badges101: backpack storage error: {e}");
                    return api_failure(
                        500,
                        "internal_server_error",
                        "the backpack is unavailable",
                    );
                }
            }
            match ob3_upsert_credential(&mut pack, content_type.as_deref(), body, MAX_UPSERT_BYTES)
            {
                Ok(u) if u.reply.status == 413 => api_failure(
                    413,
                    "invalid_data",
                    &format!("the request body is over the limit of {MAX_UPSERT_BYTES} bytes"),
                ),
                Ok(u) => u.reply.into(),
                Err(e) => {
                    eprintln!("badges101: backpack storage error: {e}");
                    api_failure(
                        500,
                        "internal_server_error",
                        "the backpack could not store it",
                    )
                }
            }
        }
        Method::GET => {
            let mut page = Page::default();
            for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                let n = v.parse::<usize>();
                match (k.as_ref(), n) {
                    ("limit", Ok(n)) if n >= 1 => page.limit = n.min(1000),
                    ("offset", Ok(n)) => page.offset = n,
                    ("limit" | "offset", _) => {
                        return api_failure(
                            400,
                            "invalid_query_parameter",
                            &format!("bad {k} {v:?}"),
                        );
                    }
                    _ => {}
                }
            }
            let Ok(pack) = ctx.pack.lock() else {
                return api_failure(500, "internal_server_error", "the backpack is unavailable");
            };
            let listed = match &owner {
                Some(email) => {
                    ob3_get_credentials_of(pack.store(), &page, &ctx.api_url, &pack::learner(email))
                }
                None => ob3_get_credentials(pack.store(), &page, &ctx.api_url),
            };
            match listed {
                Ok(r) => {
                    let mut headers = vec![("X-Total-Count", r.total_count.to_string())];
                    if let Some(l) = r.link {
                        headers.push(("Link", l));
                    }
                    Reply {
                        status: 200,
                        content_type: "application/json".into(),
                        body: r.body.to_string().into_bytes(),
                        headers,
                    }
                }
                Err(e) => api_failure(400, "invalid_data", &e.to_string()),
            }
        }
        _ => {
            let mut r = api_failure(405, "not_allowed", "GET or POST");
            r.headers.push(("Allow", "GET, POST".into()));
            r
        }
    }
}

/// Who a request's bearer token speaks for, given it grants `scope`: `Some(email)` for an OAuth
/// 2.0 access token (the learner who consented), `None` for a pre-issued local token (the
/// development shortcut: the whole backpack). Otherwise the 401/403 answer (of the OAuth 2.0
/// check, unless a known local token lacks the scope).
fn bearer(
    ctx: &Ctx,
    pack: &pack::Pack,
    auth: Option<&str>,
    scope: &str,
) -> Result<Option<String>, Reply> {
    match ctx.tokens.authorize(auth, scope) {
        Ok(()) => return Ok(None),
        Err(r) if r.status == 403 => return Err(r.into()),
        Err(_) => {}
    }
    match ctx.host.authorize_bearer(pack.store(), auth, scope) {
        Ok(Ok(grant)) => Ok(Some(grant.subject)),
        Ok(Err(r)) => Err(r.into()),
        Err(e) => {
            eprintln!("badges101: backpack storage error: {e}");
            Err(api_failure(
                500,
                "internal_server_error",
                "the backpack is unavailable",
            ))
        }
    }
}

impl From<OAuthReply> for Reply {
    fn from(r: OAuthReply) -> Self {
        let mut headers = vec![("Cache-Control", "no-store".to_owned())];
        if let Some(w) = r.www_authenticate {
            headers.push(("WWW-Authenticate", w));
        }
        Reply {
            status: r.status,
            content_type: "application/json".into(),
            body: r.body.to_string().into_bytes(),
            headers,
        }
    }
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Runs `f` over the backpack on the blocking pool; a storage error is a 500.
async fn with_store(
    ctx: Arc<Ctx>,
    f: impl FnOnce(&Ctx, &pack::Pack) -> Result<Reply, openbadges::backpack::Error> + Send + 'static,
) -> Reply {
    blocking(move || {
        let Ok(pack) = ctx.pack.lock() else {
            return api_failure(500, "internal_server_error", "the backpack is unavailable");
        };
        f(&ctx, &pack).unwrap_or_else(|e| {
            eprintln!("badges101: backpack storage error: {e}");
            api_failure(500, "internal_server_error", "the backpack is unavailable")
        })
    })
    .await
}

/// `GET /ims/ob/v3p0/discovery`: the Service Description Document.
async fn discovery(State(ctx): State<Arc<Ctx>>) -> Reply {
    Reply {
        status: 200,
        content_type: "application/json".into(),
        body: serde_json::to_vec(&ctx.host.discovery()).unwrap_or_default(),
        headers: Vec::new(),
    }
}

/// `POST …/oauth/register`: RFC 7591 dynamic client registration.
async fn register(State(ctx): State<Arc<Ctx>>, body: Bytes) -> Reply {
    with_store(ctx, move |ctx, pack| {
        Ok(ctx.host.register(pack.store(), &body)?.into())
    })
    .await
}

/// The answer to a refused authorization request: an error page (never a redirect to an
/// unregistered address), or the redirect back with the error.
fn refused(r: AuthorizationRefusal) -> Reply {
    match r {
        AuthorizationRefusal::ErrorPage(why) => Reply::error(400, &why),
        AuthorizationRefusal::Redirect(to) => Reply::redirect(to),
    }
}

/// `GET …/oauth/authorize`: the consent page (or why not).
async fn authorize(State(ctx): State<Arc<Ctx>>, uri: Uri) -> Reply {
    let query = uri.query().unwrap_or("").to_owned();
    with_store(ctx, move |ctx, pack| {
        let form = oauth_form(&query);
        Ok(match ctx.host.authorization_request(pack.store(), &form)? {
            Ok(req) => {
                let mut r = Reply::html(200, html::consent(&req));
                // The form's answer redirects to the client: allowed as a form target.
                r.headers.push((
                    "Content-Security-Policy",
                    format!(
                        "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; \
                         form-action 'self' {}; frame-ancestors 'none'",
                        origin_of(&req.redirect_uri)
                    ),
                ));
                r
            }
            Err(r) => refused(r),
        })
    })
    .await
}

/// The pairs of an OAuth 2.0 query or form (the host's parser: repeated parameters kept, so
/// the host can refuse them).
fn oauth_form(text: &str) -> Vec<(String, String)> {
    openbadges::backpack::oauth::host::parse_form(text)
}

/// The origin (`scheme://authority`) of an absolute URL.
fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    format!("{scheme}://{authority}")
}

/// The cookie naming the learner's attempt in the browser they earned their badge in: the
/// only proof of who consents on the OAuth 2.0 consent page (Badges 101 has no accounts).
const LEARNER_COOKIE: &str = "b101_learner";

/// How long the learner cookie lasts (30 days, in seconds).
const LEARNER_COOKIE_MAX_AGE: u64 = 30 * 24 * 60 * 60;

/// What the consent page says when the browser or the address is not the learner's.
const NOT_THE_LEARNER: &str = "Open this page in the browser where you earned your Badges 101 \
                               badge, and enter the address you earned it with.";

/// The `Set-Cookie` header naming attempt `tok` as this browser's learner (set when the
/// badge is issued and whenever the badge page is shown).
///
/// `SameSite=Lax` keeps the cookie off cross-site POSTs: a page of another site that posts the
/// consent form gets no cookie with it, so it cannot consent for the learner. That is what
/// protects the consent POST from cross-site request forgery. `HttpOnly` keeps it from
/// scripts; `Secure` when the app is served over https.
fn learner_cookie(app: &App, tok: &str) -> (&'static str, String) {
    let secure = if app.base_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    (
        "Set-Cookie",
        format!(
            "{LEARNER_COOKIE}={tok}; Path=/; HttpOnly; SameSite=Lax; \
             Max-Age={LEARNER_COOKIE_MAX_AGE}{secure}"
        ),
    )
}

/// The attempt token the request's learner cookie names, if any.
fn learner_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == LEARNER_COOKIE && is_token(v))
        .map(|(_, v)| v.to_owned())
}

/// `POST …/oauth/authorize`: the consent form's answer. The request is validated again; Deny
/// redirects with `access_denied`; Allow redirects with a code only when the browser's learner
/// cookie names an attempt whose badge was issued to the typed email, else 403 (no redirect).
async fn consent(State(ctx): State<Arc<Ctx>>, headers: HeaderMap, body: Bytes) -> Reply {
    let learner = learner_of(&headers);
    with_store(ctx, move |ctx, pack| {
        let form = oauth_form(&String::from_utf8_lossy(&body));
        let req = match ctx.host.authorization_request(pack.store(), &form)? {
            Ok(req) => req,
            Err(r) => return Ok(refused(r)),
        };
        let field = |n: &str| {
            form.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.trim().to_owned())
        };
        match field("decision").as_deref() {
            Some("allow") => {}
            Some("deny") => return Ok(Reply::redirect(ctx.host.deny(&req))),
            _ => return Ok(Reply::error(400, "Choose Allow or Deny.")),
        }
        let email = match field("email") {
            Some(e) if e.contains('@') && e.len() <= 254 => e.to_ascii_lowercase(),
            _ => {
                return Ok(Reply::error(
                    400,
                    "Please enter the learner's email address.",
                ));
            }
        };
        // The learner themself, in the browser they earned their badge in, with its address.
        let attempt = match learner.as_deref().map(|tok| ctx.app.attempt(tok)) {
            None | Some(Err(Refused::UnknownAttempt | Refused::Expired)) => None,
            Some(Err(e)) => return Ok(Reply::from(e)),
            Some(Ok(a)) => Some(a),
        };
        let theirs = attempt.is_some_and(|a| {
            a.issued.is_some()
                && a.email
                    .as_deref()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(&email))
        });
        if !theirs {
            return Ok(Reply::error(403, NOT_THE_LEARNER));
        }
        Ok(Reply::redirect(ctx.host.grant(
            pack.store(),
            &req,
            &email,
        )?))
    })
    .await
}

/// `POST …/oauth/token`.
async fn token(State(ctx): State<Arc<Ctx>>, headers: HeaderMap, body: Bytes) -> Reply {
    let auth = header_text(&headers, header::AUTHORIZATION);
    with_store(ctx, move |ctx, pack| {
        Ok(ctx.host.token(pack.store(), auth.as_deref(), &body)?.into())
    })
    .await
}

/// `POST …/oauth/revoke` (RFC 7009).
async fn revoke(State(ctx): State<Arc<Ctx>>, headers: HeaderMap, body: Bytes) -> Reply {
    let auth = header_text(&headers, header::AUTHORIZATION);
    with_store(ctx, move |ctx, pack| {
        Ok(ctx
            .host
            .revoke(pack.store(), auth.as_deref(), &body)?
            .into())
    })
    .await
}

/// `GET` (getProfile) and `PUT` (putProfile) `/ims/ob/v3p0/profile`: the profile of the learner
/// whose OAuth 2.0 grant it is.
async fn profile(
    State(ctx): State<Arc<Ctx>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    let auth = header_text(&headers, header::AUTHORIZATION);
    with_store(ctx, move |ctx, pack| {
        let scope = if method == Method::PUT {
            SCOPE_PROFILE_UPDATE
        } else {
            SCOPE_PROFILE_READONLY
        };
        let grant = match ctx
            .host
            .authorize_bearer(pack.store(), auth.as_deref(), scope)?
        {
            Ok(g) => g,
            Err(r) => return Ok(r.into()),
        };
        if method == Method::PUT {
            let limits = openbadges::model::Limits::default();
            return Ok(put_profile(pack.store(), &grant.subject, &body, &limits)?.into());
        }
        Ok(Reply {
            status: 200,
            content_type: "application/json".into(),
            body: get_profile(pack.store(), &grant.subject)?
                .to_string()
                .into_bytes(),
            headers: Vec::new(),
        })
    })
    .await
}

/// The learner's backpack page (`/a/TOKEN/backpack`) or its zip export (`…/backpack.zip`).
fn backpack_page(ctx: &Ctx, tok: &str, zip: bool) -> Result<Reply, Refused> {
    let a = ctx.app.attempt(tok)?;
    let push = match a.issued.as_deref() {
        Some(u) => ctx.app.push_state(u)?,
        None => None,
    };
    let email = a.email;
    let Some(email) = email else {
        return Ok(Reply::redirect(format!("/a/{tok}/result")));
    };
    let pack = ctx
        .pack
        .lock()
        .map_err(|_| Refused::Internal("backpack poisoned".into()))?;
    if zip {
        let bytes = pack::zip_of(&pack, &email)?;
        return Ok(Reply {
            status: 200,
            content_type: "application/zip".into(),
            body: bytes,
            headers: vec![(
                "Content-Disposition",
                "attachment; filename=\"badges101-backpack.zip\"".into(),
            )],
        });
    }
    let badges = pack::badges_of(&pack, &email)?;
    drop(pack);
    let origin = ctx.app.origin().to_owned();
    Ok(Reply::html(
        200,
        html::backpack(tok, &email, &badges, &origin, push.as_ref()),
    ))
}
