//! Multibase (base58btc, prefix `z`) and the Multikey encodings of Ed25519 and P-256
//! public keys (multicodec `0xed01` and `0x8024`).
//!
//! ```
//! use openbadges_proof::multibase::{Multikey, decode_base58btc};
//! let key = Multikey::decode("z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")?;
//! assert!(matches!(key, Multikey::Ed25519(_)));
//! assert_eq!(key.encode(), "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi");
//! assert_eq!(decode_base58btc("z2g")?, vec![0x61]);
//! # Ok::<(), openbadges_proof::multibase::MultibaseError>(())
//! ```

/// Multicodec prefix of an Ed25519 public key (`0xed` as unsigned varint).
pub const ED25519_PUB_PREFIX: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of a P-256 compressed public key (`0x1200` as unsigned varint).
pub const P256_PUB_PREFIX: [u8; 2] = [0x80, 0x24];
/// Multicodec prefix of an Ed25519 private key (`0x1300` as unsigned varint).
pub const ED25519_PRIV_PREFIX: [u8; 2] = [0x80, 0x26];

/// Errors decoding multibase values and Multikeys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultibaseError {
    /// The value does not start with the `z` (base58btc) prefix.
    #[error("multibase value must be base58btc (prefix 'z')")]
    UnsupportedBase,
    /// The base58 text is invalid.
    #[error("invalid base58btc")]
    InvalidBase58,
    /// The decoded key has an unknown multicodec prefix.
    #[error("unsupported multicodec key type")]
    UnsupportedCodec,
    /// The decoded key has the wrong length.
    #[error("invalid key length {0}")]
    InvalidLength(usize),
}

/// The longest base58btc text decoded (after the `z`). Base58 decoding is quadratic in the
/// length; keys and signatures are under 100 characters.
const MAX_BASE58_LEN: usize = 4096;

/// Decodes a multibase base58btc value (`z…`, Bitcoin alphabet, no checksum).
///
/// # Errors
/// [`MultibaseError::UnsupportedBase`] for another prefix, [`MultibaseError::InvalidBase58`]
/// for a character outside the alphabet or text longer than 4096 characters.
pub fn decode_base58btc(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let rest = s.strip_prefix('z').ok_or(MultibaseError::UnsupportedBase)?;
    if rest.len() > MAX_BASE58_LEN {
        return Err(MultibaseError::InvalidBase58);
    }
    base58::decode(rest).ok_or(MultibaseError::InvalidBase58)
}

/// Encodes bytes as multibase base58btc (`z…`).
pub fn encode_base58btc(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 138 / 100);
    s.push('z');
    base58::encode_into(bytes, &mut s);
    s
}

/// Base58 (Bitcoin alphabet) on 32-bit limbs holding five base-58 digits each (58^5 < 2^32):
/// the number is converted five digits (or four bytes) at a time instead of one, so a
/// 64-byte signature costs a few hundred multiply-adds, not the ~5,000 byte-at-a-time steps
/// of a digit-by-digit conversion (the `bs58` crate's, ~10 k instructions per signature).
/// The tests compare both directions with `bs58`.
mod base58 {
    /// The Bitcoin alphabet.
    const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    /// 58^5, the base of one limb.
    const LIMB: u64 = 58 * 58 * 58 * 58 * 58;
    /// Each ASCII byte's digit, 0xff when the byte is not in the alphabet.
    #[allow(clippy::indexing_slicing)] // evaluated at compile time: an index error fails the build
    const DIGITS: [u8; 128] = {
        let mut t = [0xffu8; 128];
        let mut i = 0;
        while i < 58 {
            t[ALPHABET[i] as usize] = i as u8;
            i += 1;
        }
        t
    };

    /// The digit of `b`, `None` outside the alphabet.
    fn digit(b: u8) -> Option<u64> {
        match DIGITS.get(usize::from(b)) {
            Some(&d) if d != 0xff => Some(u64::from(d)),
            _ => None,
        }
    }

    /// The low 32 bits of `t`.
    fn low(t: u64) -> u32 {
        (t & 0xffff_ffff) as u32
    }

    /// Decodes base58 text: one zero byte per leading `1`, then the number's big-endian
    /// bytes. `None` for a character outside the alphabet.
    pub(super) fn decode(text: &str) -> Option<Vec<u8>> {
        let bytes = text.as_bytes();
        let zeros = bytes.iter().take_while(|&&b| b == b'1').count();
        let digits = bytes.get(zeros..).unwrap_or_default();
        // The number in base 2^32, least significant limb first.
        let mut limbs: Vec<u32> = Vec::with_capacity(digits.len() / 5 + 1);
        for chunk in digits.chunks(5) {
            let mut mul = 1u64;
            let mut carry = 0u64;
            for &b in chunk {
                carry = carry * 58 + digit(b)?;
                mul *= 58;
            }
            // limb * mul + carry < 2^32 * 58^5 + 2^32: no overflow; the carry stays < 58^5.
            for l in &mut limbs {
                let t = u64::from(*l) * mul + carry;
                *l = low(t);
                carry = t >> 32;
            }
            while carry != 0 {
                limbs.push(low(carry));
                carry >>= 32;
            }
        }
        let mut out = vec![0u8; zeros];
        out.reserve(limbs.len() * 4);
        let mut leading = true;
        for l in limbs.iter().rev() {
            for b in l.to_be_bytes() {
                if leading && b == 0 {
                    continue;
                }
                leading = false;
                out.push(b);
            }
        }
        Some(out)
    }

    /// Appends the base58 text of `bytes` to `out`: one `1` per leading zero byte, then the
    /// number's digits.
    pub(super) fn encode_into(bytes: &[u8], out: &mut String) {
        let zeros = bytes.iter().take_while(|&&b| b == 0).count();
        let rest = bytes.get(zeros..).unwrap_or_default();
        // The number in base 58^5, least significant limb first.
        let mut limbs: Vec<u32> = Vec::with_capacity(rest.len() / 3 + 1);
        for chunk in rest.chunks(3) {
            let mut mul = 1u64;
            let mut carry = 0u64;
            for &b in chunk {
                carry = (carry << 8) | u64::from(b);
                mul <<= 8;
            }
            // limb * mul + carry < 58^5 * 2^24 + 2^24: no overflow.
            for l in &mut limbs {
                let t = u64::from(*l) * mul + carry;
                *l = low(t % LIMB);
                carry = t / LIMB;
            }
            while carry != 0 {
                limbs.push(low(carry % LIMB));
                carry /= LIMB;
            }
        }
        out.extend(std::iter::repeat_n('1', zeros));
        let mut leading = true;
        for l in limbs.iter().rev() {
            let mut d = [0u8; 5];
            let mut v = *l;
            for slot in d.iter_mut().rev() {
                *slot = ALPHABET.get((v % 58) as usize).copied().unwrap_or(b'1');
                v /= 58;
            }
            for c in d {
                if leading && c == b'1' {
                    continue;
                }
                leading = false;
                out.push(char::from(c));
            }
        }
    }

    #[cfg(test)]
    mod tests {
        #![allow(clippy::unwrap_used)]
        use proptest::prelude::*;

        fn reference_encode(b: &[u8]) -> String {
            bs58::encode(b)
                .with_alphabet(bs58::Alphabet::BITCOIN)
                .into_string()
        }

        fn reference_decode(s: &str) -> Option<Vec<u8>> {
            bs58::decode(s)
                .with_alphabet(bs58::Alphabet::BITCOIN)
                .into_vec()
                .ok()
        }

        fn encode(b: &[u8]) -> String {
            let mut s = String::new();
            super::encode_into(b, &mut s);
            s
        }

        #[test]
        fn edge_cases_agree_with_bs58() {
            let cases: Vec<Vec<u8>> = vec![
                vec![],
                vec![0],
                vec![0, 0, 0],
                vec![0, 0, 1],
                vec![255; 64],
                vec![0x61],
                vec![1, 0, 0, 0, 0],
                (0..=255).collect(),
            ];
            for c in &cases {
                let e = encode(c);
                assert_eq!(e, reference_encode(c), "{c:?}");
                assert_eq!(super::decode(&e).unwrap(), *c);
            }
            for s in [
                "",
                "1",
                "111",
                "2g",
                "z",
                "0",
                "O",
                "I",
                "l",
                "1112",
                "zzzzzzzzzzzz",
                "é",
            ] {
                assert_eq!(super::decode(s), reference_decode(s), "{s:?}");
            }
        }

        proptest! {
            #[test]
            fn encode_agrees_with_bs58(b in proptest::collection::vec(any::<u8>(), 0..100),
                                       z in 0usize..4) {
                let mut v = vec![0u8; z];
                v.extend(b);
                let e = encode(&v);
                prop_assert_eq!(&e, &reference_encode(&v));
                prop_assert_eq!(super::decode(&e), Some(v));
            }

            #[test]
            fn decode_agrees_with_bs58(s in "[1-9A-HJ-NP-Za-km-z0OIl+]{0,120}") {
                prop_assert_eq!(super::decode(&s), reference_decode(&s));
            }
        }
    }
}

/// A public key in Multikey form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Multikey {
    /// Ed25519: the 32-byte public key.
    Ed25519([u8; 32]),
    /// P-256: the 33-byte SEC1 compressed point.
    P256(Vec<u8>),
}

impl Multikey {
    /// Decodes a `publicKeyMultibase` value (`z6Mk…` for Ed25519, `zDn…` for P-256).
    ///
    /// # Errors
    /// A [`MultibaseError`] when the value is not a supported Multikey.
    pub fn decode(s: &str) -> Result<Self, MultibaseError> {
        let bytes = decode_base58btc(s)?;
        match bytes.split_at_checked(2) {
            Some((p, k)) if p == ED25519_PUB_PREFIX => {
                let arr: [u8; 32] = k
                    .try_into()
                    .map_err(|_| MultibaseError::InvalidLength(k.len()))?;
                Ok(Self::Ed25519(arr))
            }
            Some((p, k)) if p == P256_PUB_PREFIX => {
                if k.len() != 33 || !matches!(k.first(), Some(2 | 3)) {
                    return Err(MultibaseError::InvalidLength(k.len()));
                }
                Ok(Self::P256(k.to_vec()))
            }
            _ => Err(MultibaseError::UnsupportedCodec),
        }
    }

    /// The `publicKeyMultibase` text of this key.
    pub fn encode(&self) -> String {
        let mut v = Vec::with_capacity(35);
        match self {
            Self::Ed25519(k) => {
                v.extend_from_slice(&ED25519_PUB_PREFIX);
                v.extend_from_slice(k);
            }
            Self::P256(k) => {
                v.extend_from_slice(&P256_PUB_PREFIX);
                v.extend_from_slice(k);
            }
        }
        encode_base58btc(&v)
    }

    /// The raw public key bytes (32 bytes for Ed25519, 33 for compressed P-256).
    pub fn public_key_bytes(&self) -> &[u8] {
        match self {
            Self::Ed25519(k) => k,
            Self::P256(k) => k,
        }
    }
}
