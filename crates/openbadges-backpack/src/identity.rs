//! Matching a badge's recipient to the owner's verified identifiers.
//!
//! OB 0.5–2.0: the `recipient` IdentityObject (`type` email/url/telephone/id, `hashed`, `salt`,
//! `identity`), or the OB 0.5 string recipient with a top-level `salt`. OB 3.0 / CLR 2.0:
//! `credentialSubject.id`, then each `credentialSubject.identifier` IdentityObject
//! (`identityType`, `hashed`, `salt`, `identityHash`). Hashes are compared in constant time by
//! [`openbadges_model::IdentityHash::matches`]. Email addresses compare case-insensitively (for
//! hashes: the address as the owner proved it, then lowercased).

use openbadges_model::{IdentityHash, Salt, Version};
use serde_json::Value;

use crate::model::{MatchMethod, MatchedIdentity};
use openbadges_model::{Identity, IdentityKind};

/// Why a recipient did not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MismatchReason {
    /// The badge names no recipient at all.
    #[error("the badge names no recipient")]
    NoRecipient,
    /// The recipient hash is not `sha256$…` / `md5$…`.
    #[error("the recipient hash is malformed: {0}")]
    MalformedHash(String),
    /// The recipient is none of the owner's identifiers.
    #[error("the recipient matches none of the owner's verified identifiers")]
    NotOwner,
}

/// Finds which of `owner`'s identifiers `doc` (an OB ≤ 2.0 assertion or an OB 3.0 / CLR
/// credential, of `version`) was issued to.
///
/// # Errors
/// [`MismatchReason`] when no identifier matches.
///
/// ```
/// use openbadges_backpack::identity::match_recipient;
/// use openbadges_model::{Identity, IdentityKind};
/// use openbadges_model::Version;
/// let doc = serde_json::json!({"recipient": {"type": "email", "hashed": true, "salt": "deadsea",
///   "identity": "sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862"}});
/// let me = [Identity::new(IdentityKind::Email, "Student@Example.org")];
/// let m = match_recipient(&doc, Version::V2_0, &me)?;
/// assert_eq!(m.identifier, me[0]);
/// # Ok::<(), openbadges_backpack::identity::MismatchReason>(())
/// ```
pub fn match_recipient(
    doc: &Value,
    version: Version,
    owner: &[Identity],
) -> Result<MatchedIdentity, MismatchReason> {
    match version {
        Version::V3_0 | Version::Clr2_0 => match_subject(doc, owner),
        Version::V0_5 | Version::V1_0 | Version::V1_1 | Version::V2_0 => match_ob2(doc, owner),
    }
}

fn found(identifier: &Identity, method: MatchMethod) -> MatchedIdentity {
    MatchedIdentity {
        identifier: identifier.clone(),
        method,
    }
}

fn is_truthy(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

fn looks_hashed(s: &str) -> bool {
    let lower = s.get(..7).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("sha256$") || lower.starts_with("md5$")
}

fn plain_eq(kind: IdentityKind, claimed: &str, mine: &str) -> bool {
    let (a, b) = (claimed.trim(), mine.trim());
    match kind {
        IdentityKind::Email => a.eq_ignore_ascii_case(b),
        _ => a == b,
    }
}

fn hash_matches(kind: IdentityKind, hash: &IdentityHash, salt: Option<&Salt>, mine: &str) -> bool {
    let mine = mine.trim();
    if hash.matches(mine, salt) {
        return true;
    }
    kind == IdentityKind::Email && {
        let lower = mine.to_lowercase();
        lower != mine && hash.matches(&lower, salt)
    }
}

/// One claimed identity: kind, value (plain or a hash), and how it was written.
fn check_claim(
    kind: IdentityKind,
    identity: &str,
    hashed: bool,
    salt: Option<&Salt>,
    owner: &[Identity],
    methods: (MatchMethod, MatchMethod),
) -> Result<Option<MatchedIdentity>, MismatchReason> {
    let mine = owner.iter().filter(|i| i.kind == kind);
    if hashed {
        let hash: IdentityHash = identity
            .trim()
            .parse()
            .map_err(|e: openbadges_model::Error| MismatchReason::MalformedHash(e.to_string()))?;
        Ok(mine
            .into_iter()
            .find(|i| hash_matches(kind, &hash, salt, &i.value))
            .map(|i| found(i, methods.1)))
    } else {
        Ok(mine
            .into_iter()
            .find(|i| plain_eq(kind, identity, &i.value))
            .map(|i| found(i, methods.0)))
    }
}

fn match_ob2(doc: &Value, owner: &[Identity]) -> Result<MatchedIdentity, MismatchReason> {
    let methods = (MatchMethod::Plain, MatchMethod::Hashed);
    // The Mozilla Backpack (Displayer API) rewrote `recipient` to a bare hash and kept the
    // issuer's IdentityObject, salt included, as `_originalRecipient`.
    let recipient = match (doc.get("recipient"), doc.get("_originalRecipient")) {
        (Some(Value::String(_)), Some(original @ Value::Object(_))) => Some(original),
        (r, _) => r,
    };
    match recipient {
        // OB 0.5: the recipient is an email address or its hash, the salt sits beside it.
        Some(Value::String(s)) => {
            let salt = doc.get("salt").and_then(Value::as_str).map(Salt::new);
            check_claim(
                IdentityKind::Email,
                s,
                looks_hashed(s),
                salt.as_ref(),
                owner,
                methods,
            )?
            .ok_or(MismatchReason::NotOwner)
        }
        Some(Value::Object(r)) => {
            let identity = r
                .get("identity")
                .and_then(Value::as_str)
                .ok_or(MismatchReason::NoRecipient)?;
            let kind = r
                .get("type")
                .and_then(Value::as_str)
                .map_or(Some(IdentityKind::Email), IdentityKind::from_ob2_type)
                .ok_or(MismatchReason::NotOwner)?;
            let hashed = is_truthy(r.get("hashed")).unwrap_or_else(|| looks_hashed(identity));
            let salt = r.get("salt").and_then(Value::as_str).map(Salt::new);
            check_claim(kind, identity, hashed, salt.as_ref(), owner, methods)?
                .ok_or(MismatchReason::NotOwner)
        }
        _ => Err(MismatchReason::NoRecipient),
    }
}

fn subjects(doc: &Value) -> Vec<&serde_json::Map<String, Value>> {
    match doc.get("credentialSubject") {
        Some(Value::Object(o)) => vec![o],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    }
}

fn match_subject(doc: &Value, owner: &[Identity]) -> Result<MatchedIdentity, MismatchReason> {
    let subjects = subjects(doc);
    if subjects.is_empty() {
        return Err(MismatchReason::NoRecipient);
    }
    let mut saw_claim = false;
    let mut malformed = None;
    for subject in subjects {
        if let Some(id) = subject.get("id").and_then(Value::as_str) {
            saw_claim = true;
            let id = id.trim();
            let hit = if let Some(mail) = strip_prefix_ci(id, "mailto:") {
                owner
                    .iter()
                    .find(|i| i.kind == IdentityKind::Email && plain_eq(i.kind, mail, &i.value))
            } else if let Some(tel) = strip_prefix_ci(id, "tel:") {
                owner
                    .iter()
                    .find(|i| i.kind == IdentityKind::Telephone && plain_eq(i.kind, tel, &i.value))
            } else {
                owner.iter().find(|i| {
                    matches!(i.kind, IdentityKind::Did | IdentityKind::Url)
                        && plain_eq(i.kind, id, &i.value)
                })
            };
            if let Some(i) = hit {
                return Ok(found(i, MatchMethod::SubjectId));
            }
        }
        let identifiers: Vec<&Value> = match subject.get("identifier") {
            Some(Value::Array(a)) => a.iter().collect(),
            Some(v @ Value::Object(_)) => vec![v],
            _ => Vec::new(),
        };
        for ident in identifiers {
            let Some(identity) = ident.get("identityHash").and_then(Value::as_str) else {
                continue;
            };
            saw_claim = true;
            let Some(kind) = ident
                .get("identityType")
                .and_then(Value::as_str)
                .and_then(IdentityKind::from_ob3_type)
            else {
                continue;
            };
            let hashed = is_truthy(ident.get("hashed")).unwrap_or_else(|| looks_hashed(identity));
            let salt = ident.get("salt").and_then(Value::as_str).map(Salt::new);
            match check_claim(
                kind,
                identity,
                hashed,
                salt.as_ref(),
                owner,
                (
                    MatchMethod::IdentityObject,
                    MatchMethod::IdentityObjectHashed,
                ),
            ) {
                Ok(Some(m)) => return Ok(m),
                Ok(None) => {}
                Err(e) => malformed = Some(e),
            }
        }
    }
    if let Some(e) = malformed {
        return Err(e);
    }
    if saw_claim {
        Err(MismatchReason::NotOwner)
    } else {
        Err(MismatchReason::NoRecipient)
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openbadges_model::HashAlgorithm;
    use serde_json::json;

    fn me() -> Vec<Identity> {
        vec![
            Identity::new(IdentityKind::Email, "Student@Example.org"),
            Identity::new(IdentityKind::Url, "https://student.example.org/"),
            Identity::new(IdentityKind::Telephone, "+15555550100"),
            Identity::new(IdentityKind::Did, "did:example:ebfeb1f712ebc6f1c276e12ec21"),
        ]
    }

    #[test]
    fn ob2_plain_email_is_case_insensitive() {
        let doc = json!({"recipient": {"type": "email", "hashed": false, "identity": "student@example.ORG"}});
        let m = match_recipient(&doc, Version::V2_0, &me()).unwrap();
        assert_eq!(m.identifier.kind, IdentityKind::Email);
        assert_eq!(m.method, MatchMethod::Plain);
    }

    #[test]
    fn ob2_hashed_with_salt_matches_and_wrong_salt_does_not() {
        let h = IdentityHash::compute(
            HashAlgorithm::Sha256,
            "student@example.org",
            Some(&Salt::new("s1")),
        );
        let doc = json!({"recipient": {"type": "email", "hashed": true, "salt": "s1", "identity": h.to_string()}});
        let m = match_recipient(&doc, Version::V2_0, &me()).unwrap();
        assert_eq!(m.method, MatchMethod::Hashed);
        let doc = json!({"recipient": {"type": "email", "hashed": true, "salt": "s2", "identity": h.to_string()}});
        assert_eq!(
            match_recipient(&doc, Version::V2_0, &me()),
            Err(MismatchReason::NotOwner)
        );
    }

    #[test]
    fn ob2_hashed_url_and_telephone_unsalted() {
        let h = IdentityHash::compute(HashAlgorithm::Sha256, "+15555550100", None);
        let doc =
            json!({"recipient": {"type": "telephone", "hashed": true, "identity": h.to_string()}});
        let m = match_recipient(&doc, Version::V2_0, &me()).unwrap();
        assert_eq!(m.identifier.kind, IdentityKind::Telephone);
        let doc = json!({"recipient": {"type": "url", "hashed": false, "identity": "https://student.example.org/"}});
        assert_eq!(
            match_recipient(&doc, Version::V2_0, &me())
                .unwrap()
                .identifier
                .kind,
            IdentityKind::Url
        );
        // A URL claim never matches an email identifier with the same text.
        let doc = json!({"recipient": {"type": "url", "hashed": false, "identity": "student@example.org"}});
        assert_eq!(
            match_recipient(&doc, Version::V2_0, &me()),
            Err(MismatchReason::NotOwner)
        );
    }

    #[test]
    fn ob05_string_recipient_with_top_level_salt() {
        let h = IdentityHash::compute(
            HashAlgorithm::Sha256,
            "student@example.org",
            Some(&Salt::new("x")),
        );
        let doc = json!({"recipient": h.to_string(), "salt": "x"});
        assert_eq!(
            match_recipient(&doc, Version::V0_5, &me()).unwrap().method,
            MatchMethod::Hashed
        );
        let doc = json!({"recipient": "student@example.org"});
        assert_eq!(
            match_recipient(&doc, Version::V0_5, &me()).unwrap().method,
            MatchMethod::Plain
        );
    }

    #[test]
    fn mozilla_original_recipient_is_used_when_recipient_is_a_bare_hash() {
        let h = IdentityHash::compute(
            HashAlgorithm::Sha256,
            "student@example.org",
            Some(&Salt::new("pepper")),
        );
        let doc = json!({"recipient": h.to_string(),
            "_originalRecipient": {"type": "email", "hashed": true, "salt": "pepper", "identity": h.to_string()}});
        assert_eq!(
            match_recipient(&doc, Version::V1_0, &me()).unwrap().method,
            MatchMethod::Hashed
        );
        // Without it, the bare hash lacks its salt and cannot match.
        let doc = json!({"recipient": h.to_string()});
        assert_eq!(
            match_recipient(&doc, Version::V0_5, &me()),
            Err(MismatchReason::NotOwner)
        );
    }

    #[test]
    fn malformed_hash_is_reported() {
        let doc = json!({"recipient": "sha256$abcde1345"});
        assert!(matches!(
            match_recipient(&doc, Version::V1_0, &me()),
            Err(MismatchReason::MalformedHash(_))
        ));
    }

    #[test]
    fn ob3_subject_id_and_identity_objects() {
        let doc = json!({"credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"}});
        assert_eq!(
            match_recipient(&doc, Version::V3_0, &me()).unwrap().method,
            MatchMethod::SubjectId
        );
        let doc = json!({"credentialSubject": {"id": "mailto:STUDENT@example.org"}});
        assert_eq!(
            match_recipient(&doc, Version::V3_0, &me())
                .unwrap()
                .identifier
                .kind,
            IdentityKind::Email
        );
        let h = IdentityHash::compute(
            HashAlgorithm::Sha256,
            "student@example.org",
            Some(&Salt::new("z")),
        );
        let doc = json!({"credentialSubject": {"identifier": [
            {"type": "IdentityObject", "identityType": "name", "hashed": false, "identityHash": "Sam"},
            {"type": "IdentityObject", "identityType": "emailAddress", "hashed": true, "salt": "z", "identityHash": h.to_string()}]}});
        assert_eq!(
            match_recipient(&doc, Version::V3_0, &me()).unwrap().method,
            MatchMethod::IdentityObjectHashed
        );
        let doc = json!({"credentialSubject": {"id": "did:example:someone-else"}});
        assert_eq!(
            match_recipient(&doc, Version::V3_0, &me()),
            Err(MismatchReason::NotOwner)
        );
        let doc = json!({"credentialSubject": {"type": "AchievementSubject"}});
        assert_eq!(
            match_recipient(&doc, Version::V3_0, &me()),
            Err(MismatchReason::NoRecipient)
        );
    }
}
