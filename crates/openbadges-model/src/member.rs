//! Reading a JSON object's members by name without hashing the name.
//!
//! The workspace builds `serde_json` with `preserve_order`: a [`Map`] is an `IndexMap` whose
//! entries sit in a `Vec` in document order, and `Map::get` hashes the name with std's SipHash
//! (~150 instructions for a short name) before it looks. Badge objects are small (a credential
//! has ~10 members, most nested objects 1–5), and a verification asks ~150 such questions, so
//! comparing the name with each entry's is several times cheaper than hashing it once. Objects
//! larger than [`LINEAR_SCAN_MAX`] members are still looked up through the hash index.
//!
//! The answers are `Map::get`'s: a `Map` holds each name at most once, so the first entry with
//! the name is the only one.
//!
//! ```
//! use openbadges_model::member::Members;
//! let doc = serde_json::json!({"type": "Assertion", "badge": {"id": "urn:x"}});
//! assert_eq!(doc.member("type"), Some(&serde_json::json!("Assertion")));
//! assert_eq!(doc.member("badge").and_then(|b| b.member("id")).and_then(|i| i.as_str()), Some("urn:x"));
//! assert!(doc.has_member("badge") && !doc.has_member("issuer"));
//! assert_eq!(serde_json::json!([1, 2]).member("type"), None); // not an object
//! ```

use serde_json::{Map, Value};

/// The largest object searched by comparing names one by one; larger ones use the hash index.
/// Comparing a name with an entry's costs a length comparison (and a `memcmp` when the lengths
/// agree), so up to ~16 entries a scan costs less than hashing the name.
pub const LINEAR_SCAN_MAX: usize = 16;

/// Member lookup by name, with the answers of `Map::get` / `Value::get(&str)` and without hashing
/// the name in small objects (see the [module documentation](self)).
pub trait Members {
    /// The member named `name`, or `None` (also when `self` is a [`Value`] that is not an
    /// object).
    fn member(&self, name: &str) -> Option<&Value>;

    /// Whether there is a member named `name` (of any value, `null` included).
    fn has_member(&self, name: &str) -> bool {
        self.member(name).is_some()
    }
}

impl Members for Map<String, Value> {
    #[inline]
    fn member(&self, name: &str) -> Option<&Value> {
        if self.len() <= LINEAR_SCAN_MAX {
            self.iter().find_map(|(k, v)| (k == name).then_some(v))
        } else {
            self.get(name)
        }
    }
}

impl Members for Value {
    #[inline]
    fn member(&self, name: &str) -> Option<&Value> {
        self.as_object().and_then(|o| o.member(name))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Same answers as `Map::get` for every name present and absent, in objects on both sides of
    /// the linear-scan limit.
    #[test]
    fn agrees_with_map_get() {
        for n in [
            0,
            1,
            2,
            5,
            LINEAR_SCAN_MAX - 1,
            LINEAR_SCAN_MAX,
            LINEAR_SCAN_MAX + 1,
            40,
        ] {
            let mut m = Map::new();
            for i in 0..n {
                m.insert(format!("k{i}"), Value::from(i));
            }
            // Names of other lengths, prefixes, the empty name, a non-ASCII one.
            let probes: Vec<String> = (0..n + 3)
                .map(|i| format!("k{i}"))
                .chain(["", "k", "k00", "ké", "K1"].map(String::from))
                .collect();
            let v = Value::Object(m.clone());
            for p in &probes {
                assert_eq!(m.member(p), m.get(p), "{n} {p}");
                assert_eq!(v.member(p), v.get(p.as_str()), "{n} {p}");
                assert_eq!(m.has_member(p), m.contains_key(p.as_str()), "{n} {p}");
            }
        }
        assert_eq!(Value::Null.member("a"), None);
        assert_eq!(Value::from("a").member("a"), None);
    }
}
