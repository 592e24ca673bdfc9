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

// ---------------------------------------------------------------------------------------------
// Weights as Moodle takes them. Sources (moodle/moodle):
// - question/format/gift/format.php: a weight is `^%-*([0-9]{1,2})\.?([0-9]*)%`, divided by 100;
// - question/format.php (importprocess) + lib/questionlib.php `match_grade_options()`: each
//   fraction is replaced by the allowed grade within 0.00001 of it, or the question is refused
//   (the default `error` mode);
// - question/engine/bank.php `question_bank::fraction_options_full()`: the allowed grades
//   (0, ±1, ±0.9, ±0.8333333, ±0.8, ±0.75, ±0.7, ±0.6666667, ±0.6, ±0.5, ±0.4, ±0.3333333,
//   ±0.3, ±0.25, ±0.2, ±0.1666667, ±0.1428571, ±0.125, ±0.1111111, ±0.1, ±0.05);
// - question/type/multichoice/questiontype.php `save_question_options()`: the positive credits
//   of a multiple-answer question must satisfy `round($totalfraction, 2) == 1`;
// - question/type/multichoice/question.php (multi `grade_response`): the sum of the ticked
//   fractions, clamped to [0, 1]; question/engine/states.php `graded_state_for_fraction()`:
//   above 0.999999 is right.
// `~%33.33333%` is how Moodle writes a third: its grade 0.3333333 × 100 (also in Moodle's own
// multianswer tests, question/type/multianswer/tests/upgradelibnewqe_test.php, `~%33.33333%Ohio`).

fn gift(src: &str) -> (Quiz, Vec<openbadges_quiz::Problem>) {
    let l = load(src, Format::Gift, Some("w.gift"), &Limits::default()).unwrap();
    let p = l.check(&Limits::default());
    (l.quiz, p)
}

fn outcome(q: &Quiz, r: serde_json::Value) -> openbadges_quiz::ItemOutcome {
    let item = q.item_by_number(1).unwrap();
    let resp: Response = serde_json::from_value(r).unwrap();
    Grader::new(q)
        .unwrap()
        .grade_one(&item.id, Some(&resp), 0)
        .unwrap()
}

#[test]
fn moodle_thirds_are_accepted_and_graded_with_moodles_fractions() {
    for thirds in [
        "Primary colours? {~%33.33333%Red ~%33.33333%Green ~%33.33333%Blue ~%-100%Yellow}",
        // Within Moodle's 0.00001: the same grade, 0.3333333.
        "Primary colours? {~%33.33334%Red ~%33.333%Green ~%33.33333%Blue ~%-100%Yellow}",
    ] {
        let (q, p) = gift(thirds);
        assert!(p.is_empty(), "{p:#?}");
        let fractions: Vec<Option<f64>> = q
            .item_by_number(1)
            .unwrap()
            .choices
            .iter()
            .map(|c| c.fraction)
            .collect();
        assert_eq!(
            fractions,
            [
                Some(0.3333333),
                Some(0.3333333),
                Some(0.3333333),
                Some(-1.0)
            ]
        );
        // All three: 0.9999999, which Moodle grades right.
        let all = outcome(&q, json!(["Red", "Green", "Blue"]));
        assert_eq!(
            (all.score, all.max_score, all.correct),
            (0.9999999, 1.0, Some(true))
        );
        let two = outcome(&q, json!(["Red", "Blue"]));
        assert_eq!((two.score, two.correct), (0.6666666, Some(false)));
        // A wrong tick takes 100%: clamped at 0.
        assert_eq!(outcome(&q, json!(["Red", "Yellow"])).score, 0.0);
    }
    // Sixths add up to 1.0000002: full credit, clamped to 1.
    let (q, p) = gift(
        "Pick {~%16.66667%a ~%16.66667%b ~%16.66667%c ~%16.66667%d ~%16.66667%e ~%16.66667%f ~%-100%g}",
    );
    assert!(p.is_empty(), "{p:#?}");
    assert_eq!(
        outcome(&q, json!(["a", "b", "c", "d", "e", "f"])).score,
        1.0
    );
}

#[test]
fn credits_that_moodle_finds_short_of_full_are_still_refused() {
    // 50% + 40%: round(0.9, 2) != 1, as Moodle says ("The positive grades you have chosen do
    // not add up to 100%").
    let (_, p) = gift("Pick {~%50%a ~%40%b ~%-100%c}");
    assert!(p.iter().any(|p| p.code == "no-correct-answer"), "{p:#?}");
}

#[test]
fn weights_moodle_refuses_are_errors_at_the_answer() {
    // 33.33% is 0.00003 from 0.3333333 (more than Moodle's 0.00001); 35% is no grade at all.
    // The position is the answer's (for a choice, its `~`).
    for (src, weight, answer) in [
        (
            "Pick {~%33.33%a ~%33.33333%b ~%33.33333%c ~d}",
            "33.33",
            "~%33.33%a",
        ),
        ("Say {=%35%x =y}", "35", "%35%x"),
        ("Year {#=%35%1822:0 =1822:2}", "35", "%35%1822"),
    ] {
        let e = match load(src, Format::Gift, Some("w.gift"), &Limits::default()) {
            Err(openbadges_quiz::Error::Invalid(p)) => p,
            other => panic!("{other:?}"),
        };
        let hit = e
            .iter()
            .find(|p| p.code == "gift-grade")
            .unwrap_or_else(|| panic!("{e:#?}"));
        assert!(hit.message.contains(&format!("weight {weight}%")), "{hit}");
        let col = src.find(answer).unwrap() + 1;
        assert_eq!((hit.line, hit.column), (1, col), "{hit}");
    }
}
