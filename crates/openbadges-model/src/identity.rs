//! Recipient identity: hashing an identifier with a salt and matching it in constant time.

use std::str::FromStr;

use md5::Digest;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The hash algorithms Open Badges identity hashes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256 (`sha256$…`, 64 hex digits).
    Sha256,
    /// MD5 (`md5$…`, 32 hex digits). Accepted on input for old badges; never issue it.
    Md5,
}

impl HashAlgorithm {
    /// The prefix before `$`.
    pub fn prefix(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Md5 => "md5",
        }
    }

    fn hex_len(self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 64,
            HashAlgorithm::Md5 => 32,
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlgorithm::Sha256 => ring::digest::digest(&ring::digest::SHA256, data)
                .as_ref()
                .to_vec(),
            HashAlgorithm::Md5 => md5::Md5::digest(data).to_vec(),
        }
    }
}

/// A salt for recipient hashing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Salt(String);

impl Salt {
    /// Wraps an existing salt string.
    pub fn new(s: impl Into<String>) -> Self {
        Salt(s.into())
    }

    /// A fresh random salt: 16 bytes from the system CSPRNG, as 32 hex digits.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if the system random source fails.
    pub fn generate() -> Result<Self, Error> {
        use ring::rand::SecureRandom;
        let mut bytes = [0u8; 16];
        ring::rand::SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| Error::InvalidValue {
                property: "salt",
                message: "the system random source failed".into(),
            })?;
        Ok(Salt(hex::encode(bytes)))
    }

    /// The salt as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A hashed recipient identity, `sha256$<hex>` or `md5$<hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdentityHash {
    algorithm: HashAlgorithm,
    /// Lowercase hex digest.
    hex: String,
}

impl IdentityHash {
    /// Hashes `identity` followed by `salt` (`sha256(identity + salt)`), as the specifications
    /// define. The identity is used exactly as given; normalise it (e.g. lowercase an email)
    /// before calling if your policy requires it.
    ///
    /// ```
    /// use openbadges_model::{HashAlgorithm, IdentityHash, Salt};
    /// let h = IdentityHash::compute(HashAlgorithm::Sha256, "student@example.org", Some(&Salt::new("deadsea")));
    /// assert_eq!(h.to_string(), "sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862");
    /// ```
    pub fn compute(algorithm: HashAlgorithm, identity: &str, salt: Option<&Salt>) -> Self {
        let mut data = identity.as_bytes().to_vec();
        if let Some(s) = salt {
            data.extend_from_slice(s.0.as_bytes());
        }
        IdentityHash {
            algorithm,
            hex: hex::encode(algorithm.digest(&data)),
        }
    }

    /// The algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// Whether `identity` with `salt` hashes to this value. The comparison of digests runs in
    /// constant time.
    ///
    /// ```
    /// use openbadges_model::{IdentityHash, Salt};
    /// let h: IdentityHash = "SHA256$7A583EAB660C760FE8FD759EE3AC15B4BACD9774104663BC0300F62599BE6862".parse()?;
    /// assert!(h.matches("student@example.org", Some(&Salt::new("deadsea"))));
    /// assert!(!h.matches("other@example.org", Some(&Salt::new("deadsea"))));
    /// # Ok::<(), openbadges_model::Error>(())
    /// ```
    pub fn matches(&self, identity: &str, salt: Option<&Salt>) -> bool {
        let other = IdentityHash::compute(self.algorithm, identity, salt);
        constant_time_eq(self.hex.as_bytes(), other.hex.as_bytes())
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromStr for IdentityHash {
    type Err = Error;

    /// Parses `sha256$<64 hex>` or `md5$<32 hex>`; the prefix and hex are case-insensitive.
    fn from_str(s: &str) -> Result<Self, Error> {
        let (prefix, hex_part) = s
            .split_once('$')
            .ok_or_else(|| Error::IdentityHash(format!("`{s}` has no `$` separator")))?;
        let algorithm = match prefix.to_ascii_lowercase().as_str() {
            "sha256" => HashAlgorithm::Sha256,
            "md5" => HashAlgorithm::Md5,
            other => {
                return Err(Error::IdentityHash(format!(
                    "unknown hash algorithm `{other}`"
                )));
            }
        };
        if hex_part.len() != algorithm.hex_len() || !hex_part.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(Error::IdentityHash(format!(
                "expected {} hex digits after `{}$`",
                algorithm.hex_len(),
                algorithm.prefix()
            )));
        }
        Ok(IdentityHash {
            algorithm,
            hex: hex_part.to_ascii_lowercase(),
        })
    }
}

impl std::fmt::Display for IdentityHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}${}", self.algorithm.prefix(), self.hex)
    }
}

impl Serialize for IdentityHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IdentityHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
