//! Expansion step 13.4: entries whose key expands to a keyword (`@id`, `@type`, `@graph`,
//! `@included`, `@value`, `@language`, `@direction`, `@index`, `@list`, `@set`, `@reverse`,
//! `@nest`).

use serde_json::{Map, Value};

use super::super::iri::is_absolute;
use super::super::iri_expansion::expand_iri_ro;
use super::super::{JsonLdError, Processor};
use super::object::add_reverse;
use super::{Scope, add_value, as_array, is_list_obj, is_value_obj, valid_language};

impl Processor<'_> {
    /// Step 13.4: the keyword entry `key` (expanding to `ep`) of a map. `@nest` keys are
    /// collected in `nests` for step 14.
    pub(super) fn expand_keyword(
        &mut self,
        scope: Scope<'_>,
        key: &str,
        ep: String,
        value: &Value,
        result: &mut Map<String, Value>,
        nests: &mut Vec<String>,
    ) -> Result<(), JsonLdError> {
        // Step 13.4.1.
        if scope.active_property == Some("@reverse") {
            return Err(JsonLdError::InvalidReverse);
        }
        // Step 13.4.2.
        if result.contains_key(&ep) && !matches!(ep.as_str(), "@included" | "@type") {
            return Err(JsonLdError::CollidingKeywords(ep));
        }
        let expanded: Option<Value> = match ep.as_str() {
            // Step 13.4.3.
            "@id" => Some(self.keyword_id(scope, value)?),
            // Step 13.4.4.
            "@type" => self.keyword_type(scope, value, result)?,
            // Step 13.4.5.
            "@graph" => self
                .expand_element(
                    scope.active,
                    Some("@graph"),
                    value,
                    scope.base_url,
                    false,
                    scope.depth + 1,
                )?
                .map(|v| Value::Array(as_array(v))),
            // Step 13.4.6.
            "@included" => self.keyword_included(scope, value, result)?,
            // Step 13.4.7.
            "@value" => Some(keyword_value(scope, value)?),
            // Step 13.4.8.
            "@language" => Some(self.keyword_language(value)?),
            // Step 13.4.9.
            "@direction" => match value.as_str() {
                Some("ltr" | "rtl") => Some(value.clone()),
                _ => {
                    return Err(JsonLdError::InvalidValueObject("invalid @direction".into()));
                }
            },
            // Step 13.4.10.
            "@index" => {
                if !value.is_string() {
                    return Err(JsonLdError::InvalidValueObject(
                        "invalid @index value".into(),
                    ));
                }
                Some(value.clone())
            }
            // Step 13.4.11.
            "@list" => self.keyword_list(scope, value)?,
            // Step 13.4.12.
            "@set" => self.expand_element(
                scope.active,
                scope.active_property,
                value,
                scope.base_url,
                false,
                scope.depth + 1,
            )?,
            // Step 13.4.13.
            "@reverse" => {
                self.keyword_reverse(scope, value, result)?;
                None
            }
            // Step 13.4.14.
            "@nest" => {
                nests.push(key.to_owned());
                None
            }
            _ => {
                self.safe_err(format!("unsupported keyword {ep}"))?;
                None
            }
        };
        // Step 13.4.16.
        if let Some(v) = expanded {
            result.insert(ep, v);
        }
        Ok(())
    }

    /// Step 13.4.3: `@id`, a string expanded relative to the document (a relative or null
    /// result is a safe-mode error).
    fn keyword_id(&mut self, scope: Scope<'_>, value: &Value) -> Result<Value, JsonLdError> {
        let s = value
            .as_str()
            .ok_or_else(|| JsonLdError::InvalidIdValue(value.to_string()))?;
        let e = expand_iri_ro(scope.active, s, true, false);
        match &e {
            None => self.safe_err(format!("null @id value for {s:?}"))?,
            Some(e) if !is_absolute(e) => {
                self.safe_err(format!("relative @id reference {e:?}"))?;
            }
            Some(_) => {}
        }
        Ok(e.map_or(Value::Null, Value::String))
    }

    /// Step 13.4.4: `@type`, strings expanded under the type-scoped context; a second
    /// `@type` entry (a keyword alias) adds to the first, in place (`Ok(None)`).
    fn keyword_type(
        &mut self,
        scope: Scope<'_>,
        value: &Value,
        result: &mut Map<String, Value>,
    ) -> Result<Option<Value>, JsonLdError> {
        let items: Vec<&Value> = match value {
            Value::Array(a) => a.iter().collect(),
            v => vec![v],
        };
        let mut out = Vec::new();
        for it in items {
            let s = it
                .as_str()
                .ok_or_else(|| JsonLdError::InvalidTypeValue(it.to_string()))?;
            match expand_iri_ro(scope.type_scoped, s, true, true) {
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
            return Ok(None);
        }
        Ok(Some(if value.is_array() || out.len() != 1 {
            Value::Array(out)
        } else {
            out.pop().unwrap_or(Value::Null)
        }))
    }

    /// Step 13.4.6: `@included`, node objects only; a second entry adds to the first, in
    /// place (`Ok(None)`).
    fn keyword_included(
        &mut self,
        scope: Scope<'_>,
        value: &Value,
        result: &mut Map<String, Value>,
    ) -> Result<Option<Value>, JsonLdError> {
        let raw: &[Value] = match value {
            Value::Array(a) => a,
            v => std::slice::from_ref(v),
        };
        if raw
            .iter()
            .any(|i| !i.is_object() || i.get("@value").is_some() || i.get("@list").is_some())
        {
            return Err(JsonLdError::InvalidIncluded);
        }
        let v = self
            .expand_element(
                scope.active,
                None,
                value,
                scope.base_url,
                false,
                scope.depth + 1,
            )?
            .map(as_array)
            .unwrap_or_default();
        if v.iter()
            .any(|n| is_value_obj(n) || is_list_obj(n) || !n.is_object())
        {
            return Err(JsonLdError::InvalidIncluded);
        }
        if let Some(Value::Array(prev)) = result.get_mut("@included") {
            prev.extend(v);
            return Ok(None);
        }
        Ok(Some(Value::Array(v)))
    }

    /// Step 13.4.8: `@language`, a string (lowercased; an ill-formed tag is a safe-mode
    /// error).
    fn keyword_language(&mut self, value: &Value) -> Result<Value, JsonLdError> {
        let s = value.as_str().ok_or_else(|| {
            JsonLdError::InvalidValueObject("invalid language-tagged string".into())
        })?;
        if !valid_language(s) {
            self.safe_err(format!("invalid @language value {s:?}"))?;
        }
        Ok(Value::String(s.to_ascii_lowercase()))
    }

    /// Step 13.4.11: `@list`, dropped at the top level (a safe-mode error).
    fn keyword_list(
        &mut self,
        scope: Scope<'_>,
        value: &Value,
    ) -> Result<Option<Value>, JsonLdError> {
        if scope.top_level() {
            self.safe_err("free-floating list".into())?;
            return Ok(None);
        }
        let v = self.expand_element(
            scope.active,
            scope.active_property,
            value,
            scope.base_url,
            false,
            scope.depth + 1,
        )?;
        Ok(Some(Value::Array(v.map(as_array).unwrap_or_default())))
    }

    /// Step 13.4.13: `@reverse`, a map whose properties are added to `result` reversed (and
    /// whose own `@reverse` entries are added as forward properties).
    fn keyword_reverse(
        &mut self,
        scope: Scope<'_>,
        value: &Value,
        result: &mut Map<String, Value>,
    ) -> Result<(), JsonLdError> {
        // Step 13.4.13.1.
        if !value.is_object() {
            return Err(JsonLdError::InvalidReverse);
        }
        // Step 13.4.13.2.
        let ev = self.expand_element(
            scope.active,
            Some("@reverse"),
            value,
            scope.base_url,
            false,
            scope.depth + 1,
        )?;
        let Some(Value::Object(mut ev)) = ev else {
            return Ok(());
        };
        // Step 13.4.13.3.
        if let Some(Value::Object(rev)) = ev.remove("@reverse") {
            for (p, items) in rev {
                add_value(result, p, items);
            }
        }
        // Step 13.4.13.4.
        for (p, items) in ev {
            add_reverse(result, &p, items)?;
        }
        Ok(())
    }
}

/// Step 13.4.7: `@value`, a scalar unless the input type is `@json`.
fn keyword_value(scope: Scope<'_>, value: &Value) -> Result<Value, JsonLdError> {
    if scope.input_type != Some("@json") && (value.is_object() || value.is_array()) {
        return Err(JsonLdError::InvalidValueObject(
            "@value must be a scalar".into(),
        ));
    }
    Ok(value.clone())
}
