//! JSON-LD → RDF → RDFC-1.0 on the 1EdTech spec vectors: byte-for-byte canonical N-Quads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_proof::jsonld::{JsonLdOptions, to_rdf};
use openbadges_proof::rdfc::{CanonLimits, canonicalize};
use serde_json::Value;

fn fixture(p: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../../fixtures/ob3/spec-vectors/{p}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn canon(doc: &Value) -> String {
    let ds = to_rdf(doc, &JsonLdOptions::default()).unwrap();
    canonicalize(&ds, &CanonLimits::default()).unwrap().nquads
}

fn check(prefix: &str) {
    let signed: Value =
        serde_json::from_str(&fixture(&format!("{prefix}-signed-eddsa-rdfc-2022.json"))).unwrap();
    let unsigned: Value =
        serde_json::from_str(&fixture(&format!("{prefix}-unsigned.json"))).unwrap();
    let doc_canon = canon(&unsigned);
    assert_eq!(
        doc_canon,
        fixture(&format!("{prefix}-document-canon.nq")),
        "{prefix} document"
    );
    let mut proof = match &signed["proof"] {
        Value::Array(a) => a[0].clone(),
        p => p.clone(),
    };
    proof.as_object_mut().unwrap().remove("proofValue");
    proof["@context"] = signed["@context"].clone();
    assert_eq!(
        canon(&proof),
        fixture(&format!("{prefix}-proof-canon.nq")),
        "{prefix} proof"
    );
    // The signed document without its proof canonicalizes like the unsigned one.
    let mut stripped = signed.clone();
    stripped.as_object_mut().unwrap().remove("proof");
    assert_eq!(canon(&stripped), doc_canon);
}

#[test]
fn ob_vector_canonical_nquads_match_byte_for_byte() {
    check("obv3p0");
}

#[test]
fn clr_vector_canonical_nquads_match_byte_for_byte() {
    check("clrv2p0");
}
