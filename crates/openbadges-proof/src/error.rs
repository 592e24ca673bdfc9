//! The crate's error type.

/// Everything that can go wrong when parsing keys and signatures, reading inputs or fetching
/// documents. Verification itself never returns this: it returns a [`crate::report::Report`].
///
/// Crypto failures are deliberately opaque ([`Error::SignatureInvalid`] carries no detail), so
/// that error messages cannot be used as an oracle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A compact JWS that is not well formed (wrong number of parts, bad base64url, bad header).
    #[error("malformed jws: {0}")]
    MalformedJws(String),
    /// The input is larger than the limit for its kind.
    #[error("input too large: {size} bytes, the limit is {limit}")]
    TooLarge {
        /// The size seen.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A JWS `alg` that is never accepted (`none`, HMAC, unknown) or that does not match the key.
    #[error("algorithm not allowed: {0}")]
    AlgorithmNotAllowed(String),
    /// The signature does not verify with the key (opaque on purpose).
    #[error("signature invalid")]
    SignatureInvalid,
    /// A key that cannot be read (PEM, DER or JWK) or is of an unsupported type.
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A cryptographic operation failed (key generation, signing); opaque on purpose.
    #[error("cryptographic operation failed")]
    Crypto,
    /// The input is not one of the recognised kinds (JSON, compact JWS, PNG, SVG, URL).
    #[error("unrecognized input: {0}")]
    UnrecognizedInput(String),
    /// The input is of a kind this build cannot read yet (e.g. baked images before the bake
    /// crate offers extraction).
    #[error("unsupported input: {0}")]
    UnsupportedInput(String),
    /// A baked image that holds no badge.
    #[error("the image holds no baked badge")]
    NoBakedBadge,
    /// A baked image that is malformed or breaks a baking rule.
    #[error("invalid baked image: {0}")]
    InvalidImage(String),
    /// JSON that could not be parsed within the limits.
    #[error("invalid json: {0}")]
    Json(String),
    /// A document could not be loaded.
    #[error(transparent)]
    Load(#[from] crate::loader::LoadError),
}

impl From<openbadges_model::Error> for Error {
    fn from(e: openbadges_model::Error) -> Self {
        match e {
            openbadges_model::Error::TooLarge { size, limit } => Error::TooLarge { size, limit },
            other => Error::Json(other.to_string()),
        }
    }
}
