//! Criterion benchmarks: extraction and baking on a ≥ 20 MB PNG and a ≥ 5 MB SVG generated at
//! run time (plus a 2 MB PNG to show that PNG extraction does not grow with pixel data), each
//! next to a plain `std::fs::read` / copy of the same file.
//!
//! `cargo bench -p openbadges-bake --bench bake`; the generated files are kept in
//! `$CARGO_TARGET_DIR/bake-bench/` (or the system temp dir) for the peer comparison in
//! docs/benchmarks.md.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use openbadges_bake::{
    BakeOptions, Limits, bake, bake_stream, extract, extract_reader, extract_with,
};

#[path = "inputs/mod.rs"]
mod inputs;

fn dir() -> PathBuf {
    let base = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let d = base.join("bake-bench");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes the unbaked and baked inputs; returns (unbaked path, baked path, baked bytes).
fn inputs(name: &str, image: Vec<u8>) -> (PathBuf, PathBuf, Vec<u8>) {
    let d = dir();
    let plain = d.join(name);
    let baked_path = d.join(format!("baked-{name}"));
    let baked = bake(&image, inputs::ASSERTION, &BakeOptions::default()).unwrap();
    std::fs::write(&plain, &image).unwrap();
    std::fs::write(&baked_path, &baked).unwrap();
    (plain, baked_path, baked)
}

fn benches(c: &mut Criterion) {
    let cases = [
        ("png-2MB.png", inputs::png(2 * 1024 * 1024)),
        ("png-20MB.png", inputs::png(20 * 1024 * 1024)),
        ("svg-5MB.svg", inputs::svg(5 * 1024 * 1024)),
    ];
    for (name, image) in cases {
        let len = image.len() as u64;
        let (plain, baked_path, baked) = inputs(name, image.clone());
        eprintln!(
            "{name}: {len} bytes ({:.1} MB) in {}",
            len as f64 / 1e6,
            baked_path.display()
        );
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(len));
        g.sample_size(20)
            .measurement_time(Duration::from_secs(4))
            .warm_up_time(Duration::from_secs(1));
        // Baseline: read the whole file.
        g.bench_function("std::fs::read", |b| {
            b.iter(|| black_box(std::fs::read(&baked_path).unwrap()))
        });
        // Extraction from a file: the streaming reader stops at the badge.
        g.bench_function("extract_reader(File)", |b| {
            b.iter(|| {
                let f = std::fs::File::open(&baked_path).unwrap();
                black_box(extract_reader(std::io::BufReader::new(f), &Limits::default()).unwrap())
            })
        });
        // Extraction from bytes already in memory (default limits: stops at the image data
        // after the badge) and with the full duplicate scan (walks every chunk header).
        g.bench_function("extract(&[u8])", |b| {
            b.iter(|| black_box(extract(black_box(&baked)).unwrap()))
        });
        let full = Limits::default().full_duplicate_scan(true);
        g.bench_function("extract_with(full_duplicate_scan)", |b| {
            b.iter(|| black_box(extract_with(black_box(&baked), &full).unwrap()))
        });
        // Read the file, then extract: what `openbadges extract FILE` does.
        g.bench_function("fs::read + extract", |b| {
            b.iter(|| black_box(extract(&std::fs::read(&baked_path).unwrap()).unwrap()))
        });
        // Baking next to copying.
        g.bench_function("copy in memory (to_vec)", |b| {
            b.iter(|| black_box(black_box(&image).to_vec()))
        });
        g.bench_function("bake(&[u8])", |b| {
            b.iter(|| {
                black_box(
                    bake(
                        black_box(&image),
                        inputs::ASSERTION,
                        &BakeOptions::default(),
                    )
                    .unwrap(),
                )
            })
        });
        let out = dir().join(format!("out-{name}"));
        g.bench_function("std::fs::copy", |b| {
            b.iter(|| black_box(std::fs::copy(&plain, &out).unwrap()))
        });
        g.bench_function("copy: fs::read + fs::write", |b| {
            b.iter(|| std::fs::write(&out, std::fs::read(&plain).unwrap()).unwrap())
        });
        // What `openbadges bake` does.
        g.bench_function("bake: fs::read + bake + fs::write", |b| {
            b.iter(|| {
                let image = std::fs::read(&plain).unwrap();
                std::fs::write(
                    &out,
                    bake(&image, inputs::ASSERTION, &BakeOptions::default()).unwrap(),
                )
                .unwrap()
            })
        });
        g.bench_function("bake_stream(File→File)", |b| {
            b.iter(|| {
                let src = std::io::BufReader::new(std::fs::File::open(&plain).unwrap());
                let dst = std::io::BufWriter::new(std::fs::File::create(&out).unwrap());
                black_box(
                    bake_stream(src, dst, inputs::ASSERTION, &BakeOptions::default()).unwrap(),
                )
            })
        });
        g.finish();
    }
}

criterion_group!(bake_benches, benches);
criterion_main!(bake_benches);
