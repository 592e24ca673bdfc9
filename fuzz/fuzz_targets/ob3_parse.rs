//! Arbitrary bytes → `parse_json` → OB 3.0 / CLR 2.0 validation as every class, the typed OB 3.0
//! model for every class, and the OB 2.0 → 3.0 conversion: nothing may panic, whatever the typed
//! model reads it must write back unchanged, and a converted credential must validate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_model::ob3::{
    self, Achievement, ClrCredential, EndorsementCredential, OpenBadgeCredential, Profile,
};
use openbadges_model::{Class, Limits, parse_json};
use serde_json::Value;

fn contains_null(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.iter().any(contains_null),
        Value::Object(o) => o.values().any(contains_null),
        _ => false,
    }
}

type Read<T> = fn(&Value) -> Result<T, openbadges_model::Error>;
type Write<T> = fn(&T) -> Result<Value, openbadges_model::Error>;

fn round_trip<T>(doc: &Value, read: Read<T>, write: Write<T>) {
    if let Ok(typed) = read(doc) {
        let back = write(&typed).expect("a typed value serializes");
        // Known properties written as JSON null read as absent (documented).
        if !contains_null(doc) {
            assert_eq!(&back, doc, "typed round trip changed the document");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse_json(data, &Limits::default()) else {
        return;
    };
    let _ = ob3::validate(&doc, None);
    for class in [
        Class::OpenBadgeCredential,
        Class::EndorsementCredential,
        Class::ClrCredential,
        Class::Achievement,
        Class::Profile,
        Class::VerifiableCredential,
        Class::VerifiablePresentation,
    ] {
        let _ = ob3::validate(&doc, Some(&class));
    }
    round_trip(&doc, OpenBadgeCredential::from_value, OpenBadgeCredential::to_value);
    round_trip(&doc, EndorsementCredential::from_value, EndorsementCredential::to_value);
    round_trip(&doc, ClrCredential::from_value, ClrCredential::to_value);
    round_trip(&doc, Achievement::from_value, Achievement::to_value);
    round_trip(&doc, Profile::from_value, Profile::to_value);
    // The input as an assertion with an embedded badge class and issuer.
    let conv = openbadges_model::convert::ob2_to_ob3(&doc, &Value::Null, &Value::Null);
    if let Some(cred) = &conv.credential {
        let v = ob3::to_value(cred).expect("serializes");
        assert!(
            ob3::validate(&v, None).iter().all(|p| !p.is_error()),
            "a converted credential must validate"
        );
    }
});
