//! Importing a backpack archive written by [`export_zip`](crate::export::zip::export_zip).

use std::io::Read as _;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::backpack::{Backpack, Batch, ImportReport, Restore};
use std::collections::BTreeMap;

use crate::export::zip::{FORMAT, FORMAT_VERSION, kept_path};
use crate::input::{Parsed, parse_input};
use crate::model::sha256_hex;
use crate::model::{
    BadgeId, BadgeState, Collection, CollectionId, KeptDocument, Source, SourceKind, Visibility,
};
use crate::store::{Store, Write};
use crate::verify::Verifier;
use crate::{Error, Result};

/// The archive's entries, each decompressed at most once (cached), every read charged to the
/// import's budget ([`ImportLimits::max_archive_expanded_bytes`](crate::ImportLimits)).
struct Entries<'a> {
    zip: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    cache: BTreeMap<String, Rc<Vec<u8>>>,
    /// The SHA-256 of each entry read, computed once.
    hashes: BTreeMap<String, String>,
    /// Kept-document references still allowed (`max_items` × 32 for the whole archive).
    refs_left: usize,
    refs_limit: usize,
    /// Bytes still allowed.
    budget: u64,
    limit: u64,
}

/// Why an entry could not be read: a problem of that entry (the badge fails), or the archive's
/// budget is spent (the whole archive is refused).
enum EntryError {
    Entry(String),
    Budget,
}

impl From<EntryError> for String {
    fn from(e: EntryError) -> Self {
        match e {
            EntryError::Entry(m) => m,
            EntryError::Budget => "the archive's decompression budget is spent".to_owned(),
        }
    }
}

impl<'a> Entries<'a> {
    fn charge(&mut self, n: usize) -> Result<(), EntryError> {
        self.budget = self
            .budget
            .checked_sub(n as u64)
            .ok_or(EntryError::Budget)?;
        Ok(())
    }

    /// The SHA-256 (lowercase hex) of the entry at `path`, already read as `body`.
    fn sha256(&mut self, path: &str, body: &[u8]) -> String {
        self.hashes
            .entry(path.to_owned())
            .or_insert_with(|| sha256_hex(body))
            .clone()
    }

    /// The entry at `path`, at most `limit` bytes.
    fn read(&mut self, path: &str, limit: usize) -> Result<Rc<Vec<u8>>, EntryError> {
        if let Some(hit) = self.cache.get(path).cloned() {
            if hit.len() > limit {
                return Err(EntryError::Entry(format!(
                    "{path}: over the limit of {limit} bytes"
                )));
            }
            self.charge(hit.len())?;
            return Ok(hit);
        }
        let f = self
            .zip
            .by_name(path)
            .map_err(|e| EntryError::Entry(format!("{path}: {e}")))?;
        if f.size() > limit as u64 {
            return Err(EntryError::Entry(format!(
                "{path}: {} bytes is over the limit of {limit}",
                f.size()
            )));
        }
        // Never more than the budget left (plus one byte, to know it was exceeded).
        let cap = (limit as u64).min(self.budget).saturating_add(1);
        let mut out = Vec::new();
        f.take(cap)
            .read_to_end(&mut out)
            .map_err(|e| EntryError::Entry(format!("{path}: {e}")))?;
        if out.len() > limit {
            return Err(EntryError::Entry(format!(
                "{path}: over the limit of {limit} bytes"
            )));
        }
        self.charge(out.len())?;
        let out = Rc::new(out);
        self.cache.insert(path.to_owned(), Rc::clone(&out));
        Ok(out)
    }
}

fn parse_time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v?.as_str()?)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

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
fn kept_documents(
    entries: &mut Entries<'_>,
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
        entries.refs_left = entries.refs_left.checked_sub(1).ok_or(EntryError::Budget)?;
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
            body: body.as_ref().clone(),
        });
    }
    Ok(out)
}

/// The whole archive is refused: it asked for more decompressed bytes than the budget allows
/// (nothing of it is stored).
fn over_budget<S: Store, V: Verifier>(
    bp: &mut Backpack<S, V>,
    label: String,
    entries: &Entries<'_>,
) -> Result<ImportReport> {
    let mut ctx = Batch::default();
    ctx.fail(
        &label,
        None,
        format!(
            "the archive is refused: reading it would go over its budget of {} decompressed \
             bytes (ImportLimits::max_archive_expanded_bytes; every reference to an entry \
             counts) or {} document references",
            entries.limit, entries.refs_limit
        ),
    );
    bp.finish(label, ctx)
}

/// Imports every badge of an archive (each re-verified and matched against the owner's
/// identifiers, its source, state and import time restored), then its collections (those whose
/// id is not taken, with the members that are held).
pub(crate) fn import_archive<S: Store, V: Verifier>(
    bp: &mut Backpack<S, V>,
    bytes: &[u8],
    source: &Source,
) -> Result<ImportReport> {
    let label = source.location.clone();
    let mut ctx = Batch::default();
    let limits = *bp.limits();
    let zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            ctx.fail(&label, None, format!("not a readable zip archive: {e}"));
            return bp.finish(label, ctx);
        }
    };
    // Per badge: badge.json, baked image, original, and its kept documents (shared ones once).
    if zip.len() > limits.max_items.saturating_mul(8).saturating_add(16) {
        ctx.fail(
            &label,
            None,
            format!("the archive has {} entries; too many", zip.len()),
        );
        return bp.finish(label, ctx);
    }
    let mut zip = Entries {
        zip,
        cache: BTreeMap::new(),
        hashes: BTreeMap::new(),
        refs_left: limits.max_items.saturating_mul(MAX_DOCUMENTS_PER_BADGE),
        refs_limit: limits.max_items.saturating_mul(MAX_DOCUMENTS_PER_BADGE),
        budget: limits.max_archive_expanded_bytes,
        limit: limits.max_archive_expanded_bytes,
    };
    // The manifest and the documents index grow with the badges (each manifest entry carries the
    // badge's full verification report, a few KiB): their cap scales with `max_items`, 64 KiB
    // per badge, instead of the per-document JSON limit.
    let index_limits = openbadges_model::Limits {
        max_bytes: limits
            .json
            .max_bytes
            .max(limits.max_items.saturating_mul(64 * 1024))
            .min(limits.max_archive_bytes),
        ..limits.json
    };
    let manifest = zip
        .read("manifest.json", index_limits.max_bytes)
        .map_err(String::from)
        .and_then(|b| {
            openbadges_model::parse_json(&b, &index_limits)
                .map_err(|e| format!("manifest.json: {e}"))
        });
    let manifest = match manifest {
        Ok(m) => m,
        Err(reason) => {
            ctx.fail(&label, None, format!("not a backpack archive: {reason}"));
            return bp.finish(label, ctx);
        }
    };
    let version = manifest.get("formatVersion").and_then(Value::as_u64);
    if manifest.get("format").and_then(Value::as_str) != Some(FORMAT)
        || !matches!(version, Some(v) if (1..=FORMAT_VERSION).contains(&v))
    {
        ctx.fail(
            &label,
            None,
            format!("not a backpack archive of format `{FORMAT}` version 1 to {FORMAT_VERSION}"),
        );
        return bp.finish(label, ctx);
    }
    // Version 2: the documents kept for offline verification, by (url, sha256).
    let index: DocumentIndex = zip
        .read("documents/index.json", index_limits.max_bytes)
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
        .collect();
    let owner = bp.store().identifiers()?;
    let entries = manifest
        .get("badges")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
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
    let mut originals = std::collections::BTreeSet::new();
    for entry in entries {
        let entry_label = entry
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| label.clone(), |id| format!("{label}#{id}"));
        let file = entry.get("files").and_then(|f| f.get("original"));
        let path = file.and_then(|f| f.get("path")).and_then(Value::as_str);
        let sha = file.and_then(|f| f.get("sha256")).and_then(Value::as_str);
        let (Some(path), Some(sha)) = (path, sha) else {
            ctx.fail(
                &entry_label,
                None,
                "the manifest entry names no original file".to_owned(),
            );
            continue;
        };
        // Each badge has its own original: a second reference to one is refused unread.
        if !originals.insert(path.to_owned()) {
            ctx.fail(
                &entry_label,
                None,
                format!("{path} is already the original of another badge in this archive"),
            );
            continue;
        }
        let original = match zip.read(path, limits.max_input_bytes) {
            Ok(b) => b.as_ref().clone(),
            Err(EntryError::Budget) => return over_budget(bp, label, &zip),
            Err(EntryError::Entry(reason)) => {
                ctx.fail(&entry_label, None, reason);
                continue;
            }
        };
        if zip.sha256(path, &original) != sha.to_ascii_lowercase() {
            ctx.fail(
                &entry_label,
                None,
                format!("{path} does not match its SHA-256 in the manifest"),
            );
            continue;
        }
        // The archive's decoded document is only compared with what the badge shows (it never
        // stands in for anything): a badge baked with a URL is fetched again like any URL.
        let archived = match entry
            .get("files")
            .and_then(|f| f.get("document"))
            .and_then(|f| f.get("path"))
            .and_then(Value::as_str)
            .map(|p| zip.read(p, limits.max_input_bytes))
        {
            Some(Err(EntryError::Budget)) => return over_budget(bp, label, &zip),
            Some(Ok(b)) => openbadges_model::parse_json(&b, &limits.json).ok(),
            _ => None,
        };
        let fetch = bp.fetcher();
        let item = match parse_input(&original, &limits, fetch) {
            Ok(Parsed::Single { item, .. }) => item,
            Ok(_) => {
                ctx.fail(&entry_label, None, format!("{path} is not a single badge"));
                continue;
            }
            Err(reason) => {
                ctx.fail(&entry_label, None, reason);
                continue;
            }
        };
        let documents = match kept_documents(&mut zip, &entry, &index, limits.max_input_bytes) {
            Ok(d) => d,
            Err(_) => return over_budget(bp, label, &zip),
        };
        let restored_source = entry
            .get("source")
            .and_then(|s| serde_json::from_value::<Source>(s.clone()).ok())
            .unwrap_or_else(|| Source::new(SourceKind::Archive, label.clone()));
        let restore = Restore {
            source: restored_source,
            state: match entry.get("state").and_then(Value::as_str) {
                Some("rejected") => BadgeState::Rejected,
                _ => BadgeState::Accepted,
            },
            imported_at: parse_time(entry.get("importedAt")).unwrap_or_else(Utc::now),
            document: archived,
            documents,
        };
        let mut item = item;
        item.within = restore.source.within.clone();
        let src = Source::new(SourceKind::Archive, entry_label);
        bp.process_with(&mut ctx, item, &src, &owner, Some(restore))?;
    }
    if ctx.items.is_empty() {
        ctx.fail(&label, None, "the archive holds no badges".to_owned());
    }
    let held: std::collections::BTreeSet<BadgeId> =
        ctx.items.iter().filter_map(|i| i.id.clone()).collect();
    let collections = manifest
        .get("collections")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for c in collections {
        let Some(mut c) = parse_collection(&c) else {
            ctx.fail(
                &label,
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
    bp.finish(label, ctx).map_err(|e| match e {
        Error::NotFound { .. } | Error::InvalidArgument(_) => {
            Error::InvalidArgument(format!("the archive's collections are inconsistent: {e}"))
        }
        other => other,
    })
}
