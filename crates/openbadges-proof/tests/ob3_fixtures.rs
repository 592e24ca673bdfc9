//! Every fixture in fixtures/ob3 (1edtech-validator, dcc-verifier-core, peers, spec-vectors)
//! through the full OB 3.0 pipeline (`Verifier::verify_bytes`), offline.
//!
//! Documents that would come from the network are preloaded into the static loader:
//! - the DCC status list (`status-list-e5WK8CbZ1GjycuPombrj.json`) at the URL the DCC
//!   credentials name, and the 1EdTech `bit-string-list/testlist` at its GitHub URL;
//! - DID documents for the DCC `did:web` fixtures, built here: `dcc-did-web` and
//!   `dcc-did-web:multikey` list the key named in the verification method's fragment (the key
//!   the real documents publish); `dcc-did-web-bad` lists a different key (the real document's
//!   point is that it does not hold the signing key);
//! - for `1edtech-validator/credential-status-revoked.json`, a `did:web` document listing the
//!   key named in the verification method's fragment, and a 1EdTech revocation list, built
//!   here, that revokes the credential (the real list is what makes the validator say
//!   "revoked").
//!
//! VC-JWT fixtures carry their key only in the header (`jwk`) or not at all. By our
//! key-provenance policy that is "key not bound" (indeterminate). The MANIFEST expects them
//! valid, so the test pins their keys: the peers' keys from their `.pub.pem`, and for the
//! 1EdTech `simple.jwt` family the key read from `simple.jwt`'s own header (pinning what the
//! token carries — only to get past key binding; the claims, dates and signature are still
//! checked). Each JWT fixture is also verified without pinning and must be `KEY_NOT_BOUND`.
//!
//! Results are kept in tests/golden/ob3-verify.txt; rewrite with `UPDATE_GOLDEN=1`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use openbadges_proof::key::PublicKey;
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{CheckStatus, Code, Report, Status};
use openbadges_proof::vc_jwt::KeyPolicy;
use openbadges_proof::verify::{FixedClock, Verifier};
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ob3"))
}

const DCC_LIST: &str = "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/src/test-fixtures/status/e5WK8CbZ1GjycuPombrj";
const EDTECH_LIST: &str = "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist";
const DCC_KEY: &str = "z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q";
const SPEC_KEY: &str = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";

fn did_doc(did: &str, key: &str, fragment: &str) -> Value {
    let vm = format!("{did}#{fragment}");
    json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [{"id": vm, "type": "Ed25519VerificationKey2020",
                                "controller": did, "publicKeyMultibase": key}],
        "assertionMethod": [vm]
    })
}

/// The controller documents of the fixtures' example `https` issuers (`example.com`,
/// `example.edu`, `1edtech.edu`, `state.gov`…), which serve none: each lists, under
/// `assertionMethod`, the `#z6Mk…` keys the fixtures name for that issuer — what the issuer
/// would publish. Without them those fixtures are never valid (see
/// `https_fragment_fixtures_are_never_valid_without_their_issuer_document`).
fn https_issuer_documents() -> Vec<(String, Value)> {
    let mut by_issuer: std::collections::BTreeMap<String, Vec<(String, String)>> =
        Default::default();
    let mut all = Vec::new();
    files(&root(), &mut all);
    for p in all {
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        for (i, _) in text.match_indices("\"verificationMethod\"") {
            let rest = text[i + 20..].trim_start_matches([':', ' ']);
            let Some(rest) = rest.strip_prefix('"') else {
                continue;
            };
            let vm = &rest[..rest.find('"').unwrap_or(0)];
            let Some((base, frag)) = vm.split_once('#') else {
                continue;
            };
            if base.starts_with("http")
                && openbadges_proof::multibase::Multikey::decode(frag).is_ok()
                && !by_issuer
                    .get(base)
                    .is_some_and(|v| v.iter().any(|(f, _)| f == frag))
            {
                by_issuer
                    .entry(base.to_owned())
                    .or_default()
                    .push((frag.to_owned(), vm.to_owned()));
            }
        }
    }
    by_issuer
        .into_iter()
        .map(|(issuer, keys)| {
            let methods: Vec<Value> = keys
                .iter()
                .map(|(k, vm)| json!({"id": vm, "type": "Multikey", "controller": issuer, "publicKeyMultibase": k}))
                .collect();
            let ids: Vec<&String> = keys.iter().map(|(_, vm)| vm).collect();
            let doc = json!({"@context": ["https://www.w3.org/ns/cid/v1"], "id": issuer,
                             "verificationMethod": methods, "assertionMethod": ids});
            (issuer, doc)
        })
        .collect()
}

fn loader() -> StaticLoader {
    let mut l = loader_without_https_issuer_documents();
    for (url, doc) in https_issuer_documents() {
        l.insert_json(&url, &doc);
    }
    l
}

fn loader_without_https_issuer_documents() -> StaticLoader {
    let mut l = StaticLoader::with_bundled_contexts();
    let r = root();
    l.insert(
        DCC_LIST,
        Some("application/json"),
        &std::fs::read(r.join("dcc-verifier-core/status-list-e5WK8CbZ1GjycuPombrj.json")).unwrap(),
    );
    l.insert(
        EDTECH_LIST,
        Some("application/json"),
        &std::fs::read(r.join("1edtech-validator/bit-string-list/testlist")).unwrap(),
    );
    let web = "did:web:digitalcredentials.github.io:dcc-did-web";
    l.insert_json(
        "https://digitalcredentials.github.io/dcc-did-web/did.json",
        &did_doc(web, DCC_KEY, DCC_KEY),
    );
    let web_mk = "did:web:digitalcredentials.github.io:dcc-did-web:multikey";
    l.insert_json(
        "https://digitalcredentials.github.io/dcc-did-web/multikey/did.json",
        &did_doc(web_mk, DCC_KEY, DCC_KEY),
    );
    let bad = "did:web:digitalcredentials.github.io:dcc-did-web-bad";
    // Lists the verification method id, but with another key (the spec vector key).
    l.insert_json(
        "https://digitalcredentials.github.io/dcc-did-web-bad/did.json",
        &did_doc(bad, SPEC_KEY, DCC_KEY),
    );
    let edtech = "did:web:dc.1edtech.org:wellspring2022:wellspring-portal:org:da1e96e9-afcc-4eed-b9a2-2ddf7353214c";
    l.insert_json(
        "https://dc.1edtech.org/wellspring2022/wellspring-portal/org/da1e96e9-afcc-4eed-b9a2-2ddf7353214c/did.json",
        &did_doc(edtech, SPEC_KEY, SPEC_KEY),
    );
    l.insert_json(
        "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/da1e96e9-afcc-4eed-b9a2-2ddf7353214c",
        &json!({"id": "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/da1e96e9-afcc-4eed-b9a2-2ddf7353214c",
                "issuer": edtech,
                "revokedCredentials": [{"id": "https://dc.1edtech.org/wellspring2022/wellspring-portal/credential/54418d3f-ec01-4652-800a-861c890a51a1",
                                        "revocationReason": "test"}]}),
    );
    l
}

/// Keys pinned for the JWT fixtures (see the module docs).
fn pinned() -> Vec<PublicKey> {
    let r = root();
    let mut keys: Vec<PublicKey> = ["RS256", "ES256", "EdDSA"]
        .iter()
        .map(|a| {
            PublicKey::from_pem(
                &std::fs::read_to_string(r.join(format!("peers/ob3-{a}.pub.pem"))).unwrap(),
            )
            .unwrap()
        })
        .collect();
    for img in ["simple-jwt.png", "simple-jwt.svg", "simple-jwt_v1.svg"] {
        let bytes = std::fs::read(r.join("1edtech-validator").join(img)).unwrap();
        let input = openbadges_proof::input::unpack(&bytes, &Default::default()).unwrap();
        let openbadges_proof::input::Payload::Jws(jws) = input.payload else {
            panic!("{img}")
        };
        keys.push(PublicKey::from_jwk(&jws.header()["jwk"]).unwrap());
    }
    keys
}

/// Expected status per fixture (from fixtures/ob3/MANIFEST.md and the spec), with the reason.
fn expected(rel: &str) -> Option<(Status, &'static str)> {
    use Status::*;
    let name = rel.rsplit('/').next().unwrap();
    Some(match rel {
        r if r.starts_with("spec-vectors/") => {
            if name.contains("TAMPERED") {
                (Invalid, "tampered: signature mismatch")
            } else if name.contains("unsigned") {
                (Invalid, "the unsigned input: no proof")
            } else if name.contains("signed") {
                (Valid, "published vector")
            } else {
                return None; // inputs, N-Quads, keys
            }
        }
        r if r.starts_with("peers/") => {
            if name.ends_with(".pem") {
                return None;
            }
            (Valid, "peer-issued, cross-verified")
        }
        r if r.starts_with("dcc-verifier-core/") => match name {
            "status-list-e5WK8CbZ1GjycuPombrj.json" => (
                Invalid,
                "the status list credential itself: not an Open Badge",
            ),
            "safeModeBreaker.json" => (Invalid, "relative @type (safe mode)"),
            "testVC.json" => (Invalid, "invalid signature"),
            n if n.contains("Revoked") => (Invalid, "revoked (bit set) / expired"),
            n if n.contains("Expired") => (Invalid, "expired"),
            "v2WithBadDidWeb.json" => (Invalid, "did:web document does not hold the key"),
            "v1OBv3SpecExample.json"
            | "v2NoStatus.json"
            | "v2OBv3SpecExample.json"
            | "v2SimpleIssuerId.json" => (Valid, "signature valid"),
            // Signature valid; the subject has neither id nor identifier, which OB 3.0 forbids
            // (docs/conformance.md): invalid by the spec, the signature verdict still shown.
            // (v2DoubleSigWithBadStatusUrl: its status list URL does not resolve too.)
            _ => (Invalid, "SUBJECT_WITHOUT_IDENTIFIER (signature valid)"),
        },
        r if r.starts_with("1edtech-validator/") => match name {
            "simple.json" | "simple.1ob" | "simple-json.png" | "simple-json.svg" => {
                (Valid, "validator: valid")
            }
            "simple-jwt.png" | "simple-jwt.svg" => (Valid, "validator: valid (key pinned)"),
            "simple.jwt" => (
                Invalid,
                "draft context, no achievement (OB 3.0 structure); no key in the token",
            ),
            "simple_v1.json" | "simple-jwt_v1.png" | "simple-jwt_v1.svg" => {
                (Valid, "validator: warning (VC 1.1)")
            }
            "simple-did-key-method.json" => (
                Invalid,
                "did:key controller is not the issuer (urn:uuid); validator: valid",
            ),
            "simple-did-web-method.json" | "simple-context-alias.json" => {
                (Valid, "validator: valid")
            }
            "simple-context-version.json" => (
                Valid,
                "validator: context probe hit (older context version); signature valid",
            ),
            "simple-multiple-proofs.json" => {
                (Valid, "a valid proof + an unknown proof type (reported)")
            }
            "simple-eddsa-2022.json" => (Valid, "deprecated cryptosuite (warning)"),
            "simple-noproof.json" => (Invalid, "no proof, and no achievement (structure)"),
            "complete.json" => (
                Indeterminate,
                "its 1EdTechRevocationList URL is not available (404)",
            ),
            "complete_v1.json" => (
                Invalid,
                "expired 2020; relative @type in credentialSchema (safe mode)",
            ),
            "credential-status-revoked.json" | "credential-status-revoked-blank-nodes.json" => {
                (Invalid, "revoked")
            }
            "endorsement-valid.json" => (Valid, "EndorsementCredential sample"),
            "endorsement-err-schema-status-refresh.json" => {
                (Invalid, "EndorsementCredential with schema/status errors")
            }
            "derivedcredential.json" => (
                Indeterminate,
                "ecdsa-sd-2023 is not supported (could not check)",
            ),
            "velocity.jwt" => (
                Invalid,
                "nbf disagrees with validFrom; did:velocity unresolvable",
            ),
            "testlist" => (
                Invalid,
                "the bitstring status list credential itself: not an Open Badge",
            ),
            n if n.starts_with("simple-err-") => (Invalid, "validator: invalid"),
            _ => return None,
        },
        _ => return None,
    })
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.file_name().unwrap() != "MANIFEST.md" {
            out.push(p);
        }
    }
}

fn proof_check(r: &Report) -> String {
    r.checks
        .iter()
        .find(|c| c.id == "proof" || c.id == "jwt-signature")
        .map_or("-".into(), |c| match c.status {
            CheckStatus::Passed => "signature:valid".into(),
            CheckStatus::Failed => "signature:failed".into(),
            _ => "signature:-".into(),
        })
}

#[test]
fn https_fragment_fixtures_are_never_valid_without_their_issuer_document() {
    let docs = https_issuer_documents();
    assert!(docs.len() >= 4, "{docs:?}");
    let l = loader_without_https_issuer_documents();
    let clock = FixedClock::parse("2026-12-01T00:00:00Z").unwrap();
    let v = Verifier::new(&l).with_clock(&clock);
    let mut all = Vec::new();
    files(&root(), &mut all);
    let mut checked = 0;
    for p in &all {
        let bytes = std::fs::read(p).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        if !docs
            .iter()
            .any(|(issuer, _)| text.contains(&format!("{issuer}#z")))
        {
            continue;
        }
        checked += 1;
        let report = v.verify_bytes(&p.to_string_lossy(), &bytes);
        assert_ne!(
            report.status(),
            Status::Valid,
            "{}: {report:#?}",
            p.display()
        );
    }
    assert!(
        checked >= 20,
        "only {checked} fixtures name an https fragment key"
    );
}

#[test]
fn every_ob3_fixture_gets_its_manifest_verdict() {
    let l = loader();
    let clock = FixedClock::parse("2026-12-01T00:00:00Z").unwrap();
    let pinned = Verifier::new(&l)
        .with_clock(&clock)
        .with_key_policy(KeyPolicy {
            pinned: pinned(),
            ..KeyPolicy::default()
        });
    let strict = Verifier::new(&l).with_clock(&clock);
    let r = root();
    let mut all = Vec::new();
    for d in [
        "1edtech-validator",
        "dcc-verifier-core",
        "peers",
        "spec-vectors",
    ] {
        files(&r.join(d), &mut all);
    }
    let mut golden = String::new();
    let mut wrong = Vec::new();
    let mut counted = 0;
    for p in &all {
        let rel = p
            .strip_prefix(&r)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let Some((want, why)) = expected(&rel) else {
            continue;
        };
        counted += 1;
        let bytes = std::fs::read(p).unwrap();
        let pin = rel.starts_with("peers/")
            || rel.contains("simple-jwt")
            || rel == "1edtech-validator/simple.jwt";
        let report = if pin {
            pinned.verify_bytes(&rel, &bytes)
        } else {
            strict.verify_bytes(&rel, &bytes)
        };
        let is_jwt = report.proof.as_deref() == Some("vc-jwt");
        if is_jwt && pin {
            let unpinned = strict.verify_bytes(&rel, &bytes);
            assert!(
                unpinned.has_error(Code::KeyNotBound) || unpinned.status() == Status::Invalid,
                "{rel}: without a pinned key: {unpinned:#?}"
            );
        }
        let codes: Vec<&str> = report
            .errors
            .iter()
            .map(|e| e.code.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        writeln!(
            golden,
            "{rel}\t{}\t{}\t{}\t{}\t# {why}",
            report.status().as_str(),
            report.proof.as_deref().unwrap_or("-"),
            proof_check(&report),
            if codes.is_empty() {
                "-".into()
            } else {
                codes.join(",")
            },
        )
        .unwrap();
        if report.status() != want {
            wrong.push(format!(
                "{rel}: want {} got {}: {:?}",
                want.as_str(),
                report.status().as_str(),
                report.errors
            ));
        }
    }
    assert!(counted >= 85, "only {counted} fixtures");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/ob3-verify.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &golden).unwrap();
    }
    assert!(
        wrong.is_empty(),
        "{} fixture(s) off their manifest verdict:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    let want = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(
        want, golden,
        "golden file differs; rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}
