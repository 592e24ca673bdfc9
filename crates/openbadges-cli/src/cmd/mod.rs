//! One module per subcommand.

pub(crate) mod backpack;
pub(crate) mod bake;
pub(crate) mod extract;
pub(crate) mod inspect;
pub(crate) mod keygen;
pub(crate) mod progress;
pub(crate) mod quiz;
pub(crate) mod sign;
pub(crate) mod verify;

use std::io::Read;
use std::path::Path;

/// The most the CLI reads from one input, in bytes.
pub(crate) const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a file, or stdin for `-`, up to [`MAX_INPUT_BYTES`].
pub(crate) fn read_input(path: &Path) -> std::io::Result<Vec<u8>> {
    read_input_capped(path, MAX_INPUT_BYTES)
}

/// Reads a file, or stdin for `-`, up to `cap` bytes (a larger input is an error, never
/// truncated).
pub(crate) fn read_input_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().take(cap + 1).read_to_end(&mut buf)?;
    } else {
        let file = std::fs::File::open(path)?;
        // Sized from the file's length (within the cap): the read then takes two system calls
        // (the bytes, then end of file) instead of one per doubling of the buffer.
        let len = file.metadata().map_or(0, |m| m.len()).min(cap);
        buf.reserve_exact(usize::try_from(len).unwrap_or(0).saturating_add(1));
        file.take(cap + 1).read_to_end(&mut buf)?;
    }
    if buf.len() as u64 > cap {
        return Err(std::io::Error::other(format!(
            "input is larger than {cap} bytes"
        )));
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_over_the_cap_is_refused_not_truncated() {
        let path = std::env::temp_dir().join(format!("ob-cli-cap-{}", std::process::id()));
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_input_capped(&path, 10).unwrap(), b"0123456789");
        let e = read_input_capped(&path, 9).unwrap_err();
        assert!(e.to_string().contains("larger than 9 bytes"), "{e}");
        let _ = std::fs::remove_file(&path);
    }
}
