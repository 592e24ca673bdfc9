//! Restoring an archived badge's state (source, accepted or rejected, import time, kept
//! documents) onto the record its import built. An archive vouches for nothing: its
//! `badge.json` must agree with what the badge shows now, its kept documents with what this
//! verification loaded, and its copy of the badge's image with the image served at its URL.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use openbadges_proof::loader::Document;
use serde_json::Value;

use crate::backpack::{Backpack, Stop};
use crate::model::{BadgeRecord, BadgeState, KeptDocument, Source};
use crate::store::Store;
use crate::verify::Verifier;

/// What an archive import restores onto a record.
pub(crate) struct Restore {
    pub(crate) source: Source,
    pub(crate) state: BadgeState,
    pub(crate) imported_at: DateTime<Utc>,
    /// The archived `badge.json`: checked against what the badge shows, never shown itself.
    pub(crate) document: Option<Value>,
    /// The documents the archive kept for the badge.
    pub(crate) documents: Vec<KeptDocument>,
}

impl<S: Store, V: Verifier> Backpack<S, V> {
    /// Step 6 of an import from an archive: checks the archive's copies against the badge as
    /// verified (`fetched`: what verification loaded), then restores its source, state and
    /// import time onto `record`. Returns the archive's kept documents to keep with it. The
    /// badge's picture is never taken from the archive: it is fetched again (and must then
    /// match the archive's copy), or the export draws a plain one.
    pub(crate) fn restore_onto(
        &self,
        record: &mut BadgeRecord,
        r: Restore,
        fetched: &[Document],
        now: DateTime<Utc>,
    ) -> Result<Vec<KeptDocument>, Stop> {
        if let Some(why) = r
            .document
            .as_ref()
            .and_then(|d| disagreement(&record.document, d, ""))
        {
            return Err(Stop::Fail(format!(
                "the archive's badge.json disagrees with the badge as verified at {why}; \
                 archive content that the badge does not carry is refused"
            )));
        }
        if let Some(url) = conflicting_document(&r.documents, fetched) {
            return Err(Stop::Fail(format!(
                "the archive's copy of {url} differs from what verification loaded; \
                 archive content that disagrees is refused"
            )));
        }
        let image = crate::display::image(&record.document).map(str::to_owned);
        let (images, mut restored): (Vec<_>, Vec<_>) = r
            .documents
            .into_iter()
            .partition(|d| Some(&d.url) == image.as_ref());
        record.source = r.source;
        record.state = r.state;
        record.imported_at = r.imported_at;
        if let Some(fresh) = self.fetch_image(record, &BTreeMap::new(), now) {
            let mut images = images.into_iter();
            match images.next() {
                // The archive's copy, as served: it keeps its first fetch time.
                Some(d) if d.body == fresh.body && images.all(|o| o.body == fresh.body) => {
                    restored.push(d);
                }
                None => restored.push(fresh),
                Some(_) => {
                    return Err(Stop::Fail(format!(
                        "the archive's copy of the image {} differs from the image served \
                         there; archive content that disagrees is refused",
                        fresh.url
                    )));
                }
            }
        }
        Ok(restored)
    }
}

/// Where an archive's `archived` document says something the badge's `derived` document (from
/// its original and what verification loaded) does not: the JSON pointer of the first
/// difference, or `None` when they agree. Where only one side has a linked document inlined (a
/// badge class or issuer given by URL on the other side, with that `id` if it has one), they
/// agree: the inlined content is shown only if it is the derived side's.
fn disagreement(derived: &Value, archived: &Value, at: &str) -> Option<String> {
    let here = || {
        if at.is_empty() {
            "/".to_owned()
        } else {
            at.to_owned()
        }
    };
    match (derived, archived) {
        (d, a) if d == a => None,
        (Value::String(url), Value::Object(o)) | (Value::Object(o), Value::String(url)) => o
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id != url)
            .then(here),
        (Value::Object(d), Value::Object(a)) => {
            if let Some(k) = d
                .keys()
                .chain(a.keys())
                .find(|k| !(d.contains_key(*k) && a.contains_key(*k)))
            {
                return Some(format!("{at}/{}", pointer_escape(k)));
            }
            d.iter().find_map(|(k, dv)| {
                let av = a.get(k)?;
                disagreement(dv, av, &format!("{at}/{}", pointer_escape(k)))
            })
        }
        (Value::Array(d), Value::Array(a)) if d.len() == a.len() => d
            .iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (dv, av))| disagreement(dv, av, &format!("{at}/{i}"))),
        _ => Some(here()),
    }
}

/// A JSON pointer reference token (RFC 6901).
fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The URL of a document the archive kept for a badge with another body than the one this
/// verification loaded from the same URL.
fn conflicting_document(archived: &[KeptDocument], loaded: &[Document]) -> Option<String> {
    archived.iter().find_map(|a| {
        let same_url: Vec<_> = loaded.iter().filter(|l| l.url == a.url).collect();
        (!same_url.is_empty() && !same_url.iter().any(|l| l.body == a.body)).then(|| a.url.clone())
    })
}
