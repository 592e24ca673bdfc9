//! `openbadges verify` and key provenance: a credential signed in an `https` issuer's name with
//! a forger's key named in the verification method's `#z6Mk…` fragment is never valid — exit 2
//! offline (could not check), exit 1 with the issuer's genuine controller document
//! (`--documents`), exit 0 only with `--dangerous-trust-key-in-https-fragment`. The issuer's own
//! key, published in its document, verifies (exit 0).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{Value, json};

mod common;
use common::{
    documents_dir, ed25519_key_and_method, issuer_document_for, line, ob3_credential, run, s, tmp,
};

const ISSUER: &str = "https://issuer.example/profile.json";

fn codes(o: &Output) -> Vec<String> {
    line(o)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

/// A new Ed25519 key (`keygen`) and its Multikey, learnt by signing once with its did:key.
fn key(dir: &Path, name: &str) -> (PathBuf, String) {
    let (k, vm) = ed25519_key_and_method(dir, name);
    (k, vm.split('#').nth(1).unwrap().to_owned())
}

/// The shared sample credential, issued in `ISSUER`'s name.
fn credential() -> Value {
    let mut v = ob3_credential(ISSUER);
    v["id"] = json!("urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b99");
    v["issuer"]["name"] = json!("Issuer");
    v
}

/// `credential()` signed by `key` with verification method `ISSUER#multikey`.
fn signed_in_issuers_name(dir: &Path, key: &Path, multikey: &str, name: &str) -> PathBuf {
    let input = dir.join("unsigned.json");
    std::fs::write(&input, credential().to_string()).unwrap();
    let vm = format!("{ISSUER}#{multikey}");
    let o = run(&[
        "sign",
        "--key",
        s(key),
        "--format",
        "eddsa-rdfc-2022",
        "--verification-method",
        &vm,
        s(&input),
    ]);
    assert!(o.status.success(), "{o:?}");
    let out = dir.join(name);
    std::fs::write(&out, &o.stdout).unwrap();
    out
}

#[test]
fn forged_fragment_key_on_https_issuer_is_never_valid_from_the_cli() {
    let d = tmp("forged");
    let (genuine, genuine_mk) = key(&d, "genuine");
    let (attacker, attacker_mk) = key(&d, "attacker");
    let forged = signed_in_issuers_name(&d, &attacker, &attacker_mk, "forged.json");

    // Offline, without the issuer's document: could not check.
    let o = run(&["verify", "--offline", "--json", s(&forged)]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert_eq!(line(&o)["status"], "indeterminate");
    assert!(codes(&o).contains(&"FETCH_FAILED".to_owned()), "{o:?}");

    // With the issuer's genuine document: invalid, KEY_NOT_LISTED_BY_ISSUER.
    let (issuer, doc) = issuer_document_for(&[&format!("{ISSUER}#{genuine_mk}")]);
    let docs = documents_dir(&d, &[(&issuer, &doc)]);
    let o = run(&[
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--json",
        s(&forged),
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        codes(&o).contains(&"KEY_NOT_LISTED_BY_ISSUER".to_owned()),
        "{o:?}"
    );

    // The genuine key, published: valid.
    let ok = signed_in_issuers_name(&d, &genuine, &genuine_mk, "genuine.json");
    let o = run(&[
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--json",
        s(&ok),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    // …and, without its document, could not check.
    let o = run(&["verify", "--offline", "--json", s(&ok)]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
}

#[test]
fn method_listed_only_for_authentication_is_invalid_from_the_cli() {
    let d = tmp("authentication-only");
    let (attacker, attacker_mk) = key(&d, "attacker");
    let forged = signed_in_issuers_name(&d, &attacker, &attacker_mk, "forged.json");
    let vm = format!("{ISSUER}#{attacker_mk}");
    let doc = json!({"id": ISSUER,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": ISSUER,
                                "publicKeyMultibase": attacker_mk}],
        "authentication": [vm]});
    let docs = documents_dir(&d, &[(ISSUER, &doc)]);
    let o = run(&[
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--json",
        s(&forged),
    ]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(
        codes(&o).contains(&"KEY_NOT_LISTED_BY_ISSUER".to_owned()),
        "{o:?}"
    );
}

#[test]
fn dangerous_trust_key_in_https_fragment_flag_accepts_the_forgery_by_name_only() {
    let d = tmp("dangerous");
    let (attacker, attacker_mk) = key(&d, "attacker");
    let forged = signed_in_issuers_name(&d, &attacker, &attacker_mk, "forged.json");
    let o = run(&[
        "verify",
        "--offline",
        "--dangerous-trust-key-in-https-fragment",
        "--json",
        s(&forged),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
}
