//! The issuing side: [`Issuer`] turns a recipient and a badge into every form of the badge and
//! every document the issuer must host, and keeps the revocation lists.
//!
//! One module per idea: [`keys`] (the signing keys), [`profile`] (who the issuer is),
//! [`layout`] (every URL and id), [`badge`] (what is issued), [`issue`] (issuing one badge,
//! a step per form), [`hosted`] (the documents to serve), [`status`] (the OB 3.0 status
//! lists), [`revocation`] (revoking every form), [`state`] (what the issuer remembers).
//!
//! # What gets hosted, and where
//! All URLs are under the issuer's base URL (`https://issuer.example/` below):
//!
//! | path | content | who reads it |
//! |------|---------|--------------|
//! | `issuer.json` | OB 2.0 issuer `Profile` (`publicKey`, `revocationList`) | OB 2.0 verifiers |
//! | `key.json` | OB 2.0 `CryptographicKey` (PEM) of the JWS key | OB 2.0 signed-badge verifiers |
//! | `jwks.json` | JWK Set of the JWS key (`kid` = `key.json` URL) | JOSE tooling |
//! | `/.well-known/jwks.json` (origin root) | the same JWK Set | VC-JWT verifiers |
//! | `revocations.json` | OB 2.0 `RevocationList` | OB 2.0 verifiers |
//! | `profile.json` | the OB 3.0 issuer id: a controller document listing the Ed25519 `Multikey` under `assertionMethod` | OB 3.0 verifiers resolving `profile.json#z6Mk…` |
//! | `status/N.json` | a `BitstringStatusListCredential` (signed, eddsa-rdfc-2022) | OB 3.0 verifiers |
//! | `badges/SLUG.json` | OB 2.0 `BadgeClass` | OB 2.0 verifiers |
//! | `badges/SLUG.png` / `.svg` | the badge image | everyone |
//! | `achievements/SLUG.json` | OB 3.0 `Achievement` | people following the achievement id |
//! | `assertions/UUID.json` | OB 2.0 hosted `Assertion` | OB 2.0 verifiers |
//!
//! Serve each [`HostedDocument`] at its [`url`](HostedDocument::url) with its
//! [`content_type`](HostedDocument::content_type); nothing else is needed.

mod badge;
mod hosted;
mod issue;
mod keys;
mod layout;
mod profile;
mod revocation;
mod state;
mod status;
#[cfg(test)]
mod tests;

pub use badge::{Badge, Evidence};
pub use hosted::HostedDocument;
pub use issue::{BakedImage, Form, IssueOptions, Issued};
pub use keys::IssuerKeys;
pub use profile::IssuerProfile;
pub use revocation::Revocation;
pub use state::IssuerState;

use openbadges_model::Iri;

use crate::Error;

/// Issues badges: hashes the recipient with a fresh salt, builds the OB 2.0 assertion and the
/// OB 3.0 credential, signs them, bakes them, and hands back every document to host.
#[derive(Debug)]
pub struct Issuer {
    /// The base URL every hosted document lives under (ends with `/`).
    base: String,
    /// Who the issuer is.
    profile: IssuerProfile,
    /// The signing keys.
    keys: IssuerKeys,
    /// What the issuer remembers: issued badges, status-list indexes, revocations.
    state: IssuerState,
}

impl Issuer {
    /// An issuer hosting its documents under `base_url` (an absolute `http`/`https` URL; a
    /// trailing `/` is added if missing).
    ///
    /// # Errors
    /// [`Error::Config`] for a bad base URL or an empty name.
    pub fn new(base_url: &str, profile: IssuerProfile, keys: IssuerKeys) -> Result<Self, Error> {
        let mut base = base_url.trim().to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://"))
            || base.contains(['#', '?', ' '])
            || Iri::parse(&base).is_err()
        {
            return Err(Error::Config(format!(
                "the base URL {base_url:?} must be an absolute http(s) URL without query or fragment"
            )));
        }
        if !base.ends_with('/') {
            base.push('/');
        }
        if !profile.is_complete() {
            return Err(Error::Config(
                "the issuer needs a name and a contact email".into(),
            ));
        }
        Ok(Issuer {
            base,
            profile,
            keys,
            state: IssuerState::default(),
        })
    }

    /// Restores the revocation state saved from [`Issuer::state`].
    pub fn with_state(mut self, state: IssuerState) -> Self {
        self.state = state;
        self
    }

    /// The revocation state (persist it).
    pub fn state(&self) -> &IssuerState {
        &self.state
    }

    /// The keys.
    pub fn keys(&self) -> &IssuerKeys {
        &self.keys
    }

    /// The base URL (ends with `/`).
    pub fn base_url(&self) -> &str {
        &self.base
    }
}

/// The current time as RFC 3339 in UTC, to the second (`issuedOn`, `validFrom`, `created`).
fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
