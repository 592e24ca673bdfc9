//! The guarded HTTP loader (cargo feature `http`).

use std::io::Read as _;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Document, DocumentLoader, LoadError, refused_range};

/// Fetches documents over `http`/`https` with SSRF guards and limits:
///
/// - only `http` and `https` URLs;
/// - every address a host resolves to must be public: loopback, private, link-local,
///   unspecified and other reserved ranges, in every spelling ([`super::refused_range`]: IPv4-mapped,
///   6to4, NAT64, Teredo, …; the `url` crate already turns decimal, octal, hex and short IPv4
///   hosts into dotted quads) are refused unless the host (or `host:port`) was allowed with
///   [`HttpLoader::allow_host`]; the check is made in the DNS resolver the client connects
///   through, so a name cannot resolve to a public address for the check and a private one for
///   the connection, and literal addresses are checked before any connection;
/// - redirects are followed by hand, at most [`HttpLoader::max_redirects`], and each hop is
///   checked again;
/// - the body is cut off past [`HttpLoader::max_bytes`] (an error, not a truncation);
/// - one deadline, [`HttpLoader::timeout`] (default 10 s) from the start of [`DocumentLoader::load`],
///   bounds everything a fetch does: DNS, connect, TLS, headers, every redirect hop and the
///   whole body. A server that drips its body a byte at a time is cut off at the deadline
///   ([`LoadError::TimedOut`]), not after every byte's own timeout;
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
            let addrs = guarded_resolve(&host, allowed)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Resolves `host` and refuses it when any of its addresses is not public (unless `allowed`).
/// These are the addresses the client connects to: there is no second resolution.
fn guarded_resolve(
    host: &str,
    allowed: bool,
) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
    let addrs: Vec<SocketAddr> = (host, 0u16).to_socket_addrs()?.collect();
    if !allowed {
        if let Some((ip, range)) = addrs
            .iter()
            .find_map(|a| refused_range(a.ip()).map(|r| (a.ip(), r)))
        {
            return Err(Box::new(NonPublic(format!(
                "{host} resolves to {ip}, in {range} (allow it with allow_host)"
            ))));
        }
    }
    Ok(addrs)
}

/// The resolver's refusal, recognised in the client's error chain to report
/// [`LoadError::Refused`] rather than a network failure.
#[derive(Debug)]
struct NonPublic(String);

impl std::fmt::Display for NonPublic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NonPublic {}

impl HttpLoader {
    /// A loader with the defaults: 1 MiB responses, 5 redirects, 10 s per fetch (all hops and
    /// the whole body), nothing non-public allowed.
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

    /// Sets the deadline of each fetch: from the start of [`DocumentLoader::load`] to the last
    /// byte of the body, DNS, connects, TLS and every redirect hop included.
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
            if let Some(range) = refused_range(ip) {
                return Err(LoadError::Refused {
                    url: original.to_string(),
                    reason: format!(
                        "{ip} is not a public address ({range}; allow it with allow_host)"
                    ),
                });
            }
        } else if named_allowed || is_localhost(&host) {
            // Allowed on another port only, or `localhost`: refuse without resolving.
            return Err(LoadError::Refused {
                url: original.to_string(),
                reason: format!("{host}:{port} is not allowed"),
            });
        }
        Ok(())
    }
}

/// `localhost` and its subdomains (RFC 6761), also in the fully qualified spelling with a
/// trailing dot: refused without asking DNS.
fn is_localhost(host: &str) -> bool {
    let h = host.strip_suffix('.').unwrap_or(host);
    h == "localhost" || h.ends_with(".localhost")
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
        let deadline = Instant::now() + self.timeout;
        let timed_out = || LoadError::TimedOut {
            url: url.to_string(),
            limit: self.timeout,
        };
        let mut hops = 0usize;
        loop {
            self.check(&current, url)?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(timed_out());
            }
            let net = |e: reqwest::Error| {
                if e.is_timeout() || Instant::now() >= deadline {
                    return timed_out();
                }
                let mut m = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    if let Some(refusal) = s.downcast_ref::<NonPublic>() {
                        return LoadError::Refused {
                            url: url.to_string(),
                            reason: refusal.0.clone(),
                        };
                    }
                    m = format!("{m}: {s}");
                    src = s.source();
                }
                LoadError::Network {
                    url: url.to_string(),
                    message: m,
                }
            };
            // The request's own timeout is reqwest's total timeout (connect, headers and body
            // up to the last byte); the client-wide one would only bound each read.
            let resp = self
                .client
                .get(current.clone())
                .header(
                    reqwest::header::ACCEPT,
                    "application/ld+json, application/json;q=0.9, */*;q=0.1",
                )
                .timeout(remaining)
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
            let mut chunk = [0u8; 16 * 1024];
            let mut resp = resp;
            loop {
                if Instant::now() >= deadline {
                    return Err(timed_out());
                }
                let n = match resp.read(&mut chunk) {
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        let timeout = e.kind() == std::io::ErrorKind::TimedOut
                            || e.get_ref()
                                .and_then(|i| i.downcast_ref::<reqwest::Error>())
                                .is_some_and(reqwest::Error::is_timeout);
                        if timeout || Instant::now() >= deadline {
                            return Err(timed_out());
                        }
                        return Err(LoadError::Network {
                            url: url.to_string(),
                            message: e.to_string(),
                        });
                    }
                };
                if n == 0 {
                    break;
                }
                body.extend_from_slice(chunk.get(..n).unwrap_or_default());
                if body.len() > self.max_bytes {
                    return Err(LoadError::TooLarge {
                        url: url.to_string(),
                        limit: self.max_bytes,
                    });
                }
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
    fn names_resolving_to_loopback_are_refused_by_the_resolver_itself() {
        // `localhost` resolves through the system resolver on every platform; the check is on
        // the addresses the connection will use.
        let e = guarded_resolve("localhost", false).unwrap_err();
        assert!(e.downcast_ref::<NonPublic>().is_some(), "{e}");
        assert!(e.to_string().contains("127.0.0.0/8") || e.to_string().contains("::1/128"));
        assert!(!guarded_resolve("localhost", true).unwrap().is_empty());
        assert!(
            is_localhost("localhost.")
                && is_localhost("a.localhost")
                && !is_localhost("localhost.example")
        );
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
