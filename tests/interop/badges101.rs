//! Peer acceptance of what the running Badges 101 app issues (loopback only):
//! - the OB 2.0 reference verifier (`ob2-verify`) on the hosted assertion URL and the baked
//!   OB 2.0 PNG, for the learner and for another address;
//! - the Python OB 3.0 stack (`ob3-py`) on the baked eddsa-rdfc-2022 and VC-JWT images;
//! - the DCC stack with its own status check (`dcc-verify --status`, fetching the status list
//!   from the app) accepts the credential; the shared `ob3-js` wrapper has no status check and
//!   refuses any credential with `credentialStatus` (a known peer limitation, peers README);
//! - "Send to backpack": the app pushed the credential to its own OB 3.0 API and the learner's
//!   backpack page lists it;
//! - our CLI accepts each download for the learner and rejects it for another address;
//! - after the badge is revoked, the reference verifier rejects the hosted assertion, the DCC
//!   stack rejects the credential because it is revoked, and our CLI reports REVOKED for the
//!   OB 2.0 and OB 3.0 badges.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use badges101::{Config, start};
use openbadges_test_support::cli::{Cli, code};
use openbadges_test_support::fixtures::TempDir;
use openbadges_test_support::http::{ClientResponse, get, request};
use openbadges_test_support::peers::{Peer, Peers};

use crate::harness::{Tally, arg, dcc_verdict, dcc_verify_script, succeeded};

/// The baked PNG forms the app offers for download.
const PNG_FORMS: [&str; 4] = ["ob3", "ob3-jwt", "ob2", "ob2-signed"];

/// The learner's address, and another one.
const LEARNER: &str = "learner@example.org";
const OTHER: &str = "other@example.org";

#[test]
fn badges101_badges_verify_with_the_peers() {
    let Some(peers) = Peers::get() else { return };
    let mut t = Tally::new("badges101-peers");
    let work = TempDir::new("interop-badges101");
    let running = start(Config {
        port: 0,
        data_dir: work.join("data"),
        threads: 2,
        ..Config::default()
    })
    .unwrap();
    let addr = running.addr();
    let tok = earn_a_badge(addr);
    download(addr, &tok, &work);
    let uuid = running
        .app()
        .issued()
        .expect("the issued badges")
        .into_keys()
        .next()
        .expect("one badge issued");
    let s = Checks {
        cli: Cli::built(),
        peers,
        work,
        addr,
        hosted: format!("{}assertions/{uuid}.json", running.url()),
    };
    s.the_peers_accept_the_badge(&mut t, &tok);
    s.ours_tell_learner_from_other(&mut t);
    let revoked = running.app().revoke(&uuid, Some("peer test"));
    t.check("revoke the badge", revoked.is_ok(), || {
        format!("{revoked:?}")
    });
    s.the_revoked_badge_is_rejected(&mut t);
    running.shutdown();
    t.finish();
}

/// POST a form.
fn post(addr: SocketAddr, path: &str, form: &str) -> ClientResponse {
    request(
        addr,
        "POST",
        path,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form.as_bytes(),
    )
}

/// Starts an attempt, answers the three questions right, and asks for the badge by email;
/// returns the attempt's token.
pub(crate) fn earn_a_badge(addr: SocketAddr) -> String {
    let r = post(addr, "/start", "");
    let tok = r
        .header("Location")
        .and_then(|l| l.strip_prefix("/a/"))
        .and_then(|l| l.split('/').next())
        .expect("POST /start redirects to the attempt")
        .to_owned();
    for (item, answer) in [
        ("learning-everywhere", "true"),
        ("degree-skill-set", "false"),
        ("resumes-validated", "false"),
    ] {
        post(
            addr,
            &format!("/a/{tok}/answer"),
            &format!("item={item}&answer={answer}"),
        );
    }
    get(addr, &format!("/a/{tok}/result"));
    let r = post(
        addr,
        &format!("/a/{tok}/issue"),
        "email=learner%40example.org",
    );
    assert!(r.status < 400, "issuing failed: {} {}", r.status, r.text());
    tok
}

/// Downloads the four baked PNGs and the eddsa-rdfc-2022 SVG into `work`.
fn download(addr: SocketAddr, tok: &str, work: &TempDir) {
    for f in PNG_FORMS {
        work.write(
            &format!("{f}.png"),
            get(addr, &format!("/a/{tok}/badge/{f}.png")).body,
        );
    }
    work.write(
        "ob3.svg",
        get(addr, &format!("/a/{tok}/badge/ob3.svg")).body,
    );
}

/// What the checks share.
struct Checks<'a> {
    cli: Cli,
    peers: &'a Peers,
    work: TempDir,
    addr: SocketAddr,
    /// The hosted OB 2.0 assertion's URL.
    hosted: String,
}

impl Checks<'_> {
    /// A downloaded file.
    fn file(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    /// `ob2-verify --recipient WHO INPUT`.
    fn ob2_verify(&self, who: &str, input: &str) -> Output {
        self.peers
            .run(Peer::Ob2Verify, &["--recipient", who, input])
    }

    /// `dcc-verify credential FILE --status`.
    fn dcc_with_status(&self, file: &Path) -> Output {
        let mut c = self.peers.node(&dcc_verify_script());
        c.arg("credential").arg(file).arg("--status");
        c.output().unwrap()
    }

    /// `openbadges verify --allow-host APP --recipient email:WHO FILE`.
    fn ours(&self, who: &str, file: &Path) -> Output {
        self.cli.run([
            "verify",
            "--allow-host",
            &self.addr.to_string(),
            "--recipient",
            &format!("email:{who}"),
            &arg(file),
        ])
    }

    /// The peers accept the hosted assertion and the baked badges; the backpack lists the
    /// pushed badge.
    fn the_peers_accept_the_badge(&self, t: &mut Tally, tok: &str) {
        t.exit(
            "ob2-verify accepts the hosted assertion",
            0,
            &self.ob2_verify(LEARNER, &self.hosted),
        );
        t.exit(
            "ob2-verify rejects it for another address",
            1,
            &self.ob2_verify(OTHER, &self.hosted),
        );
        t.exit(
            "ob2-verify accepts the baked OB 2.0 PNG",
            0,
            &self.ob2_verify(LEARNER, &arg(&self.file("ob2.png"))),
        );
        for (what, file) in [
            ("the baked eddsa-rdfc-2022 PNG", "ob3.png"),
            ("the baked VC-JWT PNG", "ob3-jwt.png"),
            ("the baked eddsa-rdfc-2022 SVG", "ob3.svg"),
        ] {
            t.exit(
                format!("ob3-py accepts {what}"),
                0,
                &self
                    .peers
                    .run(Peer::Ob3Py, &["verify", &arg(&self.file(file))]),
            );
        }
        let credential = self.work.write(
            "ob3.json",
            succeeded(
                "ob3-py extract ob3.png",
                self.peers
                    .run(Peer::Ob3Py, &["extract", &arg(&self.file("ob3.png"))]),
            ),
        );
        let out = self.dcc_with_status(&credential);
        t.verdict(
            "DCC stack with its status check accepts the credential",
            0,
            dcc_verdict(&out),
            &out,
        );
        // "Send to backpack": pushed once through the OB 3.0 API, listed on the backpack page.
        let listed = (0..100).any(|_| {
            let page = get(self.addr, &format!("/a/{tok}/backpack")).text();
            let found = page.contains("<strong>Badges 101</strong>");
            if !found {
                std::thread::sleep(Duration::from_millis(100));
            }
            found
        });
        t.check(
            "the learner's backpack lists the pushed badge",
            listed,
            || "not listed after 10 s".into(),
        );
        let out = self.peers.run(Peer::Ob3Js, &["verify", &arg(&credential)]);
        if code(&out) == 0 {
            t.note("ob3-js accepts the credential");
        } else {
            t.limit(format!(
                "ob3-js refuses a credential with credentialStatus (no checkStatus function): {}",
                String::from_utf8_lossy(&out.stdout)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        }
    }

    /// Our CLI accepts each download for the learner and rejects it for another address.
    fn ours_tell_learner_from_other(&self, t: &mut Tally) {
        for form in PNG_FORMS {
            let file = self.file(&format!("{form}.png"));
            t.exit(
                format!("openbadges verify accepts {form}.png for the learner"),
                0,
                &self.ours(LEARNER, &file),
            );
            t.exit(
                format!("openbadges verify rejects {form}.png for another address"),
                1,
                &self.ours(OTHER, &file),
            );
        }
    }

    /// After revocation: the reference verifier, the DCC stack (because it is revoked) and
    /// our CLI (REVOKED) reject the badge.
    fn the_revoked_badge_is_rejected(&self, t: &mut Tally) {
        t.exit(
            "ob2-verify rejects the revoked hosted assertion",
            1,
            &self.ob2_verify(LEARNER, &self.hosted),
        );
        // Rejected *because* it is revoked (an unreachable status list is also exit 1).
        let out = self.dcc_with_status(&self.file("ob3.json"));
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        t.check(
            "DCC stack with its status check rejects the revoked credential (revoked)",
            code(&out) == 1 && said.contains("revoked"),
            || format!("exit {}: {said}", code(&out)),
        );
        for form in PNG_FORMS {
            let out = self.ours(LEARNER, &self.file(&format!("{form}.png")));
            let said = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            t.check(
                format!("ours reports REVOKED ({form})"),
                said.contains("REVOKED"),
                || said.clone(),
            );
        }
    }
}
