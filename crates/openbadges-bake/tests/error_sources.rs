//! Errors keep their causes: an error that comes from the XML reader, the JSON parser, the
//! UTF-8 decoder or the inflater has it as its `source()`, and the message is unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::error::Error as _;

use openbadges_bake::{Error, detect_version, extract};

const OPEN: &str =
    r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">"#;

#[test]
fn a_bad_attribute_value_keeps_the_xml_error() {
    let svg = format!(r#"{OPEN}<openbadges:assertion verify="a&bogus;b"/></svg>"#);
    let e = extract(svg.as_bytes()).unwrap_err();
    let Error::MalformedSvg { reason, .. } = &e else {
        panic!("{e:?}");
    };
    assert!(reason.starts_with("bad attribute value: "), "{reason}");
    assert!(e.source().unwrap().is::<quick_xml::Error>(), "{e:?}");
}

#[test]
fn badge_text_that_is_not_utf8_keeps_the_utf8_error() {
    let mut svg = format!("{OPEN}<openbadges:assertion><![CDATA[").into_bytes();
    svg.extend_from_slice(b"{\"a\":\"\xFF\"}]]></openbadges:assertion></svg>");
    let e = extract(&svg).unwrap_err();
    assert!(matches!(e, Error::InvalidUtf8 { .. }), "{e:?}");
    assert!(e.source().unwrap().is::<std::str::Utf8Error>(), "{e:?}");
}

#[test]
fn json_that_does_not_parse_keeps_the_json_error() {
    let e = detect_version("{nope").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("cannot bake this payload: the JSON payload does not parse: "),
        "{e}"
    );
    assert!(e.source().unwrap().is::<serde_json::Error>(), "{e:?}");

    let svg =
        format!("{OPEN}<openbadges:assertion><![CDATA[{{nope]]></openbadges:assertion></svg>");
    let x = extract(svg.as_bytes()).unwrap();
    let e = x.check_json().unwrap_err();
    assert!(matches!(e, Error::InvalidJson { .. }), "{e:?}");
    assert!(e.source().unwrap().is::<serde_json::Error>(), "{e:?}");

    // Not JSON, JWS or URL at all: nothing behind it.
    assert!(
        detect_version("hello world")
            .unwrap_err()
            .source()
            .is_none()
    );
}
