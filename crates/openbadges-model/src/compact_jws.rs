//! What a compact JWS (RFC 7515 §7.1) or JWT looks like, decided in one place for every crate
//! that must tell one from JSON or a URL (model validation, proof input detection, the backpack's
//! import). This only looks at the text; decoding and verifying is the proof crate's `jws`.
//!
//! The shape: exactly three segments separated by `.`, each in the unpadded base64url alphabet
//! (`A–Z a–z 0–9 - _`; no `=` padding, no whitespace inside), a non-empty header that starts
//! with `eyJ` (the base64url of `{"`: a JOSE header is a JSON object) and a non-empty payload.
//! A *signed* badge also has a non-empty signature ([`is_compact_jws`]); the shape alone
//! ([`has_compact_jws_shape`]) also admits an empty one, so that a verifier can route an
//! unsigned token to the JWS parser and refuse it with a precise reason.
//!
//! ```
//! use openbadges_model::compact_jws::{has_compact_jws_shape, is_compact_jws};
//! assert!(is_compact_jws("eyJhbGciOiJFZERTQSJ9.e30.c2ln"));
//! assert!(!is_compact_jws("eyJhbGciOiJub25lIn0.e30.")); // no signature
//! assert!(has_compact_jws_shape("eyJhbGciOiJub25lIn0.e30."));
//! assert!(!is_compact_jws("eyJhbGciOiJFZERTQSJ9.e30=.c2ln")); // padding
//! assert!(!is_compact_jws("badges.example.org")); // not a JOSE header
//! ```

/// One byte's class: (not base64url and not a dot, is a dot), as 0/1.
#[inline(always)]
fn byte_class(b: u8) -> (u8, u8) {
    // ASCII letters: setting bit 5 folds `A-Z` onto `a-z` (and nothing else onto them).
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    let dot = b == b'.';
    let ok = letter | digit | (b == b'-') | (b == b'_') | dot;
    (u8::from(!ok), u8::from(dot))
}

/// Scans `bytes` once: whether each is in the base64url alphabet or a dot, and how many dots.
/// Branch-free over blocks of 64 bytes (no early exit, byte-wide counters) so that it
/// vectorizes: tokens are kilobytes and this runs on each of them.
pub fn scan_base64url(bytes: &[u8]) -> (bool, usize) {
    let mut bad = 0u8;
    let mut dots = 0usize;
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let mut d = 0u8;
        for &b in block {
            let (x, y) = byte_class(b);
            bad |= x;
            d += y;
        }
        dots += usize::from(d);
    }
    for &b in blocks.remainder() {
        let (x, y) = byte_class(b);
        bad |= x;
        dots += usize::from(y);
    }
    (bad == 0, dots)
}

/// Whether every byte of `bytes` is in the unpadded base64url alphabet (no dot).
pub fn is_base64url(bytes: &[u8]) -> bool {
    scan_base64url(bytes) == (true, 0)
}

/// The three segments (header, payload, signature) of text with the shape of a compact JWS
/// (see the module documentation; the signature may be empty). No trimming: surrounding
/// whitespace is the caller's to remove.
pub fn compact_jws_segments(text: &str) -> Option<(&str, &str, &str)> {
    if !text.starts_with("eyJ") {
        return None;
    }
    let (ok, dots) = scan_base64url(text.as_bytes());
    if !ok || dots != 2 {
        return None;
    }
    let (h, p, s) = two_dots_apart(text)?;
    (!p.is_empty()).then_some((h, p, s))
}

/// The three dot-separated parts of `text` if it has exactly two dots, else `None`.
///
/// The dots are counted first (a loop that vectorizes), then the first is searched from
/// the start and the last from the end: the payload between them, most of a token, is not
/// searched again.
///
/// ```
/// use openbadges_model::compact_jws::split_three;
/// assert_eq!(split_three("a.bc.d"), Some(("a", "bc", "d")));
/// assert_eq!(split_three(".."), Some(("", "", "")));
/// assert_eq!(split_three("a.b"), None);
/// assert_eq!(split_three("a.b.c.d"), None);
/// ```
pub fn split_three(text: &str) -> Option<(&str, &str, &str)> {
    if count_dots(text.as_bytes()) != 2 {
        return None;
    }
    two_dots_apart(text)
}

/// How many `.` bytes `bytes` holds: byte-wide counts over blocks of 64 bytes, so that it
/// vectorizes (as [`scan_base64url`]).
fn count_dots(bytes: &[u8]) -> usize {
    let mut dots = 0usize;
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        let d = block.iter().fold(0u8, |d, &b| d + u8::from(b == b'.'));
        dots += usize::from(d);
    }
    dots + blocks.remainder().iter().filter(|&&b| b == b'.').count()
}

/// The parts around the first and the last dot of `text`, which has exactly two.
fn two_dots_apart(text: &str) -> Option<(&str, &str, &str)> {
    let (h, rest) = text.split_once('.')?;
    let (p, s) = rest.rsplit_once('.')?;
    Some((h, p, s))
}

/// Whether `text` has the shape of a compact JWS, the signature possibly empty.
pub fn has_compact_jws_shape(text: &str) -> bool {
    compact_jws_segments(text).is_some()
}

/// Whether `text` is a compact JWS as a signed badge carries it: the shape and a non-empty
/// signature.
pub fn is_compact_jws(text: &str) -> bool {
    compact_jws_segments(text).is_some_and(|(_, _, s)| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_scan_agrees_with_the_alphabet() {
        for b in 0..=255u8 {
            let want = b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
            assert_eq!(is_base64url(&[b]), want, "{b}");
            assert_eq!(
                scan_base64url(&[b]),
                (want || b == b'.', usize::from(b == b'.'))
            );
        }
        // Past one 64-byte block too.
        let long = format!(
            "eyJ{}.{}.{}",
            "a".repeat(100),
            "b".repeat(70),
            "c".repeat(90)
        );
        assert_eq!(scan_base64url(long.as_bytes()), (true, 2));
        assert!(!is_base64url(format!("{}=", "a".repeat(80)).as_bytes()));
    }

    #[test]
    fn split_three_agrees_with_split() {
        for t in [
            "", ".", "..", "...", "a", "a.b", "a.b.c", "a..c", ".b.", "a.b.c.d", "é.ü.ß", "eyJ.x.",
        ] {
            let parts: Vec<&str> = t.split('.').collect();
            let want = match parts.as_slice() {
                [h, p, s] => Some((*h, *p, *s)),
                _ => None,
            };
            assert_eq!(split_three(t), want, "{t}");
        }
    }

    #[test]
    fn compact_jws_edge_cases() {
        let good = "eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln";
        assert!(is_compact_jws(good));
        assert_eq!(
            compact_jws_segments(good),
            Some(("eyJhbGciOiJFZERTQSJ9", "eyJ2YyI6e319", "c2ln"))
        );
        // Empty signature: the shape, not a signed badge.
        assert!(has_compact_jws_shape("eyJhbGciOiJub25lIn0.eyJ2YyI6e319."));
        assert!(!is_compact_jws("eyJhbGciOiJub25lIn0.eyJ2YyI6e319."));
        // Padding, standard-base64 characters, whitespace, other bytes.
        assert!(!has_compact_jws_shape("eyJhbGciOiJub25lIn0=.e30.c2ln"));
        assert!(!has_compact_jws_shape("eyJhbGciOiJub25lIn0.e30.c2ln=="));
        assert!(!has_compact_jws_shape("eyJhbGci+OiJ9.e30.c2ln"));
        assert!(!has_compact_jws_shape("eyJhbGci/OiJ9.e30.c2ln"));
        assert!(!has_compact_jws_shape("eyJhbGci.e30.c2 ln"));
        assert!(!has_compact_jws_shape(" eyJhbGci.e30.c2ln"));
        assert!(!has_compact_jws_shape("eyJhbGci.e30.c2ln\n"));
        assert!(!has_compact_jws_shape("eyJhbGci.e30.x\u{e9}"));
        // Segment counts, empty header or payload, a header that is not a JSON object.
        assert!(!has_compact_jws_shape("eyJhbGci.e30"));
        assert!(!has_compact_jws_shape("eyJ.a.b.c"));
        assert!(!has_compact_jws_shape(".e30.c2ln"));
        assert!(!has_compact_jws_shape("eyJhbGci..c2ln"));
        assert!(!has_compact_jws_shape("badges.example.org"));
        assert!(!has_compact_jws_shape("{\"a\":1}"));
    }
}
