//! The HTTP routes. Every handler is async and awaits the facade's async methods, which run the
//! store's blocking I/O and the verifier's engine on tokio's blocking pool; the few sync issuer
//! reads (`issued`, `is_revoked`) go through `spawn_blocking` here.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use openbadges::bake::ImageFormat;
use openbadges::model::Identity;
use openbadges::proof::report::Report;
use openbadges::proof::verify::RecipientProfile;
use openbadges::store::{StoreError, StoreTransaction};
use openbadges::{AsyncIssueHook, Badge, Evidence, Form, IssueOptions, Issued, Served};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ServiceError;
use crate::service::{DEFAULT_BADGE_IMAGE, Service, record_issuance};

/// The largest badge `POST /verify` accepts (a baked PNG included).
pub const MAX_VERIFY_BYTES: usize = 4 * 1024 * 1024;
/// The largest `POST /issue` or `POST /revoke` body.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// The service's routes over `service` (shared by every request; cloning it is cheap).
pub fn router(service: Service) -> Router {
    Router::new()
        .route(
            "/issue",
            post(issue).layer(DefaultBodyLimit::max(MAX_JSON_BYTES)),
        )
        .route(
            "/verify",
            post(verify).layer(DefaultBodyLimit::max(MAX_VERIFY_BYTES)),
        )
        .route(
            "/revoke",
            post(revoke).layer(DefaultBodyLimit::max(MAX_JSON_BYTES)),
        )
        .route("/health", get(health))
        .route("/issued/{uuid}", get(issued))
        .route("/issued/{uuid}/baked/{form}", get(baked))
        .fallback(hosted)
        .with_state(service)
}

/// `POST /issue`: who gets which badge.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// The recipient's email address (hashed with a fresh salt in every form).
    pub recipient: String,
    /// The badge; every field is optional (the service's example badge fills the rest).
    #[serde(default)]
    pub badge: BadgeRequest,
    /// How the badge was earned (OB 2.0 `narrative`, OB 3.0 `credentialSubject.narrative`).
    pub narrative: Option<String>,
    /// When the badge expires (RFC 3339).
    pub expires: Option<String>,
}

/// The badge fields a request may set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BadgeRequest {
    /// Short name used in URLs (`a-z`, `0-9`, `-`, `_`).
    pub slug: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// What earns it (Markdown).
    pub criteria: Option<String>,
    /// A page describing the criteria.
    pub criteria_url: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

impl BadgeRequest {
    /// The facade's badge: the requested fields over the example badge, with the default image.
    fn to_badge(&self) -> Badge {
        let mut badge = Badge::new(
            self.slug.clone().unwrap_or_else(|| "example".into()),
            self.name.clone().unwrap_or_else(|| "Example badge".into()),
            self.description
                .clone()
                .unwrap_or_else(|| "Issued by the openbadges issuer-service example.".into()),
            self.criteria
                .clone()
                .unwrap_or_else(|| "Ask the service for it.".into()),
        )
        .image(DEFAULT_BADGE_IMAGE.as_bytes());
        if let Some(url) = &self.criteria_url {
            badge = badge.criteria_url(url.clone());
        }
        for t in &self.tags {
            badge = badge.tag(t.clone());
        }
        badge
    }
}

/// A badge as the service answers for it: every form, links to the baked images, and the URLs
/// of its hosted documents.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedBadge {
    /// The badge's UUID (give it to `POST /revoke`).
    pub uuid: String,
    /// The hosted OB 2.0 assertion's URL, if one was issued.
    pub hosted_assertion: Option<String>,
    /// The OB 2.0 hosted assertion.
    pub ob2_hosted: Option<Value>,
    /// The OB 2.0 signed assertion (compact JWS).
    pub ob2_signed: Option<String>,
    /// The OB 3.0 credential with its Data Integrity proof.
    pub ob3_credential: Option<Value>,
    /// The OB 3.0 credential as a VC-JWT.
    pub ob3_jwt: Option<String>,
    /// The baked images: `{form, content_type, path}` on this service.
    pub baked: Vec<Value>,
    /// The URL of every document hosted for this badge (issuer-wide ones included).
    pub documents: Vec<String>,
}

impl IssuedBadge {
    fn new(issued: &Issued) -> Self {
        let uuid = issued.uuid.clone();
        let hosted_assertion = issued
            .hosted
            .iter()
            .find(|d| d.path == format!("assertions/{uuid}.json"))
            .map(|d| d.url.clone());
        let baked = issued
            .baked
            .iter()
            .map(|b| {
                json!({
                    "form": form_name(b.form),
                    "content_type": image_type(b.format),
                    "path": format!("/issued/{uuid}/baked/{}", form_name(b.form)),
                })
            })
            .collect();
        IssuedBadge {
            hosted_assertion,
            ob2_hosted: issued.ob2_hosted.clone(),
            ob2_signed: issued.ob2_signed.clone(),
            ob3_credential: issued.ob3_credential.clone(),
            ob3_jwt: issued.ob3_jwt.clone(),
            baked,
            documents: issued.hosted.iter().map(|d| d.url.clone()).collect(),
            uuid,
        }
    }
}

/// The name of a form in URLs and answers.
fn form_name(form: Form) -> &'static str {
    match form {
        Form::Ob2Hosted => "ob2-hosted",
        Form::Ob2Signed => "ob2-signed",
        Form::Ob3DataIntegrity => "ob3",
        Form::Ob3Jwt => "ob3-jwt",
        _ => "other",
    }
}

/// The `Content-Type` of a baked image.
fn image_type(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Svg => "image/svg+xml",
        _ => "image/png",
    }
}

/// `POST /issue`: issues every form of the badge; the badge, its documents, its status index
/// and the service's own `svc_issuance` row commit in one transaction. `200` means committed.
async fn issue(
    State(service): State<Service>,
    Json(request): Json<IssueRequest>,
) -> Result<Json<IssuedBadge>, ServiceError> {
    let email = request.recipient.trim().to_owned();
    if !email.contains('@') || email.len() > 320 {
        return Err(ServiceError::BadRequest(
            "the recipient must be an email address".into(),
        ));
    }
    let badge = request.badge.to_badge();
    let mut options = IssueOptions::new();
    if let Some(expires) = &request.expires {
        options = options.expires(expires.clone());
    }
    if let Some(narrative) = &request.narrative {
        options = options.evidence(Evidence::new().narrative(narrative.clone()));
    }
    let (recipient, slug) = (email.clone(), badge.slug.clone());
    let hook: AsyncIssueHook = Box::new(
        move |tx: &mut dyn StoreTransaction, issued: &Issued| -> Result<(), StoreError> {
            record_issuance(tx, &issued.uuid, &recipient, &slug)
        },
    );
    let issued = service
        .issuer
        .issue_with_async(&Identity::email(email), &badge, &options, hook)
        .await?;
    Ok(Json(IssuedBadge::new(&issued)))
}

/// `POST /verify?recipient=email:…`: the body is a badge (JSON, compact JWS, VC-JWT, or a baked
/// PNG/SVG); the answer is the verifier's report.
async fn verify(
    State(service): State<Service>,
    Query(query): Query<VerifyQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Report>, ServiceError> {
    let name = match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(t) if t.starts_with("image/png") => "posted.png",
        Some(t) if t.starts_with("image/svg") => "posted.svg",
        Some(t) if t.contains("json") => "posted.json",
        _ => "posted",
    };
    let recipient: Option<RecipientProfile> = match &query.recipient {
        Some(r) => Some(
            r.parse()
                .map_err(|e| ServiceError::BadRequest(format!("recipient: {e}")))?,
        ),
        None => None,
    };
    let report = match recipient {
        Some(r) => {
            service
                .verifier
                .verify_bytes_for_async(name, body.to_vec(), r)
                .await
        }
        None => {
            service
                .verifier
                .verify_bytes_async(name, body.to_vec())
                .await
        }
    };
    Ok(Json(report))
}

/// The query of `POST /verify`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VerifyQuery {
    /// Check the badge was issued to this identity (`email:a@example.org`).
    pub recipient: Option<String>,
}

/// `POST /revoke`: which badge, and why.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// The badge's UUID, `urn:uuid:UUID` or hosted assertion URL.
    pub id: String,
    /// The public reason (listed in `revocations.json`).
    pub reason: Option<String>,
}

/// `POST /revoke`: records the revocation and rewrites the revocation list and the badge's
/// status list in one transaction; every instance serves them from the next request on.
async fn revoke(
    State(service): State<Service>,
    Json(request): Json<RevokeRequest>,
) -> Result<Json<Value>, ServiceError> {
    let revocation = service
        .issuer
        .revoke_async(&request.id, request.reason.as_deref())
        .await?;
    Ok(Json(json!({
        "revoked": request.id,
        "gone": revocation.gone,
        "updated": revocation.updated.iter().map(|d| d.url.as_str()).collect::<Vec<_>>(),
    })))
}

/// `GET /health`: `200` when the store answers (it reads `issuer.json` from it).
async fn health(State(service): State<Service>) -> Response {
    let url = service.public_url("/issuer.json");
    match service.issuer.document_async(&url).await {
        Ok(Some(_)) => Json(json!({ "status": "ok" })).into_response(),
        Ok(None) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "the store has no issuer profile" })),
        )
            .into_response(),
        Err(e) => ServiceError::from(e).into_response(),
    }
}

/// `GET /issued/UUID`: the badge's forms, as `POST /issue` answered, and whether it is revoked.
async fn issued(
    State(service): State<Service>,
    Path(uuid): Path<String>,
) -> Result<Json<Value>, ServiceError> {
    let issuer = service.issuer.clone();
    let (record, revoked) = tokio::task::spawn_blocking(move || {
        let record = issuer.issued(&uuid)?;
        let revoked = match &record {
            Some(r) => issuer.is_revoked(&r.uuid)?,
            None => false,
        };
        Ok::<_, openbadges::Error>((record, revoked))
    })
    .await??;
    let record = record.ok_or_else(not_found_badge)?;
    let mut answer = serde_json::to_value(IssuedBadge::new(&record.issued))
        .map_err(|e| ServiceError::Issuer(e.into()))?;
    if let Some(o) = answer.as_object_mut() {
        o.insert("revoked".into(), revoked.into());
        o.insert("status_index".into(), json!(record.status_index));
        o.insert("issued_at".into(), json!(record.issued_at));
    }
    Ok(Json(answer))
}

/// `GET /issued/UUID/baked/FORM`: the badge image with form `FORM` baked in.
async fn baked(
    State(service): State<Service>,
    Path((uuid, form)): Path<(String, String)>,
) -> Result<Response, ServiceError> {
    let issuer = service.issuer.clone();
    let record = tokio::task::spawn_blocking(move || issuer.issued(&uuid))
        .await??
        .ok_or_else(not_found_badge)?;
    let image = record
        .issued
        .baked
        .iter()
        .find(|b| form_name(b.form) == form)
        .ok_or_else(not_found_badge)?;
    Ok((
        [(header::CONTENT_TYPE, image_type(image.format))],
        image.bytes.clone(),
    )
        .into_response())
}

/// How long verifiers (and the facade's own `Verifier` cache, which follows this header) may
/// keep a document: the revocation list, the status lists and the hosted assertions (which
/// turn into `410 Gone`) change with every revocation and are never kept; the profile, keys,
/// badge classes, achievements and images for five minutes.
fn cache_control(path: &str) -> HeaderValue {
    if path == "revocations.json" || path.starts_with("status/") || path.starts_with("assertions/")
    {
        HeaderValue::from_static("no-cache")
    } else {
        HeaderValue::from_static("public, max-age=300")
    }
}

/// A 404 for a badge (or form) this issuer does not have.
fn not_found_badge() -> ServiceError {
    ServiceError::Issuer(openbadges::Error::UnknownBadge("no such badge".into()))
}

/// Every other `GET`: a hosted document, from the store by URL. `410 Gone` for a revoked
/// hosted assertion, `404` for anything else unknown.
async fn hosted(State(service): State<Service>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let url = service.public_url(uri.path());
    match service.issuer.document_async(&url).await {
        Ok(Some(Served::Document(doc))) => {
            let mut response = doc.body.into_response();
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&doc.content_type) {
                headers.insert(header::CONTENT_TYPE, v);
            }
            headers.insert(header::CACHE_CONTROL, cache_control(&doc.path));
            response
        }
        Ok(Some(Served::Gone)) => (
            StatusCode::GONE,
            Json(json!({ "error": "this badge was revoked" })),
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, Json(json!({ "error": "not found" }))).into_response(),
        Err(e) => ServiceError::from(e).into_response(),
    }
}
