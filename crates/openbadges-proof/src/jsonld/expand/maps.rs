//! Expansion steps 13.7-13.8: the values of language maps and of index, id and type maps.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::super::context::{Context, CtxOpts, TermDef, container};
use super::super::iri::is_absolute;
use super::super::iri_expansion::expand_iri_ro;
use super::super::{JsonLdError, Processor};
use super::{Scope, as_array, is_graph_obj, valid_language};

/// One entry of an index, id or type map (step 13.8.3).
struct MapEntry<'e> {
    /// The container mapping.
    cm: u8,
    /// The index key: the term's index mapping, or `@index`.
    index_key: &'e str,
    /// The entry's key.
    index: &'e str,
    /// The key IRI-expanded (step 13.8.3.4).
    expanded_index: Option<String>,
}

impl MapEntry<'_> {
    /// Whether the entry's key expands to `@none` (the items get no index, id or type).
    fn is_none(&self) -> bool {
        self.expanded_index.as_deref() == Some("@none")
    }
}

impl Processor<'_> {
    /// Step 13.7: a language map becomes language-tagged strings.
    pub(super) fn expand_language_map(
        &mut self,
        scope: Scope<'_>,
        def: Option<&TermDef>,
        lm: &Map<String, Value>,
    ) -> Result<Value, JsonLdError> {
        // Step 13.7.1.
        let mut out = Vec::new();
        // Step 13.7.2: the term's direction, or the default one.
        let dir = def
            .and_then(|d| d.direction.clone())
            .unwrap_or_else(|| scope.active.default_direction.clone());
        // Step 13.7.4: each language, in order.
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
                    // Step 13.7.4.2.1.
                    Value::Null => {}
                    Value::String(s) => {
                        let v = self.language_tagged(scope, lang, s, dir.as_deref())?;
                        out.push(v);
                    }
                    // Step 13.7.4.2.2.
                    _ => return Err(JsonLdError::InvalidLanguageMapValue),
                }
            }
        }
        Ok(Value::Array(out))
    }

    /// Steps 13.7.4.2.3-13.7.4.2.6: the string `s` tagged with `lang` (unless it expands to
    /// `@none`) and the direction.
    fn language_tagged(
        &mut self,
        scope: Scope<'_>,
        lang: &str,
        s: &str,
        dir: Option<&str>,
    ) -> Result<Value, JsonLdError> {
        let mut m = Map::new();
        m.insert("@value".into(), Value::String(s.to_owned()));
        let el = expand_iri_ro(scope.active, lang, false, true);
        if lang != "@none" && el.as_deref() != Some("@none") {
            if !valid_language(lang) {
                self.safe_err(format!("invalid @language value {lang:?}"))?;
            }
            m.insert("@language".into(), Value::String(lang.to_ascii_lowercase()));
        }
        if let Some(d) = dir {
            m.insert("@direction".into(), Value::String(d.to_owned()));
        }
        Ok(Value::Object(m))
    }

    /// Step 13.8: an index, id or type map becomes its items, each given its key as `@index`
    /// (or as the value of the index mapping), `@id` or `@type`.
    pub(super) fn expand_index_map(
        &mut self,
        scope: Scope<'_>,
        key: &str,
        def: Option<&TermDef>,
        im: &Map<String, Value>,
    ) -> Result<Value, JsonLdError> {
        let cm = def.map_or(0, |d| d.container);
        // Step 13.8.1.
        let mut out = Vec::new();
        // Step 13.8.2.
        let index_key = def
            .and_then(|d| d.index.clone())
            .unwrap_or_else(|| "@index".into());
        // Step 13.8.3: each entry, in order.
        let mut idxs: Vec<&String> = im.keys().collect();
        idxs.sort();
        for index in idxs {
            let Some(iv) = im.get(index.as_str()) else {
                continue;
            };
            // Steps 13.8.3.1-13.8.3.3.
            let map_ctx = self.index_map_context(scope.active, cm, index)?;
            // Step 13.8.3.4.
            let entry = MapEntry {
                cm,
                index_key: &index_key,
                index,
                expanded_index: expand_iri_ro(scope.active, index, false, true),
            };
            // Steps 13.8.3.5-13.8.3.6.
            let items = Value::Array(as_array(iv.clone()));
            let items = self
                .expand_element(
                    &map_ctx,
                    Some(key),
                    &items,
                    scope.base_url,
                    true,
                    scope.depth + 1,
                )?
                .map(as_array)
                .unwrap_or_default();
            // Step 13.8.3.7.
            for item in items {
                out.push(self.index_item(scope.active, &entry, item)?);
            }
        }
        Ok(Value::Array(out))
    }

    /// Steps 13.8.3.1-13.8.3.3: the context the entry's items are expanded under: for id and
    /// type maps the context before any type-scoped one, for a type map with the key's own
    /// scoped context applied.
    fn index_map_context(
        &mut self,
        active: &Arc<Context>,
        cm: u8,
        index: &str,
    ) -> Result<Arc<Context>, JsonLdError> {
        let mut map_ctx = active.clone();
        // Step 13.8.3.1.
        if cm & (container::ID | container::TYPE) != 0 {
            if let Some(p) = &active.previous {
                map_ctx = p.clone();
            }
        }
        if cm & container::TYPE != 0 {
            // Step 13.8.3.2.
            if let Some(idef) = map_ctx.term(index).cloned() {
                map_ctx = self.process_scoped(&map_ctx, &idef, CtxOpts::default())?;
            }
        } else if cm & (container::ID | container::TYPE) == 0 {
            // Step 13.8.3.3.
            map_ctx = active.clone();
        }
        Ok(map_ctx)
    }

    /// Steps 13.8.3.7.1-13.8.3.7.5: one expanded item of a map entry, given the entry's key.
    fn index_item(
        &mut self,
        active: &Arc<Context>,
        entry: &MapEntry<'_>,
        mut item: Value,
    ) -> Result<Value, JsonLdError> {
        let cm = entry.cm;
        // Step 13.8.3.7.1.
        if cm & container::GRAPH != 0 && !is_graph_obj(&item) {
            let mut m = Map::new();
            m.insert("@graph".into(), Value::Array(vec![item]));
            item = Value::Object(m);
        }
        if entry.is_none() {
            return Ok(item);
        }
        if cm & container::INDEX != 0 && entry.index_key != "@index" {
            // Step 13.8.3.7.2: a property-valued index.
            self.property_index(active, entry, &mut item)?;
        } else if cm & container::INDEX != 0 {
            // Step 13.8.3.7.3.
            if let Value::Object(m) = &mut item {
                m.entry("@index")
                    .or_insert_with(|| Value::String(entry.index.to_owned()));
            }
        } else if cm & container::ID != 0 {
            // Step 13.8.3.7.4.
            if let Value::Object(m) = &mut item {
                if !m.contains_key("@id") {
                    let e = expand_iri_ro(active, entry.index, true, false);
                    if let Some(e) = &e {
                        if !is_absolute(e) {
                            self.safe_err(format!("relative @id reference {e:?}"))?;
                        }
                    }
                    m.insert("@id".into(), e.map_or(Value::Null, Value::String));
                }
            }
        } else if cm & container::TYPE != 0 {
            // Step 13.8.3.7.5.
            if let Value::Object(m) = &mut item {
                let mut types = vec![Value::String(
                    entry.expanded_index.clone().unwrap_or_default(),
                )];
                if let Some(old) = m.remove("@type") {
                    types.extend(as_array(old));
                }
                m.insert("@type".into(), Value::Array(types));
            }
        }
        Ok(item)
    }

    /// Step 13.8.3.7.2: the key, value-expanded for the index mapping's property, is added
    /// before the item's own values of that property.
    fn property_index(
        &mut self,
        active: &Arc<Context>,
        entry: &MapEntry<'_>,
        item: &mut Value,
    ) -> Result<(), JsonLdError> {
        // Steps 13.8.3.7.2.1-13.8.3.7.2.2.
        let re = self.expand_value(
            active,
            Some(entry.index_key),
            &Value::String(entry.index.to_owned()),
        )?;
        let eik = expand_iri_ro(active, entry.index_key, false, true).unwrap_or_default();
        if let Value::Object(m) = item {
            // Step 13.8.3.7.2.5.
            if m.contains_key("@value") {
                return Err(JsonLdError::InvalidValueObject(
                    "property-valued index on a value object".into(),
                ));
            }
            // Steps 13.8.3.7.2.3-13.8.3.7.2.4.
            let mut vals = vec![re];
            if let Some(old) = m.remove(&eik) {
                vals.extend(as_array(old));
            }
            m.insert(eik, Value::Array(vals));
        }
        Ok(())
    }
}
