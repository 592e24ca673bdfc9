//! CLR 2.0: the ClrCredential, its ClrSubject and Associations.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::TypeSet;
use super::{Achievement, Credential, Extra, IdentityObject, Image, OpenBadgeCredential};
use crate::{IdOrObject, Iri, OneOrMany};

/// A CLR 2.0 ClrCredential: a bundle of achievement credentials about one learner.
pub type ClrCredential = Credential<ClrSubject>;

/// The subject of a [`ClrCredential`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClrSubject {
    /// The learner's identifier. Either `id` or `identifier` is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Iri>,
    /// Must include `ClrSubject`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Identity objects naming the learner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<OneOrMany<IdentityObject>>,
    /// Name of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Description of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Image of the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<IdOrObject<Image>>,
    /// Achievements the credentials refer to (for associations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achievement: Option<OneOrMany<Achievement>>,
    /// The bundled credentials (at least one).
    pub verifiable_credential: OneOrMany<EmbeddedCredential>,
    /// Relations between the achievements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association: Option<OneOrMany<Association>>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

/// A credential bundled in a CLR: an OpenBadgeCredential when it reads as one, a compact JWS
/// (VC-JWT), or any other JSON kept as is (validation still reports on it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[allow(clippy::large_enum_variant)]
pub enum EmbeddedCredential {
    /// An OB 3.0 OpenBadgeCredential / AchievementCredential.
    OpenBadge(Box<OpenBadgeCredential>),
    /// A VC-JWT (compact JWS).
    Jwt(String),
    /// Another JSON object (another kind of credential, or one that does not fit the model).
    /// Only objects: an array here would swallow the whole `verifiableCredential` list.
    Other(Map<String, Value>),
}

/// A relation between two achievements of a CLR (`isParentOf`, `precedes`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Association {
    /// Must be `Association`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// The kind of association.
    pub association_type: String,
    /// The `id` of the source achievement.
    pub source_id: Iri,
    /// The `id` of the target achievement.
    pub target_id: Iri,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}
