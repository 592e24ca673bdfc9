//! `openbadges sign --key KEY.pem --format jws|vc-jwt|eddsa-rdfc-2022 [--kid IRI]
//! [--verification-method IRI] [--at RFC3339] INPUT`: sign an OB 2.0 assertion as a compact JWS
//! (RS256 with an RSA key, as OB 2.0 recommends; ES256 / EdDSA for P-256 / Ed25519 keys), or an
//! OB 3.0 / CLR 2.0 credential as a VC-JWT (`kid` header when `--kid`, else the public `jwk`) or
//! with a Data Integrity `eddsa-rdfc-2022` proof (Ed25519 keys; the verification method defaults
//! to the key's `did:key:z…#z…`), and print it.
//!
//! The key is a PKCS#8 or PKCS#1 PEM private key, or a private JWK. The assertion's
//! `verification` becomes `{"type": "SignedBadge", "creator": KID}`; host the matching
//! `CryptographicKey` at KID and list it in the issuer profile's `publicKey`
//! (`openbadges::proof::issue` builds both).

use openbadges::model::{Limits, parse_json};
use openbadges::proof::data_integrity::{Ed25519Signer, ProofOptions, sign};
use openbadges::proof::key::SecretKey;
use openbadges::proof::vc_jwt;
use openbadges::proof::verify::FixedClock;

use crate::exit;

/// Arguments of `sign`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The private key: PKCS#8 / PKCS#1 PEM, or a private JWK.
    #[arg(long, value_name = "KEY.pem")]
    key: String,
    /// Output format: `jws` (OB 2.0 signed assertion), `vc-jwt` or `eddsa-rdfc-2022`
    /// (OB 3.0 / CLR 2.0 credential).
    #[arg(long, value_name = "FORMAT")]
    format: String,
    /// The key's IRI: written as the JWS `kid` and the assertion's `verification.creator`.
    #[arg(long, value_name = "IRI")]
    kid: Option<String>,
    /// `eddsa-rdfc-2022`: the proof's verification method (default: the key's did:key).
    #[arg(long = "verification-method", value_name = "IRI")]
    verification_method: Option<String>,
    /// `eddsa-rdfc-2022`: the proof's `created` instant (default: now).
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// The assertion or credential to sign (a file, or `-` for stdin).
    input: String,
}

pub(crate) fn run(args: Args) -> u8 {
    let key_bytes = match super::read_input(std::path::Path::new(&args.key)) {
        Ok(b) => b,
        Err(e) => {
            errln!("openbadges sign: cannot read {}: {e}", args.key);
            return exit::CANNOT_CHECK;
        }
    };
    let key = match SecretKey::from_pem_or_jwk(&String::from_utf8_lossy(&key_bytes)) {
        Ok(k) => k,
        Err(e) => {
            errln!("openbadges sign: {}: {e}", args.key);
            return exit::CANNOT_CHECK;
        }
    };
    let input = match super::read_input(std::path::Path::new(&args.input)) {
        Ok(b) => b,
        Err(e) => {
            errln!("openbadges sign: cannot read {}: {e}", args.input);
            return exit::CANNOT_CHECK;
        }
    };
    match args.format.as_str() {
        "jws" => {
            let doc = match parse_json(&input, &Limits::default()) {
                Ok(d) => d,
                Err(e) => {
                    errln!("openbadges sign: {}: {e}", args.input);
                    return exit::INVALID;
                }
            };
            match openbadges::proof::issue::sign_assertion(&doc, &key, args.kid.as_deref()) {
                Ok(jws) => {
                    outln!("{jws}");
                    exit::OK
                }
                Err(e) => {
                    errln!("openbadges sign: {e}");
                    exit::INVALID
                }
            }
        }
        "vc-jwt" | "eddsa-rdfc-2022" => {
            let doc = match parse_json(&input, &Limits::default()) {
                Ok(d) => d,
                Err(e) => {
                    errln!("openbadges sign: {}: {e}", args.input);
                    return exit::INVALID;
                }
            };
            let signed = if args.format == "vc-jwt" {
                let header = match args.kid {
                    Some(k) => vc_jwt::HeaderKey::Kid(k),
                    None => vc_jwt::HeaderKey::Jwk,
                };
                vc_jwt::issue(&doc, &key, &header).map_err(|e| (exit::INVALID, e.to_string()))
            } else {
                sign_eddsa(&doc, &key, &args)
            };
            match signed {
                Ok(out) => {
                    outln!("{out}");
                    exit::OK
                }
                Err((code, e)) => {
                    errln!("openbadges sign: {e}");
                    code
                }
            }
        }
        other => {
            errln!(
                "openbadges sign: unsupported --format `{other}` (supported: jws, vc-jwt, eddsa-rdfc-2022)"
            );
            exit::CANNOT_CHECK
        }
    }
}

/// Data Integrity `eddsa-rdfc-2022` with an Ed25519 key. On failure, the exit code with the
/// message: a key of another type or a bad `--at` is a usage error (2), a document that cannot
/// be signed is invalid (1).
fn sign_eddsa(
    doc: &serde_json::Value,
    key: &SecretKey,
    args: &Args,
) -> Result<String, (u8, String)> {
    let usage = |m: String| (exit::CANNOT_CHECK, m);
    let invalid = |m: String| (exit::INVALID, m);
    let signer = Ed25519Signer::from_secret_key(key).map_err(|e| {
        usage(format!(
            "{e} (eddsa-rdfc-2022 signs with an Ed25519 key; this is {})",
            key.algorithm()
        ))
    })?;
    let vm = args
        .verification_method
        .clone()
        .unwrap_or_else(|| signer.verification_method_did_key());
    let created = match &args.at {
        Some(t) => {
            FixedClock::parse(t)
                .map_err(|e| usage(format!("--at: {e}")))?
                .0
        }
        None => chrono::Utc::now(),
    };
    let created = created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let signed =
        sign(doc, &signer, &ProofOptions::new(vm, created)).map_err(|e| invalid(e.to_string()))?;
    serde_json::to_string_pretty(&signed).map_err(|e| invalid(e.to_string()))
}
