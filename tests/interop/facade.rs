//! The facade's `Issuer` against the peer verifiers: one badge of every form, its issuer's site
//! served on loopback, verified by badgecheck (OB 2.0), openbadgeslib (OB 3.0, Python) and the
//! DCC JavaScript stack (OB 3.0 Data Integrity). The DCC stack refuses a credential whose status
//! it cannot check offline, so it gets a badge issued without `credentialStatus`.

use std::path::PathBuf;

use openbadges::model::Identity;
use openbadges::proof::key::{Algorithm, SecretKey};
use openbadges::{Badge, Form, IssueOptions, Issued, Issuer, IssuerKeys, IssuerProfile};
use openbadges_test_support::fixtures::{TempDir, fixture_bytes};
use openbadges_test_support::http::Server;
use openbadges_test_support::peers::{Peer, Peers};

use crate::harness::Tally;

const LEARNER: &str = "learner@example.org";

/// A badge issued by the facade, its site served, its forms written to files.
struct IssuedSite {
    _server: Server,
    _site: TempDir,
    issued: Issued,
    files: TempDir,
}

impl IssuedSite {
    /// Issues one badge (RS256 for OB 2.0, ES256 for the VC-JWT, as `issue_site` does), with or
    /// without an OB 3.0 status list entry, and serves the issuer's documents.
    fn issue(status_list: bool) -> IssuedSite {
        let site = TempDir::new("facade-site");
        let server = Server::files(site.path());
        let issuer = Issuer::new(
            &format!("{}/", server.base_url()),
            IssuerProfile::new("Badges 101 (example)", "badges@example.org"),
            IssuerKeys::generate(Algorithm::Rs256)
                .unwrap()
                .vc_jwt_key(SecretKey::generate(Algorithm::Es256).unwrap()),
        )
        .unwrap();
        let badge = Badge::new(
            "badges-101",
            "Badges 101",
            "Knows badges.",
            "Pass the quiz.",
        )
        .image(fixture_bytes("ob2/served/badge.png"));
        let options = IssueOptions::new().status_list(status_list);
        let issued = issuer
            .issue(&Identity::email(LEARNER), &badge, &options)
            .unwrap();
        let origin = server.base_url();
        for d in &issued.hosted {
            site.write(
                d.url.strip_prefix(&origin).unwrap().trim_start_matches('/'),
                &d.body,
            );
        }
        let files = TempDir::new("facade-issued");
        for (name, form) in [
            ("ob2-hosted.png", Form::Ob2Hosted),
            ("ob2-signed.png", Form::Ob2Signed),
            ("ob3-di.png", Form::Ob3DataIntegrity),
            ("ob3-jwt.png", Form::Ob3Jwt),
        ] {
            files.write(name, &issued.baked(form).unwrap().bytes);
        }
        files.write("ob2.jws", issued.ob2_signed.as_ref().unwrap());
        files.write(
            "ob3.json",
            serde_json::to_vec(issued.ob3_credential.as_ref().unwrap()).unwrap(),
        );
        files.write("ob3.jwt", issued.ob3_jwt.as_ref().unwrap());
        IssuedSite {
            _server: server,
            _site: site,
            issued,
            files,
        }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.files.join(name)
    }
}

#[test]
fn the_peers_verify_every_form_the_facade_issues() {
    let Some(peers) = Peers::get() else { return };
    let mut t = Tally::new("interop-facade");
    let with_status = IssuedSite::issue(true);
    let without_status = IssuedSite::issue(false);

    let hosted_url = with_status.issued.ob2_hosted.as_ref().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ob2 = |input: &str, who: &str| peers.run(Peer::Ob2Verify, &["--recipient", who, input]);
    let path = |s: &IssuedSite, name: &str| s.file(name).display().to_string();
    t.exit("ob2-verify hosted URL", 0, &ob2(&hosted_url, LEARNER));
    for (label, name) in [
        ("ob2-verify hosted baked PNG", "ob2-hosted.png"),
        ("ob2-verify signed JWS (RS256)", "ob2.jws"),
        ("ob2-verify signed baked PNG", "ob2-signed.png"),
    ] {
        t.exit(label, 0, &ob2(&path(&with_status, name), LEARNER));
    }
    for (label, name) in [
        ("ob3-py DI JSON", "ob3.json"),
        ("ob3-py DI baked PNG", "ob3-di.png"),
        ("ob3-py VC-JWT (ES256)", "ob3.jwt"),
        ("ob3-py VC-JWT baked PNG", "ob3-jwt.png"),
    ] {
        t.exit(
            label,
            0,
            &peers.run(Peer::Ob3Py, &["verify", &path(&with_status, name)]),
        );
    }
    for (label, name) in [
        ("ob3-js DI JSON (no status)", "ob3.json"),
        ("ob3-js DI baked PNG (no status)", "ob3-di.png"),
    ] {
        t.exit(
            label,
            0,
            &peers.run(Peer::Ob3Js, &["verify", &path(&without_status, name)]),
        );
    }
    // The checks can fail: the wrong recipient is refused.
    t.exit(
        "ob2-verify refuses the wrong recipient",
        1,
        &ob2(&path(&with_status, "ob2-signed.png"), "other@example.org"),
    );
    t.finish();
}
