//! The Open Badges data model: every version in use (0.5, 1.0, 1.1, 2.0, 3.0) and CLR 2.0.
//!
//! Parse untrusted JSON within [`Limits`], [`detect()`] its version and class, [`inspect`] it for
//! structural problems (all at once, each with a stable code and a JSON pointer), upgrade legacy
//! badges to 2.0 ([`legacy`]), and convert 2.0 to 3.0 ([`convert`]).
//!
//! ```
//! use openbadges_model::{inspect_bytes, Limits, Version};
//! let json = br#"{
//!   "@context": "https://w3id.org/openbadges/v2",
//!   "type": "Assertion",
//!   "id": "https://example.org/assertions/1",
//!   "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!   "badge": "https://example.org/badges/1",
//!   "verification": {"type": "hosted"},
//!   "issuedOn": "2024-01-31T12:00:00Z"
//! }"#;
//! let report = inspect_bytes(json, &Limits::default())?;
//! assert_eq!(report.version, Some(Version::V2_0));
//! # Ok::<(), openbadges_model::Error>(())
//! ```
//!
//! Upgrade an OB 1.0 assertion (no `@context`, a Unix `issuedOn`, `verify.url`) to 2.0 and read
//! it into the typed, lossless OB 2.0 model ([`ob2`]):
//!
//! ```
//! use openbadges_model::{inspect, ob2, Version};
//! let v1 = serde_json::json!({
//!   "uid": "abc123",
//!   "recipient": {"type": "email", "hashed": false, "identity": "student@example.org"},
//!   "badge": "https://example.org/badge.json",
//!   "verify": {"type": "hosted", "url": "https://example.org/assertion.json"},
//!   "issuedOn": 1705320000
//! });
//! let report = inspect(&v1);
//! assert_eq!(report.version, Some(Version::V1_0));
//! assert!(report.valid_structure());
//! let v2 = report.upgraded.unwrap_or_default();
//! let assertion = ob2::Assertion::from_value(&v2)?;
//! assert_eq!(assertion.id.as_ref().map(|i| i.as_str()), Some("https://example.org/assertion.json"));
//! assert_eq!(assertion.issued_on.as_ref().map(|d| d.as_str()), Some("2024-01-15T12:00:00Z"));
//! assert_eq!(assertion.extra["uid"], "abc123"); // unknown and deprecated properties are kept
//! # Ok::<(), openbadges_model::Error>(())
//! ```
//!
//! Build and serialize an OB 3.0 credential (unsigned; the proof crate signs it). The builders
//! refuse anything [`ob3::validate`] would reject:
//!
//! ```
//! use openbadges_model::ob3::{self, AchievementBuilder, CredentialBuilder, IdentityObject, ProfileBuilder};
//! use openbadges_model::{DateTime, Iri};
//! let credential = CredentialBuilder::new()
//!     .issuer(ProfileBuilder::new(Iri::parse("https://example.org/issuer")?).name("Example Org").build()?)
//!     .achievement(
//!         AchievementBuilder::new(Iri::parse("https://example.org/badges/101")?, "Badges 101", "Knows badges.")
//!             .criteria_narrative("Answer three questions correctly.")
//!             .build()?,
//!     )
//!     .recipient_identity(IdentityObject::hashed("emailAddress", "student@example.org")?)
//!     .valid_from(DateTime::new("2024-01-31T12:00:00Z"))
//!     .build()?;
//! let json = ob3::to_value(&credential)?.to_string();
//! assert!(json.contains("\"OpenBadgeCredential\""));
//! assert!(ob3::validate(&ob3::to_value(&credential)?, None).is_empty());
//! # Ok::<(), openbadges_model::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod canonical;
pub mod compact_jws;
pub mod convert;
pub mod detect;
mod error;
pub mod identity;
pub mod legacy;
pub mod limits;
pub mod member;
pub mod ob2;
pub mod ob3;
pub mod problem;
mod typed;
pub mod value;

pub use canonical::sorted_keys_json;
pub use detect::{Class, Detection, Version, detect};
pub use error::Error;
pub use identity::{HashAlgorithm, Identity, IdentityHash, IdentityHashError, IdentityKind, Salt};
pub use limits::{Limits, parse_json};
pub use problem::{Problem, ProblemCode, Severity, pointer_join};
pub use value::{DateTime, IdOrObject, Iri, OneOrMany};

use serde_json::Value;

/// What [`inspect`] found out about a document, without fetching anything or checking proofs.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The detected version, if recognised.
    pub version: Option<Version>,
    /// The detected class, if recognised.
    pub class: Option<Class>,
    /// Every structural problem (errors and warnings).
    pub problems: Vec<Problem>,
    /// The document in the current model: the 2.0 upgrade of a 0.5–1.1 document, the document
    /// itself for 2.0 and 3.0/CLR; `None` when the version is not recognised.
    pub upgraded: Option<Value>,
}

impl Inspection {
    /// Whether the structure is valid: a recognised document with no error-severity problem.
    pub fn valid_structure(&self) -> bool {
        self.version.is_some() && !self.problems.iter().any(Problem::is_error)
    }
}

/// Detects, upgrades and validates a parsed JSON document.
pub fn inspect(doc: &Value) -> Inspection {
    inspect_from(doc, None)
}

/// Like [`inspect`], for a document fetched from `source`: a legacy document that has no `id`
/// (a 1.0 badge class or issuer, a 0.5 assertion) takes that URL as its 2.0 `id`
/// ([`legacy::upgrade_from`]).
pub fn inspect_from(doc: &Value, source: Option<&str>) -> Inspection {
    let Detection { version, class } = detect(doc);
    let Some(v) = version else {
        return Inspection {
            version,
            class,
            problems: vec![Problem::error(
                ProblemCode::UnknownDocument,
                "",
                "not a recognised open badges or clr document",
            )],
            upgraded: None,
        };
    };
    match v {
        Version::V0_5 | Version::V1_0 | Version::V1_1 => {
            let (upgraded, mut problems) = legacy::upgrade_from(doc, v, class.as_ref(), source);
            let upgraded_class = detect(&upgraded).class.or(class.clone());
            problems.extend(legacy::validate_upgraded(
                &upgraded,
                v,
                upgraded_class.as_ref(),
            ));
            // The upgrade and the validation of its result may both note the same gap.
            let mut seen = std::collections::HashSet::new();
            problems.retain(|p| seen.insert((p.code, p.path.clone(), p.severity)));
            Inspection {
                version,
                class,
                problems,
                upgraded: Some(upgraded),
            }
        }
        Version::V2_0 => Inspection {
            version,
            problems: ob2::validate(doc, class.as_ref()),
            class,
            upgraded: Some(doc.clone()),
        },
        Version::V3_0 | Version::Clr2_0 => Inspection {
            version,
            problems: ob3::validate(doc, class.as_ref()),
            class,
            upgraded: Some(doc.clone()),
        },
    }
}

/// Parses untrusted bytes within `limits` and [`inspect`]s them.
///
/// # Errors
/// The errors of [`parse_json`]: too large, malformed JSON (with line and column), too deep.
pub fn inspect_bytes(bytes: &[u8], limits: &Limits) -> Result<Inspection, Error> {
    let doc = parse_json(bytes, limits)?;
    Ok(inspect(&doc))
}
