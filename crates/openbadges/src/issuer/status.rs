//! The OB 3.0 revocation mechanism: the issuer's Bitstring Status Lists (`status/N.json`,
//! signed `BitstringStatusListCredential`s) and the `credentialStatus` entry each credential
//! carries to point at its bit.

use openbadges_proof::data_integrity::{self, ProofOptions};
use openbadges_proof::status_list::{LIST_BITS, encode_bitstring};
use serde_json::{Value, json};

use super::{HostedDocument, Issuer, now_rfc3339};
use crate::Error;
use crate::store::RevokedBadge;

impl Issuer {
    /// The `credentialStatus` entry of the credential holding status-list index `index`.
    pub(super) fn status_entry(&self, index: u64) -> Value {
        let list_url = self.url(&Self::status_list_path(index / LIST_BITS));
        json!({
            "id": format!("{list_url}#{index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": (index % LIST_BITS).to_string(),
            "statusListCredential": list_url,
        })
    }

    /// Status list number `n`, signed now with the Data Integrity key, with the bits of the
    /// `revoked` badges set; `None` without an Ed25519 key.
    fn status_list_credential(
        &self,
        n: u64,
        revoked: &[RevokedBadge],
    ) -> Result<Option<Value>, Error> {
        let (Some(signer), Some(vm)) = (
            self.inner.keys.data_integrity_signer(),
            self.verification_method(),
        ) else {
            return Ok(None);
        };
        let lo = n.saturating_mul(LIST_BITS);
        let hi = lo.saturating_add(LIST_BITS);
        let set = revoked
            .iter()
            .filter_map(|r| r.status_index)
            .filter(|i| (lo..hi).contains(i))
            .map(|i| i - lo);
        let url = self.url(&Self::status_list_path(n));
        let now = now_rfc3339();
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.ob3_profile_id(),
            "validFrom": now,
            "credentialSubject": {
                "id": format!("{url}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encode_bitstring(set)?,
            }
        });
        Ok(Some(data_integrity::sign(
            &doc,
            signer,
            &ProofOptions::new(vm, now),
        )?))
    }

    /// The hosted documents of status lists `lists` with the bits of the `revoked` badges set
    /// (none without an Ed25519 key).
    pub(super) fn status_documents(
        &self,
        lists: &[u64],
        revoked: &[RevokedBadge],
    ) -> Result<Vec<HostedDocument>, Error> {
        let mut out = Vec::new();
        for &n in lists {
            if let Some(s) = self.status_list_credential(n, revoked)? {
                out.push(self.json_doc(Self::status_list_path(n), &s)?);
            }
        }
        Ok(out)
    }

    /// Status list `n`, empty, when the store holds none yet (`None` when it does, or without
    /// an Ed25519 key). A list nobody stored holds no committed badge, so none is revoked.
    pub(super) fn new_status_list(&self, n: u64) -> Result<Option<HostedDocument>, Error> {
        if self
            .inner
            .store
            .document(&Self::status_list_path(n))?
            .is_some()
        {
            return Ok(None);
        }
        Ok(self.status_documents(&[n], &[])?.into_iter().next())
    }

    /// Status list 0, which is published even before any badge takes an index: as stored, or
    /// made empty and stored once (an absent list holds no committed badge, so none is revoked).
    /// `None` without an Ed25519 key.
    pub(super) fn status_list_zero(&self) -> Result<Option<HostedDocument>, Error> {
        let path = Self::status_list_path(0);
        if let Some(d) = self.inner.store.document(&path)? {
            return Ok(Some(self.hosted(d)));
        }
        let Some(list) = self.status_documents(&[0], &[])?.into_iter().next() else {
            return Ok(None);
        };
        self.inner
            .store
            .put_documents_if_absent(&[self.stored(&list, "")])?;
        // Another issuer may have stored it first: serve what the store holds.
        Ok(self.inner.store.document(&path)?.map(|d| self.hosted(d)))
    }

    /// The status list that holds status-list index `index`.
    pub(super) fn status_list_of(index: u64) -> u64 {
        index / LIST_BITS
    }
}
