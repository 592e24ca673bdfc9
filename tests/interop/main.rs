//! Interop with the reference implementations (../shared/peers): they accept what we issue, we
//! accept what they issue, and our verdicts agree with theirs wherever they follow the
//! specification (where they do not, the specification's outcome is checked instead).
//!
//! Each module is one interop suite; each prints its pass/fail count at the end and fails with
//! the full list of disagreements. Outside CI a missing `../shared` skips them; in CI it fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod backpack_exports;
mod badges101;
mod bake;
mod documents;
mod facade;
mod harness;
mod ob2;
mod ob3;
mod oid4vci;
