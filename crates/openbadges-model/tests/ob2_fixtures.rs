//! Every OB 0.5–2.0 JSON fixture (fixtures/ob2/upstream, fixtures/ob2/served, and the Badgr
//! import files): parse, detect, validate against the manifest's structural expectation,
//! round-trip through the typed model, and compare legacy upgrades with reviewed golden files.
//!
//! `tests/golden/ob2.txt` lists each fixture with its version, class, verdict and problems; run
//! with `UPDATE_GOLDEN=1` to rewrite it (and the upgrade files under `tests/golden/upgrades/`),
//! then review the diff.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use openbadges_model::ob2::{self, Document};
use openbadges_model::{Inspection, Limits, ProblemCode, Version, inspect, legacy, parse_json};
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");
const SETS: &[&str] = &[
    "ob2/upstream",
    "ob2/served",
    "backpack/badgr-import-testfiles",
];

/// The structural outcome the manifests call for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    /// Valid structure (after upgrade, for legacy input).
    Valid,
    /// Invalid structure, with problems that must be among those reported (code, path).
    Invalid(&'static [(ProblemCode, &'static str)]),
    /// Not JSON at all.
    JsonError,
    /// JSON, but not an Open Badges document.
    Unknown,
}

struct Expect {
    version: Option<&'static str>,
    class: Option<&'static str>,
    verdict: Verdict,
}

const fn e(version: &'static str, class: &'static str, verdict: Verdict) -> Expect {
    Expect {
        version: Some(version),
        class: Some(class),
        verdict,
    }
}

/// The expectation for each fixture, from fixtures/ob2/MANIFEST.md and backpack/MANIFEST.md.
/// Verification-level outcomes (expired, revoked, out of scope, wrong key) are not structural:
/// those documents are structurally valid.
fn expected(rel: &str) -> Expect {
    use Verdict::*;
    match rel {
        "ob2/upstream/mozvalidator-test-data.json" => Expect {
            version: None,
            class: None,
            verdict: Unknown,
        },
        "ob2/upstream/vcore-0_5_1_assertion.json" | "ob2/upstream/vcore-0_5_assertion.json" => {
            e("0.5", "Assertion", Valid)
        }
        // A string recipient with 1.0's `uid`/`verify` and a badge by URL: detected as 0.5 (as
        // the reference verifier does), and neither valid 0.5 nor valid 1.0.
        "ob2/upstream/vcore-1_0_assertion_with_errors.json" => e(
            "0.5",
            "Assertion",
            Invalid(&[
                (ProblemCode::WrongType, "/recipient"),
                (ProblemCode::WrongType, "/badge"),
            ]),
        ),
        "ob2/upstream/vcore-1_0_basic_assertion.json"
        | "ob2/upstream/vcore-1_0_basic_assertion_with_extra_properties.json" => {
            e("1.0", "Assertion", Valid)
        }
        "ob2/upstream/vcore-1_0_basic_badgeclass.json" => e("1.0", "BadgeClass", Valid),
        "ob2/upstream/vcore-1_0_basic_issuer.json" => e("1.0", "Profile", Valid),
        "ob2/upstream/vcore-1_1_basic_assertion.json" => e("1.1", "Assertion", Valid),
        "ob2/upstream/vcore-1_1_basic_badgeclass.json" => e("1.1", "BadgeClass", Valid),
        "ob2/upstream/vcore-1_1_basic_issuer.json" => e("1.1", "Profile", Valid),
        "ob2/upstream/vcore-2_0_basic_assertion.json" => e("2.0", "Assertion", Valid),
        "ob2/upstream/vcore-2_0_basic_badgeclass.json" => e("2.0", "BadgeClass", Valid),
        "ob2/upstream/vcore-2_0_basic_issuer.json" => e("2.0", "Profile", Valid),

        "ob2/served/hosted/malformed.json" => Expect {
            version: None,
            class: None,
            verdict: JsonError,
        },
        "ob2/served/hosted/missing-issuedOn.json" => e(
            "2.0",
            "Assertion",
            Invalid(&[(ProblemCode::MissingProperty, "/issuedOn")]),
        ),
        "ob2/served/hosted/bad-hash.json" => e(
            "2.0",
            "Assertion",
            Invalid(&[(ProblemCode::InvalidIdentityHash, "/recipient/identity")]),
        ),
        "ob2/served/hosted/unix-timestamp.json" => e(
            "2.0",
            "Assertion",
            Invalid(&[(ProblemCode::UnixTimestamp, "/issuedOn")]),
        ),
        // Revoked by its own flag: "only `id` and `revoked` are required" — a verification
        // failure (REVOKED warning here), not a structural one.
        "ob2/served/hosted/revoked-flag.json" | "ob2/served/hosted/revoked-full.json" => {
            e("2.0", "Assertion", Valid)
        }
        "ob2/served/hosted/valid.json"
        | "ob2/served/hosted/expired.json"
        | "ob2/served/hosted/future-issued.json"
        | "ob2/served/hosted/id-mismatch.json"
        | "ob2/served/hosted/out-of-scope.json"
        | "ob2/served/hosted/wrong-origin.json"
        | "ob2/served/scoped/in-scope.json" => e("2.0", "Assertion", Valid),
        "ob2/served/badgeclass.json"
        | "ob2/served/badgeclass-origins.json"
        | "ob2/served/badgeclass-rl1.json"
        | "ob2/served/badgeclass-scoped.json" => e("2.0", "BadgeClass", Valid),
        "ob2/served/issuer.json"
        | "ob2/served/issuer-origins.json"
        | "ob2/served/issuer-rl1.json"
        | "ob2/served/issuer-scoped.json" => e("2.0", "Profile", Valid),
        "ob2/served/key.json" | "ob2/served/key-undeclared.json" => {
            e("2.0", "CryptographicKey", Valid)
        }
        "ob2/served/revocations.json" | "ob2/served/revocations-single.json" => {
            e("2.0", "RevocationList", Valid)
        }
        "ob2/served/v1/assertion.json" => e("1.0", "Assertion", Valid),
        "ob2/served/v1/badgeclass.json" => e("1.0", "BadgeClass", Valid),
        "ob2/served/v1/issuer.json" => e("1.0", "Profile", Valid),
        "ob2/served/v1_1/assertion.json" => e("1.1", "Assertion", Valid),
        "ob2/served/v1_1/badgeclass.json" => e("1.1", "BadgeClass", Valid),
        "ob2/served/v1_1/issuer.json" => e("1.1", "Profile", Valid),

        "backpack/badgr-import-testfiles/0_5_basic_instance.json" => e("0.5", "Assertion", Valid),
        "backpack/badgr-import-testfiles/1_0_basic_instance.json" => e("1.0", "Assertion", Valid),
        "backpack/badgr-import-testfiles/1_0_basic_badgeclass.json" => {
            e("1.0", "BadgeClass", Valid)
        }
        "backpack/badgr-import-testfiles/1_0_basic_issuer.json" => e("1.0", "Profile", Valid),
        // The embedded issuer has neither `id` nor the `email` the 2.0 spec requires of an
        // issuer ("When used as a badge issuer, the following properties are required: id,
        // type, name, url, email"). Badgr's import accepted it; the spec does not.
        "backpack/badgr-import-testfiles/2_0_assertion_embedded_badgeclass.json" => e(
            "2.0",
            "Assertion",
            Invalid(&[(ProblemCode::MissingProperty, "/badge/issuer/email")]),
        ),
        other => {
            panic!("fixture {other} has no expectation: add it to `expected` from its MANIFEST")
        }
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Every fixture in scope, as paths relative to the fixtures folder, sorted.
fn fixtures() -> Vec<String> {
    let mut files = Vec::new();
    for set in SETS {
        json_files(&Path::new(FIXTURES).join(set), &mut files);
    }
    let mut rel: Vec<String> = files
        .iter()
        .map(|p| {
            p.strip_prefix(FIXTURES)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    rel.sort();
    rel
}

fn golden_line(rel: &str, report: &Inspection) -> String {
    let problems: Vec<String> = report
        .problems
        .iter()
        .map(|p| {
            format!(
                "{}{}@{}",
                if p.is_error() { "" } else { "~" },
                p.code,
                if p.path.is_empty() { "/" } else { &p.path }
            )
        })
        .collect();
    format!(
        "{rel}\t{}\t{}\t{}\t{}",
        report.version.map_or("-", |v| v.as_str()),
        report.class.as_ref().map_or("-", |c| c.as_str()),
        if report.valid_structure() {
            "VALID"
        } else {
            "INVALID"
        },
        if problems.is_empty() {
            "-".to_string()
        } else {
            problems.join(" ")
        }
    )
}

fn update() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

fn compare_golden(path: &Path, actual: &str) {
    if update() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("{} is missing: run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(
        expected,
        actual,
        "{} differs (UPDATE_GOLDEN=1 rewrites it; review the diff)",
        path.display()
    );
}

/// The typed model reads the document and writes back an equal JSON value; a document it
/// cannot hold must be structurally invalid, with its typed error at a reported problem's path.
fn assert_round_trip(rel: &str, doc: &Value, report: &Inspection) {
    let class = openbadges_model::detect(doc).class;
    let typed = match Document::from_value(doc, class.as_ref()) {
        Ok(t) => t,
        Err(openbadges_model::Error::Shape { path, message, .. }) if !report.valid_structure() => {
            assert!(
                report.problems.iter().any(|p| p.path == path),
                "{rel}: typed error at {path} ({message}) is not among {:#?}",
                report.problems
            );
            return;
        }
        Err(e) => panic!("{rel}: typed model rejects it: {e}"),
    };
    let back = typed.to_value().unwrap();
    assert_eq!(&back, doc, "{rel}: parse → serialize is not lossless");
}

#[test]
fn every_fixture_meets_its_manifest_expectation() {
    let files = fixtures();
    assert!(
        files.len() >= 45,
        "expected the full fixture set, found {}",
        files.len()
    );
    let mut golden =
        String::from("# fixture\tversion\tclass\tverdict\tproblems (CODE@path; ~ = warning)\n");
    for rel in &files {
        let exp = expected(rel);
        let bytes = std::fs::read(Path::new(FIXTURES).join(rel)).unwrap();
        let doc = match parse_json(&bytes, &Limits::default()) {
            Ok(d) => d,
            Err(err) => {
                assert_eq!(
                    exp.verdict,
                    Verdict::JsonError,
                    "{rel}: unexpected parse error {err}"
                );
                golden.push_str(&format!("{rel}\t-\t-\tJSON_ERROR\t-\n"));
                continue;
            }
        };
        assert_ne!(
            exp.verdict,
            Verdict::JsonError,
            "{rel} parsed but should not"
        );
        let report = inspect(&doc);
        assert_eq!(
            report.version.map(|v| v.as_str()),
            exp.version,
            "{rel}: version"
        );
        assert_eq!(
            report.class.as_ref().map(|c| c.as_str()),
            exp.class,
            "{rel}: class"
        );
        match exp.verdict {
            Verdict::Valid => assert!(
                report.valid_structure(),
                "{rel}: expected a valid structure, got {:#?}",
                report.problems
            ),
            Verdict::Invalid(must) => {
                assert!(!report.valid_structure(), "{rel}: expected invalid");
                for (code, path) in must {
                    assert!(
                        report
                            .problems
                            .iter()
                            .any(|p| p.is_error() && p.code == *code && p.path == *path),
                        "{rel}: expected {code}@{path} in {:#?}",
                        report.problems
                    );
                }
            }
            Verdict::Unknown => {
                assert!(
                    report.version.is_none() && !report.valid_structure(),
                    "{rel}"
                )
            }
            Verdict::JsonError => unreachable!(),
        }
        golden.push_str(&golden_line(rel, &report));
        golden.push('\n');

        match report.version {
            Some(Version::V2_0) => {
                assert_eq!(
                    report.upgraded.as_ref(),
                    Some(&doc),
                    "{rel}: 2.0 is not upgraded"
                );
                assert_round_trip(rel, &doc, &report);
            }
            Some(v) if v.is_legacy() => {
                let upgraded = report.upgraded.clone().unwrap();
                let name = rel.replace('/', "__");
                let text = serde_json::to_string_pretty(&upgraded).unwrap() + "\n";
                compare_golden(&Path::new(GOLDEN).join("upgrades").join(name), &text);
                // The upgrade is itself a 2.0 document the typed model holds losslessly.
                assert_eq!(
                    openbadges_model::detect(&upgraded).version,
                    Some(Version::V2_0)
                );
                assert_round_trip(rel, &upgraded, &report);
            }
            _ => {}
        }
    }
    compare_golden(&Path::new(GOLDEN).join("ob2.txt"), &golden);
}

/// The legacy upgrades are stable: upgrading the 2.0 form again changes nothing, and the
/// `upgrade` function agrees with what `inspect` reports.
#[test]
fn legacy_upgrade_is_what_inspect_reports() {
    for rel in fixtures() {
        let Ok(doc) = parse_json(
            &std::fs::read(Path::new(FIXTURES).join(&rel)).unwrap(),
            &Limits::default(),
        ) else {
            continue;
        };
        let d = openbadges_model::detect(&doc);
        let Some(v) = d.version.filter(|v| v.is_legacy()) else {
            continue;
        };
        let (up, _) = legacy::upgrade(&doc, v, d.class.as_ref());
        assert_eq!(Some(&up), inspect(&doc).upgraded.as_ref(), "{rel}");
        let (again, problems) = legacy::upgrade(&up, Version::V2_0, None);
        assert_eq!(again, up, "{rel}: a 2.0 document is left alone");
        assert!(problems.is_empty());
    }
}

fn base64url_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            b'=' => continue,
            _ => panic!("not base64url: {c}"),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The payloads of the signed fixtures (compact JWS) are structurally valid 2.0 assertions;
/// their verification outcomes (tampered, wrong key, revoked) belong to the proof crate.
#[test]
fn signed_fixture_payloads_are_valid_assertions() {
    let dir = Path::new(FIXTURES).join("ob2/served/signed");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|e| e != "jws") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let payload = text.trim().split('.').nth(1).unwrap();
        let doc = parse_json(&base64url_decode(payload), &Limits::default()).unwrap();
        let report = inspect(&doc);
        assert_eq!(report.version, Some(Version::V2_0), "{}", p.display());
        assert!(
            report.valid_structure(),
            "{}: {:#?}",
            p.display(),
            report.problems
        );
        let a = ob2::Assertion::from_value(&doc).unwrap();
        assert_eq!(
            a.verification_object()
                .and_then(ob2::VerificationObject::kind),
            Some(ob2::VerificationType::Signed)
        );
        n += 1;
    }
    assert_eq!(n, 10);
}
