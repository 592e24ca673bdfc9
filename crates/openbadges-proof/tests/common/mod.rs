//! Helpers shared by the proof crate's tests: the OB 2.0 served fixtures (the issuer's
//! documents as a [`StaticLoader`] serves them at [`OB2_BASE`]), the fixtures' RSA key and
//! signed payload, compact JWS assembly, the tests' fixed clock and verdict assertions.
//! Generic helpers (fixture paths, the sample OB 3.0 credential, the loopback server) come from
//! `openbadges-test-support`.
#![allow(
    dead_code,
    unused_imports,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::key::SecretKey;
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::verify::FixedClock;
pub use openbadges_test_support::fixtures::{fixture_bytes, fixtures_dir, ob3_credential};
use serde_json::Value;

/// Where the served OB 2.0 fixtures (fixtures/ob2/served) say they live.
pub const OB2_BASE: &str = "http://127.0.0.1:8765";

/// The issuer's documents among the served fixtures: issuer profile, badge class, key and
/// revocation list.
pub const OB2_ISSUER_DOCS: &[&str] = &[
    "issuer.json",
    "badgeclass.json",
    "key.json",
    "revocations.json",
];

/// The bytes of `fixtures/ob2/served/<rel>`.
pub fn served(rel: &str) -> Vec<u8> {
    fixture_bytes(&format!("ob2/served/{rel}"))
}

/// The JSON of `fixtures/ob2/served/<rel>`.
pub fn served_json(rel: &str) -> Value {
    serde_json::from_slice(&served(rel)).unwrap()
}

/// A loader with the bundled contexts and the served fixtures `files` at [`OB2_BASE`].
pub fn ob2_loader(files: &[&str]) -> StaticLoader {
    let mut l = StaticLoader::with_bundled_contexts();
    for f in files {
        l.insert(&format!("{OB2_BASE}/{f}"), None, &served(f));
    }
    l
}

/// The private key the served fixtures' signed assertions were signed with.
pub fn ob2_fixture_key() -> SecretKey {
    SecretKey::from_pem(
        &String::from_utf8(fixture_bytes("ob2/upstream/mozvalidator-rsa-private.pem")).unwrap(),
    )
    .unwrap()
}

/// The payload (claims) of the compact JWS `token`, as JSON.
pub fn jws_payload(token: &str) -> Value {
    let p = token.trim().split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
}

/// The assertion inside the served fixture `signed/valid.jws`.
pub fn ob2_signed_payload() -> Value {
    jws_payload(&String::from_utf8(served("signed/valid.jws")).unwrap())
}

/// A compact JWS of `header` and `payload` (bytes as given) signed by `key`.
pub fn sign_compact_bytes(header: &[u8], payload: &[u8], key: &SecretKey) -> String {
    let si = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = key.sign(si.as_bytes()).unwrap();
    format!("{si}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// A compact JWS of the JSON `header` and `payload` signed by `key`.
pub fn sign_compact(header: &Value, payload: &Value, key: &SecretKey) -> String {
    sign_compact_bytes(
        &serde_json::to_vec(header).unwrap(),
        &serde_json::to_vec(payload).unwrap(),
        key,
    )
}

/// The served fixtures' signed assertion `a` re-signed with the fixtures' key, under the
/// fixtures' key URL as `kid`.
pub fn ob2_resigned(a: &Value) -> String {
    openbadges_proof::issue::sign_assertion(
        a,
        &ob2_fixture_key(),
        Some(&format!("{OB2_BASE}/key.json")),
    )
    .unwrap()
}

/// OB 3.0 credential number `n` (its id, name and achievement numbered) issued by `issuer`
/// to `did:example:learner`, unsigned.
pub fn numbered_credential(issuer: &str, n: u32) -> Value {
    serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b{n:02}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": format!("Badge {n}"),
        "credentialSubject": {"type": ["AchievementSubject"], "id": "did:example:learner",
            "achievement": {
                "id": format!("urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e{n:02}"),
                "type": ["Achievement"], "name": format!("Achievement {n}"),
                "description": "D", "criteria": {"narrative": "C"}}}
    })
}

/// `doc` signed eddsa-rdfc-2022 by `signer` under its did:key verification method, created
/// at `created`.
pub fn signed_by_did_key(
    doc: &Value,
    signer: &openbadges_proof::data_integrity::Ed25519Signer,
    created: &str,
) -> Value {
    openbadges_proof::data_integrity::sign(
        doc,
        signer,
        &openbadges_proof::data_integrity::ProofOptions::new(
            signer.verification_method_did_key(),
            created,
        ),
    )
    .unwrap()
}

/// The PKCS#8 DER of the Ed25519 private key with `seed`.
pub fn ed25519_pkcs8(seed: &[u8; 32]) -> Vec<u8> {
    let mut v = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    v.extend_from_slice(seed);
    v
}

/// The tests' "now": 2025-06-01T00:00:00Z.
pub fn clock() -> FixedClock {
    FixedClock::parse("2025-06-01T00:00:00Z").unwrap()
}

/// The report says `status` and has an error `code`.
pub fn assert_code(r: &Report, status: Status, code: Code) {
    assert_eq!(r.status(), status, "{r:#?}");
    assert!(r.has_error(code), "expected {code}: {r:#?}");
}

/// The report says invalid and has an error `code`.
pub fn assert_invalid(r: &Report, code: Code) {
    assert_code(r, Status::Invalid, code);
}
