//! The crate's error type.

use std::fmt;
use std::sync::Arc;

/// Why a document could not be read into the model at all.
///
/// Structural problems in a document that *was* read (a missing property, a bad date, …) are not
/// errors: they are reported as [`crate::Problem`]s by validation, all at once.
///
/// Equality compares what an error says (variant, positions, paths, messages), not the
/// underlying parser error kept as its [`source`](std::error::Error::source).
#[derive(Debug, Clone, thiserror::Error)]
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
        /// The JSON parser's error (shared, so that the error stays `Clone`).
        #[source]
        source: Arc<serde_json::Error>,
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
        /// The serde error (shared, so that the error stays `Clone`), when the shape was found
        /// wrong while reading or writing JSON; `None` when the class itself is wrong.
        #[source]
        source: Option<Arc<serde_json::Error>>,
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

    pub(crate) fn from_json(e: serde_json::Error) -> Self {
        Error::Json {
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
            source: Arc::new(e),
        }
    }

    /// A shape error with no underlying parser error (the class itself is wrong).
    pub(crate) fn shape(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Shape {
            path: path.into(),
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn from_path_to_error(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = pointer_from_serde_path(&e.path().to_string());
        let inner = e.into_inner();
        Error::Shape {
            path,
            message: strip_position(&inner.to_string()),
            source: Some(Arc::new(inner)),
        }
    }

    /// A serialization error of a typed object (path `""`).
    pub(crate) fn from_serialize(e: serde_json::Error) -> Self {
        Error::Shape {
            path: String::new(),
            message: e.to_string(),
            source: Some(Arc::new(e)),
        }
    }
}

impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        use Error::*;
        match (self, other) {
            (
                Json {
                    line: l1,
                    column: c1,
                    message: m1,
                    ..
                },
                Json {
                    line: l2,
                    column: c2,
                    message: m2,
                    ..
                },
            ) => (l1, c1, m1) == (l2, c2, m2),
            (
                Shape {
                    path: p1,
                    message: m1,
                    ..
                },
                Shape {
                    path: p2,
                    message: m2,
                    ..
                },
            ) => (p1, m1) == (p2, m2),
            (
                TooLarge {
                    size: s1,
                    limit: l1,
                },
                TooLarge {
                    size: s2,
                    limit: l2,
                },
            ) => (s1, l1) == (s2, l2),
            (
                TooDeep {
                    limit: l1,
                    path: p1,
                },
                TooDeep {
                    limit: l2,
                    path: p2,
                },
            ) => (l1, p1) == (l2, p2),
            (
                DuplicateMember {
                    path: p1,
                    name: n1,
                    line: l1,
                    column: c1,
                },
                DuplicateMember {
                    path: p2,
                    name: n2,
                    line: l2,
                    column: c2,
                },
            ) => (p1, n1, l1, c1) == (p2, n2, l2, c2),
            (IdentityHash(a), IdentityHash(b)) => a == b,
            (MissingProperty(a), MissingProperty(b)) => a == b,
            (Random { property: a }, Random { property: b }) => a == b,
            (
                InvalidValue {
                    property: p1,
                    message: m1,
                },
                InvalidValue {
                    property: p2,
                    message: m2,
                },
            ) => (p1, m1) == (p2, m2),
            _ => false,
        }
    }
}

impl Eq for Error {}

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
