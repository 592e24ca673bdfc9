//! `openbadges bake` / `openbadges extract` through the built binary (the CLI.md contract).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::Path;

use openbadges_test_support::http::{Response, Server};

mod common;
use common::{fixtures_dir, run, run_stdin, s, tmp};

#[test]
fn extract_prints_the_payload_exactly() {
    let jws = std::fs::read_to_string(fixtures_dir("ob2/served/signed/valid.jws")).unwrap();
    let out = run(&["extract", s(&fixtures_dir("ob2/baked/signed-valid.png"))]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout)
            .unwrap()
            .trim_end_matches('\n'),
        jws.trim()
    );
}

#[test]
fn extract_json_shape() {
    let out = run(&[
        "extract",
        "--json",
        s(&fixtures_dir("ob3/1edtech-validator/simple-json.svg")),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "svg");
    assert_eq!(v["keyword"], "credential");
    assert_eq!(v["payload_kind"], "json");
    assert!(v["payload"].as_str().unwrap().starts_with('{'));

    let out = run(&[
        "extract",
        "--json",
        s(&fixtures_dir("ob2/baked/hosted-valid-url.png")),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["format"].as_str(),
            v["keyword"].as_str(),
            v["payload_kind"].as_str(),
            v["payload"].as_str()
        ),
        (
            Some("png"),
            Some("openbadges"),
            Some("url"),
            Some("http://127.0.0.1:8765/hosted/valid.json")
        )
    );
}

#[test]
fn extract_exit_codes() {
    // No badge: 1.
    for f in [
        "ob2/upstream/mozbakery-unbaked.png",
        "ob2/upstream/mozbakery-unbaked.svg",
    ] {
        let out = run(&["extract", s(&fixtures_dir(f))]);
        assert_eq!(out.status.code(), Some(1), "{f}");
        assert!(out.stdout.is_empty());
    }
    // A compressed chunk (forbidden) is reported, exit 1; readable on request.
    let out = run(&[
        "extract",
        s(&fixtures_dir("ob2/baked/invalid-compressed-itxt.png")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("compressed"));
    let out = run(&[
        "extract",
        "--inflate-compressed",
        s(&fixtures_dir("ob2/baked/invalid-compressed-itxt.png")),
    ]);
    assert_eq!(out.status.code(), Some(0));
    // Duplicate: first one printed, warning on stderr.
    let out = run(&[
        "extract",
        s(&fixtures_dir("ob2/baked/invalid-duplicate-itxt.png")),
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DUPLICATE_BADGE"));
    // Not a PNG/SVG, or unreadable: 2.
    assert_eq!(
        run(&["extract", s(&fixtures_dir("ob2/served/hosted/valid.json"))])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["extract", "/nonexistent/x.png"]).status.code(),
        Some(2)
    );
    let mut truncated = std::fs::read(fixtures_dir("ob2/baked/signed-valid.png")).unwrap();
    truncated.truncate(40);
    let out = run_stdin(&["extract", "-"], &truncated);
    assert_eq!(out.status.code(), Some(2));
    // Usage error: 2.
    assert_eq!(run(&["extract"]).status.code(), Some(2));
}

#[test]
fn bake_then_extract_every_form() {
    let dir = tmp("bake-every-form");
    let jws = fixtures_dir("ob2/served/signed/valid.jws");
    let hosted = fixtures_dir("ob2/served/hosted/valid.json");
    let jwt = fixtures_dir("ob3/peers/ob3-EdDSA.jwt");
    let ldp = fixtures_dir("ob3/peers/ob3-eddsa-rdfc-2022-didkey.json");
    let cases: &[(&str, &Path, &str, &str)] = &[
        (
            "ob2/upstream/mozbakery-unbaked.png",
            &hosted,
            "openbadges",
            "json",
        ),
        (
            "ob2/upstream/mozbakery-unbaked.png",
            &jws,
            "openbadges",
            "jws",
        ),
        (
            "ob2/upstream/mozbakery-unbaked.png",
            &jwt,
            "openbadgecredential",
            "jws",
        ),
        (
            "ob2/upstream/mozbakery-unbaked.png",
            &ldp,
            "openbadgecredential",
            "json",
        ),
        (
            "ob2/upstream/mozbakery-unbaked.svg",
            &hosted,
            "assertion",
            "json",
        ),
        (
            "ob2/upstream/mozbakery-unbaked.svg",
            &jws,
            "assertion",
            "jws",
        ),
        (
            "ob2/upstream/mozbakery-unbaked.svg",
            &jwt,
            "credential",
            "jws",
        ),
        (
            "ob2/upstream/csbakery-unbaked_example.svg",
            &ldp,
            "credential",
            "json",
        ),
    ];
    for (i, (image, payload, keyword, kind)) in cases.iter().enumerate() {
        let out_path = dir.join(format!(
            "case{i}.{}",
            if image.ends_with("png") { "png" } else { "svg" }
        ));
        let out = run(&[
            "bake",
            "--image",
            s(&fixtures_dir(image)),
            "--payload",
            s(payload),
            "-o",
            s(&out_path),
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{image} {}: {}",
            payload.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let out = run(&["extract", "--json", s(&out_path)]);
        assert_eq!(out.status.code(), Some(0));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["keyword"], *keyword, "{image} {}", payload.display());
        assert_eq!(v["payload_kind"], *kind);
        let want = std::fs::read_to_string(payload).unwrap();
        assert_eq!(v["payload"].as_str().unwrap(), want.trim());
    }
}

#[test]
fn bake_url_stdin_replace_and_errors() {
    let dir = tmp("bake-url-stdin");
    let image = fixtures_dir("ob2/upstream/mozbakery-unbaked.png");
    let out1 = dir.join("url.png");
    let out = run(&[
        "bake",
        "--image",
        s(&image),
        "--payload",
        "https://example.org/assertions/1",
        "-o",
        s(&out1),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["extract", s(&out1)]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "https://example.org/assertions/1\n"
    );

    // Already baked: exit 1 without --replace; --replace works.
    let out2 = dir.join("url2.png");
    let out = run(&[
        "bake",
        "--image",
        s(&out1),
        "--payload",
        "https://example.org/assertions/2",
        "-o",
        s(&out2),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!out2.exists());
    let out = run(&[
        "bake",
        "--image",
        s(&out1),
        "--payload",
        "https://example.org/assertions/2",
        "-o",
        s(&out2),
        "--replace",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        run(&["extract", s(&out2)]).stdout,
        b"https://example.org/assertions/2\n"
    );
    // Replacing gives the same bytes as baking the original.
    let out3 = dir.join("url3.png");
    run(&[
        "bake",
        "--image",
        s(&image),
        "--payload",
        "https://example.org/assertions/2",
        "-o",
        s(&out3),
    ]);
    assert_eq!(std::fs::read(&out2).unwrap(), std::fs::read(&out3).unwrap());

    // Payload from stdin (the default), output to stdout.
    let jws = std::fs::read(fixtures_dir("ob2/served/signed/valid.jws")).unwrap();
    let out = run_stdin(
        &[
            "bake",
            "--image",
            s(&fixtures_dir("ob2/upstream/mozbakery-unbaked.svg")),
            "-o",
            "-",
        ],
        &jws,
    );
    assert_eq!(out.status.code(), Some(0));
    let back = run_stdin(&["extract", "-"], &out.stdout);
    assert_eq!(
        String::from_utf8(back.stdout).unwrap().trim_end(),
        String::from_utf8(jws).unwrap().trim()
    );

    // A payload that is neither JSON, JWS nor URL: 1. Not an image: 2. Missing -o: 2.
    let out = run_stdin(
        &["bake", "--image", s(&image), "-o", s(&dir.join("x.png"))],
        b"hello world",
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(&[
        "bake",
        "--image",
        s(&fixtures_dir("ob2/served/hosted/valid.json")),
        "--payload",
        "https://e.org/a",
        "-o",
        s(&dir.join("y.png")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(run(&["bake", "--image", s(&image)]).status.code(), Some(2));
}

#[test]
fn bake_form_override() {
    let dir = tmp("bake-form");
    let out_path = dir.join("forced.png");
    let out = run(&[
        "bake",
        "--image",
        s(&fixtures_dir("ob2/upstream/mozbakery-unbaked.png")),
        "--payload",
        "https://example.org/c/1",
        "--form",
        "ob3",
        "-o",
        s(&out_path),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["extract", "--json", s(&out_path)]).stdout).unwrap();
    assert_eq!(v["keyword"], "openbadgecredential");
}

/// A loopback server answering every request with the PNG `body`, and its `/badge.png` URL.
fn serve_png(body: Vec<u8>) -> (Server, String) {
    let server = Server::start(move |_| Response::ok(body.clone(), "image/png"));
    let url = format!("{}/badge.png", server.base_url());
    (server, url)
}

#[test]
fn extract_from_url_is_guarded() {
    let png = std::fs::read(fixtures_dir("ob2/baked/signed-valid.png")).unwrap();
    let (_refused, url) = serve_png(png.clone());
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    // Loopback is refused unless allowed; --offline forbids the fetch: both exit 2.
    assert_eq!(run(&["extract", &url]).status.code(), Some(2));
    assert_eq!(run(&["extract", "--offline", &url]).status.code(), Some(2));
    let (_served, url) = serve_png(png);
    let host2 = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let out = run(&["extract", "--allow-host", &host2, &url]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let jws = std::fs::read_to_string(fixtures_dir("ob2/served/signed/valid.jws")).unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        jws.trim()
    );
    let _ = host;
}
