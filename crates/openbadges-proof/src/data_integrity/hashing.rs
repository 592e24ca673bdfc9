//! The canonical forms and hashes an `eddsa-rdfc-2022` proof signs: JSON-LD to RDF (safe
//! mode), RDFC-1.0, SHA-256 of the proof configuration and of the document.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::DiError;
use crate::jsonld::{
    BundledContexts, ContextCache, ContextLoader, JsonLdLimits, JsonLdOptions, to_rdf,
    to_rdf_without,
};
use crate::rdfc::{CanonLimits, SlotTemplate, canonical_sha256, canonicalize};

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
    Canonicalizer::bundled(cache).nquads(doc)
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
    pub(super) canon_limits: CanonLimits,
}

impl<'a> Canonicalizer<'a> {
    /// The bundled contexts with their processed forms in `cache`, default limits.
    pub(super) fn bundled(cache: &'a ContextCache) -> Self {
        Self {
            contexts: &BundledContexts,
            cache: Some(cache),
            jsonld_limits: JsonLdLimits::default(),
            canon_limits: CanonLimits::default(),
        }
    }

    fn jsonld_options(&self) -> JsonLdOptions<'a> {
        JsonLdOptions {
            loader: self.contexts,
            safe_mode: true,
            limits: self.jsonld_limits,
            base: None,
            cache: self.cache,
        }
    }

    /// The canonical N-Quads of `doc`.
    pub(super) fn nquads(&self, doc: &Value) -> Result<String, DiError> {
        let ds = to_rdf(doc, &self.jsonld_options())?;
        Ok(canonicalize(&ds, &self.canon_limits)?.nquads)
    }

    /// SHA-256 of the canonical proof configuration `cfg`.
    ///
    /// A proof configuration has a fixed shape: `@context`, `type`, `cryptosuite`,
    /// `verificationMethod`, `proofPurpose` and `created`, of which only `created` changes
    /// from one proof of an issuer to the next. Its canonical form is kept in the context cache
    /// as a [`SlotTemplate`] with `created` left open, keyed by everything else (the whole
    /// configuration as JSON with an empty `created`, and the limits); the template exists
    /// only when `created` is a string that ends up as one literal's lexical form and the
    /// configuration has a single blank node, which the template checks when it is made.
    pub(super) fn proof_config_sha256(
        &self,
        cfg: &Map<String, Value>,
    ) -> Result<[u8; 32], DiError> {
        /// The `created` value of the configuration a template is made from.
        const SLOT: &str = "created-slot-6c1d4e7a";
        let (Some(cache), Some(Value::String(created))) = (self.cache, cfg.get("created")) else {
            return self.sha256(&Value::Object(cfg.clone()));
        };
        let key = self.template_key(cfg);
        if let Some(t) = cache.template(&key) {
            return Ok(t.sha256(created));
        }
        let mut probe = cfg.clone();
        probe.insert("created".into(), Value::String(SLOT.into()));
        let made = to_rdf(&Value::Object(probe), &self.jsonld_options())
            .ok()
            .and_then(|ds| {
                let c = canonicalize(&ds, &self.canon_limits).ok()?;
                SlotTemplate::new(&ds, &c.nquads, SLOT)
            });
        match made {
            Some(t) => {
                let h = t.sha256(created);
                cache.put_template(key, Arc::new(t));
                Ok(h)
            }
            None => self.sha256(&Value::Object(cfg.clone())),
        }
    }

    /// The template cache key of the proof configuration `cfg`: `cfg` as JSON with an empty
    /// `created` (written member by member, without copying the configuration), then every
    /// JSON-LD and canonicalization limit.
    fn template_key(&self, cfg: &Map<String, Value>) -> String {
        use std::fmt::Write as _;
        let empty = Value::String(String::new());
        let mut key = String::with_capacity(512);
        key.push('{');
        for (i, (k, v)) in cfg.iter().enumerate() {
            if i > 0 {
                key.push(',');
            }
            let v = if k == "created" { &empty } else { v };
            // Serializing a string key or a `Value` into a `String` cannot fail.
            let _ = write!(key, "{}:{v}", Value::String(k.clone()));
        }
        key.push('}');
        let JsonLdLimits {
            max_depth,
            max_work,
            max_remote_contexts,
            max_quads,
        } = self.jsonld_limits;
        let CanonLimits {
            max_ndegree_calls,
            max_permutations,
            max_depth: canon_depth,
            max_quads: canon_quads,
        } = self.canon_limits;
        let _ = write!(
            key,
            "|{max_depth},{max_work},{max_remote_contexts},{max_quads}\
             |{max_ndegree_calls},{max_permutations},{canon_depth},{canon_quads}"
        );
        key
    }

    /// SHA-256 of the canonical N-Quads of the secured document `doc` without its `proof`
    /// (the unsecured document, without copying `doc`).
    pub(super) fn unsecured_sha256(&self, doc: &Value) -> Result<[u8; 32], DiError> {
        let ds = to_rdf_without(doc, "proof", &self.jsonld_options())?;
        Ok(canonical_sha256(&ds, &self.canon_limits)?)
    }

    /// SHA-256 of the canonical N-Quads of `doc` (hashed as they are produced).
    pub(super) fn sha256(&self, doc: &Value) -> Result<[u8; 32], DiError> {
        let ds = to_rdf(doc, &self.jsonld_options())?;
        Ok(canonical_sha256(&ds, &self.canon_limits)?)
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

/// The proof configuration of `proof` for `doc`: the proof without `proofValue` (and
/// legacy `jws`/`signatureValue`), with the document's `@context` when it has none.
pub(super) fn proof_config(
    proof: &Map<String, Value>,
    doc: &Map<String, Value>,
) -> Map<String, Value> {
    let mut cfg = proof.clone();
    cfg.remove("proofValue");
    cfg.remove("jws");
    cfg.remove("signatureValue");
    if !cfg.contains_key("@context") {
        if let Some(c) = doc.get("@context") {
            cfg.insert("@context".into(), c.clone());
        }
    }
    cfg
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
    bundled_hash_data(&Value::Object(unsecured), &proof_config(p, d))
}

/// `SHA-256(canonical proof_config) || SHA-256(canonical unsecured)` with this thread's
/// processed bundled contexts.
pub(super) fn bundled_hash_data(
    unsecured: &Value,
    proof_config: &Map<String, Value>,
) -> Result<[u8; 64], DiError> {
    with_bundled_cache(|cache| {
        let c = Canonicalizer::bundled(cache);
        Ok(concat_hashes(
            &c.proof_config_sha256(proof_config)?,
            &c.sha256(unsecured)?,
        ))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn config(vm: &str, created: &str, purpose: &str) -> Map<String, Value> {
        let v = serde_json::json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": created,
            "verificationMethod": vm,
            "proofPurpose": purpose,
        });
        v.as_object().unwrap().clone()
    }

    /// The proof-configuration template answers only for configurations equal up to
    /// `created`: every other member, and `created` itself, still change the hash, exactly as
    /// an uncached canonicalization says.
    #[test]
    fn proof_config_template_key_is_not_too_coarse() {
        let cache = ContextCache::new();
        let cached = Canonicalizer::bundled(&cache);
        let vm1 = "did:key:z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r#z6MkhTNL7i2etLerDK8Acz5t528giE5KA4p75T6ka1E1D74r";
        let vm2 = "https://example.edu/issuers/565049#key-1";
        let mut variants = vec![
            config(vm1, "2024-01-01T00:00:00Z", "assertionMethod"),
            config(vm1, "2025-06-30T12:00:00Z", "assertionMethod"),
            config(vm2, "2024-01-01T00:00:00Z", "assertionMethod"),
            config(vm1, "2024-01-01T00:00:00Z", "authentication"),
            config(vm1, "2024-01-01T00:00:00\"Z", "assertionMethod"),
        ];
        let mut suite = config(vm1, "2024-01-01T00:00:00Z", "assertionMethod");
        suite.insert("cryptosuite".into(), "eddsa-2022".into());
        variants.push(suite);
        let mut challenge = config(vm1, "2024-01-01T00:00:00Z", "authentication");
        challenge.insert("challenge".into(), "abc".into());
        variants.push(challenge);
        let mut hashes = Vec::new();
        for round in 0..2 {
            for cfg in &variants {
                let fresh = ContextCache::new();
                let want = Canonicalizer::bundled(&fresh)
                    .sha256(&Value::Object(cfg.clone()))
                    .unwrap();
                assert_eq!(cached.proof_config_sha256(cfg).unwrap(), want, "{cfg:?}");
                if round == 0 {
                    hashes.push(want);
                }
            }
        }
        let distinct: std::collections::HashSet<_> = hashes.iter().collect();
        assert_eq!(distinct.len(), variants.len());
        assert!(cache.template("").is_none());
    }
}
