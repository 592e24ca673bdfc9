//! Structural validation of OB 3.0 / CLR 2.0 documents, on the JSON itself.
//!
//! The rules are those of the OB 3.0 / CLR 2.0 data model (`common_credentials.lines` in the
//! specification repository) and the structural probes of the official 1EdTech validator
//! (`inspector-vc`: ContextPropertyProbe, TypePropertyProbe, CredentialSubjectProbe,
//! IssuerProbe, EvidenceProbe, the JSON schema's required properties). Unlike the validator,
//! which stops at the first failure of each probe, every problem is reported. Where the
//! validator disagrees with the specification (it requires `otherIdentifier` entries of an
//! issuer to be `IdentityObject`s; the specification says `IdentifierEntry`), the specification
//! wins.

mod achievement;
mod checks;
mod context;
mod credential;
mod profile;
mod subject;
#[cfg(test)]
mod tests;
mod vocab;

use serde_json::Value;

use self::context::{declares_ob_or_clr_context, has_clr_context};
use crate::detect::detect;
use crate::{Class, Problem, ProblemCode};

/// How deep credentials may nest inside credentials (endorsements of endorsements, CLR
/// bundles) before validation stops descending.
const MAX_NESTING: usize = 16;

/// Which credential class a node is checked as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    OpenBadge,
    Endorsement,
    Clr,
    /// A W3C VC of no Open Badges type (a status list credential, …): VC rules only.
    PlainVc,
}

/// Validates an OB 3.0 / CLR 2.0 document; returns every problem found (errors and warnings).
///
/// `class` is the class [`detect`] found (pass `None` to detect it here). OpenBadgeCredential,
/// AchievementCredential, EndorsementCredential and ClrCredential documents get the full rules;
/// an Achievement or Profile on its own gets the rules of that class; a VerifiableCredential that
/// declares the OB 3.0 or CLR context but none of their types is reported (`INVALID_TYPE`); a
/// plain VerifiableCredential (a status list, …) gets the VC data-model rules only.
///
/// Proofs, expiry, not-yet-valid and revocation are verification, not structure: an expired or
/// badly signed credential is structurally valid here.
///
/// ```
/// use openbadges_model::{ob3, ProblemCode};
/// let doc = serde_json::json!({
///   "@context": ["https://www.w3.org/ns/credentials/v2",
///                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
///   "id": "urn:uuid:1", "type": ["VerifiableCredential", "OpenBadgeCredential"],
///   "validFrom": "2024-01-01",
///   "credentialSubject": {"type": "AchievementSubject", "achievement": {}}
/// });
/// let problems = ob3::validate(&doc, None);
/// assert!(problems.iter().any(|p| p.code == ProblemCode::MissingProperty && p.path == "/issuer"));
/// assert!(problems.iter().any(|p| p.code == ProblemCode::InvalidDateTime && p.path == "/validFrom"));
/// assert!(problems.iter().any(|p| p.code == ProblemCode::SubjectWithoutIdentifier
///     && p.path == "/credentialSubject"));
/// ```
pub fn validate(doc: &Value, class: Option<&Class>) -> Vec<Problem> {
    let mut c = Checker::default();
    let detected;
    let class = match class {
        Some(cl) => Some(cl),
        None => {
            detected = detect(doc).class;
            detected.as_ref()
        }
    };
    let Some(obj) = doc.as_object() else {
        c.error(
            ProblemCode::WrongType,
            "",
            "an OB 3.0 document must be a JSON object",
        );
        return c.problems;
    };
    let claims_ob = declares_ob_or_clr_context(obj);
    match class {
        Some(Class::OpenBadgeCredential | Class::AchievementCredential) => {
            c.credential(obj, "", Kind::OpenBadge);
        }
        Some(Class::EndorsementCredential) => c.credential(obj, "", Kind::Endorsement),
        Some(Class::ClrCredential) => c.credential(obj, "", Kind::Clr),
        Some(Class::Achievement) => c.achievement(obj, ""),
        Some(Class::Profile) => c.profile(obj, ""),
        Some(Class::VerifiablePresentation) => c.presentation(obj),
        Some(Class::VerifiableCredential) if !claims_ob => {
            c.credential(obj, "", Kind::PlainVc);
        }
        _ if claims_ob => {
            // Declares the OB 3.0 / CLR context but none of their types: check it as what it
            // claims to be, so the missing type is reported with everything else.
            let kind = if has_clr_context(obj) {
                Kind::Clr
            } else {
                Kind::OpenBadge
            };
            c.credential(obj, "", kind);
        }
        _ => c.error(
            ProblemCode::UnknownDocument,
            "",
            "not an OB 3.0 or CLR 2.0 document",
        ),
    }
    c.problems
}

/// Walks a document and collects every problem; one method per class or property, spread over
/// this module's children by concept.
#[derive(Default)]
struct Checker {
    /// The problems found so far, in document order.
    problems: Vec<Problem>,
    /// How many credentials (or parent organisations) deep the walk is.
    nesting: usize,
}

impl Checker {
    /// Records an error at `path`.
    fn error(&mut self, code: ProblemCode, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::error(code, path, message));
    }

    /// Records a warning at `path`.
    fn warning(&mut self, code: ProblemCode, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::warning(code, path, message));
    }
}
