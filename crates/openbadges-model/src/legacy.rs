//! OB 0.5, 1.0 and 1.1: upgrade to the 2.0 model.
//!
//! The rules are those of the OB 2.0 specification's history and of the reference verifier
//! (IMSGlobal/openbadges-validator-core, `tasks/object_upgrades.py`):
//!
//! | from | what changes |
//! |---|---|
//! | all | `@context` becomes `https://w3id.org/openbadges/v2`; `type` is added when absent (`Assertion`, `BadgeClass`, `Issuer`, or `Profile` for a 0.5 issuer); `verify` becomes `verification` |
//! | all | `issuedOn`/`expires` given as Unix seconds (number or numeric string) or as a date alone become ISO 8601 UTC (`2015-04-30T00:00:00Z`) |
//! | all | alignment `name`/`url`/`description` become `targetName`/`targetUrl`/`targetDescription` |
//! | 1.0 | an assertion's `id` is its hosted `verify.url`, or `uid:<uid>` for a signed one; a badge class or issuer takes the URL it was fetched from ([`upgrade_from`]) |
//! | 0.5 | the string `recipient` becomes an IdentityObject (`email`, hashed unless it contains `@`, with the top-level `salt`); `issued_on` becomes `issuedOn`; `verification` is `HostedBadge`; the embedded issuer's `origin` becomes `url`, `contact` becomes `email`, and `org` is appended to `name` (`"name: org"`) |
//! | 1.x | `hashed` written as the string `"true"`/`"false"` becomes a boolean |
//!
//! Everything else (including `uid` and unknown properties) is kept.
//!
//! What cannot be known from the document alone is reported, not invented: a 0.5 assertion, a 1.0
//! badge class or a 1.0 issuer has no `id` until one says where it was fetched from
//! ([`upgrade_from`]), and 0.5/1.x did not require properties 2.0 does (0.5 `issued_on`, the
//! issuer's `email`). [`validate_upgraded`] reports those gaps as warnings, so a document that was
//! valid in its own version keeps a valid structure, and reports everything else as errors.
//!
//! ```
//! use openbadges_model::{detect, legacy, Version};
//! let v1 = serde_json::json!({
//!   "uid": "abc123",
//!   "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!   "badge": "https://example.org/badge.json",
//!   "verify": {"type": "hosted", "url": "https://example.org/assertion.json"},
//!   "issuedOn": 1705320000
//! });
//! let d = detect(&v1);
//! assert_eq!(d.version, Some(Version::V1_0));
//! let (v2, problems) = legacy::upgrade(&v1, Version::V1_0, d.class.as_ref());
//! assert_eq!(v2["@context"], "https://w3id.org/openbadges/v2");
//! assert_eq!(v2["id"], "https://example.org/assertion.json");
//! assert_eq!(v2["issuedOn"], "2024-01-15T12:00:00Z");
//! assert_eq!(v2["verification"]["type"], "hosted");
//! assert!(problems.is_empty());
//! ```

use serde_json::{Map, Value};

use crate::detect::OB2_CONTEXT;
use crate::{Class, DateTime, Problem, ProblemCode, Version, pointer_join};

/// Upgrades a legacy (0.5, 1.0, 1.1) document to its OB 2.0 form, with the problems met on the
/// way. A 2.0 (or later) document is returned unchanged.
///
/// The upgrade never fails: what cannot be upgraded is left as it was and reported, so that
/// validation of the result points at it.
pub fn upgrade(doc: &Value, version: Version, class: Option<&Class>) -> (Value, Vec<Problem>) {
    upgrade_from(doc, version, class, None)
}

/// Like [`upgrade`], with the URL the document was fetched from: legacy badge classes and
/// issuers (and 0.5 assertions) take it as their `id`.
pub fn upgrade_from(
    doc: &Value,
    version: Version,
    class: Option<&Class>,
    source: Option<&str>,
) -> (Value, Vec<Problem>) {
    let mut problems = Vec::new();
    let Some(obj) = doc.as_object() else {
        problems.push(Problem::error(
            ProblemCode::WrongType,
            "",
            "an open badges document is a json object",
        ));
        return (doc.clone(), problems);
    };
    if !version.is_legacy() {
        return (doc.clone(), problems);
    }
    let class = class.cloned().or_else(|| guess_class(obj));
    let mut up = Upgrader {
        version,
        problems: Vec::new(),
    };
    let out = match class {
        Some(Class::Assertion) => up.assertion(obj, "", source),
        Some(Class::BadgeClass) => up.badge_class(obj, "", source, true),
        Some(Class::Profile) => up.profile(obj, "", source, true),
        _ => {
            up.problems.push(Problem::error(
                ProblemCode::UnknownDocument,
                "",
                format!(
                    "not an open badges {} assertion, badge class or issuer",
                    version.as_str()
                ),
            ));
            with_context(obj.clone(), None)
        }
    };
    (Value::Object(out), up.problems)
}

/// Validates the 2.0 upgrade of a `version` document: [`crate::ob2::validate`], with the gaps
/// the legacy version allowed (an `id` only known from where the document was fetched, a 0.5
/// `issued_on`, an issuer `email`) reported as warnings instead of errors.
pub fn validate_upgraded(
    upgraded: &Value,
    version: Version,
    class: Option<&Class>,
) -> Vec<Problem> {
    let mut problems = crate::ob2::validate(upgraded, class);
    if !version.is_legacy() {
        return problems;
    }
    for p in &mut problems {
        if p.is_error() && p.code == ProblemCode::MissingProperty && relaxed(&p.path, version) {
            p.severity = crate::Severity::Warning;
            p.message = format!(
                "{} (open badges {} did not require it)",
                p.message,
                version.as_str()
            );
        }
    }
    problems
}

/// Properties 2.0 requires that the legacy version did not have or did not require.
fn relaxed(path: &str, version: Version) -> bool {
    let issuer_email =
        path.ends_with("/email") && (path == "/email" || path.ends_with("/issuer/email"));
    match version {
        // 0.5: no ids at all, optional `issued_on`, optional issuer `contact`.
        Version::V0_5 => path == "/id" || path == "/issuedOn" || issuer_email,
        // 1.0: badge classes and issuers are identified by their URL; issuer email optional.
        Version::V1_0 => path == "/id" || issuer_email,
        // 1.1: issuer email optional.
        Version::V1_1 => issuer_email,
        _ => false,
    }
}

fn guess_class(obj: &Map<String, Value>) -> Option<Class> {
    if obj.contains_key("recipient") {
        Some(Class::Assertion)
    } else if obj.contains_key("criteria") {
        Some(Class::BadgeClass)
    } else if obj.contains_key("url") || obj.contains_key("origin") {
        Some(Class::Profile)
    } else {
        None
    }
}

/// Puts `@context`, `type` and `id` first (in that order), then the other properties.
fn with_context(mut obj: Map<String, Value>, type_: Option<&str>) -> Map<String, Value> {
    let mut out = Map::new();
    let context = match obj.shift_remove("@context") {
        // Keep extra contexts; swap the v1 context for v2.
        Some(Value::Array(items)) => Value::Array(
            items
                .into_iter()
                .map(|c| match c.as_str() {
                    Some(s)
                        if s.contains("openbadges/v1") || s.contains("openbadgespec.org/v1") =>
                    {
                        Value::String(OB2_CONTEXT.into())
                    }
                    _ => c,
                })
                .collect(),
        ),
        _ => Value::String(OB2_CONTEXT.into()),
    };
    out.insert("@context".into(), context);
    match obj.shift_remove("type") {
        Some(t) => {
            out.insert("type".into(), t);
        }
        None => {
            if let Some(t) = type_ {
                out.insert("type".into(), Value::String(t.into()));
            }
        }
    }
    if let Some(id) = obj.shift_remove("id") {
        out.insert("id".into(), id);
    }
    out.extend(obj);
    out
}

/// Inserts `id` right after `@context`/`type`.
fn set_id_front(obj: &mut Map<String, Value>, id: &str) {
    let mut out = Map::new();
    for key in ["@context", "type"] {
        if let Some(v) = obj.shift_remove(key) {
            out.insert(key.into(), v);
        }
    }
    out.insert("id".into(), Value::String(id.into()));
    out.extend(std::mem::take(obj));
    *obj = out;
}

/// Renames `from` to `to` in place, keeping the position.
fn rename_key(obj: &mut Map<String, Value>, from: &str, to: &str) {
    if !obj.contains_key(from) || obj.contains_key(to) {
        return;
    }
    let old = std::mem::take(obj);
    for (k, v) in old {
        if k == from {
            obj.insert(to.into(), v);
        } else {
            obj.insert(k, v);
        }
    }
}

/// Converts a legacy timestamp: Unix seconds (number or numeric string) or a date alone become
/// ISO 8601 UTC; anything that already is a date-time with a zone, or cannot be read, is
/// returned as `None` (left alone).
pub fn upgrade_datetime(v: &Value) -> Option<String> {
    let from_secs = |secs: f64| -> Option<String> {
        if !secs.is_finite() {
            return None;
        }
        let whole = secs.floor();
        // Reject values chrono cannot hold (also guards the float→int conversion).
        if whole.abs() > 1.0e13 {
            return None;
        }
        #[allow(clippy::cast_possible_truncation)]
        let s = whole as i64;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let nanos = ((secs - whole) * 1e9).round().clamp(0.0, 999_999_999.0) as u32;
        chrono::DateTime::from_timestamp(s, nanos).map(|t| {
            if nanos == 0 {
                DateTime::from_chrono(t).as_str().to_string()
            } else {
                t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
            }
        })
    };
    match v {
        Value::Number(n) => from_secs(n.as_f64()?),
        Value::String(s) => {
            let t = s.trim();
            if crate::ob2::is_iso_datetime_with_zone(t) {
                return None;
            }
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return t.parse::<f64>().ok().and_then(from_secs);
            }
            if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
                let dt = d.and_hms_opt(0, 0, 0)?.and_utc();
                return Some(DateTime::from_chrono(dt).as_str().to_string());
            }
            // A date-time without a zone is read as UTC (as the reference verifier does).
            for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
                if let Ok(ndt) = chrono::NaiveDateTime::parse_from_str(t, f) {
                    return Some(DateTime::from_chrono(ndt.and_utc()).as_str().to_string());
                }
            }
            None
        }
        _ => None,
    }
}

struct Upgrader {
    version: Version,
    problems: Vec<Problem>,
}

impl Upgrader {
    fn warn(&mut self, code: ProblemCode, path: String, msg: impl Into<String>) {
        self.problems.push(Problem::warning(code, path, msg));
    }

    fn err(&mut self, code: ProblemCode, path: String, msg: impl Into<String>) {
        self.problems.push(Problem::error(code, path, msg));
    }

    fn dates(&mut self, obj: &mut Map<String, Value>) {
        for key in ["issuedOn", "expires"] {
            if let Some(v) = obj.get(key) {
                if let Some(new) = upgrade_datetime(v) {
                    obj.insert(key.into(), Value::String(new));
                }
            }
        }
    }

    fn assertion(
        &mut self,
        src: &Map<String, Value>,
        path: &str,
        source: Option<&str>,
    ) -> Map<String, Value> {
        let mut obj = src.clone();
        let v05 = self.version == Version::V0_5;
        if v05 {
            rename_key(&mut obj, "issued_on", "issuedOn");
            if src.contains_key("verify") || src.contains_key("uid") {
                self.err(
                    ProblemCode::WrongType,
                    pointer_join(path, "recipient"),
                    "a string recipient is open badges 0.5, but `verify`/`uid` are 1.0: a 1.0 assertion needs an identity object recipient",
                );
            }
            if let Some(Value::String(r)) = obj.get("recipient").cloned() {
                {
                    let mut ro = Map::new();
                    ro.insert("type".into(), Value::String("email".into()));
                    ro.insert("hashed".into(), Value::Bool(!r.contains('@')));
                    if let Some(salt) = obj.shift_remove("salt") {
                        ro.insert("salt".into(), salt);
                    }
                    ro.insert("identity".into(), Value::String(r));
                    obj.insert("recipient".into(), Value::Object(ro));
                }
            }
            if !obj.contains_key("verify") && !obj.contains_key("verification") {
                let mut vo = Map::new();
                vo.insert("type".into(), Value::String("HostedBadge".into()));
                obj.insert("verification".into(), Value::Object(vo));
            }
            match obj.get("badge") {
                Some(Value::Object(_)) | None => {}
                Some(_) => self.err(
                    ProblemCode::WrongType,
                    pointer_join(path, "badge"),
                    "an open badges 0.5 assertion embeds its badge as an object",
                ),
            }
        }
        rename_key(&mut obj, "verify", "verification");
        if let Some(Value::Object(r)) = obj.get_mut("recipient") {
            if let Some(Value::String(h)) = r.get("hashed") {
                match h.to_ascii_lowercase().as_str() {
                    "true" => {
                        r.insert("hashed".into(), Value::Bool(true));
                    }
                    "false" => {
                        r.insert("hashed".into(), Value::Bool(false));
                    }
                    _ => {}
                }
            }
        }
        self.dates(&mut obj);
        let badge_path = pointer_join(path, "badge");
        if let Some(Value::Object(b)) = obj.get("badge") {
            let nb = self.badge_class(b, &badge_path, None, false);
            obj.insert("badge".into(), Value::Object(nb));
        }
        let mut out = if path.is_empty() {
            with_context(obj, Some("Assertion"))
        } else {
            obj
        };
        if !out.contains_key("type") {
            out.insert("type".into(), Value::String("Assertion".into()));
        }
        if !out.contains_key("id") {
            let verification = out.get("verification").and_then(Value::as_object);
            let vtype = verification
                .and_then(|v| v.get("type"))
                .and_then(Value::as_str);
            let vurl = verification
                .and_then(|v| v.get("url"))
                .and_then(Value::as_str);
            let uid = out.get("uid").and_then(Value::as_str);
            let id = match (source, vtype, vurl, uid) {
                (Some(s), _, _, _) => Some(s.to_string()),
                (None, Some("hosted" | "HostedBadge"), Some(u), _) => Some(u.to_string()),
                (None, Some("signed" | "SignedBadge"), _, Some(uid)) => Some(format!("uid:{uid}")),
                _ => None,
            };
            match id {
                Some(id) => set_id_front(&mut out, &id),
                None => self.warn(
                    ProblemCode::MissingProperty,
                    pointer_join(path, "id"),
                    format!(
                        "an open badges {} assertion's id is the url it is hosted at, which the document does not say",
                        self.version.as_str()
                    ),
                ),
            }
        }
        out
    }

    fn badge_class(
        &mut self,
        src: &Map<String, Value>,
        path: &str,
        source: Option<&str>,
        root: bool,
    ) -> Map<String, Value> {
        let mut obj = src.clone();
        if let Some(a) = obj.get_mut("alignment") {
            match a {
                Value::Array(items) => items.iter_mut().for_each(upgrade_alignment),
                other => upgrade_alignment(other),
            }
        }
        let issuer_path = pointer_join(path, "issuer");
        if let Some(Value::Object(i)) = obj.get("issuer") {
            let ni = self.profile(i, &issuer_path, None, false);
            obj.insert("issuer".into(), Value::Object(ni));
        }
        self.finish_node(obj, path, source, root, "BadgeClass", "badge class")
    }

    fn profile(
        &mut self,
        src: &Map<String, Value>,
        path: &str,
        source: Option<&str>,
        root: bool,
    ) -> Map<String, Value> {
        let mut obj = src.clone();
        if self.version == Version::V0_5 {
            rename_key(&mut obj, "origin", "url");
            rename_key(&mut obj, "contact", "email");
            if let (Some(Value::String(name)), Some(Value::String(org))) =
                (obj.get("name"), obj.get("org"))
            {
                let joined = format!("{name}: {org}");
                obj.insert("name".into(), Value::String(joined));
                obj.shift_remove("org");
            }
        }
        // 1.1 `IssuerOrg` is the v1 context's alias of Issuer.
        if obj.get("type") == Some(&Value::String("IssuerOrg".into())) {
            obj.insert("type".into(), Value::String("Issuer".into()));
        }
        let default_type = if self.version == Version::V0_5 {
            "Profile"
        } else {
            "Issuer"
        };
        self.finish_node(obj, path, source, root, default_type, "issuer")
    }

    /// Finishes an upgraded badge class or issuer node: the 2.0 context on a document root,
    /// `default_type` when it has no `type`, and the URL it was fetched from (`source`) as its
    /// `id` when it has none; a root without either gets a warning naming `what` it is.
    fn finish_node(
        &mut self,
        obj: Map<String, Value>,
        path: &str,
        source: Option<&str>,
        root: bool,
        default_type: &str,
        what: &str,
    ) -> Map<String, Value> {
        let mut out = if root {
            with_context(obj, Some(default_type))
        } else {
            obj
        };
        if !out.contains_key("type") {
            set_type_front(&mut out, default_type);
        }
        if !out.contains_key("id") {
            match source {
                Some(s) => set_id_front(&mut out, s),
                None if root => self.warn(
                    ProblemCode::MissingProperty,
                    pointer_join(path, "id"),
                    format!(
                        "an open badges {} {what}'s id is the url it is hosted at, which the document does not say",
                        self.version.as_str()
                    ),
                ),
                None => {}
            }
        }
        out
    }
}

fn set_type_front(obj: &mut Map<String, Value>, t: &str) {
    let mut out = Map::new();
    if let Some(c) = obj.shift_remove("@context") {
        out.insert("@context".into(), c);
    }
    out.insert("type".into(), Value::String(t.into()));
    out.extend(std::mem::take(obj));
    *obj = out;
}

fn upgrade_alignment(a: &mut Value) {
    if let Value::Object(o) = a {
        for (from, to) in [
            ("name", "targetName"),
            ("url", "targetUrl"),
            ("description", "targetDescription"),
        ] {
            if o.get(from).is_some_and(|v| !v.is_null()) {
                rename_key(o, from, to);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn datetimes() {
        assert_eq!(
            upgrade_datetime(&json!(1500423730)).as_deref(),
            Some("2017-07-19T00:22:10Z")
        );
        assert_eq!(
            upgrade_datetime(&json!("1500423730")).as_deref(),
            Some("2017-07-19T00:22:10Z")
        );
        assert_eq!(
            upgrade_datetime(&json!("1500423730.5")).as_deref(),
            Some("2017-07-19T00:22:10.500Z")
        );
        assert_eq!(
            upgrade_datetime(&json!("2016-05-15")).as_deref(),
            Some("2016-05-15T00:00:00Z")
        );
        assert_eq!(upgrade_datetime(&json!("2016-12-31T23:59:59Z")), None);
        assert_eq!(upgrade_datetime(&json!("foreever ago")), None);
        assert_eq!(upgrade_datetime(&json!(1e300)), None);
        assert_eq!(upgrade_datetime(&json!(-1e300)), None);
    }
}
