//! `cargo run -p issuer-service -- [--database URL] [--port N] [--base-url URL]`: the embedding
//! example (see the library docs and docs/embedding.md).
#![forbid(unsafe_code)]
#![allow(clippy::print_stderr)]

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let config = issuer_service::Config::parse();
    match issuer_service::run(&config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("issuer-service: {e}");
            ExitCode::FAILURE
        }
    }
}
