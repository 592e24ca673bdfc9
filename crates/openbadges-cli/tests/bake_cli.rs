//! `openbadges bake` / `openbadges extract` through the built binary (the CLI.md contract).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_openbadges");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

fn fx(rel: &str) -> PathBuf {
    Path::new(FIXTURES).join(rel)
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("openbadges-bake-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn extract_prints_the_payload_exactly() {
    let jws = std::fs::read_to_string(fx("ob2/served/signed/valid.jws")).unwrap();
    let out = run(&["extract", s(&fx("ob2/baked/signed-valid.png"))]);
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
        s(&fx("ob3/1edtech-validator/simple-json.svg")),
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
        s(&fx("ob2/baked/hosted-valid-url.png")),
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
        let out = run(&["extract", s(&fx(f))]);
        assert_eq!(out.status.code(), Some(1), "{f}");
        assert!(out.stdout.is_empty());
    }
    // A compressed chunk (forbidden) is reported, exit 1; readable on request.
    let out = run(&["extract", s(&fx("ob2/baked/invalid-compressed-itxt.png"))]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("compressed"));
    let out = run(&[
        "extract",
        "--inflate-compressed",
        s(&fx("ob2/baked/invalid-compressed-itxt.png")),
    ]);
    assert_eq!(out.status.code(), Some(0));
    // Duplicate: first one printed, warning on stderr.
    let out = run(&["extract", s(&fx("ob2/baked/invalid-duplicate-itxt.png"))]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DUPLICATE_BADGE"));
    // Not a PNG/SVG, or unreadable: 2.
    assert_eq!(
        run(&["extract", s(&fx("ob2/served/hosted/valid.json"))])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["extract", "/nonexistent/x.png"]).status.code(),
        Some(2)
    );
    let mut truncated = std::fs::read(fx("ob2/baked/signed-valid.png")).unwrap();
    truncated.truncate(40);
    let out = run_stdin(&["extract", "-"], &truncated);
    assert_eq!(out.status.code(), Some(2));
    // Usage error: 2.
    assert_eq!(run(&["extract"]).status.code(), Some(2));
}

#[test]
fn bake_then_extract_every_form() {
    let jws = fx("ob2/served/signed/valid.jws");
    let hosted = fx("ob2/served/hosted/valid.json");
    let jwt = fx("ob3/peers/ob3-EdDSA.jwt");
    let ldp = fx("ob3/peers/ob3-eddsa-rdfc-2022-didkey.json");
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
        let out_path = tmp(&format!(
            "case{i}.{}",
            if image.ends_with("png") { "png" } else { "svg" }
        ));
        let out = run(&[
            "bake",
            "--image",
            s(&fx(image)),
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
    let image = fx("ob2/upstream/mozbakery-unbaked.png");
    let out1 = tmp("url.png");
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
    let out2 = tmp("url2.png");
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
    let out3 = tmp("url3.png");
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
    let jws = std::fs::read(fx("ob2/served/signed/valid.jws")).unwrap();
    let mut child = Command::new(BIN)
        .args([
            "bake",
            "--image",
            s(&fx("ob2/upstream/mozbakery-unbaked.svg")),
            "-o",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&jws).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let back = run_stdin(&["extract", "-"], &out.stdout);
    assert_eq!(
        String::from_utf8(back.stdout).unwrap().trim_end(),
        String::from_utf8(jws).unwrap().trim()
    );

    // A payload that is neither JSON, JWS nor URL: 1. Not an image: 2. Missing -o: 2.
    let out = run_stdin(
        &["bake", "--image", s(&image), "-o", s(&tmp("x.png"))],
        b"hello world",
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(&[
        "bake",
        "--image",
        s(&fx("ob2/served/hosted/valid.json")),
        "--payload",
        "https://e.org/a",
        "-o",
        s(&tmp("y.png")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(run(&["bake", "--image", s(&image)]).status.code(), Some(2));
}

#[test]
fn bake_form_override() {
    let out_path = tmp("forced.png");
    let out = run(&[
        "bake",
        "--image",
        s(&fx("ob2/upstream/mozbakery-unbaked.png")),
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

/// Serves `body` once on a loopback port; returns the URL.
fn serve_once(body: Vec<u8>) -> String {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    format!("http://127.0.0.1:{port}/badge.png")
}

#[test]
fn extract_from_url_is_guarded() {
    let png = std::fs::read(fx("ob2/baked/signed-valid.png")).unwrap();
    let url = serve_once(png.clone());
    let host = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    // Loopback is refused unless allowed; --offline forbids the fetch: both exit 2.
    assert_eq!(run(&["extract", &url]).status.code(), Some(2));
    assert_eq!(run(&["extract", "--offline", &url]).status.code(), Some(2));
    let url = serve_once(png);
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
    let jws = std::fs::read_to_string(fx("ob2/served/signed/valid.jws")).unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim_end(),
        jws.trim()
    );
    let _ = host;
}
