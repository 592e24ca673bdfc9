//! PEM blocks (RFC 7468): the text form of the DER key documents, through `pem-rfc7468`.

use crate::Error;

/// The largest PEM/JWK text accepted for one key.
const MAX_KEY_TEXT: usize = 64 * 1024;

/// Encodes DER bytes as a PEM block (RFC 7468) with 64-column lines and LF line ends.
///
/// # Errors
/// [`Error::InvalidKey`] when `label` is not a valid PEM label.
pub fn pem_encode(label: &str, der: &[u8]) -> Result<String, Error> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map_err(|e| Error::invalid_key_caused(format!("cannot write PEM: {e}"), e))
}

/// Decodes the first PEM block in `text` (RFC 7468): returns its label and DER bytes.
/// Text before and after the block is ignored, and lines may end in CRLF; the base64 lines
/// must all have the width of the first one (64 as written by OpenSSL, or any other width,
/// or one line). Headers (encrypted PEM) are refused.
///
/// # Errors
/// [`Error::InvalidKey`] when there is no complete block or its body is not base64.
pub fn pem_decode(text: &str) -> Result<(String, Vec<u8>), Error> {
    if text.len() > MAX_KEY_TEXT {
        return Err(Error::invalid_key("key text too large"));
    }
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| Error::invalid_key("no PEM block found"))?;
    let block = text.get(start..).unwrap_or_default();
    // The block ends with its `-----END label-----` line; what follows it is not ours to read.
    let end = block
        .find("-----END ")
        .and_then(|i| {
            let tail = block.get(i + 9..)?;
            Some(i + 9 + tail.find("-----")? + 5)
        })
        .ok_or_else(|| Error::invalid_key("no `-----END …-----` line"))?;
    let block = block.get(..end).unwrap_or_default();
    let width = block
        .split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .nth(1)
        .map_or(64, str::len);
    let map = |e: pem_rfc7468::Error| match e {
        e @ pem_rfc7468::Error::HeaderDisallowed => {
            Error::invalid_key_caused("PEM headers (encrypted keys) are not supported", e)
        }
        e => Error::invalid_key_caused(format!("malformed PEM: {e}"), e),
    };
    let mut decoder = pem_rfc7468::Decoder::new_wrapped(block.as_bytes(), width.max(4))
        .map_err(|e| map(check_headers(block, e)))?;
    let label = decoder.type_label().to_string();
    let mut der = Vec::new();
    decoder
        .decode_to_end(&mut der)
        .map_err(|e| map(check_headers(block, e)))?;
    Ok((label, der))
}

/// `pem-rfc7468` names a header only from its one-shot decoders; the streaming one reports it
/// as a base64 error.
fn check_headers(block: &str, e: pem_rfc7468::Error) -> pem_rfc7468::Error {
    if block.contains(':') {
        pem_rfc7468::Error::HeaderDisallowed
    } else {
        e
    }
}
