//! Arbitrary bytes → `parse_json` (with the default limits) → `inspect` (detection, legacy
//! upgrade, OB 2.0 / 3.0 validation), and the typed OB 2.0 model for every class: nothing may
//! panic, and whatever the typed model reads it must write back unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_model::ob2::{
    Assertion, BadgeClass, CryptographicKey, Document, Endorsement, Profile, RevocationList,
};
use openbadges_model::{Class, Limits, inspect, parse_json};

fn round_trip<T>(
    doc: &serde_json::Value,
    read: fn(&serde_json::Value) -> Result<T, openbadges_model::Error>,
    write: fn(&T) -> Result<serde_json::Value, openbadges_model::Error>,
) {
    if let Ok(typed) = read(doc) {
        let back = write(&typed).expect("a typed value serializes");
        // Known properties written as JSON null are dropped (JSON-LD ignores nulls); otherwise
        // the value must come back as it was read.
        if !contains_null(doc) {
            assert_eq!(&back, doc, "typed round trip changed the document");
        }
    }
}

fn contains_null(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Null => true,
        serde_json::Value::Array(a) => a.iter().any(contains_null),
        serde_json::Value::Object(o) => o.values().any(contains_null),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse_json(data, &Limits::default()) else {
        return;
    };
    let report = inspect(&doc);
    let _ = report.valid_structure();
    if let Some(up) = &report.upgraded {
        let _ = openbadges_model::ob2::validate(up, None);
    }
    round_trip(&doc, Assertion::from_value, Assertion::to_value);
    round_trip(&doc, BadgeClass::from_value, BadgeClass::to_value);
    round_trip(&doc, Profile::from_value, Profile::to_value);
    round_trip(
        &doc,
        CryptographicKey::from_value,
        CryptographicKey::to_value,
    );
    round_trip(&doc, RevocationList::from_value, RevocationList::to_value);
    round_trip(&doc, Endorsement::from_value, Endorsement::to_value);
    for class in [Class::Assertion, Class::BadgeClass, Class::Profile] {
        let _ = Document::from_value(&doc, Some(&class));
    }
});
