//! Revoking a badge in every form ([`Issuer::revoke`], [`Revocation`]), the OB 2.0
//! `RevocationList`, and finding a badge by any of its ids.

use openbadges_proof::issue as proof_issue;
use serde_json::Value;

use super::{HostedDocument, Issuer};
use crate::Error;

/// What a revocation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revocation {
    /// Documents to host in place of the old ones (the revocation list, the status list).
    pub updated: Vec<HostedDocument>,
    /// URLs that must now answer `410 Gone` (the hosted assertion).
    pub gone: Vec<String>,
}

impl Issuer {
    /// Revokes a badge this issuer issued, by its UUID, `urn:uuid:UUID` or hosted assertion
    /// URL, with an optional public reason.
    ///
    /// Each form is revoked the way its specification says: the signed OB 2.0 assertion
    /// through the issuer's `RevocationList`, the hosted one by answering `410 Gone` at its
    /// URL (OB 2.0 §Revocation), the OB 3.0 credential through its bit in the status list.
    /// Host [`Revocation::updated`] in place of the old documents and answer `410 Gone` for
    /// [`Revocation::gone`].
    ///
    /// # Errors
    /// [`Error::UnknownBadge`] when the id is not one of this issuer's badges (see
    /// [`IssuerState`](super::IssuerState)); a signing error otherwise.
    pub fn revoke(&mut self, id: &str, reason: Option<&str>) -> Result<Revocation, Error> {
        let uuid = self
            .uuid_of(id)
            .ok_or_else(|| Error::UnknownBadge(id.to_owned()))?;
        let index = self.state.status_index(&uuid);
        let gone = vec![self.url(&Self::assertion_path(&uuid))];
        self.state.record_revoked(uuid, reason.map(str::to_owned));
        let mut updated = vec![self.json_doc("revocations.json".into(), &self.revocation_list())?];
        if let Some(i) = index {
            updated.extend(self.status_documents(&[Self::status_list_of(i)])?);
        }
        Ok(Revocation { updated, gone })
    }

    /// The URLs that must answer `410 Gone` (the hosted assertions of revoked badges).
    pub fn gone_urls(&self) -> Vec<String> {
        self.state
            .revoked()
            .map(|(u, _)| self.url(&Self::assertion_path(u)))
            .collect()
    }

    /// Whether the badge (UUID or any of its ids) is revoked.
    pub fn is_revoked(&self, id: &str) -> bool {
        self.uuid_of(id).is_some_and(|u| self.state.is_revoked(&u))
    }

    /// The UUID of one of this issuer's badges given by its UUID, `urn:uuid:UUID` or hosted
    /// assertion URL; `None` for an id this issuer did not issue.
    fn uuid_of(&self, id: &str) -> Option<String> {
        let id = id.trim();
        let candidate = id
            .strip_prefix("urn:uuid:")
            .or_else(|| {
                id.strip_prefix(&self.base)
                    .and_then(|p| p.strip_prefix("assertions/"))
                    .and_then(|p| p.strip_suffix(".json"))
            })
            .unwrap_or(id)
            .to_ascii_lowercase();
        self.state.knows(&candidate).then_some(candidate)
    }

    /// The OB 2.0 `RevocationList` (`revocations.json`): each revoked badge under its hosted
    /// assertion URL and its `urn:uuid:` id, with its reason.
    pub(super) fn revocation_list(&self) -> Value {
        let mut b = proof_issue::RevocationListBuilder::new(
            self.revocation_list_id(),
            self.ob2_profile_id(),
        );
        for (uuid, reason) in self.state.revoked() {
            let hosted = self.url(&Self::assertion_path(uuid));
            b = b
                .revoke(&hosted, reason)
                .revoke(&Self::urn_uuid(uuid), reason);
        }
        b.build()
    }
}
