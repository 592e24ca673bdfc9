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

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_openbadges"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ob-archive-offline-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{o:?}");
}

/// A static site on 127.0.0.1 (ephemeral port) serving the files of `dir`, until `stop` is set;
/// then the listener is closed and every later connection is refused.
struct Site {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Site {
    fn start(dir: PathBuf) -> Site {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        let port = l.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                let mut s = match l.accept() {
                    Ok((s, _)) => s,
                    Err(_) => {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                };
                s.set_nonblocking(false).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let mut r = BufReader::new(s.try_clone().unwrap());
                let mut line = String::new();
                let _ = r.read_line(&mut line);
                let path = line
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .trim_start_matches('/')
                    .to_string();
                loop {
                    let mut h = String::new();
                    if r.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                        break;
                    }
                }
                let ct = if path.ends_with(".png") {
                    "image/png"
                } else if path.ends_with(".svg") {
                    "image/svg+xml"
                } else {
                    "application/json"
                };
                let resp = match std::fs::read(dir.join(&path)) {
                    Ok(body) if !path.contains("..") => {
                        let mut v = format!("HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                        v.extend(body);
                        v
                    }
                    _ => {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .to_vec()
                    }
                };
                let _ = s.write_all(&resp);
            }
        });
        Site {
            port,
            stop,
            thread: Some(thread),
        }
    }

    fn stop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
        // Nothing listens any more.
        assert!(std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err());
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn ob3_credential(id: &str, issuer: &str, name: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Offline University"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": name,
        "credentialSubject": {"id": "did:example:alice", "type": ["AchievementSubject"],
            "achievement": {"id": format!("{id}-achievement"),
                "type": ["Achievement"], "name": name, "description": "Kept for later.",
                "criteria": {"narrative": "Export the backpack."}}}
    })
}

/// Issues the four kinds of badge. Returns the inputs to import (paths and the hosted URL) and
/// a hosted assertion kept aside (imported offline later).
fn issue(d: &Path, site: &Path, b: &str) -> (Vec<String>, PathBuf) {
    let ctx = "https://w3id.org/openbadges/v2";
    let write = |name: &str, v: Value| {
        let p = site.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, serde_json::to_vec(&v).unwrap()).unwrap();
    };
    // OB 2.0 issuer with an RSA key and a revocation list; the badge image is a PNG.
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
        fixtures().join("ob2/upstream/mozbakery-unbaked.png"),
        site.join("badge.png"),
    )
    .unwrap();
    write(
        "issuer.json",
        json!({"@context": ctx, "id": format!("{b}/issuer.json"), "type": "Issuer", "name": "Offline University", "url": "https://example.org", "email": "i@example.org", "publicKey": format!("{b}/key.json"), "revocationList": format!("{b}/rl.json")}),
    );
    write(
        "key.json",
        json!({"@context": ctx, "id": format!("{b}/key.json"), "type": "CryptographicKey", "owner": format!("{b}/issuer.json"), "publicKeyPem": pem}),
    );
    write(
        "badgeclass.json",
        json!({"@context": ctx, "id": format!("{b}/badgeclass.json"), "type": "BadgeClass", "name": "Kept Offline", "description": "d", "image": format!("{b}/badge.png"), "criteria": {"narrative": "n"}, "issuer": format!("{b}/issuer.json")}),
    );
    write(
        "rl.json",
        json!({"@context": ctx, "id": format!("{b}/rl.json"), "type": "RevocationList", "revokedAssertions": []}),
    );
    let assertion = |id: String, verification: Value| {
        json!({"@context": ctx, "type": "Assertion", "id": id,
            "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
            "badge": format!("{b}/badgeclass.json"), "issuedOn": "2024-01-15T12:00:00Z",
            "verification": verification})
    };
    // Hosted: served at its id; imported by URL.
    write(
        "assertions/hosted.json",
        assertion(
            format!("{b}/assertions/hosted.json"),
            json!({"type": "hosted"}),
        ),
    );
    // Hosted, kept aside: imported offline later, so its documents are never captured.
    write(
        "assertions/aside.json",
        assertion(
            format!("{b}/assertions/aside.json"),
            json!({"type": "hosted"}),
        ),
    );
    let aside = d.join("aside.json");
    std::fs::copy(site.join("assertions/aside.json"), &aside).unwrap();
    // Signed OB 2.0 (JWS), key by URL.
    let unsigned = d.join("signed.json");
    std::fs::write(
        &unsigned,
        assertion(
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
        s(&key),
        s(&unsigned),
    ]);
    ok(&o);
    let jws = d.join("signed.jws");
    std::fs::write(&jws, &o.stdout).unwrap();

    // OB 3.0 eddsa-rdfc-2022 issued by the key's did:key (learn it by signing once).
    let ed = d.join("ed.pem");
    ok(&run(&["keygen", "--alg", "ed25519", "-o", s(&ed)]));
    let probe = d.join("probe.json");
    std::fs::write(
        &probe,
        ob3_credential("urn:uuid:probe", "https://example.org/i", "Probe").to_string(),
    )
    .unwrap();
    let o = run(&[
        "sign",
        "--key",
        s(&ed),
        "--format",
        "eddsa-rdfc-2022",
        s(&probe),
    ]);
    ok(&o);
    let signed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let vm = signed["proof"]["verificationMethod"].as_str().unwrap();
    let did = vm.split('#').next().unwrap().to_owned();
    let di_in = d.join("di-in.json");
    std::fs::write(
        &di_in,
        ob3_credential(
            "urn:uuid:3b9e1c52-7a0d-4e61-9f3a-2c5d8e7f1a20",
            &did,
            "Data Integrity Offline",
        )
        .to_string(),
    )
    .unwrap();
    let o = run(&[
        "sign",
        "--key",
        s(&ed),
        "--format",
        "eddsa-rdfc-2022",
        s(&di_in),
    ]);
    ok(&o);
    let di = d.join("di.json");
    std::fs::write(&di, &o.stdout).unwrap();

    // OB 3.0 VC-JWT by an http issuer whose JWKS lists the key.
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
    write(".well-known/jwks.json", json!({"keys": [jwk]}));
    let jwt_in = d.join("jwt-in.json");
    std::fs::write(
        &jwt_in,
        ob3_credential(
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
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
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

#[test]
fn every_baked_image_in_the_archive_verifies_offline_from_its_documents() {
    let d = tmp("all");
    let site_dir = d.join("site");
    std::fs::create_dir_all(&site_dir).unwrap();
    let mut site = Site::start(site_dir.clone());
    let b = format!("http://127.0.0.1:{}", site.port);
    let (inputs, aside) = issue(&d, &site_dir, &b);

    let store = d.join("store");
    let allow = format!("127.0.0.1:{}", site.port);
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
    // The issuer's site goes away.
    site.stop();

    // Unzip.
    let out = d.join("unzipped");
    let mut z = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
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
    let docs = out.join("documents");
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

    let badges = manifest["badges"].as_array().unwrap();
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
        let (code, line) = verify_offline(&docs, &baked);
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
    let baked = out.join(hosted["files"]["baked"]["path"].as_str().unwrap());
    let o = run(&["verify", "--offline", "--json", s(&baked)]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");

    // A tampered baked image is invalid.
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
    let (code, line) = verify_offline(&docs, &tampered);
    assert_eq!(code, Some(1), "{line}");
    assert_eq!(line["status"], "invalid");

    // A documents folder whose file does not match its hash is refused (exit 2), not used.
    let broken = d.join("broken-docs");
    std::fs::create_dir_all(&broken).unwrap();
    for e in std::fs::read_dir(&docs).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), broken.join(e.file_name())).unwrap();
    }
    let first = index["documents"][0]["file"].as_str().unwrap();
    std::fs::write(broken.join(first), b"{}").unwrap();
    let hosted_baked = out.join(hosted["files"]["baked"]["path"].as_str().unwrap());
    let (code, _) = verify_offline(&broken, &hosted_baked);
    assert_eq!(code, Some(2));
    let _ = std::fs::remove_dir_all(&d);
}
