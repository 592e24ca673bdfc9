//! Every OB 3.0 / CLR 2.0 JSON fixture: detection, structural verdict against the manifest,
//! lossless typed round trip, and a golden results file (`tests/golden/ob3.txt`; run with
//! `UPDATE_GOLDEN=1` to rewrite it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use openbadges_model::ob3::{
    self, ClrCredential, EmbeddedCredential, EndorsementCredential, OpenBadgeCredential,
};
use openbadges_model::{Class, Limits, Version, inspect, parse_json};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/ob3.txt");

/// The fixture folders covered, relative to `fixtures/`, and whether to recurse.
const FOLDERS: &[(&str, bool)] = &[
    ("ob3/examples", false),
    ("ob3/spec-vectors", false),
    ("ob3/1edtech-validator", true),
    ("ob3/dcc-verifier-core", false),
    ("ob3/peers", false),
    ("backpack/clr20", false),
    ("ob3/contexts", false),
];

/// The structurally invalid fixtures, with the JSON pointer of the offending node we must
/// report and why. Everything else must be structurally valid.
///
/// The first group is what ob3/MANIFEST.md (the 1EdTech validator's own tests) calls invalid
/// for structural reasons. The second group is invalid by the specification for a reason the
/// manifest does not list, because its expectation is about something else (a signature, a date,
/// network access); the official validator's probes flag these too.
const STRUCTURALLY_INVALID: &[(&str, &str, &str)] = &[
    (
        "ob3/1edtech-validator/simple-err-type.json",
        "/type",
        "TypePropertyProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-issuer.json",
        "/issuer",
        "issuer missing",
    ),
    (
        "ob3/1edtech-validator/simple-err-context.json",
        "/@context/0",
        "ContextPropertyProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-credential-subject-type.json",
        "/credentialSubject/type",
        "CredentialSubjectProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-credential-subject-identifier-type.json",
        "/credentialSubject/identifier/0/type",
        "CredentialSubjectProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-credential-subject-result-type.json",
        "/credentialSubject/result/1/type",
        "CredentialSubjectProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-credential-subject-achievement-result-description-type.json",
        "/credentialSubject/achievement/resultDescription/2/type",
        "CredentialSubjectProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-credential-subject-profile-type.json",
        "/credentialSubject/source/type",
        "CredentialSubjectProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-evidence-type.json",
        "/evidence/1/type",
        "EvidenceProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-issuer-type.json",
        "/issuer/type",
        "IssuerProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-issuer-parentorg-type.json",
        "/issuer/parentOrg/type",
        "IssuerProbe",
    ),
    (
        "ob3/1edtech-validator/simple-err-issuer-otheridentifier-type.json",
        "/issuer/otherIdentifier/1/type",
        "IssuerProbe (the spec type is IdentifierEntry)",
    ),
    // --- invalid by the specification beyond the manifest's reason ---
    (
        "ob3/1edtech-validator/simple-err-issued.json",
        "/credentialSubject/achievement",
        "AchievementSubject.achievement is required (the manifest's not-yet-valid is verification)",
    ),
    (
        "ob3/1edtech-validator/simple-noproof.json",
        "/credentialSubject/achievement",
        "AchievementSubject.achievement is required",
    ),
    (
        "ob3/1edtech-validator/complete_v1.json",
        "/issuer/endorsement/0/id",
        "EndorsementCredential.id is required (also in the VC 1.1 shape)",
    ),
    (
        "backpack/clr20/complex.json",
        "/credentialSubject/verifiableCredential/0/credentialSubject/achievement/endorsement/0/name",
        "EndorsementCredential.name is required",
    ),
];

/// DCC fixtures whose subject has neither `id` nor `identifier` ("Either `id` or at least one
/// `identifier` MUST be supplied"; the 1EdTech CredentialSubjectProbe says "no id in
/// credentialSubject"). The manifest's expectations for them are about signatures and status.
const DCC_SUBJECT_WITHOUT_ID: &[&str] = &[
    "v1Expired",
    "v1ExpiredWithValidStatus",
    "v1NoStatus",
    "v1Revoked",
    "v1RevokedAndExpired",
    "v1SimpleIssuerId",
    "v1WithValidStatus",
    "v2DoubleSigWithBadStatusUrl",
    "v2DoubleSigWithValidStatus",
    "v2EddsaWithValidStatus",
    "v2ExpiredWithValidStatus",
    "v2Revoked",
    "v2RevokedAndExpired",
    "v2WithBadDidWeb",
    "v2WithValidStatus",
    "v2didWebMultikeyWithValidStatus",
    "v2didWebWithValidStatus",
];

fn expected_offending_path(name: &str) -> Option<&'static str> {
    if let Some((_, path, _)) = STRUCTURALLY_INVALID.iter().find(|(n, _, _)| *n == name) {
        return Some(path);
    }
    let stem = name
        .strip_prefix("ob3/dcc-verifier-core/")?
        .strip_suffix(".json")?;
    DCC_SUBJECT_WITHOUT_ID
        .contains(&stem)
        .then_some("/credentialSubject")
}

/// Documents that are not Open Badges at all, and what they are.
const NOT_BADGES: &[(&str, &str)] = &[
    (
        "ob3/dcc-verifier-core/status-list-e5WK8CbZ1GjycuPombrj.json",
        "a BitstringStatusListCredential: a W3C VC, checked against the VC data model only",
    ),
    (
        "ob3/1edtech-validator/bit-string-list/testlist",
        "a BitstringStatusListCredential: a W3C VC, checked against the VC data model only",
    ),
];

/// JSON-LD contexts (for an offline document loader) are not documents we recognise.
const CONTEXTS: &str = "ob3/contexts/";

fn rel(path: &Path) -> String {
    path.strip_prefix(FIXTURES)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

fn collect(dir: &Path, recurse: bool, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if recurse {
                collect(&p, recurse, out);
            }
        } else if p.extension().is_some_and(|e| e == "json" || e == "jsonld") {
            // The spec vectors' keys-and-hashes files are data about the vectors (keys, hashes,
            // the expected proofValue), not documents.
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with("keys-and-hashes.json"))
            {
                continue;
            }
            out.push(p);
        }
    }
}

/// JSON documents without a `.json` name: the status list the 1EdTech validator's bitstring
/// fixtures point at.
const EXTRA_FILES: &[&str] = &["ob3/1edtech-validator/bit-string-list/testlist"];

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for (folder, recurse) in FOLDERS {
        collect(&Path::new(FIXTURES).join(folder), *recurse, &mut out);
    }
    out.extend(EXTRA_FILES.iter().map(|f| Path::new(FIXTURES).join(f)));
    out
}

/// Reads the document into the typed model matching its class and writes it back.
/// `Ok(None)`: no typed model for this class.
fn typed_round_trip(doc: &Value, class: Option<&Class>) -> Result<Option<Value>, String> {
    let back = match class {
        Some(Class::OpenBadgeCredential | Class::AchievementCredential) => {
            ob3::from_value::<OpenBadgeCredential>(doc).and_then(|c| ob3::to_value(&c))
        }
        Some(Class::EndorsementCredential) => {
            ob3::from_value::<EndorsementCredential>(doc).and_then(|c| ob3::to_value(&c))
        }
        Some(Class::ClrCredential) => ob3::from_value::<ClrCredential>(doc).and_then(|c| {
            // Every bundled credential of the fixtures reads as an OpenBadgeCredential.
            for (i, e) in c
                .credential_subject
                .verifiable_credential
                .iter()
                .enumerate()
            {
                if !matches!(e, EmbeddedCredential::OpenBadge(_)) {
                    return Err(openbadges_model::Error::Shape {
                        path: format!("/credentialSubject/verifiableCredential/{i}"),
                        message: "not read as an OpenBadgeCredential".into(),
                        source: None,
                    });
                }
            }
            ob3::to_value(&c)
        }),
        _ => return Ok(None),
    };
    back.map(Some).map_err(|e| e.to_string())
}

#[test]
fn every_ob3_fixture() {
    let files = fixtures();
    assert!(files.len() >= 70, "only {} fixtures found", files.len());
    let mut golden = String::from(
        "# OB 3.0 / CLR 2.0 fixtures: file | version | class | structure | typed model | problems (code@path, w: = warning)\n\
         # structure is the structural verdict only: proofs, expiry and status are verification (proof crate).\n\
         # typed model: `lossless` = parsed into the typed model and written back equal to the input;\n\
         # `n/a` = no typed model for that class; `error` = the document does not fit the model.\n\
         # A plain W3C VC (a status list) is detected as version 3.0 (the VC family), class VerifiableCredential.\n",
    );
    let mut failures = Vec::new();
    for path in &files {
        let name = rel(path);
        let bytes = std::fs::read(path).unwrap();
        let doc = parse_json(&bytes, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report = inspect(&doc);

        if name.starts_with(CONTEXTS) {
            // Not a document: no version, no class, never structurally valid.
            if report.version.is_some() || report.class.is_some() || report.valid_structure() {
                failures.push(format!(
                    "{name}: a JSON-LD context was recognised as a document"
                ));
            }
            let codes: Vec<String> = report
                .problems
                .iter()
                .map(|p| format!("{}@{}", p.code, p.path))
                .collect();
            golden.push_str(&format!(
                "{name} | - | - | not a document | n/a | {} # a JSON-LD context\n",
                codes.join(" ")
            ));
            continue;
        }

        // Version and class.
        let is_clr = name.starts_with("backpack/clr20/") || name.contains("clrv2p0");
        let expected_version = if is_clr {
            Version::Clr2_0
        } else {
            Version::V3_0
        };
        if report.version != Some(expected_version) {
            failures.push(format!("{name}: version {:?}", report.version));
        }
        let expected_class = if is_clr {
            Class::ClrCredential
        } else if name.ends_with("endorsement.json") || name.contains("/endorsement-") {
            Class::EndorsementCredential
        } else if name.ends_with("simple-err-type.json")
            || NOT_BADGES.iter().any(|(n, _)| *n == name)
        {
            Class::VerifiableCredential
        } else {
            // AchievementCredential is an alias: accept the one the document names.
            match report.class {
                Some(Class::AchievementCredential) => Class::AchievementCredential,
                _ => Class::OpenBadgeCredential,
            }
        };
        if report.class.as_ref() != Some(&expected_class) {
            failures.push(format!("{name}: class {:?}", report.class));
        }

        // Structural verdict against the manifest.
        let valid = report.valid_structure();
        match expected_offending_path(&name) {
            Some(offending) => {
                if valid {
                    failures.push(format!("{name}: expected structurally invalid"));
                }
                if !report
                    .problems
                    .iter()
                    .any(|p| p.is_error() && p.path == offending)
                {
                    failures.push(format!(
                        "{name}: no error at {offending}: {:?}",
                        report.problems
                    ));
                }
            }
            None => {
                if !valid {
                    failures.push(format!(
                        "{name}: expected structurally valid: {:?}",
                        report.problems
                    ));
                }
            }
        }

        // Typed model, lossless.
        let typed = match typed_round_trip(&doc, report.class.as_ref()) {
            Ok(Some(back)) if back == doc => "lossless".to_string(),
            Ok(Some(_)) => {
                failures.push(format!("{name}: typed round trip changed the document"));
                "CHANGED".to_string()
            }
            Ok(None) => "n/a".to_string(),
            Err(e) => {
                // Only a document missing what the model requires may fail to load.
                if valid {
                    failures.push(format!("{name}: valid but the typed model failed: {e}"));
                }
                format!("error ({e})")
            }
        };

        let problems: Vec<String> = report
            .problems
            .iter()
            .map(|p| {
                let w = if p.is_error() { "" } else { "w:" };
                format!("{w}{}@{}", p.code, p.path)
            })
            .collect();
        let note = NOT_BADGES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, what)| format!(" # {what}"))
            .unwrap_or_default();
        golden.push_str(&format!(
            "{name} | {} | {} | {} | {typed} | {}{note}\n",
            report.version.map_or("-", |v| v.as_str()),
            report.class.as_ref().map_or("-", |c| c.as_str()),
            if valid { "valid" } else { "invalid" },
            if problems.is_empty() {
                "-".to_string()
            } else {
                problems.join(" ")
            },
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    compare_golden(&golden);
}

fn compare_golden(actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(Path::new(GOLDEN).parent().unwrap()).unwrap();
        std::fs::write(GOLDEN, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(GOLDEN)
        .unwrap_or_else(|_| panic!("{GOLDEN} missing: run with UPDATE_GOLDEN=1"));
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "golden file differs (UPDATE_GOLDEN=1 rewrites it); {} vs {} lines:\n{}",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}
