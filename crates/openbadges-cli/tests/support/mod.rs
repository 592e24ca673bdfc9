//! Helpers shared by the CLI tests.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// Writes `docs` (URL, JSON body) as a documents folder `openbadges verify --documents DIR`
/// reads (`index.json` + content-addressed files), under `dir/documents`.
pub fn documents_dir(dir: &Path, docs: &[(&str, &Value)]) -> PathBuf {
    let out = dir.join("documents");
    std::fs::create_dir_all(&out).unwrap();
    let mut entries = Vec::new();
    for (url, doc) in docs {
        let body = serde_json::to_vec(doc).unwrap();
        let tag = openbadges::quiz::record::sha256_tag(&body);
        let sha = tag.trim_start_matches("sha256:").to_owned();
        std::fs::write(out.join(&sha), &body).unwrap();
        entries.push(json!({"url": url, "sha256": sha, "file": sha,
                            "mediaType": "application/json",
                            "fetchedAt": "2025-01-01T00:00:00Z"}));
    }
    std::fs::write(
        out.join("index.json"),
        serde_json::to_vec(
            &json!({"format": openbadges::backpack::export::zip::DOCUMENTS_FORMAT,
                                   "documents": entries}),
        )
        .unwrap(),
    )
    .unwrap();
    out
}

/// A controller document for the `https` issuer of verification methods `vms` (all
/// `ISSUER#z6Mk…` of one issuer) listing those keys under `assertionMethod`: what the issuer
/// publishes. The fixtures' example issuers (example.edu, example.com) serve none, so tests
/// preload it.
pub fn issuer_document_for(vms: &[&str]) -> (String, Value) {
    let issuer = vms[0].split_once('#').unwrap().0;
    let methods: Vec<Value> = vms
        .iter()
        .map(|vm| {
            let (i, key) = vm.split_once('#').unwrap();
            assert_eq!(i, issuer);
            json!({"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": key})
        })
        .collect();
    let doc = json!({"id": issuer, "verificationMethod": methods, "assertionMethod": vms});
    (issuer.to_owned(), doc)
}

/// The controller document the OB 3.0 spec vectors' issuer (`https://example.edu/issuers/565049`)
/// would publish: the vectors' key under `assertionMethod`.
pub fn spec_vector_issuer_document() -> (String, Value) {
    let keys: Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../fixtures/ob3/spec-vectors/obv3p0-keys-and-hashes.json"),
        )
        .unwrap(),
    )
    .unwrap();
    issuer_document_for(&[keys["verificationMethod"].as_str().unwrap()])
}
