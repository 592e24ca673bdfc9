//! `openbadges quiz check|grade|take`: validate, grade and run quizzes (see CLI.md and
//! docs/quiz.md). Thin: every decision is made by `openbadges-quiz`.

use std::io::BufRead;
use std::path::{Component, Path, PathBuf};

use openbadges::quiz::view::PublicItem;
use openbadges::quiz::{
    Attempt, Error, Format, ItemType, Limits, Loaded, Presentation, Problem, Quiz, grade::Grader,
    policy, responses_from_json,
};

use crate::exit;

/// Arguments of `quiz`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: QuizCommand,
}

#[derive(Debug, clap::Subcommand)]
enum QuizCommand {
    /// Validate quiz definitions (TOML, JSON, GIFT, QTI 3.0 XML) and print every problem as
    /// file:line:column. Exit 0 when valid (warnings allowed), 1 when any has errors.
    Check {
        /// Definition files (`-` for stdin).
        #[arg(required = true)]
        quizzes: Vec<PathBuf>,
        /// One JSON object per input.
        #[arg(long)]
        json: bool,
    },
    /// Grade a saved set of responses. Exit 0 when the attempt passes, 1 when it does not
    /// (or the definition is invalid), 2 on unreadable input or responses that do not fit.
    Grade {
        /// The definition.
        quiz: PathBuf,
        /// JSON object: item id or 1-based item number → response.
        #[arg(long)]
        responses: PathBuf,
        /// Seed of the presentation (shuffles, pools). Without it, items are graded in file
        /// order (seed 0 when the quiz draws pools).
        #[arg(long)]
        seed: Option<u64>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the sealed attempt record (JSON) to this file.
        #[arg(long)]
        record: Option<PathBuf>,
    },
    /// Run the quiz in the terminal: one question at a time, the explanation after each
    /// answer. Reads answers line by line from stdin (works with a pipe). Exit 0 when passed.
    Take {
        /// The definition.
        quiz: PathBuf,
        /// Seed of the presentation (default: from the clock).
        #[arg(long)]
        seed: Option<u64>,
        /// Also write the sealed attempt record (JSON) to this file.
        #[arg(long)]
        record: Option<PathBuf>,
    },
}

/// Runs `quiz`, returning the process exit code.
pub(crate) fn run(args: Args) -> u8 {
    match args.command {
        QuizCommand::Check { quizzes, json } => check(&quizzes, json),
        QuizCommand::Grade {
            quiz,
            responses,
            seed,
            json,
            record,
        } => grade(&quiz, &responses, seed, json, record.as_deref()),
        QuizCommand::Take { quiz, seed, record } => take(&quiz, seed, record.as_deref()),
    }
}

enum LoadFailure {
    /// Could not read (exit 2).
    Unreadable(Unreadable),
    /// Read, but invalid (exit 1).
    Invalid(Vec<Problem>),
}

/// Why a definition could not be read: the input's name and the cause.
#[derive(Debug, thiserror::Error)]
enum Unreadable {
    /// The file (or stdin) could not be read.
    #[error("{input}: {source}")]
    Io {
        input: String,
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not UTF-8 text.
    #[error("{input}: not UTF-8 text")]
    NotUtf8 {
        input: String,
        #[source]
        source: std::string::FromUtf8Error,
    },
    /// The quiz library refused it for another reason than its problems (a limit, …).
    #[error("{input}: {source}")]
    Quiz {
        input: String,
        #[source]
        source: Error,
    },
}

/// A load error: the problems of an invalid definition, or the cause it could not be read.
fn load_failure(input: &str, e: Error) -> LoadFailure {
    match e {
        Error::Invalid(p) => LoadFailure::Invalid(p),
        source => LoadFailure::Unreadable(Unreadable::Quiz {
            input: input.to_owned(),
            source,
        }),
    }
}

/// Reads and parses a definition; QTI tests resolve item `href`s next to the file.
fn read(path: &Path) -> Result<Loaded, LoadFailure> {
    let name = path.display().to_string();
    let bytes = crate::cmd::read_input(path).map_err(|source| {
        LoadFailure::Unreadable(Unreadable::Io {
            input: name.clone(),
            source,
        })
    })?;
    if bytes.starts_with(b"PK\x03\x04") {
        // A QTI 3.0 content package.
        return openbadges::quiz::qti::import_package(&bytes, Some(&name), &Limits::default())
            .map_err(|e| load_failure(&name, e));
    }
    let text = String::from_utf8(bytes).map_err(|source| {
        LoadFailure::Unreadable(Unreadable::NotUtf8 {
            input: name.clone(),
            source,
        })
    })?;
    let file = if name == "-" {
        None
    } else {
        Some(name.as_str())
    };
    let format = Format::detect(file, &text);
    let limits = Limits::default();
    let result = if format == Format::Qti {
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = move |href: &str| -> Option<String> {
            let rel = Path::new(href);
            if rel.is_absolute()
                || href.contains("://")
                || rel.components().any(|c| matches!(c, Component::ParentDir))
            {
                return None;
            }
            let bytes = crate::cmd::read_input(&base.join(rel)).ok()?;
            String::from_utf8(bytes).ok()
        };
        openbadges::quiz::qti::import_item_or_test(&text, file, &limits, &resolve)
    } else {
        openbadges::quiz::load(&text, format, file, &limits)
    };
    result.map_err(|e| load_failure(&name, e))
}

/// Reads and validates; prints problems to stderr; returns the quiz or an exit code.
fn read_valid(path: &Path) -> Result<Quiz, u8> {
    match read(path) {
        Ok(l) => {
            let problems = l.check(&Limits::default());
            for p in &problems {
                errln!("{p}");
            }
            if problems.iter().any(Problem::is_error) {
                Err(exit::INVALID)
            } else {
                Ok(l.quiz)
            }
        }
        Err(LoadFailure::Unreadable(m)) => {
            errln!("openbadges quiz: {m}");
            Err(exit::CANNOT_CHECK)
        }
        Err(LoadFailure::Invalid(p)) => {
            for x in &p {
                errln!("{x}");
            }
            Err(exit::INVALID)
        }
    }
}

fn check(paths: &[PathBuf], json: bool) -> u8 {
    let mut worst = exit::OK;
    for path in paths {
        let name = path.display().to_string();
        let (format, items, problems, code) = match read(path) {
            Ok(l) => {
                let p = l.check(&Limits::default());
                let bad = p.iter().any(Problem::is_error);
                (
                    Some(l.format),
                    l.quiz.items().count(),
                    p,
                    if bad { exit::INVALID } else { exit::OK },
                )
            }
            Err(LoadFailure::Invalid(p)) => (None, 0, p, exit::INVALID),
            Err(LoadFailure::Unreadable(m)) => {
                errln!("openbadges quiz check: {m}");
                if json {
                    outln!(
                        "{}",
                        serde_json::json!({"input": name, "valid": null, "error": m.to_string()})
                    );
                }
                worst = worst.max(exit::CANNOT_CHECK);
                continue;
            }
        };
        worst = worst.max(code);
        if json {
            let out = serde_json::json!({
                "input": name,
                "valid": code == exit::OK,
                "format": format.map(Format::as_str),
                "items": items,
                "problems": problems,
            });
            outln!("{out}");
        } else {
            for p in &problems {
                outln!("{p}");
            }
            let errors = problems.iter().filter(|p| p.is_error()).count();
            let warnings = problems.len() - errors;
            if code == exit::OK {
                outln!("{name}: ok ({items} item(s), {warnings} warning(s))");
            } else {
                outln!("{name}: {errors} error(s), {warnings} warning(s)");
            }
        }
    }
    worst
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn write_record(path: &Path, record: &openbadges::quiz::AttemptRecord) -> Result<(), u8> {
    std::fs::write(path, record.to_json_pretty() + "\n").map_err(|e| {
        errln!("openbadges quiz: cannot write {}: {e}", path.display());
        exit::CANNOT_CHECK
    })
}

fn grade(
    quiz_path: &Path,
    responses_path: &Path,
    seed: Option<u64>,
    json: bool,
    record: Option<&Path>,
) -> u8 {
    let quiz = match read_valid(quiz_path) {
        Ok(q) => q,
        Err(code) => return code,
    };
    let raw = match crate::cmd::read_input(responses_path) {
        Ok(b) => b,
        Err(e) => {
            errln!("openbadges quiz grade: {}: {e}", responses_path.display());
            return exit::CANNOT_CHECK;
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&raw) {
        Ok(v) => v,
        Err(e) => {
            errln!(
                "openbadges quiz grade: {}: not JSON: {e}",
                responses_path.display()
            );
            return exit::CANNOT_CHECK;
        }
    };
    let responses = match responses_from_json(&quiz, &value) {
        Ok(r) => r,
        Err(e) => {
            errln!("openbadges quiz grade: {}: {e}", responses_path.display());
            return exit::CANNOT_CHECK;
        }
    };
    let pooled = quiz.sections.iter().any(|s| s.pool.is_some());
    let seed = seed.or(if pooled { Some(0) } else { None });
    let presentation = seed.map(|s| Presentation::new(&quiz, s));
    let grader = match Grader::new(&quiz) {
        Ok(g) => g,
        Err(e) => {
            errln!("openbadges quiz grade: {e}");
            return exit::INVALID;
        }
    };
    let hints = Default::default();
    let g = match grader.grade(presentation.as_ref(), &responses, &hints) {
        Ok(g) => g,
        Err(e) => {
            errln!("openbadges quiz grade: {e}");
            return exit::CANNOT_CHECK;
        }
    };
    if let Some(path) = record {
        let p = presentation
            .clone()
            .unwrap_or_else(|| Presentation::new(&quiz, 0));
        let now = now_secs();
        let rec =
            openbadges::quiz::record::AttemptRecord::seal(openbadges::quiz::record::RecordInput {
                quiz: &quiz,
                presentation: &p,
                responses: &responses,
                hints: &hints,
                grade: &g,
                attempt: 1,
                started_at: now,
                submitted_at: now,
            });
        if let Err(code) = write_record(path, &rec) {
            return code;
        }
    }
    if json {
        let out = serde_json::json!({
            "score": g.score,
            "max_score": g.max_score,
            "percent": g.percent,
            "passed": g.passed,
            "items": g.items.iter().map(|i| serde_json::json!({
                "id": i.id, "score": i.score, "max_score": i.max_score, "correct": i.correct, "feedback": i.feedback,
            })).collect::<Vec<_>>(),
        });
        outln!("{out}");
    } else {
        for (n, i) in g.items.iter().enumerate() {
            let mark = match i.correct {
                Some(true) => "correct",
                Some(false) => "incorrect",
                None => "unanswered",
            };
            outln!(
                "{:>3}. {:<24} {}/{} {mark}",
                n + 1,
                i.id,
                i.score,
                i.max_score
            );
        }
        outln!(
            "score {} of {} ({}%): {}",
            g.score,
            g.max_score,
            g.percent,
            if g.passed { "PASSED" } else { "NOT PASSED" }
        );
        outln!("criteria: {}", policy::criteria_text(&quiz));
        for msg in [&g.band_feedback, &g.result_feedback].into_iter().flatten() {
            outln!("{msg}");
        }
    }
    if g.passed { exit::OK } else { exit::INVALID }
}

fn describe(item: &PublicItem) -> String {
    let mut s = String::new();
    let letters = |opts: &[openbadges::quiz::view::PublicOption]| -> String {
        opts.iter()
            .enumerate()
            .map(|(k, o)| {
                format!(
                    "  {}) {}\n",
                    char::from(b'a' + u8::try_from(k % 26).unwrap_or(0)),
                    o.text
                )
            })
            .collect()
    };
    match item.kind {
        ItemType::TrueFalse => s.push_str("  [t]rue / [f]alse\n"),
        ItemType::SingleChoice => {
            s.push_str(&letters(&item.choices));
            s.push_str("  (one letter)\n");
        }
        ItemType::MultipleResponse => {
            s.push_str(&letters(&item.choices));
            s.push_str("  (letters separated by commas)\n");
        }
        ItemType::Ordering => {
            s.push_str(&letters(&item.choices));
            s.push_str("  (all letters in the right order, separated by commas)\n");
        }
        ItemType::Matching => {
            for (k, l) in item.left.iter().enumerate() {
                s.push_str(&format!("  {}. {}\n", k + 1, l.text));
            }
            s.push_str(&letters(&item.right));
            s.push_str("  (pairs like 1=a, 2=b)\n");
        }
        ItemType::Numeric => s.push_str("  (a number)\n"),
        _ => s.push_str("  (type your answer)\n"),
    }
    if item.hint_count > 0 {
        s.push_str("  (type ? for a hint)\n");
    }
    s
}

fn take(quiz_path: &Path, seed: Option<u64>, record: Option<&Path>) -> u8 {
    let quiz = match read_valid(quiz_path) {
        Ok(q) => q,
        Err(code) => return code,
    };
    let seed = seed.unwrap_or_else(|| u64::try_from(now_secs()).unwrap_or(0));
    let mut attempt = match Attempt::start(&quiz, seed, now_secs(), 0) {
        Ok(a) => a,
        Err(e) => {
            errln!("openbadges quiz take: {e}");
            return exit::CANNOT_CHECK;
        }
    };
    let view = attempt.view(&quiz);
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let total = view.items().count();
    outln!("{}", view.title);
    if let Some(i) = &view.instructions {
        outln!("{i}");
    }
    outln!("To pass: {}\n", view.criteria);
    'sections: for section in &view.sections {
        if let Some(t) = &section.title {
            outln!("== {t} ==");
        }
        for item in &section.items {
            out!(
                "Question {} of {total}\n{}\n{}> ",
                item.number,
                item.prompt,
                describe(item)
            );
            crate::out::flush();
            loop {
                let Some(Ok(line)) = lines.next() else {
                    outln!("\n(no more input: submitting what was answered)");
                    break 'sections;
                };
                if line.trim() == "?" {
                    match attempt.hint(&quiz, &item.id, now_secs()) {
                        Ok(h) => {
                            out!("Hint: {h}\n> ");
                        }
                        Err(e) => {
                            out!("{e}\n> ");
                        }
                    }
                    crate::out::flush();
                    continue;
                }
                let Some(response) = item.parse_line(&line) else {
                    out!("Sorry, that is not an answer to this question. Try again.\n> ");
                    crate::out::flush();
                    continue;
                };
                match attempt.answer(&quiz, &item.id, response, now_secs()) {
                    Ok(fb) => {
                        if let Some(f) = fb.feedback {
                            outln!("{f}");
                        } else {
                            outln!("{}", if fb.correct { "Correct." } else { "Incorrect." });
                        }
                        outln!();
                        break;
                    }
                    Err(Error::Response { message, .. }) => {
                        out!("Sorry, {message}. Try again.\n> ");
                        crate::out::flush();
                    }
                    Err(e) => {
                        outln!("{e}");
                        break 'sections;
                    }
                }
            }
        }
    }
    let rec = match attempt.submit(&quiz, now_secs()) {
        Ok(r) => r,
        Err(e) => {
            errln!("openbadges quiz take: {e}");
            return exit::CANNOT_CHECK;
        }
    };
    outln!(
        "Score: {} of {} ({}%)",
        rec.score,
        rec.max_score,
        rec.percent
    );
    outln!("{}", if rec.passed { "Passed." } else { "Not passed." });
    if let Ok(g) = attempt.preview(&quiz) {
        for msg in [g.band_feedback, g.result_feedback].into_iter().flatten() {
            outln!("{msg}");
        }
    }
    outln!("Attempt record digest: {}", rec.digest);
    if let Some(path) = record {
        if let Err(code) = write_record(path, &rec) {
            return code;
        }
    }
    if rec.passed { exit::OK } else { exit::INVALID }
}
