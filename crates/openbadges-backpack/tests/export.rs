//! Exports: the deterministic zip archive, its portfolio page, re-import round trip, and the
//! API response bodies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::Read as _;

use common::*;
use openbadges_backpack::export::api::{
    Page, badge_connect_assertions, displayer_group, displayer_groups, ob3_get_credentials,
};
use openbadges_backpack::export::zip::export_zip;
use openbadges_backpack::{
    Backpack, Collection, ImportResult, MemoryStore, Source, SourceKind, SqliteStore, Store,
    Visibility,
};
use openbadges_proof::report::Status;
use serde_json::{Value, json};

const INPUTS: &[&str] = &[
    "ob2/served/hosted/valid.json",
    "ob2/baked/signed-valid.png",
    "ob2/served/signed/expired.jws",
    "ob2/upstream/vcore-0_5_assertion.json",
    "backpack/badgr-import-testfiles/1_0_basic_instance.json",
    "ob3/examples/basicOpenBadgeCredential.json",
    "ob3/1edtech-validator/simple.jwt",
    "ob3/peers/ob3-EdDSA-baked.svg",
    "backpack/clr20/simple.json",
];

fn hostile_credential() -> Value {
    let mut c = fixture_json("ob3/examples/basicOpenBadgeCredential.json");
    c["id"] = json!("urn:uuid:hostile");
    c["credentialSubject"]["id"] = json!("did:example:ebfeb1f712ebc6f1c276e12ec21");
    let a = &mut c["credentialSubject"]["achievement"];
    a["name"] = json!("<script>alert('name')</script>");
    a["description"] = json!("\"><img src=x onerror=alert(1)>");
    a["criteria"] = json!({"narrative": "</p><iframe src=javascript:alert(2)>"});
    a["image"] = json!({"id": "javascript:alert(3)", "type": "Image"});
    c["issuer"] =
        json!({"id": "https://evil.example/", "type": "Profile", "name": "Evil & <b>Co</b>"});
    c
}

fn filled<S: Store>(store: S) -> Backpack<S, FixedVerifier> {
    let mut bp = backpack(store, FixedVerifier(Status::Valid));
    for f in INPUTS {
        let r = bp.import(&fixture(f), file(f)).unwrap();
        assert_ne!(r.result(), ImportResult::Failed, "{f}: {r:?}");
    }
    bp.import(
        hostile_credential().to_string().as_bytes(),
        Source::new(SourceKind::Url, "https://evil.example/c"),
    )
    .unwrap();
    let ids: Vec<_> = bp.badges().unwrap().into_iter().map(|b| b.id).collect();
    let mut public = Collection::new("Public <b>stuff</b>").unwrap();
    public.description = "Mine & yours".into();
    public.members = ids.iter().take(4).cloned().collect();
    public.visibility = Visibility::Public;
    public.portfolio = "First paragraph <i>.\n\nSecond paragraph.".into();
    bp.put_collection(public).unwrap();
    let mut unlisted = Collection::new("Unlisted").unwrap();
    unlisted.members = ids.iter().rev().take(3).cloned().collect();
    unlisted.visibility = Visibility::new_unlisted().unwrap();
    bp.put_collection(unlisted).unwrap();
    bp
}

fn entries(zip_bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        assert_eq!(f.compression(), zip::CompressionMethod::Stored);
        let t = f.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour(), t.minute()),
            (1980, 1, 1, 0, 0)
        );
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        out.push((f.name().to_owned(), b));
    }
    out
}

#[test]
fn the_archive_is_byte_identical_across_exports_and_stores() {
    let bp = filled(MemoryStore::new());
    let a = export_zip(bp.store()).unwrap();
    let b = export_zip(bp.store()).unwrap();
    assert_eq!(a, b);
    // Streaming into a file writes the same bytes.
    let streamed = openbadges_backpack::export::zip::export_zip_to(
        bp.store(),
        std::io::Cursor::new(Vec::new()),
    )
    .unwrap()
    .into_inner();
    assert_eq!(streamed, a);

    // The same content in SQLite exports to the same bytes, also after reopening the file.
    let dir =
        std::env::temp_dir().join(format!("openbadges-backpack-export-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bp.sqlite");
    let sql = SqliteStore::open(&path).unwrap();
    let mut writes: Vec<openbadges_backpack::Write> = bp
        .store()
        .badges()
        .unwrap()
        .into_iter()
        .map(|b| openbadges_backpack::Write::PutBadge(Box::new(b)))
        .collect();
    writes.extend(
        bp.store()
            .collections()
            .unwrap()
            .into_iter()
            .map(openbadges_backpack::Write::PutCollection),
    );
    sql.commit(writes).unwrap();
    drop(sql);
    let sql = SqliteStore::open(&path).unwrap();
    assert_eq!(export_zip(&sql).unwrap(), a);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_manifest_lists_every_file_with_its_sha256() {
    let bp = filled(MemoryStore::new());
    let zip_bytes = export_zip(bp.store()).unwrap();
    let files = entries(&zip_bytes);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "entries are sorted");
    let manifest: Value =
        serde_json::from_slice(&files.iter().find(|(n, _)| n == "manifest.json").unwrap().1)
            .unwrap();
    assert_eq!(manifest["format"], "openbadges-rs-backpack");
    assert_eq!(manifest["formatVersion"], 2);
    let badges = manifest["badges"].as_array().unwrap();
    assert_eq!(badges.len(), bp.badges().unwrap().len());
    // badge.json + original per badge, a baked image per badge that did not arrive baked, the
    // documents index (this verifier keeps no documents), index.html, manifest.json.
    let unbaked = badges
        .iter()
        .filter(|b| !matches!(b["inputKind"].as_str(), Some("png" | "svg")))
        .count();
    assert!(unbaked > 0);
    assert_eq!(files.len(), badges.len() * 2 + unbaked + 3);
    let index: Value = serde_json::from_slice(
        &files
            .iter()
            .find(|(n, _)| n == "documents/index.json")
            .unwrap()
            .1,
    )
    .unwrap();
    assert_eq!(index["format"], "openbadges-rs-documents");
    assert_eq!(index["documents"], serde_json::json!([]));
    for b in badges {
        assert_eq!(b["documents"], serde_json::json!([]));
        // Every badge has a baked image: its original when it arrived baked, else a new one
        // whose payload is the original (JSON or JWS) as received.
        let baked_path = b["files"]["baked"]["path"].as_str().unwrap();
        let baked = &files.iter().find(|(n, _)| n == baked_path).unwrap().1;
        let payload = openbadges_bake::extract(baked).unwrap().payload;
        let held = bp
            .store()
            .badge(&openbadges_backpack::BadgeId::parse(b["id"].as_str().unwrap()).unwrap())
            .unwrap()
            .unwrap();
        if baked_path.contains("/baked.") {
            assert_eq!(
                payload.trim(),
                std::str::from_utf8(&held.original).unwrap().trim()
            );
        } else {
            assert_eq!(baked, &held.original);
        }
        for which in ["original", "document", "baked"] {
            let f = &b["files"][which];
            let path = f["path"].as_str().unwrap();
            let bytes = &files.iter().find(|(n, _)| n == path).unwrap().1;
            let sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes));
            assert_eq!(f["sha256"], sha);
            assert_eq!(f["size"], bytes.len());
        }
        let held = bp
            .store()
            .badge(&openbadges_backpack::BadgeId::parse(b["id"].as_str().unwrap()).unwrap())
            .unwrap()
            .unwrap();
        let original = &files
            .iter()
            .find(|(n, _)| n == b["files"]["original"]["path"].as_str().unwrap())
            .unwrap()
            .1;
        assert_eq!(original, &held.original, "originals verbatim");
        assert_eq!(b["verification"]["status"], "valid");
        assert!(b["source"]["location"].is_string());
        assert!(b["version"].is_string());
    }
    // Baked originals keep their image extension.
    assert!(names.iter().any(|n| n.ends_with("/original.png")));
    assert!(names.iter().any(|n| n.ends_with("/original.svg")));
    assert!(names.iter().any(|n| n.ends_with("/original.jws")));
    assert_eq!(manifest["collections"].as_array().unwrap().len(), 2);
}

#[test]
fn the_portfolio_page_escapes_hostile_badge_text() {
    let bp = filled(MemoryStore::new());
    let files = entries(&export_zip(bp.store()).unwrap());
    let html = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "index.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(html.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;/p&gt;&lt;iframe src=javascript:alert(2)&gt;"));
    assert!(html.contains("Evil &amp; &lt;b&gt;Co&lt;/b&gt;"));
    assert!(html.contains("Public &lt;b&gt;stuff&lt;/b&gt;"));
    assert!(html.contains("First paragraph &lt;i&gt;."));
    assert!(!html.contains("<script"));
    assert!(!html.contains("<iframe"));
    assert!(!html.contains("src=\"javascript:"));
    assert!(html.contains("Content-Security-Policy"));
    // Baked badges show their own image from the archive.
    assert!(html.contains("/original.png\""));
}

#[test]
fn export_then_import_into_an_empty_backpack_round_trips() {
    let bp = filled(MemoryStore::new());
    let archive = export_zip(bp.store()).unwrap();
    let mut fresh = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = fresh
        .import(&archive, Source::file("backpack.zip"))
        .unwrap();
    let (imported, duplicate, failed) = r.counts();
    assert_eq!(failed, 0, "{r:?}");
    assert_eq!(duplicate, 0, "{r:?}");
    assert_eq!(imported, bp.badges().unwrap().len());
    let before = bp.store().badges().unwrap();
    let after = fresh.store().badges().unwrap();
    assert_eq!(before.len(), after.len());
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.original, b.original, "{}: original bytes differ", a.id);
        assert_eq!(a, b);
    }
    assert_eq!(
        bp.store().collections().unwrap(),
        fresh.store().collections().unwrap()
    );
    // And the archive of the restored backpack is the same archive.
    assert_eq!(export_zip(fresh.store()).unwrap(), archive);
    // Importing it again changes nothing.
    let again = fresh
        .import(&archive, Source::file("backpack.zip"))
        .unwrap();
    assert_eq!(again.counts(), (0, imported, 0));
}

#[test]
fn a_tampered_archive_entry_is_refused() {
    let bp = filled(MemoryStore::new());
    let archive = export_zip(bp.store()).unwrap();
    // Flip one byte inside the first original (stored, so it sits verbatim in the archive, after
    // its entry's name; a baked copy of it may come earlier).
    let first = &bp.badges().unwrap()[0];
    let name = format!("badges/{}/original.", first.id);
    let after = archive
        .windows(name.len())
        .position(|w| w == name.as_bytes())
        .unwrap();
    let pos = after
        + archive[after..]
            .windows(first.original.len())
            .position(|w| w == first.original.as_slice())
            .unwrap();
    let mut tampered = archive.clone();
    tampered[pos + first.original.len() / 2] ^= 0x01;
    let mut fresh = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = fresh
        .import(&tampered, Source::file("tampered.zip"))
        .unwrap();
    assert!(
        r.items.iter().any(|i| i.result == ImportResult::Failed),
        "{r:?}"
    );
}

#[test]
fn api_bodies_have_the_published_shapes_and_paging() {
    let bp = filled(MemoryStore::new());
    let store = bp.store();

    let bc = badge_connect_assertions(
        store,
        &Page::default(),
        "https://bp.example/bc/v1/assertions",
    )
    .unwrap();
    assert_eq!(bc.body["status"]["statusCode"], 200);
    assert_eq!(bc.body["status"]["statusText"], "OK");
    let assertions = bc.body["assertions"].as_array().unwrap();
    let signed = bc.body["signedAssertions"].as_array().unwrap();
    assert_eq!(bc.total_count, assertions.len() + signed.len());
    // The signed JWS file and the PNG with a JWS baked in.
    assert_eq!(signed.len(), 2, "{signed:?}");
    assert!(
        signed
            .iter()
            .all(|s| s.as_str().unwrap().split('.').count() == 3)
    );
    assert!(assertions.iter().all(|a| a.get("recipient").is_some()));
    assert!(bc.link.is_none());

    let page = Page {
        limit: 2,
        offset: 2,
        since: None,
    };
    let ob3 =
        ob3_get_credentials(store, &page, "https://bp.example/ims/ob/v3p0/credentials").unwrap();
    let creds = ob3.body["credential"].as_array().unwrap().len()
        + ob3.body["compactJwsString"].as_array().unwrap().len();
    assert_eq!(creds, 2);
    // basicOpenBadgeCredential (= the CLR member), simple.jwt, the baked SVG, the hostile one.
    assert_eq!(ob3.total_count, 4);
    let link = ob3.link.unwrap();
    assert!(link.contains("offset=0>; rel=\"first\""));
    assert!(link.contains("offset=0>; rel=\"prev\""));
    assert!(
        !link.contains("rel=\"next\""),
        "the last page has no next: {link}"
    );
    assert!(link.contains("offset=2>; rel=\"last\""));
    let all = ob3_get_credentials(store, &Page::default(), "x").unwrap();
    // The VC-JWT file and the SVG with a VC-JWT baked in.
    assert_eq!(all.body["compactJwsString"].as_array().unwrap().len(), 2);
    assert!(
        all.body.get("compactJwsStrings").is_none(),
        "normative key names only"
    );
    let since = Page {
        since: Some(t0()),
        ..Page::default()
    };
    assert_eq!(
        ob3_get_credentials(store, &since, "x").unwrap().total_count,
        0
    );
    assert!(
        ob3_get_credentials(
            store,
            &Page {
                limit: 0,
                ..Page::default()
            },
            "x"
        )
        .is_err()
    );

    let user = json!(12345);
    let groups = displayer_groups(store, &user).unwrap();
    assert_eq!(groups["userId"], 12345);
    let list = groups["groups"].as_array().unwrap();
    assert_eq!(list.len(), 1, "only public collections are listed");
    assert_eq!(list[0]["name"], "Public <b>stuff</b>");
    assert_eq!(list[0]["badges"], 4);
    let collections = store.collections().unwrap();
    let public = collections
        .iter()
        .find(|c| c.visibility == Visibility::Public)
        .unwrap();
    let group = displayer_group(store, &user, &public.id).unwrap().unwrap();
    assert_eq!(group["groupId"], public.id.as_str());
    for b in group["badges"].as_array().unwrap() {
        for k in ["lastValidated", "hostedUrl", "assertion", "imageUrl"] {
            assert!(b.get(k).is_some(), "{k}");
        }
    }
    let unlisted = collections
        .iter()
        .find(|c| c.visibility != Visibility::Public)
        .unwrap();
    assert!(
        displayer_group(store, &user, &unlisted.id)
            .unwrap()
            .is_none()
    );

    // Our own output imports back: the OB 3.0 body and the Badge Connect body.
    let mut fresh = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = fresh
        .import(
            all.body.to_string().as_bytes(),
            Source::new(SourceKind::Api, "ob3"),
        )
        .unwrap();
    assert_eq!(r.counts().2, 0, "{r:?}");
    let r = fresh
        .import(
            bc.body.to_string().as_bytes(),
            Source::new(SourceKind::Api, "bc"),
        )
        .unwrap();
    assert_eq!(r.counts().2, 0, "{r:?}");
}

#[test]
fn a_presentation_of_chosen_credentials_imports_back() {
    let bp = filled(MemoryStore::new());
    let vcs: Vec<_> = bp
        .badges()
        .unwrap()
        .into_iter()
        .filter(|b| matches!(b.version.as_str(), "3.0" | "clr-2.0"))
        .collect();
    let ids: Vec<_> = vcs.iter().map(|b| b.id.clone()).collect();
    let vp = openbadges_backpack::export::vp::presentation(
        bp.store(),
        &ids,
        Some("did:example:ebfeb1f712ebc6f1c276e12ec21"),
    )
    .unwrap();
    assert_eq!(vp["type"], json!(["VerifiablePresentation"]));
    assert_eq!(vp["holder"], "did:example:ebfeb1f712ebc6f1c276e12ec21");
    let list = vp["verifiableCredential"].as_array().unwrap();
    assert_eq!(list.len(), ids.len());
    // VC-JWTs (the .jwt file and the one baked in the SVG) are enveloped.
    let enveloped: Vec<_> = list
        .iter()
        .filter(|c| c["type"] == "EnvelopedVerifiableCredential")
        .collect();
    assert_eq!(enveloped.len(), 2);
    assert!(enveloped.iter().all(|c| {
        c["id"]
            .as_str()
            .unwrap()
            .starts_with("data:application/vc+jwt,ey")
    }));
    // Importing the presentation elsewhere gives back the same credentials, VC-JWTs verbatim.
    let mut fresh = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = fresh
        .import(vp.to_string().as_bytes(), Source::file("vp.json"))
        .unwrap();
    assert_eq!(r.counts(), (ids.len(), 0, 0), "{r:?}");
    for b in &vcs {
        let got = fresh.store().badge(&b.id).unwrap().unwrap();
        assert_eq!(got.document, b.document);
        if b.input_kind.as_str() == "jws" {
            assert_eq!(got.original, b.original.trim_ascii().to_vec());
        }
    }
    // An OB 2.0 badge is not a credential.
    let ob2 = bp
        .badges()
        .unwrap()
        .into_iter()
        .find(|b| b.version.as_str() == "2.0")
        .unwrap();
    assert!(openbadges_backpack::export::vp::presentation(bp.store(), &[ob2.id], None).is_err());
}

#[test]
fn re_verifying_at_export_records_the_result_at_export() {
    use openbadges_backpack::export::zip::{Reverify, export_zip_with};
    let bp = filled(MemoryStore::new());
    let at = chrono::DateTime::parse_from_rfc3339("2030-05-06T07:08:09Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let revoked_since = FixedVerifier(Status::Invalid);
    let export = |v: &FixedVerifier| {
        export_zip_with(
            bp.store(),
            std::io::Cursor::new(Vec::new()),
            Some(Reverify { verifier: v, at }),
        )
        .unwrap()
        .into_inner()
    };
    let a = export(&revoked_since);
    assert_eq!(
        a,
        export(&revoked_since),
        "deterministic for the same verifier and instant"
    );
    let files = entries(&a);
    let manifest: Value =
        serde_json::from_slice(&files.iter().find(|(n, _)| n == "manifest.json").unwrap().1)
            .unwrap();
    for b in manifest["badges"].as_array().unwrap() {
        assert_eq!(b["verification"]["status"], "invalid");
        assert_eq!(b["verification"]["checkedAt"], "2030-05-06T07:08:09Z");
        assert_eq!(
            b["verification"]["report"]["errors"][0]["code"],
            "SIGNATURE_INVALID"
        );
        assert_eq!(b["verificationAtImport"]["status"], "valid");
    }
    let html = String::from_utf8(
        files
            .iter()
            .find(|(n, _)| n == "index.html")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(html.contains("<b>Verification:</b> invalid"));
    // The store is untouched, and a plain export has no `verificationAtImport`.
    assert!(
        bp.store()
            .badges()
            .unwrap()
            .iter()
            .all(|b| b.verification.status == Status::Valid)
    );
    let plain = entries(&export_zip(bp.store()).unwrap());
    let manifest: Value =
        serde_json::from_slice(&plain.iter().find(|(n, _)| n == "manifest.json").unwrap().1)
            .unwrap();
    assert!(manifest["badges"][0].get("verificationAtImport").is_none());
}

/// An archive whose `badge.json` says something its original does not: the badge is refused
/// with the reason, and the archive's claim is never shown.
#[test]
fn an_archive_cannot_change_what_a_badge_displays() {
    use std::io::Write as _;
    let bp = filled(MemoryStore::new());
    let archive = export_zip(bp.store()).unwrap();
    let victim = bp
        .badges()
        .unwrap()
        .into_iter()
        .find(|b| b.input_kind.as_str() == "json")
        .unwrap();
    let target = format!("badges/{}/badge.json", victim.id);
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut found = false;
    for (name, bytes) in entries(&archive) {
        let bytes = if name == target {
            found = true;
            let mut doc: Value = serde_json::from_slice(&bytes).unwrap();
            doc["name"] = json!("Nobel Prize");
            if let Some(a) = doc.pointer_mut("/credentialSubject/achievement/name") {
                *a = json!("Nobel Prize");
            }
            serde_json::to_vec_pretty(&doc).unwrap()
        } else {
            bytes
        };
        w.start_file(
            name,
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
        w.write_all(&bytes).unwrap();
    }
    assert!(found);
    let forged = w.finish().unwrap().into_inner();
    let mut fresh = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = fresh.import(&forged, Source::file("forged.zip")).unwrap();
    assert_eq!(r.counts().2, 1, "{r:?}");
    let refused = r
        .items
        .iter()
        .find(|i| i.result == ImportResult::Failed)
        .unwrap();
    assert!(refused.input.ends_with(victim.id.as_str()), "{refused:?}");
    assert!(
        refused
            .reason
            .as_deref()
            .unwrap()
            .contains("the archive's badge.json disagrees"),
        "{refused:?}"
    );
    assert!(fresh.store().badge(&victim.id).unwrap().is_none());
    for b in fresh.store().badges().unwrap() {
        assert_ne!(b.name(), Some("Nobel Prize"));
    }
}

#[test]
fn an_empty_archive_says_so() {
    let empty = export_zip(&MemoryStore::new()).unwrap();
    let mut bp = backpack(MemoryStore::new(), FixedVerifier(Status::Valid));
    let r = bp.import(&empty, Source::file("empty.zip")).unwrap();
    assert_eq!(r.result(), ImportResult::Failed);
    assert!(
        r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("holds no badges")
    );
}
