//! The issuing side: [`Issuer`] turns a recipient and a badge into every form of the badge and
//! every document the issuer must host, and keeps the revocation lists.
//!
//! One module per idea: [`keys`] (the signing keys), [`profile`] (who the issuer is),
//! [`layout`] (every URL and id), [`badge`] (what is issued), [`issue`] (issuing one badge,
//! a step per form), [`hosted`] (the documents to serve), [`status`] (the OB 3.0 status
//! lists), [`revocation`] (revoking every form), [`serving`] (answering for a path or URL).
//! What the issuer remembers lives in its [`IssuerStore`](crate::store::IssuerStore).
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
//! [`content_type`](HostedDocument::content_type), or let the issuer answer:
//! [`Issuer::document`] finds any of them (for any badge, from the store) by path or URL.

#[cfg(feature = "tokio")]
mod asynchronous;
mod badge;
mod hosted;
mod issue;
mod keys;
mod layout;
mod profile;
mod revocation;
mod serde_bytes;
mod serving;
mod status;
#[cfg(test)]
mod tests;

#[cfg(feature = "tokio")]
pub use asynchronous::{AsyncIssueHook, AsyncRevokeHook};
pub use badge::{Badge, Evidence};
pub use hosted::HostedDocument;
pub use issue::{BakedImage, Form, IssueOptions, Issued};
pub use keys::IssuerKeys;
pub use profile::IssuerProfile;
pub use revocation::Revocation;

use std::sync::Arc;

use openbadges_model::Iri;
use openbadges_proof::key::Algorithm;

use crate::Error;
use crate::store::{IssuerStore, MemoryIssuerStore};

/// Issues badges: hashes the recipient with a fresh salt, builds the OB 2.0 assertion and the
/// OB 3.0 credential, signs them, bakes them, and hands back every document to host.
///
/// Cheap to clone and `Send + Sync` (an `Arc` inside): share one issuer between threads and
/// requests. Every method takes `&self`; what it remembers lives in its
/// [`IssuerStore`], so several issuers (threads, processes, machines) opened on one store act
/// as one.
#[derive(Debug, Clone)]
pub struct Issuer {
    inner: Arc<Inner>,
}

/// What every clone of an issuer shares.
#[derive(Debug)]
struct Inner {
    /// The base URL every hosted document lives under (ends with `/`).
    base: String,
    /// Who the issuer is.
    profile: IssuerProfile,
    /// The signing keys.
    keys: IssuerKeys,
    /// What the issuer remembers: issued badges, documents, status-list indexes, revocations.
    store: Arc<dyn IssuerStore>,
}

impl Issuer {
    /// An issuer hosting its documents under `base_url` (an absolute `http`/`https` URL; a
    /// trailing `/` is added if missing), signing with `keys`, remembering in a fresh
    /// [`MemoryIssuerStore`] (gone with the last clone). For a durable issuer shared by
    /// several instances, see [`Issuer::open`].
    ///
    /// # Errors
    /// [`Error::Config`] for a bad base URL or an empty name.
    pub fn new(base_url: &str, profile: IssuerProfile, keys: IssuerKeys) -> Result<Self, Error> {
        let store: Arc<dyn IssuerStore> = Arc::new(MemoryIssuerStore::new());
        store.keys_or_insert(&keys.to_stored())?;
        Self::with_store(base_url, profile, keys, store)
    }

    /// An issuer remembering in `store`, signing with the keys stored there; an empty store
    /// gets fresh keys (Ed25519 for OB 3.0 and the status lists, ES256 for JWS and VC-JWT).
    /// Issuers opening one empty store at once agree on one set of keys.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad base URL or an empty name; [`Error::Store`]; a key error
    /// for unreadable stored keys.
    pub fn open(
        base_url: &str,
        profile: IssuerProfile,
        store: Arc<dyn IssuerStore>,
    ) -> Result<Self, Error> {
        Self::open_with_keys(
            base_url,
            profile,
            store,
            IssuerKeys::generate(Algorithm::Es256)?,
        )
    }

    /// Like [`Issuer::open`], but an empty store gets `keys` (e.g. an RSA JWS key, for
    /// verifiers that only check RS256); a store that already has keys keeps its own.
    ///
    /// # Errors
    /// As [`Issuer::open`].
    pub fn open_with_keys(
        base_url: &str,
        profile: IssuerProfile,
        store: Arc<dyn IssuerStore>,
        keys: IssuerKeys,
    ) -> Result<Self, Error> {
        let stored = store.keys_or_insert(&keys.to_stored())?;
        let keys = IssuerKeys::from_stored(&stored)?;
        Self::with_store(base_url, profile, keys, store)
    }

    /// The issuer, once its keys are known.
    fn with_store(
        base_url: &str,
        profile: IssuerProfile,
        keys: IssuerKeys,
        store: Arc<dyn IssuerStore>,
    ) -> Result<Self, Error> {
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
            inner: Arc::new(Inner {
                base,
                profile,
                keys,
                store,
            }),
        })
    }

    /// The keys.
    pub fn keys(&self) -> &IssuerKeys {
        &self.inner.keys
    }

    /// Who the issuer is.
    pub fn profile(&self) -> &IssuerProfile {
        &self.inner.profile
    }

    /// The base URL (ends with `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    /// The store (to run your own transactions with
    /// [`IssuerStore::transaction`]).
    pub fn store(&self) -> &Arc<dyn IssuerStore> {
        &self.inner.store
    }
}

/// The current time as RFC 3339 in UTC, to the second (`issuedOn`, `validFrom`, `created`).
fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The path of status list 0, published even before any badge takes an index.
const LIST_ZERO: &str = "status/0.json";
