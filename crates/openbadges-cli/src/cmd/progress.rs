//! A progress bar on stderr for long batches (`verify`): done/total, percentage, rate and ETA,
//! redrawn at most every [`Bar::EVERY`] and erased at the end. Drawn only for a person watching:
//! stderr a terminal and stdout not a pipe (a pipe's reader is a program; a file or the terminal
//! is fine). Callers leave it off under `--json`.

use std::io::{IsTerminal as _, Write as _};
use std::time::{Duration, Instant};

/// Erases the current terminal line (carriage return, then "erase line").
const ERASE: &str = "\r\x1b[2K";

/// The bar's state.
pub(crate) struct Bar {
    total: usize,
    done: usize,
    start: Instant,
    last_draw: Instant,
    drawn: bool,
}

impl Bar {
    /// The shortest time between two redraws.
    pub(crate) const EVERY: Duration = Duration::from_millis(100);

    /// A bar for `total` items, drawn at once, when stderr is a terminal and stdout is not a
    /// pipe; otherwise `None`.
    pub(crate) fn on_terminal(total: usize) -> Option<Bar> {
        if !std::io::stderr().is_terminal() || stdout_is_pipe() {
            return None;
        }
        let now = Instant::now();
        let mut bar = Bar {
            total,
            done: 0,
            start: now,
            last_draw: now,
            drawn: false,
        };
        bar.draw();
        Some(bar)
    }

    /// Counts one item done; whether it is time to redraw.
    pub(crate) fn advance(&mut self) -> bool {
        self.done = self.done.saturating_add(1);
        self.last_draw.elapsed() >= Self::EVERY
    }

    /// Draws the bar (over the previous one).
    pub(crate) fn draw(&mut self) {
        let line = render(self.done, self.total, self.start.elapsed());
        let mut stderr = std::io::stderr().lock();
        // Diagnostics only: a stderr that cannot be written is ignored (see `out`).
        let _ = write!(stderr, "{ERASE}{line}").and_then(|()| stderr.flush());
        self.last_draw = Instant::now();
        self.drawn = true;
    }

    /// Erases the bar, if drawn.
    pub(crate) fn clear(&mut self) {
        if self.drawn {
            let mut stderr = std::io::stderr().lock();
            let _ = write!(stderr, "{ERASE}").and_then(|()| stderr.flush());
            self.drawn = false;
        }
    }
}

/// Whether stdout is a pipe or a socket (another program reads it).
#[cfg(unix)]
fn stdout_is_pipe() -> bool {
    use std::os::fd::AsFd as _;
    use std::os::unix::fs::FileTypeExt as _;
    std::io::stdout()
        .as_fd()
        .try_clone_to_owned()
        .map(std::fs::File::from)
        .and_then(|f| f.metadata())
        .map_or(true, |m| {
            m.file_type().is_fifo() || m.file_type().is_socket()
        })
}

/// Whether stdout is a pipe: here, whether it is not a terminal.
#[cfg(not(unix))]
fn stdout_is_pipe() -> bool {
    !std::io::stdout().is_terminal()
}

/// One line of the bar: `[#######>-----]  412/1000  41%  2345/s  ETA 0:03`.
fn render(done: usize, total: usize, elapsed: Duration) -> String {
    const WIDTH: usize = 30;
    let done = done.min(total);
    let filled = done
        .saturating_mul(WIDTH)
        .checked_div(total)
        .unwrap_or(WIDTH);
    let mut bar = "#".repeat(filled);
    if filled < WIDTH {
        bar.push('>');
        bar.push_str(&"-".repeat(WIDTH - filled - 1));
    }
    let percent = done.saturating_mul(100).checked_div(total).unwrap_or(100);
    let secs = elapsed.as_secs_f64();
    let (rate, eta) = if done == 0 || secs <= 0.0 {
        ("?/s".to_owned(), "?".to_owned())
    } else {
        let rate = done as f64 / secs;
        let left = ((total - done) as f64 / rate).ceil() as u64;
        (
            format!("{rate:.0}/s"),
            format!("{}:{:02}", left / 60, left % 60),
        )
    };
    format!("[{bar}] {done}/{total} {percent}% {rate} ETA {eta}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_shows_count_percentage_rate_and_eta() {
        assert_eq!(
            render(0, 1000, Duration::ZERO),
            format!("[>{}] 0/1000 0% ?/s ETA ?", "-".repeat(29))
        );
        assert_eq!(
            render(500, 1000, Duration::from_secs(2)),
            format!(
                "[{}>{}] 500/1000 50% 250/s ETA 0:02",
                "#".repeat(15),
                "-".repeat(14)
            )
        );
        assert_eq!(
            render(1000, 1000, Duration::from_secs(4)),
            format!("[{}] 1000/1000 100% 250/s ETA 0:00", "#".repeat(30))
        );
        // 9000 left at 10/s: 15 minutes.
        assert!(render(1000, 10_000, Duration::from_secs(100)).ends_with("10/s ETA 15:00"));
    }
}
