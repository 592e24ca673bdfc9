//! A declarative quiz engine for Open Badges. (Being written.)
#![forbid(unsafe_code)]
