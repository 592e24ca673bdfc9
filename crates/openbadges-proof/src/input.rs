//! Inputs: what a user hands to `inspect` or `verify`, detected from its content.
//!
//! This module is the single entry point that `openbadges inspect` and `openbadges verify` (and
//! any other consumer) share to turn raw bytes into the document they carry:
//!
//! 1. [`detect`] looks at the bytes only (never a file name) and says which [`InputKind`] they
//!    are: JSON, a compact JWS, a PNG or SVG image, or a URL.
//! 2. [`unpack`] returns an [`Input`]: the kind plus the carried [`Payload`] — a parsed JSON
//!    value, a parsed compact JWS (header and payload decoded but **not verified**), or a URL
//!    string. Baked images are opened with `openbadges_bake::extract` and their payload is
//!    unpacked the same way, so a baked JWS comes out as [`Payload::Jws`].
//!
//! Nothing here fetches or verifies anything; [`crate::verify`] does that.
//!
//! ```
//! use openbadges_proof::input::{unpack, InputKind, Payload};
//! let input = unpack(br#"{"type": "Assertion", "id": "https://example.org/a/1"}"#, &Default::default())?;
//! assert_eq!(input.kind, InputKind::Json);
//! assert!(matches!(input.payload, Payload::Json(_)));
//!
//! let url = unpack(b"https://example.org/a/1\n", &Default::default())?;
//! assert_eq!(url.payload, Payload::Url("https://example.org/a/1".into()));
//! # Ok::<(), openbadges_proof::Error>(())
//! ```

use openbadges_model::Limits;
use openbadges_model::member::Members;
use serde_json::Value;

use crate::Error;
use crate::jws::{Jws, JwsLimits};
use openbadges_model::compact_jws::has_compact_jws_shape;

/// The kind of an input, detected from its content. Serialized as its name (`"json"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum InputKind {
    /// A JSON document.
    Json,
    /// A compact JWS (or JWT).
    Jws,
    /// A PNG image.
    Png,
    /// An SVG image.
    Svg,
    /// An `http(s)` URL.
    Url,
}

impl InputKind {
    /// `"json"`, `"jws"`, `"png"`, `"svg"` or `"url"` (the CLI's names).
    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Json => "json",
            InputKind::Jws => "jws",
            InputKind::Png => "png",
            InputKind::Svg => "svg",
            InputKind::Url => "url",
        }
    }

    /// The kind named `name` (as [`InputKind::as_str`] writes it).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "json" => InputKind::Json,
            "jws" => InputKind::Jws,
            "png" => InputKind::Png,
            "svg" => InputKind::Svg,
            "url" => InputKind::Url,
            _ => return None,
        })
    }
}

impl std::fmt::Display for InputKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The document an input carries.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Payload {
    /// A JSON document, parsed within the limits.
    Json(Value),
    /// A compact JWS: parsed, NOT verified.
    Jws(Jws),
    /// A URL to fetch (hosted assertion).
    Url(String),
}

/// An unpacked input.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Input {
    /// What the bytes were.
    pub kind: InputKind,
    /// What they carry.
    pub payload: Payload,
    /// Warnings from reading a baked image (stable code, message), e.g. `DUPLICATE_BADGE`.
    pub warnings: Vec<(String, String)>,
}

/// The credential a JWS payload carries: the `vc` claim of a VC Data Model 1.1 JWT (a payload
/// without `@context` whose `vc` claim is an object), otherwise the payload itself (an OB 2.0
/// assertion, or an OB 3.0 / VC 2.0 JWT whose claims are the credential).
///
/// ```
/// use serde_json::json;
/// let v11 = json!({"iss": "https://example.org/", "vc": {"type": ["VerifiableCredential"]}});
/// assert_eq!(openbadges_proof::input::jws_credential(&v11), &json!({"type": ["VerifiableCredential"]}));
/// let v20 = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "vc": "a claim"});
/// assert_eq!(openbadges_proof::input::jws_credential(&v20), &v20);
/// ```
pub fn jws_credential(payload: &Value) -> &Value {
    match payload.as_object() {
        Some(o) if !o.has_member("@context") => {
            o.member("vc").filter(|v| v.is_object()).unwrap_or(payload)
        }
        _ => payload,
    }
}

/// Whether `s` (trimmed) is a single absolute `http`/`https` URL.
pub fn is_http_url(s: &str) -> bool {
    let t = s.trim();
    (t.starts_with("https://") || t.starts_with("http://"))
        && !t.chars().any(char::is_whitespace)
        && url::Url::parse(t).is_ok()
}

/// Detects the kind of `bytes` from their content; `None` when they are none of the kinds.
///
/// ```
/// use openbadges_proof::input::{detect, InputKind};
/// assert_eq!(detect(b"\xEF\xBB\xBF {\"a\": 1}"), Some(InputKind::Json));
/// assert_eq!(detect(b"\x89PNG\r\n\x1a\n...."), Some(InputKind::Png));
/// assert_eq!(detect(b"<?xml version=\"1.0\"?><svg/>"), Some(InputKind::Svg));
/// assert_eq!(detect(b"eyJhbGciOiJSUzI1NiJ9.e30.c2ln"), Some(InputKind::Jws));
/// assert_eq!(detect(b"hello"), None);
/// ```
pub fn detect(bytes: &[u8]) -> Option<InputKind> {
    if let Some(f) = openbadges_bake::ImageFormat::detect(bytes) {
        return Some(match f {
            openbadges_bake::ImageFormat::Png => InputKind::Png,
            _ => InputKind::Svg,
        });
    }
    let t = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .trim_ascii();
    match t.first() {
        Some(b'{') | Some(b'[') => Some(InputKind::Json),
        Some(b'<') => None,
        _ if std::str::from_utf8(t).is_ok_and(has_compact_jws_shape) => Some(InputKind::Jws),
        _ => match std::str::from_utf8(t) {
            Ok(s) if is_http_url(s) => Some(InputKind::Url),
            _ => None,
        },
    }
}

fn jws_payload(t: &str, limits: &Limits) -> Result<Payload, Error> {
    let jl = JwsLimits {
        max_bytes: limits.max_bytes,
        ..JwsLimits::default()
    };
    Ok(Payload::Jws(Jws::parse_with_limits(t, &jl)?))
}

fn unpack_text(text: &str, limits: &Limits) -> Result<Payload, Error> {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text).trim();
    if t.starts_with('{') || t.starts_with('[') {
        return Ok(Payload::Json(openbadges_model::parse_json(
            t.as_bytes(),
            limits,
        )?));
    }
    if has_compact_jws_shape(t) {
        return jws_payload(t, limits);
    }
    if is_http_url(t) {
        return Ok(Payload::Url(t.to_string()));
    }
    Err(Error::unrecognized_input(
        "neither JSON, a compact JWS, a URL, a PNG nor an SVG",
    ))
}

/// Detects and unpacks `bytes` into the document they carry.
///
/// # Errors
/// [`Error::UnrecognizedInput`] when the bytes are none of the kinds; [`Error::Json`] /
/// [`Error::TooLarge`] / [`Error::MalformedJws`] when the carried document is malformed;
/// [`Error::NoBakedBadge`] or [`Error::InvalidImage`] for images.
pub fn unpack(bytes: &[u8], limits: &Limits) -> Result<Input, Error> {
    if bytes.len() > limits.max_bytes {
        return Err(Error::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let kind = detect(bytes).ok_or_else(|| {
        Error::unrecognized_input("neither JSON, a compact JWS, a URL, a PNG nor an SVG")
    })?;
    match kind {
        InputKind::Png | InputKind::Svg => {
            let ex = openbadges_bake::extract(bytes).map_err(|e| match e {
                openbadges_bake::Error::NotBaked { .. } => Error::NoBakedBadge,
                other => Error::InvalidImage {
                    code: other.kind_code(),
                    message: other.to_string(),
                },
            })?;
            let warnings = ex
                .warnings
                .iter()
                .map(|w| (w.code().to_string(), w.to_string()))
                .collect();
            let payload = unpack_text(&ex.payload, limits)?;
            Ok(Input {
                kind,
                payload,
                warnings,
            })
        }
        _ => {
            let text = std::str::from_utf8(bytes)
                .map_err(|e| Error::unrecognized_input_caused(format!("not UTF-8 text: {e}"), e))?;
            let payload = if kind == InputKind::Jws {
                // `detect` has just checked the shape (an ASCII token, surrounded by ASCII
                // white space at most): parse it without scanning it again.
                jws_payload(text.strip_prefix('\u{feff}').unwrap_or(text).trim(), limits)?
            } else {
                unpack_text(text, limits)?
            };
            Ok(Input {
                kind,
                payload,
                warnings: Vec::new(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn fixture(p: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../fixtures/ob2/{p}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn unpacks_each_kind_from_fixtures() {
        let l = Limits::default();
        let j = unpack(&fixture("served/hosted/valid.json"), &l).unwrap();
        assert_eq!(j.kind, InputKind::Json);
        let s = unpack(&fixture("served/signed/valid.jws"), &l).unwrap();
        assert_eq!(s.kind, InputKind::Jws);
        let Payload::Jws(jws) = s.payload else {
            panic!()
        };
        assert_eq!(jws.alg(), "RS256");
        let png = unpack(&fixture("baked/signed-valid.png"), &l).unwrap();
        assert_eq!(png.kind, InputKind::Png);
        assert!(matches!(png.payload, Payload::Jws(_)));
        let url = unpack(&fixture("baked/hosted-valid-url.png"), &l).unwrap();
        assert!(matches!(url.payload, Payload::Url(_)));
        let svg = unpack(&fixture("baked/signed-valid.svg"), &l).unwrap();
        assert_eq!(svg.kind, InputKind::Svg);
    }

    #[test]
    fn malformed_and_unbaked_inputs_are_typed_errors() {
        let l = Limits::default();
        assert!(matches!(
            unpack(&fixture("served/hosted/malformed.json"), &l),
            Err(Error::Json { .. })
        ));
        assert!(matches!(
            unpack(&fixture("upstream/mozbakery-unbaked.png"), &l),
            Err(Error::NoBakedBadge)
        ));
        assert!(matches!(
            unpack(b"just words", &l),
            Err(Error::UnrecognizedInput { .. })
        ));
        assert!(unpack(&fixture("baked/invalid-compressed-itxt.png"), &l).is_err());
    }
}
