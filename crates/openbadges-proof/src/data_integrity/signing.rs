//! Signing: the Ed25519 key and the `eddsa-rdfc-2022` proof it adds to a document.

use std::fmt;

use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde_json::{Map, Value};

use super::DiError;
use super::hashing::{bundled_hash_data, proof_config};
use crate::multibase::{Multikey, encode_base58btc};

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

/// Adds an `eddsa-rdfc-2022` `DataIntegrityProof` to `doc`. An existing `proof` is kept
/// (the new proof is appended; existing proofs are not signed over). A VC 1.1 document
/// without a context defining the Data Integrity terms gets
/// `https://w3id.org/security/data-integrity/v2` appended to its `@context`.
///
/// # Errors
/// JSON-LD (including safe mode) or canonicalization errors.
pub fn sign(doc: &Value, signer: &Ed25519Signer, options: &ProofOptions) -> Result<Value, DiError> {
    let mut out = doc.as_object().ok_or(DiError::NotAnObject)?.clone();
    add_data_integrity_context(&mut out);
    // Existing proofs are not signed over: the unsecured document is `out` without them.
    let existing = out.remove("proof");
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
    let config = proof_config(&proof, &out);
    let unsecured = Value::Object(out);
    let data = bundled_hash_data(&unsecured, &config)?;
    let Value::Object(mut out) = unsecured else {
        return Err(DiError::NotAnObject);
    };
    let sig = signer.sign_bytes(&data);
    proof.insert("proofValue".into(), encode_base58btc(&sig).into());
    match existing {
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
