//! The backpack's data model: badge records, owners' identifiers, collections.

use std::fmt;

use chrono::{DateTime, Utc};
use openbadges_model::{Identity, Version};
use openbadges_proof::report::Status;
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A badge record's stable local id: `b` followed by 32 lowercase hex digits, derived from the
/// badge's [`DedupKey`] (the first 128 bits of its SHA-256), so the same badge gets the same id in
/// every backpack and an exported archive re-imports under the same ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct BadgeId(String);

impl BadgeId {
    /// The id for a de-duplication key.
    pub fn for_key(key: &DedupKey) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, key.as_str().as_bytes());
        let head = digest.as_ref().get(..16).unwrap_or_default();
        BadgeId(format!("b{}", hex::encode(head)))
    }

    /// Parses an id as written by [`Display`](fmt::Display).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if it is not `b` + 32 lowercase hex digits.
    pub fn parse(s: &str) -> Result<Self> {
        let ok = s.len() == 33
            && s.starts_with('b')
            && s.bytes()
                .skip(1)
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(BadgeId(s.to_owned()))
        } else {
            Err(Error::InvalidArgument(format!("`{s}` is not a badge id")))
        }
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BadgeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The key two records are "the same badge" under (see `docs/backpack.md`):
/// `ob2:<assertion id>`, `ob3:["<issuer id>","<credential id>"]` (percent-decoded, trimmed;
/// `clr:` for CLRs), or
/// `sha256:<hex>` of the canonical JSON for id-less legacy badges.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DedupKey(String);

impl DedupKey {
    /// Wraps a key string (as produced by [`crate::dedup`] or read back from storage).
    pub fn new(s: impl Into<String>) -> Self {
        DedupKey(s.into())
    }

    /// The key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DedupKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How an input reached the backpack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SourceKind {
    /// A file the user uploaded or named.
    File,
    /// A URL the backpack fetched.
    Url,
    /// An API response (OB 3.0 API, Badge Connect, Mozilla Displayer).
    Api,
    /// A backpack export archive.
    Archive,
}

impl SourceKind {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::File => "file",
            SourceKind::Url => "url",
            SourceKind::Api => "api",
            SourceKind::Archive => "archive",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "file" => SourceKind::File,
            "url" => SourceKind::Url,
            "api" => SourceKind::Api,
            "archive" => SourceKind::Archive,
            _ => return None,
        })
    }
}

/// Where a badge came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    /// File, URL, API or archive.
    pub kind: SourceKind,
    /// The file name, URL or API endpoint as the caller named it.
    pub location: String,
    /// Where inside the input the badge sat when it was one of several: e.g.
    /// `clr:<badge id of the CLR>/credentialSubject/verifiableCredential/0`,
    /// `ob30-api/credential/2`, `badge-connect/assertions/0`, `displayer/badges/1`.
    pub within: Option<String>,
}

impl Source {
    /// A file source.
    pub fn file(name: impl Into<String>) -> Self {
        Source {
            kind: SourceKind::File,
            location: name.into(),
            within: None,
        }
    }

    /// A source of the given kind.
    pub fn new(kind: SourceKind, location: impl Into<String>) -> Self {
        Source {
            kind,
            location: location.into(),
            within: None,
        }
    }
}

/// The kind of a badge's original bytes (detected from content, never from a file name): the
/// proof crate's kinds.
pub use openbadges_proof::input::InputKind;

/// The file extension of a badge's original bytes in an export (`url.txt` for a URL).
pub fn original_extension(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Url => "url.txt",
        other => other.as_str(),
    }
}

/// Whether the owner keeps a badge. Rejecting is a soft delete: the record stays (so a later
/// import of the same badge is recognised) and importing it again re-accepts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BadgeState {
    /// Shown, exported, shareable.
    Accepted,
    /// Hidden from lists, exports and collections.
    Rejected,
}

impl BadgeState {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            BadgeState::Accepted => "accepted",
            BadgeState::Rejected => "rejected",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "accepted" => Some(BadgeState::Accepted),
            "rejected" => Some(BadgeState::Rejected),
            _ => None,
        }
    }
}

/// The result of verifying a badge when it was imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// The verdict.
    pub status: Status,
    /// The verifier's full report, serialized (JSON), kept opaque by the backpack.
    pub report: String,
    /// When it was checked.
    pub checked_at: DateTime<Utc>,
}

/// How a badge's recipient was matched to the owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum MatchMethod {
    /// An OB ≤ 2.0 recipient given in plain text.
    Plain,
    /// An OB ≤ 2.0 recipient hash (with or without salt).
    Hashed,
    /// OB 3.0 / CLR `credentialSubject.id`.
    SubjectId,
    /// An OB 3.0 / CLR `credentialSubject.identifier` IdentityObject, plain.
    IdentityObject,
    /// An OB 3.0 / CLR `credentialSubject.identifier` IdentityObject, hashed.
    IdentityObjectHashed,
}

/// Which of the owner's identifiers a badge was issued to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MatchedIdentity {
    /// The owner's identifier that matched.
    pub identifier: Identity,
    /// How it matched.
    pub method: MatchMethod,
}

/// One badge held in the backpack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BadgeRecord {
    /// Stable local id (from the de-duplication key).
    pub id: BadgeId,
    /// The bytes exactly as received (a baked image, a JWS, a JSON file). For a credential
    /// unbundled from a CLR or an API response, its JSON as it stood there (re-serialized) or
    /// its compact JWS string. Not part of the record's serde form (exports write it as a file).
    #[serde(skip)]
    pub original: Vec<u8>,
    /// The badge document decoded from `original` (JWS payload, baked payload), in the current
    /// model: the OB 2.0 upgrade of a legacy badge, the 2.0 assertion or 3.0 credential itself.
    pub document: serde_json::Value,
    /// Where it came from.
    pub source: Source,
    /// The kind of `original`.
    pub input_kind: InputKind,
    /// The detected specification version.
    pub version: Version,
    /// The detected class (`Assertion`, `OpenBadgeCredential`, `ClrCredential`, …).
    pub class: Option<String>,
    /// The owner's identifier the recipient matched.
    pub recipient: MatchedIdentity,
    /// Accepted or rejected.
    pub state: BadgeState,
    /// When it was (last) imported.
    pub imported_at: DateTime<Utc>,
    /// The de-duplication key.
    pub dedup_key: DedupKey,
    /// OB 3.0 / CLR `validFrom` (or `issuanceDate`), used to decide which of two equal credentials
    /// supersedes the other.
    pub valid_from: Option<DateTime<Utc>>,
    /// The verification result at import time.
    pub verification: Verification,
}

impl BadgeRecord {
    /// The badge's display name (achievement/badge class name, or the credential's name).
    pub fn name(&self) -> Option<&str> {
        crate::display::name(&self.document)
    }

    /// The one-line view of the badge a listing shows (`openbadges backpack list --json`).
    pub fn summary(&self) -> BadgeSummary {
        BadgeSummary {
            id: self.id.clone(),
            badge_id: self
                .document
                .get("id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
            name: self.name().map(str::to_owned),
            issuer: crate::display::issuer(&self.document).map(str::to_owned),
            issued: crate::display::date(&self.document),
            version: self.version.as_str().to_owned(),
            class: self.class.clone(),
            kind: self.input_kind,
            state: self.state,
            verification: self.verification.status,
            source: self.source.clone(),
            recipient: self.recipient.identifier.clone(),
            imported_at: self.imported_at,
        }
    }

    /// Whether this record is a CLR (a bundle whose members are stored as their own records).
    pub fn is_clr(&self) -> bool {
        self.version == Version::Clr2_0
    }

    /// The compact JWS the badge was received as (trimmed): the original itself, or the JWS
    /// baked into its image; `None` for a badge received as JSON.
    pub(crate) fn compact_jws(&self) -> Option<String> {
        match self.input_kind {
            InputKind::Jws => std::str::from_utf8(&self.original)
                .ok()
                .map(|s| s.trim().to_owned()),
            InputKind::Png | InputKind::Svg => openbadges_bake::extract(&self.original)
                .ok()
                .filter(|x| x.payload_kind == openbadges_bake::PayloadKind::Jws)
                .map(|x| x.payload.trim().to_owned()),
            _ => None,
        }
    }
}

/// What a listing shows of a badge (see [`BadgeRecord::summary`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BadgeSummary {
    /// Local id.
    pub id: BadgeId,
    /// The badge's own id as its issuer wrote it: the OB ≤ 2.0 assertion's or the OB 3.0 / CLR
    /// credential's `id` (for a VC-JWT, its `jti`); `None` when it has none (OB 0.5, a signed
    /// OB 1.0 assertion, an id-less credential). Lets a holder match the badge with the
    /// issuer's records.
    pub badge_id: Option<String>,
    /// Achievement or badge class name.
    pub name: Option<String>,
    /// Issuer name (or id).
    pub issuer: Option<String>,
    /// Issue date as written (`validFrom`, `issuanceDate`, `issuedOn`).
    pub issued: Option<String>,
    /// `0.5` … `3.0`, `clr-2.0`.
    pub version: String,
    /// Detected class.
    pub class: Option<String>,
    /// Kind of the original bytes.
    pub kind: InputKind,
    /// Accepted or rejected.
    pub state: BadgeState,
    /// Verification verdict at import.
    pub verification: Status,
    /// Where it came from.
    pub source: Source,
    /// The owner's identifier it was issued to.
    pub recipient: Identity,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
}

/// A collection's id: `c` followed by 32 lowercase hex digits (random).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CollectionId(String);

impl CollectionId {
    /// A fresh random id.
    ///
    /// # Errors
    /// [`Error::Random`] if the system random source fails.
    pub fn generate() -> Result<Self> {
        Ok(CollectionId(format!(
            "c{}",
            hex::encode(random_bytes::<16>()?)
        )))
    }

    /// Parses an id as written by [`Display`](fmt::Display).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if it is not `c` + 32 lowercase hex digits.
    pub fn parse(s: &str) -> Result<Self> {
        let ok = s.len() == 33
            && s.starts_with('c')
            && s.bytes()
                .skip(1)
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if ok {
            Ok(CollectionId(s.to_owned()))
        } else {
            Err(Error::InvalidArgument(format!(
                "`{s}` is not a collection id"
            )))
        }
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CollectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; N];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Random)?;
    Ok(bytes)
}

/// Who may see a collection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Visibility {
    /// Only the owner (the default). Never listed, never served.
    Private,
    /// Anyone holding the link: served at a URL containing `token`, never listed.
    Unlisted {
        /// 256 random bits, base64url without padding (43 characters).
        token: String,
    },
    /// Listed in the owner's public profile (e.g. the Displayer `groups.json`).
    Public,
}

impl Visibility {
    /// An unlisted visibility with a fresh unguessable token.
    ///
    /// # Errors
    /// [`Error::Random`] if the system random source fails.
    pub fn new_unlisted() -> Result<Self> {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
        Ok(Visibility::Unlisted { token })
    }

    /// `private`, `unlisted` or `public`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Visibility::Private => "private",
            Visibility::Unlisted { .. } => "unlisted",
            Visibility::Public => "public",
        }
    }
}

/// A named, ordered set of the owner's badges, with its own visibility and portfolio text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Collection {
    /// Stable id.
    pub id: CollectionId,
    /// Name shown to viewers.
    pub name: String,
    /// A short description.
    pub description: String,
    /// The member badges, in display order (no repeats).
    pub members: Vec<BadgeId>,
    /// Who may see it.
    pub visibility: Visibility,
    /// Free portfolio text (plain text; always HTML-escaped when rendered).
    pub portfolio: String,
}

impl Collection {
    /// A new, empty, private collection with a random id.
    ///
    /// # Errors
    /// [`Error::Random`] if the system random source fails.
    pub fn new(name: impl Into<String>) -> Result<Self> {
        Ok(Collection {
            id: CollectionId::generate()?,
            name: name.into(),
            description: String::new(),
            members: Vec::new(),
            visibility: Visibility::Private,
            portfolio: String::new(),
        })
    }
}

/// Parses a version string as [`Version::as_str`] writes it.
pub(crate) fn parse_version(s: &str) -> Option<Version> {
    Some(match s {
        "0.5" => Version::V0_5,
        "1.0" => Version::V1_0,
        "1.1" => Version::V1_1,
        "2.0" => Version::V2_0,
        "3.0" => Version::V3_0,
        "clr-2.0" => Version::Clr2_0,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_their_own_shape() {
        let id = BadgeId::for_key(&DedupKey::new("ob2:https://example.org/a/1"));
        assert_eq!(BadgeId::parse(id.as_str()).unwrap(), id);
        assert!(BadgeId::parse("b00").is_err());
        assert!(BadgeId::parse("B0123456789abcdef0123456789abcdef").is_err());
        assert!(BadgeId::parse("b0123456789ABCDEF0123456789abcdef").is_err());
        let c = CollectionId::generate().unwrap();
        assert_eq!(CollectionId::parse(c.as_str()).unwrap(), c);
        assert!(CollectionId::parse(id.as_str()).is_err());
    }
}

/// A document kept with a badge: something verification fetched or resolved (a hosted
/// assertion, badge class, issuer profile, key, revocation or status list, DID document, JWKS),
/// or the badge's image, exactly as it was served. Stored once per (URL, content) and linked to
/// every badge that needed it, so that the badge can be verified offline later.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeptDocument {
    /// The URL it was asked for.
    pub url: String,
    /// The media type the server gave (lowercase, no parameters), if any.
    pub media_type: Option<String>,
    /// When it was fetched (the backpack's clock at import).
    pub fetched_at: DateTime<Utc>,
    /// The body, verbatim. Shared (an [`Arc`](std::sync::Arc)): the same document kept with
    /// many badges of one import is held once in memory.
    pub body: std::sync::Arc<[u8]>,
}

impl KeptDocument {
    /// The lowercase hex SHA-256 of the body (its content address in an archive).
    pub fn sha256(&self) -> String {
        sha256_hex(&self.body)
    }
}

/// Lowercase hex SHA-256 of `bytes` (content addresses, integrity checks, salted hashes).
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// A stored or exported time: RFC 3339, UTC (`Z`), with as many fraction digits as needed.
pub(crate) fn time_str(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}
