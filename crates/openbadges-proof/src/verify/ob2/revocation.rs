//! Revocation of a signed assertion: the issuer's `revocationList` (embedded or fetched).

use std::collections::HashMap;

use openbadges_model::member::Members;
use serde_json::Value;

use super::fetch::Fetch;
use super::{IssuerInfo, Normalized, Pipeline, as_v2_view, node_id, str_of};
use crate::report::{Code, Report};
use crate::status::RevocationList;

/// A revocation list indexed by assertion id and legacy uid: [`RevocationList::find`] without
/// walking the list (a shared list is indexed once, then asked by every badge).
pub(super) struct RevocationIndex {
    list: RevocationList,
    /// Each id's first entry.
    by_id: HashMap<String, usize>,
    /// Each uid's first entry.
    by_uid: HashMap<String, usize>,
}

impl RevocationIndex {
    pub(super) fn new(list: RevocationList) -> Self {
        let mut by_id = HashMap::new();
        let mut by_uid = HashMap::new();
        for (i, e) in list.entries.iter().enumerate() {
            if let Some(id) = &e.id {
                by_id.entry(id.clone()).or_insert(i);
            }
            if let Some(uid) = &e.uid {
                by_uid.entry(uid.clone()).or_insert(i);
            }
        }
        RevocationIndex {
            list,
            by_id,
            by_uid,
        }
    }

    /// What [`RevocationList::find`] answers: the first entry (in document order) listing `id`
    /// or `uid`, as `Some(reason)`.
    pub(super) fn find(&self, id: Option<&str>, uid: Option<&str>) -> Option<Option<&str>> {
        let i = id.and_then(|id| self.by_id.get(id));
        let u = uid.and_then(|uid| self.by_uid.get(uid));
        let first = match (i, u) {
            (Some(a), Some(b)) => *a.min(b),
            (Some(a), None) | (None, Some(a)) => *a,
            (None, None) => return None,
        };
        self.list.entries.get(first).map(|e| e.reason.as_deref())
    }

    fn len(&self) -> usize {
        self.list.entries.len()
    }
}

fn owned(hit: Option<Option<&str>>) -> Option<Option<String>> {
    hit.map(|reason| reason.map(str::to_string))
}

impl Pipeline<'_, '_> {
    pub(super) fn revocation(&self, r: &mut Report, n: &Normalized, issuer: &IssuerInfo) {
        let node = node_id(&n.doc);
        let Some(list_url) = issuer.doc.member("revocationList").and_then(node_id) else {
            r.skip(
                "not-revoked",
                "the issuer publishes no revocation list",
                Some(&issuer.id),
            );
            return;
        };
        let uid = str_of(&n.doc, "uid");
        let (hit, entries) = match issuer.doc.member("revocationList") {
            Some(v @ Value::Object(o)) if o.has_member("revokedAssertions") => {
                let rl = RevocationIndex::new(RevocationList::from_value(&as_v2_view(v.clone())));
                (owned(rl.find(node, uid)), rl.len())
            }
            _ => {
                let d = self.fetch_shared(list_url);
                let Fetch::Json(list) = &d.fetched else {
                    r.fail(
                        "not-revoked",
                        Code::FetchFailed,
                        format!("cannot fetch the revocation list {list_url}"),
                        Some(list_url),
                    );
                    return;
                };
                let rl = d.revocations(|| {
                    RevocationIndex::new(RevocationList::from_value(&as_v2_view(list.clone())))
                });
                (owned(rl.find(node, uid)), rl.len())
            }
        };
        match hit {
            Some(reason) => r.fail(
                "not-revoked",
                Code::Revoked,
                format!(
                    "listed in the issuer's revocation list: {}",
                    reason.as_deref().unwrap_or("no reason given")
                ),
                node,
            ),
            None => r.pass(
                "not-revoked",
                format!("not in the revocation list ({entries} entries)"),
                Some(list_url),
            ),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The index answers exactly as the list does.
    #[test]
    fn index_agrees_with_the_list() {
        let list = RevocationList::from_value(&json!({"revokedAssertions": [
            {"id": "urn:a", "revocationReason": "first"},
            {"uid": "u1", "revocationReason": "by uid"},
            {"id": "urn:a", "revocationReason": "second"},
            {"id": "urn:b", "uid": "u2"},
            "urn:c",
        ]}));
        let idx = RevocationIndex::new(list.clone());
        for id in [
            None,
            Some("urn:a"),
            Some("urn:b"),
            Some("urn:c"),
            Some("urn:x"),
        ] {
            for uid in [None, Some("u1"), Some("u2"), Some("ux")] {
                assert_eq!(idx.find(id, uid), list.find(id, uid), "{id:?} {uid:?}");
            }
        }
        assert_eq!(idx.find(Some("urn:a"), Some("u1")), Some(Some("first")));
        assert_eq!(idx.find(Some("urn:b"), Some("u1")), Some(Some("by uid")));
    }
}
