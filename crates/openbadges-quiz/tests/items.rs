//! Every item type and scoring rule, with worked examples computed by hand in the comments.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_cmp,
    clippy::approx_constant
)]

use std::collections::BTreeMap;

use openbadges_quiz::{Format, Grader, Limits, Quiz, Response, load_checked};
use serde_json::json;

/// A one-section quiz from TOML item tables (each starting with `[[sections.items]]`).
fn quiz(pass: &str, items: &str) -> Quiz {
    let src = format!("id = \"t\"\ntitle = \"T\"\n{pass}\n[[sections]]\nid = \"s\"\n{items}");
    let (q, problems) = load_checked(&src, Format::Toml, Some("t.toml"), &Limits::default())
        .unwrap_or_else(|e| panic!("{e}\n{src}"));
    assert!(problems.is_empty(), "{problems:?}");
    q
}

fn score(q: &Quiz, item: &str, r: serde_json::Value) -> f64 {
    let g = Grader::new(q).unwrap();
    let resp: Response = serde_json::from_value(r).unwrap();
    g.grade_one(item, Some(&resp), 0).unwrap().score
}

fn score_hints(q: &Quiz, item: &str, r: serde_json::Value, hints: u32) -> f64 {
    let g = Grader::new(q).unwrap();
    let resp: Response = serde_json::from_value(r).unwrap();
    g.grade_one(item, Some(&resp), hints).unwrap().score
}

#[test]
fn true_false() {
    let q = quiz(
        "",
        "[[sections.items]]\nid = \"q\"\ntype = \"true_false\"\nprompt = \"Sky is blue\"\nanswer = true\npoints = 2\nchoice_feedback = { false = \"Look up.\" }\n",
    );
    // Right: 1 × 2 points = 2. Wrong: 0.
    assert_eq!(score(&q, "q", json!(true)), 2.0);
    assert_eq!(score(&q, "q", json!(false)), 0.0);
    let g = Grader::new(&q).unwrap();
    let o = g.grade_one("q", Some(&Response::Bool(false)), 0).unwrap();
    assert_eq!(o.correct, Some(false));
    assert_eq!(o.feedback.as_deref(), Some("Look up."));
    // A number is not a true/false response.
    assert!(g.grade_one("q", Some(&Response::Number(1.0)), 0).is_err());
}

#[test]
fn single_choice_with_partial_credit() {
    let q = quiz(
        "",
        r#"[[sections.items]]
id = "q"
type = "single_choice"
prompt = "Jesus Christ was from"
points = 4
choices = [
  { id = "a", text = "Jerusalem" },
  { id = "b", text = "Bethlehem", fraction = 0.25, feedback = "Born here" },
  { id = "c", text = "Galilee", fraction = 0.5 },
  { id = "d", text = "Nazareth", correct = true },
]
"#,
    );
    // Nazareth: 1 × 4 = 4; Galilee: 0.5 × 4 = 2; Bethlehem: 0.25 × 4 = 1; Jerusalem: 0.
    assert_eq!(score(&q, "q", json!("d")), 4.0);
    assert_eq!(score(&q, "q", json!("Nazareth")), 4.0); // by text
    assert_eq!(score(&q, "q", json!("Galilee")), 2.0);
    assert_eq!(score(&q, "q", json!("b")), 1.0);
    assert_eq!(score(&q, "q", json!("a")), 0.0);
    let g = Grader::new(&q).unwrap();
    assert!(
        g.grade_one("q", Some(&Response::Text("Rome".into())), 0)
            .is_err()
    );
}

#[test]
fn multiple_response_default_map_and_floor() {
    let q = quiz(
        "",
        r#"[[sections.items]]
id = "q"
type = "multiple_response"
prompt = "Primes?"
choices = [
  { id = "2", text = "2", correct = true },
  { id = "3", text = "3", correct = true },
  { id = "4", text = "4" },
  { id = "9", text = "9" },
]
"#,
    );
    // Default map with k = 2 correct: correct +1/2, incorrect -1/2.
    // {2,3} = 1; {2} = 0.5; {2,3,4} = 0.5; {2,4,9} = 0.5-1 = -0.5 → floored at 0; {} = 0.
    assert_eq!(score(&q, "q", json!(["2", "3"])), 1.0);
    assert_eq!(score(&q, "q", json!(["2"])), 0.5);
    assert_eq!(score(&q, "q", json!(["2", "3", "4"])), 0.5);
    assert_eq!(score(&q, "q", json!(["2", "4", "9"])), 0.0);
    assert_eq!(score(&q, "q", json!([])), 0.0);
    // Duplicates count once: {2,2} = 0.5.
    assert_eq!(score(&q, "q", json!(["2", "2"])), 0.5);
}

#[test]
fn multiple_response_negative_floor_bound_and_all_or_nothing() {
    let base = r#"[[sections.items]]
id = "q"
type = "multiple_response"
prompt = "Pick"
points = 10
choices = [
  { id = "a", text = "A", correct = true, fraction = 0.5 },
  { id = "b", text = "B", correct = true, fraction = 0.5 },
  { id = "c", text = "C", fraction = -1 },
]
"#;
    // QTI-style lower bound of -0.5: {c} = -1 → clamped to -0.5 → -5 points for the item,
    // but the quiz total is floored at 0.
    let q = quiz("", &format!("{base}min_fraction = -0.5\n"));
    assert_eq!(score(&q, "q", json!(["c"])), -5.0);
    let g = Grader::new(&q)
        .unwrap()
        .grade(
            None,
            &BTreeMap::from([("q".to_owned(), Response::List(vec!["c".into()]))]),
            &BTreeMap::new(),
        )
        .unwrap();
    assert_eq!(g.score, 0.0);
    // Cap: max_fraction 0.8 → {a,b} = 1 → capped 0.8 → 8 points of a maximum of 8.
    let q = quiz("", &format!("{base}max_fraction = 0.8\n"));
    assert_eq!(score(&q, "q", json!(["a", "b"])), 8.0);
    // All-or-nothing: {a} = 0.5 < 1 → 0; {a,b} = 10.
    let q = quiz("", &format!("{base}all_or_nothing = true\n"));
    assert_eq!(score(&q, "q", json!(["a"])), 0.0);
    assert_eq!(score(&q, "q", json!(["a", "b"])), 10.0);
}

#[test]
fn text_entry_case_whitespace_regex() {
    let q = quiz(
        "",
        r#"[[sections.items]]
id = "q"
type = "text_entry"
prompt = "Who is buried in Grant's tomb?"
answers = [
  { text = "no one" },
  { text = "nobody", fraction = 0.5, feedback = "Half" },
  { regex = "gen(eral)? grant", fraction = 0.25 },
]
"#,
    );
    // Default: case-insensitive, whitespace collapsed.
    assert_eq!(score(&q, "q", json!("No One")), 1.0);
    assert_eq!(score(&q, "q", json!("  no    one ")), 1.0);
    assert_eq!(score(&q, "q", json!("NOBODY")), 0.5);
    assert_eq!(score(&q, "q", json!("General Grant")), 0.25);
    assert_eq!(score(&q, "q", json!("gen grant")), 0.25);
    // The regex must match the whole response.
    assert_eq!(score(&q, "q", json!("not gen grant at all")), 0.0);
    let cs = quiz(
        "",
        "[[sections.items]]\nid = \"q\"\ntype = \"text_entry\"\nprompt = \"p\"\ncase_sensitive = true\nwhitespace = \"exact\"\nanswers = [{ text = \"Rust\" }]\n",
    );
    assert_eq!(score(&cs, "q", json!("Rust")), 1.0);
    assert_eq!(score(&cs, "q", json!("rust")), 0.0);
    assert_eq!(score(&cs, "q", json!(" Rust")), 0.0);
    let rm = quiz(
        "",
        "[[sections.items]]\nid = \"q\"\ntype = \"text_entry\"\nprompt = \"p\"\nwhitespace = \"remove\"\nanswers = [{ text = \"ab cd\" }]\n",
    );
    assert_eq!(score(&rm, "q", json!("a b c d")), 1.0);
}

#[test]
fn numeric_exact_tolerance_range() {
    let q = quiz(
        "",
        r#"[[sections.items]]
id = "q"
type = "numeric"
prompt = "When was Grant born?"
answers = [
  { value = 1822 },
  { value = 1822, tolerance = 2, fraction = 0.5 },
  { min = 1800, max = 1850, fraction = 0.1 },
]
"#,
    );
    // First matching answer wins: 1822 → 1; 1821 → within ±2 → 0.5; 1824 → 0.5 (boundary
    // inclusive); 1825 → range → 0.1; 1799 → 0.
    assert_eq!(score(&q, "q", json!(1822)), 1.0);
    assert_eq!(score(&q, "q", json!(1821)), 0.5);
    assert_eq!(score(&q, "q", json!(1824)), 0.5);
    assert_eq!(score(&q, "q", json!(1825)), 0.1);
    assert_eq!(score(&q, "q", json!(1799)), 0.0);
    assert_eq!(score(&q, "q", json!("1822")), 1.0); // typed as text
    // Tolerance with decimals: pi to 3 places ± 0.0005.
    let pi = quiz(
        "",
        "[[sections.items]]\nid = \"q\"\ntype = \"numeric\"\nprompt = \"pi\"\nanswers = [{ value = 3.1415, tolerance = 0.0005 }]\n",
    );
    assert_eq!(score(&pi, "q", json!(3.141)), 1.0);
    assert_eq!(score(&pi, "q", json!(3.142)), 1.0);
    assert_eq!(score(&pi, "q", json!(3.143)), 0.0);
}

#[test]
fn ordering_all_or_nothing_and_partial() {
    let items = r#"[[sections.items]]
id = "q"
type = "ordering"
prompt = "Oldest first"
choices = [{ id = "a", text = "OB 0.5" }, { id = "b", text = "OB 1.0" }, { id = "c", text = "OB 2.0" }, { id = "d", text = "OB 3.0" }]
"#;
    let q = quiz("", items);
    // Default all-or-nothing: exact order 1, anything else 0.
    assert_eq!(score(&q, "q", json!(["a", "b", "c", "d"])), 1.0);
    assert_eq!(
        score(&q, "q", json!(["OB 0.5", "OB 1.0", "OB 2.0", "OB 3.0"])),
        1.0
    );
    assert_eq!(score(&q, "q", json!(["a", "b", "d", "c"])), 0.0);
    // Partial: positions right / 4: [a,b,d,c] → a,b right → 2/4 = 0.5.
    let q = quiz("", &format!("{items}all_or_nothing = false\n"));
    assert_eq!(score(&q, "q", json!(["a", "b", "d", "c"])), 0.5);
    assert_eq!(score(&q, "q", json!(["d", "c", "b", "a"])), 0.0);
}

#[test]
fn matching_per_pair_and_all_or_nothing() {
    let items = r#"[[sections.items]]
id = "q"
type = "matching"
prompt = "Capitals"
points = 3
pairs = [
  { id = "ca", left = "Canada", right = "Ottawa" },
  { id = "it", left = "Italy", right = "Rome" },
  { id = "jp", left = "Japan", right = "Tokyo" },
]
distractors = [{ id = "x", text = "Sydney" }]
"#;
    let q = quiz("", items);
    // Per pair (Moodle): 2 of 3 right → 2/3 × 3 points = 2.
    assert_eq!(
        score(
            &q,
            "q",
            json!({"Canada": "Ottawa", "Italy": "Rome", "Japan": "Sydney"})
        ),
        2.0
    );
    assert_eq!(
        score(
            &q,
            "q",
            json!({"ca": "Ottawa", "it": "Rome", "jp": "Tokyo"})
        ),
        3.0
    );
    // 1/3 + 1/3 + 1/3 rounds to exactly 1 × 3.
    assert_eq!(score(&q, "q", json!({"Japan": "Tokyo"})), 1.0);
    let q = quiz("", &format!("{items}all_or_nothing = true\n"));
    assert_eq!(
        score(
            &q,
            "q",
            json!({"Canada": "Ottawa", "Italy": "Rome", "Japan": "Sydney"})
        ),
        0.0
    );
}

#[test]
fn hint_penalties() {
    let q = quiz(
        "",
        r#"[[sections.items]]
id = "q"
type = "true_false"
prompt = "p"
answer = true
points = 4
hints = [{ text = "first", penalty = 0.25 }, { text = "second", penalty = 0.5 }]
"#,
    );
    // One hint: (1 - 0.25) × 4 = 3. Two hints: (1 - 0.75) × 4 = 1. Wrong with hints: 0 - 0.75
    // → floored at 0.
    assert_eq!(score_hints(&q, "q", json!(true), 0), 4.0);
    assert_eq!(score_hints(&q, "q", json!(true), 1), 3.0);
    assert_eq!(score_hints(&q, "q", json!(true), 2), 1.0);
    assert_eq!(score_hints(&q, "q", json!(false), 2), 0.0);
}

fn three_items(pass: &str) -> Quiz {
    quiz(
        pass,
        r#"[[sections.items]]
id = "a"
type = "true_false"
prompt = "a"
answer = true
[[sections.items]]
id = "b"
type = "true_false"
prompt = "b"
answer = false
points = 2
[[sections]]
id = "s2"
title = "Second"
[[sections.items]]
id = "c"
type = "numeric"
prompt = "c"
answers = [{ value = 7 }]
points = 3
"#,
    )
}

fn grade(q: &Quiz, r: serde_json::Value) -> openbadges_quiz::Grade {
    let resp = openbadges_quiz::responses_from_json(q, &r).unwrap();
    openbadges_quiz::grade(q, None, &resp).unwrap()
}

#[test]
fn pass_policies() {
    // Max = 1 + 2 + 3 = 6.
    let r_partial = json!({"a": true, "b": true, "c": 7}); // 1 + 0 + 3 = 4 (66.67%)
    let r_missing = json!({"a": true, "b": false}); // 3, c unanswered
    let r_all = json!({"1": true, "2": false, "3": 7}); // by number: 6

    let q = three_items("[pass]\nrule = \"completion\"");
    assert!(grade(&q, r_partial.clone()).passed);
    assert!(!grade(&q, r_missing.clone()).passed);

    let q = three_items("[pass]\nrule = \"min_score\"\npoints = 4");
    assert!(grade(&q, r_partial.clone()).passed); // 4 ≥ 4
    assert!(!grade(&q, r_missing.clone()).passed); // 3 < 4

    let q = three_items("[pass]\nrule = \"min_percent\"\npercent = 70");
    let g = grade(&q, r_partial.clone());
    assert!((g.percent - 66.666666667).abs() < 1e-6);
    assert!(!g.passed); // 66.7% < 70%
    assert!(grade(&q, r_all.clone()).passed);

    let q = three_items("[pass]\nrule = \"all_correct\"");
    assert!(!grade(&q, r_partial.clone()).passed);
    assert!(grade(&q, r_all.clone()).passed);

    let q = three_items("[pass]\nrule = \"section_min\"\nsection = \"s2\"\npoints = 3");
    assert!(grade(&q, r_partial.clone()).passed); // section s2 = 3
    assert!(!grade(&q, r_missing.clone()).passed); // section s2 = 0

    // Completion AND at least 50%: partial (4/6, all answered) passes, missing fails.
    let q = three_items(
        "[pass]\nrule = \"all\"\nof = [{ rule = \"completion\" }, { rule = \"min_percent\", percent = 50 }]",
    );
    assert!(grade(&q, r_partial.clone()).passed);
    assert!(!grade(&q, r_missing.clone()).passed);
    assert_eq!(
        openbadges_quiz::policy::criteria_text(&q),
        "Answer all 3 questions (any answer counts) and score at least 50% in the quiz \u{201c}T\u{201d}."
    );
    // Any: all correct OR section s2 ≥ 3 points.
    let q = three_items(
        "[pass]\nrule = \"any\"\nof = [{ rule = \"all_correct\" }, { rule = \"section_min\", section = \"s2\", percent = 100 }]",
    );
    assert!(grade(&q, r_partial).passed);
    assert!(!grade(&q, r_missing).passed);
    assert_eq!(
        openbadges_quiz::policy::criteria_text(&q),
        "Answer all 3 questions correctly or score at least 100% in the section \u{201c}Second\u{201d} in the quiz \u{201c}T\u{201d}."
    );
}

#[test]
fn score_bands_and_unknown_response_keys() {
    let q = three_items(
        "[[feedback]]\nmin_percent = 0\nmax_percent = 49\ntext = \"Keep going\"\n[[feedback]]\nmin_percent = 50\nmax_percent = 100\ntext = \"Well done\"",
    );
    assert_eq!(
        grade(&q, json!({"c": 7})).band_feedback.as_deref(),
        Some("Well done")
    ); // 50%
    assert_eq!(
        grade(&q, json!({"a": true})).band_feedback.as_deref(),
        Some("Keep going")
    ); // 16.7%
    assert!(openbadges_quiz::responses_from_json(&q, &json!({"zz": true})).is_err());
    assert!(openbadges_quiz::responses_from_json(&q, &json!({"4": true})).is_err());
}
