//! The options of Data Integrity verification and the controller documents it may need.

use std::fmt;

use serde_json::Value;

use crate::jsonld::{BundledContexts, ContextCache, ContextLoader, JsonLdLimits};
use crate::rdfc::CanonLimits;

/// Controller documents (DID documents for `did:web`, or JSON documents at an `https`
/// controller URL) that verification may need. Fetching is the caller's job (its loader);
/// this trait only hands over what was fetched or preloaded.
pub trait ControllerDocuments {
    /// The document at `url`, if available.
    fn document(&self, url: &str) -> Option<Value>;

    /// The document at `url`: `Ok(None)` when it is not available (could not check),
    /// `Err(why)` when it was fetched and is not I-JSON (malformed, a duplicate member name:
    /// checked and wrong). The default asks [`ControllerDocuments::document`].
    ///
    /// # Errors
    /// Why the fetched document cannot be read.
    fn document_checked(&self, url: &str) -> Result<Option<Value>, String> {
        Ok(self.document(url))
    }
}

/// Controller documents through a [`DocumentLoader`](crate::loader::DocumentLoader) (the
/// guarded HTTP loader, preloaded documents), parsed within `limits`.
#[derive(Clone, Copy)]
pub struct LoaderDocuments<'a> {
    /// Where documents come from.
    pub loader: &'a dyn crate::loader::DocumentLoader,
    /// Limits for parsing them.
    pub limits: openbadges_model::Limits,
}

impl fmt::Debug for LoaderDocuments<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoaderDocuments")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl ControllerDocuments for LoaderDocuments<'_> {
    fn document(&self, url: &str) -> Option<Value> {
        self.document_checked(url).ok().flatten()
    }

    /// A document that could not be loaded, or is over the limits, is unavailable (could not
    /// check); one that is malformed or has a duplicate member name is an error.
    fn document_checked(&self, url: &str) -> Result<Option<Value>, String> {
        let Ok(d) = self.loader.load(url) else {
            return Ok(None);
        };
        match openbadges_model::parse_json(&d.body, &self.limits) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_limit() => Ok(None),
            Err(e) => Err(format!("controller document {url}: {e}")),
        }
    }
}

impl ControllerDocuments for std::collections::HashMap<String, Value> {
    fn document(&self, url: &str) -> Option<Value> {
        self.get(url).cloned()
    }
}

/// Options of [`verify`](super::verify).
#[derive(Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// JSON-LD contexts (default: the bundled ones).
    pub contexts: &'a dyn ContextLoader,
    /// Processed contexts of [`VerifyOptions::contexts`] to reuse across documents (a
    /// verifier keeps one for all it verifies). Default none: with the bundled contexts, a
    /// cache per thread; with another loader, each [`verify`](super::verify) call processes its
    /// contexts once, for the document and all its proofs.
    pub context_cache: Option<&'a ContextCache>,
    /// Controller documents for `did:web` and `https` verification methods.
    pub documents: Option<&'a dyn ControllerDocuments>,
    /// Canonicalization limits.
    pub canon_limits: CanonLimits,
    /// JSON-LD limits.
    pub jsonld_limits: JsonLdLimits,
    /// The proof purpose required (default `assertionMethod`). With `authentication` (a
    /// presentation's proof) the verification method must be controlled by the document's
    /// `holder` and, when it comes from a controller document, be listed there under
    /// `authentication`; otherwise it must be controlled by the `issuer` and listed under
    /// `assertionMethod`.
    pub proof_purpose: &'a str,
    /// The `challenge` the proof must carry (default: none required; a proof's own `challenge`
    /// is then signed over but not compared).
    pub challenge: Option<&'a str>,
    /// The `domain` the proof must carry (a string equal to it, or an array containing it).
    pub domain: Option<&'a str>,
    /// DANGEROUS: take the key of an `https://…#z6Mk…` verification method from its fragment
    /// without the controller document (the 1EdTech validator's shortcut). Anyone can then
    /// sign in the name of any `https` issuer. Default `false`: the controller document must
    /// list the key (see [`crate::did::resolve_verification_method`]).
    pub dangerous_trust_key_in_https_fragment: bool,
}

impl Default for VerifyOptions<'_> {
    fn default() -> Self {
        Self {
            contexts: &BundledContexts,
            context_cache: None,
            documents: None,
            canon_limits: CanonLimits::default(),
            jsonld_limits: JsonLdLimits::default(),
            proof_purpose: "assertionMethod",
            challenge: None,
            domain: None,
            dangerous_trust_key_in_https_fragment: false,
        }
    }
}

impl fmt::Debug for VerifyOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("canon_limits", &self.canon_limits)
            .field("proof_purpose", &self.proof_purpose)
            .field("challenge", &self.challenge)
            .field("domain", &self.domain)
            .field(
                "dangerous_trust_key_in_https_fragment",
                &self.dangerous_trust_key_in_https_fragment,
            )
            .finish_non_exhaustive()
    }
}
