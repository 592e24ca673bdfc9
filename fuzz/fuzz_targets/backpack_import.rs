//! Arbitrary bytes → `Backpack::import` (content detection, JWS/VC-JWT payloads, baked images,
//! CLR / VP / API-response unbundling, archives, identity matching, de-duplication): nothing may
//! panic, every input gets a report with at least one entry, and importing the same bytes again
//! never imports anything new.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_model::Identity;
use openbadges_proof::report::Status;
use openbadges_backpack::{
    Backpack, ImportResult, MemoryStore, Source, VerificationOutcome,
    Verifier, VerifyRequest,
};

/// Fuzzing checks the backpack, not proofs: every badge is "could not check".
struct NotChecked;
impl Verifier for NotChecked {
    fn verify(&self, _: &VerifyRequest<'_>) -> VerificationOutcome {
        VerificationOutcome {
            status: Status::Indeterminate,
            report: serde_json::json!({"status": "indeterminate"}),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut bp = Backpack::new(MemoryStore::new(), NotChecked);
    for id in [
        "email:student@example.org",
        "did:example:ebfeb1f712ebc6f1c276e12ec21",
    ] {
        bp.add_identifier(Identity::parse(id).expect("a valid identifier"))
            .expect("memory store");
    }
    let first = bp.import(data, Source::file("fuzz")).expect("memory store");
    assert!(!first.items.is_empty());
    let again = bp.import(data, Source::file("fuzz")).expect("memory store");
    assert!(again.items.iter().all(|i| i.result != ImportResult::Imported));
});
