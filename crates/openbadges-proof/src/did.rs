//! Verification methods: `did:key`, `did:jwk`, `did:web` (from a fetched DID document),
//! and `https` controller URLs (from the fetched controller document).
//!
//! Nothing here performs I/O: [`resolve_offline`] either resolves the key from the
//! identifier alone (`did:key`, `did:jwk`: the identifier *is* the key), or says which
//! document must be fetched; the caller's loader fetches it and hands it to
//! [`verification_method_from_document`].
//!
//! An `https://issuer.example/profile#z6Mk…` identifier whose fragment is a Multikey still
//! needs the controller document: the fragment is only a hint
//! ([`VmReference::NeedsDocument::key_hint`]). Anyone can write any key into a fragment next
//! to any issuer's URL; only the issuer's own document makes the key the issuer's. (The
//! 1EdTech validator reads the key from the fragment; we do not, see
//! `docs/verification.md`, "Key provenance".)
//!
//! ```
//! use openbadges_proof::did::{resolve_offline, VmReference};
//! let vm = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
//! let VmReference::Resolved(m) = resolve_offline(vm)? else { unreachable!() };
//! assert_eq!(m.controller, vm);
//! assert_eq!(m.id, format!("{vm}#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"));
//! let https = "https://issuer.example/profile.json#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";
//! let VmReference::NeedsDocument { document_url, key_hint } = resolve_offline(https)? else {
//!     unreachable!()
//! };
//! assert_eq!(document_url, "https://issuer.example/profile.json");
//! assert!(key_hint.is_some());
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
    /// The key is the identifier itself (`did:key`, `did:jwk`).
    Resolved(VerificationMethod),
    /// A controller document must be fetched from `document_url` (`did:web`, `https`,
    /// `http`), then passed to [`verification_method_from_document`].
    NeedsDocument {
        /// Where the document is (for `did:web`, the `did.json` URL; for `https`, the
        /// identifier without its fragment).
        document_url: String,
        /// The Multikey an `https://…#z6Mk…` / `#zDn…` fragment names: a hint only. The key
        /// the document lists for this method must be this one; it is never used without
        /// the document (except through the dangerous option,
        /// [`dangerous_resolve_https_fragment`]).
        key_hint: Option<Multikey>,
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
            Ok(VmReference::NeedsDocument {
                document_url: base.to_owned(),
                key_hint: fragment_key(fragment)?,
            })
        }
        other => Err(DidError::UnsupportedScheme(other.to_owned())),
    }
}

/// The Multikey a fragment spells (`z6Mk…` Ed25519, `zDn…` P-256), if it looks like one.
fn fragment_key(fragment: &str) -> Result<Option<Multikey>, DidError> {
    if fragment.starts_with("z6Mk") || fragment.starts_with("zDn") {
        Ok(Some(Multikey::decode(fragment)?))
    } else {
        Ok(None)
    }
}

/// DANGEROUS: takes the key of an `https://…#z6Mk…` (or `http`, `#zDn…`) identifier from
/// its fragment, with the identifier's base as controller, **without** the controller
/// document. Anyone can then sign in the name of any `https` issuer with a key of their own
/// (the 1EdTech validator's shortcut). `None` for every other identifier. Only for the
/// verifier's `dangerous_trust_key_in_https_fragment` option.
///
/// # Errors
/// [`DidError`] when the fragment looks like a Multikey but does not decode.
pub fn dangerous_resolve_https_fragment(vm: &str) -> Result<Option<VerificationMethod>, DidError> {
    if !matches!(scheme_of(vm), Some("https" | "http")) {
        return Ok(None);
    }
    let (base, fragment) = vm.split_once('#').unwrap_or((vm, ""));
    Ok(fragment_key(fragment)?.map(|key| VerificationMethod {
        id: vm.to_owned(),
        controller: base.to_owned(),
        key,
        assertion_method: true,
    }))
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
            let jwk = did_jwk_value(msid)?;
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
            key_hint: None,
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
/// This only reads the document: `controller` is the method's `controller` (or the
/// document's `id`) and `assertion_method` tells whether the document authorizes it for
/// `assertionMethod`. [`resolve_verification_method`] applies the whole key-provenance rule.
///
/// # Errors
/// [`DidError::NotFound`] when the document does not list the method, a key error when
/// its key is unsupported.
pub fn verification_method_from_document(
    doc: &Value,
    vm_id: &str,
) -> Result<VerificationMethod, DidError> {
    let found = find_method(doc, vm_id, Relationship::AssertionMethod)
        .ok_or_else(|| DidError::NotFound(vm_id.to_owned()))?;
    let key = match entry_key(&found.entry)? {
        MethodKey::Multikey(k) => k,
        MethodKey::Jwk(j) => key_from_jwk(&j)?,
    };
    Ok(VerificationMethod {
        id: vm_id.to_owned(),
        controller: found.controller,
        key,
        assertion_method: found.listed,
    })
}

/// A verification relationship of a controller document: what a key may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Relationship {
    /// `assertionMethod`: issuing credentials (a credential's proof, a VC-JWT).
    AssertionMethod,
    /// `authentication`: proving control (a presentation's proof).
    Authentication,
}

impl Relationship {
    /// The property name in a controller document (`assertionMethod`, `authentication`).
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::AssertionMethod => "assertionMethod",
            Relationship::Authentication => "authentication",
        }
    }
}

/// The public key of a bound verification method.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MethodKey {
    /// A Multikey (`publicKeyMultibase`, or the identifier of a `did:key`).
    Multikey(Multikey),
    /// A `publicKeyJwk` (or the identifier of a `did:jwk`), as published.
    Jwk(Value),
}

impl MethodKey {
    /// The key as a Multikey (Ed25519 or P-256).
    ///
    /// # Errors
    /// [`DidError::Key`] for a JWK of another type.
    pub fn to_multikey(&self) -> Result<Multikey, DidError> {
        match self {
            MethodKey::Multikey(k) => Ok(k.clone()),
            MethodKey::Jwk(j) => key_from_jwk(j),
        }
    }
}

/// A verification method whose key is bound to its `controller` by the key-provenance rule
/// (see [`resolve_verification_method`]).
#[derive(Debug, Clone, PartialEq)]
pub struct BoundMethod {
    /// The verification method id, as the proof names it.
    pub id: String,
    /// Its controller: the DID of a `did:key`/`did:jwk`, or the `id` of the controller
    /// document that lists it. The caller compares it with the issuer (or holder).
    pub controller: String,
    /// Its public key.
    pub key: MethodKey,
    /// How it was bound.
    pub binding: Binding,
}

/// How a [`BoundMethod`]'s key was bound to its controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Binding {
    /// The identifier is the key (`did:key`, `did:jwk`).
    Identifier,
    /// The controller document lists the method under the relationship.
    ControllerDocument,
    /// DANGEROUS: the key was read from an `https` identifier's fragment without the
    /// controller document ([`dangerous_resolve_https_fragment`]).
    DangerousHttpsFragment,
}

/// Why [`resolve_verification_method`] did not bind a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProvenanceError {
    /// The identifier is malformed or unsupported.
    #[error(transparent)]
    Identifier(#[from] DidError),
    /// The controller document could not be obtained: could not check.
    #[error("controller document {0} is not available")]
    DocumentUnavailable(String),
    /// The controller document was obtained but is not I-JSON (malformed, or a duplicate
    /// member name): checked and wrong.
    #[error("controller document {url} cannot be read: {reason}")]
    DocumentMalformed {
        /// Where it came from.
        url: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// The document fetched for the identifier declares another `id`.
    #[error("the document at {url} declares id {found:?}, not {expected:?}")]
    DocumentIdMismatch {
        /// Where it was fetched from.
        url: String,
        /// The identifier it should be the document of.
        expected: String,
        /// The `id` it declares.
        found: String,
    },
    /// The controller document does not list the method, or lists it with another key than
    /// the one its identifier names.
    #[error("{document} does not list verification method {vm}{detail}")]
    NotListed {
        /// The verification method id.
        vm: String,
        /// The controller document.
        document: String,
        /// More detail (starts with `: ` when present).
        detail: String,
    },
    /// The method's `controller` is not the document's `id`: a document cannot vouch for a
    /// key on another controller's behalf.
    #[error(
        "verification method {vm} names controller {controller:?}, but is listed by {document_id:?}"
    )]
    ForeignController {
        /// The verification method id.
        vm: String,
        /// The controller it names.
        controller: String,
        /// The `id` of the document that lists it.
        document_id: String,
    },
    /// The document lists the method, but not under the required relationship.
    #[error("{document} lists {vm}, but not under {}", relationship.as_str())]
    NotAuthorized {
        /// The verification method id.
        vm: String,
        /// The controller document.
        document: String,
        /// The relationship required.
        relationship: Relationship,
    },
    /// The key is not usable (malformed, unsupported type).
    #[error("verification method {vm}: {source}")]
    Key {
        /// The verification method id.
        vm: String,
        /// Why.
        source: DidError,
    },
}

impl ProvenanceError {
    /// Whether this is "could not check" (the document is unavailable, or the identifier
    /// uses a DID method this library does not resolve) rather than "checked and wrong".
    pub fn is_indeterminate(&self) -> bool {
        matches!(
            self,
            ProvenanceError::DocumentUnavailable(_)
                | ProvenanceError::Identifier(DidError::UnsupportedDidMethod(_))
        )
    }
}

/// The key-provenance rule, for every proof format that names a verification method (Data
/// Integrity proofs of credentials and presentations, a VC-JWT's `kid`):
///
/// - `did:key`, `did:jwk`: the identifier is the key; its controller is the DID.
/// - `did:web`, `https`, `http` (with or without a `#z6Mk…` fragment): the controller document
///   at the identifier's base (`document`, fetched through the guarded loader or preloaded)
///   must have `id` equal to that base (the DID for `did:web`), list a method whose `id` is
///   the identifier, whose `controller` (when given) is the document's `id`, under
///   `relationship` (by reference or embedded there), and — for a `#z6Mk…` fragment — with
///   exactly the key the fragment names. The controller is the document's `id`.
/// - The caller then requires the controller to be the credential's issuer (or the
///   presentation's holder).
///
/// Without the document the result is [`ProvenanceError::DocumentUnavailable`] (could not
/// check), never a key. With `dangerous_https_fragment` an `https://…#z6Mk…` key is taken from
/// the fragment without the document ([`Binding::DangerousHttpsFragment`]).
///
/// # Errors
/// A [`ProvenanceError`] saying why no key is bound.
pub fn resolve_verification_method(
    vm_id: &str,
    relationship: Relationship,
    documents: Option<&dyn crate::data_integrity::ControllerDocuments>,
    dangerous_https_fragment: bool,
) -> Result<BoundMethod, ProvenanceError> {
    if dangerous_https_fragment {
        if let Some(m) = dangerous_resolve_https_fragment(vm_id)? {
            return Ok(BoundMethod {
                id: m.id,
                controller: m.controller,
                key: MethodKey::Multikey(m.key),
                binding: Binding::DangerousHttpsFragment,
            });
        }
    }
    let (document_url, key_hint) = match resolve_offline(vm_id)? {
        VmReference::Resolved(m) => {
            return Ok(BoundMethod {
                id: m.id,
                controller: m.controller,
                key: MethodKey::Multikey(m.key),
                binding: Binding::Identifier,
            });
        }
        VmReference::NeedsDocument {
            document_url,
            key_hint,
        } => (document_url, key_hint),
    };
    let doc = documents
        .map(|d| d.document_checked(&document_url))
        .transpose()
        .map_err(|reason| ProvenanceError::DocumentMalformed {
            url: document_url.clone(),
            reason,
        })?
        .flatten()
        .ok_or_else(|| ProvenanceError::DocumentUnavailable(document_url.clone()))?;
    let subject = vm_id.split_once('#').map_or(vm_id, |(b, _)| b);
    let doc_id = doc.get("id").and_then(Value::as_str).unwrap_or_default();
    if doc_id != subject {
        return Err(ProvenanceError::DocumentIdMismatch {
            url: document_url,
            expected: subject.to_owned(),
            found: doc_id.to_owned(),
        });
    }
    let not_listed = |detail: String| ProvenanceError::NotListed {
        vm: vm_id.to_owned(),
        document: document_url.clone(),
        detail,
    };
    let found = find_method(&doc, vm_id, relationship).ok_or_else(|| not_listed(String::new()))?;
    if found.controller != doc_id {
        return Err(ProvenanceError::ForeignController {
            vm: vm_id.to_owned(),
            controller: found.controller,
            document_id: doc_id.to_owned(),
        });
    }
    if !found.listed {
        return Err(ProvenanceError::NotAuthorized {
            vm: vm_id.to_owned(),
            document: document_url,
            relationship,
        });
    }
    let key = entry_key(&found.entry).map_err(|source| ProvenanceError::Key {
        vm: vm_id.to_owned(),
        source,
    })?;
    if let Some(hint) = key_hint {
        if key.to_multikey().ok().as_ref() != Some(&hint) {
            return Err(not_listed(
                ": the document lists another key for it than its fragment names".to_owned(),
            ));
        }
    }
    Ok(BoundMethod {
        id: vm_id.to_owned(),
        controller: found.controller,
        key,
        binding: Binding::ControllerDocument,
    })
}

/// The JWK a `did:jwk` method-specific id encodes.
fn did_jwk_value(enc: &str) -> Result<Value, DidError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(enc)
        .map_err(|_| DidError::Malformed("did:jwk is not base64url".to_owned()))?;
    openbadges_model::parse_json(&bytes, &openbadges_model::Limits::default())
        .map_err(|e| DidError::Malformed(format!("did:jwk is not a JSON JWK: {e}")))
}

/// A method found in a controller document.
struct FoundMethod {
    /// Its entry (the object under `verificationMethod` or embedded under the relationship).
    entry: Value,
    /// Its `controller` (absolute), or the document's `id`.
    controller: String,
    /// Whether the document lists it under the relationship.
    listed: bool,
}

/// Finds `vm_id` among the document's `verificationMethod` entries and the methods embedded
/// under `relationship`, and tells whether `relationship` lists it (by reference or embedded).
fn find_method(doc: &Value, vm_id: &str, relationship: Relationship) -> Option<FoundMethod> {
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
    let related = as_list(doc.get(relationship.as_str()));
    candidates.extend(related.iter().filter(|v| v.is_object()).cloned());
    let entry = candidates
        .into_iter()
        .find(|m| m.get("id").and_then(Value::as_str).map(absolute).as_deref() == Some(vm_id))?;
    let controller = entry
        .get("controller")
        .and_then(Value::as_str)
        .map(absolute)
        .unwrap_or_else(|| doc_id.to_owned());
    let listed = related.iter().any(|a| match a {
        Value::String(s) => absolute(s) == vm_id,
        Value::Object(o) => {
            o.get("id").and_then(Value::as_str).map(absolute).as_deref() == Some(vm_id)
        }
        _ => false,
    });
    Some(FoundMethod {
        entry,
        controller,
        listed,
    })
}

/// The key of a method entry: `publicKeyMultibase` (a Multikey, or an
/// Ed25519VerificationKey2018-style raw base58 key) or `publicKeyJwk`.
fn entry_key(method: &Value) -> Result<MethodKey, DidError> {
    if let Some(mb) = method.get("publicKeyMultibase").and_then(Value::as_str) {
        match Multikey::decode(mb) {
            Ok(k) => Ok(MethodKey::Multikey(k)),
            // Ed25519VerificationKey2018-style raw base58 keys without the multicodec header.
            Err(MultibaseError::UnsupportedCodec) => {
                let raw = crate::multibase::decode_base58btc(mb)?;
                let arr: [u8; 32] = raw
                    .as_slice()
                    .try_into()
                    .map_err(|_| DidError::Key(MultibaseError::UnsupportedCodec))?;
                Ok(MethodKey::Multikey(Multikey::Ed25519(arr)))
            }
            Err(e) => Err(e.into()),
        }
    } else if let Some(jwk) = method.get("publicKeyJwk") {
        Ok(MethodKey::Jwk(jwk.clone()))
    } else {
        Err(DidError::Key(MultibaseError::UnsupportedCodec))
    }
}
