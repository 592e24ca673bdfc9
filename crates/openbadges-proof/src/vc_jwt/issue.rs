//! Issuing a credential as a VC-JWT: the payload is the credential with its JWT claims, the
//! header names the key as the caller asks ([`HeaderKey`]).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::VcJwtError;
use super::claims::{date_of, issuer_id, parse_datetime, subject_id};
use crate::Error;
use crate::key::{PublicKey, SecretKey};

/// What goes into the header to identify the signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderKey {
    /// `kid` (e.g. a DID URL or a key id in the issuer's JWKS).
    Kid(String),
    /// The public key as `jwk`.
    Jwk,
    /// `kid` and `jwk`.
    Both(String),
    /// Neither (the verifier must know the key).
    None,
}

/// Issues `credential` as a VC-JWT signed with `key`: the payload is the credential plus
/// `iss`, `jti`, `sub` (when the subject has an id), `nbf` and `exp` (when `validUntil`).
///
/// # Errors
/// [`VcJwtError::Issue`] when the credential has no issuer id or no valid `validFrom` /
/// `issuanceDate`, or a key error when signing fails.
pub fn issue(
    credential: &Value,
    key: &SecretKey,
    header_key: &HeaderKey,
) -> Result<String, VcJwtError> {
    let Value::Object(cred) = credential else {
        return Err(VcJwtError::Issue(
            "the credential is not a JSON object".into(),
        ));
    };
    let iss = issuer_id(credential).ok_or_else(|| VcJwtError::Issue("no issuer id".into()))?;
    let nbf = date_of(credential, &["validFrom", "issuanceDate"])
        .and_then(parse_datetime)
        .ok_or_else(|| VcJwtError::Issue("no valid validFrom".into()))?;
    let mut payload = cred.clone();
    payload.remove("proof");
    payload.insert("iss".into(), iss.into());
    if let Some(id) = credential.get("id").and_then(Value::as_str) {
        payload.insert("jti".into(), id.into());
    }
    if let Some(sub) = subject_id(credential) {
        payload.insert("sub".into(), sub.into());
    }
    payload.insert("nbf".into(), nbf.timestamp().into());
    if let Some(s) = date_of(credential, &["validUntil", "expirationDate"]) {
        let exp = parse_datetime(s)
            .ok_or_else(|| VcJwtError::Issue("validUntil is not a date-time".into()))?;
        payload.insert("exp".into(), exp.timestamp().into());
    }
    let mut header = Map::new();
    header.insert("alg".into(), key.algorithm().as_str().into());
    header.insert("typ".into(), "JWT".into());
    match header_key {
        HeaderKey::Kid(k) => {
            header.insert("kid".into(), k.as_str().into());
        }
        HeaderKey::Jwk => {
            header.insert("jwk".into(), public_jwk(key.public_key()));
        }
        HeaderKey::Both(k) => {
            header.insert("kid".into(), k.as_str().into());
            header.insert("jwk".into(), public_jwk(key.public_key()));
        }
        HeaderKey::None => {}
    }
    let h = serde_json::to_vec(&Value::Object(header)).map_err(|_| Error::Crypto)?;
    let p = serde_json::to_vec(&Value::Object(payload)).map_err(|_| Error::Crypto)?;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(h),
        URL_SAFE_NO_PAD.encode(p)
    );
    let sig = key.sign(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// The public JWK without the `alg` member (the header's `alg` says it).
fn public_jwk(key: &PublicKey) -> Value {
    let mut j = key.to_jwk();
    if let Some(o) = j.as_object_mut() {
        o.remove("alg");
    }
    j
}
