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
use std::process::Output;

use serde_json::{Value, json};

mod common;
use common::{TempDir, documents_dir, fixture, run, s, spec_vector_issuer_document, tmp};

/// `openbadges verify --offline --json FILE`, with the spec vectors' issuer document
/// preloaded (one of the exported credentials is the OB 3.0 spec vector): the exit code and
/// the report.
fn verify(file: &Path) -> (i32, Value) {
    let (issuer, doc) = spec_vector_issuer_document();
    let dir = file.with_extension("docs");
    let docs = documents_dir(&dir, &[(&issuer, &doc)]);
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

/// A store holding three OB 3.0 credentials and an OB 2.0 badge, all in the collection
/// `Path`, and an issuer key and a holder key made by `keygen`.
struct Exports {
    dir: TempDir,
    store: PathBuf,
    issuer: PathBuf,
    holder: PathBuf,
}

impl Exports {
    /// Makes the two keys, imports the four badges offline and collects them as `Path`.
    fn new() -> Exports {
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
        Exports {
            dir,
            store,
            issuer,
            holder,
        }
    }

    /// `backpack export -o OUT EXTRA...` on the store.
    fn export(&self, extra: &[&str], out: &Path) -> Output {
        let mut a = vec![
            "backpack",
            "--store",
            s(&self.store),
            "export",
            "-o",
            s(out),
        ];
        a.extend_from_slice(extra);
        run(&a)
    }
}

/// The CLR of the collection: without an issuer key exit 2, saying so; with one, signed by the
/// key's did:key, the OB 2.0 badge skipped and named; it verifies with every embedded
/// credential, and a tampered copy is invalid.
fn clr_export_verifies_and_its_tampered_copy_does_not(ex: &Exports) {
    // No issuer key: exit 2, saying so.
    let clr = ex.dir.join("clr.json");
    let o = ex.export(&["--format", "clr", "--collection", "Path"], &clr);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--issuer-key"));

    // The CLR: signed by the issuer key's did:key, the OB 2.0 badge skipped and named.
    let o = ex.export(
        &[
            "--format",
            "clr",
            "--collection",
            "Path",
            "--issuer-key",
            s(&ex.issuer),
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
    let bad = ex.dir.join("clr-tampered.json");
    write(&bad, &t);
    assert_eq!(verify(&bad).0, 1);
}

/// The presentation for one verifier (holder key, challenge `c-1`, domain
/// `verifier.example`): it verifies with its three credentials. Returns its path and document.
fn presentation_for_one_verifier_verifies(ex: &Exports) -> (PathBuf, Value) {
    let vp = ex.dir.join("vp.json");
    let o = ex.export(
        &[
            "--format",
            "vp",
            "--holder-key",
            s(&ex.holder),
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
    (vp, doc)
}

/// The verifier's expectations: the right challenge and domain pass, others do not.
fn presentation_passes_only_the_expected_challenge_and_domain(ex: &Exports, vp: &Path) {
    let (issuer_id, issuer_doc) = spec_vector_issuer_document();
    let issuer_docs = documents_dir(&ex.dir.join("expect"), &[(&issuer_id, &issuer_doc)]);
    let expect = |extra: &[&str]| {
        let mut a = vec![
            "verify",
            "--offline",
            "--documents",
            s(&issuer_docs),
            "--json",
        ];
        a.extend_from_slice(extra);
        a.push(s(vp));
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
}

/// A presentation with one of its credentials changed is invalid.
fn tampered_presentation_is_invalid(ex: &Exports, doc: &Value) {
    let mut t = doc.clone();
    t["verifiableCredential"][1]["name"] = json!("tampered");
    let bad = ex.dir.join("vp-tampered.json");
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
}

/// The collection as a presentation skips and names the OB 2.0 badge, as the CLR does; an
/// unsigned presentation verifies its credentials and is flagged, never a signature; a
/// challenge without a holder key exits 2.
fn collection_and_unsigned_presentations(ex: &Exports, vp: &Path) {
    let o = ex.export(&["--format", "vp", "--collection", "Path"], vp);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("skipped"),
        "{o:?}"
    );
    assert_eq!(
        read(vp)["verifiableCredential"].as_array().unwrap().len(),
        3
    );

    // Unsigned: verified credentials, flagged, never a signature.
    let o = ex.export(&["--format", "vp"], vp);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let (code, report) = verify(vp);
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
    let o = ex.export(&["--format", "vp", "--challenge", "c-1"], vp);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn signed_clr_and_presentation_verify_and_tampered_copies_do_not() {
    let ex = Exports::new();
    clr_export_verifies_and_its_tampered_copy_does_not(&ex);
    let (vp, doc) = presentation_for_one_verifier_verifies(&ex);
    presentation_passes_only_the_expected_challenge_and_domain(&ex, &vp);
    tampered_presentation_is_invalid(&ex, &doc);
    collection_and_unsigned_presentations(&ex, &vp);
}
