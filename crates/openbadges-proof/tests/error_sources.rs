//! Errors keep their causes: `std::error::Error::source()` of a key, JWS, input or JSON error
//! reaches the underlying error (DER, PEM, base64, UTF-8, JSON), and the message stays the
//! same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::error::Error as _;

use openbadges_proof::Error;
use openbadges_proof::jws::Jws;
use openbadges_proof::key::{PublicKey, SecretKey};
use serde_json::json;

/// The source of `e`, which must exist.
fn source(e: &Error) -> &(dyn std::error::Error + 'static) {
    e.source()
        .unwrap_or_else(|| panic!("`{e}` ({e:?}) has no source"))
}

#[test]
fn malformed_spki_public_key_keeps_the_der_error() {
    // A `PUBLIC KEY` block whose body is valid base64 but not a SubjectPublicKeyInfo.
    let pem = "-----BEGIN PUBLIC KEY-----\nAAAAAAAA\n-----END PUBLIC KEY-----\n";
    let e = PublicKey::from_pem(pem).unwrap_err();
    assert_eq!(e.code(), "INVALID_KEY");
    assert!(
        e.to_string()
            .starts_with("invalid key: malformed SubjectPublicKeyInfo: "),
        "{e}"
    );
    let der = source(&e)
        .downcast_ref::<der::Error>()
        .unwrap_or_else(|| panic!("the source of `{e}` is not a der::Error"));
    assert!(e.to_string().ends_with(&der.to_string()), "{e}");
}

#[test]
fn malformed_sec1_private_key_keeps_the_der_error() {
    let pem = "-----BEGIN EC PRIVATE KEY-----\nAAAAAAAA\n-----END EC PRIVATE KEY-----\n";
    let e = SecretKey::from_pem(pem).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("invalid key: malformed ECPrivateKey: "),
        "{e}"
    );
    assert!(source(&e).downcast_ref::<der::Error>().is_some(), "{e:?}");
}

#[test]
fn malformed_pem_body_keeps_the_pem_error() {
    let pem = "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n";
    let e = SecretKey::from_pem(pem).unwrap_err();
    assert!(
        e.to_string().starts_with("invalid key: malformed PEM: "),
        "{e}"
    );
    assert!(
        source(&e).downcast_ref::<pem_rfc7468::Error>().is_some(),
        "{e:?}"
    );
}

#[test]
fn jwk_member_that_is_not_base64url_keeps_the_decode_error() {
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": "not base64url!"});
    let e = PublicKey::from_jwk(&jwk).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid key: jwk member `x` is not base64url"
    );
    assert!(
        source(&e).downcast_ref::<base64::DecodeError>().is_some(),
        "{e:?}"
    );
}

#[test]
fn key_file_that_is_not_json_keeps_the_json_error() {
    let e = PublicKey::from_pem_or_jwk("{\"kty\": ").unwrap_err();
    assert_eq!(e.code(), "INVALID_KEY");
    assert!(
        source(&e)
            .downcast_ref::<openbadges_model::Error>()
            .is_some(),
        "{e:?}"
    );
}

#[test]
fn jws_part_that_is_not_base64url_keeps_the_decode_error() {
    let e = Jws::parse("eyJhbGciOiJFUzI1NiJ9.e30.AAAAA").unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed jws: signature is not valid base64url"
    );
    assert!(
        source(&e).downcast_ref::<base64::DecodeError>().is_some(),
        "{e:?}"
    );
}

#[test]
fn jws_header_that_is_not_json_keeps_the_json_error() {
    // `e30x` is base64url for `{}1`: not one JSON value.
    let e = Jws::parse("e30x.e30.AAAA").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("malformed jws: header is not I-JSON: "),
        "{e}"
    );
    assert!(
        source(&e)
            .downcast_ref::<openbadges_model::Error>()
            .is_some(),
        "{e:?}"
    );
}

#[test]
fn input_that_is_not_utf8_keeps_the_utf8_error() {
    let e = openbadges_proof::input::unpack(b"{\"a\": \"\xff\"}", &Default::default()).unwrap_err();
    assert_eq!(e.code(), "UNRECOGNIZED_INPUT");
    assert!(
        source(&e).downcast_ref::<std::str::Utf8Error>().is_some(),
        "{e:?}"
    );
}

#[test]
fn status_list_that_is_not_gzip_keeps_the_io_error() {
    // `u` + base64url of "not gzip".
    let e = openbadges_proof::status_list::decode_bitstring("ubm90IGd6aXA").unwrap_err();
    assert!(
        e.to_string().starts_with("encodedList is not gzip: "),
        "{e}"
    );
    let io = e
        .source()
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .unwrap_or_else(|| panic!("the source of `{e}` is not an io::Error"));
    assert!(e.to_string().ends_with(&io.to_string()), "{e}");
}
