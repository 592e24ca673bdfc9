//! Fetching a document for the OB 2.0 pipeline: JSON documents (read in the v2 terms, a
//! fragment picking the node with that id) or text (PEM keys, compact JWS bodies).

use openbadges_model::member::Members;
use serde_json::Value;

use std::sync::Arc;

use openbadges_model::Limits;

use super::shared::SharedDoc;
use super::{Pipeline, as_v2_view, strip_fragment};
use crate::loader::LoadError;
use crate::report::{Code, Report};

/// What fetching a JSON document gave.
#[derive(Clone)]
pub(super) enum Fetch {
    Json(Value),
    /// The raw text (for PEM keys and compact JWS bodies).
    Text(String),
    Gone,
    Failed(String),
    Malformed(String),
}

/// Finds the node whose `id` is `id` in `doc` (iteratively, bounded).
fn find_node<'v>(doc: &'v Value, id: &str) -> Option<&'v Value> {
    let mut stack = vec![doc];
    let mut seen = 0usize;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            return None;
        }
        match v {
            Value::Object(o) => {
                if o.member("id").and_then(Value::as_str) == Some(id) {
                    return Some(v);
                }
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    None
}

/// Reads a fetched body: JSON (in the v2 terms; a fragment in `url` picks the node with that
/// id) or text.
pub(super) fn read_body(url: &str, body: &[u8], limits: &Limits) -> Fetch {
    let base = strip_fragment(url);
    let text = match std::str::from_utf8(body) {
        Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t).trim(),
        Err(_) => return Fetch::Malformed(format!("{url}: body is not UTF-8 text")),
    };
    if !(text.starts_with('{') || text.starts_with('[')) {
        return Fetch::Text(text.to_string());
    }
    match openbadges_model::parse_json(text.as_bytes(), limits) {
        Ok(doc) => {
            // Every fetched document is read in the v2 terms (the hosted copy's own bytes
            // are not signed, so the view is all that is checked).
            let doc = as_v2_view(doc);
            if base != url {
                match find_node(&doc, url) {
                    Some(n) => Fetch::Json(n.clone()),
                    None => Fetch::Failed(format!("{base} has no node with id {url}")),
                }
            } else {
                Fetch::Json(doc)
            }
        }
        Err(e) => Fetch::Malformed(format!("{url}: {e}")),
    }
}

impl Pipeline<'_, '_> {
    /// Fetches `url` and reads it ([`read_body`]), afresh: for the documents of one badge (the
    /// hosted assertion, endorsements). Documents badges share go through
    /// [`Pipeline::fetch_shared`].
    pub(super) fn fetch(&self, url: &str) -> Fetch {
        match self.v.loader.load(strip_fragment(url)) {
            Ok(d) => read_body(url, &d.body, &self.v.limits),
            Err(LoadError::Gone { .. }) => Fetch::Gone,
            Err(e) => Fetch::Failed(e.to_string()),
        }
    }

    /// Fetches a JSON document that must exist; records failures under `check`.
    pub(super) fn fetch_required(
        &self,
        r: &mut Report,
        check: &'static str,
        url: &str,
        what: &str,
    ) -> Option<Value> {
        match self.fetch(url) {
            Fetch::Json(v) => Some(v),
            other => {
                record_failure(r, check, url, what, &other);
                None
            }
        }
    }

    /// [`Pipeline::fetch_required`] for a document badges share (through
    /// [`Pipeline::fetch_shared`]): the document when it is JSON.
    pub(super) fn fetch_shared_required(
        &self,
        r: &mut Report,
        check: &'static str,
        url: &str,
        what: &str,
    ) -> Option<Arc<SharedDoc>> {
        let d = self.fetch_shared(url);
        if matches!(d.fetched, Fetch::Json(_)) {
            Some(d)
        } else {
            record_failure(r, check, url, what, &d.fetched);
            None
        }
    }
}

/// Records under `check` why what fetching `url` gave is not a JSON document (nothing for one).
fn record_failure(r: &mut Report, check: &'static str, url: &str, what: &str, f: &Fetch) {
    match f {
        Fetch::Json(_) => {}
        Fetch::Gone => r.fail(
            check,
            Code::FetchFailed,
            format!("{what} {url} is gone (410)"),
            Some(url),
        ),
        Fetch::Failed(m) => r.fail(
            check,
            Code::FetchFailed,
            format!("cannot fetch {what}: {m}"),
            Some(url),
        ),
        Fetch::Malformed(m) => r.fail(
            check,
            Code::MalformedJson,
            format!("{what} is not JSON: {m}"),
            Some(url),
        ),
        Fetch::Text(_) => r.fail(
            check,
            Code::SchemaInvalid,
            format!("{what} at {url} is not a JSON document"),
            Some(url),
        ),
    }
}
