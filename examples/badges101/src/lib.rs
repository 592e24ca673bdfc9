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
mod limits;
mod pack;
mod remote;
mod routes;
mod server;
mod state;
mod terminal;
mod verify;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

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
    /// Where the default SQLite database, the API tokens and the backpack are kept. Default:
    /// [`default_data_dir`] (the platform's per-user data directory), never the current
    /// directory; empty when the platform knows no home directory, and then the app refuses
    /// to start until one is given.
    pub data_dir: PathBuf,
    /// The database everything shared lives in (`sqlite:PATH` or `postgres://…`): the issuer
    /// (keys, issued badges, hosted documents, status lists, revocations), the learners'
    /// attempts and the push queue. `None`: `sqlite:DATA_DIR/badges101.db`.
    pub database: Option<String>,
    /// The pass policy.
    pub policy: Policy,
    /// The public base URL (default `http://127.0.0.1:PORT/`); must end with `/` at the origin.
    pub base_url: Option<String>,
    /// The async runtime's worker threads (the database work runs on its blocking pool).
    pub threads: usize,
    /// How long a client may take to send a request's head (request line and headers), and
    /// how long an idle kept-alive connection stays open: then the connection is closed.
    /// Default 10 s.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's whole body once its head has arrived:
    /// then it is answered 408 and the connection is closed. Default 10 s.
    pub body_read_timeout: Duration,
    /// How many client connections are served at once; further ones wait in the listen
    /// backlog until one closes. Default 512.
    pub max_connections: usize,
    /// How long a learner's attempt lives before its badge is issued: an older one answers
    /// "expired" and is deleted. Default 24 hours.
    pub attempt_ttl: Duration,
    /// How many new attempts (`POST /start`) one client address may start a minute (a token
    /// bucket that also admits a burst of that many at once); over it: 429 with `Retry-After`.
    /// Default 600: a classroom behind one address.
    pub max_attempts_per_minute: u32,
    /// Backpack hosts "Send to backpack" may reach although they are not public addresses
    /// (`HOST:PORT`, e.g. a backpack on this machine): by default only public hosts are
    /// contacted, over https. `--allow-backpack-host HOST:PORT` (repeatable) or
    /// `BADGES101_ALLOW_BACKPACK_HOSTS` (comma-separated).
    pub allow_backpack_hosts: Vec<String>,
    /// How long an OB 3.0 API access token issued through OAuth 2.0 lives. Default 1 hour.
    pub access_token_ttl: Duration,
    /// How long an OB 3.0 API refresh token lives (each refresh issues a new one). Default
    /// 30 days.
    pub refresh_token_ttl: Duration,
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
            data_dir: default_data_dir().unwrap_or_default(),
            database: None,
            policy: Policy::Completion,
            base_url: None,
            threads: 4,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            attempt_ttl: Duration::from_secs(24 * 60 * 60),
            max_attempts_per_minute: 600,
            allow_backpack_hosts: Vec::new(),
            access_token_ttl: Duration::from_secs(60 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 60 * 60),
            terminal: false,
            out: PathBuf::from("badges101.png"),
            revoke: None,
        }
    }
}

/// The default data directory: `badges101` in the platform's per-user data directory
/// (`$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application Support` on macOS,
/// `%APPDATA%` on Windows); `None` when the platform knows no home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join("badges101"))
}

impl Config {
    /// Reads the configuration from the environment (`BADGES101_PORT`, `BADGES101_DATA_DIR`,
    /// `BADGES101_DATABASE`, `BADGES101_POLICY`, `BADGES101_BASE_URL`,
    /// `BADGES101_HEADER_READ_TIMEOUT`, `BADGES101_BODY_READ_TIMEOUT`,
    /// `BADGES101_MAX_CONNECTIONS`, `BADGES101_ATTEMPT_TTL`,
    /// `BADGES101_MAX_ATTEMPTS_PER_MINUTE`, `BADGES101_ACCESS_TOKEN_TTL`,
    /// `BADGES101_REFRESH_TOKEN_TTL`, `BADGES101_ALLOW_BACKPACK_HOSTS`) and then the arguments
    /// (`--port N`, `--data-dir DIR`, `--database URL`, `--policy completion|mastery`,
    /// `--base-url URL`, `--terminal`, `--out FILE`, `--header-read-timeout SECS`,
    /// `--body-read-timeout SECS`, `--max-connections N`, `--attempt-ttl SECS`,
    /// `--max-attempts-per-minute N`, `--access-token-ttl SECS`, `--refresh-token-ttl SECS`,
    /// `--allow-backpack-host HOST:PORT`,
    /// `revoke UUID [REASON]`), flags winning.
    ///
    /// # Errors
    /// [`AppError`] for an unknown flag or a bad value, for `--help` (the message is the
    /// help), and when no data directory is given and the platform knows no default.
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
        if let Ok(t) = std::env::var("BADGES101_HEADER_READ_TIMEOUT") {
            c.header_read_timeout = parse_secs("BADGES101_HEADER_READ_TIMEOUT", &t)?;
        }
        if let Ok(t) = std::env::var("BADGES101_BODY_READ_TIMEOUT") {
            c.body_read_timeout = parse_secs("BADGES101_BODY_READ_TIMEOUT", &t)?;
        }
        if let Ok(n) = std::env::var("BADGES101_MAX_CONNECTIONS") {
            c.max_connections = parse_count("BADGES101_MAX_CONNECTIONS", &n)?;
        }
        if let Ok(t) = std::env::var("BADGES101_ATTEMPT_TTL") {
            c.attempt_ttl = parse_secs("BADGES101_ATTEMPT_TTL", &t)?;
        }
        if let Ok(n) = std::env::var("BADGES101_MAX_ATTEMPTS_PER_MINUTE") {
            c.max_attempts_per_minute = parse_per_minute("BADGES101_MAX_ATTEMPTS_PER_MINUTE", &n)?;
        }
        if let Ok(t) = std::env::var("BADGES101_ACCESS_TOKEN_TTL") {
            c.access_token_ttl = parse_secs("BADGES101_ACCESS_TOKEN_TTL", &t)?;
        }
        if let Ok(t) = std::env::var("BADGES101_REFRESH_TOKEN_TTL") {
            c.refresh_token_ttl = parse_secs("BADGES101_REFRESH_TOKEN_TTL", &t)?;
        }
        if let Ok(h) = std::env::var("BADGES101_ALLOW_BACKPACK_HOSTS") {
            c.allow_backpack_hosts = h
                .split(',')
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect();
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
                "--allow-backpack-host" => {
                    c.allow_backpack_hosts.push(value("--allow-backpack-host")?);
                }
                "--out" => c.out = PathBuf::from(value("--out")?),
                "--header-read-timeout" => {
                    c.header_read_timeout =
                        parse_secs("--header-read-timeout", &value("--header-read-timeout")?)?;
                }
                "--body-read-timeout" => {
                    c.body_read_timeout =
                        parse_secs("--body-read-timeout", &value("--body-read-timeout")?)?;
                }
                "--attempt-ttl" => {
                    c.attempt_ttl = parse_secs("--attempt-ttl", &value("--attempt-ttl")?)?
                }
                "--max-connections" => {
                    c.max_connections =
                        parse_count("--max-connections", &value("--max-connections")?)?;
                }
                "--max-attempts-per-minute" => {
                    c.max_attempts_per_minute = parse_per_minute(
                        "--max-attempts-per-minute",
                        &value("--max-attempts-per-minute")?,
                    )?;
                }
                "--access-token-ttl" => {
                    c.access_token_ttl =
                        parse_secs("--access-token-ttl", &value("--access-token-ttl")?)?;
                }
                "--refresh-token-ttl" => {
                    c.refresh_token_ttl =
                        parse_secs("--refresh-token-ttl", &value("--refresh-token-ttl")?)?;
                }
                "revoke" => {
                    let id = value("revoke")?;
                    let reason = it.next();
                    c.revoke = Some((id, reason));
                }
                "-h" | "--help" => return Err(AppError::new(help())),
                other => {
                    return Err(AppError::new(format!(
                        "unknown argument {other:?}\n{USAGE}"
                    )));
                }
            }
        }
        c.check_data_dir()?;
        Ok(c)
    }

    /// Refuses an empty data directory (the platform knows no home directory and none was
    /// given).
    pub(crate) fn check_data_dir(&self) -> Result<(), AppError> {
        if self.data_dir.as_os_str().is_empty() {
            return Err(AppError::new(
                "no data directory: the platform knows no per-user data directory (no home \
                 directory); give one with --data-dir DIR or BADGES101_DATA_DIR",
            ));
        }
        Ok(())
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
pub const USAGE: &str = "usage: badges101 [--port N] [--data-dir DIR] [--database sqlite:PATH|postgres://...] [--policy completion|mastery] [--base-url URL] [--terminal [--out FILE]]\n                 [--header-read-timeout SECS] [--body-read-timeout SECS] [--max-connections N]\n                 [--attempt-ttl SECS] [--max-attempts-per-minute N] [--allow-backpack-host HOST:PORT]\n       badges101 [--data-dir DIR] [--database URL] [--base-url URL] revoke UUID [REASON]";

/// `--help`: the usage, the defaults, and where the data directory is by default (the
/// resolved path).
pub fn help() -> String {
    let d = Config {
        data_dir: PathBuf::new(),
        ..Config::default()
    };
    let data_dir = default_data_dir().map_or_else(
        || "none known (no home directory): --data-dir is required".to_owned(),
        |p| p.display().to_string(),
    );
    format!(
        "{USAGE}\n\n\
         --data-dir DIR                default: {data_dir} (or BADGES101_DATA_DIR)\n\
         --port N                      default: {} (0: any free port)\n\
         --header-read-timeout SECS    default: {} (time to send a request's head)\n\
         --body-read-timeout SECS      default: {} (time to send a request's body)\n\
         --max-connections N           default: {} (connections served at once)\n\
         --attempt-ttl SECS            default: {} (an unfinished attempt then expires)\n\
         --max-attempts-per-minute N   default: {} (new attempts per client address)\n\
         --access-token-ttl SECS       default: {} (OB 3.0 API OAuth 2.0 access tokens)\n\
         --refresh-token-ttl SECS      default: {} (OB 3.0 API OAuth 2.0 refresh tokens)\n\n\
         Each flag also reads from the environment: BADGES101_PORT, BADGES101_DATA_DIR, \
         BADGES101_HEADER_READ_TIMEOUT and so on (the flag wins).",
        d.port,
        d.header_read_timeout.as_secs(),
        d.body_read_timeout.as_secs(),
        d.max_connections,
        d.attempt_ttl.as_secs(),
        d.max_attempts_per_minute,
        d.access_token_ttl.as_secs(),
        d.refresh_token_ttl.as_secs(),
    )
}

fn parse_port(s: &str) -> Result<u16, AppError> {
    s.trim()
        .parse()
        .map_err(|_| AppError::new(format!("bad port {s:?}")))
}

fn parse_secs(flag: &str, s: &str) -> Result<Duration, AppError> {
    match s.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(Duration::from_secs(n)),
        _ => Err(AppError::new(format!(
            "bad {flag} {s:?} (a whole number of seconds, at least 1)"
        ))),
    }
}

fn parse_count(flag: &str, s: &str) -> Result<usize, AppError> {
    match s.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(AppError::new(format!(
            "bad {flag} {s:?} (a number, at least 1)"
        ))),
    }
}

fn parse_per_minute(flag: &str, s: &str) -> Result<u32, AppError> {
    u32::try_from(parse_count(flag, s)?)
        .map_err(|_| AppError::new(format!("bad {flag} {s:?} (too large)")))
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

    #[test]
    fn the_limits_are_flags_and_no_data_directory_is_refused() {
        let c = Config::from_args(
            [
                "--data-dir",
                "d",
                "--header-read-timeout",
                "3",
                "--body-read-timeout",
                "4",
                "--max-connections",
                "5",
                "--attempt-ttl",
                "60",
                "--max-attempts-per-minute",
                "7",
                "--access-token-ttl",
                "120",
                "--refresh-token-ttl",
                "3600",
            ]
            .map(String::from),
        )
        .unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_secs(3));
        assert_eq!(c.body_read_timeout, Duration::from_secs(4));
        assert_eq!(c.max_connections, 5);
        assert_eq!(c.attempt_ttl, Duration::from_secs(60));
        assert_eq!(c.max_attempts_per_minute, 7);
        assert_eq!(c.access_token_ttl, Duration::from_secs(120));
        assert_eq!(c.refresh_token_ttl, Duration::from_secs(3600));
        for bad in [["--max-connections", "0"], ["--attempt-ttl", "-1"]] {
            assert!(Config::from_args(bad.map(String::from)).is_err());
        }
        // No home directory known and no --data-dir: a clear refusal, not the current directory.
        let e = Config {
            data_dir: PathBuf::new(),
            ..Config::default()
        }
        .check_data_dir()
        .unwrap_err();
        assert!(e.to_string().contains("--data-dir"), "{e}");
        assert!(help().contains("--max-attempts-per-minute N   default: 600"));
    }
}
