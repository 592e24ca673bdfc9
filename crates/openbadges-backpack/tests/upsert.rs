//! The OB 3.0 API `upsertCredential` server side over real fixtures: bearer-token scopes,
//! 201 then 200 for the same credential, 400 (with `Imsx_StatusInfo`) for a tampered one, a
//! non-credential or a stranger's badge, 413 over the cap, 415 for another media type.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use openbadges_backpack::export::api::{
    ApiTokens, MAX_UPSERT_BYTES, Page, SCOPE_READONLY, SCOPE_UPSERT, ob3_get_credentials,
    ob3_upsert_credential,
};
use openbadges_backpack::proof::ProofVerifier;
use openbadges_backpack::{MemoryStore, Store};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::Status;
use openbadges_proof::verify::{FixedClock, Verifier};
use serde_json::Value;

const VALID: &str = "ob3/1edtech-validator/simple-context-alias.json";
const TAMPERED: &str = "ob3/1edtech-validator/simple-err-proof-value.json";

fn minor(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(v["imsx_codeMajor"], "failure");
    assert_eq!(v["imsx_severity"], "error");
    assert!(
        v["imsx_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    v["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn upsert_creates_then_reports_the_duplicate_and_refuses_bad_bodies() {
    let mut loader = StaticLoader::with_bundled_contexts();
    add_https_issuer_documents(&mut loader);
    let clock = FixedClock::parse("2026-12-01T00:00:00Z").unwrap();
    let mut bp = backpack(
        MemoryStore::new(),
        ProofVerifier::new(Verifier::new(&loader).with_clock(&clock)),
    );
    let json = Some("application/json; charset=utf-8");

    // Created: 201 with the credential as sent; stored and verified.
    let valid = fixture(VALID);
    let r = ob3_upsert_credential(&mut bp, json, &valid, MAX_UPSERT_BYTES).unwrap();
    assert_eq!(r.reply.status, 201, "{:?}", r.report);
    assert_eq!(r.reply.content_type, "application/json");
    assert_eq!(r.reply.body, valid);
    let held = bp.store().badges().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].verification.status, Status::Valid);
    // The same again: 200, nothing new.
    let r = ob3_upsert_credential(&mut bp, json, &valid, MAX_UPSERT_BYTES).unwrap();
    assert_eq!(r.reply.status, 200);
    assert_eq!(bp.store().badges().unwrap().len(), 1);
    // It is listed by getCredentials.
    let got = ob3_get_credentials(bp.store(), &Page::default(), "x").unwrap();
    assert_eq!(got.body["credential"].as_array().unwrap().len(), 1);

    // A tampered copy (proof value changed): 400 invalid_data, nothing stored.
    let r = ob3_upsert_credential(&mut bp, json, &fixture(TAMPERED), MAX_UPSERT_BYTES).unwrap();
    assert_eq!(r.reply.status, 400);
    assert_eq!(minor(&r.reply.body), "invalid_data");
    let why = String::from_utf8_lossy(&r.reply.body).into_owned();
    assert!(why.contains("SIGNATURE_INVALID"), "{why}");
    assert_eq!(bp.store().badges().unwrap().len(), 1);

    // Someone else's badge (recipient not among the owner's identifiers): 400.
    let other = fixture("ob3/1edtech-validator/simple-eddsa-2022.json");
    let r = ob3_upsert_credential(&mut bp, json, &other, MAX_UPSERT_BYTES).unwrap();
    assert_eq!(r.reply.status, 400);
    assert!(String::from_utf8_lossy(&r.reply.body).contains("recipient"));

    // Not an OB 3.0 credential (an OB 2.0 assertion, an endorsement, not JSON): 400.
    for body in [
        fixture("ob2/served/hosted/valid.json"),
        fixture("ob3/1edtech-validator/endorsement-valid.json"),
        b"{not json".to_vec(),
    ] {
        let r = ob3_upsert_credential(&mut bp, json, &body, MAX_UPSERT_BYTES).unwrap();
        assert_eq!(r.reply.status, 400);
        assert!(r.report.is_none());
    }
    // text/plain must be one compact JWS.
    let r = ob3_upsert_credential(&mut bp, Some("text/plain"), b"a.b", MAX_UPSERT_BYTES).unwrap();
    assert_eq!(r.reply.status, 400);
    // Over the cap: 413 before anything is parsed.
    let r = ob3_upsert_credential(&mut bp, json, &valid, valid.len() - 1).unwrap();
    assert_eq!(r.reply.status, 413);
    // Another media type: 415.
    let r =
        ob3_upsert_credential(&mut bp, Some("application/xml"), &valid, MAX_UPSERT_BYTES).unwrap();
    assert_eq!(r.reply.status, 415);
    let r = ob3_upsert_credential(&mut bp, None, &valid, MAX_UPSERT_BYTES).unwrap();
    assert_eq!(r.reply.status, 415);
    assert_eq!(bp.store().badges().unwrap().len(), 1);
}

#[test]
fn tokens_are_created_private_and_checked_by_scope() {
    let dir = std::env::temp_dir().join(format!("ob-upsert-tokens-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("api-tokens.json");
    let tokens = ApiTokens::load_or_create(&path).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Restarting reads the same tokens.
    assert_eq!(ApiTokens::load_or_create(&path).unwrap(), tokens);
    let up = tokens.token_for(SCOPE_UPSERT).unwrap().secret().to_owned();
    let ro = tokens
        .token_for(SCOPE_READONLY)
        .unwrap()
        .secret()
        .to_owned();
    assert_ne!(up, ro);
    assert!(up.len() >= 43);
    // Debug never shows a secret.
    assert!(!format!("{tokens:?}").contains(&up));

    assert!(
        tokens
            .authorize(Some(&format!("Bearer {up}")), SCOPE_UPSERT)
            .is_ok()
    );
    assert!(
        tokens
            .authorize(Some(&format!("bearer  {ro}")), SCOPE_READONLY)
            .is_ok()
    );
    for (header, status) in [
        (None, 401),
        (Some("Basic abc".to_owned()), 401),
        (Some("Bearer ".to_owned()), 401),
        (Some(format!("Bearer {up}x")), 401),
        (Some(format!("Bearer {ro}")), 403),
    ] {
        let e = tokens
            .authorize(header.as_deref(), SCOPE_UPSERT)
            .unwrap_err();
        assert_eq!(e.status, status, "{header:?}");
        let challenge = e.www_authenticate.unwrap();
        assert!(challenge.starts_with("Bearer "), "{challenge}");
        if status == 403 {
            assert!(challenge.contains("insufficient_scope"));
            assert_eq!(minor(&e.body), "forbidden");
        } else {
            assert_eq!(minor(&e.body), "unauthorizedrequest");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
