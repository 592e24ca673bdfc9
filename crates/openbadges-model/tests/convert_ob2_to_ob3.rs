//! OB 2.0 → OB 3.0 conversion on the 2.0 fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_model::convert::{Conversion, NoteKind, Source, ob2_to_ob3};
use openbadges_model::ob3::{self, OpenBadgeCredential};
use openbadges_model::{Class, Limits, Version, detect, parse_json};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

fn load(rel: &str) -> Value {
    let bytes = std::fs::read(format!("{FIXTURES}/{rel}")).unwrap();
    parse_json(&bytes, &Limits::default()).unwrap()
}

/// Checks what every conversion must satisfy: a produced credential validates with no error,
/// is detected as an OB 3.0 OpenBadgeCredential, round-trips through the typed model, and every
/// note points at a node that exists in its source document.
fn check(conv: &Conversion, assertion: &Value, badge: &Value, issuer: &Value) {
    for n in &conv.notes {
        let doc = match n.source {
            Source::Assertion => assertion,
            Source::BadgeClass => badge,
            Source::Issuer => issuer,
        };
        // A note points at the property it is about; a blocking note about a missing property
        // points where it should have been (its parent exists).
        let parent = n.path.rsplit_once('/').map_or("", |(p, _)| p);
        assert!(
            doc.pointer(&n.path).is_some()
                || (n.kind == NoteKind::Blocking && doc.pointer(parent).is_some()),
            "note points nowhere: {n:?}"
        );
    }
    if let Some(cred) = &conv.credential {
        let v = ob3::to_value(cred).unwrap();
        let errors: Vec<_> = ob3::validate(&v, None)
            .into_iter()
            .filter(|p| p.is_error())
            .collect();
        assert!(
            errors.is_empty(),
            "converted credential invalid: {errors:?}\n{v:#}"
        );
        let d = detect(&v);
        assert_eq!(d.version, Some(Version::V3_0));
        assert_eq!(d.class, Some(Class::OpenBadgeCredential));
        let back: OpenBadgeCredential = ob3::from_value(&v).unwrap();
        assert_eq!(&back, cred);
        assert_eq!(ob3::to_value(&back).unwrap(), v);
        assert!(
            conv.notes.iter().all(|n| n.kind != NoteKind::Blocking),
            "a credential with blocking notes: {:?}",
            conv.notes
        );
    } else {
        assert!(conv.notes.iter().any(|n| n.kind == NoteKind::Blocking));
    }
}

fn has_note(conv: &Conversion, kind: NoteKind, source: Source, path: &str) -> bool {
    conv.notes
        .iter()
        .any(|n| n.kind == kind && n.source == source && n.path == path)
}

#[test]
fn vcore_2_0_basic() {
    let a = load("ob2/upstream/vcore-2_0_basic_assertion.json");
    let b = load("ob2/upstream/vcore-2_0_basic_badgeclass.json");
    let i = load("ob2/upstream/vcore-2_0_basic_issuer.json");
    let conv = ob2_to_ob3(&a, &b, &i);
    check(&conv, &a, &b, &i);
    let cred = conv.credential.as_ref().expect("converted");

    assert_eq!(cred.name.as_deref(), Some("Awesome Robotics Badge"));
    assert_eq!(
        cred.issuer_id().as_str(),
        "https://example.org/organization.json"
    );
    assert_eq!(
        cred.valid_from.as_ref().unwrap().as_str(),
        "2016-12-31T23:59:59Z"
    );
    assert!(cred.id.as_ref().unwrap().as_str().starts_with("urn:uuid:"));

    let ach = &cred.credential_subject.achievement;
    assert_eq!(ach.name, "Awesome Robotics Badge");
    assert_eq!(
        ach.criteria.id.as_ref().unwrap().as_str(),
        "https://example.org/robotics-badge.html"
    );
    let related = ach.related.as_ref().unwrap().first().unwrap();
    assert_eq!(
        related.id.as_str(),
        "https://example.org/robotics-badge.json"
    );
    assert!(
        related
            .types
            .contains("https://w3id.org/openbadges#BadgeClass")
    );

    // The hashed email recipient is carried with its salt and still matches.
    let idobj = cred.credential_subject.identifiers().next().unwrap();
    assert_eq!(idobj.identity_type, "emailAddress");
    assert!(idobj.hashed);
    assert!(!idobj.matches("someone-else@example.org"));

    // Evidence: the original assertion, then the 2.0 evidence URL.
    let ev: Vec<_> = cred.evidence.as_ref().unwrap().iter().collect();
    assert_eq!(ev.len(), 2);
    assert_eq!(
        ev[0].id.as_ref().unwrap().as_str(),
        "https://example.org/beths-robotics-badge.json"
    );
    assert!(
        ev[0]
            .types
            .contains("https://w3id.org/openbadges#Assertion")
    );
    assert_eq!(
        ev[1].id.as_ref().unwrap().as_str(),
        "https://example.org/beths-robot-work.html"
    );

    // Hosted verification is reported, not silently dropped.
    assert!(has_note(
        &conv,
        NoteKind::NotCarried,
        Source::Assertion,
        "/verification"
    ));
    assert!(has_note(&conv, NoteKind::Changed, Source::Assertion, "/id"));
    assert!(has_note(
        &conv,
        NoteKind::Changed,
        Source::BadgeClass,
        "/id"
    ));
}

#[test]
fn served_valid_hosted_badge() {
    let a = load("ob2/served/hosted/valid.json");
    let b = load("ob2/served/badgeclass.json");
    let i = load("ob2/served/issuer.json");
    let conv = ob2_to_ob3(&a, &b, &i);
    check(&conv, &a, &b, &i);
    let cred = conv.credential.as_ref().expect("converted");
    // sha256$7a58… is student@example.org salted with "deadsea".
    let idobj = cred.credential_subject.identifiers().next().unwrap();
    assert!(idobj.matches("student@example.org"));
    assert_eq!(cred.credential_subject.achievement.name, "Badges 101");
    let creator = cred
        .credential_subject
        .achievement
        .creator
        .as_ref()
        .unwrap();
    assert_eq!(
        creator.object().unwrap().id.as_str(),
        "http://127.0.0.1:8765/issuer.json"
    );
    // The key and the revocation list of the 2.0 issuer cannot be carried over.
    assert!(has_note(
        &conv,
        NoteKind::NotCarried,
        Source::Issuer,
        "/publicKey"
    ));
    assert!(has_note(
        &conv,
        NoteKind::NotCarried,
        Source::Issuer,
        "/revocationList"
    ));
    assert!(has_note(
        &conv,
        NoteKind::NotCarried,
        Source::Assertion,
        "/verification"
    ));
}

#[test]
fn served_scenarios() {
    let b = load("ob2/served/badgeclass.json");
    let i = load("ob2/served/issuer.json");
    // (file, converted?, a note expected at this assertion path)
    let cases: &[(&str, bool, &str)] = &[
        ("valid.json", true, "/verification"),
        ("expired.json", true, "/verification"),
        ("future-issued.json", true, "/verification"),
        ("revoked-flag.json", false, "/revoked"),
        ("unix-timestamp.json", false, "/issuedOn"),
        ("missing-issuedOn.json", false, "/issuedOn"),
    ];
    for (file, converted, path) in cases {
        let a = load(&format!("ob2/served/hosted/{file}"));
        let conv = ob2_to_ob3(&a, &b, &i);
        check(&conv, &a, &b, &i);
        assert_eq!(conv.is_converted(), *converted, "{file}: {:?}", conv.notes);
        assert!(
            conv.notes
                .iter()
                .any(|n| n.source == Source::Assertion && n.path == *path),
            "{file}: no note at {path}: {:?}",
            conv.notes
        );
    }
    // An expired 2.0 badge keeps its expiry.
    let a = load("ob2/served/hosted/expired.json");
    let cred = ob2_to_ob3(&a, &b, &i).credential.unwrap();
    assert_eq!(
        cred.valid_until.as_ref().map(|d| d.as_str()),
        a["expires"].as_str()
    );
}

#[test]
fn every_served_assertion_converts_or_says_why() {
    let b = load("ob2/served/badgeclass.json");
    let i = load("ob2/served/issuer.json");
    let dir = format!("{FIXTURES}/ob2/served/hosted");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let Ok(a) = parse_json(&std::fs::read(&p).unwrap(), &Limits::default()) else {
            continue; // malformed.json is not JSON
        };
        let conv = ob2_to_ob3(&a, &b, &i);
        check(&conv, &a, &b, &i);
        n += 1;
    }
    assert!(n >= 10);
}

#[test]
fn deterministic() {
    let a = load("ob2/upstream/vcore-2_0_basic_assertion.json");
    let b = load("ob2/upstream/vcore-2_0_basic_badgeclass.json");
    let i = load("ob2/upstream/vcore-2_0_basic_issuer.json");
    assert_eq!(ob2_to_ob3(&a, &b, &i), ob2_to_ob3(&a, &b, &i));
}

#[test]
fn mismatched_documents_block() {
    let a = load("ob2/upstream/vcore-2_0_basic_assertion.json");
    let b = load("ob2/served/badgeclass.json");
    let i = load("ob2/upstream/vcore-2_0_basic_issuer.json");
    let conv = ob2_to_ob3(&a, &b, &i);
    check(&conv, &a, &b, &i);
    assert!(!conv.is_converted());
    assert!(has_note(
        &conv,
        NoteKind::Blocking,
        Source::Assertion,
        "/badge"
    ));
    assert!(has_note(
        &conv,
        NoteKind::Blocking,
        Source::BadgeClass,
        "/issuer"
    ));
}

#[test]
fn embedded_badge_and_extensions() {
    let a = json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://example.org/a/1",
        "recipient": {"type": "url", "hashed": false, "identity": "https://alice.example.org"},
        "issuedOn": "2024-05-01T00:00:00+02:00",
        "narrative": "Did the work.",
        "evidence": [{"id": "https://example.org/e/1", "narrative": "Essay", "x:grade": "A"}],
        "extensions:ApplyLink": {"url": "https://example.org/apply"},
        "badge": {
            "type": "BadgeClass",
            "id": "https://example.org/b/1",
            "name": "Essay",
            "description": "Wrote an essay.",
            "criteria": {"id": "https://example.org/b/1/criteria", "narrative": "Write it."},
            "image": {"id": "https://example.org/b/1.png", "caption": "Badge", "author": "x"},
            "tags": ["writing"],
            "alignment": [
                {"targetName": "Writing", "targetUrl": "https://example.org/std/w"},
                {"targetName": "No URL"}
            ],
            "issuer": {
                "type": "Profile", "id": "https://example.org/i", "name": "Ex",
                "telephone": "+1 555 0100"
            }
        }
    });
    let conv = ob2_to_ob3(&a, &Value::Null, &Value::Null);
    let b = a["badge"].clone();
    let i = b["issuer"].clone();
    // Notes about the embedded badge point into the badge document.
    check(&conv, &a, &b, &i);
    let cred = conv.credential.as_ref().expect("converted");
    let s = &cred.credential_subject;
    assert_eq!(s.id.as_ref().unwrap().as_str(), "https://alice.example.org");
    assert_eq!(s.narrative.as_deref(), Some("Did the work."));
    assert_eq!(s.achievement.tag.as_ref().unwrap().len(), 1);
    assert_eq!(s.achievement.alignment.as_ref().unwrap().len(), 1);
    let issuer = match &cred.issuer {
        openbadges_model::IdOrObject::Object(p) => p,
        openbadges_model::IdOrObject::Id(_) => panic!("issuer embedded"),
    };
    assert_eq!(issuer.phone.as_deref(), Some("+1 555 0100"));
    for (src, path) in [
        (Source::Assertion, "/extensions:ApplyLink"),
        (Source::Assertion, "/evidence/0/x:grade"),
        (Source::BadgeClass, "/image/author"),
        (Source::BadgeClass, "/alignment/1"),
    ] {
        assert!(has_note(&conv, NoteKind::NotCarried, src, path), "{path}");
    }
    assert!(has_note(
        &conv,
        NoteKind::Changed,
        Source::Assertion,
        "/recipient/type"
    ));
}

/// Legacy badges convert through their 2.0 upgrade: 1.0 / 1.1 → 2.0 (`inspect`) → 3.0.
#[test]
fn legacy_badges_convert_through_their_upgrade() {
    for (v, badge_name, issuer_id) in [
        ("1_0", "Basic Badge", "http://a.com/issuer"),
        (
            "1_1",
            "Awesome Robotics Badge",
            "https://example.org/organization.json",
        ),
    ] {
        let up = |kind: &str| {
            let doc = load(&format!("ob2/upstream/vcore-{v}_basic_{kind}.json"));
            openbadges_model::inspect(&doc)
                .upgraded
                .unwrap_or_else(|| panic!("{v} {kind} upgrades"))
        };
        let (a, mut b, mut i) = (up("assertion"), up("badgeclass"), up("issuer"));
        // A 1.0 badge class and issuer have no `id`: their id is the URL they were fetched
        // from, which the documents that link to them give.
        if b.get("id").is_none() {
            b["id"] = a["badge"].clone();
        }
        if i.get("id").is_none() {
            i["id"] = b["issuer"].clone();
        }
        let conv = ob2_to_ob3(&a, &b, &i);
        check(&conv, &a, &b, &i);
        let cred = conv
            .credential
            .as_ref()
            .unwrap_or_else(|| panic!("{v}: {:?}", conv.notes));
        assert_eq!(cred.credential_subject.achievement.name, badge_name);
        assert_eq!(cred.issuer_id().as_str(), issuer_id);
    }
}

/// Badgr's import file embeds the badge class and an issuer without `id`: an OB 3.0 Profile
/// needs one, so the conversion says so instead of inventing it.
#[test]
fn badgr_embedded_badge_class_without_issuer_id() {
    let a = load("backpack/badgr-import-testfiles/2_0_assertion_embedded_badgeclass.json");
    let conv = ob2_to_ob3(&a, &Value::Null, &Value::Null);
    let b = a["badge"].clone();
    let i = b["issuer"].clone();
    check(&conv, &a, &b, &i);
    assert!(!conv.is_converted());
    assert!(has_note(&conv, NoteKind::Blocking, Source::Issuer, "/id"));
    // The 1.x `verify` property is reported too.
    assert!(has_note(
        &conv,
        NoteKind::NotCarried,
        Source::Assertion,
        "/verify"
    ));
    // Given the issuer's id, it converts.
    let mut i = i;
    i["id"] = json!("http://a.com/issuer");
    let mut b = b;
    b["issuer"] = i.clone();
    let conv = ob2_to_ob3(&a, &b, &i);
    check(&conv, &a, &b, &i);
    assert!(conv.is_converted(), "{:?}", conv.notes);
}
