//! `openbadges backpack [--store DIR] import|list|export`: a learner's backpack on disk, over
//! `openbadges::backpack` (SQLite store, the proof crate's verifier and guarded HTTP loader).
//!
//! - `import INPUT... [--identity TYPE:VALUE]... [--allow-host H]... [--offline] [--json]`:
//!   one line per input (`{"input", "result", "id", "reason"}` with `--json`), printed and
//!   flushed as soon as that input is committed (`Backpack::import_each`). Exit 0 when nothing
//!   failed, 1 when an input or a badge in one was refused, 2 on a usage, storage or read error.
//! - `list [--json]`: the accepted badges (`--json`: one JSON array of summaries).
//! - `export --format zip|vp|clr|displayer [--collection NAME] -o OUT [--holder-key KEY.pem
//!   [--challenge C] [--domain D]] [--issuer-key KEY.pem [--issuer-id IRI] [--issuer-name N]]`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openbadges::backpack::export::{api, clr, vp, zip};
use openbadges::backpack::proof::{LoaderFetcher, ProofVerifier};
use openbadges::backpack::{
    Backpack, BadgeId, BadgeRecord, ImportReport, Input, InputOutcome, SqliteStore, Store,
};
use openbadges::model::Identity;
use openbadges::proof::data_integrity::Ed25519Signer;
use openbadges::proof::input::is_http_url;
use openbadges::proof::key::SecretKey;
use openbadges::proof::loader::{
    CachingLoader, DocumentLoader, HttpLoader, Layered, NoNetwork, RecordingLoader, StaticLoader,
};
use openbadges::proof::verify::{SystemClock, Verifier};

use crate::exit;

/// Arguments of `backpack`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The backpack's directory (created on first use; default: the platform data directory,
    /// e.g. `~/.local/share/openbadges/backpack`).
    #[arg(long, value_name = "DIR", global = true)]
    store: Option<PathBuf>,
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Import badges in any form (baked PNG/SVG, JSON, JWS/VC-JWT, URL, CLR, API responses,
    /// backpack archives): each is matched to the owner, de-duplicated, verified and stored.
    Import(ImportArgs),
    /// List the badges held.
    List(ListArgs),
    /// Export the backpack (zip archive) or some of it (presentation, Displayer body).
    Export(ExportArgs),
    /// Create or replace a collection (by name): an ordered set of accepted badges with its
    /// visibility and portfolio text. Prints the collection's id.
    Collection(CollectionArgs),
    /// Verify held badges again (the network is back; or a revocation since import) and store
    /// the new results.
    Recheck(RecheckArgs),
}

/// Arguments of `backpack collection`.
#[derive(Debug, clap::Args)]
struct CollectionArgs {
    /// The collection's name (an existing collection of that name or id is replaced, keeping
    /// its id and, when still unlisted, its link).
    name: String,
    /// Members, in order (badge ids as `backpack list` prints them). Default: every accepted
    /// badge, in import order.
    badges: Vec<String>,
    /// A description.
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// `private` (default), `unlisted` (anyone with the link) or `public` (listed).
    #[arg(long, value_name = "VISIBILITY", default_value = "private")]
    visibility: String,
    /// The portfolio text shown with the collection.
    #[arg(long, value_name = "TEXT")]
    portfolio: Option<String>,
    /// Print the collection as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `backpack import`.
#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// Files (`-` for stdin) or http(s) URLs.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Add a verified identifier of the owner before importing (`email:…`, `url:…`,
    /// `telephone:…`, `did:…`). Repeatable; kept in the backpack.
    #[arg(long, value_name = "TYPE:VALUE")]
    identity: Vec<String>,
    #[command(flatten)]
    net: NetArgs,
    /// Print one JSON object per input, one per line, in input order.
    #[arg(long)]
    json: bool,
}

/// Network options of the subcommands that verify.
#[derive(Debug, clap::Args)]
struct NetArgs {
    /// Allow fetching from this host (or host:port) even though it resolves to a loopback,
    /// private or link-local address. Repeatable.
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    allow_host: Vec<String>,
    /// Forbid all network access (URL inputs fail; remote documents make a badge
    /// indeterminate).
    #[arg(long)]
    offline: bool,
}

/// Arguments of `backpack recheck`.
#[derive(Debug, clap::Args)]
struct RecheckArgs {
    /// The badges to verify again (ids as `backpack list` prints them). Default: every badge
    /// held as "could not be checked" (indeterminate); `--all`: every accepted badge.
    badges: Vec<String>,
    /// Every accepted badge (e.g. to learn of revocations since import).
    #[arg(long, conflicts_with = "badges")]
    all: bool,
    #[command(flatten)]
    net: NetArgs,
    /// Print one JSON object per badge, one per line.
    #[arg(long)]
    json: bool,
}

/// Arguments of `backpack list`.
#[derive(Debug, clap::Args)]
struct ListArgs {
    /// Print one JSON array of badge summaries.
    #[arg(long)]
    json: bool,
}

/// Arguments of `backpack export`.
#[derive(Debug, clap::Args)]
struct ExportArgs {
    /// `zip` (the whole backpack, deterministic archive), `vp` (a VerifiablePresentation of the
    /// OB 3.0 / CLR credentials), `clr` (a CLR 2.0 ClrCredential of `--collection`, signed with
    /// `--issuer-key`), `displayer` (Mozilla Displayer body of the public collections, or of one
    /// with `--collection`).
    #[arg(long, value_name = "FORMAT")]
    format: String,
    /// Only this collection (by name or id).
    #[arg(long, value_name = "NAME")]
    collection: Option<String>,
    /// Where to write.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: PathBuf,
    /// Sign the presentation as its holder with this Ed25519 key (PKCS#8 PEM or private JWK):
    /// eddsa-rdfc-2022, holder = the key's did:key.
    #[arg(long = "holder-key", value_name = "KEY.pem")]
    holder_key: Option<PathBuf>,
    /// With `--holder-key`: the verifier's challenge (nonce) to put in the presentation's proof.
    #[arg(long, value_name = "C")]
    challenge: Option<String>,
    /// With `--holder-key`: the verifier's domain to put in the presentation's proof.
    #[arg(long, value_name = "D")]
    domain: Option<String>,
    /// `--format clr`: sign the CLR as its issuer with this Ed25519 key (PKCS#8 PEM or private
    /// JWK): eddsa-rdfc-2022; issuer = the key's did:key unless `--issuer-id` is given.
    #[arg(long = "issuer-key", value_name = "KEY.pem")]
    issuer_key: Option<PathBuf>,
    /// `--format clr`: the issuer's id (e.g. an https URL; the proof's verification method is
    /// `<id>#<multikey>`). Default: the issuer key's did:key.
    #[arg(long = "issuer-id", value_name = "IRI")]
    issuer_id: Option<String>,
    /// `--format clr`: the issuer profile's name.
    #[arg(long = "issuer-name", value_name = "NAME")]
    issuer_name: Option<String>,
}

pub(crate) fn run(args: Args) -> u8 {
    let dir = match args.store.clone().or_else(default_store_dir) {
        Some(d) => d,
        None => {
            errln!(
                "openbadges backpack: no platform data directory (HOME is not set); pass --store DIR"
            );
            return exit::CANNOT_CHECK;
        }
    };
    let store = match SqliteStore::open_dir(&dir) {
        Ok(s) => s,
        Err(e) => {
            errln!("openbadges backpack: {}: {e}", dir.display());
            return exit::CANNOT_CHECK;
        }
    };
    let result = match args.command {
        Sub::Import(a) => import(store, &a),
        Sub::List(a) => list(&store, &a),
        Sub::Export(a) => export(&store, &a),
        Sub::Collection(a) => collection(store, &a),
        Sub::Recheck(a) => recheck(store, &a),
    };
    result.unwrap_or_else(|(code, message)| {
        errln!("openbadges backpack: {message}");
        code
    })
}

type Failure = (u8, String);

fn fail(message: impl std::fmt::Display) -> Failure {
    (exit::CANNOT_CHECK, message.to_string())
}

/// The platform data directory: `$XDG_DATA_HOME` or `~/.local/share` (Unix),
/// `~/Library/Application Support` (macOS), `%APPDATA%` (Windows); then `openbadges/backpack`.
fn default_store_dir() -> Option<PathBuf> {
    let non_empty = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        non_empty("APPDATA")
    } else if cfg!(target_os = "macos") {
        non_empty("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        non_empty("XDG_DATA_HOME").or_else(|| non_empty("HOME").map(|h| h.join(".local/share")))
    }?;
    Some(base.join("openbadges").join("backpack"))
}

/// The bundled contexts, then the network (unless `--offline`), behind one cache shared by the
/// verifier and the fetcher: an issuer's documents are fetched once.
type SharedLoader = Arc<CachingLoader<Layered<StaticLoader, Box<dyn DocumentLoader>>>>;

fn shared_loader(net: &NetArgs) -> Result<SharedLoader, Failure> {
    let then: Box<dyn DocumentLoader> = if net.offline {
        Box::new(NoNetwork)
    } else {
        let mut http = HttpLoader::new().map_err(fail)?;
        for h in &net.allow_host {
            http = http.allow_host(h).map_err(fail)?;
        }
        Box::new(http)
    };
    Ok(Arc::new(CachingLoader::new(Layered {
        first: StaticLoader::with_bundled_contexts(),
        then,
    })))
}

fn import(store: SqliteStore, args: &ImportArgs) -> Result<u8, Failure> {
    let loader = shared_loader(&args.net)?;
    // Outside the cache, so each badge keeps every document its verification used.
    let recording = RecordingLoader::new(Arc::clone(&loader));
    let verifier = ProofVerifier::new(Verifier::new(&recording).with_clock(&SystemClock))
        .keeping(recording.recording());
    let mut backpack = Backpack::new(store, verifier);
    if !args.net.offline {
        backpack = backpack.with_fetcher(LoaderFetcher(Arc::clone(&loader)));
    }
    for i in &args.identity {
        let id = Identity::parse(i).map_err(|e| fail(format!("--identity {i}: {e}")))?;
        backpack.add_identifier(id).map_err(fail)?;
    }

    // Each input is reported as soon as it is committed: one line (`--json`: one JSON object),
    // flushed, so a long import shows its progress and an interrupted one what it stored.
    let inputs = args.inputs.iter().map(|i| {
        if is_http_url(i) {
            Input::Url(i.clone())
        } else {
            Input::File(PathBuf::from(i))
        }
    });
    let (mut any_failed, mut unreadable) = (false, false);
    backpack
        .import_each(inputs, |outcome| {
            any_failed |= outcome.failed();
            unreadable |= matches!(outcome, InputOutcome::Unreadable { .. });
            let mut out = String::new();
            if args.json {
                out.push_str(&outcome.line().to_string());
                out.push('\n');
            } else {
                match outcome {
                    InputOutcome::Report(report) => human_import(report, &mut out),
                    InputOutcome::Unreadable { input, reason } => {
                        out.push_str(&format!("{input}:\n  failed     ({reason})\n"));
                    }
                }
            }
            // Written and flushed as each input is committed; a closed output ends the run
            // (exit 2) after what was already committed, like every other command.
            crate::out::bytes(out.as_bytes());
        })
        .map_err(fail)?;
    Ok(if unreadable {
        exit::CANNOT_CHECK
    } else if any_failed {
        exit::INVALID
    } else {
        exit::OK
    })
}

fn human_import(report: &ImportReport, out: &mut String) {
    use std::fmt::Write as _;
    let _ = writeln!(out, "{}:", report.input);
    for item in &report.items {
        let _ = write!(out, "  {:<10}", item.result.as_str());
        if let Some(id) = &item.id {
            let _ = write!(out, " {id}");
        }
        if let Some(name) = &item.name {
            let _ = write!(out, " {name}");
        }
        if let Some(reason) = &item.reason {
            let _ = write!(out, " ({reason})");
        }
        out.push('\n');
    }
}

fn accepted(store: &SqliteStore) -> Result<Vec<BadgeRecord>, Failure> {
    Ok(store
        .badges()
        .map_err(fail)?
        .into_iter()
        .filter(|b| b.state == openbadges::backpack::BadgeState::Accepted)
        .collect())
}

fn list(store: &SqliteStore, args: &ListArgs) -> Result<u8, Failure> {
    let badges = accepted(store)?;
    if args.json {
        let summaries: Vec<_> = badges.iter().map(BadgeRecord::summary).collect();
        outln!("{}", serde_json::to_string(&summaries).map_err(fail)?);
    } else {
        for b in &badges {
            let s = b.summary();
            outln!(
                "{}  {}  OB {:<7} {:<13} {}  ({})",
                s.id,
                s.badge_id.as_deref().unwrap_or("(no badge id)"),
                s.version,
                s.verification.as_str(),
                s.name.as_deref().unwrap_or("(unnamed)"),
                s.issuer.as_deref().unwrap_or("unknown issuer"),
            );
        }
        outln!("{} badge(s)", badges.len());
    }
    Ok(exit::OK)
}

fn collection(store: SqliteStore, args: &CollectionArgs) -> Result<u8, Failure> {
    use openbadges::backpack::{Collection, Visibility};
    let usage = |m: String| (exit::CANNOT_CHECK, m);
    // Collections need no verification: nothing is imported.
    let loader = StaticLoader::with_bundled_contexts();
    let mut backpack = Backpack::new(store, ProofVerifier::new(Verifier::new(&loader)));
    let existing = backpack.collection(&args.name).map_err(fail)?;
    let mut c = match existing {
        Some(c) => c,
        None => Collection::new(args.name.as_str()).map_err(fail)?,
    };
    c.members = if args.badges.is_empty() {
        backpack.accepted_in_import_order().map_err(fail)?
    } else {
        args.badges
            .iter()
            .map(|s| BadgeId::parse(s).map_err(|e| usage(format!("badge id {s}: {e}"))))
            .collect::<Result<_, _>>()?
    };
    if let Some(d) = &args.description {
        c.description = d.clone();
    }
    if let Some(p) = &args.portfolio {
        c.portfolio = p.clone();
    }
    c.visibility = match (args.visibility.as_str(), c.visibility) {
        ("private", _) => Visibility::Private,
        ("public", _) => Visibility::Public,
        ("unlisted", keep @ Visibility::Unlisted { .. }) => keep,
        ("unlisted", _) => Visibility::new_unlisted().map_err(fail)?,
        (other, _) => {
            return Err(usage(format!(
                "--visibility {other}: expected private, unlisted or public"
            )));
        }
    };
    let id = c.id.clone();
    let json = serde_json::to_string(&c).map_err(fail)?;
    backpack.put_collection(c).map_err(fail)?;
    if args.json {
        outln!("{json}");
    } else {
        outln!("{}", id.as_str());
    }
    Ok(exit::OK)
}

fn recheck(store: SqliteStore, args: &RecheckArgs) -> Result<u8, Failure> {
    use openbadges::proof::report::Status as V;
    let usage = |m: String| (exit::CANNOT_CHECK, m);
    let ids: Vec<BadgeId> = if args.badges.is_empty() {
        accepted(&store)?
            .into_iter()
            .filter(|b| args.all || b.verification.status == V::Indeterminate)
            .map(|b| b.id)
            .collect()
    } else {
        args.badges
            .iter()
            .map(|s| BadgeId::parse(s).map_err(|e| usage(format!("badge id {s}: {e}"))))
            .collect::<Result<_, _>>()?
    };
    let loader = shared_loader(&args.net)?;
    let recording = RecordingLoader::new(Arc::clone(&loader));
    let verifier = ProofVerifier::new(Verifier::new(&recording).with_clock(&SystemClock))
        .keeping(recording.recording());
    let mut backpack = Backpack::new(store, verifier);
    let (mut invalid, mut unchecked) = (false, false);
    let mut out = String::new();
    for id in &ids {
        let c = backpack.recheck(id).map_err(fail)?;
        invalid |= c.after == V::Invalid;
        unchecked |= c.after == V::Indeterminate;
        if args.json {
            let line = serde_json::json!({
                "id": c.id.as_str(),
                "before": c.before.as_str(),
                "after": c.after.as_str(),
                "reason": c.reason,
            });
            out.push_str(&line.to_string());
        } else {
            out.push_str(&format!(
                "{}  {} -> {}{}",
                c.id,
                c.before.as_str(),
                c.after.as_str(),
                c.reason.map(|r| format!(" ({r})")).unwrap_or_default()
            ));
        }
        out.push('\n');
    }
    out!("{out}");
    if !args.json {
        outln!("{} badge(s) checked again", ids.len());
    }
    Ok(if invalid {
        exit::INVALID
    } else if unchecked {
        exit::CANNOT_CHECK
    } else {
        exit::OK
    })
}

fn find_collection(
    store: &SqliteStore,
    name: &str,
) -> Result<openbadges::backpack::Collection, Failure> {
    openbadges::backpack::find_collection(store, name)
        .map_err(fail)?
        .ok_or_else(|| fail(format!("no collection named {name}")))
}

fn export(store: &SqliteStore, args: &ExportArgs) -> Result<u8, Failure> {
    match args.format.as_str() {
        "zip" => {
            if args.collection.is_some() {
                return Err(fail(
                    "--collection with --format zip is not yet supported (the archive holds the whole backpack)",
                ));
            }
            let file = std::fs::File::create(&args.output)
                .map_err(|e| fail(format!("{}: {e}", args.output.display())))?;
            let file = zip::export_zip_to(store, std::io::BufWriter::new(file)).map_err(fail)?;
            file.into_inner()
                .map_err(|e| fail(format!("{}: {e}", args.output.display())))?
                .sync_all()
                .map_err(|e| fail(format!("{}: {e}", args.output.display())))?;
            Ok(exit::OK)
        }
        "vp" => {
            let members = match &args.collection {
                Some(name) => Some(find_collection(store, name)?.members),
                None => None,
            };
            let chosen = vp::presentable(store, members.as_deref()).map_err(fail)?;
            for s in &chosen.skipped {
                errln!("openbadges backpack: skipped {}: {}", s.id, s.reason);
            }
            let ids = chosen.ids;
            let doc = match &args.holder_key {
                None if args.challenge.is_some() || args.domain.is_some() => {
                    return Err(fail(
                        "--challenge / --domain go into the holder's proof: give --holder-key",
                    ));
                }
                None => vp::presentation(store, &ids, None).map_err(fail)?,
                Some(path) => {
                    let signer = ed25519_signer(path, "--holder-key")?;
                    let created =
                        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                    vp::signed_presentation_for(
                        store,
                        &ids,
                        &signer,
                        &created,
                        args.challenge.as_deref(),
                        args.domain.as_deref(),
                    )
                    .map_err(fail)?
                }
            };
            write_json(&args.output, &doc)
        }
        "displayer" => {
            let user = store
                .identifiers()
                .map_err(fail)?
                .first()
                .map_or(serde_json::Value::Null, |i| {
                    serde_json::Value::String(i.value.clone())
                });
            let doc = match &args.collection {
                None => api::displayer_groups(store, &user).map_err(fail)?,
                Some(name) => {
                    let c = find_collection(store, name)?;
                    api::displayer_group(store, &user, &c.id)
                        .map_err(fail)?
                        .ok_or_else(|| {
                            fail(format!(
                                "collection {name} is not public: the Displayer shows only public collections"
                            ))
                        })?
                }
            };
            write_json(&args.output, &doc)
        }
        "clr" => {
            let name = args.collection.as_deref().ok_or_else(|| {
                fail("--format clr needs --collection NAME (a CLR 2.0 is made per collection)")
            })?;
            let path = args.issuer_key.as_deref().ok_or_else(|| {
                fail("--format clr needs --issuer-key KEY.pem (the CLR is signed by its issuer; `openbadges keygen --alg ed25519` makes one)")
            })?;
            let c = find_collection(store, name)?;
            let signer = ed25519_signer(path, "--issuer-key")?;
            let mut options = clr::ClrOptions::new(
                chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            );
            options.issuer_id.clone_from(&args.issuer_id);
            options.issuer_name.clone_from(&args.issuer_name);
            let out = clr::collection_clr(store, &c.id, &signer, &options).map_err(fail)?;
            for s in &out.skipped {
                errln!("openbadges backpack: skipped {}: {}", s.id, s.reason);
            }
            write_json(&args.output, &out.credential)
        }
        other => Err(fail(format!(
            "unknown --format `{other}` (supported: zip, vp, clr, displayer)"
        ))),
    }
}

fn write_json(path: &Path, doc: &serde_json::Value) -> Result<u8, Failure> {
    let mut text = serde_json::to_string_pretty(doc).map_err(fail)?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    Ok(exit::OK)
}

/// An Ed25519 signer from the PKCS#8 PEM or private JWK file given as `flag`.
fn ed25519_signer(path: &Path, flag: &str) -> Result<Ed25519Signer, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| fail(format!("{flag} {}: {e}", path.display())))?;
    let key = SecretKey::from_pem_or_jwk(&text)
        .map_err(|e| fail(format!("{flag} {}: {e}", path.display())))?;
    Ed25519Signer::from_secret_key(&key).map_err(|e| {
        fail(format!(
            "{flag}: {e} (eddsa-rdfc-2022 signs with an Ed25519 key; this is {})",
            key.algorithm()
        ))
    })
}
