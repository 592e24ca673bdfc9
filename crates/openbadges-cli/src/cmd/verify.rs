//! `openbadges verify INPUT... [--recipient TYPE:VALUE]... [--at RFC3339] [--allow-host H]...
//! [--offline] [--documents DIR]... [--schemas DIR]... [--json]`: full verification through the facade's
//! [`openbadges::Verifier`].
//!
//! Inputs are verified concurrently (one thread per core, `--jobs N`) with one shared document
//! cache, so a batch of many badges from one issuer fetches the issuer's documents once. Each
//! worker reads its own inputs, and results are printed in input order as soon as they are
//! done (not all at the end). `--inputs-from FILE` (or `-`) names the inputs one per line, for
//! lists too long for a command line. When stderr is a terminal, stdout is not a pipe and
//! `--json` is not given, a progress bar (count, rate, ETA) is drawn on stderr and erased at the
//! end; otherwise stderr stays silent.
//!
//! Exit code: 0 when every input is valid, 1 when any is invalid, otherwise 2 when any could not
//! be checked (or on a usage error).

use openbadges::model::Identity;
use openbadges::proof::input::is_http_url;
use openbadges::proof::key::PublicKey;
use openbadges::proof::report::{Code, Report, Status};
use openbadges::proof::verify::{FixedClock, RecipientProfile, SchemaRegistry, Source};
use openbadges::{HttpLimits, Verifier, VerifierBuilder};

use crate::exit;

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Files (`-` for stdin) or http(s) URLs of hosted assertions. The kind (JSON, compact JWS,
    /// baked PNG/SVG, URL) is detected from the content.
    #[arg(required_unless_present = "inputs_from")]
    inputs: Vec<String>,
    /// Also verify the inputs listed in this file (`-` for stdin), one path or URL per line
    /// (empty lines are skipped), after those on the command line: for lists too long for a
    /// command line (`find … > list; openbadges verify --inputs-from list`).
    #[arg(long = "inputs-from", value_name = "FILE")]
    inputs_from: Option<std::path::PathBuf>,
    /// A recipient identity to check the badge against: `email:…`, `url:…`, `telephone:…`,
    /// `id:…` (or `did:…`). Repeatable; the badge must match one of them.
    #[arg(long, value_name = "TYPE:VALUE")]
    recipient: Vec<String>,
    /// Evaluate expiry and issue dates at this instant instead of now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Allow fetching from this host (or host:port) even though it resolves to a loopback,
    /// private or link-local address. Repeatable.
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    allow_host: Vec<String>,
    /// Forbid all network access: a needed remote document makes the result indeterminate.
    #[arg(long)]
    offline: bool,
    /// Print one JSON object per input, one per line, in input order.
    #[arg(long)]
    json: bool,
    /// Pin a public key (SPKI PEM or public JWK file) for VC-JWT: a token signed by it is bound
    /// to its issuer whatever its header says. Repeatable.
    #[arg(long = "trusted-key", value_name = "PUB.pem")]
    trusted_key: Vec<String>,
    /// DANGEROUS: accept a VC-JWT whose header `jwk` is bound to the issuer by nothing (no
    /// JWKS, DID or pinned key). Anyone can then issue in any issuer's name. Testing only.
    #[arg(long = "dangerous-accept-header-jwk")]
    dangerous_accept_header_jwk: bool,
    /// DANGEROUS: take the key of a Data Integrity `https://…#z6Mk…` verification method from
    /// its fragment, without the issuer's controller document (the 1EdTech validator's
    /// shortcut). Anyone can then issue in any `https` issuer's name. Testing only.
    #[arg(long = "dangerous-trust-key-in-https-fragment")]
    dangerous_trust_key_in_https_fragment: bool,
    /// For a VerifiablePresentation: the challenge (nonce) its proof must carry; a different or
    /// missing one, or an unsigned presentation, is invalid.
    #[arg(long, value_name = "NONCE")]
    challenge: Option<String>,
    /// For a VerifiablePresentation: the domain (audience) its proof must carry.
    #[arg(long, value_name = "DOMAIN")]
    domain: Option<String>,
    /// Worker threads (default: the number of cores). Output order and verdicts do not depend
    /// on it.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Preload the documents a backpack archive kept (its unzipped `documents/` folder:
    /// `index.json` + content-addressed files, each checked against its SHA-256) so that
    /// `--offline` verification resolves them. They answer before the network: they are the
    /// documents as they were at import (a key or revocation list changed since is not seen).
    /// Repeatable.
    #[arg(long = "documents", value_name = "DIR")]
    documents: Vec<std::path::PathBuf>,
    /// Validate `credentialSchema` against the JSON Schemas in this folder: each `*.json` file
    /// is the schema for the URL its `$id` names (as the official 1EdTech schemas' do). None
    /// is bundled and none is fetched: a schema not given is a skipped check. Repeatable.
    #[arg(long = "schemas", value_name = "DIR")]
    schemas: Vec<std::path::PathBuf>,
}

/// The facade verifier the arguments describe, or the message for a usage error.
fn verifier(args: &Args) -> Result<Verifier, String> {
    let mut profile = RecipientProfile::new();
    for r in &args.recipient {
        let identity = Identity::parse(r).map_err(|e| format!("--recipient {r}: {e}"))?;
        profile = profile.identity(identity);
    }
    let mut builder: VerifierBuilder = Verifier::builder()
        .recipient(profile)
        .dangerous_accept_unbound_header_jwk(args.dangerous_accept_header_jwk)
        .dangerous_trust_key_in_https_fragment(args.dangerous_trust_key_in_https_fragment)
        .threads(args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        }));
    if let Some(c) = &args.challenge {
        builder = builder.presentation_challenge(c.clone());
    }
    if let Some(d) = &args.domain {
        builder = builder.presentation_domain(d.clone());
    }
    if let Some(at) = &args.at {
        builder = builder.at(FixedClock::parse(at).map_err(|e| format!("--at: {e}"))?);
    }
    // The network is chosen here, in code: on unless `--offline`.
    if !args.offline {
        let mut limits = HttpLimits::default();
        for h in &args.allow_host {
            limits = limits.allow_host(h.clone());
        }
        builder = builder.online(limits);
    }
    for dir in &args.documents {
        let docs = openbadges::backpack::export::zip::documents_from_dir(dir)
            .map_err(|e| format!("--documents {}: {e}", dir.display()))?;
        for d in &docs {
            builder = builder.document(&d.url, d.media_type.as_deref(), &d.body);
        }
    }
    if !args.schemas.is_empty() {
        let mut schemas = SchemaRegistry::new();
        for dir in &args.schemas {
            schemas
                .add_dir(dir)
                .map_err(|e| format!("--schemas {}: {e}", dir.display()))?;
        }
        builder = builder.schemas(schemas);
    }
    for path in &args.trusted_key {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("--trusted-key {path}: {e}"))?;
        let key =
            PublicKey::from_pem_or_jwk(&text).map_err(|e| format!("--trusted-key {path}: {e}"))?;
        builder = builder.trusted_key(key);
    }
    builder.build().map_err(|e| e.to_string())
}

/// The inputs: those on the command line, then those `--inputs-from` lists.
fn inputs(args: &Args) -> Result<Vec<String>, String> {
    let mut inputs = args.inputs.clone();
    if let Some(list) = &args.inputs_from {
        if list.as_os_str() == "-" && inputs.iter().any(|i| i == "-") {
            return Err("--inputs-from - reads stdin: no input can be `-` too".into());
        }
        let bytes = super::read_input(list)
            .map_err(|e| format!("--inputs-from {}: {e}", list.display()))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("--inputs-from {}: not UTF-8 text", list.display()))?;
        inputs.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned),
        );
    }
    Ok(inputs)
}

/// Reads input `name` into what the verifier takes; one that cannot be read is its report.
fn source(name: &str, stdin: Option<&Result<Vec<u8>, String>>) -> Result<Source, Box<Report>> {
    if is_http_url(name) {
        return Ok(Source::Url(name.to_owned()));
    }
    let bytes = match stdin {
        Some(read) => read.clone(),
        None => super::read_input(std::path::Path::new(name)).map_err(|e| e.to_string()),
    };
    bytes
        .map(|bytes| Source::Bytes {
            name: name.to_owned(),
            bytes,
        })
        .map_err(|e| {
            let mut r = Report::new(name);
            r.error(
                Code::InputUnreadable,
                format!("cannot read {name}: {e}"),
                None,
            );
            Box::new(r)
        })
}

pub(crate) fn run(args: Args) -> u8 {
    let (verifier, inputs) = match verifier(&args).and_then(|v| Ok((v, inputs(&args)?))) {
        Ok(v) => v,
        Err(e) => {
            errln!("openbadges verify: {e}");
            return exit::CANNOT_CHECK;
        }
    };

    // Stdin (`-`) is read here, in input order, so that which `-` gets it does not depend on
    // the threads (the first gets everything, any later one nothing, as one at a time would).
    let stdin: std::collections::BTreeMap<usize, Result<Vec<u8>, String>> = inputs
        .iter()
        .enumerate()
        .filter(|(_, name)| *name == "-")
        .map(|(i, _)| {
            let read = super::read_input(std::path::Path::new("-")).map_err(|e| e.to_string());
            (i, read)
        })
        .collect();

    let mut printer = Printer::new(args.json, inputs.len());
    verifier.verify_each(
        inputs.len(),
        |i| match inputs.get(i) {
            Some(name) => source(name, stdin.get(&i)),
            None => Err(Box::new(Report::new(format!("input {i}")))),
        },
        |_, report| printer.print(&report),
    );
    printer.finish()
}

/// Prints reports as they come, in input order, with the progress bar when there is one, and
/// keeps the exit code.
struct Printer {
    json: bool,
    bar: Option<super::progress::Bar>,
    /// Rendered reports not yet written: stdout is written in chunks, not per line.
    pending: String,
    invalid: bool,
    indeterminate: bool,
}

impl Printer {
    /// The most rendered output held before it is written.
    const CHUNK: usize = 64 * 1024;

    fn new(json: bool, total: usize) -> Self {
        Printer {
            json,
            bar: (!json)
                .then(|| super::progress::Bar::on_terminal(total))
                .flatten(),
            pending: String::new(),
            invalid: false,
            indeterminate: false,
        }
    }

    fn print(&mut self, r: &Report) {
        match r.status() {
            Status::Invalid => self.invalid = true,
            Status::Indeterminate => self.indeterminate = true,
            Status::Valid => {}
        }
        if self.json {
            self.pending.push_str(&r.to_json_line());
            self.pending.push('\n');
        } else {
            human(r, &mut self.pending);
        }
        if let Some(bar) = &mut self.bar {
            // With a bar, output goes out on each redraw: the bar is erased, the lines written,
            // the bar drawn again below them.
            if bar.advance() {
                bar.clear();
                out!("{}", self.pending);
                self.pending.clear();
                crate::out::flush();
                bar.draw();
            }
        } else if self.pending.len() >= Self::CHUNK {
            out!("{}", self.pending);
            self.pending.clear();
        }
    }

    /// Writes what is left, erases the bar, and returns the exit code.
    fn finish(mut self) -> u8 {
        if let Some(bar) = &mut self.bar {
            bar.clear();
        }
        out!("{}", self.pending);
        if self.invalid {
            exit::INVALID
        } else if self.indeterminate {
            exit::CANNOT_CHECK
        } else {
            exit::OK
        }
    }
}

fn human(r: &Report, out: &mut String) {
    use std::fmt::Write as _;
    let _ = writeln!(
        out,
        "{}: {} (open badges {}, {})",
        r.input,
        r.status().as_str().to_uppercase(),
        r.version.as_deref().unwrap_or("?"),
        r.proof.as_deref().unwrap_or("no proof")
    );
    for e in &r.errors {
        let _ = writeln!(out, "  error   {}: {}", e.code, e.message);
    }
    for w in &r.warnings {
        let _ = writeln!(out, "  warning {}: {}", w.code, w.message);
    }
    for e in &r.endorsements {
        let _ = writeln!(out, "  endorsement {}: {}", e.input, e.status().as_str());
    }
    for c in &r.credentials {
        let _ = writeln!(out, "  credential {}: {}", c.input, c.status().as_str());
    }
}
