//! One module per subcommand.

pub(crate) mod backpack;
pub(crate) mod bake;
pub(crate) mod extract;
pub(crate) mod inspect;
pub(crate) mod keygen;
pub(crate) mod quiz;
pub(crate) mod sign;
pub(crate) mod verify;

use std::io::Read;
use std::path::Path;

/// The most the CLI reads from one input, in bytes.
pub(crate) const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file, or stdin for `-`, up to [`MAX_INPUT_BYTES`].
pub(crate) fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)?;
    } else {
        std::fs::File::open(path)?
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)?;
    }
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(std::io::Error::other(format!(
            "input is larger than {MAX_INPUT_BYTES} bytes"
        )));
    }
    Ok(buf)
}
