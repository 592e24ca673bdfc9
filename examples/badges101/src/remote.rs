//! "Send to backpack" to **another** OB 3.0 API host, by its URL, through the library's OB 3.0
//! API client (`openbadges::backpack::client`): discover the host, register once per host
//! (kept in the database), send the learner to the host's consent page, receive the code on
//! `/backpack/callback`, exchange it, push the badge. The app's own backpack (the push queue)
//! stays the default.
//!
//! Tables (in the app's database, SQL for SQLite and PostgreSQL alike):
//! - `b101_backpack_clients`: this app's registration with each host (by discovery URL),
//!   shared by every instance; the first registration stored wins.
//! - `b101_backpack_sends`: one row per authorization sent to a host, by its `state`: the
//!   attempt, the badge, the host, the pending authorization (PKCE verifier) and the outcome.
//!   The callback takes a row with a compare-and-set (`outcome` `pending` → `exchanging`), so
//!   a callback is used once across all instances. `seq` orders a badge's rows by their last
//!   change (the badge page shows the latest).

use std::sync::Arc;

use openbadges::backpack::client::{
    self, ApiClient, ClientError, CredentialBody, PendingAuthorization, Registration,
};
use openbadges::backpack::oauth::{SCOPE_UPSERT, ServiceDescription};
use openbadges::store::{IssuerStore, StoreError};
use serde::{Deserialize, Serialize};

use crate::db::{self, required_text, text, with_tx};
use crate::routes::{Ctx, Reply, blocking};
use crate::state::Refused;

/// The path of the callback (the redirect URI registered with every host).
pub(crate) const CALLBACK_PATH: &str = "/backpack/callback";

/// The tables. Each statement is idempotent.
const SCHEMA: [&str; 3] = [
    "CREATE TABLE IF NOT EXISTS b101_backpack_clients (
        discovery_url TEXT PRIMARY KEY,
        registration TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS b101_backpack_sends (
        state TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        badge_uuid TEXT NOT NULL,
        host TEXT NOT NULL,
        pending TEXT,
        outcome TEXT NOT NULL,
        detail TEXT,
        seq BIGINT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS b101_backpack_sends_badge ON b101_backpack_sends (badge_uuid, seq)",
];

/// Creates the tables when missing.
///
/// # Errors
/// A database error.
pub(crate) fn migrate(store: &dyn IssuerStore) -> Result<(), StoreError> {
    store.transaction(&mut |tx| {
        for sql in SCHEMA {
            tx.execute(sql, &[])?;
        }
        Ok(())
    })
}

/// What is kept while the learner is at the host's consent page.
#[derive(Serialize, Deserialize)]
struct Pending {
    service: ServiceDescription,
    authorization: PendingAuthorization,
}

/// The last send of a badge to another host, for the badge page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RemoteSend {
    /// The learner is at the host (or never came back).
    Waiting(String),
    /// The host has it.
    Sent(String),
    /// It failed: the host, why.
    Failed(String, String),
}

/// The last send of badge `uuid` to another host, if any.
pub(crate) fn last_send(
    store: &dyn IssuerStore,
    uuid: &str,
) -> Result<Option<RemoteSend>, Refused> {
    let row = with_tx(store, |tx| {
        tx.query(
            "SELECT host, outcome, detail FROM b101_backpack_sends WHERE badge_uuid = $1 \
                 ORDER BY seq DESC LIMIT 1",
            &[uuid.into()],
        )?
        .first()
        .map(|r| -> Result<_, StoreError> {
            Ok((required_text(r, 0)?, required_text(r, 1)?, text(r, 2)?))
        })
        .transpose()
    })?;
    Ok(row.map(|(host, outcome, detail)| match outcome.as_str() {
        "sent" => RemoteSend::Sent(host),
        "failed" => RemoteSend::Failed(host, detail.unwrap_or_default()),
        _ => RemoteSend::Waiting(host),
    }))
}

/// The host's name as the learner wrote it (for the pages): its origin.
fn host_name(host_url: &str) -> String {
    url::Url::parse(host_url.trim()).map_or_else(
        |_| host_url.trim().to_owned(),
        |u| u.origin().ascii_serialization(),
    )
}

/// Records a failed send (with a fresh random key).
fn record_failure(store: &dyn IssuerStore, tok: &str, uuid: &str, host: &str, why: &str) {
    let key = match crate::state::token() {
        Ok(k) => format!("failed-{k}"),
        Err(_) => return,
    };
    let r = with_tx(store, |tx| {
        tx.execute(
            "INSERT INTO b101_backpack_sends (state, token, badge_uuid, host, pending, outcome, \
             detail, seq, created_at) VALUES ($1, $2, $3, $4, NULL, 'failed', $5, \
             (SELECT COALESCE(MAX(seq), 0) + 1 FROM b101_backpack_sends WHERE badge_uuid = $3), $6)",
            &[
                key.as_str().into(),
                tok.into(),
                uuid.into(),
                host.into(),
                why.into(),
                db::now().into(),
            ],
        )
    });
    if let Err(e) = r {
        eprintln!("badges101: recording a failed send: {e}");
    }
}

/// What the learner reads when a host cannot be used.
fn explain(e: &ClientError) -> String {
    match e {
        ClientError::InvalidUrl { .. } => {
            "that address is not one we can use (it must start with https://)".into()
        }
        ClientError::InvalidDiscovery { .. } => {
            "that address does not offer the Open Badges 3.0 API".into()
        }
        ClientError::Http(_) => "we could not reach it".into(),
        ClientError::OAuth { error, .. } if error == "access_denied" => {
            "you did not allow Badges 101 to add the badge".into()
        }
        ClientError::OAuth { error, .. } => format!("it refused ({error})"),
        ClientError::StateMismatch => "the answer from your backpack did not match".into(),
        ClientError::Api {
            status,
            description,
            ..
        } => match description {
            Some(d) => format!("it answered {status}: {d}"),
            None => format!("it answered {status}"),
        },
        _ => "something went wrong".into(),
    }
}

/// Starts sending badge `uuid` of attempt `tok` to the OB 3.0 API host at `host_url`:
/// discovery, registration (once per host), a pending authorization; answers the page that
/// sends the learner on to the host's consent page (a link: the pages' `form-action 'self'`
/// keeps a form from redirecting to another origin).
pub(crate) async fn start_send(
    ctx: Arc<Ctx>,
    tok: String,
    uuid: String,
    host_url: String,
) -> Reply {
    let host = host_name(&host_url);
    match begin(&ctx, &tok, &uuid, &host_url).await {
        Ok(authorization_url) => {
            Reply::html(200, crate::html::send(&tok, &host, &authorization_url))
        }
        Err(e) => {
            let why = explain(&e);
            eprintln!("badges101: sending to {host}: {e}");
            let (c, t, u, h) = (ctx.clone(), tok.clone(), uuid, host);
            blocking(move || {
                record_failure(c.app.issuer_store(), &t, &u, &h, &why);
                Reply::redirect(format!("/a/{t}/badge"))
            })
            .await
        }
    }
}

async fn begin(
    ctx: &Arc<Ctx>,
    tok: &str,
    uuid: &str,
    host_url: &str,
) -> Result<String, ClientError> {
    let client: &ApiClient = &ctx.backpacks;
    let service = client.discover(host_url).await?;
    let discovery_url = format!(
        "{}{}",
        host_name(host_url),
        openbadges::backpack::oauth::DISCOVERY_PATH
    );
    let redirect_uri = format!(
        "{}{}",
        ctx.app.base_url().trim_end_matches('/'),
        CALLBACK_PATH
    );
    let known = {
        let (c, d) = (ctx.clone(), discovery_url.clone());
        tokio::task::spawn_blocking(move || registration(c.app.issuer_store(), &d))
            .await
            .ok()
            .flatten()
    };
    let registration = match known {
        Some(r)
            if !client::registration_expired(&r, db::now())
                && r.metadata.redirect_uris.contains(&redirect_uri) =>
        {
            r
        }
        _ => {
            let request = client::registration_request(
                "Badges 101",
                ctx.app.base_url(),
                redirect_uri.clone(),
            );
            let fresh = client.register(&service, &request).await?;
            let (c, d, f) = (ctx.clone(), discovery_url.clone(), fresh.clone());
            tokio::task::spawn_blocking(move || keep_registration(c.app.issuer_store(), &d, &f))
                .await
                .ok()
                .flatten()
                .unwrap_or(fresh)
        }
    };
    let (url, authorization) =
        client::authorization_request(&service, &registration, &redirect_uri, &[SCOPE_UPSERT])?;
    let state = authorization.state.clone();
    let pending = serde_json::to_string(&Pending {
        service,
        authorization,
    })
    .map_err(|e| ClientError::InvalidResponse {
        url: host_url.to_owned(),
        reason: e.to_string(),
    })?;
    let (c, t, u, h) = (
        ctx.clone(),
        tok.to_owned(),
        uuid.to_owned(),
        host_name(host_url),
    );
    let stored = tokio::task::spawn_blocking(move || {
        with_tx(c.app.issuer_store(), |tx| {
            tx.execute(
                "INSERT INTO b101_backpack_sends (state, token, badge_uuid, host, pending, \
                 outcome, detail, seq, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', NULL, \
                 (SELECT COALESCE(MAX(seq), 0) + 1 FROM b101_backpack_sends WHERE badge_uuid = $3), \
                 $6)",
                &[
                    state.as_str().into(),
                    t.as_str().into(),
                    u.as_str().into(),
                    h.as_str().into(),
                    pending.as_str().into(),
                    db::now().into(),
                ],
            )
        })
    })
    .await;
    match stored {
        Ok(Ok(_)) => Ok(url),
        _ => Err(ClientError::InvalidResponse {
            url: host_url.to_owned(),
            reason: "could not keep the pending authorization".into(),
        }),
    }
}

/// The registration kept for the host at `discovery_url`.
fn registration(store: &dyn IssuerStore, discovery_url: &str) -> Option<Registration> {
    let json = with_tx(store, |tx| {
        tx.query(
            "SELECT registration FROM b101_backpack_clients WHERE discovery_url = $1",
            &[discovery_url.into()],
        )?
        .first()
        .map_or(Ok(None), |r| text(r, 0))
    })
    .ok()??;
    serde_json::from_str(&json).ok()
}

/// Keeps `fresh` for the host (replacing an expired or outdated one); returns the one kept.
fn keep_registration(
    store: &dyn IssuerStore,
    discovery_url: &str,
    fresh: &Registration,
) -> Option<Registration> {
    let json = serde_json::to_string(fresh).ok()?;
    with_tx(store, |tx| {
        tx.execute(
            "INSERT INTO b101_backpack_clients (discovery_url, registration, created_at) \
             VALUES ($1, $2, $3) ON CONFLICT (discovery_url) DO UPDATE SET \
             registration = excluded.registration, created_at = excluded.created_at",
            &[discovery_url.into(), json.as_str().into(), db::now().into()],
        )
    })
    .ok()?;
    Some(fresh.clone())
}

/// A send taken from the database by its state.
struct Taken {
    token: String,
    badge_uuid: String,
    host: String,
    pending: Pending,
}

/// Takes the pending send whose state is `state`, once across all instances.
fn take(store: &dyn IssuerStore, state: &str) -> Result<Option<Taken>, StoreError> {
    with_tx(store, |tx| {
        let Some(row) = tx
            .query(
                "SELECT token, badge_uuid, host, pending FROM b101_backpack_sends \
                 WHERE state = $1 AND outcome = 'pending'",
                &[state.into()],
            )?
            .first()
            .cloned()
        else {
            return Ok(None);
        };
        let claimed = tx.execute(
            "UPDATE b101_backpack_sends SET outcome = 'exchanging', pending = NULL \
             WHERE state = $1 AND outcome = 'pending'",
            &[state.into()],
        )?;
        if claimed != 1 {
            return Ok(None);
        }
        let pending: Pending = serde_json::from_str(&required_text(&row, 3)?)
            .map_err(|e| StoreError::Corrupt(format!("pending send: {e}")))?;
        Ok(Some(Taken {
            token: required_text(&row, 0)?,
            badge_uuid: required_text(&row, 1)?,
            host: required_text(&row, 2)?,
            pending,
        }))
    })
}

/// Records how a send ended.
fn finish(store: &dyn IssuerStore, state: &str, outcome: Result<(), String>) {
    let (o, detail) = match outcome {
        Ok(()) => ("sent", None),
        Err(why) => ("failed", Some(why)),
    };
    let r = with_tx(store, |tx| {
        tx.execute(
            "UPDATE b101_backpack_sends SET outcome = $1, detail = $2, seq = (SELECT \
             COALESCE(MAX(s.seq), 0) + 1 FROM b101_backpack_sends s WHERE s.badge_uuid = \
             b101_backpack_sends.badge_uuid) WHERE state = $3",
            &[o.into(), detail.as_deref().into(), state.into()],
        )
    });
    if let Err(e) = r {
        eprintln!("badges101: recording a send: {e}");
    }
}

/// `GET /backpack/callback?code=…&state=…` (or `error=…`): the learner back from the host's
/// consent page. Exchanges the code, pushes the badge, and sends the learner to the badge page,
/// which says how it went.
pub(crate) async fn callback(ctx: Arc<Ctx>, query: String) -> Reply {
    let state = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let c = ctx.clone();
    let s = state.clone();
    let taken = blocking_value(move || take(c.app.issuer_store(), &s)).await;
    let taken = match taken {
        Some(Ok(Some(t))) => t,
        Some(Ok(None)) => {
            return Reply::error(
                400,
                "This answer from a backpack is unknown or was already used. Send your badge again from its page.",
            );
        }
        _ => return Reply::from(Refused::Internal("taking a pending send".into())),
    };
    let outcome = complete(&ctx, &taken, &query).await;
    if let Err(e) = &outcome {
        eprintln!("badges101: sending to {}: {e}", taken.host);
    }
    let c = ctx.clone();
    let tok = taken.token.clone();
    blocking(move || {
        finish(
            c.app.issuer_store(),
            &state,
            outcome.map_err(|e| explain(&e)),
        );
        Reply::redirect(format!("/a/{tok}/badge"))
    })
    .await
}

async fn complete(ctx: &Arc<Ctx>, taken: &Taken, query: &str) -> Result<(), ClientError> {
    let code = taken.pending.authorization.code_from_callback(query)?;
    let discovery_url = format!(
        "{}{}",
        taken.host,
        openbadges::backpack::oauth::DISCOVERY_PATH
    );
    let c = ctx.clone();
    let registration = blocking_value(move || registration(c.app.issuer_store(), &discovery_url))
        .await
        .flatten()
        .ok_or_else(|| ClientError::InvalidResponse {
            url: taken.host.clone(),
            reason: "this app's registration with the host is gone".into(),
        })?;
    let mut connection = ctx
        .backpacks
        .exchange_code(
            &taken.pending.service,
            &registration,
            &taken.pending.authorization,
            &code,
        )
        .await?;
    let (c, u) = (ctx.clone(), taken.badge_uuid.clone());
    let credential = blocking_value(move || c.app.ob3_credential(&u))
        .await
        .and_then(Result::ok)
        .ok_or_else(|| ClientError::InvalidResponse {
            url: taken.host.clone(),
            reason: "the badge's credential is not in the store".into(),
        })?;
    ctx.backpacks
        .push_credential(&mut connection, &CredentialBody::Json(credential))
        .await?;
    Ok(())
}

/// Runs `f` on the blocking pool; `None` if it could not finish.
async fn blocking_value<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}
