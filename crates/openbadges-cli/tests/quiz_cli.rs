//! `openbadges quiz check|grade|take`, driven through the built binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::Output;
use std::sync::OnceLock;

mod common;
use common::{TempDir, run_stdin};

fn quiz_file(name: &str) -> String {
    format!(
        "{}/../../examples/badges101/quizzes/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn gift_file() -> String {
    format!(
        "{}/../openbadges-quiz/tests/data/moodle-constructs.gift",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Writes `content` to `name` in this test process's folder (a QTI test names its item files
/// relative to itself) and returns the file's path.
fn tmp(name: &str, content: &str) -> PathBuf {
    static DIR: OnceLock<TempDir> = OnceLock::new();
    DIR.get_or_init(|| TempDir::new("quiz-cli"))
        .write(name, content)
}

/// Runs the binary with `args`, writing `stdin` to it if given (else stdin is empty).
fn run(args: &[&str], stdin: Option<&str>) -> Output {
    match stdin {
        Some(input) => run_stdin(args, input.as_bytes()),
        None => common::run(args),
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn check_valid_files_including_gift() {
    let o = run(
        &[
            "quiz",
            "check",
            &quiz_file("badges101.toml"),
            &quiz_file("badges101-mastery.toml"),
            &gift_file(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("badges101.toml: ok (3 item(s), 0 warning(s))"),
        "{out}"
    );
    // Unsupported GIFT constructs are reported with positions, as warnings.
    assert!(
        out.contains("moodle-constructs.gift:113:1: warning[gift-unsupported]"),
        "{out}"
    );
}

#[test]
fn check_reports_file_line_column_and_exit_1() {
    let bad = tmp(
        "dup.toml",
        "id = \"q\"\ntitle = \"Q\"\n[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"a\"\ntype = \"true_false\"\nprompt = \"p\"\nanswer = true\n[[sections.items]]\nid = \"a\"\ntype = \"true_false\"\nprompt = \"p\"\n",
    );
    let o = run(&["quiz", "check", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    let name = bad.display().to_string();
    assert!(
        out.contains(&format!("{name}:11:6: error[duplicate-id]")),
        "{out}"
    );
    assert!(
        out.contains(&format!("{name}:10:1: error[no-correct-answer]")),
        "{out}"
    );
    let o = run(&["quiz", "check", "--json", bad.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["format"], "toml");
    assert_eq!(v["problems"][0]["code"], "duplicate-id");
    assert_eq!(
        (
            v["problems"][0]["line"].as_u64(),
            v["problems"][0]["column"].as_u64()
        ),
        (Some(11), Some(6))
    );
    // Unreadable input: exit 2.
    let o = run(&["quiz", "check", "/nonexistent/quiz.toml"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn grade_prints_the_contract_shape() {
    let r = tmp(
        "r1.json",
        r#"{"1": true, "degree-skill-set": true, "3": false}"#,
    );
    let o = run(
        &[
            "quiz",
            "grade",
            &quiz_file("badges101.toml"),
            "--responses",
            r.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["score", "max_score", "percent", "passed", "items"]);
    assert_eq!(
        (
            v["score"].as_f64(),
            v["max_score"].as_f64(),
            v["passed"].as_bool()
        ),
        (Some(2.0), Some(3.0), Some(true))
    );
    let item_keys: Vec<&str> = v["items"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        item_keys,
        ["id", "score", "max_score", "correct", "feedback"]
    );
    assert_eq!(v["items"][1]["id"], "degree-skill-set");
    assert_eq!(v["items"][1]["correct"], false);
    assert!(
        v["items"][1]["feedback"]
            .as_str()
            .unwrap()
            .starts_with("That's wrong!\nAnswer: False.")
    );

    // Mastery: the same answers do not pass → exit 1.
    let o = run(
        &[
            "quiz",
            "grade",
            &quiz_file("badges101-mastery.toml"),
            "--responses",
            r.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["passed"], false);

    // Unanswered items: correct null, feedback null; completion fails.
    let r = tmp("r2.json", r#"{"1": true}"#);
    let o = run(
        &[
            "quiz",
            "grade",
            &quiz_file("badges101.toml"),
            "--responses",
            r.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["items"][2]["correct"], serde_json::Value::Null);
    assert_eq!(v["items"][2]["feedback"], serde_json::Value::Null);
}

#[test]
fn grade_gift_by_number_and_text_and_write_a_record() {
    // Numbers count questions only (categories, comments, blank lines are not items).
    let r = tmp(
        "r3.json",
        r#"{"1": "no one", "5": "FOUR", "6": {"Canada": "Ottawa", "Italy": "Rome", "Japan": "New Delhi", "India": "Tokyo"}, "10": 1821, "16": ["Grant", "Grant's wife"], "19": "\\"}"#,
    );
    let rec = r.with_file_name("record.json");
    let o = run(
        &[
            "quiz",
            "grade",
            &gift_file(),
            "--responses",
            r.to_str().unwrap(),
            "--json",
            "--record",
            rec.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr)); // completion: 16 of 22 unanswered
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // 1 + 1 + 0.5 + 0.5 + 1 + 1 = 5 of 22.
    assert_eq!(v["score"].as_f64(), Some(5.0));
    assert_eq!(v["max_score"].as_f64(), Some(22.0));
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&rec).unwrap()).unwrap();
    assert!(record["digest"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(record["score"].as_f64(), Some(5.0));
}

#[test]
fn grade_refuses_responses_that_do_not_fit() {
    let r = tmp("r4.json", r#"{"nope": true}"#);
    let o = run(
        &[
            "quiz",
            "grade",
            &quiz_file("badges101.toml"),
            "--responses",
            r.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("nope"), "{}", text(&o.stderr));
    let r = tmp("r5.json", r#"{"1": "maybe"}"#);
    let o = run(
        &[
            "quiz",
            "grade",
            &quiz_file("badges101.toml"),
            "--responses",
            r.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn take_reads_piped_answers_and_explains_each() {
    // One invalid line, then the three answers (the second wrong).
    let o = run(
        &["quiz", "take", &quiz_file("badges101.toml"), "--seed", "5"],
        Some("maybe\ntrue\ntrue\nf\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.contains("Question 1 of 3\nTrue or False: Learning today happens everywhere, not just in classrooms."), "{out}");
    assert!(
        out.contains("Sorry, that is not an answer to this question."),
        "{out}"
    );
    assert!(
        out.contains("That's right!\nAnswer: True. There are countless examples"),
        "{out}"
    );
    assert!(
        out.contains("That's wrong!\nAnswer: False. While degrees do convey"),
        "{out}"
    );
    assert!(out.contains("Score: 2 of 3"), "{out}");
    assert!(
        out.contains("Congratulations! You’ve just earned the Badges 101 badge!"),
        "{out}"
    );

    // Mastery with a wrong answer: not passed, exit 1.
    let o = run(
        &["quiz", "take", &quiz_file("badges101-mastery.toml")],
        Some("t\nt\nf\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("Take the quiz to see if you get badges!"));

    // Input ends early: what was answered is submitted; completion not reached.
    let o = run(&["quiz", "take", &quiz_file("badges101.toml")], Some("t\n"));
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stdout).contains("no more input"));
}

#[test]
fn take_choice_items_by_letter() {
    let q = tmp(
        "choice.toml",
        "id = \"c\"\ntitle = \"C\"\n[pass]\nrule = \"all_correct\"\n[[sections]]\nid = \"s\"\n[[sections.items]]\nid = \"q\"\ntype = \"single_choice\"\nprompt = \"Capital of Italy?\"\nchoices = [{ id = \"a\", text = \"Milan\" }, { id = \"b\", text = \"Rome\", correct = true, feedback = \"Yes, Rome.\" }]\n",
    );
    let o = run(
        &["quiz", "take", q.to_str().unwrap(), "--seed", "1"],
        Some("b\n"),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains("  b) Rome"));
    assert!(text(&o.stdout).contains("Yes, Rome."));
}

#[test]
fn qti_test_with_relative_item_files() {
    let item = r#"<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="i1" title="i1">
<qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier"><qti-correct-response><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>
<qti-item-body><qti-choice-interaction response-identifier="RESPONSE" max-choices="1"><qti-prompt>Pick B</qti-prompt>
<qti-simple-choice identifier="A">A</qti-simple-choice><qti-simple-choice identifier="B">B</qti-simple-choice></qti-choice-interaction></qti-item-body>
<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/></qti-assessment-item>"#;
    tmp("i1.xml", item);
    let test = tmp(
        "test.xml",
        r#"<qti-assessment-test xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="t" title="T"><qti-test-part identifier="p" navigation-mode="linear" submission-mode="individual"><qti-assessment-section identifier="s" title="S" visible="true"><qti-assessment-item-ref identifier="i1" href="i1.xml"/></qti-assessment-section></qti-test-part></qti-assessment-test>"#,
    );
    let o = run(&["quiz", "check", test.to_str().unwrap()], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    let r = tmp("r6.json", r#"{"i1": "B"}"#);
    let o = run(
        &[
            "quiz",
            "grade",
            test.to_str().unwrap(),
            "--responses",
            r.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["score"].as_f64(), Some(1.0));
}

#[test]
fn qti_content_package_zip() {
    let pkg = format!(
        "{}/../openbadges-quiz/tests/data/capitals-qti3.zip",
        env!("CARGO_MANIFEST_DIR")
    );
    let o = run(&["quiz", "check", &pkg], None);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).contains("ok (1 item(s)"),
        "{}",
        text(&o.stdout)
    );
    let r = tmp("r7.json", r#"{"1": "Rome"}"#);
    let o = run(
        &[
            "quiz",
            "grade",
            &pkg,
            "--responses",
            r.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["score"].as_f64(), v["items"][0]["id"].as_str()),
        (Some(1.0), Some("capital"))
    );
}
