//! Adapters over `openbadges-proof`: its verifier as the backpack's [`Verifier`], its document
//! loaders as the backpack's [`Fetcher`], and (cargo feature `http`) the production fetcher over
//! its guarded HTTP loader, `http_fetcher`.

use openbadges_proof::loader::{Document, DocumentLoader, Recording, StaticLoader};
use openbadges_proof::verify::RecipientProfile;

use crate::fetch::Fetcher;
use crate::verify::{RenderedOutcome, VerificationOutcome, Verifier, VerifyRequest};

/// The proof crate's verifier, checking each badge against the identifier its recipient matched.
#[derive(Debug, Clone)]
pub struct ProofVerifier<'a> {
    inner: openbadges_proof::verify::Verifier<'a>,
    recording: Option<Recording>,
    threads: usize,
}

impl<'a> ProofVerifier<'a> {
    /// Wraps a configured verifier (loader, clock, limits). Its recipient profile is replaced
    /// per badge by the owner's identifier that matched. A batch of badges
    /// ([`Verifier::verify_keeping_many`]) is verified on as many threads as the machine has
    /// cores ([`std::thread::available_parallelism`]); see [`ProofVerifier::with_threads`].
    pub fn new(inner: openbadges_proof::verify::Verifier<'a>) -> Self {
        ProofVerifier {
            inner,
            recording: None,
            threads: crate::parallel::cores(),
        }
    }

    /// Verifies a batch of badges on at most `threads` threads (1: on the calling thread, one
    /// after the other). Each badge's verdict, report and kept documents are the same either
    /// way: verifications are independent and each keeps only what it loaded itself.
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Keeps the documents each verification loaded ([`Verifier::verify_keeping`]), read from
    /// `recording`, the log of the [`RecordingLoader`](openbadges_proof::loader::RecordingLoader)
    /// the wrapped verifier loads through (put it outside any cache). Documents the proof crate
    /// bundles (the JSON-LD contexts) are not kept: offline checks always have them. Each
    /// verification keeps what was loaded on its own thread
    /// ([`Recording::take_this_thread`]), so that verifications may run concurrently.
    ///
    /// ```
    /// use openbadges_backpack::proof::ProofVerifier;
    /// use openbadges_proof::loader::{CachingLoader, RecordingLoader, StaticLoader};
    /// use openbadges_proof::verify::Verifier;
    ///
    /// let loader = RecordingLoader::new(CachingLoader::new(StaticLoader::with_bundled_contexts()));
    /// let verifier = ProofVerifier::new(Verifier::new(&loader)).keeping(loader.recording());
    /// # let _ = verifier;
    /// ```
    pub fn keeping(mut self, recording: Recording) -> Self {
        self.recording = Some(recording);
        self
    }
}

/// Whether the proof crate answers `url` from its own bundle (OB v1/v2 contexts, the JSON-LD
/// contexts of VC and OB 3.0): such documents need not be kept, and an archive must never
/// replace them.
pub fn is_bundled(url: &str) -> bool {
    use openbadges_proof::jsonld::ContextLoader as _;
    openbadges_proof::jsonld::BundledContexts
        .load(url)
        .is_some()
        || {
            static OB: std::sync::OnceLock<StaticLoader> = std::sync::OnceLock::new();
            OB.get_or_init(StaticLoader::with_bundled_contexts)
                .load(url)
                .is_ok()
        }
}

impl Verifier for ProofVerifier<'_> {
    fn verify_keeping(&self, request: &VerifyRequest<'_>) -> (VerificationOutcome, Vec<Document>) {
        self.recorded(request, outcome_of)
    }

    fn verify(&self, request: &VerifyRequest<'_>) -> VerificationOutcome {
        let outcome = self.check(request);
        if let Some(log) = &self.recording {
            // Nothing kept: what this thread loaded is not left in the log.
            log.clear_this_thread();
        }
        outcome
    }

    fn verify_keeping_many(
        &self,
        requests: &[VerifyRequest<'_>],
    ) -> Vec<(VerificationOutcome, Vec<Document>)> {
        self.each(requests, |r| self.verify_keeping(r), &mut || {})
    }

    fn verify_rendered_many_while(
        &self,
        requests: &[VerifyRequest<'_>],
        meanwhile: &mut dyn FnMut(),
    ) -> Vec<(RenderedOutcome, Vec<Document>)> {
        // Each report rendered as text where it was made (the same text as rendering
        // `verify_keeping`'s `Value`: the report's fields in order), not built as a `Value`
        // there and rendered on the calling thread.
        let render = |r: &VerifyRequest<'_>| {
            self.recorded(r, |report| {
                let status = report.status();
                let mut text = serde_json::to_string(report)
                    .unwrap_or_else(|e| unserializable(status, &e).to_string());
                text.shrink_to_fit();
                RenderedOutcome {
                    status,
                    report: text,
                }
            })
        };
        self.each(requests, render, meanwhile)
    }
}

/// A report as the backpack's answer: its status and the report as JSON.
fn outcome_of(report: &openbadges_proof::report::Report) -> VerificationOutcome {
    let status = report.status();
    let report = serde_json::to_value(report).unwrap_or_else(|e| unserializable(status, &e));
    VerificationOutcome { status, report }
}

/// The report of a report that could not be serialized.
fn unserializable(
    status: openbadges_proof::report::Status,
    e: &serde_json::Error,
) -> serde_json::Value {
    serde_json::json!({"status": status.as_str(), "errors": [{"code": "REPORT_UNSERIALIZABLE", "message": e.to_string()}]})
}

impl ProofVerifier<'_> {
    /// `answer` for each of `requests`, in order, on up to `threads` threads while `meanwhile`
    /// runs on the calling thread (on one thread: `meanwhile` first, then each request in
    /// turn; [`crate::parallel::map_in_order`], which answers again on the calling thread what
    /// a thread that panicked lost: a panic is not a verdict).
    fn each<T: Send>(
        &self,
        requests: &[VerifyRequest<'_>],
        answer: impl Fn(&VerifyRequest<'_>) -> T + Sync,
        meanwhile: &mut dyn FnMut(),
    ) -> Vec<T> {
        crate::parallel::map_in_order(requests, self.threads, answer, meanwhile)
    }

    /// One verification, through the wrapped verifier.
    fn check(&self, request: &VerifyRequest<'_>) -> VerificationOutcome {
        outcome_of(&self.report(request))
    }

    /// The wrapped verifier's report on one badge.
    fn report(&self, request: &VerifyRequest<'_>) -> openbadges_proof::report::Report {
        let profile = RecipientProfile::new().identity(request.recipient.clone());
        self.inner
            .clone()
            .with_recipient(profile)
            .verify_bytes("badge", request.original)
    }

    /// One verification, its report turned into an answer by `answer`, and the documents it
    /// loaded (none without a [`Recording`]).
    fn recorded<T>(
        &self,
        request: &VerifyRequest<'_>,
        answer: impl FnOnce(&openbadges_proof::report::Report) -> T,
    ) -> (T, Vec<Document>) {
        let Some(log) = &self.recording else {
            return (answer(&self.report(request)), Vec::new());
        };
        log.clear_this_thread();
        let outcome = answer(&self.report(request));
        let mut seen = std::collections::BTreeSet::new();
        let docs = log
            .take_this_thread()
            .into_iter()
            .filter(|d| !is_bundled(&d.url))
            .filter(|d| seen.insert((d.url.clone(), d.body.clone())))
            .collect();
        (outcome, docs)
    }
}

/// A proof-crate document loader (static, caching, guarded HTTP) as the backpack's fetcher.
#[derive(Debug, Clone)]
pub struct LoaderFetcher<L>(pub L);

impl<L: DocumentLoader> Fetcher for LoaderFetcher<L> {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        self.fetch_shared(url, max_bytes).map(|body| body.to_vec())
    }

    fn fetch_shared(&self, url: &str, max_bytes: usize) -> Result<std::sync::Arc<[u8]>, String> {
        let doc = self.0.load(url).map_err(|e| e.to_string())?;
        if doc.body.len() > max_bytes {
            return Err(format!(
                "{} bytes is over the limit of {max_bytes}",
                doc.body.len()
            ));
        }
        Ok(doc.body)
    }
}

/// The production fetcher (cargo feature `http`): the proof crate's guarded HTTP loader, which
/// refuses loopback, private, link-local and other non-public addresses (checked in the resolver
/// the connection uses, and again on every redirect), caps bodies at 1 MiB, follows at most 5
/// redirects and gives each request 10 s. `allow_hosts` lists `HOST` or `HOST:PORT` entries that
/// may resolve to non-public addresses anyway (a test server, an intranet issuer).
///
/// # Errors
/// The HTTP client cannot be built (TLS set-up).
#[cfg(feature = "http")]
pub fn http_fetcher<S: AsRef<str>>(
    allow_hosts: &[S],
) -> Result<LoaderFetcher<openbadges_proof::loader::HttpLoader>, openbadges_proof::loader::LoadError>
{
    let mut http = openbadges_proof::loader::HttpLoader::new()?;
    for h in allow_hosts {
        http = http.allow_host(h.as_ref())?;
    }
    Ok(LoaderFetcher(http))
}
