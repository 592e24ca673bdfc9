//! The bundled JSON-LD contexts: every context Open Badges 3.0 / CLR 2.0 credentials and
//! their proofs use, under the URLs they are published at. Nothing is ever fetched.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::ContextLoader;

macro_rules! ctx {
    ($file:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/contexts/", $file))
    };
}

/// `(published URL, bundled file name, file text)`.
///
/// `context-3.0.3.json` maps to the copy served to (and shipped by) the official 1EdTech
/// validator and openbadgeslib: it is the spec repository's file plus two terms
/// (`endorsementJwt`, `jti`) and identical otherwise, so every document valid under the
/// narrower file expands to the same RDF under this one, while documents that use the two
/// extra terms (as the official tools emit) are not rejected as undefined terms.
pub const BUNDLED_CONTEXTS: &[(&str, &str, &str)] = &[
    (
        "https://www.w3.org/2018/credentials/v1",
        "w3c-credentials-v1.jsonld",
        ctx!("w3c-credentials-v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/v2",
        "w3c-credentials-v2.jsonld",
        ctx!("w3c-credentials-v2.jsonld"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "ob-v3p0-context.json",
        ctx!("ob-v3p0-context.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "ob-v3p0-context-3.0.1.json",
        ctx!("ob-v3p0-context-3.0.1.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "ob-v3p0-context-3.0.2.json",
        ctx!("ob-v3p0-context-3.0.2.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "ob-v3p0-context-3.0.3.1edtech-validator-copy.json",
        ctx!("ob-v3p0-context-3.0.3.1edtech-validator-copy.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "ob-v3p0-extensions.json",
        ctx!("ob-v3p0-extensions.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "clr-v2p0-context-2.0.1.json",
        ctx!("clr-v2p0-context-2.0.1.json"),
    ),
    (
        "https://w3id.org/security/data-integrity/v1",
        "w3id-security-data-integrity-v1.jsonld",
        ctx!("w3id-security-data-integrity-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        "w3id-security-data-integrity-v2.jsonld",
        ctx!("w3id-security-data-integrity-v2.jsonld"),
    ),
    (
        "https://w3id.org/security/multikey/v1",
        "w3id-security-multikey-v1.jsonld",
        ctx!("w3id-security-multikey-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "w3id-security-suites-ed25519-2020-v1.jsonld",
        ctx!("w3id-security-suites-ed25519-2020-v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/did/v1",
        "w3c-did-v1.jsonld",
        ctx!("w3c-did-v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/status/v1",
        "w3id-vc-bitstring-status-list-v1.jsonld",
        ctx!("w3id-vc-bitstring-status-list-v1.jsonld"),
    ),
];

/// The bundled contexts as a [`ContextLoader`] (parsed once, on first use).
#[derive(Debug, Clone, Copy, Default)]
pub struct BundledContexts;

fn parsed() -> &'static HashMap<&'static str, Arc<Value>> {
    static MAP: OnceLock<HashMap<&'static str, Arc<Value>>> = OnceLock::new();
    MAP.get_or_init(|| {
        BUNDLED_CONTEXTS
            .iter()
            .filter_map(|(url, _, text)| {
                serde_json::from_str::<Value>(text)
                    .ok()
                    .map(|v| (*url, Arc::new(v)))
            })
            .collect()
    })
}

impl ContextLoader for BundledContexts {
    fn load(&self, url: &str) -> Option<Arc<Value>> {
        parsed().get(url).cloned()
    }

    fn is_bundled(&self) -> bool {
        true
    }
}

/// A loader of extra contexts (for instance a test suite's), falling back to the bundled
/// ones.
#[derive(Debug, Clone, Default)]
pub struct StaticContexts {
    docs: HashMap<String, Arc<Value>>,
}

impl StaticContexts {
    /// An empty set (only the bundled contexts).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the document served at `url`.
    pub fn insert(&mut self, url: impl Into<String>, doc: Value) {
        self.docs.insert(url.into(), Arc::new(doc));
    }
}

impl ContextLoader for StaticContexts {
    fn load(&self, url: &str) -> Option<Arc<Value>> {
        self.docs
            .get(url)
            .cloned()
            .or_else(|| BundledContexts.load(url))
    }
}
