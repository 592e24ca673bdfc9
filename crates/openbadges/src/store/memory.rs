//! [`MemoryIssuerStore`]: the issuer's state in this process's memory, behind one mutex.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::{
    IssuanceWrite, IssuedRecord, IssuerStore, RevokedBadge, RewriteFn, SqlValue, StoreError,
    StoreTransaction, StoredDocument, StoredKeys, TransactionFn,
};

/// An issuer store in memory: for tests and for [`Issuer::new`](crate::Issuer::new). Shared
/// by every clone of the issuers given it (one process), gone when dropped. Every operation
/// holds one mutex, so each is atomic; it has no SQL, so a hook's
/// [`StoreTransaction`] refuses statements with [`StoreError::Unsupported`]. `Debug` shows
/// counts, not contents.
#[derive(Default)]
pub struct MemoryIssuerStore {
    state: Mutex<State>,
}

impl std::fmt::Debug for MemoryIssuerStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.lock();
        f.debug_struct("MemoryIssuerStore")
            .field("issued", &s.issued.len())
            .field("documents", &s.documents.len())
            .field("revoked", &s.revoked.len())
            .finish()
    }
}

/// Everything the memory store holds.
#[derive(Debug, Default, Clone)]
struct State {
    keys: Option<StoredKeys>,
    next_status_index: u64,
    issued: BTreeMap<String, IssuedRecord>,
    documents: BTreeMap<String, StoredDocument>,
    revoked: BTreeMap<String, RevokedBadge>,
}

/// The transaction a memory store gives hooks: no SQL.
struct NoSql;

impl StoreTransaction for NoSql {
    fn execute(&mut self, _sql: &str, _params: &[SqlValue]) -> Result<u64, StoreError> {
        Err(StoreError::Unsupported(
            "the memory issuer store runs no SQL".into(),
        ))
    }

    fn query(
        &mut self,
        _sql: &str,
        _params: &[SqlValue],
    ) -> Result<Vec<Vec<SqlValue>>, StoreError> {
        Err(StoreError::Unsupported(
            "the memory issuer store runs no SQL".into(),
        ))
    }
}

impl MemoryIssuerStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere while holding the lock leaves consistent data (every write
        // below happens on a copy or after the checks), so a poisoned lock is still usable.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl IssuerStore for MemoryIssuerStore {
    fn keys_or_insert(&self, new_keys: &StoredKeys) -> Result<StoredKeys, StoreError> {
        let mut s = self.lock();
        Ok(s.keys.get_or_insert_with(|| new_keys.clone()).clone())
    }

    fn allocate_status_index(&self) -> Result<u64, StoreError> {
        let mut s = self.lock();
        let i = s.next_status_index;
        s.next_status_index = i.saturating_add(1);
        Ok(i)
    }

    fn commit_issuance(
        &self,
        issuance: IssuanceWrite<'_>,
        hook: &mut TransactionFn<'_>,
    ) -> Result<(), StoreError> {
        let mut s = self.lock();
        let record = issuance.record;
        if s.issued.contains_key(&record.uuid) {
            return Err(StoreError::Conflict(format!(
                "badge {} exists",
                record.uuid
            )));
        }
        if let Some(i) = record.status_index
            && s.issued.values().any(|r| r.status_index == Some(i))
        {
            return Err(StoreError::Conflict(format!("status index {i} is taken")));
        }
        hook(&mut NoSql)?;
        s.issued.insert(record.uuid.clone(), record.clone());
        for d in issuance.documents {
            s.documents.insert(d.path.clone(), d.clone());
        }
        for d in issuance.documents_if_absent {
            s.documents
                .entry(d.path.clone())
                .or_insert_with(|| d.clone());
        }
        Ok(())
    }

    fn issued(&self, uuid: &str) -> Result<Option<IssuedRecord>, StoreError> {
        Ok(self.lock().issued.get(uuid).cloned())
    }

    fn issued_uuids(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.lock().issued.keys().cloned().collect())
    }

    fn revoke(
        &self,
        uuid: &str,
        reason: Option<&str>,
        revoked_at: &str,
        rewrite: &mut RewriteFn<'_>,
        hook: &mut TransactionFn<'_>,
    ) -> Result<Option<Vec<StoredDocument>>, StoreError> {
        let mut s = self.lock();
        let Some(record) = s.issued.get(uuid) else {
            return Ok(None);
        };
        let entry = RevokedBadge {
            uuid: uuid.to_owned(),
            status_index: record.status_index,
            reason: reason.map(str::to_owned),
            revoked_at: revoked_at.to_owned(),
        };
        let mut revoked = s.revoked.clone();
        revoked.insert(uuid.to_owned(), entry);
        let all: Vec<RevokedBadge> = revoked.values().cloned().collect();
        let docs = rewrite(&all)?;
        hook(&mut NoSql)?;
        s.revoked = revoked;
        for d in &docs {
            s.documents.insert(d.path.clone(), d.clone());
        }
        Ok(Some(docs))
    }

    fn revoked(&self) -> Result<Vec<RevokedBadge>, StoreError> {
        Ok(self.lock().revoked.values().cloned().collect())
    }

    fn revocation(&self, uuid: &str) -> Result<Option<RevokedBadge>, StoreError> {
        Ok(self.lock().revoked.get(uuid).cloned())
    }

    fn document(&self, path: &str) -> Result<Option<StoredDocument>, StoreError> {
        Ok(self.lock().documents.get(path).cloned())
    }

    fn documents_under(&self, prefix: &str) -> Result<Vec<StoredDocument>, StoreError> {
        Ok(self
            .lock()
            .documents
            .range(prefix.to_owned()..)
            .take_while(|(p, _)| p.starts_with(prefix))
            .map(|(_, d)| d.clone())
            .collect())
    }

    fn put_documents_if_absent(&self, documents: &[StoredDocument]) -> Result<(), StoreError> {
        let mut s = self.lock();
        for d in documents {
            s.documents
                .entry(d.path.clone())
                .or_insert_with(|| d.clone());
        }
        Ok(())
    }

    fn transaction(&self, f: &mut TransactionFn<'_>) -> Result<(), StoreError> {
        let _held = self.lock();
        f(&mut NoSql)
    }
}
