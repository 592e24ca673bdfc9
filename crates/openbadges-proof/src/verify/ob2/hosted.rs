//! Hosted verification (OB 2.0 "Hosted verification"): the assertion fetched from its id is
//! the truth; its URL, and its badge class's, must be within the issuer's verification scope
//! (`startsWith`, `allowedOrigins`, or the issuer profile's host).

use openbadges_model::compact_jws::has_compact_jws_shape;
use openbadges_model::detect;
use openbadges_model::detect::{Class, Version};
use openbadges_model::member::Members;
use serde_json::Value;

use super::fetch::Fetch;
use super::{IssuerInfo, Mode, Pipeline, many, node_id, normalize, str_of};
use crate::input::is_http_url;
use crate::jws::{Jws, JwsLimits};
use crate::report::{Code, Report};

/// The origin (`scheme://host:port`) of an http(s) URL.
pub(super) fn origin(u: &str) -> Option<String> {
    let p = url::Url::parse(u).ok()?;
    match p.origin() {
        url::Origin::Tuple(s, h, port) => Some(format!("{s}://{h}:{port}")),
        url::Origin::Opaque(_) => None,
    }
}

/// Where an http(s) URL is hosted: scheme, host (lowercase, as the URL parser normalises it)
/// and port when it is not the scheme's default.
struct Place {
    scheme: String,
    host: String,
    port: Option<u16>,
}

fn place(u: &str) -> Option<Place> {
    let p = url::Url::parse(u).ok()?;
    if !matches!(p.scheme(), "http" | "https") {
        return None;
    }
    Some(Place {
        scheme: p.scheme().to_string(),
        host: p.host_str()?.to_ascii_lowercase(),
        port: p.port(),
    })
}

/// The URL under the other of http/https, if it is one of them.
fn other_scheme(u: &str) -> Option<String> {
    if let Some(rest) = u.strip_prefix("https://") {
        Some(format!("http://{rest}"))
    } else {
        u.strip_prefix("http://")
            .map(|rest| format!("https://{rest}"))
    }
}

/// An `allowedOrigins` entry is a host name (RFC 3986 reg-name, per the OB 2.0 text): it
/// allows that host on any port and either scheme. An entry written `host:port` allows only
/// that port.
fn allowed_origin_matches(entry: &str, p: &Place) -> bool {
    let e = entry.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = p.host.trim_end_matches('.');
    if e == host {
        return true;
    }
    match e.rsplit_once(':') {
        Some((h, port)) => {
            let effective = p.port.or(match p.scheme.as_str() {
                "https" => Some(443),
                _ => Some(80),
            });
            h == host && port.parse::<u16>().ok() == effective
        }
        None => false,
    }
}

/// What a hosted-scope comparison found.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    In,
    /// Same host (and port) under the other of http/https.
    SchemeChanged,
    Out,
}

impl Pipeline<'_, '_> {
    /// Hosted verification of the assertion at `url`: the fetched copy is the truth.
    pub(super) fn hosted(&self, r: &mut Report, url: &str, hops: usize) {
        r.proof = Some("hosted".into());
        let doc = match self.fetch(url) {
            Fetch::Json(v) => v,
            Fetch::Gone => {
                r.pass("fetch-assertion", "the issuer answered 410 Gone", Some(url));
                r.fail(
                    "not-revoked",
                    Code::Revoked,
                    "the hosted assertion is gone (HTTP 410): revoked",
                    Some(url),
                );
                return;
            }
            Fetch::Failed(m) => {
                r.fail("fetch-assertion", Code::FetchFailed, m, Some(url));
                return;
            }
            Fetch::Malformed(m) => {
                r.fail("fetch-assertion", Code::MalformedJson, m, Some(url));
                return;
            }
            Fetch::Text(t) if hops == 0 && has_compact_jws_shape(t.trim_ascii()) => {
                let jl = JwsLimits {
                    max_bytes: self.v.limits.max_bytes,
                    ..JwsLimits::default()
                };
                match Jws::parse_with_limits(&t, &jl) {
                    Ok(j) => self.signed(r, j),
                    Err(e) => r.fail(
                        "fetch-assertion",
                        Code::MalformedJws,
                        e.to_string(),
                        Some(url),
                    ),
                }
                return;
            }
            Fetch::Text(_) => {
                r.fail(
                    "fetch-assertion",
                    Code::SchemaInvalid,
                    "the hosted document is not JSON",
                    Some(url),
                );
                return;
            }
        };
        r.pass("fetch-assertion", "fetched the hosted assertion", Some(url));
        let d = detect(&doc);
        if let Some(v @ (Version::V3_0 | Version::Clr2_0)) = d.version {
            self.unsupported_v3(r, v);
            return;
        }
        // A revoked stub need not be a complete assertion.
        if doc.member("revoked") == Some(&Value::Bool(true)) {
            let reason = str_of(&doc, "revocationReason").unwrap_or("no reason given");
            r.version = d.version.map(|v| v.as_str().to_string());
            r.fail(
                "not-revoked",
                Code::Revoked,
                format!("the issuer marks this assertion revoked: {reason}"),
                Some(url),
            );
            return;
        }
        let Some(n) = normalize(doc, Some(url), Some(Class::Assertion)) else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the hosted document is not an open badges assertion",
                Some(url),
            );
            return;
        };
        r.version = Some(n.version.as_str().to_string());
        if n.version.is_legacy() {
            r.warning(
                Code::LegacyUpgraded,
                format!(
                    "open badges {} assertion upgraded to 2.0 for verification",
                    n.version.as_str()
                ),
                Some(url),
            );
        }
        let declared = node_id(&n.doc).unwrap_or(url).to_string();
        if declared != url {
            if hops == 0 && is_http_url(&declared) {
                r.warning(
                    Code::IdMismatch,
                    format!(
                        "fetched from {url} but declares id {declared}; verifying the declared id"
                    ),
                    Some(url),
                );
                self.hosted(r, &declared, hops + 1);
            } else {
                r.fail(
                    "assertion-id",
                    Code::IdMismatch,
                    format!("fetched from {url} but declares id {declared}"),
                    Some(url),
                );
            }
            return;
        }
        r.pass(
            "assertion-id",
            "the hosted assertion's id is the URL it was fetched from",
            Some(url),
        );
        self.assertion_checks(r, &n, Mode::Hosted(url));
    }

    /// Hosted verification scope (OB 2.0 "Hosted verification"): the assertion URL must be
    /// allowed by the issuer's verification policy (`startsWith`, `allowedOrigins`, default: the
    /// issuer profile's host); the badge class must be on an allowed host too. Hosts are
    /// compared, not schemes: the same host under the other of http/https is `SCHEME_CHANGED`
    /// (a warning).
    pub(super) fn scope(
        &self,
        r: &mut Report,
        url: &str,
        bc_id: Option<&str>,
        issuer: &IssuerInfo,
    ) {
        let policy = issuer.doc.member("verification");
        let starts: Vec<&str> = many(policy.and_then(|p| p.member("startsWith")))
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        let allowed: Vec<&str> = many(policy.and_then(|p| p.member("allowedOrigins")))
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        let home = place(&issuer.id).or_else(|| str_of(&issuer.doc, "url").and_then(place));
        let judge_origin = |u: &str| -> Scope {
            let Some(p) = place(u) else {
                return Scope::Out;
            };
            if !allowed.is_empty() {
                return if allowed.iter().any(|a| allowed_origin_matches(a, &p)) {
                    Scope::In
                } else {
                    Scope::Out
                };
            }
            match &home {
                Some(h) if h.host == p.host && h.port == p.port => {
                    if h.scheme == p.scheme {
                        Scope::In
                    } else {
                        Scope::SchemeChanged
                    }
                }
                _ => Scope::Out,
            }
        };
        let mut ok = true;
        if !starts.is_empty() {
            let literal = starts.iter().any(|s| url.starts_with(s));
            let other = other_scheme(url);
            let swapped = other
                .as_deref()
                .is_some_and(|o| starts.iter().any(|s| o.starts_with(s)));
            if literal {
                // in scope as written
            } else if swapped {
                r.warning(
                    Code::SchemeChanged,
                    format!("{url} starts with one of the issuer's startsWith prefixes only under the other of http/https"),
                    Some(url),
                );
            } else {
                ok = false;
                r.fail(
                    "hosted-id-in-scope",
                    Code::OutOfVerificationScope,
                    format!("{url} does not start with any of the issuer's startsWith prefixes"),
                    Some(url),
                );
            }
        }
        match judge_origin(url) {
            Scope::In => {}
            Scope::SchemeChanged => r.warning(
                Code::SchemeChanged,
                format!("{url} is on the issuer profile's host under the other of http/https"),
                Some(url),
            ),
            Scope::Out => {
                ok = false;
                r.fail(
                    "hosted-id-in-scope",
                    Code::OutOfVerificationScope,
                    if allowed.is_empty() {
                        format!("{url} is not on the issuer profile's host")
                    } else {
                        format!("{url} is not on one of the issuer's allowedOrigins")
                    },
                    Some(url),
                );
            }
        }
        if let Some(b) = bc_id.filter(|b| is_http_url(b)) {
            match judge_origin(b) {
                Scope::In => {}
                Scope::SchemeChanged => r.warning(
                    Code::SchemeChanged,
                    format!("badge class {b} is on the issuer profile's host under the other of http/https"),
                    Some(b),
                ),
                Scope::Out => {
                    ok = false;
                    r.fail(
                        "badgeclass-in-scope",
                        Code::OutOfVerificationScope,
                        format!("badge class {b} is not on a host the issuer's verification policy allows"),
                        Some(b),
                    );
                }
            }
        }
        if ok {
            r.pass(
                "hosted-id-in-scope",
                "the assertion (and badge class) are within the issuer's verification scope",
                Some(url),
            );
        }
    }
}
