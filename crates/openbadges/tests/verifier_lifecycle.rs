//! Online verifiers built, used and dropped inside async tasks, on a current-thread and on a
//! multi-thread runtime, do not panic. In debug builds reqwest's blocking client panics when
//! it is built, used or dropped on a runtime thread ("Cannot drop a runtime in a context where
//! blocking is not allowed"): the verifier never builds one on the async path, builds the sync
//! path's lazily and off the runtime's threads, and drops it off them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges::model::Identity;
use openbadges::proof::key::Algorithm;
use openbadges::proof::report::Status;
use openbadges::{
    Badge, Form, HttpLimits, IssueOptions, Issuer, IssuerKeys, IssuerProfile, Verifier,
};
use openbadges_test_support::http::{Response, Server};

/// An issuer's site on loopback (a server on threads of its own), and a badge it issued:
/// (server, hosted assertion URL, baked OB 3.0 badge).
fn site() -> (Server, String, Vec<u8>) {
    let docs = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let served = docs.clone();
    let server = Server::start(move |req| {
        let docs = served.lock().unwrap();
        docs.iter()
            .find(|(path, _, _)| *path == req.path)
            .map_or_else(
                Response::not_found,
                |(_, ct, body): &(String, String, Vec<u8>)| Response::ok(body.clone(), ct),
            )
    });
    let origin = server.base_url();
    let issuer = Issuer::new(
        &format!("{origin}/"),
        IssuerProfile::new("Lifecycle U", "badges@example.org"),
        IssuerKeys::generate(Algorithm::Es256).unwrap(),
    )
    .unwrap();
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="9"/></svg>"#;
    let badge = Badge::new("life", "Life", "Lives.", "Be.").image(&svg[..]);
    let issued = issuer
        .issue(
            &Identity::email("learner@example.org"),
            &badge,
            &IssueOptions::new(),
        )
        .unwrap();
    {
        let mut d = docs.lock().unwrap();
        for h in &issued.hosted {
            let path = h.url.strip_prefix(&origin).unwrap().to_owned();
            d.push((path, h.content_type.to_string(), h.body.clone()));
        }
    }
    let url = format!("{origin}/assertions/{}.json", issued.uuid);
    let baked = issued.baked(Form::Ob3DataIntegrity).unwrap().bytes.clone();
    (server, url, baked)
}

fn online(server: &Server) -> Verifier {
    Verifier::builder()
        .online(HttpLimits::default().allow_host(format!("127.0.0.1:{}", server.port())))
        .build()
        .unwrap()
}

/// What a request handler might do: build an online verifier, verify through the async
/// path, verify through the sync path too (blocking this thread: a misuse, but never a
/// panic), then drop the verifier (its last clone) right here.
async fn handler(server: &Server, url: &str, baked: &[u8]) {
    let v = online(server);
    let r = v.verify_url_async(url).await;
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    let r = v.verify_bytes_async("b.svg", baked.to_vec()).await;
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    // The sync path on a runtime thread: its blocking client is built and used off it.
    let r = v.verify_url(url);
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    drop(v);

    // Built here, used on the blocking pool (sync path there), dropped back here.
    let v = online(server);
    let (u, moved) = (url.to_owned(), v.clone());
    let r = tokio::task::spawn_blocking(move || moved.verify_url(&u))
        .await
        .unwrap();
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
    drop(v);

    // Built and used here, its last clone dropped on the blocking pool.
    let v = online(server);
    assert_eq!(v.verify_url(url).status(), Status::Valid);
    tokio::task::spawn_blocking(move || drop(v)).await.unwrap();

    // Built and never used.
    drop(online(server));
}

#[tokio::test(flavor = "current_thread")]
async fn online_verifiers_live_and_die_in_tasks_of_a_current_thread_runtime() {
    let (server, url, baked) = tokio::task::spawn_blocking(site).await.unwrap();
    handler(&server, &url, &baked).await;
    // And inside spawned tasks, several at once.
    let server = std::sync::Arc::new(server);
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let (server, url, baked) = (server.clone(), url.clone(), baked.clone());
            tokio::spawn(async move { handler(&server, &url, &baked).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_verifiers_live_and_die_in_tasks_of_a_multi_thread_runtime() {
    let (server, url, baked) = tokio::task::spawn_blocking(site).await.unwrap();
    let server = std::sync::Arc::new(server);
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let (server, url, baked) = (server.clone(), url.clone(), baked.clone());
            tokio::spawn(async move { handler(&server, &url, &baked).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

/// The order documents come from: preloaded, then the caller's loader, then the network (only
/// for what the loader does not have).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preloaded_documents_then_the_callers_loader_then_the_network() {
    use openbadges::proof::loader::StaticLoader;
    let (server, url, _) = tokio::task::spawn_blocking(site).await.unwrap();
    let limits = HttpLimits::default().allow_host(format!("127.0.0.1:{}", server.port()));

    // A loader with nothing: the network answers.
    let v = Verifier::builder()
        .loader(StaticLoader::new())
        .online(limits.clone())
        .build()
        .unwrap();
    let r = v.verify_url_async(url.clone()).await;
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());

    // A loader that says the assertion is gone: it is asked before the network.
    let mut gone = StaticLoader::new();
    gone.insert_gone(&url);
    let v = Verifier::builder()
        .loader(gone)
        .online(limits.clone())
        .build()
        .unwrap();
    let r = v.verify_url_async(url.clone()).await;
    assert_eq!(r.status(), Status::Invalid, "{}", r.to_json_line());
    assert!(Verifier::is_revoked(&r), "{}", r.to_json_line());

    // Preloaded documents come before the loader.
    let (addr, path) = (
        server.addr(),
        url.strip_prefix(&server.base_url()).unwrap().to_owned(),
    );
    let served =
        tokio::task::spawn_blocking(move || openbadges_test_support::http::get(addr, &path))
            .await
            .unwrap();
    assert_eq!(served.status, 200);
    let served = served.body;
    let mut gone = StaticLoader::new();
    gone.insert_gone(&url);
    let v = Verifier::builder()
        .document(&url, Some("application/json"), &served)
        .loader(gone)
        .online(limits)
        .build()
        .unwrap();
    let r = v.verify_url_async(url).await;
    assert_eq!(r.status(), Status::Valid, "{}", r.to_json_line());
}
