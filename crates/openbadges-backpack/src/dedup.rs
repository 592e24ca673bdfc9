//! De-duplication keys and the OB 3.0 equality rule.
//!
//! - OB 2.0 (and 1.1, and a hosted 1.0 whose `verify.url` is its id): `ob2:<assertion id>`.
//! - OB 3.0: `ob3:["<issuer id>","<credential id>"]`, both percent-decoded and trimmed
//!   (OB 3.0 §"Credential equality and comparison"); of two equal credentials the one with the
//!   newer `validFrom` is the up-to-date one and supersedes the other.
//! - CLR 2.0: the same rule under `clr:`, so a CLR never collides with an OB 3.0 credential that
//!   happens to share its issuer and id (the spec examples do).
//! - Anything without an id (OB 0.5, signed 1.0, an id-less credential): `sha256:<hex>` of the
//!   document's canonical JSON (keys sorted, no whitespace), so re-serialized copies still match.

use chrono::{DateTime, Utc};
use openbadges_model::Version;
use serde_json::Value;

use crate::display::issuer_id;
use crate::model::DedupKey;

/// The de-duplication key of a badge document of `version`.
///
/// ```
/// use openbadges_backpack::dedup::dedup_key;
/// use openbadges_model::Version;
/// let a = serde_json::json!({"id": " http://example.edu/credentials/3732 ", "issuer": {"id": "https://example.edu/issuers/565049"}});
/// let b = serde_json::json!({"id": "http://example.edu/credentials/%33732", "issuer": "https://example.edu/issuers/565049"});
/// assert_eq!(dedup_key(&a, Version::V3_0), dedup_key(&b, Version::V3_0));
/// ```
pub fn dedup_key(doc: &Value, version: Version) -> DedupKey {
    match version {
        Version::V3_0 | Version::Clr2_0 => {
            let id = doc.get("id").and_then(Value::as_str).map(normalize_iri);
            let issuer = issuer_id(doc).map(normalize_iri);
            match (issuer, id) {
                (Some(i), Some(c)) if !i.is_empty() && !c.is_empty() => {
                    let pair = Value::Array(vec![Value::String(i), Value::String(c)]);
                    let ns = if version == Version::Clr2_0 {
                        "clr"
                    } else {
                        "ob3"
                    };
                    DedupKey::new(format!("{ns}:{pair}"))
                }
                _ => content_key(doc),
            }
        }
        Version::V0_5 | Version::V1_0 | Version::V1_1 | Version::V2_0 => {
            if let Some(id) = ob2_id(doc) {
                DedupKey::new(format!("ob2:{id}"))
            } else {
                content_key(doc)
            }
        }
    }
}

/// The assertion id of an OB ≤ 2.0 assertion: `id`, or a hosted 1.0 assertion's `verify.url`.
fn ob2_id(doc: &Value) -> Option<String> {
    if let Some(id) = doc.get("id").and_then(Value::as_str) {
        let id = id.trim();
        if !id.is_empty() {
            return Some(id.to_owned());
        }
    }
    let verify = doc.get("verify").or_else(|| doc.get("verification"))?;
    let hosted = verify
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("hosted"));
    let url = verify.get("url").and_then(Value::as_str)?.trim();
    (hosted && !url.is_empty()).then(|| url.to_owned())
}

/// Percent-decodes and trims an IRI for comparison.
pub fn normalize_iri(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .trim()
        .to_owned()
}

/// The content key: SHA-256 of the canonical JSON.
pub fn content_key(doc: &Value) -> DedupKey {
    let canon = openbadges_model::sorted_keys_json(doc);
    let digest = ring::digest::digest(&ring::digest::SHA256, canon.as_bytes());
    DedupKey::new(format!("sha256:{}", hex::encode(digest.as_ref())))
}

/// A credential's `validFrom` (VC 2.0) or `issuanceDate` (VC 1.1), parsed.
pub fn valid_from(doc: &Value) -> Option<DateTime<Utc>> {
    let s = doc
        .get("validFrom")
        .or_else(|| doc.get("issuanceDate"))
        .and_then(Value::as_str)?;
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Whether a credential valid from `new` supersedes a held one valid from `held` (strictly
/// newer; an unknown date never supersedes a known one).
pub fn supersedes(new: Option<DateTime<Utc>>, held: Option<DateTime<Utc>>) -> bool {
    match (new, held) {
        (Some(n), Some(h)) => n > h,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ob2_key_is_the_assertion_id_and_hosted_10_uses_verify_url() {
        let d = json!({"id": "http://a.com/assertion-embedded1"});
        assert_eq!(
            dedup_key(&d, Version::V2_0).as_str(),
            "ob2:http://a.com/assertion-embedded1"
        );
        let d =
            json!({"uid": "123abc", "verify": {"type": "hosted", "url": "http://a.com/instance"}});
        assert_eq!(
            dedup_key(&d, Version::V1_0).as_str(),
            "ob2:http://a.com/instance"
        );
        // A signed 1.0 assertion's verify.url is its key's URL, not its id.
        let d = json!({"uid": "1", "verify": {"type": "signed", "url": "http://a.com/key.pem"}});
        assert!(dedup_key(&d, Version::V1_0).as_str().starts_with("sha256:"));
    }

    #[test]
    fn ob3_key_needs_both_ids_and_decodes_them() {
        let a = json!({"id": "urn:uuid:1", "issuer": "https://ex.org/i%20x"});
        let b = json!({"id": "  urn:uuid:1\n", "issuer": {"id": "https://ex.org/i x"}});
        assert_eq!(dedup_key(&a, Version::V3_0), dedup_key(&b, Version::V3_0));
        let c = json!({"id": "urn:uuid:1", "issuer": {"id": "https://other.org/"}});
        assert_ne!(dedup_key(&a, Version::V3_0), dedup_key(&c, Version::V3_0));
        let no_id = json!({"issuer": "https://ex.org/"});
        assert!(
            dedup_key(&no_id, Version::V3_0)
                .as_str()
                .starts_with("sha256:")
        );
    }

    #[test]
    fn content_key_ignores_key_order_and_whitespace() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#).unwrap();
        assert_eq!(content_key(&a), content_key(&b));
        assert_eq!(
            openbadges_model::sorted_keys_json(&a),
            r#"{"a":{"x":"s","y":[1,2]},"b":1}"#
        );
        let c: Value = serde_json::from_str(r#"{"a":{"x":"s","y":[2,1]},"b":1}"#).unwrap();
        assert_ne!(content_key(&a), content_key(&c));
    }

    #[test]
    fn newer_valid_from_supersedes() {
        let old = valid_from(&json!({"validFrom": "2010-01-01T00:00:00Z"}));
        let new = valid_from(&json!({"validFrom": "2011-01-01T00:00:00+02:00"}));
        assert!(supersedes(new, old));
        assert!(!supersedes(old, new));
        assert!(!supersedes(old, old));
        assert!(!supersedes(None, old));
        assert!(supersedes(old, None));
    }
}
