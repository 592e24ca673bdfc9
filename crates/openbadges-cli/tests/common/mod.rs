//! Helpers shared by the CLI's tests: this crate's `openbadges` binary (through the workspace's
//! [`Cli`] runner), the JSON lines it prints, and the documents folders and issuer documents
//! `openbadges verify --documents` reads. Generic helpers (fixture paths, temporary folders, the
//! loopback server) come from `openbadges-test-support`.
#![allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use openbadges_test_support::cli::{Cli, code, describe, json_lines};
pub use openbadges_test_support::fixtures::{
    TempDir, fixture_bytes, fixture_json, fixtures_dir, ob3_credential,
};
use serde_json::{Value, json};

/// This crate's `openbadges` binary.
pub fn cli() -> Cli {
    Cli::at(env!("CARGO_BIN_EXE_openbadges"))
}

/// A command for the binary, to add arguments, environment and stdin to.
pub fn bin() -> Command {
    cli().command()
}

/// Runs the binary with `args` (stdin empty) and returns its output, whatever the exit code.
pub fn run(args: &[&str]) -> Output {
    cli().run(args)
}

/// Runs the binary with `args`, writing `stdin` to it.
pub fn run_stdin(args: &[&str], stdin: &[u8]) -> Output {
    cli().run_with_stdin(args, stdin)
}

/// A fresh temporary folder named after `label`, removed when the value is dropped.
pub fn tmp(label: &str) -> TempDir {
    TempDir::new(label)
}

/// `fixtures/<rel>` as a path string (a command-line argument).
pub fn fixture(rel: &str) -> String {
    fixtures_dir(rel).display().to_string()
}

/// A path as a command-line argument (test paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The first stdout line parsed as JSON (the first report of `--json` output).
pub fn line(o: &Output) -> Value {
    let out = String::from_utf8_lossy(&o.stdout);
    let first = out
        .lines()
        .next()
        .unwrap_or_else(|| panic!("no stdout line\n{}", describe(o)));
    serde_json::from_str(first).unwrap()
}

/// A new Ed25519 key `dir/NAME.pem` made by `keygen`, and the verification method
/// (`did:key:z6Mk…#z6Mk…`) `sign --format eddsa-rdfc-2022` names for it by default, learnt by
/// signing a probe credential once.
pub fn ed25519_key_and_method(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(format!("{name}.pem"));
    let o = run(&["keygen", "--alg", "ed25519", "-o", s(&key)]);
    assert!(o.status.success(), "{}", describe(&o));
    let probe = dir.join(format!("{name}-probe.json"));
    std::fs::write(&probe, ob3_credential("https://example.org/i").to_string()).unwrap();
    let o = sign_eddsa_rdfc_2022(&key, &probe);
    let signed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let vm = signed["proof"]["verificationMethod"].as_str().unwrap();
    (key, vm.to_owned())
}

/// `sign --key KEY --format eddsa-rdfc-2022 INPUT` (the key's did:key verification method).
pub fn sign_eddsa_rdfc_2022(key: &Path, input: &Path) -> Output {
    run(&[
        "sign",
        "--key",
        s(key),
        "--format",
        "eddsa-rdfc-2022",
        s(input),
    ])
}

/// `backpack list --json --store STORE` (exit 0): the badges held.
pub fn backpack_list(store: &Path) -> Vec<Value> {
    let o = bin()
        .args(["backpack", "list", "--json", "--store"])
        .arg(store)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    serde_json::from_slice::<Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Writes `v` as JSON to `dir/name` and returns the file's path.
pub fn write_json(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
    p
}

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
    let keys = fixture_json("ob3/spec-vectors/obv3p0-keys-and-hashes.json");
    issuer_document_for(&[keys["verificationMethod"].as_str().unwrap()])
}
