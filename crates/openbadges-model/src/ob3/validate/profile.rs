//! Profiles (issuers, creators, sources, parent organisations) and their addresses.

use serde_json::{Map, Value};

use super::{Checker, MAX_NESTING};

impl Checker {
    pub(super) fn profile(&mut self, p: &Map<String, Value>, path: &str) {
        self.profile_as(p, path, "profile");
    }

    /// A Profile in the role `what` (issuer, creator, source, parentOrg, …).
    pub(super) fn profile_as(&mut self, p: &Map<String, Value>, path: &str, what: &str) {
        self.require_type(p, path, "Profile", what);
        self.iri(p, "id", path, true);
        self.iri(p, "url", path, false);
        self.strings(
            p,
            &[
                "name",
                "phone",
                "description",
                "email",
                "official",
                "familyName",
                "givenName",
                "dateOfBirth",
            ],
            path,
        );
        self.image(p, "image", path);
        if let Some((addr, ap)) = self.single_object(p, "address", path, "an Address", false) {
            self.require_type(addr, &ap, "Address", "address");
        }
        self.objects(
            p,
            "otherIdentifier",
            path,
            "an IdentifierEntry",
            |c, o, op| {
                c.identifier_entry(o, op);
            },
        );
        if let Some((parent, pp)) = self.single_object(p, "parentOrg", path, "a Profile", false) {
            if self.nesting < MAX_NESTING {
                self.nesting += 1;
                self.profile_as(parent, &pp, "parentOrg");
                self.nesting -= 1;
            }
        }
        self.endorsements(p, path);
    }
}
