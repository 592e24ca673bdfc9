//! What is issued: the [`Badge`] (one OB 2.0 `BadgeClass` and one OB 3.0 `Achievement`) and
//! the [`Evidence`] an issued badge carries.

use openbadges_model::{ob2, ob3};

use crate::Error;

/// What the badge is: name, description, criteria and image. One `Badge` is one OB 2.0
/// `BadgeClass` and one OB 3.0 `Achievement`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Badge {
    /// Short name used in URLs (`a-z`, `0-9`, `-`, `_`; 1–64 characters).
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// What earns it (Markdown).
    pub criteria_narrative: String,
    /// A page describing the criteria, if any.
    pub criteria_url: Option<String>,
    /// The badge image (PNG or SVG bytes): hosted, and baked with each issued badge. OB 2.0
    /// requires an image.
    pub image: Option<Vec<u8>>,
    /// Tags (OB 2.0 `tags`, OB 3.0 `tag`).
    pub tags: Vec<String>,
}

impl Badge {
    /// A badge with its required parts.
    pub fn new(
        slug: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
        criteria_narrative: impl Into<String>,
    ) -> Self {
        Badge {
            slug: slug.into(),
            name: name.into(),
            description: description.into(),
            criteria_narrative: criteria_narrative.into(),
            criteria_url: None,
            image: None,
            tags: Vec::new(),
        }
    }

    /// Sets the image (PNG or SVG bytes).
    pub fn image(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.image = Some(bytes.into());
        self
    }

    /// Sets the criteria page.
    pub fn criteria_url(mut self, url: impl Into<String>) -> Self {
        self.criteria_url = Some(url.into());
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, t: impl Into<String>) -> Self {
        self.tags.push(t.into());
        self
    }

    /// Checks the slug: 1–64 characters of `a-z`, `0-9`, `-` and `_`, safe in every URL.
    pub(super) fn check_slug(&self) -> Result<(), Error> {
        let ok = (1..=64).contains(&self.slug.len())
            && self
                .slug
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_');
        if ok {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "badge slug {:?} must be 1-64 characters of a-z, 0-9, - and _",
                self.slug
            )))
        }
    }
}

/// Evidence carried by the issued badge, in each version's model.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Evidence {
    /// OB 2.0 evidence objects.
    pub ob2: Vec<ob2::Evidence>,
    /// OB 3.0 evidence objects.
    pub ob3: Vec<ob3::Evidence>,
    /// A narrative of how the badge was earned (OB 2.0 assertion `narrative`, OB 3.0
    /// `credentialSubject.narrative`).
    pub narrative: Option<String>,
}

impl Evidence {
    /// No evidence.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds evidence in both versions.
    pub fn with(mut self, ob2: ob2::Evidence, ob3: ob3::Evidence) -> Self {
        self.ob2.push(ob2);
        self.ob3.push(ob3);
        self
    }

    /// Sets the narrative.
    pub fn narrative(mut self, n: impl Into<String>) -> Self {
        self.narrative = Some(n.into());
        self
    }

    /// Evidence of a graded quiz attempt (both versions, from the quiz crate).
    ///
    /// # Errors
    /// [`Error::Quiz`] when the evidence id is not an IRI.
    #[cfg(feature = "quiz")]
    pub fn from_attempt(
        record: &openbadges_quiz::AttemptRecord,
        options: &openbadges_quiz::evidence::EvidenceOptions,
    ) -> Result<Self, Error> {
        Ok(Self::new().with(
            openbadges_quiz::evidence::ob2_evidence(record, options)?,
            openbadges_quiz::evidence::ob3_evidence(record, options)?,
        ))
    }
}
