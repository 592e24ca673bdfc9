//! The documents the checks write: tampered copies of credentials (JSON and compact JWT), the
//! `--documents` folders our verifier reads offline, and an `https` issuer's controller
//! document.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::harness::write_json;

/// Reads a JSON file.
pub(crate) fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `name` with " (tampered)" appended: the proof no longer matches.
pub(crate) fn tamper_name(doc: &mut Value) {
    let name = doc["name"].as_str().unwrap_or("").to_owned();
    doc["name"] = Value::String(format!("{name} (tampered)"));
}

/// A copy of the JSON credential at `from`, its name tampered, written to `to`.
pub(crate) fn tamper_json_file(from: &Path, to: &Path) -> PathBuf {
    let mut doc = read_json(from);
    tamper_name(&mut doc);
    write_json(to, &doc)
}

/// A copy of the compact JWT at `from` whose payload's credential name is tampered (header
/// and signature kept), written to `to`.
pub(crate) fn tamper_jwt_file(from: &Path, to: &Path) -> PathBuf {
    let jwt = std::fs::read_to_string(from).unwrap();
    let parts: Vec<&str> = jwt.trim().split('.').collect();
    assert_eq!(parts.len(), 3, "not a compact JWT: {}", from.display());
    let mut payload: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap())
        .expect("JWT payload is JSON");
    if payload.get("vc").is_some() {
        tamper_name(&mut payload["vc"]);
    } else {
        tamper_name(&mut payload);
    }
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap());
    std::fs::write(to, format!("{}.{body}.{}", parts[0], parts[2])).unwrap();
    to.to_path_buf()
}

/// A folder `openbadges verify --documents DIR` reads (`index.json` and content-addressed
/// files) holding each `(url, document)` of `docs`, created at `dir`.
pub(crate) fn documents_dir(dir: &Path, docs: &[(&str, &Value)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut entries = Vec::new();
    for (url, doc) in docs {
        let body = serde_json::to_vec(doc).unwrap();
        let tag = openbadges::quiz::record::sha256_tag(&body);
        let sha = tag.trim_start_matches("sha256:").to_owned();
        std::fs::write(dir.join(&sha), &body).unwrap();
        entries.push(json!({"url": url, "sha256": sha, "file": sha,
                            "mediaType": "application/json",
                            "fetchedAt": "2025-01-01T00:00:00Z"}));
    }
    let index = json!({"format": openbadges::backpack::export::zip::DOCUMENTS_FORMAT,
                       "documents": entries});
    write_json(&dir.join("index.json"), &index);
    dir.to_path_buf()
}

/// The controller document an `https` issuer publishes for its key `ISSUER#z6Mk…` (`vm`): the
/// key as a Multikey under `assertionMethod`.
pub(crate) fn issuer_document(vm: &str) -> (String, Value) {
    let (issuer, key) = vm
        .split_once('#')
        .expect("a verification method with a fragment");
    let doc = json!({"@context": ["https://www.w3.org/ns/cid/v1"], "id": issuer,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer,
                                "publicKeyMultibase": key}],
        "assertionMethod": [vm]});
    (issuer.to_owned(), doc)
}
