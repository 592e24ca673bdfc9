//! Property tests: generated OB 2.0 documents (random optional properties, single-or-array and
//! IRI-or-object shapes, extensions) survive parse → serialize → parse unchanged.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_model::ob2::{Assertion, BadgeClass, Document, Profile};
use openbadges_model::{Class, detect};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

fn iri() -> BoxedStrategy<String> {
    prop_oneof![
        "[a-z]{1,8}".prop_map(|s| format!("https://example.org/{s}")),
        "[0-9a-f]{8}".prop_map(|s| format!("urn:uuid:{s}-0000-4000-8000-000000000000")),
    ]
    .boxed()
}

fn text() -> BoxedStrategy<String> {
    "[ -~éü]{0,24}".boxed()
}

/// A value that is sometimes a single item and sometimes an array of them.
fn one_or_many(s: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![
        s.clone(),
        prop::collection::vec(s, 0..3).prop_map(Value::Array),
    ]
    .boxed()
}

fn extension_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1.0e6f64..1.0e6).prop_map(|f| json!(f)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,6}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Optional properties: each is present or not; plus extensions and vendor properties.
fn with_optional(
    required: Vec<(&'static str, Value)>,
    optional: Vec<(&'static str, Option<Value>)>,
    extras: Vec<(String, Value)>,
) -> Value {
    let mut m = Map::new();
    for (k, v) in required {
        m.insert(k.into(), v);
    }
    for (k, v) in optional {
        if let Some(v) = v {
            m.insert(k.into(), v);
        }
    }
    for (k, v) in extras {
        m.entry(k).or_insert(v);
    }
    Value::Object(m)
}

fn extras() -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(
        (
            prop_oneof![
                "[A-Z][a-z]{1,8}".prop_map(|s| format!("extensions:{s}")),
                "[a-z]{1,8}".prop_map(|s| format!("http://example.org/terms#{s}")),
                Just("uid".to_string()),
            ],
            extension_value(),
        ),
        0..3,
    )
}

fn image() -> impl Strategy<Value = Value> {
    prop_oneof![
        iri().prop_map(Value::String),
        (iri(), prop::option::of(text())).prop_map(|(id, caption)| {
            let mut o = json!({"id": id});
            if let Some(c) = caption {
                o["caption"] = json!(c);
            }
            o
        }),
    ]
}

fn profile() -> impl Strategy<Value = Value> {
    (
        iri(),
        text(),
        prop_oneof![Just(json!("https://example.org")), Just(json!(["https://example.org/a", "http://b.example"]))],
        prop_oneof![Just(json!("issuer@example.org")), Just(json!(["a@example.org"]))],
        prop::option::of(text()),
        prop::option::of(image()),
        prop::option::of(one_or_many(iri().prop_map(Value::String).boxed())),
        prop::option::of(Just(json!({"type": "VerificationObject", "allowedOrigins": ["a.example.org", "b.example.org"], "startsWith": "https://a.example.org/"}))),
        extras(),
    )
        .prop_map(|(id, name, url, email, desc, img, keys, ver, extras)| {
            with_optional(
                vec![
                    ("@context", json!("https://w3id.org/openbadges/v2")),
                    ("type", json!("Issuer")),
                    ("id", json!(id)),
                    ("name", json!(name)),
                    ("url", url),
                    ("email", email),
                ],
                vec![
                    ("description", desc.map(Value::String)),
                    ("image", img),
                    ("publicKey", keys),
                    ("verification", ver),
                ],
                extras,
            )
        })
}

fn badge_class() -> impl Strategy<Value = Value> {
    let criteria = prop_oneof![
        iri().prop_map(Value::String),
        text().prop_map(|n| json!({"narrative": n})),
    ];
    let alignment = (text(), "[a-z]{1,8}", prop::option::of(text())).prop_map(|(n, u, c)| {
        let mut o = json!({"targetName": n, "targetUrl": format!("https://standards.example/{u}")});
        if let Some(c) = c {
            o["targetCode"] = json!(c);
        }
        o
    });
    let issuer = prop_oneof![
        iri().prop_map(Value::String),
        profile().prop_map(|mut p| {
            p.as_object_mut().unwrap().remove("@context");
            p
        }),
    ];
    (
        iri(),
        text(),
        text(),
        image(),
        criteria,
        issuer,
        prop::option::of(one_or_many(alignment.boxed())),
        prop::option::of(one_or_many(text().prop_map(Value::String).boxed())),
        prop::option::of(prop_oneof![Just(json!(2)), Just(json!("1.2"))]),
        extras(),
    )
        .prop_map(
            |(id, name, desc, img, crit, iss, align, tags, version, extras)| {
                with_optional(
                    vec![
                        ("@context", json!("https://w3id.org/openbadges/v2")),
                        ("type", json!("BadgeClass")),
                        ("id", json!(id)),
                        ("name", json!(name)),
                        ("description", json!(desc)),
                        ("image", img),
                        ("criteria", crit),
                        ("issuer", iss),
                    ],
                    vec![("alignment", align), ("tags", tags), ("version", version)],
                    extras,
                )
            },
        )
}

fn assertion() -> impl Strategy<Value = Value> {
    let recipient = prop_oneof![
        Just(json!({"type": "email", "hashed": false, "identity": "student@example.org"})),
        Just(json!({"type": "email", "hashed": true, "salt": "deadsea",
            "identity": "sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862"})),
        Just(
            json!({"type": "url", "hashed": true, "identity": "md5$0123456789abcdef0123456789ABCDEF"})
        ),
    ];
    let badge = prop_oneof![
        iri().prop_map(Value::String),
        badge_class().prop_map(|mut b| {
            b.as_object_mut().unwrap().remove("@context");
            b
        }),
    ];
    let verification = prop_oneof![
        Just(json!({"type": "hosted"})),
        Just(json!({"type": "HostedBadge"})),
        Just(json!({"type": "SignedBadge", "creator": "https://example.org/key"})),
        Just(json!({"type": ["SignedBadge"]})),
    ];
    let evidence = prop_oneof![
        iri().prop_map(Value::String),
        (prop::option::of(iri()), text()).prop_map(|(id, n)| {
            let mut o = json!({"narrative": n});
            if let Some(id) = id {
                o["id"] = json!(id);
            }
            o
        }),
    ];
    let date = prop_oneof![
        Just("2024-01-15T12:00:00Z"),
        Just("2016-12-31T23:59:59+00:00"),
        Just("2030-06-01T08:30:00.250-05:00"),
    ];
    (
        "[a-z]{1,8}",
        prop_oneof![
            Just(json!("Assertion")),
            Just(json!(["Assertion", "extensions:Foo"]))
        ],
        recipient,
        badge,
        (verification, any::<bool>()),
        date.clone(),
        prop::option::of(date),
        prop::option::of(image()),
        prop::option::of(one_or_many(evidence.boxed())),
        prop::option::of(text()),
        extras(),
    )
        .prop_map(
            |(id, ty, rec, badge, (ver, alias), issued, expires, img, ev, narrative, extras)| {
                with_optional(
                    vec![
                        ("@context", json!("https://w3id.org/openbadges/v2")),
                        ("type", ty),
                        ("id", json!(format!("https://example.org/assertions/{id}"))),
                        ("recipient", rec),
                        ("badge", badge),
                        (if alias { "verify" } else { "verification" }, ver),
                        ("issuedOn", json!(issued)),
                    ],
                    vec![
                        ("expires", expires.map(|e| json!(e))),
                        ("image", img),
                        ("evidence", ev),
                        ("narrative", narrative.map(Value::String)),
                    ],
                    extras,
                )
            },
        )
}

fn round_trip<T>(doc: &Value)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let typed: T = serde_json::from_value(doc.clone()).unwrap();
    let once = serde_json::to_value(&typed).unwrap();
    assert_eq!(&once, doc, "parse → serialize changed the document");
    let again: T = serde_json::from_value(once).unwrap();
    assert_eq!(again, typed, "serialize → parse changed the typed value");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn assertions_round_trip(doc in assertion()) {
        round_trip::<Assertion>(&doc);
        prop_assert_eq!(detect(&doc).class, Some(Class::Assertion));
        let d = Document::from_value(&doc, None).unwrap();
        prop_assert_eq!(d.to_value().unwrap(), doc);
    }

    #[test]
    fn badge_classes_round_trip(doc in badge_class()) {
        round_trip::<BadgeClass>(&doc);
    }

    #[test]
    fn profiles_round_trip(doc in profile()) {
        round_trip::<Profile>(&doc);
    }

    /// Generated documents with every required property are structurally valid, so the
    /// generator exercises the validator's accepting paths too.
    #[test]
    fn generated_assertions_are_valid(doc in assertion()) {
        let errors: Vec<_> = openbadges_model::ob2::validate(&doc, None)
            .into_iter()
            .filter(|p| p.is_error())
            .collect();
        prop_assert!(errors.is_empty(), "{:#?}\n{:#}", errors, doc);
    }
}
