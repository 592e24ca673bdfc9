//! The ratio of a pipeline to its raw signature check, measured in one run: batches of the two
//! alternate (pipeline, raw, pipeline, raw, …) so that both see the same machine load, and the
//! median of the per-pair ratios is printed as `ratio pipeline/raw = X`, a number load moves far
//! less than either time (the side-by-side harness measures its VC-JWT rows the same way).
//!
//! Runs with the criterion rows unless `--profile-time` is given (a profiling run) or a filter
//! is given that the row's name does not contain. `RATIO_SAMPLES` (default 15) pairs of batches
//! of ~`RATIO_BATCH_MS` (default 50) ms each, after ~`RATIO_WARM_MS` (default 500) ms of
//! warm-up per side.

use std::time::{Duration, Instant};

fn env_num(name: &str, default: f64) -> f64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Whether the ratio row `name` is to be measured in this run (see the module docs).
fn wanted(name: &str) -> bool {
    let mut args = std::env::args().skip(1);
    let mut filters = Vec::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--profile-time" => return false,
            // Criterion's options that take a value.
            "--warm-up-time"
            | "--measurement-time"
            | "--sample-size"
            | "--save-baseline"
            | "--baseline"
            | "--load-baseline"
            | "--output-format"
            | "--color"
            | "--plotting-backend"
            | "--nresamples"
            | "--noise-threshold"
            | "--confidence-level"
            | "--significance-level" => {
                args.next();
            }
            a if a.starts_with('-') => {}
            a => filters.push(a.replace('\\', "")),
        }
    }
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

fn warm_up(warm: Duration, batch_ms: f64, f: &mut impl FnMut()) -> u64 {
    let t0 = Instant::now();
    let mut n = 0u64;
    while t0.elapsed() < warm {
        f();
        n += 1;
    }
    let per_ms = t0.elapsed().as_secs_f64() * 1000.0 / n as f64;
    ((batch_ms / per_ms).round() as u64).max(1)
}

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

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Measures `pipeline` against `raw` (see the module docs) and prints one line for `row`.
pub(crate) fn ratio_row(row: &str, mut pipeline: impl FnMut(), mut raw: impl FnMut()) {
    let name = format!("ratio pipeline/raw: {row}");
    if !wanted(&name) {
        return;
    }
    let samples = env_num("RATIO_SAMPLES", 15.0).max(1.0) as usize;
    let batch_ms = env_num("RATIO_BATCH_MS", 50.0);
    let warm = Duration::from_secs_f64(env_num("RATIO_WARM_MS", 500.0) / 1000.0);
    let load_before = load();
    let pb = warm_up(warm, batch_ms, &mut pipeline);
    let rb = warm_up(warm, batch_ms, &mut raw);
    let pairs: Vec<(f64, f64)> = (0..samples)
        .map(|_| (batch_us(pb, &mut pipeline), batch_us(rb, &mut raw)))
        .collect();
    let ratio = median(pairs.iter().map(|(p, r)| p / r).collect());
    let p = median(pairs.iter().map(|x| x.0).collect());
    let r = median(pairs.iter().map(|x| x.1).collect());
    println!(
        "{name}: pipeline {p:.1} µs, raw {r:.1} µs, ratio pipeline/raw = {ratio:.2} \
         (median of {samples} alternating pairs of ~{batch_ms} ms batches; load {load_before} → {})",
        load()
    );
}
