//! JSON-LD 1.1 context processing (§4.1), term definitions (§4.2) and IRI expansion (§5.2).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use super::iri::{is_absolute, looks_like_keyword, resolve};
use super::{JsonLdError, Processor};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

type CacheKey = (u64, usize, bool);
type CacheMap = HashMap<CacheKey, (Arc<Value>, Arc<Context>)>;

/// Processed remote contexts: (active context id, loaded document address, override
/// protected) → resulting context. The document `Arc` is kept so its address is not reused.
static CACHE: Mutex<Option<CacheMap>> = Mutex::new(None);
const CACHE_MAX: usize = 512;

fn cache_get(k: &CacheKey) -> Option<Arc<Context>> {
    let g = CACHE.lock().ok()?;
    g.as_ref()?.get(k).map(|(_, c)| c.clone())
}

fn cache_put(k: CacheKey, doc: Arc<Value>, ctx: Arc<Context>) {
    if let Ok(mut g) = CACHE.lock() {
        let m = g.get_or_insert_with(HashMap::new);
        if m.len() >= CACHE_MAX {
            m.clear();
        }
        m.insert(k, (doc, ctx));
    }
}

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Container flags.
pub(crate) mod container {
    pub(crate) const LIST: u8 = 1;
    pub(crate) const SET: u8 = 2;
    pub(crate) const GRAPH: u8 = 4;
    pub(crate) const ID: u8 = 8;
    pub(crate) const INDEX: u8 = 16;
    pub(crate) const LANGUAGE: u8 = 32;
    pub(crate) const TYPE: u8 = 64;
}

/// A term definition.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TermDef {
    /// IRI mapping; `None` for a term explicitly mapped to `null`.
    pub(crate) iri: Option<String>,
    pub(crate) prefix: bool,
    pub(crate) protected: bool,
    pub(crate) reverse: bool,
    pub(crate) type_mapping: Option<String>,
    pub(crate) language: Option<Option<String>>,
    pub(crate) direction: Option<Option<String>>,
    pub(crate) context: Option<Arc<Value>>,
    pub(crate) container: u8,
    pub(crate) index: Option<String>,
    pub(crate) nest: Option<String>,
    pub(crate) base_url: Option<String>,
}

impl TermDef {
    fn same_except_protected(&self, other: &Self) -> bool {
        let mut a = self.clone();
        a.protected = other.protected;
        a.base_url.clone_from(&other.base_url);
        a == *other
    }
}

/// An active context.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub(crate) id: u64,
    pub(crate) terms: Arc<HashMap<String, Arc<TermDef>>>,
    pub(crate) base: Option<String>,
    pub(crate) original_base: Option<String>,
    pub(crate) vocab: Option<String>,
    pub(crate) default_language: Option<String>,
    pub(crate) default_direction: Option<String>,
    pub(crate) previous: Option<Arc<Context>>,
}

impl Context {
    /// A new empty context; the empty context without base always has id 0 (cache key).
    pub(crate) fn new(base: Option<String>) -> Self {
        Self {
            id: if base.is_none() { 0 } else { next_id() },
            terms: Arc::new(HashMap::new()),
            base: base.clone(),
            original_base: base,
            vocab: None,
            default_language: None,
            default_direction: None,
            previous: None,
        }
    }

    pub(crate) fn term(&self, t: &str) -> Option<&Arc<TermDef>> {
        self.terms.get(t)
    }

    fn has_protected(&self) -> bool {
        self.terms.values().any(|d| d.protected)
    }
}

/// Options of one context-processing call.
#[derive(Clone, Copy)]
pub(crate) struct CtxOpts {
    pub(crate) override_protected: bool,
    pub(crate) propagate: bool,
}

impl Default for CtxOpts {
    fn default() -> Self {
        Self {
            override_protected: false,
            propagate: true,
        }
    }
}

const ERR: fn(&str) -> JsonLdError = |m| JsonLdError::InvalidContext(m.to_owned());

impl Processor<'_> {
    /// Processes a scoped context (from a term definition), cached by the active context
    /// and the scoped context's identity.
    pub(crate) fn process_scoped(
        &mut self,
        active: &Arc<Context>,
        local: &Arc<Value>,
        base_url: Option<&str>,
        opts: CtxOpts,
    ) -> Result<Arc<Context>, JsonLdError> {
        let flags = u64::from(opts.override_protected) | (u64::from(opts.propagate) << 1);
        let key = (active.id ^ (flags << 62), Arc::as_ptr(local) as usize, true);
        if let Some(c) = cache_get(&key) {
            return Ok(c);
        }
        let r = self.process_context(active, local, base_url, &mut Vec::new(), opts)?;
        cache_put(key, local.clone(), r.clone());
        Ok(r)
    }

    /// Context Processing algorithm.
    pub(crate) fn process_context(
        &mut self,
        active: &Arc<Context>,
        local: &Value,
        base_url: Option<&str>,
        remote: &mut Vec<String>,
        opts: CtxOpts,
    ) -> Result<Arc<Context>, JsonLdError> {
        self.tick()?;
        let mut result: Context = (**active).clone();
        let mut propagate = opts.propagate;
        if let Some(p) = local.get("@propagate") {
            propagate = p
                .as_bool()
                .ok_or_else(|| JsonLdError::InvalidContext("@propagate must be boolean".into()))?;
        }
        if !propagate && result.previous.is_none() {
            result.previous = Some(active.clone());
            result.id = next_id();
        }
        let items: Vec<&Value> = match local {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        let mut changed = false;
        for ctx in items {
            if changed {
                result.id = next_id();
            }
            changed = true;
            match ctx {
                Value::Null => {
                    if !opts.override_protected && result.has_protected() {
                        return Err(JsonLdError::InvalidContext(
                            "invalid context nullification (protected terms)".into(),
                        ));
                    }
                    let prev = result.previous.take();
                    result = Context::new(active.original_base.clone());
                    if !propagate {
                        result.previous = prev.or_else(|| Some(active.clone()));
                    }
                }
                Value::String(s) => {
                    let url = match base_url {
                        Some(b) if !is_absolute(s) => resolve(b, s),
                        _ => s.clone(),
                    };
                    if remote.len() > self.limits.max_remote_contexts {
                        return Err(JsonLdError::InvalidContext(
                            "context overflow (too many remote contexts)".into(),
                        ));
                    }
                    if remote.contains(&url) {
                        return Err(JsonLdError::InvalidContext(format!(
                            "recursive context inclusion {url}"
                        )));
                    }
                    let doc = self
                        .loader
                        .load(&url)
                        .ok_or_else(|| JsonLdError::UnknownContext(url.clone()))?;
                    let key = (
                        result.id,
                        Arc::as_ptr(&doc) as usize,
                        opts.override_protected,
                    );
                    if let Some(c) = cache_get(&key) {
                        result = (*c).clone();
                        changed = false;
                        continue;
                    }
                    let inner = doc.get("@context").ok_or_else(|| {
                        JsonLdError::InvalidContext(format!("{url} has no @context"))
                    })?;
                    remote.push(url.clone());
                    let r = self.process_context(
                        &Arc::new(result),
                        inner,
                        Some(&url),
                        remote,
                        CtxOpts {
                            override_protected: opts.override_protected,
                            propagate: true,
                        },
                    )?;
                    remote.pop();
                    cache_put(key, doc.clone(), r.clone());
                    result = (*r).clone();
                    changed = false;
                    continue;
                }
                Value::Object(map) => {
                    self.process_context_object(&mut result, map, base_url, remote, opts)?;
                }
                _ => return Err(ERR("local context must be null, a string or an object")),
            }
        }
        if changed {
            result.id = next_id();
        }
        Ok(Arc::new(result))
    }

    fn process_context_object(
        &mut self,
        result: &mut Context,
        map: &Map<String, Value>,
        base_url: Option<&str>,
        remote: &[String],
        opts: CtxOpts,
    ) -> Result<(), JsonLdError> {
        let mut map = map.clone();
        if let Some(v) = map.get("@version") {
            if v.as_f64() != Some(1.1) {
                return Err(ERR("@version must be 1.1"));
            }
        }
        if let Some(imp) = map.get("@import").cloned() {
            let s = imp
                .as_str()
                .ok_or_else(|| ERR("@import must be a string"))?;
            let url = match base_url {
                Some(b) => resolve(b, s),
                None => s.to_owned(),
            };
            let doc = self
                .loader
                .load(&url)
                .ok_or_else(|| JsonLdError::UnknownContext(url.clone()))?;
            let Some(Value::Object(imported)) = doc.get("@context") else {
                return Err(ERR("@import target must be a context object"));
            };
            if imported.contains_key("@import") {
                return Err(ERR("@import target must not contain @import"));
            }
            let mut merged = imported.clone();
            for (k, v) in map {
                merged.insert(k, v);
            }
            map = merged;
        }
        if let Some(b) = map.get("@base") {
            if remote.is_empty() {
                match b {
                    Value::Null => result.base = None,
                    Value::String(s) if is_absolute(s) => result.base = Some(s.clone()),
                    Value::String(s) => match &result.base {
                        Some(cur) => result.base = Some(resolve(cur, s)),
                        None => return Err(ERR("relative @base without a base IRI")),
                    },
                    _ => return Err(ERR("invalid @base")),
                }
            }
        }
        if let Some(v) = map.get("@vocab") {
            match v {
                Value::Null => result.vocab = None,
                Value::String(s) => {
                    let e = self.expand_iri(result, s, true, true, None, None)?;
                    match e {
                        Some(e) if is_absolute(&e) || e.starts_with("_:") || e.is_empty() => {
                            result.vocab = Some(e);
                        }
                        _ => {
                            if self.safe {
                                return Err(JsonLdError::SafeMode(format!(
                                    "relative @vocab reference {s:?}"
                                )));
                            }
                            return Err(ERR("invalid @vocab mapping"));
                        }
                    }
                }
                _ => return Err(ERR("invalid @vocab mapping")),
            }
        }
        if let Some(v) = map.get("@language") {
            match v {
                Value::Null => result.default_language = None,
                Value::String(s) => result.default_language = Some(s.to_ascii_lowercase()),
                _ => return Err(ERR("invalid default language")),
            }
        }
        if let Some(v) = map.get("@direction") {
            match v {
                Value::Null => result.default_direction = None,
                Value::String(s) if s == "ltr" || s == "rtl" => {
                    result.default_direction = Some(s.clone());
                }
                _ => return Err(ERR("invalid base direction")),
            }
        }
        if let Some(v) = map.get("@propagate") {
            if !v.is_boolean() {
                return Err(ERR("invalid @propagate value"));
            }
        }
        let protected = match map.get("@protected") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(ERR("invalid @protected value")),
        };
        let mut defined: HashMap<String, bool> = HashMap::new();
        let keys: Vec<String> = map.keys().cloned().collect();
        for k in keys {
            if matches!(
                k.as_str(),
                "@base"
                    | "@direction"
                    | "@import"
                    | "@language"
                    | "@propagate"
                    | "@protected"
                    | "@version"
                    | "@vocab"
            ) {
                continue;
            }
            self.create_term(
                result,
                &map,
                &k,
                &mut defined,
                base_url,
                protected,
                opts.override_protected,
            )?;
        }
        Ok(())
    }

    /// Create Term Definition algorithm.
    #[allow(clippy::too_many_arguments, clippy::too_many_lines)]
    pub(crate) fn create_term(
        &mut self,
        active: &mut Context,
        local: &Map<String, Value>,
        term: &str,
        defined: &mut HashMap<String, bool>,
        base_url: Option<&str>,
        protected: bool,
        override_protected: bool,
    ) -> Result<(), JsonLdError> {
        self.tick()?;
        match defined.get(term) {
            Some(true) => return Ok(()),
            Some(false) => {
                return Err(JsonLdError::InvalidContext(format!(
                    "cyclic IRI mapping for {term:?}"
                )));
            }
            None => {}
        }
        if term.is_empty() {
            return Err(ERR("invalid term definition (empty term)"));
        }
        defined.insert(term.to_owned(), false);
        let value = local.get(term).cloned().unwrap_or(Value::Null);
        if term == "@type" {
            let ok = match &value {
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
                return Err(JsonLdError::InvalidContext(
                    "keyword redefinition of @type".into(),
                ));
            }
        } else if is_keyword(term) {
            return Err(JsonLdError::InvalidContext(format!(
                "keyword redefinition {term:?}"
            )));
        } else if looks_like_keyword(term) {
            defined.insert(term.to_owned(), true);
            if self.safe {
                return Err(JsonLdError::SafeMode(format!("reserved term {term:?}")));
            }
            return Ok(());
        }
        let previous = Arc::make_mut(&mut active.terms).remove(term);
        let (value, simple) = match value {
            Value::Null => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::Null);
                (m, false)
            }
            Value::String(s) => {
                let mut m = Map::new();
                m.insert("@id".into(), Value::String(s));
                (m, true)
            }
            Value::Object(m) => (m, false),
            _ => return Err(ERR("invalid term definition")),
        };
        let mut def = TermDef {
            protected,
            ..TermDef::default()
        };
        if let Some(p) = value.get("@protected") {
            def.protected = p.as_bool().ok_or_else(|| ERR("invalid @protected value"))?;
        }
        if let Some(t) = value.get("@type") {
            let t = t.as_str().ok_or_else(|| ERR("invalid type mapping"))?;
            let e = self
                .expand_iri(active, t, false, true, Some(local), Some(defined))?
                .ok_or_else(|| ERR("invalid type mapping"))?;
            if !(matches!(e.as_str(), "@id" | "@json" | "@none" | "@vocab") || is_absolute(&e)) {
                if self.safe {
                    return Err(JsonLdError::SafeMode(format!(
                        "relative @type mapping {t:?} for term {term:?}"
                    )));
                }
                return Err(ERR("invalid type mapping"));
            }
            def.type_mapping = Some(e);
        }
        if let Some(r) = value.get("@reverse") {
            if value.contains_key("@id") || value.contains_key("@nest") {
                return Err(ERR("invalid reverse property"));
            }
            let r = r.as_str().ok_or_else(|| ERR("invalid IRI mapping"))?;
            if looks_like_keyword(r) {
                defined.insert(term.to_owned(), true);
                return Ok(());
            }
            let e = self
                .expand_iri(active, r, false, true, Some(local), Some(defined))?
                .filter(|e| is_absolute(e) || e.starts_with("_:"))
                .ok_or_else(|| ERR("invalid IRI mapping"))?;
            def.iri = Some(e);
            if let Some(c) = value.get("@container") {
                match c {
                    Value::Null => {}
                    Value::String(s) if s == "@set" => def.container = container::SET,
                    Value::String(s) if s == "@index" => def.container = container::INDEX,
                    _ => return Err(ERR("invalid reverse property")),
                }
            }
            def.reverse = true;
            Arc::make_mut(&mut active.terms).insert(term.to_owned(), Arc::new(def));
            defined.insert(term.to_owned(), true);
            return Ok(());
        }
        let id_entry = value.get("@id");
        if let Some(idv) = id_entry.filter(|v| v.as_str() != Some(term)) {
            match idv {
                Value::Null => def.iri = None,
                Value::String(s) => {
                    if !is_keyword(s) && looks_like_keyword(s) {
                        defined.insert(term.to_owned(), true);
                        return Ok(());
                    }
                    let e = self
                        .expand_iri(active, s, false, true, Some(local), Some(defined))?
                        .ok_or_else(|| ERR("invalid IRI mapping"))?;
                    if !(is_keyword(&e) || is_absolute(&e) || e.starts_with("_:")) {
                        return Err(ERR("invalid IRI mapping"));
                    }
                    if e == "@context" {
                        return Err(ERR("invalid keyword alias @context"));
                    }
                    let inner_colon = term
                        .get(1..term.len().saturating_sub(1))
                        .is_some_and(|m| m.contains(':'));
                    if inner_colon || term.contains('/') {
                        defined.insert(term.to_owned(), true);
                        let te =
                            self.expand_iri(active, term, false, true, Some(local), Some(defined))?;
                        if te.as_deref() != Some(e.as_str()) {
                            return Err(ERR(
                                "invalid IRI mapping (term does not expand to its @id)",
                            ));
                        }
                    }
                    if !term.contains(':')
                        && !term.contains('/')
                        && simple
                        && (e.ends_with([':', '/', '?', '#', '[', ']', '@']) || e.starts_with("_:"))
                    {
                        def.prefix = true;
                    }
                    def.iri = Some(e);
                }
                _ => return Err(ERR("invalid IRI mapping")),
            }
        } else if let Some(i) = term.get(1..).and_then(|r| r.find(':')).map(|i| i + 1) {
            let (prefix, suffix) = (
                term.get(..i).unwrap_or_default(),
                term.get(i + 1..).unwrap_or_default(),
            );
            if local.contains_key(prefix) {
                self.create_term(active, local, prefix, defined, base_url, false, false)?;
            }
            if let Some(pd) = active.term(prefix).and_then(|d| d.iri.clone()) {
                def.iri = Some(format!("{pd}{suffix}"));
            } else {
                def.iri = Some(term.to_owned());
            }
        } else if term.contains('/') {
            let e = self
                .expand_iri(active, term, false, true, None, None)?
                .filter(|e| is_absolute(e))
                .ok_or_else(|| ERR("invalid IRI mapping"))?;
            def.iri = Some(e);
        } else if term == "@type" {
            def.iri = Some("@type".into());
        } else if let Some(v) = &active.vocab {
            def.iri = Some(format!("{v}{term}"));
        } else {
            return Err(ERR("invalid IRI mapping (no @vocab)"));
        }
        if let Some(c) = value.get("@container") {
            let list: Vec<&Value> = match c {
                Value::Array(a) => a.iter().collect(),
                v => vec![v],
            };
            for c in list {
                def.container |= match c.as_str() {
                    Some("@list") => container::LIST,
                    Some("@set") => container::SET,
                    Some("@graph") => container::GRAPH,
                    Some("@id") => container::ID,
                    Some("@index") => container::INDEX,
                    Some("@language") => container::LANGUAGE,
                    Some("@type") => container::TYPE,
                    _ => return Err(ERR("invalid container mapping")),
                };
            }
            let cm = def.container;
            if cm & container::LIST != 0 && cm != container::LIST {
                return Err(ERR("invalid container mapping (@list with others)"));
            }
            if cm & container::TYPE != 0 {
                match def.type_mapping.as_deref() {
                    None => def.type_mapping = Some("@id".into()),
                    Some("@id" | "@vocab") => {}
                    _ => return Err(ERR("invalid type mapping for @type container")),
                }
            }
        }
        if let Some(ix) = value.get("@index") {
            let s = ix
                .as_str()
                .ok_or_else(|| ERR("invalid term definition (@index)"))?;
            if def.container & container::INDEX == 0 || looks_like_keyword(s) {
                return Err(ERR("invalid term definition (@index)"));
            }
            def.index = Some(s.to_owned());
        }
        if let Some(ctx) = value.get("@context") {
            def.context = Some(Arc::new(ctx.clone()));
            def.base_url = base_url.map(str::to_owned);
        }
        if let Some(l) = value.get("@language") {
            if !value.contains_key("@type") {
                def.language = Some(match l {
                    Value::Null => None,
                    Value::String(s) => Some(s.to_ascii_lowercase()),
                    _ => return Err(ERR("invalid language mapping")),
                });
            }
        }
        if let Some(d) = value.get("@direction") {
            if !value.contains_key("@type") {
                def.direction = Some(match d {
                    Value::Null => None,
                    Value::String(s) if s == "ltr" || s == "rtl" => Some(s.clone()),
                    _ => return Err(ERR("invalid base direction")),
                });
            }
        }
        if let Some(n) = value.get("@nest") {
            let s = n.as_str().ok_or_else(|| ERR("invalid @nest value"))?;
            if is_keyword(s) && s != "@nest" {
                return Err(ERR("invalid @nest value"));
            }
            def.nest = Some(s.to_owned());
        }
        if let Some(p) = value.get("@prefix") {
            if term.contains(':') || term.contains('/') {
                return Err(ERR("invalid term definition (@prefix on compact IRI)"));
            }
            def.prefix = p.as_bool().ok_or_else(|| ERR("invalid @prefix value"))?;
            if def.prefix && def.iri.as_deref().is_some_and(is_keyword) {
                return Err(ERR("invalid term definition (keyword prefix)"));
            }
        }
        for k in value.keys() {
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
                    "invalid term definition for {term:?} (key {k:?})"
                )));
            }
        }
        if !override_protected {
            if let Some(prev) = &previous {
                if prev.protected {
                    if !def.same_except_protected(prev) {
                        return Err(JsonLdError::InvalidContext(format!(
                            "protected term redefinition {term:?}"
                        )));
                    }
                    def = (**prev).clone();
                }
            }
        }
        Arc::make_mut(&mut active.terms).insert(term.to_owned(), Arc::new(def));
        defined.insert(term.to_owned(), true);
        Ok(())
    }

    /// IRI Expansion algorithm. `Ok(None)` means "null".
    pub(crate) fn expand_iri(
        &mut self,
        active: &mut Context,
        value: &str,
        document_relative: bool,
        vocab: bool,
        local: Option<&Map<String, Value>>,
        defined: Option<&mut HashMap<String, bool>>,
    ) -> Result<Option<String>, JsonLdError> {
        if is_keyword(value) {
            return Ok(Some(value.to_owned()));
        }
        if looks_like_keyword(value) {
            return Ok(None);
        }
        let mut defined = defined;
        if let (Some(l), Some(d)) = (local, defined.as_deref_mut()) {
            if l.contains_key(value) && d.get(value) != Some(&true) {
                self.create_term(active, l, value, d, None, false, false)?;
            }
        }
        if let Some(def) = active.term(value) {
            if def.iri.as_deref().is_some_and(is_keyword) {
                return Ok(def.iri.clone());
            }
            if vocab {
                return Ok(def.iri.clone());
            }
        }
        if let Some(i) = value.get(1..).and_then(|r| r.find(':')).map(|i| i + 1) {
            let prefix = value.get(..i).unwrap_or_default();
            let suffix = value.get(i + 1..).unwrap_or_default();
            if prefix == "_" || suffix.starts_with("//") {
                return Ok(Some(value.to_owned()));
            }
            if let (Some(l), Some(d)) = (local, defined) {
                if l.contains_key(prefix) && d.get(prefix) != Some(&true) {
                    self.create_term(active, l, prefix, d, None, false, false)?;
                }
            }
            if let Some(def) = active.term(prefix) {
                if let (Some(iri), true) = (&def.iri, def.prefix) {
                    return Ok(Some(format!("{iri}{suffix}")));
                }
            }
            if is_absolute(value) {
                return Ok(Some(value.to_owned()));
            }
        }
        if vocab {
            if let Some(v) = &active.vocab {
                return Ok(Some(format!("{v}{value}")));
            }
        }
        if document_relative {
            if let Some(b) = &active.base {
                return Ok(Some(resolve(b, value)));
            }
        }
        Ok(Some(value.to_owned()))
    }
}

/// IRI expansion without a local context (never defines terms, so it only reads `active`).
pub(crate) fn expand_iri_ro(
    active: &Context,
    value: &str,
    document_relative: bool,
    vocab: bool,
) -> Option<String> {
    if is_keyword(value) {
        return Some(value.to_owned());
    }
    if looks_like_keyword(value) {
        return None;
    }
    if let Some(def) = active.term(value) {
        if def.iri.as_deref().is_some_and(is_keyword) || vocab {
            return def.iri.clone();
        }
    }
    if let Some(i) = value.get(1..).and_then(|r| r.find(':')).map(|i| i + 1) {
        let prefix = value.get(..i).unwrap_or_default();
        let suffix = value.get(i + 1..).unwrap_or_default();
        if prefix == "_" || suffix.starts_with("//") {
            return Some(value.to_owned());
        }
        if let Some(def) = active.term(prefix) {
            if let (Some(iri), true) = (&def.iri, def.prefix) {
                return Some(format!("{iri}{suffix}"));
            }
        }
        if is_absolute(value) {
            return Some(value.to_owned());
        }
    }
    if vocab {
        if let Some(v) = &active.vocab {
            return Some(format!("{v}{value}"));
        }
    }
    if document_relative {
        if let Some(b) = &active.base {
            return Some(resolve(b, value));
        }
    }
    Some(value.to_owned())
}

/// JSON-LD keywords.
pub(crate) fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "@base"
            | "@container"
            | "@context"
            | "@default"
            | "@direction"
            | "@embed"
            | "@explicit"
            | "@first"
            | "@graph"
            | "@id"
            | "@import"
            | "@included"
            | "@index"
            | "@json"
            | "@language"
            | "@list"
            | "@nest"
            | "@none"
            | "@omitDefault"
            | "@prefix"
            | "@preserve"
            | "@protected"
            | "@requireAll"
            | "@reverse"
            | "@set"
            | "@type"
            | "@value"
            | "@version"
            | "@vocab"
    )
}
