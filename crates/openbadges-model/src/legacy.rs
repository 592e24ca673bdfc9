//! OB 0.5, 1.0 and 1.1: upgrade to 2.0. (Being written: see the model issue.)

use serde_json::Value;

use crate::{Class, Problem, Version};

/// Upgrades a legacy document to its OB 2.0 form, with the problems met on the way.
pub fn upgrade(doc: &Value, _version: Version, _class: Option<&Class>) -> (Value, Vec<Problem>) {
    (doc.clone(), Vec::new())
}
