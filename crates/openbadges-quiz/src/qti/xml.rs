//! The XML under QTI import and export: a small element tree read with quick-xml within the
//! limits (depth, size), and the escaping and identifier rules export writes with.

use quick_xml::events::Event;

use crate::source::Limits;

/// Deepest element nesting read.
const MAX_DEPTH: usize = 256;

/// A syntax error: byte offset and message.
pub(super) type XmlError = (usize, String);

/// An element: its local name, attributes (local names), children and byte offset.
#[derive(Debug, Clone, Default)]
pub(super) struct El {
    pub(super) name: String,
    attrs: Vec<(String, String)>,
    kids: Vec<Node>,
    pub(super) off: usize,
}

/// A child of an element.
#[derive(Debug, Clone)]
enum Node {
    El(El),
    Text(String),
}

impl El {
    /// The value of attribute `k`.
    pub(super) fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    /// The child elements, in order.
    pub(super) fn children(&self) -> impl Iterator<Item = &El> {
        self.kids
            .iter()
            .filter_map(|n| if let Node::El(e) = n { Some(e) } else { None })
    }

    /// The first child element named `name`.
    pub(super) fn child(&self, name: &str) -> Option<&El> {
        self.children().find(|e| e.name == name)
    }

    /// Every element below this one, in document order, appended to `out`.
    pub(super) fn descendants<'a>(&'a self, out: &mut Vec<&'a El>) {
        for c in self.children() {
            out.push(c);
            c.descendants(out);
        }
    }

    /// The text content, whitespace collapsed.
    pub(super) fn text(&self) -> String {
        let mut s = String::new();
        self.text_into(&mut s, &|_| false);
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Appends the text content to `s`, without the elements `skip` selects; block elements
    /// (`p`, `div`, `br`, `li`) are separated by a space.
    pub(super) fn text_into(&self, s: &mut String, skip: &dyn Fn(&El) -> bool) {
        for k in &self.kids {
            match k {
                Node::Text(t) => s.push_str(t),
                Node::El(e) => {
                    if !skip(e) {
                        if matches!(e.name.as_str(), "p" | "div" | "br" | "li") && !s.ends_with(' ')
                        {
                            s.push(' ');
                        }
                        e.text_into(s, skip);
                    }
                }
            }
        }
    }
}

/// Parses `src` into its root element.
///
/// # Errors
/// The offset and message of the first syntax error, of nesting deeper than 256 elements, or
/// of input past `limits.max_bytes`.
pub(super) fn parse_xml(src: &str, limits: &Limits) -> Result<El, XmlError> {
    let mut reader = quick_xml::Reader::from_str(src);
    let mut stack: Vec<El> = vec![El::default()];
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(0);
        let ev = reader.read_event().map_err(|e| {
            (
                usize::try_from(reader.error_position()).unwrap_or(pos),
                e.to_string(),
            )
        })?;
        match ev {
            Event::Start(_) | Event::Empty(_) if stack.len() > MAX_DEPTH => {
                return Err((pos, "elements are nested too deeply".into()));
            }
            Event::Start(e) => {
                stack.push(element(&e, pos)?);
            }
            Event::Empty(e) => {
                let el = element(&e, pos)?;
                if let Some(top) = stack.last_mut() {
                    top.kids.push(Node::El(el));
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or((pos, "unbalanced end tag".to_owned()))?;
                match stack.last_mut() {
                    Some(top) => top.kids.push(Node::El(done)),
                    None => return Err((pos, "unbalanced end tag".into())),
                }
            }
            Event::Text(t) => {
                let s = t.unescape().map_err(|e| (pos, e.to_string()))?;
                if let Some(top) = stack.last_mut() {
                    top.kids.push(Node::Text(s.into_owned()));
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.kids
                        .push(Node::Text(String::from_utf8_lossy(&t).into_owned()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if pos > limits.max_bytes {
            return Err((pos, "input too large".into()));
        }
    }
    if stack.len() != 1 {
        return Err((src.len(), "unclosed element".into()));
    }
    let root = stack.pop().unwrap_or_default();
    root.children()
        .next()
        .cloned()
        .ok_or((0, "no root element".into()))
}

/// An element from its start tag at `pos`, attributes unescaped.
fn element(e: &quick_xml::events::BytesStart<'_>, pos: usize) -> Result<El, XmlError> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| (pos, x.to_string()))?;
        let k = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let v = a
            .unescape_value()
            .map_err(|x| (pos, x.to_string()))?
            .into_owned();
        attrs.push((k, v));
    }
    Ok(El {
        name,
        attrs,
        kids: Vec::new(),
        off: pos,
    })
}

/// `s` escaped for XML text and attribute values.
pub(super) fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// `s` as an XML identifier: characters outside `A-Z a-z 0-9 - _ .` become `_`, and a `_` is
/// put first when it does not start with a letter or `_`.
pub(super) fn xml_id(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}
