//! The Badges 101 flow in miniature: a graded quiz attempt becomes the evidence of a badge that
//! verifies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::Status;
use openbadges::quiz::evidence::EvidenceOptions;
use openbadges::quiz::{Attempt, Format, Limits, Response, load};
use openbadges::{
    Badge, Evidence, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile, Verifier,
};

/// Three true/false questions, passed by answering all of them (the shape of Badges 101).
const QUIZ: &str = r#"
id = "https://badges.example.org/quiz"
title = "Badges 101"
[pass]
rule = "completion"
[[sections]]
id = "your-first-badge"
[[sections.items]]
id = "learning-everywhere"
type = "true_false"
prompt = "True or False: Learning today happens everywhere, not just in classrooms."
answer = true
[[sections.items]]
id = "degree-skill-set"
type = "true_false"
prompt = "True or False: You can understand a person's skill set simply by looking at their degree."
answer = false
[[sections.items]]
id = "resumes-validated"
type = "true_false"
prompt = "True or False: Resumes are validated and evidence-based."
answer = false
"#;

#[test]
fn a_quiz_attempt_is_the_evidence_of_a_verifiable_badge() {
    let loaded = load(QUIZ, Format::Toml, Some("quiz.toml"), &Limits::default()).unwrap();
    let quiz = &loaded.quiz;
    let mut attempt = Attempt::start(quiz, 7, 1_700_000_000, 0).unwrap();
    for (i, (item, answer)) in [
        ("learning-everywhere", true),
        ("degree-skill-set", false),
        ("resumes-validated", false),
    ]
    .into_iter()
    .enumerate()
    {
        attempt
            .answer(quiz, item, Response::Bool(answer), 1_700_000_010 + i as i64)
            .unwrap();
    }
    let record = attempt.submit(quiz, 1_700_000_100).unwrap();
    assert!(record.passed);

    let opts = EvidenceOptions {
        id: Some("https://badges.example.org/attempts/1".into()),
        audience: None,
    };
    let evidence = Evidence::from_attempt(&record, &opts).unwrap();
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/served/badge.png"
    ))
    .unwrap();
    let badge = Badge::new(
        "badges-101",
        "Badges 101",
        "Knows the basics of Open Badges.",
        "Answer every question of the Badges 101 quiz.",
    )
    .image(png);
    let issuer = Issuer::new(
        "https://badges.example.org/",
        IssuerProfile::new("Badges 101", "badges@example.org"),
        IssuerKeys::generate(Algorithm::EdDsa).unwrap(),
    )
    .unwrap();
    let issued = issuer
        .issue(
            &Identity::email("learner@example.org"),
            &badge,
            &IssueOptions::new().evidence(evidence),
        )
        .unwrap();
    let a = issued.ob2_hosted.as_ref().unwrap();
    assert_eq!(a["evidence"]["id"], "https://badges.example.org/attempts/1");
    let narrative = a["evidence"]["narrative"].as_str().unwrap();
    assert!(narrative.contains(&record.digest), "{narrative}");
    let c = issued.ob3_credential.as_ref().unwrap();
    assert_eq!(
        c["evidence"][0]["id"],
        "https://badges.example.org/attempts/1"
    );

    let v = Verifier::builder()
        .hosted(&issued.hosted)
        .recipient("email:learner@example.org".parse().unwrap())
        .build()
        .unwrap();
    for f in [Form::Ob2Hosted, Form::Ob2Signed] {
        let r = v.verify_bytes("b.png", &issued.baked(f).unwrap().bytes);
        assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    }
}
