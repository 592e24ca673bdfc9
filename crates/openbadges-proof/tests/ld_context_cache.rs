//! The processed-context cache (`jsonld::ContextCache`): owned by its user, bounded, and
//! never a cause of a different result, whatever documents shared it before.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use openbadges_proof::data_integrity::{self, VerifyOptions};
use openbadges_proof::jsonld::{ContextCache, JsonLdOptions, StaticContexts, to_rdf};
use openbadges_proof::rdfc::{CanonLimits, canonicalize};
use serde_json::Value;

const BASE: &str = "https://w3c.github.io/json-ld-api/tests/";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every JSON file under `dir`, with its path relative to `root`.
fn json_files(root: &Path, dir: &Path) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "jsonld" || x == "json") {
                if let Ok(v) = serde_json::from_slice(&std::fs::read(&p).unwrap()) {
                    let rel = p.strip_prefix(root).unwrap().to_string_lossy();
                    out.push((rel.replace('\\', "/"), v));
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The canonical N-Quads of `doc`, or the error's text.
fn outcome(doc: &Value, opts: &JsonLdOptions<'_>) -> Result<String, String> {
    let ds = to_rdf(doc, opts).map_err(|e| e.to_string())?;
    Ok(canonicalize(&ds, &CanonLimits::default())
        .map_err(|e| e.to_string())?
        .nquads)
}

/// Every W3C toRdf file (inputs and the contexts they load) expanded with one cache shared
/// by all of them, twice (cold, then warm), gives what it gives with no shared cache.
#[test]
fn a_shared_cache_never_changes_a_w3c_result() {
    let root = manifest_dir().join("tests/data/jsonld-api");
    let files = json_files(&root, &root.join("toRdf"));
    let mut loader = StaticContexts::new();
    for (rel, v) in &files {
        loader.insert(format!("{BASE}{rel}"), v.clone());
    }
    let cache = ContextCache::new();
    let mut differ = Vec::new();
    for round in ["cold", "warm"] {
        for (rel, doc) in &files {
            let base = format!("{BASE}{rel}");
            let alone = JsonLdOptions {
                loader: &loader,
                safe_mode: false,
                base: Some(&base),
                ..JsonLdOptions::default()
            };
            let shared = JsonLdOptions {
                cache: Some(&cache),
                ..alone
            };
            if outcome(doc, &alone) != outcome(doc, &shared) {
                differ.push(format!("{round} {rel}"));
            }
        }
    }
    assert!(!cache.is_empty());
    assert!(differ.is_empty(), "{differ:#?}");
}

/// Every OB 3.0 fixture, in safe mode with the bundled contexts, from several threads
/// sharing one cache: the same results as alone.
#[test]
fn a_cache_shared_by_threads_never_changes_an_ob3_result() {
    let root = manifest_dir().join("../../fixtures/ob3");
    let files = json_files(&root, &root);
    assert!(files.len() > 50, "{}", files.len());
    let expected: Vec<_> = files
        .iter()
        .map(|(_, d)| outcome(d, &JsonLdOptions::default()))
        .collect();
    assert!(expected.iter().filter(|r| r.is_ok()).count() > 20);
    let cache = ContextCache::new();
    let shared = JsonLdOptions {
        cache: Some(&cache),
        ..JsonLdOptions::default()
    };
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for ((rel, doc), want) in files.iter().zip(&expected) {
                    assert_eq!(&outcome(doc, &shared), want, "{rel}");
                }
            });
        }
    });
}

/// The same remote context under two documents with different base IRIs: each document's
/// relative `@id` resolves against its own base (the base is part of a context's identity).
#[test]
fn the_document_base_is_part_of_the_cache_key() {
    let mut loader = StaticContexts::new();
    loader.insert(
        "https://example.org/ctx.jsonld",
        serde_json::json!({"@context": {"name": "http://schema.org/name"}}),
    );
    let cache = ContextCache::new();
    let doc = serde_json::json!({
        "@context": "https://example.org/ctx.jsonld", "@id": "rel", "name": "x"
    });
    for base in ["https://a.example/", "https://b.example/"] {
        let opts = JsonLdOptions {
            loader: &loader,
            cache: Some(&cache),
            base: Some(base),
            ..JsonLdOptions::default()
        };
        let nq = outcome(&doc, &opts).unwrap();
        assert_eq!(
            nq,
            format!("<{base}rel> <http://schema.org/name> \"x\" .\n"),
            "{base}"
        );
    }
}

fn credential(name: &str) -> Value {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.org/issuer", "type": ["Profile"], "name": "Example"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": name,
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
            "id": "urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e77", "type": ["Achievement"],
            "name": "A", "description": "B", "criteria": {"narrative": "C"}}}
    })
}

/// A second document with the same contexts reuses every processed context; another cache
/// is untouched (no state shared behind the caller's back).
#[test]
fn the_cache_is_reused_and_belongs_to_its_owner() {
    let cache = ContextCache::new();
    let other = ContextCache::new();
    let opts = JsonLdOptions {
        cache: Some(&cache),
        ..JsonLdOptions::default()
    };
    let first = outcome(&credential("A"), &opts).unwrap();
    let filled = cache.len();
    assert!(filled >= 2, "{filled}");
    let second = outcome(&credential("B"), &opts).unwrap();
    assert_eq!(
        cache.len(),
        filled,
        "the second document processed no new context"
    );
    assert_ne!(first, second);
    assert!(other.is_empty());
    cache.clear();
    assert!(cache.is_empty());
}

/// A cache never holds more than its bound.
#[test]
fn the_cache_is_bounded() {
    let cache = ContextCache::with_max_entries(16);
    let root = manifest_dir().join("../../fixtures/ob3");
    for (rel, doc) in json_files(&root, &root) {
        let base = format!("https://example.org/{rel}");
        let opts = JsonLdOptions {
            cache: Some(&cache),
            base: Some(&base),
            ..JsonLdOptions::default()
        };
        let _ = to_rdf(&doc, &opts);
        assert!(cache.len() <= 16, "{}", cache.len());
    }
}

/// Data Integrity verification with a cache shared by a batch gives the verdicts it gives
/// without one.
#[test]
fn data_integrity_verdicts_are_the_same_with_a_shared_cache() {
    let root = manifest_dir().join("../../fixtures/ob3");
    let cache = ContextCache::new();
    let mut checked = 0;
    for (rel, doc) in json_files(&root, &root) {
        if doc.get("proof").is_none() {
            continue;
        }
        let alone = data_integrity::verify(&doc, &VerifyOptions::default());
        let shared = VerifyOptions {
            context_cache: Some(&cache),
            ..VerifyOptions::default()
        };
        assert_eq!(data_integrity::verify(&doc, &shared), alone, "{rel}");
        checked += 1;
    }
    assert!(checked > 30, "{checked}");
    assert!(!cache.is_empty());
}
