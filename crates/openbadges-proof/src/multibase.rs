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

/// Decodes a multibase base58btc value (`z…`).
///
/// # Errors
/// [`MultibaseError::UnsupportedBase`] for another prefix, [`MultibaseError::InvalidBase58`].
pub fn decode_base58btc(s: &str) -> Result<Vec<u8>, MultibaseError> {
    let rest = s.strip_prefix('z').ok_or(MultibaseError::UnsupportedBase)?;
    if rest.len() > 4096 {
        return Err(MultibaseError::InvalidBase58);
    }
    base58_decode(rest).ok_or(MultibaseError::InvalidBase58)
}

const ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Bitcoin base58 decoding (no checksum). `None` on a character outside the alphabet.
fn base58_decode(s: &str) -> Option<Vec<u8>> {
    let zeros = s.bytes().take_while(|&b| b == b'1').count();
    // Big-endian base-256 number, little-endian limbs while computing.
    let mut num: Vec<u8> = Vec::with_capacity(s.len());
    for c in s.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == c)?;
        let mut carry = u32::try_from(digit).ok()?;
        for limb in &mut num {
            carry += u32::from(*limb) * 58;
            *limb = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            num.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; zeros];
    out.extend(num.iter().rev());
    Some(out)
}

/// Bitcoin base58 encoding (no checksum).
fn base58_encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|&&b| b == 0).count();
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &b in bytes {
        let mut carry = u32::from(b);
        for d in &mut digits {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut s = String::with_capacity(zeros + digits.len());
    for _ in 0..zeros {
        s.push('1');
    }
    for &d in digits.iter().rev() {
        s.push(char::from(
            ALPHABET.get(usize::from(d)).copied().unwrap_or(b'1'),
        ));
    }
    s
}

/// Encodes bytes as multibase base58btc (`z…`).
pub fn encode_base58btc(bytes: &[u8]) -> String {
    let mut s = String::from("z");
    s.push_str(&base58_encode(bytes));
    s
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
