//! Controller documents (DID documents, `https` controller documents) as a loader hands them
//! over: arbitrary bytes → `parse_json` (default limits) → `did::verification_method_from_document`
//! for every method id the document names, `did::key_from_jwk` for every embedded JWK, and Data
//! Integrity verification of a fixed `did:web` credential
//! (fixtures/ob3/dcc-verifier-core/v2didWebWithValidStatus.json) with the bytes as its DID
//! document. Input that is not JSON is read as a verification method id
//! (`did::resolve_offline`, `did::did_web_document_url`). Nothing may panic; a method found has
//! the id asked for; the credential verifies only when the document lists its signing key for
//! `assertionMethod` with the issuer as controller.
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use openbadges_model::{Limits, parse_json};
use openbadges_proof::data_integrity::{self, Outcome, VerifyOptions};
use openbadges_proof::did;
use openbadges_proof::multibase::Multikey;
use serde_json::Value;

const CREDENTIAL: &str =
    include_str!("../../fixtures/ob3/dcc-verifier-core/v2didWebWithValidStatus.json");
const DID: &str = "did:web:digitalcredentials.github.io:dcc-did-web";
const DOC_URL: &str = "https://digitalcredentials.github.io/dcc-did-web/did.json";
const VM: &str = "did:web:digitalcredentials.github.io:dcc-did-web#z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q";
const KEY: &str = "z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q";

fn credential() -> &'static Value {
    static C: OnceLock<Value> = OnceLock::new();
    C.get_or_init(|| serde_json::from_str(CREDENTIAL).expect("the fixture is JSON"))
}

fn list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    }
}

fn method_ids(doc: &Value) -> Vec<String> {
    let base = doc.get("id").and_then(Value::as_str).unwrap_or_default();
    let mut ids = vec![VM.to_owned()];
    for key in ["verificationMethod", "assertionMethod", "authentication"] {
        for m in list(doc.get(key)) {
            let id = m.as_str().or_else(|| m.get("id").and_then(Value::as_str));
            if let Some(id) = id {
                ids.push(id.to_owned());
                ids.push(format!("{base}{id}"));
            }
            if let Some(jwk) = m.get("publicKeyJwk") {
                let _ = did::key_from_jwk(jwk);
            }
        }
    }
    ids
}

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = parse_json(data, &Limits::default()) else {
        if let Ok(s) = std::str::from_utf8(data) {
            let _ = did::resolve_offline(s);
            let _ = did::did_web_document_url(s);
        }
        return;
    };
    for id in method_ids(&doc) {
        let _ = did::resolve_offline(&id);
        if let Ok(m) = did::verification_method_from_document(&doc, &id) {
            assert_eq!(m.id, id, "the method found is the one asked for");
        }
    }
    // Canonicalizing the credential is the expensive part: only documents of its DID get there
    // (the verifier refuses any other document before looking at its methods).
    if doc.get("id").and_then(Value::as_str) != Some(DID) {
        return;
    }
    let docs: HashMap<String, Value> = HashMap::from([(DOC_URL.to_owned(), doc.clone())]);
    let opts = VerifyOptions {
        documents: Some(&docs),
        ..VerifyOptions::default()
    };
    let r = data_integrity::verify(credential(), &opts);
    if matches!(r.outcome, Outcome::Valid) {
        let m = did::verification_method_from_document(&doc, VM)
            .expect("a valid verdict found the method");
        assert_eq!(m.key, Multikey::decode(KEY).expect("the fixture key"));
        assert!(
            m.assertion_method,
            "valid with a key not listed for assertionMethod"
        );
        assert_eq!(
            m.controller, DID,
            "valid with a key the issuer does not control"
        );
    }
});
