//! Structural validation of OB 2.0 documents, on the JSON value (so every problem is found,
//! including values of the wrong JSON type that a typed model could not even hold).
//!
//! Rules follow the OB 2.0 specification (required properties in bold there, primitive data
//! types, the Profile "note on required properties") and, where the specification leaves room,
//! the reference verifier (IMSGlobal/openbadges-validator-core `tasks/validation.py`):
//! embedded nodes without `id` are JSON-LD blank nodes (a warning, not an error); a single-entry
//! array is as good as a single value; `verify` is the v2 context's alias of `verification`.

mod assertion;
mod badge_class;
mod common;
mod endorsement;
mod formats;
mod profile;
#[cfg(test)]
mod tests;
mod values;

pub use formats::{is_email, is_iso_datetime_with_zone, is_url};

use serde_json::Value;

use self::values::{short, types_of};
use crate::{Class, Problem, ProblemCode};

/// Validates an OB 2.0 document of the given class (detected when `None`); returns every
/// problem found, each with a stable code and the JSON pointer of the offending node.
///
/// ```
/// use openbadges_model::{ob2, ProblemCode};
/// let doc = serde_json::json!({
///   "@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
///   "id": "https://example.org/a/1", "badge": "https://example.org/b/1",
///   "recipient": {"type": "email", "hashed": true, "identity": "sha256$zz"},
///   "verification": {"type": "hosted"}, "issuedOn": 1700000000
/// });
/// let problems = ob2::validate(&doc, None);
/// let found: Vec<_> = problems.iter().map(|p| (p.code, p.path.as_str())).collect();
/// assert_eq!(found, [
///     (ProblemCode::InvalidIdentityHash, "/recipient/identity"),
///     (ProblemCode::UnixTimestamp, "/issuedOn"),
/// ]);
/// ```
///
/// The document is read in the v2 terms ([`super::terms::in_v2_terms`]): a context alias such as
/// `verify` is read as `verification`, and problem paths name the v2 term.
pub fn validate(doc: &Value, class: Option<&Class>) -> Vec<Problem> {
    let doc = super::terms::in_v2_terms(doc);
    let doc = doc.as_ref();
    let mut v = Validator::default();
    let Some(obj) = doc.as_object() else {
        v.err(
            ProblemCode::WrongType,
            "",
            "an open badges document is a json object",
        );
        return v.problems;
    };
    v.context(obj);
    let detected;
    let class = match class {
        Some(c) => Some(c),
        None => {
            detected = crate::detect(doc).class;
            detected.as_ref()
        }
    };
    match class {
        Some(Class::Assertion) => v.assertion(obj, ""),
        Some(Class::BadgeClass) => v.badge_class(obj, "", true),
        Some(Class::Profile) => {
            let issuer = types_of(obj).iter().any(|t| short(t) == "Issuer");
            v.profile(obj, "", true, issuer);
        }
        Some(Class::CryptographicKey) => v.key(obj, ""),
        Some(Class::RevocationList) => v.revocation_list(obj, ""),
        Some(Class::Endorsement) => v.endorsement(obj, ""),
        _ => v.err(
            ProblemCode::InvalidType,
            "/type",
            "no open badges 2.0 class (Assertion, BadgeClass, Issuer/Profile, CryptographicKey, RevocationList, Endorsement)",
        ),
    }
    v.problems
}

/// Walks a document and collects every problem; one method per class or property, spread over
/// this module's children by concept.
#[derive(Default)]
struct Validator {
    /// The problems found so far, in document order.
    problems: Vec<Problem>,
}

impl Validator {
    /// Records an error at `path`.
    fn err(&mut self, code: ProblemCode, path: impl Into<String>, msg: impl Into<String>) {
        self.problems.push(Problem::error(code, path, msg));
    }

    /// Records a warning at `path`.
    fn warn(&mut self, code: ProblemCode, path: impl Into<String>, msg: impl Into<String>) {
        self.problems.push(Problem::warning(code, path, msg));
    }
}
