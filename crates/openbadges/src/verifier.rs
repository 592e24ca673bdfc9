//! The verifying side: [`Verifier`] takes any input (JSON, compact JWS, VC-JWT, baked PNG or
//! SVG, or a URL) and returns the proof crate's [`Report`].
//!
//! It owns what the proof crate's engine borrows (the document loader, the clock, the
//! recipient profile), so it can be built once and shared. Documents come from, in order:
//! the preloaded documents (including bundled JSON-LD contexts), then — only with the `http`
//! feature and unless [`VerifierBuilder::offline`] is set — the guarded HTTP loader, which
//! refuses private and loopback addresses unless a host is allowed with
//! [`VerifierBuilder::allow_host`].

use std::fmt;

use openbadges_model::Limits;
use openbadges_proof::key::PublicKey;
use openbadges_proof::loader::{CachingLoader, DocumentLoader, StaticLoader};
use openbadges_proof::report::{Code, Report};
use openbadges_proof::vc_jwt::KeyPolicy;
use openbadges_proof::verify::{
    Clock, FixedClock, RecipientProfile, SchemaRegistry, Source, SystemClock,
};

#[cfg(feature = "bake")]
use crate::issuer::HostedDocument;

/// Builds a [`Verifier`].
#[derive(Debug, Clone)]
pub struct VerifierBuilder {
    docs: StaticLoader,
    offline: bool,
    allow_hosts: Vec<String>,
    at: Option<FixedClock>,
    recipient: RecipientProfile,
    limits: Limits,
    threads: usize,
    key_policy: KeyPolicy,
    presentation: PresentationExpectations,
    schemas: SchemaRegistry,
}

/// What a VerifiablePresentation's proof must carry (the verifier's nonce and audience).
#[derive(Debug, Clone, Default)]
struct PresentationExpectations {
    challenge: Option<String>,
    domain: Option<String>,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        VerifierBuilder {
            docs: StaticLoader::with_bundled_contexts(),
            offline: false,
            allow_hosts: Vec::new(),
            at: None,
            recipient: RecipientProfile::new(),
            limits: Limits::default(),
            threads: 4,
            key_policy: KeyPolicy::default(),
            presentation: PresentationExpectations::default(),
            schemas: SchemaRegistry::new(),
        }
    }
}

impl VerifierBuilder {
    /// Checks the badge's recipient against `profile` (e.g. `"email:a@example.org".parse()?`).
    pub fn recipient(mut self, profile: RecipientProfile) -> Self {
        self.recipient = profile;
        self
    }

    /// Verifies as of `clock` instead of now (expiry, issued-in-the-future).
    pub fn at(mut self, clock: FixedClock) -> Self {
        self.at = Some(clock);
        self
    }

    /// Never uses the network: only preloaded documents (without the `http` feature the
    /// verifier is always offline).
    pub fn offline(mut self, yes: bool) -> Self {
        self.offline = yes;
        self
    }

    /// Lets the HTTP loader reach `host:port` even though it resolves to a private or loopback
    /// address (a local issuer under test).
    pub fn allow_host(mut self, host_port: impl Into<String>) -> Self {
        self.allow_hosts.push(host_port.into());
        self
    }

    /// Preloads a document served at `url`.
    pub fn document(mut self, url: &str, content_type: Option<&str>, body: &[u8]) -> Self {
        self.docs.insert(url, content_type, body);
        self
    }

    /// Preloads every document an [`crate::Issuer`] hosts (what `Issued::hosted`,
    /// `Issuer::hosted_documents` and `Issuer::revoke` return).
    #[cfg(feature = "bake")]
    pub fn hosted(mut self, docs: &[HostedDocument]) -> Self {
        for d in docs {
            self.docs.insert(&d.url, Some(&d.content_type), &d.body);
        }
        self
    }

    /// Makes `url` answer `410 Gone` (a revoked hosted assertion; see
    /// `Revocation::gone`).
    pub fn gone(mut self, url: &str) -> Self {
        self.docs.insert_gone(url);
        self
    }

    /// Pins `key` for VC-JWT: a token it signed is bound to its issuer whatever its header
    /// says (the caller vouches for the key). Repeatable.
    pub fn trusted_key(mut self, key: PublicKey) -> Self {
        self.key_policy.pinned.push(key);
        self
    }

    /// DANGEROUS: accepts a VC-JWT whose header `jwk` nothing binds to the issuer (no JWKS,
    /// DID document or pinned key). Anyone can then sign in any issuer's name. Testing only.
    pub fn dangerous_accept_unbound_header_jwk(mut self, yes: bool) -> Self {
        self.key_policy.dangerous_accept_unbound_header_jwk = yes;
        self
    }

    /// DANGEROUS: takes the key of a Data Integrity `https://…#z6Mk…` verification method from
    /// its fragment, without the issuer's (or holder's) controller document — the 1EdTech
    /// validator's shortcut. Anyone can then sign in the name of any `https` issuer with a key
    /// of their own. By default the controller document (preloaded with
    /// [`VerifierBuilder::document`] / [`VerifierBuilder::hosted`], or fetched) must list the
    /// method under `assertionMethod`, and without it the result is indeterminate. Testing
    /// and interop comparisons only.
    pub fn dangerous_trust_key_in_https_fragment(mut self, yes: bool) -> Self {
        self.key_policy.dangerous_trust_key_in_https_fragment = yes;
        self
    }

    /// Requires a VerifiablePresentation's proof to carry this `challenge` (the nonce the
    /// verifier gave the holder); a different or missing one, or an unsigned presentation, is
    /// invalid. Credentials are not affected.
    pub fn presentation_challenge(mut self, challenge: impl Into<String>) -> Self {
        self.presentation.challenge = Some(challenge.into());
        self
    }

    /// Requires a VerifiablePresentation's proof to carry this `domain` (the verifier's
    /// audience), as [`VerifierBuilder::presentation_challenge`] does for the challenge.
    pub fn presentation_domain(mut self, domain: impl Into<String>) -> Self {
        self.presentation.domain = Some(domain.into());
        self
    }

    /// Validates each `credentialSchema` a credential names against the schema `schemas` has
    /// for its URL (a violation is `SCHEMA_INVALID`); one it does not have is reported as a
    /// skipped `credential-schema` check. No schema is bundled and none is ever fetched: give
    /// the official 1EdTech schemas here (e.g. [`SchemaRegistry::from_dir`]) to check them.
    pub fn schemas(mut self, schemas: SchemaRegistry) -> Self {
        self.schemas = schemas;
        self
    }

    /// Limits for every JSON document read.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Threads for [`Verifier::verify_batch`] (default 4, at least 1).
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n.max(1);
        self
    }

    /// Builds the verifier.
    ///
    /// # Errors
    /// With the `http` feature: `Error::HttpLoader` (its source is the loader's error) when
    /// the HTTP client cannot be built or an allowed host is refused.
    pub fn build(self) -> Result<Verifier, crate::Error> {
        let loader: Box<dyn DocumentLoader> = self.loader()?;
        let clock: Box<dyn Clock> = match self.at {
            Some(c) => Box::new(c),
            None => Box::new(SystemClock),
        };
        Ok(Verifier {
            loader,
            clock,
            recipient: self.recipient,
            limits: self.limits,
            threads: self.threads,
            key_policy: self.key_policy,
            presentation: self.presentation,
            schemas: self.schemas,
        })
    }

    #[cfg(feature = "http")]
    fn loader(&self) -> Result<Box<dyn DocumentLoader>, crate::Error> {
        use openbadges_proof::loader::{HttpLoader, Layered};
        if self.offline {
            return Ok(Box::new(self.docs.clone()));
        }
        let mut http = HttpLoader::new().map_err(|source| crate::Error::HttpLoader {
            context: "the HTTP loader cannot be built".into(),
            source,
        })?;
        for h in &self.allow_hosts {
            http = http
                .allow_host(h)
                .map_err(|source| crate::Error::HttpLoader {
                    context: format!("allowed host {h:?}"),
                    source,
                })?;
        }
        Ok(Box::new(Layered {
            first: self.docs.clone(),
            then: http,
        }))
    }

    #[cfg(not(feature = "http"))]
    fn loader(&self) -> Result<Box<dyn DocumentLoader>, crate::Error> {
        let _ = (&self.allow_hosts, self.offline);
        Ok(Box::new(self.docs.clone()))
    }
}

/// Verifies badges of every version and form into a [`Report`] (valid, invalid or
/// indeterminate, with stable codes). `Sync`: share one across threads.
pub struct Verifier {
    loader: Box<dyn DocumentLoader>,
    clock: Box<dyn Clock>,
    recipient: RecipientProfile,
    limits: Limits,
    threads: usize,
    key_policy: KeyPolicy,
    presentation: PresentationExpectations,
    schemas: SchemaRegistry,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("recipient", &self.recipient)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A builder (offline unless the `http` feature is on; system clock; no recipient check).
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    fn engine<'a>(
        &'a self,
        loader: &'a dyn DocumentLoader,
        recipient: &RecipientProfile,
    ) -> openbadges_proof::verify::Verifier<'a> {
        let mut engine = openbadges_proof::verify::Verifier::new(loader)
            .with_clock(&*self.clock)
            .with_recipient(recipient.clone())
            .with_limits(self.limits)
            .with_key_policy(self.key_policy.clone())
            .with_schemas(&self.schemas);
        if let Some(c) = &self.presentation.challenge {
            engine = engine.with_presentation_challenge(c.clone());
        }
        if let Some(d) = &self.presentation.domain {
            engine = engine.with_presentation_domain(d.clone());
        }
        engine
    }

    /// Verifies input bytes of any kind: JSON, compact JWS, VC-JWT, a baked PNG or SVG, or a
    /// URL given as text. `name` is what the report calls the input (a file name).
    pub fn verify_bytes(&self, name: &str, bytes: &[u8]) -> Report {
        self.engine(&*self.loader, &self.recipient)
            .verify_bytes(name, bytes)
    }

    /// As [`Verifier::verify_bytes`], checking the recipient against `recipient` instead of
    /// the builder's profile.
    pub fn verify_bytes_for(
        &self,
        name: &str,
        bytes: &[u8],
        recipient: &RecipientProfile,
    ) -> Report {
        self.engine(&*self.loader, recipient)
            .verify_bytes(name, bytes)
    }

    /// Verifies the hosted badge at `url`.
    pub fn verify_url(&self, url: &str) -> Report {
        self.engine(&*self.loader, &self.recipient).verify_url(url)
    }

    /// Verifies many inputs on the builder's number of threads, reports in input order. Each
    /// shared document (issuer, badge class, key, list) is loaded once per batch.
    pub fn verify_batch(&self, sources: &[Source]) -> Vec<Report> {
        let cache = CachingLoader::new(&*self.loader);
        self.engine(&cache, &self.recipient)
            .verify_batch(sources, self.threads)
    }

    /// Whether `report` says the badge was revoked.
    pub fn is_revoked(report: &Report) -> bool {
        report.has_error(Code::Revoked)
    }
}
