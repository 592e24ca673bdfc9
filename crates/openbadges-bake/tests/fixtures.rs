//! Every baked/unbaked image fixture against its expected outcome, plus a golden results file
//! (`tests/golden/images.txt`; rewrite with `UPDATE_GOLDEN=1 cargo test -p openbadges-bake`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use openbadges_bake::{
    BadgeVersion, Error, ImageFormat, Limits, PayloadKind, Warning, extract, extract_reader,
};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");
const DIRS: &[&str] = &[
    "ob2/upstream",
    "ob2/baked",
    "ob3/1edtech-validator",
    "ob3/peers",
];

fn images() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in DIRS {
        for e in std::fs::read_dir(Path::new(FIXTURES).join(d)).unwrap() {
            let p = e.unwrap().path();
            if matches!(p.extension().and_then(|x| x.to_str()), Some("png" | "svg")) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(FIXTURES).join(rel)).unwrap()
}

fn text(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap().trim().to_owned()
}

fn summarize(payload: &str) -> String {
    let esc = |s: &str| s.escape_default().to_string();
    let chars: Vec<char> = payload.chars().collect();
    if chars.len() <= 64 {
        esc(payload)
    } else {
        let head: String = chars[..40].iter().collect();
        let tail: String = chars[chars.len() - 16..].iter().collect();
        format!("{}…{}", esc(&head), esc(&tail))
    }
}

fn outcome(bytes: &[u8]) -> String {
    match extract(bytes) {
        Ok(x) => {
            let json = match x.check_json() {
                Ok(()) if x.payload_kind == PayloadKind::Json => "json=valid ".to_owned(),
                Ok(()) => String::new(),
                Err(e) => format!("json={} ", e.kind_code()),
            };
            let warnings: Vec<String> = x.warnings.iter().map(|w| w.code().to_owned()).collect();
            format!(
                "ok {} keyword={} version={:?} kind={} len={} {}warnings=[{}] payload={}",
                x.format,
                x.keyword,
                x.version,
                x.payload_kind,
                x.payload.len(),
                json,
                warnings.join(","),
                summarize(&x.payload)
            )
        }
        Err(e) => format!("err {} ({e})", e.kind_code()),
    }
}

#[test]
fn golden_results() {
    let mut lines = String::new();
    for p in images() {
        let rel = p
            .strip_prefix(FIXTURES)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = std::fs::read(&p).unwrap();
        lines.push_str(&format!("{rel}\t{}\n", outcome(&bytes)));
    }
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/images.txt");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &lines).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap_or_default();
    assert_eq!(
        want, lines,
        "golden results changed; rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

/// The streaming extractor agrees with the in-memory one on every fixture, warnings included.
#[test]
fn streaming_agrees() {
    for p in images() {
        let bytes = std::fs::read(&p).unwrap();
        let a = extract(&bytes);
        let b = extract_reader(&bytes[..], &Limits::default());
        match (a, b) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a, b, "{}", p.display());
            }
            (Err(a), Err(b)) => assert_eq!(a.kind_code(), b.kind_code(), "{}", p.display()),
            (a, b) => panic!("{}: {a:?} vs {b:?}", p.display()),
        }
    }
}

fn ok(rel: &str) -> openbadges_bake::Extracted {
    extract(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn err(rel: &str) -> Error {
    extract(&read(rel)).expect_err(rel)
}

// The manifests' expected outcomes, one by one.

#[test]
fn ob2_upstream() {
    assert!(matches!(
        err("ob2/upstream/vcore-public_domain_heart.png"),
        Error::NotBaked {
            format: ImageFormat::Png
        }
    ));
    assert!(matches!(
        err("ob2/upstream/mozbakery-unbaked.png"),
        Error::NotBaked {
            format: ImageFormat::Png
        }
    ));
    assert!(matches!(
        err("ob2/upstream/mozbakery-unbaked.svg"),
        Error::NotBaked {
            format: ImageFormat::Svg
        }
    ));
    assert!(matches!(
        err("ob2/upstream/csbakery-unbaked_example.svg"),
        Error::NotBaked {
            format: ImageFormat::Svg
        }
    ));

    let heart = ok("ob2/upstream/csbakery-baked_heart.png");
    assert_eq!(
        (heart.keyword.as_str(), heart.payload_kind),
        ("openbadges", PayloadKind::Json)
    );
    assert!(heart.payload.contains("\"uid\""), "1.0 JSON assertion");
    heart.check_json().unwrap();

    // verify="https://example.org/assertion.json" with a 1.0 JSON body whose verify.url is the
    // same URL: the spec says the body wins, and it points at the same hosted URL.
    let ex = ok("ob2/upstream/csbakery-baked_example.svg");
    assert_eq!(ex.payload_kind, PayloadKind::Json);
    assert!(
        ex.payload
            .contains("\"url\":\"https://example.org/assertion.json\"")
    );

    let moz = ok("ob2/upstream/mozbakery-baked.svg");
    assert_eq!(moz.payload, r#"{"verify":{"url":"http://example.org"}}"#);
    moz.check_json().unwrap();

    let bad = ok("ob2/upstream/mozbakery-bad-json.svg");
    assert_eq!(bad.payload, r#"{verify:{"url":"http://example.org"}}"#);
    assert!(matches!(
        bad.check_json(),
        Err(Error::InvalidJson {
            line: 1,
            column: 2,
            ..
        })
    ));

    let nojson = ok("ob2/upstream/mozbakery-no-json.svg");
    assert_eq!(
        (nojson.payload.as_str(), nojson.payload_kind),
        ("http://example.org", PayloadKind::Url)
    );
}

#[test]
fn ob2_baked() {
    let valid = text("ob2/served/hosted/valid.json");
    let j = ok("ob2/baked/hosted-valid-json.png");
    assert_eq!(
        (j.keyword.as_str(), j.payload_kind),
        ("openbadges", PayloadKind::Json)
    );
    assert_eq!(serde_json(&j.payload), serde_json(&valid));

    let u = ok("ob2/baked/hosted-valid-url.png");
    assert_eq!(
        (u.payload.as_str(), u.payload_kind),
        ("http://127.0.0.1:8765/hosted/valid.json", PayloadKind::Url)
    );

    let jws = text("ob2/served/signed/valid.jws");
    let s = ok("ob2/baked/signed-valid.png");
    assert_eq!(
        (s.payload.as_str(), s.payload_kind),
        (jws.as_str(), PayloadKind::Jws)
    );
    let t = ok("ob2/baked/signed-tampered.png");
    assert_eq!(t.payload_kind, PayloadKind::Jws);
    assert_ne!(t.payload, jws);

    let sv = ok("ob2/baked/signed-valid.svg");
    assert_eq!(
        (sv.keyword.as_str(), sv.payload.as_str()),
        ("assertion", jws.as_str())
    );
    let hv = ok("ob2/baked/hosted-valid.svg");
    assert_eq!(
        (hv.keyword.as_str(), hv.payload_kind),
        ("assertion", PayloadKind::Json)
    );
    assert_eq!(serde_json(&hv.payload), serde_json(&valid));

    let legacy = ok("ob2/baked/legacy-text-chunk-url.png");
    assert_eq!(legacy.payload_kind, PayloadKind::Url);
    assert!(
        legacy.payload.starts_with("http://127.0.0.1:8765/v1/"),
        "{}",
        legacy.payload
    );
    assert!(matches!(
        legacy.warnings[..],
        [Warning::LegacyTextChunk { .. }]
    ));

    // Compressed iTXt: rejected by default with a typed, positioned error ...
    let c = err("ob2/baked/invalid-compressed-itxt.png");
    assert!(matches!(c, Error::CompressedChunk { .. }), "{c:?}");
    assert!(c.position().is_some());
    // ... and readable (with a warning) when the caller opts in.
    let inflated = openbadges_bake::extract_with(
        &read("ob2/baked/invalid-compressed-itxt.png"),
        &Limits::default().inflate_compressed(true),
    )
    .unwrap();
    assert!(matches!(
        inflated.warnings[..],
        [Warning::CompressedChunkInflated { .. }]
    ));
    assert_eq!(inflated.payload_kind, PayloadKind::Json);

    let d = ok("ob2/baked/invalid-duplicate-itxt.png");
    assert!(
        d.warnings
            .iter()
            .any(|w| matches!(w, Warning::DuplicateBadge { .. })),
        "{:?}",
        d.warnings
    );
}

#[test]
fn ob3() {
    for f in [
        "ob3/1edtech-validator/simple-json.png",
        "ob3/1edtech-validator/simple-json.svg",
    ] {
        let x = ok(f);
        assert_eq!(
            (x.version, x.payload_kind),
            (BadgeVersion::V3, PayloadKind::Json),
            "{f}"
        );
        assert!(["openbadgecredential", "credential"].contains(&x.keyword.as_str()));
        x.check_json().unwrap();
        assert!(x.payload.contains("OpenBadgeCredential"));
    }
    for f in [
        "ob3/1edtech-validator/simple-jwt.png",
        "ob3/1edtech-validator/simple-jwt.svg",
        "ob3/1edtech-validator/simple-jwt_v1.png",
        "ob3/1edtech-validator/simple-jwt_v1.svg",
    ] {
        let x = ok(f);
        assert_eq!(
            (x.version, x.payload_kind),
            (BadgeVersion::V3, PayloadKind::Jws),
            "{f}"
        );
    }
    let jwt = text("ob3/peers/ob3-EdDSA.jwt");
    for f in [
        "ob3/peers/ob3-EdDSA-baked.png",
        "ob3/peers/ob3-EdDSA-baked.svg",
    ] {
        let x = ok(f);
        assert_eq!(
            (x.version, x.payload_kind),
            (BadgeVersion::V3, PayloadKind::Jws),
            "{f}"
        );
        assert_eq!(x.payload, jwt, "{f}");
    }
    let ldp = ok("ob3/peers/ob3-ldp-baked.png");
    assert_eq!(
        (ldp.keyword.as_str(), ldp.payload_kind),
        ("openbadgecredential", PayloadKind::Json)
    );
    let v = serde_json(&ldp.payload);
    assert_eq!(
        v["proof"]["cryptosuite"], "eddsa-rdfc-2022",
        "an embedded Data Integrity proof"
    );
}

fn serde_json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap()
}
