//! Open Badges 2.0: typed, lossless objects, builders and structural validation.
//!
//! # The model
//! Every class of the [OB 2.0 vocabulary](https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html)
//! has a struct here: [`Assertion`], [`BadgeClass`], [`Profile`] (the `Issuer`), [`IdentityObject`],
//! [`VerificationObject`], [`Evidence`], [`Image`], [`Criteria`], [`AlignmentObject`],
//! [`RevocationList`] (with [`RevokedEntry`]), [`CryptographicKey`] and [`Endorsement`].
//!
//! - **Lossless.** Every struct keeps the properties it does not know (extensions such as
//!   `extensions:ApplyLink`, deprecated `uid`, vendor properties) in `extra`, and every known
//!   property keeps the shape it was read in: a single value stays single ([`OneOrMany::One`](crate::OneOrMany::One)),
//!   an IRI stays an IRI ([`IdOrObject::Id`](crate::IdOrObject::Id)). Parsing then serializing gives back an equal JSON
//!   value. The one exception: a known property whose value is JSON `null` is dropped, which
//!   JSON-LD defines as equivalent (null values are ignored).
//! - **Lenient on read, strict on write.** Parsing ([`Assertion::from_value`] and friends) only
//!   fails when a property has the wrong JSON shape (a number where text is expected, …), with the
//!   JSON pointer of the node; required-but-absent properties are the job of [`validate`], which
//!   reports every problem at once. So a revoked assertion stripped to `{id, revoked}` (which the
//!   spec allows) still parses. Builders ([`AssertionBuilder`], [`BadgeClassBuilder`],
//!   [`ProfileBuilder`]) are the strict side: `build()` refuses anything [`validate`] would flag.
//! - **Not `#[non_exhaustive]`.** OB 2.0 is a finished specification; new properties arrive as
//!   extensions, which land in `extra`. The structs can therefore be built with literals.
//!
//! ```
//! use openbadges_model::{ob2::Assertion, IdOrObject};
//! let a: Assertion = r#"{
//!   "@context": "https://w3id.org/openbadges/v2",
//!   "type": "Assertion",
//!   "id": "https://example.org/assertions/1",
//!   "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!   "badge": "https://example.org/badges/1",
//!   "verification": {"type": "hosted"},
//!   "issuedOn": "2024-01-31T12:00:00Z",
//!   "extensions:ApplyLink": {"url": "https://example.org/apply"}
//! }"#.parse()?;
//! assert!(matches!(a.badge, Some(IdOrObject::Id(_))));
//! assert!(a.extra.contains_key("extensions:ApplyLink"));
//! assert!(openbadges_model::ob2::validate(&a.to_value()?, None).is_empty());
//! # Ok::<(), openbadges_model::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::{Class, Error};

/// Properties a struct does not model, kept verbatim (extensions, vendor properties, `uid`, …).
pub type Extra = Map<String, Value>;

/// The JSON-LD prefix of Open Badges extensions in the v2 context (`extensions:Name`).
pub const EXTENSIONS_PREFIX: &str = "extensions:";
/// The full IRI Open Badges extensions expand to.
pub const EXTENSIONS_IRI: &str = "https://w3id.org/openbadges/extensions#";

/// `version` values: OB 2.0 allows text or a number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TextOrNumber {
    /// A string such as `"1.2"`.
    Text(String),
    /// A number such as `2`.
    Number(serde_json::Number),
}

mod assertion;
mod badge_class;
mod builder;
mod endorsement;
mod profile;
pub mod terms;
mod validate;

pub use assertion::{
    Assertion, Evidence, IdentityObject, VerificationObject, VerificationType, verification_type,
};
pub use badge_class::{AlignmentObject, BadgeClass, Criteria, Image};
pub use builder::{AssertionBuilder, BadgeClassBuilder, ProfileBuilder};
pub use endorsement::{Endorsement, EndorsementClaim};
pub use profile::{CryptographicKey, Profile, RevocationList, RevokedAssertion, RevokedEntry};
pub use validate::{is_email, is_iso_datetime_with_zone, is_url, validate};

fn extensions_of(extra: &Extra) -> impl Iterator<Item = (&String, &Value)> {
    extra
        .iter()
        .filter(|(k, _)| k.starts_with(EXTENSIONS_PREFIX) || k.starts_with(EXTENSIONS_IRI))
}

/// Any standalone OB 2.0 document, typed by its class.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Document {
    /// An assertion.
    Assertion(Box<Assertion>),
    /// A badge class.
    BadgeClass(Box<BadgeClass>),
    /// A profile / issuer.
    Profile(Box<Profile>),
    /// A cryptographic key.
    CryptographicKey(Box<CryptographicKey>),
    /// A revocation list.
    RevocationList(Box<RevocationList>),
    /// An endorsement.
    Endorsement(Box<Endorsement>),
}

impl Document {
    /// Reads `value` as the given class, or as the class [`crate::detect()`] finds.
    ///
    /// # Errors
    /// [`Error::Shape`] when the class is unknown or not an OB 2.0 class (path `""`), or when the
    /// value does not fit it (with the JSON pointer of the offending node).
    pub fn from_value(value: &Value, class: Option<&Class>) -> Result<Self, Error> {
        let detected;
        let class = match class {
            Some(c) => c,
            None => {
                detected = crate::detect(value)
                    .class
                    .ok_or_else(|| Error::shape("", "not a recognised open badges 2.0 class"))?;
                &detected
            }
        };
        Ok(match class {
            Class::Assertion => Document::Assertion(Box::new(Assertion::from_value(value)?)),
            Class::BadgeClass => Document::BadgeClass(Box::new(BadgeClass::from_value(value)?)),
            Class::Profile => Document::Profile(Box::new(Profile::from_value(value)?)),
            Class::CryptographicKey => {
                Document::CryptographicKey(Box::new(CryptographicKey::from_value(value)?))
            }
            Class::RevocationList => {
                Document::RevocationList(Box::new(RevocationList::from_value(value)?))
            }
            Class::Endorsement => Document::Endorsement(Box::new(Endorsement::from_value(value)?)),
            other => {
                return Err(Error::shape(
                    "",
                    format!("{other} is not an open badges 2.0 class"),
                ));
            }
        })
    }

    /// Serializes the document.
    ///
    /// # Errors
    /// [`Error::Shape`] if serialization fails.
    pub fn to_value(&self) -> Result<Value, Error> {
        match self {
            Document::Assertion(d) => d.to_value(),
            Document::BadgeClass(d) => d.to_value(),
            Document::Profile(d) => d.to_value(),
            Document::CryptographicKey(d) => d.to_value(),
            Document::RevocationList(d) => d.to_value(),
            Document::Endorsement(d) => d.to_value(),
        }
    }
}
