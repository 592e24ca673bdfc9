//! Reading display fields (name, issuer, image, date, criteria) out of badge documents of any
//! version, tolerating every shape the specifications allow.

use serde_json::Value;

fn str_of(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn obj(v: Option<&Value>) -> Option<&serde_json::Map<String, Value>> {
    match v? {
        Value::Object(o) => Some(o),
        Value::Array(a) => a.first().and_then(Value::as_object),
        _ => None,
    }
}

/// The OB 3.0 achievement, or the OB ≤ 2.0 badge class, when embedded.
pub(crate) fn achievement(doc: &Value) -> Option<&serde_json::Map<String, Value>> {
    let subject = obj(doc.get("credentialSubject"));
    if let Some(s) = subject {
        return obj(s.get("achievement"));
    }
    obj(doc.get("badge"))
}

/// The badge's name: the achievement's or badge class's name, else the credential's.
pub(crate) fn name(doc: &Value) -> Option<&str> {
    achievement(doc)
        .and_then(|a| a.get("name"))
        .and_then(Value::as_str)
        .or_else(|| doc.get("name").and_then(Value::as_str))
}

/// The description.
pub(crate) fn description(doc: &Value) -> Option<&str> {
    achievement(doc)
        .and_then(|a| a.get("description"))
        .and_then(Value::as_str)
        .or_else(|| doc.get("description").and_then(Value::as_str))
}

/// The issuer's name, else its id.
pub(crate) fn issuer(doc: &Value) -> Option<&str> {
    let issuer = doc
        .get("issuer")
        .or_else(|| achievement(doc).and_then(|a| a.get("issuer")));
    match issuer? {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => o
            .get("name")
            .and_then(Value::as_str)
            .or_else(|| o.get("id").and_then(Value::as_str)),
        _ => None,
    }
}

/// The issuer's id (OB 3.0 `issuer` / `issuer.id`).
pub(crate) fn issuer_id(doc: &Value) -> Option<&str> {
    str_of(doc.get("issuer"))
}

/// The badge image URL (or data URL).
pub(crate) fn image(doc: &Value) -> Option<&str> {
    achievement(doc)
        .and_then(|a| str_of(a.get("image")))
        .or_else(|| str_of(doc.get("image")))
}

/// The issue date as written.
pub(crate) fn date(doc: &Value) -> Option<String> {
    for key in ["validFrom", "issuanceDate", "issuedOn", "issued_on"] {
        match doc.get(key) {
            Some(Value::String(s)) => return Some(s.clone()),
            Some(Value::Number(n)) => return Some(n.to_string()),
            _ => {}
        }
    }
    None
}

/// The criteria: narrative text, else the criteria URL.
pub(crate) fn criteria(doc: &Value) -> Option<&str> {
    match achievement(doc)?.get("criteria")? {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => o
            .get("narrative")
            .and_then(Value::as_str)
            .or_else(|| o.get("id").and_then(Value::as_str)),
        _ => None,
    }
}
