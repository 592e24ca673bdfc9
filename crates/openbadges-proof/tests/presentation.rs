//! VerifiablePresentation verification: the presentation's `authentication` proof by a key the
//! holder controls (did:key, did:web with its `authentication` list), the verifier's expected
//! challenge / domain, unsigned presentations, and each embedded credential (JSON with a Data
//! Integrity proof, VC-JWT enveloped) reported on its own — with the negative cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges_proof::key::SecretKey;
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::vc_jwt::{self, HeaderKey};
use openbadges_proof::verify::Verifier;
use serde_json::{Value, json};

mod common;
use common::{assert_code, ed25519_pkcs8, numbered_credential, signed_by_did_key};

const VC2: &str = "https://www.w3.org/ns/credentials/v2";
const CREATED: &str = "2025-01-01T00:00:00Z";

fn issuer() -> Ed25519Signer {
    Ed25519Signer::from_seed(&[1u8; 32]).unwrap()
}
fn holder() -> Ed25519Signer {
    Ed25519Signer::from_seed(&[2u8; 32]).unwrap()
}

/// An OB 3.0 credential signed eddsa-rdfc-2022 by the did:key issuer.
fn credential(n: u32) -> Value {
    let s = issuer();
    signed_by_did_key(&numbered_credential(&s.did_key(), n), &s, CREATED)
}

fn vp(holder_id: &str, creds: Vec<Value>) -> Value {
    json!({
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
        "holder": holder_id,
        "verifiableCredential": creds,
    })
}

fn sign_vp(doc: &Value, signer: &Ed25519Signer, vm: &str, purpose: &str) -> Value {
    let mut o = ProofOptions::new(vm, CREATED);
    o.proof_purpose = purpose.into();
    o.challenge = Some("nonce-1".into());
    o.domain = Some("verifier.example".into());
    sign(doc, signer, &o).unwrap()
}

fn holder_signed(creds: Vec<Value>) -> Value {
    let h = holder();
    sign_vp(
        &vp(&h.did_key(), creds),
        &h,
        &h.verification_method_did_key(),
        "authentication",
    )
}

fn run(loader: &StaticLoader, v: impl Fn(Verifier<'_>) -> Verifier<'_>, doc: &Value) -> Report {
    let clock = common::clock();
    let verifier = v(Verifier::new(loader).with_clock(&clock));
    verifier.verify_bytes("vp.json", &serde_json::to_vec(doc).unwrap())
}

fn verify(doc: &Value) -> Report {
    run(&StaticLoader::with_bundled_contexts(), |v| v, doc)
}

#[test]
fn holder_signed_presentation_verifies_with_every_credential() {
    let doc = holder_signed(vec![credential(1), credential(2)]);
    let r = verify(&doc);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_eq!(r.version.as_deref(), Some("vp"));
    assert_eq!(r.proof.as_deref(), Some("eddsa-rdfc-2022"));
    assert_eq!(r.credentials.len(), 2);
    assert!(r.credentials.iter().all(|c| c.status() == Status::Valid));
    assert!(
        r.checks
            .iter()
            .any(|c| c.id == "presentation-proof" && c.message.contains("verifies"))
    );
    // The expected challenge and domain match.
    let r = run(
        &StaticLoader::with_bundled_contexts(),
        |v| {
            v.with_presentation_challenge("nonce-1")
                .with_presentation_domain("verifier.example")
        },
        &doc,
    );
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
}

#[test]
fn challenge_and_domain_mismatch_are_invalid() {
    let doc = holder_signed(vec![credential(1)]);
    let l = StaticLoader::with_bundled_contexts();
    let r = run(&l, |v| v.with_presentation_challenge("nonce-2"), &doc);
    assert_code(&r, Status::Invalid, Code::ChallengeMismatch);
    let r = run(&l, |v| v.with_presentation_domain("other.example"), &doc);
    assert_code(&r, Status::Invalid, Code::DomainMismatch);
}

#[test]
fn tampered_presentation_is_invalid() {
    let mut doc = holder_signed(vec![credential(1)]);
    doc["id"] = json!("urn:uuid:0b8e4e3a-1d0a-4f6b-8f0e-000000000001");
    assert_code(&verify(&doc), Status::Invalid, Code::SignatureInvalid);
    // Swapping the embedded credential for another validly signed one also breaks the proof.
    let mut doc = holder_signed(vec![credential(1)]);
    doc["verifiableCredential"][0] = credential(3);
    let r = verify(&doc);
    assert_code(&r, Status::Invalid, Code::SignatureInvalid);
    assert_eq!(r.credentials[0].status(), Status::Valid);
}

#[test]
fn a_key_the_holder_does_not_control_is_invalid() {
    // Signed by the issuer's key, but the holder is another DID.
    let i = issuer();
    let doc = sign_vp(
        &vp(&holder().did_key(), vec![credential(1)]),
        &i,
        &i.verification_method_did_key(),
        "authentication",
    );
    assert_code(
        &verify(&doc),
        Status::Invalid,
        Code::KeyNotControlledByHolder,
    );
    // No holder at all.
    let mut unsigned = vp(&i.did_key(), vec![credential(1)]);
    unsigned.as_object_mut().unwrap().remove("holder");
    let doc = sign_vp(
        &unsigned,
        &i,
        &i.verification_method_did_key(),
        "authentication",
    );
    assert_code(
        &verify(&doc),
        Status::Invalid,
        Code::KeyNotControlledByHolder,
    );
}

#[test]
fn wrong_purpose_is_invalid() {
    let h = holder();
    let doc = sign_vp(
        &vp(&h.did_key(), vec![credential(1)]),
        &h,
        &h.verification_method_did_key(),
        "assertionMethod",
    );
    assert_code(&verify(&doc), Status::Invalid, Code::ProofPurposeMismatch);
}

#[test]
fn one_tampered_credential_makes_the_presentation_invalid() {
    let mut bad = credential(2);
    bad["name"] = json!("Badge 2 (tampered)");
    // The holder signs over the tampered credential: the presentation proof is fine, the
    // credential is not.
    let doc = holder_signed(vec![credential(1), bad]);
    let r = verify(&doc);
    assert_code(&r, Status::Invalid, Code::CredentialInvalid);
    assert!(!r.has_error(Code::SignatureInvalid), "{r:#?}");
    assert_eq!(r.credentials.len(), 2);
    assert_eq!(r.credentials[0].status(), Status::Valid);
    assert_code(&r.credentials[1], Status::Invalid, Code::SignatureInvalid);
}

#[test]
fn an_unchecked_credential_leaves_the_presentation_indeterminate() {
    // Signed by a did:web key whose DID document is not available: could not check. (An
    // unproven credential is invalid: see tests/ob3_verdicts.rs.)
    let i = issuer();
    let unchecked = sign(
        &numbered_credential("did:web:issuer.example", 5),
        &i,
        &ProofOptions::new("did:web:issuer.example#key-1", CREATED),
    )
    .unwrap();
    let doc = holder_signed(vec![credential(1), unchecked]);
    let r = verify(&doc);
    assert_code(&r, Status::Indeterminate, Code::CredentialUnchecked);
    assert_code(&r.credentials[1], Status::Indeterminate, Code::FetchFailed);
}

#[test]
fn unsigned_presentation_is_reported_as_such() {
    let doc = vp(&holder().did_key(), vec![credential(1)]);
    let r = verify(&doc);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_eq!(r.proof, None);
    assert!(
        r.warnings
            .iter()
            .any(|w| w.code == Code::PresentationUnsigned)
    );
    assert!(
        !r.checks
            .iter()
            .any(|c| c.id == "presentation-proof" && c.message.contains("verifies"))
    );
    // A verifier that asked for a challenge gets no proof of possession: invalid.
    let r = run(
        &StaticLoader::with_bundled_contexts(),
        |v| v.with_presentation_challenge("nonce-1"),
        &doc,
    );
    assert_code(&r, Status::Invalid, Code::ChallengeMismatch);
}

#[test]
fn enveloped_vc_jwt_credentials_are_verified() {
    let i = issuer();
    let k = SecretKey::from_pkcs8_der(&ed25519_pkcs8(&[1u8; 32])).unwrap();
    let jwt = vc_jwt::issue(
        &numbered_credential(&i.did_key(), 7),
        &k,
        &HeaderKey::Kid(i.verification_method_did_key()),
    )
    .unwrap();
    let env = |t: &str| {
        json!({"@context": VC2, "type": "EnvelopedVerifiableCredential",
               "id": format!("data:application/vc+jwt,{t}")})
    };
    let doc = holder_signed(vec![env(&jwt), credential(1)]);
    let r = verify(&doc);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_eq!(r.credentials[0].proof.as_deref(), Some("vc-jwt"));
    // A forged token (payload of another credential, same signature) is invalid.
    let other = vc_jwt::issue(
        &numbered_credential(&i.did_key(), 8),
        &k,
        &HeaderKey::Kid(i.verification_method_did_key()),
    )
    .unwrap();
    let parts: Vec<&str> = jwt.split('.').collect();
    let other_parts: Vec<&str> = other.split('.').collect();
    let forged = format!("{}.{}.{}", parts[0], other_parts[1], parts[2]);
    let doc = holder_signed(vec![env(&forged)]);
    let r = verify(&doc);
    assert_code(&r, Status::Invalid, Code::CredentialInvalid);
    assert_code(&r.credentials[0], Status::Invalid, Code::SignatureInvalid);
}

#[test]
fn did_web_holder_must_list_the_key_under_authentication() {
    let h = holder();
    let did = "did:web:holder.example";
    let vm = format!("{did}#key-1");
    let key = json!({"id": vm, "type": "Multikey", "controller": did,
                     "publicKeyMultibase": h.multikey().encode()});
    let doc = sign_vp(&vp(did, vec![credential(1)]), &h, &vm, "authentication");
    let url = "https://holder.example/.well-known/did.json";
    let serve = |did_doc: Value| {
        let mut l = StaticLoader::with_bundled_contexts();
        l.insert_json(url, &did_doc);
        l
    };
    // Listed by reference.
    let l = serve(
        json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [key.clone()], "authentication": [vm.clone()]}),
    );
    let r = run(&l, |v| v, &doc);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    // Embedded under authentication.
    let l = serve(
        json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "authentication": [key.clone()]}),
    );
    assert_eq!(run(&l, |v| v, &doc).status(), Status::Valid);
    // Only an assertionMethod key: not for presenting.
    let l = serve(
        json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [key], "assertionMethod": [vm]}),
    );
    assert_code(
        &run(&l, |v| v, &doc),
        Status::Invalid,
        Code::KeyNotControlledByHolder,
    );
    // The DID document is not available: could not check.
    let r = run(&StaticLoader::with_bundled_contexts(), |v| v, &doc);
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
}

#[test]
fn vp_jwt_is_unsupported_not_invalid() {
    let k = SecretKey::from_pkcs8_der(&ed25519_pkcs8(&[2u8; 32])).unwrap();
    let payload = json!({"iss": holder().did_key(), "vp": vp(&holder().did_key(), vec![])});
    let token =
        openbadges_proof::jws::sign(&serde_json::to_vec(&payload).unwrap(), &k, None).unwrap();
    let r = StaticLoader::with_bundled_contexts();
    let rep = Verifier::new(&r).verify_bytes("vp.jwt", token.as_bytes());
    assert_code(&rep, Status::Indeterminate, Code::Unsupported);
}
