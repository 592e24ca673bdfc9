//! The facade's `Issuer` publishes its Data Integrity key in `profile.json` (under
//! `assertionMethod`), and the facade's `Verifier` trusts an `https://…/profile.json#z6Mk…` key
//! only through that document: a credential a forger signs in the issuer's name, with a key of
//! their own in the fragment, is never valid — offline it could not be checked, with the
//! issuer's document it is invalid. The dangerous builder option restores the shortcut.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges::model::Identity;
use openbadges::proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::{Code, Report, Status};
use openbadges::{Badge, IssueOptions, Issued, Issuer, IssuerKeys, IssuerProfile, Verifier};
use serde_json::Value;

fn issue() -> (Issuer, Issued) {
    let profile = IssuerProfile::new("Example University", "badges@example.org");
    let iss = Issuer::new(
        "https://badges.example.org/app/",
        profile,
        IssuerKeys::generate(Algorithm::EdDsa).unwrap(),
    )
    .unwrap();
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/served/badge.png"
    ))
    .unwrap();
    let badge = Badge::new("b101", "Badges 101", "Knows badges.", "Pass the quiz.").image(png);
    let issued = iss
        .issue(
            &Identity::email("learner@example.org"),
            &badge,
            &IssueOptions::new().status_list(false),
        )
        .unwrap();
    (iss, issued)
}

/// The issuer's credential re-signed by a forger with `profile.json#z6Mk<forger>`.
fn forged(iss: &Issuer, issued: &Issued) -> Value {
    let attacker = Ed25519Signer::from_seed(&[66u8; 32]).unwrap();
    let mut cred = issued.ob3_credential.clone().unwrap();
    cred.as_object_mut().unwrap().remove("proof");
    cred["name"] = "Forged".into();
    let vm = format!("{}#{}", iss.ob3_profile_id(), attacker.multikey().encode());
    sign(
        &cred,
        &attacker,
        &ProofOptions::new(vm, "2025-01-01T00:00:00Z"),
    )
    .unwrap()
}

fn verify(v: &Verifier, doc: &Value) -> Report {
    v.verify_bytes("credential.json", &serde_json::to_vec(doc).unwrap())
}

#[test]
fn forged_fragment_key_in_the_issuers_name_is_never_valid() {
    let (iss, issued) = issue();
    let forged = forged(&iss, &issued);
    let offline = Verifier::builder().build().unwrap();
    let r = verify(&offline, &forged);
    assert_eq!(r.status(), Status::Indeterminate, "{}", r.to_json_line());
    assert!(r.has_error(Code::FetchFailed), "{}", r.to_json_line());
    let with_docs = Verifier::builder().hosted(&issued.hosted).build().unwrap();
    let r = verify(&with_docs, &forged);
    assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
    assert!(
        r.has_error(Code::KeyNotListedByIssuer),
        "{}",
        r.to_json_line()
    );
}

#[test]
fn the_issuers_own_credential_verifies_through_its_published_profile_only() {
    let (_, issued) = issue();
    let cred = issued.ob3_credential.clone().unwrap();
    let with_docs = Verifier::builder().hosted(&issued.hosted).build().unwrap();
    let r = verify(&with_docs, &cred);
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    let offline = Verifier::builder().build().unwrap();
    let r = verify(&offline, &cred);
    assert_eq!(r.status(), Status::Indeterminate, "{}", r.to_json_line());
}

#[test]
fn dangerous_trust_key_in_https_fragment_is_the_only_way_to_accept_the_forgery() {
    let (iss, issued) = issue();
    let dangerous = Verifier::builder()
        .dangerous_trust_key_in_https_fragment(true)
        .build()
        .unwrap();
    let r = verify(&dangerous, &forged(&iss, &issued));
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
}
