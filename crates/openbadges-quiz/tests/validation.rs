//! One test per validation rule: each reports the right `file:line:column`.
//!
//! Positions are checked against the text itself: `at(src, needle)` is the 1-based line and
//! column where `needle` starts, so a test names the exact spot it expects.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_quiz::{Error, Format, Limits, Problem, load};

fn at(src: &str, needle: &str) -> (usize, usize) {
    assert_eq!(
        src.matches(needle).count(),
        1,
        "needle {needle:?} must be unique"
    );
    let off = src.find(needle).unwrap();
    let before = &src[..off];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
    (line, col)
}

fn problems(src: &str, format: Format, file: &str) -> Vec<Problem> {
    match load(src, format, Some(file), &Limits::default()) {
        Ok(l) => l.check(&Limits::default()),
        Err(Error::Invalid(p)) => p,
        Err(e) => panic!("{e}"),
    }
}

/// Asserts exactly one problem with `code`, at the position of `needle`.
fn expect(src: &str, code: &str, needle: &str) {
    let p = problems(src, Format::Toml, "quiz.toml");
    let hits: Vec<&Problem> = p.iter().filter(|p| p.code == code).collect();
    assert_eq!(hits.len(), 1, "{code}: {p:#?}");
    let (line, col) = at(src, needle);
    assert_eq!((hits[0].line, hits[0].column), (line, col), "{}", hits[0]);
    assert!(
        hits[0]
            .to_string()
            .starts_with(&format!("quiz.toml:{line}:{col}: ")),
        "{}",
        hits[0]
    );
}

const HEAD: &str = "id = \"q\"\ntitle = \"Q\"\n";

fn tf(id: &str) -> String {
    format!(
        "[[sections.items]]\nid = \"{id}\"\ntype = \"true_false\"\nprompt = \"p\"\nanswer = true\n"
    )
}

#[test]
fn valid_definition_has_no_problems() {
    let src = format!("{HEAD}[[sections]]\nid = \"s\"\n{}{}", tf("a"), tf("b"));
    assert!(problems(&src, Format::Toml, "quiz.toml").is_empty());
}

#[test]
fn duplicate_item_id() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n{}{}",
        tf("a"),
        tf("a").replace("\"a\"", "\"a\" # again")
    );
    expect(&src, "duplicate-id", "\"a\" # again");
}

#[test]
fn duplicate_section_and_choice_ids() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n{}[[sections]]\nid = \"s\"   # twice\n[[sections.items]]\nid = \"c\"\ntype = \"single_choice\"\nprompt = \"p\"\nchoices = [{{ id = \"x\", text = \"1\", correct = true }}, {{ id = \"x\", text = \"2\" }}]\n",
        tf("a")
    );
    let p = problems(&src, Format::Toml, "quiz.toml");
    let d: Vec<(usize, usize)> = p
        .iter()
        .filter(|p| p.code == "duplicate-id")
        .map(|p| (p.line, p.column))
        .collect();
    assert_eq!(
        d,
        vec![at(&src, "\"s\"   # twice"), at(&src, "\"x\", text = \"2\"")]
    );
}

#[test]
fn no_correct_answer() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"c\"\ntype = \"single_choice\"\nprompt = \"p\"\nchoices = [{{ id = \"x\", text = \"1\" }}, {{ id = \"y\", text = \"2\" }}]\n"
    );
    // Reported at the item (its table header).
    expect(&src, "no-correct-answer", "[[sections.items]]");
}

#[test]
fn no_correct_answer_in_json_with_computed_positions() {
    let src = r#"{
  "id": "q",
  "title": "Q",
  "sections": [
    {
      "id": "s",
      "items": [
        { "id": "a", "type": "true_false", "prompt": "p", "answer": true },
        { "id": "b", "type": "multiple_response", "prompt": "p",
          "choices": [ { "id": "x", "text": "1", "fraction": 0.4 }, { "id": "y", "text": "2", "fraction": 0.4 } ] }
      ]
    }
  ]
}"#;
    let p = problems(src, Format::Json, "quiz.json");
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].code, "no-correct-answer");
    assert_eq!((p[0].line, p[0].column), at(src, "{ \"id\": \"b\""));
    assert!(
        p[0].to_string()
            .starts_with("quiz.json:9:9: error[no-correct-answer]"),
        "{}",
        p[0]
    );
}

#[test]
fn unreachable_threshold() {
    let src = format!(
        "{HEAD}[pass]\nrule = \"min_score\"\npoints = 3\n[[sections]]\nid = \"s\"\n{}{}",
        tf("a"),
        tf("b")
    );
    expect(&src, "unreachable-threshold", "3\n");
}

#[test]
fn unreachable_threshold_with_a_pool() {
    // Pool draws 1 of {1 point, 5 points}: only 1 point is guaranteed, so 2 is unreachable.
    let src = format!(
        "{HEAD}[pass]\nrule = \"min_score\"\npoints = 2\n[[sections]]\nid = \"s\"\npool = 1\n{}{}points = 5\n",
        tf("a"),
        tf("b")
    );
    expect(&src, "unreachable-threshold", "2\n");
}

#[test]
fn pool_larger_than_section() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\npool = 3\n{}{}",
        tf("a"),
        tf("b")
    );
    expect(&src, "pool-too-large", "3\n");
}

#[test]
fn feedback_for_unknown_choice() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"c\"\ntype = \"single_choice\"\nprompt = \"p\"\nchoices = [{{ id = \"x\", text = \"1\", correct = true }}, {{ id = \"y\", text = \"2\" }}]\nchoice_feedback = {{ x = \"ok\", z = \"no such choice\" }}\n"
    );
    expect(&src, "unknown-choice-feedback", "\"no such choice\"");
}

#[test]
fn contradictory_bounds() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n{}min_fraction = 0.9\nmax_fraction = 0.5\n",
        tf("a")
    );
    expect(&src, "contradictory-rule", "0.9");
}

#[test]
fn contradictory_numeric_answer() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"n\"\ntype = \"numeric\"\nprompt = \"p\"\nanswers = [{{ value = 1 }}, {{ min = 5, max = 2, fraction = 0.5 }}]\n"
    );
    expect(&src, "contradictory-rule", "5, max");
}

#[test]
fn contradictory_correct_choice_without_credit() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"c\"\ntype = \"single_choice\"\nprompt = \"p\"\nchoices = [{{ id = \"x\", text = \"1\", correct = true }}, {{ id = \"y\", text = \"2\", correct = true, fraction = -0.5 }}]\n"
    );
    expect(&src, "contradictory-rule", "-0.5");
}

#[test]
fn contradictory_overlapping_score_bands() {
    let src = format!(
        "{HEAD}[[feedback]]\nmin_percent = 0\nmax_percent = 60\ntext = \"low\"\n[[feedback]] # second\nmin_percent = 50\ntext = \"high\"\n[[sections]]\nid = \"s\"\n{}",
        tf("a")
    );
    expect(&src, "contradictory-rule", "[[feedback]] # second");
}

#[test]
fn field_not_applicable() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n{}case_sensitive = true # here\n",
        tf("a")
    );
    expect(&src, "field-not-applicable", "true # here");
}

#[test]
fn invalid_regex_and_regex_size_bound() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"t\"\ntype = \"text_entry\"\nprompt = \"p\"\nanswers = [{{ text = \"a\" }}, {{ regex = \"(unclosed\", fraction = 0.5 }}]\n"
    );
    expect(&src, "invalid-regex", "\"(unclosed\"");
    // A pattern that compiles into a huge automaton is refused by the size limit.
    let big = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"t\"\ntype = \"text_entry\"\nprompt = \"p\"\nanswers = [{{ text = \"a\" }}, {{ regex = \"\\\\w{{500}}\\\\w{{500}}\", fraction = 0.5 }}]\n"
    );
    let p = problems(&big, Format::Toml, "quiz.toml");
    assert!(
        p.iter()
            .any(|p| p.code == "invalid-regex" && p.message.contains("size limit")),
        "{p:#?}"
    );
}

#[test]
fn invalid_number() {
    let src = format!("{HEAD}[[sections]]\nid = \"s\"\n{}points = -2\n", tf("a"));
    expect(&src, "invalid-number", "-2");
}

#[test]
fn unknown_section_in_pass_rule() {
    let src = format!(
        "{HEAD}[pass]\nrule = \"section_min\"\nsection = \"nope\"\npoints = 1\n[[sections]]\nid = \"s\"\n{}",
        tf("a")
    );
    expect(&src, "unknown-section", "\"nope\"");
}

#[test]
fn too_few_choices() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"o\"\ntype = \"ordering\"\nprompt = \"p\"\nchoices = [{{ id = \"x\", text = \"only\" }}]\n"
    );
    expect(&src, "too-few-choices", "[{ id = \"x\"");
}

#[test]
fn empty_id() {
    let src = format!("{HEAD}[[sections]]\nid = \"\"\n{}", tf("a"));
    expect(&src, "empty-id", "\"\"");
}

#[test]
fn limit_on_items() {
    let src = format!("{HEAD}[[sections]]\nid = \"s\"\n{}{}", tf("a"), tf("b"));
    let l = load(&src, Format::Toml, Some("quiz.toml"), &Limits::default()).unwrap();
    let p = l.check(&Limits {
        max_items: 1,
        ..Limits::default()
    });
    assert!(p.iter().any(|p| p.code == "limit"), "{p:#?}");
    let e = load(
        &src,
        Format::Toml,
        None,
        &Limits {
            max_bytes: 10,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(matches!(e, Error::Limit(_)));
}

#[test]
fn warnings_empty_prompt_and_pinned_without_shuffle() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"c\"\ntype = \"single_choice\"\nprompt = \"\"\nchoices = [{{ id = \"x\", text = \"1\", correct = true }}, {{ id = \"y\", text = \"2\", pinned = true }}]\n"
    );
    expect(&src, "empty-prompt", "\"\"\n");
    expect(&src, "pinned-without-shuffle", "true }]");
    assert!(
        problems(&src, Format::Toml, "quiz.toml")
            .iter()
            .all(|p| !p.is_error())
    );
}

#[test]
fn toml_syntax_error_position() {
    let src = "id = \"q\"\ntitle = = \"Q\"\n";
    let p = problems(src, Format::Toml, "quiz.toml");
    assert_eq!(p.len(), 1);
    assert_eq!(
        (p[0].code, p[0].line, p[0].column),
        ("syntax", 2, 9),
        "{}",
        p[0]
    );
}

#[test]
fn shape_error_names_the_field_position() {
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n{}points = \"many\"\n",
        tf("a")
    );
    let p = problems(&src, Format::Toml, "quiz.toml");
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].code, "shape");
    assert_eq!((p[0].line, p[0].column), at(&src, "\"many\""));
}

#[test]
fn json_syntax_error_position() {
    let src = "{\n  \"id\": \"q\",\n  \"title\": \"Q\" \"x\"\n}";
    let p = problems(src, Format::Json, "quiz.json");
    assert_eq!(
        (p[0].code, p[0].line, p[0].column),
        ("syntax", 3, 16),
        "{}",
        p[0]
    );
}

#[test]
fn no_items() {
    let src = format!("{HEAD}sections = [] # none\n");
    expect(&src, "no-items", "[] # none");
}

#[test]
fn limit_on_choices_reports_the_item() {
    let choices: Vec<String> = (0..1001)
        .map(|k| format!("{{ id = \"c{k}\", text = \"{k}\", correct = {} }}", k == 0))
        .collect();
    let src = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n[[sections.items]] # big\nid = \"c\"\ntype = \"single_choice\"\nprompt = \"p\"\nchoices = [{}]\n",
        choices.join(", ")
    );
    expect(&src, "limit", "[[sections.items]] # big");
}

// ---------------------------------------------------------------------------------------------
// Documented limits are enforced, in every source format, and by the grader itself.

#[test]
fn points_above_a_million_are_refused_in_every_format() {
    // Two items of 1e308 made the total infinite (`quiz grade` printed `max_score: null`).
    let toml = format!(
        "{HEAD}[[sections]]\nid = \"s\"\n{}points = 1e308\n{}points = 1.0e6\n",
        tf("a"),
        tf("b")
    );
    expect(&toml, "invalid-number", "1e308");
    let json = r#"{"id": "q", "title": "Q", "sections": [{"id": "s", "items": [
        {"id": "a", "type": "true_false", "prompt": "p", "answer": true, "points": 1e308},
        {"id": "b", "type": "true_false", "prompt": "p", "answer": true, "points": 1000000.5}]}]}"#;
    let p = problems(json, Format::Json, "quiz.json");
    let hits: Vec<(usize, usize)> = p
        .iter()
        .filter(|p| p.code == "invalid-number")
        .map(|p| (p.line, p.column))
        .collect();
    assert_eq!(hits, [at(json, "1e308"), at(json, "1000000.5")], "{p:#?}");
    // QTI: the points of a map_response item are its upper bound.
    let qti = |upper: &str| {
        format!(
            "<qti-assessment-item xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\" identifier=\"i\" title=\"i\">\
             <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\">\
             <qti-correct-response><qti-value>A</qti-value></qti-correct-response>\
             <qti-mapping default-value=\"0\" upper-bound=\"{upper}\"><qti-map-entry map-key=\"A\" mapped-value=\"{upper}\"/></qti-mapping>\
             </qti-response-declaration><qti-item-body><qti-choice-interaction response-identifier=\"RESPONSE\" max-choices=\"1\">\
             <qti-simple-choice identifier=\"A\">a</qti-simple-choice><qti-simple-choice identifier=\"B\">b</qti-simple-choice>\
             </qti-choice-interaction></qti-item-body>\
             <qti-response-processing template=\"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml\"/></qti-assessment-item>"
        )
    };
    let p = problems(&qti("1e308"), Format::Qti, "item.xml");
    assert!(p.iter().any(|p| p.code == "invalid-number"), "{p:#?}");
    let p = problems(&qti("1000000"), Format::Qti, "item.xml");
    assert!(!p.iter().any(Problem::is_error), "{p:#?}");
}

fn tf_item(id: &str, points: f64) -> openbadges_quiz::Item {
    let mut item = openbadges_quiz::Item::new(id, openbadges_quiz::ItemType::TrueFalse, "p");
    item.answer = Some(true);
    item.points = points;
    item
}

fn quiz_of(items: Vec<openbadges_quiz::Item>) -> openbadges_quiz::Quiz {
    let src = format!("{HEAD}[[sections]]\nid = \"s\"\n{}", tf("x"));
    let mut q = load(&src, Format::Toml, None, &Limits::default())
        .unwrap()
        .quiz;
    q.sections[0].items = items;
    q
}

#[test]
fn grader_refuses_weights_and_counts_that_would_make_totals_infinite() {
    use openbadges_quiz::{Grader, Response, Responses};
    // Not validated first: the grader holds the same line.
    let q = quiz_of(vec![tf_item("a", 1e308), tf_item("b", 1e308)]);
    match Grader::new(&q) {
        Err(Error::Invalid(p)) => {
            assert_eq!(p.len(), 2, "{p:#?}");
            assert_eq!(p[0].path, "/sections/0/items/0/points");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    let q = quiz_of(
        (0..=Limits::default().max_items)
            .map(|n| tf_item(&format!("i{n}"), 1.0))
            .collect(),
    );
    assert!(matches!(Grader::new(&q), Err(Error::Limit(_))));
    // At the limits (10,000 items of 1e6 points) every total is finite and exact.
    let q = quiz_of(
        (0..Limits::default().max_items)
            .map(|n| tf_item(&format!("i{n}"), 1e6))
            .collect(),
    );
    assert!(openbadges_quiz::validate::validate(&q).is_empty());
    let responses: Responses = q
        .items()
        .map(|(_, i)| (i.id.clone(), Response::Bool(true)))
        .collect();
    let g = Grader::new(&q)
        .unwrap()
        .grade(None, &responses, &Default::default())
        .unwrap();
    assert_eq!((g.score, g.max_score, g.percent), (1e10, 1e10, 100.0));
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(json["max_score"], serde_json::json!(1e10));
}

#[test]
fn numeric_answers_that_are_not_finite_are_refused() {
    let qti = |v: &str| {
        format!(
            "<qti-assessment-item xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\" identifier=\"i\" title=\"i\">\
             <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"float\">\
             <qti-correct-response><qti-value>{v}</qti-value></qti-correct-response></qti-response-declaration>\
             <qti-item-body><p>How much?</p><qti-text-entry-interaction response-identifier=\"RESPONSE\"/></qti-item-body>\
             <qti-response-processing template=\"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml\"/></qti-assessment-item>"
        )
    };
    // A QTI float item imports as a valid numeric item (it used to get `whitespace`, which does
    // not apply to numbers, so every one was refused).
    let p = problems(&qti("1822"), Format::Qti, "item.xml");
    assert!(p.is_empty(), "{p:#?}");
    // "1e400", "NaN" and "inf" parse as f64, but are no answer.
    for v in ["1e400", "NaN", "inf"] {
        let p = problems(&qti(v), Format::Qti, "item.xml");
        let codes: Vec<(&str, &str)> = p.iter().map(|p| (p.code, p.path.as_str())).collect();
        assert_eq!(
            codes,
            [("no-correct-answer", "/sections/0/items/0/answers/0")],
            "{v}"
        );
    }
    // A quiz built in code is checked too.
    let mut item = openbadges_quiz::Item::new("n", openbadges_quiz::ItemType::Numeric, "p");
    item.answers.push(openbadges_quiz::Answer {
        value: Some(f64::INFINITY),
        ..Default::default()
    });
    let issues = openbadges_quiz::validate::validate(&quiz_of(vec![item]));
    assert!(
        issues
            .iter()
            .any(|i| i.code == "invalid-number" && i.path.ends_with("/answers/0/value")),
        "{issues:#?}"
    );
}
