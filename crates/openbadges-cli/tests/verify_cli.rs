//! `openbadges keygen`, `sign --format jws` and `verify` end to end: keys made by keygen, an
//! assertion signed by sign, the issuer's documents served on a loopback port by the test, and
//! verify's exit codes and JSON lines as CLI.md specifies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use openbadges_test_support::http::{Response, Server};
use serde_json::{Value, json};

mod common;
use common::{TempDir, bin, fixtures_dir, json_lines, tmp};

/// `fixtures/ob2/<rel>`.
fn fixtures() -> PathBuf {
    fixtures_dir("ob2")
}

/// Serves the files of `dir` on 127.0.0.1 (ephemeral port), every one as `application/json`.
fn serve_dir(dir: PathBuf) -> Server {
    Server::start(move |req| Response::file_as(&dir, &req.path, "application/json"))
}

/// keygen + an issuer site on a loopback port + sign. Returns (dir, server, signed jws paths:
/// a valid assertion and a revoked one).
fn issuer_site(alg: &str) -> (TempDir, Server, PathBuf, PathBuf) {
    let d = tmp(&format!("site-{alg}"));
    let site = d.join("site");
    std::fs::create_dir_all(&site).unwrap();
    let server = serve_dir(site.clone());
    let b = server.base_url();
    let key = d.join("key.pem");
    let public = d.join("pub.pem");
    let o = bin()
        .args(["keygen", "--alg", alg, "-o"])
        .arg(&key)
        .arg("--public")
        .arg(&public)
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    let pem = std::fs::read_to_string(&public).unwrap();
    let ctx = "https://w3id.org/openbadges/v2";
    let write = |name: &str, v: Value| {
        std::fs::write(site.join(name), serde_json::to_vec(&v).unwrap()).unwrap()
    };
    write(
        "issuer.json",
        json!({"@context": ctx, "id": format!("{b}/issuer.json"), "type": "Issuer", "name": "I", "url": "https://example.org", "email": "i@example.org", "publicKey": format!("{b}/key.json"), "revocationList": format!("{b}/rl.json")}),
    );
    write(
        "key.json",
        json!({"@context": ctx, "id": format!("{b}/key.json"), "type": "CryptographicKey", "owner": format!("{b}/issuer.json"), "publicKeyPem": pem}),
    );
    write(
        "badge.json",
        json!({"@context": ctx, "id": format!("{b}/badge.json"), "type": "BadgeClass", "name": "B", "description": "d", "image": format!("{b}/i.png"), "criteria": {"narrative": "n"}, "issuer": format!("{b}/issuer.json")}),
    );
    write(
        "rl.json",
        json!({"@context": ctx, "id": format!("{b}/rl.json"), "type": "RevocationList", "revokedAssertions": ["urn:uuid:00000000-0000-4000-8000-000000000002"]}),
    );
    let mut out = Vec::new();
    for (n, expires) in [("1", "2030-01-01T00:00:00Z"), ("2", "2030-01-01T00:00:00Z")] {
        let a = json!({"@context": ctx, "type": "Assertion", "id": format!("urn:uuid:00000000-0000-4000-8000-00000000000{n}"),
            "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
            "badge": format!("{b}/badge.json"), "issuedOn": "2024-01-15T12:00:00Z", "expires": expires,
            "verification": {"type": "hosted"}});
        let input = d.join(format!("a{n}.json"));
        std::fs::write(&input, serde_json::to_vec(&a).unwrap()).unwrap();
        let o = bin()
            .args([
                "sign",
                "--format",
                "jws",
                "--kid",
                &format!("{b}/key.json"),
                "--key",
            ])
            .arg(&key)
            .arg(&input)
            .output()
            .unwrap();
        assert!(o.status.success(), "{o:?}");
        let p = d.join(format!("a{n}.jws"));
        std::fs::write(&p, &o.stdout).unwrap();
        out.push(p);
    }
    (d, server, out[0].clone(), out[1].clone())
}

#[test]
fn keygen_sign_verify_round_trip_with_exit_codes() {
    for alg in ["ed25519", "es256", "rs256"] {
        let (_d, server, good, revoked) = issuer_site(alg);
        let allow = format!("127.0.0.1:{}", server.port());
        let o = bin()
            .args([
                "verify",
                "--json",
                "--allow-host",
                &allow,
                "--recipient",
                "email:student@example.org",
            ])
            .arg(&good)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{alg}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        let l = json_lines(&o);
        assert_eq!(l[0]["status"], "valid");
        assert_eq!(l[0]["proof"], "jws");
        assert_eq!(l[0]["version"], "2.0");
        // One invalid among valid inputs: exit 1, one line per input, input order.
        let o = bin()
            .args(["verify", "--json", "--allow-host", &allow])
            .arg(&good)
            .arg(&revoked)
            .arg(&good)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        let l = json_lines(&o);
        assert_eq!(l.len(), 3);
        assert_eq!(l[1]["status"], "invalid");
        assert_eq!(l[1]["errors"][0]["code"], "REVOKED");
        assert_eq!(l[2]["status"], "valid");
    }
}

#[test]
fn at_recipient_offline_and_allow_host_change_the_verdict() {
    let (_d, server, good, _) = issuer_site("ed25519");
    let allow = format!("127.0.0.1:{}", server.port());
    let run = |extra: &[&str]| {
        let o = bin()
            .arg("verify")
            .arg("--json")
            .args(extra)
            .arg(&good)
            .output()
            .unwrap();
        (o.status.code(), json_lines(&o))
    };
    let (c, l) = run(&["--allow-host", &allow, "--at", "2031-01-01T00:00:00Z"]);
    assert_eq!(c, Some(1));
    assert!(
        l[0]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "EXPIRED")
    );
    let (c, l) = run(&["--allow-host", &allow, "--at", "2020-01-01T00:00:00Z"]);
    assert_eq!(c, Some(1));
    assert!(
        l[0]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "NOT_YET_VALID")
    );
    let (c, l) = run(&[
        "--allow-host",
        &allow,
        "--recipient",
        "email:other@example.org",
    ]);
    assert_eq!(c, Some(1));
    assert_eq!(l[0]["errors"][0]["code"], "RECIPIENT_MISMATCH");
    // Loopback without --allow-host, and --offline: could not check (2), never invalid.
    for extra in [&[][..], &["--offline", "--allow-host", &allow][..]] {
        let (c, l) = run(extra);
        assert_eq!(c, Some(2), "{extra:?}");
        assert_eq!(l[0]["status"], "indeterminate");
        assert_eq!(l[0]["errors"][0]["code"], "FETCH_FAILED");
    }
}

#[test]
fn fixture_images_and_usage_errors() {
    // An image with a compressed iTXt chunk is invalid even offline; an unbaked image too.
    let o = bin()
        .args(["verify", "--offline", "--json"])
        .arg(fixtures().join("baked/invalid-compressed-itxt.png"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json_lines(&o)[0]["errors"][0]["code"], "IMAGE_INVALID");
    // Human output names the status.
    let o = bin()
        .args(["verify", "--offline"])
        .arg(fixtures().join("served/signed/valid.jws"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stdout).contains("INDETERMINATE"));
    // Unreadable file: reported, exit 2.
    let o = bin()
        .args(["verify", "--json", "/nonexistent/badge.json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(json_lines(&o)[0]["errors"][0]["code"], "INPUT_UNREADABLE");
    // Bad --recipient / --at: usage errors.
    for args in [&["--recipient", "nope"][..], &["--at", "yesterday"][..]] {
        let o = bin()
            .arg("verify")
            .args(args)
            .arg("x.json")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn keygen_writes_jwk_and_never_overwrites() {
    let d = tmp("keygen");
    let o = bin()
        .args(["keygen", "--alg", "es256", "--jwk", "-o"])
        .arg(d.join("k.pem"))
        .output()
        .unwrap();
    assert!(o.status.success());
    let jwk: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(jwk["kty"], "EC");
    assert!(jwk.get("d").is_none(), "public JWK only");
    assert!(
        std::fs::read_to_string(d.join("k.pem"))
            .unwrap()
            .starts_with("-----BEGIN PRIVATE KEY-----")
    );
    let o = bin()
        .args(["keygen", "--alg", "es256", "-o"])
        .arg(d.join("k.pem"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin().args(["keygen", "--alg", "hs256"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = bin()
        .args(["sign", "--format", "nope", "--key"])
        .arg(d.join("k.pem"))
        .arg(fixtures().join("served/hosted/valid.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// `--recipient did:example:…` names the DID itself (as `--identity` does for the backpack),
/// not an identity `example:…` of type `did`: a credential issued to that DID verifies (exit 0),
/// and another DID is still a mismatch (exit 1).
#[test]
fn a_bare_did_recipient_is_the_did_not_a_type_prefix() {
    let f = fixtures_dir("ob3/peers/ob3-eddsa-rdfc-2022-didkey.json");
    let run = |recipient: &str| {
        let o = bin()
            .args(["verify", "--offline", "--json", "--recipient", recipient])
            .arg(&f)
            .output()
            .unwrap();
        (o.status.code(), json_lines(&o))
    };
    for r in [
        "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "did:did:example:ebfeb1f712ebc6f1c276e12ec21",
        "id:did:example:ebfeb1f712ebc6f1c276e12ec21",
    ] {
        let (c, l) = run(r);
        assert_eq!(c, Some(0), "{r}: {l:?}");
        assert_eq!(l[0]["status"], "valid", "{r}");
    }
    let (c, l) = run("did:example:someone-else");
    assert_eq!(c, Some(1), "{l:?}");
    assert!(
        l[0]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "RECIPIENT_MISMATCH"),
        "{l:?}"
    );
}
