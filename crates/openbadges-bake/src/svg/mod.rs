//! SVG: a byte-exact splice of the badge element, and a safe, bounded reader.
//!
//! Reading uses quick-xml's namespace-aware pull parser over the borrowed bytes: it never
//! processes a DTD, never expands an entity beyond the five predefined ones and character
//! references, and never fetches anything. Writing never re-serializes the document: the
//! parser only tells us byte offsets, and the output is the input with a few bytes inserted.
//!
//! The reader is `scan`; this module sniffs, extracts, and writes the badge element.

mod scan;

use quick_xml::events::Event;

use self::scan::{DOCTYPE, Found, UTF8_BOM, doctype_end, scan, syntax};
use crate::payload::hosted_url;
use crate::{
    BadgeVersion, BakeOptions, Baked, Error, Extracted, ImageFormat, Limits, PayloadKind, Position,
    SVG_NAMESPACE_OB2, SVG_NAMESPACE_OB3, Warning,
};

/// Namespace URIs accepted for badge elements: the two the specifications prescribe and the
/// variants seen in the wild.
pub const ACCEPTED_NAMESPACES: &[&str] = &[
    SVG_NAMESPACE_OB2,
    "http://openbadges.org/",
    "https://openbadges.org",
    "https://openbadges.org/",
    SVG_NAMESPACE_OB3,
    "https://purl.imsglobal.org/ob/v3p0/",
    "http://purl.imsglobal.org/ob/v3p0",
    "https://purl.imsglobal.org/spec/ob/v3p0",
    "https://purl.imsglobal.org/spec/ob/v3p0/",
];

/// Content sniffing: an XML prolog followed by an `svg` root element. Uses the same reader as
/// extraction and baking, so a document is taken for an SVG exactly when they can find its root.
pub(crate) fn looks_like_svg(bytes: &[u8]) -> bool {
    let mut from = if bytes.starts_with(UTF8_BOM) {
        UTF8_BOM.len()
    } else {
        0
    };
    let mut reader = quick_xml::Reader::from_reader(bytes.get(from..).unwrap_or_default());
    // The prolog is short; a document whose prolog holds more events than this is not a badge.
    for _ in 0..10_000 {
        let at = from + usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        if bytes.get(at..).is_some_and(|r| r.starts_with(DOCTYPE)) {
            // Skipped as `scan` skips it.
            let Some(end) = doctype_end(bytes, at) else {
                return false;
            };
            from = end;
            reader = quick_xml::Reader::from_reader(bytes.get(from..).unwrap_or_default());
            continue;
        }
        match reader.read_event() {
            Ok(Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_)) => {}
            Ok(Event::Text(t)) if t.iter().all(u8::is_ascii_whitespace) => {}
            Ok(Event::Start(s) | Event::Empty(s)) => return s.local_name().as_ref() == b"svg",
            _ => return false,
        }
    }
    false
}

/// Why bytes that are not a PNG were not taken for an SVG either.
pub(crate) fn explain_not_svg(bytes: &[u8]) -> Result<Extracted, Error> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Error::UnsupportedEncoding {
            encoding: "UTF-16".into(),
        });
    }
    Err(Error::UnknownFormat)
}

fn to_extracted(
    bytes: &[u8],
    found: &Found,
    limits: &Limits,
) -> Result<(Extracted, Vec<Warning>), Error> {
    let position = Position::in_text(bytes, found.range.start);
    let mut warnings = Vec::new();
    let version = if found.local == "credential" {
        BadgeVersion::V3
    } else {
        BadgeVersion::V2
    };
    if let Some(ns) = &found.namespace {
        if ns != version.svg_namespace() {
            warnings.push(Warning::UnexpectedNamespace {
                namespace: ns.clone(),
                position,
            });
        }
    }
    if !found.first_child {
        warnings.push(Warning::NotFirstChild { position });
    }
    let body = found.body.trim();
    let payload = if !body.is_empty() {
        body.to_owned()
    } else {
        match found.verify.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => v.to_owned(),
            _ => return Err(Error::UnrecognizedPayload { position }),
        }
    };
    limits.check_payload_len(payload.len(), position)?;
    let payload_kind =
        PayloadKind::detect(&payload).ok_or(Error::UnrecognizedPayload { position })?;
    Ok((
        Extracted {
            format: ImageFormat::Svg,
            keyword: found.local.clone(),
            payload,
            payload_kind,
            version,
            position,
            warnings: Vec::new(),
        },
        warnings,
    ))
}

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, Error> {
    let scan = scan(bytes, limits, true, false)?;
    let mut badges = scan.badges.iter();
    let first = badges.next().ok_or(Error::NotBaked {
        format: ImageFormat::Svg,
    })?;
    let (mut extracted, warnings) = to_extracted(bytes, first, limits)?;
    extracted.warnings = scan.warnings;
    extracted.warnings.extend(warnings);
    for dup in badges {
        extracted.warnings.push(Warning::DuplicateBadge {
            position: Position::in_text(bytes, dup.range.start),
        });
    }
    Ok(extracted)
}

fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

fn cdata(s: &str) -> String {
    // "]]>" cannot appear inside one CDATA section: close it after "]]" and reopen before ">".
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

fn xml_safe(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t' | '\n' | '\r')
            || (c >= ' '
                && c != '\u{FFFE}'
                && c != '\u{FFFF}'
                && !('\u{7F}'..='\u{84}').contains(&c)
                && !('\u{86}'..='\u{9F}').contains(&c))
    })
}

/// The badge element text for this payload and form.
fn element(payload: &str, kind: PayloadKind, version: BadgeVersion, ns_attr: &str) -> String {
    let name = format!("openbadges:{}", version.svg_element());
    match kind {
        PayloadKind::Json => {
            let verify = match version {
                BadgeVersion::V2 => {
                    hosted_url(payload).map(|u| format!(" verify=\"{}\"", escape_attr(&u)))
                }
                _ => None,
            }
            .unwrap_or_default();
            format!("<{name}{ns_attr}{verify}>{}</{name}>", cdata(payload))
        }
        _ => format!("<{name}{ns_attr} verify=\"{}\"/>", escape_attr(payload)),
    }
}

pub(crate) fn bake(
    bytes: &[u8],
    payload: &str,
    kind: PayloadKind,
    version: BadgeVersion,
    options: &BakeOptions,
) -> Result<Baked, Error> {
    if !xml_safe(payload) {
        return Err(crate::error::invalid_payload(
            "the payload holds characters XML cannot carry",
        ));
    }
    let scan = scan(bytes, &options.limits, false, false)?;
    if let Some(first) = scan.badges.first() {
        if !options.replace {
            return Err(Error::AlreadyBaked {
                format: ImageFormat::Svg,
                position: Position::in_text(bytes, first.range.start),
            });
        }
    }
    let ns = version.svg_namespace();
    let decl = format!(" xmlns:openbadges=\"{ns}\"");
    let (root_attr, elem_attr) = match scan.root_ns.as_deref() {
        None => (decl, String::new()),
        Some(existing) if existing == ns => (String::new(), String::new()),
        Some(_) => (String::new(), decl),
    };
    let elem = element(payload, kind, version, &elem_attr);
    let tag_end = scan.root_tag_end;
    // Where the attribute goes: just before ">" or "/>" of the root start tag.
    let close_len = if scan.root_self_closing { 2 } else { 1 };
    let attr_at = tag_end
        .checked_sub(close_len)
        .ok_or_else(|| syntax(bytes, 0, "root tag too short"))?;
    let mut out =
        Vec::with_capacity(bytes.len() + elem.len() + root_attr.len() + scan.root_name.len() + 4);
    let mut inserted = Vec::new();
    out.extend_from_slice(bytes.get(..attr_at).unwrap_or_default());
    if !root_attr.is_empty() {
        inserted.push(out.len()..out.len() + root_attr.len());
        out.extend_from_slice(root_attr.as_bytes());
    }
    out.push(b'>');
    let elem_start = out.len();
    out.extend_from_slice(elem.as_bytes());
    if scan.root_self_closing {
        out.extend_from_slice(format!("</{}>", scan.root_name).as_bytes());
    }
    inserted.push(elem_start..out.len());
    // The rest, minus any badge elements being replaced.
    let mut pos = tag_end;
    for b in &scan.badges {
        out.extend_from_slice(bytes.get(pos..b.range.start).unwrap_or_default());
        pos = b.range.end;
    }
    out.extend_from_slice(bytes.get(pos..).unwrap_or_default());
    Ok(Baked {
        bytes: out,
        version,
        inserted,
    })
}

pub(crate) fn unbake(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, Error> {
    let scan = scan(bytes, limits, false, true)?;
    if scan.badges.is_empty() {
        return Err(Error::NotBaked {
            format: ImageFormat::Svg,
        });
    }
    let mut body = Vec::with_capacity(bytes.len());
    let mut pos = scan.root_tag_end;
    for b in &scan.badges {
        body.extend_from_slice(bytes.get(pos..b.range.start).unwrap_or_default());
        pos = b.range.end;
    }
    body.extend_from_slice(bytes.get(pos..).unwrap_or_default());
    let mut head = bytes.get(..scan.root_tag_end).unwrap_or_default().to_vec();
    // Drop the namespace declaration bake() writes, if nothing else uses the prefix.
    if !scan.root_self_closing && !scan.prefix_used {
        for ns in [SVG_NAMESPACE_OB2, SVG_NAMESPACE_OB3] {
            let decl = format!(" xmlns:openbadges=\"{ns}\">");
            if head.ends_with(decl.as_bytes()) {
                head.truncate(head.len() - decl.len());
                head.push(b'>');
                break;
            }
        }
    }
    // A root that bake() had to open for the element becomes self-closing again.
    let end_tag = format!("</{}>", scan.root_name);
    if body.starts_with(end_tag.as_bytes()) && head.ends_with(b">") {
        head.pop();
        head.extend_from_slice(b"/>");
        body.drain(..end_tag.len());
    }
    head.extend_from_slice(&body);
    Ok(head)
}
