//! `credentialStatus` of an OB 3.0 / CLR 2.0 credential: BitstringStatusList entries (the
//! status list credential fetched, verified and decoded) and 1EdTechRevocationList entries.

use openbadges_model::member::Members;
use serde_json::Value;

use super::{Ctx, Pipeline, as_list};
use crate::jws::Jws;
use crate::report::{Code, Report, Status};
use crate::status_list::{BitstringEntry, revocation_list_lookup};
use crate::vc_jwt::VcJwt;

impl Pipeline<'_, '_> {
    fn load_json(&self, url: &str) -> Result<crate::loader::Document, String> {
        self.v.loader.load(url).map_err(|e| e.to_string())
    }

    pub(super) fn status(&self, r: &mut Report, doc: &Value, node: Option<&str>, ctx: Ctx) {
        let entries = as_list(doc.member("credentialStatus"));
        if entries.is_empty() {
            r.skip("status", "no credentialStatus", node);
            return;
        }
        for st in entries {
            let kind = st
                .member("type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match kind {
                "BitstringStatusListEntry" | "StatusList2021Entry" => {
                    self.bitstring(r, st, node, ctx)
                }
                "1EdTechRevocationList" => self.revocation_list(r, st, doc, node),
                other => r.fail(
                    "status",
                    Code::Unsupported,
                    format!("status method {other:?} is not supported"),
                    node,
                ),
            }
        }
    }

    fn bitstring(&self, r: &mut Report, st: &Value, node: Option<&str>, ctx: Ctx) {
        let entry = match BitstringEntry::from_value(st) {
            Ok(e) => e,
            Err(e) => {
                r.fail(
                    "status",
                    Code::SchemaInvalid,
                    format!("status entry: {e}"),
                    node,
                );
                return;
            }
        };
        let d = match self.load_json(&entry.list) {
            Ok(d) => d,
            Err(e) => {
                r.fail(
                    "status",
                    Code::StatusUnchecked,
                    format!("status list not loadable: {e}"),
                    node,
                );
                return;
            }
        };
        // Verify the list credential itself (JSON with an embedded proof, or a VC-JWT).
        let mut sub = Report::new(&entry.list);
        let sub_ctx = Ctx {
            depth: ctx.depth + 1,
            status: false,
            recipient: false,
            container_proof: false,
        };
        let text = String::from_utf8_lossy(&d.body);
        let list_doc = if openbadges_model::compact_jws::has_compact_jws_shape(text.trim_ascii()) {
            match Jws::parse(&text) {
                Ok(j) => {
                    let c = VcJwt::from_jws(j.clone())
                        .ok()
                        .map(|v| v.credential().clone());
                    self.jwt_ctx(&mut sub, j, sub_ctx);
                    c
                }
                Err(_) => None,
            }
        } else {
            match openbadges_model::parse_json(&d.body, &self.v.limits) {
                Ok(v) => {
                    self.proof_di(&mut sub, &v);
                    self.timestamps(&mut sub, &v, None);
                    Some(v)
                }
                Err(_) => None,
            }
        };
        let Some(list_doc) = list_doc else {
            r.fail(
                "status",
                Code::StatusUnchecked,
                format!("{} is not a status list credential", entry.list),
                node,
            );
            return;
        };
        if sub.status() != Status::Valid {
            let why = sub
                .errors
                .first()
                .map(|e| format!("{}: {}", e.code, e.message))
                .unwrap_or_default();
            r.fail(
                "status",
                Code::StatusUnchecked,
                format!(
                    "the status list credential {} does not verify ({why})",
                    entry.list
                ),
                node,
            );
            return;
        }
        match entry.lookup(&list_doc) {
            Ok(true) => {
                let code = if entry.purpose == "suspension" {
                    Code::Suspended
                } else if entry.purpose == "revocation" {
                    Code::Revoked
                } else {
                    r.warning(
                        Code::StatusUnchecked,
                        format!(
                            "status bit {} set for purpose {:?}",
                            entry.index, entry.purpose
                        ),
                        node,
                    );
                    r.pass(
                        "status",
                        "status bit set for a purpose that is not revocation or suspension",
                        node,
                    );
                    return;
                };
                r.fail(
                    "status",
                    code,
                    format!(
                        "{} in {} (index {})",
                        if code == Code::Suspended {
                            "suspended"
                        } else {
                            "revoked"
                        },
                        entry.list,
                        entry.index
                    ),
                    node,
                );
            }
            Ok(false) => r.pass(
                "status",
                format!(
                    "not {} (index {} of {})",
                    entry.purpose, entry.index, entry.list
                ),
                node,
            ),
            Err(e) => r.fail(
                "status",
                Code::StatusUnchecked,
                format!("status list {}: {e}", entry.list),
                node,
            ),
        }
    }

    fn revocation_list(&self, r: &mut Report, st: &Value, doc: &Value, node: Option<&str>) {
        let Some(url) = st.member("id").and_then(Value::as_str) else {
            r.fail(
                "status",
                Code::SchemaInvalid,
                "1EdTechRevocationList without id",
                node,
            );
            return;
        };
        let Some(cid) = doc.member("id").and_then(Value::as_str) else {
            r.fail(
                "status",
                Code::StatusUnchecked,
                "the credential has no id to look up",
                node,
            );
            return;
        };
        let list = match self.load_json(url).and_then(|d| {
            openbadges_model::parse_json(&d.body, &self.v.limits).map_err(|e| e.to_string())
        }) {
            Ok(l) => l,
            Err(e) => {
                r.fail(
                    "status",
                    Code::StatusUnchecked,
                    format!("revocation list not loadable: {e}"),
                    node,
                );
                return;
            }
        };
        match revocation_list_lookup(&list, cid) {
            Ok(Some(reason)) => r.fail(
                "status",
                Code::Revoked,
                format!(
                    "revoked in {url}{}",
                    reason.map(|x| format!(": {x}")).unwrap_or_default()
                ),
                node,
            ),
            Ok(None) => r.pass("status", format!("not listed in {url}"), node),
            Err(e) => r.fail("status", Code::StatusUnchecked, format!("{url}: {e}"), node),
        }
    }
}
