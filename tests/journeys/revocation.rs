//! Revocation seen by every form and every consumer: the issuer revokes one badge and publishes
//! the change; the facade `Verifier`, the backpack's re-check and the `openbadges` command each
//! report every form of it revoked, while a second badge of the same issuer stays valid.

use openbadges::backpack::proof::ProofVerifier;
use openbadges::backpack::{Backpack, MemoryStore, Source};
use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::{Code, Status};
use openbadges::proof::verify::{SystemClock, Verifier as ProofCore};
use openbadges::{Badge, Form, IssueOptions, Issuer, IssuerKeys, IssuerProfile, Verifier};
use openbadges_test_support::cli::{Cli, code, describe, json_lines};
use openbadges_test_support::fixtures::{TempDir, fixture_bytes};

use crate::site::Site;

const FORMS: [Form; 4] = [
    Form::Ob2Hosted,
    Form::Ob2Signed,
    Form::Ob3DataIntegrity,
    Form::Ob3Jwt,
];

#[test]
fn a_revoked_badge_is_revoked_in_every_form_for_every_consumer_and_its_sibling_is_not() {
    let site = Site::start();
    let issuer = Issuer::new(
        &format!("{}/school/", site.origin()),
        IssuerProfile::new("Revoking School", "badges@example.org"),
        IssuerKeys::generate(Algorithm::Es256).unwrap(),
    )
    .unwrap();
    let badge = Badge::new("r", "R", "R.", "R.").image(fixture_bytes("ob2/served/badge.png"));
    let learner = Identity::email("learner@example.org");
    let revoked = issuer
        .issue(&learner, &badge, &IssueOptions::new())
        .unwrap();
    let kept = issuer
        .issue(&learner, &badge, &IssueOptions::new())
        .unwrap();
    site.publish(&revoked.hosted);
    site.publish(&kept.hosted);

    // A backpack imports the badge while it is valid.
    let loader = site.loader();
    let clock = SystemClock;
    let mut backpack = Backpack::new(
        MemoryStore::new(),
        ProofVerifier::new(ProofCore::new(&loader).with_clock(&clock)),
    );
    backpack.add_identifier(learner.clone()).unwrap();
    for form in FORMS {
        let bytes = &revoked.baked(form).unwrap().bytes;
        backpack
            .import(bytes, Source::file(format!("{form:?}.png")))
            .unwrap();
    }
    let held = backpack.badges().unwrap();
    assert!(
        held.iter().all(|b| b.verification.status == Status::Valid),
        "{held:?}"
    );

    // Revoke and publish.
    let revocation = issuer
        .revoke(&revoked.uuid, Some("issued in error"))
        .unwrap();
    site.publish(&revocation.updated);
    site.take_down(&revocation.gone);

    // The facade verifier (a fresh one: nothing cached from before).
    let verifier = Verifier::builder()
        .online(openbadges::HttpLimits::default().allow_host(site.host()))
        .build()
        .unwrap();
    for form in FORMS {
        let r = verifier.verify_bytes("revoked.png", &revoked.baked(form).unwrap().bytes);
        assert_eq!(
            r.status(),
            Status::Invalid,
            "{form:?}: {}",
            r.to_json_line()
        );
        assert!(r.has_error(Code::Revoked), "{form:?}: {}", r.to_json_line());
        let r = verifier.verify_bytes("kept.png", &kept.baked(form).unwrap().bytes);
        assert_eq!(
            r.status(),
            Status::Valid,
            "{form:?} sibling: {}",
            r.to_json_line()
        );
    }

    // The backpack's re-check, through a loader that fetches again.
    let fresh = site.loader();
    let store = backpack.into_store();
    let mut backpack = Backpack::new(
        store,
        ProofVerifier::new(ProofCore::new(&fresh).with_clock(&clock)),
    );
    for b in &held {
        let c = backpack.recheck(&b.id).unwrap();
        assert_eq!(
            (c.before, c.after),
            (Status::Valid, Status::Invalid),
            "{}: {:?}",
            b.id,
            c.reason
        );
    }

    // The command line.
    let dir = TempDir::new("revocation");
    for form in FORMS {
        let path = dir.write(
            &format!("{form:?}.png"),
            &revoked.baked(form).unwrap().bytes,
        );
        let out = Cli::built().run([
            "verify".as_ref(),
            "--json".as_ref(),
            "--allow-host".as_ref(),
            site.host().as_ref(),
            path.as_os_str(),
        ]);
        assert_eq!(code(&out), 1, "{form:?}: {}", describe(&out));
        let line = &json_lines(&out)[0];
        assert_eq!(line["status"], "invalid", "{form:?}: {line}");
        assert!(line.to_string().contains("REVOKED"), "{form:?}: {line}");
    }
}
