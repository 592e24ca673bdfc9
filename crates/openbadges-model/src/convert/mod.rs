//! Conversion from Open Badges 2.0 to Open Badges 3.0.
//!
//! [`ob2_to_ob3`] takes the three 2.0 documents of an award (the Assertion, its BadgeClass and the
//! issuer Profile, as JSON) and builds an **unsigned** [`OpenBadgeCredential`] with an embedded
//! [`Achievement`](crate::ob3::Achievement) and [`Profile`](crate::ob3::Profile), following the specification's migration guide
//! (`ob_v3p0/impl/migrating.md`): new `urn:uuid` ids for the credential and the achievement, the
//! original assertion linked as [`Evidence`](crate::ob3::Evidence) typed `https://w3id.org/openbadges#Assertion`, the
//! original BadgeClass linked as a [`Related`](crate::ob3::Related) achievement typed
//! `https://w3id.org/openbadges#BadgeClass`.
//!
//! Nothing is dropped silently: every property that is not carried over, or is carried over in a
//! changed form, is listed in [`Conversion::notes`] with the document and JSON pointer it came
//! from. Problems that make a faithful credential impossible (a revoked assertion, a missing
//! required property, an issuer that does not match the badge) are [`NoteKind::Blocking`], and
//! then no credential is produced. A produced credential always passes [`crate::ob3::validate`];
//! it must still be signed by its issuer (Data Integrity or VC-JWT) to be verifiable.
//!
//! The new ids are name-based (SHA-256 of the original id, UUID version 8), so converting the
//! same badge twice gives the same credential.
//!
//! | OB 2.0 | OB 3.0 | notes |
//! |---|---|---|
//! | Assertion `@context`, `type` | `@context` = VC 2.0 + OB 3.0.3, `type` = `VerifiableCredential`, `OpenBadgeCredential` | |
//! | Assertion `id` | `id` = `urn:uuid:` derived from it; the original becomes an `evidence` entry typed `https://w3id.org/openbadges#Assertion` | changed |
//! | Assertion `recipient` (`type`, `identity`, `hashed`, `salt`) | `credentialSubject.identifier[0]` IdentityObject (`identityType`: `email`→`emailAddress`, `url`→`ext:url`, `telephone`→`ext:telephone`, other→`ext:<type>`; `identityHash` = `identity`; `hashed`; `salt`) | an unhashed `url`/`id`/`did` recipient also becomes `credentialSubject.id` |
//! | Assertion `badge` | `credentialSubject.achievement` (see BadgeClass) | |
//! | Assertion `issuedOn` | `validFrom` and `awardedDate` | must be a date-time with zone, else blocking |
//! | Assertion `expires` | `validUntil` | |
//! | Assertion `image` | `credentialSubject.image` (Image) | |
//! | Assertion `evidence` (IRI or Evidence) | `evidence[]` (Evidence: `id`, `narrative`, `name`, `description`, `genre`, `audience`) | other Evidence properties not carried |
//! | Assertion `narrative` | `credentialSubject.narrative` | |
//! | Assertion `verification` (hosted / signed) | — | not carried: 3.0 credentials carry proofs; sign the result |
//! | Assertion `revoked: true`, `revocationReason` | — | blocking: a revoked badge is not re-issued |
//! | Assertion `endorsement` | — | not carried: endorsers must issue EndorsementCredentials |
//! | BadgeClass `id` | `achievement.id` = `urn:uuid:` derived from it; `achievement.related[0]` = the original, typed `https://w3id.org/openbadges#BadgeClass`, version `Open Badges v2p0` | changed |
//! | BadgeClass `name`, `description` | `achievement.name`, `achievement.description`; the credential `name` is the badge name | required |
//! | BadgeClass `image` (IRI, data URI or Image) | `achievement.image` (Image: `id`, `caption`) | |
//! | BadgeClass `criteria` (IRI or Criteria) | `achievement.criteria` (`id`, `narrative`) | required |
//! | BadgeClass `alignment` | `achievement.alignment[]` (`targetName`, `targetUrl`, `targetDescription`, `targetFramework`, `targetCode`) | entries without `targetName`/`targetUrl` not carried |
//! | BadgeClass `tags` | `achievement.tag` | |
//! | BadgeClass `@language` | `achievement.inLanguage` | |
//! | BadgeClass `version` | `achievement.version` | |
//! | BadgeClass `issuer` | `achievement.creator` (the converted issuer Profile) | must match the issuer given |
//! | BadgeClass `endorsement`, `related` | — | not carried |
//! | Issuer `id` | `issuer.id` (kept) | |
//! | Issuer `name`, `url`, `email`, `description` | same names | |
//! | Issuer `telephone` | `issuer.phone` | |
//! | Issuer `image` | `issuer.image` (Image) | |
//! | Issuer `publicKey` | — | not carried: 3.0 keys are found through the issuer's DID document or JWKS |
//! | Issuer `verification` (`allowedOrigins`, `startsWith`) | — | not carried: hosted verification has no 3.0 equivalent |
//! | Issuer `revocationList` | — | not carried: 3.0 status needs a new `credentialStatus` list |
//! | Issuer `endorsement`, `related` | — | not carried |
//! | any other property (extensions, `@language` of the assertion or issuer, …) | — | not carried: 3.0 properties need 3.0 context terms |
//!
//! ```
//! use openbadges_model::convert::ob2_to_ob3;
//! use serde_json::json;
//! let issuer = json!({"@context": "https://w3id.org/openbadges/v2", "type": "Issuer",
//!     "id": "https://example.org/issuer", "name": "Example", "url": "https://example.org",
//!     "email": "badges@example.org", "publicKey": "https://example.org/key"});
//! let badge = json!({"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass",
//!     "id": "https://example.org/badge", "name": "Badges 101", "description": "Basics.",
//!     "image": "https://example.org/badge.png", "criteria": {"narrative": "Pass the quiz."},
//!     "issuer": "https://example.org/issuer"});
//! let assertion = json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
//!     "id": "https://example.org/assertions/1", "badge": "https://example.org/badge",
//!     "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!     "issuedOn": "2024-01-31T12:00:00Z", "verification": {"type": "hosted"}});
//! let conversion = ob2_to_ob3(&assertion, &badge, &issuer);
//! let credential = conversion.credential.as_ref().expect("converted");
//! assert_eq!(credential.credential_subject.achievement.name, "Badges 101");
//! // What could not be carried over is reported, never silently dropped:
//! assert!(conversion.notes.iter().any(|n| n.path == "/verification"));
//! assert!(conversion.notes.iter().any(|n| n.path == "/publicKey"));
//! ```

mod assertion;
mod badge_class;
mod issuer;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::ob3::{Image, OpenBadgeCredential};
use crate::value::is_absolute_iri;
use crate::{Iri, pointer_join};

/// Which input document a [`ConversionNote`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The OB 2.0 Assertion.
    Assertion,
    /// The OB 2.0 BadgeClass.
    BadgeClass,
    /// The OB 2.0 issuer Profile.
    Issuer,
}

impl Source {
    /// `"assertion"`, `"badgeclass"` or `"issuer"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Assertion => "assertion",
            Source::BadgeClass => "badgeclass",
            Source::Issuer => "issuer",
        }
    }
}

/// What happened to a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoteKind {
    /// Carried over in a changed form (a new id, a renamed or restructured value).
    Changed,
    /// Not carried over: OB 3.0 has no place for it (or needs it re-issued in another form).
    NotCarried,
    /// A faithful credential cannot be produced; [`Conversion::credential`] is `None`.
    Blocking,
}

/// One thing the conversion did not carry over unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ConversionNote {
    /// Changed, not carried, or blocking.
    pub kind: NoteKind,
    /// The input document concerned.
    pub source: Source,
    /// JSON pointer into that document (`""` = the document itself).
    pub path: String,
    /// What happened and why, lowercase.
    pub message: String,
}

/// The result of [`ob2_to_ob3`].
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// The unsigned OB 3.0 credential; `None` when a [`NoteKind::Blocking`] note says why not.
    pub credential: Option<OpenBadgeCredential>,
    /// Everything not carried over unchanged, in input order.
    pub notes: Vec<ConversionNote>,
}

impl Conversion {
    /// Whether a credential was produced.
    pub fn is_converted(&self) -> bool {
        self.credential.is_some()
    }

    /// The notes of one kind.
    pub fn notes_of(&self, kind: NoteKind) -> impl Iterator<Item = &ConversionNote> {
        self.notes.iter().filter(move |n| n.kind == kind)
    }
}

/// The notes of one conversion, in the order they were found.
struct Notes(Vec<ConversionNote>);

impl Notes {
    fn push(&mut self, kind: NoteKind, source: Source, path: &str, message: impl Into<String>) {
        self.0.push(ConversionNote {
            kind,
            source,
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn blocking(&self) -> bool {
        self.0.iter().any(|n| n.kind == NoteKind::Blocking)
    }

    /// Reports every key of `obj` not in `handled` as not carried.
    fn rest(&mut self, obj: &Map<String, Value>, handled: &[&str], source: Source, path: &str) {
        for key in obj.keys() {
            if !handled.contains(&key.as_str()) {
                self.push(
                    NoteKind::NotCarried,
                    source,
                    &pointer_join(path, key),
                    format!("`{key}` has no OB 3.0 equivalent and is not carried over"),
                );
            }
        }
    }
}

/// The string value of `key`, if it is one.
fn str_of<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

/// The `id` of an IRI-or-object value.
fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => str_of(o, "id"),
        _ => None,
    }
}

/// Converts an OB 2.0 award (assertion, badge class, issuer profile) to an unsigned OB 3.0
/// OpenBadgeCredential. See the [module documentation](self) for the mapping.
///
/// If the assertion embeds its badge class (or the badge class its issuer) and the separate
/// argument is `Value::Null`, the embedded object is used.
pub fn ob2_to_ob3(assertion: &Value, badge_class: &Value, issuer: &Value) -> Conversion {
    let mut notes = Notes(Vec::new());
    let credential = assertion::convert(assertion, badge_class, issuer, &mut notes);
    let credential = if notes.blocking() { None } else { credential };
    Conversion {
        credential,
        notes: notes.0,
    }
}

/// [`ob2_to_ob3`] for the typed OB 2.0 model.
///
/// ```
/// use openbadges_model::convert::ob2_typed_to_ob3;
/// use openbadges_model::ob2::{Assertion, BadgeClass, Profile};
/// use serde_json::json;
/// let issuer = Profile::from_value(&json!({"@context": "https://w3id.org/openbadges/v2",
///     "type": "Issuer", "id": "https://example.org/issuer", "name": "Example",
///     "url": "https://example.org", "email": "badges@example.org"}))?;
/// let badge = BadgeClass::from_value(&json!({"@context": "https://w3id.org/openbadges/v2",
///     "type": "BadgeClass", "id": "https://example.org/badge", "name": "Badges 101",
///     "description": "Basics.", "image": "https://example.org/badge.png",
///     "criteria": "https://example.org/criteria", "issuer": "https://example.org/issuer"}))?;
/// let assertion = Assertion::from_value(&json!({"@context": "https://w3id.org/openbadges/v2",
///     "type": "Assertion", "id": "https://example.org/assertions/1",
///     "badge": "https://example.org/badge", "issuedOn": "2024-01-31T12:00:00Z",
///     "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
///     "verification": {"type": "hosted"}}))?;
/// assert!(ob2_typed_to_ob3(&assertion, &badge, &issuer).is_converted());
/// # Ok::<(), openbadges_model::Error>(())
/// ```
pub fn ob2_typed_to_ob3(
    assertion: &crate::ob2::Assertion,
    badge_class: &crate::ob2::BadgeClass,
    issuer: &crate::ob2::Profile,
) -> Conversion {
    let values = (
        serde_json::to_value(assertion),
        serde_json::to_value(badge_class),
        serde_json::to_value(issuer),
    );
    match values {
        (Ok(a), Ok(b), Ok(i)) => ob2_to_ob3(&a, &b, &i),
        _ => Conversion {
            credential: None,
            notes: vec![ConversionNote {
                kind: NoteKind::Blocking,
                source: Source::Assertion,
                path: String::new(),
                message: "the OB 2.0 documents could not be serialized".into(),
            }],
        },
    }
}

/// An OB 2.0 `image` (an IRI, a data URI or an Image object) as an OB 3.0 Image; anything else
/// is noted as not carried.
fn convert_image(v: &Value, source: Source, path: &str, notes: &mut Notes) -> Option<Image> {
    match v {
        Value::String(s) if is_absolute_iri(s) => Some(Image::new(Iri::new_unchecked(s.clone()))),
        Value::Object(o) => match str_of(o, "id") {
            Some(id) if is_absolute_iri(id) => {
                let mut img = Image::new(Iri::new_unchecked(id));
                img.caption = str_of(o, "caption").map(str::to_string);
                notes.rest(o, &["id", "type", "caption"], source, path);
                Some(img)
            }
            _ => {
                notes.push(
                    NoteKind::NotCarried,
                    source,
                    path,
                    "the image has no absolute IRI `id` and is not carried over",
                );
                None
            }
        },
        _ => {
            notes.push(
                NoteKind::NotCarried,
                source,
                path,
                "the image is not an IRI or an Image object and is not carried over",
            );
            None
        }
    }
}
