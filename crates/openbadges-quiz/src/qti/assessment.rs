//! Import of a QTI 3.0 assessment item (as a one-item quiz) or assessment test, whose item
//! and section references are followed through a [`Resolver`]: each file read and parsed
//! once, each item converted once, cycles and the expanded size refused.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::Resolver;
use super::item::convert_item;
use super::xml::{El, XmlError, parse_xml};
use crate::def::{Item, Quiz, Section};
use crate::error::{Error, Problem, Severity};
use crate::source::{Format, Limits, Loaded, SpanIndex};

/// Where problems of one file go: its line index, the problems found, its name.
pub(super) struct Ctx<'a> {
    pub(super) spans: SpanIndex,
    pub(super) problems: Vec<Problem>,
    pub(super) file: Option<&'a str>,
}

impl Ctx<'_> {
    /// A `qti-unsupported` warning at byte `off`.
    pub(super) fn warn(&mut self, off: usize, msg: String) {
        self.push(Severity::Warning, "qti-unsupported", off, msg);
    }

    /// A `qti-invalid` error at byte `off`.
    pub(super) fn error(&mut self, off: usize, msg: String) {
        self.push(Severity::Error, "qti-invalid", off, msg);
    }

    fn push(&mut self, severity: Severity, code: &'static str, off: usize, message: String) {
        let p = self
            .spans
            .problem_at(code, severity, off, message, self.file);
        self.problems.push(p);
    }
}

/// A `syntax` problem at byte `off` of `text` (the file `file`).
pub(super) fn syntax_problem(text: &str, file: Option<&str>, off: usize, message: &str) -> Problem {
    SpanIndex::new(text).problem_at("syntax", Severity::Error, off, message, file)
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
    limits.check_size(src.len())?;
    let root = parse_xml(src, limits)
        .map_err(|(o, m)| Error::Invalid(vec![syntax_problem(src, file, o, &m)]))?;
    let mut cx = Ctx {
        spans: SpanIndex::new(src),
        problems: Vec::new(),
        file,
    };
    let quiz = match root.name.as_str() {
        "qti-assessment-item" => item_quiz(&root, &mut cx),
        "qti-assessment-test" => import_test(&root, &mut cx, limits, resolve, src.len())?,
        other => {
            let m = format!("<{other}> is not a QTI 3.0 assessment item or test");
            return Err(Error::Invalid(vec![syntax_problem(
                src, file, root.off, &m,
            )]));
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

/// A one-item quiz (one section, `main`) from a `qti-assessment-item`.
fn item_quiz(root: &El, cx: &mut Ctx<'_>) -> Quiz {
    let item = convert_item(root, cx, "/sections/0/items/0");
    Quiz::imported(
        root.attr("identifier").unwrap_or("qti-item").to_owned(),
        root.attr("title").unwrap_or("QTI item").to_owned(),
        root.attr("lang").unwrap_or("en").to_owned(),
        vec![Section {
            id: "main".into(),
            title: None,
            instructions: None,
            shuffle: false,
            pool: None,
            items: item.into_iter().collect(),
        }],
    )
}

/// A reference followed: its `href` as written, its target's path relative to the test's
/// folder, and the target's file.
type Followed<'e> = (&'e str, String, Rc<RefFile>);

/// A file reached through a reference: read through the resolver and parsed, once.
struct RefFile {
    text: String,
    root: Result<El, XmlError>,
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

    /// Follows the `what` (`item` or `section`) reference `r`, made in the file `key` that
    /// `cx` reads: its `href`, its target (relative to the test's folder) and the target's
    /// file. A reference back into the chain is refused, as are section references nested
    /// deeper than [`MAX_REFERENCE_DEPTH`]; `None`, after a `qti-invalid` error, when it has no
    /// `href` or its file cannot be read.
    fn follow<'e>(
        &mut self,
        cx: &mut Ctx<'_>,
        r: &'e El,
        key: &str,
        what: &str,
    ) -> Result<Option<Followed<'e>>, Error> {
        let Some(href) = r.attr("href") else {
            cx.error(r.off, format!("{what} reference without href"));
            return Ok(None);
        };
        let target = join_href(key, href);
        self.check_cycle(cx, r.off, &target)?;
        if what == "section" && self.chain.len() > MAX_REFERENCE_DEPTH {
            return Err(Error::Limit(format!(
                "section references nested more than {MAX_REFERENCE_DEPTH} deep"
            )));
        }
        let Some(file) = self.file(&target)? else {
            cx.error(r.off, format!("cannot read the referenced {what} {href:?}"));
            return Ok(None);
        };
        Ok(Some((href, target, file)))
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
        Err(Error::Invalid(vec![cx.spans.problem_at(
            "qti-reference-cycle",
            Severity::Error,
            off,
            format!("reference cycle: {}", path.join(" -> ")),
            cx.file,
        )]))
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
    Ok(Quiz::imported(
        root.attr("identifier").unwrap_or("qti-test").to_owned(),
        root.attr("title").unwrap_or("QTI test").to_owned(),
        "en".into(),
        refs.sections,
    ))
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
                let Some((href, target, file)) = refs.follow(cx, child, key, "section")? else {
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
                    Err((o, m)) => {
                        cx.problems
                            .push(syntax_problem(&file.text, Some(&target), *o, m))
                    }
                }
            }
            _ => walk_sections(child, key, cx, anchor, refs)?,
        }
    }
    Ok(())
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
        let Some((href, target, file)) = refs.follow(cx, r, key, "item")? else {
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
            Err((o, m)) => cx
                .problems
                .push(syntax_problem(&file.text, Some(&target), *o, m)),
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
