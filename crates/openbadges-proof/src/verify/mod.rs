//! The verification engine: one [`Verifier`] for every input kind and version.
//!
//! A [`Verifier`] borrows a [`DocumentLoader`] (all I/O), a [`Clock`] (all time) and a
//! [`RecipientProfile`] (who the badge should belong to), and turns an input into a
//! [`Report`]. Open Badges 0.5–2.0 (hosted and signed) are handled by the OB 2.0 pipeline in
//! this module (legacy versions are upgraded through `openbadges_model::legacy` first). OB 3.0 /
//! CLR 2.0 inputs (JSON with a Data Integrity proof, VC-JWT, baked) go to the OB 3.0 pipeline
//! (see `docs/verification.md`).
//!
//! ```
//! use openbadges_proof::loader::{CachingLoader, StaticLoader};
//! use openbadges_proof::verify::{FixedClock, RecipientProfile, Verifier};
//! use openbadges_proof::report::Status;
//!
//! let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ob2/served/");
//! // Serve the issuer's documents from memory (offline):
//! let mut docs = StaticLoader::with_bundled_contexts();
//! for f in ["badgeclass.json", "issuer.json", "key.json", "revocations.json"] {
//!     docs.insert(&format!("http://127.0.0.1:8765/{f}"), Some("application/json"),
//!                 &std::fs::read(format!("{fixtures}{f}"))?);
//! }
//! let loader = CachingLoader::new(docs);
//! let clock = FixedClock::parse("2025-06-01T00:00:00Z")?;
//! let verifier = Verifier::new(&loader)
//!     .with_clock(&clock)
//!     .with_recipient("email:student@example.org".parse::<RecipientProfile>()?);
//! let report = verifier.verify_bytes("valid.jws", &std::fs::read(format!("{fixtures}signed/valid.jws"))?);
//! assert_eq!(report.status(), Status::Valid, "{report:#?}");
//! assert_eq!(report.proof.as_deref(), Some("jws"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use openbadges_model::{Identity, IdentityKind, Limits};

use crate::Error;
use crate::input::{self, Payload};
use crate::loader::DocumentLoader;
use crate::report::{Code, Report};

mod credential_schema;
mod ob2;
mod ob3;
mod presentation;
mod verdict;

pub use credential_schema::{JSON_SCHEMA_TYPES, MAX_LISTED, SchemaError, SchemaRegistry};

/// The source of "now" for time-dependent rules (expiry, issued-in-the-future).
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock stopped at one instant (`--at`, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedClock(pub DateTime<Utc>);

impl FixedClock {
    /// Parses an RFC 3339 instant.
    ///
    /// # Errors
    /// [`Error::Json`] naming the bad value (the error type has no better variant).
    pub fn parse(s: &str) -> Result<Self, Error> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| FixedClock(t.with_timezone(&Utc)))
            .map_err(|e| Error::json_caused(format!("`{s}` is not an RFC 3339 date-time: {e}"), e))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

static SYSTEM_CLOCK: SystemClock = SystemClock;

/// The identities a badge may be issued to: the recipient check passes when the badge's
/// recipient matches any of them. Empty: the recipient check is skipped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecipientProfile {
    identities: Vec<Identity>,
}

impl RecipientProfile {
    /// An empty profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an identity of a kind.
    pub fn with(self, kind: IdentityKind, value: impl Into<String>) -> Self {
        self.identity(Identity::new(kind, value))
    }

    /// Adds an identity (parse one from the CLI's `TYPE:VALUE` with [`Identity::parse`]).
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identities.push(identity);
        self
    }

    /// Adds an email address.
    pub fn email(self, v: impl Into<String>) -> Self {
        self.with(IdentityKind::Email, v)
    }

    /// Adds a URL.
    pub fn url(self, v: impl Into<String>) -> Self {
        self.with(IdentityKind::Url, v)
    }

    /// Adds a telephone number.
    pub fn telephone(self, v: impl Into<String>) -> Self {
        self.with(IdentityKind::Telephone, v)
    }

    /// Adds an IRI / DID.
    pub fn id(self, v: impl Into<String>) -> Self {
        self.with(IdentityKind::Did, v)
    }

    /// Merges another profile in.
    pub fn extend(&mut self, other: RecipientProfile) {
        self.identities.extend(other.identities);
    }

    /// The identities.
    pub fn identities(&self) -> &[Identity] {
        &self.identities
    }

    /// Whether it has no identity.
    pub fn is_empty(&self) -> bool {
        self.identities.is_empty()
    }
}

impl FromStr for RecipientProfile {
    type Err = openbadges_model::Error;

    /// A profile of one identity written `TYPE:VALUE` (the CLI's `--recipient`), read by
    /// [`Identity::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(RecipientProfile::new().identity(Identity::parse(s)?))
    }
}

/// One input of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Bytes (a file's content), with the name to report.
    Bytes {
        /// The name to report (a path).
        name: String,
        /// The content.
        bytes: Vec<u8>,
    },
    /// A URL to verify as a hosted assertion.
    Url(String),
}

/// Verifies badges. Cheap to build; share one across threads (`Sync`).
#[derive(Clone)]
pub struct Verifier<'a> {
    pub(crate) loader: &'a dyn DocumentLoader,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) recipient: RecipientProfile,
    pub(crate) limits: Limits,
    pub(crate) max_endorsements: usize,
    pub(crate) key_policy: crate::vc_jwt::KeyPolicy,
    pub(crate) challenge: Option<String>,
    pub(crate) domain: Option<String>,
    pub(crate) schemas: &'a SchemaRegistry,
    /// Processed JSON-LD contexts, shared by every document (and thread, and clone) this
    /// verifier verifies.
    pub(crate) contexts: std::sync::Arc<crate::jsonld::ContextCache>,
}

impl std::fmt::Debug for Verifier<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("recipient", &self.recipient)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl<'a> Verifier<'a> {
    /// A verifier that loads documents through `loader`, with the system clock, no recipient
    /// profile and default limits.
    pub fn new(loader: &'a dyn DocumentLoader) -> Self {
        Verifier {
            loader,
            clock: &SYSTEM_CLOCK,
            recipient: RecipientProfile::new(),
            limits: Limits::default(),
            max_endorsements: 8,
            key_policy: crate::vc_jwt::KeyPolicy::default(),
            challenge: None,
            domain: None,
            schemas: &credential_schema::EMPTY,
            contexts: std::sync::Arc::default(),
        }
    }

    /// Validates each `credentialSchema` a credential names against the schema `schemas` has
    /// for its URL (`SCHEMA_INVALID` on a violation); one it does not have is a skipped
    /// `credential-schema` check naming the URL. None is bundled and none is ever fetched.
    pub fn with_schemas(mut self, schemas: &'a SchemaRegistry) -> Self {
        self.schemas = schemas;
        self
    }

    /// Shares `cache` of processed JSON-LD contexts with other verifiers (by default each
    /// verifier has its own, shared only by its clones). Give one cache only to verifiers
    /// whose loaders serve the same documents under the same URLs.
    pub fn with_context_cache(
        mut self,
        cache: std::sync::Arc<crate::jsonld::ContextCache>,
    ) -> Self {
        self.contexts = cache;
        self
    }

    /// Uses `clock` for "now".
    pub fn with_clock(mut self, clock: &'a dyn Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Checks the recipient against `profile`.
    pub fn with_recipient(mut self, profile: RecipientProfile) -> Self {
        self.recipient = profile;
        self
    }

    /// Uses `limits` for every JSON document read.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Verifies at most `n` endorsements per badge (default 8; 0 disables endorsement checks).
    pub fn with_max_endorsements(mut self, n: usize) -> Self {
        self.max_endorsements = n;
        self
    }

    /// Uses `policy` for VC-JWT keys (pinned keys; the dangerous unbound-`jwk` option).
    pub fn with_key_policy(mut self, policy: crate::vc_jwt::KeyPolicy) -> Self {
        self.key_policy = policy;
        self
    }

    /// Requires a VerifiablePresentation's proof to carry this `challenge` (the nonce the
    /// verifier gave the holder): a different or missing one, or an unsigned presentation, is
    /// invalid (`CHALLENGE_MISMATCH`). Credentials are not affected.
    pub fn with_presentation_challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }

    /// Requires a VerifiablePresentation's proof to carry this `domain` (`DOMAIN_MISMATCH`
    /// otherwise, as for [`Self::with_presentation_challenge`]).
    pub fn with_presentation_domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// Verifies raw input bytes of any kind (JSON, compact JWS, baked PNG/SVG, a URL as text).
    pub fn verify_bytes(&self, name: &str, bytes: &[u8]) -> Report {
        let mut r = Report::new(name);
        match input::unpack(bytes, &self.limits) {
            Ok(inp) => {
                for (code, msg) in &inp.warnings {
                    r.warning(Code::ImageWarning, format!("{code}: {msg}"), None);
                }
                r.pass(
                    "detect-input",
                    format!("input is {}", inp.kind.as_str()),
                    None,
                );
                self.verify_payload(&mut r, inp.payload);
            }
            Err(e) => {
                let code = match &e {
                    Error::Json { .. } => Code::MalformedJson,
                    Error::MalformedJws { .. } => Code::MalformedJws,
                    Error::NoBakedBadge => Code::NoBakedBadge,
                    Error::InvalidImage { .. } => Code::ImageInvalid,
                    Error::TooLarge { .. } | Error::UnsupportedInput(_) => Code::Unsupported,
                    _ => Code::InputUnrecognized,
                };
                r.fail("detect-input", code, e.to_string(), None);
            }
        }
        r
    }

    /// Verifies the hosted assertion at `url`.
    pub fn verify_url(&self, url: &str) -> Report {
        let mut r = Report::new(url);
        self.verify_payload(&mut r, Payload::Url(url.to_string()));
        r
    }

    /// Verifies an already unpacked payload into `report`.
    pub fn verify_payload(&self, report: &mut Report, payload: Payload) {
        match payload {
            Payload::Json(doc) if presentation::is_presentation(&doc) => {
                presentation::verify(&ob3::Pipeline::new(self), report, &doc);
            }
            Payload::Jws(j) if presentation::is_presentation_jwt(&j) => {
                report.fail(
                    "detect-input",
                    Code::Unsupported,
                    "a VP-JWT (enveloped presentation) is not verified: present the credentials \
                     in a VerifiablePresentation secured with a Data Integrity proof",
                    None,
                );
            }
            Payload::Json(doc) if ob3::is_ob3(&doc) => ob3::Pipeline::new(self).json(report, &doc),
            Payload::Jws(j) if crate::vc_jwt::VcJwt::looks_like_vc(&j) => {
                ob3::Pipeline::new(self).jwt(report, j);
            }
            other => ob2::Pipeline { v: self }.payload(report, other),
        }
    }

    /// Verifies many inputs concurrently on `threads` OS threads (at least 1), returning the
    /// reports in input order. Give the verifier a [`crate::loader::CachingLoader`] so that
    /// shared documents (issuer, badge class, key, revocation list) are fetched once per batch.
    pub fn verify_batch(&self, sources: &[Source], threads: usize) -> Vec<Report> {
        let mut out = Vec::with_capacity(sources.len());
        in_input_order(
            sources.len(),
            threads,
            |i| match sources.get(i) {
                Some(src) => self.verify_source(src),
                None => thread_failed(format!("input {i}")),
            },
            |_, r| out.push(r),
        );
        out
    }

    /// Verifies `count` inputs concurrently on `threads` OS threads (at least 1, the calling
    /// thread one of them), as [`Verifier::verify_batch`] does, streaming: each worker takes the
    /// next input from `input(i)` itself (so reading files runs in parallel too; an input that
    /// cannot be had is its `Err` report), and `each(i, report)` runs on the calling thread in
    /// input order as soon as a report and every report before it are done.
    pub fn verify_each(
        &self,
        count: usize,
        threads: usize,
        input: impl Fn(usize) -> Result<Source, Box<Report>> + Sync,
        each: impl FnMut(usize, Report),
    ) {
        in_input_order(
            count,
            threads,
            |i| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| input(i))) {
                Ok(Ok(src)) => self.verify_source(&src),
                Ok(Err(report)) => *report,
                Err(_) => thread_failed(format!("input {i}")),
            },
            each,
        );
    }

    /// Verifies `src`; a verification that panics (a bug) is reported, not lost.
    fn verify_source(&self, src: &Source) -> Report {
        let (name, verified) = match src {
            Source::Bytes { name, bytes } => (
                name,
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    self.verify_bytes(name, bytes)
                })),
            ),
            Source::Url(u) => (
                u,
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.verify_url(u))),
            ),
        };
        verified.unwrap_or_else(|_| thread_failed(name.clone()))
    }
}

/// The report of an input whose verification panicked (a bug, reported rather than lost).
fn thread_failed(name: String) -> Report {
    let mut r = Report::new(name);
    r.error(Code::Unsupported, "verification thread failed", None);
    r
}

/// Runs `work(i)` for every `i < count` on `threads` threads (at least 1) and calls
/// `each(i, result)` on the calling thread in order of `i`, as soon as a result and every one
/// before it are done. The calling thread is one of the `threads`: it verifies too, and between
/// two of its own inputs hands over what the others finished (so it never sleeps waiting for
/// them until the end, and no thread is woken per report). Every thread takes the next index
/// from one atomic counter, so a slow input never leaves a thread idle while others remain.
fn in_input_order(
    count: usize,
    threads: usize,
    work: impl Fn(usize) -> Report + Sync,
    mut each: impl FnMut(usize, Report),
) {
    let threads = threads.clamp(1, count.max(1));
    let next = AtomicUsize::new(0);
    let take = || {
        let i = next.fetch_add(1, Ordering::Relaxed);
        (i < count).then_some(i)
    };
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Report)>();
    // Reports that arrived ahead of their turn wait here (a few per thread at most).
    let mut early = std::collections::BTreeMap::new();
    let mut due = 0;
    let mut hand_over = |early: &mut std::collections::BTreeMap<usize, Report>| {
        while let Some(r) = early.remove(&due) {
            each(due, r);
            due += 1;
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            let tx = tx.clone();
            let (take, work) = (&take, &work);
            s.spawn(move || {
                while let Some(i) = take() {
                    // The receiver lives until every worker is done.
                    let _ = tx.send((i, work(i)));
                }
            });
        }
        drop(tx);
        while let Some(i) = take() {
            early.insert(i, work(i));
            early.extend(rx.try_iter());
            hand_over(&mut early);
        }
        for (i, r) in rx {
            early.insert(i, r);
            hand_over(&mut early);
        }
    });
}

#[cfg(test)]
mod batch_tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]
    use super::*;

    #[test]
    fn results_come_in_input_order_whatever_finishes_first() {
        for threads in [1, 2, 3, 8] {
            let mut seen = Vec::new();
            in_input_order(
                20,
                threads,
                |i| {
                    // Early inputs are the slowest: later ones finish first.
                    std::thread::sleep(std::time::Duration::from_millis(((20 - i) % 4) as u64));
                    Report::new(format!("input {i}"))
                },
                |i, r| seen.push((i, r.input)),
            );
            let expected: Vec<_> = (0..20).map(|i| (i, format!("input {i}"))).collect();
            assert_eq!(seen, expected, "{threads} threads");
        }
    }

    #[test]
    fn a_verification_that_panics_is_reported_and_the_batch_goes_on() {
        let loader = crate::loader::StaticLoader::new();
        let v = Verifier::new(&loader);
        let mut seen = Vec::new();
        v.verify_each(
            3,
            2,
            |i| {
                assert!(i != 1, "boom");
                Ok(Source::Bytes {
                    name: format!("in{i}"),
                    bytes: b"{}".to_vec(),
                })
            },
            |_, r| seen.push((r.input.clone(), r.errors.len())),
        );
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0].0, "in0");
        assert_eq!(seen[1].0, "input 1");
        assert_eq!(seen[2].0, "in2");
    }
}
