//! The URL layout: every id and path the issuer hands out, derived from its base URL (the
//! table in the [`issuer`](super) module doc). One place, so that a document and the ids that
//! point at it cannot disagree.

use super::Issuer;

impl Issuer {
    /// The absolute URL of `path` under the base URL.
    pub(super) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.base)
    }

    /// `scheme://authority` of the base URL.
    pub(super) fn origin(&self) -> &str {
        let after_scheme = self.inner.base.find("://").map_or(0, |i| i + 3);
        match self
            .inner
            .base
            .get(after_scheme..)
            .and_then(|r| r.find('/'))
        {
            Some(i) => self
                .inner
                .base
                .get(..after_scheme + i)
                .unwrap_or(&self.inner.base),
            None => self.inner.base.trim_end_matches('/'),
        }
    }

    /// The JWKS URL VC-JWT verifiers look up for an `https` issuer: the origin's
    /// `/.well-known/jwks.json`.
    pub fn well_known_jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.origin())
    }

    /// The OB 2.0 issuer profile id (`issuer.json`).
    pub fn ob2_profile_id(&self) -> String {
        self.url("issuer.json")
    }

    /// The OB 3.0 issuer id (`profile.json`), which is also the controller document of the
    /// Data Integrity key.
    pub fn ob3_profile_id(&self) -> String {
        self.url("profile.json")
    }

    /// The Data Integrity verification method (`profile.json#z6Mk…`), if there is an Ed25519
    /// key.
    pub fn verification_method(&self) -> Option<String> {
        self.inner
            .keys
            .multikey()
            .map(|m| format!("{}#{m}", self.ob3_profile_id()))
    }

    /// The OB 2.0 `CryptographicKey` id (`key.json`).
    pub fn key_id(&self) -> String {
        self.url("key.json")
    }

    /// The `kid` of VC-JWTs: the `key.json` URL when the JWS key signs them, else
    /// `jwks.json#vc-jwt`.
    pub fn vc_jwt_kid(&self) -> String {
        if self.inner.keys.separate_vc_jwt_key().is_some() {
            self.url("jwks.json#vc-jwt")
        } else {
            self.key_id()
        }
    }

    /// The OB 2.0 revocation list URL (`revocations.json`).
    pub fn revocation_list_id(&self) -> String {
        self.url("revocations.json")
    }

    /// The path of status list number `n` (`status/N.json`).
    pub(super) fn status_list_path(n: u64) -> String {
        format!("status/{n}.json")
    }

    /// The path of the OB 2.0 hosted assertion of badge `uuid` (`assertions/UUID.json`).
    pub(super) fn assertion_path(uuid: &str) -> String {
        format!("assertions/{uuid}.json")
    }

    /// The path of the OB 2.0 `BadgeClass` of badge `slug` (`badges/SLUG.json`).
    pub(super) fn badge_class_path(slug: &str) -> String {
        format!("badges/{slug}.json")
    }

    /// The path of the OB 3.0 `Achievement` of badge `slug` (`achievements/SLUG.json`).
    pub(super) fn achievement_path(slug: &str) -> String {
        format!("achievements/{slug}.json")
    }

    /// The id shared by the signed OB 2.0 assertion and the OB 3.0 credential of badge `uuid`.
    pub(super) fn urn_uuid(uuid: &str) -> String {
        format!("urn:uuid:{uuid}")
    }
}
