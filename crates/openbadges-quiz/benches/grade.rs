//! Criterion benches: grading and validating a 200-item quiz (all seven item types).
//!
//! Run: `cargo bench -p openbadges-quiz --bench grade`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use openbadges_quiz::grade::best_response;
use openbadges_quiz::record::{AttemptRecord, RecordInput};
use openbadges_quiz::{Format, Grader, Limits, Presentation, Responses, load, validate::validate};

/// A 200-item TOML definition cycling through the item types, in 4 sections of 50.
fn quiz_toml() -> String {
    let mut s = String::from(
        "id = \"bench\"\ntitle = \"Bench\"\n[pass]\nrule = \"min_percent\"\npercent = 60\n",
    );
    for sec in 0..4 {
        let _ = write!(s, "[[sections]]\nid = \"s{sec}\"\nshuffle = true\n");
        for i in 0..50 {
            let id = format!("s{sec}i{i}");
            let _ = write!(
                s,
                "[[sections.items]]\nid = \"{id}\"\nprompt = \"Question {id}\"\n"
            );
            match i % 7 {
                0 => s.push_str("type = \"true_false\"\nanswer = true\n"),
                1 => s.push_str("type = \"single_choice\"\nshuffle = true\nchoices = [{ id = \"a\", text = \"A\", correct = true }, { id = \"b\", text = \"B\", fraction = 0.5 }, { id = \"c\", text = \"C\" }, { id = \"d\", text = \"None of these\", pinned = true }]\n"),
                2 => s.push_str("type = \"multiple_response\"\nchoices = [{ id = \"a\", text = \"A\", correct = true }, { id = \"b\", text = \"B\", correct = true }, { id = \"c\", text = \"C\" }, { id = \"d\", text = \"D\" }]\n"),
                3 => s.push_str("type = \"text_entry\"\nanswers = [{ text = \"the answer\" }, { regex = \"th[ae]+ ans(w|v)er\", fraction = 0.5 }]\n"),
                4 => s.push_str("type = \"numeric\"\nanswers = [{ value = 42, tolerance = 0.5 }, { min = 30, max = 50, fraction = 0.5 }]\n"),
                5 => s.push_str("type = \"ordering\"\nchoices = [{ id = \"a\", text = \"1\" }, { id = \"b\", text = \"2\" }, { id = \"c\", text = \"3\" }, { id = \"d\", text = \"4\" }]\n"),
                _ => s.push_str("type = \"matching\"\npairs = [{ id = \"p\", left = \"L1\", right = \"R1\" }, { id = \"q\", left = \"L2\", right = \"R2\" }, { id = \"r\", left = \"L3\", right = \"R3\" }]\ndistractors = [{ id = \"x\", text = \"R4\" }]\n"),
            }
        }
    }
    s
}

fn benches(c: &mut Criterion) {
    let src = quiz_toml();
    let quiz = load(&src, Format::Toml, Some("bench.toml"), &Limits::default())
        .unwrap()
        .quiz;
    assert_eq!(quiz.items().count(), 200);
    assert!(validate(&quiz).is_empty());
    let pres = Presentation::new(&quiz, 7);
    let responses: Responses = quiz
        .items()
        .map(|(_, i)| (i.id.clone(), best_response(i).unwrap()))
        .collect();
    let hints = BTreeMap::new();
    let grader = Grader::new(&quiz).unwrap();

    c.bench_function("grade 200 items (prepared grader)", |b| {
        b.iter(|| {
            black_box(
                grader
                    .grade(Some(black_box(&pres)), black_box(&responses), &hints)
                    .unwrap(),
            )
        })
    });
    c.bench_function("grade 200 items (incl. compiling regexes)", |b| {
        b.iter(|| {
            black_box(
                Grader::new(&quiz)
                    .unwrap()
                    .grade(Some(&pres), &responses, &hints)
                    .unwrap(),
            )
        })
    });
    c.bench_function("validate 200 items", |b| {
        b.iter(|| black_box(validate(black_box(&quiz))))
    });
    c.bench_function("load TOML + validate 200 items", |b| {
        b.iter(|| {
            let l = load(
                black_box(&src),
                Format::Toml,
                Some("bench.toml"),
                &Limits::default(),
            )
            .unwrap();
            black_box(l.check(&Limits::default()))
        })
    });
    c.bench_function("presentation (seeded shuffle) 200 items", |b| {
        b.iter(|| black_box(Presentation::new(black_box(&quiz), 7)))
    });
    let grade = grader.grade(Some(&pres), &responses, &hints).unwrap();
    c.bench_function("seal attempt record 200 items", |b| {
        b.iter(|| {
            black_box(AttemptRecord::seal(RecordInput {
                quiz: &quiz,
                presentation: &pres,
                responses: &responses,
                hints: &hints,
                grade: &grade,
                attempt: 1,
                started_at: 0,
                submitted_at: 1,
            }))
        })
    });
}

criterion_group!(name = quiz_benches; config = Criterion::default().sample_size(30); targets = benches);
criterion_main!(quiz_benches);
