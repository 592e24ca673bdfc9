//! Issuance and verification throughput of `issuer-service` over loopback HTTP, for one and two
//! instances, on SQLite and on PostgreSQL (when `OPENBADGES_TEST_POSTGRES_URL` names a
//! server). Real release-built processes behind a round-robin loopback proxy (the shared
//! name), a bounded number of client threads; prints a Markdown table for docs/benchmarks.md.
//!
//! `cargo bench -p issuer-service --bench throughput` (environment: `BENCH_REQUESTS`, default
//! 400 per measurement; `BENCH_CLIENTS`, default 8 client threads).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{Instance, Proxy, in_parallel, status_of};
use serde_json::{Value, json};

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is ignored.
    let requests = env_usize("BENCH_REQUESTS", 400);
    let clients = env_usize("BENCH_CLIENTS", 8);
    println!(
        "| store | instances | issuance (req/s) | verification, OB 3.0 Data Integrity (req/s) | verification, OB 2.0 signed (req/s) |"
    );
    println!("|---|---|---|---|---|");
    let dir = openbadges_test_support::fixtures::TempDir::new("svc-bench");
    for instances in [1, 2] {
        let url = format!(
            "sqlite:{}",
            dir.join(format!("bench-{instances}.sqlite3")).display()
        );
        run("SQLite", &url, instances, requests, clients);
    }
    if std::env::var_os(openbadges_test_support::postgres::ENV).is_some() {
        for instances in [1, 2] {
            let db = openbadges_test_support::postgres::database("svc_bench").unwrap();
            run("PostgreSQL", db.url(), instances, requests, clients);
        }
    } else {
        println!("(PostgreSQL skipped: set OPENBADGES_TEST_POSTGRES_URL)");
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One row: `instances` processes on `database`, `requests` issuances then `requests`
/// verifications of each kind, spread over the instances in turn.
fn run(store: &str, database: &str, instances: usize, requests: usize, clients: usize) {
    let proxy = Proxy::start();
    let base = proxy.base_url();
    let allow = proxy.addr().to_string();
    let args = [
        "--database",
        database,
        "--base-url",
        &base,
        "--allow-host",
        &allow,
    ];
    let running: Vec<Instance> = (0..instances).map(|_| Instance::start(&args)).collect();
    let addrs: Vec<_> = running.iter().map(Instance::addr).collect();
    proxy.set_backends(&addrs);

    let issue = |i: usize| -> Value {
        let (status, body) = running[i % instances].post_json(
            "/issue",
            &json!({ "recipient": format!("bench{i}@example.org") }),
        );
        assert_eq!(status, 200, "{body}");
        body
    };
    // Warm-up: keys loaded, status list 0 created, connections pooled.
    in_parallel(20, clients, issue);

    let started = Instant::now();
    let issued = in_parallel(requests, clients, issue);
    let issuance = rate(requests, started);

    let verify_all = |field: &str, content_type: &str| -> f64 {
        let started = Instant::now();
        in_parallel(requests, clients, |i| {
            let body = match &issued[i][field] {
                Value::String(s) => s.clone().into_bytes(),
                v => serde_json::to_vec(v).unwrap(),
            };
            let report = running[(i + 1) % instances].verify(content_type, &body);
            assert_eq!(status_of(&report), "valid", "{report}");
        });
        rate(requests, started)
    };
    let ob3 = verify_all("ob3_credential", "application/json");
    let ob2 = verify_all("ob2_signed", "text/plain");
    println!("| {store} | {instances} | {issuance:.0} | {ob3:.0} | {ob2:.0} |");
}

fn rate(n: usize, started: Instant) -> f64 {
    n as f64 / started.elapsed().as_secs_f64()
}
