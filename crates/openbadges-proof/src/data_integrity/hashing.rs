//! The canonical forms and hashes an `eddsa-rdfc-2022` proof signs: JSON-LD to RDF (safe
//! mode), RDFC-1.0, SHA-256 of the proof configuration and of the document.

use ring::digest::{SHA256, digest};
use serde_json::{Map, Value};

use super::DiError;
use crate::jsonld::{
    BundledContexts, ContextCache, ContextLoader, JsonLdLimits, JsonLdOptions, to_rdf,
};
use crate::rdfc::{CanonLimits, canonicalize};

/// Canonical N-Quads of a JSON-LD document (bundled contexts, safe mode).
///
/// # Errors
/// JSON-LD or canonicalization errors.
pub fn canonical_nquads(doc: &Value) -> Result<String, DiError> {
    with_bundled_cache(|cache| bundled_nquads(doc, cache))
}

thread_local! {
    /// This thread's processed bundled contexts, for signing and the hashing helpers (which
    /// always use the bundled contexts): per thread, so no thread waits for another, and
    /// bounded like every [`ContextCache`].
    static BUNDLED: ContextCache = ContextCache::new();
}

/// Runs `f` with this thread's cache of the processed bundled contexts.
pub(super) fn with_bundled_cache<T>(f: impl FnOnce(&ContextCache) -> T) -> T {
    BUNDLED.with(f)
}

/// [`canonical_nquads`], reusing the processed bundled contexts in `cache`.
fn bundled_nquads(doc: &Value, cache: &ContextCache) -> Result<String, DiError> {
    let jsonld = Canonicalizer {
        contexts: &BundledContexts,
        cache: Some(cache),
        jsonld_limits: JsonLdLimits::default(),
        canon_limits: &CanonLimits::default(),
    };
    jsonld.nquads(doc)
}

/// How documents are canonicalized: JSON-LD in safe mode with these contexts and limits,
/// then RDFC-1.0.
#[derive(Clone, Copy)]
pub(super) struct Canonicalizer<'a> {
    /// Where contexts come from.
    pub(super) contexts: &'a dyn ContextLoader,
    /// The processed contexts of `contexts` to reuse.
    pub(super) cache: Option<&'a ContextCache>,
    /// JSON-LD limits.
    pub(super) jsonld_limits: JsonLdLimits,
    /// Canonicalization limits.
    pub(super) canon_limits: &'a CanonLimits,
}

impl Canonicalizer<'_> {
    /// The canonical N-Quads of `doc`.
    pub(super) fn nquads(&self, doc: &Value) -> Result<String, DiError> {
        let opts = JsonLdOptions {
            loader: self.contexts,
            safe_mode: true,
            limits: self.jsonld_limits,
            base: None,
            cache: self.cache,
        };
        let ds = to_rdf(doc, &opts)?;
        Ok(canonicalize(&ds, self.canon_limits)?.nquads)
    }
}

/// `a || b`.
pub(super) fn concat_hashes(a: &[u8; 32], b: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    let (x, y) = out.split_at_mut(32);
    x.copy_from_slice(a);
    y.copy_from_slice(b);
    out
}

/// SHA-256 of `s`.
pub(super) fn sha256(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest(&SHA256, s.as_bytes()).as_ref());
    out
}

/// The proof configuration of `proof` for `doc`: the proof without `proofValue` (and
/// legacy `jws`/`signatureValue`), with the document's `@context` when it has none.
pub(super) fn proof_config(proof: &Map<String, Value>, doc: &Map<String, Value>) -> Value {
    let mut cfg = proof.clone();
    cfg.remove("proofValue");
    cfg.remove("jws");
    cfg.remove("signatureValue");
    if !cfg.contains_key("@context") {
        if let Some(c) = doc.get("@context") {
            cfg.insert("@context".into(), c.clone());
        }
    }
    Value::Object(cfg)
}

/// `SHA-256(canonical proof config) || SHA-256(canonical document)`, the data an
/// `eddsa-rdfc-2022` proof signs. `proof` may contain `proofValue` (it is removed).
///
/// # Errors
/// JSON-LD or canonicalization errors.
pub fn hash_data(doc: &Value, proof: &Value) -> Result<[u8; 64], DiError> {
    let d = doc.as_object().ok_or(DiError::NotAnObject)?;
    let p = proof.as_object().ok_or(DiError::NotAnObject)?;
    let mut unsecured = d.clone();
    unsecured.remove("proof");
    let (doc_c, proof_c) = with_bundled_cache(|cache| {
        Ok::<_, DiError>((
            bundled_nquads(&Value::Object(unsecured), cache)?,
            bundled_nquads(&proof_config(p, d), cache)?,
        ))
    })?;
    Ok(concat_hashes(&sha256(&proof_c), &sha256(&doc_c)))
}
