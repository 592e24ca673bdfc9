//! Reading an archive's entries within the import's budget: each entry decompressed at most
//! once, every read charged ([`ImportLimits::max_archive_expanded_bytes`](crate::ImportLimits)).

use std::collections::BTreeMap;
use std::io::{Read, Seek};
use std::sync::Arc;

use crate::model::sha256_hex;

/// The archive's entries, read from the zip (in memory or a file) as they are needed, every
/// read charged to the import's budget
/// ([`ImportLimits::max_archive_expanded_bytes`](crate::ImportLimits)). Entries that may be
/// shared (kept documents) are decompressed at most once (cached); those read once per badge
/// (its original, its document) are not kept.
pub(super) struct Entries<R> {
    zip: zip::ZipArchive<R>,
    cache: BTreeMap<String, Arc<[u8]>>,
    /// The SHA-256 of each entry read, computed once.
    hashes: BTreeMap<String, String>,
    /// Kept-document references still allowed (`max_items` × 32 for the whole archive).
    refs_left: usize,
    refs_limit: usize,
    /// Bytes still allowed.
    budget: u64,
    limit: u64,
}

/// Why an entry could not be read: a problem of that entry (the badge fails), or the archive's
/// budget is spent (the whole archive is refused).
pub(super) enum EntryError {
    /// The entry is missing, unreadable or over its limit: why.
    Entry(String),
    /// The archive's budget is spent.
    Budget,
}

impl From<EntryError> for String {
    fn from(e: EntryError) -> Self {
        match e {
            EntryError::Entry(m) => m,
            EntryError::Budget => "the archive's decompression budget is spent".to_owned(),
        }
    }
}

impl<R: Read + Seek> Entries<R> {
    /// The entries of `zip`, allowed `budget` decompressed bytes and `refs` kept-document
    /// references in all.
    pub(super) fn new(zip: zip::ZipArchive<R>, budget: u64, refs: usize) -> Self {
        Entries {
            zip,
            cache: BTreeMap::new(),
            hashes: BTreeMap::new(),
            refs_left: refs,
            refs_limit: refs,
            budget,
            limit: budget,
        }
    }

    /// Counts one kept-document reference against the archive's allowance.
    pub(super) fn take_ref(&mut self) -> Result<(), EntryError> {
        self.refs_left = self.refs_left.checked_sub(1).ok_or(EntryError::Budget)?;
        Ok(())
    }

    /// Why the whole archive is refused once its budget is spent.
    pub(super) fn over_budget_reason(&self) -> String {
        format!(
            "the archive is refused: reading it would go over its budget of {} decompressed \
             bytes (ImportLimits::max_archive_expanded_bytes; every reference to an entry \
             counts) or {} document references",
            self.limit, self.refs_limit
        )
    }

    /// Charges `n` bytes read to the budget.
    fn charge(&mut self, n: usize) -> Result<(), EntryError> {
        self.budget = self
            .budget
            .checked_sub(n as u64)
            .ok_or(EntryError::Budget)?;
        Ok(())
    }

    /// The SHA-256 (lowercase hex) of the entry at `path`, already read as `body`.
    pub(super) fn sha256(&mut self, path: &str, body: &[u8]) -> String {
        self.hashes
            .entry(path.to_owned())
            .or_insert_with(|| sha256_hex(body))
            .clone()
    }

    /// The entry at `path`, at most `limit` bytes, kept for the next read of it.
    pub(super) fn read(&mut self, path: &str, limit: usize) -> Result<Arc<[u8]>, EntryError> {
        if let Some(hit) = self.cached(path, limit)? {
            return Ok(hit);
        }
        let out: Arc<[u8]> = Arc::from(self.decompress(path, limit)?);
        self.cache.insert(path.to_owned(), Arc::clone(&out));
        Ok(out)
    }

    /// The entry at `path`, at most `limit` bytes, not kept (decompressed again if read
    /// again): for an entry of one badge only.
    pub(super) fn read_uncached(
        &mut self,
        path: &str,
        limit: usize,
    ) -> Result<Vec<u8>, EntryError> {
        match self.cached(path, limit)? {
            Some(hit) => Ok(hit.to_vec()),
            None => self.decompress(path, limit),
        }
    }

    /// The entry at `path` if it is cached (charged to the budget again).
    fn cached(&mut self, path: &str, limit: usize) -> Result<Option<Arc<[u8]>>, EntryError> {
        let Some(hit) = self.cache.get(path).cloned() else {
            return Ok(None);
        };
        if hit.len() > limit {
            return Err(EntryError::Entry(format!(
                "{path}: over the limit of {limit} bytes"
            )));
        }
        self.charge(hit.len())?;
        Ok(Some(hit))
    }

    /// Decompresses the entry at `path`, at most `limit` bytes, charged to the budget.
    fn decompress(&mut self, path: &str, limit: usize) -> Result<Vec<u8>, EntryError> {
        let f = self
            .zip
            .by_name(path)
            .map_err(|e| EntryError::Entry(format!("{path}: {e}")))?;
        if f.size() > limit as u64 {
            return Err(EntryError::Entry(format!(
                "{path}: {} bytes is over the limit of {limit}",
                f.size()
            )));
        }
        // Never more than the budget left (plus one byte, to know it was exceeded).
        let cap = (limit as u64).min(self.budget).saturating_add(1);
        // Sized once from the entry's declared size (within the cap): read_to_end's doubling
        // would leave up to twice a large entry's size allocated (64 MiB for a 41 MiB manifest).
        let declared = usize::try_from(f.size().min(cap)).unwrap_or(0);
        let mut out = Vec::with_capacity(declared);
        f.take(cap)
            .read_to_end(&mut out)
            .map_err(|e| EntryError::Entry(format!("{path}: {e}")))?;
        if out.len() > limit {
            return Err(EntryError::Entry(format!(
                "{path}: over the limit of {limit} bytes"
            )));
        }
        self.charge(out.len())?;
        Ok(out)
    }
}
