//! Verification of a document's Data Integrity proofs, one step at a time: the suite, the
//! purpose, challenge and domain, the proof value, the document and proof-configuration
//! hashes, the verification method and its controller, the signature.

use ring::signature::{ED25519, UnparsedPublicKey};
use serde_json::{Map, Value};

use super::hashing::{Canonicalizer, concat_hashes, proof_config, with_bundled_cache};
use super::{DiCode, DiError, DiVerification, Outcome, ProofVerification, VerifyOptions};
use crate::did::{
    BoundMethod, DidError, ProvenanceError, Relationship, resolve_verification_method,
};
use crate::jsonld::{ContextCache, JsonLdError};
use crate::multibase::{Multikey, decode_base58btc};
use crate::rdfc::RdfcError;

/// The credential's issuer id.
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

/// The finding for a document that cannot be canonicalized: an unknown context or a limit
/// could not be checked; anything else is invalid JSON-LD.
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
    // Without a cache from the caller: this thread's cache of the bundled contexts, or one
    // shared by the document and its proofs.
    match options.context_cache {
        Some(cache) => verify_proofs(doc, d, proofs, options, cache),
        None if options.contexts.is_bundled() => {
            with_bundled_cache(|cache| verify_proofs(doc, d, proofs, options, cache))
        }
        None => verify_proofs(doc, d, proofs, options, &ContextCache::new()),
    }
}

/// Checks each of `proofs` (of `doc`, the map `d`), canonicalizing with the processed
/// contexts in `cache`.
fn verify_proofs(
    doc: &Value,
    d: &Map<String, Value>,
    proofs: Vec<&Value>,
    options: &VerifyOptions<'_>,
    cache: &ContextCache,
) -> DiVerification {
    let mut check = ProofCheck {
        secured: doc,
        doc: d,
        options,
        canonicalizer: Canonicalizer {
            contexts: options.contexts,
            cache: Some(cache),
            jsonld_limits: options.jsonld_limits,
            canon_limits: options.canon_limits,
        },
        doc_hash: None,
    };
    let results: Vec<ProofVerification> = proofs
        .into_iter()
        .enumerate()
        .map(|(index, p)| check.verify_one(index, p))
        .collect();
    DiVerification {
        outcome: overall(&results),
        proofs: results,
    }
}

/// Valid when one proof is valid; otherwise the first invalid proof's outcome; otherwise
/// the first proof's (indeterminate).
fn overall(results: &[ProofVerification]) -> Outcome {
    if results.iter().any(|r| r.outcome.is_valid()) {
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
    }
}

/// The checks of the proofs of one document, and what they share.
struct ProofCheck<'a> {
    /// The secured document (canonicalized without its `proof`, not copied).
    secured: &'a Value,
    /// `secured`'s map.
    doc: &'a Map<String, Value>,
    /// The caller's options.
    options: &'a VerifyOptions<'a>,
    /// How the document and the proof configurations are canonicalized.
    canonicalizer: Canonicalizer<'a>,
    /// SHA-256 of the canonical unsecured document, once computed.
    doc_hash: Option<Result<[u8; 32], Outcome>>,
}

impl ProofCheck<'_> {
    /// The result of checking proof number `index`.
    fn verify_one(&mut self, index: usize, p: &Value) -> ProofVerification {
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
        r.outcome = match self.check_proof(p, &mut r.warnings) {
            Ok(()) => Outcome::Valid,
            Err(out) => out,
        };
        r
    }

    /// Checks one proof, step by step; the first failing step gives the outcome.
    fn check_proof(&mut self, p: &Value, warnings: &mut Vec<DiCode>) -> Result<(), Outcome> {
        let Some(pm) = p.as_object() else {
            return Err(Outcome::invalid(
                DiCode::ProofMalformed,
                "proof is not an object",
            ));
        };
        check_suite(pm, warnings)?;
        check_purpose(pm, self.options)?;
        check_challenge_and_domain(pm, self.options)?;
        check_created(pm)?;
        let sig = proof_value(pm)?;
        let vm_id = verification_method_id(pm)?;
        let dh = self.document_hash()?;
        let vm = resolve_vm(&vm_id, self.options)?;
        check_controller(&vm, self.doc, self.options)?;
        let Ok(Multikey::Ed25519(pk)) = vm.key.to_multikey() else {
            return Err(Outcome::invalid(
                DiCode::VerificationMethodInvalid,
                "the key is not an Ed25519 key",
            ));
        };
        let ph = self.proof_config_hash(pm)?;
        let data = concat_hashes(&ph, &dh);
        UnparsedPublicKey::new(&ED25519, &pk)
            .verify(&data, &sig)
            .map_err(|_| {
                Outcome::invalid(DiCode::SignatureInvalid, "the signature does not verify")
            })
    }

    /// SHA-256 of the canonical unsecured document (computed once for all proofs).
    fn document_hash(&mut self) -> Result<[u8; 32], Outcome> {
        if let Some(r) = &self.doc_hash {
            return r.clone();
        }
        let r = self
            .canonicalizer
            .unsecured_sha256(self.secured)
            .map_err(|e| jsonld_outcome(&e, "document"));
        self.doc_hash = Some(r.clone());
        r
    }

    /// SHA-256 of the canonical proof configuration.
    fn proof_config_hash(&self, pm: &Map<String, Value>) -> Result<[u8; 32], Outcome> {
        let cfg = proof_config(pm, self.doc);
        self.canonicalizer
            .proof_config_sha256(&cfg)
            .map_err(|e| jsonld_outcome(&e, "proof configuration"))
    }
}

/// The proof type and cryptosuite: `DataIntegrityProof` with `eddsa-rdfc-2022` or (with a
/// warning) `eddsa-2022`, or `Ed25519Signature2020`; others cannot be checked.
fn check_suite(pm: &Map<String, Value>, warnings: &mut Vec<DiCode>) -> Result<(), Outcome> {
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
    Ok(())
}

/// `proofPurpose` is the one required.
fn check_purpose(pm: &Map<String, Value>, o: &VerifyOptions<'_>) -> Result<(), Outcome> {
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
    Ok(())
}

/// The proof carries the `challenge` and `domain` the verifier expects, when it expects any.
fn check_challenge_and_domain(
    pm: &Map<String, Value>,
    o: &VerifyOptions<'_>,
) -> Result<(), Outcome> {
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
    Ok(())
}

/// `created`, when present, is an XML Schema dateTime.
fn check_created(pm: &Map<String, Value>) -> Result<(), Outcome> {
    if let Some(c) = pm.get("created") {
        if !c.as_str().is_some_and(looks_like_datetime) {
            return Err(Outcome::invalid(
                DiCode::ProofMalformed,
                "created is not an XML Schema dateTime",
            ));
        }
    }
    Ok(())
}

/// The signature: `proofValue`, a multibase base58btc 64-byte Ed25519 signature.
fn proof_value(pm: &Map<String, Value>) -> Result<[u8; 64], Outcome> {
    pm.get("proofValue")
        .and_then(Value::as_str)
        .and_then(|v| decode_base58btc(v).ok())
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            Outcome::invalid(
                DiCode::ProofValueMalformed,
                "proofValue is not a base58btc 64-byte signature",
            )
        })
}

/// The verification method's identifier (a string, or an embedded method's `id`).
fn verification_method_id(pm: &Map<String, Value>) -> Result<String, Outcome> {
    match pm.get("verificationMethod") {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Object(m)) => Ok(m
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()),
        _ => Err(Outcome::invalid(
            DiCode::ProofMalformed,
            "no verificationMethod",
        )),
    }
}

/// The verification method's controller is the presentation's holder (`authentication`)
/// or the credential's issuer.
fn check_controller(
    vm: &BoundMethod,
    d: &Map<String, Value>,
    o: &VerifyOptions<'_>,
) -> Result<(), Outcome> {
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
    Ok(())
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
