//! Value shapes shared by every version: one-or-many, IRI-or-object, IRIs and date-times.

use serde::{Deserialize, Serialize};

/// A property that the specifications allow as a single value or an array.
///
/// The shape read is the shape written back (lossless), so `One` stays a bare value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// An array of values.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// Iterates over the value(s).
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        match self {
            OneOrMany::One(v) => std::slice::from_ref(v).iter(),
            OneOrMany::Many(v) => v.iter(),
        }
    }

    /// The number of values.
    pub fn len(&self) -> usize {
        match self {
            OneOrMany::One(_) => 1,
            OneOrMany::Many(v) => v.len(),
        }
    }

    /// Whether there is no value (an empty array).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first value, if any.
    pub fn first(&self) -> Option<&T> {
        self.iter().next()
    }
}

impl<T: PartialEq> OneOrMany<T> {
    /// Whether one of the values equals `item`.
    pub fn contains(&self, item: &T) -> bool {
        self.iter().any(|v| v == item)
    }
}

impl<T> From<T> for OneOrMany<T> {
    fn from(v: T) -> Self {
        OneOrMany::One(v)
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(v: Vec<T>) -> Self {
        OneOrMany::Many(v)
    }
}

impl<'a, T> IntoIterator for &'a OneOrMany<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A property whose value is either the IRI of a node or the node itself, embedded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IdOrObject<T> {
    /// A reference by IRI.
    Id(Iri),
    /// The embedded node.
    Object(Box<T>),
}

impl<T> IdOrObject<T> {
    /// The embedded object, if the value is not a bare IRI.
    pub fn object(&self) -> Option<&T> {
        match self {
            IdOrObject::Id(_) => None,
            IdOrObject::Object(o) => Some(o),
        }
    }
}

/// An IRI, kept exactly as written. [`Iri::parse`] checks it is absolute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Iri(String);

impl Iri {
    /// Checks that `s` is an absolute IRI (a scheme, then a scheme-specific part).
    ///
    /// # Errors
    /// [`crate::Error::InvalidValue`] when `s` has no scheme or contains white space.
    ///
    /// ```
    /// use openbadges_model::Iri;
    /// assert!(Iri::parse("https://example.org/badge").is_ok());
    /// assert!(Iri::parse("urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002").is_ok());
    /// assert!(Iri::parse("not an iri").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Self, crate::Error> {
        if is_absolute_iri(s) {
            Ok(Iri(s.to_string()))
        } else {
            Err(crate::Error::InvalidValue {
                property: "id",
                message: format!("`{s}` is not an absolute IRI"),
            })
        }
    }

    /// Wraps a string without checking it (for values read from documents, which validation
    /// reports on separately).
    pub fn new_unchecked(s: impl Into<String>) -> Self {
        Iri(s.into())
    }

    /// The IRI as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Iri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Iri {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Iri::parse(s)
    }
}

/// Whether `s` is an absolute IRI: `scheme:rest` with an RFC 3986 scheme, no white space, no
/// control characters.
pub fn is_absolute_iri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !(first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty())
    {
        return false;
    }
    if s.is_ascii() {
        // One pass over the bytes (validation runs this on every IRI of a credential): the
        // ASCII white space and control characters are exactly the bytes up to 0x20 and 0x7F.
        return !s.bytes().any(|b| {
            b <= 0x20
                || b == 0x7f
                || matches!(
                    b,
                    b'<' | b'>' | b'"' | b'{' | b'}' | b'|' | b'\\' | b'^' | b'`'
                )
        });
    }
    !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !s.contains(['<', '>', '"', '{', '}', '|', '\\', '^', '`'])
}

/// A date-time kept exactly as written; [`DateTime::parse`] reads it as ISO 8601 with a zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DateTime(String);

impl DateTime {
    /// Wraps a date-time string as written.
    pub fn new(s: impl Into<String>) -> Self {
        DateTime(s.into())
    }

    /// Formats a chrono date-time in UTC with second precision (`2024-01-31T12:00:00Z`).
    pub fn from_chrono(t: chrono::DateTime<chrono::Utc>) -> Self {
        DateTime(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    /// The string as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses the value as an RFC 3339 / ISO 8601 date-time with a time zone.
    ///
    /// ```
    /// use openbadges_model::DateTime;
    /// assert!(DateTime::new("2016-12-31T23:59:59Z").parse().is_some());
    /// assert!(DateTime::new("2016-12-31T23:59:59+01:00").parse().is_some());
    /// assert!(DateTime::new("2016-12-31").parse().is_none());
    /// ```
    pub fn parse(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        parse_datetime(&self.0)
    }
}

/// Parses an ISO 8601 date-time that carries a time zone (RFC 3339, with a lowercase `t`/`z`
/// or a space separator tolerated).
pub fn parse_datetime(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[cfg(test)]
mod tests {
    use super::is_absolute_iri;

    /// The general rule the ASCII fast path of [`is_absolute_iri`] must agree with.
    fn by_chars(s: &str) -> bool {
        !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && !s.contains(['<', '>', '"', '{', '}', '|', '\\', '^', '`'])
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_char_rule() {
        for b in 0..=0x7fu8 {
            let s = format!("https://example.org/a{}b", char::from(b));
            assert_eq!(is_absolute_iri(&s), by_chars(&s), "byte {b:#x}");
        }
        assert!(is_absolute_iri("urn:uuid:1"));
        assert!(is_absolute_iri("https://example.org/é"));
        assert!(!is_absolute_iri("https://example.org/\u{a0}x"));
        assert!(!is_absolute_iri("https://example.org/\u{85}"));
        assert!(!is_absolute_iri("1https://example.org/"));
        assert!(!is_absolute_iri("https:"));
    }
}
