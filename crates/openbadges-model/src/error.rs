//! The crate's error type.

use std::fmt;

/// Why a document could not be read into the model at all.
///
/// Structural problems in a document that *was* read (a missing property, a bad date, …) are not
/// errors: they are reported as [`crate::Problem`]s by validation, all at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is not well-formed JSON.
    #[error("invalid json at line {line} column {column}: {message}")]
    Json {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// The input is larger than [`crate::Limits::max_bytes`].
    #[error("input of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input in bytes.
        size: usize,
        /// The limit in force.
        limit: usize,
    },
    /// The input nests deeper than [`crate::Limits::max_depth`].
    #[error("input nests deeper than the limit of {limit} levels at {path}")]
    TooDeep {
        /// The limit in force.
        limit: usize,
        /// JSON pointer to the first node past the limit.
        path: String,
    },
    /// An object has two members with the same name (forbidden by I-JSON, RFC 7493 §2.3:
    /// readers disagree on which of the two counts).
    #[error("duplicate member name at {path} (line {line} column {column})")]
    DuplicateMember {
        /// JSON pointer to the duplicated member (the object's pointer and the name).
        path: String,
        /// The duplicated name, unescaped.
        name: String,
        /// 1-based line where the second occurrence was read.
        line: usize,
        /// 1-based column where the second occurrence was read.
        column: usize,
    },
    /// The value does not have the shape a typed model object needs.
    #[error("{path}: {message}")]
    Shape {
        /// JSON pointer to the offending node (`""` is the document root).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An identity hash is malformed.
    #[error("invalid identity hash: {0}")]
    IdentityHash(#[from] crate::identity::IdentityHashError),
    /// A builder was asked to build without a required property.
    #[error("missing required property `{0}`")]
    MissingProperty(&'static str),
    /// The system random source failed while generating `property` (a salt, an id). `ring`
    /// reports this failure as a unit error that carries nothing, so there is no cause to keep.
    #[error("invalid value for `{property}`: the system random source failed")]
    Random {
        /// What was being generated.
        property: &'static str,
    },
    /// A value given to a builder or constructor is not acceptable.
    #[error("invalid value for `{property}`: {message}")]
    InvalidValue {
        /// The property concerned.
        property: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// Whether the input was refused for exceeding a [`crate::Limits`] bound ([`Error::TooLarge`],
    /// [`Error::TooDeep`]) rather than for being malformed: a verifier reports the first as
    /// "could not check", the second (malformed JSON, a duplicate member name) as invalid.
    pub fn is_limit(&self) -> bool {
        matches!(self, Error::TooLarge { .. } | Error::TooDeep { .. })
    }

    pub(crate) fn from_json(e: &serde_json::Error) -> Self {
        Error::Json {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        }
    }

    pub(crate) fn from_path_to_error(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = pointer_from_serde_path(&e.path().to_string());
        Error::Shape {
            path,
            message: strip_position(&e.inner().to_string()),
        }
    }
}

/// serde_json appends " at line L column C"; we carry positions separately.
fn strip_position(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

/// Converts serde_path_to_error's `a.b[0].c` into a JSON pointer `/a/b/0/c`.
fn pointer_from_serde_path(p: &str) -> String {
    if p == "." || p.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut String| {
        if !cur.is_empty() {
            out.push('/');
            out.push_str(&crate::problem::escape_pointer_token(cur));
            cur.clear();
        }
    };
    for ch in p.chars() {
        match ch {
            '.' | '[' => flush(&mut cur, &mut out),
            ']' => flush(&mut cur, &mut out),
            c => cur.push(c),
        }
    }
    flush(&mut cur, &mut out);
    out
}

impl fmt::Display for crate::Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
