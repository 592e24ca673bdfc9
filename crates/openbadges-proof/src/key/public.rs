//! [`PublicKey`]: a public key of one of the three key types, read from SPKI or PKCS#1 DER or
//! PEM, written as SPKI, and verifying JWS signatures with `ring`.

use der::Decode as _;
use der::asn1::AnyRef;
use ring::signature;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey};
use rsa::traits::PublicKeyParts;
use spki::SubjectPublicKeyInfoRef;

use super::Algorithm;
use super::asn1::{OID_EC, OID_ED25519, OID_P256, OID_RSA, spki_der};
use super::pem::{pem_decode, pem_encode};
use crate::Error;

#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum PublicKind {
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
    pub(super) kind: PublicKind,
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

    pub(super) fn rsa_from_parts(n: &[u8], e: &[u8]) -> Result<Self, Error> {
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

    pub(super) fn p256_from_point(point: &[u8]) -> Result<Self, Error> {
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
