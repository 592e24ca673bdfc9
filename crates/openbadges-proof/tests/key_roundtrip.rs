//! Round trips of every key encoding the crate reads and writes, for each algorithm: a key
//! written as PKCS#8 / SPKI / SEC1 PEM or JWK and read back is the same key (what one signs,
//! the other verifies, both ways), and OpenSSL's SEC1 and PKCS#8 files read and write alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::key::{Algorithm, PublicKey, SecretKey};
use proptest::prelude::*;
use ring::signature::KeyPair as _;
use serde_json::{Value, json};

fn data(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Three RSA-2048 keys from the fixtures (generating RSA keys is slow in debug builds).
fn rsa_keys() -> &'static [SecretKey] {
    static KEYS: OnceLock<Vec<SecretKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        [
            "mozvalidator-rsa-private.pem",
            "mozvalidator-rsa-wrong-private.pem",
            "mozbakery-rsa-private.pem",
        ]
        .iter()
        .map(|f| SecretKey::from_pem(&data(&format!("../../fixtures/ob2/upstream/{f}"))).unwrap())
        .collect()
    })
}

fn ed25519_from_seed(seed: &[u8; 32]) -> SecretKey {
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed).unwrap();
    SecretKey::from_jwk(&json!({
        "kty": "OKP", "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()),
        "d": URL_SAFE_NO_PAD.encode(seed),
    }))
    .unwrap()
}

/// `a` and `b` are the same key: each one's signature verifies under the other's public key.
fn assert_same_key(a: &SecretKey, b: &SecretKey, message: &[u8]) {
    assert_eq!(a.algorithm(), b.algorithm());
    assert_eq!(a.public_key(), b.public_key());
    let alg = a.algorithm();
    a.public_key()
        .verify(alg, message, &b.sign(message).unwrap())
        .unwrap();
    b.public_key()
        .verify(alg, message, &a.sign(message).unwrap())
        .unwrap();
}

/// Every encoding of `key` reads back as `key`, and writing it again gives the same text.
fn round_trip(key: &SecretKey, message: &[u8]) {
    let alg = key.algorithm();
    // PKCS#8 private key.
    let pem = key.to_pkcs8_pem();
    let from_pkcs8 = SecretKey::from_pem(&pem).unwrap();
    assert_same_key(key, &from_pkcs8, message);
    assert_eq!(*from_pkcs8.to_pkcs8_pem(), *pem);
    // Private JWK.
    let jwk: Value = serde_json::from_str(&key.to_jwk().unwrap()).unwrap();
    let from_jwk = SecretKey::from_jwk(&jwk).unwrap();
    assert_same_key(key, &from_jwk, message);
    assert_eq!(*from_jwk.to_jwk().unwrap(), *key.to_jwk().unwrap());
    // SPKI public key and public JWK verify what the original signs.
    let sig = key.sign(message).unwrap();
    let spki = PublicKey::from_pem(&key.public_key().to_pem().unwrap()).unwrap();
    assert_eq!(&spki, key.public_key());
    spki.verify(alg, message, &sig).unwrap();
    let public_jwk = PublicKey::from_jwk(&key.public_key().to_jwk()).unwrap();
    assert_eq!(&public_jwk, key.public_key());
    public_jwk.verify(alg, message, &sig).unwrap();
    // SEC1, for the elliptic-curve key only.
    match alg {
        Algorithm::Es256 => {
            let sec1 = key.to_sec1_pem().unwrap();
            assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
            let from_sec1 = SecretKey::from_pem(&sec1).unwrap();
            assert_same_key(key, &from_sec1, message);
            assert_eq!(*from_sec1.to_sec1_pem().unwrap(), *sec1);
        }
        _ => assert!(key.to_sec1_pem().is_err()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn ed25519_keys_round_trip_through_pkcs8_spki_and_jwk(
        seed in any::<[u8; 32]>(),
        message in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let key = ed25519_from_seed(&seed);
        prop_assert_eq!(*key.ed25519_seed().unwrap(), seed);
        round_trip(&key, &message);
    }

    #[test]
    fn p256_keys_round_trip_through_pkcs8_sec1_spki_and_jwk(
        message in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let key = SecretKey::generate(Algorithm::Es256).unwrap();
        round_trip(&key, &message);
    }

    #[test]
    fn rsa_keys_round_trip_through_pkcs8_spki_and_jwk(
        which in 0usize..3,
        message in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let key = rsa_keys().get(which).unwrap();
        round_trip(key, &message);
    }
}

#[test]
fn freshly_generated_keys_of_each_algorithm_round_trip() {
    for alg in [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Rs256] {
        round_trip(&SecretKey::generate(alg).unwrap(), b"generated");
    }
}

#[test]
fn openssl_sec1_ec_private_key_reads_as_its_pkcs8_and_public_key() {
    let sec1 = data("tests/data/keys/openssl-p256-sec1.pem");
    let key = SecretKey::from_pem(&sec1).unwrap();
    assert_eq!(key.algorithm(), Algorithm::Es256);
    // The same key as OpenSSL's PKCS#8 and SPKI files, written byte for byte as OpenSSL does.
    assert_eq!(
        *key.to_pkcs8_pem(),
        data("tests/data/keys/openssl-p256-pkcs8.pem")
    );
    assert_eq!(*key.to_sec1_pem().unwrap(), sec1);
    let public = PublicKey::from_pem(&data("tests/data/keys/openssl-p256-public.pem")).unwrap();
    assert_eq!(key.public_key(), &public);
    assert_eq!(
        public.to_pem().unwrap(),
        data("tests/data/keys/openssl-p256-public.pem")
    );
    let sig = key.sign(b"openssl").unwrap();
    public.verify(Algorithm::Es256, b"openssl", &sig).unwrap();
    let from_pkcs8 = SecretKey::from_pem(&data("tests/data/keys/openssl-p256-pkcs8.pem")).unwrap();
    assert_same_key(&key, &from_pkcs8, b"openssl");
    assert_eq!(*from_pkcs8.to_sec1_pem().unwrap(), sec1);
}

#[test]
fn sec1_key_whose_public_key_is_not_its_own_is_refused() {
    let sec1 = data("tests/data/keys/openssl-p256-sec1.pem");
    let other = SecretKey::generate(Algorithm::Es256).unwrap();
    // Swap in another key's public point: same shape, wrong key.
    let (_, der) = openbadges_proof::key::pem_decode(&sec1).unwrap();
    let mut forged = der.clone();
    let jwk = other.public_key().to_jwk();
    let mut point = vec![4u8];
    point.extend(URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap());
    point.extend(URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap());
    let at = forged.len() - 65;
    forged[at..].copy_from_slice(&point);
    assert!(SecretKey::from_sec1_der(&der).is_ok());
    assert!(SecretKey::from_sec1_der(&forged).is_err());
}

#[test]
fn sec1_key_on_another_curve_is_refused() {
    // secp384r1, generated with `openssl ecparam -name secp384r1 -genkey -noout`.
    let pem = "-----BEGIN EC PRIVATE KEY-----
MIGkAgEBBDD7xb+l2vUJux6niIpMxIINufW6+dG5EbkM4SxX+Cb6KEynt9bRj4ge
SQxTQu/u1dOgBwYFK4EEACKhZANiAAQi26UoL8yN3HTWO3o+VsqPQxk5K/L14B0f
kzycQjhv8h1I99MN3AR5D6hPhGYT6J8PvdMOHn+ztHPk7Icj2TmOWkUFoyFTuA/z
1cwGnUx0Gr4IGn1a/NRwmO47qeqvAqQ=
-----END EC PRIVATE KEY-----
";
    let err = SecretKey::from_pem(pem).unwrap_err().to_string();
    assert!(err.contains("only P-256"), "{err}");
}

#[test]
fn pem_with_text_around_it_and_crlf_line_ends_still_reads() {
    let pem = data("tests/data/keys/openssl-p256-public.pem");
    let want = PublicKey::from_pem(&pem).unwrap();
    let crlf = pem.replace('\n', "\r\n");
    assert_eq!(PublicKey::from_pem(&crlf).unwrap(), want);
    let wrapped = format!("Subject: test key\n{pem}\ntrailing text\n");
    assert_eq!(PublicKey::from_pem(&wrapped).unwrap(), want);
    let no_final_newline = pem.trim_end();
    assert_eq!(PublicKey::from_pem(no_final_newline).unwrap(), want);
}

#[test]
fn long_base58_round_trips_through_multibase() {
    let bytes: Vec<u8> = (0..2000u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut with_zeros = vec![0, 0, 0];
    with_zeros.extend(&bytes);
    let text = openbadges_proof::multibase::encode_base58btc(&with_zeros);
    assert!(text.starts_with("z111"));
    assert_eq!(
        openbadges_proof::multibase::decode_base58btc(&text).unwrap(),
        with_zeros
    );
}
