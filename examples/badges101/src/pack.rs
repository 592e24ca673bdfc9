//! The learner's backpack: the backpack crate's SQLite store in the data directory, served
//! through the OB 3.0 API (`POST`/`GET /ims/ob/v3p0/credentials`), and the pusher that sends
//! each newly issued credential there over real HTTP.
//!
//! No deadlock by construction: the push runs on a dedicated thread (never inside a request
//! handler), one request at a time, and the API handler verifies the pushed credential with a
//! document loader that answers the app's own URLs from its hosted documents in memory
//! ([`SiteLoader`]): it never makes an HTTP request back to the server. Locks are taken in one
//! order only: the backpack, then the app (inside the loader), then the push states.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use openbadges::backpack::export::api::{ApiTokens, SCOPE_UPSERT};
use openbadges::backpack::proof::ProofVerifier;
use openbadges::backpack::{Backpack, BadgeRecord, BadgeState, SqliteStore, Store as _};
use openbadges::model::{Identity, IdentityKind};
use openbadges::proof::loader::{Document, DocumentLoader, LoadError, RecordingLoader};

use crate::AppError;
use crate::state::{App, Hosted};

/// The backpack the app serves.
pub(crate) type Pack = Backpack<SqliteStore, ProofVerifier<'static>>;

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

/// One credential to push.
#[derive(Debug)]
pub(crate) struct PushJob {
    pub(crate) uuid: String,
    pub(crate) email: String,
    pub(crate) credential: String,
}

/// The app's side of the pusher: the queue and the push states.
#[derive(Debug, Clone)]
pub(crate) struct Pusher {
    pub(crate) tx: Sender<PushJob>,
    pub(crate) states: Arc<Mutex<HashMap<String, PushState>>>,
}

impl Pusher {
    /// Queues a push (called once, when a badge is issued).
    pub(crate) fn queue(&self, job: PushJob) {
        if let Ok(mut s) = self.states.lock() {
            s.insert(job.uuid.clone(), PushState::Queued);
        }
        if self.tx.send(job).is_err() {
            // The pusher is gone (shutting down): nothing to do.
        }
    }

    /// The push state of a badge.
    pub(crate) fn state(&self, uuid: &str) -> Option<PushState> {
        self.states.lock().ok()?.get(uuid).cloned()
    }

    /// Every push state, by badge UUID.
    pub(crate) fn all(&self) -> BTreeMap<String, PushState> {
        self.states
            .lock()
            .map(|s| s.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }
}

/// Answers the app's own URLs from its hosted documents (in memory, no HTTP), and nothing else:
/// the JSON-LD contexts are bundled in the verifier, and the app's backpack holds the app's own
/// badges. A document from elsewhere is "not available", which the verifier reports as could
/// not check (indeterminate), never as invalid.
pub(crate) struct SiteLoader {
    app: Weak<Mutex<App>>,
    origin: String,
}

impl SiteLoader {
    pub(crate) fn new(app: &Arc<Mutex<App>>, origin: String) -> Self {
        Self {
            app: Arc::downgrade(app),
            origin,
        }
    }
}

impl DocumentLoader for SiteLoader {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        let not_here = || LoadError::NotAvailable {
            url: url.to_owned(),
        };
        let Some(path) = url.strip_prefix(&self.origin) else {
            return Err(not_here());
        };
        if !path.starts_with('/') {
            return Err(not_here());
        }
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let app = self.app.upgrade().ok_or_else(not_here)?;
        let app = app.lock().map_err(|_| not_here())?;
        match app.hosted(path) {
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

/// Opens the backpack in `dir` (`backpack/backpack.sqlite`) verifying with `loader`. The
/// backpack keeps every document a verification loaded (issuer profile, key, status list), so
/// its zip export verifies offline (`openbadges verify --offline --documents`).
pub(crate) fn open(dir: &std::path::Path, loader: &'static SiteLoader) -> Result<Pack, AppError> {
    let store = SqliteStore::open_dir(dir.join("backpack"))
        .map_err(|e| AppError::new(format!("backpack: {e}")))?;
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

/// Runs the pusher: for each job, makes the learner's verified email an owner identifier of the
/// backpack, then POSTs the credential to `endpoint` with the upsert token. Returns when the
/// queue's senders are gone.
pub(crate) fn run_pusher(
    rx: &Receiver<PushJob>,
    pack: &Mutex<Pack>,
    tokens: &ApiTokens,
    endpoint: &str,
    states: &Mutex<HashMap<String, PushState>>,
) {
    // Straight to the loopback listener: never through a proxy from the environment.
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let token = tokens
        .token_for(SCOPE_UPSERT)
        .map(|t| t.secret().to_owned());
    while let Ok(job) = rx.recv() {
        let state = match (&client, &token) {
            (Err(e), _) => PushState::Failed(format!("no HTTP client: {e}")),
            (_, None) => PushState::Failed("no upsert token".into()),
            (Ok(client), Some(token)) => push(client, pack, token, endpoint, &job),
        };
        if let PushState::Failed(why) = &state {
            eprintln!("badges101: push of {} failed: {why}", job.uuid);
        }
        if let Ok(mut s) = states.lock() {
            s.insert(job.uuid, state);
        }
    }
}

fn push(
    client: &reqwest::blocking::Client,
    pack: &Mutex<Pack>,
    token: &str,
    endpoint: &str,
    job: &PushJob,
) -> PushState {
    // The learner typed this address to receive the badge: it is the owner's identifier.
    match pack.lock() {
        Ok(mut p) => {
            if let Err(e) = p.add_identifier(learner(&job.email)) {
                return PushState::Failed(format!("backpack: {e}"));
            }
        }
        Err(_) => return PushState::Failed("backpack unavailable".into()),
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
                    return PushState::Sent { status, posts };
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
                return PushState::Failed(format!("the backpack answered {status}: {why}"));
            }
            // A connection that failed before an answer: retry a little (the request was not
            // handled, so this is no second push).
            Err(e) if e.is_connect() && posts < 3 => {
                std::thread::sleep(Duration::from_millis(200 * u64::from(posts)));
            }
            Err(e) => return PushState::Failed(format!("could not reach the backpack: {e}")),
        }
    }
}
