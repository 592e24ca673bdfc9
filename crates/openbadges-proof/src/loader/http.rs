//! The guarded HTTP loaders (cargo feature `http`): [`HttpLoader`] for sync programs and
//! [`AsyncHttpLoader`] for async ones, both under one policy ([`HttpLimits`] and the address
//! guard).

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::{Document, DocumentLoader, LoadError, refused_range};

/// The limits of an HTTP loader, safe by default: 10 s per fetch (DNS, connect, TLS, headers,
/// every redirect hop and the whole body together), 1 MiB per response, 5 redirects, and no
/// non-public address allowed.
///
/// ```
/// use std::time::Duration;
/// use openbadges_proof::loader::HttpLimits;
/// let limits = HttpLimits::default()
///     .timeout(Duration::from_secs(5))
///     .allow_host("127.0.0.1:8080"); // a local issuer under test
/// assert_eq!(limits.max_bytes, 1024 * 1024);
/// assert_eq!(limits.allowed_hosts, ["127.0.0.1:8080"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpLimits {
    /// The deadline of one fetch, from its start to the last byte of the body.
    pub timeout: Duration,
    /// The largest response body accepted (a larger one is [`LoadError::TooLarge`]).
    pub max_bytes: usize,
    /// The most redirects followed (each hop is checked again).
    pub max_redirects: usize,
    /// Hosts reachable even though they resolve to (or are) a non-public address: `HOST` (any
    /// port) or `HOST:PORT`; IPv6 literals in brackets (`[::1]:8080`).
    pub allowed_hosts: Vec<String>,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            timeout: Duration::from_secs(10),
            max_bytes: 1024 * 1024,
            max_redirects: 5,
            allowed_hosts: Vec::new(),
        }
    }
}

impl HttpLimits {
    /// The defaults (see [`HttpLimits`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`HttpLimits::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets [`HttpLimits::max_bytes`].
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = n;
        self
    }

    /// Sets [`HttpLimits::max_redirects`].
    pub fn max_redirects(mut self, n: usize) -> Self {
        self.max_redirects = n;
        self
    }

    /// Adds a host to [`HttpLimits::allowed_hosts`].
    pub fn allow_host(mut self, host_port: impl Into<String>) -> Self {
        self.allowed_hosts.push(host_port.into());
        self
    }

    /// Checks the allowed hosts: each must be `HOST` or `HOST:PORT` with a non-empty host and
    /// no scheme, path or space.
    ///
    /// # Errors
    /// [`LoadError::Refused`] naming the first bad entry.
    pub fn validate(&self) -> Result<(), LoadError> {
        for h in &self.allowed_hosts {
            let s = h.trim();
            let ok = if let Some(rest) = s.strip_prefix('[') {
                rest.split_once(']').is_some_and(|(ip, tail)| {
                    ip.parse::<std::net::Ipv6Addr>().is_ok()
                        && (tail.is_empty()
                            || tail
                                .strip_prefix(':')
                                .is_some_and(|p| p.parse::<u16>().is_ok()))
                })
            } else {
                let (host, port) = match s.split_once(':') {
                    Some((h, p)) => (h, Some(p)),
                    None => (s, None),
                };
                !host.is_empty()
                    && !host.contains(['/', '?', '#', '@', ' ', '[', ']'])
                    && port.is_none_or(|p| p.parse::<u16>().is_ok())
            };
            if !ok {
                return Err(LoadError::Refused {
                    url: h.clone(),
                    reason: "an allowed host is written HOST or HOST:PORT".into(),
                });
            }
        }
        Ok(())
    }
}

/// What both loaders enforce: the limits, with the allowed hosts parsed.
#[derive(Debug)]
struct Policy {
    allowed: Arc<Vec<(String, Option<u16>)>>,
    max_bytes: usize,
    max_redirects: usize,
    timeout: Duration,
}

impl Policy {
    fn new(limits: &HttpLimits) -> Self {
        Policy {
            allowed: Arc::new(
                limits
                    .allowed_hosts
                    .iter()
                    .map(|h| parse_host_port(h))
                    .collect(),
            ),
            max_bytes: limits.max_bytes,
            max_redirects: limits.max_redirects,
            timeout: limits.timeout,
        }
    }

    fn limits(&self) -> HttpLimits {
        HttpLimits {
            timeout: self.timeout,
            max_bytes: self.max_bytes,
            max_redirects: self.max_redirects,
            allowed_hosts: self
                .allowed
                .iter()
                .map(|(h, p)| match p {
                    Some(p) => format!("{h}:{p}"),
                    None => h.clone(),
                })
                .collect(),
        }
    }

    fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver {
            allowed: self.allowed.clone(),
        })
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

    /// Turns a client error into a [`LoadError`]: the resolver's refusal, a timeout, or a
    /// network failure with its causes.
    fn client_error(&self, e: &reqwest::Error, url: &str, deadline: Instant) -> LoadError {
        if e.is_timeout() || Instant::now() >= deadline {
            return self.timed_out(url);
        }
        let mut m = e.to_string();
        let mut src = std::error::Error::source(e);
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
    }

    fn timed_out(&self, url: &str) -> LoadError {
        LoadError::TimedOut {
            url: url.to_string(),
            limit: self.timeout,
        }
    }

    /// What a response's head says: follow a redirect (`Ok(Some(next))`), go on to the body
    /// (`Ok(None)`), or an error (410, another status, a body declared too large).
    fn head(
        &self,
        url: &str,
        current: &url::Url,
        status: reqwest::StatusCode,
        headers: &reqwest::header::HeaderMap,
        content_length: Option<u64>,
        hops: &mut usize,
    ) -> Result<Option<url::Url>, LoadError> {
        if status.is_redirection() {
            *hops += 1;
            if *hops > self.max_redirects {
                return Err(LoadError::TooManyRedirects {
                    url: url.to_string(),
                    limit: self.max_redirects,
                });
            }
            let loc = headers
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| LoadError::Network {
                    url: url.to_string(),
                    message: format!("redirect {status} without a Location"),
                })?;
            let next = current.join(loc).map_err(|_| LoadError::InvalidUrl {
                url: loc.to_string(),
            })?;
            return Ok(Some(next));
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
        if content_length.is_some_and(|n| n > self.max_bytes as u64) {
            return Err(LoadError::TooLarge {
                url: url.to_string(),
                limit: self.max_bytes,
            });
        }
        Ok(None)
    }
}

/// The media type a response declares, lowercased, without parameters.
fn content_type(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
}

/// How long a response stays fresh by its `Cache-Control` (RFC 9111): `s-maxage`, else
/// `max-age`; none for `no-store`, `no-cache` or `private` (the verifier's cache is shared),
/// or when the header says nothing about it.
fn freshness(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let mut max_age = None;
    let mut s_maxage = None;
    for value in headers.get_all(reqwest::header::CACHE_CONTROL) {
        let Ok(value) = value.to_str() else {
            return None;
        };
        for directive in value.split(',') {
            let (name, arg) = match directive.split_once('=') {
                Some((n, a)) => (n.trim(), Some(a.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            let seconds = || {
                arg.and_then(|a| a.parse::<u64>().ok())
                    .map(Duration::from_secs)
            };
            match name.to_ascii_lowercase().as_str() {
                "no-store" | "no-cache" | "private" => return None,
                "max-age" => max_age = seconds(),
                "s-maxage" => s_maxage = seconds(),
                _ => {}
            }
        }
    }
    s_maxage.or(max_age)
}

/// What the loaders ask for.
const ACCEPT: &str = "application/ld+json, application/json;q=0.9, */*;q=0.1";
const USER_AGENT: &str = concat!("openbadges-rs/", env!("CARGO_PKG_VERSION"));

#[derive(Debug)]
struct GuardedResolver {
    allowed: Arc<Vec<(String, Option<u16>)>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = self.allowed.iter().any(|(h, _)| *h == host);
        Box::pin(async move {
            // tokio's lookup runs the system resolver on the blocking pool: a slow DNS server
            // never stalls an async worker.
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0u16))
                .await?
                .collect();
            let addrs = refuse_non_public(&host, addrs, allowed)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Refuses `host` when any of its addresses is not public (unless `allowed`). These are the
/// addresses the client connects to: there is no second resolution.
fn refuse_non_public(
    host: &str,
    addrs: Vec<SocketAddr>,
    allowed: bool,
) -> Result<Vec<SocketAddr>, Box<dyn std::error::Error + Send + Sync>> {
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

/// Fetches documents over `http`/`https` for sync programs, with SSRF guards and
/// [`HttpLimits`]:
///
/// - only `http` and `https` URLs;
/// - every address a host resolves to must be public: loopback, private, link-local,
///   unspecified and other reserved ranges, in every spelling ([`super::refused_range`]: IPv4-mapped,
///   6to4, NAT64, Teredo, …; the `url` crate already turns decimal, octal, hex and short IPv4
///   hosts into dotted quads) are refused unless the host (or `host:port`) was allowed
///   ([`HttpLimits::allowed_hosts`]); the check is made in the DNS resolver the client connects
///   through, so a name cannot resolve to a public address for the check and a private one for
///   the connection, and literal addresses are checked before any connection;
/// - redirects are followed by hand, at most [`HttpLimits::max_redirects`], and each hop is
///   checked again;
/// - the body is cut off past [`HttpLimits::max_bytes`] (an error, not a truncation);
/// - one deadline, [`HttpLimits::timeout`] (default 10 s) from the start of [`DocumentLoader::load`],
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
///
/// **It blocks the calling thread** for the whole fetch. Async programs use
/// [`AsyncHttpLoader`] instead. Still, it is safe anywhere: the client is built on first use,
/// a fetch asked from inside a tokio runtime runs on a thread of its own (reqwest's blocking
/// client refuses to run on a runtime's thread), and the client is dropped on a thread of its
/// own when the last clone goes inside a runtime. Clones share one client.
#[derive(Debug, Clone)]
pub struct HttpLoader {
    shared: Arc<BlockingClient>,
}

/// The blocking client, built on first use.
#[derive(Debug)]
struct BlockingClient {
    policy: Policy,
    client: OnceLock<Result<reqwest::blocking::Client, String>>,
}

impl Drop for BlockingClient {
    fn drop(&mut self) {
        if let Some(Ok(client)) = self.client.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                // Dropping a blocking client joins its runtime thread: not on a runtime's
                // thread. If no thread can be made, it is dropped here (that blocks, briefly).
                let _ = std::thread::Builder::new()
                    .name("openbadges-http-drop".into())
                    .spawn(move || drop(client));
            }
        }
    }
}

impl HttpLoader {
    /// A loader with the default [`HttpLimits`]: 1 MiB responses, 5 redirects, 10 s per fetch
    /// (all hops and the whole body), nothing non-public allowed.
    ///
    /// # Errors
    /// None today (the client is built on first use; a failure to build it is reported by
    /// that load as [`LoadError::Network`]); kept fallible for compatibility.
    pub fn new() -> Result<Self, LoadError> {
        Ok(Self::with_limits(&HttpLimits::default()))
    }

    /// A loader with `limits`. Nothing is built until the first fetch.
    pub fn with_limits(limits: &HttpLimits) -> Self {
        HttpLoader {
            shared: Arc::new(BlockingClient {
                policy: Policy::new(limits),
                client: OnceLock::new(),
            }),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> HttpLimits {
        self.shared.policy.limits()
    }

    /// Allows a host that resolves to (or is) a non-public address: `HOST` (any port) or
    /// `HOST:PORT`. IPv6 literals are written in brackets: `[::1]:8080`.
    ///
    /// # Errors
    /// As [`HttpLoader::new`].
    pub fn allow_host(self, host_port: &str) -> Result<Self, LoadError> {
        Ok(Self::with_limits(&self.limits().allow_host(host_port)))
    }

    /// Sets the largest response body accepted.
    ///
    /// # Errors
    /// As [`HttpLoader::new`].
    pub fn max_bytes(self, n: usize) -> Result<Self, LoadError> {
        Ok(Self::with_limits(&self.limits().max_bytes(n)))
    }

    /// Sets the most redirects followed.
    ///
    /// # Errors
    /// As [`HttpLoader::new`].
    pub fn max_redirects(self, n: usize) -> Result<Self, LoadError> {
        Ok(Self::with_limits(&self.limits().max_redirects(n)))
    }

    /// Sets the deadline of each fetch: from the start of [`DocumentLoader::load`] to the last
    /// byte of the body, DNS, connects, TLS and every redirect hop included.
    ///
    /// # Errors
    /// As [`HttpLoader::new`].
    pub fn timeout(self, t: Duration) -> Result<Self, LoadError> {
        Ok(Self::with_limits(&self.limits().timeout(t)))
    }

    fn client(&self, url: &str) -> Result<&reqwest::blocking::Client, LoadError> {
        let policy = &self.shared.policy;
        self.shared
            .client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .no_proxy()
                    .timeout(policy.timeout)
                    .connect_timeout(policy.timeout)
                    .user_agent(USER_AGENT)
                    .dns_resolver(policy.resolver())
                    .build()
                    .map_err(|e| format!("cannot build http client: {e}"))
            })
            .as_ref()
            .map_err(|message| LoadError::Network {
                url: url.to_string(),
                message: message.clone(),
            })
    }

    fn fetch(&self, url: &str) -> Result<Document, LoadError> {
        use std::io::Read as _;
        let policy = &self.shared.policy;
        let mut current = url::Url::parse(url).map_err(|_| LoadError::InvalidUrl {
            url: url.to_string(),
        })?;
        let deadline = Instant::now() + policy.timeout;
        let mut hops = 0usize;
        loop {
            policy.check(&current, url)?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(policy.timed_out(url));
            }
            // The request's own timeout is reqwest's total timeout (connect, headers and body
            // up to the last byte); the client-wide one would only bound each read.
            let mut resp = self
                .client(url)?
                .get(current.clone())
                .header(reqwest::header::ACCEPT, ACCEPT)
                .timeout(remaining)
                .send()
                .map_err(|e| policy.client_error(&e, url, deadline))?;
            let next = policy.head(
                url,
                &current,
                resp.status(),
                resp.headers(),
                resp.content_length(),
                &mut hops,
            )?;
            if let Some(next) = next {
                current = next;
                continue;
            }
            let content_type = content_type(resp.headers());
            let max_age = freshness(resp.headers());
            let mut body = Vec::new();
            let mut chunk = [0u8; 16 * 1024];
            loop {
                if Instant::now() >= deadline {
                    return Err(policy.timed_out(url));
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
                            return Err(policy.timed_out(url));
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
                if body.len() > policy.max_bytes {
                    return Err(LoadError::TooLarge {
                        url: url.to_string(),
                        limit: policy.max_bytes,
                    });
                }
            }
            return Ok(Document {
                url: url.to_string(),
                final_url: current.to_string(),
                content_type,
                body: Arc::from(body),
                max_age,
            });
        }
    }
}

impl DocumentLoader for HttpLoader {
    fn load(&self, url: &str) -> Result<Document, LoadError> {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.fetch(url);
        }
        // Inside a runtime (an async task, or its blocking pool): reqwest's blocking client
        // must not run on this thread, so a thread of its own fetches while this one waits.
        std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("openbadges-http-fetch".into())
                .spawn_scoped(s, || self.fetch(url))
                .map_err(|e| LoadError::Network {
                    url: url.to_string(),
                    message: format!("cannot start the fetch thread: {e}"),
                })?
                .join()
                .unwrap_or_else(|_| {
                    Err(LoadError::Network {
                        url: url.to_string(),
                        message: "the fetch thread failed".into(),
                    })
                })
        })
    }
}

/// Fetches documents over `http`/`https` for async programs on tokio: the same guards and
/// [`HttpLimits`] as [`HttpLoader`], over `reqwest`'s async client. Its DNS lookups run on
/// tokio's blocking pool, and nothing it does blocks an async worker. Clones share one client
/// and its connection pool.
///
/// It is not a [`DocumentLoader`] (that trait is synchronous): the verification engine is
/// synchronous CPU work, so async programs run it on a blocking thread
/// (`tokio::task::spawn_blocking`) whose loader waits for this one with
/// `tokio::runtime::Handle::block_on`. The facade's `Verifier::verify_async` does exactly that.
///
/// ```
/// use openbadges_proof::loader::{AsyncHttpLoader, HttpLimits, LoadError};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// let loader = AsyncHttpLoader::new(&HttpLimits::default())?;
/// let got = runtime.block_on(loader.load("http://127.0.0.1:9/issuer.json"));
/// assert!(matches!(got, Err(LoadError::Refused { .. }))); // loopback, not allowed
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AsyncHttpLoader {
    policy: Arc<Policy>,
    client: reqwest::Client,
}

impl AsyncHttpLoader {
    /// A loader with `limits`. It may be built anywhere (inside a runtime or not); it must be
    /// used inside a tokio runtime with I/O and time enabled.
    ///
    /// # Errors
    /// [`LoadError::Network`] if the HTTP client cannot be built (TLS set-up).
    pub fn new(limits: &HttpLimits) -> Result<Self, LoadError> {
        let policy = Policy::new(limits);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .connect_timeout(policy.timeout)
            .user_agent(USER_AGENT)
            .dns_resolver(policy.resolver())
            .build()
            .map_err(|e| LoadError::Network {
                url: String::new(),
                message: format!("cannot build http client: {e}"),
            })?;
        Ok(AsyncHttpLoader {
            policy: Arc::new(policy),
            client,
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> HttpLimits {
        self.policy.limits()
    }

    /// Checks `url` against the policy before a request made with [`Self::http_client`]: an
    /// `http`/`https` URL whose host is allowed or, when a literal IP address, public. (Names
    /// are checked by the client's own resolver as it connects.)
    ///
    /// # Errors
    /// [`LoadError::Refused`] or [`LoadError::InvalidUrl`].
    pub fn check_url(&self, url: &url::Url) -> Result<(), LoadError> {
        self.policy.check(url, url.as_str())
    }

    /// The guarded client itself, for protocols that need more than a `GET` (the OB 3.0 API
    /// client's `POST`s): redirects are not followed, no proxy, and its resolver refuses
    /// non-public addresses not allowed by the limits. Check each URL with
    /// [`Self::check_url`] first, bound each request with [`HttpLimits::timeout`] and read at
    /// most [`HttpLimits::max_bytes`] of each body.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Loads the document at `url` (no fragment: callers strip it), as
    /// [`DocumentLoader::load`] does.
    ///
    /// # Errors
    /// A [`LoadError`] saying why not.
    pub async fn load(&self, url: &str) -> Result<Document, LoadError> {
        let policy = &*self.policy;
        let mut current = url::Url::parse(url).map_err(|_| LoadError::InvalidUrl {
            url: url.to_string(),
        })?;
        let deadline = Instant::now() + policy.timeout;
        let mut hops = 0usize;
        loop {
            policy.check(&current, url)?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(policy.timed_out(url));
            }
            // The request's timeout bounds connect, headers and the whole body.
            let mut resp = self
                .client
                .get(current.clone())
                .header(reqwest::header::ACCEPT, ACCEPT)
                .timeout(remaining)
                .send()
                .await
                .map_err(|e| policy.client_error(&e, url, deadline))?;
            let next = policy.head(
                url,
                &current,
                resp.status(),
                resp.headers(),
                resp.content_length(),
                &mut hops,
            )?;
            if let Some(next) = next {
                current = next;
                continue;
            }
            let content_type = content_type(resp.headers());
            let max_age = freshness(resp.headers());
            let mut body = Vec::new();
            loop {
                if Instant::now() >= deadline {
                    return Err(policy.timed_out(url));
                }
                let Some(chunk) = resp
                    .chunk()
                    .await
                    .map_err(|e| policy.client_error(&e, url, deadline))?
                else {
                    break;
                };
                body.extend_from_slice(&chunk);
                if body.len() > policy.max_bytes {
                    return Err(LoadError::TooLarge {
                        url: url.to_string(),
                        limit: policy.max_bytes,
                    });
                }
            }
            return Ok(Document {
                url: url.to_string(),
                final_url: current.to_string(),
                content_type,
                body: Arc::from(body),
                max_age,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::net::ToSocketAddrs as _;

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
    fn freshness_follows_cache_control() {
        let of = |values: &[&str]| {
            let mut h = reqwest::header::HeaderMap::new();
            for v in values {
                h.append(reqwest::header::CACHE_CONTROL, v.parse().unwrap());
            }
            freshness(&h)
        };
        let secs = |n| Some(Duration::from_secs(n));
        assert_eq!(of(&[]), None);
        assert_eq!(of(&["max-age=60"]), secs(60));
        assert_eq!(of(&["public, Max-Age=\"30\""]), secs(30));
        assert_eq!(of(&["max-age=60, s-maxage=10"]), secs(10));
        assert_eq!(of(&["max-age=60", "no-cache"]), None);
        assert_eq!(of(&["no-store, max-age=60"]), None);
        assert_eq!(of(&["private, max-age=60"]), None);
        assert_eq!(of(&["max-age=soon"]), None);
    }

    #[test]
    fn allowed_hosts_are_validated() {
        for good in ["127.0.0.1:8765", "example.org", "[::1]:80", "[::1]", "a.b"] {
            assert!(
                HttpLimits::new().allow_host(good).validate().is_ok(),
                "{good}"
            );
        }
        for bad in [
            "",
            "http://a.example",
            "a.example/x",
            "a:b",
            "a:1:2",
            "[::1]:x",
            "[zz]",
        ] {
            assert!(
                HttpLimits::new().allow_host(bad).validate().is_err(),
                "{bad}"
            );
        }
        let limits = HttpLimits::new()
            .allow_host("127.0.0.1:8765")
            .allow_host("a.example");
        assert_eq!(HttpLoader::with_limits(&limits).limits(), limits);
    }

    #[test]
    fn names_resolving_to_loopback_are_refused_by_the_resolver_itself() {
        // `localhost` resolves through the system resolver on every platform; the check is on
        // the addresses the connection will use.
        let addrs: Vec<SocketAddr> = ("localhost", 0u16).to_socket_addrs().unwrap().collect();
        let e = refuse_non_public("localhost", addrs.clone(), false).unwrap_err();
        assert!(e.downcast_ref::<NonPublic>().is_some(), "{e}");
        assert!(e.to_string().contains("127.0.0.0/8") || e.to_string().contains("::1/128"));
        assert!(
            !refuse_non_public("localhost", addrs, true)
                .unwrap()
                .is_empty()
        );
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
