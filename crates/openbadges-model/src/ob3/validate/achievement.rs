//! Achievements: criteria, result descriptions with their rubric levels, alignments, related
//! achievements and other identifiers.

use serde_json::{Map, Value};

use super::Checker;
use super::checks::each;
use super::vocab::{ACHIEVEMENT_TYPES, ALIGNMENT_TARGET_TYPES, RESULT_TYPES};
use crate::ProblemCode;
use crate::member::Members;

impl Checker {
    pub(super) fn achievement(&mut self, a: &Map<String, Value>, path: &str) {
        self.require_type(a, path, "Achievement", "achievement");
        self.iri(a, "id", path, true);
        self.string(a, "name", path, true);
        self.string(a, "description", path, true);
        if let Some((cr, p)) = self.single_object(a, "criteria", path, "a Criteria", true) {
            self.iri(cr, "id", &p, false);
            self.string(cr, "narrative", &p, false);
            let has_id = cr.member("id").is_some_and(Value::is_string);
            let has_narrative = cr.member("narrative").is_some_and(Value::is_string);
            if !has_id && !has_narrative {
                self.error(
                    ProblemCode::MissingProperty,
                    &p,
                    "`criteria` must have an `id` or a `narrative`",
                );
            }
        }
        self.enum_value(a, "achievementType", path, ACHIEVEMENT_TYPES, true, true);
        if let Some((cr, p)) = self.single_object(a, "creator", path, "a Profile", false) {
            self.profile_as(cr, &p, "creator");
        }
        self.number(a, "creditsAvailable", path);
        self.strings(
            a,
            &[
                "fieldOfStudy",
                "humanCode",
                "inLanguage",
                "specialization",
                "version",
            ],
            path,
        );
        self.image(a, "image", path);
        self.alignments(a, path);
        self.objects(
            a,
            "otherIdentifier",
            path,
            "an IdentifierEntry",
            |c, o, p| {
                c.identifier_entry(o, p);
            },
        );
        self.objects(a, "related", path, "a Related", |c, r, p| {
            c.require_type(r, p, "Related", "related");
            c.iri(r, "id", p, true);
        });
        self.objects(
            a,
            "resultDescription",
            path,
            "a ResultDescription",
            |c, rd, p| c.result_description(rd, p),
        );
        for (v, p) in each(a, "tag", path) {
            if !v.is_string() {
                self.error(ProblemCode::WrongType, &p, "each `tag` must be a string");
            }
        }
        self.endorsements(a, path);
    }

    pub(super) fn result_description(&mut self, rd: &Map<String, Value>, path: &str) {
        self.require_type(rd, path, "ResultDescription", "resultDescription");
        self.iri(rd, "id", path, true);
        self.string(rd, "name", path, true);
        self.string(rd, "resultType", path, true);
        self.enum_value(rd, "resultType", path, RESULT_TYPES, true, true);
        self.iri(rd, "requiredLevel", path, false);
        self.strings(rd, &["requiredValue", "valueMax", "valueMin"], path);
        self.alignments(rd, path);
        self.objects(
            rd,
            "rubricCriterionLevel",
            path,
            "a RubricCriterionLevel",
            |c, l, p| {
                c.require_type(l, p, "RubricCriterionLevel", "rubricCriterionLevel");
                c.iri(l, "id", p, true);
                c.string(l, "name", p, true);
                c.strings(l, &["description", "level", "points"], p);
                c.alignments(l, p);
            },
        );
    }

    pub(super) fn alignments(&mut self, o: &Map<String, Value>, path: &str) {
        self.objects(o, "alignment", path, "an Alignment", |c, al, p| {
            c.require_type(al, p, "Alignment", "alignment");
            c.string(al, "targetName", p, true);
            c.iri(al, "targetUrl", p, true);
            c.strings(
                al,
                &["targetCode", "targetDescription", "targetFramework"],
                p,
            );
            c.enum_value(al, "targetType", p, ALIGNMENT_TARGET_TYPES, true, true);
        });
    }
}
