//! The verifier's recipient profile read from the CLI's `TYPE:VALUE` syntax, on a peer-issued
//! OB 3.0 credential (Data Integrity, did:key issuer) whose subject is
//! `did:example:ebfeb1f712ebc6f1c276e12ec21`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Status};
use openbadges_proof::verify::{FixedClock, RecipientProfile, Verifier};

const CREDENTIAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/ob3/peers/ob3-eddsa-rdfc-2022-didkey.json"
);

fn status_for(recipient: &str) -> (Status, Vec<Code>) {
    let loader = StaticLoader::with_bundled_contexts();
    let clock = FixedClock::parse("2027-01-01T00:00:00Z").unwrap();
    let r = Verifier::new(&loader)
        .with_clock(&clock)
        .with_recipient(recipient.parse::<RecipientProfile>().unwrap())
        .verify_bytes("credential", &std::fs::read(CREDENTIAL).unwrap());
    (r.status(), r.errors.iter().map(|e| e.code).collect())
}

/// `did:example:…` is the DID itself, not an identity `example:…` of type `did`.
#[test]
fn a_bare_did_recipient_is_the_did_not_a_type_prefix() {
    for r in [
        "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "did:did:example:ebfeb1f712ebc6f1c276e12ec21",
        "id:did:example:ebfeb1f712ebc6f1c276e12ec21",
    ] {
        assert_eq!(status_for(r), (Status::Valid, vec![]), "{r}");
    }
    let (s, codes) = status_for("did:example:someone-else");
    assert_eq!(s, Status::Invalid);
    assert!(codes.contains(&Code::RecipientMismatch), "{codes:?}");
}
