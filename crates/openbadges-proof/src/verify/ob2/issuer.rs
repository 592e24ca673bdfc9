//! The badge class and issuer profile an assertion names: fetched (the issuer profile always
//! from its own id when it has one), brought into the 2.0 model and validated.

use openbadges_model::detect::Class;
use openbadges_model::member::Members;
use std::sync::Arc;

use serde_json::Value;

use super::{IssuerInfo, Pipeline, node_id, normalize, schema, str_of};
use crate::report::{Code, Report};

impl Pipeline<'_, '_> {
    /// Loads (and validates) the badge class and its issuer profile. The issuer profile is
    /// always fetched from its own id when it has one: what it says about keys and scope is only
    /// trusted from there.
    pub(super) fn badge_and_issuer(
        &self,
        r: &mut Report,
        assertion: &Value,
    ) -> Option<(Arc<Value>, Option<String>, IssuerInfo)> {
        // Every way out without a badge class and issuer records a failure: the checks that
        // need them (keys, revocation, hosted scope) are skipped, so the report must not pass.
        let Some(badge) = assertion.member("badge") else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the assertion has no badge",
                node_id(assertion),
            );
            return None;
        };
        let (bc, bc_src) = match badge {
            Value::String(u) => (
                self.fetch_shared_required(r, "fetch-badgeclass", u, "badge class")?
                    .normalized(Class::BadgeClass),
                Some(u.clone()),
            ),
            Value::Object(_) => (
                normalize(badge.clone(), None, Some(Class::BadgeClass)),
                None,
            ),
            _ => {
                r.fail(
                    "schema",
                    Code::SchemaInvalid,
                    "assertion `badge` is neither an IRI nor an object",
                    None,
                );
                return None;
            }
        };
        let Some(bc) = bc else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the badge class is not an open badges document",
                bc_src.as_deref(),
            );
            return None;
        };
        if let Some(other) = bc.class.as_ref().filter(|c| **c != Class::BadgeClass) {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                format!("the badge class is a {}, not a BadgeClass", other.as_str()),
                bc_src.as_deref(),
            );
            return None;
        }
        // A fetched badge class is where it was fetched from, whatever id it declares: that
        // URL is what the scope check looks at, and a different declared id is a mismatch.
        let declared = node_id(&bc.doc).map(str::to_string);
        if let (Some(src), Some(d)) = (&bc_src, &declared) {
            if src != d {
                r.fail(
                    "badgeclass-id",
                    Code::IdMismatch,
                    format!("badge class fetched from {src} declares another id {d}"),
                    Some(src),
                );
            }
        }
        let bc_id = bc_src.or(declared);
        if bc_id.is_some() && matches!(badge, Value::String(_)) {
            r.pass(
                "fetch-badgeclass",
                "fetched the badge class",
                bc_id.as_deref(),
            );
        }
        schema(r, &bc, "badge class", bc_id.as_deref());
        let Some(issuer_v) = bc.doc.member("issuer") else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the badge class has no issuer",
                bc_id.as_deref(),
            );
            return None;
        };
        let (iss, iss_src) = match bc.issuer_http_id() {
            Some(u) => (
                self.fetch_shared_required(r, "fetch-issuer", u, "issuer profile")?
                    .normalized(Class::Profile),
                Some(u.to_string()),
            ),
            _ if issuer_v.is_object() => (
                normalize(issuer_v.clone(), None, Some(Class::Profile)),
                None,
            ),
            _ => {
                r.fail(
                    "schema",
                    Code::SchemaInvalid,
                    "badge class `issuer` is neither an http(s) IRI nor an object",
                    bc_id.as_deref(),
                );
                return None;
            }
        };
        let Some(iss) = iss else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the issuer is not an open badges profile",
                iss_src.as_deref(),
            );
            return None;
        };
        if let Some(other) = iss.class.as_ref().filter(|c| **c != Class::Profile) {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                format!("the issuer is a {}, not a Profile", other.as_str()),
                iss_src.as_deref(),
            );
            return None;
        }
        let id = node_id(&iss.doc)
            .map(str::to_string)
            .or(iss_src.clone())
            .or_else(|| str_of(&iss.doc, "url").map(str::to_string))
            .unwrap_or_default();
        if iss_src.is_some() {
            r.pass("fetch-issuer", "fetched the issuer profile", Some(&id));
        }
        if let Some(src) = &iss_src {
            if node_id(&iss.doc) != Some(src.as_str()) {
                r.fail(
                    "issuer-id",
                    Code::IdMismatch,
                    format!("issuer profile fetched from {src} declares another id"),
                    Some(src),
                );
            }
        }
        schema(r, &iss, "issuer profile", Some(&id));
        Some((bc.doc, bc_id, IssuerInfo { doc: iss.doc, id }))
    }
}
