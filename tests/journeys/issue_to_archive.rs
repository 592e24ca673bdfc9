//! Issue (every form) → bake → extract → verify (over loopback HTTP and offline) → backpack
//! import → export (zip archive, Verifiable Presentation, CLR) → the issuer's site goes away →
//! verify every archived image offline from the archive's documents → re-import the archive.

use std::io::Read as _;
use std::sync::Arc;

use openbadges::backpack::export::{clr, vp, zip as archive};
use openbadges::backpack::proof::{LoaderFetcher, ProofVerifier};
use openbadges::backpack::{Backpack, Collection, ImportResult, MemoryStore, Source, Store};
use openbadges::model::Identity;
use openbadges::proof::data_integrity::Ed25519Signer;
use openbadges::proof::key::Algorithm;
use openbadges::proof::loader::{Layered, NoNetwork, RecordingLoader, StaticLoader};
use openbadges::proof::report::Status;
use openbadges::proof::verify::{SystemClock, Verifier as ProofCore};
use openbadges::{Badge, Form, IssueOptions, Issued, Issuer, IssuerKeys, IssuerProfile, Verifier};
use openbadges_test_support::fixtures::{TempDir, fixture_bytes};

use crate::site::Site;

const LEARNER: &str = "learner@example.org";
const FORMS: [Form; 4] = [
    Form::Ob2Hosted,
    Form::Ob2Signed,
    Form::Ob3DataIntegrity,
    Form::Ob3Jwt,
];

/// An issuer at `<origin>/school/` and one badge issued to the learner, published on the site.
fn issue_on(site: &Site) -> (Issuer, Issued) {
    let issuer = Issuer::new(
        &format!("{}/school/", site.origin()),
        IssuerProfile::new("Journey School", "badges@example.org"),
        IssuerKeys::generate(Algorithm::Es256).unwrap(),
    )
    .unwrap();
    let badge = Badge::new(
        "journey",
        "Journey",
        "Went all the way.",
        "Travel every crate.",
    )
    .image(fixture_bytes("ob2/served/badge.png"));
    let issued = issuer
        .issue(&Identity::email(LEARNER), &badge, &IssueOptions::new())
        .unwrap();
    site.publish(&issued.hosted);
    (issuer, issued)
}

#[test]
fn every_form_baked_extracted_verified_kept_exported_and_verified_offline_from_the_archive() {
    let site = Site::start();
    let (_issuer, issued) = issue_on(&site);
    let learner = format!("email:{LEARNER}").parse().unwrap();
    let online = Verifier::builder()
        .online(openbadges::HttpLimits::default().allow_host(site.host()))
        .recipient(learner)
        .build()
        .unwrap();
    bake_extract_verify(&issued, &online);
    let loader = site.loader();
    let recording = RecordingLoader::new(Arc::clone(&loader));
    let clock = SystemClock;
    let verifier = ProofVerifier::new(ProofCore::new(&recording).with_clock(&clock))
        .keeping(recording.recording());
    let mut backpack = Backpack::new(MemoryStore::new(), verifier)
        .with_fetcher(LoaderFetcher(Arc::clone(&loader)));
    let badges = import_every_form(&mut backpack, &issued);
    let zip = export_presentation_clr_and_archive(&mut backpack, &badges, &online);
    site_goes_away(site, &issued, &online);
    verify_offline_from_the_archive(&zip);
    reimport_offline(&zip, &badges);
}

/// Bake → extract → verify: the extracted payload is the form issued, and verifies online.
fn bake_extract_verify(issued: &Issued, online: &Verifier) {
    for form in FORMS {
        let baked = issued.baked(form).unwrap();
        let extracted = openbadges::bake::extract(&baked.bytes).unwrap();
        let expected = match form {
            Form::Ob2Hosted => issued
                .ob2_hosted
                .as_ref()
                .map(|v| v["id"].as_str().unwrap().to_owned()),
            Form::Ob2Signed => issued.ob2_signed.clone(),
            Form::Ob3DataIntegrity => None,
            Form::Ob3Jwt => issued.ob3_jwt.clone(),
            _ => None,
        };
        if let Some(want) = expected {
            assert!(
                extracted.payload.contains(&want),
                "{form:?}: {}",
                extracted.payload
            );
        }
        let r = online.verify_bytes("extracted", extracted.payload.as_bytes());
        assert_eq!(
            r.status(),
            Status::Valid,
            "{form:?} extracted: {}",
            r.to_json_line()
        );
        let r = online.verify_bytes("baked.png", &baked.bytes);
        assert_eq!(
            r.status(),
            Status::Valid,
            "{form:?} baked: {}",
            r.to_json_line()
        );
    }
}

/// Backpack import over HTTP, keeping every document the verification used.
fn import_every_form<V: openbadges::backpack::Verifier>(
    backpack: &mut Backpack<MemoryStore, V>,
    issued: &Issued,
) -> Vec<openbadges::backpack::BadgeRecord> {
    backpack.add_identifier(Identity::email(LEARNER)).unwrap();
    for form in FORMS {
        let report = backpack
            .import(
                &issued.baked(form).unwrap().bytes,
                Source::file(format!("{form:?}.png")),
            )
            .unwrap();
        // The hosted assertion (its URL) and the signed one (`urn:uuid:`) are two assertions;
        // the VC-JWT is the Data Integrity credential again (same issuer and id).
        let want = if form == Form::Ob3Jwt {
            ImportResult::Duplicate
        } else {
            ImportResult::Imported
        };
        assert_eq!(report.result(), want, "{form:?}: {}", report.line());
    }
    let badges = backpack.badges().unwrap();
    assert_eq!(badges.len(), 3, "badges kept");
    for b in &badges {
        assert_eq!(
            b.verification.status,
            Status::Valid,
            "{}: {:?}",
            b.id,
            b.verification
        );
    }

    badges
}

/// Exports: a presentation of the OB 3.0 credentials signed by the learner, a CLR of a
/// collection signed by its issuer (both verify), and the archive.
fn export_presentation_clr_and_archive<V: openbadges::backpack::Verifier>(
    backpack: &mut Backpack<MemoryStore, V>,
    badges: &[openbadges::backpack::BadgeRecord],
    online: &Verifier,
) -> Vec<u8> {
    let holder = Ed25519Signer::from_seed(&[7u8; 32]).unwrap();
    let chosen = vp::presentable(backpack.store(), None).unwrap();
    assert!(!chosen.ids.is_empty(), "nothing to present");
    let presentation = vp::signed_presentation(
        backpack.store(),
        &chosen.ids,
        &holder,
        "2026-01-01T00:00:00Z",
    )
    .unwrap();
    let mut all = Collection::new("Everything").unwrap();
    all.members = badges.iter().map(|b| b.id.clone()).collect();
    let collection_id = all.id.clone();
    backpack.put_collection(all).unwrap();
    let clr_signer = Ed25519Signer::from_seed(&[9u8; 32]).unwrap();
    let clr = clr::collection_clr(
        backpack.store(),
        &collection_id,
        &clr_signer,
        &clr::ClrOptions::new("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    for (name, doc) in [("vp.json", &presentation), ("clr.json", &clr.credential)] {
        let r = online.verify_bytes(name, &serde_json::to_vec(doc).unwrap());
        assert_eq!(r.status(), Status::Valid, "{name}: {}", r.to_json_line());
    }
    archive::export_zip(backpack.store()).unwrap()
}

/// The issuer's site goes away: online verification can no longer check.
fn site_goes_away(site: Site, issued: &Issued, online: &Verifier) {
    drop(site);
    let baked_ob3 = &issued.baked(Form::Ob3DataIntegrity).unwrap().bytes;
    let r = online.verify_bytes("ob3.png", baked_ob3);
    assert_eq!(r.status(), Status::Indeterminate, "{}", r.to_json_line());
}

/// Offline, from the archive alone: every baked image it holds verifies with its documents.
fn verify_offline_from_the_archive(zip: &[u8]) {
    let clock = SystemClock;
    let dir = TempDir::new("journey-archive");
    unzip(zip, &dir);
    let kept = archive::documents_loader(dir.join("documents")).unwrap();
    let offline_loader = Layered {
        first: StaticLoader::with_bundled_contexts(),
        then: Layered {
            first: kept,
            then: NoNetwork,
        },
    };
    let offline = ProofCore::new(&offline_loader).with_clock(&clock);
    let images = baked_images(&dir);
    assert_eq!(
        images.len(),
        3,
        "archived images: {:?}",
        images.iter().map(|i| &i.0).collect::<Vec<_>>()
    );
    for (name, bytes) in &images {
        let r = offline.verify_bytes(name, bytes);
        assert_eq!(
            r.status(),
            Status::Valid,
            "{name} offline: {}",
            r.to_json_line()
        );
    }
}

/// Re-import the archive into a new backpack with no network: the same badges.
fn reimport_offline(zip: &[u8], badges: &[openbadges::backpack::BadgeRecord]) {
    let clock = SystemClock;
    let none = StaticLoader::with_bundled_contexts();
    let mut again = Backpack::new(
        MemoryStore::new(),
        ProofVerifier::new(ProofCore::new(&none).with_clock(&clock)),
    );
    again.add_identifier(Identity::email(LEARNER)).unwrap();
    let report = again.import(zip, Source::file("backpack.zip")).unwrap();
    let (imported, _, failed) = report.counts();
    assert_eq!((imported, failed), (badges.len(), 0), "{}", report.line());
    let mut ids: Vec<_> = again
        .store()
        .badges()
        .unwrap()
        .into_iter()
        .map(|b| b.dedup_key)
        .collect();
    let mut want: Vec<_> = badges.iter().map(|b| b.dedup_key.clone()).collect();
    ids.sort_by_key(|k| format!("{k:?}"));
    want.sort_by_key(|k| format!("{k:?}"));
    assert_eq!(ids, want);
}

fn unzip(zip: &[u8], dir: &TempDir) {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    for i in 0..z.len() {
        let mut e = z.by_index(i).unwrap();
        let Some(name) = e.enclosed_name() else {
            panic!("unsafe name in the archive")
        };
        if e.is_dir() {
            continue;
        }
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        dir.write(name.to_str().unwrap(), bytes);
    }
}

/// Every PNG or SVG under the unzipped archive's `badges/`.
fn baked_images(dir: &TempDir) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "png" || x == "svg") {
                let name = p.strip_prefix(dir.path()).unwrap().display().to_string();
                if openbadges::bake::extract(&std::fs::read(&p).unwrap()).is_ok() {
                    out.push((name, std::fs::read(&p).unwrap()));
                }
            }
        }
    }
    out.sort();
    out
}
