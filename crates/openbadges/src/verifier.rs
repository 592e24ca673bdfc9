//! The verifying side: [`Verifier`] takes any input (JSON, compact JWS, VC-JWT, baked PNG or
//! SVG, or a URL) and returns the proof crate's [`Report`].
//!
//! It owns what the proof crate's engine borrows (the loaders, the clock, the recipient
//! profile) behind an [`Arc`]: build it once, clone it into every request handler and thread.
//! Documents come from, in order:
//!
//! 1. the preloaded documents ([`VerifierBuilder::document`], [`VerifierBuilder::hosted`],
//!    [`VerifierBuilder::gone`], and the bundled JSON-LD contexts);
//! 2. the shared document cache ([`VerifierBuilder::cache`]): what steps 3 and 4 loaded
//!    successfully, for a while;
//! 3. the caller's loader ([`VerifierBuilder::loader`]), if any;
//! 4. the network, only when the code asked for it with `VerifierBuilder::online` (cargo
//!    feature `http`): the guarded HTTP loader, which refuses private and loopback addresses
//!    unless a host is allowed in its `HttpLimits`.
//!
//! Without `online`, a verifier is offline whatever the cargo features.
//!
//! Sync callers use [`Verifier::verify_bytes`] and friends: they block the calling thread for
//! the whole verification (CPU work and, when online, the fetches). Async callers on tokio
//! (feature `tokio`) use `Verifier::verify_async` and friends: the verification runs on
//! tokio's blocking pool, and its fetches go through the async HTTP client, so no async worker
//! thread ever blocks and no blocking HTTP client is ever created on the async path.

use std::fmt;
use std::sync::Arc;

use openbadges_model::Limits;
use openbadges_proof::key::PublicKey;
use openbadges_proof::loader::{
    CacheLimits, CachedLoader, CachingLoader, Document, DocumentCache, DocumentLoader, Layered,
    LoadError, StaticLoader,
};
use openbadges_proof::report::{Code, Report};
use openbadges_proof::summary::Summary;
use openbadges_proof::vc_jwt::KeyPolicy;
use openbadges_proof::verify::{
    Clock, FixedClock, RecipientProfile, SchemaRegistry, Source, SystemClock,
};

#[cfg(feature = "http")]
use openbadges_proof::loader::{HttpLimits, HttpLoader};

#[cfg(feature = "bake")]
use crate::issuer::HostedDocument;

/// Builds a [`Verifier`]. Offline by default, with the system clock, no recipient check and
/// the default [`CacheLimits`].
#[derive(Clone)]
pub struct VerifierBuilder {
    docs: StaticLoader,
    loader: Option<Arc<dyn DocumentLoader>>,
    #[cfg(feature = "http")]
    online: Option<HttpLimits>,
    clock: Arc<dyn Clock>,
    cache: CacheLimits,
    recipient: RecipientProfile,
    limits: Limits,
    threads: usize,
    key_policy: KeyPolicy,
    presentation: PresentationExpectations,
    schemas: SchemaRegistry,
    #[cfg(feature = "tokio")]
    max_concurrent: usize,
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
            loader: None,
            #[cfg(feature = "http")]
            online: None,
            clock: Arc::new(SystemClock),
            cache: CacheLimits::default(),
            recipient: RecipientProfile::new(),
            limits: Limits::default(),
            threads: 4,
            key_policy: KeyPolicy::default(),
            presentation: PresentationExpectations::default(),
            schemas: SchemaRegistry::new(),
            #[cfg(feature = "tokio")]
            max_concurrent: 64,
        }
    }
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("VerifierBuilder");
        d.field("preloaded", &self.docs.len())
            .field("loader", &self.loader.is_some());
        #[cfg(feature = "http")]
        d.field("online", &self.online);
        d.field("cache", &self.cache)
            .field("recipient", &self.recipient)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl VerifierBuilder {
    /// Checks the badge's recipient against `profile` (e.g. `"email:a@example.org".parse()?`).
    pub fn recipient(mut self, profile: RecipientProfile) -> Self {
        self.recipient = profile;
        self
    }

    /// Takes "now" from `clock` (expiry, issued-in-the-future) instead of the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Verifies as of `clock` instead of now: [`VerifierBuilder::clock`] with a stopped clock.
    pub fn at(self, clock: FixedClock) -> Self {
        self.clock(clock)
    }

    /// Asks `loader` for every document not preloaded (and not cached), before the network
    /// (if `online`); the network is asked only when `loader` answers
    /// [`LoadError::NotAvailable`]. What it loads is cached. On the async path it runs on
    /// tokio's blocking pool, so it may block.
    pub fn loader(mut self, loader: impl DocumentLoader + 'static) -> Self {
        self.loader = Some(Arc::new(loader));
        self
    }

    /// Fetches the documents not preloaded over HTTP(S), within `limits` (timeout, sizes,
    /// redirects, and the non-public hosts allowed: by default none). Without this call the
    /// verifier never uses the network, whatever the cargo features.
    ///
    /// Sync verification fetches with a blocking client, built on first use; async
    /// verification (feature `tokio`) with an async one. Neither is built by this call.
    #[cfg(feature = "http")]
    pub fn online(mut self, limits: HttpLimits) -> Self {
        self.online = Some(limits);
        self
    }

    /// Bounds the document cache shared by every clone of the verifier (default: 512
    /// documents, 32 MiB, 60 s; [`CacheLimits::disabled`] turns it off). Only documents loaded
    /// successfully are kept; a revocation list stays cached up to the TTL, so a revocation
    /// may be seen that much later.
    pub fn cache(mut self, limits: CacheLimits) -> Self {
        self.cache = limits;
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

    /// At most `n` async verifications (`Verifier::verify_async` and friends) run at once
    /// (default 64, at least 1); the others wait their turn without holding a thread. This
    /// keeps verification from filling tokio's blocking pool, which file and database work
    /// share.
    #[cfg(feature = "tokio")]
    pub fn max_concurrent_verifications(mut self, n: usize) -> Self {
        self.max_concurrent = n.max(1);
        self
    }

    /// Builds the verifier. Cheap, and safe anywhere (inside an async task too): no blocking
    /// HTTP client is built here.
    ///
    /// # Errors
    /// With the `http` feature: `Error::HttpLoader` (its source is the loader's error) when an
    /// allowed host is not `HOST` or `HOST:PORT`, or the async HTTP client cannot be built
    /// (TLS set-up).
    pub fn build(self) -> Result<Verifier, crate::Error> {
        #[cfg(feature = "http")]
        let online = match &self.online {
            Some(limits) => Some(Online::new(limits)?),
            None => None,
        };
        Ok(Verifier {
            inner: Arc::new(Inner {
                docs: self.docs,
                loader: self.loader,
                #[cfg(feature = "http")]
                online,
                cache: DocumentCache::new(self.cache),
                contexts: Arc::default(),
                clock: self.clock,
                recipient: self.recipient,
                limits: self.limits,
                threads: self.threads,
                key_policy: self.key_policy,
                presentation: self.presentation,
                schemas: self.schemas,
                #[cfg(feature = "tokio")]
                permits: Arc::new(tokio::sync::Semaphore::new(self.max_concurrent)),
            }),
        })
    }
}

/// The network side of an online verifier: a blocking loader for the sync entry points (its
/// client is built on first use) and an async one for the async entry points.
#[cfg(feature = "http")]
#[derive(Debug)]
struct Online {
    blocking: HttpLoader,
    #[cfg(feature = "tokio")]
    nonblocking: openbadges_proof::loader::AsyncHttpLoader,
}

#[cfg(feature = "http")]
impl Online {
    fn new(limits: &HttpLimits) -> Result<Self, crate::Error> {
        limits
            .validate()
            .map_err(|source| crate::Error::HttpLoader {
                context: "allowed host".into(),
                source,
            })?;
        Ok(Online {
            blocking: HttpLoader::with_limits(limits),
            #[cfg(feature = "tokio")]
            nonblocking: openbadges_proof::loader::AsyncHttpLoader::new(limits).map_err(
                |source| crate::Error::HttpLoader {
                    context: "the async HTTP loader cannot be built".into(),
                    source,
                },
            )?,
        })
    }
}

/// Verifies badges of every version and form into a [`Report`] (valid, invalid or
/// indeterminate, with stable codes).
///
/// `Clone + Send + Sync`, and cheap to clone (an [`Arc`] inside): clones share the document
/// cache, the loaders and the HTTP connection pools. Dropping the last clone is safe anywhere,
/// inside an async task too.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

struct Inner {
    docs: StaticLoader,
    loader: Option<Arc<dyn DocumentLoader>>,
    #[cfg(feature = "http")]
    online: Option<Online>,
    cache: DocumentCache,
    /// Processed JSON-LD contexts, shared by every verification (the loader chain serves the
    /// same documents under the same URLs to all of them).
    contexts: Arc<openbadges_proof::jsonld::ContextCache>,
    clock: Arc<dyn Clock>,
    recipient: RecipientProfile,
    limits: Limits,
    threads: usize,
    key_policy: KeyPolicy,
    presentation: PresentationExpectations,
    schemas: SchemaRegistry,
    /// Bounds the async verifications running at once; a permit lives as long as its
    /// blocking task (a dropped future does not free it early).
    #[cfg(feature = "tokio")]
    permits: Arc<tokio::sync::Semaphore>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Verifier");
        d.field("recipient", &self.inner.recipient)
            .field("threads", &self.inner.threads)
            .field("cached", &self.inner.cache.len());
        #[cfg(feature = "http")]
        d.field("online", &self.inner.online.is_some());
        d.finish_non_exhaustive()
    }
}

/// What a verifier asks after its preloaded documents and its cache: the caller's loader,
/// then the network.
struct Beyond<'a> {
    loader: Option<&'a dyn DocumentLoader>,
    network: Option<&'a dyn DocumentLoader>,
}

impl DocumentLoader for Beyond<'_> {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        let not_available = || LoadError::NotAvailable {
            url: url.to_string(),
        };
        let r = self
            .loader
            .map_or_else(|| Err(not_available()), |l| l.load(url));
        match (r, self.network) {
            (Err(LoadError::NotAvailable { .. }), Some(n)) => n.load(url),
            (r, _) => r,
        }
    }
}

/// The async loader seen as a [`DocumentLoader`]: each load waits on `handle` for the async
/// fetch. Only ever built on tokio's blocking pool (or threads it starts), where waiting is
/// allowed; the fetch itself runs on the runtime's I/O driver.
#[cfg(all(feature = "http", feature = "tokio"))]
struct BlockOn<'a> {
    handle: tokio::runtime::Handle,
    loader: &'a openbadges_proof::loader::AsyncHttpLoader,
}

#[cfg(all(feature = "http", feature = "tokio"))]
impl DocumentLoader for BlockOn<'_> {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        self.handle.block_on(self.loader.load(url))
    }
}

/// A verification and the same verification told in words: what
/// [`Verifier::verify_and_summarize`] returns. Serialises to JSON as
/// `{"report": …, "summary": …}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Verification {
    /// The report (status, checks, errors and warnings with stable codes).
    pub report: Report,
    /// The report in plain language, with who issued the badge to whom, when, and for what.
    pub summary: Summary,
}

impl Inner {
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
            .with_schemas(&self.schemas)
            .with_context_cache(Arc::clone(&self.contexts));
        if let Some(c) = &self.presentation.challenge {
            engine = engine.with_presentation_challenge(c.clone());
        }
        if let Some(d) = &self.presentation.domain {
            engine = engine.with_presentation_domain(d.clone());
        }
        engine
    }

    /// Runs `f` with the verifier's loader chain, `network` last.
    fn with_loader<R>(
        &self,
        network: Option<&dyn DocumentLoader>,
        f: impl FnOnce(&dyn DocumentLoader) -> R,
    ) -> R {
        let chain = Layered {
            first: &self.docs,
            then: CachedLoader::new(
                self.cache.clone(),
                Beyond {
                    loader: self.loader.as_deref(),
                    network,
                },
            ),
        };
        f(&chain)
    }

    /// The chain of the sync entry points: the network (if online) through the blocking
    /// loader.
    fn with_sync_loader<R>(&self, f: impl FnOnce(&dyn DocumentLoader) -> R) -> R {
        #[cfg(feature = "http")]
        let network = self
            .online
            .as_ref()
            .map(|o| &o.blocking as &dyn DocumentLoader);
        #[cfg(not(feature = "http"))]
        let network = None;
        self.with_loader(network, f)
    }

    /// The chain of the async entry points, run on tokio's blocking pool: the network (if
    /// online) through the async loader, waited for on `handle`.
    #[cfg(feature = "tokio")]
    fn with_async_loader<R>(
        &self,
        handle: tokio::runtime::Handle,
        f: impl FnOnce(&dyn DocumentLoader) -> R,
    ) -> R {
        #[cfg(feature = "http")]
        {
            let bridge = self.online.as_ref().map(|o| BlockOn {
                handle,
                loader: &o.nonblocking,
            });
            self.with_loader(bridge.as_ref().map(|b| b as &dyn DocumentLoader), f)
        }
        #[cfg(not(feature = "http"))]
        {
            let _ = handle;
            self.with_loader(None, f)
        }
    }

    fn verify_source(&self, loader: &dyn DocumentLoader, source: &Source) -> Report {
        let engine = self.engine(loader, &self.recipient);
        match source {
            Source::Bytes { name, bytes } => engine.verify_bytes(name, bytes),
            Source::Url(url) => engine.verify_url(url),
        }
    }

    /// Verifies `bytes` for `recipient` and summarises the report, both through one per-call
    /// cache over `loader` (the summary reads the documents the verification loaded).
    fn verify_and_summarize(
        &self,
        loader: &dyn DocumentLoader,
        name: &str,
        bytes: &[u8],
        recipient: &RecipientProfile,
    ) -> Verification {
        let once = CachingLoader::new(loader);
        let report = self.engine(&once, recipient).verify_bytes(name, bytes);
        let summary = Summary::new(
            &report,
            bytes,
            &once,
            &self.limits,
            recipient.identities().first(),
        );
        Verification { report, summary }
    }

    fn verify_batch(&self, loader: &dyn DocumentLoader, sources: &[Source]) -> Vec<Report> {
        let batch = CachingLoader::new(loader);
        self.engine(&batch, &self.recipient)
            .verify_batch(sources, self.threads)
    }

    fn verify_each(
        &self,
        loader: &dyn DocumentLoader,
        count: usize,
        input: impl Fn(usize) -> Result<Source, Box<Report>> + Sync,
        each: impl FnMut(usize, Report),
    ) {
        let batch = CachingLoader::new(loader);
        self.engine(&batch, &self.recipient)
            .verify_each(count, self.threads, input, each);
    }
}

/// The name a report gives `source`.
#[cfg(feature = "tokio")]
fn source_name(source: &Source) -> &str {
    match source {
        Source::Bytes { name, .. } => name,
        Source::Url(url) => url,
    }
}

/// An indeterminate report for an input whose verification could not run.
#[cfg(feature = "tokio")]
fn not_run(name: &str, why: &str) -> Report {
    let mut r = Report::new(name);
    r.error(Code::Unsupported, why, None);
    r
}

impl Verifier {
    /// A builder: offline, system clock, no recipient check, default cache.
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    /// Verifies one input (bytes of any kind, or a URL). Blocks the calling thread; async
    /// code uses `Verifier::verify_async`.
    pub fn verify(&self, source: &Source) -> Report {
        self.inner
            .with_sync_loader(|loader| self.inner.verify_source(loader, source))
    }

    /// Verifies input bytes of any kind: JSON, compact JWS, VC-JWT, a baked PNG or SVG, or a
    /// URL given as text. `name` is what the report calls the input (a file name). Blocks the
    /// calling thread.
    pub fn verify_bytes(&self, name: &str, bytes: &[u8]) -> Report {
        self.verify_bytes_for(name, bytes, &self.inner.recipient)
    }

    /// As [`Verifier::verify_bytes`], checking the recipient against `recipient` instead of
    /// the builder's profile.
    pub fn verify_bytes_for(
        &self,
        name: &str,
        bytes: &[u8],
        recipient: &RecipientProfile,
    ) -> Report {
        self.inner.with_sync_loader(|loader| {
            self.inner
                .engine(loader, recipient)
                .verify_bytes(name, bytes)
        })
    }

    /// Verifies input bytes of any kind, as [`Verifier::verify_bytes_for`] does, and tells the
    /// result in words ([`Summary`]: the verdict, who issued the badge to whom and when, the
    /// achievement, each check explained). With an identity in `recipient` (e.g. the email a
    /// visitor typed), the summary says whether the badge was issued to it; a badge not issued
    /// to it is invalid (`RECIPIENT_MISMATCH`), as with [`Verifier::verify_bytes_for`]. Blocks
    /// the calling thread.
    pub fn verify_and_summarize(
        &self,
        name: &str,
        bytes: &[u8],
        recipient: &RecipientProfile,
    ) -> Verification {
        self.inner.with_sync_loader(|loader| {
            self.inner
                .verify_and_summarize(loader, name, bytes, recipient)
        })
    }

    /// Verifies the hosted badge at `url`. Blocks the calling thread.
    pub fn verify_url(&self, url: &str) -> Report {
        self.verify(&Source::Url(url.to_string()))
    }

    /// Verifies many inputs on the builder's number of threads, reports in input order. Each
    /// shared document (issuer, badge class, key, list) is loaded once per batch. Blocks the
    /// calling thread.
    pub fn verify_batch(&self, sources: &[Source]) -> Vec<Report> {
        self.inner
            .with_sync_loader(|loader| self.inner.verify_batch(loader, sources))
    }

    /// Verifies `count` inputs as [`Verifier::verify_batch`] does (the builder's number of
    /// threads, each shared document loaded once), streaming: each worker thread takes its next
    /// input from `input(i)` itself, so reading many files runs in parallel too (an input that
    /// cannot be had is its `Err` report), and `each(i, report)` runs on the calling thread in
    /// input order as soon as that report and every one before it are done: a caller can print
    /// results and progress while the rest are verified. Blocks the calling thread.
    pub fn verify_each(
        &self,
        count: usize,
        input: impl Fn(usize) -> Result<Source, Box<Report>> + Sync,
        each: impl FnMut(usize, Report),
    ) {
        self.inner.with_sync_loader(|loader| {
            self.inner.verify_each(loader, count, input, each);
        });
    }

    /// Whether `report` says the badge was revoked.
    pub fn is_revoked(report: &Report) -> bool {
        report.has_error(Code::Revoked)
    }

    /// How many documents the shared cache holds now.
    pub fn cached_documents(&self) -> usize {
        self.inner.cache.len()
    }
}

/// The async entry points (feature `tokio`). Each runs the verification on tokio's blocking
/// pool (at most `max_concurrent_verifications` at once) and fetches through the async HTTP
/// client: awaiting one never blocks an async worker thread. They must be awaited inside a
/// tokio runtime; elsewhere the report is indeterminate (`UNSUPPORTED`). Dropping the future
/// does not stop a verification already running; its report is discarded.
#[cfg(feature = "tokio")]
impl Verifier {
    /// Runs `work` on tokio's blocking pool with the async loader chain.
    async fn on_blocking_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner, &dyn DocumentLoader) -> T + Send + 'static,
    ) -> Result<T, String> {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return Err("async verification must run inside a tokio runtime".into());
        };
        // The semaphore is never closed; without a permit the work would still be right.
        let permit = Arc::clone(&self.inner.permits).acquire_owned().await.ok();
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let report = inner.with_async_loader(handle, |loader| work(&inner, loader));
            drop(permit);
            report
        })
        .await
        .map_err(|e| format!("the verification task failed: {e}"))
    }

    /// Verifies one input (bytes of any kind, or a URL), as [`Verifier::verify`] does, without
    /// blocking the runtime.
    pub async fn verify_async(&self, source: Source) -> Report {
        let name = source_name(&source).to_string();
        self.on_blocking_pool(move |inner, loader| inner.verify_source(loader, &source))
            .await
            .unwrap_or_else(|why| not_run(&name, &why))
    }

    /// As [`Verifier::verify_bytes`], without blocking the runtime.
    pub async fn verify_bytes_async(
        &self,
        name: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
    ) -> Report {
        self.verify_async(Source::Bytes {
            name: name.into(),
            bytes: bytes.into(),
        })
        .await
    }

    /// As [`Verifier::verify_bytes_for`], without blocking the runtime.
    pub async fn verify_bytes_for_async(
        &self,
        name: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
        recipient: RecipientProfile,
    ) -> Report {
        let name = name.into();
        let bytes = bytes.into();
        let report_name = name.clone();
        self.on_blocking_pool(move |inner, loader| {
            inner.engine(loader, &recipient).verify_bytes(&name, &bytes)
        })
        .await
        .unwrap_or_else(|why| not_run(&report_name, &why))
    }

    /// As [`Verifier::verify_and_summarize`], without blocking the runtime.
    pub async fn verify_and_summarize_async(
        &self,
        name: impl Into<String>,
        bytes: impl Into<Vec<u8>>,
        recipient: RecipientProfile,
    ) -> Verification {
        let name = name.into();
        let bytes: Vec<u8> = bytes.into();
        let (report_name, checked) = (name.clone(), recipient.identities().first().cloned());
        match self
            .on_blocking_pool(move |inner, loader| {
                inner.verify_and_summarize(loader, &name, &bytes, &recipient)
            })
            .await
        {
            Ok(v) => v,
            // The verification could not run: the verdict only (the bytes went to the task).
            Err(why) => {
                let report = not_run(&report_name, &why);
                let summary = Summary::new(
                    &report,
                    &[],
                    &StaticLoader::new(),
                    &self.inner.limits,
                    checked.as_ref(),
                );
                Verification { report, summary }
            }
        }
    }

    /// As [`Verifier::verify_url`], without blocking the runtime.
    pub async fn verify_url_async(&self, url: impl Into<String>) -> Report {
        self.verify_async(Source::Url(url.into())).await
    }

    /// As [`Verifier::verify_batch`] (one blocking task, the builder's number of threads),
    /// without blocking the runtime.
    pub async fn verify_batch_async(&self, sources: Vec<Source>) -> Vec<Report> {
        let names: Vec<String> = sources.iter().map(|s| source_name(s).to_string()).collect();
        match self
            .on_blocking_pool(move |inner, loader| inner.verify_batch(loader, &sources))
            .await
        {
            Ok(reports) => reports,
            Err(why) => names.iter().map(|n| not_run(n, &why)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Verifier;

    fn shareable<T: Clone + Send + Sync + 'static>() {}

    #[test]
    fn the_verifier_is_cheap_to_share() {
        shareable::<Verifier>();
    }
}
