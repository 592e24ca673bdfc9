//! OB 1.0/2.0 revocation lists: reading every shape seen in the wild, and building them.
//!
//! A 2.0 `RevocationList` lists `revokedAssertions`, each a bare id string, an object with `id`
//! (and `revocationReason`), or a legacy object with `uid`. JSON-LD compaction writes a
//! one-entry list as a single value, so a single string or object is read as a one-entry list
//! (the reference verifier misses this and reports such badges as valid). An OB 1.0 revocation
//! list is a JSON object mapping revoked `uid`s to reasons.
//!
//! ```
//! use openbadges_proof::status::{RevocationList, RevocationListBuilder};
//! let list = RevocationListBuilder::new("https://example.org/revocations", "https://example.org/issuer")
//!     .revoke("urn:uuid:1", Some("awarded in error"))
//!     .build();
//! let parsed = RevocationList::from_value(&list);
//! assert_eq!(parsed.find(Some("urn:uuid:1"), None), Some(Some("awarded in error")));
//! assert_eq!(parsed.find(Some("urn:uuid:2"), None), None);
//! ```

use serde_json::{Map, Value, json};

/// One revoked entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoked {
    /// The revoked assertion's id, if given.
    pub id: Option<String>,
    /// Its legacy uid, if given.
    pub uid: Option<String>,
    /// The published reason, if any.
    pub reason: Option<String>,
}

/// A parsed revocation list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RevocationList {
    /// The entries, in document order.
    pub entries: Vec<Revoked>,
}

fn entry(v: &Value) -> Option<Revoked> {
    match v {
        Value::String(s) => Some(Revoked {
            id: Some(s.clone()),
            uid: None,
            reason: None,
        }),
        Value::Object(o) => {
            let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
            let e = Revoked {
                id: s("id"),
                uid: s("uid"),
                reason: s("revocationReason"),
            };
            (e.id.is_some() || e.uid.is_some()).then_some(e)
        }
        _ => None,
    }
}

impl RevocationList {
    /// Reads a revocation list document in any of the shapes above. Unreadable entries are
    /// skipped (they cannot revoke anything).
    pub fn from_value(doc: &Value) -> Self {
        let mut entries = Vec::new();
        match doc.get("revokedAssertions") {
            Some(Value::Array(a)) => entries.extend(a.iter().filter_map(entry)),
            Some(single) => entries.extend(entry(single)),
            None => {
                // OB 1.0: {"<uid>": "<reason>", ...}
                if let Value::Object(o) = doc {
                    for (k, v) in o {
                        if k.starts_with('@') || k == "id" || k == "type" || k == "issuer" {
                            continue;
                        }
                        entries.push(Revoked {
                            id: None,
                            uid: Some(k.clone()),
                            reason: v.as_str().map(str::to_string),
                        });
                    }
                }
            }
        }
        RevocationList { entries }
    }

    /// Whether an assertion with this `id` or legacy `uid` is listed: `Some(reason)` if so.
    pub fn find(&self, id: Option<&str>, uid: Option<&str>) -> Option<Option<&str>> {
        self.entries
            .iter()
            .find(|e| {
                (id.is_some() && e.id.as_deref() == id)
                    || (uid.is_some() && e.uid.as_deref() == uid)
            })
            .map(|e| e.reason.as_deref())
    }
}

/// Builds an OB 2.0 `RevocationList` document for an issuer to host.
#[derive(Debug, Clone)]
pub struct RevocationListBuilder {
    id: String,
    issuer: String,
    entries: Vec<Value>,
}

impl RevocationListBuilder {
    /// A list hosted at `id`, belonging to the issuer profile `issuer`.
    pub fn new(id: impl Into<String>, issuer: impl Into<String>) -> Self {
        RevocationListBuilder {
            id: id.into(),
            issuer: issuer.into(),
            entries: Vec::new(),
        }
    }

    /// Adds a revoked assertion id, with an optional public reason.
    pub fn revoke(mut self, assertion_id: &str, reason: Option<&str>) -> Self {
        let mut o = Map::new();
        o.insert("id".into(), assertion_id.into());
        if let Some(r) = reason {
            o.insert("revocationReason".into(), r.into());
        }
        self.entries.push(Value::Object(o));
        self
    }

    /// The document (entries always written as an array, even when there is one).
    pub fn build(self) -> Value {
        json!({
            "@context": openbadges_model::detect::OB2_CONTEXT,
            "id": self.id,
            "type": "RevocationList",
            "issuer": self.issuer,
            "revokedAssertions": self.entries,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn every_shape_is_read() {
        let shapes = [
            json!({"revokedAssertions": ["urn:a", {"id": "urn:b", "revocationReason": "r"}, {"uid": "u1"}]}),
            json!({"revokedAssertions": [{"id": "urn:a"}]}),
            json!({"revokedAssertions": {"id": "urn:a"}}),
            json!({"revokedAssertions": "urn:a"}),
        ];
        for s in &shapes {
            assert!(
                RevocationList::from_value(s)
                    .find(Some("urn:a"), None)
                    .is_some(),
                "{s}"
            );
            assert!(
                RevocationList::from_value(s)
                    .find(Some("urn:z"), None)
                    .is_none()
            );
        }
        let first = RevocationList::from_value(&shapes[0]);
        assert_eq!(first.find(Some("urn:b"), None), Some(Some("r")));
        assert!(first.find(None, Some("u1")).is_some());
        let v1 = json!({"abc123": "cheated"});
        assert_eq!(
            RevocationList::from_value(&v1).find(None, Some("abc123")),
            Some(Some("cheated"))
        );
        assert!(
            RevocationList::from_value(&json!({"revokedAssertions": []}))
                .entries
                .is_empty()
        );
    }
}
