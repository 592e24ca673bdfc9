//! The JWT claims of a VC-JWT and the credential they stand for: the credential a token's
//! claims carry (VC Data Model 1.1 §6.3.1), the claims that must agree with it, and the
//! credential's issuer id, subject id and dates that both sides read.

use chrono::{DateTime, NaiveDateTime, Utc};
use openbadges_model::member::Members;
use serde_json::Value;

use super::VcJwt;

/// The credential a JWT's claims carry, decoded as the VC Data Model 1.1 (§6.3.1, "JWT
/// Decoding") defines: when the claims have a `vc` object (and no `@context` of their own), that
/// object, with each registered claim filling in the property it stands for when the credential
/// does not already have it:
///
/// | claim | property |
/// |-------|----------|
/// | `jti` | `id` |
/// | `iss` | `issuer` (or `issuer.id` of an issuer object without one) |
/// | `sub` | `credentialSubject.id` (of an object subject) |
/// | `nbf` | `validFrom` for a VC 2.0 credential, `issuanceDate` otherwise (RFC 3339, UTC) |
/// | `exp` | `validUntil` for a VC 2.0 credential, `expirationDate` otherwise |
///
/// Any other payload (an OB 2.0 signed assertion, a VC 2.0 JOSE credential whose claims are the
/// credential) is returned as it is. A property the credential has is never overwritten: a
/// claim that disagrees with it is for [`VcJwt::claim_problems`] to report, not to hide.
///
/// ```
/// use serde_json::json;
/// let claims = json!({"iss": "https://example.org/", "jti": "urn:uuid:1", "sub": "did:example:a",
///                     "nbf": 1_700_000_000, "vc": {"credentialSubject": {}}});
/// let vc = openbadges_proof::vc_jwt::credential_from_claims(&claims);
/// assert_eq!(vc["id"], "urn:uuid:1");
/// assert_eq!(vc["issuer"], "https://example.org/");
/// assert_eq!(vc["issuanceDate"], "2023-11-14T22:13:20Z");
/// assert_eq!(vc["credentialSubject"]["id"], "did:example:a");
/// ```
pub fn credential_from_claims(claims: &Value) -> Value {
    let Some(o) = claims.as_object().filter(|o| !o.has_member("@context")) else {
        return claims.clone();
    };
    let Some(Value::Object(vc)) = o.member("vc") else {
        return claims.clone();
    };
    let mut vc = vc.clone();
    let v2 = vc.member("@context").is_some_and(|c| {
        let first = match c {
            Value::Array(a) => a.first(),
            other => Some(other),
        };
        first.and_then(Value::as_str) == Some("https://www.w3.org/ns/credentials/v2")
    });
    if let Some(jti) = o.member("jti") {
        vc.entry("id").or_insert_with(|| jti.clone());
    }
    if let Some(iss) = o.member("iss") {
        match vc.get_mut("issuer") {
            None => {
                vc.insert("issuer".into(), iss.clone());
            }
            Some(Value::Object(issuer)) => {
                issuer.entry("id").or_insert_with(|| iss.clone());
            }
            Some(_) => {}
        }
    }
    if let Some(sub) = o.member("sub") {
        if let Some(Value::Object(cs)) = vc.get_mut("credentialSubject") {
            cs.entry("id").or_insert_with(|| sub.clone());
        }
    }
    let date = |claim: &str| {
        let t = o.member(claim).and_then(Value::as_i64)?;
        let t = DateTime::from_timestamp(t, 0)?;
        Some(Value::String(
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ))
    };
    for (claim, v2_name, v1_name) in [
        ("nbf", "validFrom", "issuanceDate"),
        ("exp", "validUntil", "expirationDate"),
    ] {
        if vc.has_member(v2_name) || vc.has_member(v1_name) {
            continue;
        }
        if let Some(d) = date(claim) {
            vc.insert(if v2 { v2_name } else { v1_name }.into(), d);
        }
    }
    Value::Object(vc)
}

/// Reads an XML Schema / RFC 3339 date-time (a missing offset is read as UTC).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// The issuer id of a credential (`issuer` as a string or `issuer.id`).
pub fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.member("issuer")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.member("id").and_then(Value::as_str),
        _ => None,
    }
}

pub(super) fn subject_id(credential: &Value) -> Option<&str> {
    match credential.member("credentialSubject")? {
        Value::Object(o) => o.member("id").and_then(Value::as_str),
        Value::Array(a) => a.first()?.member("id").and_then(Value::as_str),
        _ => None,
    }
}

pub(super) fn date_of<'a>(credential: &'a Value, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| credential.member(n).and_then(Value::as_str))
}

impl VcJwt {
    /// Every disagreement between the JWT claims and the credential (`iss` ≠ issuer id,
    /// `jti` ≠ `id`, `sub` ≠ `credentialSubject.id`, `nbf` ≠ `validFrom`/`issuanceDate`,
    /// `exp` ≠ `validUntil`/`expirationDate`), and required claims that are missing (`iss`,
    /// `nbf`; `jti` when the credential has an `id`; `exp` when it has a `validUntil`).
    pub fn claim_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let c = &self.credential;
        let claim_str = |k: &str| self.claims.member(k).map(|v| v.as_str().ok_or(v));
        let mut same =
            |claim: &str, want: Option<&str>, required: bool| match (claim_str(claim), want) {
                (Some(Ok(got)), Some(w)) if got == w => {}
                (Some(Ok(got)), Some(w)) => {
                    out.push(format!("`{claim}` is {got:?}, expected {w:?}"))
                }
                (Some(Ok(got)), None) => {
                    out.push(format!("`{claim}` is {got:?} but the credential has none"));
                }
                (Some(Err(v)), _) => out.push(format!("`{claim}` is not a string: {v}")),
                (None, Some(w)) if required => {
                    out.push(format!("`{claim}` is missing (expected {w:?})"))
                }
                (None, _) => {}
            };
        same("iss", issuer_id(c), true);
        same("jti", c.member("id").and_then(Value::as_str), true);
        same("sub", subject_id(c), false);
        let mut time = |claim: &str, names: &[&str], required: bool| {
            let want = date_of(c, names)
                .and_then(parse_datetime)
                .map(|t| t.timestamp());
            match (self.claims.member(claim), want) {
                (Some(v), Some(w)) => match v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)) {
                    Some(got) if got == w => {}
                    Some(got) => out.push(format!(
                        "`{claim}` is {got}, but the credential's {} is {w}",
                        names.first().copied().unwrap_or_default()
                    )),
                    None => out.push(format!("`{claim}` is not a number")),
                },
                (Some(_), None) => out.push(format!(
                    "`{claim}` is present but the credential has no {}",
                    names.first().copied().unwrap_or_default()
                )),
                (None, Some(_)) if required => out.push(format!("`{claim}` is missing")),
                (None, _) => {}
            }
        };
        time("nbf", &["validFrom", "issuanceDate"], true);
        time("exp", &["validUntil", "expirationDate"], true);
        out
    }
}
