//! A declarative quiz engine for Open Badges: quizzes as data (TOML or JSON, or imported from
//! Moodle GIFT and QTI 3.0), validated with exact `file:line:column` positions, graded
//! deterministically, and turned into the criteria and evidence a badge carries.
//!
//! ```
//! use openbadges_quiz::{Attempt, Format, Limits, Response, evidence, load};
//!
//! # fn main() -> Result<(), openbadges_quiz::Error> {
//! // A quiz is data: three true/false questions, passed by answering all of them.
//! let toml = r#"
//! id = "urn:example:quiz"
//! title = "Three questions"
//! [pass]
//! rule = "completion"
//! [[sections]]
//! id = "only"
//! [[sections.items]]
//! id = "learning-everywhere"
//! type = "true_false"
//! prompt = "Learning happens everywhere."
//! answer = true
//! explanation = "Answer: True."
//! [[sections.items]]
//! id = "degree-skill-set"
//! type = "true_false"
//! prompt = "A degree shows a skill set."
//! answer = false
//! [[sections.items]]
//! id = "resumes-validated"
//! type = "true_false"
//! prompt = "Resumes are validated."
//! answer = false
//! "#;
//! let loaded = load(toml, Format::Toml, Some("quiz.toml"), &Limits::default())?;
//! assert!(loaded.check(&Limits::default()).is_empty());
//! let quiz = &loaded.quiz;
//!
//! // A learner's attempt: a pure state machine driven by caller-supplied timestamps.
//! let mut attempt = Attempt::start(quiz, 42, 1_700_000_000, 0)?;
//! let fb = attempt.answer(quiz, "learning-everywhere", Response::Bool(true), 1_700_000_010)?;
//! assert!(fb.correct);
//! assert!(fb.feedback.unwrap().contains("Answer: True."));
//! attempt.answer(quiz, "degree-skill-set", Response::Bool(true), 1_700_000_020)?; // wrong
//! attempt.answer(quiz, "resumes-validated", Response::Bool(false), 1_700_000_030)?;
//! let record = attempt.submit(quiz, 1_700_000_040)?;
//! assert!(record.passed); // completion: every question answered
//! assert_eq!(record.score, 2.0);
//! record.verify_with(quiz)?; // tamper-evident and re-gradable
//!
//! // Evidence for an OB 2.0 assertion and an OB 3.0 credential.
//! let ev = evidence::ob2_evidence(&record, &Default::default())?; // openbadges_model::ob2::Evidence
//! assert!(ev.narrative.unwrap().contains(&record.digest));
//! let result = evidence::ob3_result(quiz, &record, "urn:example:result")?; // ob3::AchievementResult
//! assert_eq!(result.status.as_deref(), Some("Completed"));
//! # Ok(())
//! # }
//! ```
//!
//! Modules: [`def`] (the definition types), [`source`] (reading with positions), [`validate`],
//! [`mod@grade`], [`policy`] (pass rules and criteria text), [`shuffle`] (seeded presentation),
//! [`view`] (the answer-free public view), [`attempt`], [`record`] (tamper-evident records),
//! [`evidence`] (OB 2.0 / 3.0 objects), [`gift`] and [`qti`] (interchange). The format
//! reference and the scoring table are in `docs/quiz.md`.
#![forbid(unsafe_code)]

pub mod attempt;
pub mod def;
pub mod error;
pub mod evidence;
pub mod gift;
pub mod grade;
pub mod policy;
pub mod qti;
pub mod record;
pub mod shuffle;
pub mod source;
pub mod validate;
pub mod view;

pub use attempt::{AnswerFeedback, Attempt};
pub use def::{
    Answer, Choice, Distractor, Hint, Item, ItemType, Pair, PassPolicy, Quiz, ScoreBand, Section,
    Settings, Whitespace,
};
pub use error::{AttemptError, Error, Problem, Severity};
pub use grade::{Grade, Grader, ItemOutcome, Response, Responses, grade, responses_from_json};
pub use record::{AttemptRecord, content_hash};
pub use shuffle::Presentation;
pub use source::{Format, Limits, Loaded, load};
pub use view::PublicQuiz;

/// Loads a definition and validates it: the quiz when there is no error, otherwise every
/// problem (warnings included) with positions.
///
/// # Errors
/// [`Error::Invalid`] with all problems, [`Error::Limit`] when too large.
pub fn load_checked(
    text: &str,
    format: Format,
    file: Option<&str>,
    limits: &Limits,
) -> Result<(Quiz, Vec<Problem>), Error> {
    let loaded = load(text, format, file, limits)?;
    let problems = loaded.check(limits);
    if problems.iter().any(Problem::is_error) {
        return Err(Error::Invalid(problems));
    }
    Ok((loaded.quiz, problems))
}
