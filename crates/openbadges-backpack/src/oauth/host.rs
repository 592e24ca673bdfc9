//! The OB 3.0 API **host**'s OAuth 2.0 authorization server, framework-agnostic: typed inputs
//! (query strings, form bodies, `Authorization` headers) in, a status and a JSON body (or a
//! redirect) out. The web app only wires routes and renders the consent page.
//!
//! - [`Host::discovery`]: the Service Description Document.
//! - [`Host::register`]: RFC 7591 dynamic client registration (201).
//! - [`Host::authorization_request`] → consent page → [`Host::grant`] / [`Host::deny`]: the
//!   authorization code grant, PKCE `S256` required (RFC 7636).
//! - [`Host::token`]: `authorization_code` (with the verifier check) and `refresh_token` (with
//!   rotation), the client authenticated as it registered (`client_secret_basic`,
//!   `client_secret_post`, or `none` for public clients).
//! - [`Host::revoke`]: RFC 7009.
//! - [`Host::authorize_bearer`]: the resource server's check of an access token for a scope.
//! - [`get_profile`] / [`put_profile`]: the OB 3.0 API profile of a backpack owner.
//!
//! Everything lives in the backpack's [`Store`] ([`Store::grant_put`] and friends: SQLite or
//! PostgreSQL), secrets only as SHA-256 digests, so several instances on one database agree;
//! codes and refresh tokens are taken atomically, hence single-use across instances.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    AuthorizationCodeFlow, Components, OAuth2Flows, OAuth2Scheme, OAuthError, RegistrationRequest,
    RegistrationResponse, SCOPES, SecuritySchemes, Server, ServiceDescription, ServiceInfo,
    TokenEndpointAuthMethod, TokenResponse, error_code as E, pkce,
};
use crate::export::api::ApiReply;
use crate::model::sha256_hex;
use crate::store::{GrantRow, Store};
use crate::{Error, Result};

/// Where the host's endpoints are and how long what it issues lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    /// The public origin with a trailing slash, e.g. `https://backpack.example/`.
    pub base_url: String,
    /// The service's name (the document's `info.title`).
    pub title: String,
    /// The privacy policy URL.
    pub privacy_policy_url: String,
    /// Authorization codes live this long (seconds; RFC 6749 recommends at most 600).
    pub code_lifetime_secs: i64,
    /// Access tokens live this long (seconds).
    pub access_token_lifetime_secs: i64,
    /// Refresh tokens live this long (seconds).
    pub refresh_token_lifetime_secs: i64,
}

impl HostConfig {
    /// Defaults for a host at `base_url`: codes 60 s, access tokens 1 hour, refresh tokens
    /// 30 days.
    pub fn new(base_url: &str) -> Self {
        let base_url = if base_url.ends_with('/') {
            base_url.to_owned()
        } else {
            format!("{base_url}/")
        };
        HostConfig {
            privacy_policy_url: format!("{base_url}privacy"),
            base_url,
            title: "Open Badges backpack".to_owned(),
            code_lifetime_secs: 60,
            access_token_lifetime_secs: 3600,
            refresh_token_lifetime_secs: 30 * 24 * 3600,
        }
    }
}

/// The endpoint paths (below the origin) the host's documents name.
pub mod paths {
    /// RFC 7591 registration.
    pub const REGISTER: &str = "/ims/ob/v3p0/oauth/register";
    /// The authorization endpoint (the consent page).
    pub const AUTHORIZE: &str = "/ims/ob/v3p0/oauth/authorize";
    /// The token endpoint.
    pub const TOKEN: &str = "/ims/ob/v3p0/oauth/token";
    /// RFC 7009 revocation.
    pub const REVOKE: &str = "/ims/ob/v3p0/oauth/revoke";
    /// `getCredentials` / `upsertCredential`.
    pub const CREDENTIALS: &str = "/ims/ob/v3p0/credentials";
    /// `getProfile` / `putProfile`.
    pub const PROFILE: &str = "/ims/ob/v3p0/profile";
}

/// An answer of an OAuth 2.0 endpoint: status and JSON body. Send it as `application/json`
/// with `Cache-Control: no-store` (RFC 6749 §5.1), and `WWW-Authenticate` when present.
#[derive(Debug, Clone, PartialEq)]
pub struct OAuthReply {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: Value,
    /// The `WWW-Authenticate` header (401 `invalid_client` with Basic authentication).
    pub www_authenticate: Option<String>,
}

impl OAuthReply {
    fn ok(status: u16, body: impl Serialize) -> Self {
        OAuthReply {
            status,
            body: serde_json::to_value(body).unwrap_or(Value::Null),
            www_authenticate: None,
        }
    }

    fn error(status: u16, code: &str, why: &str) -> Self {
        OAuthReply::ok(status, OAuthError::new(code, why))
    }
}

/// A validated authorization request, for the consent page; the page posts its fields back
/// (hidden inputs) with the person's decision, and they are validated again then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// The client.
    pub client_id: String,
    /// The client's registered name.
    pub client_name: String,
    /// The client's registered home page.
    pub client_uri: String,
    /// The registered redirect URI to answer to.
    pub redirect_uri: String,
    /// The scopes asked for (each an OB 3.0 scope URI).
    pub scopes: Vec<String>,
    /// The client's `state`, passed back.
    pub state: Option<String>,
    /// The PKCE `S256` challenge.
    pub code_challenge: String,
}

impl AuthorizationRequest {
    /// The fields to post back from the consent page: `(name, value)`.
    pub fn form_fields(&self) -> Vec<(&'static str, String)> {
        let mut f = vec![
            ("response_type", "code".to_owned()),
            ("client_id", self.client_id.clone()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", self.scopes.join(" ")),
            ("code_challenge", self.code_challenge.clone()),
            ("code_challenge_method", pkce::METHOD_S256.to_owned()),
        ];
        if let Some(s) = &self.state {
            f.push(("state", s.clone()));
        }
        f
    }

    /// The scopes in words, for the consent page.
    pub fn scope_words(&self) -> Vec<&'static str> {
        self.scopes
            .iter()
            .filter_map(|s| super::scope_description(s))
            .collect()
    }

    fn redirect_with(&self, params: &[(&str, &str)]) -> String {
        let mut url = self.redirect_uri.clone();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        let mut all: Vec<(&str, &str)> = params.to_vec();
        if let Some(s) = &self.state {
            all.push(("state", s));
        }
        for (k, v) in all {
            url.push(sep);
            url.push_str(k);
            url.push('=');
            url.push_str(&encode(v));
            sep = '&';
        }
        url
    }
}

/// Why an authorization request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationRefusal {
    /// The client or redirect URI cannot be trusted: show an error page, **never redirect**.
    ErrorPage(String),
    /// Redirect (303) the browser to this URL: the client's redirect URI with `error`
    /// (`invalid_request`, `invalid_scope`, `unsupported_response_type`, …) and `state`.
    Redirect(String),
}

/// What an access token stands for: the backpack owner who consented, the client, the scopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// The backpack owner (the learner's email in Badges 101).
    pub subject: String,
    /// The client.
    pub client_id: String,
    /// The granted scopes.
    pub scopes: Vec<String>,
    /// The authorization this belongs to (revoked together).
    pub family: String,
}

#[derive(Serialize, Deserialize)]
struct ClientRecord {
    metadata: RegistrationRequest,
    auth_method: TokenEndpointAuthMethod,
    secret_sha256: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct CodeRecord {
    grant: Grant,
    redirect_uri: String,
    code_challenge: String,
}

const KIND_CLIENT: &str = "client";
const KIND_CODE: &str = "code";
const KIND_ACCESS: &str = "access";
const KIND_REFRESH: &str = "refresh";
const KIND_PROFILE: &str = "profile";
/// A redeemed code's digest, kept while its tokens may live: a second redemption revokes them.
const KIND_USED_CODE: &str = "used_code";

/// Everything but the URI unreserved characters (RFC 3986 §2.3) is percent-encoded.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(v: &str) -> String {
    percent_encoding::utf8_percent_encode(v, QUERY_VALUE).to_string()
}

/// The pairs of an `application/x-www-form-urlencoded` body or query (`+` is a space).
pub fn parse_form(text: &str) -> Vec<(String, String)> {
    let dec = |s: &str| {
        let s = s.replace('+', " ");
        percent_encoding::percent_decode_str(&s)
            .decode_utf8_lossy()
            .into_owned()
    };
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (dec(k), dec(v)),
            None => (dec(p), String::new()),
        })
        .collect()
}

/// The single value of `name`: `Ok(None)` when absent, `Err` when repeated (RFC 6749 §3.1).
fn single<'a>(
    form: &'a [(String, String)],
    name: &str,
) -> std::result::Result<Option<&'a str>, String> {
    let mut it = form.iter().filter(|(k, _)| k == name);
    let first = it.next().map(|(_, v)| v.as_str());
    if it.next().is_some() {
        return Err(format!("`{name}` is repeated"));
    }
    Ok(first.filter(|v| !v.is_empty()))
}

fn random_secret() -> Result<String> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| Error::Random)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// Whether `uri` may be registered as a redirect (or client) URI: HTTPS, or HTTP on the
/// loopback address (`127.0.0.1` or `[::1]`, any port) for a local client; no fragment, no
/// whitespace, a host present.
pub fn is_acceptable_client_uri(uri: &str) -> bool {
    if uri.contains('#') || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let authority_ok = |rest: &str| {
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        !authority.is_empty() && !authority.contains('@')
    };
    if let Some(rest) = uri.strip_prefix("https://") {
        return authority_ok(rest);
    }
    if let Some(rest) = uri.strip_prefix("http://") {
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        let host = if authority.starts_with("[::1]") {
            "[::1]"
        } else {
            authority.split(':').next().unwrap_or("")
        };
        let after = authority.get(host.len()..).unwrap_or("");
        return matches!(host, "127.0.0.1" | "[::1]")
            && (after.is_empty()
                || after
                    .strip_prefix(':')
                    .is_some_and(|p| p.parse::<u16>().is_ok()));
    }
    false
}

/// The OB 3.0 API host's authorization server over a backpack [`Store`].
#[derive(Debug, Clone)]
pub struct Host {
    config: HostConfig,
}

impl Host {
    /// A host with `config`.
    pub fn new(config: HostConfig) -> Self {
        Host { config }
    }

    /// Its configuration.
    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url.trim_end_matches('/'), path)
    }

    /// The Service Description Document served at [`super::DISCOVERY_PATH`].
    pub fn discovery(&self) -> ServiceDescription {
        ServiceDescription {
            openapi: "3.0.1".to_owned(),
            info: ServiceInfo {
                title: self.config.title.clone(),
                version: "3.0".to_owned(),
                description: Some("The Open Badges 3.0 API of this backpack".to_owned()),
                terms_of_service: None,
                privacy_policy_url: self.config.privacy_policy_url.clone(),
                image: None,
            },
            servers: vec![Server {
                url: self.url("/ims/ob/v3p0"),
                description: None,
            }],
            components: Components {
                security_schemes: SecuritySchemes {
                    oauth2_acg: OAuth2Scheme {
                        kind: "oauth2".to_owned(),
                        description: Some(
                            "OAuth 2.0 authorization code grant with PKCE (S256)".to_owned(),
                        ),
                        registration_url: self.url(paths::REGISTER),
                        flows: OAuth2Flows {
                            authorization_code: AuthorizationCodeFlow {
                                authorization_url: self.url(paths::AUTHORIZE),
                                token_url: self.url(paths::TOKEN),
                                refresh_url: Some(self.url(paths::TOKEN)),
                                revocation_url: Some(self.url(paths::REVOKE)),
                                scopes: SCOPES
                                    .iter()
                                    .map(|(s, d)| ((*s).to_owned(), (*d).to_owned()))
                                    .collect(),
                            },
                        },
                    },
                },
            },
        }
    }

    /// RFC 7591 registration of a client from its JSON `body`: **201** with the
    /// [`RegistrationResponse`] (a secret unless the method is `none`), or **400** with
    /// `invalid_redirect_uri` / `invalid_client_metadata`.
    ///
    /// # Errors
    /// Storage errors, [`Error::Random`].
    pub fn register<S: Store + ?Sized>(&self, store: &S, body: &[u8]) -> Result<OAuthReply> {
        let bad = |code: &str, why: &str| Ok(OAuthReply::error(400, code, why));
        let mut req: RegistrationRequest = match serde_json::from_slice(body) {
            Ok(r) => r,
            Err(e) => return bad(E::INVALID_CLIENT_METADATA, &format!("the request: {e}")),
        };
        if req.redirect_uris.is_empty() {
            return bad(E::INVALID_REDIRECT_URI, "redirect_uris is required");
        }
        if let Some(u) = req
            .redirect_uris
            .iter()
            .find(|u| !is_acceptable_client_uri(u))
        {
            return bad(
                E::INVALID_REDIRECT_URI,
                &format!("{u:?} is neither HTTPS nor a loopback HTTP URI"),
            );
        }
        if req.client_name.trim().is_empty() {
            return bad(E::INVALID_CLIENT_METADATA, "client_name is required");
        }
        if !is_acceptable_client_uri(&req.client_uri) {
            return bad(
                E::INVALID_CLIENT_METADATA,
                "client_uri must be HTTPS or a loopback HTTP URI",
            );
        }
        for u in [&req.logo_uri, &req.tos_uri, &req.policy_uri]
            .into_iter()
            .flatten()
        {
            if !is_acceptable_client_uri(u) {
                return bad(
                    E::INVALID_CLIENT_METADATA,
                    &format!("{u:?} is neither HTTPS nor a loopback HTTP URI"),
                );
            }
        }
        let scopes: Vec<String> = match &req.scope {
            Some(s) => s.split_whitespace().map(str::to_owned).collect(),
            None => SCOPES.iter().map(|(s, _)| (*s).to_owned()).collect(),
        };
        if let Some(s) = scopes
            .iter()
            .find(|s| super::scope_description(s).is_none())
        {
            return bad(E::INVALID_CLIENT_METADATA, &format!("unknown scope {s:?}"));
        }
        if req
            .grant_types
            .iter()
            .any(|g| g != "authorization_code" && g != "refresh_token")
        {
            return bad(
                E::INVALID_CLIENT_METADATA,
                "grant_types may only be authorization_code and refresh_token",
            );
        }
        if req.response_types.iter().any(|r| r != "code") {
            return bad(
                E::INVALID_CLIENT_METADATA,
                "response_types may only be code",
            );
        }
        let method = req
            .token_endpoint_auth_method
            .unwrap_or(TokenEndpointAuthMethod::ClientSecretBasic);
        req.token_endpoint_auth_method = Some(method);
        req.scope = Some(scopes.join(" "));
        if req.grant_types.is_empty() {
            req.grant_types = vec!["authorization_code".into(), "refresh_token".into()];
        }
        if req.response_types.is_empty() {
            req.response_types = vec!["code".into()];
        }
        let client_id = random_secret()?;
        let secret = match method {
            TokenEndpointAuthMethod::None => None,
            _ => Some(random_secret()?),
        };
        let record = ClientRecord {
            metadata: req.clone(),
            auth_method: method,
            secret_sha256: secret.as_deref().map(|s| sha256_hex(s.as_bytes())),
        };
        store.grant_put(&GrantRow {
            kind: KIND_CLIENT.into(),
            key: client_id.clone(),
            family: None,
            value: serde_json::to_string(&record).map_err(Error::storage)?,
            expires_at: None,
        })?;
        Ok(OAuthReply::ok(
            201,
            RegistrationResponse {
                client_id,
                client_secret_expires_at: secret.as_ref().map(|_| 0),
                client_secret: secret,
                client_id_issued_at: Some(now()),
                metadata: req,
            },
        ))
    }

    fn client<S: Store + ?Sized>(&self, store: &S, id: &str) -> Result<Option<ClientRecord>> {
        store
            .grant_get(KIND_CLIENT, id, now())?
            .map(|v| serde_json::from_str(&v).map_err(Error::storage))
            .transpose()
    }

    /// Validates an authorization request (the authorization endpoint's query, or the consent
    /// form posted back). An unknown client, or a `redirect_uri` the client did not register,
    /// is an [`AuthorizationRefusal::ErrorPage`] — never a redirect. Otherwise a malformed
    /// request redirects back with the error: `response_type` other than `code`
    /// (`unsupported_response_type`), no `code_challenge` or a method other than `S256` —
    /// `plain` included (`invalid_request`), an unknown or unregistered scope
    /// (`invalid_scope`).
    ///
    /// # Errors
    /// Storage errors.
    pub fn authorization_request<S: Store + ?Sized>(
        &self,
        store: &S,
        form: &[(String, String)],
    ) -> Result<std::result::Result<AuthorizationRequest, AuthorizationRefusal>> {
        let page = |why: String| Ok(Err(AuthorizationRefusal::ErrorPage(why)));
        let (client_id, redirect) = match (single(form, "client_id"), single(form, "redirect_uri"))
        {
            (Ok(Some(c)), Ok(r)) => (c, r),
            (Ok(None), _) => return page("The request names no client (client_id).".into()),
            (Err(e), _) | (_, Err(e)) => return page(format!("The request is malformed: {e}.")),
        };
        let Some(client) = self.client(store, client_id)? else {
            return page("The application asking for access is not registered here.".into());
        };
        let redirect_uri = match redirect {
            Some(r) if client.metadata.redirect_uris.iter().any(|u| u == r) => r.to_owned(),
            Some(_) => {
                return page("The application's redirect address is not one it registered.".into());
            }
            None => match client.metadata.redirect_uris.as_slice() {
                [only] => only.clone(),
                _ => return page("The request names no redirect address.".into()),
            },
        };
        let state = single(form, "state").ok().flatten().map(str::to_owned);
        let mut req = AuthorizationRequest {
            client_id: client_id.to_owned(),
            client_name: client.metadata.client_name.clone(),
            client_uri: client.metadata.client_uri.clone(),
            redirect_uri,
            scopes: Vec::new(),
            state,
            code_challenge: String::new(),
        };
        let back = |req: &AuthorizationRequest, code: &str, why: &str| {
            Ok(Err(AuthorizationRefusal::Redirect(req.redirect_with(&[
                ("error", code),
                ("error_description", why),
            ]))))
        };
        let one = |name: &str| single(form, name);
        match one("response_type") {
            Ok(Some("code")) => {}
            Ok(_) => {
                return back(
                    &req,
                    E::UNSUPPORTED_RESPONSE_TYPE,
                    "only response_type=code is supported",
                );
            }
            Err(e) => return back(&req, E::INVALID_REQUEST, &e),
        }
        if single(form, "state").is_err() {
            return back(&req, E::INVALID_REQUEST, "`state` is repeated");
        }
        match (one("code_challenge"), one("code_challenge_method")) {
            (Ok(Some(c)), Ok(Some(pkce::METHOD_S256))) if pkce::is_valid_s256_challenge(c) => {
                req.code_challenge = c.to_owned();
            }
            (Ok(Some(_)), Ok(Some(pkce::METHOD_S256))) => {
                return back(&req, E::INVALID_REQUEST, "code_challenge is malformed");
            }
            (Ok(None), _) => {
                return back(
                    &req,
                    E::INVALID_REQUEST,
                    "PKCE is required: code_challenge with code_challenge_method=S256",
                );
            }
            (Ok(Some(_)), Ok(_)) => {
                return back(
                    &req,
                    E::INVALID_REQUEST,
                    "code_challenge_method must be S256 (plain is not accepted)",
                );
            }
            (Err(e), _) | (_, Err(e)) => return back(&req, E::INVALID_REQUEST, &e),
        }
        let registered: Vec<&str> = client
            .metadata
            .scope
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let scopes: Vec<String> = match one("scope") {
            Ok(Some(s)) => s.split_whitespace().map(str::to_owned).collect(),
            Ok(None) => registered.iter().map(|s| (*s).to_owned()).collect(),
            Err(e) => return back(&req, E::INVALID_REQUEST, &e),
        };
        if scopes.is_empty()
            || scopes
                .iter()
                .any(|s| !registered.contains(&s.as_str()) || super::scope_description(s).is_none())
        {
            return back(
                &req,
                E::INVALID_SCOPE,
                "a requested scope is unknown or not registered by the client",
            );
        }
        let mut dedup = Vec::new();
        for s in scopes {
            if !dedup.contains(&s) {
                dedup.push(s);
            }
        }
        req.scopes = dedup;
        Ok(Ok(req))
    }

    /// The person whose backpack it is (`subject`) allowed `req`: stores a single-use code
    /// (SHA-256 only) and returns the redirect URL with `code` and `state`.
    ///
    /// # Errors
    /// Storage errors, [`Error::Random`].
    pub fn grant<S: Store + ?Sized>(
        &self,
        store: &S,
        req: &AuthorizationRequest,
        subject: &str,
    ) -> Result<String> {
        let code = random_secret()?;
        let record = CodeRecord {
            grant: Grant {
                subject: subject.to_owned(),
                client_id: req.client_id.clone(),
                scopes: req.scopes.clone(),
                family: random_secret()?,
            },
            redirect_uri: req.redirect_uri.clone(),
            code_challenge: req.code_challenge.clone(),
        };
        store.grant_put(&GrantRow {
            kind: KIND_CODE.into(),
            key: sha256_hex(code.as_bytes()),
            family: Some(record.grant.family.clone()),
            value: serde_json::to_string(&record).map_err(Error::storage)?,
            expires_at: Some(now().saturating_add(self.config.code_lifetime_secs)),
        })?;
        Ok(req.redirect_with(&[("code", &code)]))
    }

    /// The person denied `req`: the redirect URL with `error=access_denied` and `state`.
    pub fn deny(&self, req: &AuthorizationRequest) -> String {
        req.redirect_with(&[
            ("error", E::ACCESS_DENIED),
            ("error_description", "the backpack owner denied access"),
        ])
    }

    /// Authenticates the client of a token or revocation request as it registered.
    fn authenticate_client<S: Store + ?Sized>(
        &self,
        store: &S,
        authorization: Option<&str>,
        form: &[(String, String)],
    ) -> Result<std::result::Result<String, OAuthReply>> {
        let unauthorized = |why: &str, basic: bool| {
            let mut r = OAuthReply::error(401, E::INVALID_CLIENT, why);
            if basic {
                r.www_authenticate = Some("Basic realm=\"ob3\"".to_owned());
            }
            Ok(Err(r))
        };
        let basic = authorization.and_then(|h| {
            let (scheme, rest) = h.trim().split_once(' ')?;
            if !scheme.eq_ignore_ascii_case("basic") {
                return None;
            }
            let raw = base64::engine::general_purpose::STANDARD
                .decode(rest.trim())
                .ok()?;
            let text = String::from_utf8(raw).ok()?;
            let (id, secret) = text.split_once(':')?;
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            Some((dec(id), dec(secret)))
        });
        if authorization.is_some() && basic.is_none() {
            return unauthorized("the Authorization header is not HTTP Basic", true);
        }
        let (Ok(form_id), Ok(form_secret)) =
            (single(form, "client_id"), single(form, "client_secret"))
        else {
            return Ok(Err(OAuthReply::error(
                400,
                E::INVALID_REQUEST,
                "a client parameter is repeated",
            )));
        };
        let (id, secret, used) = match (&basic, form_id, form_secret) {
            (Some((id, s)), None | Some(_), None) => {
                if form_id.is_some_and(|f| f != id) {
                    return unauthorized("two different client ids", true);
                }
                (
                    id.clone(),
                    Some(s.clone()),
                    TokenEndpointAuthMethod::ClientSecretBasic,
                )
            }
            (None, Some(id), Some(s)) => (
                id.to_owned(),
                Some(s.to_owned()),
                TokenEndpointAuthMethod::ClientSecretPost,
            ),
            (None, Some(id), None) => (id.to_owned(), None, TokenEndpointAuthMethod::None),
            (Some(_), _, Some(_)) => {
                return unauthorized("more than one client authentication method", true);
            }
            (None, None, _) => return unauthorized("client authentication is required", false),
        };
        let Some(client) = self.client(store, &id)? else {
            return unauthorized("unknown client", basic.is_some());
        };
        if client.auth_method != used {
            return unauthorized(
                "the client must authenticate the way it registered",
                basic.is_some(),
            );
        }
        if let (Some(secret), Some(expected)) = (secret, &client.secret_sha256) {
            if !openbadges_model::identity::constant_time_eq(
                sha256_hex(secret.as_bytes()).as_bytes(),
                expected.as_bytes(),
            ) {
                return unauthorized("wrong client secret", basic.is_some());
            }
        }
        Ok(Ok(id))
    }

    fn issue<S: Store + ?Sized>(&self, store: &S, grant: &Grant) -> Result<TokenResponse> {
        let access = random_secret()?;
        let refresh = random_secret()?;
        let value = serde_json::to_string(grant).map_err(Error::storage)?;
        let t = now();
        store.grant_put(&GrantRow {
            kind: KIND_ACCESS.into(),
            key: sha256_hex(access.as_bytes()),
            family: Some(grant.family.clone()),
            value: value.clone(),
            expires_at: Some(t.saturating_add(self.config.access_token_lifetime_secs)),
        })?;
        store.grant_put(&GrantRow {
            kind: KIND_REFRESH.into(),
            key: sha256_hex(refresh.as_bytes()),
            family: Some(grant.family.clone()),
            value,
            expires_at: Some(t.saturating_add(self.config.refresh_token_lifetime_secs)),
        })?;
        Ok(TokenResponse {
            access_token: access,
            token_type: "Bearer".to_owned(),
            expires_in: u64::try_from(self.config.access_token_lifetime_secs).ok(),
            refresh_token: Some(refresh),
            scope: Some(grant.scopes.join(" ")),
        })
    }

    /// The token endpoint over the form `body` and the `Authorization` header:
    /// `authorization_code` (code single-use, issued to this client for this redirect URI,
    /// the PKCE verifier matching its challenge) and `refresh_token` (rotated: the old one is
    /// used up; a narrower `scope` may be asked). Errors as RFC 6749 §5.2 names them
    /// (`invalid_grant` for a wrong verifier, a replayed, expired or foreign code). A code
    /// redeemed a second time also revokes every token the first redemption gave.
    ///
    /// # Errors
    /// Storage errors, [`Error::Random`].
    pub fn token<S: Store + ?Sized>(
        &self,
        store: &S,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<OAuthReply> {
        let form = parse_form(&String::from_utf8_lossy(body));
        let bad = |code: &str, why: &str| Ok(OAuthReply::error(400, code, why));
        let client_id = match self.authenticate_client(store, authorization, &form)? {
            Ok(c) => c,
            Err(r) => return Ok(r),
        };
        let one = |n: &str| single(&form, n);
        match one("grant_type") {
            Ok(Some("authorization_code")) => {
                let (Ok(Some(code)), Ok(redirect), Ok(verifier)) =
                    (one("code"), one("redirect_uri"), one("code_verifier"))
                else {
                    return bad(E::INVALID_REQUEST, "code is required (once)");
                };
                let Some(verifier) = verifier else {
                    return bad(E::INVALID_REQUEST, "code_verifier is required (PKCE)");
                };
                // Taken whatever follows: a code is tried once.
                let key = sha256_hex(code.as_bytes());
                let t = now();
                let Some(record) = store.grant_take(KIND_CODE, &key, t)? else {
                    // A code redeemed before: what it gave is revoked (RFC 6749 §4.1.2).
                    if let Some(family) = store.grant_get(KIND_USED_CODE, &key, t)? {
                        store.grant_revoke_family(&family, t)?;
                    }
                    return bad(E::INVALID_GRANT, "the code is unknown, expired or used");
                };
                let record: CodeRecord = serde_json::from_str(&record).map_err(Error::storage)?;
                store.grant_put(&GrantRow {
                    kind: KIND_USED_CODE.into(),
                    key,
                    family: Some(record.grant.family.clone()),
                    value: record.grant.family.clone(),
                    expires_at: Some(
                        t.saturating_add(
                            self.config
                                .refresh_token_lifetime_secs
                                .max(self.config.access_token_lifetime_secs),
                        ),
                    ),
                })?;
                if record.grant.client_id != client_id {
                    return bad(E::INVALID_GRANT, "the code was issued to another client");
                }
                if redirect.is_some_and(|r| r != record.redirect_uri) {
                    return bad(
                        E::INVALID_GRANT,
                        "redirect_uri differs from the authorization request's",
                    );
                }
                if !pkce::verify_s256(verifier, &record.code_challenge) {
                    return bad(
                        E::INVALID_GRANT,
                        "the PKCE code_verifier does not match the code_challenge",
                    );
                }
                Ok(OAuthReply::ok(200, self.issue(store, &record.grant)?))
            }
            Ok(Some("refresh_token")) => {
                let (Ok(Some(token)), Ok(scope)) = (one("refresh_token"), one("scope")) else {
                    return bad(E::INVALID_REQUEST, "refresh_token is required (once)");
                };
                let key = sha256_hex(token.as_bytes());
                let Some(value) = store.grant_get(KIND_REFRESH, &key, now())? else {
                    return bad(
                        E::INVALID_GRANT,
                        "the refresh token is unknown, expired, used or revoked",
                    );
                };
                let mut grant: Grant = serde_json::from_str(&value).map_err(Error::storage)?;
                if grant.client_id != client_id {
                    return bad(
                        E::INVALID_GRANT,
                        "the refresh token was issued to another client",
                    );
                }
                if let Some(scope) = scope {
                    let asked: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
                    if asked.is_empty() || asked.iter().any(|s| !grant.scopes.contains(s)) {
                        return bad(E::INVALID_SCOPE, "a refresh may only narrow the scopes");
                    }
                    grant.scopes = asked;
                }
                // Rotation: of concurrent refreshes with one token, only one takes it.
                if store.grant_take(KIND_REFRESH, &key, now())?.is_none() {
                    return bad(E::INVALID_GRANT, "the refresh token is used");
                }
                Ok(OAuthReply::ok(200, self.issue(store, &grant)?))
            }
            Ok(Some(_)) => bad(
                E::UNSUPPORTED_GRANT_TYPE,
                "authorization_code or refresh_token",
            ),
            Ok(None) => bad(E::INVALID_REQUEST, "grant_type is required"),
            Err(e) => bad(E::INVALID_REQUEST, &e),
        }
    }

    /// RFC 7009 revocation: the client authenticates; an access or refresh token it holds is
    /// revoked with every token of its authorization. **200** also for unknown or already
    /// revoked tokens (§2.2); a token of another client is left alone (still 200, nothing
    /// told).
    ///
    /// # Errors
    /// Storage errors.
    pub fn revoke<S: Store + ?Sized>(
        &self,
        store: &S,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<OAuthReply> {
        let form = parse_form(&String::from_utf8_lossy(body));
        let client_id = match self.authenticate_client(store, authorization, &form)? {
            Ok(c) => c,
            Err(r) => return Ok(r),
        };
        let Ok(Some(token)) = single(&form, "token") else {
            return Ok(OAuthReply::error(
                400,
                E::INVALID_REQUEST,
                "token is required (once)",
            ));
        };
        let key = sha256_hex(token.as_bytes());
        let t = now();
        for kind in [KIND_ACCESS, KIND_REFRESH] {
            if let Some(v) = store.grant_get(kind, &key, t)? {
                let grant: Grant = serde_json::from_str(&v).map_err(Error::storage)?;
                if grant.client_id == client_id {
                    store.grant_revoke_family(&grant.family, t)?;
                }
                break;
            }
        }
        Ok(OAuthReply::ok(200, json!({})))
    }

    /// The resource server's check of an `Authorization: Bearer` header for `scope`: the
    /// [`Grant`] of a valid access token that grants it; otherwise 401 (`invalid_token`:
    /// missing, unknown, expired or revoked) or 403 (`insufficient_scope`), with the OB 3.0
    /// API's `imsx_StatusInfo` body and an RFC 6750 `WWW-Authenticate` challenge.
    ///
    /// # Errors
    /// Storage errors.
    pub fn authorize_bearer<S: Store + ?Sized>(
        &self,
        store: &S,
        authorization: Option<&str>,
        scope: &str,
    ) -> Result<std::result::Result<Grant, ApiReply>> {
        let Some(token) = crate::export::api::bearer_token(authorization) else {
            return Ok(Err(ApiReply::challenge(
                401,
                "unauthorizedrequest",
                "a bearer token is required",
                format!("Bearer realm=\"ob3\", scope=\"{scope}\""),
            )));
        };
        let Some(v) = store.grant_get(KIND_ACCESS, &sha256_hex(token.as_bytes()), now())? else {
            return Ok(Err(ApiReply::challenge(
                401,
                "unauthorizedrequest",
                "the bearer token is not valid (unknown, expired or revoked)",
                format!("Bearer realm=\"ob3\", error=\"invalid_token\", scope=\"{scope}\""),
            )));
        };
        let grant: Grant = serde_json::from_str(&v).map_err(Error::storage)?;
        if grant.scopes.iter().any(|s| s == scope) {
            Ok(Ok(grant))
        } else {
            Ok(Err(ApiReply::challenge(
                403,
                "forbidden",
                "the bearer token does not grant this scope",
                format!("Bearer realm=\"ob3\", error=\"insufficient_scope\", scope=\"{scope}\""),
            )))
        }
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The OB 3.0 API `getProfile` body for the backpack owner `subject`: the profile they put,
/// or a minimal `Profile` naming their email.
///
/// # Errors
/// Storage errors.
pub fn get_profile<S: Store + ?Sized>(store: &S, subject: &str) -> Result<Value> {
    match store.grant_get(KIND_PROFILE, subject, now())? {
        Some(v) => serde_json::from_str(&v).map_err(Error::storage),
        None => Ok(json!({
            "@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "type": ["Profile"],
            "email": subject,
        })),
    }
}

/// The OB 3.0 API `putProfile` for `subject`: the body must be one JSON object whose `type`
/// includes `Profile`; **200** with it (stored), or **400** with an `imsx_StatusInfo` body.
///
/// # Errors
/// Storage errors.
pub fn put_profile<S: Store + ?Sized>(
    store: &S,
    subject: &str,
    body: &[u8],
    limits: &openbadges_model::Limits,
) -> Result<ApiReply> {
    let bad = |why: &str| Ok(ApiReply::challenge(400, "invalid_data", why, String::new()));
    let Ok(v) = openbadges_model::parse_json(body, limits) else {
        return bad("the body is not JSON");
    };
    let is_profile = match v.get("type") {
        Some(Value::String(t)) => t == "Profile",
        Some(Value::Array(a)) => a.iter().any(|t| t == "Profile"),
        _ => false,
    };
    if !v.is_object() || !is_profile {
        return bad("the body must be a Profile object");
    }
    store.grant_put(&GrantRow {
        kind: KIND_PROFILE.into(),
        key: subject.to_owned(),
        family: None,
        value: v.to_string(),
        expires_at: None,
    })?;
    Ok(ApiReply {
        status: 200,
        content_type: "application/json",
        body: v.to_string().into_bytes(),
        www_authenticate: None,
    })
}
