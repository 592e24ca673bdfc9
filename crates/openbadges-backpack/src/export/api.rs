//! API response bodies as pure functions over the store: the Mozilla Displayer
//! (`groups.json`, `group/{id}.json`), Badge Connect 2.1 `getAssertions`, and the OB 3.0 API
//! `getCredentials`, with the paging values (`X-Total-Count`, `Link`) to send beside them; and
//! the server side of the OB 3.0 API `upsertCredential` ([`ob3_upsert_credential`]) with its
//! bearer-token authorization ([`ApiTokens`]).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::backpack::{Backpack, ImportReport, ImportResult};
use crate::display;
use crate::model::{BadgeRecord, BadgeState, CollectionId, Source, SourceKind, Visibility};
use crate::store::Store;
use crate::verify::Verifier;
use crate::{Error, Result};
use openbadges_model::Version;

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// At most this many results (at least 1).
    pub limit: usize,
    /// Skip this many (zero-based index of the first result).
    pub offset: usize,
    /// Only badges imported after this instant (the APIs' `since`).
    pub since: Option<DateTime<Utc>>,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 100,
            offset: 0,
            since: None,
        }
    }
}

/// A response body with its paging headers.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    /// The JSON body.
    pub body: Value,
    /// The `X-Total-Count` header value: results available across all pages.
    pub total_count: usize,
    /// The `Link` header value (RFC 8288: `first`, `prev`, `next`, `last`), if there is more
    /// than one page.
    pub link: Option<String>,
}

fn accepted<S: Store + ?Sized>(store: &S) -> Result<Vec<BadgeRecord>> {
    Ok(store
        .badges()?
        .into_iter()
        .filter(|b| b.state == BadgeState::Accepted)
        .collect())
}

fn link_header(base: &str, page: &Page, total: usize) -> Option<String> {
    let limit = page.limit.max(1);
    if total <= limit && page.offset == 0 {
        return None;
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = |offset: usize| format!("<{base}{sep}limit={limit}&offset={offset}>");
    let last = total.saturating_sub(1) / limit * limit;
    let mut parts = vec![format!("{}; rel=\"first\"", url(0))];
    if page.offset > 0 {
        let prev = page.offset.saturating_sub(limit);
        parts.push(format!("{}; rel=\"prev\"", url(prev)));
    }
    if page.offset.saturating_add(limit) < total {
        parts.push(format!("{}; rel=\"next\"", url(page.offset + limit)));
    }
    parts.push(format!("{}; rel=\"last\"", url(last)));
    Some(parts.join(", "))
}

fn paged<'a>(all: &'a [BadgeRecord], page: &Page) -> Result<(Vec<&'a BadgeRecord>, usize)> {
    if page.limit == 0 {
        return Err(Error::InvalidArgument(
            "limit must be at least 1".to_owned(),
        ));
    }
    let filtered: Vec<&BadgeRecord> = all
        .iter()
        .filter(|b| page.since.is_none_or(|s| b.imported_at > s))
        .collect();
    let total = filtered.len();
    let slice = filtered
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .collect();
    Ok((slice, total))
}

/// The page of the accepted badges that `keep` selects as the API bodies carry them: (the
/// documents received as JSON, the compact JWS of the others — the original, or the one baked
/// into the image), with the total across pages.
fn page_by_form<S: Store + ?Sized>(
    store: &S,
    page: &Page,
    keep: impl Fn(&BadgeRecord) -> bool,
) -> Result<(Vec<Value>, Vec<Value>, usize)> {
    let all: Vec<BadgeRecord> = accepted(store)?.into_iter().filter(|b| keep(b)).collect();
    let (slice, total) = paged(&all, page)?;
    let mut documents = Vec::new();
    let mut jws = Vec::new();
    for b in slice {
        match b.compact_jws() {
            Some(j) => jws.push(Value::String(j)),
            None => documents.push(b.document.clone()),
        }
    }
    Ok((documents, jws, total))
}

/// The Badge Connect 2.1 `GET /assertions` body: `{"status": {...}, "assertions": [...],
/// "signedAssertions": [...]}` over the accepted OB ≤ 2.0 badges (signed ones as their compact
/// JWS). `base` is the endpoint URL for the `Link` header.
///
/// # Errors
/// Storage errors; [`Error::InvalidArgument`] for a zero limit.
pub fn badge_connect_assertions<S: Store + ?Sized>(
    store: &S,
    page: &Page,
    base: &str,
) -> Result<ApiResponse> {
    let (assertions, signed, total) = page_by_form(store, page, |b| b.version <= Version::V2_0)?;
    Ok(ApiResponse {
        body: json!({
            "status": {"error": null, "statusCode": 200, "statusText": "OK"},
            "assertions": assertions,
            "signedAssertions": signed,
        }),
        total_count: total,
        link: link_header(base, page, total),
    })
}

/// The OB 3.0 API `getCredentials` body: `{"credential": [...], "compactJwsString": [...]}`
/// (the normative key names) over the accepted OB 3.0 credentials (VC-JWTs as their compact
/// JWS). `base` is the endpoint URL for the `Link` header.
///
/// # Errors
/// Storage errors; [`Error::InvalidArgument`] for a zero limit.
pub fn ob3_get_credentials<S: Store + ?Sized>(
    store: &S,
    page: &Page,
    base: &str,
) -> Result<ApiResponse> {
    let (credential, jws, total) = page_by_form(store, page, |b| b.version == Version::V3_0)?;
    Ok(ApiResponse {
        body: json!({"credential": credential, "compactJwsString": jws}),
        total_count: total,
        link: link_header(base, page, total),
    })
}

/// [`ob3_get_credentials`] over the credentials of one backpack owner only: those whose
/// recipient matched `owner` (in a backpack shared by several people, what an OAuth 2.0 grant
/// of that owner may read).
///
/// # Errors
/// Storage errors; [`Error::InvalidArgument`] for a zero limit.
pub fn ob3_get_credentials_of<S: Store + ?Sized>(
    store: &S,
    page: &Page,
    base: &str,
    owner: &openbadges_model::Identity,
) -> Result<ApiResponse> {
    let (credential, jws, total) = page_by_form(store, page, |b| {
        b.version == Version::V3_0
            && b.recipient.identifier.kind == owner.kind
            && b.recipient
                .identifier
                .value
                .eq_ignore_ascii_case(&owner.value)
    })?;
    Ok(ApiResponse {
        body: json!({"credential": credential, "compactJwsString": jws}),
        total_count: total,
        link: link_header(base, page, total),
    })
}

/// The Mozilla Displayer `GET /displayer/{userId}/groups.json` body: the public collections.
///
/// # Errors
/// Storage errors.
pub fn displayer_groups<S: Store + ?Sized>(store: &S, user_id: &Value) -> Result<Value> {
    let groups: Vec<Value> = store
        .collections()?
        .into_iter()
        .filter(|c| c.visibility == Visibility::Public)
        .map(|c| json!({"groupId": c.id, "name": c.name, "badges": c.members.len()}))
        .collect();
    Ok(json!({"userId": user_id, "groups": groups}))
}

/// The Mozilla Displayer `GET /displayer/{userId}/group/{groupId}.json` body, or `None` (a 404)
/// when the collection does not exist or is not public. Only OB ≤ 2.0 badges appear (the
/// Displayer predates OB 3.0).
///
/// # Errors
/// Storage errors.
pub fn displayer_group<S: Store + ?Sized>(
    store: &S,
    user_id: &Value,
    group: &CollectionId,
) -> Result<Option<Value>> {
    let Some(c) = store.collection(group)? else {
        return Ok(None);
    };
    if c.visibility != Visibility::Public {
        return Ok(None);
    }
    let mut badges = Vec::new();
    for m in &c.members {
        let Some(b) = store.badge(m)? else { continue };
        if b.state != BadgeState::Accepted || b.version > Version::V2_0 {
            continue;
        }
        let hosted = b
            .document
            .get("verification")
            .or_else(|| b.document.get("verify"))
            .and_then(|v| v.get("type"))
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case("hosted"));
        let hosted_url = if hosted {
            b.document.get("id").and_then(Value::as_str)
        } else {
            None
        };
        badges.push(json!({
            "lastValidated": b.verification.checked_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "hostedUrl": hosted_url,
            "assertion": b.document,
            "imageUrl": display::image(&b.document),
        }));
    }
    Ok(Some(
        json!({"userId": user_id, "groupId": c.id, "badges": badges}),
    ))
}

pub use crate::oauth::{SCOPE_READONLY, SCOPE_UPSERT};
/// The default cap on an `upsertCredential` request body (1 MiB: a credential with an embedded
/// image and evidence fits many times over).
pub const MAX_UPSERT_BYTES: usize = 1024 * 1024;

/// The token of an `Authorization: Bearer TOKEN` header (the scheme in any case; `None` for
/// another scheme or an empty token). The one reading of the header, for the pre-issued tokens
/// and the OAuth 2.0 host's alike.
pub fn bearer_token(authorization: Option<&str>) -> Option<&str> {
    let (scheme, rest) = authorization?.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

/// An HTTP answer of the OB 3.0 API: status, media type, body, and the `WWW-Authenticate`
/// challenge for 401/403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiReply {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` (`application/json` or `text/plain`).
    pub content_type: &'static str,
    /// The body.
    pub body: Vec<u8>,
    /// The `WWW-Authenticate` header value (RFC 6750), for 401 and 403.
    pub www_authenticate: Option<String>,
}

impl ApiReply {
    /// A failure with an [`imsx_status_info`] body and a `WWW-Authenticate` challenge (none
    /// when `challenge` is empty).
    pub(crate) fn challenge(
        status: u16,
        code_minor: &str,
        description: &str,
        challenge: String,
    ) -> Self {
        let mut r = ApiReply::status_info(status, code_minor, description);
        r.www_authenticate = (!challenge.is_empty()).then_some(challenge);
        r
    }

    fn status_info(status: u16, code_minor: &str, description: &str) -> Self {
        ApiReply {
            status,
            content_type: "application/json",
            body: imsx_status_info(code_minor, description)
                .to_string()
                .into_bytes(),
            www_authenticate: None,
        }
    }
}

/// The OB 3.0 API's `Imsx_StatusInfo` failure body: `imsx_codeMajor` `failure`, severity
/// `error`, a description, and one `imsx_codeMinorField` (`TargetEndSystem`) carrying
/// `code_minor` (`invalid_data`, `unauthorizedrequest`, `forbidden`, …).
pub fn imsx_status_info(code_minor: &str, description: &str) -> Value {
    json!({
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [{
                "imsx_codeMinorFieldName": "TargetEndSystem",
                "imsx_codeMinorFieldValue": code_minor,
            }]
        }
    })
}

/// A bearer access token and the scopes it grants. Its `Debug` form never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken {
    secret: String,
    scopes: Vec<String>,
}

impl std::fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessToken")
            .field("secret", &"<redacted>")
            .field("scopes", &self.scopes)
            .finish()
    }
}

impl AccessToken {
    /// A fresh random token (256 bits, base64url) granting `scopes`.
    ///
    /// # Errors
    /// [`Error::Random`] if the system random source fails.
    pub fn generate(scopes: &[&str]) -> Result<Self> {
        use base64::Engine as _;
        use ring::rand::SecureRandom as _;
        let mut b = [0u8; 32];
        ring::rand::SystemRandom::new()
            .fill(&mut b)
            .map_err(|_| Error::Random)?;
        Ok(AccessToken {
            secret: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        })
    }

    /// The secret, to send as `Authorization: Bearer <secret>`.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The scopes it grants.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

/// The bearer tokens an OB 3.0 API server accepts. [`ApiTokens::load_or_create`] is the
/// **local-only shortcut** for the OAuth 2.0 flow the OB 3.0 API specifies: tokens generated on
/// first use and kept in a file only the owner can read (mode 0600), for a client on the same
/// machine (an app pushing to its own backpack). Tokens compare in constant time and are never
/// logged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiTokens {
    tokens: Vec<AccessToken>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct TokenFile {
    tokens: Vec<TokenEntry>,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct TokenEntry {
    token: String,
    scope: String,
}

impl ApiTokens {
    /// Tokens from a list.
    pub fn new(tokens: Vec<AccessToken>) -> Self {
        ApiTokens { tokens }
    }

    /// Reads the token file at `path`, or creates it (mode 0600 on Unix) with two fresh tokens:
    /// one granting [`SCOPE_UPSERT`], one granting [`SCOPE_READONLY`]. The file is JSON:
    /// `{"tokens": [{"token": "...", "scope": "<space-separated scopes>"}]}`.
    ///
    /// # Errors
    /// [`Error::Storage`] on I/O, [`Error::Decode`] for a malformed file, [`Error::Random`].
    pub fn load_or_create(path: &std::path::Path) -> Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let f: TokenFile = serde_json::from_slice(&bytes).map_err(|e| Error::Decode {
                    id: path.display().to_string(),
                    message: e.to_string(),
                    source: Some(Box::new(e)),
                })?;
                Ok(ApiTokens {
                    tokens: f
                        .tokens
                        .into_iter()
                        .map(|t| AccessToken {
                            secret: t.token,
                            scopes: t.scope.split_whitespace().map(str::to_owned).collect(),
                        })
                        .collect(),
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let tokens = ApiTokens {
                    tokens: vec![
                        AccessToken::generate(&[SCOPE_UPSERT])?,
                        AccessToken::generate(&[SCOPE_READONLY])?,
                    ],
                };
                let file = TokenFile {
                    tokens: tokens
                        .tokens
                        .iter()
                        .map(|t| TokenEntry {
                            token: t.secret.clone(),
                            scope: t.scopes.join(" "),
                        })
                        .collect(),
                };
                let body = serde_json::to_vec_pretty(&file).map_err(Error::storage)?;
                write_private(path, &body)
                    .map_err(|e| Error::storage_in(path.display().to_string(), e))?;
                Ok(tokens)
            }
            Err(e) => Err(Error::storage_in(path.display().to_string(), e)),
        }
    }

    /// The first token granting `scope`.
    pub fn token_for(&self, scope: &str) -> Option<&AccessToken> {
        self.tokens
            .iter()
            .find(|t| t.scopes.iter().any(|s| s == scope))
    }

    /// Checks an `Authorization` header value for `scope`: `Ok` for a known bearer token that
    /// grants it; otherwise the reply to send — 401 with `WWW-Authenticate: Bearer …` for a
    /// missing, malformed or unknown token, 403 (`insufficient_scope`) for a known token
    /// without the scope. Every known token is compared, in constant time.
    ///
    /// # Errors
    /// The 401 or 403 [`ApiReply`].
    pub fn authorize(
        &self,
        authorization: Option<&str>,
        scope: &str,
    ) -> std::result::Result<(), ApiReply> {
        let Some(presented) = bearer_token(authorization) else {
            let mut r =
                ApiReply::status_info(401, "unauthorizedrequest", "a bearer token is required");
            r.www_authenticate = Some(format!("Bearer realm=\"ob3\", scope=\"{scope}\""));
            return Err(r);
        };
        let mut found: Option<&AccessToken> = None;
        for t in &self.tokens {
            if openbadges_model::identity::constant_time_eq(
                t.secret.as_bytes(),
                presented.as_bytes(),
            ) {
                found = Some(t);
            }
        }
        match found {
            None => {
                let mut r = ApiReply::status_info(
                    401,
                    "unauthorizedrequest",
                    "the bearer token is not valid",
                );
                r.www_authenticate = Some(format!(
                    "Bearer realm=\"ob3\", error=\"invalid_token\", scope=\"{scope}\""
                ));
                Err(r)
            }
            Some(t) if t.scopes.iter().any(|s| s == scope) => Ok(()),
            Some(_) => {
                let mut r = ApiReply::status_info(
                    403,
                    "forbidden",
                    "the bearer token does not grant this scope",
                );
                r.www_authenticate = Some(format!(
                    "Bearer realm=\"ob3\", error=\"insufficient_scope\", scope=\"{scope}\""
                ));
                Err(r)
            }
        }
    }
}

/// Writes a new file readable by its owner only (mode 0600 on Unix), atomically.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    let mut f = o.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)
}

/// The outcome of an `upsertCredential` request: the reply and, when the import ran, its
/// report.
#[derive(Debug, Clone, PartialEq)]
pub struct Upserted {
    /// What to answer.
    pub reply: ApiReply,
    /// The import report (absent when the request was refused before importing).
    pub report: Option<ImportReport>,
}

/// Whether `content_type` names `essence` (parameters such as `charset` ignored).
fn media_is(content_type: Option<&str>, essence: &str) -> bool {
    content_type
        .and_then(|c| c.split(';').next())
        .is_some_and(|c| c.trim().eq_ignore_ascii_case(essence))
}

/// The OB 3.0 credential a body carries (the VC-JWT's payload, or its `vc` claim), if it is one.
fn ob3_credential_in(
    body: &[u8],
    jwt: bool,
    limits: &openbadges_model::Limits,
) -> std::result::Result<(), String> {
    use base64::Engine as _;
    let doc = if jwt {
        let text = std::str::from_utf8(body).map_err(|_| "the body is not UTF-8".to_owned())?;
        let mut parts = text.trim().split('.');
        let (Some(_), Some(payload), Some(_), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("a text/plain body must be one compact JWS (VC-JWT)".to_owned());
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| "the VC-JWT payload is not base64url".to_owned())?;
        let v = openbadges_model::parse_json(&bytes, limits)
            .map_err(|e| format!("the VC-JWT payload: {e}"))?;
        match v.get("vc") {
            Some(vc) if vc.is_object() => vc.clone(),
            _ => v,
        }
    } else {
        openbadges_model::parse_json(body, limits).map_err(|e| format!("the body: {e}"))?
    };
    let d = openbadges_model::detect(&doc);
    let ok = d.version == Some(Version::V3_0)
        && matches!(
            d.class,
            Some(
                openbadges_model::Class::OpenBadgeCredential
                    | openbadges_model::Class::AchievementCredential
            )
        );
    if ok {
        Ok(())
    } else {
        Err(
            "the body is not an Open Badges 3.0 OpenBadgeCredential/AchievementCredential"
                .to_owned(),
        )
    }
}

/// The OB 3.0 API `upsertCredential` (`POST /ims/ob/v3p0/credentials`), after authorization
/// ([`ApiTokens::authorize`] with [`SCOPE_UPSERT`]): `body` is one OB 3.0 credential as JSON
/// (`application/json`) or a compact VC-JWT (`text/plain`), imported through the backpack's
/// normal path (owner identity match, de-duplication, verification).
///
/// Replies as the OB 3.0 API specifies: **201** with the credential (in the format received)
/// when it was created, **200** when it replaced a held one (a newer issue, a re-accepted
/// badge) or was already held, **400** with an [`imsx_status_info`] body for a body that is not
/// one OB 3.0 credential or that failed import (recipient not the owner, invalid proof, revoked,
/// expired), **413** over `max_bytes`, **415** for another media type.
///
/// # Errors
/// Only storage errors (nothing was stored).
pub fn ob3_upsert_credential<S: Store, V: Verifier>(
    backpack: &mut Backpack<S, V>,
    content_type: Option<&str>,
    body: &[u8],
    max_bytes: usize,
) -> Result<Upserted> {
    let refuse = |status, minor, why: &str| Upserted {
        reply: ApiReply::status_info(status, minor, why),
        report: None,
    };
    if body.len() > max_bytes {
        return Ok(refuse(
            413,
            "invalid_data",
            &format!("the request body is over the limit of {max_bytes} bytes"),
        ));
    }
    let (jwt, media) = if media_is(content_type, "application/json") {
        (false, "application/json")
    } else if media_is(content_type, "text/plain") {
        (true, "text/plain")
    } else {
        return Ok(refuse(
            415,
            "invalid_data",
            "send application/json (a credential) or text/plain (a compact VC-JWT)",
        ));
    };
    if let Err(why) = ob3_credential_in(body, jwt, &backpack.limits().json) {
        return Ok(refuse(400, "invalid_data", &why));
    }
    let report = backpack.import(
        body,
        Source::new(SourceKind::Api, "POST /ims/ob/v3p0/credentials"),
    )?;
    let item = match report.items.as_slice() {
        [one] => one.clone(),
        _ => {
            return Ok(Upserted {
                reply: ApiReply::status_info(
                    400,
                    "invalid_data",
                    "the body must hold exactly one credential",
                ),
                report: Some(report),
            });
        }
    };
    let status = match item.result {
        ImportResult::Imported if item.reason.is_none() => 201,
        ImportResult::Imported | ImportResult::Duplicate => 200,
        ImportResult::Failed => {
            let why = item
                .reason
                .as_deref()
                .unwrap_or("the credential was not accepted");
            return Ok(Upserted {
                reply: ApiReply::status_info(400, "invalid_data", why),
                report: Some(report),
            });
        }
    };
    Ok(Upserted {
        reply: ApiReply {
            status,
            content_type: media,
            body: body.to_vec(),
            www_authenticate: None,
        },
        report: Some(report),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_pages() {
        let p = Page {
            limit: 10,
            offset: 10,
            since: None,
        };
        let l = link_header("https://bp.example/ims/ob/v3p0/credentials", &p, 25).unwrap();
        assert_eq!(
            l,
            "<https://bp.example/ims/ob/v3p0/credentials?limit=10&offset=0>; rel=\"first\", \
             <https://bp.example/ims/ob/v3p0/credentials?limit=10&offset=0>; rel=\"prev\", \
             <https://bp.example/ims/ob/v3p0/credentials?limit=10&offset=20>; rel=\"next\", \
             <https://bp.example/ims/ob/v3p0/credentials?limit=10&offset=20>; rel=\"last\""
        );
        let first = Page {
            limit: 10,
            offset: 0,
            since: None,
        };
        assert!(link_header("x", &first, 10).is_none());
        let l = link_header("x?a=1", &first, 11).unwrap();
        assert!(l.contains("<x?a=1&limit=10&offset=10>; rel=\"next\""));
        assert!(!l.contains("prev"));
    }
}
