//! The backpack's signed exports on the built binary: `backpack export --format clr` of a
//! collection (issuer key) and `--format vp` (holder key, challenge, domain) both verify with
//! `openbadges verify --offline` — the presentation and the CLR with every embedded credential —
//! and tampered copies are invalid (exit 1). A missing issuer key exits 2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_openbadges"))
}

fn fixture(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
        .display()
        .to_string()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "ob-backpack-exports-cli-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

mod support;

/// `openbadges verify --offline --json FILE`, with the spec vectors' issuer document
/// preloaded (one of the exported credentials is the OB 3.0 spec vector): the exit code and
/// the report.
fn verify(file: &Path) -> (i32, Value) {
    let (issuer, doc) = support::spec_vector_issuer_document();
    let dir = file.with_extension("docs");
    let docs = support::documents_dir(&dir, &[(&issuer, &doc)]);
    let o = run(&[
        "verify",
        "--offline",
        "--documents",
        s(&docs),
        "--json",
        s(file),
    ]);
    let line = String::from_utf8_lossy(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    (
        o.status.code().unwrap(),
        serde_json::from_str(&line).unwrap_or(Value::Null),
    )
}

fn read(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn write(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_vec(v).unwrap()).unwrap();
}

#[test]
fn signed_clr_and_presentation_verify_and_tampered_copies_do_not() {
    let dir = tmp("exports");
    let store = dir.join("store");
    let (issuer, holder) = (dir.join("issuer.pem"), dir.join("holder.pem"));
    for (k, p) in [(&issuer, "issuer.pub.pem"), (&holder, "holder.pub.pem")] {
        let pubk = dir.join(p);
        let o = run(&[
            "keygen",
            "--alg",
            "ed25519",
            "-o",
            s(k),
            "--public",
            s(&pubk),
        ]);
        assert_eq!(o.status.code(), Some(0), "{o:?}");
    }
    let inputs = [
        fixture("ob3/peers/js-ob3-eddsa-rdfc-2022-didkey.json"),
        fixture("ob3/peers/ob3-eddsa-rdfc-2022-didkey.json"),
        fixture("ob3/spec-vectors/obv3p0-signed-eddsa-rdfc-2022.json"),
        fixture("ob2/served/signed/valid.jws"),
    ];
    let mut args = vec![
        "backpack",
        "--store",
        s(&store),
        "import",
        "--offline",
        "--identity",
        "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "--identity",
        "email:student@example.org",
    ];
    args.extend(inputs.iter().map(String::as_str));
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{o:?}");

    // A collection of everything, in import order.
    let o = run(&["backpack", "--store", s(&store), "collection", "Path"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");

    // No issuer key: exit 2, saying so.
    let clr = dir.join("clr.json");
    let export = |extra: &[&str], out: &Path| {
        let mut a = vec!["backpack", "--store", s(&store), "export", "-o", s(out)];
        a.extend_from_slice(extra);
        run(&a)
    };
    let o = export(&["--format", "clr", "--collection", "Path"], &clr);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--issuer-key"));

    // The CLR: signed by the issuer key's did:key, the OB 2.0 badge skipped and named.
    let o = export(
        &[
            "--format",
            "clr",
            "--collection",
            "Path",
            "--issuer-key",
            s(&issuer),
        ],
        &clr,
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("skipped"));
    let doc = read(&clr);
    assert_eq!(
        doc["credentialSubject"]["verifiableCredential"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let (code, report) = verify(&clr);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["status"], "valid");
    let creds = report["credentials"].as_array().unwrap();
    assert_eq!(creds.len(), 3);
    assert!(creds.iter().all(|c| c["status"] == "valid"), "{report:#}");
    let mut t = doc.clone();
    t["credentialSubject"]["association"] = json!([]);
    let bad = dir.join("clr-tampered.json");
    write(&bad, &t);
    assert_eq!(verify(&bad).0, 1);

    // The presentation, for one verifier.
    let vp = dir.join("vp.json");
    let o = export(
        &[
            "--format",
            "vp",
            "--holder-key",
            s(&holder),
            "--challenge",
            "c-1",
            "--domain",
            "verifier.example",
        ],
        &vp,
    );
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let doc = read(&vp);
    assert_eq!(doc["proof"]["challenge"], "c-1");
    assert_eq!(doc["proof"]["domain"], "verifier.example");
    let (code, report) = verify(&vp);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["version"], "vp");
    assert_eq!(report["credentials"].as_array().unwrap().len(), 3);
    // The verifier's expectations: the right challenge and domain pass, others do not.
    let (issuer_id, issuer_doc) = support::spec_vector_issuer_document();
    let issuer_docs = support::documents_dir(&dir.join("expect"), &[(&issuer_id, &issuer_doc)]);
    let expect = |extra: &[&str]| {
        let mut a = vec![
            "verify",
            "--offline",
            "--documents",
            s(&issuer_docs),
            "--json",
        ];
        a.extend_from_slice(extra);
        a.push(s(&vp));
        let o = run(&a);
        let report: Value = serde_json::from_slice(&o.stdout).unwrap();
        (o.status.code(), report)
    };
    let (code, report) = expect(&["--challenge", "c-1", "--domain", "verifier.example"]);
    assert_eq!(code, Some(0), "{report:#}");
    let (code, report) = expect(&["--challenge", "c-2"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "CHALLENGE_MISMATCH"),
        "{report:#}"
    );
    let (code, report) = expect(&["--domain", "elsewhere.example"]);
    assert_eq!(code, Some(1), "{report:#}");
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "DOMAIN_MISMATCH"),
        "{report:#}"
    );
    let mut t = doc.clone();
    t["verifiableCredential"][1]["name"] = json!("tampered");
    let bad = dir.join("vp-tampered.json");
    write(&bad, &t);
    let (code, report) = verify(&bad);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "SIGNATURE_INVALID" || e["code"] == "CREDENTIAL_INVALID")
    );

    // The collection as a presentation: the OB 2.0 badge is skipped and named, as in the CLR.
    let o = export(&["--format", "vp", "--collection", "Path"], &vp);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("skipped"),
        "{o:?}"
    );
    assert_eq!(
        read(&vp)["verifiableCredential"].as_array().unwrap().len(),
        3
    );

    // Unsigned: verified credentials, flagged, never a signature.
    let o = export(&["--format", "vp"], &vp);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let (code, report) = verify(&vp);
    assert_eq!(code, 0, "{report:#}");
    assert!(
        report["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "PRESENTATION_UNSIGNED"),
        "{report:#}"
    );
    // Challenge without a holder key: exit 2.
    let o = export(&["--format", "vp", "--challenge", "c-1"], &vp);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
