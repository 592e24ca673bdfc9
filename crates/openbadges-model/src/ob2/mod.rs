//! Open Badges 2.0: typed, lossless objects, builders and structural validation.
//!
//! # The model
//! Every class of the [OB 2.0 vocabulary](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html)
//! has a struct here: [`Assertion`], [`BadgeClass`], [`Profile`] (the `Issuer`), [`IdentityObject`],
//! [`VerificationObject`], [`Evidence`], [`Image`], [`Criteria`], [`AlignmentObject`],
//! [`RevocationList`] (with [`RevokedEntry`]), [`CryptographicKey`] and [`Endorsement`].
//!
//! - **Lossless.** Every struct keeps the properties it does not know (extensions such as
//!   `extensions:ApplyLink`, deprecated `uid`, vendor properties) in `extra`, and every known
//!   property keeps the shape it was read in: a single value stays single ([`OneOrMany::One`]),
//!   an IRI stays an IRI ([`IdOrObject::Id`]). Parsing then serializing gives back an equal JSON
//!   value. The one exception: a known property whose value is JSON `null` is dropped, which
//!   JSON-LD defines as equivalent (null values are ignored).
//! - **Lenient on read, strict on write.** Parsing ([`Assertion::from_value`] and friends) only
//!   fails when a property has the wrong JSON shape (a number where text is expected, …), with the
//!   JSON pointer of the node; required-but-absent properties are the job of [`validate`], which
//!   reports every problem at once. So a revoked assertion stripped to `{id, revoked}` (which the
//!   spec allows) still parses. Builders ([`AssertionBuilder`], [`BadgeClassBuilder`],
//!   [`ProfileBuilder`]) are the strict side: `build()` refuses anything [`validate`] would flag.
//! - **Not `#[non_exhaustive]`.** OB 2.0 is a finished specification; new properties arrive as
//!   extensions, which land in `extra`. The structs can therefore be built with literals.
//!
//! ```
//! use openbadges_model::{ob2::Assertion, IdOrObject};
//! let a: Assertion = r#"{
//!   "@context": "https://w3id.org/openbadges/v2",
//!   "type": "Assertion",
//!   "id": "https://example.org/assertions/1",
//!   "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!   "badge": "https://example.org/badges/1",
//!   "verification": {"type": "hosted"},
//!   "issuedOn": "2024-01-31T12:00:00Z",
//!   "extensions:ApplyLink": {"url": "https://example.org/apply"}
//! }"#.parse()?;
//! assert!(matches!(a.badge, Some(IdOrObject::Id(_))));
//! assert!(a.extra.contains_key("extensions:ApplyLink"));
//! assert!(openbadges_model::ob2::validate(&a.to_value()?, None).is_empty());
//! # Ok::<(), openbadges_model::Error>(())
//! ```

mod builder;
pub mod terms;
mod validate;

pub use builder::{AssertionBuilder, BadgeClassBuilder, ProfileBuilder};
pub use validate::{is_email, is_iso_datetime_with_zone, is_url, validate};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::identity::{HashAlgorithm, IdentityHash, IdentityKind, Salt};
use crate::{Class, DateTime, Error, IdOrObject, Iri, Limits, OneOrMany};

/// Properties a struct does not model, kept verbatim (extensions, vendor properties, `uid`, …).
pub type Extra = Map<String, Value>;

/// The JSON-LD prefix of Open Badges extensions in the v2 context (`extensions:Name`).
pub const EXTENSIONS_PREFIX: &str = "extensions:";
/// The full IRI Open Badges extensions expand to.
pub const EXTENSIONS_IRI: &str = "https://w3id.org/openbadges/extensions#";

/// `version` values: OB 2.0 allows text or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TextOrNumber {
    /// A string such as `"1.2"`.
    Text(String),
    /// A number such as `2`.
    Number(serde_json::Number),
}

/// Implements the shared constructors and conversions of a model struct.
macro_rules! model_object {
    ($t:ident) => {
        impl $t {
            /// Reads the object from a parsed JSON value.
            ///
            /// # Errors
            /// [`Error::Shape`] with the JSON pointer of the first node whose JSON shape does not
            /// fit (required-but-absent properties are not errors here: see [`validate`]).
            pub fn from_value(value: &Value) -> Result<Self, Error> {
                serde_path_to_error::deserialize(value).map_err(Error::from_path_to_error)
            }

            /// Reads the object from untrusted JSON bytes within `limits`.
            ///
            /// # Errors
            /// The errors of [`crate::parse_json`], then those of `from_value`.
            pub fn from_slice(bytes: &[u8], limits: &Limits) -> Result<Self, Error> {
                Self::from_value(&crate::parse_json(bytes, limits)?)
            }

            /// Serializes the object to a JSON value (the shapes read are the shapes written).
            ///
            /// # Errors
            /// [`Error::Shape`] if serialization fails (it does not for values built from JSON).
            pub fn to_value(&self) -> Result<Value, Error> {
                serde_json::to_value(self).map_err(|e| Error::Shape {
                    path: String::new(),
                    message: e.to_string(),
                })
            }
        }

        impl std::str::FromStr for $t {
            type Err = Error;
            /// Parses JSON text within the default [`Limits`].
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::from_slice(s.as_bytes(), &Limits::default())
            }
        }

        impl TryFrom<&Value> for $t {
            type Error = Error;
            fn try_from(v: &Value) -> Result<Self, Error> {
                Self::from_value(v)
            }
        }
    };
}

/// An awarded badge: who earned which [`BadgeClass`], when, and how to verify it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assertion {
    /// `@context`: `https://w3id.org/openbadges/v2` (a string, or an array with more contexts).
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// Unique IRI; the hosted URL for hosted verification, often `urn:uuid:` for signed badges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `Assertion` (possibly with more types).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// The recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<IdentityObject>,
    /// The badge class: its IRI or the embedded object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<IdOrObject<BadgeClass>>,
    /// How to verify the assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationObject>,
    /// `verify`, the alias of `verification` the v2 context still defines (kept as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<VerificationObject>,
    /// When the badge was awarded (ISO 8601 with a time zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<DateTime>,
    /// A (baked) image of this award.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOrObject<Image>>,
    /// Evidence of the work done: IRIs or embedded [`Evidence`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<OneOrMany<IdOrObject<Evidence>>>,
    /// A narrative connecting the evidence (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// When the award stops being valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<DateTime>,
    /// `true` when the issuer revoked the assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// Endorsements of this assertion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<IdOrObject<Endorsement>>>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(Assertion);

impl Assertion {
    /// A builder that only builds valid assertions.
    pub fn builder() -> AssertionBuilder {
        AssertionBuilder::default()
    }

    /// The verification object, whether written as `verification` or as its alias `verify`.
    pub fn verification_object(&self) -> Option<&VerificationObject> {
        self.verification.as_ref().or(self.verify.as_ref())
    }

    /// The extensions (properties named `extensions:…` or with the extensions IRI).
    pub fn extensions(&self) -> impl Iterator<Item = (&String, &Value)> {
        extensions_of(&self.extra)
    }
}

fn extensions_of(extra: &Extra) -> impl Iterator<Item = (&String, &Value)> {
    extra
        .iter()
        .filter(|(k, _)| k.starts_with(EXTENSIONS_PREFIX) || k.starts_with(EXTENSIONS_IRI))
}

/// The definition of an achievement; many assertions award one badge class.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BadgeClass {
    /// `@context` (present on a standalone document, usually absent when embedded).
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// Unique IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `BadgeClass` (possibly with more types).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// The name of the achievement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A short description of the achievement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The badge image (PNG or SVG): IRI, data URI or [`Image`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOrObject<Image>>,
    /// How to earn it: a URL or embedded [`Criteria`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<IdOrObject<Criteria>>,
    /// The issuer: IRI or embedded [`Profile`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IdOrObject<Profile>>,
    /// Educational standards this badge aligns to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<OneOrMany<AlignmentObject>>,
    /// Tags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<OneOrMany<String>>,
    /// Version of this badge class (text or number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<TextOrNumber>,
    /// Endorsements of this badge class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<IdOrObject<Endorsement>>>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(BadgeClass);

impl BadgeClass {
    /// A builder that only builds valid badge classes.
    pub fn builder() -> BadgeClassBuilder {
        BadgeClassBuilder::default()
    }

    /// The extensions (properties named `extensions:…` or with the extensions IRI).
    pub fn extensions(&self) -> impl Iterator<Item = (&String, &Value)> {
        extensions_of(&self.extra)
    }
}

/// An entity (issuer, recipient, endorser); an `Issuer` is a Profile with `name`, `url`, `email`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// `@context` (present on a standalone document).
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// Unique IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `Issuer` or `Profile` (possibly with more types).
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// Name of the entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Home page or social-media profile (an http(s) URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<OneOrMany<String>>,
    /// Telephone, preferably E.164 (`+16175551212`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephone: Option<OneOrMany<String>>,
    /// A short description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An image of the entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOrObject<Image>>,
    /// Contact email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<OneOrMany<String>>,
    /// The key(s) the issuer signs with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<OneOrMany<IdOrObject<CryptographicKey>>>,
    /// Verification policy for assertions this issuer publishes (`startsWith`, `allowedOrigins`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationObject>,
    /// The revocation list for signed badges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_list: Option<IdOrObject<RevocationList>>,
    /// Endorsements of this profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<IdOrObject<Endorsement>>>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(Profile);

impl Profile {
    /// A builder that only builds valid issuer profiles.
    pub fn builder() -> ProfileBuilder {
        ProfileBuilder::default()
    }

    /// The extensions (properties named `extensions:…` or with the extensions IRI).
    pub fn extensions(&self) -> impl Iterator<Item = (&String, &Value)> {
        extensions_of(&self.extra)
    }
}

/// Who received the badge: an identity (plain or hashed) of a given property type.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    /// The identity property: `email`, `url`, `telephone` or `id`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// The identity, plain or an [`IdentityHash`] (`sha256$…`, `md5$…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Whether `identity` is hashed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashed: Option<bool>,
    /// The salt appended to the identity before hashing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(IdentityObject);

impl IdentityObject {
    /// A plain (unhashed) identity of type `kind` (`email`, `url`, `telephone`, `id`).
    pub fn plain(kind: impl Into<String>, identity: impl Into<String>) -> Self {
        IdentityObject {
            type_: Some(kind.into()),
            identity: Some(identity.into()),
            hashed: Some(false),
            salt: None,
            extra: Extra::new(),
        }
    }

    /// A salted SHA-256 hashed identity: `sha256(identity + salt)`.
    ///
    /// ```
    /// use openbadges_model::{ob2::IdentityObject, Salt};
    /// let r = IdentityObject::hashed("email", "student@example.org", Salt::new("deadsea"));
    /// assert_eq!(r.identity.as_deref(), Some("sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862"));
    /// assert!(r.matches("student@example.org"));
    /// ```
    pub fn hashed(kind: impl Into<String>, identity: &str, salt: Salt) -> Self {
        let hash = IdentityHash::compute(HashAlgorithm::Sha256, identity, Some(&salt));
        IdentityObject {
            type_: Some(kind.into()),
            identity: Some(hash.to_string()),
            hashed: Some(true),
            salt: Some(salt.as_str().to_string()),
            extra: Extra::new(),
        }
    }

    /// Whether `candidate` is this recipient: hashed identities are compared in constant time
    /// (hex case-insensitively), plain ones exactly (emails case-insensitively).
    pub fn matches(&self, candidate: &str) -> bool {
        let Some(identity) = self.identity.as_deref() else {
            return false;
        };
        if self.hashed == Some(true) {
            let Ok(hash) = identity.parse::<IdentityHash>() else {
                return false;
            };
            let salt = self.salt.as_deref().map(Salt::new);
            hash.matches(candidate, salt.as_ref())
        } else if self.type_.as_deref() == Some(IdentityKind::Email.ob2_type()) {
            identity.eq_ignore_ascii_case(candidate)
        } else {
            identity == candidate
        }
    }
}

/// How to verify an assertion (`HostedBadge`/`SignedBadge`), or an issuer's verification policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationObject {
    /// `HostedBadge`/`hosted`, `SignedBadge`/`signed`, or `VerificationObject` in a profile.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// The property checked against the policy (only `id` is defined).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_property: Option<String>,
    /// Hosted assertion ids must start with one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_with: Option<OneOrMany<String>>,
    /// Hosted assertion ids must have one of these host names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<OneOrMany<String>>,
    /// For signed badges: the key that signed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<IdOrObject<CryptographicKey>>,
    /// Every other property, verbatim (1.x `url` stays here after an upgrade).
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(VerificationObject);

/// The verification method of an assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VerificationType {
    /// `HostedBadge` (alias `hosted`): fetch the assertion from its `id`.
    Hosted,
    /// `SignedBadge` (alias `signed`): a JWS signed by the issuer's key.
    Signed,
}

impl VerificationObject {
    /// `{"type": "HostedBadge"}`.
    pub fn hosted() -> Self {
        VerificationObject {
            type_: Some(OneOrMany::One("HostedBadge".into())),
            ..Default::default()
        }
    }

    /// `{"type": "SignedBadge", "creator": key}`.
    pub fn signed(creator: Option<Iri>) -> Self {
        VerificationObject {
            type_: Some(OneOrMany::One("SignedBadge".into())),
            creator: creator.map(IdOrObject::Id),
            ..Default::default()
        }
    }

    /// Hosted or signed, from `type` (aliases and full IRIs accepted).
    pub fn kind(&self) -> Option<VerificationType> {
        self.type_
            .as_ref()?
            .iter()
            .find_map(|t| verification_type(t))
    }
}

/// Reads a verification type name (`HostedBadge`, `hosted`, the `obi:` or full IRI forms).
pub fn verification_type(t: &str) -> Option<VerificationType> {
    let short = t
        .strip_prefix("https://w3id.org/openbadges#")
        .or_else(|| t.strip_prefix("obi:"))
        .unwrap_or(t);
    match short {
        "HostedBadge" | "hosted" => Some(VerificationType::Hosted),
        "SignedBadge" | "signed" => Some(VerificationType::Signed),
        _ => None,
    }
}

/// Evidence of the work that earned an assertion.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// Defaults to `Evidence`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// The URI of a page presenting the evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// How the evidence was produced (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// A title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A longer description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The kind of evidence (`Poetry`, `Film`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genre: Option<String>,
    /// The intended audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(Evidence);

/// Metadata about an image (its `id` is the URL or data URI).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Defaults to `schema:ImageObject`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// The URL or data URI of the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// A caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// The author (a Profile IRI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Iri>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(Image);

/// What it takes to earn a badge.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    /// Defaults to `Criteria`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// A human-readable criteria page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The criteria as Markdown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(Criteria);

/// An educational standard or framework item a badge aligns to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlignmentObject {
    /// Defaults to `AlignmentObject`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// Name of the target (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    /// URL of the target (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_url: Option<String>,
    /// Description of the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_description: Option<String>,
    /// The framework's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_framework: Option<String>,
    /// The target's code within the framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(AlignmentObject);

/// An issuer's list of revoked signed assertions.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevocationList {
    /// `@context`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// `RevocationList`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// The list's IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The issuer's IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IdOrObject<Profile>>,
    /// The revoked assertions (a single entry may be written without an array).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_assertions: Option<OneOrMany<RevokedEntry>>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(RevocationList);

impl RevocationList {
    /// Whether an assertion with this `id` (or legacy `uid`) is listed, and the reason if given.
    pub fn find(&self, id: Option<&str>, uid: Option<&str>) -> Option<&RevokedEntry> {
        self.revoked_assertions
            .as_ref()?
            .iter()
            .find(|e| (id.is_some() && e.id() == id) || (uid.is_some() && e.uid() == uid))
    }
}

/// One entry of `revokedAssertions`: a bare id, or an object with `id` or legacy `uid`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RevokedEntry {
    /// `"urn:uuid:…"`.
    Id(Iri),
    /// `{"id": …, "revocationReason": …}` or `{"uid": …}`.
    Object(RevokedAssertion),
}

impl RevokedEntry {
    /// The revoked assertion's id, if given.
    pub fn id(&self) -> Option<&str> {
        match self {
            RevokedEntry::Id(i) => Some(i.as_str()),
            RevokedEntry::Object(o) => o.id.as_ref().map(Iri::as_str),
        }
    }

    /// The revoked assertion's legacy uid, if given.
    pub fn uid(&self) -> Option<&str> {
        match self {
            RevokedEntry::Id(_) => None,
            RevokedEntry::Object(o) => o.uid.as_deref(),
        }
    }

    /// The published reason, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            RevokedEntry::Id(_) => None,
            RevokedEntry::Object(o) => o.revocation_reason.as_deref(),
        }
    }
}

/// The object form of a [`RevokedEntry`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokedAssertion {
    /// Defaults to `Assertion`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// The revoked assertion's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// Legacy identifier of pre-1.1 badges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// `true` (the default when listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// The published reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A public key an issuer signs with.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CryptographicKey {
    /// `@context`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// `CryptographicKey`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// The key's IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The owning profile's IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Iri>,
    /// The key in PEM.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_pem: Option<String>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(CryptographicKey);

/// A claim by an issuer about another entity (profile, badge class, assertion).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Endorsement {
    /// `@context`.
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Value>,
    /// Unique IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// `Endorsement`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<OneOrMany<String>>,
    /// What is claimed, about the entity named by `claim.id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<EndorsementClaim>,
    /// The endorser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<IdOrObject<Profile>>,
    /// When the endorsement was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<DateTime>,
    /// How to verify it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationObject>,
    /// `true` when revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// Why it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_reason: Option<String>,
    /// Every other property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}
model_object!(Endorsement);

/// The `claim` of an [`Endorsement`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementClaim {
    /// The endorsed entity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The endorser's comment (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_comment: Option<String>,
    /// Every other claimed property, verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Any standalone OB 2.0 document, typed by its class.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Document {
    /// An assertion.
    Assertion(Box<Assertion>),
    /// A badge class.
    BadgeClass(Box<BadgeClass>),
    /// A profile / issuer.
    Profile(Box<Profile>),
    /// A cryptographic key.
    CryptographicKey(Box<CryptographicKey>),
    /// A revocation list.
    RevocationList(Box<RevocationList>),
    /// An endorsement.
    Endorsement(Box<Endorsement>),
}

impl Document {
    /// Reads `value` as the given class, or as the class [`crate::detect()`] finds.
    ///
    /// # Errors
    /// [`Error::Shape`] when the class is unknown or not an OB 2.0 class (path `""`), or when the
    /// value does not fit it (with the JSON pointer of the offending node).
    pub fn from_value(value: &Value, class: Option<&Class>) -> Result<Self, Error> {
        let detected;
        let class = match class {
            Some(c) => c,
            None => {
                detected = crate::detect(value).class.ok_or_else(|| Error::Shape {
                    path: String::new(),
                    message: "not a recognised open badges 2.0 class".into(),
                })?;
                &detected
            }
        };
        Ok(match class {
            Class::Assertion => Document::Assertion(Box::new(Assertion::from_value(value)?)),
            Class::BadgeClass => Document::BadgeClass(Box::new(BadgeClass::from_value(value)?)),
            Class::Profile => Document::Profile(Box::new(Profile::from_value(value)?)),
            Class::CryptographicKey => {
                Document::CryptographicKey(Box::new(CryptographicKey::from_value(value)?))
            }
            Class::RevocationList => {
                Document::RevocationList(Box::new(RevocationList::from_value(value)?))
            }
            Class::Endorsement => Document::Endorsement(Box::new(Endorsement::from_value(value)?)),
            other => {
                return Err(Error::Shape {
                    path: String::new(),
                    message: format!("{other} is not an open badges 2.0 class"),
                });
            }
        })
    }

    /// Serializes the document.
    ///
    /// # Errors
    /// [`Error::Shape`] if serialization fails.
    pub fn to_value(&self) -> Result<Value, Error> {
        match self {
            Document::Assertion(d) => d.to_value(),
            Document::BadgeClass(d) => d.to_value(),
            Document::Profile(d) => d.to_value(),
            Document::CryptographicKey(d) => d.to_value(),
            Document::RevocationList(d) => d.to_value(),
            Document::Endorsement(d) => d.to_value(),
        }
    }
}
