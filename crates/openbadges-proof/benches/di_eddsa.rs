//! eddsa-rdfc-2022 sign/verify on the 1EdTech OB 3.0 spec vector, the pipeline stages, and
//! the raw ring Ed25519 verify they are compared to.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use openbadges_proof::data_integrity::{
    Ed25519Signer, ProofOptions, VerifyOptions, hash_data, sign, verify,
};
use openbadges_proof::jsonld::{JsonLdOptions, to_rdf};
use openbadges_proof::rdfc::{CanonLimits, canonicalize};
use ring::signature::{ED25519, UnparsedPublicKey};
use serde_json::Value;

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
}

criterion_group!(di, benches);
criterion_main!(di);
