//! Revoking a badge in every form ([`Issuer::revoke`], [`Revocation`]), the OB 2.0
//! `RevocationList`, and finding a badge by any of its ids.

use openbadges_proof::issue as proof_issue;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{HostedDocument, Issuer, now_rfc3339};
use crate::Error;
use crate::store::{RevokedBadge, StoreError, StoreTransaction, StoredDocument};

/// What a revocation changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Revocation {
    /// Documents to host in place of the old ones (the revocation list, the status list).
    pub updated: Vec<HostedDocument>,
    /// URLs that must now answer `410 Gone` (the hosted assertion).
    pub gone: Vec<String>,
}

impl Issuer {
    /// Revokes a badge this issuer issued, by its UUID, `urn:uuid:UUID` or hosted assertion
    /// URL, with an optional public reason (revoking again replaces the reason).
    ///
    /// Each form is revoked the way its specification says: the signed OB 2.0 assertion
    /// through the issuer's `RevocationList`, the hosted one by answering `410 Gone` at its
    /// URL (OB 2.0 §Revocation), the OB 3.0 credential through its bit in the status list.
    /// The revocation, `revocations.json` and the status list are rewritten in one store
    /// transaction, serialised against every other revocation (none is lost), so every issuer
    /// on the same store serves them at once ([`Issuer::document`]). If you host the documents
    /// yourself, host [`Revocation::updated`] in place of the old documents and answer
    /// `410 Gone` for [`Revocation::gone`].
    ///
    /// # Errors
    /// [`Error::UnknownBadge`] when the id is not one of this issuer's badges;
    /// [`Error::Store`]; a signing error otherwise.
    pub fn revoke(&self, id: &str, reason: Option<&str>) -> Result<Revocation, Error> {
        self.revoke_with(id, reason, &mut |_, _| Ok(()))
    }

    /// Like [`Issuer::revoke`], and runs `hook` (given the badge's UUID) inside the same
    /// transaction: the caller's writes and the revocation commit together, or nothing does.
    ///
    /// # Errors
    /// As [`Issuer::revoke`], and the hook's error (as [`Error::Store`]).
    pub fn revoke_with(
        &self,
        id: &str,
        reason: Option<&str>,
        hook: &mut dyn FnMut(&mut dyn StoreTransaction, &str) -> Result<(), StoreError>,
    ) -> Result<Revocation, Error> {
        let uuid = self.uuid_of(id);
        let mut failure: Option<Error> = None;
        let result = {
            let mut rewrite =
                |revoked: &[RevokedBadge]| -> Result<Vec<StoredDocument>, StoreError> {
                    match self.revocation_documents(&uuid, revoked) {
                        Ok(docs) => Ok(docs),
                        Err(e) => {
                            let message = e.to_string();
                            failure = Some(e);
                            Err(StoreError::Aborted(message))
                        }
                    }
                };
            self.inner
                .store
                .revoke(&uuid, reason, &now_rfc3339(), &mut rewrite, &mut |tx| {
                    hook(tx, &uuid)
                })
        };
        let docs = match result {
            Ok(Some(docs)) => docs,
            Ok(None) => return Err(Error::UnknownBadge(id.to_owned())),
            Err(e) => return Err(failure.unwrap_or(Error::Store(e))),
        };
        Ok(Revocation {
            updated: docs.into_iter().map(|d| self.hosted(d)).collect(),
            gone: vec![self.url(&Self::assertion_path(&uuid))],
        })
    }

    /// The documents a revocation rewrites, given every revoked badge: `revocations.json`,
    /// and the status list of badge `uuid` (if it has an index).
    fn revocation_documents(
        &self,
        uuid: &str,
        revoked: &[RevokedBadge],
    ) -> Result<Vec<StoredDocument>, Error> {
        let mut docs =
            vec![self.json_doc("revocations.json".into(), &self.revocation_list(revoked))?];
        let index = revoked
            .iter()
            .find(|r| r.uuid == uuid)
            .and_then(|r| r.status_index);
        if let Some(i) = index {
            docs.extend(self.status_documents(&[Self::status_list_of(i)], revoked)?);
        }
        Ok(docs.iter().map(|d| self.stored(d, "")).collect())
    }

    /// The URLs that must answer `410 Gone` (the hosted assertions of revoked badges).
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn gone_urls(&self) -> Result<Vec<String>, Error> {
        Ok(self
            .inner
            .store
            .revoked()?
            .iter()
            .map(|r| self.url(&Self::assertion_path(&r.uuid)))
            .collect())
    }

    /// Whether the badge (UUID or any of its ids) is revoked.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn is_revoked(&self, id: &str) -> Result<bool, Error> {
        Ok(self.inner.store.revocation(&self.uuid_of(id))?.is_some())
    }

    /// The UUID a badge id names: its UUID, `urn:uuid:UUID` or hosted assertion URL,
    /// lowercased (whether this issuer issued it is the store's to say).
    pub(super) fn uuid_of(&self, id: &str) -> String {
        let id = id.trim();
        id.strip_prefix("urn:uuid:")
            .or_else(|| {
                id.strip_prefix(&self.inner.base)
                    .and_then(|p| p.strip_prefix("assertions/"))
                    .and_then(|p| p.strip_suffix(".json"))
            })
            .unwrap_or(id)
            .to_ascii_lowercase()
    }

    /// The OB 2.0 `RevocationList` (`revocations.json`): each `revoked` badge under its hosted
    /// assertion URL and its `urn:uuid:` id, with its reason.
    pub(super) fn revocation_list(&self, revoked: &[RevokedBadge]) -> Value {
        let mut b = proof_issue::RevocationListBuilder::new(
            self.revocation_list_id(),
            self.ob2_profile_id(),
        );
        for r in revoked {
            let hosted = self.url(&Self::assertion_path(&r.uuid));
            let reason = r.reason.as_deref();
            b = b
                .revoke(&hosted, reason)
                .revoke(&Self::urn_uuid(&r.uuid), reason);
        }
        b.build()
    }

    /// `revocations.json` as stored, or (before the first revocation) made empty.
    pub(super) fn revocation_list_document(&self) -> Result<HostedDocument, Error> {
        match self.inner.store.document("revocations.json")? {
            Some(d) => Ok(self.hosted(d)),
            None => self.json_doc("revocations.json".into(), &self.revocation_list(&[])),
        }
    }
}
