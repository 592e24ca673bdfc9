//! Property tests for the OB 3.0 model: generated credentials (optional fields, one-or-many
//! shapes, issuer IRI or object, extension properties) round-trip losslessly, and built
//! credentials always validate.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_model::ob3::{
    self, AchievementBuilder, ClrCredential, CredentialBuilder, EmbeddedCredential,
    EndorsementCredential, IdentityObject, OpenBadgeCredential, ProfileBuilder,
};
use openbadges_model::{DateTime, Iri, Salt};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 ._-]{1,24}".prop_filter("non-blank", |s| !s.trim().is_empty())
}

fn iri() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,12}".prop_map(|s| format!("https://example.org/{s}")),
        "[a-f0-9]{8}".prop_map(|s| format!("urn:uuid:{s}-0000-4000-8000-000000000000")),
        "[a-zA-Z0-9]{8,16}".prop_map(|s| format!("did:example:{s}")),
    ]
}

fn datetime() -> impl Strategy<Value = String> {
    (
        2000u32..2040,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        prop_oneof![
            Just("Z".to_string()),
            Just("+02:00".to_string()),
            Just("-05:30".to_string())
        ],
    )
        .prop_map(|(y, mo, d, h, mi, z)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{z}"))
}

/// A JSON value for an extension property (finite numbers that survive text exactly).
fn ext_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1000i32..1000).prop_map(|n| json!(f64::from(n) / 4.0)),
        text().prop_map(Value::String),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Zero to two extension properties (`x-…` keys never clash with model properties).
fn extensions() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(("x-[a-z]{1,8}", ext_value()), 0..3)
}

/// `"T"` or `["T", …]`.
fn type_of(name: &'static str) -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(name)),
        Just(json!([name])),
        Just(json!([name, "x:Other"])),
    ]
}

/// One value or an array of one to three.
fn one_or_many(item: BoxedStrategy<Value>) -> impl Strategy<Value = Value> {
    prop_oneof![
        item.clone(),
        prop::collection::vec(item, 1..4).prop_map(Value::Array),
    ]
}

fn put(map: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        map.insert(key.to_string(), v);
    }
}

fn with_ext(mut v: Value, ext: Vec<(String, Value)>) -> Value {
    let m = v.as_object_mut().unwrap();
    for (k, x) in ext {
        m.insert(k, x);
    }
    v
}

fn profile() -> impl Strategy<Value = Value> {
    (
        iri(),
        type_of("Profile"),
        proptest::option::of(text()),
        proptest::option::of(iri()),
        extensions(),
    )
        .prop_map(|(id, t, name, url, ext)| {
            let mut m = Map::new();
            m.insert("id".into(), json!(id));
            m.insert("type".into(), t);
            put(&mut m, "name", name.map(Value::String));
            put(&mut m, "url", url.map(Value::String));
            with_ext(Value::Object(m), ext)
        })
}

fn identity_object() -> impl Strategy<Value = Value> {
    (text(), text(), any::<bool>()).prop_map(|(who, salt, hashed)| {
        let obj = if hashed {
            IdentityObject::hashed_with_salt("emailAddress", &who, Salt::new(salt))
        } else {
            IdentityObject::plain("emailAddress", &who)
        };
        ob3::to_value(&obj).unwrap()
    })
}

fn achievement() -> impl Strategy<Value = Value> {
    (
        iri(),
        type_of("Achievement"),
        text(),
        text(),
        text(),
        proptest::option::of(one_or_many(text().prop_map(Value::String).boxed())),
        proptest::option::of(prop_oneof![
            (0u32..200).prop_map(|n| json!(n)),
            (0u32..200).prop_map(|n| json!(f64::from(n) / 2.0)),
        ]),
        proptest::option::of(profile()),
        extensions(),
    )
        .prop_map(
            |(id, t, name, desc, narrative, tag, credits, creator, ext)| {
                let mut m = Map::new();
                m.insert("id".into(), json!(id));
                m.insert("type".into(), t);
                m.insert("name".into(), json!(name));
                m.insert("description".into(), json!(desc));
                m.insert("criteria".into(), json!({ "narrative": narrative }));
                put(&mut m, "tag", tag);
                put(&mut m, "creditsAvailable", credits);
                put(&mut m, "creator", creator);
                with_ext(Value::Object(m), ext)
            },
        )
}

fn evidence() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(iri()),
        type_of("Evidence"),
        proptest::option::of(text()),
    )
        .prop_map(|(id, t, name)| {
            let mut m = Map::new();
            put(&mut m, "id", id.map(Value::String));
            m.insert("type".into(), t);
            put(&mut m, "name", name.map(Value::String));
            Value::Object(m)
        })
}

fn subject() -> impl Strategy<Value = Value> {
    (
        type_of("AchievementSubject"),
        proptest::option::of(iri()),
        proptest::option::of(one_or_many(identity_object().boxed())),
        achievement(),
        proptest::option::of(one_or_many(
            (type_of("Result"), text())
                .prop_map(|(t, v)| json!({"type": t, "value": v}))
                .boxed(),
        )),
        extensions(),
    )
        .prop_map(|(t, id, identifier, ach, result, ext)| {
            let mut m = Map::new();
            m.insert("type".into(), t);
            // The subject needs an id or an identifier.
            let id = if id.is_none() && identifier.is_none() {
                Some("did:example:subject".to_string())
            } else {
                id
            };
            put(&mut m, "id", id.map(Value::String));
            put(&mut m, "identifier", identifier);
            m.insert("achievement".into(), ach);
            put(&mut m, "result", result);
            with_ext(Value::Object(m), ext)
        })
}

/// A structurally valid OpenBadgeCredential, VC 2.0 or 1.1 shape.
fn credential() -> impl Strategy<Value = Value> {
    (
        iri(),
        prop_oneof![
            Just(json!(["VerifiableCredential", "OpenBadgeCredential"])),
            Just(json!(["OpenBadgeCredential", "VerifiableCredential"])),
            Just(json!(["VerifiableCredential", "AchievementCredential"])),
        ],
        prop_oneof![iri().prop_map(Value::String), profile()],
        datetime(),
        any::<bool>(),
        proptest::option::of(text()),
        subject(),
        proptest::option::of(one_or_many(evidence().boxed())),
        extensions(),
    )
        .prop_map(|(id, t, issuer, from, v1, name, subject, ev, ext)| {
            let mut m = Map::new();
            let vc = if v1 {
                "https://www.w3.org/2018/credentials/v1"
            } else {
                "https://www.w3.org/ns/credentials/v2"
            };
            m.insert(
                "@context".into(),
                json!([
                    vc,
                    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
                ]),
            );
            m.insert("id".into(), json!(id));
            m.insert("type".into(), t);
            m.insert("issuer".into(), issuer);
            let date_key = if v1 { "issuanceDate" } else { "validFrom" };
            m.insert(date_key.into(), json!(from));
            put(&mut m, "name", name.map(Value::String));
            m.insert("credentialSubject".into(), subject);
            put(&mut m, "evidence", ev);
            with_ext(Value::Object(m), ext)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// JSON → typed → JSON is the identity, and typed → text → typed is too.
    #[test]
    fn credential_round_trips(doc in credential()) {
        let cred: OpenBadgeCredential = ob3::from_value(&doc).unwrap();
        let back = ob3::to_value(&cred).unwrap();
        prop_assert_eq!(&back, &doc);
        let text = serde_json::to_string(&cred).unwrap();
        let again: OpenBadgeCredential = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&again, &cred);
        prop_assert_eq!(ob3::to_value(&again).unwrap(), doc);
    }

    /// The generated credentials are structurally valid (the generator is honest).
    #[test]
    fn generated_credentials_validate(doc in credential()) {
        let errors: Vec<_> = ob3::validate(&doc, None).into_iter().filter(|p| p.is_error()).collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }

    /// An endorsement embedded in a generated credential round-trips too.
    #[test]
    fn endorsement_round_trips(issuer in profile(), subject_id in iri(), from in datetime(),
                               comment in proptest::option::of(text()), ext in extensions()) {
        let mut subject = json!({"id": subject_id, "type": ["EndorsementSubject"]});
        if let Some(c) = comment { subject["endorsementComment"] = json!(c); }
        let doc = with_ext(json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:00000000-0000-4000-8000-000000000001",
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": "Endorsement",
            "issuer": issuer,
            "validFrom": from,
            "credentialSubject": subject,
        }), ext);
        let e: EndorsementCredential = ob3::from_value(&doc).unwrap();
        prop_assert_eq!(ob3::to_value(&e).unwrap(), doc.clone());
        let errors: Vec<_> = ob3::validate(&doc, None).into_iter().filter(|p| p.is_error()).collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }

    /// A CLR bundling generated credentials (one or many, plus associations) round-trips,
    /// reads every bundled credential as an OpenBadgeCredential, and validates.
    #[test]
    fn clr_round_trips(
        vcs in one_or_many(credential().boxed()),
        issuer in prop_oneof![iri().prop_map(Value::String), profile()],
        from in datetime(),
        assoc in proptest::option::of(one_or_many(
            (iri(), iri()).prop_map(|(a, b)| json!({
                "type": "Association", "associationType": "isParentOf",
                "sourceId": a, "targetId": b
            })).boxed(),
        )),
        ext in extensions(),
    ) {
        let mut subject = json!({
            "id": "did:example:learner", "type": ["ClrSubject"], "verifiableCredential": vcs
        });
        if let Some(a) = assoc { subject["association"] = a; }
        let doc = with_ext(json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:00000000-0000-4000-8000-00000000c1a5",
            "type": ["VerifiableCredential", "ClrCredential"],
            "name": "Record",
            "issuer": issuer,
            "validFrom": from,
            "credentialSubject": subject,
        }), ext);
        let clr: ClrCredential = ob3::from_value(&doc).unwrap();
        prop_assert!(clr.credential_subject.verifiable_credential.iter()
            .all(|c| matches!(c, EmbeddedCredential::OpenBadge(_))));
        prop_assert_eq!(ob3::to_value(&clr).unwrap(), doc.clone());
        let errors: Vec<_> = ob3::validate(&doc, None).into_iter().filter(|p| p.is_error()).collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }

    /// Whatever the builder accepts validates and round-trips; what it refuses, it says why.
    #[test]
    fn built_credentials_validate(
        issuer_id in iri(), issuer_name in proptest::option::of(text()),
        ach_id in iri(), name in text(), desc in text(), narrative in text(),
        recipient in proptest::option::of(iri()), email in proptest::option::of(text()),
        from in datetime(), until in proptest::option::of(datetime()),
        tags in prop::collection::vec(text(), 0..3),
    ) {
        let mut pb = ProfileBuilder::new(Iri::parse(&issuer_id).unwrap());
        if let Some(n) = issuer_name { pb = pb.name(n); }
        let mut ab = AchievementBuilder::new(Iri::parse(&ach_id).unwrap(), name, desc)
            .criteria_narrative(narrative);
        for t in tags { ab = ab.tag(t); }
        let mut cb = CredentialBuilder::new()
            .issuer(pb.build().unwrap())
            .achievement(ab.build().unwrap())
            .valid_from(DateTime::new(from.clone()));
        let has_recipient = recipient.is_some() || email.is_some();
        if let Some(r) = recipient { cb = cb.recipient_id(Iri::parse(&r).unwrap()); }
        if let Some(e) = email {
            cb = cb.recipient_identity(IdentityObject::hashed_with_salt("emailAddress", &e, Salt::new("s")));
        }
        let until_before = until.as_ref().is_some_and(|u| {
            DateTime::new(u.clone()).parse().unwrap() < DateTime::new(from.clone()).parse().unwrap()
        });
        if let Some(u) = until { cb = cb.valid_until(DateTime::new(u)); }
        match cb.build() {
            Ok(cred) => {
                prop_assert!(has_recipient && !until_before);
                let v = ob3::to_value(&cred).unwrap();
                let errors: Vec<_> = ob3::validate(&v, None).into_iter().filter(|p| p.is_error()).collect();
                prop_assert!(errors.is_empty(), "{:?}", errors);
                let back: OpenBadgeCredential = ob3::from_value(&v).unwrap();
                prop_assert_eq!(back, cred);
            }
            Err(e) => prop_assert!(!has_recipient || until_before, "refused: {}", e),
        }
    }
}
