//! Who the issuer is: [`IssuerProfile`] and the three documents that describe the issuer to
//! verifiers — the OB 2.0 `Profile` (`issuer.json`), the OB 3.0 `Profile` embedded in every
//! credential, and the controller document (`profile.json`) that lists the Data Integrity key.

use openbadges_model::{Iri, ob2, ob3};
use serde_json::{Value, json};

use super::Issuer;
use crate::Error;

/// The issuer's public profile. Its ids are derived from the issuer's base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuerProfile {
    /// Display name (required by both specifications).
    pub name: String,
    /// Homepage (`url`; required by OB 2.0, defaults to the base URL).
    pub url: Option<String>,
    /// Contact email (required by OB 2.0).
    pub email: String,
    /// Description.
    pub description: Option<String>,
}

impl IssuerProfile {
    /// A profile with a name and a contact email (both required by OB 2.0).
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        IssuerProfile {
            name: name.into(),
            url: None,
            email: email.into(),
            description: None,
        }
    }

    /// Sets the homepage.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }

    /// Whether the profile has what both specifications require: a name and a contact email.
    pub(super) fn is_complete(&self) -> bool {
        !self.name.trim().is_empty() && self.email.contains('@')
    }
}

impl Issuer {
    /// The issuer's homepage: the profile's `url`, else the base URL.
    fn homepage(&self) -> String {
        self.inner
            .profile
            .url
            .clone()
            .unwrap_or_else(|| self.inner.base.clone())
    }

    /// The OB 2.0 issuer `Profile` hosted at `issuer.json`, pointing at the revocation list and,
    /// when there is a JWS key, at `key.json`.
    pub(super) fn ob2_profile(&self) -> Result<Value, Error> {
        let mut b = ob2::Profile::builder()
            .id(self.ob2_profile_id())
            .name(self.inner.profile.name.clone())
            .url(self.homepage())
            .revocation_list(self.revocation_list_id())
            .email(self.inner.profile.email.clone());
        if let Some(d) = &self.inner.profile.description {
            b = b.description(d.clone());
        }
        if self.inner.keys.jws().is_some() {
            b = b.public_key(self.key_id());
        }
        Ok(b.build()?.to_value()?)
    }

    /// The OB 3.0 issuer `Profile` embedded in each credential (id = `profile.json`).
    pub(super) fn ob3_profile(&self) -> Result<ob3::Profile, Error> {
        let mut b = ob3::ProfileBuilder::new(Iri::parse(&self.ob3_profile_id())?)
            .name(self.inner.profile.name.clone());
        b = b
            .url(Iri::parse(&self.homepage())?)
            .email(self.inner.profile.email.clone());
        if let Some(d) = &self.inner.profile.description {
            b = b.description(d.clone());
        }
        Ok(b.build()?)
    }

    /// The controller document at `profile.json`: the issuer's OB 3.0 id, listing the Ed25519
    /// key as a `Multikey` under `verificationMethod` and `assertionMethod`.
    pub(super) fn controller_document(&self) -> Option<Value> {
        let m = self.inner.keys.multikey()?;
        let id = self.ob3_profile_id();
        let vm = format!("{id}#{m}");
        Some(json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": id,
            "name": self.inner.profile.name,
            "url": self.homepage(),
            "verificationMethod": [{
                "id": vm, "type": "Multikey", "controller": id, "publicKeyMultibase": m
            }],
            "assertionMethod": [vm],
        }))
    }
}
