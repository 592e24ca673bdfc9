//! Every key in the repository's fixtures parses to the same key, and every key text the crate
//! writes from a fixed key (PKCS#8 / SPKI PEM, JWK, Multikey) stays byte-identical.
//!
//! The expected outcomes are in `tests/golden/key-fixtures.tsv`; `OB_UPDATE_GOLDEN=1` rewrites it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::key::{PublicKey, SecretKey};
use openbadges_proof::multibase::Multikey;
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sha(text: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    d.as_ref()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn public_outcome(r: Result<PublicKey, openbadges_proof::Error>) -> String {
    match r {
        Ok(k) => format!(
            "ok {} jwk={} pem={}",
            k.algorithm(),
            sha(&k.to_jwk().to_string()),
            sha(&k.to_pem().unwrap())
        ),
        Err(_) => "err".into(),
    }
}

fn secret_outcome(r: Result<SecretKey, openbadges_proof::Error>) -> String {
    match r {
        Ok(k) => format!(
            "ok {} pkcs8={} jwk={} public={}",
            k.algorithm(),
            sha(&k.to_pkcs8_pem()),
            sha(&k.to_jwk().unwrap()),
            public_outcome(Ok(k.public_key().clone()))
        ),
        Err(_) => "err".into(),
    }
}

fn walk_json(v: &Value, at: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("kty") {
                out.push(format!(
                    "{at}\tjwk\t{}",
                    public_outcome(PublicKey::from_jwk(v))
                ));
                if m.contains_key("d") {
                    out.push(format!(
                        "{at}\tjwk-d\t{}",
                        secret_outcome(SecretKey::from_jwk(v))
                    ));
                }
            }
            for (k, x) in m {
                let here = format!("{at}/{k}");
                match (k.as_str(), x) {
                    ("publicKeyPem", Value::String(s)) => out.push(format!(
                        "{here}\tpem\t{}",
                        public_outcome(PublicKey::from_pem(s))
                    )),
                    ("publicKeyMultibase", Value::String(s)) => out.push(format!(
                        "{here}\tmultikey\t{}",
                        match Multikey::decode(s) {
                            Ok(mk) => format!("ok {}", mk.encode() == *s),
                            Err(e) => format!("err {e}"),
                        }
                    )),
                    _ => walk_json(x, &here, out),
                }
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                walk_json(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn inventory() -> Vec<String> {
    let root = root();
    let mut paths = Vec::new();
    files(&root.join("fixtures"), &mut paths);
    for c in [
        "openbadges-proof",
        "openbadges",
        "openbadges-cli",
        "openbadges-backpack",
    ] {
        files(&root.join("crates").join(c).join("tests/data"), &mut paths);
    }
    paths.sort();
    let mut out = Vec::new();
    for p in paths {
        let rel = p
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or_default();
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        match ext {
            "pem" => {
                out.push(format!(
                    "{rel}\tpublic\t{}",
                    public_outcome(PublicKey::from_pem(&text))
                ));
                out.push(format!(
                    "{rel}\tsecret\t{}",
                    secret_outcome(SecretKey::from_pem(&text))
                ));
                out.push(format!(
                    "{rel}\tpublic-or-jwk\t{}",
                    public_outcome(PublicKey::from_pem_or_jwk(&text))
                ));
            }
            "json" | "jsonld" => {
                if let Ok(v) = serde_json::from_str::<Value>(&text) {
                    walk_json(&v, &rel, &mut out);
                }
            }
            "jwt" | "jws" => {
                let header = text.trim().split('.').next().unwrap_or_default();
                if let Ok(h) = URL_SAFE_NO_PAD.decode(header) {
                    if let Ok(v) = serde_json::from_slice::<Value>(&h) {
                        walk_json(&v, &format!("{rel}#header"), &mut out);
                    }
                }
            }
            _ => {}
        }
    }
    // Keys built from fixed material: what they write must not change by a byte.
    let ed = json!({"kty": "OKP", "crv": "Ed25519",
        "x": "S96v3i6ovu-t2MaZtcfgcEz1EVTVLheyC3EzfKBMxaU",
        "d": "YkGkCeZwe7ZAoBQKijK8PRk8M6ZhdHKE1q36TtQYC-Q"});
    let ed_key = SecretKey::from_jwk(&ed);
    out.push(format!(
        "fixed-ed25519-ob3-vector\tjwk-d\t{}",
        secret_outcome(SecretKey::from_jwk(&ed))
    ));
    if let Ok(k) = ed_key {
        out.push(format!(
            "fixed-ed25519-ob3-vector\tpkcs8-pem\t{}",
            k.to_pkcs8_pem().replace('\n', "|")
        ));
        out.push(format!(
            "fixed-ed25519-ob3-vector\tspki-pem\t{}",
            k.public_key().to_pem().unwrap().replace('\n', "|")
        ));
    }
    let p256 = json!({"kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
        "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"});
    out.push(format!(
        "fixed-p256-rfc7515\tjwk-d\t{}",
        secret_outcome(SecretKey::from_jwk(&p256))
    ));
    if let Ok(k) = SecretKey::from_jwk(&p256) {
        out.push(format!(
            "fixed-p256-rfc7515\tpkcs8-pem\t{}",
            k.to_pkcs8_pem().replace('\n', "|")
        ));
        out.push(format!(
            "fixed-p256-rfc7515\tspki-pem\t{}",
            k.public_key().to_pem().unwrap().replace('\n', "|")
        ));
        out.push(format!("fixed-p256-rfc7515\tjwk\t{}", *k.to_jwk().unwrap()));
    }
    let rsa =
        std::fs::read_to_string(root.join("fixtures/ob2/upstream/mozvalidator-rsa-private.pem"))
            .unwrap();
    if let Ok(k) = SecretKey::from_pem(&rsa) {
        out.push(format!(
            "fixed-rsa-mozvalidator\tpkcs8-pem\t{}",
            k.to_pkcs8_pem().replace('\n', "|")
        ));
        out.push(format!(
            "fixed-rsa-mozvalidator\tspki-pem\t{}",
            k.public_key().to_pem().unwrap().replace('\n', "|")
        ));
    }
    out
}

#[test]
fn every_key_fixture_parses_to_the_recorded_key_and_writes_the_recorded_bytes() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/key-fixtures.tsv");
    let got = inventory().join("\n") + "\n";
    if std::env::var_os("OB_UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    assert!(got.lines().count() > 40, "the inventory found too few keys");
    for (g, w) in got.lines().zip(want.lines()) {
        assert_eq!(g, w);
    }
    assert_eq!(got.lines().count(), want.lines().count());
}
