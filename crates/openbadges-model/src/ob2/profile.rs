//! Profiles (issuers): the entity, its cryptographic keys and revocation list.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Endorsement, Extra, Image, ProfileBuilder, VerificationObject, extensions_of};
use crate::typed::json_methods;
use crate::{IdOrObject, Iri, OneOrMany};

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
json_methods!(Profile);

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
json_methods!(RevocationList);

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
json_methods!(CryptographicKey);
