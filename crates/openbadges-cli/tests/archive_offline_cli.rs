//! The backpack archive is self-contained (issue #7, "every baked image in it extracts and
//! verifies offline with our CLI"): badges of four kinds issued with our own CLI — a hosted
//! OB 2.0 assertion (given by URL), a signed OB 2.0 JWS, an OB 3.0 eddsa-rdfc-2022 credential
//! (did:key) and an OB 3.0 VC-JWT whose key the issuer publishes in its JWKS — are imported
//! from an issuer site on a loopback port, exported to a zip, and the site is stopped. Then,
//! for every baked image in the unzipped archive, `openbadges extract` finds the payload and
//! `openbadges verify --offline --documents <archive>/documents` says valid (exit 0) from the
//! documents the archive kept. A tampered baked image is invalid (exit 1); a hosted badge whose
//! documents were not captured (imported offline) is indeterminate (exit 2), never valid.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use openbadges_test_support::http::Server;
use serde_json::{Value, json};

mod common;
use common::{
    bin, ed25519_key_and_method, fixtures_dir, json_lines, ob3_credential, run, s,
    sign_eddsa_rdfc_2022, tmp,
};

const CTX: &str = "https://w3id.org/openbadges/v2";

fn ok(o: &Output) {
    assert!(o.status.success(), "{o:?}");
}

/// An OB 3.0 credential `id` named `name`, issued by "Offline University" (`issuer`).
fn credential(id: &str, issuer: &str, name: &str) -> Value {
    let mut v = ob3_credential(issuer);
    v["id"] = json!(id);
    v["issuer"]["name"] = json!("Offline University");
    v["name"] = json!(name);
    v["credentialSubject"]["achievement"] = json!({"id": format!("{id}-achievement"),
        "type": ["Achievement"], "name": name, "description": "Kept for later.",
        "criteria": {"narrative": "Export the backpack."}});
    v
}

/// Writes `v` as JSON to `site/name`, creating folders.
fn publish(site: &Path, name: &str, v: Value) {
    let p = site.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, serde_json::to_vec(&v).unwrap()).unwrap();
}

/// An OB 2.0 assertion `id` of the site's badge class for student@example.org.
fn assertion(b: &str, id: String, verification: Value) -> Value {
    json!({"@context": CTX, "type": "Assertion", "id": id,
        "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
        "badge": format!("{b}/badgeclass.json"), "issuedOn": "2024-01-15T12:00:00Z",
        "verification": verification})
}

/// The OB 2.0 issuer at `b`: an RSA key (`d/rsa.pem`, returned), its issuer, key, badge class
/// and (empty) revocation list documents on the site; the badge image is a PNG.
fn publish_ob2_issuer(d: &Path, site: &Path, b: &str) -> PathBuf {
    let key = d.join("rsa.pem");
    let public = d.join("rsa.pub.pem");
    ok(&run(&[
        "keygen",
        "--alg",
        "rs256",
        "-o",
        s(&key),
        "--public",
        s(&public),
    ]));
    let pem = std::fs::read_to_string(&public).unwrap();
    std::fs::copy(
        fixtures_dir("ob2/upstream/mozbakery-unbaked.png"),
        site.join("badge.png"),
    )
    .unwrap();
    publish(
        site,
        "issuer.json",
        json!({"@context": CTX, "id": format!("{b}/issuer.json"), "type": "Issuer", "name": "Offline University", "url": "https://example.org", "email": "i@example.org", "publicKey": format!("{b}/key.json"), "revocationList": format!("{b}/rl.json")}),
    );
    publish(
        site,
        "key.json",
        json!({"@context": CTX, "id": format!("{b}/key.json"), "type": "CryptographicKey", "owner": format!("{b}/issuer.json"), "publicKeyPem": pem}),
    );
    publish(
        site,
        "badgeclass.json",
        json!({"@context": CTX, "id": format!("{b}/badgeclass.json"), "type": "BadgeClass", "name": "Kept Offline", "description": "d", "image": format!("{b}/badge.png"), "criteria": {"narrative": "n"}, "issuer": format!("{b}/issuer.json")}),
    );
    publish(
        site,
        "rl.json",
        json!({"@context": CTX, "id": format!("{b}/rl.json"), "type": "RevocationList", "revokedAssertions": []}),
    );
    key
}

/// Two hosted assertions on the site: one imported by URL, one kept aside (copied to
/// `d/aside.json`, imported offline later, so its documents are never captured). Returns the
/// aside copy.
fn publish_hosted_assertions(d: &Path, site: &Path, b: &str) -> PathBuf {
    // Hosted: served at its id; imported by URL.
    publish(
        site,
        "assertions/hosted.json",
        assertion(
            b,
            format!("{b}/assertions/hosted.json"),
            json!({"type": "hosted"}),
        ),
    );
    // Hosted, kept aside: imported offline later, so its documents are never captured.
    publish(
        site,
        "assertions/aside.json",
        assertion(
            b,
            format!("{b}/assertions/aside.json"),
            json!({"type": "hosted"}),
        ),
    );
    let aside = d.join("aside.json");
    std::fs::copy(site.join("assertions/aside.json"), &aside).unwrap();
    aside
}

/// A signed OB 2.0 assertion (JWS) whose key is named by URL. Returns the JWS file.
fn sign_ob2_jws(d: &Path, b: &str, key: &Path) -> PathBuf {
    let unsigned = d.join("signed.json");
    std::fs::write(
        &unsigned,
        assertion(
            b,
            "urn:uuid:6d1f2a9c-0b52-4f0e-8a0e-1b9a6c2d3e41".to_owned(),
            json!({"type": "signed", "creator": format!("{b}/key.json")}),
        )
        .to_string(),
    )
    .unwrap();
    let o = run(&[
        "sign",
        "--format",
        "jws",
        "--kid",
        &format!("{b}/key.json"),
        "--key",
        s(key),
        s(&unsigned),
    ]);
    ok(&o);
    let jws = d.join("signed.jws");
    std::fs::write(&jws, &o.stdout).unwrap();
    jws
}

/// An OB 3.0 eddsa-rdfc-2022 credential issued by a new key's did:key. Returns its file.
fn sign_ob3_data_integrity(d: &Path) -> PathBuf {
    let (ed, vm) = ed25519_key_and_method(d, "ed");
    let did = vm.split('#').next().unwrap().to_owned();
    let di_in = d.join("di-in.json");
    std::fs::write(
        &di_in,
        credential(
            "urn:uuid:3b9e1c52-7a0d-4e61-9f3a-2c5d8e7f1a20",
            &did,
            "Data Integrity Offline",
        )
        .to_string(),
    )
    .unwrap();
    let o = sign_eddsa_rdfc_2022(&ed, &di_in);
    ok(&o);
    let di = d.join("di.json");
    std::fs::write(&di, &o.stdout).unwrap();
    di
}

/// An OB 3.0 VC-JWT by the http issuer `b/issuers/ob3` whose JWKS (on the site) lists the key.
/// Returns the JWT file.
fn sign_ob3_vc_jwt(d: &Path, site: &Path, b: &str) -> PathBuf {
    let es = d.join("es.pem");
    let es_jwk = d.join("es.jwk");
    ok(&run(&[
        "keygen",
        "--alg",
        "es256",
        "-o",
        s(&es),
        "--public",
        s(&es_jwk),
        "--jwk",
    ]));
    let jwk: Value = serde_json::from_slice(&std::fs::read(&es_jwk).unwrap()).unwrap();
    publish(site, ".well-known/jwks.json", json!({"keys": [jwk]}));
    let jwt_in = d.join("jwt-in.json");
    std::fs::write(
        &jwt_in,
        credential(
            "urn:uuid:8c4a2e10-5d3b-4f7a-b1c9-0e6d2f4a8b31",
            &format!("{b}/issuers/ob3"),
            "VC-JWT Offline",
        )
        .to_string(),
    )
    .unwrap();
    let o = run(&["sign", "--key", s(&es), "--format", "vc-jwt", s(&jwt_in)]);
    ok(&o);
    let jwt = d.join("cred.jwt");
    std::fs::write(&jwt, &o.stdout).unwrap();
    jwt
}

/// Issues the four kinds of badge. Returns the inputs to import (paths and the hosted URL) and
/// a hosted assertion kept aside (imported offline later).
fn issue(d: &Path, site: &Path, b: &str) -> (Vec<String>, PathBuf) {
    let rsa = publish_ob2_issuer(d, site, b);
    let aside = publish_hosted_assertions(d, site, b);
    let jws = sign_ob2_jws(d, b, &rsa);
    let di = sign_ob3_data_integrity(d);
    let jwt = sign_ob3_vc_jwt(d, site, b);
    (
        vec![
            format!("{b}/assertions/hosted.json"),
            s(&jws).to_owned(),
            s(&di).to_owned(),
            s(&jwt).to_owned(),
        ],
        aside,
    )
}

fn import(store: &Path, extra: &[&str], inputs: &[String]) -> Vec<Value> {
    let o = bin()
        .args(["backpack", "--store", s(store), "import"])
        .args([
            "--identity",
            "email:student@example.org",
            "--identity",
            "id:did:example:alice",
            "--json",
        ])
        .args(extra)
        .args(inputs)
        .output()
        .unwrap();
    json_lines(&o)
}

fn verify_offline(docs: &Path, image: &Path) -> (Option<i32>, Value) {
    let o = run(&[
        "verify",
        "--offline",
        "--json",
        "--documents",
        s(docs),
        s(image),
    ]);
    let line = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap_or(Value::Null);
    (o.status.code(), line)
}

/// Issues the badges on a loopback site, imports them (the aside one offline), exports the
/// store to `d/backpack.zip` and takes the site offline: nothing listens on its port any more.
/// Returns the zip and the site's base URL.
fn import_export_and_take_the_site_offline(d: &Path) -> (PathBuf, String) {
    let site_dir = d.join("site");
    std::fs::create_dir_all(&site_dir).unwrap();
    let site = Server::files(site_dir.clone());
    let port = site.port();
    let b = site.base_url();
    let (inputs, aside) = issue(d, &site_dir, &b);

    let store = d.join("store");
    let allow = format!("127.0.0.1:{port}");
    let lines = import(&store, &["--allow-host", &allow], &inputs);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines.iter().all(|l| l["result"] == "imported"), "{lines:?}");
    // The hosted badge kept aside is imported without the network: nothing captured.
    let lines = import(&store, &["--offline"], &[s(&aside).to_owned()]);
    assert_eq!(lines[0]["result"], "imported", "{lines:?}");

    let zip_path = d.join("backpack.zip");
    ok(&run(&[
        "backpack",
        "--store",
        s(&store),
        "export",
        "--format",
        "zip",
        "-o",
        s(&zip_path),
    ]));
    // The issuer's site goes away: nothing listens any more.
    site.stop();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    (zip_path, b)
}

/// Unzips `zip_path` into `out`; returns its manifest (format version 2).
fn unzip(zip_path: &Path, out: &Path) -> Value {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let path = out.join(e.enclosed_name().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["formatVersion"], 2);
    manifest
}

/// The archive's documents index keeps every document the imports fetched from the site at
/// `b`, and none for the badge imported offline. Returns the index.
fn documents_index_keeps_what_was_fetched(docs: &Path, b: &str) -> Value {
    let index: Value =
        serde_json::from_slice(&std::fs::read(docs.join("index.json")).unwrap()).unwrap();
    let urls: Vec<&str> = index["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["url"].as_str().unwrap())
        .collect();
    for want in [
        "/assertions/hosted.json",
        "/badgeclass.json",
        "/issuer.json",
        "/key.json",
        "/rl.json",
        "/badge.png",
        "/.well-known/jwks.json",
    ] {
        assert!(
            urls.iter().any(|u| *u == format!("{b}{want}")),
            "{want} not kept: {urls:?}"
        );
    }
    assert!(
        !urls.iter().any(|u| u.ends_with("/assertions/aside.json")),
        "{urls:?}"
    );
    index
}

/// Every baked image extracts and verifies offline from `docs`: valid for each of the four
/// kinds, indeterminate (never valid) for the hosted badge whose documents were not captured.
fn every_baked_image_extracts_and_verifies(out: &Path, docs: &Path, badges: &[Value]) {
    assert_eq!(badges.len(), 5);
    let mut seen = Vec::new();
    for badge in badges {
        let baked = out.join(badge["files"]["baked"]["path"].as_str().unwrap());
        let location = badge["source"]["location"].as_str().unwrap();
        // The payload is there.
        let x = run(&["extract", "--json", s(&baked)]);
        assert_eq!(x.status.code(), Some(0), "{location}: {x:?}");
        let extracted: Value = serde_json::from_slice(&x.stdout).unwrap();
        assert!(!extracted["payload"].as_str().unwrap().is_empty());
        let (code, line) = verify_offline(docs, &baked);
        if location.ends_with("aside.json") {
            // Hosted, documents never captured: could not check, never valid.
            assert_eq!(code, Some(2), "{location}: {line}");
            assert_eq!(line["status"], "indeterminate", "{location}: {line}");
            seen.push("aside");
            continue;
        }
        assert_eq!(code, Some(0), "{location}: {line}");
        assert_eq!(line["status"], "valid", "{location}: {line}");
        let proof = line["proof"].as_str().unwrap_or("").to_owned();
        seen.push(match proof.as_str() {
            "hosted" => "hosted",
            "jws" => "jws",
            "vc-jwt" => "vc-jwt",
            "eddsa-rdfc-2022" => "eddsa-rdfc-2022",
            other => panic!("{location}: unexpected proof {other}"),
        });
        // The hosted badge is baked with the assertion itself, into the badge class's PNG.
        if proof == "hosted" {
            assert_eq!(extracted["format"], "png");
            assert_eq!(extracted["payload_kind"], "json");
        }
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        ["aside", "eddsa-rdfc-2022", "hosted", "jws", "vc-jwt"],
        "one of each kind"
    );
}

/// A tampered copy (in `d`) of the Data Integrity badge's baked SVG is invalid.
fn tampered_baked_image_is_invalid(d: &Path, out: &Path, docs: &Path, badges: &[Value]) {
    let di = badges
        .iter()
        .find(|b| b["name"] == "Data Integrity Offline")
        .unwrap();
    let baked_path = out.join(di["files"]["baked"]["path"].as_str().unwrap());
    let baked = std::fs::read_to_string(&baked_path).unwrap();
    // The signed payload's strings (the SVG's own text ends in `</text>`, not a quote).
    assert!(baked.contains("Data Integrity Offline\""));
    let tampered = d.join("tampered.svg");
    std::fs::write(
        &tampered,
        baked.replace("Data Integrity Offline\"", "Data Integrity Offlinx\""),
    )
    .unwrap();
    let (code, line) = verify_offline(docs, &tampered);
    assert_eq!(code, Some(1), "{line}");
    assert_eq!(line["status"], "invalid");
}

/// A copy (in `d`) of the documents folder whose first file does not match its hash is
/// refused (exit 2), not used, for the baked image `hosted_baked`.
fn documents_not_matching_their_hash_are_refused(
    d: &Path,
    docs: &Path,
    index: &Value,
    hosted_baked: &Path,
) {
    let broken = d.join("broken-docs");
    std::fs::create_dir_all(&broken).unwrap();
    for e in std::fs::read_dir(docs).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), broken.join(e.file_name())).unwrap();
    }
    let first = index["documents"][0]["file"].as_str().unwrap();
    std::fs::write(broken.join(first), b"{}").unwrap();
    let (code, _) = verify_offline(&broken, hosted_baked);
    assert_eq!(code, Some(2));
}

#[test]
fn every_baked_image_in_the_archive_verifies_offline_from_its_documents() {
    let d = tmp("archive-offline");
    let (zip_path, b) = import_export_and_take_the_site_offline(&d);
    let out = d.join("unzipped");
    let manifest = unzip(&zip_path, &out);
    let docs = out.join("documents");
    let index = documents_index_keeps_what_was_fetched(&docs, &b);
    let badges = manifest["badges"].as_array().unwrap();
    every_baked_image_extracts_and_verifies(&out, &docs, badges);

    // Without the documents, the hosted and signed OB 2.0 badges cannot be checked offline.
    let hosted = badges
        .iter()
        .find(|b| {
            b["source"]["location"]
                .as_str()
                .unwrap()
                .ends_with("hosted.json")
        })
        .unwrap();
    let hosted_baked = out.join(hosted["files"]["baked"]["path"].as_str().unwrap());
    let o = run(&["verify", "--offline", "--json", s(&hosted_baked)]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");

    tampered_baked_image_is_invalid(&d, &out, &docs, badges);
    documents_not_matching_their_hash_are_refused(&d, &docs, &index, &hosted_baked);
}
