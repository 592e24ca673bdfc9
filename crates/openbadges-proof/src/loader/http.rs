//! The guarded HTTP loader (cargo feature `http`).

use std::io::Read as _;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::Duration;

use super::{Document, DocumentLoader, LoadError, is_non_public};

/// Fetches documents over `http`/`https` with SSRF guards and limits:
///
/// - only `http` and `https` URLs;
/// - every address a host resolves to must be public: loopback, private, link-local,
///   unspecified and other reserved ranges ([`is_non_public`]) are refused unless the host (or
///   `host:port`) was allowed with [`HttpLoader::allow_host`]; the check is made in the DNS
///   resolver the client connects through, so a name cannot resolve to a public address for the
///   check and a private one for the connection;
/// - redirects are followed by hand, at most [`HttpLoader::max_redirects`], and each hop is
///   checked again;
/// - the body is cut off past [`HttpLoader::max_bytes`] (an error, not a truncation), and the
///   whole exchange is bounded by [`HttpLoader::timeout`];
/// - no proxy from the environment is used (it would bypass the address check);
/// - it asks for `application/ld+json, application/json` and reports the media type it got;
///   callers detect the kind of document from its content.
///
/// HTTP 410 becomes [`LoadError::Gone`] (a revoked hosted assertion); other non-2xx statuses
/// become [`LoadError::Status`].
///
/// Built on `reqwest`'s blocking client with rustls (ring provider, webpki roots): no OpenSSL,
/// and one well-kept HTTP stack instead of a hand-written one.
#[derive(Debug, Clone)]
pub struct HttpLoader {
    client: reqwest::blocking::Client,
    allowed: Arc<Vec<(String, Option<u16>)>>,
    max_bytes: usize,
    max_redirects: usize,
    timeout: Duration,
}

#[derive(Debug)]
struct GuardedResolver {
    allowed: Arc<Vec<(String, Option<u16>)>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = self.allowed.iter().any(|(h, _)| *h == host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = (host.as_str(), 0u16)
                .to_socket_addrs()
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?
                .collect();
            if !allowed && addrs.iter().any(|a| is_non_public(a.ip())) {
                return Err(Box::new(std::io::Error::other(format!(
                    "{host} resolves to a non-public address"
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl HttpLoader {
    /// A loader with the defaults: 1 MiB responses, 5 redirects, 10 s per request, nothing
    /// non-public allowed.
    ///
    /// # Errors
    /// [`LoadError::Network`] if the HTTP client cannot be built (TLS set-up).
    pub fn new() -> Result<Self, LoadError> {
        Self::build(Vec::new(), 1024 * 1024, 5, Duration::from_secs(10))
    }

    fn build(
        allowed: Vec<(String, Option<u16>)>,
        max_bytes: usize,
        max_redirects: usize,
        timeout: Duration,
    ) -> Result<Self, LoadError> {
        let allowed = Arc::new(allowed);
        let client = reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("openbadges-rs/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(GuardedResolver {
                allowed: allowed.clone(),
            }))
            .build()
            .map_err(|e| LoadError::Network {
                url: String::new(),
                message: format!("cannot build http client: {e}"),
            })?;
        Ok(HttpLoader {
            client,
            allowed,
            max_bytes,
            max_redirects,
            timeout,
        })
    }

    /// Allows a host that resolves to (or is) a non-public address: `HOST` (any port) or
    /// `HOST:PORT`. IPv6 literals are written in brackets: `[::1]:8080`.
    ///
    /// # Errors
    /// As [`HttpLoader::new`].
    pub fn allow_host(self, host_port: &str) -> Result<Self, LoadError> {
        let mut allowed: Vec<_> = self.allowed.as_ref().clone();
        allowed.push(parse_host_port(host_port));
        Self::build(allowed, self.max_bytes, self.max_redirects, self.timeout)
    }

    /// Sets the largest response body accepted.
    ///
    /// # Errors
    /// As [`HttpLoader::new`].
    pub fn max_bytes(self, n: usize) -> Result<Self, LoadError> {
        Self::build(self.allowed.to_vec(), n, self.max_redirects, self.timeout)
    }

    /// Sets the most redirects followed.
    ///
    /// # Errors
    /// As [`HttpLoader::new`].
    pub fn max_redirects(self, n: usize) -> Result<Self, LoadError> {
        Self::build(self.allowed.to_vec(), self.max_bytes, n, self.timeout)
    }

    /// Sets the time limit for each request (connect and whole exchange).
    ///
    /// # Errors
    /// As [`HttpLoader::new`].
    pub fn timeout(self, t: Duration) -> Result<Self, LoadError> {
        Self::build(self.allowed.to_vec(), self.max_bytes, self.max_redirects, t)
    }

    fn host_allowed(&self, host: &str, port: u16) -> bool {
        self.allowed
            .iter()
            .any(|(h, p)| h == host && p.is_none_or(|p| p == port))
    }

    /// Checks a URL before a hop: scheme, allow list, and literal IP addresses (which do not go
    /// through the resolver).
    fn check(&self, url: &url::Url, original: &str) -> Result<(), LoadError> {
        if url.scheme() != "http" && url.scheme() != "https" {
            return Err(LoadError::Refused {
                url: original.to_string(),
                reason: format!("scheme `{}` is not http(s)", url.scheme()),
            });
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_ascii_lowercase(),
            Some(url::Host::Ipv4(a)) => a.to_string(),
            Some(url::Host::Ipv6(a)) => format!("[{a}]"),
            None => {
                return Err(LoadError::InvalidUrl {
                    url: original.to_string(),
                });
            }
        };
        let port = url.port_or_known_default().unwrap_or(80);
        if self.host_allowed(&host, port) {
            return Ok(());
        }
        let literal: Option<IpAddr> = match url.host() {
            Some(url::Host::Ipv4(a)) => Some(IpAddr::V4(a)),
            Some(url::Host::Ipv6(a)) => Some(IpAddr::V6(a)),
            _ => None,
        };
        let named_allowed = self.allowed.iter().any(|(h, _)| *h == host);
        if let Some(ip) = literal {
            if is_non_public(ip) {
                return Err(LoadError::Refused {
                    url: original.to_string(),
                    reason: format!("{ip} is not a public address (allow it with allow_host)"),
                });
            }
        } else if named_allowed || host == "localhost" || host.ends_with(".localhost") {
            // Allowed on another port only, or `localhost`: refuse without resolving.
            return Err(LoadError::Refused {
                url: original.to_string(),
                reason: format!("{host}:{port} is not allowed"),
            });
        }
        Ok(())
    }
}

fn parse_host_port(s: &str) -> (String, Option<u16>) {
    let s = s.trim().to_ascii_lowercase();
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((h, tail)) = rest.split_once(']') {
            let port = tail.strip_prefix(':').and_then(|p| p.parse().ok());
            return (format!("[{h}]"), port);
        }
    }
    match s.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h.to_string(), Some(port)),
            Err(_) => (s.clone(), None),
        },
        _ => (s, None),
    }
}

impl DocumentLoader for HttpLoader {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        let mut current = url::Url::parse(url).map_err(|_| LoadError::InvalidUrl {
            url: url.to_string(),
        })?;
        let mut hops = 0usize;
        loop {
            self.check(&current, url)?;
            let net = |e: reqwest::Error| LoadError::Network {
                url: url.to_string(),
                message: if e.is_timeout() {
                    "timed out".to_string()
                } else {
                    let mut m = e.to_string();
                    let mut src = std::error::Error::source(&e);
                    while let Some(s) = src {
                        m = format!("{m}: {s}");
                        src = s.source();
                    }
                    m
                },
            };
            let resp = self
                .client
                .get(current.clone())
                .header(
                    reqwest::header::ACCEPT,
                    "application/ld+json, application/json;q=0.9, */*;q=0.1",
                )
                .send()
                .map_err(net)?;
            let status = resp.status();
            if status.is_redirection() {
                hops += 1;
                if hops > self.max_redirects {
                    return Err(LoadError::TooManyRedirects {
                        url: url.to_string(),
                        limit: self.max_redirects,
                    });
                }
                let loc = resp
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| LoadError::Network {
                        url: url.to_string(),
                        message: format!("redirect {status} without a Location"),
                    })?;
                current = current.join(loc).map_err(|_| LoadError::InvalidUrl {
                    url: loc.to_string(),
                })?;
                continue;
            }
            if status.as_u16() == 410 {
                return Err(LoadError::Gone {
                    url: url.to_string(),
                });
            }
            if !status.is_success() {
                return Err(LoadError::Status {
                    url: url.to_string(),
                    status: status.as_u16(),
                });
            }
            if resp
                .content_length()
                .is_some_and(|n| n > self.max_bytes as u64)
            {
                return Err(LoadError::TooLarge {
                    url: url.to_string(),
                    limit: self.max_bytes,
                });
            }
            let content_type = resp
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| {
                    v.split(';')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_ascii_lowercase()
                });
            let mut body = Vec::new();
            resp.take(self.max_bytes as u64 + 1)
                .read_to_end(&mut body)
                .map_err(|e| LoadError::Network {
                    url: url.to_string(),
                    message: e.to_string(),
                })?;
            if body.len() > self.max_bytes {
                return Err(LoadError::TooLarge {
                    url: url.to_string(),
                    limit: self.max_bytes,
                });
            }
            return Ok(Document {
                url: url.to_string(),
                final_url: current.to_string(),
                content_type,
                body: Arc::from(body),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn host_port_parsing() {
        assert_eq!(
            parse_host_port("127.0.0.1:8765"),
            ("127.0.0.1".into(), Some(8765))
        );
        assert_eq!(parse_host_port("Example.org"), ("example.org".into(), None));
        assert_eq!(parse_host_port("[::1]:80"), ("[::1]".into(), Some(80)));
    }

    #[test]
    fn refuses_private_literals_and_bad_schemes_without_connecting() {
        let l = HttpLoader::new().unwrap();
        for u in [
            "http://127.0.0.1:1/x",
            "http://10.0.0.1/x",
            "http://[::1]/x",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost/x",
            "file:///etc/passwd",
        ] {
            assert!(matches!(l.load(u), Err(LoadError::Refused { .. })), "{u}");
        }
        let l = l.allow_host("127.0.0.1:8765").unwrap();
        assert!(matches!(
            l.load("http://127.0.0.1:9/x"),
            Err(LoadError::Refused { .. })
        ));
    }
}
