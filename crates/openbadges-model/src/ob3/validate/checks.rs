//! The primitive checks every class is made of: a property's presence and JSON type, strings,
//! IRIs, date-times, numbers, enumerations, embedded objects, `type` and `image`.

use serde_json::{Map, Value};

use super::Checker;
use super::vocab::is_enum_or_ext;
use crate::member::Members;
use crate::value::{is_absolute_iri, parse_datetime};
use crate::{ProblemCode, pointer_join};

/// The values of a property that may be one value or an array, with their JSON pointers.
pub(super) fn each<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    path: &str,
) -> Vec<(&'a Value, String)> {
    match obj.member(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => {
            let base = pointer_join(path, key);
            a.iter()
                .enumerate()
                .map(|(i, v)| (v, pointer_join(&base, i)))
                .collect()
        }
        Some(v) => vec![(v, pointer_join(path, key))],
    }
}

/// The names a `type` value holds (one string, or an array's entries), or `None` when it is
/// neither a string nor an array of strings. Read in place: no list is built.
pub(super) fn type_names(v: &Value) -> Option<impl Iterator<Item = &str> + Clone> {
    let all: &[Value] = match v {
        Value::String(_) => std::slice::from_ref(v),
        Value::Array(a) if a.iter().all(Value::is_string) => a,
        _ => return None,
    };
    Some(all.iter().filter_map(Value::as_str))
}

impl Checker {
    /// `type` must be present, a string or array of strings, and include `required`.
    pub(super) fn require_type(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        required: &str,
        what: &str,
    ) {
        let tpath = || pointer_join(path, "type");
        match obj.member("type") {
            None => self.error(
                ProblemCode::MissingProperty,
                &tpath(),
                format!("{what} has no `type` (it must include `{required}`)"),
            ),
            Some(t) => match type_names(t) {
                None => self.error(
                    ProblemCode::WrongType,
                    &tpath(),
                    "`type` must be a string or an array of strings",
                ),
                Some(types) if !types.clone().any(|t| t == required) => self.error(
                    ProblemCode::InvalidType,
                    &tpath(),
                    format!("{what} is not of type `{required}`"),
                ),
                Some(_) => {}
            },
        }
    }

    pub(super) fn string(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        required: bool,
    ) {
        let p = || pointer_join(path, key);
        match obj.member(key) {
            None if required => self.error(
                ProblemCode::MissingProperty,
                &p(),
                format!("`{key}` is required"),
            ),
            None => {}
            Some(Value::String(s)) if required && s.trim().is_empty() => {
                self.error(ProblemCode::EmptyValue, &p(), format!("`{key}` is empty"));
            }
            Some(Value::String(_)) => {}
            Some(_) => self.error(
                ProblemCode::WrongType,
                &p(),
                format!("`{key}` must be a string"),
            ),
        }
    }

    pub(super) fn strings(&mut self, obj: &Map<String, Value>, keys: &[&str], path: &str) {
        for k in keys {
            self.string(obj, k, path, false);
        }
    }

    pub(super) fn iri_value(&mut self, v: &Value, p: &str, key: &str) {
        match v {
            Value::String(s) if is_absolute_iri(s) => {}
            Value::String(s) => self.error(
                ProblemCode::InvalidIri,
                p,
                format!("`{key}` is not an absolute IRI: `{s}`"),
            ),
            _ => self.error(
                ProblemCode::WrongType,
                p,
                format!("`{key}` must be an IRI string"),
            ),
        }
    }

    pub(super) fn iri(&mut self, obj: &Map<String, Value>, key: &str, path: &str, required: bool) {
        let p = || pointer_join(path, key);
        match obj.member(key) {
            None if required => self.error(
                ProblemCode::MissingProperty,
                &p(),
                format!("`{key}` is required"),
            ),
            None => {}
            Some(Value::String(s)) if is_absolute_iri(s) => {}
            Some(v) => self.iri_value(v, &p(), key),
        }
    }

    pub(super) fn datetime(&mut self, obj: &Map<String, Value>, key: &str, path: &str) {
        let p = || pointer_join(path, key);
        match obj.member(key) {
            None => {}
            Some(Value::String(s)) if parse_datetime(s).is_none() => self.error(
                ProblemCode::InvalidDateTime,
                &p(),
                format!("`{key}` is not an ISO 8601 date-time with a time zone: `{s}`"),
            ),
            Some(Value::String(_)) => {}
            Some(Value::Number(_)) => self.error(
                ProblemCode::UnixTimestamp,
                &p(),
                format!("`{key}` must be an ISO 8601 date-time string, not a number"),
            ),
            Some(_) => self.error(
                ProblemCode::WrongType,
                &p(),
                format!("`{key}` must be a date-time string"),
            ),
        }
    }

    pub(super) fn number(&mut self, obj: &Map<String, Value>, key: &str, path: &str) {
        if obj.member(key).is_some_and(|v| !v.is_number()) {
            self.error(
                ProblemCode::WrongType,
                &pointer_join(path, key),
                format!("`{key}` must be a number"),
            );
        }
    }

    pub(super) fn enum_value(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        allowed: &[&str],
        extensible: bool,
        strict: bool,
    ) {
        let p = || pointer_join(path, key);
        match obj.member(key) {
            None => {}
            Some(Value::String(s)) => {
                let ok = if extensible {
                    is_enum_or_ext(s, allowed)
                } else {
                    allowed.contains(&s.as_str())
                };
                if !ok {
                    let msg = if extensible {
                        format!("`{key}` value `{s}` is not defined (extensions start with `ext:`)")
                    } else {
                        format!("`{key}` value `{s}` is not one of {}", allowed.join(", "))
                    };
                    if strict {
                        self.error(ProblemCode::InvalidValue, &p(), msg);
                    } else {
                        self.warning(ProblemCode::InvalidValue, &p(), msg);
                    }
                }
            }
            Some(_) => self.error(
                ProblemCode::WrongType,
                &p(),
                format!("`{key}` must be a string"),
            ),
        }
    }

    /// Calls `f` on each object value of a one-or-many property; reports non-objects.
    pub(super) fn objects(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        what: &str,
        mut f: impl FnMut(&mut Self, &Map<String, Value>, &str),
    ) {
        for (v, p) in each(obj, key, path) {
            match v.as_object() {
                Some(o) => f(self, o, &p),
                None => self.error(
                    ProblemCode::WrongType,
                    &p,
                    format!("each `{key}` must be {what} object"),
                ),
            }
        }
    }

    /// A property that must hold one object (not an IRI, not an array).
    pub(super) fn single_object<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &str,
        what: &str,
        required: bool,
    ) -> Option<(&'a Map<String, Value>, String)> {
        let p = || pointer_join(path, key);
        match obj.member(key) {
            None if required => {
                self.error(
                    ProblemCode::MissingProperty,
                    &p(),
                    format!("`{key}` is required"),
                );
                None
            }
            None => None,
            Some(Value::Object(o)) => Some((o, p())),
            Some(_) => {
                self.error(
                    ProblemCode::WrongType,
                    &p(),
                    format!("`{key}` must be {what} object"),
                );
                None
            }
        }
    }

    /// An `image`: an Image object (`id`, `type: Image`); a bare IRI is tolerated with a warning.
    pub(super) fn image(&mut self, o: &Map<String, Value>, key: &str, path: &str) {
        let Some(v) = o.member(key) else {
            return;
        };
        let p = pointer_join(path, key);
        match v {
            Value::Object(img) => {
                self.require_type(img, &p, "Image", "image");
                self.iri(img, "id", &p, true);
                self.string(img, "caption", &p, false);
            }
            Value::String(_) => {
                self.iri_value(v, &p, key);
                self.warning(
                    ProblemCode::WrongType,
                    &p,
                    "`image` should be an Image object (`id`, `type: Image`), not a bare IRI",
                );
            }
            _ => self.error(
                ProblemCode::WrongType,
                &p,
                "`image` must be an Image object",
            ),
        }
    }
}
