//! The HTTP side: a tokio runtime on its own thread, our own accept loop of hyper HTTP/1
//! connections serving the axum routes ([`crate::routes`]), and the pusher.
//!
//! Our own accept loop (not `axum::serve`) because the limits against slow and large clients
//! live on the connection: a header read timeout (which also closes idle kept-alive
//! connections), a cap on the head's size and header count (431), and a cap on the
//! connections served at once (the others wait in the listen backlog). The body's size and
//! read time are limited per route ([`crate::limits::BodyLimit`]).
//!
//! Shutdown ([`Running::shutdown`], or SIGTERM/SIGINT in `main`): the listener closes, the
//! requests in flight finish, then the pusher finishes the push queue. The pusher POSTs to
//! the OB 3.0 API over real HTTP on a listener of its own (loopback, API only), which closes
//! last.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use openbadges::backpack::export::api::ApiTokens;
use openbadges::backpack::oauth::host::{Host, HostConfig};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::limits::RateLimiter;
use crate::pack::{self, Pack, PushState, SiteLoader};
use crate::routes::{API_PATH, Ctx, api_routes, router};
use crate::state::App;
use crate::{AppError, Config};

/// The largest request head (request line and headers), in bytes: over it, 431.
pub(crate) const MAX_HEAD_BYTES: usize = 16 * 1024;
/// The most header fields in one request: over it, 431.
pub(crate) const MAX_HEADERS: usize = 64;
/// How long shutdown waits for the requests in flight before it closes their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
/// How many connections the pusher's own listener serves at once (the pusher makes one).
const PUSHER_CONNECTIONS: usize = 4;
/// The most threads the database work runs on at once (tokio's blocking pool; more requests
/// wait for one): bounds the memory and the database connections a burst can take.
const BLOCKING_THREADS: usize = 64;
/// How often expired attempts are deleted (at most; sooner when they expire sooner).
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A running app.
pub struct Running {
    addr: SocketAddr,
    url: String,
    app: App,
    pack: Arc<Mutex<Pack>>,
    /// Set to `true` to shut down.
    stop: watch::Sender<bool>,
    /// The thread running the async runtime; it ends once shutdown is complete.
    server_thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Running {
    /// The address the app listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The app's base URL (`http://127.0.0.1:PORT/` unless configured).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The app (for issuer operations while serving; a clone shares everything).
    pub fn app(&self) -> App {
        self.app.clone()
    }

    /// Every push to the backpack recorded in the database (by any instance), by badge UUID.
    pub fn pushes(&self) -> BTreeMap<String, PushState> {
        self.app.push_states().unwrap_or_default()
    }

    /// Waits until no push is queued in the database (at most `timeout`); whether the queue
    /// drained.
    pub fn wait_for_pushes(&self, timeout: Duration) -> bool {
        let end = Instant::now() + timeout;
        loop {
            if !self.pushes().values().any(|s| *s == PushState::Queued) {
                return true;
            }
            if Instant::now() >= end {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The OB 3.0 credential ids (`urn:uuid:…`) held in the app's backpack, with each one's
    /// verification verdict at import (`valid`, `invalid`, `indeterminate`) and owner.
    pub fn backpack_credentials(&self) -> Vec<(String, String, String)> {
        use openbadges::backpack::Store as _;
        let Ok(p) = self.pack.lock() else {
            return Vec::new();
        };
        p.store()
            .badges()
            .unwrap_or_default()
            .into_iter()
            .map(|b| {
                (
                    b.document
                        .get("id")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("")
                        .to_owned(),
                    b.verification.status.as_str().to_owned(),
                    b.recipient.identifier.value.clone(),
                )
            })
            .collect()
    }

    /// Serves until the process ends (to stop it gracefully, call [`Running::shutdown`]
    /// instead, e.g. on a signal as `main` does).
    pub fn join(mut self) {
        if let Some(t) = self.server_thread.take() {
            let _ = t.join();
        }
    }

    /// Shuts down gracefully and waits: stops accepting connections, finishes the requests
    /// in flight, then finishes the queued pushes it can claim. The port is free on return.
    pub fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(t) = self.server_thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A dropped app stops serving too (its thread is not left behind).
        self.stop.send_replace(true);
    }
}

/// A duration in whole seconds, as the OAuth 2.0 host counts lifetimes.
fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// Opens the database and the data directory and starts serving on `127.0.0.1:PORT`.
///
/// # Errors
/// [`AppError`] when the port cannot be bound or the database or the data directory cannot be
/// opened.
pub fn start(config: Config) -> Result<Running, AppError> {
    config.check_data_dir()?;
    let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))
        .map_err(|e| AppError::new(format!("cannot listen on 127.0.0.1:{}: {e}", config.port)))?;
    let addr = listener.local_addr()?;
    // The pusher's own listener (API only): it outlives the public one at shutdown.
    let pusher_listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    let pusher_addr = pusher_listener.local_addr()?;
    for l in [&listener, &pusher_listener] {
        l.set_nonblocking(true)?;
    }
    let url = config
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}/"));
    let app = App::open(&config, &url)?;
    app.remember_base_url()?;
    // The OB 3.0 API's bearer tokens: the local-only shortcut for its OAuth 2.0 flow (see
    // docs/badges101.md), in a directory only the owner can enter (file 0600).
    let keys = config.data_dir.join("keys");
    std::fs::create_dir_all(&keys)?;
    crate::state::restrict(&keys)?;
    let tokens = Arc::new(
        ApiTokens::load_or_create(&keys.join("api-tokens.json"))
            .map_err(|e| AppError::new(format!("API tokens: {e}")))?,
    );
    // One loader for the life of the process (the verifier borrows it).
    let loader: &'static SiteLoader = Box::leak(Box::new(SiteLoader::new(app.clone())));
    let pack = Arc::new(Mutex::new(pack::open(
        &config.database_url(),
        &config.data_dir,
        loader,
    )?));
    // Badges pushed before whose credential the backpack does not hold (it was lost): again.
    let held: std::collections::HashSet<String> = {
        use openbadges::backpack::Store as _;
        let p = pack
            .lock()
            .map_err(|_| AppError::new("backpack poisoned"))?;
        p.store()
            .badges()
            .map_err(|e| AppError::new(format!("backpack: {e}")))?
            .iter()
            .filter_map(|b| b.document.get("id").and_then(serde_json::Value::as_str))
            .map(str::to_owned)
            .collect()
    };
    app.requeue_unheld(&held)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.threads.max(1))
        .max_blocking_threads(BLOCKING_THREADS)
        .thread_name("badges101")
        .enable_all()
        .build()?;
    let ctx = Arc::new(Ctx {
        app: app.clone(),
        pack: Arc::clone(&pack),
        tokens: Arc::clone(&tokens),
        host: Host::new(HostConfig {
            title: "Badges 101 backpack".into(),
            access_token_lifetime_secs: secs(config.access_token_ttl),
            refresh_token_lifetime_secs: secs(config.refresh_token_ttl),
            ..HostConfig::new(&url)
        }),
        api_url: format!("{url}ims/ob/v3p0/credentials"),
        new_attempts: RateLimiter::new(config.max_attempts_per_minute),
        body_read_timeout: config.body_read_timeout,
        // Its async HTTP client is built inside the runtime it will run on.
        verifier: {
            let _in_runtime = runtime.enter();
            crate::verify::verifier(&app)?
        },
        max_connections: config.max_connections.max(1),
        backpacks: backpack_client(&config.allow_backpack_hosts)?,
    });
    let stop_pushing = Arc::new(AtomicBool::new(false));
    let pusher_thread = {
        let (app, pack, tokens, stop) = (
            app.clone(),
            Arc::clone(&pack),
            tokens,
            Arc::clone(&stop_pushing),
        );
        let endpoint = format!("http://{pusher_addr}{API_PATH}");
        std::thread::Builder::new()
            .name("badges101-pusher".into())
            .spawn(move || pack::run_pusher(&app, &pack, &tokens, &endpoint, &stop))?
    };
    let (stop, stopped) = watch::channel(false);
    let serving = Serving {
        public: (listener, router(Arc::clone(&ctx))),
        pusher: (
            pusher_listener,
            api_routes(&ctx).with_state(Arc::clone(&ctx)),
        ),
        connection: ConnectionLimits::of(&config),
        stop: stopped,
        stop_pushing,
        pusher_thread,
        app: app.clone(),
        attempt_ttl: config.attempt_ttl,
    };
    let server_thread = std::thread::Builder::new()
        .name("badges101-server".into())
        .spawn(move || {
            runtime.block_on(serving.run());
            // Handlers still running on the blocking pool (their clients are gone).
            runtime.shutdown_timeout(Duration::from_secs(5));
        })?;
    Ok(Running {
        addr,
        url,
        app,
        pack,
        stop,
        server_thread: Some(server_thread),
    })
}

/// The per-connection limits of [`Config`].
#[derive(Debug, Clone, Copy)]
struct ConnectionLimits {
    header_read_timeout: Duration,
    max_connections: usize,
}

impl ConnectionLimits {
    fn of(config: &Config) -> Self {
        Self {
            header_read_timeout: config.header_read_timeout,
            max_connections: config.max_connections.max(1),
        }
    }

    /// hyper's HTTP/1 connection settings.
    fn http1(&self) -> hyper::server::conn::http1::Builder {
        let mut b = hyper::server::conn::http1::Builder::new();
        b.timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout)
            .max_header_size(MAX_HEAD_BYTES)
            .max_headers(MAX_HEADERS);
        b
    }
}

/// What the server thread runs.
struct Serving {
    public: (std::net::TcpListener, Router),
    pusher: (std::net::TcpListener, Router),
    connection: ConnectionLimits,
    stop: watch::Receiver<bool>,
    stop_pushing: Arc<AtomicBool>,
    pusher_thread: JoinHandle<()>,
    app: App,
    attempt_ttl: Duration,
}

impl Serving {
    async fn run(self) {
        let Serving {
            public,
            pusher,
            connection,
            stop,
            stop_pushing,
            pusher_thread,
            app,
            attempt_ttl,
        } = self;
        let sweeper = tokio::spawn(sweep_expired(app, attempt_ttl));
        let (pusher_stop, pusher_stopped) = watch::channel(false);
        let pusher_limits = ConnectionLimits {
            max_connections: PUSHER_CONNECTIONS,
            ..connection
        };
        let pusher_server = tokio::spawn(serve(pusher.0, pusher.1, pusher_limits, pusher_stopped));
        // Until asked to stop; then the listener is closed and the requests in flight finish.
        serve(public.0, public.1, connection, stop).await;
        // Then the push queue (the pusher's listener still serves).
        stop_pushing.store(true, Ordering::SeqCst);
        if tokio::task::spawn_blocking(move || pusher_thread.join())
            .await
            .is_err()
        {
            eprintln!("badges101: the pusher ended abnormally");
        }
        pusher_stop.send_replace(true);
        let _ = pusher_server.await;
        sweeper.abort();
    }
}

/// Serves `router` on `listener` until `stop` is `true`, then closes the listener and lets the
/// requests in flight finish (at most [`SHUTDOWN_GRACE`]).
async fn serve(
    listener: std::net::TcpListener,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("badges101: cannot serve: {e}");
            return;
        }
    };
    let http = limits.http1();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    loop {
        // A free slot first: over the cap, new connections wait in the listen backlog.
        let slot = tokio::select! {
            s = Arc::clone(&slots).acquire_owned() => s,
            () = stopped(&mut stop) => break,
        };
        let Ok(slot) = slot else { break };
        let (stream, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, go on.
                    eprintln!("badges101: accept: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let service = tower::ServiceExt::map_request(
            router.clone(),
            move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            },
        );
        let connection = graceful
            .watch(http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)));
        tokio::spawn(async move {
            // Errors here are the client's (a reset, a timeout, a malformed request).
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "badges101: requests still running after {} s were cut off",
            SHUTDOWN_GRACE.as_secs()
        );
    }
}

/// Returns once `stop` is `true` (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// Deletes the attempts that expired before their badge was issued, now and then (any
/// instance may: the deletion is one idempotent statement), one sweep interval after they
/// expired: a learner who comes back just after expiry is told so (not "not found"), and the
/// sweep never races that answer.
async fn sweep_expired(app: App, ttl: Duration) {
    let every = ttl.min(SWEEP_EVERY).max(Duration::from_secs(1));
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let app = app.clone();
        match tokio::task::spawn_blocking(move || app.delete_expired_attempts(every)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => eprintln!("badges101: deleting expired attempts: {e}"),
            Err(e) => eprintln!("badges101: deleting expired attempts: {e}"),
        }
    }
}

/// The OB 3.0 API client "Send to backpack" uses for other hosts: the library's defaults
/// (10 s per request, 1 MiB per answer, no redirects), public hosts only unless `allowed`.
fn backpack_client(
    allowed: &[String],
) -> Result<openbadges::backpack::client::ApiClient, AppError> {
    let limits = allowed
        .iter()
        .fold(openbadges::proof::loader::HttpLimits::default(), |l, h| {
            l.allow_host(h.clone())
        });
    openbadges::backpack::client::ApiClient::new(&limits)
        .map_err(|e| AppError::new(format!("--allow-backpack-host: {e}")))
}
