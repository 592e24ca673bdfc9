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

use serde_json::{Map, Value};

use crate::detect::{VC1_CONTEXT, VC2_CONTEXT, detect};
use crate::identity::IdentityHash;
use crate::value::{is_absolute_iri, parse_datetime};
use crate::{Class, Problem, ProblemCode, pointer_join};

/// How deep credentials may nest inside credentials (endorsements of endorsements, CLR
/// bundles) before validation stops descending.
const MAX_NESTING: usize = 16;

/// Values of `achievementType` (plus `ext:` extensions).
const ACHIEVEMENT_TYPES: &[&str] = &[
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
];

/// Values of `Alignment.targetType` (plus `ext:` extensions).
const ALIGNMENT_TARGET_TYPES: &[&str] = &[
    "ceasn:Competency",
    "ceterms:Credential",
    "CFItem",
    "CFRubric",
    "CFRubricCriterion",
    "CFRubricCriterionLevel",
    "CTDL",
];

/// Values of `ResultDescription.resultType` (plus `ext:` extensions).
const RESULT_TYPES: &[&str] = &[
    "GradePointAverage",
    "LetterGrade",
    "Percent",
    "PerformanceLevel",
    "PredictedScore",
    "RawScore",
    "Result",
    "RubricCriterion",
    "RubricCriterionLevel",
    "RubricScore",
    "ScaledScore",
    "Status",
];

/// Values of `Result.status` (a closed enumeration).
const RESULT_STATUSES: &[&str] = &[
    "Completed",
    "Enrolled",
    "Failed",
    "InProgress",
    "OnHold",
    "Provisional",
    "Withdrew",
];

/// Known values of `identityType` / `identifierType` (plus `ext:` extensions). Values outside
/// this list are reported as warnings: the list comes from the 1EdTech common data model and may
/// grow.
const IDENTIFIER_TYPES: &[&str] = &[
    "name",
    "sourcedId",
    "systemId",
    "productId",
    "userName",
    "accountId",
    "emailAddress",
    "nationalIdentityNumber",
    "isbn",
    "issn",
    "lisSourcedId",
    "oneRosterSourcedId",
    "sisSourcedId",
    "ltiContextId",
    "ltiDeploymentId",
    "ltiToolId",
    "ltiPlatformId",
    "ltiUserId",
    "identifier",
];

/// Known values of CLR `associationType` (unknown values are warnings).
const ASSOCIATION_TYPES: &[&str] = &[
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
];

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

fn context_strings(obj: &Map<String, Value>) -> Vec<&str> {
    match obj.get("@context") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn declares_ob_or_clr_context(obj: &Map<String, Value>) -> bool {
    context_strings(obj)
        .iter()
        .any(|c| is_ob3_context(c) || is_clr2_context(c))
}

fn has_clr_context(obj: &Map<String, Value>) -> bool {
    context_strings(obj).iter().any(|c| is_clr2_context(c))
}

/// `https://purl.imsglobal.org/spec/ob/v3p0/context.json`, `…/context-3.x.y.json`, or the
/// alias the 1EdTech validator accepts, `…/context/ob_v3p0.jsonld`.
pub(crate) fn is_ob3_context(s: &str) -> bool {
    versioned_context(s, "https://purl.imsglobal.org/spec/ob/v3p0/context", '3')
        || s == "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
}

/// `https://purl.imsglobal.org/spec/clr/v2p0/context.json` or `…/context-2.x.y.json`.
pub(crate) fn is_clr2_context(s: &str) -> bool {
    versioned_context(s, "https://purl.imsglobal.org/spec/clr/v2p0/context", '2')
}

/// `{prefix}.json` or `{prefix}-{major}.{d}.{d}.json`.
fn versioned_context(s: &str, prefix: &str, major: char) -> bool {
    let Some(rest) = s.strip_prefix(prefix) else {
        return false;
    };
    if rest == ".json" {
        return true;
    }
    let Some(version) = rest.strip_prefix('-').and_then(|r| r.strip_suffix(".json")) else {
        return false;
    };
    let parts: Vec<&str> = version.split('.').collect();
    parts.len() == 3
        && parts
            .first()
            .is_some_and(|p| p.len() == 1 && p.starts_with(major))
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The values of a property that may be one value or an array, with their JSON pointers.
fn each<'a>(obj: &'a Map<String, Value>, key: &str, path: &str) -> Vec<(&'a Value, String)> {
    match obj.get(key) {
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

fn type_strings(v: Option<&Value>) -> Option<Vec<&str>> {
    match v? {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(a) => a.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

fn is_enum_or_ext(value: &str, allowed: &[&str]) -> bool {
    allowed.contains(&value)
        || value.strip_prefix("ext:").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'|'))
        })
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
    nesting: usize,
}

impl Checker {
    fn error(&mut self, code: ProblemCode, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::error(code, path, message));
    }

    fn warning(&mut self, code: ProblemCode, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::warning(code, path, message));
    }

    // ---- primitive checks -------------------------------------------------------------

    /// `type` must be present, a string or array of strings, and include `required`.
    fn require_type(&mut self, obj: &Map<String, Value>, path: &str, required: &str, what: &str) {
        let tpath = || pointer_join(path, "type");
        match obj.get("type") {
            None => self.error(
                ProblemCode::MissingProperty,
                &tpath(),
                format!("{what} has no `type` (it must include `{required}`)"),
            ),
            Some(t) => match type_strings(Some(t)) {
                None => self.error(
                    ProblemCode::WrongType,
                    &tpath(),
                    "`type` must be a string or an array of strings",
                ),
                Some(types) if !types.contains(&required) => self.error(
                    ProblemCode::InvalidType,
                    &tpath(),
                    format!("{what} is not of type `{required}`"),
                ),
                Some(_) => {}
            },
        }
    }

    fn string(&mut self, obj: &Map<String, Value>, key: &str, path: &str, required: bool) {
        let p = || pointer_join(path, key);
        match obj.get(key) {
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

    fn strings(&mut self, obj: &Map<String, Value>, keys: &[&str], path: &str) {
        for k in keys {
            self.string(obj, k, path, false);
        }
    }

    fn iri_value(&mut self, v: &Value, p: &str, key: &str) {
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

    fn iri(&mut self, obj: &Map<String, Value>, key: &str, path: &str, required: bool) {
        let p = || pointer_join(path, key);
        match obj.get(key) {
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

    fn datetime(&mut self, obj: &Map<String, Value>, key: &str, path: &str) {
        let p = || pointer_join(path, key);
        match obj.get(key) {
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

    fn number(&mut self, obj: &Map<String, Value>, key: &str, path: &str) {
        if obj.get(key).is_some_and(|v| !v.is_number()) {
            self.error(
                ProblemCode::WrongType,
                &pointer_join(path, key),
                format!("`{key}` must be a number"),
            );
        }
    }

    fn enum_value(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        path: &str,
        allowed: &[&str],
        extensible: bool,
        strict: bool,
    ) {
        let p = || pointer_join(path, key);
        match obj.get(key) {
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
    fn objects(
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
    fn single_object<'a>(
        &mut self,
        obj: &'a Map<String, Value>,
        key: &str,
        path: &str,
        what: &str,
        required: bool,
    ) -> Option<(&'a Map<String, Value>, String)> {
        let p = pointer_join(path, key);
        match obj.get(key) {
            None if required => {
                self.error(
                    ProblemCode::MissingProperty,
                    &p,
                    format!("`{key}` is required"),
                );
                None
            }
            None => None,
            Some(Value::Object(o)) => Some((o, p)),
            Some(_) => {
                self.error(
                    ProblemCode::WrongType,
                    &p,
                    format!("`{key}` must be {what} object"),
                );
                None
            }
        }
    }

    // ---- credentials ------------------------------------------------------------------

    fn credential(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        if self.nesting >= MAX_NESTING {
            self.warning(
                ProblemCode::InvalidValue,
                path,
                "credentials nest too deeply; the nested credential was not checked",
            );
            return;
        }
        self.nesting += 1;
        self.credential_inner(obj, path, kind);
        self.nesting -= 1;
    }

    fn credential_inner(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        let (v1, v2) = self.context(obj, path, kind);
        self.credential_type(obj, path, kind);

        // id: required by OB 3.0 / CLR 2.0, optional for plain VCs.
        self.iri(obj, "id", path, kind != Kind::PlainVc);
        // name: required for EndorsementCredential and ClrCredential.
        self.string(
            obj,
            "name",
            path,
            matches!(kind, Kind::Endorsement | Kind::Clr),
        );
        self.string(obj, "description", path, false);
        if kind != Kind::PlainVc {
            self.image(obj, "image", path);
        }

        // issuer
        let ipath = pointer_join(path, "issuer");
        match obj.get("issuer") {
            None => self.error(ProblemCode::MissingProperty, &ipath, "`issuer` is required"),
            Some(Value::String(_)) => self.iri(obj, "issuer", path, true),
            Some(Value::Object(p)) if kind == Kind::PlainVc => self.iri(p, "id", &ipath, true),
            Some(Value::Object(p)) => self.profile_as(p, &ipath, "issuer"),
            Some(_) => self.error(
                ProblemCode::WrongType,
                &ipath,
                "`issuer` must be an IRI or a Profile object",
            ),
        }

        self.dates(obj, path, v1, v2);

        // credentialSubject
        let spath = pointer_join(path, "credentialSubject");
        match (obj.get("credentialSubject"), kind) {
            (None, _) => self.error(
                ProblemCode::MissingProperty,
                &spath,
                "`credentialSubject` is required",
            ),
            (Some(Value::Object(_) | Value::Array(_)), Kind::PlainVc) => {}
            (Some(Value::Object(s)), Kind::OpenBadge) => self.achievement_subject(s, &spath),
            (Some(Value::Object(s)), Kind::Endorsement) => self.endorsement_subject(s, &spath),
            (Some(Value::Object(s)), Kind::Clr) => self.clr_subject(s, &spath),
            (Some(_), _) => self.error(
                ProblemCode::WrongType,
                &spath,
                "`credentialSubject` must be one object",
            ),
        }

        self.objects(obj, "evidence", path, "an Evidence", |c, e, p| {
            c.evidence(e, p);
        });
        self.objects(obj, "proof", path, "a proof", |c, pr, p| {
            c.string(pr, "type", p, true);
            c.datetime(pr, "created", p);
            c.strings(
                pr,
                &[
                    "cryptosuite",
                    "proofPurpose",
                    "proofValue",
                    "verificationMethod",
                ],
                p,
            );
        });
        self.objects(
            obj,
            "credentialSchema",
            path,
            "a CredentialSchema",
            |c, s, p| {
                c.iri(s, "id", p, true);
                c.string(s, "type", p, true);
            },
        );
        self.objects(
            obj,
            "credentialStatus",
            path,
            "a CredentialStatus",
            |c, s, p| {
                c.credential_status(s, p);
            },
        );
        self.objects(
            obj,
            "refreshService",
            path,
            "a RefreshService",
            |c, s, p| {
                c.iri(s, "id", p, true);
                c.string(s, "type", p, true);
            },
        );
        self.objects(obj, "termsOfUse", path, "a TermsOfUse", |c, s, p| {
            c.iri(s, "id", p, false);
            c.string(s, "type", p, true);
        });
        if kind != Kind::PlainVc {
            self.endorsements(obj, path);
        }
    }

    /// Checks `@context`; returns (declares VC 1.1, declares VC 2.0).
    fn context(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) -> (bool, bool) {
        let cpath = pointer_join(path, "@context");
        let entries: Vec<&Value> = match obj.get("@context") {
            None => {
                self.error(
                    ProblemCode::MissingProperty,
                    &cpath,
                    "`@context` is required",
                );
                return (false, false);
            }
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v @ Value::String(_)) => vec![v],
            Some(_) => {
                self.error(
                    ProblemCode::WrongType,
                    &cpath,
                    "`@context` must be an array of context IRIs or objects",
                );
                return (false, false);
            }
        };
        let is_array = obj.get("@context").is_some_and(Value::is_array);
        let at = |i: usize| {
            if is_array {
                pointer_join(&cpath, i)
            } else {
                cpath.clone()
            }
        };
        let iris: Vec<Option<&str>> = entries.iter().map(|v| v.as_str()).collect();
        for (i, e) in entries.iter().enumerate() {
            if !(e.is_string() || e.is_object()) {
                self.error(
                    ProblemCode::WrongType,
                    &at(i),
                    "each `@context` entry must be an IRI or an object",
                );
            }
        }
        let first = iris.first().copied().flatten();
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
        let ob_pos = iris.iter().position(|c| c.is_some_and(is_ob3_context));
        let clr_pos = iris.iter().position(|c| c.is_some_and(is_clr2_context));
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
                &cpath,
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
                &cpath,
                "a ClrCredential must also declare the OB 3.0 context",
            );
        }
        let old_ob = ob_pos.and_then(|i| Some((i, (*iris.get(i)?)?)));
        if let Some((i, iri)) = old_ob.filter(|(_, iri)| !iri.ends_with("context-3.0.3.json")) {
            self.warning(
                ProblemCode::Deprecated,
                &at(i),
                format!(
                    "`{iri}` is an older OB 3.0 context; the current one is `{}`",
                    super::OB3_CONTEXT
                ),
            );
        }
        (v1, v2)
    }

    fn credential_type(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        let tpath = pointer_join(path, "type");
        let Some(t) = obj.get("type") else {
            self.error(ProblemCode::MissingProperty, &tpath, "`type` is required");
            return;
        };
        let Some(types) = type_strings(Some(t)) else {
            self.error(
                ProblemCode::WrongType,
                &tpath,
                "`type` must be a string or an array of strings",
            );
            return;
        };
        if !types.contains(&"VerifiableCredential") {
            self.error(
                ProblemCode::InvalidType,
                &tpath,
                "`type` must include `VerifiableCredential`",
            );
        }
        let (ok, need) = match kind {
            Kind::OpenBadge => (
                types.contains(&"OpenBadgeCredential") || types.contains(&"AchievementCredential"),
                "`OpenBadgeCredential` or `AchievementCredential`",
            ),
            Kind::Endorsement => (
                types.contains(&"EndorsementCredential"),
                "`EndorsementCredential`",
            ),
            Kind::Clr => (types.contains(&"ClrCredential"), "`ClrCredential`"),
            Kind::PlainVc => (true, ""),
        };
        if !ok {
            self.error(
                ProblemCode::InvalidType,
                &tpath,
                format!("`type` must include {need}"),
            );
        }
    }

    fn dates(&mut self, obj: &Map<String, Value>, path: &str, v1: bool, v2: bool) {
        let has = |k: &str| obj.contains_key(k);
        if v2 && !has("validFrom") {
            let msg = if has("issuanceDate") {
                "`validFrom` is required in VC Data Model 2.0 (`issuanceDate` is the 1.1 name)"
            } else {
                "`validFrom` is required"
            };
            self.error(
                ProblemCode::MissingProperty,
                &pointer_join(path, "validFrom"),
                msg,
            );
        } else if !v2 && !has("validFrom") && !has("issuanceDate") {
            let key = if v1 { "issuanceDate" } else { "validFrom" };
            self.error(
                ProblemCode::MissingProperty,
                &pointer_join(path, key),
                format!("`{key}` is required"),
            );
        }
        for key in [
            "validFrom",
            "validUntil",
            "issuanceDate",
            "expirationDate",
            "awardedDate",
        ] {
            self.datetime(obj, key, path);
        }
        let get = |k: &str| obj.get(k).and_then(Value::as_str).and_then(parse_datetime);
        let start = get("validFrom").or_else(|| get("issuanceDate"));
        let (end_key, end) = match get("validUntil") {
            Some(e) => ("validUntil", Some(e)),
            None => ("expirationDate", get("expirationDate")),
        };
        if start.zip(end).is_some_and(|(s, e)| e < s) {
            self.error(
                ProblemCode::InvalidDateRange,
                &pointer_join(path, end_key),
                format!("`{end_key}` is before the start of validity"),
            );
        }
    }

    fn credential_status(&mut self, s: &Map<String, Value>, p: &str) {
        self.string(s, "type", p, true);
        let kind = s.get("type").and_then(Value::as_str).unwrap_or("");
        self.iri(s, "id", p, kind == "1EdTechRevocationList");
        // The Bitstring Status List entry properties (StatusList2021Entry, its predecessor, is
        // not checked: that draft is superseded and its shape varied).
        if kind == "BitstringStatusListEntry" {
            self.string(s, "statusPurpose", p, true);
            self.iri(s, "statusListCredential", p, true);
            let ip = pointer_join(p, "statusListIndex");
            match s.get("statusListIndex") {
                None => self.error(
                    ProblemCode::MissingProperty,
                    &ip,
                    "`statusListIndex` is required",
                ),
                Some(Value::String(x)) if x.parse::<u64>().is_ok() => {}
                Some(Value::Number(n)) if n.is_u64() => self.warning(
                    ProblemCode::WrongType,
                    &ip,
                    "`statusListIndex` should be a string of digits, not a number",
                ),
                Some(_) => self.error(
                    ProblemCode::InvalidValue,
                    &ip,
                    "`statusListIndex` must be a non-negative integer written as a string",
                ),
            }
        }
    }

    fn endorsements(&mut self, obj: &Map<String, Value>, path: &str) {
        self.objects(
            obj,
            "endorsement",
            path,
            "an EndorsementCredential",
            |c, e, p| {
                c.credential(e, p, Kind::Endorsement);
            },
        );
        for (v, p) in each(obj, "endorsementJwt", path) {
            match v.as_str() {
                Some(s) if crate::compact_jws::is_compact_jws(s) => {}
                Some(_) => self.error(
                    ProblemCode::InvalidValue,
                    &p,
                    "`endorsementJwt` entries must be compact JWS strings",
                ),
                None => self.error(
                    ProblemCode::WrongType,
                    &p,
                    "`endorsementJwt` entries must be strings",
                ),
            }
        }
    }

    // ---- subjects ---------------------------------------------------------------------

    /// Either `id` or at least one `identifier` (CredentialSubjectProbe).
    fn subject_identity(&mut self, s: &Map<String, Value>, path: &str) {
        self.iri(s, "id", path, false);
        let has_id = s
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|x| !x.trim().is_empty());
        let has_identifier = match s.get("identifier") {
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::Object(_)) => true,
            _ => false,
        };
        if !has_id && !has_identifier {
            self.error(
                ProblemCode::SubjectWithoutIdentifier,
                path,
                "the subject needs an `id` or at least one `identifier`",
            );
        }
        self.objects(s, "identifier", path, "an IdentityObject", |c, o, p| {
            c.identity_object(o, p);
        });
    }

    fn achievement_subject(&mut self, s: &Map<String, Value>, path: &str) {
        self.require_type(s, path, "AchievementSubject", "credentialSubject");
        self.subject_identity(s, path);
        if let Some((a, p)) = self.single_object(s, "achievement", path, "an Achievement", true) {
            self.achievement(a, &p);
        }
        self.objects(s, "result", path, "a Result", |c, r, p| c.result(r, p));
        if let Some(a) = s.get("achievement").and_then(Value::as_object) {
            self.result_links(s, a, path);
        }
        if let Some((src, p)) = self.single_object(s, "source", path, "a Profile", false) {
            self.profile_as(src, &p, "source");
        }
        self.image(s, "image", path);
        self.datetime(s, "activityStartDate", path);
        self.datetime(s, "activityEndDate", path);
        self.number(s, "creditsEarned", path);
        self.strings(s, &["licenseNumber", "narrative", "role", "term"], path);
    }

    /// Results link to the achievement's result descriptions (`resultDescription`) and rubric
    /// levels (`achievedLevel`); a result for a `Status` description needs a `status`.
    fn result_links(&mut self, s: &Map<String, Value>, a: &Map<String, Value>, path: &str) {
        let descriptions: Vec<&Map<String, Value>> = each(a, "resultDescription", "")
            .into_iter()
            .filter_map(|(v, _)| v.as_object())
            .collect();
        for (r, p) in each(s, "result", path) {
            let Some(r) = r.as_object() else { continue };
            let Some(rd_id) = r.get("resultDescription").and_then(Value::as_str) else {
                continue;
            };
            let Some(rd) = descriptions
                .iter()
                .find(|d| d.get("id").and_then(Value::as_str) == Some(rd_id))
            else {
                self.warning(
                    ProblemCode::InvalidValue,
                    &pointer_join(&p, "resultDescription"),
                    format!("no resultDescription of the achievement has the id `{rd_id}`"),
                );
                continue;
            };
            if rd.get("resultType").and_then(Value::as_str) == Some("Status")
                && !r.contains_key("status")
            {
                self.error(
                    ProblemCode::MissingProperty,
                    &pointer_join(&p, "status"),
                    "`status` is required for a result of a `Status` result description",
                );
            }
            if let Some(level) = r.get("achievedLevel").and_then(Value::as_str) {
                let known = each(rd, "rubricCriterionLevel", "")
                    .into_iter()
                    .any(|(l, _)| l.get("id").and_then(Value::as_str) == Some(level));
                if !known {
                    self.warning(
                        ProblemCode::InvalidValue,
                        &pointer_join(&p, "achievedLevel"),
                        format!(
                            "`{level}` is not a rubricCriterionLevel of the result description `{rd_id}`"
                        ),
                    );
                }
            }
        }
    }

    fn endorsement_subject(&mut self, s: &Map<String, Value>, path: &str) {
        self.require_type(s, path, "EndorsementSubject", "credentialSubject");
        self.iri(s, "id", path, true);
        self.string(s, "endorsementComment", path, false);
    }

    fn clr_subject(&mut self, s: &Map<String, Value>, path: &str) {
        self.require_type(s, path, "ClrSubject", "credentialSubject");
        self.subject_identity(s, path);
        self.strings(s, &["name", "description"], path);
        self.image(s, "image", path);
        self.objects(s, "achievement", path, "an Achievement", |c, a, p| {
            c.achievement(a, p);
        });
        let vpath = pointer_join(path, "verifiableCredential");
        match s.get("verifiableCredential") {
            None => self.error(
                ProblemCode::MissingProperty,
                &vpath,
                "`verifiableCredential` is required",
            ),
            Some(Value::Array(a)) if a.is_empty() => self.error(
                ProblemCode::EmptyValue,
                &vpath,
                "`verifiableCredential` needs at least one credential",
            ),
            Some(_) => {}
        }
        for (v, p) in each(s, "verifiableCredential", path) {
            match v {
                Value::Object(o) if is_enveloped(o) => self.enveloped_credential(o, &p),
                Value::Object(o) => self.embedded_credential(v, o, &p),
                Value::String(jws) if crate::compact_jws::is_compact_jws(jws) => {}
                _ => self.error(
                    ProblemCode::WrongType,
                    &p,
                    "each `verifiableCredential` must be a credential object or a VC-JWT",
                ),
            }
        }
        self.objects(s, "association", path, "an Association", |c, a, p| {
            c.require_type(a, p, "Association", "association");
            c.enum_value(a, "associationType", p, ASSOCIATION_TYPES, false, false);
            c.string(a, "associationType", p, true);
            c.iri(a, "sourceId", p, true);
            c.iri(a, "targetId", p, true);
        });
    }

    /// A VC DM 2.0 `EnvelopedVerifiableCredential` (a VC-JWT in a `data:` URL): its `id` must
    /// be a `data:` URL; the enveloped credential is checked by whoever verifies it.
    fn enveloped_credential(&mut self, o: &Map<String, Value>, p: &str) {
        if !o
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.starts_with("data:"))
        {
            self.error(
                ProblemCode::WrongType,
                p,
                "an `EnvelopedVerifiableCredential` needs a `data:` URL as `id`",
            );
        }
    }

    /// A credential inside a CLR: checked as the class it declares.
    fn embedded_credential(&mut self, v: &Value, o: &Map<String, Value>, p: &str) {
        let kind = match detect(v).class {
            Some(Class::EndorsementCredential) => Kind::Endorsement,
            Some(Class::ClrCredential) => Kind::Clr,
            Some(Class::VerifiableCredential) if !declares_ob_or_clr_context(o) => Kind::PlainVc,
            _ => Kind::OpenBadge,
        };
        self.credential(o, p, kind);
    }

    fn identity_object(&mut self, o: &Map<String, Value>, path: &str) {
        self.require_type(o, path, "IdentityObject", "identifier");
        let hpath = pointer_join(path, "hashed");
        let hashed = match o.get("hashed") {
            None => {
                self.error(ProblemCode::MissingProperty, &hpath, "`hashed` is required");
                None
            }
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.error(ProblemCode::WrongType, &hpath, "`hashed` must be a boolean");
                None
            }
        };
        self.string(o, "identityHash", path, true);
        let bad_hash = match (hashed, o.get("identityHash").and_then(Value::as_str)) {
            (Some(true), Some(h)) => h.parse::<IdentityHash>().err(),
            _ => None,
        };
        if let Some(e) = bad_hash {
            self.error(
                ProblemCode::InvalidIdentityHash,
                &pointer_join(path, "identityHash"),
                e.to_string(),
            );
        }
        self.string(o, "identityType", path, true);
        self.enum_value(o, "identityType", path, IDENTIFIER_TYPES, true, false);
        self.string(o, "salt", path, false);
    }

    fn identifier_entry(&mut self, o: &Map<String, Value>, path: &str) {
        self.require_type(o, path, "IdentifierEntry", "otherIdentifier");
        self.string(o, "identifier", path, true);
        self.string(o, "identifierType", path, true);
        self.enum_value(o, "identifierType", path, IDENTIFIER_TYPES, true, false);
    }

    fn result(&mut self, r: &Map<String, Value>, path: &str) {
        self.require_type(r, path, "Result", "result");
        self.iri(r, "achievedLevel", path, false);
        self.iri(r, "resultDescription", path, false);
        self.enum_value(r, "status", path, RESULT_STATUSES, false, true);
        self.string(r, "value", path, false);
        self.alignments(r, path);
    }

    // ---- achievements and profiles ----------------------------------------------------

    fn achievement(&mut self, a: &Map<String, Value>, path: &str) {
        self.require_type(a, path, "Achievement", "achievement");
        self.iri(a, "id", path, true);
        self.string(a, "name", path, true);
        self.string(a, "description", path, true);
        if let Some((cr, p)) = self.single_object(a, "criteria", path, "a Criteria", true) {
            self.iri(cr, "id", &p, false);
            self.string(cr, "narrative", &p, false);
            let has_id = cr.get("id").is_some_and(Value::is_string);
            let has_narrative = cr.get("narrative").is_some_and(Value::is_string);
            if !has_id && !has_narrative {
                self.error(
                    ProblemCode::MissingProperty,
                    &p,
                    "`criteria` must have an `id` or a `narrative`",
                );
            }
        }
        self.enum_value(a, "achievementType", path, ACHIEVEMENT_TYPES, true, true);
        if let Some((cr, p)) = self.single_object(a, "creator", path, "a Profile", false) {
            self.profile_as(cr, &p, "creator");
        }
        self.number(a, "creditsAvailable", path);
        self.strings(
            a,
            &[
                "fieldOfStudy",
                "humanCode",
                "inLanguage",
                "specialization",
                "version",
            ],
            path,
        );
        self.image(a, "image", path);
        self.alignments(a, path);
        self.objects(
            a,
            "otherIdentifier",
            path,
            "an IdentifierEntry",
            |c, o, p| {
                c.identifier_entry(o, p);
            },
        );
        self.objects(a, "related", path, "a Related", |c, r, p| {
            c.require_type(r, p, "Related", "related");
            c.iri(r, "id", p, true);
        });
        self.objects(
            a,
            "resultDescription",
            path,
            "a ResultDescription",
            |c, rd, p| c.result_description(rd, p),
        );
        for (v, p) in each(a, "tag", path) {
            if !v.is_string() {
                self.error(ProblemCode::WrongType, &p, "each `tag` must be a string");
            }
        }
        self.endorsements(a, path);
    }

    fn result_description(&mut self, rd: &Map<String, Value>, path: &str) {
        self.require_type(rd, path, "ResultDescription", "resultDescription");
        self.iri(rd, "id", path, true);
        self.string(rd, "name", path, true);
        self.string(rd, "resultType", path, true);
        self.enum_value(rd, "resultType", path, RESULT_TYPES, true, true);
        self.iri(rd, "requiredLevel", path, false);
        self.strings(rd, &["requiredValue", "valueMax", "valueMin"], path);
        self.alignments(rd, path);
        self.objects(
            rd,
            "rubricCriterionLevel",
            path,
            "a RubricCriterionLevel",
            |c, l, p| {
                c.require_type(l, p, "RubricCriterionLevel", "rubricCriterionLevel");
                c.iri(l, "id", p, true);
                c.string(l, "name", p, true);
                c.strings(l, &["description", "level", "points"], p);
                c.alignments(l, p);
            },
        );
    }

    fn alignments(&mut self, o: &Map<String, Value>, path: &str) {
        self.objects(o, "alignment", path, "an Alignment", |c, al, p| {
            c.require_type(al, p, "Alignment", "alignment");
            c.string(al, "targetName", p, true);
            c.iri(al, "targetUrl", p, true);
            c.strings(
                al,
                &["targetCode", "targetDescription", "targetFramework"],
                p,
            );
            c.enum_value(al, "targetType", p, ALIGNMENT_TARGET_TYPES, true, true);
        });
    }

    fn profile(&mut self, p: &Map<String, Value>, path: &str) {
        self.profile_as(p, path, "profile");
    }

    /// A Profile in the role `what` (issuer, creator, source, parentOrg, …).
    fn profile_as(&mut self, p: &Map<String, Value>, path: &str, what: &str) {
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

    fn evidence(&mut self, e: &Map<String, Value>, path: &str) {
        self.require_type(e, path, "Evidence", "evidence");
        self.iri(e, "id", path, false);
        self.strings(
            e,
            &["narrative", "name", "description", "genre", "audience"],
            path,
        );
    }

    /// An `image`: an Image object (`id`, `type: Image`); a bare IRI is tolerated with a warning.
    fn image(&mut self, o: &Map<String, Value>, key: &str, path: &str) {
        let p = pointer_join(path, key);
        match o.get(key) {
            None => {}
            Some(Value::Object(img)) => {
                self.require_type(img, &p, "Image", "image");
                self.iri(img, "id", &p, true);
                self.string(img, "caption", &p, false);
            }
            Some(v @ Value::String(_)) => {
                self.iri_value(v, &p, key);
                self.warning(
                    ProblemCode::WrongType,
                    &p,
                    "`image` should be an Image object (`id`, `type: Image`), not a bare IRI",
                );
            }
            Some(_) => self.error(
                ProblemCode::WrongType,
                &p,
                "`image` must be an Image object",
            ),
        }
    }

    // ---- presentations ----------------------------------------------------------------

    fn presentation(&mut self, obj: &Map<String, Value>) {
        for (v, p) in each(obj, "verifiableCredential", "") {
            match v {
                Value::Object(o) if is_enveloped(o) => self.enveloped_credential(o, &p),
                Value::Object(o) => self.embedded_credential(v, o, &p),
                Value::String(jws) if crate::compact_jws::is_compact_jws(jws) => {}
                _ => self.error(
                    ProblemCode::WrongType,
                    &p,
                    "each `verifiableCredential` must be a credential object or a VC-JWT",
                ),
            }
        }
    }
}

/// Whether `o` is a VC DM 2.0 `EnvelopedVerifiableCredential`.
fn is_enveloped(o: &Map<String, Value>) -> bool {
    match o.get("type") {
        Some(Value::String(t)) => t == "EnvelopedVerifiableCredential",
        Some(Value::Array(a)) => a
            .iter()
            .any(|t| t.as_str() == Some("EnvelopedVerifiableCredential")),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn context_patterns() {
        assert!(is_ob3_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ));
        assert!(is_ob3_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
        ));
        assert!(is_ob3_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
        ));
        assert!(!is_ob3_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/context-2.0.3.json"
        ));
        assert!(!is_ob3_context(
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
        ));
        assert!(is_clr2_context(
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
        ));
    }

    #[test]
    fn ext_enum() {
        assert!(is_enum_or_ext("Badge", ACHIEVEMENT_TYPES));
        assert!(is_enum_or_ext("ext:MyType", ACHIEVEMENT_TYPES));
        assert!(!is_enum_or_ext("ext:", ACHIEVEMENT_TYPES));
        assert!(!is_enum_or_ext("Bagde", ACHIEVEMENT_TYPES));
    }

    #[test]
    fn non_object_document() {
        let p = validate(&Value::Null, Some(&Class::OpenBadgeCredential));
        assert_eq!(p[0].code, ProblemCode::WrongType);
    }
}
