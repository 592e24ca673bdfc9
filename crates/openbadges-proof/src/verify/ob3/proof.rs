//! The proof of an OB 3.0 / CLR 2.0 credential: a VC-JWT (header, claims against the
//! credential, key resolution and signature) or an embedded Data Integrity proof.

use openbadges_model::member::Members;
use serde_json::Value;

use super::{Ctx, Docs, Pipeline, di_code};
use crate::data_integrity::{self, DiCode, Outcome, VerifyOptions};
use crate::jws::Jws;
use crate::report::{Code, Report};
use crate::vc_jwt::{self, KeyResolution, VcJwt};

impl Pipeline<'_, '_> {
    pub(super) fn jwt_ctx(&self, r: &mut Report, jws: Jws, ctx: Ctx) {
        self.jwt_read(r, VcJwt::from_jws(jws), ctx);
    }

    /// [`Pipeline::jwt_ctx`] of a token already read as a VC-JWT (or not).
    pub(super) fn jwt_read(
        &self,
        r: &mut Report,
        read: Result<VcJwt, vc_jwt::VcJwtError>,
        ctx: Ctx,
    ) {
        r.proof = Some("vc-jwt".into());
        let jwt = match read {
            Ok(j) => j,
            Err(e) => {
                let code = match e {
                    vc_jwt::VcJwtError::Jws(_) => Code::MalformedJws,
                    vc_jwt::VcJwtError::Payload(_) => Code::SchemaInvalid,
                    _ => Code::ClaimMismatch,
                };
                r.fail("jwt-header", code, e.to_string(), None);
                return;
            }
        };
        r.pass("jwt-header", "JOSE header has only alg/kid/jwk/typ", None);
        let cred = jwt.credential();
        let node = cred.member("id").and_then(Value::as_str);
        let problems = jwt.claim_problems();
        if problems.is_empty() {
            r.pass(
                "jwt-claims",
                "iss, sub, jti, nbf, exp agree with the credential",
                node,
            );
        } else {
            r.fail("jwt-claims", Code::ClaimMismatch, problems.join("; "), node);
        }
        if cred.member("proof").is_some() {
            r.warning(
                Code::ProofWarning,
                "the VC-JWT payload also carries an embedded proof; only the JWS is checked",
                node,
            );
        }
        match vc_jwt::resolve_key(&jwt, self.v.loader, &self.v.key_policy) {
            KeyResolution::Bound { keys, binding } => {
                if binding == vc_jwt::KeyBinding::DangerousUnboundHeaderJwk {
                    r.warning(Code::KeyNotBound, "DANGEROUS: the header jwk is not bound to the issuer and was accepted anyway", node);
                }
                r.pass("key-binding", format!("key bound by {binding}"), node);
                self.jwt_signature(r, &jwt, &keys, node);
            }
            KeyResolution::NotBound { header_key, reason } => {
                // The signature is still checked: a forged token is invalid, not indeterminate.
                if let Some(k) = header_key {
                    if self.jwt_signature(r, &jwt, std::slice::from_ref(&k), node) {
                        r.fail("key-binding", Code::KeyNotBound, format!("the signature verifies with the header jwk, but that key is not bound to the issuer: {reason}"), node);
                    }
                } else {
                    r.fail("key-binding", Code::KeyNotBound, reason, node);
                }
            }
            KeyResolution::Invalid { not_owned, reason } => {
                let code = if not_owned {
                    Code::KeyNotOwnedByIssuer
                } else {
                    Code::KeyInvalid
                };
                r.fail("key-binding", code, reason, node);
            }
            KeyResolution::NotListed { reason } => {
                r.fail("key-binding", Code::KeyNotListedByIssuer, reason, node);
            }
            KeyResolution::Unresolved { reason } => {
                r.fail("key-binding", Code::FetchFailed, reason, node);
            }
        }
        self.credential(r, cred, ctx);
    }

    fn jwt_signature(
        &self,
        r: &mut Report,
        jwt: &VcJwt,
        keys: &[crate::key::PublicKey],
        node: Option<&str>,
    ) -> bool {
        match vc_jwt::verify_signature(jwt, keys) {
            Ok(()) => {
                r.pass(
                    "jwt-signature",
                    format!("{} signature verifies", jwt.jws().alg()),
                    node,
                );
                true
            }
            Err(crate::Error::AlgorithmNotAllowed(m)) => {
                r.fail(
                    "jwt-signature",
                    Code::AlgorithmNotAllowed,
                    format!("algorithm not allowed: {m}"),
                    node,
                );
                false
            }
            Err(_) => {
                r.fail(
                    "jwt-signature",
                    Code::SignatureInvalid,
                    "the signature does not verify",
                    node,
                );
                false
            }
        }
    }

    pub(super) fn proof_di(&self, r: &mut Report, doc: &Value) {
        let docs = Docs {
            loader: self.v.loader,
            limits: self.v.limits,
        };
        let opts = VerifyOptions {
            documents: Some(&docs),
            context_cache: Some(&self.v.contexts),
            dangerous_trust_key_in_https_fragment: self
                .v
                .key_policy
                .dangerous_trust_key_in_https_fragment,
            ..VerifyOptions::default()
        };
        self.proof_di_with(r, doc, &opts, "proof", di_code);
    }

    /// Verifies the Data Integrity proofs of `doc` with `opts`, recording check `check`;
    /// `map` turns a Data Integrity finding (and whether it is a verdict) into a report code.
    pub(in crate::verify) fn proof_di_with(
        &self,
        r: &mut Report,
        doc: &Value,
        opts: &VerifyOptions<'_>,
        check: &'static str,
        map: fn(DiCode, bool) -> Code,
    ) {
        let node = doc.member("id").and_then(Value::as_str);
        let res = data_integrity::verify(doc, opts);
        for p in &res.proofs {
            let name = p
                .cryptosuite
                .clone()
                .unwrap_or_else(|| p.proof_type.clone());
            for w in &p.warnings {
                r.warning(
                    Code::ProofWarning,
                    format!("proof {} ({name}): {w}", p.index),
                    node,
                );
            }
            if res.outcome.is_valid() {
                if let Outcome::Invalid { code, message }
                | Outcome::Indeterminate { code, message } = &p.outcome
                {
                    r.warning(
                        Code::ProofWarning,
                        format!("proof {} ({name}) not used: {code}: {message}", p.index),
                        node,
                    );
                }
            }
        }
        let proof_name = res
            .proofs
            .iter()
            .find(|p| p.outcome.is_valid())
            .or(res.proofs.first())
            .map(|p| {
                p.cryptosuite
                    .clone()
                    .unwrap_or_else(|| p.proof_type.clone())
            });
        r.proof = proof_name;
        let fail = |r: &mut Report, code: DiCode, message: String, invalid: bool| {
            let mapped = map(code, invalid);
            let m = if mapped.as_str() == code.as_str() {
                message
            } else {
                format!("{code}: {message}")
            };
            r.fail(check, mapped, m, node);
        };
        match res.outcome {
            Outcome::Valid => r.pass(check, "a Data Integrity proof verifies", node),
            Outcome::Invalid { code, message } => fail(r, code, message, true),
            Outcome::Indeterminate { code, message } => fail(r, code, message, false),
        }
    }
}
