//! Keys: read PKCS#8 / PKCS#1 / SPKI PEM and JWK, generate, sign and verify.
//!
//! Three key types, each bound to exactly one JWS algorithm:
//!
//! | key | JWS `alg` | notes |
//! |---|---|---|
//! | RSA (2048–8192 bits) | `RS256` | the algorithm OB 2.0 recommends |
//! | ECDSA P-256 | `ES256` | signature is `r‖s` (64 bytes), as JWS requires |
//! | Ed25519 | `EdDSA` | |
//!
//! Signing and verification use `ring`. Key encodings go through the RustCrypto formats crates:
//! `pem-rfc7468` (PEM), `der`, `pkcs8` (private keys), `spki` (public keys) and `sec1` (EC private
//! keys); `rsa` reads PKCS#1 and the RSA members of a JWK. `ring` cannot generate RSA keys, so
//! [`SecretKey::generate`] uses `rsa` for that one step, then hands the PKCS#8 document to `ring`.
//!
//! | form | read | written |
//! |---|---|---|
//! | PKCS#8 `PRIVATE KEY` | all three | [`SecretKey::to_pkcs8_pem`] |
//! | PKCS#1 `RSA PRIVATE KEY` / `RSA PUBLIC KEY` | RSA | — |
//! | SEC1 `EC PRIVATE KEY` (named curve P-256, with its public key) | P-256 | [`SecretKey::to_sec1_pem`] |
//! | SPKI `PUBLIC KEY` | all three | [`PublicKey::to_pem`] |
//! | JWK | all three | [`PublicKey::to_jwk`], [`SecretKey::to_jwk`] |
//!
//! The module holds the [`Algorithm`]; the rest is one file per idea:
//!
//! - `public`: [`PublicKey`], reading SPKI and PKCS#1 public keys and verifying signatures;
//! - `secret`: [`SecretKey`], generating, reading PKCS#8, PKCS#1 and SEC1 private keys,
//!   writing PKCS#8 and SEC1, and signing;
//! - `jwk`: both keys as JSON Web Keys (RFC 7517 / RFC 7518 / RFC 8037), read and written;
//! - `asn1`: the DER documents assembled from a key's parts with the `der`, `spki`, `pkcs8`
//!   and `sec1` types (SPKI, PKCS#8 of an Ed25519 seed or a P-256 scalar), and the object
//!   identifiers they use;
//! - `pem`: PEM blocks (RFC 7468), [`pem_encode`] and [`pem_decode`].

mod asn1;
pub(crate) mod cache;
mod jwk;
mod pem;
mod public;
mod secret;
#[cfg(test)]
mod tests;

pub use pem::{pem_decode, pem_encode};
pub use public::PublicKey;
pub use secret::SecretKey;

use crate::Error;

/// A JWS signature algorithm this crate accepts. There is no `none` and no HMAC, by design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// Ed25519.
    EdDsa,
}

impl Algorithm {
    /// The JWS `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Es256 => "ES256",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// Parses a JWS `alg` name; only the three accepted names succeed (case-sensitive, as JWS
    /// requires).
    ///
    /// # Errors
    /// [`Error::AlgorithmNotAllowed`] for every other name (`none`, `HS256`, `RS512`, …).
    pub fn from_jws_name(name: &str) -> Result<Self, Error> {
        match name {
            "RS256" => Ok(Algorithm::Rs256),
            "ES256" => Ok(Algorithm::Es256),
            "EdDSA" => Ok(Algorithm::EdDsa),
            other => Err(Error::AlgorithmNotAllowed(format!("`{other}`"))),
        }
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Algorithm {
    type Err = Error;
    /// Accepts the JWS names and the lowercase CLI names `rs256`, `es256`, `ed25519`/`eddsa`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "rs256" => Ok(Algorithm::Rs256),
            "es256" => Ok(Algorithm::Es256),
            "ed25519" | "eddsa" => Ok(Algorithm::EdDsa),
            _ => Err(Error::AlgorithmNotAllowed(format!("`{s}`"))),
        }
    }
}
