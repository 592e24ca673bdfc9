//! Limits against slow and large clients that the routes apply: the request body's size and
//! the time it may take to arrive ([`BodyLimit`], per group of routes), and the rate of new
//! attempts per client address ([`RateLimiter`]). The connection-level limits (header read
//! timeout, header size and count, the connection cap) are in `server`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use tokio::sync::Semaphore;

/// Largest form body accepted (the forms are a few dozen bytes).
pub(crate) const MAX_FORM_BYTES: usize = 8 * 1024;

/// Why a request body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyRefusal {
    /// Over the limit (413), by its `Content-Length` or by what arrived.
    TooLarge {
        /// The limit, in bytes.
        max_bytes: usize,
    },
    /// It did not arrive whole within the read timeout (408).
    TooSlow,
    /// The connection failed while it was read (400).
    Unreadable,
}

/// The body limit of a group of routes: at most `max_bytes`, arriving whole within
/// `read_timeout`, else answered by `refuse` (which should close the connection: the rest of
/// the body is never read); and at most `at_once` bodies of that size held in memory at once
/// by the group (the requests past it wait for room, within the read timeout). Applied with
/// [`BodyLimit::apply`]; the handlers then get the body already in memory.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit {
    /// The largest body, in bytes.
    pub(crate) max_bytes: usize,
    /// How long the whole body may take to arrive once the head has.
    pub(crate) read_timeout: Duration,
    /// How many bodies of `max_bytes` the group holds in memory at once, from reading the
    /// first byte until the answer: bounds the memory many large uploads at once can take.
    pub(crate) at_once: usize,
    /// The answer to a refused body.
    pub(crate) refuse: fn(BodyRefusal) -> Response,
}

/// A [`BodyLimit`] with the room its group's bodies share (in bytes).
#[derive(Debug, Clone)]
struct BodyGate {
    limit: BodyLimit,
    room: Arc<Semaphore>,
}

impl BodyLimit {
    /// `router` with this limit on every route it has now (and its fallback): bodies are read
    /// whole before the handler runs, or refused.
    pub(crate) fn apply<S: Clone + Send + Sync + 'static>(
        self,
        router: axum::Router<S>,
    ) -> axum::Router<S> {
        let gate = BodyGate {
            limit: self,
            room: Arc::new(Semaphore::new(
                self.max_bytes
                    .saturating_mul(self.at_once.max(1))
                    .min(Semaphore::MAX_PERMITS),
            )),
        };
        router
            .layer(axum::middleware::from_fn_with_state(gate, read_body))
            // The extractors' own cap (2 MB by default) must not cut below ours.
            .layer(axum::extract::DefaultBodyLimit::max(self.max_bytes))
    }
}

/// The `Content-Length` of a request, when it has a valid one.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// The middleware of [`BodyLimit`]: refuses a declared length over the limit at once, else
/// takes room for the body (its declared length, else the limit), reads it with the limit
/// and the timeout, and hands it on in memory; the room is given back with the answer.
async fn read_body(State(gate): State<BodyGate>, req: Request, next: Next) -> Response {
    let limit = gate.limit;
    let (parts, body) = req.into_parts();
    let max = u64::try_from(limit.max_bytes).unwrap_or(u64::MAX);
    let declared = content_length(&parts.headers);
    if declared.is_some_and(|n| n > max) {
        return (limit.refuse)(BodyRefusal::TooLarge {
            max_bytes: limit.max_bytes,
        });
    }
    let room = u32::try_from(declared.unwrap_or(max).min(max)).unwrap_or(u32::MAX);
    let read = async {
        let held = match Arc::clone(&gate.room).acquire_many_owned(room).await {
            Ok(held) => held,
            Err(_) => return Err(BodyRefusal::Unreadable),
        };
        match Limited::new(body, limit.max_bytes).collect().await {
            Ok(collected) => Ok((collected.to_bytes(), held)),
            Err(e) if e.is::<LengthLimitError>() => Err(BodyRefusal::TooLarge {
                max_bytes: limit.max_bytes,
            }),
            Err(_) => Err(BodyRefusal::Unreadable),
        }
    };
    let (bytes, held) = match tokio::time::timeout(limit.read_timeout, read).await {
        Ok(Ok(read)) => read,
        Ok(Err(why)) => return (limit.refuse)(why),
        Err(_elapsed) => return (limit.refuse)(BodyRefusal::TooSlow),
    };
    let answer = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    drop(held);
    answer
}

/// How many client addresses the limiter tracks before it forgets the ones that are back to
/// a full bucket.
const TRACKED_ADDRESSES: usize = 10_000;

/// A token bucket per client address: `per_minute` tokens refilled evenly over a minute, at
/// most `per_minute` saved up (so a classroom behind one address can start together). IPv6
/// addresses count per /64 (one host usually has a whole /64). In memory, per instance.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl RateLimiter {
    /// A limiter admitting `per_minute` a minute per address (at least 1).
    pub(crate) fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn capacity(&self) -> f64 {
        f64::from(self.per_minute)
    }

    /// Tokens per second.
    fn rate(&self) -> f64 {
        self.capacity() / 60.0
    }

    /// Takes one token for `ip` at `now`; when there is none, how long until there is.
    pub(crate) fn admit(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let (capacity, rate) = (self.capacity(), self.rate());
        let key = match ip {
            IpAddr::V6(v6) => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(prefix.into())
            }
            v4 => v4,
        };
        let refilled = |b: &Bucket| {
            (b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate).min(capacity)
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        if buckets.len() >= TRACKED_ADDRESSES && !buckets.contains_key(&key) {
            buckets.retain(|_, b| refilled(b) < capacity);
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens = refilled(bucket);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_burst_of_the_limit_then_one_per_refill() {
        let limiter = RateLimiter::new(60);
        let t0 = Instant::now();
        let me: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..60 {
            assert!(limiter.admit(me, t0).is_ok());
        }
        let wait = limiter.admit(me, t0).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        // Someone else is not affected.
        assert!(limiter.admit(other, t0).is_ok());
        // One second later, one more (60 a minute).
        assert!(limiter.admit(me, t0 + Duration::from_secs(1)).is_ok());
        assert!(limiter.admit(me, t0 + Duration::from_secs(1)).is_err());
    }

    #[test]
    fn ipv6_counts_per_64() {
        let limiter = RateLimiter::new(1);
        let t0 = Instant::now();
        assert!(limiter.admit("2001:db8::1".parse().unwrap(), t0).is_ok());
        assert!(limiter.admit("2001:db8::2".parse().unwrap(), t0).is_err());
        assert!(
            limiter
                .admit("2001:db8:0:1::1".parse().unwrap(), t0)
                .is_ok()
        );
    }
}
