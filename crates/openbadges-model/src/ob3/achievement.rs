//! Achievements (the OB 2.0 BadgeClass's successor): criteria, alignments, related
//! achievements, result descriptions and rubric levels.

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::{EndorsementCredential, Extra, IdentifierEntry, Image, Profile, TypeSet};
use crate::{IdOrObject, Iri, OneOrMany};

/// What an achievement is and how it is earned (the OB 2.0 BadgeClass's successor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Achievement {
    /// Unique IRI of the achievement.
    pub id: Iri,
    /// Must include `Achievement`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Alignments to educational frameworks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<OneOrMany<Alignment>>,
    /// The kind of achievement (`Badge`, `Certificate`, …, or `ext:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achievement_type: Option<String>,
    /// Who created the achievement definition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<IdOrObject<Profile>>,
    /// Credit hours available (kept exactly as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_available: Option<Number>,
    /// How the achievement is earned.
    pub criteria: Criteria,
    /// Short description.
    pub description: String,
    /// Endorsements of the achievement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<Box<EndorsementCredential>>>,
    /// Endorsements as compact JWS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_jwt: Option<OneOrMany<String>>,
    /// Field of study.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_of_study: Option<String>,
    /// Human-readable code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_code: Option<String>,
    /// Image of the achievement (the badge image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOrObject<Image>>,
    /// Language code (BCP 47).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_language: Option<String>,
    /// Name of the achievement.
    pub name: String,
    /// Other identifiers of the achievement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_identifier: Option<OneOrMany<IdentifierEntry>>,
    /// Related achievements (translations, the OB 2.0 BadgeClass, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub related: Option<OneOrMany<Related>>,
    /// Possible results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<OneOrMany<ResultDescription>>,
    /// Specialization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub specialization: Option<String>,
    /// Keywords.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<OneOrMany<String>>,
    /// Version string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// How an achievement is earned: a page (`id`) and/or a Markdown `narrative`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Criteria {
    /// IRI of a human-readable criteria page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// Markdown narrative of the criteria.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An alignment between an achievement (or result) and a node in a framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alignment {
    /// Must include `Alignment`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Identifier of the target within its framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_code: Option<String>,
    /// Description of the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_description: Option<String>,
    /// Name of the target.
    pub target_name: String,
    /// Name of the framework.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_framework: Option<String>,
    /// Type of the target node (`CFItem`, `CTDL`, …, or `ext:…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_type: Option<String>,
    /// URL of the target.
    pub target_url: Iri,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A related achievement (a translation, or the OB 2.0 BadgeClass it came from).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Related {
    /// The related achievement's IRI.
    pub id: Iri,
    /// Must include `Related`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Its language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_language: Option<String>,
    /// Its version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A possible result of an achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultDescription {
    /// Unique IRI (results link to it).
    pub id: Iri,
    /// Must include `ResultDescription`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Alignments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<OneOrMany<Alignment>>,
    /// Allowed values, low to high.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_value: Option<OneOrMany<String>>,
    /// Name.
    pub name: String,
    /// The rubric level required to pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_level: Option<Iri>,
    /// The value required to pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_value: Option<String>,
    /// The kind of result (`LetterGrade`, `Status`, …, or `ext:…`).
    pub result_type: String,
    /// Rubric levels, low to high.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rubric_criterion_level: Option<OneOrMany<RubricCriterionLevel>>,
    /// Maximum value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_max: Option<String>,
    /// Minimum value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_min: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A level of a rubric criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RubricCriterionLevel {
    /// Unique IRI (results link to it).
    pub id: Iri,
    /// Must include `RubricCriterionLevel`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Alignments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<OneOrMany<Alignment>>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Performance level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Name.
    pub name: String,
    /// Points (a string in the specification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}
