//! The achievement: an OB 2.0 BadgeClass carried into an OB 3.0 Achievement, the original linked
//! as a related achievement.

use serde_json::{Map, Value};

use super::{NoteKind, Notes, Source, convert_image, str_of};
use crate::ob3::{Achievement, Alignment, Criteria, Extra, Profile, Related, TypeSet};
use crate::value::is_absolute_iri;
use crate::{IdOrObject, Iri, OneOrMany, pointer_join};

/// The type the original badge class is linked with (as a related achievement).
const OB2_BADGECLASS_TYPE: &str = "https://w3id.org/openbadges#BadgeClass";

/// The BadgeClass properties the conversion handles; any other is noted as not carried.
const HANDLED: &[&str] = &[
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
];

/// The badge class as an OB 3.0 Achievement created by `creator`; `None` when a required
/// property (`id`, `name`, `description`, `criteria`) is missing (each noted as blocking).
pub(super) fn convert_badge_class(
    b: &Map<String, Value>,
    creator: Option<Profile>,
    notes: &mut Notes,
) -> Option<Achievement> {
    let name = required(b, "name", notes);
    let description = required(b, "description", notes);
    let original_id = original_id(b, notes);
    let criteria = criteria(b, notes);
    let image = b
        .get("image")
        .and_then(|v| convert_image(v, Source::BadgeClass, "/image", notes));
    let alignment = alignments(b, notes);
    let tags = tags(b);
    note_not_carried(b, notes);
    let (name, description, original_id, criteria) = (name?, description?, original_id?, criteria?);
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
        criteria,
        description,
        endorsement: None,
        endorsement_jwt: None,
        field_of_study: None,
        human_code: None,
        image: image.map(|i| IdOrObject::Object(Box::new(i))),
        in_language: str_of(b, "@language").map(str::to_string),
        name,
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

/// A required, non-blank text property; its absence is blocking.
fn required(b: &Map<String, Value>, key: &str, notes: &mut Notes) -> Option<String> {
    match str_of(b, key).filter(|s| !s.trim().is_empty()) {
        Some(s) => Some(s.to_string()),
        None => {
            notes.push(
                NoteKind::Blocking,
                Source::BadgeClass,
                &pointer_join("", key),
                format!("the badge class has no `{key}` (required for an OB 3.0 Achievement)"),
            );
            None
        }
    }
}

/// The badge class's absolute IRI `id` (linked as `related`); its absence is blocking.
fn original_id<'a>(b: &'a Map<String, Value>, notes: &mut Notes) -> Option<&'a str> {
    let id = str_of(b, "id").filter(|s| is_absolute_iri(s));
    if id.is_none() {
        notes.push(
            NoteKind::Blocking,
            Source::BadgeClass,
            "/id",
            "the badge class has no absolute IRI `id`",
        );
    }
    id
}

/// `criteria`: an IRI, or an object with an `id` or a `narrative`; anything else is blocking.
fn criteria(b: &Map<String, Value>, notes: &mut Notes) -> Option<Criteria> {
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
    }
    criteria
}

/// The alignments that have a `targetName` and an absolute `targetUrl`; the others are noted.
fn alignments(b: &Map<String, Value>, notes: &mut Notes) -> Vec<Alignment> {
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
    alignment
}

/// `tags`: one string or an array of strings (non-strings are skipped).
fn tags(b: &Map<String, Value>) -> Vec<String> {
    match b.get("tags") {
        Some(Value::Array(v)) => v
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Notes `endorsement` and `related` (OB 2.0 forms) and every property not handled.
fn note_not_carried(b: &Map<String, Value>, notes: &mut Notes) {
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
    notes.rest(b, HANDLED, Source::BadgeClass, "");
}
