//! Public keys read from PEM text, kept by that exact text.
//!
//! Every signed OB 2.0 badge of an issuer names the same key document, whose `publicKeyPem`
//! is decoded (base64, DER, the RSA integers) into the same [`PublicKey`] each time. The parsed
//! key is a pure function of the text, so it is kept keyed on the **whole text** (compared in
//! full; no hash stands for it): at most [`MAX_KEYS`] keys of at most [`MAX_PEM_BYTES`] bytes
//! of text each; when full, the oldest is dropped. Texts that do not parse are not kept (the
//! error is produced afresh).

use std::collections::{HashMap, VecDeque};
use std::sync::{LazyLock, Mutex, PoisonError};

use super::PublicKey;
use crate::Error;

/// The most keys kept.
pub(crate) const MAX_KEYS: usize = 64;
/// The longest PEM text kept (an RSA-4096 SPKI PEM is about 800 bytes).
pub(crate) const MAX_PEM_BYTES: usize = 8 * 1024;

/// Parsed keys by their PEM text. `Send + Sync`.
pub(crate) struct KeyCache {
    inner: Mutex<Keys>,
}

#[derive(Default)]
struct Keys {
    by_pem: HashMap<String, PublicKey>,
    /// PEM texts in insertion order, oldest first.
    order: VecDeque<String>,
}

impl KeyCache {
    fn new() -> Self {
        KeyCache {
            inner: Mutex::new(Keys::default()),
        }
    }

    /// [`PublicKey::from_pem`] of `pem`, reusing the key read from the same text before.
    fn read_pem(&self, pem: &str) -> Result<PublicKey, Error> {
        if let Some(k) = self
            .inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_pem
            .get(pem)
        {
            return Ok(k.clone());
        }
        let key = PublicKey::from_pem(pem)?;
        if pem.len() <= MAX_PEM_BYTES {
            let mut k = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            if !k.by_pem.contains_key(pem) {
                while k.by_pem.len() >= MAX_KEYS {
                    let Some(oldest) = k.order.pop_front() else {
                        break;
                    };
                    k.by_pem.remove(&oldest);
                }
                k.by_pem.insert(pem.to_string(), key.clone());
                k.order.push_back(pem.to_string());
            }
        }
        Ok(key)
    }
}

static KEYS: LazyLock<KeyCache> = LazyLock::new(KeyCache::new);

/// [`PublicKey::from_pem`], with the keys of recently seen PEM texts kept (see the module docs).
///
/// # Errors
/// As [`PublicKey::from_pem`].
pub(crate) fn public_key_from_pem(pem: &str) -> Result<PublicKey, Error> {
    KEYS.read_pem(pem)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::key::{Algorithm, SecretKey};

    #[test]
    fn the_whole_text_is_the_key() {
        let c = KeyCache::new();
        let a = SecretKey::generate(Algorithm::Es256).unwrap();
        let b = SecretKey::generate(Algorithm::Es256).unwrap();
        let pa = a.public_key().to_pem().unwrap();
        let pb = b.public_key().to_pem().unwrap();
        assert_eq!(&c.read_pem(&pa).unwrap(), a.public_key());
        assert_eq!(&c.read_pem(&pa).unwrap(), a.public_key());
        // Another text (same length, same header) is never answered by the first key.
        assert_eq!(pa.len(), pb.len());
        assert_eq!(&c.read_pem(&pb).unwrap(), b.public_key());
        // A text that differs from a kept one in one character is read, not looked up.
        let mut broken = pa.clone().into_bytes();
        if let Some(x) = broken.get_mut(40) {
            *x = if *x == b'A' { b'B' } else { b'A' };
        }
        let broken = String::from_utf8(broken).unwrap();
        assert_eq!(c.read_pem(&broken).ok(), PublicKey::from_pem(&broken).ok());
        assert!(c.read_pem("not a key").is_err());
    }

    #[test]
    fn bounded() {
        let c = KeyCache::new();
        for _ in 0..MAX_KEYS + 5 {
            let k = SecretKey::generate(Algorithm::EdDsa).unwrap();
            let pem = k.public_key().to_pem().unwrap();
            assert_eq!(&c.read_pem(&pem).unwrap(), k.public_key());
        }
        assert_eq!(c.inner.lock().unwrap().by_pem.len(), MAX_KEYS);
    }
}
