//! Everything the command writes goes through here: `out!`/`outln!` for stdout,
//! `errln!` for stderr, [`bytes`] for binary output and [`flush`] after a prompt.
//!
//! Rust ignores `SIGPIPE`, so writing to a closed pipe (`openbadges … | head`) is an `EPIPE`
//! error, on which `println!` panics (exit 101, a crash by the contract). Here instead:
//! - stdout that cannot be written ends the command at once with exit 2: the output was not
//!   delivered, so the run did not complete. Never 0 (that would claim inputs never reported
//!   were valid), never 1. A closed pipe ends it silently; any other write error (a full disk)
//!   is named on stderr first.
//! - stderr that cannot be written is ignored: diagnostics are not the result, and the exit
//!   code still tells it.
//!
//! The crate denies `clippy::print_stdout`/`print_stderr`, so `println!` and friends cannot
//! creep back in. The macros are in scope in every module (`#[macro_use]` in `main.rs`).

use std::fmt;
use std::io::{self, Write as _};

/// Like `print!`, through [`text`].
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::out::text(::std::format_args!($($arg)*), false)
    };
}

/// Like `println!`, through [`text`].
macro_rules! outln {
    () => {
        $crate::out::text(::std::format_args!(""), true)
    };
    ($($arg:tt)*) => {
        $crate::out::text(::std::format_args!($($arg)*), true)
    };
}

/// Like `eprintln!`, through [`diagnostic`].
macro_rules! errln {
    () => {
        $crate::out::diagnostic(::std::format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::out::diagnostic(::std::format_args!($($arg)*))
    };
}

/// Writes formatted text to stdout, then a newline when `newline`; on failure ends the process
/// (see the module docs).
pub(crate) fn text(args: fmt::Arguments<'_>, newline: bool) {
    let mut stdout = io::stdout().lock();
    let written = stdout.write_fmt(args).and_then(|()| {
        if newline {
            stdout.write_all(b"\n")
        } else {
            Ok(())
        }
    });
    if let Err(e) = written {
        stdout_failed(&e);
    }
}

/// Writes bytes (a baked image) to stdout and flushes; on failure ends the process.
pub(crate) fn bytes(data: &[u8]) {
    let mut stdout = io::stdout().lock();
    if let Err(e) = stdout.write_all(data).and_then(|()| stdout.flush()) {
        stdout_failed(&e);
    }
}

/// Flushes stdout (after a prompt without a newline, and before exiting); on failure ends the
/// process.
pub(crate) fn flush() {
    if let Err(e) = io::stdout().lock().flush() {
        stdout_failed(&e);
    }
}

/// Writes one line to stderr; a failure to do so is ignored.
pub(crate) fn diagnostic(args: fmt::Arguments<'_>) {
    let mut stderr = io::stderr().lock();
    let _ = stderr
        .write_fmt(args)
        .and_then(|()| stderr.write_all(b"\n"));
}

/// Ends the process because stdout could not be written: exit 2, silently for a closed pipe.
pub(crate) fn stdout_failed(e: &io::Error) -> ! {
    if e.kind() != io::ErrorKind::BrokenPipe {
        diagnostic(format_args!("openbadges: cannot write the output: {e}"));
    }
    std::process::exit(i32::from(crate::exit::CANNOT_CHECK))
}
