//! Storage: the [`Store`] trait, the SQLite implementation ([`SqliteStore`], the default), the
//! PostgreSQL one (`PostgresStore`, feature `postgres`) and an in-memory one ([`MemoryStore`],
//! for tests and throw-away backpacks). [`open`] picks one from a URL.
//!
//! Every change goes through [`Store::commit`], which applies a batch of [`Write`]s atomically:
//! all of them or none. One import is one batch, so a crash mid-import leaves no half-written
//! badge and loses nothing already stored.
//!
//! Every store is `Send + Sync` and commits through `&self`: share one between threads as an
//! `Arc` (`Arc<S>`, `Box<S>` and `&S` are stores too, so a [`Backpack`](crate::Backpack) can be
//! built over any of them). The methods block on I/O; async code calls them from
//! `tokio::task::spawn_blocking`.

mod memory;
#[cfg(feature = "postgres")]
mod postgres;
mod rows;
mod sqlite;

pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresOptions, PostgresStore};
pub use sqlite::{DB_FILE, SCHEMA_VERSION, SqliteStore};

use crate::model::{BadgeId, BadgeRecord, BadgeState, Collection, CollectionId, KeptDocument};
use crate::{Error, Result};
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
/// bodies) is deterministic. `Debug` so that a `Box<dyn Store + Send + Sync>` can sit in an
/// application's own `Debug` types (no store's `Debug` shows a password).
pub trait Store: std::fmt::Debug {
    /// The badge with this id.
    ///
    /// # Errors
    /// [`Error::Storage`] or [`Error::Decode`].
    fn badge(&self, id: &BadgeId) -> Result<Option<BadgeRecord>>;

    /// The badges with these ids, in their order (`None` for an id not stored): what
    /// [`Store::badge`] answers for each, read together — [`SqliteStore`] in one read
    /// transaction instead of one per badge. The default asks [`Store::badge`] for each.
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn badges_by_id(&self, ids: &[BadgeId]) -> Result<Vec<Option<BadgeRecord>>> {
        ids.iter().map(|id| self.badge(id)).collect()
    }

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
    /// [`Error::NotFound`] for a write naming a missing badge or
    /// collection (nothing is applied), [`Error::Storage`] otherwise.
    fn commit(&self, writes: Vec<Write>) -> Result<()>;

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

    /// Everything [`Store::check`] checks, plus what the backend can check of itself: SQLite's
    /// and PostgreSQL's stores also check every stored original and kept document against its
    /// stored SHA-256 (and SQLite runs its own `integrity_check`). Returns the problems found
    /// (empty = consistent). The default is [`Store::check`].
    ///
    /// # Errors
    /// As [`Store::badge`].
    fn integrity_check(&self) -> Result<Vec<String>> {
        self.check()
    }

    /// Keeps an OAuth 2.0 grant record ([`GrantRow`]; the OB 3.0 API host's clients, codes and
    /// tokens, see [`crate::oauth::host`]), replacing one with the same kind and key.
    ///
    /// # Errors
    /// Storage errors; [`Error::InvalidArgument`] from a store that keeps no grants.
    fn grant_put(&self, row: &GrantRow) -> Result<()> {
        let _ = row;
        Err(no_grants())
    }

    /// The value of the grant record `kind`/`key` that has not expired at `now` (seconds since
    /// the epoch).
    ///
    /// # Errors
    /// Storage errors; [`Error::InvalidArgument`] from a store that keeps no grants.
    fn grant_get(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
        let _ = (kind, key, now);
        Err(no_grants())
    }

    /// Removes the grant record `kind`/`key` and returns its value if it had not expired at
    /// `now`: atomic, so of several callers (threads, processes sharing the database) at most
    /// one receives it. Single-use codes and rotated refresh tokens are taken this way.
    ///
    /// # Errors
    /// Storage errors; [`Error::InvalidArgument`] from a store that keeps no grants.
    fn grant_take(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
        let _ = (kind, key, now);
        Err(no_grants())
    }

    /// Removes every grant record of `family` (one authorization: its access and refresh
    /// tokens) and, as housekeeping, every record expired at `now`. Returns how many records of
    /// the family were removed.
    ///
    /// # Errors
    /// Storage errors; [`Error::InvalidArgument`] from a store that keeps no grants.
    fn grant_revoke_family(&self, family: &str, now: i64) -> Result<usize> {
        let _ = (family, now);
        Err(no_grants())
    }
}

fn no_grants() -> Error {
    Error::InvalidArgument("this store keeps no OAuth grants".into())
}

/// One OAuth 2.0 grant record as a [`Store`] keeps it: what it is (`kind`), its key (a client
/// id, or the SHA-256 of a code or token: secrets are never stored), the authorization it
/// belongs to (`family`), its value (JSON) and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    /// `client`, `code`, `access`, `refresh`, `profile`, …
    pub kind: String,
    /// The key within the kind.
    pub key: String,
    /// The authorization it belongs to (revoked together), if any.
    pub family: Option<String>,
    /// The value (JSON text).
    pub value: String,
    /// When it expires (seconds since the epoch); `None`: never.
    pub expires_at: Option<i64>,
}

/// A store behind a pointer is a store: `&S`, `Box<S>`, `Arc<S>` (so `Box<dyn Store + Send +
/// Sync>` from [`open`], or an `Arc` of it shared between threads, can back a
/// [`Backpack`](crate::Backpack)). Every method forwards, including the provided ones.
macro_rules! forward_store {
    ($($ptr:ty),*) => {$(
        impl<S: Store + ?Sized> Store for $ptr {
            fn badge(&self, id: &BadgeId) -> Result<Option<BadgeRecord>> {
                (**self).badge(id)
            }
            fn badges_by_id(&self, ids: &[BadgeId]) -> Result<Vec<Option<BadgeRecord>>> {
                (**self).badges_by_id(ids)
            }
            fn badges(&self) -> Result<Vec<BadgeRecord>> {
                (**self).badges()
            }
            fn badge_ids(&self) -> Result<Vec<BadgeId>> {
                (**self).badge_ids()
            }
            fn badge_documents(&self, id: &BadgeId) -> Result<Vec<KeptDocument>> {
                (**self).badge_documents(id)
            }
            fn collections(&self) -> Result<Vec<Collection>> {
                (**self).collections()
            }
            fn identifiers(&self) -> Result<Vec<Identity>> {
                (**self).identifiers()
            }
            fn commit(&self, writes: Vec<Write>) -> Result<()> {
                (**self).commit(writes)
            }
            fn collection(&self, id: &CollectionId) -> Result<Option<Collection>> {
                (**self).collection(id)
            }
            fn check(&self) -> Result<Vec<String>> {
                (**self).check()
            }
            fn integrity_check(&self) -> Result<Vec<String>> {
                (**self).integrity_check()
            }
            fn grant_put(&self, row: &GrantRow) -> Result<()> {
                (**self).grant_put(row)
            }
            fn grant_get(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
                (**self).grant_get(kind, key, now)
            }
            fn grant_take(&self, kind: &str, key: &str, now: i64) -> Result<Option<String>> {
                (**self).grant_take(kind, key, now)
            }
            fn grant_revoke_family(&self, family: &str, now: i64) -> Result<usize> {
                (**self).grant_revoke_family(family, now)
            }
        }
    )*};
}

forward_store!(&S, Box<S>, std::sync::Arc<S>);

/// Opens the store a URL names, migrated and ready:
///
/// - `sqlite:PATH` (or `sqlite://PATH`): the SQLite file at `PATH`, created on first use
///   ([`SqliteStore::open`]);
/// - `postgres://…` or `postgresql://…` (feature `postgres`): a PostgreSQL database, in schema
///   `backpack` with the default pool (`PostgresStore::open`);
/// - `memory:`: an empty [`MemoryStore`].
///
/// The result is `Send + Sync`; `Arc::from` it to share it between threads.
///
/// ```
/// let store = openbadges_backpack::store::open("memory:")?;
/// assert!(store.badges()?.is_empty());
/// # Ok::<(), openbadges_backpack::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidArgument`] for any other URL (or `postgres://` without the `postgres`
/// feature); otherwise what the store's own `open` returns.
pub fn open(url: &str) -> Result<Box<dyn Store + Send + Sync>> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let path = path.strip_prefix("//").unwrap_or(path);
        if path.is_empty() {
            return Err(Error::InvalidArgument(
                "`sqlite:` needs a file path (sqlite:PATH)".into(),
            ));
        }
        return Ok(Box::new(SqliteStore::open(path)?));
    }
    if url == "memory:" {
        return Ok(Box::new(MemoryStore::new()));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return Ok(Box::new(PostgresStore::open(url)?));
        #[cfg(not(feature = "postgres"))]
        return Err(Error::InvalidArgument(
            "a PostgreSQL backpack needs the `postgres` feature of openbadges-backpack".into(),
        ));
    }
    // Never echo the URL: it may carry a password.
    let scheme = url.split_once(':').map_or("", |(s, _)| s);
    Err(Error::InvalidArgument(format!(
        "unsupported backpack store URL scheme `{scheme}` (expected sqlite:PATH, postgres://… or memory:)"
    )))
}

/// The SHA-256 of the kept documents' bodies of one commit, each allocation hashed once: a
/// batch's badges share the bodies of their issuer, key, class and image
/// ([`KeptDocument::body`](crate::model::KeptDocument) is an `Arc<[u8]>` handed out by the
/// import). Keyed on the allocation, which the map keeps alive for the commit, so the same key
/// is always the same bytes; bounded by the commit's documents.
#[derive(Default)]
pub(crate) struct BodyDigests {
    /// By (address, length) of the allocation: the body, kept alive, and its digest.
    seen: std::collections::HashMap<(usize, usize), Digested>,
}

/// A body kept alive with its SHA-256 (lowercase hex).
type Digested = (std::sync::Arc<[u8]>, String);

impl BodyDigests {
    /// The lowercase hex SHA-256 of `body`.
    pub(crate) fn sha256(&mut self, body: &std::sync::Arc<[u8]>) -> String {
        let key = (
            std::sync::Arc::as_ptr(body).cast::<u8>() as usize,
            body.len(),
        );
        self.seen
            .entry(key)
            .or_insert_with(|| (std::sync::Arc::clone(body), crate::model::sha256_hex(body)))
            .1
            .clone()
    }
}

#[cfg(test)]
mod tests;
