//! The 10,000-badge backpack benchmark (issue #7): generate badges of mixed kinds with the
//! workspace's own issuing APIs, import them all into a fresh SQLite backpack with real
//! verification (the proof crate's verifier, documents kept for offline checks), and export the
//! backpack to a zip archive. One phase per process, so that `/usr/bin/time -v` gives each
//! phase's peak memory (maximum resident set size):
//!
//! ```text
//! cargo build --release -p openbadges-backpack --example backpack_10k
//! B=target/release/examples/backpack_10k
//! /usr/bin/time -v $B generate /tmp/bp10k/in 10000
//! /usr/bin/time -v $B import /tmp/bp10k/in /tmp/bp10k/store [BATCH]
//! /usr/bin/time -v $B export /tmp/bp10k/store /tmp/bp10k/backpack.zip
//! /usr/bin/time -v $B reimport /tmp/bp10k/in /tmp/bp10k/backpack.zip /tmp/bp10k/store2
//! ```
//!
//! The kinds, in turn: OB 2.0 signed (compact JWS, ES256), OB 2.0 hosted (JSON), OB 3.0
//! eddsa-rdfc-2022 (JSON, did:key issuers), OB 3.0 VC-JWT (ES256, issuer JWKS), a baked PNG
//! (of a JWS or a Data Integrity credential, alternately) and a baked SVG (of a hosted assertion
//! or a VC-JWT, alternately). Two keys of each kind sign them (by badge number). Every badge is
//! issued to the owner (OB 2.0: `student@example.org`, hashed with a salt for half of them;
//! OB 3.0: `did:example:learner`). The issuers' documents (profiles, keys, badge classes,
//! revocation lists, JWKS, hosted assertions) are served to the verifier from memory, as a warm
//! HTTP cache would: the import measures the backpack and verification, not a network.
//! `generate` also writes them to `DIR/documents/` in a backpack archive's `documents/` format,
//! for `openbadges verify --offline --documents DIR/documents` (bench/side-by-side/verify_scaling.sh).
//!
//! Each phase prints one JSON line with its numbers. `import` takes an optional batch size (1
//! by default): the inputs go to `Backpack::import_batches` in batches of that many, each batch
//! one transaction, reported once committed (while one batch commits, the next is verified).
//! With 1, each input is its own transaction, as `openbadges backpack import` does (which
//! imports them strictly one after the other).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use openbadges_backpack::proof::{LoaderFetcher, ProofVerifier};
use openbadges_backpack::{Backpack, ImportResult, Source, SqliteStore, Store};
use openbadges_model::Identity;
use openbadges_proof::data_integrity::{Ed25519Signer, ProofOptions};
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::loader::{CachingLoader, RecordingLoader, StaticLoader};
use openbadges_proof::vc_jwt::HeaderKey;
use openbadges_proof::verify::FixedClock;
use serde_json::{Value, json};

const EMAIL: &str = "student@example.org";
const SALT: &str = "bench-salt";
const LEARNER: &str = "did:example:learner";
const NOW: &str = "2026-06-01T00:00:00Z";
const OB2: &str = "https://w3id.org/openbadges/v2";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => generate(
            Path::new(&args[1]),
            args.get(2).map_or(10_000, |n| n.parse().unwrap()),
        ),
        Some("import") => import(
            Path::new(&args[1]),
            Path::new(&args[2]),
            args.get(3).map_or(1, |n| n.parse().unwrap()),
        ),
        Some("export") => export(Path::new(&args[1]), Path::new(&args[2])),
        Some("reimport") => reimport(
            Path::new(&args[1]),
            Path::new(&args[2]),
            Path::new(&args[3]),
        ),
        _ => {
            eprintln!(
                "usage: backpack_10k generate DIR [N] | import DIR STORE [BATCH] | export STORE OUT.zip | reimport DIR ARCHIVE.zip STORE"
            );
            std::process::exit(2);
        }
    }
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, b).as_ref())
}

/// The documents the issuers host, written to `DIR/hosted/` with an index (URL -> file).
struct Site {
    dir: PathBuf,
    index: Vec<Value>,
}

impl Site {
    fn put(&mut self, url: &str, media_type: &str, body: &[u8]) {
        let file = format!("{:05}", self.index.len());
        std::fs::write(self.dir.join(&file), body).unwrap();
        self.index
            .push(json!({"url": url, "mediaType": media_type, "file": file}));
    }

    fn put_json(&mut self, url: &str, v: &Value) {
        self.put(url, "application/json", &serde_json::to_vec(v).unwrap());
    }
}

fn recipient(i: usize) -> Value {
    if i % 2 == 0 {
        json!({"type": "email", "hashed": false, "identity": EMAIL})
    } else {
        let h = sha256_hex(format!("{EMAIL}{SALT}").as_bytes());
        json!({"type": "email", "hashed": true, "salt": SALT, "identity": format!("sha256${h}")})
    }
}

fn ob3(i: usize, issuer: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": format!("urn:uuid:00000000-0000-4000-8000-{i:012}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Bench University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": format!("Credential {i}"),
        "credentialSubject": {"id": LEARNER, "type": ["AchievementSubject"],
            "achievement": {"id": format!("https://bench.example/achievements/{}", i % 40),
                "type": ["Achievement"], "name": format!("Achievement {}", i % 40),
                "description": "A benchmark badge.", "criteria": {"narrative": "Be generated."}}}
    })
}

fn generate(dir: &Path, n: usize) {
    let start = Instant::now();
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("hosted")).unwrap();
    let mut site = Site {
        dir: dir.join("hosted"),
        index: Vec::new(),
    };
    let png = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/ob2/upstream/mozbakery-unbaked.png"
    ))
    .unwrap();
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#36c"/></svg>"##;

    // OB 2.0: two issuers, each with an ES256 key, a badge class and an empty revocation list.
    let mut ob2_keys = Vec::new();
    for k in 0..2 {
        let base = format!("https://issuer{k}.bench.example");
        let key = SecretKey::generate(Algorithm::Es256).unwrap();
        let key_id = format!("{base}/key");
        let issuer = json!({"@context": OB2, "id": format!("{base}/issuer"), "type": "Issuer",
            "name": format!("Bench Issuer {k}"), "url": base, "email": format!("issuer{k}@bench.example")});
        let issuer = openbadges_proof::issue::issuer_with_key(
            &issuer,
            &key_id,
            Some(&format!("{base}/revocations")),
        )
        .unwrap();
        site.put_json(&format!("{base}/issuer"), &issuer);
        site.put_json(
            &key_id,
            &openbadges_proof::issue::cryptographic_key(
                &key_id,
                &format!("{base}/issuer"),
                key.public_key(),
            )
            .unwrap(),
        );
        site.put_json(
            &format!("{base}/revocations"),
            &json!({"@context": OB2, "id": format!("{base}/revocations"), "type": "RevocationList", "revokedAssertions": []}),
        );
        site.put_json(
            &format!("{base}/badge"),
            &json!({"@context": OB2, "id": format!("{base}/badge"), "type": "BadgeClass",
                "name": format!("Bench Badge {k}"), "description": "A benchmark badge.",
                "image": format!("{base}/badge.png"), "criteria": {"narrative": "Be generated."},
                "issuer": format!("{base}/issuer")}),
        );
        site.put(&format!("{base}/badge.png"), "image/png", &png);
        ob2_keys.push((base, key, key_id));
    }
    // OB 3.0 Data Integrity: two did:key issuers.
    let di: Vec<Ed25519Signer> = (0..2u8)
        .map(|k| Ed25519Signer::from_seed(&[k + 7; 32]).unwrap())
        .collect();
    // OB 3.0 VC-JWT: two https issuers, each with an ES256 key in its JWKS.
    let mut jwt_keys = Vec::new();
    for k in 0..2 {
        let base = format!("https://vc{k}.bench.example");
        let key = SecretKey::generate(Algorithm::Es256).unwrap();
        let mut jwk = key.public_key().to_jwk();
        jwk["kid"] = json!("key-1");
        site.put_json(
            &format!("{base}/.well-known/jwks.json"),
            &json!({"keys": [jwk]}),
        );
        jwt_keys.push((base, key));
    }

    let ob2_signed = |i: usize| -> String {
        let (base, key, kid) = &ob2_keys[i / 6 % 2];
        let a = json!({"@context": OB2, "type": "Assertion",
            "id": format!("urn:uuid:10000000-0000-4000-8000-{i:012}"),
            "recipient": recipient(i), "badge": format!("{base}/badge"),
            "issuedOn": "2025-01-15T12:00:00Z"});
        openbadges_proof::issue::sign_assertion(&a, key, Some(kid)).unwrap()
    };
    let ob2_hosted = |i: usize, site: &mut Site| -> String {
        let (base, _, _) = &ob2_keys[i / 6 % 2];
        let url = format!("{base}/assertions/{i}");
        let a = json!({"@context": OB2, "type": "Assertion", "id": url,
            "recipient": recipient(i), "badge": format!("{base}/badge"),
            "issuedOn": "2025-01-15T12:00:00Z", "verification": {"type": "hosted"}});
        let text = serde_json::to_string_pretty(&a).unwrap();
        site.put(&url, "application/json", text.as_bytes());
        text
    };
    let ob3_di = |i: usize| -> String {
        let signer = &di[i / 6 % 2];
        let signed = openbadges_proof::data_integrity::sign(
            &ob3(i, &signer.did_key()),
            signer,
            &ProofOptions::new(signer.verification_method_did_key(), "2025-01-01T00:00:00Z"),
        )
        .unwrap();
        serde_json::to_string_pretty(&signed).unwrap()
    };
    let ob3_jwt = |i: usize| -> String {
        let (base, key) = &jwt_keys[i / 6 % 2];
        openbadges_proof::vc_jwt::issue(
            &ob3(i, &format!("{base}/issuers/1")),
            key,
            &HeaderKey::Kid("key-1".into()),
        )
        .unwrap()
    };
    let bake = |image: &[u8], payload: &str| -> Vec<u8> {
        openbadges_bake::bake(image, payload, &openbadges_bake::BakeOptions::default()).unwrap()
    };

    let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
    for i in 0..n {
        let (kind, ext, bytes): (&str, &str, Vec<u8>) = match i % 6 {
            0 => ("ob2-jws", "jws", ob2_signed(i).into_bytes()),
            1 => (
                "ob2-hosted-json",
                "json",
                ob2_hosted(i, &mut site).into_bytes(),
            ),
            2 => ("ob3-eddsa-rdfc-2022", "json", ob3_di(i).into_bytes()),
            3 => ("ob3-vc-jwt", "jwt", ob3_jwt(i).into_bytes()),
            4 if i % 12 == 4 => ("png-ob2-jws", "png", bake(&png, &ob2_signed(i))),
            4 => ("png-ob3-eddsa", "png", bake(&png, &ob3_di(i))),
            _ if i % 12 == 5 => {
                let p = ob2_hosted(i, &mut site);
                ("svg-ob2-hosted", "svg", bake(svg, &p))
            }
            _ => ("svg-ob3-vc-jwt", "svg", bake(svg, &ob3_jwt(i))),
        };
        *kinds.entry(kind).or_default() += 1;
        std::fs::write(dir.join(format!("input-{i:05}.{ext}")), bytes).unwrap();
    }
    std::fs::write(
        dir.join("hosted/index.json"),
        serde_json::to_vec_pretty(&site.index).unwrap(),
    )
    .unwrap();
    write_documents(&dir.join("hosted"), &site.index, &dir.join("documents"));
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({"phase": "generate", "badges": n, "kinds": kinds,
            "hosted_documents": site.index.len(), "seconds": secs})
    );
}

/// Writes the hosted documents again in a backpack archive's `documents/` format (`index.json`
/// + content-addressed files), which `openbadges verify --documents DIR/documents` preloads.
fn write_documents(hosted: &Path, index: &[Value], out: &Path) {
    std::fs::create_dir_all(out).unwrap();
    let mut entries = Vec::new();
    for e in index {
        let body = std::fs::read(hosted.join(e["file"].as_str().unwrap())).unwrap();
        let sha = sha256_hex(&body);
        std::fs::write(out.join(&sha), &body).unwrap();
        entries.push(
            json!({"url": e["url"], "mediaType": e["mediaType"], "sha256": sha,
            "file": sha, "size": body.len(), "fetchedAt": NOW}),
        );
    }
    let index = json!({"format": openbadges_backpack::export::zip::DOCUMENTS_FORMAT,
        "formatVersion": 1, "documents": entries});
    std::fs::write(
        out.join("index.json"),
        serde_json::to_vec_pretty(&index).unwrap(),
    )
    .unwrap();
}

fn import(dir: &Path, store_dir: &Path, batch: usize) {
    // The issuers' documents, as a warm cache would serve them.
    let mut docs = StaticLoader::with_bundled_contexts();
    let index: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("hosted/index.json")).unwrap()).unwrap();
    for e in &index {
        let body = std::fs::read(dir.join("hosted").join(e["file"].as_str().unwrap())).unwrap();
        docs.insert(e["url"].as_str().unwrap(), e["mediaType"].as_str(), &body);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let inputs: Vec<(Vec<u8>, String)> = files
        .iter()
        .map(|p| (std::fs::read(p).unwrap(), p.display().to_string()))
        .collect();

    let _ = std::fs::remove_dir_all(store_dir);
    let start = Instant::now();
    let clock = FixedClock::parse(NOW).unwrap();
    let cache = Arc::new(CachingLoader::new(docs));
    let recording = RecordingLoader::new(Arc::clone(&cache));
    let verifier =
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&recording).with_clock(&clock))
            .keeping(recording.recording());
    let store = SqliteStore::open_dir(store_dir).unwrap();
    let mut bp = Backpack::new(store, verifier).with_fetcher(LoaderFetcher(cache));
    bp.add_identifier(Identity::parse(&format!("email:{EMAIL}")).unwrap())
        .unwrap();
    bp.add_identifier(Identity::parse(&format!("did:{LEARNER}")).unwrap())
        .unwrap();
    let mut counts = [0usize; 3];
    let mut valid = 0usize;
    let mut first_failure = None;
    let batches = inputs.chunks(batch.max(1)).map(|chunk| {
        chunk
            .iter()
            .map(|(b, name)| (b.as_slice(), Source::file(name.clone())))
    });
    bp.import_batches(batches, |reports| {
        for r in reports {
            for item in &r.items {
                let slot = match item.result {
                    ImportResult::Imported => 0,
                    ImportResult::Duplicate => 1,
                    _ => 2,
                };
                counts[slot] += 1;
                if item.verification == Some(openbadges_proof::report::Status::Valid) {
                    valid += 1;
                }
                if item.result == ImportResult::Failed && first_failure.is_none() {
                    first_failure = Some(format!("{}: {:?}", item.input, item.reason));
                }
            }
        }
    })
    .unwrap();
    let secs = start.elapsed().as_secs_f64();
    let store = bp.into_store();
    let held = store.badge_ids().unwrap().len();
    let db_bytes = std::fs::metadata(store.path())
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "{}",
        json!({"phase": "import", "inputs": inputs.len(), "batch": batch,
            "imported": counts[0], "duplicate": counts[1], "failed": counts[2],
            "valid": valid, "held": held, "first_failure": first_failure,
            "seconds": secs, "badges_per_second": counts[0] as f64 / secs,
            "database_bytes": db_bytes})
    );
}

/// Imports the exported archive into a fresh SQLite backpack (same owner, same verifier setup
/// as `import`): every badge re-verified, its documents restored.
fn reimport(dir: &Path, archive: &Path, store_dir: &Path) {
    let mut docs = StaticLoader::with_bundled_contexts();
    let index: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("hosted/index.json")).unwrap()).unwrap();
    for e in &index {
        let body = std::fs::read(dir.join("hosted").join(e["file"].as_str().unwrap())).unwrap();
        docs.insert(e["url"].as_str().unwrap(), e["mediaType"].as_str(), &body);
    }
    let archive_bytes = std::fs::metadata(archive).unwrap().len();
    let _ = std::fs::remove_dir_all(store_dir);
    let start = Instant::now();
    let clock = FixedClock::parse(NOW).unwrap();
    let cache = Arc::new(CachingLoader::new(docs));
    let recording = RecordingLoader::new(Arc::clone(&cache));
    let verifier =
        ProofVerifier::new(openbadges_proof::verify::Verifier::new(&recording).with_clock(&clock))
            .keeping(recording.recording());
    let store = SqliteStore::open_dir(store_dir).unwrap();
    let mut bp = Backpack::new(store, verifier).with_fetcher(LoaderFetcher(cache));
    bp.add_identifier(Identity::parse(&format!("email:{EMAIL}")).unwrap())
        .unwrap();
    bp.add_identifier(Identity::parse(&format!("did:{LEARNER}")).unwrap())
        .unwrap();
    // Read from the file entry by entry (the archive is never in memory whole).
    let file = std::io::BufReader::new(std::fs::File::open(archive).unwrap());
    let r = bp
        .import_archive(file, Source::file("backpack.zip"))
        .unwrap();
    let secs = start.elapsed().as_secs_f64();
    let (imported, duplicate, failed) = r.counts();
    let first_failure = r
        .items
        .iter()
        .find(|i| i.result == ImportResult::Failed)
        .map(|i| format!("{}: {:?}", i.input, i.reason));
    println!(
        "{}",
        json!({"phase": "reimport", "archive_bytes": archive_bytes, "imported": imported,
            "duplicate": duplicate, "failed": failed, "first_failure": first_failure,
            "seconds": secs, "badges_per_second": imported as f64 / secs})
    );
}

fn export(store_dir: &Path, out: &Path) {
    let store = SqliteStore::open_dir(store_dir).unwrap();
    let start = Instant::now();
    let file = std::fs::File::create(out).unwrap();
    let file = openbadges_backpack::export::zip::export_zip_to(&store, file).unwrap();
    file.sync_all().unwrap();
    let secs = start.elapsed().as_secs_f64();
    let size = std::fs::metadata(out).unwrap().len();
    let mut z = zip::ZipArchive::new(std::fs::File::open(out).unwrap()).unwrap();
    let entries = z.len();
    let baked = (0..entries)
        .filter(|i| z.by_index(*i).unwrap().name().contains("/baked."))
        .count();
    let documents = (0..entries)
        .filter(|i| z.by_index(*i).unwrap().name().starts_with("documents/"))
        .count();
    println!(
        "{}",
        json!({"phase": "export", "badges": store.badge_ids().unwrap().len(), "seconds": secs,
            "zip_bytes": size, "entries": entries, "baked_images_made": baked,
            "document_files": documents})
    );
}
