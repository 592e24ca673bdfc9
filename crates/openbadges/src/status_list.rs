//! The W3C Bitstring Status List (v1.0) an OB 3.0 issuer hosts to revoke credentials: a bit
//! per credential, gzip-compressed, base64url-encoded with the multibase prefix `u`.

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::Error;

/// Bits per list: 131,072 (16 KiB), the specification's minimum size, so that a list does
/// not reveal how many credentials were issued (herd privacy).
pub const LIST_BITS: u64 = 131_072;

/// Encodes a list with the bits at `indexes` set (index 0 is the most significant bit of the
/// first byte, as the specification defines). Indexes outside the list are ignored.
///
/// # Errors
/// [`Error::Json`] if compression fails (not expected: it writes to memory).
pub fn encode(indexes: impl IntoIterator<Item = u64>) -> Result<String, Error> {
    let mut bits = vec![0u8; (LIST_BITS / 8) as usize];
    for i in indexes {
        let byte = usize::try_from(i / 8).unwrap_or(usize::MAX);
        if let Some(b) = bits.get_mut(byte) {
            *b |= 0x80 >> (i % 8);
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&bits)
        .map_err(|e| Error::Json(e.to_string()))?;
    let compressed = gz.finish().map_err(|e| Error::Json(e.to_string()))?;
    Ok(format!("u{}", URL_SAFE_NO_PAD.encode(compressed)))
}

/// Whether bit `index` is set in an encoded list (for tests and for callers that want to
/// check a list they host), read by the proof crate's decoder, the one verification uses.
/// `None` when the list cannot be decoded or the index is outside it.
pub fn is_set(encoded: &str, index: u64) -> Option<bool> {
    use openbadges_proof::status_list::{bit_is_set, decode_bitstring};
    let bits = decode_bitstring(encoded).ok()?;
    bit_is_set(&bits, usize::try_from(index).ok()?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bits_round_trip_msb_first() {
        let e = encode([0, 9, LIST_BITS - 1]).unwrap();
        assert!(e.starts_with('u'));
        assert_eq!(is_set(&e, 0), Some(true));
        assert_eq!(is_set(&e, 1), Some(false));
        assert_eq!(is_set(&e, 9), Some(true));
        assert_eq!(is_set(&e, LIST_BITS - 1), Some(true));
        assert_eq!(is_set(&e, LIST_BITS), None);
        // 16 KiB of zeros compresses to a few dozen bytes.
        assert!(encode([]).unwrap().len() < 100);
    }
}
