//! The OB 0.5–2.0 pipeline: hosted and signed assertions, and endorsements.
//!
//! This module reads what the input is (a JSON document, a URL, a compact JWS), brings each
//! document into the 2.0 model ([`normalize`]) and runs the checks every assertion gets
//! ([`Pipeline::assertion_checks`]); the steps live one idea per module:
//!
//! - `fetch`: fetching a document (JSON, or text for PEM keys and JWS bodies);
//! - `hosted`: hosted verification, and the issuer's verification scope;
//! - `issuer`: loading the badge class and issuer profile an assertion names;
//! - `recipient`: matching the recipient against the identities the caller gave;
//! - `signed`: signed (JWS) assertions: key discovery, signature and key ownership;
//! - `revocation`: the issuer's revocation list;
//! - `endorsement`: endorsements of the assertion, badge class and issuer;
//! - `ld`: documents read as JSON-LD.

use openbadges_model::detect::{Class, Detection, Version};
use openbadges_model::member::Members;
use openbadges_model::ob2::terms::in_v2_terms;
use openbadges_model::ob2::{VerificationType, verification_type};
use openbadges_model::value::parse_datetime;
use openbadges_model::{Problem, detect, legacy};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use super::Verifier;
use crate::input::{Payload, is_http_url};
use crate::jws::Jws;
use crate::report::{Code, Report};

mod endorsement;
mod fetch;
mod hosted;
mod issuer;
mod ld;
mod recipient;
mod revocation;
mod shared;
mod signed;

/// A document in the 2.0 model. The document is shared: a badge class or issuer profile read
/// once is reused by every badge naming it (see `shared`).
#[derive(Clone)]
struct Normalized {
    version: Version,
    class: Option<Class>,
    doc: Arc<Value>,
    problems: Vec<Problem>,
    /// Whether the id of `doc`'s `issuer` is an http(s) URL ([`is_http_url`]), worked out on
    /// first use and shared by the clones, like `doc` (which never changes): a badge class read
    /// once answers it once for every badge naming it (URL parsing was ~7 k instructions per
    /// verification).
    issuer_is_http: Arc<OnceLock<bool>>,
}

impl Normalized {
    fn new(version: Version, class: Option<Class>, doc: Value, problems: Vec<Problem>) -> Self {
        Normalized {
            version,
            class,
            doc: Arc::new(doc),
            problems,
            issuer_is_http: Arc::default(),
        }
    }

    /// The id of the document's `issuer` (an IRI, or an object's `id`) when it is an http(s)
    /// URL.
    fn issuer_http_id(&self) -> Option<&str> {
        let id = node_id(self.doc.member("issuer")?)?;
        self.issuer_is_http
            .get_or_init(|| is_http_url(id))
            .then_some(id)
    }
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// The id of a node given as an IRI or as an object with `id`.
fn node_id(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        Value::Object(o) => o.member("id").and_then(Value::as_str),
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

/// `doc` as the model reads it: JSON-LD documents that need expansion are mapped to the v2 terms
/// ([`ld::read_as_v2_detected`]); in 2.0 documents, the v2 context's aliases are read as their v2 terms
/// ([`in_v2_terms`]; legacy documents get the same through `legacy::upgrade_from`). A view for
/// reading only: signatures are checked on the bytes received.
fn as_v2_view(doc: Value) -> Value {
    let d = detect(&doc);
    as_v2_view_detected(doc, d).0
}

/// [`as_v2_view`] of `doc` whose detection `d` is known, with the view's detection: `d` itself
/// when the view is `doc` unchanged (detecting the same value again gives the same answer; a
/// signed assertion was detected four times, ~6 k instructions).
fn as_v2_view_detected(doc: Value, d: Detection) -> (Value, Detection) {
    if let Some(v) = ld::read_as_v2_detected(&doc, &d) {
        let dv = detect(&v);
        return (v, dv);
    }
    if d.version == Some(Version::V2_0) {
        if let Cow::Owned(renamed) = in_v2_terms(&doc) {
            let dr = detect(&renamed);
            return (renamed, dr);
        }
    }
    (doc, d)
}

fn normalize(doc: Value, source: Option<&str>, hint: Option<Class>) -> Option<Normalized> {
    normalize_with(doc, source, hint, true)
}

/// [`normalize`]; with `validate` false, the model's validation is left out (`problems` then
/// holds only what upgrading a legacy document found): for a copy that is only read to find
/// the real document (the hosted copy is fetched and validated).
fn normalize_with(
    doc: Value,
    source: Option<&str>,
    hint: Option<Class>,
    validate: bool,
) -> Option<Normalized> {
    let d = detect(&doc);
    normalize_detected(doc, d, source, hint, validate)
}

/// [`normalize_with`] of `doc` whose detection `d` is known.
fn normalize_detected(
    doc: Value,
    d: Detection,
    source: Option<&str>,
    hint: Option<Class>,
    validate: bool,
) -> Option<Normalized> {
    let (view, d) = as_v2_view_detected(doc, d);
    let doc = &view;
    let version = d.version?;
    let is_assertion = hint == Some(Class::Assertion);
    let class = d.class.or(hint);
    match version {
        Version::V0_5 | Version::V1_0 | Version::V1_1 => {
            let (up, mut problems) = legacy::upgrade_from(doc, version, class.as_ref(), source);
            let up = in_v2_terms(&up).into_owned();
            let class = detect(&up).class.or(class);
            if validate {
                problems.extend(legacy::validate_upgraded(&up, version, class.as_ref()));
            }
            Some(Normalized::new(version, class, up, problems))
        }
        Version::V2_0 => {
            let mut doc = view;
            if let (Some(src), Value::Object(o)) = (source, &mut doc) {
                if !o.has_member("id") && !is_assertion {
                    o.insert("id".into(), src.into());
                }
            }
            let problems = if validate {
                openbadges_model::ob2::validate(&doc, class.as_ref())
            } else {
                Vec::new()
            };
            Some(Normalized::new(version, class, doc, problems))
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
    doc: Arc<Value>,
    id: String,
}

impl Pipeline<'_, '_> {
    pub(super) fn payload(&self, r: &mut Report, payload: Payload) {
        match payload {
            Payload::Url(u) => self.hosted(r, &u, 0),
            Payload::Jws(j) => self.signed(r, j),
            Payload::Json(doc) => self.json(r, doc),
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

    fn json(&self, r: &mut Report, doc: Value) {
        let view = as_v2_view(doc);
        let doc = &view;
        let d = detect(doc);
        match d.version {
            None => {
                // Pre-specification documents (and bakers) that only say where the hosted
                // assertion lives: the hosted copy is the truth, so verify that.
                let verify = doc.member("verify").or_else(|| doc.member("verification"));
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
                // Only read to decide where the assertion is (its problems are not reported:
                // the hosted copy it names is fetched and validated).
                let Some(n) = normalize_with(view, None, Some(Class::Assertion), false) else {
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
                if n.doc.member("revoked") == Some(&Value::Bool(true)) {
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
                    .member("verification")
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
        if n.doc.member("revoked") == Some(&Value::Bool(true)) {
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
            for e in many(holder.member("endorsement")) {
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
}
