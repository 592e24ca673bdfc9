//! `Backpack::import_each`: each input is committed before it is reported, in order; a broken
//! or unreadable input neither undoes earlier ones nor stops later ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::PathBuf;

use common::*;
use openbadges_backpack::{Input, InputOutcome, SqliteStore, Store};
use openbadges_proof::report::Status;

#[test]
fn each_input_is_reported_only_once_committed_and_failures_stop_nothing() {
    let dir = std::env::temp_dir().join(format!("ob-import-each-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("b.sqlite");
    let mut bp = backpack(
        SqliteStore::open(&db).unwrap(),
        FixedVerifier(Status::Valid),
    );
    let good_1 = "ob3/examples/basicOpenBadgeCredential.json";
    let good_2 = "ob2/baked/signed-valid.png";
    let inputs = vec![
        Input::File(PathBuf::from(FIXTURES).join(good_1)),
        Input::Bytes {
            bytes: b"{\"broken\": ".to_vec(),
            source: file("broken.json"),
        },
        Input::File(dir.join("missing.json")),
        Input::File(PathBuf::from(FIXTURES).join(good_2)),
        // One badge held, one refused: the input is reported failed (its line says imported).
        Input::Bytes {
            bytes: format!(
                "[{}, {{\"not\": \"a badge\"}}]",
                String::from_utf8(fixture(good_1)).unwrap()
            )
            .into_bytes(),
            source: file("mixed.json"),
        },
    ];
    let mut seen = Vec::new();
    bp.import_each(inputs, |outcome| {
        // Another connection sees what was committed when the outcome is reported.
        let held = SqliteStore::open(&db).unwrap().badges().unwrap().len();
        seen.push((outcome.clone(), held));
    })
    .unwrap();
    assert_eq!(seen.len(), 5);
    let results: Vec<(bool, usize)> = seen.iter().map(|(o, n)| (o.failed(), *n)).collect();
    assert_eq!(
        results,
        [(false, 1), (true, 1), (true, 1), (false, 2), (true, 2)]
    );
    assert_eq!(seen[4].0.line()["result"], "duplicate");
    assert!(seen[0].0.input().ends_with(good_1));
    assert_eq!(seen[1].0.line()["result"], "failed");
    assert!(matches!(seen[2].0, InputOutcome::Unreadable { .. }));
    assert!(
        seen[2].0.line()["reason"]
            .as_str()
            .unwrap()
            .contains("cannot read")
    );
    assert!(seen[3].0.input().ends_with(good_2));
    let _ = std::fs::remove_dir_all(&dir);
}
