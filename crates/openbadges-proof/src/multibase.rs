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
    bs58::decode(rest)
        .with_alphabet(bs58::Alphabet::BITCOIN)
        .into_vec()
        .map_err(|_| MultibaseError::InvalidBase58)
}

/// Encodes bytes as multibase base58btc (`z…`).
pub fn encode_base58btc(bytes: &[u8]) -> String {
    let mut s = String::from("z");
    s.push_str(
        &bs58::encode(bytes)
            .with_alphabet(bs58::Alphabet::BITCOIN)
            .into_string(),
    );
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
