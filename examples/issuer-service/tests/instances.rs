//! Two `issuer-service` processes on one PostgreSQL database, behind one name (a round-robin
//! loopback proxy named by `--base-url`), behave as one issuer: 400 concurrent issuances split
//! between them get 400 distinct status-list indexes, every badge verifies through both
//! instances (fetching the hosted documents over loopback through the shared name),
//! and a revocation made through one instance is served and verified as revoked by the other on
//! its very next request.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use common::{Instance, Proxy, codes_of, in_parallel, path_of, status_entry, status_of};
use serde_json::{Value, json};

const ISSUANCES: usize = 400;
const CLIENT_THREADS: usize = 16;

#[test]
fn two_instances_on_one_postgres_database_are_one_issuer() {
    let Some(db) = openbadges_test_support::postgres::database("svc_instances") else {
        return;
    };
    let proxy = Proxy::start();
    let base = proxy.base_url();
    let allow = proxy.addr().to_string();
    let args = [
        "--database",
        db.url(),
        "--base-url",
        &base,
        "--allow-host",
        &allow,
    ];
    // Both start at once: they must agree on one set of keys and one schema.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Instance::start(&args));
        let b = s.spawn(|| Instance::start(&args));
        (a.join().unwrap(), b.join().unwrap())
    });
    proxy.set_backends(&[a.addr(), b.addr()]);
    let instances = [&a, &b];

    // 400 issuances, alternating between the instances, 16 at a time.
    let issued: Vec<(usize, Value)> = in_parallel(ISSUANCES, CLIENT_THREADS, |i| {
        let via = i % 2;
        let (status, body) = instances[via].post_json(
            "/issue",
            &json!({ "recipient": format!("learner{i}@example.org"),
                     "badge": { "slug": "load", "name": "Load test" } }),
        );
        assert_eq!(status, 200, "issuance {i} through instance {via}: {body}");
        (via, body)
    });
    let uuids: BTreeSet<&str> = issued
        .iter()
        .map(|(_, b)| b["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(uuids.len(), ISSUANCES, "every issuance has its own UUID");
    let indexes: BTreeSet<(String, u64)> = issued
        .iter()
        .map(|(_, b)| status_entry(&b["ob3_credential"]))
        .collect();
    assert_eq!(
        indexes.len(),
        ISSUANCES,
        "every credential has its own status-list index"
    );

    // Every badge verifies through either instance (the one that issued it and the other),
    // each fetching the issuer's documents (controller document, status list) from the shared
    // name over loopback.
    let reports = in_parallel(2 * ISSUANCES, CLIENT_THREADS, |j| {
        let (_, body) = &issued[j / 2];
        let credential = serde_json::to_vec(&body["ob3_credential"]).unwrap();
        instances[j % 2].verify("application/json", &credential)
    });
    for (j, report) in reports.iter().enumerate() {
        assert_eq!(
            status_of(report),
            "valid",
            "badge {} through instance {}: {report}",
            j / 2,
            j % 2
        );
    }

    // Every form of a few badges, including the baked images, verifies through both.
    for (via, body) in issued.iter().take(4) {
        let issuer = instances[*via];
        for inst in instances {
            let assertion = body["hosted_assertion"].as_str().unwrap();
            let report = inst.verify("text/plain", assertion.as_bytes());
            assert_eq!(status_of(&report), "valid", "hosted: {report}");
            let signed = body["ob2_signed"].as_str().unwrap();
            let report = inst.verify("text/plain", signed.as_bytes());
            assert_eq!(status_of(&report), "valid", "signed: {report}");
            let jwt = body["ob3_jwt"].as_str().unwrap();
            let report = inst.verify("text/plain", jwt.as_bytes());
            assert_eq!(status_of(&report), "valid", "VC-JWT: {report}");
            for baked in body["baked"].as_array().unwrap() {
                let (status, image) = issuer.get(baked["path"].as_str().unwrap());
                assert_eq!(status, 200);
                let report = inst.verify(baked["content_type"].as_str().unwrap(), &image);
                assert_eq!(status_of(&report), "valid", "baked {baked}: {report}");
            }
        }
    }

    // A revocation through one instance is seen by the other on its next request.
    for (k, (via, body)) in issued.iter().skip(10).take(3).enumerate() {
        let (revoker, other) = if k % 2 == 0 {
            (instances[*via], instances[1 - via])
        } else {
            (instances[1 - via], instances[*via])
        };
        let uuid = body["uuid"].as_str().unwrap();
        let (status, answer) = revoker.post_json(
            "/revoke",
            &json!({ "id": uuid, "reason": format!("test revocation {k}") }),
        );
        assert_eq!(status, 200, "{answer}");

        let credential = serde_json::to_vec(&body["ob3_credential"]).unwrap();
        let report = other.verify("application/json", &credential);
        assert_eq!(status_of(&report), "invalid", "{report}");
        assert!(codes_of(&report).iter().any(|c| c == "REVOKED"), "{report}");

        let signed = body["ob2_signed"].as_str().unwrap();
        let report = other.verify("text/plain", signed.as_bytes());
        assert!(codes_of(&report).iter().any(|c| c == "REVOKED"), "{report}");

        let hosted = path_of(body["hosted_assertion"].as_str().unwrap(), &base);
        assert_eq!(other.get(&hosted).0, 410, "the hosted assertion is gone");
        let (status, list) = other.get("/revocations.json");
        assert_eq!(status, 200);
        assert!(
            String::from_utf8_lossy(&list).contains(uuid),
            "revocations.json lists {uuid}"
        );
        // A badge that was not revoked still verifies through both.
        let (_, kept) = &issued[100 + k];
        let credential = serde_json::to_vec(&kept["ob3_credential"]).unwrap();
        for inst in instances {
            let report = inst.verify("application/json", &credential);
            assert_eq!(status_of(&report), "valid", "{report}");
        }
    }
}
