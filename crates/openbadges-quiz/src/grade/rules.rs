//! The rules of each item type: the raw fraction a response earns (and its feedback notes),
//! how a response names a choice, text normalization, and the best fraction and response an
//! item allows. Text entry, which needs the grader's compiled patterns, is
//! [`Grader`](super::Grader)'s.

use std::collections::BTreeSet;

use super::Response;
use crate::def::{Answer, Choice, Item, ItemType, Whitespace};
use crate::error::Error;
use crate::shuffle::matching_options;

/// A response that does not fit `item`.
pub(super) fn bad_response(item: &Item, message: &str) -> Error {
    Error::response(item.id.clone(), message)
}

/// Adds the feedback of choice `id` to `notes`: its own, else the item's `choice_feedback`.
fn choice_note(item: &Item, id: &str, own: Option<&String>, notes: &mut Vec<String>) {
    if let Some(t) = own.or(item.choice_feedback.get(id)) {
        notes.push(t.clone());
    }
}

/// The fraction of the accepted answer matched (its feedback added to `notes`), 0 for none.
pub(super) fn answer_fraction(hit: Option<&Answer>, notes: &mut Vec<String>) -> f64 {
    match hit {
        Some(a) => {
            if let Some(f) = &a.feedback {
                notes.push(f.clone());
            }
            a.fraction
        }
        None => 0.0,
    }
}

/// The choice a response names by id or text.
fn named_choice<'a>(item: &'a Item, t: &str) -> Result<&'a Choice, Error> {
    resolve_choice(item, t).ok_or_else(|| bad_response(item, &format!("no choice {t:?}")))
}

/// True/false: a boolean (or its text); 1 when it is the answer.
pub(super) fn true_false_fraction(
    item: &Item,
    r: &Response,
    notes: &mut Vec<String>,
) -> Result<f64, Error> {
    let b = match r {
        Response::Bool(b) => *b,
        Response::Text(t) => {
            parse_bool(t).ok_or_else(|| bad_response(item, "expected true or false"))?
        }
        _ => return Err(bad_response(item, "expected true or false")),
    };
    choice_note(item, if b { "true" } else { "false" }, None, notes);
    Ok(if Some(b) == item.answer { 1.0 } else { 0.0 })
}

/// Single choice: one choice (id or text, or a one-element list); its fraction.
pub(super) fn single_choice_fraction(
    item: &Item,
    r: &Response,
    notes: &mut Vec<String>,
) -> Result<f64, Error> {
    let t = match r {
        Response::Text(t) => t.as_str(),
        Response::List(l) if l.len() == 1 => l.first().map_or("", String::as_str),
        _ => return Err(bad_response(item, "expected one choice (id or text)")),
    };
    let c = named_choice(item, t)?;
    choice_note(item, &c.id, c.feedback.as_ref(), notes);
    Ok(single_fraction(c))
}

/// Multiple response: the sum of the fractions of the distinct choices named.
pub(super) fn multiple_response_fraction(
    item: &Item,
    r: &Response,
    notes: &mut Vec<String>,
) -> Result<f64, Error> {
    let list = match r {
        Response::List(l) => l.clone(),
        Response::Text(t) => vec![t.clone()],
        _ => return Err(bad_response(item, "expected an array of choices")),
    };
    let mut seen = BTreeSet::new();
    let mut sum = 0.0;
    for t in &list {
        let c = named_choice(item, t)?;
        if seen.insert(c.id.clone()) {
            choice_note(item, &c.id, c.feedback.as_ref(), notes);
            sum += multiple_fraction(item, c);
        }
    }
    Ok(sum)
}

/// Numeric: a finite number (or its text); the first accepted answer it matches.
pub(super) fn numeric_fraction(
    item: &Item,
    r: &Response,
    notes: &mut Vec<String>,
) -> Result<f64, Error> {
    let x = match r {
        Response::Number(x) => *x,
        Response::Text(t) => t
            .trim()
            .parse::<f64>()
            .map_err(|_| bad_response(item, "expected a number"))?,
        _ => return Err(bad_response(item, "expected a number")),
    };
    if !x.is_finite() {
        return Err(bad_response(item, "expected a finite number"));
    }
    Ok(answer_fraction(
        item.answers.iter().find(|a| numeric_matches(a, x)),
        notes,
    ))
}

/// Ordering: the share of choices in their place (each named once).
pub(super) fn ordering_fraction(item: &Item, r: &Response) -> Result<f64, Error> {
    let Response::List(list) = r else {
        return Err(bad_response(item, "expected an array of choices in order"));
    };
    let mut ids = Vec::new();
    for t in list {
        let c = named_choice(item, t)?;
        if ids.contains(&c.id) {
            return Err(bad_response(
                item,
                &format!("choice {:?} appears twice", c.id),
            ));
        }
        ids.push(c.id.clone());
    }
    let total = item.choices.len().max(1);
    let right = item
        .choices
        .iter()
        .zip(ids.iter())
        .filter(|(c, id)| c.id == **id)
        .count();
    Ok(right as f64 / total as f64)
}

/// Matching: the share of pairs matched right (left by id or text, right by option id or
/// text).
pub(super) fn matching_fraction(item: &Item, r: &Response) -> Result<f64, Error> {
    let Response::Map(m) = r else {
        return Err(bad_response(
            item,
            "expected an object from left to right texts",
        ));
    };
    let opts = matching_options(item);
    let total = item.pairs.len().max(1);
    let mut right = 0usize;
    for (l, rt) in m {
        let pair = item
            .pairs
            .iter()
            .find(|p| p.id == *l)
            .or_else(|| item.pairs.iter().find(|p| p.left == *l))
            .ok_or_else(|| bad_response(item, &format!("no left-hand entry {l:?}")))?;
        let text = opts
            .iter()
            .find(|(id, _)| id == rt)
            .or_else(|| opts.iter().find(|(_, t)| t == rt))
            .map(|(_, t)| t.as_str())
            .ok_or_else(|| bad_response(item, &format!("no right-hand option {rt:?}")))?;
        if text == pair.right {
            right += 1;
        }
    }
    Ok(right as f64 / total as f64)
}

/// `true`/`t` or `false`/`f`, any case, outer spaces ignored.
fn parse_bool(t: &str) -> Option<bool> {
    match t.trim().to_ascii_lowercase().as_str() {
        "true" | "t" => Some(true),
        "false" | "f" => Some(false),
        _ => None,
    }
}

/// Finds a choice by id, then by exact text, then by text ignoring case and outer spaces.
fn resolve_choice<'a>(item: &'a Item, t: &str) -> Option<&'a Choice> {
    item.choice(t)
        .or_else(|| item.choices.iter().find(|c| c.text == t))
        .or_else(|| {
            item.choices
                .iter()
                .find(|c| c.text.trim().to_lowercase() == t.trim().to_lowercase())
        })
}

/// Credit of a single-choice choice.
pub(crate) fn single_fraction(c: &Choice) -> f64 {
    c.fraction.unwrap_or(if c.correct { 1.0 } else { 0.0 })
}

/// Credit of a multiple-response choice.
pub(crate) fn multiple_fraction(item: &Item, c: &Choice) -> f64 {
    if let Some(f) = c.fraction {
        return f;
    }
    let k = item.choices.iter().filter(|c| c.correct).count().max(1) as f64;
    if c.correct { 1.0 / k } else { -1.0 / k }
}

/// Whether `x` is the answer's value (within its tolerance) or in its range.
fn numeric_matches(a: &Answer, x: f64) -> bool {
    if let Some(v) = a.value {
        let tol = a.tolerance.unwrap_or(0.0).abs();
        return (x - v).abs() <= tol + 1e-12 * v.abs().max(1.0);
    }
    match (a.min, a.max) {
        (Some(lo), Some(hi)) => x >= lo && x <= hi,
        (Some(lo), None) => x >= lo,
        (None, Some(hi)) => x <= hi,
        (None, None) => false,
    }
}

/// Applies the whitespace rule to a text.
fn normalize_ws(s: &str, w: Whitespace) -> String {
    match w {
        Whitespace::Exact => s.to_owned(),
        Whitespace::Trim => s.trim().to_owned(),
        Whitespace::Collapse => s.split_whitespace().collect::<Vec<_>>().join(" "),
        Whitespace::Remove => s.chars().filter(|c| !c.is_whitespace()).collect(),
    }
}

/// Applies the whitespace and case rules to a text.
pub fn normalize(s: &str, w: Whitespace, case_sensitive: bool) -> String {
    let s = normalize_ws(s, w);
    if case_sensitive { s } else { s.to_lowercase() }
}

/// The best raw fraction any response can earn for an item (before bounds).
pub fn best_fraction(item: &Item) -> f64 {
    match item.kind {
        ItemType::TrueFalse => {
            if item.answer.is_some() {
                1.0
            } else {
                0.0
            }
        }
        ItemType::SingleChoice => item.choices.iter().map(single_fraction).fold(0.0, f64::max),
        ItemType::MultipleResponse => item
            .choices
            .iter()
            .map(|c| multiple_fraction(item, c))
            .filter(|f| *f > 0.0)
            .sum(),
        ItemType::TextEntry | ItemType::Numeric => {
            item.answers.iter().map(|a| a.fraction).fold(0.0, f64::max)
        }
        ItemType::Ordering => {
            if item.choices.is_empty() {
                0.0
            } else {
                1.0
            }
        }
        ItemType::Matching => {
            if item.pairs.is_empty() {
                0.0
            } else {
                1.0
            }
        }
    }
}

/// A response that earns full credit (used by tests and by "show the answer" front ends
/// that hold the full definition). `None` when the item has no reachable full credit or the
/// best text answer is a regular expression.
pub fn best_response(item: &Item) -> Option<Response> {
    Some(match item.kind {
        ItemType::TrueFalse => Response::Bool(item.answer?),
        ItemType::SingleChoice => {
            let c = item
                .choices
                .iter()
                .max_by(|a, b| single_fraction(a).total_cmp(&single_fraction(b)))?;
            Response::Text(c.id.clone())
        }
        ItemType::MultipleResponse => Response::List(
            item.choices
                .iter()
                .filter(|c| multiple_fraction(item, c) > 0.0)
                .map(|c| c.id.clone())
                .collect(),
        ),
        ItemType::TextEntry => {
            let a = item
                .answers
                .iter()
                .filter(|a| a.text.is_some())
                .max_by(|a, b| a.fraction.total_cmp(&b.fraction))?;
            Response::Text(a.text.clone()?)
        }
        ItemType::Numeric => {
            let a = item
                .answers
                .iter()
                .max_by(|a, b| a.fraction.total_cmp(&b.fraction))?;
            Response::Number(match (a.value, a.min, a.max) {
                (Some(v), _, _) => v,
                (None, Some(lo), Some(hi)) => (lo + hi) / 2.0,
                (None, Some(lo), None) => lo,
                (None, None, Some(hi)) => hi,
                (None, None, None) => return None,
            })
        }
        ItemType::Ordering => Response::List(item.choices.iter().map(|c| c.id.clone()).collect()),
        ItemType::Matching => Response::Map(
            item.pairs
                .iter()
                .map(|p| (p.id.clone(), p.right.clone()))
                .collect(),
        ),
    })
}
