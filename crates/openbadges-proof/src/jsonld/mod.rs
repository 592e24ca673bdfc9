//! A focused JSON-LD 1.1 processor: context processing, expansion and deserialization to
//! RDF (`toRdf`), with contexts only from a loader (by default the bundled ones; never the
//! network) and a "safe mode" that turns every silent drop into an error.
//!
//! ```
//! use openbadges_proof::jsonld::{to_rdf, JsonLdOptions};
//! let doc = serde_json::json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "id": "urn:uuid:1", "type": ["VerifiableCredential"], "name": "A"
//! });
//! let ds = to_rdf(&doc, &JsonLdOptions::default())?;
//! assert_eq!(ds.len(), 2);
//! // An undefined term is an error in safe mode (the default), not a silently dropped claim.
//! let bad = serde_json::json!({"@context": ["https://www.w3.org/2018/credentials/v1"], "nmae": "A"});
//! assert!(to_rdf(&bad, &JsonLdOptions::default()).is_err());
//! # Ok::<(), openbadges_proof::jsonld::JsonLdError>(())
//! ```

mod bundled;
mod cache;
mod context;
mod expand;
mod iri;
mod iri_expansion;
mod jcs;
mod term;
mod to_rdf;

use std::sync::Arc;

use serde_json::Value;

pub use bundled::{BUNDLED_CONTEXTS, BundledContexts, StaticContexts};
pub use cache::ContextCache;
pub use jcs::jcs;

use crate::rdfc::Dataset;
use context::Context;

/// Where contexts come from. Implementations must not perform network I/O behind the
/// caller's back; the bundled set is [`BundledContexts`].
pub trait ContextLoader: Send + Sync {
    /// The JSON-LD document (with an `@context` entry) published at `url`, if known.
    fn load(&self, url: &str) -> Option<Arc<Value>>;

    /// Whether this loader serves exactly the bundled contexts (and nothing else under their
    /// URLs), so that its processed contexts may be shared with every other user of the
    /// bundled set. Default `false`.
    fn is_bundled(&self) -> bool {
        false
    }
}

/// Errors of JSON-LD processing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JsonLdError {
    /// A context URL is not in the loader (no network is ever used).
    #[error("unknown JSON-LD context {0}")]
    UnknownContext(String),
    /// Safe mode: something would have been silently dropped or left relative.
    #[error("JSON-LD safe mode: {0}")]
    SafeMode(String),
    /// An invalid local context or term definition.
    #[error("invalid JSON-LD context: {0}")]
    InvalidContext(String),
    /// An invalid value object.
    #[error("invalid value object: {0}")]
    InvalidValueObject(String),
    /// A keyword appears twice.
    #[error("colliding keywords {0}")]
    CollidingKeywords(String),
    /// An invalid `@id` value.
    #[error("invalid @id value {0}")]
    InvalidIdValue(String),
    /// An invalid `@type` value.
    #[error("invalid @type value {0}")]
    InvalidTypeValue(String),
    /// An invalid `@reverse` use.
    #[error("invalid reverse property")]
    InvalidReverse,
    /// An invalid `@included` value.
    #[error("invalid @included value")]
    InvalidIncluded,
    /// An invalid `@set` or `@list` object.
    #[error("invalid set or list object")]
    InvalidSetOrList,
    /// An invalid language map value.
    #[error("invalid language map value")]
    InvalidLanguageMapValue,
    /// An invalid `@nest` value.
    #[error("invalid @nest value")]
    InvalidNestValue,
    /// A processing limit was hit.
    #[error("JSON-LD limit exceeded: {0}")]
    LimitExceeded(&'static str),
}

/// Processing limits (on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct JsonLdLimits {
    /// Maximum nesting depth of the document.
    pub max_depth: usize,
    /// Maximum number of processing steps (elements, contexts, term definitions).
    pub max_work: usize,
    /// Maximum depth of remote context inclusion.
    pub max_remote_contexts: usize,
    /// Maximum number of quads produced.
    pub max_quads: usize,
}

impl Default for JsonLdLimits {
    fn default() -> Self {
        Self {
            max_depth: 64,
            max_work: 1_000_000,
            max_remote_contexts: 32,
            max_quads: 100_000,
        }
    }
}

/// Options of [`expand`] and [`to_rdf`].
#[derive(Clone, Copy)]
pub struct JsonLdOptions<'a> {
    /// Where contexts come from (default: the bundled contexts).
    pub loader: &'a dyn ContextLoader,
    /// Safe mode (default `true`): undefined terms, relative `@id`/`@type`/`@vocab`
    /// references, free-floating values and other silent drops are errors.
    pub safe_mode: bool,
    /// Limits.
    pub limits: JsonLdLimits,
    /// The document's base IRI (default none: relative references stay relative and are
    /// errors in safe mode).
    pub base: Option<&'a str>,
    /// Processed contexts to reuse, and to keep for the next documents (default none: each
    /// call processes its contexts afresh, once per call). The cache must belong to
    /// [`JsonLdOptions::loader`] (see [`ContextCache`]).
    pub cache: Option<&'a ContextCache>,
}

impl Default for JsonLdOptions<'_> {
    fn default() -> Self {
        Self {
            loader: &BundledContexts,
            safe_mode: true,
            limits: JsonLdLimits::default(),
            base: None,
            cache: None,
        }
    }
}

impl std::fmt::Debug for JsonLdOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLdOptions")
            .field("safe_mode", &self.safe_mode)
            .field("limits", &self.limits)
            .field("base", &self.base)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// One expansion: the options and the work done so far.
pub(crate) struct Processor<'a> {
    pub(crate) loader: &'a dyn ContextLoader,
    pub(crate) safe: bool,
    pub(crate) limits: JsonLdLimits,
    pub(crate) cache: &'a ContextCache,
    work: usize,
    /// A member of the document's top-level map that expansion leaves out, as if the map
    /// did not have it (a secured document's `proof`, without copying the document).
    skip_root: Option<&'a str>,
}

impl Processor<'_> {
    /// Counts one processing step against [`JsonLdLimits::max_work`].
    pub(crate) fn tick(&mut self) -> Result<(), JsonLdError> {
        self.work += 1;
        if self.work > self.limits.max_work {
            return Err(JsonLdError::LimitExceeded("too much work"));
        }
        Ok(())
    }
}

/// Expands a JSON-LD document (JSON-LD 1.1 Expansion algorithm). The result is always an
/// array of node objects.
///
/// # Errors
/// A [`JsonLdError`]: unknown context, invalid syntax, safe-mode violation, limits.
pub fn expand(doc: &Value, opts: &JsonLdOptions<'_>) -> Result<Value, JsonLdError> {
    expand_skipping(doc, None, opts)
}

/// [`expand`] of `doc` without its top-level member `skip` (when `doc` is a map).
fn expand_skipping<'a>(
    doc: &'a Value,
    skip: Option<&'a str>,
    opts: &JsonLdOptions<'a>,
) -> Result<Value, JsonLdError> {
    let own_cache;
    let cache = match opts.cache {
        Some(c) => c,
        None => {
            own_cache = ContextCache::new();
            &own_cache
        }
    };
    let mut p = Processor {
        loader: opts.loader,
        safe: opts.safe_mode,
        limits: opts.limits,
        cache,
        work: 0,
        skip_root: skip,
    };
    let active = Arc::new(Context::new(opts.base.map(str::to_owned)));
    let r = p.expand_element(&active, None, doc, opts.base, false, 0)?;
    let r = match r {
        Some(Value::Object(mut m)) if m.len() == 1 && m.contains_key("@graph") => {
            m.remove("@graph").unwrap_or(Value::Null)
        }
        Some(v) => v,
        None => Value::Array(Vec::new()),
    };
    Ok(match r {
        Value::Array(a) => Value::Array(a),
        Value::Null => Value::Array(Vec::new()),
        v => Value::Array(vec![v]),
    })
}

/// Deserializes an expanded document (the output of [`expand`]) to an RDF dataset.
///
/// # Errors
/// [`JsonLdError::SafeMode`] in safe mode when a relative IRI or blank node predicate would
/// be dropped; [`JsonLdError::LimitExceeded`].
pub fn expanded_to_rdf(expanded: &Value, opts: &JsonLdOptions<'_>) -> Result<Dataset, JsonLdError> {
    let mut t = to_rdf::ToRdf::new(opts.safe_mode, opts.limits.max_quads);
    let items: &[Value] = match expanded {
        Value::Array(a) => a,
        v => std::slice::from_ref(v),
    };
    for item in items {
        if let Value::Object(m) = item {
            if m.contains_key("@value") || m.contains_key("@list") {
                continue;
            }
            t.node(m, &None)?;
        }
    }
    Ok(t.ds)
}

/// Expands `doc` and deserializes it to an RDF dataset (JSON-LD `toRdf`).
///
/// # Errors
/// See [`expand`] and [`expanded_to_rdf`].
pub fn to_rdf(doc: &Value, opts: &JsonLdOptions<'_>) -> Result<Dataset, JsonLdError> {
    let e = expand(doc, opts)?;
    expanded_to_rdf(&e, opts)
}

/// [`to_rdf`] of the map `doc` without its member `skip`: the same dataset as `to_rdf` of a
/// copy of `doc` with `skip` removed (a secured document's unsecured form, not copied).
///
/// # Errors
/// See [`to_rdf`].
pub(crate) fn to_rdf_without(
    doc: &Value,
    skip: &str,
    opts: &JsonLdOptions<'_>,
) -> Result<Dataset, JsonLdError> {
    let e = expand_skipping(doc, Some(skip), opts)?;
    expanded_to_rdf(&e, opts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    /// `to_rdf_without(doc, "proof")` is `to_rdf` of a copy of `doc` without `proof`: also
    /// when the context makes `proof` an alias of `@type` or of `@nest`, when a nested map has
    /// its own `proof` (kept), and for a document whose `proof` would fail expansion.
    #[test]
    fn to_rdf_without_is_to_rdf_of_the_copy_without_the_member() {
        let v2 = "https://www.w3.org/ns/credentials/v2";
        let docs = vec![
            json!({"@context": [v2], "id": "urn:uuid:1", "type": ["VerifiableCredential"],
                   "name": "A", "proof": {"type": "DataIntegrityProof", "created": "x"}}),
            json!({"@context": {"@vocab": "http://example.org/", "proof": "@type"},
                   "@id": "urn:uuid:1", "name": "A", "proof": "http://example.org/T"}),
            json!({"@context": {"@vocab": "http://example.org/", "proof": "@nest"},
                   "@id": "urn:uuid:1", "proof": {"p": "nested"},
                   "s": {"@id": "urn:uuid:2", "proof": {"q": "kept"}}}),
            json!({"@context": {"@vocab": "http://example.org/"},
                   "@id": "urn:uuid:1", "proof": {"p": "x"},
                   "s": {"@id": "urn:uuid:2", "proof": {"q": "kept"}}}),
            json!({"@context": [v2], "id": "urn:uuid:1", "name": "A",
                   "proof": {"undefinedTerm": 1}}),
            json!({"@context": [v2], "id": "urn:uuid:1", "name": "A"}),
        ];
        let opts = JsonLdOptions::default();
        for doc in docs {
            let mut copy = doc.as_object().unwrap().clone();
            copy.remove("proof");
            let want = to_rdf(&Value::Object(copy), &opts);
            let got = to_rdf_without(&doc, "proof", &opts);
            assert_eq!(got, want, "{doc}");
        }
        // Every other member still counts.
        let doc = json!({"@context": [v2], "id": "urn:uuid:1", "name": "A", "proof": {}});
        let other = json!({"@context": [v2], "id": "urn:uuid:1", "name": "B", "proof": {}});
        assert_ne!(
            to_rdf_without(&doc, "proof", &opts).unwrap(),
            to_rdf_without(&other, "proof", &opts).unwrap()
        );
    }
}
