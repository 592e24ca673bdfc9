//! The app's state: the quiz, and the issuer's database, which holds everything shared between
//! instances (the issuer's keys, badges, hosted documents, status lists and revocations; the
//! learners' attempts; the push queue). Nothing about a learner or a badge is kept in memory:
//! any instance on the same database answers for any of them.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use openbadges::model::Identity;
use openbadges::oid4vci::{Offer, OfferSubjects, Oid4vci, Oid4vciConfig, WalletIssuance};
use openbadges::quiz::evidence::EvidenceOptions;
use openbadges::quiz::{Attempt, AttemptRecord, Format, Limits, Quiz, Response, load};
use openbadges::store::{IssuerStore, Served, SqlValue, StoreError, StoreTransaction};
use openbadges::{Badge, Evidence, Form, IssueOptions, Issuer, IssuerProfile};
use serde::{Deserialize, Serialize};

use crate::db::{self, integer, required_text, text, with_tx};
use crate::pack::{PushJob, PushState};
use crate::{AppError, Config, Policy};

use crate::art::BADGE_SVG;
/// File name of the SVG alternative.
pub(crate) const SVG_NAME: &str = "ob3.svg";
/// The badge's slug, name and description (as on the original page).
const SLUG: &str = "badges-101";
const NAME: &str = "Badges 101";
const DESCRIPTION: &str = "You really get badges!";
/// Largest accepted email address (RFC 5321 path limit).
const MAX_EMAIL: usize = 254;
/// How many times an attempt update is retried when another request changed the attempt
/// first.
const UPDATE_ROUNDS: usize = 5;

/// One learner's attempt, stored under an unguessable token (a row of `b101_attempts`).
#[derive(Debug, Clone)]
pub(crate) struct AttemptRow {
    /// The quiz crate's attempt state.
    pub(crate) attempt: Attempt,
    /// The public id of the attempt record (evidence URL `attempts/ID.json`).
    pub(crate) public_id: String,
    /// The sealed record once submitted.
    pub(crate) record: Option<AttemptRecord>,
    /// The badge UUID once issued (exactly once per attempt).
    pub(crate) issued: Option<String>,
    /// The address the badge was issued to (kept server-side only: it names the learner's
    /// backpack).
    pub(crate) email: Option<String>,
    /// The row's version: every update is a compare-and-set on it.
    version: i64,
    /// When the attempt started (seconds since the epoch).
    created_at: i64,
}

/// A hosted document.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

/// What a hosted path answers.
#[derive(Debug)]
pub(crate) enum Hosted {
    Found(Doc),
    Gone,
    NotFound,
}

/// Why an operation on an attempt was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No such attempt (404).
    UnknownAttempt,
    /// The attempt expired before its badge was issued, and is gone (404).
    Expired,
    /// The request does not fit the attempt (400), with a reason for the learner.
    Bad(String),
    /// The attempt is not in a state that allows it (409).
    Conflict(String),
    /// Something failed on our side (500).
    Internal(String),
}

impl From<AppError> for Refused {
    fn from(e: AppError) -> Self {
        Refused::Internal(e.to_string())
    }
}

impl From<StoreError> for Refused {
    fn from(e: StoreError) -> Self {
        Refused::Internal(format!("database: {e}"))
    }
}

impl From<openbadges::Error> for Refused {
    fn from(e: openbadges::Error) -> Self {
        Refused::Internal(e.to_string())
    }
}

/// The app: the quiz and the issuer on its database. Cheap to clone (an `Arc` inside),
/// `Send + Sync`: every request handler uses it at once, without a lock.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    quiz: Quiz,
    issuer: Issuer,
    /// The OpenID4VCI issuer ("Add to your wallet"), over the same issuer and database.
    vci: Oid4vci,
    origin: String,
    /// How long an attempt lives before its badge is issued, in seconds.
    attempt_ttl: i64,
}

/// The Badges 101 badge and the evidence of the attempt `record` (public id `public_id`), as
/// issued by the app at `base`.
fn badge_of(
    base: &str,
    record: &AttemptRecord,
    public_id: &str,
) -> Result<(Badge, Evidence), Refused> {
    let evidence = Evidence::from_attempt(
        record,
        &EvidenceOptions {
            id: Some(format!("{base}attempts/{public_id}.json")),
            audience: Some("Learners".into()),
        },
    )
    .map_err(|e| Refused::Internal(e.to_string()))?;
    let badge = Badge::new(SLUG, NAME, DESCRIPTION, record.criteria.clone())
        .image(crate::art::badge_png().map_err(|e| Refused::Internal(e.to_string()))?)
        .criteria_url(format!("{base}criteria"));
    Ok((badge, evidence))
}

/// What an "Add to your wallet" offer issues: its subject is the UUID of the badge the app
/// issued to the attempt; the wallet receives the same badge (same learner address, same
/// evidence) as a new credential naming the wallet's DID.
#[derive(Debug)]
struct WalletSubjects {
    issuer: Issuer,
}

impl OfferSubjects for WalletSubjects {
    fn resolve(&self, uuid: &str) -> Result<Option<WalletIssuance>, openbadges::Error> {
        let store = self.issuer.store().as_ref();
        let row = with_tx(store, |tx| {
            let rows = tx.query(
                &format!("SELECT {ATTEMPT_COLUMNS} FROM b101_attempts WHERE badge_uuid = $1"),
                &[uuid.into()],
            )?;
            rows.first().map(|r| attempt_row(r)).transpose()
        })?;
        let Some(AttemptRow {
            record: Some(record),
            email: Some(email),
            public_id,
            ..
        }) = row
        else {
            return Ok(None);
        };
        let (badge, evidence) = badge_of(self.issuer.base_url(), &record, &public_id)
            .map_err(|e| openbadges::Error::Config(format!("{e:?}")))?;
        Ok(Some(WalletIssuance::new(
            Identity::email(email),
            badge,
            IssueOptions::new().evidence(evidence),
        )))
    }
}

/// A fresh random token (128 bits, hex).
pub(crate) fn token() -> Result<String, AppError> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| AppError::new("no randomness"))?;
    Ok(hex::encode(b))
}

/// Whether `t` looks like one of our tokens.
pub(crate) fn is_token(t: &str) -> bool {
    t.len() == 32
        && t.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredProfile {
    name: String,
    email: String,
}

/// Makes a secret file readable by its owner only (Unix).
pub(crate) fn restrict(path: &Path) -> Result<(), AppError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `path` (and its folder) readable by its owner only, or makes it so.
fn private_file(path: &Path) -> Result<(), AppError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options.open(path)?;
    restrict(path)
}

/// The issuer profile: `issuer-profile.json` in the data directory when there is one, else
/// the app's own (every instance without the file agrees on it).
fn profile(dir: &Path) -> Result<StoredProfile, AppError> {
    match std::fs::read(dir.join("issuer-profile.json")) {
        Ok(b) => Ok(serde_json::from_slice(&b)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StoredProfile {
            name: "Open Badges — Badges 101".into(),
            email: "badges101@example.org".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The origin (`scheme://host:port`) of a base URL.
fn origin_of(base: &str) -> String {
    let start = base.find("://").map_or(0, |i| i + 3);
    let end = base
        .get(start..)
        .and_then(|r| r.find('/'))
        .map_or(base.len(), |i| start + i);
    base.get(..end).unwrap_or(base).to_owned()
}

/// Reads an attempt row (columns as in [`ATTEMPT_COLUMNS`]).
fn attempt_row(row: &[SqlValue]) -> Result<AttemptRow, StoreError> {
    let corrupt = |what: &str, e: serde_json::Error| StoreError::Corrupt(format!("{what}: {e}"));
    let attempt =
        serde_json::from_str(&required_text(row, 0)?).map_err(|e| corrupt("attempt", e))?;
    let record = match text(row, 2)? {
        Some(r) => Some(serde_json::from_str(&r).map_err(|e| corrupt("attempt record", e))?),
        None => None,
    };
    Ok(AttemptRow {
        attempt,
        public_id: required_text(row, 1)?,
        record,
        issued: text(row, 3)?,
        email: text(row, 4)?,
        version: integer(row, 5)?.unwrap_or(0),
        created_at: integer(row, 6)?.unwrap_or(0),
    })
}

/// The columns [`attempt_row`] reads.
const ATTEMPT_COLUMNS: &str = "attempt, public_id, record, badge_uuid, email, version, created_at";

/// The attempt with token `tok`, read in `tx`.
fn read_attempt(
    tx: &mut dyn StoreTransaction,
    tok: &str,
) -> Result<Option<AttemptRow>, StoreError> {
    let rows = tx.query(
        &format!("SELECT {ATTEMPT_COLUMNS} FROM b101_attempts WHERE token = $1"),
        &[tok.into()],
    )?;
    rows.first().map(|r| attempt_row(r)).transpose()
}

fn json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(format!("JSON: {e}")))
}

impl App {
    /// Opens the app's database ([`Config::database_url`]: the issuer's store and the app's
    /// own tables, created on first start) for an app served at `base_url`. Any number of
    /// processes may open one database at once.
    ///
    /// # Errors
    /// [`AppError`] on database, key or issuer errors.
    pub fn open(config: &Config, base_url: &str) -> Result<App, AppError> {
        let dir = config.data_dir.clone();
        std::fs::create_dir_all(&dir)?;
        let toml = match config.policy {
            Policy::Completion => crate::BADGES101_TOML,
            Policy::Mastery => crate::BADGES101_MASTERY_TOML,
        };
        let quiz = load(
            toml,
            Format::Toml,
            Some("badges101.toml"),
            &Limits::default(),
        )
        .map_err(|e| AppError::new(format!("quiz: {e}")))?
        .quiz;
        let profile = profile(&dir)?;
        let url = config.database_url();
        // The database holds the issuer's secret keys: its owner only may read it (SQLite gives
        // its `-wal` and `-shm` files the database file's mode).
        if let Some(path) = url.strip_prefix("sqlite:") {
            private_file(Path::new(path.strip_prefix("//").unwrap_or(path)))?;
        }
        let store =
            openbadges::store::open(&url).map_err(|e| AppError::new(format!("database: {e}")))?;
        db::migrate(store.as_ref())?;
        let issuer = Issuer::open(
            base_url,
            IssuerProfile::new(profile.name, profile.email).url(base_url),
            store,
        )?;
        let vci = Oid4vci::new(
            issuer.clone(),
            Oid4vciConfig::default(),
            Arc::new(WalletSubjects {
                issuer: issuer.clone(),
            }),
        )?;
        Ok(App {
            inner: Arc::new(Inner {
                quiz,
                vci,
                origin: origin_of(issuer.base_url()),
                issuer,
                attempt_ttl: i64::try_from(config.attempt_ttl.as_secs()).unwrap_or(i64::MAX),
            }),
        })
    }

    fn store(&self) -> &dyn IssuerStore {
        self.inner.issuer.store().as_ref()
    }

    /// Records the base URL this app serves under as the public one, for `revoke` run without
    /// `--base-url`.
    ///
    /// # Errors
    /// [`AppError`] on a database error.
    pub(crate) fn remember_base_url(&self) -> Result<(), AppError> {
        Ok(db::set_setting(
            self.store(),
            db::BASE_URL,
            self.base_url(),
        )?)
    }

    /// The base URL for `config` when it names none: the one the app last served under on
    /// this database ([`Config::database_url`]), else `http://127.0.0.1:PORT/`.
    ///
    /// # Errors
    /// [`AppError`] on a database error.
    pub fn base_url_for(config: &Config) -> Result<String, AppError> {
        if let Some(b) = &config.base_url {
            return Ok(b.clone());
        }
        let store = openbadges::store::open(&config.database_url())
            .map_err(|e| AppError::new(format!("database: {e}")))?;
        db::migrate(store.as_ref())?;
        Ok(
            db::setting(store.as_ref(), db::BASE_URL)?
                .unwrap_or_else(|| config.base_url_or_local()),
        )
    }

    /// The quiz.
    pub(crate) fn quiz(&self) -> &Quiz {
        &self.inner.quiz
    }

    /// The origin (`scheme://host[:port]`) of the base URL.
    pub(crate) fn origin(&self) -> &str {
        &self.inner.origin
    }

    /// The base URL badges are issued under.
    pub fn base_url(&self) -> &str {
        self.inner.issuer.base_url()
    }

    /// What a request path (`/assertions/….json`) or URL answers among the hosted documents:
    /// the issuer's (from the store, so every instance answers alike) and the attempt records
    /// that are badges' evidence.
    ///
    /// # Errors
    /// [`Refused::Internal`] on a database error.
    pub(crate) fn hosted(&self, path_or_url: &str) -> Result<Hosted, Refused> {
        let path = path_or_url
            .strip_prefix(self.origin())
            .unwrap_or(path_or_url);
        let base_path = self.base_url().strip_prefix(self.origin()).unwrap_or("/");
        if let Some(id) = path
            .strip_prefix(base_path)
            .and_then(|p| p.strip_prefix("attempts/"))
            .and_then(|f| f.strip_suffix(".json"))
        {
            return self.attempt_record(id);
        }
        Ok(match self.inner.issuer.document(path_or_url)? {
            Some(Served::Document(d)) => Hosted::Found(Doc {
                content_type: d.content_type,
                body: d.body,
            }),
            Some(Served::Gone) => Hosted::Gone,
            _ => Hosted::NotFound,
        })
    }

    /// The sealed record of the attempt whose public id is `id` (the badge's evidence).
    fn attempt_record(&self, id: &str) -> Result<Hosted, Refused> {
        if !is_token(id) {
            return Ok(Hosted::NotFound);
        }
        let record = with_tx(self.store(), |tx| {
            let rows = tx.query(
                "SELECT record FROM b101_attempts WHERE public_id = $1",
                &[id.into()],
            )?;
            rows.first().map_or(Ok(None), |r| text(r, 0))
        })?;
        let Some(record) = record else {
            return Ok(Hosted::NotFound);
        };
        let record: AttemptRecord = serde_json::from_str(&record)
            .map_err(|e| Refused::Internal(format!("attempt record {id}: {e}")))?;
        Ok(Hosted::Found(Doc {
            content_type: "application/json".into(),
            body: record.to_json_pretty().into_bytes(),
        }))
    }

    /// Starts a new attempt; returns its token.
    pub(crate) fn new_attempt(&self) -> Result<String, AppError> {
        let tok = token()?;
        let seed = u64::from_str_radix(tok.get(..16).unwrap_or("0"), 16).unwrap_or(0);
        let attempt = Attempt::start(self.quiz(), seed, db::now(), 0)
            .map_err(|e| AppError::new(format!("quiz: {e}")))?;
        let public_id = token()?;
        let attempt = json(&attempt)?;
        with_tx(self.store(), |tx| {
            tx.execute(
                "INSERT INTO b101_attempts (token, public_id, attempt, version, created_at) \
                 VALUES ($1, $2, $3, 0, $4)",
                &[
                    tok.as_str().into(),
                    public_id.as_str().into(),
                    attempt.as_str().into(),
                    db::now().into(),
                ],
            )
        })?;
        Ok(tok)
    }

    /// The attempt with this token. One that expired before its badge was issued is deleted
    /// and answers [`Refused::Expired`].
    pub(crate) fn attempt(&self, tok: &str) -> Result<AttemptRow, Refused> {
        if !is_token(tok) {
            return Err(Refused::UnknownAttempt);
        }
        let a =
            with_tx(self.store(), |tx| read_attempt(tx, tok))?.ok_or(Refused::UnknownAttempt)?;
        if a.issued.is_none() && db::now() > a.created_at.saturating_add(self.inner.attempt_ttl) {
            with_tx(self.store(), |tx| {
                tx.execute(
                    "DELETE FROM b101_attempts WHERE token = $1 AND badge_uuid IS NULL",
                    &[tok.into()],
                )
            })?;
            return Err(Refused::Expired);
        }
        Ok(a)
    }

    /// Deletes every attempt that expired more than `grace` ago before its badge was issued
    /// (an issued one is kept: its sealed record is the badge's evidence); how many. Within
    /// the grace a learner coming back still reads "expired" rather than "not found". Safe on
    /// any number of instances at once.
    ///
    /// # Errors
    /// [`AppError`] on a database error.
    pub(crate) fn delete_expired_attempts(
        &self,
        grace: std::time::Duration,
    ) -> Result<u64, AppError> {
        let grace = i64::try_from(grace.as_secs()).unwrap_or(i64::MAX);
        let before = db::now()
            .saturating_sub(self.inner.attempt_ttl)
            .saturating_sub(grace);
        Ok(with_tx(self.store(), |tx| {
            tx.execute(
                "DELETE FROM b101_attempts WHERE created_at < $1 AND badge_uuid IS NULL",
                &[before.into()],
            )
        })?)
    }

    /// Applies `change` to the attempt and stores it, as a compare-and-set on its version:
    /// when another request (on any instance) changed it first, reads it again and retries.
    fn update_attempt<T>(
        &self,
        tok: &str,
        mut change: impl FnMut(&mut AttemptRow) -> Result<T, Refused>,
    ) -> Result<T, Refused> {
        for _ in 0..UPDATE_ROUNDS {
            let mut a = self.attempt(tok)?;
            let version = a.version;
            let out = change(&mut a)?;
            let attempt = json(&a.attempt)?;
            // No NULL parameters (a typed NULL is not portable): the record is set once.
            let record = a.record.as_ref().map(json).transpose()?;
            let changed = with_tx(self.store(), |tx| match &record {
                Some(record) => tx.execute(
                    "UPDATE b101_attempts SET attempt = $1, record = $2, version = $3 \
                     WHERE token = $4 AND version = $5",
                    &[
                        attempt.as_str().into(),
                        record.as_str().into(),
                        (version + 1).into(),
                        tok.into(),
                        version.into(),
                    ],
                ),
                None => tx.execute(
                    "UPDATE b101_attempts SET attempt = $1, version = $2 \
                     WHERE token = $3 AND version = $4",
                    &[
                        attempt.as_str().into(),
                        (version + 1).into(),
                        tok.into(),
                        version.into(),
                    ],
                ),
            })?;
            if changed == 1 {
                return Ok(out);
            }
        }
        Err(Refused::Conflict(
            "this attempt is being changed elsewhere; try again".into(),
        ))
    }

    /// Records an answer (graded by the quiz crate); returns whether it was right.
    pub(crate) fn answer(&self, tok: &str, item: &str, value: bool) -> Result<bool, Refused> {
        let quiz = self.quiz();
        if quiz.item(item).is_none() {
            self.attempt(tok)?;
            return Err(Refused::Bad(format!("unknown question {item:?}")));
        }
        self.update_attempt(tok, |a| {
            if a.attempt.responses.contains_key(item) {
                return Err(Refused::Conflict(
                    "this question is already answered".into(),
                ));
            }
            let fb = a
                .attempt
                .answer(quiz, item, Response::Bool(value), db::now())
                .map_err(|e| Refused::Conflict(e.to_string()))?;
            Ok(fb.correct)
        })
    }

    /// Submits the attempt once every question is answered (idempotent); `None` while some
    /// question is unanswered. The sealed record is served as the badge's evidence.
    pub(crate) fn finish(&self, tok: &str) -> Result<Option<AttemptRecord>, Refused> {
        let a = self.attempt(tok)?;
        if let Some(r) = a.record {
            return Ok(Some(r));
        }
        let quiz = self.quiz();
        if !quiz
            .items()
            .all(|(_, i)| a.attempt.responses.contains_key(&i.id))
        {
            return Ok(None);
        }
        self.update_attempt(tok, |a| {
            if let Some(r) = &a.record {
                return Ok(Some(r.clone()));
            }
            let record = a
                .attempt
                .submit(quiz, db::now())
                .map_err(|e| Refused::Internal(e.to_string()))?;
            a.record = Some(record.clone());
            Ok(Some(record))
        })
    }

    /// Issues the badge of a passed attempt to `email`, exactly once however many requests
    /// (on however many instances) race; returns the badge UUID.
    ///
    /// The badge (every form and document), the attempt's badge UUID and the push-queue entry
    /// commit in one transaction ([`Issuer::issue_with`]): after a crash either all of them
    /// are there or none is.
    pub(crate) fn issue(&self, tok: &str, email: &str) -> Result<String, Refused> {
        let email = email.trim();
        let a = self.attempt(tok)?;
        if let Some(uuid) = &a.issued {
            return Ok(uuid.clone());
        }
        let Some(record) = a.record.clone() else {
            return Err(Refused::Conflict("the quiz is not finished".into()));
        };
        if !record.passed {
            return Err(Refused::Conflict(
                "this attempt did not earn the badge".into(),
            ));
        }
        if !valid_email(email) {
            return Err(Refused::Bad("please enter a valid email address".into()));
        }
        let (badge, evidence) = badge_of(self.base_url(), &record, &a.public_id)?;
        let issued = self.inner.issuer.issue_with(
            &Identity::email(email),
            &badge,
            &IssueOptions::new().vc_jwt(true).evidence(evidence),
            &mut |tx, issued| {
                // Exactly one badge per attempt: the first issuance to commit sets it; a
                // racing one finds it set and rolls back whole.
                let claimed = tx.execute(
                    "UPDATE b101_attempts SET badge_uuid = $1, email = $2, version = version + 1 \
                     WHERE token = $3 AND badge_uuid IS NULL",
                    &[issued.uuid.as_str().into(), email.into(), tok.into()],
                )?;
                if claimed != 1 {
                    return Err(StoreError::Conflict(format!(
                        "attempt {tok} already has its badge"
                    )));
                }
                // "Send to backpack": queued with the badge, pushed by any instance's pusher.
                let credential = issued
                    .ob3_credential
                    .as_ref()
                    .map(json)
                    .transpose()?
                    .ok_or_else(|| StoreError::Aborted("no OB 3.0 credential".into()))?;
                tx.execute(
                    "INSERT INTO b101_pushes (badge_uuid, email, credential, state, posts, \
                     lease_until, queued_at) VALUES ($1, $2, $3, 'queued', 0, 0, $4)",
                    &[
                        issued.uuid.as_str().into(),
                        email.into(),
                        credential.into(),
                        db::now().into(),
                    ],
                )?;
                Ok(())
            },
        );
        match issued {
            Ok(issued) => Ok(issued.uuid),
            Err(e) => match self.attempt(tok)?.issued {
                // Another request issued this attempt's badge first.
                Some(uuid) => Ok(uuid),
                None => Err(Refused::Internal(e.to_string())),
            },
        }
    }

    /// The OpenID4VCI issuer.
    pub(crate) fn vci(&self) -> &Oid4vci {
        &self.inner.vci
    }

    /// A fresh "Add to your wallet" offer for the badge issued to attempt `tok`: its
    /// `openid-credential-offer://` URI (the offer by reference; no transaction code).
    pub(crate) fn wallet_offer(&self, tok: &str) -> Result<String, Refused> {
        let Some(uuid) = self.attempt(tok)?.issued else {
            return Err(Refused::Conflict("no badge issued yet".into()));
        };
        Ok(self.inner.vci.offer(&Offer::new(uuid))?.uri_by_reference())
    }

    /// The baked image of an issued badge (`name` one of [`FORMS`] or [`SVG_NAME`]), from
    /// the badge's record in the store.
    pub(crate) fn baked(&self, tok: &str, name: &str) -> Result<Vec<u8>, Refused> {
        let a = self.attempt(tok)?;
        let Some(uuid) = a.issued else {
            return Err(Refused::Conflict("no badge issued yet".into()));
        };
        let record = self
            .inner
            .issuer
            .issued(&uuid)?
            .ok_or_else(|| Refused::Internal(format!("badge {uuid} is not in the store")))?;
        if name == SVG_NAME {
            // The SVG alternative: the same OB 3.0 credential baked into the SVG badge.
            let Some(c) = &record.issued.ob3_credential else {
                return Err(Refused::UnknownAttempt);
            };
            let payload = serde_json::to_string(c).map_err(AppError::from)?;
            return openbadges::bake::bake(
                BADGE_SVG,
                &payload,
                &openbadges::bake::BakeOptions::default(),
            )
            .map_err(|e| Refused::Internal(format!("bake SVG: {e}")));
        }
        let form = FORMS
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(f, _)| *f)
            .ok_or(Refused::UnknownAttempt)?;
        record
            .issued
            .baked(form)
            .map(|b| b.bytes.clone())
            .ok_or(Refused::UnknownAttempt)
    }

    /// Revokes an issued badge (UUID, `urn:uuid:…` or hosted URL) in every form: every
    /// instance on the database serves the new status list and revocation list, and `410 Gone`
    /// for the hosted assertion, from its next request on.
    ///
    /// # Errors
    /// [`AppError`] when the issuer refuses (unknown badge) or on a database error.
    pub fn revoke(&self, id: &str, reason: Option<&str>) -> Result<(), AppError> {
        self.inner.issuer.revoke(id, reason)?;
        Ok(())
    }

    /// The UUIDs of the badges issued to attempts, each with whether it is revoked.
    ///
    /// # Errors
    /// [`AppError`] on a database error.
    pub fn issued(&self) -> Result<BTreeMap<String, bool>, AppError> {
        let uuids = with_tx(self.store(), |tx| {
            tx.query(
                "SELECT badge_uuid FROM b101_attempts WHERE badge_uuid IS NOT NULL",
                &[],
            )?
            .iter()
            .map(|r| required_text(r, 0))
            .collect::<Result<Vec<_>, _>>()
        })?;
        uuids
            .into_iter()
            .map(|u| {
                let revoked = self.inner.issuer.is_revoked(&u)?;
                Ok((u, revoked))
            })
            .collect()
    }

    /// Claims the oldest queued push whose lease is free, for `lease` seconds, under the
    /// random claim `owner`; `None` when there is nothing to push.
    pub(crate) fn claim_push(&self, owner: &str, lease: i64) -> Result<Option<PushJob>, AppError> {
        let now = db::now();
        Ok(with_tx(self.store(), |tx| {
            let claimed = tx.execute(
                "UPDATE b101_pushes SET lease_owner = $1, lease_until = $2 \
                 WHERE badge_uuid = (SELECT badge_uuid FROM b101_pushes \
                     WHERE state = 'queued' AND lease_until <= $3 \
                     ORDER BY queued_at, badge_uuid LIMIT 1) \
                 AND state = 'queued' AND lease_until <= $3",
                &[owner.into(), (now + lease).into(), now.into()],
            )?;
            if claimed == 0 {
                return Ok(None);
            }
            let rows = tx.query(
                "SELECT badge_uuid, email, credential FROM b101_pushes WHERE lease_owner = $1",
                &[owner.into()],
            )?;
            rows.first()
                .map(|r| {
                    Ok(PushJob {
                        uuid: required_text(r, 0)?,
                        email: required_text(r, 1)?,
                        credential: required_text(r, 2)?,
                    })
                })
                .transpose()
        })?)
    }

    /// Records how the push of `job` claimed by `owner` ended (`None`: not at all, try again
    /// after `retry_in` seconds). Nothing is written when the lease went to someone else.
    pub(crate) fn finish_push(
        &self,
        job: &PushJob,
        owner: &str,
        posts: u32,
        outcome: Option<&PushState>,
        retry_in: i64,
    ) -> Result<(), AppError> {
        // No NULL parameters (a typed NULL is not portable): one statement per outcome.
        let (sql, first): (&str, SqlValue) = match outcome {
            Some(PushState::Sent { status, .. }) => (
                "UPDATE b101_pushes SET state = 'sent', http_status = $1, failure = NULL, \
                 posts = posts + $2, lease_owner = NULL, lease_until = 0 \
                 WHERE badge_uuid = $3 AND lease_owner = $4",
                i64::from(*status).into(),
            ),
            Some(PushState::Failed(why)) => (
                "UPDATE b101_pushes SET state = 'failed', failure = $1, \
                 posts = posts + $2, lease_owner = NULL, lease_until = 0 \
                 WHERE badge_uuid = $3 AND lease_owner = $4",
                why.as_str().into(),
            ),
            // Not pushed: free the claim, to be taken again once `retry_in` has passed.
            Some(PushState::Queued) | None => (
                "UPDATE b101_pushes SET lease_until = $1, \
                 posts = posts + $2, lease_owner = NULL \
                 WHERE badge_uuid = $3 AND lease_owner = $4",
                (db::now() + retry_in).into(),
            ),
        };
        with_tx(self.store(), |tx| {
            tx.execute(
                sql,
                &[
                    first.clone(),
                    i64::from(posts).into(),
                    job.uuid.as_str().into(),
                    owner.into(),
                ],
            )
        })?;
        Ok(())
    }

    /// Every push (queued or done), by badge UUID.
    ///
    /// # Errors
    /// [`AppError`] on a database error.
    pub fn push_states(&self) -> Result<BTreeMap<String, PushState>, AppError> {
        Ok(with_tx(self.store(), |tx| {
            tx.query(
                "SELECT badge_uuid, state, http_status, posts, failure FROM b101_pushes",
                &[],
            )?
            .iter()
            .map(|r| Ok((required_text(r, 0)?, push_state(r)?)))
            .collect::<Result<BTreeMap<_, _>, StoreError>>()
        })?)
    }

    /// The push state of a badge (`None` when it has no push).
    pub(crate) fn push_state(&self, uuid: &str) -> Result<Option<PushState>, Refused> {
        Ok(with_tx(self.store(), |tx| {
            tx.query(
                "SELECT badge_uuid, state, http_status, posts, failure FROM b101_pushes \
                 WHERE badge_uuid = $1",
                &[uuid.into()],
            )?
            .first()
            .map(|r| push_state(r))
            .transpose()
        })?)
    }

    /// Queues again the pushes that were sent but whose credential the backpack does not
    /// hold (`held`: the credential ids it holds), e.g. after the backpack was lost.
    pub(crate) fn requeue_unheld(&self, held: &HashSet<String>) -> Result<(), AppError> {
        let sent = with_tx(self.store(), |tx| {
            tx.query(
                "SELECT badge_uuid FROM b101_pushes WHERE state = 'sent'",
                &[],
            )?
            .iter()
            .map(|r| required_text(r, 0))
            .collect::<Result<Vec<_>, _>>()
        })?;
        let lost: Vec<String> = sent
            .into_iter()
            .filter(|u| !held.contains(&format!("urn:uuid:{u}")))
            .collect();
        if lost.is_empty() {
            return Ok(());
        }
        with_tx(self.store(), |tx| {
            for u in &lost {
                tx.execute(
                    "UPDATE b101_pushes SET state = 'queued', posts = 0, http_status = NULL, \
                     lease_owner = NULL, lease_until = 0 WHERE badge_uuid = $1 AND state = 'sent'",
                    &[u.as_str().into()],
                )?;
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// A push state from a `b101_pushes` row (`badge_uuid, state, http_status, posts, failure`).
fn push_state(r: &[SqlValue]) -> Result<PushState, StoreError> {
    let posts = u32::try_from(integer(r, 3)?.unwrap_or(0)).unwrap_or(u32::MAX);
    Ok(match required_text(r, 1)?.as_str() {
        "sent" => PushState::Sent {
            status: u16::try_from(integer(r, 2)?.unwrap_or(0)).unwrap_or(0),
            posts,
        },
        "failed" => PushState::Failed(text(r, 4)?.unwrap_or_default()),
        _ => PushState::Queued,
    })
}

/// The baked forms the app keeps, with their file names.
pub(crate) const FORMS: [(Form, &str); 4] = [
    (Form::Ob3DataIntegrity, "ob3.png"),
    (Form::Ob3Jwt, "ob3-jwt.png"),
    (Form::Ob2Hosted, "ob2.png"),
    (Form::Ob2Signed, "ob2-signed.png"),
];

/// A plausible email address: one `@`, something either side, no spaces or controls.
fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && e.len() <= MAX_EMAIL
        && !e
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>\"'".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(valid_email("learner@example.org"));
        for bad in [
            "",
            "a",
            "@x.org",
            "a@",
            "a@b",
            "a b@x.org",
            "a@x.org<",
            "a@@x.org",
            "a@.org",
        ] {
            assert!(!valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn tokens() {
        let t = token().unwrap();
        assert!(is_token(&t));
        assert!(!is_token("../../etc/passwd"));
        assert!(!is_token(&t.to_uppercase()));
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("http://127.0.0.1:8101/"), "http://127.0.0.1:8101");
        assert_eq!(origin_of("https://x.org/a/"), "https://x.org");
    }
}
