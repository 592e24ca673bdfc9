//! `Verifier::verify_and_summarize`: the verification told in words, on real badges (the
//! repository's fixtures, and badges the crate's `Issuer` issues): the verdict, the issuer,
//! the recipient (hash only, or "issued to EMAIL: yes/no"), the dates, the achievement and each
//! check explained.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::{CheckStatus, Code, Status};
use openbadges::proof::summary::{Summary, VALID_REASON};
use openbadges::proof::verify::{FixedClock, RecipientProfile};
use openbadges::{Badge, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile, Verifier};

const BASE: &str = "https://badges.example.org/app/";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../../fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn explanation<'a>(s: &'a Summary, id: &str) -> &'a str {
    &s.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} check in {}", s.to_json_pretty()))
        .explanation
}

/// The OB 2.0 fixture issuer's documents, served from memory at the URLs they name.
fn ob2_fixture_verifier() -> Verifier {
    let mut b = Verifier::builder().at(FixedClock::parse("2025-06-01T00:00:00Z").unwrap());
    for f in [
        "badgeclass.json",
        "issuer.json",
        "key.json",
        "revocations.json",
    ] {
        b = b.document(
            &format!("http://127.0.0.1:8765/{f}"),
            Some("application/json"),
            &fixture(&format!("ob2/served/{f}")),
        );
    }
    b.build().unwrap()
}

#[test]
fn a_signed_ob2_fixture_is_summarised_valid_with_its_issuer_badge_and_dates() {
    let v = ob2_fixture_verifier();
    let jws = fixture("ob2/served/signed/valid.jws");
    let out = v.verify_and_summarize("valid.jws", &jws, &RecipientProfile::new());
    let s = &out.summary;
    assert_eq!(out.report.status(), Status::Valid, "{}", s.to_json_pretty());
    assert_eq!(s.verdict, "Valid");
    assert_eq!(s.reason, VALID_REASON);
    let issuer = s.issuer.as_ref().unwrap();
    assert_eq!(
        issuer.id.as_deref(),
        Some("http://127.0.0.1:8765/issuer.json")
    );
    assert!(issuer.name.as_deref().is_some_and(|n| !n.is_empty()));
    let achievement = s.achievement.as_ref().unwrap();
    assert!(achievement.name.is_some(), "{}", s.to_json_pretty());
    assert!(s.issued.as_ref().unwrap().date.is_some());
    assert_eq!(
        explanation(s, "jws-signature"),
        "The signature matches the issuer's key."
    );
    assert_eq!(
        explanation(s, "not-revoked"),
        "The badge has not been revoked."
    );
    assert_eq!(
        explanation(s, "recipient"),
        "No recipient was given to check against."
    );
    // The summary serialises with the report.
    let json: serde_json::Value = serde_json::to_value(&out).unwrap();
    assert_eq!(json["summary"]["verdict"], "Valid");
    assert_eq!(json["report"]["status"], "valid");
}

#[test]
fn tampered_and_revoked_ob2_fixtures_are_invalid_with_the_reason_in_words() {
    let v = ob2_fixture_verifier();
    let out = v.verify_and_summarize(
        "tampered.jws",
        &fixture("ob2/served/signed/tampered-payload.jws"),
        &RecipientProfile::new(),
    );
    assert_eq!(out.summary.verdict, "Invalid");
    assert!(
        out.summary
            .checks
            .iter()
            .any(|c| c.status == CheckStatus::Failed && c.code == Some(Code::SignatureInvalid)),
        "{}",
        out.summary.to_json_pretty()
    );
    assert_eq!(
        explanation(&out.summary, "jws-signature"),
        "The signature does not match the issuer's key: the badge was changed or not signed by its issuer."
    );

    let out = v.verify_and_summarize(
        "revoked.jws",
        &fixture("ob2/served/signed/revoked.jws"),
        &RecipientProfile::new(),
    );
    assert_eq!(out.summary.verdict, "Invalid");
    assert_eq!(out.summary.reason, "The issuer has revoked the badge.");
    assert_eq!(
        explanation(&out.summary, "not-revoked"),
        "The issuer has revoked the badge."
    );
}

#[test]
fn an_ob3_eddsa_fixture_is_summarised_with_its_embedded_issuer_and_achievement() {
    let v = Verifier::builder().build().unwrap();
    let out = v.verify_and_summarize(
        "ob3.json",
        &fixture("ob3/peers/ob3-eddsa-rdfc-2022-didkey.json"),
        &RecipientProfile::new(),
    );
    let s = &out.summary;
    assert_eq!(s.verdict, "Valid", "{}", s.to_json_pretty());
    assert_eq!(s.version.as_deref(), Some("3.0"));
    let issuer = s.issuer.as_ref().unwrap();
    assert_eq!(issuer.name.as_deref(), Some("Example Corp"));
    assert!(issuer.id.as_deref().unwrap().starts_with("did:key:z6Mk"));
    let a = s.achievement.as_ref().unwrap();
    assert_eq!(a.name.as_deref(), Some("Badges 101"));
    assert_eq!(
        a.description.as_deref(),
        Some("Passed the Badges 101 quiz.")
    );
    assert_eq!(
        a.criteria.as_deref(),
        Some("Answer all Badges 101 quiz questions correctly.")
    );
    assert_eq!(
        s.issued.as_ref().unwrap().date.as_deref(),
        Some("27 November 2026")
    );
    let r = s.recipient.as_ref().unwrap();
    assert_eq!(r.identity, "did:example:ebfeb1f712ebc6f1c276e12ec21");
    assert!(!r.hashed);
    assert_eq!(
        explanation(s, "proof"),
        "The signature matches the issuer's key."
    );

    // One byte of the signed content changed: invalid, and said so.
    let text = String::from_utf8(fixture("ob3/peers/ob3-eddsa-rdfc-2022-didkey.json")).unwrap();
    let tampered = text.replace("Example Corp", "Example Corq");
    let out = v.verify_and_summarize("t.json", tampered.as_bytes(), &RecipientProfile::new());
    assert_eq!(
        out.summary.verdict,
        "Invalid",
        "{}",
        out.summary.to_json_pretty()
    );
}

fn issued_badge() -> (Issuer, openbadges::Issued) {
    let png = fixture("ob2/served/badge.png");
    let issuer = Issuer::new(
        BASE,
        IssuerProfile::new("Example University", "badges@example.org").url("https://example.org/"),
        IssuerKeys::generate(Algorithm::EdDsa).unwrap(),
    )
    .unwrap();
    let badge = Badge::new(
        "badges-101",
        "Badges 101",
        "Knows the basics of Open Badges.",
        "Answer the three questions of the Badges 101 quiz.",
    )
    .image(png);
    let issued = issuer
        .issue(
            &Identity::email("learner@example.org"),
            &badge,
            &IssueOptions::new(),
        )
        .unwrap();
    (issuer, issued)
}

#[test]
fn the_recipient_is_the_hash_unless_an_email_is_checked_and_then_yes_or_no() {
    let (_, issued) = issued_badge();
    let v = Verifier::builder().hosted(&issued.hosted).build().unwrap();
    for form in [
        Form::Ob2Hosted,
        Form::Ob2Signed,
        Form::Ob3DataIntegrity,
        Form::Ob3Jwt,
    ] {
        let png = &issued.baked(form).unwrap().bytes;
        let out = v.verify_and_summarize("b.png", png, &RecipientProfile::new());
        let s = &out.summary;
        assert_eq!(s.verdict, "Valid", "{form:?}: {}", s.to_json_pretty());
        let r = s.recipient.as_ref().unwrap();
        assert!(r.hashed, "{form:?}");
        assert!(
            r.identity.starts_with("sha256$"),
            "{form:?}: {}",
            r.identity
        );
        assert!(!s.to_json_pretty().contains("learner@example.org"));
        assert!(r.checked.is_none());
        assert_eq!(
            s.issuer.as_ref().unwrap().name.as_deref(),
            Some("Example University"),
            "{form:?}"
        );
        assert_eq!(
            s.achievement.as_ref().unwrap().name.as_deref(),
            Some("Badges 101"),
            "{form:?}"
        );

        let yes = RecipientProfile::new().email("Learner@Example.org");
        let s = v.verify_and_summarize("b.png", png, &yes).summary;
        assert_eq!(s.verdict, "Valid", "{form:?}: {}", s.to_json_pretty());
        let checked = s.recipient.unwrap().checked.unwrap();
        assert_eq!(checked.identity, "Learner@Example.org");
        assert_eq!(checked.issued_to, Some(true), "{form:?}");

        let no = RecipientProfile::new().email("someone@example.org");
        let s = v.verify_and_summarize("b.png", png, &no).summary;
        assert_eq!(s.verdict, "Invalid", "{form:?}");
        assert_eq!(s.reason, "The badge was not issued to the identity given.");
        assert_eq!(s.recipient.unwrap().checked.unwrap().issued_to, Some(false));
    }
}

#[test]
fn an_issuer_that_cannot_be_reached_is_could_not_check_never_invalid() {
    let (_, issued) = issued_badge();
    // Offline, without the issuer's hosted documents.
    let v = Verifier::builder().build().unwrap();
    for form in [Form::Ob2Hosted, Form::Ob3DataIntegrity] {
        let out = v.verify_and_summarize(
            "b.png",
            &issued.baked(form).unwrap().bytes,
            &RecipientProfile::new(),
        );
        let s = &out.summary;
        assert_eq!(
            s.status,
            Status::Indeterminate,
            "{form:?}: {}",
            s.to_json_pretty()
        );
        assert_eq!(s.verdict, "Could not check");
        assert!(
            s.checks
                .iter()
                .filter(|c| c.status == CheckStatus::Failed)
                .all(|c| c.explanation.contains("could not")),
            "{form:?}: {}",
            s.to_json_pretty()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_path_gives_the_same_summary() {
    let (_, issued) = issued_badge();
    let v = Verifier::builder().hosted(&issued.hosted).build().unwrap();
    let png = issued.baked(Form::Ob3DataIntegrity).unwrap().bytes.clone();
    let profile = RecipientProfile::new().email("learner@example.org");
    let sync = v.verify_and_summarize("b.png", &png, &profile);
    let out = v.verify_and_summarize_async("b.png", png, profile).await;
    assert_eq!(out.summary, sync.summary);
    assert_eq!(out.summary.verdict, "Valid");
}
