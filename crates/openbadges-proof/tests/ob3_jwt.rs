//! VC-JWT through the full pipeline: every algorithm round-trips, key binding (issuer JWKS,
//! did:jwk, did:key, pinned; unbound → KEY_NOT_BOUND; the dangerous option), and the negative
//! cases: unexpected JOSE header member, `typ`, `alg` not matching the key, `none`, claims
//! disagreeing with the credential, expired, not yet valid, tampered.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::vc_jwt::{self, HeaderKey, KeyPolicy};
use openbadges_proof::verify::{RecipientProfile, Verifier};
use serde_json::{Value, json};

mod common;
use common::{assert_code, ed25519_pkcs8, jws_payload, ob3_credential, sign_compact};

const ISSUER: &str = "https://issuer.example/issuers/1";
const JWKS: &str = "https://issuer.example/.well-known/jwks.json";

/// The shared sample credential, valid until 2030.
fn credential(issuer: &str) -> Value {
    let mut v = ob3_credential(issuer);
    v["validUntil"] = json!("2030-01-01T00:00:00Z");
    v
}

fn jwks_loader(keys: &[&SecretKey]) -> StaticLoader {
    let mut l = StaticLoader::with_bundled_contexts();
    let ks: Vec<Value> = keys.iter().map(|k| k.public_key().to_jwk()).collect();
    l.insert_json(JWKS, &json!({"keys": ks}));
    l
}

fn verify_with(l: &StaticLoader, policy: KeyPolicy, token: &str) -> Report {
    let clock = common::clock();
    Verifier::new(l)
        .with_clock(&clock)
        .with_key_policy(policy)
        .verify_bytes("t.jwt", token.as_bytes())
}

fn verify(l: &StaticLoader, token: &str) -> Report {
    verify_with(l, KeyPolicy::default(), token)
}

#[test]
fn every_algorithm_round_trips_when_bound_by_the_issuer_jwks() {
    for alg in [Algorithm::Rs256, Algorithm::Es256, Algorithm::EdDsa] {
        let k = SecretKey::generate(alg).unwrap();
        let t = vc_jwt::issue(&credential(ISSUER), &k, &HeaderKey::Jwk).unwrap();
        let r = verify(&jwks_loader(&[&k]), &t);
        assert_eq!(r.status(), Status::Valid, "{alg}: {r:#?}");
        assert_eq!(r.proof.as_deref(), Some("vc-jwt"));
        assert_eq!(r.version.as_deref(), Some("3.0"));
        // kid only: the JWKS entry is found by kid.
        let mut jwk = k.public_key().to_jwk();
        jwk["kid"] = json!("k1");
        let mut l = StaticLoader::with_bundled_contexts();
        l.insert_json(JWKS, &json!({"keys": [jwk]}));
        let t = vc_jwt::issue(&credential(ISSUER), &k, &HeaderKey::Kid("k1".into())).unwrap();
        assert_eq!(verify(&l, &t).status(), Status::Valid, "{alg} by kid");
    }
}

#[test]
fn an_unbound_header_jwk_is_indeterminate_unless_dangerous() {
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let t = vc_jwt::issue(&credential(ISSUER), &k, &HeaderKey::Jwk).unwrap();
    let empty = StaticLoader::with_bundled_contexts();
    assert_code(
        &verify(&empty, &t),
        Status::Indeterminate,
        Code::KeyNotBound,
    );
    // The issuer's JWKS lists another key: checked, and not the issuer's key.
    let other = SecretKey::generate(Algorithm::EdDsa).unwrap();
    assert_code(
        &verify(&jwks_loader(&[&other]), &t),
        Status::Invalid,
        Code::KeyNotListedByIssuer,
    );
    let dangerous = KeyPolicy {
        dangerous_accept_unbound_header_jwk: true,
        ..KeyPolicy::default()
    };
    let r = verify_with(&empty, dangerous, &t);
    assert_eq!(r.status(), Status::Valid);
    assert!(r.warnings.iter().any(|w| w.code == Code::KeyNotBound));
    // Pinned.
    let pinned = KeyPolicy {
        pinned: vec![k.public_key().clone()],
        ..KeyPolicy::default()
    };
    assert_eq!(verify_with(&empty, pinned, &t).status(), Status::Valid);
    // Unbound and forged is invalid, not indeterminate.
    let mut p = jws_payload(&t);
    p["name"] = json!("Forged");
    let forged = format!(
        "{}.{}.{}",
        t.split('.').next().unwrap(),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&p).unwrap()),
        t.split('.').nth(2).unwrap()
    );
    assert_code(
        &verify(&empty, &forged),
        Status::Invalid,
        Code::SignatureInvalid,
    );
}

#[test]
fn did_jwk_and_did_key_issuers_bind_their_keys() {
    let empty = StaticLoader::with_bundled_contexts();
    for alg in [Algorithm::Es256, Algorithm::EdDsa, Algorithm::Rs256] {
        let k = SecretKey::generate(alg).unwrap();
        let jwk = serde_json::to_vec(&k.public_key().to_jwk()).unwrap();
        let did = format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(jwk));
        let t = vc_jwt::issue(&credential(&did), &k, &HeaderKey::Kid(format!("{did}#0"))).unwrap();
        assert_eq!(verify(&empty, &t).status(), Status::Valid, "{alg}");
        // The header jwk of another key next to the DID: not the issuer's key.
        let other = SecretKey::generate(alg).unwrap();
        let t = vc_jwt::issue(
            &credential(&did),
            &other,
            &HeaderKey::Both(format!("{did}#0")),
        )
        .unwrap();
        assert_code(
            &verify(&empty, &t),
            Status::Invalid,
            Code::KeyNotOwnedByIssuer,
        );
    }
    let signer = openbadges_proof::data_integrity::Ed25519Signer::from_seed(&[3u8; 32]).unwrap();
    let k = SecretKey::from_pkcs8_der(&ed25519_pkcs8(&[3u8; 32])).unwrap();
    let did = signer.did_key();
    let t = vc_jwt::issue(
        &credential(&did),
        &k,
        &HeaderKey::Kid(signer.verification_method_did_key()),
    )
    .unwrap();
    assert_eq!(verify(&empty, &t).status(), Status::Valid);
    // A kid naming another DID than the issuer.
    let t = vc_jwt::issue(
        &credential(ISSUER),
        &k,
        &HeaderKey::Kid(signer.verification_method_did_key()),
    )
    .unwrap();
    assert_code(
        &verify(&empty, &t),
        Status::Invalid,
        Code::KeyNotOwnedByIssuer,
    );
}

#[test]
fn header_members_typ_and_algorithms() {
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let l = jwks_loader(&[&k]);
    let good = vc_jwt::issue(&credential(ISSUER), &k, &HeaderKey::Jwk).unwrap();
    let p = jws_payload(&good);
    let jwk = k.public_key().to_jwk();
    let t = sign_compact(
        &json!({"alg": "EdDSA", "jwk": jwk, "x5u": "https://evil.example/c"}),
        &p,
        &k,
    );
    assert_code(&verify(&l, &t), Status::Invalid, Code::ClaimMismatch);
    let t = sign_compact(&json!({"alg": "EdDSA", "jwk": jwk, "typ": "JOSE"}), &p, &k);
    assert_code(&verify(&l, &t), Status::Invalid, Code::ClaimMismatch);
    // alg does not match the key.
    let t = sign_compact(&json!({"alg": "ES256", "jwk": jwk}), &p, &k);
    assert_code(&verify(&l, &t), Status::Invalid, Code::AlgorithmNotAllowed);
    let t = sign_compact(&json!({"alg": "RS256", "jwk": jwk}), &p, &k);
    assert_code(&verify(&l, &t), Status::Invalid, Code::AlgorithmNotAllowed);
    for alg in ["none", "HS256"] {
        let h =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&json!({"alg": alg, "jwk": jwk})).unwrap());
        let b = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&p).unwrap());
        let t = format!("{h}.{b}.c2ln");
        assert_code(&verify(&l, &t), Status::Invalid, Code::AlgorithmNotAllowed);
    }
}

#[test]
fn claims_must_agree_with_the_credential() {
    let k = SecretKey::generate(Algorithm::Es256).unwrap();
    let l = jwks_loader(&[&k]);
    let good = vc_jwt::issue(&credential(ISSUER), &k, &HeaderKey::Jwk).unwrap();
    let header = json!({"alg": "ES256", "typ": "JWT", "jwk": k.public_key().to_jwk()});
    let cases: [(&str, Value); 6] = [
        ("iss", json!("https://other.example/i")),
        ("sub", json!("did:example:mallory")),
        (
            "jti",
            json!("urn:uuid:00000000-0000-0000-0000-000000000000"),
        ),
        ("nbf", json!(1_600_000_000)),
        ("exp", json!(1_900_000_000)),
        ("iss", Value::Null),
    ];
    for (claim, value) in cases {
        let mut p = jws_payload(&good);
        if value.is_null() {
            p.as_object_mut().unwrap().remove(claim);
        } else {
            p[claim] = value;
        }
        let t = sign_compact(&header, &p, &k);
        assert_code(&verify(&l, &t), Status::Invalid, Code::ClaimMismatch);
    }
    // The iss claim cannot redirect key binding to an attacker's JWKS: iss must be the issuer.
    let r = verify(&l, &good);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
}

#[test]
fn expired_not_yet_valid_and_tampered() {
    let k = SecretKey::generate(Algorithm::Rs256).unwrap();
    let l = jwks_loader(&[&k]);
    let mut c = credential(ISSUER);
    c["validUntil"] = json!("2025-01-01T00:00:00Z");
    let t = vc_jwt::issue(&c, &k, &HeaderKey::Jwk).unwrap();
    assert_code(&verify(&l, &t), Status::Invalid, Code::Expired);
    let mut c = credential(ISSUER);
    c["validFrom"] = json!("2029-01-01T00:00:00Z");
    let t = vc_jwt::issue(&c, &k, &HeaderKey::Jwk).unwrap();
    assert_code(&verify(&l, &t), Status::Invalid, Code::NotYetValid);
    let t = vc_jwt::issue(&credential(ISSUER), &k, &HeaderKey::Jwk).unwrap();
    let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
    let mut p = jws_payload(&t);
    p["credentialSubject"]["achievement"]["name"] = json!("Tampered");
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&p).unwrap());
    assert_code(
        &verify(&l, &parts.join(".")),
        Status::Invalid,
        Code::SignatureInvalid,
    );
}

#[test]
fn vc_1_1_jwt_with_a_vc_claim_and_recipient() {
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let l = jwks_loader(&[&k]);
    let mut c = credential(ISSUER);
    let o = c.as_object_mut().unwrap();
    o.remove("validFrom");
    o.remove("validUntil");
    o.insert("issuanceDate".into(), json!("2024-01-01T00:00:00Z"));
    o.insert(
        "@context".into(),
        json!([
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ]),
    );
    let p = json!({"vc": c, "iss": ISSUER, "sub": "did:example:alice",
                   "jti": "urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b10", "nbf": 1_704_067_200});
    let t = sign_compact(
        &json!({"alg": "EdDSA", "typ": "JWT", "jwk": k.public_key().to_jwk()}),
        &p,
        &k,
    );
    let r = verify(&l, &t);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    let clock = common::clock();
    let v = Verifier::new(&l).with_clock(&clock);
    let ok = v
        .clone()
        .with_recipient("id:did:example:alice".parse::<RecipientProfile>().unwrap());
    assert_eq!(ok.verify_bytes("t", t.as_bytes()).status(), Status::Valid);
    let bad = v.with_recipient("id:did:example:bob".parse::<RecipientProfile>().unwrap());
    assert_code(
        &bad.verify_bytes("t", t.as_bytes()),
        Status::Invalid,
        Code::RecipientMismatch,
    );
}
