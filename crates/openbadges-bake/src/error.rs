//! The crate's one error type.

use std::fmt;

use crate::ImageFormat;

/// Where in the image a problem was found.
///
/// PNG positions are byte offsets from the start of the file; SVG positions are 1-based
/// line and column numbers (columns count bytes) plus the byte offset they came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Position {
    /// A byte offset from the start of the input.
    Offset(u64),
    /// A 1-based line and column (in bytes) in a text document, with its byte offset.
    LineColumn {
        /// 1-based line number.
        line: u64,
        /// 1-based column number, counted in bytes.
        column: u64,
        /// Byte offset from the start of the document.
        offset: u64,
    },
}

impl Position {
    /// The byte offset from the start of the input, whatever the kind of position.
    pub fn offset(&self) -> u64 {
        match *self {
            Position::Offset(o) => o,
            Position::LineColumn { offset, .. } => offset,
        }
    }

    /// Computes the line:column position of byte `offset` inside `text`.
    pub(crate) fn in_text(text: &[u8], offset: usize) -> Position {
        let end = offset.min(text.len());
        let before = text.get(..end).unwrap_or_default();
        let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = (end - line_start) as u64 + 1;
        Position::LineColumn {
            line,
            column,
            offset: offset as u64,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Offset(o) => write!(f, "byte offset {o}"),
            Position::LineColumn { line, column, .. } => write!(f, "line {line}, column {column}"),
        }
    }
}

/// Everything that can go wrong while baking or extracting.
///
/// Each variant that concerns a place in the image carries its [`Position`]. Match on the
/// variant (or use [`Error::kind_code`]) rather than on the message text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is neither a PNG (by signature) nor an SVG (by its root element).
    #[error("not a PNG or SVG image")]
    UnknownFormat,
    /// The image is readable but holds no badge.
    #[error("the {format} image holds no badge")]
    NotBaked {
        /// The image format.
        format: ImageFormat,
    },
    /// The image already holds a badge and the caller did not ask to replace it.
    #[error("the {format} image already holds a badge at {position} (use the replace option)")]
    AlreadyBaked {
        /// The image format.
        format: ImageFormat,
        /// Where the existing badge is.
        position: Position,
    },
    /// The PNG data stream is malformed (bad signature, truncated, a chunk overrunning the file,
    /// IHDR not first, a badge chunk with a broken layout ...).
    #[error("malformed PNG at {position}: {reason}")]
    MalformedPng {
        /// Where.
        position: Position,
        /// What is wrong.
        reason: String,
        /// The I/O error behind it (a compressed chunk that does not inflate).
        #[source]
        source: Option<std::io::Error>,
    },
    /// A chunk that was read has a CRC that does not match its contents.
    #[error("bad CRC on PNG chunk {chunk} at {position}")]
    BadCrc {
        /// The chunk type, e.g. `iTXt`.
        chunk: String,
        /// Offset of the chunk's length field.
        position: Position,
    },
    /// The badge iTXt chunk is compressed, which the baking specification forbids, and the
    /// caller did not opt in to inflating it (see [`Limits::inflate_compressed`](crate::Limits)).
    #[error(
        "the badge iTXt chunk at {position} is compressed, which the baking specification forbids"
    )]
    CompressedChunk {
        /// Offset of the chunk's length field.
        position: Position,
    },
    /// A size, count or inflation limit was exceeded.
    #[error("limit exceeded at {position}: {what} is larger than {limit}")]
    LimitExceeded {
        /// What was being counted (e.g. `payload bytes`, `SVG nodes`).
        what: &'static str,
        /// The limit in force.
        limit: u64,
        /// Where the limit was hit.
        position: Position,
    },
    /// The badge text is not valid UTF-8.
    #[error("the badge text at {position} is not valid UTF-8")]
    InvalidUtf8 {
        /// Where the text starts.
        position: Position,
        /// Where in the text the UTF-8 decoder stopped.
        #[source]
        source: std::str::Utf8Error,
    },
    /// The SVG document is not well-formed XML (up to the point the reader needed).
    #[error("malformed SVG at {position}: {reason}")]
    MalformedSvg {
        /// Where (line:column).
        position: Position,
        /// What is wrong.
        reason: String,
        /// The XML reader's error, when it found the problem.
        #[source]
        source: Option<quick_xml::Error>,
    },
    /// The SVG document declares an encoding other than UTF-8 (or has a UTF-16 byte order mark).
    #[error("unsupported SVG encoding {encoding:?}: only UTF-8 is read")]
    UnsupportedEncoding {
        /// The encoding found.
        encoding: String,
    },
    /// The extracted payload is neither JSON, a compact JWS, nor a URL.
    #[error("the badge payload at {position} is neither JSON, a compact JWS, nor a URL")]
    UnrecognizedPayload {
        /// Where the payload is.
        position: Position,
    },
    /// The payload given to [`bake`](crate::bake) cannot be baked (empty, invalid JSON, a JWS
    /// whose payload is not JSON, an unknown form ...).
    #[error("cannot bake this payload: {reason}")]
    InvalidPayload {
        /// What is wrong.
        reason: String,
        /// The JSON error, when the payload's JSON does not parse.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// The extracted payload looks like JSON but does not parse (see
    /// [`Extracted::check_json`](crate::Extracted::check_json)).
    #[error(
        "the badge payload is not valid JSON: {message} (payload line {line}, column {column})"
    )]
    InvalidJson {
        /// serde_json's message.
        message: String,
        /// 1-based line inside the payload.
        line: usize,
        /// 1-based column inside the payload.
        column: usize,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// Reading or writing a stream failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// A short stable identifier for the kind of error, e.g. `NOT_BAKED` (used by the CLI and
    /// by golden files).
    pub fn kind_code(&self) -> &'static str {
        match self {
            Error::UnknownFormat => "UNKNOWN_FORMAT",
            Error::NotBaked { .. } => "NOT_BAKED",
            Error::AlreadyBaked { .. } => "ALREADY_BAKED",
            Error::MalformedPng { .. } => "MALFORMED_PNG",
            Error::BadCrc { .. } => "BAD_CRC",
            Error::CompressedChunk { .. } => "COMPRESSED_CHUNK",
            Error::LimitExceeded { .. } => "LIMIT_EXCEEDED",
            Error::InvalidUtf8 { .. } => "INVALID_UTF8",
            Error::MalformedSvg { .. } => "MALFORMED_SVG",
            Error::UnsupportedEncoding { .. } => "UNSUPPORTED_ENCODING",
            Error::UnrecognizedPayload { .. } => "UNRECOGNIZED_PAYLOAD",
            Error::InvalidPayload { .. } => "INVALID_PAYLOAD",
            Error::InvalidJson { .. } => "INVALID_JSON",
            Error::Io(_) => "IO",
        }
    }

    /// The position the error refers to, when it has one.
    pub fn position(&self) -> Option<Position> {
        match self {
            Error::AlreadyBaked { position, .. }
            | Error::MalformedPng { position, .. }
            | Error::BadCrc { position, .. }
            | Error::CompressedChunk { position }
            | Error::LimitExceeded { position, .. }
            | Error::InvalidUtf8 { position, .. }
            | Error::MalformedSvg { position, .. }
            | Error::UnrecognizedPayload { position } => Some(*position),
            _ => None,
        }
    }
}

/// [`Error::MalformedPng`] at byte `offset`, without a cause.
pub(crate) fn png_err(offset: u64, reason: impl Into<String>) -> Error {
    Error::MalformedPng {
        position: Position::Offset(offset),
        reason: reason.into(),
        source: None,
    }
}

/// [`Error::InvalidPayload`] without a cause.
pub(crate) fn invalid_payload(reason: impl Into<String>) -> Error {
    Error::InvalidPayload {
        reason: reason.into(),
        source: None,
    }
}
