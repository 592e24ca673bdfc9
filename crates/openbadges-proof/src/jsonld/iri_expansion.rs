//! JSON-LD 1.1 IRI Expansion algorithm (§5.2.2).

use std::borrow::Cow;

use super::context::Context;
use super::iri::{is_absolute, is_keyword, looks_like_keyword, resolve};
use super::term::{LocalContext, TermOpts};
use super::{JsonLdError, Processor};

impl Processor<'_> {
    /// IRI Expansion while a local context is processed: terms of `local` that `value` needs
    /// are defined first (steps 3 and 6.3), then `value` is expanded. `Ok(None)` means "null".
    pub(crate) fn expand_iri(
        &mut self,
        active: &mut Context,
        value: &str,
        document_relative: bool,
        vocab: bool,
        local: Option<&mut LocalContext<'_>>,
    ) -> Result<Option<String>, JsonLdError> {
        if let Some(local) = local {
            // Steps 1-2: keywords and keyword-like values need no term.
            if !looks_like_keyword(value) {
                self.define_dependencies(active, local, value, vocab)?;
            }
        }
        Ok(expand_iri_ro(active, value, document_relative, vocab))
    }

    /// Steps 3 and 6.3: defines `value`, or the prefix of `value` as a compact IRI, when the
    /// local context has it and it is not defined yet.
    fn define_dependencies(
        &mut self,
        active: &mut Context,
        local: &mut LocalContext<'_>,
        value: &str,
        vocab: bool,
    ) -> Result<(), JsonLdError> {
        // Step 3.
        if local.is_pending(value) {
            self.create_term(active, local, value, TermOpts::default())?;
        }
        // Steps 4-5: a term definition answers before any prefix is looked at.
        if let Some(def) = active.term(value) {
            if def.iri.as_deref().is_some_and(is_keyword) || vocab {
                return Ok(());
            }
        }
        // Steps 6.1-6.3.
        if let Some((prefix, suffix)) = split_compact(value) {
            if prefix == "_" || suffix.starts_with("//") {
                return Ok(());
            }
            if local.is_pending(prefix) {
                self.create_term(active, local, prefix, TermOpts::default())?;
            }
        }
        Ok(())
    }
}

/// `value` split at its first colon after the first character (step 6.1).
fn split_compact(value: &str) -> Option<(&str, &str)> {
    let i = value.get(1..)?.find(':')? + 1;
    Some((
        value.get(..i).unwrap_or_default(),
        value.get(i + 1..).unwrap_or_default(),
    ))
}

/// IRI Expansion without a local context (never defines terms, so it only reads `active`).
/// `None` means "null".
pub(crate) fn expand_iri_ro(
    active: &Context,
    value: &str,
    document_relative: bool,
    vocab: bool,
) -> Option<String> {
    expand_iri_cow(active, value, document_relative, vocab).map(Cow::into_owned)
}

/// [`expand_iri_ro`], borrowing the result when it is `value` itself or a term's IRI (no
/// allocation for keywords, terms and absolute IRIs).
pub(crate) fn expand_iri_cow<'v>(
    active: &'v Context,
    value: &'v str,
    document_relative: bool,
    vocab: bool,
) -> Option<Cow<'v, str>> {
    // Step 1.
    if is_keyword(value) {
        return Some(Cow::Borrowed(value));
    }
    // Step 2.
    if looks_like_keyword(value) {
        return None;
    }
    // Steps 4-5.
    if let Some(def) = active.term(value) {
        if def.iri.as_deref().is_some_and(is_keyword) || vocab {
            return def.iri.as_deref().map(Cow::Borrowed);
        }
    }
    // Step 6: a blank node identifier, compact IRI or IRI.
    if let Some((prefix, suffix)) = split_compact(value) {
        // Step 6.2.
        if prefix == "_" || suffix.starts_with("//") {
            return Some(Cow::Borrowed(value));
        }
        // Step 6.4.
        if let Some(def) = active.term(prefix) {
            if let (Some(iri), true) = (&def.iri, def.prefix) {
                return Some(Cow::Owned(format!("{iri}{suffix}")));
            }
        }
        // Step 6.5.
        if is_absolute(value) {
            return Some(Cow::Borrowed(value));
        }
    }
    // Step 7.
    if vocab {
        if let Some(v) = &active.vocab {
            return Some(Cow::Owned(format!("{v}{value}")));
        }
    }
    // Step 8.
    if document_relative {
        if let Some(b) = &active.base {
            return Some(Cow::Owned(resolve(b, value)));
        }
    }
    // Step 9.
    Some(Cow::Borrowed(value))
}
