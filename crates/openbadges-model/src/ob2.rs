//! Open Badges 2.0: types and validation. (Being written: see the model issue.)

use serde_json::Value;

use crate::{Class, Problem};

/// Validates an OB 2.0 document of the given class; returns every problem found.
pub fn validate(_doc: &Value, _class: Option<&Class>) -> Vec<Problem> {
    Vec::new()
}
