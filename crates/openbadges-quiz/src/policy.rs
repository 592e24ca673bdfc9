//! Pass policies: evaluation and the plain-language criteria text, both from the same rule so
//! a badge's criteria and the grader can never disagree.

use crate::def::{PassPolicy, Quiz};
use crate::grade::{Grade, score_text};

const EPS: f64 = 1e-9;

/// Whether `grade` passes `policy`.
pub fn evaluate(policy: &PassPolicy, grade: &Grade) -> bool {
    match policy {
        PassPolicy::Completion => grade.items.iter().all(|i| i.answered),
        PassPolicy::MinScore { points } => grade.score + EPS >= *points,
        PassPolicy::MinPercent { percent } => grade.percent + EPS >= *percent,
        PassPolicy::AllCorrect => grade.items.iter().all(|i| i.correct == Some(true)),
        PassPolicy::SectionMin {
            section,
            points,
            percent,
        } => {
            let Some(t) = grade.sections.iter().find(|s| s.id == *section) else {
                return false;
            };
            let by_points = points.is_none_or(|p| t.score + EPS >= p);
            let by_percent = percent.is_none_or(|p| {
                let pc = if t.max_score > 0.0 {
                    100.0 * t.score / t.max_score
                } else {
                    0.0
                };
                pc + EPS >= p
            });
            by_points && by_percent
        }
        PassPolicy::All { of } => of.iter().all(|p| evaluate(p, grade)),
        PassPolicy::Any { of } => of.iter().any(|p| evaluate(p, grade)),
    }
}

fn plural(n: f64, one: &str, many: &str) -> String {
    #[allow(clippy::float_cmp)]
    if n == 1.0 {
        format!("1 {one}")
    } else {
        format!("{} {many}", score_text(n))
    }
}

/// The pass rule in plain language, for a badge's criteria (e.g. "Answer all 3 questions of
/// the Badges 101 quiz.").
pub fn criteria_text(quiz: &Quiz) -> String {
    let presented: usize = quiz
        .sections
        .iter()
        .map(|s| s.pool.unwrap_or(s.items.len()).min(s.items.len()))
        .sum();
    let max = crate::validate::guaranteed_max(quiz);
    let body = rule_text(&quiz.pass, quiz, presented, max);
    format!("{body} in the quiz \u{201c}{}\u{201d}.", quiz.title)
}

fn rule_text(p: &PassPolicy, quiz: &Quiz, presented: usize, max: f64) -> String {
    match p {
        PassPolicy::Completion => {
            format!(
                "Answer all {presented} question{} (any answer counts)",
                if presented == 1 { "" } else { "s" }
            )
        }
        PassPolicy::MinScore { points } => {
            format!(
                "Score at least {} out of {}",
                plural(*points, "point", "points"),
                score_text(max)
            )
        }
        PassPolicy::MinPercent { percent } => format!("Score at least {}%", score_text(*percent)),
        PassPolicy::AllCorrect => {
            format!(
                "Answer all {presented} question{} correctly",
                if presented == 1 { "" } else { "s" }
            )
        }
        PassPolicy::SectionMin {
            section,
            points,
            percent,
        } => {
            let name = quiz
                .sections
                .iter()
                .find(|s| s.id == *section)
                .and_then(|s| s.title.clone())
                .unwrap_or_else(|| section.clone());
            let mut parts = Vec::new();
            if let Some(p) = points {
                parts.push(plural(*p, "point", "points"));
            }
            if let Some(p) = percent {
                parts.push(format!("{}%", score_text(*p)));
            }
            format!(
                "Score at least {} in the section \u{201c}{name}\u{201d}",
                parts.join(" and ")
            )
        }
        PassPolicy::All { of } => join(of, quiz, presented, max, "and"),
        PassPolicy::Any { of } => join(of, quiz, presented, max, "or"),
    }
}

fn join(of: &[PassPolicy], quiz: &Quiz, presented: usize, max: f64, word: &str) -> String {
    let parts: Vec<String> = of
        .iter()
        .map(|p| lower_first(&rule_text(p, quiz, presented, max)))
        .collect();
    let s = match parts.len() {
        0 => String::new(),
        1 => parts.join(""),
        2 => parts.join(&format!(" {word} ")),
        _ => {
            let (last, rest) = parts
                .split_last()
                .map_or((String::new(), &[][..]), |(l, r)| (l.clone(), r));
            format!("{}, {word} {last}", rest.join(", "))
        }
    };
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
