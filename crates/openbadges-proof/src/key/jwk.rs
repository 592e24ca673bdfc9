//! JSON Web Keys (RFC 7517; RFC 7518 for `RSA` and `EC` P-256, RFC 8037 for `OKP` Ed25519):
//! [`PublicKey`] and [`SecretKey`] read from and written as JWKs.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_model::member::Members;
use ring::signature;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PrivateKeyParts;
use serde_json::{Map, Value, json};
use zeroize::Zeroizing;

use super::asn1::{ed25519_pkcs8, p256_pkcs8};
use super::public::PublicKind;
use super::secret::SecretKind;
use super::{PublicKey, SecretKey};
use crate::Error;

fn jwk_str<'a>(jwk: &'a Value, member: &str) -> Result<&'a str, Error> {
    jwk.member(member)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid_key(format!("jwk member `{member}` missing or not a string")))
}

fn jwk_b64(jwk: &Value, member: &str) -> Result<Vec<u8>, Error> {
    crate::jws::b64url_decode(jwk_str(jwk, member)?).map_err(|e| {
        Error::invalid_key_caused(format!("jwk member `{member}` is not base64url"), e)
    })
}

impl PublicKey {
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
}

impl SecretKey {
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
}
