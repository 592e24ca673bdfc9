//! The app's state: the quiz, the issuer, attempts and the hosted documents, kept in the data
//! directory so a restart keeps everything.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use openbadges::model::Identity;
use openbadges::proof::key::{Algorithm, SecretKey};
use openbadges::quiz::evidence::EvidenceOptions;
use openbadges::quiz::{Attempt, AttemptRecord, Format, Limits, Quiz, Response, load};
use openbadges::{Badge, Evidence, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile};
use serde::{Deserialize, Serialize};

use crate::{AppError, Config, Policy};

/// The badge image (embedded: nothing to install).
pub(crate) const BADGE_PNG: &[u8] = include_bytes!("../assets/badge.png");
/// The SVG badge image the OB 3.0 credential is also baked into.
const BADGE_SVG: &[u8] = include_bytes!("../assets/badge.svg");
/// File name of the SVG alternative.
pub(crate) const SVG_NAME: &str = "ob3.svg";
/// The badge's slug, name and description (as on the original page).
const SLUG: &str = "badges-101";
const NAME: &str = "Badges 101";
const DESCRIPTION: &str = "You really get badges!";
/// Largest accepted email address (RFC 5321 path limit).
const MAX_EMAIL: usize = 254;

/// One learner's attempt, stored server-side under an unguessable token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AttemptFile {
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
    #[serde(default)]
    pub(crate) email: Option<String>,
}

/// A hosted document.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    pub(crate) content_type: String,
    pub(crate) body: Vec<u8>,
}

/// What a hosted path answers.
#[derive(Debug)]
pub(crate) enum Hosted<'a> {
    Found(&'a Doc),
    Gone,
    NotFound,
}

/// Why an operation on an attempt was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// No such attempt (404).
    UnknownAttempt,
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

/// The app: quiz, issuer, attempts, hosted documents.
#[derive(Debug)]
pub struct App {
    pub(crate) quiz: Quiz,
    issuer: Issuer,
    data_dir: PathBuf,
    origin: String,
    site: HashMap<String, Doc>,
    gone: HashSet<String>,
    attempts: HashMap<String, AttemptFile>,
    pusher: Option<crate::pack::Pusher>,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
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

/// Whether `t` looks like one of our tokens (so it is safe as a file name).
pub(crate) fn is_token(t: &str) -> bool {
    t.len() == 32
        && t.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn content_type_for(path: &str) -> &'static str {
    if path.ends_with(".png") {
        "image/png"
    } else if path.ends_with(".svg") {
        "image/svg+xml"
    } else {
        "application/json"
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredProfile {
    name: String,
    email: String,
}

fn read_or_create(
    path: &Path,
    create: impl FnOnce() -> Result<Vec<u8>, AppError>,
) -> Result<Vec<u8>, AppError> {
    match std::fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let b = create()?;
            write_atomic(path, &b)?;
            Ok(b)
        }
        Err(e) => Err(e.into()),
    }
}

/// Makes a secret file readable by its owner only (Unix).
fn restrict(path: &Path) -> Result<(), AppError> {
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

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
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

impl App {
    /// Opens (creating on first start) the data directory: issuer profile, keys, state,
    /// attempts and hosted documents, for an app served at `base_url`.
    ///
    /// # Errors
    /// [`AppError`] on I/O, key or issuer errors.
    pub fn open(config: &Config, base_url: &str) -> Result<App, AppError> {
        let dir = config.data_dir.clone();
        std::fs::create_dir_all(dir.join("attempts"))?;
        // Keys: a directory only the owner can enter, files only the owner can read.
        std::fs::create_dir_all(dir.join("keys"))?;
        restrict(&dir.join("keys"))?;
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
        let profile: StoredProfile =
            serde_json::from_slice(&read_or_create(&dir.join("issuer-profile.json"), || {
                Ok(serde_json::to_vec_pretty(&StoredProfile {
                    name: "Open Badges — Badges 101".into(),
                    email: "badges101@example.org".into(),
                })?)
            })?)?;
        let seed_hex = read_or_create(&dir.join("keys/ed25519.seed"), || {
            use ring::rand::SecureRandom as _;
            let mut s = [0u8; 32];
            ring::rand::SystemRandom::new()
                .fill(&mut s)
                .map_err(|_| AppError::new("no randomness"))?;
            Ok(hex::encode(s).into_bytes())
        })?;
        restrict(&dir.join("keys/ed25519.seed"))?;
        let seed: [u8; 32] = hex::decode(String::from_utf8_lossy(&seed_hex).trim())
            .ok()
            .and_then(|v| v.try_into().ok())
            .ok_or_else(|| AppError::new("keys/ed25519.seed is not 32 hex bytes"))?;
        let pem = |name: &str| -> Result<SecretKey, AppError> {
            let bytes = read_or_create(&dir.join("keys").join(name), || {
                let k = SecretKey::generate(Algorithm::Es256)
                    .map_err(|e| AppError::new(format!("key: {e}")))?;
                Ok(k.to_pkcs8_pem().as_bytes().to_vec())
            })?;
            restrict(&dir.join("keys").join(name))?;
            SecretKey::from_pem(&String::from_utf8_lossy(&bytes))
                .map_err(|e| AppError::new(format!("keys/{name}: {e}")))
        };
        let keys = IssuerKeys::new()
            .ed25519_seed(&seed)?
            .jws_key(pem("jws-es256.pem")?)
            .vc_jwt_key(pem("vc-jwt-es256.pem")?);
        // The issuer's badges, status indexes and revocations: one SQLite file.
        let store = openbadges::store::open(&format!("sqlite:{}", dir.join("issuer.db").display()))
            .map_err(|e| AppError::new(format!("issuer store: {e}")))?;
        let issuer = Issuer::open_with_keys(
            base_url,
            IssuerProfile::new(profile.name, profile.email).url(base_url),
            store,
            keys,
        )?;
        let mut app = App {
            quiz,
            origin: origin_of(issuer.base_url()),
            issuer,
            site: HashMap::new(),
            gone: HashSet::new(),
            attempts: HashMap::new(),
            data_dir: dir,
            pusher: None,
        };
        app.load_site()?;
        let docs = app.issuer.hosted_documents()?;
        app.host(&docs)?;
        for url in app.issuer.gone_urls()? {
            let p = app.request_path(&url);
            app.gone.insert(p);
        }
        Ok(app)
    }

    /// Sends every badge issued from now on to the backpack through `pusher`.
    pub(crate) fn set_pusher(&mut self, pusher: crate::pack::Pusher) {
        self.pusher = Some(pusher);
    }

    /// The push jobs of badges issued in an earlier run that the backpack does not hold
    /// (`held`: the credential ids it holds), e.g. after a stop with pushes still queued.
    pub(crate) fn unpushed(
        &self,
        held: &HashSet<String>,
    ) -> Result<Vec<crate::pack::PushJob>, AppError> {
        let mut jobs = Vec::new();
        let Ok(rd) = std::fs::read_dir(self.data_dir.join("attempts")) else {
            return Ok(jobs);
        };
        for e in rd {
            let p = e?.path();
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            let Ok(a) = serde_json::from_slice::<AttemptFile>(&bytes) else {
                continue;
            };
            let (Some(uuid), Some(email)) = (a.issued, a.email) else {
                continue;
            };
            if held.contains(&format!("urn:uuid:{uuid}")) {
                continue;
            }
            let png = self.data_dir.join("badges").join(&uuid).join("ob3.png");
            let Ok(png) = std::fs::read(png) else {
                continue;
            };
            if let Ok(x) = openbadges::bake::extract(&png) {
                jobs.push(crate::pack::PushJob {
                    uuid,
                    email,
                    credential: x.payload,
                });
            }
        }
        jobs.sort_by(|a, b| a.uuid.cmp(&b.uuid));
        Ok(jobs)
    }

    /// Stops queuing pushes (shutting down): the pusher ends once its queue is done.
    pub(crate) fn take_pusher(&mut self) {
        self.pusher = None;
    }

    /// The push state of a badge (`None` when no push was queued in this run).
    pub(crate) fn push_state(&self, uuid: &str) -> Option<crate::pack::PushState> {
        self.pusher.as_ref().and_then(|p| p.state(uuid))
    }

    /// The origin (`scheme://host[:port]`) of the base URL.
    pub(crate) fn origin(&self) -> &str {
        &self.origin
    }

    /// The base URL badges are issued under.
    pub fn base_url(&self) -> &str {
        self.issuer.base_url()
    }

    fn request_path(&self, url: &str) -> String {
        let p = url.strip_prefix(&self.origin).unwrap_or(url);
        if p.starts_with('/') {
            p.to_owned()
        } else {
            format!("/{p}")
        }
    }

    fn load_site(&mut self) -> Result<(), AppError> {
        let root = self.data_dir.join("site");
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in rd {
                let p = e?.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Ok(rel) = p.strip_prefix(&root) {
                    let key = format!("/{}", rel.to_string_lossy().replace('\\', "/"));
                    let body = std::fs::read(&p)?;
                    self.site.insert(
                        key.clone(),
                        Doc {
                            content_type: content_type_for(&key).into(),
                            body,
                        },
                    );
                }
            }
        }
        Ok(())
    }

    fn host(&mut self, docs: &[openbadges::HostedDocument]) -> Result<(), AppError> {
        for d in docs {
            let key = self.request_path(&d.url);
            let rel = key.trim_start_matches('/');
            if rel
                .split('/')
                .any(|s| s.is_empty() || s == "." || s == "..")
            {
                return Err(AppError::new(format!("refusing to host {key:?}")));
            }
            write_atomic(&self.data_dir.join("site").join(rel), &d.body)?;
            self.site.insert(
                key,
                Doc {
                    content_type: d.content_type.clone(),
                    body: d.body.clone(),
                },
            );
        }
        Ok(())
    }

    /// What a request path answers among the hosted documents.
    pub(crate) fn hosted(&self, path: &str) -> Hosted<'_> {
        if self.gone.contains(path) {
            return Hosted::Gone;
        }
        self.site.get(path).map_or(Hosted::NotFound, Hosted::Found)
    }

    fn save_attempt(&self, tok: &str, a: &AttemptFile) -> Result<(), AppError> {
        write_atomic(
            &self.data_dir.join("attempts").join(format!("{tok}.json")),
            &serde_json::to_vec(a)?,
        )
    }

    /// Starts a new attempt; returns its token.
    pub(crate) fn new_attempt(&mut self) -> Result<String, AppError> {
        let tok = token()?;
        let seed = u64::from_str_radix(tok.get(..16).unwrap_or("0"), 16).unwrap_or(0);
        let attempt = Attempt::start(&self.quiz, seed, now(), 0)
            .map_err(|e| AppError::new(format!("quiz: {e}")))?;
        let a = AttemptFile {
            attempt,
            public_id: token()?,
            record: None,
            issued: None,
            email: None,
        };
        self.save_attempt(&tok, &a)?;
        self.attempts.insert(tok.clone(), a);
        Ok(tok)
    }

    /// The attempt with this token (from memory, else from disk).
    pub(crate) fn attempt(&mut self, tok: &str) -> Result<&AttemptFile, Refused> {
        if !is_token(tok) {
            return Err(Refused::UnknownAttempt);
        }
        if !self.attempts.contains_key(tok) {
            let p = self.data_dir.join("attempts").join(format!("{tok}.json"));
            let bytes = std::fs::read(p).map_err(|_| Refused::UnknownAttempt)?;
            let a: AttemptFile = serde_json::from_slice(&bytes)
                .map_err(|e| Refused::Internal(format!("attempt {tok}: {e}")))?;
            self.attempts.insert(tok.to_owned(), a);
        }
        self.attempts.get(tok).ok_or(Refused::UnknownAttempt)
    }

    /// Records an answer (graded by the quiz crate); returns whether it was right.
    pub(crate) fn answer(&mut self, tok: &str, item: &str, value: bool) -> Result<bool, Refused> {
        self.attempt(tok)?;
        let quiz = &self.quiz;
        let a = self.attempts.get_mut(tok).ok_or(Refused::UnknownAttempt)?;
        if quiz.item(item).is_none() {
            return Err(Refused::Bad(format!("unknown question {item:?}")));
        }
        if a.attempt.responses.contains_key(item) {
            return Err(Refused::Conflict(
                "this question is already answered".into(),
            ));
        }
        let fb = a
            .attempt
            .answer(quiz, item, Response::Bool(value), now())
            .map_err(|e| Refused::Conflict(e.to_string()))?;
        let a = a.clone();
        self.save_attempt(tok, &a)?;
        Ok(fb.correct)
    }

    /// Submits the attempt once every question is answered (idempotent); `None` while some
    /// question is unanswered.
    pub(crate) fn finish(&mut self, tok: &str) -> Result<Option<AttemptRecord>, Refused> {
        let a = self.attempt(tok)?.clone();
        if let Some(r) = &a.record {
            return Ok(Some(r.clone()));
        }
        let all = self
            .quiz
            .items()
            .all(|(_, i)| a.attempt.responses.contains_key(&i.id));
        if !all {
            return Ok(None);
        }
        let quiz = &self.quiz;
        let a = self.attempts.get_mut(tok).ok_or(Refused::UnknownAttempt)?;
        let record = a
            .attempt
            .submit(quiz, now())
            .map_err(|e| Refused::Internal(e.to_string()))?;
        a.record = Some(record.clone());
        let a = a.clone();
        self.save_attempt(tok, &a)?;
        // The record is the evidence: host it (no email in it).
        let url = format!("{}attempts/{}.json", self.base_url(), a.public_id);
        let key = self.request_path(&url);
        let body = record.to_json_pretty().into_bytes();
        write_atomic(
            &self.data_dir.join("site").join(key.trim_start_matches('/')),
            &body,
        )?;
        self.site.insert(
            key,
            Doc {
                content_type: "application/json".into(),
                body,
            },
        );
        Ok(Some(record))
    }

    /// Issues the badge of a passed attempt to `email`, exactly once; returns the badge UUID.
    pub(crate) fn issue(&mut self, tok: &str, email: &str) -> Result<String, Refused> {
        let email = email.trim();
        let a = self.attempt(tok)?.clone();
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
        let evidence = Evidence::from_attempt(
            &record,
            &EvidenceOptions {
                id: Some(format!("{}attempts/{}.json", self.base_url(), a.public_id)),
                audience: Some("Learners".into()),
            },
        )
        .map_err(|e| Refused::Internal(e.to_string()))?;
        let badge = Badge::new(SLUG, NAME, DESCRIPTION, record.criteria.clone())
            .image(BADGE_PNG)
            .criteria_url(format!("{}criteria", self.base_url()));
        let issued = self
            .issuer
            .issue(
                &Identity::email(email),
                &badge,
                &IssueOptions::new().vc_jwt(true).evidence(evidence),
            )
            .map_err(|e| Refused::Internal(e.to_string()))?;
        let dir = self.data_dir.join("badges").join(&issued.uuid);
        for (form, name) in FORMS {
            if let Some(b) = issued.baked(form) {
                write_atomic(&dir.join(name), &b.bytes)?;
            }
        }
        // The SVG alternative: the same OB 3.0 credential baked into the SVG badge.
        if let Some(c) = &issued.ob3_credential {
            let payload = serde_json::to_string(c).map_err(AppError::from)?;
            let svg = openbadges::bake::bake(
                BADGE_SVG,
                &payload,
                &openbadges::bake::BakeOptions::default(),
            )
            .map_err(|e| Refused::Internal(format!("bake SVG: {e}")))?;
            write_atomic(&dir.join(SVG_NAME), &svg)?;
        }
        self.host(&issued.hosted)?;
        let uuid = issued.uuid.clone();
        if let Some(f) = self.attempts.get_mut(tok) {
            f.issued = Some(uuid.clone());
            f.email = Some(email.to_owned());
        }
        let a = self.attempt(tok)?.clone();
        self.save_attempt(tok, &a)?;
        // "Send to backpack": the pusher POSTs the credential to the app's own OB 3.0 API, once.
        if let (Some(p), Some(c)) = (&self.pusher, &issued.ob3_credential) {
            p.queue(crate::pack::PushJob {
                uuid: uuid.clone(),
                email: email.to_owned(),
                credential: serde_json::to_string(c).map_err(AppError::from)?,
            });
        }
        Ok(uuid)
    }

    /// The baked image of an issued badge (`name` one of [`FORMS`]).
    pub(crate) fn baked(&mut self, tok: &str, name: &str) -> Result<Vec<u8>, Refused> {
        let a = self.attempt(tok)?;
        let Some(uuid) = a.issued.clone() else {
            return Err(Refused::Conflict("no badge issued yet".into()));
        };
        if name != SVG_NAME && !FORMS.iter().any(|(_, n)| *n == name) {
            return Err(Refused::UnknownAttempt);
        }
        std::fs::read(self.data_dir.join("badges").join(uuid).join(name))
            .map_err(|_| Refused::UnknownAttempt)
    }

    /// Revokes an issued badge (UUID, `urn:uuid:…` or hosted URL) in every form.
    ///
    /// # Errors
    /// [`AppError`] when the issuer refuses (unknown badge) or on I/O.
    pub fn revoke(&mut self, id: &str, reason: Option<&str>) -> Result<(), AppError> {
        let r = self.issuer.revoke(id, reason)?;
        self.host(&r.updated)?;
        for url in &r.gone {
            let p = self.request_path(url);
            self.gone.insert(p);
        }
        Ok(())
    }

    /// Issued badge UUIDs and whether each is revoked (empty when the issuer's store cannot
    /// be read).
    pub fn issued(&self) -> BTreeMap<String, bool> {
        self.issuer
            .issued_uuids()
            .unwrap_or_default()
            .into_iter()
            .map(|u| {
                let revoked = self.issuer.is_revoked(&u).unwrap_or(false);
                (u, revoked)
            })
            .collect()
    }
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
