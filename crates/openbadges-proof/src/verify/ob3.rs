//! The OB 3.0 / CLR 2.0 pipeline: structure, proof (Data Integrity or VC-JWT), validity
//! dates, credential status, refresh service, recipient, endorsements and CLR contents.

use serde_json::Value;

use openbadges_model::detect::Version;
use openbadges_model::ob3::IdentityObject;
use openbadges_model::{Identity, IdentityKind, Severity, detect};

use super::{Verifier, credential_schema, verdict};
use crate::data_integrity::{self, DiCode, Outcome, VerifyOptions};
use crate::jws::Jws;
use crate::report::{Code, Report, Status};
use crate::status_list::{BitstringEntry, revocation_list_lookup};
use crate::vc_jwt::{self, KeyResolution, VcJwt, parse_datetime};

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

pub(super) fn as_list(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    }
}

fn types(v: &Value) -> Vec<&str> {
    as_list(v.get("type"))
        .into_iter()
        .filter_map(Value::as_str)
        .collect()
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
        if let Ok(jwt) = VcJwt::from_jws(jws.clone()) {
            if verdict::not_an_open_badge(r, jwt.credential()) {
                r.version = Some("vc".into());
                r.proof = Some("vc-jwt".into());
                return;
            }
        }
        self.jwt_ctx(r, jws, Self::TOP);
    }

    fn json_ctx(&self, r: &mut Report, doc: &Value, ctx: Ctx) {
        if ctx.container_proof && !verdict::has_embedded_proof(doc) {
            let node = doc.get("id").and_then(Value::as_str);
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

    fn jwt_ctx(&self, r: &mut Report, jws: Jws, ctx: Ctx) {
        r.proof = Some("vc-jwt".into());
        let jwt = match VcJwt::from_jws(jws) {
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
        let node = cred.get("id").and_then(Value::as_str);
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
        if cred.get("proof").is_some() {
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

    fn proof_di(&self, r: &mut Report, doc: &Value) {
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
    pub(super) fn proof_di_with(
        &self,
        r: &mut Report,
        doc: &Value,
        opts: &VerifyOptions<'_>,
        check: &str,
        map: fn(DiCode, bool) -> Code,
    ) {
        let node = doc.get("id").and_then(Value::as_str);
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

    /// Everything but the proof.
    fn credential(&self, r: &mut Report, doc: &Value, ctx: Ctx) {
        let d = detect(doc);
        r.version = d
            .version
            .map(|v| v.as_str().to_string())
            .or(Some("vc".into()));
        let node = doc.get("id").and_then(Value::as_str);
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
        if let Some(rs) = doc.get("refreshService") {
            let id = rs.get("id").and_then(Value::as_str).unwrap_or("?");
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
                .find_map(|n| doc.get(*n).and_then(Value::as_str).map(|s| (*n, s)))
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

    fn load_json(&self, url: &str) -> Result<crate::loader::Document, String> {
        self.v.loader.load(url).map_err(|e| e.to_string())
    }

    fn status(&self, r: &mut Report, doc: &Value, node: Option<&str>, ctx: Ctx) {
        let entries = as_list(doc.get("credentialStatus"));
        if entries.is_empty() {
            r.skip("status", "no credentialStatus", node);
            return;
        }
        for st in entries {
            let kind = st.get("type").and_then(Value::as_str).unwrap_or_default();
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
        let Some(url) = st.get("id").and_then(Value::as_str) else {
            r.fail(
                "status",
                Code::SchemaInvalid,
                "1EdTechRevocationList without id",
                node,
            );
            return;
        };
        let Some(cid) = doc.get("id").and_then(Value::as_str) else {
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

    fn recipient(&self, r: &mut Report, doc: &Value, node: Option<&str>) {
        if self.v.recipient.is_empty() {
            r.skip("recipient", "no recipient profile given", node);
            return;
        }
        let subjects = as_list(doc.get("credentialSubject"));
        for s in &subjects {
            let id = s.get("id").and_then(Value::as_str);
            for Identity { kind, value } in self.v.recipient.identities() {
                if id.is_some_and(|i| {
                    i == value
                        || i.strip_prefix("mailto:").is_some_and(|m| {
                            *kind == IdentityKind::Email && m.eq_ignore_ascii_case(value)
                        })
                }) {
                    r.pass(
                        "recipient",
                        "credentialSubject.id matches the recipient profile",
                        node,
                    );
                    return;
                }
                for ident in as_list(s.get("identifier")) {
                    let Ok(io) = openbadges_model::ob3::from_value::<IdentityObject>(ident) else {
                        continue;
                    };
                    let t = io.identity_type.to_ascii_lowercase();
                    let kind_ok = match kind {
                        IdentityKind::Email => t == "emailaddress" || t == "email",
                        IdentityKind::Url => t == "url",
                        IdentityKind::Telephone => t == "phonenumber" || t == "telephone",
                        _ => true,
                    };
                    let hit = io.matches(value)
                        || (*kind == IdentityKind::Email
                            && io.matches(&value.to_ascii_lowercase()));
                    if kind_ok && hit {
                        r.pass(
                            "recipient",
                            format!(
                                "identifier ({}) matches the recipient profile",
                                io.identity_type
                            ),
                            node,
                        );
                        return;
                    }
                }
            }
        }
        r.fail(
            "recipient",
            Code::RecipientMismatch,
            "no identity of the recipient profile matches credentialSubject.id or identifier",
            node,
        );
    }

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
    pub(super) fn embedded(&self, name: String, item: &Value, ctx: Ctx) -> Report {
        let mut sub = Report::new(name);
        let jwt = |sub: &mut Report, t: &str| match Jws::parse(t.trim()) {
            Ok(j) => self.jwt_ctx(sub, j, ctx),
            Err(e) => sub.fail("jwt-header", Code::MalformedJws, e.to_string(), None),
        };
        match item {
            Value::String(t) => jwt(&mut sub, t),
            v if types(v).contains(&"EnvelopedVerifiableCredential") => {
                let id = v.get("id").and_then(Value::as_str).unwrap_or_default();
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

    fn endorsements(&self, r: &mut Report, doc: &Value, ctx: Ctx) {
        let mut holders: Vec<&Value> = vec![doc];
        for s in as_list(doc.get("credentialSubject")) {
            if let Some(a) = s.get("achievement") {
                holders.push(a);
                if let Some(c) = a.get("creator").filter(|c| c.is_object()) {
                    holders.push(c);
                }
            }
        }
        if let Some(i) = doc.get("issuer").filter(|i| i.is_object()) {
            holders.push(i);
        }
        let mut items = Vec::new();
        for h in holders {
            items.extend(as_list(h.get("endorsement")));
            items.extend(as_list(h.get("endorsementJwt")));
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
                .get("id")
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

    fn clr(&self, r: &mut Report, doc: &Value, ctx: Ctx) {
        if !types(doc).contains(&"ClrCredential") {
            return;
        }
        let mut n = 0;
        let mut failed = 0;
        for s in as_list(doc.get("credentialSubject")) {
            for (i, c) in as_list(s.get("verifiableCredential"))
                .into_iter()
                .enumerate()
            {
                let name = c
                    .get("id")
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
