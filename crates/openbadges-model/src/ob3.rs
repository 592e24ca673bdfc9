//! Open Badges 3.0 and CLR 2.0: types and validation. (Being written: see the model issue.)

use serde_json::Value;

use crate::{Class, Problem};

/// Validates an OB 3.0 / CLR 2.0 document; returns every problem found.
pub fn validate(_doc: &Value, _class: Option<&Class>) -> Vec<Problem> {
    Vec::new()
}
