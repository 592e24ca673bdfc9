//! `openbadges verify INPUT... [--recipient TYPE:VALUE]... [--at RFC3339] [--allow-host H]...
//! [--offline] [--documents DIR]... [--schemas DIR]... [--json]`: full verification through the facade's
//! [`openbadges::Verifier`].
//!
//! Inputs are verified concurrently (one thread per core) with one shared document cache, so a
//! batch of many badges from one issuer fetches the issuer's documents once.
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
    #[arg(required = true)]
    inputs: Vec<String>,
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
    /// Worker threads (default: the number of cores).
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

pub(crate) fn run(args: Args) -> u8 {
    let verifier = match verifier(&args) {
        Ok(v) => v,
        Err(e) => {
            errln!("openbadges verify: {e}");
            return exit::CANNOT_CHECK;
        }
    };

    // Read every input; unreadable ones are reported, not fatal.
    let mut sources = Vec::with_capacity(args.inputs.len());
    let mut unreadable: Vec<(usize, Report)> = Vec::new();
    for (i, input) in args.inputs.iter().enumerate() {
        if is_http_url(input) {
            sources.push(Source::Url(input.clone()));
            continue;
        }
        match super::read_input(std::path::Path::new(input)) {
            Ok(bytes) => sources.push(Source::Bytes {
                name: input.clone(),
                bytes,
            }),
            Err(e) => {
                let mut r = Report::new(input.clone());
                r.error(
                    Code::InputUnreadable,
                    format!("cannot read {input}: {e}"),
                    None,
                );
                unreadable.push((i, r));
                // Keep positions aligned: a placeholder the batch skips cheaply.
                sources.push(Source::Bytes {
                    name: input.clone(),
                    bytes: Vec::new(),
                });
            }
        }
    }
    let mut reports = verifier.verify_batch(&sources);
    for (i, r) in unreadable {
        if let Some(slot) = reports.get_mut(i) {
            *slot = r;
        }
    }

    let mut out = String::new();
    for r in &reports {
        if args.json {
            out.push_str(&r.to_json_line());
            out.push('\n');
        } else {
            human(r, &mut out);
        }
    }
    out!("{out}");

    if reports.iter().any(|r| r.status() == Status::Invalid) {
        exit::INVALID
    } else if reports.iter().any(|r| r.status() == Status::Indeterminate) {
        exit::CANNOT_CHECK
    } else {
        exit::OK
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
