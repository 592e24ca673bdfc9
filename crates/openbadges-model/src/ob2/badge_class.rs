//! BadgeClasses: what a badge is, its criteria, image and alignments.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{BadgeClassBuilder, Endorsement, Extra, Profile, TextOrNumber, extensions_of};
use crate::typed::json_methods;
use crate::{IdOrObject, Iri, OneOrMany};

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
json_methods!(BadgeClass);

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
json_methods!(Image);

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
json_methods!(Criteria);

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
json_methods!(AlignmentObject);
