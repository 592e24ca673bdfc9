//! Property tests: grading invariants, the randomisation contract, content hashes and
//! tamper evidence, over randomly generated valid quizzes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_cmp
)]

use std::collections::BTreeMap;

use openbadges_quiz::grade::best_response;
use openbadges_quiz::record::{AttemptRecord, RecordInput};
use openbadges_quiz::{
    Answer, Choice, Distractor, Grader, Item, ItemType, Pair, PassPolicy, Presentation, Quiz,
    Response, Section, content_hash,
};
use proptest::prelude::*;

fn arb_item(id: String) -> impl Strategy<Value = Item> {
    let kind = prop_oneof![
        Just(ItemType::TrueFalse),
        Just(ItemType::SingleChoice),
        Just(ItemType::MultipleResponse),
        Just(ItemType::TextEntry),
        Just(ItemType::Numeric),
        Just(ItemType::Ordering),
        Just(ItemType::Matching),
    ];
    (
        kind,
        1u8..5,
        2usize..6,
        any::<u64>(),
        proptest::option::of(prop_oneof![Just(true), Just(false)]),
        0u8..3,
    )
        .prop_map(move |(kind, points, n, bits, aon, floor)| {
            let mut it = Item::new(id.clone(), kind, format!("prompt {id}"));
            it.points = f64::from(points);
            it.all_or_nothing = aon;
            it.min_fraction = -f64::from(floor) / 4.0; // 0, -0.25, -0.5
            let bit = |k: usize| bits >> (k % 64) & 1 == 1;
            match kind {
                ItemType::TrueFalse => it.answer = Some(bit(0)),
                ItemType::SingleChoice | ItemType::MultipleResponse | ItemType::Ordering => {
                    for k in 0..n {
                        let mut c = Choice::new(
                            format!("c{k}"),
                            format!("choice {k}"),
                            kind != ItemType::Ordering
                                && (k == 0 || (kind == ItemType::MultipleResponse && bit(k))),
                        );
                        c.pinned = bit(k + 8) && kind != ItemType::Ordering;
                        if kind == ItemType::SingleChoice && k == 1 && bit(20) {
                            c.fraction = Some(0.5);
                        }
                        it.choices.push(c);
                    }
                    it.shuffle = bit(30) || kind == ItemType::Ordering;
                }
                ItemType::TextEntry => {
                    it.answers.push(Answer::text(format!("answer {id}")));
                    it.answers.push(Answer {
                        text: Some("half".into()),
                        fraction: 0.5,
                        ..Answer::default()
                    });
                }
                ItemType::Numeric => {
                    it.answers
                        .push(Answer::number(f64::from(points) * 3.0, Some(0.5)));
                    it.answers.push(Answer {
                        min: Some(100.0),
                        max: Some(200.0),
                        fraction: 0.25,
                        ..Answer::default()
                    });
                }
                ItemType::Matching => {
                    for k in 0..n {
                        it.pairs.push(Pair {
                            id: format!("p{k}"),
                            left: format!("left {k}"),
                            right: format!("right {k}"),
                        });
                    }
                    it.distractors.push(Distractor {
                        id: "d".into(),
                        text: "nothing".into(),
                    });
                    it.shuffle = bit(31);
                }
                _ => {}
            }
            it
        })
}

fn arb_quiz() -> impl Strategy<Value = Quiz> {
    let section = |s: usize| {
        (
            proptest::collection::vec(any::<u8>(), 1..6),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_flat_map(move |(ids, shuffle, pooled)| {
                let n = ids.len();
                let items: Vec<_> = (0..n).map(|i| arb_item(format!("s{s}i{i}"))).collect();
                (
                    items,
                    Just(shuffle),
                    if pooled {
                        (1..=n).prop_map(Some).boxed()
                    } else {
                        Just(None).boxed()
                    },
                )
                    .prop_map(move |(items, shuffle, pool)| Section {
                        id: format!("s{s}"),
                        title: None,
                        instructions: None,
                        shuffle,
                        pool,
                        items,
                    })
            })
    };
    let policy = prop_oneof![
        Just(PassPolicy::Completion),
        Just(PassPolicy::AllCorrect),
        (0u8..=100).prop_map(|p| PassPolicy::MinPercent {
            percent: f64::from(p)
        }),
    ];
    (section(0), section(1), any::<bool>(), policy).prop_map(|(a, b, two, pass)| Quiz {
        id: "prop".into(),
        title: "Prop".into(),
        instructions: None,
        language: "en".into(),
        version: None,
        pass,
        feedback: Vec::new(),
        pass_feedback: None,
        fail_feedback: None,
        settings: Default::default(),
        sections: if two { vec![a, b] } else { vec![a] },
    })
}

/// A response for an item chosen by `pick` (arbitrary, possibly wrong).
fn some_response(item: &Item, pick: u64) -> Response {
    let p = pick as usize;
    match item.kind {
        ItemType::TrueFalse => Response::Bool(pick % 2 == 0),
        ItemType::SingleChoice => Response::Text(item.choices[p % item.choices.len()].id.clone()),
        ItemType::MultipleResponse => Response::List(
            item.choices
                .iter()
                .enumerate()
                .filter(|(k, _)| pick >> k & 1 == 1)
                .map(|(_, c)| c.id.clone())
                .collect(),
        ),
        ItemType::TextEntry => Response::Text(["half", "nope", "answer x"][p % 3].into()),
        ItemType::Numeric => Response::Number((pick % 300) as f64 / 2.0),
        ItemType::Ordering => {
            let mut ids: Vec<String> = item.choices.iter().map(|c| c.id.clone()).collect();
            let n = ids.len();
            ids.rotate_left(p % n);
            Response::List(ids)
        }
        ItemType::Matching => {
            let rights: Vec<String> = item
                .pairs
                .iter()
                .map(|x| x.right.clone())
                .chain(["nothing".to_owned()])
                .collect();
            Response::Map(
                item.pairs
                    .iter()
                    .enumerate()
                    .map(|(k, x)| (x.left.clone(), rights[(p + k) % rights.len()].clone()))
                    .collect(),
            )
        }
        _ => unreachable!(),
    }
}

fn responses(quiz: &Quiz, pres: &Presentation, picks: &[u64]) -> BTreeMap<String, Response> {
    pres.item_ids()
        .enumerate()
        .filter(|(k, _)| picks[k % picks.len()] % 5 != 0) // leave some unanswered
        .map(|(k, id)| {
            (
                id.to_owned(),
                some_response(quiz.item(id).unwrap(), picks[k % picks.len()]),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_quizzes_are_valid(q in arb_quiz()) {
        let issues = openbadges_quiz::validate::validate(&q);
        prop_assert!(issues.iter().all(|i| i.severity != openbadges_quiz::Severity::Error), "{issues:#?}");
    }

    #[test]
    fn max_score_is_reachable(q in arb_quiz(), seed in any::<u64>()) {
        let pres = Presentation::new(&q, seed);
        let best: BTreeMap<String, Response> =
            pres.item_ids().map(|id| (id.to_owned(), best_response(q.item(id).unwrap()).unwrap())).collect();
        let g = Grader::new(&q).unwrap().grade(Some(&pres), &best, &BTreeMap::new()).unwrap();
        prop_assert_eq!(g.score, g.max_score);
        prop_assert_eq!(g.percent, 100.0);
        prop_assert!(g.items.iter().all(|i| i.correct == Some(true)));
        prop_assert!(g.passed);
    }

    #[test]
    fn scores_stay_within_bounds(q in arb_quiz(), seed in any::<u64>(), picks in proptest::collection::vec(any::<u64>(), 1..20), hints in 0u32..3) {
        let pres = Presentation::new(&q, seed);
        let r = responses(&q, &pres, &picks);
        let h: BTreeMap<String, u32> = pres.item_ids().map(|id| (id.to_owned(), hints)).collect();
        let g = Grader::new(&q).unwrap().grade(Some(&pres), &r, &h).unwrap();
        prop_assert!(g.score >= 0.0 && g.score <= g.max_score, "{} of {}", g.score, g.max_score);
        prop_assert!((0.0..=100.0).contains(&g.percent));
        for i in &g.items {
            let item = q.item(&i.id).unwrap();
            prop_assert!(i.score <= i.max_score + 1e-9);
            prop_assert!(i.score >= item.min_fraction * item.points - 1e-9);
        }
    }

    #[test]
    fn shuffling_never_changes_a_grade(mut q in arb_quiz(), s1 in any::<u64>(), s2 in any::<u64>(), picks in proptest::collection::vec(any::<u64>(), 1..20)) {
        for s in &mut q.sections { s.pool = None; } // pools choose different items by design
        let p1 = Presentation::new(&q, s1);
        let p2 = Presentation::new(&q, s2);
        let r = responses(&q, &p1, &picks);
        let g = Grader::new(&q).unwrap();
        let a = g.grade(Some(&p1), &r, &BTreeMap::new()).unwrap();
        let b = g.grade(Some(&p2), &r, &BTreeMap::new()).unwrap();
        let c = g.grade(None, &r, &BTreeMap::new()).unwrap();
        let key = |g: &openbadges_quiz::Grade| {
            let mut v: Vec<_> = g.items.iter().map(|i| (i.id.clone(), i.score.to_bits(), i.correct)).collect();
            v.sort();
            (g.score.to_bits(), g.max_score.to_bits(), g.passed, v)
        };
        prop_assert_eq!(key(&a), key(&b));
        prop_assert_eq!(key(&a), key(&c));
    }

    #[test]
    fn same_seed_same_presentation(q in arb_quiz(), seed in any::<u64>()) {
        let a = Presentation::new(&q, seed);
        // Through a serialization round trip of the definition, too.
        let json = serde_json::to_string(&q).unwrap();
        let q2: Quiz = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&q, &q2);
        prop_assert_eq!(&a, &Presentation::new(&q2, seed));
        prop_assert_eq!(a.algorithm.as_str(), openbadges_quiz::shuffle::ALGORITHM);
        // Pinned choices never move; every choice appears once.
        for sec in &a.sections {
            for pi in &sec.items {
                let item = q.item(&pi.id).unwrap();
                for (k, c) in item.choices.iter().enumerate() {
                    if c.pinned && item.shuffle { prop_assert_eq!(&pi.order[k], &c.id); }
                }
                let mut sorted = pi.order.clone();
                sorted.sort();
                sorted.dedup();
                prop_assert_eq!(sorted.len(), pi.order.len());
            }
        }
    }

    #[test]
    fn changed_key_or_definition_changes_the_hash(q in arb_quiz(), which in 0usize..4) {
        let h = content_hash(&q);
        prop_assert_eq!(&h, &content_hash(&q.clone()));
        let mut m = q.clone();
        let item = &mut m.sections[0].items[0];
        match which {
            0 => item.points += 1.0,
            1 => item.prompt.push('!'),
            2 => match item.kind {
                ItemType::TrueFalse => item.answer = item.answer.map(|a| !a),
                ItemType::SingleChoice | ItemType::MultipleResponse => item.choices[1].correct = !item.choices[1].correct,
                ItemType::Ordering => item.choices.swap(0, 1),
                ItemType::TextEntry | ItemType::Numeric => item.answers[0].fraction = 0.75,
                ItemType::Matching => item.pairs[0].right.push('x'),
                _ => unreachable!(),
            },
            _ => m.pass = PassPolicy::MinScore { points: 0.5 },
        }
        prop_assume!(m != q);
        prop_assert_ne!(h, content_hash(&m));
    }

    #[test]
    fn tampered_records_fail_their_check(q in arb_quiz(), seed in any::<u64>(), picks in proptest::collection::vec(any::<u64>(), 1..20), field in 0usize..6) {
        let pres = Presentation::new(&q, seed);
        let r = responses(&q, &pres, &picks);
        let hints = BTreeMap::new();
        let grade = Grader::new(&q).unwrap().grade(Some(&pres), &r, &hints).unwrap();
        let rec = AttemptRecord::seal(RecordInput { quiz: &q, presentation: &pres, responses: &r, hints: &hints, grade: &grade, attempt: 1, started_at: 10, submitted_at: 20 });
        prop_assert!(rec.verify().is_ok());
        prop_assert!(rec.verify_with(&q).is_ok());
        // Survives a JSON round trip.
        let back = AttemptRecord::from_json(&rec.to_json_pretty()).unwrap();
        prop_assert!(back.verify().is_ok());
        let mut t = rec.clone();
        match field {
            0 => t.score += 1.0,
            1 => t.passed = !t.passed,
            2 => t.items[0].response = Some(Response::Text("forged".into())),
            3 => t.seed = (seed.wrapping_add(1)).to_string(),
            4 => t.quiz.content_hash = content_hash(&Quiz { title: "other".into(), ..q.clone() }),
            _ => t.submitted_at -= 5,
        }
        prop_assert!(t.verify().is_err());
        // Re-sealing a forgery passes the digest but not the re-grade against the definition
        // (when the change alters what the definition implies).
        if field <= 1 {
            t.digest = t.compute_digest();
            prop_assert!(t.verify().is_ok());
            prop_assert!(t.verify_with(&q).is_err());
        }
    }
}
