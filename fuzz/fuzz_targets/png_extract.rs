//! Fuzz the PNG side of `openbadges_bake`: extraction (in memory and streaming), baking and
//! unbaking must never panic on any bytes after a PNG signature, and what bakes must extract.
#![no_main]

use libfuzzer_sys::fuzz_target;
use openbadges_bake::{BakeOptions, Limits};

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

fuzz_target!(|data: &[u8]| {
    let mut png = SIGNATURE.to_vec();
    png.extend_from_slice(data);
    let lenient = Limits::default().inflate_compressed(true);
    let _ = openbadges_bake::extract(&png);
    let _ = openbadges_bake::extract_with(&png, &lenient);
    let _ = openbadges_bake::extract_reader(&png[..], &lenient);
    let _ = openbadges_bake::unbake(&png);
    let payload = "https://example.org/assertions/1";
    if let Ok(baked) = openbadges_bake::bake(&png, payload, &BakeOptions::default().replace(true)) {
        let found = openbadges_bake::extract(&baked).expect("a baked image extracts");
        assert_eq!(found.payload, payload);
        let mut streamed = Vec::new();
        openbadges_bake::bake_stream(&png[..], &mut streamed, payload, &BakeOptions::default().replace(true))
            .expect("the streaming baker agrees");
        assert_eq!(streamed, baked);
    }
});
