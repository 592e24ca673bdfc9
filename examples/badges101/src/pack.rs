//! The learner's backpack: the backpack crate's SQLite store in the data directory, served
//! through the OB 3.0 API (`POST`/`GET /ims/ob/v3p0/credentials`), and the pusher that sends
//! each newly issued credential there over real HTTP.
//!
//! The queue is in the database (`b101_pushes`, written in the issuance's own transaction), so
//! an acknowledged badge is pushed eventually even when its instance is killed: any instance's
//! pusher claims it with a lease.
//!
//! No deadlock by construction: the push runs on a dedicated thread (never inside a request
//! handler), one request at a time, and the API handler verifies the pushed credential with a
//! document loader that answers the app's own URLs from its hosted documents in the database
//! ([`SiteLoader`]): it never makes an HTTP request back to the server. The backpack's lock is
//! the only lock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openbadges::backpack::export::api::{ApiTokens, SCOPE_UPSERT};
use openbadges::backpack::proof::ProofVerifier;
use openbadges::backpack::{Backpack, BadgeRecord, BadgeState, SqliteStore, Store};
use openbadges::model::{Identity, IdentityKind};
use openbadges::proof::loader::{Document, DocumentLoader, LoadError, RecordingLoader};

use crate::AppError;
use crate::state::{App, Hosted};

/// The backpack the app serves.
pub(crate) type Pack = Backpack<Box<dyn Store + Send + Sync>, ProofVerifier<'static>>;

/// Where one badge's push stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushState {
    /// Waiting for the pusher.
    Queued,
    /// The backpack answered: the HTTP status (201 created, 200 already held), after `posts`
    /// requests (1 unless a connection failed and was retried).
    Sent {
        /// The HTTP status of the answer.
        status: u16,
        /// How many POST requests were made.
        posts: u32,
    },
    /// The push failed; why.
    Failed(String),
}

/// One credential to push (a claimed row of the database's push queue).
#[derive(Debug)]
pub(crate) struct PushJob {
    pub(crate) uuid: String,
    pub(crate) email: String,
    pub(crate) credential: String,
}

/// How long a claimed push is held (seconds) before another pusher may take it: the push of an
/// instance killed mid-push is taken again once its lease ends.
pub(crate) const PUSH_LEASE_SECS: i64 = 15;
/// When a push could not reach the backpack, how long until it is tried again (seconds).
const RETRY_SECS: i64 = 2;
/// How often an idle pusher looks at the queue (badges issued by any instance land there).
const IDLE: Duration = Duration::from_millis(200);

/// Answers the app's own URLs from its hosted documents (from the database, no HTTP), and
/// nothing else: the JSON-LD contexts are bundled in the verifier, and the app's backpack holds
/// the app's own badges. A document from elsewhere is "not available", which the verifier
/// reports as could not check (indeterminate), never as invalid.
pub(crate) struct SiteLoader {
    app: App,
}

impl SiteLoader {
    pub(crate) fn new(app: App) -> Self {
        Self { app }
    }
}

impl DocumentLoader for SiteLoader {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        let not_here = || LoadError::NotAvailable {
            url: url.to_owned(),
        };
        let Some(path) = url.strip_prefix(self.app.origin()) else {
            return Err(not_here());
        };
        if !path.starts_with('/') {
            return Err(not_here());
        }
        let path = path.split(['?', '#']).next().unwrap_or(path);
        match self.app.hosted(path).map_err(|_| not_here())? {
            Hosted::Found(d) => Ok(Document {
                url: url.to_owned(),
                final_url: url.to_owned(),
                content_type: Some(
                    d.content_type
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .trim()
                        .to_ascii_lowercase(),
                ),
                body: Arc::from(d.body.as_slice()),
                max_age: None,
            }),
            Hosted::Gone => Err(LoadError::Gone {
                url: url.to_owned(),
            }),
            Hosted::NotFound => Err(LoadError::Status {
                url: url.to_owned(),
                status: 404,
            }),
        }
    }
}

/// Opens the backpack verifying with `loader`: in the app's database when it is PostgreSQL
/// (the backpack's own schema, shared by every instance), else in `dir`
/// (`backpack/backpack.sqlite`). The backpack keeps every document a verification loaded
/// (issuer profile, key, status list), so its zip export verifies offline
/// (`openbadges verify --offline --documents`).
pub(crate) fn open(
    database: &str,
    dir: &std::path::Path,
    loader: &'static SiteLoader,
) -> Result<Pack, AppError> {
    let store: Box<dyn Store + Send + Sync> =
        if database.starts_with("postgres://") || database.starts_with("postgresql://") {
            openbadges::backpack::store::open(database)
                .map_err(|e| AppError::new(format!("backpack: {e}")))?
        } else {
            Box::new(
                SqliteStore::open_dir(dir.join("backpack"))
                    .map_err(|e| AppError::new(format!("backpack: {e}")))?,
            )
        };
    // One per start; the backpack lives as long as the app.
    let recording: &'static RecordingLoader<&'static SiteLoader> =
        Box::leak(Box::new(RecordingLoader::new(loader)));
    let verifier = openbadges::proof::verify::Verifier::new(recording);
    Ok(Backpack::new(
        store,
        ProofVerifier::new(verifier).keeping(recording.recording()),
    ))
}

/// The owner identifier of a learner.
pub(crate) fn learner(email: &str) -> Identity {
    Identity::new(IdentityKind::Email, email.trim().to_ascii_lowercase())
}

/// The accepted badges issued to `email`, newest first.
pub(crate) fn badges_of(pack: &Pack, email: &str) -> Result<Vec<BadgeRecord>, AppError> {
    let me = learner(email);
    let mut v: Vec<BadgeRecord> = pack
        .store()
        .badges()
        .map_err(|e| AppError::new(format!("backpack: {e}")))?
        .into_iter()
        .filter(|b| b.state == BadgeState::Accepted)
        .filter(|b| {
            b.recipient.identifier.kind == me.kind
                && b.recipient.identifier.value.eq_ignore_ascii_case(&me.value)
        })
        .collect();
    v.sort_by_key(|b| std::cmp::Reverse(b.imported_at));
    Ok(v)
}

/// The zip export (the backpack crate's archive) of `email`'s badges only.
pub(crate) fn zip_of(pack: &Pack, email: &str) -> Result<Vec<u8>, AppError> {
    use openbadges::backpack::{MemoryStore, Store as _, Write};
    let mine = MemoryStore::new();
    let mut writes = vec![Write::AddIdentifier(learner(email))];
    for b in badges_of(pack, email)? {
        // With what its verification loaded, so the archive verifies offline.
        let kept = pack
            .store()
            .badge_documents(&b.id)
            .map_err(|e| AppError::new(format!("backpack: {e}")))?;
        let id = b.id.clone();
        writes.push(Write::PutBadge(Box::new(b)));
        writes.push(Write::PutDocuments(id, kept));
    }
    mine.commit(writes)
        .map_err(|e| AppError::new(format!("backpack: {e}")))?;
    openbadges::backpack::export::zip::export_zip(&mine)
        .map_err(|e| AppError::new(format!("backpack export: {e}")))
}

/// Runs the pusher: claims the oldest queued push in the database (whichever instance issued
/// the badge), makes the learner's verified email an owner identifier of the backpack, POSTs
/// the credential to `endpoint` with the upsert token, and records the outcome. Returns once
/// `stop` is set and nothing is left to claim.
pub(crate) fn run_pusher(
    app: &App,
    pack: &Mutex<Pack>,
    tokens: &ApiTokens,
    endpoint: &str,
    stop: &AtomicBool,
) {
    // Straight to the loopback listener: never through a proxy from the environment.
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        // A new connection for each push: a kept-alive one may be closed by the server's idle
        // timeout just as a push reuses it, which would count as a second POST.
        .pool_max_idle_per_host(0)
        // Shorter than the lease, so a push never outlives its claim.
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let token = tokens
        .token_for(SCOPE_UPSERT)
        .map(|t| t.secret().to_owned());
    loop {
        let claim = crate::state::token()
            .map_err(|e| e.to_string())
            .and_then(|owner| {
                app.claim_push(&owner, PUSH_LEASE_SECS)
                    .map(|job| job.map(|j| (owner, j)))
                    .map_err(|e| e.to_string())
            });
        match claim {
            Ok(Some((owner, job))) => {
                let (state, posts) = match (&client, &token) {
                    (Err(e), _) => (Some(PushState::Failed(format!("no HTTP client: {e}"))), 0),
                    (_, None) => (Some(PushState::Failed("no upsert token".into())), 0),
                    (Ok(client), Some(token)) => push(client, pack, token, endpoint, &job),
                };
                match &state {
                    Some(PushState::Failed(why)) => {
                        eprintln!("badges101: push of {} failed: {why}", job.uuid);
                    }
                    None => eprintln!(
                        "badges101: push of {} could not reach the backpack; trying again",
                        job.uuid
                    ),
                    _ => {}
                }
                if let Err(e) = app.finish_push(&job, &owner, posts, state.as_ref(), RETRY_SECS) {
                    eprintln!("badges101: recording the push of {}: {e}", job.uuid);
                }
            }
            Ok(None) => {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(IDLE);
            }
            Err(e) => {
                eprintln!("badges101: push queue: {e}");
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

/// Pushes one credential; returns the outcome (`None`: the backpack could not be reached, try
/// again later) and how many POST requests were made.
fn push(
    client: &reqwest::blocking::Client,
    pack: &Mutex<Pack>,
    token: &str,
    endpoint: &str,
    job: &PushJob,
) -> (Option<PushState>, u32) {
    // The learner typed this address to receive the badge: it is the owner's identifier.
    match pack.lock() {
        Ok(mut p) => {
            if let Err(e) = p.add_identifier(learner(&job.email)) {
                return (Some(PushState::Failed(format!("backpack: {e}"))), 0);
            }
        }
        Err(_) => return (None, 0),
    }
    let mut posts = 0;
    loop {
        posts += 1;
        let r = client
            .post(endpoint)
            .bearer_auth(token)
            .header("Content-Type", "application/json")
            .body(job.credential.clone())
            .send();
        match r {
            Ok(resp) => {
                let status = resp.status().as_u16();
                if status == 200 || status == 201 {
                    return (Some(PushState::Sent { status, posts }), posts);
                }
                let body = resp.text().unwrap_or_default();
                let why = serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| {
                        v.get("imsx_description")
                            .and_then(|d| d.as_str())
                            .map(str::to_owned)
                    })
                    .unwrap_or(body);
                return (
                    Some(PushState::Failed(format!(
                        "the backpack answered {status}: {why}"
                    ))),
                    posts,
                );
            }
            // A connection that failed before an answer: retry a little (the request was not
            // handled, so this is no second push).
            Err(e) if e.is_connect() && posts < 3 => {
                std::thread::sleep(Duration::from_millis(200 * u64::from(posts)));
            }
            // Later: the upsert is idempotent (a badge the backpack holds answers 200).
            Err(_) => return (None, posts),
        }
    }
}
