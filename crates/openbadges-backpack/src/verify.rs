//! The verification hook: the backpack asks a [`Verifier`] about every badge it imports.
//!
//! The proof crate (`openbadges-proof`) provides the real verifier; the backpack only needs a
//! verdict and a serialized report to keep. There is deliberately no "always valid" verifier in
//! this crate.

use openbadges_model::Version;
use openbadges_proof::loader::Document;
use serde_json::Value;

use crate::model::InputKind;
use openbadges_model::Identity;
use openbadges_proof::report::Status;

/// What a verifier is asked to check: one badge, as received.
#[derive(Debug, Clone, Copy)]
pub struct VerifyRequest<'a> {
    /// The badge's original bytes (JSON, a compact JWS, a baked image, or a URL).
    pub original: &'a [u8],
    /// The kind of `original`.
    pub kind: InputKind,
    /// The decoded document (JWS payload, baked payload, or the JSON itself).
    pub document: &'a Value,
    /// The detected version.
    pub version: Version,
    /// The owner's identifier the recipient matched (to pass as the expected recipient).
    pub recipient: &'a Identity,
}

impl<'a> VerifyRequest<'a> {
    /// The request that verifies a held badge again: its original bytes and stored document
    /// (the proof crate's verifier reads only the original), against the identifier it matched
    /// at import.
    pub fn for_record(b: &'a crate::model::BadgeRecord) -> Self {
        VerifyRequest {
            original: &b.original,
            kind: b.input_kind,
            document: &b.document,
            version: b.version,
            recipient: &b.recipient.identifier,
        }
    }
}

/// A verifier's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct VerificationOutcome {
    /// Valid, invalid, or could not be checked.
    pub status: Status,
    /// The full report, as JSON (kept opaque and stored with the badge).
    pub report: Value,
}

/// A verifier's answer with its report rendered as compact JSON text: what the backpack stores
/// with a badge ([`Verification::report`](crate::model::Verification)). Asked of a batch
/// ([`Verifier::verify_rendered_many_while`]) so that a verifier working on several threads
/// renders each report where it was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedOutcome {
    /// Valid, invalid, or could not be checked.
    pub status: Status,
    /// The full report as compact JSON text: [`VerificationOutcome::report`] rendered.
    pub report: String,
}

impl From<VerificationOutcome> for RenderedOutcome {
    fn from(outcome: VerificationOutcome) -> Self {
        RenderedOutcome {
            status: outcome.status,
            report: outcome.report.to_string(),
        }
    }
}

/// Checks a badge's proof, status and validity period.
///
/// Implementations must follow the workspace rule: "could not check" (a document could not be
/// fetched, an unsupported feature) is [`Status::Indeterminate`], never
/// [`Status::Invalid`] and never [`Status::Valid`].
pub trait Verifier {
    /// Verifies one badge.
    fn verify(&self, request: &VerifyRequest<'_>) -> VerificationOutcome;

    /// Verifies one badge and also returns every document the check fetched or resolved
    /// (URL, media type, verbatim body), for the backpack to keep with the badge so that it can
    /// be verified offline later. The default keeps nothing;
    /// [`ProofVerifier`](crate::proof::ProofVerifier) keeps what its loader returned when it is
    /// given a [`Recording`](openbadges_proof::loader::Recording).
    fn verify_keeping(&self, request: &VerifyRequest<'_>) -> (VerificationOutcome, Vec<Document>) {
        (self.verify(request), Vec::new())
    }

    /// [`verify_keeping`](Verifier::verify_keeping) for each of `requests`, answers in the same
    /// order: what the backpack asks when a batch holds several badges to verify. The default
    /// verifies one after the other; a verifier that can check several at once (on several
    /// threads: [`ProofVerifier`](crate::proof::ProofVerifier)) overrides it. Each answer must
    /// be the one `verify_keeping` gives for that request alone.
    fn verify_keeping_many(
        &self,
        requests: &[VerifyRequest<'_>],
    ) -> Vec<(VerificationOutcome, Vec<Document>)> {
        requests.iter().map(|r| self.verify_keeping(r)).collect()
    }

    /// [`verify_keeping_many`](Verifier::verify_keeping_many) with each report rendered as JSON
    /// text ([`RenderedOutcome`]), running `meanwhile` on the calling thread while `requests`
    /// are verified: what the backpack asks of the badges it verifies ahead, taking the badges
    /// verified before through its pipeline meanwhile. The default runs `meanwhile` first, then
    /// verifies and renders on the calling thread; a verifier that verifies on other threads
    /// ([`ProofVerifier`](crate::proof::ProofVerifier)) runs both at once and renders each
    /// report on the thread that verified it. The answers must be those of
    /// `verify_keeping_many`, rendered.
    fn verify_rendered_many_while(
        &self,
        requests: &[VerifyRequest<'_>],
        meanwhile: &mut dyn FnMut(),
    ) -> Vec<(RenderedOutcome, Vec<Document>)> {
        meanwhile();
        self.verify_keeping_many(requests)
            .into_iter()
            .map(|(outcome, docs)| (outcome.into(), docs))
            .collect()
    }
}

impl<V: Verifier + ?Sized> Verifier for &V {
    fn verify(&self, request: &VerifyRequest<'_>) -> VerificationOutcome {
        (**self).verify(request)
    }

    fn verify_keeping(&self, request: &VerifyRequest<'_>) -> (VerificationOutcome, Vec<Document>) {
        (**self).verify_keeping(request)
    }

    fn verify_keeping_many(
        &self,
        requests: &[VerifyRequest<'_>],
    ) -> Vec<(VerificationOutcome, Vec<Document>)> {
        (**self).verify_keeping_many(requests)
    }

    fn verify_rendered_many_while(
        &self,
        requests: &[VerifyRequest<'_>],
        meanwhile: &mut dyn FnMut(),
    ) -> Vec<(RenderedOutcome, Vec<Document>)> {
        (**self).verify_rendered_many_while(requests, meanwhile)
    }
}

impl<V: Verifier + ?Sized> Verifier for Box<V> {
    fn verify(&self, request: &VerifyRequest<'_>) -> VerificationOutcome {
        (**self).verify(request)
    }

    fn verify_keeping(&self, request: &VerifyRequest<'_>) -> (VerificationOutcome, Vec<Document>) {
        (**self).verify_keeping(request)
    }

    fn verify_keeping_many(
        &self,
        requests: &[VerifyRequest<'_>],
    ) -> Vec<(VerificationOutcome, Vec<Document>)> {
        (**self).verify_keeping_many(requests)
    }

    fn verify_rendered_many_while(
        &self,
        requests: &[VerifyRequest<'_>],
        meanwhile: &mut dyn FnMut(),
    ) -> Vec<(RenderedOutcome, Vec<Document>)> {
        (**self).verify_rendered_many_while(requests, meanwhile)
    }
}
