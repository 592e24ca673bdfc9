//! Credentials inside a credential: endorsements, and the credentials a CLR holds, each
//! verified (to a bounded depth) into a report of its own on the containing one.

use openbadges_model::member::Members;
use serde_json::Value;

use super::{Ctx, Pipeline, as_list};
use crate::jws::Jws;
use crate::report::{Code, Report, Status};

fn types(v: &Value) -> Vec<&str> {
    as_list(v.member("type"))
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

impl Pipeline<'_, '_> {
    fn sub_report(&self, name: String, item: &Value, ctx: Ctx, container_proof: bool) -> Report {
        let sub_ctx = Ctx {
            depth: ctx.depth + 1,
            status: true,
            recipient: false,
            container_proof,
        };
        self.embedded(name, item, sub_ctx)
    }

    /// The report on one embedded credential: a JSON credential (its embedded proof), a
    /// VC-JWT as a compact JWS string, or an `EnvelopedVerifiableCredential` whose `id` is a
    /// `data:application/vc+jwt,` (or `vc+ld+json+jwt`, `jwt`) URL.
    pub(in crate::verify) fn embedded(&self, name: String, item: &Value, ctx: Ctx) -> Report {
        let mut sub = Report::new(name);
        let jwt = |sub: &mut Report, t: &str| match Jws::parse(t.trim()) {
            Ok(j) => self.jwt_ctx(sub, j, ctx),
            Err(e) => sub.fail("jwt-header", Code::MalformedJws, e.to_string(), None),
        };
        match item {
            Value::String(t) => jwt(&mut sub, t),
            v if types(v).contains(&"EnvelopedVerifiableCredential") => {
                let id = v.member("id").and_then(Value::as_str).unwrap_or_default();
                let token = [
                    "application/vc+jwt",
                    "application/vc+ld+json+jwt",
                    "application/jwt",
                ]
                .iter()
                .find_map(|m| {
                    id.strip_prefix("data:")
                        .and_then(|x| x.strip_prefix(m))
                        .and_then(|x| x.strip_prefix(','))
                });
                match token {
                    Some(t) => jwt(&mut sub, t),
                    None => sub.fail(
                        "detect-input",
                        Code::Unsupported,
                        format!(
                            "EnvelopedVerifiableCredential id is not a data:application/vc+jwt URL: {}",
                            id.chars().take(60).collect::<String>()
                        ),
                        None,
                    ),
                }
            }
            v => self.json_ctx(&mut sub, v, ctx),
        }
        sub
    }

    pub(super) fn endorsements(&self, r: &mut Report, doc: &Value, ctx: Ctx) {
        let mut holders: Vec<&Value> = vec![doc];
        for s in as_list(doc.member("credentialSubject")) {
            if let Some(a) = s.member("achievement") {
                holders.push(a);
                if let Some(c) = a.member("creator").filter(|c| c.is_object()) {
                    holders.push(c);
                }
            }
        }
        if let Some(i) = doc.member("issuer").filter(|i| i.is_object()) {
            holders.push(i);
        }
        let mut items = Vec::new();
        for h in holders {
            items.extend(as_list(h.member("endorsement")));
            items.extend(as_list(h.member("endorsementJwt")));
        }
        if items.is_empty() {
            return;
        }
        let max = self.v.max_endorsements;
        for (i, e) in items.iter().enumerate() {
            if i >= max {
                r.warning(
                    Code::EndorsementNotVerified,
                    format!(
                        "{} endorsement(s) beyond the limit of {max} not verified",
                        items.len() - max
                    ),
                    None,
                );
                break;
            }
            let name = e
                .member("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("endorsement[{i}]"), str::to_owned);
            let sub = self.sub_report(name.clone(), e, ctx, false);
            if sub.status() != Status::Valid {
                r.warning(
                    Code::EndorsementNotVerified,
                    format!("endorsement {name} is {}", sub.status().as_str()),
                    None,
                );
            }
            r.endorsements.push(sub);
        }
        r.pass(
            "endorsements",
            format!("{} endorsement(s) checked", r.endorsements.len()),
            None,
        );
    }

    pub(super) fn clr(&self, r: &mut Report, doc: &Value, ctx: Ctx) {
        if !types(doc).contains(&"ClrCredential") {
            return;
        }
        let mut n = 0;
        let mut failed = 0;
        for s in as_list(doc.member("credentialSubject")) {
            for (i, c) in as_list(s.member("verifiableCredential")).iter().enumerate() {
                let name = c
                    .member("id")
                    .and_then(Value::as_str)
                    .filter(|id| !id.starts_with("data:"))
                    .map_or_else(|| format!("verifiableCredential[{i}]"), str::to_owned);
                // The CLR's proof covers what it contains.
                let sub = self.sub_report(name.clone(), c, ctx, true);
                n += 1;
                let forged = sub.errors.iter().any(|e| {
                    matches!(
                        e.code,
                        Code::SignatureInvalid
                            | Code::AlgorithmNotAllowed
                            | Code::MalformedJws
                            | Code::KeyNotOwnedByIssuer
                            | Code::KeyNotListedByIssuer
                            | Code::ClaimMismatch
                    )
                });
                if forged {
                    failed += 1;
                } else if sub.status() != Status::Valid {
                    r.warning(
                        Code::ProofWarning,
                        format!("embedded credential {name} is {}", sub.status().as_str()),
                        None,
                    );
                }
                r.credentials.push(sub);
            }
        }
        if failed > 0 {
            r.fail(
                "clr-credentials",
                Code::SignatureInvalid,
                format!("{failed} of {n} embedded credential(s) have a proof that does not verify"),
                None,
            );
        } else {
            r.pass(
                "clr-credentials",
                format!("{n} embedded credential(s) checked"),
                None,
            );
        }
    }
}
