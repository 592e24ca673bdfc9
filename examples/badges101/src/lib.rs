//! Badges 101: the Mozilla "Badges 101" lesson and quiz as a small web app that issues a real,
//! verifiable, baked Open Badge.
//!
//! The app only wires the crates together: the quiz definition, attempts and grading come from
//! `openbadges::quiz`, issuing, signing, baking, hosting and revocation from
//! [`openbadges::Issuer`]. Everything it remembers lives in one database
//! ([`Config::database`]: SQLite by default, or PostgreSQL), so several instances behind one
//! public address can share it. See `docs/badges101.md`.
//!
//! ```no_run
//! let config = badges101::Config::from_args(["--port", "0"].map(String::from))?;
//! let running = badges101::start(config)?;
//! println!("Badges 101 at {}", running.url());
//! running.join();
//! # Ok::<(), badges101::AppError>(())
//! ```
#![forbid(unsafe_code)]

mod art;
mod db;
mod html;
mod pack;
mod server;
mod state;
mod terminal;
mod verify;

use std::fmt;
use std::path::PathBuf;

pub use pack::PushState;
pub use server::{Running, start};
pub use state::App;
pub use terminal::run_terminal;

/// The Badges 101 quiz of the original page (completion policy: answering all three questions
/// passes), in the quiz engine's TOML format.
pub const BADGES101_TOML: &str = include_str!("../quizzes/badges101.toml");
/// The Badges 101 quiz, mastery variant (all three correct).
pub const BADGES101_MASTERY_TOML: &str = include_str!("../quizzes/badges101-mastery.toml");

/// What earns the badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Answer all three questions, right or wrong (the original page).
    Completion,
    /// Answer all three correctly.
    Mastery,
}

/// How the app runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// TCP port on 127.0.0.1 (0 = any free port).
    pub port: u16,
    /// Where the default SQLite database, the API tokens and the backpack are kept.
    pub data_dir: PathBuf,
    /// The database everything shared lives in (`sqlite:PATH` or `postgres://…`): the issuer
    /// (keys, issued badges, hosted documents, status lists, revocations), the learners'
    /// attempts and the push queue. `None`: `sqlite:DATA_DIR/badges101.db`.
    pub database: Option<String>,
    /// The pass policy.
    pub policy: Policy,
    /// The public base URL (default `http://127.0.0.1:PORT/`); must end with `/` at the origin.
    pub base_url: Option<String>,
    /// Request worker threads.
    pub threads: usize,
    /// Run the lesson and quiz in the terminal instead of serving pages.
    pub terminal: bool,
    /// Where `--terminal` writes the baked badge.
    pub out: PathBuf,
    /// `revoke UUID [REASON]`: revoke an issued badge in the database and exit (under
    /// [`Config::base_url`], else the base URL the app last served under on the database).
    pub revoke: Option<(String, Option<String>)>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 8101,
            data_dir: PathBuf::from("badges101-data"),
            database: None,
            policy: Policy::Completion,
            base_url: None,
            threads: 4,
            terminal: false,
            out: PathBuf::from("badges101.png"),
            revoke: None,
        }
    }
}

impl Config {
    /// Reads the configuration from the environment (`BADGES101_PORT`, `BADGES101_DATA_DIR`,
    /// `BADGES101_DATABASE`, `BADGES101_POLICY`, `BADGES101_BASE_URL`) and then the arguments
    /// (`--port N`, `--data-dir DIR`, `--database URL`, `--policy completion|mastery`,
    /// `--base-url URL`, `--terminal`, `--out FILE`, `revoke UUID [REASON]`), flags winning.
    ///
    /// # Errors
    /// [`AppError`] for an unknown flag or a bad value.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self, AppError> {
        let mut c = Config::default();
        if let Ok(p) = std::env::var("BADGES101_PORT") {
            c.port = parse_port(&p)?;
        }
        if let Ok(d) = std::env::var("BADGES101_DATA_DIR") {
            c.data_dir = PathBuf::from(d);
        }
        if let Ok(d) = std::env::var("BADGES101_DATABASE") {
            c.database = Some(d);
        }
        if let Ok(p) = std::env::var("BADGES101_POLICY") {
            c.policy = parse_policy(&p)?;
        }
        if let Ok(b) = std::env::var("BADGES101_BASE_URL") {
            c.base_url = Some(b);
        }
        let mut it = args.into_iter();
        while let Some(a) = it.next() {
            let mut value = |name: &str| {
                it.next()
                    .ok_or_else(|| AppError::new(format!("{name} needs a value")))
            };
            match a.as_str() {
                "--port" => c.port = parse_port(&value("--port")?)?,
                "--data-dir" => c.data_dir = PathBuf::from(value("--data-dir")?),
                "--database" => c.database = Some(value("--database")?),
                "--policy" => c.policy = parse_policy(&value("--policy")?)?,
                "--base-url" => c.base_url = Some(value("--base-url")?),
                "--terminal" => c.terminal = true,
                "--out" => c.out = PathBuf::from(value("--out")?),
                "revoke" => {
                    let id = value("revoke")?;
                    let reason = it.next();
                    c.revoke = Some((id, reason));
                }
                "-h" | "--help" => return Err(AppError::new(USAGE)),
                other => {
                    return Err(AppError::new(format!(
                        "unknown argument {other:?}\n{USAGE}"
                    )));
                }
            }
        }
        Ok(c)
    }

    /// The database URL: [`Config::database`], else `sqlite:DATA_DIR/badges101.db`.
    pub fn database_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| format!("sqlite:{}", self.data_dir.join(DATABASE_FILE).display()))
    }

    /// The base URL badges are issued under: [`Config::base_url`], else
    /// `http://127.0.0.1:PORT/`.
    pub fn base_url_or_local(&self) -> String {
        self.base_url
            .clone()
            .unwrap_or_else(|| format!("http://127.0.0.1:{}/", self.port))
    }
}

/// The default database's file name in the data directory.
pub const DATABASE_FILE: &str = "badges101.db";

/// Command-line usage.
pub const USAGE: &str = "usage: badges101 [--port N] [--data-dir DIR] [--database sqlite:PATH|postgres://...] [--policy completion|mastery] [--base-url URL] [--terminal [--out FILE]]\n       badges101 [--data-dir DIR] [--database URL] [--base-url URL] revoke UUID [REASON]";

fn parse_port(s: &str) -> Result<u16, AppError> {
    s.trim()
        .parse()
        .map_err(|_| AppError::new(format!("bad port {s:?}")))
}

fn parse_policy(s: &str) -> Result<Policy, AppError> {
    match s.trim() {
        "completion" => Ok(Policy::Completion),
        "mastery" => Ok(Policy::Mastery),
        _ => Err(AppError::new(format!(
            "bad policy {s:?} (completion or mastery)"
        ))),
    }
}

/// An error starting or running the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError(String);

impl AppError {
    pub(crate) fn new(m: impl Into<String>) -> Self {
        Self(m.into())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AppError {}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        Self(format!("I/O: {e}"))
    }
}

impl From<openbadges::Error> for AppError {
    fn from(e: openbadges::Error) -> Self {
        Self(format!("issuer: {e}"))
    }
}

impl From<openbadges::store::StoreError> for AppError {
    fn from(e: openbadges::store::StoreError) -> Self {
        Self(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        Self(format!("JSON: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_is_the_flag_or_sqlite_in_the_data_directory() {
        let c = Config::from_args(["--data-dir", "d"].map(String::from)).unwrap();
        if std::env::var_os("BADGES101_DATABASE").is_none() {
            assert_eq!(
                c.database_url(),
                format!(
                    "sqlite:{}",
                    PathBuf::from("d").join(DATABASE_FILE).display()
                )
            );
        }
        let c = Config::from_args(
            ["--database", "postgres://u@db.example/b101", "revoke", "x"].map(String::from),
        )
        .unwrap();
        assert_eq!(c.database_url(), "postgres://u@db.example/b101");
        assert_eq!(c.revoke, Some(("x".to_owned(), None)));
        assert!(Config::from_args(["--database"].map(String::from)).is_err());
    }
}
