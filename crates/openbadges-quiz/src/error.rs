//! Errors and positioned problems.

use std::fmt;

use serde::Serialize;

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The definition cannot be used.
    Error,
    /// The definition works, but something is probably not what the author meant (or an
    /// imported construct was not carried over).
    Warning,
}

/// One problem found in a definition, with its position in the source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Stable code (e.g. `duplicate-id`, `no-correct-answer`, `syntax`).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Human message (lowercase, no trailing period).
    pub message: String,
    /// JSON pointer into the definition (`/sections/0/items/2/id`); empty when not applicable.
    pub path: String,
    /// File name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column, counted in characters (0 when unknown).
    pub column: usize,
}

impl Problem {
    /// A problem outside the definition's structure (no JSON pointer), at `line`:`column` of
    /// `file` (`(0, 0)` when the place is unknown).
    pub(crate) fn at(
        code: &'static str,
        severity: Severity,
        message: impl Into<String>,
        file: Option<&str>,
        (line, column): (usize, usize),
    ) -> Problem {
        Problem {
            code,
            severity,
            message: message.into(),
            path: String::new(),
            file: file.map(str::to_owned),
            line,
            column,
        }
    }

    /// Whether this problem is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.as_deref().unwrap_or("<quiz>");
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{file}:{}:{}: {sev}[{}]: {}",
            self.line, self.column, self.code, self.message
        )
    }
}

/// The error type of this crate. Where a failure has a cause (JSON that does not fit, a
/// number that does not parse, an id the model refuses), it is kept as the error's
/// [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The definition could not be read or is invalid; every problem is listed.
    #[error("invalid quiz definition ({} problem(s)){}", .0.len(), first_problem(.0))]
    Invalid(Vec<Problem>),
    /// The input exceeds a limit.
    #[error("input exceeds a limit: {0}")]
    Limit(String),
    /// An attempt operation was refused.
    #[error("attempt: {0}")]
    Attempt(#[from] AttemptError),
    /// A response does not fit its item.
    #[error("response for item {item}: {message}")]
    Response {
        /// Item id (or the key as given).
        item: String,
        /// What is wrong.
        message: String,
        /// The JSON error, when the response value does not have a response's shape.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// An evidence record failed its integrity check.
    #[error("attempt record: {0}")]
    Record(String),
    /// An evidence record could not be read: its JSON is not a record.
    #[error("attempt record: {0}")]
    RecordJson(#[source] serde_json::Error),
    /// An evidence record's seed is not a number.
    #[error("attempt record: seed is not a number")]
    RecordSeed(#[source] std::num::ParseIntError),
    /// An evidence object does not have the shape of the model's type.
    #[error("evidence: {0}")]
    Evidence(#[source] serde_json::Error),
    /// An id or URL given for an evidence object is not an IRI.
    #[error("evidence: {iri:?}: {source}")]
    EvidenceIri {
        /// The value given.
        iri: String,
        /// Why the model refuses it.
        #[source]
        source: openbadges_model::Error,
    },
    /// The requested conversion is not supported for this definition.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// Errors are equal when they are the same variant with the same data. A JSON error, which
/// has no equality of its own, compares by its message.
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Error::Invalid(a), Error::Invalid(b)) => a == b,
            (Error::Limit(a), Error::Limit(b))
            | (Error::Record(a), Error::Record(b))
            | (Error::Unsupported(a), Error::Unsupported(b)) => a == b,
            (Error::Attempt(a), Error::Attempt(b)) => a == b,
            (
                Error::Response {
                    item: a,
                    message: m,
                    source: x,
                },
                Error::Response {
                    item: b,
                    message: n,
                    source: y,
                },
            ) => {
                a == b
                    && m == n
                    && x.as_ref().map(ToString::to_string) == y.as_ref().map(ToString::to_string)
            }
            (Error::RecordJson(a), Error::RecordJson(b))
            | (Error::Evidence(a), Error::Evidence(b)) => a.to_string() == b.to_string(),
            (Error::RecordSeed(a), Error::RecordSeed(b)) => a == b,
            (
                Error::EvidenceIri { iri: a, source: x },
                Error::EvidenceIri { iri: b, source: y },
            ) => a == b && x == y,
            _ => false,
        }
    }
}

impl Error {
    /// [`Error::Response`] without a cause.
    pub(crate) fn response(item: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Response {
            item: item.into(),
            message: message.into(),
            source: None,
        }
    }
}

fn first_problem(p: &[Problem]) -> String {
    p.iter()
        .find(|p| p.is_error())
        .or(p.first())
        .map(|p| format!(": {p}"))
        .unwrap_or_default()
}

/// Why an attempt operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttemptError {
    /// The learner has used every allowed attempt.
    #[error("no attempts left ({used} of {allowed} used)")]
    NoAttemptsLeft {
        /// Attempts already used.
        used: u32,
        /// Attempts allowed.
        allowed: u32,
    },
    /// The time limit has passed.
    #[error("time limit passed at {deadline}")]
    TimeUp {
        /// The deadline (caller's timestamp unit).
        deadline: i64,
    },
    /// The attempt was already submitted.
    #[error("attempt already submitted")]
    AlreadySubmitted,
    /// The item is not part of this attempt's presentation.
    #[error("item {0} is not presented in this attempt")]
    UnknownItem(String),
    /// The item accepts one answer only and has one.
    #[error("item {0} is already answered and answers are locked")]
    AnswerLocked(String),
    /// No hint left for the item.
    #[error("no more hints for item {0}")]
    NoMoreHints(String),
    /// A timestamp went backwards.
    #[error("timestamp {now} is before the attempt started ({started})")]
    ClockWentBack {
        /// The given timestamp.
        now: i64,
        /// The start.
        started: i64,
    },
    /// The attempt was made for another definition.
    #[error("attempt belongs to another quiz definition")]
    WrongQuiz,
}
