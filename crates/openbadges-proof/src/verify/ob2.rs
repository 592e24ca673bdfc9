//! The OB 0.5–2.0 pipeline: hosted and signed assertions, and endorsements.

use openbadges_model::detect::{Class, Version};
use openbadges_model::ob2::terms::in_v2_terms;
use openbadges_model::ob2::{VerificationType, verification_type};
use openbadges_model::value::parse_datetime;
use openbadges_model::{IdentityHash, IdentityKind, Problem, Salt, detect, legacy};
use serde_json::Value;

use super::Verifier;
use crate::input::{Payload, is_http_url};
use crate::jws::{Jws, JwsLimits};
use crate::key::{Algorithm, PublicKey};
use crate::loader::LoadError;
use crate::report::{Code, Report};
use crate::status::RevocationList;
use openbadges_model::compact_jws::has_compact_jws_shape;

mod ld;

/// What fetching a JSON document gave.
enum Fetch {
    Json(Value),
    /// The raw text (for PEM keys and compact JWS bodies).
    Text(String),
    Gone,
    Failed(String),
    Malformed(String),
}

/// A document in the 2.0 model.
struct Normalized {
    version: Version,
    class: Option<Class>,
    doc: Value,
    problems: Vec<Problem>,
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// The id of a node given as an IRI or as an object with `id`.
fn node_id(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id").and_then(Value::as_str),
        _ => None,
    }
}

/// The values of a property that may be a single value or an array.
fn many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

fn strip_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(b, _)| b)
}

/// The origin (`scheme://host:port`) of an http(s) URL.
fn origin(u: &str) -> Option<String> {
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

/// Finds the node whose `id` is `id` in `doc` (iteratively, bounded).
fn find_node<'v>(doc: &'v Value, id: &str) -> Option<&'v Value> {
    let mut stack = vec![doc];
    let mut seen = 0usize;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            return None;
        }
        match v {
            Value::Object(o) => {
                if o.get("id").and_then(Value::as_str) == Some(id) {
                    return Some(v);
                }
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a.iter()),
            _ => {}
        }
    }
    None
}

/// `doc` as the model reads it: JSON-LD documents that need expansion are mapped to the v2 terms
/// ([`ld::read_as_v2`]); in 2.0 documents, the v2 context's aliases are read as their v2 terms
/// ([`in_v2_terms`]; legacy documents get the same through `legacy::upgrade_from`). A view for
/// reading only: signatures are checked on the bytes received.
fn as_v2_view(doc: &Value) -> Value {
    if let Some(v) = ld::read_as_v2(doc) {
        return v;
    }
    if detect(doc).version == Some(Version::V2_0) {
        in_v2_terms(doc).into_owned()
    } else {
        doc.clone()
    }
}

fn normalize(doc: &Value, source: Option<&str>, hint: Option<Class>) -> Option<Normalized> {
    let view = as_v2_view(doc);
    let doc = &view;
    let d = detect(doc);
    let version = d.version?;
    let is_assertion = hint == Some(Class::Assertion);
    let class = d.class.or(hint);
    match version {
        Version::V0_5 | Version::V1_0 | Version::V1_1 => {
            let (up, mut problems) = legacy::upgrade_from(doc, version, class.as_ref(), source);
            let up = in_v2_terms(&up).into_owned();
            let class = detect(&up).class.or(class);
            problems.extend(legacy::validate_upgraded(&up, version, class.as_ref()));
            Some(Normalized {
                version,
                class,
                doc: up,
                problems,
            })
        }
        Version::V2_0 => {
            let mut doc = doc.clone();
            if let (Some(src), Value::Object(o)) = (source, &mut doc) {
                if !o.contains_key("id") && !is_assertion {
                    o.insert("id".into(), src.into());
                }
            }
            let problems = openbadges_model::ob2::validate(&doc, class.as_ref());
            Some(Normalized {
                version,
                class,
                doc,
                problems,
            })
        }
        _ => None,
    }
}

/// Records the error-severity problems of `n` as SCHEMA_INVALID; returns whether there were any.
fn schema(r: &mut Report, n: &Normalized, what: &str, node: Option<&str>) -> bool {
    let errors: Vec<&Problem> = n.problems.iter().filter(|p| p.is_error()).collect();
    if errors.is_empty() {
        r.pass(
            "schema",
            format!(
                "{what} is a valid open badges {} document",
                n.version.as_str()
            ),
            node,
        );
        return false;
    }
    for p in errors.iter().take(20) {
        let path = if p.path.is_empty() { "/" } else { &p.path };
        r.fail(
            "schema",
            Code::SchemaInvalid,
            format!("{what} {path}: {} ({})", p.message, p.code.as_str()),
            node,
        );
    }
    true
}

pub(super) struct Pipeline<'p, 'a> {
    pub(super) v: &'p Verifier<'a>,
}

/// How an assertion is trusted.
#[derive(Clone, Copy)]
enum Mode<'m> {
    /// Fetched from this URL (its id).
    Hosted(&'m str),
    /// Signed with this JWS.
    Signed(&'m Jws),
}

/// What the checks on an assertion or endorsement need to know about its issuer.
struct IssuerInfo {
    doc: Value,
    id: String,
}

impl Pipeline<'_, '_> {
    fn fetch(&self, url: &str) -> Fetch {
        let base = strip_fragment(url);
        let d = match self.v.loader.load(base) {
            Ok(d) => d,
            Err(LoadError::Gone { .. }) => return Fetch::Gone,
            Err(e) => return Fetch::Failed(e.to_string()),
        };
        let body = d.body.as_ref();
        let text = match std::str::from_utf8(body) {
            Ok(t) => t.strip_prefix('\u{feff}').unwrap_or(t).trim(),
            Err(_) => return Fetch::Malformed(format!("{url}: body is not UTF-8 text")),
        };
        if !(text.starts_with('{') || text.starts_with('[')) {
            return Fetch::Text(text.to_string());
        }
        match openbadges_model::parse_json(text.as_bytes(), &self.v.limits) {
            Ok(doc) => {
                // Every fetched document is read in the v2 terms (the hosted copy's own bytes
                // are not signed, so the view is all that is checked).
                let doc = as_v2_view(&doc);
                if base != url {
                    match find_node(&doc, url) {
                        Some(n) => Fetch::Json(n.clone()),
                        None => Fetch::Failed(format!("{base} has no node with id {url}")),
                    }
                } else {
                    Fetch::Json(doc)
                }
            }
            Err(e) => Fetch::Malformed(format!("{url}: {e}")),
        }
    }

    /// Fetches a JSON document that must exist; records failures under `check`.
    fn fetch_required(&self, r: &mut Report, check: &str, url: &str, what: &str) -> Option<Value> {
        match self.fetch(url) {
            Fetch::Json(v) => Some(v),
            Fetch::Gone => {
                r.fail(
                    check,
                    Code::FetchFailed,
                    format!("{what} {url} is gone (410)"),
                    Some(url),
                );
                None
            }
            Fetch::Failed(m) => {
                r.fail(
                    check,
                    Code::FetchFailed,
                    format!("cannot fetch {what}: {m}"),
                    Some(url),
                );
                None
            }
            Fetch::Malformed(m) => {
                r.fail(
                    check,
                    Code::MalformedJson,
                    format!("{what} is not JSON: {m}"),
                    Some(url),
                );
                None
            }
            Fetch::Text(_) => {
                r.fail(
                    check,
                    Code::SchemaInvalid,
                    format!("{what} at {url} is not a JSON document"),
                    Some(url),
                );
                None
            }
        }
    }

    pub(super) fn payload(&self, r: &mut Report, payload: Payload) {
        match payload {
            Payload::Url(u) => self.hosted(r, &u, 0),
            Payload::Jws(j) => self.signed(r, &j),
            Payload::Json(doc) => self.json(r, &doc),
        }
    }

    fn unsupported_v3(&self, r: &mut Report, version: Version) {
        r.version = Some(version.as_str().to_string());
        r.fail(
            "version",
            Code::Unsupported,
            format!(
                "open badges {} verification is not available in this build",
                version.as_str()
            ),
            None,
        );
    }

    fn json(&self, r: &mut Report, doc: &Value) {
        let view = as_v2_view(doc);
        let doc = &view;
        let d = detect(doc);
        match d.version {
            None => {
                // Pre-specification documents (and bakers) that only say where the hosted
                // assertion lives: the hosted copy is the truth, so verify that.
                let verify = doc.get("verify").or_else(|| doc.get("verification"));
                let signed = verify
                    .and_then(|v| str_of(v, "type"))
                    .and_then(verification_type)
                    == Some(VerificationType::Signed);
                match verify.and_then(|v| str_of(v, "url")) {
                    Some(u) if is_http_url(u) && !signed => {
                        r.warning(
                            Code::LegacyUpgraded,
                            "unrecognised document naming its hosted copy in verify.url; verifying that",
                            Some(u),
                        );
                        let u = u.to_string();
                        self.hosted(r, &u, 0);
                    }
                    _ => r.fail(
                        "detect-version",
                        Code::InputUnrecognized,
                        "not an open badges document",
                        None,
                    ),
                }
            }
            Some(v @ (Version::V3_0 | Version::Clr2_0)) => self.unsupported_v3(r, v),
            Some(version) => {
                let Some(n) = normalize(doc, None, Some(Class::Assertion)) else {
                    r.fail(
                        "detect-version",
                        Code::InputUnrecognized,
                        "not an open badges document",
                        None,
                    );
                    return;
                };
                r.version = Some(version.as_str().to_string());
                // Decided here, before anything is fetched: a document that is not an
                // assertion is not a badge, whatever the network would say.
                if n.class != Some(Class::Assertion) {
                    let class = n.class.as_ref().map_or("unknown", |c| c.as_str());
                    r.fail(
                        "detect-class",
                        Code::InputUnrecognized,
                        format!("only assertions are badges; this is a {class}"),
                        None,
                    );
                    return;
                }
                // A stub or copy that says it is revoked is revoked: no fetch can make it valid.
                if n.doc.get("revoked") == Some(&Value::Bool(true)) {
                    let reason = str_of(&n.doc, "revocationReason").unwrap_or("no reason given");
                    r.proof = Some("hosted".into());
                    r.fail(
                        "not-revoked",
                        Code::Revoked,
                        format!("the issuer marks this assertion revoked: {reason}"),
                        node_id(&n.doc),
                    );
                    return;
                }
                let vt = n
                    .doc
                    .get("verification")
                    .and_then(|v| str_of(v, "type"))
                    .and_then(verification_type);
                match vt {
                    Some(VerificationType::Signed) => r.fail(
                        "jws-signature",
                        Code::SignatureMissing,
                        "a signed assertion must be verified from its compact JWS, not its JSON",
                        node_id(&n.doc),
                    ),
                    _ => match node_id(&n.doc) {
                        Some(id) if is_http_url(id) => {
                            let id = id.to_string();
                            self.hosted(r, &id, 0);
                        }
                        _ if version == Version::V0_5 => r.fail(
                            "fetch-assertion",
                            Code::Unsupported,
                            "an open badges 0.5 assertion carries no URL to verify it from; verify its URL instead",
                            None,
                        ),
                        _ => r.fail(
                            "fetch-assertion",
                            Code::SchemaInvalid,
                            "a hosted assertion needs an http(s) id to be fetched from",
                            None,
                        ),
                    },
                }
            }
        }
    }

    /// Hosted verification of the assertion at `url`: the fetched copy is the truth.
    fn hosted(&self, r: &mut Report, url: &str, hops: usize) {
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
                    Ok(j) => self.signed(r, &j),
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
        if doc.get("revoked") == Some(&Value::Bool(true)) {
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
        let Some(n) = normalize(&doc, Some(url), Some(Class::Assertion)) else {
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

    /// The checks shared by hosted and signed assertions, after the assertion is trusted to be
    /// the issuer's (hosted: fetched from its id; signed: the signature is checked inside).
    fn assertion_checks(&self, r: &mut Report, n: &Normalized, mode: Mode<'_>) {
        let id = node_id(&n.doc).map(str::to_string);
        let idr = id.as_deref();
        if n.class != Some(Class::Assertion) {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the document is not an assertion",
                idr,
            );
            return;
        }
        schema(r, n, "assertion", idr);
        self.timestamps(r, &n.doc, idr);
        self.recipient(r, &n.doc, idr);
        // An assertion that says it is revoked is revoked (signed: forged or revoked, invalid
        // either way), decided before anything is fetched.
        if n.doc.get("revoked") == Some(&Value::Bool(true)) {
            let reason = str_of(&n.doc, "revocationReason").unwrap_or("no reason given");
            r.fail(
                "not-revoked",
                Code::Revoked,
                format!("the issuer marks this assertion revoked: {reason}"),
                idr,
            );
            return;
        }
        let Some((bc, bc_id, issuer)) = self.badge_and_issuer(r, &n.doc) else {
            return;
        };
        match mode {
            Mode::Hosted(url) => self.scope(r, url, bc_id.as_deref(), &issuer),
            Mode::Signed(jws) => {
                self.signed_key_checks(r, n, jws, &issuer);
                self.revocation(r, n, &issuer);
            }
        }
        let mut endorsements: Vec<(String, Value)> = Vec::new();
        for (node, holder) in [
            (idr, &n.doc),
            (bc_id.as_deref(), &bc),
            (Some(issuer.id.as_str()), &issuer.doc),
        ] {
            for e in many(holder.get("endorsement")) {
                endorsements.push((node.unwrap_or_default().to_string(), e.clone()));
            }
        }
        self.endorsements(r, &endorsements);
    }

    fn timestamps(&self, r: &mut Report, doc: &Value, node: Option<&str>) {
        let now = self.v.clock.now();
        let mut ok = true;
        if let Some(t) = str_of(doc, "issuedOn").and_then(parse_datetime) {
            if t > now {
                ok = false;
                r.fail(
                    "timestamps",
                    Code::NotYetValid,
                    format!("issued in the future ({t})"),
                    node,
                );
            }
        }
        if let Some(t) = str_of(doc, "expires").and_then(parse_datetime) {
            if t <= now {
                ok = false;
                r.fail("timestamps", Code::Expired, format!("expired at {t}"), node);
            }
        }
        if ok {
            r.pass(
                "timestamps",
                format!("issued before and not expired at {now}"),
                node,
            );
        }
    }

    fn recipient(&self, r: &mut Report, doc: &Value, node: Option<&str>) {
        let profile = &self.v.recipient;
        if profile.is_empty() {
            r.skip(
                "recipient",
                "no recipient identity was given to check against",
                node,
            );
            return;
        }
        let Some(rec) = doc.get("recipient") else {
            r.fail(
                "recipient",
                Code::RecipientMismatch,
                "the assertion has no recipient",
                node,
            );
            return;
        };
        let kind_s = str_of(rec, "type").unwrap_or("email");
        let Some(kind) = IdentityKind::parse(kind_s) else {
            r.fail(
                "recipient",
                Code::RecipientMismatch,
                format!("unknown recipient type `{kind_s}`"),
                node,
            );
            return;
        };
        let identity = str_of(rec, "identity").unwrap_or_default();
        let hashed = match rec.get("hashed") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => identity.contains('$') && identity.parse::<IdentityHash>().is_ok(),
        };
        let salt = str_of(rec, "salt").map(Salt::new);
        let candidates: Vec<&str> = profile
            .identities()
            .iter()
            .filter(|i| i.kind == kind)
            .map(|i| i.value.as_str())
            .collect();
        let matched = if hashed {
            match identity.parse::<IdentityHash>() {
                Ok(h) => candidates.iter().any(|c| {
                    h.matches(c, salt.as_ref())
                        || (kind == IdentityKind::Email
                            && h.matches(&c.to_lowercase(), salt.as_ref()))
                }),
                Err(_) => false,
            }
        } else {
            candidates.iter().any(|c| {
                if kind == IdentityKind::Email {
                    c.eq_ignore_ascii_case(identity)
                } else {
                    *c == identity
                }
            })
        };
        if matched {
            r.pass("recipient", format!("the {kind_s} recipient matches"), node);
        } else {
            r.fail(
                "recipient",
                Code::RecipientMismatch,
                format!(
                    "the {kind_s} recipient matches none of the {} given identities of that type",
                    candidates.len()
                ),
                node,
            );
        }
    }

    /// Loads (and validates) the badge class and its issuer profile. The issuer profile is
    /// always fetched from its own id when it has one: what it says about keys and scope is only
    /// trusted from there.
    fn badge_and_issuer(
        &self,
        r: &mut Report,
        assertion: &Value,
    ) -> Option<(Value, Option<String>, IssuerInfo)> {
        // Every way out without a badge class and issuer records a failure: the checks that
        // need them (keys, revocation, hosted scope) are skipped, so the report must not pass.
        let Some(badge) = assertion.get("badge") else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the assertion has no badge",
                node_id(assertion),
            );
            return None;
        };
        let (bc_raw, bc_src) = match badge {
            Value::String(u) => (
                self.fetch_required(r, "fetch-badgeclass", u, "badge class")?,
                Some(u.clone()),
            ),
            Value::Object(_) => (badge.clone(), None),
            _ => {
                r.fail(
                    "schema",
                    Code::SchemaInvalid,
                    "assertion `badge` is neither an IRI nor an object",
                    None,
                );
                return None;
            }
        };
        let Some(bc) = normalize(&bc_raw, bc_src.as_deref(), Some(Class::BadgeClass)) else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the badge class is not an open badges document",
                bc_src.as_deref(),
            );
            return None;
        };
        if let Some(other) = bc.class.as_ref().filter(|c| **c != Class::BadgeClass) {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                format!("the badge class is a {}, not a BadgeClass", other.as_str()),
                bc_src.as_deref(),
            );
            return None;
        }
        // A fetched badge class is where it was fetched from, whatever id it declares: that
        // URL is what the scope check looks at, and a different declared id is a mismatch.
        let declared = node_id(&bc.doc).map(str::to_string);
        if let (Some(src), Some(d)) = (&bc_src, &declared) {
            if src != d {
                r.fail(
                    "badgeclass-id",
                    Code::IdMismatch,
                    format!("badge class fetched from {src} declares another id {d}"),
                    Some(src),
                );
            }
        }
        let bc_id = bc_src.or(declared);
        if bc_id.is_some() && matches!(badge, Value::String(_)) {
            r.pass(
                "fetch-badgeclass",
                "fetched the badge class",
                bc_id.as_deref(),
            );
        }
        schema(r, &bc, "badge class", bc_id.as_deref());
        let Some(issuer_v) = bc.doc.get("issuer").cloned() else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the badge class has no issuer",
                bc_id.as_deref(),
            );
            return None;
        };
        let (iss_raw, iss_src) = match node_id(&issuer_v) {
            Some(u) if is_http_url(u) => {
                let u = u.to_string();
                (
                    self.fetch_required(r, "fetch-issuer", &u, "issuer profile")?,
                    Some(u),
                )
            }
            _ if issuer_v.is_object() => (issuer_v.clone(), None),
            _ => {
                r.fail(
                    "schema",
                    Code::SchemaInvalid,
                    "badge class `issuer` is neither an http(s) IRI nor an object",
                    bc_id.as_deref(),
                );
                return None;
            }
        };
        let Some(iss) = normalize(&iss_raw, iss_src.as_deref(), Some(Class::Profile)) else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the issuer is not an open badges profile",
                iss_src.as_deref(),
            );
            return None;
        };
        if let Some(other) = iss.class.as_ref().filter(|c| **c != Class::Profile) {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                format!("the issuer is a {}, not a Profile", other.as_str()),
                iss_src.as_deref(),
            );
            return None;
        }
        let id = node_id(&iss.doc)
            .map(str::to_string)
            .or(iss_src.clone())
            .or_else(|| str_of(&iss.doc, "url").map(str::to_string))
            .unwrap_or_default();
        if iss_src.is_some() {
            r.pass("fetch-issuer", "fetched the issuer profile", Some(&id));
        }
        if let Some(src) = &iss_src {
            if node_id(&iss.doc) != Some(src.as_str()) {
                r.fail(
                    "issuer-id",
                    Code::IdMismatch,
                    format!("issuer profile fetched from {src} declares another id"),
                    Some(src),
                );
            }
        }
        schema(r, &iss, "issuer profile", Some(&id));
        Some((bc.doc, bc_id, IssuerInfo { doc: iss.doc, id }))
    }

    /// Hosted verification scope (OB 2.0 "Hosted verification"): the assertion URL must be
    /// allowed by the issuer's verification policy (`startsWith`, `allowedOrigins`, default: the
    /// issuer profile's host); the badge class must be on an allowed host too. Hosts are
    /// compared, not schemes: the same host under the other of http/https is `SCHEME_CHANGED`
    /// (a warning).
    fn scope(&self, r: &mut Report, url: &str, bc_id: Option<&str>, issuer: &IssuerInfo) {
        let policy = issuer.doc.get("verification");
        let starts: Vec<&str> = many(policy.and_then(|p| p.get("startsWith")))
            .into_iter()
            .filter_map(Value::as_str)
            .collect();
        let allowed: Vec<&str> = many(policy.and_then(|p| p.get("allowedOrigins")))
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

    // ---------------------------------------------------------------- signed

    fn signed(&self, r: &mut Report, jws: &Jws) {
        r.proof = Some("jws".into());
        if let Err(e) = Algorithm::from_jws_name(jws.alg()) {
            r.fail(
                "jws-algorithm",
                Code::AlgorithmNotAllowed,
                e.to_string(),
                None,
            );
            return;
        }
        r.pass(
            "jws-algorithm",
            format!("algorithm {} is allowed", jws.alg()),
            None,
        );
        let payload = match openbadges_model::parse_json(jws.payload(), &self.v.limits) {
            Ok(p) => p,
            Err(e) => {
                r.fail(
                    "jws-payload",
                    Code::MalformedJson,
                    format!("the JWS payload is not JSON: {e}"),
                    None,
                );
                return;
            }
        };
        let d = detect(&payload);
        if let Some(v @ (Version::V3_0 | Version::Clr2_0)) = d.version {
            self.unsupported_v3(r, v);
            return;
        }
        let Some(n) = normalize(&payload, None, Some(Class::Assertion)) else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the JWS payload is not an open badges assertion",
                None,
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
                None,
            );
        }
        let vt = n
            .doc
            .get("verification")
            .and_then(|v| str_of(v, "type"))
            .and_then(verification_type);
        if vt != Some(VerificationType::Signed) {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "a JWS-signed assertion must declare SignedBadge verification",
                node_id(&n.doc),
            );
        }
        self.assertion_checks(r, &n, Mode::Signed(jws));
    }
}

/// One key the signature was tried with.
struct KeyTry {
    id: String,
    /// The signature verified with it.
    verifies: bool,
    /// Why it could not be used, if it could not.
    problem: Option<(Code, String)>,
    /// Why it is not the issuer's, if it is not.
    not_owned: Option<String>,
}

impl Pipeline<'_, '_> {
    /// Key discovery, signature and key ownership for a signed assertion.
    fn signed_key_checks(&self, r: &mut Report, n: &Normalized, jws: &Jws, issuer: &IssuerInfo) {
        let node = node_id(&n.doc).map(str::to_string);
        let node = node.as_deref();
        let verification = n.doc.get("verification");
        let listed: Vec<String> = many(issuer.doc.get("publicKey"))
            .into_iter()
            .filter_map(node_id)
            .map(str::to_string)
            .collect();
        let mut tries: Vec<KeyTry> = Vec::new();
        if n.version == Version::V1_0 || n.version == Version::V1_1 {
            // OB 1.0 signed: `verify.url` names the public key (PEM), on the issuer's origin.
            let key_url = verification
                .and_then(|v| str_of(v, "url"))
                .map(str::to_string);
            let Some(key_url) = key_url else {
                r.fail(
                    "key-discovery",
                    Code::KeyNotFound,
                    "a signed 1.x assertion must name its public key in verify.url",
                    node,
                );
                return;
            };
            let issuer_origin = str_of(&issuer.doc, "url")
                .and_then(origin)
                .or_else(|| origin(&issuer.id));
            let not_owned = (origin(&key_url) != issuer_origin || issuer_origin.is_none())
                .then(|| format!("key {key_url} is not on the issuer's origin"));
            tries.push(self.try_key(jws, &key_url, None, not_owned));
        } else {
            let creator = verification
                .and_then(|v| v.get("creator"))
                .and_then(node_id)
                .map(str::to_string);
            let candidates: Vec<(String, Option<Value>)> = match &creator {
                Some(c) => vec![(c.clone(), None)],
                None => many(issuer.doc.get("publicKey"))
                    .into_iter()
                    .take(16)
                    .filter_map(|k| {
                        let id = node_id(k)?.to_string();
                        // An embedded key in the (fetched) issuer profile is listed by it.
                        let embedded =
                            (k.is_object() && k.get("publicKeyPem").is_some()).then(|| k.clone());
                        Some((id, embedded))
                    })
                    .collect(),
            };
            if candidates.is_empty() {
                r.fail(
                    "key-discovery",
                    Code::KeyNotFound,
                    "no verification.creator and the issuer lists no publicKey",
                    Some(&issuer.id),
                );
                return;
            }
            r.pass(
                "key-discovery",
                match &creator {
                    Some(c) => format!("key named by verification.creator: {c}"),
                    None => format!(
                        "no creator: trying the issuer's {} listed key(s)",
                        candidates.len()
                    ),
                },
                node,
            );
            for (kid, embedded) in candidates {
                let listed_by_issuer = listed.contains(&kid);
                let pre = (!listed_by_issuer).then(|| {
                    format!(
                        "the issuer profile {} does not list key {kid} in publicKey",
                        issuer.id
                    )
                });
                let mut t = self.try_key(jws, &kid, embedded, pre);
                if t.not_owned.is_none() && t.problem.is_none() {
                    t.not_owned = self.owner_mismatch(&kid, issuer);
                }
                tries.push(t);
            }
        }
        let good = tries.iter().find(|t| t.verifies && t.not_owned.is_none());
        if let Some(t) = good {
            r.pass(
                "jws-signature",
                format!("signature verifies with {}", t.id),
                Some(&t.id),
            );
            r.pass(
                "key-ownership",
                format!("key {} and issuer {} name each other", t.id, issuer.id),
                Some(&t.id),
            );
            return;
        }
        if let Some(t) = tries.iter().find(|t| t.verifies) {
            r.pass(
                "jws-signature",
                format!("signature verifies with {}", t.id),
                Some(&t.id),
            );
            let why = t.not_owned.clone().unwrap_or_default();
            r.fail("key-ownership", Code::KeyNotOwnedByIssuer, why, Some(&t.id));
            return;
        }
        let usable = tries.iter().filter(|t| t.problem.is_none()).count();
        if usable > 0 {
            r.fail(
                "jws-signature",
                Code::SignatureInvalid,
                "the signature does not verify with the issuer's key(s)",
                node,
            );
            return;
        }
        // No key could be used: report the most telling reason.
        let order = [
            Code::AlgorithmNotAllowed,
            Code::KeyInvalid,
            Code::FetchFailed,
        ];
        for code in order {
            if let Some(t) = tries
                .iter()
                .find(|t| t.problem.as_ref().is_some_and(|(c, _)| *c == code))
            {
                let msg = t
                    .problem
                    .as_ref()
                    .map(|(_, m)| m.clone())
                    .unwrap_or_default();
                r.fail("jws-signature", code, msg, Some(&t.id));
                return;
            }
        }
        r.fail("jws-signature", Code::KeyNotFound, "no usable key", node);
    }

    /// The key document's `owner` must be the issuer.
    fn owner_mismatch(&self, kid: &str, issuer: &IssuerInfo) -> Option<String> {
        match self.fetch(kid) {
            Fetch::Json(k) => {
                let owner = k.get("owner").and_then(node_id);
                (owner != Some(issuer.id.as_str())).then(|| {
                    format!(
                        "key {kid} is owned by {} and not by the issuer {}",
                        owner.unwrap_or("nobody"),
                        issuer.id
                    )
                })
            }
            _ => Some(format!("key {kid} could not be fetched to check its owner")),
        }
    }

    fn try_key(
        &self,
        jws: &Jws,
        kid: &str,
        embedded: Option<Value>,
        not_owned: Option<String>,
    ) -> KeyTry {
        let mut t = KeyTry {
            id: kid.to_string(),
            verifies: false,
            problem: None,
            not_owned,
        };
        let pem = match embedded.map(Fetch::Json).unwrap_or_else(|| self.fetch(kid)) {
            Fetch::Json(k) => match str_of(&k, "publicKeyPem") {
                Some(p) => p.to_string(),
                None => {
                    t.problem = Some((Code::KeyInvalid, format!("key {kid} has no publicKeyPem")));
                    return t;
                }
            },
            Fetch::Text(p) => p,
            Fetch::Gone => {
                t.problem = Some((Code::FetchFailed, format!("key {kid} is gone (410)")));
                return t;
            }
            Fetch::Failed(m) | Fetch::Malformed(m) => {
                t.problem = Some((Code::FetchFailed, format!("cannot fetch key {kid}: {m}")));
                return t;
            }
        };
        let key = match PublicKey::from_pem(&pem) {
            Ok(k) => k,
            Err(e) => {
                t.problem = Some((Code::KeyInvalid, format!("key {kid}: {e}")));
                return t;
            }
        };
        match jws.verify(&key) {
            Ok(()) => t.verifies = true,
            Err(crate::Error::AlgorithmNotAllowed(m)) => {
                t.problem = Some((Code::AlgorithmNotAllowed, format!("key {kid}: {m}")));
            }
            Err(_) => {}
        }
        t
    }

    fn revocation(&self, r: &mut Report, n: &Normalized, issuer: &IssuerInfo) {
        let node = node_id(&n.doc).map(str::to_string);
        let node = node.as_deref();
        let Some(list_url) = issuer
            .doc
            .get("revocationList")
            .and_then(node_id)
            .map(str::to_string)
        else {
            r.skip(
                "not-revoked",
                "the issuer publishes no revocation list",
                Some(&issuer.id),
            );
            return;
        };
        let list = match issuer.doc.get("revocationList") {
            Some(v @ Value::Object(o)) if o.contains_key("revokedAssertions") => v.clone(),
            _ => match self.fetch(&list_url) {
                Fetch::Json(v) => v,
                Fetch::Gone | Fetch::Failed(_) | Fetch::Malformed(_) | Fetch::Text(_) => {
                    r.fail(
                        "not-revoked",
                        Code::FetchFailed,
                        format!("cannot fetch the revocation list {list_url}"),
                        Some(&list_url),
                    );
                    return;
                }
            },
        };
        let rl = RevocationList::from_value(&as_v2_view(&list));
        let uid = str_of(&n.doc, "uid");
        match rl.find(node, uid) {
            Some(reason) => r.fail(
                "not-revoked",
                Code::Revoked,
                format!(
                    "listed in the issuer's revocation list: {}",
                    reason.unwrap_or("no reason given")
                ),
                node,
            ),
            None => r.pass(
                "not-revoked",
                format!("not in the revocation list ({} entries)", rl.entries.len()),
                Some(&list_url),
            ),
        }
    }

    // ---------------------------------------------------------------- endorsements

    fn endorsements(&self, r: &mut Report, found: &[(String, Value)]) {
        if found.is_empty() {
            return;
        }
        if self.v.max_endorsements == 0 {
            r.skip("endorsements", "endorsement checks are disabled", None);
            return;
        }
        let mut failed = 0usize;
        for (endorsed, e) in found.iter().take(self.v.max_endorsements) {
            let name = node_id(e).unwrap_or("embedded endorsement").to_string();
            let mut sub = Report::new(name.clone());
            sub.proof = Some("hosted".into());
            match node_id(e) {
                Some(u) if is_http_url(u) => self.endorsement_hosted(&mut sub, u, endorsed),
                _ => sub.fail(
                    "fetch-endorsement",
                    Code::Unsupported,
                    "only hosted endorsements with an http(s) id can be verified",
                    None,
                ),
            }
            if sub.status() != crate::report::Status::Valid {
                failed += 1;
                r.warning(
                    Code::EndorsementNotVerified,
                    format!(
                        "endorsement {name} of {endorsed} is {}",
                        sub.status().as_str()
                    ),
                    Some(&name),
                );
            }
            r.endorsements.push(sub);
        }
        let total = found.len().min(self.v.max_endorsements);
        if failed == 0 {
            r.pass(
                "endorsements",
                format!("{total} endorsement(s) verified"),
                None,
            );
        } else {
            r.check(
                "endorsements",
                crate::report::CheckStatus::Warning,
                format!("{failed} of {total} endorsement(s) did not verify"),
                None,
            );
        }
    }

    fn endorsement_hosted(&self, r: &mut Report, url: &str, endorsed: &str) {
        let Some(doc) = self.fetch_required(r, "fetch-endorsement", url, "endorsement") else {
            return;
        };
        r.pass(
            "fetch-endorsement",
            "fetched the hosted endorsement",
            Some(url),
        );
        if doc.get("revoked") == Some(&Value::Bool(true)) {
            r.fail(
                "not-revoked",
                Code::Revoked,
                "the endorser marks this endorsement revoked",
                Some(url),
            );
            return;
        }
        let Some(n) = normalize(&doc, Some(url), Some(Class::Endorsement)) else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "not an open badges endorsement",
                Some(url),
            );
            return;
        };
        r.version = Some(n.version.as_str().to_string());
        if node_id(&n.doc) != Some(url) {
            r.fail(
                "assertion-id",
                Code::IdMismatch,
                format!("fetched from {url} but declares another id"),
                Some(url),
            );
            return;
        }
        schema(r, &n, "endorsement", Some(url));
        let claim = n.doc.get("claim").and_then(node_id);
        if claim == Some(endorsed) {
            r.pass(
                "endorsement-claim",
                format!("the claim is about {endorsed}"),
                Some(url),
            );
        } else {
            r.fail(
                "endorsement-claim",
                Code::SchemaInvalid,
                format!(
                    "the claim is about {} and not {endorsed}",
                    claim.unwrap_or("nothing")
                ),
                Some(url),
            );
        }
        self.timestamps(r, &n.doc, Some(url));
        let Some(iss_url) = n
            .doc
            .get("issuer")
            .and_then(node_id)
            .filter(|u| is_http_url(u))
            .map(str::to_string)
        else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the endorsement's issuer is not an http(s) IRI",
                Some(url),
            );
            return;
        };
        let Some(iss_raw) = self.fetch_required(r, "fetch-issuer", &iss_url, "endorser profile")
        else {
            return;
        };
        let Some(iss) = normalize(&iss_raw, Some(&iss_url), Some(Class::Profile)) else {
            r.fail(
                "schema",
                Code::SchemaInvalid,
                "the endorser is not an open badges profile",
                Some(&iss_url),
            );
            return;
        };
        schema(r, &iss, "endorser profile", Some(&iss_url));
        let info = IssuerInfo {
            doc: iss.doc,
            id: iss_url,
        };
        self.scope(r, url, None, &info);
    }
}
