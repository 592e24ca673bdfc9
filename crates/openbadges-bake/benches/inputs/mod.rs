//! Benchmark inputs, generated at run time (never committed): a PNG of random RGBA pixels whose
//! image data is split into 8 KiB IDAT chunks (as libpng writes them), and an SVG made of many
//! small elements.

use std::io::Write as _;

fn crc(ty: &[u8], data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(ty);
    h.update(data);
    h.finalize()
}

fn chunk(out: &mut Vec<u8>, ty: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(0).to_be_bytes());
    out.extend_from_slice(ty);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc(ty, data).to_be_bytes());
}

/// xorshift bytes: incompressible, so the file size tracks the pixel count.
fn noise(n: usize, mut seed: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.extend_from_slice(&seed.to_le_bytes());
    }
    v.truncate(n);
    v
}

/// An RGBA PNG of about `target_bytes` (random pixels, stored with fast deflate).
pub(crate) fn png(target_bytes: usize) -> Vec<u8> {
    let side = ((target_bytes / 4) as f64).sqrt() as u32 + 1;
    let row = side as usize * 4;
    let mut raw = Vec::with_capacity((row + 1) * side as usize);
    let pixels = noise(row * side as usize, 0x9E37_79B9_7F4A_7C15);
    for line in pixels.chunks(row) {
        raw.push(0);
        raw.extend_from_slice(line);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&side.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"tEXt", b"Software\0openbadges-bake benchmark");
    for part in idat.chunks(8192) {
        chunk(&mut out, b"IDAT", part);
    }
    chunk(&mut out, b"IEND", &[]);
    out
}

/// An SVG of about `target_bytes` made of small `<g>`/`<path>` elements and comments.
pub(crate) fn svg(target_bytes: usize) -> Vec<u8> {
    let mut s = String::with_capacity(target_bytes + 1024);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000 1000\">\n");
    let mut i = 0u64;
    while s.len() < target_bytes {
        let (x, y) = (i % 997, (i * 7) % 991);
        s.push_str(&format!(
            "  <g id=\"g{i}\"><path d=\"M{x} {y} L{} {} Q{} {} {x} {}\" fill=\"#{:06x}\"/><!-- {i} --></g>\n",
            x + 3,
            y + 5,
            x + 9,
            y + 1,
            y + 2,
            i % 0xFF_FFFF
        ));
        i += 1;
    }
    s.push_str("</svg>\n");
    s.into_bytes()
}

/// A 2.0 hosted assertion, as baked in the benchmarks.
pub(crate) const ASSERTION: &str = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/assertions/123","recipient":{"type":"email","hashed":true,"salt":"deadsea","identity":"sha256$7a583eab660c760fe8fd759ee3ac15b4bacd9774104663bc0300f62599be6862"},"badge":"https://example.org/badges/5","issuedOn":"2024-01-15T12:00:00Z","verification":{"type":"hosted"}}"#;
