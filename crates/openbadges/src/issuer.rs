//! The issuing side: [`Issuer`] turns a recipient and a badge into every form of the badge and
//! every document the issuer must host, and keeps the revocation lists.
//!
//! # What gets hosted, and where
//! All URLs are under the issuer's base URL (`https://issuer.example/` below):
//!
//! | path | content | who reads it |
//! |------|---------|--------------|
//! | `issuer.json` | OB 2.0 issuer `Profile` (`publicKey`, `revocationList`) | OB 2.0 verifiers |
//! | `key.json` | OB 2.0 `CryptographicKey` (PEM) of the JWS key | OB 2.0 signed-badge verifiers |
//! | `jwks.json` | JWK Set of the JWS key (`kid` = `key.json` URL) | JOSE tooling |
//! | `/.well-known/jwks.json` (origin root) | the same JWK Set | VC-JWT verifiers |
//! | `revocations.json` | OB 2.0 `RevocationList` | OB 2.0 verifiers |
//! | `profile.json` | the OB 3.0 issuer id: a controller document listing the Ed25519 `Multikey` under `assertionMethod` | OB 3.0 verifiers resolving `profile.json#z6Mk…` |
//! | `status/N.json` | a `BitstringStatusListCredential` (signed, eddsa-rdfc-2022) | OB 3.0 verifiers |
//! | `badges/SLUG.json` | OB 2.0 `BadgeClass` | OB 2.0 verifiers |
//! | `badges/SLUG.png` / `.svg` | the badge image | everyone |
//! | `achievements/SLUG.json` | OB 3.0 `Achievement` | people following the achievement id |
//! | `assertions/UUID.json` | OB 2.0 hosted `Assertion` | OB 2.0 verifiers |
//!
//! Serve each [`HostedDocument`] at its [`url`](HostedDocument::url) with its
//! [`content_type`](HostedDocument::content_type); nothing else is needed.

use std::collections::BTreeMap;
use std::fmt;

use openbadges_bake::{BakeOptions, ImageFormat};
use openbadges_model::{DateTime, IdOrObject, Identity, IdentityKind, Iri, Salt, ob2, ob3};
use openbadges_proof::data_integrity::{self, Ed25519Signer, ProofOptions};
use openbadges_proof::issue as proof_issue;
use openbadges_proof::key::{Algorithm, SecretKey};
use openbadges_proof::vc_jwt;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::Error;
use openbadges_proof::status_list::{LIST_BITS, encode_bitstring};

/// The issuer's public profile. Its ids are derived from the issuer's base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IssuerProfile {
    /// Display name (required by both specifications).
    pub name: String,
    /// Homepage (`url`; required by OB 2.0, defaults to the base URL).
    pub url: Option<String>,
    /// Contact email (required by OB 2.0).
    pub email: String,
    /// Description.
    pub description: Option<String>,
}

impl IssuerProfile {
    /// A profile with a name and a contact email (both required by OB 2.0).
    pub fn new(name: impl Into<String>, email: impl Into<String>) -> Self {
        IssuerProfile {
            name: name.into(),
            url: None,
            email: email.into(),
            description: None,
        }
    }

    /// Sets the homepage.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.description = Some(d.into());
        self
    }
}

/// The issuer's signing keys: an Ed25519 key for OB 3.0 Data Integrity proofs (and the
/// status list), a JWS key (RS256, ES256 or EdDSA) for signed OB 2.0 assertions, and
/// optionally a separate key for VC-JWTs (else the JWS key signs them too).
///
/// Interoperability: the OB 2.0 reference verifier (badgecheck) checks RS256 only, so an
/// issuer whose signed OB 2.0 badges must verify everywhere uses an RSA JWS key, and an ES256
/// VC-JWT key (RS256 VC-JWTs are allowed but larger). `Debug` shows no secret.
#[derive(Default)]
pub struct IssuerKeys {
    ed25519_seed: Option<Zeroizing<[u8; 32]>>,
    di: Option<Ed25519Signer>,
    jws: Option<SecretKey>,
    vc_jwt: Option<SecretKey>,
}

impl fmt::Debug for IssuerKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuerKeys")
            .field(
                "data_integrity",
                &self.di.as_ref().map(|s| s.multikey().encode()),
            )
            .field("jws", &self.jws.as_ref().map(SecretKey::algorithm))
            .field("vc_jwt", &self.vc_jwt.as_ref().map(SecretKey::algorithm))
            .finish()
    }
}

impl IssuerKeys {
    /// No keys (only OB 2.0 hosted assertions can be issued).
    pub fn new() -> Self {
        Self::default()
    }

    /// Fresh keys: an Ed25519 Data Integrity key and a JWS key of algorithm `jws` (RS256 is
    /// what every OB 2.0 verifier supports; generating it takes a moment).
    ///
    /// # Errors
    /// [`Error::Random`] or a key error from the proof crate.
    pub fn generate(jws: Algorithm) -> Result<Self, Error> {
        let mut seed = Zeroizing::new([0u8; 32]);
        fill_random(seed.as_mut())?;
        Ok(Self::new()
            .ed25519_seed(&seed)?
            .jws_key(SecretKey::generate(jws)?))
    }

    /// Uses the Ed25519 key with this 32-byte seed for Data Integrity proofs.
    ///
    /// # Errors
    /// [`Error::DataIntegrity`] if the seed is rejected.
    pub fn ed25519_seed(mut self, seed: &[u8; 32]) -> Result<Self, Error> {
        self.di = Some(Ed25519Signer::from_seed(seed)?);
        self.ed25519_seed = Some(Zeroizing::new(*seed));
        Ok(self)
    }

    /// Uses `key` to sign OB 2.0 assertions as JWS (and VC-JWTs, unless
    /// [`IssuerKeys::vc_jwt_key`] gives another key).
    pub fn jws_key(mut self, key: SecretKey) -> Self {
        self.jws = Some(key);
        self
    }

    /// Uses `key` to sign OB 3.0 VC-JWTs (ES256 recommended).
    pub fn vc_jwt_key(mut self, key: SecretKey) -> Self {
        self.vc_jwt = Some(key);
        self
    }

    /// The key that signs VC-JWTs: the VC-JWT key, else the JWS key.
    pub fn vc_jwt(&self) -> Option<&SecretKey> {
        self.vc_jwt.as_ref().or(self.jws.as_ref())
    }

    /// The Ed25519 seed, to store it (keep it secret).
    pub fn ed25519_seed_bytes(&self) -> Option<&[u8; 32]> {
        self.ed25519_seed.as_deref()
    }

    /// The JWS key, to store it (`to_pkcs8_pem`; keep it secret).
    pub fn jws(&self) -> Option<&SecretKey> {
        self.jws.as_ref()
    }

    /// The Data Integrity public key as a Multikey (`z6Mk…`).
    pub fn multikey(&self) -> Option<String> {
        self.di.as_ref().map(|s| s.multikey().encode())
    }
}

fn fill_random(buf: &mut [u8]) -> Result<(), Error> {
    use ring::rand::SecureRandom as _;
    ring::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| Error::Random)
}

/// A fresh random (version 4) UUID, without the `urn:uuid:` prefix.
fn new_uuid() -> Result<String, Error> {
    let iri = openbadges_model::ob3::random_urn_uuid().map_err(|_| Error::Random)?;
    Ok(iri.as_str().trim_start_matches("urn:uuid:").to_owned())
}

fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// What the badge is: name, description, criteria and image. One `Badge` is one OB 2.0
/// `BadgeClass` and one OB 3.0 `Achievement`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Badge {
    /// Short name used in URLs (`a-z`, `0-9`, `-`, `_`; 1–64 characters).
    pub slug: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// What earns it (Markdown).
    pub criteria_narrative: String,
    /// A page describing the criteria, if any.
    pub criteria_url: Option<String>,
    /// The badge image (PNG or SVG bytes): hosted, and baked with each issued badge. OB 2.0
    /// requires an image.
    pub image: Option<Vec<u8>>,
    /// Tags (OB 2.0 `tags`, OB 3.0 `tag`).
    pub tags: Vec<String>,
}

impl Badge {
    /// A badge with its required parts.
    pub fn new(
        slug: impl Into<String>,
        name: impl Into<String>,
        description: impl Into<String>,
        criteria_narrative: impl Into<String>,
    ) -> Self {
        Badge {
            slug: slug.into(),
            name: name.into(),
            description: description.into(),
            criteria_narrative: criteria_narrative.into(),
            criteria_url: None,
            image: None,
            tags: Vec::new(),
        }
    }

    /// Sets the image (PNG or SVG bytes).
    pub fn image(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.image = Some(bytes.into());
        self
    }

    /// Sets the criteria page.
    pub fn criteria_url(mut self, url: impl Into<String>) -> Self {
        self.criteria_url = Some(url.into());
        self
    }

    /// Adds a tag.
    pub fn tag(mut self, t: impl Into<String>) -> Self {
        self.tags.push(t.into());
        self
    }

    fn check_slug(&self) -> Result<(), Error> {
        let ok = (1..=64).contains(&self.slug.len())
            && self
                .slug
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_');
        if ok {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "badge slug {:?} must be 1-64 characters of a-z, 0-9, - and _",
                self.slug
            )))
        }
    }
}

/// Evidence carried by the issued badge, in each version's model.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Evidence {
    /// OB 2.0 evidence objects.
    pub ob2: Vec<ob2::Evidence>,
    /// OB 3.0 evidence objects.
    pub ob3: Vec<ob3::Evidence>,
    /// A narrative of how the badge was earned (OB 2.0 assertion `narrative`, OB 3.0
    /// `credentialSubject.narrative`).
    pub narrative: Option<String>,
}

impl Evidence {
    /// No evidence.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds evidence in both versions.
    pub fn with(mut self, ob2: ob2::Evidence, ob3: ob3::Evidence) -> Self {
        self.ob2.push(ob2);
        self.ob3.push(ob3);
        self
    }

    /// Sets the narrative.
    pub fn narrative(mut self, n: impl Into<String>) -> Self {
        self.narrative = Some(n.into());
        self
    }

    /// Evidence of a graded quiz attempt (both versions, from the quiz crate).
    ///
    /// # Errors
    /// [`Error::Quiz`] when the evidence id is not an IRI.
    #[cfg(feature = "quiz")]
    pub fn from_attempt(
        record: &openbadges_quiz::AttemptRecord,
        options: &openbadges_quiz::evidence::EvidenceOptions,
    ) -> Result<Self, Error> {
        Ok(Self::new().with(
            openbadges_quiz::evidence::ob2_evidence(record, options)?,
            openbadges_quiz::evidence::ob3_evidence(record, options)?,
        ))
    }
}

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
}

/// A document the issuer must serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedDocument {
    /// The path under the base URL (`issuer.json`, `assertions/….json`); a path starting with
    /// `/` is absolute on the base URL's origin (`/.well-known/jwks.json`).
    pub path: String,
    /// The absolute URL (base URL + path).
    pub url: String,
    /// The `Content-Type` to serve it with.
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
}

/// What a revocation changed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revocation {
    /// Documents to host in place of the old ones (the revocation list, the status list).
    pub updated: Vec<HostedDocument>,
    /// URLs that must now answer `410 Gone` (the hosted assertion).
    pub gone: Vec<String>,
}

/// Which form of the badge a baked image carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Form {
    /// The OB 2.0 hosted assertion (JSON).
    Ob2Hosted,
    /// The OB 2.0 signed assertion (compact JWS).
    Ob2Signed,
    /// The OB 3.0 credential with its Data Integrity proof (JSON).
    Ob3DataIntegrity,
    /// The OB 3.0 credential as a VC-JWT.
    Ob3Jwt,
}

/// A badge baked into its image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BakedImage {
    /// The form baked in.
    pub form: Form,
    /// PNG or SVG.
    pub format: ImageFormat,
    /// The image bytes.
    pub bytes: Vec<u8>,
}

/// Everything one issuance produced.
#[derive(Debug, Clone, PartialEq)]
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

/// The issuer's revocation state: which badges carry which status-list index, and which are
/// revoked. Persist it (serde) between runs; [`Issuer::with_state`] restores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IssuerState {
    /// The next free status-list index.
    pub next_status_index: u64,
    /// Issued badges by UUID, with their status-list index (if an OB 3.0 form was issued).
    pub issued: BTreeMap<String, Option<u64>>,
    /// Revoked badges by UUID, with the public reason.
    pub revoked: BTreeMap<String, Option<String>>,
}

/// Issues badges: hashes the recipient with a fresh salt, builds the OB 2.0 assertion and the
/// OB 3.0 credential, signs them, bakes them, and hands back every document to host.
#[derive(Debug)]
pub struct Issuer {
    base: String,
    profile: IssuerProfile,
    keys: IssuerKeys,
    state: IssuerState,
}

const JSON: &str = "application/json";

impl Issuer {
    /// An issuer hosting its documents under `base_url` (an absolute `http`/`https` URL; a
    /// trailing `/` is added if missing).
    ///
    /// # Errors
    /// [`Error::Config`] for a bad base URL or an empty name.
    pub fn new(base_url: &str, profile: IssuerProfile, keys: IssuerKeys) -> Result<Self, Error> {
        let mut base = base_url.trim().to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://"))
            || base.contains(['#', '?', ' '])
            || Iri::parse(&base).is_err()
        {
            return Err(Error::Config(format!(
                "the base URL {base_url:?} must be an absolute http(s) URL without query or fragment"
            )));
        }
        if !base.ends_with('/') {
            base.push('/');
        }
        if profile.name.trim().is_empty() || !profile.email.contains('@') {
            return Err(Error::Config(
                "the issuer needs a name and a contact email".into(),
            ));
        }
        Ok(Issuer {
            base,
            profile,
            keys,
            state: IssuerState::default(),
        })
    }

    /// Restores the revocation state saved from [`Issuer::state`].
    pub fn with_state(mut self, state: IssuerState) -> Self {
        self.state = state;
        self
    }

    /// The revocation state (persist it).
    pub fn state(&self) -> &IssuerState {
        &self.state
    }

    /// The keys.
    pub fn keys(&self) -> &IssuerKeys {
        &self.keys
    }

    /// The base URL (ends with `/`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `scheme://authority` of the base URL.
    fn origin(&self) -> &str {
        let after_scheme = self.base.find("://").map_or(0, |i| i + 3);
        match self.base.get(after_scheme..).and_then(|r| r.find('/')) {
            Some(i) => self.base.get(..after_scheme + i).unwrap_or(&self.base),
            None => self.base.trim_end_matches('/'),
        }
    }

    /// The JWKS URL VC-JWT verifiers look up for an `https` issuer: the origin's
    /// `/.well-known/jwks.json`.
    pub fn well_known_jwks_url(&self) -> String {
        format!("{}/.well-known/jwks.json", self.origin())
    }

    /// The OB 2.0 issuer profile id (`issuer.json`).
    pub fn ob2_profile_id(&self) -> String {
        self.url("issuer.json")
    }

    /// The OB 3.0 issuer id (`profile.json`), which is also the controller document of the
    /// Data Integrity key.
    pub fn ob3_profile_id(&self) -> String {
        self.url("profile.json")
    }

    /// The Data Integrity verification method (`profile.json#z6Mk…`), if there is an Ed25519
    /// key.
    pub fn verification_method(&self) -> Option<String> {
        self.keys
            .multikey()
            .map(|m| format!("{}#{m}", self.ob3_profile_id()))
    }

    /// The OB 2.0 `CryptographicKey` id (`key.json`).
    pub fn key_id(&self) -> String {
        self.url("key.json")
    }

    /// The `kid` of VC-JWTs: the `key.json` URL when the JWS key signs them, else
    /// `jwks.json#vc-jwt`.
    pub fn vc_jwt_kid(&self) -> String {
        if self.keys.vc_jwt.is_some() {
            self.url("jwks.json#vc-jwt")
        } else {
            self.key_id()
        }
    }

    /// The OB 2.0 revocation list URL (`revocations.json`).
    pub fn revocation_list_id(&self) -> String {
        self.url("revocations.json")
    }

    fn status_list_path(n: u64) -> String {
        format!("status/{n}.json")
    }

    fn doc(&self, path: String, content_type: &'static str, body: Vec<u8>) -> HostedDocument {
        let url = match path.strip_prefix('/') {
            Some(p) => format!("{}/{p}", self.origin()),
            None => self.url(&path),
        };
        HostedDocument {
            url,
            path,
            content_type,
            body,
        }
    }

    fn json_doc(&self, path: String, v: &Value) -> Result<HostedDocument, Error> {
        let body = serde_json::to_vec_pretty(v).map_err(|e| Error::Json(e.to_string()))?;
        Ok(self.doc(path, JSON, body))
    }

    fn ob2_profile(&self) -> Result<Value, Error> {
        let mut b = ob2::Profile::builder()
            .id(self.ob2_profile_id())
            .name(self.profile.name.clone())
            .url(
                self.profile
                    .url
                    .clone()
                    .unwrap_or_else(|| self.base.clone()),
            )
            .revocation_list(self.revocation_list_id())
            .email(self.profile.email.clone());
        if let Some(d) = &self.profile.description {
            b = b.description(d.clone());
        }
        if self.keys.jws.is_some() {
            b = b.public_key(self.key_id());
        }
        Ok(b.build()?.to_value()?)
    }

    fn ob3_profile(&self) -> Result<ob3::Profile, Error> {
        let mut b = ob3::ProfileBuilder::new(Iri::parse(&self.ob3_profile_id())?)
            .name(self.profile.name.clone());
        let home = self
            .profile
            .url
            .clone()
            .unwrap_or_else(|| self.base.clone());
        b = b.url(Iri::parse(&home)?).email(self.profile.email.clone());
        if let Some(d) = &self.profile.description {
            b = b.description(d.clone());
        }
        Ok(b.build()?)
    }

    /// The controller document at `profile.json`: the issuer's OB 3.0 id, listing the Ed25519
    /// key as a `Multikey` under `verificationMethod` and `assertionMethod`.
    fn controller_document(&self) -> Option<Value> {
        let m = self.keys.multikey()?;
        let id = self.ob3_profile_id();
        let vm = format!("{id}#{m}");
        Some(json!({
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": id,
            "name": self.profile.name,
            "url": self.profile.url.clone().unwrap_or_else(|| self.base.clone()),
            "verificationMethod": [{
                "id": vm, "type": "Multikey", "controller": id, "publicKeyMultibase": m
            }],
            "assertionMethod": [vm],
        }))
    }

    fn status_list_credential(&self, n: u64) -> Result<Option<Value>, Error> {
        let (Some(signer), Some(vm)) = (self.keys.di.as_ref(), self.verification_method()) else {
            return Ok(None);
        };
        let lo = n.saturating_mul(LIST_BITS);
        let hi = lo.saturating_add(LIST_BITS);
        let set = self
            .state
            .revoked
            .keys()
            .filter_map(|u| self.state.issued.get(u).copied().flatten())
            .filter(|i| (lo..hi).contains(i))
            .map(|i| i - lo);
        let url = self.url(&Self::status_list_path(n));
        let now = now_rfc3339();
        let doc = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": self.ob3_profile_id(),
            "validFrom": now,
            "credentialSubject": {
                "id": format!("{url}#list"),
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": encode_bitstring(set).map_err(|e| Error::Json(e.to_string()))?,
            }
        });
        Ok(Some(data_integrity::sign(
            &doc,
            signer,
            &ProofOptions::new(vm, now),
        )?))
    }

    fn revocation_list(&self) -> Value {
        let mut b = proof_issue::RevocationListBuilder::new(
            self.revocation_list_id(),
            self.ob2_profile_id(),
        );
        for (uuid, reason) in &self.state.revoked {
            let hosted = self.url(&format!("assertions/{uuid}.json"));
            b = b
                .revoke(&hosted, reason.as_deref())
                .revoke(&format!("urn:uuid:{uuid}"), reason.as_deref());
        }
        b.build()
    }

    fn status_lists_in_use(&self) -> Vec<u64> {
        let mut lists: Vec<u64> = self
            .state
            .issued
            .values()
            .flatten()
            .map(|i| i / LIST_BITS)
            .collect();
        lists.push(0);
        lists.sort_unstable();
        lists.dedup();
        lists
    }

    /// The issuer-wide documents in their current state: `issuer.json`, `revocations.json`,
    /// and, with the keys that need them, `key.json`, `jwks.json`, `profile.json` and the
    /// status lists.
    ///
    /// # Errors
    /// A model, key or signing error (not expected for a well-formed issuer).
    pub fn hosted_documents(&self) -> Result<Vec<HostedDocument>, Error> {
        let mut out = vec![
            self.json_doc("issuer.json".into(), &self.ob2_profile()?)?,
            self.json_doc("revocations.json".into(), &self.revocation_list())?,
        ];
        if let Some(k) = &self.keys.jws {
            let kd = proof_issue::cryptographic_key(
                &self.key_id(),
                &self.ob2_profile_id(),
                k.public_key(),
            )?;
            out.push(self.json_doc("key.json".into(), &kd)?);
            let jwk = |k: &SecretKey, kid: String| {
                let mut jwk = k.public_key().to_jwk();
                if let Some(o) = jwk.as_object_mut() {
                    o.insert("kid".into(), kid.into());
                    o.insert("use".into(), "sig".into());
                }
                jwk
            };
            let mut keys = vec![jwk(k, self.key_id())];
            if let Some(v) = &self.keys.vc_jwt {
                keys.push(jwk(v, self.vc_jwt_kid()));
            }
            let jwks = json!({ "keys": keys });
            out.push(self.json_doc("jwks.json".into(), &jwks)?);
            // Where VC-JWT verifiers look for an https issuer's keys.
            out.push(self.json_doc("/.well-known/jwks.json".into(), &jwks)?);
        }
        if let Some(c) = self.controller_document() {
            out.push(self.json_doc("profile.json".into(), &c)?);
        }
        out.extend(self.status_documents(&self.status_lists_in_use())?);
        Ok(out)
    }

    fn status_documents(&self, lists: &[u64]) -> Result<Vec<HostedDocument>, Error> {
        let mut out = Vec::new();
        for &n in lists {
            if let Some(s) = self.status_list_credential(n)? {
                out.push(self.json_doc(Self::status_list_path(n), &s)?);
            }
        }
        Ok(out)
    }

    /// Issues `badge` to `recipient`: a fresh salt, then every form `options` asks for, baked
    /// into the badge image, with every document to host.
    ///
    /// # Errors
    /// [`Error::Config`] when a requested form lacks its key or OB 2.0 lacks an image, a bad
    /// slug, or nothing was requested; model, signing or baking errors otherwise.
    pub fn issue(
        &mut self,
        recipient: &Identity,
        badge: &Badge,
        options: &IssueOptions,
    ) -> Result<Issued, Error> {
        badge.check_slug()?;
        let ob2_any = options.ob2_hosted || options.ob2_signed;
        if !(ob2_any || options.ob3) {
            return Err(Error::Config("no form of the badge was requested".into()));
        }
        if options.ob2_signed && self.keys.jws.is_none() {
            return Err(Error::Config(
                "a signed OB 2.0 assertion needs a JWS key".into(),
            ));
        }
        if options.ob3 && options.ob3_jwt && self.keys.vc_jwt().is_none() {
            return Err(Error::Config(
                "an OB 3.0 VC-JWT needs a JWS or VC-JWT key (or turn it off with `vc_jwt(false)`)"
                    .into(),
            ));
        }
        if options.ob3 && self.keys.di.is_none() {
            return Err(Error::Config(
                "an OB 3.0 credential needs an Ed25519 key".into(),
            ));
        }
        let identity = recipient.normalized();
        if identity.is_empty() {
            return Err(Error::Config("the recipient identity is empty".into()));
        }
        let uuid = new_uuid()?;
        let salt = Salt::generate()?;
        let issued_on = options.issued_on.clone().unwrap_or_else(now_rfc3339);

        let mut hosted = Vec::new();
        let image = match &badge.image {
            Some(bytes) => {
                let (ext, ct) = match ImageFormat::detect(bytes) {
                    Some(ImageFormat::Png) => ("png", "image/png"),
                    Some(ImageFormat::Svg) => ("svg", "image/svg+xml"),
                    _ => {
                        return Err(Error::Config(
                            "the badge image must be a PNG or an SVG".into(),
                        ));
                    }
                };
                let d = self.doc(format!("badges/{}.{ext}", badge.slug), ct, bytes.clone());
                let url = d.url.clone();
                hosted.push(d);
                Some((bytes.as_slice(), url))
            }
            None => None,
        };

        // OB 2.0
        let mut ob2_hosted = None;
        let mut ob2_signed = None;
        if ob2_any {
            let Some((_, image_url)) = &image else {
                return Err(Error::Config("an OB 2.0 badge class needs an image".into()));
            };
            let class_id = self.url(&format!("badges/{}.json", badge.slug));
            let mut cb = ob2::BadgeClass::builder()
                .id(class_id.clone())
                .name(badge.name.clone())
                .description(badge.description.clone())
                .image(image_url.clone())
                .criteria_narrative(badge.criteria_narrative.clone())
                .issuer_iri(self.ob2_profile_id());
            if let Some(c) = &badge.criteria_url {
                cb = cb.criteria_url(c.clone());
            }
            for t in &badge.tags {
                cb = cb.tag(t.clone());
            }
            hosted.push(self.json_doc(
                format!("badges/{}.json", badge.slug),
                &cb.build()?.to_value()?,
            )?);
            let assertion = |id: String, verification: ob2::VerificationObject| {
                let mut ab = ob2::Assertion::builder()
                    .id(id)
                    .recipient(ob2::IdentityObject::hashed(
                        recipient.kind.ob2_type(),
                        &identity,
                        salt.clone(),
                    ))
                    .badge_iri(class_id.clone())
                    .verification(verification)
                    .issued_on(DateTime::new(issued_on.clone()));
                if let Some(e) = &options.expires {
                    ab = ab.expires(DateTime::new(e.clone()));
                }
                for e in &options.evidence.ob2 {
                    ab = ab.evidence(IdOrObject::Object(Box::new(e.clone())));
                }
                if let Some(n) = &options.evidence.narrative {
                    ab = ab.narrative(n.clone());
                }
                ab.build()?.to_value().map_err(Error::from)
            };
            if options.ob2_hosted {
                let path = format!("assertions/{uuid}.json");
                let a = assertion(self.url(&path), ob2::VerificationObject::hosted())?;
                hosted.push(self.json_doc(path, &a)?);
                ob2_hosted = Some(a);
            }
            if let (true, Some(key)) = (options.ob2_signed, &self.keys.jws) {
                let kid = self.key_id();
                let a = assertion(
                    format!("urn:uuid:{uuid}"),
                    ob2::VerificationObject::signed(Some(Iri::parse(&kid)?)),
                )?;
                ob2_signed = Some(proof_issue::sign_assertion(&a, key, Some(&kid))?);
            }
        }

        // OB 3.0
        let mut ob3_credential = None;
        let mut ob3_jwt = None;
        let mut status_index = None;
        if let (true, Some(signer), Some(vm)) = (
            options.ob3,
            self.keys.di.as_ref(),
            self.verification_method(),
        ) {
            let achievement_path = format!("achievements/{}.json", badge.slug);
            let mut ab = ob3::AchievementBuilder::new(
                Iri::parse(&self.url(&achievement_path))?,
                badge.name.clone(),
                badge.description.clone(),
            )
            .criteria_narrative(badge.criteria_narrative.clone())
            .achievement_type("Badge");
            if let Some(c) = &badge.criteria_url {
                ab = ab.criteria_url(Iri::parse(c)?);
            }
            if let Some((_, url)) = &image {
                ab = ab.image(ob3::Image::new(Iri::parse(url)?));
            }
            for t in &badge.tags {
                ab = ab.tag(t.clone());
            }
            let achievement = ab.build()?;
            let mut av = ob3::to_value(&achievement)?;
            if let Some(o) = av.as_object_mut() {
                let mut m = serde_json::Map::new();
                m.insert(
                    "@context".into(),
                    json!([openbadges_model::detect::VC2_CONTEXT, ob3::OB3_CONTEXT]),
                );
                m.extend(std::mem::take(o));
                *o = m;
            }
            hosted.push(self.json_doc(achievement_path, &av)?);

            let mut cb = ob3::CredentialBuilder::new()
                .id(Iri::parse(&format!("urn:uuid:{uuid}"))?)
                .issuer(self.ob3_profile()?)
                .achievement(achievement)
                .valid_from(DateTime::new(issued_on.clone()));
            cb = match recipient.kind {
                IdentityKind::Did => cb.recipient_id(Iri::parse(&recipient.value)?),
                _ => cb.recipient_identity(ob3::IdentityObject::hashed_with_salt(
                    recipient.kind.ob3_type(),
                    &identity,
                    salt.clone(),
                )),
            };
            if let Some(e) = &options.expires {
                cb = cb.valid_until(DateTime::new(e.clone()));
            }
            for e in &options.evidence.ob3 {
                cb = cb.evidence(e.clone());
            }
            if let Some(n) = &options.evidence.narrative {
                cb = cb.narrative(n.clone());
            }
            let mut cv = ob3::to_value(&cb.build()?)?;
            let index = self.state.next_status_index;
            let list = index / LIST_BITS;
            let list_url = self.url(&Self::status_list_path(list));
            if let (true, Some(o)) = (options.ob3_status, cv.as_object_mut()) {
                o.insert(
                    "credentialStatus".into(),
                    json!({
                        "id": format!("{list_url}#{index}"),
                        "type": "BitstringStatusListEntry",
                        "statusPurpose": "revocation",
                        "statusListIndex": (index % LIST_BITS).to_string(),
                        "statusListCredential": list_url,
                    }),
                );
            }
            if let (true, Some(key)) = (options.ob3_jwt, self.keys.vc_jwt()) {
                // `kid` binds the key through the issuer's JWKS; `jwk` lets verifiers that do
                // not fetch (and pin keys out of band) find it. Ours checks the two agree.
                let token = vc_jwt::issue(&cv, key, &vc_jwt::HeaderKey::Both(self.vc_jwt_kid()))
                    .map_err(|e| Error::Config(format!("VC-JWT: {e}")))?;
                ob3_jwt = Some(token);
            }
            let signed = data_integrity::sign(&cv, signer, &ProofOptions::new(vm, issued_on))?;
            if options.ob3_status {
                status_index = Some(index);
            }
            ob3_credential = Some(signed);
        }

        // Commit the state only once everything was built.
        if let Some(i) = status_index {
            self.state.next_status_index = i + 1;
        }
        self.state.issued.insert(uuid.clone(), status_index);
        hosted.extend(self.hosted_documents()?);

        let mut baked = Vec::new();
        if let Some((img, _)) = image {
            let format = ImageFormat::detect(img).unwrap_or(ImageFormat::Png);
            let opts = BakeOptions::default();
            let mut bake = |form: Form, payload: &str| -> Result<(), Error> {
                let bytes = openbadges_bake::bake(img, payload, &opts)?;
                baked.push(BakedImage {
                    form,
                    format,
                    bytes,
                });
                Ok(())
            };
            if let Some(a) = &ob2_hosted {
                bake(Form::Ob2Hosted, &to_string(a)?)?;
            }
            if let Some(j) = &ob2_signed {
                bake(Form::Ob2Signed, j)?;
            }
            if let Some(c) = &ob3_credential {
                bake(Form::Ob3DataIntegrity, &to_string(c)?)?;
            }
            if let Some(j) = &ob3_jwt {
                bake(Form::Ob3Jwt, j)?;
            }
        }

        Ok(Issued {
            uuid,
            salt,
            ob2_hosted,
            ob2_signed,
            ob3_credential,
            ob3_jwt,
            baked,
            hosted,
        })
    }

    /// Revokes a badge this issuer issued, by its UUID, `urn:uuid:UUID` or hosted assertion
    /// URL, with an optional public reason.
    ///
    /// Each form is revoked the way its specification says: the signed OB 2.0 assertion
    /// through the issuer's `RevocationList`, the hosted one by answering `410 Gone` at its
    /// URL (OB 2.0 §Revocation), the OB 3.0 credential through its bit in the status list.
    /// Host [`Revocation::updated`] in place of the old documents and answer `410 Gone` for
    /// [`Revocation::gone`].
    ///
    /// # Errors
    /// [`Error::UnknownBadge`] when the id is not one of this issuer's badges (see
    /// [`IssuerState`]); a signing error otherwise.
    pub fn revoke(&mut self, id: &str, reason: Option<&str>) -> Result<Revocation, Error> {
        let uuid = self
            .uuid_of(id)
            .ok_or_else(|| Error::UnknownBadge(id.to_owned()))?;
        let index = self.state.issued.get(&uuid).copied().flatten();
        let gone = vec![self.url(&format!("assertions/{uuid}.json"))];
        self.state.revoked.insert(uuid, reason.map(str::to_owned));
        let mut updated = vec![self.json_doc("revocations.json".into(), &self.revocation_list())?];
        if let Some(i) = index {
            updated.extend(self.status_documents(&[i / LIST_BITS])?);
        }
        Ok(Revocation { updated, gone })
    }

    /// The URLs that must answer `410 Gone` (the hosted assertions of revoked badges).
    pub fn gone_urls(&self) -> Vec<String> {
        self.state
            .revoked
            .keys()
            .map(|u| self.url(&format!("assertions/{u}.json")))
            .collect()
    }

    /// Whether the badge (UUID or any of its ids) is revoked.
    pub fn is_revoked(&self, id: &str) -> bool {
        self.uuid_of(id)
            .is_some_and(|u| self.state.revoked.contains_key(&u))
    }

    fn uuid_of(&self, id: &str) -> Option<String> {
        let id = id.trim();
        let candidate = id
            .strip_prefix("urn:uuid:")
            .or_else(|| {
                id.strip_prefix(&self.base)
                    .and_then(|p| p.strip_prefix("assertions/"))
                    .and_then(|p| p.strip_suffix(".json"))
            })
            .unwrap_or(id)
            .to_ascii_lowercase();
        self.state
            .issued
            .contains_key(&candidate)
            .then_some(candidate)
    }
}

fn to_string(v: &Value) -> Result<String, Error> {
    serde_json::to_string(v).map_err(|e| Error::Json(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn uuids_are_v4_and_fresh() {
        let a = new_uuid().unwrap();
        let b = new_uuid().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert!(matches!(a.as_bytes()[19], b'8' | b'9' | b'a' | b'b'));
    }

    #[test]
    fn bad_configuration_is_refused() {
        let p = IssuerProfile::new("X", "x@x.org");
        assert!(Issuer::new("ftp://x.org/", p.clone(), IssuerKeys::new()).is_err());
        assert!(Issuer::new("https://x.org/?a", p.clone(), IssuerKeys::new()).is_err());
        assert!(
            Issuer::new(
                "https://x.org",
                IssuerProfile::new(" ", "x@x.org"),
                IssuerKeys::new()
            )
            .is_err()
        );
        let i = Issuer::new("https://x.org", p.clone(), IssuerKeys::new()).unwrap();
        assert_eq!(i.ob2_profile_id(), "https://x.org/issuer.json");
        assert_eq!(
            i.well_known_jwks_url(),
            "https://x.org/.well-known/jwks.json"
        );
        let i = Issuer::new("http://127.0.0.1:8101/a/b/", p, IssuerKeys::new()).unwrap();
        assert_eq!(
            i.well_known_jwks_url(),
            "http://127.0.0.1:8101/.well-known/jwks.json"
        );
        assert_eq!(i.key_id(), "http://127.0.0.1:8101/a/b/key.json");
        assert!(Badge::new("Bad Slug", "n", "d", "c").check_slug().is_err());
        assert!(Badge::new("ok-slug_1", "n", "d", "c").check_slug().is_ok());
    }
}
