//! PNG: splice and read the badge `iTXt` chunk without touching image data.

use std::io::Read as _;

use crate::error::png_err;
use crate::{
    BadgeVersion, BakeOptions, Baked, Error, Extracted, ImageFormat, KEYWORD_OB2, KEYWORD_OB3,
    Limits, PayloadKind, Position, Warning,
};

/// The 8-byte PNG signature.
pub(crate) const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
/// Largest chunk data length the PNG specification allows.
pub(crate) const MAX_CHUNK_LEN: u32 = 0x7FFF_FFFF;
/// Bytes in a chunk besides its data: length, type, CRC.
const OVERHEAD: usize = 12;

/// One chunk inside an in-memory PNG.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk<'a> {
    /// Offset of the chunk's length field.
    pub(crate) offset: usize,
    pub(crate) ty: [u8; 4],
    pub(crate) data: &'a [u8],
    pub(crate) crc: u32,
}

impl Chunk<'_> {
    /// Offset just past the CRC.
    pub(crate) fn end(&self) -> usize {
        self.offset + OVERHEAD + self.data.len()
    }

    pub(crate) fn crc_ok(&self) -> bool {
        crc(&self.ty, self.data) == self.crc
    }
}

pub(crate) fn crc(ty: &[u8; 4], data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(ty);
    h.update(data);
    h.finalize()
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    let mut a = [0u8; 4];
    a.copy_from_slice(s);
    Some(u32::from_be_bytes(a))
}

/// Walks the chunks of an in-memory PNG (after the signature), up to and including IEND.
pub(crate) struct Chunks<'a> {
    bytes: &'a [u8],
    pos: usize,
    done: bool,
    count: u64,
    max_chunks: u64,
}

impl<'a> Chunks<'a> {
    pub(crate) fn new(bytes: &'a [u8], limits: &Limits) -> Result<Self, Error> {
        if !bytes.starts_with(&SIGNATURE) {
            return Err(png_err(0, "missing PNG signature"));
        }
        Ok(Chunks {
            bytes,
            pos: SIGNATURE.len(),
            done: false,
            count: 0,
            max_chunks: limits.max_png_chunks,
        })
    }

    fn read(&mut self) -> Result<Option<Chunk<'a>>, Error> {
        if self.done {
            return Ok(None);
        }
        let at = self.pos;
        if at == self.bytes.len() {
            self.done = true;
            return Err(png_err(
                at as u64,
                "missing IEND chunk (file ends after the last chunk)",
            ));
        }
        self.count += 1;
        if self.count > self.max_chunks {
            self.done = true;
            return Err(Error::LimitExceeded {
                what: "PNG chunks",
                limit: self.max_chunks,
                position: Position::Offset(at as u64),
            });
        }
        let (Some(len), Some(ty)) = (be32(self.bytes, at), self.bytes.get(at + 4..at + 8)) else {
            self.done = true;
            return Err(png_err(at as u64, "truncated chunk header"));
        };
        if len > MAX_CHUNK_LEN {
            self.done = true;
            return Err(png_err(
                at as u64,
                format!("chunk length {len} exceeds 2^31-1"),
            ));
        }
        let mut t = [0u8; 4];
        t.copy_from_slice(ty);
        if !t.iter().all(u8::is_ascii_alphabetic) {
            self.done = true;
            return Err(png_err(
                at as u64 + 4,
                "chunk type is not four ASCII letters",
            ));
        }
        let data_start = at + 8;
        let data_end = data_start.checked_add(len as usize);
        let (Some(data), Some(crc)) = (
            data_end.and_then(|e| self.bytes.get(data_start..e)),
            data_end.and_then(|e| be32(self.bytes, e)),
        ) else {
            self.done = true;
            return Err(png_err(
                at as u64,
                format!(
                    "chunk {} of length {len} runs past the end of the file",
                    String::from_utf8_lossy(&t)
                ),
            ));
        };
        let chunk = Chunk {
            offset: at,
            ty: t,
            data,
            crc,
        };
        self.pos = chunk.end();
        if &t == b"IEND" {
            self.done = true;
        }
        Ok(Some(chunk))
    }
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.read().transpose()
    }
}

/// The badge keyword of a text chunk's data (`iTXt`/`tEXt`/`zTXt`), if it is one.
pub(crate) fn badge_keyword(ty: &[u8; 4], data_prefix: &[u8]) -> Option<&'static str> {
    if !matches!(ty, b"iTXt" | b"tEXt" | b"zTXt") {
        return None;
    }
    let nul = data_prefix.iter().position(|&b| b == 0)?;
    match data_prefix.get(..nul)? {
        b"openbadges" => Some(KEYWORD_OB2),
        b"openbadgecredential" => Some(KEYWORD_OB3),
        _ => None,
    }
}

fn split_nul(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = b.iter().position(|&x| x == 0)?;
    Some((b.get(..n)?, b.get(n + 1..)?))
}

/// Decodes a badge chunk whose keyword is already known.
pub(crate) fn read_badge_chunk(
    chunk: &Chunk<'_>,
    keyword: &'static str,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<Extracted, Error> {
    let position = Position::Offset(chunk.offset as u64);
    let ty = String::from_utf8_lossy(&chunk.ty).into_owned();
    if !chunk.crc_ok() {
        return Err(Error::BadCrc {
            chunk: ty,
            position,
        });
    }
    let data_off = chunk.offset as u64 + 8;
    let malformed = |why: &str| png_err(data_off, format!("{ty} badge chunk: {why}"));
    let (_, rest) = split_nul(chunk.data).ok_or_else(|| malformed("no keyword terminator"))?;
    let text: String = match &chunk.ty {
        b"iTXt" => {
            let (&flag, rest) = rest
                .split_first()
                .ok_or_else(|| malformed("no compression flag"))?;
            let (&method, rest) = rest
                .split_first()
                .ok_or_else(|| malformed("no compression method"))?;
            let (_lang, rest) =
                split_nul(rest).ok_or_else(|| malformed("no language tag terminator"))?;
            let (_tkw, text) =
                split_nul(rest).ok_or_else(|| malformed("no translated keyword terminator"))?;
            let text_off = data_off + (chunk.data.len() - text.len()) as u64;
            let raw = match flag {
                0 => text.to_vec(),
                1 => {
                    if method != 0 {
                        return Err(malformed("unknown compression method"));
                    }
                    inflate(text, chunk, limits, warnings)?
                }
                _ => return Err(malformed("compression flag is neither 0 nor 1")),
            };
            String::from_utf8(raw).map_err(|e| Error::InvalidUtf8 {
                position: Position::Offset(text_off),
                source: e.utf8_error(),
            })?
        }
        b"zTXt" => {
            let (&method, rest) = rest
                .split_first()
                .ok_or_else(|| malformed("no compression method"))?;
            if method != 0 {
                return Err(malformed("unknown compression method"));
            }
            latin1(&inflate(rest, chunk, limits, warnings)?)
        }
        _ => {
            warnings.push(Warning::LegacyTextChunk { position });
            latin1(rest)
        }
    };
    limits.check_payload_len(text.len(), position)?;
    let payload_kind = PayloadKind::detect(&text).ok_or(Error::UnrecognizedPayload { position })?;
    let version = if keyword == KEYWORD_OB3 {
        BadgeVersion::V3
    } else {
        BadgeVersion::V2
    };
    Ok(Extracted {
        format: ImageFormat::Png,
        keyword: keyword.to_owned(),
        payload: text,
        payload_kind,
        version,
        position,
        warnings: Vec::new(),
    })
}

fn latin1(b: &[u8]) -> String {
    b.iter().map(|&c| char::from(c)).collect()
}

fn inflate(
    compressed: &[u8],
    chunk: &Chunk<'_>,
    limits: &Limits,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<u8>, Error> {
    let position = Position::Offset(chunk.offset as u64);
    if !limits.inflate_compressed {
        return Err(Error::CompressedChunk { position });
    }
    let cap = limits.max_inflated_bytes.min(limits.max_payload_bytes);
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(cap + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::MalformedPng {
            position: Position::Offset(chunk.offset as u64),
            reason: format!("compressed badge chunk does not inflate: {e}"),
            source: Some(e),
        })?;
    if out.len() as u64 > cap {
        return Err(Error::LimitExceeded {
            what: "inflated badge bytes",
            limit: cap,
            position,
        });
    }
    warnings.push(Warning::CompressedChunkInflated { position });
    Ok(out)
}

/// Checks the signature and that IHDR comes first, returning the IHDR chunk.
fn ihdr<'a>(chunks: &mut Chunks<'a>) -> Result<Chunk<'a>, Error> {
    let first = chunks.next().ok_or_else(|| png_err(8, "no chunks"))??;
    if &first.ty != b"IHDR" || first.data.len() != 13 {
        return Err(png_err(8, "the first chunk is not a 13-byte IHDR"));
    }
    if !first.crc_ok() {
        return Err(Error::BadCrc {
            chunk: "IHDR".into(),
            position: Position::Offset(8),
        });
    }
    Ok(first)
}

pub(crate) fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, Error> {
    let mut chunks = Chunks::new(bytes, limits)?;
    ihdr(&mut chunks)?;
    let mut found: Option<Extracted> = None;
    let mut warnings = Vec::new();
    for chunk in chunks {
        let chunk = match chunk {
            Ok(c) => c,
            // The rest of the stream may be discarded once the badge is found.
            Err(e) if found.is_none() => return Err(e),
            Err(_) => break,
        };
        // Once the badge is found, look for duplicates only up to the next image data, unless
        // asked to walk the whole file: extraction then costs the same however large the
        // image is (see `Limits::full_duplicate_scan`).
        if found.is_some() && &chunk.ty == b"IDAT" && !limits.full_duplicate_scan {
            break;
        }
        let Some(keyword) = badge_keyword(&chunk.ty, chunk.data.get(..80).unwrap_or(chunk.data))
        else {
            continue;
        };
        if found.is_some() {
            warnings.push(Warning::DuplicateBadge {
                position: Position::Offset(chunk.offset as u64),
            });
        } else {
            found = Some(read_badge_chunk(&chunk, keyword, limits, &mut warnings)?);
        }
    }
    let mut found = found.ok_or(Error::NotBaked {
        format: ImageFormat::Png,
    })?;
    found.warnings = warnings;
    Ok(found)
}

/// Builds a complete uncompressed badge `iTXt` chunk.
pub(crate) fn itxt_chunk(keyword: &str, text: &str) -> Result<Vec<u8>, Error> {
    let len = keyword.len() + 5 + text.len();
    if len > MAX_CHUNK_LEN as usize {
        return Err(crate::error::invalid_payload(
            "payload too large for one PNG chunk",
        ));
    }
    let mut c = Vec::with_capacity(len + OVERHEAD);
    c.extend_from_slice(&(len as u32).to_be_bytes());
    c.extend_from_slice(b"iTXt");
    c.extend_from_slice(keyword.as_bytes());
    // keyword terminator, compression flag 0, method 0, empty language tag, empty translated keyword
    c.extend_from_slice(&[0, 0, 0, 0, 0]);
    c.extend_from_slice(text.as_bytes());
    let crc = crc(b"iTXt", c.get(8..).unwrap_or_default());
    c.extend_from_slice(&crc.to_be_bytes());
    Ok(c)
}

/// Splits a PNG into (bytes up to the end of IHDR, ranges to keep after it, existing badge).
/// How to rewrite a PNG: keep `..head_end`, then `keep` ranges; `existing` = first badge offset.
struct Plan {
    head_end: usize,
    keep: Vec<std::ops::Range<usize>>,
    existing: Option<usize>,
}

fn plan(bytes: &[u8], limits: &Limits) -> Result<Plan, Error> {
    let mut chunks = Chunks::new(bytes, limits)?;
    let head_end = ihdr(&mut chunks)?.end();
    let mut keep = Vec::new();
    let mut start = head_end;
    let mut existing = None;
    for chunk in chunks.by_ref() {
        let chunk = chunk?;
        if badge_keyword(&chunk.ty, chunk.data.get(..80).unwrap_or(chunk.data)).is_some() {
            existing.get_or_insert(chunk.offset);
            if start < chunk.offset {
                keep.push(start..chunk.offset);
            }
            start = chunk.end();
        }
    }
    // Everything after the last removed chunk, including any bytes after IEND.
    if start < bytes.len() {
        keep.push(start..bytes.len());
    }
    Ok(Plan {
        head_end,
        keep,
        existing,
    })
}

pub(crate) fn bake(
    bytes: &[u8],
    payload: &str,
    version: BadgeVersion,
    options: &BakeOptions,
) -> Result<Baked, Error> {
    let Plan {
        head_end,
        keep,
        existing,
    } = plan(bytes, &options.limits)?;
    if let Some(at) = existing {
        if !options.replace {
            return Err(Error::AlreadyBaked {
                format: ImageFormat::Png,
                position: Position::Offset(at as u64),
            });
        }
    }
    let chunk = itxt_chunk(version.png_keyword(), payload)?;
    let mut out = Vec::with_capacity(bytes.len() + chunk.len());
    out.extend_from_slice(bytes.get(..head_end).unwrap_or_default());
    out.extend_from_slice(&chunk);
    for r in keep {
        out.extend_from_slice(bytes.get(r).unwrap_or_default());
    }
    Ok(Baked {
        bytes: out,
        version,
        inserted: std::iter::once(head_end..head_end + chunk.len()).collect(),
    })
}

pub(crate) fn unbake(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, Error> {
    let Plan {
        head_end,
        keep,
        existing,
    } = plan(bytes, limits)?;
    if existing.is_none() {
        return Err(Error::NotBaked {
            format: ImageFormat::Png,
        });
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(bytes.get(..head_end).unwrap_or_default());
    for r in keep {
        out.extend_from_slice(bytes.get(r).unwrap_or_default());
    }
    Ok(out)
}
