//! Validation of a definition: every rule yields an [`Issue`] with a JSON pointer, which
//! [`crate::source::Loaded::check`] turns into `file:line:column`.
//!
//! | code | rule |
//! |---|---|
//! | `empty-id` | an id is empty |
//! | `duplicate-id` | two sections, two items, or two choices/pairs/distractors of one item share an id |
//! | `no-correct-answer` | no response can earn the item's full credit |
//! | `too-few-choices` | a choice/ordering item with fewer than 2 choices, matching with fewer than 2 pairs |
//! | `unreachable-threshold` | the pass threshold is above what every presentation can reach |
//! | `pool-too-large` | a section draws more items than it has (or zero) |
//! | `unknown-choice-feedback` | `choice_feedback` names no choice |
//! | `contradictory-rule` | settings that cannot all hold (bounds reversed, both `value` and a range, a `correct` choice with no credit, overlapping score bands, …) |
//! | `field-not-applicable` | a field that the item's type does not use |
//! | `invalid-regex` | a regular expression that does not compile within the limits |
//! | `invalid-number` | a weight, fraction, tolerance or penalty out of range |
//! | `unknown-section` | a pass rule names no section |
//! | `limit` | too many items or choices |
//! | `empty-prompt` (warning) | an item without a prompt |
//! | `pinned-without-shuffle` (warning) | a pinned choice in an item that is not shuffled |

use std::collections::{BTreeMap, HashSet};

use crate::def::{Answer, Choice, Item, ItemType, PassPolicy, Quiz};
use crate::grade::{best_fraction, compile_regex};
use crate::source::{Issue, Limits, escape_pointer};

const EPS: f64 = 1e-9;

/// The largest weight an item may carry (keeps every total exact in an `f64`).
pub const MAX_POINTS: f64 = 1e6;

/// The weight of an item must lie in (0, [`MAX_POINTS`]]: then every total (at most
/// `max_items` × `MAX_POINTS`) is finite and exact to the 9 decimals scores are rounded to.
pub(crate) fn points_issue(item: &Item, ip: &str) -> Option<Issue> {
    (!(item.points > 0.0 && item.points <= MAX_POINTS)).then(|| {
        Issue::error(
            "invalid-number",
            format!("{ip}/points"),
            format!("points must be a number > 0 and at most {MAX_POINTS:e}"),
        )
    })
}

/// Validates with default limits.
pub fn validate(quiz: &Quiz) -> Vec<Issue> {
    validate_with(quiz, &Limits::default())
}

/// The maximum score every presentation can reach (pools count their lowest-weighted items).
pub fn guaranteed_max(quiz: &Quiz) -> f64 {
    quiz.sections
        .iter()
        .map(|s| section_guaranteed_max(&s.items, s.pool))
        .sum()
}

fn section_guaranteed_max(items: &[Item], pool: Option<usize>) -> f64 {
    let mut maxes: Vec<f64> = items.iter().map(|i| i.points * i.max_fraction).collect();
    maxes.sort_by(f64::total_cmp);
    let n = pool.unwrap_or(maxes.len()).min(maxes.len());
    maxes.iter().take(n).sum()
}

/// Validates with the given limits.
pub fn validate_with(quiz: &Quiz, limits: &Limits) -> Vec<Issue> {
    let mut v = Vec::new();
    if quiz.id.trim().is_empty() {
        v.push(Issue::error("empty-id", "/id", "the quiz id is empty"));
    }
    let total: usize = quiz.sections.iter().map(|s| s.items.len()).sum();
    if total > limits.max_items {
        v.push(Issue::error(
            "limit",
            "/sections",
            format!("{total} items, the limit is {}", limits.max_items),
        ));
    }
    if total == 0 {
        v.push(Issue::error(
            "no-items",
            "/sections",
            "the quiz has no items",
        ));
    }
    let mut section_ids = HashSet::new();
    let mut item_ids: BTreeMap<&str, String> = BTreeMap::new();
    for (s, sec) in quiz.sections.iter().enumerate() {
        let sp = format!("/sections/{s}");
        if sec.id.trim().is_empty() {
            v.push(Issue::error(
                "empty-id",
                format!("{sp}/id"),
                "the section id is empty",
            ));
        } else if !section_ids.insert(sec.id.as_str()) {
            v.push(Issue::error(
                "duplicate-id",
                format!("{sp}/id"),
                format!("section id {:?} is used twice", sec.id),
            ));
        }
        if let Some(n) = sec.pool {
            if n > sec.items.len() {
                v.push(Issue::error(
                    "pool-too-large",
                    format!("{sp}/pool"),
                    format!(
                        "the pool draws {n} items but the section has {}",
                        sec.items.len()
                    ),
                ));
            } else if n == 0 {
                v.push(Issue::error(
                    "pool-too-large",
                    format!("{sp}/pool"),
                    "the pool draws no items",
                ));
            }
        }
        for (i, item) in sec.items.iter().enumerate() {
            let ip = format!("{sp}/items/{i}");
            if item.id.trim().is_empty() {
                v.push(Issue::error(
                    "empty-id",
                    format!("{ip}/id"),
                    "the item id is empty",
                ));
            } else if let Some(first) = item_ids.get(item.id.as_str()) {
                v.push(Issue::error(
                    "duplicate-id",
                    format!("{ip}/id"),
                    format!("item id {:?} is already used at {first}", item.id),
                ));
            } else {
                item_ids.insert(&item.id, ip.clone());
            }
            validate_item(item, &ip, limits, &mut v);
        }
    }
    validate_policy(quiz, &quiz.pass, "/pass", 0, limits, &mut v);
    for (b, band) in quiz.feedback.iter().enumerate() {
        let bp = format!("/feedback/{b}");
        if band.min_percent > band.max_percent {
            v.push(Issue::error(
                "contradictory-rule",
                format!("{bp}/min_percent"),
                "min_percent is above max_percent",
            ));
        }
        for (o, other) in quiz.feedback.iter().enumerate().skip(b + 1) {
            if band.min_percent < other.max_percent && other.min_percent < band.max_percent {
                v.push(Issue::error(
                    "contradictory-rule",
                    format!("/feedback/{o}"),
                    format!("score band {o} overlaps score band {b}"),
                ));
            }
        }
    }
    if quiz.settings.max_attempts == Some(0) {
        v.push(Issue::error(
            "contradictory-rule",
            "/settings/max_attempts",
            "max_attempts is 0: nobody could start",
        ));
    }
    if quiz.settings.time_limit_seconds == Some(0) {
        v.push(Issue::error(
            "contradictory-rule",
            "/settings/time_limit_seconds",
            "the time limit is 0 seconds",
        ));
    }
    v
}

fn validate_policy(
    quiz: &Quiz,
    p: &PassPolicy,
    path: &str,
    depth: usize,
    limits: &Limits,
    v: &mut Vec<Issue>,
) {
    if depth > limits.max_rule_depth {
        v.push(Issue::error(
            "limit",
            path,
            "pass rules are nested too deeply",
        ));
        return;
    }
    let max = guaranteed_max(quiz);
    match p {
        PassPolicy::Completion | PassPolicy::AllCorrect => {}
        PassPolicy::MinScore { points } => {
            if !points.is_finite() || *points < 0.0 {
                v.push(Issue::error(
                    "invalid-number",
                    format!("{path}/points"),
                    "the threshold must be a number ≥ 0",
                ));
            } else if *points > max + EPS {
                v.push(Issue::error(
                    "unreachable-threshold",
                    format!("{path}/points"),
                    format!("the threshold is {points} points but at most {max} can be scored"),
                ));
            }
        }
        PassPolicy::MinPercent { percent } => {
            if !percent.is_finite() || *percent < 0.0 {
                v.push(Issue::error(
                    "invalid-number",
                    format!("{path}/percent"),
                    "the threshold must be a number ≥ 0",
                ));
            } else if *percent > 100.0 + EPS {
                v.push(Issue::error(
                    "unreachable-threshold",
                    format!("{path}/percent"),
                    format!("the threshold is {percent}% but at most 100% can be scored"),
                ));
            }
        }
        PassPolicy::SectionMin {
            section,
            points,
            percent,
        } => {
            let Some(sec) = quiz.sections.iter().find(|s| s.id == *section) else {
                v.push(Issue::error(
                    "unknown-section",
                    format!("{path}/section"),
                    format!("no section {section:?}"),
                ));
                return;
            };
            if points.is_none() && percent.is_none() {
                v.push(Issue::error(
                    "contradictory-rule",
                    path,
                    "section_min needs points or percent",
                ));
            }
            let smax = section_guaranteed_max(&sec.items, sec.pool);
            if let Some(p) = points {
                if *p > smax + EPS {
                    v.push(Issue::error(
                        "unreachable-threshold",
                        format!("{path}/points"),
                        format!("the section threshold is {p} points but at most {smax} can be scored there"),
                    ));
                }
            }
            if let Some(p) = percent {
                if *p > 100.0 + EPS {
                    v.push(Issue::error(
                        "unreachable-threshold",
                        format!("{path}/percent"),
                        "more than 100%",
                    ));
                }
            }
        }
        PassPolicy::All { of } | PassPolicy::Any { of } => {
            if of.is_empty() {
                v.push(Issue::error(
                    "contradictory-rule",
                    format!("{path}/of"),
                    "a combination without rules",
                ));
            }
            for (k, sub) in of.iter().enumerate() {
                validate_policy(quiz, sub, &format!("{path}/of/{k}"), depth + 1, limits, v);
            }
        }
    }
}

/// Every rule on one item (`ip` is its JSON pointer), in order: its numbers, the fields its
/// type uses, the choice limit (nothing more is checked past it), the ids inside it, the
/// feedback keys, the answers, and whether full credit can be earned.
fn validate_item(item: &Item, ip: &str, limits: &Limits, v: &mut Vec<Issue>) {
    item_numbers(item, ip, v);
    fields_by_type(item, ip, v);
    let n_choices = item
        .choices
        .len()
        .max(item.pairs.len() + item.distractors.len())
        .max(item.answers.len());
    if n_choices > limits.max_choices {
        v.push(Issue::error(
            "limit",
            ip,
            format!("{n_choices} choices, the limit is {}", limits.max_choices),
        ));
        return;
    }
    let ids = item_ids(item, ip, v);
    choice_feedback_keys(item, ip, &ids, v);
    for (a, ans) in item.answers.iter().enumerate() {
        validate_answer(item, ans, &format!("{ip}/answers/{a}"), limits, v);
    }
    full_credit(item, ip, v);
}

/// The prompt (a warning when empty), the points, `min_fraction`/`max_fraction` and hint
/// penalties.
fn item_numbers(item: &Item, ip: &str, v: &mut Vec<Issue>) {
    if item.prompt.trim().is_empty() {
        v.push(Issue::warning(
            "empty-prompt",
            format!("{ip}/prompt"),
            "the item has no prompt",
        ));
    }
    if let Some(issue) = points_issue(item, ip) {
        v.push(issue);
    }
    if !(-1.0..=0.0).contains(&item.min_fraction) && !(0.0..=1.0).contains(&item.min_fraction) {
        v.push(Issue::error(
            "invalid-number",
            format!("{ip}/min_fraction"),
            "min_fraction must lie in [-1, 1]",
        ));
    }
    if !(item.max_fraction > 0.0 && item.max_fraction <= 1.0) {
        v.push(Issue::error(
            "invalid-number",
            format!("{ip}/max_fraction"),
            "max_fraction must lie in (0, 1]",
        ));
    }
    if item.min_fraction > item.max_fraction {
        v.push(Issue::error(
            "contradictory-rule",
            format!("{ip}/min_fraction"),
            "min_fraction is above max_fraction",
        ));
    }
    for (h, hint) in item.hints.iter().enumerate() {
        if !(0.0..=1.0).contains(&hint.penalty) {
            v.push(Issue::error(
                "invalid-number",
                format!("{ip}/hints/{h}/penalty"),
                "a hint penalty lies in [0, 1]",
            ));
        }
    }
}

/// `field-not-applicable` for each field the item's type does not use.
fn fields_by_type(item: &Item, ip: &str, v: &mut Vec<Issue>) {
    let t = item.kind;
    let uses_choices = matches!(
        t,
        ItemType::SingleChoice | ItemType::MultipleResponse | ItemType::Ordering
    );
    let uses_answers = matches!(t, ItemType::TextEntry | ItemType::Numeric);
    let mut na = |field: &str, present: bool| {
        if present {
            v.push(Issue::error(
                "field-not-applicable",
                format!("{ip}/{field}"),
                format!("`{field}` does not apply to a {} item", t.as_str()),
            ));
        }
    };
    na("answer", t != ItemType::TrueFalse && item.answer.is_some());
    na("choices", !uses_choices && !item.choices.is_empty());
    na("answers", !uses_answers && !item.answers.is_empty());
    na("pairs", t != ItemType::Matching && !item.pairs.is_empty());
    na(
        "distractors",
        t != ItemType::Matching && !item.distractors.is_empty(),
    );
    na(
        "case_sensitive",
        t != ItemType::TextEntry && item.case_sensitive,
    );
    na(
        "whitespace",
        t != ItemType::TextEntry && item.whitespace != crate::def::Whitespace::Collapse,
    );
    na(
        "shuffle",
        matches!(
            t,
            ItemType::TrueFalse | ItemType::TextEntry | ItemType::Numeric
        ) && item.shuffle,
    );
}

/// The ids of the item's choices, pairs and distractors (one namespace), with the rules on
/// each of them; returns the ids.
fn item_ids<'a>(item: &'a Item, ip: &str, v: &mut Vec<Issue>) -> HashSet<&'a str> {
    let mut ids = HashSet::new();
    for (c, ch) in item.choices.iter().enumerate() {
        validate_choice(item, c, ch, &mut ids, ip, v);
    }
    for (p, pair) in item.pairs.iter().enumerate() {
        if pair.id.trim().is_empty() {
            v.push(Issue::error(
                "empty-id",
                format!("{ip}/pairs/{p}/id"),
                "the pair id is empty",
            ));
        } else if !ids.insert(pair.id.as_str()) {
            v.push(Issue::error(
                "duplicate-id",
                format!("{ip}/pairs/{p}/id"),
                format!("id {:?} is used twice", pair.id),
            ));
        }
        if item.pairs.iter().take(p).any(|q| q.left == pair.left) {
            v.push(Issue::error(
                "contradictory-rule",
                format!("{ip}/pairs/{p}/left"),
                "two pairs share a left-hand text",
            ));
        }
    }
    for (d, dis) in item.distractors.iter().enumerate() {
        if !ids.insert(dis.id.as_str()) {
            v.push(Issue::error(
                "duplicate-id",
                format!("{ip}/distractors/{d}/id"),
                format!("id {:?} is used twice", dis.id),
            ));
        }
        if item.pairs.iter().any(|p| p.right == dis.text) {
            v.push(Issue::error(
                "contradictory-rule",
                format!("{ip}/distractors/{d}/text"),
                "a distractor has the same text as a correct right-hand side",
            ));
        }
    }
    ids
}

/// Choice `c`: its id (added to `ids`), its fraction, `pinned`, the ordering rule and its
/// feedback given twice.
fn validate_choice<'a>(
    item: &Item,
    c: usize,
    ch: &'a Choice,
    ids: &mut HashSet<&'a str>,
    ip: &str,
    v: &mut Vec<Issue>,
) {
    let t = item.kind;
    if ch.id.trim().is_empty() {
        v.push(Issue::error(
            "empty-id",
            format!("{ip}/choices/{c}/id"),
            "the choice id is empty",
        ));
    } else if !ids.insert(ch.id.as_str()) {
        v.push(Issue::error(
            "duplicate-id",
            format!("{ip}/choices/{c}/id"),
            format!("choice id {:?} is used twice", ch.id),
        ));
    }
    if let Some(f) = ch.fraction {
        if !(-1.0..=1.0).contains(&f) {
            v.push(Issue::error(
                "invalid-number",
                format!("{ip}/choices/{c}/fraction"),
                "a fraction lies in [-1, 1]",
            ));
        } else if ch.correct && f <= 0.0 {
            v.push(Issue::error(
                "contradictory-rule",
                format!("{ip}/choices/{c}/fraction"),
                "the choice is marked correct but earns no credit",
            ));
        }
    }
    if ch.pinned && !item.shuffle && t != ItemType::Ordering {
        v.push(Issue::warning(
            "pinned-without-shuffle",
            format!("{ip}/choices/{c}/pinned"),
            "pinned has no effect without shuffle",
        ));
    }
    if t == ItemType::Ordering && (ch.correct || ch.fraction.is_some()) {
        v.push(Issue::error(
            "field-not-applicable",
            format!("{ip}/choices/{c}"),
            "ordering choices are correct by their order; `correct`/`fraction` do not apply",
        ));
    }
    if ch.feedback.is_some() && item.choice_feedback.contains_key(&ch.id) {
        v.push(Issue::error(
            "contradictory-rule",
            format!("{ip}/choice_feedback/{}", escape_pointer(&ch.id)),
            format!(
                "choice {:?} has feedback both inline and in choice_feedback",
                ch.id
            ),
        ));
    }
}

/// `choice_feedback` keys that name no choice (`true`/`false` for a true/false item).
fn choice_feedback_keys(item: &Item, ip: &str, ids: &HashSet<&str>, v: &mut Vec<Issue>) {
    for key in item.choice_feedback.keys() {
        let known = match item.kind {
            ItemType::TrueFalse => key == "true" || key == "false",
            _ => ids.contains(key.as_str()),
        };
        if !known {
            v.push(Issue::error(
                "unknown-choice-feedback",
                format!("{ip}/choice_feedback/{}", escape_pointer(key)),
                format!("feedback for {key:?}, which is not a choice of this item"),
            ));
        }
    }
}

/// One accepted answer (`ap` is its pointer): its fraction, then the rules of its type.
fn validate_answer(item: &Item, ans: &Answer, ap: &str, limits: &Limits, v: &mut Vec<Issue>) {
    if !(-1.0..=1.0).contains(&ans.fraction) {
        v.push(Issue::error(
            "invalid-number",
            format!("{ap}/fraction"),
            "a fraction lies in [-1, 1]",
        ));
    }
    match item.kind {
        ItemType::TextEntry => text_answer(item, ans, ap, limits, v),
        ItemType::Numeric => numeric_answer(ans, ap, v),
        _ => {}
    }
}

/// A `text_entry` answer: text or a regular expression (that compiles within the limits),
/// one of them, no numbers.
fn text_answer(item: &Item, ans: &Answer, ap: &str, limits: &Limits, v: &mut Vec<Issue>) {
    if ans.value.is_some() || ans.tolerance.is_some() || ans.min.is_some() || ans.max.is_some() {
        v.push(Issue::error(
            "field-not-applicable",
            ap,
            "numbers do not apply to a text_entry answer",
        ));
    }
    if ans.text.is_none() && ans.regex.is_none() {
        v.push(Issue::error(
            "no-correct-answer",
            ap,
            "the answer has neither text nor regex",
        ));
    }
    if ans.text.is_some() && ans.regex.is_some() {
        v.push(Issue::error(
            "contradictory-rule",
            format!("{ap}/regex"),
            "give text or regex, not both",
        ));
    }
    if let Some(re) = &ans.regex {
        if let Err(m) = compile_regex(re, item.case_sensitive, limits) {
            v.push(Issue::error("invalid-regex", format!("{ap}/regex"), m));
        }
    }
}

/// A numeric answer: a finite value (± a tolerance ≥ 0) or a range, not both, no text.
fn numeric_answer(ans: &Answer, ap: &str, v: &mut Vec<Issue>) {
    if ans.text.is_some() || ans.regex.is_some() {
        v.push(Issue::error(
            "field-not-applicable",
            ap,
            "text/regex do not apply to a numeric answer",
        ));
    }
    let ranged = ans.min.is_some() || ans.max.is_some();
    if ans.value.is_some() && ranged {
        v.push(Issue::error(
            "contradictory-rule",
            ap,
            "give value (± tolerance) or min/max, not both",
        ));
    }
    if ans.value.is_none() && !ranged {
        v.push(Issue::error(
            "no-correct-answer",
            ap,
            "the answer has no value and no range",
        ));
    }
    if ans.tolerance.is_some() && ans.value.is_none() {
        v.push(Issue::error(
            "contradictory-rule",
            format!("{ap}/tolerance"),
            "tolerance without value",
        ));
    }
    for (field, x) in [("value", ans.value), ("min", ans.min), ("max", ans.max)] {
        if x.is_some_and(|x| !x.is_finite()) {
            v.push(Issue::error(
                "invalid-number",
                format!("{ap}/{field}"),
                format!("{field} must be a finite number"),
            ));
        }
    }
    if ans.tolerance.is_some_and(|t| t < 0.0 || !t.is_finite()) {
        v.push(Issue::error(
            "invalid-number",
            format!("{ap}/tolerance"),
            "tolerance must be ≥ 0",
        ));
    }
    if let (Some(lo), Some(hi)) = (ans.min, ans.max) {
        if lo > hi {
            v.push(Issue::error(
                "contradictory-rule",
                format!("{ap}/min"),
                format!("min {lo} is above max {hi}"),
            ));
        }
    }
}

/// Enough choices or pairs for the type, and some response earning full credit.
fn full_credit(item: &Item, ip: &str, v: &mut Vec<Issue>) {
    let t = item.kind;
    let few = match t {
        ItemType::SingleChoice | ItemType::MultipleResponse | ItemType::Ordering => {
            (item.choices.len() < 2).then(|| format!("{ip}/choices"))
        }
        ItemType::Matching => (item.pairs.len() < 2).then(|| format!("{ip}/pairs")),
        _ => None,
    };
    if let Some(p) = few {
        v.push(Issue::error(
            "too-few-choices",
            p,
            format!("a {} item needs at least 2", t.as_str()),
        ));
    }
    let best = best_fraction(item).min(1.0);
    // The credits of a multiple-response item reach full credit when they do at two decimals:
    // Moodle's check (`round($totalfraction, 2) != 1` in qtype_multichoice's
    // save_question_options), so its thirds (`%33.33333%` × 3 = 0.9999999) are accepted.
    let reachable = if t == ItemType::MultipleResponse {
        (best * 100.0).round() / 100.0
    } else {
        best
    };
    if reachable + EPS < item.max_fraction {
        let what = match t {
            ItemType::TrueFalse => "no `answer` is given".to_owned(),
            ItemType::SingleChoice => "no choice is correct (or earns full credit)".to_owned(),
            ItemType::MultipleResponse => {
                format!("the choices' credits add up to {best}, short of full credit")
            }
            ItemType::TextEntry | ItemType::Numeric => {
                "no accepted answer earns full credit".to_owned()
            }
            ItemType::Ordering => "there are no choices to order".to_owned(),
            ItemType::Matching => "there are no pairs".to_owned(),
        };
        v.push(Issue::error("no-correct-answer", ip, what));
    }
}
