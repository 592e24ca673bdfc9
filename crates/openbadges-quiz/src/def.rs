//! The quiz definition: the data an author writes (TOML or JSON), with stable ids
//! quiz → sections → items → choices.
//!
//! The wire shape is deliberately flat: every item is one table with a `type` and the
//! fields that type uses. Fields that do not apply to an item's type are reported by
//! [`crate::validate`] (rule `field-not-applicable`), so a typo or a confused author never
//! goes unnoticed, and serde's `deny_unknown_fields` catches unknown keys with positions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A whole quiz definition (the answer key included). Never send this to a client: give it a
/// [`crate::view::PublicQuiz`] instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quiz {
    /// Stable identifier of the quiz (an IRI, URN or slug).
    pub id: String,
    /// Human title.
    pub title: String,
    /// Instructions shown before the first item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// BCP 47 language tag of the texts.
    #[serde(default = "default_language")]
    pub language: String,
    /// Version label chosen by the author (free text, recorded in evidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The pass policy. Defaults to [`PassPolicy::Completion`] (what Badges 101 did).
    #[serde(default)]
    pub pass: PassPolicy,
    /// Overall feedback by score band.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback: Vec<ScoreBand>,
    /// Message shown when the attempt passes (Badges 101: "Congratulations! …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_feedback: Option<String>,
    /// Message shown when the attempt does not pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_feedback: Option<String>,
    /// Attempt settings (limits, answer changes).
    #[serde(default, skip_serializing_if = "Settings::is_default")]
    pub settings: Settings,
    /// The sections, in order.
    pub sections: Vec<Section>,
}

fn default_language() -> String {
    "en".to_owned()
}

impl Quiz {
    /// A quiz read from an interchange format (GIFT, QTI): its id, title, language and
    /// sections, everything else the default.
    pub(crate) fn imported(
        id: String,
        title: String,
        language: String,
        sections: Vec<Section>,
    ) -> Quiz {
        Quiz {
            id,
            title,
            instructions: None,
            language,
            version: None,
            pass: PassPolicy::default(),
            feedback: Vec::new(),
            pass_feedback: None,
            fail_feedback: None,
            settings: Settings::default(),
            sections,
        }
    }

    /// Every item of the definition in file order, with the index of its section.
    pub fn items(&self) -> impl Iterator<Item = (usize, &Item)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(s, sec)| sec.items.iter().map(move |i| (s, i)))
    }

    /// Finds an item by id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items().map(|(_, i)| i).find(|i| i.id == id)
    }

    /// The item with the given 1-based number in file order.
    pub fn item_by_number(&self, n: usize) -> Option<&Item> {
        n.checked_sub(1)
            .and_then(|k| self.items().nth(k))
            .map(|(_, i)| i)
    }
}

/// Attempt settings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// How many attempts one learner may start (`None`: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// Time allowed for one attempt, in seconds (`None`: untimed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_limit_seconds: Option<u64>,
    /// When `true`, an item accepts one answer only (Badges 101: "each question accepted one
    /// click"). Default `false`: answers may be changed until submission.
    #[serde(default, skip_serializing_if = "is_false")]
    pub lock_answers: bool,
}

impl Settings {
    fn is_default(&self) -> bool {
        *self == Settings::default()
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// Overall feedback shown for a score band: `min_percent <= percent <= max_percent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreBand {
    /// Lower bound (inclusive), in percent.
    #[serde(default)]
    pub min_percent: f64,
    /// Upper bound (inclusive), in percent.
    #[serde(default = "hundred")]
    pub max_percent: f64,
    /// The feedback text.
    pub text: String,
}

fn hundred() -> f64 {
    100.0
}

/// A section: an ordered group of items, optionally shuffled or drawn as a random pool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Stable identifier, unique in the quiz.
    pub id: String,
    /// Optional heading (Badges 101: "Your First Badge").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Optional instructions for the section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// Present the items in a seeded random order.
    #[serde(default, skip_serializing_if = "is_false")]
    pub shuffle: bool,
    /// Draw this many items at random from the section (a pool "N of M").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<usize>,
    /// The items.
    pub items: Vec<Item>,
}

/// The kind of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ItemType {
    /// True or false (`answer`).
    TrueFalse,
    /// Exactly one choice (`choices`, one or more `correct` or with a `fraction`).
    SingleChoice,
    /// Any number of choices (`choices`), scored by a per-choice map.
    MultipleResponse,
    /// A typed answer (`answers` with `text` or `regex`).
    TextEntry,
    /// A number (`answers` with `value` ± `tolerance`, or `min`..`max`).
    Numeric,
    /// Put `choices` in order (their order in the file is the correct order).
    Ordering,
    /// Match each left text to a right text (`pairs`, extra right texts in `distractors`).
    Matching,
}

impl ItemType {
    /// The snake_case name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::TrueFalse => "true_false",
            ItemType::SingleChoice => "single_choice",
            ItemType::MultipleResponse => "multiple_response",
            ItemType::TextEntry => "text_entry",
            ItemType::Numeric => "numeric",
            ItemType::Ordering => "ordering",
            ItemType::Matching => "matching",
        }
    }
}

/// How text answers treat whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Whitespace {
    /// Compare exactly as typed.
    Exact,
    /// Remove leading and trailing whitespace (Moodle's short answer).
    Trim,
    /// Trim, and turn every inner run of whitespace into one space (default).
    #[default]
    Collapse,
    /// Remove all whitespace.
    Remove,
}

/// One item (question). Fields used depend on [`Item::kind`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable identifier, unique in the quiz.
    pub id: String,
    /// The item type.
    #[serde(rename = "type")]
    pub kind: ItemType,
    /// The question text.
    pub prompt: String,
    /// Weight: the points this item is worth when fully correct (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub points: f64,
    /// Explanation shown after the item is answered (Badges 101: "Answer: True. …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Hints, revealed one at a time on request; each may cost a penalty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<Hint>,
    /// Feedback when the answer is fully correct (Badges 101: "That's right!").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_correct: Option<String>,
    /// Feedback when it is not (Badges 101: "That's wrong!").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_incorrect: Option<String>,
    /// Feedback keyed by choice id (an alternative to `feedback` on each choice; for
    /// true/false the keys are `"true"` and `"false"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub choice_feedback: BTreeMap<String, String>,
    /// All-or-nothing: anything short of full credit scores 0. Default: `true` for ordering,
    /// `false` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_or_nothing: Option<bool>,
    /// Lower bound of the item's fraction after mapping and penalties (default 0: negative
    /// marks never take a whole item below zero, as in H5P and QTI `lower-bound="0"`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_fraction: f64,
    /// Upper bound of the item's fraction (default 1, QTI `upper-bound`).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub max_fraction: f64,
    /// `true_false`: the correct answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<bool>,
    /// `single_choice`, `multiple_response`, `ordering`: the choices (for ordering, in the
    /// correct order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
    /// Present the choices (or the right-hand texts of a matching item) in seeded random
    /// order; `pinned` choices keep their place.
    #[serde(default, skip_serializing_if = "is_false")]
    pub shuffle: bool,
    /// `text_entry`, `numeric`: accepted answers, tried in order; the first that matches counts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<Answer>,
    /// `text_entry`: compare case-sensitively (default `false`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub case_sensitive: bool,
    /// `text_entry`: whitespace rule (default `collapse`).
    #[serde(default, skip_serializing_if = "is_collapse")]
    pub whitespace: Whitespace,
    /// `matching`: the correct pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<Pair>,
    /// `matching`: extra right-hand texts that match nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distractors: Vec<Distractor>,
}

fn one() -> f64 {
    1.0
}
#[allow(clippy::trivially_copy_pass_by_ref, clippy::float_cmp)]
fn is_one(x: &f64) -> bool {
    *x == 1.0
}
#[allow(clippy::trivially_copy_pass_by_ref, clippy::float_cmp)]
fn is_zero(x: &f64) -> bool {
    *x == 0.0
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_collapse(w: &Whitespace) -> bool {
    *w == Whitespace::Collapse
}

impl Item {
    /// A new item with default scoring and no type-specific data.
    pub fn new(id: impl Into<String>, kind: ItemType, prompt: impl Into<String>) -> Item {
        Item {
            id: id.into(),
            kind,
            prompt: prompt.into(),
            points: 1.0,
            explanation: None,
            hints: Vec::new(),
            feedback_correct: None,
            feedback_incorrect: None,
            choice_feedback: BTreeMap::new(),
            all_or_nothing: None,
            min_fraction: 0.0,
            max_fraction: 1.0,
            answer: None,
            choices: Vec::new(),
            shuffle: false,
            answers: Vec::new(),
            case_sensitive: false,
            whitespace: Whitespace::Collapse,
            pairs: Vec::new(),
            distractors: Vec::new(),
        }
    }

    /// Whether all-or-nothing scoring applies (explicit, or the type's default).
    pub fn is_all_or_nothing(&self) -> bool {
        self.all_or_nothing
            .unwrap_or(self.kind == ItemType::Ordering)
    }

    /// Finds a choice by id.
    pub fn choice(&self, id: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.id == id)
    }
}

/// A choice of a choice or ordering item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stable identifier, unique in the item.
    pub id: String,
    /// The text shown.
    pub text: String,
    /// Marks a correct choice (single choice: full credit; multiple response: selected in
    /// the key).
    #[serde(default, skip_serializing_if = "is_false")]
    pub correct: bool,
    /// Explicit credit for selecting this choice, from -1 to 1 (GIFT `%n%`, QTI
    /// `qti-map-entry`). Defaults: single choice 1 if correct else 0; multiple response
    /// `1/k` if correct else `-1/k` (k = number of correct choices).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction: Option<f64>,
    /// Feedback shown when this choice is selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
    /// Keep this choice at its position when shuffling (e.g. "None of the above").
    #[serde(default, skip_serializing_if = "is_false")]
    pub pinned: bool,
}

impl Choice {
    /// A plain choice.
    pub fn new(id: impl Into<String>, text: impl Into<String>, correct: bool) -> Choice {
        Choice {
            id: id.into(),
            text: text.into(),
            correct,
            fraction: None,
            feedback: None,
            pinned: false,
        }
    }
}

/// An accepted answer of a text-entry or numeric item.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// `text_entry`: the accepted text (compared after the whitespace and case rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `text_entry`: a regular expression the whole (normalised) response must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// `numeric`: the exact value (± `tolerance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// `numeric`: absolute tolerance around `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// `numeric`: lower bound of an accepted range (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// `numeric`: upper bound of an accepted range (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Credit for this answer, from -1 to 1 (default 1).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub fraction: f64,
    /// Feedback shown when this answer matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<String>,
}

impl Answer {
    /// An accepted text answer with full credit.
    pub fn text(t: impl Into<String>) -> Answer {
        Answer {
            text: Some(t.into()),
            fraction: 1.0,
            ..Answer::default()
        }
    }
    /// An accepted numeric answer with full credit.
    pub fn number(value: f64, tolerance: Option<f64>) -> Answer {
        Answer {
            value: Some(value),
            tolerance,
            fraction: 1.0,
            ..Answer::default()
        }
    }
}

/// One correct pair of a matching item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    /// Stable identifier of the left-hand entry, unique in the item.
    pub id: String,
    /// The left-hand text (the stem).
    pub left: String,
    /// The right-hand text it matches.
    pub right: String,
}

/// An extra right-hand text of a matching item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distractor {
    /// Stable identifier, unique in the item.
    pub id: String,
    /// The text.
    pub text: String,
}

/// A hint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hint {
    /// The hint text.
    pub text: String,
    /// Fraction of the item's credit lost by revealing it (0 to 1, default 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub penalty: f64,
}

/// How a quiz is passed. Renders as plain-language criteria with
/// [`crate::policy::criteria_text`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum PassPolicy {
    /// Every presented item answered, right or wrong (Badges 101).
    #[default]
    Completion,
    /// Total score at least `points`.
    MinScore {
        /// The threshold, in points.
        points: f64,
    },
    /// Total score at least `percent` of the maximum.
    MinPercent {
        /// The threshold, in percent.
        percent: f64,
    },
    /// Every presented item fully correct (mastery).
    AllCorrect,
    /// A section's score at least `points` or `percent` (exactly one of them).
    SectionMin {
        /// The section id.
        section: String,
        /// Threshold in points.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        points: Option<f64>,
        /// Threshold in percent of the section's maximum.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<f64>,
    },
    /// Every listed rule must hold.
    All {
        /// The rules.
        of: Vec<PassPolicy>,
    },
    /// At least one listed rule must hold.
    Any {
        /// The rules.
        of: Vec<PassPolicy>,
    },
}
