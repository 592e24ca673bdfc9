//! Errors keep their causes: where a quiz error comes from a JSON error, a number that does
//! not parse or an id the model refuses, that error is its `source()`, and the message is the
//! one the crate always gave.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error as _;

use openbadges_quiz::{AttemptRecord, Error, Format, Limits, evidence, load, responses_from_json};

const QUIZ: &str = r#"
id = "q"
title = "Q"
[[sections]]
id = "s"
[[sections.items]]
id = "a"
type = "true_false"
prompt = "True?"
answer = true
"#;

#[test]
fn a_record_that_is_not_json_keeps_the_json_error() {
    let e = AttemptRecord::from_json("{\"digest\": ").unwrap_err();
    assert!(matches!(e, Error::RecordJson(_)), "{e:?}");
    assert!(e.to_string().starts_with("attempt record: "), "{e}");
    let source = e.source().expect("a source");
    assert!(source.is::<serde_json::Error>(), "{source:?}");
}

#[test]
fn a_response_of_the_wrong_shape_keeps_the_json_error() {
    let quiz = load(QUIZ, Format::Toml, None, &Limits::default())
        .unwrap()
        .quiz;
    let e = responses_from_json(&quiz, &serde_json::json!({"a": {"x": 1}})).unwrap_err();
    assert!(e.to_string().starts_with("response for item a: "), "{e}");
    assert!(e.source().expect("a source").is::<serde_json::Error>());
    // A response naming no item has no cause beyond itself.
    let e = responses_from_json(&quiz, &serde_json::json!({"zz": true})).unwrap_err();
    assert!(e.source().is_none(), "{e:?}");
}

#[test]
fn an_evidence_id_that_is_not_an_iri_keeps_the_model_error() {
    let quiz = load(QUIZ, Format::Toml, None, &Limits::default())
        .unwrap()
        .quiz;
    let e = evidence::ob3_result_description(&quiz, "not an iri").unwrap_err();
    assert!(
        e.to_string().starts_with("evidence: \"not an iri\": "),
        "{e}"
    );
    let source = e.source().expect("a source");
    assert!(source.is::<openbadges_model::Error>(), "{source:?}");
}
