//! Credential subjects: the AchievementSubject (identity objects, results and their links to the
//! achievement), the EndorsementSubject and the ClrSubject (associations).

use serde_json::{Map, Value};

use super::Checker;
use super::checks::each;
use super::vocab::{ASSOCIATION_TYPES, IDENTIFIER_TYPES, RESULT_STATUSES};
use crate::identity::IdentityHash;
use crate::member::Members;
use crate::{ProblemCode, pointer_join};

impl Checker {
    /// Either `id` or at least one `identifier` (CredentialSubjectProbe).
    pub(super) fn subject_identity(&mut self, s: &Map<String, Value>, path: &str) {
        self.iri(s, "id", path, false);
        let has_id = s
            .member("id")
            .and_then(Value::as_str)
            .is_some_and(|x| !x.trim().is_empty());
        let has_identifier = match s.member("identifier") {
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::Object(_)) => true,
            _ => false,
        };
        if !has_id && !has_identifier {
            self.error(
                ProblemCode::SubjectWithoutIdentifier,
                path,
                "the subject needs an `id` or at least one `identifier`",
            );
        }
        self.objects(s, "identifier", path, "an IdentityObject", |c, o, p| {
            c.identity_object(o, p);
        });
    }

    pub(super) fn achievement_subject(&mut self, s: &Map<String, Value>, path: &str) {
        self.require_type(s, path, "AchievementSubject", "credentialSubject");
        self.subject_identity(s, path);
        if let Some((a, p)) = self.single_object(s, "achievement", path, "an Achievement", true) {
            self.achievement(a, &p);
        }
        self.objects(s, "result", path, "a Result", |c, r, p| c.result(r, p));
        if let Some(a) = s.member("achievement").and_then(Value::as_object) {
            self.result_links(s, a, path);
        }
        if let Some((src, p)) = self.single_object(s, "source", path, "a Profile", false) {
            self.profile_as(src, &p, "source");
        }
        self.image(s, "image", path);
        self.datetime(s, "activityStartDate", path);
        self.datetime(s, "activityEndDate", path);
        self.number(s, "creditsEarned", path);
        self.strings(s, &["licenseNumber", "narrative", "role", "term"], path);
    }

    /// Results link to the achievement's result descriptions (`resultDescription`) and rubric
    /// levels (`achievedLevel`); a result for a `Status` description needs a `status`.
    pub(super) fn result_links(
        &mut self,
        s: &Map<String, Value>,
        a: &Map<String, Value>,
        path: &str,
    ) {
        let descriptions: Vec<&Map<String, Value>> = each(a, "resultDescription", "")
            .into_iter()
            .filter_map(|(v, _)| v.as_object())
            .collect();
        for (r, p) in each(s, "result", path) {
            let Some(r) = r.as_object() else { continue };
            let Some(rd_id) = r.member("resultDescription").and_then(Value::as_str) else {
                continue;
            };
            let Some(rd) = descriptions
                .iter()
                .find(|d| d.member("id").and_then(Value::as_str) == Some(rd_id))
            else {
                self.warning(
                    ProblemCode::InvalidValue,
                    &pointer_join(&p, "resultDescription"),
                    format!("no resultDescription of the achievement has the id `{rd_id}`"),
                );
                continue;
            };
            if rd.member("resultType").and_then(Value::as_str) == Some("Status")
                && !r.has_member("status")
            {
                self.error(
                    ProblemCode::MissingProperty,
                    &pointer_join(&p, "status"),
                    "`status` is required for a result of a `Status` result description",
                );
            }
            if let Some(level) = r.member("achievedLevel").and_then(Value::as_str) {
                let known = each(rd, "rubricCriterionLevel", "")
                    .into_iter()
                    .any(|(l, _)| l.member("id").and_then(Value::as_str) == Some(level));
                if !known {
                    self.warning(
                        ProblemCode::InvalidValue,
                        &pointer_join(&p, "achievedLevel"),
                        format!(
                            "`{level}` is not a rubricCriterionLevel of the result description `{rd_id}`"
                        ),
                    );
                }
            }
        }
    }

    pub(super) fn endorsement_subject(&mut self, s: &Map<String, Value>, path: &str) {
        self.require_type(s, path, "EndorsementSubject", "credentialSubject");
        self.iri(s, "id", path, true);
        self.string(s, "endorsementComment", path, false);
    }

    pub(super) fn clr_subject(&mut self, s: &Map<String, Value>, path: &str) {
        self.require_type(s, path, "ClrSubject", "credentialSubject");
        self.subject_identity(s, path);
        self.strings(s, &["name", "description"], path);
        self.image(s, "image", path);
        self.objects(s, "achievement", path, "an Achievement", |c, a, p| {
            c.achievement(a, p);
        });
        let vpath = pointer_join(path, "verifiableCredential");
        match s.member("verifiableCredential") {
            None => self.error(
                ProblemCode::MissingProperty,
                &vpath,
                "`verifiableCredential` is required",
            ),
            Some(Value::Array(a)) if a.is_empty() => self.error(
                ProblemCode::EmptyValue,
                &vpath,
                "`verifiableCredential` needs at least one credential",
            ),
            Some(_) => {}
        }
        self.bundled_credentials(s, path);
        self.objects(s, "association", path, "an Association", |c, a, p| {
            c.require_type(a, p, "Association", "association");
            c.enum_value(a, "associationType", p, ASSOCIATION_TYPES, false, false);
            c.string(a, "associationType", p, true);
            c.iri(a, "sourceId", p, true);
            c.iri(a, "targetId", p, true);
        });
    }

    pub(super) fn identity_object(&mut self, o: &Map<String, Value>, path: &str) {
        self.require_type(o, path, "IdentityObject", "identifier");
        let hpath = pointer_join(path, "hashed");
        let hashed = match o.member("hashed") {
            None => {
                self.error(ProblemCode::MissingProperty, &hpath, "`hashed` is required");
                None
            }
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.error(ProblemCode::WrongType, &hpath, "`hashed` must be a boolean");
                None
            }
        };
        self.string(o, "identityHash", path, true);
        let bad_hash = match (hashed, o.member("identityHash").and_then(Value::as_str)) {
            (Some(true), Some(h)) => h.parse::<IdentityHash>().err(),
            _ => None,
        };
        if let Some(e) = bad_hash {
            self.error(
                ProblemCode::InvalidIdentityHash,
                &pointer_join(path, "identityHash"),
                e.to_string(),
            );
        }
        self.string(o, "identityType", path, true);
        self.enum_value(o, "identityType", path, IDENTIFIER_TYPES, true, false);
        self.string(o, "salt", path, false);
    }

    pub(super) fn identifier_entry(&mut self, o: &Map<String, Value>, path: &str) {
        self.require_type(o, path, "IdentifierEntry", "otherIdentifier");
        self.string(o, "identifier", path, true);
        self.string(o, "identifierType", path, true);
        self.enum_value(o, "identifierType", path, IDENTIFIER_TYPES, true, false);
    }

    pub(super) fn result(&mut self, r: &Map<String, Value>, path: &str) {
        self.require_type(r, path, "Result", "result");
        self.iri(r, "achievedLevel", path, false);
        self.iri(r, "resultDescription", path, false);
        self.enum_value(r, "status", path, RESULT_STATUSES, false, true);
        self.string(r, "value", path, false);
        self.alignments(r, path);
    }
}
