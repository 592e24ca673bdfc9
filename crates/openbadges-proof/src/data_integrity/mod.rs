//! W3C Data Integrity proofs for Open Badges 3.0 / CLR 2.0: `eddsa-rdfc-2022` (create and
//! verify), and verification of the deprecated `eddsa-2022` and of `Ed25519Signature2020`.
//!
//! Pipeline: JSON-LD expansion with bundled contexts in safe mode → RDF → RDFC-1.0 →
//! SHA-256 of the canonical proof configuration and of the canonical document →
//! Ed25519 over `proofHash || documentHash`.
//!
//! The module holds the verdict types (`outcome`), the verification options and the
//! controller documents they take (`options`), the canonical forms and hashes a proof signs
//! (`hashing`), signing (`signing`) and verification (`verification`).
//!
//! ```
//! use openbadges_proof::data_integrity::{sign, verify, Ed25519Signer, ProofOptions, VerifyOptions};
//! let signer = Ed25519Signer::from_seed(&[7u8; 32])?;
//! let did = signer.did_key();
//! let credential = serde_json::json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2",
//!                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
//!     "id": "urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b10",
//!     "type": ["VerifiableCredential", "OpenBadgeCredential"],
//!     "issuer": {"id": did, "type": ["Profile"], "name": "Example"},
//!     "validFrom": "2024-01-01T00:00:00Z",
//!     "name": "Badge",
//!     "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
//!         "id": "urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e77", "type": ["Achievement"],
//!         "name": "A", "description": "B", "criteria": {"narrative": "C"}}}
//! });
//! let options = ProofOptions::new(signer.verification_method_did_key(), "2024-01-01T00:00:00Z");
//! let signed = sign(&credential, &signer, &options)?;
//! let result = verify(&signed, &VerifyOptions::default());
//! assert!(result.outcome.is_valid(), "{result:?}");
//! # Ok::<(), openbadges_proof::data_integrity::DiError>(())
//! ```

mod hashing;
mod options;
mod outcome;
mod signing;
mod verification;

pub use hashing::{canonical_nquads, hash_data};
pub use options::{ControllerDocuments, LoaderDocuments, VerifyOptions};
pub use outcome::{DiCode, DiVerification, Outcome, ProofVerification};
pub use signing::{Ed25519Signer, ProofOptions, sign};
pub use verification::verify;

use crate::jsonld::JsonLdError;
use crate::rdfc::RdfcError;

/// Errors of signing and of the hashing helpers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DiError {
    /// JSON-LD processing failed.
    #[error(transparent)]
    JsonLd(#[from] JsonLdError),
    /// Canonicalization failed.
    #[error(transparent)]
    Rdfc(#[from] RdfcError),
    /// The key is invalid.
    #[error("invalid key")]
    Key,
    /// The document is not a JSON object.
    #[error("the document must be a JSON object")]
    NotAnObject,
}
