//! Signing and verification for Open Badges and CLR.
//!
//! Verify any badge — OB 0.5 to 2.0, hosted or signed, as JSON, a compact JWS, a baked PNG/SVG
//! or a URL — into a [`report::Report`] whose status is valid, invalid or indeterminate, with
//! documents supplied by a [`loader::DocumentLoader`] (offline here):
//!
//! ```
//! use openbadges_proof::loader::StaticLoader;
//! use openbadges_proof::report::Status;
//! use openbadges_proof::verify::{FixedClock, Verifier};
//!
//! let served = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ob2/served/");
//! let mut docs = StaticLoader::with_bundled_contexts();
//! for f in ["hosted/valid.json", "badgeclass.json", "issuer.json"] {
//!     docs.insert(&format!("http://127.0.0.1:8765/{f}"), None, &std::fs::read(format!("{served}{f}"))?);
//! }
//! let clock = FixedClock::parse("2025-06-01T00:00:00Z")?;
//! let report = Verifier::new(&docs).with_clock(&clock).verify_url("http://127.0.0.1:8765/hosted/valid.json");
//! assert_eq!(report.status(), Status::Valid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules: [`input`] (detect and unpack inputs; shared by `inspect` and `verify`), [`jws`] and
//! [`key`] (compact JWS, keys), [`loader`] (documents: static, cached, guarded HTTP), [`verify`]
//! (the engine), [`report`] (status, checks, stable codes), [`status`] (revocation lists),
//! [`issue`] (the signing side), [`vc_jwt`] (OB 3.0 VC-JWT issue/verify and key provenance),
//! [`status_list`] (OB 3.0 bitstring and 1EdTech status lists), [`data_integrity`] (Data
//! Integrity proofs). See `docs/verification.md` for the pipeline and security model.
#![forbid(unsafe_code)]

pub mod data_integrity;
pub mod did;
mod error;
pub mod input;
pub mod inspect;
pub mod issue;
pub mod jsonld;
pub mod jws;
pub mod key;
pub mod loader;
pub mod multibase;
pub mod rdfc;
pub mod report;
pub mod status;
pub mod status_list;
pub mod summary;
pub mod vc_jwt;
pub mod verify;

pub use error::{Cause, Error};
