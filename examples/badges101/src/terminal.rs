//! `--terminal`: the same lesson and quiz on stdin/stdout; the baked badge goes to a file.

use std::io::{BufRead, Write};
use std::path::Path;

use crate::html::{INTRO, LESSONS};
use crate::state::{App, FORMS};
use crate::{AppError, Config};

fn io(e: std::io::Error) -> AppError {
    AppError::from(e)
}

fn ask(
    input: &mut impl BufRead,
    out: &mut impl Write,
    prompt: &str,
) -> Result<Option<String>, AppError> {
    write!(out, "{prompt}").map_err(io)?;
    out.flush().map_err(io)?;
    let mut line = String::new();
    // A line longer than this is not an answer (and not read into memory).
    let n = std::io::Read::take(&mut *input, 4096)
        .read_line(&mut line)
        .map_err(io)?;
    Ok((n > 0).then(|| line.trim().to_owned()))
}

/// Runs the lesson and quiz in a terminal; on success writes the baked OB 3.0 badge (PNG) to
/// `badge_file` and returns the badge UUID (`None` when no badge was earned or the input
/// ended).
///
/// # Errors
/// [`AppError`] on I/O or issuer errors.
pub fn run_terminal(
    config: &Config,
    input: &mut impl BufRead,
    out: &mut impl Write,
    badge_file: &Path,
) -> Result<Option<String>, AppError> {
    let base = config.base_url_or_local();
    let app = App::open(config, &base)?;
    let [h, tagline, lead] = INTRO;
    writeln!(out, "{h}\n\n{tagline}\n\n{lead}\n").map_err(io)?;
    for (title, text) in LESSONS {
        writeln!(out, "{title}\n\n{text}\n").map_err(io)?;
        if ask(input, out, "[Enter] to continue ")?.is_none() {
            return Ok(None);
        }
    }
    let tok = app.new_attempt()?;
    let ids: Vec<String> = {
        let a = app.attempt(&tok).map_err(refused)?.attempt.clone();
        a.view(app.quiz()).items().map(|i| i.id.clone()).collect()
    };
    if let Some(i) = &app.quiz().instructions {
        writeln!(out, "{i}\n").map_err(io)?;
    }
    for id in &ids {
        let Some(item) = app.quiz().item(id).cloned() else {
            continue;
        };
        writeln!(out, "Your First Badge\n\n{}", item.prompt).map_err(io)?;
        let value = loop {
            let Some(line) = ask(input, out, "True or False? [t/f] ")? else {
                return Ok(None);
            };
            match line.to_ascii_lowercase().as_str() {
                "t" | "true" => break true,
                "f" | "false" => break false,
                _ => writeln!(out, "Please answer t (True) or f (False).").map_err(io)?,
            }
        };
        let correct = app.answer(&tok, id, value).map_err(refused)?;
        let verdict = if correct {
            item.feedback_correct.as_deref().unwrap_or("That's right!")
        } else {
            item.feedback_incorrect
                .as_deref()
                .unwrap_or("That's wrong!")
        };
        writeln!(
            out,
            "\n{verdict}\n{}\n",
            item.explanation.as_deref().unwrap_or("")
        )
        .map_err(io)?;
    }
    let record = app.finish(&tok).map_err(refused)?;
    let passed = record.as_ref().is_some_and(|r| r.passed);
    if !passed {
        let fail = app
            .quiz()
            .fail_feedback
            .as_deref()
            .unwrap_or("Take the quiz to see if you get badges!");
        writeln!(out, "{fail}").map_err(io)?;
        return Ok(None);
    }
    let pass = app
        .quiz()
        .pass_feedback
        .as_deref()
        .unwrap_or("Congratulations! You’ve just earned the Badges 101 badge!");
    writeln!(out, "Badges 101\n\n{pass}\n").map_err(io)?;
    let uuid = loop {
        let Some(email) = ask(input, out, "Email: ")? else {
            return Ok(None);
        };
        match app.issue(&tok, &email, true) {
            Ok(u) => break u,
            Err(crate::state::Refused::Bad(m)) => writeln!(out, "{m}").map_err(io)?,
            Err(e) => return Err(refused(e)),
        }
    };
    let name = FORMS.first().map_or("ob3.png", |(_, n)| *n);
    let png = app.baked(&tok, name).map_err(refused)?;
    std::fs::write(badge_file, png).map_err(io)?;
    writeln!(
        out,
        "Your badge (Open Badges 3.0, signed, baked into a PNG) is in {}\nBadge id: urn:uuid:{uuid}\nIts documents are served by `cargo run -p badges101` at {base}",
        badge_file.display()
    )
    .map_err(io)?;
    Ok(Some(uuid))
}

fn refused(r: crate::state::Refused) -> AppError {
    AppError::new(format!("{r:?}"))
}
