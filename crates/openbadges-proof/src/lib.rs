//! Signing and verification for Open Badges and CLR. (Being written.)
#![forbid(unsafe_code)]

pub mod data_integrity;
pub mod did;
mod error;
pub mod input;
pub mod issue;
pub mod jsonld;
pub mod jws;
pub mod key;
pub mod loader;
pub mod multibase;
pub mod rdfc;
pub mod report;
pub mod status;
pub mod verify;

pub use error::Error;
