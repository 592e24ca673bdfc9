//! Signed (JWS) assertions: the payload read as an assertion, then key discovery
//! (`verification.creator`, the issuer's `publicKey` list, or the 1.x `verify.url`), the
//! signature, and key ownership (the key and the issuer name each other).

use openbadges_model::detect;
use openbadges_model::detect::{Class, Version};
use openbadges_model::member::Members;
use openbadges_model::ob2::{VerificationType, verification_type};
use serde_json::Value;

use super::fetch::Fetch;
use super::hosted::origin;
use super::{IssuerInfo, Mode, Normalized, Pipeline, many, node_id, normalize_detected, str_of};
use crate::jws::Jws;
use crate::key::Algorithm;
use crate::report::{Code, Report};

impl Pipeline<'_, '_> {
    pub(super) fn signed(&self, r: &mut Report, mut jws: Jws) {
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
        // The payload as JSON: taken from the reading that told it from a VC-JWT, if that
        // reading was within our limits (the defaults); else read here within ours.
        let cached = (self.v.limits == openbadges_model::Limits::default())
            .then(|| jws.take_payload_json())
            .flatten();
        let parsed = match cached {
            Some(p) => Ok(p),
            None => openbadges_model::parse_json(jws.payload(), &self.v.limits),
        };
        let payload = match parsed {
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
        let Some(n) = normalize_detected(payload, d, None, Some(Class::Assertion), true) else {
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
            .member("verification")
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
        self.assertion_checks(r, &n, Mode::Signed(&jws));
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
    pub(super) fn signed_key_checks(
        &self,
        r: &mut Report,
        n: &Normalized,
        jws: &Jws,
        issuer: &IssuerInfo,
    ) {
        let node = node_id(&n.doc).map(str::to_string);
        let node = node.as_deref();
        let Some(tries) = self.try_keys(r, n, jws, issuer, node) else {
            return;
        };
        report_key_tries(r, &tries, issuer, node);
    }

    /// Key discovery: the signature tried with each key the assertion or its issuer names (the
    /// 1.x `verify.url`; else `verification.creator`; else the issuer's `publicKey` list), with
    /// what stands against each key's ownership. `None` when there is no key to try (recorded
    /// on `r`).
    fn try_keys(
        &self,
        r: &mut Report,
        n: &Normalized,
        jws: &Jws,
        issuer: &IssuerInfo,
        node: Option<&str>,
    ) -> Option<Vec<KeyTry>> {
        let verification = n.doc.member("verification");
        let listed: Vec<String> = many(issuer.doc.member("publicKey"))
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
                return None;
            };
            let issuer_origin = str_of(&issuer.doc, "url")
                .and_then(origin)
                .or_else(|| origin(&issuer.id));
            let not_owned = (origin(&key_url) != issuer_origin || issuer_origin.is_none())
                .then(|| format!("key {key_url} is not on the issuer's origin"));
            tries.push(self.try_key(jws, &key_url, None, not_owned));
        } else {
            let creator = verification
                .and_then(|v| v.member("creator"))
                .and_then(node_id)
                .map(str::to_string);
            let candidates: Vec<(String, Option<&Value>)> = match &creator {
                Some(c) => vec![(c.clone(), None)],
                None => many(issuer.doc.member("publicKey"))
                    .into_iter()
                    .take(16)
                    .filter_map(|k| {
                        let id = node_id(k)?.to_string();
                        // An embedded key in the (fetched) issuer profile is listed by it.
                        let embedded =
                            (k.is_object() && k.member("publicKeyPem").is_some()).then_some(k);
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
                return None;
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
        Some(tries)
    }

    /// The key document's `owner` must be the issuer.
    fn owner_mismatch(&self, kid: &str, issuer: &IssuerInfo) -> Option<String> {
        match &self.fetch_shared(kid).fetched {
            Fetch::Json(k) => {
                let owner = k.member("owner").and_then(node_id);
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
        embedded: Option<&Value>,
        not_owned: Option<String>,
    ) -> KeyTry {
        let mut t = KeyTry {
            id: kid.to_string(),
            verifies: false,
            problem: None,
            not_owned,
        };
        let (shared, in_issuer);
        let found = match embedded {
            Some(k) => {
                in_issuer = Fetch::Json(k.clone());
                &in_issuer
            }
            None => {
                shared = self.fetch_shared(kid);
                &shared.fetched
            }
        };
        let pem = match found {
            Fetch::Json(k) => match str_of(k, "publicKeyPem") {
                Some(p) => p,
                None => {
                    t.problem = Some((Code::KeyInvalid, format!("key {kid} has no publicKeyPem")));
                    return t;
                }
            },
            Fetch::Text(p) => p.as_str(),
            Fetch::Gone => {
                t.problem = Some((Code::FetchFailed, format!("key {kid} is gone (410)")));
                return t;
            }
            Fetch::Failed(m) | Fetch::Malformed(m) => {
                t.problem = Some((Code::FetchFailed, format!("cannot fetch key {kid}: {m}")));
                return t;
            }
        };
        let key = match crate::key::cache::public_key_from_pem(pem) {
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
}

/// Signature and key ownership, from the keys tried: passed when a key the issuer owns
/// verifies; `KEY_NOT_OWNED_BY_ISSUER` when only a key it does not own does; otherwise the
/// most telling reason no key verified.
fn report_key_tries(r: &mut Report, tries: &[KeyTry], issuer: &IssuerInfo, node: Option<&str>) {
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
