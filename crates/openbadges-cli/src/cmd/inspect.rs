//! `openbadges inspect INPUT... [--json]`: parse without verifying signatures or fetching.
//!
//! For each input: detect its kind from the content and get the badge document out of it with
//! `openbadges::proof::input` (JSON, compact JWS/JWT payload — not verified —, PNG/SVG baked
//! badges through `openbadges::bake`, URL), then `openbadges::model::inspect` it: version, class, structural problems, and
//! the document upgraded to the current model.
//!
//! Nothing is fetched: a URL (given as the input, or baked into an image) is reported as the
//! badge's `url`, with a `NOT_FETCHED` warning, and its structure as not checked (exit 2).
//! Fetching, with its address guard, belongs to `verify`; to inspect a hosted document, fetch
//! it yourself (`curl -s URL | openbadges inspect -`).
//!
//! Exit code: 0 when every input has a valid structure; 1 when any is invalid (malformed JSON,
//! an image without a badge, structural errors); otherwise 2 when an input could not be read
//! or checked (a badge that is only a URL, over a limit).

use serde_json::{Value, json};

use openbadges::model::{Inspection, Limits, ProblemCode, inspect, parse_json};

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

/// What an input turned out to be (the `kind` field of the JSON output).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Jws,
    Png,
    Svg,
    Url,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Json => "json",
            Kind::Jws => "jws",
            Kind::Png => "png",
            Kind::Svg => "svg",
            Kind::Url => "url",
        }
    }
}

/// The verdict on one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Valid,
    CannotCheck,
    Invalid,
}

/// A problem met before the model saw a document (bad JSON, no badge in an image, a URL that
/// inspect does not fetch, …), or a warning from the image extraction. Its path is `""`.
struct Finding {
    code: String,
    error: bool,
    message: String,
}

impl Finding {
    fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            error: true,
            message: message.into(),
        }
    }

    fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            code: code.into(),
            error: false,
            message: message.into(),
        }
    }
}

/// Code of the finding for a badge that is only a URL, which inspect does not fetch.
const NOT_FETCHED: &str = "NOT_FETCHED";

/// The report on one input.
struct Report {
    kind: Kind,
    /// The badge's URL when the input is, or carries, only a URL (which is not fetched).
    url: Option<String>,
    inspection: Option<Inspection>,
    findings: Vec<Finding>,
    outcome: Outcome,
}

impl Report {
    fn failed(kind: Kind, finding: Finding, outcome: Outcome) -> Self {
        Report {
            kind,
            url: None,
            inspection: None,
            findings: vec![finding],
            outcome,
        }
    }

    /// A badge that is only a URL: reported, not fetched, its structure not checked.
    fn url(kind: Kind, url: &str) -> Self {
        let mut report = Report::failed(
            kind,
            Finding::warning(
                NOT_FETCHED,
                format!("the badge is the url {url}, which inspect does not fetch (verify does)"),
            ),
            Outcome::CannotCheck,
        );
        report.url = Some(url.to_owned());
        report
    }
}

/// Runs `inspect`, returning the process exit code.
pub(crate) fn run(args: Args) -> u8 {
    let mut any_invalid = false;
    let mut any_unchecked = false;
    for input in &args.inputs {
        let report = if is_url(input) {
            Report::url(Kind::Url, input.trim())
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
        match report.outcome {
            Outcome::Valid => {}
            Outcome::Invalid => any_invalid = true,
            Outcome::CannotCheck => any_unchecked = true,
        }
        if args.json {
            outln!("{}", to_json(input, &report));
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

fn is_url(s: &str) -> bool {
    openbadges::proof::input::is_http_url(s)
}

/// Detects the kind of `bytes` from their content (`openbadges::proof::input`) and inspects the
/// badge document inside. A badge that is a URL is reported as such, not fetched.
fn inspect_bytes(bytes: &[u8]) -> Report {
    use openbadges::proof::Error as E;
    use openbadges::proof::input::{self, InputKind, Payload};

    let kind = match input::detect(bytes) {
        Some(InputKind::Jws) => Kind::Jws,
        Some(InputKind::Png) => Kind::Png,
        Some(InputKind::Svg) => Kind::Svg,
        Some(InputKind::Url) => Kind::Url,
        // JSON, and anything unrecognised: reading it as JSON says where it goes wrong.
        _ => Kind::Json,
    };
    let limits = Limits::default();
    let unpacked = match input::unpack(bytes, &limits) {
        Ok(u) => u,
        Err(E::Json(_) | E::UnrecognizedInput(_)) if !matches!(kind, Kind::Png | Kind::Svg) => {
            return inspect_document(kind, bytes);
        }
        Err(E::TooLarge { size, limit }) => {
            return Report::failed(
                kind,
                Finding::error(
                    "LIMIT_EXCEEDED",
                    format!("input of {size} bytes exceeds the limit of {limit} bytes"),
                ),
                Outcome::CannotCheck,
            );
        }
        Err(e) => return Report::failed(kind, unpack_finding(&e), Outcome::Invalid),
    };
    let mut report = match unpacked.payload {
        Payload::Json(doc) => inspect_value(kind, &doc),
        Payload::Jws(jws) => inspect_document(kind, jws.payload()),
        Payload::Url(url) => Report::url(kind, &url),
        _ => Report::failed(
            kind,
            Finding::error(
                "UNRECOGNIZED_PAYLOAD",
                "the input carries no json, jws or url",
            ),
            Outcome::Invalid,
        ),
    };
    report.findings.extend(
        unpacked
            .warnings
            .into_iter()
            .map(|(code, message)| Finding::warning(code, message)),
    );
    report
}

/// The finding for an input the proof crate could not unpack, under the proof crate's stable
/// code (for images, the bake crate's: `NOT_BAKED`, `COMPRESSED_CHUNK`, …).
fn unpack_finding(e: &openbadges::proof::Error) -> Finding {
    Finding::error(e.code(), e.to_string())
}

/// Parses the carried document (reporting malformed JSON with its line and column) and
/// inspects it.
fn inspect_document(kind: Kind, bytes: &[u8]) -> Report {
    match parse_json(bytes, &Limits::default()) {
        Ok(doc) => inspect_value(kind, &doc),
        Err(
            e @ (openbadges::model::Error::Json { .. }
            | openbadges::model::Error::DuplicateMember { .. }),
        ) => Report::failed(
            kind,
            Finding::error(ProblemCode::InvalidJson.as_str(), e.to_string()),
            Outcome::Invalid,
        ),
        // Over the size or depth limits: not checked.
        Err(e) => Report::failed(
            kind,
            Finding::error("LIMIT_EXCEEDED", e.to_string()),
            Outcome::CannotCheck,
        ),
    }
}

fn inspect_value(kind: Kind, doc: &Value) -> Report {
    // A VC 1.1 JWT carries the credential in its `vc` claim; a JSON file is read as it is.
    let inspection = if kind == Kind::Json {
        inspect(doc)
    } else {
        inspect(openbadges::proof::input::jws_credential(doc))
    };
    let outcome = if inspection.valid_structure() {
        Outcome::Valid
    } else {
        Outcome::Invalid
    };
    Report {
        kind,
        url: None,
        inspection: Some(inspection),
        findings: Vec::new(),
        outcome,
    }
}

/// Every problem, as (code, path, is_error, message): findings first, then the model's.
fn problems_of(report: &Report) -> Vec<(&str, &str, bool, &str)> {
    let mut out: Vec<(&str, &str, bool, &str)> = report
        .findings
        .iter()
        .map(|f| (f.code.as_str(), "", f.error, f.message.as_str()))
        .collect();
    if let Some(i) = &report.inspection {
        out.extend(i.problems.iter().map(|p| {
            (
                p.code.as_str(),
                p.path.as_str(),
                p.is_error(),
                p.message.as_str(),
            )
        }));
    }
    out
}

fn to_json(input: &str, report: &Report) -> Value {
    let i = report.inspection.as_ref();
    json!({
        "input": input,
        "kind": report.kind.as_str(),
        "url": report.url,
        "version": i.and_then(|i| i.version).map(|v| v.as_str()),
        "class": i.and_then(|i| i.class.as_ref()).map(|c| c.as_str()),
        "valid_structure": report.outcome == Outcome::Valid,
        "problems": problems_of(report).into_iter().map(|(code, path, error, message)| json!({
            "code": code,
            "path": path,
            "message": message,
            "severity": if error { "error" } else { "warning" },
        })).collect::<Vec<_>>(),
        "upgraded": i.and_then(|i| i.upgraded.clone()),
    })
}

fn print_human(input: &str, report: &Report) {
    let i = report.inspection.as_ref();
    outln!(
        "{input}: {} {} {} — {}",
        report.kind.as_str(),
        i.and_then(|i| i.version)
            .map_or("unknown-version", |v| v.as_str()),
        i.and_then(|i| i.class.as_ref())
            .map_or("unknown-class", |c| c.as_str()),
        match report.outcome {
            Outcome::Valid => "structure valid",
            Outcome::Invalid => "structure INVALID",
            Outcome::CannotCheck => "not checked",
        }
    );
    for (code, path, error, message) in problems_of(report) {
        outln!(
            "  {} {code} {}: {message}",
            if error { "error" } else { "warning" },
            if path.is_empty() { "/" } else { path },
        );
    }
}
