//! Document loading: the [`DocumentLoader`] trait, an offline [`StaticLoader`], a per-batch
//! [`CachingLoader`], a long-lived bounded [`DocumentCache`] (through a [`CachedLoader`]),
//! [`Layered`] fallback, a [`RecordingLoader`] that keeps what was loaded, and (feature `http`)
//! the guarded `HttpLoader` (blocking) and `AsyncHttpLoader` (async) under one `HttpLimits`.
//!
//! Verification never opens a connection itself: every document it needs (assertion, badge
//! class, issuer profile, key, revocation list, JSON-LD context) comes through a
//! [`DocumentLoader`]. The trait is synchronous and object-safe (the engine is synchronous CPU
//! work that discovers what it needs as it goes), so that
//!
//! - plain programs pass a [`StaticLoader`] (fully offline) or an `HttpLoader` (feature `http`);
//! - async servers run verification on tokio's blocking pool (`spawn_blocking`) with a loader
//!   that waits there for an `AsyncHttpLoader` (`Handle::block_on`): no async worker ever
//!   blocks, and no blocking HTTP client exists on that path (the facade's
//!   `Verifier::verify_async` does this); or they fetch with their own client first and hand
//!   the documents over in a [`StaticLoader`];
//! - a batch shares one [`CachingLoader`], so each URL is fetched at most once per batch; a
//!   service shares one [`DocumentCache`], which keeps what its servers declared fresh.
//!
//! ```
//! use openbadges_proof::loader::{DocumentLoader, StaticLoader, LoadError};
//! let mut loader = StaticLoader::with_bundled_contexts();
//! loader.insert_json("https://example.org/issuer", &serde_json::json!({"id": "https://example.org/issuer"}));
//! loader.insert_gone("https://example.org/assertions/revoked");
//! assert!(loader.load("https://w3id.org/openbadges/v2").is_ok());
//! assert!(loader.load("https://example.org/issuer").is_ok());
//! assert!(matches!(loader.load("https://example.org/assertions/revoked"), Err(LoadError::Gone { .. })));
//! assert!(matches!(loader.load("https://example.org/other"), Err(LoadError::NotAvailable { .. })));
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod guard;
#[cfg(feature = "http")]
mod http;
pub use guard::refused_range;
#[cfg(feature = "http")]
pub use http::{AsyncHttpLoader, HttpLimits, HttpLoader};

/// A loaded document: its bytes and what the server said about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The URL that was asked for.
    pub url: String,
    /// The URL the bytes finally came from (after redirects).
    pub final_url: String,
    /// The media type, lowercased, without parameters (`application/json`), if known.
    pub content_type: Option<String>,
    /// The body.
    pub body: Arc<[u8]>,
    /// How long the server says the document stays fresh (`Cache-Control: s-maxage` or
    /// `max-age`; `None` when it said nothing, `no-store`, `no-cache` or `private`). A
    /// [`DocumentCache`] keeps only documents with a freshness.
    pub max_age: Option<Duration>,
}

/// Why a document could not be loaded. Every variant except [`LoadError::Gone`] means
/// "could not check" for verification; `Gone` (HTTP 410) means the issuer revoked a hosted
/// assertion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The server answered 410 Gone.
    #[error("{url}: 410 gone")]
    Gone {
        /// The URL.
        url: String,
    },
    /// The server answered another non-success status.
    #[error("{url}: http status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// An offline loader does not hold the document (or network access is forbidden).
    #[error("{url}: not available offline")]
    NotAvailable {
        /// The URL.
        url: String,
    },
    /// The fetch was refused by policy (scheme, private address, …).
    #[error("{url}: refused: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The response was larger than the limit.
    #[error("{url}: response larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// Too many redirects.
    #[error("{url}: more than {limit} redirects")]
    TooManyRedirects {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The fetch did not complete within the loader's deadline (DNS, connect, headers, redirects
    /// and the whole body together).
    #[error("{url}: no complete response within {limit:?}")]
    TimedOut {
        /// The URL.
        url: String,
        /// The deadline in force.
        limit: std::time::Duration,
    },
    /// A network or protocol failure (DNS, connect, TLS).
    #[error("{url}: {message}")]
    Network {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// Not an absolute `http`/`https` URL.
    #[error("`{url}` is not an http(s) url")]
    InvalidUrl {
        /// The text given.
        url: String,
    },
}

/// Something that turns a URL into a document. Implementations must be safe to share across
/// threads; the trait is object-safe (`&dyn DocumentLoader`).
pub trait DocumentLoader: Send + Sync {
    /// Loads the document at `url` (no fragment: callers strip it).
    ///
    /// # Errors
    /// A [`LoadError`] saying why not.
    fn load(&self, url: &str) -> Result<Document, LoadError>;
}

impl<T: DocumentLoader + ?Sized> DocumentLoader for &T {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        (**self).load(url)
    }
}

impl<T: DocumentLoader + ?Sized> DocumentLoader for Arc<T> {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        (**self).load(url)
    }
}

impl<T: DocumentLoader + ?Sized> DocumentLoader for Box<T> {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        (**self).load(url)
    }
}

/// The OB v2 JSON-LD context, bundled (`https://w3id.org/openbadges/v2`).
pub const OB_V2_CONTEXT: &str = include_str!("../../contexts/openbadges-v2-context.json");
/// The OB v1 JSON-LD context, bundled (`https://w3id.org/openbadges/v1`).
pub const OB_V1_CONTEXT: &str = include_str!("../../contexts/openbadges-v1-context.json");

#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Doc(Document),
    Gone,
    Status(u16),
}

/// An offline loader: answers from documents given to it, and nothing else.
#[derive(Debug, Clone, Default)]
pub struct StaticLoader {
    docs: HashMap<String, Entry>,
}

impl StaticLoader {
    /// An empty loader.
    pub fn new() -> Self {
        Self::default()
    }

    /// A loader holding the bundled OB v1 and v2 JSON-LD contexts under their `w3id.org` URLs
    /// (`http` and `https`, with and without a trailing slash).
    pub fn with_bundled_contexts() -> Self {
        let mut l = Self::new();
        for (v, text) in [("v2", OB_V2_CONTEXT), ("v1", OB_V1_CONTEXT)] {
            for scheme in ["https", "http"] {
                for slash in ["", "/"] {
                    l.insert(
                        &format!("{scheme}://w3id.org/openbadges/{v}{slash}"),
                        Some("application/ld+json"),
                        text.as_bytes(),
                    );
                }
            }
        }
        l
    }

    /// Adds (or replaces) a document.
    pub fn insert(&mut self, url: &str, content_type: Option<&str>, body: &[u8]) {
        self.docs.insert(
            url.to_string(),
            Entry::Doc(Document {
                url: url.to_string(),
                final_url: url.to_string(),
                content_type: content_type.map(str::to_string),
                body: Arc::from(body),
                max_age: None,
            }),
        );
    }

    /// Adds a JSON document.
    pub fn insert_json(&mut self, url: &str, doc: &serde_json::Value) {
        let body = serde_json::to_vec(doc).unwrap_or_default();
        self.insert(url, Some("application/json"), &body);
    }

    /// Makes `url` answer 410 Gone (a revoked hosted assertion).
    pub fn insert_gone(&mut self, url: &str) {
        self.docs.insert(url.to_string(), Entry::Gone);
    }

    /// Makes `url` answer with an HTTP error status.
    pub fn insert_status(&mut self, url: &str, status: u16) {
        self.docs.insert(url.to_string(), Entry::Status(status));
    }

    /// How many URLs it answers.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether it answers no URL.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }
}

impl DocumentLoader for StaticLoader {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        match self.docs.get(url) {
            Some(Entry::Doc(d)) => Ok(d.clone()),
            Some(Entry::Gone) => Err(LoadError::Gone {
                url: url.to_string(),
            }),
            Some(Entry::Status(s)) => Err(LoadError::Status {
                url: url.to_string(),
                status: *s,
            }),
            None => Err(LoadError::NotAvailable {
                url: url.to_string(),
            }),
        }
    }
}

/// Tries `first`; when it does not hold a document ([`LoadError::NotAvailable`]), asks `then`.
/// Typical use: bundled contexts and caller-supplied documents first, the network second.
#[derive(Debug, Clone)]
pub struct Layered<A, B> {
    /// Asked first.
    pub first: A,
    /// Asked when `first` has nothing.
    pub then: B,
}

impl<A: DocumentLoader, B: DocumentLoader> DocumentLoader for Layered<A, B> {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        match self.first.load(url) {
            Err(LoadError::NotAvailable { .. }) => self.then.load(url),
            other => other,
        }
    }
}

/// A per-batch cache in front of another loader: each URL is loaded at most once (failures are
/// remembered too, so one unreachable issuer costs one timeout per batch, not one per badge).
/// Share one across the threads of a batch; drop it after the batch.
#[derive(Debug)]
pub struct CachingLoader<L> {
    inner: L,
    cache: Mutex<HashMap<String, Result<Document, LoadError>>>,
}

impl<L: DocumentLoader> CachingLoader<L> {
    /// Wraps `inner`.
    pub fn new(inner: L) -> Self {
        CachingLoader {
            inner,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// How many URLs are cached.
    pub fn cached(&self) -> usize {
        self.cache.lock().map(|c| c.len()).unwrap_or(0)
    }
}

impl<L: DocumentLoader> DocumentLoader for CachingLoader<L> {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        if let Ok(c) = self.cache.lock() {
            if let Some(hit) = c.get(url) {
                return hit.clone();
            }
        }
        // Not holding the lock while loading: two threads may fetch the same URL at once the
        // first time; that costs a duplicate fetch, never a wrong answer.
        let r = self.inner.load(url);
        if let Ok(mut c) = self.cache.lock() {
            c.insert(url.to_string(), r.clone());
        }
        r
    }
}

/// The bounds of a [`DocumentCache`]: how many documents, how many bytes in all, and the
/// longest any document is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheLimits {
    /// The most documents kept (0: nothing is cached).
    pub max_entries: usize,
    /// The most body bytes kept in all; a document larger than this is not cached.
    pub max_bytes: usize,
    /// The longest a document is kept, whatever freshness its server declared (zero: nothing
    /// is cached).
    pub ttl: Duration,
}

impl Default for CacheLimits {
    /// 512 documents, 32 MiB, 5 minutes.
    fn default() -> Self {
        CacheLimits {
            max_entries: 512,
            max_bytes: 32 * 1024 * 1024,
            ttl: Duration::from_secs(300),
        }
    }
}

impl CacheLimits {
    /// The defaults: 512 documents, 32 MiB, 5 minutes.
    pub fn new() -> Self {
        Self::default()
    }

    /// No caching at all.
    pub fn disabled() -> Self {
        CacheLimits {
            max_entries: 0,
            max_bytes: 0,
            ttl: Duration::ZERO,
        }
    }

    /// Sets [`CacheLimits::max_entries`].
    pub fn max_entries(mut self, n: usize) -> Self {
        self.max_entries = n;
        self
    }

    /// Sets [`CacheLimits::max_bytes`].
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = n;
        self
    }

    /// Sets [`CacheLimits::ttl`].
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }
}

/// A bounded document cache shared by clones, for long-lived verifiers. It keeps a document
/// only as long as its server said it stays fresh ([`Document::max_age`], from
/// `Cache-Control`), and at most [`CacheLimits::ttl`]; a document without a freshness (no
/// `max-age`, or `no-store`, `no-cache`, `private`) is not kept, so a revocation list served
/// without one is fetched again every time. At most [`CacheLimits::max_entries`] documents and
/// [`CacheLimits::max_bytes`] in all are kept (those expiring first go first). Failures are
/// never cached: an unreachable issuer is asked again next time, and a `410 Gone` is never
/// answered from the cache. Use it through a [`CachedLoader`].
///
/// Unlike [`CachingLoader`] (one batch, unbounded, failures included), it is meant to live as
/// long as the service.
///
/// ```
/// use std::sync::Arc;
/// use std::time::Duration;
/// use openbadges_proof::loader::{CacheLimits, Document, DocumentCache};
/// let cache = DocumentCache::new(CacheLimits::default().max_entries(2));
/// let doc = |url: &str, max_age: Option<Duration>| Document {
///     url: url.into(), final_url: url.into(), content_type: None,
///     body: Arc::from(&b"{}"[..]), max_age,
/// };
/// let minute = Some(Duration::from_secs(60));
/// cache.insert(doc("https://a.example/issuer", minute));
/// cache.insert(doc("https://a.example/revocations", None)); // no freshness: not kept
/// assert!(cache.get("https://a.example/issuer").is_some());
/// assert!(cache.get("https://a.example/revocations").is_none());
/// for i in 0..3 {
///     cache.insert(doc(&format!("https://a.example/{i}"), minute));
/// }
/// assert_eq!(cache.len(), 2); // bounded
/// ```
#[derive(Debug, Clone)]
pub struct DocumentCache {
    limits: CacheLimits,
    state: Arc<Mutex<CacheState>>,
}

/// The documents and when each expires.
#[derive(Debug, Default)]
struct CacheState {
    entries: HashMap<String, (Instant, Document)>,
    bytes: usize,
}

impl CacheState {
    fn remove(&mut self, url: &str) {
        if let Some((_, d)) = self.entries.remove(url) {
            self.bytes = self.bytes.saturating_sub(d.body.len());
        }
    }

    fn remove_expiring_first(&mut self) {
        let first = self
            .entries
            .iter()
            .min_by_key(|(_, (expires, _))| *expires)
            .map(|(k, _)| k.clone());
        if let Some(k) = first {
            self.remove(&k);
        }
    }
}

impl DocumentCache {
    /// An empty cache with `limits`.
    pub fn new(limits: CacheLimits) -> Self {
        DocumentCache {
            limits,
            state: Arc::default(),
        }
    }

    /// The limits.
    pub fn limits(&self) -> CacheLimits {
        self.limits
    }

    /// The document cached for `url`, if it is there and still fresh.
    pub fn get(&self, url: &str) -> Option<Document> {
        let mut state = self.state.lock().ok()?;
        let fresh = match state.entries.get(url) {
            None => return None,
            Some((expires, d)) => (Instant::now() < *expires).then(|| d.clone()),
        };
        if fresh.is_none() {
            state.remove(url);
        }
        fresh
    }

    /// Keeps `doc` under its URL ([`Document::url`]) for its [`Document::max_age`] (at most
    /// [`CacheLimits::ttl`]), making room by dropping expired documents, then those expiring
    /// first. A document without a freshness, or too large, is not kept.
    pub fn insert(&self, doc: Document) {
        let size = doc.body.len();
        let keep_for = doc.max_age.unwrap_or_default().min(self.limits.ttl);
        if self.limits.max_entries == 0 || keep_for.is_zero() || size > self.limits.max_bytes {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.remove(&doc.url);
        let full = |s: &CacheState| {
            s.entries.len() >= self.limits.max_entries || s.bytes + size > self.limits.max_bytes
        };
        if full(&state) {
            let now = Instant::now();
            state.entries.retain(|_, (expires, _)| now < *expires);
            state.bytes = state.entries.values().map(|(_, d)| d.body.len()).sum();
        }
        while !state.entries.is_empty() && full(&state) {
            state.remove_expiring_first();
        }
        state.bytes += size;
        let expires = Instant::now() + keep_for;
        state.entries.insert(doc.url.clone(), (expires, doc));
    }

    /// How many documents are cached (fresh, or expired and not yet dropped).
    pub fn len(&self) -> usize {
        self.state.lock().map(|s| s.entries.len()).unwrap_or(0)
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every cached document.
    pub fn clear(&self) {
        if let Ok(mut s) = self.state.lock() {
            s.entries.clear();
            s.bytes = 0;
        }
    }
}

/// A loader that answers from a [`DocumentCache`] when it can, and otherwise asks `inner` and
/// keeps what it loaded successfully.
#[derive(Debug, Clone)]
pub struct CachedLoader<L> {
    cache: DocumentCache,
    inner: L,
}

impl<L: DocumentLoader> CachedLoader<L> {
    /// `inner` behind `cache` (a clone of a cache shares its documents).
    pub fn new(cache: DocumentCache, inner: L) -> Self {
        CachedLoader { cache, inner }
    }

    /// The cache.
    pub fn cache(&self) -> &DocumentCache {
        &self.cache
    }
}

impl<L: DocumentLoader> DocumentLoader for CachedLoader<L> {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        if let Some(hit) = self.cache.get(url) {
            return Ok(hit);
        }
        let r = self.inner.load(url);
        if let Ok(d) = &r {
            let mut d = d.clone();
            d.url = url.to_string();
            self.cache.insert(d);
        }
        r
    }
}

/// The documents a [`RecordingLoader`] returned, in the order they were asked for (a URL asked
/// twice appears twice), each with the thread that asked for it. Cheap to clone: clones share
/// one log.
#[derive(Debug, Clone, Default)]
pub struct Recording(Arc<Mutex<Vec<(std::thread::ThreadId, Document)>>>);

impl Recording {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes every document recorded so far, leaving the log empty.
    pub fn take(&self) -> Vec<Document> {
        self.0
            .lock()
            .map(|mut l| {
                std::mem::take(&mut *l)
                    .into_iter()
                    .map(|(_, d)| d)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Empties the log.
    pub fn clear(&self) {
        if let Ok(mut l) = self.0.lock() {
            l.clear();
        }
    }

    /// Takes the documents recorded for loads made on the calling thread, leaving the others':
    /// what one verification loaded while others run on other threads over the same loader
    /// (a verification loads on the thread that runs it).
    pub fn take_this_thread(&self) -> Vec<Document> {
        let me = std::thread::current().id();
        let Ok(mut l) = self.0.lock() else {
            return Vec::new();
        };
        let (mine, others): (Vec<_>, Vec<_>) = std::mem::take(&mut *l)
            .into_iter()
            .partition(|(t, _)| *t == me);
        *l = others;
        mine.into_iter().map(|(_, d)| d).collect()
    }

    /// Drops the documents recorded for loads made on the calling thread.
    pub fn clear_this_thread(&self) {
        let me = std::thread::current().id();
        if let Ok(mut l) = self.0.lock() {
            l.retain(|(t, _)| *t != me);
        }
    }

    fn push(&self, d: Document) {
        if let Ok(mut l) = self.0.lock() {
            l.push((std::thread::current().id(), d));
        }
    }
}

/// Remembers every document `inner` returned (failures are not recorded), so that a caller can
/// keep what a verification needed and verify again offline later: a backpack stores them with
/// the badge and preloads them into a [`StaticLoader`] for offline checks.
///
/// Put it *outside* a [`CachingLoader`] so that cache hits are recorded too (each verification
/// then sees every document it used, not only the first to fetch it). One log serves one
/// verification at a time with [`Recording::take`] after each; concurrent verifications over
/// one recording loader each take theirs with [`Recording::take_this_thread`].
///
/// ```
/// use openbadges_proof::loader::{DocumentLoader, RecordingLoader, StaticLoader};
/// let mut docs = StaticLoader::new();
/// docs.insert("https://example.org/issuer", Some("application/json"), b"{}");
/// let loader = RecordingLoader::new(docs);
/// let log = loader.recording();
/// assert!(loader.load("https://example.org/issuer").is_ok());
/// assert!(loader.load("https://example.org/missing").is_err());
/// let got = log.take();
/// assert_eq!(got.len(), 1);
/// assert_eq!(got[0].url, "https://example.org/issuer");
/// assert!(log.take().is_empty());
/// ```
#[derive(Debug)]
pub struct RecordingLoader<L> {
    inner: L,
    log: Recording,
}

impl<L: DocumentLoader> RecordingLoader<L> {
    /// Wraps `inner` with an empty log.
    pub fn new(inner: L) -> Self {
        RecordingLoader {
            inner,
            log: Recording::new(),
        }
    }

    /// A handle on the log (shared with this loader).
    pub fn recording(&self) -> Recording {
        self.log.clone()
    }

    /// The wrapped loader.
    pub fn inner(&self) -> &L {
        &self.inner
    }
}

impl<L: DocumentLoader> DocumentLoader for RecordingLoader<L> {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        let r = self.inner.load(url);
        if let Ok(d) = &r {
            self.log.push(d.clone());
        }
        r
    }
}

/// A loader that refuses everything (`--offline` with nothing preloaded).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoNetwork;

impl DocumentLoader for NoNetwork {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        Err(LoadError::NotAvailable {
            url: url.to_string(),
        })
    }
}

/// Whether an IP address is one the HTTP loader refuses unless its host is explicitly allowed:
/// [`refused_range`] names a range for it (loopback, private, link-local, unspecified, CGNAT,
/// multicast, broadcast, documentation, benchmarking and other reserved ranges, in every IPv6
/// form that carries an IPv4 address).
pub fn is_non_public(ip: std::net::IpAddr) -> bool {
    refused_range(ip).is_some()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting(AtomicUsize);
    impl DocumentLoader for Counting {
        fn load(&self, url: &str) -> Result<Document, LoadError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(LoadError::Network {
                url: url.into(),
                message: "down".into(),
            })
        }
    }

    #[test]
    fn cache_loads_each_url_once_including_failures() {
        let c = CachingLoader::new(Counting(AtomicUsize::new(0)));
        for _ in 0..3 {
            assert!(c.load("https://a.example/x").is_err());
        }
        assert!(c.load("https://a.example/y").is_err());
        assert_eq!(c.inner.0.load(Ordering::SeqCst), 2);
    }

    fn fresh_for(url: &str, secs: u64, size: usize) -> Document {
        Document {
            url: url.into(),
            final_url: url.into(),
            content_type: None,
            body: Arc::from(vec![0u8; size]),
            max_age: Some(Duration::from_secs(secs)),
        }
    }

    /// Serves every URL with a freshness of a minute, counting the loads.
    struct Fresh(AtomicUsize);
    impl DocumentLoader for Fresh {
        fn load(&self, url: &str) -> Result<Document, LoadError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(fresh_for(url, 60, 10))
        }
    }

    #[test]
    fn document_cache_keeps_fresh_successes_only_within_its_bounds() {
        // Failures are asked again every time.
        let down = Counting(AtomicUsize::new(0));
        let cache = DocumentCache::new(CacheLimits::default());
        let l = CachedLoader::new(cache.clone(), &down);
        assert!(l.load("https://a.example/x").is_err());
        assert!(l.load("https://a.example/x").is_err());
        assert_eq!(down.0.load(Ordering::SeqCst), 2);
        assert!(cache.is_empty());

        // Documents without a freshness (and 410s) are asked again every time.
        let mut docs = StaticLoader::new();
        docs.insert("https://a.example/plain", None, b"{}");
        docs.insert_gone("https://a.example/gone");
        let l = CachedLoader::new(cache.clone(), docs);
        assert!(l.load("https://a.example/plain").is_ok());
        assert!(matches!(
            l.load("https://a.example/gone"),
            Err(LoadError::Gone { .. })
        ));
        assert!(cache.is_empty());

        // Fresh documents are loaded once, within the bounds: 25 bytes hold two 10-byte ones.
        let origin = Fresh(AtomicUsize::new(0));
        let cache = DocumentCache::new(CacheLimits::new().max_entries(3).max_bytes(25));
        let l = CachedLoader::new(cache.clone(), &origin);
        for _ in 0..3 {
            assert!(l.load("https://a.example/0").is_ok());
        }
        assert_eq!(origin.0.load(Ordering::SeqCst), 1);
        for i in 1..5 {
            assert!(l.load(&format!("https://a.example/{i}")).is_ok());
        }
        assert_eq!(cache.len(), 2);
        assert!(cache.get("https://a.example/4").is_some());
        assert!(cache.get("https://a.example/0").is_none());
        cache.clear();
        assert!(cache.is_empty());

        // Disabled, or a zero TTL: nothing is kept.
        for limits in [
            CacheLimits::disabled(),
            CacheLimits::new().ttl(Duration::ZERO),
        ] {
            let c = DocumentCache::new(limits);
            c.insert(fresh_for("https://a.example/k", 60, 2));
            assert!(c.is_empty());
        }
        // A zero max-age: not kept either.
        let c = DocumentCache::new(CacheLimits::new());
        c.insert(fresh_for("https://a.example/k", 0, 2));
        assert!(c.is_empty());
    }

    #[test]
    fn layered_falls_through_only_when_not_available() {
        let mut a = StaticLoader::new();
        a.insert_gone("https://a.example/gone");
        let mut b = StaticLoader::new();
        b.insert("https://a.example/gone", None, b"{}");
        b.insert("https://a.example/b", None, b"{}");
        let l = Layered { first: a, then: b };
        assert!(matches!(
            l.load("https://a.example/gone"),
            Err(LoadError::Gone { .. })
        ));
        assert!(l.load("https://a.example/b").is_ok());
    }

    #[test]
    fn recording_loader_records_successes_behind_a_cache() {
        let mut docs = StaticLoader::new();
        docs.insert(
            "https://a.example/k",
            Some("application/json"),
            b"{\"k\":1}",
        );
        docs.insert_gone("https://a.example/gone");
        let l = RecordingLoader::new(CachingLoader::new(docs));
        let log = l.recording();
        assert!(l.load("https://a.example/k").is_ok());
        // A cache hit is recorded again; failures are not.
        assert!(l.load("https://a.example/k").is_ok());
        assert!(l.load("https://a.example/gone").is_err());
        assert!(l.load("https://a.example/none").is_err());
        let got = log.take();
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|d| d.url == "https://a.example/k"));
        assert_eq!(&*got[0].body, b"{\"k\":1}");
        assert_eq!(got[0].content_type.as_deref(), Some("application/json"));
        assert!(log.take().is_empty());
        assert!(l.load("https://a.example/k").is_ok());
        log.clear();
        assert!(log.take().is_empty());
        assert_eq!(l.inner().cached(), 3);
    }

    #[test]
    fn recording_takes_each_threads_documents_apart() {
        let mut docs = StaticLoader::new();
        docs.insert("https://a.example/main", None, b"m");
        docs.insert("https://a.example/other", None, b"o");
        let l = RecordingLoader::new(docs);
        let log = l.recording();
        assert!(l.load("https://a.example/main").is_ok());
        std::thread::scope(|s| {
            s.spawn(|| {
                assert!(l.load("https://a.example/other").is_ok());
                let mine = log.take_this_thread();
                assert_eq!(mine.len(), 1);
                assert_eq!(mine[0].url, "https://a.example/other");
                assert!(l.load("https://a.example/other").is_ok());
            });
        });
        let mine = log.take_this_thread();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].url, "https://a.example/main");
        // The other thread's second load is still there, for it (or for `take`).
        log.clear_this_thread();
        assert_eq!(log.take().len(), 1);
    }

    #[test]
    fn non_public_ranges() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
        ] {
            assert!(is_non_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:2800:220:1:248:1893:25c8:1946",
        ] {
            assert!(!is_non_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
