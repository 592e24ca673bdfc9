//! Moodle GIFT import, following Moodle's own reader (`question/format/gift/format.php`):
//! questions are separated by blank lines; lines starting with `//` are comments;
//! `$CATEGORY: a/b` starts a section; `::name::` names a question; the answer block is
//! between the first unescaped `{` and `}`; `####` starts general feedback (imported as the
//! explanation); `[markdown]`/`[html]`/`[plain]`/`[moodle]` format prefixes are removed;
//! escapes `\\ \: \# \= \{ \} \~ \n` are honoured.
//!
//! Types as Moodle decides them: `{}` essay and text without braces (description) are not
//! gradable and are reported as `gift-unsupported` warnings with their position;
//! `{#…}` numeric; a `~` makes multiple choice (single answer when an `=` is present,
//! otherwise multiple answers with `%n%` weights); `=` with `->` matching; `T`/`TRUE`/`F`/
//! `FALSE` true/false; anything else short answer (case-insensitive, trimmed, `*` wildcard).
//!
//! Weights (`%n%`) become the grade Moodle's import stores for them: the allowed grade within
//! 0.00001 (`MOODLE_GRADES`, `match_grade_options()` in its default `error` mode), or a
//! `gift-grade` error where Moodle refuses the question.

use crate::def::{Answer, Choice, Distractor, Item, ItemType, Pair, Quiz, Section, Whitespace};
use crate::error::{Error, Problem, Severity};
use crate::source::{Format, Limits, Loaded, SpanIndex};

#[derive(Debug, Clone, Copy)]
struct C {
    c: char,
    lit: bool,
    off: usize,
}

type S = Vec<C>;

fn text(s: &[C]) -> String {
    s.iter().map(|c| c.c).collect()
}

fn trim(s: &[C]) -> &[C] {
    let a = s
        .iter()
        .position(|c| !c.c.is_whitespace())
        .unwrap_or(s.len());
    let b = s
        .iter()
        .rposition(|c| !c.c.is_whitespace())
        .map_or(a, |i| i + 1);
    s.get(a..b.max(a)).unwrap_or(&[])
}

fn find(s: &[C], ch: char) -> Option<usize> {
    s.iter().position(|c| c.c == ch && !c.lit)
}

fn find_seq(s: &[C], pat: &str) -> Option<usize> {
    let p: Vec<char> = pat.chars().collect();
    (0..s.len()).find(|&i| {
        p.iter()
            .enumerate()
            .all(|(k, pc)| s.get(i + k).is_some_and(|c| c.c == *pc && !c.lit))
    })
}

fn rfind_seq(s: &[C], pat: &str) -> Option<usize> {
    let p: Vec<char> = pat.chars().collect();
    (0..s.len()).rev().find(|&i| {
        p.iter()
            .enumerate()
            .all(|(k, pc)| s.get(i + k).is_some_and(|c| c.c == *pc && !c.lit))
    })
}

fn split_on(s: &[C], ch: char) -> Vec<&[C]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in s.iter().enumerate() {
        if c.c == ch && !c.lit {
            out.push(s.get(start..i).unwrap_or(&[]));
            start = i + 1;
        }
    }
    out.push(s.get(start..).unwrap_or(&[]));
    out
}

/// Parses `%n%` at the start as Moodle does: its pattern `^%-*([0-9]{1,2})\.?([0-9]*)%`
/// (one or two digits before an optional point, any digits after it), then the text between
/// the `%` signs divided by 100. Returns the raw weight and the length taken.
fn weight(s: &[C]) -> Option<(f64, usize)> {
    if s.first().map(|c| c.c) != Some('%') {
        return None;
    }
    let rest = s.get(1..)?;
    let end = find(rest, '%')?;
    let w = text(rest.get(..end)?);
    let digits = w.trim_start_matches('-');
    let neg = w.len() != digits.len();
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) if (1..=2).contains(&i.len()) => (i, f),
        Some(_) => return None,
        None => (digits, ""),
    };
    if int.is_empty()
        || !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let v: f64 = format!("{int}.{}", if frac.is_empty() { "0" } else { frac })
        .parse()
        .ok()?;
    Some((if neg { -v } else { v } / 100.0, end + 2))
}

/// The grades Moodle allows for an answer (`question_bank::fraction_options_full()` in
/// `question/engine/bank.php`): 0, ±1, and ± these, stored to 7 decimals.
const MOODLE_GRADES: [f64; 19] = [
    0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2, 0.1666667,
    0.1428571, 0.125, 0.1111111, 0.1, 0.05,
];

/// How far a written weight may be from an allowed grade (`match_grade_options()` in
/// `lib/questionlib.php`, in its default `error` mode: `abs($grade - $value) < 0.00001`).
const MOODLE_GRADE_TOLERANCE: f64 = 0.00001;

/// The allowed grade a weight is taken as, as Moodle's import does (the fraction it then
/// stores and grades with); `None` when Moodle refuses the weight (and the question).
fn moodle_grade(w: f64) -> Option<f64> {
    std::iter::once(0.0)
        .chain(std::iter::once(1.0))
        .chain(std::iter::once(-1.0))
        .chain(MOODLE_GRADES.iter().flat_map(|g| [*g, -*g]))
        .find(|g| (w - g).abs() < MOODLE_GRADE_TOLERANCE)
}

impl Ctx<'_> {
    /// A leading `%n%` weight, taken as Moodle's import takes it (snapped to an allowed
    /// grade); `default` without one. A weight Moodle refuses is a `gift-grade` error.
    fn weighted<'s>(&mut self, p: &'s [C], default: f64, at: usize) -> (f64, &'s [C]) {
        let Some((w, n)) = weight(p) else {
            return (default, p);
        };
        let rest = p.get(n..).unwrap_or(&[]);
        match moodle_grade(w) {
            Some(g) => (g, rest),
            None => {
                self.problem(
                    Severity::Error,
                    "gift-grade",
                    at,
                    format!(
                        "weight {}% is not one of the grades Moodle accepts (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5 or 0 percent, or minus one of them); Moodle's import refuses the question",
                        crate::grade::round9(w * 100.0)
                    ),
                );
                (w, rest)
            }
        }
    }
}

fn strip_format(s: &[C]) -> &[C] {
    let t = trim(s);
    if t.first().map(|c| c.c) == Some('[') {
        if let Some(end) = find(t, ']') {
            let name = text(t.get(1..end).unwrap_or(&[]));
            if matches!(name.as_str(), "moodle" | "html" | "plain" | "markdown") {
                return trim(t.get(end + 1..).unwrap_or(&[]));
            }
        }
    }
    t
}

fn strip_format_str(s: &str) -> String {
    let t = s.trim();
    for f in ["[moodle]", "[html]", "[plain]", "[markdown]"] {
        if let Some(rest) = t.strip_prefix(f) {
            return rest.trim().to_owned();
        }
    }
    t.to_owned()
}

/// Answer text and its `#feedback`.
fn comment(s: &[C]) -> (String, Option<String>) {
    match find(s, '#') {
        Some(i) => {
            let fb = text(strip_format(s.get(i + 1..).unwrap_or(&[])));
            (
                text(strip_format(s.get(..i).unwrap_or(&[]))),
                if fb.is_empty() { None } else { Some(fb) },
            )
        }
        None => (text(strip_format(s)), None),
    }
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.chars().take(48).collect()
}

struct Ctx<'a> {
    spans: SpanIndex,
    problems: Vec<Problem>,
    file: Option<&'a str>,
    sections: Vec<Section>,
    ids: std::collections::HashSet<String>,
    count: usize,
}

impl Ctx<'_> {
    /// Records a problem at byte `off` of the GIFT file.
    fn problem(&mut self, severity: Severity, code: &'static str, off: usize, message: String) {
        let p = self
            .spans
            .problem_at(code, severity, off, message, self.file);
        self.problems.push(p);
    }
}

/// Imports a GIFT file.
///
/// # Errors
/// [`Error::Invalid`] with positions when a question is malformed (unbalanced braces, bad
/// numbers, matching without `->`); unsupported but well-formed questions become warnings.
pub fn import(src: &str, file: Option<&str>, limits: &Limits) -> Result<Loaded, Error> {
    limits.check_size(src.len())?;
    let mut cx = Ctx {
        spans: SpanIndex::new(src),
        problems: Vec::new(),
        file,
        sections: Vec::new(),
        ids: Default::default(),
        count: 0,
    };
    // Split into blocks of non-blank lines; comment lines become blank within a block.
    let mut block: Vec<(usize, &str)> = Vec::new();
    let mut off = 0usize;
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    let bom = src.len() - body.len();
    off += bom;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            if !block.is_empty() {
                question(&mut cx, &block, limits)?;
                block.clear();
            }
        } else if content.trim_start().starts_with("//") {
            block.push((off, ""));
        } else {
            block.push((off, content));
        }
        off += line.len();
    }
    if !block.is_empty() {
        question(&mut cx, &block, limits)?;
    }
    if cx.problems.iter().any(Problem::is_error) {
        return Err(Error::Invalid(cx.problems));
    }
    let title = file
        .and_then(|f| std::path::Path::new(f).file_stem())
        .map_or_else(
            || "GIFT quiz".to_owned(),
            |s| s.to_string_lossy().into_owned(),
        );
    let quiz = Quiz::imported(
        format!("gift:{}", slug(&title)),
        title,
        "en".into(),
        cx.sections,
    );
    Ok(Loaded {
        quiz,
        spans: cx.spans,
        problems: cx.problems,
        file: file.map(str::to_owned),
        format: Format::Gift,
    })
}

fn chars_of(block: &[(usize, &str)]) -> S {
    let mut raw: Vec<(char, usize)> = Vec::new();
    for (n, (off, line)) in block.iter().enumerate() {
        if n > 0 {
            raw.push(('\n', off.saturating_sub(1)));
        }
        raw.extend(line.char_indices().map(|(i, c)| (c, off + i)));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&(c, o)) = raw.get(i) {
        if c == '\\' {
            if let Some(&(n, _)) = raw.get(i + 1) {
                let lit = match n {
                    '\\' | ':' | '#' | '=' | '{' | '}' | '~' => Some(n),
                    'n' => Some('\n'),
                    _ => None,
                };
                if let Some(l) = lit {
                    out.push(C {
                        c: l,
                        lit: true,
                        off: o,
                    });
                    i += 2;
                    continue;
                }
            }
        }
        out.push(C {
            c,
            lit: false,
            off: o,
        });
        i += 1;
    }
    out
}

/// One question block: a `$CATEGORY`, a description or essay (warnings), or a gradable
/// question added to the current section. Steps: the block's characters, the item limit,
/// the category, the `::name::`, the answer block, the general feedback, the item, and the
/// answers of the type Moodle would decide.
fn question(cx: &mut Ctx<'_>, block: &[(usize, &str)], limits: &Limits) -> Result<(), Error> {
    let all = chars_of(block);
    let t = trim(&all);
    let Some(start) = t.first().map(|c| c.off) else {
        return Ok(());
    };
    if cx.count >= limits.max_items {
        return Err(Error::Limit(format!(
            "more than {} questions",
            limits.max_items
        )));
    }
    if let Some(cat) = text(t).strip_prefix("$CATEGORY:") {
        category(cx, cat.trim(), start);
        return Ok(());
    }
    let (name, t) = question_name(t);
    let Some((qtext, answer)) = answer_block(cx, t, start) else {
        return Ok(());
    };
    let Some(ans) = answer else {
        cx.problem(
            Severity::Warning,
            "gift-unsupported",
            start,
            "a description (text without an answer block) is not a gradable question; not imported"
                .into(),
        );
        return Ok(());
    };
    let (explanation, ans) = general_feedback(ans);
    if ans.is_empty() {
        cx.problem(
            Severity::Warning,
            "gift-unsupported",
            start,
            "an essay question ({}) cannot be graded automatically; not imported".into(),
        );
        return Ok(());
    }
    let (mut item, ip) = new_item(cx, name.as_deref(), qtext, start);
    item.explanation = explanation;
    let at = Answers {
        ans,
        ip: &ip,
        start,
    };
    let has = |ch: char| find(ans, ch).is_some();
    if ans.first().map(|c| (c.c, c.lit)) == Some(('#', false)) {
        at.numeric(cx, &mut item);
    } else if has('~') {
        at.choices(cx, &mut item);
    } else if has('=') && find_seq(ans, "->").is_some() {
        at.matching(cx, &mut item);
    } else {
        at.true_false_or_short(cx, &mut item);
    }
    if let Some(sec) = cx.sections.last_mut() {
        sec.items.push(item);
    }
    Ok(())
}

/// `$CATEGORY: name` starts a section whose id is the name's slug, made unique.
fn category(cx: &mut Ctx<'_>, name: &str, start: usize) {
    let mut id = slug(name);
    if id.is_empty() {
        id = "category".into();
    }
    let base = id.clone();
    let mut k = 2;
    while cx.sections.iter().any(|s| s.id == id) {
        id = format!("{base}-{k}");
        k += 1;
    }
    cx.spans
        .insert(format!("/sections/{}", cx.sections.len()), start);
    cx.sections.push(Section {
        id,
        title: Some(name.to_owned()),
        instructions: None,
        shuffle: false,
        pool: None,
        items: Vec::new(),
    });
}

/// A leading unescaped `::name::` and the rest of the question (everything after a `::`
/// without its closing `::`).
fn question_name(t: &[C]) -> (Option<String>, &[C]) {
    if text(t.get(..2).unwrap_or(&[])) != "::"
        || !t.get(..2).is_some_and(|x| x.iter().all(|c| !c.lit))
    {
        return (None, t);
    }
    let rest = t.get(2..).unwrap_or(&[]);
    match find_seq(rest, "::") {
        Some(end) => (
            Some(text(trim(rest.get(..end).unwrap_or(&[])))),
            trim(rest.get(end + 2..).unwrap_or(&[])),
        ),
        None => (None, rest),
    }
}

/// The question text and the answer block between the first unescaped `{` and `}` (`None`
/// for a description). Text after the block makes a fill-in-the-blank text (`_____` where the
/// block was). Unbalanced braces are a `gift-syntax` error, and `None` is returned.
fn answer_block<'s>(
    cx: &mut Ctx<'_>,
    t: &'s [C],
    start: usize,
) -> Option<(String, Option<&'s [C]>)> {
    let open = find(t, '{');
    let close = find(t, '}');
    match (open, close) {
        (None, None) => Some((text(strip_format(t)), None)),
        (Some(a), Some(b)) if a < b => {
            let inner = trim(t.get(a + 1..b).unwrap_or(&[]));
            let before = t.get(..a).unwrap_or(&[]);
            let after = t.get(b + 1..).unwrap_or(&[]);
            let q = if after.is_empty() {
                text(strip_format(before))
            } else {
                strip_format_str(&format!("{}_____{}", text(before), text(after)))
            };
            Some((q, Some(inner)))
        }
        _ => {
            let at = open
                .or(close)
                .and_then(|i| t.get(i))
                .map_or(start, |c| c.off);
            cx.problem(
                Severity::Error,
                "gift-syntax",
                at,
                "unbalanced braces: the answer block needs both { and }".into(),
            );
            None
        }
    }
}

/// The general feedback after the last `####` (the explanation, when not empty) and the
/// answers before it.
fn general_feedback(ans: &[C]) -> (Option<String>, &[C]) {
    let Some(g) = rfind_seq(ans, "####") else {
        return (None, ans);
    };
    let fb = text(strip_format(ans.get(g + 4..).unwrap_or(&[])));
    (
        (!fb.is_empty()).then_some(fb),
        trim(ans.get(..g).unwrap_or(&[])),
    )
}

/// A new gradable item in the current section (a `default` section first when there is
/// none): its id from the name (or `q<number>`), unique in the file, and its JSON pointer.
fn new_item(cx: &mut Ctx<'_>, name: Option<&str>, qtext: String, start: usize) -> (Item, String) {
    cx.count += 1;
    let number = cx.count;
    if cx.sections.is_empty() {
        cx.spans.insert("/sections/0".into(), start);
        cx.sections.push(Section {
            id: "default".into(),
            title: None,
            instructions: None,
            shuffle: false,
            pool: None,
            items: Vec::new(),
        });
    }
    let s = cx.sections.len() - 1;
    let i = cx.sections.last().map_or(0, |x| x.items.len());
    let ip = format!("/sections/{s}/items/{i}");
    cx.spans.insert(ip.clone(), start);
    let mut id = name
        .map(slug)
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| format!("q{number}"));
    if cx.ids.contains(&id) {
        id = format!("{id}-{number}");
    }
    cx.ids.insert(id.clone());
    (Item::new(id, ItemType::TrueFalse, qtext), ip)
}

/// The parts of `s` split on the unescaped `ch`, without an empty first part.
fn answer_parts(s: &[C], ch: char) -> Vec<&[C]> {
    let mut parts = split_on(s, ch);
    if parts.first().is_some_and(|p| trim(p).is_empty()) {
        parts.remove(0);
    }
    parts
}

/// The answer block of one gradable question, where its answers are read from.
struct Answers<'s, 'p> {
    /// The block, without braces and general feedback.
    ans: &'s [C],
    /// The item's JSON pointer.
    ip: &'p str,
    /// Offset of the question, for problems without a better place.
    start: usize,
}

impl Answers<'_, '_> {
    /// Answer `k` of a numeric or short-answer question (`p`, untrimmed): its text and an
    /// answer with its `%n%` weight (full credit without one) and `#feedback`, and its offset
    /// (recorded as the answer's position).
    fn weighted_answer(&self, cx: &mut Ctx<'_>, k: usize, p: &[C]) -> (String, Answer, usize) {
        let p = trim(p);
        let at = p.first().map_or(self.start, |c| c.off);
        cx.spans.insert(format!("{}/answers/{k}", self.ip), at);
        let (fraction, p) = cx.weighted(p, 1.0, at);
        let (a, feedback) = comment(p);
        let answer = Answer {
            fraction,
            feedback,
            ..Answer::default()
        };
        (a, answer, at)
    }

    /// `{#…}`: numeric answers (`value`, `value:tolerance`, `min..max`, each with a weight
    /// and feedback), and `~feedback` for wrong answers.
    fn numeric(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        item.kind = ItemType::Numeric;
        let mut body = self.ans.get(1..).unwrap_or(&[]);
        if let Some(w) = find(body, '~') {
            let (_, fb) = comment(body.get(w + 1..).unwrap_or(&[]));
            item.feedback_incorrect = fb;
            body = body.get(..w).unwrap_or(&[]);
        }
        for (k, p) in answer_parts(body, '=').iter().enumerate() {
            let (a, mut answer, at) = self.weighted_answer(cx, k, p);
            let parse = |x: &str| x.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            let ok = if let Some((lo, hi)) = a.split_once("..") {
                answer.min = parse(lo);
                answer.max = parse(hi);
                answer.min.is_some() && answer.max.is_some()
            } else if let Some((v, tol)) = a.split_once(':') {
                answer.value = parse(v);
                answer.tolerance = parse(tol);
                answer.value.is_some() && answer.tolerance.is_some()
            } else {
                answer.value = parse(&a);
                answer.value.is_some()
            };
            if !ok {
                cx.problem(
                    Severity::Error,
                    "gift-syntax",
                    at,
                    format!("{a:?} is not a number, value:tolerance or min..max"),
                );
            }
            item.answers.push(answer);
        }
        if item.answers.is_empty() {
            cx.problem(
                Severity::Error,
                "gift-syntax",
                self.start,
                "a numerical question without an answer".into(),
            );
        }
    }

    /// A block with `~`: multiple choice, one answer when an `=` marks it, otherwise several
    /// answers with `%n%` weights.
    fn choices(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        let ans = self.ans;
        let single = find(ans, '=').is_some();
        item.kind = if single {
            ItemType::SingleChoice
        } else {
            ItemType::MultipleResponse
        };
        let mut parts: Vec<(bool, &[C])> = Vec::new();
        let mut cur = 0usize;
        let mut marker_eq = false;
        for (k, c) in ans.iter().enumerate() {
            if !c.lit && (c.c == '~' || c.c == '=') {
                parts.push((marker_eq, ans.get(cur..k).unwrap_or(&[])));
                cur = k + 1;
                marker_eq = c.c == '=';
            }
        }
        parts.push((marker_eq, ans.get(cur..).unwrap_or(&[])));
        if parts.first().is_some_and(|(_, p)| trim(p).is_empty()) {
            parts.remove(0);
        }
        for (k, (eq, p)) in parts.iter().enumerate() {
            let p = trim(p);
            let at = p.first().map_or(self.start, |c| c.off.saturating_sub(1));
            cx.spans.insert(format!("{}/choices/{k}", self.ip), at);
            let (w, rest) = if *eq {
                (1.0, p)
            } else {
                cx.weighted(p, 0.0, at)
            };
            let (t, feedback) = comment(rest);
            let mut ch = Choice::new(
                format!("c{}", k + 1),
                t,
                if single { w >= 1.0 } else { w > 0.0 },
            );
            ch.feedback = feedback;
            #[allow(clippy::float_cmp)]
            if !(single && (w == 1.0 || w == 0.0)) {
                ch.fraction = Some(w);
            }
            item.choices.push(ch);
        }
        if item.choices.len() < 2 {
            cx.problem(
                Severity::Error,
                "gift-syntax",
                self.start,
                "a multiple-choice question needs at least 2 answers".into(),
            );
        }
    }

    /// `=left -> right` pairs; an empty left side is a distractor.
    fn matching(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        item.kind = ItemType::Matching;
        for (k, p) in answer_parts(self.ans, '=').iter().enumerate() {
            let p = trim(p);
            let at = p.first().map_or(self.start, |c| c.off);
            let Some(m) = find_seq(p, "->") else {
                cx.problem(
                    Severity::Error,
                    "gift-syntax",
                    at,
                    "a matching answer needs `->`".into(),
                );
                continue;
            };
            let left = text(strip_format(p.get(..m).unwrap_or(&[])));
            let right = text(trim(p.get(m + 2..).unwrap_or(&[])));
            if left.is_empty() {
                item.distractors.push(Distractor {
                    id: format!("d{}", k + 1),
                    text: right,
                });
            } else {
                cx.spans
                    .insert(format!("{}/pairs/{}", self.ip, item.pairs.len()), at);
                item.pairs.push(Pair {
                    id: format!("p{}", k + 1),
                    left,
                    right,
                });
            }
        }
        item.shuffle = true;
    }

    /// `T`/`TRUE`/`F`/`FALSE` (before any `#feedback`) is true/false; anything else is short
    /// answer.
    fn true_false_or_short(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        let ans = self.ans;
        let check = match find(ans, '#') {
            Some(h) if h > 0 => text(trim(ans.get(..h).unwrap_or(&[]))),
            _ => text(ans),
        };
        if matches!(check.as_str(), "T" | "TRUE" | "F" | "FALSE") {
            true_false(ans, matches!(check.as_str(), "T" | "TRUE"), item);
        } else {
            self.short_answer(cx, item);
        }
    }

    /// Short answer: `=` answers with weights and feedback, compared trimmed and
    /// case-insensitively; `*` makes a wildcard pattern.
    fn short_answer(&self, cx: &mut Ctx<'_>, item: &mut Item) {
        item.kind = ItemType::TextEntry;
        item.whitespace = Whitespace::Trim;
        for (k, p) in answer_parts(self.ans, '=').iter().enumerate() {
            let (a, mut answer, _) = self.weighted_answer(cx, k, p);
            if a.contains('*') {
                answer.regex = Some(wildcard_regex(&a));
            } else {
                answer.text = Some(a);
            }
            item.answers.push(answer);
        }
    }
}

/// True/false: `{T#wrong#right}`. The first feedback is shown for a wrong answer, the
/// second for a right one.
fn true_false(ans: &[C], truth: bool, item: &mut Item) {
    item.kind = ItemType::TrueFalse;
    let mut bits: Vec<&[C]> = Vec::new();
    let mut rest = ans;
    for _ in 0..2 {
        match find(rest, '#') {
            Some(h) => {
                bits.push(rest.get(..h).unwrap_or(&[]));
                rest = rest.get(h + 1..).unwrap_or(&[]);
            }
            None => break,
        }
    }
    bits.push(rest);
    item.answer = Some(truth);
    let wrong = bits
        .get(1)
        .map(|b| text(strip_format(b)))
        .filter(|s| !s.is_empty());
    let right = bits
        .get(2)
        .map(|b| text(strip_format(b)))
        .filter(|s| !s.is_empty());
    let (t_fb, f_fb) = if truth {
        (right, wrong)
    } else {
        (wrong, right)
    };
    if let Some(x) = t_fb {
        item.choice_feedback.insert("true".into(), x);
    }
    if let Some(x) = f_fb {
        item.choice_feedback.insert("false".into(), x);
    }
}

/// Moodle's short-answer wildcard: `*` matches anything, `\*` is a literal asterisk.
fn wildcard_regex(a: &str) -> String {
    let mut out = String::new();
    let mut lit = String::new();
    let mut chars = a.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'*') {
            chars.next();
            lit.push('*');
        } else if c == '*' {
            out.push_str(&regex::escape(&lit));
            lit.clear();
            out.push_str(".*");
        } else {
            lit.push(c);
        }
    }
    out.push_str(&regex::escape(&lit));
    out
}
