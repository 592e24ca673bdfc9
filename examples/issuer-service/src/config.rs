//! The command line: where the data lives, which database, which address, which public name.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;

/// `issuer-service [--data-dir DIR] [--database URL] [--bind IP] [--port N] [--base-url URL]`.
#[derive(Debug, Clone, PartialEq, Eq, Parser)]
#[command(
    name = "issuer-service",
    about = "Issues, hosts, verifies and revokes Open Badges over HTTP (the openbadges embedding example)"
)]
pub struct Config {
    /// Where the SQLite database lives when --database is not given (default: the per-user
    /// data directory, e.g. ~/.local/share/issuer-service).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The issuer store: `sqlite:PATH`, `postgres://USER@HOST:PORT/DB` or `memory:` (default:
    /// `sqlite:DATA_DIR/issuer.sqlite3`). Several instances on one PostgreSQL database behave
    /// as one issuer.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
    /// The address to listen on (loopback by default; `0.0.0.0` behind a proxy).
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub bind: IpAddr,
    /// The TCP port (0 = any free port; the address is printed on start-up).
    #[arg(long, default_value_t = 8080, value_name = "N")]
    pub port: u16,
    /// The public address every hosted document lives under, shared by every instance behind
    /// one name (default: `http://BIND:PORT/` of this instance).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The issuer's display name (its OB 2.0 and OB 3.0 profiles).
    #[arg(long, default_value = "Issuer Service Example", value_name = "NAME")]
    pub issuer_name: String,
    /// The issuer's contact email (required by OB 2.0).
    #[arg(long, default_value = "badges@example.org", value_name = "EMAIL")]
    pub issuer_email: String,
    /// Lets `POST /verify` fetch from this `host:port` although it is a private or loopback
    /// address (the base URL's own address is always allowed). Repeatable.
    #[arg(long = "allow-host", value_name = "HOST:PORT")]
    pub allow_hosts: Vec<String>,
}

impl Config {
    /// The store URL: `--database`, else `sqlite:` in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(url) => url.clone(),
            None => format!(
                "sqlite:{}",
                self.data_dir().join("issuer.sqlite3").display()
            ),
        }
    }

    /// The data directory: `--data-dir`, else the platform's per-user data directory, else
    /// `./issuer-service-data`.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .or_else(per_user_data_dir)
            .unwrap_or_else(|| PathBuf::from("issuer-service-data"))
    }

    /// Whether the store is a file in the data directory (which must then exist).
    pub fn uses_data_dir(&self) -> bool {
        self.database.is_none()
    }
}

/// `$XDG_DATA_HOME/issuer-service` or `~/.local/share/issuer-service` on Unix,
/// `~/Library/Application Support/issuer-service` on macOS, `%APPDATA%\issuer-service` on
/// Windows; `None` when the variables that name them are unset.
fn per_user_data_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        var("APPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        var("XDG_DATA_HOME").or_else(|| var("HOME").map(|h| h.join(".local").join("share")))
    };
    base.map(|b| b.join("issuer-service"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_loopback_and_sqlite_in_the_data_dir() {
        let c = Config::try_parse_from(["issuer-service", "--data-dir", "/tmp/x"]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1");
        assert_eq!(c.port, 8080);
        assert_eq!(c.database_url(), "sqlite:/tmp/x/issuer.sqlite3");
        assert!(c.uses_data_dir());
    }

    #[test]
    fn database_and_base_url_are_taken_as_given() {
        let c = Config::try_parse_from([
            "issuer-service",
            "--database",
            "postgres://u@127.0.0.1:5432/db",
            "--base-url",
            "https://badges.example.org/",
            "--port",
            "0",
            "--allow-host",
            "127.0.0.1:9",
        ])
        .unwrap();
        assert_eq!(c.database_url(), "postgres://u@127.0.0.1:5432/db");
        assert!(!c.uses_data_dir());
        assert_eq!(c.base_url.as_deref(), Some("https://badges.example.org/"));
        assert_eq!(c.allow_hosts, ["127.0.0.1:9"]);
    }

    #[test]
    fn a_bad_port_is_refused() {
        assert!(Config::try_parse_from(["issuer-service", "--port", "70000"]).is_err());
    }
}
