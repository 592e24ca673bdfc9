//! Recipient identity: the kinds of identity a badge is issued to ([`IdentityKind`]), one identity
//! with its `TYPE:VALUE` syntax ([`Identity`]), and hashing an identity with a salt and matching
//! it in constant time ([`IdentityHash`]).

use std::fmt;
use std::str::FromStr;

use md5::Digest;
use serde::{Deserialize, Serialize};

use crate::Error;

/// The kind of a recipient identity: what OB 2.0 calls `recipient.type`, OB 3.0 an
/// `identityType`, and the CLI the `TYPE` of `TYPE:VALUE`.
///
/// Serialized as its [`as_str`](IdentityKind::as_str) name (`email`, `url`, `telephone`, `did`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum IdentityKind {
    /// An email address (compared case-insensitively when plain).
    Email,
    /// A URL.
    Url,
    /// A telephone number (E.164 recommended).
    Telephone,
    /// A DID or any other IRI: OB 2.0 `recipient.type` `id`, OB 3.0 `credentialSubject.id`.
    Did,
}

impl IdentityKind {
    /// Every kind.
    pub const ALL: [IdentityKind; 4] = [
        IdentityKind::Email,
        IdentityKind::Url,
        IdentityKind::Telephone,
        IdentityKind::Did,
    ];

    /// The lowercase name (`email`, `url`, `telephone`, `did`): the serialized form and the
    /// `TYPE` of [`Identity`]'s `TYPE:VALUE` syntax.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Email => "email",
            IdentityKind::Url => "url",
            IdentityKind::Telephone => "telephone",
            IdentityKind::Did => "did",
        }
    }

    /// The OB 2.0 `recipient.type` (`email`, `url`, `telephone`, `id`).
    pub fn ob2_type(self) -> &'static str {
        match self {
            IdentityKind::Did => "id",
            other => other.as_str(),
        }
    }

    /// The OB 3.0 `identityType` (`emailAddress`, `url`, `phoneNumber`, `identifier`).
    pub fn ob3_type(self) -> &'static str {
        match self {
            IdentityKind::Email => "emailAddress",
            IdentityKind::Url => "url",
            IdentityKind::Telephone => "phoneNumber",
            IdentityKind::Did => "identifier",
        }
    }

    /// Reads a kind name, case-insensitively: `email` (or `emailaddress`), `url`, `telephone`
    /// (or `phone`), `did` or `id`, optionally prefixed with the OB vocabulary
    /// (`https://w3id.org/openbadges#`, `obi:`). This is the `TYPE` of `TYPE:VALUE`, and how a
    /// verifier reads a badge's `recipient.type`.
    pub fn parse(s: &str) -> Option<Self> {
        let short = s
            .strip_prefix("https://w3id.org/openbadges#")
            .or_else(|| s.strip_prefix("obi:"))
            .unwrap_or(s);
        match short.to_ascii_lowercase().as_str() {
            "email" | "emailaddress" => Some(IdentityKind::Email),
            "url" => Some(IdentityKind::Url),
            "telephone" | "phone" => Some(IdentityKind::Telephone),
            "did" | "id" => Some(IdentityKind::Did),
            _ => None,
        }
    }

    /// Reads exactly one of the four OB 2.0 `recipient.type` values ([`ob2_type`](Self::ob2_type)),
    /// ignoring surrounding whitespace and case.
    pub fn from_ob2_type(t: &str) -> Option<Self> {
        let t = t.trim();
        IdentityKind::ALL
            .into_iter()
            .find(|k| k.ob2_type().eq_ignore_ascii_case(t))
    }

    /// Reads an OB 3.0 `identityType` ([`ob3_type`](Self::ob3_type)), also accepting the
    /// spellings issuers use in the wild (`email`, `telephone`, `phone`, `ext:telephone`,
    /// `ext:phone`, `did`, `ext:did`).
    pub fn from_ob3_type(t: &str) -> Option<Self> {
        match t.trim() {
            "emailAddress" | "email" => Some(IdentityKind::Email),
            "url" => Some(IdentityKind::Url),
            "telephone" | "phone" | "phoneNumber" | "ext:telephone" | "ext:phone" => {
                Some(IdentityKind::Telephone)
            }
            "did" | "identifier" | "ext:did" => Some(IdentityKind::Did),
            _ => None,
        }
    }
}

impl fmt::Display for IdentityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One recipient identity: a kind and a value (`email:student@example.org`). It is who a badge
/// is issued to, who a verifier checks a badge against, and what a backpack owner has proved.
///
/// The `TYPE:VALUE` syntax ([`FromStr`], [`Display`](fmt::Display)) is the CLI's
/// `--recipient` and `--identity`.
///
/// ```
/// use openbadges_model::identity::{Identity, IdentityKind};
/// let me: Identity = "email:Student@Example.org".parse()?;
/// assert_eq!(me, Identity::email("Student@Example.org"));
/// // A DID may be written bare or as TYPE:VALUE.
/// let a: Identity = "did:key:z6MkExample".parse()?;
/// let b: Identity = "did:did:key:z6MkExample".parse()?;
/// assert_eq!((a.kind, a.value.as_str()), (IdentityKind::Did, "did:key:z6MkExample"));
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "did:did:key:z6MkExample");
/// # Ok::<(), openbadges_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identity {
    /// What kind of identity.
    pub kind: IdentityKind,
    /// The value, as given.
    pub value: String,
}

impl Identity {
    /// A new identity.
    pub fn new(kind: IdentityKind, value: impl Into<String>) -> Self {
        Identity {
            kind,
            value: value.into(),
        }
    }

    /// An email identity.
    pub fn email(value: impl Into<String>) -> Self {
        Identity::new(IdentityKind::Email, value)
    }

    /// A URL identity.
    pub fn url(value: impl Into<String>) -> Self {
        Identity::new(IdentityKind::Url, value)
    }

    /// A telephone identity.
    pub fn telephone(value: impl Into<String>) -> Self {
        Identity::new(IdentityKind::Telephone, value)
    }

    /// A DID (or other IRI) identity.
    pub fn did(value: impl Into<String>) -> Self {
        Identity::new(IdentityKind::Did, value)
    }

    /// The value as it is hashed and compared: emails trimmed and lowercased (verifiers compare
    /// emails case-insensitively), other values trimmed.
    pub fn normalized(&self) -> String {
        match self.kind {
            IdentityKind::Email => self.value.trim().to_lowercase(),
            _ => self.value.trim().to_owned(),
        }
    }

    /// Parses `TYPE:VALUE`: `TYPE` as [`IdentityKind::parse`] reads it, the value trimmed and
    /// not empty. A value starting with `did:` after `did:` is the DID (`did:did:key:z…`);
    /// otherwise `did:…` as a whole is taken as the DID (`did:key:z…`).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a missing `:`, an unknown type or an empty value.
    pub fn parse(s: &str) -> Result<Self, Error> {
        let bad = |message: String| Error::InvalidValue {
            property: "TYPE:VALUE",
            message,
        };
        let (t, v) = s
            .split_once(':')
            .ok_or_else(|| bad(format!("`{s}` is not TYPE:VALUE")))?;
        let kind = IdentityKind::parse(t).ok_or_else(|| {
            bad(format!(
                "unknown identity type `{t}` (email, url, telephone, id or did)"
            ))
        })?;
        if v.trim().is_empty() {
            return Err(bad(format!("`{s}` has an empty value")));
        }
        let value = if t.eq_ignore_ascii_case("did") && !v.starts_with("did:") {
            s
        } else {
            v
        };
        Ok(Identity::new(kind, value.trim()))
    }
}

impl FromStr for Identity {
    type Err = Error;

    /// See [`Identity::parse`].
    fn from_str(s: &str) -> Result<Self, Error> {
        Identity::parse(s)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.value)
    }
}

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
    /// [`Error::Random`] if the system random source fails.
    pub fn generate() -> Result<Self, Error> {
        Ok(Salt(hex::encode(random_bytes::<16>("salt")?)))
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

/// `N` bytes from the system random source, for generating `property` (a salt, an id).
///
/// # Errors
/// [`Error::Random`] if the system random source fails.
pub(crate) fn random_bytes<const N: usize>(property: &'static str) -> Result<[u8; N], Error> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Random { property })?;
    Ok(bytes)
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a string is not an identity hash (`sha256$<64 hex>` or `md5$<32 hex>`): the cause
/// of [`Error::IdentityHash`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityHashError {
    /// There is no `$` between the algorithm and the digest.
    #[error("`{0}` has no `$` separator")]
    NoSeparator(String),
    /// The algorithm is neither `sha256` nor `md5`.
    #[error("unknown hash algorithm `{0}`")]
    UnknownAlgorithm(String),
    /// The digest is not the algorithm's number of hex digits.
    #[error("expected {} hex digits after `{}$`", .0.hex_len(), .0.prefix())]
    BadDigest(HashAlgorithm),
}

impl FromStr for IdentityHash {
    type Err = Error;

    /// Parses `sha256$<64 hex>` or `md5$<32 hex>`; the prefix and hex are case-insensitive.
    fn from_str(s: &str) -> Result<Self, Error> {
        let (prefix, hex_part) = s
            .split_once('$')
            .ok_or_else(|| IdentityHashError::NoSeparator(s.to_string()))?;
        let algorithm = match prefix.to_ascii_lowercase().as_str() {
            "sha256" => HashAlgorithm::Sha256,
            "md5" => HashAlgorithm::Md5,
            other => return Err(IdentityHashError::UnknownAlgorithm(other.to_string()).into()),
        };
        if hex_part.len() != algorithm.hex_len() || !hex_part.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(IdentityHashError::BadDigest(algorithm).into());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_hash_error_keeps_its_cause() {
        use std::error::Error as _;
        let e = "sha256$abc".parse::<IdentityHash>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid identity hash: expected 64 hex digits after `sha256$`"
        );
        let cause = e.source().expect("a typed cause");
        assert_eq!(
            cause.downcast_ref::<IdentityHashError>(),
            Some(&IdentityHashError::BadDigest(HashAlgorithm::Sha256))
        );
        let e = "sha1$00".parse::<IdentityHash>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid identity hash: unknown hash algorithm `sha1`"
        );
        let e = "nodollar".parse::<IdentityHash>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid identity hash: `nodollar` has no `$` separator"
        );
    }

    #[test]
    fn identity_parse_forms() {
        let i = Identity::parse("email:student@example.org").unwrap();
        assert_eq!(
            (i.kind, i.value.as_str()),
            (IdentityKind::Email, "student@example.org")
        );
        // A bare DID, and TYPE:VALUE with a DID value, give the same identity.
        let a =
            Identity::parse("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK").unwrap();
        let b = Identity::parse("did:did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a.value,
            "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
        );
        assert_eq!(
            Identity::parse("id:https://me.example/").unwrap().kind,
            IdentityKind::Did
        );
        assert_eq!(
            Identity::parse("telephone:+15555550100")
                .unwrap()
                .to_string(),
            "telephone:+15555550100"
        );
        assert!(Identity::parse("fax:123").is_err());
        assert!(Identity::parse("email:  ").is_err());
        assert!(Identity::parse("nocolon").is_err());
    }
}
