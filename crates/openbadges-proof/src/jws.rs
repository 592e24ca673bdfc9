//! Compact JWS (RFC 7515): strict parsing, signing and verification.
//!
//! This is the only module that touches base64url and signatures. Parsing is strict: exactly
//! three parts, unpadded base64url with no stray characters or non-zero trailing bits, a header
//! that is a JSON object with a string `alg`, no `crit` extensions and no unencoded payloads.
//! Verification accepts only `RS256`, `ES256` and `EdDSA`, and only with a key of the matching
//! type: `none` and HMAC are refused before any key is looked at, and the failure of a signature
//! is opaque ([`Error::SignatureInvalid`]).
//!
//! ```
//! use openbadges_proof::{jws, key::{Algorithm, SecretKey}};
//! let key = SecretKey::generate(Algorithm::EdDsa)?;
//! let token = jws::sign(br#"{"hello":"world"}"#, &key, Some("https://example.org/key"))?;
//! let parsed = jws::Jws::parse(&token)?;
//! assert_eq!(parsed.kid(), Some("https://example.org/key"));
//! parsed.verify(key.public_key())?;
//! # Ok::<(), openbadges_proof::Error>(())
//! ```

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_model::member::Members;
use serde_json::{Map, Value};

use crate::Error;
use crate::key::{Algorithm, PublicKey, SecretKey};

/// Bounds on a compact JWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JwsLimits {
    /// The largest whole token, in bytes. Default 16 MiB (a badge may embed its image).
    pub max_bytes: usize,
    /// The largest decoded header, in bytes. Default 8 KiB.
    pub max_header_bytes: usize,
}

impl Default for JwsLimits {
    fn default() -> Self {
        JwsLimits {
            max_bytes: 16 * 1024 * 1024,
            max_header_bytes: 8 * 1024,
        }
    }
}

/// A parsed compact JWS. Parsing checks the form only: the signature is NOT verified until
/// [`Jws::verify`] succeeds.
#[derive(Debug, Clone)]
pub struct Jws {
    header: Map<String, Value>,
    /// `base64url(header) || '.' || base64url(payload)`, the bytes that are signed.
    signing_input: String,
    payload: Vec<u8>,
    signature: Vec<u8>,
    /// The payload read as JSON, on first use ([`Jws::payload_json`]): the verifier asks
    /// several questions of one payload, and parsing it is most of what answering costs.
    payload_json: OnceLock<Option<Value>>,
}

impl PartialEq for Jws {
    /// Equal when the token is: the header, payload and signature (not whether the payload
    /// was read as JSON yet).
    fn eq(&self, other: &Self) -> bool {
        self.signing_input == other.signing_input
            && self.signature == other.signature
            && self.header == other.header
            && self.payload == other.payload
    }
}

/// Decodes unpadded base64url strictly, as `base64`'s `URL_SAFE_NO_PAD` does: nothing outside
/// the alphabet (padding included), no length of 1 mod 4, no non-zero trailing bits.
///
/// The SIMD decoder reads it first (the tokens are kilobytes: `base64` cost ~3.7 instructions a
/// character, ~20 k per 4 KB VC-JWT); it refuses exactly what `base64` refuses (a test
/// compares them), and when it refuses, `base64` decides and words the error.
pub(crate) fn b64url_decode(s: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64_simd::URL_SAFE_NO_PAD
        .decode_to_vec(s)
        .or_else(|_| URL_SAFE_NO_PAD.decode(s))
}

fn b64(part: &str, what: &str) -> Result<Vec<u8>, Error> {
    // The alphabet is only looked at again (on failure) to say which rule was broken.
    b64url_decode(part).map_err(|e| {
        if openbadges_model::compact_jws::is_base64url(part.as_bytes()) {
            Error::malformed_jws_caused(format!("{what} is not valid base64url"), e)
        } else {
            Error::malformed_jws_caused(
                format!("{what} has characters outside unpadded base64url"),
                e,
            )
        }
    })
}

impl Jws {
    /// Parses a compact JWS with the default [`JwsLimits`]. Surrounding ASCII whitespace is
    /// ignored.
    ///
    /// # Errors
    /// [`Error::TooLarge`] or [`Error::MalformedJws`] saying what is wrong.
    pub fn parse(token: &str) -> Result<Self, Error> {
        Self::parse_with_limits(token, &JwsLimits::default())
    }

    /// Parses a compact JWS within `limits`.
    ///
    /// # Errors
    /// As [`Jws::parse`].
    pub fn parse_with_limits(token: &str, limits: &JwsLimits) -> Result<Self, Error> {
        let token = token.trim_matches(|c: char| c.is_ascii_whitespace());
        if token.len() > limits.max_bytes {
            return Err(Error::TooLarge {
                size: token.len(),
                limit: limits.max_bytes,
            });
        }
        let Some((h, p, s)) = openbadges_model::compact_jws::split_three(token) else {
            return Err(Error::malformed_jws(
                "a compact JWS has exactly three dot-separated parts",
            ));
        };
        if h.is_empty() || s.is_empty() {
            return Err(Error::malformed_jws("empty header or signature"));
        }
        if h.len() > limits.max_header_bytes.saturating_mul(4) / 3 + 4 {
            return Err(Error::malformed_jws("header too large"));
        }
        let header_bytes = b64(h, "header")?;
        let payload = b64(p, "payload")?;
        let signature = b64(s, "signature")?;
        // Within the header limit, and with duplicate member names refused: a header read
        // differently by another JOSE library must not verify here.
        let header_limits = openbadges_model::Limits {
            max_bytes: limits.max_header_bytes,
            ..openbadges_model::Limits::default()
        };
        let header = openbadges_model::parse_json(&header_bytes, &header_limits)
            .map_err(|e| Error::malformed_jws_caused(format!("header is not I-JSON: {e}"), e))?;
        let Value::Object(header) = header else {
            return Err(Error::malformed_jws("header is not a JSON object"));
        };
        if !header.member("alg").is_some_and(Value::is_string) {
            return Err(Error::malformed_jws("header has no string `alg`"));
        }
        if header.has_member("crit") {
            return Err(Error::malformed_jws(
                "critical header extensions (`crit`) are not supported",
            ));
        }
        if header.member("b64") == Some(&Value::Bool(false)) {
            return Err(Error::malformed_jws(
                "unencoded payloads (`b64: false`) are not supported",
            ));
        }
        // `h.p` is the token's own prefix: copied as it is (`format!` would grow the string
        // piece by piece, ~7 k instructions for a 4 KB token).
        let signing_input = token
            .get(..h.len() + 1 + p.len())
            .ok_or_else(|| {
                Error::malformed_jws("a compact JWS has exactly three dot-separated parts")
            })?
            .to_owned();
        Ok(Jws {
            header,
            signing_input,
            payload,
            signature,
            payload_json: OnceLock::new(),
        })
    }

    /// The protected header (decoded, unverified).
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The header's `alg`, as written.
    pub fn alg(&self) -> &str {
        self.header
            .member("alg")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The header's `kid`, if any.
    pub fn kid(&self) -> Option<&str> {
        self.header.member("kid").and_then(Value::as_str)
    }

    /// The payload bytes (decoded, unverified).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload read as JSON (any JSON value), or `None` when it is not JSON (within
    /// [`openbadges_model::Limits::default`], duplicate member names refused: see
    /// [`Jws::payload_value`] for why not). Parsed on the first call and kept: later calls (and
    /// [`crate::vc_jwt::VcJwt::from_jws`]) reuse it.
    pub fn payload_json(&self) -> Option<&Value> {
        self.payload_json
            .get_or_init(|| self.payload_value().ok())
            .as_ref()
    }

    /// Parses the payload as JSON with [`openbadges_model::parse_json`] (default limits,
    /// duplicate member names refused), without caching.
    ///
    /// # Errors
    /// The model's error: too large, malformed (line and column), too deep, or a duplicate member
    /// name (its JSON pointer).
    pub fn payload_value(&self) -> Result<Value, openbadges_model::Error> {
        openbadges_model::parse_json(&self.payload, &openbadges_model::Limits::default())
    }

    /// Takes the payload read by [`Jws::payload_json`] out of the cache, if it was read and is
    /// JSON (a later [`Jws::payload_json`] reads it again).
    pub(crate) fn take_payload_json(&mut self) -> Option<Value> {
        self.payload_json.take().flatten()
    }

    /// The signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signed bytes: `base64url(header).base64url(payload)`.
    pub fn signing_input(&self) -> &str {
        &self.signing_input
    }

    /// Checks that the header's `alg` is one this crate accepts and matches `key`'s type, then
    /// verifies the signature.
    ///
    /// # Errors
    /// [`Error::AlgorithmNotAllowed`] for `none`, HMAC, unknown algorithms or a key-type
    /// mismatch; [`Error::SignatureInvalid`] (opaque) when the signature does not verify.
    pub fn verify(&self, key: &PublicKey) -> Result<(), Error> {
        let alg = Algorithm::from_jws_name(self.alg())?;
        key.verify(alg, self.signing_input.as_bytes(), &self.signature)
    }
}

/// Signs `payload` as a compact JWS with `key`'s algorithm; the header is
/// `{"alg": …, "typ": "JWT", "kid": …}` (`kid` only when given).
///
/// # Errors
/// [`Error::Crypto`] if signing fails.
pub fn sign(payload: &[u8], key: &SecretKey, kid: Option<&str>) -> Result<String, Error> {
    let mut header = Map::new();
    header.insert("alg".into(), key.algorithm().as_str().into());
    header.insert("typ".into(), "JWT".into());
    if let Some(k) = kid {
        header.insert("kid".into(), k.into());
    }
    let header_json = serde_json::to_vec(&Value::Object(header)).map_err(|_| Error::Crypto)?;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header_json),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let sig = key.sign(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn enc(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn strict_parsing() {
        let ok = format!("{}.{}.{}", enc(r#"{"alg":"RS256"}"#), enc("{}"), enc("sig"));
        assert!(Jws::parse(&ok).is_ok());
        assert!(Jws::parse(&format!(" {ok}\n")).is_ok());
        for bad in [
            "a.b".to_string(),
            format!("{ok}.x"),
            format!("{}=.{}.{}", enc(r#"{"alg":"RS256"}"#), enc("{}"), enc("s")),
            format!("{}.{}.{}", enc(r#"["alg"]"#), enc("{}"), enc("s")),
            format!("{}.{}.{}", enc(r#"{"typ":"JWT"}"#), enc("{}"), enc("s")),
            format!(
                "{}.{}.{}",
                enc(r#"{"alg":"RS256","crit":["x"]}"#),
                enc("{}"),
                enc("s")
            ),
            format!("{}.{}.", enc(r#"{"alg":"RS256"}"#), enc("{}")),
            format!("{}.{}.{}", enc(r#"{"alg":"RS256"}"#), "e30+", enc("s")),
            // non-zero trailing bits: "QR" decodes "A" only with trailing bits set
            format!("{}.{}.QR", enc(r#"{"alg":"RS256"}"#), enc("{}")),
        ] {
            assert!(Jws::parse(&bad).is_err(), "{bad}");
        }
        let limits = JwsLimits {
            max_bytes: 10,
            ..JwsLimits::default()
        };
        assert!(matches!(
            Jws::parse_with_limits(&ok, &limits),
            Err(Error::TooLarge { .. })
        ));
    }

    #[test]
    fn decoder_accepts_and_refuses_what_base64_does() {
        // Every string of up to 4 characters over a small alphabet with each kind of character
        // (both url-safe specials, standard-only specials, padding, white space), then longer
        // ones: the SIMD decoder agrees with `base64`'s URL_SAFE_NO_PAD on acceptance and bytes.
        let alphabet = b"AQgw_-+/=. \n";
        let mut cases: Vec<String> = vec![String::new()];
        let mut layer: Vec<String> = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for p in &layer {
                for &c in alphabet {
                    next.push(format!("{p}{}", c as char));
                }
            }
            cases.extend(next.iter().cloned());
            layer = next;
        }
        let long = enc(&"any carnal pleasure, and some more bytes: \u{ff}".repeat(40));
        for cut in 0..long.len().min(200) {
            cases.push(long[cut..].to_string());
            cases.push(format!("{}=", &long[cut..]));
            cases.push(format!("{}+{}", &long[..cut], &long[cut..]));
            cases.push(format!("{}Q", &long[cut..]));
        }
        for c in &cases {
            let want = URL_SAFE_NO_PAD.decode(c).ok();
            let simd = base64_simd::URL_SAFE_NO_PAD.decode_to_vec(c).ok();
            assert_eq!(simd, want, "{c:?}");
            assert_eq!(b64url_decode(c).ok(), want, "{c:?}");
        }
    }

    #[test]
    fn none_and_hmac_are_refused() {
        let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
        for alg in ["none", "HS256", "RS512", "rs256"] {
            let t = format!(
                "{}.{}.{}",
                enc(&format!(r#"{{"alg":"{alg}"}}"#)),
                enc("{}"),
                enc("x")
            );
            let j = Jws::parse(&t).unwrap();
            assert!(matches!(
                j.verify(k.public_key()),
                Err(Error::AlgorithmNotAllowed(_))
            ));
        }
    }

    #[test]
    fn tampering_is_detected() {
        let k = SecretKey::generate(Algorithm::Es256).unwrap();
        let t = sign(b"{\"a\":1}", &k, None).unwrap();
        Jws::parse(&t).unwrap().verify(k.public_key()).unwrap();
        let mut parts: Vec<&str> = t.split('.').collect();
        let p = enc("{\"a\":2}");
        parts[1] = &p;
        let forged = parts.join(".");
        assert_eq!(
            Jws::parse(&forged).unwrap().verify(k.public_key()),
            Err(Error::SignatureInvalid)
        );
    }

    #[test]
    fn payload_json_is_read_once_and_does_not_affect_equality() {
        let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
        let t = sign(b"{\"a\":1}", &k, None).unwrap();
        let mut j = Jws::parse(&t).unwrap();
        let fresh = Jws::parse(&t).unwrap();
        assert_eq!(j.payload_json(), Some(&serde_json::json!({"a": 1})));
        assert_eq!(j, fresh);
        assert_eq!(j.take_payload_json(), Some(serde_json::json!({"a": 1})));
        assert_eq!(j.take_payload_json(), None);
        assert_eq!(j.payload_json(), Some(&serde_json::json!({"a": 1})));
        let not_json = sign(b"not json", &k, None).unwrap();
        assert_eq!(Jws::parse(&not_json).unwrap().payload_json(), None);
    }
}
