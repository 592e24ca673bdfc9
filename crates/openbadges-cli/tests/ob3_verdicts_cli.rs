//! The OB 3.0 / CLR 2.0 verdict rules on the built binary (docs/verification.md, "Verdict
//! rules"): exit 1 for a credential without proof and for a Verifiable Credential that is not
//! an Open Badge (its code first), exit 2 when a key could not be loaded offline, exit 0 for a
//! CLR under the published contexts; `credentialSchema` checked only against `--schemas`.
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
    documents_dir, fixtures_dir, issuer_document_for, ob3_credential, run,
    spec_vector_issuer_document, tmp,
};

fn verify(path: &Path) -> (Option<i32>, Value) {
    let o = run(&["verify", "--offline", "--json", path.to_str().unwrap()]);
    let s = String::from_utf8_lossy(&o.stdout);
    let v = serde_json::from_str(s.lines().next().unwrap_or("null")).unwrap();
    (o.status.code(), v)
}

fn codes(v: &Value) -> Vec<&str> {
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect()
}

/// The shared sample credential under its own ids.
fn badge(issuer: &str) -> Value {
    let mut v = ob3_credential(issuer);
    v["id"] = json!("urn:uuid:1e2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b");
    v["credentialSubject"]["achievement"]["id"] =
        json!("urn:uuid:3a4b5c6d-7e8f-4a0b-8c1d-2e3f4a5b6c7d");
    v
}

#[test]
fn credential_without_proof_exits_1_not_2() {
    for rel in [
        "spec-vectors/obv3p0-unsigned.json",
        "spec-vectors/clrv2p0-unsigned.json",
        "examples/basicOpenBadgeCredential.json",
    ] {
        let (code, v) = verify(&fixtures_dir("ob3").join(rel));
        assert_eq!(code, Some(1), "{rel}: {v}");
        assert_eq!(v["status"], "invalid", "{rel}: {v}");
        assert!(codes(&v).contains(&"NO_PROOF"), "{rel}: {v}");
    }
}

#[test]
fn vc_that_is_not_an_open_badge_exits_1_with_its_code_first() {
    let d = tmp("not-ob");
    // A VC under a context that is not bundled (its proof could not be checked offline).
    let degree = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://www.w3.org/2018/credentials/examples/v1"],
        "id": "http://university.example/credentials/3732",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "degree": {"type": "ExampleBachelorDegree", "name": "Bachelor of Science"}},
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
            "created": "2024-01-01T00:00:00Z", "proofPurpose": "assertionMethod",
            "verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            "proofValue": "z58DAdFfa9SkqZMVPxAQpic7ndSayn1PzZs6ZjWp1CktyGesjuTSwRdoWhAfGFCF5bppETSTojQCrfFPP2oumHKtz"}
    });
    let p = d.join("degree.json");
    std::fs::write(&p, serde_json::to_vec(&degree).unwrap()).unwrap();
    let (code, v) = verify(&p);
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes(&v).first(), Some(&"NOT_AN_OPEN_BADGE"), "{v}");
    // A correctly signed BitstringStatusListCredential is not an Open Badge either.
    let (code, v) = verify(&fixtures_dir("ob3").join("1edtech-validator/bit-string-list/testlist"));
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(codes(&v).first(), Some(&"NOT_AN_OPEN_BADGE"), "{v}");
}

#[test]
fn key_not_loadable_offline_exits_2() {
    let d = tmp("offline-key");
    let key = d.join("k.pem");
    let o = run(&["keygen", "--alg", "ed25519", "-o", key.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    // VC-JWT by an https issuer: its JWKS is not available offline.
    let https = d.join("https.json");
    std::fs::write(
        &https,
        serde_json::to_vec(&badge("https://issuer.example/profile")).unwrap(),
    )
    .unwrap();
    // Data Integrity with a did:web key: the DID document is not available offline.
    let web = d.join("web.json");
    std::fs::write(
        &web,
        serde_json::to_vec(&badge("did:web:issuer.example")).unwrap(),
    )
    .unwrap();
    let cases = [
        (&https, vec!["--format", "vc-jwt"], "jwt"),
        (
            &web,
            vec![
                "--format",
                "eddsa-rdfc-2022",
                "--verification-method",
                "did:web:issuer.example#key-1",
            ],
            "di.json",
        ),
        (
            &web,
            vec![
                "--format",
                "vc-jwt",
                "--kid",
                "did:web:issuer.example#key-1",
            ],
            "web.jwt",
        ),
    ];
    for (input, fmt, out) in cases {
        let mut args = vec!["sign", "--key", key.to_str().unwrap()];
        args.extend(fmt);
        args.push(input.to_str().unwrap());
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
        let signed = d.join(out);
        std::fs::write(&signed, &o.stdout).unwrap();
        let (code, v) = verify(&signed);
        assert_eq!(code, Some(2), "{out}: {v}");
        assert_eq!(v["status"], "indeterminate", "{out}: {v}");
    }
}

#[test]
fn clr_under_the_published_contexts_verifies_offline() {
    // With the controller documents its two `https` issuers would publish (docs/verification.md,
    // "Key provenance").
    let (edu, edu_doc) = spec_vector_issuer_document();
    let (com, com_doc) = issuer_document_for(&[
        "https://example.com/issuers/876543#z6MkvREVgsHx7Ppae68vCoByy73ZD4aMSJiPML2cryVL8JAx",
    ]);
    let work = tmp("clr-published");
    let docs = documents_dir(&work, &[(edu.as_str(), &edu_doc), (com.as_str(), &com_doc)]);
    let input = fixtures_dir("backpack/clr20/simple.json");
    let o = run(&[
        "verify",
        "--offline",
        "--json",
        "--documents",
        docs.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
}

const CLR_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json";

/// A small ClrCredential schema written for the test, registered under the official URL (as a
/// user saving the published file would): a transcript holding at least `min` credentials.
fn clr_schema(min: usize) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema#",
        "$id": CLR_SCHEMA,
        "type": "object",
        "required": ["type", "issuer", "credentialSubject"],
        "properties": {
            "type": {"type": "array", "contains": {"const": "ClrCredential"}},
            "credentialSubject": {
                "type": "object",
                "required": ["verifiableCredential"],
                "properties": {"verifiableCredential": {"type": "array", "minItems": min}}
            }
        }
    })
}

/// `verify --offline --json` of `input` with the spec vectors' issuer document preloaded
/// (`--documents`) and `--schemas DIR` when given.
fn verify_clr_vector(work: &Path, schemas: Option<&Path>) -> (Option<i32>, Value) {
    let (issuer, doc) = spec_vector_issuer_document();
    let docs = documents_dir(work, &[(issuer.as_str(), &doc)]);
    let input = fixtures_dir("ob3").join("spec-vectors/clrv2p0-signed-eddsa-rdfc-2022.json");
    let mut args = vec![
        "verify",
        "--offline",
        "--json",
        "--documents",
        docs.to_str().unwrap(),
    ];
    if let Some(dir) = schemas {
        args.extend(["--schemas", dir.to_str().unwrap()]);
    }
    args.push(input.to_str().unwrap());
    let o = run(&args);
    let s = String::from_utf8_lossy(&o.stdout);
    let v = serde_json::from_str(s.lines().next().unwrap_or("null")).unwrap();
    (o.status.code(), v)
}

fn schema_check(v: &Value) -> (String, String) {
    let c = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "credential-schema")
        .unwrap_or_else(|| panic!("no credential-schema check: {v}"));
    (
        c["status"].as_str().unwrap().to_owned(),
        c["message"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn credential_schema_is_checked_only_against_schemas_given_with_dash_dash_schemas() {
    // Not supplied: valid, the check skipped and naming the official URL (none is bundled).
    let (code, v) = verify_clr_vector(&tmp("schemas-none"), None);
    assert_eq!(code, Some(0), "{v}");
    let (status, message) = schema_check(&v);
    assert_eq!(status, "skipped");
    assert!(message.contains(CLR_SCHEMA), "{message}");

    // Supplied and satisfied (the vector holds one credential).
    let ok = tmp("schemas-ok");
    std::fs::write(ok.join("clr.json"), clr_schema(1).to_string()).unwrap();
    let (code, v) = verify_clr_vector(&ok, Some(&ok));
    assert_eq!(code, Some(0), "{v}");
    assert_eq!(schema_check(&v).0, "passed", "{v}");

    // Supplied and violated: invalid, SCHEMA_INVALID at the instance path.
    let strict = tmp("schemas-strict");
    std::fs::write(strict.join("clr.json"), clr_schema(2).to_string()).unwrap();
    let (code, v) = verify_clr_vector(&strict, Some(&strict));
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(schema_check(&v).0, "failed", "{v}");
    assert!(
        v["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "SCHEMA_INVALID"
                && e["message"]
                    .as_str()
                    .unwrap()
                    .contains("at /credentialSubject/verifiableCredential:")),
        "{v}"
    );
}

#[test]
fn schema_folder_with_a_file_without_id_is_a_usage_error_exit_2() {
    let dir = tmp("schemas-no-id");
    let mut s = clr_schema(1);
    s.as_object_mut().unwrap().remove("$id");
    std::fs::write(dir.join("clr.json"), s.to_string()).unwrap();
    let clr = fixtures_dir("ob3").join("spec-vectors/clrv2p0-signed-eddsa-rdfc-2022.json");
    let o = run(&[
        "verify",
        "--offline",
        "--schemas",
        dir.to_str().unwrap(),
        clr.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--schemas") && err.contains("no `$id`"),
        "{err}"
    );
    assert!(o.stdout.is_empty(), "nothing verified: {o:?}");
}
