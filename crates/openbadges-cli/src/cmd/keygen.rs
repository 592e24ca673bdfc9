//! `openbadges keygen --alg ed25519|es256|rs256 [-o KEY.pem] [--public PUB.pem] [--jwk]`: write
//! a new private key (PKCS#8 PEM) and its public half (SPKI PEM, or a JWK with `--jwk`).
//!
//! The private key goes to `-o` (created new, mode 0600 on Unix; an existing file is never
//! overwritten) or to stdout; the public half to `--public`, or to stdout.

use std::io::Write as _;
use std::path::Path;

use openbadges::proof::key::{Algorithm, SecretKey};

use crate::exit;

/// Arguments of `keygen`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Key algorithm: `ed25519`, `es256` (ECDSA P-256) or `rs256` (RSA-2048).
    #[arg(long, value_name = "ALG")]
    alg: String,
    /// Where to write the private key (PKCS#8 PEM); stdout when absent.
    #[arg(short = 'o', long = "output", value_name = "KEY.pem")]
    output: Option<String>,
    /// Where to write the public key; stdout when absent.
    #[arg(long, value_name = "PUB.pem")]
    public: Option<String>,
    /// Write the public key as a JWK instead of SPKI PEM.
    #[arg(long)]
    jwk: bool,
}

fn write_new(path: &str, text: &str, private: bool) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    o.open(Path::new(path))?.write_all(text.as_bytes())
}

pub(crate) fn run(args: Args) -> u8 {
    let alg: Algorithm = match args.alg.parse() {
        Ok(a) => a,
        Err(_) => {
            errln!(
                "openbadges keygen: unknown --alg `{}` (ed25519, es256, rs256)",
                args.alg
            );
            return exit::CANNOT_CHECK;
        }
    };
    let key = match SecretKey::generate(alg) {
        Ok(k) => k,
        Err(e) => {
            errln!("openbadges keygen: {e}");
            return exit::CANNOT_CHECK;
        }
    };
    let public = if args.jwk {
        serde_json::to_string_pretty(&key.public_key().to_jwk())
            .map(|s| s + "\n")
            .map_err(|e| e.to_string())
    } else {
        key.public_key().to_pem().map_err(|e| e.to_string())
    };
    let public = match public {
        Ok(p) => p,
        Err(e) => {
            errln!("openbadges keygen: {e}");
            return exit::CANNOT_CHECK;
        }
    };
    let private = key.to_pkcs8_pem();
    let mut stdout = String::new();
    match &args.output {
        Some(p) => {
            if let Err(e) = write_new(p, &private, true) {
                errln!("openbadges keygen: cannot write {p}: {e}");
                return exit::CANNOT_CHECK;
            }
        }
        None => stdout.push_str(&private),
    }
    match &args.public {
        Some(p) => {
            if let Err(e) = write_new(p, &public, false) {
                errln!("openbadges keygen: cannot write {p}: {e}");
                return exit::CANNOT_CHECK;
            }
        }
        None => stdout.push_str(&public),
    }
    out!("{stdout}");
    exit::OK
}
