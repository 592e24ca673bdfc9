//! The `openbadges` command as tests run it.
//!
//! A test of the CLI crate itself names its binary with `Cli::at(env!("CARGO_BIN_EXE_openbadges"))`;
//! tests elsewhere call [`Cli::built`], which builds the binary once per test process (`cargo
//! build -p openbadges-cli` into the same target folder) and finds it there.

use std::ffi::OsStr;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// The `openbadges` binary.
#[derive(Debug, Clone)]
pub struct Cli {
    bin: PathBuf,
}

impl Cli {
    /// The binary at `path`.
    pub fn at(path: impl Into<PathBuf>) -> Cli {
        Cli { bin: path.into() }
    }

    /// The workspace's `openbadges` binary, built on first use (`OPENBADGES_BIN` overrides it).
    pub fn built() -> Cli {
        static BIN: OnceLock<PathBuf> = OnceLock::new();
        Cli::at(BIN.get_or_init(build_cli))
    }

    /// The binary's path.
    pub fn path(&self) -> &Path {
        &self.bin
    }

    /// A command for the binary, to add arguments, environment and stdin to.
    pub fn command(&self) -> Command {
        Command::new(&self.bin)
    }

    /// Runs the binary with `args` and returns its output (whatever the exit code).
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command().args(args).output().unwrap()
    }

    /// Runs the binary with `args`, writing `stdin` to it.
    pub fn run_with_stdin<I, S>(&self, args: I, stdin: &[u8]) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        let data = stdin.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
        let out = child.wait_with_output().unwrap();
        let _ = writer.join();
        out
    }
}

/// The exit code of a finished command (-1 if killed by a signal).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Each stdout line parsed as JSON (`--json` output): panics on a line that is not JSON.
pub fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l:?}"))
        })
        .collect()
}

/// stdout and stderr as text, for failure messages.
pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn build_cli() -> PathBuf {
    if let Some(p) = std::env::var_os("OPENBADGES_BIN") {
        return PathBuf::from(p);
    }
    // A test binary lives in <target>/<profile>/deps/; the CLI goes in <target>/<profile>/.
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap().to_path_buf();
    let target_dir = profile_dir.parent().unwrap().to_path_buf();
    let release = profile_dir.file_name().is_some_and(|n| n == "release");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // The variables cargo set for this test (`CARGO_PKG_NAME`, ...) are not the build's: build
    // scripts that watch them (ring's) would otherwise rebuild on every switch between a build
    // from the shell and this one.
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("CARGO_PKG_")
            || k.starts_with("CARGO_MANIFEST_")
            || k.starts_with("CARGO_BIN_")
            || k == "CARGO_CRATE_NAME"
            || k == "CARGO_PRIMARY_PACKAGE"
        {
            cmd.env_remove(&*k);
        }
    }
    cmd.args(["build", "-q", "-p", "openbadges-cli", "--bin", "openbadges"])
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(crate::fixtures::repo_root());
    if release {
        cmd.arg("--release");
    }
    if crate::in_ci() {
        cmd.arg("--locked");
    }
    let status = cmd.status().unwrap();
    assert!(status.success(), "cargo build -p openbadges-cli failed");
    let bin = profile_dir.join(format!("openbadges{}", std::env::consts::EXE_SUFFIX));
    assert!(bin.is_file(), "{} not found after the build", bin.display());
    bin
}
