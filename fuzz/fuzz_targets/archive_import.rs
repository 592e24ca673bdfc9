//! Arbitrary bytes as a backpack archive (a zip signature is put in front when missing, so every
//! input takes the archive path) → `Backpack::import` with small limits: manifest and document
//! index parsing, entry reads within the caps, SHA-256 checks, restored state and collections.
//! Nothing may panic, every input gets a report with at least one entry, and importing the same
//! bytes again never imports anything new.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_model::Identity;
use openbadges_proof::report::Status;
use openbadges_backpack::{
    Backpack, ImportLimits, ImportResult, MemoryStore, Source, VerificationOutcome,
    Verifier, VerifyRequest,
};

const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

/// Fuzzing checks the archive reader, not proofs: every badge is "could not check".
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
    let owned;
    let bytes = if data.starts_with(ZIP_SIGNATURE) {
        data
    } else {
        owned = [ZIP_SIGNATURE, data].concat();
        &owned[..]
    };
    let limits = ImportLimits {
        max_input_bytes: 64 * 1024,
        max_archive_bytes: 1024 * 1024,
        max_items: 8,
        max_archive_expanded_bytes: 4 * 1024 * 1024,
        json: openbadges_model::Limits {
            max_bytes: 64 * 1024,
            max_depth: 32,
        },
    };
    let mut bp = Backpack::new(MemoryStore::new(), NotChecked).with_limits(limits);
    bp.add_identifier(Identity::parse("email:student@example.org").expect("an identifier"))
        .expect("memory store");
    let first = bp
        .import(bytes, Source::file("fuzz.zip"))
        .expect("memory store");
    assert!(!first.items.is_empty());
    let again = bp
        .import(bytes, Source::file("fuzz.zip"))
        .expect("memory store");
    assert!(
        again
            .items
            .iter()
            .all(|i| i.result != ImportResult::Imported)
    );
});
