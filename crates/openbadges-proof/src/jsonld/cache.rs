//! The processed-context cache: active contexts keyed by what they were built from (a context
//! document's URL or a term's scoped context, applied to an identified active context), owned
//! by whoever verifies and shared across its threads.
//!
//! A context built only from the initial context, remote context documents and the scoped
//! contexts those documents define has a content identity ([`ContextId`]): two documents that
//! use the same contexts reach equal identities, so the second one reuses the first one's
//! processed contexts. A context changed by a document's own inline context has no identity
//! and is never cached. The cache is sharded (a read takes one shard's read lock, never a
//! lock shared by all threads) and bounded.

use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};

use super::context::Context;
use crate::rdfc::SlotTemplate;

/// A hash-consed key: the value with its hash computed once. Equality compares the values
/// (a pointer comparison first), so a hash collision never makes two keys equal.
#[derive(Debug)]
pub(crate) struct Key<T>(Arc<(u64, T)>);

impl<T: Hash> Key<T> {
    fn new(value: T) -> Self {
        let mut h = DefaultHasher::new();
        value.hash(&mut h);
        Self(Arc::new((h.finish(), value)))
    }
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T: PartialEq> PartialEq for Key<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || (self.0.0 == other.0.0 && self.0.1 == other.0.1)
    }
}

impl<T: Eq> Eq for Key<T> {}

impl<T> Hash for Key<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.0);
    }
}

/// Where a context value (an `@context` entry) comes from, when its content is fixed by the
/// loader: the documents a loader serves do not change, so the URL and the path inside the
/// document identify the value.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) enum Source {
    /// The `@context` entry of the document at this URL.
    Remote(String),
    /// The entry at `index` of the array context `of`.
    Item {
        /// The array context.
        of: SourceId,
        /// The position in the array.
        index: usize,
    },
    /// The scoped context (`@context` in the term definition) of `term`, defined by the
    /// context value `of`.
    Term {
        /// The context value that defines the term.
        of: SourceId,
        /// The term.
        term: String,
    },
}

/// The identity of a context value.
pub(crate) type SourceId = Key<Source>;

impl SourceId {
    /// The `@context` entry of the document at `url`.
    pub(crate) fn remote(url: &str) -> Self {
        Key::new(Source::Remote(url.to_owned()))
    }

    /// The entry at `index` of this array context.
    pub(crate) fn item(&self, index: usize) -> Self {
        Key::new(Source::Item {
            of: self.clone(),
            index,
        })
    }

    /// The scoped context of `term` defined by this context value.
    pub(crate) fn term(&self, term: &str) -> Self {
        Key::new(Source::Term {
            of: self.clone(),
            term: term.to_owned(),
        })
    }
}

/// How an active context was built. Everything the Context Processing algorithm reads is in
/// here (or fixed by the loader), so equal origins give equal contexts.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) enum Origin {
    /// The initial context of a document with this base IRI.
    Initial {
        /// The document's base IRI.
        base: Option<String>,
    },
    /// `from` with the remote context at `url` applied.
    Remote {
        /// The active context before.
        from: ContextId,
        /// The context document's URL.
        url: String,
        /// The override-protected flag of the processing call.
        override_protected: bool,
    },
    /// `from` with a term's scoped context applied.
    Scoped {
        /// The active context before.
        from: ContextId,
        /// The scoped context value.
        source: SourceId,
        /// The override-protected flag of the processing call.
        override_protected: bool,
        /// The propagate flag of the processing call (`false` for a type-scoped context).
        propagate: bool,
    },
}

/// The content identity of an active context (the cache key).
pub(crate) type ContextId = Key<Origin>;

impl ContextId {
    /// The initial context of a document with base IRI `base`.
    pub(crate) fn initial(base: Option<&str>) -> Self {
        Key::new(Origin::Initial {
            base: base.map(str::to_owned),
        })
    }

    /// This context with the remote context at `url` applied.
    pub(crate) fn remote(&self, url: &str, override_protected: bool) -> Self {
        Key::new(Origin::Remote {
            from: self.clone(),
            url: url.to_owned(),
            override_protected,
        })
    }

    /// This context with the scoped context `source` applied.
    pub(crate) fn scoped(
        &self,
        source: &SourceId,
        override_protected: bool,
        propagate: bool,
    ) -> Self {
        Key::new(Origin::Scoped {
            from: self.clone(),
            source: source.clone(),
            override_protected,
            propagate,
        })
    }
}

/// Number of shards: enough that threads verifying different documents rarely take the same
/// shard's lock for writing.
const SHARDS: usize = 16;

/// Default bound on the number of processed contexts kept.
const DEFAULT_MAX_ENTRIES: usize = 1024;

type Shard = RwLock<HashMap<ContextId, Arc<Context>>>;

/// Processed JSON-LD contexts, reused across the documents of one loader.
///
/// Hold one per verifier (or per batch) and share it between threads by reference or
/// through an `Arc`; give it to [`JsonLdOptions::cache`](super::JsonLdOptions::cache). A
/// cache must only be used with one [`ContextLoader`](super::ContextLoader) (or loaders
/// serving the same documents under the same URLs): entries are keyed by URL, not by the
/// bytes the loader returned. It holds at most a bounded number of contexts (a full shard is
/// emptied before a new entry goes in).
///
/// ```
/// use openbadges_proof::jsonld::{ContextCache, JsonLdOptions, to_rdf};
/// let cache = ContextCache::new();
/// let opts = JsonLdOptions { cache: Some(&cache), ..JsonLdOptions::default() };
/// let doc = serde_json::json!({
///     "@context": ["https://www.w3.org/ns/credentials/v2"],
///     "id": "urn:uuid:1", "type": ["VerifiableCredential"], "name": "A"
/// });
/// assert_eq!(to_rdf(&doc, &opts)?.len(), 2);
/// assert!(!cache.is_empty());
/// # Ok::<(), openbadges_proof::jsonld::JsonLdError>(())
/// ```
pub struct ContextCache {
    shards: [Shard; SHARDS],
    max_per_shard: usize,
    /// Canonical forms of Data Integrity proof configurations up to their `created` value,
    /// by everything else they contain (see `data_integrity::hashing`): derived from the
    /// same loader's contexts, so kept with them.
    templates: RwLock<HashMap<String, Arc<SlotTemplate>>>,
}

/// Bound on the number of proof-configuration templates kept.
const MAX_TEMPLATES: usize = 64;

impl ContextCache {
    /// An empty cache with the default bound (1024 processed contexts).
    pub fn new() -> Self {
        Self::with_max_entries(DEFAULT_MAX_ENTRIES)
    }

    /// An empty cache that keeps at most about `max_entries` processed contexts (at least
    /// one per shard).
    pub fn with_max_entries(max_entries: usize) -> Self {
        Self {
            shards: std::array::from_fn(|_| RwLock::new(HashMap::new())),
            max_per_shard: max_entries.div_ceil(SHARDS).max(1),
            templates: RwLock::new(HashMap::new()),
        }
    }

    /// The number of processed contexts held.
    pub fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.read().map_or(0, |m| m.len()))
            .sum()
    }

    /// Whether the cache holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every processed context (and what was derived from them).
    pub fn clear(&self) {
        for s in &self.shards {
            if let Ok(mut m) = s.write() {
                m.clear();
            }
        }
        if let Ok(mut t) = self.templates.write() {
            t.clear();
        }
    }

    /// The template kept under `key`.
    pub(crate) fn template(&self, key: &str) -> Option<Arc<SlotTemplate>> {
        self.templates.read().ok()?.get(key).cloned()
    }

    /// Keeps `template` under `key` (at most [`MAX_TEMPLATES`]: a full map is emptied first).
    pub(crate) fn put_template(&self, key: String, template: Arc<SlotTemplate>) {
        if let Ok(mut t) = self.templates.write() {
            if t.len() >= MAX_TEMPLATES && !t.contains_key(&key) {
                t.clear();
            }
            t.insert(key, template);
        }
    }

    fn shard(&self, id: &ContextId) -> Option<&Shard> {
        // The shard index is the key's precomputed hash modulo the shard count.
        let i = usize::try_from(id.0.0 % SHARDS as u64).unwrap_or_default();
        self.shards.get(i)
    }

    /// The context built as `id` says, if it was processed before.
    pub(crate) fn get(&self, id: &ContextId) -> Option<Arc<Context>> {
        let shard = self.shard(id)?.read().ok()?;
        shard.get(id).cloned()
    }

    /// Keeps `ctx`, the context built as `id` says.
    pub(crate) fn put(&self, id: ContextId, ctx: Arc<Context>) {
        let Some(shard) = self.shard(&id) else {
            return;
        };
        if let Ok(mut m) = shard.write() {
            if m.len() >= self.max_per_shard && !m.contains_key(&id) {
                m.clear();
            }
            m.insert(id, ctx);
        }
    }
}

impl Default for ContextCache {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for ContextCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextCache")
            .field("len", &self.len())
            .field("max_per_shard", &self.max_per_shard)
            .finish()
    }
}
