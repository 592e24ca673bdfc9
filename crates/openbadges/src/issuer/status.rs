//! The OB 3.0 revocation mechanism: the issuer's Bitstring Status Lists (`status/N.json`,
//! signed `BitstringStatusListCredential`s) and the `credentialStatus` entry each credential
//! carries to point at its bit.

use openbadges_proof::data_integrity::{self, ProofOptions};
use openbadges_proof::status_list::{LIST_BITS, encode_bitstring};
use serde_json::{Value, json};

use super::{HostedDocument, Issuer, now_rfc3339};
use crate::Error;

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
    /// revoked badges set; `None` without an Ed25519 key.
    fn status_list_credential(&self, n: u64) -> Result<Option<Value>, Error> {
        let (Some(signer), Some(vm)) = (
            self.keys.data_integrity_signer(),
            self.verification_method(),
        ) else {
            return Ok(None);
        };
        let lo = n.saturating_mul(LIST_BITS);
        let hi = lo.saturating_add(LIST_BITS);
        let set = self
            .state
            .revoked_status_indexes()
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

    /// The status lists that hold at least one issued badge, and always list 0.
    pub(super) fn status_lists_in_use(&self) -> Vec<u64> {
        let mut lists: Vec<u64> = self.state.status_indexes().map(|i| i / LIST_BITS).collect();
        lists.push(0);
        lists.sort_unstable();
        lists.dedup();
        lists
    }

    /// The hosted documents of status lists `lists` (none without an Ed25519 key).
    pub(super) fn status_documents(&self, lists: &[u64]) -> Result<Vec<HostedDocument>, Error> {
        let mut out = Vec::new();
        for &n in lists {
            if let Some(s) = self.status_list_credential(n)? {
                out.push(self.json_doc(Self::status_list_path(n), &s)?);
            }
        }
        Ok(out)
    }

    /// The status list that holds status-list index `index`.
    pub(super) fn status_list_of(index: u64) -> u64 {
        index / LIST_BITS
    }
}
