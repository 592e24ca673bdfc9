//! SVG baking is right for every prolog: a byte-order mark, an XML declaration, comments,
//! processing instructions, a DOCTYPE (with an internal subset), whitespace, and `<svg` inside
//! comments, PIs, the DOCTYPE and CDATA. Each baked file is parsed by a real XML parser
//! (quick-xml), extracted, and un-baked to the original bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_bake::{
    BakeOptions, SVG_NAMESPACE_OB2, SVG_NAMESPACE_OB3, bake_detailed, extract, unbake,
};
use proptest::prelude::*;
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

const BOM: &str = "\u{FEFF}";
const URL: &str = "https://example.org/assertions/1?a=1&b=2";
const JSON: &str = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/a/1","verification":{"type":"hosted"},"name":"<svg> ]]> </svg>"}"#;
const JSON3: &str = r#"{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"name":"x"}"#;

fn attrs(s: &BytesStart<'_>) -> Vec<(Vec<u8>, Vec<u8>)> {
    s.attributes()
        .map(|a| {
            let a = a.unwrap();
            (a.key.as_ref().to_vec(), a.value.into_owned())
        })
        .collect()
}

/// What a real XML parser sees in a document: the root's attributes, and the badge elements
/// (namespace, local name, depth).
#[derive(Debug, PartialEq)]
struct Parsed {
    root: Vec<(Vec<u8>, Vec<u8>)>,
    badges: Vec<(String, String, usize)>,
}

fn parse(bytes: &[u8]) -> Parsed {
    let mut r = NsReader::from_reader(bytes);
    r.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut root = None;
    let mut badges = Vec::new();
    loop {
        let (ns, ev) = r
            .read_resolved_event()
            .unwrap_or_else(|e| panic!("not well-formed: {e}\n{}", String::from_utf8_lossy(bytes)));
        match ev {
            Event::Start(ref s) | Event::Empty(ref s) => {
                if root.is_none() {
                    root = Some(attrs(s));
                } else if let ResolveResult::Bound(n) = ns {
                    let n = String::from_utf8(n.as_ref().to_vec()).unwrap();
                    if n == SVG_NAMESPACE_OB2 || n == SVG_NAMESPACE_OB3 {
                        let local = String::from_utf8(s.local_name().as_ref().to_vec()).unwrap();
                        badges.push((n, local, depth));
                    }
                }
                if matches!(ev, Event::Start(_)) {
                    depth += 1;
                }
            }
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0);
    Parsed {
        root: root.expect("a root element"),
        badges,
    }
}

fn remove_ranges(bytes: &[u8], ranges: &[std::ops::Range<usize>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pos = 0;
    for r in ranges {
        out.extend_from_slice(&bytes[pos..r.start]);
        pos = r.end;
    }
    out.extend_from_slice(&bytes[pos..]);
    out
}

/// Bakes, then checks everything the module promises for `original`.
/// The bytes without `range`.
fn without(bytes: &[u8], range: &std::ops::Range<usize>) -> Vec<u8> {
    [&bytes[..range.start], &bytes[range.end..]].concat()
}

/// `doctype`: where the original's document type declaration is (empty when it has none).
/// quick-xml cannot read every internal subset (it ends the declaration at the first `>` that
/// balances a `<`, even inside a literal), so the documents are parsed without it; the bytes
/// up to its end must be the same before and after baking.
/// `empty_root`: the original is `<svg …></svg>`.
fn check(
    original: &str,
    doctype: std::ops::Range<usize>,
    self_closing: bool,
    empty_root: bool,
    payload: &str,
) {
    let original = original.as_bytes();
    let before = parse(&without(original, &doctype));
    assert!(before.badges.is_empty());
    let baked = bake_detailed(original, payload, &BakeOptions::default()).unwrap();
    assert_eq!(&baked.bytes[..doctype.end], &original[..doctype.end]);
    // Well-formed, the root keeps every attribute it had (plus our declaration), and the badge
    // element is a child of the root in the namespace of its form.
    let after = parse(&without(&baked.bytes, &doctype));
    let mut want = before.root.clone();
    want.push((
        b"xmlns:openbadges".to_vec(),
        baked.version.svg_namespace().as_bytes().to_vec(),
    ));
    assert_eq!(
        after.root,
        want,
        "{}",
        String::from_utf8_lossy(&baked.bytes)
    );
    assert_eq!(
        after.badges,
        vec![(
            baked.version.svg_namespace().to_owned(),
            baked.version.svg_element().to_owned(),
            1
        )]
    );
    // The BOM, if any, is still first.
    assert_eq!(
        baked.bytes.starts_with(BOM.as_bytes()),
        original.starts_with(BOM.as_bytes())
    );
    // Extracted back.
    let found = extract(&baked.bytes).unwrap();
    assert_eq!(found.payload, payload);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    // Un-baked to the original bytes (an empty `<svg …></svg>` comes back as `<svg …/>`, as
    // documented); the inserted ranges are exactly what was added.
    let text = std::str::from_utf8(original).unwrap();
    let unbaked = if empty_root {
        let at = text.rfind("></svg>").unwrap();
        format!("{}/>{}", &text[..at], &text[at + "></svg>".len()..])
    } else {
        text.to_owned()
    };
    assert_eq!(
        String::from_utf8(unbake(&baked.bytes).unwrap()).unwrap(),
        unbaked
    );
    let rest = remove_ranges(&baked.bytes, &baked.inserted);
    if self_closing {
        let text = std::str::from_utf8(original).unwrap();
        let at = text.rfind("/>").unwrap();
        assert_eq!(
            rest,
            format!("{}>{}", &text[..at], &text[at + 2..]).into_bytes()
        );
    } else {
        assert_eq!(rest, original);
    }
}

#[test]
fn svg_with_a_byte_order_mark_is_baked_inside_the_root_tag() {
    let original = format!(
        "{BOM}<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"6\" height=\"6\"><rect/></svg>"
    );
    let baked = bake_detailed(original.as_bytes(), URL, &BakeOptions::default()).unwrap();
    let expected = format!(
        "{BOM}<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"6\" height=\"6\" xmlns:openbadges=\"{SVG_NAMESPACE_OB2}\"><openbadges:assertion verify=\"https://example.org/assertions/1?a=1&amp;b=2\"/><rect/></svg>"
    );
    assert_eq!(String::from_utf8(baked.bytes).unwrap(), expected);
    check(&original, 0..0, false, false, URL);
    check(&original, 0..0, false, false, JSON);
}

#[test]
fn doctype_whose_literals_hold_markup_is_skipped_whole() {
    // quick-xml alone ends this declaration inside the entity's literal and takes the
    // `<svg …/>` written there for the root: the badge went into the DTD, where no other
    // reader sees it. Each declaration here must be skipped whole.
    for doctype in &DOCTYPES[1..] {
        let original = format!(
            "{doctype}\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"6\"><rect/></svg>"
        );
        let baked = bake_detailed(original.as_bytes(), URL, &BakeOptions::default()).unwrap();
        let expected = format!(
            "{doctype}\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"6\" xmlns:openbadges=\"{SVG_NAMESPACE_OB2}\"><openbadges:assertion verify=\"https://example.org/assertions/1?a=1&amp;b=2\"/><rect/></svg>"
        );
        assert_eq!(String::from_utf8(baked.bytes.clone()).unwrap(), expected);
        assert_eq!(extract(&baked.bytes).unwrap().payload, URL);
        assert_eq!(unbake(&baked.bytes).unwrap(), original.as_bytes());
    }
    // A declaration that does not end is not taken for an SVG prolog: no guess at where it ends.
    let e =
        extract(b"<!DOCTYPE svg [<!ENTITY e \"a>b\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>")
            .unwrap_err();
    assert_eq!(e.kind_code(), "UNKNOWN_FORMAT", "{e:?}");
}

#[test]
fn byte_order_mark_positions_in_errors_index_the_file() {
    // An error's offset counts the mark: the unclosed root starts at byte 3.
    let doc = format!("{BOM}<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>");
    let e = unbake(doc.as_bytes()).unwrap_err();
    let plain = unbake(&doc.as_bytes()[3..]).unwrap_err();
    assert_eq!(
        e.position().unwrap().offset(),
        plain.position().unwrap().offset() + 3,
        "{e}"
    );
}

fn misc() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<!-- <svg width=\"1\"> > -- -->".to_owned()),
        Just("<!---->".to_owned()),
        Just("<?xml-stylesheet href=\"a.css\" type=\"text/css\"?>".to_owned()),
        Just("<?tool <svg height=\"2\"> '\"?>".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\t".to_owned()),
    ]
}

/// Document type declarations, with internal subsets whose literals, comments and processing
/// instructions hold `>`, `]>`, `<svg` and even a whole `<svg …/>` start tag.
const DOCTYPES: &[&str] = &[
    "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">",
    "<!DOCTYPE svg [\n  <!ENTITY logo \"<svg height='1'>\">\n  <!-- <svg> ]> -->\n  <!ATTLIST svg x CDATA \"a>b\">\n  <?pi <svg> ]> ?>\n]>",
    "<!DOCTYPE svg SYSTEM 'x.dtd' [<!ELEMENT svg ANY>]>",
    "<!DOCTYPE svg [<!ENTITY e \"a>><svg xmlns='http://www.w3.org/2000/svg'/>\">]>",
    "<!DOCTYPE svg SYSTEM \"a>b.dtd\" [ %pe; <!NOTATION n PUBLIC 'p>q'> ] >",
];

/// A prolog and where its document type declaration is.
fn prolog() -> impl Strategy<Value = (String, std::ops::Range<usize>)> {
    let decl = prop_oneof![
        Just(String::new()),
        Just("<?xml version=\"1.0\"?>".to_owned()),
        Just("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n".to_owned()),
        Just("<?xml version='1.0' encoding='utf-8'?>".to_owned()),
    ];
    let doctype = prop_oneof![Just(""), proptest::sample::select(DOCTYPES),];
    (
        any::<bool>(),
        decl,
        proptest::collection::vec(misc(), 0..4),
        doctype,
        proptest::collection::vec(misc(), 0..4),
    )
        .prop_map(|(bom, decl, m1, doctype, m2)| {
            let head = format!("{}{decl}{}", if bom { BOM } else { "" }, m1.concat());
            let range = head.len()..head.len() + doctype.len();
            (format!("{head}{doctype}{}", m2.concat()), range)
        })
}

fn root_attrs() -> impl Strategy<Value = String> {
    proptest::sample::subsequence(
        vec![
            " width=\"6\"",
            "\n  height='6'",
            " data-x=\"a>b\"",
            " data-y='<svg>'",
            " viewBox=\"0 0 6 6\"",
            "\txmlns:xlink=\"http://www.w3.org/1999/xlink\"",
        ],
        0..4,
    )
    .prop_shuffle()
    .prop_map(|v| v.concat())
}

fn body() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("<rect width=\"1\"/>"),
            Just("<![CDATA[ <svg> </svg> ]]>"),
            Just("<!-- </svg> <svg> -->"),
            Just("<svg x=\"1\"><g/></svg>"),
            Just("<?pi </svg>?>"),
            Just("text &amp; &lt;svg&gt;"),
            Just("\n"),
        ],
        0..5,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn every_prolog_bakes_to_a_well_formed_file_that_unbakes_to_the_original(
        (prolog, doctype) in prolog(),
        attrs in root_attrs(),
        ws in prop_oneof![Just(""), Just(" "), Just("\n")],
        self_closing in any::<bool>(),
        body in body(),
        trailer in proptest::collection::vec(misc(), 0..3),
        payload in prop_oneof![Just(URL), Just(JSON), Just(JSON3)],
    ) {
        let open = format!("<svg xmlns=\"http://www.w3.org/2000/svg\"{attrs}{ws}");
        let doc = if self_closing {
            format!("{prolog}{open}/>{}", trailer.concat())
        } else {
            format!("{prolog}{open}>{body}</svg>{}", trailer.concat())
        };
        check(&doc, doctype, self_closing, !self_closing && body.is_empty(), payload);
    }
}
