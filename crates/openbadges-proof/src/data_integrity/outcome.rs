//! The verdicts of Data Integrity verification: finding codes, the outcome of one proof and
//! of a credential.

use std::fmt;

/// A stable finding code of Data Integrity verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiCode {
    /// The signature does not verify over the canonical document and proof configuration.
    SignatureInvalid,
    /// The proof value is not a multibase base58btc 64-byte Ed25519 signature.
    ProofValueMalformed,
    /// The proof is missing required members or has wrong ones.
    ProofMalformed,
    /// The credential has no proof.
    NoProof,
    /// A `DataIntegrityProof` with a cryptosuite this library does not verify.
    UnsupportedCryptosuite,
    /// A proof type this library does not verify.
    UnsupportedProofType,
    /// The deprecated `eddsa-2022` cryptosuite (warning).
    DeprecatedCryptosuite,
    /// JSON-LD safe mode: an undefined term, relative `@type`/IRI, or other silent drop.
    JsonLdSafeMode,
    /// Invalid JSON-LD (bad context, bad value object...).
    JsonLdInvalid,
    /// A context that is not bundled (no network is ever used).
    UnknownContext,
    /// The verification method's controller is not the credential's issuer.
    KeyNotOwnedByIssuer,
    /// The controller document lists the method, but not under `assertionMethod`.
    KeyNotAuthorized,
    /// The issuer's controller document does not list the verification method, lists it
    /// with another key than its identifier names (`https://…#z6Mk…`), or lists it on behalf
    /// of another controller.
    KeyNotListedByIssuer,
    /// `proofPurpose` is not the one required ([`VerifyOptions::proof_purpose`](super::VerifyOptions::proof_purpose)).
    ProofPurposeMismatch,
    /// An `authentication` proof (a presentation's) whose verification method is not controlled
    /// by the presentation's `holder`, or that the controller document does not list under
    /// `authentication`.
    KeyNotControlledByHolder,
    /// The proof's `challenge` is not the one the verifier expects ([`VerifyOptions::challenge`](super::VerifyOptions::challenge)).
    ChallengeMismatch,
    /// The proof's `domain` does not include the one the verifier expects
    /// ([`VerifyOptions::domain`](super::VerifyOptions::domain)).
    DomainMismatch,
    /// The verification method identifier or key is malformed or can never resolve.
    VerificationMethodInvalid,
    /// The verification method needs a document that could not be obtained.
    VerificationMethodUnresolved,
    /// The DID method is not supported.
    UnsupportedDidMethod,
    /// A processing limit was hit (possible poison dataset).
    LimitExceeded,
}

impl DiCode {
    /// The code as SCREAMING_SNAKE_CASE text (for reports).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignatureInvalid => "SIGNATURE_INVALID",
            Self::ProofValueMalformed => "PROOF_VALUE_MALFORMED",
            Self::ProofMalformed => "PROOF_MALFORMED",
            Self::NoProof => "NO_PROOF",
            Self::UnsupportedCryptosuite => "UNSUPPORTED_CRYPTOSUITE",
            Self::UnsupportedProofType => "UNSUPPORTED_PROOF_TYPE",
            Self::DeprecatedCryptosuite => "DEPRECATED_CRYPTOSUITE",
            Self::JsonLdSafeMode => "JSONLD_SAFE_MODE",
            Self::JsonLdInvalid => "JSONLD_INVALID",
            Self::UnknownContext => "UNKNOWN_CONTEXT",
            Self::KeyNotOwnedByIssuer => "KEY_NOT_OWNED_BY_ISSUER",
            Self::KeyNotAuthorized => "KEY_NOT_AUTHORIZED",
            Self::KeyNotListedByIssuer => "KEY_NOT_LISTED_BY_ISSUER",
            Self::ProofPurposeMismatch => "PROOF_PURPOSE_MISMATCH",
            Self::KeyNotControlledByHolder => "KEY_NOT_CONTROLLED_BY_HOLDER",
            Self::ChallengeMismatch => "CHALLENGE_MISMATCH",
            Self::DomainMismatch => "DOMAIN_MISMATCH",
            Self::VerificationMethodInvalid => "VERIFICATION_METHOD_INVALID",
            Self::VerificationMethodUnresolved => "VERIFICATION_METHOD_UNRESOLVED",
            Self::UnsupportedDidMethod => "UNSUPPORTED_DID_METHOD",
            Self::LimitExceeded => "LIMIT_EXCEEDED",
        }
    }
}

impl fmt::Display for DiCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The verdict on one proof, or on a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Checked and correct.
    Valid,
    /// Checked and wrong (forged, tampered, wrong key...).
    Invalid {
        /// Why.
        code: DiCode,
        /// Details.
        message: String,
    },
    /// Could not be checked (unsupported feature, missing document).
    Indeterminate {
        /// Why.
        code: DiCode,
        /// Details.
        message: String,
    },
}

impl Outcome {
    /// Whether this is [`Outcome::Valid`].
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid)
    }

    /// The finding code, if not valid.
    pub fn code(&self) -> Option<DiCode> {
        match self {
            Self::Valid => None,
            Self::Invalid { code, .. } | Self::Indeterminate { code, .. } => Some(*code),
        }
    }

    pub(super) fn invalid(code: DiCode, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    pub(super) fn indeterminate(code: DiCode, message: impl Into<String>) -> Self {
        Self::Indeterminate {
            code,
            message: message.into(),
        }
    }
}

/// The result of verifying one proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofVerification {
    /// Position of the proof in the `proof` array (0 for a single proof).
    pub index: usize,
    /// The proof `type`.
    pub proof_type: String,
    /// The `cryptosuite`, for `DataIntegrityProof`.
    pub cryptosuite: Option<String>,
    /// The `verificationMethod`.
    pub verification_method: Option<String>,
    /// The verdict.
    pub outcome: Outcome,
    /// Warnings (e.g. [`DiCode::DeprecatedCryptosuite`]).
    pub warnings: Vec<DiCode>,
}

/// The result of verifying all proofs of a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiVerification {
    /// Overall: valid when at least one supported proof is valid; otherwise invalid when a
    /// proof was checked and found wrong; otherwise indeterminate.
    pub outcome: Outcome,
    /// Per proof.
    pub proofs: Vec<ProofVerification>,
}
