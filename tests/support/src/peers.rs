//! The reference implementations in `../shared/peers`, run offline.
//!
//! [`Peers::get`] installs them once per test process (`setup.sh`, idempotent, about 2 s when
//! already installed) into `OB_PEERS_DIR` (default `~/.cache/openbadges-peers`). When they
//! cannot be had, a test skips outside CI and fails in CI ([`crate::in_ci`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The installed peers.
#[derive(Debug)]
pub struct Peers {
    dir: PathBuf,
    install_dir: PathBuf,
}

/// One peer script of `shared/peers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    /// `ob2-verify`: badgecheck, the OB 0.5–2.0 reference verifier.
    Ob2Verify,
    /// `ob3-py`: openbadgeslib (OB 3.0 issue, verify, bake, extract).
    Ob3Py,
    /// `ob3-js`: the Digital Credentials Consortium's JavaScript stack (eddsa-rdfc-2022).
    Ob3Js,
    /// `bake-py`: openbadges-bakery 2.0.0.
    BakePy,
}

impl Peer {
    /// The script's file name.
    pub fn script(self) -> &'static str {
        match self {
            Peer::Ob2Verify => "ob2-verify",
            Peer::Ob3Py => "ob3-py",
            Peer::Ob3Js => "ob3-js",
            Peer::BakePy => "bake-py",
        }
    }
}

impl Peers {
    /// The peers, installed; `None` (with a note on stderr) when they cannot be had outside CI.
    /// In CI a missing `shared/` or a failed set-up panics: interop must run there.
    pub fn get() -> Option<&'static Peers> {
        static PEERS: OnceLock<Result<Peers, String>> = OnceLock::new();
        match PEERS.get_or_init(install) {
            Ok(p) => Some(p),
            Err(why) if crate::in_ci() => panic!("peers unavailable in CI: {why}"),
            Err(why) => {
                eprintln!("skipped: peers unavailable ({why})");
                None
            }
        }
    }

    /// The `shared/peers` folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A command running `peer`, with `OB_PEERS_DIR` set.
    pub fn command(&self, peer: Peer) -> Command {
        let mut c = Command::new(self.dir.join(peer.script()));
        c.env("OB_PEERS_DIR", &self.install_dir);
        c
    }

    /// Runs `peer` with `args`.
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, peer: Peer, args: &[S]) -> Output {
        self.command(peer).args(args).output().unwrap()
    }

    /// A command running the interpreter of the installed virtual environment `venv` (e.g.
    /// `py311-ob3`), for a peer adapter that drives a peer library with no command of its own.
    pub fn python(&self, venv: &str) -> Command {
        let mut c = Command::new(self.install_dir.join(venv).join("bin/python"));
        c.env("OB_PEERS_DIR", &self.install_dir)
            .env("PYTHONDONTWRITEBYTECODE", "1");
        c
    }

    /// A command running the Node.js script `script` with the installed DCC stack
    /// (`OB_PEERS_DIR/node-ob3`) in reach, e.g. `tests/interop/dcc/dcc-verify.mjs`.
    pub fn node(&self, script: &Path) -> Command {
        let mut c = Command::new("node");
        c.arg(script).env("OB_PEERS_DIR", &self.install_dir);
        c
    }
}

fn install() -> Result<Peers, String> {
    let shared = crate::fixtures::shared_dir().ok_or("no shared/ folder beside the checkout")?;
    let dir = shared.join("peers");
    let install_dir = std::env::var_os("OB_PEERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into()))
                .join(".cache/openbadges-peers")
        });
    let out = Command::new(dir.join("setup.sh"))
        .env("OB_PEERS_DIR", &install_dir)
        .output()
        .map_err(|e| format!("running setup.sh: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "setup.sh failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ));
    }
    Ok(Peers { dir, install_dir })
}
