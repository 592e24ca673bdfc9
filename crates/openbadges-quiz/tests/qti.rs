//! QTI 3.0 import (choice, text entry, order, match; match_correct and map_response; tests
//! with selection and ordering) and export round trips.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_cmp
)]

use std::collections::BTreeMap;

use openbadges_quiz::qti::{export, import_item_or_test};
use openbadges_quiz::{Format, Grader, ItemType, Limits, Quiz, Response, load};
use serde_json::json;

const NS: &str = "xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\"";
const MC: &str = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml";
const MR: &str = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml";

fn item(id: &str, decl: &str, body: &str, rp: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<qti-assessment-item {NS} identifier=\"{id}\" title=\"{id}\">\n{decl}\n<qti-item-body>\n{body}\n</qti-item-body>\n<qti-response-processing template=\"{rp}\"/>\n</qti-assessment-item>"
    )
}

fn one(xml: &str) -> Quiz {
    load(xml, Format::Qti, Some("item.xml"), &Limits::default())
        .unwrap()
        .quiz
}

fn score(q: &Quiz, r: serde_json::Value) -> f64 {
    let id = q.item_by_number(1).unwrap().id.clone();
    Grader::new(q)
        .unwrap()
        .grade_one(
            &id,
            Some(&serde_json::from_value::<Response>(r).unwrap()),
            0,
        )
        .unwrap()
        .score
}

fn choice_xml(max: u32) -> String {
    format!(
        "<qti-choice-interaction response-identifier=\"RESPONSE\" max-choices=\"{max}\" shuffle=\"true\">\
         <qti-prompt>Which are primes?</qti-prompt>\
         <qti-simple-choice identifier=\"A\">2</qti-simple-choice>\
         <qti-simple-choice identifier=\"B\">3</qti-simple-choice>\
         <qti-simple-choice identifier=\"C\">4</qti-simple-choice>\
         <qti-simple-choice identifier=\"D\" fixed=\"true\">none</qti-simple-choice>\
         </qti-choice-interaction>"
    )
}

#[test]
fn choice_match_correct() {
    let q = one(&item(
        "single",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\"><qti-correct-response><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>",
        &choice_xml(1),
        MC,
    ));
    let it = q.item_by_number(1).unwrap();
    assert_eq!(it.kind, ItemType::SingleChoice);
    assert_eq!(it.prompt, "Which are primes?");
    assert!(it.shuffle && it.choices[3].pinned);
    assert_eq!(score(&q, json!("B")), 1.0);
    assert_eq!(score(&q, json!("A")), 0.0);
}

#[test]
fn multiple_choice_map_response_with_bounds() {
    // map: A +1, B +1, C -1, D -2; lower 0, upper 2 → points 2.
    // {A,B} = 2; {A,C} = 0; {C,D} = -3 → lower bound 0; {A,B,C} = 1.
    let q = one(&item(
        "multi",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"multiple\" base-type=\"identifier\">\
         <qti-correct-response><qti-value>A</qti-value><qti-value>B</qti-value></qti-correct-response>\
         <qti-mapping lower-bound=\"0\" upper-bound=\"2\" default-value=\"0\">\
         <qti-map-entry map-key=\"A\" mapped-value=\"1\"/><qti-map-entry map-key=\"B\" mapped-value=\"1\"/>\
         <qti-map-entry map-key=\"C\" mapped-value=\"-1\"/><qti-map-entry map-key=\"D\" mapped-value=\"-2\"/>\
         </qti-mapping></qti-response-declaration>",
        &choice_xml(0),
        MR,
    ));
    assert_eq!(
        q.item_by_number(1).unwrap().kind,
        ItemType::MultipleResponse
    );
    assert_eq!(score(&q, json!(["A", "B"])), 2.0);
    assert_eq!(score(&q, json!(["A", "C"])), 0.0);
    assert_eq!(score(&q, json!(["C", "D"])), 0.0);
    assert_eq!(score(&q, json!(["A", "B", "C"])), 1.0);
}

#[test]
fn multiple_choice_match_correct_is_exact_set() {
    let q = one(&item(
        "multi-mc",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"multiple\" base-type=\"identifier\"><qti-correct-response><qti-value>A</qti-value><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>",
        &choice_xml(0),
        MC,
    ));
    assert_eq!(score(&q, json!(["A", "B"])), 1.0);
    assert_eq!(score(&q, json!(["A"])), 0.0);
    assert_eq!(score(&q, json!(["A", "B", "C"])), 0.0);
}

#[test]
fn text_entry_map_response_case() {
    let q = one(&item(
        "text",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"string\">\
         <qti-correct-response><qti-value>York</qti-value></qti-correct-response>\
         <qti-mapping default-value=\"0\"><qti-map-entry map-key=\"York\" mapped-value=\"1\" case-sensitive=\"false\"/>\
         <qti-map-entry map-key=\"Yorkshire\" mapped-value=\"0.5\" case-sensitive=\"false\"/></qti-mapping>\
         </qti-response-declaration>",
        "<p>Richard III was the Duke of <qti-text-entry-interaction response-identifier=\"RESPONSE\"/>.</p>",
        MR,
    ));
    let it = q.item_by_number(1).unwrap();
    assert_eq!(it.kind, ItemType::TextEntry);
    assert_eq!(it.prompt, "Richard III was the Duke of .");
    assert_eq!(score(&q, json!("york")), 1.0);
    assert_eq!(score(&q, json!("YORKSHIRE")), 0.5);
    assert_eq!(score(&q, json!("Lancaster")), 0.0);
}

#[test]
fn order_and_match() {
    let q = one(&item(
        "order",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"ordered\" base-type=\"identifier\"><qti-correct-response><qti-value>C</qti-value><qti-value>A</qti-value><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>",
        "<qti-order-interaction response-identifier=\"RESPONSE\" shuffle=\"true\"><qti-prompt>Oldest first</qti-prompt>\
         <qti-simple-choice identifier=\"A\">OB 1.0</qti-simple-choice><qti-simple-choice identifier=\"B\">OB 2.0</qti-simple-choice><qti-simple-choice identifier=\"C\">OB 0.5</qti-simple-choice></qti-order-interaction>",
        MC,
    ));
    assert_eq!(score(&q, json!(["C", "A", "B"])), 1.0);
    assert_eq!(score(&q, json!(["A", "B", "C"])), 0.0);

    let m = one(&item(
        "match",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"multiple\" base-type=\"directedPair\">\
         <qti-correct-response><qti-value>C R</qti-value><qti-value>I M</qti-value></qti-correct-response>\
         <qti-mapping default-value=\"0\"><qti-map-entry map-key=\"C R\" mapped-value=\"1\"/><qti-map-entry map-key=\"I M\" mapped-value=\"1\"/></qti-mapping>\
         </qti-response-declaration>",
        "<qti-match-interaction response-identifier=\"RESPONSE\" max-associations=\"2\"><qti-prompt>Characters and plays</qti-prompt>\
         <qti-simple-match-set><qti-simple-associable-choice identifier=\"C\" match-max=\"1\">Capulet</qti-simple-associable-choice><qti-simple-associable-choice identifier=\"I\" match-max=\"1\">Demetrius</qti-simple-associable-choice></qti-simple-match-set>\
         <qti-simple-match-set><qti-simple-associable-choice identifier=\"R\" match-max=\"2\">Romeo and Juliet</qti-simple-associable-choice><qti-simple-associable-choice identifier=\"M\" match-max=\"2\">A Midsummer-Night's Dream</qti-simple-associable-choice><qti-simple-associable-choice identifier=\"T\" match-max=\"2\">The Tempest</qti-simple-associable-choice></qti-simple-match-set>\
         </qti-match-interaction>",
        MR,
    ));
    let it = m.item_by_number(1).unwrap();
    assert_eq!(
        (it.pairs.len(), it.distractors.len(), it.points),
        (2, 1, 2.0)
    );
    // map_response: 1 point per right pair.
    assert_eq!(
        score(
            &m,
            json!({"Capulet": "Romeo and Juliet", "Demetrius": "The Tempest"})
        ),
        1.0
    );
    assert_eq!(
        score(
            &m,
            json!({"Capulet": "Romeo and Juliet", "Demetrius": "A Midsummer-Night's Dream"})
        ),
        2.0
    );
}

#[test]
fn unsupported_constructs_are_reported_with_positions() {
    let xml = item(
        "hot",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\"/>",
        "<qti-hotspot-interaction response-identifier=\"RESPONSE\"/>",
        MC,
    );
    let l = load(&xml, Format::Qti, Some("hot.xml"), &Limits::default()).unwrap();
    let w: Vec<String> = l.problems.iter().map(ToString::to_string).collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].starts_with("hot.xml:5:1: warning[qti-unsupported]"),
        "{w:?}"
    );
    // Malformed XML is an error with a position.
    let e = load(
        "<qti-assessment-item>\n  <a></b>",
        Format::Qti,
        Some("bad.xml"),
        &Limits::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("bad.xml:2:"), "{e}");
}

#[test]
fn test_with_selection_ordering_and_resolver() {
    let items: BTreeMap<&str, String> = BTreeMap::from([
        (
            "a.xml",
            item(
                "a",
                "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\"><qti-correct-response><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>",
                &choice_xml(1),
                MC,
            ),
        ),
        (
            "b.xml",
            item(
                "b",
                "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\"><qti-correct-response><qti-value>A</qti-value></qti-correct-response></qti-response-declaration>",
                &choice_xml(1),
                MC,
            ),
        ),
    ]);
    let test = format!(
        "<qti-assessment-test {NS} identifier=\"t\" title=\"Test\"><qti-test-part identifier=\"p\" navigation-mode=\"linear\" submission-mode=\"individual\">\
         <qti-assessment-section identifier=\"s\" title=\"S\" visible=\"true\"><qti-selection select=\"1\"/><qti-ordering shuffle=\"true\"/>\
         <qti-assessment-item-ref identifier=\"a\" href=\"a.xml\"/><qti-assessment-item-ref identifier=\"b\" href=\"b.xml\"/></qti-assessment-section></qti-test-part></qti-assessment-test>"
    );
    let resolve = |h: &str| items.get(h).cloned();
    let l = import_item_or_test(&test, Some("test.xml"), &Limits::default(), &resolve).unwrap();
    assert_eq!(l.quiz.sections[0].pool, Some(1));
    assert!(l.quiz.sections[0].shuffle);
    assert_eq!(l.quiz.items().count(), 2);
    assert!(l.check(&Limits::default()).is_empty());
    let missing =
        import_item_or_test(&test, Some("test.xml"), &Limits::default(), &|_| None).unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("cannot read the referenced item"),
        "{missing}"
    );
}

#[test]
fn export_then_import_grades_the_same() {
    let src = r#"
id = "rt"
title = "Round trip"
[[sections]]
id = "s"
pool = 3
[[sections.items]]
id = "single"
type = "single_choice"
prompt = "Pick"
points = 2
choices = [{ id = "a", text = "A", correct = true }, { id = "b", text = "B", fraction = 0.5 }, { id = "c", text = "C" }]
[[sections.items]]
id = "multi"
type = "multiple_response"
prompt = "Pick two"
choices = [{ id = "a", text = "A", correct = true }, { id = "b", text = "B", correct = true }, { id = "c", text = "C" }]
[[sections.items]]
id = "text"
type = "text_entry"
prompt = "Say"
answers = [{ text = "hello" }, { text = "hi", fraction = 0.5 }]
[[sections.items]]
id = "order"
type = "ordering"
prompt = "Order"
choices = [{ id = "x", text = "1" }, { id = "y", text = "2" }, { id = "z", text = "3" }]
[[sections.items]]
id = "match"
type = "matching"
prompt = "Match"
pairs = [{ id = "p", left = "L1", right = "R1" }, { id = "q", left = "L2", right = "R2" }]
distractors = [{ id = "d", text = "R3" }]
"#;
    let q = load(src, Format::Toml, None, &Limits::default())
        .unwrap()
        .quiz;
    let out = export(&q).unwrap();
    assert!(out.test.contains("<qti-selection select=\"3\"/>"));
    let files: BTreeMap<String, String> = out.items.iter().cloned().collect();
    let resolve = |h: &str| files.get(h).cloned();
    let back = import_item_or_test(&out.test, Some("t.xml"), &Limits::default(), &resolve).unwrap();
    assert!(back.problems.is_empty(), "{:?}", back.problems);
    let b = back.quiz;
    assert_eq!(b.sections[0].pool, Some(3));
    let cases = [
        ("single", json!("B"), 1.0),
        ("single", json!("A"), 2.0),
        ("multi", json!(["A"]), 0.5),
        ("multi", json!(["A", "B"]), 1.0),
        ("multi", json!(["A", "C"]), 0.0),
        ("text", json!("hi"), 0.5),
        ("text", json!("HELLO"), 1.0),
        ("order", json!(["1", "2", "3"]), 1.0),
        ("order", json!(["2", "1", "3"]), 0.0),
        ("match", json!({"L1": "R1", "L2": "R3"}), 0.5),
    ];
    for (id, r, want) in cases {
        let resp: Response = serde_json::from_value(r.clone()).unwrap();
        let ours = Grader::new(&q)
            .unwrap()
            .grade_one(id, Some(&resp), 0)
            .unwrap()
            .score;
        let theirs = Grader::new(&b)
            .unwrap()
            .grade_one(id, Some(&resp), 0)
            .unwrap()
            .score;
        assert_eq!((ours, theirs), (want, want), "{id} {r}");
    }
    // What QTI templates cannot express is refused, not approximated.
    let mut n = q.clone();
    n.sections[0].items[2].answers[0].regex = Some("h.*".into());
    n.sections[0].items[2].answers[0].text = None;
    assert!(export(&n).is_err());
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    use std::io::Write as _;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn content_package_with_manifest_test_and_items_in_folders() {
    let a = item(
        "a",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\"><qti-correct-response><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>",
        &choice_xml(1),
        MC,
    );
    let test = format!(
        "<qti-assessment-test {NS} identifier=\"t\" title=\"Packaged\"><qti-test-part identifier=\"p\" navigation-mode=\"linear\" submission-mode=\"individual\"><qti-assessment-section identifier=\"s\" title=\"S\" visible=\"true\"><qti-assessment-item-ref identifier=\"a\" href=\"../items/a.xml\"/></qti-assessment-section></qti-test-part></qti-assessment-test>"
    );
    let manifest = "<manifest><resources><resource identifier=\"r\" type=\"imsqti_test_xmlv3p0\" href=\"tests/test.xml\"/></resources></manifest>";
    let pkg = zip_of(&[
        ("imsmanifest.xml", manifest),
        ("tests/test.xml", &test),
        ("items/a.xml", &a),
    ]);
    let l =
        openbadges_quiz::qti::import_package(&pkg, Some("pkg.zip"), &Limits::default()).unwrap();
    assert_eq!(l.quiz.title, "Packaged");
    assert_eq!(score(&l.quiz, json!("B")), 1.0);
    // Without a test: every item becomes one section.
    let pkg = zip_of(&[("a.xml", &a), ("notes.txt", "x")]);
    let l =
        openbadges_quiz::qti::import_package(&pkg, Some("items.zip"), &Limits::default()).unwrap();
    assert_eq!(l.quiz.items().count(), 1);
    // Not a zip, or no QTI inside: errors, not panics.
    assert!(
        openbadges_quiz::qti::import_package(b"PK\x03\x04junk", None, &Limits::default()).is_err()
    );
    assert!(
        openbadges_quiz::qti::import_package(&zip_of(&[("x.txt", "x")]), None, &Limits::default())
            .is_err()
    );
}

// ---------------------------------------------------------------------------------------------
// References: cycles, diamonds, and what a small package can expand to.

fn mc_item(id: &str) -> String {
    item(
        id,
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\"><qti-correct-response><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>",
        &choice_xml(1),
        MC,
    )
}

fn test_of(body: &str) -> String {
    format!(
        "<qti-assessment-test {NS} identifier=\"t\" title=\"T\"><qti-test-part identifier=\"p\" navigation-mode=\"linear\" submission-mode=\"individual\">{body}</qti-test-part></qti-assessment-test>"
    )
}

fn section_of(id: &str, refs: &str) -> String {
    format!(
        "<qti-assessment-section {NS} identifier=\"{id}\" title=\"{id}\" visible=\"true\">{refs}</qti-assessment-section>"
    )
}

fn package_error(files: &[(&str, &str)]) -> openbadges_quiz::Error {
    let pkg = zip_of(files);
    openbadges_quiz::qti::import_package(&pkg, Some("pkg.zip"), &Limits::default()).unwrap_err()
}

fn cycle_message(e: &openbadges_quiz::Error) -> String {
    match e {
        openbadges_quiz::Error::Invalid(p) => {
            assert_eq!(p.len(), 1, "{p:?}");
            assert_eq!(p[0].code, "qti-reference-cycle");
            assert!(p[0].line > 0, "{p:?}");
            p[0].message.clone()
        }
        other => panic!("not a reference cycle: {other:?}"),
    }
}

#[test]
fn test_that_references_itself_is_a_reference_cycle() {
    let manifest = "<manifest><resources><resource identifier=\"r\" type=\"imsqti_test_xmlv3p0\" href=\"test.xml\"/></resources></manifest>";
    // As an item, and as a section.
    let as_item = test_of(&section_of(
        "s",
        "<qti-assessment-item-ref identifier=\"a\" href=\"test.xml\"/>",
    ));
    let e = package_error(&[("imsmanifest.xml", manifest), ("test.xml", &as_item)]);
    assert_eq!(cycle_message(&e), "reference cycle: test.xml -> test.xml");
    let as_section = test_of("<qti-assessment-section-ref identifier=\"s\" href=\"./test.xml\"/>");
    let e = package_error(&[("imsmanifest.xml", manifest), ("test.xml", &as_section)]);
    assert_eq!(cycle_message(&e), "reference cycle: test.xml -> test.xml");
}

#[test]
fn sections_that_reference_each_other_are_a_reference_cycle() {
    let manifest = "<manifest><resources><resource identifier=\"r\" type=\"imsqti_test_xmlv3p0\" href=\"tests/test.xml\"/></resources></manifest>";
    let test = test_of("<qti-assessment-section-ref identifier=\"a\" href=\"../sections/a.xml\"/>");
    let a = section_of(
        "a",
        "<qti-assessment-item-ref identifier=\"i\" href=\"../items/i.xml\"/><qti-assessment-section-ref identifier=\"b\" href=\"b.xml\"/>",
    );
    let b = section_of(
        "b",
        "<qti-assessment-section-ref identifier=\"a\" href=\"a.xml\"/>",
    );
    let i = mc_item("i");
    let e = package_error(&[
        ("imsmanifest.xml", manifest),
        ("tests/test.xml", &test),
        ("sections/a.xml", &a),
        ("sections/b.xml", &b),
        ("items/i.xml", &i),
    ]);
    assert_eq!(
        cycle_message(&e),
        "reference cycle: test.xml -> ../sections/a.xml -> ../sections/b.xml -> ../sections/a.xml"
    );
    // Without the back reference the same files import, sections in document order.
    let b = section_of(
        "b",
        "<qti-assessment-item-ref identifier=\"j\" href=\"../items/j.xml\"/>",
    );
    let j = mc_item("j");
    let pkg = zip_of(&[
        ("imsmanifest.xml", manifest),
        ("tests/test.xml", &test),
        ("sections/a.xml", &a),
        ("sections/b.xml", &b),
        ("items/i.xml", &i),
        ("items/j.xml", &j),
    ]);
    let l =
        openbadges_quiz::qti::import_package(&pkg, Some("pkg.zip"), &Limits::default()).unwrap();
    let ids: Vec<(&str, Vec<&str>)> = l
        .quiz
        .sections
        .iter()
        .map(|s| {
            (
                s.id.as_str(),
                s.items.iter().map(|i| i.id.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(ids, vec![("a", vec!["i"]), ("b", vec!["j"])]);
    assert!(l.check(&Limits::default()).is_empty());
}

#[test]
fn item_referenced_many_times_is_read_and_parsed_once() {
    // A diamond: the test reaches `a.xml` three times directly and once more through a section
    // file in another folder; `parts/b.xml` once.
    let files: BTreeMap<&str, String> = BTreeMap::from([
        ("a.xml", mc_item("a")),
        ("parts/b.xml", mc_item("b")),
        (
            "parts/s2.xml",
            section_of(
                "s2",
                "<qti-assessment-item-ref identifier=\"a4\" href=\"../a.xml\"/><qti-assessment-item-ref identifier=\"b\" href=\"b.xml\"/>",
            ),
        ),
    ]);
    let test = test_of(&format!(
        "{}<qti-assessment-section-ref identifier=\"s2\" href=\"parts/s2.xml\"/>",
        section_of(
            "s1",
            "<qti-assessment-item-ref identifier=\"a1\" href=\"a.xml\"/><qti-assessment-item-ref identifier=\"a2\" href=\"a.xml\"/><qti-assessment-item-ref identifier=\"a3\" href=\"./a.xml\"/>",
        )
    ));
    let asked: std::cell::RefCell<Vec<String>> = Default::default();
    let resolve = |h: &str| {
        asked.borrow_mut().push(h.to_owned());
        files.get(h).cloned()
    };
    let l = import_item_or_test(&test, Some("dir/test.xml"), &Limits::default(), &resolve).unwrap();
    let mut asked = asked.into_inner();
    asked.sort();
    assert_eq!(asked, ["a.xml", "parts/b.xml", "parts/s2.xml"]);
    let items: Vec<Vec<&str>> = l
        .quiz
        .sections
        .iter()
        .map(|s| s.items.iter().map(|i| i.id.as_str()).collect())
        .collect();
    assert_eq!(items, vec![vec!["a", "a", "a"], vec!["a", "b"]]);
}

#[test]
fn small_package_whose_references_expand_past_the_size_limit_is_refused() {
    // One 1 MiB item (a few KiB compressed) referenced 64 times: 64 MiB once expanded.
    let big = item(
        "big",
        "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\"><qti-correct-response><qti-value>B</qti-value></qti-correct-response></qti-response-declaration>",
        &format!("<p>{}</p>{}", " ".repeat(1 << 20), choice_xml(1)),
        MC,
    );
    let refs: String = (0..64)
        .map(|n| format!("<qti-assessment-item-ref identifier=\"r{n}\" href=\"big.xml\"/>"))
        .collect();
    let test = test_of(&section_of("s", &refs));
    let pkg = zip_of(&[("test.xml", &test), ("big.xml", &big)]);
    assert!(pkg.len() < 16 * 1024, "{} bytes", pkg.len());
    let e = openbadges_quiz::qti::import_package(&pkg, Some("pkg.zip"), &Limits::default())
        .unwrap_err();
    assert!(
        matches!(&e, openbadges_quiz::Error::Limit(m) if m.contains("counted once per reference")),
        "{e:?}"
    );
    // Referenced 7 times it fits, and is parsed once.
    let refs: String = (0..7)
        .map(|n| format!("<qti-assessment-item-ref identifier=\"r{n}\" href=\"big.xml\"/>"))
        .collect();
    let pkg = zip_of(&[
        ("test.xml", &test_of(&section_of("s", &refs))),
        ("big.xml", &big),
    ]);
    let l =
        openbadges_quiz::qti::import_package(&pkg, Some("pkg.zip"), &Limits::default()).unwrap();
    assert_eq!(l.quiz.items().count(), 7);
}

#[test]
fn section_references_cannot_nest_without_end() {
    // A resolver that answers every path with the same section, which references `../s.xml`:
    // each key is new (`../s.xml`, `../../s.xml`, …), so no cycle is seen; the depth is bounded.
    let s = section_of(
        "s",
        "<qti-assessment-section-ref identifier=\"s\" href=\"../s.xml\"/>",
    );
    let asked = std::cell::Cell::new(0usize);
    let resolve = |_: &str| {
        asked.set(asked.get() + 1);
        Some(s.clone())
    };
    let test = test_of("<qti-assessment-section-ref identifier=\"s\" href=\"s.xml\"/>");
    let e = import_item_or_test(&test, Some("test.xml"), &Limits::default(), &resolve).unwrap_err();
    assert!(
        matches!(&e, openbadges_quiz::Error::Limit(m) if m.contains("nested")),
        "{e:?}"
    );
    assert!(asked.get() <= 65, "{}", asked.get());
}
