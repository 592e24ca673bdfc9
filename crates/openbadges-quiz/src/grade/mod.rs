//! Grading: responses in, scores, correctness, feedback and the pass decision out.
//!
//! Per item, in this order (see docs/quiz.md for the table against QTI, GIFT and H5P):
//! 1. the *raw fraction* of the response (type rules below);
//! 2. all-or-nothing: a raw fraction below the item's `max_fraction` becomes 0;
//! 3. hint penalties are subtracted;
//! 4. the result is clamped to `[min_fraction, max_fraction]`;
//! 5. score = fraction × `points`; the item's maximum is `max_fraction` × `points`.
//!
//! The quiz total is the sum of item scores, floored at 0. Scores are rounded to 9 decimal
//! places so sums such as 1/3 + 1/3 + 1/3 come out as 1.

use std::collections::{BTreeMap, HashMap};

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::def::{Answer, Item, ItemType, Quiz};
use crate::error::Error;
use crate::shuffle::Presentation;
use crate::source::Limits;

mod rules;

use rules::{
    answer_fraction, bad_response, matching_fraction, multiple_response_fraction, numeric_fraction,
    ordering_fraction, single_choice_fraction, true_false_fraction,
};
pub use rules::{best_fraction, best_response, normalize};
pub(crate) use rules::{multiple_fraction, single_fraction};

/// A learner's response to one item.
///
/// In JSON (the `grade` responses file): true/false → `true`/`false`; single choice → the
/// choice's id or text; multiple response and ordering → an array of ids or texts; text entry
/// → a string; numeric → a number; matching → an object from left text (or pair id) to right
/// text (or option id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Response {
    /// True/false.
    Bool(bool),
    /// Numeric.
    Number(f64),
    /// Single choice (id or text) or text entry.
    Text(String),
    /// Multiple response or ordering.
    List(Vec<String>),
    /// Matching: left → right.
    Map(BTreeMap<String, String>),
}

/// Responses by item id.
pub type Responses = BTreeMap<String, Response>;

/// Reads a responses object: keys are item ids or 1-based item numbers (file order).
///
/// # Errors
/// [`Error::Response`] for a key that names no item, or a value of the wrong JSON type.
pub fn responses_from_json(quiz: &Quiz, value: &Value) -> Result<Responses, Error> {
    let obj = value
        .as_object()
        .ok_or_else(|| Error::response(String::new(), "responses must be a JSON object"))?;
    let mut out = Responses::new();
    for (k, v) in obj {
        let item = quiz
            .item(k)
            .or_else(|| k.parse::<usize>().ok().and_then(|n| quiz.item_by_number(n)))
            .ok_or_else(|| Error::response(k.clone(), "no item has this id or number"))?;
        if v.is_null() {
            continue;
        }
        let r: Response = serde_json::from_value(v.clone()).map_err(|e| Error::Response {
            item: k.clone(),
            message: e.to_string(),
            source: Some(e),
        })?;
        out.insert(item.id.clone(), r);
    }
    Ok(out)
}

/// The outcome of one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemOutcome {
    /// Item id.
    pub id: String,
    /// Section id.
    pub section: String,
    /// Points earned.
    pub score: f64,
    /// Points available.
    pub max_score: f64,
    /// Fully correct (before hint penalties); `None` when unanswered.
    pub correct: Option<bool>,
    /// Whether a response was given.
    pub answered: bool,
    /// Hints revealed.
    #[serde(default)]
    pub hints_used: u32,
    /// Feedback for the response (choice/answer feedback, right/wrong feedback, explanation).
    pub feedback: Option<String>,
}

/// Totals of one section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionTotal {
    /// Section id.
    pub id: String,
    /// Points earned (floored at 0).
    pub score: f64,
    /// Points available.
    pub max_score: f64,
}

/// A graded set of responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    /// Total points (floored at 0).
    pub score: f64,
    /// Points available.
    pub max_score: f64,
    /// `100 × score / max_score` (0 when nothing can be scored).
    pub percent: f64,
    /// The pass decision under the quiz's policy.
    pub passed: bool,
    /// Items in presentation order.
    pub items: Vec<ItemOutcome>,
    /// Section totals.
    pub sections: Vec<SectionTotal>,
    /// Overall feedback of the matching score band.
    pub band_feedback: Option<String>,
    /// The quiz's pass or fail message, by the pass decision.
    pub result_feedback: Option<String>,
}

impl Grade {
    /// How many presented items were answered.
    pub fn answered(&self) -> usize {
        self.items.iter().filter(|i| i.answered).count()
    }
}

/// A quiz prepared for grading (regular expressions compiled once).
#[derive(Debug, Clone)]
pub struct Grader<'q> {
    quiz: &'q Quiz,
    regexes: HashMap<(usize, usize), Regex>,
}

/// Rounds to 9 decimal places.
pub(crate) fn round9(x: f64) -> f64 {
    if !x.is_finite() || x.abs() > 1e9 {
        return x;
    }
    let r = (x * 1e9).round() / 1e9;
    if r == 0.0 { 0.0 } else { r }
}

/// A score, percent or threshold as text: rounded to 9 decimals, without a fraction part
/// when whole (`3`, `66.666666667`).
pub(crate) fn score_text(x: f64) -> String {
    let r = round9(x);
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}

const EPS: f64 = 1e-9;

/// A raw fraction within this of the item's maximum is full credit (the item is correct), as
/// in Moodle's `question_state::graded_state_for_fraction()` (`question/engine/states.php`:
/// a fraction above 0.999999 is right): three answers weighted `%33.33333%` give 0.9999999.
pub(crate) const FULL_CREDIT_TOLERANCE: f64 = 1e-6;

pub(crate) fn compile_regex(
    pattern: &str,
    case_sensitive: bool,
    limits: &Limits,
) -> Result<Regex, String> {
    if pattern.len() > limits.max_regex_len {
        return Err(format!(
            "regex is {} bytes, the limit is {}",
            pattern.len(),
            limits.max_regex_len
        ));
    }
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .case_insensitive(!case_sensitive)
        .size_limit(limits.max_regex_compiled)
        .dfa_size_limit(limits.max_regex_compiled)
        .nest_limit(64)
        .build()
        .map_err(|e| e.to_string())
}

impl<'q> Grader<'q> {
    /// Prepares `quiz` with default limits.
    ///
    /// # Errors
    /// [`Error::Invalid`] when a regular expression does not compile within the limits or an
    /// item's points are not in (0, 1e6], [`Error::Limit`] for more items than
    /// `Limits::max_items` (validation reports the same with positions).
    pub fn new(quiz: &'q Quiz) -> Result<Grader<'q>, Error> {
        Grader::with_limits(quiz, &Limits::default())
    }

    /// Prepares `quiz` with the given limits.
    ///
    /// # Errors
    /// See [`Grader::new`].
    pub fn with_limits(quiz: &'q Quiz, limits: &Limits) -> Result<Grader<'q>, Error> {
        // What keeps every total finite holds here too, validated or not.
        let count = quiz.items().count();
        if count > limits.max_items {
            return Err(Error::Limit(format!(
                "{count} items, the limit is {}",
                limits.max_items
            )));
        }
        let weights: Vec<crate::error::Problem> = quiz
            .sections
            .iter()
            .enumerate()
            .flat_map(|(s, sec)| {
                sec.items.iter().enumerate().filter_map(move |(i, item)| {
                    crate::validate::points_issue(item, &format!("/sections/{s}/items/{i}"))
                })
            })
            .map(|issue| crate::error::Problem {
                code: issue.code,
                severity: issue.severity,
                message: issue.message,
                path: issue.path,
                file: None,
                line: 0,
                column: 0,
            })
            .collect();
        if !weights.is_empty() {
            return Err(Error::Invalid(weights));
        }
        let mut regexes = HashMap::new();
        for (n, (_, item)) in quiz.items().enumerate() {
            for (k, a) in item.answers.iter().enumerate() {
                if let Some(p) = &a.regex {
                    let re = compile_regex(p, item.case_sensitive, limits).map_err(|m| {
                        Error::Invalid(vec![crate::error::Problem {
                            code: "invalid-regex",
                            severity: crate::error::Severity::Error,
                            message: m,
                            path: String::new(),
                            file: None,
                            line: 0,
                            column: 0,
                        }])
                    })?;
                    regexes.insert((n, k), re);
                }
            }
        }
        Ok(Grader { quiz, regexes })
    }

    /// The quiz.
    pub fn quiz(&self) -> &'q Quiz {
        self.quiz
    }

    /// Grades responses against the items of `presentation` (all items when `None`).
    /// `hints` counts hints revealed per item id.
    ///
    /// # Errors
    /// [`Error::Response`] when a response does not fit its item (wrong JSON type, unknown
    /// choice) or names an item that is not presented.
    pub fn grade(
        &self,
        presentation: Option<&Presentation>,
        responses: &Responses,
        hints: &BTreeMap<String, u32>,
    ) -> Result<Grade, Error> {
        let quiz = self.quiz;
        let index: HashMap<&str, (usize, usize, &Item)> = quiz
            .items()
            .enumerate()
            .map(|(n, (s, i))| (i.id.as_str(), (n, s, i)))
            .collect();
        let order: Vec<&str> = match presentation {
            Some(p) => p.item_ids().collect(),
            None => quiz.items().map(|(_, i)| i.id.as_str()).collect(),
        };
        for id in responses.keys() {
            if !order.contains(&id.as_str()) {
                return Err(Error::response(id.clone(), "item is not presented"));
            }
        }
        let mut items = Vec::with_capacity(order.len());
        let mut sections: Vec<SectionTotal> = quiz
            .sections
            .iter()
            .map(|s| SectionTotal {
                id: s.id.clone(),
                score: 0.0,
                max_score: 0.0,
            })
            .collect();
        for id in order {
            let Some((n, s, item)) = index.get(id).copied() else {
                return Err(Error::response(
                    id.to_owned(),
                    "presentation names an unknown item",
                ));
            };
            let section = quiz
                .sections
                .get(s)
                .map(|x| x.id.clone())
                .unwrap_or_default();
            let out = self.grade_item(
                n,
                item,
                &section,
                responses.get(id),
                hints.get(id).copied().unwrap_or(0),
            )?;
            if let Some(t) = sections.get_mut(s) {
                t.score += out.score;
                t.max_score += out.max_score;
            }
            items.push(out);
        }
        for t in &mut sections {
            t.score = round9(t.score.max(0.0));
            t.max_score = round9(t.max_score);
        }
        let score = round9(items.iter().map(|i| i.score).sum::<f64>().max(0.0));
        let max_score = round9(items.iter().map(|i| i.max_score).sum::<f64>());
        let percent = if max_score > 0.0 {
            round9(100.0 * score / max_score)
        } else {
            0.0
        };
        let band_feedback = quiz
            .feedback
            .iter()
            .find(|b| percent + EPS >= b.min_percent && percent <= b.max_percent + EPS)
            .map(|b| b.text.clone());
        let mut grade = Grade {
            score,
            max_score,
            percent,
            passed: false,
            items,
            sections,
            band_feedback,
            result_feedback: None,
        };
        grade.passed = crate::policy::evaluate(&quiz.pass, &grade);
        grade.result_feedback = if grade.passed {
            quiz.pass_feedback.clone()
        } else {
            quiz.fail_feedback.clone()
        };
        Ok(grade)
    }

    /// Grades one item (used by interactive front ends to show feedback right away).
    ///
    /// # Errors
    /// [`Error::Response`] when the response does not fit, or the item is unknown.
    pub fn grade_one(
        &self,
        item_id: &str,
        response: Option<&Response>,
        hints_used: u32,
    ) -> Result<ItemOutcome, Error> {
        let (n, (s, item)) = self
            .quiz
            .items()
            .enumerate()
            .find(|(_, (_, i))| i.id == item_id)
            .ok_or_else(|| Error::response(item_id.to_owned(), "no such item"))?;
        let section = self
            .quiz
            .sections
            .get(s)
            .map(|x| x.id.clone())
            .unwrap_or_default();
        self.grade_item(n, item, &section, response, hints_used)
    }

    fn grade_item(
        &self,
        n: usize,
        item: &Item,
        section: &str,
        response: Option<&Response>,
        hints_used: u32,
    ) -> Result<ItemOutcome, Error> {
        let max_score = round9(item.points * item.max_fraction);
        let Some(response) = response else {
            return Ok(ItemOutcome {
                id: item.id.clone(),
                section: section.to_owned(),
                score: 0.0,
                max_score,
                correct: None,
                answered: false,
                hints_used,
                feedback: None,
            });
        };
        let (raw, mut notes) = self.raw_fraction(n, item, response)?;
        let full = raw + FULL_CREDIT_TOLERANCE > item.max_fraction;
        let mut f = if item.is_all_or_nothing() && !full {
            0.0
        } else {
            raw
        };
        let used = usize::try_from(hints_used).unwrap_or(usize::MAX);
        f -= item.hints.iter().take(used).map(|h| h.penalty).sum::<f64>();
        f = f.clamp(item.min_fraction.min(item.max_fraction), item.max_fraction);
        let verdict = if full {
            &item.feedback_correct
        } else {
            &item.feedback_incorrect
        };
        if let Some(v) = verdict {
            notes.push(v.clone());
        }
        if let Some(e) = &item.explanation {
            notes.push(e.clone());
        }
        Ok(ItemOutcome {
            id: item.id.clone(),
            section: section.to_owned(),
            score: round9(f * item.points),
            max_score,
            correct: Some(full),
            answered: true,
            hints_used,
            feedback: if notes.is_empty() {
                None
            } else {
                Some(notes.join("\n"))
            },
        })
    }

    /// Raw fraction and the specific feedback notes: the response read as the item's type
    /// expects it, then scored by that type's rule.
    fn raw_fraction(
        &self,
        n: usize,
        item: &Item,
        r: &Response,
    ) -> Result<(f64, Vec<String>), Error> {
        let mut notes = Vec::new();
        let raw = match item.kind {
            ItemType::TrueFalse => true_false_fraction(item, r, &mut notes)?,
            ItemType::SingleChoice => single_choice_fraction(item, r, &mut notes)?,
            ItemType::MultipleResponse => multiple_response_fraction(item, r, &mut notes)?,
            ItemType::TextEntry => self.text_entry_fraction(n, item, r, &mut notes)?,
            ItemType::Numeric => numeric_fraction(item, r, &mut notes)?,
            ItemType::Ordering => ordering_fraction(item, r)?,
            ItemType::Matching => matching_fraction(item, r)?,
        };
        Ok((raw, notes))
    }

    /// Text entry: the first accepted answer the normalized text matches (with its feedback),
    /// else 0.
    fn text_entry_fraction(
        &self,
        n: usize,
        item: &Item,
        r: &Response,
        notes: &mut Vec<String>,
    ) -> Result<f64, Error> {
        let t = match r {
            Response::Text(t) => t.clone(),
            Response::Number(x) => x.to_string(),
            _ => return Err(bad_response(item, "expected a string")),
        };
        let norm = normalize(&t, item.whitespace, item.case_sensitive);
        let hit = item
            .answers
            .iter()
            .enumerate()
            .find(|(k, a)| self.text_matches(n, *k, item, a, &norm));
        Ok(answer_fraction(hit.map(|(_, a)| a), notes))
    }

    fn text_matches(&self, n: usize, k: usize, item: &Item, a: &Answer, norm: &str) -> bool {
        if let Some(t) = &a.text {
            if normalize(t, item.whitespace, item.case_sensitive) == norm {
                return true;
            }
        }
        if a.regex.is_some() {
            if let Some(re) = self.regexes.get(&(n, k)) {
                return re.is_match(norm);
            }
        }
        false
    }
}

/// Grades with a fresh [`Grader`] (convenience).
///
/// # Errors
/// See [`Grader::new`] and [`Grader::grade`].
pub fn grade(
    quiz: &Quiz,
    presentation: Option<&Presentation>,
    responses: &Responses,
) -> Result<Grade, Error> {
    Grader::new(quiz)?.grade(presentation, responses, &BTreeMap::new())
}
