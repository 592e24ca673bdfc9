//! Fetching a document for the OB 2.0 pipeline: JSON documents (read in the v2 terms, a
//! fragment picking the node with that id) or text (PEM keys, compact JWS bodies).

use serde_json::Value;

use super::{Pipeline, as_v2_view, strip_fragment};
use crate::loader::LoadError;
use crate::report::{Code, Report};

/// What fetching a JSON document gave.
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
                if o.get("id").and_then(Value::as_str) == Some(id) {
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

impl Pipeline<'_, '_> {
    pub(super) fn fetch(&self, url: &str) -> Fetch {
        let base = strip_fragment(url);
        let d = match self.v.loader.load(base) {
            Ok(d) => d,
            Err(LoadError::Gone { .. }) => return Fetch::Gone,
            Err(e) => return Fetch::Failed(e.to_string()),
        };
        let body = d.body.as_ref();
        let text = match std::str::from_utf8(body) {
            Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t).trim(),
            Err(_) => return Fetch::Malformed(format!("{url}: body is not UTF-8 text")),
        };
        if !(text.starts_with('{') || text.starts_with('[')) {
            return Fetch::Text(text.to_string());
        }
        match openbadges_model::parse_json(text.as_bytes(), &self.v.limits) {
            Ok(doc) => {
                // Every fetched document is read in the v2 terms (the hosted copy's own bytes
                // are not signed, so the view is all that is checked).
                let doc = as_v2_view(&doc);
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

    /// Fetches a JSON document that must exist; records failures under `check`.
    pub(super) fn fetch_required(
        &self,
        r: &mut Report,
        check: &str,
        url: &str,
        what: &str,
    ) -> Option<Value> {
        match self.fetch(url) {
            Fetch::Json(v) => Some(v),
            Fetch::Gone => {
                r.fail(
                    check,
                    Code::FetchFailed,
                    format!("{what} {url} is gone (410)"),
                    Some(url),
                );
                None
            }
            Fetch::Failed(m) => {
                r.fail(
                    check,
                    Code::FetchFailed,
                    format!("cannot fetch {what}: {m}"),
                    Some(url),
                );
                None
            }
            Fetch::Malformed(m) => {
                r.fail(
                    check,
                    Code::MalformedJson,
                    format!("{what} is not JSON: {m}"),
                    Some(url),
                );
                None
            }
            Fetch::Text(_) => {
                r.fail(
                    check,
                    Code::SchemaInvalid,
                    format!("{what} at {url} is not a JSON document"),
                    Some(url),
                );
                None
            }
        }
    }
}
