//! The aliases of the Open Badges v1 and v2 JSON-LD contexts, and reading a document in the v2
//! terms.
//!
//! OB 1.x/2.0 documents are JSON-LD: two terms that the context maps to the same IRI are the same
//! property. The bundled contexts (`https://w3id.org/openbadges/v2` and `…/v1`) define these
//! pairs; every other term maps to an IRI of its own.
//!
//! | context | term | same IRI as | IRI |
//! |---|---|---|---|
//! | v2 | `verify` (`"verify": "verification"`) | `verification` | `obi:verify` |
//! | v1 | `verify` | `verification` (v2) | `obi:verify` |
//! | v2 | `revoked` / `revokedAssertions` | each other | `obi:revoked` |
//! | v2, v1 | `hosted` (a type) | `HostedBadge` | `obi:HostedBadge` |
//! | v2, v1 | `signed` (a type) | `SignedBadge` | `obi:SignedBadge` |
//! | v1 | `IssuerOrg` (a type) | `Issuer` | `obi:Issuer` |
//!
//! `revoked` and `revokedAssertions` share `obi:revoked`; the context tells them apart only by
//! the value (`revoked` is coerced to `xsd:boolean`), so [`in_v2_terms`] does the same: a boolean
//! (or `"true"`/`"false"`) is `revoked`, a list, entry object or id is `revokedAssertions`.
//!
//! [`in_v2_terms`] gives a *view* of a document under these v2 names, for reading; the document
//! itself (and so the bytes a signature covers, and the lossless round trip of the typed model)
//! is never changed. Documents whose `@context` renames terms in other ways (an inline context,
//! extension contexts) are read by JSON-LD expansion in `openbadges-proof`, which hands the
//! model a document in these same v2 terms.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// Property aliases: `(alias, v2 term)`; both expand to the same IRI.
pub const PROPERTY_ALIASES: &[(&str, &str)] = &[("verify", "verification")];

/// Type aliases: `(alias, v2 type)`; both expand to the same class IRI.
pub const TYPE_ALIASES: &[(&str, &str)] = &[
    ("hosted", "HostedBadge"),
    ("signed", "SignedBadge"),
    ("IssuerOrg", "Issuer"),
];

/// The v2 term for an alias written as a property key, if `key` is one; `value` decides
/// between `revoked` and `revokedAssertions` (which share one IRI).
pub fn property_term(key: &str, value: &Value) -> Option<&'static str> {
    if let Some((_, t)) = PROPERTY_ALIASES.iter().find(|(a, _)| *a == key) {
        return Some(t);
    }
    let boolean = match value {
        Value::Bool(_) => true,
        Value::String(s) => s == "true" || s == "false",
        _ => false,
    };
    match key {
        "revoked" if !boolean && !value.is_null() => Some("revokedAssertions"),
        "revokedAssertions" if boolean => Some("revoked"),
        _ => None,
    }
}

/// The v2 type for a type alias, if `t` is one.
pub fn type_term(t: &str) -> Option<&'static str> {
    TYPE_ALIASES.iter().find(|(a, _)| *a == t).map(|(_, v)| *v)
}

/// Nesting depth beyond which [`in_v2_terms`] leaves a value as it is (documents parsed within
/// [`crate::Limits`] never get there).
const MAX_DEPTH: usize = 128;

/// `doc` with every alias of the table above renamed to its v2 term, at every depth (a
/// borrowed view when there is nothing to rename). When both the alias and the v2 term are
/// present, both are kept as written: the v2 term is what is read.
///
/// ```
/// use openbadges_model::ob2::terms::in_v2_terms;
/// let doc = serde_json::json!({"type": "Assertion", "verify": {"type": "signed"}});
/// let view = in_v2_terms(&doc);
/// assert_eq!(view["verification"]["type"], "SignedBadge");
/// assert!(doc.get("verification").is_none()); // the document itself is unchanged
/// ```
pub fn in_v2_terms(doc: &Value) -> Cow<'_, Value> {
    match rename(doc, 0) {
        Some(v) => Cow::Owned(v),
        None => Cow::Borrowed(doc),
    }
}

/// The renamed copy of `v`, or `None` when nothing in it needs renaming.
fn rename(v: &Value, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    match v {
        Value::Array(a) => {
            let changed: Vec<Option<Value>> = a.iter().map(|x| rename(x, depth + 1)).collect();
            if changed.iter().all(Option::is_none) {
                return None;
            }
            Some(Value::Array(
                a.iter()
                    .zip(changed)
                    .map(|(x, c)| c.unwrap_or_else(|| x.clone()))
                    .collect(),
            ))
        }
        Value::Object(o) => {
            let needs = o.iter().any(|(k, x)| {
                property_term(k, x).is_some_and(|t| !o.contains_key(t))
                    || (k == "type" && types_need_renaming(x))
            });
            let children: Vec<(&String, Option<Value>)> =
                o.iter().map(|(k, x)| (k, rename(x, depth + 1))).collect();
            if !needs && children.iter().all(|(_, c)| c.is_none()) {
                return None;
            }
            let mut out = Map::with_capacity(o.len());
            for ((k, original), (_, child)) in o.iter().zip(children) {
                let mut value = child.unwrap_or_else(|| original.clone());
                if k == "type" {
                    value = rename_types(value);
                }
                let key = match property_term(k, original) {
                    Some(t) if !o.contains_key(t) => t.to_string(),
                    _ => k.clone(),
                };
                out.insert(key, value);
            }
            Some(Value::Object(out))
        }
        _ => None,
    }
}

fn types_need_renaming(v: &Value) -> bool {
    match v {
        Value::String(s) => type_term(s).is_some(),
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .any(|s| type_term(s).is_some()),
        _ => false,
    }
}

fn rename_types(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(type_term(&s).map_or(s, str::to_string)),
        Value::Array(a) => Value::Array(a.into_iter().map(rename_types).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    #[test]
    fn verify_is_read_as_verification_at_every_depth() {
        let doc = json!({"badge": {"issuer": {"verify": {"type": "hosted"}}}, "verify": {"type": "signed"}});
        let v = in_v2_terms(&doc);
        assert_eq!(v["verification"]["type"], "SignedBadge");
        assert_eq!(v["badge"]["issuer"]["verification"]["type"], "HostedBadge");
    }

    #[test]
    fn revoked_and_revoked_assertions_are_told_apart_by_value() {
        let list = json!({"type": "RevocationList", "revoked": ["urn:uuid:1"]});
        assert_eq!(in_v2_terms(&list)["revokedAssertions"][0], "urn:uuid:1");
        let stub = json!({"id": "https://e.org/a", "revokedAssertions": true});
        assert_eq!(in_v2_terms(&stub)["revoked"], true);
        let plain = json!({"id": "https://e.org/a", "revoked": true});
        assert!(matches!(in_v2_terms(&plain), Cow::Borrowed(_)));
    }

    #[test]
    fn the_v2_term_wins_and_nothing_is_lost_when_both_are_written() {
        let doc =
            json!({"verification": {"type": "HostedBadge"}, "verify": {"type": "SignedBadge"}});
        assert!(matches!(in_v2_terms(&doc), Cow::Borrowed(_)));
    }

    #[test]
    fn issuer_org_is_an_issuer() {
        let doc = json!({"type": ["IssuerOrg"], "name": "x"});
        assert_eq!(in_v2_terms(&doc)["type"][0], "Issuer");
    }
}
