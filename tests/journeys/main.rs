//! Journeys that cross crates: each module is one path a badge takes through the workspace.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod issue_to_archive;
mod quiz_to_credential;
mod revocation;
mod site;
mod support_smoke;
