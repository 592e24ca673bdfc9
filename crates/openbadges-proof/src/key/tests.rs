//! Unit tests of the key types: generation, signing, PEM and JWK round trips.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use serde_json::Value;

use super::*;

#[test]
fn generate_sign_verify_and_round_trip_each_algorithm() {
    for alg in [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Rs256] {
        let k = SecretKey::generate(alg).unwrap();
        assert_eq!(k.algorithm(), alg);
        let sig = k.sign(b"hello").unwrap();
        k.public_key().verify(alg, b"hello", &sig).unwrap();
        assert_eq!(
            k.public_key().verify(alg, b"hellO", &sig),
            Err(Error::SignatureInvalid)
        );
        // PEM round trips
        let k2 = SecretKey::from_pem(&k.to_pkcs8_pem()).unwrap();
        assert_eq!(k2.public_key(), k.public_key());
        let p2 = PublicKey::from_pem(&k.public_key().to_pem().unwrap()).unwrap();
        assert_eq!(&p2, k.public_key());
        // JWK round trips
        let pj = PublicKey::from_jwk(&k.public_key().to_jwk()).unwrap();
        assert_eq!(&pj, k.public_key());
        let sj: Value = serde_json::from_str(&k.to_jwk().unwrap()).unwrap();
        let k3 = SecretKey::from_jwk(&sj).unwrap();
        let sig3 = k3.sign(b"x").unwrap();
        k.public_key().verify(alg, b"x", &sig3).unwrap();
        assert!(!format!("{k:?}").contains(&*k.to_pkcs8_pem()));
    }
}

#[test]
fn wrong_algorithm_for_key_type_is_refused() {
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let sig = k.sign(b"m").unwrap();
    assert!(matches!(
        k.public_key().verify(Algorithm::Rs256, b"m", &sig),
        Err(Error::AlgorithmNotAllowed(_))
    ));
}

#[test]
fn reads_fixture_pkcs1_private_key_and_spki_public_key() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ob2/upstream/");
    let sk = SecretKey::from_pem(
        &std::fs::read_to_string(format!("{dir}mozvalidator-rsa-private.pem")).unwrap(),
    )
    .unwrap();
    let pk = PublicKey::from_pem(
        &std::fs::read_to_string(format!("{dir}mozvalidator-rsa-public.pem")).unwrap(),
    )
    .unwrap();
    assert_eq!(sk.public_key(), &pk);
    let wrong = PublicKey::from_pem(
        &std::fs::read_to_string(format!("{dir}mozvalidator-rsa-wrong-public.pem")).unwrap(),
    )
    .unwrap();
    assert_ne!(wrong, pk);
}

#[test]
fn pem_decode_rejects_garbage() {
    assert!(pem_decode("hello").is_err());
    assert!(pem_decode("-----BEGIN X-----\n!!!\n-----END X-----").is_err());
    assert!(
        pem_decode("-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END X-----").is_err()
    );
}
