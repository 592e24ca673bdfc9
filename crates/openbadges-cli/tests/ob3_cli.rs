//! OB 3.0 on the built binary: `keygen` (ed25519, es256), `sign --format eddsa-rdfc-2022`
//! (default did:key verification method) and `--format vc-jwt`, then `verify` on JSON, JWT and
//! baked PNG/SVG inputs (offline), with exit codes and JSON lines as CLI.md specifies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use serde_json::{Value, json};

mod common;
use common::{
    documents_dir, fixtures_dir, issuer_document_for, line, ob3_credential, run, s,
    sign_eddsa_rdfc_2022, spec_vector_issuer_document, tmp,
};

#[test]
fn sign_eddsa_rdfc_2022_with_did_key_then_verify() {
    let d = tmp("eddsa");
    let key = d.join("ed.pem");
    let o = run(&["keygen", "--alg", "ed25519", "-o", s(&key)]);
    assert!(o.status.success(), "{o:?}");
    // Learn the did:key by signing once, then issue in its name.
    let first = d.join("first.json");
    std::fs::write(&first, ob3_credential("https://example.org/i").to_string()).unwrap();
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
    std::fs::write(&input, ob3_credential(did).to_string()).unwrap();
    let o = sign_eddsa_rdfc_2022(&key, &input);
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
    let o = sign_eddsa_rdfc_2022(&es, &input);
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
        std::fs::write(
            &input,
            ob3_credential("https://issuer.example/i").to_string(),
        )
        .unwrap();
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

#[test]
fn verify_ob3_fixtures_of_every_kind() {
    let f = fixtures_dir("ob3");
    // The example issuers' controller documents (they name their key in an `https` fragment,
    // which alone proves nothing).
    let (spec_issuer, spec_doc) = spec_vector_issuer_document();
    let (validator_issuer, validator_doc) = issuer_document_for(&[
        "https://example.com/issuers/876543#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "https://example.com/issuers/876543#z6MkrvfzkMnvCroEUP2DVc9SHPE48CRsvHiVSusHioxTYu1x",
    ]);
    let issuers = tmp("fixture-issuers");
    let docs = documents_dir(
        &issuers,
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
    std::fs::write(&input, ob3_credential("https://example.org/i").to_string()).unwrap();
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
