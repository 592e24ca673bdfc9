//! The primitive checks every class is made of: `@context`, required and one-or-many
//! properties, text, IRIs, URLs, date-times, booleans, `type`, node ids and embedded objects.

use serde_json::{Map, Value};

use super::Validator;
use super::formats::{is_iso_datetime_with_zone, is_url};
use crate::value::is_absolute_iri;
use crate::{ProblemCode, pointer_join};

/// The local name of a type: `obi:Assertion` and `https://w3id.org/openbadges#Assertion` are
/// `Assertion`.
pub(super) fn short(t: &str) -> &str {
    t.strip_prefix("https://w3id.org/openbadges#")
        .or_else(|| t.strip_prefix("http://w3id.org/openbadges#"))
        .or_else(|| t.strip_prefix("obi:"))
        .or_else(|| t.strip_prefix("sec:"))
        .unwrap_or(t)
}

pub(super) fn types_of(obj: &Map<String, Value>) -> Vec<&str> {
    match obj.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

impl Validator {
    pub(super) fn context(&mut self, obj: &Map<String, Value>) {
        match obj.get("@context") {
            None => self.err(
                ProblemCode::InvalidContext,
                "/@context",
                "an open badges 2.0 document needs the @context https://w3id.org/openbadges/v2",
            ),
            Some(ctx) => {
                let iris: Vec<&str> = match ctx {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                let ok = iris.iter().any(|c| {
                    c.trim_end_matches('/') == crate::detect::OB2_CONTEXT
                        || *c == "https://openbadgespec.org/v2/context.json"
                        || c.trim_end_matches('/') == "http://w3id.org/openbadges/v2"
                });
                if !ok {
                    self.err(
                        ProblemCode::InvalidContext,
                        "/@context",
                        "the @context does not include https://w3id.org/openbadges/v2",
                    );
                }
            }
        }
    }

    /// A required property: reports it when absent (or null) and returns it when present.
    pub(super) fn required<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        path: &str,
        key: &str,
        class: &str,
    ) -> Option<&'a Value> {
        let v = present(obj, key);
        if v.is_some_and(|x| x.as_array().is_some_and(Vec::is_empty)) {
            self.err(
                ProblemCode::EmptyValue,
                pointer_join(path, key),
                format!("{class} requires a value for `{key}`, not an empty array"),
            );
            return None;
        }
        if v.is_none() {
            self.err(
                ProblemCode::MissingProperty,
                pointer_join(path, key),
                format!("{class} requires `{key}`"),
            );
        }
        v
    }

    /// The single value of a property (an array of one is accepted, as JSON-LD compaction would).
    pub(super) fn single<'a>(&mut self, v: &'a Value, path: &str) -> Option<(&'a Value, String)> {
        match v {
            Value::Array(a) if a.len() == 1 => a.first().map(|x| (x, pointer_join(path, 0))),
            Value::Array(a) if a.is_empty() => {
                self.err(
                    ProblemCode::EmptyValue,
                    path,
                    "an empty array where a value is required",
                );
                None
            }
            Value::Array(_) => {
                self.err(
                    ProblemCode::WrongType,
                    path,
                    "more than the single value allowed",
                );
                None
            }
            other => Some((other, path.to_string())),
        }
    }

    /// Every value of a property that allows many.
    pub(super) fn many<'a>(v: &'a Value, path: &str) -> Vec<(&'a Value, String)> {
        match v {
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, x)| (x, pointer_join(path, i)))
                .collect(),
            other => vec![(other, path.to_string())],
        }
    }

    pub(super) fn text(&mut self, v: &Value, path: &str) -> Option<String> {
        let (v, p) = self.single(v, path)?;
        match v {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.err(ProblemCode::WrongType, p, "expected text");
                None
            }
        }
    }

    pub(super) fn opt_text(&mut self, obj: &Map<String, Value>, path: &str, key: &str) {
        if let Some(v) = present(obj, key) {
            self.text(v, &pointer_join(path, key));
        }
    }

    pub(super) fn req_text(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
        class: &str,
    ) {
        if let Some(v) = self.required(obj, path, key, class) {
            self.text(v, &pointer_join(path, key));
        }
    }

    pub(super) fn many_text(&mut self, v: &Value, path: &str) {
        for (x, p) in Self::many(v, path) {
            if !x.is_string() {
                self.err(ProblemCode::WrongType, p, "expected text");
            }
        }
    }

    pub(super) fn iri_str(&mut self, s: &str, path: &str) -> bool {
        if is_absolute_iri(s) || s.starts_with("_:") {
            true
        } else {
            self.err(
                ProblemCode::InvalidIri,
                path,
                format!("`{}` is not an absolute iri", abbreviate(s)),
            );
            false
        }
    }

    pub(super) fn iri(&mut self, v: &Value, path: &str) -> Option<String> {
        let (v, p) = self.single(v, path)?;
        match v {
            Value::String(s) => self.iri_str(s, &p).then(|| s.clone()),
            _ => {
                self.err(ProblemCode::WrongType, p, "expected an iri string");
                None
            }
        }
    }

    pub(super) fn url_value(&mut self, v: &Value, path: &str) {
        match v {
            Value::String(s) if is_url(s) => {}
            Value::String(s) => self.err(
                ProblemCode::InvalidUrl,
                path,
                format!("`{}` is not an absolute http(s) url", abbreviate(s)),
            ),
            _ => self.err(ProblemCode::WrongType, path, "expected a url string"),
        }
    }

    pub(super) fn datetime(&mut self, v: &Value, path: &str) -> Option<String> {
        let (v, p) = self.single(v, path)?;
        match v {
            Value::String(s) if is_iso_datetime_with_zone(s) => Some(s.clone()),
            Value::String(s) => {
                self.err(
                    ProblemCode::InvalidDateTime,
                    p,
                    format!(
                        "`{}` is not an iso 8601 date-time with a time zone",
                        abbreviate(s)
                    ),
                );
                None
            }
            Value::Number(_) => {
                self.err(
                    ProblemCode::UnixTimestamp,
                    p,
                    "open badges 2.0 requires an iso 8601 string, not a unix timestamp",
                );
                None
            }
            _ => {
                self.err(
                    ProblemCode::WrongType,
                    p,
                    "expected an iso 8601 date-time string",
                );
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, v: &Value, path: &str) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => {
                self.err(ProblemCode::WrongType, path, "expected a json boolean");
                None
            }
        }
    }

    /// `type`: required or not, and one of `allowed` (by local name) must be present.
    pub(super) fn types(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        allowed: &[&str],
        required: bool,
        class: &str,
    ) {
        let p = pointer_join(path, "type");
        let Some(v) = present(obj, "type") else {
            if required {
                self.err(
                    ProblemCode::MissingProperty,
                    p,
                    format!("{class} requires `type`"),
                );
            }
            return;
        };
        let mut names = Vec::new();
        for (x, xp) in Self::many(v, &p) {
            match x.as_str() {
                Some(s) => names.push(s),
                None => self.err(ProblemCode::WrongType, xp, "a type is a string"),
            }
        }
        if !names.iter().any(|t| allowed.contains(&short(t))) {
            self.err(
                ProblemCode::InvalidType,
                p,
                format!("`type` must include {}", allowed.join(" or ")),
            );
        }
    }

    /// `id` of a node: required on a document root; on an embedded node its absence makes a
    /// JSON-LD blank node, which the reference verifier accepts (a warning here).
    pub(super) fn node_id(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        root: bool,
        class: &str,
    ) {
        match present(obj, "id") {
            Some(v) => {
                self.iri(v, &pointer_join(path, "id"));
            }
            None if root => self.err(
                ProblemCode::MissingProperty,
                pointer_join(path, "id"),
                format!("{class} requires `id`"),
            ),
            None => self.warn(
                ProblemCode::MissingProperty,
                pointer_join(path, "id"),
                format!(
                    "embedded {class} without `id` (a blank node; the specification requires an id)"
                ),
            ),
        }
    }

    pub(super) fn object<'a>(
        &mut self,
        v: &'a Value,
        path: &str,
        what: &str,
    ) -> Option<&'a Map<String, Value>> {
        match v {
            Value::Object(o) => Some(o),
            _ => {
                self.err(ProblemCode::WrongType, path, format!("expected {what}"));
                None
            }
        }
    }
}

/// Shortens a value quoted in a message (untrusted input can be long).
pub(super) fn abbreviate(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}
