//! The W3C RDF Dataset Canonicalization (RDFC-1.0) test suite, run from the copied data in
//! `tests/data/rdfc` (see the README there for origin and licence).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_proof::rdfc::{
    CanonLimits, HashAlgorithm, RdfcError, canonicalize_with_hash, parse_nquads,
};
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rdfc"))
}

#[test]
fn w3c_rdfc10_suite() {
    let manifest = std::fs::read_to_string(dir().join("manifest.csv")).unwrap();
    let (mut eval_pass, mut eval_total, mut map_pass, mut map_total, mut neg_pass, mut neg_total) =
        (0, 0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() < 8 || !cols[0].starts_with("test") {
            continue;
        }
        let name = cols[0];
        let hash_alg = cols[cols.len() - 3];
        let rdfc10 = cols[cols.len() - 2];
        let map = cols[cols.len() - 1];
        let hash = match hash_alg {
            "" => HashAlgorithm::Sha256,
            "SHA384" => HashAlgorithm::Sha384,
            other => panic!("unknown hash {other}"),
        };
        let input = std::fs::read_to_string(dir().join(format!("{name}-in.nq"))).unwrap();
        let ds = parse_nquads(&input).unwrap();
        let res = canonicalize_with_hash(&ds, &CanonLimits::default(), hash);
        if rdfc10 == "RDFC10NegativeEvalTest" {
            neg_total += 1;
            match res {
                Err(RdfcError::LimitExceeded(_)) => neg_pass += 1,
                other => failures.push(format!("{name} negative: {other:?}")),
            }
            continue;
        }
        if rdfc10 == "TRUE" {
            eval_total += 1;
            let expected =
                std::fs::read_to_string(dir().join(format!("{name}-rdfc10.nq"))).unwrap();
            match &res {
                Ok(c) if c.nquads == expected => eval_pass += 1,
                other => failures.push(format!("{name} eval: {other:?}")),
            }
        }
        if map == "TRUE" {
            map_total += 1;
            let expected: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
                &std::fs::read_to_string(dir().join(format!("{name}-rdfc10map.json"))).unwrap(),
            )
            .unwrap();
            match &res {
                Ok(c) => {
                    let got: serde_json::Map<String, serde_json::Value> = c
                        .issued
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                        .collect();
                    let mut a: Vec<_> = got.iter().map(|(k, v)| (k, v.to_string())).collect();
                    let mut b: Vec<_> = expected.iter().map(|(k, v)| (k, v.to_string())).collect();
                    a.sort();
                    b.sort();
                    if a == b {
                        map_pass += 1;
                    } else {
                        failures.push(format!("{name} map: {got:?} != {expected:?}"));
                    }
                }
                Err(e) => failures.push(format!("{name} map: {e}")),
            }
        }
    }
    eprintln!(
        "RDFC-1.0: eval {eval_pass}/{eval_total}, map {map_pass}/{map_total}, negative {neg_pass}/{neg_total}"
    );
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(eval_total >= 60 && map_total >= 20 && neg_total >= 1);
}

#[test]
fn parse_then_serialize_round_trips_escapes() {
    let src =
        "<http://e.org/s> <http://e.org/p> \"a\\tb\\u0001\\\"\\\\\"@en-us <http://e.org/g> .\n";
    let ds = parse_nquads(src).unwrap();
    assert_eq!(ds.to_nquads(), src);
}

#[test]
fn syntax_errors_have_line_numbers() {
    let err =
        parse_nquads("<http://e.org/s> <http://e.org/p> <http://e.org/o> .\n<bad").unwrap_err();
    assert!(matches!(err, RdfcError::Syntax { line: 2, .. }), "{err:?}");
}
