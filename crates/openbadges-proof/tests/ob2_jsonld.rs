//! OB 1.x/2.0 documents are JSON-LD: context aliases (`verify` = `verification`, `revoked` =
//! `revokedAssertions`), equivalent contexts (the v2 context inline, terms of a document's own),
//! hosted scope compared by host, and verdicts decided before anything is fetched. The
//! documents are the served fixtures (fixtures/ob2/served) rewritten as each case says; see
//! fixtures/ob2/MANIFEST.md "JSON-LD equivalents".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_proof::jws;
use openbadges_proof::loader::{OB_V2_CONTEXT, StaticLoader};
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::verify::{RecipientProfile, Verifier};
use serde_json::{Value, json};

mod common;
use common::{
    OB2_BASE, assert_invalid, ob2_fixture_key, ob2_loader, ob2_resigned, ob2_signed_payload,
    served, served_json,
};

/// The issuer's documents from the fixtures, the undeclared key and the hosted assertion.
fn base_loader() -> StaticLoader {
    ob2_loader(&[
        "issuer.json",
        "badgeclass.json",
        "key.json",
        "key-undeclared.json",
        "revocations.json",
        "hosted/valid.json",
    ])
}

fn verify(loader: &StaticLoader, input: &[u8]) -> Report {
    let clock = common::clock();
    Verifier::new(loader)
        .with_clock(&clock)
        .with_recipient(RecipientProfile::new().email("student@example.org"))
        .verify_bytes("jsonld", input)
}

/// The v2 context written inline: the object the published context document holds.
fn inline_v2() -> Value {
    serde_json::from_str::<Value>(OB_V2_CONTEXT).unwrap()["@context"].clone()
}

fn assert_valid(r: &Report) {
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
}

fn has_warning(r: &Report, code: Code) -> bool {
    r.warnings.iter().any(|w| w.code == code)
}

// ------------------------------------------------------------------ aliases

/// The fixture's signed payload with `verification` written as its alias `verify`, signed
/// over those bytes.
fn signed_with_verify_alias(creator: &str) -> String {
    let mut a = ob2_signed_payload();
    let obj = a.as_object_mut().unwrap();
    obj.remove("verification");
    obj.insert(
        "verify".into(),
        json!({"type": "SignedBadge", "creator": creator}),
    );
    let payload = serde_json::to_vec(&a).unwrap();
    jws::sign(&payload, &ob2_fixture_key(), Some(creator)).unwrap()
}

#[test]
fn signed_assertion_declaring_signed_badge_under_the_verify_alias_is_valid() {
    let t = signed_with_verify_alias(&format!("{OB2_BASE}/key.json"));
    assert_valid(&verify(&base_loader(), t.as_bytes()));
}

#[test]
fn verify_alias_creator_is_the_key_checked_for_ownership() {
    // The key named through the alias is the one tried: a key the issuer does not list fails.
    let t = signed_with_verify_alias(&format!("{OB2_BASE}/key-undeclared.json"));
    let r = verify(&base_loader(), t.as_bytes());
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert!(
        r.has_error(Code::KeyNotOwnedByIssuer) || r.has_error(Code::SignatureInvalid),
        "{r:#?}"
    );
}

#[test]
fn revocation_list_naming_its_entries_with_the_revoked_alias_still_revokes() {
    let id = "urn:uuid:11111111-2222-4333-8444-555555555555";
    let mut l = base_loader();
    l.insert_json(
        &format!("{OB2_BASE}/revocations.json"),
        &json!({"@context": "https://w3id.org/openbadges/v2", "id": format!("{OB2_BASE}/revocations.json"),
            "type": "RevocationList", "revoked": [{"id": id, "revocationReason": "r"}]}),
    );
    let mut a = ob2_signed_payload();
    a["id"] = json!(id);
    let t = ob2_resigned(&a);
    assert_invalid(&verify(&l, t.as_bytes()), Code::Revoked);
}

// ------------------------------------------------------------------ equivalent contexts

/// The hosted trio with every `@context` replaced by `ctx`.
fn hosted_trio_with_context(ctx: &Value, issuer_file: &str) -> (StaticLoader, Vec<u8>) {
    let mut l = base_loader();
    let mut issuer = served_json(issuer_file);
    issuer["@context"] = ctx.clone();
    l.insert_json(&format!("{OB2_BASE}/{issuer_file}"), &issuer);
    let mut bc = served_json("badgeclass.json");
    bc["@context"] = ctx.clone();
    bc["issuer"] = json!(format!("{OB2_BASE}/{issuer_file}"));
    l.insert_json(&format!("{OB2_BASE}/badgeclass.json"), &bc);
    let mut a = served_json("hosted/valid.json");
    a["@context"] = ctx.clone();
    l.insert_json(&format!("{OB2_BASE}/hosted/valid.json"), &a);
    (l, serde_json::to_vec(&a).unwrap())
}

#[test]
fn hosted_badge_whose_documents_carry_the_v2_context_inline_is_valid() {
    let (l, input) = hosted_trio_with_context(&inline_v2(), "issuer.json");
    assert_valid(&verify(&l, &input));
}

#[test]
fn inline_context_issuer_still_enforces_its_allowed_origins() {
    // Was hidden behind "the issuer is not an open badges profile".
    let (l, input) = hosted_trio_with_context(&inline_v2(), "issuer-origins.json");
    let r = verify(&l, &input);
    assert_invalid(&r, Code::OutOfVerificationScope);
    assert!(!r.has_error(Code::SchemaInvalid), "{r:#?}");
}

#[test]
fn context_array_with_the_v2_url_and_an_extension_context_is_valid() {
    let ctx = json!([
        "https://w3id.org/openbadges/v2",
        {"ex": "https://example.org/ns#", "note": "ex:note"}
    ]);
    let (l, input) = hosted_trio_with_context(&ctx, "issuer.json");
    assert_valid(&verify(&l, &input));
}

#[test]
fn documents_with_terms_of_their_own_are_read_by_their_expanded_iris() {
    // A badge class whose context names the v2 properties in French (the OB 2.0 text invites
    // contexts in other languages): expanded, it is the fixture's badge class.
    let mut l = base_loader();
    let ctx = json!({
        "@vocab": "https://w3id.org/openbadges#",
        "schema": "http://schema.org/",
        "id": "@id", "type": "@type",
        "nom": "schema:name", "description": "schema:description",
        "image": {"@id": "schema:image", "@type": "@id"},
        "critere": {"@id": "https://w3id.org/openbadges#criteria", "@type": "@id"},
        "recit": "https://w3id.org/openbadges#narrative",
        "emetteur": {"@id": "https://w3id.org/openbadges#issuer", "@type": "@id"}
    });
    let bc = json!({"@context": ctx, "id": format!("{OB2_BASE}/badgeclass.json"), "type": "BadgeClass",
        "nom": "Badges 101", "description": "Passed the Badges 101 quiz.",
        "image": format!("{OB2_BASE}/badge.png"), "critere": {"recit": "Answer all questions."},
        "emetteur": format!("{OB2_BASE}/issuer.json")});
    l.insert_json(&format!("{OB2_BASE}/badgeclass.json"), &bc);
    assert_valid(&verify(&l, &served("hosted/valid.json")));
}

#[test]
fn an_assertion_whose_context_is_unknown_is_still_not_a_badge() {
    let mut a = served_json("hosted/valid.json");
    a["@context"] = json!("https://example.org/not-a-badge-context");
    let r = verify(&base_loader(), &serde_json::to_vec(&a).unwrap());
    assert_invalid(&r, Code::InputUnrecognized);
}

// ------------------------------------------------------------------ origins are hosts

/// Issuer at `issuer_id`, badge class and assertion at the given URLs, all served.
fn scoped_site(
    issuer_id: &str,
    bc_id: &str,
    a_id: &str,
    policy: Option<Value>,
) -> (StaticLoader, Vec<u8>) {
    let mut l = StaticLoader::with_bundled_contexts();
    let mut issuer = served_json("issuer.json");
    issuer["id"] = json!(issuer_id);
    if let Some(p) = policy {
        issuer["verification"] = p;
    }
    l.insert_json(issuer_id, &issuer);
    let mut bc = served_json("badgeclass.json");
    bc["id"] = json!(bc_id);
    bc["issuer"] = json!(issuer_id);
    l.insert_json(bc_id, &bc);
    let mut a = served_json("hosted/valid.json");
    a["id"] = json!(a_id);
    a["badge"] = json!(bc_id);
    l.insert_json(a_id, &a);
    (l, serde_json::to_vec(&a).unwrap())
}

#[test]
fn http_assertion_of_an_https_issuer_on_the_same_host_is_a_warning_not_out_of_scope() {
    let (l, input) = scoped_site(
        "https://badges.example.org/issuer.json",
        "https://badges.example.org/badge.json",
        "http://badges.example.org/a/1.json",
        None,
    );
    let r = verify(&l, &input);
    assert_valid(&r);
    assert!(has_warning(&r, Code::SchemeChanged), "{r:#?}");
}

#[test]
fn starts_with_prefix_matched_only_under_the_other_scheme_is_a_warning() {
    let (l, input) = scoped_site(
        "https://badges.example.org/issuer.json",
        "https://badges.example.org/badge.json",
        "http://badges.example.org/a/1.json",
        Some(json!({"type": "VerificationObject", "startsWith": "https://badges.example.org/a/"})),
    );
    let r = verify(&l, &input);
    assert_valid(&r);
    assert!(has_warning(&r, Code::SchemeChanged), "{r:#?}");
}

#[test]
fn localhost_and_127_0_0_1_are_different_hosts() {
    let (l, input) = scoped_site(
        "http://localhost:8765/issuer.json",
        "http://localhost:8765/badge.json",
        "http://127.0.0.1:8765/a/1.json",
        None,
    );
    assert_invalid(&verify(&l, &input), Code::OutOfVerificationScope);
}

#[test]
fn another_port_on_the_issuers_host_is_another_origin() {
    let (l, input) = scoped_site(
        "http://127.0.0.1:8765/issuer.json",
        "http://127.0.0.1:8765/badge.json",
        "http://127.0.0.1:9999/a/1.json",
        None,
    );
    assert_invalid(&verify(&l, &input), Code::OutOfVerificationScope);
}

#[test]
fn allowed_origins_names_a_host_whatever_the_port_and_scheme() {
    let policy = json!({"type": "VerificationObject", "allowedOrigins": ["Badges.Example.org"]});
    let (l, input) = scoped_site(
        "https://example.org/issuer.json",
        "https://badges.example.org:8443/badge.json",
        "http://badges.example.org:8080/a/1.json",
        Some(policy.clone()),
    );
    assert_valid(&verify(&l, &input));
    let (l, input) = scoped_site(
        "https://example.org/issuer.json",
        "https://badges.example.org/badge.json",
        "https://evil-badges.example.org/a/1.json",
        Some(policy),
    );
    assert_invalid(&verify(&l, &input), Code::OutOfVerificationScope);
}

// ------------------------------------------------------------------ decided before fetching

#[test]
fn a_badge_class_given_to_verify_is_invalid_without_fetching_anything() {
    let r = verify(&StaticLoader::new(), &served("badgeclass.json"));
    assert_invalid(&r, Code::InputUnrecognized);
}

#[test]
fn a_hosted_stub_saying_revoked_is_invalid_without_fetching_anything() {
    let r = verify(&StaticLoader::new(), &served("hosted/revoked-flag.json"));
    assert_invalid(&r, Code::Revoked);
}

#[test]
fn a_hosted_assertion_that_needs_its_copy_is_still_could_not_check_offline() {
    let r = verify(&StaticLoader::new(), &served("hosted/valid.json"));
    assert_eq!(r.status(), Status::Indeterminate, "{r:#?}");
}

#[test]
fn badge_class_served_off_the_issuers_host_is_out_of_scope_whatever_id_it_declares() {
    // The badge class is fetched from another host but declares an id on the issuer's host:
    // where it was fetched from is what the scope check must look at.
    let mut l = base_loader();
    let evil = "http://evil.example/badgeclass.json";
    l.insert_json(evil, &served_json("badgeclass.json"));
    let mut a = served_json("hosted/valid.json");
    a["badge"] = json!(evil);
    l.insert_json(&format!("{OB2_BASE}/hosted/valid.json"), &a);
    let r = verify(&l, &serde_json::to_vec(&a).unwrap());
    assert_invalid(&r, Code::OutOfVerificationScope);
}

#[test]
fn signed_payload_saying_revoked_is_revoked_even_offline() {
    // The issuer's own signed statement that the assertion is revoked: a revocation list
    // that does not list it does not make it valid, and no fetch is needed to say so.
    let mut a = ob2_signed_payload();
    a["revoked"] = json!(true);
    let t = ob2_resigned(&a);
    assert_invalid(&verify(&base_loader(), t.as_bytes()), Code::Revoked);
    assert_invalid(&verify(&StaticLoader::new(), t.as_bytes()), Code::Revoked);
}
