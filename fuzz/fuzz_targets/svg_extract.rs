//! Fuzz the SVG side of `openbadges_bake`: extraction, baking and unbaking must never panic, and
//! what bakes must extract to the same payload.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_bake::{BakeOptions, Limits};

fuzz_target!(|data: &[u8]| {
    // Half the inputs get an SVG root so the fuzzer spends its time inside the document.
    let owned;
    let svg: &[u8] = if data.first().is_some_and(|b| b & 1 == 1) {
        let mut v = b"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\">".to_vec();
        v.extend_from_slice(data.get(1..).unwrap_or_default());
        owned = v;
        &owned
    } else {
        data
    };
    let _ = openbadges_bake::extract(svg);
    let _ = openbadges_bake::extract_reader(svg, &Limits::default());
    let _ = openbadges_bake::unbake(svg);
    for payload in [
        "https://example.org/assertions/1?a=1&b=2",
        r#"{"@context":"https://w3id.org/openbadges/v2","id":"https://e.org/a]]>","verification":{"type":"hosted"}}"#,
    ] {
        if let Ok(baked) = openbadges_bake::bake(svg, payload, &BakeOptions::default().replace(true)) {
            let found = openbadges_bake::extract(&baked).expect("a baked image extracts");
            assert_eq!(found.payload, payload);
        }
    }
});
