//! Test helpers shared by every test in the workspace: one definition each of
//!
//! - [`fixtures`]: where the repository's fixtures, `../shared` and temporary folders are;
//! - [`http`]: a loopback HTTP server (routes, a folder, or raw bytes) and a small client;
//! - [`cli`]: the `openbadges` binary and its JSON-lines output;
//! - [`peers`]: the reference implementations in `../shared/peers` (badgecheck, openbadgeslib,
//!   the DCC JavaScript stack, openbadges-bakery), installed once per run;
//! - [`postgres`]: a throwaway database per test on the test PostgreSQL server.
//!
//! The crate depends on no workspace crate, so every crate's tests can use it without a
//! dependency cycle. Tests panic on failure, so the crate allows `unwrap` and indexing.
//!
//! ```
//! use openbadges_test_support::http::{Response, Server};
//!
//! let server = Server::start(|req| match req.path.as_str() {
//!     "/hello" => Response::ok(b"hi".to_vec(), "text/plain"),
//!     _ => Response::not_found(),
//! });
//! let resp = openbadges_test_support::http::get(server.addr(), "/hello");
//! assert_eq!((resp.status, resp.text().as_str()), (200, "hi"));
//! ```
#![forbid(unsafe_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod cli;
pub mod fixtures;
pub mod http;
pub mod peers;
pub mod postgres;

/// Whether this run is CI (`CI` set to anything but `false`/empty): tests that need a server or
/// a peer must run there, never skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}
