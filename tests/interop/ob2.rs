//! OB 2.0 with the reference verifier (badgecheck, `shared/peers/ob2-verify`):
//! 1. it accepts assertions we sign (RS256 compact JWS) and a hosted set we serve on loopback,
//!    and rejects the one we revoke;
//! 2. our verdicts agree with it on every fixture of `fixtures/ob2/peer-results.tsv` where it
//!    follows the spec; where it does not (fixtures/ob2/MANIFEST.md), the spec's verdict is
//!    checked instead ([`SPEC_OVERRIDES`]).

use std::ffi::OsString;
use std::path::Path;
use std::process::Output;

use openbadges_test_support::cli::Cli;
use openbadges_test_support::fixtures::{TempDir, fixture_bytes, fixtures_dir};
use openbadges_test_support::http::Server;
use openbadges_test_support::peers::{Peer, Peers};
use serde_json::{Value, json};

use crate::harness::{Tally, fixture_port, status, write_json};

/// Fixtures on which the peer is wrong per the spec (fixtures/ob2/MANIFEST.md), with the
/// verdict the spec gives.
const SPEC_OVERRIDES: &[(&str, &str, &str)] = &[
    (
        "served/hosted/revoked-full.json",
        "invalid",
        "the peer ignores `revoked: true`",
    ),
    (
        "served/signed/revoked-single-entry-list.jws",
        "invalid",
        "the peer misses one-entry revocation lists",
    ),
    (
        "served/signed/no-creator.jws",
        "valid",
        "the peer requires `creator`",
    ),
    (
        "baked/hosted-valid.svg",
        "valid",
        "the peer's bakery returns bytes and crashes",
    ),
    (
        "baked/invalid-compressed-itxt.png",
        "invalid",
        "the peer crashes",
    ),
];

/// The recipient every OB 2.0 fixture and our site are issued to.
const STUDENT: &str = "student@example.org";

#[test]
fn ob2_reference_verifier_agrees() {
    let Some(peers) = Peers::get() else { return };
    let cli = Cli::built();
    let mut t = Tally::new("interop-ob2");
    let _port = fixture_port();
    let _fixtures = Server::files_on(8765, fixtures_dir("ob2/served"));
    let work = TempDir::new("interop-ob2");
    let site = Server::files(work.join("site"));
    let base = site.base_url();
    let allow_site = base.trim_start_matches("http://").to_owned();
    let recipient = format!("email:{STUDENT}");
    let ours = |input: &Path| -> Output {
        let mut args: Vec<OsString> = ["verify", "--json", "--allow-host", "127.0.0.1:8765"]
            .map(OsString::from)
            .to_vec();
        args.extend(["--allow-host".into(), allow_site.clone().into()]);
        args.extend(["--recipient".into(), recipient.clone().into()]);
        args.push(input.into());
        cli.run(args)
    };

    the_peer_verifies_what_we_issue(&mut t, peers, &cli, &work, &base, &ours);
    we_agree_with_the_peer_on_the_fixtures(&mut t, &ours);
    t.finish();
}

/// Part 1: our signed and hosted assertions, served on loopback, accepted by the peer; the one
/// listed in our revocation list rejected; and our own verdicts on what we signed.
fn the_peer_verifies_what_we_issue(
    t: &mut Tally,
    peers: &Peers,
    cli: &Cli,
    work: &TempDir,
    base: &str,
    ours: &dyn Fn(&Path) -> Output,
) {
    let (key, public) = (work.join("key.pem"), work.join("pub.pem"));
    let out = cli.run([
        OsString::from("keygen"),
        "--alg".into(),
        "rs256".into(),
        "-o".into(),
        key.clone().into(),
        "--public".into(),
        public.clone().into(),
    ]);
    assert_eq!(out.status.code(), Some(0), "keygen failed");
    let pem = std::fs::read_to_string(&public).unwrap();
    let site = work.join("site");
    write_issuer_site(&site, base, &pem);
    let kid = format!("{base}/key.json");
    let sign = |name: &str, kid: Option<&str>, to: &str| {
        let mut args = vec![
            "sign".to_owned(),
            "--key".into(),
            key.display().to_string(),
            "--format".into(),
            "jws".into(),
        ];
        if let Some(kid) = kid {
            args.extend(["--kid".into(), kid.to_owned()]);
        }
        args.push(
            site.join(format!("unsigned/{name}.json"))
                .display()
                .to_string(),
        );
        let out = cli.run(&args);
        assert_eq!(out.status.code(), Some(0), "sign {name} failed");
        std::fs::write(site.join(to), &out.stdout).unwrap();
    };
    sign("valid", Some(&kid), "valid.jws");
    sign("revoked", Some(&kid), "revoked.jws");
    sign("valid", None, "no-creator.jws");

    let peer = |input: &str| peers.run(Peer::Ob2Verify, &["--recipient", STUDENT, input]);
    let valid = site.join("valid.jws").display().to_string();
    let revoked = site.join("revoked.jws").display().to_string();
    t.exit("peer accepts our RS256 signed assertion", 0, &peer(&valid));
    t.exit(
        "peer rejects our signed assertion listed in our revocation list",
        1,
        &peer(&revoked),
    );
    t.exit(
        "peer accepts our hosted assertion served on loopback",
        0,
        &peer(&format!("{base}/hosted/valid.json")),
    );
    t.exit(
        "peer rejects our revoked hosted assertion stub",
        1,
        &peer(&format!("{base}/hosted/revoked.json")),
    );
    for (file, want) in [
        ("valid.jws", "valid"),
        ("revoked.jws", "invalid"),
        ("no-creator.jws", "valid"),
    ] {
        let got = status(&ours(&site.join(file)));
        t.check(format!("ours {file} -> {want}"), got == want, || {
            format!("got {got}")
        });
    }
}

/// Part 2: each row of `fixtures/ob2/peer-results.tsv` (input, the peer's recorded verdict)
/// through our verifier: the same verdict where the peer follows the spec, the spec's verdict
/// where it does not.
fn we_agree_with_the_peer_on_the_fixtures(t: &mut Tally, ours: &dyn Fn(&Path) -> Output) {
    let dir = fixtures_dir("ob2");
    let table = std::fs::read_to_string(dir.join("peer-results.tsv")).unwrap();
    for row in table.lines().filter(|l| !l.trim().is_empty()) {
        let mut cols = row.split('\t');
        let (input, verdict) = (cols.next().unwrap_or(""), cols.next().unwrap_or(""));
        let got = status(&ours(&dir.join(input)));
        if let Some((_, want, why)) = SPEC_OVERRIDES.iter().find(|(i, _, _)| *i == input) {
            t.check(
                format!("spec  {input} -> {want} (peer: {verdict}; {why})"),
                got == *want,
                || format!("got {got}"),
            );
            continue;
        }
        let want = match verdict {
            "valid=True" => "valid",
            "valid=False" => "invalid",
            _ => "?",
        };
        t.check(
            format!("agree {input} -> {want} (peer: {verdict})"),
            got == want,
            || format!("got {got}"),
        );
    }
}

/// A tiny OB 2.0 issuer site served at `base`, written into `out`: the issuer (with its public
/// key and revocation list), the key (`pem`), the badge class, a revocation list revoking
/// `urn:uuid:…0002`, the assertions to sign (`unsigned/valid.json`, `unsigned/revoked.json`),
/// a hosted assertion and a revoked hosted stub, and the badge's image (a PNG: the peer
/// fetches it and cannot read a 404 without a content type).
fn write_issuer_site(out: &Path, base: &str, pem: &str) {
    const CTX: &str = "https://w3id.org/openbadges/v2";
    std::fs::create_dir_all(out.join("unsigned")).unwrap();
    std::fs::create_dir_all(out.join("hosted")).unwrap();
    std::fs::write(
        out.join("badge.png"),
        fixture_bytes("ob2/upstream/mozbakery-unbaked.png"),
    )
    .unwrap();
    let w = |rel: &str, doc: Value| {
        write_json(&out.join(rel), &doc);
    };
    let recipient = json!({"type": "email", "hashed": true, "salt": "deadsea",
        "identity": "sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862"});
    let issuer = format!("{base}/issuer.json");
    let badge = format!("{base}/badgeclass.json");
    w(
        "issuer.json",
        json!({"@context": CTX, "id": issuer, "type": "Issuer",
            "name": "openbadges-rs interop issuer", "url": "https://example.org",
            "email": "issuer@example.org", "publicKey": format!("{base}/key.json"),
            "revocationList": format!("{base}/revocations.json")}),
    );
    w(
        "key.json",
        json!({"@context": CTX, "id": format!("{base}/key.json"), "type": "CryptographicKey",
            "owner": issuer, "publicKeyPem": pem}),
    );
    w(
        "badgeclass.json",
        json!({"@context": CTX, "id": badge, "type": "BadgeClass", "name": "Interop",
            "description": "Signed by openbadges-rs", "image": format!("{base}/badge.png"),
            "criteria": {"narrative": "Be interoperable."}, "issuer": issuer}),
    );
    // A second entry: the peer misses one-entry lists.
    w(
        "revocations.json",
        json!({"@context": CTX, "id": format!("{base}/revocations.json"),
            "type": "RevocationList", "issuer": issuer,
            "revokedAssertions": [
                {"id": "urn:uuid:00000000-0000-4000-8000-000000000002",
                 "revocationReason": "interop test"},
                "urn:uuid:00000000-0000-4000-8000-0000000000ff"]}),
    );
    for (name, n) in [("valid", '1'), ("revoked", '2')] {
        w(
            &format!("unsigned/{name}.json"),
            json!({"@context": CTX, "type": "Assertion",
                "id": format!("urn:uuid:00000000-0000-4000-8000-00000000000{n}"),
                "recipient": recipient, "badge": badge, "issuedOn": "2024-01-15T12:00:00Z",
                "verification": {"type": "HostedBadge"}}),
        );
    }
    w(
        "hosted/valid.json",
        json!({"@context": CTX, "type": "Assertion", "id": format!("{base}/hosted/valid.json"),
            "recipient": recipient, "badge": badge, "issuedOn": "2024-01-15T12:00:00Z",
            "verification": {"type": "HostedBadge"}}),
    );
    w(
        "hosted/revoked.json",
        json!({"@context": CTX, "type": "Assertion", "id": format!("{base}/hosted/revoked.json"),
            "revoked": true, "revocationReason": "interop test"}),
    );
}
