//! The signing side of OB 2.0: sign an assertion as a compact JWS, and produce the documents an
//! issuer hosts so that verifiers can check it (the `CryptographicKey`, the issuer profile's
//! `publicKey` / `revocationList`, the `RevocationList`).
//!
//! ```
//! use openbadges_proof::issue;
//! use openbadges_proof::key::{Algorithm, SecretKey};
//! use serde_json::json;
//!
//! let key = SecretKey::generate(Algorithm::EdDsa)?;
//! let assertion = json!({
//!   "@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
//!   "id": "urn:uuid:2f1a1c34-5d6e-4f70-8a9b-0c1d2e3f4a5b",
//!   "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!   "badge": "https://example.org/badge", "issuedOn": "2024-01-15T12:00:00Z",
//!   "verification": {"type": "hosted"}
//! });
//! let jws = issue::sign_assertion(&assertion, &key, Some("https://example.org/key"))?;
//! let key_doc = issue::cryptographic_key("https://example.org/key", "https://example.org/issuer", key.public_key())?;
//! assert_eq!(key_doc["type"], "CryptographicKey");
//! let parsed = openbadges_proof::jws::Jws::parse(&jws)?;
//! parsed.verify(key.public_key())?;
//! let payload: serde_json::Value = serde_json::from_slice(parsed.payload())?;
//! assert_eq!(payload["verification"], json!({"type": "SignedBadge", "creator": "https://example.org/key"}));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde_json::{Map, Value, json};

use crate::Error;
use crate::key::{PublicKey, SecretKey};

pub use crate::status::RevocationListBuilder;

/// Signs an OB 2.0 assertion as a compact JWS with `key` (RS256 for RSA keys, as the
/// specification recommends; ES256 / EdDSA for the other key types).
///
/// `verification` is set to `{"type": "SignedBadge", "creator": kid}` (without `creator` when
/// `kid` is `None`; verifiers then try every key the issuer lists); the JWS header carries `kid`
/// too. Every other property is kept as given.
///
/// # Errors
/// [`Error::Json`] when `assertion` is not a JSON object or lacks an `id`; [`Error::Crypto`] if
/// signing fails.
pub fn sign_assertion(
    assertion: &Value,
    key: &SecretKey,
    kid: Option<&str>,
) -> Result<String, Error> {
    let Value::Object(obj) = assertion else {
        return Err(Error::json("an assertion is a JSON object"));
    };
    if !obj.get("id").is_some_and(Value::is_string) {
        return Err(Error::json(
            "a signed assertion needs an `id` (e.g. a urn:uuid) so it can be revoked",
        ));
    }
    let mut obj = obj.clone();
    let mut verification = Map::new();
    verification.insert("type".into(), "SignedBadge".into());
    if let Some(k) = kid {
        verification.insert("creator".into(), k.into());
    }
    obj.insert("verification".into(), Value::Object(verification));
    let payload = serde_json::to_vec(&Value::Object(obj))
        .map_err(|e| Error::json_caused(e.to_string(), e))?;
    crate::jws::sign(&payload, key, kid)
}

/// The `CryptographicKey` document to host at `key_id`, owned by the issuer profile `owner`.
///
/// # Errors
/// As [`PublicKey::to_pem`].
pub fn cryptographic_key(key_id: &str, owner: &str, key: &PublicKey) -> Result<Value, Error> {
    Ok(json!({
        "@context": openbadges_model::detect::OB2_CONTEXT,
        "id": key_id,
        "type": "CryptographicKey",
        "owner": owner,
        "publicKeyPem": key.to_pem()?,
    }))
}

/// Returns `issuer` with `key_id` added to its `publicKey` (kept as a single value when it is
/// the only key, an array otherwise; no duplicates) and, when given, `revocationList` set.
///
/// # Errors
/// [`Error::Json`] when `issuer` is not a JSON object.
pub fn issuer_with_key(
    issuer: &Value,
    key_id: &str,
    revocation_list: Option<&str>,
) -> Result<Value, Error> {
    let Value::Object(obj) = issuer else {
        return Err(Error::json("an issuer profile is a JSON object"));
    };
    let mut obj = obj.clone();
    let mut keys: Vec<Value> = match obj.remove("publicKey") {
        Some(Value::Array(a)) => a,
        Some(Value::Null) | None => Vec::new(),
        Some(v) => vec![v],
    };
    let present = keys.iter().any(|k| match k {
        Value::String(s) => s == key_id,
        Value::Object(o) => o.get("id").and_then(Value::as_str) == Some(key_id),
        _ => false,
    });
    if !present {
        keys.push(key_id.into());
    }
    let keys = match <[Value; 1]>::try_from(keys) {
        Ok([one]) => one,
        Err(many) => Value::Array(many),
    };
    obj.insert("publicKey".into(), keys);
    if let Some(rl) = revocation_list {
        obj.insert("revocationList".into(), rl.into());
    }
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn issuer_keys_accumulate_without_duplicates() {
        let i = json!({"id": "https://e.org/i", "type": "Issuer"});
        let i = issuer_with_key(&i, "https://e.org/k1", Some("https://e.org/rl")).unwrap();
        assert_eq!(i["publicKey"], "https://e.org/k1");
        let i = issuer_with_key(&i, "https://e.org/k1", None).unwrap();
        assert_eq!(i["publicKey"], "https://e.org/k1");
        let i = issuer_with_key(&i, "https://e.org/k2", None).unwrap();
        assert_eq!(
            i["publicKey"],
            json!(["https://e.org/k1", "https://e.org/k2"])
        );
        assert_eq!(i["revocationList"], "https://e.org/rl");
    }

    #[test]
    fn signing_requires_an_id() {
        let k = SecretKey::generate(crate::key::Algorithm::EdDsa).unwrap();
        assert!(sign_assertion(&json!({"type": "Assertion"}), &k, None).is_err());
        assert!(sign_assertion(&json!([1]), &k, None).is_err());
    }
}
