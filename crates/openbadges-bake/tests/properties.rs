//! Property tests: for generated PNGs and SVGs, bake → extract returns the payload, removing what
//! was inserted gives back the original bytes exactly, and a baked PNG decodes (with the `png`
//! crate) to the same pixels.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write as _;

use base64::Engine as _;
use openbadges_bake::{
    BadgeVersion, BakeOptions, Error, ImageFormat, Limits, PayloadKind, bake_detailed, bake_stream,
    extract, extract_reader, unbake,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// A small PNG writer, so the tests control every chunk (the `png` crate decodes the result).

fn crc(ty: &[u8], data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(ty);
    h.update(data);
    h.finalize()
}

fn chunk(out: &mut Vec<u8>, ty: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(ty);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc(ty, data).to_be_bytes());
}

#[derive(Debug, Clone)]
struct PngSpec {
    width: u32,
    height: u32,
    color: u8, // 0 gray, 2 rgb, 3 palette, 4 gray+alpha, 6 rgba
    depth: u8, // 8 or 16 (palette: 8)
    interlaced: bool,
    pixels: Vec<u8>,
    palette: Vec<u8>,
    before: Vec<([u8; 4], Vec<u8>)>,
    after: Vec<([u8; 4], Vec<u8>)>,
    idat_parts: usize,
    gama: bool,
    time: bool,
}

fn channels(color: u8) -> usize {
    match color {
        0 | 3 => 1,
        2 => 3,
        4 => 2,
        _ => 4,
    }
}

impl PngSpec {
    fn bpp(&self) -> usize {
        channels(self.color) * usize::from(self.depth / 8)
    }

    /// Raw scanline data (filter type 0), Adam7 when interlaced.
    fn raw(&self) -> Vec<u8> {
        let (w, h, bpp) = (self.width as usize, self.height as usize, self.bpp());
        let px = |x: usize, y: usize| &self.pixels[(y * w + x) * bpp..(y * w + x + 1) * bpp];
        let mut raw = Vec::new();
        let passes: &[(usize, usize, usize, usize)] = if self.interlaced {
            &[
                (0, 0, 8, 8),
                (4, 0, 8, 8),
                (0, 4, 4, 8),
                (2, 0, 4, 4),
                (0, 2, 2, 4),
                (1, 0, 2, 2),
                (0, 1, 1, 2),
            ]
        } else {
            &[(0, 0, 1, 1)]
        };
        for &(x0, y0, dx, dy) in passes {
            if x0 >= w || y0 >= h {
                continue;
            }
            for y in (y0..h).step_by(dy) {
                raw.push(0);
                for x in (x0..w).step_by(dx) {
                    raw.extend_from_slice(px(x, y));
                }
            }
        }
        raw
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&self.width.to_be_bytes());
        ihdr.extend_from_slice(&self.height.to_be_bytes());
        ihdr.extend_from_slice(&[self.depth, self.color, 0, 0, u8::from(self.interlaced)]);
        chunk(&mut out, b"IHDR", &ihdr);
        if self.gama {
            chunk(&mut out, b"gAMA", &45455u32.to_be_bytes());
        }
        for (ty, data) in &self.before {
            chunk(&mut out, ty, data);
        }
        if self.color == 3 {
            chunk(&mut out, b"PLTE", &self.palette);
        }
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&self.raw()).unwrap();
        let idat = z.finish().unwrap();
        let step = idat.len().div_ceil(self.idat_parts).max(1);
        for part in idat.chunks(step) {
            chunk(&mut out, b"IDAT", part);
        }
        for (ty, data) in &self.after {
            chunk(&mut out, ty, data);
        }
        if self.time {
            chunk(&mut out, b"tIME", &[0x07, 0xEA, 11, 27, 16, 30, 0]);
        }
        chunk(&mut out, b"IEND", &[]);
        out
    }
}

fn ancillary() -> impl Strategy<Value = ([u8; 4], Vec<u8>)> {
    prop_oneof![
        ("[A-Za-z]{1,20}", "[ -~]{0,40}")
            .prop_map(|(k, t)| (*b"tEXt", format!("{k}\0{t}").into_bytes())),
        ("[A-Za-z]{1,20}", "[ -~]{0,40}")
            .prop_map(|(k, t)| (*b"iTXt", format!("{k}\0\0\0en\0{k}\0{t}").into_bytes())),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(|d| (*b"prVt", d)),
    ]
}

fn png_spec() -> impl Strategy<Value = PngSpec> {
    (
        1u32..20,
        1u32..20,
        prop_oneof![Just(0u8), Just(2), Just(3), Just(4), Just(6)],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_flat_map(|(width, height, color, sixteen, interlaced)| {
            let depth = if sixteen && color != 3 { 16 } else { 8 };
            let n = (width * height) as usize * channels(color) * usize::from(depth / 8);
            (
                Just((width, height, color, depth, interlaced)),
                proptest::collection::vec(any::<u8>(), n),
                proptest::collection::vec(any::<u8>(), 768),
                proptest::collection::vec(ancillary(), 0..4),
                proptest::collection::vec(ancillary(), 0..3),
                1usize..4,
                any::<(bool, bool)>(),
            )
        })
        .prop_map(
            |(
                (width, height, color, depth, interlaced),
                mut pixels,
                palette,
                before,
                after,
                idat_parts,
                (gama, time),
            )| {
                if color == 3 {
                    for p in &mut pixels {
                        *p %= 255;
                    }
                }
                PngSpec {
                    width,
                    height,
                    color,
                    depth,
                    interlaced,
                    pixels,
                    palette,
                    before,
                    after,
                    idat_parts,
                    gama,
                    time,
                }
            },
        )
}

fn decode(bytes: &[u8]) -> (png::OutputInfo, Vec<u8>) {
    let mut reader = png::Decoder::new(bytes).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    (info, buf)
}

// ---------------------------------------------------------------------------------------------
// Payloads.

fn b64(s: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

/// (payload, expected kind, expected version)
fn payload() -> impl Strategy<Value = (String, PayloadKind, BadgeVersion)> {
    let text = "[ -~\u{e9}\u{4e2d}\u{1F600}]{0,40}|\\]\\]>|</svg><script>alert(1)</script>";
    prop_oneof![
        // OB 2.0 hosted JSON
        (text, "[a-z0-9]{1,12}").prop_map(|(name, id)| {
            let v = serde_json::json!({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
                "id": format!("https://example.org/a/{id}?x=1&y=2"), "verification": {"type": "hosted"}, "name": name});
            (v.to_string(), PayloadKind::Json, BadgeVersion::V2)
        }),
        // OB 3.0 JSON with an embedded proof, pretty-printed
        text.prop_map(|name| {
            let v = serde_json::json!({"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": name, "proof": {"type": "DataIntegrityProof"}});
            (serde_json::to_string_pretty(&v).unwrap(), PayloadKind::Json, BadgeVersion::V3)
        }),
        // OB 2.0 signed (JWS)
        ("[a-z0-9]{1,12}", "[A-Za-z0-9_-]{10,80}").prop_map(|(id, sig)| {
            let body = serde_json::json!({"@context": "https://w3id.org/openbadges/v2", "id": format!("urn:uuid:{id}")});
            (format!("{}.{}.{sig}", b64(r#"{"alg":"RS256"}"#), b64(&body.to_string())), PayloadKind::Jws, BadgeVersion::V2)
        }),
        // OB 3.0 VC-JWT
        ("[a-z0-9]{1,12}", "[A-Za-z0-9_-]{10,80}").prop_map(|(id, sig)| {
            let body = serde_json::json!({"vc": {"type": ["VerifiableCredential"]}, "jti": id});
            (format!("{}.{}.{sig}", b64(r#"{"alg":"EdDSA"}"#), b64(&body.to_string())), PayloadKind::Jws, BadgeVersion::V3)
        }),
        // hosted URL
        "[a-z0-9/]{1,30}".prop_map(|p| (format!("https://example.org/{p}?a=1&b=\"2\"<"), PayloadKind::Url, BadgeVersion::V2)),
    ]
}

fn remove_ranges(bytes: &[u8], ranges: &[std::ops::Range<usize>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pos = 0;
    for r in ranges {
        out.extend_from_slice(&bytes[pos..r.start]);
        pos = r.end;
    }
    out.extend_from_slice(&bytes[pos..]);
    out
}

// ---------------------------------------------------------------------------------------------
// SVG documents.

#[derive(Debug, Clone)]
struct SvgSpec {
    prolog: String,
    root_name: &'static str,
    attrs: String,
    existing_ns: Option<&'static str>,
    root_ws: &'static str,
    self_closing: bool,
    body: String,
}

impl SvgSpec {
    fn render(&self) -> String {
        let ns_decl = if self.root_name == "svg:svg" {
            r#" xmlns:svg="http://www.w3.org/2000/svg""#
        } else {
            r#" xmlns="http://www.w3.org/2000/svg""#
        };
        let existing = self
            .existing_ns
            .map(|n| format!(r#" xmlns:openbadges="{n}""#))
            .unwrap_or_default();
        let open = format!(
            "<{}{ns_decl}{}{existing}{}",
            self.root_name, self.attrs, self.root_ws
        );
        if self.self_closing {
            format!("{}{open}/>\n", self.prolog)
        } else {
            format!("{}{open}>{}</{}>\n", self.prolog, self.body, self.root_name)
        }
    }
}

fn svg_spec() -> impl Strategy<Value = SvgSpec> {
    let prolog = proptest::collection::vec(
        prop_oneof![
            Just("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_owned()),
            Just("<!-- made by a tool <svg> -->\n".to_owned()),
            Just("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n".to_owned()),
            Just("<!DOCTYPE svg [ <!ENTITY logo \"<svg>&amp;\"> <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n".to_owned()),
            Just("<?xml-stylesheet href=\"a.css\"?>".to_owned()),
            Just("  \n".to_owned()),
        ],
        0..4,
    )
    .prop_map(|v| {
        // An XML declaration may only come first.
        let mut v: Vec<String> = v.into_iter().filter(|s| !s.starts_with("<?xml ")).collect();
        v.insert(0, String::new());
        v.concat()
    });
    let attrs = proptest::collection::vec(
        prop_oneof![
            Just(r#" width="10""#),
            Just("\n     height='20'"),
            Just(r#" xmlns:xlink="http://www.w3.org/1999/xlink""#),
            Just(r#" viewBox="0 0 10 10""#),
            Just(r#" data-x="a&amp;b &gt; c""#),
        ],
        0..4,
    )
    .prop_map(|v| v.concat());
    let body_part = prop_oneof![
        Just("<rect width=\"1\"/>".to_owned()),
        Just("\n  <g><circle r=\"2\"/><text>hi &amp; bye</text></g>".to_owned()),
        Just("<!-- <openbadges:assertion verify=\"x\"/> -->".to_owned()),
        Just("<![CDATA[ raw ]]>".to_owned()),
        Just("<title>T</title>".to_owned()),
        Just("\n".to_owned()),
    ];
    (
        prolog,
        prop_oneof![Just("svg"), Just("svg:svg")],
        attrs,
        prop_oneof![
            Just(None),
            Just(Some("http://openbadges.org")),
            Just(Some("https://purl.imsglobal.org/ob/v3p0"))
        ],
        prop_oneof![Just(""), Just(" "), Just("\n")],
        any::<bool>(),
        proptest::collection::vec(body_part, 1..5),
    )
        .prop_map(
            |(prolog, root_name, attrs, existing_ns, root_ws, self_closing, body)| SvgSpec {
                prolog,
                root_name,
                attrs,
                existing_ns,
                root_ws,
                self_closing,
                body: body.concat(),
            },
        )
}

fn check_round_trip(
    original: &[u8],
    format: ImageFormat,
    payload: &str,
    kind: PayloadKind,
    version: BadgeVersion,
) {
    let options = BakeOptions::default();
    let baked = bake_detailed(original, payload, &options).unwrap();
    assert_eq!(baked.version, version);
    let found = extract(&baked.bytes).unwrap();
    assert_eq!(found.format, format);
    assert_eq!(found.payload, payload);
    assert_eq!(found.payload_kind, kind);
    assert_eq!(found.version, version);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    // Streaming forms agree with the in-memory ones.
    assert_eq!(
        extract_reader(&baked.bytes[..], &Limits::default()).unwrap(),
        found
    );
    let mut streamed = Vec::new();
    bake_stream(original, &mut streamed, payload, &options).unwrap();
    assert_eq!(streamed, baked.bytes);
    // Baking again is refused; replacing works and gives the same bytes as a fresh bake.
    assert!(matches!(
        bake_detailed(&baked.bytes, payload, &options),
        Err(Error::AlreadyBaked { .. })
    ));
    let again = bake_detailed(&baked.bytes, payload, &options.clone().replace(true)).unwrap();
    assert_eq!(again.bytes, baked.bytes);
    // Never a <script> element, whatever the payload holds.
    if format == ImageFormat::Svg {
        let outside: String = String::from_utf8(baked.bytes.clone()).unwrap();
        let inserted = &outside[baked.inserted.last().unwrap().clone()];
        assert!(!inserted.contains("<script") || inserted.contains("<![CDATA["));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn png_round_trip(spec in png_spec(), (payload, kind, version) in payload()) {
        let original = spec.encode();
        check_round_trip(&original, ImageFormat::Png, &payload, kind, version);
        let baked = bake_detailed(&original, &payload, &BakeOptions::default()).unwrap();
        // Removing our chunk gives back the original exactly (both ways).
        prop_assert_eq!(&remove_ranges(&baked.bytes, &baked.inserted), &original);
        prop_assert_eq!(&unbake(&baked.bytes).unwrap(), &original);
        // Same pixels.
        let (info_a, px_a) = decode(&original);
        let (info_b, px_b) = decode(&baked.bytes);
        prop_assert_eq!((info_a.width, info_a.height, info_a.color_type, info_a.bit_depth), (info_b.width, info_b.height, info_b.color_type, info_b.bit_depth));
        prop_assert!(px_a == px_b);
        // Our chunk comes right after IHDR.
        prop_assert_eq!(baked.inserted[0].start, 33);
        prop_assert_eq!(&baked.bytes[37..41], b"iTXt");
    }

    #[test]
    fn svg_round_trip(spec in svg_spec(), (payload, kind, version) in payload()) {
        let original = spec.render().into_bytes();
        check_round_trip(&original, ImageFormat::Svg, &payload, kind, version);
        let baked = bake_detailed(&original, &payload, &BakeOptions::default()).unwrap();
        if spec.self_closing {
            // The root had to be opened for the element ("/>" became ">"); unbake restores the
            // self-closing tag.
            let text = String::from_utf8(original.clone()).unwrap();
            let at = text.rfind("/>").unwrap();
            let opened = format!("{}>{}", &text[..at], &text[at + 2..]);
            prop_assert_eq!(remove_ranges(&baked.bytes, &baked.inserted), opened.into_bytes());
            if spec.existing_ns.is_none() {
                prop_assert_eq!(&unbake(&baked.bytes).unwrap(), &original);
            }
        } else {
            prop_assert_eq!(&remove_ranges(&baked.bytes, &baked.inserted), &original);
            if spec.existing_ns.is_none() {
                prop_assert_eq!(&unbake(&baked.bytes).unwrap(), &original);
            }
        }
    }

    /// Hostile bytes never panic, and a truncated baked PNG is a typed error, never a wrong payload.
    #[test]
    fn png_truncation_is_typed(spec in png_spec(), cut in 0usize..2000) {
        let baked = bake_detailed(&spec.encode(), "https://example.org/a", &BakeOptions::default()).unwrap().bytes;
        let cut = cut.min(baked.len());
        match extract(&baked[..cut]) {
            Ok(x) => prop_assert_eq!(x.payload, "https://example.org/a"),
            Err(e) => prop_assert!(e.kind_code() != "IO"),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = extract(&bytes);
        let _ = extract_reader(&bytes[..], &Limits::default());
        let _ = bake_detailed(&bytes, "https://example.org/a", &BakeOptions::default());
        let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
        png.extend_from_slice(&bytes);
        let _ = extract(&png);
        let _ = unbake(&png);
    }
}

#[test]
fn cdata_terminator_in_json_survives() {
    let image = br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#;
    let payload = r#"{"@context":"https://w3id.org/openbadges/v2","name":"a]]>b]]]]>c</svg><script>x</script>"}"#;
    let baked = bake_detailed(image, payload, &BakeOptions::default()).unwrap();
    assert_eq!(extract(&baked.bytes).unwrap().payload, payload);
    let text = String::from_utf8(baked.bytes).unwrap();
    assert!(!text.contains("a]]>b"), "{text}");
}

#[test]
fn entities_are_never_expanded() {
    // A billion-laughs style DTD: we never process it; an entity reference inside the badge is
    // an error, not an expansion.
    let svg = br#"<?xml version="1.0"?>
<!DOCTYPE svg [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"> ]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion>&b;</openbadges:assertion></svg>"#;
    let e = extract(svg).unwrap_err();
    assert!(matches!(e, Error::MalformedSvg { .. }), "{e:?}");
    assert!(e.position().is_some());
}

#[test]
fn svg_without_more_badges_is_not_parsed_further() {
    // Nothing after the root start tag could be a badge element: the rest is kept byte for byte
    // without being parsed (even when it is not well-formed).
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\"><g></h></svg>";
    let baked = openbadges_bake::bake(svg, "https://e.org/a", &BakeOptions::default()).unwrap();
    assert_eq!(extract(&baked).unwrap().payload, "https://e.org/a");
    assert!(matches!(extract(svg), Err(Error::NotBaked { .. })));
}

#[test]
fn svg_limits() {
    let mut svg = String::from(r#"<svg xmlns="http://www.w3.org/2000/svg">"#);
    for _ in 0..1000 {
        svg.push_str("<g/>");
    }
    // Text that could name a badge element, so the reader has to parse everything before it.
    svg.push_str("<!-- credential --></svg>");
    let limits = Limits::default().max_svg_nodes(100);
    assert!(matches!(
        openbadges_bake::extract_with(svg.as_bytes(), &limits),
        Err(Error::LimitExceeded { .. })
    ));
    let limits = Limits::default().max_svg_bytes(100);
    assert!(matches!(
        openbadges_bake::extract_with(svg.as_bytes(), &limits),
        Err(Error::LimitExceeded { .. })
    ));
}

#[test]
fn bad_crc_on_badge_chunk_is_an_error() {
    let spec = PngSpec {
        width: 1,
        height: 1,
        color: 0,
        depth: 8,
        interlaced: false,
        pixels: vec![7],
        palette: vec![],
        before: vec![],
        after: vec![],
        idat_parts: 1,
        gama: false,
        time: false,
    };
    let mut baked = bake_detailed(
        &spec.encode(),
        "https://example.org/a",
        &BakeOptions::default(),
    )
    .unwrap()
    .bytes;
    let last = 33 + 12 + "openbadges".len() + 5 + "https://example.org/a".len() - 1;
    baked[last] ^= 1; // flip a bit in the CRC
    let e = extract(&baked).unwrap_err();
    assert!(matches!(e, Error::BadCrc { .. }), "{e:?}");
    assert_eq!(e.position(), Some(openbadges_bake::Position::Offset(33)));
}

#[test]
fn svg_error_positions_are_line_column() {
    let svg = b"<svg xmlns=\"http://www.w3.org/2000/svg\">\n  <g>credential\n</svg>";
    let e = openbadges_bake::bake(svg, "https://e.org/a", &BakeOptions::default()).unwrap_err();
    match e.position() {
        Some(openbadges_bake::Position::LineColumn { line, .. }) => assert_eq!(line, 3),
        other => panic!("{other:?} {e}"),
    }
}

#[test]
fn duplicate_after_image_data_needs_the_full_scan() {
    let spec = PngSpec {
        width: 2,
        height: 2,
        color: 0,
        depth: 8,
        interlaced: false,
        pixels: vec![1, 2, 3, 4],
        palette: vec![],
        before: vec![],
        after: vec![(
            *b"iTXt",
            b"openbadges\0\0\0\0\0https://example.org/other".to_vec(),
        )],
        idat_parts: 1,
        gama: false,
        time: false,
    };
    let png = spec.encode();
    // Baking refuses: the image already holds a badge (after IDAT).
    assert!(matches!(
        openbadges_bake::bake(&png, "https://example.org/a", &BakeOptions::default()),
        Err(Error::AlreadyBaked { .. })
    ));
    let mut baked = png.clone();
    // Splice a first badge chunk after IHDR by hand via bake on the image without it.
    let mut plain = spec.clone();
    plain.after.clear();
    let first = openbadges_bake::bake(
        &plain.encode(),
        "https://example.org/a",
        &BakeOptions::default(),
    )
    .unwrap();
    let chunk_len = first.len() - plain.encode().len();
    baked.splice(33..33, first[33..33 + chunk_len].iter().copied());
    let quick = extract(&baked).unwrap();
    assert_eq!(quick.payload, "https://example.org/a");
    assert!(quick.warnings.is_empty());
    let full = openbadges_bake::extract_with(&baked, &Limits::default().full_duplicate_scan(true))
        .unwrap();
    assert_eq!(full.payload, "https://example.org/a");
    assert!(matches!(
        full.warnings[..],
        [openbadges_bake::Warning::DuplicateBadge { .. }]
    ));
}

/// Fuzz find (svg_extract): a DOCTYPE with an unbalanced quote made format detection (a
/// hand-written prolog skipper) disagree with the XML reader, so a successfully baked image was
/// then "not a PNG or SVG". Detection now uses the same reader.
#[test]
fn regression_svg_doctype_unclosed_quote() {
    check_fuzz_input(include_bytes!("regression/svg_doctype_unclosed_quote.bin"));
}

/// Fuzz find (svg_extract): a malformed `<?xml …?>` after the root start tag was checked as the
/// document's encoding declaration by extraction but not by baking.
#[test]
fn regression_svg_decl_after_root() {
    check_fuzz_input(include_bytes!("regression/svg_decl_after_root.bin"));
}

/// What the svg_extract fuzz target does with one input.
fn check_fuzz_input(input: &[u8]) {
    let mut rooted =
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\">"
            .to_vec();
    rooted.extend_from_slice(&input[1..]);
    for svg in [input, &input[1..], &rooted[..]] {
        let _ = extract(svg);
        for payload in [
            "https://example.org/assertions/1?a=1&b=2",
            r#"{"@context":"https://w3id.org/openbadges/v2","id":"https://e.org/a]]>","verification":{"type":"hosted"}}"#,
        ] {
            if let Ok(baked) =
                openbadges_bake::bake(svg, payload, &BakeOptions::default().replace(true))
            {
                assert_eq!(extract(&baked).unwrap().payload, payload);
            }
        }
    }
}

/// Fuzz find (svg_extract): a root declaring `xmlns:openbadges` twice (a well-formedness error)
/// was baked assuming the first value while the reader bound the prefix to the last one.
#[test]
fn regression_svg_duplicate_namespace_attribute() {
    check_fuzz_input(include_bytes!(
        "regression/svg_duplicate_namespace_attribute.bin"
    ));
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org" xmlns:openbadges="urn:x"><g/></svg>"#;
    let baked = openbadges_bake::bake(svg, "https://e.org/a", &BakeOptions::default()).unwrap();
    assert_eq!(extract(&baked).unwrap().payload, "https://e.org/a");
}
