//! What the OpenID4VCI issuer keeps, in the issuer's own database (tables `oid4vci_*`), written
//! through [`IssuerStore::transaction`] with SQL that runs on SQLite and PostgreSQL alike. Every
//! secret (pre-authorized code, offer reference, access token, `c_nonce`) is stored as its
//! SHA-256 digest only, and each is consumed by one conditional `UPDATE`/`DELETE` whose row
//! count says who won: single use holds across every instance on the database.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::Error;
use crate::store::{IssuerStore, SqlValue, StoreError};

/// The tables. Each statement is idempotent.
const SCHEMA: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS oid4vci_offers (
        code_hash TEXT PRIMARY KEY,
        ref_hash TEXT NOT NULL UNIQUE,
        offer TEXT NOT NULL,
        subject TEXT NOT NULL,
        configurations TEXT NOT NULL,
        tx_code_hash TEXT,
        tx_failures BIGINT NOT NULL,
        redeemed BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS oid4vci_tokens (
        token_hash TEXT PRIMARY KEY,
        subject TEXT NOT NULL,
        remaining TEXT NOT NULL,
        expires_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS oid4vci_nonces (
        nonce_hash TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
    )",
];

/// The SHA-256 digest of a secret, base64url: what the tables keep instead of the secret.
pub(super) fn digest(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        secret.as_bytes(),
    ))
}

/// A fresh secret: 256 random bits, base64url.
pub(super) fn secret() -> Result<String, Error> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Random)?;
    Ok(URL_SAFE_NO_PAD.encode(b))
}

/// Creates the tables when missing (several instances starting at once on PostgreSQL may
/// collide on the catalog: the loser retries).
pub(super) fn migrate(store: &Arc<dyn IssuerStore>) -> Result<(), Error> {
    let mut last = None;
    for round in 0..5u64 {
        match store.transaction(&mut |tx| {
            for sql in SCHEMA {
                tx.execute(sql, &[])?;
            }
            Ok(())
        }) {
            Ok(()) => return Ok(()),
            Err(StoreError::Unsupported(m)) => {
                return Err(Error::Config(format!(
                    "OpenID4VCI keeps its codes in the issuer's SQL database (SQLite or PostgreSQL), not in {m}"
                )));
            }
            Err(e) => last = Some(e),
        }
        std::thread::sleep(std::time::Duration::from_millis(50 * (round + 1)));
    }
    Err(Error::Store(last.unwrap_or_else(|| {
        StoreError::Database("creating the OpenID4VCI tables".into())
    })))
}

/// Text in column `i` of `row`.
pub(super) fn text(row: &[SqlValue], i: usize) -> Option<String> {
    row.get(i).and_then(SqlValue::as_str).map(str::to_owned)
}

/// The integer in column `i` of `row`.
pub(super) fn int(row: &[SqlValue], i: usize) -> Option<i64> {
    row.get(i).and_then(SqlValue::as_i64)
}
