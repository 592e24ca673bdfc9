//! Open Badges 3.0 and CLR 2.0: typed model, validation and builders.
//!
//! - **Types** ([`OpenBadgeCredential`], [`Achievement`], [`Profile`], [`ClrCredential`], …) are
//!   lossless: properties a struct does not name are kept in its `extra` map, single values stay
//!   single and arrays stay arrays, so [`from_value`] then [`to_value`] returns an equal JSON
//!   value. Both VC data-model shapes are read: 2.0 (`validFrom`) and 1.1 (`issuanceDate`).
//!   One exception: a known optional property written as JSON `null` reads as absent and is not
//!   written back (JSON-LD ignores `null` values, so the document means the same).
//! - **Validation** ([`validate`]) works on the JSON itself, so it reports on documents that do
//!   not fit the typed model too, and returns every problem at once with a stable
//!   [`ProblemCode`](crate::ProblemCode) and a JSON pointer. It applies the rules of the
//!   specification and of the official 1EdTech validator's structural probes (context, type,
//!   credential subject, issuer, evidence); proofs, expiry and status are verification, not
//!   structure, and belong to the proof crate.
//! - **Builders** ([`CredentialBuilder`], [`AchievementBuilder`], [`ProfileBuilder`]) refuse to
//!   build an object that [`validate`] would reject.
//!
//! ```
//! use openbadges_model::ob3::{self, OpenBadgeCredential};
//! let json = serde_json::json!({
//!   "@context": ["https://www.w3.org/ns/credentials/v2",
//!                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
//!   "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
//!   "type": ["VerifiableCredential", "OpenBadgeCredential"],
//!   "issuer": {"id": "https://example.edu/issuers/565049", "type": "Profile", "name": "Example U"},
//!   "validFrom": "2024-01-01T00:00:00Z",
//!   "credentialSubject": {
//!     "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
//!     "type": "AchievementSubject",
//!     "achievement": {
//!       "id": "https://example.edu/achievements/1", "type": "Achievement",
//!       "name": "Teamwork", "description": "Works well in a team.",
//!       "criteria": {"narrative": "Nominated by peers."},
//!       "x-extension": {"kept": true}
//!     }
//!   }
//! });
//! let cred: OpenBadgeCredential = ob3::from_value(&json)?;
//! assert_eq!(cred.credential_subject.achievement.name, "Teamwork");
//! assert_eq!(ob3::to_value(&cred)?, json); // lossless
//! assert!(ob3::validate(&json, None).is_empty());
//! # Ok::<(), openbadges_model::Error>(())
//! ```

mod achievement;
mod builder;
mod clr;
mod credential;
mod image;
mod profile;
mod subject;
mod validate;

pub use crate::typed::{from_slice, from_value, to_value};
pub use achievement::{
    Achievement, Alignment, Criteria, Related, ResultDescription, RubricCriterionLevel,
};
pub use builder::{
    AchievementBuilder, CredentialBuilder, ProfileBuilder, name_based_urn_uuid, random_urn_uuid,
};
pub use clr::{Association, ClrCredential, ClrSubject, EmbeddedCredential};
pub use credential::{
    AchievementCredential, ContextEntry, Credential, CredentialSchema, CredentialStatus,
    EndorsementCredential, EndorsementSubject, Evidence, Extra, OpenBadgeCredential, Proof,
    RefreshService, StatusMethod, TermsOfUse,
};
pub use image::Image;
pub use profile::{Address, IdentifierEntry, Profile};
pub use subject::{AchievementResult, AchievementSubject, IdentityObject};
pub use validate::validate;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;

/// The current OB 3.0 context (`context-3.0.3.json`), written by the builders.
pub const OB3_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
/// The current CLR 2.0 context.
pub const CLR2_CONTEXT: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json";

crate::typed::json_methods!(
    OpenBadgeCredential,
    EndorsementCredential,
    ClrCredential,
    Achievement,
    Profile,
);

/// Any OB 3.0 / CLR 2.0 document, typed by its class.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Document {
    /// An OpenBadgeCredential / AchievementCredential.
    OpenBadge(Box<OpenBadgeCredential>),
    /// An EndorsementCredential.
    Endorsement(Box<EndorsementCredential>),
    /// A CLR 2.0 ClrCredential.
    Clr(Box<ClrCredential>),
    /// An Achievement on its own.
    Achievement(Box<Achievement>),
    /// A Profile on its own.
    Profile(Box<Profile>),
}

impl Document {
    /// Reads `value` as the given class, or as the class [`crate::detect()`] finds.
    ///
    /// # Errors
    /// [`Error::Shape`] when the class is not an OB 3.0 / CLR 2.0 class with a typed model
    /// (path `""`), or when the value does not fit it (with the JSON pointer of the node).
    ///
    /// ```
    /// use openbadges_model::ob3::Document;
    /// let v = serde_json::json!({"id": "https://example.org/i", "type": "Profile"});
    /// let doc = Document::from_value(&v, Some(&openbadges_model::Class::Profile))?;
    /// assert!(matches!(doc, Document::Profile(_)));
    /// assert_eq!(doc.to_value()?, v);
    /// # Ok::<(), openbadges_model::Error>(())
    /// ```
    pub fn from_value(value: &Value, class: Option<&crate::Class>) -> Result<Self, Error> {
        use crate::Class;
        let detected;
        let class = match class {
            Some(c) => Some(c),
            None => {
                detected = crate::detect(value).class;
                detected.as_ref()
            }
        };
        Ok(match class {
            Some(Class::OpenBadgeCredential | Class::AchievementCredential) => {
                Document::OpenBadge(Box::new(from_value(value)?))
            }
            Some(Class::EndorsementCredential) => {
                Document::Endorsement(Box::new(from_value(value)?))
            }
            Some(Class::ClrCredential) => Document::Clr(Box::new(from_value(value)?)),
            Some(Class::Achievement) => Document::Achievement(Box::new(from_value(value)?)),
            Some(Class::Profile) => Document::Profile(Box::new(from_value(value)?)),
            other => {
                return Err(Error::shape(
                    "",
                    match other {
                        Some(c) => format!("{c} has no typed open badges 3.0 model"),
                        None => "not a recognised open badges 3.0 class".into(),
                    },
                ));
            }
        })
    }

    /// Writes the document back to JSON.
    ///
    /// # Errors
    /// [`Error::Shape`] if serialization fails (it does not for these types).
    pub fn to_value(&self) -> Result<Value, Error> {
        match self {
            Document::OpenBadge(d) => to_value(d),
            Document::Endorsement(d) => to_value(d),
            Document::Clr(d) => to_value(d),
            Document::Achievement(d) => to_value(d),
            Document::Profile(d) => to_value(d),
        }
    }
}

/// The `type` of an OB 3.0 object: an unordered set of type names.
///
/// JSON allows a single string or an array ("array-compacted"); both are read, and the shape read
/// is the shape written back. Equality ignores order, duplicates and shape: `"Profile"` equals
/// `["Profile"]`.
#[derive(Debug, Clone, Eq)]
pub struct TypeSet {
    values: Vec<String>,
    single: bool,
}

impl TypeSet {
    /// A single type, written as a bare string.
    pub fn one(name: &str) -> Self {
        TypeSet {
            values: vec![name.to_string()],
            single: true,
        }
    }

    /// Several types, written as an array.
    pub fn many<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        TypeSet {
            values: names.into_iter().map(Into::into).collect(),
            single: false,
        }
    }

    /// Whether `name` is one of the types.
    pub fn contains(&self, name: &str) -> bool {
        self.values.iter().any(|v| v == name)
    }

    /// Adds a type (the set is then written as an array).
    pub fn insert(&mut self, name: &str) {
        if !self.contains(name) {
            self.values.push(name.to_string());
            self.single = false;
        }
    }

    /// The types, in the order read.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    /// The number of types.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there is no type (an empty array).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl PartialEq for TypeSet {
    fn eq(&self, other: &Self) -> bool {
        self.values.iter().all(|v| other.contains(v))
            && other.values.iter().all(|v| self.contains(v))
    }
}

impl Serialize for TypeSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match (self.single, self.values.as_slice()) {
            (true, [one]) => s.serialize_str(one),
            _ => self.values.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for TypeSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            One(String),
            Many(Vec<String>),
        }
        match Shape::deserialize(d) {
            Ok(Shape::One(s)) => Ok(TypeSet {
                values: vec![s],
                single: true,
            }),
            Ok(Shape::Many(v)) => Ok(TypeSet {
                values: v,
                single: false,
            }),
            Err(_) => Err(serde::de::Error::custom(
                "`type` must be a string or an array of strings",
            )),
        }
    }
}
