//! Arbitrary JSON → JSON-LD expansion (bundled contexts only) → toRdf → RDFC-1.0, in safe
//! mode and without it (first byte picks). Nothing may panic or hang (limits are on), and
//! canonical output must be a fixed point: parsing and canonicalizing it again gives it back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_proof::jsonld::{JsonLdOptions, to_rdf};
use openbadges_proof::rdfc::{CanonLimits, canonicalize, parse_nquads};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(rest) else {
        return;
    };
    let opts = JsonLdOptions {
        safe_mode: mode & 1 == 0,
        ..JsonLdOptions::default()
    };
    let Ok(ds) = to_rdf(&doc, &opts) else {
        return;
    };
    let Ok(c) = canonicalize(&ds, &CanonLimits::default()) else {
        return;
    };
    let again = parse_nquads(&c.nquads).expect("canonical N-Quads parse");
    let c2 = canonicalize(&again, &CanonLimits::default()).expect("canonical output canonicalizes");
    assert_eq!(c.nquads, c2.nquads, "canonical form is a fixed point");
});
