//! One definition of how the benches measure an operation against its raw signature operation:
//! warm each up (the warm-up also sizes a batch of ~`batch_ms`), then time `samples` pairs of
//! batches, the operation's and the raw one's alternating so that both see the same machine
//! load, and take the median of each side and of the per-pair ratios (a number load moves far
//! less than either time). The peer harnesses (`bench/side-by-side/*.py`, `*.mjs`) time their
//! operations with the same warm-up, batch and median.
//!
//! Used by `ob2_verify`, `vc_jwt` (through `common/ratio.rs`), `di_eddsa` and `side_by_side`.

use std::time::{Duration, Instant};

/// The method's three numbers.
#[derive(Clone, Copy)]
pub(crate) struct Method {
    /// Pairs of batches timed.
    pub(crate) samples: usize,
    /// The time one batch should take, in ms.
    pub(crate) batch_ms: f64,
    /// Warm-up per side.
    pub(crate) warm: Duration,
}

/// What one alternating measurement found.
pub(crate) struct Pair {
    /// Median µs per call of the operation.
    pub(crate) op_us: f64,
    /// Median µs per call of the raw operation.
    pub(crate) raw_us: f64,
    /// Median of the per-pair ratios op / raw.
    pub(crate) ratio: f64,
    /// Calls per batch of the operation.
    pub(crate) batch: u64,
    /// Calls per batch of the raw operation.
    pub(crate) raw_batch: u64,
}

/// Reads a number from the environment, `default` when unset or not a number.
pub(crate) fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The 1-minute load average, as `/proc/loadavg` gives it.
pub(crate) fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Measures `op` against `raw` (see the module docs).
pub(crate) fn alternate(m: Method, op: &mut impl FnMut(), raw: &mut impl FnMut()) -> Pair {
    let batch = warm_up(m, op);
    let raw_batch = warm_up(m, raw);
    let pairs: Vec<(f64, f64)> = (0..m.samples.max(1))
        .map(|_| (batch_us(batch, op), batch_us(raw_batch, raw)))
        .collect();
    Pair {
        op_us: median(pairs.iter().map(|p| p.0).collect()),
        raw_us: median(pairs.iter().map(|p| p.1).collect()),
        ratio: median(pairs.iter().map(|p| p.0 / p.1).collect()),
        batch,
        raw_batch,
    }
}

/// Warms `f` up for `m.warm` and returns the batch size that takes ~`m.batch_ms`.
fn warm_up(m: Method, f: &mut impl FnMut()) -> u64 {
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < m.warm || n == 0 {
        f();
        n += 1;
    }
    let per_ms = t0.elapsed().as_secs_f64() * 1000.0 / n as f64;
    ((m.batch_ms / per_ms).round() as u64).max(1)
}

/// Time per call of one batch, in µs.
fn batch_us(batch: u64, f: &mut impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..batch {
        f();
    }
    t.elapsed().as_secs_f64() * 1e6 / batch as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
