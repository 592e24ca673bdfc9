//! Deserialize expanded JSON-LD to an RDF dataset (§8.1, without an explicit node map:
//! quads are emitted while walking the expanded tree; the dataset is a set, so the
//! result is the same dataset up to blank node labels, which canonicalization fixes).

use foldhash::{HashMap, HashMapExt};

use serde_json::{Map, Value};

use super::JsonLdError;
use super::iri::{is_absolute, well_formed_iri};
use crate::rdfc::{Dataset, Literal, Quad, RDF_LANG_STRING, Term, XSD_STRING};

const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";

pub(crate) struct ToRdf {
    pub(crate) ds: Dataset,
    blank: HashMap<String, String>,
    counter: usize,
    safe: bool,
    max_quads: usize,
}

impl ToRdf {
    pub(crate) fn new(safe: bool, max_quads: usize) -> Self {
        Self {
            ds: Dataset::new(),
            blank: HashMap::new(),
            counter: 0,
            safe,
            max_quads,
        }
    }

    fn fresh(&mut self) -> Term {
        Term::Blank(self.fresh_label())
    }

    fn fresh_label(&mut self) -> String {
        let l = format!("b{}", self.counter);
        self.counter += 1;
        l
    }

    fn unsafe_drop(&self, msg: String) -> Result<(), JsonLdError> {
        if self.safe {
            Err(JsonLdError::SafeMode(msg))
        } else {
            Ok(())
        }
    }

    /// An IRI or blank node from an `@id`-like string; `None` when relative.
    fn node_term(&mut self, id: &str, what: &str) -> Result<Option<Term>, JsonLdError> {
        if let Some(l) = id.strip_prefix("_:") {
            if let Some(label) = self.blank.get(l) {
                return Ok(Some(Term::Blank(label.clone())));
            }
            let label = self.fresh_label();
            self.blank.insert(l.to_owned(), label.clone());
            return Ok(Some(Term::Blank(label)));
        }
        if is_absolute(id) && well_formed_iri(id) {
            Ok(Some(Term::Iri(id.to_owned())))
        } else {
            self.unsafe_drop(format!("relative {what} reference {id:?}"))?;
            Ok(None)
        }
    }

    fn emit(&mut self, s: Term, p: Term, o: Term, g: &Option<Term>) -> Result<(), JsonLdError> {
        if self.ds.len() >= self.max_quads {
            return Err(JsonLdError::LimitExceeded("too many quads"));
        }
        self.ds.insert(Quad {
            subject: s,
            predicate: p,
            object: o,
            graph: g.clone(),
        });
        Ok(())
    }

    /// Emits the quads of a node object; returns its subject (`None` if dropped).
    pub(crate) fn node(
        &mut self,
        node: &Map<String, Value>,
        graph: &Option<Term>,
    ) -> Result<Option<Term>, JsonLdError> {
        let subject = match node.get("@id") {
            Some(Value::String(id)) => match self.node_term(id, "subject")? {
                Some(t) => t,
                None => return Ok(None),
            },
            Some(_) => {
                self.unsafe_drop("null @id value".into())?;
                return Ok(None);
            }
            None => self.fresh(),
        };
        for (k, v) in node {
            match k.as_str() {
                "@id" | "@index" | "@context" => {}
                "@type" => {
                    for t in as_slice(v) {
                        let Some(t) = t.as_str() else { continue };
                        if let Some(o) = self.node_term(t, "type")? {
                            self.emit(subject.clone(), Term::Iri(RDF_TYPE.to_owned()), o, graph)?;
                        }
                    }
                }
                "@graph" => {
                    // Named graph (default graph for a top-level @graph without @id is
                    // handled by the caller).
                    let g = Some(subject.clone());
                    for item in as_slice(v) {
                        if let Value::Object(m) = item {
                            if m.contains_key("@value") || m.contains_key("@list") {
                                continue;
                            }
                            self.node(m, &g)?;
                        }
                    }
                }
                "@included" => {
                    for item in as_slice(v) {
                        if let Value::Object(m) = item {
                            self.node(m, graph)?;
                        }
                    }
                }
                "@reverse" => {
                    let Value::Object(rm) = v else { continue };
                    for (p, items) in rm {
                        let Some(pt) = self.predicate(p)? else {
                            continue;
                        };
                        for item in as_slice(items) {
                            if let Value::Object(m) = item {
                                if let Some(s) = self.node(m, graph)? {
                                    self.emit(s, pt.clone(), subject.clone(), graph)?;
                                }
                            }
                        }
                    }
                }
                p if p.starts_with('@') => {}
                p => {
                    let Some(pt) = self.predicate(p)? else {
                        continue;
                    };
                    for item in as_slice(v) {
                        if let Some(o) = self.object(item, graph)? {
                            self.emit(subject.clone(), pt.clone(), o, graph)?;
                        }
                    }
                }
            }
        }
        Ok(Some(subject))
    }

    fn predicate(&mut self, p: &str) -> Result<Option<Term>, JsonLdError> {
        if p.starts_with("_:") {
            self.unsafe_drop(format!("blank node predicate {p:?}"))?;
            return Ok(None);
        }
        if !is_absolute(p) || !well_formed_iri(p) {
            self.unsafe_drop(format!("relative predicate reference {p:?}"))?;
            return Ok(None);
        }
        Ok(Some(Term::Iri(p.to_owned())))
    }

    fn object(&mut self, item: &Value, graph: &Option<Term>) -> Result<Option<Term>, JsonLdError> {
        let Value::Object(m) = item else {
            return Ok(None);
        };
        if let Some(v) = m.get("@value") {
            return self.literal(m, v);
        }
        if let Some(l) = m.get("@list") {
            return self.list(as_slice(l), graph);
        }
        self.node(m, graph)
    }

    fn list(&mut self, items: &[Value], graph: &Option<Term>) -> Result<Option<Term>, JsonLdError> {
        let mut objects = Vec::new();
        for it in items {
            objects.push(self.object(it, graph)?);
        }
        if objects.is_empty() {
            return Ok(Some(Term::Iri(format!("{RDF}nil"))));
        }
        let heads: Vec<Term> = objects.iter().map(|_| self.fresh()).collect();
        for (i, o) in objects.into_iter().enumerate() {
            let Some(h) = heads.get(i).cloned() else {
                continue;
            };
            if let Some(o) = o {
                self.emit(h.clone(), Term::Iri(format!("{RDF}first")), o, graph)?;
            }
            let rest = heads
                .get(i + 1)
                .cloned()
                .unwrap_or_else(|| Term::Iri(format!("{RDF}nil")));
            self.emit(h, Term::Iri(format!("{RDF}rest")), rest, graph)?;
        }
        Ok(heads.into_iter().next())
    }

    fn literal(&mut self, m: &Map<String, Value>, v: &Value) -> Result<Option<Term>, JsonLdError> {
        let dt = m.get("@type").and_then(Value::as_str);
        if let Some(t) = dt {
            if t != "@json" && (!is_absolute(t) || t.starts_with("_:") || !well_formed_iri(t)) {
                self.unsafe_drop(format!("relative datatype reference {t:?}"))?;
                return Ok(None);
            }
        }
        let lang = m.get("@language").and_then(Value::as_str);
        let (value, datatype) = if dt == Some("@json") {
            (super::jcs(v), format!("{RDF}JSON"))
        } else {
            match v {
                Value::Bool(b) => (
                    b.to_string(),
                    dt.map_or_else(|| format!("{XSD}boolean"), str::to_owned),
                ),
                Value::Number(n) => {
                    let is_double_dt = dt == Some("http://www.w3.org/2001/XMLSchema#double");
                    let integral = n.is_i64()
                        || n.is_u64()
                        || n.as_f64()
                            .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e21);
                    if !integral || is_double_dt {
                        let f = n.as_f64().unwrap_or_default();
                        (
                            double_form(f),
                            dt.map_or_else(|| format!("{XSD}double"), str::to_owned),
                        )
                    } else {
                        let s = if n.is_i64() || n.is_u64() {
                            n.to_string()
                        } else {
                            let f = n.as_f64().unwrap_or_default();
                            if f == 0.0 {
                                "0".to_owned()
                            } else {
                                format!("{f:.0}")
                            }
                        };
                        (s, dt.map_or_else(|| format!("{XSD}integer"), str::to_owned))
                    }
                }
                Value::String(s) => {
                    if let Some(l) = lang {
                        if !l.split('-').all(|t| {
                            !t.is_empty()
                                && t.len() <= 8
                                && t.bytes().all(|b| b.is_ascii_alphanumeric())
                        }) {
                            self.unsafe_drop(format!("invalid language tag {l:?}"))?;
                            return Ok(None);
                        }
                        return Ok(Some(Term::Literal(Literal {
                            value: s.clone(),
                            datatype: RDF_LANG_STRING.to_owned(),
                            language: Some(l.to_owned()),
                        })));
                    }
                    (
                        s.clone(),
                        dt.map_or_else(|| XSD_STRING.to_owned(), str::to_owned),
                    )
                }
                _ => return Ok(None),
            }
        };
        Ok(Some(Term::Literal(Literal {
            value,
            datatype,
            language: None,
        })))
    }
}

fn as_slice(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) => a,
        v => std::slice::from_ref(v),
    }
}

/// The canonical lexical form of an `xsd:double` as JSON-LD produces it (`1.1E0`).
fn double_form(f: f64) -> String {
    let s = format!("{f:.15E}");
    let Some((mant, exp)) = s.split_once('E') else {
        return s;
    };
    let mant = if mant.contains('.') {
        let t = mant.trim_end_matches('0');
        if t.ends_with('.') {
            format!("{t}0")
        } else {
            t.to_owned()
        }
    } else {
        format!("{mant}.0")
    };
    format!("{mant}E{exp}")
}
