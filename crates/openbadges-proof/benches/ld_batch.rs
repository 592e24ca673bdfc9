//! Batch verification of eddsa-rdfc-2022 credentials (fixtures/ob3) on 1 and on 2 threads
//! sharing one verifier: the processed JSON-LD contexts it shares must not make the threads
//! wait for each other (2 threads should take about half the time of 1 on an idle machine).
//!
//! `verifier_batch_*` run the whole OB 3.0 pipeline through one shared `Verifier`;
//! `di_verify_batch_*` call `data_integrity::verify` with one shared `VerifyOptions` (no
//! context cache: each call processes its contexts once), `di_verify_shared_cache_batch_*`
//! with a `ContextCache` shared by the batch.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use openbadges_proof::data_integrity::{self, VerifyOptions};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::Status;
use openbadges_proof::verify::{FixedClock, Verifier};
use serde_json::Value;

/// Credentials per batch.
const N: usize = 24;

fn read(p: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/ob3/{p}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// The spec vector's issuer publishes no controller document: the one it would publish.
fn spec_vector_issuer() -> (String, Value) {
    let keys: Value =
        serde_json::from_slice(&read("spec-vectors/obv3p0-keys-and-hashes.json")).unwrap();
    let vm = keys["verificationMethod"].as_str().unwrap();
    let issuer = vm.split('#').next().unwrap().to_owned();
    let doc = serde_json::json!({"id": issuer,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": issuer,
                                "publicKeyMultibase": keys["publicKeyMultibase"]}],
        "assertionMethod": [vm]});
    (issuer, doc)
}

/// N credentials: three eddsa-rdfc-2022 fixtures (an OB 3.0 credential with a did:key
/// issuer, the OB 3.0 and CLR 2.0 spec vectors with an https issuer), repeated.
fn batch() -> Vec<(String, Vec<u8>)> {
    let files = [
        "dcc-verifier-core/v2OBv3SpecExample.json",
        "spec-vectors/clrv2p0-signed-eddsa-rdfc-2022.json",
        "spec-vectors/obv3p0-signed-eddsa-rdfc-2022.json",
    ];
    (0..N)
        .map(|i| {
            let f = files[i % files.len()];
            (f.to_owned(), read(f))
        })
        .collect()
}

/// Runs `work` on every item of `items`, split over `threads` scoped threads.
fn on_threads<T: Sync>(items: &[T], threads: usize, work: impl Fn(&T) + Sync) {
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        for part in items.chunks(chunk) {
            let work = &work;
            s.spawn(move || part.iter().for_each(work));
        }
    });
}

fn benches(c: &mut Criterion) {
    let creds = batch();
    let (issuer, issuer_doc) = spec_vector_issuer();

    let mut loader = StaticLoader::with_bundled_contexts();
    loader.insert_json(&issuer, &issuer_doc);
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let verifier = Verifier::new(&loader).with_clock(&clock);
    for (name, bytes) in &creds {
        let r = verifier.verify_bytes(name, bytes);
        assert_eq!(r.status(), Status::Valid, "{name}: {r:#?}");
    }
    let mut g = c.benchmark_group("ld_batch");
    g.sample_size(10);
    for threads in [1, 2] {
        g.bench_function(format!("verifier_batch_{N}_threads_{threads}"), |b| {
            b.iter(|| {
                on_threads(&creds, threads, |(name, bytes)| {
                    black_box(verifier.verify_bytes(name, bytes));
                });
            })
        });
    }

    let docs: Vec<Value> = creds
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    let mut controller_docs = std::collections::HashMap::new();
    controller_docs.insert(issuer, issuer_doc);
    // `VerifyOptions` holds `&dyn ControllerDocuments` (not `Sync`): each thread makes its
    // own from the shared parts.
    let opts = || VerifyOptions {
        documents: Some(&controller_docs),
        ..VerifyOptions::default()
    };
    for d in &docs {
        assert!(data_integrity::verify(d, &opts()).outcome.is_valid());
    }
    for threads in [1, 2] {
        g.bench_function(format!("di_verify_batch_{N}_threads_{threads}"), |b| {
            b.iter(|| {
                on_threads(&docs, threads, |d| {
                    black_box(data_integrity::verify(d, &opts()));
                });
            })
        });
    }
    // shared-cache:begin (not in the parent's copy of this bench)
    // The same with a context cache shared by the batch (`VerifyOptions::context_cache`).
    let cache = openbadges_proof::jsonld::ContextCache::new();
    let shared = || VerifyOptions {
        context_cache: Some(&cache),
        ..opts()
    };
    for threads in [1, 2] {
        g.bench_function(
            format!("di_verify_shared_cache_batch_{N}_threads_{threads}"),
            |b| {
                b.iter(|| {
                    on_threads(&docs, threads, |d| {
                        black_box(data_integrity::verify(d, &shared()));
                    });
                })
            },
        );
    }
    // shared-cache:end
    g.finish();
}

criterion_group!(ld, benches);
criterion_main!(ld);
