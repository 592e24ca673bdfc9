//! The issuer on tokio (feature `tokio`): each `*_async` method runs its sync twin on tokio's
//! blocking pool (`spawn_blocking`), so the store's blocking I/O and the signing never hold an
//! async worker thread. The issuer is cheap to clone: each call moves a clone onto the pool.

use openbadges_model::Identity;

use super::{Badge, IssueOptions, Issued, Issuer, Revocation};
use crate::Error;
use crate::store::{Served, StoreError, StoreTransaction};

/// A hook for [`Issuer::issue_with_async`]: the caller's writes in the issuance's transaction.
pub type AsyncIssueHook =
    Box<dyn FnMut(&mut dyn StoreTransaction, &Issued) -> Result<(), StoreError> + Send>;

/// A hook for [`Issuer::revoke_with_async`]: the caller's writes in the revocation's
/// transaction (given the badge's UUID).
pub type AsyncRevokeHook =
    Box<dyn FnMut(&mut dyn StoreTransaction, &str) -> Result<(), StoreError> + Send>;

/// Runs `f` on tokio's blocking pool and waits for it without blocking the worker.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task(e.to_string()))?
}

impl Issuer {
    /// [`Issuer::issue`] on tokio's blocking pool.
    ///
    /// # Errors
    /// As [`Issuer::issue`]; [`Error::Task`] if the blocking task panicked or was cancelled.
    pub async fn issue_async(
        &self,
        recipient: &Identity,
        badge: &Badge,
        options: &IssueOptions,
    ) -> Result<Issued, Error> {
        let (issuer, recipient, badge, options) = (
            self.clone(),
            recipient.clone(),
            badge.clone(),
            options.clone(),
        );
        blocking(move || issuer.issue(&recipient, &badge, &options)).await
    }

    /// [`Issuer::issue_with`] on tokio's blocking pool; the hook runs there, inside the
    /// issuance's transaction.
    ///
    /// # Errors
    /// As [`Issuer::issue_with`]; [`Error::Task`] if the blocking task panicked or was
    /// cancelled.
    pub async fn issue_with_async(
        &self,
        recipient: &Identity,
        badge: &Badge,
        options: &IssueOptions,
        mut hook: AsyncIssueHook,
    ) -> Result<Issued, Error> {
        let (issuer, recipient, badge, options) = (
            self.clone(),
            recipient.clone(),
            badge.clone(),
            options.clone(),
        );
        blocking(move || issuer.issue_with(&recipient, &badge, &options, &mut *hook)).await
    }

    /// [`Issuer::revoke`] on tokio's blocking pool.
    ///
    /// # Errors
    /// As [`Issuer::revoke`]; [`Error::Task`] if the blocking task panicked or was cancelled.
    pub async fn revoke_async(&self, id: &str, reason: Option<&str>) -> Result<Revocation, Error> {
        let (issuer, id, reason) = (self.clone(), id.to_owned(), reason.map(str::to_owned));
        blocking(move || issuer.revoke(&id, reason.as_deref())).await
    }

    /// [`Issuer::revoke_with`] on tokio's blocking pool (the hook gets the badge's UUID).
    ///
    /// # Errors
    /// As [`Issuer::revoke_with`]; [`Error::Task`] if the blocking task panicked or was
    /// cancelled.
    pub async fn revoke_with_async(
        &self,
        id: &str,
        reason: Option<&str>,
        mut hook: AsyncRevokeHook,
    ) -> Result<Revocation, Error> {
        let (issuer, id, reason) = (self.clone(), id.to_owned(), reason.map(str::to_owned));
        blocking(move || issuer.revoke_with(&id, reason.as_deref(), &mut *hook)).await
    }

    /// [`Issuer::document`] on tokio's blocking pool.
    ///
    /// # Errors
    /// As [`Issuer::document`]; [`Error::Task`] if the blocking task panicked or was cancelled.
    pub async fn document_async(&self, path_or_url: &str) -> Result<Option<Served>, Error> {
        let (issuer, path) = (self.clone(), path_or_url.to_owned());
        blocking(move || issuer.document(&path)).await
    }

    /// [`Issuer::is_revoked`] on tokio's blocking pool.
    ///
    /// # Errors
    /// As [`Issuer::is_revoked`]; [`Error::Task`] if the blocking task panicked or was
    /// cancelled.
    pub async fn is_revoked_async(&self, id: &str) -> Result<bool, Error> {
        let (issuer, id) = (self.clone(), id.to_owned());
        blocking(move || issuer.is_revoked(&id)).await
    }
}
