//! `openbadges backpack import` reports each input as soon as it is committed (one line, one
//! JSON object with `--json`, flushed); a failing input neither hides earlier committed ones
//! nor stops later ones; an oversized file is refused at its per-input cap, unread; `backpack
//! list` shows each badge's own id beside the record id.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

mod common;
use common::{backpack_list, bin, fixture, tmp};

const GOOD_1: &str = "ob3/spec-vectors/obv3p0-signed-eddsa-rdfc-2022.json";
const GOOD_2: &str = "ob2/baked/hosted-valid-json.png";
const OWNER: &[&str] = &[
    "--identity",
    "email:student@example.org",
    "--identity",
    "id:did:example:ebfeb1f712ebc6f1c276e12ec21",
];

/// [good, broken (read from stdin), good]: the first line is printed — its badge committed —
/// while the second input is still being read; the broken input is reported failed, the last
/// one still imported, and the exit code says something failed.
#[test]
fn each_input_is_reported_as_soon_as_it_is_committed_and_a_broken_one_stops_nothing() {
    let dir = tmp("stream");
    let store = dir.join("store");
    let mut child = bin()
        .args(["backpack", "--store"])
        .arg(&store)
        .arg("import")
        .args(OWNER)
        .args(["--offline", "--json"])
        .arg(fixture(GOOD_1))
        .arg("-")
        .arg(fixture(GOOD_2))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // The import now waits on stdin for its second input: the first line must already be out.
    // (A guard against a hang, not a performance bound.)
    let first = rx.recv_timeout(Duration::from_secs(300));
    let mut stdin = child.stdin.take().unwrap();
    let first = match first {
        Ok(l) => l,
        Err(_) => {
            drop(stdin);
            let _ = child.kill();
            panic!("no line for the first input while the second was still being read");
        }
    };
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["input"], fixture(GOOD_1).as_str());
    assert_eq!(first["result"], "imported", "{first}");
    // Committed before the next input was read.
    assert_eq!(backpack_list(&store).len(), 1);

    stdin.write_all(b"{\"broken\": ").unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    let rest: Vec<Value> = rx
        .iter()
        .map(|l| serde_json::from_str(&l).unwrap())
        .collect();
    assert_eq!(rest.len(), 2, "{rest:?}");
    assert_eq!(rest[0]["input"], "-");
    assert_eq!(rest[0]["result"], "failed", "{rest:?}");
    assert!(
        rest[0]["reason"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    assert_eq!(rest[1]["input"], fixture(GOOD_2).as_str());
    assert_eq!(rest[1]["result"], "imported", "{rest:?}");
    assert_eq!(status.code(), Some(1));
    assert_eq!(backpack_list(&store).len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same in text: one block per input, in input order, each parseable line by line.
#[test]
fn text_output_gives_one_block_per_input_in_order() {
    let dir = tmp("text");
    let store = dir.join("store");
    let broken = dir.join("broken.json");
    std::fs::write(&broken, b"{\"broken\": ").unwrap();
    let o = bin()
        .args(["backpack", "--store"])
        .arg(&store)
        .arg("import")
        .args(OWNER)
        .arg("--offline")
        .arg(fixture(GOOD_1))
        .arg(&broken)
        .arg(fixture(GOOD_2))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let text = String::from_utf8(o.stdout).unwrap();
    let heads: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        heads,
        [
            format!("{}:", fixture(GOOD_1)),
            format!("{}:", broken.display()),
            format!("{}:", fixture(GOOD_2)),
        ],
        "{text}"
    );
    let results: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with(' '))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(results, ["imported", "failed", "imported"], "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A 3 GB file (sparse) is refused at the per-input cap from its length, without reading it;
/// the inputs around it are imported.
#[test]
fn an_oversized_file_is_refused_at_the_per_input_cap_unread() {
    let dir = tmp("huge");
    let store = dir.join("store");
    let huge = dir.join("huge.json");
    {
        let mut f = std::fs::File::create(&huge).unwrap();
        f.write_all(b"{\"a\": 1}").unwrap();
        f.set_len(3_000_000_000).unwrap();
    }
    let o = bin()
        .args(["backpack", "--store"])
        .arg(&store)
        .arg("import")
        .args(OWNER)
        .args(["--offline", "--json"])
        .arg(fixture(GOOD_1))
        .arg(&huge)
        .arg(fixture(GOOD_2))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let lines: Vec<Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["result"], "imported");
    assert_eq!(lines[2]["result"], "imported");
    assert_eq!(lines[1]["result"], "failed");
    let reason = lines[1]["reason"].as_str().unwrap();
    assert!(
        reason.contains("3000000000 bytes") && reason.contains("16777216"),
        "{reason}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `backpack list` shows the badge's own id (assertion / credential `id`) beside the record id.
#[test]
fn list_shows_each_badges_own_id() {
    let dir = tmp("list");
    let store = dir.join("store");
    let o = bin()
        .args(["backpack", "--store"])
        .arg(&store)
        .arg("import")
        .args(OWNER)
        .args(["--offline", "--json"])
        .arg(fixture(GOOD_1))
        .arg(fixture(GOOD_2))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let own = |rel: &str| -> String {
        let v: Value = if rel.ends_with(".png") {
            let x = bin().arg("extract").arg(fixture(rel)).output().unwrap();
            serde_json::from_slice(&x.stdout).unwrap()
        } else {
            serde_json::from_slice(&std::fs::read(fixture(rel)).unwrap()).unwrap()
        };
        v["id"].as_str().unwrap().to_owned()
    };
    let (id1, id2) = (own(GOOD_1), own(GOOD_2));
    let list = backpack_list(&store);
    let mut badge_ids: Vec<&str> = list
        .iter()
        .map(|b| b["badgeId"].as_str().unwrap())
        .collect();
    badge_ids.sort_unstable();
    let mut expected = vec![id1.as_str(), id2.as_str()];
    expected.sort_unstable();
    assert_eq!(badge_ids, expected);
    for b in &list {
        assert_ne!(b["badgeId"], b["id"]);
    }

    let o = bin()
        .args(["backpack", "list", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    for b in &list {
        let line = text
            .lines()
            .find(|l| l.starts_with(b["id"].as_str().unwrap()))
            .unwrap();
        assert!(line.contains(b["badgeId"].as_str().unwrap()), "{line}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
