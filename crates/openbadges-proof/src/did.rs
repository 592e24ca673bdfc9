//! Verification methods: `did:key`, `did:jwk`, `did:web` (from a fetched DID document),
//! and `https://…#z6Mk…` identifiers whose fragment is the Multikey itself (as the
//! 1EdTech validator accepts them).
//!
//! Nothing here performs I/O: [`resolve_offline`] either resolves the key from the
//! identifier alone, or says which document must be fetched; the caller's loader fetches
//! it and hands it to [`verification_method_from_document`].
//!
//! ```
//! use openbadges_proof::did::{resolve_offline, VmReference};
//! let vm = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
//! let VmReference::Resolved(m) = resolve_offline(vm)? else { unreachable!() };
//! assert_eq!(m.controller, vm);
//! assert_eq!(m.id, format!("{vm}#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"));
//! # Ok::<(), openbadges_proof::did::DidError>(())
//! ```

use base64::Engine as _;
use serde_json::Value;

use crate::multibase::{MultibaseError, Multikey};

/// Errors resolving a verification method.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DidError {
    /// The identifier has no URI scheme.
    #[error("verification method {0:?} is not a URI (no scheme)")]
    NoScheme(String),
    /// The URI scheme is neither `did`, `https` nor `http`.
    #[error("unsupported verification method scheme {0:?}")]
    UnsupportedScheme(String),
    /// The DID method is not supported (only `key`, `web`, `jwk`).
    #[error("unsupported DID method {0:?}")]
    UnsupportedDidMethod(String),
    /// The DID method is reserved for examples and never resolves (`did:example`).
    #[error("DID method {0:?} is not resolvable")]
    UnresolvableDidMethod(String),
    /// The identifier is malformed.
    #[error("malformed identifier: {0}")]
    Malformed(String),
    /// The key encoding is not supported or invalid.
    #[error("invalid key: {0}")]
    Key(#[from] MultibaseError),
    /// The document does not contain the verification method.
    #[error("verification method {0:?} not found in the controller document")]
    NotFound(String),
}

/// A resolved verification method: its id, controller and public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationMethod {
    /// The verification method id (absolute).
    pub id: String,
    /// Its controller (a DID or URL), to be compared with the credential's issuer.
    pub controller: String,
    /// The public key.
    pub key: Multikey,
    /// Whether the controller document lists it under `assertionMethod`
    /// (always `true` for keys resolved from the identifier alone).
    pub assertion_method: bool,
}

/// What [`resolve_offline`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VmReference {
    /// The key is contained in the identifier (`did:key`, `did:jwk`, `https://…#z6Mk…`).
    Resolved(VerificationMethod),
    /// A controller document must be fetched from `document_url` (`did:web`, or an
    /// `https` URL without a key in its fragment), then passed to
    /// [`verification_method_from_document`].
    NeedsDocument {
        /// Where the document is (for `did:web`, the `did.json` URL).
        document_url: String,
    },
}

fn scheme_of(s: &str) -> Option<&str> {
    let (scheme, _) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Resolves a verification method identifier without I/O.
///
/// # Errors
/// A [`DidError`] when the identifier is malformed or unsupported.
pub fn resolve_offline(vm: &str) -> Result<VmReference, DidError> {
    let scheme = scheme_of(vm).ok_or_else(|| DidError::NoScheme(vm.to_owned()))?;
    match scheme {
        "did" => resolve_did(vm),
        "https" | "http" => {
            let (base, fragment) = vm.split_once('#').unwrap_or((vm, ""));
            if fragment.starts_with("z6Mk") || fragment.starts_with("zDn") {
                let key = Multikey::decode(fragment)?;
                Ok(VmReference::Resolved(VerificationMethod {
                    id: vm.to_owned(),
                    controller: base.to_owned(),
                    key,
                    assertion_method: true,
                }))
            } else {
                Ok(VmReference::NeedsDocument {
                    document_url: base.to_owned(),
                })
            }
        }
        other => Err(DidError::UnsupportedScheme(other.to_owned())),
    }
}

fn resolve_did(vm: &str) -> Result<VmReference, DidError> {
    let (did, fragment) = vm.split_once('#').unwrap_or((vm, ""));
    let mut parts = did.splitn(3, ':');
    let (_, method, msid) = (parts.next(), parts.next(), parts.next());
    let (Some(method), Some(msid)) = (method, msid) else {
        return Err(DidError::Malformed(vm.to_owned()));
    };
    if msid.is_empty() {
        return Err(DidError::Malformed(vm.to_owned()));
    }
    match method {
        "key" => {
            let key = Multikey::decode(msid)?;
            if !fragment.is_empty() && fragment != msid {
                return Err(DidError::NotFound(vm.to_owned()));
            }
            Ok(VmReference::Resolved(VerificationMethod {
                id: format!("{did}#{msid}"),
                controller: did.to_owned(),
                key,
                assertion_method: true,
            }))
        }
        "jwk" => {
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(msid)
                .map_err(|_| DidError::Malformed("did:jwk is not base64url".to_owned()))?;
            let jwk = openbadges_model::parse_json(&bytes, &openbadges_model::Limits::default())
                .map_err(|e| DidError::Malformed(format!("did:jwk is not a JSON JWK: {e}")))?;
            if !(fragment.is_empty() || fragment == "0") {
                return Err(DidError::NotFound(vm.to_owned()));
            }
            Ok(VmReference::Resolved(VerificationMethod {
                id: format!("{did}#0"),
                controller: did.to_owned(),
                key: key_from_jwk(&jwk)?,
                assertion_method: true,
            }))
        }
        "web" => Ok(VmReference::NeedsDocument {
            document_url: did_web_document_url(did)?,
        }),
        "example" => Err(DidError::UnresolvableDidMethod(method.to_owned())),
        other => Err(DidError::UnsupportedDidMethod(other.to_owned())),
    }
}

/// The `https` URL of a `did:web` DID's document (`did:web:example.com` →
/// `https://example.com/.well-known/did.json`, `did:web:example.com:u:1` →
/// `https://example.com/u/1/did.json`).
///
/// # Errors
/// [`DidError::Malformed`] when the DID is not a valid `did:web`.
pub fn did_web_document_url(did: &str) -> Result<String, DidError> {
    let did = did.split_once('#').map_or(did, |(d, _)| d);
    let msid = did
        .strip_prefix("did:web:")
        .ok_or_else(|| DidError::Malformed(did.to_owned()))?;
    let mut segs = msid.split(':');
    let host = segs
        .next()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| DidError::Malformed(did.to_owned()))?
        .replace("%3A", ":")
        .replace("%3a", ":");
    if host.contains(['/', '?', '#', '@']) {
        return Err(DidError::Malformed(did.to_owned()));
    }
    let path: Vec<&str> = segs.collect();
    if path
        .iter()
        .any(|s| s.is_empty() || s.contains(['/', '?', '#']))
    {
        return Err(DidError::Malformed(did.to_owned()));
    }
    if path.is_empty() {
        Ok(format!("https://{host}/.well-known/did.json"))
    } else {
        Ok(format!("https://{host}/{}/did.json", path.join("/")))
    }
}

/// Extracts an Ed25519 (`OKP`/`Ed25519`) or P-256 (`EC`/`P-256`) public key from a JWK.
///
/// # Errors
/// [`DidError::Key`] for other key types.
pub fn key_from_jwk(jwk: &Value) -> Result<Multikey, DidError> {
    let get = |k: &str| jwk.get(k).and_then(Value::as_str);
    let b64 = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| DidError::Malformed("JWK member is not base64url".to_owned()))
    };
    match (get("kty"), get("crv")) {
        (Some("OKP"), Some("Ed25519")) => {
            let x = b64(get("x").unwrap_or_default())?;
            let arr: [u8; 32] = x
                .as_slice()
                .try_into()
                .map_err(|_| DidError::Key(MultibaseError::InvalidLength(x.len())))?;
            Ok(Multikey::Ed25519(arr))
        }
        (Some("EC"), Some("P-256")) => {
            let x = b64(get("x").unwrap_or_default())?;
            let y = b64(get("y").unwrap_or_default())?;
            if x.len() != 32 || y.len() != 32 {
                return Err(DidError::Key(MultibaseError::InvalidLength(x.len())));
            }
            let odd = y.last().is_some_and(|b| b & 1 == 1);
            let mut c = Vec::with_capacity(33);
            c.push(if odd { 3 } else { 2 });
            c.extend_from_slice(&x);
            Ok(Multikey::P256(c))
        }
        _ => Err(DidError::Key(MultibaseError::UnsupportedCodec)),
    }
}

/// Finds verification method `vm_id` in a fetched controller document (a DID document
/// for `did:web`, or the JSON document at an `https` controller URL) and extracts its key
/// (`Multikey`/`Ed25519VerificationKey2020` `publicKeyMultibase`, or `publicKeyJwk`).
///
/// The method's `controller` must be the document's `id`; `assertion_method` tells whether
/// the document authorizes it for `assertionMethod`.
///
/// # Errors
/// [`DidError::NotFound`] when the document does not list the method, a key error when
/// its key is unsupported.
pub fn verification_method_from_document(
    doc: &Value,
    vm_id: &str,
) -> Result<VerificationMethod, DidError> {
    let doc_id = doc.get("id").and_then(Value::as_str).unwrap_or_default();
    let absolute = |id: &str| {
        if id.starts_with('#') {
            format!("{doc_id}{id}")
        } else {
            id.to_owned()
        }
    };
    let as_list = |v: Option<&Value>| -> Vec<Value> {
        match v {
            Some(Value::Array(a)) => a.clone(),
            Some(v @ (Value::Object(_) | Value::String(_))) => vec![v.clone()],
            _ => Vec::new(),
        }
    };
    let mut candidates = as_list(doc.get("verificationMethod"));
    let assertion = as_list(doc.get("assertionMethod"));
    candidates.extend(assertion.iter().filter(|v| v.is_object()).cloned());
    let method = candidates
        .iter()
        .find(|m| m.get("id").and_then(Value::as_str).map(absolute).as_deref() == Some(vm_id))
        .ok_or_else(|| DidError::NotFound(vm_id.to_owned()))?;
    let controller = method
        .get("controller")
        .and_then(Value::as_str)
        .map(absolute)
        .unwrap_or_else(|| doc_id.to_owned());
    let key = if let Some(mb) = method.get("publicKeyMultibase").and_then(Value::as_str) {
        match Multikey::decode(mb) {
            Ok(k) => k,
            // Ed25519VerificationKey2018-style raw base58 keys without the multicodec header.
            Err(MultibaseError::UnsupportedCodec) => {
                let raw = crate::multibase::decode_base58btc(mb)?;
                let arr: [u8; 32] = raw
                    .as_slice()
                    .try_into()
                    .map_err(|_| DidError::Key(MultibaseError::UnsupportedCodec))?;
                Multikey::Ed25519(arr)
            }
            Err(e) => return Err(e.into()),
        }
    } else if let Some(jwk) = method.get("publicKeyJwk") {
        key_from_jwk(jwk)?
    } else {
        return Err(DidError::Key(MultibaseError::UnsupportedCodec));
    };
    let assertion_method = assertion.iter().any(|a| match a {
        Value::String(s) => absolute(s) == vm_id,
        Value::Object(o) => {
            o.get("id").and_then(Value::as_str).map(absolute).as_deref() == Some(vm_id)
        }
        _ => false,
    });
    Ok(VerificationMethod {
        id: vm_id.to_owned(),
        controller,
        key,
        assertion_method,
    })
}
