//! OB 3.0 with the two peer stacks (`ob3-js`: the DCC JavaScript stack, `ob3-py`:
//! openbadgeslib), both directions, all offline:
//! 1. credentials we sign verify with the peers: eddsa-rdfc-2022 with a did:key issuer and with
//!    an https issuer whose verification method is `<issuer>#z6Mk…` (both peers), VC-JWT RS256 /
//!    ES256 / EdDSA (ob3-py; ob3-js verifies Data Integrity only). Our verifier gets the https
//!    issuer's controller document (`--documents`): the key in the fragment alone proves nothing
//!    to us. The peers read the key from the fragment (the 1EdTech validator's shortcut), so they
//!    also accept a forger's key there; that is printed as a note, not required;
//! 2. fresh credentials the peers issue (ob3-js issue, ob3-py issue-ldp, ob3-py issue-jwt for each
//!    algorithm) verify with ours (VC-JWT keys pinned with `--trusted-key`: the peer puts the key
//!    only in the JOSE header, which our key-provenance policy does not trust alone);
//! 3. tampered copies of all of them are rejected by every verifier.

use std::path::{Path, PathBuf};
use std::process::Output;

use openbadges_test_support::cli::Cli;
use openbadges_test_support::fixtures::{TempDir, fixtures_dir};
use openbadges_test_support::peers::{Peer, Peers};
use serde_json::Value;

use crate::documents::{
    documents_dir, issuer_document, read_json, tamper_json_file, tamper_jwt_file,
};
use crate::harness::{Tally, arg, succeeded, write_json};

/// The https issuer of the spec vectors, whose key we name in a fragment.
const HTTPS_ISSUER: &str = "https://example.edu/issuers/565049";

/// The VC-JWT algorithms, with the `keygen` name of each.
const JWT_ALGS: [(&str, &str); 3] = [("rs256", "RS256"), ("es256", "ES256"), ("ed25519", "EdDSA")];

/// What the checks share: our CLI, the peers, the work folder.
struct Ob3<'a> {
    cli: Cli,
    peers: &'a Peers,
    work: TempDir,
}

#[test]
fn ob3_peers_agree_both_directions() {
    let Some(peers) = Peers::get() else { return };
    let mut t = Tally::new("interop-ob3");
    let s = Ob3 {
        cli: Cli::built(),
        peers,
        work: TempDir::new("interop-ob3"),
    };
    s.the_peers_verify_what_we_sign(&mut t);
    s.we_verify_what_the_peers_issue(&mut t);
    t.finish();
}

impl Ob3<'_> {
    /// A file in the work folder.
    fn file(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    /// Our CLI with `args`, exit code asserted 0, stdout written to `name` in the work folder.
    fn ours_to(&self, name: &str, args: &[&str]) -> PathBuf {
        let out = succeeded(&format!("openbadges {args:?}"), self.cli.run(args));
        self.work.write(name, out)
    }

    /// `openbadges verify --offline ARGS`.
    fn ours(&self, args: &[&str]) -> Output {
        let mut all = vec!["verify", "--offline"];
        all.extend_from_slice(args);
        self.cli.run(all)
    }

    /// A peer script with `args`.
    fn peer(&self, peer: Peer, args: &[&str]) -> Output {
        self.peers.run(peer, args)
    }

    /// A peer's `verify FILE`.
    fn peer_verify(&self, peer: Peer, file: &Path) -> Output {
        self.peer(peer, &["verify", &arg(file)])
    }

    /// Generates a key pair `NAME.pem` / `NAME.pub.pem` with `keygen --alg ALG`.
    fn keygen(&self, alg: &str, name: &str) -> (String, String) {
        let (k, p) = (
            arg(&self.file(&format!("{name}.pem"))),
            arg(&self.file(&format!("{name}.pub.pem"))),
        );
        succeeded(
            "keygen",
            self.cli
                .run(["keygen", "--alg", alg, "-o", &k, "--public", &p]),
        );
        (k, p)
    }

    /// The default verification method (`did:key:z6Mk…#z6Mk…`) of the Ed25519 key `key`, learned
    /// from a first signature.
    fn verification_method(&self, key: &str, probe: &str) -> String {
        let unsigned = arg(&fixtures_dir("ob3/spec-vectors/obv3p0-unsigned.json"));
        let signed = self.ours_to(
            probe,
            &[
                "sign",
                "--key",
                key,
                "--format",
                "eddsa-rdfc-2022",
                &unsigned,
            ],
        );
        read_json(&signed)["proof"]["verificationMethod"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A copy of the unsigned spec vector whose issuer id is `issuer`, written to `name`.
    fn with_issuer(&self, name: &str, issuer: &str) -> String {
        let mut d = read_json(&fixtures_dir("ob3/spec-vectors/obv3p0-unsigned.json"));
        if d["issuer"].is_object() {
            d["issuer"]["id"] = Value::String(issuer.to_owned());
        } else {
            d["issuer"] = Value::String(issuer.to_owned());
        }
        arg(&write_json(&self.file(name), &d))
    }

    /// Part 1: what we sign, verified by the peers and by us; tampered copies rejected by all;
    /// a forger's fragment key refused by us.
    fn the_peers_verify_what_we_sign(&self, t: &mut Tally) {
        let (ed, _) = self.keygen("ed25519", "ed");
        let vm = self.verification_method(&ed, "probe.json");
        let (did, mk) = vm.split_once('#').unwrap();
        let in_did = self.with_issuer("in-did.json", did);
        let in_https = self.with_issuer("in-https.json", HTTPS_ISSUER);
        self.ours_to(
            "ours-didkey.json",
            &["sign", "--key", &ed, "--format", "eddsa-rdfc-2022", &in_did],
        );
        let https_vm = format!("{HTTPS_ISSUER}#{mk}");
        self.ours_to(
            "ours-https.json",
            &[
                "sign",
                "--key",
                &ed,
                "--format",
                "eddsa-rdfc-2022",
                "--verification-method",
                &https_vm,
                &in_https,
            ],
        );
        let (issuer, doc) = issuer_document(&https_vm);
        let docs = arg(&documents_dir(
            &self.file("issuer-docs"),
            &[(issuer.as_str(), &doc)],
        ));
        for f in ["ours-didkey", "ours-https"] {
            let good = self.file(&format!("{f}.json"));
            let bad = tamper_json_file(&good, &self.file(&format!("{f}-tampered.json")));
            let (good_s, bad_s) = (arg(&good), arg(&bad));
            let label = format!("our eddsa-rdfc-2022 ({f})");
            t.exit(
                format!("ob3-js accepts {label}"),
                0,
                &self.peer_verify(Peer::Ob3Js, &good),
            );
            t.exit(
                format!("ob3-py accepts {label}"),
                0,
                &self.peer_verify(Peer::Ob3Py, &good),
            );
            t.exit(
                format!("ours accepts {label}"),
                0,
                &self.ours(&["--documents", &docs, &good_s]),
            );
            t.exit(
                format!("ob3-js rejects tampered {f}"),
                1,
                &self.peer_verify(Peer::Ob3Js, &bad),
            );
            t.exit(
                format!("ob3-py rejects tampered {f}"),
                1,
                &self.peer_verify(Peer::Ob3Py, &bad),
            );
            t.exit(
                format!("ours rejects tampered {f}"),
                1,
                &self.ours(&["--documents", &docs, &bad_s]),
            );
        }
        // Without the issuer's document our verifier cannot tell whose key the fragment names.
        t.exit(
            "ours: https fragment key without the issuer's document is could-not-check",
            2,
            &self.ours(&[&arg(&self.file("ours-https.json"))]),
        );
        self.a_forgers_fragment_key_is_refused(t, &in_https, &docs);
        self.our_vc_jwts(t, &in_https);
        // The DID-bound VC-JWT (issuer did:key, kid = its verification method) needs no pinning.
        let jwt = self.ours_to(
            "ours-didkey.jwt",
            &[
                "sign", "--key", &ed, "--format", "vc-jwt", "--kid", &vm, &in_did,
            ],
        );
        t.exit(
            "ob3-py accepts our did:key VC-JWT",
            0,
            &self.peer_verify(Peer::Ob3Py, &jwt),
        );
        t.exit(
            "ours accepts our did:key VC-JWT (bound by the DID)",
            0,
            &self.ours(&[&arg(&jwt)]),
        );
    }

    /// A forger's key in the fragment, in the same https issuer's name: invalid for us with the
    /// issuer's document, could-not-check offline; what the peers say is printed.
    fn a_forgers_fragment_key_is_refused(&self, t: &mut Tally, in_https: &str, docs: &str) {
        let (forger, _) = self.keygen("ed25519", "forger");
        let fvm = self.verification_method(&forger, "probe-forger.json");
        let fmk = fvm.split_once('#').unwrap().1;
        let forged = self.ours_to(
            "forged-https.json",
            &[
                "sign",
                "--key",
                &forger,
                "--format",
                "eddsa-rdfc-2022",
                "--verification-method",
                &format!("{HTTPS_ISSUER}#{fmk}"),
                in_https,
            ],
        );
        let forged_s = arg(&forged);
        t.exit(
            "ours: forged fragment key, issuer's document given, is invalid \
             (KEY_NOT_LISTED_BY_ISSUER)",
            1,
            &self.ours(&["--documents", docs, &forged_s]),
        );
        t.exit(
            "ours: forged fragment key offline is could-not-check",
            2,
            &self.ours(&[&forged_s]),
        );
        for (name, peer) in [("ob3-js", Peer::Ob3Js), ("ob3-py", Peer::Ob3Py)] {
            let rc = self.peer_verify(peer, &forged).status.code();
            t.note(format!(
                "{name} on a forger's key in an https fragment: exit {rc:?} \
                 (0 = the fragment shortcut, accepted)"
            ));
        }
    }

    /// Our VC-JWTs (RS256, ES256, EdDSA) of the https issuer: ob3-py accepts them with the key
    /// from the header and pinned, we accept them pinned, tampered copies are rejected.
    fn our_vc_jwts(&self, t: &mut Tally, in_https: &str) {
        for (keyalg, alg) in JWT_ALGS {
            let (key, public) = self.keygen(keyalg, &format!("jwt-{keyalg}"));
            let jwt = self.ours_to(
                &format!("ours-{alg}.jwt"),
                &["sign", "--key", &key, "--format", "vc-jwt", in_https],
            );
            let bad = tamper_jwt_file(&jwt, &self.file(&format!("ours-{alg}-tampered.jwt")));
            let (jwt_s, bad_s) = (arg(&jwt), arg(&bad));
            t.exit(
                format!("ob3-py accepts our VC-JWT {alg} (header jwk)"),
                0,
                &self.peer_verify(Peer::Ob3Py, &jwt),
            );
            t.exit(
                format!("ob3-py accepts our VC-JWT {alg} (pinned key)"),
                0,
                &self.peer(Peer::Ob3Py, &["verify", "--pub", &public, &jwt_s]),
            );
            t.exit(
                format!("ours accepts our VC-JWT {alg} (pinned key)"),
                0,
                &self.ours(&["--trusted-key", &public, &jwt_s]),
            );
            t.exit(
                format!("ob3-py rejects tampered VC-JWT {alg}"),
                1,
                &self.peer(Peer::Ob3Py, &["verify", "--pub", &public, &bad_s]),
            );
            t.exit(
                format!("ours rejects tampered VC-JWT {alg}"),
                1,
                &self.ours(&["--trusted-key", &public, &bad_s]),
            );
        }
    }

    /// Part 2: fresh credentials the peers issue (Data Integrity from both, VC-JWT from ob3-py),
    /// verified by us; tampered copies rejected by us and by the peers.
    fn we_verify_what_the_peers_issue(&self, t: &mut Tally) {
        let unsigned = arg(&fixtures_dir("ob3/spec-vectors/obv3p0-unsigned.json"));
        let issued = [
            ("js-ldp", self.peer(Peer::Ob3Js, &["issue", &unsigned])),
            ("py-ldp", self.peer(Peer::Ob3Py, &["issue-ldp", &unsigned])),
        ];
        for (f, out) in issued {
            let good = self
                .work
                .write(&format!("{f}.json"), succeeded(&format!("{f} issue"), out));
            let bad = tamper_json_file(&good, &self.file(&format!("{f}-tampered.json")));
            t.exit(
                format!("ours accepts {f} (eddsa-rdfc-2022, did:key)"),
                0,
                &self.ours(&[&arg(&good)]),
            );
            t.exit(
                format!("ours rejects tampered {f}"),
                1,
                &self.ours(&[&arg(&bad)]),
            );
            t.exit(
                format!("ob3-js rejects tampered {f}"),
                1,
                &self.peer_verify(Peer::Ob3Js, &bad),
            );
            t.exit(
                format!("ob3-py rejects tampered {f}"),
                1,
                &self.peer_verify(Peer::Ob3Py, &bad),
            );
        }
        for (_, alg) in JWT_ALGS {
            let public = arg(&self.file(&format!("py-{alg}.pub.pem")));
            let out = self.peer(
                Peer::Ob3Py,
                &["issue-jwt", "--alg", alg, "--pub", &public, &unsigned],
            );
            let jwt = self.work.write(
                &format!("py-{alg}.jwt"),
                succeeded(&format!("ob3-py issue-jwt {alg}"), out),
            );
            let bad = tamper_jwt_file(&jwt, &self.file(&format!("py-{alg}-tampered.jwt")));
            let (jwt_s, bad_s) = (arg(&jwt), arg(&bad));
            t.exit(
                format!("ours accepts ob3-py VC-JWT {alg} (pinned key)"),
                0,
                &self.ours(&["--trusted-key", &public, &jwt_s]),
            );
            t.exit(
                format!("ours: ob3-py VC-JWT {alg} without a pinned key is indeterminate (KEY_NOT_BOUND)"),
                2,
                &self.ours(&[&jwt_s]),
            );
            t.exit(
                format!("ours rejects tampered ob3-py VC-JWT {alg}"),
                1,
                &self.ours(&["--trusted-key", &public, &bad_s]),
            );
            t.exit(
                format!("ob3-py rejects tampered ob3-py VC-JWT {alg}"),
                1,
                &self.peer(Peer::Ob3Py, &["verify", "--pub", &public, &bad_s]),
            );
        }
    }
}
