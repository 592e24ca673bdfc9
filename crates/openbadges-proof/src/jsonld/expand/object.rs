//! Expansion steps 13-14: a map's entries, one at a time, then its nested entries (`@nest`).

use serde_json::{Map, Value};

use super::super::context::container;
use super::super::iri::is_keyword;
use super::super::iri_expansion::{expand_iri_cow, expand_iri_ro};
use super::super::{JsonLdError, Processor};
use super::{Scope, add_value, as_array, is_list_obj, is_value_obj};

impl Processor<'_> {
    /// Steps 13-14: expands the entries of `element` into `result`.
    pub(super) fn expand_object(
        &mut self,
        scope: Scope<'_>,
        element: &Map<String, Value>,
        result: &mut Map<String, Value>,
    ) -> Result<(), JsonLdError> {
        let mut nests: Vec<String> = Vec::new();
        let mut keys: Vec<&String> = element
            .keys()
            .filter(|k| Some(k.as_str()) != scope.skip)
            .collect();
        keys.sort();
        for key in keys {
            let Some(value) = element.get(key.as_str()) else {
                continue;
            };
            // Step 13.1.
            if key == "@context" {
                continue;
            }
            // Steps 13.2-13.3: an entry that expands to no IRI is dropped (a safe-mode
            // error).
            let ep = match expand_iri_ro(scope.active, key, false, true) {
                Some(e) if e.contains(':') || is_keyword(&e) => e,
                _ => {
                    self.safe_err(format!("invalid property {key:?} (term not defined)"))?;
                    continue;
                }
            };
            if is_keyword(&ep) {
                // Step 13.4.
                self.expand_keyword(scope, key, ep, value, result, &mut nests)?;
            } else {
                // Steps 13.5-13.14.
                self.expand_property(scope, key, ep, value, result)?;
            }
        }
        // Step 14.
        self.expand_nests(scope, element, nests, result)
    }

    /// Steps 13.5-13.14: the value of a property (a term or IRI that is no keyword).
    fn expand_property(
        &mut self,
        scope: Scope<'_>,
        key: &str,
        ep: String,
        value: &Value,
        result: &mut Map<String, Value>,
    ) -> Result<(), JsonLdError> {
        // Step 13.5.
        let def = scope.active.term(key).cloned();
        let def = def.as_deref();
        let cm = def.map_or(0, |d| d.container);
        let expanded = match value {
            // Step 13.6: a JSON literal.
            _ if def.and_then(|d| d.type_mapping.as_deref()) == Some("@json") => {
                let mut m = Map::new();
                m.insert("@value".into(), value.clone());
                m.insert("@type".into(), Value::String("@json".into()));
                Some(Value::Object(m))
            }
            // Step 13.7.
            Value::Object(lm) if cm & container::LANGUAGE != 0 => {
                Some(self.expand_language_map(scope, def, lm)?)
            }
            // Step 13.8.
            Value::Object(im) if cm & (container::INDEX | container::TYPE | container::ID) != 0 => {
                Some(self.expand_index_map(scope, key, def, im)?)
            }
            // Step 13.9.
            _ => self.expand_element(
                scope.active,
                Some(key),
                value,
                scope.base_url,
                false,
                scope.depth + 1,
            )?,
        };
        // Step 13.10.
        let Some(ev) = expanded else {
            return Ok(());
        };
        // Steps 13.11-13.12.
        let ev = wrap_in_container(ev, cm);
        if def.is_some_and(|d| d.reverse) {
            // Step 13.13.
            add_reverse(result, &ep, ev)
        } else {
            // Step 13.14.
            add_value(result, ep, ev);
            Ok(())
        }
    }

    /// Step 14: the entries of nested maps (`@nest`) are the map's own.
    fn expand_nests(
        &mut self,
        scope: Scope<'_>,
        element: &Map<String, Value>,
        mut nests: Vec<String>,
        result: &mut Map<String, Value>,
    ) -> Result<(), JsonLdError> {
        nests.sort();
        for nk in nests {
            let Some(nv) = element.get(&nk) else { continue };
            // Step 14.1.
            for nested in as_array(nv.clone()) {
                // Step 14.2.1: a map with no value entry.
                let Value::Object(nm) = &nested else {
                    return Err(JsonLdError::InvalidNestValue);
                };
                for k in nm.keys() {
                    if expand_iri_cow(scope.active, k, false, true).as_deref() == Some("@value") {
                        return Err(JsonLdError::InvalidNestValue);
                    }
                }
                // Step 14.2.2.
                let inner = Scope {
                    depth: scope.depth + 1,
                    skip: None,
                    ..scope
                };
                self.expand_object(inner, nm, result)?;
            }
        }
        Ok(())
    }
}

/// Steps 13.11-13.12: a list container makes a list object; a graph container (without
/// `@id` or `@index`) makes each value a graph object.
fn wrap_in_container(mut ev: Value, cm: u8) -> Value {
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
    ev
}

/// Step 13.13: a reverse property's values go to `result["@reverse"][ep]`; value and list
/// objects cannot be reversed.
pub(super) fn add_reverse(
    result: &mut Map<String, Value>,
    ep: &str,
    ev: Value,
) -> Result<(), JsonLdError> {
    // Steps 13.13.1-13.13.2.
    let Value::Object(rm) = result
        .entry("@reverse")
        .or_insert_with(|| Value::Object(Map::new()))
    else {
        return Err(JsonLdError::InvalidReverse);
    };
    // Steps 13.13.3-13.13.4.
    let items = as_array(ev);
    if items.iter().any(|i| is_value_obj(i) || is_list_obj(i)) {
        return Err(JsonLdError::InvalidReverse);
    }
    add_value(rm, ep.to_owned(), Value::Array(items));
    Ok(())
}
