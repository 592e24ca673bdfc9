//! What both SQL stores share: the badge columns, a badge row as stored (text and bytes) and its
//! decoding into a [`BadgeRecord`], the decoding errors.

use chrono::{DateTime, Utc};

use crate::model::{
    BadgeId, BadgeRecord, BadgeState, DedupKey, InputKind, MatchedIdentity, Source, SourceKind,
    Verification, Visibility, parse_version,
};
use crate::{Error, Result};
use openbadges_proof::report::Status;

/// Stored record `id` is damaged: `message`.
pub(super) fn decode_err(id: &str, message: impl Into<String>) -> Error {
    Error::Decode {
        id: id.to_owned(),
        message: message.into(),
        source: None,
    }
}

/// Stored record `id` is damaged: `what` could not be decoded (`source` says why).
pub(super) fn decode_failed(
    id: &str,
    what: &str,
    source: impl std::error::Error + Send + Sync + 'static,
) -> Error {
    Error::Decode {
        id: id.to_owned(),
        message: format!("{what}: {source}"),
        source: Some(Box::new(source)),
    }
}

pub(super) fn parse_time(id: &str, s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| decode_failed(id, &format!("bad timestamp `{s}`"), e))
}

pub(super) const BADGE_COLUMNS: &str = "id, dedup_key, original, document, source_kind, source_location, \
    source_within, input_kind, version, class, recipient, state, imported_at, valid_from, \
    verification_status, verification_report, verified_at";

pub(super) struct RawBadge {
    pub(super) id: String,
    pub(super) dedup_key: String,
    pub(super) original: Vec<u8>,
    pub(super) document: String,
    pub(super) source_kind: String,
    pub(super) source_location: String,
    pub(super) source_within: Option<String>,
    pub(super) input_kind: String,
    pub(super) version: String,
    pub(super) class: Option<String>,
    pub(super) recipient: String,
    pub(super) state: String,
    pub(super) imported_at: String,
    pub(super) valid_from: Option<String>,
    pub(super) verification_status: String,
    pub(super) verification_report: String,
    pub(super) verified_at: String,
}

impl RawBadge {
    pub(super) fn decode(self) -> Result<BadgeRecord> {
        let id = self.id.as_str();
        let recipient: MatchedIdentity =
            serde_json::from_str(&self.recipient).map_err(|e| decode_failed(id, "recipient", e))?;
        Ok(BadgeRecord {
            id: BadgeId::parse(id)?,
            dedup_key: DedupKey::new(self.dedup_key),
            document: serde_json::from_str(&self.document)
                .map_err(|e| decode_failed(id, "document", e))?,
            source: Source {
                kind: SourceKind::parse(&self.source_kind)
                    .ok_or_else(|| decode_err(id, "unknown source kind"))?,
                location: self.source_location,
                within: self.source_within,
            },
            input_kind: InputKind::from_name(&self.input_kind)
                .ok_or_else(|| decode_err(id, "unknown input kind"))?,
            version: parse_version(&self.version)
                .ok_or_else(|| decode_err(id, "unknown version"))?,
            class: self.class,
            recipient,
            state: BadgeState::parse(&self.state).ok_or_else(|| decode_err(id, "unknown state"))?,
            imported_at: parse_time(id, &self.imported_at)?,
            valid_from: self
                .valid_from
                .as_deref()
                .map(|s| parse_time(id, s))
                .transpose()?,
            verification: Verification {
                status: Status::parse(&self.verification_status)
                    .ok_or_else(|| decode_err(id, "unknown verification status"))?,
                report: self.verification_report,
                checked_at: parse_time(id, &self.verified_at)?,
            },
            original: self.original,
        })
    }
}

/// A collection's stored visibility (`private`, `unlisted` with its token, `public`).
pub(super) fn visibility(id: &str, name: &str, token: Option<String>) -> Result<Visibility> {
    Ok(match (name, token) {
        ("private", _) => Visibility::Private,
        ("public", _) => Visibility::Public,
        ("unlisted", Some(token)) => Visibility::Unlisted { token },
        _ => return Err(decode_err(id, "bad visibility")),
    })
}
