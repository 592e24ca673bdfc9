//! The service's error type and how each error becomes an HTTP answer.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why a request or the start-up failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The request is malformed (400).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The issuer refused or failed (its own error decides the status code).
    #[error(transparent)]
    Issuer(#[from] openbadges::Error),
    /// The issuer store failed outside an issuer call (creating the service's own table).
    #[error(transparent)]
    Store(#[from] openbadges::store::StoreError),
    /// A blocking task did not finish (it panicked or the runtime is shutting down).
    #[error("a blocking task failed: {0}")]
    Blocking(#[from] tokio::task::JoinError),
    /// Start-up I/O: the data directory, the listening socket.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
}

impl ServiceError {
    /// The HTTP status code of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ServiceError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServiceError::Issuer(openbadges::Error::Config(_)) => StatusCode::BAD_REQUEST,
            ServiceError::Issuer(openbadges::Error::UnknownBadge(_)) => StatusCode::NOT_FOUND,
            ServiceError::Issuer(openbadges::Error::Store(_)) | ServiceError::Store(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ServiceError {
    fn into_response(self) -> Response {
        (self.status(), Json(json!({ "error": self.to_string() }))).into_response()
    }
}
