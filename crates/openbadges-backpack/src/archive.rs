//! Importing a backpack archive written by [`export_zip`](crate::export::zip::export_zip).

use std::io::Read as _;

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

fn read_entry(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    path: &str,
    limit: usize,
) -> Result<Vec<u8>, String> {
    let f = zip.by_name(path).map_err(|e| format!("{path}: {e}"))?;
    if f.size() > limit as u64 {
        return Err(format!(
            "{path}: {} bytes is over the limit of {limit}",
            f.size()
        ));
    }
    let mut out = Vec::new();
    f.take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{path}: {e}"))?;
    if out.len() > limit {
        return Err(format!("{path}: over the limit of {limit} bytes"));
    }
    Ok(out)
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

/// `documents/index.json` by (URL, SHA-256): media type and fetch time.
type DocumentIndex = BTreeMap<(String, String), (Option<String>, DateTime<Utc>)>;

/// The documents an archive kept for one badge (manifest `documents`: `{url, sha256}` pairs
/// resolved through `documents/index.json`). A document that is missing, too large or does not
/// match its SHA-256 is left out (the badge is verified again on import anyway).
fn kept_documents(
    zip: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    entry: &Value,
    index: &DocumentIndex,
    limit: usize,
) -> Vec<KeptDocument> {
    let refs = entry
        .get("documents")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut out = Vec::new();
    for r in refs {
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
        let Ok(body) = read_entry(zip, &kept_path(&sha), limit) else {
            continue;
        };
        if sha256_hex(&body) != sha {
            continue;
        }
        out.push(KeptDocument {
            url: url.to_owned(),
            media_type: media_type.clone(),
            fetched_at: *fetched_at,
            body,
        });
    }
    out
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
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
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
    let manifest = read_entry(&mut zip, "manifest.json", index_limits.max_bytes).and_then(|b| {
        openbadges_model::parse_json(&b, &index_limits).map_err(|e| format!("manifest.json: {e}"))
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
    let index: DocumentIndex = read_entry(&mut zip, "documents/index.json", index_limits.max_bytes)
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
        let original = match read_entry(&mut zip, path, limits.max_input_bytes) {
            Ok(b) => b,
            Err(reason) => {
                ctx.fail(&entry_label, None, reason);
                continue;
            }
        };
        if sha256_hex(&original) != sha.to_ascii_lowercase() {
            ctx.fail(
                &entry_label,
                None,
                format!("{path} does not match its SHA-256 in the manifest"),
            );
            continue;
        }
        // The archive's decoded document is only compared with what the badge shows (it never
        // stands in for anything): a badge baked with a URL is fetched again like any URL.
        let archived = entry
            .get("files")
            .and_then(|f| f.get("document"))
            .and_then(|f| f.get("path"))
            .and_then(Value::as_str)
            .and_then(|p| read_entry(&mut zip, p, limits.max_input_bytes).ok())
            .and_then(|b| openbadges_model::parse_json(&b, &limits.json).ok());
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
            documents: kept_documents(&mut zip, &entry, &index, limits.max_input_bytes),
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
