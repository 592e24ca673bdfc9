//! SVG: a byte-exact splice of the badge element, and a safe, bounded reader.
//!
//! Reading uses quick-xml's namespace-aware pull parser over the borrowed bytes: it never
//! processes a DTD, never expands an entity beyond the five predefined ones and character
//! references, and never fetches anything. Writing never re-serializes the document: the
//! parser only tells us byte offsets, and the output is the input with a few bytes inserted.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

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

/// The UTF-8 encoding of U+FEFF, which may open a document.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

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

/// A badge element found in the document.
#[derive(Debug, Clone)]
struct Found {
    /// Byte range of the whole element (start tag to end tag).
    range: std::ops::Range<usize>,
    local: String,
    namespace: Option<String>,
    verify: Option<String>,
    body: String,
    first_child: bool,
}

/// What a scan learned about the document.
#[derive(Debug, Default)]
struct Scan {
    /// Offset of the root start tag's `<`.
    root_start: usize,
    /// Offset just past the root start tag's `>`.
    root_tag_end: usize,
    root_self_closing: bool,
    /// The root's qualified name (e.g. `svg` or `svg:svg`).
    root_name: String,
    /// Value of `xmlns:openbadges` on the root, if declared.
    root_ns: Option<String>,
    badges: Vec<Found>,
    warnings: Vec<Warning>,
    /// Whether an element other than the root and the badges uses the `openbadges:` prefix
    /// (tracked only when asked for).
    prefix_used: bool,
}

/// [`Error::MalformedSvg`] at byte `offset`, without a cause.
fn syntax(bytes: &[u8], offset: u64, reason: impl Into<String>) -> Error {
    malformed(bytes, offset, reason.into(), None)
}

/// [`Error::MalformedSvg`] at byte `offset` for an error of the XML reader: `what` (when not
/// empty) and the error's own message, the error (as a `quick_xml::Error`) kept as the source.
fn xml_error<E>(bytes: &[u8], offset: u64, what: &str, e: E) -> Error
where
    E: std::fmt::Display + Into<quick_xml::Error>,
{
    let reason = if what.is_empty() {
        e.to_string()
    } else {
        format!("{what}: {e}")
    };
    malformed(bytes, offset, reason, Some(e.into()))
}

/// [`Error::MalformedSvg`] at byte `offset`.
fn malformed(bytes: &[u8], offset: u64, reason: String, source: Option<quick_xml::Error>) -> Error {
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    Error::MalformedSvg {
        position: Position::in_text(bytes, offset),
        reason,
        source,
    }
}

fn check_encoding(bytes: &[u8], decl: &quick_xml::events::BytesDecl<'_>) -> Result<(), Error> {
    if let Some(enc) = decl.encoding() {
        let enc = enc.map_err(|e| xml_error(bytes, 0, "bad XML declaration", e))?;
        let name = String::from_utf8_lossy(&enc).to_ascii_lowercase();
        if !matches!(name.as_str(), "utf-8" | "utf8" | "us-ascii" | "ascii") {
            return Err(Error::UnsupportedEncoding { encoding: name });
        }
    }
    Ok(())
}

/// Decides whether a start tag is a badge element; returns (local name, namespace, warnings).
fn badge_element(
    resolved: &ResolveResult<'_>,
    start: &BytesStart<'_>,
) -> Option<(String, Option<String>, Option<bool>)> {
    let local = start.local_name();
    let local = match local.as_ref() {
        b"assertion" => "assertion",
        b"credential" => "credential",
        _ => return None,
    };
    match resolved {
        ResolveResult::Bound(ns) => {
            let ns = std::str::from_utf8(ns.as_ref()).ok()?;
            ACCEPTED_NAMESPACES
                .contains(&ns)
                .then(|| (local.to_owned(), Some(ns.to_owned()), Some(true)))
        }
        ResolveResult::Unknown(prefix) if prefix.as_slice() == b"openbadges" => {
            Some((local.to_owned(), None, None))
        }
        _ => None,
    }
}

fn attr_value(
    bytes: &[u8],
    at: u64,
    start: &BytesStart<'_>,
    key: &[u8],
) -> Result<Option<String>, Error> {
    // The last one wins when an attribute is repeated (a well-formedness error some files
    // have): that is the binding the namespace-aware reader uses.
    let mut found = None;
    for attr in start.attributes().with_checks(false) {
        let attr = attr.map_err(|e| xml_error(bytes, at, "bad attribute", e))?;
        if attr.key.as_ref() == key {
            let v = attr
                .unescape_value()
                .map_err(|e| xml_error(bytes, at, "bad attribute value", e))?;
            found = Some(v.into_owned());
        }
    }
    Ok(found)
}

/// Whether a badge element could start anywhere in `rest`: every badge element's name holds
/// `assertion` or `credential` literally (XML names cannot be escaped), so when neither occurs
/// the remaining bytes need no parsing.
fn may_hold_badge(rest: &[u8]) -> bool {
    memchr::memmem::find(rest, b"assertion").is_some()
        || memchr::memmem::find(rest, b"credential").is_some()
}

/// A namespace-aware reader over `bytes` from `from` on, configured for byte-exact scanning.
fn ns_reader(bytes: &[u8], from: u64) -> NsReader<&[u8]> {
    let at = usize::try_from(from).unwrap_or(usize::MAX);
    let mut reader = NsReader::from_reader(bytes.get(at..).unwrap_or_default());
    let cfg = reader.config_mut();
    cfg.trim_text_start = false;
    cfg.trim_text_end = false;
    cfg.expand_empty_elements = false;
    cfg.check_end_names = true;
    reader
}

const DOCTYPE: &[u8] = b"<!DOCTYPE";

/// The offset just past the `>` that ends the document type declaration starting at `start`,
/// read by the XML grammar (`doctypedecl`): quoted literals in the external id, then an
/// internal subset whose comments, processing instructions and markup declarations (with
/// their quoted literals) may hold `>`, `]` and `<svg`. quick-xml's own reader ends the
/// declaration at the first `>` that balances a `<`, so `"a>b"` or `]>` inside the subset
/// ended it early and made part of the subset look like the document (even like its root).
/// `None` when the declaration does not end.
fn doctype_end(doc: &[u8], start: usize) -> Option<usize> {
    fn past_quote(doc: &[u8], at: usize) -> Option<usize> {
        let q = *doc.get(at)?;
        memchr::memchr(q, doc.get(at + 1..)?).map(|n| at + 1 + n + 1)
    }
    let mut i = start + DOCTYPE.len();
    loop {
        match *doc.get(i)? {
            b'"' | b'\'' => i = past_quote(doc, i)?,
            b'>' => return Some(i + 1),
            b'[' => {
                i += 1;
                break;
            }
            _ => i += 1,
        }
    }
    loop {
        match *doc.get(i)? {
            b']' => {
                i += 1;
                while doc.get(i)?.is_ascii_whitespace() {
                    i += 1;
                }
                return (*doc.get(i)? == b'>').then_some(i + 1);
            }
            b'<' => {
                let rest = doc.get(i..)?;
                if rest.starts_with(b"<!--") {
                    i = find(doc, b"-->", i + 4)? + 3;
                } else if rest.starts_with(b"<?") {
                    i = find(doc, b"?>", i + 2)? + 2;
                } else if rest.starts_with(b"<!") && !rest.starts_with(b"<![") {
                    i += 2;
                    loop {
                        match *doc.get(i)? {
                            b'"' | b'\'' => i = past_quote(doc, i)?,
                            b'>' => break,
                            _ => i += 1,
                        }
                    }
                    i += 1;
                } else {
                    return None;
                }
            }
            _ => i += 1,
        }
    }
}

/// Scans the document.
///
/// - `lenient_after_badge`: errors after the first complete badge element are ignored (the rest
///   of the document may be discarded), while duplicates are still looked for.
/// - `track_prefix`: note whether anything else uses the `openbadges:` prefix (for unbake); this
///   also disables the shortcut below.
///
/// Shortcut: after the root start tag and after each badge element, the rest of the document is
/// parsed only if it could hold another badge element ([`may_hold_badge`]).
fn scan(
    bytes: &[u8],
    limits: &Limits,
    lenient_after_badge: bool,
    track_prefix: bool,
) -> Result<Scan, Error> {
    if bytes.len() as u64 > limits.max_svg_bytes {
        return Err(Error::LimitExceeded {
            what: "SVG bytes",
            limit: limits.max_svg_bytes,
            position: Position::Offset(limits.max_svg_bytes),
        });
    }
    let mut scanner = Scanner::new(bytes, limits, lenient_after_badge, track_prefix);
    scanner.run()?;
    Ok(scanner.out)
}

/// A badge element's local name, namespace and whether its namespace was declared (see
/// [`badge_element`]).
type BadgeName = (String, Option<String>, Option<bool>);

/// Where one event is: reader positions (`before`, `after`, as `u64`) and the same as
/// offsets into the document.
#[derive(Debug, Clone, Copy)]
struct At {
    before: u64,
    after: u64,
    start: usize,
    end: usize,
}

/// The state of one [`scan`]: the reader and where it is in the document.
struct Scanner<'b, 'l> {
    bytes: &'b [u8],
    limits: &'l Limits,
    lenient_after_badge: bool,
    track_prefix: bool,
    /// Offset in `bytes` the reader started at: the reader skips a UTF-8 byte-order mark
    /// without counting it in its positions, so it is taken off here instead, and every
    /// offset is shifted back by it, so that offsets always index `bytes`. The same is done
    /// after a document type declaration, which is skipped by [`doctype_end`] rather than
    /// by the reader (see there).
    base: u64,
    reader: NsReader<&'b [u8]>,
    out: Scan,
    nodes: u64,
    depth: usize,
    root_seen: bool,
    elements_in_root: u64,
    /// The badge element being read, and the depth of its content.
    current: Option<(Found, usize)>,
    /// Whether to look for a badge element in the rest of the document before reading on.
    check_rest: bool,
}

impl<'b, 'l> Scanner<'b, 'l> {
    /// A scanner at the start of the document (after a byte-order mark).
    fn new(
        bytes: &'b [u8],
        limits: &'l Limits,
        lenient_after_badge: bool,
        track_prefix: bool,
    ) -> Self {
        let base = if bytes.starts_with(UTF8_BOM) {
            UTF8_BOM.len() as u64
        } else {
            0
        };
        Scanner {
            bytes,
            limits,
            lenient_after_badge,
            track_prefix,
            base,
            reader: ns_reader(bytes, base),
            out: Scan::default(),
            nodes: 0,
            depth: 0,
            root_seen: false,
            elements_in_root: 0,
            current: None,
            check_rest: false,
        }
    }

    /// Reads events until the root element ends, the document ends, or the rest cannot hold
    /// a badge.
    fn run(&mut self) -> Result<(), Error> {
        loop {
            let before = self.base + self.reader.buffer_position();
            if self.rest_holds_no_badge(before) {
                break;
            }
            if self.skip_doctype(before)? {
                continue;
            }
            let Some((badge, event)) = self.next_event()? else {
                break;
            };
            let after = self.base + self.reader.buffer_position();
            let at = At {
                before,
                after,
                start: usize::try_from(before).unwrap_or(usize::MAX),
                end: usize::try_from(after).unwrap_or(usize::MAX),
            };
            self.count_node(at.start)?;
            if self.event(event, badge, at)? {
                break;
            }
            if self.root_seen && self.out.root_self_closing {
                break;
            }
        }
        Ok(())
    }

    /// The shortcut: whether, when asked to look, the rest of the document from `before`
    /// cannot hold another badge element.
    fn rest_holds_no_badge(&mut self, before: u64) -> bool {
        if !self.check_rest || self.track_prefix {
            return false;
        }
        self.check_rest = false;
        let at = usize::try_from(before).unwrap_or(usize::MAX);
        !may_hold_badge(self.bytes.get(at..).unwrap_or_default())
    }

    /// Before the root: skips a document type declaration at `before` (counted as a node)
    /// and restarts the reader after it; whether there was one.
    fn skip_doctype(&mut self, before: u64) -> Result<bool, Error> {
        if self.root_seen {
            return Ok(false);
        }
        let at = usize::try_from(before).unwrap_or(usize::MAX);
        if !self.bytes.get(at..).is_some_and(|r| r.starts_with(DOCTYPE)) {
            return Ok(false);
        }
        let end = doctype_end(self.bytes, at).ok_or_else(|| {
            syntax(
                self.bytes,
                before,
                "the document type declaration does not end",
            )
        })?;
        self.nodes += 1;
        self.base = end as u64;
        self.reader = ns_reader(self.bytes, self.base);
        Ok(true)
    }

    /// The next event, with the badge element it starts if any; `None` for a syntax error
    /// that leniency allows to end the scan.
    fn next_event(&mut self) -> Result<Option<(Option<BadgeName>, Event<'b>)>, Error> {
        let (resolved, event) = match self.reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => {
                if self.lenient_here() {
                    return Ok(None);
                }
                let at = self.base + self.reader.error_position();
                return Err(xml_error(self.bytes, at, "", e));
            }
        };
        let badge = match &event {
            Event::Start(s) | Event::Empty(s) => badge_element(&resolved, s),
            _ => None,
        };
        Ok(Some((badge, event)))
    }

    /// Whether an error here may end the scan: leniency asked for, a badge found, none open.
    fn lenient_here(&self) -> bool {
        self.lenient_after_badge && !self.out.badges.is_empty() && self.current.is_none()
    }

    /// Counts one node against `limits.max_svg_nodes`.
    fn count_node(&mut self, start: usize) -> Result<(), Error> {
        self.nodes += 1;
        if self.nodes > self.limits.max_svg_nodes {
            return Err(Error::LimitExceeded {
                what: "SVG nodes",
                limit: self.limits.max_svg_nodes,
                position: Position::in_text(self.bytes, start),
            });
        }
        Ok(())
    }

    /// Handles one event; whether the scan is over.
    fn event(&mut self, event: Event<'b>, badge: Option<BadgeName>, at: At) -> Result<bool, Error> {
        let bytes = self.bytes;
        match event {
            // Only the declaration that opens the document says how it is encoded.
            Event::Decl(d) if !self.root_seen => check_encoding(bytes, &d)?,
            Event::Decl(_) => {}
            Event::Start(ref s) => self.start_tag(s, false, badge, at)?,
            Event::Empty(ref s) => self.start_tag(s, true, badge, at)?,
            Event::End(_) => return Ok(self.end_tag(at)),
            Event::Text(t) => {
                if let Some(found) = self.open_badge_content() {
                    let text = t
                        .unescape()
                        .map_err(|e| xml_error(bytes, at.before, "bad text in badge element", e))?;
                    found.body.push_str(&text);
                }
            }
            Event::CData(c) => {
                let position = Position::in_text(self.bytes, at.start);
                if let Some(found) = self.open_badge_content() {
                    let raw = c.into_inner();
                    let text = std::str::from_utf8(&raw)
                        .map_err(|source| Error::InvalidUtf8 { position, source })?;
                    found.body.push_str(text);
                }
            }
            Event::Eof => {
                self.eof(at)?;
                return Ok(true);
            }
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
        Ok(false)
    }

    /// The badge element being read, when the reader is directly inside it.
    fn open_badge_content(&mut self) -> Option<&mut Found> {
        let depth = self.depth;
        match self.current.as_mut() {
            Some((found, d)) if *d == depth => Some(found),
            _ => None,
        }
    }

    /// A start (or empty-element) tag: the root, a badge element, or another element.
    fn start_tag(
        &mut self,
        s: &BytesStart<'_>,
        empty: bool,
        badge: Option<BadgeName>,
        at: At,
    ) -> Result<(), Error> {
        if !self.root_seen {
            self.root(s, empty, at)?;
        } else if self.current.is_none() {
            if self.depth == 1 {
                self.elements_in_root += 1;
            }
            if let Some(name) = badge {
                self.badge_start(s, empty, name, at)?;
            } else if self.track_prefix && !self.out.prefix_used {
                self.out.prefix_used = s.name().as_ref().starts_with(b"openbadges:")
                    || find(s.attributes_raw(), b"openbadges:", 0).is_some();
            }
        }
        if !empty {
            self.depth += 1;
        }
        Ok(())
    }

    /// The root element: an `svg`, else the document is not an SVG.
    fn root(&mut self, s: &BytesStart<'_>, empty: bool, at: At) -> Result<(), Error> {
        self.root_seen = true;
        if s.local_name().as_ref() != b"svg" {
            return Err(Error::UnknownFormat);
        }
        self.out.root_start = at.start;
        self.out.root_tag_end = at.end;
        self.out.root_self_closing = empty;
        self.out.root_name = String::from_utf8_lossy(s.name().as_ref()).into_owned();
        self.out.root_ns = attr_value(self.bytes, at.before, s, b"xmlns:openbadges")?;
        self.check_rest = true;
        Ok(())
    }

    /// A badge element's start tag: found whole when empty, else read until its end tag.
    fn badge_start(
        &mut self,
        s: &BytesStart<'_>,
        empty: bool,
        (local, namespace, declared): BadgeName,
        at: At,
    ) -> Result<(), Error> {
        let position = Position::in_text(self.bytes, at.start);
        if declared.is_none() {
            self.out
                .warnings
                .push(Warning::UndeclaredNamespace { position });
        }
        let found = Found {
            range: at.start..at.end,
            local,
            namespace,
            verify: attr_value(self.bytes, at.before, s, b"verify")?,
            body: String::new(),
            first_child: self.depth == 1 && self.elements_in_root == 1,
        };
        if empty {
            self.out.badges.push(found);
            self.check_rest = true;
        } else {
            self.current = Some((found, self.depth + 1));
        }
        Ok(())
    }

    /// An end tag: closes the badge element being read when it is its own; whether it closes
    /// the root.
    fn end_tag(&mut self, at: At) -> bool {
        self.depth = self.depth.saturating_sub(1);
        if let Some((found, d)) = self.current.take() {
            if self.depth + 1 == d {
                let mut found = found;
                found.range.end = at.end;
                self.out.badges.push(found);
                self.check_rest = true;
            } else {
                self.current = Some((found, d));
            }
        }
        self.depth == 0 && self.root_seen
    }

    /// The end of the input: an error without a root, or inside it (unless leniency allows).
    fn eof(&self, at: At) -> Result<(), Error> {
        if !self.root_seen {
            return Err(Error::UnknownFormat);
        }
        if self.depth > 0 && !self.lenient_here() {
            return Err(syntax(
                self.bytes,
                at.after,
                "document ends before the root element is closed",
            ));
        }
        Ok(())
    }
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
