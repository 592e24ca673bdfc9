//! Answering for a path or URL ([`Issuer::document`]): any document of any badge this issuer
//! (or any issuer on the same store) issued, the issuer-wide documents, and `410 Gone` for
//! revoked hosted assertions.

use super::{Issuer, LIST_ZERO};
use crate::Error;
use crate::store::{IssuedRecord, Served};

impl Issuer {
    /// What to serve at `path_or_url`: an absolute URL under the base URL (or the origin's
    /// `/.well-known/jwks.json`), a path as in [`HostedDocument::path`](super::HostedDocument::path),
    /// or an origin-relative request path (`/base/path/assertions/….json`). `None` when there
    /// is nothing there; [`Served::Gone`] for a revoked badge's hosted assertion.
    ///
    /// Reads the store on every call, so it reflects every issuance and revocation committed
    /// by any issuer sharing the store.
    ///
    /// # Errors
    /// [`Error::Store`]; a signing error (the issuer-wide documents are made on the fly).
    pub fn document(&self, path_or_url: &str) -> Result<Option<Served>, Error> {
        let Some(path) = self.path_of(path_or_url) else {
            return Ok(None);
        };
        if matches!(
            path.as_str(),
            "issuer.json" | "key.json" | "jwks.json" | "profile.json" | "/.well-known/jwks.json"
        ) {
            return Ok(self
                .key_and_profile_documents()?
                .into_iter()
                .find(|d| d.path == path)
                .map(Served::Document));
        }
        if path == "revocations.json" {
            return Ok(Some(Served::Document(self.revocation_list_document()?)));
        }
        match self.inner.store.document(&path)? {
            Some(d) => {
                if let Some(uuid) = &d.gone_when_revoked
                    && self.inner.store.revocation(uuid)?.is_some()
                {
                    return Ok(Some(Served::Gone));
                }
                Ok(Some(Served::Document(self.hosted(d))))
            }
            // Status list 0 is published before any badge takes an index.
            None if path == LIST_ZERO => Ok(self.status_list_zero()?.map(Served::Document)),
            None => Ok(None),
        }
    }

    /// The record of a badge (by UUID, `urn:uuid:UUID` or hosted assertion URL) this issuer
    /// or any issuer on the same store issued.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn issued(&self, id: &str) -> Result<Option<IssuedRecord>, Error> {
        Ok(self.inner.store.issued(&self.uuid_of(id))?)
    }

    /// The UUID of every badge issued on this issuer's store, in ascending order.
    ///
    /// # Errors
    /// [`Error::Store`].
    pub fn issued_uuids(&self) -> Result<Vec<String>, Error> {
        Ok(self.inner.store.issued_uuids()?)
    }

    /// The document path `path_or_url` names, if it is under this issuer.
    fn path_of(&self, path_or_url: &str) -> Option<String> {
        let s = path_or_url.trim();
        let url = if s.starts_with("https://") || s.starts_with("http://") {
            s.to_owned()
        } else if s.starts_with('/') {
            format!("{}{s}", self.origin())
        } else {
            return Some(s.to_owned()).filter(|p| !p.is_empty());
        };
        if url == self.well_known_jwks_url() {
            return Some("/.well-known/jwks.json".into());
        }
        url.strip_prefix(&self.inner.base)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
    }
}
