//! The OB 3.0 / CLR 2.0 classes as typed, lossless Rust structs.
//!
//! Every struct keeps the properties it does not name in `extra` (`#[serde(flatten)]`), so a
//! document read and written back is the same JSON value. Optional properties are `Option`s that
//! are omitted when `None`; "zero or more" properties are [`OneOrMany`] so a single value stays a
//! single value and an array stays an array. Numbers the specification calls `Float` are kept as
//! [`serde_json::Number`] so `42` and `42.0` are written back exactly as read.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::identity::{HashAlgorithm, IdentityHash, Salt};
use crate::{DateTime, Error, IdOrObject, Iri, OneOrMany};

use super::TypeSet;

/// Unknown properties (extensions) of an object, kept for lossless round trips.
pub type Extra = Map<String, Value>;

/// One entry of `@context`: a context IRI or an embedded context object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ContextEntry {
    /// A context by IRI, e.g. `https://www.w3.org/ns/credentials/v2`.
    Iri(String),
    /// An embedded (local) context definition.
    Object(Map<String, Value>),
}

impl ContextEntry {
    /// The IRI, if this entry is one.
    pub fn as_iri(&self) -> Option<&str> {
        match self {
            ContextEntry::Iri(s) => Some(s),
            ContextEntry::Object(_) => None,
        }
    }
}

impl From<&str> for ContextEntry {
    fn from(s: &str) -> Self {
        ContextEntry::Iri(s.to_string())
    }
}

/// A Verifiable Credential of the Open Badges family, generic over its subject.
///
/// The aliases name the concrete classes: [`OpenBadgeCredential`] (= [`AchievementCredential`]),
/// [`EndorsementCredential`] and [`ClrCredential`](super::ClrCredential). Both data-model shapes
/// are read: VC DM 2.0 (`validFrom`/`validUntil`) and VC DM 1.1 (`issuanceDate`/`expirationDate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential<S> {
    /// The JSON-LD `@context`: the VC context first, then the OB (or CLR) context.
    #[serde(rename = "@context")]
    pub context: OneOrMany<ContextEntry>,
    /// Unambiguous reference to the credential (required by OB 3.0, optional in plain VCs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The credential types, e.g. `VerifiableCredential` and `OpenBadgeCredential`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Display name of the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Display description of the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Display image of the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOrObject<Image>>,
    /// When the credential was awarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awarded_date: Option<DateTime>,
    /// The subject: an [`AchievementSubject`], [`EndorsementSubject`] or
    /// [`ClrSubject`](super::ClrSubject).
    pub credential_subject: S,
    /// Endorsements of this credential (Data Integrity signed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement: Option<OneOrMany<Box<EndorsementCredential>>>,
    /// Endorsements of this credential as compact JWS (VC-JWT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_jwt: Option<OneOrMany<String>>,
    /// Evidence of the work that earned the achievement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<OneOrMany<Evidence>>,
    /// The issuer: an IRI or an embedded [`Profile`].
    pub issuer: IdOrObject<Profile>,
    /// VC DM 2.0: when the credential becomes valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<DateTime>,
    /// VC DM 2.0: when the credential stops being valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<DateTime>,
    /// VC DM 1.1: when the credential was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuance_date: Option<DateTime>,
    /// VC DM 1.1: when the credential expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_date: Option<DateTime>,
    /// Embedded proofs (one or many).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<OneOrMany<Proof>>,
    /// Data schemas the credential claims to conform to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_schema: Option<OneOrMany<CredentialSchema>>,
    /// Status (revocation/suspension) information.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_status: Option<OneOrMany<CredentialStatus>>,
    /// Where a fresh copy of the credential can be obtained.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_service: Option<OneOrMany<RefreshService>>,
    /// Terms of use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_use: Option<OneOrMany<TermsOfUse>>,
    /// Properties this struct does not name (extensions), kept as read.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An OB 3.0 OpenBadgeCredential: one earner's achievement, as a Verifiable Credential.
pub type OpenBadgeCredential = Credential<AchievementSubject>;
/// An OB 3.0 AchievementCredential: the same class as [`OpenBadgeCredential`] (an alias).
pub type AchievementCredential = OpenBadgeCredential;
/// An OB 3.0 EndorsementCredential: a claim endorsing a profile, achievement or credential.
pub type EndorsementCredential = Credential<EndorsementSubject>;

impl<S> Credential<S> {
    /// The issuer's IRI, whether `issuer` is an IRI or an embedded profile.
    pub fn issuer_id(&self) -> &Iri {
        match &self.issuer {
            IdOrObject::Id(i) => i,
            IdOrObject::Object(p) => &p.id,
        }
    }

    /// The start of validity: `validFrom`, or the VC 1.1 `issuanceDate`.
    pub fn valid_from_or_issuance(&self) -> Option<&DateTime> {
        self.valid_from.as_ref().or(self.issuance_date.as_ref())
    }

    /// The end of validity: `validUntil`, or the VC 1.1 `expirationDate`.
    pub fn valid_until_or_expiration(&self) -> Option<&DateTime> {
        self.valid_until.as_ref().or(self.expiration_date.as_ref())
    }

    /// The embedded proofs (empty when unsigned).
    pub fn proofs(&self) -> impl Iterator<Item = &Proof> {
        self.proof.iter().flat_map(OneOrMany::iter)
    }

    /// Adds an embedded proof: the first is written as a single object, further ones turn
    /// `proof` into an array (proof sets).
    pub fn add_proof(&mut self, proof: Proof) {
        self.proof = Some(match self.proof.take() {
            None => OneOrMany::One(proof),
            Some(OneOrMany::One(first)) => OneOrMany::Many(vec![first, proof]),
            Some(OneOrMany::Many(mut all)) => {
                all.push(proof);
                OneOrMany::Many(all)
            }
        });
    }

    /// The credential without its embedded proofs (what a Data Integrity proof signs).
    pub fn without_proof(&self) -> Self
    where
        S: Clone,
    {
        Credential {
            proof: None,
            ..self.clone()
        }
    }
}

/// The recipient of an achievement (the `credentialSubject` of an [`OpenBadgeCredential`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementSubject {
    /// The recipient's identifier (a DID, URL, …). Either `id` or `identifier` is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// Must include `AchievementSubject`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// When the activity ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_end_date: Option<DateTime>,
    /// When the activity started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_start_date: Option<DateTime>,
    /// Credits earned (a float, kept exactly as written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits_earned: Option<Number>,
    /// The achievement awarded.
    pub achievement: Achievement,
    /// Identity objects naming the recipient (hashed or plain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<OneOrMany<IdentityObject>>,
    /// The recipient's (baked) image of the achievement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOrObject<Image>>,
    /// A license number issued with the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_number: Option<String>,
    /// Narrative connecting the evidence (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Results asserted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<OneOrMany<AchievementResult>>,
    /// The learner's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Who assessed the achievement on behalf of the issuer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<IdOrObject<Profile>>,
    /// The academic term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

impl AchievementSubject {
    /// The identity objects (empty when none).
    pub fn identifiers(&self) -> impl Iterator<Item = &IdentityObject> {
        self.identifier.iter().flat_map(OneOrMany::iter)
    }
}

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

/// A recipient identity, plain or hashed (`identityHash`, `identityType`, `hashed`, `salt`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityObject {
    /// Must be `IdentityObject`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Whether `identity_hash` is a hash (`sha256$…`/`md5$…`) or the plain value.
    pub hashed: bool,
    /// The [`IdentityHash`] string, or the plain identity when `hashed` is false.
    pub identity_hash: String,
    /// The kind of identity (`emailAddress`, `studentId`, …, or `ext:…`).
    pub identity_type: String,
    /// The salt appended to the identity before hashing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<Salt>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

impl IdentityObject {
    /// A hashed identity: `sha256(identity + salt)`, with a fresh random salt.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] if the system random source fails.
    ///
    /// ```
    /// use openbadges_model::ob3::IdentityObject;
    /// let id = IdentityObject::hashed("emailAddress", "student@example.org")?;
    /// assert!(id.matches("student@example.org"));
    /// assert!(!id.matches("other@example.org"));
    /// # Ok::<(), openbadges_model::Error>(())
    /// ```
    pub fn hashed(identity_type: &str, identity: &str) -> Result<Self, Error> {
        let salt = Salt::generate()?;
        Ok(Self::hashed_with_salt(identity_type, identity, salt))
    }

    /// A hashed identity with the given salt (deterministic).
    pub fn hashed_with_salt(identity_type: &str, identity: &str, salt: Salt) -> Self {
        let hash = IdentityHash::compute(HashAlgorithm::Sha256, identity, Some(&salt));
        IdentityObject {
            types: TypeSet::one("IdentityObject"),
            hashed: true,
            identity_hash: hash.to_string(),
            identity_type: identity_type.to_string(),
            salt: Some(salt),
            extra: Extra::new(),
        }
    }

    /// A plain (unhashed) identity.
    pub fn plain(identity_type: &str, identity: &str) -> Self {
        IdentityObject {
            types: TypeSet::one("IdentityObject"),
            hashed: false,
            identity_hash: identity.to_string(),
            identity_type: identity_type.to_string(),
            salt: None,
            extra: Extra::new(),
        }
    }

    /// Whether `identity` is the one this object names: the hash is recomputed with the salt and
    /// compared in constant time, or the plain value compared. A malformed hash never matches.
    pub fn matches(&self, identity: &str) -> bool {
        if self.hashed {
            match self.identity_hash.parse::<IdentityHash>() {
                Ok(h) => h.matches(identity, self.salt.as_ref()),
                Err(_) => false,
            }
        } else {
            crate::identity::constant_time_eq(self.identity_hash.as_bytes(), identity.as_bytes())
        }
    }
}

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

/// An image with metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The image URI or Data URI.
    pub id: Iri,
    /// Must be `Image`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Image {
    /// An image by IRI, without caption.
    pub fn new(id: Iri) -> Self {
        Image {
            id,
            types: TypeSet::one("Image"),
            caption: None,
            extra: Extra::new(),
        }
    }
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

/// A result achieved (the OB 3.0 `Result` class).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementResult {
    /// Must include `Result`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// The `id` of the achieved [`RubricCriterionLevel`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achieved_level: Option<Iri>,
    /// Alignments of this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<OneOrMany<Alignment>>,
    /// The `id` of the [`ResultDescription`] this result is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_description: Option<Iri>,
    /// Status (`Completed`, `Enrolled`, `Failed`, `InProgress`, `OnHold`, `Provisional`,
    /// `Withdrew`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The value achieved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
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

/// Evidence of the work behind an achievement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evidence {
    /// URL of the evidence, or a Data URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// Must include `Evidence`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Narrative (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Genre (Poetry, Prose, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub genre: Option<String>,
    /// Intended audience.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The subject of an [`EndorsementCredential`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndorsementSubject {
    /// What is endorsed (a profile, achievement or credential IRI).
    pub id: Iri,
    /// Must include `EndorsementSubject`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// The endorser's comment (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endorsement_comment: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A data schema (`1EdTechJsonSchemaValidator2019`, `JsonSchema`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialSchema {
    /// The schema IRI.
    pub id: Iri,
    /// The validation method.
    #[serde(rename = "type")]
    pub kind: String,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Which status method a [`CredentialStatus`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusMethod {
    /// 1EdTech `1EdTechRevocationList`.
    RevocationList1EdTech,
    /// W3C `BitstringStatusListEntry`.
    BitstringStatusListEntry,
    /// W3C `StatusList2021Entry` (the predecessor of Bitstring Status List).
    StatusList2021Entry,
    /// Anything else.
    Other,
}

/// Status information (revocation, suspension).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialStatus {
    /// The status entry IRI (required by `1EdTechRevocationList`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The status method.
    #[serde(rename = "type")]
    pub kind: String,
    /// Bitstring: `revocation`, `suspension`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_purpose: Option<String>,
    /// Bitstring: the index (a string per the spec; numbers are seen in the wild and kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list_index: Option<Value>,
    /// Bitstring: the status list credential IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_list_credential: Option<Iri>,
    /// Extensions (`statusSize`, `statusMessage`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

impl CredentialStatus {
    /// The status method named by `type`.
    pub fn method(&self) -> StatusMethod {
        match self.kind.as_str() {
            "1EdTechRevocationList" => StatusMethod::RevocationList1EdTech,
            "BitstringStatusListEntry" => StatusMethod::BitstringStatusListEntry,
            "StatusList2021Entry" => StatusMethod::StatusList2021Entry,
            _ => StatusMethod::Other,
        }
    }

    /// The bitstring index as a number, whether written as a string or a number.
    pub fn status_list_index(&self) -> Option<u64> {
        match self.status_list_index.as_ref()? {
            Value::String(s) => s.parse().ok(),
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }
}

/// A refresh service (`1EdTechCredentialRefresh`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshService {
    /// The service URL.
    pub id: Iri,
    /// The refresh method.
    #[serde(rename = "type")]
    pub kind: String,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Terms of use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TermsOfUse {
    /// IRI of the terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// The kind of terms.
    #[serde(rename = "type")]
    pub kind: String,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An embedded proof (`DataIntegrityProof`, `Ed25519Signature2020`, …). Checking it is the
/// proof crate's business; the model only carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Proof {
    /// The proof type.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<DateTime>,
    /// The cryptosuite (`eddsa-rdfc-2022`, …) of a `DataIntegrityProof`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cryptosuite: Option<String>,
    /// Verifier challenge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// Domain restriction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Purpose (`assertionMethod`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_purpose: Option<String>,
    /// The proof value (multibase).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof_value: Option<String>,
    /// The verification method IRI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_method: Option<String>,
    /// Extensions (`jws`, `expires`, `previousProof`, …).
    #[serde(flatten)]
    pub extra: Extra,
}
