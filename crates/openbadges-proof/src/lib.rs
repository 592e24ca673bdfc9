//! Signing and verification for Open Badges and CLR. (Being written.)
#![forbid(unsafe_code)]

pub mod data_integrity;
pub mod did;
pub mod jsonld;
pub mod multibase;
pub mod rdfc;
