//! Interop with the reference implementations (../shared/peers): they accept what we issue, we
//! accept what they issue, and our verdicts agree with theirs wherever they follow the
//! specification (where they do not, the specification's outcome is checked instead).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
