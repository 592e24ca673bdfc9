//! The verification report: a status, the checks that ran, and errors and warnings with stable
//! codes.
//!
//! The status is derived from the findings, never set by hand:
//! - any error whose code [`Code::is_verdict`] (checked and wrong: forged, expired, revoked,
//!   mismatched, malformed) makes the report [`Status::Invalid`];
//! - otherwise any error (a fetch failure, an unsupported feature) makes it
//!   [`Status::Indeterminate`] — "could not check" is never "invalid" and never "valid";
//! - otherwise it is [`Status::Valid`].
//!
//! # Codes
//!
//! | code | kind | meaning |
//! |---|---|---|
//! | `SIGNATURE_INVALID` | verdict | the signature does not verify with the issuer's key(s) |
//! | `ALGORITHM_NOT_ALLOWED` | verdict | `none`, HMAC, unknown, or not the key's algorithm |
//! | `MALFORMED_JWS` | verdict | not a well-formed compact JWS (a JOSE header with a duplicate member name included) |
//! | `SIGNATURE_MISSING` | verdict | a `SignedBadge` given as plain JSON, without its JWS |
//! | `KEY_NOT_OWNED_BY_ISSUER` | verdict | key `owner` is not the issuer, or the issuer does not list the key |
//! | `KEY_NOT_LISTED_BY_ISSUER` | verdict | the issuer's controller document / DID document / JWKS does not list the key for issuing (see docs/verification.md, "Key provenance") |
//! | `KEY_INVALID` | verdict | the key document has no usable `publicKeyPem`; a controller document that is not I-JSON |
//! | `KEY_NOT_FOUND` | verdict | no `creator` and the issuer lists no key |
//! | `EXPIRED` | verdict | `expires` is past |
//! | `NOT_YET_VALID` | verdict | `issuedOn` is in the future |
//! | `REVOKED` | verdict | `revoked: true`, HTTP 410, or listed in the revocation list |
//! | `RECIPIENT_MISMATCH` | verdict | no identity of the recipient profile matches |
//! | `OUT_OF_VERIFICATION_SCOPE` | verdict | assertion or badge class outside the issuer's verification policy |
//! | `SCHEMA_INVALID` | verdict | a required property is missing or malformed |
//! | `MALFORMED_JSON` | verdict | the input, a JWS payload or a fetched document is not I-JSON (malformed, or a duplicate member name: the message names its JSON pointer) |
//! | `INPUT_UNRECOGNIZED` | verdict | not a badge in any recognised form |
//! | `NO_BAKED_BADGE` | verdict | an image without a baked badge |
//! | `IMAGE_INVALID` | verdict | an image breaking the baking specification |
//! | `ID_MISMATCH` | verdict (warning when resolved) | the hosted copy declares another id |
//! | `FETCH_FAILED` | could not check | a needed document could not be fetched |
//! | `INPUT_UNREADABLE` | could not check | the input could not be read |
//! | `UNSUPPORTED` | could not check | a version or feature this build does not verify |
//! | `ENDORSEMENT_NOT_VERIFIED` | warning | an endorsement did not verify |
//! | `IMAGE_WARNING` | warning | duplicate baked badge, legacy tEXt chunk, … |
//! | `LEGACY_UPGRADED` | warning | a 0.5–1.1 badge was upgraded to 2.0 first |
//! | `CLAIM_MISMATCH` | verdict | a VC-JWT claim disagrees with the credential, or an unexpected JOSE header member |
//! | `SUSPENDED` | verdict | a status list marks the credential suspended |
//! | `KEY_NOT_BOUND` | could not check | a VC-JWT header `jwk` not bound to the issuer |
//! | `NO_PROOF` | verdict | an OB 3.0 / CLR 2.0 credential without any proof (and not inside a CLR whose proof covers it) |
//! | `NOT_AN_OPEN_BADGE` | verdict | a Verifiable Credential that is none of `OpenBadgeCredential`, `AchievementCredential`, `EndorsementCredential`, `ClrCredential` |
//! | `STATUS_UNCHECKED` | could not check | a status list could not be loaded, verified or read |
//! | `REFRESH_NOT_FOLLOWED` | warning | a refresh service is present and was not followed |
//! | `PROOF_WARNING` | warning | deprecated cryptosuite, or an unsupported proof next to a valid one |
//! | `PRESENTATION_UNSIGNED` | warning | a VerifiablePresentation without proof (its credentials are still verified) |
//! | `PROOF_PURPOSE_MISMATCH` | verdict | a presentation's proof whose `proofPurpose` is not `authentication` |
//! | `KEY_NOT_CONTROLLED_BY_HOLDER` | verdict | a presentation signed by a key its `holder` does not control (or does not list under `authentication`) |
//! | `CHALLENGE_MISMATCH` | verdict | the presentation's proof lacks the expected `challenge` (or the presentation is unsigned) |
//! | `DOMAIN_MISMATCH` | verdict | the presentation's proof lacks the expected `domain` (or the presentation is unsigned) |
//! | `CREDENTIAL_INVALID` | verdict | a credential embedded in a presentation is invalid (see `credentials`) |
//! | `CREDENTIAL_UNCHECKED` | could not check | a credential embedded in a presentation could not be checked |
//!
//! # Check ids and the reference verifier (badgecheck) tasks
//!
//! | check id | badgecheck task |
//! |---|---|
//! | `detect-input` | `DETECT_INPUT_TYPE` |
//! | `fetch-assertion`, `fetch-badgeclass`, `fetch-issuer`, `fetch-endorsement` | `FETCH_HTTP_NODE` |
//! | `schema` | `VALIDATE_PROPERTY`, `VALIDATE_EXPECTED_NODE_CLASS`, `IDENTITY_OBJECT_PROPERTY_DEPENDENCIES` |
//! | `hosted-id-in-scope`, `badgeclass-in-scope` | `HOSTED_ID_IN_VERIFICATION_SCOPE` |
//! | `jws-algorithm`, `jws-payload`, `jws-signature` | `VERIFY_JWS` |
//! | `key-discovery`, `key-ownership` | `VERIFY_KEY_OWNERSHIP` |
//! | `not-revoked` | `VERIFY_SIGNED_ASSERTION_NOT_REVOKED` |
//! | `timestamps` | `ASSERTION_TIMESTAMP_CHECKS` |
//! | `recipient` | `VERIFY_RECIPIENT_IDENTIFIER` |
//! | `assertion-id`, `issuer-id`, `endorsements`, `endorsement-claim` | (no counterpart) |
//!
//! ```
//! use openbadges_proof::report::{Code, Report, Status};
//! let mut r = Report::new("badge.json");
//! r.error(Code::FetchFailed, "issuer unreachable", None);
//! assert_eq!(r.status(), Status::Indeterminate);
//! r.error(Code::Expired, "expired on 2024-02-01", None);
//! assert_eq!(r.status(), Status::Invalid);
//! ```

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The overall outcome: the one verdict of the workspace (reports, the CLI's exit code, the
/// backpack's stored verification). Serialized as [`as_str`](Status::as_str).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every check passed.
    Valid,
    /// Checked and wrong.
    Invalid,
    /// Could not be checked (a document was unreachable, a feature is unsupported).
    Indeterminate,
}

impl Status {
    /// `"valid"`, `"invalid"` or `"indeterminate"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Indeterminate => "indeterminate",
        }
    }

    /// Reads [`as_str`](Status::as_str)'s names back (`valid`, `invalid`, `indeterminate`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "valid" => Some(Status::Valid),
            "invalid" => Some(Status::Invalid),
            "indeterminate" => Some(Status::Indeterminate),
            _ => None,
        }
    }
}

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// It held.
    Passed,
    /// It did not hold (an error was recorded).
    Failed,
    /// It held with a reservation (a warning was recorded).
    Warning,
    /// It did not apply or could not run.
    Skipped,
}

/// One check that ran (or was skipped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `jws-signature` (see the crate docs for the table). The ids are
    /// fixed names, kept without a copy.
    pub id: Cow<'static, str>,
    /// Outcome.
    pub status: CheckStatus,
    /// Human-readable detail (a fixed text is kept without a copy).
    pub message: Cow<'static, str>,
    /// The id (IRI) of the node it concerns, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $v:ident = $s:literal, $verdict:literal; )*) => {
        /// A stable finding code. The string forms never change meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code { $( $(#[$doc])* $v, )* }
        impl Code {
            /// The stable string, e.g. `SIGNATURE_INVALID`.
            pub fn as_str(self) -> &'static str { match self { $( Code::$v => $s, )* } }
            /// Whether an error with this code is a verdict (makes the report invalid) rather
            /// than "could not check" (indeterminate).
            pub fn is_verdict(self) -> bool { match self { $( Code::$v => $verdict, )* } }
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$v, )* ];
        }
    };
}

codes! {
    /// The signature does not verify with the issuer's key.
    SignatureInvalid = "SIGNATURE_INVALID", true;
    /// The JWS uses `none`, HMAC, an unknown algorithm, or one that does not match the key.
    AlgorithmNotAllowed = "ALGORITHM_NOT_ALLOWED", true;
    /// The compact JWS is malformed.
    MalformedJws = "MALFORMED_JWS", true;
    /// A signed badge given without its signature (plain JSON claiming `SignedBadge`).
    SignatureMissing = "SIGNATURE_MISSING", true;
    /// The signing key is not linked to the issuer both ways (key `owner` and issuer `publicKey`).
    KeyNotOwnedByIssuer = "KEY_NOT_OWNED_BY_ISSUER", true;
    /// The issuer's own controller document (DID document, `https` controller document, JWKS)
    /// does not list the signing key for issuing: the method is missing, listed with another
    /// key than its `#z6Mk…` fragment names, listed on another controller's behalf, or not
    /// under `assertionMethod`.
    KeyNotListedByIssuer = "KEY_NOT_LISTED_BY_ISSUER", true;
    /// The issuer's key document is unusable (no or bad `publicKeyPem`, unsupported type).
    KeyInvalid = "KEY_INVALID", true;
    /// The issuer lists no key that could have signed the badge.
    KeyNotFound = "KEY_NOT_FOUND", true;
    /// `expires` is in the past.
    Expired = "EXPIRED", true;
    /// `issuedOn` is in the future.
    NotYetValid = "NOT_YET_VALID", true;
    /// Revoked: `revoked: true`, HTTP 410, or listed in the issuer's revocation list.
    Revoked = "REVOKED", true;
    /// The recipient does not match any identity in the recipient profile.
    RecipientMismatch = "RECIPIENT_MISMATCH", true;
    /// The hosted assertion (or its badge class) is outside the issuer's verification scope.
    OutOfVerificationScope = "OUT_OF_VERIFICATION_SCOPE", true;
    /// The document breaks the data model (missing or malformed required property).
    SchemaInvalid = "SCHEMA_INVALID", true;
    /// The input or a fetched document is not well-formed JSON.
    MalformedJson = "MALFORMED_JSON", true;
    /// The input is not a badge in any recognised form.
    InputUnrecognized = "INPUT_UNRECOGNIZED", true;
    /// A baked image holds no badge.
    NoBakedBadge = "NO_BAKED_BADGE", true;
    /// A baked image breaks the baking specification (e.g. a compressed iTXt chunk).
    ImageInvalid = "IMAGE_INVALID", true;
    /// The hosted copy declares another `id` than the URL it came from (warning when that
    /// declared id serves itself, error otherwise).
    IdMismatch = "ID_MISMATCH", true;
    /// A required document could not be fetched (network, HTTP error, offline).
    FetchFailed = "FETCH_FAILED", false;
    /// The input itself could not be read (missing file, permission, I/O error).
    InputUnreadable = "INPUT_UNREADABLE", false;
    /// A feature this verifier does not support (a version, a proof type).
    Unsupported = "UNSUPPORTED", false;
    /// An endorsement did not verify (always a warning: it does not affect the badge).
    EndorsementNotVerified = "ENDORSEMENT_NOT_VERIFIED", false;
    /// A baked image carries something worth noting (duplicate badge, legacy chunk); warning.
    ImageWarning = "IMAGE_WARNING", false;
    /// A legacy (0.5–1.1) badge was upgraded to 2.0 before verification; warning.
    LegacyUpgraded = "LEGACY_UPGRADED", false;
    /// OB 2.0 hosted verification: the assertion (or badge class) is on the host the issuer's
    /// policy allows, but under `http` where the issuer wrote `https` or the reverse; warning.
    SchemeChanged = "SCHEME_CHANGED", false;
    /// A VC-JWT claim (`iss`, `sub`, `jti`, `nbf`, `exp`) disagrees with the credential, or the
    /// JOSE header has a member other than `alg`/`kid`/`jwk`/`typ`.
    ClaimMismatch = "CLAIM_MISMATCH", true;
    /// The credential is suspended (status list bit set, purpose `suspension`).
    Suspended = "SUSPENDED", true;
    /// The VC-JWT key (a header `jwk`) could not be bound to the issuer (JWKS, DID, pinned key).
    KeyNotBound = "KEY_NOT_BOUND", false;
    /// The credential carries no proof at all (OB 3.0 / CLR 2.0), and is not inside a CLR
    /// whose proof covers it: nothing shows who issued it, so it is not a verifiable credential.
    NoProof = "NO_PROOF", true;
    /// A Verifiable Credential that is not an Open Badge: its `type` names none of
    /// `OpenBadgeCredential`, `AchievementCredential`, `EndorsementCredential`,
    /// `ClrCredential`. Decided from the document alone, before any proof or fetch.
    NotAnOpenBadge = "NOT_AN_OPEN_BADGE", true;
    /// A status list could not be used (not loadable, not verified, malformed, too large).
    StatusUnchecked = "STATUS_UNCHECKED", false;
    /// A refresh service is present and was not followed (warning).
    RefreshNotFollowed = "REFRESH_NOT_FOLLOWED", false;
    /// A deprecated or unsupported proof next to a valid one, or a deprecated cryptosuite
    /// (warning).
    ProofWarning = "PROOF_WARNING", false;
    /// A VerifiablePresentation without a proof: nothing proves who presents it (warning; its
    /// credentials are still verified).
    PresentationUnsigned = "PRESENTATION_UNSIGNED", false;
    /// A presentation's proof whose `proofPurpose` is not `authentication`.
    ProofPurposeMismatch = "PROOF_PURPOSE_MISMATCH", true;
    /// A presentation's proof by a key that its `holder` does not control, or that the holder's
    /// controller document does not list under `authentication`.
    KeyNotControlledByHolder = "KEY_NOT_CONTROLLED_BY_HOLDER", true;
    /// The presentation's proof does not carry the `challenge` the verifier expects (or the
    /// presentation has no proof at all).
    ChallengeMismatch = "CHALLENGE_MISMATCH", true;
    /// The presentation's proof does not carry the `domain` the verifier expects (or the
    /// presentation has no proof at all).
    DomainMismatch = "DOMAIN_MISMATCH", true;
    /// A credential embedded in a presentation is invalid (its own report says why).
    CredentialInvalid = "CREDENTIAL_INVALID", true;
    /// A credential embedded in a presentation could not be checked (its own report says why).
    CredentialUnchecked = "CREDENTIAL_UNCHECKED", false;
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An error or warning with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// Human-readable detail.
    pub message: String,
    /// The id (IRI) of the node it concerns, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

/// The result of verifying one input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// What was verified (a path or URL, as the caller named it).
    pub input: String,
    /// The derived status (kept in sync by the recording methods).
    status: Status,
    /// The detected Open Badges version (`"2.0"`, `"1.0"`, …), if known.
    pub version: Option<String>,
    /// The proof method: `"hosted"`, `"jws"`, … if known.
    pub proof: Option<String>,
    /// The checks, in the order they ran.
    pub checks: Vec<Check>,
    /// Errors (they decide the status).
    pub errors: Vec<Finding>,
    /// Warnings (they never change the status).
    pub warnings: Vec<Finding>,
    /// Reports for the endorsements found on the assertion, badge class and issuer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub endorsements: Vec<Report>,
    /// Reports for the credentials embedded in a CLR 2.0 ClrCredential or a
    /// VerifiablePresentation, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<Report>,
}

impl Report {
    /// An empty (valid) report for `input`.
    pub fn new(input: impl Into<String>) -> Self {
        Report {
            input: input.into(),
            status: Status::Valid,
            version: None,
            proof: None,
            checks: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            endorsements: Vec::new(),
            credentials: Vec::new(),
        }
    }

    /// The status derived from the errors.
    pub fn status(&self) -> Status {
        self.status
    }

    fn recompute(&mut self) {
        self.status = if self.errors.iter().any(|e| e.code.is_verdict()) {
            Status::Invalid
        } else if self.errors.is_empty() {
            Status::Valid
        } else {
            Status::Indeterminate
        };
    }

    /// Records an error.
    pub fn error(&mut self, code: Code, message: impl Into<String>, node: Option<&str>) {
        self.errors.push(Finding {
            code,
            message: message.into(),
            node: node.map(str::to_string),
        });
        self.recompute();
    }

    /// Records a warning.
    pub fn warning(&mut self, code: Code, message: impl Into<String>, node: Option<&str>) {
        self.warnings.push(Finding {
            code,
            message: message.into(),
            node: node.map(str::to_string),
        });
    }

    /// Records a check outcome.
    pub fn check(
        &mut self,
        id: &'static str,
        status: CheckStatus,
        message: impl Into<Cow<'static, str>>,
        node: Option<&str>,
    ) {
        self.checks.push(Check {
            id: Cow::Borrowed(id),
            status,
            message: message.into(),
            node: node.map(str::to_string),
        });
    }

    /// Records a passed check.
    pub fn pass(
        &mut self,
        id: &'static str,
        message: impl Into<Cow<'static, str>>,
        node: Option<&str>,
    ) {
        self.check(id, CheckStatus::Passed, message, node);
    }

    /// Records a failed check and the error that goes with it.
    pub fn fail(
        &mut self,
        id: &'static str,
        code: Code,
        message: impl Into<String>,
        node: Option<&str>,
    ) {
        let m: String = message.into();
        self.check(id, CheckStatus::Failed, m.clone(), node);
        self.error(code, m, node);
    }

    /// Records a skipped check.
    pub fn skip(
        &mut self,
        id: &'static str,
        message: impl Into<Cow<'static, str>>,
        node: Option<&str>,
    ) {
        self.check(id, CheckStatus::Skipped, message, node);
    }

    /// Whether an error with `code` was recorded.
    pub fn has_error(&self, code: Code) -> bool {
        self.errors.iter().any(|e| e.code == code)
    }

    /// The first error's code: the headline reason for an invalid or indeterminate report.
    pub fn primary_code(&self) -> Option<Code> {
        self.errors
            .iter()
            .find(|e| e.code.is_verdict())
            .or(self.errors.first())
            .map(|e| e.code)
    }

    /// The report as one JSON line in the CLI's shape.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_shape_matches_the_cli_contract() {
        let mut r = Report::new("x.json");
        r.version = Some("2.0".into());
        r.proof = Some("hosted".into());
        r.fail("timestamps", Code::Expired, "expired", Some("urn:x"));
        r.warning(Code::LegacyUpgraded, "upgraded", None);
        let v: serde_json::Value = serde_json::from_str(&r.to_json_line()).unwrap();
        assert_eq!(v["status"], "invalid");
        assert_eq!(v["errors"][0]["code"], "EXPIRED");
        assert_eq!(v["checks"][0]["status"], "failed");
        assert_eq!(v["warnings"][0]["code"], "LEGACY_UPGRADED");
        assert_eq!(v["proof"], "hosted");
        assert!(v.get("endorsements").is_none());
    }

    #[test]
    fn warnings_never_change_status_and_fetch_failure_is_indeterminate() {
        let mut r = Report::new("x");
        r.warning(Code::IdMismatch, "w", None);
        assert_eq!(r.status(), Status::Valid);
        r.error(Code::FetchFailed, "down", None);
        assert_eq!(r.status(), Status::Indeterminate);
        r.error(Code::SignatureInvalid, "bad", None);
        assert_eq!(r.status(), Status::Invalid);
        assert_eq!(r.primary_code(), Some(Code::SignatureInvalid));
    }
}
