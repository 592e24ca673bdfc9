//! Storage: the [`Store`] trait, the SQLite implementation ([`SqliteStore`], the default) and an
//! in-memory one ([`MemoryStore`], for tests and throw-away backpacks).
//!
//! Every change goes through [`Store::commit`], which applies a batch of [`Write`]s atomically:
//! all of them or none. One import is one batch, so a crash mid-import leaves no half-written
//! badge and loses nothing already stored.

mod memory;
mod sqlite;

pub use memory::MemoryStore;
pub use sqlite::{DB_FILE, SCHEMA_VERSION, SqliteStore};

use crate::Result;
use crate::model::{BadgeId, BadgeRecord, BadgeState, Collection, CollectionId, KeptDocument};
use openbadges_model::Identity;

/// One change to a store.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Write {
    /// Inserts a badge, or replaces the one with the same id (a superseding re-issue).
    PutBadge(Box<BadgeRecord>),
    /// Accepts or rejects a badge. Rejecting also removes it from every collection.
    SetBadgeState(BadgeId, BadgeState),
    /// Inserts or replaces a collection. Every member must be a stored badge.
    PutCollection(Collection),
    /// Deletes a collection (its badges stay).
    DeleteCollection(CollectionId),
    /// Adds one of the owner's verified identifiers (no-op if present).
    AddIdentifier(Identity),
    /// Removes one of the owner's identifiers (badges already matched stay).
    RemoveIdentifier(Identity),
    /// Sets the documents kept with a badge (replacing what it had): what verification fetched,
    /// for offline checks later. A document is stored once per (URL, content) and shared by
    /// every badge linked to it. The badge must be stored (earlier in the same batch is fine).
    PutDocuments(BadgeId, Vec<KeptDocument>),
}

/// Where a backpack keeps its badges, collections and the owner's identifiers.
///
/// Listing methods return records sorted by id, so everything built on them (exports, API
/// bodies) is deterministic.
pub trait Store {
    /// The badge with this id.
    ///
    /// # Errors
    /// [`Error::Storage`](crate::Error::Storage) or [`Error::Decode`](crate::Error::Decode).
    fn badge(&self, id: &BadgeId) -> Result<Option<BadgeRecord>>;

    /// Every badge, accepted and rejected, sorted by id.
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn badges(&self) -> Result<Vec<BadgeRecord>>;

    /// The ids of every badge, sorted (cheaper than [`Store::badges`] when only ids are needed,
    /// e.g. to export one badge at a time).
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn badge_ids(&self) -> Result<Vec<BadgeId>> {
        Ok(self.badges()?.into_iter().map(|b| b.id).collect())
    }

    /// The documents kept with a badge ([`Write::PutDocuments`]), sorted by URL then content.
    /// The default (for stores that keep none) is empty.
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn badge_documents(&self, id: &BadgeId) -> Result<Vec<KeptDocument>> {
        let _ = id;
        Ok(Vec::new())
    }

    /// Every collection, sorted by id.
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn collections(&self) -> Result<Vec<Collection>>;

    /// The owner's verified identifiers, sorted.
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn identifiers(&self) -> Result<Vec<Identity>>;

    /// Applies `writes` atomically: all or nothing.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) for a write naming a missing badge or
    /// collection (nothing is applied), [`Error::Storage`](crate::Error::Storage) otherwise.
    fn commit(&mut self, writes: Vec<Write>) -> Result<()>;

    /// The collection with this id.
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn collection(&self, id: &CollectionId) -> Result<Option<Collection>> {
        Ok(self.collections()?.into_iter().find(|c| &c.id == id))
    }

    /// Checks the store's internal consistency: every original's stored SHA-256 matches its
    /// bytes, every collection member exists. Returns the problems found (empty = consistent).
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn check(&self) -> Result<Vec<String>> {
        let badges = self.badges()?;
        let ids: std::collections::BTreeSet<&BadgeId> = badges.iter().map(|b| &b.id).collect();
        let mut problems = Vec::new();
        for b in &badges {
            if BadgeId::for_key(&b.dedup_key) != b.id {
                problems.push(format!("badge {} does not match its dedup key", b.id));
            }
        }
        for c in self.collections()? {
            for m in &c.members {
                if !ids.contains(m) {
                    problems.push(format!("collection {} names missing badge {m}", c.id));
                }
            }
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests;
