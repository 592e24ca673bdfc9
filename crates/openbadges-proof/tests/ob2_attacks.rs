//! Negative tests, one per attack on OB 2.0 verification: each must be caught with the right
//! code, and "could not check" must never come out as valid or invalid.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::issue;
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::verify::{RecipientProfile, Verifier};
use serde_json::{Value, json};

mod common;
use common::{
    OB2_BASE, OB2_ISSUER_DOCS, assert_invalid, fixtures_dir, ob2_loader, ob2_resigned,
    ob2_signed_payload, served, served_json,
};

/// The issuer's documents from the fixtures (issuer, badge class, key, revocation list) and the
/// hosted assertion.
fn base_loader() -> StaticLoader {
    let mut l = ob2_loader(OB2_ISSUER_DOCS);
    l.insert(
        &format!("{OB2_BASE}/hosted/valid.json"),
        None,
        &served("hosted/valid.json"),
    );
    l
}

fn verify(loader: &StaticLoader, input: &[u8]) -> Report {
    let clock = common::clock();
    Verifier::new(loader)
        .with_clock(&clock)
        .with_recipient(RecipientProfile::new().email("student@example.org"))
        .verify_bytes("attack", input)
}

fn compact(header: &Value, payload: &Value, sig: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(header).unwrap()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(payload).unwrap()),
        URL_SAFE_NO_PAD.encode(sig)
    )
}

#[test]
fn control_the_fixture_signed_badge_is_valid() {
    let r = verify(&base_loader(), &served("signed/valid.jws"));
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
}

#[test]
fn alg_none_is_rejected() {
    let payload = ob2_signed_payload();
    for sig in [&b""[..], b"x"] {
        let t = compact(&json!({"alg": "none"}), &payload, sig);
        let r = verify(&base_loader(), t.as_bytes());
        assert_eq!(r.status(), Status::Invalid, "{r:#?}");
        assert!(r.has_error(Code::AlgorithmNotAllowed) || r.has_error(Code::MalformedJws));
    }
    let t = compact(&json!({"alg": "none"}), &payload, b"x");
    assert_invalid(
        &verify(&base_loader(), t.as_bytes()),
        Code::AlgorithmNotAllowed,
    );
}

#[test]
fn hs256_signed_with_the_public_key_as_secret_is_rejected() {
    let pem = served_json("key.json")["publicKeyPem"]
        .as_str()
        .unwrap()
        .to_string();
    let payload = ob2_signed_payload();
    let header = json!({"alg": "HS256", "typ": "JWT"});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap())
    );
    for secret in [pem.as_bytes(), pem.trim().as_bytes()] {
        let k = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
        let tag = ring::hmac::sign(&k, signing_input.as_bytes());
        let t = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
        assert_invalid(
            &verify(&base_loader(), t.as_bytes()),
            Code::AlgorithmNotAllowed,
        );
    }
}

#[test]
fn algorithm_that_does_not_match_the_key_type_is_rejected() {
    // ES256 header, but the issuer's key is RSA.
    let payload = ob2_signed_payload();
    let ec = SecretKey::generate(Algorithm::Es256).unwrap();
    let t = openbadges_proof::jws::sign(&serde_json::to_vec(&payload).unwrap(), &ec, None).unwrap();
    assert_invalid(
        &verify(&base_loader(), t.as_bytes()),
        Code::AlgorithmNotAllowed,
    );
}

#[test]
fn jws_signed_by_a_key_the_issuer_does_not_list_is_rejected() {
    // The attacker hosts their own key claiming the issuer as owner.
    let attacker = SecretKey::from_pem(
        &std::fs::read_to_string(fixtures_dir(
            "ob2/upstream/mozvalidator-rsa-wrong-private.pem",
        ))
        .unwrap(),
    )
    .unwrap();
    let kid = format!("{OB2_BASE}/attacker-key.json");
    let mut l = base_loader();
    l.insert_json(
        &kid,
        &issue::cryptographic_key(
            &kid,
            &format!("{OB2_BASE}/issuer.json"),
            attacker.public_key(),
        )
        .unwrap(),
    );
    let mut a = ob2_signed_payload();
    a["id"] = json!("urn:uuid:00000000-0000-4000-8000-000000000001");
    let t = issue::sign_assertion(&a, &attacker, Some(&kid)).unwrap();
    assert_invalid(&verify(&l, t.as_bytes()), Code::KeyNotOwnedByIssuer);
    // Without creator: the issuer's own keys are tried, none verifies.
    let t = issue::sign_assertion(&a, &attacker, None).unwrap();
    assert_invalid(&verify(&l, t.as_bytes()), Code::SignatureInvalid);
}

#[test]
fn key_whose_owner_is_another_issuer_is_rejected_both_ways() {
    let evil = SecretKey::generate(Algorithm::Es256).unwrap();
    let kid = format!("{OB2_BASE}/evil-key.json");
    let evil_issuer = format!("{OB2_BASE}/evil-issuer.json");
    let mut l = base_loader();
    l.insert_json(
        &kid,
        &issue::cryptographic_key(&kid, &evil_issuer, evil.public_key()).unwrap(),
    );
    l.insert_json(
        &evil_issuer,
        &issue::issuer_with_key(&json!({"@context": "https://w3id.org/openbadges/v2", "id": evil_issuer, "type": "Issuer", "name": "Evil", "url": "https://evil.example", "email": "e@evil.example"}), &kid, None).unwrap(),
    );
    let a = ob2_signed_payload();
    // 1. The victim issuer does not list the key; the key names the evil issuer.
    let t = issue::sign_assertion(&a, &evil, Some(&kid)).unwrap();
    assert_invalid(&verify(&l, t.as_bytes()), Code::KeyNotOwnedByIssuer);
    // 2. Even if the victim issuer's profile lists the key (e.g. a copy-paste mistake), the
    //    key's owner is the evil issuer: still not the issuer's key.
    let victim = issue::issuer_with_key(&served_json("issuer.json"), &kid, None).unwrap();
    l.insert_json(&format!("{OB2_BASE}/issuer.json"), &victim);
    let r = verify(&l, t.as_bytes());
    assert_invalid(&r, Code::KeyNotOwnedByIssuer);
    assert!(
        r.errors.iter().any(|e| e.message.contains("owned by")),
        "{r:#?}"
    );
}

#[test]
fn badge_class_from_an_origin_the_issuer_policy_does_not_allow_is_rejected() {
    let mut l = base_loader();
    let evil_bc = "http://evil.example/badgeclass.json";
    let mut bc = served_json("badgeclass.json");
    bc["id"] = json!(evil_bc);
    l.insert_json(evil_bc, &bc);
    let mut a = served_json("hosted/valid.json");
    a["id"] = json!(format!("{OB2_BASE}/hosted/evil.json"));
    a["badge"] = json!(evil_bc);
    l.insert_json(&format!("{OB2_BASE}/hosted/evil.json"), &a);
    let r = verify(&l, &serde_json::to_vec(&a).unwrap());
    assert_invalid(&r, Code::OutOfVerificationScope);
    // And an assertion hosted off the issuer's origin.
    let mut a2 = served_json("hosted/valid.json");
    a2["id"] = json!("http://evil.example/assertion.json");
    l.insert_json("http://evil.example/assertion.json", &a2);
    assert_invalid(
        &verify(&l, &serde_json::to_vec(&a2).unwrap()),
        Code::OutOfVerificationScope,
    );
}

fn signed_with_list(list: Value, id: &str) -> Report {
    let mut l = base_loader();
    l.insert_json(&format!("{OB2_BASE}/revocations.json"), &list);
    let mut a = ob2_signed_payload();
    a["id"] = json!(id);
    let t = ob2_resigned(&a);
    verify(&l, t.as_bytes())
}

#[test]
fn revocation_list_with_a_one_element_array_and_as_a_single_object() {
    let id = "urn:uuid:11111111-2222-4333-8444-555555555555";
    for entries in [
        json!([{"id": id, "revocationReason": "r"}]),
        json!({"id": id, "revocationReason": "r"}),
        json!([id]),
        json!(id),
    ] {
        let list = json!({"@context": "https://w3id.org/openbadges/v2", "id": format!("{OB2_BASE}/revocations.json"), "type": "RevocationList", "revokedAssertions": entries});
        assert_invalid(&signed_with_list(list.clone(), id), Code::Revoked);
        let r = signed_with_list(list, "urn:uuid:99999999-2222-4333-8444-555555555555");
        assert_eq!(r.status(), Status::Valid, "{r:#?}");
    }
}

#[test]
fn unreachable_documents_are_indeterminate_never_valid_or_invalid() {
    // Signed badge, issuer documents missing.
    let l = StaticLoader::with_bundled_contexts();
    let r = verify(&l, &served("signed/valid.jws"));
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
    assert!(r.has_error(Code::FetchFailed));
    // Revocation list missing: cannot say it is not revoked.
    let mut l = base_loader();
    l.insert_status(&format!("{OB2_BASE}/revocations.json"), 503);
    let r = verify(&l, &served("signed/valid.jws"));
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
}

#[test]
fn hosted_assertion_answering_410_gone_is_revoked() {
    let mut l = base_loader();
    l.insert_gone(&format!("{OB2_BASE}/hosted/valid.json"));
    assert_invalid(&verify(&l, &served("hosted/valid.json")), Code::Revoked);
}

#[test]
fn the_fetched_copy_is_the_truth_for_hosted_assertions() {
    // The holder edits the expiry away locally; the hosted copy still says expired.
    let mut l = base_loader();
    l.insert(
        &format!("{OB2_BASE}/hosted/valid.json"),
        None,
        &served("hosted/expired.json"),
    );
    let mut expired = served_json("hosted/expired.json");
    expired["id"] = json!(format!("{OB2_BASE}/hosted/valid.json"));
    l.insert_json(&format!("{OB2_BASE}/hosted/valid.json"), &expired);
    assert_invalid(&verify(&l, &served("hosted/valid.json")), Code::Expired);
}

#[test]
fn sign_then_verify_round_trips_for_every_algorithm() {
    for alg in [Algorithm::Rs256, Algorithm::Es256, Algorithm::EdDsa] {
        let key = SecretKey::generate(alg).unwrap();
        let kid = format!("{OB2_BASE}/k-{alg}.json");
        let mut l = base_loader();
        l.insert_json(
            &kid,
            &issue::cryptographic_key(&kid, &format!("{OB2_BASE}/issuer.json"), key.public_key())
                .unwrap(),
        );
        l.insert_json(
            &format!("{OB2_BASE}/issuer.json"),
            &issue::issuer_with_key(&served_json("issuer.json"), &kid, None).unwrap(),
        );
        let t = issue::sign_assertion(&ob2_signed_payload(), &key, Some(&kid)).unwrap();
        let r = verify(&l, t.as_bytes());
        assert_eq!(r.status(), Status::Valid, "{alg}: {r:#?}");
    }
}

/// Serves `body` at the fixture badge class URL.
fn loader_with_badge_class(body: &[u8]) -> StaticLoader {
    let mut l = base_loader();
    l.insert(&format!("{OB2_BASE}/badgeclass.json"), None, body);
    l
}

#[test]
fn forged_jws_whose_badge_url_serves_a_profile_is_not_valid() {
    // Found by the `http_response` fuzz target: a profile (no `issuer`) served at the badge URL
    // ended the pipeline before key discovery, with no failure recorded: "valid" with a forged
    // signature.
    let l = loader_with_badge_class(&served("issuer.json"));
    let r = verify(&l, &served("signed/tampered-signature.jws"));
    assert_invalid(&r, Code::SchemaInvalid);
    let r = verify(&l, &served("signed/valid.jws"));
    assert_invalid(&r, Code::SchemaInvalid);
}

#[test]
fn badge_url_serving_another_class_is_not_a_badge_class() {
    // A document that declares another class is not read as the badge class, nor an issuer
    // profile URL serving a badge class as the issuer.
    let l = loader_with_badge_class(&served("key.json"));
    assert_invalid(
        &verify(&l, &served("signed/valid.jws")),
        Code::SchemaInvalid,
    );
    let mut l = base_loader();
    l.insert(
        &format!("{OB2_BASE}/issuer.json"),
        None,
        &served("badgeclass.json"),
    );
    assert_invalid(
        &verify(&l, &served("signed/valid.jws")),
        Code::SchemaInvalid,
    );
}
