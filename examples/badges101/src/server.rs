//! The HTTP side: a `tiny_http` server, a few worker threads, routes.

use std::io::Read as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tiny_http::{Header, Method, Request, Response, Server};

use crate::state::{App, Hosted, Refused, is_token};
use crate::{AppError, Config, html};

/// Largest request body accepted (the forms are a few dozen bytes).
pub(crate) const MAX_BODY: usize = 8 * 1024;

/// A running app.
pub struct Running {
    server: Arc<Server>,
    addr: SocketAddr,
    url: String,
    app: Arc<Mutex<App>>,
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

    /// The shared app state (for issuer operations while serving).
    pub fn app(&self) -> Arc<Mutex<App>> {
        Arc::clone(&self.app)
    }

    /// Serves until the process ends.
    pub fn join(self) {
        for w in self.workers {
            let _ = w.join();
        }
    }

    /// Stops serving and waits for the workers.
    pub fn shutdown(self) {
        for _ in &self.workers {
            self.server.unblock();
        }
        for w in self.workers {
            let _ = w.join();
        }
    }
}

/// Opens the data directory and starts serving on `127.0.0.1:PORT`.
///
/// # Errors
/// [`AppError`] when the port cannot be bound or the data directory cannot be opened.
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
    let app = Arc::new(Mutex::new(App::open(&config, &url)?));
    let server = Arc::new(server);
    let workers = (0..config.threads.max(1))
        .map(|_| {
            let server = Arc::clone(&server);
            let app = Arc::clone(&app);
            std::thread::spawn(move || {
                while let Ok(req) = server.recv() {
                    handle(&app, req);
                }
            })
        })
        .collect();
    Ok(Running {
        server,
        addr,
        url,
        app,
        workers,
    })
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

fn handle(app: &Mutex<App>, mut req: Request) {
    let reply = route(app, &mut req);
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
            "default-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'".into(),
        ));
        headers.push(("Cache-Control", "no-store".into()));
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

fn route(app: &Mutex<App>, req: &mut Request) -> Reply {
    let path = req.url().split(['?', '#']).next().unwrap_or("/").to_owned();
    let method = req.method().clone();
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // Read a form body before taking the lock: a slow client must not hold up everyone.
    let form = if method == Method::Post {
        read_form(req)
    } else {
        Ok(Vec::new())
    };
    let Ok(mut app) = app.lock() else {
        return Reply::error(500, "Something went wrong on our side.");
    };
    let r = match (&method, segs.as_slice()) {
        (Method::Get, [""]) => Ok(Reply::html(200, html::intro())),
        (Method::Post, ["start"]) => match app.new_attempt() {
            Ok(tok) => Ok(Reply::redirect(format!("/a/{tok}/lesson/1"))),
            Err(e) => Err(Refused::from(e)),
        },
        (Method::Get, ["criteria"]) => Ok(Reply::html(200, html::criteria(&app.quiz))),
        (Method::Get, ["static", "badge.png"]) => Ok(Reply {
            status: 200,
            content_type: "image/png".into(),
            body: crate::state::BADGE_PNG.to_vec(),
            headers: Vec::new(),
        }),
        (_, ["a", tok, rest @ ..]) if is_token(tok) => {
            attempt_route(&mut app, &method, tok, rest, form)
        }
        (Method::Get, _) => Ok(match app.hosted(&path) {
            Hosted::Found(d) => Reply {
                status: 200,
                content_type: d.content_type.clone(),
                body: d.body.clone(),
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
    app: &mut App,
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
                html::result(tok, &app.quiz, record.as_ref(), first_open, None),
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
                        html::result(tok, &app.quiz, record.as_ref(), None, Some(&m)),
                    ))
                }
                Err(e) => Err(e),
            }
        }
        (Method::Get, ["badge"]) => {
            let Some(uuid) = app.attempt(tok)?.issued.clone() else {
                return Ok(Reply::redirect(format!("/a/{tok}/result")));
            };
            Ok(Reply::html(200, html::badge(tok, &uuid, app.base_url())))
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
fn item_ids(app: &mut App, tok: &str) -> Result<Vec<String>, Refused> {
    let a = app.attempt(tok)?.attempt.clone();
    Ok(a.view(&app.quiz).items().map(|i| i.id.clone()).collect())
}

fn first_unanswered(app: &mut App, tok: &str) -> Result<Option<usize>, Refused> {
    let ids = item_ids(app, tok)?;
    let a = app.attempt(tok)?;
    Ok(ids
        .iter()
        .position(|i| !a.attempt.responses.contains_key(i))
        .map(|p| p + 1))
}

fn question_page(app: &mut App, tok: &str, n: usize) -> Result<Reply, Refused> {
    let a = app.attempt(tok)?.attempt.clone();
    let view = a.view(&app.quiz);
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
        .quiz
        .item(&pi.id)
        .ok_or_else(|| Refused::Internal("item vanished".into()))?;
    let answered = if a.responses.contains_key(&pi.id) {
        let grade = a
            .preview(&app.quiz)
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
        html::question(tok, &app.quiz, &section, n, total, item, answered),
    ))
}
