//! The workspace's cross-crate tests. The library is empty: the tests live in `journeys/`
//! (issue → bake → extract → verify → backpack → export → re-import → verify, quiz → evidence →
//! credential, revocation in every form) and `interop/` (our verdicts beside the reference
//! implementations'), with their helpers in the `openbadges-test-support` crate (`support/`).
#![forbid(unsafe_code)]
