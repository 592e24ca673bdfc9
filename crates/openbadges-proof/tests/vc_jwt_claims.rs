//! VC Data Model 1.1 JWT decoding (§6.3.1): each registered claim becomes the credential
//! property it stands for, never overwriting one the credential has.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use openbadges_proof::vc_jwt::credential_from_claims;
use serde_json::{Value, json};

fn vc11() -> Value {
    json!({
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": {"type": "AchievementSubject"}
    })
}

#[test]
fn jti_becomes_id() {
    let c = credential_from_claims(&json!({"jti": "urn:uuid:1", "vc": vc11()}));
    assert_eq!(c["id"], "urn:uuid:1");
}

#[test]
fn iss_becomes_issuer_or_the_issuer_objects_id() {
    let c = credential_from_claims(&json!({"iss": "did:example:i", "vc": vc11()}));
    assert_eq!(c["issuer"], "did:example:i");
    let mut v = vc11();
    v["issuer"] = json!({"type": "Profile", "name": "I"});
    let c = credential_from_claims(&json!({"iss": "did:example:i", "vc": v}));
    assert_eq!(
        c["issuer"],
        json!({"type": "Profile", "name": "I", "id": "did:example:i"})
    );
}

#[test]
fn sub_becomes_the_subject_id() {
    let c = credential_from_claims(&json!({"sub": "did:example:me", "vc": vc11()}));
    assert_eq!(c["credentialSubject"]["id"], "did:example:me");
}

#[test]
fn nbf_becomes_issuance_date_or_valid_from() {
    let c = credential_from_claims(&json!({"nbf": 1_262_304_000, "vc": vc11()}));
    assert_eq!(c["issuanceDate"], "2010-01-01T00:00:00Z");
    assert!(c.get("validFrom").is_none());
    let mut v2 = vc11();
    v2["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    let c = credential_from_claims(&json!({"nbf": 1_262_304_000, "vc": v2}));
    assert_eq!(c["validFrom"], "2010-01-01T00:00:00Z");
    assert!(c.get("issuanceDate").is_none());
}

#[test]
fn exp_becomes_expiration_date_or_valid_until() {
    let c = credential_from_claims(&json!({"exp": 1_893_456_000, "vc": vc11()}));
    assert_eq!(c["expirationDate"], "2030-01-01T00:00:00Z");
    let mut v2 = vc11();
    v2["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    let c = credential_from_claims(&json!({"exp": 1_893_456_000, "vc": v2}));
    assert_eq!(c["validUntil"], "2030-01-01T00:00:00Z");
}

#[test]
fn claims_never_overwrite_the_credential() {
    let mut v = vc11();
    v["id"] = json!("urn:uuid:own");
    v["issuer"] = json!("did:example:own");
    v["issuanceDate"] = json!("2020-01-01T00:00:00Z");
    v["expirationDate"] = json!("2031-01-01T00:00:00Z");
    v["credentialSubject"]["id"] = json!("did:example:own-subject");
    let claims = json!({"jti": "urn:uuid:other", "iss": "did:example:other", "sub": "did:example:x",
        "nbf": 1, "exp": 2, "vc": v.clone()});
    assert_eq!(credential_from_claims(&claims), v);
}

#[test]
fn payloads_without_a_vc_claim_are_returned_as_they_are() {
    // A VC 2.0 JOSE credential: the claims are the credential (its `vc` member is data).
    let v20 =
        json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "vc": {"a": 1}, "iss": "x"});
    assert_eq!(credential_from_claims(&v20), v20);
    // An OB 2.0 signed assertion.
    let ob2 = json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"});
    assert_eq!(credential_from_claims(&ob2), ob2);
    // A `vc` claim that is not an object.
    let odd = json!({"vc": "text", "iss": "x"});
    assert_eq!(credential_from_claims(&odd), odd);
}
