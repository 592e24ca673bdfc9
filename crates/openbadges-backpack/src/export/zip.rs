//! The deterministic backpack archive (format version 1; specified in `docs/backpack.md`).

use std::io::Write as _;

use serde_json::{Value, json};

use chrono::{DateTime, Utc};

use crate::model::{BadgeRecord, BadgeState, Collection, Verification, Visibility};
use crate::store::Store;
use crate::verify::{Verifier, VerifyRequest};
use crate::{Error, Result};

/// The `format` value in `manifest.json`.
pub const FORMAT: &str = "openbadges-rs-backpack";
/// The archive layout version this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

fn file_entry(path: &str, bytes: &[u8]) -> Value {
    json!({"path": path, "sha256": sha256_hex(bytes), "size": bytes.len()})
}

/// The paths of a badge's files in the archive.
pub(crate) fn original_path(b: &BadgeRecord) -> String {
    format!("badges/{}/original.{}", b.id, b.input_kind.extension())
}

fn document_path(b: &BadgeRecord) -> String {
    format!("badges/{}/badge.json", b.id)
}

fn pretty(v: &Value) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(v).map_err(|e| Error::Export(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

fn collection_json(c: &Collection) -> Value {
    let mut v = json!({
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "visibility": c.visibility.as_str(),
        "portfolio": c.portfolio,
        "members": c.members,
    });
    if let (Visibility::Unlisted { token }, Some(o)) = (&c.visibility, v.as_object_mut()) {
        o.insert("token".into(), Value::String(token.clone()));
    }
    v
}

/// Builds the archive of every accepted badge and every collection in `store`.
///
/// The same store always gives the same bytes: entries are sorted by path, stored (no
/// compression, so no dependence on a compressor's version), dated 1980-01-01 00:00:00 with
/// mode 0644, and `manifest.json` holds no export time.
///
/// # Errors
/// Storage errors, or [`Error::Export`] if writing the archive fails.
pub fn export_zip<S: Store + ?Sized>(store: &S) -> Result<Vec<u8>> {
    Ok(export_zip_to(store, std::io::Cursor::new(Vec::new()))?.into_inner())
}

/// [`export_zip`] into any seekable writer (a file), holding one badge in memory at a time.
///
/// # Errors
/// As [`export_zip`].
pub fn export_zip_to<S: Store + ?Sized, W: std::io::Write + std::io::Seek>(
    store: &S,
    writer: W,
) -> Result<W> {
    export_zip_with(store, writer, None)
}

/// Verifies every badge again while exporting, so the archive records the result *at export*.
#[derive(Clone, Copy)]
pub struct Reverify<'a> {
    /// The verifier.
    pub verifier: &'a dyn Verifier,
    /// The export instant, recorded as each badge's `checkedAt` (pass it in, so that the same
    /// store, verifier and instant give the same archive).
    pub at: DateTime<Utc>,
}

impl std::fmt::Debug for Reverify<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reverify")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// [`export_zip_to`], optionally verifying every badge again ([`Reverify`]): the manifest's
/// `verification` is then the result at export, and `verificationAtImport` keeps the stored one.
///
/// # Errors
/// As [`export_zip`].
pub fn export_zip_with<S: Store + ?Sized, W: std::io::Write + std::io::Seek>(
    store: &S,
    writer: W,
    reverify: Option<Reverify<'_>>,
) -> Result<W> {
    let collections = store.collections()?;
    let mut w = zip::ZipWriter::new(writer);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .large_file(false);
    let put = |w: &mut zip::ZipWriter<W>, path: &str, bytes: &[u8]| -> Result<()> {
        w.start_file(path, options)
            .map_err(|e| Error::Export(e.to_string()))?;
        w.write_all(bytes).map_err(|e| Error::Export(e.to_string()))
    };

    // Paths sort as: badges/<id>/badge.json < badges/<id>/original.* (by id) < index.html <
    // manifest.json, so writing in id order writes the entries sorted.
    let mut manifest_badges = Vec::new();
    let mut cards = std::collections::BTreeMap::new();
    for id in store.badge_ids()? {
        let Some(mut b) = store.badge(&id)? else {
            continue;
        };
        if b.state != BadgeState::Accepted {
            continue;
        }
        let at_import = reverify.map(|_| {
            json!({
                "status": b.verification.status.as_str(),
                "checkedAt": b.verification.checked_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            })
        });
        if let Some(r) = reverify {
            let outcome = r.verifier.verify(&VerifyRequest {
                original: &b.original,
                kind: b.input_kind,
                document: &b.document,
                version: b.version,
                recipient: &b.recipient.identifier,
            });
            b.verification = Verification {
                status: outcome.status,
                report: outcome.report.to_string(),
                checked_at: r.at,
            };
        }
        let original = original_path(&b);
        let document_path = document_path(&b);
        let document = pretty(&b.document)?;
        let report: Value = serde_json::from_str(&b.verification.report)
            .unwrap_or_else(|_| Value::String(b.verification.report.clone()));
        let mut entry = json!({
            "id": b.id,
            "name": b.name(),
            "version": b.version.as_str(),
            "class": b.class,
            "inputKind": b.input_kind.as_str(),
            "source": b.source,
            "state": b.state.as_str(),
            "importedAt": b.imported_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            "dedupKey": b.dedup_key,
            "validFrom": b.valid_from.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            "recipient": b.recipient,
            "verification": {
                "status": b.verification.status.as_str(),
                "checkedAt": b.verification.checked_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                "report": report,
            },
            "files": {
                "original": file_entry(&original, &b.original),
                "document": file_entry(&document_path, &document),
            },
        });
        if let (Some(a), Some(o)) = (at_import, entry.as_object_mut()) {
            o.insert("verificationAtImport".into(), a);
        }
        manifest_badges.push(entry);
        put(&mut w, &document_path, &document)?;
        put(&mut w, &original, &b.original)?;
        cards.insert(b.id.clone(), super::html::card(&b));
    }
    let html = super::html::page(&cards, &collections);
    put(&mut w, "index.html", html.as_bytes())?;
    let manifest = json!({
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "badges": manifest_badges,
        "collections": collections.iter().map(collection_json).collect::<Vec<_>>(),
    });
    put(&mut w, "manifest.json", &pretty(&manifest)?)?;
    w.finish().map_err(|e| Error::Export(e.to_string()))
}
