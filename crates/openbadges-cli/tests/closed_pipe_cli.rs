//! Every subcommand behind a closed output pipe (`openbadges … | head`): the command ends
//! quietly with exit 2 ("could not be completed", docs/cli.md "Output"), never with a panic
//! (exit 101, "failed printing to stdout: Broken pipe"). A closed stderr loses the diagnostics
//! and changes nothing else.
//!
//! Covered, each with stdout closed: `--help`, `verify --help`, `inspect` (json and text),
//! `verify` (json and text), `keygen`, `sign`, `bake -o -`, `extract` (raw and json),
//! `quiz check` (QTI package and GIFT), `quiz grade`, `quiz take`, `backpack import`,
//! `backpack list` (json and text), `backpack recheck`, `backpack collection`. With stderr
//! closed: `inspect`, `verify`, `extract`, `backpack` diagnostics.
//!
//! The closed pipe is made closed before the command starts, so every run meets it whatever
//! the size of its output: its write end is the stdin of a child that has already exited
//! (`openbadges --version`, which reads no stdin). Spawns in this file are serialized, so no
//! other child of this process holds the read end open by accident.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::{Mutex, MutexGuard};

use serde_json::json;

mod common;
use common::{bin, fixtures_dir, s, tmp};

const QUIZ_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openbadges-quiz");

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The write end of a pipe nobody reads: another child's stdin, after that child exited.
fn closed_pipe() -> Stdio {
    let mut reader = bin()
        .arg("--version")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let write_end = reader.stdin.take().unwrap();
    assert!(reader.wait().unwrap().success());
    Stdio::from(write_end)
}

/// Runs the command with `stdin` (if any) and stdout closed; stderr is captured.
fn with_closed_stdout(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let _guard = serial();
    let mut child = bin()
        .args(args)
        .current_dir(fixtures_dir(""))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(bytes) = stdin {
        // The command may end before reading it all: a refused write is fine here.
        let _ = child.stdin.take().unwrap().write_all(bytes);
    }
    child.wait_with_output().unwrap()
}

/// Runs the command with stderr closed; stdout is captured.
fn with_closed_stderr(args: &[&str]) -> Output {
    let _guard = serial();
    bin()
        .args(args)
        .current_dir(fixtures_dir(""))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(closed_pipe())
        .output()
        .unwrap()
}

/// Runs the command normally (to prepare a store or a key).
fn run(args: &[&str]) -> Output {
    let _guard = serial();
    bin()
        .args(args)
        .current_dir(fixtures_dir(""))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The command met the closed stdout and ended as docs/cli.md says: exit 2, no panic, no
/// complaint about the pipe.
fn assert_ended_quietly(what: &str, out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert_ne!(out.status.code(), Some(101), "{what}: {stderr}");
    assert!(
        !stderr.to_lowercase().contains("broken pipe"),
        "{what}: {stderr}"
    );
    assert_eq!(out.status.code(), Some(2), "{what}: {stderr}");
}

fn closed_stdout(what: &str, args: &[&str]) {
    assert_ended_quietly(what, &with_closed_stdout(args, None));
}

#[test]
fn help_behind_a_closed_pipe_does_not_panic() {
    closed_stdout("--help", &["--help"]);
    closed_stdout("verify --help", &["verify", "--help"]);
}

#[test]
fn inspect_and_verify_behind_a_closed_pipe_do_not_panic() {
    let inputs = [
        "ob2/upstream/vcore-2_0_basic_assertion.json",
        "ob2/upstream/vcore-1_0_basic_assertion.json",
        "ob2/baked/signed-valid.png",
        "ob2/baked/hosted-valid.svg",
    ];
    let mut args = vec!["inspect", "--json"];
    args.extend(inputs);
    closed_stdout("inspect --json", &args);
    let mut args = vec!["inspect"];
    args.extend(inputs);
    closed_stdout("inspect", &args);
    // Many inputs, as in `openbadges verify *.png | head`.
    let many: Vec<&str> = std::iter::repeat_n("ob2/baked/signed-valid.png", 50).collect();
    let mut args = vec!["verify", "--offline", "--json"];
    args.extend(&many);
    closed_stdout("verify --json", &args);
    let mut args = vec!["verify", "--offline"];
    args.extend(&many);
    closed_stdout("verify", &args);
}

#[test]
fn keygen_sign_bake_extract_behind_a_closed_pipe_do_not_panic() {
    let d = tmp("sign");
    closed_stdout("keygen", &["keygen", "--alg", "ed25519"]);
    let key = d.join("ed.pem");
    assert!(
        run(&["keygen", "--alg", "ed25519", "-o", s(&key)])
            .status
            .success()
    );
    let credential = d.join("cred.json");
    let doc = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.org/i", "type": ["Profile"], "name": "Example"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {"id": "did:example:alice", "type": ["AchievementSubject"],
            "achievement": {"id": "urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e77",
                "type": ["Achievement"], "name": "A", "description": "B",
                "criteria": {"narrative": "C"}}}
    });
    std::fs::write(&credential, doc.to_string()).unwrap();
    let sign = |format: &str| {
        closed_stdout(
            &format!("sign --format {format}"),
            &["sign", "--key", s(&key), "--format", format, s(&credential)],
        );
    };
    sign("eddsa-rdfc-2022");
    sign("vc-jwt");
    closed_stdout(
        "bake -o -",
        &[
            "bake",
            "--image",
            "ob2/upstream/mozbakery-unbaked.png",
            "--payload",
            s(&credential),
            "-o",
            "-",
        ],
    );
    closed_stdout("extract", &["extract", "ob2/baked/signed-valid.png"]);
    closed_stdout(
        "extract --json",
        &["extract", "--json", "ob2/baked/hosted-valid.svg"],
    );
}

#[test]
fn quiz_behind_a_closed_pipe_does_not_panic() {
    let qti = format!("{QUIZ_DATA}/tests/data/capitals-qti3.zip");
    let gift = format!("{QUIZ_DATA}/tests/data/moodle-constructs.gift");
    let toml = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/badges101/quizzes/badges101.toml"
    );
    closed_stdout("quiz check (QTI package)", &["quiz", "check", &qti]);
    closed_stdout(
        "quiz check --json (GIFT)",
        &["quiz", "check", "--json", &gift],
    );
    let d = tmp("quiz");
    let responses = d.join("r.json");
    std::fs::write(&responses, r#"{"1": "Rome"}"#).unwrap();
    closed_stdout(
        "quiz grade --json",
        &[
            "quiz",
            "grade",
            &qti,
            "--responses",
            s(&responses),
            "--json",
        ],
    );
    let out = with_closed_stdout(
        &["quiz", "take", toml, "--seed", "5"],
        Some(b"true\ntrue\nf\n"),
    );
    assert_ended_quietly("quiz take", &out);
}

#[test]
fn backpack_behind_a_closed_pipe_does_not_panic() {
    let store = tmp("backpack");
    let inputs = [
        "ob2/baked/signed-valid.png",
        "ob2/baked/hosted-valid-json.png",
        "ob2/baked/hosted-valid.svg",
        "ob2/upstream/vcore-2_0_basic_assertion.json",
    ];
    let import = |store: &Path, extra: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = ["backpack", "--store", s(store), "import", "--offline"]
            .map(String::from)
            .to_vec();
        for identity in [
            "email:student@example.org",
            "email:test@example.com",
            "id:did:example:ebfeb1f712ebc6f1c276e12ec21",
        ] {
            args.extend(["--identity".to_string(), identity.to_string()]);
        }
        args.extend(extra.iter().map(|a| a.to_string()));
        args.extend(inputs.iter().map(|a| a.to_string()));
        args
    };
    // Import behind the closed pipe, then again into a fresh store with the output read.
    let first = tmp("backpack-first");
    let args = import(&first, &["--json"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    closed_stdout("backpack import --json", &args);
    let args = import(&store, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert_ne!(out.status.code(), Some(101), "{out:?}");
    let listed = run(&["backpack", "--store", s(&store), "list", "--json"]);
    assert_eq!(listed.status.code(), Some(0), "{listed:?}");
    let held: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(!held.as_array().unwrap().is_empty(), "{held}");

    closed_stdout(
        "backpack list --json",
        &["backpack", "--store", s(&store), "list", "--json"],
    );
    closed_stdout("backpack list", &["backpack", "--store", s(&store), "list"]);
    closed_stdout(
        "backpack recheck",
        &[
            "backpack",
            "--store",
            s(&store),
            "recheck",
            "--all",
            "--offline",
        ],
    );
    closed_stdout(
        "backpack collection",
        &["backpack", "--store", s(&store), "collection", "mine"],
    );
}

/// With stderr closed, a diagnostic is lost, and the exit code still tells the outcome.
#[test]
fn diagnostics_to_a_closed_stderr_do_not_panic() {
    let missing = "no-such-file.json";
    let out = with_closed_stderr(&["inspect", missing]);
    assert_eq!(out.status.code(), Some(2), "inspect {missing}: {out:?}");
    let out = with_closed_stderr(&["extract", "ob2/upstream/vcore-2_0_basic_assertion.json"]);
    assert_eq!(out.status.code(), Some(2), "extract of json: {out:?}");
    let out = with_closed_stderr(&["verify", "--documents", missing, missing]);
    assert_eq!(out.status.code(), Some(2), "verify --documents: {out:?}");
    let store = tmp("stderr-store");
    let out = with_closed_stderr(&[
        "backpack",
        "--store",
        s(&store),
        "import",
        "--identity",
        "nonsense",
        "x",
    ]);
    assert_eq!(out.status.code(), Some(2), "backpack import: {out:?}");
}
