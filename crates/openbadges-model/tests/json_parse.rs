//! `parse_json` on hostile JSON: duplicate member names (RFC 7493 I-JSON), nesting, huge
//! numbers, and that every fixture parses exactly as serde_json reads it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;
use std::sync::Arc;

use openbadges_model::{Error, Limits, parse_json};
use proptest::prelude::*;
use serde_json::Value;

fn dup(input: &str) -> (String, String) {
    match parse_json(input.as_bytes(), &Limits::default()) {
        Err(Error::DuplicateMember { path, name, .. }) => (path, name),
        other => panic!("{input}: expected a duplicate member error, got {other:?}"),
    }
}

#[test]
fn duplicate_member_names_are_refused_with_their_pointer() {
    assert_eq!(dup(r#"{"a": 1, "a": 2}"#), ("/a".into(), "a".into()));
    assert_eq!(
        dup(
            r#"{"badge": {"issuer": "https://a.example", "name": "n", "issuer": "https://b.example"}}"#
        ),
        ("/badge/issuer".into(), "issuer".into())
    );
    assert_eq!(
        dup(r#"{"list": [{}, {"x": [0, {"id": 1, "id": 1}]}]}"#),
        ("/list/1/x/1/id".into(), "id".into())
    );
    // Pointer tokens are escaped.
    assert_eq!(
        dup(r#"{"a/b": {"~": 1, "~": 2}}"#),
        ("/a~1b/~0".into(), "~".into())
    );
    // The same value twice is still a duplicate.
    assert_eq!(dup(r#"{"k": true, "k": true}"#).0, "/k");
}

#[test]
fn escaped_spellings_of_one_name_are_duplicates() {
    assert_eq!(
        dup(r#"{"id": 1, "\u0069d": 2}"#),
        ("/id".into(), "id".into())
    );
    assert_eq!(
        dup(r#"{"a\/b": 1, "a/b": 2}"#),
        ("/a~1b".into(), "a/b".into())
    );
}

#[test]
fn duplicate_error_names_line_and_column() {
    let e = parse_json(b"{\n  \"a\": 1,\n  \"a\": 2\n}", &Limits::default()).unwrap_err();
    let Error::DuplicateMember { line, .. } = e else {
        panic!("{e:?}")
    };
    assert_eq!(line, 3);
    assert!(e.to_string().contains("duplicate member name at /a"), "{e}");
    assert!(!e.is_limit());
}

#[test]
fn distinct_names_in_sibling_objects_are_not_duplicates() {
    let v = parse_json(
        br#"{"a": {"id": 1}, "b": {"id": 1}, "c": [{"id": 1}, {"id": 2}]}"#,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(v["c"][1]["id"], 2);
}

#[test]
fn nesting_past_the_limit_is_refused_with_its_pointer() {
    let limits = Limits {
        max_depth: 2,
        ..Limits::default()
    };
    match parse_json(br#"{"a": [[1]]}"#, &limits) {
        Err(Error::TooDeep { limit: 2, path }) => assert_eq!(path, "/a/0"),
        other => panic!("{other:?}"),
    }
    assert!(parse_json(br#"{"a": [1]}"#, &limits).is_ok());
    // Far past serde_json's own recursion limit: an error, not a stack overflow.
    let deep = "[".repeat(100_000);
    let e = parse_json(deep.as_bytes(), &Limits::default()).unwrap_err();
    assert!(e.is_limit(), "{e:?}");
}

#[test]
fn numbers_with_huge_exponents_are_refused_not_read_as_infinity() {
    for n in ["1e400", "-1e400", "[1e999999999999999999]"] {
        assert!(
            matches!(
                parse_json(n.as_bytes(), &Limits::default()),
                Err(Error::Json { .. })
            ),
            "{n}"
        );
    }
    // A tiny exponent underflows to zero, as in serde_json.
    assert_eq!(parse_json(b"1e-400", &Limits::default()).unwrap(), 0.0);
}

#[test]
fn trailing_data_and_oversize_input_are_refused() {
    assert!(matches!(
        parse_json(br#"{"a": 1} {"a": 2}"#, &Limits::default()),
        Err(Error::Json { .. })
    ));
    let limits = Limits {
        max_bytes: 4,
        ..Limits::default()
    };
    assert!(matches!(
        parse_json(b"[1, 2]", &limits),
        Err(Error::TooLarge { .. })
    ));
}

fn json_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "json" || x == "jsonld") {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_parses_as_serde_json_reads_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    json_files(&root, &mut files);
    assert!(files.len() > 50, "{}", files.len());
    let mut checked = 0;
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let Ok(expected) = serde_json::from_slice::<Value>(&bytes) else {
            continue;
        };
        match parse_json(&bytes, &Limits::default()) {
            Ok(v) => {
                assert_eq!(v, expected, "{}", f.display());
                // Member order is kept (the model is lossless).
                assert_eq!(
                    serde_json::to_string(&v).unwrap(),
                    serde_json::to_string(&expected).unwrap()
                );
                checked += 1;
            }
            Err(Error::DuplicateMember { path, .. }) => {
                println!("{}: duplicate member {path}", f.display());
            }
            Err(e) => panic!("{}: {e}", f.display()),
        }
    }
    assert!(checked > 50);
}

proptest! {
    #[test]
    fn documents_without_duplicates_parse_as_serde_json_reads_them(
        v in any_json()
    ) {
        let text = serde_json::to_vec(&v).unwrap();
        let got = parse_json(&text, &Limits::default()).unwrap();
        // Compared with what serde_json reads from the same text (its float parsing does not
        // round-trip every double without the `float_roundtrip` feature).
        let expected: Value = serde_json::from_slice(&text).unwrap();
        prop_assert_eq!(
            serde_json::to_string(&got).unwrap(),
            serde_json::to_string(&expected).unwrap()
        );
        prop_assert_eq!(got, expected);
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(("\\PC{0,6}", inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Malformed JSON and a wrong shape keep serde_json's error as their `source()`, with the same
/// Display as before; equality compares what the error says.
#[test]
fn json_and_shape_errors_keep_their_cause() {
    use std::error::Error as _;
    let e = parse_json(b"{\"a\": 1,}", &Limits::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid json at line 1 column 9: trailing comma"
    );
    let cause = e.source().expect("the json error is kept");
    assert!(cause.downcast_ref::<Arc<serde_json::Error>>().is_some());
    assert_eq!(e.clone(), e);

    let doc = serde_json::json!({"type": "Assertion", "recipient": {"hashed": "yes"}});
    let e = openbadges_model::ob2::Assertion::from_value(&doc).unwrap_err();
    assert!(matches!(&e, Error::Shape { path, .. } if path == "/recipient/hashed"));
    let cause = e.source().expect("the serde error is kept");
    assert!(cause.downcast_ref::<Arc<serde_json::Error>>().is_some());

    // A wrong class has no parser error behind it.
    let e = openbadges_model::ob2::Document::from_value(&serde_json::json!({}), None).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }));
    assert!(e.source().is_none());
}

/// Valid UTF-8 is read as text, anything else as bytes: both read what serde_json reads, and a
/// bad byte sequence (in a string, in a name, outside strings) is refused with serde_json's
/// error and position.
#[test]
fn invalid_utf8_is_refused_where_serde_json_refuses_it() {
    for input in [
        &b"{\"a\": \"x\xff\"}"[..],
        b"{\"a\xc3\": 1}",
        b"[\"ok\", \"\xed\xa0\x80\"]",
        b"{\"a\": 1}\xff",
        b"\xef\xbb\xbf{}",
    ] {
        let want = serde_json::from_slice::<Value>(input).map_err(|e| (e.line(), e.column()));
        let got = parse_json(input, &Limits::default());
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(w, g),
            (
                Err((line, column)),
                Err(Error::Json {
                    line: l, column: c, ..
                }),
            ) => {
                assert_eq!((l, c), (line, column), "{input:?}");
            }
            (w, g) => panic!("{input:?}: serde_json {w:?}, parse_json {g:?}"),
        }
    }
    let text = "{\"name\": \"Zoë ✓ 🎓\", \"é\": [\"\\u00e9\"]}";
    assert_eq!(
        parse_json(text.as_bytes(), &Limits::default()).unwrap(),
        serde_json::from_str::<Value>(text).unwrap()
    );
}
