//! The OB 3.0 API **client** (cargo feature `http`): send credentials to any Open Badges 3.0
//! API host (a backpack, a wallet) by its URL, with OAuth 2.0 as the OB 3.0 API specifies it.
//!
//! 1. [`ApiClient::discover`] reads the host's Service Description Document
//!    (`GET /ims/ob/v3p0/discovery`) and validates what the flow needs from it
//!    ([`ServiceDescription`], checked by [`validate_service`]): the API base URL, the
//!    registration, authorization and token endpoints, the scopes.
//! 2. [`ApiClient::register`] registers this client (RFC 7591 dynamic client registration, with
//!    the members the OB 3.0 API requires: [`registration_request`]). The [`Registration`] is
//!    kept (once per host).
//! 3. [`authorization_request`] builds the URL to send the user's browser to (authorization
//!    code, PKCE `S256`, a random `state`) and the [`PendingAuthorization`] to keep until the
//!    browser comes back to the redirect URI. Receiving that request is the application's job
//!    (a route of its web server; a desktop or command-line client listens on loopback with
//!    [`receive_redirect`]);
//!    [`PendingAuthorization::code_from_callback`] checks its query (`state` compared in
//!    constant time; an `error` becomes [`ClientError::OAuth`]).
//! 4. [`ApiClient::exchange_code`] trades the code for a [`TokenSet`]; the [`Connection`]
//!    (service, registration, tokens: all serde types, for the application to persist) is what
//!    the API calls take.
//! 5. [`ApiClient::push_credential`] (`upsertCredential`) and [`ApiClient::get_credentials`]
//!    (`getCredentials`, one page, following `Link` and `X-Total-Count`) refresh the access
//!    token when it is about to expire, and once more when the host answers 401.
//!
//! Every request goes through the proof crate's guarded client ([`AsyncHttpLoader`]) under
//! [`HttpLimits`]: a deadline per request, a cap on each response body, no redirects followed,
//! and no non-public address unless allowed ([`HttpLimits::allow_host`]). Endpoints must be
//! `https`, or `http` on a loopback host (a host under test, a local backpack).
//!
//! ```no_run
//! use openbadges_backpack::client::{
//!     ApiClient, CredentialBody, authorization_request, registration_request,
//! };
//! use openbadges_backpack::oauth::SCOPE_UPSERT;
//! use openbadges_proof::loader::HttpLimits;
//! # async fn run(callback_query: &str, credential: serde_json::Value)
//! # -> Result<(), openbadges_backpack::client::ClientError> {
//! let client = ApiClient::new(&HttpLimits::default())?;
//! let service = client.discover("https://backpack.example").await?;
//! let me = registration_request(
//!     "Badges 101",
//!     "https://badges.example",
//!     "https://badges.example/callback",
//! );
//! let registration = client.register(&service, &me).await?;
//! let (url, pending) =
//!     authorization_request(&service, &registration, "https://badges.example/callback", &[SCOPE_UPSERT])?;
//! // … send the browser to `url`, keep `pending`; the browser comes back with a query:
//! let code = pending.code_from_callback(callback_query)?;
//! let mut connection = client.exchange_code(&service, &registration, &pending, &code).await?;
//! let pushed = client.push_credential(&mut connection, &CredentialBody::Json(credential)).await?;
//! assert!(pushed.status == 200 || pushed.status == 201);
//! # Ok(()) }
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use openbadges_proof::loader::{AsyncHttpLoader, HttpLimits, LoadError};
use reqwest::header::{self, HeaderMap};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::oauth::{
    DISCOVERY_PATH, OAuthError, RegistrationRequest, RegistrationResponse, SCOPE_READONLY,
    SCOPE_UPSERT, ServiceDescription, TokenEndpointAuthMethod, TokenResponse, pkce,
};

/// This client's registration with one host (the RFC 7591 response): keep it, and use it for
/// every authorization with that host.
pub type Registration = RegistrationResponse;

/// A token this close to its expiry (seconds) is refreshed before it is used.
pub const REFRESH_MARGIN_SECS: i64 = 60;

/// What can go wrong talking to an OB 3.0 API host.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A URL (given, or in a document the host sent) is not a usable absolute URL.
    #[error("invalid url `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as written.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// The request could not be made or its answer not read: refused by the address guard,
    /// timed out, over the size limit, a network failure.
    #[error(transparent)]
    Http(#[from] LoadError),
    /// The Service Description Document is missing something the flow needs or is malformed.
    #[error("the service description document at `{url}` is invalid: {reason}")]
    InvalidDiscovery {
        /// Where it was read.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The authorization server said no, with an OAuth 2.0 error code (`invalid_grant`,
    /// `invalid_client`, `access_denied`, `invalid_redirect_uri`, …): from the token or
    /// registration endpoint (`status` is its HTTP status) or in the authorization response
    /// (`status` 0: it came back through the browser).
    #[error("the authorization server refused ({error}){}", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        /// The HTTP status (0 for an error in the authorization response).
        status: u16,
        /// The OAuth 2.0 error code.
        error: String,
        /// `error_description`, if given.
        description: Option<String>,
    },
    /// The authorization response's `state` is not the one this client sent: refused (a
    /// forged or mixed-up response, RFC 6749 §10.12).
    #[error("the authorization response's state does not match the request's")]
    StateMismatch,
    /// The OB 3.0 API answered with a failure (its `imsx_StatusInfo` code, if it sent one).
    #[error("the OB 3.0 API answered {status}{}{}", .code_minor.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(), .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Api {
        /// The HTTP status.
        status: u16,
        /// The `imsx_codeMinorFieldValue` (`unauthorizedrequest`, `invalid_data`, …) or the
        /// bearer challenge's `error`.
        code_minor: Option<String>,
        /// `imsx_description`, if given.
        description: Option<String>,
    },
    /// The host answered something this client cannot use (not JSON, a field missing, a
    /// redirect).
    #[error("unexpected answer from `{url}`: {reason}")]
    InvalidResponse {
        /// The request's URL.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The system random source failed.
    #[error("the system random source failed")]
    Random,
}

impl ClientError {
    /// The OAuth 2.0 error code, for [`ClientError::OAuth`].
    pub fn oauth_error(&self) -> Option<&str> {
        match self {
            ClientError::OAuth { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn invalid_response(url: &str, reason: impl Into<String>) -> ClientError {
    ClientError::InvalidResponse {
        url: url.to_owned(),
        reason: reason.into(),
    }
}

/// Parses `s` as an endpoint URL: absolute, `https`, or `http` on a loopback host; no
/// credentials or fragment.
fn endpoint_url(s: &str) -> Result<url::Url, String> {
    let u = url::Url::parse(s).map_err(|e| e.to_string())?;
    let loopback = match u.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => return Err("no host".into()),
    };
    match u.scheme() {
        "https" => {}
        "http" if loopback => {}
        other => {
            return Err(format!(
                "`{other}` URLs are refused (https, or http on loopback)"
            ));
        }
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("a URL with credentials is refused".into());
    }
    if u.fragment().is_some() {
        return Err("a URL with a fragment is refused".into());
    }
    Ok(u)
}

/// Checks what the flow needs from a host's Service Description Document (read from
/// `discovery_url`): an `oauth2` scheme, and the API base, registration, authorization, token
/// and refresh URLs all `https` (or `http` on loopback), and at least one scope.
///
/// # Errors
/// [`ClientError::InvalidDiscovery`] saying what is wrong.
pub fn validate_service(
    discovery_url: &str,
    service: &ServiceDescription,
) -> Result<(), ClientError> {
    let bad = |reason: String| ClientError::InvalidDiscovery {
        url: discovery_url.to_owned(),
        reason,
    };
    let check = |what: &str, u: &str| {
        endpoint_url(u)
            .map(drop)
            .map_err(|e| bad(format!("{what} `{u}`: {e}")))
    };
    let scheme = &service.components.security_schemes.oauth2_acg;
    if scheme.kind != "oauth2" {
        return Err(bad(format!(
            "the OAuth2ACG scheme has type `{}`, not oauth2",
            scheme.kind
        )));
    }
    check(
        "servers[0].url",
        service
            .api_base()
            .ok_or_else(|| bad("servers is empty".into()))?,
    )?;
    check("x-imssf-registrationUrl", service.registration_url())?;
    let flow = service.authorization_code();
    check("authorizationUrl", &flow.authorization_url)?;
    check("tokenUrl", &flow.token_url)?;
    if let Some(r) = &flow.refresh_url {
        check("refreshUrl", r)?;
    }
    if flow.scopes.is_empty() {
        return Err(bad("the authorizationCode flow offers no scopes".into()));
    }
    Ok(())
}

/// The `credentials` endpoint (`getCredentials`, `upsertCredential`) of a host.
///
/// # Errors
/// [`ClientError::InvalidDiscovery`] when the document names no server.
pub fn credentials_url(service: &ServiceDescription) -> Result<String, ClientError> {
    let base = service
        .api_base()
        .ok_or_else(|| ClientError::InvalidDiscovery {
            url: String::new(),
            reason: "servers is empty".into(),
        })?;
    Ok(format!("{}/credentials", base.trim_end_matches('/')))
}

/// A registration request for a client named `name` at `client_uri` with one redirect URI (for
/// a local client, a loopback `http://127.0.0.1:PORT/…` URI), with every member the OB 3.0 API
/// requires: `logo_uri`, `tos_uri` and `policy_uri` default to the client URI (set your own),
/// software id `openbadges-rs` and this crate's version, `client_secret_basic`, the
/// authorization code and refresh token grants, and the scopes `credential.upsert` and
/// `credential.readonly`.
pub fn registration_request(
    name: impl Into<String>,
    client_uri: impl Into<String>,
    redirect_uri: impl Into<String>,
) -> RegistrationRequest {
    let client_uri = client_uri.into();
    RegistrationRequest {
        client_name: name.into(),
        logo_uri: Some(client_uri.clone()),
        tos_uri: Some(client_uri.clone()),
        policy_uri: Some(client_uri.clone()),
        client_uri,
        software_id: Some("openbadges-rs".into()),
        software_version: Some(env!("CARGO_PKG_VERSION").into()),
        redirect_uris: vec![redirect_uri.into()],
        scope: Some(format!("{SCOPE_UPSERT} {SCOPE_READONLY}")),
        token_endpoint_auth_method: Some(TokenEndpointAuthMethod::ClientSecretBasic),
        grant_types: vec!["authorization_code".into(), "refresh_token".into()],
        response_types: vec!["code".into()],
        contacts: Vec::new(),
    }
}

/// Whether a registration's client secret has expired at `now` (seconds since the epoch):
/// register again.
pub fn registration_expired(registration: &Registration, now: i64) -> bool {
    registration
        .client_secret_expires_at
        .is_some_and(|t| t != 0 && t <= now)
}

/// An authorization request in flight: what the client keeps between sending the browser to
/// the authorization endpoint and receiving it back. Its `Debug` form never shows the PKCE
/// verifier.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingAuthorization {
    /// The `state` sent (random, 256 bits).
    pub state: String,
    /// The PKCE `code_verifier` (random, 256 bits).
    pub code_verifier: String,
    /// The `redirect_uri` sent (sent again with the code).
    pub redirect_uri: String,
    /// The scopes asked for (space-separated).
    pub scope: String,
}

impl std::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("state", &self.state)
            .field("code_verifier", &"<redacted>")
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish()
    }
}

impl PendingAuthorization {
    /// The authorization code from the query of the request that came back to the redirect
    /// URI (`code=…&state=…`, or `error=…&state=…`). The state is checked first.
    ///
    /// # Errors
    /// [`ClientError::StateMismatch`] when `state` is missing or another;
    /// [`ClientError::OAuth`] (status 0) for an error response (`access_denied`, …);
    /// [`ClientError::InvalidResponse`] when there is no code.
    pub fn code_from_callback(&self, query: &str) -> Result<String, ClientError> {
        let mut state = None;
        let mut code = None;
        let mut error = None;
        let mut description = None;
        for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let slot = match k.as_ref() {
                "state" => &mut state,
                "code" => &mut code,
                "error" => &mut error,
                "error_description" => &mut description,
                _ => continue,
            };
            if slot.is_some() {
                return Err(invalid_response(
                    &self.redirect_uri,
                    format!("`{k}` repeated in the authorization response"),
                ));
            }
            *slot = Some(v.into_owned());
        }
        let same = state.as_deref().is_some_and(|s| {
            openbadges_model::identity::constant_time_eq(s.as_bytes(), self.state.as_bytes())
        });
        if !same {
            return Err(ClientError::StateMismatch);
        }
        if let Some(error) = error {
            return Err(ClientError::OAuth {
                status: 0,
                error,
                description,
            });
        }
        code.filter(|c| !c.is_empty()).ok_or_else(|| {
            invalid_response(&self.redirect_uri, "no code in the authorization response")
        })
    }
}

/// 32 random bytes, base64url without padding (43 characters).
fn random_token() -> Result<String, ClientError> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| ClientError::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// The authorization request (RFC 6749 §4.1.1 with PKCE `S256`, RFC 7636): the URL to send the
/// user's browser to, and the [`PendingAuthorization`] to keep until it comes back.
/// `redirect_uri` must be one of the registration's.
///
/// # Errors
/// [`ClientError::InvalidUrl`] for a redirect URI not registered or an unusable authorization
/// endpoint; [`ClientError::Random`].
pub fn authorization_request(
    service: &ServiceDescription,
    registration: &Registration,
    redirect_uri: &str,
    scopes: &[&str],
) -> Result<(String, PendingAuthorization), ClientError> {
    if !registration
        .metadata
        .redirect_uris
        .iter()
        .any(|r| r == redirect_uri)
    {
        return Err(ClientError::InvalidUrl {
            url: redirect_uri.to_owned(),
            reason: "not one of the registration's redirect URIs".into(),
        });
    }
    let mut url =
        endpoint_url(&service.authorization_code().authorization_url).map_err(|reason| {
            ClientError::InvalidUrl {
                url: service.authorization_code().authorization_url.clone(),
                reason,
            }
        })?;
    let pending = PendingAuthorization {
        state: random_token()?,
        code_verifier: pkce::generate_verifier().map_err(|_| ClientError::Random)?,
        redirect_uri: redirect_uri.to_owned(),
        scope: scopes.join(" "),
    };
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &registration.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &pending.scope)
        .append_pair("state", &pending.state)
        .append_pair(
            "code_challenge",
            &pkce::s256_challenge(&pending.code_verifier),
        )
        .append_pair("code_challenge_method", pkce::METHOD_S256);
    Ok((url.into(), pending))
}

/// The tokens of one authorization: kept, and refreshed before they expire. Its `Debug` form
/// never shows them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenSet {
    /// The bearer access token.
    pub access_token: String,
    /// The refresh token, if the host issued one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires (seconds since the epoch), if the host said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    /// The scopes granted (space-separated).
    #[serde(default)]
    pub scope: String,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

impl TokenSet {
    /// Whether the access token expires within [`REFRESH_MARGIN_SECS`] of `now` (seconds
    /// since the epoch).
    pub fn expires_soon(&self, now: i64) -> bool {
        self.expires_at
            .is_some_and(|t| t.saturating_sub(REFRESH_MARGIN_SECS) <= now)
    }
}

/// Everything needed to call one host's API for one user: persist it (serde) and give it to
/// the API calls, which refresh its tokens in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The host.
    pub service: ServiceDescription,
    /// This client's registration there.
    pub registration: Registration,
    /// The user's tokens.
    pub tokens: TokenSet,
}

/// A credential to send with `upsertCredential`.
#[derive(Debug, Clone, PartialEq)]
pub enum CredentialBody {
    /// An OB 3.0 credential as JSON (sent as `application/json`).
    Json(Value),
    /// A compact VC-JWT (sent as `text/plain`).
    CompactJws(String),
}

/// What `upsertCredential` answered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Pushed {
    /// 201 (created) or 200 (replaced or already held).
    pub status: u16,
    /// The credential the host answered with.
    pub body: Vec<u8>,
}

impl Pushed {
    /// Whether the host created it (201) rather than updating one it held.
    pub fn created(&self) -> bool {
        self.status == 201
    }
}

/// One page of `getCredentials`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CredentialsPage {
    /// The credentials sent as JSON (`credential`).
    pub credentials: Vec<Value>,
    /// The credentials sent as compact JWS (`compactJwsString`).
    pub compact_jws: Vec<String>,
    /// `X-Total-Count`: how many there are across pages, if the host said.
    pub total_count: Option<usize>,
    /// The `Link` header's `next` page, if any (always under the API's base URL).
    pub next: Option<String>,
}

/// The seconds since the epoch now.
fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// An answer read whole within the limits.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

/// The OB 3.0 API client: discovery, registration, tokens and API calls over one guarded HTTP
/// client. Cheap to clone (clones share the connection pool); `Send + Sync`.
#[derive(Debug, Clone)]
pub struct ApiClient {
    http: AsyncHttpLoader,
}

impl ApiClient {
    /// A client under `limits` (allow the host of a local or test backpack with
    /// [`HttpLimits::allow_host`]). It must be used inside a tokio runtime.
    ///
    /// # Errors
    /// [`ClientError::Http`] if the HTTP client cannot be built.
    pub fn new(limits: &HttpLimits) -> Result<Self, ClientError> {
        limits.validate()?;
        Ok(ApiClient {
            http: AsyncHttpLoader::new(limits)?,
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> HttpLimits {
        self.http.limits()
    }

    async fn send(
        &self,
        url: &str,
        build: impl FnOnce(&reqwest::Client, url::Url) -> reqwest::RequestBuilder,
    ) -> Result<Answer, ClientError> {
        let parsed = endpoint_url(url).map_err(|reason| ClientError::InvalidUrl {
            url: url.to_owned(),
            reason,
        })?;
        self.http.check_url(&parsed)?;
        let limits = self.http.limits();
        let timed_out = || LoadError::TimedOut {
            url: url.to_owned(),
            limit: limits.timeout,
        };
        let network = |e: reqwest::Error| {
            if e.is_timeout() {
                return timed_out();
            }
            let mut message = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                message = format!("{message}: {s}");
                src = s.source();
            }
            LoadError::Network {
                url: url.to_owned(),
                message,
            }
        };
        let work = async {
            let mut resp = build(self.http.http_client(), parsed)
                .send()
                .await
                .map_err(network)?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            if resp
                .content_length()
                .is_some_and(|n| n > limits.max_bytes as u64)
            {
                return Err(LoadError::TooLarge {
                    url: url.to_owned(),
                    limit: limits.max_bytes,
                });
            }
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(network)? {
                body.extend_from_slice(&chunk);
                if body.len() > limits.max_bytes {
                    return Err(LoadError::TooLarge {
                        url: url.to_owned(),
                        limit: limits.max_bytes,
                    });
                }
            }
            Ok(Answer {
                status,
                headers,
                body,
            })
        };
        let answer = tokio::time::timeout(limits.timeout, work)
            .await
            .map_err(|_| timed_out())??;
        if (300..400).contains(&answer.status) {
            return Err(invalid_response(
                url,
                format!("redirect {} refused", answer.status),
            ));
        }
        Ok(answer)
    }

    /// Reads and validates the Service Description Document of the host at `host_url` (its
    /// origin, e.g. `https://backpack.example`; a path on it is ignored).
    ///
    /// # Errors
    /// [`ClientError::InvalidUrl`], [`ClientError::Http`], [`ClientError::InvalidDiscovery`]
    /// (also for a status other than 200).
    pub async fn discover(&self, host_url: &str) -> Result<ServiceDescription, ClientError> {
        let host = endpoint_url(host_url.trim()).map_err(|reason| ClientError::InvalidUrl {
            url: host_url.to_owned(),
            reason,
        })?;
        let discovery_url = host
            .join(DISCOVERY_PATH)
            .map_err(|e| ClientError::InvalidUrl {
                url: host_url.to_owned(),
                reason: e.to_string(),
            })?;
        let url = discovery_url.as_str().to_owned();
        let a = self
            .send(&url, |c, u| {
                c.get(u).header(header::ACCEPT, "application/json")
            })
            .await?;
        if a.status != 200 {
            return Err(ClientError::InvalidDiscovery {
                url,
                reason: format!("answered {}", a.status),
            });
        }
        let service: ServiceDescription =
            serde_json::from_slice(&a.body).map_err(|e| ClientError::InvalidDiscovery {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        validate_service(&url, &service)?;
        Ok(service)
    }

    /// Registers this client with the host (RFC 7591; the host answers 201, or 200).
    ///
    /// # Errors
    /// [`ClientError::OAuth`] when refused (`invalid_redirect_uri`,
    /// `invalid_client_metadata`, …); [`ClientError::InvalidResponse`] for an answer without a
    /// `client_id`; [`ClientError::Http`].
    pub async fn register(
        &self,
        service: &ServiceDescription,
        request: &RegistrationRequest,
    ) -> Result<Registration, ClientError> {
        let url = service.registration_url();
        let body = serde_json::to_string(request)
            .map_err(|e| invalid_response(url, format!("registration request: {e}")))?;
        let a = self
            .send(url, |c, u| {
                c.post(u)
                    .header(header::CONTENT_TYPE, "application/json")
                    .header(header::ACCEPT, "application/json")
                    .body(body)
            })
            .await?;
        if a.status != 201 && a.status != 200 {
            return Err(oauth_error(url, &a));
        }
        let mut reg: Registration = serde_json::from_slice(&a.body)
            .map_err(|e| invalid_response(url, format!("registration response: {e}")))?;
        if reg.client_id.is_empty() {
            return Err(invalid_response(url, "empty client_id"));
        }
        if reg.metadata.redirect_uris.is_empty() {
            reg.metadata
                .redirect_uris
                .clone_from(&request.redirect_uris);
        }
        if reg.metadata.scope.is_none() {
            reg.metadata.scope.clone_from(&request.scope);
        }
        Ok(reg)
    }

    /// A token request (`grant_type` and its parameters) with this client's authentication:
    /// HTTP Basic with the secret (`client_secret_basic`, RFC 6749 §2.3.1), or `client_id` in
    /// the form for a public client.
    async fn token_request(
        &self,
        url: &str,
        registration: &Registration,
        params: &[(&str, &str)],
    ) -> Result<TokenSet, ClientError> {
        let basic = registration.client_secret.as_ref().map(|secret| {
            let enc =
                |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", enc(&registration.client_id), enc(secret));
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(pair)
            )
        });
        // The serializer is not `Send`: built and dropped before any await.
        let body = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in params {
                form.append_pair(k, v);
            }
            if basic.is_none() {
                form.append_pair("client_id", &registration.client_id);
            }
            form.finish()
        };
        let a = self
            .send(url, |c, u| {
                let r = c
                    .post(u)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "application/json")
                    .body(body);
                match basic {
                    Some(b) => r.header(header::AUTHORIZATION, b),
                    None => r,
                }
            })
            .await?;
        if a.status != 200 {
            return Err(oauth_error(url, &a));
        }
        let w: TokenResponse = serde_json::from_slice(&a.body)
            .map_err(|e| invalid_response(url, format!("token response: {e}")))?;
        if !w.token_type.eq_ignore_ascii_case("bearer") {
            return Err(invalid_response(
                url,
                format!("token_type `{}` is not Bearer", w.token_type),
            ));
        }
        if w.access_token.is_empty() {
            return Err(invalid_response(url, "empty access_token"));
        }
        Ok(TokenSet {
            access_token: w.access_token,
            refresh_token: w.refresh_token,
            expires_at: w
                .expires_in
                .map(|s| now().saturating_add(i64::try_from(s).unwrap_or(i64::MAX))),
            scope: w.scope.unwrap_or_default(),
        })
    }

    /// Trades the authorization code (from
    /// [`PendingAuthorization::code_from_callback`]) for tokens, with the PKCE verifier.
    ///
    /// # Errors
    /// [`ClientError::OAuth`] (`invalid_grant` for a used, expired or mismatched code or
    /// verifier, `invalid_client`, …); [`ClientError::InvalidResponse`]; [`ClientError::Http`].
    pub async fn exchange_code(
        &self,
        service: &ServiceDescription,
        registration: &Registration,
        pending: &PendingAuthorization,
        code: &str,
    ) -> Result<Connection, ClientError> {
        let mut tokens = self
            .token_request(
                &service.authorization_code().token_url,
                registration,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", code),
                    ("redirect_uri", &pending.redirect_uri),
                    ("code_verifier", &pending.code_verifier),
                ],
            )
            .await?;
        if tokens.scope.is_empty() {
            tokens.scope.clone_from(&pending.scope);
        }
        Ok(Connection {
            service: service.clone(),
            registration: registration.clone(),
            tokens,
        })
    }

    /// Refreshes the connection's access token with its refresh token (RFC 6749 §6); a new
    /// refresh token, if the host rotates them, replaces the old one.
    ///
    /// # Errors
    /// [`ClientError::OAuth`] (`invalid_grant`: the refresh token is no longer good — run the
    /// authorization again), also when there is no refresh token; [`ClientError::Http`].
    pub async fn refresh(&self, connection: &mut Connection) -> Result<(), ClientError> {
        let Some(refresh_token) = connection.tokens.refresh_token.clone() else {
            return Err(ClientError::OAuth {
                status: 0,
                error: "invalid_grant".into(),
                description: Some("no refresh token: authorize again".into()),
            });
        };
        let flow = connection.service.authorization_code();
        let refresh_url = flow.refresh_url.as_ref().unwrap_or(&flow.token_url).clone();
        let mut fresh = self
            .token_request(
                &refresh_url,
                &connection.registration,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", &refresh_token),
                ],
            )
            .await?;
        if fresh.refresh_token.is_none() {
            fresh.refresh_token = Some(refresh_token);
        }
        if fresh.scope.is_empty() {
            fresh.scope.clone_from(&connection.tokens.scope);
        }
        connection.tokens = fresh;
        Ok(())
    }

    /// An API request with the connection's bearer token: refreshed first when it expires
    /// soon, and once more (then the request retried once) when the host answers 401.
    async fn authorized(
        &self,
        connection: &mut Connection,
        url: &str,
        build: impl Fn(&reqwest::Client, url::Url) -> reqwest::RequestBuilder,
    ) -> Result<Answer, ClientError> {
        let can_refresh = connection.tokens.refresh_token.is_some();
        if can_refresh && connection.tokens.expires_soon(now()) {
            self.refresh(connection).await?;
        }
        let mut refreshed = false;
        loop {
            let bearer = format!("Bearer {}", connection.tokens.access_token);
            let a = self
                .send(url, |c, u| {
                    build(c, u).header(header::AUTHORIZATION, bearer)
                })
                .await?;
            if a.status == 401 && can_refresh && !refreshed {
                refreshed = true;
                self.refresh(connection).await?;
                continue;
            }
            return Ok(a);
        }
    }

    /// `upsertCredential`: sends one credential to the host.
    ///
    /// # Errors
    /// [`ClientError::Api`] for a refusal (400 `invalid_data`, 401 after a refresh, 403
    /// `insufficient_scope`, 413, 415); [`ClientError::OAuth`] if a needed refresh fails;
    /// [`ClientError::Http`].
    pub async fn push_credential(
        &self,
        connection: &mut Connection,
        credential: &CredentialBody,
    ) -> Result<Pushed, ClientError> {
        let url = credentials_url(&connection.service)?;
        let (content_type, body) = match credential {
            CredentialBody::Json(v) => ("application/json", v.to_string()),
            CredentialBody::CompactJws(s) => ("text/plain", s.clone()),
        };
        let a = self
            .authorized(connection, &url, |c, u| {
                c.post(u)
                    .header(header::CONTENT_TYPE, content_type)
                    .header(header::ACCEPT, "application/json, text/plain")
                    .body(body.clone())
            })
            .await?;
        match a.status {
            200 | 201 => Ok(Pushed {
                status: a.status,
                body: a.body,
            }),
            _ => Err(api_error(&a)),
        }
    }

    /// `getCredentials`: one page (`limit` at least 1, from `offset`).
    ///
    /// # Errors
    /// As [`ApiClient::push_credential`]; [`ClientError::InvalidResponse`] for a body that is
    /// not a `GetOpenBadgeCredentialsResponse`.
    pub async fn get_credentials(
        &self,
        connection: &mut Connection,
        limit: usize,
        offset: usize,
    ) -> Result<CredentialsPage, ClientError> {
        let base = credentials_url(&connection.service)?;
        let mut url = url::Url::parse(&base).map_err(|e| ClientError::InvalidUrl {
            url: base.clone(),
            reason: e.to_string(),
        })?;
        url.query_pairs_mut()
            .append_pair("limit", &limit.max(1).to_string())
            .append_pair("offset", &offset.to_string());
        self.get_credentials_at(connection, url.as_str()).await
    }

    /// `getCredentials` at `url`: a page's [`CredentialsPage::next`].
    ///
    /// # Errors
    /// As [`ApiClient::get_credentials`]; [`ClientError::InvalidUrl`] for a URL outside the
    /// API's base (the token is never sent elsewhere).
    pub async fn get_credentials_at(
        &self,
        connection: &mut Connection,
        url: &str,
    ) -> Result<CredentialsPage, ClientError> {
        let base = credentials_url(&connection.service)?;
        let under_base = url
            .strip_prefix(&base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'));
        if !under_base {
            return Err(ClientError::InvalidUrl {
                url: url.to_owned(),
                reason: format!("not under the API's credentials endpoint {base}"),
            });
        }
        let a = self
            .authorized(connection, url, |c, u| {
                c.get(u).header(header::ACCEPT, "application/json")
            })
            .await?;
        if a.status != 200 {
            return Err(api_error(&a));
        }
        let body: Value = serde_json::from_slice(&a.body)
            .map_err(|e| invalid_response(url, format!("not JSON: {e}")))?;
        let list = |key: &str| -> Result<Vec<Value>, ClientError> {
            match body.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(a)) => Ok(a.clone()),
                Some(_) => Err(invalid_response(url, format!("`{key}` is not an array"))),
            }
        };
        let credentials = list("credential")?;
        let compact_jws = list("compactJwsString")?
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(invalid_response(url, "a compactJwsString is not a string")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let total_count = a
            .headers
            .get("x-total-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok());
        let next = a
            .headers
            .get_all(header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(link_next)
            .and_then(|n| url::Url::parse(url).ok()?.join(&n).ok())
            .map(String::from)
            .filter(|n| {
                n.strip_prefix(&base)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'))
            });
        Ok(CredentialsPage {
            credentials,
            compact_jws,
            total_count,
            next,
        })
    }
}

/// The largest request head [`receive_redirect`] reads.
const MAX_REDIRECT_HEAD: usize = 8 * 1024;

/// Receives the browser's return to a **loopback** redirect URI (RFC 8252 §7.3: a desktop or
/// command-line client registers `http://127.0.0.1:PORT/…` and listens there): accepts
/// connections on `listener` until one brings a `GET` for `path`, answers it with a short page
/// saying the window may be closed, and returns the authorization code
/// ([`PendingAuthorization::code_from_callback`]). Other requests (a favicon) get 404. Each
/// request head must arrive within `timeout` and be at most 8 KiB.
///
/// # Errors
/// [`ClientError::StateMismatch`] and [`ClientError::OAuth`] as the callback check says;
/// [`ClientError::InvalidResponse`] when nothing usable arrives within `timeout` in all.
pub async fn receive_redirect(
    listener: &tokio::net::TcpListener,
    path: &str,
    pending: &PendingAuthorization,
    timeout: std::time::Duration,
) -> Result<String, ClientError> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let deadline = tokio::time::Instant::now() + timeout;
    let gave_up = || invalid_response(&pending.redirect_uri, "no redirect arrived in time");
    loop {
        let (mut stream, _) = tokio::time::timeout_at(deadline, listener.accept())
            .await
            .map_err(|_| gave_up())?
            .map_err(|e| invalid_response(&pending.redirect_uri, e.to_string()))?;
        let mut head = Vec::new();
        let read = tokio::time::timeout_at(deadline, async {
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_REDIRECT_HEAD {
                let n = stream.read(&mut buf).await?;
                if n == 0 {
                    break;
                }
                head.extend_from_slice(buf.get(..n).unwrap_or_default());
            }
            Ok::<_, std::io::Error>(())
        })
        .await;
        if read.is_err() {
            return Err(gave_up());
        }
        let line = head
            .split(|b| *b == b'\n')
            .next()
            .map(|l| String::from_utf8_lossy(l).trim().to_owned())
            .unwrap_or_default();
        let mut parts = line.split(' ');
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let (target_path, query) = target.split_once('?').unwrap_or((target, ""));
        if method != "GET" || target_path != path {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let outcome = pending.code_from_callback(query);
        let text: &[u8] = if outcome.is_ok() {
            b"You may close this window and return to the application."
        } else {
            b"The authorization did not succeed. Return to the application."
        };
        let answer = [
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                text.len()
            )
            .as_bytes(),
            text,
        ]
        .concat();
        let _ = stream.write_all(&answer).await;
        let _ = stream.shutdown().await;
        return outcome;
    }
}

/// The `rel="next"` target of a `Link` header value (RFC 8288).
fn link_next(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.trim().split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        let next = params.split(';').any(|p| {
            let Some((k, v)) = p.trim().split_once('=') else {
                return false;
            };
            k.trim().eq_ignore_ascii_case("rel")
                && v.trim()
                    .trim_matches('"')
                    .split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
        });
        next.then(|| target.to_owned())
    })
}

/// An OAuth 2.0 error answer (RFC 6749 §5.2, RFC 7591 §3.2.2) as [`ClientError::OAuth`].
fn oauth_error(url: &str, a: &Answer) -> ClientError {
    match serde_json::from_slice::<OAuthError>(&a.body) {
        Ok(w) if !w.error.is_empty() => ClientError::OAuth {
            status: a.status,
            error: w.error,
            description: w.error_description,
        },
        _ => invalid_response(url, format!("answered {} without an OAuth error", a.status)),
    }
}

/// An OB 3.0 API failure: the `imsx_StatusInfo` body, or the bearer challenge's `error`.
fn api_error(a: &Answer) -> ClientError {
    let body: Option<Value> = serde_json::from_slice(&a.body).ok();
    let code_minor = body
        .as_ref()
        .and_then(|b| b.pointer("/imsx_codeMinor/imsx_codeMinorField/0/imsx_codeMinorFieldValue"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            let challenge = a.headers.get(header::WWW_AUTHENTICATE)?.to_str().ok()?;
            let (_, rest) = challenge.split_once("error=\"")?;
            rest.split_once('"').map(|(e, _)| e.to_owned())
        });
    let description = body
        .as_ref()
        .and_then(|b| b.get("imsx_description"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    ClientError::Api {
        status: a.status,
        code_minor,
        description,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Web servers run these on a multi-threaded runtime: every future must be `Send`.
    #[test]
    fn futures_are_send() {
        fn is_send<T: Send>(_: &T) {}
        let c = ApiClient::new(&HttpLimits::default()).unwrap();
        let service: ServiceDescription = serde_json::from_value(serde_json::json!({
            "openapi": "3.0.1",
            "info": {"title": "t", "version": "3.0", "x-imssf-privacyPolicyUrl": "https://h/p"},
            "servers": [{"url": "https://h/ims/ob/v3p0"}],
            "components": {"securitySchemes": {"OAuth2ACG": {"type": "oauth2",
                "x-imssf-registrationUrl": "https://h/r",
                "flows": {"authorizationCode": {"authorizationUrl": "https://h/a",
                    "tokenUrl": "https://h/t", "scopes": {"s": "s"}}}}}}
        }))
        .unwrap();
        let reg: Registration = serde_json::from_value(serde_json::json!({
            "client_id": "c", "client_secret": "s", "client_name": "n",
            "client_uri": "https://c", "redirect_uris": ["https://c/cb"]
        }))
        .unwrap();
        let (_, pending) = authorization_request(&service, &reg, "https://c/cb", &["s"]).unwrap();
        let mut conn = Connection {
            service: service.clone(),
            registration: reg.clone(),
            tokens: TokenSet {
                access_token: "a".into(),
                refresh_token: None,
                expires_at: None,
                scope: String::new(),
            },
        };
        is_send(&c.discover("https://h"));
        is_send(&c.register(
            &service,
            &registration_request("n", "https://c", "https://c/cb"),
        ));
        is_send(&c.exchange_code(&service, &reg, &pending, "code"));
        is_send(&c.refresh(&mut conn.clone()));
        is_send(&c.get_credentials(&mut conn.clone(), 1, 0));
        is_send(&c.push_credential(&mut conn, &CredentialBody::CompactJws("x".into())));
    }

    #[test]
    fn link_next_is_found() {
        let h = "<https://h/ims/ob/v3p0/credentials?limit=1&offset=0>; rel=\"first\", \
                 <https://h/ims/ob/v3p0/credentials?limit=1&offset=1>; rel=\"next\"";
        assert_eq!(
            link_next(h).as_deref(),
            Some("https://h/ims/ob/v3p0/credentials?limit=1&offset=1")
        );
        assert_eq!(link_next("<x>; rel=\"last\""), None);
    }

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        assert!(endpoint_url("https://h.example/x").is_ok());
        assert!(endpoint_url("http://127.0.0.1:8080/x").is_ok());
        assert!(endpoint_url("http://[::1]:8080/x").is_ok());
        assert!(endpoint_url("http://h.example/x").is_err());
        assert!(endpoint_url("https://u:p@h.example/x").is_err());
        assert!(endpoint_url("file:///etc/passwd").is_err());
        assert!(endpoint_url("/relative").is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let t = TokenSet {
            access_token: "AT-secret".into(),
            refresh_token: Some("RT-secret".into()),
            expires_at: Some(10),
            scope: String::new(),
        };
        let all = format!("{t:?}");
        assert!(
            !all.contains("AT-secret") && !all.contains("RT-secret"),
            "{all}"
        );
        assert!(t.expires_soon(10 - REFRESH_MARGIN_SECS));
        assert!(!t.expires_soon(10 - REFRESH_MARGIN_SECS - 1));
    }
}
