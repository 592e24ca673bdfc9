//! Writes the benchmark images (the same generator as `benches/bake.rs`) into a folder, for the
//! peer comparison in docs/benchmarks.md:
//! `cargo run --release -p openbadges-bake --example gen_bench_images -- DIR`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../benches/inputs/mod.rs"]
#[allow(dead_code)]
mod inputs;

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [
        ("png-2MB.png", inputs::png(2 * 1024 * 1024)),
        ("png-20MB.png", inputs::png(20 * 1024 * 1024)),
        ("svg-5MB.svg", inputs::svg(5 * 1024 * 1024)),
    ] {
        std::fs::write(dir.join(name), &bytes).unwrap();
        std::fs::write(dir.join("assertion.json"), inputs::ASSERTION).unwrap();
        println!("{} {}", dir.join(name).display(), bytes.len());
    }
}
