//! `--terminal` mode writes a baked badge that the web app then hosts; the `revoke`
//! subcommand of the binary revokes it while the app runs, and the app serves the revocation
//! on its next request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::io::Cursor;

use badges101::{Config, run_terminal, start};
use openbadges::Verifier;
use openbadges::proof::report::{Code, Status};

mod common;
use common::{TempDir, free_port, wait_port_free};

#[test]
fn terminal_quiz_writes_a_badge_the_app_hosts_and_revoke_revokes_it_while_running() {
    let dir = TempDir::new("badges101-terminal");
    // A free port for the base URL the badge is issued under.
    let port = free_port();
    let config = Config {
        port,
        data_dir: dir.join("data"),
        ..Config::default()
    };
    let out_file = dir.join("badge.png");
    // Two lessons, an invalid answer, three answers, a bad address, then a good one.
    let mut input = Cursor::new(&b"\n\nmaybe\nt\nf\nf\nnope\nlearner@example.org\n"[..]);
    let mut out = Vec::new();
    let uuid = run_terminal(&config, &mut input, &mut out, &out_file)
        .unwrap()
        .expect("a badge");
    let text = String::from_utf8(out).unwrap();
    for want in [
        "Helping learners everywhere display skills",
        "Open Badge Infrastructure",
        "True or False: Resumes are validated and evidence-based.",
        "Please answer t (True) or f (False).",
        "That's right!",
        "Answer: False. Resumes are documents that people write themselves.",
        "Congratulations! You’ve just earned the Badges 101 badge!",
        "please enter a valid email address",
    ] {
        assert!(text.contains(want), "missing {want:?} in:\n{text}");
    }
    let png = std::fs::read(&out_file).unwrap();

    // The web app on the same data directory and port hosts what the terminal issued.
    let running = start(config.clone()).unwrap();
    let host = running.addr().to_string();
    let verifier = |who: &str| {
        Verifier::builder()
            .online(openbadges::HttpLimits::default().allow_host(&host))
            .recipient(format!("email:{who}").parse().unwrap())
            .build()
            .unwrap()
    };
    let r = verifier("learner@example.org").verify_bytes("badge.png", &png);
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    let r = verifier("other@example.org").verify_bytes("badge.png", &png);
    assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());

    // Revoked while the app runs (straight into the database): served at once.
    let bin = env!("CARGO_BIN_EXE_badges101");
    let args = |extra: &[&str]| {
        let mut v = vec![
            "--data-dir".to_owned(),
            config.data_dir.display().to_string(),
            "--port".to_owned(),
            port.to_string(),
        ];
        v.extend(extra.iter().map(|s| (*s).to_owned()));
        v
    };
    let done = std::process::Command::new(bin)
        .args(args(&["revoke", &uuid, "testing"]))
        .output()
        .unwrap();
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let r = verifier("learner@example.org").verify_bytes("badge.png", &png);
    assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
    assert!(r.has_error(Code::Revoked), "{}", r.to_json_line());
    running.shutdown();
    wait_port_free(port);

    // After a restart too.
    let running = start(config.clone()).unwrap();
    let r = verifier("learner@example.org").verify_bytes("badge.png", &png);
    assert!(r.has_error(Code::Revoked), "{}", r.to_json_line());
    running.shutdown();

    // An unknown badge cannot be revoked.
    let unknown = std::process::Command::new(bin)
        .args(args(&["revoke", "00000000-0000-4000-8000-000000000000"]))
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}
