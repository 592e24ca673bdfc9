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
    #[error("invalid baked image: {message}")]
    InvalidImage {
        /// The bake crate's stable code for what is wrong (`MALFORMED_PNG`,
        /// `COMPRESSED_CHUNK`, …; see `openbadges_bake::Error::kind_code`).
        code: &'static str,
        /// What is wrong, for people.
        message: String,
    },
    /// JSON that could not be parsed within the limits.
    #[error("invalid json: {0}")]
    Json(String),
    /// A document could not be loaded.
    #[error(transparent)]
    Load(#[from] crate::loader::LoadError),
}

impl Error {
    /// A short stable identifier of an input that could not be read, for reports and golden
    /// files: `INVALID_JWS`, `NOT_BAKED`, the bake crate's code for an invalid image,
    /// `INVALID_JSON`, `TOO_LARGE`, `UNRECOGNIZED_INPUT`, `UNSUPPORTED_INPUT`, `INVALID_KEY`,
    /// `ALGORITHM_NOT_ALLOWED`, `SIGNATURE_INVALID`, `CRYPTO`, `FETCH_FAILED`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::MalformedJws(_) => "INVALID_JWS",
            Error::TooLarge { .. } => "TOO_LARGE",
            Error::AlgorithmNotAllowed(_) => "ALGORITHM_NOT_ALLOWED",
            Error::SignatureInvalid => "SIGNATURE_INVALID",
            Error::InvalidKey(_) => "INVALID_KEY",
            Error::Crypto => "CRYPTO",
            Error::UnrecognizedInput(_) => "UNRECOGNIZED_INPUT",
            Error::UnsupportedInput(_) => "UNSUPPORTED_INPUT",
            Error::NoBakedBadge => "NOT_BAKED",
            Error::InvalidImage { code, .. } => code,
            Error::Json(_) => "INVALID_JSON",
            Error::Load(_) => "FETCH_FAILED",
        }
    }
}

impl From<openbadges_model::Error> for Error {
    fn from(e: openbadges_model::Error) -> Self {
        match e {
            openbadges_model::Error::TooLarge { size, limit } => Error::TooLarge { size, limit },
            other => Error::Json(other.to_string()),
        }
    }
}
