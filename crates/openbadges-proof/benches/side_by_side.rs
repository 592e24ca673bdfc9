//! Our side of the side-by-side benchmark with the peers (`bench/side-by-side/run.sh`).
//!
//! - `side_by_side gen DIR` writes the inputs every implementation reads: the spec's unsigned
//!   OB 3.0 vector issued by us as VC-JWT (RS256, ES256, EdDSA; fresh keys, header `jwk`, the
//!   public keys as SPKI PEM) and as eddsa-rdfc-2022 with a `did:key` issuer, plus the Ed25519
//!   seed and `created` so the peers can re-sign the same document with the same key; and in
//!   `DIR/ob2/` the OB 2.0 fixtures (a signed RS256 assertion, a hosted one and every document
//!   they reference, with `documents.json` mapping URLs to files) that we and badgecheck serve
//!   from memory.
//! - `side_by_side run DIR` times our operations on those files with the same method as the peer
//!   harnesses (warm-up that also sizes a batch of ~200 ms, 15 timed batches, median per
//!   operation), each operation's batches alternating with those of the raw ring operation on
//!   the same signature, and prints one JSON object per line.
//!
//! Without arguments (as `cargo bench` runs every bench) it prints its usage and does nothing.
//!
//! `cargo bench -p openbadges-proof --bench side_by_side -- gen|run DIR`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

// Shared by four benches, each using part of it.
#[allow(dead_code)]
#[path = "common/alternate.rs"]
mod alternate;
use alternate::{Method, alternate, env_num};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::data_integrity::{
    Ed25519Signer, ProofOptions, VerifyOptions, hash_data, sign, verify,
};
use openbadges_proof::jws::Jws;
use openbadges_proof::key::{Algorithm, PublicKey, SecretKey};
use openbadges_proof::loader::{OB_V1_CONTEXT, OB_V2_CONTEXT, StaticLoader};
use openbadges_proof::report::Status;
use openbadges_proof::vc_jwt::{self, HeaderKey, KeyPolicy};
use openbadges_proof::verify::{FixedClock, RecipientProfile, Verifier};
use ring::rand::SecureRandom as _;
use ring::signature::{self, Ed25519KeyPair, UnparsedPublicKey};
use serde_json::Value;

const ALGS: [Algorithm; 3] = [Algorithm::Rs256, Algorithm::Es256, Algorithm::EdDsa];
const CREATED: &str = "2026-01-01T00:00:00Z";
/// Where the OB 2.0 fixtures say they are served (`fixtures/ob2/served`).
const OB2_BASE: &str = "http://127.0.0.1:8765/";
/// The recipient the OB 2.0 assertions are checked against (hashed email in the fixtures).
const OB2_RECIPIENT: &str = "student@example.org";
/// The OB 2.0 verifier's clock (as `benches/ob2_verify.rs`).
const OB2_NOW: &str = "2025-06-01T00:00:00Z";

fn timing() -> Method {
    Method {
        samples: env_num("SAMPLES", 15.0) as usize,
        batch_ms: env_num("BATCH_MS", 200.0),
        warm: Duration::from_secs_f64(env_num("WARM_MS", 1000.0) / 1000.0),
    }
}

fn report(op: &str, median_us: f64, t: &Method, batch: u64, extra: Option<(&str, f64)>) {
    let mut j = serde_json::json!({"impl": "ours", "op": op, "median_us": median_us,
                                   "ops": 1e6 / median_us, "samples": t.samples, "batch": batch});
    if let Some((k, v)) = extra {
        j[k] = v.into();
    }
    println!("{j}");
}

/// The same method as `ob3_js_bench.mjs`, `ob3_py_bench.py` and `ob2_py_bench.py` (warm-up
/// that sizes a batch of ~`BATCH_MS`, `SAMPLES` timed batches, the median time per operation)
/// for an operation and its raw signature operation, with their batches
/// alternating so that both see the same machine load; also reports the median of the
/// per-pair ratios (`ratio_to_raw`), which load moves far less than either time. The raw
/// operation's own line is printed when `raw_op` is given (a raw check shared by two rows is
/// reported once).
fn measure_pair(op: &str, f: impl FnMut(), raw_op: Option<&str>, raw: impl FnMut()) {
    measure_pair_as(op, f, raw_op, raw, "ratio_to_raw");
}

/// [`measure_pair`], the median per-pair ratio reported under `ratio_key`.
fn measure_pair_as(
    op: &str,
    mut f: impl FnMut(),
    raw_op: Option<&str>,
    mut raw: impl FnMut(),
    ratio_key: &str,
) {
    if let Some((selected, n)) = COUNT.get() {
        // `count` mode: only the selected operation, `n` times, nothing timed or printed.
        if selected == op {
            (0..*n).for_each(|_| f());
        } else if Some(selected.as_str()) == raw_op {
            (0..*n).for_each(|_| raw());
        }
        return;
    }
    let t = timing();
    let pair = alternate(t, &mut f, &mut raw);
    report(
        op,
        pair.op_us,
        &t,
        pair.batch,
        Some((ratio_key, pair.ratio)),
    );
    if let Some(raw_op) = raw_op {
        report(raw_op, pair.raw_us, &t, pair.raw_batch, None);
    }
}

fn spec_unsigned() -> Value {
    serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/ob3/spec-vectors/obv3p0-unsigned.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn generate(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let w = |name: &str, data: &[u8]| std::fs::write(dir.join(name), data).unwrap();
    let unsigned = spec_unsigned();
    let loader = StaticLoader::with_bundled_contexts();
    for alg in ALGS {
        let k = SecretKey::generate(alg).unwrap();
        let token = vc_jwt::issue(&unsigned, &k, &HeaderKey::Jwk).unwrap();
        let v = Verifier::new(&loader).with_key_policy(KeyPolicy {
            pinned: vec![k.public_key().clone()],
            ..KeyPolicy::default()
        });
        let r = v.verify_bytes("t", token.as_bytes());
        assert_eq!(r.status(), Status::Valid, "{r:#?}");
        w(&format!("vc-jwt-{alg}.jwt"), token.as_bytes());
        w(
            &format!("vc-jwt-{alg}.pub.pem"),
            k.public_key().to_pem().unwrap().as_bytes(),
        );
    }
    let mut seed = [0u8; 32];
    ring::rand::SystemRandom::new().fill(&mut seed).unwrap();
    let signer = Ed25519Signer::from_seed(&seed).unwrap();
    let mut doc = unsigned.clone();
    doc["issuer"]["id"] = signer.did_key().into();
    let signed = sign(
        &doc,
        &signer,
        &ProofOptions::new(signer.verification_method_did_key(), CREATED),
    )
    .unwrap();
    assert!(
        verify(&signed, &VerifyOptions::default())
            .outcome
            .is_valid()
    );
    w(
        "di-unsigned.json",
        serde_json::to_string_pretty(&doc).unwrap().as_bytes(),
    );
    w(
        "di-eddsa-rdfc-2022.json",
        serde_json::to_string_pretty(&signed).unwrap().as_bytes(),
    );
    w("ed25519-seed.hex", hex(&seed).as_bytes());
    w("di-created.txt", CREATED.as_bytes());
    generate_ob2(dir);
    eprintln!("ours: wrote and verified the inputs in {}", dir.display());
}

/// The OB 2.0 inputs: the served fixtures (`fixtures/ob2/served`: a signed RS256 assertion, a
/// hosted one, the issuer, badge class, key, revocation list and badge image they reference)
/// and the bundled OB v1/v2 contexts, copied to `DIR/ob2/` with `documents.json` (URL → file,
/// content type). Checked here: both assertions verify, and fail for another recipient.
fn generate_ob2(dir: &Path) {
    let out = dir.join("ob2");
    std::fs::create_dir_all(&out).unwrap();
    let served = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/ob2/served");
    let copy = |from: &str, to: &str| std::fs::copy(served.join(from), out.join(to)).unwrap();
    copy("signed/valid.jws", "signed.jws");
    let mut docs = Vec::new();
    for (from, to) in [
        ("hosted/valid.json", "hosted.json"),
        ("issuer.json", "issuer.json"),
        ("badgeclass.json", "badgeclass.json"),
        ("key.json", "key.json"),
        ("revocations.json", "revocations.json"),
        ("badge.png", "badge.png"),
    ] {
        copy(from, to);
        let content_type = if to.ends_with(".png") {
            "image/png"
        } else {
            "application/json"
        };
        docs.push(serde_json::json!({"url": format!("{OB2_BASE}{from}"),
                                     "file": to, "content_type": content_type}));
    }
    for (v, text) in [("v2", OB_V2_CONTEXT), ("v1", OB_V1_CONTEXT)] {
        let file = format!("openbadges-{v}-context.json");
        std::fs::write(out.join(&file), text).unwrap();
        for scheme in ["https", "http"] {
            for slash in ["", "/"] {
                docs.push(serde_json::json!({
                    "url": format!("{scheme}://w3id.org/openbadges/{v}{slash}"),
                    "file": file, "content_type": "application/ld+json"}));
            }
        }
    }
    std::fs::write(
        out.join("documents.json"),
        serde_json::to_string_pretty(&docs).unwrap(),
    )
    .unwrap();
    std::fs::write(out.join("recipient.txt"), OB2_RECIPIENT).unwrap();
    let loader = ob2_loader(dir);
    let clock = FixedClock::parse(OB2_NOW).unwrap();
    for input in ["signed.jws", "hosted.json"] {
        let bytes = std::fs::read(out.join(input)).unwrap();
        let r = ob2_verifier(&loader, &clock, OB2_RECIPIENT).verify_bytes(input, &bytes);
        assert_eq!(r.status(), Status::Valid, "{r:#?}");
        let r =
            ob2_verifier(&loader, &clock, "someone-else@example.org").verify_bytes(input, &bytes);
        assert_ne!(
            r.status(),
            Status::Valid,
            "{input}: the recipient is not checked"
        );
    }
}

/// The bare ring check of a token's signature: the key already decoded to its raw parts (RSA
/// `n`/`e`, the P-256 point, the Ed25519 point), the signing input and signature already
/// base64url-decoded. What ring does inside `verify` (building the RSA key's Montgomery
/// constants, decoding and checking the curve point, hashing, the signature arithmetic) is in.
fn raw_verifier(key: &PublicKey) -> impl Fn(&[u8], &[u8]) -> bool {
    let jwk = key.to_jwk();
    let b = |m: &str| URL_SAFE_NO_PAD.decode(jwk[m].as_str().unwrap()).unwrap();
    let alg = key.algorithm();
    let (a, c) = match alg {
        Algorithm::Rs256 => (b("n"), b("e")),
        Algorithm::Es256 => {
            let mut p = vec![4u8];
            p.extend(b("x"));
            p.extend(b("y"));
            (p, Vec::new())
        }
        _ => (b("x"), Vec::new()),
    };
    move |msg: &[u8], sig: &[u8]| match alg {
        Algorithm::Rs256 => signature::RsaPublicKeyComponents { n: &a, e: &c }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
            .is_ok(),
        Algorithm::Es256 => UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, &a)
            .verify(msg, sig)
            .is_ok(),
        _ => UnparsedPublicKey::new(&signature::ED25519, &a)
            .verify(msg, sig)
            .is_ok(),
    }
}

fn run(dir: &Path) {
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let loader = StaticLoader::with_bundled_contexts();
    for alg in ALGS {
        let token = read(&format!("vc-jwt-{alg}.jwt"));
        let key = PublicKey::from_pem(
            std::str::from_utf8(&read(&format!("vc-jwt-{alg}.pub.pem"))).unwrap(),
        )
        .unwrap();
        let v = Verifier::new(&loader).with_key_policy(KeyPolicy {
            pinned: vec![key.clone()],
            ..KeyPolicy::default()
        });
        let jws = Jws::parse(std::str::from_utf8(&token).unwrap()).unwrap();
        let raw = raw_verifier(&key);
        measure_pair(
            &format!("vc-jwt verify {alg}"),
            || {
                let r = v.verify_bytes("t", black_box(&token));
                assert_eq!(r.status(), Status::Valid);
            },
            Some(&format!("raw ring verify {alg}")),
            || {
                assert!(raw(
                    black_box(jws.signing_input().as_bytes()),
                    black_box(jws.signature())
                ));
            },
        );
    }
    let signed_bytes = read("di-eddsa-rdfc-2022.json");
    let signed: Value = serde_json::from_slice(&signed_bytes).unwrap();
    let seed: [u8; 32] = unhex(
        std::str::from_utf8(&read("ed25519-seed.hex"))
            .unwrap()
            .trim(),
    )
    .try_into()
    .unwrap();
    let signer = Ed25519Signer::from_seed(&seed).unwrap();
    // The raw Ed25519 operations on the same 64 bytes the proof signs (the proof config's hash
    // followed by the document's), with the key already decoded / the key pair already built.
    let data = hash_data(&signed, &signed["proof"]).unwrap();
    let sig = openbadges_proof::multibase::decode_base58btc(
        signed["proof"]["proofValue"].as_str().unwrap(),
    )
    .unwrap();
    let public = signer.multikey();
    let raw_verify = || {
        assert!(
            UnparsedPublicKey::new(&signature::ED25519, public.public_key_bytes())
                .verify(black_box(&data), black_box(&sig))
                .is_ok()
        );
    };
    let v = Verifier::new(&loader);
    measure_pair(
        "eddsa-rdfc-2022 verify",
        || {
            let r = v.verify_bytes("c", black_box(&signed_bytes));
            assert_eq!(r.status(), Status::Valid);
        },
        Some("raw ring verify Ed25519 (eddsa-rdfc-2022 hash)"),
        raw_verify,
    );
    measure_pair(
        "eddsa-rdfc-2022 verify (proof only)",
        || {
            let doc: Value = serde_json::from_slice(black_box(&signed_bytes)).unwrap();
            assert!(verify(&doc, &VerifyOptions::default()).outcome.is_valid());
        },
        None,
        raw_verify,
    );
    let unsigned: Value = serde_json::from_slice(&read("di-unsigned.json")).unwrap();
    let opts = ProofOptions::new(
        signer.verification_method_did_key(),
        std::str::from_utf8(&read("di-created.txt")).unwrap().trim(),
    );
    assert_eq!(sign(&unsigned, &signer, &opts).unwrap(), signed);
    let pair = Ed25519KeyPair::from_seed_unchecked(&seed).unwrap();
    assert_eq!(pair.sign(&data).as_ref(), sig.as_slice());
    measure_pair(
        "eddsa-rdfc-2022 sign",
        || {
            black_box(sign(black_box(&unsigned), &signer, &opts).unwrap());
        },
        Some("raw ring sign Ed25519 (eddsa-rdfc-2022 hash)"),
        || {
            black_box(pair.sign(black_box(&data)));
        },
    );
    run_ob2(dir);
}

/// The OB 2.0 documents of the run: `ob2/documents.json` maps each URL to its file in `ob2/`
/// and its content type (the bundled JSON-LD contexts included), so that every implementation
/// serves the same bytes from memory.
fn ob2_loader(dir: &Path) -> StaticLoader {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("ob2/documents.json")).unwrap()).unwrap();
    let mut l = StaticLoader::new();
    for d in manifest.as_array().unwrap() {
        let body = std::fs::read(dir.join("ob2").join(d["file"].as_str().unwrap())).unwrap();
        l.insert(
            d["url"].as_str().unwrap(),
            d["content_type"].as_str(),
            &body,
        );
    }
    l
}

/// The OB 2.0 verifier of the run: documents from memory, the recipient to match, a fixed
/// clock (as `benches/ob2_verify.rs`).
fn ob2_verifier<'a>(loader: &'a StaticLoader, clock: &'a FixedClock, email: &str) -> Verifier<'a> {
    Verifier::new(loader)
        .with_clock(clock)
        .with_recipient(RecipientProfile::new().email(email))
}

fn run_ob2(dir: &Path) {
    let read = |name: &str| std::fs::read(dir.join("ob2").join(name)).unwrap();
    let loader = ob2_loader(dir);
    let clock = FixedClock::parse(OB2_NOW).unwrap();
    let v = ob2_verifier(&loader, &clock, OB2_RECIPIENT);
    let signed = read("signed.jws");
    let hosted = read("hosted.json");
    let jws = Jws::parse(std::str::from_utf8(&signed).unwrap().trim()).unwrap();
    let key_doc: Value = serde_json::from_slice(&read("key.json")).unwrap();
    let key = PublicKey::from_pem(key_doc["publicKeyPem"].as_str().unwrap()).unwrap();
    let raw = raw_verifier(&key);
    measure_pair(
        "ob2 verify signed RS256",
        || {
            let r = v.verify_bytes("s", black_box(&signed));
            assert_eq!(r.status(), Status::Valid);
        },
        Some("raw ring verify RS256 (ob2 signed)"),
        || {
            assert!(raw(
                black_box(jws.signing_input().as_bytes()),
                black_box(jws.signature())
            ));
        },
    );
    // A hosted assertion has no signature: its goal is absolute (µs). Its batches alternate
    // with the same raw RSA check all the same: the ratio (`ratio_to_rsa`) scales the time to
    // another machine or load (hosted µs ≈ ratio × that machine's raw RSA-2048 verify).
    measure_pair_as(
        "ob2 verify hosted",
        || {
            let r = v.verify_bytes("h", black_box(&hosted));
            assert_eq!(r.status(), Status::Valid);
        },
        None,
        || {
            assert!(raw(
                black_box(jws.signing_input().as_bytes()),
                black_box(jws.signature())
            ));
        },
        "ratio_to_rsa",
    );
}

/// `side_by_side count DIR OP N`: the operation to run and how many times (see [`main`]).
static COUNT: OnceLock<(String, u64)> = OnceLock::new();

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    match args.as_slice() {
        [cmd, dir] if cmd == "gen" => generate(&PathBuf::from(dir)),
        [cmd, dir] if cmd == "run" => run(&PathBuf::from(dir)),
        // For instruction counts (`bench/side-by-side/instructions.sh`, under callgrind): the
        // whole set-up of `run`, then only operation OP (a row or a raw operation, named as
        // `run` prints them), N times, untimed; N = 0 is the set-up alone.
        [cmd, dir, op, n] if cmd == "count" => {
            COUNT.set((op.clone(), n.parse().unwrap())).unwrap();
            run(&PathBuf::from(dir));
        }
        _ => eprintln!(
            "side_by_side: nothing to do (usage: cargo bench -p openbadges-proof --bench \
             side_by_side -- gen|run DIR | count DIR OP N; bench/side-by-side/run.sh and \
             instructions.sh drive it)"
        ),
    }
}
