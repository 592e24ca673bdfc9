//! Issuing one badge ([`Issuer::issue`]): what to issue ([`IssueOptions`]), what comes back
//! ([`Issued`]), and the steps in between — check the request, start the issuance (fresh
//! UUID and salt), host the image, issue the OB 2.0 forms ([`ob2`]), issue the OB 3.0 forms
//! ([`ob3`]), commit the state, gather the documents to host, and bake ([`bake`]).

mod bake;
mod ob2;
mod ob3;

pub use bake::{BakedImage, Form};

use openbadges_bake::ImageFormat;
use openbadges_model::{Identity, Salt};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Badge, Evidence, HostedDocument, Issuer, now_rfc3339};
use crate::Error;
use crate::store::{IssuanceWrite, IssuedRecord, StoreError, StoreTransaction, StoredDocument};

/// What to issue and when.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IssueOptions {
    /// An OB 2.0 hosted assertion (default on).
    pub ob2_hosted: bool,
    /// An OB 2.0 signed assertion (compact JWS; default on; needs a JWS key).
    pub ob2_signed: bool,
    /// An OB 3.0 `OpenBadgeCredential` with an `eddsa-rdfc-2022` proof (default on; needs the
    /// Ed25519 key).
    pub ob3: bool,
    /// The same OB 3.0 credential as a VC-JWT (default on; needs the JWS key, ES256 or RS256
    /// recommended).
    pub ob3_jwt: bool,
    /// Whether the OB 3.0 credential carries a `credentialStatus` (its entry in the issuer's
    /// Bitstring Status List; default on). Without it the credential cannot be revoked, but
    /// verifiers that cannot check status lists (some refuse any `credentialStatus`) accept it.
    pub ob3_status: bool,
    /// `issuedOn` / `validFrom` (RFC 3339; default now).
    pub issued_on: Option<String>,
    /// `expires` / `validUntil` (RFC 3339), if the badge expires.
    pub expires: Option<String>,
    /// Evidence.
    pub evidence: Evidence,
    /// The OB 3.0 `credentialSubject.id` (a holder's DID), set beside the hashed recipient
    /// identity (an OpenID4VCI wallet's key); `None` for none (default).
    pub subject_id: Option<String>,
}

impl Default for IssueOptions {
    fn default() -> Self {
        IssueOptions {
            ob2_hosted: true,
            ob2_signed: true,
            ob3: true,
            ob3_jwt: true,
            ob3_status: true,
            issued_on: None,
            expires: None,
            evidence: Evidence::default(),
            subject_id: None,
        }
    }
}

impl IssueOptions {
    /// Every form (hosted and signed OB 2.0, OB 3.0 with a Data Integrity proof and as a
    /// VC-JWT).
    pub fn new() -> Self {
        Self::default()
    }

    /// Chooses the forms to issue (the VC-JWT follows `ob3`; see [`IssueOptions::vc_jwt`]).
    pub fn forms(mut self, ob2_hosted: bool, ob2_signed: bool, ob3: bool) -> Self {
        self.ob2_hosted = ob2_hosted;
        self.ob2_signed = ob2_signed;
        self.ob3 = ob3;
        self.ob3_jwt = ob3;
        self
    }

    /// Whether to issue the OB 3.0 credential as a VC-JWT too (only with `ob3`).
    pub fn vc_jwt(mut self, yes: bool) -> Self {
        self.ob3_jwt = yes;
        self
    }

    /// Whether the OB 3.0 credential gets a `credentialStatus` (default on; off makes it
    /// unrevocable).
    pub fn status_list(mut self, yes: bool) -> Self {
        self.ob3_status = yes;
        self
    }

    /// Sets the issue date (RFC 3339).
    pub fn issued_on(mut self, t: impl Into<String>) -> Self {
        self.issued_on = Some(t.into());
        self
    }

    /// Sets the expiry (RFC 3339).
    pub fn expires(mut self, t: impl Into<String>) -> Self {
        self.expires = Some(t.into());
        self
    }

    /// Sets the evidence.
    pub fn evidence(mut self, e: Evidence) -> Self {
        self.evidence = e;
        self
    }

    /// Sets the OB 3.0 `credentialSubject.id` (a DID or other IRI) beside the recipient's
    /// hashed identity.
    pub fn subject_id(mut self, id: impl Into<String>) -> Self {
        self.subject_id = Some(id.into());
        self
    }
}

/// Everything one issuance produced (a serde type: the store keeps it whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Issued {
    /// The badge's UUID, shared by every form (the hosted assertion is
    /// `assertions/UUID.json`, the signed assertion and the credential are `urn:uuid:UUID`).
    /// Give it (or any of those ids) to [`Issuer::revoke`].
    pub uuid: String,
    /// The fresh salt the recipient was hashed with.
    pub salt: Salt,
    /// The OB 2.0 hosted assertion, if issued.
    pub ob2_hosted: Option<Value>,
    /// The OB 2.0 signed assertion (compact JWS), if issued.
    pub ob2_signed: Option<String>,
    /// The OB 3.0 credential with its `eddsa-rdfc-2022` proof, if issued.
    pub ob3_credential: Option<Value>,
    /// The OB 3.0 credential as a VC-JWT (the same credential without its Data Integrity
    /// proof, signed with the JWS key; `kid` = the `key.json` URL, listed in the JWKS at the
    /// issuer origin's `/.well-known/jwks.json`), if issued.
    pub ob3_jwt: Option<String>,
    /// The badge image with each form baked in (empty when the badge has no image).
    pub baked: Vec<BakedImage>,
    /// Every document the issuer must host for this badge to verify (issuer-wide documents
    /// included, in their current state).
    pub hosted: Vec<HostedDocument>,
}

impl Issued {
    /// The baked image of `form`, if any.
    pub fn baked(&self, form: Form) -> Option<&BakedImage> {
        self.baked.iter().find(|b| b.form == form)
    }

    /// The hosted document at `path`, if any.
    pub fn document(&self, path: &str) -> Option<&HostedDocument> {
        self.hosted.iter().find(|d| d.path == path)
    }
}

/// The badge image, hosted: its bytes and its URL.
struct BadgeImage<'a> {
    /// The PNG or SVG bytes.
    bytes: &'a [u8],
    /// Where it is hosted (`badges/SLUG.png` or `.svg`).
    url: String,
}

/// One issuance in progress: the checked request, the fresh identifiers, and what the steps
/// have produced so far.
struct Issuance<'a> {
    /// The recipient as given.
    recipient: &'a Identity,
    /// The recipient's normalized identity, the one that is hashed.
    identity: String,
    /// The badge.
    badge: &'a Badge,
    /// What to issue.
    options: &'a IssueOptions,
    /// The badge's fresh UUID, shared by every form.
    uuid: String,
    /// The fresh salt the recipient is hashed with.
    salt: Salt,
    /// `issuedOn` / `validFrom`.
    issued_on: String,
    /// The hosted image, if the badge has one.
    image: Option<BadgeImage<'a>>,
    /// The documents to host so far, in the order they were made.
    hosted: Vec<HostedDocument>,
}

impl Issuer {
    /// Issues `badge` to `recipient`: a fresh salt, then every form `options` asks for, baked
    /// into the badge image, with every document to host. The badge's record, its documents
    /// and its status-list index are committed to the store in one transaction before this
    /// returns.
    ///
    /// # Errors
    /// [`Error::Config`] when a requested form lacks its key or OB 2.0 lacks an image, a bad
    /// slug, or nothing was requested; [`Error::Store`]; model, signing or baking errors
    /// otherwise.
    pub fn issue(
        &self,
        recipient: &Identity,
        badge: &Badge,
        options: &IssueOptions,
    ) -> Result<Issued, Error> {
        self.issue_with(recipient, badge, options, &mut |_, _| Ok(()))
    }

    /// Like [`Issuer::issue`], and runs `hook` inside the store transaction that commits the
    /// badge, with the finished [`Issued`]: the caller's writes (its own tables, through the
    /// [`StoreTransaction`]) and the badge commit together, or nothing does. A hook error rolls
    /// everything back and is returned as [`Error::Store`] (the status-list index it took is
    /// not reused: a gap is harmless).
    ///
    /// # Errors
    /// As [`Issuer::issue`], and the hook's error.
    pub fn issue_with(
        &self,
        recipient: &Identity,
        badge: &Badge,
        options: &IssueOptions,
        hook: &mut dyn FnMut(&mut dyn StoreTransaction, &Issued) -> Result<(), StoreError>,
    ) -> Result<Issued, Error> {
        let identity = self.check_request(recipient, badge, options)?;
        let mut issuance = Issuance::start(recipient, identity, badge, options)?;
        issuance.image = self.host_image(&mut issuance)?;
        let ob2 = self.issue_ob2(&mut issuance)?;
        let ob3 = self.issue_ob3(&mut issuance)?;
        let badge_documents: Vec<StoredDocument> = issuance
            .hosted
            .iter()
            .map(|d| self.stored(d, &issuance.uuid))
            .collect();
        // A credential in a status list nobody used yet: the list is created with the badge.
        let new_list = match ob3.status_index {
            Some(i) => self.new_status_list(Self::status_list_of(i))?,
            None => None,
        };
        issuance
            .hosted
            .extend(self.issuer_documents(new_list.as_ref())?);
        let baked = match &issuance.image {
            Some(image) => bake::bake_forms(image, &ob2, &ob3)?,
            None => Vec::new(),
        };
        let issued = Issued {
            uuid: issuance.uuid,
            salt: issuance.salt,
            ob2_hosted: ob2.hosted,
            ob2_signed: ob2.signed,
            ob3_credential: ob3.credential,
            ob3_jwt: ob3.jwt,
            baked,
            hosted: issuance.hosted,
        };
        let record = IssuedRecord::new(issued, ob3.status_index, now_rfc3339());
        let new_lists: Vec<StoredDocument> = new_list.iter().map(|d| self.stored(d, "")).collect();
        self.inner.store.commit_issuance(
            IssuanceWrite {
                record: &record,
                documents: &badge_documents,
                documents_if_absent: &new_lists,
            },
            &mut |tx| hook(tx, &record.issued),
        )?;
        Ok(record.issued)
    }

    /// Checks the request before anything is made: a good slug, at least one form, the key
    /// each requested form needs, a non-empty recipient. Returns the normalized identity.
    fn check_request(
        &self,
        recipient: &Identity,
        badge: &Badge,
        options: &IssueOptions,
    ) -> Result<String, Error> {
        badge.check_slug()?;
        if !(options.ob2_hosted || options.ob2_signed || options.ob3) {
            return Err(Error::Config("no form of the badge was requested".into()));
        }
        if options.ob2_signed && self.inner.keys.jws().is_none() {
            return Err(Error::Config(
                "a signed OB 2.0 assertion needs a JWS key".into(),
            ));
        }
        if options.ob3 && options.ob3_jwt && self.inner.keys.vc_jwt().is_none() {
            return Err(Error::Config(
                "an OB 3.0 VC-JWT needs a JWS or VC-JWT key (or turn it off with `vc_jwt(false)`)"
                    .into(),
            ));
        }
        if options.ob3 && self.inner.keys.data_integrity_signer().is_none() {
            return Err(Error::Config(
                "an OB 3.0 credential needs an Ed25519 key".into(),
            ));
        }
        let identity = recipient.normalized();
        if identity.is_empty() {
            return Err(Error::Config("the recipient identity is empty".into()));
        }
        Ok(identity)
    }

    /// Hosts the badge image at `badges/SLUG.png` or `.svg`; `None` when the badge has none.
    ///
    /// # Errors
    /// [`Error::Config`] when the image is neither a PNG nor an SVG.
    fn host_image<'a>(&self, issuance: &mut Issuance<'a>) -> Result<Option<BadgeImage<'a>>, Error> {
        let badge = issuance.badge;
        let Some(bytes) = &badge.image else {
            return Ok(None);
        };
        let (ext, ct) = match ImageFormat::detect(bytes) {
            Some(ImageFormat::Png) => ("png", "image/png"),
            Some(ImageFormat::Svg) => ("svg", "image/svg+xml"),
            _ => {
                return Err(Error::Config(
                    "the badge image must be a PNG or an SVG".into(),
                ));
            }
        };
        let doc = self.doc(format!("badges/{}.{ext}", badge.slug), ct, bytes.clone());
        let url = doc.url.clone();
        issuance.hosted.push(doc);
        Ok(Some(BadgeImage { bytes, url }))
    }
}

impl<'a> Issuance<'a> {
    /// Starts an issuance: a fresh UUID and salt, and the issue date (given, else now).
    fn start(
        recipient: &'a Identity,
        identity: String,
        badge: &'a Badge,
        options: &'a IssueOptions,
    ) -> Result<Self, Error> {
        Ok(Issuance {
            recipient,
            identity,
            badge,
            options,
            uuid: new_uuid()?,
            salt: Salt::generate()?,
            issued_on: options.issued_on.clone().unwrap_or_else(now_rfc3339),
            image: None,
            hosted: Vec::new(),
        })
    }
}

/// A fresh random (version 4) UUID, without the `urn:uuid:` prefix.
pub(super) fn new_uuid() -> Result<String, Error> {
    let iri = openbadges_model::ob3::random_urn_uuid().map_err(|_| Error::Random)?;
    Ok(iri.as_str().trim_start_matches("urn:uuid:").to_owned())
}
