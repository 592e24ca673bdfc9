//! From a graded attempt to what a badge carries: OB 2.0 `Criteria` and `Evidence`, OB 3.0
//! `Criteria`, `ResultDescription`, `Result` and `Evidence`.
//!
//! Each object comes twice: as the typed model of `openbadges-model` (`ob2::Evidence`,
//! `ob2::Criteria`, `ob3::Criteria`, `ob3::ResultDescription`, `ob3::AchievementResult`,
//! `ob3::Evidence`; functions without suffix) and as plain JSON shaped exactly as the
//! specifications name them (`*_json`; OB 2.0 §Evidence / §Criteria; OB 3.0 Criteria, Evidence,
//! Result, ResultDescription). The attempt record's digest and the definition's content hash
//! appear in the evidence narrative, so a verifier holding the record can check both.

use openbadges_model::{ob2, ob3};
use serde_json::{Map, Value, json};

use crate::error::Error;

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, Error> {
    serde_json::from_value(v).map_err(Error::Evidence)
}

/// Refuses ids that are not absolute IRIs (`openbadges_model::Iri::parse`).
fn iri(s: Option<&str>) -> Result<(), Error> {
    match s {
        Some(x) => openbadges_model::Iri::parse(x)
            .map(|_| ())
            .map_err(|source| Error::EvidenceIri {
                iri: x.to_owned(),
                source,
            }),
        None => Ok(()),
    }
}

/// OB 2.0 `Criteria` (typed).
///
/// # Errors
/// [`Error::EvidenceIri`] when `criteria_url` is not an IRI.
pub fn ob2_criteria(quiz: &Quiz, criteria_url: Option<&str>) -> Result<ob2::Criteria, Error> {
    iri(criteria_url)?;
    typed(ob2_criteria_json(quiz, criteria_url))
}

/// OB 2.0 `Evidence` (typed).
///
/// # Errors
/// [`Error::EvidenceIri`] when the evidence `id` is not an IRI.
pub fn ob2_evidence(
    record: &AttemptRecord,
    opts: &EvidenceOptions,
) -> Result<ob2::Evidence, Error> {
    iri(opts.id.as_deref())?;
    typed(ob2_evidence_json(record, opts))
}

/// OB 3.0 `Criteria` (typed).
///
/// # Errors
/// [`Error::EvidenceIri`] when `criteria_url` is not an IRI.
pub fn ob3_criteria(quiz: &Quiz, criteria_url: Option<&str>) -> Result<ob3::Criteria, Error> {
    iri(criteria_url)?;
    typed(ob3_criteria_json(quiz, criteria_url))
}

/// OB 3.0 `ResultDescription` (typed).
///
/// # Errors
/// [`Error::EvidenceIri`] when `id` is not an IRI.
pub fn ob3_result_description(quiz: &Quiz, id: &str) -> Result<ob3::ResultDescription, Error> {
    iri(Some(id))?;
    typed(ob3_result_description_json(quiz, id))
}

/// OB 3.0 `Result` (typed: `AchievementResult`).
///
/// # Errors
/// [`Error::EvidenceIri`] when `result_description_id` is not an IRI.
pub fn ob3_result(
    quiz: &Quiz,
    record: &AttemptRecord,
    result_description_id: &str,
) -> Result<ob3::AchievementResult, Error> {
    iri(Some(result_description_id))?;
    typed(ob3_result_json(quiz, record, result_description_id))
}

/// OB 3.0 `Evidence` (typed).
///
/// # Errors
/// [`Error::EvidenceIri`] when the evidence `id` is not an IRI.
pub fn ob3_evidence(
    record: &AttemptRecord,
    opts: &EvidenceOptions,
) -> Result<ob3::Evidence, Error> {
    iri(opts.id.as_deref())?;
    typed(ob3_evidence_json(record, opts))
}

use crate::def::{PassPolicy, Quiz};
use crate::grade::score_text;
use crate::record::AttemptRecord;

/// Where the evidence points to: an optional public URL of the attempt record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceOptions {
    /// `id` of the evidence (a URL where the attempt record can be fetched).
    pub id: Option<String>,
    /// Audience of the evidence (e.g. "Learners").
    pub audience: Option<String>,
}

/// The narrative that describes a record (Markdown, as both specs allow).
pub fn narrative(record: &AttemptRecord) -> String {
    let answered = record.items.iter().filter(|i| i.response.is_some()).count();
    let correct = record
        .items
        .iter()
        .filter(|i| i.correct == Some(true))
        .count();
    format!(
        "{} the quiz \u{201c}{}\u{201d} (attempt {}): answered {answered} of {} questions, {correct} fully correct; \
         score {} of {} ({}%).\n\nPass rule: {}\n\nAttempt record digest: {}\nQuiz definition hash: {}",
        if record.passed {
            "Passed"
        } else {
            "Did not pass"
        },
        record.quiz.title,
        record.attempt,
        record.items.len(),
        score_text(record.score),
        score_text(record.max_score),
        score_text(record.percent),
        record.criteria,
        record.digest,
        record.quiz.content_hash,
    )
}

/// OB 2.0 `Criteria` for the BadgeClass: `{"narrative": …}` plus `id` when given.
pub fn ob2_criteria_json(quiz: &Quiz, criteria_url: Option<&str>) -> Value {
    let mut m = Map::new();
    if let Some(u) = criteria_url {
        m.insert("id".into(), json!(u));
    }
    m.insert(
        "narrative".into(),
        json!(crate::policy::criteria_text(quiz)),
    );
    Value::Object(m)
}

/// OB 2.0 `Evidence` for the Assertion.
pub fn ob2_evidence_json(record: &AttemptRecord, opts: &EvidenceOptions) -> Value {
    let mut m = Map::new();
    m.insert("type".into(), json!("Evidence"));
    if let Some(id) = &opts.id {
        m.insert("id".into(), json!(id));
    }
    m.insert(
        "name".into(),
        json!(format!("Quiz attempt: {}", record.quiz.title)),
    );
    m.insert(
        "description".into(),
        json!(format!(
            "Graded attempt record {} of quiz {}",
            record.digest, record.quiz.id
        )),
    );
    m.insert("narrative".into(), json!(narrative(record)));
    m.insert("genre".into(), json!("Assessment"));
    if let Some(a) = &opts.audience {
        m.insert("audience".into(), json!(a));
    }
    Value::Object(m)
}

/// OB 3.0 `Criteria` for the Achievement.
pub fn ob3_criteria_json(quiz: &Quiz, criteria_url: Option<&str>) -> Value {
    ob2_criteria_json(quiz, criteria_url)
}

/// The OB 3.0 `resultType` and bounds that describe this quiz's result.
fn result_shape(quiz: &Quiz) -> (&'static str, String, String, Option<String>) {
    let max = crate::validate::guaranteed_max(quiz);
    match &quiz.pass {
        PassPolicy::MinPercent { percent } => (
            "Percent",
            "0".into(),
            "100".into(),
            Some(score_text(*percent)),
        ),
        PassPolicy::MinScore { points } => (
            "RawScore",
            "0".into(),
            score_text(max),
            Some(score_text(*points)),
        ),
        PassPolicy::AllCorrect => (
            "RawScore",
            "0".into(),
            score_text(max),
            Some(score_text(max)),
        ),
        _ => ("RawScore", "0".into(), score_text(max), None),
    }
}

/// OB 3.0 `ResultDescription` for the Achievement (`id` is required by the spec).
pub fn ob3_result_description_json(quiz: &Quiz, id: &str) -> Value {
    let (kind, min, max, required) = result_shape(quiz);
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("type".into(), json!(["ResultDescription"]));
    m.insert("name".into(), json!(format!("{} score", quiz.title)));
    m.insert("resultType".into(), json!(kind));
    m.insert("valueMin".into(), json!(min));
    m.insert("valueMax".into(), json!(max));
    if let Some(r) = required {
        m.insert("requiredValue".into(), json!(r));
    }
    Value::Object(m)
}

/// OB 3.0 `Result` for the credential subject. `status` is `Completed` when the attempt
/// passed and `Failed` otherwise (ResultStatusType).
pub fn ob3_result_json(quiz: &Quiz, record: &AttemptRecord, result_description_id: &str) -> Value {
    let (kind, ..) = result_shape(quiz);
    let value = if kind == "Percent" {
        score_text(record.percent)
    } else {
        score_text(record.score)
    };
    json!({
        "type": ["Result"],
        "resultDescription": result_description_id,
        "value": value,
        "status": if record.passed { "Completed" } else { "Failed" },
    })
}

/// OB 3.0 `Evidence` for the credential.
pub fn ob3_evidence_json(record: &AttemptRecord, opts: &EvidenceOptions) -> Value {
    let mut v = ob2_evidence_json(record, opts);
    if let Value::Object(m) = &mut v {
        m.insert("type".into(), json!(["Evidence"]));
    }
    v
}
