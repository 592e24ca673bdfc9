//! Streaming extraction (stops at the badge chunk) and streaming baking (reader → writer).

use std::io::{self, Read, Write};

use crate::error::png_err;
use crate::png::{self, Chunk, MAX_CHUNK_LEN, SIGNATURE, badge_keyword};
use crate::{
    BakeOptions, Error, Extracted, ImageFormat, Limits, PayloadKind, Position, detect_version,
};

/// Bytes of a text chunk read to find its keyword (79-byte keyword + NUL).
const KEYWORD_PREFIX: u64 = 80;

fn read_exact_at<R: Read>(r: &mut R, buf: &mut [u8], offset: u64, what: &str) -> Result<(), Error> {
    r.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            png_err(offset, format!("truncated {what}"))
        } else {
            Error::Io(e)
        }
    })
}

/// Buffer size for passing image data through.
const COPY_BUF: usize = 256 * 1024;

/// Size of the buffer image data is copied through in [`pass`].
const PASS_BUF: usize = 64 * 1024;

/// Copies exactly `n` bytes through `buf`.
fn pass<R: Read, W: Write>(
    r: &mut R,
    w: &mut W,
    n: u64,
    offset: u64,
    buf: &mut [u8],
) -> Result<(), Error> {
    let mut left = n;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let Some(slice) = buf.get_mut(..want) else {
            break;
        };
        let got = match r.read(slice) {
            Ok(0) => return Err(png_err(offset + (n - left), "truncated chunk")),
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        w.write_all(slice.get(..got).unwrap_or_default())?;
        left -= got as u64;
    }
    Ok(())
}

/// Skips exactly `n` bytes.
fn skip<R: Read>(r: &mut R, n: u64, offset: u64) -> Result<(), Error> {
    let skipped = io::copy(&mut r.take(n), &mut io::sink())?;
    if skipped != n {
        return Err(png_err(offset + skipped, "truncated chunk"));
    }
    Ok(())
}

struct Header {
    len: u32,
    ty: [u8; 4],
    raw: [u8; 8],
}

/// Reads a chunk header; `None` at a clean end of stream.
fn header<R: Read>(r: &mut R, offset: u64) -> Result<Option<Header>, Error> {
    let mut raw = [0u8; 8];
    let mut got = 0;
    while got < raw.len() {
        let n = match r.read(raw.get_mut(got..).unwrap_or_default()) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Io(e)),
        };
        if n == 0 {
            return if got == 0 {
                Ok(None)
            } else {
                Err(png_err(offset, "truncated chunk header"))
            };
        }
        got += n;
    }
    let [a, b, c, d, e, f, g, h] = raw;
    let len = u32::from_be_bytes([a, b, c, d]);
    let ty = [e, f, g, h];
    if len > MAX_CHUNK_LEN {
        return Err(png_err(
            offset,
            format!("chunk length {len} exceeds 2^31-1"),
        ));
    }
    if !ty.iter().all(u8::is_ascii_alphabetic) {
        return Err(png_err(offset + 4, "chunk type is not four ASCII letters"));
    }
    Ok(Some(Header { len, ty, raw }))
}

/// Reads a text chunk's data and CRC when it is a badge chunk; otherwise returns the bytes
/// read so far (keyword prefix) so the caller can pass them on.
enum TextChunk {
    Badge {
        keyword: &'static str,
        data: Vec<u8>,
        crc: u32,
    },
    Other {
        prefix: Vec<u8>,
    },
}

fn read_text_chunk<R: Read>(
    r: &mut R,
    h: &Header,
    offset: u64,
    limits: &Limits,
) -> Result<TextChunk, Error> {
    let n = u64::from(h.len).min(KEYWORD_PREFIX);
    let mut prefix = vec![0u8; usize::try_from(n).unwrap_or(0)];
    read_exact_at(r, &mut prefix, offset + 8, "chunk")?;
    let Some(keyword) = badge_keyword(&h.ty, &prefix) else {
        return Ok(TextChunk::Other { prefix });
    };
    // The text can be at most the chunk length; refuse to buffer more than the payload limit
    // (plus the iTXt header fields).
    if u64::from(h.len) > limits.max_payload_bytes.saturating_add(KEYWORD_PREFIX * 2) {
        return Err(Error::LimitExceeded {
            what: "payload bytes",
            limit: limits.max_payload_bytes,
            position: Position::Offset(offset),
        });
    }
    let mut data = prefix;
    let rest = u64::from(h.len) - n;
    let got = r.by_ref().take(rest).read_to_end(&mut data)?;
    if got as u64 != rest {
        return Err(png_err(offset, "truncated chunk"));
    }
    let mut crc = [0u8; 4];
    read_exact_at(r, &mut crc, offset + 8 + u64::from(h.len), "chunk CRC")?;
    Ok(TextChunk::Badge {
        keyword,
        data,
        crc: u32::from_be_bytes(crc),
    })
}

fn badge_from(
    keyword: &'static str,
    ty: [u8; 4],
    data: &[u8],
    crc: u32,
    offset: u64,
    limits: &Limits,
) -> Result<Extracted, Error> {
    let chunk = Chunk {
        offset: usize::try_from(offset).unwrap_or(usize::MAX),
        ty,
        data,
        crc,
    };
    let mut warnings = Vec::new();
    let mut found = png::read_badge_chunk(&chunk, keyword, limits, &mut warnings)?;
    found.warnings = warnings;
    Ok(found)
}

/// Extracts a badge from a stream, reading no further than the badge.
///
/// For a PNG the reader walks chunk headers and skips image data without buffering it, and
/// stops at the first image data (`IDAT`) after the badge chunk, reporting duplicate badge
/// chunks before it (as [`extract`](crate::extract) does with the default [`Limits`]). An SVG is read into memory (bounded by
/// [`Limits::max_svg_bytes`]) and handled like [`extract_with`](crate::extract_with).
///
/// # Errors
/// As [`extract`](crate::extract), plus [`Error::Io`].
pub fn extract_reader<R: Read>(mut reader: R, limits: &Limits) -> Result<Extracted, Error> {
    let mut sig = [0u8; 8];
    let got = reader.by_ref().take(8).read(&mut sig)?;
    let mut got = got;
    while got < 8 {
        let n = reader.read(sig.get_mut(got..).unwrap_or_default())?;
        if n == 0 {
            break;
        }
        got += n;
    }
    if got == 8 && sig == SIGNATURE {
        return extract_png_stream(&mut reader, limits);
    }
    let mut buf = sig.get(..got).unwrap_or_default().to_vec();
    reader
        .take(
            limits
                .max_svg_bytes
                .saturating_sub(got as u64)
                .saturating_add(1),
        )
        .read_to_end(&mut buf)?;
    crate::extract_with(&buf, limits)
}

fn extract_png_stream<R: Read>(r: &mut R, limits: &Limits) -> Result<Extracted, Error> {
    let mut offset = 8u64;
    let mut first = true;
    let mut chunks = 0u64;
    loop {
        let Some(h) = header(r, offset)? else {
            return Err(png_err(offset, "missing IEND chunk"));
        };
        chunks += 1;
        if chunks > limits.max_png_chunks {
            return Err(Error::LimitExceeded {
                what: "PNG chunks",
                limit: limits.max_png_chunks,
                position: Position::Offset(offset),
            });
        }
        if first && (&h.ty != b"IHDR" || h.len != 13) {
            return Err(png_err(8, "the first chunk is not a 13-byte IHDR"));
        }
        first = false;
        let total = 12 + u64::from(h.len);
        if matches!(&h.ty, b"iTXt" | b"tEXt" | b"zTXt") {
            match read_text_chunk(r, &h, offset, limits)? {
                TextChunk::Badge { keyword, data, crc } => {
                    let mut found = badge_from(keyword, h.ty, &data, crc, offset, limits)?;
                    duplicates_until_image_data(r, offset + total, limits, &mut found);
                    return Ok(found);
                }
                TextChunk::Other { prefix } => {
                    skip(r, total - 8 - prefix.len() as u64, offset)?;
                }
            }
        } else if &h.ty == b"IEND" {
            return Err(Error::NotBaked {
                format: ImageFormat::Png,
            });
        } else {
            skip(r, total - 8, offset)?;
        }
        offset += total;
    }
}

/// After the badge: walks the chunks up to the next image data (`IDAT`) or `IEND`, adding a
/// warning for each further badge chunk, as the in-memory extractor does by default. Anything
/// unreadable there just ends the walk (the rest of the stream may be discarded).
fn duplicates_until_image_data<R: Read>(
    r: &mut R,
    mut offset: u64,
    limits: &Limits,
    found: &mut Extracted,
) {
    while let Ok(Some(h)) = header(r, offset) {
        if matches!(&h.ty, b"IDAT" | b"IEND") {
            return;
        }
        let total = 12 + u64::from(h.len);
        let ok = if matches!(&h.ty, b"iTXt" | b"tEXt" | b"zTXt") {
            match read_text_chunk(r, &h, offset, limits) {
                Ok(TextChunk::Badge { .. }) => {
                    found.warnings.push(crate::Warning::DuplicateBadge {
                        position: Position::Offset(offset),
                    });
                    Ok(())
                }
                Ok(TextChunk::Other { prefix }) => skip(r, total - 8 - prefix.len() as u64, offset),
                Err(e) => Err(e),
            }
        } else {
            skip(r, total - 8, offset)
        };
        if ok.is_err() {
            return;
        }
        offset += total;
    }
}

/// Bakes `payload` into an image read from `reader`, writing the result to `writer`; returns
/// the number of bytes written.
///
/// A PNG is streamed chunk by chunk: image data is copied through without being buffered, so
/// memory use does not depend on the image size. An SVG is read into memory (bounded by
/// [`Limits::max_svg_bytes`]) and baked like [`bake`](crate::bake).
///
/// On error, what was already written must be discarded: an existing badge found late in a
/// PNG is reported after the chunks before it were written.
///
/// # Errors
/// As [`bake`](crate::bake), plus [`Error::Io`].
pub fn bake_stream<R: Read, W: Write>(
    reader: R,
    writer: W,
    payload: &str,
    options: &BakeOptions,
) -> Result<u64, Error> {
    // Large buffers on both sides: a PNG is mostly 8 KiB IDAT chunks, and per-chunk system calls
    // would otherwise dominate.
    let mut reader = io::BufReader::with_capacity(COPY_BUF, reader);
    let mut writer = io::BufWriter::with_capacity(COPY_BUF, writer);
    let mut sig = [0u8; 8];
    let mut got = 0;
    while got < 8 {
        let n = reader.read(sig.get_mut(got..).unwrap_or_default())?;
        if n == 0 {
            break;
        }
        got += n;
    }
    if got < 8 || sig != SIGNATURE {
        let mut buf = sig.get(..got).unwrap_or_default().to_vec();
        let cap = options.limits.max_svg_bytes;
        reader
            .take(cap.saturating_sub(got as u64).saturating_add(1))
            .read_to_end(&mut buf)?;
        let baked = crate::bake(&buf, payload, options)?;
        writer.write_all(&baked)?;
        writer.flush()?;
        return Ok(baked.len() as u64);
    }
    crate::check_bake_payload(payload, &options.limits)?;
    if PayloadKind::detect(payload).is_none() {
        return Err(crate::payload::not_a_payload());
    }
    let version = match options.version {
        Some(v) => v,
        None => detect_version(payload)?,
    };
    let mut written = 0u64;
    writer.write_all(&SIGNATURE)?;
    written += 8;
    let mut offset = 8u64;
    // IHDR.
    let h = header(&mut reader, offset)?.ok_or_else(|| png_err(8, "no chunks"))?;
    if &h.ty != b"IHDR" || h.len != 13 {
        return Err(png_err(8, "the first chunk is not a 13-byte IHDR"));
    }
    let mut ihdr = [0u8; 17];
    read_exact_at(&mut reader, &mut ihdr, 16, "IHDR")?;
    let (data, crc) = ihdr.split_at(13);
    let mut crc_b = [0u8; 4];
    crc_b.copy_from_slice(crc);
    if png::crc(b"IHDR", data) != u32::from_be_bytes(crc_b) {
        return Err(Error::BadCrc {
            chunk: "IHDR".into(),
            position: Position::Offset(8),
        });
    }
    writer.write_all(&h.raw)?;
    writer.write_all(&ihdr)?;
    written += 25;
    offset += 25;
    let chunk = png::itxt_chunk(version.png_keyword(), payload)?;
    writer.write_all(&chunk)?;
    written += chunk.len() as u64;
    let mut chunks = 1u64;
    let mut buf = vec![0u8; PASS_BUF];
    loop {
        let Some(h) = header(&mut reader, offset)? else {
            return Err(png_err(offset, "missing IEND chunk"));
        };
        chunks += 1;
        if chunks > options.limits.max_png_chunks {
            return Err(Error::LimitExceeded {
                what: "PNG chunks",
                limit: options.limits.max_png_chunks,
                position: Position::Offset(offset),
            });
        }
        let total = 12 + u64::from(h.len);
        if matches!(&h.ty, b"iTXt" | b"tEXt" | b"zTXt") {
            match read_text_chunk(&mut reader, &h, offset, &options.limits)? {
                TextChunk::Badge { .. } if !options.replace => {
                    return Err(Error::AlreadyBaked {
                        format: ImageFormat::Png,
                        position: Position::Offset(offset),
                    });
                }
                TextChunk::Badge { .. } => {}
                TextChunk::Other { prefix } => {
                    writer.write_all(&h.raw)?;
                    writer.write_all(&prefix)?;
                    let rest = total - 8 - prefix.len() as u64;
                    pass(&mut reader, &mut writer, rest, offset, &mut buf)?;
                    written += total;
                }
            }
        } else {
            writer.write_all(&h.raw)?;
            pass(&mut reader, &mut writer, total - 8, offset, &mut buf)?;
            written += total;
            if &h.ty == b"IEND" {
                // Keep anything after IEND too, as the in-memory baker does.
                written += io::copy(&mut reader, &mut writer)?;
                break;
            }
        }
        offset += total;
    }
    writer.flush()?;
    Ok(written)
}
