//! The issuer's signing keys ([`IssuerKeys`]): which key signs which form, how fresh keys are
//! made, and how they are read back to be stored.

use std::fmt;

use openbadges_proof::data_integrity::Ed25519Signer;
use openbadges_proof::key::{Algorithm, SecretKey};
use zeroize::Zeroizing;

use crate::Error;
use crate::store::StoredKeys;

/// The issuer's signing keys: an Ed25519 key for OB 3.0 Data Integrity proofs (and the
/// status list), a JWS key (RS256, ES256 or EdDSA) for signed OB 2.0 assertions, and
/// optionally a separate key for VC-JWTs (else the JWS key signs them too).
///
/// Interoperability: the OB 2.0 reference verifier (badgecheck) checks RS256 only, so an
/// issuer whose signed OB 2.0 badges must verify everywhere uses an RSA JWS key, and an ES256
/// VC-JWT key (RS256 VC-JWTs are allowed but larger). `Debug` shows no secret.
#[derive(Default)]
pub struct IssuerKeys {
    ed25519_seed: Option<Zeroizing<[u8; 32]>>,
    di: Option<Ed25519Signer>,
    jws: Option<SecretKey>,
    vc_jwt: Option<SecretKey>,
}

impl fmt::Debug for IssuerKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKeys")
            .field(
                "data_integrity",
                &self.di.as_ref().map(|s| s.multikey().encode()),
            )
            .field("jws", &self.jws.as_ref().map(SecretKey::algorithm))
            .field("vc_jwt", &self.vc_jwt.as_ref().map(SecretKey::algorithm))
            .finish()
    }
}

impl IssuerKeys {
    /// No keys (only OB 2.0 hosted assertions can be issued).
    pub fn new() -> Self {
        Self::default()
    }

    /// Fresh keys: an Ed25519 Data Integrity key and a JWS key of algorithm `jws` (RS256 is
    /// what every OB 2.0 verifier supports; generating it takes a moment).
    ///
    /// # Errors
    /// [`Error::Random`] or a key error from the proof crate.
    pub fn generate(jws: Algorithm) -> Result<Self, Error> {
        let mut seed = Zeroizing::new([0u8; 32]);
        fill_random(seed.as_mut())?;
        Ok(Self::new()
            .ed25519_seed(&seed)?
            .jws_key(SecretKey::generate(jws)?))
    }

    /// Uses the Ed25519 key with this 32-byte seed for Data Integrity proofs.
    ///
    /// # Errors
    /// [`Error::DataIntegrity`] if the seed is rejected.
    pub fn ed25519_seed(mut self, seed: &[u8; 32]) -> Result<Self, Error> {
        self.di = Some(Ed25519Signer::from_seed(seed)?);
        self.ed25519_seed = Some(Zeroizing::new(*seed));
        Ok(self)
    }

    /// Uses `key` to sign OB 2.0 assertions as JWS (and VC-JWTs, unless
    /// [`IssuerKeys::vc_jwt_key`] gives another key).
    pub fn jws_key(mut self, key: SecretKey) -> Self {
        self.jws = Some(key);
        self
    }

    /// Uses `key` to sign OB 3.0 VC-JWTs (ES256 recommended).
    pub fn vc_jwt_key(mut self, key: SecretKey) -> Self {
        self.vc_jwt = Some(key);
        self
    }

    /// The key that signs VC-JWTs: the VC-JWT key, else the JWS key.
    pub fn vc_jwt(&self) -> Option<&SecretKey> {
        self.vc_jwt.as_ref().or(self.jws.as_ref())
    }

    /// The Ed25519 seed, to store it (keep it secret).
    pub fn ed25519_seed_bytes(&self) -> Option<&[u8; 32]> {
        self.ed25519_seed.as_deref()
    }

    /// The JWS key, to store it (`to_pkcs8_pem`; keep it secret).
    pub fn jws(&self) -> Option<&SecretKey> {
        self.jws.as_ref()
    }

    /// The Data Integrity public key as a Multikey (`z6Mk…`).
    pub fn multikey(&self) -> Option<String> {
        self.di.as_ref().map(|s| s.multikey().encode())
    }

    /// The Ed25519 signer of Data Integrity proofs, if there is an Ed25519 key.
    pub(crate) fn data_integrity_signer(&self) -> Option<&Ed25519Signer> {
        self.di.as_ref()
    }

    /// The separate VC-JWT key, if one was given (without falling back to the JWS key).
    pub(super) fn separate_vc_jwt_key(&self) -> Option<&SecretKey> {
        self.vc_jwt.as_ref()
    }
}

impl IssuerKeys {
    /// The keys as a store keeps them (secrets in the clear: keep the store private).
    pub(crate) fn to_stored(&self) -> StoredKeys {
        let mut k = StoredKeys::default();
        k.ed25519_seed = self
            .ed25519_seed
            .as_deref()
            .map(|s| s.iter().map(|b| format!("{b:02x}")).collect());
        k.jws_pem = self.jws.as_ref().map(|k| k.to_pkcs8_pem().to_string());
        k.vc_jwt_pem = self.vc_jwt.as_ref().map(|k| k.to_pkcs8_pem().to_string());
        k
    }

    /// The keys a store kept.
    ///
    /// # Errors
    /// [`Error::Config`] for a seed that is not 32 hex bytes; a key error for a bad PEM.
    pub(crate) fn from_stored(stored: &StoredKeys) -> Result<Self, Error> {
        let mut keys = IssuerKeys::new();
        if let Some(hex) = &stored.ed25519_seed {
            let mut seed = Zeroizing::new([0u8; 32]);
            let digits = hex.trim().as_bytes();
            if digits.len() != 64 {
                return Err(Error::Config(
                    "the stored Ed25519 seed is not 32 hex bytes".into(),
                ));
            }
            for (byte, pair) in seed.iter_mut().zip(digits.chunks(2)) {
                let text = std::str::from_utf8(pair)
                    .map_err(|_| Error::Config("the stored Ed25519 seed is not hex".into()))?;
                *byte = u8::from_str_radix(text, 16)
                    .map_err(|_| Error::Config("the stored Ed25519 seed is not hex".into()))?;
            }
            keys = keys.ed25519_seed(&seed)?;
        }
        if let Some(pem) = &stored.jws_pem {
            keys = keys.jws_key(SecretKey::from_pem(pem)?);
        }
        if let Some(pem) = &stored.vc_jwt_pem {
            keys = keys.vc_jwt_key(SecretKey::from_pem(pem)?);
        }
        Ok(keys)
    }
}

/// Fills `buf` from the system's cryptographically secure random source.
fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    use ring::rand::SecureRandom as _;
    ring::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| Error::Random)
}
