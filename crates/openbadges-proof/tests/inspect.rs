//! The library's inspection report on real fixtures: kind, verdict, findings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use openbadges_proof::input::InputKind;
use openbadges_proof::inspect::{NOT_FETCHED, inspect_bytes};
use openbadges_proof::report::Status;

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/{p}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn a_baked_json_assertion_is_inspected_as_its_image_kind() {
    let r = inspect_bytes(&fixture("ob2/baked/hosted-valid-json.png"));
    assert_eq!(r.kind, InputKind::Png);
    assert_eq!(r.status, Status::Valid, "{:?}", r.problems());
    assert!(r.inspection.is_some());
}

#[test]
fn a_baked_url_is_not_fetched_and_not_checked() {
    let r = inspect_bytes(&fixture("ob2/baked/hosted-valid-url.png"));
    assert_eq!(r.kind, InputKind::Png);
    assert_eq!(r.status, Status::Indeterminate);
    assert!(r.url.is_some());
    assert!(r.findings.iter().any(|f| f.code == NOT_FETCHED && !f.error));
    assert_eq!(r.to_json("x")["valid_structure"], false);
}

#[test]
fn a_signed_baked_assertion_is_read_without_verifying() {
    // Tampered or not, inspection only reads the structure.
    let r = inspect_bytes(&fixture("ob2/baked/signed-tampered.png"));
    assert_eq!(r.kind, InputKind::Png);
    assert_ne!(r.status, Status::Indeterminate);
    assert!(r.inspection.is_some());
}
