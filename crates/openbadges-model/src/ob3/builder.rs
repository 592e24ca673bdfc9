//! Builders for the issuing side: they refuse to build what [`validate`](super::validate)
//! would reject.

use serde_json::Value;

use super::{
    Achievement, AchievementResult, AchievementSubject, Alignment, ContextEntry, Criteria,
    Evidence, Extra, IdentityObject, Image, OpenBadgeCredential, Profile,
};
use super::{CLR2_CONTEXT, OB3_CONTEXT, TypeSet, to_value, validate};
use crate::detect::VC2_CONTEXT;
use crate::{Class, DateTime, Error, IdOrObject, Iri, OneOrMany};

/// Builds an [`OpenBadgeCredential`] (unsigned, VC Data Model 2.0 shape).
///
/// Required: an issuer, an achievement, the recipient (an `id` and/or an identity object) and
/// `validFrom`. The credential `id` defaults to a fresh random `urn:uuid:` and its `name` to the
/// achievement's name. [`build`](Self::build) runs [`validate`](super::validate) on the result
/// and refuses anything with an error, so a built credential is always structurally valid.
///
/// ```
/// use openbadges_model::ob3::{AchievementBuilder, CredentialBuilder, IdentityObject, ProfileBuilder};
/// use openbadges_model::{DateTime, Iri};
/// let issuer = ProfileBuilder::new(Iri::parse("https://example.org/issuer")?)
///     .name("Example Org")
///     .build()?;
/// let achievement = AchievementBuilder::new(
///     Iri::parse("https://example.org/achievements/badges-101")?,
///     "Badges 101",
///     "Understands what an Open Badge is.",
/// )
/// .criteria_narrative("Answer three questions correctly.")
/// .build()?;
/// let credential = CredentialBuilder::new()
///     .issuer(issuer)
///     .achievement(achievement)
///     .recipient_identity(IdentityObject::hashed("emailAddress", "student@example.org")?)
///     .valid_from(DateTime::new("2024-01-31T12:00:00Z"))
///     .build()?;
/// assert!(credential.id.as_ref().is_some_and(|i| i.as_str().starts_with("urn:uuid:")));
/// # Ok::<(), openbadges_model::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CredentialBuilder {
    id: Option<Iri>,
    name: Option<String>,
    description: Option<String>,
    image: Option<Image>,
    issuer: Option<IdOrObject<Profile>>,
    achievement: Option<Achievement>,
    subject_id: Option<Iri>,
    identifiers: Vec<IdentityObject>,
    results: Vec<AchievementResult>,
    narrative: Option<String>,
    evidence: Vec<Evidence>,
    valid_from: Option<DateTime>,
    valid_until: Option<DateTime>,
    awarded_date: Option<DateTime>,
    extra_contexts: Vec<String>,
    clr_context: bool,
}

impl CredentialBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// The credential id (default: a random `urn:uuid:`).
    pub fn id(mut self, id: Iri) -> Self {
        self.id = Some(id);
        self
    }

    /// The display name (default: the achievement's name).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The display description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The display image.
    pub fn image(mut self, image: Image) -> Self {
        self.image = Some(image);
        self
    }

    /// The issuer, embedded as a Profile (recommended: verifiers and displayers need its name).
    pub fn issuer(mut self, profile: Profile) -> Self {
        self.issuer = Some(IdOrObject::Object(Box::new(profile)));
        self
    }

    /// The issuer by IRI only.
    pub fn issuer_id(mut self, id: Iri) -> Self {
        self.issuer = Some(IdOrObject::Id(id));
        self
    }

    /// The achievement awarded.
    pub fn achievement(mut self, achievement: Achievement) -> Self {
        self.achievement = Some(achievement);
        self
    }

    /// The recipient's id (a DID or URL).
    pub fn recipient_id(mut self, id: Iri) -> Self {
        self.subject_id = Some(id);
        self
    }

    /// An identity object naming the recipient (may be called several times).
    pub fn recipient_identity(mut self, identity: IdentityObject) -> Self {
        self.identifiers.push(identity);
        self
    }

    /// A result achieved (may be called several times).
    pub fn result(mut self, result: AchievementResult) -> Self {
        self.results.push(result);
        self
    }

    /// The subject's narrative.
    pub fn narrative(mut self, narrative: impl Into<String>) -> Self {
        self.narrative = Some(narrative.into());
        self
    }

    /// An evidence item (may be called several times).
    pub fn evidence(mut self, evidence: Evidence) -> Self {
        self.evidence.push(evidence);
        self
    }

    /// When the credential becomes valid (required).
    pub fn valid_from(mut self, t: DateTime) -> Self {
        self.valid_from = Some(t);
        self
    }

    /// When the credential stops being valid.
    pub fn valid_until(mut self, t: DateTime) -> Self {
        self.valid_until = Some(t);
        self
    }

    /// When the credential was awarded.
    pub fn awarded_date(mut self, t: DateTime) -> Self {
        self.awarded_date = Some(t);
        self
    }

    /// An extra `@context` IRI after the VC and OB contexts (for extensions).
    pub fn context(mut self, iri: impl Into<String>) -> Self {
        self.extra_contexts.push(iri.into());
        self
    }

    /// Also declares the CLR 2.0 context (for credentials bundled in a CLR that use CLR terms).
    pub fn with_clr_context(mut self) -> Self {
        self.clr_context = true;
        self
    }

    /// Builds the credential.
    ///
    /// # Errors
    /// [`Error::MissingProperty`] for a missing issuer, achievement, recipient or `validFrom`;
    /// [`Error::InvalidValue`] when the result would not pass [`validate`](super::validate)
    /// (an unparseable date, `validUntil` before `validFrom`, an invalid IRI, …);
    /// [`Error::Random`] if the system random source fails while making an id.
    pub fn build(self) -> Result<OpenBadgeCredential, Error> {
        let issuer = self.issuer.ok_or(Error::MissingProperty("issuer"))?;
        let achievement = self
            .achievement
            .ok_or(Error::MissingProperty("achievement"))?;
        if self.subject_id.is_none() && self.identifiers.is_empty() {
            return Err(Error::MissingProperty("credentialSubject.id or identifier"));
        }
        let valid_from = self.valid_from.ok_or(Error::MissingProperty("validFrom"))?;
        let id = match self.id {
            Some(id) => id,
            None => random_urn_uuid()?,
        };
        let mut context = vec![
            ContextEntry::from(VC2_CONTEXT),
            ContextEntry::from(OB3_CONTEXT),
        ];
        if self.clr_context {
            context.push(ContextEntry::from(CLR2_CONTEXT));
        }
        context.extend(
            self.extra_contexts
                .iter()
                .map(|c| ContextEntry::from(c.as_str())),
        );
        let name = self.name.unwrap_or_else(|| achievement.name.clone());
        let subject = AchievementSubject {
            id: self.subject_id,
            types: TypeSet::many(["AchievementSubject"]),
            activity_end_date: None,
            activity_start_date: None,
            credits_earned: None,
            achievement,
            identifier: non_empty(self.identifiers),
            image: None,
            license_number: None,
            narrative: self.narrative,
            result: non_empty(self.results),
            role: None,
            source: None,
            term: None,
            extra: Extra::new(),
        };
        let credential = OpenBadgeCredential {
            context: OneOrMany::Many(context),
            id: Some(id),
            types: TypeSet::many(["VerifiableCredential", "OpenBadgeCredential"]),
            name: Some(name),
            description: self.description,
            image: self.image.map(|i| IdOrObject::Object(Box::new(i))),
            awarded_date: self.awarded_date,
            credential_subject: subject,
            endorsement: None,
            endorsement_jwt: None,
            evidence: non_empty(self.evidence),
            issuer,
            valid_from: Some(valid_from),
            valid_until: self.valid_until,
            issuance_date: None,
            expiration_date: None,
            proof: None,
            credential_schema: None,
            credential_status: None,
            refresh_service: None,
            terms_of_use: None,
            extra: Extra::new(),
        };
        check(&credential, Class::OpenBadgeCredential)?;
        Ok(credential)
    }
}

/// Builds an [`Achievement`].
///
/// Required: `id`, `name`, `description` (given to [`new`](Self::new)) and criteria (a narrative
/// and/or a criteria page IRI).
///
/// ```
/// use openbadges_model::ob3::AchievementBuilder;
/// use openbadges_model::Iri;
/// let a = AchievementBuilder::new(Iri::parse("urn:uuid:2b1f0a9e-0000-4000-8000-000000000001")?, "Teamwork", "Works well in a team.")
///     .criteria_narrative("Nominated by peers.")
///     .achievement_type("Badge")
///     .tag("teamwork")
///     .build()?;
/// assert_eq!(a.name, "Teamwork");
/// assert!(AchievementBuilder::new(Iri::parse("urn:x:1")?, "No criteria", "d").build().is_err());
/// # Ok::<(), openbadges_model::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct AchievementBuilder {
    id: Iri,
    name: String,
    description: String,
    criteria: Criteria,
    image: Option<Image>,
    achievement_type: Option<String>,
    creator: Option<Profile>,
    alignment: Vec<Alignment>,
    tags: Vec<String>,
    field_of_study: Option<String>,
    human_code: Option<String>,
    in_language: Option<String>,
    version: Option<String>,
}

impl AchievementBuilder {
    /// A builder with the required id, name and description.
    pub fn new(id: Iri, name: impl Into<String>, description: impl Into<String>) -> Self {
        AchievementBuilder {
            id,
            name: name.into(),
            description: description.into(),
            criteria: Criteria::default(),
            image: None,
            achievement_type: None,
            creator: None,
            alignment: Vec::new(),
            tags: Vec::new(),
            field_of_study: None,
            human_code: None,
            in_language: None,
            version: None,
        }
    }

    /// The criteria narrative (Markdown).
    pub fn criteria_narrative(mut self, narrative: impl Into<String>) -> Self {
        self.criteria.narrative = Some(narrative.into());
        self
    }

    /// The criteria page.
    pub fn criteria_url(mut self, url: Iri) -> Self {
        self.criteria.id = Some(url);
        self
    }

    /// The badge image.
    pub fn image(mut self, image: Image) -> Self {
        self.image = Some(image);
        self
    }

    /// The achievement type (`Badge`, `Certificate`, …, or `ext:…`).
    pub fn achievement_type(mut self, t: impl Into<String>) -> Self {
        self.achievement_type = Some(t.into());
        self
    }

    /// Who created the achievement definition.
    pub fn creator(mut self, creator: Profile) -> Self {
        self.creator = Some(creator);
        self
    }

    /// An alignment (may be called several times).
    pub fn alignment(mut self, alignment: Alignment) -> Self {
        self.alignment.push(alignment);
        self
    }

    /// A keyword (may be called several times).
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }

    /// Field of study.
    pub fn field_of_study(mut self, s: impl Into<String>) -> Self {
        self.field_of_study = Some(s.into());
        self
    }

    /// Human-readable code.
    pub fn human_code(mut self, s: impl Into<String>) -> Self {
        self.human_code = Some(s.into());
        self
    }

    /// Language (BCP 47).
    pub fn in_language(mut self, s: impl Into<String>) -> Self {
        self.in_language = Some(s.into());
        self
    }

    /// Version string.
    pub fn version(mut self, s: impl Into<String>) -> Self {
        self.version = Some(s.into());
        self
    }

    /// Builds the achievement.
    ///
    /// # Errors
    /// [`Error::MissingProperty`] without criteria; [`Error::InvalidValue`] when the result would
    /// not pass [`validate`](super::validate) (an empty name, an unknown achievement type, …).
    pub fn build(self) -> Result<Achievement, Error> {
        if self.criteria.id.is_none() && self.criteria.narrative.is_none() {
            return Err(Error::MissingProperty("criteria"));
        }
        let achievement = Achievement {
            id: self.id,
            types: TypeSet::many(["Achievement"]),
            alignment: non_empty(self.alignment),
            achievement_type: self.achievement_type,
            creator: self.creator.map(|p| IdOrObject::Object(Box::new(p))),
            credits_available: None,
            criteria: self.criteria,
            description: self.description,
            endorsement: None,
            endorsement_jwt: None,
            field_of_study: self.field_of_study,
            human_code: self.human_code,
            image: self.image.map(|i| IdOrObject::Object(Box::new(i))),
            in_language: self.in_language,
            name: self.name,
            other_identifier: None,
            related: None,
            result_description: None,
            specialization: None,
            tag: non_empty(self.tags),
            version: self.version,
            extra: Extra::new(),
        };
        check(&achievement, Class::Achievement)?;
        Ok(achievement)
    }
}

/// Builds a [`Profile`] (an issuer, creator or endorser).
///
/// ```
/// use openbadges_model::ob3::ProfileBuilder;
/// use openbadges_model::Iri;
/// let p = ProfileBuilder::new(Iri::parse("did:web:example.org")?)
///     .name("Example Org")
///     .url(Iri::parse("https://example.org")?)
///     .email("badges@example.org")
///     .build()?;
/// assert_eq!(p.name.as_deref(), Some("Example Org"));
/// # Ok::<(), openbadges_model::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct ProfileBuilder {
    profile: Profile,
}

impl ProfileBuilder {
    /// A builder for the profile with this id.
    pub fn new(id: Iri) -> Self {
        ProfileBuilder {
            profile: Profile {
                id,
                types: TypeSet::many(["Profile"]),
                name: None,
                url: None,
                phone: None,
                description: None,
                endorsement: None,
                endorsement_jwt: None,
                image: None,
                email: None,
                address: None,
                other_identifier: None,
                official: None,
                parent_org: None,
                family_name: None,
                given_name: None,
                date_of_birth: None,
                extra: Extra::new(),
            },
        }
    }

    /// Name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.profile.name = Some(name.into());
        self
    }

    /// Home page.
    pub fn url(mut self, url: Iri) -> Self {
        self.profile.url = Some(url);
        self
    }

    /// Email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.profile.email = Some(email.into());
        self
    }

    /// Phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.profile.phone = Some(phone.into());
        self
    }

    /// Description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.profile.description = Some(d.into());
        self
    }

    /// Image (logo).
    pub fn image(mut self, image: Image) -> Self {
        self.profile.image = Some(IdOrObject::Object(Box::new(image)));
        self
    }

    /// Parent organization.
    pub fn parent_org(mut self, parent: Profile) -> Self {
        self.profile.parent_org = Some(IdOrObject::Object(Box::new(parent)));
        self
    }

    /// Builds the profile.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when the result would not pass [`validate`](super::validate) (for
    /// example a relative `url`).
    pub fn build(self) -> Result<Profile, Error> {
        check(&self.profile, Class::Profile)?;
        Ok(self.profile)
    }
}

fn non_empty<T>(v: Vec<T>) -> Option<OneOrMany<T>> {
    if v.is_empty() {
        None
    } else {
        Some(OneOrMany::Many(v))
    }
}

/// Refuses an object [`validate`] reports an error for.
fn check<T: serde::Serialize>(item: &T, class: Class) -> Result<(), Error> {
    let value: Value = to_value(item)?;
    let errors: Vec<String> = validate(&value, Some(&class))
        .into_iter()
        .filter(crate::Problem::is_error)
        .map(|p| format!("{} at `{}`: {}", p.code, p.path, p.message))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidValue {
            property: class.as_str(),
            message: errors.join("; "),
        })
    }
}

/// A fresh random (version 4) `urn:uuid:` IRI.
///
/// # Errors
/// [`Error::Random`] if the system random source fails.
pub fn random_urn_uuid() -> Result<Iri, Error> {
    Ok(urn_uuid(crate::identity::random_bytes::<16>("id")?, 4))
}

/// A deterministic name-based (RFC 9562 version 8, from SHA-256 of `name`) `urn:uuid:` IRI.
pub fn name_based_urn_uuid(name: &str) -> Iri {
    let digest = ring::digest::digest(&ring::digest::SHA256, name.as_bytes());
    let mut bytes = [0u8; 16];
    for (b, d) in bytes.iter_mut().zip(digest.as_ref()) {
        *b = *d;
    }
    urn_uuid(bytes, 8)
}

fn urn_uuid(mut bytes: [u8; 16], version: u8) -> Iri {
    if let Some(b) = bytes.get_mut(6) {
        *b = (*b & 0x0f) | (version << 4);
    }
    if let Some(b) = bytes.get_mut(8) {
        *b = (*b & 0x3f) | 0x80;
    }
    let h = hex::encode(bytes);
    let part = |a: usize, b: usize| h.get(a..b).unwrap_or_default().to_string();
    Iri::new_unchecked(format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        let u = name_based_urn_uuid("x");
        let s = u.as_str();
        assert_eq!(s.len(), "urn:uuid:".len() + 36);
        assert_eq!(s.chars().nth(9 + 14), Some('8'));
        assert_eq!(name_based_urn_uuid("x"), u);
        assert_ne!(name_based_urn_uuid("y"), u);
    }
}
