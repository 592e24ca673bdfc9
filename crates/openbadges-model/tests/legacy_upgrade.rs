//! Legacy (0.5, 1.0, 1.1) upgrade rules, one test per rule, plus the Mozilla validator's
//! good/bad value tables (fixtures/ob2/upstream/mozvalidator-test-data.json) run through the
//! field checks that correspond to them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_model::legacy::{upgrade, upgrade_datetime, upgrade_from};
use openbadges_model::ob2::{is_email, is_iso_datetime_with_zone, is_url};
use openbadges_model::{Class, IdentityHash, ProblemCode, Version, detect, inspect};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

#[test]
fn v1_0_badge_class_takes_its_source_url_and_renames_alignment() {
    let bc = json!({
        "name": "Basic Badge", "description": "d", "image": "http://a.com/i",
        "criteria": "http://a.com/c", "issuer": "http://a.com/issuer",
        "alignment": [{"name": "T1", "url": "http://example.org/t1", "description": "D1"},
                      {"name": "T2", "url": "http://example.org/t2", "targetName": "kept"}]
    });
    let d = detect(&bc);
    assert_eq!(
        (d.version, d.class.clone()),
        (Some(Version::V1_0), Some(Class::BadgeClass))
    );
    let (up, problems) = upgrade_from(
        &bc,
        Version::V1_0,
        d.class.as_ref(),
        Some("http://a.com/badgeclass"),
    );
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(up["id"], "http://a.com/badgeclass");
    assert_eq!(up["type"], "BadgeClass");
    assert_eq!(
        up["alignment"][0],
        json!({"targetName": "T1", "targetUrl": "http://example.org/t1", "targetDescription": "D1"})
    );
    // An existing target term wins; the old term is then left alone.
    assert_eq!(up["alignment"][1]["targetName"], "kept");
    assert_eq!(up["alignment"][1]["name"], "T2");
    assert!(
        openbadges_model::ob2::validate(&up, None)
            .iter()
            .all(|p| !p.is_error())
    );

    // Without a source the id is reported (a warning), not invented.
    let (up, problems) = upgrade(&bc, Version::V1_0, d.class.as_ref());
    assert!(up.get("id").is_none());
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (problems[0].code, problems[0].path.as_str()),
        (ProblemCode::MissingProperty, "/id")
    );
    assert!(!problems[0].is_error());
}

#[test]
fn v1_0_signed_assertion_id_comes_from_uid() {
    let a = json!({
        "uid": "abc", "recipient": {"type": "email", "hashed": "TRUE", "identity": "sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862", "salt": "deadsea"},
        "badge": "http://a.com/b", "verify": {"type": "signed", "url": "http://a.com/key.pem"},
        "issuedOn": "1500423730"
    });
    let (up, problems) = upgrade(&a, Version::V1_0, Some(&Class::Assertion));
    assert!(problems.is_empty());
    assert_eq!(up["id"], "uid:abc");
    assert_eq!(up["recipient"]["hashed"], true);
    assert_eq!(up["issuedOn"], "2017-07-19T00:22:10Z");
    assert!(up.get("verify").is_none());
    assert_eq!(up["verification"]["type"], "signed");
    assert!(inspect(&a).valid_structure(), "{:#?}", inspect(&a).problems);
}

#[test]
fn v0_5_issuer_terms_and_org() {
    let a = json!({
        "recipient": "sha256$a4a934a0bfc882a34a3e71650e40789453b2db9799a51a2d084a64caadd72397",
        "salt": "2e2bad0df9e11272ffbcee86e4c7edd4",
        "issued_on": "2017-01-01",
        "badge": {"name": "B", "image": "http://example.org/image", "description": "d",
                  "criteria": "http://example.org/criteria",
                  "issuer": {"origin": "http://example.org", "name": "Test Issuer", "org": "Dept", "contact": "test@example.com"}}
    });
    assert_eq!(detect(&a).version, Some(Version::V0_5));
    let (up, _) = upgrade_from(
        &a,
        Version::V0_5,
        Some(&Class::Assertion),
        Some("http://example.org/assertion"),
    );
    assert_eq!(up["id"], "http://example.org/assertion");
    assert_eq!(up["issuedOn"], "2017-01-01T00:00:00Z");
    assert!(up.get("issued_on").is_none() && up.get("salt").is_none());
    assert_eq!(
        up["recipient"],
        json!({"type": "email", "hashed": true, "salt": "2e2bad0df9e11272ffbcee86e4c7edd4",
               "identity": "sha256$a4a934a0bfc882a34a3e71650e40789453b2db9799a51a2d084a64caadd72397"})
    );
    assert_eq!(up["verification"], json!({"type": "HostedBadge"}));
    let issuer = &up["badge"]["issuer"];
    assert_eq!(issuer["type"], "Profile");
    assert_eq!(issuer["url"], "http://example.org");
    assert_eq!(issuer["email"], "test@example.com");
    assert_eq!(issuer["name"], "Test Issuer: Dept");
    assert!(issuer.get("org").is_none() && issuer.get("origin").is_none());
    let problems =
        openbadges_model::legacy::validate_upgraded(&up, Version::V0_5, Some(&Class::Assertion));
    assert!(problems.iter().all(|p| !p.is_error()), "{problems:#?}");
}

#[test]
fn v1_1_context_swapped_and_dates_upgraded() {
    let a = json!({
        "@context": ["https://w3id.org/openbadges/v1", {"foo": "http://example.org/foo"}],
        "type": "Assertion", "id": "https://example.org/a",
        "recipient": {"type": "email", "hashed": false, "identity": "a@example.org"},
        "badge": "https://example.org/b", "verify": {"type": "hosted", "url": "https://example.org/a"},
        "issuedOn": "2016-05-15", "expires": 1500423730, "foo": "bar"
    });
    let (up, problems) = upgrade(&a, Version::V1_1, Some(&Class::Assertion));
    assert!(problems.is_empty());
    assert_eq!(
        up["@context"],
        json!(["https://w3id.org/openbadges/v2", {"foo": "http://example.org/foo"}])
    );
    assert_eq!(up["issuedOn"], "2016-05-15T00:00:00Z");
    assert_eq!(up["expires"], "2017-07-19T00:22:10Z");
    assert_eq!(up["foo"], "bar");
    assert!(inspect(&a).valid_structure());
}

#[test]
fn uninterpretable_legacy_date_is_reported_at_its_path() {
    let a = json!({
        "uid": "1", "recipient": {"type": "email", "hashed": false, "identity": "a@example.org"},
        "badge": "http://a.com/b", "verify": {"type": "hosted", "url": "http://a.com/a"},
        "issuedOn": "foreever ago"
    });
    let r = inspect(&a);
    assert!(!r.valid_structure());
    assert!(
        r.problems
            .iter()
            .any(|p| p.code == ProblemCode::InvalidDateTime && p.path == "/issuedOn")
    );
}

#[test]
fn non_object_and_unknown_legacy_documents() {
    let (v, p) = upgrade(&json!([1, 2]), Version::V1_0, None);
    assert_eq!(v, json!([1, 2]));
    assert_eq!(p[0].code, ProblemCode::WrongType);
    let (_, p) = upgrade(&json!({"x": 1}), Version::V1_0, None);
    assert_eq!(p[0].code, ProblemCode::UnknownDocument);
}

fn table(name: &str) -> (Vec<Value>, Vec<Value>) {
    let text = std::fs::read_to_string(format!(
        "{FIXTURES}/ob2/upstream/mozvalidator-test-data.json"
    ))
    .unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let t = &all[name];
    (
        t["good"].as_array().unwrap().clone(),
        t["bad"].as_array().unwrap().clone(),
    )
}

#[test]
fn mozvalidator_emails() {
    let (good, bad) = table("EMAILS");
    for g in good {
        assert!(is_email(g.as_str().unwrap()), "{g}");
    }
    for b in bad {
        assert!(!is_email(b.as_str().unwrap()), "{b}");
    }
}

#[test]
fn mozvalidator_absolute_urls() {
    let (good, bad) = table("ABSOLUTE_URLS");
    for g in good {
        assert!(is_url(g.as_str().unwrap()), "{g}");
    }
    for b in bad {
        assert!(!is_url(b.as_str().unwrap()), "{b}");
    }
    // The relative URLs the 1.0 validator accepted are not URLs in 2.0.
    let (good, _) = table("URLS");
    assert!(!is_url(good[2].as_str().unwrap()));
}

#[test]
fn mozvalidator_hashes() {
    let (good, bad) = table("HASHES");
    // 2.0 allows only sha256 and md5: the 1.0 table's sha1 entry is rejected on purpose.
    assert!(good[0].as_str().unwrap().starts_with("sha1$"));
    assert!(good[0].as_str().unwrap().parse::<IdentityHash>().is_err());
    assert!(good[1].as_str().unwrap().parse::<IdentityHash>().is_ok());
    for b in bad {
        assert!(b.as_str().unwrap().parse::<IdentityHash>().is_err(), "{b}");
    }
}

#[test]
fn mozvalidator_times_upgrade_or_not() {
    let (good, bad) = table("TIMES");
    for g in good {
        let up = upgrade_datetime(&g).unwrap_or_else(|| panic!("{g} should upgrade"));
        assert!(is_iso_datetime_with_zone(&up), "{up}");
    }
    for b in bad {
        // "000000000000000000000" is Unix 0 to a lenient reader; everything else is unreadable.
        if b == "000000000000000000000" {
            continue;
        }
        assert_eq!(upgrade_datetime(&b), None, "{b}");
    }
}

#[test]
fn mozvalidator_iso8601_with_zone() {
    let (good, bad) = table("ISO8601");
    // Of the 1.0 table's good values, those with a time and a zone are 2.0 date-times.
    // Decimal fractions of a minute (`15:18.000`) are ISO 8601 but not supported: no badge in
    // the wild writes them, and RFC 3339 does not allow them.
    for g in good
        .iter()
        .filter_map(Value::as_str)
        .filter(|g| !g.contains(".000"))
    {
        let has_zone = g.ends_with('Z') || g.contains("-0500");
        assert_eq!(is_iso_datetime_with_zone(g), has_zone, "{g}");
    }
    for b in bad.iter().filter_map(Value::as_str) {
        assert!(!is_iso_datetime_with_zone(b), "{b}");
    }
}
