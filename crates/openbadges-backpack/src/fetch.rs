//! Fetching hosted badges: the backpack asks a [`Fetcher`] for the document behind a URL (a
//! hosted assertion given as a URL, or baked into an image as one).
//!
//! The crate ships no network code: the proof crate's guarded HTTP loader (SSRF guard, size,
//! redirect and time limits) is the production fetcher; tests use a map of URLs to files.
//! Without a fetcher, URL inputs fail with a clear reason.

use std::sync::Arc;

/// Fetches the bytes at a URL.
pub trait Fetcher {
    /// The body at `url`, at most `max_bytes` long.
    ///
    /// # Errors
    /// Why it could not be fetched (refused address, not found, too large, timed out, …), as a
    /// message for the import report.
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String>;

    /// [`fetch`](Fetcher::fetch), as a shared body: a fetcher that holds what it serves (a
    /// cache: [`LoaderFetcher`](crate::proof::LoaderFetcher)) hands out its own allocation, so
    /// that a document many badges keep (their image) is one copy, hashed once per commit. The
    /// default copies what `fetch` returns.
    ///
    /// # Errors
    /// As [`fetch`](Fetcher::fetch).
    fn fetch_shared(&self, url: &str, max_bytes: usize) -> Result<Arc<[u8]>, String> {
        self.fetch(url, max_bytes).map(Arc::from)
    }
}

impl<F: Fetcher + ?Sized> Fetcher for &F {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        (**self).fetch(url, max_bytes)
    }

    fn fetch_shared(&self, url: &str, max_bytes: usize) -> Result<Arc<[u8]>, String> {
        (**self).fetch_shared(url, max_bytes)
    }
}

impl<F: Fetcher + ?Sized> Fetcher for Box<F> {
    fn fetch(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, String> {
        (**self).fetch(url, max_bytes)
    }

    fn fetch_shared(&self, url: &str, max_bytes: usize) -> Result<Arc<[u8]>, String> {
        (**self).fetch_shared(url, max_bytes)
    }
}
