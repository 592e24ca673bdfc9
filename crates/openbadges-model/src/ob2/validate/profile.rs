//! Profiles (issuers): their verification policy, cryptographic keys and revocation lists.

use serde_json::{Map, Value};

use super::Validator;
use super::formats::{is_authority, is_e164, is_email};
use super::values::{abbreviate, present};
use crate::{ProblemCode, pointer_join};

impl Validator {
    /// A Profile; `issuer` adds the issuer requirements (`name`, `url`, `email`).
    pub(super) fn profile(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        root: bool,
        issuer: bool,
    ) {
        let class = if issuer { "Issuer" } else { "Profile" };
        self.node_id(obj, path, root, class);
        self.types(obj, path, &["Issuer", "Profile"], true, class);
        let name = if issuer {
            self.required(obj, path, "name", class)
        } else {
            present(obj, "name")
        };
        if let Some(v) = name {
            self.text(v, &pointer_join(path, "name"));
        }
        let url = if issuer {
            self.required(obj, path, "url", class)
        } else {
            present(obj, "url")
        };
        if let Some(v) = url {
            for (u, p) in Self::many(v, &pointer_join(path, "url")) {
                self.url_value(u, &p);
            }
        }
        let email = if issuer {
            self.required(obj, path, "email", class)
        } else {
            present(obj, "email")
        };
        if let Some(v) = email {
            for (e, p) in Self::many(v, &pointer_join(path, "email")) {
                match e {
                    Value::String(s) if is_email(s) => {}
                    Value::String(s) => self.err(
                        ProblemCode::InvalidEmail,
                        p,
                        format!("`{}` is not an email address", abbreviate(s)),
                    ),
                    _ => self.err(ProblemCode::WrongType, p, "expected an email string"),
                }
            }
        }
        if let Some(v) = present(obj, "telephone") {
            for (t, p) in Self::many(v, &pointer_join(path, "telephone")) {
                match t {
                    Value::String(s) if is_e164(s) => {}
                    Value::String(_) => self.warn(
                        ProblemCode::InvalidValue,
                        p,
                        "telephone should be in e.164 format (`+16175551212`)",
                    ),
                    _ => self.err(ProblemCode::WrongType, p, "expected a telephone string"),
                }
            }
        }
        self.opt_text(obj, path, "description");
        if let Some(v) = present(obj, "image") {
            self.image(v, &pointer_join(path, "image"));
        }
        if let Some(v) = present(obj, "publicKey") {
            for (k, p) in Self::many(v, &pointer_join(path, "publicKey")) {
                match k {
                    Value::String(s) => {
                        self.iri_str(s, &p);
                    }
                    Value::Object(o) => self.key(o, &p),
                    _ => self.err(ProblemCode::WrongType, p, "expected a key iri or object"),
                }
            }
        }
        if let Some(v) = present(obj, "verification") {
            self.issuer_verification(v, &pointer_join(path, "verification"));
        }
        if let Some(v) = present(obj, "revocationList") {
            let p = pointer_join(path, "revocationList");
            match v {
                Value::Object(o) => self.revocation_list(o, &p),
                other => {
                    self.iri(other, &p);
                }
            }
        }
        self.common(obj, path);
    }

    pub(super) fn issuer_verification(&mut self, v: &Value, path: &str) {
        let Some(obj) = self.object(v, path, "a verification object") else {
            return;
        };
        self.types(
            obj,
            path,
            &[
                "VerificationObject",
                "HostedBadge",
                "SignedBadge",
                "hosted",
                "signed",
            ],
            false,
            "VerificationObject",
        );
        if let Some(vp) = present(obj, "verificationProperty") {
            if let Some(s) = self.text(vp, &pointer_join(path, "verificationProperty")) {
                if s != "id" && s != "@id" {
                    self.warn(
                        ProblemCode::InvalidValue,
                        pointer_join(path, "verificationProperty"),
                        "only `id` is defined as a verification property",
                    );
                }
            }
        }
        if let Some(sw) = present(obj, "startsWith") {
            for (s, p) in Self::many(sw, &pointer_join(path, "startsWith")) {
                self.url_value(s, &p);
            }
        }
        if let Some(ao) = present(obj, "allowedOrigins") {
            for (o, p) in Self::many(ao, &pointer_join(path, "allowedOrigins")) {
                match o {
                    Value::String(s) if is_authority(s) => {}
                    Value::String(s) => self.err(
                        ProblemCode::InvalidValue,
                        p,
                        format!(
                            "`{}` is not a host name (like badges.example.org)",
                            abbreviate(s)
                        ),
                    ),
                    _ => self.err(ProblemCode::WrongType, p, "expected a host name string"),
                }
            }
        }
    }

    /// A CryptographicKey: none of its properties is required by the specification.
    pub(super) fn key(&mut self, obj: &Map<String, Value>, path: &str) {
        const C: &str = "CryptographicKey";
        if let Some(id) = present(obj, "id") {
            self.iri(id, &pointer_join(path, "id"));
        }
        self.types(obj, path, &["CryptographicKey", "Key"], false, C);
        if let Some(o) = present(obj, "owner") {
            self.iri(o, &pointer_join(path, "owner"));
        }
        if let Some(pem) = present(obj, "publicKeyPem") {
            if let Some(s) = self.text(pem, &pointer_join(path, "publicKeyPem")) {
                if !s.trim_start().starts_with("-----BEGIN") {
                    self.err(
                        ProblemCode::InvalidValue,
                        pointer_join(path, "publicKeyPem"),
                        "`publicKeyPem` is not a pem document",
                    );
                }
            }
        }
    }

    pub(super) fn revocation_list(&mut self, obj: &Map<String, Value>, path: &str) {
        const C: &str = "RevocationList";
        self.types(obj, path, &["RevocationList"], true, C);
        if let Some(id) = present(obj, "id") {
            self.iri(id, &pointer_join(path, "id"));
        }
        if let Some(i) = present(obj, "issuer") {
            let p = pointer_join(path, "issuer");
            match i {
                Value::Object(o) => self.profile(o, &p, false, false),
                other => {
                    self.iri(other, &p);
                }
            }
        }
        if let Some(v) = self.required(obj, path, "revokedAssertions", C) {
            for (e, p) in Self::many(v, &pointer_join(path, "revokedAssertions")) {
                match e {
                    Value::String(s) => {
                        self.iri_str(s, &p);
                    }
                    Value::Object(o) => {
                        match (present(o, "id"), present(o, "uid")) {
                            (Some(id), _) => {
                                self.iri(id, &pointer_join(&p, "id"));
                            }
                            (None, Some(uid)) => {
                                self.text(uid, &pointer_join(&p, "uid"));
                            }
                            (None, None) => self.err(
                                ProblemCode::MissingProperty,
                                pointer_join(&p, "id"),
                                "a revoked entry needs an `id` (or legacy `uid`)",
                            ),
                        }
                        self.opt_text(o, &p, "revocationReason");
                        if let Some(r) = present(o, "revoked") {
                            self.boolean(r, &pointer_join(&p, "revoked"));
                        }
                    }
                    _ => self.err(ProblemCode::WrongType, p, "expected an id or an object"),
                }
            }
        }
    }
}
