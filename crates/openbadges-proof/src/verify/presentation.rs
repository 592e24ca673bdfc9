//! VerifiablePresentations (VC Data Model 2.0, as Open Badges 3.0 uses them to present
//! credentials): the presentation's own Data Integrity proof (`authentication`, by a key its
//! `holder` controls, with the verifier's expected `challenge` / `domain`), then every embedded
//! credential through the OB 3.0 pipeline, each with its own report in
//! [`Report::credentials`]. The presentation is valid only when its proof and every credential
//! are; an unsigned presentation gets the warning `PRESENTATION_UNSIGNED` (its credentials still
//! decide), unless a challenge or domain was required.

use openbadges_model::member::Members;
use serde_json::Value;

use openbadges_model::{Class, detect};

use super::ob3::{Ctx, Docs, Pipeline, as_list, di_code, report_structure};
use crate::data_integrity::{DiCode, VerifyOptions};
use crate::jws::Jws;
use crate::report::{Code, Report, Status};

/// Whether `doc` is a VerifiablePresentation (and not a credential).
pub(super) fn is_presentation(doc: &Value) -> bool {
    detect(doc).class == Some(Class::VerifiablePresentation)
}

/// Whether a compact JWS is a VP-JWT (a `vp` claim, or a payload typed
/// `VerifiablePresentation`).
pub(super) fn is_presentation_jwt(jws: &Jws) -> bool {
    let Some(p) = jws.payload_json() else {
        return false;
    };
    p.member("vp").is_some_and(Value::is_object) || is_presentation(p)
}

/// Report codes of a presentation's proof: the presentation-specific findings keep their own
/// codes, the rest map as for credentials.
fn presentation_code(c: DiCode, invalid: bool) -> Code {
    match c {
        DiCode::ProofPurposeMismatch => Code::ProofPurposeMismatch,
        DiCode::KeyNotControlledByHolder => Code::KeyNotControlledByHolder,
        DiCode::ChallengeMismatch => Code::ChallengeMismatch,
        DiCode::DomainMismatch => Code::DomainMismatch,
        other => di_code(other, invalid),
    }
}

/// Verifies the presentation `doc` into `r`.
pub(super) fn verify(p: &Pipeline<'_, '_>, r: &mut Report, doc: &Value) {
    r.version = Some("vp".into());
    let node = doc.member("id").and_then(Value::as_str);
    structure(r, doc, node);
    proof(p, r, doc, node);
    credentials(p, r, doc);
}

/// The presentation's own structure (its credentials are checked one by one afterwards, so
/// they are left out here and not reported twice).
fn structure(r: &mut Report, doc: &Value, node: Option<&str>) {
    let mut shell = doc.clone();
    let mut bad_items = 0;
    if let Some(o) = shell.as_object_mut() {
        if let Some(v) = o.remove("verifiableCredential") {
            bad_items = as_list(Some(&v))
                .iter()
                .filter(|c| !(c.is_object() || c.is_string()))
                .count();
        }
    }
    let mut errors = report_structure(r, &openbadges_model::ob3::validate(&shell, None), node);
    if bad_items > 0 {
        errors += bad_items;
        r.error(
            Code::SchemaInvalid,
            format!(
                "{bad_items} verifiableCredential item(s) are neither a credential object nor a VC-JWT"
            ),
            node,
        );
    }
    if errors == 0 {
        r.pass(
            "schema",
            "the presentation fits the VC Data Model 2.0",
            node,
        );
    } else {
        r.check(
            "schema",
            crate::report::CheckStatus::Failed,
            format!("{errors} structural error(s)"),
            node,
        );
    }
}

fn proof(p: &Pipeline<'_, '_>, r: &mut Report, doc: &Value, node: Option<&str>) {
    let v = p.v;
    let has_proof = !matches!(doc.member("proof"), None | Some(Value::Null))
        && !matches!(doc.member("proof"), Some(Value::Array(a)) if a.is_empty());
    if !has_proof {
        r.proof = None;
        if let Some(c) = &v.challenge {
            r.fail(
                "presentation-proof",
                Code::ChallengeMismatch,
                format!("the presentation is unsigned, but challenge {c:?} was required"),
                node,
            );
        }
        if let Some(d) = &v.domain {
            r.fail(
                "presentation-proof",
                Code::DomainMismatch,
                format!("the presentation is unsigned, but domain {d:?} was required"),
                node,
            );
        }
        if v.challenge.is_none() && v.domain.is_none() {
            r.warning(
                Code::PresentationUnsigned,
                "the presentation has no proof: nothing shows who presents these credentials",
                node,
            );
            r.skip("presentation-proof", "unsigned presentation", node);
        }
        return;
    }
    let docs = Docs {
        loader: v.loader,
        limits: v.limits,
    };
    let opts = VerifyOptions {
        documents: Some(&docs),
        context_cache: Some(&v.contexts),
        proof_purpose: "authentication",
        challenge: v.challenge.as_deref(),
        domain: v.domain.as_deref(),
        dangerous_trust_key_in_https_fragment: v.key_policy.dangerous_trust_key_in_https_fragment,
        ..VerifyOptions::default()
    };
    p.proof_di_with(r, doc, &opts, "presentation-proof", presentation_code);
}

fn credentials(p: &Pipeline<'_, '_>, r: &mut Report, doc: &Value) {
    let items = as_list(doc.member("verifiableCredential"));
    let ctx = Ctx {
        depth: 1,
        status: true,
        recipient: true,
        container_proof: false,
    };
    let (mut invalid, mut unchecked) = (Vec::new(), Vec::new());
    for (i, c) in items.iter().enumerate() {
        let name = c
            .member("id")
            .and_then(Value::as_str)
            .filter(|id| !id.starts_with("data:"))
            .map_or_else(|| format!("verifiableCredential[{i}]"), str::to_owned);
        let sub = p.embedded(name.clone(), c, ctx);
        match sub.status() {
            Status::Valid => {}
            Status::Invalid => invalid.push(name),
            Status::Indeterminate => unchecked.push(name),
        }
        r.credentials.push(sub);
    }
    let n = items.len();
    if !invalid.is_empty() {
        r.fail(
            "presentation-credentials",
            Code::CredentialInvalid,
            format!(
                "{} of {n} credential(s) invalid: {}",
                invalid.len(),
                invalid.join(", ")
            ),
            None,
        );
    }
    if !unchecked.is_empty() {
        r.fail(
            "presentation-credentials",
            Code::CredentialUnchecked,
            format!(
                "{} of {n} credential(s) could not be checked: {}",
                unchecked.len(),
                unchecked.join(", ")
            ),
            None,
        );
    }
    if invalid.is_empty() && unchecked.is_empty() {
        r.pass(
            "presentation-credentials",
            format!("{n} credential(s) valid"),
            None,
        );
    }
}
