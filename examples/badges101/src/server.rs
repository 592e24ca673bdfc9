//! The HTTP side: a `tiny_http` server, a few worker threads, routes.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use openbadges::backpack::export::api::{
    ApiReply, ApiTokens, MAX_UPSERT_BYTES, Page, SCOPE_READONLY, SCOPE_UPSERT, imsx_status_info,
    ob3_get_credentials, ob3_upsert_credential,
};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::pack::{self, Pack, PushState, SiteLoader};
use crate::state::{App, Hosted, Refused, is_token};
use crate::{AppError, Config, html};

/// Largest request body accepted (the forms are a few dozen bytes).
pub(crate) const MAX_BODY: usize = 8 * 1024;

/// A running app.
pub struct Running {
    server: Arc<Server>,
    addr: SocketAddr,
    url: String,
    app: App,
    pack: Arc<Mutex<Pack>>,
    /// Tells the pusher to end once nothing is left to claim.
    stop_pushing: Arc<AtomicBool>,
    pusher_thread: Option<JoinHandle<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Running {
    /// The address the app listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The app's base URL (`http://127.0.0.1:PORT/` unless configured).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The app (for issuer operations while serving; a clone shares everything).
    pub fn app(&self) -> App {
        self.app.clone()
    }

    /// Every push to the backpack recorded in the database (by any instance), by badge UUID.
    pub fn pushes(&self) -> BTreeMap<String, PushState> {
        self.app.push_states().unwrap_or_default()
    }

    /// Waits until no push is queued in the database (at most `timeout`); whether the queue
    /// drained.
    pub fn wait_for_pushes(&self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if !self.pushes().values().any(|s| *s == PushState::Queued) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The OB 3.0 credential ids (`urn:uuid:…`) held in the app's backpack, with each one's
    /// verification verdict at import (`valid`, `invalid`, `indeterminate`) and owner.
    pub fn backpack_credentials(&self) -> Vec<(String, String, String)> {
        use openbadges::backpack::Store as _;
        let Ok(p) = self.pack.lock() else {
            return Vec::new();
        };
        p.store()
            .badges()
            .unwrap_or_default()
            .into_iter()
            .map(|b| {
                (
                    b.document
                        .get("id")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    b.verification.status.as_str().to_owned(),
                    b.recipient.identifier.value.clone(),
                )
            })
            .collect()
    }

    /// Serves until the process ends.
    pub fn join(self) {
        for w in self.workers {
            let _ = w.join();
        }
    }

    /// Stops serving: finishes the queued pushes it can claim, then waits for the workers.
    pub fn shutdown(mut self) {
        self.stop_pushing.store(true, Ordering::SeqCst);
        if let Some(t) = self.pusher_thread.take() {
            let _ = t.join();
        }
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Opens the database and the data directory and starts serving on `127.0.0.1:PORT`.
///
/// # Errors
/// [`AppError`] when the port cannot be bound or the database or the data directory cannot be
/// opened.
pub fn start(config: Config) -> Result<Running, AppError> {
    let server = Server::http(("127.0.0.1", config.port))
        .map_err(|e| AppError::new(format!("cannot listen on 127.0.0.1:{}: {e}", config.port)))?;
    let addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| AppError::new("not an IP listener"))?;
    let url = config
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}/"));
    let app = App::open(&config, &url)?;
    app.remember_base_url()?;
    // The OB 3.0 API's bearer tokens: the local-only shortcut for its OAuth 2.0 flow (see
    // docs/badges101.md), in a directory only the owner can enter (file 0600).
    let keys = config.data_dir.join("keys");
    std::fs::create_dir_all(&keys)?;
    crate::state::restrict(&keys)?;
    let tokens = Arc::new(
        ApiTokens::load_or_create(&keys.join("api-tokens.json"))
            .map_err(|e| AppError::new(format!("API tokens: {e}")))?,
    );
    // One loader for the life of the process (the verifier borrows it).
    let loader: &'static SiteLoader = Box::leak(Box::new(SiteLoader::new(app.clone())));
    let pack = Arc::new(Mutex::new(pack::open(
        &config.database_url(),
        &config.data_dir,
        loader,
    )?));
    // Badges pushed before whose credential the backpack does not hold (it was lost): again.
    let held: std::collections::HashSet<String> = {
        use openbadges::backpack::Store as _;
        let p = pack
            .lock()
            .map_err(|_| AppError::new("backpack poisoned"))?;
        p.store()
            .badges()
            .map_err(|e| AppError::new(format!("backpack: {e}")))?
            .iter()
            .filter_map(|b| b.document.get("id").and_then(serde_json::Value::as_str))
            .map(str::to_owned)
            .collect()
    };
    app.requeue_unheld(&held)?;
    let stop_pushing = Arc::new(AtomicBool::new(false));
    let pusher_thread = {
        let (app, pack, tokens, stop) = (
            app.clone(),
            Arc::clone(&pack),
            Arc::clone(&tokens),
            Arc::clone(&stop_pushing),
        );
        // The push goes to this listener (whatever the public base URL is).
        let endpoint = format!("http://{addr}/ims/ob/v3p0/credentials");
        std::thread::spawn(move || pack::run_pusher(&app, &pack, &tokens, &endpoint, &stop))
    };
    let server = Arc::new(server);
    let ctx = Arc::new(Ctx {
        app: app.clone(),
        pack: Arc::clone(&pack),
        tokens,
        api_url: format!("{url}ims/ob/v3p0/credentials"),
        verify: crate::verify::TinyBridge::new(&app)?,
    });
    let workers = (0..config.threads.max(1))
        .map(|_| {
            let server = Arc::clone(&server);
            let ctx = Arc::clone(&ctx);
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    handle(&ctx, req);
                }
            })
        })
        .collect();
    Ok(Running {
        server,
        addr,
        url,
        app,
        pack,
        stop_pushing,
        pusher_thread: Some(pusher_thread),
        workers,
    })
}

/// What the request handlers share.
struct Ctx {
    app: App,
    pack: Arc<Mutex<Pack>>,
    tokens: Arc<ApiTokens>,
    /// The OB 3.0 API endpoint's public URL (for `Link` headers).
    api_url: String,
    /// TEMPORARY (until the axum server): the verify page.
    verify: crate::verify::TinyBridge,
}

/// An answer before it is sent.
struct Reply {
    status: u16,
    content_type: String,
    body: Vec<u8>,
    headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn html(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "text/html; charset=utf-8".into(),
            body: body.into_bytes(),
            headers: Vec::new(),
        }
    }

    fn redirect(to: String) -> Self {
        let mut r = Self::html(303, html::error(303, "See other"));
        r.headers.push(("Location", to));
        r
    }

    fn error(status: u16, message: &str) -> Self {
        Self::html(status, html::error(status, message))
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
            Refused::Bad(m) => Reply::error(400, &m),
            Refused::Conflict(m) => Reply::error(409, &m),
            Refused::Internal(m) => {
                eprintln!("badges101: internal error: {m}");
                Reply::error(500, "Something went wrong on our side.")
            }
        }
    }
}

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn handle(ctx: &Ctx, mut req: Request) {
    let reply = route(ctx, &mut req);
    let mut resp = Response::from_data(reply.body).with_status_code(reply.status);
    let mut headers = vec![
        ("Content-Type", reply.content_type.clone()),
        ("X-Content-Type-Options", "nosniff".into()),
        // Attempt tokens are in page URLs: never send them elsewhere.
        ("Referrer-Policy", "no-referrer".into()),
    ];
    if reply.content_type.starts_with("text/html") {
        headers.push((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'".into(),
        ));
        headers.push(("Cache-Control", "no-store".into()));
    } else if reply.content_type.starts_with("image/svg+xml") {
        // An SVG opened directly is a document: it runs no script and loads nothing.
        headers.push((
            "Content-Security-Policy",
            openbadges::backpack::svg::SVG_CONTENT_SECURITY_POLICY.into(),
        ));
        headers.push(("Access-Control-Allow-Origin", "*".into()));
    } else {
        headers.push(("Access-Control-Allow-Origin", "*".into()));
    }
    headers.extend(reply.headers);
    for (n, v) in headers {
        if let Some(h) = header(n, &v) {
            resp.add_header(h);
        }
    }
    let _ = req.respond(resp);
}

/// TEMPORARY (until the axum server): `/verify` through the page's axum router.
fn verify_route(ctx: &Ctx, req: &mut Request) -> Reply {
    let limit = crate::verify::MAX_VERIFY_BODY;
    if req.body_length().is_some_and(|n| n > limit) {
        return Reply::error(413, "Request too large.");
    }
    let mut body = Vec::new();
    let take = u64::try_from(limit).unwrap_or(u64::MAX) + 1;
    if req.as_reader().take(take).read_to_end(&mut body).is_err() {
        return Reply::error(400, "Could not read the request.");
    }
    let content_type = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Content-Type"))
        .map(|h| h.value.as_str().to_owned());
    let (status, content_type, body) =
        ctx.verify
            .answer(req.method().as_str(), content_type.as_deref(), body);
    Reply {
        status,
        content_type,
        body,
        headers: Vec::new(),
    }
}

fn read_form(req: &mut Request) -> Result<Vec<(String, String)>, Reply> {
    if req.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(Reply::error(413, "Request too large."));
    }
    let mut body = Vec::new();
    let limit = u64::try_from(MAX_BODY).unwrap_or(u64::MAX) + 1;
    if req.as_reader().take(limit).read_to_end(&mut body).is_err() {
        return Err(Reply::error(400, "Could not read the request."));
    }
    if body.len() > MAX_BODY {
        return Err(Reply::error(413, "Request too large."));
    }
    if std::str::from_utf8(&body).is_err() {
        return Err(Reply::error(400, "The form is not UTF-8."));
    }
    Ok(url::form_urlencoded::parse(&body)
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

fn route(ctx: &Ctx, req: &mut Request) -> Reply {
    let path = req.url().split(['?', '#']).next().unwrap_or("/").to_owned();
    let method = req.method().clone();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // The backpack's routes take the backpack lock (the only lock: the app itself has none).
    if path == "/verify" {
        return verify_route(ctx, req);
    }
    match (&method, segs.as_slice()) {
        (_, ["ims", "ob", "v3p0", "credentials"]) => return api_credentials(ctx, req, &method),
        (Method::Get, ["a", tok, "backpack"]) if is_token(tok) => {
            return backpack_page(ctx, tok, false).unwrap_or_else(Reply::from);
        }
        (Method::Get, ["a", tok, "backpack.zip"]) if is_token(tok) => {
            return backpack_page(ctx, tok, true).unwrap_or_else(Reply::from);
        }
        _ => {}
    }
    let app = &ctx.app;
    let form = if method == Method::Post {
        read_form(req)
    } else {
        Ok(Vec::new())
    };
    let r = match (&method, segs.as_slice()) {
        (Method::Get, [""]) => Ok(Reply::html(200, html::intro())),
        (Method::Post, ["start"]) => match app.new_attempt() {
            Ok(tok) => Ok(Reply::redirect(format!("/a/{tok}/lesson/1"))),
            Err(e) => Err(Refused::from(e)),
        },
        (Method::Get, ["criteria"]) => Ok(Reply::html(200, html::criteria(app.quiz()))),
        (Method::Get, ["static", "badge.png"]) => crate::art::badge_png()
            .map(|png| Reply {
                status: 200,
                content_type: "image/png".into(),
                body: png.to_vec(),
                headers: Vec::new(),
            })
            .map_err(|e| Refused::Internal(e.to_string())),
        (Method::Get, ["static", "badge.svg"]) => Ok(Reply {
            status: 200,
            content_type: "image/svg+xml".into(),
            body: crate::art::BADGE_SVG.to_vec(),
            headers: Vec::new(),
        }),
        (_, ["a", tok, rest @ ..]) if is_token(tok) => attempt_route(app, &method, tok, rest, form),
        (Method::Get, _) => app.hosted(&path).map(|h| match h {
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
        }),
        _ => Ok(Reply::error(405, "Method not allowed.")),
    };
    r.unwrap_or_else(Reply::from)
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
        (Method::Get, ["lesson", n]) => {
            let n = n.parse::<u8>().map_err(|_| Refused::UnknownAttempt)?;
            html::lesson(tok, n)
                .map(|p| Reply::html(200, p))
                .ok_or(Refused::UnknownAttempt)
        }
        (Method::Get, ["q", n]) => {
            let n = n.parse::<usize>().map_err(|_| Refused::UnknownAttempt)?;
            question_page(app, tok, n)
        }
        (Method::Post, ["answer"]) => {
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
        (Method::Get, ["result"]) => {
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
        (Method::Post, ["issue"]) => {
            let form = match form {
                Ok(f) => f,
                Err(r) => return Ok(r),
            };
            let email = match field(&form, "email") {
                Ok(e) => e.to_owned(),
                Err(r) => return Ok(r),
            };
            match app.issue(tok, &email) {
                Ok(_) => Ok(Reply::redirect(format!("/a/{tok}/badge"))),
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
        (Method::Get, ["badge"]) => {
            let Some(uuid) = app.attempt(tok)?.issued.clone() else {
                return Ok(Reply::redirect(format!("/a/{tok}/result")));
            };
            let push = app.push_state(&uuid)?;
            Ok(Reply::html(
                200,
                html::badge(tok, &uuid, app.base_url(), push.as_ref()),
            ))
        }
        (Method::Get, ["badge", name]) => {
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
        (Method::Get | Method::Post, _) => Err(Refused::UnknownAttempt),
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

fn request_header(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_owned())
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
fn api_credentials(ctx: &Ctx, req: &mut Request, method: &Method) -> Reply {
    let auth = request_header(req, "Authorization");
    match method {
        Method::Post => {
            if let Err(r) = ctx.tokens.authorize(auth.as_deref(), SCOPE_UPSERT) {
                return r.into();
            }
            let too_large = || {
                api_failure(
                    413,
                    "invalid_data",
                    &format!("the request body is over the limit of {MAX_UPSERT_BYTES} bytes"),
                )
            };
            if req.body_length().is_some_and(|n| n > MAX_UPSERT_BYTES) {
                return too_large();
            }
            let mut body = Vec::new();
            let limit = u64::try_from(MAX_UPSERT_BYTES).unwrap_or(u64::MAX) + 1;
            if req.as_reader().take(limit).read_to_end(&mut body).is_err() {
                return api_failure(400, "invalid_data", "could not read the request");
            }
            let content_type = request_header(req, "Content-Type");
            let Ok(mut pack) = ctx.pack.lock() else {
                return api_failure(500, "internal_server_error", "the backpack is unavailable");
            };
            match ob3_upsert_credential(&mut pack, content_type.as_deref(), &body, MAX_UPSERT_BYTES)
            {
                Ok(u) if u.reply.status == 413 => too_large(),
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
        Method::Get => {
            if let Err(r) = ctx.tokens.authorize(auth.as_deref(), SCOPE_READONLY) {
                return r.into();
            }
            let mut page = Page::default();
            let query = req.url().split_once('?').map_or("", |(_, q)| q).to_owned();
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
            match ob3_get_credentials(pack.store(), &page, &ctx.api_url) {
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
