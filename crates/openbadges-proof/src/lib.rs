//! Signing and verification for Open Badges and CLR. (Being written.)
#![forbid(unsafe_code)]
