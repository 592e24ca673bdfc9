//! eddsa-rdfc-2022 against the 1EdTech spec vectors (OB 3.0 and CLR 2.0): hashes, exact
//! proofValue reproduction, verification, tampering, and negative cases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_proof::data_integrity::{
    DiCode, Ed25519Signer, Outcome, ProofOptions, VerifyOptions, canonical_nquads, hash_data, sign,
    verify,
};
use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Value, json};

fn read(p: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/ob3/{p}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}
fn json_of(p: &str) -> Value {
    serde_json::from_str(&read(p)).unwrap()
}
fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
fn first_proof(v: &Value) -> Value {
    match &v["proof"] {
        Value::Array(a) => a[0].clone(),
        p => p.clone(),
    }
}
/// The controller document of the vectors' issuer `https://example.edu/issuers/565049`,
/// listing the vectors' key under `assertionMethod` (what that issuer would publish; the URL
/// does not serve it, so it is preloaded).
fn vector_issuer_documents() -> &'static HashMap<String, Value> {
    static DOCS: LazyLock<HashMap<String, Value>> = LazyLock::new(|| {
        let k = keys("obv3p0");
        let vm = k["verificationMethod"].as_str().unwrap();
        let issuer = "https://example.edu/issuers/565049";
        let mut m = HashMap::new();
        m.insert(
            issuer.to_owned(),
            json!({"id": issuer,
                   "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer,
                                           "publicKeyMultibase": k["publicKeyMultibase"]}],
                   "assertionMethod": [vm]}),
        );
        m
    });
    &DOCS
}

/// Verify options with the vectors' issuer document preloaded.
fn vopts() -> VerifyOptions<'static> {
    VerifyOptions {
        documents: Some(vector_issuer_documents()),
        ..VerifyOptions::default()
    }
}

fn keys(prefix: &str) -> Value {
    json_of(&format!("spec-vectors/{prefix}-keys-and-hashes.json"))
}
fn signer(prefix: &str) -> Ed25519Signer {
    let k = keys(prefix);
    let seed: [u8; 32] = hex(k["private_key_hex"].as_str().unwrap())[..32]
        .try_into()
        .unwrap();
    Ed25519Signer::from_seed(&seed).unwrap()
}

fn hashes_match(prefix: &str) {
    let k = keys(prefix);
    let signed = json_of(&format!(
        "spec-vectors/{prefix}-signed-eddsa-rdfc-2022.json"
    ));
    let data = hash_data(&signed, &first_proof(&signed)).unwrap();
    assert_eq!(data.to_vec(), hex(k["data_to_sign_hex"].as_str().unwrap()));
    assert_eq!(
        data[..32].to_vec(),
        hex(k["proof_hash_hex"].as_str().unwrap())
    );
    assert_eq!(
        data[32..].to_vec(),
        hex(k["document_hash_hex"].as_str().unwrap())
    );
    let unsigned = json_of(&format!("spec-vectors/{prefix}-unsigned.json"));
    assert_eq!(
        canonical_nquads(&unsigned).unwrap(),
        read(&format!("spec-vectors/{prefix}-document-canon.nq"))
    );
}

fn signing_reproduces_proof_value(prefix: &str) {
    let k = keys(prefix);
    let s = signer(prefix);
    assert_eq!(
        s.multikey().encode(),
        k["publicKeyMultibase"].as_str().unwrap()
    );
    let unsigned = json_of(&format!("spec-vectors/{prefix}-unsigned.json"));
    let signed = json_of(&format!(
        "spec-vectors/{prefix}-signed-eddsa-rdfc-2022.json"
    ));
    let p = first_proof(&signed);
    let opts = ProofOptions::new(
        p["verificationMethod"].as_str().unwrap(),
        p["created"].as_str().unwrap(),
    );
    let ours = sign(&unsigned, &s, &opts).unwrap();
    assert_eq!(ours["proof"]["proofValue"], k["proof_value_multibase"]);
    assert_eq!(ours["proof"], p, "whole proof object equal");
    assert!(verify(&ours, &vopts()).outcome.is_valid());
}

#[test]
fn ob_vector_hashes() {
    hashes_match("obv3p0");
}
#[test]
fn clr_vector_hashes() {
    hashes_match("clrv2p0");
}
#[test]
fn ob_vector_signing_reproduces_published_proof_value() {
    signing_reproduces_proof_value("obv3p0");
}
#[test]
fn clr_vector_signing_reproduces_published_proof_value() {
    signing_reproduces_proof_value("clrv2p0");
}

#[test]
fn vectors_verify_and_tampered_copies_fail() {
    for prefix in ["obv3p0", "clrv2p0"] {
        let ok = verify(
            &json_of(&format!(
                "spec-vectors/{prefix}-signed-eddsa-rdfc-2022.json"
            )),
            &vopts(),
        );
        assert!(ok.outcome.is_valid(), "{prefix}: {ok:?}");
        let bad = verify(
            &json_of(&format!("spec-vectors/{prefix}-signed-TAMPERED-name.json")),
            &vopts(),
        );
        assert_eq!(
            bad.outcome.code(),
            Some(DiCode::SignatureInvalid),
            "{prefix}: {bad:?}"
        );
        assert!(matches!(bad.outcome, Outcome::Invalid { .. }));
    }
}

fn signed_ob() -> Value {
    json_of("spec-vectors/obv3p0-signed-eddsa-rdfc-2022.json")
}

#[test]
fn proof_copied_onto_another_credential_fails() {
    let mut other = json_of("examples/achievementAlignmentCase.json");
    other["issuer"] = signed_ob()["issuer"].clone();
    other["proof"] = signed_ob()["proof"].clone();
    let r = verify(&other, &vopts());
    assert_eq!(r.outcome.code(), Some(DiCode::SignatureInvalid), "{r:?}");
}

#[test]
fn verification_method_swapped_for_another_key_fails() {
    let other = Ed25519Signer::from_seed(&[9u8; 32]).unwrap();
    let mut doc = signed_ob();
    doc["proof"]["verificationMethod"] = json!(format!(
        "https://example.edu/issuers/565049#{}",
        other.multikey().encode()
    ));
    // The issuer's document does not list that key.
    let r = verify(&doc, &vopts());
    assert_eq!(
        r.outcome.code(),
        Some(DiCode::KeyNotListedByIssuer),
        "{r:?}"
    );
    assert!(matches!(r.outcome, Outcome::Invalid { .. }));
    // Even trusting the fragment, the signature is not that key's.
    let dangerous = VerifyOptions {
        dangerous_trust_key_in_https_fragment: true,
        ..vopts()
    };
    let r = verify(&doc, &dangerous);
    assert_eq!(r.outcome.code(), Some(DiCode::SignatureInvalid), "{r:?}");
}

#[test]
fn issuer_not_controller_fails() {
    let mut doc = json_of("spec-vectors/obv3p0-unsigned.json");
    doc["issuer"]["id"] = json!("https://evil.example/issuers/1");
    // Signed by the vector key whose controller is https://example.edu/issuers/565049.
    let s = signer("obv3p0");
    let opts = ProofOptions::new(
        keys("obv3p0")["verificationMethod"].as_str().unwrap(),
        "2010-01-01T19:23:24Z",
    );
    let signed = sign(&doc, &s, &opts).unwrap();
    let r = verify(&signed, &vopts());
    assert_eq!(r.outcome.code(), Some(DiCode::KeyNotOwnedByIssuer), "{r:?}");
}

#[test]
fn undefined_term_is_safe_mode_error_not_silently_unsigned() {
    // VC 1.1 has no @vocab: a misspelled term would be dropped and unsigned.
    let s = signer("obv3p0");
    let mut doc = json_of("dcc-verifier-core/v1OBv3SpecExample.json");
    doc.as_object_mut().unwrap().remove("proof");
    doc["issuer"] = json!("https://example.edu/issuers/565049");
    doc["undefinedTerm"] = json!("claim nobody signs");
    let opts = ProofOptions::new(
        keys("obv3p0")["verificationMethod"].as_str().unwrap(),
        "2024-01-01T00:00:00Z",
    );
    let err = sign(&doc, &s, &opts).unwrap_err();
    assert!(err.to_string().contains("safe mode"), "{err}");
    // And a proof over the document without the term does not cover it: verification fails.
    let mut clean = doc.clone();
    clean.as_object_mut().unwrap().remove("undefinedTerm");
    let mut signed = sign(&clean, &s, &opts).unwrap();
    signed["undefinedTerm"] = json!("claim nobody signs");
    let r = verify(&signed, &vopts());
    assert_eq!(r.outcome.code(), Some(DiCode::JsonLdSafeMode), "{r:?}");
}

#[test]
fn relative_type_is_safe_mode_error() {
    let mut doc = signed_ob();
    doc["credentialSubject"]["achievement"]["criteria"]["type"] = json!("Criteria:relative");
    let mut doc2 = signed_ob();
    doc2["credentialSubject"]["achievement"]["id"] = json!("relative/achievement");
    for d in [doc, doc2] {
        let r = verify(&d, &vopts());
        assert!(matches!(r.outcome, Outcome::Invalid { .. }), "{r:?}");
    }
    let r = verify(&json_of("dcc-verifier-core/safeModeBreaker.json"), &vopts());
    assert_eq!(r.outcome.code(), Some(DiCode::JsonLdSafeMode), "{r:?}");
}

#[test]
fn unknown_context_is_indeterminate() {
    let mut doc = signed_ob();
    doc["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://example.org/unknown-context.jsonld"));
    let r = verify(&doc, &vopts());
    assert_eq!(r.outcome.code(), Some(DiCode::UnknownContext), "{r:?}");
    assert!(matches!(r.outcome, Outcome::Indeterminate { .. }));
}

#[test]
fn wrong_purpose_and_malformed_proof_value() {
    let mut doc = signed_ob();
    doc["proof"]["proofPurpose"] = json!("authentication");
    assert_eq!(
        verify(&doc, &vopts()).outcome.code(),
        Some(DiCode::ProofPurposeMismatch)
    );
    let mut doc = signed_ob();
    doc["proof"]["proofValue"] = json!("u123");
    assert_eq!(
        verify(&doc, &vopts()).outcome.code(),
        Some(DiCode::ProofValueMalformed)
    );
}

#[test]
fn did_key_issuer_round_trip_and_multiple_proofs() {
    let s = Ed25519Signer::from_seed(&[3u8; 32]).unwrap();
    let mut doc = json_of("spec-vectors/obv3p0-unsigned.json");
    doc["issuer"]["id"] = json!(s.did_key());
    let signed = sign(
        &doc,
        &s,
        &ProofOptions::new(s.verification_method_did_key(), "2024-05-01T10:00:00Z"),
    )
    .unwrap();
    assert!(verify(&signed, &vopts()).outcome.is_valid());
    // Bare did:key verification method (no fragment), as the 1EdTech validator accepts.
    let signed2 = sign(
        &doc,
        &s,
        &ProofOptions::new(s.did_key(), "2024-05-01T10:00:00Z"),
    )
    .unwrap();
    assert!(verify(&signed2, &vopts()).outcome.is_valid());
    // An unknown proof type next to a good proof: valid overall, the unknown one reported.
    let mut multi = signed.clone();
    let good = multi["proof"].clone();
    multi["proof"] = json!([{"type": "SomeProofType", "proofValue": "x"}, good]);
    let r = verify(&multi, &vopts());
    assert!(r.outcome.is_valid());
    assert_eq!(
        r.proofs[0].outcome.code(),
        Some(DiCode::UnsupportedProofType)
    );
}

#[test]
fn vc11_document_gets_data_integrity_context_when_signed() {
    let s = Ed25519Signer::from_seed(&[5u8; 32]).unwrap();
    let mut doc = json_of("dcc-verifier-core/v1NoStatus.json");
    doc.as_object_mut().unwrap().remove("proof");
    doc["issuer"]["id"] = json!(s.did_key());
    let signed = sign(
        &doc,
        &s,
        &ProofOptions::new(s.verification_method_did_key(), "2024-01-01T00:00:00Z"),
    )
    .unwrap();
    let ctx = signed["@context"].as_array().unwrap();
    assert_eq!(
        ctx.last().unwrap(),
        "https://w3id.org/security/data-integrity/v2"
    );
    assert_eq!(ctx.len(), doc["@context"].as_array().unwrap().len() + 1);
    assert!(verify(&signed, &vopts()).outcome.is_valid());
}

#[test]
fn https_controller_document_flow() {
    let s = Ed25519Signer::from_seed(&[11u8; 32]).unwrap();
    let issuer = "https://issuer.example/profiles/1";
    let vm = format!("{issuer}#key-1");
    let mut doc = json_of("spec-vectors/obv3p0-unsigned.json");
    doc["issuer"]["id"] = json!(issuer);
    let signed = sign(
        &doc,
        &s,
        &ProofOptions::new(vm.clone(), "2024-01-01T00:00:00Z"),
    )
    .unwrap();
    // Without the controller document: could not check.
    let r = verify(&signed, &VerifyOptions::default());
    assert_eq!(r.outcome.code(), Some(DiCode::VerificationMethodUnresolved));
    assert!(matches!(r.outcome, Outcome::Indeterminate { .. }));
    // With it: valid.
    let method = json!({"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": s.multikey().encode()});
    let mut docs: HashMap<String, Value> = HashMap::new();
    docs.insert(
        issuer.into(),
        json!({"id": issuer, "verificationMethod": [method.clone()], "assertionMethod": [vm]}),
    );
    let opts = VerifyOptions {
        documents: Some(&docs),
        ..VerifyOptions::default()
    };
    assert!(verify(&signed, &opts).outcome.is_valid());
    // Listed but not authorized for assertionMethod.
    docs.insert(
        issuer.into(),
        json!({"id": issuer, "verificationMethod": [method]}),
    );
    let opts = VerifyOptions {
        documents: Some(&docs),
        ..VerifyOptions::default()
    };
    assert_eq!(
        verify(&signed, &opts).outcome.code(),
        Some(DiCode::KeyNotAuthorized)
    );
}
