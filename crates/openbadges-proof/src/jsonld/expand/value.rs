//! JSON-LD 1.1 Value Expansion algorithm (§5.3.2).

use std::sync::Arc;

use serde_json::{Map, Value};

use super::super::context::Context;
use super::super::iri::is_absolute;
use super::super::iri_expansion::expand_iri_ro;
use super::super::{JsonLdError, Processor};

impl Processor<'_> {
    /// Value Expansion (§5.3.2): the scalar `value` of `active_property` as a value object
    /// (or a node reference, for an `@id`/`@vocab` type mapping).
    pub(super) fn expand_value(
        &mut self,
        active: &Arc<Context>,
        active_property: Option<&str>,
        value: &Value,
    ) -> Result<Value, JsonLdError> {
        let def = active_property.and_then(|p| active.term(p)).cloned();
        let tm = def.as_ref().and_then(|d| d.type_mapping.clone());
        // Steps 1-2: a node reference.
        if let (Some(t), Value::String(s)) = (tm.as_deref(), value) {
            if t == "@id" || t == "@vocab" {
                let e = expand_iri_ro(active, s, true, t == "@vocab");
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
        // Step 3.
        let mut m = Map::new();
        m.insert("@value".into(), value.clone());
        match tm.as_deref() {
            // Steps 5-6: a string gets the language and direction.
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
            // Step 4: a typed value.
            Some(t) => {
                m.insert("@type".into(), Value::String(t.to_owned()));
            }
        }
        Ok(Value::Object(m))
    }
}
