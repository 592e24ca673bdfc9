//! Bake Open Badges into PNG and SVG images and extract them again: byte-preserving, fast, and
//! safe on hostile images.
//!
//! ```
//! use openbadges_bake::{bake, extract, BakeOptions, BadgeVersion, ImageFormat, PayloadKind};
//!
//! # fn main() -> Result<(), openbadges_bake::Error> {
//! // Any SVG (or PNG) image; nothing in it is re-encoded.
//! let image = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>"#;
//! let assertion = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/a/1","verification":{"type":"hosted"}}"#;
//!
//! let baked = bake(image, assertion, &BakeOptions::default())?;
//! let found = extract(&baked)?;
//! assert_eq!(found.format, ImageFormat::Svg);
//! assert_eq!(found.keyword, "assertion"); // <openbadges:assertion> (OB 2.0)
//! assert_eq!(found.version, BadgeVersion::V2);
//! assert_eq!(found.payload_kind, PayloadKind::Json);
//! assert_eq!(found.payload, assertion);
//!
//! // Baking again is refused unless the caller asks to replace the badge.
//! assert!(bake(&baked, assertion, &BakeOptions::default()).is_err());
//! let rebaked = bake(&baked, "https://example.org/a/2", &BakeOptions::default().replace(true))?;
//! assert_eq!(extract(&rebaked)?.payload, "https://example.org/a/2");
//! # Ok(())
//! # }
//! ```
//!
//! # What it does
//! - **PNG**: [`bake`] splices one uncompressed `iTXt` chunk right after `IHDR`, with keyword
//!   `openbadges` (OB 1.x/2.0: JSON, compact JWS or URL) or `openbadgecredential` (OB 3.0 /
//!   CLR 2.0: JSON with an embedded proof, or a VC-JWT). Every other byte of the file is kept.
//!   [`extract`] walks chunk headers only (image data is never inflated), checks the CRC of
//!   every chunk whose contents it reads, and also reads the legacy `tEXt` form.
//! - **SVG**: [`bake`] declares the namespace on the root `<svg>` and inserts
//!   `<openbadges:assertion>` (2.0) or `<openbadges:credential>` (3.0) right after the root
//!   start tag; the rest of the document is preserved byte for byte. [`extract`] returns the
//!   element's body if it has one, else its `verify` attribute. DTDs are never processed and
//!   entities never expanded; size and node counts are bounded ([`Limits`]).
//! - The form (2.0 or 3.0) is chosen from the payload ([`detect_version`]) unless
//!   [`BakeOptions::version`] says otherwise.
//! - Streaming: [`extract_reader`] stops reading at the badge chunk; [`bake_stream`] copies a
//!   large image from a reader to a writer.
//!
//! See `docs/baking.md` in the repository for the rules and every deliberate difference from
//! other bakeries.
#![forbid(unsafe_code)]

mod error;
mod payload;
mod png;
mod stream;
mod svg;

use std::fmt;

pub use error::{Error, Position};
pub use payload::{PayloadKind, detect_version};
pub use stream::{bake_stream, extract_reader};
pub use svg::ACCEPTED_NAMESPACES as SVG_ACCEPTED_NAMESPACES;

/// The PNG keyword (and SVG element) family for OB 1.x/2.0 badges.
pub const KEYWORD_OB2: &str = "openbadges";
/// The PNG keyword for OB 3.0 / CLR 2.0 credentials.
pub const KEYWORD_OB3: &str = "openbadgecredential";
/// The SVG namespace for OB 1.x/2.0 (`<openbadges:assertion>`).
pub const SVG_NAMESPACE_OB2: &str = "http://openbadges.org";
/// The SVG namespace for OB 3.0 (`<openbadges:credential>`).
pub const SVG_NAMESPACE_OB3: &str = "https://purl.imsglobal.org/ob/v3p0";

/// An image format that can carry a badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageFormat {
    /// Portable Network Graphics (badge in an `iTXt` chunk).
    Png,
    /// Scalable Vector Graphics (badge in an `<openbadges:…>` element).
    Svg,
}

impl ImageFormat {
    /// Detects the format from the content (never from a file name).
    ///
    /// PNG is recognised by its 8-byte signature; SVG by an XML document (after an optional
    /// UTF-8 byte order mark, XML declaration, comments, processing instructions and DOCTYPE)
    /// whose first element is `svg` (any prefix).
    pub fn detect(bytes: &[u8]) -> Option<ImageFormat> {
        if bytes.starts_with(&png::SIGNATURE) {
            Some(ImageFormat::Png)
        } else if svg::looks_like_svg(bytes) {
            Some(ImageFormat::Svg)
        } else {
            None
        }
    }

    /// `"png"` or `"svg"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Svg => "svg",
        }
    }
}

impl fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which baking form a badge uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BadgeVersion {
    /// OB 1.x / 2.0: PNG keyword `openbadges`, SVG `<openbadges:assertion>` in
    /// `http://openbadges.org`.
    V2,
    /// OB 3.0 / CLR 2.0: PNG keyword `openbadgecredential`, SVG `<openbadges:credential>` in
    /// `https://purl.imsglobal.org/ob/v3p0`.
    V3,
}

impl BadgeVersion {
    /// The PNG `iTXt` keyword of this form.
    pub fn png_keyword(&self) -> &'static str {
        match self {
            BadgeVersion::V2 => KEYWORD_OB2,
            BadgeVersion::V3 => KEYWORD_OB3,
        }
    }

    /// The SVG element local name of this form (`assertion` or `credential`).
    pub fn svg_element(&self) -> &'static str {
        match self {
            BadgeVersion::V2 => "assertion",
            BadgeVersion::V3 => "credential",
        }
    }

    /// The SVG namespace URI this crate writes for this form.
    pub fn svg_namespace(&self) -> &'static str {
        match self {
            BadgeVersion::V2 => SVG_NAMESPACE_OB2,
            BadgeVersion::V3 => SVG_NAMESPACE_OB3,
        }
    }
}

/// Something worth telling the caller about an image that was still read successfully.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Warning {
    /// A second badge chunk/element was found (the specification allows only one); the first
    /// one was returned.
    DuplicateBadge {
        /// Where the ignored duplicate is.
        position: Position,
    },
    /// The badge came from a legacy `tEXt` chunk (pre-specification bakers stored a URL there).
    LegacyTextChunk {
        /// Where the chunk is.
        position: Position,
    },
    /// The badge came from a compressed chunk, inflated because the caller allowed it.
    CompressedChunkInflated {
        /// Where the chunk is.
        position: Position,
    },
    /// The SVG badge element uses the `openbadges:` prefix without declaring its namespace.
    UndeclaredNamespace {
        /// Where the element starts.
        position: Position,
    },
    /// The SVG badge element's namespace is not the one its version prescribes (e.g. a
    /// `credential` in `http://openbadges.org`, or a variant URI seen in the wild).
    UnexpectedNamespace {
        /// The namespace found.
        namespace: String,
        /// Where the element starts.
        position: Position,
    },
    /// The SVG badge element is not the first child of the root `<svg>` element.
    NotFirstChild {
        /// Where the element starts.
        position: Position,
    },
}

impl Warning {
    /// A short stable identifier, e.g. `DUPLICATE_BADGE`.
    pub fn code(&self) -> &'static str {
        match self {
            Warning::DuplicateBadge { .. } => "DUPLICATE_BADGE",
            Warning::LegacyTextChunk { .. } => "LEGACY_TEXT_CHUNK",
            Warning::CompressedChunkInflated { .. } => "COMPRESSED_CHUNK_INFLATED",
            Warning::UndeclaredNamespace { .. } => "UNDECLARED_NAMESPACE",
            Warning::UnexpectedNamespace { .. } => "UNEXPECTED_NAMESPACE",
            Warning::NotFirstChild { .. } => "NOT_FIRST_CHILD",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::DuplicateBadge { position } => {
                write!(
                    f,
                    "a second badge at {position} was ignored (only one is allowed)"
                )
            }
            Warning::LegacyTextChunk { position } => {
                write!(f, "badge read from a legacy tEXt chunk at {position}")
            }
            Warning::CompressedChunkInflated { position } => {
                write!(
                    f,
                    "badge read from a compressed chunk at {position} (not allowed by the specification)"
                )
            }
            Warning::UndeclaredNamespace { position } => {
                write!(
                    f,
                    "badge element at {position} uses an undeclared openbadges: prefix"
                )
            }
            Warning::UnexpectedNamespace {
                namespace,
                position,
            } => {
                write!(
                    f,
                    "badge element at {position} is in namespace {namespace:?}"
                )
            }
            Warning::NotFirstChild { position } => {
                write!(
                    f,
                    "badge element at {position} is not the first child of <svg>"
                )
            }
        }
    }
}

/// A badge found in an image.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Extracted {
    /// The image format.
    pub format: ImageFormat,
    /// PNG: the chunk keyword (`openbadges` or `openbadgecredential`). SVG: the element's
    /// local name (`assertion` or `credential`).
    pub keyword: String,
    /// The payload exactly as stored (for SVG: the element body with surrounding whitespace
    /// removed, CDATA sections joined and text unescaped; else the `verify` attribute value).
    pub payload: String,
    /// What the payload is.
    pub payload_kind: PayloadKind,
    /// Which baking form held it (from the keyword / element name).
    pub version: BadgeVersion,
    /// Where the chunk (PNG: offset of its length field) or element (SVG) is.
    pub position: Position,
    /// Things worth knowing that did not stop extraction (e.g. a duplicate badge).
    pub warnings: Vec<Warning>,
}

impl Extracted {
    /// Checks that a JSON payload parses as JSON. Extraction itself returns the stored text
    /// whatever it is; this is the separate check for "the body is not valid JSON".
    /// Payloads of other kinds pass.
    ///
    /// # Errors
    /// [`Error::InvalidJson`] with the line and column inside the payload.
    pub fn check_json(&self) -> Result<(), Error> {
        if self.payload_kind != PayloadKind::Json {
            return Ok(());
        }
        serde_json::from_str::<serde_json::Value>(&self.payload)
            .map(|_| ())
            .map_err(|e| Error::InvalidJson {
                message: e.to_string(),
                line: e.line(),
                column: e.column(),
                source: e,
            })
    }
}

/// Limits applied while reading untrusted images. The defaults are generous for real badges
/// and small enough to keep a hostile file from exhausting memory.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest badge payload read (bytes). Default 16 MiB.
    pub max_payload_bytes: u64,
    /// Whether a compressed badge `iTXt` chunk (forbidden by the specification) is inflated
    /// instead of rejected with [`Error::CompressedChunk`]. Default `false`.
    pub inflate_compressed: bool,
    /// Largest inflated size of a compressed badge chunk (bytes). Default 16 MiB.
    pub max_inflated_bytes: u64,
    /// Largest SVG document read (bytes). Default 64 MiB.
    pub max_svg_bytes: u64,
    /// Largest number of XML nodes (tags, text runs, comments ...) visited in an SVG.
    /// Default 2,000,000.
    pub max_svg_nodes: u64,
    /// Largest number of PNG chunks walked. Default 1,000,000.
    pub max_png_chunks: u64,
    /// Whether PNG extraction walks every chunk header to the end of the file looking for a
    /// duplicate badge chunk. Default `false`: after the badge, chunks are walked up to the next
    /// `IDAT`, so the cost of extraction does not depend on the amount of image data; a
    /// duplicate on the far side of the image data is then not reported.
    pub full_duplicate_scan: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_payload_bytes: 16 * 1024 * 1024,
            inflate_compressed: false,
            max_inflated_bytes: 16 * 1024 * 1024,
            max_svg_bytes: 64 * 1024 * 1024,
            max_svg_nodes: 2_000_000,
            max_png_chunks: 1_000_000,
            full_duplicate_scan: false,
        }
    }
}

impl Limits {
    /// Allows (or not) inflating a compressed badge `iTXt` chunk, within
    /// [`max_inflated_bytes`](Limits::max_inflated_bytes).
    pub fn inflate_compressed(mut self, yes: bool) -> Self {
        self.inflate_compressed = yes;
        self
    }

    /// Sets [`full_duplicate_scan`](Limits::full_duplicate_scan).
    pub fn full_duplicate_scan(mut self, yes: bool) -> Self {
        self.full_duplicate_scan = yes;
        self
    }

    /// Sets the largest payload read.
    pub fn max_payload_bytes(mut self, n: u64) -> Self {
        self.max_payload_bytes = n;
        self
    }

    /// Refuses a payload longer than [`max_payload_bytes`](Limits::max_payload_bytes): the one
    /// check extraction (PNG and SVG) and baking share, so `bake` never writes a badge that
    /// `extract` would refuse.
    pub(crate) fn check_payload_len(&self, len: usize, position: Position) -> Result<(), Error> {
        if len as u64 > self.max_payload_bytes {
            return Err(Error::LimitExceeded {
                what: "payload bytes",
                limit: self.max_payload_bytes,
                position,
            });
        }
        Ok(())
    }

    /// Sets the largest SVG document read.
    pub fn max_svg_bytes(mut self, n: u64) -> Self {
        self.max_svg_bytes = n;
        self
    }

    /// Sets the largest number of SVG nodes visited.
    pub fn max_svg_nodes(mut self, n: u64) -> Self {
        self.max_svg_nodes = n;
        self
    }
}

/// How to bake.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BakeOptions {
    /// Replace a badge the image already holds (otherwise that is [`Error::AlreadyBaked`]).
    pub replace: bool,
    /// Force the OB 2.0 or 3.0 form instead of detecting it from the payload.
    pub version: Option<BadgeVersion>,
    /// Limits used while reading the input image.
    pub limits: Limits,
}

impl BakeOptions {
    /// Sets [`replace`](BakeOptions::replace).
    pub fn replace(mut self, yes: bool) -> Self {
        self.replace = yes;
        self
    }

    /// Sets [`version`](BakeOptions::version).
    pub fn version(mut self, version: Option<BadgeVersion>) -> Self {
        self.version = version;
        self
    }

    /// Sets [`limits`](BakeOptions::limits).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// The result of [`bake_detailed`]: the baked image and where the new bytes went.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Baked {
    /// The baked image.
    pub bytes: Vec<u8>,
    /// The form used.
    pub version: BadgeVersion,
    /// Byte ranges of `bytes` that were inserted (our chunk; our namespace attribute and
    /// element). Removing them from an image that held no badge gives back the original
    /// exactly.
    pub inserted: Vec<std::ops::Range<usize>>,
}

/// Extracts the badge from a PNG or SVG image with the default [`Limits`].
///
/// # Errors
/// [`Error::UnknownFormat`] when the bytes are neither PNG nor SVG, [`Error::NotBaked`] when
/// there is no badge, and a positioned error for a malformed or hostile image.
pub fn extract(bytes: &[u8]) -> Result<Extracted, Error> {
    extract_with(bytes, &Limits::default())
}

/// Extracts the badge from a PNG or SVG image with the given [`Limits`].
///
/// # Errors
/// As [`extract`].
pub fn extract_with(bytes: &[u8], limits: &Limits) -> Result<Extracted, Error> {
    match ImageFormat::detect(bytes) {
        Some(ImageFormat::Png) => png::extract(bytes, limits),
        Some(ImageFormat::Svg) => svg::extract(bytes, limits),
        None => svg::explain_not_svg(bytes),
    }
}

/// Bakes `payload` (JSON, a compact JWS/JWT, or a URL) into a PNG or SVG image.
///
/// The OB 2.0 or 3.0 form is chosen by [`detect_version`] unless `options.version` is set.
///
/// # Errors
/// [`Error::UnknownFormat`], [`Error::InvalidPayload`], [`Error::AlreadyBaked`] (unless
/// `options.replace`), [`Error::LimitExceeded`] for a payload longer than
/// [`Limits::max_payload_bytes`] (extraction would refuse it), or a positioned error for a
/// malformed image.
pub fn bake(image: &[u8], payload: &str, options: &BakeOptions) -> Result<Vec<u8>, Error> {
    bake_detailed(image, payload, options).map(|b| b.bytes)
}

/// As [`bake`], also reporting the form used and the inserted byte ranges.
///
/// # Errors
/// As [`bake`].
pub fn bake_detailed(image: &[u8], payload: &str, options: &BakeOptions) -> Result<Baked, Error> {
    check_bake_payload(payload, &options.limits)?;
    let kind = PayloadKind::detect(payload).ok_or_else(payload::not_a_payload)?;
    let version = match options.version {
        Some(v) => v,
        None => detect_version(payload)?,
    };
    match ImageFormat::detect(image) {
        Some(ImageFormat::Png) => png::bake(image, payload, version, options),
        Some(ImageFormat::Svg) => svg::bake(image, payload, kind, version, options),
        None => Err(Error::UnknownFormat),
    }
}

/// The payload checks every baker makes before touching the image: not longer than extraction
/// accepts (the position is the payload's byte offset where the limit is passed).
pub(crate) fn check_bake_payload(payload: &str, limits: &Limits) -> Result<(), Error> {
    limits.check_payload_len(payload.len(), Position::Offset(limits.max_payload_bytes))
}

/// Removes every badge (chunk or element) from an image, leaving every other byte in place.
///
/// For a PNG baked by this crate this gives back the original file exactly. For an SVG the
/// badge element is removed and, when it is no longer used, a namespace declaration that
/// exactly matches the one [`bake`] writes is removed too.
///
/// # Errors
/// [`Error::UnknownFormat`], [`Error::NotBaked`], or a positioned error for a malformed image.
pub fn unbake(image: &[u8]) -> Result<Vec<u8>, Error> {
    match ImageFormat::detect(image) {
        Some(ImageFormat::Png) => png::unbake(image, &Limits::default()),
        Some(ImageFormat::Svg) => svg::unbake(image, &Limits::default()),
        None => Err(Error::UnknownFormat),
    }
}
