//! A verification told in words people read: the verdict ("Valid", "Invalid", "Could not
//! check"), who issued the badge to whom and when, the achievement, and each check with a
//! one-line plain-language explanation.
//!
//! [`Summary::new`] reads the badge out of the same input bytes the [`Report`] was made from
//! (JSON, compact JWS / VC-JWT, baked PNG or SVG, URL), loading what the badge only names (an
//! OB 2.0 badge class or issuer profile given by URL) through a [`DocumentLoader`] — normally the
//! verifier's own loader, whose cache already holds them. Nothing in the summary decides
//! anything: the verdict is the report's [`Status`], and "could not check" is never shown as
//! valid or invalid.
//!
//! The recipient is shown as the badge writes it (for a hashed identity: the hash only); when
//! the verification was given an identity to check against (a [`RecipientProfile`](
//! crate::verify::RecipientProfile)), [`Recipient::checked`] says whether the badge was issued
//! to it, from the report's `recipient` check (OB 2.0 hashed identities and OB 3.0
//! `identifier` entries alike).
//!
//! ```
//! use openbadges_proof::loader::StaticLoader;
//! use openbadges_proof::report::{CheckStatus, Code, Report, Status};
//! use openbadges_proof::summary::{Summary, explain_check};
//!
//! let badge = br#"{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
//!   "issuedOn": "2026-12-06T10:00:00Z",
//!   "recipient": {"type": "email", "hashed": true, "identity": "sha256$0123"},
//!   "badge": {"type": "BadgeClass", "name": "Badges 101", "description": "Knows badges.",
//!             "issuer": {"type": "Profile", "id": "https://example.org/issuer", "name": "Example"}}}"#;
//! let mut report = Report::new("badge.json");
//! report.fail("fetch-assertion", Code::FetchFailed, "unreachable", None);
//! let summary = Summary::new(&report, badge, &StaticLoader::new(), &Default::default(), None);
//! assert_eq!(summary.verdict, "Could not check");
//! assert_eq!(summary.issuer.as_ref().and_then(|i| i.name.as_deref()), Some("Example"));
//! assert_eq!(summary.issued.as_ref().and_then(|d| d.date.as_deref()), Some("6 December 2026"));
//! assert_eq!(summary.recipient.as_ref().map(|r| r.identity.as_str()), Some("sha256$0123"));
//! assert_eq!(
//!     explain_check("not-revoked", CheckStatus::Passed, None),
//!     "The badge has not been revoked."
//! );
//! # let _ = Status::Valid;
//! ```

use serde::Serialize;
use serde_json::Value;

use openbadges_model::{Identity, Limits};

use crate::input::{self, Payload};
use crate::loader::DocumentLoader;
use crate::report::{Check, CheckStatus, Code, Finding, Report, Status};

/// The verdict in words: `"Valid"`, `"Invalid"` or `"Could not check"`.
pub fn verdict_words(status: Status) -> &'static str {
    match status {
        Status::Valid => "Valid",
        Status::Invalid => "Invalid",
        Status::Indeterminate => "Could not check",
    }
}

/// One sentence saying what a finding code means for the person holding the badge.
pub fn explain_code(code: Code) -> &'static str {
    match code {
        Code::SignatureInvalid => {
            "The signature does not match the issuer's key: the badge was changed or not signed by its issuer."
        }
        Code::AlgorithmNotAllowed => "The signature uses an algorithm that is not allowed.",
        Code::MalformedJws => "The signature is not well formed.",
        Code::SignatureMissing => "The badge claims to be signed but carries no signature.",
        Code::KeyNotOwnedByIssuer | Code::KeyNotListedByIssuer => {
            "The key that signed the badge does not belong to its issuer."
        }
        Code::KeyInvalid => "The issuer's key cannot be used.",
        Code::KeyNotFound => "The issuer lists no key that could have signed the badge.",
        Code::Expired => "The badge has expired.",
        Code::NotYetValid => "The badge's issue date is in the future.",
        Code::Revoked => "The issuer has revoked the badge.",
        Code::RecipientMismatch => "The badge was not issued to the identity given.",
        Code::OutOfVerificationScope => {
            "The badge is hosted outside the addresses its issuer allows."
        }
        Code::SchemaInvalid => "The badge is missing a required property or has a malformed one.",
        Code::MalformedJson => "The badge is not well-formed JSON.",
        Code::InputUnrecognized => "This is not a badge in any form we know.",
        Code::NoBakedBadge => "The image holds no badge.",
        Code::ImageInvalid => "The image breaks the rules for badge images.",
        Code::IdMismatch => "The issuer's copy of the badge names another address.",
        Code::FetchFailed => "A document the badge needs could not be fetched from its issuer.",
        Code::InputUnreadable => "The badge could not be read.",
        Code::Unsupported => "The badge uses a version or feature this verifier cannot check.",
        Code::EndorsementNotVerified => {
            "An endorsement could not be verified (this does not affect the badge)."
        }
        Code::ImageWarning => "The image carries something unusual (e.g. a second badge).",
        Code::LegacyUpgraded => "An old-style badge was read as Open Badges 2.0.",
        Code::SchemeChanged => {
            "The badge is hosted under http where https was expected, or the reverse."
        }
        Code::ClaimMismatch => "The token's claims disagree with the badge.",
        Code::Suspended => "The issuer has suspended the badge.",
        Code::KeyNotBound => "Whether the signing key belongs to the issuer could not be checked.",
        Code::NoProof => "The badge carries no proof of who issued it.",
        Code::NotAnOpenBadge => "The credential is not an Open Badge.",
        Code::StatusUnchecked => "The issuer's revocation list could not be fetched or read.",
        Code::RefreshNotFollowed => "The badge names a refresh service, which was not followed.",
        Code::ProofWarning => "The badge also carries an outdated or unsupported proof.",
        Code::PresentationUnsigned => "The presentation is not signed by its holder.",
        Code::ProofPurposeMismatch => "The presentation's proof was made for another purpose.",
        Code::KeyNotControlledByHolder => {
            "The presentation was signed by a key its holder does not control."
        }
        Code::ChallengeMismatch => "The presentation does not carry the expected challenge.",
        Code::DomainMismatch => "The presentation does not carry the expected domain.",
        Code::CredentialInvalid => "A badge inside is invalid.",
        Code::CredentialUnchecked => "A badge inside could not be checked.",
    }
}

/// One sentence explaining a check (by its stable id, see [`crate::report`]) and its outcome.
/// `code` is the code of the error (or warning) the check recorded, when there is one: it
/// tells "checked and wrong" from "could not check" for a failed check.
///
/// ```
/// use openbadges_proof::report::{CheckStatus, Code};
/// use openbadges_proof::summary::explain_check;
/// assert_eq!(explain_check("jws-signature", CheckStatus::Passed, None),
///            "The signature matches the issuer's key.");
/// assert_eq!(explain_check("status", CheckStatus::Failed, Some(Code::StatusUnchecked)),
///            "The issuer's revocation list could not be fetched or read.");
/// ```
pub fn explain_check(id: &str, status: CheckStatus, code: Option<Code>) -> &'static str {
    use CheckStatus::{Failed, Passed, Skipped, Warning};
    let could_not_check = code.is_some_and(|c| !c.is_verdict());
    match (id, status) {
        ("detect-input", Passed) => "The file holds a badge.",
        ("detect-version" | "version", Passed) => "The badge's Open Badges version is known.",
        ("detect-class", Passed) => "The document is a badge.",
        ("open-badge", Passed) => "The credential is an Open Badge.",
        ("schema", Passed) => "The badge has every required property, well formed.",
        ("credential-schema", Passed) => "The badge matches the schema it declares.",
        ("credential-schema", Skipped) => "The schema the badge declares was not checked.",
        ("fetch-assertion", Passed) => "The issuer's copy of the badge was fetched.",
        ("fetch-assertion", Failed) if could_not_check => {
            "The issuer's copy of the badge could not be fetched."
        }
        ("fetch-badgeclass", Passed) => "The issuer's description of the badge was fetched.",
        ("fetch-badgeclass", Failed) if could_not_check => {
            "The issuer's description of the badge could not be fetched."
        }
        ("fetch-issuer", Passed) => "The issuer's profile was fetched.",
        ("fetch-issuer", Failed) if could_not_check => "The issuer's profile could not be fetched.",
        ("assertion-id" | "badgeclass-id" | "issuer-id", Passed) => {
            "The issuer's documents are at the addresses they name."
        }
        ("hosted-id-in-scope" | "badgeclass-in-scope", Passed) => {
            "The badge is hosted where its issuer allows."
        }
        ("jws-algorithm", Passed) => "The signature uses an allowed algorithm.",
        ("jws-payload", Passed) => "The signed content is readable.",
        ("jwt-header", Passed) => "The signature's header holds only what is allowed.",
        ("jwt-claims", Passed) => "The token's claims agree with the badge.",
        ("jws-signature" | "jwt-signature" | "proof", Passed) => {
            "The signature matches the issuer's key."
        }
        ("jws-signature" | "jwt-signature" | "proof", Failed) if could_not_check => {
            "The signature could not be checked."
        }
        ("jws-signature" | "jwt-signature" | "proof", Failed) => {
            "The signature does not match the issuer's key: the badge was changed or not signed by its issuer."
        }
        ("key-discovery", Passed) => "The issuer's signing key was found.",
        ("key-discovery", Failed) if could_not_check => {
            "The issuer's signing key could not be fetched."
        }
        ("key-ownership" | "key-binding", Passed) => "The signing key belongs to the issuer.",
        ("key-ownership" | "key-binding", Failed) if could_not_check => {
            "Whether the signing key belongs to the issuer could not be checked."
        }
        ("key-ownership" | "key-binding", Failed) => {
            "The key that signed the badge does not belong to its issuer."
        }
        ("not-revoked" | "status", Passed) => "The badge has not been revoked.",
        ("not-revoked" | "status", Failed) if could_not_check => {
            "The issuer's revocation list could not be fetched or read."
        }
        ("not-revoked" | "status", Skipped) => "The issuer keeps no revocation list for it.",
        ("timestamps", Passed) => "The badge's dates hold: issued in the past, not expired.",
        ("recipient", Passed) => "The badge was issued to the identity given.",
        ("recipient", Failed) => "The badge was not issued to the identity given.",
        ("recipient", Skipped) => "No recipient was given to check against.",
        ("endorsements" | "endorsement-claim" | "fetch-endorsement", Passed) => {
            "The endorsements of the badge verify."
        }
        ("endorsements" | "endorsement-claim" | "fetch-endorsement", Skipped) => {
            "The badge has no endorsement to check."
        }
        ("endorsements" | "endorsement-claim" | "fetch-endorsement", _) => {
            "An endorsement could not be verified (this does not affect the badge)."
        }
        ("refresh", _) => "The badge names a refresh service, which was not followed.",
        ("clr-credentials" | "presentation-credentials", Passed) => "Every badge inside verifies.",
        ("presentation-proof", Passed) => "The presentation is signed by its holder.",
        // A failure with its error's code: what that code means.
        (_, Failed) => match code {
            Some(c) => explain_code(c),
            None => "This check failed.",
        },
        (_, Warning) => match code {
            Some(c) => explain_code(c),
            None => "This check passed with a reservation.",
        },
        (_, Passed) => "This check passed.",
        (_, Skipped) => "This check did not apply.",
    }
}

/// The issuer, as the badge names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Party {
    /// The name, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The id (an IRI: a URL or a DID), if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The homepage (`url`), if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Whom the badge was issued to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Recipient {
    /// The kind of identity, as the badge writes it (`email`, `emailAddress`, `url`, …), if
    /// given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The identity as the badge writes it: for a hashed identity the hash (`sha256$…`) only,
    /// else the identifier (an address, a URL, a DID).
    pub identity: String,
    /// Whether [`Recipient::identity`] is a hash.
    pub hashed: bool,
    /// The answer for the identity the verification was asked to check, if one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checked: Option<RecipientCheck>,
}

/// Whether the badge was issued to an identity the verifier was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RecipientCheck {
    /// The identity given (e.g. the email address typed in), as given.
    pub identity: String,
    /// `Some(true)`: issued to it; `Some(false)`: not issued to it; `None`: the verification
    /// stopped before the recipient could be checked.
    pub issued_to: Option<bool>,
}

/// A date as the badge writes it, and as people write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Date {
    /// The value as written (RFC 3339, or a Unix timestamp in old badges).
    pub value: String,
    /// The day as people write it ("6 December 2026", [`human_date`]), when the value is a date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

impl Date {
    fn of(v: &Value) -> Option<Self> {
        let value = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let date = human_date(&value);
        Some(Date { value, date })
    }
}

/// A date-time (RFC 3339, one without a time zone, a bare `YYYY-MM-DD`, or Unix seconds) as
/// people write the day: "6 December 2026", the day as its writer gave it (in their time zone;
/// Unix seconds in UTC). `None` when it is none of these.
///
/// ```
/// assert_eq!(openbadges_proof::summary::human_date("2026-12-06T23:30:00-01:00").as_deref(),
///            Some("6 December 2026"));
/// assert_eq!(openbadges_proof::summary::human_date("2026-01-02").as_deref(), Some("2 January 2026"));
/// assert_eq!(openbadges_proof::summary::human_date("soon"), None);
/// ```
pub fn human_date(value: &str) -> Option<String> {
    use chrono::{DateTime, NaiveDate, Utc};
    let v = value.trim();
    let day = if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        // The day as its writer gave it, in their time zone.
        t.date_naive()
    } else if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f") {
        // No time zone (OB 2.0 allows it): the day as written.
        t.date()
    } else if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        d
    } else if let Ok(secs) = v.parse::<i64>() {
        DateTime::<Utc>::from_timestamp(secs, 0)?.date_naive()
    } else {
        return None;
    };
    Some(day.format("%-d %B %Y").to_string())
}

/// What the badge is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Achievement {
    /// The name, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The description, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The criteria: their narrative, else their URL, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criteria: Option<String>,
    /// The image: a URL or a `data:` URL, if given. Whoever shows it decides whether to load
    /// it (a page loading a URL from elsewhere tells that host who looks at the badge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// A check with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExplainedCheck {
    /// The stable check id (`jws-signature`, `not-revoked`, …).
    pub id: String,
    /// Its outcome.
    pub status: CheckStatus,
    /// The code of the error or warning it recorded, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// One plain-language sentence ([`explain_check`]).
    pub explanation: String,
    /// The verifier's technical detail.
    pub detail: String,
}

/// A verification told in words (see the module docs). Serialises to JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Summary {
    /// The report's status.
    pub status: Status,
    /// [`verdict_words`]: "Valid", "Invalid" or "Could not check".
    pub verdict: &'static str,
    /// One sentence saying why: that every check passed, else what the headline error means
    /// ([`explain_code`] of [`Report::primary_code`]).
    pub reason: &'static str,
    /// The Open Badges version, if detected (`"2.0"`, `"3.0"`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Who issued it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<Party>,
    /// To whom.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Recipient>,
    /// When it was issued (`issuedOn`, `validFrom`, `issuanceDate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<Date>,
    /// When it expires (`expires`, `validUntil`, `expirationDate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub achievement: Option<Achievement>,
    /// Every check, in the order it ran, explained.
    pub checks: Vec<ExplainedCheck>,
    /// The warnings, explained ([`explain_code`]).
    pub warnings: Vec<String>,
}

/// The reason sentence of a valid badge.
pub const VALID_REASON: &str =
    "Every check passed: the badge is unchanged, signed by its issuer and in force.";

impl Summary {
    /// Summarises `report`, made from `bytes`. `loader` loads what the badge only names (an
    /// OB 2.0 hosted assertion, badge class or issuer profile); one it cannot load leaves that
    /// part of the summary empty. `checked` is the identity the verification checked the
    /// recipient against, if any.
    pub fn new(
        report: &Report,
        bytes: &[u8],
        loader: &dyn DocumentLoader,
        limits: &Limits,
        checked: Option<&Identity>,
    ) -> Self {
        let status = report.status();
        let reason = match status {
            Status::Valid => VALID_REASON,
            _ => report
                .primary_code()
                .map_or("The badge could not be checked.", explain_code),
        };
        let checks = report
            .checks
            .iter()
            .map(|c| {
                let code = code_of(report, c);
                ExplainedCheck {
                    id: c.id.to_string(),
                    status: c.status,
                    code,
                    explanation: explain_check(&c.id, c.status, code).to_string(),
                    detail: c.message.to_string(),
                }
            })
            .collect();
        let warnings = report
            .warnings
            .iter()
            .map(|w| explain_code(w.code).to_string())
            .collect();
        let mut summary = Summary {
            status,
            verdict: verdict_words(status),
            reason,
            version: report.version.clone(),
            issuer: None,
            recipient: None,
            issued: None,
            expires: None,
            achievement: None,
            checks,
            warnings,
        };
        let reader = Reader { loader, limits };
        if let Some(doc) = reader.badge_document(bytes) {
            reader.fill(&mut summary, &doc);
        }
        if let Some(identity) = checked {
            let issued_to = report
                .checks
                .iter()
                .rev()
                .find(|c| c.id == "recipient")
                .and_then(|c| match c.status {
                    CheckStatus::Passed => Some(true),
                    CheckStatus::Failed => Some(false),
                    _ => None,
                });
            let check = RecipientCheck {
                identity: identity.value.clone(),
                issued_to,
            };
            match &mut summary.recipient {
                Some(r) => r.checked = Some(check),
                None => {
                    summary.recipient = Some(Recipient {
                        kind: None,
                        identity: String::new(),
                        hashed: false,
                        checked: Some(check),
                    });
                }
            }
        }
        summary
    }

    /// The summary as pretty-printed JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The code of the finding `check` recorded: the error (for a failed check) or warning (for a
/// warned one) with its message and node.
fn code_of(report: &Report, check: &Check) -> Option<Code> {
    let same = |f: &&Finding| f.message == check.message && f.node == check.node;
    match check.status {
        CheckStatus::Failed => report.errors.iter().find(same).map(|f| f.code),
        CheckStatus::Warning => report.warnings.iter().find(same).map(|f| f.code),
        _ => None,
    }
}

/// Reads the display fields of a badge, loading what it only names.
struct Reader<'a> {
    loader: &'a dyn DocumentLoader,
    limits: &'a Limits,
}

/// The string, or an object's `id`.
fn id_of(v: Option<&Value>) -> Option<&str> {
    match v? {
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        // A multilingual map (`{"en": "…"}`): its first value.
        Value::Object(o) => o.values().find_map(|v| v.as_str()).map(str::to_string),
        _ => None,
    }
}

/// The first element of an array, else the value.
fn first(v: Option<&Value>) -> Option<&Value> {
    match v? {
        Value::Array(a) => a.first(),
        other => Some(other),
    }
}

impl Reader<'_> {
    /// The badge document the input carries (the credential of a JWT, the assertion of a
    /// hosted URL).
    fn badge_document(&self, bytes: &[u8]) -> Option<Value> {
        let input = input::unpack(bytes, self.limits).ok()?;
        match input.payload {
            Payload::Json(v) => Some(v),
            Payload::Jws(j) => j
                .payload_value()
                .ok()
                .map(|p| input::jws_credential(&p).clone()),
            Payload::Url(u) => self.load(&u),
        }
    }

    /// Loads an http(s) document named by the badge, as JSON; `None` when it cannot be.
    fn load(&self, url: &str) -> Option<Value> {
        if !input::is_http_url(url) {
            return None;
        }
        let doc = self.loader.load(url).ok()?;
        let v = openbadges_model::parse_json(&doc.body, self.limits).ok()?;
        // A hosted OB 2.0 assertion may itself be served as a compact JWS: not here.
        v.is_object().then_some(v)
    }

    /// An embedded object, or the document its URL names.
    fn node(&self, v: Option<&Value>) -> Option<Value> {
        match first(v)? {
            Value::Object(o) => Some(Value::Object(o.clone())),
            Value::String(s) => self.load(s),
            _ => None,
        }
    }

    fn fill(&self, summary: &mut Summary, doc: &Value) {
        if let Some(subject) = first(doc.get("credentialSubject")) {
            // OB 3.0 / CLR 2.0 / VC.
            summary.issuer = self.party(doc.get("issuer"));
            summary.issued = first(doc.get("validFrom"))
                .or_else(|| doc.get("issuanceDate"))
                .and_then(Date::of);
            summary.expires = doc
                .get("validUntil")
                .or_else(|| doc.get("expirationDate"))
                .and_then(Date::of);
            summary.recipient = ob3_recipient(subject);
            if let Some(a) = first(subject.get("achievement")).and_then(Value::as_object) {
                summary.achievement = Some(Achievement {
                    name: text(a.get("name")),
                    description: text(a.get("description")),
                    criteria: criteria(a.get("criteria")),
                    image: id_of(a.get("image")).map(str::to_string),
                });
            } else {
                summary.achievement = Some(Achievement {
                    name: text(doc.get("name")),
                    description: text(doc.get("description")),
                    criteria: None,
                    image: id_of(doc.get("image")).map(str::to_string),
                });
            }
        } else {
            // OB 0.5–2.0: the assertion, its badge class, the badge class's issuer.
            summary.issued = doc
                .get("issuedOn")
                .or_else(|| doc.get("issued_on"))
                .and_then(Date::of);
            summary.expires = doc.get("expires").and_then(Date::of);
            summary.recipient = ob2_recipient(doc);
            let badge = self.node(doc.get("badge"));
            if let Some(b) = &badge {
                summary.issuer = self.party(b.get("issuer"));
                summary.achievement = Some(Achievement {
                    name: text(b.get("name")),
                    description: text(b.get("description")),
                    criteria: criteria(b.get("criteria")),
                    image: id_of(b.get("image")).map(str::to_string),
                });
            }
        }
    }

    fn party(&self, v: Option<&Value>) -> Option<Party> {
        let id = id_of(v).map(str::to_string);
        let node = match v? {
            Value::Object(o) if o.contains_key("name") => Some(Value::Object(o.clone())),
            // Only a URL (or an object without a name): the profile it names, if loadable.
            _ => id.as_deref().and_then(|u| self.load(u)),
        };
        let name = node.as_ref().and_then(|n| text(n.get("name")));
        let url = node
            .as_ref()
            .and_then(|n| id_of(n.get("url")))
            .map(str::to_string);
        Some(Party { name, id, url })
    }
}

fn criteria(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => {
            text(o.get("narrative")).or_else(|| id_of(o.get("id")).map(str::to_string))
        }
        _ => None,
    }
}

fn ob2_recipient(doc: &Value) -> Option<Recipient> {
    match doc.get("recipient")? {
        // OB 0.5: the (possibly hashed) email as a string.
        Value::String(s) => Some(Recipient {
            kind: Some("email".into()),
            identity: s.clone(),
            hashed: s.contains('$'),
            checked: None,
        }),
        Value::Object(o) => {
            let identity = o.get("identity").and_then(Value::as_str)?.to_string();
            let hashed = match o.get("hashed") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
                _ => identity.contains('$'),
            };
            Some(Recipient {
                kind: o.get("type").and_then(Value::as_str).map(str::to_string),
                identity,
                hashed,
                checked: None,
            })
        }
        _ => None,
    }
}

fn ob3_recipient(subject: &Value) -> Option<Recipient> {
    if let Some(Value::Object(o)) = first(subject.get("identifier")) {
        let identity = o.get("identityHash").and_then(Value::as_str)?.to_string();
        let hashed = o.get("hashed").and_then(Value::as_bool).unwrap_or(false);
        return Some(Recipient {
            kind: o
                .get("identityType")
                .and_then(Value::as_str)
                .map(str::to_string),
            identity,
            hashed,
            checked: None,
        });
    }
    subject
        .get("id")
        .and_then(Value::as_str)
        .map(|id| Recipient {
            kind: Some("id".into()),
            identity: id.to_string(),
            hashed: false,
            checked: None,
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn every_code_has_a_sentence() {
        for &c in Code::ALL {
            let s = explain_code(c);
            assert!(s.ends_with('.') && s.len() > 10, "{c}: {s}");
        }
    }

    #[test]
    fn verdict_words_never_mix_could_not_check_with_a_verdict() {
        assert_eq!(verdict_words(Status::Valid), "Valid");
        assert_eq!(verdict_words(Status::Invalid), "Invalid");
        assert_eq!(verdict_words(Status::Indeterminate), "Could not check");
    }

    #[test]
    fn a_failed_check_is_explained_by_its_code() {
        use CheckStatus::*;
        assert_eq!(
            explain_check("jws-signature", Failed, Some(Code::SignatureInvalid)),
            explain_code(Code::SignatureInvalid)
        );
        assert_eq!(
            explain_check("not-revoked", Failed, Some(Code::Revoked)),
            "The issuer has revoked the badge."
        );
        assert_eq!(
            explain_check("not-revoked", Failed, Some(Code::FetchFailed)),
            "The issuer's revocation list could not be fetched or read."
        );
        assert_eq!(
            explain_check("fetch-issuer", Failed, Some(Code::FetchFailed)),
            "The issuer's profile could not be fetched."
        );
        assert_eq!(
            explain_check("timestamps", Failed, Some(Code::Expired)),
            "The badge has expired."
        );
        assert_eq!(
            explain_check("a-new-check", Passed, None),
            "This check passed."
        );
    }

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(
            human_date("2026-12-06T10:00:00Z").as_deref(),
            Some("6 December 2026")
        );
        assert_eq!(
            human_date("1700000000").as_deref(),
            Some("14 November 2023")
        );
        assert_eq!(
            human_date("2026-12-06T10:00:00").as_deref(),
            Some("6 December 2026")
        );
        assert_eq!(
            human_date("2026-12-06T10:00:00.5").as_deref(),
            Some("6 December 2026")
        );
        assert_eq!(human_date(""), None);
    }
}
