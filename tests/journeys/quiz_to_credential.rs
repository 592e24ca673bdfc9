//! Quiz (declared as data) → graded attempt → evidence → a badge in every form whose evidence
//! is the attempt → verified; a failed attempt gives no evidence, and evidence edited after
//! signing breaks every signed form.

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::Status;
use openbadges::quiz::evidence::EvidenceOptions;
use openbadges::quiz::{Attempt, Format, Limits, Quiz, Response, load};
use openbadges::{
    Badge, Evidence, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile, Verifier,
};
use openbadges_test_support::fixtures::fixture_bytes;

const QUIZ: &str = r#"
id = "https://school.example.org/quizzes/rivers"
title = "Rivers"
[pass]
rule = "min_percent"
percent = 100
[[sections]]
id = "rivers"
[[sections.items]]
id = "longest"
type = "single_choice"
prompt = "Which river is the longest?"
choices = [{ id = "nile", text = "The Nile", correct = true }, { id = "thames", text = "The Thames" }]
[[sections.items]]
id = "sea"
type = "true_false"
prompt = "True or False: every river reaches the sea."
answer = false
"#;

fn quiz() -> Quiz {
    load(QUIZ, Format::Toml, Some("rivers.toml"), &Limits::default())
        .unwrap()
        .quiz
}

fn attempt(quiz: &Quiz, longest: &str, sea: bool) -> openbadges::quiz::record::AttemptRecord {
    let mut a = Attempt::start(quiz, 11, 1_800_000_000, 0).unwrap();
    a.answer(
        quiz,
        "longest",
        Response::Text(longest.into()),
        1_800_000_010,
    )
    .unwrap();
    a.answer(quiz, "sea", Response::Bool(sea), 1_800_000_020)
        .unwrap();
    a.submit(quiz, 1_800_000_030).unwrap()
}

#[test]
fn a_passed_attempt_is_the_evidence_of_every_form_and_edits_break_the_signatures() {
    let quiz = quiz();
    let failed = attempt(&quiz, "thames", true);
    assert!(!failed.passed, "{failed:?}");
    let record = attempt(&quiz, "nile", false);
    assert!(record.passed);
    let options = EvidenceOptions {
        id: Some("https://school.example.org/attempts/11".into()),
        audience: None,
    };
    let evidence = Evidence::from_attempt(&record, &options).unwrap();

    let issuer = Issuer::new(
        "https://school.example.org/",
        IssuerProfile::new("River School", "badges@school.example.org"),
        IssuerKeys::generate(Algorithm::EdDsa).unwrap(),
    )
    .unwrap();
    let badge = Badge::new("rivers", "Rivers", "Knows rivers.", "Pass the rivers quiz.")
        .image(fixture_bytes("ob2/served/badge.png"));
    let issued = issuer
        .issue(
            &Identity::email("learner@example.org"),
            &badge,
            &IssueOptions::new().evidence(evidence),
        )
        .unwrap();

    // The attempt's digest is in the evidence of the OB 2.0 assertion and the OB 3.0 credential.
    let ob2 = issued.ob2_hosted.as_ref().unwrap();
    assert!(
        ob2["evidence"]["narrative"]
            .as_str()
            .unwrap()
            .contains(&record.digest)
    );
    let ob3 = issued.ob3_credential.as_ref().unwrap();
    assert_eq!(
        ob3["evidence"][0]["id"],
        "https://school.example.org/attempts/11"
    );
    assert!(ob3.to_string().contains(&record.digest));

    let verifier = Verifier::builder()
        .hosted(&issued.hosted)
        .recipient("email:learner@example.org".parse().unwrap())
        .build()
        .unwrap();
    for form in [
        Form::Ob2Hosted,
        Form::Ob2Signed,
        Form::Ob3DataIntegrity,
        Form::Ob3Jwt,
    ] {
        let r = verifier.verify_bytes("badge.png", &issued.baked(form).unwrap().bytes);
        assert_eq!(r.status(), Status::Valid, "{form:?}: {}", r.to_json_line());
    }

    // Someone edits the evidence after signing: the Data Integrity proof no longer holds.
    let mut edited = ob3.clone();
    edited["evidence"][0]["narrative"] = "Scored 100%".into();
    let r = verifier.verify_bytes("edited.json", &serde_json::to_vec(&edited).unwrap());
    assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
}
