//! BadgeClasses: criteria, alignments, tags and the issuer they point to.

use serde_json::{Map, Value};

use super::Validator;
use super::values::present;
use crate::{ProblemCode, pointer_join};

impl Validator {
    pub(super) fn badge_class(&mut self, obj: &Map<String, Value>, path: &str, root: bool) {
        const C: &str = "BadgeClass";
        self.node_id(obj, path, root, C);
        self.types(obj, path, &["BadgeClass"], true, C);
        self.req_text(obj, path, "name", C);
        self.req_text(obj, path, "description", C);
        if let Some(v) = self.required(obj, path, "image", C) {
            self.image(v, &pointer_join(path, "image"));
        }
        if let Some(v) = self.required(obj, path, "criteria", C) {
            let p = pointer_join(path, "criteria");
            if let Some((v, p)) = self.single(v, &p) {
                match v {
                    Value::String(s) => {
                        self.iri_str(s, &p);
                    }
                    Value::Object(o) => {
                        let id = present(o, "id");
                        if let Some(id) = id {
                            self.iri(id, &pointer_join(&p, "id"));
                        }
                        self.opt_text(o, &p, "narrative");
                        if id.is_none() && present(o, "narrative").is_none() {
                            self.err(
                                ProblemCode::MissingProperty,
                                pointer_join(&p, "narrative"),
                                "Criteria needs an `id` (criteria url) or a `narrative`",
                            );
                        }
                    }
                    _ => self.err(
                        ProblemCode::WrongType,
                        p,
                        "expected a criteria iri or object",
                    ),
                }
            }
        }
        if let Some(v) = self.required(obj, path, "issuer", C) {
            let p = pointer_join(path, "issuer");
            if let Some((v, p)) = self.single(v, &p) {
                match v {
                    Value::String(s) => {
                        self.iri_str(s, &p);
                    }
                    Value::Object(o) => self.profile(o, &p, false, true),
                    _ => self.err(
                        ProblemCode::WrongType,
                        p,
                        "expected an issuer iri or object",
                    ),
                }
            }
        }
        if let Some(v) = present(obj, "alignment") {
            for (a, p) in Self::many(v, &pointer_join(path, "alignment")) {
                let Some(o) = self.object(a, &p, "an alignment object") else {
                    continue;
                };
                const A: &str = "AlignmentObject";
                self.req_text(o, &p, "targetName", A);
                if let Some(u) = self.required(o, &p, "targetUrl", A) {
                    self.url_value(u, &pointer_join(&p, "targetUrl"));
                }
                for key in ["targetDescription", "targetFramework", "targetCode"] {
                    self.opt_text(o, &p, key);
                }
            }
        }
        if let Some(v) = present(obj, "tags") {
            self.many_text(v, &pointer_join(path, "tags"));
        }
        self.common(obj, path);
    }
}
