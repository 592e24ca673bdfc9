//! Targeted OB 3.0 / CLR 2.0 validation rules and builder refusals.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_model::ob3::{
    self, AchievementBuilder, ClrCredential, CredentialBuilder, EmbeddedCredential, IdentityObject,
    ProfileBuilder, TypeSet,
};
use openbadges_model::{Class, DateTime, Error, Iri, ProblemCode, Severity};
use serde_json::{Value, json};

fn base() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "U"},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:1",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/a/1", "type": ["Achievement"], "name": "A",
                "description": "D", "criteria": {"narrative": "N"}
            }
        }
    })
}

fn errors(doc: &Value) -> Vec<(ProblemCode, String)> {
    ob3::validate(doc, None)
        .into_iter()
        .filter(|p| p.severity == Severity::Error)
        .map(|p| (p.code, p.path))
        .collect()
}

fn has(doc: &Value, code: ProblemCode, path: &str) -> bool {
    errors(doc).iter().any(|(c, p)| *c == code && p == path)
}

#[test]
fn base_is_valid() {
    assert_eq!(ob3::validate(&base(), None), vec![]);
}

#[test]
fn dates() {
    let mut d = base();
    d["validUntil"] = json!("2023-01-01T00:00:00Z");
    assert!(has(&d, ProblemCode::InvalidDateRange, "/validUntil"));
    d["validUntil"] = json!("2025-01-01T00:00:00Z");
    assert!(errors(&d).is_empty());
    d["validFrom"] = json!("2024-01-01T00:00:00");
    assert!(has(&d, ProblemCode::InvalidDateTime, "/validFrom"));
    d["validFrom"] = json!(1_700_000_000);
    assert!(has(&d, ProblemCode::UnixTimestamp, "/validFrom"));

    // VC 2.0 needs validFrom; issuanceDate is the 1.1 name.
    let mut d = base();
    let from = d.as_object_mut().unwrap().remove("validFrom").unwrap();
    d["issuanceDate"] = from.clone();
    assert!(has(&d, ProblemCode::MissingProperty, "/validFrom"));
    // With the 1.1 context it is right, with a deprecation warning.
    d["@context"][0] = json!("https://www.w3.org/2018/credentials/v1");
    assert!(errors(&d).is_empty());
    assert!(
        ob3::validate(&d, None)
            .iter()
            .any(|p| p.code == ProblemCode::Deprecated && p.path == "/@context/0")
    );
    d.as_object_mut().unwrap().remove("issuanceDate");
    assert!(has(&d, ProblemCode::MissingProperty, "/issuanceDate"));
}

#[test]
fn context_rules() {
    let mut d = base();
    d["@context"][1] = json!("https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld");
    assert!(errors(&d).is_empty(), "alias accepted");
    d["@context"] = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://w3id.org/security/data-integrity/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    ]);
    assert!(has(&d, ProblemCode::InvalidContext, "/@context/2"));
    d["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    assert!(has(&d, ProblemCode::InvalidContext, "/@context"));
    d["@context"] = json!("https://www.w3.org/ns/credentials/v2");
    assert!(has(&d, ProblemCode::InvalidContext, "/@context"));
    d.as_object_mut().unwrap().remove("@context");
    // Without a context nothing says what the document is…
    assert!(has(&d, ProblemCode::UnknownDocument, ""));
    // …but checked as what the caller knows it is, the missing context is reported.
    assert!(
        ob3::validate(&d, Some(&Class::OpenBadgeCredential))
            .iter()
            .any(|p| p.code == ProblemCode::MissingProperty && p.path == "/@context")
    );
}

#[test]
fn type_rules() {
    let mut d = base();
    d["type"] = json!("OpenBadgeCredential");
    assert!(has(&d, ProblemCode::InvalidType, "/type"));
    d["type"] = json!(["VerifiableCredential", "AchievementCredential"]);
    assert!(errors(&d).is_empty());
    d["credentialSubject"]["type"] = json!("AchievementSubject");
    assert!(errors(&d).is_empty(), "a single string type is accepted");
    d["credentialSubject"]["achievement"]["type"] = json!(["Badge"]);
    assert!(has(
        &d,
        ProblemCode::InvalidType,
        "/credentialSubject/achievement/type"
    ));
}

#[test]
fn subject_identity_rules() {
    let mut d = base();
    d["credentialSubject"].as_object_mut().unwrap().remove("id");
    assert!(has(
        &d,
        ProblemCode::SubjectWithoutIdentifier,
        "/credentialSubject"
    ));
    d["credentialSubject"]["identifier"] = json!([]);
    assert!(has(
        &d,
        ProblemCode::SubjectWithoutIdentifier,
        "/credentialSubject"
    ));
    d["credentialSubject"]["identifier"] = json!([{
        "type": "IdentityObject", "hashed": true, "identityType": "emailAddress",
        "identityHash": "sha256$abc"
    }]);
    assert!(has(
        &d,
        ProblemCode::InvalidIdentityHash,
        "/credentialSubject/identifier/0/identityHash"
    ));
    let good = IdentityObject::hashed("emailAddress", "a@example.org").unwrap();
    d["credentialSubject"]["identifier"] = json!([ob3::to_value(&good).unwrap()]);
    assert!(errors(&d).is_empty());
}

#[test]
fn every_problem_at_once() {
    let mut d = base();
    d["type"] = json!(["VerifiableCredential"]);
    d["issuer"]["type"] = json!("Organization");
    d["validFrom"] = json!("yesterday");
    d["credentialSubject"]["achievement"]["achievementType"] = json!("Bagde");
    d["evidence"] = json!([{"type": "Evidence"}, {"type": "Proof"}]);
    d["endorsementJwt"] = json!(["not a jws"]);
    let e = errors(&d);
    for (code, path) in [
        (ProblemCode::InvalidType, "/type"),
        (ProblemCode::InvalidType, "/issuer/type"),
        (ProblemCode::InvalidDateTime, "/validFrom"),
        (
            ProblemCode::InvalidValue,
            "/credentialSubject/achievement/achievementType",
        ),
        (ProblemCode::InvalidType, "/evidence/1/type"),
        (ProblemCode::InvalidValue, "/endorsementJwt/0"),
    ] {
        assert!(
            e.iter().any(|(c, p)| *c == code && p == path),
            "{code} at {path} missing from {e:?}"
        );
    }
    assert_eq!(e.len(), 6, "{e:?}");
}

#[test]
fn clr_embedded_credentials_are_checked_with_paths() {
    let mut inner = base();
    inner["credentialSubject"]["type"] = json!(["Subject"]);
    let clr = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:1b0a2b7e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "Record",
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"]},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:1",
            "type": ["ClrSubject"],
            "verifiableCredential": [base(), inner],
            "association": [{"type": "Association", "associationType": "isParentOf",
                             "sourceId": "https://example.edu/a/1", "targetId": "not an iri"}]
        }
    });
    assert_eq!(
        errors(&clr),
        vec![
            (
                ProblemCode::InvalidType,
                "/credentialSubject/verifiableCredential/1/credentialSubject/type".to_string()
            ),
            (
                ProblemCode::InvalidIri,
                "/credentialSubject/association/0/targetId".to_string()
            ),
        ]
    );
    let typed: ClrCredential = ob3::from_value(&clr).unwrap();
    for c in typed.credential_subject.verifiable_credential.iter() {
        if let EmbeddedCredential::Other(v) = c {
            let e =
                ob3::from_value::<ob3::OpenBadgeCredential>(&Value::Object(v.clone())).unwrap_err();
            panic!("{e}");
        }
    }
    assert!(
        typed
            .credential_subject
            .verifiable_credential
            .iter()
            .all(|c| matches!(c, EmbeddedCredential::OpenBadge(_)))
    );
    assert_eq!(ob3::to_value(&typed).unwrap(), clr);
}

#[test]
fn plain_vc_gets_vc_rules_only() {
    let d = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:issuer",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"type": "BitstringStatusList", "encodedList": "uH4s"}
    });
    assert!(errors(&d).is_empty());
    let mut bad = d.clone();
    bad["issuer"] = json!("not an iri");
    assert!(has(&bad, ProblemCode::InvalidIri, "/issuer"));
}

#[test]
fn type_set_is_unordered_and_keeps_shape() {
    let a: TypeSet = serde_json::from_value(json!("Profile")).unwrap();
    let b: TypeSet = serde_json::from_value(json!(["Profile"])).unwrap();
    assert_eq!(a, b);
    assert_eq!(serde_json::to_value(&a).unwrap(), json!("Profile"));
    assert_eq!(serde_json::to_value(&b).unwrap(), json!(["Profile"]));
    let c: TypeSet = serde_json::from_value(json!(["B", "A"])).unwrap();
    assert_eq!(c, TypeSet::many(["A", "B"]));
    assert!(serde_json::from_value::<TypeSet>(json!(3)).is_err());
}

#[test]
fn builders_refuse_invalid_objects() {
    let issuer = ProfileBuilder::new(Iri::parse("https://example.org/i").unwrap())
        .build()
        .unwrap();
    let ach = AchievementBuilder::new(Iri::parse("https://example.org/a").unwrap(), "A", "D")
        .criteria_narrative("N")
        .build()
        .unwrap();
    let ok = || {
        CredentialBuilder::new()
            .issuer(issuer.clone())
            .achievement(ach.clone())
            .recipient_id(Iri::parse("did:example:1").unwrap())
            .valid_from(DateTime::new("2024-01-01T00:00:00Z"))
    };
    assert!(ok().build().is_ok());
    assert_eq!(
        CredentialBuilder::new()
            .achievement(ach.clone())
            .recipient_id(Iri::parse("did:example:1").unwrap())
            .valid_from(DateTime::new("2024-01-01T00:00:00Z"))
            .build()
            .unwrap_err(),
        Error::MissingProperty("issuer")
    );
    assert!(matches!(
        CredentialBuilder::new()
            .issuer(issuer.clone())
            .achievement(ach.clone())
            .valid_from(DateTime::new("2024-01-01T00:00:00Z"))
            .build(),
        Err(Error::MissingProperty(_))
    ));
    assert!(matches!(
        ok().valid_from(DateTime::new("January")).build(),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        ok().valid_until(DateTime::new("2023-01-01T00:00:00Z"))
            .build(),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        AchievementBuilder::new(Iri::parse("https://example.org/a").unwrap(), "A", "D")
            .criteria_narrative("N")
            .achievement_type("Bagde")
            .build(),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        AchievementBuilder::new(Iri::parse("https://example.org/a").unwrap(), " ", "D")
            .criteria_narrative("N")
            .build(),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        ProfileBuilder::new(Iri::parse("https://example.org/i").unwrap())
            .url(Iri::new_unchecked("example.org"))
            .build(),
        Err(Error::InvalidValue { .. })
    ));
}

#[test]
fn built_credential_is_detected_and_inspected_as_valid() {
    let cred = CredentialBuilder::new()
        .issuer(
            ProfileBuilder::new(Iri::parse("did:web:example.org").unwrap())
                .name("Example")
                .build()
                .unwrap(),
        )
        .achievement(
            AchievementBuilder::new(Iri::parse("https://example.org/a").unwrap(), "A", "D")
                .criteria_url(Iri::parse("https://example.org/a/criteria").unwrap())
                .build()
                .unwrap(),
        )
        .recipient_identity(IdentityObject::hashed("emailAddress", "s@example.org").unwrap())
        .valid_from(DateTime::new("2024-01-01T00:00:00Z"))
        .build()
        .unwrap();
    let v = ob3::to_value(&cred).unwrap();
    let report = openbadges_model::inspect(&v);
    assert_eq!(report.class, Some(Class::OpenBadgeCredential));
    assert!(report.valid_structure(), "{:?}", report.problems);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn results_link_to_result_descriptions() {
    let mut d = base();
    d["credentialSubject"]["achievement"]["resultDescription"] = json!([
        {"id": "urn:rd:grade", "type": ["ResultDescription"], "name": "Grade",
         "resultType": "RubricCriterionLevel",
         "rubricCriterionLevel": [{"id": "urn:lvl:1", "type": ["RubricCriterionLevel"], "name": "L1"}]},
        {"id": "urn:rd:status", "type": ["ResultDescription"], "name": "Status", "resultType": "Status"}
    ]);
    d["credentialSubject"]["result"] = json!([
        {"type": ["Result"], "resultDescription": "urn:rd:grade", "achievedLevel": "urn:lvl:1"},
        {"type": ["Result"], "resultDescription": "urn:rd:status", "status": "Completed"}
    ]);
    assert_eq!(ob3::validate(&d, None), vec![]);
    d["credentialSubject"]["result"][1]
        .as_object_mut()
        .unwrap()
        .remove("status");
    d["credentialSubject"]["result"][0]["achievedLevel"] = json!("urn:lvl:9");
    d["credentialSubject"]["result"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "Result", "resultDescription": "urn:rd:none", "value": "x"}));
    assert_eq!(
        errors(&d),
        vec![(
            ProblemCode::MissingProperty,
            "/credentialSubject/result/1/status".to_string()
        )]
    );
    let warnings: Vec<String> = ob3::validate(&d, None)
        .into_iter()
        .filter(|p| p.severity == Severity::Warning)
        .map(|p| p.path)
        .collect();
    assert_eq!(
        warnings,
        vec![
            "/credentialSubject/result/0/achievedLevel",
            "/credentialSubject/result/2/resultDescription"
        ]
    );
}

/// Regression: `OneOrMany<EmbeddedCredential>` once read a whole `verifiableCredential` array as
/// one `Other(Value)` (untagged enums try the single-value variant first).
#[test]
fn regression_clr_verifiable_credential_array_read_as_one_value() {
    let clr: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/backpack/clr20/simple.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let typed: ClrCredential = ob3::from_value(&clr).unwrap();
    let vcs = &typed.credential_subject.verifiable_credential;
    assert!(matches!(vcs, openbadges_model::OneOrMany::Many(_)));
    assert!(
        vcs.iter()
            .all(|c| matches!(c, EmbeddedCredential::OpenBadge(_)))
    );
}

#[test]
fn proofs_are_added_and_removed() {
    let mut cred: ob3::OpenBadgeCredential = ob3::from_value(&base()).unwrap();
    let proof: ob3::Proof = serde_json::from_value(json!({
        "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod", "verificationMethod": "did:example:1#k",
        "proofValue": "z1"
    }))
    .unwrap();
    cred.add_proof(proof.clone());
    assert!(ob3::to_value(&cred).unwrap()["proof"].is_object());
    cred.add_proof(proof);
    assert_eq!(cred.proofs().count(), 2);
    assert_eq!(
        ob3::to_value(&cred).unwrap()["proof"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(ob3::to_value(&cred.without_proof()).unwrap(), base());
    assert!(errors(&ob3::to_value(&cred).unwrap()).is_empty());
}

#[test]
fn endorsement_jwt_without_signature_or_with_padding_is_not_a_compact_jws() {
    // An endorsement is a signed credential: an empty signature (an `alg: none` token) or
    // base64 padding does not make a compact JWS.
    for bad in [
        "eyJhbGciOiJub25lIn0.eyJ2YyI6e319.",
        "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln==",
        "badges.example.org",
    ] {
        let mut d = base();
        d["endorsementJwt"] = json!([bad]);
        assert!(
            errors(&d)
                .iter()
                .any(|(c, p)| *c == ProblemCode::InvalidValue && p == "/endorsementJwt/0"),
            "{bad}"
        );
    }
    let mut d = base();
    d["endorsementJwt"] = json!(["eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln"]);
    assert!(errors(&d).is_empty());
}
