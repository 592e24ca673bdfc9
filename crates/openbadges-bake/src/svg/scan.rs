//! The bounded SVG reader under extraction, baking and unbaking: one pass of quick-xml's
//! namespace-aware pull parser over the borrowed bytes (no DTD processing, no entity beyond
//! the predefined ones and character references, no fetching), within the size and node
//! limits. It finds the root element, the badge elements (with their text, `verify`
//! attribute and namespace) and reports byte offsets only: writing is the caller's splice.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;

use super::ACCEPTED_NAMESPACES;
use crate::{Error, Limits, Position, Warning};

/// The UTF-8 encoding of U+FEFF, which may open a document.
pub(super) const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The first offset at or after `from` where `needle` occurs in `hay`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// A badge element found in the document.
#[derive(Debug, Clone)]
pub(super) struct Found {
    /// Byte range of the whole element (start tag to end tag).
    pub(super) range: std::ops::Range<usize>,
    pub(super) local: String,
    pub(super) namespace: Option<String>,
    pub(super) verify: Option<String>,
    pub(super) body: String,
    pub(super) first_child: bool,
}

/// What a scan learned about the document.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// Offset of the root start tag's `<`.
    pub(super) root_start: usize,
    /// Offset just past the root start tag's `>`.
    pub(super) root_tag_end: usize,
    pub(super) root_self_closing: bool,
    /// The root's qualified name (e.g. `svg` or `svg:svg`).
    pub(super) root_name: String,
    /// Value of `xmlns:openbadges` on the root, if declared.
    pub(super) root_ns: Option<String>,
    pub(super) badges: Vec<Found>,
    pub(super) warnings: Vec<Warning>,
    /// Whether an element other than the root and the badges uses the `openbadges:` prefix
    /// (tracked only when asked for).
    pub(super) prefix_used: bool,
}

/// [`Error::MalformedSvg`] at byte `offset`, without a cause.
pub(super) fn syntax(bytes: &[u8], offset: u64, reason: impl Into<String>) -> Error {
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

pub(super) const DOCTYPE: &[u8] = b"<!DOCTYPE";

/// The offset just past the `>` that ends the document type declaration starting at `start`,
/// read by the XML grammar (`doctypedecl`): quoted literals in the external id, then an
/// internal subset whose comments, processing instructions and markup declarations (with
/// their quoted literals) may hold `>`, `]` and `<svg`. quick-xml's own reader ends the
/// declaration at the first `>` that balances a `<`, so `"a>b"` or `]>` inside the subset
/// ended it early and made part of the subset look like the document (even like its root).
/// `None` when the declaration does not end.
pub(super) fn doctype_end(doc: &[u8], start: usize) -> Option<usize> {
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
pub(super) fn scan(
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
