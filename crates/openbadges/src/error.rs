//! The facade's error type.

/// Why issuing, revoking or configuring failed. Verification never returns this: it returns a
/// report (valid, invalid or indeterminate).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The issuer or the request is misconfigured (a bad base URL, a form requested without
    /// the key it needs, a bad slug, …).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The data model refused to build a document (a missing or invalid property).
    #[error(transparent)]
    Model(#[from] openbadges_model::Error),
    /// Signing or key handling failed.
    #[cfg(feature = "proof")]
    #[error(transparent)]
    Proof(#[from] openbadges_proof::Error),
    /// Data Integrity signing failed.
    #[cfg(feature = "proof")]
    #[error("data integrity: {0}")]
    DataIntegrity(#[from] openbadges_proof::data_integrity::DiError),
    /// Baking the badge into its image failed (e.g. the image is not a PNG or SVG).
    #[cfg(feature = "bake")]
    #[error(transparent)]
    Bake(#[from] openbadges_bake::Error),
    /// Evidence could not be made from a quiz attempt.
    #[cfg(feature = "quiz")]
    #[error(transparent)]
    Quiz(#[from] openbadges_quiz::Error),
    /// `revoke` was given an id this issuer did not issue (or no longer knows).
    #[error("unknown badge {0:?}")]
    UnknownBadge(String),
    /// The status list is full (more badges than its capacity).
    #[error("the status list is full")]
    StatusListFull,
    /// The system random source failed.
    #[error("the system random source failed")]
    Random,
    /// Serializing a document failed.
    #[error("json: {0}")]
    Json(String),
}
