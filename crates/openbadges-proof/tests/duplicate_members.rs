//! Duplicate JSON member names in signed and fetched documents. serde_json keeps the last of
//! two members with one name, SQLite's `json_extract` and other readers the first: a document
//! signed over one reading must not verify when another reader sees something else. Each case
//! is validly signed over the last value, so that only the refusal of duplicates (RFC 7493
//! I-JSON) stands between it and "valid".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges_proof::jws;
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::vc_jwt::{self, HeaderKey};
use openbadges_proof::verify::Verifier;
use serde_json::{Value, json};

mod common;
use common::{
    OB2_BASE, OB2_ISSUER_DOCS, ob2_fixture_key, ob2_loader, ob2_signed_payload, ob3_credential,
    served, sign_compact_bytes, signed_by_did_key,
};

fn verify(loader: &StaticLoader, input: &[u8]) -> Report {
    let clock = common::clock();
    Verifier::new(loader)
        .with_clock(&clock)
        .verify_bytes("dup", input)
}

/// Inserts `"name": value,` right after the first `{` of `text`: a first member that
/// serde_json's "last one wins" hides when the document already has `name`.
fn with_hidden_first(text: &str, name: &str, value: &Value) -> String {
    let (head, tail) = text.split_once('{').unwrap();
    format!("{head}{{\"{name}\":{value},{tail}")
}

/// Refused as checked-and-wrong, with the pointer of the duplicate in a finding.
fn assert_refused(r: &Report, code: Code, pointer: &str) {
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    let found = r.errors.iter().any(|f| {
        f.code == code
            && f.message
                .contains(&format!("duplicate member name at {pointer}"))
    });
    assert!(found, "expected {code} naming {pointer}: {r:#?}");
}

#[test]
fn signed_ob2_assertion_with_a_duplicate_recipient_is_refused() {
    let payload = ob2_signed_payload();
    let key = ob2_fixture_key();
    // Control: the same payload without the duplicate verifies.
    let clean = jws::sign(&serde_json::to_vec(&payload).unwrap(), &key, None).unwrap();
    assert_eq!(
        verify(&ob2_loader(OB2_ISSUER_DOCS), clean.as_bytes()).status(),
        Status::Valid
    );
    // A first `recipient` for readers that keep the first member; serde_json keeps the last.
    let text = with_hidden_first(
        &serde_json::to_string(&payload).unwrap(),
        "recipient",
        &json!({"type": "email", "hashed": false, "identity": "mallory@example.org"}),
    );
    let token = jws::sign(text.as_bytes(), &key, None).unwrap();
    assert_refused(
        &verify(&ob2_loader(OB2_ISSUER_DOCS), token.as_bytes()),
        Code::MalformedJson,
        "/recipient",
    );
}

#[test]
fn fetched_ob2_issuer_profile_with_a_duplicate_key_list_is_refused() {
    // The issuer profile lists its key twice under one name: which one counts depends on the
    // reader.
    let issuer = String::from_utf8(served("issuer.json")).unwrap();
    let doctored = with_hidden_first(
        &issuer,
        "publicKey",
        &json!("https://evil.example/key.json"),
    );
    let mut l = ob2_loader(OB2_ISSUER_DOCS);
    l.insert(
        &format!("{OB2_BASE}/issuer.json"),
        None,
        doctored.as_bytes(),
    );
    let r = verify(&l, &served("signed/valid.jws"));
    assert_refused(&r, Code::MalformedJson, "/publicKey");
}

#[test]
fn eddsa_rdfc_2022_credential_with_a_duplicate_subject_is_refused() {
    let s = Ed25519Signer::from_seed(&[7u8; 32]).unwrap();
    let signed = signed_by_did_key(&ob3_credential(&s.did_key()), &s, "2024-01-01T00:00:00Z");
    let l = StaticLoader::with_bundled_contexts();
    let text = serde_json::to_string(&signed).unwrap();
    assert_eq!(verify(&l, text.as_bytes()).status(), Status::Valid);
    let doctored = with_hidden_first(
        &text,
        "credentialSubject",
        &json!({"id": "did:example:mallory", "type": ["AchievementSubject"]}),
    );
    assert_refused(
        &verify(&l, doctored.as_bytes()),
        Code::MalformedJson,
        "/credentialSubject",
    );
}

const JWT_ISSUER: &str = "https://issuer.example/issuers/1";
const JWKS: &str = "https://issuer.example/.well-known/jwks.json";

fn jwt_loader(key: &SecretKey) -> StaticLoader {
    let mut l = StaticLoader::with_bundled_contexts();
    l.insert_json(JWKS, &json!({"keys": [key.public_key().to_jwk()]}));
    l
}

fn payload_text(token: &str) -> String {
    let p = token.split('.').nth(1).unwrap();
    String::from_utf8(URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

fn signed_raw(header: &str, payload: &str, key: &SecretKey) -> String {
    sign_compact_bytes(header.as_bytes(), payload.as_bytes(), key)
}

#[test]
fn vc_jwt_payload_with_a_duplicate_claim_is_refused() {
    let key = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let l = jwt_loader(&key);
    let token = vc_jwt::issue(&ob3_credential(JWT_ISSUER), &key, &HeaderKey::None).unwrap();
    assert_eq!(verify(&l, token.as_bytes()).status(), Status::Valid);
    let payload = with_hidden_first(&payload_text(&token), "sub", &json!("did:example:mallory"));
    let forged = signed_raw(r#"{"alg":"EdDSA","typ":"JWT"}"#, &payload, &key);
    // Without an I-JSON payload the token is not recognised as a VC-JWT; the JWS pipeline then
    // refuses the payload.
    assert_refused(&verify(&l, forged.as_bytes()), Code::MalformedJson, "/sub");
}

#[test]
fn jose_header_with_a_duplicate_alg_is_refused() {
    let key = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let l = jwt_loader(&key);
    let token = vc_jwt::issue(&ob3_credential(JWT_ISSUER), &key, &HeaderKey::None).unwrap();
    let payload = payload_text(&token);
    // Control: a hand-made header without the duplicate verifies.
    let clean = signed_raw(r#"{"alg":"EdDSA","typ":"JWT"}"#, &payload, &key);
    assert_eq!(verify(&l, clean.as_bytes()).status(), Status::Valid);
    // `none` first for libraries that keep the first member.
    let forged = signed_raw(
        r#"{"alg":"none","typ":"JWT","alg":"EdDSA"}"#,
        &payload,
        &key,
    );
    assert_refused(&verify(&l, forged.as_bytes()), Code::MalformedJws, "/alg");
    // The same in an OB 2.0 JWS.
    let ob2 = signed_raw(
        r#"{"alg":"none","alg":"RS256"}"#,
        &serde_json::to_string(&ob2_signed_payload()).unwrap(),
        &ob2_fixture_key(),
    );
    assert_refused(
        &verify(&ob2_loader(OB2_ISSUER_DOCS), ob2.as_bytes()),
        Code::MalformedJws,
        "/alg",
    );
}

#[test]
fn did_web_controller_document_with_a_duplicate_assertion_method_is_refused() {
    let s = Ed25519Signer::from_seed(&[9u8; 32]).unwrap();
    let did = "did:web:issuer.example";
    let vm = format!("{did}#key-1");
    let signed = sign(
        &ob3_credential(did),
        &s,
        &ProofOptions::new(&vm, "2024-01-01T00:00:00Z"),
    )
    .unwrap();
    let text = serde_json::to_vec(&signed).unwrap();
    let doc = json!({"@context": ["https://www.w3.org/ns/did/v1"], "id": did,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": did,
                                "publicKeyMultibase": s.multikey().encode()}],
        "assertionMethod": [vm]});
    let url = "https://issuer.example/.well-known/did.json";
    let mut l = StaticLoader::with_bundled_contexts();
    l.insert(
        url,
        Some("application/json"),
        &serde_json::to_vec(&doc).unwrap(),
    );
    assert_eq!(verify(&l, &text).status(), Status::Valid);
    // The document the issuer publishes authorises nothing for readers that keep the first
    // `assertionMethod`.
    let doctored = with_hidden_first(
        &serde_json::to_string(&doc).unwrap(),
        "assertionMethod",
        &json!([]),
    );
    l.insert(url, Some("application/json"), doctored.as_bytes());
    let r = verify(&l, &text);
    assert_refused(&r, Code::KeyInvalid, "/assertionMethod");
}

#[test]
fn unavailable_or_oversized_controller_documents_stay_could_not_check() {
    let s = Ed25519Signer::from_seed(&[9u8; 32]).unwrap();
    let did = "did:web:issuer.example";
    let vm = format!("{did}#key-1");
    let signed = sign(
        &ob3_credential(did),
        &s,
        &ProofOptions::new(&vm, "2024-01-01T00:00:00Z"),
    )
    .unwrap();
    let text = serde_json::to_vec(&signed).unwrap();
    let url = "https://issuer.example/.well-known/did.json";
    let mut l = StaticLoader::with_bundled_contexts();
    assert_eq!(verify(&l, &text).status(), Status::Indeterminate);
    // Nested past the depth limit: a limit, not a verdict.
    let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    l.insert(url, Some("application/json"), deep.as_bytes());
    assert_eq!(verify(&l, &text).status(), Status::Indeterminate);
}
