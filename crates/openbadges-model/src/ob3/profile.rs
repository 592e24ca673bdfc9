//! Profiles (issuers, creators, sources, parent organisations), their addresses and other
//! identifiers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{EndorsementCredential, Extra, Image, TypeSet};
use crate::{IdOrObject, Iri, OneOrMany};

/// Another identifier of an entity (`IdentifierEntry`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierEntry {
    /// Must be `IdentifierEntry`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// The identifier.
    pub identifier: String,
    /// Its kind (`sourcedId`, `identifier`, …, or `ext:…`).
    pub identifier_type: String,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A person or organization (issuer, creator, endorser, source …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Unique IRI of the profile.
    pub id: Iri,
    /// Must include `Profile`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Iri>,
    /// Phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Endorsements of the profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<Box<EndorsementCredential>>>,
    /// Endorsements as compact JWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_jwt: Option<OneOrMany<String>>,
    /// Image (logo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOrObject<Image>>,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Other identifiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_identifier: Option<OneOrMany<IdentifierEntry>>,
    /// Name of an authorized official (organizations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub official: Option<String>,
    /// Parent organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_org: Option<IdOrObject<Profile>>,
    /// Family name (persons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    /// Given name (persons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Date of birth (persons).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    /// Extensions and the other person-name parts (`additionalName`, `honorificPrefix`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// A postal address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Must include `Address`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Country name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_country: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_country_code: Option<String>,
    /// Region (state, province).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_region: Option<String>,
    /// Locality (city).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_locality: Option<String>,
    /// Street address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street_address: Option<String>,
    /// Post office box number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_office_box_number: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// Geographic coordinates (kept as JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo: Option<Value>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}
