//! OB 3.0 / CLR 2.0 verdicts decided from the document alone, before any proof is checked or
//! any document fetched (see "Verdict rules" in `docs/verification.md`):
//!
//! - a Verifiable Credential whose `type` names none of the Open Badges / CLR credential
//!   classes is `NOT_AN_OPEN_BADGE` (invalid), whatever its proof;
//! - a credential without any proof is `NO_PROOF` (invalid), unless a CLR whose proof covers
//!   it contains it.

use openbadges_model::member::Members;
use serde_json::Value;

use super::ob3::as_list;
use crate::report::{Code, Report};

/// The credential types that make a Verifiable Credential an Open Badge (OB 3.0) or a CLR
/// (CLR 2.0).
pub(super) const OPEN_BADGE_CREDENTIAL_TYPES: &[&str] = &[
    "OpenBadgeCredential",
    "AchievementCredential",
    "EndorsementCredential",
    "ClrCredential",
];

/// Whether `doc`'s `type` names one of [`OPEN_BADGE_CREDENTIAL_TYPES`].
pub(super) fn is_open_badge_credential(doc: &Value) -> bool {
    as_list(doc.member("type"))
        .iter()
        .filter_map(Value::as_str)
        .any(|t| OPEN_BADGE_CREDENTIAL_TYPES.contains(&t))
}

/// Records `NOT_AN_OPEN_BADGE` on `r` when `credential` is not an Open Badge; returns whether
/// it did (the caller then stops: nothing else can make the input a valid badge).
pub(super) fn not_an_open_badge(r: &mut Report, credential: &Value) -> bool {
    if is_open_badge_credential(credential) {
        return false;
    }
    let node = credential.member("id").and_then(Value::as_str);
    let types: Vec<String> = as_list(credential.member("type"))
        .iter()
        .map(|t| match t {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect();
    r.fail(
        "open-badge",
        Code::NotAnOpenBadge,
        format!(
            "a Verifiable Credential of type [{}], which is none of {}: not an Open Badge",
            types.join(", "),
            OPEN_BADGE_CREDENTIAL_TYPES.join(", ")
        ),
        node,
    );
    true
}

/// Whether `doc` carries a `proof` member with at least one proof in it.
pub(super) fn has_embedded_proof(doc: &Value) -> bool {
    !as_list(doc.member("proof")).is_empty()
}
