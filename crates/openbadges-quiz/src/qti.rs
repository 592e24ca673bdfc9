//! QTI 3.0 interchange: import of assessment items and tests for the supported interactions
//! (choice, text entry, order, match) with the standard response processing templates
//! `match_correct` and `map_response`, and export of a quiz to QTI 3.0 XML.
//!
//! Anything else (other interactions, custom response processing, several interactions in
//! one item, modal feedback) is reported as a `qti-unsupported` warning with its position,
//! never dropped silently.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

use quick_xml::events::Event;

use crate::def::{Answer, Choice, Distractor, Item, ItemType, Pair, Quiz, Section, Whitespace};
use crate::error::{Error, Problem, Severity};
use crate::source::{Format, Limits, Loaded, SpanIndex};

/// A resolver for the `href`s of item and section references in a test: given the referenced
/// file's path relative to the test's folder (`..` segments only where the path leaves it;
/// URLs and absolute paths as written), returns its text.
pub type Resolver<'a> = &'a dyn Fn(&str) -> Option<String>;

#[derive(Debug, Clone, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    kids: Vec<Node>,
    off: usize,
}

#[derive(Debug, Clone)]
enum Node {
    El(El),
    Text(String),
}

impl El {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }
    fn children(&self) -> impl Iterator<Item = &El> {
        self.kids
            .iter()
            .filter_map(|n| if let Node::El(e) = n { Some(e) } else { None })
    }
    fn child(&self, name: &str) -> Option<&El> {
        self.children().find(|e| e.name == name)
    }
    fn descendants<'a>(&'a self, out: &mut Vec<&'a El>) {
        for c in self.children() {
            out.push(c);
            c.descendants(out);
        }
    }
    fn text(&self) -> String {
        let mut s = String::new();
        self.text_into(&mut s, &|_| false);
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    }
    fn text_into(&self, s: &mut String, skip: &dyn Fn(&El) -> bool) {
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

fn parse_xml(src: &str, limits: &Limits) -> Result<El, (usize, String)> {
    let mut reader = quick_xml::Reader::from_str(src);
    let mut stack: Vec<El> = vec![El::default()];
    let max_depth = 256;
    loop {
        let pos = usize::try_from(reader.buffer_position()).unwrap_or(0);
        let ev = reader.read_event().map_err(|e| {
            (
                usize::try_from(reader.error_position()).unwrap_or(pos),
                e.to_string(),
            )
        })?;
        match ev {
            Event::Start(_) | Event::Empty(_) if stack.len() > max_depth => {
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

fn element(e: &quick_xml::events::BytesStart<'_>, pos: usize) -> Result<El, (usize, String)> {
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

struct Ctx<'a> {
    spans: SpanIndex,
    problems: Vec<Problem>,
    file: Option<&'a str>,
}

impl Ctx<'_> {
    fn warn(&mut self, off: usize, msg: String) {
        self.push(Severity::Warning, "qti-unsupported", off, msg);
    }
    fn error(&mut self, off: usize, msg: String) {
        self.push(Severity::Error, "qti-invalid", off, msg);
    }
    fn push(&mut self, severity: Severity, code: &'static str, off: usize, message: String) {
        let (line, column) = self.spans.line_col(off);
        self.problems.push(Problem {
            code,
            severity,
            message,
            path: String::new(),
            file: self.file.map(str::to_owned),
            line,
            column,
        });
    }
}

fn xml_error(src: &str, file: Option<&str>, off: usize, msg: String) -> Error {
    let spans = SpanIndex::new(src);
    let (line, column) = spans.line_col(off);
    Error::Invalid(vec![Problem {
        code: "syntax",
        severity: Severity::Error,
        message: msg,
        path: String::new(),
        file: file.map(str::to_owned),
        line,
        column,
    }])
}

/// Imports a QTI 3.0 assessment item (as a one-item quiz) or an assessment test whose item
/// and section references are read through `resolve`, each file once. References are named
/// relative to the test, whose own name is the last segment of `file`.
///
/// # Errors
/// [`Error::Invalid`] when the XML is malformed or not an item/test, or a reference leads
/// back to a file being expanded (`qti-reference-cycle`), with positions; [`Error::Limit`]
/// when the test with everything it references (counted per reference) is over
/// `limits.max_bytes`.
pub fn import_item_or_test(
    src: &str,
    file: Option<&str>,
    limits: &Limits,
    resolve: Resolver<'_>,
) -> Result<Loaded, Error> {
    if src.len() > limits.max_bytes {
        return Err(Error::Limit(format!(
            "definition is {} bytes, the limit is {}",
            src.len(),
            limits.max_bytes
        )));
    }
    let root = parse_xml(src, limits).map_err(|(o, m)| xml_error(src, file, o, m))?;
    let mut cx = Ctx {
        spans: SpanIndex::new(src),
        problems: Vec::new(),
        file,
    };
    let quiz = match root.name.as_str() {
        "qti-assessment-item" => {
            let item = convert_item(&root, &mut cx, "/sections/0/items/0");
            Quiz {
                id: root.attr("identifier").unwrap_or("qti-item").to_owned(),
                title: root.attr("title").unwrap_or("QTI item").to_owned(),
                instructions: None,
                language: root.attr("lang").unwrap_or("en").to_owned(),
                version: None,
                pass: Default::default(),
                feedback: Vec::new(),
                pass_feedback: None,
                fail_feedback: None,
                settings: Default::default(),
                sections: vec![Section {
                    id: "main".into(),
                    title: None,
                    instructions: None,
                    shuffle: false,
                    pool: None,
                    items: item.into_iter().collect(),
                }],
            }
        }
        "qti-assessment-test" => import_test(&root, &mut cx, limits, resolve, src.len())?,
        other => {
            return Err(xml_error(
                src,
                file,
                root.off,
                format!("<{other}> is not a QTI 3.0 assessment item or test"),
            ));
        }
    };
    if cx.problems.iter().any(Problem::is_error) {
        return Err(Error::Invalid(cx.problems));
    }
    Ok(Loaded {
        quiz,
        spans: cx.spans,
        problems: cx.problems,
        file: file.map(str::to_owned),
        format: Format::Qti,
    })
}

/// Most entries read from one content package.
const MAX_PACKAGE_ENTRIES: usize = 10_000;

/// Imports a QTI 3.0 content package (`.zip`): the assessment test named by
/// `imsmanifest.xml` (resource type `imsqti_test_xmlv3p0`), else the first test found, else
/// every assessment item of the package as one section. Item and section `href`s are resolved
/// inside the package, relative to the file that holds them. Each entry is decompressed once,
/// and everything decompressed from the package together is at most `limits.max_bytes`.
///
/// # Errors
/// [`Error::Invalid`] when the package cannot be read, holds no test or item, or its
/// references form a cycle; [`Error::Limit`] when it has too many entries or decompresses (or
/// expands through its references) past `limits.max_bytes`.
pub fn import_package(bytes: &[u8], file: Option<&str>, limits: &Limits) -> Result<Loaded, Error> {
    let invalid = |m: String| {
        Error::Invalid(vec![Problem {
            code: "syntax",
            severity: Severity::Error,
            message: m,
            path: String::new(),
            file: file.map(str::to_owned),
            line: 0,
            column: 0,
        }])
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| invalid(format!("not a zip package: {e}")))?;
    if zip.len() > MAX_PACKAGE_ENTRIES {
        return Err(Error::Limit(format!(
            "{} entries, the limit is {MAX_PACKAGE_ENTRIES}",
            zip.len()
        )));
    }
    let names: Vec<String> = (0..zip.len())
        .filter_map(|i| zip.by_index(i).ok().map(|f| f.name().to_owned()))
        .collect();
    let cell = std::cell::RefCell::new(zip);
    // Each entry is decompressed once (later reads are answered from `seen`), and everything
    // decompressed from the package counts against one budget of `limits.max_bytes`.
    let seen: std::cell::RefCell<BTreeMap<String, Option<String>>> = Default::default();
    let left = std::cell::Cell::new(limits.max_bytes);
    let over = std::cell::Cell::new(false);
    let read = |name: &str| -> Option<String> {
        use std::io::Read as _;
        if let Some(text) = seen.borrow().get(name) {
            return text.clone();
        }
        let text = (|| {
            let mut z = cell.borrow_mut();
            let f = z.by_name(name).ok()?;
            let mut buf = Vec::new();
            let cap = left.get().min(limits.max_bytes);
            f.take(cap as u64 + 1).read_to_end(&mut buf).ok()?;
            if buf.len() > cap {
                over.set(true);
                return None;
            }
            left.set(left.get() - buf.len());
            String::from_utf8(buf).ok()
        })();
        seen.borrow_mut().insert(name.to_owned(), text.clone());
        text
    };
    let too_large = || {
        Error::Limit(format!(
            "the package's entries decompress to more than {} bytes",
            limits.max_bytes
        ))
    };
    let manifest_test = read("imsmanifest.xml").and_then(|m| {
        let root = parse_xml(&m, limits).ok()?;
        let mut all = Vec::new();
        root.descendants(&mut all);
        all.iter()
            .find(|e| {
                e.name == "resource"
                    && e.attr("type")
                        .is_some_and(|t| t.starts_with("imsqti_test_xmlv3p0"))
            })
            .and_then(|e| e.attr("href").map(str::to_owned))
    });
    let xml_names: Vec<&String> = names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".xml") && *n != "imsmanifest.xml")
        .collect();
    let test = manifest_test.or_else(|| {
        xml_names
            .iter()
            .find(|n| read(n).is_some_and(|t| t.contains("<qti-assessment-test")))
            .map(|n| (*n).clone())
    });
    let label = |inner: &str| format!("{}!{inner}", file.unwrap_or("package"));
    if let Some(test) = test {
        let text = read(&test).ok_or_else(|| {
            if over.get() {
                too_large()
            } else {
                invalid(format!("cannot read {test:?} from the package"))
            }
        })?;
        let dir = test
            .rsplit_once('/')
            .map(|(d, _)| d.to_owned())
            .unwrap_or_default();
        let resolve = |href: &str| -> Option<String> {
            let joined = if dir.is_empty() {
                href.to_owned()
            } else {
                format!("{dir}/{href}")
            };
            let mut parts: Vec<&str> = Vec::new();
            for seg in joined.split('/') {
                match seg {
                    "" | "." => {}
                    ".." => {
                        parts.pop()?;
                    }
                    s => parts.push(s),
                }
            }
            read(&parts.join("/"))
        };
        let name = label(&test);
        let loaded = import_item_or_test(&text, Some(&name), limits, &resolve);
        if over.get() {
            return Err(too_large());
        }
        return loaded;
    }
    // No test: every item, in package order, as one section.
    let items: Vec<(String, String)> = xml_names
        .iter()
        .filter_map(|n| {
            read(n)
                .filter(|t| t.contains("<qti-assessment-item"))
                .map(|t| ((*n).clone(), t))
        })
        .collect();
    if over.get() {
        return Err(too_large());
    }
    if items.is_empty() {
        return Err(invalid(
            "the package holds no QTI 3.0 assessment test or item".into(),
        ));
    }
    let refs: String = items
        .iter()
        .map(|(n, _)| {
            format!(
                "<qti-assessment-item-ref identifier=\"{}\" href=\"{}\"/>",
                esc(&xml_id(n)),
                esc(n)
            )
        })
        .collect();
    let synthetic = format!(
        "<qti-assessment-test identifier=\"package\" title=\"{}\"><qti-test-part identifier=\"p\"><qti-assessment-section identifier=\"items\" title=\"Items\">{refs}</qti-assessment-section></qti-test-part></qti-assessment-test>",
        esc(file.unwrap_or("QTI package"))
    );
    let by_name: BTreeMap<String, String> = items.into_iter().collect();
    let resolve = |href: &str| by_name.get(href).cloned();
    import_item_or_test(&synthetic, Some(&label("imsmanifest")), limits, &resolve)
}

/// A file reached through a reference: read through the resolver and parsed, once.
struct RefFile {
    text: String,
    root: Result<El, (usize, String)>,
}

/// What importing a test keeps while following its references: every file read and parsed
/// once (by its path relative to the test), every item converted once, the chain of files
/// being expanded (a file already on it is a reference cycle), and the bytes taken in.
struct Refs<'a> {
    resolve: Resolver<'a>,
    limits: &'a Limits,
    files: BTreeMap<String, Option<Rc<RefFile>>>,
    items: BTreeMap<String, Option<Item>>,
    chain: Vec<String>,
    /// Bytes of the test plus every referenced file, counted once per reference (what the
    /// quiz holds once the references are expanded); at most `limits.max_bytes`.
    expanded: usize,
    sections: Vec<Section>,
    /// JSON pointer → offset in the test file (a section or item from a referenced file
    /// points at the test's reference that brought it in).
    pointers: Vec<(String, usize)>,
}

impl Refs<'_> {
    fn file(&mut self, key: &str) -> Result<Option<Rc<RefFile>>, Error> {
        let file = match self.files.get(key) {
            Some(f) => f.clone(),
            None => {
                let f = (self.resolve)(key).map(|text| {
                    let root = parse_xml(&text, self.limits);
                    Rc::new(RefFile { text, root })
                });
                self.files.insert(key.to_owned(), f.clone());
                f
            }
        };
        if let Some(f) = &file {
            self.expanded = self.expanded.saturating_add(f.text.len());
            if self.expanded > self.limits.max_bytes {
                return Err(Error::Limit(format!(
                    "the test with the files it references (counted once per reference) is over {} bytes",
                    self.limits.max_bytes
                )));
            }
        }
        Ok(file)
    }

    /// A reference to `key`, made at offset `off` of the file `cx` reads: refused (with the
    /// chain, positioned there) when `key` is being expanded already.
    fn check_cycle(&self, cx: &Ctx<'_>, off: usize, key: &str) -> Result<(), Error> {
        if !self.chain.iter().any(|k| k == key) {
            return Ok(());
        }
        let path: Vec<&str> = self
            .chain
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(key))
            .collect();
        let (line, column) = cx.spans.line_col(off);
        Err(Error::Invalid(vec![Problem {
            code: "qti-reference-cycle",
            severity: Severity::Error,
            message: format!("reference cycle: {}", path.join(" -> ")),
            path: String::new(),
            file: cx.file.map(str::to_owned),
            line,
            column,
        }]))
    }
}

/// Deepest chain of section references (a test → section file → section file …).
const MAX_REFERENCE_DEPTH: usize = 64;

/// The path of `href` relative to the test's folder, for a reference made in the file `from`
/// (also relative to the test's folder). URLs and absolute paths are passed on unchanged.
fn join_href(from: &str, href: &str) -> String {
    if href.starts_with('/') || href.contains(':') {
        return href.to_owned();
    }
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = Vec::new();
    for seg in dir.split('/').chain(href.split('/')) {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The name a test's references use for the test itself: the last segment of its file name.
fn base_name(file: Option<&str>) -> String {
    file.map_or(String::new(), |f| {
        f.rsplit(['/', '\\', '!']).next().unwrap_or(f).to_owned()
    })
}

fn import_test(
    root: &El,
    cx: &mut Ctx<'_>,
    limits: &Limits,
    resolve: Resolver<'_>,
    src_len: usize,
) -> Result<Quiz, Error> {
    let key = base_name(cx.file);
    let mut refs = Refs {
        resolve,
        limits,
        files: BTreeMap::new(),
        items: BTreeMap::new(),
        chain: vec![key.clone()],
        expanded: src_len,
        sections: Vec::new(),
        pointers: Vec::new(),
    };
    walk_sections(root, &key, cx, None, &mut refs)?;
    for (p, off) in refs.pointers {
        cx.spans.insert(p, off);
    }
    Ok(Quiz {
        id: root.attr("identifier").unwrap_or("qti-test").to_owned(),
        title: root.attr("title").unwrap_or("QTI test").to_owned(),
        instructions: None,
        language: "en".into(),
        version: None,
        pass: Default::default(),
        feedback: Vec::new(),
        pass_feedback: None,
        fail_feedback: None,
        settings: Default::default(),
        sections: refs.sections,
    })
}

/// Collects the sections under `el` (in the file `key`) in document order, following section
/// references. `anchor`: the offset in the test of the reference that led into this file.
fn walk_sections(
    el: &El,
    key: &str,
    cx: &mut Ctx<'_>,
    anchor: Option<usize>,
    refs: &mut Refs<'_>,
) -> Result<(), Error> {
    for child in el.children() {
        match child.name.as_str() {
            "qti-assessment-section" => {
                read_section(child, key, cx, anchor, refs)?;
                walk_sections(child, key, cx, anchor, refs)?;
            }
            "qti-assessment-section-ref" => {
                let Some(href) = child.attr("href") else {
                    cx.error(child.off, "section reference without href".into());
                    continue;
                };
                let target = join_href(key, href);
                refs.check_cycle(cx, child.off, &target)?;
                if refs.chain.len() > MAX_REFERENCE_DEPTH {
                    return Err(Error::Limit(format!(
                        "section references nested more than {MAX_REFERENCE_DEPTH} deep"
                    )));
                }
                let Some(file) = refs.file(&target)? else {
                    cx.error(
                        child.off,
                        format!("cannot read the referenced section {href:?}"),
                    );
                    continue;
                };
                match &file.root {
                    Ok(sec) if sec.name == "qti-assessment-section" => {
                        let mut sub = Ctx {
                            spans: SpanIndex::new(&file.text),
                            problems: Vec::new(),
                            file: Some(&target),
                        };
                        refs.chain.push(target.clone());
                        let anchor = Some(anchor.unwrap_or(child.off));
                        let done = read_section(sec, &target, &mut sub, anchor, refs)
                            .and_then(|()| walk_sections(sec, &target, &mut sub, anchor, refs));
                        refs.chain.pop();
                        cx.problems.extend(sub.problems);
                        done?;
                    }
                    Ok(_) => cx.error(child.off, format!("{href:?} is not an assessment section")),
                    Err((o, m)) => cx.problems.push(syntax_in(&file.text, &target, *o, m)),
                }
            }
            _ => walk_sections(child, key, cx, anchor, refs)?,
        }
    }
    Ok(())
}

fn syntax_in(text: &str, file: &str, off: usize, message: &str) -> Problem {
    let (line, column) = SpanIndex::new(text).line_col(off);
    Problem {
        code: "syntax",
        severity: Severity::Error,
        message: message.to_owned(),
        path: String::new(),
        file: Some(file.to_owned()),
        line,
        column,
    }
}

/// One `qti-assessment-section` (of the file `key`) with its item references.
fn read_section(
    sec: &El,
    key: &str,
    cx: &mut Ctx<'_>,
    anchor: Option<usize>,
    refs: &mut Refs<'_>,
) -> Result<(), Error> {
    let s = refs.sections.len();
    refs.pointers
        .push((format!("/sections/{s}"), anchor.unwrap_or(sec.off)));
    let mut items = Vec::new();
    for r in sec
        .children()
        .filter(|e| e.name == "qti-assessment-item-ref")
    {
        let Some(href) = r.attr("href") else {
            cx.error(r.off, "item reference without href".into());
            continue;
        };
        let target = join_href(key, href);
        refs.check_cycle(cx, r.off, &target)?;
        let Some(file) = refs.file(&target)? else {
            cx.error(r.off, format!("cannot read the referenced item {href:?}"));
            continue;
        };
        let path = format!("/sections/{s}/items/{}", items.len());
        refs.pointers.push((path.clone(), anchor.unwrap_or(r.off)));
        match &file.root {
            Ok(el) if el.name == "qti-assessment-item" => {
                let item = match refs.items.get(&target) {
                    Some(item) => item.clone(),
                    None => {
                        // Converted once; its warnings are reported once.
                        let mut sub = Ctx {
                            spans: SpanIndex::new(&file.text),
                            problems: Vec::new(),
                            file: Some(&target),
                        };
                        let item = convert_item(el, &mut sub, &path);
                        cx.problems.extend(sub.problems);
                        refs.items.insert(target.clone(), item.clone());
                        item
                    }
                };
                items.extend(item);
            }
            Ok(_) => cx.error(r.off, format!("{href:?} is not an assessment item")),
            Err((o, m)) => cx.problems.push(syntax_in(&file.text, &target, *o, m)),
        }
    }
    let pool = sec
        .child("qti-selection")
        .and_then(|e| e.attr("select"))
        .and_then(|v| v.parse().ok());
    if sec
        .child("qti-selection")
        .and_then(|e| e.attr("with-replacement"))
        == Some("true")
    {
        cx.warn(
            sec.off,
            "selection with replacement is not supported; drawing without replacement".into(),
        );
    }
    let shuffle = sec.child("qti-ordering").and_then(|e| e.attr("shuffle")) == Some("true");
    refs.sections.push(Section {
        id: sec.attr("identifier").unwrap_or("section").to_owned(),
        title: sec.attr("title").map(str::to_owned),
        instructions: None,
        shuffle,
        pool,
        items,
    });
    Ok(())
}

#[derive(Debug, Default)]
struct Decl {
    cardinality: String,
    base_type: String,
    correct: Vec<String>,
    mapping: Option<Mapping>,
}

#[derive(Debug, Default)]
struct Mapping {
    lower: Option<f64>,
    upper: Option<f64>,
    default: f64,
    entries: Vec<(String, f64, bool)>,
}

fn num(s: Option<&str>) -> Option<f64> {
    s.and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite())
}

fn convert_item(root: &El, cx: &mut Ctx<'_>, path: &str) -> Option<Item> {
    cx.spans.insert(path.to_owned(), root.off);
    let mut decls: BTreeMap<String, Decl> = BTreeMap::new();
    for d in root
        .children()
        .filter(|e| e.name == "qti-response-declaration")
    {
        let mut decl = Decl {
            cardinality: d.attr("cardinality").unwrap_or("single").to_owned(),
            base_type: d.attr("base-type").unwrap_or("identifier").to_owned(),
            ..Decl::default()
        };
        if let Some(c) = d.child("qti-correct-response") {
            decl.correct = c
                .children()
                .filter(|v| v.name == "qti-value")
                .map(|v| v.text())
                .collect();
        }
        if let Some(m) = d.child("qti-mapping") {
            decl.mapping = Some(Mapping {
                lower: num(m.attr("lower-bound")),
                upper: num(m.attr("upper-bound")),
                default: num(m.attr("default-value")).unwrap_or(0.0),
                entries: m
                    .children()
                    .filter(|e| e.name == "qti-map-entry")
                    .map(|e| {
                        (
                            e.attr("map-key").unwrap_or("").to_owned(),
                            num(e.attr("mapped-value")).unwrap_or(0.0),
                            e.attr("case-sensitive") != Some("false"),
                        )
                    })
                    .collect(),
            });
        }
        decls.insert(d.attr("identifier").unwrap_or("RESPONSE").to_owned(), decl);
    }
    let template = root.child("qti-response-processing").map(|rp| {
        (
            rp.off,
            rp.attr("template").unwrap_or("").to_owned(),
            rp.children().next().is_some(),
        )
    });
    let rp = match &template {
        Some((_, t, _)) if t.ends_with("match_correct.xml") || t.ends_with("match_correct") => {
            "match_correct"
        }
        Some((_, t, _)) if t.ends_with("map_response.xml") || t.ends_with("map_response") => {
            "map_response"
        }
        Some((off, t, custom)) => {
            let what = if *custom || t.is_empty() {
                "custom response processing".to_owned()
            } else {
                format!("template {t}")
            };
            cx.warn(
                *off,
                format!("{what} is not supported; scoring as match_correct"),
            );
            "match_correct"
        }
        None => "match_correct",
    };
    let body = root.child("qti-item-body")?;
    let mut all = Vec::new();
    body.descendants(&mut all);
    let is_interaction = |e: &El| e.name.ends_with("-interaction");
    let interactions: Vec<&&El> = all.iter().filter(|e| is_interaction(e)).collect();
    for extra in interactions.iter().skip(1) {
        cx.warn(
            extra.off,
            format!(
                "only one interaction per item is supported; <{}> ignored",
                extra.name
            ),
        );
    }
    for fb in root.children().filter(|e| e.name == "qti-modal-feedback") {
        cx.warn(fb.off, "modal feedback is not imported".into());
    }
    let Some(ia) = interactions.first() else {
        cx.warn(body.off, "the item has no interaction; not imported".into());
        return None;
    };
    let mut stem = String::new();
    body.text_into(&mut stem, &|e| {
        is_interaction(e) || e.name.starts_with("qti-feedback")
    });
    let stem = stem.split_whitespace().collect::<Vec<_>>().join(" ");
    let prompt = ia.child("qti-prompt").map(El::text).unwrap_or_default();
    let prompt = match (stem.is_empty(), prompt.is_empty()) {
        (false, false) => format!("{stem}\n{prompt}"),
        (true, _) => prompt,
        (false, true) => stem,
    };
    let id = root.attr("identifier").unwrap_or("item").to_owned();
    let resp_id = ia.attr("response-identifier").unwrap_or("RESPONSE");
    let decl = decls.remove(resp_id).unwrap_or_default();
    let mut item = Item::new(id, ItemType::SingleChoice, prompt);
    let mapped = rp == "map_response" && decl.mapping.is_some();
    let map = decl.mapping.unwrap_or_default();
    let value_of = |key: &str| -> f64 {
        map.entries
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(map.default, |(_, v, _)| *v)
    };
    match ia.name.as_str() {
        "qti-choice-interaction" => {
            let max_choices: usize = ia
                .attr("max-choices")
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            let multiple = decl.cardinality == "multiple" || max_choices != 1;
            item.kind = if multiple {
                ItemType::MultipleResponse
            } else {
                ItemType::SingleChoice
            };
            item.shuffle = ia.attr("shuffle") == Some("true");
            let choices: Vec<&El> = ia
                .children()
                .filter(|e| e.name == "qti-simple-choice")
                .collect();
            let points = if mapped {
                map.upper.unwrap_or_else(|| {
                    if multiple {
                        choices
                            .iter()
                            .map(|c| value_of(c.attr("identifier").unwrap_or("")))
                            .filter(|v| *v > 0.0)
                            .sum()
                    } else {
                        choices
                            .iter()
                            .map(|c| value_of(c.attr("identifier").unwrap_or("")))
                            .fold(0.0, f64::max)
                    }
                })
            } else {
                1.0
            };
            let points = if points > 0.0 { points } else { 1.0 };
            item.points = points;
            for (k, c) in choices.iter().enumerate() {
                let cid = c.attr("identifier").unwrap_or("").to_owned();
                cx.spans.insert(format!("{path}/choices/{k}"), c.off);
                let mut ch = Choice::new(cid.clone(), c.text(), decl.correct.contains(&cid));
                ch.pinned = c.attr("fixed") == Some("true");
                if mapped {
                    let v = value_of(&cid) / points;
                    ch.correct = v > 0.0 && (multiple || v >= 1.0);
                    ch.fraction = Some(v.clamp(-1.0, 1.0));
                } else if multiple {
                    ch.fraction = Some(if ch.correct {
                        1.0 / decl.correct.len().max(1) as f64
                    } else {
                        -1.0
                    });
                }
                item.choices.push(ch);
            }
            if multiple && !mapped {
                item.all_or_nothing = Some(true);
            }
            if mapped {
                item.min_fraction = map.lower.map_or(0.0, |l| (l / points).clamp(-1.0, 1.0));
            }
        }
        "qti-text-entry-interaction" => {
            let numeric = matches!(decl.base_type.as_str(), "float" | "integer");
            item.kind = if numeric {
                ItemType::Numeric
            } else {
                ItemType::TextEntry
            };
            if !numeric {
                item.whitespace = Whitespace::Exact;
            }
            item.case_sensitive = !numeric;
            if mapped {
                let points = map
                    .upper
                    .unwrap_or_else(|| map.entries.iter().map(|e| e.1).fold(0.0, f64::max));
                let points = if points > 0.0 { points } else { 1.0 };
                item.points = points;
                if !numeric && map.entries.iter().any(|e| !e.2) {
                    item.case_sensitive = false;
                    if map.entries.iter().any(|e| e.2) {
                        cx.warn(ia.off, "mixed case sensitivity across map entries; comparing case-insensitively".into());
                    }
                }
                for (k, v, _) in &map.entries {
                    item.answers
                        .push(answer_for(numeric, k, (v / points).clamp(-1.0, 1.0)));
                }
            } else {
                for v in &decl.correct {
                    item.answers.push(answer_for(numeric, v, 1.0));
                }
            }
        }
        "qti-order-interaction" => {
            item.kind = ItemType::Ordering;
            if mapped {
                cx.warn(
                    ia.off,
                    "map_response on an order interaction is not supported; scoring all-or-nothing"
                        .into(),
                );
            }
            let by_id: BTreeMap<String, String> = ia
                .children()
                .filter(|e| e.name == "qti-simple-choice")
                .map(|c| (c.attr("identifier").unwrap_or("").to_owned(), c.text()))
                .collect();
            for (k, cid) in decl.correct.iter().enumerate() {
                cx.spans.insert(format!("{path}/choices/{k}"), ia.off);
                if let Some(t) = by_id.get(cid) {
                    item.choices
                        .push(Choice::new(cid.clone(), t.clone(), false));
                } else {
                    cx.error(
                        ia.off,
                        format!("the correct order names an unknown choice {cid:?}"),
                    );
                }
            }
            item.all_or_nothing = Some(true);
        }
        "qti-match-interaction" => {
            item.kind = ItemType::Matching;
            item.shuffle = ia.attr("shuffle") == Some("true");
            let sets: Vec<&El> = ia
                .children()
                .filter(|e| e.name == "qti-simple-match-set")
                .collect();
            let opts = |n: usize| -> Vec<(String, String)> {
                sets.get(n)
                    .map(|s| {
                        s.children()
                            .filter(|e| e.name == "qti-simple-associable-choice")
                            .map(|c| (c.attr("identifier").unwrap_or("").to_owned(), c.text()))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (lefts, rights) = (opts(0), opts(1));
            let keys: Vec<String> = if mapped {
                map.entries
                    .iter()
                    .filter(|e| e.1 > 0.0)
                    .map(|e| e.0.clone())
                    .collect()
            } else {
                decl.correct.clone()
            };
            if mapped {
                let vals: Vec<f64> = map
                    .entries
                    .iter()
                    .filter(|e| e.1 > 0.0)
                    .map(|e| e.1)
                    .collect();
                #[allow(clippy::float_cmp)]
                if vals.windows(2).any(|w| w.first() != w.get(1))
                    || map.entries.iter().any(|e| e.1 < 0.0)
                {
                    cx.warn(
                        ia.off,
                        "unequal or negative pair values are approximated as equal credit per pair"
                            .into(),
                    );
                }
                item.points = map
                    .upper
                    .unwrap_or_else(|| vals.iter().sum())
                    .max(f64::MIN_POSITIVE);
                item.all_or_nothing = Some(false);
            } else {
                item.all_or_nothing = Some(true);
            }
            let mut used_right = Vec::new();
            for key in keys {
                let mut parts = key.split_whitespace();
                let (Some(l), Some(r)) = (parts.next(), parts.next()) else {
                    continue;
                };
                let (Some(lt), Some(rt)) = (
                    lefts.iter().find(|(i, _)| i == l),
                    rights.iter().find(|(i, _)| i == r),
                ) else {
                    cx.error(ia.off, format!("the pair {key:?} names unknown choices"));
                    continue;
                };
                if item.pairs.iter().any(|p| p.id == l) {
                    cx.warn(
                        ia.off,
                        format!("{l:?} has more than one correct match; only the first is kept"),
                    );
                    continue;
                }
                item.pairs.push(Pair {
                    id: l.to_owned(),
                    left: lt.1.clone(),
                    right: rt.1.clone(),
                });
                used_right.push(r.to_owned());
            }
            for (lid, _) in lefts
                .iter()
                .filter(|(i, _)| !item.pairs.iter().any(|p| p.id == *i))
            {
                cx.warn(
                    ia.off,
                    format!("left-hand choice {lid:?} has no correct match; not imported"),
                );
            }
            for (rid, rt) in rights.iter().filter(|(i, _)| !used_right.contains(i)) {
                if !item.pairs.iter().any(|p| p.right == *rt) {
                    item.distractors.push(Distractor {
                        id: rid.clone(),
                        text: rt.clone(),
                    });
                }
            }
        }
        other => {
            cx.warn(
                ia.off,
                format!("<{other}> is not supported; item not imported"),
            );
            return None;
        }
    }
    Some(item)
}

fn answer_for(numeric: bool, v: &str, fraction: f64) -> Answer {
    if numeric {
        Answer {
            value: num(Some(v)),
            fraction,
            ..Answer::default()
        }
    } else {
        Answer {
            text: Some(v.to_owned()),
            fraction,
            ..Answer::default()
        }
    }
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

fn xml_id(s: &str) -> String {
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

const NS: &str = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";
const RP: &str = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/";

/// A QTI 3.0 export: the test and one file per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QtiExport {
    /// `qti-assessment-test` XML.
    pub test: String,
    /// `(href, qti-assessment-item XML)` per item.
    pub items: Vec<(String, String)>,
}

/// Exports a quiz to QTI 3.0.
///
/// # Errors
/// [`Error::Unsupported`] for what QTI's standard templates cannot express: numeric
/// tolerances/ranges, regular expressions, hint penalties.
pub fn export(quiz: &Quiz) -> Result<QtiExport, Error> {
    let mut test = String::new();
    let _ = write!(
        test,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<qti-assessment-test xmlns=\"{NS}\" identifier=\"{}\" title=\"{}\">\n  <qti-test-part identifier=\"part1\" navigation-mode=\"nonlinear\" submission-mode=\"simultaneous\">\n",
        esc(&xml_id(&quiz.id)),
        esc(&quiz.title)
    );
    let mut items = Vec::new();
    for sec in &quiz.sections {
        let _ = writeln!(
            test,
            "    <qti-assessment-section identifier=\"{}\" title=\"{}\" visible=\"true\">",
            esc(&xml_id(&sec.id)),
            esc(sec.title.as_deref().unwrap_or(&sec.id))
        );
        if let Some(n) = sec.pool {
            let _ = writeln!(test, "      <qti-selection select=\"{n}\"/>");
        }
        if sec.shuffle {
            let _ = writeln!(test, "      <qti-ordering shuffle=\"true\"/>");
        }
        for item in &sec.items {
            let href = format!("items/{}.xml", xml_id(&item.id));
            let _ = writeln!(
                test,
                "      <qti-assessment-item-ref identifier=\"{}\" href=\"{}\"/>",
                esc(&xml_id(&item.id)),
                esc(&href)
            );
            items.push((href, export_item(item)?));
        }
        let _ = writeln!(test, "    </qti-assessment-section>");
    }
    test.push_str("  </qti-test-part>\n</qti-assessment-test>\n");
    Ok(QtiExport { test, items })
}

/// Exports one item as a `qti-assessment-item`.
///
/// # Errors
/// See [`export`].
pub fn export_item(item: &Item) -> Result<String, Error> {
    let unsupported = |m: &str| Error::Unsupported(format!("item {}: {m}", item.id));
    if item.hints.iter().any(|h| h.penalty > 0.0) {
        return Err(unsupported("hint penalties have no QTI template"));
    }
    let mut decl = String::new();
    let mut body = String::new();
    let mut template = "match_correct";
    let shuffle = if item.shuffle { "true" } else { "false" };
    let choices_xml = |item: &Item| -> String {
        item.choices
            .iter()
            .map(|c| {
                format!(
                    "      <qti-simple-choice identifier=\"{}\"{}>{}</qti-simple-choice>\n",
                    esc(&xml_id(&c.id)),
                    if c.pinned { " fixed=\"true\"" } else { "" },
                    esc(&c.text)
                )
            })
            .collect()
    };
    let mapping = |entries: &[(String, f64)], lower: f64, upper: f64, extra: &str| -> String {
        let mut m = format!(
            "    <qti-mapping default-value=\"0\" lower-bound=\"{lower}\" upper-bound=\"{upper}\">\n"
        );
        for (k, v) in entries {
            let _ = writeln!(
                m,
                "      <qti-map-entry map-key=\"{}\" mapped-value=\"{v}\"{extra}/>",
                esc(k)
            );
        }
        m.push_str("    </qti-mapping>\n");
        m
    };
    let p = item.points;
    match item.kind {
        ItemType::TrueFalse => {
            let a = item.answer.ok_or_else(|| unsupported("no answer"))?;
            let _ = write!(
                decl,
                "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"identifier\">\n    <qti-correct-response><qti-value>{a}</qti-value></qti-correct-response>\n  </qti-response-declaration>\n"
            );
            let _ = write!(
                body,
                "    <qti-choice-interaction response-identifier=\"RESPONSE\" max-choices=\"1\" shuffle=\"false\">\n      <qti-prompt>{}</qti-prompt>\n      <qti-simple-choice identifier=\"true\">True</qti-simple-choice>\n      <qti-simple-choice identifier=\"false\">False</qti-simple-choice>\n    </qti-choice-interaction>\n",
                esc(&item.prompt)
            );
        }
        ItemType::SingleChoice | ItemType::MultipleResponse => {
            let multiple = item.kind == ItemType::MultipleResponse;
            let correct: Vec<String> = if multiple {
                item.choices
                    .iter()
                    .filter(|c| crate::grade::multiple_fraction(item, c) > 0.0)
                    .map(|c| xml_id(&c.id))
                    .collect()
            } else {
                item.choices
                    .iter()
                    .filter(|c| crate::grade::single_fraction(c) >= 1.0)
                    .map(|c| xml_id(&c.id))
                    .take(1)
                    .collect()
            };
            let _ = write!(
                decl,
                "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"{}\" base-type=\"identifier\">\n    <qti-correct-response>{}</qti-correct-response>\n",
                if multiple { "multiple" } else { "single" },
                correct
                    .iter()
                    .map(|c| format!("<qti-value>{c}</qti-value>"))
                    .collect::<String>()
            );
            if !item.is_all_or_nothing() {
                template = "map_response";
                let entries: Vec<(String, f64)> = item
                    .choices
                    .iter()
                    .map(|c| {
                        let f = if multiple {
                            crate::grade::multiple_fraction(item, c)
                        } else {
                            crate::grade::single_fraction(c)
                        };
                        (xml_id(&c.id), crate::grade::round9(f * p))
                    })
                    .collect();
                decl.push_str(&mapping(
                    &entries,
                    item.min_fraction * p,
                    item.max_fraction * p,
                    "",
                ));
            }
            decl.push_str("  </qti-response-declaration>\n");
            let _ = write!(
                body,
                "    <qti-choice-interaction response-identifier=\"RESPONSE\" max-choices=\"{}\" shuffle=\"{shuffle}\">\n      <qti-prompt>{}</qti-prompt>\n{}    </qti-choice-interaction>\n",
                if multiple { 0 } else { 1 },
                esc(&item.prompt),
                choices_xml(item)
            );
        }
        ItemType::TextEntry | ItemType::Numeric => {
            let numeric = item.kind == ItemType::Numeric;
            let mut entries = Vec::new();
            for a in &item.answers {
                if a.regex.is_some() {
                    return Err(unsupported("regular expressions have no QTI template"));
                }
                if a.tolerance.is_some_and(|t| t > 0.0) || a.min.is_some() || a.max.is_some() {
                    return Err(unsupported(
                        "numeric tolerances and ranges need custom response processing",
                    ));
                }
                let key = if numeric {
                    a.value.map(|v| v.to_string())
                } else {
                    a.text.clone()
                };
                if let Some(k) = key {
                    entries.push((k, crate::grade::round9(a.fraction * p)));
                }
            }
            let best = entries
                .iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map(|e| e.0.clone())
                .unwrap_or_default();
            let _ = write!(
                decl,
                "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" base-type=\"{}\">\n    <qti-correct-response><qti-value>{}</qti-value></qti-correct-response>\n",
                if numeric { "float" } else { "string" },
                esc(&best)
            );
            template = "map_response";
            let cs = if numeric {
                ""
            } else if item.case_sensitive {
                " case-sensitive=\"true\""
            } else {
                " case-sensitive=\"false\""
            };
            decl.push_str(&mapping(
                &entries,
                item.min_fraction * p,
                item.max_fraction * p,
                cs,
            ));
            decl.push_str("  </qti-response-declaration>\n");
            let _ = write!(
                body,
                "    <p>{}</p>\n    <qti-text-entry-interaction response-identifier=\"RESPONSE\"/>\n",
                esc(&item.prompt)
            );
        }
        ItemType::Ordering => {
            if !item.is_all_or_nothing() {
                return Err(unsupported(
                    "partial credit for ordering has no QTI template",
                ));
            }
            let _ = write!(
                decl,
                "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"ordered\" base-type=\"identifier\">\n    <qti-correct-response>{}</qti-correct-response>\n  </qti-response-declaration>\n",
                item.choices
                    .iter()
                    .map(|c| format!("<qti-value>{}</qti-value>", xml_id(&c.id)))
                    .collect::<String>()
            );
            let _ = write!(
                body,
                "    <qti-order-interaction response-identifier=\"RESPONSE\" shuffle=\"true\">\n      <qti-prompt>{}</qti-prompt>\n{}    </qti-order-interaction>\n",
                esc(&item.prompt),
                choices_xml(item)
            );
        }
        ItemType::Matching => {
            let opts = crate::shuffle::matching_options(item);
            let right_id = |text: &str| {
                opts.iter()
                    .find(|(_, t)| t == text)
                    .map(|(i, _)| format!("R_{}", xml_id(i)))
                    .unwrap_or_default()
            };
            let pairs: Vec<(String, f64)> = item
                .pairs
                .iter()
                .map(|pr| {
                    (
                        format!("L_{} {}", xml_id(&pr.id), right_id(&pr.right)),
                        crate::grade::round9(p / item.pairs.len().max(1) as f64),
                    )
                })
                .collect();
            let _ = write!(
                decl,
                "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"multiple\" base-type=\"directedPair\">\n    <qti-correct-response>{}</qti-correct-response>\n",
                pairs
                    .iter()
                    .map(|(k, _)| format!("<qti-value>{}</qti-value>", esc(k)))
                    .collect::<String>()
            );
            if !item.is_all_or_nothing() {
                template = "map_response";
                decl.push_str(&mapping(&pairs, 0.0, p, ""));
            }
            decl.push_str("  </qti-response-declaration>\n");
            let lefts: String = item
                .pairs
                .iter()
                .map(|pr| format!("        <qti-simple-associable-choice identifier=\"L_{}\" match-max=\"1\">{}</qti-simple-associable-choice>\n", xml_id(&pr.id), esc(&pr.left)))
                .collect();
            let rights: String = opts
                .iter()
                .map(|(i, t)| format!("        <qti-simple-associable-choice identifier=\"R_{}\" match-max=\"{}\">{}</qti-simple-associable-choice>\n", xml_id(i), item.pairs.len(), esc(t)))
                .collect();
            let _ = write!(
                body,
                "    <qti-match-interaction response-identifier=\"RESPONSE\" shuffle=\"{shuffle}\" max-associations=\"{}\">\n      <qti-prompt>{}</qti-prompt>\n      <qti-simple-match-set>\n{lefts}      </qti-simple-match-set>\n      <qti-simple-match-set>\n{rights}      </qti-simple-match-set>\n    </qti-match-interaction>\n",
                item.pairs.len(),
                esc(&item.prompt)
            );
        }
    }
    let mut out = String::new();
    let _ = write!(
        out,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<qti-assessment-item xmlns=\"{NS}\" identifier=\"{}\" title=\"{}\" adaptive=\"false\" time-dependent=\"false\">\n{decl}  <qti-outcome-declaration identifier=\"SCORE\" cardinality=\"single\" base-type=\"float\"/>\n  <qti-item-body>\n{body}  </qti-item-body>\n  <qti-response-processing template=\"{RP}{template}.xml\"/>\n</qti-assessment-item>\n",
        esc(&xml_id(&item.id)),
        esc(&item.prompt.chars().take(60).collect::<String>())
    );
    Ok(out)
}
