//! Structural problems found by validation.

use serde::{Deserialize, Serialize};

/// How serious a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document breaks a MUST of its specification: it is structurally invalid.
    Error,
    /// The document is acceptable but uses a deprecated or discouraged form.
    Warning,
}

/// Stable identifiers for structural problems.
///
/// The string form (`as_str`, and the serde form) is part of the public contract: scripts match
/// on it. New variants may be added; existing ones keep their meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ProblemCode {
    /// A required property is absent.
    MissingProperty,
    /// A property has the wrong JSON type (a number where a string is required, …).
    WrongType,
    /// A property is present but empty where a value is required.
    EmptyValue,
    /// A value is not an ISO 8601 / RFC 3339 date-time with a time zone.
    InvalidDateTime,
    /// OB 2.0 forbids Unix timestamps; the value is an integer.
    UnixTimestamp,
    /// A value is not an absolute IRI.
    InvalidIri,
    /// A value is not an absolute http(s) URL where one is required.
    InvalidUrl,
    /// A value is not an email address where one is required.
    InvalidEmail,
    /// An identity hash is not `sha256$`/`md5$` followed by hex of the right length.
    InvalidIdentityHash,
    /// The JSON-LD `@context` is missing, misordered, or not the one the version requires.
    InvalidContext,
    /// The `type` property lacks a required type, or names the wrong one.
    InvalidType,
    /// The credential subject has neither `id` nor `identifier`.
    SubjectWithoutIdentifier,
    /// A property has a value outside the set the specification allows.
    InvalidValue,
    /// A property or form is deprecated (a warning).
    Deprecated,
    /// The document's version or class could not be recognised.
    UnknownDocument,
    /// A date range is inverted (for example `validUntil` before `validFrom`).
    InvalidDateRange,
    /// The document itself says it is revoked (`revoked: true`); a warning, since revocation is
    /// a verification outcome, not a structural defect.
    Revoked,
    /// The input is not well-formed JSON (reported by tools that inspect raw input).
    InvalidJson,
}

impl ProblemCode {
    /// The stable string form, e.g. `"MISSING_PROPERTY"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::MissingProperty => "MISSING_PROPERTY",
            ProblemCode::WrongType => "WRONG_TYPE",
            ProblemCode::EmptyValue => "EMPTY_VALUE",
            ProblemCode::InvalidDateTime => "INVALID_DATE_TIME",
            ProblemCode::UnixTimestamp => "UNIX_TIMESTAMP",
            ProblemCode::InvalidIri => "INVALID_IRI",
            ProblemCode::InvalidUrl => "INVALID_URL",
            ProblemCode::InvalidEmail => "INVALID_EMAIL",
            ProblemCode::InvalidIdentityHash => "INVALID_IDENTITY_HASH",
            ProblemCode::InvalidContext => "INVALID_CONTEXT",
            ProblemCode::InvalidType => "INVALID_TYPE",
            ProblemCode::SubjectWithoutIdentifier => "SUBJECT_WITHOUT_IDENTIFIER",
            ProblemCode::InvalidValue => "INVALID_VALUE",
            ProblemCode::Deprecated => "DEPRECATED",
            ProblemCode::UnknownDocument => "UNKNOWN_DOCUMENT",
            ProblemCode::InvalidDateRange => "INVALID_DATE_RANGE",
            ProblemCode::Revoked => "REVOKED",
            ProblemCode::InvalidJson => "INVALID_JSON",
        }
    }
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One structural problem: a stable code, where it is (a JSON pointer), and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Problem {
    /// The stable code.
    pub code: ProblemCode,
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer (RFC 6901) to the offending node; `""` is the document root.
    pub path: String,
    /// A human-readable explanation, lowercase, without trailing period.
    pub message: String,
}

impl Problem {
    /// An error-severity problem.
    pub fn error(code: ProblemCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            code,
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
        }
    }

    /// A warning-severity problem.
    pub fn warning(code: ProblemCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            code,
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
        }
    }

    /// Whether this problem makes the document structurally invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Escapes one reference token for a JSON pointer (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Joins a JSON pointer and one more token.
///
/// ```
/// assert_eq!(openbadges_model::pointer_join("/badge", "issuer"), "/badge/issuer");
/// assert_eq!(openbadges_model::pointer_join("", "a/b"), "/a~1b");
/// assert_eq!(openbadges_model::pointer_join("/x", "~a/~"), "/x/~0a~1~0");
/// assert_eq!(openbadges_model::pointer_join("/list", 3), "/list/3");
/// ```
pub fn pointer_join(base: &str, token: impl std::fmt::Display) -> String {
    use std::fmt::Write as _;
    // Validation joins a pointer for every member it looks at: one allocation, and the
    // escaping copy only when the token needs it.
    let mut out = String::with_capacity(base.len() + 24);
    out.push_str(base);
    out.push('/');
    let start = out.len();
    let _ = write!(out, "{token}");
    if out.get(start..).is_some_and(|t| t.contains(['~', '/'])) {
        let escaped = escape_pointer_token(out.get(start..).unwrap_or_default());
        out.truncate(start);
        out.push_str(&escaped);
    }
    out
}
