//! Import: every fixture against a golden results file, re-import, supersede, identity,
//! verification outcomes, input forms.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use base64::Engine as _;
use common::*;
use openbadges_backpack::{
    BadgeState, ImportLimits, ImportResult, MemoryStore, Source, SourceKind, Store,
};
use openbadges_proof::report::Status;
use serde_json::{Value, json};

const GOLDEN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/import-fixtures.txt"
);

fn import_all(
    bp: &mut openbadges_backpack::Backpack<MemoryStore, FixedVerifier>,
    files: &[String],
) -> Vec<String> {
    let mut lines = Vec::new();
    for f in files {
        let report = bp.import(&fixture(f), file(f)).unwrap();
        for item in &report.items {
            let suffix = item.input.strip_prefix(f.as_str()).unwrap_or(&item.input);
            let detail = match item.result {
                ImportResult::Failed => item.reason.clone().unwrap_or_default(),
                _ => item.id.as_ref().map(|i| i.to_string()).unwrap_or_default(),
            };
            lines.push(format!("{f}{suffix}\t{}\t{detail}", item.result.as_str()));
        }
    }
    lines
}

/// Imports every fixture (all versions and kinds) and compares the outcomes with the golden
/// file; `UPDATE_GOLDEN=1` rewrites it. Then imports them all again: nothing new is imported.
#[test]
fn every_fixture_matches_the_golden_results_and_reimport_is_all_duplicates() {
    let files = fixture_files(&["backpack", "ob2", "ob3"]);
    let files: Vec<String> = files.into_iter().filter(|f| !f.ends_with(".md")).collect();
    assert!(files.len() > 150, "fixtures missing: {}", files.len());
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Indeterminate))
        .with_fetcher(ServedFetcher);
    let lines = import_all(&mut bp, &files);
    let text = lines.join("\n") + "\n";
    assert_golden(GOLDEN, &text, "import outcomes");
    let imported = lines.iter().filter(|l| l.contains("\timported\t")).count();
    assert!(imported >= 40, "only {imported} imported");

    // The same set again: everything that was held is a duplicate, nothing is imported.
    let before = bp.store().badges().unwrap();
    let again = import_all(&mut bp, &files);
    assert_eq!(again.len(), lines.len());
    for (first, second) in lines.iter().zip(&again) {
        assert!(
            !second.contains("\timported\t"),
            "re-import imported: {second}"
        );
        if first.contains("\timported\t") || first.contains("\tduplicate\t") {
            assert!(second.contains("\tduplicate\t"), "{first} -> {second}");
        } else {
            assert_eq!(first, second);
        }
    }
    assert_eq!(bp.store().badges().unwrap(), before);
}

fn ob3_credential(id: &str, valid_from: &str, name: &str) -> Value {
    let mut c = fixture_json("ob3/examples/basicOpenBadgeCredential.json");
    c["id"] = json!(id);
    c["validFrom"] = json!(valid_from);
    c["credentialSubject"]["id"] = json!("did:example:ebfeb1f712ebc6f1c276e12ec21");
    c["credentialSubject"]["achievement"]["name"] = json!(name);
    c
}

#[test]
fn a_newer_reissue_supersedes_and_an_older_one_is_a_duplicate() {
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let v1 = ob3_credential(
        "http://example.edu/credentials/3732",
        "2010-01-01T00:00:00Z",
        "Old",
    );
    // Same credential: id percent-encoded and padded with whitespace, issuer as an object.
    let mut v2 = ob3_credential(
        " http://example.edu/credentials/%33732 ",
        "2012-01-01T00:00:00Z",
        "New",
    );
    let issuer = v2["issuer"].clone();
    let issuer_id = issuer.get("id").cloned().unwrap_or(issuer);
    v2["issuer"] = json!({"id": issuer_id, "type": "Profile", "name": "Renamed"});

    let r1 = bp
        .import(v1.to_string().as_bytes(), file("v1.json"))
        .unwrap();
    assert_eq!(r1.result(), ImportResult::Imported);
    let id = r1.items[0].id.clone().unwrap();

    let r2 = bp
        .import(v2.to_string().as_bytes(), file("v2.json"))
        .unwrap();
    assert_eq!(r2.result(), ImportResult::Imported);
    assert_eq!(r2.items[0].id.as_ref(), Some(&id));
    assert!(
        r2.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("supersedes")
    );
    let held = bp.store().badge(&id).unwrap().unwrap();
    assert_eq!(held.name(), Some("New"));
    assert_eq!(held.original, v2.to_string().into_bytes());
    assert_eq!(bp.store().badges().unwrap().len(), 1);

    // The older issue arriving later changes nothing.
    let r3 = bp
        .import(v1.to_string().as_bytes(), file("v1-again.json"))
        .unwrap();
    assert_eq!(r3.result(), ImportResult::Duplicate);
    assert_eq!(bp.store().badge(&id).unwrap().unwrap().name(), Some("New"));
}

#[test]
fn rejected_badges_are_re_accepted_by_re_import() {
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let f = "backpack/badgr-import-testfiles/2_0_assertion_embedded_badgeclass.json";
    let id = bp.import(&fixture(f), file(f)).unwrap().items[0]
        .id
        .clone()
        .unwrap();
    bp.reject(&id).unwrap();
    assert!(bp.badges().unwrap().is_empty());
    assert_eq!(
        bp.store().badge(&id).unwrap().unwrap().state,
        BadgeState::Rejected
    );
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.result(), ImportResult::Imported);
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("re-accepted")
    );
    assert_eq!(bp.badges().unwrap().len(), 1);
}

#[test]
fn invalid_badges_fail_and_indeterminate_ones_are_kept_as_such() {
    let f = "backpack/badgr-import-testfiles/2_0_assertion_embedded_badgeclass.json";
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Invalid));
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("SIGNATURE_INVALID")
    );
    assert!(bp.store().badges().unwrap().is_empty());

    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Indeterminate));
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.result(), ImportResult::Imported);
    let b = &bp.store().badges().unwrap()[0];
    assert_eq!(b.verification.status, Status::Indeterminate);
    let report: Value = serde_json::from_str(&b.verification.report).unwrap();
    assert_eq!(report["errors"][0]["code"], "FETCH_FAILED");
    assert_eq!(b.verification.checked_at, t0());
}

#[test]
fn the_record_keeps_source_kind_version_and_the_matched_identity() {
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let f = "ob2/served/hosted/valid.json";
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    let b = &bp.store().badges().unwrap()[0];
    assert_eq!(b.original, fixture(f));
    assert_eq!(b.source.kind, SourceKind::File);
    assert_eq!(b.source.location, f);
    assert_eq!(b.version.as_str(), "2.0");
    assert_eq!(b.class.as_deref(), Some("Assertion"));
    assert_eq!(b.recipient.identifier.value, "student@example.org");
    assert_eq!(b.recipient.method, openbadges_backpack::MatchMethod::Hashed);
    assert_eq!(b.imported_at, t0());
    assert!(b.dedup_key.as_str().starts_with("ob2:"));
    let line = serde_json::to_value(b.summary()).unwrap();
    assert_eq!(line["id"], b.id.as_str());
    // The badge's own id beside the record id.
    assert_eq!(line["badgeId"], "http://127.0.0.1:8765/hosted/valid.json");
    assert_eq!(line["version"], "2.0");
    assert_eq!(line["kind"], "json");
    assert_eq!(line["state"], "accepted");
    assert_eq!(line["verification"], "valid");
    assert_eq!(line["recipient"]["kind"], "email");
    assert_eq!(line["issued"], "2024-01-15T12:00:00Z");
}

#[test]
fn a_recipient_who_is_not_the_owner_is_refused() {
    let mut bp =
        openbadges_backpack::Backpack::new(MemoryStore::new(), FixedVerifier(Status::Valid));
    bp.add_identifier(openbadges_model::Identity::parse("email:other@example.org").unwrap())
        .unwrap();
    let f = "ob2/served/hosted/valid.json";
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("verified identifiers")
    );
}

#[test]
fn clr_is_kept_and_unbundled() {
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let f = "backpack/clr20/simple.json";
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.counts(), (2, 0, 0), "{r:?}");
    let clr_id = r.items[0].id.clone().unwrap();
    let badges = bp.store().badges().unwrap();
    let clr = badges.iter().find(|b| b.id == clr_id).unwrap();
    assert!(clr.is_clr());
    assert_eq!(clr.original, fixture(f));
    let member = badges.iter().find(|b| b.id != clr_id).unwrap();
    assert_eq!(member.version.as_str(), "3.0");
    assert_eq!(
        member.source.within.as_deref(),
        Some(format!("clr:{clr_id}/credentialSubject/verifiableCredential/0").as_str())
    );
    // The member's original is its JSON as it stood in the CLR.
    let clr_doc = fixture_json(f);
    let embedded = &clr_doc["credentialSubject"]["verifiableCredential"][0];
    assert_eq!(
        serde_json::from_slice::<Value>(&member.original).unwrap(),
        *embedded
    );
}

fn jws_of(payload: &Value) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.{}",
        b64.encode(br#"{"alg":"EdDSA"}"#),
        b64.encode(payload.to_string()),
        b64.encode(b"not-a-real-signature")
    )
}

#[test]
fn ob3_api_responses_normative_and_published_keys() {
    let a = ob3_credential("urn:uuid:a", "2020-01-01T00:00:00Z", "A");
    let b = ob3_credential("urn:uuid:b", "2020-01-01T00:00:00Z", "B");
    let c = ob3_credential("urn:uuid:c", "2020-01-01T00:00:00Z", "C");
    let normative = json!({"credential": [a, b], "compactJwsString": [jws_of(&c)]});
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp
        .import(
            normative.to_string().as_bytes(),
            Source::new(
                SourceKind::Api,
                "https://issuer.example/ims/ob/v3p0/credentials",
            ),
        )
        .unwrap();
    assert_eq!(r.counts(), (3, 0, 0), "{r:?}");
    let jws_badge = bp
        .store()
        .badges()
        .unwrap()
        .into_iter()
        .find(|b| b.name() == Some("C"))
        .unwrap();
    assert_eq!(jws_badge.original, jws_of(&c).into_bytes());
    assert_eq!(jws_badge.input_kind.as_str(), "jws");
    assert_eq!(
        jws_badge.source.within.as_deref(),
        Some("ob30-api/compactJwsString/0")
    );

    // The published example's `compactJwsStrings` key is accepted too.
    let published = json!({"compactJwsStrings": [jws_of(&c)]});
    let r = bp
        .import(published.to_string().as_bytes(), file("published.json"))
        .unwrap();
    assert_eq!(r.counts(), (0, 1, 0));
    // The published example itself holds placeholder strings, which fail one by one.
    let f = "backpack/ob30-api/example-getCredentials-200-as-published.json";
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.counts(), (0, 0, 2));
}

#[test]
fn badge_connect_and_displayer_responses() {
    let assertion =
        fixture_json("backpack/badgr-import-testfiles/2_0_assertion_embedded_badgeclass.json");
    let body = json!({"status": {"statusCode": 200, "statusText": "OK"}, "assertions": [assertion], "signedAssertions": []});
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp
        .import(body.to_string().as_bytes(), file("bc.json"))
        .unwrap();
    assert_eq!(r.counts(), (1, 0, 0), "{r:?}");
    assert_eq!(r.items[0].input, "bc.json#badge-connect/assertions/0");

    // The Displayer fixture's recipient is a truncated placeholder hash: reported, not stored.
    let f = "backpack/mozilla-displayer/group-200.json";
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.counts(), (0, 0, 1));
    assert!(
        r.items[0].reason.as_deref().unwrap().contains("malformed"),
        "{r:?}"
    );
}

#[test]
fn svg_with_script_is_refused_and_never_stored() {
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let svg = fixture("ob2/baked/hosted-valid.svg");
    let text = String::from_utf8(svg).unwrap();
    let hostile = text.replacen("<svg", "<svg onload=\"alert(1)\"", 1);
    let r = bp.import(hostile.as_bytes(), file("hostile.svg")).unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(r.items[0].reason.as_deref().unwrap().contains("script"));
    let hostile = text.replacen("</svg>", "<script>alert(1)</script></svg>", 1);
    let r = bp.import(hostile.as_bytes(), file("hostile2.svg")).unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(bp.store().badges().unwrap().is_empty());
    // The clean original imports.
    let r = bp.import(text.as_bytes(), file("clean.svg")).unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
}

#[test]
fn size_caps_apply_before_parsing() {
    let mut bp =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_limits(ImportLimits {
            max_input_bytes: 100,
            ..ImportLimits::default()
        });
    let f = "backpack/badgr-import-testfiles/2_0_assertion_embedded_badgeclass.json";
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(r.items[0].reason.as_deref().unwrap().contains("limit"));

    let mut bp =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_limits(ImportLimits {
            max_items: 1,
            ..ImportLimits::default()
        });
    let body = json!({"compactJwsStrings": ["a.b.c", "a.b.c"]});
    let r = bp
        .import(body.to_string().as_bytes(), file("many.json"))
        .unwrap();
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("more than 1"),
        "{r:?}"
    );
}

#[test]
fn garbage_never_panics() {
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    for input in [
        &b""[..],
        b"{",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        b"\x89PNG\r\n\x1a\n\0\0",
        b"PK\x03\x04garbage",
        b"<svg",
        b"a.b.c",
        b"https://example.org/assertion",
        b"{\"credential\": 5}",
        b"{\"@context\": \"https://w3id.org/openbadges/v2\", \"type\": \"BadgeClass\"}",
    ] {
        let r = bp.import(input, file("x")).unwrap();
        assert_eq!(r.result(), ImportResult::Failed, "{input:?}: {r:?}");
        assert!(r.items.iter().all(|i| i.reason.is_some()));
    }
}

#[test]
fn summary_has_the_learner_credential_wallet_shape() {
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let a = ob3_credential("urn:uuid:a", "2020-01-01T00:00:00Z", "Alpha");
    let body = json!({"credential": [a.clone(), a, {"x": 1}]});
    let r = bp
        .import(body.to_string().as_bytes(), file("api.json"))
        .unwrap();
    let s = serde_json::to_value(r.summary()).unwrap();
    assert_eq!(s["success"], json!(["Alpha"]));
    assert_eq!(s["duplicate"], json!(["Alpha"]));
    assert_eq!(s["failed"].as_array().unwrap().len(), 1);
    let line = serde_json::to_value(&r.items[0]).unwrap();
    for k in ["input", "result", "id", "reason"] {
        assert!(line.get(k).is_some(), "{k}");
    }
    assert_eq!(line["result"], "imported");
    // The whole input as one CLI line.
    let one = r.line();
    assert_eq!(one["input"], "api.json");
    assert_eq!(one["result"], "imported");
    assert_eq!(one["id"], r.items[0].id.as_ref().unwrap().as_str());
    assert!(
        one["reason"].as_str().unwrap().contains("not a recognised"),
        "{one}"
    );
    // A boxed verifier works too (for callers that pick one at run time).
    let boxed: Box<dyn openbadges_backpack::Verifier> = Box::new(FixedVerifier(Status::Valid));
    let mut bp = backpack(MemoryStore::new(), boxed);
    let f = "ob2/served/hosted/valid.json";
    let failed = bp.import(b"nonsense", file("x")).unwrap().line();
    assert_eq!(failed["result"], "failed");
    assert!(failed["id"].is_null());
    assert_eq!(
        bp.import(&fixture(f), file(f)).unwrap().line()["reason"],
        Value::Null
    );
}

#[test]
fn marker_verifier_fails_only_the_marked_badge_in_a_batch() {
    let mut bp = backpack(MemoryStore::new(), MarkerVerifier(vec!["tampered"]));
    let good = ob3_credential("urn:uuid:good", "2020-01-01T00:00:00Z", "Good");
    let bad = ob3_credential("urn:uuid:tampered", "2020-01-01T00:00:00Z", "Bad");
    let body = json!({"credential": [good, bad]});
    let r = bp
        .import(body.to_string().as_bytes(), file("api.json"))
        .unwrap();
    assert_eq!(r.counts(), (1, 0, 1));
    assert_eq!(bp.store().badges().unwrap().len(), 1);
}

#[test]
fn a_verifiable_presentation_is_unbundled_and_not_kept() {
    let a = ob3_credential("urn:uuid:vp-a", "2020-01-01T00:00:00Z", "A");
    let b = ob3_credential("urn:uuid:vp-b", "2020-01-01T00:00:00Z", "B");
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "verifiableCredential": [a, jws_of(&b)]
    });
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp
        .import(vp.to_string().as_bytes(), file("vp.json"))
        .unwrap();
    assert_eq!(r.counts(), (2, 0, 0), "{r:?}");
    assert_eq!(bp.store().badges().unwrap().len(), 2);
    // The same presentation as a VP-JWT: both credentials are already held.
    let vp_jwt = jws_of(&json!({"iss": "did:example:ebfeb1f712ebc6f1c276e12ec21", "vp": vp}));
    let r = bp.import(vp_jwt.as_bytes(), file("vp.jwt")).unwrap();
    assert_eq!(r.counts(), (0, 2, 0), "{r:?}");
}

#[test]
fn hosted_urls_are_fetched_through_the_fetcher() {
    let url = "http://127.0.0.1:8765/hosted/valid.json";
    // Without a fetcher: a clear failure.
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp
        .import(url.as_bytes(), Source::new(SourceKind::Url, url))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(r.items[0].reason.as_deref().unwrap().contains("no fetcher"));

    let mut bp =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_fetcher(ServedFetcher);
    let r = bp
        .import(url.as_bytes(), Source::new(SourceKind::Url, url))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Imported, "{r:?}");
    let held = &bp.store().badges().unwrap()[0];
    // The badge is the fetched assertion, kept verbatim.
    assert_eq!(held.original, fixture("ob2/served/hosted/valid.json"));
    assert_eq!(held.input_kind.as_str(), "json");
    assert_eq!(held.source.kind, SourceKind::Url);
    // The same assertion baked into a PNG as a URL: the PNG is kept, and it is a duplicate.
    let f = "ob2/baked/hosted-valid-url.png";
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert_eq!(r.result(), ImportResult::Duplicate, "{r:?}");
    // The badge class and its issuer, given as URLs, were fetched and inlined.
    assert_eq!(held.document["badge"]["type"], "BadgeClass");
    assert!(
        held.document["badge"]["issuer"].is_object(),
        "{}",
        held.document
    );
    assert!(held.name().is_some());
    // ... and they survive an archive round trip into a backpack that fetches them again.
    let archive = openbadges_backpack::export::zip::export_zip(bp.store()).unwrap();
    let mut online =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_fetcher(ServedFetcher);
    online.import(&archive, file("a.zip")).unwrap();
    assert_eq!(
        online.store().badges().unwrap(),
        bp.store().badges().unwrap()
    );
    // A backpack that cannot fetch them does not take the archive's word for them: the badge
    // shows only what its original carries.
    let mut offline = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    offline.import(&archive, file("a.zip")).unwrap();
    let restored = &offline.store().badges().unwrap()[0];
    assert_eq!(restored.id, held.id);
    assert_eq!(
        restored.document["badge"],
        "http://127.0.0.1:8765/badgeclass.json"
    );
    // A URL the fetcher cannot serve.
    let r = bp
        .import(b"https://example.org/nowhere", file("u"))
        .unwrap();
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("fetching https://example.org/nowhere failed")
    );
}

#[test]
fn a_tampered_copy_of_a_held_badge_is_reported_not_a_duplicate() {
    let mut bp = backpack(MemoryStore::new(), MarkerVerifier(vec![]));
    let good = ob3_credential("urn:uuid:same", "2020-01-01T00:00:00Z", "Good");
    bp.import(good.to_string().as_bytes(), file("good.json"))
        .unwrap();
    // Byte-identical copy: a duplicate, without a second verification.
    let r = bp
        .import(good.to_string().as_bytes(), file("copy.json"))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Duplicate);
    // A copy with the same issuer and id but other bytes that fail verification.
    let mut bp = openbadges_backpack::Backpack::new(bp.into_store(), TamperVerifier);
    let mut forged = good.clone();
    forged["credentialSubject"]["achievement"]["name"] = json!("Forged");
    let r = bp
        .import(forged.to_string().as_bytes(), file("forged.json"))
        .unwrap();
    assert_eq!(r.result(), ImportResult::Failed, "{r:?}");
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("this copy of badge")
    );
    assert_eq!(bp.store().badges().unwrap()[0].name(), Some("Good"));
}

/// Invalid when the achievement is named "Forged".
struct TamperVerifier;
impl openbadges_backpack::Verifier for TamperVerifier {
    fn verify(
        &self,
        r: &openbadges_backpack::VerifyRequest<'_>,
    ) -> openbadges_backpack::VerificationOutcome {
        let forged = r.document["credentialSubject"]["achievement"]["name"] == "Forged";
        FixedVerifier(if forged {
            Status::Invalid
        } else {
            Status::Valid
        })
        .verify(r)
    }
}

#[test]
fn a_backpack_without_identifiers_says_so() {
    let mut bp =
        openbadges_backpack::Backpack::new(MemoryStore::new(), FixedVerifier(Status::Valid));
    let f = "ob2/served/hosted/valid.json";
    let r = bp.import(&fixture(f), file(f)).unwrap();
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("no verified identifiers")
    );
    let me = openbadges_model::Identity::parse("email:student@example.org").unwrap();
    bp.add_identifier(me.clone()).unwrap();
    assert_eq!(bp.identifiers().unwrap(), vec![me.clone()]);
    assert_eq!(
        bp.import(&fixture(f), file(f)).unwrap().result(),
        ImportResult::Imported
    );
    bp.remove_identifier(me).unwrap();
    assert!(bp.identifiers().unwrap().is_empty());
    // The badge stays.
    assert_eq!(bp.badges().unwrap().len(), 1);
}

#[test]
fn import_all_in_one_transaction_matches_one_by_one() {
    let files: Vec<String> = fixture_files(&[
        "backpack",
        "ob2/served",
        "ob2/baked",
        "ob3/examples",
        "ob3/peers",
    ])
    .into_iter()
    .filter(|f| !f.ends_with(".md"))
    .collect();
    let bytes: Vec<Vec<u8>> = files.iter().map(|f| fixture(f)).collect();

    let mut one =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_fetcher(ServedFetcher);
    let seq: Vec<_> = files
        .iter()
        .zip(&bytes)
        .map(|(f, b)| one.import(b, file(f)).unwrap())
        .collect();

    let mut all =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_fetcher(ServedFetcher);
    let batch = all
        .import_all(
            files
                .iter()
                .zip(&bytes)
                .map(|(f, b)| (b.as_slice(), file(f))),
        )
        .unwrap();
    assert_eq!(batch, seq);
    assert_eq!(all.store().badges().unwrap(), one.store().badges().unwrap());
    assert!(
        seq.iter().any(|r| r.result() == ImportResult::Duplicate),
        "the set holds duplicates"
    );

    // An archive in the middle of a batch is imported too.
    // (Badges baked with a URL are fetched again, as any URL.)
    let archive = openbadges_backpack::export::zip::export_zip(one.store()).unwrap();
    let mut mixed =
        backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_fetcher(ServedFetcher);
    let f = "backpack/clr20/simple.json";
    let reports = mixed
        .import_all([
            (fixture(f).as_slice(), file(f)),
            (archive.as_slice(), file("a.zip")),
        ])
        .unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0].counts(), (2, 0, 0));
    assert_eq!(
        reports[1].counts().0 + reports[1].counts().1,
        one.badges().unwrap().len()
    );
    assert_eq!(mixed.badges().unwrap().len(), one.badges().unwrap().len());
}

#[test]
fn vc_jwt_exp_claim_becomes_the_expiration_date() {
    // VC Data Model 1.1 JWT decoding: `exp` is the credential's expirationDate, as `nbf` is its
    // issuanceDate; an import that dropped it would hold an expired badge as never expiring.
    let mut vc = ob3_credential("urn:uuid:exp", "2020-01-01T00:00:00Z", "Expiring");
    let vc_obj = vc.as_object_mut().unwrap();
    vc_obj.remove("id");
    vc_obj.remove("validFrom");
    vc_obj.remove("issuanceDate");
    vc_obj.insert(
        "@context".into(),
        json!([
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ]),
    );
    let claims =
        json!({"jti": "urn:uuid:exp", "nbf": 1_577_836_800, "exp": 1_609_459_200, "vc": vc});
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp
        .import(jws_of(&claims).as_bytes(), file("exp.jwt"))
        .unwrap();
    assert_eq!(r.counts(), (1, 0, 0), "{r:?}");
    let b = &bp.store().badges().unwrap()[0];
    assert_eq!(b.document["id"], "urn:uuid:exp");
    assert_eq!(b.document["issuanceDate"], "2020-01-01T00:00:00Z");
    assert_eq!(b.document["expirationDate"], "2021-01-01T00:00:00Z");
}

#[test]
fn unsigned_or_padded_jws_is_not_imported_as_a_jws() {
    // An unsigned token (empty signature, as `alg: none` produces) and a padded one are not
    // compact JWS: the one detector says so for the backpack as for the verifier.
    let c = ob3_credential("urn:uuid:unsigned", "2020-01-01T00:00:00Z", "U");
    let signed = jws_of(&c);
    let (unsigned, _) = signed.rsplit_once('.').unwrap();
    let unsigned = format!("{unsigned}.");
    let padded = format!("{signed}==");
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    for token in [unsigned, padded] {
        let r = bp.import(token.as_bytes(), file("token.jwt")).unwrap();
        assert_eq!(r.counts(), (0, 0, 1), "{token}: {r:?}");
    }
    assert!(bp.store().badges().unwrap().is_empty());
}

/// A store that fails its commits from the `fail_from`-th on (counting from 1), as a full disk
/// or a lost database connection would.
#[derive(Debug)]
struct FailingStore {
    inner: MemoryStore,
    commits: std::sync::atomic::AtomicUsize,
    fail_from: usize,
}

impl Store for FailingStore {
    fn badge(
        &self,
        id: &openbadges_backpack::BadgeId,
    ) -> openbadges_backpack::Result<Option<openbadges_backpack::BadgeRecord>> {
        self.inner.badge(id)
    }
    fn badges(&self) -> openbadges_backpack::Result<Vec<openbadges_backpack::BadgeRecord>> {
        self.inner.badges()
    }
    fn collections(&self) -> openbadges_backpack::Result<Vec<openbadges_backpack::Collection>> {
        self.inner.collections()
    }
    fn identifiers(&self) -> openbadges_backpack::Result<Vec<openbadges_model::Identity>> {
        self.inner.identifiers()
    }
    fn commit(&self, writes: Vec<openbadges_backpack::Write>) -> openbadges_backpack::Result<()> {
        let n = 1 + self
            .commits
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if n >= self.fail_from {
            return Err(openbadges_backpack::Error::Storage {
                context: Some("committing".into()),
                source: "the disk is full".into(),
            });
        }
        self.inner.commit(writes)
    }
}

/// The inputs of `import_batches_answers_as_import_all_per_batch`: every fixture, each again
/// two places later (so that a batch holds copies of badges the batch before is still
/// committing), then a tampered copy of a held badge.
fn stream_inputs() -> Vec<(String, Vec<u8>)> {
    let files: Vec<String> =
        fixture_files(&["backpack", "ob2/served", "ob2/baked", "ob3/examples"])
            .into_iter()
            .filter(|f| !f.ends_with(".md"))
            .collect();
    let mut inputs = Vec::new();
    for (i, f) in files.iter().enumerate() {
        inputs.push((f.clone(), fixture(f)));
        if let Some(earlier) = i.checked_sub(2).and_then(|j| files.get(j)) {
            inputs.push((format!("{earlier} again"), fixture(earlier)));
        }
    }
    let mut other = ob3_credential("urn:uuid:stream-1", "2024-01-01T00:00:00Z", "Streamed");
    inputs.push(("stream-1.json".into(), serde_json::to_vec(&other).unwrap()));
    other["name"] = json!("Streamed, another copy");
    inputs.push((
        "stream-1-copy.json".into(),
        serde_json::to_vec(&other).unwrap(),
    ));
    inputs
}

#[test]
fn import_batches_answers_as_import_all_per_batch_and_reports_a_batch_once_committed() {
    let inputs = stream_inputs();
    assert!(inputs.len() > 100, "fixtures missing: {}", inputs.len());
    for size in [1, 2, 3, 7, 50, inputs.len()] {
        let mut one = backpack(MemoryStore::new(), MarkerVerifier(vec!["forged"]))
            .with_fetcher(ServedFetcher);
        let expected: Vec<Vec<_>> = inputs
            .chunks(size)
            .map(|c| {
                one.import_all(c.iter().map(|(name, b)| (b.as_slice(), file(name))))
                    .unwrap()
            })
            .collect();

        let store = std::sync::Arc::new(MemoryStore::new());
        let mut streamed = backpack(
            std::sync::Arc::clone(&store),
            MarkerVerifier(vec!["forged"]),
        )
        .with_fetcher(ServedFetcher);
        let mut got: Vec<Vec<_>> = Vec::new();
        streamed
            .import_batches(
                inputs
                    .chunks(size)
                    .map(|c| c.iter().map(|(name, b)| (b.as_slice(), file(name)))),
                |reports| {
                    // Reported once committed: every badge it imported is in the store.
                    for item in reports.iter().flat_map(|r| &r.items) {
                        if item.result == ImportResult::Imported {
                            let id = item.id.as_ref().unwrap();
                            assert!(store.badge(id).unwrap().is_some(), "{id} not committed");
                        }
                    }
                    got.push(reports);
                },
            )
            .unwrap();
        assert_eq!(got, expected, "batches of {size}");
        assert_eq!(
            store.badges().unwrap(),
            one.store().badges().unwrap(),
            "batches of {size}"
        );
        let results: Vec<ImportResult> = got
            .iter()
            .flatten()
            .flat_map(|r| r.items.iter().map(|i| i.result))
            .collect();
        assert!(
            results.contains(&ImportResult::Duplicate),
            "batches of {size}"
        );
        assert!(
            results.contains(&ImportResult::Imported),
            "batches of {size}"
        );
    }
}

#[test]
fn import_batches_stops_at_a_failed_commit_with_every_earlier_batch_committed_and_reported() {
    let batches: Vec<Vec<(String, Vec<u8>)>> = (0..4)
        .map(|b| {
            (0..5)
                .map(|i| {
                    let c = ob3_credential(
                        &format!("urn:uuid:batch-{b}-{i}"),
                        "2024-01-01T00:00:00Z",
                        "Batched",
                    );
                    (format!("{b}-{i}.json"), serde_json::to_vec(&c).unwrap())
                })
                .collect()
        })
        .collect();
    let store = FailingStore {
        inner: MemoryStore::new(),
        commits: std::sync::atomic::AtomicUsize::new(0),
        fail_from: usize::MAX,
    };
    let bp = backpack(store, FixedVerifier(Status::Valid));
    // The owner's identifiers took commits of their own: the third batch's commit fails.
    let before = bp.store().commits.load(std::sync::atomic::Ordering::SeqCst);
    let store = bp.into_store();
    let store = FailingStore {
        fail_from: before + 3,
        ..store
    };
    let mut bp = openbadges_backpack::Backpack::new(store, FixedVerifier(Status::Valid));
    let mut reported = Vec::new();
    let outcome = bp.import_batches(
        batches
            .iter()
            .map(|b| b.iter().map(|(name, bytes)| (bytes.as_slice(), file(name)))),
        |reports| reported.push(reports),
    );
    assert!(
        matches!(outcome, Err(openbadges_backpack::Error::Storage { .. })),
        "{outcome:?}"
    );
    assert_eq!(reported.len(), 2, "only the committed batches are reported");
    for (b, reports) in reported.iter().enumerate() {
        assert_eq!(reports.len(), 5);
        for (i, r) in reports.iter().enumerate() {
            assert_eq!(r.input, format!("{b}-{i}.json"));
            assert_eq!(r.result(), ImportResult::Imported);
        }
    }
    let held: Vec<String> = bp
        .store()
        .badges()
        .unwrap()
        .into_iter()
        .map(|b| b.source.location)
        .collect();
    let mut expected: Vec<String> = (0..2)
        .flat_map(|b| (0..5).map(move |i| format!("{b}-{i}.json")))
        .collect();
    let mut held_sorted = held.clone();
    held_sorted.sort();
    expected.sort();
    assert_eq!(
        held_sorted, expected,
        "the failed batch and later ones are not stored"
    );
}
