//! Documents badges share — badge classes, issuer profiles, keys, revocation lists — read once.
//!
//! A thousand badges of one issuer name the same badge class, issuer profile, key and
//! revocation list: the loader hands back the same bytes each time, and parsing them, reading
//! them in the v2 terms, validating them against the model and indexing the revocation list
//! gave the same result each time. [`SharedDocs`] keeps those results, keyed on everything
//! they depend on: the URL asked for (fragment included: it picks the node), the parse limits,
//! and the **exact body bytes** the loader returned for this verification (compared in full on
//! every hit, so a changed document is read again). The loader is still asked every time: what
//! it serves, caches or refuses is unchanged. The assertion itself (and endorsements) are
//! per-badge and never go through here.
//!
//! Bounded: at most [`MAX_ENTRIES`] documents of at most [`MAX_BODY_BYTES`] each (larger ones
//! are read afresh every time), and at most [`MAX_TOTAL_BYTES`] of bodies in all; the oldest
//! entries are dropped first.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex, OnceLock, PoisonError};

use openbadges_model::Limits;
use openbadges_model::detect::Class;

use super::fetch::{Fetch, read_body};
use super::revocation::RevocationIndex;
use super::{Normalized, Pipeline, normalize, strip_fragment};
use crate::loader::LoadError;

/// The most documents kept.
pub(super) const MAX_ENTRIES: usize = 256;
/// The largest body kept (bytes); larger documents are read afresh each time.
pub(super) const MAX_BODY_BYTES: usize = 256 * 1024;
/// The most body bytes kept in all (the parsed forms are a small multiple of this).
pub(super) const MAX_TOTAL_BYTES: usize = 8 * 1024 * 1024;

/// One fetched document and what was derived from it.
pub(super) struct SharedDoc {
    url: String,
    limits: Limits,
    /// The body the results were computed from; `None` when the loader gave no body (gone,
    /// failed), which is never kept.
    body: Option<Arc<[u8]>>,
    /// The body read ([`read_body`]).
    pub(super) fetched: Fetch,
    /// The document in the 2.0 model, per class hint, with `url` as its source.
    normalized: Mutex<Vec<(Class, Option<Normalized>)>>,
    /// The document read as a revocation list.
    revocations: OnceLock<RevocationIndex>,
}

impl SharedDoc {
    fn new(url: &str, limits: Limits, body: Option<Arc<[u8]>>, fetched: Fetch) -> Self {
        SharedDoc {
            url: url.to_string(),
            limits,
            body,
            fetched,
            normalized: Mutex::new(Vec::new()),
            revocations: OnceLock::new(),
        }
    }

    /// Whether this entry answers for `url` fetched with `limits` giving `body`.
    fn answers_for(&self, url: &str, limits: &Limits, body: &Arc<[u8]>) -> bool {
        self.url == url
            && self.limits == *limits
            && self
                .body
                .as_ref()
                .is_some_and(|b| Arc::ptr_eq(b, body) || **b == **body)
    }

    /// The document brought into the 2.0 model (`normalize` with this document's URL as source
    /// and `hint`), computed once per hint. `None` when it is not JSON or not an open badges
    /// document.
    pub(super) fn normalized(&self, hint: Class) -> Option<Normalized> {
        let Fetch::Json(doc) = &self.fetched else {
            return None;
        };
        let mut done = self
            .normalized
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some((_, n)) = done.iter().find(|(h, _)| *h == hint) {
            return n.clone();
        }
        let n = normalize(doc.clone(), Some(&self.url), Some(hint.clone()));
        done.push((hint, n.clone()));
        n
    }

    /// The document read as a revocation list (built once).
    pub(super) fn revocations(&self, read: impl FnOnce() -> RevocationIndex) -> &RevocationIndex {
        self.revocations.get_or_init(read)
    }
}

/// The kept documents (see the module docs). `Send + Sync`.
pub(super) struct SharedDocs {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    by_url: HashMap<String, Arc<SharedDoc>>,
    /// URLs in insertion order, oldest first.
    order: VecDeque<String>,
    bytes: usize,
}

impl Entries {
    fn remove(&mut self, url: &str) {
        if let Some(old) = self.by_url.remove(url) {
            self.bytes = self
                .bytes
                .saturating_sub(old.body.as_ref().map_or(0, |b| b.len()));
            self.order.retain(|u| u != url);
        }
    }
}

impl SharedDocs {
    fn new() -> Self {
        SharedDocs {
            inner: Mutex::new(Entries::default()),
        }
    }

    /// The entry for `url` fetched with `limits` giving `body`: the kept one if it was computed
    /// from the same URL, limits and bytes, else a new one (kept when small enough).
    fn get(&self, url: &str, limits: &Limits, body: Arc<[u8]>) -> Arc<SharedDoc> {
        // The lock is held for the lookup only; the bytes are compared outside it.
        let kept = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_url
            .get(url)
            .map(Arc::clone);
        if let Some(d) = kept.filter(|d| d.answers_for(url, limits, &body)) {
            return d;
        }
        let fetched = read_body(url, &body, limits);
        let len = body.len();
        let doc = Arc::new(SharedDoc::new(url, *limits, Some(body), fetched));
        if len <= MAX_BODY_BYTES {
            let mut e = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            e.remove(url);
            while e.by_url.len() >= MAX_ENTRIES || e.bytes + len > MAX_TOTAL_BYTES {
                let Some(oldest) = e.order.pop_front() else {
                    break;
                };
                if let Some(old) = e.by_url.remove(&oldest) {
                    e.bytes = e
                        .bytes
                        .saturating_sub(old.body.as_ref().map_or(0, |b| b.len()));
                }
            }
            e.by_url.insert(url.to_string(), Arc::clone(&doc));
            e.order.push_back(url.to_string());
            e.bytes += len;
        }
        doc
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_url
            .len()
    }
}

/// The process-wide kept documents.
static SHARED: LazyLock<SharedDocs> = LazyLock::new(SharedDocs::new);

impl Pipeline<'_, '_> {
    /// Fetches a document badges share (badge class, issuer profile, key, revocation list): the
    /// loader is asked as for [`Pipeline::fetch`], and what was read from the same bytes before
    /// is reused.
    pub(super) fn fetch_shared(&self, url: &str) -> Arc<SharedDoc> {
        match self.v.loader.load(strip_fragment(url)) {
            Ok(d) => SHARED.get(url, &self.v.limits, d.body),
            Err(e) => {
                let f = match e {
                    LoadError::Gone { .. } => Fetch::Gone,
                    e => Fetch::Failed(e.to_string()),
                };
                Arc::new(SharedDoc::new(url, self.v.limits, None, f))
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn body(s: &str) -> Arc<[u8]> {
        Arc::from(s.as_bytes())
    }

    fn json_of(d: &SharedDoc) -> &serde_json::Value {
        match &d.fetched {
            Fetch::Json(v) => v,
            _ => panic!("not JSON"),
        }
    }

    #[test]
    fn same_bytes_are_read_once_other_bytes_afresh() {
        let c = SharedDocs::new();
        let u = "https://example.org/badge";
        let a = c.get(u, &Limits::default(), body(r#"{"name":"A"}"#));
        // Equal bytes in another allocation: the same entry.
        let a2 = c.get(u, &Limits::default(), body(r#"{"name":"A"}"#));
        assert!(Arc::ptr_eq(&a, &a2));
        // Changed bytes at the same URL: read again, never the old answer.
        let b = c.get(u, &Limits::default(), body(r#"{"name":"B"}"#));
        assert_eq!(json_of(&b)["name"], "B");
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn the_url_and_limits_are_part_of_the_key() {
        let c = SharedDocs::new();
        let text =
            r#"{"id":"https://example.org/doc","x":{"id":"https://example.org/doc#k","y":[[1]]}}"#;
        let whole = c.get("https://example.org/doc", &Limits::default(), body(text));
        // The fragment picks another node from the same bytes.
        let node = c.get("https://example.org/doc#k", &Limits::default(), body(text));
        assert_eq!(json_of(&whole)["x"]["id"], "https://example.org/doc#k");
        assert_eq!(json_of(&node)["id"], "https://example.org/doc#k");
        // Tighter limits: the same bytes are too deep to read.
        let shallow = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        let refused = c.get("https://example.org/doc", &shallow, body(text));
        assert!(matches!(refused.fetched, Fetch::Malformed(_)));
        let again = c.get("https://example.org/doc", &Limits::default(), body(text));
        assert!(matches!(again.fetched, Fetch::Json(_)));
    }

    #[test]
    fn bounded() {
        let c = SharedDocs::new();
        for i in 0..MAX_ENTRIES + 10 {
            c.get(
                &format!("https://example.org/{i}"),
                &Limits::default(),
                body("{}"),
            );
        }
        assert_eq!(c.len(), MAX_ENTRIES);
        let big = "x".repeat(MAX_BODY_BYTES + 1);
        c.get("https://example.org/big", &Limits::default(), body(&big));
        assert!(
            !c.inner
                .lock()
                .unwrap()
                .by_url
                .contains_key("https://example.org/big")
        );
    }

    #[test]
    fn normalized_per_hint() {
        let c = SharedDocs::new();
        let d = c.get(
            "https://example.org/issuer",
            &Limits::default(),
            body(
                r#"{"@context":"https://w3id.org/openbadges/v2","type":"Issuer","id":"https://example.org/issuer","name":"I","url":"https://example.org","email":"a@example.org"}"#,
            ),
        );
        let n = d.normalized(Class::Profile).unwrap();
        assert_eq!(n.class, Some(Class::Profile));
        let again = d.normalized(Class::Profile).unwrap();
        assert!(Arc::ptr_eq(&n.doc, &again.doc));
    }
}
