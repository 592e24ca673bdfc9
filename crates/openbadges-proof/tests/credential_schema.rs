//! `credentialSchema` on real credentials (the OB 3.0 / CLR 2.0 spec vectors): a credential is
//! validated against the JSON Schema the caller supplied for the URL it names — a violation is
//! `SCHEMA_INVALID` with the instance path — and a schema not supplied (the official 1EdTech
//! URLs included: none is bundled) is a skipped `credential-schema` check naming its URL.
//! The schemas here are written for the tests; one is registered under the official
//! AchievementCredential URL, as a user supplying the published file would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{CheckStatus, Code, Report, Status};
use openbadges_proof::verify::{FixedClock, SchemaError, SchemaRegistry, Verifier};
use serde_json::{Value, json};

const ACHIEVEMENT_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
const CLR_SCHEMA: &str =
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json";
const TEST_SCHEMA: &str = "https://schemas.example.org/badges/teamwork-v1.json";

fn fixture(rel: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ob3")
        .join(rel);
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

/// The bundled contexts, and the controller document the spec vectors' `https` issuer would
/// publish (its key under `assertionMethod`; example.edu serves none).
fn verify(doc: &Value, schemas: &SchemaRegistry) -> Report {
    let keys = fixture("spec-vectors/obv3p0-keys-and-hashes.json");
    let vm = keys["verificationMethod"].as_str().unwrap();
    let (issuer, key) = vm.split_once('#').unwrap();
    let mut loader = StaticLoader::with_bundled_contexts();
    loader.insert_json(
        issuer,
        &json!({"id": issuer, "assertionMethod": [vm], "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": key}]}),
    );
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    Verifier::new(&loader)
        .with_clock(&clock)
        .with_schemas(schemas)
        .verify_bytes("doc.json", &serde_json::to_vec(doc).unwrap())
}

/// A small AchievementCredential schema in the style of the official one (draft 2019-09):
/// the types, an issuer, and an achievement with a name of at most `max_name` characters.
fn achievement_schema(max_name: usize) -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2019-09/schema#",
        "$id": ACHIEVEMENT_SCHEMA,
        "type": "object",
        "required": ["@context", "type", "issuer", "credentialSubject"],
        "properties": {
            "type": {"type": "array", "contains": {"enum": ["AchievementCredential", "OpenBadgeCredential"]}},
            "issuer": {"type": "object", "required": ["id", "type"]},
            "credentialSubject": {
                "type": "object",
                "required": ["achievement"],
                "properties": {
                    "achievement": {
                        "type": "object",
                        "required": ["id", "type", "name", "criteria"],
                        "properties": {"name": {"type": "string", "maxLength": max_name}}
                    }
                }
            }
        }
    })
}

/// An issuer's own schema (no `$schema`: read as draft 2019-09): a Teamwork badge must say
/// who nominated the learner in its criteria narrative.
fn teamwork_schema() -> Value {
    json!({
        "$id": TEST_SCHEMA,
        "type": "object",
        "required": ["credentialSubject"],
        "properties": {
            "credentialSubject": {
                "type": "object",
                "properties": {
                    "achievement": {
                        "type": "object",
                        "properties": {
                            "criteria": {
                                "type": "object",
                                "required": ["narrative"],
                                "properties": {"narrative": {"type": "string", "pattern": "nominated"}}
                            }
                        }
                    }
                }
            }
        }
    })
}

/// The OB 3.0 spec vector's credential (`obv3p0-unsigned.json`) naming `schema`, issued by a
/// did:key and signed, after `mutate`.
fn signed_spec_credential(schema: &str, mutate: impl Fn(&mut Value)) -> Value {
    let s = Ed25519Signer::from_seed(&[5u8; 32]).unwrap();
    let mut doc = fixture("spec-vectors/obv3p0-unsigned.json");
    doc["issuer"]["id"] = json!(s.did_key());
    // The extensions context defines `1EdTechJsonSchemaValidator2019`.
    doc["@context"].as_array_mut().unwrap().push(json!(
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    ));
    doc["credentialSchema"] = json!([{"id": schema, "type": "1EdTechJsonSchemaValidator2019"}]);
    mutate(&mut doc);
    sign(
        &doc,
        &s,
        &ProofOptions::new(s.verification_method_did_key(), "2025-01-01T00:00:00Z"),
    )
    .unwrap()
}

fn schema_checks(r: &Report) -> Vec<(CheckStatus, String)> {
    r.checks
        .iter()
        .filter(|c| c.id == "credential-schema")
        .map(|c| (c.status, c.message.to_string()))
        .collect()
}

fn registry(schemas: &[(&str, Value)]) -> SchemaRegistry {
    let mut reg = SchemaRegistry::new();
    for (url, s) in schemas {
        reg.insert(url, s).unwrap();
    }
    reg
}

#[test]
fn official_schema_urls_are_not_bundled_so_the_spec_vector_reports_skipped_checks_naming_them() {
    let r = verify(
        &fixture("spec-vectors/clrv2p0-signed-eddsa-rdfc-2022.json"),
        &SchemaRegistry::new(),
    );
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    let top = schema_checks(&r);
    assert_eq!(top.len(), 1, "{r:#?}");
    assert_eq!(top[0].0, CheckStatus::Skipped);
    assert!(top[0].1.contains(CLR_SCHEMA), "{}", top[0].1);
    let inner = schema_checks(&r.credentials[0]);
    assert_eq!(inner.len(), 1, "{r:#?}");
    assert_eq!(inner[0].0, CheckStatus::Skipped);
    assert!(inner[0].1.contains(ACHIEVEMENT_SCHEMA), "{}", inner[0].1);
}

#[test]
fn schema_supplied_under_the_official_achievement_url_validates_the_spec_vector() {
    let reg = registry(&[(ACHIEVEMENT_SCHEMA, achievement_schema(200))]);
    let r = verify(
        &fixture("spec-vectors/clrv2p0-signed-eddsa-rdfc-2022.json"),
        &reg,
    );
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    let inner = schema_checks(&r.credentials[0]);
    assert_eq!(inner.len(), 1, "{r:#?}");
    assert_eq!(inner[0].0, CheckStatus::Passed, "{r:#?}");
    assert!(inner[0].1.contains(ACHIEVEMENT_SCHEMA));
    // The CLR's own schema was not supplied: still skipped, naming its URL.
    let top = schema_checks(&r);
    assert_eq!(top[0].0, CheckStatus::Skipped);
    assert!(top[0].1.contains(CLR_SCHEMA));
}

#[test]
fn credential_violating_a_supplied_schema_is_schema_invalid_with_the_instance_path() {
    // The spec vector's achievement is named "Teamwork" (8 characters): a schema allowing 5
    // rejects it at /credentialSubject/achievement/name, with a valid signature.
    let reg = registry(&[(ACHIEVEMENT_SCHEMA, achievement_schema(5))]);
    let r = verify(&signed_spec_credential(ACHIEVEMENT_SCHEMA, |_| {}), &reg);
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert_eq!(
        schema_checks(&r),
        vec![(
            CheckStatus::Failed,
            format!("1 violation(s) of {ACHIEVEMENT_SCHEMA}")
        )]
    );
    let errors: Vec<_> = r
        .errors
        .iter()
        .filter(|e| e.code == Code::SchemaInvalid)
        .collect();
    assert_eq!(errors.len(), 1, "{r:#?}");
    assert!(
        errors[0].message.contains(&format!(
            "credentialSchema {ACHIEVEMENT_SCHEMA}: at /credentialSubject/achievement/name:"
        )),
        "{:#?}",
        errors[0]
    );
    // The same credential with the spec's limit passes.
    let reg = registry(&[(ACHIEVEMENT_SCHEMA, achievement_schema(200))]);
    let r = verify(&signed_spec_credential(ACHIEVEMENT_SCHEMA, |_| {}), &reg);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
}

#[test]
fn issuers_own_schema_under_its_url_validates_and_rejects() {
    let reg = registry(&[(TEST_SCHEMA, teamwork_schema())]);
    let r = verify(&signed_spec_credential(TEST_SCHEMA, |_| {}), &reg);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_eq!(
        schema_checks(&r),
        vec![(CheckStatus::Passed, format!("valid against {TEST_SCHEMA}"))]
    );
    let r = verify(
        &signed_spec_credential(TEST_SCHEMA, |d| {
            d["credentialSubject"]["achievement"]["criteria"]["narrative"] = json!("Attendance.");
        }),
        &reg,
    );
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert!(
        r.errors.iter().any(|e| e.code == Code::SchemaInvalid
            && e.message
                .contains("at /credentialSubject/achievement/criteria/narrative:")),
        "{r:#?}"
    );
}

#[test]
fn schema_not_supplied_is_a_skipped_check_with_its_url_never_a_pass() {
    // A registry holding another URL's schema does not validate this one with it.
    let reg = registry(&[(ACHIEVEMENT_SCHEMA, achievement_schema(5))]);
    let r = verify(&signed_spec_credential(TEST_SCHEMA, |_| {}), &reg);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    let checks = schema_checks(&r);
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].0, CheckStatus::Skipped);
    assert!(checks[0].1.contains(TEST_SCHEMA), "{}", checks[0].1);
}

#[test]
fn entry_of_another_type_is_skipped_not_validated_as_a_json_schema() {
    let reg = registry(&[(ACHIEVEMENT_SCHEMA, achievement_schema(5))]);
    let r = verify(
        &signed_spec_credential(ACHIEVEMENT_SCHEMA, |d| {
            d["credentialSchema"][0]["type"] = json!("JsonSchemaCredential");
        }),
        &reg,
    );
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    let checks = schema_checks(&r);
    assert_eq!(checks[0].0, CheckStatus::Skipped);
    assert!(
        checks[0].1.contains("JsonSchemaCredential"),
        "{}",
        checks[0].1
    );
}

#[test]
fn schema_folder_registers_each_file_under_its_id_and_refuses_one_without() {
    let dir = std::env::temp_dir().join(format!("ob-schemas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, v: &Value| {
        std::fs::write(dir.join(name), serde_json::to_vec_pretty(v).unwrap()).unwrap();
    };
    write("achievement.json", &achievement_schema(5));
    write("teamwork.json", &teamwork_schema());
    std::fs::write(dir.join("notes.txt"), "not a schema").unwrap();
    let reg = SchemaRegistry::from_dir(&dir).unwrap();
    assert_eq!(
        reg.urls().collect::<Vec<_>>(),
        [ACHIEVEMENT_SCHEMA, TEST_SCHEMA]
    );
    let r = verify(&signed_spec_credential(ACHIEVEMENT_SCHEMA, |_| {}), &reg);
    assert!(r.has_error(Code::SchemaInvalid), "{r:#?}");

    let mut no_id = teamwork_schema();
    no_id.as_object_mut().unwrap().remove("$id");
    write("zz-no-id.json", &no_id);
    assert!(matches!(
        SchemaRegistry::from_dir(&dir),
        Err(SchemaError::NoId { .. })
    ));
    // A schema that does not compile is refused when added, not at verification.
    write(
        "zz-no-id.json",
        &json!({"$id": "https://schemas.example.org/bad.json", "type": 42}),
    );
    assert!(matches!(
        SchemaRegistry::from_dir(&dir),
        Err(SchemaError::Compile { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn remote_ref_in_a_supplied_schema_is_refused_not_fetched() {
    let mut reg = SchemaRegistry::new();
    let e = reg
        .insert(
            TEST_SCHEMA,
            &json!({"$ref": "https://schemas.example.org/elsewhere.json"}),
        )
        .unwrap_err();
    assert!(matches!(e, SchemaError::Compile { .. }), "{e:?}");
    assert!(reg.is_empty());
}
