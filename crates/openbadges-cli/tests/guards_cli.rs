//! The CLI's exit codes for duplicate JSON member names (invalid, exit 1, the JSON pointer
//! named) and for refused fetches in any spelling of a loopback/private address (could not
//! check, exit 2, no connection made).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use openbadges_test_support::http::Trap;

mod common;
use common::{ed25519_key_and_method, line, ob3_credential, run, s, sign_eddsa_rdfc_2022, tmp};

/// A credential signed eddsa-rdfc-2022 by a fresh did:key, as text.
fn signed_credential(d: &Path) -> String {
    let (key, vm) = ed25519_key_and_method(d, "ed");
    let did = vm.split('#').next().unwrap();
    let input = d.join("cred.json");
    std::fs::write(&input, ob3_credential(did).to_string()).unwrap();
    let o = sign_eddsa_rdfc_2022(&key, &input);
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
    let trap = Trap::new();
    let p = trap.port();
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
    trap.assert_untouched("a refused url reached the listener");
}
