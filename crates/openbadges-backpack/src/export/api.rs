//! API response bodies as pure functions over the store: the Mozilla Displayer
//! (`groups.json`, `group/{id}.json`), Badge Connect 2.1 `getAssertions`, and the OB 3.0 API
//! `getCredentials`, with the paging values (`X-Total-Count`, `Link`) to send beside them.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::display;
use crate::model::{BadgeRecord, BadgeState, CollectionId, InputKind, Visibility};
use crate::store::Store;
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

/// The compact JWS a badge was received as: the original itself, or the JWS baked into its
/// image.
fn jws_text(b: &BadgeRecord) -> Option<String> {
    match b.input_kind {
        InputKind::Jws => std::str::from_utf8(&b.original)
            .ok()
            .map(|s| s.trim().to_owned()),
        InputKind::Png | InputKind::Svg => {
            let x = openbadges_bake::extract(&b.original).ok()?;
            (x.payload_kind == openbadges_bake::PayloadKind::Jws)
                .then(|| x.payload.trim().to_owned())
        }
        _ => None,
    }
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
    let all: Vec<BadgeRecord> = accepted(store)?
        .into_iter()
        .filter(|b| b.version <= Version::V2_0)
        .collect();
    let (slice, total) = paged(&all, page)?;
    let mut assertions = Vec::new();
    let mut signed = Vec::new();
    for b in slice {
        match jws_text(b) {
            Some(j) => signed.push(Value::String(j)),
            None => assertions.push(b.document.clone()),
        }
    }
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
    let all: Vec<BadgeRecord> = accepted(store)?
        .into_iter()
        .filter(|b| b.version == Version::V3_0)
        .collect();
    let (slice, total) = paged(&all, page)?;
    let mut credential = Vec::new();
    let mut jws = Vec::new();
    for b in slice {
        match jws_text(b) {
            Some(j) => jws.push(Value::String(j)),
            None => credential.push(b.document.clone()),
        }
    }
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
