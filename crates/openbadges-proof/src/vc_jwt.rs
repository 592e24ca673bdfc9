//! VC-JWT for Open Badges 3.0 / CLR 2.0: issue and verify credentials as compact JWS
//! (`RS256`, `ES256`, `EdDSA`).
//!
//! - The JOSE header may hold only `alg`, `kid`, `jwk` and `typ` (`typ` must be `JWT` when
//!   present); anything else is refused ([`VcJwtError::UnexpectedHeader`]).
//! - The payload is the credential itself with the JWT claims `iss` (issuer id), `sub`
//!   (`credentialSubject.id`), `jti` (credential `id`), `nbf` (`validFrom`) and `exp`
//!   (`validUntil`), which must agree with the credential ([`VcJwt::claim_problems`]).
//!   VC 1.1 JWTs whose credential is in a `vc` claim are accepted too.
//! - Key provenance ([`resolve_key`]): a `jwk` in the header proves nothing by itself. The key
//!   must be bound to the issuer by a key the caller pinned, by the issuer's DID (`did:key`,
//!   `did:jwk`, `did:web`), or by the issuer's JWKS at `/.well-known/jwks.json` of the issuer
//!   id's authority. An unbound key gives [`KeyResolution::NotBound`] (verification reports it
//!   as indeterminate) unless the caller sets [`KeyPolicy::dangerous_accept_unbound_header_jwk`].
//!
//! This module holds the token type ([`VcJwt`]: parsing and header checks) and signature
//! checking; the rest lives one idea per module, re-exported here:
//!
//! - `claims`: the JWT claims and the credential they stand for ([`credential_from_claims`],
//!   [`VcJwt::claim_problems`], and the credential's issuer id and dates);
//! - `issue`: signing a credential as a VC-JWT ([`issue`], [`HeaderKey`]);
//! - `key_resolution`: which key may have signed a token, bound to its issuer ([`resolve_key`],
//!   [`KeyPolicy`], [`KeyResolution`]).
//!
//! ```
//! use openbadges_proof::key::{Algorithm, SecretKey};
//! use openbadges_proof::vc_jwt::{self, HeaderKey, VcJwt};
//! let key = SecretKey::generate(Algorithm::EdDsa)?;
//! let credential = serde_json::json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2",
//!                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
//!     "id": "urn:uuid:2d7c3e2a-6e1f-4b43-9d59-4a1c4f0c5b10",
//!     "type": ["VerifiableCredential", "OpenBadgeCredential"],
//!     "issuer": {"id": "https://example.org/issuer", "type": ["Profile"]},
//!     "validFrom": "2024-01-01T00:00:00Z",
//!     "credentialSubject": {"id": "did:example:alice", "type": ["AchievementSubject"]}
//! });
//! let token = vc_jwt::issue(&credential, &key, &HeaderKey::Jwk)?;
//! let jwt = VcJwt::parse(&token)?;
//! assert!(jwt.claim_problems().is_empty());
//! assert_eq!(jwt.credential()["id"], credential["id"]);
//! jwt.jws().verify(key.public_key())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use openbadges_model::member::Members;
use serde_json::{Map, Value};

use crate::Error;
use crate::jws::Jws;
use crate::key::PublicKey;

mod claims;
mod issue;
mod key_resolution;
#[cfg(test)]
mod tests;

pub use claims::{credential_from_claims, issuer_id, parse_datetime};
pub use issue::{HeaderKey, issue};
pub use key_resolution::{KeyBinding, KeyPolicy, KeyResolution, jwks_url, resolve_key};

/// The JOSE header members a VC-JWT may carry.
pub const ALLOWED_HEADER_MEMBERS: [&str; 4] = ["alg", "kid", "jwk", "typ"];

/// The registered JWT claims that are not part of a VC 2.0 credential carried as the payload.
const REGISTERED_CLAIMS: [&str; 7] = ["iss", "sub", "jti", "nbf", "exp", "iat", "aud"];

/// Why a token is not a well-formed VC-JWT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VcJwtError {
    /// The compact JWS itself is malformed.
    #[error(transparent)]
    Jws(#[from] Error),
    /// The header has a member other than `alg`, `kid`, `jwk`, `typ`.
    #[error("unexpected JOSE header member `{0}` (only alg, kid, jwk, typ are allowed)")]
    UnexpectedHeader(String),
    /// `typ` is present and not `JWT`.
    #[error("JOSE header `typ` must be \"JWT\", found {0}")]
    BadTyp(String),
    /// The payload is not a JSON object holding a credential.
    #[error("VC-JWT payload: {0}")]
    Payload(String),
    /// The credential cannot be issued as a VC-JWT (no issuer id, bad dates, …).
    #[error("cannot issue: {0}")]
    Issue(String),
}

/// A parsed VC-JWT (header checked, signature NOT verified).
#[derive(Debug, Clone, PartialEq)]
pub struct VcJwt {
    jws: Jws,
    claims: Map<String, Value>,
    credential: Value,
    vc_claim: bool,
}

impl VcJwt {
    /// Parses a compact VC-JWT and checks its header.
    ///
    /// # Errors
    /// A [`VcJwtError`] naming the problem.
    pub fn parse(token: &str) -> Result<Self, VcJwtError> {
        Self::from_jws(Jws::parse(token)?)
    }

    /// Checks an already parsed JWS as a VC-JWT.
    ///
    /// # Errors
    /// A [`VcJwtError`] naming the problem.
    pub fn from_jws(jws: Jws) -> Result<Self, VcJwtError> {
        if let Some(k) = jws
            .header()
            .keys()
            .find(|k| !ALLOWED_HEADER_MEMBERS.contains(&k.as_str()))
        {
            return Err(VcJwtError::UnexpectedHeader(k.clone()));
        }
        match jws.header().member("typ") {
            None => {}
            Some(Value::String(t)) if t == "JWT" => {}
            Some(other) => return Err(VcJwtError::BadTyp(other.to_string())),
        }
        if let Some(kid) = jws.header().member("kid") {
            if !kid.is_string() {
                return Err(VcJwtError::Payload("`kid` is not a string".into()));
            }
        }
        if let Some(jwk) = jws.header().member("jwk") {
            if !jwk.is_object() {
                return Err(VcJwtError::Payload("`jwk` is not an object".into()));
            }
        }
        // The payload is read once (by `looks_like_vc` when the verifier sniffed it) and then
        // split in place: no copy of the credential is made.
        let mut jws = jws;
        let payload = match jws.take_payload_json() {
            Some(v) => v,
            None => jws
                .payload_value()
                .map_err(|e| VcJwtError::Payload(format!("not I-JSON: {e}")))?,
        };
        let Value::Object(mut payload) = payload else {
            return Err(VcJwtError::Payload("not a JSON object".into()));
        };
        // Removing hashes the name: only names that are there (a scan) are removed, and a
        // removed claim keeps its name's string.
        let take = |payload: &mut Map<String, Value>, k: &str| {
            if payload.has_member(k) {
                payload.shift_remove_entry(k)
            } else {
                None
            }
        };
        let (claims, credential, vc_claim) = match take(&mut payload, "vc") {
            Some((_, vc @ Value::Object(_))) => (payload, vc, true),
            Some(_) => return Err(VcJwtError::Payload("`vc` is not an object".into())),
            None => {
                let mut claims = Map::with_capacity(REGISTERED_CLAIMS.len());
                for k in REGISTERED_CLAIMS {
                    if let Some((name, v)) = take(&mut payload, k) {
                        claims.insert(name, v);
                    }
                }
                (claims, Value::Object(payload), false)
            }
        };
        Ok(VcJwt {
            jws,
            claims,
            credential,
            vc_claim,
        })
    }

    /// Whether the token is shaped like a VC-JWT holding an Open Badges 3.0 / CLR 2.0
    /// credential (a `vc` claim, or a payload declaring a VC context).
    pub fn looks_like_vc(jws: &Jws) -> bool {
        let Some(Value::Object(p)) = jws.payload_json() else {
            return false;
        };
        if p.member("vc").is_some_and(Value::is_object) {
            return true;
        }
        let ctx = p.member("@context");
        let has = |s: &str| match ctx {
            Some(Value::Array(a)) => a.iter().any(|c| c.as_str() == Some(s)),
            Some(Value::String(c)) => c == s,
            _ => false,
        };
        has("https://www.w3.org/ns/credentials/v2") || has("https://www.w3.org/2018/credentials/v1")
    }

    /// The underlying JWS.
    pub fn jws(&self) -> &Jws {
        &self.jws
    }

    /// The JWT claims: the payload without the credential. For a VC 2.0 payload (the
    /// credential itself) these are the registered claims it has (`iss`, `sub`, `jti`, `nbf`,
    /// `exp`, `iat`, `aud`); for a VC 1.1 token, every member but `vc`.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The credential (the payload without JWT claims, or the `vc` claim).
    pub fn credential(&self) -> &Value {
        &self.credential
    }

    /// Whether the credential came from a VC 1.1 `vc` claim.
    pub fn has_vc_claim(&self) -> bool {
        self.vc_claim
    }

    /// The header `jwk` as a key, if present.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] when the `jwk` is not a usable public key.
    pub fn header_key(&self) -> Result<Option<PublicKey>, Error> {
        self.jws
            .header()
            .member("jwk")
            .map(PublicKey::from_jwk)
            .transpose()
    }
}

/// Checks `jwt`'s signature with any of `keys`.
///
/// # Errors
/// [`Error::AlgorithmNotAllowed`] when `alg` is refused or matches none of the keys,
/// [`Error::SignatureInvalid`] when no key verifies.
pub fn verify_signature(jwt: &VcJwt, keys: &[PublicKey]) -> Result<(), Error> {
    let alg = crate::key::Algorithm::from_jws_name(jwt.jws().alg())?;
    let usable: Vec<&PublicKey> = keys.iter().filter(|k| k.algorithm() == alg).collect();
    if usable.is_empty() {
        let have: Vec<&str> = keys.iter().map(|k| k.algorithm().as_str()).collect();
        return Err(Error::AlgorithmNotAllowed(format!(
            "`{alg}` does not match the issuer's key(s) ({})",
            have.join(", ")
        )));
    }
    if usable.iter().any(|k| jwt.jws().verify(k).is_ok()) {
        Ok(())
    } else {
        Err(Error::SignatureInvalid)
    }
}
