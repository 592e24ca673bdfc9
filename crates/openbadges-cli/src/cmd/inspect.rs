//! `openbadges inspect INPUT... [--json]`: parse without verifying signatures or fetching.
//!
//! Wiring only: each input is read and handed to `openbadges::proof::inspect::inspect_bytes`
//! (kind from the content, the badge document out of it, `openbadges::model::inspect`: version,
//! class, structural problems, the document upgraded to the current model); the report is
//! printed as text or as its JSON (`InspectionReport::to_json`).
//!
//! Nothing is fetched: a URL (given as the input, or baked into an image) is reported as the
//! badge's `url`, with a `NOT_FETCHED` warning, and its structure as not checked (exit 2).
//! Fetching, with its address guard, belongs to `verify`; to inspect a hosted document, fetch
//! it yourself (`curl -s URL | openbadges inspect -`).
//!
//! Exit code: 0 when every input has a valid structure; 1 when any is invalid (malformed JSON,
//! an image without a badge, structural errors); otherwise 2 when an input could not be read
//! or checked (a badge that is only a URL, over a limit).

use openbadges::proof::input::InputKind;
use openbadges::proof::inspect::{InspectionReport, inspect_bytes};
use openbadges::proof::report::Status;

use crate::exit;

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Files to inspect (`-` for stdin); an `http(s)://` URL is reported as kind `url`, not
    /// fetched.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Print one JSON object per input (one per line) instead of text.
    #[arg(long)]
    json: bool,
    /// Accepted, and changes nothing: inspect never uses the network.
    #[arg(long = "offline")]
    _offline: bool,
    /// Accepted, and changes nothing: inspect fetches from no host (`verify` does).
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    _allow_host: Vec<String>,
}

/// Runs `inspect`, returning the process exit code.
pub(crate) fn run(args: Args) -> u8 {
    let mut any_invalid = false;
    let mut any_unchecked = false;
    for input in &args.inputs {
        let report = if openbadges::proof::input::is_http_url(input) {
            InspectionReport::url(InputKind::Url, input.trim())
        } else {
            match crate::cmd::read_input(std::path::Path::new(input)) {
                Ok(bytes) => inspect_bytes(&bytes),
                Err(e) => {
                    errln!("openbadges inspect: {input}: {e}");
                    any_unchecked = true;
                    continue;
                }
            }
        };
        match report.status {
            Status::Valid => {}
            Status::Invalid => any_invalid = true,
            _ => any_unchecked = true,
        }
        if args.json {
            outln!("{}", report.to_json(input));
        } else {
            print_human(input, &report);
        }
    }
    if any_invalid {
        exit::INVALID
    } else if any_unchecked {
        exit::CANNOT_CHECK
    } else {
        exit::OK
    }
}

fn print_human(input: &str, report: &InspectionReport) {
    let i = report.inspection.as_ref();
    outln!(
        "{input}: {} {} {} — {}",
        report.kind.as_str(),
        i.and_then(|i| i.version)
            .map_or("unknown-version", |v| v.as_str()),
        i.and_then(|i| i.class.as_ref())
            .map_or("unknown-class", |c| c.as_str()),
        match report.status {
            Status::Valid => "structure valid",
            Status::Invalid => "structure INVALID",
            _ => "not checked",
        }
    );
    for (code, path, error, message) in report.problems() {
        outln!(
            "  {} {code} {}: {message}",
            if error { "error" } else { "warning" },
            if path.is_empty() { "/" } else { path },
        );
    }
}
