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

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::Error;
use crate::data_integrity::ControllerDocuments as _;
use crate::did::{self, ProvenanceError, Relationship, VmReference};
use crate::jws::Jws;
use crate::key::{PublicKey, SecretKey};
use crate::loader::DocumentLoader;
use crate::multibase::Multikey;

/// The credential a JWT's claims carry, decoded as the VC Data Model 1.1 (§6.3.1, "JWT
/// Decoding") defines: when the claims have a `vc` object (and no `@context` of their own), that
/// object, with each registered claim filling in the property it stands for when the credential
/// does not already have it:
///
/// | claim | property |
/// |-------|----------|
/// | `jti` | `id` |
/// | `iss` | `issuer` (or `issuer.id` of an issuer object without one) |
/// | `sub` | `credentialSubject.id` (of an object subject) |
/// | `nbf` | `validFrom` for a VC 2.0 credential, `issuanceDate` otherwise (RFC 3339, UTC) |
/// | `exp` | `validUntil` for a VC 2.0 credential, `expirationDate` otherwise |
///
/// Any other payload (an OB 2.0 signed assertion, a VC 2.0 JOSE credential whose claims are the
/// credential) is returned as it is. A property the credential has is never overwritten: a
/// claim that disagrees with it is for [`VcJwt::claim_problems`] to report, not to hide.
///
/// ```
/// use serde_json::json;
/// let claims = json!({"iss": "https://example.org/", "jti": "urn:uuid:1", "sub": "did:example:a",
///                     "nbf": 1_700_000_000, "vc": {"credentialSubject": {}}});
/// let vc = openbadges_proof::vc_jwt::credential_from_claims(&claims);
/// assert_eq!(vc["id"], "urn:uuid:1");
/// assert_eq!(vc["issuer"], "https://example.org/");
/// assert_eq!(vc["issuanceDate"], "2023-11-14T22:13:20Z");
/// assert_eq!(vc["credentialSubject"]["id"], "did:example:a");
/// ```
pub fn credential_from_claims(claims: &Value) -> Value {
    let Some(o) = claims.as_object().filter(|o| !o.contains_key("@context")) else {
        return claims.clone();
    };
    let Some(Value::Object(vc)) = o.get("vc") else {
        return claims.clone();
    };
    let mut vc = vc.clone();
    let v2 = vc.get("@context").is_some_and(|c| {
        let first = match c {
            Value::Array(a) => a.first(),
            other => Some(other),
        };
        first.and_then(Value::as_str) == Some("https://www.w3.org/ns/credentials/v2")
    });
    if let Some(jti) = o.get("jti") {
        vc.entry("id").or_insert_with(|| jti.clone());
    }
    if let Some(iss) = o.get("iss") {
        match vc.get_mut("issuer") {
            None => {
                vc.insert("issuer".into(), iss.clone());
            }
            Some(Value::Object(issuer)) => {
                issuer.entry("id").or_insert_with(|| iss.clone());
            }
            Some(_) => {}
        }
    }
    if let Some(sub) = o.get("sub") {
        if let Some(Value::Object(cs)) = vc.get_mut("credentialSubject") {
            cs.entry("id").or_insert_with(|| sub.clone());
        }
    }
    let date = |claim: &str| {
        let t = o.get(claim).and_then(Value::as_i64)?;
        let t = DateTime::from_timestamp(t, 0)?;
        Some(Value::String(
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ))
    };
    for (claim, v2_name, v1_name) in [
        ("nbf", "validFrom", "issuanceDate"),
        ("exp", "validUntil", "expirationDate"),
    ] {
        if vc.contains_key(v2_name) || vc.contains_key(v1_name) {
            continue;
        }
        if let Some(d) = date(claim) {
            vc.insert(if v2 { v2_name } else { v1_name }.into(), d);
        }
    }
    Value::Object(vc)
}

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

/// Reads an XML Schema / RFC 3339 date-time (a missing offset is read as UTC).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// The issuer id of a credential (`issuer` as a string or `issuer.id`).
pub fn issuer_id(credential: &Value) -> Option<&str> {
    match credential.get("issuer")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn subject_id(credential: &Value) -> Option<&str> {
    match credential.get("credentialSubject")? {
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        Value::Array(a) => a.first()?.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn date_of<'a>(credential: &'a Value, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| credential.get(*n).and_then(Value::as_str))
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
        match jws.header().get("typ") {
            None => {}
            Some(Value::String(t)) if t == "JWT" => {}
            Some(other) => return Err(VcJwtError::BadTyp(other.to_string())),
        }
        if let Some(kid) = jws.header().get("kid") {
            if !kid.is_string() {
                return Err(VcJwtError::Payload("`kid` is not a string".into()));
            }
        }
        if let Some(jwk) = jws.header().get("jwk") {
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
        let (claims, credential, vc_claim) = match payload.shift_remove("vc") {
            Some(vc @ Value::Object(_)) => (payload, vc, true),
            Some(_) => return Err(VcJwtError::Payload("`vc` is not an object".into())),
            None => {
                let mut claims = Map::new();
                for k in REGISTERED_CLAIMS {
                    if let Some(v) = payload.shift_remove(k) {
                        claims.insert(k.to_owned(), v);
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
        if p.get("vc").is_some_and(Value::is_object) {
            return true;
        }
        let ctx = p.get("@context");
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
            .get("jwk")
            .map(PublicKey::from_jwk)
            .transpose()
    }

    /// Every disagreement between the JWT claims and the credential (`iss` ≠ issuer id,
    /// `jti` ≠ `id`, `sub` ≠ `credentialSubject.id`, `nbf` ≠ `validFrom`/`issuanceDate`,
    /// `exp` ≠ `validUntil`/`expirationDate`), and required claims that are missing (`iss`,
    /// `nbf`; `jti` when the credential has an `id`; `exp` when it has a `validUntil`).
    pub fn claim_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let c = &self.credential;
        let claim_str = |k: &str| self.claims.get(k).map(|v| v.as_str().ok_or(v));
        let mut same =
            |claim: &str, want: Option<&str>, required: bool| match (claim_str(claim), want) {
                (Some(Ok(got)), Some(w)) if got == w => {}
                (Some(Ok(got)), Some(w)) => {
                    out.push(format!("`{claim}` is {got:?}, expected {w:?}"))
                }
                (Some(Ok(got)), None) => {
                    out.push(format!("`{claim}` is {got:?} but the credential has none"));
                }
                (Some(Err(v)), _) => out.push(format!("`{claim}` is not a string: {v}")),
                (None, Some(w)) if required => {
                    out.push(format!("`{claim}` is missing (expected {w:?})"))
                }
                (None, _) => {}
            };
        same("iss", issuer_id(c), true);
        same("jti", c.get("id").and_then(Value::as_str), true);
        same("sub", subject_id(c), false);
        let mut time = |claim: &str, names: &[&str], required: bool| {
            let want = date_of(c, names)
                .and_then(parse_datetime)
                .map(|t| t.timestamp());
            match (self.claims.get(claim), want) {
                (Some(v), Some(w)) => match v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)) {
                    Some(got) if got == w => {}
                    Some(got) => out.push(format!(
                        "`{claim}` is {got}, but the credential's {} is {w}",
                        names.first().copied().unwrap_or_default()
                    )),
                    None => out.push(format!("`{claim}` is not a number")),
                },
                (Some(_), None) => out.push(format!(
                    "`{claim}` is present but the credential has no {}",
                    names.first().copied().unwrap_or_default()
                )),
                (None, Some(_)) if required => out.push(format!("`{claim}` is missing")),
                (None, _) => {}
            }
        };
        time("nbf", &["validFrom", "issuanceDate"], true);
        time("exp", &["validUntil", "expirationDate"], true);
        out
    }
}

/// What goes into the header to identify the signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderKey {
    /// `kid` (e.g. a DID URL or a key id in the issuer's JWKS).
    Kid(String),
    /// The public key as `jwk`.
    Jwk,
    /// `kid` and `jwk`.
    Both(String),
    /// Neither (the verifier must know the key).
    None,
}

/// Issues `credential` as a VC-JWT signed with `key`: the payload is the credential plus
/// `iss`, `jti`, `sub` (when the subject has an id), `nbf` and `exp` (when `validUntil`).
///
/// # Errors
/// [`VcJwtError::Issue`] when the credential has no issuer id or no valid `validFrom` /
/// `issuanceDate`, or a key error when signing fails.
pub fn issue(
    credential: &Value,
    key: &SecretKey,
    header_key: &HeaderKey,
) -> Result<String, VcJwtError> {
    let Value::Object(cred) = credential else {
        return Err(VcJwtError::Issue(
            "the credential is not a JSON object".into(),
        ));
    };
    let iss = issuer_id(credential).ok_or_else(|| VcJwtError::Issue("no issuer id".into()))?;
    let nbf = date_of(credential, &["validFrom", "issuanceDate"])
        .and_then(parse_datetime)
        .ok_or_else(|| VcJwtError::Issue("no valid validFrom".into()))?;
    let mut payload = cred.clone();
    payload.remove("proof");
    payload.insert("iss".into(), iss.into());
    if let Some(id) = credential.get("id").and_then(Value::as_str) {
        payload.insert("jti".into(), id.into());
    }
    if let Some(sub) = subject_id(credential) {
        payload.insert("sub".into(), sub.into());
    }
    payload.insert("nbf".into(), nbf.timestamp().into());
    if let Some(s) = date_of(credential, &["validUntil", "expirationDate"]) {
        let exp = parse_datetime(s)
            .ok_or_else(|| VcJwtError::Issue("validUntil is not a date-time".into()))?;
        payload.insert("exp".into(), exp.timestamp().into());
    }
    let mut header = Map::new();
    header.insert("alg".into(), key.algorithm().as_str().into());
    header.insert("typ".into(), "JWT".into());
    match header_key {
        HeaderKey::Kid(k) => {
            header.insert("kid".into(), k.as_str().into());
        }
        HeaderKey::Jwk => {
            header.insert("jwk".into(), public_jwk(key.public_key()));
        }
        HeaderKey::Both(k) => {
            header.insert("kid".into(), k.as_str().into());
            header.insert("jwk".into(), public_jwk(key.public_key()));
        }
        HeaderKey::None => {}
    }
    let h = serde_json::to_vec(&Value::Object(header)).map_err(|_| Error::Crypto)?;
    let p = serde_json::to_vec(&Value::Object(payload)).map_err(|_| Error::Crypto)?;
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(h),
        URL_SAFE_NO_PAD.encode(p)
    );
    let sig = key.sign(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// The public JWK without the `alg` member (the header's `alg` says it).
fn public_jwk(key: &PublicKey) -> Value {
    let mut j = key.to_jwk();
    if let Some(o) = j.as_object_mut() {
        o.remove("alg");
    }
    j
}

/// What the caller trusts beyond the issuer's own publications.
#[derive(Debug, Clone, Default)]
pub struct KeyPolicy {
    /// Keys the caller pins: a token signed by one of them is bound (whatever its header says).
    pub pinned: Vec<PublicKey>,
    /// DANGEROUS: accept a header `jwk` that nothing binds to the issuer. Anyone can sign a
    /// credential naming any issuer this way; for testing only.
    pub dangerous_accept_unbound_header_jwk: bool,
    /// DANGEROUS: take the key of a Data Integrity `https://…#z6Mk…` verification method from
    /// its fragment without the issuer's controller document (the 1EdTech validator's
    /// shortcut). Anyone can then sign in the name of any `https` issuer; for testing only.
    pub dangerous_trust_key_in_https_fragment: bool,
}

/// How a key was bound to the issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyBinding {
    /// A key the caller pinned.
    Pinned,
    /// The issuer's JWKS at this URL.
    IssuerJwks(String),
    /// The issuer's DID (this verification method).
    Did(String),
    /// Not bound; accepted because the caller set the dangerous option.
    DangerousUnboundHeaderJwk,
}

impl std::fmt::Display for KeyBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyBinding::Pinned => f.write_str("a pinned key"),
            KeyBinding::IssuerJwks(u) => write!(f, "the issuer's JWKS at {u}"),
            KeyBinding::Did(vm) => write!(f, "the issuer's DID ({vm})"),
            KeyBinding::DangerousUnboundHeaderJwk => {
                f.write_str("the header jwk, unbound (dangerous option)")
            }
        }
    }
}

/// The outcome of [`resolve_key`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyResolution {
    /// Candidate keys bound to the issuer (the signature must verify with one of them).
    Bound {
        /// The keys.
        keys: Vec<PublicKey>,
        /// How they were bound.
        binding: KeyBinding,
    },
    /// No key bound to the issuer; the header key (if any) lets the signature still be checked.
    NotBound {
        /// The header `jwk`.
        header_key: Option<PublicKey>,
        /// Why it is not bound.
        reason: String,
    },
    /// Checked and wrong: the key is not the issuer's, or unusable.
    Invalid {
        /// `true` for "not the issuer's key", `false` for "unusable key".
        not_owned: bool,
        /// Why.
        reason: String,
    },
    /// Checked and wrong: the issuer's own publication (its DID / controller document, its
    /// JWKS) does not list the key for issuing credentials.
    NotListed {
        /// Why.
        reason: String,
    },
    /// Could not be checked (a document could not be loaded, an unsupported DID method).
    Unresolved {
        /// Why.
        reason: String,
    },
}

fn multikey_to_public(m: &Multikey) -> Result<PublicKey, String> {
    match m {
        Multikey::Ed25519(k) => Ok(PublicKey::from_ed25519_bytes(*k)),
        _ => Err("only Ed25519 multikeys are supported for VC-JWT (use did:jwk for P-256)".into()),
    }
}

/// Why [`load_json`] has no document: it could not be loaded (could not check), or it was
/// loaded and is not I-JSON (checked and wrong: malformed, or a duplicate member name).
enum FetchError {
    Unavailable(String),
    Malformed(String),
}

fn load_json(loader: &dyn DocumentLoader, url: &str) -> Result<Value, FetchError> {
    let d = loader
        .load(url)
        .map_err(|e| FetchError::Unavailable(e.to_string()))?;
    openbadges_model::parse_json(&d.body, &openbadges_model::Limits::default()).map_err(|e| {
        if e.is_limit() {
            FetchError::Unavailable(format!("{url}: {e}"))
        } else {
            FetchError::Malformed(format!("{url}: not I-JSON: {e}"))
        }
    })
}

fn did_of(vm: &str) -> &str {
    vm.split_once('#').map_or(vm, |(d, _)| d)
}

fn resolve_did_key(vm: &str, loader: &dyn DocumentLoader) -> Result<PublicKey, KeyResolution> {
    let unresolved = |reason: String| KeyResolution::Unresolved { reason };
    let bad = |reason: String| KeyResolution::Invalid {
        not_owned: false,
        reason,
    };
    if let Some(rest) = vm.strip_prefix("did:jwk:") {
        let enc = rest.split_once('#').map_or(rest, |(d, _)| d);
        let bytes = URL_SAFE_NO_PAD
            .decode(enc)
            .map_err(|_| bad("did:jwk is not base64url".into()))?;
        let jwk = openbadges_model::parse_json(&bytes, &openbadges_model::Limits::default())
            .map_err(|e| bad(format!("did:jwk is not a JWK: {e}")))?;
        return PublicKey::from_jwk(&jwk).map_err(|e| bad(e.to_string()));
    }
    let docs = crate::data_integrity::LoaderDocuments {
        loader,
        limits: openbadges_model::Limits::default(),
    };
    // A `kid` without fragment names the DID: its first assertion method.
    let id = match did::resolve_offline(vm) {
        Ok(VmReference::NeedsDocument { document_url, .. }) if !vm.contains('#') => {
            let doc = docs
                .document_checked(&document_url)
                .map_err(bad)?
                .ok_or_else(|| unresolved(format!("{document_url} could not be loaded")))?;
            first_assertion_method(&doc).ok_or_else(|| KeyResolution::NotListed {
                reason: format!("{document_url} lists no assertionMethod"),
            })?
        }
        _ => vm.to_owned(),
    };
    let bound =
        did::resolve_verification_method(&id, Relationship::AssertionMethod, Some(&docs), false)
            .map_err(|e| provenance_resolution(&e))?;
    match &bound.key {
        did::MethodKey::Jwk(jwk) => PublicKey::from_jwk(jwk).map_err(|e| bad(e.to_string())),
        did::MethodKey::Multikey(m) => multikey_to_public(m).map_err(bad),
    }
}

/// The [`KeyResolution`] for a key the key-provenance rule did not bind.
fn provenance_resolution(e: &ProvenanceError) -> KeyResolution {
    let reason = e.to_string();
    match e {
        _ if e.is_indeterminate() => KeyResolution::Unresolved { reason },
        ProvenanceError::NotListed { .. }
        | ProvenanceError::ForeignController { .. }
        | ProvenanceError::NotAuthorized { .. } => KeyResolution::NotListed { reason },
        _ => KeyResolution::Invalid {
            not_owned: false,
            reason,
        },
    }
}

fn absolute(doc: &Value, id: &str) -> String {
    if id.starts_with('#') {
        format!(
            "{}{id}",
            doc.get("id").and_then(Value::as_str).unwrap_or_default()
        )
    } else {
        id.to_owned()
    }
}

fn first_assertion_method(doc: &Value) -> Option<String> {
    let am = doc.get("assertionMethod")?;
    let first = match am {
        Value::Array(a) => a.first()?,
        v => v,
    };
    let id = match first {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.get("id")?.as_str()?,
        _ => return None,
    };
    Some(absolute(doc, id))
}

/// The issuer's JWKS URL: `/.well-known/jwks.json` at the authority of an `https` issuer id.
pub fn jwks_url(issuer: &str) -> Option<String> {
    let u = url::Url::parse(issuer).ok()?;
    if u.scheme() != "https" && u.scheme() != "http" {
        return None;
    }
    let host = u.host_str()?;
    Some(match u.port() {
        Some(p) => format!("{}://{host}:{p}/.well-known/jwks.json", u.scheme()),
        None => format!("{}://{host}/.well-known/jwks.json", u.scheme()),
    })
}

/// Finds the key(s) that may have signed `jwt`, bound to the credential's issuer (see the
/// module docs for the policy). Documents (DID documents, JWKS) come through `loader`.
pub fn resolve_key(jwt: &VcJwt, loader: &dyn DocumentLoader, policy: &KeyPolicy) -> KeyResolution {
    let header_key = match jwt.header_key() {
        Ok(k) => k,
        Err(e) => {
            return KeyResolution::Invalid {
                not_owned: false,
                reason: format!("header jwk: {e}"),
            };
        }
    };
    let kid = jwt.jws().kid();
    // 1. Pinned keys.
    if !policy.pinned.is_empty() {
        match &header_key {
            Some(h) if policy.pinned.contains(h) => {
                return KeyResolution::Bound {
                    keys: vec![h.clone()],
                    binding: KeyBinding::Pinned,
                };
            }
            Some(_) => {}
            None => {
                return KeyResolution::Bound {
                    keys: policy.pinned.clone(),
                    binding: KeyBinding::Pinned,
                };
            }
        }
    }
    let Some(issuer) = issuer_id(jwt.credential()) else {
        return KeyResolution::Invalid {
            not_owned: true,
            reason: "the credential has no issuer id".into(),
        };
    };
    let not_bound = |reason: String| {
        if policy.dangerous_accept_unbound_header_jwk {
            if let Some(h) = &header_key {
                return KeyResolution::Bound {
                    keys: vec![h.clone()],
                    binding: KeyBinding::DangerousUnboundHeaderJwk,
                };
            }
        }
        KeyResolution::NotBound {
            header_key: header_key.clone(),
            reason,
        }
    };
    // 2. The issuer's DID.
    if issuer.starts_with("did:") || kid.is_some_and(|k| k.starts_with("did:")) {
        let vm = match kid {
            Some(k) if k.starts_with("did:") => k.to_owned(),
            Some(k) if k.starts_with('#') => format!("{issuer}{k}"),
            _ => issuer.to_owned(),
        };
        if did_of(&vm) != did_of(issuer) {
            return KeyResolution::Invalid {
                not_owned: true,
                reason: format!("the key {vm} is not controlled by the issuer {issuer}"),
            };
        }
        let key = match resolve_did_key(&vm, loader) {
            Ok(k) => k,
            Err(r) => return r,
        };
        if let Some(h) = &header_key {
            if *h != key {
                return KeyResolution::Invalid {
                    not_owned: true,
                    reason: format!("the header jwk is not the key of {vm}"),
                };
            }
        }
        return KeyResolution::Bound {
            keys: vec![key],
            binding: KeyBinding::Did(vm),
        };
    }
    // 3. The issuer's JWKS.
    let Some(url) = jwks_url(issuer) else {
        return not_bound(format!(
            "the issuer id {issuer} is neither a DID nor an http(s) URL, and no key is pinned"
        ));
    };
    let jwks = match load_json(loader, &url) {
        Ok(j) => j,
        Err(FetchError::Unavailable(e)) => {
            return not_bound(format!("the issuer's JWKS could not be loaded: {e}"));
        }
        Err(FetchError::Malformed(reason)) => {
            return KeyResolution::Invalid {
                not_owned: false,
                reason: format!("the issuer's JWKS: {reason}"),
            };
        }
    };
    let listed: Vec<(Option<&str>, PublicKey)> = jwks
        .get("keys")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|k| {
                    PublicKey::from_jwk(k)
                        .ok()
                        .map(|p| (k.get("kid").and_then(Value::as_str), p))
                })
                .collect()
        })
        .unwrap_or_default();
    let listed_count = listed.len();
    let keys: Vec<PublicKey> = match (&header_key, kid) {
        (Some(h), _) => listed
            .iter()
            .filter(|(_, p)| p == h)
            .map(|(_, p)| p.clone())
            .collect(),
        (None, Some(k)) => listed
            .iter()
            .filter(|(i, _)| *i == Some(k))
            .map(|(_, p)| p.clone())
            .collect(),
        (None, None) => listed.into_iter().map(|(_, p)| p).collect(),
    };
    if keys.is_empty() {
        if listed_count == 0 {
            return not_bound(format!("the issuer's JWKS at {url} lists no usable key"));
        }
        return KeyResolution::NotListed {
            reason: format!(
                "the issuer's JWKS at {url} does not list the {}",
                match (&header_key, kid) {
                    (Some(_), _) => "header jwk".to_owned(),
                    (None, Some(k)) => format!("kid {k:?}"),
                    (None, None) => "key".to_owned(),
                }
            ),
        };
    }
    KeyResolution::Bound {
        keys,
        binding: KeyBinding::IssuerJwks(url),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::key::Algorithm;
    use serde_json::json;

    fn cred() -> Value {
        json!({"id": "urn:uuid:1", "issuer": "https://example.org/i",
               "validFrom": "2024-01-01T00:00:00Z", "validUntil": "2030-01-01T00:00:00Z",
               "credentialSubject": {"id": "did:example:a"}})
    }

    #[test]
    fn round_trip_claims_agree() {
        let k = SecretKey::generate(Algorithm::Es256).unwrap();
        let t = issue(&cred(), &k, &HeaderKey::Jwk).unwrap();
        let j = VcJwt::parse(&t).unwrap();
        assert!(j.claim_problems().is_empty(), "{:?}", j.claim_problems());
        assert_eq!(j.claims()["exp"], 1_893_456_000);
        assert_eq!(j.credential(), &cred());
        assert_eq!(j.header_key().unwrap().as_ref(), Some(k.public_key()));
    }

    #[test]
    fn jwks_url_of_issuer() {
        assert_eq!(
            jwks_url("https://example.org/issuers/1").as_deref(),
            Some("https://example.org/.well-known/jwks.json")
        );
        assert_eq!(jwks_url("urn:uuid:1"), None);
    }
}
