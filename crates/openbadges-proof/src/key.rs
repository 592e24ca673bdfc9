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

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use der::{Decode as _, Encode as _};
use pkcs8::PrivateKeyInfo;
use ring::signature::{self, KeyPair as _};
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use sec1::{EcParameters, EcPrivateKey};
use serde_json::{Map, Value, json};
use spki::{AlgorithmIdentifierRef, ObjectIdentifier, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

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

#[derive(Clone, PartialEq, Eq, Hash)]
enum PublicKind {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// Uncompressed SEC1 point (65 bytes).
    P256(Vec<u8>),
    Ed25519([u8; 32]),
}

/// A public key that verifies one JWS algorithm.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    kind: PublicKind,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("PublicKey");
        d.field("algorithm", &self.algorithm());
        if let PublicKind::Rsa { n, .. } = &self.kind {
            d.field("bits", &(n.len() * 8));
        }
        d.finish()
    }
}

/// `rsaEncryption` (RFC 8017).
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480).
const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` (RFC 5480).
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `id-Ed25519` (RFC 8410).
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// The largest PEM/JWK text accepted for one key.
const MAX_KEY_TEXT: usize = 64 * 1024;

fn strip_zeros(b: &[u8]) -> Vec<u8> {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default().to_vec()
}

impl PublicKey {
    /// The JWS algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        match self.kind {
            PublicKind::Rsa { .. } => Algorithm::Rs256,
            PublicKind::P256(_) => Algorithm::Es256,
            PublicKind::Ed25519(_) => Algorithm::EdDsa,
        }
    }

    /// Reads a DER `SubjectPublicKeyInfo` (RSA, EC P-256 or Ed25519).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed DER, another curve, or an unknown algorithm.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| {
            Error::invalid_key_caused(format!("malformed SubjectPublicKeyInfo: {e}"), e)
        })?;
        let oid = spki.algorithm.oid;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::invalid_key("public key bit string is not whole bytes"))?;
        if oid == OID_RSA {
            let k = rsa::RsaPublicKey::from_public_key_der(der).map_err(|e| {
                Error::invalid_key_caused(format!("malformed RSA public key: {e}"), e)
            })?;
            Self::rsa_from_parts(&k.n().to_bytes_be(), &k.e().to_bytes_be())
        } else if oid == OID_EC {
            match spki.algorithm.parameters_oid() {
                Ok(curve) if curve == OID_P256 => Self::p256_from_point(bits),
                Ok(curve) => Err(Error::invalid_key(format!(
                    "unsupported elliptic curve `{curve}` (only P-256)"
                ))),
                Err(_) => Err(Error::invalid_key(
                    "elliptic-curve key names no curve (only P-256)",
                )),
            }
        } else if oid == OID_ED25519 {
            let raw: [u8; 32] = bits
                .try_into()
                .map_err(|_| Error::invalid_key("Ed25519 key is not 32 bytes"))?;
            Ok(Self::from_ed25519_bytes(raw))
        } else {
            Err(Error::invalid_key(format!(
                "unsupported key algorithm `{oid}`"
            )))
        }
    }

    /// An Ed25519 public key from its 32 raw bytes (a Multikey or a JWK `x`).
    pub fn from_ed25519_bytes(raw: [u8; 32]) -> Self {
        PublicKey {
            kind: PublicKind::Ed25519(raw),
        }
    }

    fn rsa_from_parts(n: &[u8], e: &[u8]) -> Result<Self, Error> {
        let n = strip_zeros(n);
        let e = strip_zeros(e);
        let bits = n.len() * 8;
        if !(2048..=8192).contains(&bits) {
            return Err(Error::invalid_key(format!(
                "RSA modulus of {bits} bits (2048 to 8192 accepted)"
            )));
        }
        if e.is_empty() || e.len() > 8 {
            return Err(Error::invalid_key("RSA public exponent out of range"));
        }
        Ok(PublicKey {
            kind: PublicKind::Rsa { n, e },
        })
    }

    fn p256_from_point(point: &[u8]) -> Result<Self, Error> {
        if point.len() != 65 || point.first() != Some(&4) {
            return Err(Error::invalid_key(
                "P-256 key must be an uncompressed 65-byte point",
            ));
        }
        Ok(PublicKey {
            kind: PublicKind::P256(point.to_vec()),
        })
    }

    /// Reads a PEM public key: `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1).
    ///
    /// ```
    /// let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"),
    ///     "/../../fixtures/ob2/upstream/mozvalidator-rsa-public.pem"))?;
    /// let key = openbadges_proof::key::PublicKey::from_pem(&pem)?;
    /// assert_eq!(key.algorithm(), openbadges_proof::key::Algorithm::Rs256);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the text is not such a PEM block or the key is unsupported.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (label, der) = pem_decode(pem)?;
        match label.as_str() {
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "RSA PUBLIC KEY" => {
                let k = rsa::RsaPublicKey::from_pkcs1_der(&der).map_err(|e| {
                    Error::invalid_key_caused(format!("malformed RSA public key: {e}"), e)
                })?;
                Self::rsa_from_parts(&k.n().to_bytes_be(), &k.e().to_bytes_be())
            }
            other => Err(Error::invalid_key(format!(
                "expected a PUBLIC KEY PEM block, found `{other}`"
            ))),
        }
    }

    /// Reads a public JWK (`kty` `RSA`, `EC` with `crv` `P-256`, or `OKP` with `crv` `Ed25519`).
    /// Private members, if present, are ignored.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a missing or malformed member or an unsupported key type.
    pub fn from_jwk(jwk: &Value) -> Result<Self, Error> {
        let kty = jwk_str(jwk, "kty")?;
        match kty {
            "RSA" => Self::rsa_from_parts(&jwk_b64(jwk, "n")?, &jwk_b64(jwk, "e")?),
            "EC" => {
                let crv = jwk_str(jwk, "crv")?;
                if crv != "P-256" {
                    return Err(Error::invalid_key(format!("unsupported curve `{crv}`")));
                }
                let x = jwk_b64(jwk, "x")?;
                let y = jwk_b64(jwk, "y")?;
                if x.len() != 32 || y.len() != 32 {
                    return Err(Error::invalid_key("P-256 coordinates must be 32 bytes"));
                }
                let mut point = vec![4u8];
                point.extend_from_slice(&x);
                point.extend_from_slice(&y);
                Self::p256_from_point(&point)
            }
            "OKP" => {
                let crv = jwk_str(jwk, "crv")?;
                if crv != "Ed25519" {
                    return Err(Error::invalid_key(format!("unsupported curve `{crv}`")));
                }
                let raw: [u8; 32] = jwk_b64(jwk, "x")?
                    .try_into()
                    .map_err(|_| Error::invalid_key("Ed25519 key is not 32 bytes"))?;
                Ok(Self::from_ed25519_bytes(raw))
            }
            other => Err(Error::invalid_key(format!(
                "unsupported key type `{other}`"
            ))),
        }
    }

    /// Reads a public key file's text: a public JWK (text starting with `{`) or an SPKI PEM.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for anything else.
    pub fn from_pem_or_jwk(text: &str) -> Result<Self, Error> {
        if text.trim_start().starts_with('{') {
            let jwk =
                openbadges_model::parse_json(text.as_bytes(), &openbadges_model::Limits::default())
                    .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?;
            Self::from_jwk(&jwk)
        } else {
            Self::from_pem(text)
        }
    }

    /// The key as a public JWK (with `alg`).
    pub fn to_jwk(&self) -> Value {
        match &self.kind {
            PublicKind::Rsa { n, e } => json!({
                "kty": "RSA", "alg": "RS256",
                "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)
            }),
            PublicKind::P256(p) => json!({
                "kty": "EC", "crv": "P-256", "alg": "ES256",
                "x": URL_SAFE_NO_PAD.encode(p.get(1..33).unwrap_or_default()),
                "y": URL_SAFE_NO_PAD.encode(p.get(33..65).unwrap_or_default())
            }),
            PublicKind::Ed25519(k) => json!({
                "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "x": URL_SAFE_NO_PAD.encode(k)
            }),
        }
    }

    /// The key as DER `SubjectPublicKeyInfo`.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if an RSA key cannot be encoded (not expected for a key this type
    /// accepted).
    pub fn to_spki_der(&self) -> Result<Vec<u8>, Error> {
        match &self.kind {
            PublicKind::Rsa { n, e } => {
                let k = rsa::RsaPublicKey::new(
                    rsa::BigUint::from_bytes_be(n),
                    rsa::BigUint::from_bytes_be(e),
                )
                .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?;
                Ok(k.to_public_key_der()
                    .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?
                    .into_vec())
            }
            PublicKind::P256(p) => spki_der(OID_EC, Some(AnyRef::from(&OID_P256)), p),
            PublicKind::Ed25519(k) => spki_der(OID_ED25519, None, k),
        }
    }

    /// The key as a `PUBLIC KEY` (SPKI) PEM block, the form OB 2.0 `publicKeyPem` uses.
    ///
    /// # Errors
    /// As [`PublicKey::to_spki_der`].
    pub fn to_pem(&self) -> Result<String, Error> {
        pem_encode("PUBLIC KEY", &self.to_spki_der()?)
    }

    /// Verifies `signature` over `message` with `alg`, which must be this key's algorithm.
    ///
    /// # Errors
    /// [`Error::AlgorithmNotAllowed`] when `alg` does not match the key type;
    /// [`Error::SignatureInvalid`] (opaque) when the signature does not verify.
    pub fn verify(&self, alg: Algorithm, message: &[u8], sig: &[u8]) -> Result<(), Error> {
        if alg != self.algorithm() {
            return Err(Error::AlgorithmNotAllowed(format!(
                "`{alg}` does not match a {} key",
                self.algorithm()
            )));
        }
        let ok = match &self.kind {
            PublicKind::Rsa { n, e } => signature::RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, sig)
                .is_ok(),
            PublicKind::P256(p) => {
                signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, p)
                    .verify(message, sig)
                    .is_ok()
            }
            PublicKind::Ed25519(k) => signature::UnparsedPublicKey::new(&signature::ED25519, k)
                .verify(message, sig)
                .is_ok(),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::SignatureInvalid)
        }
    }
}

/// A DER `SubjectPublicKeyInfo` of `key` under `oid` (with `parameters`, RFC 5480 / RFC 8410).
fn spki_der(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    key: &[u8],
) -> Result<Vec<u8>, Error> {
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        subject_public_key: BitStringRef::from_bytes(key)
            .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?,
    };
    spki.to_der()
        .map_err(|e| Error::invalid_key_caused(e.to_string(), e))
}

fn jwk_str<'a>(jwk: &'a Value, member: &str) -> Result<&'a str, Error> {
    jwk.get(member)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid_key(format!("jwk member `{member}` missing or not a string")))
}

fn jwk_b64(jwk: &Value, member: &str) -> Result<Vec<u8>, Error> {
    URL_SAFE_NO_PAD.decode(jwk_str(jwk, member)?).map_err(|e| {
        Error::invalid_key_caused(format!("jwk member `{member}` is not base64url"), e)
    })
}

enum SecretKind {
    Rsa(signature::RsaKeyPair),
    P256(signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

/// A private signing key. Its `Debug` output never shows key material, and the PKCS#8 bytes it
/// keeps are zeroized on drop.
pub struct SecretKey {
    kind: SecretKind,
    pkcs8: Zeroizing<Vec<u8>>,
    /// `pkcs8` as a `PRIVATE KEY` PEM block, written once when the key is read.
    pkcs8_pem: Zeroizing<String>,
    public: PublicKey,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretKey")
            .field("algorithm", &self.algorithm())
            .field("material", &"<redacted>")
            .finish()
    }
}

impl SecretKey {
    /// Generates a new key for `alg` from the system CSPRNG: Ed25519 and P-256 with `ring`,
    /// RSA-2048 with the `rsa` crate.
    ///
    /// # Errors
    /// [`Error::Crypto`] if the random source or key generation fails.
    pub fn generate(alg: Algorithm) -> Result<Self, Error> {
        let rng = ring::rand::SystemRandom::new();
        let der: Vec<u8> = match alg {
            Algorithm::EdDsa => signature::Ed25519KeyPair::generate_pkcs8(&rng)
                .map_err(|_| Error::Crypto)?
                .as_ref()
                .to_vec(),
            Algorithm::Es256 => signature::EcdsaKeyPair::generate_pkcs8(
                &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                &rng,
            )
            .map_err(|_| Error::Crypto)?
            .as_ref()
            .to_vec(),
            Algorithm::Rs256 => {
                let k = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048)
                    .map_err(|_| Error::Crypto)?;
                k.to_pkcs8_der()
                    .map_err(|_| Error::Crypto)?
                    .as_bytes()
                    .to_vec()
            }
        };
        Self::from_pkcs8_der(&der)
    }

    /// Reads a DER PKCS#8 private key (RSA, P-256 or Ed25519; v1 or v2).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when it is none of those.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        let pkcs8 = Zeroizing::new(der.to_vec());
        let rng = ring::rand::SystemRandom::new();
        let kind = if let Ok(k) = signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            SecretKind::Ed25519(k)
        } else if let Ok(k) = signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            der,
            &rng,
        ) {
            SecretKind::P256(k)
        } else {
            match signature::RsaKeyPair::from_pkcs8(der) {
                Ok(k) => SecretKind::Rsa(k),
                Err(e) => {
                    // ring's `KeyRejected` is a `std::error::Error` only with ring's `std`
                    // feature; its text is kept in the message.
                    return Err(Error::invalid_key(format!(
                        "not an Ed25519, P-256 or RSA (2048-8192 bit) PKCS#8 key: {e}"
                    )));
                }
            }
        };
        let public = match &kind {
            SecretKind::Ed25519(k) => {
                let raw: [u8; 32] = k
                    .public_key()
                    .as_ref()
                    .try_into()
                    .map_err(|_| Error::invalid_key("bad Ed25519 public key"))?;
                PublicKey::from_ed25519_bytes(raw)
            }
            SecretKind::P256(k) => PublicKey::p256_from_point(k.public_key().as_ref())?,
            SecretKind::Rsa(k) => {
                let c: signature::RsaPublicKeyComponents<Vec<u8>> = k.public().into();
                PublicKey::rsa_from_parts(&c.n, &c.e)?
            }
        };
        let pkcs8_pem = Zeroizing::new(pem_encode("PRIVATE KEY", &pkcs8)?);
        Ok(SecretKey {
            kind,
            pkcs8,
            pkcs8_pem,
            public,
        })
    }

    /// Reads a PEM private key: `PRIVATE KEY` (PKCS#8), `RSA PRIVATE KEY` (PKCS#1) or
    /// `EC PRIVATE KEY` (SEC1, P-256). Encrypted PEM is not supported.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for anything else.
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        let (label, der) = pem_decode(pem)?;
        let der = Zeroizing::new(der);
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => {
                let k = rsa::RsaPrivateKey::from_pkcs1_der(&der).map_err(|e| {
                    Error::invalid_key_caused(format!("malformed RSA private key: {e}"), e)
                })?;
                let p8 = k
                    .to_pkcs8_der()
                    .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?;
                Self::from_pkcs8_der(p8.as_bytes())
            }
            "EC PRIVATE KEY" => Self::from_sec1_der(&der),
            other => Err(Error::invalid_key(format!(
                "expected a PRIVATE KEY PEM block, found `{other}`"
            ))),
        }
    }

    /// Reads a DER SEC1 `ECPrivateKey` (RFC 5915): P-256, named by its `parameters`, with its
    /// `publicKey` (as OpenSSL writes it).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for malformed DER, another or no named curve, a missing public key,
    /// or a public key that does not match the private scalar.
    pub fn from_sec1_der(der: &[u8]) -> Result<Self, Error> {
        let ec = EcPrivateKey::from_der(der)
            .map_err(|e| Error::invalid_key_caused(format!("malformed ECPrivateKey: {e}"), e))?;
        match ec.parameters.and_then(|p| p.named_curve()) {
            Some(curve) if curve == OID_P256 => {}
            Some(curve) => {
                return Err(Error::invalid_key(format!(
                    "unsupported elliptic curve `{curve}` (only P-256)"
                )));
            }
            None => {
                return Err(Error::invalid_key(
                    "ECPrivateKey names no curve (only P-256 is accepted)",
                ));
            }
        }
        let point = ec.public_key.ok_or_else(|| {
            Error::invalid_key("ECPrivateKey without its public key is not supported")
        })?;
        Self::from_pkcs8_der(&p256_pkcs8(ec.private_key, point)?)
    }

    /// Reads a private JWK (`d` and, for RSA, `p`, `q`).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for a missing member or a key that does not check out.
    pub fn from_jwk(jwk: &Value) -> Result<Self, Error> {
        let public = PublicKey::from_jwk(jwk)?;
        let d = Zeroizing::new(jwk_b64(jwk, "d")?);
        match &public.kind {
            PublicKind::Ed25519(x) => {
                signature::Ed25519KeyPair::from_seed_and_public_key(&d, x)
                    .map_err(|_| Error::invalid_key("Ed25519 d and x do not match"))?;
                // ring has no PKCS#8 export for a key built from a seed: write the v1 document.
                Self::from_pkcs8_der(&ed25519_pkcs8(&d)?)
            }
            PublicKind::P256(point) => {
                let rng = ring::rand::SystemRandom::new();
                signature::EcdsaKeyPair::from_private_key_and_public_key(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &d,
                    point,
                    &rng,
                )
                .map_err(|_| Error::invalid_key("P-256 d and x/y do not match"))?;
                Self::from_pkcs8_der(&p256_pkcs8(&d, point)?)
            }
            PublicKind::Rsa { n, e } => {
                let p = Zeroizing::new(jwk_b64(jwk, "p")?);
                let q = Zeroizing::new(jwk_b64(jwk, "q")?);
                let k = rsa::RsaPrivateKey::from_components(
                    rsa::BigUint::from_bytes_be(n),
                    rsa::BigUint::from_bytes_be(e),
                    rsa::BigUint::from_bytes_be(&d),
                    vec![
                        rsa::BigUint::from_bytes_be(&p),
                        rsa::BigUint::from_bytes_be(&q),
                    ],
                )
                .map_err(|e| Error::invalid_key_caused(format!("RSA jwk: {e}"), e))?;
                let p8 = k.to_pkcs8_der().map_err(|_| Error::Crypto)?;
                Self::from_pkcs8_der(p8.as_bytes())
            }
        }
    }

    /// Reads a private key file's text: a private JWK (text starting with `{`) or a PEM
    /// (PKCS#8, or PKCS#1 for RSA).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for anything else.
    pub fn from_pem_or_jwk(text: &str) -> Result<Self, Error> {
        if text.trim_start().starts_with('{') {
            let jwk =
                openbadges_model::parse_json(text.as_bytes(), &openbadges_model::Limits::default())
                    .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?;
            Self::from_jwk(&jwk)
        } else {
            Self::from_pem(text)
        }
    }

    /// The 32-byte seed of an Ed25519 key (what `eddsa-rdfc-2022` signers are built from);
    /// `None` for RSA and P-256 keys. Zeroized when dropped.
    pub fn ed25519_seed(&self) -> Option<Zeroizing<[u8; 32]>> {
        if !matches!(self.kind, SecretKind::Ed25519(_)) {
            return None;
        }
        // PKCS#8 v1/v2: the private key is a CurvePrivateKey, an OCTET STRING holding the seed
        // (RFC 8410 section 7).
        let pk = PrivateKeyInfo::from_der(&self.pkcs8).ok()?;
        let seed = OctetStringRef::from_der(pk.private_key).ok()?;
        Some(Zeroizing::new(<[u8; 32]>::try_from(seed.as_bytes()).ok()?))
    }

    /// The JWS algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        self.public.algorithm()
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key as a PKCS#8 `PRIVATE KEY` PEM block (zeroized when dropped).
    pub fn to_pkcs8_pem(&self) -> Zeroizing<String> {
        self.pkcs8_pem.clone()
    }

    /// The P-256 scalar `d` (32 bytes) from the stored PKCS#8 document.
    fn p256_scalar(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let pk = PrivateKeyInfo::from_der(&self.pkcs8)
            .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?;
        let ec = EcPrivateKey::from_der(pk.private_key)
            .map_err(|e| Error::invalid_key_caused(format!("malformed ECPrivateKey: {e}"), e))?;
        Ok(Zeroizing::new(ec.private_key.to_vec()))
    }

    /// The key as a SEC1 `EC PRIVATE KEY` PEM block (RFC 5915, named curve and public key
    /// included, as OpenSSL writes it); zeroized when dropped.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for an RSA or Ed25519 key (SEC1 is for elliptic-curve keys).
    pub fn to_sec1_pem(&self) -> Result<Zeroizing<String>, Error> {
        let PublicKind::P256(point) = &self.public.kind else {
            return Err(Error::invalid_key(format!(
                "SEC1 is for elliptic-curve keys, not {} keys",
                self.algorithm()
            )));
        };
        let d = self.p256_scalar()?;
        let ec = EcPrivateKey {
            private_key: &d,
            parameters: Some(EcParameters::NamedCurve(OID_P256)),
            public_key: Some(point),
        };
        let der = Zeroizing::new(
            ec.to_der()
                .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?,
        );
        Ok(Zeroizing::new(pem_encode("EC PRIVATE KEY", &der)?))
    }

    /// The key as a private JWK (public members plus `d`, and the CRT members for RSA).
    ///
    /// # Errors
    /// [`Error::InvalidKey`] if the stored PKCS#8 document cannot be re-read.
    pub fn to_jwk(&self) -> Result<Zeroizing<String>, Error> {
        let mut jwk = match self.public.to_jwk() {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        match &self.kind {
            SecretKind::Ed25519(_) => {
                let seed = self
                    .ed25519_seed()
                    .ok_or_else(|| Error::invalid_key("malformed Ed25519 PKCS#8 key"))?;
                jwk.insert("d".into(), URL_SAFE_NO_PAD.encode(*seed).into());
            }
            SecretKind::P256(_) => {
                let d = self.p256_scalar()?;
                jwk.insert("d".into(), URL_SAFE_NO_PAD.encode(&*d).into());
            }
            SecretKind::Rsa(_) => {
                let k = rsa::RsaPrivateKey::from_pkcs8_der(&self.pkcs8)
                    .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?;
                let enc = |b: &rsa::BigUint| Value::from(URL_SAFE_NO_PAD.encode(b.to_bytes_be()));
                jwk.insert("d".into(), enc(k.d()));
                if let [p, q, ..] = k.primes() {
                    jwk.insert("p".into(), enc(p));
                    jwk.insert("q".into(), enc(q));
                }
                if let (Some(dp), Some(dq)) = (k.dp(), k.dq()) {
                    jwk.insert("dp".into(), enc(dp));
                    jwk.insert("dq".into(), enc(dq));
                }
            }
        }
        let text = serde_json::to_string(&Value::Object(jwk)).map_err(|_| Error::Crypto)?;
        Ok(Zeroizing::new(text))
    }

    /// Signs `message` with this key's algorithm; returns the JWS signature bytes.
    ///
    /// # Errors
    /// [`Error::Crypto`] if signing fails (random source failure).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let rng = ring::rand::SystemRandom::new();
        match &self.kind {
            SecretKind::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
            SecretKind::P256(k) => Ok(k
                .sign(&rng, message)
                .map_err(|_| Error::Crypto)?
                .as_ref()
                .to_vec()),
            SecretKind::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
                    .map_err(|_| Error::Crypto)?;
                Ok(sig)
            }
        }
    }
}

/// A PKCS#8 v1 document of an Ed25519 seed (RFC 8410: the key is an OCTET STRING in the
/// `privateKey` OCTET STRING).
fn ed25519_pkcs8(seed: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bad = |e: der::Error| Error::invalid_key_caused(e.to_string(), e);
    let inner = Zeroizing::new(
        OctetStringRef::new(seed)
            .map_err(bad)?
            .to_der()
            .map_err(bad)?,
    );
    private_key_info(OID_ED25519, None, &inner)
}

/// A PKCS#8 v1 document of a P-256 key: `ECPrivateKey { 1, d, publicKey }` without the curve
/// (the algorithm identifier names it), the form `ring` writes.
fn p256_pkcs8(d: &[u8], point: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bad = |e: der::Error| Error::invalid_key_caused(e.to_string(), e);
    let ec = EcPrivateKey {
        private_key: d,
        parameters: None,
        public_key: Some(point),
    };
    let inner = Zeroizing::new(ec.to_der().map_err(bad)?);
    private_key_info(OID_EC, Some(AnyRef::from(&OID_P256)), &inner)
}

fn private_key_info(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    private_key: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let info = PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        private_key,
        public_key: None,
    };
    Ok(Zeroizing::new(info.to_der().map_err(|e| {
        Error::invalid_key_caused(e.to_string(), e)
    })?))
}

/// Encodes DER bytes as a PEM block (RFC 7468) with 64-column lines and LF line ends.
///
/// # Errors
/// [`Error::InvalidKey`] when `label` is not a valid PEM label.
pub fn pem_encode(label: &str, der: &[u8]) -> Result<String, Error> {
    pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der)
        .map_err(|e| Error::invalid_key_caused(format!("cannot write PEM: {e}"), e))
}

/// Decodes the first PEM block in `text` (RFC 7468): returns its label and DER bytes.
/// Text before and after the block is ignored, and lines may end in CRLF; the base64 lines
/// must all have the width of the first one (64 as written by OpenSSL, or any other width,
/// or one line). Headers (encrypted PEM) are refused.
///
/// # Errors
/// [`Error::InvalidKey`] when there is no complete block or its body is not base64.
pub fn pem_decode(text: &str) -> Result<(String, Vec<u8>), Error> {
    if text.len() > MAX_KEY_TEXT {
        return Err(Error::invalid_key("key text too large"));
    }
    let start = text
        .find("-----BEGIN ")
        .ok_or_else(|| Error::invalid_key("no PEM block found"))?;
    let block = text.get(start..).unwrap_or_default();
    // The block ends with its `-----END label-----` line; what follows it is not ours to read.
    let end = block
        .find("-----END ")
        .and_then(|i| {
            let tail = block.get(i + 9..)?;
            Some(i + 9 + tail.find("-----")? + 5)
        })
        .ok_or_else(|| Error::invalid_key("no `-----END …-----` line"))?;
    let block = block.get(..end).unwrap_or_default();
    let width = block
        .split(['\n', '\r'])
        .filter(|l| !l.is_empty())
        .nth(1)
        .map_or(64, str::len);
    let map = |e: pem_rfc7468::Error| match e {
        e @ pem_rfc7468::Error::HeaderDisallowed => {
            Error::invalid_key_caused("PEM headers (encrypted keys) are not supported", e)
        }
        e => Error::invalid_key_caused(format!("malformed PEM: {e}"), e),
    };
    let mut decoder = pem_rfc7468::Decoder::new_wrapped(block.as_bytes(), width.max(4))
        .map_err(|e| map(check_headers(block, e)))?;
    let label = decoder.type_label().to_string();
    let mut der = Vec::new();
    decoder
        .decode_to_end(&mut der)
        .map_err(|e| map(check_headers(block, e)))?;
    Ok((label, der))
}

/// `pem-rfc7468` names a header only from its one-shot decoders; the streaming one reports it
/// as a base64 error.
fn check_headers(block: &str, e: pem_rfc7468::Error) -> pem_rfc7468::Error {
    if block.contains(':') {
        pem_rfc7468::Error::HeaderDisallowed
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn generate_sign_verify_and_round_trip_each_algorithm() {
        for alg in [Algorithm::EdDsa, Algorithm::Es256, Algorithm::Rs256] {
            let k = SecretKey::generate(alg).unwrap();
            assert_eq!(k.algorithm(), alg);
            let sig = k.sign(b"hello").unwrap();
            k.public_key().verify(alg, b"hello", &sig).unwrap();
            assert_eq!(
                k.public_key().verify(alg, b"hellO", &sig),
                Err(Error::SignatureInvalid)
            );
            // PEM round trips
            let k2 = SecretKey::from_pem(&k.to_pkcs8_pem()).unwrap();
            assert_eq!(k2.public_key(), k.public_key());
            let p2 = PublicKey::from_pem(&k.public_key().to_pem().unwrap()).unwrap();
            assert_eq!(&p2, k.public_key());
            // JWK round trips
            let pj = PublicKey::from_jwk(&k.public_key().to_jwk()).unwrap();
            assert_eq!(&pj, k.public_key());
            let sj: Value = serde_json::from_str(&k.to_jwk().unwrap()).unwrap();
            let k3 = SecretKey::from_jwk(&sj).unwrap();
            let sig3 = k3.sign(b"x").unwrap();
            k.public_key().verify(alg, b"x", &sig3).unwrap();
            assert!(!format!("{k:?}").contains(&*k.to_pkcs8_pem()));
        }
    }

    #[test]
    fn wrong_algorithm_for_key_type_is_refused() {
        let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
        let sig = k.sign(b"m").unwrap();
        assert!(matches!(
            k.public_key().verify(Algorithm::Rs256, b"m", &sig),
            Err(Error::AlgorithmNotAllowed(_))
        ));
    }

    #[test]
    fn reads_fixture_pkcs1_private_key_and_spki_public_key() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/ob2/upstream/");
        let sk = SecretKey::from_pem(
            &std::fs::read_to_string(format!("{dir}mozvalidator-rsa-private.pem")).unwrap(),
        )
        .unwrap();
        let pk = PublicKey::from_pem(
            &std::fs::read_to_string(format!("{dir}mozvalidator-rsa-public.pem")).unwrap(),
        )
        .unwrap();
        assert_eq!(sk.public_key(), &pk);
        let wrong = PublicKey::from_pem(
            &std::fs::read_to_string(format!("{dir}mozvalidator-rsa-wrong-public.pem")).unwrap(),
        )
        .unwrap();
        assert_ne!(wrong, pk);
    }

    #[test]
    fn pem_decode_rejects_garbage() {
        assert!(pem_decode("hello").is_err());
        assert!(pem_decode("-----BEGIN X-----\n!!!\n-----END X-----").is_err());
        assert!(
            pem_decode("-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END X-----").is_err()
        );
    }
}
