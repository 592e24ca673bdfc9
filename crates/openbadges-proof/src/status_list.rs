//! OB 3.0 credential status: W3C Bitstring Status List (and its predecessor StatusList2021)
//! and the 1EdTech revocation list.
//!
//! This module reads the lists and writes the bitstring an issuer hosts ([`encode_bitstring`],
//! [`LIST_BITS`] entries); fetching them and verifying the status list credential's own
//! proof is the verification pipeline's job (`verify`). The bitstring is multibase base64url
//! (`u…`, or plain base64url for StatusList2021) of GZIP data, decompressed with `flate2` up to
//! [`MAX_BITSTRING_BYTES`]; bit 0 is the most significant bit of the first byte.
//!
//! ```
//! use openbadges_proof::status_list::{decode_bitstring, bit_is_set};
//! // The DCC test list: bits 6 and 8 set (credentials "revoked").
//! let bits = decode_bitstring("uH4sIAAAAAAAAA-3BMQEAAAwCoGUx6aLbwgvIHwAAAAAAAAAAAAAAwFwBZnztF9QwAAA")?;
//! assert_eq!(bit_is_set(&bits, 0), Some(false));
//! assert_eq!(bit_is_set(&bits, 8), Some(true));
//! # Ok::<(), openbadges_proof::status_list::StatusError>(())
//! ```

use std::io::{Read as _, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;

use crate::Cause;

/// The largest decompressed bitstring accepted (16 MiB, 134 million entries).
pub const MAX_BITSTRING_BYTES: usize = 16 * 1024 * 1024;

/// Entries per list an issuer publishes: 131,072 (16 KiB), the Bitstring Status List's minimum
/// size, so that a list does not reveal how many credentials were issued (herd privacy).
pub const LIST_BITS: u64 = 131_072;

/// Why a status list cannot be read (or, for [`StatusError::Encode`], written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// `encodedList` is not (multibase) base64url.
    #[error("encodedList is not base64url")]
    Base64,
    /// The data is not GZIP (the source is the decompressor's error).
    #[error("encodedList is not gzip: {0}")]
    Gzip(#[source] Cause),
    /// The decompressed list is larger than [`MAX_BITSTRING_BYTES`].
    #[error("the decompressed status list exceeds {0} bytes")]
    TooLarge(usize),
    /// A required member is missing or malformed.
    #[error("{0}")]
    Malformed(String),
    /// Compressing a list failed (not expected: it writes to memory; the source is the
    /// compressor's error).
    #[error("cannot compress the status list: {0}")]
    Encode(#[source] Cause),
}

/// Encodes a [`LIST_BITS`]-entry list with the bits at `indexes` set, as `encodedList`:
/// multibase base64url (`u…`, no padding) of GZIP data; bit 0 is the most significant bit of
/// the first byte. Indexes outside the list are ignored. [`decode_bitstring`] reads it back.
///
/// ```
/// use openbadges_proof::status_list::{LIST_BITS, bit_is_set, decode_bitstring, encode_bitstring};
/// let encoded = encode_bitstring([0, 9, LIST_BITS - 1])?;
/// let bits = decode_bitstring(&encoded)?;
/// assert_eq!(bits.len() as u64, LIST_BITS / 8);
/// assert_eq!(bit_is_set(&bits, 9), Some(true));
/// assert_eq!(bit_is_set(&bits, 10), Some(false));
/// # Ok::<(), openbadges_proof::status_list::StatusError>(())
/// ```
///
/// # Errors
/// [`StatusError::Encode`] if compression fails.
pub fn encode_bitstring(indexes: impl IntoIterator<Item = u64>) -> Result<String, StatusError> {
    let mut bits = vec![0u8; usize::try_from(LIST_BITS / 8).unwrap_or(0)];
    for i in indexes {
        let byte = usize::try_from(i / 8).unwrap_or(usize::MAX);
        if let Some(b) = bits.get_mut(byte) {
            *b |= 0x80 >> (i % 8);
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bits)
        .map_err(|e| StatusError::Encode(Cause::new(e)))?;
    let compressed = gz
        .finish()
        .map_err(|e| StatusError::Encode(Cause::new(e)))?;
    Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
}

/// Decodes an `encodedList` into the raw bitstring bytes.
///
/// # Errors
/// A [`StatusError`] for bad base64url, bad GZIP or an oversized list.
pub fn decode_bitstring(encoded: &str) -> Result<Vec<u8>, StatusError> {
    let body = encoded.strip_prefix('u').unwrap_or(encoded);
    let compressed = URL_SAFE_NO_PAD
        .decode(body)
        .or_else(|_| URL_SAFE.decode(body))
        .or_else(|_| URL_SAFE_NO_PAD.decode(encoded))
        .map_err(|_| StatusError::Base64)?;
    let mut out = Vec::new();
    let cap = u64::try_from(MAX_BITSTRING_BYTES).unwrap_or(u64::MAX);
    flate2::read::GzDecoder::new(compressed.as_slice())
        .take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| StatusError::Gzip(Cause::new(e)))?;
    if out.len() > MAX_BITSTRING_BYTES {
        return Err(StatusError::TooLarge(MAX_BITSTRING_BYTES));
    }
    Ok(out)
}

/// Bit `index` of `bits` (bit 0 = most significant bit of byte 0); `None` when out of range.
pub fn bit_is_set(bits: &[u8], index: usize) -> Option<bool> {
    let byte = bits.get(index / 8)?;
    Some(byte & (0x80 >> (index % 8)) != 0)
}

/// A bitstring status entry (`BitstringStatusListEntry` / `StatusList2021Entry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitstringEntry {
    /// The status list credential URL.
    pub list: String,
    /// The index.
    pub index: usize,
    /// `revocation`, `suspension`, … (`revocation` when absent).
    pub purpose: String,
}

impl BitstringEntry {
    /// Reads an entry from a `credentialStatus` object.
    ///
    /// # Errors
    /// [`StatusError::Malformed`] when the list URL or index is missing or not usable.
    pub fn from_value(status: &Value) -> Result<Self, StatusError> {
        let list = status
            .get("statusListCredential")
            .and_then(Value::as_str)
            .ok_or_else(|| StatusError::Malformed("no statusListCredential".into()))?;
        let index = match status.get("statusListIndex") {
            Some(Value::String(s)) => s.parse::<usize>().ok(),
            Some(Value::Number(n)) => n.as_u64().and_then(|n| usize::try_from(n).ok()),
            _ => None,
        }
        .ok_or_else(|| {
            StatusError::Malformed("statusListIndex is not a non-negative integer".into())
        })?;
        if let Some(size) = status.get("statusSize").and_then(Value::as_u64) {
            if size != 1 {
                return Err(StatusError::Malformed(format!(
                    "statusSize {size} is not supported (only 1)"
                )));
            }
        }
        Ok(BitstringEntry {
            list: list.split_once('#').map_or(list, |(u, _)| u).to_owned(),
            index,
            purpose: status
                .get("statusPurpose")
                .and_then(Value::as_str)
                .unwrap_or("revocation")
                .to_owned(),
        })
    }

    /// Looks the entry up in a (verified) status list credential: `Ok(true)` when the bit is
    /// set.
    ///
    /// # Errors
    /// [`StatusError`] when the list is malformed, its purpose differs from the entry's, or
    /// the index is out of range.
    pub fn lookup(&self, list_credential: &Value) -> Result<bool, StatusError> {
        let subject = match list_credential.get("credentialSubject") {
            Some(Value::Array(a)) => a.first(),
            other => other,
        }
        .ok_or_else(|| {
            StatusError::Malformed("the list credential has no credentialSubject".into())
        })?;
        let purposes: Vec<&str> = match subject.get("statusPurpose") {
            Some(Value::String(s)) => vec![s.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !purposes.is_empty() && !purposes.contains(&self.purpose.as_str()) {
            return Err(StatusError::Malformed(format!(
                "the list's statusPurpose {purposes:?} is not the entry's {:?}",
                self.purpose
            )));
        }
        let encoded = subject
            .get("encodedList")
            .and_then(Value::as_str)
            .ok_or_else(|| StatusError::Malformed("the list has no encodedList".into()))?;
        let bits = decode_bitstring(encoded)?;
        bit_is_set(&bits, self.index).ok_or_else(|| {
            StatusError::Malformed(format!(
                "statusListIndex {} is beyond the list ({} entries)",
                self.index,
                bits.len().saturating_mul(8)
            ))
        })
    }
}

/// Looks `credential_id` up in a 1EdTech revocation list document (`revokedCredentials`:
/// an array of objects with `id`, optional `revocationReason`). `Some(reason)` when revoked.
///
/// # Errors
/// [`StatusError::Malformed`] when the document has no `revokedCredentials` array.
pub fn revocation_list_lookup(
    list: &Value,
    credential_id: &str,
) -> Result<Option<Option<String>>, StatusError> {
    let revoked = list
        .get("revokedCredentials")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            StatusError::Malformed("the revocation list has no revokedCredentials".into())
        })?;
    Ok(revoked.iter().find_map(|r| {
        let id = match r {
            Value::String(s) => Some(s.as_str()),
            Value::Object(o) => o.get("id").and_then(Value::as_str),
            _ => None,
        };
        (id == Some(credential_id)).then(|| {
            r.get("revocationReason")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn encode(bits: &[u8]) -> String {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bits).unwrap();
        format!("u{}", URL_SAFE_NO_PAD.encode(e.finish().unwrap()))
    }

    #[test]
    fn bits_and_purpose() {
        let mut raw = vec![0u8; 2048];
        raw[1] = 0b0100_0000; // index 9
        let list = serde_json::json!({"credentialSubject": {"statusPurpose": "suspension", "encodedList": encode(&raw)}});
        let e = |i: u64, p: &str| {
            BitstringEntry::from_value(&serde_json::json!({
            "statusListCredential": "https://x/l", "statusListIndex": i.to_string(), "statusPurpose": p})).unwrap()
        };
        assert!(e(9, "suspension").lookup(&list).unwrap());
        assert!(!e(8, "suspension").lookup(&list).unwrap());
        assert!(e(9, "revocation").lookup(&list).is_err());
        assert!(e(99_999, "suspension").lookup(&list).is_err());
    }

    #[test]
    fn oversized_list_is_refused() {
        let raw = vec![0u8; MAX_BITSTRING_BYTES + 1];
        assert_eq!(
            decode_bitstring(&encode(&raw)),
            Err(StatusError::TooLarge(MAX_BITSTRING_BYTES))
        );
        assert_eq!(decode_bitstring("u!!"), Err(StatusError::Base64));
    }
}
