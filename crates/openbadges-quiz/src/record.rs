//! Tamper-evident attempt records and content hashes.
//!
//! *Canonical form*: the value serialized to JSON with object keys sorted by their UTF-8
//! bytes, no insignificant whitespace, strings escaped as `serde_json` does, and numbers as
//! `serde_json` prints them (integers plainly, other floats in the shortest form that reads
//! back to the same `f64`). Scores are rounded to 9 decimals before they are recorded, so the
//! same grade always prints the same way. Digests are SHA-256 (`ring::digest`) of the
//! canonical bytes, written `sha256:` + lowercase hex.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::def::{PassPolicy, Quiz};
use crate::error::Error;
use crate::grade::{Grade, Grader, Response, Responses};
use crate::shuffle::Presentation;

/// The record format identifier.
pub const RECORD_FORMAT: &str = "openbadges-quiz-attempt/1";

use openbadges_model::sorted_keys_json;

/// `sha256:` + hex of the SHA-256 of `bytes`.
pub fn sha256_tag(bytes: &[u8]) -> String {
    format!(
        "sha256:{}",
        hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
    )
}

/// The content hash of a definition: SHA-256 of its canonical JSON. Any change to the
/// answer key, scoring, texts or structure changes it.
pub fn content_hash(quiz: &Quiz) -> String {
    let v = serde_json::to_value(quiz).unwrap_or(Value::Null);
    sha256_tag(sorted_keys_json(&v).as_bytes())
}

/// The quiz as named in a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordQuiz {
    /// Quiz id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Author's version label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// [`content_hash`] of the definition.
    pub content_hash: String,
}

/// One item's line in a record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordItem {
    /// Item id.
    pub id: String,
    /// Section id.
    pub section: String,
    /// Presented choice order (ids), when the item has choices.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<String>,
    /// The response, if any.
    pub response: Option<Response>,
    /// Hints revealed.
    pub hints_used: u32,
    /// Points earned.
    pub score: f64,
    /// Points available.
    pub max_score: f64,
    /// Fully correct; `None` when unanswered.
    pub correct: Option<bool>,
}

/// A graded attempt, bound to the definition by its content hash and sealed by a digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttemptRecord {
    /// [`RECORD_FORMAT`].
    pub format: String,
    /// The quiz.
    pub quiz: RecordQuiz,
    /// Attempt number (1-based).
    pub attempt: u32,
    /// The seed, as a decimal string (exact in every JSON reader).
    pub seed: String,
    /// The shuffle algorithm ([`crate::shuffle::ALGORITHM`]).
    pub algorithm: String,
    /// Items in presentation order, with responses and outcomes.
    pub items: Vec<RecordItem>,
    /// Total points.
    pub score: f64,
    /// Points available.
    pub max_score: f64,
    /// Percent.
    pub percent: f64,
    /// Pass decision.
    pub passed: bool,
    /// The pass rule applied.
    pub pass_rule: PassPolicy,
    /// The pass rule in plain language.
    pub criteria: String,
    /// Caller's start timestamp (seconds).
    pub started_at: i64,
    /// Caller's submission timestamp (seconds).
    pub submitted_at: i64,
    /// `sha256:` digest of the canonical record without this field.
    pub digest: String,
}

/// Inputs to [`AttemptRecord::seal`].
#[derive(Debug, Clone, Copy)]
pub struct RecordInput<'a> {
    /// The definition.
    pub quiz: &'a Quiz,
    /// The presentation.
    pub presentation: &'a Presentation,
    /// Responses.
    pub responses: &'a Responses,
    /// Hints per item.
    pub hints: &'a BTreeMap<String, u32>,
    /// The grade of those responses.
    pub grade: &'a Grade,
    /// Attempt number.
    pub attempt: u32,
    /// Start timestamp.
    pub started_at: i64,
    /// Submission timestamp.
    pub submitted_at: i64,
}

impl AttemptRecord {
    /// Builds and seals a record.
    pub fn seal(input: RecordInput<'_>) -> AttemptRecord {
        let items = input
            .grade
            .items
            .iter()
            .map(|o| RecordItem {
                id: o.id.clone(),
                section: o.section.clone(),
                order: input
                    .presentation
                    .item(&o.id)
                    .map(|p| p.order.clone())
                    .unwrap_or_default(),
                response: input.responses.get(&o.id).cloned(),
                hints_used: input.hints.get(&o.id).copied().unwrap_or(0),
                score: o.score,
                max_score: o.max_score,
                correct: o.correct,
            })
            .collect();
        let mut r = AttemptRecord {
            format: RECORD_FORMAT.to_owned(),
            quiz: RecordQuiz {
                id: input.quiz.id.clone(),
                title: input.quiz.title.clone(),
                version: input.quiz.version.clone(),
                content_hash: content_hash(input.quiz),
            },
            attempt: input.attempt,
            seed: input.presentation.seed.to_string(),
            algorithm: input.presentation.algorithm.clone(),
            items,
            score: input.grade.score,
            max_score: input.grade.max_score,
            percent: input.grade.percent,
            passed: input.grade.passed,
            pass_rule: input.quiz.pass.clone(),
            criteria: crate::policy::criteria_text(input.quiz),
            started_at: input.started_at,
            submitted_at: input.submitted_at,
            digest: String::new(),
        };
        r.digest = r.compute_digest();
        r
    }

    /// The canonical JSON of the record without `digest`.
    pub fn canonical_body(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.remove("digest");
        }
        sorted_keys_json(&v)
    }

    /// The digest the record should carry.
    pub fn compute_digest(&self) -> String {
        sha256_tag(self.canonical_body().as_bytes())
    }

    /// Checks the digest.
    ///
    /// # Errors
    /// [`Error::Record`] when the record was changed after sealing.
    pub fn verify(&self) -> Result<(), Error> {
        let want = self.compute_digest();
        // Constant-time comparison is not needed: the digest is public.
        if want == self.digest {
            Ok(())
        } else {
            Err(Error::Record("digest does not match the content".into()))
        }
    }

    /// Checks the digest, that `quiz` is the definition it was made with, and that grading
    /// the recorded responses again gives the recorded outcomes.
    ///
    /// # Errors
    /// [`Error::Record`] on any mismatch, [`Error::RecordSeed`] when the seed is not a number.
    pub fn verify_with(&self, quiz: &Quiz) -> Result<(), Error> {
        self.verify()?;
        if content_hash(quiz) != self.quiz.content_hash {
            return Err(Error::Record(
                "the definition's content hash differs".into(),
            ));
        }
        let seed: u64 = self.seed.parse().map_err(Error::RecordSeed)?;
        let presentation = Presentation::new(quiz, seed);
        let presented: Vec<&str> = presentation.item_ids().collect();
        let recorded: Vec<&str> = self.items.iter().map(|i| i.id.as_str()).collect();
        if presented != recorded {
            return Err(Error::Record(
                "the presented items differ from the seed's presentation".into(),
            ));
        }
        let responses: Responses = self
            .items
            .iter()
            .filter_map(|i| i.response.clone().map(|r| (i.id.clone(), r)))
            .collect();
        let hints: BTreeMap<String, u32> = self
            .items
            .iter()
            .map(|i| (i.id.clone(), i.hints_used))
            .collect();
        let g = Grader::new(quiz)?.grade(Some(&presentation), &responses, &hints)?;
        #[allow(clippy::float_cmp)]
        let same =
            g.score == self.score && g.max_score == self.max_score && g.passed == self.passed;
        if !same {
            return Err(Error::Record("regrading gives a different result".into()));
        }
        Ok(())
    }

    /// Reads a record from JSON.
    ///
    /// # Errors
    /// [`Error::RecordJson`] when the JSON is not a record.
    pub fn from_json(text: &str) -> Result<AttemptRecord, Error> {
        serde_json::from_str(text).map_err(Error::RecordJson)
    }

    /// The record as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
