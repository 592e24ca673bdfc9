//! OB 1.x/2.0 documents read as JSON-LD.
//!
//! The OB 2.0 specification calls two documents equivalent when their expanded RDF is. A
//! document whose `@context` is not simply the v2 (or v1) URL — the v2 context written inline,
//! an array adding extension contexts, terms of its own — is expanded with the bundled
//! contexts; if its node is in the Open Badges vocabulary (`https://w3id.org/openbadges#`, or
//! the `sec:Key` / `cred:Credential` classes the v2 context maps `CryptographicKey` and
//! `Endorsement` to), its expanded properties are mapped back to the v2 terms, giving the
//! model a document it reads as usual. Nothing is fetched: a context the bundled set does not
//! hold leaves the document as written.

use std::collections::HashMap;
use std::sync::OnceLock;

use openbadges_model::detect::{OB2_CONTEXT, Version};
use openbadges_model::member::Members;
use openbadges_model::ob2::{EXTENSIONS_IRI, EXTENSIONS_PREFIX, terms};
use serde_json::{Map, Value};

use crate::jsonld::{ContextLoader, JsonLdOptions, StaticContexts, expand};
use crate::loader::{OB_V1_CONTEXT, OB_V2_CONTEXT};

/// The Open Badges vocabulary.
const OBI: &str = "https://w3id.org/openbadges#";
/// Classes outside `obi:` that the v2 context maps OB classes to.
const OTHER_OB_CLASSES: &[&str] = &[
    "https://w3id.org/security#Key",
    "https://w3id.org/credentials#Credential",
];

/// Every URL the OB v1 and v2 contexts are published at, with their text.
fn ob_context_urls() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (v, text) in [("v2", OB_V2_CONTEXT), ("v1", OB_V1_CONTEXT)] {
        for scheme in ["https", "http"] {
            for slash in ["", "/"] {
                out.push((format!("{scheme}://w3id.org/openbadges/{v}{slash}"), text));
            }
        }
        out.push((format!("https://openbadgespec.org/{v}/context.json"), text));
    }
    out
}

/// The bundled contexts plus the OB v1/v2 contexts.
fn loader() -> &'static StaticContexts {
    static L: OnceLock<StaticContexts> = OnceLock::new();
    L.get_or_init(|| {
        let mut l = StaticContexts::new();
        for (url, text) in ob_context_urls() {
            if let Ok(v) = serde_json::from_str::<Value>(text) {
                l.insert(url, v);
            }
        }
        l
    })
}

/// The term definitions of a context document (`{"@context": {…}}` or `[{…}, {…}]`, later
/// objects overriding earlier ones), as term → IRI; aliases of other terms are resolved.
pub(super) fn term_iris(context_doc: &Value) -> HashMap<String, String> {
    let defs: Vec<&Map<String, Value>> = match context_doc.member("@context") {
        Some(Value::Object(o)) => vec![o],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    };
    let mut raw: HashMap<String, String> = HashMap::new();
    for o in defs {
        for (term, def) in o {
            let iri = match def {
                Value::String(s) => Some(s.as_str()),
                Value::Object(d) => d.member("@id").and_then(Value::as_str),
                _ => None,
            };
            if let Some(iri) = iri {
                raw.insert(term.clone(), iri.to_string());
            }
        }
    }
    let resolve = |term: &str| -> Option<String> {
        let mut v = raw.get(term)?.clone();
        // A term naming another term (`"verify": "verification"`): follow it (bounded).
        for _ in 0..4 {
            match raw.get(&v) {
                Some(next) if !v.contains(':') => v = next.clone(),
                _ => break,
            }
        }
        if v.starts_with('@') {
            return None;
        }
        let (prefix, suffix) = v.split_once(':')?;
        if suffix.starts_with("//") {
            return Some(v.clone());
        }
        match raw.get(prefix) {
            Some(base) if base.contains("://") => Some(format!("{base}{suffix}")),
            _ => Some(v.clone()),
        }
    };
    raw.keys()
        .filter_map(|t| {
            let iri = resolve(t)?;
            // Prefix terms (`obi`, `schema`, …) are namespaces, not properties or classes.
            (!(iri.ends_with('#') || iri.ends_with('/'))).then(|| (t.clone(), iri))
        })
        .collect()
}

/// IRI → the v2 term for it (aliases of the model's tables left out, so the v2 name wins).
fn v2_terms() -> &'static HashMap<String, String> {
    static M: OnceLock<HashMap<String, String>> = OnceLock::new();
    M.get_or_init(|| {
        let ctx: Value = serde_json::from_str(OB_V2_CONTEXT).unwrap_or(Value::Null);
        let mut by_iri: HashMap<String, String> = HashMap::new();
        let mut pairs: Vec<(String, String)> = term_iris(&ctx).into_iter().collect();
        pairs.sort();
        for (term, iri) in pairs {
            let alias = terms::PROPERTY_ALIASES.iter().any(|(a, _)| *a == term)
                || terms::type_term(&term).is_some();
            if !alias {
                // `revoked` and `revokedAssertions` share an IRI: the first (sorted) is kept
                // and `terms::in_v2_terms` picks the right one by value.
                by_iri.entry(iri).or_insert(term);
            }
        }
        by_iri
    })
}

/// Whether every `@context` entry is a string (a URL: nothing renamed inline).
fn context_is_urls(doc: &Value) -> bool {
    match doc.member("@context") {
        Some(Value::String(_)) => true,
        Some(Value::Array(a)) => a.iter().all(Value::is_string),
        _ => false,
    }
}

/// The document in the v2 terms when it needs JSON-LD to be read (see the module docs), or
/// `None` when it is read as written: no `@context`, a plain OB v1/v2 URL context, an OB 3.0
/// credential, a context the bundled set does not hold, or a node outside the OB vocabulary.
/// `d` is `doc`'s detection (`openbadges_model::detect`), which the caller already has.
pub(super) fn read_as_v2_detected(
    doc: &Value,
    d: &openbadges_model::detect::Detection,
) -> Option<Value> {
    doc.member("@context")?;
    match d.version {
        Some(Version::V3_0 | Version::Clr2_0) => return None,
        Some(_) if context_is_urls(doc) => return None,
        _ => {}
    }
    let opts = JsonLdOptions {
        loader: loader() as &dyn ContextLoader,
        safe_mode: false,
        ..JsonLdOptions::default()
    };
    let expanded = expand(doc, &opts).ok()?;
    let node = match expanded {
        Value::Array(mut a) if a.len() == 1 => a.pop()?,
        _ => return None,
    };
    let Value::Object(node) = node else {
        return None;
    };
    if !in_ob_vocabulary(&node) {
        return None;
    }
    let Value::Object(mut out) = compact_node(&node) else {
        return None;
    };
    out.insert("@context".into(), Value::String(OB2_CONTEXT.into()));
    Some(terms::in_v2_terms(&Value::Object(out)).into_owned())
}

fn in_ob_vocabulary(node: &Map<String, Value>) -> bool {
    let types = node
        .member("@type")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>())
        .unwrap_or_default();
    types
        .iter()
        .any(|t| t.starts_with(OBI) || OTHER_OB_CLASSES.contains(t))
        || (types.is_empty() && node.keys().any(|k| k.starts_with(OBI)))
}

/// The v2 name of an expanded IRI (a term, `extensions:Name`, or the IRI itself).
fn name_of(iri: &str) -> String {
    if let Some(t) = v2_terms().get(iri) {
        return t.clone();
    }
    if let Some(rest) = iri.strip_prefix(EXTENSIONS_IRI) {
        return format!("{EXTENSIONS_PREFIX}{rest}");
    }
    iri.to_string()
}

fn compact_node(node: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (k, v) in node {
        match k.as_str() {
            "@id" => {
                out.insert("id".into(), v.clone());
            }
            "@type" => {
                let names: Vec<Value> = match v {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(|t| Value::String(name_of(t)))
                        .collect(),
                    Value::String(t) => vec![Value::String(name_of(t))],
                    _ => Vec::new(),
                };
                out.insert("type".into(), one_or_many(names));
            }
            _ if k.starts_with('@') => {}
            iri => {
                let values: Vec<Value> = match v {
                    Value::Array(a) => a.iter().map(compact_value).collect(),
                    other => vec![compact_value(other)],
                };
                out.insert(name_of(iri), one_or_many(values));
            }
        }
    }
    Value::Object(out)
}

fn compact_value(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            if let Some(x) = o.member("@value") {
                return x.clone();
            }
            if let Some(Value::Array(l)) = o.member("@list") {
                return Value::Array(l.iter().map(compact_value).collect());
            }
            if o.len() == 1 {
                if let Some(id) = o.member("@id") {
                    return id.clone();
                }
            }
            compact_node(o)
        }
        other => other.clone(),
    }
}

fn one_or_many(mut v: Vec<Value>) -> Value {
    if v.len() == 1 {
        v.pop().unwrap_or(Value::Null)
    } else {
        Value::Array(v)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    fn read_as_v2(doc: &Value) -> Option<Value> {
        read_as_v2_detected(doc, &openbadges_model::detect(doc))
    }

    /// Every pair of terms the bundled v1/v2 contexts map to one IRI is in the model's alias
    /// tables (or is the `revoked`/`revokedAssertions` pair it tells apart by value): the
    /// model's list is the contexts' list, not a guess.
    #[test]
    fn the_models_alias_tables_are_every_alias_the_bundled_contexts_define() {
        let v2 = term_iris(&serde_json::from_str(OB_V2_CONTEXT).unwrap());
        let v1 = term_iris(&serde_json::from_str(OB_V1_CONTEXT).unwrap());
        let mut v2_by_iri: HashMap<&str, Vec<&str>> = HashMap::new();
        for (t, i) in &v2 {
            v2_by_iri.entry(i).or_default().push(t);
        }
        let mut found = Vec::new();
        for (t, iri) in v1.iter().chain(v2.iter()) {
            let Some(same) = v2_by_iri.get(iri.as_str()) else {
                continue;
            };
            for other in same {
                if other == t {
                    continue;
                }
                found.push((t.clone(), other.to_string()));
            }
        }
        for (t, other) in &found {
            let by_table = terms::PROPERTY_ALIASES
                .iter()
                .any(|(a, c)| (a == t && c == other) || (a == other && c == t))
                || terms::TYPE_ALIASES
                    .iter()
                    .any(|(a, c)| (a == t && c == other) || (a == other && c == t));
            let revoked_pair = [t.as_str(), other.as_str()]
                .iter()
                .all(|x| *x == "revoked" || *x == "revokedAssertions");
            assert!(
                by_table || revoked_pair,
                "{t} = {other} is not in the model's tables"
            );
        }
        // And the tables hold nothing the contexts do not define.
        for (a, c) in terms::PROPERTY_ALIASES.iter().chain(terms::TYPE_ALIASES) {
            assert!(
                found.iter().any(|(x, y)| x == a && y == c),
                "{a} = {c} is not defined by the bundled contexts"
            );
        }
    }

    #[test]
    fn an_inline_v2_context_is_read_in_the_v2_terms() {
        let ctx: Value = serde_json::from_str(OB_V2_CONTEXT).unwrap();
        let doc = json!({"@context": ctx["@context"], "type": "BadgeClass", "id": "https://e.org/b",
            "name": "B", "issuer": "https://e.org/i", "criteria": {"narrative": "n"}});
        let v = read_as_v2(&doc).unwrap();
        assert_eq!(v["@context"], OB2_CONTEXT);
        assert_eq!(v["type"], "BadgeClass");
        assert_eq!(v["issuer"], "https://e.org/i");
        assert_eq!(v["criteria"]["narrative"], "n");
    }

    #[test]
    fn own_terms_are_mapped_back_to_the_v2_terms() {
        let doc = json!({"@context": {"@vocab": "https://w3id.org/openbadges#", "nom": "http://schema.org/name",
            "emetteur": {"@id": "https://w3id.org/openbadges#issuer", "@type": "@id"}},
            "@type": "BadgeClass", "@id": "https://e.org/b", "nom": "B", "emetteur": "https://e.org/i"});
        let v = read_as_v2(&doc).unwrap();
        assert_eq!(v["name"], "B");
        assert_eq!(v["issuer"], "https://e.org/i");
        assert_eq!(v["type"], "BadgeClass");
    }

    #[test]
    fn plain_contexts_and_foreign_vocabularies_are_left_alone() {
        assert!(read_as_v2(&json!({"@context": OB2_CONTEXT, "type": "Assertion"})).is_none());
        assert!(
            read_as_v2(&json!({"@context": {"name": "http://schema.org/name"}, "name": "x"}))
                .is_none()
        );
        assert!(
            read_as_v2(&json!({"@context": "https://example.org/unknown", "type": "Assertion"}))
                .is_none()
        );
    }
}
