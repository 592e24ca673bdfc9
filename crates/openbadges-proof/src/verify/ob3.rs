//! The OB 3.0 / CLR 2.0 pipeline: structure, proof (Data Integrity or VC-JWT), validity
//! dates, credential status, refresh service, recipient, endorsements and CLR contents.
//!
//! This module holds the pipeline's context and entry points, and the credential checks in the
//! order they run ([`Pipeline::credential`]); the steps that need more than a few lines live one
//! idea per module:
//!
//! - `proof`: the proof: a VC-JWT (header, claims, key resolution, signature) or Data Integrity;
//! - `status`: `credentialStatus`: BitstringStatusList and 1EdTechRevocationList entries;
//! - `recipient`: matching `credentialSubject` identities against the identities the caller gave;
//! - `nested`: credentials inside a credential: endorsements and CLR contents, each verified
//!   into a report of its own.

use openbadges_model::member::Members;
use serde_json::Value;

use openbadges_model::detect::Version;
use openbadges_model::{Severity, detect};

use super::{Verifier, credential_schema, verdict};
use crate::data_integrity::DiCode;
use crate::jws::Jws;
use crate::report::{Code, Report};
use crate::vc_jwt::{VcJwt, parse_datetime};

mod nested;
mod proof;
mod recipient;
mod status;

/// How deep endorsements, CLR contents and status list credentials may nest.
const MAX_DEPTH: usize = 3;

/// Whether `doc` is an OB 3.0 / CLR 2.0 document (or a plain VC).
pub(super) fn is_ob3(doc: &Value) -> bool {
    let d = detect(doc);
    matches!(d.version, Some(Version::V3_0 | Version::Clr2_0))
        || matches!(d.class, Some(openbadges_model::Class::VerifiableCredential))
}

/// Controller documents (DID documents, https controllers) through the verifier's loader,
/// parsed within its limits.
pub(super) use crate::data_integrity::LoaderDocuments as Docs;

#[derive(Clone, Copy)]
pub(super) struct Ctx {
    pub(super) depth: usize,
    /// Check status lists (off for a status list credential itself).
    pub(super) status: bool,
    /// Check the recipient (only for the top-level credential, or a presentation's).
    pub(super) recipient: bool,
    /// The credential sits in a CLR whose own proof covers it: no proof of its own is not
    /// `NO_PROOF` (a proof it does carry is still checked).
    pub(super) container_proof: bool,
}

pub(super) struct Pipeline<'v, 'a> {
    pub(super) v: &'v Verifier<'a>,
}

pub(super) fn di_code(c: DiCode, invalid: bool) -> Code {
    if !invalid {
        return match c {
            DiCode::VerificationMethodUnresolved => Code::FetchFailed,
            DiCode::NoProof => Code::NoProof,
            _ => Code::Unsupported,
        };
    }
    match c {
        DiCode::KeyNotOwnedByIssuer => Code::KeyNotOwnedByIssuer,
        DiCode::KeyNotAuthorized | DiCode::KeyNotListedByIssuer => Code::KeyNotListedByIssuer,
        DiCode::VerificationMethodInvalid => Code::KeyInvalid,
        DiCode::JsonLdSafeMode | DiCode::JsonLdInvalid => Code::SchemaInvalid,
        _ => Code::SignatureInvalid,
    }
}

/// The values of a one-or-many property, read in place (no list is built): none for a missing
/// or `null` property, an array's entries, or the one value.
pub(super) fn as_list(v: Option<&Value>) -> &[Value] {
    match v {
        None | Some(Value::Null) => &[],
        Some(Value::Array(a)) => a,
        Some(v) => std::slice::from_ref(v),
    }
}

impl<'v, 'a> Pipeline<'v, 'a> {
    pub(super) fn new(v: &'v Verifier<'a>) -> Self {
        Pipeline { v }
    }

    const TOP: Ctx = Ctx {
        depth: 0,
        status: true,
        recipient: true,
        container_proof: false,
    };

    pub(super) fn json(&self, r: &mut Report, doc: &Value) {
        if verdict::not_an_open_badge(r, doc) {
            r.version = Some("vc".into());
            return;
        }
        self.json_ctx(r, doc, Self::TOP);
    }

    pub(super) fn jwt(&self, r: &mut Report, jws: Jws) {
        // Read once (no copy of the token and its parsed payload): the same reading answers
        // "is it an open badge?" and goes on to the checks.
        let read = VcJwt::from_jws(jws);
        if let Ok(jwt) = &read {
            if verdict::not_an_open_badge(r, jwt.credential()) {
                r.version = Some("vc".into());
                r.proof = Some("vc-jwt".into());
                return;
            }
        }
        self.jwt_read(r, read, Self::TOP);
    }

    fn json_ctx(&self, r: &mut Report, doc: &Value, ctx: Ctx) {
        if ctx.container_proof && !verdict::has_embedded_proof(doc) {
            let node = doc.member("id").and_then(Value::as_str);
            r.proof = None;
            r.warning(
                Code::NoProof,
                "no proof of its own; the containing CLR's proof covers it",
                node,
            );
            r.skip("proof", "covered by the containing CLR's proof", node);
        } else {
            self.proof_di(r, doc);
        }
        self.credential(r, doc, ctx);
    }

    /// Everything but the proof.
    fn credential(&self, r: &mut Report, doc: &Value, ctx: Ctx) {
        let d = detect(doc);
        r.version = d
            .version
            .map(|v| v.as_str().to_string())
            .or(Some("vc".into()));
        let node = doc.member("id").and_then(Value::as_str);
        // Structure.
        let problems = openbadges_model::ob3::validate(doc, d.class.as_ref());
        let errors = report_structure(r, &problems, node);
        if errors == 0 {
            r.pass("schema", "the credential fits the OB 3.0 data model", node);
        } else {
            r.check(
                "schema",
                crate::report::CheckStatus::Failed,
                format!("{errors} structural error(s)"),
                node,
            );
        }
        credential_schema::check(self.v.schemas, r, doc, node);
        self.timestamps(r, doc, node);
        if ctx.status {
            self.status(r, doc, node, ctx);
        }
        if let Some(rs) = doc.member("refreshService") {
            let id = rs.member("id").and_then(Value::as_str).unwrap_or("?");
            r.warning(
                Code::RefreshNotFollowed,
                format!("refresh service {id} was not followed"),
                node,
            );
            r.skip("refresh", "refresh service not followed", node);
        }
        if ctx.recipient {
            self.recipient(r, doc, node);
        }
        if ctx.depth < MAX_DEPTH {
            self.endorsements(r, doc, ctx);
            self.clr(r, doc, ctx);
        }
    }

    fn timestamps(&self, r: &mut Report, doc: &Value, node: Option<&str>) {
        let now = self.v.clock.now();
        let get = |names: [&'static str; 2]| {
            names
                .iter()
                .find_map(|n| doc.member(n).and_then(Value::as_str).map(|s| (*n, s)))
        };
        let mut ok = true;
        if let Some((name, s)) = get(["validFrom", "issuanceDate"]) {
            if let Some(t) = parse_datetime(s) {
                if t > now {
                    ok = false;
                    r.fail(
                        "timestamps",
                        Code::NotYetValid,
                        format!("{name} {s} is in the future"),
                        node,
                    );
                }
            }
        }
        if let Some((name, s)) = get(["validUntil", "expirationDate"]) {
            if let Some(t) = parse_datetime(s) {
                if t < now {
                    ok = false;
                    r.fail(
                        "timestamps",
                        Code::Expired,
                        format!("expired: {name} {s}"),
                        node,
                    );
                }
            }
        }
        if ok {
            r.pass("timestamps", "within its validity period", node);
        }
    }
}

/// Reports the model's structural problems as `SCHEMA_INVALID` errors and warnings on `r`;
/// returns how many are errors.
pub(super) fn report_structure(
    r: &mut Report,
    problems: &[openbadges_model::Problem],
    node: Option<&str>,
) -> usize {
    let mut errors = 0;
    for p in problems {
        let m = format!(
            "{} at {}: {}",
            p.code.as_str(),
            if p.path.is_empty() { "/" } else { &p.path },
            p.message
        );
        match p.severity {
            Severity::Error => {
                errors += 1;
                r.error(Code::SchemaInvalid, m, node);
            }
            _ => r.warning(Code::SchemaInvalid, m, node),
        }
    }
    errors
}
