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
    /// The issuer's store failed, or a hook given to
    /// [`Issuer::issue_with`](crate::Issuer::issue_with) /
    /// [`Issuer::revoke_with`](crate::Issuer::revoke_with) refused (nothing was committed).
    #[cfg(all(feature = "proof", feature = "bake"))]
    #[error("issuer store: {0}")]
    Store(#[from] crate::store::StoreError),
    /// A blocking task of an `*_async` method panicked or was cancelled.
    #[cfg(feature = "tokio")]
    #[error("blocking task failed: {0}")]
    Task(String),
    /// The system random source failed.
    #[error("the system random source failed")]
    Random,
    /// Serializing a document failed.
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    /// The credential could not be issued as a VC-JWT (e.g. its dates are not RFC 3339).
    #[cfg(feature = "proof")]
    #[error("invalid configuration: VC-JWT: {0}")]
    VcJwt(#[source] openbadges_proof::vc_jwt::VcJwtError),
    /// A status list could not be encoded.
    #[cfg(feature = "proof")]
    #[error("status list: {0}")]
    StatusList(#[from] openbadges_proof::status_list::StatusError),
    /// The HTTP loader of a [`Verifier`](crate::Verifier) could not be built, or refused a host
    /// to allow.
    #[cfg(feature = "http")]
    #[error("invalid configuration: {context}: {source}")]
    HttpLoader {
        /// What was being set up (`the HTTP loader cannot be built`, `allowed host "…"`).
        context: String,
        /// Why the loader refused.
        #[source]
        source: openbadges_proof::loader::LoadError,
    },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Error;
    use std::error::Error as _;

    /// A JSON failure keeps serde_json's error as its source, and its message.
    #[test]
    fn json_error_keeps_its_cause() {
        let cause = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let text = cause.to_string();
        let err = Error::from(cause);
        assert_eq!(err.to_string(), format!("json: {text}"));
        let source = err.source().unwrap();
        assert!(source.downcast_ref::<serde_json::Error>().is_some());
    }
}
