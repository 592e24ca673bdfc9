//! The ratio of a pipeline to its raw signature check, measured in one run: batches of the two
//! alternate (pipeline, raw, pipeline, raw, …) so that both see the same machine load, and the
//! median of the per-pair ratios is printed as `ratio pipeline/raw = X`, a number load moves far
//! less than either time (the side-by-side harness measures its VC-JWT rows the same way).
//!
//! Runs with the criterion rows unless `--profile-time` is given (a profiling run) or a filter
//! is given that the row's name does not contain. `RATIO_SAMPLES` (default 15) pairs of batches
//! of ~`RATIO_BATCH_MS` (default 50) ms each, after ~`RATIO_WARM_MS` (default 500) ms of
//! warm-up per side.

use std::time::Duration;

use crate::alternate::{Method, alternate, env_num, load};

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
    let m = Method {
        samples,
        batch_ms,
        warm,
    };
    let pair = alternate(m, &mut pipeline, &mut raw);
    let (p, r, ratio) = (pair.op_us, pair.raw_us, pair.ratio);
    println!(
        "{name}: pipeline {p:.1} µs, raw {r:.1} µs, ratio pipeline/raw = {ratio:.2} \
         (median of {samples} alternating pairs of ~{batch_ms} ms batches; load {load_before} → {})",
        load()
    );
}
