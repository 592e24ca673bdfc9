//! The deterministic backpack archive (format version 2; specified in `docs/backpack.md`), and
//! reading its `documents/` folder back for offline verification ([`documents_from_dir`],
//! [`documents_loader`]).

use std::io::Write as _;

use serde_json::{Value, json};

use chrono::{DateTime, Utc};

use crate::model::{
    BadgeRecord, BadgeState, Collection, InputKind, KeptDocument, Verification, Visibility,
};
use crate::model::{sha256_hex, time_str};
use crate::store::Store;
use crate::verify::{Verifier, VerifyRequest};
use crate::{Error, Result};

/// The `format` value in `manifest.json`.
pub const FORMAT: &str = "openbadges-rs-backpack";
/// The archive layout version this build writes. It reads this one and version 1 (which had no
/// baked images for unbaked badges and no `documents/`).
pub const FORMAT_VERSION: u64 = 2;

/// The `format` value of `documents/index.json`.
pub const DOCUMENTS_FORMAT: &str = "openbadges-rs-documents";

/// The largest `documents/index.json` [`documents_from_dir`] reads (64 MiB).
const MAX_INDEX_BYTES: u64 = 64 * 1024 * 1024;
/// The largest single kept document [`documents_from_dir`] reads (16 MiB).
const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

fn file_entry(path: &str, bytes: &[u8]) -> Value {
    json!({"path": path, "sha256": sha256_hex(bytes), "size": bytes.len()})
}

/// The paths of a badge's files in the archive.
pub(crate) fn original_path(b: &BadgeRecord) -> String {
    format!(
        "badges/{}/original.{}",
        b.id,
        crate::model::original_extension(b.input_kind)
    )
}

fn document_path(b: &BadgeRecord) -> String {
    format!("badges/{}/badge.json", b.id)
}

/// Where a kept document's body lives in the archive (content-addressed).
pub(crate) fn kept_path(sha256: &str) -> String {
    format!("documents/{sha256}")
}

/// An image to bake an unbaked badge into: the badge's own image when it is a kept PNG/SVG or a
/// base64 PNG/SVG `data:` URL (SVG within the allow-list of `crate::svg`), else a plain generated SVG.
fn image_for(b: &BadgeRecord, docs: &[KeptDocument]) -> Vec<u8> {
    use base64::Engine as _;
    let usable = |bytes: &[u8]| match openbadges_bake::ImageFormat::detect(bytes) {
        Some(openbadges_bake::ImageFormat::Png) => true,
        Some(openbadges_bake::ImageFormat::Svg) => crate::svg::check_svg(bytes).is_ok(),
        _ => false,
    };
    if let Some(url) = crate::display::image(&b.document) {
        if let Some(d) = docs.iter().find(|d| d.url == url && usable(&d.body)) {
            return d.body.to_vec();
        }
        let data = url
            .strip_prefix("data:image/png;base64,")
            .or_else(|| url.strip_prefix("data:image/svg+xml;base64,"));
        if let Some(bytes) = data
            .and_then(|d| {
                base64::engine::general_purpose::STANDARD
                    .decode(d.trim())
                    .ok()
            })
            .filter(|bytes| usable(bytes))
        {
            return bytes;
        }
    }
    default_image(b.name().unwrap_or("Open Badge"))
}

/// A plain, deterministic SVG with the badge's name (escaped, at most 40 characters).
fn default_image(name: &str) -> Vec<u8> {
    let mut short: String = name.chars().take(40).collect();
    if name.chars().nth(40).is_some() {
        short.push('…');
    }
    let text = super::html::escape(&short);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"256\" height=\"256\" viewBox=\"0 0 256 256\">\
         <circle cx=\"128\" cy=\"128\" r=\"120\" fill=\"#1d4e89\"/>\
         <circle cx=\"128\" cy=\"128\" r=\"104\" fill=\"none\" stroke=\"#f2c14e\" stroke-width=\"6\"/>\
         <text x=\"128\" y=\"136\" font-family=\"sans-serif\" font-size=\"16\" fill=\"#ffffff\" text-anchor=\"middle\">{text}</text>\
         </svg>\n"
    )
    .into_bytes()
}

/// The payload to bake for a badge that did not arrive baked: the JSON or compact JWS/JWT as
/// received; for a hosted badge given as a URL, the assertion as it was served at import (what
/// a backpack bakes), or the URL itself when that was not kept.
fn bake_payload(b: &BadgeRecord, docs: &[KeptDocument]) -> Option<String> {
    let text = std::str::from_utf8(&b.original).ok()?.trim();
    Some(match b.input_kind {
        InputKind::Url => docs
            .iter()
            .find(|d| d.url == text)
            .and_then(|d| std::str::from_utf8(&d.body).ok())
            .map_or_else(|| text.to_owned(), |s| s.trim().to_owned()),
        _ => text.to_owned(),
    })
}

/// The baked image of a badge that arrived unbaked (`None` for a baked original: the original
/// is its baked image; `None` too when nothing could be baked).
fn baked_image(b: &BadgeRecord, docs: &[KeptDocument]) -> Option<(Vec<u8>, &'static str)> {
    if matches!(b.input_kind, InputKind::Png | InputKind::Svg) {
        return None;
    }
    let payload = bake_payload(b, docs)?;
    let options = openbadges_bake::BakeOptions::default().replace(true);
    let baked = openbadges_bake::bake(&image_for(b, docs), &payload, &options)
        .or_else(|_| {
            openbadges_bake::bake(
                &default_image(b.name().unwrap_or("Open Badge")),
                &payload,
                &options,
            )
        })
        .ok()?;
    let ext = match openbadges_bake::ImageFormat::detect(&baked)? {
        openbadges_bake::ImageFormat::Png => "png",
        _ => "svg",
    };
    Some((baked, ext))
}

/// `text` (pretty JSON ending in a newline) with every line indented by `by` spaces (the first
/// too when `first`), without the final newline: how `serde_json` nests it `by` deep.
fn indent(text: &[u8], by: usize, first: bool) -> Vec<u8> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    for (n, line) in text.split(|b| *b == b'\n').enumerate() {
        if n > 0 {
            out.push(b'\n');
        }
        if n > 0 || first {
            out.resize(out.len() + by, b' ');
        }
        out.extend_from_slice(line);
    }
    out
}

/// Writes `manifest.json`, byte for byte what `serde_json`'s pretty printer makes of
/// `{"format", "formatVersion", "badges": [entries], "collections": [...]}` (tested), assembled
/// from the badge entries already rendered and indented.
fn write_manifest<W: std::io::Write>(
    out: &mut W,
    entries: &[Vec<u8>],
    collections: &[u8],
) -> std::io::Result<()> {
    out.write_all(
        format!("{{\n  \"format\": \"{FORMAT}\",\n  \"formatVersion\": {FORMAT_VERSION},\n  \"badges\": ")
            .as_bytes(),
    )?;
    if entries.is_empty() {
        out.write_all(b"[]")?;
    } else {
        out.write_all(b"[\n")?;
        for (n, e) in entries.iter().enumerate() {
            if n > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(e)?;
        }
        out.write_all(b"\n  ]")?;
    }
    out.write_all(b",\n  \"collections\": ")?;
    out.write_all(&indent(collections, 2, false))?;
    out.write_all(b"\n}\n")
}

fn pretty(v: &Value) -> Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(v).map_err(Error::export)?;
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

/// Verifies `b` again for an export with [`Reverify`], replacing its verification with the
/// result at export; returns the stored one (`status`, `checkedAt`) for the manifest's
/// `verificationAtImport`.
fn reverify_record(b: &mut BadgeRecord, r: Reverify<'_>) -> Value {
    let at_import = json!({
        "status": b.verification.status.as_str(),
        "checkedAt": time_str(&b.verification.checked_at),
    });
    let outcome = r.verifier.verify(&VerifyRequest::for_record(b));
    b.verification = Verification {
        status: outcome.status,
        report: outcome.report.to_string(),
        checked_at: r.at,
    };
    at_import
}

/// The kept documents of the exported badges, each stored once: `documents/index.json`'s
/// entries by (URL, SHA-256), the bodies by SHA-256.
#[derive(Default)]
struct KeptIndex {
    index: std::collections::BTreeMap<(String, String), Value>,
    bodies: std::collections::BTreeMap<String, std::sync::Arc<[u8]>>,
}

impl KeptIndex {
    /// Adds one badge's documents; returns its manifest `documents` (`{url, sha256}` pairs).
    fn add(&mut self, docs: Vec<KeptDocument>) -> Vec<Value> {
        let mut doc_refs = Vec::new();
        for d in docs {
            let sha = d.sha256();
            doc_refs.push(json!({"url": d.url, "sha256": sha}));
            self.index
                .entry((d.url.clone(), sha.clone()))
                .or_insert_with(|| {
                    json!({
                        "url": d.url,
                        "mediaType": d.media_type,
                        "sha256": sha,
                        "file": sha,
                        "size": d.body.len(),
                        "fetchedAt": time_str(&d.fetched_at),
                    })
                });
            self.bodies.entry(sha).or_insert(d.body);
        }
        doc_refs
    }
}

/// A badge's entry in `manifest.json`: its record, its verification (with the full report),
/// its `files` and kept `documents`, and `verificationAtImport` when it was verified again.
fn manifest_entry(
    b: &BadgeRecord,
    files: Value,
    doc_refs: Vec<Value>,
    at_import: Option<Value>,
) -> Value {
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
        "importedAt": time_str(&b.imported_at),
        "dedupKey": b.dedup_key,
        "validFrom": b.valid_from.map(|t| time_str(&t)),
        "recipient": b.recipient,
        "verification": {
            "status": b.verification.status.as_str(),
            "checkedAt": time_str(&b.verification.checked_at),
            "report": report,
        },
        "files": files,
        "documents": doc_refs,
    });
    if let (Some(a), Some(o)) = (at_import, entry.as_object_mut()) {
        o.insert("verificationAtImport".into(), a);
    }
    entry
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
        w.start_file(path, options).map_err(Error::export)?;
        w.write_all(bytes).map_err(Error::export)
    };

    // Paths sort as: badges/<id>/badge.json < badges/<id>/baked.* < badges/<id>/original.*
    // (by id) < documents/<sha256> < documents/index.json < index.html < manifest.json, so
    // writing in id order, then the documents, writes the entries sorted.
    let mut manifest_badges = Vec::new();
    let mut kept = KeptIndex::default();
    let mut cards = std::collections::BTreeMap::new();
    for id in store.badge_ids()? {
        let Some(mut b) = store.badge(&id)? else {
            continue;
        };
        if b.state != BadgeState::Accepted {
            continue;
        }
        let at_import = reverify.map(|r| reverify_record(&mut b, r));
        let original = original_path(&b);
        let document_path = document_path(&b);
        let document = pretty(&b.document)?;
        let docs = store.badge_documents(&b.id)?;
        let baked = baked_image(&b, &docs);
        let baked_path = baked
            .as_ref()
            .map(|(_, ext)| format!("badges/{}/baked.{ext}", b.id));
        let files = json!({
            "original": file_entry(&original, &b.original),
            "document": file_entry(&document_path, &document),
            "baked": match (&baked, &baked_path) {
                (Some((bytes, _)), Some(path)) => file_entry(path, bytes),
                _ if matches!(b.input_kind, InputKind::Png | InputKind::Svg) => file_entry(&original, &b.original),
                _ => Value::Null,
            },
        });
        let doc_refs = kept.add(docs);
        // Kept rendered (a third of the memory of a `Value`): the manifest is assembled from
        // these bytes at the end.
        let entry = manifest_entry(&b, files, doc_refs, at_import);
        manifest_badges.push(indent(&pretty(&entry)?, 4, true));
        put(&mut w, &document_path, &document)?;
        if let (Some((bytes, _)), Some(path)) = (&baked, &baked_path) {
            put(&mut w, path, bytes)?;
        }
        put(&mut w, &original, &b.original)?;
        cards.insert(b.id.clone(), super::html::card(&b));
    }
    let KeptIndex { index, bodies } = kept;
    for (sha, body) in &bodies {
        put(&mut w, &kept_path(sha), body)?;
    }
    let documents_index = json!({
        "format": DOCUMENTS_FORMAT,
        "formatVersion": 1,
        "documents": index.into_values().collect::<Vec<_>>(),
    });
    put(&mut w, "documents/index.json", &pretty(&documents_index)?)?;
    let html = super::html::page(&cards, &collections);
    put(&mut w, "index.html", html.as_bytes())?;
    let collections = json!(collections.iter().map(collection_json).collect::<Vec<_>>());
    w.start_file("manifest.json", options)
        .map_err(Error::export)?;
    write_manifest(&mut w, &manifest_badges, &pretty(&collections)?).map_err(Error::export)?;
    w.finish().map_err(Error::export)
}

/// Reads the documents an archive kept (its `documents/` folder, unzipped: `DIR/index.json` and
/// the content-addressed files beside it) for offline verification. Every file is checked
/// against its SHA-256 in the index and size-capped (16 MiB each, 64 MiB for the index). URLs
/// the proof crate bundles (JSON-LD contexts) are skipped: an archive never replaces them. When
/// the index lists one URL with several contents (fetched at different times), the most
/// recently fetched one is returned.
///
/// # Errors
/// [`Error::InvalidArgument`] when the index is missing or malformed, or a file is missing, too
/// large or does not match its SHA-256.
pub fn documents_from_dir(dir: impl AsRef<std::path::Path>) -> Result<Vec<KeptDocument>> {
    use std::io::Read as _;
    let dir = dir.as_ref();
    let bad = |m: String| Error::InvalidArgument(format!("documents in {}: {m}", dir.display()));
    let read = |name: &str, limit: u64| -> Result<Vec<u8>> {
        let path = dir.join(name);
        let f = std::fs::File::open(&path).map_err(|e| bad(format!("{name}: {e}")))?;
        // Sized from the file's length (within the limit): two reads, not one per doubling.
        let len = f.metadata().map_or(0, |m| m.len()).min(limit);
        let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0).saturating_add(1));
        f.take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        if out.len() as u64 > limit {
            return Err(bad(format!("{name} is larger than {limit} bytes")));
        }
        Ok(out)
    };
    let index: Value = serde_json::from_slice(&read("index.json", MAX_INDEX_BYTES)?)
        .map_err(|e| bad(format!("index.json: {e}")))?;
    if index.get("format").and_then(Value::as_str) != Some(DOCUMENTS_FORMAT) {
        return Err(bad(format!(
            "index.json is not a `{DOCUMENTS_FORMAT}` index"
        )));
    }
    let entries = index
        .get("documents")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("index.json has no `documents` list".to_owned()))?;
    let mut latest: std::collections::BTreeMap<String, KeptDocument> =
        std::collections::BTreeMap::new();
    for e in entries {
        let field = |k: &str| e.get(k).and_then(Value::as_str);
        let (Some(url), Some(sha), Some(file)) = (field("url"), field("sha256"), field("file"))
        else {
            return Err(bad(
                "an index entry lacks `url`, `sha256` or `file`".to_owned()
            ));
        };
        // Content-addressed names only: no path can leave the folder.
        if file.len() != 64 || !file.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad(format!("`{file}` is not a content address")));
        }
        if crate::proof::is_bundled(url) {
            continue;
        }
        let body = read(file, MAX_DOCUMENT_BYTES)?;
        if sha256_hex(&body) != sha.to_ascii_lowercase() {
            return Err(bad(format!(
                "{file} does not match its SHA-256 (for {url})"
            )));
        }
        let fetched_at = field("fetchedAt")
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map_or(DateTime::<Utc>::UNIX_EPOCH, |t| t.with_timezone(&Utc));
        let doc = KeptDocument {
            url: url.to_owned(),
            media_type: field("mediaType").map(str::to_owned),
            fetched_at,
            body: body.into(),
        };
        match latest.get(url) {
            Some(held) if held.fetched_at >= doc.fetched_at => {}
            _ => {
                latest.insert(url.to_owned(), doc);
            }
        }
    }
    Ok(latest.into_values().collect())
}

/// [`documents_from_dir`] as an offline loader of the proof crate, to layer after the bundled
/// contexts and before (or instead of) the network: `openbadges verify --offline --documents
/// DIR` verifies an archive's baked images this way.
///
/// # Errors
/// As [`documents_from_dir`].
pub fn documents_loader(
    dir: impl AsRef<std::path::Path>,
) -> Result<openbadges_proof::loader::StaticLoader> {
    let mut loader = openbadges_proof::loader::StaticLoader::new();
    for d in documents_from_dir(dir)? {
        loader.insert(&d.url, d.media_type.as_deref(), &d.body);
    }
    Ok(loader)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A writer that always fails.
    #[derive(Debug)]
    struct Broken;

    impl std::io::Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::Error::other("disk full"))
        }
    }

    impl std::io::Seek for Broken {
        fn seek(&mut self, _: std::io::SeekFrom) -> std::io::Result<u64> {
            Err(std::io::Error::other("disk full"))
        }
    }

    #[test]
    fn a_failed_write_keeps_its_cause() {
        use std::error::Error as _;
        let err = export_zip_to(&crate::MemoryStore::new(), Broken).unwrap_err();
        assert!(matches!(err, Error::Export { .. }), "{err:?}");
        let chain: Vec<String> = std::iter::successors(err.source(), |c| (*c).source())
            .map(ToString::to_string)
            .collect();
        assert!(chain.iter().any(|c| c.contains("disk full")), "{chain:?}");
    }

    #[test]
    fn the_assembled_manifest_is_what_serde_json_prints() {
        let entries = [
            json!({"id": "b1", "files": {"a": {"path": "x", "size": 1}}, "documents": [], "n": null}),
            json!({"id": "b2", "list": [1, {"k": "v\nw"}], "empty": {}}),
        ];
        for (badges, collections) in [
            (&entries[..], json!([])),
            (
                &entries[..1],
                json!([{"id": "c1", "members": ["b1"], "token": "t"}]),
            ),
            (
                &entries[..0],
                json!([{"id": "c1", "members": []}, {"id": "c2"}]),
            ),
        ] {
            let whole = json!({
                "format": FORMAT,
                "formatVersion": FORMAT_VERSION,
                "badges": badges,
                "collections": collections,
            });
            let rendered: Vec<Vec<u8>> = badges
                .iter()
                .map(|e| indent(&pretty(e).unwrap(), 4, true))
                .collect();
            let mut out = Vec::new();
            write_manifest(&mut out, &rendered, &pretty(&collections).unwrap()).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(pretty(&whole).unwrap()).unwrap()
            );
        }
    }
}
