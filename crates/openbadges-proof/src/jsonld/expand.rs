//! JSON-LD 1.1 Expansion algorithm (§5.1) and Value Expansion (§5.3.2).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::context::{Context, CtxOpts, container, expand_iri_ro, is_keyword};
use super::iri::{is_absolute, well_formed_iri};
use super::{JsonLdError, Processor};

fn as_array(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        v => vec![v],
    }
}

fn is_value_obj(v: &Value) -> bool {
    v.get("@value").is_some()
}
fn is_list_obj(v: &Value) -> bool {
    v.get("@list").is_some()
}
fn is_graph_obj(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        m.contains_key("@graph")
            && m.keys()
                .all(|k| matches!(k.as_str(), "@graph" | "@id" | "@index" | "@context"))
    })
}

fn add_value(map: &mut Map<String, Value>, key: &str, v: Value) {
    let entry = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
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

impl Processor<'_> {
    fn safe_err(&self, msg: String) -> Result<(), JsonLdError> {
        if self.safe {
            Err(JsonLdError::SafeMode(msg))
        } else {
            Ok(())
        }
    }

    fn expand_iri_a(
        &mut self,
        ctx: &Arc<Context>,
        v: &str,
        doc_rel: bool,
        vocab: bool,
    ) -> Result<Option<String>, JsonLdError> {
        // IRI expansion without a local context never modifies the active context.
        let _ = self;
        Ok(expand_iri_ro(ctx, v, doc_rel, vocab))
    }

    /// Expansion algorithm.
    #[allow(clippy::too_many_lines)]
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
        if element.is_null() {
            return Ok(None);
        }
        let prop_def = active_property.and_then(|p| active.term(p)).cloned();
        let property_scoped = prop_def.as_ref().and_then(|d| d.context.clone());
        match element {
            Value::Array(items) => {
                let mut result = Vec::new();
                for item in items {
                    let e = self.expand_element(
                        active,
                        active_property,
                        item,
                        base_url,
                        from_map,
                        depth + 1,
                    )?;
                    let e = match e {
                        Some(Value::Array(a))
                            if prop_def
                                .as_ref()
                                .is_some_and(|d| d.container & container::LIST != 0) =>
                        {
                            let mut m = Map::new();
                            m.insert("@list".into(), Value::Array(a));
                            Some(Value::Object(m))
                        }
                        e => e,
                    };
                    match e {
                        Some(Value::Array(a)) => result.extend(a),
                        Some(v) => result.push(v),
                        None => {}
                    }
                }
                return Ok(Some(Value::Array(result)));
            }
            Value::Object(_) => {}
            scalar => {
                if active_property.is_none() || active_property == Some("@graph") {
                    self.safe_err(format!("free-floating scalar {scalar}"))?;
                    return Ok(None);
                }
                let ctx = match &property_scoped {
                    Some(psc) => {
                        let b = prop_def.as_ref().and_then(|d| d.base_url.clone());
                        self.process_scoped(active, psc, b.as_deref(), CtxOpts::default())?
                    }
                    None => active.clone(),
                };
                return self.expand_value(&ctx, active_property, scalar).map(Some);
            }
        }
        let Value::Object(element) = element else {
            return Ok(None);
        };
        let mut active = active.clone();
        // Step 7: revert a non-propagated context.
        if let Some(prev) = active.previous.clone() {
            if !from_map {
                let mut keep = false;
                let mut only_id = element.len() == 1;
                for k in element.keys() {
                    let e = self.expand_iri_a(&active, k, false, true)?;
                    match e.as_deref() {
                        Some("@value") => keep = true,
                        Some("@id") => {}
                        _ => only_id = false,
                    }
                }
                if !keep && !only_id {
                    active = prev;
                }
            }
        }
        if let Some(psc) = &property_scoped {
            let b = prop_def.as_ref().and_then(|d| d.base_url.clone());
            active = self.process_scoped(
                &active,
                psc,
                b.as_deref(),
                CtxOpts {
                    override_protected: true,
                    propagate: true,
                },
            )?;
        }
        if let Some(lc) = element.get("@context") {
            active =
                self.process_context(&active, lc, base_url, &mut Vec::new(), CtxOpts::default())?;
        }
        let type_scoped = active.clone();
        let mut input_type: Option<String> = None;
        let mut keys: Vec<&String> = element.keys().collect();
        keys.sort();
        for k in &keys {
            if self.expand_iri_a(&active, k, false, true)?.as_deref() != Some("@type") {
                continue;
            }
            let mut terms: Vec<&str> = match element.get(k.as_str()) {
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                Some(Value::String(s)) => vec![s.as_str()],
                _ => Vec::new(),
            };
            terms.sort_unstable();
            for t in &terms {
                if let Some(def) = type_scoped.term(t).cloned() {
                    if let Some(c) = &def.context {
                        active = self.process_scoped(
                            &active,
                            c,
                            def.base_url.as_deref(),
                            CtxOpts {
                                override_protected: false,
                                propagate: false,
                            },
                        )?;
                    }
                }
            }
            if input_type.is_none() {
                if let Some(last) = terms.last() {
                    input_type = self.expand_iri_a(&active, last, false, true)?;
                }
            }
        }
        let mut result = Map::new();
        self.expand_object(
            &active,
            &type_scoped,
            active_property,
            element,
            &mut result,
            base_url,
            input_type.as_deref(),
            depth,
        )?;
        // Step 15+
        if let Some(v) = result.get("@value") {
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
            if input_type.as_deref() == Some("@json")
                || result.get("@type").and_then(Value::as_str) == Some("@json")
            {
                // JSON literal: anything goes.
            } else if v.is_null() {
                self.safe_err("null @value value".into())?;
                return Ok(None);
            } else if !v.is_string() && result.contains_key("@language") {
                return Err(JsonLdError::InvalidValueObject(
                    "@language on a non-string".into(),
                ));
            } else if let Some(t) = result.get("@type") {
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
        } else if let Some(t) = result.get_mut("@type") {
            if !t.is_array() {
                let old = t.take();
                *t = Value::Array(vec![old]);
            }
        } else if result.contains_key("@set") || result.contains_key("@list") {
            if result.len() > 2 || (result.len() == 2 && !result.contains_key("@index")) {
                return Err(JsonLdError::InvalidSetOrList);
            }
            if let Some(s) = result.remove("@set") {
                return Ok(Some(s));
            }
        }
        if result.len() == 1 && result.contains_key("@language") {
            self.safe_err("object with only @language".into())?;
            return Ok(None);
        }
        if active_property.is_none() || active_property == Some("@graph") {
            if result.is_empty() {
                self.safe_err("empty object".into())?;
                return Ok(None);
            }
            if result.contains_key("@value") || result.contains_key("@list") {
                self.safe_err("free-floating value or list".into())?;
                return Ok(None);
            }
            if result.len() == 1 && result.contains_key("@id") {
                self.safe_err("object with only @id".into())?;
                return Ok(None);
            }
        }
        Ok(Some(Value::Object(result)))
    }

    #[allow(clippy::too_many_arguments, clippy::too_many_lines)]
    fn expand_object(
        &mut self,
        active: &Arc<Context>,
        type_scoped: &Arc<Context>,
        active_property: Option<&str>,
        element: &Map<String, Value>,
        result: &mut Map<String, Value>,
        base_url: Option<&str>,
        input_type: Option<&str>,
        depth: usize,
    ) -> Result<(), JsonLdError> {
        let mut nests: Vec<String> = Vec::new();
        let mut keys: Vec<&String> = element.keys().collect();
        keys.sort();
        for key in keys {
            let Some(value) = element.get(key.as_str()) else {
                continue;
            };
            if key == "@context" {
                continue;
            }
            let expanded_property = self.expand_iri_a(active, key, false, true)?;
            let ep = match expanded_property {
                Some(e) if e.contains(':') || is_keyword(&e) => e,
                _ => {
                    self.safe_err(format!("invalid property {key:?} (term not defined)"))?;
                    continue;
                }
            };
            if is_keyword(&ep) {
                if active_property == Some("@reverse") {
                    return Err(JsonLdError::InvalidReverse);
                }
                if result.contains_key(&ep) && !matches!(ep.as_str(), "@included" | "@type") {
                    return Err(JsonLdError::CollidingKeywords(ep));
                }
                let expanded_value: Option<Value> = match ep.as_str() {
                    "@id" => {
                        let s = value
                            .as_str()
                            .ok_or_else(|| JsonLdError::InvalidIdValue(value.to_string()))?;
                        let e = self.expand_iri_a(active, s, true, false)?;
                        match &e {
                            None => self.safe_err(format!("null @id value for {s:?}"))?,
                            Some(e) if !is_absolute(e) => {
                                self.safe_err(format!("relative @id reference {e:?}"))?;
                            }
                            Some(_) => {}
                        }
                        Some(e.map_or(Value::Null, Value::String))
                    }
                    "@type" => {
                        let items: Vec<&Value> = match value {
                            Value::Array(a) => a.iter().collect(),
                            v => vec![v],
                        };
                        let mut out = Vec::new();
                        for it in items {
                            let s = it
                                .as_str()
                                .ok_or_else(|| JsonLdError::InvalidTypeValue(it.to_string()))?;
                            let e = self.expand_iri_a(type_scoped, s, true, true)?;
                            match e {
                                Some(e) if is_absolute(&e) => out.push(Value::String(e)),
                                Some(e) => {
                                    self.safe_err(format!("relative @type reference {e:?}"))?;
                                    out.push(Value::String(e));
                                }
                                None => self.safe_err(format!("invalid @type value {s:?}"))?,
                            }
                        }
                        if let Some(prev) = result.get_mut("@type") {
                            let mut all = as_array(prev.take());
                            all.extend(out);
                            *prev = Value::Array(all);
                            continue;
                        }
                        Some(if value.is_array() || out.len() != 1 {
                            Value::Array(out)
                        } else {
                            out.pop().unwrap_or(Value::Null)
                        })
                    }
                    "@graph" => self
                        .expand_element(active, Some("@graph"), value, base_url, false, depth + 1)?
                        .map(|v| Value::Array(as_array(v))),
                    "@included" => {
                        let raw: &[Value] = match value {
                            Value::Array(a) => a,
                            v => std::slice::from_ref(v),
                        };
                        if raw.iter().any(|i| {
                            !i.is_object() || i.get("@value").is_some() || i.get("@list").is_some()
                        }) {
                            return Err(JsonLdError::InvalidIncluded);
                        }
                        let v = self
                            .expand_element(active, None, value, base_url, false, depth + 1)?
                            .map(as_array)
                            .unwrap_or_default();
                        if v.iter()
                            .any(|n| is_value_obj(n) || is_list_obj(n) || !n.is_object())
                        {
                            return Err(JsonLdError::InvalidIncluded);
                        }
                        if let Some(Value::Array(prev)) = result.get_mut("@included") {
                            prev.extend(v);
                            continue;
                        }
                        Some(Value::Array(v))
                    }
                    "@value" => {
                        if input_type == Some("@json") {
                            Some(value.clone())
                        } else if value.is_object() || value.is_array() {
                            return Err(JsonLdError::InvalidValueObject(
                                "@value must be a scalar".into(),
                            ));
                        } else {
                            result.insert("@value".into(), value.clone());
                            continue;
                        }
                    }
                    "@language" => {
                        let s = value.as_str().ok_or_else(|| {
                            JsonLdError::InvalidValueObject("invalid language-tagged string".into())
                        })?;
                        if !valid_language(s) {
                            self.safe_err(format!("invalid @language value {s:?}"))?;
                        }
                        Some(Value::String(s.to_ascii_lowercase()))
                    }
                    "@direction" => match value.as_str() {
                        Some("ltr" | "rtl") => Some(value.clone()),
                        _ => {
                            return Err(JsonLdError::InvalidValueObject(
                                "invalid @direction".into(),
                            ));
                        }
                    },
                    "@index" => {
                        if !value.is_string() {
                            return Err(JsonLdError::InvalidValueObject(
                                "invalid @index value".into(),
                            ));
                        }
                        Some(value.clone())
                    }
                    "@list" => {
                        if active_property.is_none() || active_property == Some("@graph") {
                            self.safe_err("free-floating list".into())?;
                            continue;
                        }
                        let v = self.expand_element(
                            active,
                            active_property,
                            value,
                            base_url,
                            false,
                            depth + 1,
                        )?;
                        Some(Value::Array(v.map(as_array).unwrap_or_default()))
                    }
                    "@set" => self.expand_element(
                        active,
                        active_property,
                        value,
                        base_url,
                        false,
                        depth + 1,
                    )?,
                    "@reverse" => {
                        if !value.is_object() {
                            return Err(JsonLdError::InvalidReverse);
                        }
                        let ev = self.expand_element(
                            active,
                            Some("@reverse"),
                            value,
                            base_url,
                            false,
                            depth + 1,
                        )?;
                        if let Some(Value::Object(mut ev)) = ev {
                            if let Some(Value::Object(rev)) = ev.remove("@reverse") {
                                for (p, items) in rev {
                                    add_value(result, &p, items);
                                }
                            }
                            if !ev.is_empty() {
                                let Value::Object(rm) = result
                                    .entry("@reverse")
                                    .or_insert_with(|| Value::Object(Map::new()))
                                else {
                                    return Err(JsonLdError::InvalidReverse);
                                };
                                for (p, items) in ev {
                                    let items = as_array(items);
                                    if items.iter().any(|i| is_value_obj(i) || is_list_obj(i)) {
                                        return Err(JsonLdError::InvalidReverse);
                                    }
                                    add_value(rm, &p, Value::Array(items));
                                }
                            }
                        }
                        continue;
                    }
                    "@nest" => {
                        nests.push(key.clone());
                        continue;
                    }
                    _ => {
                        self.safe_err(format!("unsupported keyword {ep}"))?;
                        continue;
                    }
                };
                if let Some(v) = expanded_value {
                    result.insert(ep, v);
                }
                continue;
            }
            let def = active.term(key).cloned();
            let cm = def.as_ref().map_or(0, |d| d.container);
            let expanded_value: Option<Value> = if def
                .as_ref()
                .and_then(|d| d.type_mapping.as_deref())
                == Some("@json")
            {
                let mut m = Map::new();
                m.insert("@value".into(), value.clone());
                m.insert("@type".into(), Value::String("@json".into()));
                Some(Value::Object(m))
            } else if cm & container::LANGUAGE != 0 && value.is_object() {
                let Value::Object(lm) = value else { continue };
                let mut out = Vec::new();
                let dir = def
                    .as_ref()
                    .and_then(|d| d.direction.clone())
                    .unwrap_or_else(|| active.default_direction.clone());
                let mut langs: Vec<&String> = lm.keys().collect();
                langs.sort();
                for lang in langs {
                    let Some(lv) = lm.get(lang.as_str()) else {
                        continue;
                    };
                    let items: Vec<&Value> = match lv {
                        Value::Array(a) => a.iter().collect(),
                        v => vec![v],
                    };
                    for it in items {
                        match it {
                            Value::Null => {}
                            Value::String(s) => {
                                let mut m = Map::new();
                                m.insert("@value".into(), Value::String(s.clone()));
                                let el = self.expand_iri_a(active, lang, false, true)?;
                                if lang != "@none" && el.as_deref() != Some("@none") {
                                    if !valid_language(lang) {
                                        self.safe_err(format!("invalid @language value {lang:?}"))?;
                                    }
                                    m.insert(
                                        "@language".into(),
                                        Value::String(lang.to_ascii_lowercase()),
                                    );
                                }
                                if let Some(d) = &dir {
                                    m.insert("@direction".into(), Value::String(d.clone()));
                                }
                                out.push(Value::Object(m));
                            }
                            _ => return Err(JsonLdError::InvalidLanguageMapValue),
                        }
                    }
                }
                Some(Value::Array(out))
            } else if cm & (container::INDEX | container::TYPE | container::ID) != 0
                && value.is_object()
            {
                let Value::Object(im) = value else { continue };
                let index_key = def
                    .as_ref()
                    .and_then(|d| d.index.clone())
                    .unwrap_or_else(|| "@index".into());
                let mut out = Vec::new();
                let mut idxs: Vec<&String> = im.keys().collect();
                idxs.sort();
                for index in idxs {
                    let Some(iv) = im.get(index.as_str()) else {
                        continue;
                    };
                    let mut map_ctx = active.clone();
                    if cm & (container::ID | container::TYPE) != 0 {
                        if let Some(p) = &active.previous {
                            map_ctx = p.clone();
                        }
                    }
                    if cm & container::TYPE != 0 {
                        if let Some(idef) = map_ctx.term(index).cloned() {
                            if let Some(c) = &idef.context {
                                map_ctx = self.process_scoped(
                                    &map_ctx,
                                    c,
                                    idef.base_url.as_deref(),
                                    CtxOpts::default(),
                                )?;
                            }
                        }
                    } else if cm & (container::ID | container::TYPE) == 0 {
                        map_ctx = active.clone();
                    }
                    let expanded_index = self.expand_iri_a(active, index, false, true)?;
                    let items = Value::Array(as_array(iv.clone()));
                    let items = self
                        .expand_element(&map_ctx, Some(key), &items, base_url, true, depth + 1)?
                        .map(as_array)
                        .unwrap_or_default();
                    for mut item in items {
                        if cm & container::GRAPH != 0 && !is_graph_obj(&item) {
                            let mut m = Map::new();
                            m.insert("@graph".into(), Value::Array(vec![item]));
                            item = Value::Object(m);
                        }
                        let none = expanded_index.as_deref() == Some("@none");
                        if cm & container::INDEX != 0 && index_key != "@index" && !none {
                            let re = self.expand_value(
                                active,
                                Some(&index_key),
                                &Value::String(index.clone()),
                            )?;
                            let eik = self
                                .expand_iri_a(active, &index_key, false, true)?
                                .unwrap_or_default();
                            if let Value::Object(m) = &mut item {
                                if m.contains_key("@value") {
                                    return Err(JsonLdError::InvalidValueObject(
                                        "property-valued index on a value object".into(),
                                    ));
                                }
                                let mut vals = vec![re];
                                if let Some(old) = m.remove(&eik) {
                                    vals.extend(as_array(old));
                                }
                                m.insert(eik, Value::Array(vals));
                            }
                        } else if cm & container::INDEX != 0 && !none {
                            if let Value::Object(m) = &mut item {
                                m.entry("@index")
                                    .or_insert_with(|| Value::String(index.clone()));
                            }
                        } else if cm & container::ID != 0 && !none {
                            if let Value::Object(m) = &mut item {
                                if !m.contains_key("@id") {
                                    let e = self.expand_iri_a(active, index, true, false)?;
                                    if let Some(e) = &e {
                                        if !is_absolute(e) {
                                            self.safe_err(format!("relative @id reference {e:?}"))?;
                                        }
                                    }
                                    m.insert("@id".into(), e.map_or(Value::Null, Value::String));
                                }
                            }
                        } else if cm & container::TYPE != 0 && !none {
                            if let Value::Object(m) = &mut item {
                                let mut types =
                                    vec![Value::String(expanded_index.clone().unwrap_or_default())];
                                if let Some(old) = m.remove("@type") {
                                    types.extend(as_array(old));
                                }
                                m.insert("@type".into(), Value::Array(types));
                            }
                        }
                        out.push(item);
                    }
                }
                Some(Value::Array(out))
            } else {
                self.expand_element(active, Some(key), value, base_url, false, depth + 1)?
            };
            let Some(mut ev) = expanded_value else {
                continue;
            };
            if cm & container::LIST != 0 && !is_list_obj(&ev) {
                let mut m = Map::new();
                m.insert("@list".into(), Value::Array(as_array(ev)));
                ev = Value::Object(m);
            }
            if cm & container::GRAPH != 0 && cm & (container::ID | container::INDEX) == 0 {
                ev = Value::Array(
                    as_array(ev)
                        .into_iter()
                        .map(|v| {
                            let mut m = Map::new();
                            m.insert("@graph".into(), Value::Array(as_array(v)));
                            Value::Object(m)
                        })
                        .collect(),
                );
            }
            if def.as_ref().is_some_and(|d| d.reverse) {
                let Value::Object(rm) = result
                    .entry("@reverse")
                    .or_insert_with(|| Value::Object(Map::new()))
                else {
                    return Err(JsonLdError::InvalidReverse);
                };
                let items = as_array(ev);
                if items.iter().any(|i| is_value_obj(i) || is_list_obj(i)) {
                    return Err(JsonLdError::InvalidReverse);
                }
                add_value(rm, &ep, Value::Array(items));
            } else {
                add_value(result, &ep, ev);
            }
        }
        nests.sort();
        for nk in nests {
            let Some(nv) = element.get(&nk) else { continue };
            for nested in as_array(nv.clone()) {
                let Value::Object(nm) = &nested else {
                    return Err(JsonLdError::InvalidNestValue);
                };
                for k in nm.keys() {
                    if self.expand_iri_a(active, k, false, true)?.as_deref() == Some("@value") {
                        return Err(JsonLdError::InvalidNestValue);
                    }
                }
                self.expand_object(
                    active,
                    type_scoped,
                    active_property,
                    nm,
                    result,
                    base_url,
                    input_type,
                    depth + 1,
                )?;
            }
        }
        Ok(())
    }

    /// Value Expansion.
    pub(crate) fn expand_value(
        &mut self,
        active: &Arc<Context>,
        active_property: Option<&str>,
        value: &Value,
    ) -> Result<Value, JsonLdError> {
        let def = active_property.and_then(|p| active.term(p)).cloned();
        let tm = def.as_ref().and_then(|d| d.type_mapping.clone());
        if let (Some(t), Value::String(s)) = (tm.as_deref(), value) {
            if t == "@id" || t == "@vocab" {
                let e = self.expand_iri_a(active, s, true, t == "@vocab")?;
                if let Some(e) = &e {
                    if !is_absolute(e) {
                        self.safe_err(format!("relative @id reference {e:?}"))?;
                    }
                }
                let mut m = Map::new();
                m.insert("@id".into(), e.map_or(Value::Null, Value::String));
                return Ok(Value::Object(m));
            }
        }
        let mut m = Map::new();
        m.insert("@value".into(), value.clone());
        match tm.as_deref() {
            Some("@id" | "@vocab" | "@none") | None => {
                if value.is_string() {
                    let lang = def
                        .as_ref()
                        .and_then(|d| d.language.clone())
                        .unwrap_or_else(|| active.default_language.clone());
                    if let Some(l) = lang {
                        m.insert("@language".into(), Value::String(l));
                    }
                    let dir = def
                        .as_ref()
                        .and_then(|d| d.direction.clone())
                        .unwrap_or_else(|| active.default_direction.clone());
                    if let Some(d) = dir {
                        m.insert("@direction".into(), Value::String(d));
                    }
                }
            }
            Some(t) => {
                m.insert("@type".into(), Value::String(t.to_owned()));
            }
        }
        Ok(Value::Object(m))
    }
}

/// BCP47-ish well-formedness: alphanumeric subtags of 1-8 characters separated by `-`.
fn valid_language(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|t| !t.is_empty() && t.len() <= 8 && t.bytes().all(|b| b.is_ascii_alphanumeric()))
}
