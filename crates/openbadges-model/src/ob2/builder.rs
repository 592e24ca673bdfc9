//! Builders for the issuing side: they set `@context` and `type`, enforce the required
//! properties, and refuse to build anything [`super::validate`] reports an error for.

use serde_json::Value;

use super::{
    Assertion, BadgeClass, Criteria, Evidence, Extra, IdentityObject, Image, Profile,
    VerificationObject,
};
use crate::detect::OB2_CONTEXT;
use crate::{Class, DateTime, Error, IdOrObject, Iri, OneOrMany};

fn require<T>(v: Option<T>, name: &'static str) -> Result<T, Error> {
    v.ok_or(Error::MissingProperty(name))
}

fn iri(s: &str, property: &'static str) -> Result<Iri, Error> {
    Iri::parse(s).map_err(|_| Error::InvalidValue {
        property,
        message: format!("`{s}` is not an absolute iri"),
    })
}

/// Runs [`super::validate`] on a built object and turns its first error into an [`Error`].
fn check(value: &Value, class: &Class, what: &'static str) -> Result<(), Error> {
    match super::validate(value, Some(class))
        .into_iter()
        .find(crate::Problem::is_error)
    {
        Some(p) => Err(Error::InvalidValue {
            property: what,
            message: format!(
                "{} at {}: {}",
                p.code,
                if p.path.is_empty() { "/" } else { &p.path },
                p.message
            ),
        }),
        None => Ok(()),
    }
}

/// Builds a valid OB 2.0 [`Assertion`].
///
/// ```
/// use openbadges_model::ob2::{Assertion, IdentityObject, VerificationObject};
/// use openbadges_model::{DateTime, Salt};
/// let a = Assertion::builder()
///     .id("https://example.org/assertions/1")
///     .recipient(IdentityObject::hashed("email", "student@example.org", Salt::new("deadsea")))
///     .badge_iri("https://example.org/badges/1")
///     .verification(VerificationObject::hosted())
///     .issued_on(DateTime::new("2024-01-31T12:00:00Z"))
///     .build()?;
/// assert_eq!(a.to_value()?["type"], "Assertion");
/// // A missing required property is an error, not an invalid badge:
/// assert!(Assertion::builder().id("https://example.org/a/2").build().is_err());
/// # Ok::<(), openbadges_model::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct AssertionBuilder {
    id: Option<String>,
    recipient: Option<IdentityObject>,
    badge: Option<IdOrObject<BadgeClass>>,
    verification: Option<VerificationObject>,
    issued_on: Option<DateTime>,
    expires: Option<DateTime>,
    image: Option<String>,
    evidence: Vec<IdOrObject<Evidence>>,
    narrative: Option<String>,
    extra: Extra,
}

impl AssertionBuilder {
    /// The assertion's IRI (required): the hosted URL, or a `urn:uuid:` for signed badges.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    /// The recipient (required).
    pub fn recipient(mut self, r: IdentityObject) -> Self {
        self.recipient = Some(r);
        self
    }
    /// The badge class by IRI (this or [`Self::badge`] is required).
    pub fn badge_iri(mut self, iri: impl Into<String>) -> Self {
        self.badge = Some(IdOrObject::Id(Iri::new_unchecked(iri)));
        self
    }
    /// The badge class, embedded.
    pub fn badge(mut self, b: BadgeClass) -> Self {
        self.badge = Some(IdOrObject::Object(Box::new(b)));
        self
    }
    /// How to verify it (required): [`VerificationObject::hosted`] or `signed`.
    pub fn verification(mut self, v: VerificationObject) -> Self {
        self.verification = Some(v);
        self
    }
    /// When it was awarded (required; ISO 8601 with a time zone).
    pub fn issued_on(mut self, t: DateTime) -> Self {
        self.issued_on = Some(t);
        self
    }
    /// When it expires.
    pub fn expires(mut self, t: DateTime) -> Self {
        self.expires = Some(t);
        self
    }
    /// The (baked) image URL.
    pub fn image(mut self, iri: impl Into<String>) -> Self {
        self.image = Some(iri.into());
        self
    }
    /// Adds evidence (an IRI or an object).
    pub fn evidence(mut self, e: IdOrObject<Evidence>) -> Self {
        self.evidence.push(e);
        self
    }
    /// A narrative.
    pub fn narrative(mut self, n: impl Into<String>) -> Self {
        self.narrative = Some(n.into());
        self
    }
    /// An extension or other extra property (e.g. `extensions:ApplyLink`).
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// Builds the assertion.
    ///
    /// # Errors
    /// [`Error::MissingProperty`] for an absent required property; [`Error::InvalidValue`] for
    /// a value validation rejects (bad IRI, date without a time zone, malformed hash, …).
    pub fn build(self) -> Result<Assertion, Error> {
        let id = iri(&require(self.id, "id")?, "id")?;
        let a = Assertion {
            context: Some(Value::String(OB2_CONTEXT.into())),
            id: Some(id),
            type_: Some(OneOrMany::One("Assertion".into())),
            recipient: Some(require(self.recipient, "recipient")?),
            badge: Some(require(self.badge, "badge")?),
            verification: Some(require(self.verification, "verification")?),
            verify: None,
            issued_on: Some(require(self.issued_on, "issuedOn")?),
            image: self.image.map(|i| IdOrObject::Id(Iri::new_unchecked(i))),
            evidence: match self.evidence.len() {
                0 => None,
                1 => self.evidence.into_iter().next().map(OneOrMany::One),
                _ => Some(OneOrMany::Many(self.evidence)),
            },
            narrative: self.narrative,
            expires: self.expires,
            revoked: None,
            revocation_reason: None,
            endorsement: None,
            extra: self.extra,
        };
        check(&a.to_value()?, &Class::Assertion, "assertion")?;
        Ok(a)
    }
}

/// Builds a valid OB 2.0 [`BadgeClass`].
///
/// ```
/// use openbadges_model::ob2::BadgeClass;
/// let b = BadgeClass::builder()
///     .id("https://example.org/badges/1")
///     .name("Badges 101")
///     .description("Passed the Badges 101 quiz.")
///     .image("https://example.org/badges/1.png")
///     .criteria_narrative("Answer all three questions correctly.")
///     .issuer_iri("https://example.org/issuer")
///     .build()?;
/// assert_eq!(b.name.as_deref(), Some("Badges 101"));
/// # Ok::<(), openbadges_model::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct BadgeClassBuilder {
    id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    image: Option<IdOrObject<Image>>,
    criteria: Option<IdOrObject<Criteria>>,
    issuer: Option<IdOrObject<Profile>>,
    tags: Vec<String>,
    extra: Extra,
}

impl BadgeClassBuilder {
    /// The badge class IRI (required).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    /// The name (required).
    pub fn name(mut self, s: impl Into<String>) -> Self {
        self.name = Some(s.into());
        self
    }
    /// The description (required).
    pub fn description(mut self, s: impl Into<String>) -> Self {
        self.description = Some(s.into());
        self
    }
    /// The image URL or data URI (required).
    pub fn image(mut self, iri: impl Into<String>) -> Self {
        self.image = Some(IdOrObject::Id(Iri::new_unchecked(iri)));
        self
    }
    /// The criteria page URL (this or a narrative is required).
    pub fn criteria_url(mut self, iri: impl Into<String>) -> Self {
        self.criteria = Some(IdOrObject::Id(Iri::new_unchecked(iri)));
        self
    }
    /// The criteria as an embedded narrative.
    pub fn criteria_narrative(mut self, s: impl Into<String>) -> Self {
        self.criteria = Some(IdOrObject::Object(Box::new(Criteria {
            narrative: Some(s.into()),
            ..Criteria::default()
        })));
        self
    }
    /// The issuer by IRI (this or [`Self::issuer`] is required).
    pub fn issuer_iri(mut self, iri: impl Into<String>) -> Self {
        self.issuer = Some(IdOrObject::Id(Iri::new_unchecked(iri)));
        self
    }
    /// The issuer, embedded.
    pub fn issuer(mut self, p: Profile) -> Self {
        self.issuer = Some(IdOrObject::Object(Box::new(p)));
        self
    }
    /// Adds a tag.
    pub fn tag(mut self, t: impl Into<String>) -> Self {
        self.tags.push(t.into());
        self
    }
    /// An extension or other extra property.
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// Builds the badge class.
    ///
    /// # Errors
    /// [`Error::MissingProperty`] or [`Error::InvalidValue`] as for [`AssertionBuilder::build`].
    pub fn build(self) -> Result<BadgeClass, Error> {
        let id = iri(&require(self.id, "id")?, "id")?;
        let b = BadgeClass {
            context: Some(Value::String(OB2_CONTEXT.into())),
            id: Some(id),
            type_: Some(OneOrMany::One("BadgeClass".into())),
            name: Some(require(self.name, "name")?),
            description: Some(require(self.description, "description")?),
            image: Some(require(self.image, "image")?),
            criteria: Some(require(self.criteria, "criteria")?),
            issuer: Some(require(self.issuer, "issuer")?),
            alignment: None,
            tags: (!self.tags.is_empty()).then_some(OneOrMany::Many(self.tags)),
            version: None,
            endorsement: None,
            extra: self.extra,
        };
        check(&b.to_value()?, &Class::BadgeClass, "badge class")?;
        Ok(b)
    }
}

/// Builds a valid OB 2.0 issuer [`Profile`] (`type: Issuer`, with `name`, `url` and `email`).
///
/// ```
/// use openbadges_model::ob2::Profile;
/// let p = Profile::builder()
///     .id("https://example.org/issuer")
///     .name("Example Issuer")
///     .url("https://example.org")
///     .email("badges@example.org")
///     .build()?;
/// assert_eq!(p.to_value()?["type"], "Issuer");
/// assert!(Profile::builder().id("https://example.org/i").name("x").url("https://example.org")
///     .email("not an email").build().is_err());
/// # Ok::<(), openbadges_model::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProfileBuilder {
    id: Option<String>,
    name: Option<String>,
    url: Option<String>,
    email: Option<String>,
    description: Option<String>,
    image: Option<String>,
    telephone: Option<String>,
    public_key: Vec<String>,
    revocation_list: Option<String>,
    verification: Option<VerificationObject>,
    extra: Extra,
}

impl ProfileBuilder {
    /// The profile IRI (required).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
    /// The name (required for issuers).
    pub fn name(mut self, s: impl Into<String>) -> Self {
        self.name = Some(s.into());
        self
    }
    /// The home page (required for issuers).
    pub fn url(mut self, s: impl Into<String>) -> Self {
        self.url = Some(s.into());
        self
    }
    /// The contact email (required for issuers).
    pub fn email(mut self, s: impl Into<String>) -> Self {
        self.email = Some(s.into());
        self
    }
    /// A description.
    pub fn description(mut self, s: impl Into<String>) -> Self {
        self.description = Some(s.into());
        self
    }
    /// An image URL or data URI.
    pub fn image(mut self, s: impl Into<String>) -> Self {
        self.image = Some(s.into());
        self
    }
    /// A telephone number (E.164).
    pub fn telephone(mut self, s: impl Into<String>) -> Self {
        self.telephone = Some(s.into());
        self
    }
    /// Adds a public key IRI.
    pub fn public_key(mut self, iri: impl Into<String>) -> Self {
        self.public_key.push(iri.into());
        self
    }
    /// The revocation list IRI.
    pub fn revocation_list(mut self, iri: impl Into<String>) -> Self {
        self.revocation_list = Some(iri.into());
        self
    }
    /// The verification policy (`startsWith`, `allowedOrigins`).
    pub fn verification(mut self, v: VerificationObject) -> Self {
        self.verification = Some(v);
        self
    }
    /// An extension or other extra property.
    pub fn extra(mut self, key: impl Into<String>, value: Value) -> Self {
        self.extra.insert(key.into(), value);
        self
    }

    /// Builds the issuer profile.
    ///
    /// # Errors
    /// [`Error::MissingProperty`] or [`Error::InvalidValue`] as for [`AssertionBuilder::build`].
    pub fn build(self) -> Result<Profile, Error> {
        let id = iri(&require(self.id, "id")?, "id")?;
        let mut keys: Vec<IdOrObject<super::CryptographicKey>> = self
            .public_key
            .into_iter()
            .map(|k| IdOrObject::Id(Iri::new_unchecked(k)))
            .collect();
        let public_key = match keys.len() {
            0 => None,
            1 => keys.pop().map(OneOrMany::One),
            _ => Some(OneOrMany::Many(keys)),
        };
        let p = Profile {
            context: Some(Value::String(OB2_CONTEXT.into())),
            id: Some(id),
            type_: Some(OneOrMany::One("Issuer".into())),
            name: Some(require(self.name, "name")?),
            url: Some(OneOrMany::One(require(self.url, "url")?)),
            telephone: self.telephone.map(OneOrMany::One),
            description: self.description,
            image: self.image.map(|i| IdOrObject::Id(Iri::new_unchecked(i))),
            email: Some(OneOrMany::One(require(self.email, "email")?)),
            public_key,
            verification: self.verification,
            revocation_list: self
                .revocation_list
                .map(|r| IdOrObject::Id(Iri::new_unchecked(r))),
            endorsement: None,
            extra: self.extra,
        };
        check(&p.to_value()?, &Class::Profile, "profile")?;
        Ok(p)
    }
}
