//! The bundled JSON-LD contexts are the published bytes: each file `src/jsonld/bundled.rs`
//! maps has the sha256 that `contexts/README.md` lists for its URL, every Open Badges 3.0 /
//! CLR 2.0 row is in `docs/data-integrity.md` too, and a credential under each OB 3.0 / CLR 2.0
//! context verifies offline.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashMap;

use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges_proof::jsonld::BUNDLED_CONTEXTS;
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::Status;
use openbadges_proof::verify::{FixedClock, Verifier};
use serde_json::json;

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `URL → (file, sha256)` from a markdown table whose rows are
/// `` | `URL` | version | file | `sha256` | ... ``.
fn table(md: &str) -> HashMap<String, (String, String)> {
    md.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            // ["", url, version, file, sha, ...]
            if cells.len() < 6 || !cells[1].starts_with("`http") {
                return None;
            }
            let url = cells[1].trim_matches('`').to_owned();
            let sha = cells[4].trim_matches('`').to_owned();
            (sha.len() == 64).then(|| (url, (cells[3].to_owned(), sha)))
        })
        .collect()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + rel).unwrap()
}

const OB3_CLR2: &[&str] = &[
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
];

#[test]
fn every_bundled_context_has_its_listed_sha256() {
    let listed = table(&read("contexts/README.md"));
    assert_eq!(listed.len(), BUNDLED_CONTEXTS.len(), "{listed:#?}");
    for (url, file, text) in BUNDLED_CONTEXTS {
        let (want_file, want_sha) = listed
            .get(*url)
            .unwrap_or_else(|| panic!("{url} is not in contexts/README.md"));
        assert_eq!(want_file, file, "{url}");
        assert_eq!(&sha256_hex(text.as_bytes()), want_sha, "{url} ({file})");
        // The fixture copy the crate's copy was taken from is the same bytes.
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/ob3/contexts")
            .join(file);
        if let Ok(f) = std::fs::read(&fixture) {
            assert_eq!(sha256_hex(&f), *want_sha, "{}", fixture.display());
        }
    }
}

#[test]
fn every_ob3_and_clr2_context_is_bundled_and_in_the_docs_table() {
    let docs = table(&read("../../docs/data-integrity.md"));
    let readme = table(&read("contexts/README.md"));
    for url in OB3_CLR2 {
        assert!(
            BUNDLED_CONTEXTS.iter().any(|(u, _, _)| u == url),
            "{url} not bundled"
        );
        assert_eq!(
            docs.get(*url),
            readme.get(*url),
            "{url} in docs/data-integrity.md"
        );
    }
}

/// A credential signed under each OB 3.0 / CLR 2.0 context verifies with no network.
#[test]
fn credentials_under_every_ob3_and_clr2_context_verify_offline() {
    let s = Ed25519Signer::from_seed(&[9u8; 32]).unwrap();
    let loader = StaticLoader::with_bundled_contexts();
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let verifier = Verifier::new(&loader).with_clock(&clock);
    // The un-versioned contexts and 3.0.1 predate VC 2.0 (they redefine terms VC 2.0 protects,
    // such as `description`): they are used with the VC 1.1 context, as credentials of their
    // time were.
    let vc1 = |ctx: &str| ctx.ends_with("/context.json") || ctx.ends_with("/context-3.0.1.json");
    let vc = |ctx: &str| {
        if vc1(ctx) {
            "https://www.w3.org/2018/credentials/v1"
        } else {
            "https://www.w3.org/ns/credentials/v2"
        }
    };
    let dated = |mut doc: serde_json::Value, ctx: &str| {
        if vc1(ctx) {
            let o = doc.as_object_mut().unwrap();
            let from = o.remove("validFrom").unwrap();
            o.insert("issuanceDate".into(), from);
        }
        doc
    };
    let badge = |ob: &str| {
        json!({
            "@context": [vc(ob), ob],
            "id": "urn:uuid:4b1f2a3c-5d6e-4f70-8a9b-0c1d2e3f4a5b",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": s.did_key(), "type": ["Profile"], "name": "Example Issuer"},
            "validFrom": "2024-01-01T00:00:00Z",
            "name": "Badge",
            "credentialSubject": {"type": ["AchievementSubject"], "id": "did:example:learner",
                "achievement": {"id": "urn:uuid:6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
                    "type": ["Achievement"], "name": "A", "description": "D",
                    "criteria": {"narrative": "C"}}}
        })
    };
    let mut docs = Vec::new();
    for ob in &OB3_CLR2[..4] {
        docs.push((ob.to_string(), dated(badge(ob), ob)));
    }
    for clr in &OB3_CLR2[5..] {
        // The embedded credential of the same era (a VC 1.1 one inside a VC 1.1 CLR).
        let inner = if vc1(clr) {
            dated(badge(OB3_CLR2[0]), OB3_CLR2[0])
        } else {
            badge(OB3_CLR2[3])
        };
        let clr_doc = json!({
            "@context": if vc1(clr) {
                json!([vc(clr), clr, OB3_CLR2[0]])
            } else {
                json!([vc(clr), clr, OB3_CLR2[3]])
            },
            "id": "urn:uuid:8a9b0c1d-2e3f-4a5b-8c7d-9e0f1a2b3c4d",
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": {"id": s.did_key(), "type": ["Profile"], "name": "Example Issuer"},
            "validFrom": "2024-01-01T00:00:00Z",
            "name": "Transcript",
            "credentialSubject": {"type": ["ClrSubject"], "id": "did:example:learner",
                "verifiableCredential": [inner]}
        });
        docs.push((clr.to_string(), dated(clr_doc, clr)));
    }
    for (ctx, doc) in docs {
        let doc = sign(
            &doc,
            &s,
            &ProofOptions::new(s.verification_method_did_key(), "2025-01-01T00:00:00Z"),
        )
        .unwrap_or_else(|e| panic!("{ctx}: {e}"));
        let r = verifier.verify_bytes(&ctx, &serde_json::to_vec(&doc).unwrap());
        assert_eq!(r.status(), Status::Valid, "{ctx}: {r:#?}");
    }
}

/// The un-versioned CLR 2.0 context is not bundled (no copy in the curated fixture set): the CLR
/// spec vector under it could not be checked (`UNKNOWN_CONTEXT`), never valid and never invalid.
#[test]
fn unversioned_clr_context_is_not_bundled_so_the_proof_could_not_be_checked() {
    let unversioned = "https://purl.imsglobal.org/spec/clr/v2p0/context.json";
    assert!(!BUNDLED_CONTEXTS.iter().any(|(u, _, _)| *u == unversioned));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ob3/spec-vectors/clrv2p0-signed-eddsa-rdfc-2022.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let ctx = doc["@context"].as_array_mut().unwrap();
    let i = ctx
        .iter()
        .position(|c| c == "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json")
        .unwrap();
    ctx[i] = json!(unversioned);
    let loader = StaticLoader::with_bundled_contexts();
    let clock = FixedClock::parse("2025-06-01T00:00:00Z").unwrap();
    let r = Verifier::new(&loader)
        .with_clock(&clock)
        .verify_bytes("clr.json", &serde_json::to_vec(&doc).unwrap());
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
    assert!(
        r.errors
            .iter()
            .any(|e| e.message.contains("UNKNOWN_CONTEXT") && e.message.contains(unversioned)),
        "{r:#?}"
    );
}
