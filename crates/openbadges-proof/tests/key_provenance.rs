//! Key provenance: a signing key counts as the issuer's (or the holder's) only when the
//! issuer's own publication binds it — the identifier itself for `did:key` / `did:jwk`, the
//! controller document (`https`, `did:web`) listing the method under `assertionMethod` (or
//! `authentication` for a presentation), the JWKS for a VC-JWT. Every test here is an attack on
//! that binding (a forger's key next to a real issuer's id) or the genuine case next to it.
//! See docs/verification.md, "Key provenance".
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::loader::StaticLoader;
use openbadges_proof::report::{Code, Report, Status};
use openbadges_proof::vc_jwt::{self, HeaderKey, KeyPolicy};
use openbadges_proof::verify::Verifier;
use serde_json::{Value, json};

mod common;
use common::{OB2_ISSUER_DOCS, assert_code, ob2_loader, served, sign_compact, signed_by_did_key};

const ISSUER: &str = "https://issuer.example/profile.json";
const VC2: &str = "https://www.w3.org/ns/credentials/v2";
const OB3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

fn genuine() -> Ed25519Signer {
    Ed25519Signer::from_seed(&[21u8; 32]).unwrap()
}
fn attacker() -> Ed25519Signer {
    Ed25519Signer::from_seed(&[66u8; 32]).unwrap()
}

fn fragment_vm(base: &str, s: &Ed25519Signer) -> String {
    format!("{base}#{}", s.multikey().encode())
}

fn unsigned(issuer: &str, n: u32) -> Value {
    json!({
        "@context": [VC2, OB3],
        "id": format!("urn:uuid:5a0c3e2a-6e1f-4b43-9d59-4a1c4f0c5b{n:02}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Issuer"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {"type": ["AchievementSubject"], "id": "did:example:learner",
            "achievement": {"id": "urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e77",
                "type": ["Achievement"], "name": "A", "description": "D",
                "criteria": {"narrative": "C"}}}
    })
}

fn signed(issuer: &str, signer: &Ed25519Signer, vm: &str) -> Value {
    sign(
        &unsigned(issuer, 1),
        signer,
        &ProofOptions::new(vm, "2024-01-01T00:00:00Z"),
    )
    .unwrap()
}

/// A controller document `id` listing `methods` (id, controller, key) and, under
/// `relationship`, the ids in `listed`.
fn controller_doc(
    id: &str,
    methods: &[(&str, &str, &Ed25519Signer)],
    relationship: &str,
    listed: &[&str],
) -> Value {
    let vms: Vec<Value> = methods
        .iter()
        .map(|(m, c, k)| {
            json!({"id": m, "type": "Multikey", "controller": c,
                              "publicKeyMultibase": k.multikey().encode()})
        })
        .collect();
    json!({"@context": ["https://www.w3.org/ns/cid/v1"], "id": id,
           "verificationMethod": vms, relationship: listed})
}

/// The issuer's genuine document: its own key under `assertionMethod`.
fn genuine_doc() -> Value {
    let vm = fragment_vm(ISSUER, &genuine());
    controller_doc(
        ISSUER,
        &[(&vm, ISSUER, &genuine())],
        "assertionMethod",
        &[&vm],
    )
}

fn loader(docs: &[(&str, &Value)]) -> StaticLoader {
    let mut l = StaticLoader::with_bundled_contexts();
    for (url, d) in docs {
        l.insert_json(url, d);
    }
    l
}

fn run_with(l: &StaticLoader, policy: KeyPolicy, input: &[u8]) -> Report {
    let clock = common::clock();
    Verifier::new(l)
        .with_clock(&clock)
        .with_key_policy(policy)
        .verify_bytes("input", input)
}

fn run(l: &StaticLoader, doc: &Value) -> Report {
    run_with(l, KeyPolicy::default(), &serde_json::to_vec(doc).unwrap())
}

fn forged() -> Value {
    let a = attacker();
    signed(ISSUER, &a, &fragment_vm(ISSUER, &a))
}

// --- Data Integrity, https controller with a #z6Mk fragment --------------------------------

#[test]
fn forged_fragment_key_on_https_issuer_is_never_valid_offline() {
    let r = run(&loader(&[]), &forged());
    assert_code(&r, Status::Indeterminate, Code::FetchFailed);
}

#[test]
fn forged_fragment_key_with_the_genuine_controller_document_is_invalid() {
    let doc = genuine_doc();
    let r = run(&loader(&[(ISSUER, &doc)]), &forged());
    assert_code(&r, Status::Invalid, Code::KeyNotListedByIssuer);
}

#[test]
fn correctly_published_fragment_key_verifies_with_its_document() {
    let g = genuine();
    let cred = signed(ISSUER, &g, &fragment_vm(ISSUER, &g));
    let doc = genuine_doc();
    let r = run(&loader(&[(ISSUER, &doc)]), &cred);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    // And without it: could not check, not valid.
    assert_code(
        &run(&loader(&[]), &cred),
        Status::Indeterminate,
        Code::FetchFailed,
    );
}

#[test]
fn fragment_key_listed_but_not_under_assertion_method_is_invalid() {
    let a = attacker();
    let vm = fragment_vm(ISSUER, &a);
    // Listed, but only for authentication (the issuer logs in with it; it does not issue).
    let doc = controller_doc(ISSUER, &[(&vm, ISSUER, &a)], "authentication", &[&vm]);
    let r = run(&loader(&[(ISSUER, &doc)]), &forged());
    assert_code(&r, Status::Invalid, Code::KeyNotListedByIssuer);
}

#[test]
fn fragment_naming_another_key_than_the_document_lists_for_that_id_is_invalid() {
    // The document lists the id `…#z6Mk<attacker>` but with the genuine key: the fragment
    // is not the key, and the signature (by the attacker) must not be checked against
    // anything but what the issuer publishes.
    let a = attacker();
    let vm = fragment_vm(ISSUER, &a);
    let doc = controller_doc(
        ISSUER,
        &[(&vm, ISSUER, &genuine())],
        "assertionMethod",
        &[&vm],
    );
    let r = run(&loader(&[(ISSUER, &doc)]), &forged());
    assert_code(&r, Status::Invalid, Code::KeyNotListedByIssuer);
}

#[test]
fn dangerous_trust_key_in_https_fragment_restores_the_validators_shortcut_by_name_only() {
    let dangerous = KeyPolicy {
        dangerous_trust_key_in_https_fragment: true,
        ..KeyPolicy::default()
    };
    let bytes = serde_json::to_vec(&forged()).unwrap();
    let r = run_with(&loader(&[]), dangerous, &bytes);
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    assert_ne!(
        run_with(&loader(&[]), KeyPolicy::default(), &bytes).status(),
        Status::Valid
    );
}

#[test]
fn case_and_percent_encoding_tricks_in_the_verification_method_are_never_valid() {
    let a = attacker();
    let doc = genuine_doc();
    for base in [
        "https://ISSUER.example/profile.json",
        "https://issuer.example/%70rofile.json",
        "https://issuer.example:443/profile.json",
        "https://issuer.example/./profile.json",
        "HTTPS://issuer.example/profile.json",
    ] {
        let cred = signed(ISSUER, &a, &fragment_vm(base, &a));
        // The genuine document preloaded under both URLs: a loader that normalises URLs
        // hands it over for the variant too.
        let l = loader(&[(ISSUER, &doc), (base, &doc)]);
        let r = run(&l, &cred);
        assert_eq!(r.status(), Status::Invalid, "{base}: {r:#?}");
        assert_ne!(
            run(&loader(&[]), &cred).status(),
            Status::Valid,
            "{base} offline"
        );
    }
}

// --- Data Integrity, https controller without fragment key ----------------------------------

#[test]
fn attacker_document_naming_the_issuer_as_controller_cannot_vouch_for_its_key() {
    // The verification method lives on the attacker's site, whose document says the key's
    // controller is the issuer.
    let a = attacker();
    let base = "https://attacker.example/keys";
    let vm = format!("{base}#k1");
    let cred = signed(ISSUER, &a, &vm);
    let doc = controller_doc(base, &[(&vm, ISSUER, &a)], "assertionMethod", &[&vm]);
    let r = run(&loader(&[(base, &doc)]), &cred);
    assert_code(&r, Status::Invalid, Code::KeyNotListedByIssuer);
}

#[test]
fn attacker_document_claiming_the_issuers_id_is_not_the_issuers_document() {
    // The document at the attacker's URL declares the issuer's id.
    let a = attacker();
    let base = "https://attacker.example/keys";
    let vm = format!("{base}#k1");
    let cred = signed(ISSUER, &a, &vm);
    let doc = controller_doc(ISSUER, &[(&vm, ISSUER, &a)], "assertionMethod", &[&vm]);
    let r = run(&loader(&[(base, &doc)]), &cred);
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert!(!r.has_error(Code::SignatureInvalid), "{r:#?}");
}

#[test]
fn https_method_without_fragment_key_verifies_when_listed() {
    let g = genuine();
    let vm = format!("{ISSUER}#key-1");
    let cred = signed(ISSUER, &g, &vm);
    let doc = controller_doc(ISSUER, &[(&vm, ISSUER, &g)], "assertionMethod", &[&vm]);
    assert_eq!(
        run(&loader(&[(ISSUER, &doc)]), &cred).status(),
        Status::Valid
    );
    assert_code(
        &run(&loader(&[]), &cred),
        Status::Indeterminate,
        Code::FetchFailed,
    );
}

// --- Data Integrity, did:web ----------------------------------------------------------------

const WEB_ISSUER: &str = "did:web:issuer.example";
const WEB_ISSUER_DOC: &str = "https://issuer.example/.well-known/did.json";

#[test]
fn did_web_document_of_another_did_cannot_list_a_key_for_the_issuer() {
    let a = attacker();
    let did = "did:web:attacker.example";
    let vm = format!("{did}#k1");
    let cred = signed(WEB_ISSUER, &a, &vm);
    let doc = controller_doc(did, &[(&vm, WEB_ISSUER, &a)], "assertionMethod", &[&vm]);
    let r = run(
        &loader(&[("https://attacker.example/.well-known/did.json", &doc)]),
        &cred,
    );
    assert_code(&r, Status::Invalid, Code::KeyNotListedByIssuer);
}

#[test]
fn did_web_key_only_under_authentication_cannot_issue() {
    let g = genuine();
    let vm = format!("{WEB_ISSUER}#k1");
    let cred = signed(WEB_ISSUER, &g, &vm);
    let doc = controller_doc(
        WEB_ISSUER,
        &[(&vm, WEB_ISSUER, &g)],
        "authentication",
        &[&vm],
    );
    let r = run(&loader(&[(WEB_ISSUER_DOC, &doc)]), &cred);
    assert_code(&r, Status::Invalid, Code::KeyNotListedByIssuer);
    let doc = controller_doc(
        WEB_ISSUER,
        &[(&vm, WEB_ISSUER, &g)],
        "assertionMethod",
        &[&vm],
    );
    assert_eq!(
        run(&loader(&[(WEB_ISSUER_DOC, &doc)]), &cred).status(),
        Status::Valid
    );
    assert_code(
        &run(&loader(&[]), &cred),
        Status::Indeterminate,
        Code::FetchFailed,
    );
}

// --- Data Integrity, did:key ----------------------------------------------------------------

#[test]
fn did_key_of_someone_else_is_not_the_issuers_key() {
    let a = attacker();
    let cred = signed(ISSUER, &a, &a.verification_method_did_key());
    assert_code(
        &run(&loader(&[]), &cred),
        Status::Invalid,
        Code::KeyNotOwnedByIssuer,
    );
    let g = genuine();
    let own = signed(&g.did_key(), &g, &g.verification_method_did_key());
    assert_eq!(run(&loader(&[]), &own).status(), Status::Valid);
}

// --- Presentations: the holder's key ---------------------------------------------------------

const HOLDER: &str = "https://holder.example/me";

fn presentation(signer: &Ed25519Signer, vm: &str) -> Value {
    let g = genuine();
    let cred = signed(&g.did_key(), &g, &g.verification_method_did_key());
    let vp = json!({"@context": [VC2], "type": ["VerifiablePresentation"], "holder": HOLDER,
                    "verifiableCredential": [cred]});
    let mut o = ProofOptions::new(vm, "2025-01-01T00:00:00Z");
    o.proof_purpose = "authentication".into();
    sign(&vp, signer, &o).unwrap()
}

#[test]
fn forged_fragment_key_on_https_holder_is_never_valid() {
    let a = attacker();
    let vp = presentation(&a, &fragment_vm(HOLDER, &a));
    assert_code(
        &run(&loader(&[]), &vp),
        Status::Indeterminate,
        Code::FetchFailed,
    );
    // The holder's genuine document lists another key.
    let g = genuine();
    let gvm = fragment_vm(HOLDER, &g);
    let doc = controller_doc(HOLDER, &[(&gvm, HOLDER, &g)], "authentication", &[&gvm]);
    let l = loader(&[(HOLDER, &doc)]);
    assert_code(
        &run(&l, &vp),
        Status::Invalid,
        Code::KeyNotControlledByHolder,
    );
    // The genuine holder key, listed under authentication: valid.
    assert_eq!(
        run(&l, &presentation(&g, &gvm)).status(),
        Status::Valid,
        "{:#?}",
        run(&l, &presentation(&g, &gvm))
    );
}

// --- CLR: an embedded credential ------------------------------------------------------------

#[test]
fn clr_embedding_a_forged_fragment_key_credential_is_not_valid() {
    let g = genuine();
    let clr_unsigned = json!({
        "@context": [VC2, "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", OB3],
        "id": "urn:uuid:9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": g.did_key(), "type": ["Profile"], "name": "Registrar"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Transcript",
        "credentialSubject": {"type": ["ClrSubject"], "id": "did:example:learner",
            "verifiableCredential": [forged()]}
    });
    let clr = signed_by_did_key(&clr_unsigned, &g, "2024-01-01T00:00:00Z");
    let doc = genuine_doc();
    let r = run(&loader(&[(ISSUER, &doc)]), &clr);
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
    assert!(
        r.credentials
            .iter()
            .any(|c| c.has_error(Code::KeyNotListedByIssuer)),
        "{r:#?}"
    );
    // Offline, the embedded credential could not be checked: never valid itself.
    let r = run(&loader(&[]), &clr);
    assert!(
        r.credentials
            .iter()
            .all(|c| c.status() == Status::Indeterminate),
        "{r:#?}"
    );
}

// --- VC-JWT ---------------------------------------------------------------------------------

fn jwt_credential(issuer: &str) -> Value {
    unsigned(issuer, 2)
}

#[test]
fn vc_jwt_header_jwk_with_https_iss_is_never_valid_unbound() {
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let t = vc_jwt::issue(&jwt_credential(ISSUER), &k, &HeaderKey::Jwk).unwrap();
    let r = run_with(&loader(&[]), KeyPolicy::default(), t.as_bytes());
    assert_code(&r, Status::Indeterminate, Code::KeyNotBound);
    // The issuer's JWKS lists another key.
    let other = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let jwks = json!({"keys": [other.public_key().to_jwk()]});
    let l = loader(&[("https://issuer.example/.well-known/jwks.json", &jwks)]);
    let r = run_with(&l, KeyPolicy::default(), t.as_bytes());
    assert_code(&r, Status::Invalid, Code::KeyNotListedByIssuer);
}

#[test]
fn vc_jwt_kid_naming_an_https_fragment_key_is_not_trusted() {
    let a = attacker();
    let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let kid = fragment_vm(ISSUER, &a);
    let t = vc_jwt::issue(&jwt_credential(ISSUER), &k, &HeaderKey::Kid(kid)).unwrap();
    let r = run_with(&loader(&[]), KeyPolicy::default(), t.as_bytes());
    assert_ne!(r.status(), Status::Valid, "{r:#?}");
    // Even with the dangerous Data Integrity option: it does not apply to VC-JWT.
    let dangerous = KeyPolicy {
        dangerous_trust_key_in_https_fragment: true,
        ..KeyPolicy::default()
    };
    assert_ne!(
        run_with(&loader(&[]), dangerous, t.as_bytes()).status(),
        Status::Valid
    );
}

fn did_web_jwk_doc(k: &SecretKey, relationship: &str) -> Value {
    let vm = format!("{WEB_ISSUER}#k1");
    json!({"id": WEB_ISSUER,
           "verificationMethod": [{"id": vm, "type": "JsonWebKey", "controller": WEB_ISSUER,
                                   "publicKeyJwk": k.public_key().to_jwk()}],
           relationship: [vm]})
}

#[test]
fn vc_jwt_did_web_kid_only_under_authentication_cannot_issue() {
    let k = SecretKey::generate(Algorithm::Es256).unwrap();
    let t = vc_jwt::issue(
        &jwt_credential(WEB_ISSUER),
        &k,
        &HeaderKey::Kid(format!("{WEB_ISSUER}#k1")),
    )
    .unwrap();
    let doc = did_web_jwk_doc(&k, "authentication");
    let r = run_with(
        &loader(&[(WEB_ISSUER_DOC, &doc)]),
        KeyPolicy::default(),
        t.as_bytes(),
    );
    assert_code(&r, Status::Invalid, Code::KeyNotListedByIssuer);
    let doc = did_web_jwk_doc(&k, "assertionMethod");
    let r = run_with(
        &loader(&[(WEB_ISSUER_DOC, &doc)]),
        KeyPolicy::default(),
        t.as_bytes(),
    );
    assert_eq!(r.status(), Status::Valid, "{r:#?}");
    let r = run_with(&loader(&[]), KeyPolicy::default(), t.as_bytes());
    assert_code(&r, Status::Indeterminate, Code::FetchFailed);
}

#[test]
fn vc_jwt_did_web_document_of_another_did_is_refused() {
    let k = SecretKey::generate(Algorithm::Es256).unwrap();
    let t = vc_jwt::issue(
        &jwt_credential(WEB_ISSUER),
        &k,
        &HeaderKey::Kid(format!("{WEB_ISSUER}#k1")),
    )
    .unwrap();
    // Served at the issuer's did.json URL, but it is another DID's document.
    let mut doc = did_web_jwk_doc(&k, "assertionMethod");
    doc["id"] = json!("did:web:attacker.example");
    let r = run_with(
        &loader(&[(WEB_ISSUER_DOC, &doc)]),
        KeyPolicy::default(),
        t.as_bytes(),
    );
    assert_eq!(r.status(), Status::Invalid, "{r:#?}");
}

// --- OB 2.0 signed badges: the JOSE header never supplies a key ------------------------------

#[test]
fn ob2_jws_header_jwk_and_kid_never_supply_the_key() {
    use base64::Engine as _;
    let jws = String::from_utf8(served("signed/valid.jws")).unwrap();
    let p = jws.trim().split('.').nth(1).unwrap();
    let payload: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap(),
    )
    .unwrap();
    let attacker = SecretKey::generate(Algorithm::EdDsa).unwrap();
    let header = json!({"alg": "EdDSA", "jwk": attacker.public_key().to_jwk(),
                        "kid": "https://attacker.example/key.json"});
    let l = ob2_loader(OB2_ISSUER_DOCS);
    // With `verification.creator` (the issuer's key.json), and without it (every key the issuer
    // lists): the forger's header key is never tried.
    let mut no_creator = payload.clone();
    no_creator["verification"]
        .as_object_mut()
        .unwrap()
        .remove("creator");
    for p in [payload, no_creator] {
        let t = sign_compact(&header, &p, &attacker);
        let r = run_with(&l, KeyPolicy::default(), t.as_bytes());
        assert_eq!(r.status(), Status::Invalid, "{r:#?}");
        assert_eq!(r.proof.as_deref(), Some("jws"), "{r:#?}");
        // The issuer's key is RSA: the EdDSA token matches none of the issuer's keys.
        assert!(
            r.has_error(Code::AlgorithmNotAllowed) || r.has_error(Code::SignatureInvalid),
            "{r:#?}"
        );
    }
    // Offline without the issuer's documents: could not check, never valid.
    let t = sign_compact(&header, &json!({}), &attacker);
    assert_ne!(
        run_with(&loader(&[]), KeyPolicy::default(), t.as_bytes()).status(),
        Status::Valid
    );
}
