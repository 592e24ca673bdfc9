//! The documents an issuer serves: [`HostedDocument`], and the issuer-wide documents in their
//! current state (profile, keys, JWKS, revocation list, status lists).

use openbadges_proof::issue as proof_issue;
use openbadges_proof::key::SecretKey;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Issuer;
use crate::Error;
use crate::store::StoredDocument;

/// The `Content-Type` of every JSON document the issuer hosts.
const JSON: &str = "application/json";

/// A document the issuer must serve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostedDocument {
    /// The path under the base URL (`issuer.json`, `assertions/….json`); a path starting with
    /// `/` is absolute on the base URL's origin (`/.well-known/jwks.json`).
    pub path: String,
    /// The absolute URL (base URL + path).
    pub url: String,
    /// The `Content-Type` to serve it with.
    pub content_type: String,
    /// The body (base64 in serde).
    #[serde(with = "super::serde_bytes::base64_bytes")]
    pub body: Vec<u8>,
}

impl Issuer {
    /// A document at `path` (under the base URL, or on the origin when it starts with `/`).
    pub(super) fn doc(&self, path: String, content_type: &str, body: Vec<u8>) -> HostedDocument {
        let url = match path.strip_prefix('/') {
            Some(p) => format!("{}/{p}", self.origin()),
            None => self.url(&path),
        };
        HostedDocument {
            url,
            path,
            content_type: content_type.to_owned(),
            body,
        }
    }

    /// A JSON document at `path`, pretty-printed.
    pub(super) fn json_doc(&self, path: String, v: &Value) -> Result<HostedDocument, Error> {
        let body = serde_json::to_vec_pretty(v)?;
        Ok(self.doc(path, JSON, body))
    }

    /// The issuer-wide documents in their current state: `issuer.json`, `revocations.json`,
    /// and, with the keys that need them, `key.json`, `jwks.json`, `profile.json` and the
    /// status lists (as the store holds them).
    ///
    /// # Errors
    /// [`Error::Store`]; a model, key or signing error (not expected for a well-formed issuer).
    pub fn hosted_documents(&self) -> Result<Vec<HostedDocument>, Error> {
        self.issuer_documents(None)
    }

    /// The issuer-wide documents, with `new_list` (a status list not stored yet) among them.
    pub(super) fn issuer_documents(
        &self,
        new_list: Option<&HostedDocument>,
    ) -> Result<Vec<HostedDocument>, Error> {
        let mut out = self.key_and_profile_documents()?;
        out.push(self.revocation_list_document()?);
        let mut lists: Vec<HostedDocument> = self
            .inner
            .store
            .documents_under("status/")?
            .into_iter()
            .map(|d| self.hosted(d))
            .collect();
        if let Some(new) = new_list
            && !lists.iter().any(|d| d.path == new.path)
        {
            lists.push(new.clone());
        }
        if lists.is_empty() {
            lists.extend(self.status_list_zero()?);
        }
        out.extend(lists);
        Ok(out)
    }

    /// The issuer-wide documents made from the keys and the profile alone: `issuer.json`,
    /// the key documents, `profile.json`.
    pub(super) fn key_and_profile_documents(&self) -> Result<Vec<HostedDocument>, Error> {
        let mut out = vec![self.json_doc("issuer.json".into(), &self.ob2_profile()?)?];
        if let Some(k) = self.inner.keys.jws() {
            out.extend(self.key_documents(k)?);
        }
        if let Some(c) = self.controller_document() {
            out.push(self.json_doc("profile.json".into(), &c)?);
        }
        Ok(out)
    }

    /// `doc` as the store keeps it; the hosted assertion of badge `uuid` goes `410 Gone` when
    /// the badge is revoked.
    pub(super) fn stored(&self, doc: &HostedDocument, uuid: &str) -> StoredDocument {
        let mut d =
            StoredDocument::new(doc.path.clone(), doc.content_type.clone(), doc.body.clone());
        if !uuid.is_empty() && doc.path == Self::assertion_path(uuid) {
            d.gone_when_revoked = Some(uuid.to_owned());
        }
        d
    }

    /// A stored document, hosted under this issuer's base URL.
    pub(super) fn hosted(&self, d: StoredDocument) -> HostedDocument {
        self.doc(d.path, &d.content_type, d.body)
    }

    /// The documents that publish the JWS key `k`: the OB 2.0 `CryptographicKey` at
    /// `key.json`, and the JWK Set (with the VC-JWT key, if separate) at `jwks.json` and at the
    /// origin's `/.well-known/jwks.json`, where VC-JWT verifiers look for an https issuer's keys.
    fn key_documents(&self, k: &SecretKey) -> Result<Vec<HostedDocument>, Error> {
        let kd =
            proof_issue::cryptographic_key(&self.key_id(), &self.ob2_profile_id(), k.public_key())?;
        let mut keys = vec![public_jwk(k, self.key_id())];
        if let Some(v) = self.inner.keys.separate_vc_jwt_key() {
            keys.push(public_jwk(v, self.vc_jwt_kid()));
        }
        let jwks = json!({ "keys": keys });
        Ok(vec![
            self.json_doc("key.json".into(), &kd)?,
            self.json_doc("jwks.json".into(), &jwks)?,
            self.json_doc("/.well-known/jwks.json".into(), &jwks)?,
        ])
    }
}

/// The public JWK of `k` with its `kid` and `"use": "sig"`.
fn public_jwk(k: &SecretKey, kid: String) -> Value {
    let mut jwk = k.public_key().to_jwk();
    if let Some(o) = jwk.as_object_mut() {
        o.insert("kid".into(), kid.into());
        o.insert("use".into(), "sig".into());
    }
    jwk
}
