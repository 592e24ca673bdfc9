//! Keeping what verification fetched: the real verifier over a recording loader keeps each
//! badge's documents (hosted assertion, badge class, issuer, key, revocation list, image), both
//! stores store them the same way (shared, transactional), the archive carries them in
//! `documents/` and re-imports them, `documents_from_dir` reads them back checked, and the
//! archive's baked images verify offline from them alone. Older databases (schema 1) migrate;
//! older archives (format 1) still import.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use openbadges_test_support::fixtures::TempDir;

use std::io::{Read as _, Write as _};

use common::*;
use openbadges_backpack::export::zip::{documents_from_dir, documents_loader, export_zip};
use openbadges_backpack::proof::{LoaderFetcher, ProofVerifier};
use openbadges_backpack::{
    BadgeId, Error, ImportResult, KeptDocument, MemoryStore, SqliteStore, Store,
    VerificationOutcome, Verifier, VerifyRequest, Write,
};
use openbadges_proof::loader::{CachingLoader, Document, Layered, RecordingLoader, StaticLoader};
use openbadges_proof::report::Status;
use openbadges_proof::verify::FixedClock;
use serde_json::Value;

const BASE: &str = "http://127.0.0.1:8765/";

fn unzip(archive: &[u8], to: &std::path::Path) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let path = to.join(e.enclosed_name().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn manifest(archive: &[u8]) -> Value {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(archive)).unwrap();
    let mut s = String::new();
    z.by_name("manifest.json")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    serde_json::from_str(&s).unwrap()
}

/// The real verifier, over a recording loader in front of a cache of the served fixtures; the
/// fetcher shares the cache. Imports hosted (by URL and as JSON) and signed OB 2.0 badges.
fn import_with_real_verifier<S: Store>(store: S) -> S {
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let cache = std::sync::Arc::new(CachingLoader::new(served_loader()));
    let recording = RecordingLoader::new(std::sync::Arc::clone(&cache));
    let verifier =
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&recording).with_clock(&clock))
            .keeping(recording.recording());
    let mut bp = backpack(store, verifier).with_fetcher(LoaderFetcher(cache));
    let url = format!("{BASE}hosted/valid.json");
    let r = bp
        .import(
            url.as_bytes(),
            openbadges_backpack::Source::new(openbadges_backpack::SourceKind::Url, url.clone()),
        )
        .unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    let r = bp
        .import(
            &fixture("ob2/served/signed/valid.jws"),
            file("signed/valid.jws"),
        )
        .unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    for i in &r.items {
        assert_eq!(i.verification, Some(Status::Valid), "{r:?}");
    }
    bp.into_store()
}

#[test]
fn the_real_verifier_keeps_what_it_fetched_and_both_stores_agree() {
    let mem = import_with_real_verifier(MemoryStore::new());
    let dir = TempDir::new("agree");
    let sql = import_with_real_verifier(SqliteStore::open(dir.join("b.sqlite")).unwrap());
    let ids = mem.badge_ids().unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids, sql.badge_ids().unwrap());
    let mut urls_of = Vec::new();
    for id in &ids {
        let m = mem.badge_documents(id).unwrap();
        assert_eq!(m, sql.badge_documents(id).unwrap());
        let urls: Vec<&str> = m.iter().map(|d| d.url.as_str()).collect();
        // Sorted by URL; no bundled context kept.
        let mut sorted = urls.clone();
        sorted.sort_unstable();
        assert_eq!(urls, sorted);
        assert!(!urls.iter().any(|u| u.contains("w3id.org")), "{urls:?}");
        for d in &m {
            assert_eq!(d.fetched_at, t0());
            let rel = d.url.strip_prefix(BASE).unwrap();
            assert_eq!(
                &*d.body,
                &*fixture(&format!("ob2/served/{rel}")),
                "verbatim"
            );
        }
        urls_of.push(urls.iter().map(|u| (*u).to_owned()).collect::<Vec<_>>());
    }
    let all: Vec<String> = urls_of.concat();
    for want in [
        "hosted/valid.json",
        "badgeclass.json",
        "issuer.json",
        "key.json",
        "revocations.json",
        "badge.png",
    ] {
        assert!(
            all.iter().any(|u| u == &format!("{BASE}{want}")),
            "{want} not kept: {all:?}"
        );
    }
    // Shared documents are stored once.
    drop(sql);
    let conn = rusqlite::Connection::open(dir.join("b.sqlite")).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    let distinct: std::collections::BTreeSet<&String> = all.iter().collect();
    assert_eq!(rows as usize, distinct.len());
    assert!(rows < all.len() as i64, "some documents are shared");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn documents_are_written_with_their_badge_or_not_at_all() {
    let tx_dir = TempDir::new("tx");
    let pg = openbadges_test_support::postgres::database("backpack documents tx");
    let mut stores = vec![
        Box::new(MemoryStore::new()) as Box<dyn Store>,
        Box::new(SqliteStore::open(tx_dir.join("b.sqlite")).unwrap()),
    ];
    if let Some(db) = &pg {
        stores.push(openbadges_backpack::store::open(db.url()).unwrap());
    }
    for store in stores {
        let doc = KeptDocument {
            url: "https://example.org/k".into(),
            media_type: Some("application/json".into()),
            fetched_at: t0(),
            body: b"{}"[..].into(),
        };
        let missing = BadgeId::for_key(&openbadges_backpack::DedupKey::new("ob2:nope"));
        let err = store
            .commit(vec![Write::PutDocuments(
                missing.clone(),
                vec![doc.clone()],
            )])
            .unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        assert!(store.badge_documents(&missing).unwrap().is_empty());
        // A badge, its documents, then a failing write in the same batch: nothing is stored.
        let badge = import_with_real_verifier(MemoryStore::new())
            .badges()
            .unwrap()
            .remove(0);
        let id = badge.id.clone();
        let err = store
            .commit(vec![
                Write::PutBadge(Box::new(badge.clone())),
                Write::PutDocuments(id.clone(), vec![doc.clone()]),
                Write::PutDocuments(missing.clone(), vec![doc.clone()]),
            ])
            .unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        assert!(store.badge(&id).unwrap().is_none());
        assert!(store.badge_documents(&id).unwrap().is_empty());
        // Without the failing write, both are stored.
        store
            .commit(vec![
                Write::PutBadge(Box::new(badge)),
                Write::PutDocuments(id.clone(), vec![doc.clone()]),
            ])
            .unwrap();
        assert_eq!(store.badge_documents(&id).unwrap(), vec![doc]);
    }
}

#[test]
fn the_archive_carries_the_documents_and_its_baked_images_verify_offline() {
    let store = import_with_real_verifier(MemoryStore::new());
    let archive = export_zip(&store).unwrap();
    assert_eq!(archive, export_zip(&store).unwrap(), "deterministic");
    let m = manifest(&archive);
    assert_eq!(m["formatVersion"], 2);
    let dir = TempDir::new("offline");
    unzip(&archive, &dir);
    let docs = documents_from_dir(dir.join("documents")).unwrap();
    assert!(docs.len() >= 6, "{docs:?}");

    // Offline: bundled contexts + the archive's documents, nothing else.
    let loader = Layered {
        first: StaticLoader::with_bundled_contexts(),
        then: documents_loader(dir.join("documents")).unwrap(),
    };
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let offline = openbadges_proof::verify::Verifier::new(&loader).with_clock(&clock);
    let nothing = StaticLoader::with_bundled_contexts();
    let bare = openbadges_proof::verify::Verifier::new(&nothing).with_clock(&clock);
    let badges = m["badges"].as_array().unwrap();
    assert_eq!(badges.len(), 2);
    for b in badges {
        let path = b["files"]["baked"]["path"].as_str().unwrap();
        assert!(path.contains("/baked."), "{path}");
        let bytes = std::fs::read(dir.join(path)).unwrap();
        let r = offline.verify_bytes(path, &bytes);
        assert_eq!(r.status(), Status::Valid, "{path}: {}", r.to_json_line());
        // Without the documents, it cannot be checked offline.
        assert_eq!(
            bare.verify_bytes(path, &bytes).status(),
            Status::Indeterminate
        );
        // The hosted badge is baked with the assertion as served, not the URL.
        if b["inputKind"] == "url" {
            let payload = openbadges_bake::extract(&bytes).unwrap().payload;
            assert_eq!(
                payload.trim().as_bytes(),
                String::from_utf8(fixture("ob2/served/hosted/valid.json"))
                    .unwrap()
                    .trim()
                    .as_bytes()
            );
            // Into the badge class's image (a PNG), fetched at import.
            assert!(path.ends_with(".png"));
        }
    }

    // Re-import into a fresh backpack (the issuer's site answers: what the badge shows is
    // loaded again, never taken from the archive): the documents come back, the archive is the
    // same.
    let mut fresh = backpack(MemoryStore::new(), FixedVerifier(Status::Valid))
        .with_fetcher(LoaderFetcher(served_loader()));
    let r = fresh
        .import(&archive, openbadges_backpack::Source::file("a.zip"))
        .unwrap();
    assert_eq!(r.counts(), (2, 0, 0), "{r:?}");
    for id in store.badge_ids().unwrap() {
        assert_eq!(
            store.badge_documents(&id).unwrap(),
            fresh.store().badge_documents(&id).unwrap()
        );
    }
    // Every file but the manifest (which records this backpack's own verification report) and
    // the page showing it is the same.
    let files = |zip_bytes: &[u8]| {
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
        let mut out = Vec::new();
        for i in 0..z.len() {
            let mut e = z.by_index(i).unwrap();
            let name = e.name().to_owned();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            if name != "manifest.json" && name != "index.html" {
                out.push((name, bytes));
            }
        }
        out
    };
    let again = export_zip(fresh.store()).unwrap();
    assert!(
        files(&again) == files(&archive),
        "same files after the round trip"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn documents_from_dir_checks_every_file() {
    let store = import_with_real_verifier(MemoryStore::new());
    let archive = export_zip(&store).unwrap();
    let dir = TempDir::new("check");
    unzip(&archive, &dir);
    let docs = dir.join("documents");
    let index: Value =
        serde_json::from_slice(&std::fs::read(docs.join("index.json")).unwrap()).unwrap();
    let first = index["documents"][0]["file"].as_str().unwrap().to_owned();
    // A changed file.
    let keep = std::fs::read(docs.join(&first)).unwrap();
    std::fs::write(docs.join(&first), b"changed").unwrap();
    let err = documents_from_dir(&docs).unwrap_err();
    assert!(err.to_string().contains("SHA-256"), "{err}");
    std::fs::write(docs.join(&first), keep).unwrap();
    assert!(documents_from_dir(&docs).is_ok());
    // A path instead of a content address.
    let mut evil = index.clone();
    evil["documents"][0]["file"] = Value::String("../../etc/passwd".into());
    std::fs::write(docs.join("index.json"), evil.to_string()).unwrap();
    let err = documents_from_dir(&docs).unwrap_err();
    assert!(err.to_string().contains("content address"), "{err}");
    // A bundled context is never taken from an archive.
    let mut ctx = index.clone();
    ctx["documents"][0]["url"] = Value::String("https://w3id.org/openbadges/v2".into());
    std::fs::write(docs.join("index.json"), ctx.to_string()).unwrap();
    let got = documents_from_dir(&docs).unwrap();
    assert!(got.iter().all(|d| !d.url.contains("w3id.org")));
    // Not an index at all; no index.
    std::fs::write(docs.join("index.json"), b"[]").unwrap();
    assert!(documents_from_dir(&docs).is_err());
    std::fs::remove_file(docs.join("index.json")).unwrap();
    assert!(documents_from_dir(&docs).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A verifier test double that says valid and "fetched" one document per badge.
struct Keeping;

impl Verifier for Keeping {
    fn verify(&self, r: &VerifyRequest<'_>) -> VerificationOutcome {
        FixedVerifier(Status::Valid).verify(r)
    }

    fn verify_keeping(&self, r: &VerifyRequest<'_>) -> (VerificationOutcome, Vec<Document>) {
        let doc = Document {
            url: "https://example.org/shared-key".into(),
            final_url: "https://example.org/shared-key".into(),
            content_type: Some("application/json".into()),
            body: std::sync::Arc::from(&b"{\"key\": 1}"[..]),
            max_age: None,
        };
        (self.verify(r), vec![doc])
    }
}

#[test]
fn a_schema_1_database_migrates_and_keeps_its_badges() {
    let dir = TempDir::new("migrate");
    let path = dir.join("backpack.sqlite");
    {
        let mut bp = backpack(SqliteStore::open(&path).unwrap(), Keeping);
        let r = bp
            .import(
                &fixture("ob2/served/signed/valid.jws"),
                file("signed/valid.jws"),
            )
            .unwrap();
        assert_eq!(r.result(), ImportResult::Imported);
    }
    // Make it a schema-1 file, as an earlier build wrote it.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE oauth_grants; DROP TABLE badge_documents; DROP TABLE documents; \
         UPDATE schema_version SET version = 1;",
    )
    .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        openbadges_backpack::store::SCHEMA_VERSION
    );
    // Migration 3 too: the OAuth 2.0 grants table is there again.
    store
        .grant_put(&openbadges_backpack::store::GrantRow {
            kind: "client".into(),
            key: "k".into(),
            family: None,
            value: "{}".into(),
            expires_at: None,
        })
        .unwrap();
    let ids = store.badge_ids().unwrap();
    assert_eq!(ids.len(), 1);
    assert!(store.badge_documents(&ids[0]).unwrap().is_empty());
    assert!(store.integrity_check().unwrap().is_empty());
    // New imports keep documents again.
    let mut bp = backpack(store, Keeping);
    bp.import(
        &fixture("ob2/served/hosted/valid.json"),
        file("hosted/valid.json"),
    )
    .unwrap();
    let ids = bp.store().badge_ids().unwrap();
    let kept: usize = ids
        .iter()
        .map(|id| bp.store().badge_documents(id).unwrap().len())
        .sum();
    assert_eq!(kept, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A format-1 archive (no baked images for unbaked badges, no `documents/`) still imports.
#[test]
fn a_format_1_archive_still_imports() {
    let mut bp = backpack(MemoryStore::new(), Keeping);
    for f in [
        "ob2/served/signed/valid.jws",
        "ob2/baked/hosted-valid-json.png",
    ] {
        let r = bp.import(&fixture(f), file(f)).unwrap();
        assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    }
    let v2 = export_zip(bp.store()).unwrap();
    // Rewrite it as format 1 wrote it.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(v2.as_slice())).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = e.name().to_owned();
        if name.contains("/baked.") || name.starts_with("documents/") {
            continue;
        }
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        if name == "manifest.json" {
            let mut m: Value = serde_json::from_slice(&bytes).unwrap();
            m["formatVersion"] = 1.into();
            for b in m["badges"].as_array_mut().unwrap() {
                let o = b.as_object_mut().unwrap();
                o.remove("documents");
                o["files"].as_object_mut().unwrap().remove("baked");
            }
            bytes = serde_json::to_vec_pretty(&m).unwrap();
        }
        w.start_file(name, opts).unwrap();
        w.write_all(&bytes).unwrap();
    }
    let v1 = w.finish().unwrap().into_inner();
    let mut fresh = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = fresh
        .import(&v1, openbadges_backpack::Source::file("v1.zip"))
        .unwrap();
    assert_eq!(r.counts(), (2, 0, 0), "{r:?}");
    for (a, b) in bp
        .store()
        .badges()
        .unwrap()
        .iter()
        .zip(fresh.store().badges().unwrap())
    {
        assert_eq!(a.original, b.original);
    }
    // A format it does not know is refused.
    let mut m = manifest(&v2);
    m["formatVersion"] = 3.into();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(v2.as_slice())).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let name = e.name().to_owned();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        if name == "manifest.json" {
            bytes = serde_json::to_vec(&m).unwrap();
        }
        w.start_file(name, opts).unwrap();
        w.write_all(&bytes).unwrap();
    }
    let v3 = w.finish().unwrap().into_inner();
    let r = fresh
        .import(&v3, openbadges_backpack::Source::file("v3.zip"))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Failed, "{r:?}");
}

/// A verifier test double that says valid and "fetched" a document named after the credential.
struct ByName;

impl Verifier for ByName {
    fn verify(&self, r: &VerifyRequest<'_>) -> VerificationOutcome {
        FixedVerifier(Status::Valid).verify(r)
    }

    fn verify_keeping(&self, r: &VerifyRequest<'_>) -> (VerificationOutcome, Vec<Document>) {
        let name = r.document["name"].as_str().unwrap_or("none");
        let url = format!("https://example.org/doc-{name}");
        let doc = Document {
            url: url.clone(),
            final_url: url,
            content_type: None,
            body: std::sync::Arc::from(name.as_bytes()),
            max_age: None,
        };
        (self.verify(r), vec![doc])
    }
}

fn credential(valid_from: &str, name: &str) -> Vec<u8> {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:1f0e2d3c-4b5a-4697-8877-665544332211",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "E"},
        "validFrom": valid_from,
        "name": name,
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "type": ["AchievementSubject"],
            "achievement": {"id": "https://example.edu/a/1", "type": ["Achievement"],
                "name": name, "description": "d", "criteria": {"narrative": "n"}}}
    })
    .to_string()
    .into_bytes()
}

fn supersede_in<S: Store>(store: S) {
    let mut bp = backpack(store, ByName);
    let r = bp
        .import(&credential("2020-01-01T00:00:00Z", "Old"), file("old.json"))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Imported);
    let id = r.items[0].id.clone().unwrap();
    let urls = |store: &S| -> Vec<String> {
        store
            .badge_documents(&id)
            .unwrap()
            .into_iter()
            .map(|d| d.url)
            .collect()
    };
    assert_eq!(urls(bp.store()), ["https://example.org/doc-Old"]);
    let r = bp
        .import(&credential("2021-01-01T00:00:00Z", "New"), file("new.json"))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    assert_eq!(r.items[0].id.as_ref(), Some(&id));
    assert_eq!(urls(bp.store()), ["https://example.org/doc-New"]);
    // A duplicate changes nothing.
    let r = bp
        .import(
            &credential("2021-01-01T00:00:00Z", "New"),
            file("again.json"),
        )
        .unwrap();
    assert_eq!(r.result(), ImportResult::Duplicate);
    assert_eq!(urls(bp.store()), ["https://example.org/doc-New"]);
}

#[test]
fn a_superseding_reissue_replaces_the_kept_documents_in_both_stores() {
    supersede_in(MemoryStore::new());
    let dir = TempDir::new("supersede");
    let sql = SqliteStore::open(dir.join("b.sqlite")).unwrap();
    supersede_in(sql);
    assert!(
        SqliteStore::open(dir.join("b.sqlite"))
            .unwrap()
            .integrity_check()
            .unwrap()
            .is_empty()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A badge that arrived when it could not be checked (offline) does not shadow the genuine
/// badge: a copy that later verifies replaces it; a copy that cannot be checked either is a
/// duplicate; a badge held verified is never replaced by another copy.
#[test]
fn a_verified_copy_replaces_a_copy_held_unchecked() {
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let genuine = fixture("ob2/served/hosted/valid.json");
    let mut doc: Value = serde_json::from_slice(&genuine).unwrap();
    doc["evidence"] = Value::String("https://forger.example/evidence".into());
    let forged = serde_json::to_vec(&doc).unwrap();

    // Offline: the forged copy cannot be checked, so it is held as indeterminate.
    let offline = StaticLoader::with_bundled_contexts();
    let mut bp = backpack(
        MemoryStore::new(),
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&offline).with_clock(&clock)),
    );
    let r = bp.import(&forged, file("forged.json")).unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    let id = r.items[0].id.clone().unwrap();
    assert_eq!(r.items[0].verification, Some(Status::Indeterminate));
    // Still offline: the genuine copy cannot be checked either, so the held one stays.
    let r = bp.import(&genuine, file("genuine.json")).unwrap();
    assert_eq!(r.result(), ImportResult::Duplicate, "{r:?}");
    assert_eq!(bp.store().badge(&id).unwrap().unwrap().original, forged);
    let store = bp.into_store();

    // Online: the genuine copy verifies and takes the forged one's place.
    let served = served_loader();
    let mut bp = backpack(
        store,
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&served).with_clock(&clock)),
    );
    let r = bp.import(&genuine, file("genuine.json")).unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    assert_eq!(r.items[0].id.as_ref(), Some(&id));
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .is_some_and(|n| n.contains("held unchecked")),
        "{r:?}"
    );
    let held = bp.store().badge(&id).unwrap().unwrap();
    assert_eq!(held.original, genuine);
    assert_eq!(held.verification.status, Status::Valid);
    // Held verified now: another copy never replaces it (a hosted assertion is verified as
    // served, so the edited copy is only another pointer to the same badge).
    let r = bp.import(&forged, file("forged-again.json")).unwrap();
    assert_eq!(r.result(), ImportResult::Duplicate, "{r:?}");
    assert_eq!(bp.store().badge(&id).unwrap().unwrap().original, genuine);
}

/// `recheck`: a badge held unchecked (imported offline) verifies once its documents are
/// reachable, and keeps them; a badge revoked since import is found out; its state is not
/// changed.
#[test]
fn recheck_updates_a_held_badge_from_its_original() {
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let genuine = fixture("ob2/served/hosted/valid.json");
    let offline = StaticLoader::with_bundled_contexts();
    let mut bp = backpack(
        MemoryStore::new(),
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&offline).with_clock(&clock)),
    );
    let r = bp.import(&genuine, file("valid.json")).unwrap();
    let id = r.items[0].id.clone().unwrap();
    assert_eq!(r.items[0].verification, Some(Status::Indeterminate));
    // Still offline: still unchecked, and said why.
    let c = bp.recheck(&id).unwrap();
    assert_eq!(
        (c.before, c.after),
        (Status::Indeterminate, Status::Indeterminate)
    );
    assert!(c.reason.is_some());
    let store = bp.into_store();

    // Online: valid, and what it loaded is kept.
    let cache = std::sync::Arc::new(CachingLoader::new(served_loader()));
    let recording = RecordingLoader::new(std::sync::Arc::clone(&cache));
    let mut bp = backpack(
        store,
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&recording).with_clock(&clock))
            .keeping(recording.recording()),
    );
    let c = bp.recheck(&id).unwrap();
    assert_eq!(c.after, Status::Valid, "{c:?}");
    assert_eq!(c.reason, None);
    let held = bp.store().badge(&id).unwrap().unwrap();
    assert_eq!(held.verification.status, Status::Valid);
    let kept: Vec<String> = bp
        .store()
        .badge_documents(&id)
        .unwrap()
        .into_iter()
        .map(|d| d.url)
        .collect();
    assert!(
        kept.iter().any(|u| u.ends_with("hosted/valid.json")),
        "{kept:?}"
    );
    let store = bp.into_store();

    // Revoked since: the hosted assertion is gone (410).
    let mut gone = served_loader();
    gone.insert_gone(&format!("{BASE}hosted/valid.json"));
    let mut bp = backpack(
        store,
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&gone).with_clock(&clock)),
    );
    let c = bp.recheck(&id).unwrap();
    assert_eq!((c.before, c.after), (Status::Valid, Status::Invalid));
    assert!(
        c.reason.as_deref().is_some_and(|r| r.contains("REVOKED")),
        "{c:?}"
    );
    let held = bp.store().badge(&id).unwrap().unwrap();
    assert_eq!(held.state, openbadges_backpack::BadgeState::Accepted);
    assert_eq!(held.verification.status, Status::Invalid);
    // An unknown badge.
    let unknown = BadgeId::parse(&format!("b{}", "0".repeat(32))).unwrap();
    assert!(matches!(bp.recheck(&unknown), Err(Error::NotFound { .. })));
}

/// `recheck` verifies the stored original as it is, with no decoding of its own: a baked
/// image that carries only the hosted assertion's URL (which cannot be decoded without
/// fetching) is rechecked like a signed badge.
#[test]
fn recheck_covers_a_baked_url_and_a_signed_badge() {
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let cache = std::sync::Arc::new(CachingLoader::new(served_loader()));
    let mut bp = backpack(
        MemoryStore::new(),
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&*cache).with_clock(&clock)),
    )
    .with_fetcher(LoaderFetcher(std::sync::Arc::clone(&cache)));
    let mut ids = Vec::new();
    for f in [
        "ob2/baked/hosted-valid-url.png",
        "ob2/served/signed/valid.jws",
    ] {
        let r = bp.import(&fixture(f), file(f)).unwrap();
        assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
        ids.push(r.items[0].id.clone().unwrap());
    }
    let kinds: Vec<_> = ids
        .iter()
        .map(|id| bp.store().badge(id).unwrap().unwrap().input_kind)
        .collect();
    assert_eq!(
        kinds,
        [
            openbadges_backpack::InputKind::Png,
            openbadges_backpack::InputKind::Jws
        ]
    );
    for id in &ids {
        let c = bp.recheck(id).unwrap();
        assert_eq!((c.before, c.after), (Status::Valid, Status::Valid), "{c:?}");
    }
}

/// Imports a batch with the real verifier on `threads` threads: every signed and hosted
/// fixture, valid or not, some twice (a duplicate in the batch), plus a file that is no badge;
/// then the batch's archive re-imported from a file into a second backpack. Returns what each
/// import reported and what each store holds (records and kept documents). With `copies` > 1
/// the inputs come that many times over (more than one of `import_all`'s pipelined chunks of
/// 64 badges, with copies of badges pending from an earlier chunk).
fn batch_with_threads(threads: usize, copies: usize) -> (Vec<String>, Vec<String>) {
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let cache = std::sync::Arc::new(CachingLoader::new(served_loader()));
    let recording = RecordingLoader::new(std::sync::Arc::clone(&cache));
    let verifier =
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&recording).with_clock(&clock))
            .keeping(recording.recording())
            .with_threads(threads);
    let mut bp = backpack(MemoryStore::new(), &verifier).with_fetcher(LoaderFetcher(cache.clone()));
    let mut inputs: Vec<(Vec<u8>, String)> = fixture_files(&["ob2/served/signed"])
        .into_iter()
        .chain(fixture_files(&["ob2/served/hosted"]))
        .map(|f| (fixture(&f), f))
        .collect();
    inputs.sort();
    let again = inputs[..3].to_vec();
    inputs.extend(again);
    inputs.push((b"not a badge".to_vec(), "junk.txt".to_owned()));
    let once = inputs.clone();
    for _ in 1..copies {
        inputs.extend(once.iter().cloned());
    }
    if copies > 1 {
        assert!(inputs.len() > 2 * 64, "{}", inputs.len());
    }
    let reports = bp
        .import_all(inputs.iter().map(|(b, n)| (b.as_slice(), file(n))))
        .unwrap();
    let held = |store: &MemoryStore| -> Vec<String> {
        store
            .badge_ids()
            .unwrap()
            .iter()
            .map(|id| {
                let b = store.badge(id).unwrap().unwrap();
                let docs = store.badge_documents(id).unwrap();
                format!("{b:?} {docs:?}")
            })
            .collect()
    };
    let mut seen: Vec<String> = reports.iter().map(|r| format!("{r:?}")).collect();
    let mut stored = held(bp.store());
    assert!(stored.len() >= 3, "{seen:?}");

    let dir = TempDir::new("threads");
    let path = dir.join("backpack.zip");
    std::fs::write(&path, export_zip(bp.store()).unwrap()).unwrap();
    let mut again = backpack(MemoryStore::new(), &verifier).with_fetcher(LoaderFetcher(cache));
    let from_file = again
        .import_archive(std::fs::File::open(&path).unwrap(), file("backpack.zip"))
        .unwrap();
    seen.push(format!("{from_file:?}"));
    stored.extend(held(again.store()));
    (seen, stored)
}

#[test]
fn verifying_a_batch_on_two_threads_imports_exactly_what_one_thread_does() {
    let (one_reports, one_held) = batch_with_threads(1, 1);
    let (two_reports, two_held) = batch_with_threads(2, 1);
    assert_eq!(one_reports, two_reports);
    assert_eq!(one_held, two_held);
    // Some invalid, some valid, some duplicates: the batch exercised each way.
    let all = one_reports.join("\n");
    for want in ["Imported", "Duplicate", "Failed"] {
        assert!(all.contains(want), "{want}: {all}");
    }
}

#[test]
fn a_batch_of_several_pipelined_chunks_imports_the_same_on_one_and_two_threads() {
    let (one_reports, one_held) = batch_with_threads(1, 6);
    let (two_reports, two_held) = batch_with_threads(2, 6);
    assert_eq!(one_reports, two_reports);
    assert_eq!(one_held, two_held);
    // The copies change nothing held: the same records and documents as the batch once.
    assert_eq!(one_held, batch_with_threads(2, 1).1);
    // The copies after the first settle as duplicates of what the first chunk admitted.
    let all = one_reports.join("\n");
    for want in ["Imported", "Duplicate", "Failed"] {
        assert!(all.contains(want), "{want}: {all}");
    }
}

#[test]
fn an_archive_imports_from_a_file_as_from_its_bytes() {
    let store = import_with_real_verifier(MemoryStore::new());
    let archive = export_zip(&store).unwrap();
    let dir = TempDir::new("archive-file");
    let path = dir.join("backpack.zip");
    std::fs::write(&path, &archive).unwrap();
    // The real verifier and fetcher over the served fixtures (leaked: they live for the test).
    let fresh = |limits: openbadges_backpack::ImportLimits| {
        let clock: &'static FixedClock =
            Box::leak(Box::new(FixedClock::parse("2025-06-01T00:00:00Z").unwrap()));
        let cache = std::sync::Arc::new(CachingLoader::new(served_loader()));
        let loader: &'static CachingLoader<StaticLoader> =
            Box::leak(Box::new(CachingLoader::new(served_loader())));
        let verifier =
            ProofVerifier::new(openbadges_proof::verify::Verifier::new(loader).with_clock(clock));
        backpack(MemoryStore::new(), verifier)
            .with_limits(limits)
            .with_fetcher(LoaderFetcher(cache))
    };
    let mut a = fresh(Default::default());
    let from_bytes = a.import(&archive, file("backpack.zip")).unwrap();
    let mut b = fresh(Default::default());
    let from_file = b
        .import_archive(std::fs::File::open(&path).unwrap(), file("backpack.zip"))
        .unwrap();
    assert_eq!(from_bytes, from_file);
    assert_eq!(from_bytes.counts().0, 2, "{from_bytes:?}");
    // And through `import_each`, as the CLI imports a file.
    let mut c = fresh(Default::default());
    let mut each = Vec::new();
    c.import_each([openbadges_backpack::Input::File(path.clone())], |o| {
        each.push(format!("{o:?}"))
    })
    .unwrap();
    assert_eq!(
        c.store().badge_ids().unwrap(),
        a.store().badge_ids().unwrap()
    );
    assert_eq!(each.len(), 1);
    // An archive over the size limit is refused by its length, unread.
    let mut small = fresh(openbadges_backpack::ImportLimits {
        max_archive_bytes: 100,
        ..Default::default()
    });
    let r = small
        .import_archive(std::fs::File::open(&path).unwrap(), file("backpack.zip"))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(small.store().badge_ids().unwrap().is_empty());
}
