//! Endorsements of an assertion, its badge class and its issuer: each hosted endorsement is
//! verified into a report of its own; one that does not verify is a warning on the badge.

use openbadges_model::detect::Class;
use openbadges_model::member::Members;
use serde_json::Value;

use super::{IssuerInfo, Pipeline, node_id, normalize, schema};
use crate::input::is_http_url;
use crate::report::{Code, Report};

impl Pipeline<'_, '_> {
    pub(super) fn endorsements(&self, r: &mut Report, found: &[(String, Value)]) {
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
        if doc.member("revoked") == Some(&Value::Bool(true)) {
            r.fail(
                "not-revoked",
                Code::Revoked,
                "the endorser marks this endorsement revoked",
                Some(url),
            );
            return;
        }
        let Some(n) = normalize(doc, Some(url), Some(Class::Endorsement)) else {
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
        let claim = n.doc.member("claim").and_then(node_id);
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
            .member("issuer")
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
        let Some(iss_doc) =
            self.fetch_shared_required(r, "fetch-issuer", &iss_url, "endorser profile")
        else {
            return;
        };
        let Some(iss) = iss_doc.normalized(Class::Profile) else {
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
