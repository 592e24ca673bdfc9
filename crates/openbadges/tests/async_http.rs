//! The async path over real HTTP: 500 badges verified concurrently through
//! `Verifier::verify_async`, their issuer's site served from its store over loopback by an HTTP
//! server running on the same tokio runtime (so a blocked worker would stall the server too), while a ticker
//! task proves the runtime keeps running between verifications. Valid badges are valid,
//! revoked and tampered ones invalid, and those whose issuer is unreachable could not be
//! checked — never valid.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::{Code, Report, Status};
use openbadges::{
    Badge, Form, HttpLimits, IssueOptions, Issued, Issuer, IssuerKeys, IssuerProfile, Served,
    Source, Verifier,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

const LEARNER: &str = "learner@example.org";
const FORMS: [Form; 4] = [
    Form::Ob2Hosted,
    Form::Ob2Signed,
    Form::Ob3DataIntegrity,
    Form::Ob3Jwt,
];

/// The issuer's site: every request answered from the issuer's store by
/// `Issuer::document_async` (a revoked hosted assertion is `410 Gone`), counting the requests
/// per path.
struct Site {
    issuer: Issuer,
    hits: Mutex<HashMap<String, usize>>,
}

impl Site {
    /// How many requests asked for a path that `pick` picks.
    fn hits(&self, pick: impl Fn(&str) -> bool) -> usize {
        let hits = self.hits.lock().unwrap();
        hits.iter().filter(|(p, _)| pick(p)).map(|(_, n)| n).sum()
    }

    /// The answer for `path`. Documents that change on revocation (hosted assertions, the
    /// revocation list, status lists) are sent without a freshness; the others may be cached
    /// for five minutes.
    async fn answer(&self, path: &str) -> Vec<u8> {
        *self
            .hits
            .lock()
            .unwrap()
            .entry(path.to_owned())
            .or_default() += 1;
        let (status, content_type, body) = match self.issuer.document_async(path).await.unwrap() {
            Some(Served::Document(d)) => (200, d.content_type, d.body),
            Some(Served::Gone) => (410, "application/json".into(), b"{}".to_vec()),
            None => (404, "text/plain".into(), b"not found".to_vec()),
        };
        let changes = path.contains("/assertions/")
            || path.ends_with("/revocations.json")
            || path.contains("/status/");
        let cache = if changes {
            "Cache-Control: no-cache\r\n"
        } else {
            "Cache-Control: max-age=300\r\n"
        };
        let mut out = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{cache}Connection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(&body);
        out
    }
}

/// A minimal HTTP/1.1 server on the current runtime: one request per connection.
async fn serve(listener: TcpListener, site: Arc<Site>) {
    loop {
        let Ok((mut socket, _)) = listener.accept().await else {
            continue;
        };
        let site = site.clone();
        tokio::spawn(async move {
            let mut head = Vec::new();
            let mut buf = [0u8; 4096];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match socket.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
                if head.len() > 64 * 1024 {
                    return;
                }
            }
            let text = String::from_utf8_lossy(&head);
            let path = text.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let _ = socket.write_all(&site.answer(&path).await).await;
            let _ = socket.shutdown().await;
        });
    }
}

fn issuer(origin: &str) -> Issuer {
    Issuer::new(
        &format!("{origin}/"),
        IssuerProfile::new("Async U", "badges@example.org"),
        IssuerKeys::generate(Algorithm::Es256).unwrap(),
    )
    .unwrap()
}

fn issue(issuer: &Issuer, n: usize) -> Vec<Issued> {
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
    let badge =
        Badge::new("async", "Async", "Verifies without blocking.", "Be issued.").image(&svg[..]);
    (0..n)
        .map(|_| {
            issuer
                .issue(&Identity::email(LEARNER), &badge, &IssueOptions::new())
                .unwrap()
        })
        .collect()
}

/// What each input should verify to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Expect {
    Valid,
    Revoked,
    Tampered,
    Unreachable,
}

/// One input per form of each badge; hosted assertions are given by URL.
fn inputs(origin: &str, issued: &Issued, expect: Expect) -> Vec<(Source, Expect)> {
    FORMS
        .iter()
        .map(|f| {
            let source = if *f == Form::Ob2Hosted {
                Source::Url(format!("{origin}/assertions/{}.json", issued.uuid))
            } else {
                Source::Bytes {
                    name: format!("{}-{f:?}.svg", issued.uuid),
                    bytes: issued.baked(*f).unwrap().bytes.clone(),
                }
            };
            (source, expect)
        })
        .collect()
}

fn check(report: &Report, expect: Expect) {
    let line = report.to_json_line();
    match expect {
        Expect::Valid => assert_eq!(report.status(), Status::Valid, "{line}"),
        Expect::Revoked => {
            assert_eq!(report.status(), Status::Invalid, "{line}");
            assert!(report.has_error(Code::Revoked), "{line}");
        }
        Expect::Tampered => {
            assert_eq!(report.status(), Status::Invalid, "{line}");
            assert!(!report.has_error(Code::Revoked), "{line}");
        }
        Expect::Unreachable => {
            assert_eq!(report.status(), Status::Indeterminate, "{line}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_badges_verify_concurrently_over_loopback_without_blocking_the_runtime() {
    const TOTAL: usize = 500;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let origin = format!("http://127.0.0.1:{port}");
    // A port nothing listens on: the unreachable issuer's.
    let dead_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead_origin = format!("http://127.0.0.1:{dead_port}");
    let live = issuer(&origin);
    let site = Arc::new(Site {
        issuer: live.clone(),
        hits: Mutex::default(),
    });

    // Issuing is CPU work: off the runtime's workers.
    let (o, d) = (origin.clone(), dead_origin.clone());
    let mut cases: Vec<(Source, Expect)> = tokio::task::spawn_blocking(move || {
        let mut badges = issue(&live, 24);
        let mut cases = Vec::new();
        // Three revoked badges, in every form.
        for b in badges.drain(..3) {
            live.revoke(&b.uuid, Some("test")).unwrap();
            cases.extend(inputs(&o, &b, Expect::Revoked));
        }
        // Tampered: a changed OB 3.0 credential, and an OB 2.0 JWS with a changed signature.
        for b in badges.iter().take(4) {
            let mut credential = b.ob3_credential.clone().unwrap();
            credential["name"] = "Something else".into();
            cases.push((
                Source::Bytes {
                    name: format!("{}-tampered.json", b.uuid),
                    bytes: serde_json::to_vec(&credential).unwrap(),
                },
                Expect::Tampered,
            ));
            let mut jws = b.ob2_signed.clone().unwrap().into_bytes();
            let i = jws.len() - 20;
            jws[i] = if jws[i] == b'A' { b'B' } else { b'A' };
            cases.push((
                Source::Bytes {
                    name: format!("{}-tampered.jws", b.uuid),
                    bytes: jws,
                },
                Expect::Tampered,
            ));
        }
        // Two badges of an issuer whose site is down, in every form.
        for b in issue(&issuer(&d), 2) {
            cases.extend(inputs(&d, &b, Expect::Unreachable));
        }
        // The rest: valid badges, every form, over and over.
        let valid: Vec<(Source, Expect)> = badges
            .iter()
            .flat_map(|b| inputs(&o, b, Expect::Valid))
            .collect();
        let mut i = 0;
        while cases.len() < TOTAL {
            cases.push(valid[i % valid.len()].clone());
            i += 1;
        }
        cases
    })
    .await
    .unwrap();
    // Mix the kinds so that every stretch of the run has some of each.
    let mut shuffled = Vec::with_capacity(cases.len());
    let step = 7;
    for start in 0..step {
        shuffled.extend(cases.iter().skip(start).step_by(step).cloned());
    }
    cases = shuffled;
    assert_eq!(cases.len(), TOTAL);

    tokio::spawn(serve(listener, site.clone()));
    let ticks = Arc::new(AtomicUsize::new(0));
    let ticker = {
        let ticks = ticks.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(1)).await;
                ticks.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    // Loopback is allowed for this test, on both ports (any port of 127.0.0.1).
    let verifier = Verifier::builder()
        .online(HttpLimits::default().allow_host("127.0.0.1"))
        .recipient(format!("email:{LEARNER}").parse().unwrap())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, (source, expect)) in cases.into_iter().enumerate() {
        let verifier = verifier.clone();
        tasks.spawn(async move { (i, expect, verifier.verify_async(source).await) });
    }
    drop(verifier);

    let mut done = 0;
    let mut seen = HashMap::<Expect, usize>::new();
    let mut last_ticks = ticks.load(Ordering::Relaxed);
    while let Some(joined) = tasks.join_next().await {
        let (_, expect, report) = joined.unwrap();
        check(&report, expect);
        *seen.entry(expect).or_default() += 1;
        done += 1;
        // The ticker keeps ticking while verifications run: every 100 reports, it has moved.
        if done % 100 == 0 {
            let now = ticks.load(Ordering::Relaxed);
            assert!(
                now > last_ticks,
                "the runtime stalled between reports {} and {done}",
                done - 100
            );
            last_ticks = now;
        }
    }
    let took = started.elapsed();
    ticker.abort();
    assert_eq!(done, TOTAL);
    assert_eq!(seen[&Expect::Revoked], 12);
    assert_eq!(seen[&Expect::Tampered], 8);
    assert_eq!(seen[&Expect::Unreachable], 8);
    assert_eq!(seen[&Expect::Valid], TOTAL - 28);

    // The shared cache: documents sent with a freshness were fetched far less often than
    // once per verification; those sent without one (revocation and status lists) every time.
    let issuer_fetches = site.hits(|p| p == "/issuer.json");
    let status_fetches = site.hits(|p| p.contains("/status/"));
    // Printed for the record (`--nocapture`), never asserted.
    println!(
        "{TOTAL} verifications in {took:?}: /issuer.json fetched {issuer_fetches} times, status lists {status_fetches} times, {} ticks",
        ticks.load(Ordering::Relaxed)
    );
    assert!(
        issuer_fetches > 0 && issuer_fetches < 100,
        "{issuer_fetches}"
    );
    assert!(status_fetches > 100, "{status_fetches}");
}
