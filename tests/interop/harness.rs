//! The harness every interop test shares: a [`Tally`] of named checks that collects every
//! disagreement and fails once at the end with the full list, the fixed-port guard, and the
//! reading of our CLI's `--json` verdict.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Mutex, MutexGuard};

use openbadges_test_support::cli::{code, describe};
use serde_json::Value;

/// The checks of one interop test: each passes, fails (with what was seen), or is a known peer
/// limitation (documented, printed, counted apart, never a failure and never a pass).
#[derive(Debug)]
pub(crate) struct Tally {
    name: &'static str,
    passed: usize,
    failures: Vec<String>,
    limits: Vec<String>,
}

impl Tally {
    /// An empty tally for the test `name` (printed in the summary line).
    pub(crate) fn new(name: &'static str) -> Tally {
        Tally {
            name,
            passed: 0,
            failures: Vec::new(),
            limits: Vec::new(),
        }
    }

    /// Records a passed check.
    pub(crate) fn pass(&mut self, label: impl Display) {
        println!("ok    {label}");
        self.passed += 1;
    }

    /// Records a failed check and what was seen.
    pub(crate) fn fail(&mut self, label: impl Display, seen: impl Display) {
        let line = format!("{label}: {seen}");
        println!("FAIL  {line}");
        self.failures.push(line);
    }

    /// Records `ok` as a pass, or a failure described by `seen`.
    pub(crate) fn check(&mut self, label: impl Display, ok: bool, seen: impl FnOnce() -> String) {
        if ok {
            self.pass(label);
        } else {
            self.fail(label, seen());
        }
    }

    /// The command's exit code must be `want` exactly: 0 accepted, 1 rejected, 2 could not
    /// check. A 2 or a crash is never counted as a rejection.
    pub(crate) fn exit(&mut self, label: impl Display, want: i32, out: &Output) {
        self.verdict(label, want, code(out), out);
    }

    /// As [`Tally::exit`] for a verdict `rc` read from the command's output `out` (a command
    /// that exits 0 but whose output says otherwise).
    pub(crate) fn verdict(&mut self, label: impl Display, want: i32, rc: i32, out: &Output) {
        let label = format!("{label} (exit {want})");
        self.check(label, rc == want, || {
            format!("exit {rc}, expected {want}\n{}", indent(&describe(out)))
        });
    }

    /// A combination a peer cannot do, documented where it is recorded (a MANIFEST or the
    /// peers' README): printed and counted, not a failure.
    pub(crate) fn limit(&mut self, label: impl Display) {
        println!("LIMIT {label}");
        self.limits.push(label.to_string());
    }

    /// Something worth printing that is neither a check nor a limit.
    pub(crate) fn note(&self, label: impl Display) {
        println!("note  {label}");
    }

    /// Prints `NAME: P passed, F failed[, L known peer limitations]` and fails with every
    /// failure listed when there is one.
    pub(crate) fn finish(self) {
        let limits = if self.limits.is_empty() {
            String::new()
        } else {
            format!(", {} known peer limitations", self.limits.len())
        };
        let summary = format!(
            "{}: {} passed, {} failed{limits}",
            self.name,
            self.passed,
            self.failures.len()
        );
        println!("{summary}");
        assert!(
            self.failures.is_empty(),
            "{summary}\n{}",
            self.failures.join("\n")
        );
    }
}

/// The lines of `text`, indented and cut to 20 lines, for a failure message.
pub(crate) fn indent(text: &str) -> String {
    text.lines()
        .take(20)
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The port the OB 2.0 fixtures name (`http://127.0.0.1:8765`): tests that serve it hold this
/// guard, so two of them never race for the port.
pub(crate) fn fixture_port() -> MutexGuard<'static, ()> {
    static PORT_8765: Mutex<()> = Mutex::new(());
    PORT_8765.lock().unwrap_or_else(|e| e.into_inner())
}

/// The first stdout line of `openbadges verify --json`, parsed.
pub(crate) fn report(out: &Output) -> Option<Value> {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().next()?).ok()
}

/// The `status` of the first `--json` report line (`valid`, `invalid`, `indeterminate`), or
/// `?` when there is none.
pub(crate) fn status(out: &Output) -> String {
    report(out)
        .and_then(|r| r["status"].as_str().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

/// Writes `value` as JSON to `path`.
pub(crate) fn write_json(path: &Path, value: &Value) -> PathBuf {
    std::fs::write(path, serde_json::to_vec(value).unwrap()).unwrap();
    path.to_path_buf()
}

/// The output of a step the checks build on (key generation, signing, a peer issuing): panics
/// with the command's output when it did not exit 0.
pub(crate) fn succeeded(what: &str, out: Output) -> Vec<u8> {
    assert_eq!(code(&out), 0, "{what} failed\n{}", describe(&out));
    out.stdout
}

/// A path as a command argument (the temporary folders are UTF-8).
pub(crate) fn arg(path: &Path) -> String {
    path.display().to_string()
}

/// `tests/interop/dcc/dcc-verify.mjs`: the DCC stack with status checks and presentations.
pub(crate) fn dcc_verify_script() -> PathBuf {
    openbadges_test_support::fixtures::repo_root().join("tests/interop/dcc/dcc-verify.mjs")
}

/// The verdict of `dcc-verify`: its exit code, and 1 when it exits 0 without printing
/// `"verified": true`.
pub(crate) fn dcc_verdict(out: &Output) -> i32 {
    match code(out) {
        0 => {
            let verified = serde_json::from_slice::<Value>(&out.stdout)
                .is_ok_and(|v| v["verified"] == Value::Bool(true));
            if verified { 0 } else { 1 }
        }
        rc => rc,
    }
}
