//! Attempts: a pure, serializable state machine (start → answer / change answer / hint →
//! submit). There is no clock inside: every operation takes the caller's timestamp (seconds
//! in any epoch the caller likes, consistently), so an attempt can be stored, resumed after a
//! restart, and replayed in tests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::def::Quiz;
use crate::error::{AttemptError, Error};
use crate::grade::{Grade, Grader, Response, Responses};
use crate::record::{AttemptRecord, RecordInput, content_hash};
use crate::shuffle::Presentation;
use crate::view::PublicQuiz;

/// The state of one attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Quiz id.
    pub quiz_id: String,
    /// Content hash of the definition the attempt was started on.
    pub quiz_hash: String,
    /// 1-based attempt number.
    pub number: u32,
    /// What is shown.
    pub presentation: Presentation,
    /// Start timestamp.
    pub started_at: i64,
    /// Deadline (start + time limit), if timed.
    pub deadline: Option<i64>,
    /// Current responses.
    pub responses: Responses,
    /// Hints revealed per item.
    pub hints: BTreeMap<String, u32>,
    /// When each item was last answered.
    pub answered_at: BTreeMap<String, i64>,
    /// Submission timestamp, once submitted.
    pub submitted_at: Option<i64>,
}

/// What an answer did, for immediate feedback (as on Badges 101).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerFeedback {
    /// Fully correct.
    pub correct: bool,
    /// Feedback text (choice/answer feedback, right/wrong text, explanation).
    pub feedback: Option<String>,
}

impl Attempt {
    /// Starts attempt number `previous_attempts + 1` at `now`.
    ///
    /// # Errors
    /// [`AttemptError::NoAttemptsLeft`] when the quiz's `max_attempts` is used up.
    pub fn start(
        quiz: &Quiz,
        seed: u64,
        now: i64,
        previous_attempts: u32,
    ) -> Result<Attempt, AttemptError> {
        if let Some(max) = quiz.settings.max_attempts {
            if previous_attempts >= max {
                return Err(AttemptError::NoAttemptsLeft {
                    used: previous_attempts,
                    allowed: max,
                });
            }
        }
        let deadline = quiz
            .settings
            .time_limit_seconds
            .map(|s| now.saturating_add(i64::try_from(s).unwrap_or(i64::MAX)));
        Ok(Attempt {
            quiz_id: quiz.id.clone(),
            quiz_hash: content_hash(quiz),
            number: previous_attempts.saturating_add(1),
            presentation: Presentation::new(quiz, seed),
            started_at: now,
            deadline,
            responses: Responses::new(),
            hints: BTreeMap::new(),
            answered_at: BTreeMap::new(),
            submitted_at: None,
        })
    }

    /// The public view for this attempt.
    pub fn view(&self, quiz: &Quiz) -> PublicQuiz {
        PublicQuiz::new(quiz, &self.presentation)
    }

    /// Whether the time limit has passed at `now`.
    pub fn is_expired(&self, now: i64) -> bool {
        self.deadline.is_some_and(|d| now > d)
    }

    /// Whether the attempt is submitted.
    pub fn is_submitted(&self) -> bool {
        self.submitted_at.is_some()
    }

    fn check_open(&self, quiz: &Quiz, now: i64) -> Result<(), AttemptError> {
        if self.submitted_at.is_some() {
            return Err(AttemptError::AlreadySubmitted);
        }
        if content_hash(quiz) != self.quiz_hash {
            return Err(AttemptError::WrongQuiz);
        }
        if now < self.started_at {
            return Err(AttemptError::ClockWentBack {
                now,
                started: self.started_at,
            });
        }
        if let Some(d) = self.deadline {
            if now > d {
                return Err(AttemptError::TimeUp { deadline: d });
            }
        }
        Ok(())
    }

    /// Records (or changes) the response to an item and returns its feedback.
    ///
    /// # Errors
    /// [`Error::Attempt`] when submitted, out of time, for another quiz, the item is not
    /// presented or its answer is locked; [`Error::Response`] when the response does not fit.
    pub fn answer(
        &mut self,
        quiz: &Quiz,
        item: &str,
        response: Response,
        now: i64,
    ) -> Result<AnswerFeedback, Error> {
        self.check_open(quiz, now)?;
        if !self.presentation.contains(item) {
            return Err(AttemptError::UnknownItem(item.to_owned()).into());
        }
        if quiz.settings.lock_answers && self.responses.contains_key(item) {
            return Err(AttemptError::AnswerLocked(item.to_owned()).into());
        }
        let grader = Grader::new(quiz)?;
        let outcome = grader.grade_one(
            item,
            Some(&response),
            self.hints.get(item).copied().unwrap_or(0),
        )?;
        self.responses.insert(item.to_owned(), response);
        self.answered_at.insert(item.to_owned(), now);
        Ok(AnswerFeedback {
            correct: outcome.correct == Some(true),
            feedback: outcome.feedback,
        })
    }

    /// Reveals the next hint of an item.
    ///
    /// # Errors
    /// As [`Attempt::answer`], plus [`AttemptError::NoMoreHints`].
    pub fn hint(&mut self, quiz: &Quiz, item: &str, now: i64) -> Result<String, Error> {
        self.check_open(quiz, now)?;
        if !self.presentation.contains(item) {
            return Err(AttemptError::UnknownItem(item.to_owned()).into());
        }
        let it = quiz
            .item(item)
            .ok_or_else(|| AttemptError::UnknownItem(item.to_owned()))?;
        let used = self.hints.get(item).copied().unwrap_or(0);
        let hint = it
            .hints
            .get(usize::try_from(used).unwrap_or(usize::MAX))
            .ok_or_else(|| AttemptError::NoMoreHints(item.to_owned()))?;
        self.hints.insert(item.to_owned(), used + 1);
        Ok(hint.text.clone())
    }

    /// Grades the current responses without submitting.
    ///
    /// # Errors
    /// [`Error::Response`] when a stored response no longer fits (another definition).
    pub fn preview(&self, quiz: &Quiz) -> Result<Grade, Error> {
        Grader::new(quiz)?.grade(Some(&self.presentation), &self.responses, &self.hints)
    }

    /// Submits at `now` and returns the sealed record. After the deadline, submission is
    /// still accepted (responses given in time count; late answers were already refused).
    ///
    /// # Errors
    /// [`AttemptError::AlreadySubmitted`], [`AttemptError::WrongQuiz`],
    /// [`AttemptError::ClockWentBack`].
    pub fn submit(&mut self, quiz: &Quiz, now: i64) -> Result<AttemptRecord, Error> {
        if self.submitted_at.is_some() {
            return Err(AttemptError::AlreadySubmitted.into());
        }
        if content_hash(quiz) != self.quiz_hash {
            return Err(AttemptError::WrongQuiz.into());
        }
        if now < self.started_at {
            return Err(AttemptError::ClockWentBack {
                now,
                started: self.started_at,
            }
            .into());
        }
        let grade = self.preview(quiz)?;
        self.submitted_at = Some(now);
        Ok(AttemptRecord::seal(RecordInput {
            quiz,
            presentation: &self.presentation,
            responses: &self.responses,
            hints: &self.hints,
            grade: &grade,
            attempt: self.number,
            started_at: self.started_at,
            submitted_at: now,
        }))
    }
}
