//! RDF datasets, canonical N-Quads and RDF Dataset Canonicalization (RDFC-1.0).
//!
//! A small, self-contained model: [`Term`], [`Quad`] and [`Dataset`] (a set of quads),
//! an N-Quads parser ([`parse_nquads`]), the canonical N-Quads serializer
//! ([`Quad::to_nquad`]) and the W3C RDFC-1.0 algorithm ([`canonicalize`]) with a
//! work limit against poison datasets ([`CanonLimits`]).
//!
//! ```
//! use openbadges_proof::rdfc::{canonicalize, parse_nquads, CanonLimits};
//! let ds = parse_nquads("_:x <http://e.org/p> \"v\" .\n")?;
//! let out = canonicalize(&ds, &CanonLimits::default())?;
//! assert_eq!(out.nquads, "_:c14n0 <http://e.org/p> \"v\" .\n");
//! # Ok::<(), openbadges_proof::rdfc::RdfcError>(())
//! ```

mod canon;
mod nquads;
mod template;

pub use canon::{
    CanonLimits, Canonical, HashAlgorithm, canonical_sha256, canonicalize, canonicalize_with_hash,
};
pub use nquads::parse_nquads;
pub(crate) use template::SlotTemplate;

use foldhash::HashMap;
use foldhash::fast::RandomState;
use std::collections::hash_map::Entry;
use std::fmt::Write as _;
use std::hash::BuildHasher as _;

/// `http://www.w3.org/2001/XMLSchema#string`.
pub const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";
/// `http://www.w3.org/1999/02/22-rdf-syntax-ns#langString`.
pub const RDF_LANG_STRING: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

/// Errors of N-Quads parsing and canonicalization.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RdfcError {
    /// The N-Quads text is malformed.
    #[error("n-quads syntax error at line {line}: {message}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// The dataset needs more work than the limits allow (a "poison" dataset).
    #[error("canonicalization work limit exceeded: {0}")]
    LimitExceeded(&'static str),
}

/// An RDF term.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Term {
    /// An IRI (without angle brackets).
    Iri(String),
    /// A blank node, by its label (without `_:`).
    Blank(String),
    /// A literal.
    Literal(Literal),
}

/// An RDF literal: lexical form, datatype IRI and optional language tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Literal {
    /// The lexical form.
    pub value: String,
    /// The datatype IRI (`xsd:string` for simple literals, `rdf:langString` with a language).
    pub datatype: String,
    /// The language tag, for `rdf:langString` literals.
    pub language: Option<String>,
}

impl Literal {
    /// A simple (`xsd:string`) literal.
    pub fn simple(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            datatype: XSD_STRING.to_owned(),
            language: None,
        }
    }
}

/// One quad: subject, predicate, object and graph name (`None` = default graph).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quad {
    /// Subject (IRI or blank node).
    pub subject: Term,
    /// Predicate (IRI).
    pub predicate: Term,
    /// Object.
    pub object: Term,
    /// Graph name, `None` for the default graph.
    pub graph: Option<Term>,
}

impl Quad {
    /// The canonical N-Quads line of this quad, with its final `\n`.
    pub fn to_nquad(&self) -> String {
        let mut s = String::with_capacity(128);
        self.write_nquad(&mut s, &|b: &str, out: &mut String| out.push_str(b));
        s
    }

    /// Writes the canonical N-Quads line; `label` writes a blank node's label (mapped as the
    /// caller needs) after the `_:` already written.
    pub(crate) fn write_nquad(&self, out: &mut String, label: &dyn Fn(&str, &mut String)) {
        write_term(out, &self.subject, label);
        out.push(' ');
        write_term(out, &self.predicate, label);
        out.push(' ');
        write_term(out, &self.object, label);
        out.push(' ');
        if let Some(g) = &self.graph {
            write_term(out, g, label);
            out.push(' ');
        }
        out.push_str(".\n");
    }
}

fn write_term(out: &mut String, t: &Term, label: &dyn Fn(&str, &mut String)) {
    match t {
        Term::Iri(i) => {
            out.push('<');
            write_iri(out, i);
            out.push('>');
        }
        Term::Blank(b) => {
            out.push_str("_:");
            label(b, out);
        }
        Term::Literal(l) => {
            out.push('"');
            write_escaped(out, &l.value);
            out.push('"');
            if let Some(lang) = &l.language {
                out.push('@');
                out.push_str(lang);
            } else if l.datatype != XSD_STRING {
                out.push_str("^^<");
                write_iri(out, &l.datatype);
                out.push('>');
            }
        }
    }
}

fn write_iri(out: &mut String, iri: &str) {
    // Only ASCII characters are escaped: most IRIs are copied whole.
    if !iri.bytes().any(|b| {
        b <= 0x20
            || matches!(
                b,
                b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\'
            )
    }) {
        out.push_str(iri);
        return;
    }
    for c in iri.chars() {
        match c {
            '\u{0}'..='\u{20}' | '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
}

/// Writes `v` escaped as the lexical form of a canonical N-Quads literal.
pub(crate) fn write_escaped(out: &mut String, v: &str) {
    // Escaped are ASCII controls, `"`, `\\`, DEL and U+FFFE/U+FFFF (whose UTF-8 starts with
    // 0xEF): a string with none of those bytes is copied whole.
    if !v
        .bytes()
        .any(|b| b < 0x20 || matches!(b, b'"' | b'\\' | 0x7f | 0xef))
    {
        out.push_str(v);
        return;
    }
    for c in v.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{0}'..='\u{7}'
            | '\u{b}'
            | '\u{e}'..='\u{1f}'
            | '\u{7f}'
            | '\u{fffe}'
            | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
}

/// An RDF dataset: a set of quads (duplicates are ignored), in insertion order.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    quads: Vec<Quad>,
    /// Each quad's hash → the index of the first quad with that hash (the quads are not
    /// stored twice; a hash shared by different quads falls back to comparing them all).
    seen: HashMap<u64, usize>,
    hasher: RandomState,
}

impl PartialEq for Dataset {
    /// The same quads in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.quads == other.quads
    }
}

impl Eq for Dataset {}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a quad; returns `false` when it was already present.
    pub fn insert(&mut self, q: Quad) -> bool {
        let h = self.hasher.hash_one(&q);
        match self.seen.entry(h) {
            Entry::Occupied(e) => {
                let first = self.quads.get(*e.get());
                if first == Some(&q) || self.quads.contains(&q) {
                    return false;
                }
            }
            Entry::Vacant(e) => {
                e.insert(self.quads.len());
            }
        }
        self.quads.push(q);
        true
    }

    /// The quads, in insertion order.
    pub fn quads(&self) -> &[Quad] {
        &self.quads
    }

    /// Number of quads.
    pub fn len(&self) -> usize {
        self.quads.len()
    }

    /// Whether the dataset has no quads.
    pub fn is_empty(&self) -> bool {
        self.quads.is_empty()
    }

    /// The dataset as N-Quads (insertion order, labels as they are).
    pub fn to_nquads(&self) -> String {
        self.quads.iter().map(Quad::to_nquad).collect()
    }
}

impl FromIterator<Quad> for Dataset {
    fn from_iter<I: IntoIterator<Item = Quad>>(iter: I) -> Self {
        let mut d = Self::new();
        for q in iter {
            d.insert(q);
        }
        d
    }
}
