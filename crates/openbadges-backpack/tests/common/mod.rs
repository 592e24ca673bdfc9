//! Shared test helpers: verifier test doubles (test code only), fixtures, the served OB 2.0
//! issuer site as a loader, golden-file comparison, a fixed clock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    unreachable_pub
)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeZone, Utc};
use openbadges_backpack::{Backpack, Source, Store, VerificationOutcome, Verifier, VerifyRequest};
use openbadges_model::{Identity, IdentityKind};
use openbadges_proof::report::Status;
use serde_json::{Value, json};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub fn fixture_json(rel: &str) -> Value {
    serde_json::from_slice(&fixture(rel)).unwrap()
}

/// Every fixture file under `dirs`, sorted, as paths relative to the fixtures folder.
pub fn fixture_files(dirs: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = dirs.iter().map(|d| Path::new(FIXTURES).join(d)).collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else {
            let rel = p
                .strip_prefix(FIXTURES)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
    out.sort();
    out
}

/// A verifier test double that answers with a fixed status. Exists only in test code: the
/// crate ships no verifier that approves without checking.
pub struct FixedVerifier(pub Status);

impl Verifier for FixedVerifier {
    fn verify(&self, r: &VerifyRequest<'_>) -> VerificationOutcome {
        let errors = match self.0 {
            Status::Valid => json!([]),
            Status::Invalid => {
                json!([{"code": "SIGNATURE_INVALID", "message": "test double says invalid"}])
            }
            Status::Indeterminate => {
                json!([{"code": "FETCH_FAILED", "message": "test double could not check"}])
            }
        };
        VerificationOutcome {
            status: self.0,
            report: json!({"status": self.0.as_str(), "version": r.version.as_str(), "errors": errors}),
        }
    }
}

/// A verifier test double: invalid when the document's `id` contains one of the given markers,
/// valid otherwise.
pub struct MarkerVerifier(pub Vec<&'static str>);

impl Verifier for MarkerVerifier {
    fn verify(&self, r: &VerifyRequest<'_>) -> VerificationOutcome {
        let id = r.document.get("id").and_then(Value::as_str).unwrap_or("");
        let bad = self.0.iter().any(|m| id.contains(m));
        FixedVerifier(if bad { Status::Invalid } else { Status::Valid }).verify(r)
    }
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()
}

/// The identities the fixtures are issued to.
pub fn owner() -> Vec<Identity> {
    vec![
        Identity::new(IdentityKind::Email, "student@example.org"),
        Identity::new(IdentityKind::Email, "test@example.com"),
        Identity::new(IdentityKind::Did, "did:example:ebfeb1f712ebc6f1c276e12ec21"),
        Identity::new(
            IdentityKind::Did,
            "urn:uuid:360a0e1e-c3f4-4fc4-9975-379889927d54",
        ),
    ]
}

pub fn backpack<S: Store, V: Verifier>(store: S, verifier: V) -> Backpack<S, V> {
    let mut bp = Backpack::new(store, verifier).with_clock(t0);
    for i in owner() {
        bp.add_identifier(i).unwrap();
    }
    bp
}

pub fn file(rel: &str) -> Source {
    Source::file(rel)
}

/// A fetcher test double: serves `fixtures/ob2/served` at `http://127.0.0.1:8765/` from disk
/// (no network), and nothing else.
pub struct ServedFetcher;

impl openbadges_backpack::Fetcher for ServedFetcher {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        let rel = url
            .strip_prefix("http://127.0.0.1:8765/")
            .ok_or_else(|| format!("no route to {url} in this test"))?;
        if rel.contains("..") {
            return Err("refused".into());
        }
        let bytes = std::fs::read(Path::new(FIXTURES).join("ob2/served").join(rel))
            .map_err(|_| "404 not found".to_owned())?;
        if bytes.len() > max_bytes {
            return Err("too large".into());
        }
        Ok(bytes)
    }
}

/// The controller documents of the fixtures' example `https` issuers (example.edu,
/// example.com…, which serve none): each lists under `assertionMethod` the `#z6Mk…` keys the
/// fixtures name for it — what the issuer publishes. A key in a fragment alone proves nothing
/// (docs/verification.md, "Key provenance").
pub fn add_https_issuer_documents(docs: &mut openbadges_proof::loader::StaticLoader) {
    let mut by_issuer: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in fixture_files(&["backpack", "ob3"]) {
        let text = String::from_utf8_lossy(&fixture(&f)).into_owned();
        for (i, _) in text.match_indices("\"verificationMethod\"") {
            let rest = text[i + 20..].trim_start_matches([':', ' ']);
            let Some(rest) = rest.strip_prefix('"') else {
                continue;
            };
            let vm = &rest[..rest.find('"').unwrap_or(0)];
            let Some((base, key)) = vm.split_once('#') else {
                continue;
            };
            let listed = by_issuer.entry(base.to_owned()).or_default();
            if base.starts_with("http")
                && openbadges_proof::multibase::Multikey::decode(key).is_ok()
                && !listed.iter().any(|v| v == vm)
            {
                listed.push(vm.to_owned());
            }
        }
    }
    for (issuer, vms) in by_issuer.into_iter().filter(|(_, v)| !v.is_empty()) {
        let methods: Vec<serde_json::Value> = vms
            .iter()
            .map(|vm| {
                serde_json::json!({"id": vm, "type": "Multikey", "controller": issuer,
                "publicKeyMultibase": vm.split_once('#').unwrap().1})
            })
            .collect();
        docs.insert_json(
            &issuer,
            &serde_json::json!({"id": issuer, "verificationMethod": methods, "assertionMethod": vms}),
        );
    }
}

/// `fixtures/ob2/served` at `http://127.0.0.1:8765/` with the bundled contexts; content types
/// from the extension (JSON, PNG, else none).
pub fn served_loader() -> openbadges_proof::loader::StaticLoader {
    let mut docs = openbadges_proof::loader::StaticLoader::with_bundled_contexts();
    for f in fixture_files(&["ob2/served"]) {
        let rel = f.strip_prefix("ob2/served/").unwrap();
        let ct = if rel.ends_with(".json") {
            Some("application/json")
        } else if rel.ends_with(".png") {
            Some("image/png")
        } else {
            None
        };
        docs.insert(&format!("http://127.0.0.1:8765/{rel}"), ct, &fixture(&f));
    }
    docs
}

/// `text` equals the golden file `golden` (`UPDATE_GOLDEN=1` rewrites it); on a difference the
/// differing lines are printed and the test fails naming `what` differs.
pub fn assert_golden(golden: &str, text: &str, what: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(golden, text).unwrap();
    }
    let expected = std::fs::read_to_string(golden).expect("golden file (run with UPDATE_GOLDEN=1)");
    if expected != text {
        for (a, b) in expected.lines().zip(text.lines()) {
            if a != b {
                eprintln!("golden: {a}\nnow:    {b}");
            }
        }
        panic!("{what} differ from {golden}; rerun with UPDATE_GOLDEN=1 if intended");
    }
}

/// A CLR with `n` member credentials, all issued to the fixtures' DID, unique per `seq`.
pub fn clr(seq: usize, n: usize) -> Value {
    let subject = "did:example:ebfeb1f712ebc6f1c276e12ec21";
    let members: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                "id": format!("urn:uuid:member-{seq}-{i}"),
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Example"},
                "validFrom": "2020-01-01T00:00:00Z",
                "name": format!("Badge {seq}.{i}"),
                "credentialSubject": {"id": subject, "type": ["AchievementSubject"],
                    "achievement": {"id": format!("https://example.edu/a/{i}"), "type": ["Achievement"], "name": format!("Badge {seq}.{i}"),
                        "description": "x".repeat(2000), "criteria": {"narrative": "Do it."}}}
            })
        })
        .collect();
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"],
        "id": format!("urn:uuid:clr-{seq}"),
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": "https://example.edu/issuers/1", "type": ["Profile"], "name": "Example"},
        "validFrom": "2020-01-01T00:00:00Z",
        "name": format!("Transcript {seq}"),
        "credentialSubject": {"id": subject, "type": ["ClrSubject"], "verifiableCredential": members}
    })
}
