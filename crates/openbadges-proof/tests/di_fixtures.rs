//! Every Data Integrity fixture in fixtures/ob3 gets the signature verdict its MANIFEST
//! says (where the MANIFEST's finding is about expiry, status or structure, the signature
//! verdict is what this file records; those checks are "not checked here").
//! Results are kept in tests/golden/ob3-di.txt; rewrite with `UPDATE_GOLDEN=1`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_proof::data_integrity::{Outcome, VerifyOptions, verify};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ob3"))
}

fn verdict(o: &Outcome) -> String {
    match o {
        Outcome::Valid => "valid".into(),
        Outcome::Invalid { code, .. } => format!("invalid({code})"),
        Outcome::Indeterminate { code, .. } => format!("indeterminate({code})"),
    }
}

/// (fixture, expected signature verdict, why). "invalid" alone accepts any invalid code.
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "spec-vectors/clrv2p0-signed-TAMPERED-name.json",
        "invalid(SIGNATURE_INVALID)",
        "tampered name",
    ),
    (
        "spec-vectors/clrv2p0-signed-eddsa-rdfc-2022.json",
        "valid",
        "spec vector",
    ),
    (
        "spec-vectors/obv3p0-signed-TAMPERED-name.json",
        "invalid(SIGNATURE_INVALID)",
        "tampered name",
    ),
    (
        "spec-vectors/obv3p0-signed-eddsa-rdfc-2022.json",
        "valid",
        "spec vector",
    ),
    (
        "1edtech-validator/complete.json",
        "valid",
        "validator: inline schema probe needs network (not checked here)",
    ),
    (
        "1edtech-validator/complete_v1.json",
        "invalid(JSONLD_SAFE_MODE)",
        "1EdTechJsonSchemaValidator2019 undefined without the extensions context (validator reports only the schema probe)",
    ),
    (
        "1edtech-validator/credential-status-revoked.json",
        "indeterminate(VERIFICATION_METHOD_UNRESOLVED)",
        "did:web on dc.1edtech.org needs network; revocation not checked here",
    ),
    (
        "1edtech-validator/endorsement-err-schema-status-refresh.json",
        "invalid(SIGNATURE_INVALID)",
        "error sample, no manifest signature verdict; the JS peer cannot check Ed25519Signature2020",
    ),
    (
        "1edtech-validator/endorsement-valid.json",
        "valid",
        "validator: valid",
    ),
    (
        "1edtech-validator/simple-context-alias.json",
        "valid",
        "validator: valid",
    ),
    (
        "1edtech-validator/simple-context-version.json",
        "valid",
        "validator: context probe only",
    ),
    (
        "1edtech-validator/simple-did-key-method.json",
        "invalid(KEY_NOT_OWNED_BY_ISSUER)",
        "DIVERGES from validator (valid): did:key controller != issuer urn:uuid, issue #5 requires controller == issuer",
    ),
    (
        "1edtech-validator/simple-did-web-method.json",
        "valid",
        "validator: valid (key in vm fragment, offline)",
    ),
    (
        "1edtech-validator/simple-eddsa-2022.json",
        "valid",
        "validator: warning (deprecated eddsa-2022)",
    ),
    (
        "1edtech-validator/simple-err-context.json",
        "invalid",
        "validator: invalid (context)",
    ),
    (
        "1edtech-validator/simple-err-credential-subject-achievement-result-description-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-credential-subject-identifier-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-credential-subject-profile-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-credential-subject-result-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-credential-subject-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-evidence-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-expired.json",
        "valid",
        "validator: expired (not checked here); signature valid",
    ),
    (
        "1edtech-validator/simple-err-issued.json",
        "valid",
        "validator: not yet valid (not checked here); signature valid",
    ),
    (
        "1edtech-validator/simple-err-issuer-otheridentifier-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-issuer-parentorg-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-issuer-type.json",
        "invalid",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-issuer.json",
        "invalid",
        "validator: invalid (issuer missing)",
    ),
    (
        "1edtech-validator/simple-err-proof-method-no-scheme.json",
        "invalid(VERIFICATION_METHOD_INVALID)",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-proof-method-unknown-did-method.json",
        "invalid(VERIFICATION_METHOD_INVALID)",
        "validator: invalid (did:example never resolves)",
    ),
    (
        "1edtech-validator/simple-err-proof-method-unknown-scheme.json",
        "invalid(VERIFICATION_METHOD_INVALID)",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-proof-method.json",
        "invalid(VERIFICATION_METHOD_INVALID)",
        "validator: invalid (corrupted key)",
    ),
    (
        "1edtech-validator/simple-err-proof-value.json",
        "invalid(SIGNATURE_INVALID)",
        "validator: invalid",
    ),
    (
        "1edtech-validator/simple-err-type.json",
        "invalid",
        "validator: invalid (type)",
    ),
    (
        "1edtech-validator/simple-multiple-proofs.json",
        "valid",
        "validator: 1 error for the unknown proof type, reported per proof",
    ),
    ("1edtech-validator/simple.json", "valid", "validator: valid"),
    (
        "1edtech-validator/simple_v1.json",
        "valid",
        "validator: warning (VC 1.1)",
    ),
    (
        "1edtech-validator/bit-string-list/credential-status-revoked-blank-nodes.json",
        "valid",
        "validator: revoked (status not checked here); signature valid",
    ),
    (
        "1edtech-validator/bit-string-list/credential-status-revoked.json",
        "valid",
        "validator: revoked (status not checked here); signature valid",
    ),
    (
        "1edtech-validator/sd/derivedcredential.json",
        "indeterminate(UNSUPPORTED_CRYPTOSUITE)",
        "validator: valid; ecdsa-sd-2023 not supported here",
    ),
    (
        "dcc-verifier-core/safeModeBreaker.json",
        "invalid(JSONLD_SAFE_MODE)",
        "DCC: relative @type reference",
    ),
    (
        "dcc-verifier-core/status-list-e5WK8CbZ1GjycuPombrj.json",
        "valid",
        "status list credential",
    ),
    (
        "dcc-verifier-core/testVC.json",
        "invalid(SIGNATURE_INVALID)",
        "DCC: invalid_signature",
    ),
    (
        "dcc-verifier-core/v1Expired.json",
        "valid",
        "expiry not checked here",
    ),
    (
        "dcc-verifier-core/v1ExpiredWithValidStatus.json",
        "valid",
        "expiry/status not checked here",
    ),
    ("dcc-verifier-core/v1NoStatus.json", "valid", "DCC: valid"),
    (
        "dcc-verifier-core/v1OBv3SpecExample.json",
        "valid",
        "DCC: valid",
    ),
    (
        "dcc-verifier-core/v1Revoked.json",
        "valid",
        "status not checked here",
    ),
    (
        "dcc-verifier-core/v1RevokedAndExpired.json",
        "valid",
        "expiry/status not checked here",
    ),
    (
        "dcc-verifier-core/v1SimpleIssuerId.json",
        "valid",
        "DCC: valid",
    ),
    (
        "dcc-verifier-core/v1WithValidStatus.json",
        "valid",
        "status not checked here",
    ),
    (
        "dcc-verifier-core/v2DoubleSigWithBadStatusUrl.json",
        "valid",
        "status not checked here",
    ),
    (
        "dcc-verifier-core/v2DoubleSigWithValidStatus.json",
        "valid",
        "status not checked here",
    ),
    (
        "dcc-verifier-core/v2EddsaWithValidStatus.json",
        "valid",
        "status not checked here",
    ),
    (
        "dcc-verifier-core/v2Expired.json",
        "valid",
        "expiry not checked here",
    ),
    (
        "dcc-verifier-core/v2ExpiredWithValidStatus.json",
        "valid",
        "expiry/status not checked here",
    ),
    ("dcc-verifier-core/v2NoStatus.json", "valid", "DCC: valid"),
    (
        "dcc-verifier-core/v2OBv3SpecExample.json",
        "valid",
        "DCC: valid",
    ),
    (
        "dcc-verifier-core/v2Revoked.json",
        "valid",
        "status not checked here",
    ),
    (
        "dcc-verifier-core/v2RevokedAndExpired.json",
        "valid",
        "expiry/status not checked here",
    ),
    (
        "dcc-verifier-core/v2SimpleIssuerId.json",
        "valid",
        "DCC: valid",
    ),
    (
        "dcc-verifier-core/v2WithBadDidWeb.json",
        "indeterminate(VERIFICATION_METHOD_UNRESOLVED)",
        "did:web document does not exist (needs network)",
    ),
    (
        "dcc-verifier-core/v2WithValidStatus.json",
        "valid",
        "status not checked here",
    ),
    (
        "dcc-verifier-core/v2didWebMultikeyWithValidStatus.json",
        "valid",
        "did:web document preloaded (tests/data/did-web); status not checked here",
    ),
    (
        "dcc-verifier-core/v2didWebWithValidStatus.json",
        "valid",
        "did:web document preloaded (tests/data/did-web); status not checked here",
    ),
    (
        "peers/js-ob3-eddsa-rdfc-2022-didkey.json",
        "valid",
        "JS peer output",
    ),
    (
        "peers/ob3-eddsa-rdfc-2022-didkey.json",
        "valid",
        "Python peer output",
    ),
];

fn preloaded() -> HashMap<String, Value> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/did-web");
    let mut m = HashMap::new();
    for (url, file) in [
        (
            "https://digitalcredentials.github.io/dcc-did-web/did.json",
            "did.json",
        ),
        (
            "https://digitalcredentials.github.io/dcc-did-web/multikey/did.json",
            "multikey/did.json",
        ),
    ] {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}/{file}")).unwrap())
                .unwrap();
        m.insert(url.to_owned(), v);
    }
    m
}

#[test]
fn ob3_data_integrity_fixtures_golden() {
    let mut files = Vec::new();
    for dir in [
        "spec-vectors",
        "1edtech-validator",
        "1edtech-validator/bit-string-list",
        "1edtech-validator/sd",
        "dcc-verifier-core",
        "peers",
    ] {
        let mut v: Vec<_> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        v.sort();
        files.extend(v);
    }
    let docs = preloaded();
    // The signature column checks the signatures: the spec vectors and the validator's samples
    // name `https://example.edu/…#z6Mk…` keys whose controller documents do not exist, so it
    // takes those keys from the fragment (the dangerous option). The `default` column is the
    // verdict without it: such a key is then never valid without the issuer's document.
    let sig_opts = VerifyOptions {
        documents: Some(&docs),
        dangerous_trust_key_in_https_fragment: true,
        ..VerifyOptions::default()
    };
    let opts = VerifyOptions {
        documents: Some(&docs),
        ..VerifyOptions::default()
    };
    let mut out = String::from(
        "# Data Integrity signature verdicts on fixtures/ob3 (tests/di_fixtures.rs; UPDATE_GOLDEN=1 rewrites).\n\
         # file | our verdict (https fragment keys trusted: signatures only) | per proof | expected | why | default verdict (key provenance). Expiry, validity dates and status lists: not checked here.\n",
    );
    let mut failures = Vec::new();
    let mut seen = 0;
    for f in files {
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        if doc.get("proof").is_none() {
            continue;
        }
        let r = verify(&doc, &sig_opts);
        let ours = verdict(&r.outcome);
        let default = verdict(&verify(&doc, &opts).outcome);
        if default != ours && !default.starts_with("indeterminate(") {
            failures.push(format!(
                "{rel}: default verdict {default} differs from {ours}: without the controller document it can only be could-not-check"
            ));
        }
        let proofs: Vec<String> = r
            .proofs
            .iter()
            .map(|p| {
                let mut s = format!(
                    "{}{}={}",
                    p.proof_type,
                    p.cryptosuite
                        .as_deref()
                        .map(|c| format!("/{c}"))
                        .unwrap_or_default(),
                    verdict(&p.outcome)
                );
                for w in &p.warnings {
                    write!(s, "+warning({w})").unwrap();
                }
                s
            })
            .collect();
        let Some((_, want, why)) = EXPECTED.iter().find(|(n, _, _)| *n == rel) else {
            failures.push(format!("{rel}: no expectation recorded (ours {ours})"));
            continue;
        };
        seen += 1;
        let ok = ours == *want || (*want == "invalid" && ours.starts_with("invalid("));
        if !ok {
            failures.push(format!("{rel}: ours {ours}, expected {want}"));
        }
        writeln!(
            out,
            "{rel} | {ours} | {} | expected {want} | {why} | default {default}",
            proofs.join(", ")
        )
        .unwrap();
    }
    assert_eq!(seen, EXPECTED.len(), "every expectation has its fixture");
    let golden = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/ob3-di.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden")).unwrap();
        std::fs::write(golden, &out).unwrap();
    } else {
        let want = std::fs::read_to_string(golden).unwrap_or_default();
        assert_eq!(
            out, want,
            "golden file differs (UPDATE_GOLDEN=1 to rewrite)"
        );
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
