//! `openbadges extract INPUT [--json]`.

use std::path::PathBuf;

use openbadges::bake::{Error, Limits};
use openbadges::proof::loader::{DocumentLoader as _, HttpLoader};

use crate::exit;

/// Network options shared by `bake` and `extract` (for `http(s)://` image inputs).
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct NetArgs {
    /// Allow fetching from this host even if it resolves to a loopback/private address.
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    allow_host: Vec<String>,
    /// Forbid all network access (a URL input is then an error, exit 2).
    #[arg(long)]
    offline: bool,
}

/// Reads an image from a file, `-` (stdin), or an `http(s)://` URL (guarded fetch: no
/// private/loopback addresses unless allowed, bounded size, redirects and time).
pub(crate) fn read_image(input: &std::path::Path, net: &NetArgs) -> Result<Vec<u8>, String> {
    let text = input.to_string_lossy();
    if openbadges::proof::input::is_http_url(&text) {
        if net.offline {
            return Err(format!("{text}: network access is forbidden by --offline"));
        }
        let max = usize::try_from(crate::cmd::MAX_INPUT_BYTES).unwrap_or(usize::MAX);
        let mut http = HttpLoader::new()
            .and_then(|h| h.max_bytes(max))
            .map_err(|e| e.to_string())?;
        for h in &net.allow_host {
            http = http.allow_host(h).map_err(|e| e.to_string())?;
        }
        return http
            .load(text.trim())
            .map(|d| d.body.to_vec())
            .map_err(|e| e.to_string());
    }
    crate::cmd::read_input(input).map_err(|e| format!("{}: {e}", input.display()))
}

/// Arguments of `extract`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The baked PNG or SVG image (a file, `-` for stdin, or an http(s) URL).
    input: PathBuf,
    /// Print `{"format","keyword","payload_kind","payload","warnings"}` instead of the payload.
    #[arg(long)]
    json: bool,
    /// Inflate a compressed badge iTXt chunk (forbidden by the specification) instead of
    /// rejecting it.
    #[arg(long)]
    inflate_compressed: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// Where the image comes from.
enum Input {
    Bytes(Vec<u8>),
    File(std::fs::File),
}

/// Runs `extract`, returning the process exit code.
pub(crate) fn run(args: Args) -> u8 {
    let limits = Limits::default().inflate_compressed(args.inflate_compressed);
    let text = args.input.to_string_lossy();
    let bytes = if args.input.as_os_str() == "-" || openbadges::proof::input::is_http_url(&text) {
        match read_image(&args.input, &args.net) {
            Ok(b) => Ok(Input::Bytes(b)),
            Err(e) => {
                errln!("openbadges extract: {e}");
                return exit::CANNOT_CHECK;
            }
        }
    } else {
        match std::fs::File::open(&args.input) {
            Ok(f) => Ok(Input::File(f)),
            Err(e) => {
                errln!("openbadges extract: {}: {e}", args.input.display());
                return exit::CANNOT_CHECK;
            }
        }
    };
    let found = match bytes.and_then(|b| match b {
        Input::Bytes(b) => openbadges::bake::extract_with(&b, &limits),
        // A file is read only up to the image data after the badge.
        Input::File(f) => openbadges::bake::extract_reader(std::io::BufReader::new(f), &limits),
    }) {
        Ok(f) => f,
        Err(e) => {
            errln!("openbadges extract: {}: {e}", args.input.display());
            return match e {
                // Not a readable PNG/SVG.
                Error::UnknownFormat
                | Error::MalformedPng { .. }
                | Error::MalformedSvg { .. }
                | Error::UnsupportedEncoding { .. }
                | Error::LimitExceeded { .. }
                | Error::Io(_) => exit::CANNOT_CHECK,
                // Readable, but holds no (usable) badge.
                _ => exit::INVALID,
            };
        }
    };
    for w in &found.warnings {
        errln!(
            "openbadges extract: {}: warning {}: {w}",
            args.input.display(),
            w.code()
        );
    }
    if args.json {
        let out = serde_json::json!({
            "format": found.format.as_str(),
            "keyword": found.keyword,
            "payload_kind": found.payload_kind.as_str(),
            "payload": found.payload,
            "warnings": found.warnings.iter().map(|w| serde_json::json!({
                "code": w.code(), "message": w.to_string(),
            })).collect::<Vec<_>>(),
        });
        outln!("{out}");
    } else {
        outln!("{}", found.payload);
    }
    exit::OK
}
