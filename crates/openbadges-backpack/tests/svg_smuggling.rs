//! Script smuggled into a baked SVG: every form is refused (with its position) by the XML
//! allow-list, both when importing and when choosing an image for an export; the fixtures'
//! genuine baked SVGs and ordinary drawing constructs are accepted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use openbadges_backpack::svg::check_svg;
use openbadges_backpack::{ImportResult, MemoryStore, Store};
use openbadges_proof::report::Status;

const XLINK: &str = r#" xmlns:xlink="http://www.w3.org/1999/xlink""#;

/// The genuine baked SVG with `inject` put just before `</svg>` and `root_attrs` on `<svg`.
fn hostile(root_attrs: &str, inject: &str) -> String {
    let text = String::from_utf8(fixture("ob2/baked/hosted-valid.svg")).unwrap();
    let with_attrs = text.replacen("<svg", &format!("<svg{root_attrs}"), 1);
    let at = with_attrs.rfind("</svg>").unwrap();
    format!("{}{inject}{}", &with_attrs[..at], &with_attrs[at..])
}

/// Each smuggling form: the SVG is refused by `check_svg` and by the import, with a position,
/// and nothing is stored.
fn refused(name: &str, svg: &str, expect: &str) {
    let err = check_svg(svg.as_bytes()).expect_err(name);
    assert!(
        err.to_string().contains(expect),
        "{name}: {err} (expected {expect:?})"
    );
    // The position points into the document, at or before the smuggled construct.
    assert!(
        err.position > 0 && (err.position as usize) < svg.len(),
        "{name}: {err:?}"
    );
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp.import(svg.as_bytes(), file(name)).unwrap();
    assert_eq!(r.result(), ImportResult::Failed, "{name}: {r:?}");
    let reason = r.items[0].reason.as_deref().unwrap();
    assert!(
        reason.contains("the SVG is refused") && reason.contains("at byte"),
        "{name}: {reason}"
    );
    assert!(bp.store().badges().unwrap().is_empty(), "{name}");
}

#[test]
fn a_javascript_url_hidden_in_character_references_is_refused() {
    for (name, href) in [
        ("decimal", "&#106;avascript:alert(1)"),
        ("hex", "&#x6A;&#x61;vascript:alert(1)"),
        ("tab-inside-scheme", "java&#9;script:alert(1)"),
        ("newline-inside-scheme", "java&#10;script:alert(1)"),
        ("upper-case", "JAVASCRIPT:alert(1)"),
    ] {
        refused(
            name,
            &hostile(
                XLINK,
                &format!(r#"<a xlink:href="{href}"><text y="20">x</text></a>"#),
            ),
            "xlink:href",
        );
        refused(
            name,
            &hostile(
                "",
                &format!(r#"<a href="{href}"><text y="20">x</text></a>"#),
            ),
            "href",
        );
    }
}

#[test]
fn entity_tricks_are_refused() {
    let text = String::from_utf8(fixture("ob2/baked/hosted-valid.svg")).unwrap();
    let body = text.replacen(
        "</svg>",
        r#"<a href="&js;"><text y="20">x</text></a></svg>"#,
        1,
    );
    // A declared entity.
    let with_doctype = body.replacen(
        "<svg",
        "<!DOCTYPE svg [<!ENTITY js \"javascript:alert(1)\">]><svg",
        1,
    );
    refused("doctype-entity", &with_doctype, "<!DOCTYPE");
    // A billion-laughs style internal subset, even without a use.
    let laughs = text.replacen(
        "<svg",
        "<!DOCTYPE svg [<!ENTITY a \"lol\"><!ENTITY b \"&a;&a;&a;\">]><svg",
        1,
    );
    refused("doctype-laughs", &laughs, "<!DOCTYPE");
    // An undeclared one.
    refused("undeclared-entity", &body, "reference");
}

#[test]
fn foreign_object_and_iframe_are_refused() {
    refused(
        "foreignObject",
        &hostile(
            "",
            r#"<foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe></foreignObject>"#,
        ),
        "<foreignObject>",
    );
    refused(
        "xhtml-script",
        &hostile(
            r#" xmlns:h="http://www.w3.org/1999/xhtml""#,
            "<h:script>alert(1)</h:script>",
        ),
        "<h:script>",
    );
    refused(
        "prefixed-svg-script",
        &hostile(
            r#" xmlns:s="http://www.w3.org/2000/svg""#,
            "<s:script>alert(1)</s:script>",
        ),
        "<s:script>",
    );
    refused(
        "script-in-metadata",
        &hostile(
            r#" xmlns:h="http://www.w3.org/1999/xhtml""#,
            "<metadata><h:script>alert(1)</h:script></metadata>",
        ),
        "<h:script>",
    );
}

#[test]
fn event_handler_attributes_and_animation_are_refused() {
    refused(
        "onload-root",
        &hostile(r#" onload="alert(1)""#, ""),
        "event-handler attribute onload",
    );
    refused(
        "onclick",
        &hostile("", r#"<rect width="1" height="1" onclick="alert(1)"/>"#),
        "event-handler attribute onclick",
    );
    refused(
        "onbegin-animate",
        &hostile(
            "",
            r#"<animate attributeName="href" values="javascript:alert(1)" onbegin="alert(2)"/>"#,
        ),
        "<animate>",
    );
    refused(
        "set-handler",
        &hostile("", r#"<set attributeName="onmouseover" to="alert(1)"/>"#),
        "<set>",
    );
}

#[test]
fn style_with_a_javascript_url_is_refused() {
    refused(
        "style-attribute",
        &hostile(
            "",
            r#"<rect width="1" height="1" style="fill:url(javascript:alert(1))"/>"#,
        ),
        "style",
    );
    refused(
        "style-element",
        &hostile(
            "",
            r#"<style>rect { fill: url("javascript:alert(1)") }</style>"#,
        ),
        "<style>",
    );
    refused(
        "style-escape",
        &hostile(
            "",
            r"<style>rect { fill: url(\6a avascript:alert(1)) }</style>",
        ),
        "CSS escape",
    );
    refused(
        "style-import",
        &hostile(
            "",
            r#"<style>@import "https://evil.example/x.css";</style>"#,
        ),
        "@import",
    );
    refused(
        "fill-external",
        &hostile(
            "",
            r#"<rect width="1" height="1" fill="url(https://evil.example/p.svg#g)"/>"#,
        ),
        "url(",
    );
}

#[test]
fn external_references_are_refused() {
    refused(
        "use-http",
        &hostile("", r#"<use href="http://evil.example/x.svg#a"/>"#),
        "only #id references",
    );
    refused(
        "use-xlink-http",
        &hostile(XLINK, r#"<use xlink:href="//evil.example/x.svg#a"/>"#),
        "only #id references",
    );
    refused(
        "image-https",
        &hostile("", r#"<image href="https://evil.example/track.png"/>"#),
        "only #id references",
    );
    refused(
        "image-svg-data",
        &hostile(
            "",
            r#"<image href="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIi8+"/>"#,
        ),
        "only #id references",
    );
    refused(
        "stylesheet-pi",
        &hostile("", "").replacen(
            "<svg",
            "<?xml-stylesheet href=\"https://evil.example/x.css\"?><svg",
            1,
        ),
        "processing instruction",
    );
}

#[test]
fn the_fixtures_baked_svgs_and_plain_drawing_are_accepted() {
    let svgs = fixture_files(&["ob2", "ob3", "backpack"])
        .into_iter()
        .filter(|f| f.ends_with(".svg"))
        .collect::<Vec<_>>();
    assert!(svgs.len() >= 10, "{svgs:?}");
    for f in &svgs {
        check_svg(&fixture(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    for f in ["ob2/baked/hosted-valid.svg", "ob2/baked/signed-valid.svg"] {
        let mut bp =
            backpack(MemoryStore::new(), FixedVerifier(Status::Valid)).with_fetcher(ServedFetcher);
        let r = bp.import(&fixture(f), file(f)).unwrap();
        assert_eq!(r.result(), ImportResult::Imported, "{f}: {r:?}");
    }
    // Gradients, in-document references, raster data images, editor metadata.
    let drawing = hostile(
        r#" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape""#,
        r##"<metadata><rdf:RDF><rdf:Description rdf:about=""/></rdf:RDF></metadata>
<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>
<style>.c { fill: url(#g); stroke: url('#g') }</style></defs>
<g inkscape:label="layer" transform="translate(1 1)"><rect class="c" width="2" height="2" fill="url(#g)"/>
<use href="#g"/><use xlink:href="#g"/>
<image width="1" height="1" href="data:image/png;base64,iVBORw0KGgo="/>
<a href="#g"><text x="1" y="1" font-family="sans-serif">A &amp; B &#169;</text></a></g>"##,
    );
    check_svg(drawing.as_bytes()).unwrap();
}
