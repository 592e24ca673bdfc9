//! Importing 10,000 badges of mixed kinds and exporting them to a zip archive.
//!
//! `cargo bench -p openbadges-backpack` (record the numbers in docs/benchmarks.md). The verifier
//! here is a bench double that answers "indeterminate" without checking anything: the numbers
//! measure the backpack (parsing, identity, de-duplication, storage, export), not verification.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use base64::Engine as _;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use openbadges_backpack::export::zip::export_zip;
use openbadges_backpack::{
    Backpack, MemoryStore, Source, SqliteStore, Store, VerificationOutcome, Verifier, VerifyRequest,
};
use openbadges_model::Identity;
use openbadges_proof::report::Status;
use serde_json::json;

const N: usize = 10_000;
const ME: &str = "did:example:ebfeb1f712ebc6f1c276e12ec21";

struct NotChecked;
impl Verifier for NotChecked {
    fn verify(&self, _: &VerifyRequest<'_>) -> VerificationOutcome {
        VerificationOutcome {
            status: Status::Indeterminate,
            report: json!({"status": "indeterminate"}),
        }
    }
}

fn ob3(i: usize) -> serde_json::Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("urn:uuid:bench-{i}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Example"},
        "validFrom": "2020-01-01T00:00:00Z",
        "name": format!("Badge {i}"),
        "credentialSubject": {"id": ME, "type": ["AchievementSubject"],
            "achievement": {"id": format!("https://example.edu/a/{}", i % 50), "type": ["Achievement"],
                "name": format!("Achievement {}", i % 50), "description": "A badge.", "criteria": {"narrative": "Do it."}}}
    })
}

fn ob2(i: usize) -> serde_json::Value {
    json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": format!("https://example.org/assertions/{i}"),
        "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
        "badge": {"type": "BadgeClass", "id": "https://example.org/badges/1", "name": "Badges 101"},
        "verification": {"type": "hosted"},
        "issuedOn": "2024-01-31T12:00:00Z"
    })
}

/// 10,000 inputs: OB 2.0 JSON, OB 3.0 JSON, VC-JWTs, baked PNGs, in turn.
fn inputs() -> Vec<Vec<u8>> {
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/upstream/mozbakery-unbaked.png"
    ))
    .unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    (0..N)
        .map(|i| match i % 4 {
            0 => ob2(i).to_string().into_bytes(),
            1 => ob3(i).to_string().into_bytes(),
            2 => format!(
                "{}.{}.{}",
                b64.encode(br#"{"alg":"EdDSA"}"#),
                b64.encode(json!({"vc": ob3(i)}).to_string()),
                b64.encode(b"sig")
            )
            .into_bytes(),
            _ => openbadges_bake::bake(&png, &ob2(i).to_string(), &Default::default()).unwrap(),
        })
        .collect()
}

fn fill<S: Store>(store: S, inputs: &[Vec<u8>]) -> Backpack<S, NotChecked> {
    let mut bp = Backpack::new(store, NotChecked);
    bp.add_identifier(Identity::parse("email:student@example.org").unwrap())
        .unwrap();
    bp.add_identifier(Identity::parse(&format!("did:{ME}")).unwrap())
        .unwrap();
    for (n, input) in inputs.iter().enumerate() {
        bp.import(input, Source::file(format!("input-{n}")))
            .unwrap();
    }
    bp
}

fn bench(c: &mut Criterion) {
    let inputs = inputs();
    let mut g = c.benchmark_group("backpack-10k");
    g.sample_size(10);
    g.bench_function("import-memory", |b| {
        b.iter(|| fill(MemoryStore::new(), &inputs))
    });
    let dir =
        std::env::temp_dir().join(format!("openbadges-backpack-bench-{}", std::process::id()));
    g.bench_function("import-sqlite", |b| {
        b.iter_batched(
            || {
                let _ = std::fs::remove_dir_all(&dir);
                SqliteStore::open_dir(&dir).unwrap()
            },
            |store| fill(store, &inputs),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("import-sqlite-one-transaction", |b| {
        b.iter_batched(
            || {
                let _ = std::fs::remove_dir_all(&dir);
                SqliteStore::open_dir(&dir).unwrap()
            },
            |store| {
                let mut bp = Backpack::new(store, NotChecked);
                bp.add_identifier(Identity::parse("email:student@example.org").unwrap())
                    .unwrap();
                bp.add_identifier(Identity::parse(&format!("did:{ME}")).unwrap())
                    .unwrap();
                bp.import_all(
                    inputs
                        .iter()
                        .enumerate()
                        .map(|(n, i)| (i.as_slice(), Source::file(format!("input-{n}")))),
                )
                .unwrap();
                bp
            },
            BatchSize::PerIteration,
        )
    });
    let full = fill(MemoryStore::new(), &inputs);
    g.bench_function("export-zip", |b| {
        b.iter(|| export_zip(full.store()).unwrap())
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
