//! Open Badges for Rust: issue a badge and verify it, with one dependency.
//!
//! In an async service (feature `tokio`), one [`Issuer`] and one [`Verifier`] serve every
//! request: both are `Clone + Send + Sync` and cheap to clone, and their `*_async` methods run
//! the work on tokio's blocking pool, so a handler never blocks a runtime thread. Here the
//! verifier checks, offline, a badge issued a moment before (with `.online(HttpLimits::default())`, feature `http`, it
//! would fetch what is not preloaded, through an async HTTP client):
//!
//! ```
//! use openbadges::{Badge, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile, Verifier};
//! use openbadges::model::Identity;
//! use openbadges::proof::key::Algorithm;
//! use openbadges::proof::report::Status;
//!
//! /// What a request handler does with an uploaded badge.
//! async fn check(verifier: &Verifier, upload: Vec<u8>) -> Status {
//!     verifier.verify_bytes_async("upload.svg", upload).await.status()
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let image = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
//!     let keys = IssuerKeys::generate(Algorithm::Es256)?;
//!     let profile = IssuerProfile::new("Example U", "badges@example.org");
//!     let issuer = Issuer::new("https://badges.example.org/", profile, keys)?;
//!     let badge = Badge::new("badges-101", "Badges 101", "Knows what a badge is.", "Pass the quiz.")
//!         .image(&image[..]);
//!     let learner = Identity::email("learner@example.org");
//!     let issued = issuer.issue_async(&learner, &badge, &IssueOptions::new()).await?;
//!
//!     let verifier = Verifier::builder()
//!         .hosted(&issued.hosted) // the issuer's documents, as a verifier would fetch them
//!         .recipient("email:learner@example.org".parse()?)
//!         .build()?;
//!     let baked = issued.baked(Form::Ob3DataIntegrity).map(|b| b.bytes.clone()).unwrap_or_default();
//!     let tasks: Vec<_> = (0..4)
//!         .map(|_| {
//!             let (verifier, baked) = (verifier.clone(), baked.clone());
//!             tokio::spawn(async move { check(&verifier, baked).await })
//!         })
//!         .collect();
//!     for task in tasks {
//!         assert_eq!(task.await?, Status::Valid);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! The same from sync code, step by step.
//!
//! Issue a badge to an email address: the recipient is hashed with a fresh salt, the OB 2.0
//! assertion (hosted and signed) and the OB 3.0 credential (`eddsa-rdfc-2022`, and as a
//! VC-JWT) are built, signed and baked into the image, and every document to host comes back
//! with its URL:
//!
//! ```
//! use openbadges::{Badge, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile};
//! use openbadges::model::Identity;
//! use openbadges::proof::key::Algorithm;
//!
//! let image = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
//! let keys = IssuerKeys::generate(Algorithm::Es256)?;
//! let issuer = Issuer::new("https://badges.example.org/", IssuerProfile::new("Example U", "badges@example.org"), keys)?;
//! let badge = Badge::new("badges-101", "Badges 101", "Knows what a badge is.", "Pass the quiz.").image(&image[..]);
//! let issued = issuer.issue(&Identity::email("learner@example.org"), &badge, &IssueOptions::new())?;
//! assert!(issued.baked(Form::Ob3DataIntegrity).is_some());
//! for doc in &issued.hosted { /* serve doc.body at doc.url as doc.content_type */ }
//! assert!(issued.document("issuer.json").is_some());
//! # Ok::<(), openbadges::Error>(())
//! ```
//!
//! Verify it — here offline, with the issuer's documents preloaded as a verifier would fetch
//! them — for the right recipient and for another one (the sync methods block the calling
//! thread: in async code use their `*_async` twins):
//!
//! ```
//! # use openbadges::{Badge, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile};
//! # use openbadges::model::Identity;
//! # use openbadges::proof::key::Algorithm;
//! # let image = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
//! # let issuer = Issuer::new("https://badges.example.org/", IssuerProfile::new("Example U", "badges@example.org"), IssuerKeys::generate(Algorithm::Es256)?)?;
//! # let badge = Badge::new("badges-101", "Badges 101", "Knows what a badge is.", "Pass the quiz.").image(&image[..]);
//! # let issued = issuer.issue(&Identity::email("learner@example.org"), &badge, &IssueOptions::new())?;
//! use openbadges::Verifier;
//! use openbadges::proof::report::Status;
//!
//! let verifier = Verifier::builder().hosted(&issued.hosted)
//!     .recipient("email:learner@example.org".parse()?).build()?;
//! let baked = issued.baked(Form::Ob3DataIntegrity).map(|b| b.bytes.clone()).unwrap_or_default();
//! assert_eq!(verifier.verify_bytes("badge.svg", &baked).status(), Status::Valid); // OB 3.0, eddsa-rdfc-2022
//! let other = "email:someone-else@example.org".parse()?;
//! assert_eq!(verifier.verify_bytes_for("badge.svg", &baked, &other).status(), Status::Invalid);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # A durable issuer, shared by threads and instances
//! [`Issuer::open`] keeps everything (keys, badges, documents, status indexes, revocations) in
//! an [`IssuerStore`]: one SQLite file by default, or PostgreSQL (feature `postgres`) for
//! several instances. The issuer is `Clone + Send + Sync`; any issuer on the same store serves
//! any badge's documents, and every revocation as soon as it is committed:
//!
//! ```
//! use openbadges::{Badge, IssueOptions, Issuer, IssuerProfile, Served};
//! use openbadges::model::Identity;
//!
//! # let dir = std::env::temp_dir().join(format!("ob-doc-store-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! # let path = dir.join("issuer.db");
//! let store = openbadges::store::open(&format!("sqlite:{}", path.display()))?; // or postgres://…
//! let profile = IssuerProfile::new("Example U", "badges@example.org");
//! let issuer = Issuer::open("https://badges.example.org/", profile.clone(), store.clone())?;
//! let image = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
//! let badge = Badge::new("badges-101", "Badges 101", "Knows what a badge is.", "Pass the quiz.").image(&image[..]);
//! let issued = issuer.issue(&Identity::email("learner@example.org"), &badge, &IssueOptions::new())?;
//!
//! // Another instance on the same database answers for the badge…
//! let other = Issuer::open("https://badges.example.org/", profile, store)?;
//! let url = format!("https://badges.example.org/assertions/{}.json", issued.uuid);
//! assert!(matches!(other.document(&url)?, Some(Served::Document(_))));
//! // …and for its revocation, made through the first one.
//! issuer.revoke(&issued.uuid, Some("awarded in error"))?;
//! assert!(matches!(other.document(&url)?, Some(Served::Gone)));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! From async code (feature `tokio`), the `*_async` methods run the same work on tokio's
//! blocking pool, so no worker thread waits for the database or the signing:
//!
//! ```
//! # use openbadges::{Badge, IssueOptions, Issuer, IssuerKeys, IssuerProfile};
//! # use openbadges::model::Identity;
//! # use openbadges::proof::key::Algorithm;
//! # let rt = tokio::runtime::Builder::new_multi_thread().build()?;
//! # rt.block_on(async {
//! let issuer = Issuer::new("https://badges.example.org/", IssuerProfile::new("Example U", "badges@example.org"), IssuerKeys::generate(Algorithm::Es256)?)?;
//! let badge = Badge::new("badges-101", "Badges 101", "Knows what a badge is.", "Pass the quiz.")
//!     .image(&br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#[..]);
//! let issued = issuer.issue_async(&Identity::email("learner@example.org"), &badge, &IssueOptions::new()).await?;
//! issuer.revoke_async(&issued.uuid, None).await?;
//! assert!(issuer.is_revoked_async(&issued.uuid).await?);
//! # Ok::<(), openbadges::Error>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//! | feature | default | gives |
//! |---------|---------|-------|
//! | (always) | yes | [`model`]: the data model of OB 0.5–3.0 and CLR 2.0 |
//! | `bake` | yes | [`bake`]: bake and extract PNG/SVG |
//! | `proof` | yes | [`proof`]: keys, JWS, Data Integrity, loaders, reports; [`Verifier`] |
//! | `proof` + `bake` | yes | [`Issuer`], [`store`] (memory) |
//! | `sqlite` | yes | `store::SqliteIssuerStore`: the issuer's state in one SQLite file (bundled) |
//! | `postgres` | no | PostgreSQL stores, for several instances: the issuer's `store::PostgresIssuerStore` and, with `backpack`, the backpack's `PostgresStore` |
//! | `quiz` | yes | [`quiz`]: quizzes whose graded attempts become evidence ([`Evidence::from_attempt`]) |
//! | `backpack` | no | [`backpack`](https://docs.rs/openbadges-backpack): import, store (SQLite; PostgreSQL with `postgres`), export |
//! | `http` | no | the guarded HTTP loaders behind `VerifierBuilder::online`: a [`Verifier`] fetches what is not preloaded only when the code asks for it |
//! | `oid4vci` | no | `oid4vci`: an OpenID4VCI 1.0 issuer (pre-authorized code) over the [`Issuer`] |
//! | `tokio` | no | async entry points that never block a runtime thread: `Verifier::verify_async` and friends, the issuer's `*_async` methods, all on tokio's blocking pool |
//!
//! # Revocation
//! [`Issuer::revoke`] revokes every form of a badge the way its specification says: the signed
//! OB 2.0 assertion through the revocation list, the hosted one by answering `410 Gone`, the
//! OB 3.0 credential (both proofs) through its bit in the Bitstring Status List. Design, URL
//! layout and tests: `docs/facade.md`.
#![forbid(unsafe_code)]

mod error;
#[cfg(all(feature = "proof", feature = "bake"))]
mod issuer;
#[cfg(feature = "oid4vci")]
pub mod oid4vci;
#[cfg(all(feature = "proof", feature = "bake"))]
pub mod store;
#[cfg(feature = "proof")]
mod verifier;

pub use error::Error;
#[cfg(all(feature = "proof", feature = "bake", feature = "tokio"))]
pub use issuer::{AsyncIssueHook, AsyncRevokeHook};
#[cfg(all(feature = "proof", feature = "bake"))]
pub use issuer::{
    Badge, BakedImage, Evidence, Form, HostedDocument, IssueOptions, Issued, Issuer, IssuerKeys,
    IssuerProfile, Revocation,
};
/// The bounds of a [`Verifier`]'s shared document cache.
#[cfg(feature = "proof")]
pub use openbadges_proof::loader::CacheLimits;
/// The limits of the HTTP loaders behind [`VerifierBuilder::online`].
#[cfg(feature = "http")]
pub use openbadges_proof::loader::HttpLimits;
/// One input to verify: bytes of any kind with a name, or a URL.
#[cfg(feature = "proof")]
pub use openbadges_proof::verify::Source;
#[cfg(all(feature = "proof", feature = "bake"))]
pub use store::{IssuedRecord, IssuerStore, Served, StoreError};
#[cfg(feature = "proof")]
pub use verifier::{Verification, Verifier, VerifierBuilder};

/// The data model (`openbadges-model`): OB 0.5–3.0 and CLR 2.0 types, parsing, validation,
/// legacy upgrade, 2.0 → 3.0 conversion, builders, recipient hashing.
pub use openbadges_model as model;

/// Baking (`openbadges-bake`): embed and extract badges in PNG and SVG.
#[cfg(feature = "bake")]
pub use openbadges_bake as bake;

/// Proofs and verification (`openbadges-proof`): keys, JWS, Data Integrity, DIDs, loaders,
/// revocation lists, the verification engine and its report.
#[cfg(feature = "proof")]
pub use openbadges_proof as proof;

/// Quizzes (`openbadges-quiz`): definitions, attempts, grading, evidence.
#[cfg(feature = "quiz")]
pub use openbadges_quiz as quiz;

/// The backpack (`openbadges-backpack`): import, identity matching, storage, export.
#[cfg(feature = "backpack")]
pub use openbadges_backpack as backpack;
