//! OB 3.0 on the built binary: `keygen` (ed25519, es256), `sign --format eddsa-rdfc-2022`
//! (default did:key verification method) and `--format vc-jwt`, then `verify` on JSON, JWT and
//! baked PNG/SVG inputs (offline), with exit codes and JSON lines as CLI.md specifies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_openbadges"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ob3")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ob3-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn line(o: &Output) -> Value {
    let s = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(s.lines().next().unwrap()).unwrap()
}

fn credential(issuer: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {"id": "did:example:alice", "type": ["AchievementSubject"],
            "achievement": {"id": "urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e77",
                "type": ["Achievement"], "name": "A", "description": "B",
                "criteria": {"narrative": "C"}}}
    })
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn sign_eddsa_rdfc_2022_with_did_key_then_verify() {
    let d = tmp("eddsa");
    let key = d.join("ed.pem");
    let o = run(&["keygen", "--alg", "ed25519", "-o", s(&key)]);
    assert!(o.status.success(), "{o:?}");
    // Learn the did:key by signing once, then issue in its name.
    let first = d.join("first.json");
    std::fs::write(&first, credential("https://example.org/i").to_string()).unwrap();
    let o = run(&[
        "sign",
        "--key",
        s(&key),
        "--format",
        "eddsa-rdfc-2022",
        "--at",
        "2024-02-01T00:00:00Z",
        s(&first),
    ]);
    assert!(o.status.success(), "{o:?}");
    let signed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let vm = signed["proof"]["verificationMethod"]
        .as_str()
        .unwrap()
        .to_owned();
    let did = vm.split('#').next().unwrap();
    assert!(
        did.starts_with("did:key:z6Mk") && vm.ends_with(&did["did:key:".len()..]),
        "{vm}"
    );
    assert_eq!(signed["proof"]["created"], "2024-02-01T00:00:00Z");
    assert_eq!(signed["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    // Issuer ≠ controller: invalid.
    let out = d.join("wrong-issuer.json");
    std::fs::write(&out, &o.stdout).unwrap();
    let v = run(&["verify", "--offline", "--json", s(&out)]);
    assert_eq!(v.status.code(), Some(1));
    assert_eq!(line(&v)["errors"][0]["code"], "KEY_NOT_OWNED_BY_ISSUER");

    let input = d.join("cred.json");
    std::fs::write(&input, credential(did).to_string()).unwrap();
    let o = run(&[
        "sign",
        "--key",
        s(&key),
        "--format",
        "eddsa-rdfc-2022",
        s(&input),
    ]);
    let out = d.join("signed.json");
    std::fs::write(&out, &o.stdout).unwrap();
    let v = run(&["verify", "--offline", "--json", s(&out)]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    let l = line(&v);
    assert_eq!(l["status"], "valid");
    assert_eq!(l["version"], "3.0");
    assert_eq!(l["proof"], "eddsa-rdfc-2022");
    // Tampered.
    let mut t: Value = serde_json::from_slice(&o.stdout).unwrap();
    t["name"] = json!("Tampered");
    std::fs::write(&out, t.to_string()).unwrap();
    let v = run(&["verify", "--offline", "--json", s(&out)]);
    assert_eq!(v.status.code(), Some(1));
    assert_eq!(line(&v)["errors"][0]["code"], "SIGNATURE_INVALID");
    // An RSA/ES256 key cannot make an eddsa proof: a usage error, the input is not invalid.
    let es = d.join("es.pem");
    assert!(
        run(&["keygen", "--alg", "es256", "-o", s(&es)])
            .status
            .success()
    );
    let o = run(&[
        "sign",
        "--key",
        s(&es),
        "--format",
        "eddsa-rdfc-2022",
        s(&input),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sign_vc_jwt_then_verify_with_pinned_key_and_policy() {
    let d = tmp("jwt");
    for alg in ["es256", "ed25519"] {
        let key = d.join(format!("{alg}.pem"));
        let public = d.join(format!("{alg}.pub.pem"));
        let o = run(&[
            "keygen",
            "--alg",
            alg,
            "-o",
            s(&key),
            "--public",
            s(&public),
        ]);
        assert!(o.status.success(), "{o:?}");
        let input = d.join("cred.json");
        std::fs::write(&input, credential("https://issuer.example/i").to_string()).unwrap();
        let o = run(&["sign", "--key", s(&key), "--format", "vc-jwt", s(&input)]);
        assert!(o.status.success(), "{o:?}");
        let jwt = d.join(format!("{alg}.jwt"));
        std::fs::write(&jwt, &o.stdout).unwrap();
        // Unbound header jwk: indeterminate (exit 2).
        let v = run(&["verify", "--offline", "--json", s(&jwt)]);
        assert_eq!(v.status.code(), Some(2));
        assert_eq!(line(&v)["errors"][0]["code"], "KEY_NOT_BOUND");
        // Pinned: valid.
        let v = run(&[
            "verify",
            "--offline",
            "--json",
            "--trusted-key",
            s(&public),
            s(&jwt),
        ]);
        assert_eq!(
            v.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&v.stdout)
        );
        assert_eq!(line(&v)["proof"], "vc-jwt");
        // The dangerous option: valid with a warning.
        let v = run(&[
            "verify",
            "--offline",
            "--json",
            "--dangerous-accept-header-jwk",
            s(&jwt),
        ]);
        assert_eq!(v.status.code(), Some(0));
        assert_eq!(line(&v)["warnings"][0]["code"], "KEY_NOT_BOUND");
    }
}

mod support;

#[test]
fn verify_ob3_fixtures_of_every_kind() {
    let f = fixtures();
    // The example issuers' controller documents (they name their key in an `https` fragment,
    // which alone proves nothing).
    let (spec_issuer, spec_doc) = support::spec_vector_issuer_document();
    let (validator_issuer, validator_doc) = support::issuer_document_for(&[
        "https://example.com/issuers/876543#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "https://example.com/issuers/876543#z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x",
    ]);
    let docs = support::documents_dir(
        &tmp("fixture-issuers"),
        &[
            (&spec_issuer, &spec_doc),
            (&validator_issuer, &validator_doc),
        ],
    );
    let v = run(&[
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--json",
        s(&f.join("1edtech-validator/simple.json")),
        s(&f.join("1edtech-validator/simple-json.png")),
        s(&f.join("1edtech-validator/simple-json.svg")),
        s(&f.join("spec-vectors/clrv2p0-signed-eddsa-rdfc-2022.json")),
    ]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    let v = run(&[
        "verify",
        "--offline",
        "--json",
        "--trusted-key",
        s(&f.join("peers/ob3-EdDSA.pub.pem")),
        s(&f.join("peers/ob3-EdDSA.jwt")),
        s(&f.join("peers/ob3-EdDSA-baked.png")),
        s(&f.join("peers/ob3-EdDSA-baked.svg")),
    ]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    let v = run(&[
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--json",
        s(&f.join("spec-vectors/obv3p0-signed-TAMPERED-name.json")),
    ]);
    assert_eq!(v.status.code(), Some(1));
    let v = run(&[
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--at",
        "2026-12-01T00:00:00Z",
        "--json",
        s(&f.join("1edtech-validator/simple-err-expired.json")),
    ]);
    assert_eq!(v.status.code(), Some(1));
    assert_eq!(line(&v)["errors"][0]["code"], "EXPIRED");
}

/// A key of the wrong type for the format, or an `--at` that is not a date, is a usage error
/// (exit 2, CLI.md), not an invalid input (exit 1); a document that cannot be signed stays 1.
#[test]
fn sign_with_a_key_of_another_type_or_a_bad_at_is_a_usage_error_not_invalid() {
    let d = tmp("sign-usage");
    let (es, ed) = (d.join("es.pem"), d.join("ed.pem"));
    assert!(
        run(&["keygen", "--alg", "es256", "-o", s(&es)])
            .status
            .success()
    );
    assert!(
        run(&["keygen", "--alg", "ed25519", "-o", s(&ed)])
            .status
            .success()
    );
    let input = d.join("cred.json");
    std::fs::write(&input, credential("https://example.org/i").to_string()).unwrap();
    let sign = |key: &Path, extra: &[&str]| {
        let mut args = vec!["sign", "--key", s(key), "--format", "eddsa-rdfc-2022"];
        args.extend(extra);
        args.push(s(&input));
        run(&args)
    };
    let o = sign(&es, &[]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Ed25519"),
        "{o:?}"
    );
    let o = sign(&ed, &["--at", "yesterday"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(o.stdout.is_empty(), "{o:?}");
    // The same key and a good instant sign it.
    assert_eq!(
        sign(&ed, &["--at", "2024-02-01T00:00:00Z"]).status.code(),
        Some(0)
    );
    // A document without an issuer cannot be signed: invalid.
    let bad = d.join("no-issuer.json");
    std::fs::write(&bad, r#"{"type": ["VerifiableCredential"]}"#).unwrap();
    let o = run(&["sign", "--key", s(&ed), "--format", "vc-jwt", s(&bad)]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
}
