//! Limits that hold: an input is read no further than its cap (a file's length is checked
//! before reading), and a crafted archive cannot make an import decompress, hash or copy more
//! than its budget by pointing many manifest entries at one large entry.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{Read, Write as _};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::*;
use openbadges_backpack::{Error, ImportLimits, ImportResult, MemoryStore, Store};
use openbadges_proof::report::Status;
use serde_json::json;

/// A reader that counts what was taken from it.
struct Counting<R> {
    inner: R,
    taken: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

fn small() -> ImportLimits {
    ImportLimits {
        max_input_bytes: 1000,
        max_archive_bytes: 5000,
        ..ImportLimits::default()
    }
}

#[test]
fn an_endless_input_is_read_no_further_than_its_cap() {
    // A badge-sized input: the per-input cap.
    let taken = Arc::new(AtomicU64::new(0));
    let endless = Counting {
        inner: std::io::repeat(b' '),
        taken: Arc::clone(&taken),
    };
    let err = small().read_input(endless, None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                what: "input",
                limit: 1000,
                ..
            }
        ),
        "{err}"
    );
    assert!(taken.load(Ordering::SeqCst) <= 1001, "{taken:?}");
    // An archive: the archive cap.
    let taken = Arc::new(AtomicU64::new(0));
    let endless = Counting {
        inner: b"PK\x03\x04".chain(std::io::repeat(0)),
        taken: Arc::clone(&taken),
    };
    let err = small().read_input(endless, None).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                what: "backpack archive",
                limit: 5000,
                ..
            }
        ),
        "{err}"
    );
    assert!(taken.load(Ordering::SeqCst) <= 5001, "{taken:?}");
    // At the cap exactly: read whole.
    let exact = vec![b' '; 1000];
    assert_eq!(small().read_input(exact.as_slice(), None).unwrap(), exact);
}

#[test]
fn an_oversized_file_is_refused_from_its_length_before_it_is_read() {
    let path = std::env::temp_dir().join(format!("ob-backpack-3g-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(b"{\"a\": 1}").unwrap();
        // Sparse: 3 GB long, nothing written.
        f.set_len(3_000_000_000).unwrap();
    }
    let err = ImportLimits::default().read_file(&path).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                what: "input",
                size: Some(3_000_000_000),
                limit: 16_777_216
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("16777216"), "{err}");
    let _ = std::fs::remove_file(&path);
}

fn stored(w: &mut zip::ZipWriter<std::io::Cursor<Vec<u8>>>, name: &str, bytes: &[u8]) {
    w.start_file(
        name,
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )
    .unwrap();
    w.write_all(bytes).unwrap();
}

fn sha(b: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
}

/// An archive of `badges` badges (each its own copy of one genuine badge, under its own path)
/// whose manifest entries all list the same large kept document.
fn archive_sharing_one_large_document(badges: usize, doc_bytes: usize) -> Vec<u8> {
    archive_with(badges, doc_bytes, 1)
}

/// As [`archive_sharing_one_large_document`], each badge listing the document `refs` times.
fn archive_with(badges: usize, doc_bytes: usize, refs: usize) -> Vec<u8> {
    let original = fixture("ob3/examples/basicOpenBadgeCredential.json");
    let big = vec![b'x'; doc_bytes];
    let big_sha = sha(&big);
    let url = "https://issuer.example/huge";
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut entries = Vec::new();
    for n in 0..badges {
        let path = format!("badges/b{n:032x}/original.json");
        stored(&mut w, &path, &original);
        entries.push(json!({
            "id": format!("b{n:032x}"),
            "files": {"original": {"path": path, "sha256": sha(&original), "size": original.len()}},
            "documents": vec![json!({"url": url, "sha256": big_sha}); refs],
        }));
    }
    stored(&mut w, &format!("documents/{big_sha}"), &big);
    let index = json!({"format": "openbadges-rs-documents", "formatVersion": 1, "documents": [
        {"url": url, "mediaType": "application/json", "sha256": big_sha, "file": big_sha,
         "size": big.len(), "fetchedAt": "2026-01-01T00:00:00Z"}]});
    stored(&mut w, "documents/index.json", index.to_string().as_bytes());
    let manifest = json!({"format": "openbadges-rs-backpack", "formatVersion": 2,
        "badges": entries, "collections": []});
    stored(&mut w, "manifest.json", manifest.to_string().as_bytes());
    w.finish().unwrap().into_inner()
}

#[test]
fn many_manifest_entries_pointing_at_one_large_entry_exhaust_the_budget() {
    // 200 badges × one 1 MiB document: 200 MiB of reads from a 1 MiB archive.
    let archive = archive_sharing_one_large_document(200, 1024 * 1024);
    let limits = ImportLimits {
        max_archive_expanded_bytes: 64 * 1024 * 1024,
        ..ImportLimits::default()
    };
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_limits(limits);
    let r = bp.import(&archive, file("bomb.zip")).unwrap();
    assert_eq!(r.result(), ImportResult::Failed, "{r:?}");
    assert_eq!(r.items.len(), 1, "{r:?}");
    let reason = r.items[0].reason.as_deref().unwrap();
    assert!(
        reason.contains("budget") && reason.contains(&(64 * 1024 * 1024).to_string()),
        "{reason}"
    );
    // Nothing of the refused archive is stored.
    assert!(bp.store().badges().unwrap().is_empty());

    // Within the budget, a document shared by a few badges imports (the badges are one badge:
    // the same credential, so one import and duplicates).
    let archive = archive_sharing_one_large_document(3, 1024);
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp.import(&archive, file("fine.zip")).unwrap();
    assert_eq!(r.counts(), (1, 2, 0), "{r:?}");
}

#[test]
fn many_references_to_one_small_document_exhaust_the_reference_budget() {
    // 3 badges listing one 10-byte document 200 times each: over 10 × 32 references.
    let archive = archive_with(3, 10, 200);
    let mut bp =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_limits(ImportLimits {
            max_items: 10,
            ..ImportLimits::default()
        });
    let r = bp.import(&archive, file("refs.zip")).unwrap();
    assert_eq!(r.result(), ImportResult::Failed, "{r:?}");
    let reason = r.items[0].reason.as_deref().unwrap();
    assert!(reason.contains("320 document references"), "{reason}");
    assert!(bp.store().badges().unwrap().is_empty());
}

#[test]
fn manifest_entries_sharing_one_original_are_refused_unread() {
    let original = fixture("ob3/examples/basicOpenBadgeCredential.json");
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    stored(&mut w, "badges/b0/original.json", &original);
    let entry = json!({"id": "b0", "files": {"original": {
        "path": "badges/b0/original.json", "sha256": sha(&original), "size": original.len()}}});
    let manifest = json!({"format": "openbadges-rs-backpack", "formatVersion": 2,
        "badges": vec![entry; 50], "collections": []});
    stored(&mut w, "manifest.json", manifest.to_string().as_bytes());
    let archive = w.finish().unwrap().into_inner();
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp.import(&archive, file("same.zip")).unwrap();
    assert_eq!(r.counts(), (1, 0, 49), "{r:?}");
    assert!(
        r.items[1]
            .reason
            .as_deref()
            .unwrap()
            .contains("already the original of another badge"),
        "{r:?}"
    );
}

#[test]
fn a_manifest_listing_more_badges_than_the_cap_is_refused() {
    let archive = archive_sharing_one_large_document(11, 10);
    let mut bp =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_limits(ImportLimits {
            max_items: 10,
            ..ImportLimits::default()
        });
    let r = bp.import(&archive, file("many.zip")).unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("lists 11 badges; the limit is 10"),
        "{r:?}"
    );
}
