//! `openbadges verify` on many inputs at once (issue #18 goal 5): the output of `--jobs 2` (and
//! 3) is the output of `--jobs 1` byte for byte, in input order, on a mixed set of valid,
//! invalid and indeterminate inputs, and each line is what verifying that input alone prints;
//! `--inputs-from` reads the same list from a file or stdin; the progress bar is drawn on a
//! terminal only: stderr stays empty when piped, and under `--json` even on a terminal.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

mod common;
use common::{
    describe, documents_dir, fixture, run, run_stdin, s, spec_vector_issuer_document, tmp,
};

/// Valid, invalid and indeterminate inputs of several kinds, repeated in a rotating order (so
/// that neighbours differ and threads finish out of order), under `dir`.
fn mixed_inputs(dir: &Path) -> Vec<String> {
    let not_a_badge = dir.join("not-a-badge.txt");
    std::fs::write(&not_a_badge, "hello").unwrap();
    let kinds = [
        fixture("ob3/spec-vectors/obv3p0-signed-eddsa-rdfc-2022.json"),
        fixture("ob3/spec-vectors/obv3p0-signed-TAMPERED-name.json"),
        fixture("ob3/spec-vectors/obv3p0-unsigned.json"),
        fixture("ob2/baked/signed-valid.png"),
        fixture("ob2/baked/hosted-valid.svg"),
        fixture("ob2/baked/signed-tampered.png"),
        dir.join("missing.json").display().to_string(),
        not_a_badge.display().to_string(),
    ];
    let mut inputs = Vec::new();
    for round in 0..6 {
        for k in 0..kinds.len() {
            inputs.push(kinds[(k * 3 + round) % kinds.len()].clone());
        }
    }
    inputs
}

/// `verify --offline --json --documents DOCS --at … --jobs J INPUTS…`: (exit code, stdout).
fn verify_json(docs: &Path, jobs: &str, inputs: &[String]) -> (Option<i32>, String) {
    let mut args = vec![
        "verify",
        "--offline",
        "--json",
        "--documents",
        s(docs),
        "--at",
        "2026-06-01T00:00:00Z",
        "--jobs",
        jobs,
    ];
    args.extend(inputs.iter().map(String::as_str));
    let o = run(&args);
    assert!(o.stderr.is_empty(), "{}", describe(&o));
    (o.status.code(), String::from_utf8(o.stdout).unwrap())
}

fn documents(dir: &Path) -> std::path::PathBuf {
    let (issuer, doc) = spec_vector_issuer_document();
    documents_dir(dir, &[(issuer.as_str(), &doc)])
}

#[test]
fn two_threads_print_what_one_prints_byte_for_byte() {
    let d = tmp("parallel-order");
    let docs = documents(&d);
    let inputs = mixed_inputs(&d);
    let (code1, one) = verify_json(&docs, "1", &inputs);
    let lines: Vec<serde_json::Value> = one
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), inputs.len());
    for (line, input) in lines.iter().zip(&inputs) {
        assert_eq!(line["input"], input.as_str(), "input order");
    }
    for status in ["valid", "invalid", "indeterminate"] {
        assert!(
            lines.iter().any(|l| l["status"] == status),
            "the set has {status} inputs:\n{one}"
        );
    }
    assert_eq!(code1, Some(1), "an invalid input: exit 1");
    for jobs in ["2", "3"] {
        let (code, out) = verify_json(&docs, jobs, &inputs);
        assert_eq!(code, code1, "--jobs {jobs}: exit code");
        assert!(
            out == one,
            "--jobs {jobs} output differs:\n{out}\n---\n{one}"
        );
    }
    // Each line is what that input alone gives.
    for (k, input) in inputs.iter().enumerate().take(8) {
        let (_, alone) = verify_json(&docs, "1", std::slice::from_ref(input));
        assert_eq!(alone.trim_end(), one.lines().nth(k).unwrap(), "{input}");
    }
}

#[test]
fn inputs_from_a_file_or_stdin_are_the_same_inputs() {
    let d = tmp("inputs-from");
    let docs = documents(&d);
    let inputs = mixed_inputs(&d);
    let (code, expected) = verify_json(&docs, "2", &inputs);
    // Half on the command line, half from the list (with an empty line, skipped).
    let (first, rest) = inputs.split_at(inputs.len() / 2);
    let list = d.join("list.txt");
    std::fs::write(&list, format!("{}\n\n", rest.join("\n"))).unwrap();
    let mut args = vec![
        "verify",
        "--offline",
        "--json",
        "--documents",
        s(&docs),
        "--at",
        "2026-06-01T00:00:00Z",
        "--jobs",
        "2",
        "--inputs-from",
        s(&list),
    ];
    args.extend(first.iter().map(String::as_str));
    let o = run(&args);
    assert_eq!(o.status.code(), code, "{}", describe(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), expected);

    let stdin = inputs.join("\n");
    let o = run_stdin(
        &[
            "verify",
            "--offline",
            "--json",
            "--documents",
            s(&docs),
            "--at",
            "2026-06-01T00:00:00Z",
            "--inputs-from",
            "-",
        ],
        stdin.as_bytes(),
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        expected,
        "{}",
        describe(&o)
    );

    // Stdin cannot be both the list and an input.
    let o = run_stdin(&["verify", "--offline", "--inputs-from", "-", "-"], b"x\n");
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--inputs-from -"));
    // An input list that cannot be read is a usage error.
    let o = run(&["verify", "--inputs-from", s(&d.join("no-such-list"))]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
}

#[test]
fn piped_stderr_stays_silent_without_json() {
    let d = tmp("parallel-quiet");
    let docs = documents(&d);
    let inputs = mixed_inputs(&d);
    let mut args = vec![
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--jobs",
        "2",
    ];
    args.extend(inputs.iter().map(String::as_str));
    let o = run(&args);
    assert!(o.stderr.is_empty(), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains(": VALID"));
}

/// Runs `openbadges ARGS` on a pseudo-terminal (util-linux `script`), returning everything the
/// terminal showed; `None` where `script` is not available.
fn on_a_terminal(args: &[&str]) -> Option<String> {
    let quote = |a: &str| format!("'{}'", a.replace('\'', r"'\''"));
    let mut command = quote(env!("CARGO_BIN_EXE_openbadges"));
    for a in args {
        command.push(' ');
        command.push_str(&quote(a));
    }
    let o = std::process::Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn a_terminal_shows_the_progress_bar_but_not_under_json() {
    let d = tmp("parallel-tty");
    let docs = documents(&d);
    let inputs = mixed_inputs(&d);
    let mut args = vec![
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--jobs",
        "2",
    ];
    args.extend(inputs.iter().map(String::as_str));
    let Some(shown) = on_a_terminal(&args) else {
        eprintln!("skipped: no `script` (util-linux) to run on a pseudo-terminal");
        return;
    };
    let n = inputs.len();
    // Drawn at the start, erased at the end; the reports are there too.
    assert!(
        shown.contains(&format!("] 0/{n} 0% ?/s ETA ?")),
        "no progress bar:\n{shown:?}"
    );
    assert!(shown.contains("\r\x1b[2K"), "{shown:?}");
    assert!(shown.contains(": VALID"), "{shown:?}");

    args.push("--json");
    let shown = on_a_terminal(&args).unwrap();
    assert!(!shown.contains("ETA"), "a bar under --json:\n{shown:?}");
    assert_eq!(shown.lines().count(), n, "{shown:?}");
}
