//! PKCE (RFC 7636) with the `S256` method only: the `plain` method sends the verifier itself
//! and is refused by OB 3.0 hosts.

use base64::Engine as _;

use crate::{Error, Result};

/// The only code challenge method in use: `S256`.
pub const METHOD_S256: &str = "S256";

/// A fresh code verifier: 32 random bytes, base64url without padding (43 characters, RFC 7636
/// §4.1).
///
/// # Errors
/// [`Error::Random`] if the system random source fails.
pub fn generate_verifier() -> Result<String> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// Whether `verifier` has the form RFC 7636 §4.1 requires: 43 to 128 characters from
/// `[A-Za-z0-9-._~]`.
pub fn is_valid_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `challenge` has the form of an `S256` challenge: 43 base64url characters (a SHA-256
/// digest without padding).
pub fn is_valid_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

/// The `S256` code challenge of `verifier`: `BASE64URL(SHA256(ASCII(verifier)))`.
pub fn s256_challenge(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// Whether `verifier` is well-formed and its `S256` challenge is `challenge` (compared in
/// constant time).
pub fn verify_s256(verifier: &str, challenge: &str) -> bool {
    is_valid_verifier(verifier)
        && openbadges_model::identity::constant_time_eq(
            s256_challenge(verifier).as_bytes(),
            challenge.as_bytes(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let v = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256_challenge(v),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(verify_s256(
            v,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!verify_s256(
            v,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"
        ));
    }

    #[test]
    fn generated_verifiers_are_valid_and_distinct() {
        let a = generate_verifier().unwrap();
        let b = generate_verifier().unwrap();
        assert!(is_valid_verifier(&a));
        assert_ne!(a, b);
        assert!(is_valid_s256_challenge(&s256_challenge(&a)));
    }

    #[test]
    fn malformed_verifiers_are_refused() {
        assert!(!is_valid_verifier("short"));
        assert!(!is_valid_verifier(&"a".repeat(129)));
        let bad = format!("{}+", "a".repeat(42));
        assert!(!is_valid_verifier(&bad));
        // A malformed verifier never verifies, even against its own digest.
        assert!(!verify_s256("short", &s256_challenge("short")));
    }
}
