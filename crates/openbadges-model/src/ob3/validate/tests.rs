#![allow(clippy::unwrap_used, clippy::indexing_slicing)]
use serde_json::Value;

use super::context::{is_clr2_context, is_ob3_context};
use super::validate;
use super::vocab::{ACHIEVEMENT_TYPES, is_enum_or_ext};
use crate::{Class, ProblemCode};

#[test]
fn context_patterns() {
    assert!(is_ob3_context(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
    ));
    assert!(is_ob3_context(
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
    ));
    assert!(is_ob3_context(
        "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld"
    ));
    assert!(!is_ob3_context(
        "https://purl.imsglobal.org/spec/ob/v3p0/context-2.0.3.json"
    ));
    assert!(!is_ob3_context(
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
    ));
    assert!(is_clr2_context(
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    ));
}

#[test]
fn ext_enum() {
    assert!(is_enum_or_ext("Badge", ACHIEVEMENT_TYPES));
    assert!(is_enum_or_ext("ext:MyType", ACHIEVEMENT_TYPES));
    assert!(!is_enum_or_ext("ext:", ACHIEVEMENT_TYPES));
    assert!(!is_enum_or_ext("Bagde", ACHIEVEMENT_TYPES));
}

#[test]
fn non_object_document() {
    let p = validate(&Value::Null, Some(&Class::OpenBadgeCredential));
    assert_eq!(p[0].code, ProblemCode::WrongType);
}
