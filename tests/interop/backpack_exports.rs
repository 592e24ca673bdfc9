//! The backpack's signed exports, all offline:
//! 1. a fresh backpack imports OB 3.0 credentials (two did:key issuers, the spec vector's https
//!    issuer) and one OB 2.0 badge with the CLI; a collection of all of them is made;
//! 2. `backpack export --format vp --holder-key` (with a challenge and domain) and
//!    `backpack export --format clr --collection --issuer-key` (did:key issuer; the OB 2.0 badge
//!    is skipped and said so);
//! 3. both verify with our CLI (exit 0, every embedded credential valid), the CLR with `ob3-js`
//!    and `dcc-verify`, the presentation with `dcc-verify` (holder, challenge, domain, embedded
//!    credentials);
//! 4. tampered copies of each are rejected by every verifier, and the presentation is rejected
//!    by `dcc-verify` for another verifier's challenge.

use std::path::Path;
use std::process::Output;

use openbadges_test_support::cli::{Cli, code};
use openbadges_test_support::fixtures::{TempDir, fixtures_dir};
use openbadges_test_support::peers::{Peer, Peers};
use serde_json::Value;

use crate::documents::{documents_dir, issuer_document, read_json};
use crate::harness::{Tally, arg, dcc_verdict, dcc_verify_script, report, succeeded, write_json};

/// The presentation's challenge and domain.
const CHALLENGE: &str = "c-8f1e2d";
const DOMAIN: &str = "verifier.example";

/// What the checks share.
struct Exports<'a> {
    cli: Cli,
    peers: &'a Peers,
    work: TempDir,
    /// The `--documents` folder with the spec vector's issuer document.
    docs: String,
}

#[test]
fn backpack_exports_verify_with_the_peers() {
    let Some(peers) = Peers::get() else { return };
    let mut t = Tally::new("interop-backpack-exports");
    let work = TempDir::new("interop-backpack");
    // The OB 3.0 spec vector names its key only in an `https://example.edu/issuers/565049#z6Mk…`
    // fragment, which proves nothing to our verifier: give it the controller document that
    // issuer would publish (example.edu serves none). The peers read the key from the fragment.
    let keys = read_json(&fixtures_dir(
        "ob3/spec-vectors/obv3p0-keys-and-hashes.json",
    ));
    let (issuer, doc) = issuer_document(keys["verificationMethod"].as_str().unwrap());
    let docs = arg(&documents_dir(
        &work.join("issuer-docs"),
        &[(issuer.as_str(), &doc)],
    ));
    let s = Exports {
        cli: Cli::built(),
        peers,
        work,
        docs,
    };
    let (vp, clr) = s.a_backpack_exports(&mut t);
    s.the_exports_verify(&mut t, &vp, &clr);
    s.tampered_exports_are_rejected(&mut t, &vp, &clr);
    t.finish();
}

impl Exports<'_> {
    /// `openbadges backpack --store STORE ARGS`.
    fn backpack(&self, args: &[&str]) -> Output {
        let store = arg(&self.work.join("store"));
        let mut all = vec!["backpack", "--store", &store];
        all.extend_from_slice(args);
        self.cli.run(all)
    }

    /// Our verdict on `file`: the CLI's exit code, and 1 when it exits 0 without every embedded
    /// credential valid.
    fn ours(&self, file: &Path) -> (i32, Output) {
        let file = arg(file);
        let out = self.cli.run([
            "verify",
            "--offline",
            "--documents",
            &self.docs,
            "--json",
            &file,
        ]);
        let rc = match code(&out) {
            0 => {
                let r = report(&out).unwrap_or(Value::Null);
                let creds = r["credentials"].as_array().cloned().unwrap_or_default();
                let all_valid = creds.iter().all(|c| c["status"] == "valid");
                if r["status"] == "valid" && !creds.is_empty() && all_valid {
                    0
                } else {
                    1
                }
            }
            rc => rc,
        };
        (rc, out)
    }

    /// `dcc-verify MODE FILE ARGS`.
    fn dcc(&self, mode: &str, file: &Path, args: &[&str]) -> Output {
        let mut c = self.peers.node(&dcc_verify_script());
        c.arg(mode).arg(file).args(args);
        c.output().unwrap()
    }

    /// Parts 1 and 2: the import, the collection, the two exports; returns (presentation, CLR).
    fn a_backpack_exports(&self, t: &mut Tally) -> (std::path::PathBuf, std::path::PathBuf) {
        let key = |name: &str| {
            let (k, p) = (
                arg(&self.work.join(format!("{name}.pem"))),
                arg(&self.work.join(format!("{name}.pub.pem"))),
            );
            succeeded(
                "keygen",
                self.cli
                    .run(["keygen", "--alg", "ed25519", "-o", &k, "--public", &p]),
            );
            k
        };
        let (issuer, holder) = (key("issuer"), key("holder"));
        let f = |p: &str| arg(&fixtures_dir(p));
        let inputs = [
            f("ob3/peers/js-ob3-eddsa-rdfc-2022-didkey.json"),
            f("ob3/peers/ob3-eddsa-rdfc-2022-didkey.json"),
            f("ob3/spec-vectors/obv3p0-signed-eddsa-rdfc-2022.json"),
            f("ob2/served/signed/valid.jws"),
        ];
        let mut import = vec![
            "import",
            "--offline",
            "--json",
            "--identity",
            "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "--identity",
            "email:student@example.org",
        ];
        import.extend(inputs.iter().map(String::as_str));
        t.exit(
            "import OB 3.0 credentials and an OB 2.0 badge",
            0,
            &self.backpack(&import),
        );
        t.exit(
            "make a collection of every badge",
            0,
            &self.backpack(&[
                "collection",
                "Learning path",
                "--description",
                "Badges 101, then more",
            ]),
        );
        let (vp, clr) = (self.work.join("vp.json"), self.work.join("clr.json"));
        t.exit(
            "export a holder-signed presentation",
            0,
            &self.backpack(&[
                "export",
                "--format",
                "vp",
                "--holder-key",
                &holder,
                "--challenge",
                CHALLENGE,
                "--domain",
                DOMAIN,
                "-o",
                &arg(&vp),
            ]),
        );
        let out = self.backpack(&[
            "export",
            "--format",
            "clr",
            "--collection",
            "Learning path",
            "--issuer-key",
            &issuer,
            "--issuer-name",
            "Backpack CI",
            "-o",
            &arg(&clr),
        ]);
        t.exit("export a signed CLR of the collection", 0, &out);
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let names_skipped = said
            .lines()
            .any(|l| l.find("skipped").is_some_and(|i| l[i..].contains("OB 2.0")));
        t.check(
            "the CLR export names the skipped OB 2.0 badge",
            names_skipped,
            || said.clone(),
        );
        t.exit(
            "export clr without --issuer-key exits 2",
            2,
            &self.backpack(&[
                "export",
                "--format",
                "clr",
                "--collection",
                "Learning path",
                "-o",
                &arg(&self.work.join("x.json")),
            ]),
        );
        let shapes = export_shapes(&read_json(&clr), &read_json(&vp));
        t.check(
            "export shapes (3 credentials each, associations, holder)",
            shapes.is_ok(),
            || shapes.err().unwrap_or_default(),
        );
        (vp, clr)
    }

    /// Part 3: the exports verify with ours, ob3-js and dcc-verify; the presentation is refused
    /// for another challenge.
    fn the_exports_verify(&self, t: &mut Tally, vp: &Path, clr: &Path) {
        let (rc, out) = self.ours(clr);
        t.verdict("ours accepts the CLR (and its 3 credentials)", 0, rc, &out);
        let (rc, out) = self.ours(vp);
        t.verdict(
            "ours accepts the presentation (and its 3 credentials)",
            0,
            rc,
            &out,
        );
        t.exit(
            "ob3-js accepts the CLR",
            0,
            &self.peers.run(Peer::Ob3Js, &["verify", &arg(clr)]),
        );
        let out = self.dcc("credential", clr, &[]);
        t.verdict("dcc-verify accepts the CLR", 0, dcc_verdict(&out), &out);
        let out = self.dcc(
            "presentation",
            vp,
            &["--challenge", CHALLENGE, "--domain", DOMAIN],
        );
        t.verdict(
            "dcc-verify accepts the presentation (challenge, domain)",
            0,
            dcc_verdict(&out),
            &out,
        );
        let out = self.dcc(
            "presentation",
            vp,
            &["--challenge", "other", "--domain", DOMAIN],
        );
        t.verdict(
            "dcc-verify rejects the presentation for another challenge",
            1,
            dcc_verdict(&out),
            &out,
        );
    }

    /// Part 4: tampered copies of the CLR and of the presentation, rejected by every verifier.
    fn tampered_exports_are_rejected(&self, t: &mut Tally, vp: &Path, clr: &Path) {
        let tamper = |from: &Path, name: &str, change: &dyn Fn(&mut Value)| {
            let mut d = read_json(from);
            change(&mut d);
            write_json(&self.work.join(format!("{name}.json")), &d)
        };
        let clr_name = tamper(clr, "clr-name", &|d| {
            let n = d["name"].as_str().unwrap_or("").to_owned();
            d["name"] = Value::String(format!("{n} (tampered)"));
        });
        let clr_assoc = tamper(clr, "clr-assoc", &|d| {
            d["credentialSubject"]["association"]
                .as_array_mut()
                .unwrap()
                .pop();
        });
        let clr_member = tamper(clr, "clr-member", &|d| {
            d["credentialSubject"]["verifiableCredential"][0]["name"] = "tampered".into();
        });
        for (name, file) in [
            ("clr-name", &clr_name),
            ("clr-assoc", &clr_assoc),
            ("clr-member", &clr_member),
        ] {
            let (rc, out) = self.ours(file);
            t.verdict(format!("ours rejects {name}"), 1, rc, &out);
            t.exit(
                format!("ob3-js rejects {name}"),
                1,
                &self.peers.run(Peer::Ob3Js, &["verify", &arg(file)]),
            );
            let out = self.dcc("credential", file, &[]);
            t.verdict(
                format!("dcc-verify rejects {name}"),
                1,
                dcc_verdict(&out),
                &out,
            );
        }
        let vp_member = tamper(vp, "vp-member", &|d| {
            d["verifiableCredential"][0]["name"] = "tampered".into();
        });
        let vp_dropped = tamper(vp, "vp-dropped", &|d| {
            d["verifiableCredential"].as_array_mut().unwrap().pop();
        });
        let vp_holder = tamper(vp, "vp-holder", &|d| {
            d["holder"] = "did:key:z6MkhWDhfs2jWcsyZ8QyA6iZvmkgxvbd2L383NuGjk5Cbj2m".into();
        });
        for (name, file) in [
            ("vp-member", &vp_member),
            ("vp-dropped", &vp_dropped),
            ("vp-holder", &vp_holder),
        ] {
            let (rc, out) = self.ours(file);
            t.verdict(format!("ours rejects {name}"), 1, rc, &out);
            let out = self.dcc(
                "presentation",
                file,
                &["--challenge", CHALLENGE, "--domain", DOMAIN],
            );
            t.verdict(
                format!("dcc-verify rejects {name}"),
                1,
                dcc_verdict(&out),
                &out,
            );
        }
    }
}

/// The shapes of the two exports: a ClrCredential of 3 credentials with `precedes`
/// associations and a did:key issuer; a presentation of 3 credentials by a did:key holder
/// with an authentication proof for the challenge.
fn export_shapes(clr: &Value, vp: &Value) -> Result<(), String> {
    let s = &clr["credentialSubject"];
    let checks = [
        (
            clr["type"] == serde_json::json!(["VerifiableCredential", "ClrCredential"]),
            format!("CLR type {}", clr["type"]),
        ),
        (
            s["verifiableCredential"].as_array().map(Vec::len) == Some(3),
            "CLR credentials".into(),
        ),
        (
            s["association"].as_array().is_some_and(|a| {
                !a.is_empty() && a.iter().all(|x| x["associationType"] == "precedes")
            }),
            "CLR associations".into(),
        ),
        (
            clr["issuer"]["id"]
                .as_str()
                .is_some_and(|i| i.starts_with("did:key:z6Mk")),
            "CLR issuer".into(),
        ),
        (
            vp["holder"]
                .as_str()
                .is_some_and(|h| h.starts_with("did:key:z6Mk"))
                && vp["verifiableCredential"].as_array().map(Vec::len) == Some(3),
            "presentation holder and credentials".into(),
        ),
        (
            vp["proof"]["proofPurpose"] == "authentication"
                && vp["proof"]["challenge"] == CHALLENGE,
            "presentation proof".into(),
        ),
    ];
    match checks.into_iter().find(|(ok, _)| !ok) {
        None => Ok(()),
        Some((_, what)) => Err(format!("wrong {what}")),
    }
}
