//! What the issuer remembers between issuances: [`IssuerState`] — the badges it issued with
//! their status-list index, the next free index, and the revoked badges.
//!
//! Every read and write of the state goes through the methods here; the rest of the issuer
//! never touches the maps. A store behind a trait (one file, a database) replaces this module
//! and keeps those methods.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The issuer's revocation state: which badges carry which status-list index, and which are
/// revoked. Persist it (serde) between runs; [`Issuer::with_state`](super::Issuer::with_state)
/// restores it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IssuerState {
    /// The next free status-list index.
    pub next_status_index: u64,
    /// Issued badges by UUID, with their status-list index (if an OB 3.0 form was issued).
    pub issued: BTreeMap<String, Option<u64>>,
    /// Revoked badges by UUID, with the public reason.
    pub revoked: BTreeMap<String, Option<String>>,
}

impl IssuerState {
    /// The status-list index the next credential with a `credentialStatus` gets.
    pub(super) fn next_status_index(&self) -> u64 {
        self.next_status_index
    }

    /// Records a badge issued under `uuid`, with the status-list index it took (if any), and
    /// moves the next free index past it.
    pub(super) fn record_issued(&mut self, uuid: String, status_index: Option<u64>) {
        if let Some(i) = status_index {
            self.next_status_index = i + 1;
        }
        self.issued.insert(uuid, status_index);
    }

    /// Whether `uuid` is a badge this issuer issued.
    pub(super) fn knows(&self, uuid: &str) -> bool {
        self.issued.contains_key(uuid)
    }

    /// The status-list index of badge `uuid`, if it has one.
    pub(super) fn status_index(&self, uuid: &str) -> Option<u64> {
        self.issued.get(uuid).copied().flatten()
    }

    /// Every status-list index handed out so far.
    pub(super) fn status_indexes(&self) -> impl Iterator<Item = u64> + '_ {
        self.issued.values().flatten().copied()
    }

    /// Records badge `uuid` as revoked, with an optional public reason.
    pub(super) fn record_revoked(&mut self, uuid: String, reason: Option<String>) {
        self.revoked.insert(uuid, reason);
    }

    /// Whether badge `uuid` is revoked.
    pub(super) fn is_revoked(&self, uuid: &str) -> bool {
        self.revoked.contains_key(uuid)
    }

    /// The revoked badges, by UUID in ascending order, with their reasons.
    pub(super) fn revoked(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.revoked
            .iter()
            .map(|(uuid, reason)| (uuid.as_str(), reason.as_deref()))
    }

    /// The status-list indexes of the revoked badges (those that have one).
    pub(super) fn revoked_status_indexes(&self) -> impl Iterator<Item = u64> + '_ {
        self.revoked.keys().filter_map(|u| self.status_index(u))
    }
}
