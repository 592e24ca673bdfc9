//! An Open Badges backpack: import every kind of badge, match it to its owner, keep it safely,
//! and export it in forms a learner or another backpack can use.
//!
//! - **Import** ([`Backpack::import`]): OB 0.5–2.0 JSON, OB 3.0 JSON or VC-JWT, compact JWS,
//!   baked PNG/SVG, a CLR 2.0 (kept, and unbundled into its credentials), an OB 3.0 API
//!   `getCredentials` response (normative `credential`/`compactJwsString` keys and the published
//!   `compactJwsStrings` variant), a Badge Connect `assertions` response, a Mozilla Displayer
//!   group, or a backpack archive. Kind is detected from content; sizes are capped
//!   ([`ImportLimits`]); SVGs with script are refused.
//! - **Identity** ([`identity`]): a badge is accepted only if its recipient is one of the owner's
//!   verified [`Identity`](openbadges_model::Identity)s; the record says which one matched and how.
//! - **De-duplication** ([`dedup`]): OB 2.0 by assertion id, OB 3.0 by issuer id + credential
//!   id with the newer `validFrom` superseding, content hash for id-less legacy badges. Every
//!   input gets a per-badge [`ImportReport`] (imported / duplicate / failed with a reason).
//! - **Verification** through the [`Verifier`] trait; [`proof::ProofVerifier`] is the real one
//!   (the proof crate's verifier), and [`proof::LoaderFetcher`] fetches hosted badges through
//!   its guarded loaders. The verdict and the full report are stored with the badge.
//! - **Storage** ([`store`]): SQLite by default ([`SqliteStore`]: one file, WAL, versioned
//!   migrations, one transaction per import), PostgreSQL (`PostgresStore`, feature `postgres`:
//!   one database shared by many processes) or in memory ([`MemoryStore`]);
//!   [`store::open`] picks one from a URL. Stores are `Send + Sync`: share one as an `Arc`.
//! - **Kept documents** ([`KeptDocument`], [`Verifier::verify_keeping`]): everything a badge's
//!   verification fetched (assertion, badge class, issuer, keys, revocation and status lists,
//!   DID documents, JWKS) is stored with it, so that it can be verified offline later.
//! - **Exports** ([`export`]): a deterministic, self-contained zip archive (a manifest, each
//!   badge's original, expanded JSON and baked image, the kept documents, an escaped portfolio
//!   page); Mozilla Displayer, Badge Connect 2.1 and OB 3.0 API bodies with paging.
//! - **OB 3.0 API with OAuth 2.0** ([`oauth`]): the pieces host and client share (PKCE S256,
//!   the scope URIs, the Service Description Document, RFC 7591 registration, token and error
//!   bodies) and the host's authorization server ([`oauth::host`]: registration, authorization
//!   code + PKCE, refresh rotation, revocation, bearer checks), its grants hashed in the store.
//! - **OB 3.0 API client** (module `client`, feature `http`): send credentials to any OB 3.0 API
//!   host by its URL — discovery, dynamic client registration, OAuth 2.0 authorization code
//!   with PKCE, tokens kept and refreshed, `upsertCredential` and `getCredentials`.
//!
//! ```
//! use openbadges_backpack::{
//!     Backpack, ImportResult, MemoryStore, Source, VerificationOutcome, Verifier, VerifyRequest,
//! };
//! use openbadges_model::Identity;
//! use openbadges_proof::report::Status;
//!
//! // A stand-in verifier that says honestly that nothing was checked (use
//! // `proof::ProofVerifier` for real verification).
//! struct NotChecked;
//! impl Verifier for NotChecked {
//!     fn verify(&self, _: &VerifyRequest<'_>) -> VerificationOutcome {
//!         VerificationOutcome {
//!             status: Status::Indeterminate,
//!             report: serde_json::json!({"status": "indeterminate"}),
//!         }
//!     }
//! }
//!
//! let mut backpack = Backpack::new(MemoryStore::new(), NotChecked);
//! backpack.add_identifier(Identity::email("student@example.org"))?;
//!
//! let badge = br#"{
//!   "@context": "https://w3id.org/openbadges/v2",
//!   "type": "Assertion",
//!   "id": "https://example.org/assertions/1",
//!   "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!   "badge": {"type": "BadgeClass", "id": "https://example.org/badges/1", "name": "Badges 101"},
//!   "verification": {"type": "hosted"},
//!   "issuedOn": "2024-01-31T12:00:00Z"
//! }"#;
//! let report = backpack.import(badge, Source::file("badge.json"))?;
//! assert_eq!(report.result(), ImportResult::Imported);
//! // The same badge again is a duplicate.
//! let again = backpack.import(badge, Source::file("copy.json"))?;
//! assert_eq!(again.result(), ImportResult::Duplicate);
//!
//! // A deterministic archive of everything held.
//! let zip = openbadges_backpack::export::zip::export_zip(backpack.store())?;
//! assert_eq!(zip, openbadges_backpack::export::zip::export_zip(backpack.store())?);
//! # Ok::<(), openbadges_backpack::Error>(())
//! ```
#![forbid(unsafe_code)]

mod archive;
mod backpack;
#[cfg(feature = "http")]
pub mod client;
pub mod dedup;
mod display;
mod error;
pub mod export;
pub mod fetch;
pub mod identity;
mod input;
mod model;
pub mod oauth;
mod parallel;
pub mod proof;
pub mod store;
pub mod svg;
pub mod verify;

pub use backpack::{
    Backpack, ImportReport, ImportResult, ImportSummary, Input, InputOutcome, ItemReport, Recheck,
    find_collection,
};
pub use error::{Error, Result};
pub use fetch::Fetcher;
pub use input::ImportLimits;
pub use model::*;
pub use store::{MemoryStore, SqliteStore, Store, Write};
#[cfg(feature = "postgres")]
pub use store::{PostgresOptions, PostgresStore};
pub use verify::{RenderedOutcome, VerificationOutcome, Verifier, VerifyRequest};
