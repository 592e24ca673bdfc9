//! The OB 2.0 forms of an issuance: the hosted `BadgeClass`, the hosted assertion
//! (`assertions/UUID.json`) and the signed assertion (compact JWS, id `urn:uuid:UUID`).

use openbadges_model::{DateTime, IdOrObject, Iri, ob2};
use openbadges_proof::issue as proof_issue;
use serde_json::Value;

use super::Issuance;
use crate::Error;
use crate::issuer::Issuer;

/// The OB 2.0 assertions one issuance produced.
#[derive(Default)]
pub(super) struct Ob2Forms {
    /// The hosted assertion, if asked for.
    pub(super) hosted: Option<Value>,
    /// The signed assertion (compact JWS), if asked for.
    pub(super) signed: Option<String>,
}

impl Issuer {
    /// Issues the OB 2.0 forms `issuance` asks for: hosts the badge class, then builds (and
    /// hosts) the hosted assertion and builds and signs the signed one.
    ///
    /// # Errors
    /// [`Error::Config`] when the badge has no image (OB 2.0 requires one); model or signing
    /// errors otherwise.
    pub(super) fn issue_ob2(&self, issuance: &mut Issuance<'_>) -> Result<Ob2Forms, Error> {
        let options = issuance.options;
        if !(options.ob2_hosted || options.ob2_signed) {
            return Ok(Ob2Forms::default());
        }
        let class_id = self.host_badge_class(issuance)?;
        let mut forms = Ob2Forms::default();
        if options.ob2_hosted {
            forms.hosted = Some(self.ob2_hosted_assertion(issuance, &class_id)?);
        }
        if let (true, Some(key)) = (options.ob2_signed, self.inner.keys.jws()) {
            let kid = self.key_id();
            let assertion = ob2_assertion(
                issuance,
                Self::urn_uuid(&issuance.uuid),
                &class_id,
                ob2::VerificationObject::signed(Some(Iri::parse(&kid)?)),
            )?;
            forms.signed = Some(proof_issue::sign_assertion(&assertion, key, Some(&kid))?);
        }
        Ok(forms)
    }

    /// Builds and hosts the `BadgeClass` (`badges/SLUG.json`); returns its id.
    fn host_badge_class(&self, issuance: &mut Issuance<'_>) -> Result<String, Error> {
        let Some(image) = &issuance.image else {
            return Err(Error::Config("an OB 2.0 badge class needs an image".into()));
        };
        let badge = issuance.badge;
        let path = Self::badge_class_path(&badge.slug);
        let class_id = self.url(&path);
        let mut cb = ob2::BadgeClass::builder()
            .id(class_id.clone())
            .name(badge.name.clone())
            .description(badge.description.clone())
            .image(image.url.clone())
            .criteria_narrative(badge.criteria_narrative.clone())
            .issuer_iri(self.ob2_profile_id());
        if let Some(c) = &badge.criteria_url {
            cb = cb.criteria_url(c.clone());
        }
        for t in &badge.tags {
            cb = cb.tag(t.clone());
        }
        let doc = self.json_doc(path, &cb.build()?.to_value()?)?;
        issuance.hosted.push(doc);
        Ok(class_id)
    }

    /// Builds the hosted assertion and hosts it at `assertions/UUID.json`, its id.
    fn ob2_hosted_assertion(
        &self,
        issuance: &mut Issuance<'_>,
        class_id: &str,
    ) -> Result<Value, Error> {
        let path = Self::assertion_path(&issuance.uuid);
        let assertion = ob2_assertion(
            issuance,
            self.url(&path),
            class_id,
            ob2::VerificationObject::hosted(),
        )?;
        let doc = self.json_doc(path, &assertion)?;
        issuance.hosted.push(doc);
        Ok(assertion)
    }
}

/// The OB 2.0 assertion `id` of badge class `class_id` to the hashed recipient, verified by
/// `verification`, with the dates, evidence and narrative of the options.
fn ob2_assertion(
    issuance: &Issuance<'_>,
    id: String,
    class_id: &str,
    verification: ob2::VerificationObject,
) -> Result<Value, Error> {
    let options = issuance.options;
    let mut ab = ob2::Assertion::builder()
        .id(id)
        .recipient(ob2::IdentityObject::hashed(
            issuance.recipient.kind.ob2_type(),
            &issuance.identity,
            issuance.salt.clone(),
        ))
        .badge_iri(class_id.to_owned())
        .verification(verification)
        .issued_on(DateTime::new(issuance.issued_on.clone()));
    if let Some(e) = &options.expires {
        ab = ab.expires(DateTime::new(e.clone()));
    }
    for e in &options.evidence.ob2 {
        ab = ab.evidence(IdOrObject::Object(Box::new(e.clone())));
    }
    if let Some(n) = &options.evidence.narrative {
        ab = ab.narrative(n.clone());
    }
    Ok(ab.build()?.to_value()?)
}
