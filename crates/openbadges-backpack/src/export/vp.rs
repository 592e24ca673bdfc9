//! An OB 3.0 VerifiablePresentation of chosen credentials: unsigned ([`presentation`]) or
//! signed by the holder with eddsa-rdfc-2022 ([`signed_presentation`],
//! [`signed_presentation_for`] with a verifier's challenge and domain, through
//! `openbadges_proof::data_integrity`). The proof crate's `Verifier` verifies both: the
//! holder's proof and each credential.

use serde_json::{Value, json};

use super::clr::Skipped;
use crate::model::{BadgeId, BadgeState};
use crate::store::Store;
use crate::{Error, Result};
use openbadges_model::Version;

/// The VC Data Model 2.0 context.
const VC2: &str = "https://www.w3.org/ns/credentials/v2";

/// What a presentation can carry, in order, and what it leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Presentable {
    /// The accepted OB 3.0 credentials and CLRs, for [`presentation`].
    pub ids: Vec<BadgeId>,
    /// The others (rejected, or OB 0.5–2.0 badges, which are not verifiable credentials), and
    /// why.
    pub skipped: Vec<Skipped>,
}

/// Chooses what a presentation carries: of `members` (a collection's, in its order), the
/// accepted OB 3.0 credentials and CLRs; without `members`, every accepted one in id order,
/// leaving out the credentials held as members of a held CLR (the CLR carries them).
///
/// # Errors
/// [`Error::NotFound`] for an unknown member; storage errors.
pub fn presentable<S: Store + ?Sized>(
    store: &S,
    members: Option<&[BadgeId]>,
) -> Result<Presentable> {
    let records = match members {
        Some(ids) => ids
            .iter()
            .map(|id| {
                store.badge(id)?.ok_or_else(|| Error::NotFound {
                    what: "badge",
                    id: id.to_string(),
                })
            })
            .collect::<Result<Vec<_>>>()?,
        None => store
            .badges()?
            .into_iter()
            .filter(|b| b.state == BadgeState::Accepted)
            .filter(|b| {
                !b.source
                    .within
                    .as_deref()
                    .is_some_and(|w| w.starts_with("clr:"))
            })
            .collect(),
    };
    let mut out = Presentable::default();
    for b in records {
        if b.state != BadgeState::Accepted {
            out.skipped.push(Skipped {
                id: b.id,
                reason: "rejected".into(),
            });
        } else if !matches!(b.version, Version::V3_0 | Version::Clr2_0) {
            out.skipped.push(Skipped {
                reason: format!(
                    "an OB {} badge is not a verifiable credential",
                    b.version.as_str()
                ),
                id: b.id,
            });
        } else {
            out.ids.push(b.id);
        }
    }
    Ok(out)
}

/// A VerifiablePresentation (VC DM 2.0) of the credentials `ids` (accepted OB 3.0 credentials
/// and CLRs), in the given order, with `holder` when known. A credential kept as JSON is
/// included as it was received; one kept as a VC-JWT (a compact JWS, possibly baked in an
/// image) as an `EnvelopedVerifiableCredential` whose `id` is a
/// `data:application/vc+jwt,<jwt>` URL.
///
/// The presentation is unsigned: sign it (eddsa-rdfc-2022 with the holder's key) before sending
/// it where a proof of possession is required.
///
/// # Errors
/// [`Error::NotFound`] for an unknown id; [`Error::InvalidArgument`] for a rejected badge or one
/// that is not an OB 3.0 / CLR credential; storage errors.
pub fn presentation<S: Store + ?Sized>(
    store: &S,
    ids: &[BadgeId],
    holder: Option<&str>,
) -> Result<Value> {
    let mut credentials = Vec::with_capacity(ids.len());
    for id in ids {
        let b = store.badge(id)?.ok_or_else(|| Error::NotFound {
            what: "badge",
            id: id.to_string(),
        })?;
        if b.state != BadgeState::Accepted {
            return Err(Error::InvalidArgument(format!("badge {id} is rejected")));
        }
        if !matches!(b.version, Version::V3_0 | Version::Clr2_0) {
            return Err(Error::InvalidArgument(format!(
                "badge {id} is an OB {} badge, not a verifiable credential",
                b.version.as_str()
            )));
        }
        credentials.push(super::clr::embeddable(&b));
    }
    let mut vp = json!({
        "@context": [VC2],
        "type": ["VerifiablePresentation"],
    });
    if let (Some(h), Some(o)) = (holder, vp.as_object_mut()) {
        o.insert("holder".into(), Value::String(h.to_owned()));
    }
    if let Some(o) = vp.as_object_mut() {
        o.insert("verifiableCredential".into(), Value::Array(credentials));
    }
    Ok(vp)
}

/// [`presentation`] signed by the holder: `holder` is the signer's `did:key`, and the proof is
/// a Data Integrity `eddsa-rdfc-2022` proof (`openbadges_proof::data_integrity::sign`) with
/// `proofPurpose` `authentication` (a presentation proves who presents, not who issued) and the
/// verification method `did:key:z6Mk…#z6Mk…`. `created` is an XML Schema dateTime (pass it in,
/// so the same inputs give the same presentation).
///
/// # Errors
/// As [`presentation`]; [`Error::Export`] when the presentation cannot be canonicalized or
/// signed (e.g. a credential whose JSON-LD context is not bundled).
pub fn signed_presentation<S: Store + ?Sized>(
    store: &S,
    ids: &[BadgeId],
    signer: &openbadges_proof::data_integrity::Ed25519Signer,
    created: &str,
) -> Result<Value> {
    signed_presentation_for(store, ids, signer, created, None, None)
}

/// [`signed_presentation`] for one verifier: the proof carries its `challenge` (the nonce it
/// sent) and `domain` (who it is), so the presentation cannot be replayed elsewhere. The
/// proof crate's verifier checks them with `Verifier::with_presentation_challenge` /
/// `with_presentation_domain`.
///
/// # Errors
/// As [`signed_presentation`].
pub fn signed_presentation_for<S: Store + ?Sized>(
    store: &S,
    ids: &[BadgeId],
    signer: &openbadges_proof::data_integrity::Ed25519Signer,
    created: &str,
    challenge: Option<&str>,
    domain: Option<&str>,
) -> Result<Value> {
    use openbadges_proof::data_integrity::{ProofOptions, sign};
    let vp = presentation(store, ids, Some(&signer.did_key()))?;
    let mut options = ProofOptions::new(signer.verification_method_did_key(), created);
    options.proof_purpose = "authentication".into();
    options.challenge = challenge.map(str::to_owned);
    options.domain = domain.map(str::to_owned);
    sign(&vp, signer, &options).map_err(|e| Error::export_in("signing the presentation", e))
}
