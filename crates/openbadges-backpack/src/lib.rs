//! Backpack.
#![forbid(unsafe_code)]

mod archive;
mod backpack;
pub mod dedup;
mod display;
mod error;
pub mod export;
pub mod identity;
mod input;
mod model;
pub mod store;
pub mod verify;

pub use backpack::{Backpack, ImportReport, ImportResult, ImportSummary, ItemReport};
pub use error::{Error, Result};
pub use input::ImportLimits;
pub use model::*;
pub use store::{MemoryStore, SqliteStore, Store, Write};
pub use verify::{VerificationOutcome, Verifier, VerifyRequest};
