//! The Verifiable Credential envelope of the OB 3.0 / CLR 2.0 classes: `@context`, the
//! credential, its evidence, status, schemas, terms, proofs and the endorsement subject.
//!
//! Every struct keeps the properties it does not name in `extra` (`#[serde(flatten)]`), so a
//! document read and written back is the same JSON value. Optional properties are `Option`s that
//! are omitted when `None`; "zero or more" properties are [`OneOrMany`] so a single value stays a
//! single value and an array stays an array. Numbers the specification calls `Float` are kept as
//! [`serde_json::Number`] so `42` and `42.0` are written back exactly as read.
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{AchievementSubject, Image, Profile, TypeSet};
use crate::{DateTime, IdOrObject, Iri, OneOrMany};

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
