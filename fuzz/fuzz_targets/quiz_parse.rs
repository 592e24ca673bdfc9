//! Fuzz the quiz readers (engine TOML and JSON, Moodle GIFT, QTI 3.0 XML) and everything a
//! successfully read definition flows into: validation, presentation, public view, grading
//! with the best and with arbitrary responses, evidence records and QTI export.
//! The first byte picks the reader (`% 6`: TOML, JSON, GIFT, QTI XML, detect, QTI zip package);
//! the rest is the input.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use openbadges_quiz::grade::best_response;
use openbadges_quiz::record::{AttemptRecord, RecordInput};
use openbadges_quiz::{
    Format, Grader, Limits, Presentation, PublicQuiz, Response, Responses, load,
};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let limits = Limits {
        max_bytes: 64 * 1024,
        ..Limits::default()
    };
    if sel % 6 == 5 {
        // QTI content package (zip).
        let _ = openbadges_quiz::qti::import_package(rest, Some("fuzz.zip"), &limits)
            .map(|l| l.check(&limits));
        return;
    }
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = match sel % 6 {
        0 => Format::Toml,
        1 => Format::Json,
        2 => Format::Gift,
        3 => Format::Qti,
        _ => Format::detect(None, text),
    };
    let Ok(loaded) = load(text, format, Some("fuzz"), &limits) else {
        return;
    };
    let problems = loaded.check(&limits);
    for p in &problems {
        let _ = p.to_string();
    }
    let quiz = &loaded.quiz;
    let seed = u64::from(sel);
    let pres = Presentation::new(quiz, seed);
    let _ = PublicQuiz::new(quiz, &pres);
    let _ = openbadges_quiz::policy::criteria_text(quiz);
    let _ = openbadges_quiz::qti::export(quiz);
    if problems.iter().any(|p| p.is_error()) {
        return;
    }
    let Ok(grader) = Grader::with_limits(quiz, &limits) else {
        return;
    };
    let best: Responses = pres
        .item_ids()
        .filter_map(|id| {
            quiz.item(id)
                .and_then(best_response)
                .map(|r| (id.to_owned(), r))
        })
        .collect();
    let hints = BTreeMap::new();
    if let Ok(g) = grader.grade(Some(&pres), &best, &hints) {
        assert!(g.score >= 0.0 && g.score <= g.max_score + 1e-6);
        let rec = AttemptRecord::seal(RecordInput {
            quiz,
            presentation: &pres,
            responses: &best,
            hints: &hints,
            grade: &g,
            attempt: 1,
            started_at: 0,
            submitted_at: 1,
        });
        assert!(rec.verify().is_ok());
    }
    // Arbitrary responses built from the text itself.
    let odd: Responses = pres
        .item_ids()
        .map(|id| {
            (
                id.to_owned(),
                Response::Text(text.chars().take(16).collect()),
            )
        })
        .collect();
    let _ = grader.grade(Some(&pres), &odd, &hints);
});
