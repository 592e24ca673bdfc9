//! [`SecretKey`]: a private signing key, generated or read from PKCS#8, PKCS#1 or SEC1 (DER or
//! PEM), written as PKCS#8 or SEC1 PEM, and signing with `ring`. Its key material is never
//! shown by `Debug` and is zeroized on drop.

use der::asn1::OctetStringRef;
use der::{Decode as _, Encode as _};
use pkcs8::PrivateKeyInfo;
use ring::signature::{self, KeyPair as _};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::EncodePrivateKey;
use sec1::{EcParameters, EcPrivateKey};
use zeroize::Zeroizing;

use super::asn1::{OID_P256, p256_pkcs8};
use super::pem::{pem_decode, pem_encode};
use super::public::PublicKind;
use super::{Algorithm, PublicKey};
use crate::Error;

pub(super) enum SecretKind {
    Rsa(signature::RsaKeyPair),
    P256(signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

/// A private signing key. Its `Debug` output never shows key material, and the PKCS#8 bytes it
/// keeps are zeroized on drop.
pub struct SecretKey {
    pub(super) kind: SecretKind,
    pub(super) pkcs8: Zeroizing<Vec<u8>>,
    /// `pkcs8` as a `PRIVATE KEY` PEM block, written once when the key is read.
    pub(super) pkcs8_pem: Zeroizing<String>,
    pub(super) public: PublicKey,
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
    pub(super) fn p256_scalar(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
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
