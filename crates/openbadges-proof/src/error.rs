//! The crate's error type, and [`Cause`], the underlying error it keeps.

use std::sync::Arc;

/// Everything that can go wrong when parsing keys and signatures, reading inputs or fetching
/// documents. Verification itself never returns this: it returns a [`crate::report::Report`].
///
/// Crypto failures are deliberately opaque ([`Error::SignatureInvalid`] carries no detail), so
/// that error messages cannot be used as an oracle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A compact JWS that is not well formed (wrong number of parts, bad base64url, bad header).
    #[error("malformed jws: {message}")]
    MalformedJws {
        /// What is wrong.
        message: String,
        /// The underlying error (base64 or JSON), when there is one.
        #[source]
        source: Option<Cause>,
    },
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
    #[error("invalid key: {message}")]
    InvalidKey {
        /// What is wrong.
        message: String,
        /// The underlying error (PEM, DER, PKCS#8, SPKI, SEC1, PKCS#1, RSA, base64 or JSON),
        /// when there is one.
        #[source]
        source: Option<Cause>,
    },
    /// A cryptographic operation failed (key generation, signing); opaque on purpose.
    #[error("cryptographic operation failed")]
    Crypto,
    /// The input is not one of the recognised kinds (JSON, compact JWS, PNG, SVG, URL).
    #[error("unrecognized input: {message}")]
    UnrecognizedInput {
        /// What the input is not.
        message: String,
        /// The underlying error (UTF-8), when there is one.
        #[source]
        source: Option<Cause>,
    },
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
    #[error("invalid json: {message}")]
    Json {
        /// What is wrong.
        message: String,
        /// The underlying error (the model's JSON parser, `serde_json`, a date-time parser),
        /// when there is one.
        #[source]
        source: Option<Cause>,
    },
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
            Error::MalformedJws { .. } => "INVALID_JWS",
            Error::TooLarge { .. } => "TOO_LARGE",
            Error::AlgorithmNotAllowed(_) => "ALGORITHM_NOT_ALLOWED",
            Error::SignatureInvalid => "SIGNATURE_INVALID",
            Error::InvalidKey { .. } => "INVALID_KEY",
            Error::Crypto => "CRYPTO",
            Error::UnrecognizedInput { .. } => "UNRECOGNIZED_INPUT",
            Error::UnsupportedInput(_) => "UNSUPPORTED_INPUT",
            Error::NoBakedBadge => "NOT_BAKED",
            Error::InvalidImage { code, .. } => code,
            Error::Json { .. } => "INVALID_JSON",
            Error::Load(_) => "FETCH_FAILED",
        }
    }
}

impl From<openbadges_model::Error> for Error {
    fn from(e: openbadges_model::Error) -> Self {
        match e {
            openbadges_model::Error::TooLarge { size, limit } => Error::TooLarge { size, limit },
            other => Error::json_caused(other.to_string(), other),
        }
    }
}

impl Error {
    /// [`Error::InvalidKey`] without an underlying error.
    pub(crate) fn invalid_key(message: impl Into<String>) -> Self {
        Error::InvalidKey {
            message: message.into(),
            source: None,
        }
    }

    /// [`Error::InvalidKey`] caused by `source`.
    pub(crate) fn invalid_key_caused(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::InvalidKey {
            message: message.into(),
            source: Some(Cause::new(source)),
        }
    }

    /// [`Error::MalformedJws`] without an underlying error.
    pub(crate) fn malformed_jws(message: impl Into<String>) -> Self {
        Error::MalformedJws {
            message: message.into(),
            source: None,
        }
    }

    /// [`Error::MalformedJws`] caused by `source`.
    pub(crate) fn malformed_jws_caused(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::MalformedJws {
            message: message.into(),
            source: Some(Cause::new(source)),
        }
    }

    /// [`Error::UnrecognizedInput`] without an underlying error.
    pub(crate) fn unrecognized_input(message: impl Into<String>) -> Self {
        Error::UnrecognizedInput {
            message: message.into(),
            source: None,
        }
    }

    /// [`Error::UnrecognizedInput`] caused by `source`.
    pub(crate) fn unrecognized_input_caused(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::UnrecognizedInput {
            message: message.into(),
            source: Some(Cause::new(source)),
        }
    }

    /// [`Error::Json`] without an underlying error.
    pub(crate) fn json(message: impl Into<String>) -> Self {
        Error::Json {
            message: message.into(),
            source: None,
        }
    }

    /// [`Error::Json`] caused by `source`.
    pub(crate) fn json_caused(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::Json {
            message: message.into(),
            source: Some(Cause::new(source)),
        }
    }
}

/// The underlying error behind an [`Error`] (a DER, PEM, base64, JSON, UTF-8 … error), kept so
/// that [`std::error::Error::source`] reaches it.
///
/// It is shared rather than owned so that [`Error`] stays `Clone`. `Cause` is not an error
/// itself: `source()` returns the underlying error, which callers can `downcast_ref` to its
/// type. Two causes are equal when they say the same thing (the underlying error types are
/// not all comparable).
#[derive(Clone)]
pub struct Cause(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl Cause {
    /// Keeps `error` as a cause.
    pub(crate) fn new(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Cause(Arc::new(error))
    }
}

impl std::ops::Deref for Cause {
    type Target = dyn std::error::Error + Send + Sync + 'static;

    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

impl std::fmt::Debug for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&*self.0, f)
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for Cause {}
