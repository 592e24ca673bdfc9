//! The achievement subject: the recipient (identity objects), the achievement awarded and the
//! results achieved.

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::{Achievement, Alignment, Extra, Image, Profile, TypeSet};
use crate::identity::{HashAlgorithm, IdentityHash, Salt};
use crate::{DateTime, Error, IdOrObject, Iri, OneOrMany};

/// The recipient of an achievement (the `credentialSubject` of an [`OpenBadgeCredential`](super::OpenBadgeCredential)).
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

/// A result achieved (the OB 3.0 `Result` class).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AchievementResult {
    /// Must include `Result`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// The `id` of the achieved [`RubricCriterionLevel`](super::RubricCriterionLevel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub achieved_level: Option<Iri>,
    /// Alignments of this result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alignment: Option<OneOrMany<Alignment>>,
    /// The `id` of the [`ResultDescription`](super::ResultDescription) this result is for.
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
