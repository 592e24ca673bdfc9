//! The in-memory store.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::{GrantRow, Store, Write};
use crate::model::{BadgeId, BadgeRecord, BadgeState, Collection, CollectionId, KeptDocument};
use crate::{Error, Result};
use openbadges_model::Identity;

/// A store held in memory: for tests and throw-away backpacks. Commits are atomic (applied to a
/// copy that replaces the state only when every write succeeded). `Send + Sync`: threads
/// sharing one (`Arc<MemoryStore>`) see each other's commits; a clone is an independent copy.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: RwLock<State>,
}

impl Clone for MemoryStore {
    fn clone(&self) -> Self {
        MemoryStore {
            state: RwLock::new(self.state().clone()),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct State {
    badges: BTreeMap<BadgeId, BadgeRecord>,
    collections: BTreeMap<CollectionId, Collection>,
    identifiers: BTreeSet<Identity>,
    /// Kept documents by (URL, SHA-256), shared across badges.
    documents: BTreeMap<(String, String), KeptDocument>,
    /// Which kept documents each badge links to.
    links: BTreeMap<BadgeId, BTreeSet<(String, String)>>,
    /// OAuth 2.0 grant records by (kind, key).
    grants: BTreeMap<(String, String), super::GrantRow>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// The state. A commit replaces it whole, so a poisoned lock still guards a whole state.
    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn state(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn apply(&mut self, w: Write) -> Result<()> {
        match w {
            Write::PutBadge(b) => {
                self.badges.insert(b.id.clone(), *b);
            }
            Write::SetBadgeState(id, state) => {
                let b = self.badges.get_mut(&id).ok_or_else(|| Error::NotFound {
                    what: "badge",
                    id: id.to_string(),
                })?;
                b.state = state;
                if state == BadgeState::Rejected {
                    for c in self.collections.values_mut() {
                        c.members.retain(|m| m != &id);
                    }
                }
            }
            Write::PutCollection(c) => {
                let mut seen = BTreeSet::new();
                for m in &c.members {
                    if !self.badges.contains_key(m) {
                        return Err(Error::NotFound {
                            what: "badge",
                            id: m.to_string(),
                        });
                    }
                    if !seen.insert(m) {
                        return Err(Error::InvalidArgument(format!(
                            "badge {m} appears twice in collection {}",
                            c.id
                        )));
                    }
                }
                self.collections.insert(c.id.clone(), c);
            }
            Write::DeleteCollection(id) => {
                self.collections
                    .remove(&id)
                    .ok_or_else(|| Error::NotFound {
                        what: "collection",
                        id: id.to_string(),
                    })?;
            }
            Write::AddIdentifier(i) => {
                self.identifiers.insert(i);
            }
            Write::RemoveIdentifier(i) => {
                self.identifiers.remove(&i);
            }
            Write::PutDocuments(id, docs) => {
                if !self.badges.contains_key(&id) {
                    return Err(Error::NotFound {
                        what: "badge",
                        id: id.to_string(),
                    });
                }
                let mut keys = BTreeSet::new();
                for d in docs {
                    let key = (d.url.clone(), d.sha256());
                    self.documents.entry(key.clone()).or_insert(d);
                    keys.insert(key);
                }
                if keys.is_empty() {
                    self.links.remove(&id);
                } else {
                    self.links.insert(id, keys);
                }
            }
        }
        Ok(())
    }
}

impl Store for MemoryStore {
    fn badge(&self, id: &BadgeId) -> Result<Option<BadgeRecord>> {
        Ok(self.state().badges.get(id).cloned())
    }

    fn badges(&self) -> Result<Vec<BadgeRecord>> {
        Ok(self.state().badges.values().cloned().collect())
    }

    fn badge_ids(&self) -> Result<Vec<BadgeId>> {
        Ok(self.state().badges.keys().cloned().collect())
    }

    fn badge_documents(&self, id: &BadgeId) -> Result<Vec<KeptDocument>> {
        let state = self.state();
        Ok(state
            .links
            .get(id)
            .map(|keys| {
                keys.iter()
                    .filter_map(|k| state.documents.get(k).cloned())
                    .collect()
            })
            .unwrap_or_default())
    }

    fn collections(&self) -> Result<Vec<Collection>> {
        Ok(self.state().collections.values().cloned().collect())
    }

    fn identifiers(&self) -> Result<Vec<Identity>> {
        Ok(self.state().identifiers.iter().cloned().collect())
    }

    fn grant_put(&self, row: &GrantRow) -> Result<()> {
        self.write()
            .grants
            .insert((row.kind.clone(), row.key.clone()), row.clone());
        Ok(())
    }

    fn grant_get(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
        Ok(self
            .state()
            .grants
            .get(&(kind.to_owned(), key.to_owned()))
            .filter(|g| g.expires_at.is_none_or(|e| e > now))
            .map(|g| g.value.clone()))
    }

    fn grant_take(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
        Ok(self
            .write()
            .grants
            .remove(&(kind.to_owned(), key.to_owned()))
            .filter(|g| g.expires_at.is_none_or(|e| e > now))
            .map(|g| g.value))
    }

    fn grant_revoke_family(&self, family: &str, now: i64) -> Result<usize> {
        let mut st = self.write();
        let before = st.grants.len();
        st.grants.retain(|_, g| g.family.as_deref() != Some(family));
        let removed = before - st.grants.len();
        st.grants
            .retain(|_, g| g.expires_at.is_none_or(|e| e > now));
        Ok(removed)
    }

    fn commit(&self, writes: Vec<Write>) -> Result<()> {
        let mut state = self.state.write().unwrap_or_else(PoisonError::into_inner);
        let mut next = state.clone();
        for w in writes {
            next.apply(w)?;
        }
        *state = next;
        Ok(())
    }
}
