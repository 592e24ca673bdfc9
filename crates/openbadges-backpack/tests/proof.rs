//! The backpack with the proof crate's verifier: OB 0.5–2.0 fixtures served
//! offline from `fixtures/ob2/served` reach the outcomes the spec expects (fixtures/ob2/MANIFEST.md).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use common::*;
use openbadges_backpack::proof::{LoaderFetcher, ProofVerifier};
use openbadges_backpack::{ImportResult, MemoryStore, Store};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::Status;
use openbadges_proof::verify::{FixedClock, Verifier};

/// The served issuer site and the https issuers' documents.
fn served_loader() -> StaticLoader {
    let mut docs = common::served_loader();
    add_https_issuer_documents(&mut docs);
    docs
}

#[test]
fn ob2_fixtures_reach_the_spec_expected_outcomes() {
    let loader = Arc::new(served_loader());
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let verifier = ProofVerifier::new(Verifier::new(&*loader).with_clock(&clock));
    let mut bp =
        backpack(MemoryStore::new(), verifier).with_fetcher(LoaderFetcher(Arc::clone(&loader)));
    // (input, expected result, expected stored verdict for imported ones)
    let cases: &[(&str, ImportResult)] = &[
        ("ob2/served/hosted/valid.json", ImportResult::Imported),
        ("ob2/served/hosted/expired.json", ImportResult::Failed),
        ("ob2/served/hosted/future-issued.json", ImportResult::Failed),
        ("ob2/served/hosted/revoked-full.json", ImportResult::Failed),
        (
            "ob2/served/hosted/missing-issuedOn.json",
            ImportResult::Failed,
        ),
        ("ob2/served/hosted/bad-hash.json", ImportResult::Failed),
        ("ob2/served/hosted/out-of-scope.json", ImportResult::Failed),
        ("ob2/served/hosted/wrong-origin.json", ImportResult::Failed),
        ("ob2/served/scoped/in-scope.json", ImportResult::Imported),
        ("ob2/served/signed/valid.jws", ImportResult::Imported),
        ("ob2/served/signed/revoked.jws", ImportResult::Failed),
        (
            "ob2/served/signed/revoked-single-entry-list.jws",
            ImportResult::Failed,
        ),
        ("ob2/served/signed/expired.jws", ImportResult::Failed),
        ("ob2/served/signed/wrong-key.jws", ImportResult::Failed),
        (
            "ob2/served/signed/tampered-payload.jws",
            ImportResult::Failed,
        ),
        (
            "ob2/served/signed/tampered-signature.jws",
            ImportResult::Failed,
        ),
        ("ob2/served/signed/undeclared-key.jws", ImportResult::Failed),
        ("ob2/baked/signed-tampered.png", ImportResult::Failed),
        ("ob2/served/signed/no-creator.jws", ImportResult::Imported),
        (
            "ob2/served/hosted/unix-timestamp.json",
            ImportResult::Failed,
        ),
        ("ob2/served/hosted/revoked-flag.json", ImportResult::Failed),
        ("ob2/served/hosted/malformed.json", ImportResult::Failed),
        ("ob2/served/v1/assertion.json", ImportResult::Imported),
        ("ob2/served/v1_1/assertion.json", ImportResult::Imported),
        (
            "ob2/baked/legacy-text-chunk-url.png",
            ImportResult::Duplicate,
        ),
        // Same assertions as above in other forms: duplicates of what is held.
        ("ob2/baked/hosted-valid-json.png", ImportResult::Duplicate),
        ("ob2/baked/hosted-valid-url.png", ImportResult::Duplicate),
        ("ob2/baked/signed-valid.png", ImportResult::Duplicate),
        ("ob2/baked/signed-valid.svg", ImportResult::Duplicate),
    ];
    let mut wrong = Vec::new();
    for (f, expected) in cases {
        let r = bp.import(&fixture(f), file(f)).unwrap();
        if r.result() != *expected {
            wrong.push(format!("{f}: expected {expected:?}, got {:?}", r.items));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for b in bp.store().badges().unwrap() {
        assert_eq!(
            b.verification.status,
            Status::Valid,
            "{}",
            b.source.location
        );
        let report: serde_json::Value = serde_json::from_str(&b.verification.report).unwrap();
        assert_eq!(report["status"], "valid");
    }
}

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/import-fixtures-proof.txt"
);

/// Every fixture through the real verifier, compared with its own golden file
/// (`UPDATE_GOLDEN=1` rewrites it): the diff against `import-fixtures.txt` shows what
/// verification changes.
#[test]
fn every_fixture_with_the_real_verifier_matches_its_golden_file() {
    let loader = Arc::new(served_loader());
    // After the peers' credentials were issued (fixtures/ob3/peers: validFrom 2026-11-27), before
    // the 2030 expiries; the OB 2.0 expiry/future-issue fixtures (2025-01-09, 2099) keep their
    // outcome.
    let clock = FixedClock::parse("2026-12-01T00:00:00Z").unwrap();
    let verifier = ProofVerifier::new(Verifier::new(&*loader).with_clock(&clock));
    let mut bp =
        backpack(MemoryStore::new(), verifier).with_fetcher(LoaderFetcher(Arc::clone(&loader)));
    let mut lines = Vec::new();
    for f in fixture_files(&["backpack", "ob2", "ob3"])
        .into_iter()
        .filter(|f| !f.ends_with(".md"))
    {
        let report = bp.import(&fixture(&f), file(&f)).unwrap();
        for item in &report.items {
            let suffix = item.input.strip_prefix(f.as_str()).unwrap_or(&item.input);
            let detail = match item.result {
                ImportResult::Failed => item.reason.clone().unwrap_or_default(),
                _ => format!(
                    "{} {}",
                    item.id.as_ref().map(|i| i.to_string()).unwrap_or_default(),
                    item.verification.map_or("-", |v| v.as_str())
                ),
            };
            lines.push(format!("{f}{suffix}\t{}\t{detail}", item.result.as_str()));
        }
    }
    let text = lines.join("\n") + "\n";
    assert_golden(GOLDEN, &text, "outcomes");
}

/// The production fetcher refuses loopback and private addresses unless the host is allowed,
/// and reports it as a reason (the import fails with it, it does not panic or hang).
#[test]
fn the_http_fetcher_refuses_non_public_addresses() {
    use openbadges_backpack::Fetcher as _;
    let fetcher = openbadges_backpack::proof::http_fetcher::<&str>(&[]).unwrap();
    for url in [
        "http://127.0.0.1:9/badge.json",
        "http://10.0.0.1:9/badge.json",
        "http://[::1]:9/badge.json",
        "http://169.254.169.254/latest/meta-data/",
    ] {
        let err = fetcher.fetch(url, 1024).unwrap_err();
        assert!(err.contains("not a public address"), "{url}: {err}");
    }
    let loader = StaticLoader::new();
    let mut bp = backpack(
        MemoryStore::new(),
        ProofVerifier::new(Verifier::new(&loader)),
    )
    .with_fetcher(fetcher);
    let report = bp
        .import(b"http://127.0.0.1:9/badge.json", file("url"))
        .unwrap();
    assert_eq!(report.result(), ImportResult::Failed);
    assert!(
        report.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("not a public address")
    );
    // Allowed explicitly: the guard lets it through (nothing listens on port 9: a connection
    // error, not a refusal).
    let allowed = openbadges_backpack::proof::http_fetcher(&["127.0.0.1:9"]).unwrap();
    let err = allowed
        .fetch("http://127.0.0.1:9/badge.json", 1024)
        .unwrap_err();
    assert!(!err.contains("not a public address"), "{err}");
}
