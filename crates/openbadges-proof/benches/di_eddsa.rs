//! eddsa-rdfc-2022 sign/verify on the 1EdTech OB 3.0 spec vector, the pipeline stages, and
//! the raw ring Ed25519 verify and sign they are compared to.
//!
//! The `*_did_key` rows use the spec's unsigned OB 3.0 vector
//! (`fixtures/ob3/spec-vectors/obv3p0-unsigned.json`) with a `did:key` issuer, signed with the
//! vector's Ed25519 seed and a fixed `created` (so the proofValue never changes). After the
//! criterion rows, `cargo bench` also prints the ratios to the raw signature operations,
//! measured with the pipeline's batches alternating with the raw operation's so that both see
//! the same machine load (median of the per-pair ratios):
//!
//! ```text
//! ratio verify/raw = X        (Verifier::verify_bytes / ring Ed25519 verify of the hash data)
//! ratio verify-proof/raw = X  (parse + data_integrity::verify / the same raw verify)
//! ratio sign/raw-sign = Y     (data_integrity::sign / ring Ed25519 sign of the hash data)
//! ```
//!
//! `SAMPLES` (default 15) and `BATCH_MS` (default 100) size the ratio run; `RATIOS=0` skips it.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::time::Duration;

// Shared by four benches, each using part of it.
#[allow(dead_code)]
#[path = "common/alternate.rs"]
mod alternate;
use alternate::{Method, alternate, env_num};

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use openbadges_proof::data_integrity::{
    Ed25519Signer, ProofOptions, VerifyOptions, hash_data, sign, verify,
};
use openbadges_proof::jsonld::{JsonLdOptions, to_rdf};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::rdfc::{CanonLimits, canonicalize};
use openbadges_proof::report::Status;
use openbadges_proof::verify::Verifier;
use ring::signature::{ED25519, Ed25519KeyPair, UnparsedPublicKey};
use serde_json::Value;

/// `created` of the did:key credential's proof.
const CREATED: &str = "2026-01-01T00:00:00Z";

fn fixture(p: &str) -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/../../fixtures/ob3/spec-vectors/{p}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// What the did:key rows and the ratios work on.
struct DidKeyCase {
    unsigned: Value,
    signed_bytes: Vec<u8>,
    signer: Ed25519Signer,
    pair: Ed25519KeyPair,
    opts: ProofOptions,
    /// The 64-byte data the proof signs (proof-options hash ‖ document hash).
    data: [u8; 64],
    sig: Vec<u8>,
    public: [u8; 32],
}

fn did_key_case(seed: &[u8; 32]) -> DidKeyCase {
    let signer = Ed25519Signer::from_seed(seed).unwrap();
    let mut unsigned = fixture("obv3p0-unsigned.json");
    unsigned["issuer"]["id"] = signer.did_key().into();
    let opts = ProofOptions::new(signer.verification_method_did_key(), CREATED);
    let signed = sign(&unsigned, &signer, &opts).unwrap();
    assert!(
        verify(&signed, &VerifyOptions::default())
            .outcome
            .is_valid()
    );
    let data = hash_data(&signed, &signed["proof"]).unwrap();
    let sig = openbadges_proof::multibase::decode_base58btc(
        signed["proof"]["proofValue"].as_str().unwrap(),
    )
    .unwrap();
    let mut public = [0u8; 32];
    public.copy_from_slice(signer.multikey().public_key_bytes());
    DidKeyCase {
        unsigned,
        signed_bytes: serde_json::to_vec_pretty(&signed).unwrap(),
        signer,
        pair: Ed25519KeyPair::from_seed_unchecked(seed).unwrap(),
        opts,
        data,
        sig,
        public,
    }
}

fn benches(c: &mut Criterion) {
    let signed = fixture("obv3p0-signed-eddsa-rdfc-2022.json");
    let unsigned = fixture("obv3p0-unsigned.json");
    let keys = fixture("obv3p0-keys-and-hashes.json");
    let seed: [u8; 32] = hex(keys["private_key_hex"].as_str().unwrap())[..32]
        .try_into()
        .unwrap();
    let signer = Ed25519Signer::from_seed(&seed).unwrap();
    let opts = ProofOptions::new(
        keys["verificationMethod"].as_str().unwrap(),
        "2010-01-01T19:23:24Z",
    );
    // The vector's issuer (https://example.edu/issuers/565049) serves no controller document:
    // preload the one it would publish (the key in the verification method's fragment alone
    // proves nothing).
    let vm = keys["verificationMethod"].as_str().unwrap();
    let issuer = vm.split('#').next().unwrap();
    let mut docs = std::collections::HashMap::new();
    docs.insert(
        issuer.to_owned(),
        serde_json::json!({"id": issuer,
            "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer,
                                    "publicKeyMultibase": keys["publicKeyMultibase"]}],
            "assertionMethod": [vm]}),
    );
    let vopts = VerifyOptions {
        documents: Some(&docs),
        ..VerifyOptions::default()
    };
    assert!(verify(&signed, &vopts).outcome.is_valid());

    c.bench_function("eddsa_rdfc_2022_verify_ob_vector", |b| {
        b.iter(|| verify(black_box(&signed), &vopts))
    });
    c.bench_function("eddsa_rdfc_2022_sign_ob_vector", |b| {
        b.iter(|| sign(black_box(&unsigned), &signer, &opts).unwrap())
    });
    c.bench_function("jsonld_to_rdf_ob_vector_document", |b| {
        b.iter(|| to_rdf(black_box(&unsigned), &JsonLdOptions::default()).unwrap())
    });
    let ds = to_rdf(&unsigned, &JsonLdOptions::default()).unwrap();
    c.bench_function("rdfc10_canonicalize_ob_vector_document", |b| {
        b.iter(|| canonicalize(black_box(&ds), &CanonLimits::default()).unwrap())
    });
    let pk = hex(keys["public_key_hex"].as_str().unwrap());
    let sig = hex(keys["signature_hex"].as_str().unwrap());
    let data = hash_data(&signed, &signed["proof"]).unwrap();
    c.bench_function("ring_ed25519_verify_raw", |b| {
        b.iter(|| {
            UnparsedPublicKey::new(&ED25519, black_box(&pk))
                .verify(black_box(&data), black_box(&sig))
                .unwrap()
        })
    });

    // The spec vector with a did:key issuer: the whole pipeline, the proof alone, signing, and
    // the raw ring operations on the same 64-byte hash data.
    let k = did_key_case(&seed);
    let loader = StaticLoader::with_bundled_contexts();
    let verifier = Verifier::new(&loader);
    assert_eq!(
        verifier.verify_bytes("c", &k.signed_bytes).status(),
        Status::Valid
    );
    let mut pipeline = || {
        let r = verifier.verify_bytes("c", black_box(&k.signed_bytes));
        assert_eq!(r.status(), Status::Valid);
    };
    let mut proof_only = || {
        let doc: Value = serde_json::from_slice(black_box(&k.signed_bytes)).unwrap();
        assert!(verify(&doc, &VerifyOptions::default()).outcome.is_valid());
    };
    let mut signing = || {
        black_box(sign(black_box(&k.unsigned), &k.signer, &k.opts).unwrap());
    };
    let mut raw_verify = || {
        UnparsedPublicKey::new(&ED25519, black_box(&k.public))
            .verify(black_box(&k.data), black_box(&k.sig))
            .unwrap();
    };
    let mut raw_sign = || {
        black_box(k.pair.sign(black_box(&k.data)));
    };
    c.bench_function("eddsa_rdfc_2022_verify_did_key", |b| b.iter(&mut pipeline));
    c.bench_function("eddsa_rdfc_2022_verify_proof_only_did_key", |b| {
        b.iter(&mut proof_only)
    });
    c.bench_function("eddsa_rdfc_2022_sign_did_key", |b| b.iter(&mut signing));
    c.bench_function("ring_ed25519_verify_raw_did_key", |b| {
        b.iter(&mut raw_verify)
    });
    c.bench_function("ring_ed25519_sign_raw_did_key", |b| b.iter(&mut raw_sign));

    if ratios_wanted() {
        // `SAMPLES` pairs of batches of ~`BATCH_MS` ms, after a warm-up of one batch.
        let batch_ms = env_num("BATCH_MS", 100.0);
        let m = Method {
            samples: env_num("SAMPLES", 15.0) as usize,
            batch_ms,
            warm: Duration::from_secs_f64(batch_ms / 1000.0),
        };
        let v = alternate(m, &mut pipeline, &mut raw_verify);
        let p = alternate(m, &mut proof_only, &mut raw_verify);
        let s = alternate(m, &mut signing, &mut raw_sign);
        println!(
            "load average: {}",
            std::fs::read_to_string("/proc/loadavg")
                .unwrap_or_default()
                .trim()
        );
        println!(
            "verify {:.1} µs, raw verify {:.1} µs: ratio verify/raw = {:.2}",
            v.op_us, v.raw_us, v.ratio
        );
        println!(
            "verify (proof only) {:.1} µs, raw verify {:.1} µs: ratio verify-proof/raw = {:.2}",
            p.op_us, p.raw_us, p.ratio
        );
        println!(
            "sign {:.1} µs, raw sign {:.1} µs: ratio sign/raw-sign = {:.2}",
            s.op_us, s.raw_us, s.ratio
        );
    }
}

/// Only under `cargo bench` (not `cargo test --benches`, not `--profile-time`, not `--list`),
/// and not with `RATIOS=0`.
fn ratios_wanted() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench")
        && !args
            .iter()
            .any(|a| a == "--profile-time" || a == "--list" || a == "--test")
        && std::env::var("RATIOS").as_deref() != Ok("0")
}

fn short() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = di;
    config = short();
    targets = benches
}
criterion_main!(di);
