//! W3C Data Integrity proofs for Open Badges 3.0 / CLR 2.0: `eddsa-rdfc-2022` (create and
//! verify), and verification of the deprecated `eddsa-2022` and of `Ed25519Signature2020`.
//!
//! Pipeline: JSON-LD expansion with bundled contexts in safe mode → RDF → RDFC-1.0 →
//! SHA-256 of the canonical proof configuration and of the canonical document →
//! Ed25519 over `proofHash || documentHash`.
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

use std::fmt;

use ring::digest::{SHA256, digest};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair as _, UnparsedPublicKey};
use serde_json::{Map, Value};

use crate::did::{
    BoundMethod, DidError, ProvenanceError, Relationship, resolve_verification_method,
};
use crate::jsonld::{
    BundledContexts, ContextLoader, JsonLdError, JsonLdLimits, JsonLdOptions, to_rdf,
};
use crate::multibase::{Multikey, decode_base58btc, encode_base58btc};
use crate::rdfc::{CanonLimits, RdfcError, canonicalize};

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
    /// `proofPurpose` is not the one required ([`VerifyOptions::proof_purpose`]).
    ProofPurposeMismatch,
    /// An `authentication` proof (a presentation's) whose verification method is not controlled
    /// by the presentation's `holder`, or that the controller document does not list under
    /// `authentication`.
    KeyNotControlledByHolder,
    /// The proof's `challenge` is not the one the verifier expects ([`VerifyOptions::challenge`]).
    ChallengeMismatch,
    /// The proof's `domain` does not include the one the verifier expects
    /// ([`VerifyOptions::domain`]).
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

    fn invalid(code: DiCode, message: impl Into<String>) -> Self {
        Self::Invalid {
            code,
            message: message.into(),
        }
    }

    fn indeterminate(code: DiCode, message: impl Into<String>) -> Self {
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

/// Controller documents (DID documents for `did:web`, or JSON documents at an `https`
/// controller URL) that verification may need. Fetching is the caller's job (its loader);
/// this trait only hands over what was fetched or preloaded.
pub trait ControllerDocuments {
    /// The document at `url`, if available.
    fn document(&self, url: &str) -> Option<Value>;

    /// The document at `url`: `Ok(None)` when it is not available (could not check),
    /// `Err(why)` when it was fetched and is not I-JSON (malformed, a duplicate member name:
    /// checked and wrong). The default asks [`ControllerDocuments::document`].
    ///
    /// # Errors
    /// Why the fetched document cannot be read.
    fn document_checked(&self, url: &str) -> Result<Option<Value>, String> {
        Ok(self.document(url))
    }
}

/// Controller documents through a [`DocumentLoader`](crate::loader::DocumentLoader) (the
/// guarded HTTP loader, preloaded documents), parsed within `limits`.
#[derive(Clone, Copy)]
pub struct LoaderDocuments<'a> {
    /// Where documents come from.
    pub loader: &'a dyn crate::loader::DocumentLoader,
    /// Limits for parsing them.
    pub limits: openbadges_model::Limits,
}

impl fmt::Debug for LoaderDocuments<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoaderDocuments")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ControllerDocuments for LoaderDocuments<'_> {
    fn document(&self, url: &str) -> Option<Value> {
        self.document_checked(url).ok().flatten()
    }

    /// A document that could not be loaded, or is over the limits, is unavailable (could not
    /// check); one that is malformed or has a duplicate member name is an error.
    fn document_checked(&self, url: &str) -> Result<Option<Value>, String> {
        let Ok(d) = self.loader.load(url) else {
            return Ok(None);
        };
        match openbadges_model::parse_json(&d.body, &self.limits) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_limit() => Ok(None),
            Err(e) => Err(format!("controller document {url}: {e}")),
        }
    }
}

impl ControllerDocuments for std::collections::HashMap<String, Value> {
    fn document(&self, url: &str) -> Option<Value> {
        self.get(url).cloned()
    }
}

/// Options of [`verify`].
#[derive(Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// JSON-LD contexts (default: the bundled ones).
    pub contexts: &'a dyn ContextLoader,
    /// Controller documents for `did:web` and `https` verification methods.
    pub documents: Option<&'a dyn ControllerDocuments>,
    /// Canonicalization limits.
    pub canon_limits: CanonLimits,
    /// JSON-LD limits.
    pub jsonld_limits: JsonLdLimits,
    /// The proof purpose required (default `assertionMethod`). With `authentication` (a
    /// presentation's proof) the verification method must be controlled by the document's
    /// `holder` and, when it comes from a controller document, be listed there under
    /// `authentication`; otherwise it must be controlled by the `issuer` and listed under
    /// `assertionMethod`.
    pub proof_purpose: &'a str,
    /// The `challenge` the proof must carry (default: none required; a proof's own `challenge`
    /// is then signed over but not compared).
    pub challenge: Option<&'a str>,
    /// The `domain` the proof must carry (a string equal to it, or an array containing it).
    pub domain: Option<&'a str>,
    /// DANGEROUS: take the key of an `https://…#z6Mk…` verification method from its fragment
    /// without the controller document (the 1EdTech validator's shortcut). Anyone can then
    /// sign in the name of any `https` issuer. Default `false`: the controller document must
    /// list the key (see [`crate::did::resolve_verification_method`]).
    pub dangerous_trust_key_in_https_fragment: bool,
}

impl Default for VerifyOptions<'_> {
    fn default() -> Self {
        Self {
            contexts: &BundledContexts,
            documents: None,
            canon_limits: CanonLimits::default(),
            jsonld_limits: JsonLdLimits::default(),
            proof_purpose: "assertionMethod",
            challenge: None,
            domain: None,
            dangerous_trust_key_in_https_fragment: false,
        }
    }
}

impl fmt::Debug for VerifyOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("canon_limits", &self.canon_limits)
            .field("proof_purpose", &self.proof_purpose)
            .field("challenge", &self.challenge)
            .field("domain", &self.domain)
            .field(
                "dangerous_trust_key_in_https_fragment",
                &self.dangerous_trust_key_in_https_fragment,
            )
            .finish_non_exhaustive()
    }
}

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

/// An Ed25519 signing key (from a 32-byte seed). `Debug` does not show the secret.
pub struct Ed25519Signer {
    pair: Ed25519KeyPair,
}

impl fmt::Debug for Ed25519Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ed25519Signer")
            .field("public", &self.multikey().encode())
            .finish_non_exhaustive()
    }
}

impl Ed25519Signer {
    /// A signer from a 32-byte Ed25519 seed (the first half of a 64-byte "private key").
    ///
    /// # Errors
    /// [`DiError::Key`] if ring rejects the seed.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, DiError> {
        Ed25519KeyPair::from_seed_unchecked(seed)
            .map(|pair| Self { pair })
            .map_err(|_| DiError::Key)
    }

    /// A signer from an Ed25519 [`SecretKey`](crate::key::SecretKey) (read from PEM or JWK).
    ///
    /// # Errors
    /// [`DiError::Key`] for an RSA or P-256 key (eddsa-rdfc-2022 signs with Ed25519 only).
    pub fn from_secret_key(key: &crate::key::SecretKey) -> Result<Self, DiError> {
        let seed = key.ed25519_seed().ok_or(DiError::Key)?;
        Self::from_seed(&seed)
    }

    /// The public key as a Multikey.
    pub fn multikey(&self) -> Multikey {
        let mut k = [0u8; 32];
        k.copy_from_slice(self.pair.public_key().as_ref());
        Multikey::Ed25519(k)
    }

    /// `did:key:z6Mk…` of the public key.
    pub fn did_key(&self) -> String {
        format!("did:key:{}", self.multikey().encode())
    }

    /// `did:key:z6Mk…#z6Mk…`, the verification method of [`Self::did_key`].
    pub fn verification_method_did_key(&self) -> String {
        let m = self.multikey().encode();
        format!("did:key:{m}#{m}")
    }

    /// Signs raw bytes (64-byte Ed25519 signature).
    pub fn sign_bytes(&self, msg: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.pair.sign(msg).as_ref());
        out
    }
}

/// Options of the proof created by [`sign`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProofOptions {
    /// The verification method (e.g. `did:key:z6Mk…#z6Mk…` or `https://issuer/…#z6Mk…`).
    pub verification_method: String,
    /// `created` (an XML Schema dateTime, e.g. `2024-01-01T00:00:00Z`).
    pub created: String,
    /// `proofPurpose` (default `assertionMethod`; `authentication` for a presentation).
    pub proof_purpose: String,
    /// `challenge` (a presentation's proof: the verifier's nonce), if any.
    pub challenge: Option<String>,
    /// `domain` (a presentation's proof: the intended verifier), if any.
    pub domain: Option<String>,
}

impl ProofOptions {
    /// Options for an `assertionMethod` proof.
    pub fn new(verification_method: impl Into<String>, created: impl Into<String>) -> Self {
        Self {
            verification_method: verification_method.into(),
            created: created.into(),
            proof_purpose: "assertionMethod".into(),
            challenge: None,
            domain: None,
        }
    }
}

/// Canonical N-Quads of a JSON-LD document (bundled contexts, safe mode).
///
/// # Errors
/// JSON-LD or canonicalization errors.
pub fn canonical_nquads(doc: &Value) -> Result<String, DiError> {
    canonical_with(
        doc,
        &BundledContexts,
        JsonLdLimits::default(),
        &CanonLimits::default(),
    )
}

fn canonical_with(
    doc: &Value,
    contexts: &dyn ContextLoader,
    jl: JsonLdLimits,
    cl: &CanonLimits,
) -> Result<String, DiError> {
    let opts = JsonLdOptions {
        loader: contexts,
        safe_mode: true,
        limits: jl,
        base: None,
    };
    let ds = to_rdf(doc, &opts)?;
    Ok(canonicalize(&ds, cl)?.nquads)
}

fn concat_hashes(a: &[u8; 32], b: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    let (x, y) = out.split_at_mut(32);
    x.copy_from_slice(a);
    y.copy_from_slice(b);
    out
}

fn sha256(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, s.as_bytes()).as_ref());
    out
}

/// The proof configuration of `proof` for `doc`: the proof without `proofValue` (and
/// legacy `jws`/`signatureValue`), with the document's `@context` when it has none.
fn proof_config(proof: &Map<String, Value>, doc: &Map<String, Value>) -> Value {
    let mut cfg = proof.clone();
    cfg.remove("proofValue");
    cfg.remove("jws");
    cfg.remove("signatureValue");
    if !cfg.contains_key("@context") {
        if let Some(c) = doc.get("@context") {
            cfg.insert("@context".into(), c.clone());
        }
    }
    Value::Object(cfg)
}

/// `SHA-256(canonical proof config) || SHA-256(canonical document)`, the data an
/// `eddsa-rdfc-2022` proof signs. `proof` may contain `proofValue` (it is removed).
///
/// # Errors
/// JSON-LD or canonicalization errors.
pub fn hash_data(doc: &Value, proof: &Value) -> Result<[u8; 64], DiError> {
    let d = doc.as_object().ok_or(DiError::NotAnObject)?;
    let p = proof.as_object().ok_or(DiError::NotAnObject)?;
    let mut unsecured = d.clone();
    unsecured.remove("proof");
    let doc_c = canonical_nquads(&Value::Object(unsecured))?;
    let proof_c = canonical_nquads(&proof_config(p, d))?;
    Ok(concat_hashes(&sha256(&proof_c), &sha256(&doc_c)))
}

/// Adds an `eddsa-rdfc-2022` `DataIntegrityProof` to `doc`. An existing `proof` is kept
/// (the new proof is appended; existing proofs are not signed over). A VC 1.1 document
/// without a context defining the Data Integrity terms gets
/// `https://w3id.org/security/data-integrity/v2` appended to its `@context`.
///
/// # Errors
/// JSON-LD (including safe mode) or canonicalization errors.
pub fn sign(doc: &Value, signer: &Ed25519Signer, options: &ProofOptions) -> Result<Value, DiError> {
    let mut owned = doc.as_object().ok_or(DiError::NotAnObject)?.clone();
    add_data_integrity_context(&mut owned);
    let doc = &Value::Object(owned);
    let d = doc.as_object().ok_or(DiError::NotAnObject)?;
    let mut proof = Map::new();
    proof.insert("type".into(), "DataIntegrityProof".into());
    proof.insert("created".into(), options.created.clone().into());
    proof.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    proof.insert("cryptosuite".into(), "eddsa-rdfc-2022".into());
    proof.insert("proofPurpose".into(), options.proof_purpose.clone().into());
    if let Some(c) = &options.challenge {
        proof.insert("challenge".into(), c.clone().into());
    }
    if let Some(d) = &options.domain {
        proof.insert("domain".into(), d.clone().into());
    }
    let data = hash_data(doc, &Value::Object(proof.clone()))?;
    let sig = signer.sign_bytes(&data);
    proof.insert("proofValue".into(), encode_base58btc(&sig).into());
    let mut out = d.clone();
    match out.remove("proof") {
        None => {
            out.insert("proof".into(), Value::Object(proof));
        }
        Some(Value::Array(mut a)) => {
            a.push(Value::Object(proof));
            out.insert("proof".into(), Value::Array(a));
        }
        Some(p) => {
            out.insert("proof".into(), Value::Array(vec![p, Value::Object(proof)]));
        }
    }
    Ok(Value::Object(out))
}

/// VC 1.1 documents do not define the Data Integrity terms: like the reference libraries,
/// append `https://w3id.org/security/data-integrity/v2` to `@context` when neither the VC 2.0
/// context nor a data-integrity context is present.
fn add_data_integrity_context(doc: &mut Map<String, Value>) {
    const DI_V2: &str = "https://w3id.org/security/data-integrity/v2";
    let has = |c: &Value| {
        matches!(
            c.as_str(),
            Some(
                "https://www.w3.org/ns/credentials/v2"
                    | DI_V2
                    | "https://w3id.org/security/data-integrity/v1"
            )
        )
    };
    match doc.get_mut("@context") {
        Some(Value::Array(a)) if !a.iter().any(has) => {
            a.push(Value::String(DI_V2.into()));
        }
        Some(c @ Value::String(_)) if !has(c) => {
            let old = c.take();
            *c = Value::Array(vec![old, Value::String(DI_V2.into())]);
        }
        _ => {}
    }
}

fn issuer_id(doc: &Map<String, Value>) -> Option<&str> {
    party_id(doc, "issuer")
}

/// The id of `doc[key]`: a string, or an object's `id`.
fn party_id<'d>(doc: &'d Map<String, Value>, key: &str) -> Option<&'d str> {
    match doc.get(key)? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn jsonld_outcome(e: &DiError, what: &str) -> Outcome {
    match e {
        DiError::JsonLd(JsonLdError::UnknownContext(u)) => Outcome::indeterminate(
            DiCode::UnknownContext,
            format!("{what}: unknown context {u}"),
        ),
        DiError::JsonLd(JsonLdError::SafeMode(m)) => {
            Outcome::invalid(DiCode::JsonLdSafeMode, format!("{what}: {m}"))
        }
        DiError::JsonLd(JsonLdError::LimitExceeded(m))
        | DiError::Rdfc(RdfcError::LimitExceeded(m)) => {
            Outcome::indeterminate(DiCode::LimitExceeded, format!("{what}: {m}"))
        }
        other => Outcome::invalid(DiCode::JsonLdInvalid, format!("{what}: {other}")),
    }
}

/// Verifies every proof of `doc`.
///
/// Supported: `DataIntegrityProof` with `eddsa-rdfc-2022` or (deprecated, with a warning)
/// `eddsa-2022`, and `Ed25519Signature2020`. Keys: `did:key`, `did:jwk`, and `did:web` /
/// `https` (also `https://…#z6Mk…`) through their controller documents supplied by
/// [`VerifyOptions::documents`], under the key-provenance rule of
/// [`crate::did::resolve_verification_method`]. The purpose must be [`VerifyOptions::proof_purpose`]: for
/// `assertionMethod` (a credential) the verification method's controller must be the
/// credential's issuer; for `authentication` (a presentation) the presentation's `holder`.
/// [`VerifyOptions::challenge`] / [`VerifyOptions::domain`], when set, must match the proof's.
pub fn verify(doc: &Value, options: &VerifyOptions<'_>) -> DiVerification {
    let Some(d) = doc.as_object() else {
        return DiVerification {
            outcome: Outcome::invalid(DiCode::ProofMalformed, "the document is not a JSON object"),
            proofs: Vec::new(),
        };
    };
    let proofs: Vec<&Value> = match d.get("proof") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(p) => vec![p],
    };
    if proofs.is_empty() {
        return DiVerification {
            outcome: Outcome::indeterminate(DiCode::NoProof, "the credential has no proof"),
            proofs: Vec::new(),
        };
    }
    let mut unsecured = d.clone();
    unsecured.remove("proof");
    let mut doc_hash: Option<Result<[u8; 32], Outcome>> = None;
    let mut results = Vec::new();
    for (index, p) in proofs.into_iter().enumerate() {
        let r = verify_one(index, p, d, &unsecured, &mut doc_hash, options);
        results.push(r);
    }
    let outcome = if results.iter().any(|r| r.outcome.is_valid()) {
        Outcome::Valid
    } else if let Some(r) = results
        .iter()
        .find(|r| matches!(r.outcome, Outcome::Invalid { .. }))
    {
        r.outcome.clone()
    } else {
        results
            .first()
            .map(|r| r.outcome.clone())
            .unwrap_or_else(|| Outcome::indeterminate(DiCode::NoProof, "no proof"))
    };
    DiVerification {
        outcome,
        proofs: results,
    }
}

fn verify_one(
    index: usize,
    p: &Value,
    d: &Map<String, Value>,
    unsecured: &Map<String, Value>,
    doc_hash: &mut Option<Result<[u8; 32], Outcome>>,
    o: &VerifyOptions<'_>,
) -> ProofVerification {
    let get = |k: &str| p.get(k).and_then(Value::as_str).map(str::to_owned);
    let mut r = ProofVerification {
        index,
        proof_type: get("type").unwrap_or_default(),
        cryptosuite: get("cryptosuite"),
        verification_method: get("verificationMethod").or_else(|| {
            p.get("verificationMethod")
                .and_then(|v| v.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        }),
        outcome: Outcome::Valid,
        warnings: Vec::new(),
    };
    r.outcome = match check_proof(p, d, unsecured, doc_hash, o, &mut r.warnings) {
        Ok(()) => Outcome::Valid,
        Err(out) => out,
    };
    r
}

fn check_proof(
    p: &Value,
    d: &Map<String, Value>,
    unsecured: &Map<String, Value>,
    doc_hash: &mut Option<Result<[u8; 32], Outcome>>,
    o: &VerifyOptions<'_>,
    warnings: &mut Vec<DiCode>,
) -> Result<(), Outcome> {
    let Some(pm) = p.as_object() else {
        return Err(Outcome::invalid(
            DiCode::ProofMalformed,
            "proof is not an object",
        ));
    };
    let ptype = pm.get("type").and_then(Value::as_str).unwrap_or_default();
    match ptype {
        "DataIntegrityProof" => match pm.get("cryptosuite").and_then(Value::as_str) {
            Some("eddsa-rdfc-2022") => {}
            Some("eddsa-2022") => warnings.push(DiCode::DeprecatedCryptosuite),
            Some(other) => {
                return Err(Outcome::indeterminate(
                    DiCode::UnsupportedCryptosuite,
                    format!("cryptosuite {other:?} is not supported"),
                ));
            }
            None => {
                return Err(Outcome::invalid(
                    DiCode::ProofMalformed,
                    "DataIntegrityProof without cryptosuite",
                ));
            }
        },
        "Ed25519Signature2020" => {}
        other => {
            return Err(Outcome::indeterminate(
                DiCode::UnsupportedProofType,
                format!("proof type {other:?} is not supported"),
            ));
        }
    }
    let purpose = pm
        .get("proofPurpose")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if purpose != o.proof_purpose {
        return Err(Outcome::invalid(
            DiCode::ProofPurposeMismatch,
            format!("proofPurpose {purpose:?}, expected {:?}", o.proof_purpose),
        ));
    }
    if let Some(want) = o.challenge {
        let got = pm.get("challenge").and_then(Value::as_str);
        if got != Some(want) {
            return Err(Outcome::invalid(
                DiCode::ChallengeMismatch,
                format!("proof challenge {got:?}, expected {want:?}"),
            ));
        }
    }
    if let Some(want) = o.domain {
        let ok = match pm.get("domain") {
            Some(Value::String(d)) => d == want,
            Some(Value::Array(a)) => a.iter().any(|d| d.as_str() == Some(want)),
            _ => false,
        };
        if !ok {
            return Err(Outcome::invalid(
                DiCode::DomainMismatch,
                format!(
                    "proof domain {}, expected {want:?}",
                    pm.get("domain")
                        .map_or_else(|| "absent".to_owned(), Value::to_string)
                ),
            ));
        }
    }
    if let Some(c) = pm.get("created") {
        if !c.as_str().is_some_and(looks_like_datetime) {
            return Err(Outcome::invalid(
                DiCode::ProofMalformed,
                "created is not an XML Schema dateTime",
            ));
        }
    }
    let sig: [u8; 64] = pm
        .get("proofValue")
        .and_then(Value::as_str)
        .and_then(|v| decode_base58btc(v).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            Outcome::invalid(
                DiCode::ProofValueMalformed,
                "proofValue is not a base58btc 64-byte signature",
            )
        })?;
    let vm_id = match pm.get("verificationMethod") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(m)) => m
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        _ => {
            return Err(Outcome::invalid(
                DiCode::ProofMalformed,
                "no verificationMethod",
            ));
        }
    };
    let dh = match doc_hash {
        Some(r) => r.clone(),
        None => {
            let r = canonical_with(
                &Value::Object(unsecured.clone()),
                o.contexts,
                o.jsonld_limits,
                &o.canon_limits,
            )
            .map(|c| sha256(&c))
            .map_err(|e| jsonld_outcome(&e, "document"));
            *doc_hash = Some(r.clone());
            r
        }
    }?;
    let vm = resolve_vm(&vm_id, o)?;
    if o.proof_purpose == AUTHENTICATION {
        let holder = party_id(d, "holder").ok_or_else(|| {
            Outcome::invalid(
                DiCode::KeyNotControlledByHolder,
                "the presentation has no holder id",
            )
        })?;
        if vm.controller != holder {
            return Err(Outcome::invalid(
                DiCode::KeyNotControlledByHolder,
                format!(
                    "verification method controller {:?} is not the holder {holder:?}",
                    vm.controller
                ),
            ));
        }
    } else {
        let issuer = issuer_id(d).ok_or_else(|| {
            Outcome::invalid(
                DiCode::KeyNotOwnedByIssuer,
                "the credential has no issuer id",
            )
        })?;
        if vm.controller != issuer {
            return Err(Outcome::invalid(
                DiCode::KeyNotOwnedByIssuer,
                format!(
                    "verification method controller {:?} is not the issuer {issuer:?}",
                    vm.controller
                ),
            ));
        }
    }
    let Ok(Multikey::Ed25519(pk)) = vm.key.to_multikey() else {
        return Err(Outcome::invalid(
            DiCode::VerificationMethodInvalid,
            "the key is not an Ed25519 key",
        ));
    };
    let cfg = proof_config(pm, d);
    let ph = canonical_with(&cfg, o.contexts, o.jsonld_limits, &o.canon_limits)
        .map(|c| sha256(&c))
        .map_err(|e| jsonld_outcome(&e, "proof configuration"))?;
    let data = concat_hashes(&ph, &dh);
    UnparsedPublicKey::new(&ED25519, &pk)
        .verify(&data, &sig)
        .map_err(|_| Outcome::invalid(DiCode::SignatureInvalid, "the signature does not verify"))
}

/// The proof purpose of a presentation's proof.
const AUTHENTICATION: &str = "authentication";

/// Resolves the verification method under the key-provenance rule
/// ([`resolve_verification_method`]) for the proof's purpose: `authentication` for a
/// presentation's proof, `assertionMethod` otherwise.
fn resolve_vm(vm_id: &str, o: &VerifyOptions<'_>) -> Result<BoundMethod, Outcome> {
    let relationship = if o.proof_purpose == AUTHENTICATION {
        Relationship::Authentication
    } else {
        Relationship::AssertionMethod
    };
    resolve_verification_method(
        vm_id,
        relationship,
        o.documents,
        o.dangerous_trust_key_in_https_fragment,
    )
    .map_err(|e| provenance_outcome(&e, relationship))
}

/// The Data Integrity finding for a key that could not be bound.
fn provenance_outcome(e: &ProvenanceError, relationship: Relationship) -> Outcome {
    let message = e.to_string();
    let code = match e {
        ProvenanceError::DocumentUnavailable(_) => {
            return Outcome::indeterminate(DiCode::VerificationMethodUnresolved, message);
        }
        ProvenanceError::Identifier(DidError::UnsupportedDidMethod(_)) => {
            return Outcome::indeterminate(DiCode::UnsupportedDidMethod, message);
        }
        ProvenanceError::NotListed { .. }
        | ProvenanceError::ForeignController { .. }
        | ProvenanceError::NotAuthorized { .. }
            if relationship == Relationship::Authentication =>
        {
            DiCode::KeyNotControlledByHolder
        }
        ProvenanceError::NotListed { .. } | ProvenanceError::ForeignController { .. } => {
            DiCode::KeyNotListedByIssuer
        }
        ProvenanceError::NotAuthorized { .. } => DiCode::KeyNotAuthorized,
        _ => DiCode::VerificationMethodInvalid,
    };
    Outcome::invalid(code, message)
}

/// `YYYY-MM-DDThh:mm:ss(.s+)?(Z|±hh:mm)?` — a lexical check of XML Schema dateTime.
fn looks_like_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    b.len() >= 19
        && digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && b.get(10) == Some(&b'T')
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19)
}
