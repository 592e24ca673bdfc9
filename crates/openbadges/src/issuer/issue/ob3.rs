//! The OB 3.0 forms of an issuance: the hosted `Achievement`, the `OpenBadgeCredential` with
//! its `eddsa-rdfc-2022` proof, and the same credential as a VC-JWT.

use openbadges_model::{DateTime, IdentityKind, Iri, ob3};
use openbadges_proof::data_integrity::{self, Ed25519Signer, ProofOptions};
use openbadges_proof::key::SecretKey;
use openbadges_proof::vc_jwt;
use serde_json::{Value, json};

use super::Issuance;
use crate::Error;
use crate::issuer::Issuer;

/// The OB 3.0 credentials one issuance produced.
#[derive(Default)]
pub(super) struct Ob3Forms {
    /// The credential with its Data Integrity proof, if asked for.
    pub(super) credential: Option<Value>,
    /// The credential as a VC-JWT, if asked for.
    pub(super) jwt: Option<String>,
    /// The status-list index the credential took, if it carries a `credentialStatus`.
    pub(super) status_index: Option<u64>,
}

impl Issuer {
    /// Issues the OB 3.0 forms `issuance` asks for: hosts the achievement, builds the
    /// credential (with its status entry), issues it as a VC-JWT and signs it with a Data
    /// Integrity proof. Allocates the credential's status-list index in the store.
    ///
    /// # Errors
    /// [`Error::VcJwt`] when the credential cannot be a VC-JWT; model or signing errors
    /// otherwise.
    pub(super) fn issue_ob3(&self, issuance: &mut Issuance<'_>) -> Result<Ob3Forms, Error> {
        let options = issuance.options;
        let (true, Some(signer), Some(vm)) = (
            options.ob3,
            self.inner.keys.data_integrity_signer(),
            self.verification_method(),
        ) else {
            return Ok(Ob3Forms::default());
        };
        let achievement = self.host_achievement(issuance)?;
        let mut credential = self.ob3_credential(issuance, achievement)?;
        let index = if options.ob3_status {
            Some(self.inner.store.allocate_status_index()?)
        } else {
            None
        };
        if let (Some(i), Some(o)) = (index, credential.as_object_mut()) {
            o.insert("credentialStatus".into(), self.status_entry(i));
        }
        let mut forms = Ob3Forms::default();
        if let (true, Some(key)) = (options.ob3_jwt, self.inner.keys.vc_jwt()) {
            forms.jwt = Some(self.ob3_vc_jwt(&credential, key)?);
        }
        forms.credential = Some(sign_credential(&credential, signer, vm, issuance)?);
        forms.status_index = index;
        Ok(forms)
    }

    /// `credential` (without its Data Integrity proof) as a VC-JWT signed with `key`.
    ///
    /// # Errors
    /// [`Error::VcJwt`] (its source is the proof crate's error) when the credential cannot be
    /// a VC-JWT.
    pub(in crate::issuer) fn ob3_vc_jwt(
        &self,
        credential: &Value,
        key: &SecretKey,
    ) -> Result<String, Error> {
        // `kid` binds the key through the issuer's JWKS; `jwk` lets verifiers that do not
        // fetch (and pin keys out of band) find it. Ours checks the two agree.
        let header = vc_jwt::HeaderKey::Both(self.vc_jwt_kid());
        vc_jwt::issue(credential, key, &header).map_err(Error::VcJwt)
    }

    /// Builds the `Achievement` and hosts it (with its `@context`) at
    /// `achievements/SLUG.json`, its id.
    fn host_achievement(&self, issuance: &mut Issuance<'_>) -> Result<ob3::Achievement, Error> {
        let badge = issuance.badge;
        let path = Self::achievement_path(&badge.slug);
        let mut ab = ob3::AchievementBuilder::new(
            Iri::parse(&self.url(&path))?,
            badge.name.clone(),
            badge.description.clone(),
        )
        .criteria_narrative(badge.criteria_narrative.clone())
        .achievement_type("Badge");
        if let Some(c) = &badge.criteria_url {
            ab = ab.criteria_url(Iri::parse(c)?);
        }
        if let Some(image) = &issuance.image {
            ab = ab.image(ob3::Image::new(Iri::parse(&image.url)?));
        }
        for t in &badge.tags {
            ab = ab.tag(t.clone());
        }
        let achievement = ab.build()?;
        let mut hosted = ob3::to_value(&achievement)?;
        if let Some(o) = hosted.as_object_mut() {
            let mut m = serde_json::Map::new();
            m.insert(
                "@context".into(),
                json!([openbadges_model::detect::VC2_CONTEXT, ob3::OB3_CONTEXT]),
            );
            m.extend(std::mem::take(o));
            *o = m;
        }
        let doc = self.json_doc(path, &hosted)?;
        issuance.hosted.push(doc);
        Ok(achievement)
    }

    /// The unsigned `OpenBadgeCredential` (id `urn:uuid:UUID`) of `achievement` to the
    /// recipient (a DID as the subject id, anything else hashed), with the dates, evidence
    /// and narrative of the options.
    fn ob3_credential(
        &self,
        issuance: &Issuance<'_>,
        achievement: ob3::Achievement,
    ) -> Result<Value, Error> {
        let options = issuance.options;
        let recipient = issuance.recipient;
        let mut cb = ob3::CredentialBuilder::new()
            .id(Iri::parse(&Self::urn_uuid(&issuance.uuid))?)
            .issuer(self.ob3_profile()?)
            .achievement(achievement)
            .valid_from(DateTime::new(issuance.issued_on.clone()));
        cb = match recipient.kind {
            IdentityKind::Did => cb.recipient_id(Iri::parse(&recipient.value)?),
            _ => cb.recipient_identity(ob3::IdentityObject::hashed_with_salt(
                recipient.kind.ob3_type(),
                &issuance.identity,
                issuance.salt.clone(),
            )),
        };
        if let (Some(id), false) = (&options.subject_id, recipient.kind == IdentityKind::Did) {
            cb = cb.recipient_id(Iri::parse(id)?);
        }
        if let Some(e) = &options.expires {
            cb = cb.valid_until(DateTime::new(e.clone()));
        }
        for e in &options.evidence.ob3 {
            cb = cb.evidence(e.clone());
        }
        if let Some(n) = &options.evidence.narrative {
            cb = cb.narrative(n.clone());
        }
        Ok(ob3::to_value(&cb.build()?)?)
    }
}

/// `credential` with its `eddsa-rdfc-2022` proof by `signer` through verification method
/// `vm`, created at the issue date.
fn sign_credential(
    credential: &Value,
    signer: &Ed25519Signer,
    vm: String,
    issuance: &Issuance<'_>,
) -> Result<Value, Error> {
    let options = ProofOptions::new(vm, issuance.issued_on.clone());
    Ok(data_integrity::sign(credential, signer, &options)?)
}
