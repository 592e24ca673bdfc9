//! A stable JSON form for content hashes: object keys sorted, no insignificant whitespace.
//!
//! Used wherever a digest of a JSON value must not depend on key order or formatting: the
//! backpack's content key for id-less legacy badges and the quiz engine's definition and attempt
//! hashes. This is not RFC 8785 (JCS): keys sort by UTF-8 code point rather than UTF-16 code
//! unit and numbers print as serde_json prints them; stored hashes depend on these bytes, so they
//! stay as they are. JSON-LD `@json` literals use JCS (`openbadges_proof::jsonld::jcs`).

use serde_json::Value;

/// Writes `v` with object keys sorted (by code point) and no insignificant whitespace; strings
/// and numbers are written as serde_json writes them.
///
/// Recursion follows the value's nesting, which parsing bounds (see [`crate::Limits`]).
///
/// ```
/// let v = serde_json::json!({"b": 1, "a": {"y": [1, 2], "x": "s"}});
/// assert_eq!(openbadges_model::sorted_keys_json(&v), r#"{"a":{"x":"s","y":[1,2]},"b":1}"#);
/// ```
pub fn sorted_keys_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(&String, &Value)> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (n, (k, x)) in entries.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(x, out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (n, x) in a.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}
