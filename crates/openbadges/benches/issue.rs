//! Cost of one issuance (every form: hosted + signed OB 2.0, OB 3.0 Data Integrity + VC-JWT,
//! baked into a PNG, all hosted documents) in memory and committed to a SQLite file, and of
//! verifying the results offline.
//!
//! `cargo bench -p openbadges --bench issue`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use openbadges::model::Identity;
use openbadges::proof::key::{Algorithm, SecretKey};
use openbadges::{Badge, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile, Verifier};

fn bench(c: &mut Criterion) {
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/served/badge.png"
    ))
    .unwrap();
    let keys = IssuerKeys::new()
        .ed25519_seed(&[3u8; 32])
        .unwrap()
        .jws_key(SecretKey::generate(Algorithm::Es256).unwrap());
    let issuer = Issuer::new(
        "https://badges.example.org/",
        IssuerProfile::new("Bench", "badges@example.org"),
        keys,
    )
    .unwrap();
    let badge = Badge::new("b", "Badge", "A badge.", "Do it.").image(png);
    let to = Identity::email("learner@example.org");
    let all = IssueOptions::new();
    c.bench_function("issue/all-forms", |b| {
        b.iter(|| issuer.issue(&to, &badge, &all).unwrap())
    });
    // The same issuance committed to a SQLite file (WAL, synchronous=FULL: an fsync per commit).
    let dir = openbadges_test_support::fixtures::TempDir::new("bench-issue");
    let store =
        openbadges::store::open(&format!("sqlite:{}", dir.join("issuer.db").display())).unwrap();
    let on_sqlite = Issuer::open(
        "https://badges.example.org/",
        IssuerProfile::new("Bench", "badges@example.org"),
        store,
    )
    .unwrap();
    c.bench_function("issue/all-forms-sqlite", |b| {
        b.iter(|| on_sqlite.issue(&to, &badge, &all).unwrap())
    });
    let ob2 = IssueOptions::new().forms(true, true, false);
    c.bench_function("issue/ob2-hosted+signed", |b| {
        b.iter(|| issuer.issue(&to, &badge, &ob2).unwrap())
    });
    let issued = issuer.issue(&to, &badge, &all).unwrap();
    let v = Verifier::builder()
        .hosted(&issued.hosted)
        .recipient("email:learner@example.org".parse().unwrap())
        .build()
        .unwrap();
    for (name, form) in [
        ("verify/ob2-signed-png", Form::Ob2Signed),
        ("verify/ob3-di-png", Form::Ob3DataIntegrity),
        ("verify/ob3-jwt-png", Form::Ob3Jwt),
    ] {
        let bytes = issued.baked(form).unwrap().bytes.clone();
        c.bench_function(name, |b| b.iter(|| v.verify_bytes("b.png", &bytes)));
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
