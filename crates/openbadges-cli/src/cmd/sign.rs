//! `openbadges sign --key KEY.pem --format jws [--kid IRI] INPUT`: sign an OB 2.0 assertion as
//! a compact JWS (RS256 with an RSA key, as OB 2.0 recommends; ES256 / EdDSA for P-256 /
//! Ed25519 keys) and print it.
//!
//! The key is a PKCS#8 or PKCS#1 PEM private key, or a private JWK. The assertion's
//! `verification` becomes `{"type": "SignedBadge", "creator": KID}`; host the matching
//! `CryptographicKey` at KID and list it in the issuer profile's `publicKey`
//! (`openbadges_proof::issue` builds both).

use openbadges_model::{Limits, parse_json};
use openbadges_proof::key::SecretKey;

use crate::exit;

/// Arguments of `sign`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The private key: PKCS#8 / PKCS#1 PEM, or a private JWK.
    #[arg(long, value_name = "KEY.pem")]
    key: String,
    /// Output format: `jws` (OB 2.0 signed assertion).
    #[arg(long, value_name = "FORMAT")]
    format: String,
    /// The key's IRI: written as the JWS `kid` and the assertion's `verification.creator`.
    #[arg(long, value_name = "IRI")]
    kid: Option<String>,
    /// The assertion to sign (a file, or `-` for stdin).
    input: String,
}

pub(crate) fn run(args: Args) -> u8 {
    let key_bytes = match super::read_input(std::path::Path::new(&args.key)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("openbadges sign: cannot read {}: {e}", args.key);
            return exit::CANNOT_CHECK;
        }
    };
    let key_text = String::from_utf8_lossy(&key_bytes);
    let key = if key_text.trim_start().starts_with('{') {
        serde_json::from_str(&key_text)
            .map_err(|e| openbadges_proof::Error::InvalidKey(e.to_string()))
            .and_then(|jwk| SecretKey::from_jwk(&jwk))
    } else {
        SecretKey::from_pem(&key_text)
    };
    let key = match key {
        Ok(k) => k,
        Err(e) => {
            eprintln!("openbadges sign: {}: {e}", args.key);
            return exit::CANNOT_CHECK;
        }
    };
    let input = match super::read_input(std::path::Path::new(&args.input)) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("openbadges sign: cannot read {}: {e}", args.input);
            return exit::CANNOT_CHECK;
        }
    };
    match args.format.as_str() {
        "jws" => {
            let doc = match parse_json(&input, &Limits::default()) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("openbadges sign: {}: {e}", args.input);
                    return exit::INVALID;
                }
            };
            match openbadges_proof::issue::sign_assertion(&doc, &key, args.kid.as_deref()) {
                Ok(jws) => {
                    println!("{jws}");
                    exit::OK
                }
                Err(e) => {
                    eprintln!("openbadges sign: {e}");
                    exit::INVALID
                }
            }
        }
        other => {
            eprintln!("openbadges sign: unsupported --format `{other}` (supported: jws)");
            exit::CANNOT_CHECK
        }
    }
}
