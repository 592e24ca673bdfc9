//! Endorsements: a claim by one profile about a profile, badge class or assertion.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Extra, Profile, VerificationObject};
use crate::typed::json_methods;
use crate::{DateTime, IdOrObject, Iri, OneOrMany};

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
json_methods!(Endorsement);

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
