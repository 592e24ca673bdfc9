//! JSON-LD 1.1 Expansion algorithm (§5.1.2): an element's scalar, array and map cases and
//! the node's contexts (steps 1-12) and the checks on its result (steps 15-20) here; its
//! entries (steps 13-14) in [`object`], keyword entries (step 13.4) in [`keyword`], language
//! and index maps (steps 13.7-13.8) in [`maps`], Value Expansion (§5.3.2) in [`value`].

mod keyword;
mod maps;
mod object;
mod value;

use std::sync::Arc;

use serde_json::{Map, Value};

use super::context::{Context, CtxOpts, TermDef, container};
use super::iri::{is_absolute, well_formed_iri};
use super::iri_expansion::{expand_iri_cow, expand_iri_ro};
use super::{JsonLdError, Processor};

/// `v` as an array (a non-array becomes a one-element array).
fn as_array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        v => vec![v],
    }
}

/// Whether `v` is a value object.
fn is_value_obj(v: &Value) -> bool {
    v.get("@value").is_some()
}

/// Whether `v` is a list object.
fn is_list_obj(v: &Value) -> bool {
    v.get("@list").is_some()
}

/// Whether `v` is a graph object.
fn is_graph_obj(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.contains_key("@graph")
            && m.keys()
                .all(|k| matches!(k.as_str(), "@graph" | "@id" | "@index" | "@context"))
    })
}

/// Add value (§5.1.3 helper): appends `v` (or its items) to the array at `map[key]`.
fn add_value(map: &mut Map<String, Value>, key: String, v: Value) {
    let entry = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        let old = entry.take();
        *entry = Value::Array(vec![old]);
    }
    if let Value::Array(a) = entry {
        match v {
            Value::Array(items) => a.extend(items),
            v => a.push(v),
        }
    }
}

/// BCP47-ish well-formedness: alphanumeric subtags of 1-8 characters separated by `-`.
fn valid_language(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|t| !t.is_empty() && t.len() <= 8 && t.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The state that steps 13-14 share while one map (and its nested maps) is expanded.
#[derive(Clone, Copy)]
struct Scope<'s> {
    /// The active context (after steps 7-11).
    active: &'s Arc<Context>,
    /// The context before type-scoped contexts were applied (step 10), for `@type` values.
    type_scoped: &'s Arc<Context>,
    /// The active property.
    active_property: Option<&'s str>,
    /// The document's base URL.
    base_url: Option<&'s str>,
    /// The expanded last `@type` value (step 12).
    input_type: Option<&'s str>,
    /// Nesting depth (limit).
    depth: usize,
    /// A member of this map to leave out (only for the document's top-level map).
    skip: Option<&'s str>,
}

impl Scope<'_> {
    /// Whether the active property is null or `@graph` (free-floating values are dropped).
    fn top_level(&self) -> bool {
        self.active_property.is_none() || self.active_property == Some("@graph")
    }
}

impl Processor<'_> {
    /// A safe-mode error with `msg`; outside safe mode, nothing (the caller drops the value).
    fn safe_err(&self, msg: String) -> Result<(), JsonLdError> {
        if self.safe {
            Err(JsonLdError::SafeMode(msg))
        } else {
            Ok(())
        }
    }

    /// Expansion algorithm (§5.1.2): `element` expanded under `active` for `active_property`.
    /// `Ok(None)` is "null" (dropped).
    pub(crate) fn expand_element(
        &mut self,
        active: &Arc<Context>,
        active_property: Option<&str>,
        element: &Value,
        base_url: Option<&str>,
        from_map: bool,
        depth: usize,
    ) -> Result<Option<Value>, JsonLdError> {
        self.tick()?;
        if depth > self.limits.max_depth {
            return Err(JsonLdError::LimitExceeded("nesting too deep"));
        }
        // Step 1.
        if element.is_null() {
            return Ok(None);
        }
        // Step 3: the active property's definition (and its property-scoped context).
        let prop_def = active_property.and_then(|p| active.term(p)).cloned();
        let prop_def = prop_def.as_deref();
        let at = At {
            active_property,
            base_url,
            from_map,
            depth,
        };
        match element {
            // Step 5.
            Value::Array(items) => self.expand_array(active, prop_def, items, at).map(Some),
            // Steps 6-20.
            Value::Object(map) => self.expand_map(active, prop_def, map, at),
            // Step 4.
            scalar => self.expand_scalar(active, active_property, prop_def, scalar),
        }
    }

    /// Step 4: a scalar is dropped at the top level, else value-expanded (under the active
    /// property's scoped context, if any).
    fn expand_scalar(
        &mut self,
        active: &Arc<Context>,
        active_property: Option<&str>,
        prop_def: Option<&TermDef>,
        scalar: &Value,
    ) -> Result<Option<Value>, JsonLdError> {
        // Step 4.1.
        if active_property.is_none() || active_property == Some("@graph") {
            self.safe_err(format!("free-floating scalar {scalar}"))?;
            return Ok(None);
        }
        // Step 4.2.
        let ctx = match prop_def {
            Some(d) => self.process_scoped(active, d, CtxOpts::default())?,
            None => active.clone(),
        };
        // Step 4.3.
        self.expand_value(&ctx, active_property, scalar).map(Some)
    }

    /// Step 5: each item expanded; arrays are flattened, except under a list container.
    fn expand_array(
        &mut self,
        active: &Arc<Context>,
        prop_def: Option<&TermDef>,
        items: &[Value],
        at: At<'_>,
    ) -> Result<Value, JsonLdError> {
        let is_list = prop_def.is_some_and(|d| d.container & container::LIST != 0);
        let mut result = Vec::new();
        for item in items {
            // Step 5.2.1.
            let e = self.expand_element(
                active,
                at.active_property,
                item,
                at.base_url,
                at.from_map,
                at.depth + 1,
            )?;
            // Steps 5.2.2-5.2.3.
            match e {
                Some(Value::Array(a)) if is_list => {
                    let mut m = Map::new();
                    m.insert("@list".into(), Value::Array(a));
                    result.push(Value::Object(m));
                }
                Some(Value::Array(a)) => result.extend(a),
                Some(v) => result.push(v),
                None => {}
            }
        }
        Ok(Value::Array(result))
    }

    /// Steps 6-20: a map, expanded under its contexts, then checked as a value, list or set
    /// object and dropped when free-floating.
    fn expand_map(
        &mut self,
        active: &Arc<Context>,
        prop_def: Option<&TermDef>,
        element: &Map<String, Value>,
        at: At<'_>,
    ) -> Result<Option<Value>, JsonLdError> {
        // The document's top-level map (depth 0) may leave a member out; the initial context
        // has no previous context, so step 7 does not look at its keys.
        let skip = if at.depth == 0 {
            self.skip_root.take()
        } else {
            None
        };
        // Steps 7-12.
        let active = self.revert_unpropagated(active, element, at.from_map);
        let active = self.map_context(&active, prop_def, element, at.base_url, skip)?;
        let type_scoped = active.clone();
        let (active, input_type) =
            self.type_scoped_contexts(active, &type_scoped, element, skip)?;
        // Steps 13-14.
        let mut result = Map::new();
        let scope = Scope {
            active: &active,
            type_scoped: &type_scoped,
            active_property: at.active_property,
            base_url: at.base_url,
            input_type: input_type.as_deref(),
            depth: at.depth,
            skip,
        };
        self.expand_object(scope, element, &mut result)?;
        // Steps 15-20.
        self.finish_map(&scope, result)
    }

    /// Step 7: a non-propagated (type-scoped) context does not apply to a new node object:
    /// revert to the previous context unless the map is a value object or a lone `@id`.
    fn revert_unpropagated(
        &self,
        active: &Arc<Context>,
        element: &Map<String, Value>,
        from_map: bool,
    ) -> Arc<Context> {
        let Some(prev) = &active.previous else {
            return active.clone();
        };
        if from_map {
            return active.clone();
        }
        let mut keep = false;
        let mut only_id = element.len() == 1;
        for k in element.keys() {
            match expand_iri_cow(active, k, false, true).as_deref() {
                Some("@value") => keep = true,
                Some("@id") => {}
                _ => only_id = false,
            }
        }
        if !keep && !only_id {
            prev.clone()
        } else {
            active.clone()
        }
    }

    /// Steps 8-9: the property-scoped context (overriding protection), then the map's own
    /// `@context`.
    fn map_context(
        &mut self,
        active: &Arc<Context>,
        prop_def: Option<&TermDef>,
        element: &Map<String, Value>,
        base_url: Option<&str>,
        skip: Option<&str>,
    ) -> Result<Arc<Context>, JsonLdError> {
        let mut active = active.clone();
        // Step 8.
        if let Some(d) = prop_def {
            let opts = CtxOpts {
                override_protected: true,
                propagate: true,
            };
            active = self.process_scoped(&active, d, opts)?;
        }
        // Step 9.
        if let (Some(lc), false) = (element.get("@context"), skip == Some("@context")) {
            active = self.process_context(&active, lc, base_url)?;
        }
        Ok(active)
    }

    /// Steps 11-12: the scoped contexts of the map's types (looked up in `type_scoped`, not
    /// propagated), and the input type: the expanded last value of the first `@type` entry.
    fn type_scoped_contexts(
        &mut self,
        mut active: Arc<Context>,
        type_scoped: &Arc<Context>,
        element: &Map<String, Value>,
        skip: Option<&str>,
    ) -> Result<(Arc<Context>, Option<String>), JsonLdError> {
        let mut input_type: Option<String> = None;
        let mut keys: Vec<&String> = element
            .keys()
            .filter(|k| Some(k.as_str()) != skip)
            .collect();
        keys.sort();
        for k in &keys {
            if expand_iri_cow(&active, k, false, true).as_deref() != Some("@type") {
                continue;
            }
            // Step 11.1.
            let mut terms: Vec<&str> = match element.get(k.as_str()) {
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                Some(Value::String(s)) => vec![s.as_str()],
                _ => Vec::new(),
            };
            // Step 11.2.
            terms.sort_unstable();
            for t in &terms {
                if let Some(def) = type_scoped.term(t).cloned() {
                    let opts = CtxOpts {
                        override_protected: false,
                        propagate: false,
                    };
                    active = self.process_scoped(&active, &def, opts)?;
                }
            }
            // Step 12.
            if input_type.is_none() {
                if let Some(last) = terms.last() {
                    input_type = expand_iri_ro(&active, last, false, true);
                }
            }
        }
        Ok((active, input_type))
    }

    /// Steps 15-20 on the expanded map `result`.
    fn finish_map(
        &mut self,
        scope: &Scope<'_>,
        mut result: Map<String, Value>,
    ) -> Result<Option<Value>, JsonLdError> {
        if result.contains_key("@value") {
            // Step 15.
            if !self.check_value_object(&result, scope.input_type)? {
                return Ok(None);
            }
        } else if let Some(t) = result.get_mut("@type") {
            // Step 16.
            if !t.is_array() {
                let old = t.take();
                *t = Value::Array(vec![old]);
            }
        } else if result.contains_key("@set") || result.contains_key("@list") {
            // Step 17.1.
            if result.len() > 2 || (result.len() == 2 && !result.contains_key("@index")) {
                return Err(JsonLdError::InvalidSetOrList);
            }
            // Step 17.2.
            if let Some(s) = result.remove("@set") {
                return Ok(Some(s));
            }
        }
        // Step 18.
        if result.len() == 1 && result.contains_key("@language") {
            self.safe_err("object with only @language".into())?;
            return Ok(None);
        }
        // Step 19.
        if scope.top_level() && !self.keep_top_level(&result)? {
            return Ok(None);
        }
        // Step 20.
        Ok(Some(Value::Object(result)))
    }

    /// Step 15: the checks on a value object. `Ok(false)` drops it (a null `@value`).
    fn check_value_object(
        &mut self,
        result: &Map<String, Value>,
        input_type: Option<&str>,
    ) -> Result<bool, JsonLdError> {
        let Some(v) = result.get("@value") else {
            return Ok(true);
        };
        // Step 15.1.
        for k in result.keys() {
            if !matches!(
                k.as_str(),
                "@direction" | "@index" | "@language" | "@type" | "@value"
            ) {
                return Err(JsonLdError::InvalidValueObject(format!("unexpected {k}")));
            }
        }
        if result.contains_key("@type")
            && (result.contains_key("@language") || result.contains_key("@direction"))
        {
            return Err(JsonLdError::InvalidValueObject(
                "@type with @language".into(),
            ));
        }
        if input_type == Some("@json")
            || result.get("@type").and_then(Value::as_str) == Some("@json")
        {
            // Step 15.2: a JSON literal: anything goes.
        } else if v.is_null() {
            // Step 15.3.
            self.safe_err("null @value value".into())?;
            return Ok(false);
        } else if !v.is_string() && result.contains_key("@language") {
            // Step 15.4.
            return Err(JsonLdError::InvalidValueObject(
                "@language on a non-string".into(),
            ));
        } else if let Some(t) = result.get("@type") {
            // Step 15.5.
            match t.as_str() {
                Some(t) if is_absolute(t) && !t.starts_with("_:") && well_formed_iri(t) => {}
                _ => {
                    self.safe_err(format!("relative @type reference {t}"))?;
                    return Err(JsonLdError::InvalidValueObject(format!(
                        "invalid typed value type {t}"
                    )));
                }
            }
        } else if v.is_object() || v.is_array() {
            return Err(JsonLdError::InvalidValueObject(
                "@value must be a scalar".into(),
            ));
        }
        Ok(true)
    }

    /// Step 19: at the top level, an empty map, a value or list object, or a lone `@id` is
    /// free-floating. `Ok(false)` drops it.
    fn keep_top_level(&self, result: &Map<String, Value>) -> Result<bool, JsonLdError> {
        if result.is_empty() {
            self.safe_err("empty object".into())?;
            return Ok(false);
        }
        if result.contains_key("@value") || result.contains_key("@list") {
            self.safe_err("free-floating value or list".into())?;
            return Ok(false);
        }
        if result.len() == 1 && result.contains_key("@id") {
            self.safe_err("object with only @id".into())?;
            return Ok(false);
        }
        Ok(true)
    }
}

/// Where an element is expanded: the algorithm's arguments besides the active context.
#[derive(Clone, Copy)]
struct At<'a> {
    active_property: Option<&'a str>,
    base_url: Option<&'a str>,
    from_map: bool,
    depth: usize,
}
