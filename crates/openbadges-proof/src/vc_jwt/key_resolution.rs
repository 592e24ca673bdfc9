//! Key provenance for VC-JWT: the key(s) that may have signed a token, bound to the
//! credential's issuer by a pinned key, the issuer's DID (`did:key`, `did:jwk`, `did:web`) or
//! the issuer's JWKS; a header `jwk` alone binds nothing.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openbadges_model::member::Members;
use serde_json::Value;

use super::VcJwt;
use super::claims::issuer_id;
use crate::data_integrity::ControllerDocuments as _;
use crate::did::{self, ProvenanceError, Relationship, VmReference};
use crate::key::PublicKey;
use crate::loader::DocumentLoader;
use crate::multibase::Multikey;

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
            doc.member("id").and_then(Value::as_str).unwrap_or_default()
        )
    } else {
        id.to_owned()
    }
}

fn first_assertion_method(doc: &Value) -> Option<String> {
    let am = doc.member("assertionMethod")?;
    let first = match am {
        Value::Array(a) => a.first()?,
        v => v,
    };
    let id = match first {
        Value::String(s) => s.as_str(),
        Value::Object(o) => o.member("id")?.as_str()?,
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
///
/// The steps, in order: a key the caller pinned, the issuer's DID, the issuer's JWKS (at
/// [`jwks_url`]).
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
    if let Some(bound) = pinned_key(policy, header_key.as_ref()) {
        return bound;
    }
    let Some(issuer) = issuer_id(jwt.credential()) else {
        return KeyResolution::Invalid {
            not_owned: true,
            reason: "the credential has no issuer id".into(),
        };
    };
    // 2. The issuer's DID.
    if issuer.starts_with("did:") || kid.is_some_and(|k| k.starts_with("did:")) {
        return did_key(issuer, kid, header_key.as_ref(), loader);
    }
    // 3. The issuer's JWKS.
    jwks_keys(issuer, kid, header_key.as_ref(), loader, policy)
}

/// Step 1 of [`resolve_key`]: the pinned keys, when the caller pinned any. A header `jwk` that
/// is pinned is the key; a header `jwk` that is not pinned goes on to the other steps; without
/// a header `jwk`, every pinned key is a candidate.
fn pinned_key(policy: &KeyPolicy, header_key: Option<&PublicKey>) -> Option<KeyResolution> {
    if policy.pinned.is_empty() {
        return None;
    }
    match header_key {
        Some(h) if policy.pinned.contains(h) => Some(KeyResolution::Bound {
            keys: vec![h.clone()],
            binding: KeyBinding::Pinned,
        }),
        Some(_) => None,
        None => Some(KeyResolution::Bound {
            keys: policy.pinned.clone(),
            binding: KeyBinding::Pinned,
        }),
    }
}

/// What [`resolve_key`] answers when nothing binds a key to the issuer: not bound (the header
/// key, if any, still lets the signature be checked), or, with the dangerous option, the
/// header key accepted as it is.
fn not_bound(policy: &KeyPolicy, header_key: Option<&PublicKey>, reason: String) -> KeyResolution {
    if policy.dangerous_accept_unbound_header_jwk {
        if let Some(h) = header_key {
            return KeyResolution::Bound {
                keys: vec![h.clone()],
                binding: KeyBinding::DangerousUnboundHeaderJwk,
            };
        }
    }
    KeyResolution::NotBound {
        header_key: header_key.cloned(),
        reason,
    }
}

/// Step 2 of [`resolve_key`]: the key of the issuer's DID. The verification method is the
/// `kid` (a DID URL, or a fragment of the issuer's DID) or the issuer's DID itself; it must be
/// the issuer's, be listed for `assertionMethod`, and be the header `jwk` when there is one.
fn did_key(
    issuer: &str,
    kid: Option<&str>,
    header_key: Option<&PublicKey>,
    loader: &dyn DocumentLoader,
) -> KeyResolution {
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
    if let Some(h) = header_key {
        if *h != key {
            return KeyResolution::Invalid {
                not_owned: true,
                reason: format!("the header jwk is not the key of {vm}"),
            };
        }
    }
    KeyResolution::Bound {
        keys: vec![key],
        binding: KeyBinding::Did(vm),
    }
}

/// Step 3 of [`resolve_key`]: the keys of the issuer's JWKS ([`jwks_url`]) that match the
/// header `jwk`, else the `kid`, else all of them.
fn jwks_keys(
    issuer: &str,
    kid: Option<&str>,
    header_key: Option<&PublicKey>,
    loader: &dyn DocumentLoader,
    policy: &KeyPolicy,
) -> KeyResolution {
    let Some(url) = jwks_url(issuer) else {
        return not_bound(
            policy,
            header_key,
            format!(
                "the issuer id {issuer} is neither a DID nor an http(s) URL, and no key is pinned"
            ),
        );
    };
    let jwks = match load_json(loader, &url) {
        Ok(j) => j,
        Err(FetchError::Unavailable(e)) => {
            return not_bound(
                policy,
                header_key,
                format!("the issuer's JWKS could not be loaded: {e}"),
            );
        }
        Err(FetchError::Malformed(reason)) => {
            return KeyResolution::Invalid {
                not_owned: false,
                reason: format!("the issuer's JWKS: {reason}"),
            };
        }
    };
    let listed: Vec<(Option<&str>, PublicKey)> = jwks
        .member("keys")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|k| {
                    PublicKey::from_jwk(k)
                        .ok()
                        .map(|p| (k.member("kid").and_then(Value::as_str), p))
                })
                .collect()
        })
        .unwrap_or_default();
    let listed_count = listed.len();
    let keys: Vec<PublicKey> = match (header_key, kid) {
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
            return not_bound(
                policy,
                header_key,
                format!("the issuer's JWKS at {url} lists no usable key"),
            );
        }
        return KeyResolution::NotListed {
            reason: format!(
                "the issuer's JWKS at {url} does not list the {}",
                match (header_key, kid) {
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
