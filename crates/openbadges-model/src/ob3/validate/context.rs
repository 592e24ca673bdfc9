//! `@context`: which contexts a document declares, and the rules for their order and versions.

use serde_json::{Map, Value};

use super::{Checker, Kind};
use crate::detect::{VC1_CONTEXT, VC2_CONTEXT};
use crate::member::Members;
use crate::{ProblemCode, pointer_join};

/// The `@context` entries that are strings, read in place.
pub(super) fn context_strings(obj: &Map<String, Value>) -> impl Iterator<Item = &str> {
    crate::detect::strings_in(obj.member("@context"))
}

pub(super) fn declares_ob_or_clr_context(obj: &Map<String, Value>) -> bool {
    context_strings(obj).any(|c| is_ob3_context(c) || is_clr2_context(c))
}

pub(super) fn has_clr_context(obj: &Map<String, Value>) -> bool {
    context_strings(obj).any(is_clr2_context)
}

/// `https://purl.imsglobal.org/spec/ob/v3p0/context.json`, `…/context-3.x.y.json`, or the
/// alias the 1EdTech validator accepts, `…/context/ob_v3p0.jsonld`.
pub(super) fn is_ob3_context(s: &str) -> bool {
    versioned_context(s, "https://purl.imsglobal.org/spec/ob/v3p0/context", '3')
        || s == "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
}

/// `https://purl.imsglobal.org/spec/clr/v2p0/context.json` or `…/context-2.x.y.json`.
pub(super) fn is_clr2_context(s: &str) -> bool {
    versioned_context(s, "https://purl.imsglobal.org/spec/clr/v2p0/context", '2')
}

/// `{prefix}.json` or `{prefix}-{major}.{d}.{d}.json`.
pub(super) fn versioned_context(s: &str, prefix: &str, major: char) -> bool {
    let Some(rest) = s.strip_prefix(prefix) else {
        return false;
    };
    if rest == ".json" {
        return true;
    }
    let Some(version) = rest.strip_prefix('-').and_then(|r| r.strip_suffix(".json")) else {
        return false;
    };
    // Exactly three non-empty runs of digits, the first one digit long and `major`.
    let number =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let mut parts = version.split('.');
    let first = parts.next();
    first.is_some_and(|p| p.len() == 1 && p.starts_with(major))
        && number(first)
        && number(parts.next())
        && number(parts.next())
        && parts.next().is_none()
}

impl Checker {
    /// Checks `@context`; returns (declares VC 1.1, declares VC 2.0).
    pub(super) fn context(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        kind: Kind,
    ) -> (bool, bool) {
        let cpath = || pointer_join(path, "@context");
        let (entries, is_array): (&[Value], bool) = match obj.member("@context") {
            None => {
                self.error(
                    ProblemCode::MissingProperty,
                    &cpath(),
                    "`@context` is required",
                );
                return (false, false);
            }
            Some(Value::Array(a)) => (a, true),
            Some(v @ Value::String(_)) => (std::slice::from_ref(v), false),
            Some(_) => {
                self.error(
                    ProblemCode::WrongType,
                    &cpath(),
                    "`@context` must be an array of context IRIs or objects",
                );
                return (false, false);
            }
        };
        let at = |i: usize| {
            if is_array {
                pointer_join(&cpath(), i)
            } else {
                cpath()
            }
        };
        let iri = |i: usize| entries.get(i).and_then(Value::as_str);
        for (i, e) in entries.iter().enumerate() {
            if !(e.is_string() || e.is_object()) {
                self.error(
                    ProblemCode::WrongType,
                    &at(i),
                    "each `@context` entry must be an IRI or an object",
                );
            }
        }
        let first = iri(0);
        let v1 = first == Some(VC1_CONTEXT);
        let v2 = first == Some(VC2_CONTEXT);
        if !(v1 || v2) {
            self.error(
                ProblemCode::InvalidContext,
                &at(0),
                format!(
                    "the first `@context` entry must be the VC context `{VC2_CONTEXT}` (or, for VC 1.1, `{VC1_CONTEXT}`)"
                ),
            );
        } else if v1 && kind != Kind::PlainVc {
            self.warning(
                ProblemCode::Deprecated,
                &at(0),
                "VC Data Model 1.1 shape; OB 3.0 credentials are now issued with VC Data Model 2.0",
            );
        }
        if kind == Kind::PlainVc {
            return (v1, v2);
        }
        let position =
            |is: fn(&str) -> bool| entries.iter().position(|c| c.as_str().is_some_and(is));
        let ob_pos = position(is_ob3_context);
        let clr_pos = position(is_clr2_context);
        let (main_pos, main_name) = if kind == Kind::Clr {
            (clr_pos, "CLR 2.0")
        } else {
            (ob_pos, "OB 3.0")
        };
        match main_pos {
            // Without the VC context first, the position of the next one is moot.
            Some(_) if !(v1 || v2) => {}
            None => self.error(
                ProblemCode::InvalidContext,
                &cpath(),
                format!("the {main_name} context is missing from `@context`"),
            ),
            Some(1) => {}
            Some(i) => self.error(
                ProblemCode::InvalidContext,
                &at(i),
                format!("the {main_name} context must be the second `@context` entry"),
            ),
        }
        if kind == Kind::Clr && ob_pos.is_none() {
            self.error(
                ProblemCode::InvalidContext,
                &cpath(),
                "a ClrCredential must also declare the OB 3.0 context",
            );
        }
        let old_ob = ob_pos.and_then(|i| Some((i, iri(i)?)));
        if let Some((i, iri)) = old_ob.filter(|(_, iri)| !iri.ends_with("context-3.0.3.json")) {
            self.warning(
                ProblemCode::Deprecated,
                &at(i),
                format!(
                    "`{iri}` is an older OB 3.0 context; the current one is `{}`",
                    crate::ob3::OB3_CONTEXT
                ),
            );
        }
        (v1, v2)
    }
}
