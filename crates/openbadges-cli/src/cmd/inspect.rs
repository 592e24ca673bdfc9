//! `openbadges inspect INPUT... [--json]`.

use std::path::PathBuf;

use openbadges_model::{Limits, inspect_bytes};

use crate::exit;

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Files to inspect (`-` for stdin).
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Print one JSON object per input instead of text.
    #[arg(long)]
    json: bool,
}

/// Runs `inspect`, returning the process exit code.
pub(crate) fn run(args: Args) -> u8 {
    let mut worst = exit::OK;
    for input in &args.inputs {
        let bytes = match crate::cmd::read_input(input) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("openbadges inspect: {}: {e}", input.display());
                worst = worst.max(exit::CANNOT_CHECK);
                continue;
            }
        };
        match inspect_bytes(&bytes, &Limits::default()) {
            Ok(report) => {
                let valid = report.valid_structure();
                if args.json {
                    let out = serde_json::json!({
                        "input": input.display().to_string(),
                        "kind": "json",
                        "version": report.version.map(|v| v.as_str()),
                        "class": report.class.as_ref().map(|c| c.as_str()),
                        "valid_structure": valid,
                        "problems": report.problems.iter().map(|p| serde_json::json!({
                            "code": p.code.as_str(), "path": p.path, "message": p.message,
                        })).collect::<Vec<_>>(),
                        "upgraded": report.upgraded,
                    });
                    println!("{out}");
                } else {
                    println!(
                        "{}: {} {} — {}",
                        input.display(),
                        report.version.map_or("unknown", |v| v.as_str()),
                        report.class.as_ref().map_or("unknown", |c| c.as_str()),
                        if valid { "structure valid" } else { "structure INVALID" }
                    );
                    for p in &report.problems {
                        println!("  {} {} {}: {}", if p.is_error() { "error" } else { "warning" }, p.code, if p.path.is_empty() { "/" } else { &p.path }, p.message);
                    }
                }
                if !valid {
                    worst = worst.max(exit::INVALID);
                }
            }
            Err(e) => {
                eprintln!("openbadges inspect: {}: {e}", input.display());
                worst = worst.max(exit::INVALID);
            }
        }
    }
    worst
}
