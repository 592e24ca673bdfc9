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

pub use canon::{CanonLimits, Canonical, HashAlgorithm, canonicalize, canonicalize_with_hash};
pub use nquads::parse_nquads;

use std::collections::HashSet;
use std::fmt::Write as _;

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
        self.write_nquad(&mut s, &|b: &str| b.to_owned());
        s
    }

    /// Writes the canonical N-Quads line, mapping blank node labels through `map`.
    pub(crate) fn write_nquad(&self, out: &mut String, map: &dyn Fn(&str) -> String) {
        write_term(out, &self.subject, map);
        out.push(' ');
        write_term(out, &self.predicate, map);
        out.push(' ');
        write_term(out, &self.object, map);
        out.push(' ');
        if let Some(g) = &self.graph {
            write_term(out, g, map);
            out.push(' ');
        }
        out.push_str(".\n");
    }
}

fn write_term(out: &mut String, t: &Term, map: &dyn Fn(&str) -> String) {
    match t {
        Term::Iri(i) => {
            out.push('<');
            write_iri(out, i);
            out.push('>');
        }
        Term::Blank(b) => {
            out.push_str("_:");
            out.push_str(&map(b));
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
    for c in iri.chars() {
        match c {
            '\u{0}'..='\u{20}' | '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            _ => out.push(c),
        }
    }
}

fn write_escaped(out: &mut String, v: &str) {
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    quads: Vec<Quad>,
    seen: HashSet<Quad>,
}

impl Dataset {
    /// An empty dataset.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a quad; returns `false` when it was already present.
    pub fn insert(&mut self, q: Quad) -> bool {
        if self.seen.contains(&q) {
            return false;
        }
        self.seen.insert(q.clone());
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
