//! JSON-LD 1.1 Create Term Definition algorithm (§4.2.2), one step per method.

use foldhash::{HashMap, HashMapExt};
use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::cache::SourceId;
use super::context::{Context, TermDef, container, invalid};
use super::iri::{is_absolute, is_keyword, looks_like_keyword};
use super::{JsonLdError, Processor};

/// The local context whose terms are being defined, with the algorithm's `defined` map.
pub(crate) struct LocalContext<'l> {
    /// The context definition (merged with its `@import`, if any).
    pub(crate) map: Cow<'l, Map<String, Value>>,
    /// `defined`: `true` once a term is defined, `false` while it is being defined.
    pub(crate) defined: HashMap<String, bool>,
    /// Where the context definition comes from, when a loaded document fixes it.
    pub(crate) source: Option<SourceId>,
}

impl<'l> LocalContext<'l> {
    /// The context definition `map`, identified by `source`.
    pub(crate) fn new(map: &'l Map<String, Value>, source: Option<SourceId>) -> Self {
        Self {
            map: Cow::Borrowed(map),
            defined: HashMap::new(),
            source,
        }
    }

    /// Whether `term` has an entry in the local context and is not yet defined (a
    /// dependency to define first).
    pub(crate) fn is_pending(&self, term: &str) -> bool {
        self.map.contains_key(term) && self.defined.get(term) != Some(&true)
    }

    /// Marks `term` as defined.
    fn done(&mut self, term: &str) {
        self.defined.insert(term.to_owned(), true);
    }
}

/// The arguments of one Create Term Definition call besides the term.
#[derive(Clone, Copy, Default)]
pub(crate) struct TermOpts<'a> {
    /// The base URL of the context being processed.
    pub(crate) base_url: Option<&'a str>,
    /// The context's `@protected` default.
    pub(crate) protected: bool,
    /// Whether protected terms may be redefined.
    pub(crate) override_protected: bool,
}

/// A term definition under construction: the algorithm's `value`, `simple term` and
/// `definition`.
struct NewTerm<'t> {
    term: &'t str,
    value: Map<String, Value>,
    simple: bool,
    def: TermDef,
}

/// Whether Create Term Definition goes on, or returned early (a keyword-like term or IRI,
/// which defines nothing).
enum Flow {
    Continue,
    Return,
}

impl Processor<'_> {
    /// Create Term Definition algorithm (§4.2.2): defines `term` of `local` in `active`.
    pub(crate) fn create_term(
        &mut self,
        active: &mut Context,
        local: &mut LocalContext<'_>,
        term: &str,
        opts: TermOpts<'_>,
    ) -> Result<(), JsonLdError> {
        self.tick()?;
        // Steps 1-2.
        if let Flow::Return = begin_definition(local, term)? {
            return Ok(());
        }
        // Steps 3-5.
        let value = local.map.get(term).cloned().unwrap_or(Value::Null);
        if let Flow::Return = self.check_keyword_term(local, term, &value)? {
            return Ok(());
        }
        // Step 6: the previous definition is removed from the active context.
        let previous = Arc::make_mut(&mut active.terms).remove(term);
        // Steps 7-10.
        let mut t = NewTerm::new(term, value, opts.protected)?;
        // Step 11.
        t.protected()?;
        // Step 12.
        self.type_mapping(active, local, &mut t)?;
        // Step 13: a reverse property is complete here.
        if let Some(r) = t.value.get("@reverse").cloned() {
            return self.reverse_term(active, local, t, &r);
        }
        // Steps 14-18.
        if let Flow::Return = self.iri_mapping(active, local, &mut t, opts)? {
            return Ok(());
        }
        // Steps 19-25.
        t.container()?;
        t.index()?;
        t.scoped_context(opts.base_url, local.source.as_ref());
        t.language()?;
        t.direction()?;
        t.nest()?;
        t.prefix()?;
        // Step 26.
        t.check_entries()?;
        // Step 27.
        let def = keep_protected(previous, t.def, opts.override_protected, term)?;
        // Step 28.
        Arc::make_mut(&mut active.terms).insert(term.to_owned(), Arc::new(def));
        local.done(term);
        Ok(())
    }

    /// Steps 4-5: `@type` may only be given `@container: @set` and `@protected`; other
    /// keywords cannot be redefined; a keyword-like term is ignored (an error in safe mode).
    fn check_keyword_term(
        &mut self,
        local: &mut LocalContext<'_>,
        term: &str,
        value: &Value,
    ) -> Result<Flow, JsonLdError> {
        if term == "@type" {
            let ok = match value {
                Value::Object(m) => {
                    !m.is_empty()
                        && m.iter().all(|(k, v)| match k.as_str() {
                            "@container" => v == "@set",
                            "@protected" => v.is_boolean(),
                            _ => false,
                        })
                }
                _ => false,
            };
            if !ok {
                return Err(invalid("keyword redefinition of @type"));
            }
        } else if is_keyword(term) {
            return Err(JsonLdError::InvalidContext(format!(
                "keyword redefinition {term:?}"
            )));
        } else if looks_like_keyword(term) {
            local.done(term);
            if self.safe {
                return Err(JsonLdError::SafeMode(format!("reserved term {term:?}")));
            }
            return Ok(Flow::Return);
        }
        Ok(Flow::Continue)
    }

    /// Step 12: the type mapping (`@type`), an absolute IRI or `@id`/`@json`/`@none`/`@vocab`.
    fn type_mapping(
        &mut self,
        active: &mut Context,
        local: &mut LocalContext<'_>,
        t: &mut NewTerm<'_>,
    ) -> Result<(), JsonLdError> {
        let Some(ty) = t.value.get("@type") else {
            return Ok(());
        };
        // Step 12.1.
        let ty = ty.as_str().ok_or_else(|| invalid("invalid type mapping"))?;
        // Step 12.2.
        let e = self
            .expand_iri(active, ty, false, true, Some(local))?
            .ok_or_else(|| invalid("invalid type mapping"))?;
        // Step 12.4.
        if !(matches!(e.as_str(), "@id" | "@json" | "@none" | "@vocab") || is_absolute(&e)) {
            if self.safe {
                return Err(JsonLdError::SafeMode(format!(
                    "relative @type mapping {ty:?} for term {:?}",
                    t.term
                )));
            }
            return Err(invalid("invalid type mapping"));
        }
        // Step 12.5.
        t.def.type_mapping = Some(e);
        Ok(())
    }

    /// Step 13: a reverse property (`@reverse`), defined and complete.
    fn reverse_term(
        &mut self,
        active: &mut Context,
        local: &mut LocalContext<'_>,
        mut t: NewTerm<'_>,
        r: &Value,
    ) -> Result<(), JsonLdError> {
        let term = t.term;
        // Step 13.1.
        if t.value.contains_key("@id") || t.value.contains_key("@nest") {
            return Err(invalid("invalid reverse property"));
        }
        // Steps 13.2-13.3.
        let r = r.as_str().ok_or_else(|| invalid("invalid IRI mapping"))?;
        if looks_like_keyword(r) {
            local.done(term);
            return Ok(());
        }
        // Step 13.4.
        let e = self
            .expand_iri(active, r, false, true, Some(local))?
            .filter(|e| is_absolute(e) || e.starts_with("_:"))
            .ok_or_else(|| invalid("invalid IRI mapping"))?;
        t.def.iri = Some(e);
        // Step 13.5: only set and index containers.
        if let Some(c) = t.value.get("@container") {
            match c {
                Value::Null => {}
                Value::String(s) if s == "@set" => t.def.container = container::SET,
                Value::String(s) if s == "@index" => t.def.container = container::INDEX,
                _ => return Err(invalid("invalid reverse property")),
            }
        }
        // Steps 13.6-13.7.
        t.def.reverse = true;
        Arc::make_mut(&mut active.terms).insert(term.to_owned(), Arc::new(t.def));
        local.done(term);
        Ok(())
    }

    /// Steps 14-18: the IRI mapping, from `@id`, from the term as a compact IRI, relative IRI
    /// or `@type`, or from the vocabulary mapping.
    fn iri_mapping(
        &mut self,
        active: &mut Context,
        local: &mut LocalContext<'_>,
        t: &mut NewTerm<'_>,
        opts: TermOpts<'_>,
    ) -> Result<Flow, JsonLdError> {
        let term = t.term;
        let id_entry = t.value.get("@id").filter(|v| v.as_str() != Some(term));
        if let Some(idv) = id_entry.cloned() {
            // Step 14.
            return self.explicit_iri(active, local, t, &idv);
        }
        if let Some(i) = term.get(1..).and_then(|r| r.find(':')).map(|i| i + 1) {
            // Step 15: a compact IRI (its prefix may be a dependency) or an absolute IRI.
            let (prefix, suffix) = (
                term.get(..i).unwrap_or_default(),
                term.get(i + 1..).unwrap_or_default(),
            );
            if local.map.contains_key(prefix) {
                let dependency = TermOpts {
                    base_url: opts.base_url,
                    ..TermOpts::default()
                };
                self.create_term(active, local, prefix, dependency)?;
            }
            if let Some(pd) = active.term(prefix).and_then(|d| d.iri.clone()) {
                t.def.iri = Some(format!("{pd}{suffix}"));
            } else {
                t.def.iri = Some(term.to_owned());
            }
        } else if term.contains('/') {
            // Step 16: a relative IRI reference.
            let e = self
                .expand_iri(active, term, false, true, None)?
                .filter(|e| is_absolute(e))
                .ok_or_else(|| invalid("invalid IRI mapping"))?;
            t.def.iri = Some(e);
        } else if term == "@type" {
            // Step 17.
            t.def.iri = Some("@type".into());
        } else if let Some(v) = &active.vocab {
            // Step 18.
            t.def.iri = Some(format!("{v}{term}"));
        } else {
            return Err(invalid("invalid IRI mapping (no @vocab)"));
        }
        Ok(Flow::Continue)
    }

    /// Step 14: the IRI mapping from an `@id` entry other than the term itself.
    fn explicit_iri(
        &mut self,
        active: &mut Context,
        local: &mut LocalContext<'_>,
        t: &mut NewTerm<'_>,
        idv: &Value,
    ) -> Result<Flow, JsonLdError> {
        let term = t.term;
        let s = match idv {
            // Step 14.1: a term mapped to null.
            Value::Null => {
                t.def.iri = None;
                return Ok(Flow::Continue);
            }
            Value::String(s) => s,
            // Step 14.2.1.
            _ => return Err(invalid("invalid IRI mapping")),
        };
        // Step 14.2.2: a keyword-like IRI defines nothing.
        if !is_keyword(s) && looks_like_keyword(s) {
            local.done(term);
            return Ok(Flow::Return);
        }
        // Step 14.2.3.
        let e = self
            .expand_iri(active, s, false, true, Some(local))?
            .ok_or_else(|| invalid("invalid IRI mapping"))?;
        if !(is_keyword(&e) || is_absolute(&e) || e.starts_with("_:")) {
            return Err(invalid("invalid IRI mapping"));
        }
        if e == "@context" {
            return Err(invalid("invalid keyword alias @context"));
        }
        // Step 14.2.4: a term that looks like an IRI must expand to its @id.
        let inner_colon = term
            .get(1..term.len().saturating_sub(1))
            .is_some_and(|m| m.contains(':'));
        if inner_colon || term.contains('/') {
            local.done(term);
            let te = self.expand_iri(active, term, false, true, Some(local))?;
            if te.as_deref() != Some(e.as_str()) {
                return Err(invalid(
                    "invalid IRI mapping (term does not expand to its @id)",
                ));
            }
        }
        // Step 14.2.5: a simple term mapped to an IRI ending in a gen-delim is a prefix.
        if !term.contains(':')
            && !term.contains('/')
            && t.simple
            && (e.ends_with([':', '/', '?', '#', '[', ']', '@']) || e.starts_with("_:"))
        {
            t.def.prefix = true;
        }
        t.def.iri = Some(e);
        Ok(Flow::Continue)
    }
}

/// Steps 1-2: a term already defined is done; one being defined is a cycle; the empty term
/// is invalid. Marks `term` as being defined.
fn begin_definition(local: &mut LocalContext<'_>, term: &str) -> Result<Flow, JsonLdError> {
    match local.defined.get(term) {
        Some(true) => return Ok(Flow::Return),
        Some(false) => {
            return Err(JsonLdError::InvalidContext(format!(
                "cyclic IRI mapping for {term:?}"
            )));
        }
        None => {}
    }
    if term.is_empty() {
        return Err(invalid("invalid term definition (empty term)"));
    }
    local.defined.insert(term.to_owned(), false);
    Ok(Flow::Continue)
}

/// Step 27: a protected term may only be redefined identically (unless protection is
/// overridden); the previous definition is kept.
fn keep_protected(
    previous: Option<Arc<TermDef>>,
    def: TermDef,
    override_protected: bool,
    term: &str,
) -> Result<TermDef, JsonLdError> {
    match previous {
        Some(prev) if !override_protected && prev.protected => {
            // Step 27.1.
            if !def.same_except_protected(&prev) {
                return Err(JsonLdError::InvalidContext(format!(
                    "protected term redefinition {term:?}"
                )));
            }
            // Step 27.2.
            Ok((*prev).clone())
        }
        _ => Ok(def),
    }
}

impl<'t> NewTerm<'t> {
    /// Steps 7-10: the value as a map (`null` and a string become `{"@id": …}`; a string
    /// makes a simple term) and an empty definition.
    fn new(term: &'t str, value: Value, protected: bool) -> Result<Self, JsonLdError> {
        let (value, simple) = match value {
            // Step 7.
            Value::Null => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::Null);
                (m, false)
            }
            // Step 8.
            Value::String(s) => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::String(s));
                (m, true)
            }
            // Step 9.
            Value::Object(m) => (m, false),
            _ => return Err(invalid("invalid term definition")),
        };
        // Step 10.
        let def = TermDef {
            protected,
            ..TermDef::default()
        };
        Ok(Self {
            term,
            value,
            simple,
            def,
        })
    }

    /// Step 11: `@protected`.
    fn protected(&mut self) -> Result<(), JsonLdError> {
        if let Some(p) = self.value.get("@protected") {
            self.def.protected = p
                .as_bool()
                .ok_or_else(|| invalid("invalid @protected value"))?;
        }
        Ok(())
    }

    /// Step 19: the container mapping (`@list` alone; `@type` implies an `@id`/`@vocab`
    /// type mapping).
    fn container(&mut self) -> Result<(), JsonLdError> {
        let Some(c) = self.value.get("@container") else {
            return Ok(());
        };
        let list: Vec<&Value> = match c {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        for c in list {
            self.def.container |= match c.as_str() {
                Some("@list") => container::LIST,
                Some("@set") => container::SET,
                Some("@graph") => container::GRAPH,
                Some("@id") => container::ID,
                Some("@index") => container::INDEX,
                Some("@language") => container::LANGUAGE,
                Some("@type") => container::TYPE,
                _ => return Err(invalid("invalid container mapping")),
            };
        }
        let cm = self.def.container;
        if cm & container::LIST != 0 && cm != container::LIST {
            return Err(invalid("invalid container mapping (@list with others)"));
        }
        // Step 19.4.
        if cm & container::TYPE != 0 {
            match self.def.type_mapping.as_deref() {
                None => self.def.type_mapping = Some("@id".into()),
                Some("@id" | "@vocab") => {}
                _ => return Err(invalid("invalid type mapping for @type container")),
            }
        }
        Ok(())
    }

    /// Step 20: the index mapping (`@index`, with an `@index` container only).
    fn index(&mut self) -> Result<(), JsonLdError> {
        let Some(ix) = self.value.get("@index") else {
            return Ok(());
        };
        let s = ix
            .as_str()
            .ok_or_else(|| invalid("invalid term definition (@index)"))?;
        if self.def.container & container::INDEX == 0 || looks_like_keyword(s) {
            return Err(invalid("invalid term definition (@index)"));
        }
        self.def.index = Some(s.to_owned());
        Ok(())
    }

    /// Step 21: the scoped context, kept unprocessed with its base URL (processed when the
    /// term is used) and, when the local context is fixed by a loaded document, its source.
    fn scoped_context(&mut self, base_url: Option<&str>, source: Option<&SourceId>) {
        if let Some(ctx) = self.value.get("@context") {
            self.def.context = Some(Arc::new(ctx.clone()));
            self.def.context_source = source.map(|s| s.term(self.term));
            self.def.base_url = base_url.map(str::to_owned);
        }
    }

    /// Step 22: the language mapping (ignored with `@type`).
    fn language(&mut self) -> Result<(), JsonLdError> {
        if let Some(l) = self.value.get("@language") {
            if !self.value.contains_key("@type") {
                self.def.language = Some(match l {
                    Value::Null => None,
                    Value::String(s) => Some(s.to_ascii_lowercase()),
                    _ => return Err(invalid("invalid language mapping")),
                });
            }
        }
        Ok(())
    }

    /// Step 23: the direction mapping (ignored with `@type`).
    fn direction(&mut self) -> Result<(), JsonLdError> {
        if let Some(d) = self.value.get("@direction") {
            if !self.value.contains_key("@type") {
                self.def.direction = Some(match d {
                    Value::Null => None,
                    Value::String(s) if s == "ltr" || s == "rtl" => Some(s.clone()),
                    _ => return Err(invalid("invalid base direction")),
                });
            }
        }
        Ok(())
    }

    /// Step 24: the nest value (`@nest`, a string that is no keyword but `@nest`).
    fn nest(&mut self) -> Result<(), JsonLdError> {
        if let Some(n) = self.value.get("@nest") {
            let s = n.as_str().ok_or_else(|| invalid("invalid @nest value"))?;
            if is_keyword(s) && s != "@nest" {
                return Err(invalid("invalid @nest value"));
            }
            self.def.nest = Some(s.to_owned());
        }
        Ok(())
    }

    /// Step 25: the prefix flag (`@prefix`, not on a compact IRI or a keyword alias).
    fn prefix(&mut self) -> Result<(), JsonLdError> {
        if let Some(p) = self.value.get("@prefix") {
            if self.term.contains(':') || self.term.contains('/') {
                return Err(invalid("invalid term definition (@prefix on compact IRI)"));
            }
            self.def.prefix = p
                .as_bool()
                .ok_or_else(|| invalid("invalid @prefix value"))?;
            if self.def.prefix && self.def.iri.as_deref().is_some_and(is_keyword) {
                return Err(invalid("invalid term definition (keyword prefix)"));
            }
        }
        Ok(())
    }

    /// Step 26: no other entries.
    fn check_entries(&self) -> Result<(), JsonLdError> {
        for k in self.value.keys() {
            if !matches!(
                k.as_str(),
                "@id"
                    | "@reverse"
                    | "@container"
                    | "@context"
                    | "@direction"
                    | "@index"
                    | "@language"
                    | "@nest"
                    | "@prefix"
                    | "@protected"
                    | "@type"
            ) {
                return Err(JsonLdError::InvalidContext(format!(
                    "invalid term definition for {:?} (key {k:?})",
                    self.term
                )));
            }
        }
        Ok(())
    }
}
