//! One `issuer-service` process on a SQLite file: every route end to end over loopback, bad
//! requests refused with the right status, state kept across a restart, and a graceful exit
//! on SIGTERM.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{Instance, codes_of, parse_json, path_of, status_of, try_request};
use serde_json::json;

#[test]
fn issue_serve_verify_revoke_restart_and_stop() {
    let dir = openbadges_test_support::fixtures::TempDir::new("svc-routes");
    let data = dir.join("data");
    let data = data.to_str().unwrap();
    let service = Instance::start(&["--data-dir", data]);
    assert_eq!(service.get("/health").0, 200);

    let (status, badge) = service.post_json(
        "/issue",
        &json!({ "recipient": "Learner@Example.org",
                 "badge": { "slug": "rust-101", "name": "Rust 101", "tags": ["rust"] },
                 "narrative": "Passed the quiz." }),
    );
    assert_eq!(status, 200, "{badge}");
    let uuid = badge["uuid"].as_str().unwrap();
    let base = format!("http://{}/", service.addr());
    assert!(
        std::path::Path::new(data).join("issuer.sqlite3").exists(),
        "SQLite in the data directory"
    );

    // Every hosted document is served from the store with its content type.
    for url in badge["documents"].as_array().unwrap() {
        let (status, _) = service.get(&path_of(url.as_str().unwrap(), &base));
        assert_eq!(status, 200, "{url}");
    }
    let (status, class) = service.get("/badges/rust-101.json");
    assert_eq!(status, 200);
    assert_eq!(parse_json(&class)["name"], "Rust 101");
    assert_eq!(service.get("/nothing/here.json").0, 404);

    // Every form verifies, for the right recipient and not for another one.
    let credential = serde_json::to_vec(&badge["ob3_credential"]).unwrap();
    let report = service.verify("application/json", &credential);
    assert_eq!(status_of(&report), "valid", "{report}");
    for baked in badge["baked"].as_array().unwrap() {
        let (status, image) = service.get(baked["path"].as_str().unwrap());
        assert_eq!(status, 200);
        let (status, report) = try_request(
            service.addr(),
            "POST",
            "/verify?recipient=email:learner@example.org",
            Some(baked["content_type"].as_str().unwrap()),
            &image,
        )
        .unwrap();
        assert_eq!(status, 200);
        let report = parse_json(&report);
        assert_eq!(status_of(&report), "valid", "{baked}: {report}");
    }
    let (_, report) = try_request(
        service.addr(),
        "POST",
        "/verify?recipient=email:someone-else@example.org",
        Some("application/json"),
        &credential,
    )
    .unwrap();
    assert_eq!(status_of(&parse_json(&report)), "invalid");
    let report = service.verify("application/json", b"{\"not\": \"a badge\"}");
    assert_ne!(status_of(&report), "valid");

    // Bad requests.
    let (status, _) = service.post_json("/issue", &json!({ "recipient": "not an email" }));
    assert_eq!(status, 400);
    let (status, _) = service.post_json(
        "/issue",
        &json!({ "recipient": "a@example.org", "badge": { "slug": "No Spaces!" } }),
    );
    assert_eq!(status, 400);
    let (status, _) = service.post_json("/issue", &json!({ "recipient": "a@example.org", "x": 1 }));
    assert_eq!(status, 422, "unknown fields are refused");
    let (status, _) = service.post_json(
        "/revoke",
        &json!({ "id": "urn:uuid:00000000-0000-4000-8000-000000000000" }),
    );
    assert_eq!(status, 404);
    let big = vec![b' '; issuer_service::MAX_VERIFY_BYTES + 1];
    let (status, _) = try_request(service.addr(), "POST", "/verify", None, &big).unwrap();
    assert_eq!(status, 413);

    // State survives a restart on the same data directory.
    let port = service.addr().port();
    service.kill9();
    let service = Instance::start_on(port, &["--data-dir", data]);
    let (status, record) = service.get(&format!("/issued/{uuid}"));
    assert_eq!(status, 200);
    assert_eq!(
        parse_json(&record)["ob3_credential"],
        badge["ob3_credential"]
    );

    // Revocation: 410 for the hosted assertion, listed, and the credential's bit is set.
    let (status, answer) = service.post_json(
        "/revoke",
        &json!({ "id": uuid, "reason": "issued in error" }),
    );
    assert_eq!(status, 200, "{answer}");
    let hosted = path_of(badge["hosted_assertion"].as_str().unwrap(), &base);
    assert_eq!(service.get(&hosted).0, 410);
    let (_, list) = service.get("/revocations.json");
    assert!(String::from_utf8_lossy(&list).contains("issued in error"));
    let report = service.verify("application/json", &credential);
    assert!(codes_of(&report).iter().any(|c| c == "REVOKED"), "{report}");
    let (_, record) = service.get(&format!("/issued/{uuid}"));
    assert_eq!(parse_json(&record)["revoked"], true);

    // SIGTERM: a clean exit.
    assert_eq!(service.terminate(), Some(0));
}

/// SIGTERM while issuances are in flight: the process finishes what it accepted and exits 0,
/// and every badge it acknowledged is complete after a restart.
#[test]
fn sigterm_under_load_exits_cleanly_and_keeps_every_acknowledged_badge() {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let dir = openbadges_test_support::fixtures::TempDir::new("svc-sigterm");
    let data = dir.join("data");
    let data = data.to_str().unwrap();
    let service = Instance::start(&["--data-dir", data]);
    let addr = service.addr();
    let acked = Mutex::new(Vec::new());
    let acked_count = AtomicUsize::new(0);
    let next = AtomicUsize::new(0);
    let code = std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                while next.fetch_add(1, Ordering::SeqCst) < 100 {
                    let body = json!({ "recipient": "load@example.org" }).to_string();
                    if let Ok((status, answer)) = try_request(
                        addr,
                        "POST",
                        "/issue",
                        Some("application/json"),
                        body.as_bytes(),
                    ) {
                        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
                        acked.lock().unwrap().push(parse_json(&answer));
                        acked_count.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
        while acked_count.load(Ordering::SeqCst) < 10 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        service.terminate()
    });
    assert_eq!(code, Some(0), "a clean exit on SIGTERM");
    let acked = acked.into_inner().unwrap();
    assert!(acked.len() >= 10);

    let service = Instance::start(&["--data-dir", data]);
    for badge in &acked {
        let uuid = badge["uuid"].as_str().unwrap();
        let (status, record) = service.get(&format!("/issued/{uuid}"));
        assert_eq!(status, 200, "{uuid}");
        assert_eq!(
            parse_json(&record)["ob3_credential"],
            badge["ob3_credential"]
        );
    }
}
