//! Fuzz the compact JWS parser and the input detector/unpacker: arbitrary bytes must never
//! panic; a parsed JWS must re-expose consistent parts; verification with a fixed key must
//! fail cleanly (never accept) for fuzzed tokens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_proof::jws::Jws;

fuzz_target!(|data: &[u8]| {
    let _ = openbadges_proof::input::detect(data);
    let _ = openbadges_proof::input::unpack(data, &Default::default());
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(j) = Jws::parse(s) {
            let _ = j.alg();
            let _ = j.kid();
            assert!(s.trim().starts_with(j.signing_input()));
            let key = openbadges_proof::key::PublicKey::from_jwk(&serde_json::json!({
                "kty": "OKP", "crv": "Ed25519",
                "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
            }))
            .unwrap();
            assert!(j.verify(&key).is_err());
        }
        let _ = openbadges_proof::key::PublicKey::from_pem(s);
    }
});
