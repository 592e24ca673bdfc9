//! Detection of the Open Badges version and class of a JSON document.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::member::Members;

/// An Open Badges (or CLR) specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Version {
    /// OB 0.5 (Mozilla OBI, 2012): no `@context`, string `recipient`, embedded `badge`.
    #[serde(rename = "0.5")]
    V0_5,
    /// OB 1.0: no `@context`, `verify` object.
    #[serde(rename = "1.0")]
    V1_0,
    /// OB 1.1: `@context` is `https://w3id.org/openbadges/v1`.
    #[serde(rename = "1.1")]
    V1_1,
    /// OB 2.0: `@context` is `https://w3id.org/openbadges/v2`.
    #[serde(rename = "2.0")]
    V2_0,
    /// OB 3.0: a W3C Verifiable Credential (VC DM 2.0, or the 1.1 shape).
    #[serde(rename = "3.0")]
    V3_0,
    /// CLR 2.0: a ClrCredential.
    #[serde(rename = "clr-2.0")]
    Clr2_0,
}

impl Version {
    /// The string used by the CLI and reports: `"0.5"`, …, `"3.0"`, `"clr-2.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V0_5 => "0.5",
            Version::V1_0 => "1.0",
            Version::V1_1 => "1.1",
            Version::V2_0 => "2.0",
            Version::V3_0 => "3.0",
            Version::Clr2_0 => "clr-2.0",
        }
    }

    /// Whether documents of this version are upgraded to 2.0 before use.
    pub fn is_legacy(self) -> bool {
        matches!(self, Version::V0_5 | Version::V1_0 | Version::V1_1)
    }
}

/// The OB 2.0 JSON-LD context IRI.
pub const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";
/// The OB 1.1 JSON-LD context IRI.
pub const OB1_CONTEXT: &str = "https://w3id.org/openbadges/v1";
/// The VC Data Model 1.1 context IRI.
pub const VC1_CONTEXT: &str = "https://www.w3.org/2018/credentials/v1";
/// The VC Data Model 2.0 context IRI.
pub const VC2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The prefix shared by every OB 3.0 context IRI (`context.json`, `context-3.0.1.json`, …).
pub const OB3_CONTEXT_PREFIX: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context";
/// The prefix shared by every CLR 2.0 context IRI.
pub const CLR2_CONTEXT_PREFIX: &str = "https://purl.imsglobal.org/spec/clr/v2p0/context";

const OB2_CONTEXT_ALIASES: &[&str] = &[
    OB2_CONTEXT,
    "https://w3id.org/openbadges/v2/",
    "https://openbadgespec.org/v2/context.json",
    "http://w3id.org/openbadges/v2",
];
const OB1_CONTEXT_ALIASES: &[&str] = &[
    OB1_CONTEXT,
    "https://w3id.org/openbadges/v1/",
    "https://openbadgespec.org/v1/context.json",
    "http://w3id.org/openbadges/v1",
];

/// What kind of object a document is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Class {
    /// OB ≤ 2.0 Assertion.
    Assertion,
    /// OB ≤ 2.0 BadgeClass.
    BadgeClass,
    /// OB 2.0 Profile / Issuer, or OB 3.0 Profile.
    Profile,
    /// OB 2.0 CryptographicKey.
    CryptographicKey,
    /// OB 2.0 RevocationList.
    RevocationList,
    /// OB 2.0 Endorsement.
    Endorsement,
    /// OB 3.0 OpenBadgeCredential.
    OpenBadgeCredential,
    /// OB 3.0 AchievementCredential (an alias of OpenBadgeCredential).
    AchievementCredential,
    /// OB 3.0 EndorsementCredential.
    EndorsementCredential,
    /// CLR 2.0 ClrCredential.
    ClrCredential,
    /// OB 3.0 Achievement (an achievement definition on its own).
    Achievement,
    /// A W3C VerifiablePresentation.
    VerifiablePresentation,
    /// A W3C VerifiableCredential of no Open Badges type.
    VerifiableCredential,
}

impl Class {
    /// The class name as the specifications spell it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Class::Assertion => "Assertion",
            Class::BadgeClass => "BadgeClass",
            Class::Profile => "Profile",
            Class::CryptographicKey => "CryptographicKey",
            Class::RevocationList => "RevocationList",
            Class::Endorsement => "Endorsement",
            Class::OpenBadgeCredential => "OpenBadgeCredential",
            Class::AchievementCredential => "AchievementCredential",
            Class::EndorsementCredential => "EndorsementCredential",
            Class::ClrCredential => "ClrCredential",
            Class::Achievement => "Achievement",
            Class::VerifiablePresentation => "VerifiablePresentation",
            Class::VerifiableCredential => "VerifiableCredential",
        }
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The result of [`detect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    /// The detected version, if any.
    pub version: Option<Version>,
    /// The detected class, if any.
    pub class: Option<Class>,
}

/// The `@context` entries of a document that are strings (objects are skipped).
pub fn context_iris(doc: &Value) -> Vec<&str> {
    strings_in(doc.member("@context")).collect()
}

/// The `type` (or `@type`) values of a document, whether a single string or an array.
pub fn type_names(doc: &Value) -> Vec<&str> {
    strings_in(doc.member("type").or_else(|| doc.member("@type"))).collect()
}

/// The strings of a one-or-many property (a string, or an array's string entries), read in
/// place.
pub(crate) fn strings_in(v: Option<&Value>) -> impl Iterator<Item = &str> + Clone {
    let all: &[Value] = match v {
        Some(s @ Value::String(_)) => std::slice::from_ref(s),
        Some(Value::Array(a)) => a,
        _ => &[],
    };
    all.iter().filter_map(Value::as_str)
}

fn short_type(t: &str) -> &str {
    // 2.0 documents may use full IRIs such as https://w3id.org/openbadges#Assertion.
    // The separators are ASCII, so the byte after one starts a character.
    match t.bytes().rposition(|b| matches!(b, b'#' | b'/' | b':')) {
        Some(i) => t.get(i + 1..).unwrap_or(t),
        None => t,
    }
}

/// Detects the version and class of a JSON document the way the reference verifier does.
///
/// - a VC context (`credentials/v1` or `ns/credentials/v2`) → 3.0, or CLR 2.0 for a
///   `ClrCredential`;
/// - the OB v2 context → 2.0; the OB v1 context → 1.1;
/// - no `@context`: a string `recipient` → 0.5, otherwise 1.0.
///
/// ```
/// use openbadges_model::{detect, Class, Version};
/// let d = detect(&serde_json::json!({"recipient": "sha256$ab", "badge": {}}));
/// assert_eq!(d.version, Some(Version::V0_5));
/// assert_eq!(d.class, Some(Class::Assertion));
/// ```
pub fn detect(doc: &Value) -> Detection {
    let Some(obj) = doc.as_object() else {
        return Detection {
            version: None,
            class: None,
        };
    };
    let contexts = strings_in(doc.member("@context"));
    let types = strings_in(doc.member("type").or_else(|| doc.member("@type"))).map(short_type);
    let has = |name: &str| types.clone().any(|t| t == name);

    let is_vc = contexts
        .clone()
        .any(|c| c == VC1_CONTEXT || c == VC2_CONTEXT)
        || contexts.clone().any(|c| c.starts_with(OB3_CONTEXT_PREFIX))
        || contexts.clone().any(|c| c.starts_with(CLR2_CONTEXT_PREFIX));
    if is_vc {
        let class = if has("ClrCredential") {
            Some(Class::ClrCredential)
        } else if has("OpenBadgeCredential") {
            Some(Class::OpenBadgeCredential)
        } else if has("AchievementCredential") {
            Some(Class::AchievementCredential)
        } else if has("EndorsementCredential") {
            Some(Class::EndorsementCredential)
        } else if has("VerifiablePresentation") {
            Some(Class::VerifiablePresentation)
        } else if has("VerifiableCredential") {
            Some(Class::VerifiableCredential)
        } else if has("Achievement") {
            Some(Class::Achievement)
        } else if has("Profile") {
            Some(Class::Profile)
        } else {
            None
        };
        let version = if class == Some(Class::ClrCredential)
            || contexts.clone().any(|c| c.starts_with(CLR2_CONTEXT_PREFIX))
        {
            Version::Clr2_0
        } else {
            Version::V3_0
        };
        return Detection {
            version: Some(version),
            class,
        };
    }

    let class_2x = || {
        if has("Assertion") {
            Some(Class::Assertion)
        } else if has("BadgeClass") {
            Some(Class::BadgeClass)
        } else if has("Issuer") || has("Profile") || has("IssuerOrg") {
            Some(Class::Profile)
        } else if has("CryptographicKey") {
            Some(Class::CryptographicKey)
        } else if has("RevocationList") {
            Some(Class::RevocationList)
        } else if has("Endorsement") {
            Some(Class::Endorsement)
        } else {
            infer_1x_class(obj)
        }
    };

    if contexts.clone().any(|c| OB2_CONTEXT_ALIASES.contains(&c)) {
        return Detection {
            version: Some(Version::V2_0),
            class: class_2x(),
        };
    }
    if contexts.clone().any(|c| OB1_CONTEXT_ALIASES.contains(&c)) {
        return Detection {
            version: Some(Version::V1_1),
            class: class_2x(),
        };
    }
    if obj.has_member("@context") {
        // An unknown context: not something we can place.
        return Detection {
            version: None,
            class: None,
        };
    }
    if obj.member("recipient").is_some_and(Value::is_string) {
        return Detection {
            version: Some(Version::V0_5),
            class: Some(Class::Assertion),
        };
    }
    match infer_1x_class(obj) {
        Some(class) => Detection {
            version: Some(Version::V1_0),
            class: Some(class),
        },
        None => Detection {
            version: None,
            class: None,
        },
    }
}

/// Class of a context-less (1.0) object from the properties it carries.
fn infer_1x_class(obj: &serde_json::Map<String, Value>) -> Option<Class> {
    if obj.has_member("recipient") && (obj.has_member("badge") || obj.has_member("verify")) {
        Some(Class::Assertion)
    } else if obj.has_member("criteria") && obj.has_member("issuer") {
        Some(Class::BadgeClass)
    } else if obj.has_member("name") && obj.has_member("url") {
        Some(Class::Profile)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::short_type;

    #[test]
    fn short_type_is_the_text_after_the_last_separator() {
        for t in [
            "Assertion",
            "https://w3id.org/openbadges#Assertion",
            "obi:BadgeClass",
            "https://example.org/types/Profile",
            "a/",
            "#",
            "",
            "é:ü#ß/Ωmega",
            "x:y/z#",
        ] {
            assert_eq!(
                short_type(t),
                t.rsplit(['#', '/', ':']).next().unwrap_or(t),
                "{t}"
            );
        }
    }
}
