//! The `jwt` key proof (OpenID4VCI 1.0, appendix F.1), checked in the order the specification
//! lists: the JOSE header (`typ` `openid4vci-proof+jwt`, an asymmetric `alg`, exactly one of
//! `kid` and `jwk`), the signature with the key the header names, then the claims (`aud` the
//! issuer identifier, `iat` within the window, `nonce` present). The `c_nonce` itself is
//! redeemed by the caller, after everything else holds, so a forged proof never burns one.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_proof::did::{self, VmReference};
use openbadges_proof::jws::Jws;
use openbadges_proof::key::PublicKey;
use openbadges_proof::multibase::Multikey;
use serde_json::{Map, Value};

/// The `typ` of a key proof.
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";

/// The proof signing algorithms accepted (and advertised).
pub const PROOF_ALGS: [&str; 2] = ["ES256", "EdDSA"];

/// A key proof that holds (its nonce still to be redeemed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CheckedProof {
    /// The holder's DID, without fragment: the `kid`'s DID, or `did:jwk` of the `jwk`.
    pub(super) holder: String,
    /// The `nonce` claim.
    pub(super) nonce: String,
}

/// Why a key proof is refused: always `invalid_proof` (the nonce is checked afterwards).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ProofRefused(pub(super) String);

/// Checks one `jwt` key proof for issuer `audience` at time `now` (seconds), with `iat`
/// allowed `window` seconds either side.
pub(super) fn check(
    jwt: &Value,
    audience: &str,
    now: i64,
    window: i64,
) -> Result<CheckedProof, ProofRefused> {
    let bad = |m: &str| ProofRefused(m.to_owned());
    let jwt = jwt.as_str().ok_or_else(|| bad("a jwt proof is a string"))?;
    let jws = Jws::parse(jwt).map_err(|e| ProofRefused(format!("not a compact JWS: {e}")))?;
    let header = jws.header();
    if header.get("typ").and_then(Value::as_str) != Some(PROOF_TYP) {
        return Err(bad("the proof's typ must be openid4vci-proof+jwt"));
    }
    if !PROOF_ALGS.contains(&jws.alg()) {
        return Err(ProofRefused(format!(
            "proof alg {:?} is not one of {PROOF_ALGS:?}",
            jws.alg()
        )));
    }
    let (key, holder) = holder_key(header)?;
    jws.verify(&key)
        .map_err(|_| bad("the proof's signature does not verify with the key its header names"))?;
    let claims = jws
        .payload_json()
        .and_then(Value::as_object)
        .ok_or_else(|| bad("the proof's payload is not a JSON object"))?;
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == audience,
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(audience)),
        _ => false,
    };
    if !aud_ok {
        return Err(ProofRefused(format!(
            "the proof's aud must be the credential issuer {audience:?}"
        )));
    }
    let iat = claims
        .get("iat")
        .and_then(Value::as_f64)
        .ok_or_else(|| bad("the proof has no numeric iat"))?;
    // Within ±window of now (seconds; compared as floats: NumericDate may have a fraction).
    #[allow(clippy::cast_precision_loss)]
    let (lo, hi) = ((now - window) as f64, (now + window) as f64);
    if !(lo..=hi).contains(&iat) {
        return Err(bad("the proof's iat is outside the accepted window"));
    }
    let nonce = claims
        .get("nonce")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| bad("the proof has no nonce (get a c_nonce from the nonce endpoint)"))?;
    Ok(CheckedProof {
        holder,
        nonce: nonce.to_owned(),
    })
}

/// The key the header names and the holder's DID: `kid` a `did:key` or `did:jwk` (its DID
/// without fragment), or `jwk` (its `did:jwk`). Exactly one of the two; `x5c` and anything
/// else are refused.
fn holder_key(header: &Map<String, Value>) -> Result<(PublicKey, String), ProofRefused> {
    let bad = |m: String| ProofRefused(m);
    if header.contains_key("x5c") || header.contains_key("trust_chain") {
        return Err(bad(
            "only kid (did:key, did:jwk) or jwk key proofs are accepted".into(),
        ));
    }
    match (header.get("kid"), header.get("jwk")) {
        (Some(Value::String(kid)), None) => {
            let did = kid
                .split_once('#')
                .map_or(kid.as_str(), |(d, _)| d)
                .to_owned();
            if let Some(enc) = did.strip_prefix("did:jwk:") {
                let bytes = URL_SAFE_NO_PAD
                    .decode(enc)
                    .map_err(|_| bad("did:jwk is not base64url".into()))?;
                let jwk: Value = serde_json::from_slice(&bytes)
                    .map_err(|_| bad("did:jwk does not hold a JSON JWK".into()))?;
                let key = public_jwk(&jwk)?;
                return Ok((key, did));
            }
            if !did.starts_with("did:key:") {
                return Err(bad(format!(
                    "kid {kid:?} is neither a did:key nor a did:jwk"
                )));
            }
            match did::resolve_offline(kid) {
                Ok(VmReference::Resolved(vm)) => match vm.key {
                    Multikey::Ed25519(k) => Ok((PublicKey::from_ed25519_bytes(k), did)),
                    _ => Err(bad(
                        "a did:key proof must be Ed25519 (use did:jwk or jwk for P-256)".into(),
                    )),
                },
                Ok(_) => Err(bad(format!("kid {kid:?} does not resolve offline"))),
                Err(e) => Err(bad(format!("kid {kid:?}: {e}"))),
            }
        }
        (None, Some(jwk @ Value::Object(_))) => {
            let key = public_jwk(jwk)?;
            Ok((key, did_jwk(jwk)?))
        }
        (Some(_), Some(_)) => Err(bad(
            "a proof names its key by kid or by jwk, not both".into()
        )),
        _ => Err(bad("the proof names no key (kid or jwk)".into())),
    }
}

/// The public key of a JWK, refusing one that carries private members.
fn public_jwk(jwk: &Value) -> Result<PublicKey, ProofRefused> {
    if jwk.get("d").is_some() {
        return Err(ProofRefused("the proof's JWK holds a private key".into()));
    }
    PublicKey::from_jwk(jwk).map_err(|e| ProofRefused(format!("unsupported JWK: {e}")))
}

/// `did:jwk` of a public JWK: its public members (`kty`, `crv`, `x`, `y`, `e`, `n`) as JSON
/// with sorted keys, base64url.
fn did_jwk(jwk: &Value) -> Result<String, ProofRefused> {
    let mut m = Map::new();
    for k in ["crv", "e", "kty", "n", "x", "y"] {
        if let Some(v) = jwk.get(k) {
            m.insert(k.into(), v.clone());
        }
    }
    let bytes = serde_json::to_vec(&Value::Object(m))
        .map_err(|_| ProofRefused("the JWK cannot be serialized".into()))?;
    Ok(format!("did:jwk:{}", URL_SAFE_NO_PAD.encode(bytes)))
}
