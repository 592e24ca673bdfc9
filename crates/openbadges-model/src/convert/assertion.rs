//! The credential: an OB 2.0 Assertion carried into an OB 3.0 OpenBadgeCredential (recipient,
//! dates, evidence), with the badge class and issuer converted beside it.

use serde_json::{Map, Value};

use super::badge_class::convert_badge_class;
use super::issuer::convert_issuer;
use super::{NoteKind, Notes, Source, convert_image, id_of, str_of};
use crate::ob3::{
    Achievement, AchievementSubject, ContextEntry, Evidence, Extra, IdentityObject, OB3_CONTEXT,
    OpenBadgeCredential, Profile, TypeSet,
};
use crate::value::{is_absolute_iri, parse_datetime};
use crate::{DateTime, IdOrObject, Iri, OneOrMany};

/// The type the original assertion is linked with (as evidence).
const OB2_ASSERTION_TYPE: &str = "https://w3id.org/openbadges#Assertion";

/// The Assertion properties the conversion handles; any other is noted as not carried.
const HANDLED: &[&str] = &[
    "@context",
    "type",
    "id",
    "recipient",
    "badge",
    "issuedOn",
    "expires",
    "image",
    "evidence",
    "narrative",
    "verification",
    "revoked",
    "revocationReason",
    "endorsement",
];

/// Converts the three documents of an award; `None` when a blocking problem stops it (every
/// problem is noted, blocking or not, before giving up).
pub(super) fn convert(
    assertion: &Value,
    badge_class: &Value,
    issuer: &Value,
    notes: &mut Notes,
) -> Option<OpenBadgeCredential> {
    let (a, b, i) = documents(assertion, badge_class, issuer, notes)?;
    check_documents_match(a, b, i, notes);
    let profile = convert_issuer(i, notes);
    let achievement = convert_badge_class(b, profile.clone(), notes);
    let (subject_id, identity) = convert_recipient(a, notes);
    let valid_from = date(a, "issuedOn", notes, true);
    let valid_until = date(a, "expires", notes, false);
    note_status_and_verification(a, notes);
    let evidence = evidence(a, notes);
    let image = a
        .get("image")
        .and_then(|v| convert_image(v, Source::Assertion, "/image", notes));
    notes.rest(a, HANDLED, Source::Assertion, "");

    let (achievement, profile, valid_from) = (achievement?, profile?, valid_from?);
    let id = credential_id(a, notes);
    let subject = AchievementSubject {
        id: subject_id,
        types: TypeSet::many(["AchievementSubject"]),
        activity_end_date: None,
        activity_start_date: None,
        credits_earned: None,
        achievement: achievement.clone(),
        identifier: identity.map(|i| OneOrMany::Many(vec![i])),
        image: image.map(|i| IdOrObject::Object(Box::new(i))),
        license_number: None,
        narrative: str_of(a, "narrative").map(str::to_string),
        result: None,
        role: None,
        source: None,
        term: None,
        extra: Extra::new(),
    };
    let credential = credential(
        id,
        &achievement,
        subject,
        evidence,
        profile,
        valid_from,
        valid_until,
    );
    check_converted(&credential, notes)?;
    Some(credential)
}

/// The assertion, badge class and issuer, as JSON objects.
type Documents<'a> = (
    &'a Map<String, Value>,
    &'a Map<String, Value>,
    &'a Map<String, Value>,
);

/// The three documents as JSON objects: an embedded badge class (or issuer) stands in for a
/// `Value::Null` argument. Any that is not an object is blocking.
fn documents<'a>(
    assertion: &'a Value,
    badge_class: &'a Value,
    issuer: &'a Value,
    notes: &mut Notes,
) -> Option<Documents<'a>> {
    let Some(a) = assertion.as_object() else {
        notes.push(
            NoteKind::Blocking,
            Source::Assertion,
            "",
            "the assertion is not a json object",
        );
        return None;
    };
    let badge_value = match (badge_class, a.get("badge")) {
        (Value::Null, Some(embedded @ Value::Object(_))) => embedded,
        _ => badge_class,
    };
    let Some(b) = badge_value.as_object() else {
        notes.push(
            NoteKind::Blocking,
            Source::BadgeClass,
            "",
            "the badge class is not a json object",
        );
        return None;
    };
    let issuer_value = match (issuer, b.get("issuer")) {
        (Value::Null, Some(embedded @ Value::Object(_))) => embedded,
        _ => issuer,
    };
    let Some(i) = issuer_value.as_object() else {
        notes.push(
            NoteKind::Blocking,
            Source::Issuer,
            "",
            "the issuer profile is not a json object",
        );
        return None;
    };
    Some((a, b, i))
}

/// The assertion must point to the badge class given, and the badge class to the issuer given;
/// a mismatch is blocking.
fn check_documents_match(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    i: &Map<String, Value>,
    notes: &mut Notes,
) {
    let badge_id = str_of(b, "id");
    if let Some((ref_id, bid)) = a
        .get("badge")
        .and_then(id_of)
        .zip(badge_id)
        .filter(|(r, b)| r != b)
    {
        notes.push(
            NoteKind::Blocking,
            Source::Assertion,
            "/badge",
            format!("the assertion's badge `{ref_id}` is not the badge class given (`{bid}`)"),
        );
    }
    if let Some((ref_id, iid)) = b
        .get("issuer")
        .and_then(id_of)
        .zip(str_of(i, "id"))
        .filter(|(r, i)| r != i)
    {
        notes.push(
            NoteKind::Blocking,
            Source::BadgeClass,
            "/issuer",
            format!("the badge class's issuer `{ref_id}` is not the issuer given (`{iid}`)"),
        );
    }
}

/// A date-time property (`issuedOn` → `validFrom`, `expires` → `validUntil`): a date-time with
/// a time zone, else blocking; blocking when absent only if `required`.
fn date(a: &Map<String, Value>, key: &str, notes: &mut Notes, required: bool) -> Option<DateTime> {
    match a.get(key) {
        Some(Value::String(s)) if parse_datetime(s).is_some() => Some(DateTime::new(s.clone())),
        Some(_) => {
            let hint = if required {
                " (upgrade legacy badges first)"
            } else {
                ""
            };
            notes.push(
                NoteKind::Blocking,
                Source::Assertion,
                &format!("/{key}"),
                format!("`{key}` is not an ISO 8601 date-time with a time zone{hint}"),
            );
            None
        }
        None if required => {
            notes.push(
                NoteKind::Blocking,
                Source::Assertion,
                &format!("/{key}"),
                format!("`{key}` is required"),
            );
            None
        }
        None => None,
    }
}

/// Revocation (a revoked badge is not re-issued: blocking), verification and endorsements:
/// none of them has an OB 3.0 equivalent in an unsigned credential.
fn note_status_and_verification(a: &Map<String, Value>, notes: &mut Notes) {
    if a.get("revoked").and_then(Value::as_bool) == Some(true) {
        notes.push(
            NoteKind::Blocking,
            Source::Assertion,
            "/revoked",
            "the assertion is revoked; a revoked badge is not re-issued",
        );
    } else if a.contains_key("revoked") {
        notes.push(
            NoteKind::NotCarried,
            Source::Assertion,
            "/revoked",
            "`revoked: false` is the default in OB 3.0 (status lives in `credentialStatus`)",
        );
    }
    if a.contains_key("revocationReason") {
        notes.push(
            NoteKind::NotCarried,
            Source::Assertion,
            "/revocationReason",
            "`revocationReason` has no OB 3.0 equivalent",
        );
    }
    if let Some(v) = a.get("verification") {
        let kind = v
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("unspecified");
        notes.push(
            NoteKind::NotCarried,
            Source::Assertion,
            "/verification",
            format!(
                "OB 2.0 `{kind}` verification has no OB 3.0 equivalent: the credential is unsigned and must be signed by its issuer (Data Integrity or VC-JWT); the original assertion is linked as evidence"
            ),
        );
    }
    if a.contains_key("endorsement") {
        notes.push(
            NoteKind::NotCarried,
            Source::Assertion,
            "/endorsement",
            "OB 2.0 endorsements are not EndorsementCredentials; the endorser must issue them again",
        );
    }
}

/// The evidence: the original assertion first (its absolute IRI `id` is required), then the
/// 2.0 evidence.
fn evidence(a: &Map<String, Value>, notes: &mut Notes) -> Vec<Evidence> {
    let mut evidence = Vec::new();
    match str_of(a, "id") {
        Some(aid) if is_absolute_iri(aid) => evidence.push(Evidence {
            id: Some(Iri::new_unchecked(aid)),
            types: TypeSet::many(["Evidence", OB2_ASSERTION_TYPE]),
            narrative: None,
            name: Some("Original Open Badges 2.0 assertion for this credential".to_string()),
            description: Some(
                "This credential was originally issued as an Open Badges 2.0 assertion and converted to Open Badges 3.0."
                    .to_string(),
            ),
            genre: None,
            audience: None,
            extra: Extra::new(),
        }),
        _ => notes.push(
            NoteKind::Blocking,
            Source::Assertion,
            "/id",
            "the assertion has no absolute IRI `id`",
        ),
    }
    evidence.extend(convert_evidence(a, notes));
    evidence
}

/// The credential's new, name-based `urn:uuid` id (noted as changed).
fn credential_id(a: &Map<String, Value>, notes: &mut Notes) -> Iri {
    let id = crate::ob3::name_based_urn_uuid(&format!(
        "openbadges-rs/ob2-to-ob3/assertion/{}",
        str_of(a, "id").unwrap_or_default()
    ));
    notes.push(
        NoteKind::Changed,
        Source::Assertion,
        "/id",
        format!(
            "the credential gets a new id `{id}`; the original assertion is linked as evidence"
        ),
    );
    id
}

/// The unsigned credential, from its converted parts.
fn credential(
    id: Iri,
    achievement: &Achievement,
    subject: AchievementSubject,
    evidence: Vec<Evidence>,
    profile: Profile,
    valid_from: DateTime,
    valid_until: Option<DateTime>,
) -> OpenBadgeCredential {
    OpenBadgeCredential {
        context: OneOrMany::Many(vec![
            ContextEntry::from(crate::detect::VC2_CONTEXT),
            ContextEntry::from(OB3_CONTEXT),
        ]),
        id: Some(id),
        types: TypeSet::many(["VerifiableCredential", "OpenBadgeCredential"]),
        name: Some(achievement.name.clone()),
        description: None,
        image: None,
        awarded_date: Some(valid_from.clone()),
        credential_subject: subject,
        endorsement: None,
        endorsement_jwt: None,
        evidence: if evidence.is_empty() {
            None
        } else {
            Some(OneOrMany::Many(evidence))
        },
        issuer: IdOrObject::Object(Box::new(profile)),
        valid_from: Some(valid_from),
        valid_until,
        issuance_date: None,
        expiration_date: None,
        proof: None,
        credential_schema: None,
        credential_status: None,
        refresh_service: None,
        terms_of_use: None,
        extra: Extra::new(),
    }
}

/// Belt and braces: every error of [`crate::ob3::validate`] on the result is a blocking note,
/// so a credential that does not validate is never handed back. `None` if it does not serialize.
fn check_converted(credential: &OpenBadgeCredential, notes: &mut Notes) -> Option<()> {
    // Belt and braces: never hand back a credential that does not validate.
    let value = crate::ob3::to_value(credential).ok()?;
    for p in crate::ob3::validate(&value, None)
        .into_iter()
        .filter(crate::Problem::is_error)
    {
        notes.push(
            NoteKind::Blocking,
            Source::Assertion,
            "",
            format!(
                "the converted credential is invalid: {} at `{}`: {}",
                p.code, p.path, p.message
            ),
        );
    }
    Some(())
}

/// The 2.0 recipient as an OB 3.0 subject id and/or IdentityObject.
fn convert_recipient(
    a: &Map<String, Value>,
    notes: &mut Notes,
) -> (Option<Iri>, Option<IdentityObject>) {
    let Some(r) = a.get("recipient").and_then(Value::as_object) else {
        notes.push(
            NoteKind::Blocking,
            Source::Assertion,
            "/recipient",
            "the assertion has no `recipient` object",
        );
        return (None, None);
    };
    let Some(identity) = str_of(r, "identity") else {
        notes.push(
            NoteKind::Blocking,
            Source::Assertion,
            "/recipient/identity",
            "the recipient has no `identity`",
        );
        return (None, None);
    };
    let kind = str_of(r, "type").unwrap_or("email");
    let hashed = match r.get("hashed") {
        Some(Value::Bool(h)) => *h,
        _ => {
            let h = identity.contains('$');
            notes.push(
                NoteKind::Changed,
                Source::Assertion,
                "/recipient/hashed",
                format!("`hashed` is missing or not a boolean; taken as {h}"),
            );
            h
        }
    };
    let identity_type = match kind {
        "email" => "emailAddress".to_string(),
        other => format!("ext:{other}"),
    };
    if kind != "email" {
        notes.push(
            NoteKind::Changed,
            Source::Assertion,
            "/recipient/type",
            format!(
                "recipient type `{kind}` becomes the extension identity type `{identity_type}`"
            ),
        );
    }
    let mut obj = IdentityObject::plain(&identity_type, identity);
    obj.hashed = hashed;
    obj.salt = str_of(r, "salt").map(crate::Salt::new);
    notes.rest(
        r,
        &["type", "identity", "hashed", "salt"],
        Source::Assertion,
        "/recipient",
    );
    let subject_id = (!hashed && matches!(kind, "url" | "id" | "did") && is_absolute_iri(identity))
        .then(|| Iri::new_unchecked(identity));
    (subject_id, Some(obj))
}

/// The 2.0 `evidence` (IRIs or Evidence objects) as OB 3.0 Evidence; other shapes are noted.
fn convert_evidence(a: &Map<String, Value>, notes: &mut Notes) -> Vec<Evidence> {
    let items: Vec<&Value> = match a.get("evidence") {
        Some(Value::Array(v)) => v.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    let single = !a.get("evidence").is_some_and(Value::is_array);
    let mut out = Vec::new();
    for (idx, item) in items.into_iter().enumerate() {
        let path = if single {
            "/evidence".to_string()
        } else {
            format!("/evidence/{idx}")
        };
        let blank = |id: Option<Iri>| Evidence {
            id,
            types: TypeSet::many(["Evidence"]),
            narrative: None,
            name: None,
            description: None,
            genre: None,
            audience: None,
            extra: Extra::new(),
        };
        match item {
            Value::String(s) if is_absolute_iri(s) => {
                out.push(blank(Some(Iri::new_unchecked(s.clone()))));
            }
            Value::Object(o) => {
                let mut e = blank(
                    str_of(o, "id")
                        .filter(|s| is_absolute_iri(s))
                        .map(Iri::new_unchecked),
                );
                let get = |k: &str| str_of(o, k).map(str::to_string);
                e.narrative = get("narrative");
                e.name = get("name");
                e.description = get("description");
                e.genre = get("genre");
                e.audience = get("audience");
                notes.rest(
                    o,
                    &[
                        "id",
                        "type",
                        "narrative",
                        "name",
                        "description",
                        "genre",
                        "audience",
                    ],
                    Source::Assertion,
                    &path,
                );
                out.push(e);
            }
            _ => notes.push(
                NoteKind::NotCarried,
                Source::Assertion,
                &path,
                "the evidence is not an IRI or an Evidence object and is not carried over",
            ),
        }
    }
    out
}
