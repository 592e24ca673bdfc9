//! VC-JWT parsing and verification on arbitrary input: the raw bytes as a compact token, and
//! (so the fuzzer gets past base64url) the bytes split at the first NUL into a header and a
//! payload that are encoded and signed with a fixed key. Parsing, claim checks, key binding
//! (offline loader) and the whole OB 3.0 pipeline must never panic.
#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use libfuzzer_sys::fuzz_target;
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::vc_jwt::{self, KeyPolicy, VcJwt};
use openbadges_proof::verify::{FixedClock, Verifier};

fn key() -> &'static SecretKey {
    static K: OnceLock<SecretKey> = OnceLock::new();
    K.get_or_init(|| SecretKey::generate(Algorithm::EdDsa).expect("key"))
}

fn exercise(token: &str) {
    let loader = StaticLoader::with_bundled_contexts();
    if let Ok(jwt) = VcJwt::parse(token) {
        let _ = jwt.claim_problems();
        let _ = jwt.header_key();
        let policy = KeyPolicy {
            pinned: vec![key().public_key().clone()],
            ..KeyPolicy::default()
        };
        let _ = vc_jwt::resolve_key(&jwt, &loader, &policy);
        let _ = vc_jwt::resolve_key(&jwt, &loader, &KeyPolicy::default());
        let _ = vc_jwt::verify_signature(&jwt, std::slice::from_ref(key().public_key()));
    }
    let clock = FixedClock::parse("2025-01-01T00:00:00Z").expect("clock");
    let _ = Verifier::new(&loader)
        .with_clock(&clock)
        .verify_bytes("fuzz", token.as_bytes());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        exercise(s);
    }
    let (header, payload) = match data.iter().position(|&b| b == 0) {
        Some(i) => (
            data.get(..i).unwrap_or_default(),
            data.get(i + 1..).unwrap_or_default(),
        ),
        None => (&b"{\"alg\":\"EdDSA\",\"typ\":\"JWT\"}"[..], data),
    };
    let si = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = key().sign(si.as_bytes()).unwrap_or_default();
    exercise(&format!("{si}.{}", URL_SAFE_NO_PAD.encode(sig)));
});
