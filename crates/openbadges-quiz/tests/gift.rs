//! GIFT import: every construct of Moodle's GIFT documentation imports, and grades the way
//! Moodle scores it (fractions as Moodle computes them, worked out in the comments).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_cmp,
    clippy::approx_constant
)]

use openbadges_quiz::{Format, Grader, ItemType, Limits, Quiz, Response, Severity, load};
use serde_json::json;

const SRC: &str = include_str!("data/moodle-constructs.gift");

fn quiz() -> (Quiz, Vec<openbadges_quiz::Problem>) {
    let l = load(
        SRC,
        Format::Gift,
        Some("moodle-constructs.gift"),
        &Limits::default(),
    )
    .unwrap();
    let p = l.check(&Limits::default());
    (l.quiz, p)
}

/// Moodle's fraction (score with 1 point) for question `n` (1-based).
fn frac(q: &Quiz, n: usize, r: serde_json::Value) -> f64 {
    let item = q.item_by_number(n).unwrap();
    let g = Grader::new(q).unwrap();
    let resp: Response = serde_json::from_value(r).unwrap();
    g.grade_one(&item.id, Some(&resp), 0).unwrap().score
}

#[test]
fn imports_every_construct_with_warnings_for_ungradable_ones() {
    let (q, problems) = quiz();
    assert_eq!(q.items().count(), 22);
    // Two categories → two sections, titled by their path.
    assert_eq!(q.sections.len(), 2);
    assert_eq!(q.sections[0].title.as_deref(), Some("$course$/History"));
    assert_eq!(q.sections[0].items.len(), 6);
    // Description and essay are reported with their positions, as warnings.
    let w: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 2, "{w:#?}");
    assert!(
        problems
            .iter()
            .all(|p| p.severity == Severity::Warning && p.code == "gift-unsupported")
    );
    let desc_line = SRC
        .lines()
        .position(|l| l.starts_with("This text has no answer block"))
        .unwrap()
        + 1;
    let essay_line = SRC
        .lines()
        .position(|l| l.starts_with("Write a short essay"))
        .unwrap()
        + 1;
    assert_eq!((problems[0].line, problems[0].column), (desc_line, 1));
    assert_eq!((problems[1].line, problems[1].column), (essay_line, 1));
    assert!(w[0].starts_with(&format!(
        "moodle-constructs.gift:{desc_line}:1: warning[gift-unsupported]"
    )));
}

#[test]
fn types_as_moodle_decides_them() {
    let (q, _) = quiz();
    let kinds: Vec<ItemType> = q.items().map(|(_, i)| i.kind).collect();
    use ItemType::*;
    assert_eq!(
        kinds,
        vec![
            SingleChoice,
            SingleChoice,
            TrueFalse,
            TrueFalse,
            TextEntry,
            Matching,
            Numeric,
            Numeric,
            Numeric,
            Numeric,
            TextEntry,
            SingleChoice,
            TextEntry,
            SingleChoice,
            TextEntry,
            MultipleResponse,
            MultipleResponse,
            SingleChoice,
            SingleChoice,
            TrueFalse,
            TextEntry,
            Numeric
        ]
    );
    // Missing word inserts a blank; names become ids; the format prefix is removed.
    assert_eq!(
        q.item_by_number(2).unwrap().prompt,
        "Grant is _____ in Grant's tomb."
    );
    assert_eq!(q.item_by_number(10).unwrap().id, "numerical-example");
    assert_eq!(
        q.item_by_number(11).unwrap().prompt,
        "Japanese characters originally\ncame from what country?"
    );
    assert_eq!(
        q.item_by_number(13).unwrap().prompt,
        "Who's buried in **Grant's tomb**?"
    );
    assert_eq!(
        q.item_by_number(20).unwrap().explanation.as_deref(),
        Some("The Earth turns\nto the east.")
    );
}

#[test]
fn multiple_choice_and_missing_word() {
    let (q, _) = quiz();
    assert_eq!(frac(&q, 1, json!("no one")), 1.0);
    assert_eq!(frac(&q, 1, json!("Grant")), 0.0);
    assert_eq!(frac(&q, 2, json!("entombed")), 1.0);
    assert_eq!(frac(&q, 2, json!("living")), 0.0);
    // 14: ~%50% → 0.5.
    assert_eq!(frac(&q, 14, json!("half credit answer")), 0.5);
    assert_eq!(frac(&q, 14, json!("full credit answer")), 1.0);
    assert_eq!(frac(&q, 14, json!("wrong answer")), 0.0);
    // 12: per-answer feedback.
    let item = q.item_by_number(12).unwrap();
    let o = Grader::new(&q)
        .unwrap()
        .grade_one(&item.id, Some(&Response::Text("wrong answer".into())), 0)
        .unwrap();
    assert_eq!(
        o.feedback.as_deref(),
        Some("feedback comment on the wrong answer")
    );
}

#[test]
fn true_false_with_feedback() {
    let (q, _) = quiz();
    assert_eq!(frac(&q, 3, json!(false)), 1.0);
    assert_eq!(frac(&q, 3, json!(true)), 0.0);
    assert_eq!(frac(&q, 20, json!(true)), 1.0);
    // {FALSE#wrong-feedback}: answering true (wrong) shows it.
    let item = q.item_by_number(4).unwrap();
    let o = Grader::new(&q)
        .unwrap()
        .grade_one(&item.id, Some(&Response::Bool(true)), 0)
        .unwrap();
    assert_eq!(
        o.feedback.as_deref(),
        Some("No one is buried in Grant's tomb.")
    );
    assert_eq!(o.score, 0.0);
}

#[test]
fn short_answer_case_insensitive_weights_wildcard() {
    let (q, _) = quiz();
    assert_eq!(frac(&q, 5, json!("four")), 1.0);
    assert_eq!(frac(&q, 5, json!("FOUR ")), 1.0); // Moodle: usecase off, trimmed
    assert_eq!(frac(&q, 5, json!("4")), 1.0);
    assert_eq!(frac(&q, 5, json!("five")), 0.0);
    assert_eq!(frac(&q, 11, json!("china")), 1.0);
    assert_eq!(frac(&q, 15, json!("Nazereth")), 0.75);
    assert_eq!(frac(&q, 15, json!("Bethlehem")), 0.25);
    // 21: "*Grant*" matches anything containing Grant.
    assert_eq!(frac(&q, 21, json!("Ulysses S. Grant")), 1.0);
    assert_eq!(frac(&q, 21, json!("Lincoln")), 0.0);
}

#[test]
fn matching_partial_per_subquestion() {
    let (q, _) = quiz();
    // Moodle: fraction = right subquestions / subquestions: 2 of 4 = 0.5.
    assert_eq!(
        frac(
            &q,
            6,
            json!({"Canada": "Ottawa", "Italy": "Rome", "Japan": "New Delhi", "India": "Tokyo"})
        ),
        0.5
    );
    assert_eq!(
        frac(
            &q,
            6,
            json!({"Canada": "Ottawa", "Italy": "Rome", "Japan": "Tokyo", "India": "New Delhi"})
        ),
        1.0
    );
}

#[test]
fn numeric_exact_tolerance_range_and_weights() {
    let (q, _) = quiz();
    assert_eq!(frac(&q, 7, json!(1822)), 1.0);
    assert_eq!(frac(&q, 7, json!(1823)), 0.0);
    assert_eq!(frac(&q, 8, json!(3.141)), 1.0); // |3.141 - 3.1415| = 0.0005 ≤ 0.0005
    assert_eq!(frac(&q, 8, json!(3.14)), 0.0);
    assert_eq!(frac(&q, 9, json!(3.1415)), 1.0);
    assert_eq!(frac(&q, 9, json!(3.143)), 0.0);
    // 10: =1822:0 first (1.0); =%50%1822:2 → 1820..1824 gives 0.5.
    assert_eq!(frac(&q, 10, json!(1822)), 1.0);
    assert_eq!(frac(&q, 10, json!(1820)), 0.5);
    assert_eq!(frac(&q, 10, json!(1825)), 0.0);
    let item = q.item_by_number(10).unwrap();
    let o = Grader::new(&q)
        .unwrap()
        .grade_one(&item.id, Some(&Response::Number(1821.0)), 0)
        .unwrap();
    assert_eq!(
        o.feedback.as_deref(),
        Some("He was born in 1822.\n                  You get 50% credit for being close.")
    );
    // 22: other answers get the ~ feedback.
    let item = q.item_by_number(22).unwrap();
    let o = Grader::new(&q)
        .unwrap()
        .grade_one(&item.id, Some(&Response::Number(5.0)), 0)
        .unwrap();
    assert_eq!(o.feedback.as_deref(), Some("Count again."));
}

#[test]
fn multiple_answers_sum_and_clamp_like_moodle() {
    let (q, _) = quiz();
    // 16: weights 0, .5, .5, 0. Grant + wife = 1; all four = 1 (wrong ones weigh 0); Grant = .5.
    assert_eq!(frac(&q, 16, json!(["Grant", "Grant's wife"])), 1.0);
    assert_eq!(
        frac(
            &q,
            16,
            json!(["No one", "Grant", "Grant's wife", "Grant's father"])
        ),
        1.0
    );
    assert_eq!(frac(&q, 16, json!(["Grant"])), 0.5);
    // 17: -.5, .5, .5, -.5. All four: 0; Grant + No one: 0; Grant + wife + father: .5;
    // No one alone: -.5 → Moodle clamps at 0.
    assert_eq!(
        frac(
            &q,
            17,
            json!(["No one", "Grant", "Grant's wife", "Grant's father"])
        ),
        0.0
    );
    assert_eq!(
        frac(&q, 17, json!(["Grant", "Grant's wife", "Grant's father"])),
        0.5
    );
    assert_eq!(frac(&q, 17, json!(["No one"])), 0.0);
}

#[test]
fn escapes() {
    let (q, _) = quiz();
    let texts: Vec<&str> = q
        .item_by_number(18)
        .unwrap()
        .choices
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(texts, ["= 2 + 2", "= 2 + 3", "= 2 + 4"]);
    assert_eq!(frac(&q, 18, json!("= 2 + 3")), 1.0);
    let item = q.item_by_number(19).unwrap();
    let texts: Vec<&str> = item.choices.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["~", "=", "#", "{", "}", "\\"]);
    assert_eq!(
        item.choices[0].feedback.as_deref(),
        Some("~ is a control character.")
    );
    assert_eq!(frac(&q, 19, json!("\\")), 1.0);
    assert_eq!(frac(&q, 19, json!("{")), 0.0);
}

#[test]
fn malformed_questions_report_positions() {
    let src = "// intro\n\nWhat? {=yes\n\nWhen? {#abc}\n";
    let e = load(src, Format::Gift, Some("bad.gift"), &Limits::default()).unwrap_err();
    let openbadges_quiz::Error::Invalid(p) = e else {
        panic!()
    };
    let s: Vec<String> = p.iter().map(ToString::to_string).collect();
    assert_eq!(s.len(), 2, "{s:?}");
    assert!(
        s[0].starts_with("bad.gift:3:7: error[gift-syntax]"),
        "{s:?}"
    );
    assert!(
        s[1].starts_with("bad.gift:5:9: error[gift-syntax]"),
        "{s:?}"
    );
}
