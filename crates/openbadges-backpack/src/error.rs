//! The crate's error type. Every failure with an underlying cause (SQLite, I/O, JSON, zip,
//! signing) keeps it: [`std::error::Error::source`] reaches it, and the message shows it.

/// Everything that can go wrong in the backpack outside a single input's import (which reports
/// failures per input in an [`ImportReport`](crate::ImportReport) instead).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database file exists but is not a backpack database (not SQLite, or damaged).
    #[error("the backpack database `{path}` is corrupted or not a backpack database: {source}")]
    Corrupted {
        /// The database file.
        path: String,
        /// What the database reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
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
    #[error("storage error: {}{source}", prefix(.context.as_deref()))]
    Storage {
        /// What was being done (`creating DIR`, `encoding recipient`), when the cause alone
        /// does not say.
        context: Option<String>,
        /// The cause: the database's error (SQLite's `rusqlite::Error`, PostgreSQL's
        /// `postgres::Error` or the pool's `r2d2::Error`), an I/O or JSON error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored row could not be decoded (the database was edited by hand or damaged).
    #[error("stored record `{id}` is damaged: {message}")]
    Decode {
        /// The record's id.
        id: String,
        /// What was wrong.
        message: String,
        /// The decoder's error (JSON, timestamp), when one decided it.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
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
    #[error("export failed: {}{source}", prefix(.context.as_deref()))]
    Export {
        /// What was being done (`signing the CLR`), when the cause alone does not say.
        context: Option<String>,
        /// The cause: the zip writer's, an I/O, JSON or signing error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
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
    Read(#[source] std::io::Error),
    /// The system random source failed.
    #[error("the system random source failed")]
    Random,
}

/// `context: ` before a cause, or nothing.
fn prefix(context: Option<&str>) -> String {
    context.map_or_else(String::new, |c| format!("{c}: "))
}

impl Error {
    /// A storage error caused by `source`.
    pub(crate) fn storage(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Storage {
            context: None,
            source: source.into(),
        }
    }

    /// A storage error caused by `source` while doing `context`.
    pub(crate) fn storage_in(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Storage {
            context: Some(context.into()),
            source: source.into(),
        }
    }

    /// An export error caused by `source`.
    pub(crate) fn export(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Error::Export {
            context: None,
            source: source.into(),
        }
    }

    /// An export error caused by `source` while doing `context`.
    pub(crate) fn export_in(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Export {
            context: Some(context.into()),
            source: source.into(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::storage(e)
    }
}

#[cfg(feature = "postgres")]
impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::storage(e)
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
