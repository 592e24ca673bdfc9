//! Reading definitions from text: format detection, limits, and a span index so every
//! problem carries `file:line:column`.
//!
//! TOML is parsed with the `toml` crate's span-preserving document parser
//! (`toml::de::DeTable::parse`), JSON with `serde_json` followed by a small span-tracking pass
//! over the (already validated) text. Both become a `serde_json::Value` plus a map from JSON
//! pointer to byte offset, then deserialize into [`Quiz`] through `serde_path_to_error`, so a
//! shape error names the exact field too.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::def::Quiz;
use crate::error::{Error, Problem, Severity};

/// Input formats the engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The engine's own format in TOML.
    Toml,
    /// The engine's own format in JSON.
    Json,
    /// Moodle GIFT.
    Gift,
    /// A QTI 3.0 assessment item or test (XML).
    Qti,
}

impl Format {
    /// `"toml"`, `"json"`, `"gift"` or `"qti"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Json => "json",
            Format::Gift => "gift",
            Format::Qti => "qti",
        }
    }

    /// Picks the format from a file name's extension, falling back to the content.
    pub fn detect(file_name: Option<&str>, text: &str) -> Format {
        let ext = file_name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("toml") => return Format::Toml,
            Some("json") => return Format::Json,
            Some("gift" | "txt") => return Format::Gift,
            Some("xml" | "qti") => return Format::Qti,
            _ => {}
        }
        let t = text.trim_start_matches('\u{feff}').trim_start();
        if t.starts_with('{')
            || t.starts_with('[') && !t.starts_with("[[") && !t.starts_with("[sections")
        {
            Format::Json
        } else if t.starts_with('<') {
            Format::Qti
        } else if looks_like_toml(t) {
            Format::Toml
        } else {
            Format::Gift
        }
    }
}

fn looks_like_toml(t: &str) -> bool {
    t.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(5)
        .any(|l| {
            l.starts_with("[[sections") || l.starts_with("[pass") || {
                let key: String = l
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                !key.is_empty()
                    && l.get(key.len()..)
                        .is_some_and(|rest| rest.trim_start().starts_with('='))
            }
        })
}

/// Limits applied while reading untrusted definitions. On by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted source, in bytes.
    pub max_bytes: usize,
    /// Most items in one quiz.
    pub max_items: usize,
    /// Most choices (or pairs, or answers) in one item.
    pub max_choices: usize,
    /// Longest regular expression source, in bytes.
    pub max_regex_len: usize,
    /// Compiled size limit of one regular expression, in bytes (the `regex` crate's
    /// `size_limit`).
    pub max_regex_compiled: usize,
    /// Deepest nesting of pass rules.
    pub max_rule_depth: usize,
}

impl Limits {
    /// Refuses a definition of `len` bytes over [`max_bytes`](Limits::max_bytes).
    ///
    /// # Errors
    /// [`Error::Limit`] when `len` is over the limit.
    pub(crate) fn check_size(&self, len: usize) -> Result<(), Error> {
        if len > self.max_bytes {
            return Err(Error::Limit(format!(
                "definition is {len} bytes, the limit is {}",
                self.max_bytes
            )));
        }
        Ok(())
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 8 * 1024 * 1024,
            max_items: 10_000,
            max_choices: 1_000,
            max_regex_len: 1_000,
            max_regex_compiled: 256 * 1024,
            max_rule_depth: 16,
        }
    }
}

/// Byte offsets of the values of a definition, by JSON pointer, and the text they index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpanIndex {
    offsets: BTreeMap<String, usize>,
    line_starts: Vec<usize>,
    text: String,
}

impl SpanIndex {
    /// An index over `text` with no entries yet.
    pub fn new(text: &str) -> SpanIndex {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SpanIndex {
            offsets: BTreeMap::new(),
            line_starts,
            text: text.to_owned(),
        }
    }

    /// Records the offset of the value at `pointer` (the first record wins).
    pub fn insert(&mut self, pointer: String, offset: usize) {
        self.offsets.entry(pointer).or_insert(offset);
    }

    /// The offset of `pointer`, or of its longest recorded ancestor.
    pub fn offset(&self, pointer: &str) -> Option<usize> {
        let mut p = pointer;
        loop {
            if let Some(o) = self.offsets.get(p) {
                return Some(*o);
            }
            match p.rfind('/') {
                Some(i) => p = p.get(..i).unwrap_or(""),
                None => return None,
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|s| *s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let col = self
            .text
            .get(start..offset.min(self.text.len()))
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    /// A problem (no JSON pointer) at byte `offset` of the indexed text.
    pub(crate) fn problem_at(
        &self,
        code: &'static str,
        severity: Severity,
        offset: usize,
        message: impl Into<String>,
        file: Option<&str>,
    ) -> Problem {
        Problem::at(code, severity, message, file, self.line_col(offset))
    }

    /// Line and column of a pointer (0, 0 when nothing is known).
    pub fn position(&self, pointer: &str) -> (usize, usize) {
        self.offset(pointer).map_or((0, 0), |o| self.line_col(o))
    }
}

/// A finding before positions are attached: a code, a pointer and a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// Stable code.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// JSON pointer.
    pub path: String,
    /// Message.
    pub message: String,
}

impl Issue {
    /// An error.
    pub fn error(code: &'static str, path: impl Into<String>, message: impl Into<String>) -> Issue {
        Issue {
            code,
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
        }
    }
    /// A warning.
    pub fn warning(
        code: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Issue {
        Issue {
            code,
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
        }
    }
}

/// A definition read from text, with the span index for locating problems.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The definition.
    pub quiz: Quiz,
    /// Where each value sits in the source.
    pub spans: SpanIndex,
    /// Warnings from reading (e.g. imported constructs that were not carried over).
    pub problems: Vec<Problem>,
    /// The file name given when loading.
    pub file: Option<String>,
    /// The format read.
    pub format: Format,
}

impl Loaded {
    /// Attaches file, line and column to issues.
    pub fn locate(&self, issues: &[Issue]) -> Vec<Problem> {
        issues
            .iter()
            .map(|i| locate(&self.spans, self.file.as_deref(), i))
            .collect()
    }

    /// Validates the definition; returns reading warnings plus every validation problem,
    /// positioned.
    pub fn check(&self, limits: &Limits) -> Vec<Problem> {
        let mut out = self.problems.clone();
        out.extend(self.locate(&crate::validate::validate_with(&self.quiz, limits)));
        out
    }
}

pub(crate) fn locate(spans: &SpanIndex, file: Option<&str>, i: &Issue) -> Problem {
    let (line, column) = spans.position(&i.path);
    Problem {
        code: i.code,
        severity: i.severity,
        message: i.message.clone(),
        path: i.path.clone(),
        file: file.map(str::to_owned),
        line,
        column,
    }
}

/// Reads a definition in the given format (QTI tests that reference other files need
/// [`crate::qti::import_item_or_test`] with a resolver instead).
///
/// # Errors
/// [`Error::Invalid`] with every positioned problem when the text cannot be read or does not
/// have the shape of a quiz; [`Error::Limit`] when it is too large. Semantic problems are
/// not errors here: call [`Loaded::check`].
pub fn load(
    text: &str,
    format: Format,
    file: Option<&str>,
    limits: &Limits,
) -> Result<Loaded, Error> {
    limits.check_size(text.len())?;
    match format {
        Format::Toml => load_toml(text, file),
        Format::Json => load_json(text, file),
        Format::Gift => crate::gift::import(text, file, limits),
        Format::Qti => crate::qti::import_item_or_test(text, file, limits, &|_| None),
    }
}

/// Reads the engine's TOML format.
///
/// # Errors
/// See [`load`].
pub fn load_toml(text: &str, file: Option<&str>) -> Result<Loaded, Error> {
    let mut spans = SpanIndex::new(text);
    let doc = toml::de::DeTable::parse(text).map_err(|e| {
        let off = e.span().map_or(0, |s| s.start);
        Error::Invalid(vec![spans.problem_at(
            "syntax",
            Severity::Error,
            off,
            e.message().trim(),
            file,
        )])
    })?;
    let mut issues = Vec::new();
    spans.insert(String::new(), doc.span().start);
    let value = toml_table(doc.get_ref(), "", &mut spans, &mut issues);
    if !issues.is_empty() {
        return Err(Error::Invalid(
            issues.iter().map(|i| locate(&spans, file, i)).collect(),
        ));
    }
    finish(value, spans, file, Format::Toml)
}

fn toml_table(
    t: &toml::de::DeTable<'_>,
    path: &str,
    spans: &mut SpanIndex,
    issues: &mut Vec<Issue>,
) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in t.iter() {
        let p = format!("{path}/{}", escape_pointer(k.get_ref()));
        // Point at the value; for tables (headers) the key itself is the better anchor.
        let off = if matches!(v.get_ref(), toml::de::DeValue::Table(_)) {
            k.span().start
        } else {
            v.span().start
        };
        spans.insert(p.clone(), off);
        let value = toml_value(v, &p, spans, issues);
        map.insert(k.get_ref().to_string(), value);
    }
    Value::Object(map)
}

fn toml_value(
    v: &toml::Spanned<toml::de::DeValue<'_>>,
    path: &str,
    spans: &mut SpanIndex,
    issues: &mut Vec<Issue>,
) -> Value {
    use toml::de::DeValue;
    match v.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::from(n),
            Err(_) => {
                issues.push(Issue::error(
                    "syntax",
                    path,
                    format!("integer {} is out of range", i.as_str()),
                ));
                Value::Null
            }
        },
        DeValue::Float(f) => match f
            .as_str()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
        {
            Some(n) => Value::Number(n),
            None => {
                issues.push(Issue::error(
                    "syntax",
                    path,
                    format!("number {} is not finite", f.as_str()),
                ));
                Value::Null
            }
        },
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(a) => Value::Array(
            a.iter()
                .enumerate()
                .map(|(n, e)| {
                    let p = format!("{path}/{n}");
                    spans.insert(p.clone(), e.span().start);
                    toml_value(e, &p, spans, issues)
                })
                .collect(),
        ),
        DeValue::Table(t) => toml_table(t, path, spans, issues),
    }
}

/// Reads the engine's JSON format.
///
/// # Errors
/// See [`load`].
pub fn load_json(text: &str, file: Option<&str>) -> Result<Loaded, Error> {
    let spans = SpanIndex::new(text);
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::Invalid(vec![Problem::at(
            "syntax",
            Severity::Error,
            strip_position(&e.to_string()),
            file,
            (e.line(), e.column()),
        )])
    })?;
    let mut spans = spans;
    let mut scan = JsonScan {
        s: text.as_bytes(),
        i: 0,
    };
    scan.value("", &mut spans);
    finish(value, spans, file, Format::Json)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg).to_owned(),
        None => msg.to_owned(),
    }
}

pub(crate) fn finish(
    value: Value,
    spans: SpanIndex,
    file: Option<&str>,
    format: Format,
) -> Result<Loaded, Error> {
    match serde_path_to_error::deserialize::<_, Quiz>(value) {
        Ok(quiz) => Ok(Loaded {
            quiz,
            spans,
            problems: Vec::new(),
            file: file.map(str::to_owned),
            format,
        }),
        Err(e) => {
            let pointer = pointer_of(e.path());
            let issue = Issue::error("shape", pointer, strip_position(&e.inner().to_string()));
            Err(Error::Invalid(vec![locate(&spans, file, &issue)]))
        }
    }
}

fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&escape_pointer(key));
            }
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    out
}

/// Escapes one JSON-pointer segment.
pub(crate) fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// A span-recording walk over JSON text that `serde_json` has already accepted.
struct JsonScan<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonScan<'_> {
    fn peek(&self) -> u8 {
        self.s.get(self.i).copied().unwrap_or(0)
    }
    fn ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn string(&mut self) -> String {
        // At the opening quote.
        let start = self.i;
        self.i += 1;
        while self.i < self.s.len() {
            match self.peek() {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    break;
                }
                _ => self.i += 1,
            }
        }
        self.s
            .get(start..self.i)
            .and_then(|b| serde_json::from_slice::<String>(b).ok())
            .unwrap_or_default()
    }
    fn value(&mut self, path: &str, spans: &mut SpanIndex) {
        self.ws();
        spans.insert(path.to_owned(), self.i);
        match self.peek() {
            b'{' => {
                self.i += 1;
                loop {
                    self.ws();
                    match self.peek() {
                        b'}' => {
                            self.i += 1;
                            return;
                        }
                        b',' => self.i += 1,
                        b'"' => {
                            let key = self.string();
                            self.ws();
                            if self.peek() == b':' {
                                self.i += 1;
                            }
                            let p = format!("{path}/{}", escape_pointer(&key));
                            self.value(&p, spans);
                        }
                        _ => return,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut n = 0usize;
                loop {
                    self.ws();
                    match self.peek() {
                        b']' => {
                            self.i += 1;
                            return;
                        }
                        b',' => self.i += 1,
                        0 => return,
                        _ => {
                            let p = format!("{path}/{n}");
                            self.value(&p, spans);
                            n += 1;
                        }
                    }
                }
            }
            b'"' => {
                self.string();
            }
            0 => {}
            _ => {
                while !matches!(
                    self.peek(),
                    b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | 0
                ) {
                    self.i += 1;
                }
            }
        }
    }
}
