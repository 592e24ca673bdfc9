//! Assertions: recipient identity objects, verification objects and evidence.

use serde_json::{Map, Value};

use super::Validator;
use super::formats::{is_email, is_url};
use super::values::{abbreviate, present};
use crate::identity::{IdentityHash, IdentityKind};
use crate::ob2::{VerificationType, verification_type};
use crate::value::is_absolute_iri;
use crate::{ProblemCode, pointer_join};

impl Validator {
    pub(super) fn assertion(&mut self, obj: &Map<String, Value>, path: &str) {
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

    pub(super) fn identity_object(&mut self, v: &Value, path: &str) {
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

    pub(super) fn assertion_verification(
        &mut self,
        v: &Value,
        path: &str,
    ) -> Option<VerificationType> {
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

    pub(super) fn evidence(&mut self, obj: &Map<String, Value>, path: &str) {
        if let Some(id) = present(obj, "id") {
            self.iri(id, &pointer_join(path, "id"));
        }
        for key in ["narrative", "name", "description", "genre", "audience"] {
            self.opt_text(obj, path, key);
        }
    }
}
