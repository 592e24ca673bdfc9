//! What a payload is (JSON, compact JWS, URL) and which baking form it needs.

use base64::Engine as _;
use openbadges_model::compact_jws::{compact_jws_segments, has_compact_jws_shape};
use serde_json::Value;

use crate::{BadgeVersion, Error};

/// The kind of text baked into an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadKind {
    /// A JSON document (an assertion or a credential with an embedded proof). Detected by its
    /// first non-blank character (`{` or `[`); whether it parses is a separate check
    /// ([`Extracted::check_json`](crate::Extracted::check_json)).
    Json,
    /// A compact JWS (OB 2.0 signed assertion) or JWT (OB 3.0 VC-JWT): text with the shape
    /// of [`openbadges_model::compact_jws::has_compact_jws_shape`] (three unpadded base64url
    /// segments, an `eyJ…` header, a non-empty payload). An empty signature segment is still
    /// this kind: an unsigned token is carried as it is, and a verifier refuses it with its
    /// reason rather than as an unrecognised payload.
    Jws,
    /// An absolute URL (a hosted assertion).
    Url,
}

impl PayloadKind {
    /// Classifies a payload (surrounding whitespace ignored); `None` when it is none of the
    /// three. JSON is tried first, then the compact JWS shape, then an absolute URL.
    pub fn detect(payload: &str) -> Option<PayloadKind> {
        let t = payload.trim();
        if t.starts_with('{') || t.starts_with('[') {
            Some(PayloadKind::Json)
        } else if has_compact_jws_shape(t) {
            Some(PayloadKind::Jws)
        } else if is_absolute_url(t) {
            Some(PayloadKind::Url)
        } else {
            None
        }
    }

    /// `"json"`, `"jws"` or `"url"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            PayloadKind::Json => "json",
            PayloadKind::Jws => "jws",
            PayloadKind::Url => "url",
        }
    }
}

impl std::fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn is_absolute_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.len() >= 2
        && scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    scheme_ok
        && !rest.is_empty()
        && !s
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
}

/// The decoded JSON payload of a compact JWS (its shape as [`PayloadKind::detect`] takes it),
/// if it has one.
fn jws_payload_json(jws: &str) -> Option<Value> {
    let (_, payload, _) = compact_jws_segments(jws.trim())?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn mentions(v: Option<&Value>, needle: &dyn Fn(&str) -> bool) -> bool {
    match v {
        Some(Value::String(s)) => needle(s),
        Some(Value::Array(items)) => items
            .iter()
            .any(|i| matches!(i, Value::String(s) if needle(s))),
        _ => false,
    }
}

/// Whether a JSON value is a Verifiable Credential (OB 3.0 / CLR 2.0).
pub(crate) fn is_vc(v: &Value) -> bool {
    let ctx = |s: &str| {
        s.starts_with("https://www.w3.org/2018/credentials")
            || s.starts_with("https://www.w3.org/ns/credentials")
            || s.starts_with("https://purl.imsglobal.org/spec/ob/v3p0")
            || s.starts_with("https://purl.imsglobal.org/spec/clr/v2p0")
    };
    let ty = |s: &str| s == "VerifiableCredential" || s.ends_with("Credential");
    mentions(v.get("@context"), &ctx) || mentions(v.get("type"), &ty)
}

/// [`Error::InvalidPayload`]: the payload is none of the three kinds.
pub(crate) fn not_a_payload() -> Error {
    crate::error::invalid_payload("the payload is neither JSON, a compact JWS, nor an absolute URL")
}

/// Chooses the baking form for a payload: OB 3.0 (`openbadgecredential`) for a JSON
/// Verifiable Credential or a compact JWS whose payload is a VC (or a VC-JWT with a `vc`
/// claim); OB 2.0 (`openbadges`) for anything else (2.0 assertions, signed 2.0 assertions,
/// URLs).
///
/// # Errors
/// [`Error::InvalidPayload`] when the payload is not JSON / JWS / URL, when JSON does not
/// parse, or when a JWS's payload segment is not base64url-encoded JSON.
pub fn detect_version(payload: &str) -> Result<BadgeVersion, Error> {
    match PayloadKind::detect(payload) {
        Some(PayloadKind::Json) => {
            let v: Value = serde_json::from_str(payload).map_err(|e| Error::InvalidPayload {
                reason: format!("the JSON payload does not parse: {e}"),
                source: Some(e),
            })?;
            Ok(if is_vc(&v) {
                BadgeVersion::V3
            } else {
                BadgeVersion::V2
            })
        }
        Some(PayloadKind::Jws) => {
            let v = jws_payload_json(payload).ok_or_else(|| {
                crate::error::invalid_payload(
                    "the compact JWS payload segment is not base64url-encoded JSON",
                )
            })?;
            let vc_claim = v.get("vc").is_some_and(|c| c.is_object());
            Ok(if vc_claim || is_vc(&v) {
                BadgeVersion::V3
            } else {
                BadgeVersion::V2
            })
        }
        Some(PayloadKind::Url) => Ok(BadgeVersion::V2),
        None => Err(not_a_payload()),
    }
}

/// For an OB 1.x/2.0 JSON assertion baked into SVG: the hosted URL to put in `verify`
/// (2.0 `id` of a hosted assertion, or 1.0 `verify.url`).
pub(crate) fn hosted_url(payload: &str) -> Option<String> {
    let v: Value = serde_json::from_str(payload).ok()?;
    let http = |s: &str| s.starts_with("https://") || s.starts_with("http://");
    if let Some(url) = v
        .get("verify")
        .and_then(|x| x.get("url"))
        .and_then(Value::as_str)
    {
        if http(url) {
            return Some(url.to_owned());
        }
    }
    let hosted = v
        .get("verification")
        .and_then(|x| x.get("type"))
        .and_then(Value::as_str)
        .is_some_and(|t| t.eq_ignore_ascii_case("hostedbadge") || t.eq_ignore_ascii_case("hosted"));
    let id = v.get("id").and_then(Value::as_str)?;
    (hosted && http(id)).then(|| id.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(PayloadKind::detect(" {\"a\":1}"), Some(PayloadKind::Json));
        assert_eq!(
            PayloadKind::detect("eyJh.eyJi.c2ln"),
            Some(PayloadKind::Jws)
        );
        assert_eq!(
            PayloadKind::detect("https://example.org/a"),
            Some(PayloadKind::Url)
        );
        assert_eq!(PayloadKind::detect("hello world"), None);
        assert_eq!(PayloadKind::detect("a.b"), None);
    }

    /// The payload kinds follow the workspace's one compact-JWS shape
    /// (`openbadges_model::compact_jws`): an unsigned token is still a JWS, while a dotted
    /// triple without a JOSE header or without a payload is not.
    #[test]
    fn jws_kind_is_the_model_compact_jws_shape() {
        let unsigned = "eyJhbGciOiJub25lIn0.eyJ2YyI6e319.";
        assert_eq!(PayloadKind::detect(unsigned), Some(PayloadKind::Jws));
        assert_eq!(
            PayloadKind::detect(&format!("\n {unsigned} \n")),
            Some(PayloadKind::Jws)
        );
        assert_eq!(PayloadKind::detect("abc.def.ghi"), None);
        assert_eq!(PayloadKind::detect("eyJhbGciOiJub25lIn0..c2ln"), None);
        assert_eq!(PayloadKind::detect("eyJhbGciOiJub25lIn0.e30=.c2ln"), None);
        assert!(detect_version("abc.def.ghi").is_err());
    }

    #[test]
    fn versions() {
        assert_eq!(detect_version("https://e.org/x").unwrap(), BadgeVersion::V2);
        assert_eq!(
            detect_version(r#"{"@context":"https://w3id.org/openbadges/v2"}"#).unwrap(),
            BadgeVersion::V2
        );
        assert_eq!(
            detect_version(r#"{"@context":["https://www.w3.org/ns/credentials/v2"]}"#).unwrap(),
            BadgeVersion::V3
        );
        // header {"alg":"none"} . payload {"vc":{}}
        assert_eq!(
            detect_version("eyJhbGciOiJub25lIn0.eyJ2YyI6e319.").unwrap(),
            BadgeVersion::V3
        );
        assert!(detect_version("{nope").is_err());
    }

    #[test]
    fn hosted() {
        assert_eq!(
            hosted_url(r#"{"id":"https://e.org/a","verification":{"type":"HostedBadge"}}"#)
                .as_deref(),
            Some("https://e.org/a")
        );
        assert_eq!(
            hosted_url(r#"{"verify":{"type":"hosted","url":"http://e.org/b"}}"#).as_deref(),
            Some("http://e.org/b")
        );
        assert_eq!(
            hosted_url(r#"{"id":"urn:uuid:1","verification":{"type":"SignedBadge"}}"#),
            None
        );
    }
}
