//! `openbadges extract INPUT [--json]`.

use std::path::PathBuf;

use openbadges_bake::{Error, Limits};

use crate::exit;

/// Arguments of `extract`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The baked PNG or SVG image (`-` for stdin).
    input: PathBuf,
    /// Print `{"format","keyword","payload_kind","payload","warnings"}` instead of the payload.
    #[arg(long)]
    json: bool,
    /// Inflate a compressed badge iTXt chunk (forbidden by the specification) instead of
    /// rejecting it.
    #[arg(long)]
    inflate_compressed: bool,
}

/// Runs `extract`, returning the process exit code.
pub(crate) fn run(args: Args) -> u8 {
    let bytes = match crate::cmd::read_input(&args.input) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("openbadges extract: {}: {e}", args.input.display());
            return exit::CANNOT_CHECK;
        }
    };
    let limits = Limits::default().inflate_compressed(args.inflate_compressed);
    let found = match openbadges_bake::extract_with(&bytes, &limits) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("openbadges extract: {}: {e}", args.input.display());
            return match e {
                // Not a readable PNG/SVG.
                Error::UnknownFormat
                | Error::MalformedPng { .. }
                | Error::MalformedSvg { .. }
                | Error::UnsupportedEncoding { .. }
                | Error::LimitExceeded { .. }
                | Error::Io(_) => exit::CANNOT_CHECK,
                // Readable, but holds no (usable) badge.
                _ => exit::INVALID,
            };
        }
    };
    for w in &found.warnings {
        eprintln!(
            "openbadges extract: {}: warning {}: {w}",
            args.input.display(),
            w.code()
        );
    }
    if args.json {
        let out = serde_json::json!({
            "format": found.format.as_str(),
            "keyword": found.keyword,
            "payload_kind": found.payload_kind.as_str(),
            "payload": found.payload,
            "warnings": found.warnings.iter().map(|w| serde_json::json!({
                "code": w.code(), "message": w.to_string(),
            })).collect::<Vec<_>>(),
        });
        println!("{out}");
    } else {
        println!("{}", found.payload);
    }
    exit::OK
}
