//! The issuer's documents served over real HTTP on loopback: the `Verifier` fetches what it
//! needs (hosted assertion by URL, badge class, issuer, key, revocation and status lists,
//! controller document, JWKS) through the guarded HTTP loader — and refuses loopback unless
//! the host is allowed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::{Code, Status};
use openbadges::{
    Badge, Form, HostedDocument, HttpLimits, IssueOptions, Issuer, IssuerKeys, IssuerProfile,
    Verifier,
};
use openbadges_test_support::fixtures::fixture_bytes;
use openbadges_test_support::http::{Response, Server};

/// The issuer's site: path → (status, content type, body).
type Site = Arc<Mutex<HashMap<String, (u16, String, Vec<u8>)>>>;

/// Serves `site` on loopback: each path as published, others 404.
fn serve(site: Site) -> Server {
    Server::start(move |req| {
        let (status, ct, body) = site.lock().unwrap().get(&req.path).cloned().unwrap_or((
            404,
            "text/plain".to_owned(),
            b"not found".to_vec(),
        ));
        Response::status(status, body, &ct)
    })
}

fn publish(site: &Site, origin: &str, docs: &[HostedDocument]) {
    let mut s = site.lock().unwrap();
    for d in docs {
        let path = d.url.strip_prefix(origin).unwrap().to_owned();
        s.insert(path, (200, d.content_type.clone(), d.body.clone()));
    }
}

#[test]
fn a_served_issuer_verifies_over_http_and_revocation_is_seen() {
    let site: Site = Arc::default();
    let server = serve(site.clone());
    let port = server.port();
    let origin = server.base_url();

    let png = fixture_bytes("ob2/served/badge.png");
    let issuer = Issuer::new(
        &format!("{origin}/badges101/"),
        IssuerProfile::new("Badges 101", "badges@example.org"),
        IssuerKeys::generate(Algorithm::Es256).unwrap(),
    )
    .unwrap();
    let badge = Badge::new(
        "badges-101",
        "Badges 101",
        "Knows badges.",
        "Pass the quiz.",
    )
    .image(png);
    let issued = issuer
        .issue(
            &Identity::email("learner@example.org"),
            &badge,
            &IssueOptions::new(),
        )
        .unwrap();
    publish(&site, &origin, &issued.hosted);

    let host = format!("127.0.0.1:{port}");
    let verifier = Verifier::builder()
        .online(HttpLimits::default().allow_host(&host))
        .recipient("email:learner@example.org".parse().unwrap())
        .build()
        .unwrap();
    let url = format!("{origin}/badges101/assertions/{}.json", issued.uuid);
    let r = verifier.verify_url(&url);
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    let forms = [
        Form::Ob2Hosted,
        Form::Ob2Signed,
        Form::Ob3DataIntegrity,
        Form::Ob3Jwt,
    ];
    for f in forms {
        let r = verifier.verify_bytes("b.png", &issued.baked(f).unwrap().bytes);
        assert_eq!(r.status(), Status::Valid, "{f:?}: {}", r.to_json_line());
    }
    // The URL as input text works too.
    let r = verifier.verify_bytes("url.txt", url.as_bytes());
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());

    // A forger's key in the issuer's `profile.json#z6Mk…`: the controller document fetched from
    // loopback lists another key, so the forgery is invalid (not valid, as the fragment alone
    // would say).
    let forger = openbadges::proof::data_integrity::Ed25519Signer::from_seed(&[66u8; 32]).unwrap();
    let mut forged = issued.ob3_credential.clone().unwrap();
    forged.as_object_mut().unwrap().remove("proof");
    let vm = format!("{}#{}", issuer.ob3_profile_id(), forger.multikey().encode());
    let forged = openbadges::proof::data_integrity::sign(
        &forged,
        &forger,
        &openbadges::proof::data_integrity::ProofOptions::new(vm, "2025-01-01T00:00:00Z"),
    )
    .unwrap();
    let r = verifier.verify_bytes("forged.json", &serde_json::to_vec(&forged).unwrap());
    assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
    assert!(
        r.has_error(Code::KeyNotListedByIssuer),
        "{}",
        r.to_json_line()
    );

    // Loopback is refused unless allowed: could not check, never valid or invalid.
    let strict = Verifier::builder()
        .online(HttpLimits::default())
        .build()
        .unwrap();
    let r = strict.verify_url(&url);
    assert_eq!(r.status(), Status::Indeterminate, "{}", r.to_json_line());

    // Offline (the default, whatever the cargo features): nothing is fetched.
    let offline = Verifier::builder().build().unwrap();
    assert_eq!(offline.verify_url(&url).status(), Status::Indeterminate);

    // Revoke, publish, and every form is reported revoked.
    let revocation = issuer.revoke(&issued.uuid, Some("test")).unwrap();
    publish(&site, &origin, &revocation.updated);
    for g in &revocation.gone {
        let path = g.strip_prefix(&origin).unwrap().to_owned();
        site.lock()
            .unwrap()
            .insert(path, (410, "application/json".to_owned(), b"{}".to_vec()));
    }
    for f in forms {
        let r = verifier.verify_bytes("b.png", &issued.baked(f).unwrap().bytes);
        assert_eq!(r.status(), Status::Invalid, "{f:?}: {}", r.to_json_line());
        assert!(r.has_error(Code::Revoked), "{f:?}: {}", r.to_json_line());
    }
}
