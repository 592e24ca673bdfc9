//! The crate's error type.

/// Everything that can go wrong in the backpack outside a single input's import (which reports
/// failures per input in an [`ImportReport`](crate::ImportReport) instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database file exists but is not a backpack database (not SQLite, or damaged).
    #[error("the backpack database `{path}` is corrupted or not a backpack database: {message}")]
    Corrupted {
        /// The database file.
        path: String,
        /// What SQLite reported.
        message: String,
    },
    /// The database was written by a newer version of this crate.
    #[error("the backpack database has schema version {found}; this build knows up to {supported}")]
    SchemaTooNew {
        /// The version found in the file.
        found: i64,
        /// The newest version this build can read.
        supported: i64,
    },
    /// A storage operation failed.
    #[error("storage error: {0}")]
    Storage(String),
    /// A stored row could not be decoded (the database was edited by hand or damaged).
    #[error("stored record `{id}` is damaged: {message}")]
    Decode {
        /// The record's id.
        id: String,
        /// What was wrong.
        message: String,
    },
    /// A referenced badge or collection does not exist.
    #[error("no {what} with id `{id}`")]
    NotFound {
        /// `"badge"` or `"collection"`.
        what: &'static str,
        /// The id looked up.
        id: String,
    },
    /// An argument was out of range or malformed.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Writing an export failed.
    #[error("export failed: {0}")]
    Export(String),
    /// An input is over its cap ([`ImportLimits`](crate::ImportLimits)); refused, not truncated.
    #[error("the {what} is {}over the limit of {limit} bytes; refused", size.map_or_else(String::new, |s| format!("{s} bytes, ")))]
    TooLarge {
        /// `"input"` or `"backpack archive"`.
        what: &'static str,
        /// Its size, when known before reading (a file's length).
        size: Option<u64>,
        /// The cap.
        limit: u64,
    },
    /// An input could not be read.
    #[error("cannot read the input: {0}")]
    Read(String),
    /// The system random source failed.
    #[error("the system random source failed")]
    Random,
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(e.to_string())
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
