//! What every request shares: the issuer and the verifier (both `Clone + Send + Sync`, an `Arc`
//! inside), opened once at start-up.

use std::sync::Arc;

use openbadges::proof::loader::HttpLimits;
use openbadges::store::{IssuerStore, SqlValue, StoreTransaction};
use openbadges::{Issuer, IssuerProfile, Verifier};

use crate::config::Config;
use crate::error::ServiceError;

/// The badge image used when a request names none of its own: a small SVG (baked with every
/// issued form).
pub const DEFAULT_BADGE_IMAGE: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128"><circle cx="64" cy="64" r="60" fill="#1d6fa5"/><text x="64" y="76" font-size="36" text-anchor="middle" fill="#fff">OB</text></svg>"##;

/// The service's own table, written in the same transaction as each badge (the issuance hook):
/// who asked for which badge. Its prefix (`svc_`) keeps it apart from the store's (`ob_`).
const CREATE_ISSUANCE_TABLE: &str = "CREATE TABLE IF NOT EXISTS svc_issuance (\
    uuid TEXT PRIMARY KEY, recipient TEXT NOT NULL, slug TEXT NOT NULL)";

/// The state every handler shares. Cloning it copies two `Arc`s and the base URL: no global
/// lock, no copy of the issuer or the verifier.
#[derive(Debug, Clone)]
pub struct Service {
    /// Issues, serves and revokes; every method takes `&self`, state lives in the store.
    pub issuer: Issuer,
    /// Verifies posted badges (online, within [`HttpLimits`]); its document cache is shared by
    /// every clone.
    pub verifier: Verifier,
    /// The public base URL (ends with `/`).
    pub base_url: String,
}

impl Service {
    /// Opens the store named by `config` (running its migrations), loads the issuer's keys from
    /// it or creates them, creates the service's own table, and builds the verifier.
    ///
    /// Blocking: the store connects and migrates here. Call it before the runtime starts or on
    /// `tokio::task::spawn_blocking`, never on an async worker thread.
    ///
    /// # Errors
    /// A store, configuration or I/O error.
    pub fn open(config: &Config, base_url: &str) -> Result<Service, ServiceError> {
        if config.uses_data_dir() {
            let dir = config.data_dir();
            std::fs::create_dir_all(&dir).map_err(|source| ServiceError::Io {
                context: format!("creating the data directory {}", dir.display()),
                source,
            })?;
        }
        let store: Arc<dyn IssuerStore> = openbadges::store::open(&config.database_url())?;
        create_own_table(&*store)?;
        let profile = IssuerProfile::new(config.issuer_name.clone(), config.issuer_email.clone());
        let issuer = Issuer::open(base_url, profile, store)?;
        // Online, within the default limits (timeout, size, redirects); the only non-public
        // hosts it may reach are the service's own public address and those given.
        let mut limits = HttpLimits::default();
        limits.allowed_hosts.extend(authority(issuer.base_url()));
        limits
            .allowed_hosts
            .extend(config.allow_hosts.iter().cloned());
        let verifier = Verifier::builder().online(limits).build()?;
        Ok(Service {
            base_url: issuer.base_url().to_owned(),
            verifier,
            issuer,
        })
    }

    /// The absolute URL of a request path on the public origin (`/assertions/…` →
    /// `https://badges.example.org/assertions/…`), which is how the issuer looks documents up.
    pub fn public_url(&self, path: &str) -> String {
        let origin = match authority_span(&self.base_url) {
            Some(end) => self.base_url.get(..end).unwrap_or(&self.base_url),
            None => self.base_url.trim_end_matches('/'),
        };
        format!("{origin}{path}")
    }
}

/// Creates `svc_issuance` if it does not exist. Two instances starting at once on PostgreSQL can
/// race on `CREATE TABLE IF NOT EXISTS` (a unique violation in the catalog): try again.
fn create_own_table(store: &dyn IssuerStore) -> Result<(), ServiceError> {
    let mut attempt = 0;
    loop {
        let result = store.transaction(&mut |tx: &mut dyn StoreTransaction| {
            tx.execute(CREATE_ISSUANCE_TABLE, &[]).map(|_| ())
        });
        match result {
            Ok(()) => return Ok(()),
            Err(_) if attempt < 5 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(50 * attempt));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Records who asked for badge `uuid` (the issuance hook's write, in the badge's transaction).
pub(crate) fn record_issuance(
    tx: &mut dyn StoreTransaction,
    uuid: &str,
    recipient: &str,
    slug: &str,
) -> Result<(), openbadges::store::StoreError> {
    tx.execute(
        "INSERT INTO svc_issuance (uuid, recipient, slug) VALUES ($1, $2, $3)",
        &[
            SqlValue::Text(uuid.to_owned()),
            SqlValue::Text(recipient.to_owned()),
            SqlValue::Text(slug.to_owned()),
        ],
    )
    .map(|_| ())
}

/// The end of `scheme://authority` in `url`, if it has one.
fn authority_span(url: &str) -> Option<usize> {
    let start = url.find("://")? + 3;
    let rest = url.get(start..)?;
    Some(start + rest.find('/').unwrap_or(rest.len()))
}

/// `host:port` of an `http`/`https` URL (the port defaulted from the scheme).
fn authority(url: &str) -> Option<String> {
    let start = url.find("://")? + 3;
    let end = authority_span(url)?;
    let auth = url.get(start..end)?;
    let auth = auth.rsplit('@').next().unwrap_or(auth);
    if auth.is_empty() {
        return None;
    }
    let has_port = auth.rsplit_once(':').is_some_and(|(_, p)| {
        !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !auth.ends_with(']')
    });
    if has_port {
        Some(auth.to_owned())
    } else if url.starts_with("https://") {
        Some(format!("{auth}:443"))
    } else {
        Some(format!("{auth}:80"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_has_a_port() {
        assert_eq!(
            authority("http://127.0.0.1:8080/").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            authority("https://badges.example.org/x/").as_deref(),
            Some("badges.example.org:443")
        );
        assert_eq!(authority("http://[::1]/").as_deref(), Some("[::1]:80"));
        assert_eq!(authority("nonsense"), None);
    }

    #[test]
    fn authority_span_ends_at_the_path() {
        let u = "https://badges.example.org/x/";
        assert_eq!(
            u.get(..authority_span(u).unwrap()),
            Some("https://badges.example.org")
        );
    }
}
