//! Assertions: the award itself, its recipient identity object, verification object and
//! evidence.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    AssertionBuilder, BadgeClass, CryptographicKey, Endorsement, Extra, Image, extensions_of,
};
use crate::identity::{HashAlgorithm, IdentityHash, IdentityKind, Salt};
use crate::typed::json_methods;
use crate::{DateTime, IdOrObject, Iri, OneOrMany};

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
json_methods!(Assertion);

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
json_methods!(IdentityObject);

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
json_methods!(VerificationObject);

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
json_methods!(Evidence);
