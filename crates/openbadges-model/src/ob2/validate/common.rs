//! What several classes share: `version`, `endorsement` and `related` on the primary classes, and
//! the Image class.

use serde_json::{Map, Value};

use super::Validator;
use super::values::present;
use crate::{ProblemCode, pointer_join};

impl Validator {
    /// Properties shared by the primary classes: `version`, `endorsement`, `related`.
    pub(super) fn common(&mut self, obj: &Map<String, Value>, path: &str) {
        if let Some(v) = present(obj, "version") {
            let p = pointer_join(path, "version");
            if let Some((x, xp)) = self.single(v, &p) {
                if !(x.is_string() || x.is_number()) {
                    self.err(ProblemCode::WrongType, xp, "expected text or a number");
                }
            }
        }
        for key in ["endorsement", "related"] {
            if let Some(v) = present(obj, key) {
                for (e, p) in Self::many(v, &pointer_join(path, key)) {
                    match e {
                        Value::String(s) => {
                            self.iri_str(s, &p);
                        }
                        Value::Object(o) if key == "endorsement" => {
                            self.endorsement_embedded(o, &p)
                        }
                        Value::Object(o) => {
                            if let Some(id) = present(o, "id") {
                                self.iri(id, &pointer_join(&p, "id"));
                            }
                        }
                        _ => self.err(ProblemCode::WrongType, p, "expected an iri or object"),
                    }
                }
            }
        }
    }

    pub(super) fn image(&mut self, v: &Value, path: &str) {
        let Some((v, p)) = self.single(v, path) else {
            return;
        };
        match v {
            Value::String(s) => {
                self.iri_str(s, &p);
            }
            Value::Object(o) => {
                match present(o, "id") {
                    Some(id) => {
                        self.iri(id, &pointer_join(&p, "id"));
                    }
                    None => self.err(
                        ProblemCode::MissingProperty,
                        pointer_join(&p, "id"),
                        "Image requires `id` (the url or data uri of the image)",
                    ),
                }
                self.opt_text(o, &p, "caption");
                if let Some(a) = present(o, "author") {
                    self.iri(a, &pointer_join(&p, "author"));
                }
            }
            _ => self.err(ProblemCode::WrongType, p, "expected an image iri or object"),
        }
    }
}
