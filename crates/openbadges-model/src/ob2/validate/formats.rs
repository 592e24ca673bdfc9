//! The lexical forms OB 2.0 data types take: URLs, email addresses, ISO 8601 date-times, E.164
//! telephone numbers, host names.

/// Whether `s` is an absolute `http`/`https` URL with a host.
///
/// ```
/// assert!(openbadges_model::ob2::is_url("https://example.org/badge"));
/// assert!(!openbadges_model::ob2::is_url("ftp://example.org"));
/// assert!(!openbadges_model::ob2::is_url("/relative"));
/// ```
pub fn is_url(s: &str) -> bool {
    match url::Url::parse(s) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && u.host().is_some(),
        Err(_) => false,
    }
}

/// Whether `s` looks like an email address: `local@domain`, one `@`, a dotted domain without
/// empty labels, no white space. (Deliverability is not the model's business.)
///
/// ```
/// assert!(openbadges_model::ob2::is_email("ümlaut@heavymetal.de"));
/// assert!(!openbadges_model::ob2::is_email("skj@asdk"));
/// ```
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|l| !l.is_empty())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Whether `s` is an ISO 8601 date-time with a time zone, as OB 2.0 requires: RFC 3339, or the
/// ISO forms without seconds, with a `+hhmm`/`+hh` offset, or in basic format.
///
/// ```
/// use openbadges_model::ob2::is_iso_datetime_with_zone as ok;
/// assert!(ok("2016-12-31T23:59:59+00:00") && ok("2013-02-21T15:18Z") && ok("2013-02-21T15:18-0500"));
/// assert!(!ok("2016-12-31") && !ok("2016-12-31T23:59:59"));
/// ```
pub fn is_iso_datetime_with_zone(s: &str) -> bool {
    if crate::value::parse_datetime(s).is_some() {
        return true;
    }
    let normalised = match s.strip_suffix(['Z', 'z']) {
        Some(rest) => format!("{rest}+00:00"),
        None => s.to_string(),
    };
    const FORMATS: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y%m%dT%H%M%S%.f%#z",
        "%Y%m%dT%H%M%.f%#z",
    ];
    FORMATS
        .iter()
        .any(|f| chrono::DateTime::parse_from_str(&normalised, f).is_ok())
}

/// E.164 with an optional extension, as the reference verifier checks it.
pub(super) fn is_e164(s: &str) -> bool {
    let (num, ext) = match s.split_once(";ext=") {
        Some((n, e)) => (n, Some(e)),
        None => (s, None),
    };
    let digits = num.strip_prefix('+').unwrap_or(num);
    let ok_num = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    ok_num && ext.is_none_or(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()))
}

/// A host name (optionally with a port), as `allowedOrigins` holds.
pub(super) fn is_authority(s: &str) -> bool {
    let host = match s.rsplit_once(':') {
        Some((h, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => s,
    };
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}
