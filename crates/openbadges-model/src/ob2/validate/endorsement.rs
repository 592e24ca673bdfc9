//! Endorsements: a claim about a profile, badge class or assertion, issued by another profile.

use serde_json::{Map, Value};

use super::Validator;
use super::values::present;
use crate::{ProblemCode, pointer_join};

impl Validator {
    pub(super) fn endorsement(&mut self, obj: &Map<String, Value>, path: &str) {
        self.endorsement_node(obj, path, true);
    }

    pub(super) fn endorsement_embedded(&mut self, obj: &Map<String, Value>, path: &str) {
        self.endorsement_node(obj, path, false);
    }

    pub(super) fn endorsement_node(&mut self, obj: &Map<String, Value>, path: &str, root: bool) {
        const C: &str = "Endorsement";
        self.node_id(obj, path, root, C);
        let revoked = present(obj, "revoked") == Some(&Value::Bool(true));
        if let Some(v) = self.required(obj, path, "issuer", C) {
            let p = pointer_join(path, "issuer");
            match v {
                Value::Object(o) => self.profile(o, &p, false, false),
                other => {
                    self.iri(other, &p);
                }
            }
        }
        if revoked {
            self.warn(
                ProblemCode::Revoked,
                pointer_join(path, "revoked"),
                "the issuer marks this endorsement revoked",
            );
            return;
        }
        self.types(obj, path, &["Endorsement"], true, C);
        if let Some(c) = self.required(obj, path, "claim", C) {
            let p = pointer_join(path, "claim");
            if let Some(o) = self.object(c, &p, "a claim object") {
                if let Some(id) = self.required(o, &p, "id", "the endorsement claim") {
                    self.iri(id, &pointer_join(&p, "id"));
                }
                self.opt_text(o, &p, "endorsementComment");
            }
        }
        if let Some(v) = self.required(obj, path, "issuedOn", C) {
            self.datetime(v, &pointer_join(path, "issuedOn"));
        }
        if let Some(v) = self.required(obj, path, "verification", C) {
            self.assertion_verification(v, &pointer_join(path, "verification"));
        }
    }
}
