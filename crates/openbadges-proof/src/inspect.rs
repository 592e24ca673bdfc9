//! Inspection: what an input is and whether its badge document is well formed, without
//! verifying signatures or fetching anything (the CLI's `inspect`).
//!
//! The kind is detected from the content ([`crate::input`]), the badge document taken out of it
//! (JSON, a compact JWS/JWT payload — not verified —, a PNG/SVG baked badge, a URL) and read by
//! the model ([`openbadges_model::inspect`]): version, class, structural problems, the document
//! upgraded to the current model. A badge that is only a URL is reported with a
//! [`NOT_FETCHED`] warning and its structure as not checked ([`Status::Indeterminate`]).
//!
//! ```
//! use openbadges_proof::inspect::inspect_bytes;
//! use openbadges_proof::report::Status;
//! let r = inspect_bytes(br#"{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion""#);
//! assert_eq!(r.status, Status::Invalid); // malformed JSON, with its line and column
//! assert_eq!(inspect_bytes(b"https://example.org/a").status, Status::Indeterminate);
//! ```

use serde_json::{Value, json};

use openbadges_model::{Inspection, Limits, ProblemCode, parse_json};

use crate::input::{self, InputKind, Payload};
use crate::report::Status;

/// Code of the finding for a badge that is only a URL, which inspection does not fetch.
pub const NOT_FETCHED: &str = "NOT_FETCHED";

/// A problem met before the model saw a document (bad JSON, no badge in an image, a URL that
/// is not fetched, …), or a warning from the image extraction. It has no path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code (`INVALID_JSON`, `NOT_BAKED`, `LIMIT_EXCEEDED`, [`NOT_FETCHED`], …).
    pub code: String,
    /// An error (else a warning).
    pub error: bool,
    /// What was found.
    pub message: String,
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

/// The inspection report on one input.
#[derive(Debug, Clone)]
pub struct InspectionReport {
    /// What the input turned out to be (JSON, and anything unrecognised, is `Json`).
    pub kind: InputKind,
    /// The badge's URL when the input is, or carries, only a URL (which is not fetched).
    pub url: Option<String>,
    /// The model's reading of the badge document, when there was one.
    pub inspection: Option<Inspection>,
    /// Findings before (or beside) the model's problems.
    pub findings: Vec<Finding>,
    /// `Valid` when the structure is valid, `Invalid` when it is not (or the input is
    /// malformed), `Indeterminate` when it could not be checked (a URL, over a limit).
    pub status: Status,
}

impl InspectionReport {
    fn failed(kind: InputKind, finding: Finding, status: Status) -> Self {
        InspectionReport {
            kind,
            url: None,
            inspection: None,
            findings: vec![finding],
            status,
        }
    }

    /// The report on a badge that is only a URL: not fetched, its structure not checked.
    pub fn url(kind: InputKind, url: &str) -> Self {
        let mut report = InspectionReport::failed(
            kind,
            Finding::warning(
                NOT_FETCHED,
                format!("the badge is the url {url}, which inspect does not fetch (verify does)"),
            ),
            Status::Indeterminate,
        );
        report.url = Some(url.to_owned());
        report
    }

    /// Every problem, as (code, path, is_error, message): findings first (path `""`), then
    /// the model's.
    pub fn problems(&self) -> Vec<(&str, &str, bool, &str)> {
        let mut out: Vec<(&str, &str, bool, &str)> = self
            .findings
            .iter()
            .map(|f| (f.code.as_str(), "", f.error, f.message.as_str()))
            .collect();
        if let Some(i) = &self.inspection {
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

    /// The report as the JSON object the CLI prints for `input` (`inspect --json`).
    pub fn to_json(&self, input: &str) -> Value {
        let i = self.inspection.as_ref();
        json!({
            "input": input,
            "kind": self.kind.as_str(),
            "url": self.url,
            "version": i.and_then(|i| i.version).map(|v| v.as_str()),
            "class": i.and_then(|i| i.class.as_ref()).map(|c| c.as_str()),
            "valid_structure": self.status == Status::Valid,
            "problems": self.problems().into_iter().map(|(code, path, error, message)| json!({
                "code": code,
                "path": path,
                "message": message,
                "severity": if error { "error" } else { "warning" },
            })).collect::<Vec<_>>(),
            "upgraded": i.and_then(|i| i.upgraded.clone()),
        })
    }
}

/// Detects the kind of `bytes` from their content and inspects the badge document inside. A
/// badge that is a URL is reported as such, not fetched.
pub fn inspect_bytes(bytes: &[u8]) -> InspectionReport {
    use crate::Error as E;

    let kind = match input::detect(bytes) {
        Some(k @ (InputKind::Jws | InputKind::Png | InputKind::Svg | InputKind::Url)) => k,
        // JSON, and anything unrecognised: reading it as JSON says where it goes wrong.
        _ => InputKind::Json,
    };
    let limits = Limits::default();
    let unpacked = match input::unpack(bytes, &limits) {
        Ok(u) => u,
        Err(E::Json { .. } | E::UnrecognizedInput { .. })
            if !matches!(kind, InputKind::Png | InputKind::Svg) =>
        {
            return inspect_document(kind, bytes);
        }
        Err(E::TooLarge { size, limit }) => {
            return InspectionReport::failed(
                kind,
                Finding::error(
                    "LIMIT_EXCEEDED",
                    format!("input of {size} bytes exceeds the limit of {limit} bytes"),
                ),
                Status::Indeterminate,
            );
        }
        // Under the proof crate's stable code (for images, the bake crate's).
        Err(e) => {
            return InspectionReport::failed(
                kind,
                Finding::error(e.code(), e.to_string()),
                Status::Invalid,
            );
        }
    };
    let mut report = match unpacked.payload {
        Payload::Json(doc) => inspect_value(kind, &doc),
        Payload::Jws(jws) => inspect_document(kind, jws.payload()),
        Payload::Url(url) => InspectionReport::url(kind, &url),
    };
    report.findings.extend(
        unpacked
            .warnings
            .into_iter()
            .map(|(code, message)| Finding::warning(code, message)),
    );
    report
}

/// Parses the carried document (reporting malformed JSON with its line and column) and
/// inspects it.
fn inspect_document(kind: InputKind, bytes: &[u8]) -> InspectionReport {
    match parse_json(bytes, &Limits::default()) {
        Ok(doc) => inspect_value(kind, &doc),
        Err(
            e @ (openbadges_model::Error::Json { .. }
            | openbadges_model::Error::DuplicateMember { .. }),
        ) => InspectionReport::failed(
            kind,
            Finding::error(ProblemCode::InvalidJson.as_str(), e.to_string()),
            Status::Invalid,
        ),
        // Over the size or depth limits: not checked.
        Err(e) => InspectionReport::failed(
            kind,
            Finding::error("LIMIT_EXCEEDED", e.to_string()),
            Status::Indeterminate,
        ),
    }
}

fn inspect_value(kind: InputKind, doc: &Value) -> InspectionReport {
    // A VC 1.1 JWT carries the credential in its `vc` claim; a JSON file is read as it is.
    let inspection = if kind == InputKind::Json {
        openbadges_model::inspect(doc)
    } else {
        openbadges_model::inspect(input::jws_credential(doc))
    };
    let status = if inspection.valid_structure() {
        Status::Valid
    } else {
        Status::Invalid
    };
    InspectionReport {
        kind,
        url: None,
        inspection: Some(inspection),
        findings: Vec::new(),
        status,
    }
}
