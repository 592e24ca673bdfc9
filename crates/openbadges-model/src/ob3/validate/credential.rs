//! Credentials: the VC envelope (`type`, `issuer`, validity dates, status, schemas, proofs),
//! evidence, endorsements, and the credentials a CLR or a presentation bundles.

use serde_json::{Map, Value};

use super::checks::{each, type_names};
use super::context::declares_ob_or_clr_context;
use super::{Checker, Kind, MAX_NESTING};
use crate::detect::detect;
use crate::member::Members;
use crate::value::parse_datetime;
use crate::{Class, ProblemCode, pointer_join};

impl Checker {
    /// A credential of `kind` at `path`, unless credentials already nest [`MAX_NESTING`] deep
    /// (then a warning, and the nested credential is not descended into).
    pub(super) fn credential(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        if self.nesting >= MAX_NESTING {
            self.warning(
                ProblemCode::InvalidValue,
                path,
                "credentials nest too deeply; the nested credential was not checked",
            );
            return;
        }
        self.nesting += 1;
        self.credential_properties(obj, path, kind);
        self.nesting -= 1;
    }

    /// Every property of a credential, in document-model order: context, type, the descriptive
    /// properties, issuer, validity dates, subject, the attached objects, endorsements.
    fn credential_properties(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        let (v1, v2) = self.context(obj, path, kind);
        self.credential_type(obj, path, kind);
        self.credential_description(obj, path, kind);
        self.credential_issuer(obj, path, kind);
        self.dates(obj, path, v1, v2);
        self.credential_subject(obj, path, kind);
        self.credential_attachments(obj, path);
        if kind != Kind::PlainVc {
            self.endorsements(obj, path);
        }
    }

    /// `id` (required by OB 3.0 / CLR 2.0, optional for plain VCs), `name` (required for
    /// EndorsementCredential and ClrCredential), `description` and `image`.
    fn credential_description(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        self.iri(obj, "id", path, kind != Kind::PlainVc);
        self.string(
            obj,
            "name",
            path,
            matches!(kind, Kind::Endorsement | Kind::Clr),
        );
        self.string(obj, "description", path, false);
        if kind != Kind::PlainVc {
            self.image(obj, "image", path);
        }
    }

    /// `issuer`: an IRI or a Profile (for a plain VC, any object with an `id`).
    fn credential_issuer(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        let ipath = || pointer_join(path, "issuer");
        match obj.member("issuer") {
            None => self.error(
                ProblemCode::MissingProperty,
                &ipath(),
                "`issuer` is required",
            ),
            Some(Value::String(_)) => self.iri(obj, "issuer", path, true),
            Some(Value::Object(p)) if kind == Kind::PlainVc => self.iri(p, "id", &ipath(), true),
            Some(Value::Object(p)) => self.profile_as(p, &ipath(), "issuer"),
            Some(_) => self.error(
                ProblemCode::WrongType,
                &ipath(),
                "`issuer` must be an IRI or a Profile object",
            ),
        }
    }

    /// `credentialSubject`: one object, checked as the subject class of `kind` (plain VCs
    /// may have any object or array).
    fn credential_subject(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        let spath = pointer_join(path, "credentialSubject");
        match (obj.member("credentialSubject"), kind) {
            (None, _) => self.error(
                ProblemCode::MissingProperty,
                &spath,
                "`credentialSubject` is required",
            ),
            (Some(Value::Object(_) | Value::Array(_)), Kind::PlainVc) => {}
            (Some(Value::Object(s)), Kind::OpenBadge) => self.achievement_subject(s, &spath),
            (Some(Value::Object(s)), Kind::Endorsement) => self.endorsement_subject(s, &spath),
            (Some(Value::Object(s)), Kind::Clr) => self.clr_subject(s, &spath),
            (Some(_), _) => self.error(
                ProblemCode::WrongType,
                &spath,
                "`credentialSubject` must be one object",
            ),
        }
    }

    /// The objects attached to a credential: `evidence`, `proof`, `credentialSchema`,
    /// `credentialStatus`, `refreshService` and `termsOfUse`.
    fn credential_attachments(&mut self, obj: &Map<String, Value>, path: &str) {
        self.objects(obj, "evidence", path, "an Evidence", |c, e, p| {
            c.evidence(e, p);
        });
        self.objects(obj, "proof", path, "a proof", |c, pr, p| {
            c.string(pr, "type", p, true);
            c.datetime(pr, "created", p);
            c.strings(
                pr,
                &[
                    "cryptosuite",
                    "proofPurpose",
                    "proofValue",
                    "verificationMethod",
                ],
                p,
            );
        });
        self.objects(
            obj,
            "credentialSchema",
            path,
            "a CredentialSchema",
            |c, s, p| {
                c.iri(s, "id", p, true);
                c.string(s, "type", p, true);
            },
        );
        self.objects(
            obj,
            "credentialStatus",
            path,
            "a CredentialStatus",
            |c, s, p| {
                c.credential_status(s, p);
            },
        );
        self.objects(
            obj,
            "refreshService",
            path,
            "a RefreshService",
            |c, s, p| {
                c.iri(s, "id", p, true);
                c.string(s, "type", p, true);
            },
        );
        self.objects(obj, "termsOfUse", path, "a TermsOfUse", |c, s, p| {
            c.iri(s, "id", p, false);
            c.string(s, "type", p, true);
        });
    }

    pub(super) fn credential_type(&mut self, obj: &Map<String, Value>, path: &str, kind: Kind) {
        let tpath = || pointer_join(path, "type");
        let Some(t) = obj.member("type") else {
            self.error(ProblemCode::MissingProperty, &tpath(), "`type` is required");
            return;
        };
        let Some(types) = type_names(t) else {
            self.error(
                ProblemCode::WrongType,
                &tpath(),
                "`type` must be a string or an array of strings",
            );
            return;
        };
        let has = |name: &str| types.clone().any(|t| t == name);
        if !has("VerifiableCredential") {
            self.error(
                ProblemCode::InvalidType,
                &tpath(),
                "`type` must include `VerifiableCredential`",
            );
        }
        let (ok, need) = match kind {
            Kind::OpenBadge => (
                has("OpenBadgeCredential") || has("AchievementCredential"),
                "`OpenBadgeCredential` or `AchievementCredential`",
            ),
            Kind::Endorsement => (has("EndorsementCredential"), "`EndorsementCredential`"),
            Kind::Clr => (has("ClrCredential"), "`ClrCredential`"),
            Kind::PlainVc => (true, ""),
        };
        if !ok {
            self.error(
                ProblemCode::InvalidType,
                &tpath(),
                format!("`type` must include {need}"),
            );
        }
    }

    pub(super) fn dates(&mut self, obj: &Map<String, Value>, path: &str, v1: bool, v2: bool) {
        let has = |k: &str| obj.has_member(k);
        if v2 && !has("validFrom") {
            let msg = if has("issuanceDate") {
                "`validFrom` is required in VC Data Model 2.0 (`issuanceDate` is the 1.1 name)"
            } else {
                "`validFrom` is required"
            };
            self.error(
                ProblemCode::MissingProperty,
                &pointer_join(path, "validFrom"),
                msg,
            );
        } else if !v2 && !has("validFrom") && !has("issuanceDate") {
            let key = if v1 { "issuanceDate" } else { "validFrom" };
            self.error(
                ProblemCode::MissingProperty,
                &pointer_join(path, key),
                format!("`{key}` is required"),
            );
        }
        for key in [
            "validFrom",
            "validUntil",
            "issuanceDate",
            "expirationDate",
            "awardedDate",
        ] {
            self.datetime(obj, key, path);
        }
        let get = |k: &str| {
            obj.member(k)
                .and_then(Value::as_str)
                .and_then(parse_datetime)
        };
        let start = get("validFrom").or_else(|| get("issuanceDate"));
        let (end_key, end) = match get("validUntil") {
            Some(e) => ("validUntil", Some(e)),
            None => ("expirationDate", get("expirationDate")),
        };
        if start.zip(end).is_some_and(|(s, e)| e < s) {
            self.error(
                ProblemCode::InvalidDateRange,
                &pointer_join(path, end_key),
                format!("`{end_key}` is before the start of validity"),
            );
        }
    }

    pub(super) fn credential_status(&mut self, s: &Map<String, Value>, p: &str) {
        self.string(s, "type", p, true);
        let kind = s.member("type").and_then(Value::as_str).unwrap_or("");
        self.iri(s, "id", p, kind == "1EdTechRevocationList");
        // The Bitstring Status List entry properties (StatusList2021Entry, its predecessor, is
        // not checked: that draft is superseded and its shape varied).
        if kind == "BitstringStatusListEntry" {
            self.string(s, "statusPurpose", p, true);
            self.iri(s, "statusListCredential", p, true);
            let ip = pointer_join(p, "statusListIndex");
            match s.member("statusListIndex") {
                None => self.error(
                    ProblemCode::MissingProperty,
                    &ip,
                    "`statusListIndex` is required",
                ),
                Some(Value::String(x)) if x.parse::<u64>().is_ok() => {}
                Some(Value::Number(n)) if n.is_u64() => self.warning(
                    ProblemCode::WrongType,
                    &ip,
                    "`statusListIndex` should be a string of digits, not a number",
                ),
                Some(_) => self.error(
                    ProblemCode::InvalidValue,
                    &ip,
                    "`statusListIndex` must be a non-negative integer written as a string",
                ),
            }
        }
    }

    pub(super) fn endorsements(&mut self, obj: &Map<String, Value>, path: &str) {
        self.objects(
            obj,
            "endorsement",
            path,
            "an EndorsementCredential",
            |c, e, p| {
                c.credential(e, p, Kind::Endorsement);
            },
        );
        for (v, p) in each(obj, "endorsementJwt", path) {
            match v.as_str() {
                Some(s) if crate::compact_jws::is_compact_jws(s) => {}
                Some(_) => self.error(
                    ProblemCode::InvalidValue,
                    &p,
                    "`endorsementJwt` entries must be compact JWS strings",
                ),
                None => self.error(
                    ProblemCode::WrongType,
                    &p,
                    "`endorsementJwt` entries must be strings",
                ),
            }
        }
    }

    /// A VC DM 2.0 `EnvelopedVerifiableCredential` (a VC-JWT in a `data:` URL): its `id` must
    /// be a `data:` URL; the enveloped credential is checked by whoever verifies it.
    pub(super) fn enveloped_credential(&mut self, o: &Map<String, Value>, p: &str) {
        if !o
            .member("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.starts_with("data:"))
        {
            self.error(
                ProblemCode::WrongType,
                p,
                "an `EnvelopedVerifiableCredential` needs a `data:` URL as `id`",
            );
        }
    }

    /// A credential inside a CLR: checked as the class it declares.
    pub(super) fn embedded_credential(&mut self, v: &Value, o: &Map<String, Value>, p: &str) {
        let kind = match detect(v).class {
            Some(Class::EndorsementCredential) => Kind::Endorsement,
            Some(Class::ClrCredential) => Kind::Clr,
            Some(Class::VerifiableCredential) if !declares_ob_or_clr_context(o) => Kind::PlainVc,
            _ => Kind::OpenBadge,
        };
        self.credential(o, p, kind);
    }

    pub(super) fn evidence(&mut self, e: &Map<String, Value>, path: &str) {
        self.require_type(e, path, "Evidence", "evidence");
        self.iri(e, "id", path, false);
        self.strings(
            e,
            &["narrative", "name", "description", "genre", "audience"],
            path,
        );
    }

    /// A VerifiablePresentation: the credentials it bundles.
    pub(super) fn presentation(&mut self, obj: &Map<String, Value>) {
        self.bundled_credentials(obj, "");
    }

    /// The `verifiableCredential` entries of a CLR subject or a presentation: embedded
    /// credentials (checked as the class they declare), enveloped credentials or VC-JWTs.
    pub(super) fn bundled_credentials(&mut self, obj: &Map<String, Value>, path: &str) {
        for (v, p) in each(obj, "verifiableCredential", path) {
            match v {
                Value::Object(o) if is_enveloped(o) => self.enveloped_credential(o, &p),
                Value::Object(o) => self.embedded_credential(v, o, &p),
                Value::String(jws) if crate::compact_jws::is_compact_jws(jws) => {}
                _ => self.error(
                    ProblemCode::WrongType,
                    &p,
                    "each `verifiableCredential` must be a credential object or a VC-JWT",
                ),
            }
        }
    }
}

/// Whether `o` is a VC DM 2.0 `EnvelopedVerifiableCredential`.
fn is_enveloped(o: &Map<String, Value>) -> bool {
    match o.member("type") {
        Some(Value::String(t)) => t == "EnvelopedVerifiableCredential",
        Some(Value::Array(a)) => a
            .iter()
            .any(|t| t.as_str() == Some("EnvelopedVerifiableCredential")),
        _ => false,
    }
}
