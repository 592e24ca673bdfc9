//! Which SVG images the backpack takes, keeps and serves: a real XML parse (quick-xml, with
//! namespaces) against an allow-list of SVG presentation elements and attributes.
//!
//! Refused, with the byte position: any element outside the list (`script`, `foreignObject`,
//! `iframe`, animation elements, anything in the XHTML or an unknown namespace), any attribute
//! outside the list (every `on…` event handler among them), a `href` / `xlink:href` that is
//! not an in-document `#id` reference or a raster `data:` image (checked after resolving
//! character references), a CSS `url(…)` of the same kinds only, CSS escapes, `@import` and
//! `expression(`, a `<!DOCTYPE` with an internal subset (entity declarations), entity
//! references other than XML's five, and processing instructions (`<?xml-stylesheet …?>`).
//! The Open Badges baking elements (`openbadges:assertion`, `openbadges:credential`) stay
//! allowed, with their `verify` attribute and the payload as text or CDATA.
//!
//! Refusing, never stripping: the backpack keeps originals byte for byte.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

/// The Content-Security-Policy under which stored SVG images (and pages showing badge content)
/// are served: no script of any kind, inline styles only, images only from `data:` URLs.
pub const SVG_CONTENT_SECURITY_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

const SVG_NS: &[u8] = b"http://www.w3.org/2000/svg";
const XLINK_NS: &[u8] = b"http://www.w3.org/1999/xlink";
const XML_NS: &[u8] = b"http://www.w3.org/XML/1998/namespace";
/// Editors' metadata namespaces, allowed only inside `<metadata>` (never rendered).
const METADATA_NS: &[&[u8]] = &[
    b"http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    b"http://purl.org/dc/elements/1.1/",
    b"http://creativecommons.org/ns#",
    b"http://web.resource.org/cc/",
];
/// Editors' namespaces whose attributes (not elements) browsers ignore.
const EDITOR_NS: &[&[u8]] = &[
    b"http://www.inkscape.org/namespaces/inkscape",
    b"http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
];

/// SVG elements that only draw (no script, no animation, no foreign content).
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "metadata",
    "switch",
    "a",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "linearGradient",
    "radialGradient",
    "stop",
    "pattern",
    "clipPath",
    "mask",
    "marker",
    "image",
    "style",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
];

/// Unprefixed attributes: core, geometry, presentation, gradient, filter and text attributes.
const ATTRIBUTES: &[&str] = &[
    "id",
    "class",
    "style",
    "lang",
    "tabindex",
    "role",
    "focusable",
    "transform",
    "x",
    "y",
    "width",
    "height",
    "viewBox",
    "preserveAspectRatio",
    "version",
    "baseProfile",
    "zoomAndPan",
    "d",
    "pathLength",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "x1",
    "y1",
    "x2",
    "y2",
    "points",
    "dx",
    "dy",
    "rotate",
    "textLength",
    "lengthAdjust",
    "startOffset",
    "method",
    "spacing",
    "side",
    "href",
    "offset",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "fx",
    "fy",
    "fr",
    "patternUnits",
    "patternContentUnits",
    "patternTransform",
    "clipPathUnits",
    "maskUnits",
    "maskContentUnits",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "refX",
    "refY",
    "orient",
    "filterUnits",
    "primitiveUnits",
    "in",
    "in2",
    "result",
    "stdDeviation",
    "type",
    "values",
    "mode",
    "operator",
    "k1",
    "k2",
    "k3",
    "k4",
    "order",
    "kernelMatrix",
    "divisor",
    "bias",
    "targetX",
    "targetY",
    "edgeMode",
    "preserveAlpha",
    "surfaceScale",
    "diffuseConstant",
    "specularConstant",
    "specularExponent",
    "kernelUnitLength",
    "scale",
    "xChannelSelector",
    "yChannelSelector",
    "azimuth",
    "elevation",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "limitingConeAngle",
    "radius",
    "baseFrequency",
    "numOctaves",
    "seed",
    "stitchTiles",
    "tableValues",
    "slope",
    "intercept",
    "amplitude",
    "exponent",
    "media",
    "requiredFeatures",
    "requiredExtensions",
    "systemLanguage",
    // Presentation attributes (SVG 1.1 §"Property index", SVG 2 geometry properties).
    "alignment-baseline",
    "baseline-shift",
    "clip",
    "clip-path",
    "clip-rule",
    "color",
    "color-interpolation",
    "color-interpolation-filters",
    "color-profile",
    "color-rendering",
    "direction",
    "display",
    "dominant-baseline",
    "enable-background",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "flood-color",
    "flood-opacity",
    "font",
    "font-family",
    "font-size",
    "font-size-adjust",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "glyph-orientation-horizontal",
    "glyph-orientation-vertical",
    "image-rendering",
    "kerning",
    "letter-spacing",
    "lighting-color",
    "marker",
    "marker-end",
    "marker-mid",
    "marker-start",
    "mask",
    "mix-blend-mode",
    "isolation",
    "opacity",
    "overflow",
    "paint-order",
    "pointer-events",
    "shape-rendering",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "text-anchor",
    "text-decoration",
    "text-rendering",
    "transform-origin",
    "unicode-bidi",
    "vector-effect",
    "visibility",
    "word-spacing",
    "writing-mode",
];

/// Why an SVG image is refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SvgRefusal {
    /// Byte offset in the image where the refused construct starts (or the parser stopped).
    pub position: u64,
    /// What was found.
    pub what: String,
}

impl std::fmt::Display for SvgRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.what, self.position)
    }
}

impl std::error::Error for SvgRefusal {}

/// Whether a URL value may be used: an in-document `#id` reference or a raster `data:` image.
/// `value` has its character references resolved already; whitespace and control characters
/// (which browsers drop inside a scheme) are removed before looking.
fn allowed_reference(value: &str) -> bool {
    let v: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    if v.starts_with('#') {
        return true;
    }
    ["png", "jpeg", "jpg", "gif", "webp"].iter().any(|t| {
        v.strip_prefix("data:image/")
            .and_then(|r| r.strip_prefix(t))
            .is_some_and(|r| r.starts_with(';') || r.starts_with(','))
    })
}

/// Why CSS (a `style` attribute or element, or a presentation attribute's value) is refused.
fn css_problem(css: &str) -> Option<String> {
    let lower = css.to_ascii_lowercase();
    if lower.contains('\\') {
        return Some("a CSS escape".to_owned());
    }
    for bad in [
        "@import",
        "expression(",
        "javascript:",
        "-moz-binding",
        "behavior:",
    ] {
        if lower.contains(bad) {
            return Some(format!("CSS `{bad}`"));
        }
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        let after = rest.get(at + 4..).unwrap_or("");
        let end = after.find(')').unwrap_or(after.len());
        let arg = after
            .get(..end)
            .unwrap_or("")
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        if !allowed_reference(arg) {
            return Some(format!(
                "a CSS url({arg}) that is not a #id reference or a raster data: image"
            ));
        }
        rest = after.get(end..).unwrap_or("");
    }
    None
}

fn ns_is(r: &ResolveResult<'_>, ns: &[u8]) -> bool {
    matches!(r, ResolveResult::Bound(n) if n.as_ref() == ns)
}

fn ns_in(r: &ResolveResult<'_>, list: &[&[u8]]) -> bool {
    list.iter().any(|ns| ns_is(r, ns))
}

/// Checks one element's name and attributes; `in_metadata` when inside `<metadata>`.
fn check_element(
    reader: &NsReader<&[u8]>,
    ns: &ResolveResult<'_>,
    e: &BytesStart<'_>,
    in_metadata: bool,
    at: u64,
) -> Result<Kind, SvgRefusal> {
    let refuse = |what: String| SvgRefusal { position: at, what };
    let qname = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let kind = if ns_is(ns, SVG_NS) && ELEMENTS.contains(&local.as_str()) {
        match local.as_str() {
            "metadata" => Kind::Metadata,
            "style" => Kind::Style,
            _ => Kind::Svg,
        }
    } else if openbadges_bake::SVG_ACCEPTED_NAMESPACES
        .iter()
        .any(|b| ns_is(ns, b.as_bytes()))
        && matches!(local.as_str(), "assertion" | "credential")
    {
        Kind::Baked
    } else if in_metadata && ns_in(ns, METADATA_NS) {
        Kind::Metadata
    } else {
        return Err(refuse(format!(
            "the element <{qname}>, which is not an allowed SVG element"
        )));
    };
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|err| refuse(format!("a malformed attribute in <{qname}> ({err})")))?;
        let name = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value: Cow<'_, str> = a.unescape_value().map_err(|err| {
            refuse(format!(
                "the attribute {name} of <{qname}> has an undeclared or bad reference ({err})"
            ))
        })?;
        let (ans, alocal) = reader.resolve_attribute(a.key);
        let alocal = String::from_utf8_lossy(alocal.as_ref()).into_owned();
        let is_xmlns = name == "xmlns" || name.starts_with("xmlns:");
        let allowed = is_xmlns
            || match &ans {
                ResolveResult::Unbound => match kind {
                    Kind::Baked => alocal == "verify",
                    Kind::Metadata => alocal == "about" || ATTRIBUTES.contains(&alocal.as_str()),
                    _ => ATTRIBUTES.contains(&alocal.as_str()),
                },
                r if ns_is(r, XLINK_NS) => matches!(alocal.as_str(), "href" | "title"),
                r if ns_is(r, XML_NS) => matches!(alocal.as_str(), "space" | "lang"),
                r => ns_in(r, EDITOR_NS) || (kind == Kind::Metadata && ns_in(r, METADATA_NS)),
            };
        if !allowed || alocal.to_ascii_lowercase().starts_with("on") && !is_xmlns {
            let what = if alocal.to_ascii_lowercase().starts_with("on") {
                "an event-handler attribute"
            } else {
                "an attribute that is not allowed"
            };
            return Err(refuse(format!("{what} {name} on <{qname}>")));
        }
        if is_xmlns || kind == Kind::Baked {
            continue;
        }
        if alocal == "href" && !allowed_reference(&value) {
            return Err(refuse(format!(
                "{name}=\"{value}\" on <{qname}>: only #id references and raster data: images \
                 are allowed"
            )));
        }
        if value
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_ascii_lowercase()
            .contains("javascript:")
        {
            return Err(refuse(format!("a javascript: URL in {name} on <{qname}>")));
        }
        if let Some(p) = css_problem(&value) {
            return Err(refuse(format!("{p} in {name} on <{qname}>")));
        }
    }
    Ok(kind)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Svg,
    Style,
    Metadata,
    Baked,
}

/// Checks an SVG image against the allow-list (see the module documentation). `Ok` means the
/// backpack may keep and serve it (under [`SVG_CONTENT_SECURITY_POLICY`]).
///
/// # Errors
/// The first construct outside the allow-list, or malformed XML, with its byte position.
pub fn check_svg(svg: &[u8]) -> Result<(), SvgRefusal> {
    let mut reader = NsReader::from_reader(svg);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.expand_empty_elements = false;
    // The element stack: each open element's kind.
    let mut open: Vec<Kind> = Vec::new();
    let mut root_seen = false;
    loop {
        let at = reader.buffer_position();
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                return Err(SvgRefusal {
                    position: reader.error_position(),
                    what: format!("malformed XML ({e})"),
                });
            }
        };
        let refuse = |what: String| SvgRefusal { position: at, what };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let (ns, _) = reader.resolve_element(e.name());
                if open.is_empty() {
                    if root_seen {
                        return Err(refuse("a second root element".to_owned()));
                    }
                    root_seen = true;
                    if !(ns_is(&ns, SVG_NS) && e.local_name().as_ref() == b"svg") {
                        return Err(refuse(
                            "a root element that is not <svg> in the SVG namespace".to_owned(),
                        ));
                    }
                }
                let in_metadata = open.contains(&Kind::Metadata);
                let kind = check_element(&reader, &ns, e, in_metadata, at)?;
                if matches!(event, Event::Start(_)) {
                    open.push(kind);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| {
                    refuse(format!("text with an undeclared or bad reference ({e})"))
                })?;
                if open.last() == Some(&Kind::Style) {
                    if let Some(p) = css_problem(&text) {
                        return Err(refuse(format!("{p} in a <style> element")));
                    }
                }
            }
            Event::CData(c) => {
                if open.last() == Some(&Kind::Style) {
                    let text = String::from_utf8_lossy(&c);
                    if let Some(p) = css_problem(&text) {
                        return Err(refuse(format!("{p} in a <style> element")));
                    }
                }
            }
            Event::DocType(d) => {
                if d.as_ref().contains(&b'[') {
                    return Err(refuse(
                        "a <!DOCTYPE> with an internal subset (entity declarations)".to_owned(),
                    ));
                }
            }
            Event::PI(_) => {
                return Err(refuse("a processing instruction".to_owned()));
            }
            Event::Decl(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !root_seen {
        return Err(SvgRefusal {
            position: 0,
            what: "no <svg> element".to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_allowed_are_ids_and_raster_data_only() {
        assert!(allowed_reference("#a"));
        assert!(allowed_reference("data:image/png;base64,AAAA"));
        assert!(allowed_reference(" DATA:image/JPEG,xx"));
        assert!(!allowed_reference("data:image/svg+xml;base64,AAAA"));
        assert!(!allowed_reference("data:image/pngx;base64,AAAA"));
        assert!(!allowed_reference("http://a.example/x.png"));
        assert!(!allowed_reference("java\tscript:alert(1)"));
    }
}
