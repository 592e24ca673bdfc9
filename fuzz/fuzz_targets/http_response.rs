//! HTTP response bodies as verification reads them. `HttpLoader` turns a response into a
//! `loader::Document` (bytes, media type, final URL) with no parsing of its own that can be
//! separated from the network; everything that parses a response reads `Document::body`. So
//! this target serves arbitrary bodies through a `StaticLoader` at the URLs an OB 2.0
//! verification fetches: the input split at NUL bytes gives, in order, the hosted assertion,
//! badge class, issuer, key and revocation list of fixtures/ob2/served (base
//! `http://127.0.0.1:8765/`). It verifies the hosted assertion's URL and the signed assertion
//! fixtures/ob2/served/signed/valid.jws (whose key and revocation list come from the bodies).
//! Nothing may panic; a valid verdict needs the bodies it rests on to be JSON, and the signed
//! assertion is valid only with the fixture's key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_model::{Limits, parse_json};
use openbadges_proof::key::PublicKey;
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::Status;
use openbadges_proof::verify::{FixedClock, Verifier};
use serde_json::Value;

const BASE: &str = "http://127.0.0.1:8765/";
const PATHS: [&str; 5] = [
    "hosted/valid.json",
    "badgeclass.json",
    "issuer.json",
    "key.json",
    "revocations.json",
];
const SIGNED: &str = include_str!("../../fixtures/ob2/served/signed/valid.jws");
const KEY: &str = include_str!("../../fixtures/ob2/served/key.json");

fn json(body: &[u8]) -> Option<Value> {
    let t = std::str::from_utf8(body).ok()?;
    let t = t.strip_prefix('\u{feff}').unwrap_or(t).trim();
    parse_json(t.as_bytes(), &Limits::default()).ok()
}

fn pem_key(doc: &Value) -> Option<PublicKey> {
    PublicKey::from_pem(doc.get("publicKeyPem")?.as_str()?).ok()
}

fuzz_target!(|data: &[u8]| {
    let bodies: Vec<&[u8]> = data.split(|&b| b == 0).take(PATHS.len()).collect();
    let mut loader = StaticLoader::with_bundled_contexts();
    for (path, body) in PATHS.iter().zip(&bodies) {
        loader.insert(&format!("{BASE}{path}"), Some("application/json"), body);
    }
    let clock = FixedClock::parse("2025-01-01T00:00:00Z").expect("clock");
    let verifier = Verifier::new(&loader).with_clock(&clock);

    let hosted = verifier.verify_url(&format!("{BASE}{}", PATHS[0]));
    if hosted.status() == Status::Valid {
        for (path, body) in PATHS.iter().zip(&bodies).take(3) {
            assert!(
                json(body).is_some(),
                "valid with a {path} that is not JSON: {}",
                hosted.to_json_line()
            );
        }
    }

    let signed = verifier.verify_bytes("valid.jws", SIGNED.trim().as_bytes());
    if signed.status() == Status::Valid {
        let served = bodies
            .get(3)
            .and_then(|b| json(b))
            .and_then(|d| pem_key(&d));
        let fixture = serde_json::from_str(KEY).ok().and_then(|d| pem_key(&d));
        assert!(
            served.is_some() && served == fixture,
            "valid with another key: {}",
            signed.to_json_line()
        );
    }
});
