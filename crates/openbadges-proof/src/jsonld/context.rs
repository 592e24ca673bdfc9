//! The active context and the JSON-LD 1.1 Context Processing algorithm (§4.1.2); term
//! definitions are created in [`super::term`].

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::cache::{ContextId, SourceId};
use super::iri::{is_absolute, resolve};
use super::term::{LocalContext, TermOpts};
use super::{JsonLdError, Processor};

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
    /// The scoped context (the term definition's `@context`).
    pub(crate) context: Option<Arc<Value>>,
    /// Where the scoped context comes from, when a loaded document fixes it (cache key).
    pub(crate) context_source: Option<SourceId>,
    pub(crate) container: u8,
    pub(crate) index: Option<String>,
    pub(crate) nest: Option<String>,
    pub(crate) base_url: Option<String>,
}

impl TermDef {
    /// Whether the two definitions are the same other than the value of protected (Create
    /// Term Definition step 27.1; the base URL and the cache identity are not part of it).
    pub(crate) fn same_except_protected(&self, other: &Self) -> bool {
        let mut a = self.clone();
        a.protected = other.protected;
        a.base_url.clone_from(&other.base_url);
        a.context_source.clone_from(&other.context_source);
        a == *other
    }
}

/// An active context.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// The content identity (cache key); `None` once a document's own inline context changed
    /// it (never cached).
    pub(crate) id: Option<ContextId>,
    pub(crate) terms: Arc<HashMap<String, Arc<TermDef>>>,
    pub(crate) base: Option<String>,
    pub(crate) original_base: Option<String>,
    pub(crate) vocab: Option<String>,
    pub(crate) default_language: Option<String>,
    pub(crate) default_direction: Option<String>,
    pub(crate) previous: Option<Arc<Context>>,
}

impl Context {
    /// The initial context of a document with base IRI `base`.
    pub(crate) fn new(base: Option<String>) -> Self {
        Self {
            id: Some(ContextId::initial(base.as_deref())),
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

/// An invalid local context or term definition.
pub(crate) fn invalid(m: &str) -> JsonLdError {
    JsonLdError::InvalidContext(m.to_owned())
}

impl Processor<'_> {
    /// Processes the scoped context of term definition `def` (Expansion steps 4.2, 8, 11.2
    /// and 13.8.3.2), cached by the active context's identity and the scoped context's.
    pub(crate) fn process_scoped(
        &mut self,
        active: &Arc<Context>,
        def: &TermDef,
        opts: CtxOpts,
    ) -> Result<Arc<Context>, JsonLdError> {
        let Some(local) = &def.context else {
            return Ok(active.clone());
        };
        let id = match (&active.id, &def.context_source) {
            (Some(from), Some(source)) => {
                Some(from.scoped(source, opts.override_protected, opts.propagate))
            }
            _ => None,
        };
        if let Some(c) = id.as_ref().and_then(|id| self.cache.get(id)) {
            return Ok(c);
        }
        let source = def.context_source.as_ref();
        let base_url = def.base_url.as_deref();
        let mut r = self.context(active, local, base_url, source, &mut Vec::new(), opts)?;
        r.id.clone_from(&id);
        let r = Arc::new(r);
        if let Some(id) = id {
            self.cache.put(id, r.clone());
        }
        Ok(r)
    }

    /// Processes a document's own `@context` entry (Expansion step 9).
    pub(crate) fn process_context(
        &mut self,
        active: &Arc<Context>,
        local: &Value,
        base_url: Option<&str>,
    ) -> Result<Arc<Context>, JsonLdError> {
        let r = self.context(
            active,
            local,
            base_url,
            None,
            &mut Vec::new(),
            CtxOpts::default(),
        )?;
        Ok(Arc::new(r))
    }

    /// Context Processing algorithm (§4.1.2). `source` identifies `local` when a loaded
    /// document fixes it; `remote` is the stack of remote contexts being included.
    fn context(
        &mut self,
        active: &Arc<Context>,
        local: &Value,
        base_url: Option<&str>,
        source: Option<&SourceId>,
        remote: &mut Vec<String>,
        opts: CtxOpts,
    ) -> Result<Context, JsonLdError> {
        self.tick()?;
        // Step 1: result is a copy of the active context.
        let mut result: Context = (**active).clone();
        // Step 2: @propagate.
        let mut propagate = opts.propagate;
        if let Some(p) = local.get("@propagate") {
            propagate = p
                .as_bool()
                .ok_or_else(|| invalid("@propagate must be boolean"))?;
        }
        // Step 3: a non-propagated context remembers the one to revert to.
        if !propagate && result.previous.is_none() {
            result.previous = Some(active.clone());
            result.id = None;
        }
        // Step 4: the local context as an array.
        let items: Vec<(&Value, Option<SourceId>)> = match local {
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| (v, source.map(|s| s.item(i))))
                .collect(),
            v => vec![(v, source.cloned())],
        };
        // Step 5: each context in turn.
        for (ctx, item_source) in items {
            result = match ctx {
                Value::Null => self.nullify(active, result, propagate, opts)?,
                Value::String(s) => self.include_remote(result, s, base_url, remote, opts)?,
                Value::Object(map) => {
                    let local = LocalContext::new(map, item_source);
                    self.context_definition(result, local, base_url, remote, opts)?
                }
                _ => return Err(invalid("local context must be null, a string or an object")),
            };
        }
        // Step 6.
        Ok(result)
    }

    /// Step 5.1: a `null` context resets to a new active context (keeping the original base
    /// URL and, when not propagated, the context to revert to).
    fn nullify(
        &mut self,
        active: &Arc<Context>,
        mut result: Context,
        propagate: bool,
        opts: CtxOpts,
    ) -> Result<Context, JsonLdError> {
        // Step 5.1.1: protected terms cannot be cleared.
        if !opts.override_protected && result.has_protected() {
            return Err(invalid("invalid context nullification (protected terms)"));
        }
        // Step 5.1.2.
        let prev = result.previous.take();
        let mut fresh = Context::new(active.original_base.clone());
        fresh.id = None;
        if !propagate {
            fresh.previous = prev.or_else(|| Some(active.clone()));
        }
        Ok(fresh)
    }

    /// Step 5.2: a remote context, loaded from the loader and processed recursively, or taken
    /// from the cache when the same context was applied to the same active context before.
    fn include_remote(
        &mut self,
        result: Context,
        reference: &str,
        base_url: Option<&str>,
        remote: &mut Vec<String>,
        opts: CtxOpts,
    ) -> Result<Context, JsonLdError> {
        // Step 5.2.1: resolve against the base URL.
        let url = match base_url {
            Some(b) if !is_absolute(reference) => resolve(b, reference),
            _ => reference.to_owned(),
        };
        // Steps 5.2.2-5.2.3: overflow and recursion are errors.
        if remote.len() > self.limits.max_remote_contexts {
            return Err(invalid("context overflow (too many remote contexts)"));
        }
        if remote.contains(&url) {
            return Err(JsonLdError::InvalidContext(format!(
                "recursive context inclusion {url}"
            )));
        }
        // Step 5.2.5: dereference (the loader only; never the network).
        let doc = self
            .loader
            .load(&url)
            .ok_or_else(|| JsonLdError::UnknownContext(url.clone()))?;
        // Step 5.2.4: a context processed before on the same active context.
        let id = result
            .id
            .as_ref()
            .map(|from| from.remote(&url, opts.override_protected));
        if let Some(c) = id.as_ref().and_then(|id| self.cache.get(id)) {
            return Ok((*c).clone());
        }
        // Steps 5.2.5.2-5.2.5.3: the loaded context.
        let loaded = doc
            .get("@context")
            .ok_or_else(|| JsonLdError::InvalidContext(format!("{url} has no @context")))?;
        // Step 5.2.6: process it recursively, with the document's URL as base URL.
        remote.push(url.clone());
        let source = SourceId::remote(&url);
        let nested = CtxOpts {
            override_protected: opts.override_protected,
            propagate: true,
        };
        let mut r = self.context(
            &Arc::new(result),
            loaded,
            Some(&url),
            Some(&source),
            remote,
            nested,
        )?;
        remote.pop();
        r.id.clone_from(&id);
        if let Some(id) = id {
            self.cache.put(id, Arc::new(r.clone()));
        }
        Ok(r)
    }

    /// Steps 5.4-5.13: a context definition (a map). The result is built from the
    /// document's own content, so it has no cache identity.
    fn context_definition(
        &mut self,
        mut result: Context,
        mut local: LocalContext<'_>,
        base_url: Option<&str>,
        remote: &[String],
        opts: CtxOpts,
    ) -> Result<Context, JsonLdError> {
        result.id = None;
        // Step 5.5: @version.
        if let Some(v) = local.map.get("@version") {
            if v.as_f64() != Some(1.1) {
                return Err(invalid("@version must be 1.1"));
            }
        }
        // Step 5.6: @import.
        if let Some(imp) = local.map.get("@import") {
            let merged = self.import(local.map.as_ref(), imp, base_url)?;
            local.map = std::borrow::Cow::Owned(merged);
        }
        // Steps 5.7-5.11: @base, @vocab, @language, @direction, @propagate.
        self.set_base(&mut result, &local.map, remote)?;
        self.set_vocab(&mut result, &local.map)?;
        set_language_and_direction(&mut result, &local.map)?;
        if let Some(v) = local.map.get("@propagate") {
            if !v.is_boolean() {
                return Err(invalid("invalid @propagate value"));
            }
        }
        // Steps 5.12-5.13: a term definition for every other entry.
        let protected = match local.map.get("@protected") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(invalid("invalid @protected value")),
        };
        let term_opts = TermOpts {
            base_url,
            protected,
            override_protected: opts.override_protected,
        };
        let keys: Vec<String> = local.map.keys().cloned().collect();
        for k in keys {
            if is_context_keyword(&k) {
                continue;
            }
            self.create_term(&mut result, &mut local, &k, term_opts)?;
        }
        Ok(result)
    }

    /// Step 5.6: the context `map` merged into the context definition it imports.
    fn import(
        &mut self,
        map: &Map<String, Value>,
        imp: &Value,
        base_url: Option<&str>,
    ) -> Result<Map<String, Value>, JsonLdError> {
        // Steps 5.6.2-5.6.3.
        let s = imp
            .as_str()
            .ok_or_else(|| invalid("@import must be a string"))?;
        let url = match base_url {
            Some(b) => resolve(b, s),
            None => s.to_owned(),
        };
        // Steps 5.6.4-5.6.5.
        let doc = self
            .loader
            .load(&url)
            .ok_or_else(|| JsonLdError::UnknownContext(url.clone()))?;
        // Steps 5.6.6-5.6.7.
        let Some(Value::Object(imported)) = doc.get("@context") else {
            return Err(invalid("@import target must be a context object"));
        };
        if imported.contains_key("@import") {
            return Err(invalid("@import target must not contain @import"));
        }
        // Step 5.6.8: the context's own entries win.
        let mut merged = imported.clone();
        for (k, v) in map {
            merged.insert(k.clone(), v.clone());
        }
        Ok(merged)
    }

    /// Step 5.7: `@base`, only outside remote contexts.
    fn set_base(
        &mut self,
        result: &mut Context,
        map: &Map<String, Value>,
        remote: &[String],
    ) -> Result<(), JsonLdError> {
        let Some(b) = map.get("@base") else {
            return Ok(());
        };
        if !remote.is_empty() {
            return Ok(());
        }
        match b {
            Value::Null => result.base = None,
            Value::String(s) if is_absolute(s) => result.base = Some(s.clone()),
            Value::String(s) => match &result.base {
                Some(cur) => result.base = Some(resolve(cur, s)),
                None => return Err(invalid("relative @base without a base IRI")),
            },
            _ => return Err(invalid("invalid @base")),
        }
        Ok(())
    }

    /// Step 5.8: `@vocab` (a relative one is a safe-mode error).
    fn set_vocab(
        &mut self,
        result: &mut Context,
        map: &Map<String, Value>,
    ) -> Result<(), JsonLdError> {
        let Some(v) = map.get("@vocab") else {
            return Ok(());
        };
        match v {
            Value::Null => result.vocab = None,
            Value::String(s) => match self.expand_iri(result, s, true, true, None)? {
                Some(e) if is_absolute(&e) || e.starts_with("_:") || e.is_empty() => {
                    result.vocab = Some(e);
                }
                _ => {
                    if self.safe {
                        return Err(JsonLdError::SafeMode(format!(
                            "relative @vocab reference {s:?}"
                        )));
                    }
                    return Err(invalid("invalid @vocab mapping"));
                }
            },
            _ => return Err(invalid("invalid @vocab mapping")),
        }
        Ok(())
    }
}

/// Steps 5.9-5.10: the default language and base direction.
fn set_language_and_direction(
    result: &mut Context,
    map: &Map<String, Value>,
) -> Result<(), JsonLdError> {
    if let Some(v) = map.get("@language") {
        match v {
            Value::Null => result.default_language = None,
            Value::String(s) => result.default_language = Some(s.to_ascii_lowercase()),
            _ => return Err(invalid("invalid default language")),
        }
    }
    if let Some(v) = map.get("@direction") {
        match v {
            Value::Null => result.default_direction = None,
            Value::String(s) if s == "ltr" || s == "rtl" => {
                result.default_direction = Some(s.clone());
            }
            _ => return Err(invalid("invalid base direction")),
        }
    }
    Ok(())
}

/// The entries of a context definition that are not term definitions (step 5.13).
fn is_context_keyword(k: &str) -> bool {
    matches!(
        k,
        "@base"
            | "@direction"
            | "@import"
            | "@language"
            | "@propagate"
            | "@protected"
            | "@version"
            | "@vocab"
    )
}
