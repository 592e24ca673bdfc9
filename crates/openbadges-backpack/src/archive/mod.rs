//! Importing a backpack archive written by [`export_zip`](crate::export::zip::export_zip):
//! every badge is verified again and matched against the owner's identifiers, and what the
//! archive kept (source, state, import time, documents) is restored only where it agrees with
//! the badge ([`restore`]); then its collections. Entries are read within a budget
//! ([`entries`]).

mod entries;
mod manifest;
pub(crate) mod restore;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::backpack::{Backpack, Batch, ImportReport};
use crate::export::zip::{FORMAT, FORMAT_VERSION, kept_path};
use crate::fetch::Fetcher;
use crate::input::{ImportLimits, Item, Parsed, parse_input};
use crate::model::{
    BadgeId, BadgeState, Collection, CollectionId, KeptDocument, Source, SourceKind, Visibility,
};
use crate::store::{Store, Write};
use crate::verify::Verifier;
use crate::{Error, Result};
use entries::{Entries, EntryError};
use manifest::Manifest;
use restore::Restore;

/// Reads an RFC 3339 time.
fn parse_time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v?.as_str()?)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// A collection of the manifest, or `None` when it is malformed.
fn parse_collection(v: &Value) -> Option<Collection> {
    let visibility = match v.get("visibility")?.as_str()? {
        "private" => Visibility::Private,
        "public" => Visibility::Public,
        "unlisted" => Visibility::Unlisted {
            token: v.get("token")?.as_str()?.to_owned(),
        },
        _ => return None,
    };
    Some(Collection {
        id: CollectionId::parse(v.get("id")?.as_str()?).ok()?,
        name: v.get("name")?.as_str()?.to_owned(),
        description: v.get("description")?.as_str()?.to_owned(),
        members: v
            .get("members")?
            .as_array()?
            .iter()
            .map(|m| m.as_str().and_then(|s| BadgeId::parse(s).ok()))
            .collect::<Option<Vec<_>>>()?,
        visibility,
        portfolio: v.get("portfolio")?.as_str()?.to_owned(),
    })
}

/// Kept-document references allowed per badge on average over an archive (a badge's
/// verification loads a handful: assertion, class, issuer, key, revocation list, image, DID and
/// status-list documents).
const MAX_DOCUMENTS_PER_BADGE: usize = 32;

/// `documents/index.json` by (URL, SHA-256): media type and fetch time.
type DocumentIndex = BTreeMap<(String, String), (Option<String>, DateTime<Utc>)>;

/// The documents an archive kept for one badge (manifest `documents`: `{url, sha256}` pairs
/// resolved through `documents/index.json`). A document that is missing, too large or does not
/// match its SHA-256 is left out (the badge is verified again on import anyway).
fn kept_documents<R: Read + Seek>(
    entries: &mut Entries<R>,
    entry: &Value,
    index: &DocumentIndex,
    limit: usize,
) -> Result<Vec<KeptDocument>, EntryError> {
    let refs = entry
        .get("documents")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut out = Vec::new();
    for r in refs {
        entries.take_ref()?;
        let (Some(url), Some(sha)) = (
            r.get("url").and_then(Value::as_str),
            r.get("sha256").and_then(Value::as_str),
        ) else {
            continue;
        };
        let sha = sha.to_ascii_lowercase();
        if sha.len() != 64 || !sha.bytes().all(|c| c.is_ascii_hexdigit()) {
            continue;
        }
        let Some((media_type, fetched_at)) = index.get(&(url.to_owned(), sha.clone())) else {
            continue;
        };
        let body = match entries.read(&kept_path(&sha), limit) {
            Ok(b) => b,
            Err(EntryError::Budget) => return Err(EntryError::Budget),
            Err(EntryError::Entry(_)) => continue,
        };
        if entries.sha256(&kept_path(&sha), &body) != sha {
            continue;
        }
        out.push(KeptDocument {
            url: url.to_owned(),
            media_type: media_type.clone(),
            fetched_at: *fetched_at,
            body,
        });
    }
    Ok(out)
}

/// The caps on `manifest.json` and `documents/index.json`. They grow with the badges (each
/// manifest entry carries the badge's full verification report, a few KiB): their cap scales
/// with `max_items`, 64 KiB per badge, instead of the per-document JSON limit.
fn index_limits(limits: &ImportLimits) -> openbadges_model::Limits {
    openbadges_model::Limits {
        max_bytes: limits
            .json
            .max_bytes
            .max(limits.max_items.saturating_mul(64 * 1024))
            .min(limits.max_archive_bytes),
        ..limits.json
    }
}

/// Step 1: opens the zip (refusing one with too many entries for `max_items` badges) and reads
/// its manifest, which must name this format at a version this build reads. Returns why not,
/// as the reason to report.
fn open<R: Read + Seek>(
    archive: R,
    limits: &ImportLimits,
) -> std::result::Result<(Entries<R>, Vec<u8>), String> {
    let zip =
        zip::ZipArchive::new(archive).map_err(|e| format!("not a readable zip archive: {e}"))?;
    // Per badge: badge.json, baked image, original, and its kept documents (shared ones once).
    if zip.len() > limits.max_items.saturating_mul(8).saturating_add(16) {
        return Err(format!("the archive has {} entries; too many", zip.len()));
    }
    let mut zip = Entries::new(
        zip,
        limits.max_archive_expanded_bytes,
        limits.max_items.saturating_mul(MAX_DOCUMENTS_PER_BADGE),
    );
    let manifest = zip
        .read_uncached("manifest.json", index_limits(limits).max_bytes)
        .map_err(|e| format!("not a backpack archive: {}", String::from(e)))?;
    Ok((zip, manifest))
}

/// Step 1 (continued): the manifest (read lazily: [`Manifest`]), which must name this format
/// at a version this build reads. Returns why not, as the reason to report.
fn read_manifest(bytes: &[u8], limits: &ImportLimits) -> std::result::Result<Manifest, String> {
    let manifest = Manifest::parse(bytes, &index_limits(limits))
        .map_err(|e| format!("not a backpack archive: manifest.json: {e}"))?;
    let version = manifest.head.get("formatVersion").and_then(Value::as_u64);
    if manifest.head.get("format").and_then(Value::as_str) != Some(FORMAT)
        || !matches!(version, Some(v) if (1..=FORMAT_VERSION).contains(&v))
    {
        return Err(format!(
            "not a backpack archive of format `{FORMAT}` version 1 to {FORMAT_VERSION}"
        ));
    }
    Ok(manifest)
}

/// Step 2: `documents/index.json` (format version 2: the documents kept for offline
/// verification, by URL and SHA-256); empty when it is missing or unreadable.
fn document_index<R: Read + Seek>(zip: &mut Entries<R>, limits: &ImportLimits) -> DocumentIndex {
    let index_limits = index_limits(limits);
    zip.read_uncached("documents/index.json", index_limits.max_bytes)
        .ok()
        .and_then(|b| openbadges_model::parse_json(&b, &index_limits).ok())
        .and_then(|v| v.get("documents").and_then(Value::as_array).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let url = e.get("url")?.as_str()?.to_owned();
            let sha = e.get("sha256")?.as_str()?.to_ascii_lowercase();
            let media = e
                .get("mediaType")
                .and_then(Value::as_str)
                .map(str::to_owned);
            let at = parse_time(e.get("fetchedAt")).unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
            Some(((url, sha), (media, at)))
        })
        .collect()
}

/// Why one manifest entry is not imported.
enum EntryStop {
    /// This badge fails, with the reason.
    Fail(String),
    /// The archive's budget is spent: the whole archive is refused.
    OverBudget,
}

impl From<EntryError> for EntryStop {
    fn from(e: EntryError) -> Self {
        match e {
            EntryError::Entry(reason) => EntryStop::Fail(reason),
            EntryError::Budget => EntryStop::OverBudget,
        }
    }
}

/// What the reading of one manifest entry needs besides the entry.
struct EntryReader<'r, R> {
    zip: &'r mut Entries<R>,
    index: &'r DocumentIndex,
    limits: &'r ImportLimits,
    fetch: Option<&'r dyn Fetcher>,
    /// The originals already claimed by a badge of this archive.
    originals: &'r mut BTreeSet<String>,
}

impl<R: Read + Seek> EntryReader<'_, R> {
    /// Step 3, per badge: its original (its own, matching its SHA-256), decoded into the item
    /// to import; the archive's `badge.json` and kept documents, and its source, state and
    /// import time, as the [`Restore`] to check against it.
    fn read(
        &mut self,
        entry: &Value,
        label: &str,
    ) -> std::result::Result<(Item, Restore), EntryStop> {
        let limits = self.limits;
        let file = entry.get("files").and_then(|f| f.get("original"));
        let path = file.and_then(|f| f.get("path")).and_then(Value::as_str);
        let sha = file.and_then(|f| f.get("sha256")).and_then(Value::as_str);
        let (Some(path), Some(sha)) = (path, sha) else {
            return Err(EntryStop::Fail(
                "the manifest entry names no original file".to_owned(),
            ));
        };
        // Each badge has its own original: a second reference to one is refused unread.
        if !self.originals.insert(path.to_owned()) {
            return Err(EntryStop::Fail(format!(
                "{path} is already the original of another badge in this archive"
            )));
        }
        let original = self.zip.read_uncached(path, limits.max_input_bytes)?;
        if self.zip.sha256(path, &original) != sha.to_ascii_lowercase() {
            return Err(EntryStop::Fail(format!(
                "{path} does not match its SHA-256 in the manifest"
            )));
        }
        // The archive's decoded document is only compared with what the badge shows (it never
        // stands in for anything): a badge baked with a URL is fetched again like any URL.
        let archived = match entry
            .get("files")
            .and_then(|f| f.get("document"))
            .and_then(|f| f.get("path"))
            .and_then(Value::as_str)
            .map(|p| self.zip.read_uncached(p, limits.max_input_bytes))
        {
            Some(Err(EntryError::Budget)) => return Err(EntryStop::OverBudget),
            Some(Ok(b)) => openbadges_model::parse_json(&b, &limits.json).ok(),
            _ => None,
        };
        let mut item = match parse_input(&original, limits, self.fetch) {
            Ok(Parsed::Single { item, .. }) => item,
            Ok(_) => return Err(EntryStop::Fail(format!("{path} is not a single badge"))),
            Err(reason) => return Err(EntryStop::Fail(reason)),
        };
        let documents = kept_documents(self.zip, entry, self.index, limits.max_input_bytes)
            .map_err(|_| EntryStop::OverBudget)?;
        let restore = Restore {
            source: entry
                .get("source")
                .and_then(|s| serde_json::from_value::<Source>(s.clone()).ok())
                .unwrap_or_else(|| Source::new(SourceKind::Archive, label.to_owned())),
            state: match entry.get("state").and_then(Value::as_str) {
                Some("rejected") => BadgeState::Rejected,
                _ => BadgeState::Accepted,
            },
            imported_at: parse_time(entry.get("importedAt")).unwrap_or_else(Utc::now),
            document: archived,
            documents,
        };
        item.within = restore.source.within.clone();
        Ok((item, restore))
    }
}

/// Step 4: the manifest's collections whose id is not taken, with the members that are held
/// (`held`); a malformed one is reported.
fn restore_collections<S: Store, V: Verifier>(
    bp: &Backpack<S, V>,
    ctx: &mut Batch,
    manifest: &Value,
    label: &str,
    held: &BTreeSet<BadgeId>,
) -> Result<()> {
    let collections = manifest
        .get("collections")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for c in collections {
        let Some(mut c) = parse_collection(&c) else {
            ctx.fail(
                label,
                None,
                "a collection in the manifest is malformed".to_owned(),
            );
            continue;
        };
        if bp.store().collection(&c.id)?.is_some() {
            continue;
        }
        c.members.retain(|m| held.contains(m));
        ctx.extra.push(Write::PutCollection(c));
    }
    Ok(())
}

/// The whole archive is refused: it asked for more decompressed bytes than the budget allows
/// (nothing of it is stored).
fn over_budget<S: Store, V: Verifier, R: Read + Seek>(
    bp: &mut Backpack<S, V>,
    label: String,
    entries: &Entries<R>,
) -> Result<ImportReport> {
    let mut ctx = Batch::default();
    ctx.fail(&label, None, entries.over_budget_reason());
    bp.finish(label, ctx)
}

/// The badges of an archive read, verified ahead and taken through the pipeline together:
/// bounds the entries read but not yet imported.
const CHUNK: usize = 256;

/// Imports every badge of an archive (each re-verified and matched against the owner's
/// identifiers, its source, state and import time restored), then its collections (those whose
/// id is not taken, with the members that are held). The archive is read entry by entry from
/// `archive` (a file need not be in memory); the manifest's badges are read, verified (several
/// at once, [`Backpack::verify_ahead`]) and imported a chunk at a time.
pub(crate) fn import_archive<S: Store, V: Verifier, R: Read + Seek>(
    bp: &mut Backpack<S, V>,
    archive: R,
    source: &Source,
) -> Result<ImportReport> {
    let label = source.location.clone();
    let mut ctx = Batch::default();
    let limits = *bp.limits();
    // The manifest's entries are checked, their imported parts kept and parsed a chunk at a
    // time; its bytes are dropped once read (41 MiB for 10,000 badges).
    let (mut zip, manifest_bytes) = match open(archive, &limits) {
        Ok(opened) => opened,
        Err(reason) => {
            ctx.fail(&label, None, reason);
            return bp.finish(label, ctx);
        }
    };
    let manifest = match read_manifest(&manifest_bytes, &limits) {
        Ok(m) => m,
        Err(reason) => {
            ctx.fail(&label, None, reason);
            return bp.finish(label, ctx);
        }
    };
    drop(manifest_bytes);
    let index = document_index(&mut zip, &limits);
    let owner = bp.store().identifiers()?;
    let Manifest {
        head: manifest,
        badges: mut entries,
    } = manifest;
    if entries.len() > limits.max_items {
        ctx.fail(
            &label,
            None,
            format!(
                "the archive's manifest lists {} badges; the limit is {}",
                entries.len(),
                limits.max_items
            ),
        );
        return bp.finish(label, ctx);
    }
    let mut originals = BTreeSet::new();
    loop {
        let mut chunk = Vec::new();
        for entry in entries.by_ref().take(CHUNK) {
            let entry_label = entry
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| label.clone(), |id| format!("{label}#{id}"));
            let read = EntryReader {
                zip: &mut zip,
                index: &index,
                limits: &limits,
                fetch: bp.fetcher(),
                originals: &mut originals,
            }
            .read(&entry, &label);
            match read {
                Ok(read) => chunk.push((entry_label, Ok(read))),
                Err(EntryStop::Fail(reason)) => chunk.push((entry_label, Err(reason))),
                Err(EntryStop::OverBudget) => return over_budget(bp, label, &zip),
            }
        }
        if chunk.is_empty() {
            break;
        }
        let items: Vec<&Item> = chunk
            .iter()
            .filter_map(|(_, read)| read.as_ref().ok().map(|(item, _)| item))
            .collect();
        let mut verified = bp.verify_ahead(&ctx, &items, &owner)?.into_iter();
        for (entry_label, read) in chunk {
            match read {
                Ok((item, restore)) => {
                    let src = Source::new(SourceKind::Archive, entry_label);
                    let ahead = verified.next().unwrap_or_default();
                    bp.process_with(&mut ctx, item, &src, &owner, Some(restore), ahead)?;
                }
                Err(reason) => ctx.fail(&entry_label, None, reason),
            }
        }
    }
    if ctx.items.is_empty() {
        ctx.fail(&label, None, "the archive holds no badges".to_owned());
    }
    let held: BTreeSet<BadgeId> = ctx.items.iter().filter_map(|i| i.id.clone()).collect();
    restore_collections(bp, &mut ctx, &manifest, &label, &held)?;
    bp.finish(label, ctx).map_err(|e| match e {
        Error::NotFound { .. } | Error::InvalidArgument(_) => {
            Error::InvalidArgument(format!("the archive's collections are inconsistent: {e}"))
        }
        other => other,
    })
}
