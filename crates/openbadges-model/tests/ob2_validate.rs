//! OB 2.0 validation: every problem at once, with stable codes and JSON pointers; builders
//! refuse invalid objects; typed errors carry the pointer of the offending node.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_model::ob2::{
    self, Assertion, BadgeClass, IdentityObject, Profile, RevocationList, VerificationObject,
};
use openbadges_model::{DateTime, Error, ProblemCode, Salt};
use serde_json::json;

fn codes(doc: &serde_json::Value) -> Vec<(ProblemCode, String, bool)> {
    ob2::validate(doc, None)
        .into_iter()
        .map(|p| (p.code, p.path.clone(), p.is_error()))
        .collect()
}

#[test]
fn every_problem_is_reported_at_once() {
    let doc = json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "not an iri",
        "recipient": {"type": "email", "hashed": "false", "identity": "nope"},
        "badge": {
            "type": "BadgeClass", "id": "urn:uuid:8b4efa06-41bc-4f53-a80d-e3d5e063c936",
            "name": 5, "image": "https://example.org/i.png",
            "criteria": {}, "issuer": {"type": "Issuer", "id": "https://example.org/i", "name": "I",
                                       "url": "ftp://example.org", "email": "x@example.org"},
            "alignment": {"targetName": "A"}, "tags": ["a", 1]
        },
        "verification": {"type": "implicit"},
        "issuedOn": "2016-12-31",
        "evidence": [1]
    });
    let found = codes(&doc);
    let expect = [
        (ProblemCode::InvalidIri, "/id"),
        (ProblemCode::WrongType, "/recipient/hashed"),
        (ProblemCode::WrongType, "/badge/name"),
        (ProblemCode::MissingProperty, "/badge/description"),
        (ProblemCode::MissingProperty, "/badge/criteria/narrative"),
        (ProblemCode::InvalidUrl, "/badge/issuer/url"),
        (ProblemCode::MissingProperty, "/badge/alignment/targetUrl"),
        (ProblemCode::WrongType, "/badge/tags/1"),
        (ProblemCode::InvalidType, "/verification/type"),
        (ProblemCode::InvalidDateTime, "/issuedOn"),
        (ProblemCode::WrongType, "/evidence/0"),
    ];
    for (code, path) in expect {
        assert!(
            found.iter().any(|(c, p, e)| *c == code && p == path && *e),
            "{code}@{path} missing from {found:#?}"
        );
    }
    assert_eq!(found.len(), expect.len(), "{found:#?}");
}

#[test]
fn hosted_assertion_needs_a_url_id_and_context_is_checked() {
    let mut doc = json!({
        "type": "Assertion", "id": "urn:uuid:8b4efa06-41bc-4f53-a80d-e3d5e063c936",
        "recipient": {"type": "email", "hashed": false, "identity": "a@example.org"},
        "badge": "https://example.org/b", "verification": {"type": "HostedBadge"},
        "issuedOn": "2016-12-31T23:59:59+00:00"
    });
    let found = codes(&doc);
    assert!(found.contains(&(ProblemCode::InvalidContext, "/@context".into(), true)));
    assert!(found.contains(&(ProblemCode::InvalidUrl, "/id".into(), true)));
    doc["@context"] = json!("https://w3id.org/openbadges/v2");
    doc["verification"] = json!({"type": "SignedBadge"});
    assert!(codes(&doc).is_empty(), "{:#?}", codes(&doc));
}

#[test]
fn revocation_list_entries() {
    let doc = json!({
        "@context": "https://w3id.org/openbadges/v2", "type": "RevocationList",
        "revokedAssertions": ["urn:uuid:1", {"uid": "abc"}, {"revocationReason": "x"}, 3]
    });
    let found = codes(&doc);
    assert_eq!(
        found,
        vec![
            (
                ProblemCode::MissingProperty,
                "/revokedAssertions/2/id".into(),
                true
            ),
            (ProblemCode::WrongType, "/revokedAssertions/3".into(), true),
        ]
    );
    // A single entry written without an array is one entry.
    let single = json!({"@context": "https://w3id.org/openbadges/v2", "type": "RevocationList",
        "revokedAssertions": {"id": "urn:uuid:2", "revocationReason": "r"}});
    assert!(codes(&single).is_empty());
    let list = RevocationList::from_value(&single).unwrap();
    assert_eq!(
        list.find(Some("urn:uuid:2"), None).and_then(|e| e.reason()),
        Some("r")
    );
    let list = RevocationList::from_value(&doc["revokedAssertions"].clone().pipe_list()).unwrap();
    assert!(list.find(None, Some("abc")).is_some());
    assert!(list.find(Some("urn:uuid:1"), None).is_some());
    assert!(list.find(Some("urn:uuid:9"), None).is_none());
}

trait PipeList {
    fn pipe_list(self) -> serde_json::Value;
}
impl PipeList for serde_json::Value {
    fn pipe_list(self) -> serde_json::Value {
        let mut items = self.as_array().unwrap().clone();
        items.truncate(2);
        json!({"type": "RevocationList", "revokedAssertions": items})
    }
}

#[test]
fn typed_errors_carry_the_pointer() {
    let doc = json!({"type": "Assertion", "recipient": {"type": "email", "hashed": "yes"}});
    match Assertion::from_value(&doc) {
        Err(Error::Shape { path, .. }) => assert_eq!(path, "/recipient/hashed"),
        other => panic!("{other:?}"),
    }
    let doc = json!({"type": "BadgeClass", "tags": ["a", {"b": 1}]});
    match BadgeClass::from_value(&doc) {
        Err(Error::Shape { path, .. }) => assert_eq!(path, "/tags"),
        other => panic!("{other:?}"),
    }
    assert!(matches!("{".parse::<Profile>(), Err(Error::Json { .. })));
}

#[test]
fn builders_refuse_invalid_objects() {
    let ok = || {
        Assertion::builder()
            .id("https://example.org/a/1")
            .recipient(IdentityObject::hashed(
                "email",
                "a@example.org",
                Salt::new("s"),
            ))
            .badge_iri("https://example.org/b")
            .verification(VerificationObject::hosted())
            .issued_on(DateTime::new("2024-01-01T00:00:00Z"))
    };
    let a = ok().build().unwrap();
    assert!(ob2::validate(&a.to_value().unwrap(), None).is_empty());
    assert!(a.recipient.as_ref().unwrap().matches("a@example.org"));
    assert!(!a.recipient.as_ref().unwrap().matches("b@example.org"));
    assert!(matches!(
        ok().issued_on(DateTime::new("2024-01-01")).build(),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        ok().id("relative/path").build(),
        Err(Error::InvalidValue { property: "id", .. })
    ));
    assert!(
        matches!(
            ok().id("urn:uuid:8b4efa06-41bc-4f53-a80d-e3d5e063c936")
                .build(),
            Err(Error::InvalidValue { .. })
        ),
        "a hosted assertion with a urn id cannot be verified"
    );
    assert!(matches!(
        Assertion::builder().id("https://example.org/a").build(),
        Err(Error::MissingProperty("recipient"))
    ));
    assert!(matches!(
        BadgeClass::builder()
            .id("https://example.org/b")
            .name("n")
            .build(),
        Err(Error::MissingProperty("description"))
    ));
    let issuer = Profile::builder()
        .id("https://example.org/i")
        .name("I")
        .url("https://example.org")
        .email("i@example.org")
        .public_key("https://example.org/key")
        .build()
        .unwrap();
    let b = BadgeClass::builder()
        .id("https://example.org/b")
        .name("n")
        .description("d")
        .image("https://example.org/b.png")
        .criteria_url("https://example.org/criteria")
        .issuer(issuer)
        .tag("t")
        .build()
        .unwrap();
    let signed = ok()
        .id("urn:uuid:8b4efa06-41bc-4f53-a80d-e3d5e063c936")
        .verification(VerificationObject::signed(None))
        .badge(b)
        .build()
        .unwrap();
    let v = signed.to_value().unwrap();
    assert_eq!(v["badge"]["issuer"]["type"], "Issuer");
    assert_eq!(Assertion::from_value(&v).unwrap(), signed);
}

/// `revoked` and `revokedAssertions` are one IRI (`obi:revoked`) in the v2 context: a list
/// written under `revoked` is the list of revoked assertions.
#[test]
fn revocation_list_writing_its_entries_under_the_revoked_alias_is_valid() {
    let doc = json!({
        "@context": "https://w3id.org/openbadges/v2",
        "id": "https://example.org/revocations",
        "type": "RevocationList",
        "revoked": [{"id": "urn:uuid:1", "revocationReason": "r"}]
    });
    let errors: Vec<_> = codes(&doc).into_iter().filter(|c| c.2).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

/// The v1 context maps `IssuerOrg` to the same class IRI as `Issuer`.
#[test]
fn v1_issuer_org_type_is_detected_as_an_issuer_profile() {
    let d = openbadges_model::detect(&json!({
        "@context": "https://w3id.org/openbadges/v1",
        "type": "IssuerOrg",
        "id": "https://example.org/issuer",
        "name": "Example"
    }));
    assert_eq!(d.class, Some(openbadges_model::Class::Profile));
}
