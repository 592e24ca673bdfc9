//! One payload limit for both directions: `bake` refuses what `extract` would refuse, for PNG
//! and SVG, in memory and streamed, exactly at `Limits::max_payload_bytes`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use openbadges_bake::{BakeOptions, Error, Limits, bake, bake_stream, extract};

fn chunk(out: &mut Vec<u8>, ty: &[u8; 4], data: &[u8]) {
    let mut h = crc32fast::Hasher::new();
    h.update(ty);
    h.update(data);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(ty);
    out.extend_from_slice(data);
    out.extend_from_slice(&h.finalize().to_be_bytes());
}

/// A 1×1 grayscale PNG.
fn png() -> Vec<u8> {
    use std::io::Write as _;
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    chunk(&mut out, b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&[0, 0]).unwrap();
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

const SVG: &[u8] =
    b"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"6\" height=\"6\"><rect/></svg>";

/// An OB 2.0 assertion of exactly `len` bytes.
fn payload_of_len(len: usize) -> String {
    let head = r#"{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"urn:uuid:1","name":""#;
    let tail = r#""}"#;
    let pad = len - head.len() - tail.len();
    let s = format!("{head}{}{tail}", "a".repeat(pad));
    assert_eq!(s.len(), len);
    s
}

fn is_payload_limit(e: &Error) -> bool {
    matches!(e, Error::LimitExceeded { what: "payload bytes", limit, .. } if *limit == Limits::default().max_payload_bytes)
}

#[test]
fn bake_refuses_a_payload_one_byte_over_what_extract_accepts() {
    let max = Limits::default().max_payload_bytes as usize;
    let at = payload_of_len(max);
    let over = payload_of_len(max + 1);
    for image in [png(), SVG.to_vec()] {
        // At the limit: baked, and extracted back.
        let baked = bake(&image, &at, &BakeOptions::default()).unwrap();
        assert_eq!(extract(&baked).unwrap().payload, at);
        // One byte over: refused by every baker, before anything is written.
        let e = bake(&image, &over, &BakeOptions::default()).unwrap_err();
        assert!(is_payload_limit(&e), "{e:?}");
        let mut out = Vec::new();
        let e = bake_stream(&image[..], &mut out, &over, &BakeOptions::default()).unwrap_err();
        assert!(is_payload_limit(&e), "{e:?}");
        assert!(out.is_empty());
    }
}

#[test]
fn svg_extract_refuses_a_payload_over_the_limit_as_png_extract_does() {
    let max = Limits::default().max_payload_bytes as usize;
    // A badge element written by hand (bake would refuse it), in CDATA and in `verify`.
    for (body, attr) in [
        (
            format!("<![CDATA[{}]]>", payload_of_len(max + 1)),
            String::new(),
        ),
        (
            String::new(),
            format!(" verify=\"https://example.org/{}\"", "a".repeat(max)),
        ),
    ] {
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion{attr}>{body}</openbadges:assertion></svg>"
        );
        let e = extract(svg.as_bytes()).unwrap_err();
        assert!(is_payload_limit(&e), "{e:?}");
    }
    // The same payload one byte shorter is read.
    let ok = payload_of_len(max);
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion><![CDATA[{ok}]]></openbadges:assertion></svg>"
    );
    assert_eq!(extract(svg.as_bytes()).unwrap().payload, ok);
}
