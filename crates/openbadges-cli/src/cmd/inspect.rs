//! `openbadges inspect INPUT... [--json]`: parse without verifying signatures or fetching.
//!
//! For each input: detect its kind from the content (JSON, compact JWS/JWT, PNG, SVG, URL),
//! get the badge document out of it (baked images through `openbadges_bake::extract`, a JWS by
//! its payload), then `openbadges_model::inspect` it: version, class, structural problems, and
//! the document upgraded to the current model.
//!
//! Exit code: 0 when every input has a valid structure; 1 when any is invalid (malformed JSON,
//! an image without a badge, structural errors); otherwise 2 when an input could not be read or
//! checked (a URL: inspect does not fetch).

use serde_json::{Value, json};

use openbadges_model::{Inspection, Limits, ProblemCode, inspect, parse_json};

use crate::exit;

/// Arguments of `inspect`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Files to inspect (`-` for stdin); an `http(s)://` URL is reported as kind `url`.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Print one JSON object per input (one per line) instead of text.
    #[arg(long)]
    json: bool,
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
    inspection: Option<Inspection>,
    findings: Vec<Finding>,
    outcome: Outcome,
}

impl Report {
    fn failed(kind: Kind, finding: Finding, outcome: Outcome) -> Self {
        Report {
            kind,
            inspection: None,
            findings: vec![finding],
            outcome,
        }
    }
}

/// Runs `inspect`, returning the process exit code.
pub(crate) fn run(args: Args) -> u8 {
    let mut any_invalid = false;
    let mut any_unchecked = false;
    for input in &args.inputs {
        let report = if is_url(input) {
            Report::failed(
                Kind::Url,
                Finding::warning(
                    NOT_FETCHED,
                    "inspect does not fetch: the document behind a url was not checked (use `openbadges verify`)",
                ),
                Outcome::CannotCheck,
            )
        } else {
            match crate::cmd::read_input(std::path::Path::new(input)) {
                Ok(bytes) => inspect_bytes(&bytes),
                Err(e) => {
                    eprintln!("openbadges inspect: {input}: {e}");
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
            println!("{}", to_json(input, &report));
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
    let lower = s.trim().get(..8).unwrap_or("").to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Detects the kind of `bytes` from their content and inspects the badge document inside.
fn inspect_bytes(bytes: &[u8]) -> Report {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return inspect_image(Kind::Png, bytes);
    }
    let text = String::from_utf8_lossy(bytes);
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('<') {
        return inspect_image(Kind::Svg, bytes);
    }
    if is_url(trimmed) && !trimmed.contains(char::is_whitespace) {
        return url_payload(Kind::Url);
    }
    if let Some(payload) = jws::payload(trimmed) {
        return inspect_document(Kind::Jws, &payload);
    }
    inspect_document(Kind::Json, bytes)
}

/// A badge that is only a URL: inspect does not fetch it.
fn url_payload(kind: Kind) -> Report {
    Report::failed(
        kind,
        Finding::warning(
            NOT_FETCHED,
            "the badge is a url; inspect does not fetch it (use `openbadges verify`)",
        ),
        Outcome::CannotCheck,
    )
}

fn inspect_image(kind: Kind, bytes: &[u8]) -> Report {
    let found = match openbadges_bake::extract(bytes) {
        Ok(found) => found,
        Err(e) => {
            return Report::failed(
                kind,
                Finding::error(e.kind_code(), e.to_string()),
                Outcome::Invalid,
            );
        }
    };
    let mut report = match found.payload_kind {
        openbadges_bake::PayloadKind::Json => inspect_document(kind, found.payload.as_bytes()),
        openbadges_bake::PayloadKind::Jws => match jws::payload(found.payload.trim()) {
            Some(p) => inspect_document(kind, &p),
            None => Report::failed(
                kind,
                Finding::error(
                    "INVALID_PAYLOAD",
                    "the baked compact jws has no readable payload",
                ),
                Outcome::Invalid,
            ),
        },
        openbadges_bake::PayloadKind::Url => url_payload(kind),
        _ => Report::failed(
            kind,
            Finding::error(
                "UNRECOGNIZED_PAYLOAD",
                "the baked payload is not json, a jws or a url",
            ),
            Outcome::Invalid,
        ),
    };
    report.findings.extend(
        found
            .warnings
            .iter()
            .map(|w| Finding::warning(w.code(), w.to_string())),
    );
    report
}

fn inspect_document(kind: Kind, bytes: &[u8]) -> Report {
    match parse_json(bytes, &Limits::default()) {
        Ok(mut doc) => {
            if kind == Kind::Jws {
                doc = jws::credential(doc);
            }
            let inspection = inspect(&doc);
            let outcome = if inspection.valid_structure() {
                Outcome::Valid
            } else {
                Outcome::Invalid
            };
            Report {
                kind,
                inspection: Some(inspection),
                findings: Vec::new(),
                outcome,
            }
        }
        Err(e @ openbadges_model::Error::Json { .. }) => Report::failed(
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
    println!(
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
        println!(
            "  {} {code} {}: {message}",
            if error { "error" } else { "warning" },
            if path.is_empty() { "/" } else { path },
        );
    }
}

/// TEMPORARY: reading the payload of a compact JWS/JWT without verifying it, until the proof
/// crate publishes its content detection (`openbadges_proof::input`); then this module goes.
mod jws {
    use base64::Engine;
    use serde_json::Value;

    /// The decoded payload of a compact JWS (`header.payload.signature`, base64url), if `text`
    /// is one whose header decodes to a JSON object.
    pub(super) fn payload(text: &str) -> Option<Vec<u8>> {
        let mut parts = text.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || h.is_empty() || p.is_empty() {
            return None;
        }
        let b64 = |x: &str| {
            x.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !(b64(h) && b64(p) && b64(s)) {
            return None;
        }
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header: Value = serde_json::from_slice(&engine.decode(h).ok()?).ok()?;
        header.is_object().then_some(())?;
        engine.decode(p).ok()
    }

    /// A VC-JWT (VC Data Model 1.1) carries the credential in its `vc` claim.
    pub(super) fn credential(payload: Value) -> Value {
        match payload {
            Value::Object(mut o)
                if !o.contains_key("@context") && o.get("vc").is_some_and(Value::is_object) =>
            {
                o.remove("vc").unwrap_or(Value::Null)
            }
            other => other,
        }
    }
}
