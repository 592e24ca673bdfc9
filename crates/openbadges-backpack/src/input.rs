//! Turning input bytes into badge items: content detection (never by file name), JWS/JWT
//! payloads, baked images, CLR bundles and API responses. What cannot be read is a reason for
//! the import report (text, per input or per badge), not an error of the crate.

use std::io::Read as _;

use base64::Engine as _;
use openbadges_model::compact_jws::{compact_jws_segments, is_compact_jws};
use openbadges_model::{Limits, Version, detect, parse_json};
use serde_json::Value;

use crate::fetch::Fetcher;
use crate::model::InputKind;

/// Caps on untrusted input, on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// The largest single input (a file, a response body). Default 16 MiB.
    pub max_input_bytes: usize,
    /// The largest backpack archive. Default 1 GiB.
    pub max_archive_bytes: usize,
    /// The most badges one input may carry (CLR members, API results, archive entries).
    /// Default 10,000.
    pub max_items: usize,
    /// Limits for every JSON document (size, depth).
    pub json: Limits,
    /// The most bytes one archive import may read out of the archive's entries, all entries
    /// together, every reference counted (an entry read for several badges counts each time;
    /// it is decompressed only once). Bounds the work and memory of a crafted archive whose
    /// manifest points many times at one large (compressed) entry. Default 2 GiB: twice the
    /// largest archive, room for documents shared by many badges.
    pub max_archive_expanded_bytes: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        ImportLimits {
            max_input_bytes: 16 * 1024 * 1024,
            max_archive_bytes: 1024 * 1024 * 1024,
            max_items: 10_000,
            json: Limits::default(),
            max_archive_expanded_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

impl ImportLimits {
    /// The cap on an input that begins with `head`: [`max_archive_bytes`](Self::max_archive_bytes)
    /// for a backpack archive (a zip), [`max_input_bytes`](Self::max_input_bytes) for anything
    /// else (one badge, one response body).
    pub fn cap_for(&self, head: &[u8]) -> u64 {
        if head.starts_with(ZIP_SIGNATURE) {
            self.max_archive_bytes as u64
        } else {
            self.max_input_bytes as u64
        }
    }

    /// Reads one input for [`Backpack::import`](crate::Backpack::import), never more than the
    /// cap its kind allows ([`cap_for`](Self::cap_for), decided on its first four bytes) plus
    /// one byte: an input over the cap is refused, not truncated. `declared_len` (a file's
    /// metadata length) is checked first, so an oversized file is refused before it is read.
    ///
    /// # Errors
    /// [`Error::TooLarge`](crate::Error::TooLarge); [`Error::Read`](crate::Error::Read) when
    /// the reader fails.
    pub fn read_input<R: std::io::Read>(
        &self,
        mut reader: R,
        declared_len: Option<u64>,
    ) -> crate::Result<Vec<u8>> {
        let read_err = crate::Error::Read;
        let mut buf = Vec::new();
        (&mut reader)
            .take(ZIP_SIGNATURE.len() as u64)
            .read_to_end(&mut buf)
            .map_err(read_err)?;
        let cap = self.cap_for(&buf);
        let what = if buf.starts_with(ZIP_SIGNATURE) {
            "backpack archive"
        } else {
            "input"
        };
        let too_large = |size: Option<u64>| crate::Error::TooLarge {
            what,
            size,
            limit: cap,
        };
        if let Some(len) = declared_len.filter(|l| *l > cap) {
            return Err(too_large(Some(len)));
        }
        reader
            .take((cap + 1).saturating_sub(buf.len() as u64))
            .read_to_end(&mut buf)
            .map_err(read_err)?;
        if buf.len() as u64 > cap {
            return Err(too_large(None));
        }
        Ok(buf)
    }

    /// [`read_input`](Self::read_input) of a file: its length is checked against the cap
    /// before anything but its first four bytes is read.
    ///
    /// # Errors
    /// As [`read_input`](Self::read_input); [`Error::Read`](crate::Error::Read) when the file
    /// cannot be opened.
    pub fn read_file(&self, path: &std::path::Path) -> crate::Result<Vec<u8>> {
        let file = std::fs::File::open(path).map_err(crate::Error::Read)?;
        let len = file
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len());
        self.read_input(file, len)
    }
}

/// One badge found in an input, ready for identity matching, de-duplication and verification.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Item {
    /// The bytes to keep verbatim.
    pub(crate) original: Vec<u8>,
    /// Their kind.
    pub(crate) kind: InputKind,
    /// The decoded document.
    pub(crate) document: Value,
    /// The position inside the input, for multi-badge inputs.
    pub(crate) within: Option<String>,
}

/// What an input holds.
#[derive(Debug)]
pub(crate) enum Parsed {
    /// One badge (or a CLR, whose members are listed separately).
    Single {
        item: Item,
        /// CLR members: each an item or why it could not be read.
        members: Vec<Result<Item, String>>,
    },
    /// Several badges from an API response or a Displayer group.
    Many(Vec<Result<Item, String>>),
    /// A backpack export archive.
    Archive,
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

/// Whether an input beginning with `head` is a zip (a backpack archive).
pub(crate) fn is_zip(head: &[u8]) -> bool {
    head.starts_with(ZIP_SIGNATURE)
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// Why a compact JWS's payload is not a badge document.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JwsPayloadError {
    /// The text does not have the shape of a compact JWS.
    #[error("not a compact JWS")]
    NotCompact,
    /// The payload segment is not base64url.
    #[error("the JWS payload is not base64url: {0}")]
    Base64(#[source] base64::DecodeError),
    /// The payload is not JSON within the limits.
    #[error("the JWS payload: {0}")]
    Json(#[source] openbadges_model::Error),
}

/// Decodes a compact JWS / JWT payload into the badge document it carries.
///
/// A VP-JWT's `vp` claim is the presentation; otherwise the credential is read from the claims
/// by [`openbadges_proof::vc_jwt::credential_from_claims`].
pub(crate) fn decode_jws(s: &str, limits: &Limits) -> Result<Value, JwsPayloadError> {
    let (_, payload, _) = compact_jws_segments(s).ok_or(JwsPayloadError::NotCompact)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(JwsPayloadError::Base64)?;
    let payload = parse_json(&bytes, limits).map_err(JwsPayloadError::Json)?;
    if let Some(vp) = payload.get("vp").and_then(Value::as_object) {
        // A VP-JWT: the presentation, whose credentials are unbundled by the caller.
        return Ok(Value::Object(vp.clone()));
    }
    Ok(openbadges_proof::vc_jwt::credential_from_claims(&payload))
}

/// The payload baked into a PNG or SVG, as stored (JSON, compact JWS, or a URL).
fn extract_baked(kind: InputKind, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let image = kind.as_str().to_ascii_uppercase();
    match openbadges_bake::extract(bytes) {
        Ok(x) => Ok(x.payload.into_bytes()),
        Err(openbadges_bake::Error::NotBaked { .. }) => {
            Err(format!("the {image} image holds no baked badge"))
        }
        Err(e) => Err(format!("the {image} image could not be read: {e}")),
    }
}

/// Decodes one badge's bytes (JSON text, compact JWS, URL, or a baked image's payload). A URL
/// is fetched with `fetch` (once: a fetched URL is not followed again); the fetched bytes are
/// returned too.
fn document_from_payload(
    payload: &[u8],
    limits: &ImportLimits,
    fetch: Option<&dyn Fetcher>,
) -> Result<(InputKind, Value, Option<Vec<u8>>), String> {
    let t = trim_ascii(payload);
    if t.first() == Some(&b'{') {
        let v = parse_json(t, &limits.json).map_err(|e| format!("malformed JSON: {e}"))?;
        return Ok((InputKind::Json, v, None));
    }
    let s = std::str::from_utf8(t).map_err(|_| "not UTF-8 text".to_owned())?;
    if is_compact_jws(s) {
        let document = decode_jws(s, &limits.json).map_err(|e| e.to_string())?;
        return Ok((InputKind::Jws, document, None));
    }
    if s.starts_with("http://") || s.starts_with("https://") {
        let Some(fetcher) = fetch else {
            return Err(
                "the badge is a hosted URL and this backpack has no fetcher to get it".to_owned(),
            );
        };
        let body = fetcher
            .fetch(s, limits.max_input_bytes)
            .map_err(|e| format!("fetching {s} failed: {e}"))?;
        if body.len() > limits.max_input_bytes {
            return Err(format!(
                "{s} returned {} bytes; the limit is {}",
                body.len(),
                limits.max_input_bytes
            ));
        }
        let (kind, document, _) = document_from_payload(&body, limits, None)
            .map_err(|e| format!("the document at {s}: {e}"))?;
        return Ok((kind, document, Some(body)));
    }
    Err("not an Open Badge: neither JSON, a compact JWS, nor a URL".to_owned())
}

/// An `EnvelopedVerifiableCredential` (VC DM 2.0): a VC-JWT in a `data:application/vc+jwt,` URL.
fn enveloped(
    o: &serde_json::Map<String, Value>,
    within: String,
    limits: &Limits,
) -> Result<Item, String> {
    let jwt = o
        .get("id")
        .and_then(Value::as_str)
        .and_then(|id| id.split_once(','))
        .filter(|(head, _)| head.starts_with("data:application/vc+jwt"))
        .map(|(_, jwt)| jwt.trim())
        .filter(|jwt| is_compact_jws(jwt))
        .ok_or_else(|| format!("{within}: an enveloped credential that is not a VC-JWT"))?;
    Ok(Item {
        original: jwt.as_bytes().to_vec(),
        kind: InputKind::Jws,
        document: decode_jws(jwt, limits).map_err(|e| e.to_string())?,
        within: Some(within),
    })
}

/// An item from an embedded JSON value or JWS string (CLR members, API results).
fn embedded_item(v: &Value, within: String, limits: &Limits) -> Result<Item, String> {
    match v {
        Value::Object(o)
            if o.get("type").and_then(Value::as_str) == Some("EnvelopedVerifiableCredential") =>
        {
            enveloped(o, within, limits)
        }
        Value::Object(_) => {
            let original = serde_json::to_vec(v).map_err(|e| e.to_string())?;
            Ok(Item {
                original,
                kind: InputKind::Json,
                document: v.clone(),
                within: Some(within),
            })
        }
        Value::String(s) if is_compact_jws(s.trim()) => Ok(Item {
            original: s.trim().as_bytes().to_vec(),
            kind: InputKind::Jws,
            document: decode_jws(s.trim(), limits).map_err(|e| e.to_string())?,
            within: Some(within),
        }),
        Value::String(_) => Err(format!("{within}: a string that is not a compact JWS")),
        _ => Err(format!("{within}: neither a credential object nor a JWS")),
    }
}

fn array_items(
    v: Option<&Value>,
    prefix: &str,
    out: &mut Vec<Result<Item, String>>,
    limits: &ImportLimits,
) -> Result<(), String> {
    let Some(v) = v else { return Ok(()) };
    let list: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    for (n, e) in list.into_iter().enumerate() {
        if out.len() >= limits.max_items {
            return Err(format!(
                "more than {} badges in one input",
                limits.max_items
            ));
        }
        out.push(embedded_item(e, format!("{prefix}/{n}"), &limits.json));
    }
    Ok(())
}

/// Detects what `bytes` hold.
pub(crate) fn parse_input(
    bytes: &[u8],
    limits: &ImportLimits,
    fetch: Option<&dyn Fetcher>,
) -> Result<Parsed, String> {
    if bytes.starts_with(ZIP_SIGNATURE) {
        if bytes.len() > limits.max_archive_bytes {
            return Err(format!(
                "the archive is {} bytes; the limit is {}",
                bytes.len(),
                limits.max_archive_bytes
            ));
        }
        return Ok(Parsed::Archive);
    }
    if bytes.len() > limits.max_input_bytes {
        return Err(format!(
            "the input is {} bytes; the limit is {}",
            bytes.len(),
            limits.max_input_bytes
        ));
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        let payload = extract_baked(InputKind::Png, bytes)?;
        let (_, document, _) = document_from_payload(&payload, limits, fetch)?;
        return single(bytes.to_vec(), InputKind::Png, document, limits);
    }
    let t = trim_ascii(bytes);
    if t.first() == Some(&b'<') {
        let head = String::from_utf8_lossy(t.get(..t.len().min(4096)).unwrap_or(t));
        if !head.to_ascii_lowercase().contains("<svg") {
            return Err("markup that is not an SVG image".to_owned());
        }
        if let Err(refused) = crate::svg::check_svg(bytes) {
            return Err(format!(
                "the SVG is refused: {refused} (only SVG presentation elements and attributes \
                 are allowed: no script, no foreign content, no external references)"
            ));
        }
        let payload = extract_baked(InputKind::Svg, bytes)?;
        let (_, document, _) = document_from_payload(&payload, limits, fetch)?;
        return single(bytes.to_vec(), InputKind::Svg, document, limits);
    }
    if t.first() == Some(&b'{') || t.first() == Some(&b'[') {
        let v = parse_json(t, &limits.json).map_err(|e| format!("malformed JSON: {e}"))?;
        return parse_json_input(bytes, v, limits);
    }
    let (kind, document, fetched) = document_from_payload(bytes, limits, fetch)?;
    // A URL given as the input: the badge is what it points to.
    single(
        fetched.unwrap_or_else(|| bytes.to_vec()),
        kind,
        document,
        limits,
    )
}

fn single(
    original: Vec<u8>,
    kind: InputKind,
    document: Value,
    limits: &ImportLimits,
) -> Result<Parsed, String> {
    let mut members = Vec::new();
    let detection = detect(&document);
    if detection.class == Some(openbadges_model::Class::VerifiablePresentation) {
        // A presentation is a wrapper: its credentials are the badges; it is not kept.
        array_items(
            document.get("verifiableCredential"),
            "vp/verifiableCredential",
            &mut members,
            limits,
        )?;
        return Ok(Parsed::Many(members));
    }
    if detection.version == Some(Version::Clr2_0) {
        let subject = match document.get("credentialSubject") {
            Some(Value::Array(a)) => a.first(),
            other => other,
        };
        array_items(
            subject.and_then(|s| s.get("verifiableCredential")),
            "credentialSubject/verifiableCredential",
            &mut members,
            limits,
        )?;
    }
    Ok(Parsed::Single {
        item: Item {
            original,
            kind,
            document,
            within: None,
        },
        members,
    })
}

fn parse_json_input(bytes: &[u8], v: Value, limits: &ImportLimits) -> Result<Parsed, String> {
    let mut items = Vec::new();
    match &v {
        Value::Array(_) => {
            array_items(Some(&v), "", &mut items, limits)?;
            return Ok(Parsed::Many(items));
        }
        Value::Object(o) => {
            // OB 3.0 API getCredentials: `credential` + `compactJwsString` (the normative
            // model), or `compactJwsStrings` (the published example).
            let api_keys = ["credential", "compactJwsString", "compactJwsStrings"];
            if api_keys.iter().any(|k| o.contains_key(*k)) && !o.contains_key("@context") {
                for k in api_keys {
                    array_items(o.get(k), &format!("ob30-api/{k}"), &mut items, limits)?;
                }
                return Ok(Parsed::Many(items));
            }
            // Badge Connect 2.1 getAssertions: `assertions` + `signedAssertions`.
            if o.contains_key("status")
                && (o.contains_key("assertions") || o.contains_key("signedAssertions"))
            {
                for k in ["assertions", "signedAssertions"] {
                    array_items(o.get(k), &format!("badge-connect/{k}"), &mut items, limits)?;
                }
                return Ok(Parsed::Many(items));
            }
            // Mozilla Displayer group: `badges[].assertion`.
            if let Some(Value::Array(badges)) = o.get("badges") {
                if o.contains_key("groupId") || o.contains_key("userId") {
                    for (n, b) in badges.iter().enumerate() {
                        if items.len() >= limits.max_items {
                            return Err(format!(
                                "more than {} badges in one input",
                                limits.max_items
                            ));
                        }
                        let within = format!("displayer/badges/{n}");
                        items.push(match b.get("assertion") {
                            Some(a) => embedded_item(a, within, &limits.json),
                            None => Err(format!("{within}: no assertion")),
                        });
                    }
                    return Ok(Parsed::Many(items));
                }
            }
        }
        _ => {}
    }
    single(bytes.to_vec(), InputKind::Json, v, limits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jws_detection_and_vc_jwt_claims() {
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload = serde_json::json!({"iss": "did:example:issuer", "jti": "urn:uuid:1", "sub": "did:example:me", "nbf": 1262304000,
            "vc": {"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["VerifiableCredential", "OpenBadgeCredential"], "credentialSubject": {"type": "AchievementSubject"}}});
        let jws = format!(
            "eyJhbGciOiJFZERTQSJ9.{}.c2ln",
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        assert!(is_compact_jws(&jws));
        let doc = decode_jws(&jws, &Limits::default()).unwrap();
        assert_eq!(doc["id"], "urn:uuid:1");
        assert_eq!(doc["issuer"], "did:example:issuer");
        assert_eq!(doc["credentialSubject"]["id"], "did:example:me");
        assert_eq!(doc["issuanceDate"], "2010-01-01T00:00:00Z");
        assert!(!is_compact_jws("header.payload"));
        assert!(!is_compact_jws("a.b.c d"));
    }

    #[test]
    fn a_jws_payload_error_says_what_and_keeps_its_cause() {
        use std::error::Error as _;
        let limits = Limits::default();
        let e = decode_jws("header.payload", &limits).unwrap_err();
        assert!(matches!(e, JwsPayloadError::NotCompact), "{e:?}");
        assert_eq!(e.to_string(), "not a compact JWS");
        let e = decode_jws("eyJhbGciOiJFZERTQSJ9.a.c2ln", &limits).unwrap_err();
        assert!(matches!(e, JwsPayloadError::Base64(_)), "{e:?}");
        assert!(e.source().is_some_and(|c| c.is::<base64::DecodeError>()));
        assert!(
            e.to_string()
                .starts_with("the JWS payload is not base64url: ")
        );
        // "not json"
        let e = decode_jws("eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", &limits).unwrap_err();
        assert!(matches!(e, JwsPayloadError::Json(_)), "{e:?}");
        assert!(
            e.source()
                .is_some_and(|c| c.is::<openbadges_model::Error>())
        );
        assert!(e.to_string().starts_with("the JWS payload: "));
    }

    #[test]
    fn an_unreadable_input_keeps_the_io_error_as_its_source() {
        use std::error::Error as _;
        let missing = std::env::temp_dir().join(format!(
            "openbadges-backpack-no-such-input-{}",
            std::process::id()
        ));
        let err = ImportLimits::default().read_file(&missing).unwrap_err();
        let io = err
            .source()
            .and_then(|c| c.downcast_ref::<std::io::Error>())
            .unwrap();
        assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
        assert_eq!(err.to_string(), format!("cannot read the input: {io}"));
    }
}
