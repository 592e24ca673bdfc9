//! The signed exports, checked by the proof crate's verifier: a CLR 2.0 per collection (signed
//! by an issuer key, OB 3.0 credentials verbatim, legacy badges skipped, `precedes`
//! associations in collection order) and a holder-signed VerifiablePresentation — and tampered
//! copies of both rejected.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use openbadges_backpack::export::clr::{ClrOptions, collection_clr};
use openbadges_backpack::export::vp::signed_presentation_for;
use openbadges_backpack::{Backpack, BadgeId, Collection, Error, MemoryStore, Source};
use openbadges_model::Severity;
use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges_proof::key::SecretKey;
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::vc_jwt::{self, HeaderKey};
use openbadges_proof::verify::{FixedClock, Verifier};
use serde_json::{Value, json};

const SUBJECT: &str = "did:example:ebfeb1f712ebc6f1c276e12ec21";
const CREATED: &str = "2025-02-03T04:05:06Z";

fn issuer() -> Ed25519Signer {
    Ed25519Signer::from_seed(&[11u8; 32]).unwrap()
}

fn unsigned(n: u32) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("urn:uuid:5e0f2a58-1a3c-4c1e-8d6f-7a0b9c2d4e{n:02}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer().did_key(), "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": format!("Badge {n}"),
        "credentialSubject": {"type": ["AchievementSubject"], "id": SUBJECT,
            "achievement": {
                "id": format!("urn:uuid:9c1d7e22-3b4a-4f5e-8a6b-1c2d3e4f5a{n:02}"),
                "type": ["Achievement"], "name": format!("Achievement {n}"),
                "description": "D", "criteria": {"narrative": "C"}}}
    })
}

fn signed(n: u32) -> Value {
    let s = issuer();
    sign(
        &unsigned(n),
        &s,
        &ProofOptions::new(s.verification_method_did_key(), "2024-01-01T00:00:00Z"),
    )
    .unwrap()
}

/// PKCS#8 v1 for an Ed25519 seed.
fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut v = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    v.extend_from_slice(seed);
    v
}

fn jwt(n: u32) -> String {
    let k = SecretKey::from_pkcs8_der(&ed25519_pkcs8(&[11u8; 32])).unwrap();
    vc_jwt::issue(
        &unsigned(n),
        &k,
        &HeaderKey::Kid(issuer().verification_method_did_key()),
    )
    .unwrap()
}

struct Filled {
    bp: Backpack<MemoryStore, FixedVerifier>,
    collection: Collection,
    ob2: BadgeId,
    json1: Value,
}

/// A backpack with a collection: JSON credential 1, an OB 2.0 badge, VC-JWT 3, JSON
/// credential 2, in that order.
fn filled() -> Filled {
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let mut import = |bytes: Vec<u8>, name: &str| -> BadgeId {
        let r = bp.import(&bytes, Source::file(name)).unwrap();
        r.items[0]
            .id
            .clone()
            .unwrap_or_else(|| panic!("{name}: {r:?}"))
    };
    let json1 = signed(1);
    let a = import(serde_json::to_vec(&json1).unwrap(), "one.json");
    let ob2 = import(fixture("ob2/served/hosted/valid.json"), "ob2.json");
    let c = import(jwt(3).into_bytes(), "three.jwt");
    let b = import(serde_json::to_vec(&signed(2)).unwrap(), "two.json");
    let mut collection = Collection::new("My path").unwrap();
    collection.description = "Three badges".into();
    collection.members = vec![a, ob2.clone(), c, b];
    bp.put_collection(collection.clone()).unwrap();
    Filled {
        bp,
        collection,
        ob2,
        json1,
    }
}

fn verify(doc: &Value, v: impl Fn(Verifier<'_>) -> Verifier<'_>) -> Report {
    let loader = StaticLoader::with_bundled_contexts();
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    v(Verifier::new(&loader).with_clock(&clock))
        .verify_bytes("export.json", &serde_json::to_vec(doc).unwrap())
}

#[test]
fn the_collection_clr_is_signed_valid_and_carries_the_credentials_verbatim() {
    let f = filled();
    let signer = Ed25519Signer::from_seed(&[42u8; 32]).unwrap();
    let out = collection_clr(
        f.bp.store(),
        &f.collection.id,
        &signer,
        &ClrOptions::new(CREATED),
    )
    .unwrap();
    let clr = &out.credential;
    // Shape.
    assert_eq!(
        clr["type"],
        json!(["VerifiableCredential", "ClrCredential"])
    );
    assert_eq!(
        clr["@context"][1],
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    );
    assert_eq!(clr["issuer"]["id"], signer.did_key());
    assert_eq!(clr["name"], "My path");
    assert_eq!(clr["validFrom"], CREATED);
    assert_eq!(clr["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(clr["proof"]["proofPurpose"], "assertionMethod");
    let subject = &clr["credentialSubject"];
    assert_eq!(subject["type"], json!(["ClrSubject"]));
    assert_eq!(subject["id"], SUBJECT);
    // The OB 2.0 badge is skipped and listed; the rest go in verbatim, in order.
    assert_eq!(out.skipped.len(), 1);
    assert_eq!(out.skipped[0].id, f.ob2);
    let vcs = subject["verifiableCredential"].as_array().unwrap();
    assert_eq!(vcs.len(), 3);
    assert_eq!(vcs[0], f.json1);
    assert_eq!(vcs[1]["type"], "EnvelopedVerifiableCredential");
    assert_eq!(
        vcs[1]["id"].as_str().unwrap(),
        format!("data:application/vc+jwt,{}", jwt(3))
    );
    assert_eq!(vcs[2], signed(2));
    // Achievements once each, `precedes` in collection order.
    let ach: Vec<&str> = subject["achievement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let aid = |n: u32| format!("urn:uuid:9c1d7e22-3b4a-4f5e-8a6b-1c2d3e4f5a{n:02}");
    assert_eq!(ach, vec![aid(1), aid(3), aid(2)]);
    assert_eq!(
        subject["association"],
        json!([
            {"type": "Association", "associationType": "precedes", "sourceId": aid(1), "targetId": aid(3)},
            {"type": "Association", "associationType": "precedes", "sourceId": aid(3), "targetId": aid(2)},
        ])
    );
    // Our model: no structural error.
    let errors: Vec<_> = openbadges_model::ob3::validate(clr, None)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Our verifier: the CLR's proof and every embedded credential.
    let r = verify(clr, |v| v);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_eq!(r.version.as_deref(), Some("clr-2.0"));
    assert_eq!(r.credentials.len(), 3);
    assert!(r.credentials.iter().all(|c| c.status() == Status::Valid));
    assert_eq!(r.credentials[1].proof.as_deref(), Some("vc-jwt"));
    // Deterministic: the same inputs give the same CLR.
    let again = collection_clr(
        f.bp.store(),
        &f.collection.id,
        &signer,
        &ClrOptions::new(CREATED),
    )
    .unwrap();
    assert_eq!(again.credential, out.credential);
}

#[test]
fn a_tampered_clr_is_rejected() {
    let f = filled();
    let signer = Ed25519Signer::from_seed(&[42u8; 32]).unwrap();
    let clr = collection_clr(
        f.bp.store(),
        &f.collection.id,
        &signer,
        &ClrOptions::new(CREATED),
    )
    .unwrap()
    .credential;
    let mut t = clr.clone();
    t["name"] = json!("My path (tampered)");
    let r = verify(&t, |v| v);
    assert_eq!(r.status(), Status::Invalid);
    assert!(r.has_error(Code::SignatureInvalid), "{r:#?}");
    // An embedded credential changed: the CLR's proof and that credential's proof both fail.
    let mut t = clr.clone();
    t["credentialSubject"]["verifiableCredential"][0]["name"] = json!("Badge 1 (tampered)");
    let r = verify(&t, |v| v);
    assert_eq!(r.status(), Status::Invalid);
    assert_eq!(r.credentials[0].status(), Status::Invalid);
    assert!(r.credentials[0].has_error(Code::SignatureInvalid));
    // An association dropped.
    let mut t = clr;
    t["credentialSubject"]["association"]
        .as_array_mut()
        .unwrap()
        .pop();
    assert_eq!(verify(&t, |v| v).status(), Status::Invalid);
}

#[test]
fn an_https_issuer_id_signs_with_its_published_key() {
    let f = filled();
    let signer = Ed25519Signer::from_seed(&[42u8; 32]).unwrap();
    let mut o = ClrOptions::new(CREATED);
    o.issuer_id = Some("https://registrar.example/issuer".into());
    o.issuer_name = Some("Registrar".into());
    let clr = collection_clr(f.bp.store(), &f.collection.id, &signer, &o)
        .unwrap()
        .credential;
    assert_eq!(clr["issuer"]["name"], "Registrar");
    assert_eq!(
        clr["proof"]["verificationMethod"],
        format!(
            "https://registrar.example/issuer#{}",
            signer.multikey().encode()
        )
    );
    // The key in the fragment alone proves nothing: without the registrar's controller
    // document the CLR could not be checked…
    let r = verify(&clr, |v| v);
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
    // …with it (the method under assertionMethod), it verifies.
    let vm = clr["proof"]["verificationMethod"].as_str().unwrap();
    let issuer = "https://registrar.example/issuer";
    let mut loader = StaticLoader::with_bundled_contexts();
    loader.insert_json(
        issuer,
        &json!({"id": issuer,
                "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer,
                                        "publicKeyMultibase": signer.multikey().encode()}],
                "assertionMethod": [vm]}),
    );
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let r = Verifier::new(&loader)
        .with_clock(&clock)
        .verify_bytes("export.json", &serde_json::to_vec(&clr).unwrap());
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
}

#[test]
fn a_collection_without_verifiable_credentials_has_no_clr() {
    let mut f = filled();
    let mut c = Collection::new("Legacy").unwrap();
    c.members = vec![f.ob2.clone()];
    f.bp.put_collection(c.clone()).unwrap();
    let signer = Ed25519Signer::from_seed(&[42u8; 32]).unwrap();
    let e = collection_clr(f.bp.store(), &c.id, &signer, &ClrOptions::new(CREATED)).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
}

fn with_nonce(v: Verifier<'_>) -> Verifier<'_> {
    v.with_presentation_challenge("n-0S6_WzA2Mj")
        .with_presentation_domain("verifier.example")
}

#[test]
fn the_holder_signed_presentation_verifies_and_tampering_is_caught() {
    let f = filled();
    let holder = Ed25519Signer::from_seed(&[43u8; 32]).unwrap();
    let ids: Vec<BadgeId> = f
        .collection
        .members
        .iter()
        .filter(|id| **id != f.ob2)
        .cloned()
        .collect();
    let vp = signed_presentation_for(
        f.bp.store(),
        &ids,
        &holder,
        CREATED,
        Some("n-0S6_WzA2Mj"),
        Some("verifier.example"),
    )
    .unwrap();
    assert_eq!(vp["holder"], holder.did_key());
    assert_eq!(vp["proof"]["challenge"], "n-0S6_WzA2Mj");
    let r = verify(&vp, with_nonce);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_eq!(r.credentials.len(), 3);
    // Another verifier's challenge.
    let r = verify(&vp, |v| v.with_presentation_challenge("other"));
    assert!(r.has_error(Code::ChallengeMismatch), "{r:#?}");
    // Tampered.
    let mut t = vp.clone();
    t["verifiableCredential"].as_array_mut().unwrap().remove(0);
    let r = verify(&t, with_nonce);
    assert_eq!(r.status(), Status::Invalid);
    assert!(r.has_error(Code::SignatureInvalid), "{r:#?}");
}
