//! Adapters over `openbadges-proof`: its verifier as the backpack's [`Verifier`], its document
//! loaders as the backpack's [`Fetcher`], and (cargo feature `http`) the production fetcher over
//! its guarded HTTP loader, `http_fetcher`.

use openbadges_proof::loader::DocumentLoader;
use openbadges_proof::report::Status;
use openbadges_proof::verify::{IdentityType, RecipientProfile};

use crate::fetch::Fetcher;
use crate::model::{IdentifierKind, VerificationStatus};
use crate::verify::{VerificationOutcome, Verifier, VerifyRequest};

/// The proof crate's verifier, checking each badge against the identifier its recipient matched.
#[derive(Debug, Clone)]
pub struct ProofVerifier<'a> {
    inner: openbadges_proof::verify::Verifier<'a>,
}

impl<'a> ProofVerifier<'a> {
    /// Wraps a configured verifier (loader, clock, limits). Its recipient profile is replaced
    /// per badge by the owner's identifier that matched.
    pub fn new(inner: openbadges_proof::verify::Verifier<'a>) -> Self {
        ProofVerifier { inner }
    }
}

fn identity_type(kind: IdentifierKind) -> IdentityType {
    match kind {
        IdentifierKind::Email => IdentityType::Email,
        IdentifierKind::Url => IdentityType::Url,
        IdentifierKind::Telephone => IdentityType::Telephone,
        IdentifierKind::Did => IdentityType::Id,
    }
}

impl Verifier for ProofVerifier<'_> {
    fn verify(&self, request: &VerifyRequest<'_>) -> VerificationOutcome {
        let profile = RecipientProfile::new().with(
            identity_type(request.recipient.kind),
            request.recipient.value.clone(),
        );
        let report = self
            .inner
            .clone()
            .with_recipient(profile)
            .verify_bytes("badge", request.original);
        let status = match report.status() {
            Status::Valid => VerificationStatus::Valid,
            Status::Invalid => VerificationStatus::Invalid,
            Status::Indeterminate => VerificationStatus::Indeterminate,
        };
        let report = serde_json::to_value(&report).unwrap_or_else(|e| {
            serde_json::json!({"status": status.as_str(), "errors": [{"code": "REPORT_UNSERIALIZABLE", "message": e.to_string()}]})
        });
        VerificationOutcome { status, report }
    }
}

/// A proof-crate document loader (static, caching, guarded HTTP) as the backpack's fetcher.
#[derive(Debug, Clone)]
pub struct LoaderFetcher<L>(pub L);

impl<L: DocumentLoader> Fetcher for LoaderFetcher<L> {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        let doc = self.0.load(url).map_err(|e| e.to_string())?;
        if doc.body.len() > max_bytes {
            return Err(format!(
                "{} bytes is over the limit of {max_bytes}",
                doc.body.len()
            ));
        }
        Ok(doc.body.to_vec())
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
