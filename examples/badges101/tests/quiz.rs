//! The Badges 101 quiz as shipped: the page's exact wording, answers and explanations, the
//! completion policy of the original, the mastery variant, attempts and evidence.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_cmp
)]

use badges101::{BADGES101_MASTERY_TOML, BADGES101_TOML};
use openbadges::quiz::evidence::{self, EvidenceOptions};
use openbadges::quiz::{
    Attempt, AttemptError, Error, Format, Limits, PassPolicy, PublicQuiz, Quiz, Response,
    load_checked,
};

fn load(src: &str, name: &str) -> Quiz {
    let (q, problems) = load_checked(src, Format::Toml, Some(name), &Limits::default()).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    q
}

/// The three questions, answers and explanations exactly as on the page (page.txt).
const PAGE: [(&str, bool, &str); 3] = [
    (
        "True or False: Learning today happens everywhere, not just in classrooms.",
        true,
        "Answer: True. There are countless examples of learning occurring through informal channels. The web and other new learning spaces provide exciting new ways to gain skills and experiences—from online courses, learning networks and mentorship to peer learning, volunteering and after-school programs.",
    ),
    (
        "True or False: You can understand a person’s skill set simply by looking at their degree.",
        false,
        "Answer: False. While degrees do convey information about people’s skills, they often tend to be abstracted from the actual learning that has occurred. Two people with the same degree may have taken very different learning pathways or developed different skills. Many people without a formal degree possess a vast set of job-relevant skills. Badges help by providing a more complete picture, recognizing a more granular set of skills.",
    ),
    (
        "True or False: Resumes are validated and evidence-based.",
        false,
        "Answer: False. Resumes are documents that people write themselves. Granular information on a resume is often difficult to validate. With digital badges, users can click on a given badge to access information about the badge’s issuer, how the badge was earned, and more. In other words, badges can go beyond traditional resumes by providing built-in evidence for validation.",
    ),
];

#[test]
fn both_files_carry_the_page_exactly() {
    for (src, name) in [
        (BADGES101_TOML, "badges101.toml"),
        (BADGES101_MASTERY_TOML, "badges101-mastery.toml"),
    ] {
        let q = load(src, name);
        let items: Vec<_> = q.items().map(|(_, i)| i).collect();
        assert_eq!(items.len(), 3);
        for (item, (prompt, answer, explanation)) in items.iter().zip(PAGE) {
            assert_eq!(item.prompt, prompt);
            assert_eq!(item.answer, Some(answer));
            assert_eq!(item.explanation.as_deref(), Some(explanation));
            assert_eq!(item.feedback_correct.as_deref(), Some("That's right!"));
            assert_eq!(item.feedback_incorrect.as_deref(), Some("That's wrong!"));
        }
        assert_eq!(q.sections[0].title.as_deref(), Some("Your First Badge"));
    }
    // The files sit in the app's directory for other users (the CLI's `quiz take`) as well.
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/quizzes/badges101.toml"
    ))
    .unwrap();
    assert_eq!(on_disk, BADGES101_TOML);
}

#[test]
fn completion_policy_passes_on_any_three_answers() {
    let q = load(BADGES101_TOML, "badges101.toml");
    assert_eq!(q.pass, PassPolicy::Completion);
    assert_eq!(
        openbadges::quiz::policy::criteria_text(&q),
        "Answer all 3 questions (any answer counts) in the quiz “Badges 101”."
    );
    // All wrong still passes (the "not-a-quiz quiz").
    let mut a = Attempt::start(&q, 7, 0, 0).unwrap();
    for (k, (_, ans, _)) in PAGE.iter().enumerate() {
        let id = q.item_by_number(k + 1).unwrap().id.clone();
        let fb = a
            .answer(&q, &id, Response::Bool(!ans), 10 + k as i64)
            .unwrap();
        assert!(!fb.correct);
        assert!(fb.feedback.unwrap().starts_with("That's wrong!\nAnswer: "));
    }
    let rec = a.submit(&q, 100).unwrap();
    assert!(rec.passed);
    assert_eq!((rec.score, rec.max_score), (0.0, 3.0));
    // Two of three answered does not pass.
    let mut a = Attempt::start(&q, 7, 0, 0).unwrap();
    a.answer(&q, "learning-everywhere", Response::Bool(true), 1)
        .unwrap();
    a.answer(&q, "degree-skill-set", Response::Bool(false), 2)
        .unwrap();
    assert!(!a.submit(&q, 3).unwrap().passed);
}

#[test]
fn each_question_accepts_one_click() {
    let q = load(BADGES101_TOML, "badges101.toml");
    let mut a = Attempt::start(&q, 1, 0, 0).unwrap();
    a.answer(&q, "learning-everywhere", Response::Bool(false), 1)
        .unwrap();
    let e = a
        .answer(&q, "learning-everywhere", Response::Bool(true), 2)
        .unwrap_err();
    assert_eq!(
        e,
        Error::Attempt(AttemptError::AnswerLocked("learning-everywhere".into()))
    );
}

#[test]
fn mastery_needs_three_of_three() {
    let q = load(BADGES101_MASTERY_TOML, "badges101-mastery.toml");
    assert_eq!(q.pass, PassPolicy::AllCorrect);
    assert_eq!(
        openbadges::quiz::policy::criteria_text(&q),
        "Answer all 3 questions correctly in the quiz “Badges 101 (mastery)”."
    );
    let mut a = Attempt::start(&q, 1, 0, 0).unwrap();
    a.answer(&q, "learning-everywhere", Response::Bool(true), 1)
        .unwrap();
    a.answer(&q, "degree-skill-set", Response::Bool(true), 2)
        .unwrap(); // wrong
    // Answers may be changed in the mastery variant.
    a.answer(&q, "degree-skill-set", Response::Bool(false), 3)
        .unwrap();
    a.answer(&q, "resumes-validated", Response::Bool(true), 4)
        .unwrap(); // wrong
    let g = a.preview(&q).unwrap();
    assert!(!g.passed);
    assert_eq!(
        g.result_feedback.as_deref(),
        Some("Take the quiz to see if you get badges!")
    );
    a.answer(&q, "resumes-validated", Response::Bool(false), 5)
        .unwrap();
    let rec = a.submit(&q, 6).unwrap();
    assert!(rec.passed);
    assert_eq!(rec.percent, 100.0);
    let g = openbadges::quiz::Grader::new(&q)
        .unwrap()
        .grade(Some(&a.presentation), &a.responses, &a.hints)
        .unwrap();
    assert_eq!(
        g.result_feedback.as_deref(),
        Some("Congratulations! You’ve just earned the Badges 101 badge!")
    );
}

#[test]
fn public_view_has_no_answers() {
    let q = load(BADGES101_TOML, "badges101.toml");
    let a = Attempt::start(&q, 1, 0, 0).unwrap();
    let view: PublicQuiz = a.view(&q);
    let json = serde_json::to_string(&view).unwrap();
    for (_, _, explanation) in PAGE {
        assert!(!json.contains(&explanation[..20]), "explanation leaked");
    }
    for forbidden in [
        "\"answer\"",
        "correct",
        "fraction",
        "That's right",
        "explanation",
    ] {
        assert!(!json.contains(forbidden), "{forbidden} leaked: {json}");
    }
    assert_eq!(view.items().count(), 3);
    assert_eq!(
        view.criteria,
        "Answer all 3 questions (any answer counts) in the quiz “Badges 101”."
    );
}

#[test]
fn evidence_for_ob2_and_ob3() {
    let q = load(BADGES101_TOML, "badges101.toml");
    let mut a = Attempt::start(&q, 99, 1_000, 0).unwrap();
    for (k, (_, ans, _)) in PAGE.iter().enumerate() {
        let id = q.item_by_number(k + 1).unwrap().id.clone();
        a.answer(&q, &id, Response::Bool(*ans), 1_001 + k as i64)
            .unwrap();
    }
    let rec = a.submit(&q, 1_010).unwrap();
    rec.verify_with(&q).unwrap();
    let opts = EvidenceOptions {
        id: Some("https://example.org/attempts/1".into()),
        audience: None,
    };
    let ev2 = evidence::ob2_evidence_json(&rec, &opts);
    assert_eq!(ev2["type"], "Evidence");
    assert_eq!(ev2["id"], "https://example.org/attempts/1");
    let narrative = ev2["narrative"].as_str().unwrap();
    assert!(narrative.starts_with("Passed the quiz “Badges 101” (attempt 1): answered 3 of 3 questions, 3 fully correct; score 3 of 3 (100%)."));
    assert!(narrative.contains(&rec.digest) && narrative.contains(&rec.quiz.content_hash));
    let crit = evidence::ob2_criteria_json(&q, Some("http://badges-101.openbadges.org/"));
    assert_eq!(crit["id"], "http://badges-101.openbadges.org/");
    assert_eq!(crit["narrative"], rec.criteria.as_str());

    let rd = evidence::ob3_result_description_json(&q, "urn:uuid:rd-1");
    assert_eq!(rd["type"], serde_json::json!(["ResultDescription"]));
    assert_eq!(rd["resultType"], "RawScore");
    assert_eq!(
        (rd["valueMin"].as_str(), rd["valueMax"].as_str()),
        (Some("0"), Some("3"))
    );
    let res = evidence::ob3_result_json(&q, &rec, "urn:uuid:rd-1");
    assert_eq!(
        res,
        serde_json::json!({"type": ["Result"], "resultDescription": "urn:uuid:rd-1", "value": "3", "status": "Completed"})
    );
    let ev3 = evidence::ob3_evidence_json(&rec, &opts);
    assert_eq!(ev3["type"], serde_json::json!(["Evidence"]));

    let mq = load(BADGES101_MASTERY_TOML, "m.toml");
    let rd = evidence::ob3_result_description_json(&mq, "urn:x");
    assert_eq!(rd["requiredValue"], "3");
}

#[test]
fn attempt_limits_from_caller_time() {
    let mut q = load(BADGES101_MASTERY_TOML, "m.toml");
    q.settings.max_attempts = Some(2);
    q.settings.time_limit_seconds = Some(60);
    assert!(Attempt::start(&q, 1, 0, 1).is_ok());
    assert_eq!(
        Attempt::start(&q, 1, 0, 2).unwrap_err(),
        AttemptError::NoAttemptsLeft {
            used: 2,
            allowed: 2
        }
    );
    let mut a = Attempt::start(&q, 1, 1_000, 0).unwrap();
    assert_eq!(a.deadline, Some(1_060));
    a.answer(&q, "learning-everywhere", Response::Bool(true), 1_060)
        .unwrap(); // at the deadline: in time
    let late = a
        .answer(&q, "degree-skill-set", Response::Bool(false), 1_061)
        .unwrap_err();
    assert_eq!(
        late,
        Error::Attempt(AttemptError::TimeUp { deadline: 1_060 })
    );
    assert!(a.is_expired(1_061));
    assert!(matches!(
        a.answer(&q, "degree-skill-set", Response::Bool(false), 999),
        Err(Error::Attempt(AttemptError::ClockWentBack { .. }))
    ));
    // Hints: none in this quiz.
    assert!(matches!(
        a.hint(&q, "learning-everywhere", 1_001),
        Err(Error::Attempt(AttemptError::NoMoreHints(_)))
    ));
    // Resumable: serialize, restore, continue.
    let saved = serde_json::to_string(&a).unwrap();
    let mut b: Attempt = serde_json::from_str(&saved).unwrap();
    assert_eq!(a, b);
    let rec = b.submit(&q, 2_000).unwrap(); // late submission keeps the in-time answers
    assert_eq!(rec.score, 1.0);
    assert_eq!(
        b.submit(&q, 2_001).unwrap_err(),
        Error::Attempt(AttemptError::AlreadySubmitted)
    );
    // Another definition is refused.
    let other = load(BADGES101_TOML, "b.toml");
    let mut c = Attempt::start(&q, 1, 0, 0).unwrap();
    assert_eq!(
        c.answer(&other, "learning-everywhere", Response::Bool(true), 1)
            .unwrap_err(),
        Error::Attempt(AttemptError::WrongQuiz)
    );
}

/// The typed objects from `openbadges-model`, placed into a real OB 3.0 credential and an OB 2.0
/// assertion, pass the model's structural validation (`openbadges_model::inspect`).
#[test]
fn evidence_validates_with_the_model() {
    let q = load(BADGES101_MASTERY_TOML, "m.toml");
    let mut a = Attempt::start(&q, 3, 0, 0).unwrap();
    for (k, (_, ans, _)) in PAGE.iter().enumerate() {
        let id = q.item_by_number(k + 1).unwrap().id.clone();
        a.answer(&q, &id, Response::Bool(*ans), 1 + k as i64)
            .unwrap();
    }
    let rec = a.submit(&q, 10).unwrap();
    let opts = EvidenceOptions {
        id: Some("https://example.com/attempts/1".into()),
        audience: Some("Learners".into()),
    };
    let rd_id = "https://example.com/achievements/badges101/results/score";

    // OB 3.0
    let crit = evidence::ob3_criteria(&q, Some("https://example.com/badges101")).unwrap();
    let rd = evidence::ob3_result_description(&q, rd_id).unwrap();
    let res = evidence::ob3_result(&q, &rec, rd_id).unwrap();
    let ev = evidence::ob3_evidence(&rec, &opts).unwrap();
    assert_eq!(res.status.as_deref(), Some("Completed"));
    assert_eq!(rd.required_value.as_deref(), Some("3"));
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob3/examples/basicOpenBadgeCredential.json"
    );
    let mut cred: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    cred["credentialSubject"]["achievement"]["criteria"] = serde_json::to_value(&crit).unwrap();
    cred["credentialSubject"]["achievement"]["resultDescription"] = serde_json::json!([rd]);
    cred["credentialSubject"]["result"] = serde_json::json!([res]);
    cred["evidence"] = serde_json::json!([ev]);
    let report = openbadges::model::inspect(&cred);
    assert!(report.valid_structure(), "{:#?}", report.problems);
    assert!(report.problems.iter().all(|p| !p.is_error()));

    // OB 2.0
    let crit2 = evidence::ob2_criteria(&q, Some("http://badges-101.openbadges.org/")).unwrap();
    let ev2 = evidence::ob2_evidence(&rec, &opts).unwrap();
    let assertion = serde_json::json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://example.com/assertions/1",
        "recipient": {"type": "email", "hashed": false, "identity": "learner@example.com"},
        "issuedOn": "2026-11-27T12:00:00Z",
        "verification": {"type": "hosted"},
        "evidence": [ev2],
        "badge": {
            "type": "BadgeClass",
            "id": "https://example.com/badges/badges101",
            "name": "Badges 101",
            "description": "You really get badges!",
            "image": "https://example.com/badges/101badge.png",
            "criteria": crit2,
            "issuer": {"type": "Profile", "id": "https://example.com/issuer", "name": "Open Badges", "url": "https://example.com", "email": "issuer@example.com"}
        }
    });
    let report = openbadges::model::inspect(&assertion);
    assert!(report.valid_structure(), "{:#?}", report.problems);
    assert!(report.problems.iter().all(|p| !p.is_error()));
    // A non-IRI id is refused by the typed constructors.
    let bad = EvidenceOptions {
        id: Some("not an iri".into()),
        audience: None,
    };
    assert!(evidence::ob3_evidence(&rec, &bad).is_err());
}
