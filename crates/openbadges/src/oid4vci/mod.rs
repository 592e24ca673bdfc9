//! An OpenID for Verifiable Credential Issuance 1.0 issuer (feature `oid4vci`): wallets receive
//! the [`Issuer`]'s OB 3.0 credential through the **pre-authorized code** flow.
//!
//! Framework-agnostic: each endpoint is a method that takes the request's parts (method-less:
//! the caller routes) and returns an [`Oid4vciResponse`] (status, headers, JSON body) to send
//! as it is. Every method blocks (database, signing): from async code call them on a blocking
//! pool.
//!
//! | endpoint | method | path (`ID` = the credential issuer identifier) |
//! |----------|--------|------|
//! | Credential Issuer Metadata | [`Oid4vci::issuer_metadata`] | `GET /.well-known/openid-credential-issuer` + ID's path |
//! | OAuth 2.0 AS Metadata (RFC 8414) | [`Oid4vci::authorization_server_metadata`] | `GET /.well-known/oauth-authorization-server` + ID's path |
//! | credential offer by reference | [`Oid4vci::offer_by_reference`] | `GET ID/oid4vci/offers/{ref}` |
//! | token (pre-authorized code) | [`Oid4vci::token`] | `POST ID/oid4vci/token` |
//! | nonce | [`Oid4vci::nonce`] | `POST ID/oid4vci/nonce` |
//! | credential | [`Oid4vci::credential`] | `POST ID/oid4vci/credential` |
//!
//! The issuer identifier is the issuer's base URL without its trailing slash
//! (`https://badges.example.org/` → `https://badges.example.org`), byte-identical in the offer,
//! both metadata documents, and the `aud` a key proof must carry.
//!
//! Two credential configurations: [`LDP_VC`] (the credential with its `eddsa-rdfc-2022` proof)
//! and [`JWT_VC_JSON`] (the same credential as a VC-JWT). Key proofs: `jwt` only, sent as
//! `proofs: {"jwt": [one proof]}`, the holder key named by `kid` (`did:key` Ed25519, `did:jwk`)
//! or `jwk` (it becomes a `did:jwk`); the holder's DID becomes `credentialSubject.id` next to
//! the recipient identity the offer was made for. Every credential goes through
//! [`Issuer::issue_with`]: recorded, revocable through its status list.
//!
//! Single use: a pre-authorized code is redeemed once; each access token may fetch each offered
//! configuration once (a refused request uses nothing up); each `c_nonce` is good for one proof.
//! All three expire ([`Oid4vciConfig`]) and live in the issuer's SQL database (SQLite or
//! PostgreSQL; not the memory store), so any instance on it honours them and none can reuse
//! one.
//!
//! ```
//! use std::sync::Arc;
//! use openbadges::{Badge, IssueOptions, Issuer, IssuerProfile};
//! use openbadges::model::Identity;
//! use openbadges::oid4vci::{Offer, Oid4vci, Oid4vciConfig, OfferSubjects, WalletIssuance};
//!
//! #[derive(Debug)]
//! struct OneBadge;
//! impl OfferSubjects for OneBadge {
//!     fn resolve(&self, subject: &str) -> Result<Option<WalletIssuance>, openbadges::Error> {
//!         let badge = Badge::new("badges-101", "Badges 101", "Knows badges.", "Pass the quiz.");
//!         Ok(Some(WalletIssuance::new(Identity::email(subject), badge, IssueOptions::new())))
//!     }
//! }
//!
//! # let dir = std::env::temp_dir().join(format!("ob-doc-oid4vci-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let store = openbadges::store::open(&format!("sqlite:{}", dir.join("issuer.db").display()))?;
//! let issuer = Issuer::open("https://badges.example.org/", IssuerProfile::new("Example U", "badges@example.org"), store)?;
//! let vci = Oid4vci::new(issuer, Oid4vciConfig::default(), Arc::new(OneBadge))?;
//! let offer = vci.offer(&Offer::new("learner@example.org"))?;
//! assert!(offer.uri_by_value().starts_with("openid-credential-offer://?credential_offer="));
//! assert_eq!(vci.issuer_metadata_path(), "/.well-known/openid-credential-issuer");
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod db;
mod proof;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use openbadges_model::Identity;
use serde_json::{Value, json};

pub use proof::{PROOF_ALGS, PROOF_TYP};

use crate::store::{SqlValue, StoreError};
use crate::{Badge, Error, IssueOptions, Issuer};

/// The configuration id of the credential with its `eddsa-rdfc-2022` proof (`ldp_vc`).
pub const LDP_VC: &str = "OpenBadgeCredential_ldp_vc";
/// The configuration id of the credential as a VC-JWT (`jwt_vc_json`).
pub const JWT_VC_JSON: &str = "OpenBadgeCredential_jwt_vc_json";
/// The pre-authorized code grant type.
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// The well-known suffix of the Credential Issuer Metadata.
pub const ISSUER_WELL_KNOWN: &str = "/.well-known/openid-credential-issuer";
/// The well-known suffix of the OAuth 2.0 Authorization Server Metadata.
pub const AS_WELL_KNOWN: &str = "/.well-known/oauth-authorization-server";
/// How many wrong transaction codes a pre-authorized code survives.
pub const MAX_TX_CODE_FAILURES: i64 = 3;

/// Lifetimes and the key proof's clock tolerance.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Oid4vciConfig {
    /// How long an offer's pre-authorized code (and its reference) can be redeemed (default
    /// 10 minutes).
    pub code_ttl: Duration,
    /// How long an access token lives (default 5 minutes).
    pub token_ttl: Duration,
    /// How long a `c_nonce` lives (default 5 minutes).
    pub nonce_ttl: Duration,
    /// How far a key proof's `iat` may be from now, either side (default 5 minutes).
    pub iat_window: Duration,
    /// The credential's display name in wallets (default: the badge is "Open Badge").
    pub display_name: String,
}

impl Default for Oid4vciConfig {
    fn default() -> Self {
        Oid4vciConfig {
            code_ttl: Duration::from_secs(600),
            token_ttl: Duration::from_secs(300),
            nonce_ttl: Duration::from_secs(300),
            iat_window: Duration::from_secs(300),
            display_name: "Open Badge".into(),
        }
    }
}

/// What a redeemed offer issues: the recipient (the identity hashed into the credential), the
/// badge and the options. The wallet's DID is added as `credentialSubject.id`; the forms are
/// set per configuration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WalletIssuance {
    /// The recipient identity (an email address, typically).
    pub recipient: Identity,
    /// The badge.
    pub badge: Badge,
    /// Evidence, dates, status list.
    pub options: IssueOptions,
}

impl WalletIssuance {
    /// What to issue.
    pub fn new(recipient: Identity, badge: Badge, options: IssueOptions) -> Self {
        WalletIssuance {
            recipient,
            badge,
            options,
        }
    }
}

/// The application's side: what an offer's opaque subject (given to [`Offer::new`]) issues.
/// Called by [`Oid4vci::credential`] (blocking, on the caller's thread).
pub trait OfferSubjects: Send + Sync + fmt::Debug {
    /// What to issue for `subject`; `None` when the subject no longer exists (the request is
    /// denied with `credential_request_denied`).
    ///
    /// # Errors
    /// Any error: the request fails with `500 server_error`.
    fn resolve(&self, subject: &str) -> Result<Option<WalletIssuance>, Error>;
}

/// An offer to make: for whom (an opaque subject the application resolves through
/// [`OfferSubjects`]), which configurations, and an optional transaction code.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Offer {
    /// The application's subject (e.g. an attempt id).
    pub subject: String,
    /// The configurations offered (default both).
    pub configurations: Vec<String>,
    /// A transaction code the wallet must send with the pre-authorized code (sent to the
    /// learner another way), if any.
    pub tx_code: Option<String>,
}

impl Offer {
    /// Both configurations for `subject`, without transaction code.
    pub fn new(subject: impl Into<String>) -> Self {
        Offer {
            subject: subject.into(),
            configurations: vec![LDP_VC.into(), JWT_VC_JSON.into()],
            tx_code: None,
        }
    }

    /// Requires this transaction code (digits: the offer says `input_mode` `numeric`).
    pub fn tx_code(mut self, code: impl Into<String>) -> Self {
        self.tx_code = Some(code.into());
        self
    }

    /// Offers only these configurations.
    pub fn configurations(mut self, ids: &[&str]) -> Self {
        self.configurations = ids.iter().map(|s| (*s).to_owned()).collect();
        self
    }
}

/// A credential offer made by [`Oid4vci::offer`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CredentialOffer {
    /// The offer object (`credential_issuer`, `credential_configuration_ids`, `grants`).
    pub offer: Value,
    /// The URL the offer is served at (by reference).
    pub offer_uri: String,
    /// The pre-authorized code.
    pub pre_authorized_code: String,
}

impl CredentialOffer {
    /// `openid-credential-offer://?credential_offer=…`: the offer by value.
    pub fn uri_by_value(&self) -> String {
        format!(
            "openid-credential-offer://?credential_offer={}",
            percent_encode(&self.offer.to_string())
        )
    }

    /// `openid-credential-offer://?credential_offer_uri=…`: the offer by reference (shorter:
    /// what a QR code carries best).
    pub fn uri_by_reference(&self) -> String {
        format!(
            "openid-credential-offer://?credential_offer_uri={}",
            percent_encode(&self.offer_uri)
        )
    }
}

/// An answer to send as it is: status, headers (`Content-Type`, `Cache-Control`,
/// `WWW-Authenticate`), JSON body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Oid4vciResponse {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: Vec<(&'static str, String)>,
    /// The body (JSON).
    pub body: Vec<u8>,
}

impl Oid4vciResponse {
    /// A JSON answer.
    fn json(status: u16, body: &Value) -> Self {
        Oid4vciResponse {
            status,
            headers: vec![
                ("Content-Type", "application/json".into()),
                ("Cache-Control", "no-store".into()),
            ],
            body: body.to_string().into_bytes(),
        }
    }

    /// An OAuth 2.0 / OpenID4VCI error: `{"error": code, "error_description": why}`.
    fn error(status: u16, code: &str, why: &str) -> Self {
        let mut r = Self::json(status, &json!({"error": code, "error_description": why}));
        if status == 401 {
            r.headers.push((
                "WWW-Authenticate",
                format!(
                    "Bearer error=\"{code}\", error_description=\"{}\"",
                    why.replace('"', "'")
                ),
            ));
        }
        r
    }

    /// The body as JSON (what the tests read).
    pub fn json_body(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The `error` code of an error answer.
    pub fn error_code(&self) -> Option<String> {
        self.json_body()?
            .get("error")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

/// A refusal on the way to an answer.
type Refusal = Box<Oid4vciResponse>;

fn refuse(status: u16, code: &str, why: &str) -> Refusal {
    Box::new(Oid4vciResponse::error(status, code, why))
}

fn server_error(e: impl fmt::Display) -> Refusal {
    refuse(500, "server_error", &e.to_string())
}

/// The clock: seconds since the Unix epoch.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The OpenID4VCI issuer over an [`Issuer`]. Cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Oid4vci {
    issuer: Issuer,
    id: String,
    config: Oid4vciConfig,
    subjects: Arc<dyn OfferSubjects>,
    clock: Clock,
}

impl fmt::Debug for Oid4vci {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Oid4vci")
            .field("id", &self.id)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

impl Oid4vci {
    /// The OpenID4VCI issuer of `issuer`, with `subjects` resolving offers; creates its tables
    /// in the issuer's database.
    ///
    /// # Errors
    /// [`Error::Config`] on a store without SQL (the memory store), when the issuer lacks the
    /// Ed25519 or VC-JWT key, or a database error.
    pub fn new(
        issuer: Issuer,
        config: Oid4vciConfig,
        subjects: Arc<dyn OfferSubjects>,
    ) -> Result<Self, Error> {
        if issuer.keys().data_integrity_signer().is_none() || issuer.keys().vc_jwt().is_none() {
            return Err(Error::Config(
                "OpenID4VCI offers ldp_vc and jwt_vc_json: the issuer needs its Ed25519 and VC-JWT keys"
                    .into(),
            ));
        }
        db::migrate(issuer.store())?;
        let id = issuer.base_url().trim_end_matches('/').to_owned();
        Ok(Oid4vci {
            issuer,
            id,
            config,
            subjects,
            clock: Arc::new(|| chrono::Utc::now().timestamp()),
        })
    }

    /// Uses `clock` (seconds since the epoch) instead of the system clock (tests).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    fn now(&self) -> i64 {
        (self.clock)()
    }

    /// The issuer every credential is issued through.
    pub fn issuer(&self) -> &Issuer {
        &self.issuer
    }

    /// The credential issuer identifier (the base URL without trailing slash).
    pub fn issuer_id(&self) -> &str {
        &self.id
    }

    /// The issuer identifier's path (`""` at the origin's root, else `/path`).
    fn id_path(&self) -> &str {
        let after = self.id.find("://").map_or(0, |i| i + 3);
        self.id
            .get(after..)
            .and_then(|r| r.find('/').map(|i| after + i))
            .and_then(|i| self.id.get(i..))
            .unwrap_or("")
    }

    /// The path of the Credential Issuer Metadata: the well-known suffix inserted between the
    /// host and the issuer identifier's path.
    pub fn issuer_metadata_path(&self) -> String {
        format!("{ISSUER_WELL_KNOWN}{}", self.id_path())
    }

    /// The path of the OAuth 2.0 Authorization Server Metadata (likewise).
    pub fn authorization_server_metadata_path(&self) -> String {
        format!("{AS_WELL_KNOWN}{}", self.id_path())
    }

    /// The token endpoint.
    pub fn token_endpoint(&self) -> String {
        format!("{}/oid4vci/token", self.id)
    }

    /// The nonce endpoint.
    pub fn nonce_endpoint(&self) -> String {
        format!("{}/oid4vci/nonce", self.id)
    }

    /// The credential endpoint.
    pub fn credential_endpoint(&self) -> String {
        format!("{}/oid4vci/credential", self.id)
    }

    /// Where offers are served by reference (`…/oid4vci/offers/{ref}`).
    pub fn offers_prefix(&self) -> String {
        format!("{}/oid4vci/offers/", self.id)
    }

    /// The paths (under the origin) of the token, nonce and credential endpoints and the
    /// offers' prefix, for routing.
    pub fn endpoint_paths(&self) -> [String; 4] {
        let p = self.id_path();
        [
            format!("{p}/oid4vci/token"),
            format!("{p}/oid4vci/nonce"),
            format!("{p}/oid4vci/credential"),
            format!("{p}/oid4vci/offers/"),
        ]
    }

    /// The Credential Issuer Metadata document.
    pub fn issuer_metadata_document(&self) -> Value {
        let name = &self.config.display_name;
        let binding = json!(["did:key", "did:jwk", "jwk"]);
        let proofs = json!({"jwt": {"proof_signing_alg_values_supported": PROOF_ALGS}});
        let types = json!(["VerifiableCredential", "OpenBadgeCredential"]);
        let display = json!([{"name": name, "locale": "en"}]);
        let jwt_alg = self
            .issuer
            .keys()
            .vc_jwt()
            .map_or("ES256", |k| k.algorithm().as_str());
        json!({
            "credential_issuer": self.id,
            "credential_endpoint": self.credential_endpoint(),
            "nonce_endpoint": self.nonce_endpoint(),
            "display": [{"name": self.issuer.profile().name, "locale": "en"}],
            "credential_configurations_supported": {
                LDP_VC: {
                    "format": "ldp_vc",
                    "cryptographic_binding_methods_supported": binding,
                    "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                    "proof_types_supported": proofs,
                    "credential_definition": {
                        "@context": [
                            openbadges_model::detect::VC2_CONTEXT,
                            openbadges_model::ob3::OB3_CONTEXT,
                        ],
                        "type": types,
                    },
                    "credential_metadata": {"display": display},
                },
                JWT_VC_JSON: {
                    "format": "jwt_vc_json",
                    "cryptographic_binding_methods_supported": binding,
                    "credential_signing_alg_values_supported": [jwt_alg],
                    "proof_types_supported": proofs,
                    "credential_definition": {"type": types},
                    "credential_metadata": {"display": display},
                },
            },
        })
    }

    /// `GET` of the Credential Issuer Metadata.
    pub fn issuer_metadata(&self) -> Oid4vciResponse {
        let mut r = Oid4vciResponse::json(200, &self.issuer_metadata_document());
        r.headers.retain(|(n, _)| *n != "Cache-Control");
        r
    }

    /// `GET` of the OAuth 2.0 Authorization Server Metadata (RFC 8414): the issuer is its own
    /// authorization server, for the pre-authorized code grant only, without client
    /// authentication.
    pub fn authorization_server_metadata(&self) -> Oid4vciResponse {
        let mut r = Oid4vciResponse::json(
            200,
            &json!({
                "issuer": self.id,
                "token_endpoint": self.token_endpoint(),
                "response_types_supported": [],
                "grant_types_supported": [PRE_AUTHORIZED_GRANT],
                "token_endpoint_auth_methods_supported": ["none"],
                "pre-authorized_grant_anonymous_access_supported": true,
            }),
        );
        r.headers.retain(|(n, _)| *n != "Cache-Control");
        r
    }

    /// Makes an offer: a fresh pre-authorized code (and offer reference), stored with the
    /// subject until redeemed or expired.
    ///
    /// # Errors
    /// [`Error::Config`] for an unknown configuration, an empty list, or a transaction code
    /// that is not 1–12 digits; a database error.
    pub fn offer(&self, offer: &Offer) -> Result<CredentialOffer, Error> {
        if offer.configurations.is_empty()
            || offer
                .configurations
                .iter()
                .any(|c| c != LDP_VC && c != JWT_VC_JSON)
        {
            return Err(Error::Config(format!(
                "offer configurations must be {LDP_VC} and/or {JWT_VC_JSON}"
            )));
        }
        if let Some(t) = &offer.tx_code {
            if t.is_empty() || t.len() > 12 || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::Config("a transaction code is 1 to 12 digits".into()));
            }
        }
        let code = db::secret()?;
        let reference = db::secret()?;
        let mut grant = json!({"pre-authorized_code": code});
        if let (Some(t), Some(g)) = (&offer.tx_code, grant.as_object_mut()) {
            g.insert(
                "tx_code".into(),
                json!({"input_mode": "numeric", "length": t.len(),
                       "description": "The code you were sent to add this badge to your wallet"}),
            );
        }
        let body = json!({
            "credential_issuer": self.id,
            "credential_configuration_ids": offer.configurations,
            "grants": {PRE_AUTHORIZED_GRANT: grant},
        });
        let configurations = serde_json::to_string(&offer.configurations)?;
        let expires = self.now().saturating_add(secs(self.config.code_ttl));
        let params: Vec<SqlValue> = vec![
            db::digest(&code).into(),
            db::digest(&reference).into(),
            body.to_string().into(),
            offer.subject.clone().into(),
            configurations.into(),
            offer.tx_code.as_deref().map(db::digest).into(),
            expires.into(),
        ];
        let now = self.now();
        self.issuer.store().transaction(&mut |tx| {
            // Expired offers and tokens are swept as new offers are made.
            tx.execute(
                "DELETE FROM oid4vci_offers WHERE expires_at < $1",
                &[now.into()],
            )?;
            tx.execute(
                "DELETE FROM oid4vci_tokens WHERE expires_at < $1",
                &[now.into()],
            )?;
            tx.execute(
                "INSERT INTO oid4vci_offers (code_hash, ref_hash, offer, subject, configurations, \
                 tx_code_hash, tx_failures, redeemed, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7)",
                &params,
            )?;
            Ok(())
        })?;
        Ok(CredentialOffer {
            offer: body,
            offer_uri: format!("{}{reference}", self.offers_prefix()),
            pre_authorized_code: code,
        })
    }

    /// `GET …/oid4vci/offers/{reference}`: the offer, while its code is unredeemed and
    /// unexpired; `404` otherwise.
    pub fn offer_by_reference(&self, reference: &str) -> Oid4vciResponse {
        let now = self.now();
        let rows = crate::store::in_transaction(self.issuer.store().as_ref(), |tx| {
            tx.query(
                "SELECT offer FROM oid4vci_offers WHERE ref_hash = $1 AND redeemed = 0 AND expires_at >= $2",
                &[db::digest(reference).into(), now.into()],
            )
        });
        match rows {
            Ok(rows) => match rows
                .first()
                .and_then(|r| db::text(r, 0))
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            {
                Some(offer) => Oid4vciResponse::json(200, &offer),
                None => Oid4vciResponse::error(
                    404,
                    "not_found",
                    "no such offer, or it was used or expired",
                ),
            },
            Err(e) => *server_error(e),
        }
    }

    /// `POST …/oid4vci/token` with an `application/x-www-form-urlencoded` body: redeems a
    /// pre-authorized code (and its transaction code) for an access token. Errors:
    /// `unsupported_grant_type`, `invalid_request` (a missing parameter, a missing transaction
    /// code), `invalid_grant` (unknown, used or expired code, wrong transaction code),
    /// `invalid_target` (a `resource` other than the issuer, RFC 8707).
    pub fn token(&self, form: &[u8]) -> Oid4vciResponse {
        self.token_inner(form).unwrap_or_else(|r| *r)
    }

    fn token_inner(&self, form: &[u8]) -> Result<Oid4vciResponse, Refusal> {
        let form = parse_form(form)
            .ok_or_else(|| refuse(400, "invalid_request", "the body is not a well-formed form"))?;
        let one = |name: &str| -> Result<Option<&str>, Refusal> {
            let mut found = form.iter().filter(|(k, _)| k == name);
            match (found.next(), found.next()) {
                (Some((_, v)), None) => Ok(Some(v.as_str())),
                (None, _) => Ok(None),
                _ => Err(refuse(
                    400,
                    "invalid_request",
                    &format!("{name} is repeated"),
                )),
            }
        };
        match one("grant_type")? {
            Some(PRE_AUTHORIZED_GRANT) => {}
            Some(_) => {
                return Err(refuse(
                    400,
                    "unsupported_grant_type",
                    "only the pre-authorized code grant is supported",
                ));
            }
            None => return Err(refuse(400, "invalid_request", "grant_type is missing")),
        }
        for r in form.iter().filter(|(k, _)| k == "resource") {
            if r.1 != self.id {
                return Err(refuse(
                    400,
                    "invalid_target",
                    &format!("resource must be the credential issuer {:?}", self.id),
                ));
            }
        }
        let code = one("pre-authorized_code")?
            .ok_or_else(|| refuse(400, "invalid_request", "pre-authorized_code is missing"))?;
        let tx_code = one("tx_code")?;
        let now = self.now();
        let code_hash = db::digest(code);
        let token = db::secret().map_err(server_error)?;
        let token_expires = now.saturating_add(secs(self.config.token_ttl));
        // One transaction: read the offer, check the transaction code, redeem (a conditional
        // update: of two racing requests one changes the row), and store the token.
        let outcome = crate::store::in_transaction(self.issuer.store().as_ref(), |tx| {
            let rows = tx.query(
                "SELECT subject, configurations, tx_code_hash, tx_failures FROM oid4vci_offers \
                 WHERE code_hash = $1 AND redeemed = 0 AND expires_at >= $2",
                &[code_hash.as_str().into(), now.into()],
            )?;
            let Some(row) = rows.first() else {
                return Ok(Err(("invalid_grant", "the pre-authorized code is unknown, used or expired")));
            };
            let (Some(subject), Some(configurations)) = (db::text(row, 0), db::text(row, 1)) else {
                return Err(StoreError::Corrupt("an oid4vci offer row".into()));
            };
            if let Some(expected) = db::text(row, 2) {
                let Some(given) = tx_code else {
                    return Ok(Err(("invalid_request", "this offer needs its transaction code (tx_code)")));
                };
                if db::int(row, 3).unwrap_or(0) >= MAX_TX_CODE_FAILURES {
                    return Ok(Err(("invalid_grant", "too many wrong transaction codes")));
                }
                if !openbadges_model::identity::constant_time_eq(
                    db::digest(given).as_bytes(),
                    expected.as_bytes(),
                ) {
                    return Ok(Err(("invalid_grant", "wrong transaction code")));
                }
            }
            let redeemed = tx.execute(
                "UPDATE oid4vci_offers SET redeemed = 1 WHERE code_hash = $1 AND redeemed = 0",
                &[code_hash.as_str().into()],
            )?;
            if redeemed != 1 {
                return Ok(Err(("invalid_grant", "the pre-authorized code was just used")));
            }
            tx.execute(
                "INSERT INTO oid4vci_tokens (token_hash, subject, remaining, expires_at) VALUES ($1, $2, $3, $4)",
                &[
                    db::digest(&token).into(),
                    subject.into(),
                    configurations.into(),
                    token_expires.into(),
                ],
            )?;
            Ok(Ok(()))
        })
        .map_err(server_error)?;
        match outcome {
            Ok(()) => Ok(Oid4vciResponse::json(
                200,
                &json!({
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": secs(self.config.token_ttl),
                }),
            )),
            Err((code, why)) => {
                if why == "wrong transaction code" {
                    // Counted outside the refused transaction: each wrong guess is remembered.
                    let _ = self.issuer.store().transaction(&mut |tx| {
                        tx.execute(
                            "UPDATE oid4vci_offers SET tx_failures = tx_failures + 1 WHERE code_hash = $1",
                            &[code_hash.as_str().into()],
                        )?;
                        Ok(())
                    });
                }
                Err(refuse(400, code, why))
            }
        }
    }

    /// `POST …/oid4vci/nonce`: a fresh `c_nonce` (single use, short-lived), and expired ones
    /// swept.
    pub fn nonce(&self) -> Oid4vciResponse {
        let now = self.now();
        let result = db::secret().and_then(|nonce| {
            let ttl = secs(self.config.nonce_ttl);
            let hash = db::digest(&nonce);
            self.issuer.store().transaction(&mut |tx| {
                tx.execute(
                    "DELETE FROM oid4vci_nonces WHERE expires_at < $1",
                    &[now.into()],
                )?;
                tx.execute(
                    "INSERT INTO oid4vci_nonces (nonce_hash, expires_at) VALUES ($1, $2)",
                    &[hash.as_str().into(), now.saturating_add(ttl).into()],
                )?;
                Ok(())
            })?;
            Ok((nonce, ttl))
        });
        match result {
            Ok((nonce, ttl)) => {
                Oid4vciResponse::json(200, &json!({"c_nonce": nonce, "c_nonce_expires_in": ttl}))
            }
            Err(e) => *server_error(e),
        }
    }

    /// `POST …/oid4vci/credential`: `authorization` is the `Authorization` header
    /// (`Bearer TOKEN`), `body` the JSON request
    /// (`{"credential_configuration_id": …, "proofs": {"jwt": [PROOF]}}`). Issues the credential
    /// to the proof's holder and answers `{"credentials": [{"credential": …}]}`.
    ///
    /// Errors: `401 invalid_token`; `400` `invalid_credential_request`,
    /// `unknown_credential_configuration`, `credential_request_denied` (already issued with
    /// this token, or not offered), `invalid_proof`, `invalid_nonce`. A refused request leaves
    /// the token as it was.
    pub fn credential(&self, authorization: Option<&str>, body: &[u8]) -> Oid4vciResponse {
        self.credential_inner(authorization, body)
            .unwrap_or_else(|r| *r)
    }

    fn credential_inner(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<Oid4vciResponse, Refusal> {
        let now = self.now();
        let token = authorization
            .and_then(|a| {
                let (scheme, rest) = a.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| refuse(401, "invalid_token", "a Bearer access token is required"))?;
        let token_hash = db::digest(token);
        let rows = crate::store::in_transaction(self.issuer.store().as_ref(), |tx| {
            tx.query(
                "SELECT subject, remaining FROM oid4vci_tokens WHERE token_hash = $1 AND expires_at >= $2",
                &[token_hash.as_str().into(), now.into()],
            )
        })
        .map_err(server_error)?;
        let row = rows.first().ok_or_else(|| {
            refuse(
                401,
                "invalid_token",
                "the access token is unknown, spent or expired",
            )
        })?;
        let (Some(subject), Some(remaining_text)) = (db::text(row, 0), db::text(row, 1)) else {
            return Err(server_error("an oid4vci token row is corrupt"));
        };
        let remaining: Vec<String> = serde_json::from_str(&remaining_text).map_err(server_error)?;

        let request: Value = serde_json::from_slice(body)
            .map_err(|_| refuse(400, "invalid_credential_request", "the body is not JSON"))?;
        let request = request.as_object().ok_or_else(|| {
            refuse(
                400,
                "invalid_credential_request",
                "the body is not a JSON object",
            )
        })?;
        if request.contains_key("credential_identifier") {
            return Err(refuse(
                400,
                "invalid_credential_request",
                "this issuer issues no credential identifiers: send credential_configuration_id",
            ));
        }
        if request.contains_key("proof") || request.contains_key("format") {
            return Err(refuse(
                400,
                "invalid_credential_request",
                "proof and format are draft parameters: OpenID4VCI 1.0 sends proofs and credential_configuration_id",
            ));
        }
        let configuration = request
            .get("credential_configuration_id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                refuse(
                    400,
                    "invalid_credential_request",
                    "credential_configuration_id is missing",
                )
            })?;
        if configuration != LDP_VC && configuration != JWT_VC_JSON {
            return Err(refuse(
                400,
                "unknown_credential_configuration",
                &format!("no credential configuration {configuration:?}"),
            ));
        }
        if !remaining.iter().any(|c| c == configuration) {
            return Err(refuse(
                400,
                "credential_request_denied",
                "this access token already received that credential, or it was not offered",
            ));
        }
        let proofs = request
            .get("proofs")
            .and_then(Value::as_object)
            .ok_or_else(|| refuse(400, "invalid_proof", "proofs is missing"))?;
        let jwts = match (proofs.len(), proofs.get("jwt")) {
            (1, Some(Value::Array(a))) => a,
            _ => {
                return Err(refuse(
                    400,
                    "invalid_proof",
                    "proofs must hold exactly one proof type, jwt, as an array",
                ));
            }
        };
        let [jwt] = jwts.as_slice() else {
            return Err(refuse(
                400,
                "invalid_proof",
                "exactly one jwt proof (batch issuance is not supported)",
            ));
        };
        let checked = proof::check(jwt, &self.id, now, secs(self.config.iat_window))
            .map_err(|e| refuse(400, "invalid_proof", &e.0))?;
        let nonce_used = crate::store::in_transaction(self.issuer.store().as_ref(), |tx| {
            tx.execute(
                "DELETE FROM oid4vci_nonces WHERE nonce_hash = $1 AND expires_at >= $2",
                &[db::digest(&checked.nonce).into(), now.into()],
            )
        })
        .map_err(server_error)?;
        if nonce_used != 1 {
            return Err(refuse(
                400,
                "invalid_nonce",
                "the proof's nonce is unknown, used or expired: get a fresh c_nonce",
            ));
        }
        let wanted = self
            .subjects
            .resolve(&subject)
            .map_err(server_error)?
            .ok_or_else(|| {
                refuse(
                    400,
                    "credential_request_denied",
                    "the offer's subject no longer exists",
                )
            })?;
        let jwt_form = configuration == JWT_VC_JSON;
        let options = wanted
            .options
            .clone()
            .forms(false, false, true)
            .vc_jwt(jwt_form)
            .subject_id(checked.holder.clone());
        let left: Vec<&String> = remaining.iter().filter(|c| *c != configuration).collect();
        let left_text = serde_json::to_string(&left).map_err(server_error)?;
        let issued = self.issuer.issue_with(
            &wanted.recipient,
            &wanted.badge,
            &options,
            &mut |tx, _| {
                // Compare-and-set: of two racing requests for one configuration, one commits.
                let n = if left.is_empty() {
                    tx.execute(
                        "DELETE FROM oid4vci_tokens WHERE token_hash = $1 AND remaining = $2",
                        &[token_hash.as_str().into(), remaining_text.as_str().into()],
                    )?
                } else {
                    tx.execute(
                        "UPDATE oid4vci_tokens SET remaining = $1 WHERE token_hash = $2 AND remaining = $3",
                        &[
                            left_text.as_str().into(),
                            token_hash.as_str().into(),
                            remaining_text.as_str().into(),
                        ],
                    )?
                };
                if n == 1 {
                    Ok(())
                } else {
                    Err(StoreError::Conflict("the access token was used meanwhile".into()))
                }
            },
        );
        let issued = match issued {
            Ok(i) => i,
            Err(Error::Store(StoreError::Conflict(_))) => {
                return Err(refuse(
                    400,
                    "credential_request_denied",
                    "this access token already received that credential",
                ));
            }
            Err(e) => return Err(server_error(e)),
        };
        let credential = if jwt_form {
            issued.ob3_jwt.map(Value::String)
        } else {
            issued.ob3_credential
        }
        .ok_or_else(|| server_error("the issuer produced no credential"))?;
        Ok(Oid4vciResponse::json(
            200,
            &json!({"credentials": [{"credential": credential}]}),
        ))
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An `application/x-www-form-urlencoded` body as pairs; `None` when it is not UTF-8 or has a
/// broken escape.
fn parse_form(body: &[u8]) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    let decode = |s: &str| -> Option<String> {
        let mut bytes = Vec::with_capacity(s.len());
        let mut it = s.bytes();
        while let Some(b) = it.next() {
            match b {
                b'+' => bytes.push(b' '),
                b'%' => {
                    let h = [it.next()?, it.next()?];
                    let hex = std::str::from_utf8(&h).ok()?;
                    bytes.push(u8::from_str_radix(hex, 16).ok()?);
                }
                _ => bytes.push(b),
            }
        }
        String::from_utf8(bytes).ok()
    };
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn forms_decode_and_offers_encode() {
        assert_eq!(
            parse_form(b"a=b+c&d=%2F%3D").unwrap(),
            vec![("a".into(), "b c".into()), ("d".into(), "/=".into())]
        );
        assert!(parse_form(b"a=%2").is_none());
        assert!(parse_form(b"a=%zz").is_none());
        assert_eq!(percent_encode("{\"a\": 1}/"), "%7B%22a%22%3A%201%7D%2F");
    }
}
