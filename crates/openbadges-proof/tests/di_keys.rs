//! Multibase, Multikey, did:key / did:jwk / did:web and `https://…#z6Mk…` verification methods.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_proof::did::{
    DidError, VmReference, dangerous_resolve_https_fragment, did_web_document_url, resolve_offline,
    verification_method_from_document,
};
use openbadges_proof::multibase::{Multikey, decode_base58btc, encode_base58btc};
use serde_json::json;

#[test]
fn base58btc_known_vectors() {
    assert_eq!(encode_base58btc(b"Hello World!"), "z2NEpo7TZRRrLZSi2U");
    assert_eq!(
        decode_base58btc("z2NEpo7TZRRrLZSi2U").unwrap(),
        b"Hello World!"
    );
    assert_eq!(encode_base58btc(&[0, 0, 1]), "z112");
    assert_eq!(decode_base58btc("z112").unwrap(), vec![0, 0, 1]);
    assert!(decode_base58btc("z0OIl").is_err());
    assert!(decode_base58btc("uAAAA").is_err());
}

#[test]
fn multikey_ed25519_from_spec_vector() {
    let k = Multikey::decode("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi").unwrap();
    let Multikey::Ed25519(raw) = &k else { panic!() };
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex,
        "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
    );
    assert!(Multikey::decode("z6MkjZRsdasZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi").is_err());
}

#[test]
fn multikey_p256_round_trip() {
    // did:key P-256 example from the did:key spec.
    let mb = "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169";
    let k = Multikey::decode(mb).unwrap();
    assert!(matches!(k, Multikey::P256(ref b) if b.len() == 33));
    assert_eq!(k.encode(), mb);
}

#[test]
fn did_key_with_and_without_fragment() {
    let did = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
    for vm in [
        did.to_owned(),
        format!("{did}#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"),
    ] {
        let VmReference::Resolved(m) = resolve_offline(&vm).unwrap() else {
            panic!()
        };
        assert_eq!(m.controller, did);
    }
    assert!(resolve_offline(&format!("{did}#other")).is_err());
}

#[test]
fn https_key_in_fragment_is_only_a_hint_the_controller_document_is_needed() {
    let vm = "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
    let VmReference::NeedsDocument {
        document_url,
        key_hint,
    } = resolve_offline(vm).unwrap()
    else {
        panic!("an https fragment key must not resolve without the controller document")
    };
    assert_eq!(document_url, "https://example.edu/issuers/565049");
    assert_eq!(
        key_hint,
        Some(Multikey::decode("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi").unwrap())
    );
    assert_eq!(
        resolve_offline("https://example.edu/issuers/565049#key-1").unwrap(),
        VmReference::NeedsDocument {
            document_url: "https://example.edu/issuers/565049".into(),
            key_hint: None,
        }
    );
    // The dangerous shortcut, by name only.
    let m = dangerous_resolve_https_fragment(vm).unwrap().unwrap();
    assert_eq!(m.controller, "https://example.edu/issuers/565049");
}

#[test]
fn did_web_urls() {
    assert_eq!(
        did_web_document_url("did:web:example.com").unwrap(),
        "https://example.com/.well-known/did.json"
    );
    assert_eq!(
        did_web_document_url("did:web:example.com%3A8443:u:1#k").unwrap(),
        "https://example.com:8443/u/1/did.json"
    );
    assert!(did_web_document_url("did:web:").is_err());
    assert!(did_web_document_url("did:web:a/b").is_err());
}

#[test]
fn did_jwk_ed25519() {
    use base64::Engine as _;
    let jwk =
        json!({"kty":"OKP","crv":"Ed25519","x":"S96v3i6ovu-t2MaZtcfgcEz1EVTVLheyC3EzfKBMxaU"});
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(jwk.to_string());
    let VmReference::Resolved(m) = resolve_offline(&format!("did:jwk:{enc}#0")).unwrap() else {
        panic!()
    };
    assert_eq!(
        m.key.encode(),
        "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
    );
}

#[test]
fn unsupported_and_malformed() {
    assert!(matches!(
        resolve_offline("z6Mkabc"),
        Err(DidError::NoScheme(_))
    ));
    assert!(matches!(
        resolve_offline("xxx:z6Mkabc"),
        Err(DidError::UnsupportedScheme(_))
    ));
    assert!(matches!(
        resolve_offline("did:example:123"),
        Err(DidError::UnresolvableDidMethod(_))
    ));
    assert!(matches!(
        resolve_offline("did:ion:123"),
        Err(DidError::UnsupportedDidMethod(_))
    ));
}

#[test]
fn did_document_lookup_and_assertion_method() {
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/did-web/multikey/did.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let id = "did:web:digitalcredentials.github.io:dcc-did-web:multikey#z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q";
    let m = verification_method_from_document(&doc, id).unwrap();
    assert!(m.assertion_method);
    assert_eq!(
        m.controller,
        "did:web:digitalcredentials.github.io:dcc-did-web:multikey"
    );
    assert!(verification_method_from_document(&doc, "did:web:x#nope").is_err());
    // Listed only under verificationMethod: found but not authorized for assertions.
    let mut d2 = doc.clone();
    d2.as_object_mut().unwrap().remove("assertionMethod");
    assert!(
        !verification_method_from_document(&d2, id)
            .unwrap()
            .assertion_method
    );
}
