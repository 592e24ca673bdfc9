//! `openbadges verify` on OB 2.0 documents written as other JSON-LD shapes: the `verify` alias
//! of `verification`, the v2 context inline, and inputs whose verdict needs no network. Exit
//! codes as CLI.md specifies: 0 valid, 1 invalid, 2 could not check.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use openbadges::proof::jws;
use openbadges::proof::key::{Algorithm, SecretKey};
use openbadges::proof::loader::OB_V2_CONTEXT;
use openbadges_test_support::http::{Response, Server};
use serde_json::{Value, json};

mod common;
use common::{TempDir, bin, tmp, write_json};

/// Runs `verify --json` with `extra` flags; returns the exit code and the first report line.
fn verify(input: &Path, extra: &[&str]) -> (Option<i32>, Value) {
    let o = bin()
        .arg("verify")
        .arg("--json")
        .args(extra)
        .arg(input)
        .output()
        .unwrap();
    let line = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap_or(Value::Null);
    (o.status.code(), line)
}

fn error_codes(report: &Value) -> Vec<String> {
    report["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["code"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// An issuer site being served: the test's folder, the site's folder in it, its base URL, the
/// issuer's key, and the server (serving while the value lives).
struct Site {
    dir: TempDir,
    root: PathBuf,
    base: String,
    key: SecretKey,
    _server: Server,
}

/// An issuer site (issuer, key, badge class) with every `@context` set to `ctx`, every document
/// served as `application/ld+json`.
fn site(name: &str, ctx: &Value, policy: Option<Value>) -> Site {
    let d = tmp(name);
    let site = d.join("site");
    std::fs::create_dir_all(&site).unwrap();
    let root = site.clone();
    let server =
        Server::start(move |req| Response::file_as(&root, &req.path, "application/ld+json"));
    let b = server.base_url();
    let key = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let pem = key.public_key().to_pem().unwrap();
    let mut issuer = json!({"@context": ctx, "id": format!("{b}/issuer.json"), "type": "Issuer", "name": "I",
        "url": "https://example.org", "email": "i@example.org", "publicKey": format!("{b}/key.json")});
    if let Some(p) = policy {
        issuer["verification"] = p;
    }
    write_json(&site, "issuer.json", &issuer);
    write_json(
        &site,
        "key.json",
        &json!({"@context": ctx, "id": format!("{b}/key.json"), "type": "CryptographicKey",
            "owner": format!("{b}/issuer.json"), "publicKeyPem": pem}),
    );
    write_json(
        &site,
        "badge.json",
        &json!({"@context": ctx, "id": format!("{b}/badge.json"), "type": "BadgeClass", "name": "B",
            "description": "d", "image": format!("{b}/i.png"), "criteria": {"narrative": "n"},
            "issuer": format!("{b}/issuer.json")}),
    );
    Site {
        dir: d,
        root: site,
        base: b,
        key,
        _server: server,
    }
}

fn assertion(ctx: &Value, id: &str, b: &str, verification_key: &str, verification: Value) -> Value {
    let mut a = json!({"@context": ctx, "type": "Assertion", "id": id,
        "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
        "badge": format!("{b}/badge.json"), "issuedOn": "2024-01-15T12:00:00Z"});
    a[verification_key] = verification;
    a
}

#[test]
fn signed_badge_declaring_signed_badge_under_the_verify_alias_exits_0_and_2_offline() {
    let ctx = json!("https://w3id.org/openbadges/v2");
    let Site {
        dir: d,
        base: b,
        key,
        _server,
        ..
    } = site("alias", &ctx, None);
    let kid = format!("{b}/key.json");
    let a = assertion(
        &ctx,
        "urn:uuid:00000000-0000-4000-8000-000000000001",
        &b,
        "verify",
        json!({"type": "SignedBadge", "creator": kid}),
    );
    let token = jws::sign(&serde_json::to_vec(&a).unwrap(), &key, Some(&kid)).unwrap();
    let input = d.join("alias.jws");
    std::fs::write(&input, token).unwrap();
    let allow = b.trim_start_matches("http://").to_string();
    let (c, r) = verify(&input, &["--allow-host", &allow]);
    assert_eq!(c, Some(0), "{r}");
    // Offline the key cannot be fetched: could not check, not "must declare SignedBadge".
    let (c, r) = verify(&input, &["--offline"]);
    assert_eq!(c, Some(2), "{r}");
    assert!(
        !error_codes(&r).contains(&"SCHEMA_INVALID".to_string()),
        "{r}"
    );
}

#[test]
fn hosted_badge_with_the_v2_context_inline_exits_0_and_its_issuer_scope_still_applies() {
    let inline = serde_json::from_str::<Value>(OB_V2_CONTEXT).unwrap()["@context"].clone();
    for (name, policy, want) in [
        ("inline-ok", None, 0),
        (
            "inline-scope",
            Some(json!({"type": "VerificationObject", "allowedOrigins": "badges.example.org"})),
            1,
        ),
    ] {
        let Site {
            dir: _d,
            root: site,
            base: b,
            _server,
            ..
        } = site(name, &inline, policy);
        let a = assertion(
            &inline,
            &format!("{b}/a.json"),
            &b,
            "verification",
            json!({"type": "HostedBadge"}),
        );
        let input = write_json(&site, "a.json", &a);
        let allow = b.trim_start_matches("http://").to_string();
        let (c, r) = verify(&input, &["--allow-host", &allow]);
        assert_eq!(c, Some(want), "{name}: {r}");
        if want == 1 {
            assert!(
                error_codes(&r).contains(&"OUT_OF_VERIFICATION_SCOPE".to_string()),
                "{r}"
            );
        }
        // Offline: recognised as an assertion whose hosted copy cannot be fetched.
        let (c, r) = verify(&input, &["--offline"]);
        assert_eq!(c, Some(2), "{name} offline: {r}");
    }
}

#[test]
fn badge_class_and_revoked_stub_are_invalid_offline() {
    let d = tmp("offline");
    let bc = write_json(
        &d,
        "bc.json",
        &json!({"@context": "https://w3id.org/openbadges/v2", "id": "https://example.org/b", "type": "BadgeClass",
            "name": "B", "description": "d", "image": "https://example.org/i.png",
            "criteria": "https://example.org/c", "issuer": "https://example.org/i"}),
    );
    let (c, r) = verify(&bc, &["--offline"]);
    assert_eq!(c, Some(1), "{r}");
    let stub = write_json(
        &d,
        "stub.json",
        &json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
            "id": "https://example.org/a/1", "revoked": true, "revocationReason": "r"}),
    );
    let (c, r) = verify(&stub, &["--offline"]);
    assert_eq!(c, Some(1), "{r}");
    assert!(error_codes(&r).contains(&"REVOKED".to_string()), "{r}");
}
