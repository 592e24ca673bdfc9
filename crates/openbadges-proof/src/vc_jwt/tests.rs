//! Unit tests of VC-JWT: issue and parse round trip, the JWKS URL of an issuer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use serde_json::{Value, json};

use super::*;
use crate::key::{Algorithm, SecretKey};

fn cred() -> Value {
    json!({"id": "urn:uuid:1", "issuer": "https://example.org/i",
           "validFrom": "2024-01-01T00:00:00Z", "validUntil": "2030-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:a"}})
}

#[test]
fn round_trip_claims_agree() {
    let k = SecretKey::generate(Algorithm::Es256).unwrap();
    let t = issue(&cred(), &k, &HeaderKey::Jwk).unwrap();
    let j = VcJwt::parse(&t).unwrap();
    assert!(j.claim_problems().is_empty(), "{:?}", j.claim_problems());
    assert_eq!(j.claims()["exp"], 1_893_456_000);
    assert_eq!(j.credential(), &cred());
    assert_eq!(j.header_key().unwrap().as_ref(), Some(k.public_key()));
}

#[test]
fn jwks_url_of_issuer() {
    assert_eq!(
        jwks_url("https://example.org/issuers/1").as_deref(),
        Some("https://example.org/.well-known/jwks.json")
    );
    assert_eq!(jwks_url("urn:uuid:1"), None);
}
