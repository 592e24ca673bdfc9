//! Revocation of a signed assertion: the issuer's `revocationList` (embedded or fetched).

use serde_json::Value;

use super::fetch::Fetch;
use super::{IssuerInfo, Normalized, Pipeline, as_v2_view, node_id, str_of};
use crate::report::{Code, Report};
use crate::status::RevocationList;

impl Pipeline<'_, '_> {
    pub(super) fn revocation(&self, r: &mut Report, n: &Normalized, issuer: &IssuerInfo) {
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
}
