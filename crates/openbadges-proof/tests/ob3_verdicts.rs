//! The OB 3.0 / CLR 2.0 verdict rules (docs/verification.md, "Verdict rules"): a credential
//! without any proof is invalid (`NO_PROOF`) unless a CLR's proof covers it; a Verifiable
//! Credential that is not an Open Badge is invalid (`NOT_AN_OPEN_BADGE`), reported first,
//! whatever its proof; a key that could not be loaded is "could not check", never invalid.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::vc_jwt::{self, HeaderKey};
use openbadges_proof::verify::{FixedClock, Verifier};
use serde_json::{Value, json};

mod common;
use common::{numbered_credential, signed_by_did_key};

const VC2: &str = "https://www.w3.org/ns/credentials/v2";
const CREATED: &str = "2025-01-01T00:00:00Z";

fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ob3")
        .join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn verify_bytes(name: &str, bytes: &[u8]) -> Report {
    let loader = StaticLoader::with_bundled_contexts();
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    Verifier::new(&loader)
        .with_clock(&clock)
        .verify_bytes(name, bytes)
}

fn verify(doc: &Value) -> Report {
    verify_bytes("doc.json", &serde_json::to_vec(doc).unwrap())
}

/// The stable code of the report's first error (as a string: what `--json` prints).
fn first_error(r: &Report) -> &'static str {
    r.errors.first().map(|e| e.code.as_str()).expect("an error")
}

const NOT_AN_OPEN_BADGE: &str = "NOT_AN_OPEN_BADGE";

fn signer() -> Ed25519Signer {
    Ed25519Signer::from_seed(&[7u8; 32]).unwrap()
}

fn signed(doc: &Value, s: &Ed25519Signer) -> Value {
    signed_by_did_key(doc, s, CREATED)
}

// ---- No proof means invalid ------------------------------------------------------------

#[test]
fn ob3_credential_without_proof_is_invalid_not_could_not_check() {
    // The spec's own unsigned input, and the spec's basic example (both carry no proof).
    for rel in [
        "spec-vectors/obv3p0-unsigned.json",
        "spec-vectors/clrv2p0-unsigned.json",
        "examples/basicOpenBadgeCredential.json",
    ] {
        let r = verify_bytes(rel, &fixture(rel));
        assert_eq!(r.status(), Status::Invalid, "{rel}: {r:#?}");
        assert!(r.has_error(Code::NoProof), "{rel}: {r:#?}");
    }
}

#[test]
fn empty_proof_array_is_no_proof_and_invalid() {
    let mut doc = numbered_credential(&signer().did_key(), 1);
    doc["proof"] = json!([]);
    let r = verify(&doc);
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert!(r.has_error(Code::NoProof), "{r:#?}");
}

#[test]
fn unproven_credential_inside_a_signed_clr_is_covered_by_the_clr_proof() {
    let s = signer();
    let inner = numbered_credential(&s.did_key(), 2);
    let clr = json!({
        "@context": [VC2,
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:9c1d2e3f-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": s.did_key(), "type": ["Profile"], "name": "Example Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {"type": ["ClrSubject"], "id": "did:example:learner",
            "verifiableCredential": [inner]}
    });
    let r = verify(&signed(&clr, &s));
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_eq!(r.credentials.len(), 1);
    let sub = &r.credentials[0];
    assert_eq!(sub.status(), Status::Valid, "{sub:#?}");
    assert!(
        sub.warnings.iter().any(|w| w.code == Code::NoProof),
        "{sub:#?}"
    );
}

#[test]
fn unproven_credential_in_a_presentation_is_invalid() {
    // A presentation's proof is its holder's: it does not show who issued what it carries.
    let s = signer();
    let vp = json!({
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [numbered_credential(&s.did_key(), 3)],
    });
    let r = verify(&vp);
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert!(r.has_error(Code::CredentialInvalid), "{r:#?}");
    assert!(r.credentials[0].has_error(Code::NoProof), "{r:#?}");
}

// ---- Not an Open Badge -----------------------------------------------------------------

fn degree(issuer: &str) -> Value {
    json!({
        "@context": [VC2, "https://www.w3.org/2018/credentials/examples/v1"],
        "id": "http://university.example/credentials/3732",
        "type": ["VerifiableCredential", "ExampleDegreeCredential"],
        "issuer": issuer,
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "degree": {"type": "ExampleBachelorDegree", "name": "Bachelor of Science"}}
    })
}

#[test]
fn vc_that_is_not_an_open_badge_is_reported_first_even_with_an_unknown_context() {
    // The examples context is not bundled, so the proof could not be checked: the verdict
    // must not wait for it.
    let s = signer();
    let mut doc = degree(&s.did_key());
    doc["proof"] = json!({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
        "created": CREATED, "verificationMethod": s.verification_method_did_key(),
        "proofPurpose": "assertionMethod", "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKods5D2UAUL5n2Brbx"});
    let r = verify(&doc);
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert_eq!(first_error(&r), NOT_AN_OPEN_BADGE, "{r:#?}");
    // Unsigned: still not an Open Badge, first.
    let r = verify(&degree(&s.did_key()));
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert_eq!(first_error(&r), NOT_AN_OPEN_BADGE, "{r:#?}");
}

#[test]
fn signed_status_list_credential_is_not_an_open_numbered_credential() {
    // A correctly signed BitstringStatusListCredential (1EdTech validator fixture).
    let r = verify_bytes(
        "testlist",
        &fixture("1edtech-validator/bit-string-list/testlist"),
    );
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert_eq!(first_error(&r), NOT_AN_OPEN_BADGE, "{r:#?}");
}

#[test]
fn vc_jwt_that_is_not_an_open_badge_is_reported_first() {
    let s = signer();
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let mut cred = degree(&s.did_key());
    cred["@context"] = json!([VC2]);
    cred["credentialSubject"] = json!({"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"});
    let jwt = vc_jwt::issue(&cred, &k, &HeaderKey::Jwk).unwrap();
    let r = verify_bytes("degree.jwt", jwt.as_bytes());
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert_eq!(first_error(&r), NOT_AN_OPEN_BADGE, "{r:#?}");
}

#[test]
fn every_open_badge_credential_type_is_an_open_numbered_credential() {
    for t in [
        "OpenBadgeCredential",
        "AchievementCredential",
        "EndorsementCredential",
        "ClrCredential",
    ] {
        let mut doc = numbered_credential(&signer().did_key(), 4);
        doc["type"] = json!(["VerifiableCredential", t]);
        let r = verify(&doc);
        assert!(
            r.errors
                .iter()
                .all(|e| e.code.as_str() != NOT_AN_OPEN_BADGE),
            "{t}: {r:#?}"
        );
    }
}

// ---- A key that could not be loaded is "could not check" -------------------------------

#[test]
fn jwks_not_available_offline_is_could_not_check() {
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let cred = numbered_credential("https://issuer.example/profile", 5);
    for hk in [
        HeaderKey::Jwk,
        HeaderKey::Kid("key-1".into()),
        HeaderKey::None,
    ] {
        let jwt = vc_jwt::issue(&cred, &k, &hk).unwrap();
        let r = verify_bytes("badge.jwt", jwt.as_bytes());
        assert_eq!(r.status(), Status::Indeterminate, "{hk:?}: {r:#?}");
    }
}

#[test]
fn controller_document_not_available_offline_is_could_not_check() {
    let s = signer();
    for (issuer, vm) in [
        ("did:web:issuer.example", "did:web:issuer.example#key-1"),
        (
            "https://issuer.example/profile",
            "https://issuer.example/profile#key-1",
        ),
    ] {
        let doc = sign(
            &numbered_credential(issuer, 6),
            &s,
            &ProofOptions::new(vm, CREATED),
        )
        .unwrap();
        let r = verify(&doc);
        assert_eq!(r.status(), Status::Indeterminate, "{vm}: {r:#?}");
        assert!(r.has_error(Code::FetchFailed), "{vm}: {r:#?}");
    }
    // Also as a VC-JWT with a did:web kid.
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let jwt = vc_jwt::issue(
        &numbered_credential("did:web:issuer.example", 7),
        &k,
        &HeaderKey::Kid("did:web:issuer.example#key-1".into()),
    )
    .unwrap();
    let r = verify_bytes("badge.jwt", jwt.as_bytes());
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
}
