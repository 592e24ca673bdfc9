//! An axum service that issues, hosts, verifies and revokes Open Badges through the
//! `openbadges` facade's async path: the example `docs/embedding.md` walks through.
//!
//! | route | what |
//! |-------|------|
//! | `POST /issue` | `{"recipient": "a@example.org", "badge": {"slug", "name", …}}` → every form of a new badge |
//! | `GET /<hosted path>` | the issuer's documents, from the store by URL (`410` for a revoked hosted assertion) |
//! | `GET /issued/UUID`, `GET /issued/UUID/baked/FORM` | a badge's forms, its baked images |
//! | `POST /verify` | a badge (JSON, JWS, VC-JWT, baked PNG/SVG) → the verification report |
//! | `POST /revoke` | `{"id": "UUID", "reason": "…"}` |
//! | `GET /health` | `200` when the store answers |
//!
//! ```no_run
//! use clap::Parser as _;
//!
//! let config = issuer_service::Config::parse_from(["issuer-service", "--port", "0"]);
//! issuer_service::run(&config)?;
//! # Ok::<(), issuer_service::ServiceError>(())
//! ```
#![forbid(unsafe_code)]

mod config;
mod error;
mod routes;
mod service;

pub use config::Config;
pub use error::ServiceError;
pub use routes::{
    BadgeRequest, IssueRequest, IssuedBadge, MAX_JSON_BYTES, MAX_VERIFY_BYTES, RevokeRequest,
    VerifyQuery, router,
};
pub use service::{DEFAULT_BADGE_IMAGE, Service};

use std::io::Write as _;

/// Runs the service until SIGTERM or SIGINT, then finishes the requests in flight and returns.
///
/// The store is opened (and migrated) on this thread before the runtime starts, and the last
/// clone of the issuer is dropped here after the runtime has stopped: the PostgreSQL client
/// owns a small runtime of its own, which must never be created or dropped on an async worker
/// thread. The first line on standard output is `listening on http://ADDR/`.
///
/// # Errors
/// The socket cannot be bound, the store cannot be opened, or the runtime cannot start.
pub fn run(config: &Config) -> Result<(), ServiceError> {
    let listener = std::net::TcpListener::bind((config.bind, config.port)).map_err(|source| {
        ServiceError::Io {
            context: format!("binding {}:{}", config.bind, config.port),
            source,
        }
    })?;
    let io = |context: &str| {
        let context = context.to_owned();
        move |source| ServiceError::Io { context, source }
    };
    listener
        .set_nonblocking(true)
        .map_err(io("configuring the socket"))?;
    let addr = listener
        .local_addr()
        .map_err(io("reading the socket's address"))?;
    let base_url = config
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}/"));
    let service = Service::open(config, &base_url)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(io("starting the runtime"))?;
    let app = router(service.clone());
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}/ (base URL {base_url})")?;
        out.flush()?;
        drop(out);
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
    });
    drop(runtime);
    drop(service);
    served.map_err(io("serving"))
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
