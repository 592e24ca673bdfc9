//! Recipient matching for OB 3.0 / CLR 2.0: the `credentialSubject`'s identifiers (its `id`,
//! `identifier` identity objects) against the identities the caller gave.

use openbadges_model::member::Members;
use serde_json::Value;

use openbadges_model::ob3::IdentityObject;
use openbadges_model::{Identity, IdentityKind};

use super::{Pipeline, as_list};
use crate::report::{Code, Report};

impl Pipeline<'_, '_> {
    pub(super) fn recipient(&self, r: &mut Report, doc: &Value, node: Option<&str>) {
        if self.v.recipient.is_empty() {
            r.skip("recipient", "no recipient profile given", node);
            return;
        }
        let subjects = as_list(doc.member("credentialSubject"));
        for s in subjects {
            let id = s.member("id").and_then(Value::as_str);
            for Identity { kind, value } in self.v.recipient.identities() {
                if id.is_some_and(|i| {
                    i == value
                        || i.strip_prefix("mailto:").is_some_and(|m| {
                            *kind == IdentityKind::Email && m.eq_ignore_ascii_case(value)
                        })
                }) {
                    r.pass(
                        "recipient",
                        "credentialSubject.id matches the recipient profile",
                        node,
                    );
                    return;
                }
                for ident in as_list(s.member("identifier")) {
                    let Ok(io) = openbadges_model::ob3::from_value::<IdentityObject>(ident) else {
                        continue;
                    };
                    let t = io.identity_type.to_ascii_lowercase();
                    let kind_ok = match kind {
                        IdentityKind::Email => t == "emailaddress" || t == "email",
                        IdentityKind::Url => t == "url",
                        IdentityKind::Telephone => t == "phonenumber" || t == "telephone",
                        _ => true,
                    };
                    let hit = io.matches(value)
                        || (*kind == IdentityKind::Email
                            && io.matches(&value.to_ascii_lowercase()));
                    if kind_ok && hit {
                        r.pass(
                            "recipient",
                            format!(
                                "identifier ({}) matches the recipient profile",
                                io.identity_type
                            ),
                            node,
                        );
                        return;
                    }
                }
            }
        }
        r.fail(
            "recipient",
            Code::RecipientMismatch,
            "no identity of the recipient profile matches credentialSubject.id or identifier",
            node,
        );
    }
}
