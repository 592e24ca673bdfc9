//! RFC 8785 (JCS), the lexical form of JSON-LD `@json` literals: the RFC's own number table
//! (Appendix B), its sorting and string examples, and integers beyond 2^53 written as the
//! double they are (ECMAScript `Number.prototype.toString`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use openbadges_proof::jsonld::{JsonLdOptions, jcs, to_rdf};
use serde_json::{Number, Value, json};

fn number(bits: u64) -> String {
    let n = Number::from_f64(f64::from_bits(bits)).unwrap();
    jcs(&Value::Number(n))
}

#[test]
fn numbers_follow_the_rfc_8785_appendix_b_table() {
    // (IEEE-754 bits, ECMAScript string), as listed in RFC 8785 Appendix B.
    let table: [(u64, &str); 24] = [
        (0x0000_0000_0000_0000, "0"),
        (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"),
        (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
        (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"),
        (0xc340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"),
        (0x44b5_2d02_c7e1_4af6, "1e+23"),
        (0x44b5_2d02_c7e1_4af7, "1.0000000000000001e+23"),
        (0x444b_1ae4_d6e2_ef4e, "999999999999999700000"),
        (0x444b_1ae4_d6e2_ef4f, "999999999999999900000"),
        (0x444b_1ae4_d6e2_ef50, "1e+21"),
        (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
        (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
        (0x41b3_de43_5555_5553, "333333333.3333332"),
        (0x41b3_de43_5555_5554, "333333333.33333325"),
        (0x41b3_de43_5555_5555, "333333333.3333333"),
        (0x41b3_de43_5555_5556, "333333333.3333334"),
        (0x41b3_de43_5555_5557, "333333333.33333343"),
        (0xbecb_f647_612f_3696, "-0.0000033333333333333333"),
        (0x4314_3ff3_c1cb_0959, "1424953923781206.2"),
    ];
    for (bits, want) in table {
        assert_eq!(number(bits), want, "{bits:#018x}");
    }
}

#[test]
fn integers_beyond_2_pow_53_are_written_as_their_double() {
    // serde_json reads these as exact u64/i64; JCS writes the IEEE-754 double they denote.
    let v: Value =
        serde_json::from_str("[9007199254740993, -9007199254740993, 18446744073709551615, 1e21]")
            .unwrap();
    assert_eq!(
        jcs(&v),
        "[9007199254740992,-9007199254740992,18446744073709552000,1e+21]"
    );
}

#[test]
fn the_rfc_8785_example_object_canonicalizes_as_in_the_rfc() {
    // RFC 8785 §3.2.2 input and §3.2.3 output.
    let input = r#"{
        "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
        "literals": [null, true, false]
    }"#;
    let v: Value = serde_json::from_str(input).unwrap();
    assert_eq!(
        jcs(&v),
        r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
    );
}

#[test]
fn members_sort_by_utf16_code_units() {
    // RFC 8785 §3.2.3: the emoji (a surrogate pair, 0xD83D...) sorts before U+FB33.
    let v: Value = serde_json::from_str(
        r#"{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}"#,
    )
    .unwrap();
    let keys: Vec<String> = jcs(&v)
        .trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .map(|m| m.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        keys,
        [
            r#""\r""#,
            r#""1""#,
            "\"\u{80}\"",
            "\"\u{f6}\"",
            "\"\u{20ac}\"",
            "\"\u{1f600}\"",
            "\"\u{fb33}\""
        ]
    );
}

#[test]
fn json_literal_with_a_big_integer_is_its_jcs_form_in_rdf() {
    // A `@json` literal's lexical form is JCS: a large integer is the double it denotes, so a
    // signer and a verifier in another language hash the same bytes.
    let doc = json!({
        "@context": {"data": {"@id": "https://example.org/data", "@type": "@json"}},
        "@id": "urn:example:1",
        "data": {"n": 9_007_199_254_740_993_u64, "m": 1.0}
    });
    let ds = to_rdf(&doc, &JsonLdOptions::default()).unwrap();
    let nq = ds.to_nquads();
    assert!(
        nq.contains(r#""{\"m\":1,\"n\":9007199254740992}"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON>"#),
        "{nq}"
    );
}
