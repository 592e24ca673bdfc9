//! OAuth 2.0 for the OB 3.0 API: the pieces an API **host** and an API **client** share.
//!
//! The Open Badges 3.0 API (1EdTech, "Open Badges API" and its security section) protects
//! `getCredentials`, `upsertCredential`, `getProfile` and `putProfile` with OAuth 2.0: a client
//! reads the host's Service Description Document ([`ServiceDescription`], at
//! `/ims/ob/v3p0/discovery`), registers itself dynamically (RFC 7591,
//! [`RegistrationRequest`] → [`RegistrationResponse`]), runs the authorization code grant with
//! PKCE S256 (RFC 7636, [`pkce`]) and receives a [`TokenResponse`] (or an [`OAuthError`]).
//!
//! This module lives in the backpack crate because the backpack is the lowest crate that speaks
//! the OB 3.0 API (its [`export::api`](crate::export::api) already serves it); the client side
//! reuses these types rather than defining its own.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod host;
pub mod pkce;

/// The OB 3.0 API scope that allows `getCredentials`.
pub const SCOPE_READONLY: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly";
/// The OB 3.0 API scope that allows `upsertCredential`.
pub const SCOPE_UPSERT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert";
/// The OB 3.0 API scope that allows `getProfile`.
pub const SCOPE_PROFILE_READONLY: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly";
/// The OB 3.0 API scope that allows `putProfile`.
pub const SCOPE_PROFILE_UPDATE: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update";

/// Every scope the OB 3.0 API defines, with the words a consent page shows for it.
pub const SCOPES: [(&str, &str); 4] = [
    (SCOPE_READONLY, "Read the badges in your backpack"),
    (SCOPE_UPSERT, "Add badges to your backpack and update them"),
    (SCOPE_PROFILE_READONLY, "Read your backpack profile"),
    (SCOPE_PROFILE_UPDATE, "Change your backpack profile"),
];

/// The words describing `scope` for a person (`None` for a scope the OB 3.0 API does not define).
pub fn scope_description(scope: &str) -> Option<&'static str> {
    SCOPES.iter().find(|(s, _)| *s == scope).map(|(_, d)| *d)
}

/// The path of the Service Description Document below the host's origin.
pub const DISCOVERY_PATH: &str = "/ims/ob/v3p0/discovery";

/// The OB 3.0 API Service Description Document (an OpenAPI 3.0 document): only the parts a
/// client needs to find the API and its OAuth 2.0 endpoints. Unknown members are ignored when
/// reading, so a full OpenAPI document parses; `openapi` and `info` default to empty when a
/// host leaves them out (a client needs only `servers` and `components`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDescription {
    /// The OpenAPI version (`3.0.1`).
    #[serde(default)]
    pub openapi: String,
    /// Title, version and links of the service.
    #[serde(default)]
    pub info: ServiceInfo,
    /// The API base URLs (the first is used), each ending in `/ims/ob/v3p0`.
    pub servers: Vec<Server>,
    /// The security schemes (`components.securitySchemes.OAuth2ACG`).
    pub components: Components,
}

impl ServiceDescription {
    /// The API base URL (`servers[0].url`).
    pub fn api_base(&self) -> Option<&str> {
        self.servers.first().map(|s| s.url.as_str())
    }

    /// The authorization code flow of the `OAuth2ACG` scheme.
    pub fn authorization_code(&self) -> &AuthorizationCodeFlow {
        &self
            .components
            .security_schemes
            .oauth2_acg
            .flows
            .authorization_code
    }

    /// The dynamic client registration URL (`x-imssf-registrationUrl`).
    pub fn registration_url(&self) -> &str {
        &self.components.security_schemes.oauth2_acg.registration_url
    }
}

/// The OpenAPI `info` object of a [`ServiceDescription`].
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceInfo {
    /// The service's name.
    #[serde(default)]
    pub title: String,
    /// The API version (`3.0`).
    #[serde(default)]
    pub version: String,
    /// What the service is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The terms of service URL.
    #[serde(
        rename = "termsOfService",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub terms_of_service: Option<String>,
    /// The privacy policy URL (`x-imssf-privacyPolicyUrl`, required by OB 3.0).
    #[serde(rename = "x-imssf-privacyPolicyUrl", default)]
    pub privacy_policy_url: String,
    /// The service's image URL (`x-imssf-image`).
    #[serde(
        rename = "x-imssf-image",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub image: Option<String>,
}

/// An OpenAPI `servers` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Server {
    /// The API base URL, e.g. `https://backpack.example/ims/ob/v3p0`.
    pub url: String,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The OpenAPI `components` object (only `securitySchemes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Components {
    /// The security schemes.
    #[serde(rename = "securitySchemes")]
    pub security_schemes: SecuritySchemes,
}

/// The security schemes of a [`ServiceDescription`] (only the one OB 3.0 requires).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecuritySchemes {
    /// The OAuth 2.0 authorization code grant scheme.
    #[serde(rename = "OAuth2ACG")]
    pub oauth2_acg: OAuth2Scheme,
}

/// The `OAuth2ACG` security scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth2Scheme {
    /// Always `oauth2`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The RFC 7591 registration endpoint.
    #[serde(rename = "x-imssf-registrationUrl")]
    pub registration_url: String,
    /// The flows (only `authorizationCode`).
    pub flows: OAuth2Flows,
}

/// The `flows` of the `OAuth2ACG` scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuth2Flows {
    /// The authorization code flow.
    #[serde(rename = "authorizationCode")]
    pub authorization_code: AuthorizationCodeFlow,
}

/// The endpoints and scopes of the authorization code flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCodeFlow {
    /// The authorization endpoint.
    #[serde(rename = "authorizationUrl")]
    pub authorization_url: String,
    /// The token endpoint.
    #[serde(rename = "tokenUrl")]
    pub token_url: String,
    /// The endpoint for refreshing (the token endpoint here).
    #[serde(
        rename = "refreshUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub refresh_url: Option<String>,
    /// The RFC 7009 revocation endpoint (`x-imssf-revocationUrl`, an extension of ours: the OB
    /// 3.0 document has no standard member for it).
    #[serde(
        rename = "x-imssf-revocationUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub revocation_url: Option<String>,
    /// Scope URI → description.
    pub scopes: BTreeMap<String, String>,
}

/// How a client authenticates at the token endpoint (RFC 7591 `token_endpoint_auth_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    /// A public client (a native app): no secret, PKCE alone binds the code.
    None,
    /// HTTP Basic with the client id and secret (the RFC 7591 default).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

/// An RFC 7591 client registration request, with the members the OB 3.0 API requires
/// (`client_name`, `client_uri`, `logo_uri`, `tos_uri`, `policy_uri`, `software_id`,
/// `software_version`, `redirect_uris`, `scope`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RegistrationRequest {
    /// The client's name, shown on the consent page.
    pub client_name: String,
    /// The client's home page.
    pub client_uri: String,
    /// The client's logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    /// The client's terms of service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    /// The client's privacy policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    /// A stable identifier of the client software.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
    /// The client software's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    /// The redirect URIs (exact match at the authorization endpoint).
    pub redirect_uris: Vec<String>,
    /// The scopes the client may ask for, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// How it authenticates at the token endpoint (default `client_secret_basic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    /// The grant types it uses (`authorization_code`, `refresh_token`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant_types: Vec<String>,
    /// The response types it uses (`code`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_types: Vec<String>,
    /// Contact addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<String>,
}

/// An RFC 7591 registration response (201): the client's credentials and its registered
/// metadata. Its `Debug` form never shows the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationResponse {
    /// The client identifier.
    pub client_id: String,
    /// The client secret (absent for public clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// When the client id was issued (seconds since the epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_issued_at: Option<i64>,
    /// When the secret expires (seconds since the epoch; 0: never). Required with a secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_expires_at: Option<i64>,
    /// The metadata as registered.
    #[serde(flatten)]
    pub metadata: RegistrationRequest,
}

impl std::fmt::Debug for RegistrationResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistrationResponse")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("client_id_issued_at", &self.client_id_issued_at)
            .field("client_secret_expires_at", &self.client_secret_expires_at)
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// A successful token endpoint response (RFC 6749 §5.1). Its `Debug` form never shows the
/// tokens.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// The refresh token (rotated on each refresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The granted scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("scope", &self.scope)
            .finish()
    }
}

/// The error codes of RFC 6749 (§4.1.2.1, §5.2), RFC 7591 (§3.2.2), RFC 6750 (§3.1) and RFC
/// 7009 (§2.2.1), as [`OAuthError::error`] carries them.
pub mod error_code {
    /// The request is missing a parameter, repeats one, or is malformed.
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// Client authentication failed.
    pub const INVALID_CLIENT: &str = "invalid_client";
    /// The code or refresh token is invalid, expired, revoked, used, or was issued to another
    /// client or redirect URI; or the PKCE verifier does not match.
    pub const INVALID_GRANT: &str = "invalid_grant";
    /// The client may not use this grant type.
    pub const UNAUTHORIZED_CLIENT: &str = "unauthorized_client";
    /// The grant type is not supported.
    pub const UNSUPPORTED_GRANT_TYPE: &str = "unsupported_grant_type";
    /// The response type is not supported.
    pub const UNSUPPORTED_RESPONSE_TYPE: &str = "unsupported_response_type";
    /// The requested scope is invalid or unknown.
    pub const INVALID_SCOPE: &str = "invalid_scope";
    /// The resource owner denied the request.
    pub const ACCESS_DENIED: &str = "access_denied";
    /// The server met an unexpected condition.
    pub const SERVER_ERROR: &str = "server_error";
    /// A redirect URI in a registration request is invalid.
    pub const INVALID_REDIRECT_URI: &str = "invalid_redirect_uri";
    /// Client metadata in a registration request is invalid.
    pub const INVALID_CLIENT_METADATA: &str = "invalid_client_metadata";
    /// The access token is expired, revoked, malformed or unknown (RFC 6750).
    pub const INVALID_TOKEN: &str = "invalid_token";
    /// The access token does not grant the scope the request needs (RFC 6750).
    pub const INSUFFICIENT_SCOPE: &str = "insufficient_scope";
    /// The server cannot revoke this token type (RFC 7009).
    pub const UNSUPPORTED_TOKEN_TYPE: &str = "unsupported_token_type";
}

/// An OAuth 2.0 error response body (RFC 6749 §5.2; the same shape for RFC 7591 and the
/// authorization endpoint's redirect parameters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OAuthError {
    /// The error code ([`error_code`]).
    pub error: String,
    /// A human-readable explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// A page about the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
}

impl OAuthError {
    /// An error with a code and a description.
    pub fn new(error: &str, description: impl Into<String>) -> Self {
        OAuthError {
            error: error.to_owned(),
            error_description: Some(description.into()),
            error_uri: None,
        }
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error_description {
            Some(d) => write!(f, "{}: {d}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for OAuthError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_description_round_trips_the_spec_shape() {
        let doc = serde_json::json!({
            "openapi": "3.0.1",
            "info": {"title": "Backpack", "version": "3.0",
                     "x-imssf-privacyPolicyUrl": "https://bp.example/privacy"},
            "servers": [{"url": "https://bp.example/ims/ob/v3p0"}],
            "paths": {},
            "components": {"securitySchemes": {"OAuth2ACG": {
                "type": "oauth2",
                "x-imssf-registrationUrl": "https://bp.example/oauth/register",
                "flows": {"authorizationCode": {
                    "authorizationUrl": "https://bp.example/oauth/authorize",
                    "tokenUrl": "https://bp.example/oauth/token",
                    "refreshUrl": "https://bp.example/oauth/token",
                    "scopes": {SCOPE_READONLY: "read"}
                }}
            }}}
        });
        let d: ServiceDescription = serde_json::from_value(doc).unwrap();
        assert_eq!(d.api_base(), Some("https://bp.example/ims/ob/v3p0"));
        assert_eq!(d.registration_url(), "https://bp.example/oauth/register");
        assert_eq!(
            d.authorization_code().token_url,
            "https://bp.example/oauth/token"
        );
        assert!(d.authorization_code().scopes.contains_key(SCOPE_READONLY));
        // A host that leaves out `openapi` and `info` is still usable.
        let mut bare = serde_json::to_value(&d).unwrap();
        bare.as_object_mut().unwrap().remove("info");
        bare.as_object_mut().unwrap().remove("openapi");
        let b: ServiceDescription = serde_json::from_value(bare).unwrap();
        assert_eq!(b.registration_url(), d.registration_url());
    }

    #[test]
    fn registration_response_flattens_metadata_and_hides_the_secret() {
        let r = RegistrationResponse {
            client_id: "c".into(),
            client_secret: Some("s3cret".into()),
            client_id_issued_at: Some(1),
            client_secret_expires_at: Some(0),
            metadata: RegistrationRequest {
                client_name: "n".into(),
                client_uri: "http://127.0.0.1:1/".into(),
                redirect_uris: vec!["http://127.0.0.1:1/cb".into()],
                token_endpoint_auth_method: Some(TokenEndpointAuthMethod::ClientSecretBasic),
                ..RegistrationRequest::default()
            },
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["client_name"], "n");
        assert_eq!(v["token_endpoint_auth_method"], "client_secret_basic");
        assert!(!format!("{r:?}").contains("s3cret"));
        let back: RegistrationResponse = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn scope_words() {
        assert!(scope_description(SCOPE_UPSERT).is_some());
        assert!(scope_description("openid").is_none());
    }
}
