//! VC-JWT verification per algorithm: the whole OB 3.0 pipeline (`Verifier::verify_bytes`:
//! parse, header and claim checks, key binding by a pinned key, signature, structure, dates)
//! next to the bare signature check of the same token (`key::PublicKey::verify`, i.e. ring).
//!
//! `cargo bench -p openbadges-proof --bench vc_jwt`
//!
//! Before each algorithm's criterion rows, a line `ratio pipeline/raw = X` (see
//! `common/ratio.rs`): the pipeline and the raw check measured with their batches alternating.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

// Shared by four benches, each using part of it.
#[allow(dead_code)]
#[path = "common/alternate.rs"]
mod alternate;
#[path = "common/ratio.rs"]
mod ratio;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use openbadges_proof::jws::Jws;
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::Status;
use openbadges_proof::vc_jwt::{self, HeaderKey, KeyPolicy};
use openbadges_proof::verify::{FixedClock, Verifier};

fn bench(c: &mut Criterion) {
    let unsigned: serde_json::Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/ob3/spec-vectors/obv3p0-unsigned.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let l = StaticLoader::with_bundled_contexts();
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    for alg in [Algorithm::Rs256, Algorithm::Es256, Algorithm::EdDsa] {
        // RSA-2048: the fixture key (generating one takes long, and under callgrind very long).
        let k = if alg == Algorithm::Rs256 {
            SecretKey::from_pem(
                &std::fs::read_to_string(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../../fixtures/ob2/upstream/mozvalidator-rsa-private.pem"
                ))
                .unwrap(),
            )
            .unwrap()
        } else {
            SecretKey::generate(alg).unwrap()
        };
        let token = vc_jwt::issue(&unsigned, &k, &HeaderKey::Jwk).unwrap();
        let v = Verifier::new(&l)
            .with_clock(&clock)
            .with_key_policy(KeyPolicy {
                pinned: vec![k.public_key().clone()],
                ..KeyPolicy::default()
            });
        assert_eq!(
            v.verify_bytes("t", token.as_bytes()).status(),
            Status::Valid
        );
        let jws = Jws::parse(&token).unwrap();
        let public = k.public_key().clone();
        ratio::ratio_row(
            &format!("vc-jwt verify {alg}"),
            || {
                black_box(v.verify_bytes("t", black_box(token.as_bytes())));
            },
            || {
                public
                    .verify(
                        alg,
                        black_box(jws.signing_input().as_bytes()),
                        jws.signature(),
                    )
                    .unwrap()
            },
        );
        c.bench_function(&format!("vc-jwt verify {alg} (pipeline)"), |b| {
            b.iter(|| v.verify_bytes("t", black_box(token.as_bytes())))
        });
        c.bench_function(&format!("vc-jwt raw signature check {alg} (ring)"), |b| {
            b.iter(|| {
                public
                    .verify(
                        alg,
                        black_box(jws.signing_input().as_bytes()),
                        jws.signature(),
                    )
                    .unwrap()
            })
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
