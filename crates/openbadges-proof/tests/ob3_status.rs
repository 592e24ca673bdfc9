//! The OB 3.0 pipeline on Data Integrity credentials: status lists (revoked and suspended
//! bits, a forged list, an unreachable list, a 1EdTech revocation list), validity dates,
//! issuer ≠ controller, a proof copied onto another credential, recipient identifiers,
//! refresh service, endorsements and CLR contents reported per credential.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::data_integrity::Ed25519Signer;
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::verify::{RecipientProfile, Verifier};
use serde_json::{Value, json};

mod common;
use common::{assert_code, ob3_credential, signed_by_did_key};

const LIST: &str = "https://status.example/lists/1";

fn signer() -> Ed25519Signer {
    Ed25519Signer::from_seed(&[9u8; 32]).unwrap()
}

/// The shared sample credential, with the OB 3.0 extensions context too.
fn credential(issuer: &str) -> Value {
    let mut v = ob3_credential(issuer);
    v["@context"].as_array_mut().unwrap().push(json!(
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    ));
    v
}

fn signed(doc: &Value) -> Value {
    let s = signer();
    signed_by_did_key(doc, &s, "2024-01-01T00:00:00Z")
}

fn status_list(purpose: &str, set: &[usize]) -> Value {
    let mut bits = vec![0u8; 16 * 1024];
    for &i in set {
        bits[i / 8] |= 0x80 >> (i % 8);
    }
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&bits).unwrap();
    let encoded = format!("u{}", URL_SAFE_NO_PAD.encode(e.finish().unwrap()));
    signed(&json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": signer().did_key(),
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": format!("{LIST}#list"), "type": "BitstringStatusList",
                              "statusPurpose": purpose, "encodedList": encoded}
    }))
}

fn with_status(purpose: &str, index: usize) -> Value {
    let mut c = credential(&signer().did_key());
    c["credentialStatus"] = json!({"id": format!("{LIST}#{index}"), "type": "BitstringStatusListEntry",
        "statusPurpose": purpose, "statusListIndex": index.to_string(), "statusListCredential": LIST});
    signed(&c)
}

fn run(l: &StaticLoader, doc: &Value) -> Report {
    let clock = common::clock();
    Verifier::new(l)
        .with_clock(&clock)
        .verify_bytes("c.json", &serde_json::to_vec(doc).unwrap())
}

fn loader_with(list: &Value) -> StaticLoader {
    let mut l = StaticLoader::with_bundled_contexts();
    l.insert_json(LIST, list);
    l
}

#[test]
fn bitstring_revocation_and_suspension() {
    let l = loader_with(&status_list("revocation", &[5]));
    assert_eq!(
        run(&l, &with_status("revocation", 4)).status(),
        Status::Valid
    );
    assert_code(
        &run(&l, &with_status("revocation", 5)),
        Status::Invalid,
        Code::Revoked,
    );
    let l = loader_with(&status_list("suspension", &[7]));
    assert_code(
        &run(&l, &with_status("suspension", 7)),
        Status::Invalid,
        Code::Suspended,
    );
    // The entry's purpose is not the list's: could not check.
    assert_code(
        &run(&l, &with_status("revocation", 7)),
        Status::Indeterminate,
        Code::StatusUnchecked,
    );
    // A forged list (its proof no longer verifies): could not check, never valid.
    let mut forged = status_list("revocation", &[]);
    forged["credentialSubject"]["encodedList"] =
        status_list("revocation", &[5])["credentialSubject"]["encodedList"].clone();
    assert_code(
        &run(&loader_with(&forged), &with_status("revocation", 4)),
        Status::Indeterminate,
        Code::StatusUnchecked,
    );
    // Unreachable list.
    let empty = StaticLoader::with_bundled_contexts();
    assert_code(
        &run(&empty, &with_status("revocation", 4)),
        Status::Indeterminate,
        Code::StatusUnchecked,
    );
}

#[test]
fn one_edtech_revocation_list() {
    let url = "https://issuer.example/revocations";
    let mut c = credential(&signer().did_key());
    c["credentialStatus"] = json!({"id": url, "type": "1EdTechRevocationList"});
    let c = signed(&c);
    let mut l = StaticLoader::with_bundled_contexts();
    l.insert_json(url, &json!({"id": url, "revokedCredentials": [{"id": c["id"], "revocationReason": "misconduct"}]}));
    assert_code(&run(&l, &c), Status::Invalid, Code::Revoked);
    let mut l = StaticLoader::with_bundled_contexts();
    l.insert_json(
        url,
        &json!({"id": url, "revokedCredentials": [{"id": "urn:uuid:other"}]}),
    );
    assert_eq!(run(&l, &c).status(), Status::Valid);
}

#[test]
fn dates_controller_and_copied_proofs() {
    let l = StaticLoader::with_bundled_contexts();
    let did = signer().did_key();
    let mut c = credential(&did);
    c["validUntil"] = json!("2025-01-01T00:00:00Z");
    assert_code(&run(&l, &signed(&c)), Status::Invalid, Code::Expired);
    let mut c = credential(&did);
    c["validFrom"] = json!("2026-01-01T00:00:00Z");
    assert_code(&run(&l, &signed(&c)), Status::Invalid, Code::NotYetValid);
    // Issuer is not the controller of the verification method.
    let c = signed(&credential("https://issuer.example/i"));
    assert_code(&run(&l, &c), Status::Invalid, Code::KeyNotOwnedByIssuer);
    // A valid proof copied onto another credential.
    let good = signed(&credential(&did));
    assert_eq!(run(&l, &good).status(), Status::Valid);
    let mut other = credential(&did);
    other["name"] = json!("Another badge");
    other["proof"] = good["proof"].clone();
    assert_code(&run(&l, &other), Status::Invalid, Code::SignatureInvalid);
    // Verification method swapped for another key.
    let mut swapped = good.clone();
    let k2 = Ed25519Signer::from_seed(&[10u8; 32]).unwrap();
    swapped["proof"]["verificationMethod"] = json!(k2.verification_method_did_key());
    let r = run(&l, &swapped);
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
}

#[test]
fn recipient_identifiers_refresh_and_endorsements() {
    let l = StaticLoader::with_bundled_contexts();
    let did = signer().did_key();
    let mut c = credential(&did);
    let subject = c["credentialSubject"].as_object_mut().unwrap();
    subject.remove("id");
    // sha256("alice@example.org" + "pepper")
    let hash = ring_sha256(b"alice@example.orgpepper");
    subject.insert("identifier".into(), json!([{"type": "IdentityObject", "hashed": true,
        "identityHash": format!("sha256${hash}"), "identityType": "emailAddress", "salt": "pepper"}]));
    c["refreshService"] =
        json!({"id": "https://issuer.example/refresh", "type": "1EdTechCredentialRefresh"});
    let endorsement = signed(&json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:5f3d9c1e-5b7a-4a07-9b1e-3c2f1d0e9a88",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsed",
        "issuer": {"id": did, "type": ["Profile"]},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e77",
                              "type": ["EndorsementSubject"], "endorsementComment": "good"}
    }));
    c["credentialSubject"]["achievement"]["endorsement"] = json!([endorsement]);
    let c = signed(&c);
    let clock = common::clock();
    let v = Verifier::new(&l).with_clock(&clock);
    let bytes = serde_json::to_vec(&c).unwrap();
    let ok = v
        .clone()
        .with_recipient(
            "email:alice@example.org"
                .parse::<RecipientProfile>()
                .unwrap(),
        )
        .verify_bytes("c", &bytes);
    assert_eq!(ok.status(), Status::Valid, "{ok:#?}");
    assert!(
        ok.warnings
            .iter()
            .any(|w| w.code == Code::RefreshNotFollowed)
    );
    assert_eq!(ok.endorsements.len(), 1);
    assert_eq!(
        ok.endorsements[0].status(),
        Status::Valid,
        "{:#?}",
        ok.endorsements[0]
    );
    let bad = v
        .with_recipient("email:bob@example.org".parse::<RecipientProfile>().unwrap())
        .verify_bytes("c", &bytes);
    assert_code(&bad, Status::Invalid, Code::RecipientMismatch);
}

fn ring_sha256(b: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, b)
        .as_ref()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

#[test]
fn clr_reports_every_embedded_credential() {
    let l = StaticLoader::with_bundled_contexts();
    let did = signer().did_key();
    let good = signed(&credential(&did));
    let mut tampered = good.clone();
    tampered["name"] = json!("Tampered");
    let clr = |embedded: Vec<Value>| {
        signed(&json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:0b9f3c52-0a4e-4b57-8d86-c0f1b5f9d1a3",
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": {"id": did, "type": ["Profile"], "name": "Example"},
            "validFrom": "2024-01-01T00:00:00Z",
            "name": "Transcript",
            "credentialSubject": {"id": "did:example:alice", "type": "ClrSubject",
                                  "verifiableCredential": embedded}
        }))
    };
    let r = run(&l, &clr(vec![good.clone(), good.clone()]));
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_eq!(r.credentials.len(), 2);
    let r = run(&l, &clr(vec![good, tampered]));
    assert_code(&r, Status::Invalid, Code::SignatureInvalid);
    assert_eq!(r.credentials[0].status(), Status::Valid);
    assert_eq!(r.credentials[1].status(), Status::Invalid);
}
