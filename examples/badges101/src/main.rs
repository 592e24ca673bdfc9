//! `cargo run -p badges101`: the Badges 101 web app (see the library docs and docs/badges101.md).
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

fn main() -> ExitCode {
    let config = match badges101::Config::from_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match run(config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("badges101: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(config: badges101::Config) -> Result<(), badges101::AppError> {
    if config.terminal {
        let stdin = std::io::stdin();
        let mut input = stdin.lock();
        let mut out = std::io::stdout();
        badges101::run_terminal(&config, &mut input, &mut out, &config.out)?;
        return Ok(());
    }
    if let Some((id, reason)) = &config.revoke {
        // Straight into the database: running instances serve it from their next request on.
        // Under the instances' public base URL (the status lists name it): `--base-url`, else
        // the one the app last served under on this database.
        let app = badges101::App::open(&config, &badges101::App::base_url_for(&config)?)?;
        app.revoke(id, reason.as_deref())?;
        println!("revoked {id}");
        return Ok(());
    }
    let data_dir = config.data_dir.clone();
    let running = badges101::start(config)?;
    println!("Badges 101 is running at {}", running.url());
    println!("listening on {}", running.addr());
    println!("data directory: {}", data_dir.display());
    wait_for_signal()?;
    println!("shutting down: finishing the requests in flight and the pushes to the backpack");
    running.shutdown();
    Ok(())
}

/// Waits for SIGINT (Ctrl-C) or, on Unix, SIGTERM.
fn wait_for_signal() -> Result<(), badges101::AppError> {
    let signals = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    signals.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut term = signal(SignalKind::terminate())?;
            tokio::select! {
                r = tokio::signal::ctrl_c() => r,
                _ = term.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await
    })?;
    Ok(())
}
