//! A real OpenID4VCI wallet against Badges 101 on loopback: `oid4vci/wallet.mjs` drives the
//! OpenWallet Foundation's `@openid4vc/openid4vci` (npm, pinned in `oid4vci/package.json`,
//! installed by this test into the target directory) from the "Add to your wallet" link of the
//! badge page: it resolves the offer (by reference), reads both metadata documents, redeems the
//! pre-authorized code, asks for a `c_nonce`, signs the key proofs (an Ed25519 `did:key` for
//! `ldp_vc`, a P-256 `did:jwk` for `jwt_vc_json`) and receives both credentials. Then:
//! - each names the wallet's DID as `credentialSubject.id` and keeps the learner's hashed
//!   address beside it;
//! - our CLI accepts both for the learner and rejects both for another address;
//! - the DCC stack, with its own status check, accepts the `ldp_vc` credential (it has no VC-JWT
//!   verifier), and the Python OB 3.0 stack (openbadgeslib) accepts the `jwt_vc_json` one;
//! - the offer is single use: a second wallet run on the same link is refused.
//!
//! The wallet lives here, beside the other peer checks of the app (`badges101.rs`), because it
//! needs the same things: the app started in-process, the peers' DCC stack, our CLI.
//! Outside CI a missing `npm` skips the suite; in CI it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use badges101::{Config, start};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_test_support::cli::{Cli, code};
use openbadges_test_support::fixtures::{TempDir, repo_root};
use openbadges_test_support::http::get;
use openbadges_test_support::peers::{Peer, Peers};
use serde_json::Value;

use crate::badges101::earn_a_badge;
use crate::harness::{Tally, arg, dcc_verdict, dcc_verify_script};

const LEARNER: &str = "learner@example.org";
const OTHER: &str = "other@example.org";
const CONFIGURATIONS: [&str; 2] = [
    "OpenBadgeCredential_ldp_vc",
    "OpenBadgeCredential_jwt_vc_json",
];

/// The wallet's folder with its npm packages installed (once per target directory); `None`
/// (skip) when npm is missing outside CI.
fn wallet_dir() -> Option<PathBuf> {
    let src = repo_root().join("tests/interop/oid4vci");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("oid4vci-wallet");
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["package.json", "wallet.mjs"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    if dir
        .join("node_modules/@openid4vc/openid4vci/package.json")
        .exists()
    {
        return Some(dir);
    }
    let installed = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .status();
    match installed {
        Ok(s) if s.success() => Some(dir),
        other => {
            let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
            assert!(
                !ci,
                "npm install of the OpenID4VCI wallet failed in CI: {other:?}"
            );
            eprintln!("oid4vci: skipped (npm install failed: {other:?})");
            None
        }
    }
}

/// The credential a wallet file holds, as a JSON credential (a VC-JWT's `vc` claim or its
/// claims), and the file to give verifiers (the raw JWT for a VC-JWT).
fn credential_of(work: &TempDir, out: &Path, configuration: &str) -> (Value, PathBuf) {
    let text = std::fs::read(out.join(format!("{configuration}.json"))).unwrap();
    match serde_json::from_slice::<Value>(&text).unwrap() {
        Value::String(jwt) => {
            let payload = jwt.split('.').nth(1).unwrap();
            let claims: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
            let vc = claims.get("vc").cloned().unwrap_or(claims);
            (vc, work.write(&format!("{configuration}.jwt"), jwt))
        }
        vc => (vc, out.join(format!("{configuration}.json"))),
    }
}

#[test]
fn a_real_openid4vci_wallet_receives_both_credentials_from_badges101() {
    let Some(peers) = Peers::get() else { return };
    let Some(wallet) = wallet_dir() else { return };
    let mut t = Tally::new("oid4vci-wallet");
    let work = TempDir::new("interop-oid4vci");
    let running = start(Config {
        port: 0,
        data_dir: work.join("data"),
        threads: 2,
        ..Config::default()
    })
    .unwrap();
    let addr = running.addr();
    let tok = earn_a_badge(addr);
    let page = get(addr, &format!("/a/{tok}/badge")).text();
    let href = page
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.starts_with("openid-credential-offer://"))
        .expect("the badge page links an openid-credential-offer:// URI")
        .replace("&amp;", "&");
    t.check(
        "the badge page shows the offer's QR code",
        page.contains("alt=\"QR code: add to your wallet\"")
            && page.contains("src=\"data:image/svg+xml;base64,"),
        || "no QR code image".into(),
    );

    let out = work.join("wallet");
    let run = |out: &Path| {
        Command::new("node")
            .arg(wallet.join("wallet.mjs"))
            .arg(&href)
            .arg(out)
            .current_dir(&wallet)
            .output()
            .unwrap()
    };
    let received = run(&out);
    t.exit(
        "the @openid4vc/openid4vci wallet receives both credentials",
        0,
        &received,
    );
    if code(&received) != 0 {
        running.shutdown();
        t.finish();
        return;
    }
    let said = String::from_utf8_lossy(&received.stderr).into_owned();
    t.check(
        "the client reads the metadata as OpenID4VCI 1.0 (V1), not a draft",
        said.contains("OpenID4VCI version V1"),
        || said.clone(),
    );
    let dids: Value =
        serde_json::from_slice(&std::fs::read(out.join("wallet.json")).unwrap()).unwrap();
    let cli = Cli::built();
    for configuration in CONFIGURATIONS {
        let (vc, file) = credential_of(&work, &out, configuration);
        let did = dids["dids"][configuration].clone();
        t.check(
            format!("{configuration}: credentialSubject.id is the wallet's DID"),
            did.is_string() && vc["credentialSubject"]["id"] == did,
            || format!("{} vs {did}", vc["credentialSubject"]["id"]),
        );
        t.check(
            format!("{configuration}: the learner's hashed address stays beside it"),
            vc["credentialSubject"]["identifier"].is_array(),
            || vc["credentialSubject"].to_string(),
        );
        for (who, want) in [(LEARNER, 0), (OTHER, 1)] {
            let verdict = cli.run([
                "verify",
                "--allow-host",
                &addr.to_string(),
                "--recipient",
                &format!("email:{who}"),
                &arg(&file),
            ]);
            t.exit(
                format!("openbadges verify {configuration} for {who}"),
                want,
                &verdict,
            );
        }
        if configuration.ends_with("ldp_vc") {
            let mut c = peers.node(&dcc_verify_script());
            c.arg("credential").arg(&file).arg("--status");
            let dcc = c.output().unwrap();
            t.verdict(
                "the DCC stack with its status check accepts the ldp_vc credential",
                0,
                dcc_verdict(&dcc),
                &dcc,
            );
        } else {
            // The DCC stack verifies no VC-JWT: the Python OB 3.0 stack (openbadgeslib) does.
            t.exit(
                "ob3-py (openbadgeslib) accepts the jwt_vc_json credential",
                0,
                &peers.run(Peer::Ob3Py, &["verify", &arg(&file)]),
            );
        }
    }
    // The link's pre-authorized code is spent: a second wallet is refused.
    let again = run(&work.join("wallet-again"));
    let said = String::from_utf8_lossy(&again.stderr).into_owned();
    t.check(
        "a second wallet on the same offer is refused",
        code(&again) != 0,
        || said.clone(),
    );
    running.shutdown();
    t.finish();
}
