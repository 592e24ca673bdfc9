//! Forged backpack archives: a genuine archive whose `badge.json` or kept documents were edited
//! to put other names, images or criteria on a genuine badge. What the backpack shows comes from
//! the badge's original and what verification loaded; archive content that disagrees is refused
//! with the reason, and content nobody could check is never shown.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read as _, Write as _};
use std::sync::Arc;

use common::*;
use openbadges_backpack::export::zip::export_zip;
use openbadges_backpack::proof::{LoaderFetcher, ProofVerifier};
use openbadges_backpack::{
    BadgeRecord, ImportReport, ImportResult, MemoryStore, Source, SourceKind, Store,
};
use openbadges_proof::loader::{CachingLoader, RecordingLoader, StaticLoader};
use openbadges_proof::report::Status;
use openbadges_proof::verify::FixedClock;
use serde_json::{Value, json};

const BASE: &str = "http://127.0.0.1:8765/";
const FORGED: &str = "PhD in Physics (FORGED)";

/// The issuer's site: `fixtures/ob2/served` at [`BASE`].
fn served_loader() -> StaticLoader {
    let mut docs = StaticLoader::with_bundled_contexts();
    for f in fixture_files(&["ob2/served"]) {
        let rel = f.strip_prefix("ob2/served/").unwrap();
        let ct = if rel.ends_with(".png") {
            Some("image/png")
        } else {
            Some("application/json")
        };
        docs.insert(&format!("{BASE}{rel}"), ct, &fixture(&f));
    }
    docs
}

/// Imports `inputs` into a fresh backpack with the real verifier over `site` (recording what it
/// loads, the fetcher sharing its cache) and gives back the store and the reports.
fn import_with(
    site: StaticLoader,
    online: bool,
    inputs: &[(&[u8], &str)],
) -> (MemoryStore, Vec<ImportReport>) {
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let cache = Arc::new(CachingLoader::new(site));
    let recording = RecordingLoader::new(Arc::clone(&cache));
    let verifier =
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&recording).with_clock(&clock))
            .keeping(recording.recording());
    let mut bp = backpack(MemoryStore::new(), verifier);
    if online {
        bp = bp.with_fetcher(LoaderFetcher(Arc::clone(&cache)));
    }
    let reports = inputs
        .iter()
        .map(|(bytes, name)| bp.import(bytes, Source::file(*name)).unwrap())
        .collect();
    (bp.into_store(), reports)
}

/// A genuine archive: the hosted OB 2.0 badge (its class and issuer inlined at import) and a
/// signed one, verified online.
fn genuine() -> (Vec<u8>, BadgeRecord) {
    let url = format!("{BASE}hosted/valid.json");
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let cache = Arc::new(CachingLoader::new(served_loader()));
    let recording = RecordingLoader::new(Arc::clone(&cache));
    let verifier =
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&recording).with_clock(&clock))
            .keeping(recording.recording());
    let mut bp = backpack(MemoryStore::new(), verifier).with_fetcher(LoaderFetcher(cache));
    let r = bp
        .import(url.as_bytes(), Source::new(SourceKind::Url, url.clone()))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    let r = bp
        .import(
            &fixture("ob2/served/signed/valid.jws"),
            file("signed/valid.jws"),
        )
        .unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    let hosted = bp
        .badges()
        .unwrap()
        .into_iter()
        .find(|b| b.document["id"] == url.as_str())
        .unwrap();
    assert_eq!(hosted.name(), Some("Badges 101"));
    assert_eq!(hosted.verification.status, Status::Valid);
    (export_zip(bp.store()).unwrap(), hosted)
}

fn entries(zip_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().to_owned(), b)
        })
        .collect()
}

fn rezip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(
            name.as_str(),
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The archive with the victim's `badge.json` changed by `edit`.
fn forge_badge_json(archive: &[u8], victim: &BadgeRecord, edit: impl Fn(&mut Value)) -> Vec<u8> {
    let target = format!("badges/{}/badge.json", victim.id);
    let mut files = entries(archive);
    let entry = files.iter_mut().find(|(n, _)| *n == target).unwrap();
    let mut doc: Value = serde_json::from_slice(&entry.1).unwrap();
    edit(&mut doc);
    entry.1 = serde_json::to_vec_pretty(&doc).unwrap();
    rezip(&files)
}

/// Asserts that nothing the backpack shows or writes for `store` carries the forged text.
fn never_shown(store: &MemoryStore) {
    for b in store.badges().unwrap() {
        assert!(!b.document.to_string().contains(FORGED), "{}", b.document);
        assert!(
            !serde_json::to_string(&b.summary())
                .unwrap()
                .contains(FORGED)
        );
    }
    for (name, bytes) in entries(&export_zip(store).unwrap()) {
        if name == "manifest.json" || name == "index.html" || name.ends_with("badge.json") {
            assert!(
                !String::from_utf8_lossy(&bytes).contains(FORGED),
                "{name} shows the forged text"
            );
        }
    }
}

/// Imports `forged` online (the issuer's site answers) and offline (nothing answers): online it
/// is refused with a reason naming `pointer`; offline the forged content is never shown.
fn refused_online_never_shown_offline(forged: &[u8], victim: &BadgeRecord, pointer: &str) {
    let (store, reports) = import_with(served_loader(), true, &[(forged, "forged.zip")]);
    let item = reports[0]
        .items
        .iter()
        .find(|i| i.input.ends_with(victim.id.as_str()))
        .unwrap();
    assert_eq!(item.result, ImportResult::Failed, "{item:?}");
    let reason = item.reason.as_deref().unwrap();
    assert!(
        reason.contains("the archive's badge.json disagrees") && reason.contains(pointer),
        "{reason}"
    );
    assert!(store.badge(&victim.id).unwrap().is_none());
    never_shown(&store);

    let (store, _) = import_with(
        StaticLoader::with_bundled_contexts(),
        false,
        &[(forged, "forged.zip")],
    );
    never_shown(&store);
}

#[test]
fn a_forged_badge_class_name_in_an_archive_is_refused() {
    let (archive, victim) = genuine();
    let forged = forge_badge_json(&archive, &victim, |d| d["badge"]["name"] = json!(FORGED));
    refused_online_never_shown_offline(&forged, &victim, "/badge/name");
}

#[test]
fn a_forged_issuer_name_in_an_archive_is_refused() {
    let (archive, victim) = genuine();
    let forged = forge_badge_json(&archive, &victim, |d| {
        d["badge"]["issuer"]["name"] = json!(FORGED);
    });
    refused_online_never_shown_offline(&forged, &victim, "/badge/issuer/name");
}

#[test]
fn a_forged_badge_image_in_an_archive_is_refused() {
    let (archive, victim) = genuine();
    let forged = forge_badge_json(&archive, &victim, |d| {
        d["badge"]["image"] = json!("https://forger.example/phd.png");
        d["badge"]["description"] = json!(FORGED);
    });
    refused_online_never_shown_offline(&forged, &victim, "/badge/");
}

#[test]
fn forged_criteria_in_an_archive_are_refused() {
    let (archive, victim) = genuine();
    let forged = forge_badge_json(&archive, &victim, |d| {
        d["badge"]["criteria"] = json!({"narrative": FORGED});
    });
    refused_online_never_shown_offline(&forged, &victim, "/badge/criteria/narrative");
}

#[test]
fn an_extra_unsigned_field_in_an_archive_is_refused_even_offline() {
    let (archive, victim) = genuine();
    let forged = forge_badge_json(&archive, &victim, |d| {
        d["narrative"] = json!(FORGED);
    });
    refused_online_never_shown_offline(&forged, &victim, "/narrative");
    // Offline too: the field is on the badge itself, not on anything linked.
    let (store, reports) = import_with(
        StaticLoader::with_bundled_contexts(),
        false,
        &[(&forged, "forged.zip")],
    );
    let item = reports[0]
        .items
        .iter()
        .find(|i| i.input.ends_with(victim.id.as_str()))
        .unwrap();
    assert_eq!(item.result, ImportResult::Failed, "{item:?}");
    assert!(store.badge(&victim.id).unwrap().is_none());
}

#[test]
fn a_class_inlined_under_another_id_in_an_archive_is_refused_offline() {
    let (archive, victim) = genuine();
    let forged = forge_badge_json(&archive, &victim, |d| {
        d["badge"]["id"] = json!("https://forger.example/phd");
        d["badge"]["name"] = json!(FORGED);
    });
    let (store, reports) = import_with(
        StaticLoader::with_bundled_contexts(),
        false,
        &[(&forged, "forged.zip")],
    );
    let item = reports[0]
        .items
        .iter()
        .find(|i| i.input.ends_with(victim.id.as_str()))
        .unwrap();
    assert_eq!(item.result, ImportResult::Failed, "{item:?}");
    assert!(
        item.reason.as_deref().unwrap().contains("/badge"),
        "{item:?}"
    );
    never_shown(&store);
}

/// The archive's kept copy of the badge class replaced by a forged one (index and manifest
/// updated to match): verification loads the real class, and the archive's copy is refused.
#[test]
fn a_forged_kept_document_in_an_archive_is_refused() {
    let (archive, victim) = genuine();
    let class_url = format!("{BASE}badgeclass.json");
    let mut class: Value = fixture_json("ob2/served/badgeclass.json");
    class["name"] = json!(FORGED);
    let body = serde_json::to_vec(&class).unwrap();
    let sha = hex_sha256(&body);
    let mut files = entries(&archive);
    let mut old_sha = None;
    for (name, bytes) in &mut files {
        if name == "documents/index.json" {
            let mut index: Value = serde_json::from_slice(bytes).unwrap();
            for d in index["documents"].as_array_mut().unwrap() {
                if d["url"] == class_url.as_str() {
                    old_sha = d["sha256"].as_str().map(str::to_owned);
                    d["sha256"] = json!(sha);
                    d["file"] = json!(sha);
                    d["size"] = json!(body.len());
                }
            }
            *bytes = serde_json::to_vec_pretty(&index).unwrap();
        }
    }
    let old_sha = old_sha.unwrap();
    for (name, bytes) in &mut files {
        if name == "manifest.json" {
            let text = String::from_utf8(bytes.clone()).unwrap();
            *bytes = text.replace(&old_sha, &sha).into_bytes();
        }
    }
    files.push((format!("documents/{sha}"), body));
    files.sort();
    let forged = rezip(&files);
    let (store, reports) = import_with(served_loader(), true, &[(&forged, "forged.zip")]);
    let item = reports[0]
        .items
        .iter()
        .find(|i| i.input.ends_with(victim.id.as_str()))
        .unwrap();
    assert_eq!(item.result, ImportResult::Failed, "{item:?}");
    let reason = item.reason.as_deref().unwrap();
    assert!(
        reason.contains(&format!("the archive's copy of {class_url} differs")),
        "{reason}"
    );
    never_shown(&store);
}

fn hex_sha256(b: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
}

/// The genuine archive re-imports: online with everything shown as at the first import, and
/// offline with the archive's own documents as the only source (what `verify --documents`
/// trusts), valid, showing what that verification loaded.
#[test]
fn the_genuine_archive_reimports_online_and_offline_from_its_documents() {
    let (archive, victim) = genuine();
    let (store, reports) = import_with(served_loader(), true, &[(&archive, "genuine.zip")]);
    assert_eq!(reports[0].counts(), (2, 0, 0), "{reports:?}");
    let restored = store.badge(&victim.id).unwrap().unwrap();
    assert_eq!(restored.document, victim.document);
    assert_eq!(restored.verification.status, Status::Valid);

    // Offline, the archive's documents as the loader.
    let mut docs = StaticLoader::with_bundled_contexts();
    let files = entries(&archive);
    let index: Value = serde_json::from_slice(
        &files
            .iter()
            .find(|(n, _)| n == "documents/index.json")
            .unwrap()
            .1,
    )
    .unwrap();
    for d in index["documents"].as_array().unwrap() {
        let path = format!("documents/{}", d["file"].as_str().unwrap());
        let body = &files.iter().find(|(n, _)| *n == path).unwrap().1;
        docs.insert(
            d["url"].as_str().unwrap(),
            d["mediaType"].as_str(),
            body.as_slice(),
        );
    }
    let (store, reports) = import_with(docs, true, &[(&archive, "genuine.zip")]);
    assert_eq!(reports[0].counts(), (2, 0, 0), "{reports:?}");
    let restored = store.badge(&victim.id).unwrap().unwrap();
    assert_eq!(restored.document, victim.document);
    assert_eq!(restored.name(), Some("Badges 101"));
    assert_eq!(restored.verification.status, Status::Valid);
    // The archive of the restored backpack carries the same badge files and documents.
    let same = |name: &str| name != "manifest.json" && name != "index.html";
    let again: Vec<_> = entries(&export_zip(&store).unwrap())
        .into_iter()
        .filter(|(n, _)| same(n))
        .collect();
    let before: Vec<_> = files.into_iter().filter(|(n, _)| same(n)).collect();
    assert!(again == before, "same files after the round trip");
}
