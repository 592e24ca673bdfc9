//! OB 2.0 verification benchmarks: a signed (RS256 JWS) and a hosted assertion verified with
//! every document served from memory, next to the raw cost of one `ring` RSA-2048 verify.
//!
//! `cargo bench -p openbadges-proof --bench ob2_verify`
//!
//! Before the criterion rows, two lines `ratio pipeline/raw = X` (see `common/ratio.rs`): the
//! signed and the hosted verification each measured against the raw RSA check of the signed
//! assertion's signature, their batches alternating.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::Path;

// Shared by four benches, each using part of it.
#[allow(dead_code)]
#[path = "common/alternate.rs"]
mod alternate;
#[path = "common/ratio.rs"]
mod ratio;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use openbadges_proof::jws::Jws;
use openbadges_proof::key::PublicKey;
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::Status;
use openbadges_proof::verify::{FixedClock, RecipientProfile, Verifier};

fn served(rel: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/ob2/served")
            .join(rel),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let mut l = StaticLoader::with_bundled_contexts();
    for f in [
        "issuer.json",
        "badgeclass.json",
        "key.json",
        "revocations.json",
        "hosted/valid.json",
    ] {
        l.insert(&format!("http://127.0.0.1:8765/{f}"), None, &served(f));
    }
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let v = Verifier::new(&l)
        .with_clock(&clock)
        .with_recipient(RecipientProfile::new().email("student@example.org"));
    let signed = served("signed/valid.jws");
    let hosted = served("hosted/valid.json");
    assert_eq!(v.verify_bytes("s", &signed).status(), Status::Valid);
    assert_eq!(v.verify_bytes("h", &hosted).status(), Status::Valid);

    // Raw ring RSA-2048 PKCS#1 v1.5 SHA-256 verify of the same signature.
    let jws = Jws::parse(std::str::from_utf8(&signed).unwrap()).unwrap();
    let key_doc: serde_json::Value = serde_json::from_slice(&served("key.json")).unwrap();
    let key = PublicKey::from_pem(key_doc["publicKeyPem"].as_str().unwrap()).unwrap();
    let jwk = key.to_jwk();
    let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
    let e = URL_SAFE_NO_PAD.decode(jwk["e"].as_str().unwrap()).unwrap();
    let comps = ring::signature::RsaPublicKeyComponents { n: &n, e: &e };
    let msg = jws.signing_input().as_bytes().to_vec();
    let sig = jws.signature().to_vec();
    comps
        .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &msg, &sig)
        .unwrap();
    let raw = || {
        comps
            .verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                black_box(&msg),
                black_box(&sig),
            )
            .unwrap()
    };
    ratio::ratio_row(
        "ob2 verify signed (RS256 JWS) vs ring RSA-2048 verify",
        || {
            black_box(v.verify_bytes("s", black_box(&signed)));
        },
        raw,
    );
    ratio::ratio_row(
        "ob2 verify hosted vs ring RSA-2048 verify",
        || {
            black_box(v.verify_bytes("h", black_box(&hosted)));
        },
        raw,
    );

    c.bench_function("ob2 verify signed (RS256 JWS, documents in memory)", |b| {
        b.iter(|| v.verify_bytes("s", black_box(&signed)))
    });
    c.bench_function("ob2 verify hosted (documents in memory)", |b| {
        b.iter(|| v.verify_bytes("h", black_box(&hosted)))
    });
    c.bench_function("ring RSA-2048 verify (raw)", |b| {
        b.iter(|| {
            comps
                .verify(
                    &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                    black_box(&msg),
                    black_box(&sig),
                )
                .unwrap()
        })
    });
    c.bench_function("jws parse + verify (RS256)", |b| {
        b.iter(|| {
            Jws::parse(std::str::from_utf8(black_box(&signed)).unwrap())
                .unwrap()
                .verify(&key)
                .unwrap()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
