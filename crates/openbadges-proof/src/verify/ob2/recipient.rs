//! Recipient matching: the assertion's recipient (plain or hashed, with its salt) against the
//! identities of that type the caller gave.

use openbadges_model::member::Members;
use openbadges_model::{IdentityHash, IdentityKind, Salt};
use serde_json::Value;

use super::{Pipeline, str_of};
use crate::report::{Code, Report};

impl Pipeline<'_, '_> {
    pub(super) fn recipient(&self, r: &mut Report, doc: &Value, node: Option<&str>) {
        let profile = &self.v.recipient;
        if profile.is_empty() {
            r.skip(
                "recipient",
                "no recipient identity was given to check against",
                node,
            );
            return;
        }
        let Some(rec) = doc.member("recipient") else {
            r.fail(
                "recipient",
                Code::RecipientMismatch,
                "the assertion has no recipient",
                node,
            );
            return;
        };
        let kind_s = str_of(rec, "type").unwrap_or("email");
        let Some(kind) = IdentityKind::parse(kind_s) else {
            r.fail(
                "recipient",
                Code::RecipientMismatch,
                format!("unknown recipient type `{kind_s}`"),
                node,
            );
            return;
        };
        let identity = str_of(rec, "identity").unwrap_or_default();
        let hashed = match rec.member("hashed") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => identity.contains('$') && identity.parse::<IdentityHash>().is_ok(),
        };
        let salt = str_of(rec, "salt").map(Salt::new);
        let candidates: Vec<&str> = profile
            .identities()
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.value.as_str())
            .collect();
        let matched = if hashed {
            match identity.parse::<IdentityHash>() {
                Ok(h) => candidates.iter().any(|c| {
                    h.matches(c, salt.as_ref())
                        || (kind == IdentityKind::Email
                            && h.matches(&c.to_lowercase(), salt.as_ref()))
                }),
                Err(_) => false,
            }
        } else {
            candidates.iter().any(|c| {
                if kind == IdentityKind::Email {
                    c.eq_ignore_ascii_case(identity)
                } else {
                    *c == identity
                }
            })
        };
        if matched {
            r.pass("recipient", format!("the {kind_s} recipient matches"), node);
        } else {
            r.fail(
                "recipient",
                Code::RecipientMismatch,
                format!(
                    "the {kind_s} recipient matches none of the {} given identities of that type",
                    candidates.len()
                ),
                node,
            );
        }
    }
}
