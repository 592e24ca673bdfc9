//! The CLI's exit codes for duplicate JSON member names (invalid, exit 1, the JSON pointer
//! named) and for refused fetches in any spelling of a loopback/private address (could not
//! check, exit 2, no connection made).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_openbadges"))
        .args(args)
        .output()
        .unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("guards-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn line(o: &Output) -> Value {
    let out = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(out.lines().next().unwrap()).unwrap()
}

fn credential(issuer: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b10",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example"},
        "validFrom": "2024-01-01T00:00:00Z",
        "name": "Badge",
        "credentialSubject": {"id": "did:example:alice", "type": ["AchievementSubject"],
            "achievement": {"id": "urn:uuid:7f1b9a34-d0c1-4b3e-9a51-0c3f0d2c8e77",
                "type": ["Achievement"], "name": "A", "description": "B",
                "criteria": {"narrative": "C"}}}
    })
}

/// A credential signed eddsa-rdfc-2022 by a fresh did:key, as text.
fn signed_credential(d: &Path) -> String {
    let key = d.join("ed.pem");
    assert!(
        run(&["keygen", "--alg", "ed25519", "-o", s(&key)])
            .status
            .success()
    );
    let first = d.join("first.json");
    std::fs::write(&first, credential("https://example.org/i").to_string()).unwrap();
    let o = run(&[
        "sign",
        "--key",
        s(&key),
        "--format",
        "eddsa-rdfc-2022",
        s(&first),
    ]);
    let signed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let vm = signed["proof"]["verificationMethod"].as_str().unwrap();
    let did = vm.split('#').next().unwrap();
    let input = d.join("cred.json");
    std::fs::write(&input, credential(did).to_string()).unwrap();
    let o = run(&[
        "sign",
        "--key",
        s(&key),
        "--format",
        "eddsa-rdfc-2022",
        s(&input),
    ]);
    assert!(o.status.success(), "{o:?}");
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn verify_refuses_a_signed_credential_with_a_duplicate_member_exit_1() {
    let d = tmp("dup");
    let text = signed_credential(&d);
    let clean = d.join("clean.json");
    std::fs::write(&clean, &text).unwrap();
    let v = run(&["verify", "--offline", "--json", s(&clean)]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    // A first `name` that readers keeping the first member see; the signature covers the last.
    let (head, tail) = text.split_once('{').unwrap();
    let doctored = format!("{head}{{\"name\": \"Forged\",{tail}");
    let dup = d.join("dup.json");
    std::fs::write(&dup, doctored).unwrap();
    let v = run(&["verify", "--offline", "--json", s(&dup)]);
    assert_eq!(
        v.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&v.stdout)
    );
    let l = line(&v);
    assert_eq!(l["status"], "invalid");
    assert_eq!(l["errors"][0]["code"], "MALFORMED_JSON");
    let msg = l["errors"][0]["message"].as_str().unwrap();
    assert!(msg.contains("duplicate member name at /name"), "{msg}");
    // `inspect` calls it invalid too (exit 1), not "could not check".
    let i = run(&["inspect", "--json", s(&dup)]);
    assert_eq!(
        i.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&i.stdout)
    );
}

#[test]
fn verify_refuses_every_spelling_of_loopback_without_connecting_exit_2() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let p = l.local_addr().unwrap().port();
    for url in [
        format!("http://2130706433:{p}/a.json"),
        format!("http://0x7f.1:{p}/a.json"),
        format!("http://[::ffff:127.0.0.1]:{p}/a.json"),
        format!("http://[2002:7f00:1::]:{p}/a.json"),
        format!("http://[64:ff9b::7f00:1]:{p}/a.json"),
    ] {
        let v = run(&["verify", "--json", &url]);
        assert_eq!(
            v.status.code(),
            Some(2),
            "{url}: {}",
            String::from_utf8_lossy(&v.stdout)
        );
        let l = line(&v);
        assert_eq!(l["status"], "indeterminate", "{url}");
        let msg = l["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(msg.contains("refused"), "{url}: {msg}");
    }
    match l.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("a refused url reached the listener: {other:?}"),
    }
}
