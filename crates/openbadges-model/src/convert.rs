//! Conversion from Open Badges 2.0 to Open Badges 3.0.
//!
//! [`ob2_to_ob3`] takes the three 2.0 documents of an award (the Assertion, its BadgeClass and the
//! issuer Profile, as JSON) and builds an **unsigned** [`OpenBadgeCredential`] with an embedded
//! [`Achievement`] and [`Profile`], following the specification's migration guide
//! (`ob_v3p0/impl/migrating.md`): new `urn:uuid` ids for the credential and the achievement, the
//! original assertion linked as [`Evidence`] typed `https://w3id.org/openbadges#Assertion`, the
//! original BadgeClass linked as a [`Related`] achievement typed
//! `https://w3id.org/openbadges#BadgeClass`.
//!
//! Nothing is dropped silently: every property that is not carried over, or is carried over in a
//! changed form, is listed in [`Conversion::notes`] with the document and JSON pointer it came
//! from. Problems that make a faithful credential impossible (a revoked assertion, a missing
//! required property, an issuer that does not match the badge) are [`NoteKind::Blocking`], and
//! then no credential is produced. A produced credential always passes [`crate::ob3::validate`];
//! it must still be signed by its issuer (Data Integrity or VC-JWT) to be verifiable.
//!
//! The new ids are name-based (SHA-256 of the original id, UUID version 8), so converting the
//! same badge twice gives the same credential.
//!
//! | OB 2.0 | OB 3.0 | notes |
//! |---|---|---|
//! | Assertion `@context`, `type` | `@context` = VC 2.0 + OB 3.0.3, `type` = `VerifiableCredential`, `OpenBadgeCredential` | |
//! | Assertion `id` | `id` = `urn:uuid:` derived from it; the original becomes an `evidence` entry typed `https://w3id.org/openbadges#Assertion` | changed |
//! | Assertion `recipient` (`type`, `identity`, `hashed`, `salt`) | `credentialSubject.identifier[0]` IdentityObject (`identityType`: `email`→`emailAddress`, `url`→`ext:url`, `telephone`→`ext:telephone`, other→`ext:<type>`; `identityHash` = `identity`; `hashed`; `salt`) | an unhashed `url`/`id`/`did` recipient also becomes `credentialSubject.id` |
//! | Assertion `badge` | `credentialSubject.achievement` (see BadgeClass) | |
//! | Assertion `issuedOn` | `validFrom` and `awardedDate` | must be a date-time with zone, else blocking |
//! | Assertion `expires` | `validUntil` | |
//! | Assertion `image` | `credentialSubject.image` (Image) | |
//! | Assertion `evidence` (IRI or Evidence) | `evidence[]` (Evidence: `id`, `narrative`, `name`, `description`, `genre`, `audience`) | other Evidence properties not carried |
//! | Assertion `narrative` | `credentialSubject.narrative` | |
//! | Assertion `verification` (hosted / signed) | — | not carried: 3.0 credentials carry proofs; sign the result |
//! | Assertion `revoked: true`, `revocationReason` | — | blocking: a revoked badge is not re-issued |
//! | Assertion `endorsement` | — | not carried: endorsers must issue EndorsementCredentials |
//! | BadgeClass `id` | `achievement.id` = `urn:uuid:` derived from it; `achievement.related[0]` = the original, typed `https://w3id.org/openbadges#BadgeClass`, version `Open Badges v2p0` | changed |
//! | BadgeClass `name`, `description` | `achievement.name`, `achievement.description`; the credential `name` is the badge name | required |
//! | BadgeClass `image` (IRI, data URI or Image) | `achievement.image` (Image: `id`, `caption`) | |
//! | BadgeClass `criteria` (IRI or Criteria) | `achievement.criteria` (`id`, `narrative`) | required |
//! | BadgeClass `alignment` | `achievement.alignment[]` (`targetName`, `targetUrl`, `targetDescription`, `targetFramework`, `targetCode`) | entries without `targetName`/`targetUrl` not carried |
//! | BadgeClass `tags` | `achievement.tag` | |
//! | BadgeClass `@language` | `achievement.inLanguage` | |
//! | BadgeClass `version` | `achievement.version` | |
//! | BadgeClass `issuer` | `achievement.creator` (the converted issuer Profile) | must match the issuer given |
//! | BadgeClass `endorsement`, `related` | — | not carried |
//! | Issuer `id` | `issuer.id` (kept) | |
//! | Issuer `name`, `url`, `email`, `description` | same names | |
//! | Issuer `telephone` | `issuer.phone` | |
//! | Issuer `image` | `issuer.image` (Image) | |
//! | Issuer `publicKey` | — | not carried: 3.0 keys are found through the issuer's DID document or JWKS |
//! | Issuer `verification` (`allowedOrigins`, `startsWith`) | — | not carried: hosted verification has no 3.0 equivalent |
//! | Issuer `revocationList` | — | not carried: 3.0 status needs a new `credentialStatus` list |
//! | Issuer `endorsement`, `related` | — | not carried |
//! | any other property (extensions, `@language` of the assertion or issuer, …) | — | not carried: 3.0 properties need 3.0 context terms |
//!
//! ```
//! use openbadges_model::convert::ob2_to_ob3;
//! use serde_json::json;
//! let issuer = json!({"@context": "https://w3id.org/openbadges/v2", "type": "Issuer",
//!     "id": "https://example.org/issuer", "name": "Example", "url": "https://example.org",
//!     "email": "badges@example.org", "publicKey": "https://example.org/key"});
//! let badge = json!({"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass",
//!     "id": "https://example.org/badge", "name": "Badges 101", "description": "Basics.",
//!     "image": "https://example.org/badge.png", "criteria": {"narrative": "Pass the quiz."},
//!     "issuer": "https://example.org/issuer"});
//! let assertion = json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
//!     "id": "https://example.org/assertions/1", "badge": "https://example.org/badge",
//!     "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!     "issuedOn": "2024-01-31T12:00:00Z", "verification": {"type": "hosted"}});
//! let conversion = ob2_to_ob3(&assertion, &badge, &issuer);
//! let credential = conversion.credential.as_ref().expect("converted");
//! assert_eq!(credential.credential_subject.achievement.name, "Badges 101");
//! // What could not be carried over is reported, never silently dropped:
//! assert!(conversion.notes.iter().any(|n| n.path == "/verification"));
//! assert!(conversion.notes.iter().any(|n| n.path == "/publicKey"));
//! ```

use serde::Serialize;
use serde_json::{Map, Value};

use crate::ob3::{
    Achievement, AchievementSubject, Alignment, ContextEntry, Criteria, Evidence, Extra,
    IdentityObject, Image, OB3_CONTEXT, OpenBadgeCredential, Profile, Related, TypeSet,
};
use crate::value::{is_absolute_iri, parse_datetime};
use crate::{DateTime, IdOrObject, Iri, OneOrMany, pointer_join};

/// Which input document a [`ConversionNote`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The OB 2.0 Assertion.
    Assertion,
    /// The OB 2.0 BadgeClass.
    BadgeClass,
    /// The OB 2.0 issuer Profile.
    Issuer,
}

impl Source {
    /// `"assertion"`, `"badgeclass"` or `"issuer"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Assertion => "assertion",
            Source::BadgeClass => "badgeclass",
            Source::Issuer => "issuer",
        }
    }
}

/// What happened to a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoteKind {
    /// Carried over in a changed form (a new id, a renamed or restructured value).
    Changed,
    /// Not carried over: OB 3.0 has no place for it (or needs it re-issued in another form).
    NotCarried,
    /// A faithful credential cannot be produced; [`Conversion::credential`] is `None`.
    Blocking,
}

/// One thing the conversion did not carry over unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ConversionNote {
    /// Changed, not carried, or blocking.
    pub kind: NoteKind,
    /// The input document concerned.
    pub source: Source,
    /// JSON pointer into that document (`""` = the document itself).
    pub path: String,
    /// What happened and why, lowercase.
    pub message: String,
}

/// The result of [`ob2_to_ob3`].
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// The unsigned OB 3.0 credential; `None` when a [`NoteKind::Blocking`] note says why not.
    pub credential: Option<OpenBadgeCredential>,
    /// Everything not carried over unchanged, in input order.
    pub notes: Vec<ConversionNote>,
}

impl Conversion {
    /// Whether a credential was produced.
    pub fn is_converted(&self) -> bool {
        self.credential.is_some()
    }

    /// The notes of one kind.
    pub fn notes_of(&self, kind: NoteKind) -> impl Iterator<Item = &ConversionNote> {
        self.notes.iter().filter(move |n| n.kind == kind)
    }
}

const OB2_ASSERTION_TYPE: &str = "https://w3id.org/openbadges#Assertion";
const OB2_BADGECLASS_TYPE: &str = "https://w3id.org/openbadges#BadgeClass";

struct Notes(Vec<ConversionNote>);

impl Notes {
    fn push(&mut self, kind: NoteKind, source: Source, path: &str, message: impl Into<String>) {
        self.0.push(ConversionNote {
            kind,
            source,
            path: path.to_string(),
            message: message.into(),
        });
    }

    fn blocking(&self) -> bool {
        self.0.iter().any(|n| n.kind == NoteKind::Blocking)
    }

    /// Reports every key of `obj` not in `handled` as not carried.
    fn rest(&mut self, obj: &Map<String, Value>, handled: &[&str], source: Source, path: &str) {
        for key in obj.keys() {
            if !handled.contains(&key.as_str()) {
                self.push(
                    NoteKind::NotCarried,
                    source,
                    &pointer_join(path, key),
                    format!("`{key}` has no OB 3.0 equivalent and is not carried over"),
                );
            }
        }
    }
}

fn str_of<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

fn id_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => str_of(o, "id"),
        _ => None,
    }
}

/// Converts an OB 2.0 award (assertion, badge class, issuer profile) to an unsigned OB 3.0
/// OpenBadgeCredential. See the [module documentation](self) for the mapping.
///
/// If the assertion embeds its badge class (or the badge class its issuer) and the separate
/// argument is `Value::Null`, the embedded object is used.
pub fn ob2_to_ob3(assertion: &Value, badge_class: &Value, issuer: &Value) -> Conversion {
    let mut notes = Notes(Vec::new());
    let credential = convert(assertion, badge_class, issuer, &mut notes);
    let credential = if notes.blocking() { None } else { credential };
    Conversion {
        credential,
        notes: notes.0,
    }
}

/// [`ob2_to_ob3`] for the typed OB 2.0 model.
///
/// ```
/// use openbadges_model::convert::ob2_typed_to_ob3;
/// use openbadges_model::ob2::{Assertion, BadgeClass, Profile};
/// use serde_json::json;
/// let issuer = Profile::from_value(&json!({"@context": "https://w3id.org/openbadges/v2",
///     "type": "Issuer", "id": "https://example.org/issuer", "name": "Example",
///     "url": "https://example.org", "email": "badges@example.org"}))?;
/// let badge = BadgeClass::from_value(&json!({"@context": "https://w3id.org/openbadges/v2",
///     "type": "BadgeClass", "id": "https://example.org/badge", "name": "Badges 101",
///     "description": "Basics.", "image": "https://example.org/badge.png",
///     "criteria": "https://example.org/criteria", "issuer": "https://example.org/issuer"}))?;
/// let assertion = Assertion::from_value(&json!({"@context": "https://w3id.org/openbadges/v2",
///     "type": "Assertion", "id": "https://example.org/assertions/1",
///     "badge": "https://example.org/badge", "issuedOn": "2024-01-31T12:00:00Z",
///     "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
///     "verification": {"type": "hosted"}}))?;
/// assert!(ob2_typed_to_ob3(&assertion, &badge, &issuer).is_converted());
/// # Ok::<(), openbadges_model::Error>(())
/// ```
pub fn ob2_typed_to_ob3(
    assertion: &crate::ob2::Assertion,
    badge_class: &crate::ob2::BadgeClass,
    issuer: &crate::ob2::Profile,
) -> Conversion {
    let values = (
        serde_json::to_value(assertion),
        serde_json::to_value(badge_class),
        serde_json::to_value(issuer),
    );
    match values {
        (Ok(a), Ok(b), Ok(i)) => ob2_to_ob3(&a, &b, &i),
        _ => Conversion {
            credential: None,
            notes: vec![ConversionNote {
                kind: NoteKind::Blocking,
                source: Source::Assertion,
                path: String::new(),
                message: "the OB 2.0 documents could not be serialized".into(),
            }],
        },
    }
}

fn convert(
    assertion: &Value,
    badge_class: &Value,
    issuer: &Value,
    notes: &mut Notes,
) -> Option<OpenBadgeCredential> {
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

    // The three documents must belong together.
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

    let profile = convert_issuer(i, notes);
    let achievement = convert_badge_class(b, profile.clone(), notes);
    let (subject_id, identity) = convert_recipient(a, notes);

    // Dates.
    let valid_from = match a.get("issuedOn") {
        Some(Value::String(s)) if parse_datetime(s).is_some() => Some(DateTime::new(s.clone())),
        Some(_) => {
            notes.push(
                NoteKind::Blocking,
                Source::Assertion,
                "/issuedOn",
                "`issuedOn` is not an ISO 8601 date-time with a time zone (upgrade legacy badges first)",
            );
            None
        }
        None => {
            notes.push(
                NoteKind::Blocking,
                Source::Assertion,
                "/issuedOn",
                "`issuedOn` is required",
            );
            None
        }
    };
    let valid_until = match a.get("expires") {
        Some(Value::String(s)) if parse_datetime(s).is_some() => Some(DateTime::new(s.clone())),
        Some(_) => {
            notes.push(
                NoteKind::Blocking,
                Source::Assertion,
                "/expires",
                "`expires` is not an ISO 8601 date-time with a time zone",
            );
            None
        }
        None => None,
    };

    // Revocation and verification.
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

    // Evidence: the original assertion first, then the 2.0 evidence.
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

    let image = a
        .get("image")
        .and_then(|v| convert_image(v, Source::Assertion, "/image", notes));

    notes.rest(
        a,
        &[
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
        ],
        Source::Assertion,
        "",
    );

    let achievement = achievement?;
    let profile = profile?;
    let valid_from = valid_from?;
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
    let credential = OpenBadgeCredential {
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
    };
    // Belt and braces: never hand back a credential that does not validate.
    let value = crate::ob3::to_value(&credential).ok()?;
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
    Some(credential)
}

fn convert_image(v: &Value, source: Source, path: &str, notes: &mut Notes) -> Option<Image> {
    match v {
        Value::String(s) if is_absolute_iri(s) => Some(Image::new(Iri::new_unchecked(s.clone()))),
        Value::Object(o) => match str_of(o, "id") {
            Some(id) if is_absolute_iri(id) => {
                let mut img = Image::new(Iri::new_unchecked(id));
                img.caption = str_of(o, "caption").map(str::to_string);
                notes.rest(o, &["id", "type", "caption"], source, path);
                Some(img)
            }
            _ => {
                notes.push(
                    NoteKind::NotCarried,
                    source,
                    path,
                    "the image has no absolute IRI `id` and is not carried over",
                );
                None
            }
        },
        _ => {
            notes.push(
                NoteKind::NotCarried,
                source,
                path,
                "the image is not an IRI or an Image object and is not carried over",
            );
            None
        }
    }
}

fn convert_issuer(i: &Map<String, Value>, notes: &mut Notes) -> Option<Profile> {
    let Some(id) = str_of(i, "id").filter(|s| is_absolute_iri(s)) else {
        notes.push(
            NoteKind::Blocking,
            Source::Issuer,
            "/id",
            "the issuer has no absolute IRI `id`",
        );
        return None;
    };
    let mut b = crate::ob3::ProfileBuilder::new(Iri::new_unchecked(id));
    if let Some(name) = str_of(i, "name") {
        b = b.name(name);
    }
    if let Some(url) = str_of(i, "url") {
        if is_absolute_iri(url) {
            b = b.url(Iri::new_unchecked(url));
        } else {
            notes.push(
                NoteKind::NotCarried,
                Source::Issuer,
                "/url",
                "`url` is not an absolute IRI and is not carried over",
            );
        }
    }
    if let Some(email) = str_of(i, "email") {
        b = b.email(email);
    }
    if let Some(d) = str_of(i, "description") {
        b = b.description(d);
    }
    if let Some(t) = str_of(i, "telephone") {
        b = b.phone(t);
        notes.push(
            NoteKind::Changed,
            Source::Issuer,
            "/telephone",
            "`telephone` becomes `phone`",
        );
    }
    if let Some(img) = i
        .get("image")
        .and_then(|v| convert_image(v, Source::Issuer, "/image", notes))
    {
        b = b.image(img);
    }
    for (key, why) in [
        (
            "publicKey",
            "OB 3.0 keys are found through the issuer's DID document or JWKS, not a 2.0 CryptographicKey",
        ),
        (
            "verification",
            "hosted verification (`allowedOrigins`, `startsWith`) has no OB 3.0 equivalent",
        ),
        (
            "revocationList",
            "OB 3.0 status needs a new `credentialStatus` list (1EdTechRevocationList or BitstringStatusList)",
        ),
        (
            "endorsement",
            "OB 2.0 endorsements are not EndorsementCredentials; the endorser must issue them again",
        ),
    ] {
        if i.contains_key(key) {
            notes.push(
                NoteKind::NotCarried,
                Source::Issuer,
                &pointer_join("", key),
                format!("`{key}` is not carried over: {why}"),
            );
        }
    }
    notes.rest(
        i,
        &[
            "@context",
            "type",
            "id",
            "name",
            "url",
            "email",
            "description",
            "telephone",
            "image",
            "publicKey",
            "verification",
            "revocationList",
            "endorsement",
        ],
        Source::Issuer,
        "",
    );
    match b.build() {
        Ok(p) => Some(p),
        Err(e) => {
            notes.push(
                NoteKind::Blocking,
                Source::Issuer,
                "",
                format!("the issuer cannot be converted: {e}"),
            );
            None
        }
    }
}

fn convert_badge_class(
    b: &Map<String, Value>,
    creator: Option<Profile>,
    notes: &mut Notes,
) -> Option<Achievement> {
    let mut blocked = false;
    let mut required = |key: &str, notes: &mut Notes| -> Option<String> {
        match str_of(b, key).filter(|s| !s.trim().is_empty()) {
            Some(s) => Some(s.to_string()),
            None => {
                notes.push(
                    NoteKind::Blocking,
                    Source::BadgeClass,
                    &pointer_join("", key),
                    format!("the badge class has no `{key}` (required for an OB 3.0 Achievement)"),
                );
                blocked = true;
                None
            }
        }
    };
    let name = required("name", notes);
    let description = required("description", notes);
    let original_id = str_of(b, "id").filter(|s| is_absolute_iri(s));
    if original_id.is_none() {
        notes.push(
            NoteKind::Blocking,
            Source::BadgeClass,
            "/id",
            "the badge class has no absolute IRI `id`",
        );
        blocked = true;
    }
    let criteria = match b.get("criteria") {
        Some(Value::String(s)) if is_absolute_iri(s) => Some(Criteria {
            id: Some(Iri::new_unchecked(s.clone())),
            ..Criteria::default()
        }),
        Some(Value::Object(o)) => {
            let c = Criteria {
                id: str_of(o, "id")
                    .filter(|s| is_absolute_iri(s))
                    .map(Iri::new_unchecked),
                narrative: str_of(o, "narrative").map(str::to_string),
                extra: Extra::new(),
            };
            notes.rest(
                o,
                &["id", "type", "narrative"],
                Source::BadgeClass,
                "/criteria",
            );
            (c.id.is_some() || c.narrative.is_some()).then_some(c)
        }
        _ => None,
    };
    if criteria.is_none() {
        notes.push(
            NoteKind::Blocking,
            Source::BadgeClass,
            "/criteria",
            "the badge class has no usable `criteria` (an IRI, or an object with `id` or `narrative`)",
        );
        blocked = true;
    }
    let image = b
        .get("image")
        .and_then(|v| convert_image(v, Source::BadgeClass, "/image", notes));
    let mut alignment = Vec::new();
    for (idx, al) in match b.get("alignment") {
        Some(Value::Array(v)) => v.iter().collect::<Vec<_>>(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
    .into_iter()
    .enumerate()
    {
        let path = format!("/alignment/{idx}");
        let Some(o) = al.as_object() else {
            notes.push(
                NoteKind::NotCarried,
                Source::BadgeClass,
                &path,
                "the alignment is not an object and is not carried over",
            );
            continue;
        };
        match (str_of(o, "targetName"), str_of(o, "targetUrl")) {
            (Some(n), Some(u)) if is_absolute_iri(u) => {
                alignment.push(Alignment {
                    types: TypeSet::many(["Alignment"]),
                    target_code: str_of(o, "targetCode").map(str::to_string),
                    target_description: str_of(o, "targetDescription").map(str::to_string),
                    target_name: n.to_string(),
                    target_framework: str_of(o, "targetFramework").map(str::to_string),
                    target_type: None,
                    target_url: Iri::new_unchecked(u),
                    extra: Extra::new(),
                });
                notes.rest(
                    o,
                    &[
                        "type",
                        "targetName",
                        "targetUrl",
                        "targetDescription",
                        "targetFramework",
                        "targetCode",
                    ],
                    Source::BadgeClass,
                    &path,
                );
            }
            _ => notes.push(
                NoteKind::NotCarried,
                Source::BadgeClass,
                &path,
                "the alignment lacks `targetName` or an absolute `targetUrl` and is not carried over",
            ),
        }
    }
    let tags: Vec<String> = match b.get("tags") {
        Some(Value::Array(v)) => v
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    for key in ["endorsement", "related"] {
        if b.contains_key(key) {
            notes.push(
                NoteKind::NotCarried,
                Source::BadgeClass,
                &pointer_join("", key),
                format!("`{key}` is not carried over (OB 2.0 form; re-issue it in OB 3.0 form)"),
            );
        }
    }
    notes.rest(
        b,
        &[
            "@context",
            "@language",
            "type",
            "id",
            "name",
            "description",
            "image",
            "criteria",
            "alignment",
            "tags",
            "issuer",
            "version",
            "endorsement",
            "related",
        ],
        Source::BadgeClass,
        "",
    );
    if blocked {
        return None;
    }
    let original_id = original_id?;
    let id = crate::ob3::name_based_urn_uuid(&format!(
        "openbadges-rs/ob2-to-ob3/badgeclass/{original_id}"
    ));
    notes.push(
        NoteKind::Changed,
        Source::BadgeClass,
        "/id",
        format!(
            "the achievement gets a new id `{id}`; the original badge class is linked as `related`"
        ),
    );
    Some(Achievement {
        id,
        types: TypeSet::many(["Achievement"]),
        alignment: (!alignment.is_empty()).then_some(OneOrMany::Many(alignment)),
        achievement_type: None,
        creator: creator.map(|p| IdOrObject::Object(Box::new(p))),
        credits_available: None,
        criteria: criteria?,
        description: description?,
        endorsement: None,
        endorsement_jwt: None,
        field_of_study: None,
        human_code: None,
        image: image.map(|i| IdOrObject::Object(Box::new(i))),
        in_language: str_of(b, "@language").map(str::to_string),
        name: name?,
        other_identifier: None,
        related: Some(OneOrMany::Many(vec![Related {
            id: Iri::new_unchecked(original_id),
            types: TypeSet::many(["Related", OB2_BADGECLASS_TYPE]),
            in_language: None,
            version: Some("Open Badges v2p0".to_string()),
            extra: Extra::new(),
        }])),
        result_description: None,
        specialization: None,
        tag: (!tags.is_empty()).then_some(OneOrMany::Many(tags)),
        version: str_of(b, "version").map(str::to_string),
        extra: Extra::new(),
    })
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
