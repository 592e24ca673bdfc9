//! The async HTTP loader keeps the blocking loader's guards, on a real tokio runtime against
//! a loopback server: loopback refused unless allowed (in many spellings, without a
//! connection), redirects checked at every hop and bounded, bodies bounded with and without a
//! Content-Length, one deadline for a dripped body, 410 Gone, the freshness a server declares;
//! and many concurrent loads from one loader.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use openbadges_proof::loader::{
    AsyncHttpLoader, DocumentLoader as _, HttpLimits, HttpLoader, LoadError,
};
use openbadges_test_support::http::{Request, Response, Server, Trap};

fn routes(req: &Request) -> Response {
    match req.path.as_str() {
        "/ok.json" => Response::Http {
            status: 200,
            headers: vec![
                (
                    "Content-Type".into(),
                    "application/ld+json; charset=utf-8".into(),
                ),
                ("Cache-Control".into(), "public, max-age=120".into()),
            ],
            body: br#"{"hello": "world"}"#.to_vec(),
        },
        "/no-cache.json" => Response::Http {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Cache-Control".into(), "no-cache".into()),
            ],
            body: b"{}".to_vec(),
        },
        "/big" => Response::ok(vec![b' '; 2 * 1024 * 1024], "application/json"),
        "/big-unsized" => {
            let mut v =
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                    .to_vec();
            v.extend(std::iter::repeat_n(b' ', 2 * 1024 * 1024));
            Response::Raw(v)
        }
        "/to-metadata" => Response::redirect(302, "http://169.254.169.254/latest/meta-data/"),
        "/to-mapped-loopback" => Response::redirect(302, "http://[::ffff:127.0.0.1]/"),
        "/to-localhost" => Response::redirect(302, "http://localhost./"),
        "/to-file" => Response::redirect(302, "file:///etc/passwd"),
        "/to-ok" => Response::redirect(302, "/ok.json"),
        "/loop" => Response::redirect(302, "/loop"),
        "/gone" => Response::Http {
            status: 410,
            headers: Vec::new(),
            body: Vec::new(),
        },
        "/missing" => Response::not_found(),
        _ => Response::not_found(),
    }
}

fn allowed(server: &Server) -> AsyncHttpLoader {
    AsyncHttpLoader::new(&HttpLimits::default().allow_host(format!("127.0.0.1:{}", server.port())))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_loader_keeps_every_guard() {
    let s = Server::start(routes);
    let base = format!("http://127.0.0.1:{}", s.port());
    // Loopback is refused unless allowed.
    let strict = AsyncHttpLoader::new(&HttpLimits::default()).unwrap();
    let r = strict.load(&format!("{base}/ok.json")).await;
    assert!(matches!(r, Err(LoadError::Refused { .. })), "{r:?}");

    let l = allowed(&s);
    let d = l.load(&format!("{base}/ok.json")).await.unwrap();
    assert_eq!(&*d.body, br#"{"hello": "world"}"#);
    assert_eq!(d.content_type.as_deref(), Some("application/ld+json"));
    assert_eq!(d.max_age, Some(Duration::from_secs(120)));
    let d = l.load(&format!("{base}/no-cache.json")).await.unwrap();
    assert_eq!(d.max_age, None);

    for p in [
        "/to-metadata",
        "/to-mapped-loopback",
        "/to-localhost",
        "/to-file",
    ] {
        let r = l.load(&format!("{base}{p}")).await;
        assert!(matches!(r, Err(LoadError::Refused { .. })), "{p}: {r:?}");
    }
    let d = l.load(&format!("{base}/to-ok")).await.unwrap();
    assert!(d.final_url.ends_with("/ok.json"), "{}", d.final_url);
    let r = l.load(&format!("{base}/loop")).await;
    assert!(
        matches!(r, Err(LoadError::TooManyRedirects { limit: 5, .. })),
        "{r:?}"
    );
    for p in ["/big", "/big-unsized"] {
        let r = l.load(&format!("{base}{p}")).await;
        assert!(matches!(r, Err(LoadError::TooLarge { .. })), "{p}: {r:?}");
    }
    let r = l.load(&format!("{base}/gone")).await;
    assert!(matches!(r, Err(LoadError::Gone { .. })), "{r:?}");
    let r = l.load(&format!("{base}/missing")).await;
    assert!(
        matches!(r, Err(LoadError::Status { status: 404, .. })),
        "{r:?}"
    );
    let r = l.load("not a url").await;
    assert!(matches!(r, Err(LoadError::InvalidUrl { .. })), "{r:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn spellings_of_loopback_are_refused_without_a_connection() {
    let trap = Trap::new();
    let p = trap.port();
    let l = AsyncHttpLoader::new(&HttpLimits::default()).unwrap();
    for u in [
        format!("http://127.0.0.1:{p}/"),
        format!("http://2130706433:{p}/"),
        format!("http://0x7f000001:{p}/"),
        format!("http://127.1:{p}/"),
        format!("http://[::1]:{p}/"),
        format!("http://[::ffff:127.0.0.1]:{p}/"),
        format!("http://[2002:7f00:1::]:{p}/"),
        format!("http://[64:ff9b::127.0.0.1]:{p}/"),
        format!("http://localhost:{p}/"),
        format!("http://a.b.localhost:{p}/"),
        format!("https://127.0.0.1:{p}/"),
    ] {
        let r = l.load(&u).await;
        assert!(matches!(r, Err(LoadError::Refused { .. })), "{u}: {r:?}");
    }
    trap.assert_untouched("a refused url reached the listener");
}

#[tokio::test(flavor = "current_thread")]
async fn a_body_dripped_byte_by_byte_is_cut_off_at_the_deadline() {
    const LEN: usize = 400;
    let sent = Arc::new(AtomicUsize::new(0));
    let sent2 = sent.clone();
    // One byte every 50 ms: 20 s for the whole body.
    let server = Server::start(move |_| Response::Drip {
        head: format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {LEN}\r\n\r\n"
        )
        .into_bytes(),
        body: vec![b' '; LEN],
        every: Duration::from_millis(50),
        sent: sent2.clone(),
    });
    let limits = HttpLimits::default()
        .allow_host(format!("127.0.0.1:{}", server.port()))
        .timeout(Duration::from_secs(1));
    let l = AsyncHttpLoader::new(&limits).unwrap();
    let r = l
        .load(&format!("http://127.0.0.1:{}/drip", server.port()))
        .await;
    assert!(
        matches!(&r, Err(LoadError::TimedOut { limit, .. }) if *limit == Duration::from_secs(1)),
        "{r:?}"
    );
    assert!(sent.load(Ordering::SeqCst) < LEN, "the whole body was read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_loader_serves_many_concurrent_loads() {
    let s = Server::start(routes);
    let l = allowed(&s);
    let url = format!("http://127.0.0.1:{}/ok.json", s.port());
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (l, url) = (l.clone(), url.clone());
            tokio::spawn(async move { l.load(&url).await })
        })
        .collect();
    for t in tasks {
        let d = t.await.unwrap().unwrap();
        assert_eq!(&*d.body, br#"{"hello": "world"}"#);
    }
    assert_eq!(s.requests(), 64);
}

/// The blocking loader used (its client built on first use) and dropped on a runtime's
/// thread: no panic (reqwest's blocking client panics there in debug builds when built, used
/// or dropped on it; the loader moves all three off).
#[tokio::test(flavor = "current_thread")]
async fn the_blocking_loader_is_safe_on_a_runtime_thread() {
    let s = Server::start(routes);
    let limits = HttpLimits::default().allow_host(format!("127.0.0.1:{}", s.port()));
    let l = HttpLoader::with_limits(&limits);
    let d = l
        .load(&format!("http://127.0.0.1:{}/ok.json", s.port()))
        .unwrap();
    assert_eq!(&*d.body, br#"{"hello": "world"}"#);
    assert_eq!(l.limits(), limits);
    drop(l);
}
