//! `openbadges`: the command-line face of the Open Badges crates (see CLI.md for the contract).
//!
//! Each subcommand lives in its own module under `cmd/` and only wires library calls together.
#![forbid(unsafe_code)]
// Output goes through `out` (no panic on a closed pipe), never `print!`/`eprint!` directly.
#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc, not the system allocator: with glibc's malloc, `verify --jobs 2` used 9-15% more
/// CPU than `--jobs 1` for the same inputs (reports are built on one thread and freed on
/// another) and scaled 1.70x; with mimalloc the CPU stays the same, it scales 1.84x and one
/// thread is 5-15% faster (docs/benchmarks.md, issue #18 goal 5). The libraries do not choose
/// an allocator; this program does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[macro_use]
mod out;
mod cmd;

/// Exit codes shared by every subcommand (the CLI contract).
pub(crate) mod exit {
    /// Success / valid.
    pub(crate) const OK: u8 = 0;
    /// The input was examined and is invalid (or holds no badge).
    pub(crate) const INVALID: u8 = 1;
    /// Usage error, unreadable input, or the check could not be completed.
    pub(crate) const CANNOT_CHECK: u8 = 2;
}

#[derive(Debug, Parser)]
#[command(
    name = "openbadges",
    version,
    about = "Inspect, verify, sign, bake and keep Open Badges"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse without verifying: detect kind and version, validate the structure, show the upgrade.
    Inspect(cmd::inspect::Args),
    /// Embed an assertion/credential (JSON, compact JWS/JWT or URL) into a PNG or SVG.
    Bake(cmd::bake::Args),
    /// Print the assertion/credential baked into a PNG or SVG, exactly as stored.
    Extract(cmd::extract::Args),
    /// Verify badges of any version and form (hosted, signed, baked): valid / invalid / indeterminate.
    Verify(cmd::verify::Args),
    /// Generate a signing key pair (Ed25519, ECDSA P-256 or RSA-2048).
    Keygen(cmd::keygen::Args),
    /// Sign an OB 2.0 assertion (compact JWS) or an OB 3.0 / CLR 2.0 credential (VC-JWT or
    /// eddsa-rdfc-2022 Data Integrity proof).
    Sign(cmd::sign::Args),
    /// Validate, grade and take quizzes (TOML/JSON definitions, Moodle GIFT, QTI 3.0).
    Quiz(cmd::quiz::Args),
    /// A learner's backpack: import badges of every form, list them, export them.
    Backpack(cmd::backpack::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // Help and version go to stdout, usage errors to stderr (see `out`).
            if let Err(io) = e.print() {
                if !e.use_stderr() {
                    out::stdout_failed(&io);
                }
            }
            return ExitCode::from(if e.use_stderr() {
                exit::CANNOT_CHECK
            } else {
                exit::OK
            });
        }
    };
    let code = match cli.command {
        Command::Inspect(args) => cmd::inspect::run(args),
        Command::Bake(args) => cmd::bake::run(args),
        Command::Extract(args) => cmd::extract::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Keygen(args) => cmd::keygen::run(args),
        Command::Sign(args) => cmd::sign::run(args),
        Command::Quiz(args) => cmd::quiz::run(args),
        Command::Backpack(args) => cmd::backpack::run(args),
    };
    // What is still buffered must reach stdout before the exit code claims success.
    out::flush();
    ExitCode::from(code)
}
