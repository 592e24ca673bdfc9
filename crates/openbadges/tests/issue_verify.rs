//! Everything the `Issuer` produces verifies with the crate's own `Verifier`, offline, with the
//! hosted documents preloaded — and stops verifying for the wrong recipient, after tampering,
//! and after revocation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges::model::Identity;
use openbadges::proof::data_integrity::{self, VerifyOptions};
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::{Code, Report, Status};
use openbadges::proof::verify::{RecipientProfile, Source};
use openbadges::{
    Badge, Evidence, Form, HostedDocument, IssueOptions, Issued, Issuer, IssuerKeys, IssuerProfile,
    Verifier,
};
use serde_json::Value;

const BASE: &str = "https://badges.example.org/app/";

fn png() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/served/badge.png"
    ))
    .unwrap()
}

fn issuer(alg: Algorithm) -> Issuer {
    let profile =
        IssuerProfile::new("Example University", "badges@example.org").url("https://example.org/");
    Issuer::new(BASE, profile, IssuerKeys::generate(alg).unwrap()).unwrap()
}

fn badge() -> Badge {
    Badge::new(
        "badges-101",
        "Badges 101",
        "Knows the basics of Open Badges.",
        "Answer the three questions of the Badges 101 quiz.",
    )
    .image(png())
    .tag("badges")
}

fn verifier(docs: &[HostedDocument], recipient: &str) -> Verifier {
    Verifier::builder()
        .hosted(docs)
        .recipient(recipient.parse().unwrap())
        .build()
        .unwrap()
}

/// The hosted documents of an issuance, then any later updates (later wins).
fn merged(first: &[HostedDocument], updates: &[HostedDocument]) -> Vec<HostedDocument> {
    let mut out: Vec<HostedDocument> = first
        .iter()
        .filter(|d| !updates.iter().any(|u| u.url == d.url))
        .cloned()
        .collect();
    out.extend_from_slice(updates);
    out
}

fn assert_valid(r: &Report) {
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
}

fn controller_docs(issued: &Issued) -> std::collections::HashMap<String, Value> {
    issued
        .hosted
        .iter()
        .filter(|d| d.content_type == "application/json")
        .map(|d| (d.url.clone(), serde_json::from_slice(&d.body).unwrap()))
        .collect()
}

#[test]
fn every_ob2_form_verifies_and_only_for_its_recipient() {
    for alg in [Algorithm::Es256, Algorithm::EdDsa] {
        let iss = issuer(alg);
        let issued = iss
            .issue(
                &Identity::email("  Learner@Example.org "),
                &badge(),
                &IssueOptions::new(),
            )
            .unwrap();
        let v = verifier(&issued.hosted, "email:learner@example.org");

        // Hosted: by URL, as JSON, baked in the PNG.
        let url = format!("{BASE}assertions/{}.json", issued.uuid);
        assert_valid(&v.verify_url(&url));
        let json = serde_json::to_vec(issued.ob2_hosted.as_ref().unwrap()).unwrap();
        assert_valid(&v.verify_bytes("hosted.json", &json));
        let hosted_png = &issued.baked(Form::Ob2Hosted).unwrap().bytes;
        assert_valid(&v.verify_bytes("hosted.png", hosted_png));

        // Signed: the JWS, baked in the PNG.
        let jws = issued.ob2_signed.as_ref().unwrap();
        let r = v.verify_bytes("signed.jws", jws.as_bytes());
        assert_valid(&r);
        assert_eq!(r.proof.as_deref(), Some("jws"));
        let signed_png = &issued.baked(Form::Ob2Signed).unwrap().bytes;
        assert_valid(&v.verify_bytes("signed.png", signed_png));

        // The wrong recipient is refused, for both forms.
        let other: RecipientProfile = "email:other@example.org".parse().unwrap();
        for b in [hosted_png, signed_png] {
            let r = v.verify_bytes_for("x.png", b, &other);
            assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
        }

        // A tampered signature is refused.
        let mut bad = jws.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(
            v.verify_bytes("bad.jws", bad.as_bytes()).status(),
            Status::Invalid
        );
    }
}

#[test]
fn the_recipient_is_hashed_with_a_fresh_salt_every_time() {
    let iss = issuer(Algorithm::EdDsa);
    let r = Identity::email("learner@example.org");
    let a = iss.issue(&r, &badge(), &IssueOptions::new()).unwrap();
    let b = iss.issue(&r, &badge(), &IssueOptions::new()).unwrap();
    assert_ne!(a.salt, b.salt);
    assert_ne!(a.uuid, b.uuid);
    let ra = &a.ob2_hosted.as_ref().unwrap()["recipient"];
    let rb = &b.ob2_hosted.as_ref().unwrap()["recipient"];
    assert_eq!(ra["hashed"], true);
    assert_eq!(ra["salt"], a.salt.as_str());
    assert_ne!(ra["identity"], rb["identity"]);
    assert!(ra["identity"].as_str().unwrap().starts_with("sha256$"));
    // The address never appears in clear in anything issued or hosted.
    let mut all: Vec<u8> = a.hosted.iter().flat_map(|d| d.body.clone()).collect();
    all.extend(a.ob2_signed.clone().unwrap().into_bytes());
    all.extend(serde_json::to_vec(&a.ob3_credential).unwrap());
    let text = String::from_utf8_lossy(&all);
    assert!(!text.contains("learner@example.org"));
    // OB 3.0 carries the same salted hash.
    let subject = &a.ob3_credential.as_ref().unwrap()["credentialSubject"];
    let ident = &subject["identifier"][0];
    assert_eq!(ident["identityType"], "emailAddress");
    assert_eq!(ident["hashed"], true);
    assert_eq!(ident["identityHash"], ra["identity"]);
}

#[test]
fn the_ob3_credential_carries_a_valid_eddsa_rdfc_2022_proof_resolvable_from_hosted_documents() {
    let iss = issuer(Algorithm::EdDsa);
    let issued = iss
        .issue(
            &Identity::email("learner@example.org"),
            &badge(),
            &IssueOptions::new(),
        )
        .unwrap();
    let cred = issued.ob3_credential.as_ref().unwrap();
    let proof = &cred["proof"];
    assert_eq!(proof["cryptosuite"], "eddsa-rdfc-2022");
    let vm = proof["verificationMethod"].as_str().unwrap();
    assert_eq!(Some(vm.to_owned()), iss.verification_method());
    assert_eq!(cred["issuer"]["id"], iss.ob3_profile_id());
    // The model accepts it.
    let problems = openbadges::model::ob3::validate(cred, None);
    assert!(problems.iter().all(|p| !p.is_error()), "{problems:?}");
    // The proof verifies, with the key found in the hosted controller document too.
    let docs = controller_docs(&issued);
    let controller = &docs[&iss.ob3_profile_id()];
    let found = openbadges::proof::did::verification_method_from_document(controller, vm).unwrap();
    assert!(found.assertion_method);
    assert_eq!(found.controller, iss.ob3_profile_id());
    let opts = VerifyOptions {
        documents: Some(&docs),
        ..VerifyOptions::default()
    };
    let r = data_integrity::verify(cred, &opts);
    assert!(r.outcome.is_valid(), "{r:?}");
    // Tampering breaks it.
    let mut bad = cred.clone();
    bad["credentialSubject"]["achievement"]["name"] = "Badges 102".into();
    assert!(!data_integrity::verify(&bad, &opts).outcome.is_valid());
    // The baked PNG holds exactly the credential.
    let baked = &issued.baked(Form::Ob3DataIntegrity).unwrap().bytes;
    let found = openbadges::bake::extract(baked).unwrap();
    assert_eq!(found.keyword, "openbadgecredential");
    assert_eq!(
        serde_json::from_str::<Value>(&found.payload).unwrap(),
        *cred
    );
    // The status list credential is signed and verifies too.
    let list_url = cred["credentialStatus"]["statusListCredential"]
        .as_str()
        .unwrap();
    let list = &docs[list_url];
    assert!(data_integrity::verify(list, &opts).outcome.is_valid());
}

#[test]
fn both_ob3_forms_verify_with_the_crate_verifier_and_only_for_their_recipient() {
    let iss = issuer(Algorithm::Es256);
    let issued = iss
        .issue(
            &Identity::email("learner@example.org"),
            &badge(),
            &IssueOptions::new(),
        )
        .unwrap();
    assert!(issued.document("/.well-known/jwks.json").is_some());
    assert_eq!(
        issued.document("/.well-known/jwks.json").unwrap().url,
        "https://badges.example.org/.well-known/jwks.json"
    );
    let v = verifier(&issued.hosted, "email:learner@example.org");
    let other: RecipientProfile = "email:other@example.org".parse().unwrap();
    let jwt = issued.ob3_jwt.as_ref().unwrap();
    let inputs: [(&str, &[u8]); 4] = [
        (
            "ob3-di.png",
            &issued.baked(Form::Ob3DataIntegrity).unwrap().bytes,
        ),
        ("ob3-jwt.png", &issued.baked(Form::Ob3Jwt).unwrap().bytes),
        ("ob3.jwt", jwt.as_bytes()),
        (
            "ob3.json",
            &serde_json::to_vec(issued.ob3_credential.as_ref().unwrap()).unwrap(),
        ),
    ];
    for (name, bytes) in inputs {
        let r = v.verify_bytes(name, bytes);
        assert_valid(&r);
        assert_eq!(r.version.as_deref(), Some("3.0"), "{name}");
        let r = v.verify_bytes_for(name, bytes, &other);
        assert_eq!(r.status(), Status::Invalid, "{name}: {}", r.to_json_line());
    }
    // The JWT payload is the same credential (without the Data Integrity proof).
    let parsed = openbadges::proof::vc_jwt::VcJwt::parse(jwt).unwrap();
    let mut cred = issued.ob3_credential.clone().unwrap();
    cred.as_object_mut().unwrap().remove("proof");
    assert_eq!(parsed.credential()["id"], cred["id"]);
    assert_eq!(
        parsed.credential()["credentialSubject"],
        cred["credentialSubject"]
    );
}

#[test]
fn revocation_reaches_every_form() {
    let iss = issuer(Algorithm::EdDsa);
    let r = Identity::email("learner@example.org");
    let keep = iss.issue(&r, &badge(), &IssueOptions::new()).unwrap();
    let gone = iss.issue(&r, &badge(), &IssueOptions::new()).unwrap();
    assert!(matches!(
        iss.revoke("urn:uuid:00000000-0000-4000-8000-000000000000", None),
        Err(openbadges::Error::UnknownBadge(_))
    ));
    let hosted_url = format!("{BASE}assertions/{}.json", gone.uuid);
    let revocation = iss.revoke(&hosted_url, Some("awarded in error")).unwrap();
    assert_eq!(revocation.gone, vec![hosted_url.clone()]);
    assert_eq!(iss.gone_urls().unwrap(), vec![hosted_url.clone()]);
    let updates = revocation.updated;
    assert!(iss.is_revoked(&gone.uuid).unwrap());
    assert!(iss.is_revoked(&format!("urn:uuid:{}", gone.uuid)).unwrap());
    assert!(!iss.is_revoked(&keep.uuid).unwrap());
    let docs = merged(
        &[keep.hosted.clone(), gone.hosted.clone()].concat(),
        &updates,
    );
    let v = Verifier::builder()
        .hosted(&docs)
        .gone(&hosted_url)
        .recipient("email:learner@example.org".parse().unwrap())
        .build()
        .unwrap();

    for b in [
        Form::Ob2Hosted,
        Form::Ob2Signed,
        Form::Ob3DataIntegrity,
        Form::Ob3Jwt,
    ] {
        let rep = v.verify_bytes("gone.png", &gone.baked(b).unwrap().bytes);
        assert_eq!(rep.status(), Status::Invalid, "{}", rep.to_json_line());
        assert!(Verifier::is_revoked(&rep), "{}", rep.to_json_line());
        let rep = v.verify_bytes("keep.png", &keep.baked(b).unwrap().bytes);
        assert_valid(&rep);
    }

    // The status list has the revoked credential's bit set, and only that one.
    let idx = |i: &Issued| -> (String, u64) {
        let s = &i.ob3_credential.as_ref().unwrap()["credentialStatus"];
        (
            s["statusListCredential"].as_str().unwrap().to_owned(),
            s["statusListIndex"].as_str().unwrap().parse().unwrap(),
        )
    };
    let (list_url, gone_idx) = idx(&gone);
    let (_, keep_idx) = idx(&keep);
    assert_ne!(gone_idx, keep_idx);
    let list = updates.iter().find(|d| d.url == list_url).unwrap();
    let list: Value = serde_json::from_slice(&list.body).unwrap();
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    let bits = openbadges::proof::status_list::decode_bitstring(encoded).unwrap();
    let bit =
        |i: u64| openbadges::proof::status_list::bit_is_set(&bits, usize::try_from(i).unwrap());
    assert_eq!(bit(gone_idx), Some(true));
    assert_eq!(bit(keep_idx), Some(false));
    let opts = VerifyOptions {
        documents: Some(&controller_docs(&gone)),
        ..VerifyOptions::default()
    };
    assert!(data_integrity::verify(&list, &opts).outcome.is_valid());
}

#[test]
fn state_survives_a_restart() {
    let iss = issuer(Algorithm::EdDsa);
    let issued = iss
        .issue(
            &Identity::url("https://learner.example.net/"),
            &badge(),
            &IssueOptions::new(),
        )
        .unwrap();
    // A second issuer opened on the same store: same keys, same badges, same indexes.
    let again = Issuer::open(
        BASE,
        IssuerProfile::new("Example University", "badges@example.org"),
        iss.store().clone(),
    )
    .unwrap();
    assert_eq!(again.verification_method(), iss.verification_method());
    assert_eq!(again.issued(&issued.uuid).unwrap().unwrap().issued, issued);
    let updates = again.revoke(&issued.uuid, None).unwrap().updated;
    let v = verifier(
        &merged(&issued.hosted, &updates),
        "url:https://learner.example.net/",
    );
    let rep = v.verify_bytes("x.png", &issued.baked(Form::Ob2Signed).unwrap().bytes);
    assert!(Verifier::is_revoked(&rep), "{}", rep.to_json_line());
    // The next badge gets the next status index.
    let next = again
        .issue(
            &Identity::email("b@example.org"),
            &badge(),
            &IssueOptions::new(),
        )
        .unwrap();
    assert_eq!(
        next.ob3_credential.unwrap()["credentialStatus"]["statusListIndex"],
        "1"
    );
}

#[test]
fn did_recipients_are_the_credential_subject() {
    let iss = issuer(Algorithm::EdDsa);
    let did = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
    let issued = iss
        .issue(&Identity::did(did), &badge(), &IssueOptions::new())
        .unwrap();
    let cred = issued.ob3_credential.unwrap();
    assert_eq!(cred["credentialSubject"]["id"], did);
    assert_eq!(issued.ob2_hosted.unwrap()["recipient"]["type"], "id");
    let v = verifier(&issued.hosted, &format!("id:{did}"));
    assert_valid(&v.verify_bytes("d.jws", issued.ob2_signed.unwrap().as_bytes()));
}

#[test]
fn evidence_and_expiry_are_carried() {
    let iss = issuer(Algorithm::EdDsa);
    let e2: openbadges::model::ob2::Evidence = serde_json::from_value(serde_json::json!({
        "type": "Evidence", "narrative": "Answered 3 of 3 correctly."
    }))
    .unwrap();
    let e3: openbadges::model::ob3::Evidence = serde_json::from_value(serde_json::json!({
        "type": ["Evidence"], "narrative": "Answered 3 of 3 correctly."
    }))
    .unwrap();
    let opts = IssueOptions::new()
        .issued_on("2025-01-01T00:00:00Z")
        .expires("2026-01-01T00:00:00Z")
        .evidence(Evidence::new().with(e2, e3).narrative("Took the quiz."));
    let issued = iss
        .issue(&Identity::telephone("+15555550100"), &badge(), &opts)
        .unwrap();
    let a = issued.ob2_hosted.as_ref().unwrap();
    assert_eq!(a["evidence"]["narrative"], "Answered 3 of 3 correctly.");
    assert_eq!(a["expires"], "2026-01-01T00:00:00Z");
    let c = issued.ob3_credential.as_ref().unwrap();
    assert_eq!(c["evidence"][0]["narrative"], "Answered 3 of 3 correctly.");
    assert_eq!(c["validUntil"], "2026-01-01T00:00:00Z");
    assert_eq!(c["credentialSubject"]["narrative"], "Took the quiz.");
    // Verified as of a date inside the validity window, then after it.
    let docs = &issued.hosted;
    let at = |t: &str| {
        Verifier::builder()
            .hosted(docs)
            .recipient("telephone:+15555550100".parse().unwrap())
            .at(openbadges::proof::verify::FixedClock::parse(t).unwrap())
            .build()
            .unwrap()
    };
    let jws = issued.ob2_signed.as_ref().unwrap().as_bytes();
    assert_valid(&at("2025-06-01T00:00:00Z").verify_bytes("a.jws", jws));
    let r = at("2027-01-01T00:00:00Z").verify_bytes("a.jws", jws);
    assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
    assert!(r.has_error(Code::Expired), "{}", r.to_json_line());
}

#[test]
fn misconfigured_requests_are_errors_not_badges() {
    let no_keys = Issuer::new(
        BASE,
        IssuerProfile::new("X", "x@example.org"),
        IssuerKeys::new(),
    )
    .unwrap();
    let r = Identity::email("a@example.org");
    assert!(no_keys.issue(&r, &badge(), &IssueOptions::new()).is_err());
    // Hosted OB 2.0 needs no key.
    let hosted_only = IssueOptions::new().forms(true, false, false);
    let issued = no_keys.issue(&r, &badge(), &hosted_only).unwrap();
    assert!(issued.ob3_credential.is_none() && issued.ob2_signed.is_none());
    assert!(issued.document("key.json").is_none());
    assert_valid(
        &verifier(&issued.hosted, "email:a@example.org")
            .verify_bytes("h.png", &issued.baked(Form::Ob2Hosted).unwrap().bytes),
    );
    let iss = issuer(Algorithm::EdDsa);
    let no_image = Badge::new("b", "n", "d", "c");
    assert!(iss.issue(&r, &no_image, &IssueOptions::new()).is_err());
    // OB 3.0 alone needs no image.
    let only3 = IssueOptions::new().forms(false, false, true);
    let issued = iss.issue(&r, &no_image, &only3).unwrap();
    assert!(issued.baked.is_empty() && issued.ob3_credential.is_some());
    assert!(
        iss.issue(&r, &badge().image(&b"GIF89a"[..]), &IssueOptions::new())
            .is_err()
    );
    assert!(
        iss.issue(&Identity::email("  "), &badge(), &IssueOptions::new())
            .is_err()
    );
    assert!(
        iss.issue(
            &r,
            &badge(),
            &IssueOptions::new().forms(false, false, false)
        )
        .is_err()
    );
    assert!(
        iss.issue(&r, &badge(), &IssueOptions::new().issued_on("yesterday"))
            .is_err()
    );
}

#[test]
fn svg_badges_are_baked_and_verify() {
    let iss = issuer(Algorithm::EdDsa);
    let svg =
        br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>"#;
    let issued = iss
        .issue(
            &Identity::email("a@example.org"),
            &badge().image(&svg[..]),
            &IssueOptions::new(),
        )
        .unwrap();
    let img = issued.document("badges/badges-101.svg").unwrap();
    assert_eq!(img.content_type, "image/svg+xml");
    let v = verifier(&issued.hosted, "email:a@example.org");
    for f in [Form::Ob2Hosted, Form::Ob2Signed] {
        let b = issued.baked(f).unwrap();
        assert_eq!(b.format, openbadges::bake::ImageFormat::Svg);
        assert_valid(&v.verify_bytes("b.svg", &b.bytes));
    }
}

#[test]
fn batches_verify_in_input_order() {
    let iss = issuer(Algorithm::EdDsa);
    let r = Identity::email("a@example.org");
    let issued: Vec<Issued> = (0..5)
        .map(|_| iss.issue(&r, &badge(), &IssueOptions::new()).unwrap())
        .collect();
    let last = iss.hosted_documents().unwrap();
    let mut docs: Vec<HostedDocument> = issued.iter().flat_map(|i| i.hosted.clone()).collect();
    docs = merged(&docs, &last);
    let v = Verifier::builder()
        .hosted(&docs)
        .recipient("email:a@example.org".parse().unwrap())
        .threads(3)
        .build()
        .unwrap();
    let mut sources: Vec<Source> = issued
        .iter()
        .map(|i| Source::Bytes {
            name: i.uuid.clone(),
            bytes: i.baked(Form::Ob2Signed).unwrap().bytes.clone(),
        })
        .collect();
    sources.push(Source::Bytes {
        name: "junk".into(),
        bytes: b"not a badge".to_vec(),
    });
    let reports = v.verify_batch(&sources);
    assert_eq!(reports.len(), 6);
    for (rep, i) in reports.iter().zip(&issued) {
        assert_eq!(rep.input, i.uuid);
        assert_valid(rep);
    }
    assert_ne!(reports[5].status(), Status::Valid);
}

#[test]
fn rs256_for_ob2_and_a_separate_es256_key_for_vc_jwt() {
    use openbadges::proof::key::SecretKey;
    let pem = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/upstream/mozbakery-rsa-private.pem"
    ))
    .unwrap();
    let keys = IssuerKeys::new()
        .ed25519_seed(&[9u8; 32])
        .unwrap()
        .jws_key(SecretKey::from_pem(&pem).unwrap())
        .vc_jwt_key(SecretKey::generate(Algorithm::Es256).unwrap());
    let iss = Issuer::new(
        BASE,
        IssuerProfile::new("Example University", "badges@example.org"),
        keys,
    )
    .unwrap();
    assert_eq!(iss.vc_jwt_kid(), format!("{BASE}jwks.json#vc-jwt"));
    let issued = iss
        .issue(
            &Identity::email("a@example.org"),
            &badge(),
            &IssueOptions::new(),
        )
        .unwrap();
    let jws = openbadges::proof::jws::Jws::parse(issued.ob2_signed.as_ref().unwrap()).unwrap();
    assert_eq!(jws.alg(), "RS256");
    let jwt = openbadges::proof::vc_jwt::VcJwt::parse(issued.ob3_jwt.as_ref().unwrap()).unwrap();
    assert_eq!(jwt.jws().alg(), "ES256");
    assert_eq!(jwt.jws().kid(), Some(iss.vc_jwt_kid().as_str()));
    let jwks: Value =
        serde_json::from_slice(&issued.document("/.well-known/jwks.json").unwrap().body).unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 2);
    let v = verifier(&issued.hosted, "email:a@example.org");
    for f in [Form::Ob2Signed, Form::Ob3Jwt, Form::Ob3DataIntegrity] {
        assert_valid(&v.verify_bytes("x.png", &issued.baked(f).unwrap().bytes));
    }
}

#[test]
fn without_a_status_list_entry_the_credential_verifies_but_cannot_be_revoked() {
    let iss = issuer(Algorithm::EdDsa);
    let issued = iss
        .issue(
            &Identity::email("a@example.org"),
            &badge(),
            &IssueOptions::new().status_list(false),
        )
        .unwrap();
    let cred = issued.ob3_credential.as_ref().unwrap();
    assert!(cred.get("credentialStatus").is_none());
    let record = iss.issued(&issued.uuid).unwrap().unwrap();
    assert_eq!(record.status_index, None);
    let revocation = iss.revoke(&issued.uuid, None).unwrap();
    assert!(
        revocation
            .updated
            .iter()
            .all(|d| !d.path.starts_with("status/"))
    );
    let v = verifier(
        &merged(&issued.hosted, &revocation.updated),
        "email:a@example.org",
    );
    assert_valid(&v.verify_bytes(
        "x.png",
        &issued.baked(Form::Ob3DataIntegrity).unwrap().bytes,
    ));
    let r = v.verify_bytes("x.png", &issued.baked(Form::Ob2Signed).unwrap().bytes);
    assert!(Verifier::is_revoked(&r), "{}", r.to_json_line());
}

#[test]
fn issuer_and_verifier_can_be_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Issuer>();
    send_sync::<Verifier>();
    send_sync::<Issued>();
}
