//! Structural validation of OB 2.0 documents, on the JSON value (so every problem is found,
//! including values of the wrong JSON type that a typed model could not even hold).
//!
//! Rules follow the OB 2.0 specification (required properties in bold there, primitive data
//! types, the Profile "note on required properties") and, where the specification leaves room,
//! the reference verifier (IMSGlobal/openbadges-validator-core `tasks/validation.py`):
//! embedded nodes without `id` are JSON-LD blank nodes (a warning, not an error); a single-entry
//! array is as good as a single value; `verify` is the v2 context's alias of `verification`.

use serde_json::{Map, Value};

use crate::identity::{IdentityHash, IdentityKind};
use crate::value::is_absolute_iri;
use crate::{Class, Problem, ProblemCode, pointer_join};

use super::{VerificationType, verification_type};

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

/// Whether `s` is an absolute `http`/`https` URL with a host.
///
/// ```
/// assert!(openbadges_model::ob2::is_url("https://example.org/badge"));
/// assert!(!openbadges_model::ob2::is_url("ftp://example.org"));
/// assert!(!openbadges_model::ob2::is_url("/relative"));
/// ```
pub fn is_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && u.host().is_some(),
        Err(_) => false,
    }
}

/// Whether `s` looks like an email address: `local@domain`, one `@`, a dotted domain without
/// empty labels, no white space. (Deliverability is not the model's business.)
///
/// ```
/// assert!(openbadges_model::ob2::is_email("ümlaut@heavymetal.de"));
/// assert!(!openbadges_model::ob2::is_email("skj@asdk"));
/// ```
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|l| !l.is_empty())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `s` is an ISO 8601 date-time with a time zone, as OB 2.0 requires: RFC 3339, or the
/// ISO forms without seconds, with a `+hhmm`/`+hh` offset, or in basic format.
///
/// ```
/// use openbadges_model::ob2::is_iso_datetime_with_zone as ok;
/// assert!(ok("2016-12-31T23:59:59+00:00") && ok("2013-02-21T15:18Z") && ok("2013-02-21T15:18-0500"));
/// assert!(!ok("2016-12-31") && !ok("2016-12-31T23:59:59"));
/// ```
pub fn is_iso_datetime_with_zone(s: &str) -> bool {
    if crate::value::parse_datetime(s).is_some() {
        return true;
    }
    let normalised = match s.strip_suffix(['Z', 'z']) {
        Some(rest) => format!("{rest}+00:00"),
        None => s.to_string(),
    };
    const FORMATS: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y%m%dT%H%M%S%.f%#z",
        "%Y%m%dT%H%M%.f%#z",
    ];
    FORMATS
        .iter()
        .any(|f| chrono::DateTime::parse_from_str(&normalised, f).is_ok())
}

/// The local name of a type: `obi:Assertion` and `https://w3id.org/openbadges#Assertion` are
/// `Assertion`.
fn short(t: &str) -> &str {
    t.strip_prefix("https://w3id.org/openbadges#")
        .or_else(|| t.strip_prefix("http://w3id.org/openbadges#"))
        .or_else(|| t.strip_prefix("obi:"))
        .or_else(|| t.strip_prefix("sec:"))
        .unwrap_or(t)
}

fn types_of(obj: &Map<String, Value>) -> Vec<&str> {
    match obj.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn present<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).filter(|v| !v.is_null())
}

#[derive(Default)]
struct Validator {
    problems: Vec<Problem>,
}

impl Validator {
    fn err(&mut self, code: ProblemCode, path: impl Into<String>, msg: impl Into<String>) {
        self.problems.push(Problem::error(code, path, msg));
    }

    fn warn(&mut self, code: ProblemCode, path: impl Into<String>, msg: impl Into<String>) {
        self.problems.push(Problem::warning(code, path, msg));
    }

    fn context(&mut self, obj: &Map<String, Value>) {
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
    fn required<'a>(
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
    fn single<'a>(&mut self, v: &'a Value, path: &str) -> Option<(&'a Value, String)> {
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
    fn many<'a>(v: &'a Value, path: &str) -> Vec<(&'a Value, String)> {
        match v {
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, x)| (x, pointer_join(path, i)))
                .collect(),
            other => vec![(other, path.to_string())],
        }
    }

    fn text(&mut self, v: &Value, path: &str) -> Option<String> {
        let (v, p) = self.single(v, path)?;
        match v {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.err(ProblemCode::WrongType, p, "expected text");
                None
            }
        }
    }

    fn opt_text(&mut self, obj: &Map<String, Value>, path: &str, key: &str) {
        if let Some(v) = present(obj, key) {
            self.text(v, &pointer_join(path, key));
        }
    }

    fn req_text(&mut self, obj: &Map<String, Value>, path: &str, key: &str, class: &str) {
        if let Some(v) = self.required(obj, path, key, class) {
            self.text(v, &pointer_join(path, key));
        }
    }

    fn many_text(&mut self, v: &Value, path: &str) {
        for (x, p) in Self::many(v, path) {
            if !x.is_string() {
                self.err(ProblemCode::WrongType, p, "expected text");
            }
        }
    }

    fn iri_str(&mut self, s: &str, path: &str) -> bool {
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

    fn iri(&mut self, v: &Value, path: &str) -> Option<String> {
        let (v, p) = self.single(v, path)?;
        match v {
            Value::String(s) => self.iri_str(s, &p).then(|| s.clone()),
            _ => {
                self.err(ProblemCode::WrongType, p, "expected an iri string");
                None
            }
        }
    }

    fn url_value(&mut self, v: &Value, path: &str) {
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

    fn datetime(&mut self, v: &Value, path: &str) -> Option<String> {
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

    fn boolean(&mut self, v: &Value, path: &str) -> Option<bool> {
        match v {
            Value::Bool(b) => Some(*b),
            _ => {
                self.err(ProblemCode::WrongType, path, "expected a json boolean");
                None
            }
        }
    }

    /// `type`: required or not, and one of `allowed` (by local name) must be present.
    fn types(
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
    fn node_id(&mut self, obj: &Map<String, Value>, path: &str, root: bool, class: &str) {
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

    fn object<'a>(
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

    fn assertion(&mut self, obj: &Map<String, Value>, path: &str) {
        const C: &str = "Assertion";
        if present(obj, "revoked") == Some(&Value::Bool(true)) {
            // "If revoked is true, only revoked and id are required properties."
            self.node_id(obj, path, true, C);
            self.opt_text(obj, path, "revocationReason");
            self.warn(
                ProblemCode::Revoked,
                pointer_join(path, "revoked"),
                "the issuer marks this assertion revoked",
            );
            return;
        }
        self.node_id(obj, path, true, C);
        self.types(obj, path, &["Assertion"], true, C);
        if let Some(r) = self.required(obj, path, "recipient", C) {
            self.identity_object(r, &pointer_join(path, "recipient"));
        }
        if let Some(b) = self.required(obj, path, "badge", C) {
            let p = pointer_join(path, "badge");
            if let Some((b, p)) = self.single(b, &p) {
                match b {
                    Value::String(s) => {
                        self.iri_str(s, &p);
                    }
                    Value::Object(o) => self.badge_class(o, &p, false),
                    _ => self.err(
                        ProblemCode::WrongType,
                        p,
                        "expected a badge class iri or object",
                    ),
                }
            }
        }
        let (key, ver) = match (present(obj, "verification"), present(obj, "verify")) {
            (Some(v), _) => ("verification", Some(v)),
            (None, Some(v)) => ("verify", Some(v)),
            (None, None) => ("verification", None),
        };
        let mut kind = None;
        match ver {
            Some(v) => kind = self.assertion_verification(v, &pointer_join(path, key)),
            None => self.err(
                ProblemCode::MissingProperty,
                pointer_join(path, "verification"),
                "Assertion requires `verification`",
            ),
        }
        let issued = self
            .required(obj, path, "issuedOn", C)
            .and_then(|v| self.datetime(v, &pointer_join(path, "issuedOn")));
        let expires =
            present(obj, "expires").and_then(|v| self.datetime(v, &pointer_join(path, "expires")));
        if let (Some(i), Some(e)) = (issued, expires) {
            let parse = |s: &str| crate::value::parse_datetime(s);
            if let (Some(i), Some(e)) = (parse(&i), parse(&e)) {
                if e < i {
                    self.warn(
                        ProblemCode::InvalidDateRange,
                        pointer_join(path, "expires"),
                        "`expires` is before `issuedOn`",
                    );
                }
            }
        }
        if kind == Some(VerificationType::Hosted) {
            if let Some(Value::String(id)) = present(obj, "id") {
                if is_absolute_iri(id) && !is_url(id) {
                    self.err(
                        ProblemCode::InvalidUrl,
                        pointer_join(path, "id"),
                        "a hosted assertion is verified at its `id`, which must be an http(s) url",
                    );
                }
            }
        }
        if let Some(v) = present(obj, "image") {
            self.image(v, &pointer_join(path, "image"));
        }
        if let Some(v) = present(obj, "evidence") {
            for (e, p) in Self::many(v, &pointer_join(path, "evidence")) {
                match e {
                    Value::String(s) => {
                        self.iri_str(s, &p);
                    }
                    Value::Object(o) => self.evidence(o, &p),
                    _ => self.err(
                        ProblemCode::WrongType,
                        p,
                        "expected an evidence iri or object",
                    ),
                }
            }
        }
        self.opt_text(obj, path, "narrative");
        self.opt_text(obj, path, "revocationReason");
        if let Some(v) = present(obj, "revoked") {
            self.boolean(v, &pointer_join(path, "revoked"));
        }
        self.common(obj, path);
    }

    /// Properties shared by the primary classes: `version`, `endorsement`, `related`.
    fn common(&mut self, obj: &Map<String, Value>, path: &str) {
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

    fn identity_object(&mut self, v: &Value, path: &str) {
        let Some(obj) = self.object(v, path, "an identity object") else {
            return;
        };
        const C: &str = "IdentityObject";
        let kind = self
            .required(obj, path, "type", C)
            .and_then(|t| self.text(t, &pointer_join(path, "type")));
        if let Some(k) = &kind {
            if !IdentityKind::ALL.iter().any(|t| t.ob2_type() == k) && !is_absolute_iri(k) {
                self.err(
                    ProblemCode::InvalidValue,
                    pointer_join(path, "type"),
                    format!(
                        "identity type `{}` is not email, url, telephone or id",
                        abbreviate(k)
                    ),
                );
            }
        }
        let hashed = self
            .required(obj, path, "hashed", C)
            .and_then(|h| self.boolean(h, &pointer_join(path, "hashed")));
        let identity = self
            .required(obj, path, "identity", C)
            .and_then(|i| self.text(i, &pointer_join(path, "identity")));
        self.opt_text(obj, path, "salt");
        let ip = pointer_join(path, "identity");
        match (identity, hashed) {
            (Some(i), Some(true)) => {
                if let Err(e) = i.parse::<IdentityHash>() {
                    self.err(ProblemCode::InvalidIdentityHash, ip, e.to_string());
                }
            }
            (Some(i), Some(false)) => match kind.as_deref() {
                Some("email") if !is_email(&i) => self.err(
                    ProblemCode::InvalidEmail,
                    ip,
                    format!("`{}` is not an email address", abbreviate(&i)),
                ),
                Some("url") if !is_url(&i) => self.err(
                    ProblemCode::InvalidUrl,
                    ip,
                    format!("`{}` is not an absolute http(s) url", abbreviate(&i)),
                ),
                _ => {}
            },
            _ => {}
        }
    }

    fn assertion_verification(&mut self, v: &Value, path: &str) -> Option<VerificationType> {
        let obj = self.object(v, path, "a verification object")?;
        let tp = pointer_join(path, "type");
        let mut kind = None;
        match present(obj, "type") {
            None => self.err(
                ProblemCode::MissingProperty,
                tp,
                "the verification object requires `type` (HostedBadge or SignedBadge)",
            ),
            Some(t) => {
                let names: Vec<&str> = Self::many(t, &tp)
                    .into_iter()
                    .filter_map(|(x, _)| x.as_str())
                    .collect();
                kind = names.iter().find_map(|n| verification_type(n));
                if kind.is_none() {
                    self.err(
                        ProblemCode::InvalidType,
                        tp,
                        "verification `type` must be HostedBadge (hosted) or SignedBadge (signed)",
                    );
                }
            }
        }
        if let Some(c) = present(obj, "creator") {
            let cp = pointer_join(path, "creator");
            match c {
                Value::Object(o) => self.key(o, &cp),
                other => {
                    self.iri(other, &cp);
                }
            }
            if kind == Some(VerificationType::Hosted) {
                self.warn(
                    ProblemCode::InvalidValue,
                    cp,
                    "`creator` only applies to signed badges",
                );
            }
        }
        kind
    }

    fn image(&mut self, v: &Value, path: &str) {
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

    fn evidence(&mut self, obj: &Map<String, Value>, path: &str) {
        if let Some(id) = present(obj, "id") {
            self.iri(id, &pointer_join(path, "id"));
        }
        for key in ["narrative", "name", "description", "genre", "audience"] {
            self.opt_text(obj, path, key);
        }
    }

    fn badge_class(&mut self, obj: &Map<String, Value>, path: &str, root: bool) {
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

    /// A Profile; `issuer` adds the issuer requirements (`name`, `url`, `email`).
    fn profile(&mut self, obj: &Map<String, Value>, path: &str, root: bool, issuer: bool) {
        let class = if issuer { "Issuer" } else { "Profile" };
        self.node_id(obj, path, root, class);
        self.types(obj, path, &["Issuer", "Profile"], true, class);
        let name = if issuer {
            self.required(obj, path, "name", class)
        } else {
            present(obj, "name")
        };
        if let Some(v) = name {
            self.text(v, &pointer_join(path, "name"));
        }
        let url = if issuer {
            self.required(obj, path, "url", class)
        } else {
            present(obj, "url")
        };
        if let Some(v) = url {
            for (u, p) in Self::many(v, &pointer_join(path, "url")) {
                self.url_value(u, &p);
            }
        }
        let email = if issuer {
            self.required(obj, path, "email", class)
        } else {
            present(obj, "email")
        };
        if let Some(v) = email {
            for (e, p) in Self::many(v, &pointer_join(path, "email")) {
                match e {
                    Value::String(s) if is_email(s) => {}
                    Value::String(s) => self.err(
                        ProblemCode::InvalidEmail,
                        p,
                        format!("`{}` is not an email address", abbreviate(s)),
                    ),
                    _ => self.err(ProblemCode::WrongType, p, "expected an email string"),
                }
            }
        }
        if let Some(v) = present(obj, "telephone") {
            for (t, p) in Self::many(v, &pointer_join(path, "telephone")) {
                match t {
                    Value::String(s) if is_e164(s) => {}
                    Value::String(_) => self.warn(
                        ProblemCode::InvalidValue,
                        p,
                        "telephone should be in e.164 format (`+16175551212`)",
                    ),
                    _ => self.err(ProblemCode::WrongType, p, "expected a telephone string"),
                }
            }
        }
        self.opt_text(obj, path, "description");
        if let Some(v) = present(obj, "image") {
            self.image(v, &pointer_join(path, "image"));
        }
        if let Some(v) = present(obj, "publicKey") {
            for (k, p) in Self::many(v, &pointer_join(path, "publicKey")) {
                match k {
                    Value::String(s) => {
                        self.iri_str(s, &p);
                    }
                    Value::Object(o) => self.key(o, &p),
                    _ => self.err(ProblemCode::WrongType, p, "expected a key iri or object"),
                }
            }
        }
        if let Some(v) = present(obj, "verification") {
            self.issuer_verification(v, &pointer_join(path, "verification"));
        }
        if let Some(v) = present(obj, "revocationList") {
            let p = pointer_join(path, "revocationList");
            match v {
                Value::Object(o) => self.revocation_list(o, &p),
                other => {
                    self.iri(other, &p);
                }
            }
        }
        self.common(obj, path);
    }

    fn issuer_verification(&mut self, v: &Value, path: &str) {
        let Some(obj) = self.object(v, path, "a verification object") else {
            return;
        };
        self.types(
            obj,
            path,
            &[
                "VerificationObject",
                "HostedBadge",
                "SignedBadge",
                "hosted",
                "signed",
            ],
            false,
            "VerificationObject",
        );
        if let Some(vp) = present(obj, "verificationProperty") {
            if let Some(s) = self.text(vp, &pointer_join(path, "verificationProperty")) {
                if s != "id" && s != "@id" {
                    self.warn(
                        ProblemCode::InvalidValue,
                        pointer_join(path, "verificationProperty"),
                        "only `id` is defined as a verification property",
                    );
                }
            }
        }
        if let Some(sw) = present(obj, "startsWith") {
            for (s, p) in Self::many(sw, &pointer_join(path, "startsWith")) {
                self.url_value(s, &p);
            }
        }
        if let Some(ao) = present(obj, "allowedOrigins") {
            for (o, p) in Self::many(ao, &pointer_join(path, "allowedOrigins")) {
                match o {
                    Value::String(s) if is_authority(s) => {}
                    Value::String(s) => self.err(
                        ProblemCode::InvalidValue,
                        p,
                        format!(
                            "`{}` is not a host name (like badges.example.org)",
                            abbreviate(s)
                        ),
                    ),
                    _ => self.err(ProblemCode::WrongType, p, "expected a host name string"),
                }
            }
        }
    }

    /// A CryptographicKey: none of its properties is required by the specification.
    fn key(&mut self, obj: &Map<String, Value>, path: &str) {
        const C: &str = "CryptographicKey";
        if let Some(id) = present(obj, "id") {
            self.iri(id, &pointer_join(path, "id"));
        }
        self.types(obj, path, &["CryptographicKey", "Key"], false, C);
        if let Some(o) = present(obj, "owner") {
            self.iri(o, &pointer_join(path, "owner"));
        }
        if let Some(pem) = present(obj, "publicKeyPem") {
            if let Some(s) = self.text(pem, &pointer_join(path, "publicKeyPem")) {
                if !s.trim_start().starts_with("-----BEGIN") {
                    self.err(
                        ProblemCode::InvalidValue,
                        pointer_join(path, "publicKeyPem"),
                        "`publicKeyPem` is not a pem document",
                    );
                }
            }
        }
    }

    fn revocation_list(&mut self, obj: &Map<String, Value>, path: &str) {
        const C: &str = "RevocationList";
        self.types(obj, path, &["RevocationList"], true, C);
        if let Some(id) = present(obj, "id") {
            self.iri(id, &pointer_join(path, "id"));
        }
        if let Some(i) = present(obj, "issuer") {
            let p = pointer_join(path, "issuer");
            match i {
                Value::Object(o) => self.profile(o, &p, false, false),
                other => {
                    self.iri(other, &p);
                }
            }
        }
        if let Some(v) = self.required(obj, path, "revokedAssertions", C) {
            for (e, p) in Self::many(v, &pointer_join(path, "revokedAssertions")) {
                match e {
                    Value::String(s) => {
                        self.iri_str(s, &p);
                    }
                    Value::Object(o) => {
                        match (present(o, "id"), present(o, "uid")) {
                            (Some(id), _) => {
                                self.iri(id, &pointer_join(&p, "id"));
                            }
                            (None, Some(uid)) => {
                                self.text(uid, &pointer_join(&p, "uid"));
                            }
                            (None, None) => self.err(
                                ProblemCode::MissingProperty,
                                pointer_join(&p, "id"),
                                "a revoked entry needs an `id` (or legacy `uid`)",
                            ),
                        }
                        self.opt_text(o, &p, "revocationReason");
                        if let Some(r) = present(o, "revoked") {
                            self.boolean(r, &pointer_join(&p, "revoked"));
                        }
                    }
                    _ => self.err(ProblemCode::WrongType, p, "expected an id or an object"),
                }
            }
        }
    }

    fn endorsement(&mut self, obj: &Map<String, Value>, path: &str) {
        self.endorsement_node(obj, path, true);
    }

    fn endorsement_embedded(&mut self, obj: &Map<String, Value>, path: &str) {
        self.endorsement_node(obj, path, false);
    }

    fn endorsement_node(&mut self, obj: &Map<String, Value>, path: &str, root: bool) {
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

/// E.164 with an optional extension, as the reference verifier checks it.
fn is_e164(s: &str) -> bool {
    let (num, ext) = match s.split_once(";ext=") {
        Some((n, e)) => (n, Some(e)),
        None => (s, None),
    };
    let digits = num.strip_prefix('+').unwrap_or(num);
    let ok_num = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    ok_num && ext.is_none_or(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()))
}

/// A host name (optionally with a port), as `allowedOrigins` holds.
fn is_authority(s: &str) -> bool {
    let host = match s.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => s,
    };
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Shortens a value quoted in a message (untrusted input can be long).
fn abbreviate(s: &str) -> String {
    const MAX: usize = 64;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_and_phone() {
        assert!(is_authority("badges.example.org"));
        assert!(is_authority("localhost:8080"));
        assert!(!is_authority("http://example.com"));
        assert!(!is_authority("example.com/what"));
        assert!(is_e164("+16175551212"));
        assert!(is_e164("+16175551212;ext=12"));
        assert!(!is_e164("617 555 1212"));
    }
}
