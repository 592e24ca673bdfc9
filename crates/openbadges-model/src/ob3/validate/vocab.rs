//! The closed and extensible value lists of OB 3.0 / CLR 2.0 (achievement types, result types,
//! identifier types, …) and the `ext:` extension rule.

/// Values of `achievementType` (plus `ext:` extensions).
pub(super) const ACHIEVEMENT_TYPES: &[&str] = &[
    "Achievement",
    "ApprenticeshipCertificate",
    "Assessment",
    "Assignment",
    "AssociateDegree",
    "Award",
    "Badge",
    "BachelorDegree",
    "Certificate",
    "CertificateOfCompletion",
    "Certification",
    "CommunityService",
    "Competency",
    "Course",
    "CoCurricular",
    "Degree",
    "Diploma",
    "DoctoralDegree",
    "Fieldwork",
    "GeneralEducationDevelopment",
    "JourneymanCertificate",
    "LearningProgram",
    "License",
    "Membership",
    "ProfessionalDoctorate",
    "QualityAssuranceCredential",
    "MasterCertificate",
    "MasterDegree",
    "MicroCredential",
    "ResearchDoctorate",
    "SecondarySchoolDiploma",
];

/// Values of `Alignment.targetType` (plus `ext:` extensions).
pub(super) const ALIGNMENT_TARGET_TYPES: &[&str] = &[
    "ceasn:Competency",
    "ceterms:Credential",
    "CFItem",
    "CFRubric",
    "CFRubricCriterion",
    "CFRubricCriterionLevel",
    "CTDL",
];

/// Values of `ResultDescription.resultType` (plus `ext:` extensions).
pub(super) const RESULT_TYPES: &[&str] = &[
    "GradePointAverage",
    "LetterGrade",
    "Percent",
    "PerformanceLevel",
    "PredictedScore",
    "RawScore",
    "Result",
    "RubricCriterion",
    "RubricCriterionLevel",
    "RubricScore",
    "ScaledScore",
    "Status",
];

/// Values of `Result.status` (a closed enumeration).
pub(super) const RESULT_STATUSES: &[&str] = &[
    "Completed",
    "Enrolled",
    "Failed",
    "InProgress",
    "OnHold",
    "Provisional",
    "Withdrew",
];

/// Known values of `identityType` / `identifierType` (plus `ext:` extensions). Values outside
/// this list are reported as warnings: the list comes from the 1EdTech common data model and may
/// grow.
pub(super) const IDENTIFIER_TYPES: &[&str] = &[
    "name",
    "sourcedId",
    "systemId",
    "productId",
    "userName",
    "accountId",
    "emailAddress",
    "nationalIdentityNumber",
    "isbn",
    "issn",
    "lisSourcedId",
    "oneRosterSourcedId",
    "sisSourcedId",
    "ltiContextId",
    "ltiDeploymentId",
    "ltiToolId",
    "ltiPlatformId",
    "ltiUserId",
    "identifier",
];

/// Known values of CLR `associationType` (unknown values are warnings).
pub(super) const ASSOCIATION_TYPES: &[&str] = &[
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
];

pub(super) fn is_enum_or_ext(value: &str, allowed: &[&str]) -> bool {
    allowed.contains(&value)
        || value.strip_prefix("ext:").is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'|'))
        })
}
