//! Pacing by Discord's own rate-limit headers, so Discord never has to answer
//! 429. twilight-http records bucket headers only from responses that carry
//! `X-RateLimit-Scope`, which Discord sends only on 429s; so ladderd reads
//! `X-RateLimit-Bucket/Limit/Remaining/Reset-After` from every response itself.
//!
//! The rule is simple and conservative: at most one request in flight per
//! route, so every response's headers are fresh when the next request on that
//! route is decided; a route whose bucket is exhausted waits for its reset;
//! routes sharing a bucket (Discord says so through `X-RateLimit-Bucket`)
//! share its remaining count; and all paced requests together stay under the
//! global limit (50/s, with headroom) in any one-second window. Interaction
//! callbacks are exempt from all of this (Discord exempts them from the
//! global limit, and each interaction token is its own route).
//!
//! ## The one limiter: why not twilight-http-ratelimiting
//!
//! The design names twilight's `RateLimiter` as the process's one global
//! bucket. Until issue #11 every paced request took a twilight permit in the
//! transport after this pacer had let it go: two limiters in series. Now the
//! pacer is the only one, because twilight's cannot serve under a priority
//! scheduler:
//! - it is a FIFO queue of permits per bucket behind an actor task: a request
//!   waiting there can no longer be reordered, so the scheduler (callbacks,
//!   then DMs, then channel work) must know *before* it hands a request on
//!   whether its route may go now — [`Pacer::ready_at`], which twilight's API
//!   does not answer without queueing;
//! - its global limit is a fixed one-second window opened by the first
//!   request, at Discord's full 50/s; Discord's windows are not aligned with
//!   ours, so two fixed windows can land up to twice the limit in one of
//!   Discord's (`sim::ratelimit` shows it). The pacer counts a sliding window
//!   of departures at 40/s;
//! - feeding it what the pacer learns (the other way out) keeps two copies
//!   of the same bucket state that can only disagree, and the pacer's copy
//!   decides first anyway.
//!
//! In series it added no protection: the demo (`ladderd demo --players 12
//! --minutes 6 --seed 7`) makes the same 294 requests with 0 429s with and
//! without it, and the e2e 429-storm test waits out every `Retry-After` with
//! the pacer alone (figures in `BENCHMARKS.md`).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// The headers that matter, parsed from any response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RateLimitHeaders {
    pub bucket: Option<String>,
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub reset_after: Option<Duration>,
    /// `user`, `global` or `shared`, on 429s.
    pub scope: Option<String>,
    pub global: bool,
    /// From a 429's `Retry-After` header (seconds).
    pub retry_after: Option<Duration>,
}

/// The shortest wait after a 429, whatever its headers say: a 429 with
/// `Retry-After: 0` or no usable header must not turn into a hot loop.
pub const MIN_429_WAIT: Duration = Duration::from_millis(100);

/// The wait after a 429 that says nothing usable about its duration.
pub const DEFAULT_429_WAIT: Duration = Duration::from_secs(1);

/// Header values longer than this are ignored (a bucket id is ~32 chars).
const MAX_HEADER_VALUE: usize = 128;

impl RateLimitHeaders {
    /// Reads the rate-limit headers from `(name, value)` pairs; malformed or
    /// oversized values are ignored rather than trusted.
    pub fn parse<'a>(headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> RateLimitHeaders {
        let mut out = RateLimitHeaders::default();
        for (name, value) in headers {
            if value.len() > MAX_HEADER_VALUE {
                continue;
            }
            let Ok(value) = std::str::from_utf8(value) else {
                continue;
            };
            let value = value.trim();
            let secs = |v: &str| {
                v.parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s >= 0.0 && *s < 86_400.0)
                    .map(Duration::from_secs_f64)
            };
            match name.to_ascii_lowercase().as_str() {
                "x-ratelimit-bucket" => out.bucket = Some(value.to_owned()),
                "x-ratelimit-limit" => out.limit = value.parse().ok(),
                "x-ratelimit-remaining" => out.remaining = value.parse().ok(),
                "x-ratelimit-reset-after" => out.reset_after = secs(value),
                "x-ratelimit-scope" => out.scope = Some(value.to_owned()),
                "x-ratelimit-global" => out.global = value.eq_ignore_ascii_case("true"),
                "retry-after" => out.retry_after = secs(value),
                _ => {}
            }
        }
        out
    }

    /// How long to wait after a 429 with these headers before the route (or,
    /// for a global one, any paced route) may be tried again: the longer of
    /// `Retry-After` and `X-RateLimit-Reset-After`, [`DEFAULT_429_WAIT`]
    /// without either, never less than [`MIN_429_WAIT`].
    pub fn wait_after_429(&self) -> Duration {
        let told = match (self.retry_after, self.reset_after) {
            (Some(a), Some(b)) => a.max(b),
            (Some(a), None) | (None, Some(a)) => a,
            (None, None) => DEFAULT_429_WAIT,
        };
        told.max(MIN_429_WAIT)
    }
}

/// A route as Discord buckets it: method and path with the major parameter
/// (channel, guild or webhook id) kept and other ids kept too — a finer key
/// than Discord's never over-sends, it only learns a shared bucket later.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RouteKey(pub String);

#[derive(Debug, Clone)]
struct Bucket {
    remaining: u32,
    reset_at: Instant,
}

/// Pacing state for every route. Pure apart from reading the times it is given.
#[derive(Debug)]
pub struct Pacer {
    /// Paced requests allowed in any one-second window (Discord: 50; keep headroom).
    global_per_second: usize,
    recent_sends: VecDeque<Instant>,
    global_blocked_until: Option<Instant>,
    /// Which bucket each route is in, and when the route last sent.
    route_bucket: HashMap<RouteKey, (String, Instant)>,
    buckets: HashMap<String, Bucket>,
    /// Route-level state for routes whose bucket id is not known (yet).
    route_state: HashMap<RouteKey, Bucket>,
    in_flight: HashMap<RouteKey, ()>,
    /// When [`Pacer::forget_spent`] next runs.
    next_forget: Option<Instant>,
}

/// How often state that no longer paces anything is dropped. Every
/// interaction token and DM channel is a route of its own, so without it the
/// maps grow by one entry per interaction for as long as the process runs.
const FORGET_EVERY: Duration = Duration::from_secs(60);

impl Pacer {
    pub fn new(global_per_second: usize) -> Pacer {
        Pacer {
            global_per_second: global_per_second.max(1),
            recent_sends: VecDeque::new(),
            global_blocked_until: None,
            route_bucket: HashMap::new(),
            buckets: HashMap::new(),
            route_state: HashMap::new(),
            in_flight: HashMap::new(),
            next_forget: None,
        }
    }

    /// Routes and buckets the pacer knows (for tests and the health view).
    pub fn tracked(&self) -> usize {
        self.route_bucket.len() + self.buckets.len() + self.route_state.len()
    }

    /// Drops what no longer paces anything, so the maps hold about what the
    /// last minute used:
    /// - a bucket whose reset has passed: it neither holds a request back
    ///   (`ready_at` waits only for a reset still ahead) nor counts one down
    ///   (`on_send`), and the next response on its route learns it again;
    /// - a route that maps to no bucket, or that has not sent for a minute
    ///   and whose bucket is not spent: it is then treated as a route never
    ///   seen, as every new interaction token is, until its next response.
    ///
    /// A spent bucket and the routes in it are kept until its reset.
    fn forget_spent(&mut self, now: Instant) {
        if self.next_forget.is_some_and(|at| now < at) {
            return;
        }
        self.next_forget = Some(now + FORGET_EVERY);
        self.buckets.retain(|_, b| b.reset_at > now);
        self.route_state.retain(|_, b| b.reset_at > now);
        let buckets = &self.buckets;
        self.route_bucket.retain(|_, (id, used)| {
            buckets
                .get(id)
                .is_some_and(|b| b.remaining == 0 || now.duration_since(*used) < FORGET_EVERY)
        });
    }

    fn bucket(&self, route: &RouteKey) -> Option<&Bucket> {
        match self.route_bucket.get(route) {
            Some((id, _)) => self.buckets.get(id),
            None => self.route_state.get(route),
        }
    }

    /// When a request on `route` may go: `None` if it may go at `now`.
    /// A route with a request in flight is "later" with no known time.
    pub fn ready_at(&mut self, route: &RouteKey, now: Instant) -> Readiness {
        if self.in_flight.contains_key(route) {
            return Readiness::Busy;
        }
        let mut at = now;
        if let Some(until) = self.global_blocked_until {
            at = at.max(until);
        }
        if let Some(b) = self.bucket(route)
            && b.remaining == 0
            && b.reset_at > now
        {
            at = at.max(b.reset_at);
        }
        while self
            .recent_sends
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            self.recent_sends.pop_front();
        }
        if self.recent_sends.len() >= self.global_per_second
            && let Some(oldest) = self.recent_sends.front()
        {
            at = at.max(*oldest + Duration::from_secs(1));
        }
        if at <= now {
            Readiness::Now
        } else {
            Readiness::At(at)
        }
    }

    /// Records that a request on `route` was sent at `now`.
    pub fn on_send(&mut self, route: &RouteKey, now: Instant) {
        self.forget_spent(now);
        self.recent_sends.push_back(now);
        self.in_flight.insert(route.clone(), ());
        let bucket = match self.route_bucket.get_mut(route) {
            Some((id, used)) => {
                *used = now;
                self.buckets.get_mut(id)
            }
            None => self.route_state.get_mut(route),
        };
        if let Some(b) = bucket
            && b.reset_at > now
        {
            b.remaining = b.remaining.saturating_sub(1);
        }
    }

    /// Learns from the response to the request on `route`.
    pub fn on_response(
        &mut self,
        route: &RouteKey,
        headers: &RateLimitHeaders,
        status: u16,
        now: Instant,
    ) {
        self.in_flight.remove(route);
        if status == 429 {
            let wait = headers.wait_after_429();
            if headers.global || headers.scope.as_deref() == Some("global") {
                self.global_blocked_until = Some(now + wait);
            } else {
                let b = Bucket {
                    remaining: 0,
                    reset_at: now + wait,
                };
                match headers.bucket.as_deref() {
                    Some(hash) => {
                        let id = bucket_key(hash, route);
                        self.route_bucket.insert(route.clone(), (id.clone(), now));
                        self.buckets.insert(id, b);
                    }
                    None => {
                        self.route_state.insert(route.clone(), b);
                    }
                }
            }
            return;
        }
        let (Some(remaining), Some(reset_after)) = (headers.remaining, headers.reset_after) else {
            return;
        };
        let b = Bucket {
            remaining,
            reset_at: now + reset_after,
        };
        match headers.bucket.as_deref() {
            Some(hash) => {
                let id = bucket_key(hash, route);
                self.route_state.remove(route);
                self.route_bucket.insert(route.clone(), (id.clone(), now));
                // Another route of the same bucket may have sent since: keep the lower count.
                let merged = match self.buckets.get(&id) {
                    Some(old)
                        if old.reset_at > now
                            && (old.reset_at.max(b.reset_at) - old.reset_at.min(b.reset_at))
                                < Duration::from_millis(50) =>
                    {
                        Bucket {
                            remaining: old.remaining.min(b.remaining),
                            reset_at: b.reset_at,
                        }
                    }
                    _ => b,
                };
                self.buckets.insert(id, merged);
            }
            None => {
                self.route_state.insert(route.clone(), b);
            }
        }
    }

    /// Forgets the in-flight mark after a request that never got a response.
    pub fn on_no_response(&mut self, route: &RouteKey) {
        self.in_flight.remove(route);
    }
}

/// A bucket is Discord's bucket hash *and* the route's major parameter:
/// every channel's `POST channels/{id}/messages` reports the same hash, but
/// each channel has a bucket of its own. Keying by the hash alone would let
/// one channel's fresh count overwrite another's spent one (and send into a
/// 429), and would make one busy channel hold up all the others.
fn bucket_key(hash: &str, route: &RouteKey) -> String {
    let path = route.0.split_once(' ').map_or(route.0.as_str(), |(_, p)| p);
    let mut segments = path.trim_start_matches('/').split('/');
    let major = match (segments.next(), segments.next()) {
        (Some(kind @ ("channels" | "guilds" | "webhooks")), Some(id)) => format!("{kind}/{id}"),
        _ => String::new(),
    };
    format!("{hash}@{major}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Now,
    At(Instant),
    /// A request on the route is in flight; decide again when it answers.
    Busy,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(s: &str) -> RouteKey {
        RouteKey(s.to_owned())
    }

    fn headers(bucket: &str, remaining: u32, reset_after_ms: u64) -> RateLimitHeaders {
        RateLimitHeaders {
            bucket: Some(bucket.to_owned()),
            limit: Some(5),
            remaining: Some(remaining),
            reset_after: Some(Duration::from_millis(reset_after_ms)),
            ..Default::default()
        }
    }

    #[test]
    fn headers_parse_and_ignore_garbage() {
        let h = RateLimitHeaders::parse([
            ("X-RateLimit-Bucket", &b"abcd1234"[..]),
            ("x-ratelimit-limit", b"5"),
            ("X-RateLimit-Remaining", b"0"),
            ("X-RateLimit-Reset-After", b"1.250"),
            ("X-RateLimit-Scope", b"user"),
            ("Retry-After", b"NaN"),
            ("X-RateLimit-Global", b"true"),
        ]);
        assert_eq!(h.bucket.as_deref(), Some("abcd1234"));
        assert_eq!((h.limit, h.remaining), (Some(5), Some(0)));
        assert_eq!(h.reset_after, Some(Duration::from_millis(1250)));
        assert_eq!(h.retry_after, None);
        assert!(h.global);
        let long = vec![b'a'; 1000];
        assert_eq!(
            RateLimitHeaders::parse([("x-ratelimit-bucket", &long[..])]).bucket,
            None
        );
        assert_eq!(
            RateLimitHeaders::parse([("x-ratelimit-remaining", &b"-1"[..])]).remaining,
            None
        );
    }

    #[tokio::test(start_paused = true)]
    async fn one_in_flight_per_route_and_wait_for_reset() {
        let mut p = Pacer::new(45);
        let r = route("POST /channels/1/messages");
        let now = Instant::now();
        assert_eq!(p.ready_at(&r, now), Readiness::Now);
        p.on_send(&r, now);
        assert_eq!(p.ready_at(&r, now), Readiness::Busy);
        p.on_response(&r, &headers("b1", 0, 2000), 200, now);
        assert_eq!(
            p.ready_at(&r, now),
            Readiness::At(now + Duration::from_secs(2))
        );
        let later = now + Duration::from_secs(2);
        assert_eq!(p.ready_at(&r, later), Readiness::Now);
    }

    #[tokio::test(start_paused = true)]
    async fn routes_sharing_a_bucket_share_its_count() {
        let mut p = Pacer::new(45);
        let (a, b) = (
            route("PATCH /channels/1/messages/10"),
            route("PATCH /channels/1/messages/11"),
        );
        let now = Instant::now();
        p.on_send(&a, now);
        p.on_response(&a, &headers("shared", 1, 1000), 200, now);
        p.on_send(&b, now);
        p.on_response(&b, &headers("shared", 0, 1000), 200, now);
        // `a` has never been told remaining 0, but its bucket has.
        assert!(matches!(p.ready_at(&a, now), Readiness::At(_)));
    }

    /// Discord reports one bucket hash for a route across all channels; the
    /// count is per channel. Another channel's fresh count must neither
    /// release a spent channel nor block a fresh one.
    #[tokio::test(start_paused = true)]
    async fn one_hash_on_two_channels_is_two_buckets() {
        let mut p = Pacer::new(45);
        let (a, b) = (
            route("POST /channels/1/messages"),
            route("POST /channels/2/messages"),
        );
        let now = Instant::now();
        p.on_send(&a, now);
        p.on_response(&a, &headers("messages", 0, 4000), 200, now);
        p.on_send(&b, now);
        p.on_response(&b, &headers("messages", 4, 5000), 200, now);
        assert!(
            matches!(p.ready_at(&a, now), Readiness::At(_)),
            "channel 1 is spent whatever channel 2 says"
        );
        assert_eq!(p.ready_at(&b, now), Readiness::Now);
    }

    #[tokio::test(start_paused = true)]
    async fn global_window_caps_paced_requests_per_second() {
        let mut p = Pacer::new(3);
        let now = Instant::now();
        for i in 0..3 {
            let r = route(&format!("POST /channels/{i}/messages"));
            assert_eq!(p.ready_at(&r, now), Readiness::Now);
            p.on_send(&r, now);
        }
        let r = route("POST /channels/9/messages");
        assert_eq!(
            p.ready_at(&r, now),
            Readiness::At(now + Duration::from_secs(1))
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_global_429_blocks_every_route() {
        let mut p = Pacer::new(45);
        let now = Instant::now();
        let r = route("POST /channels/1/messages");
        p.on_send(&r, now);
        let h = RateLimitHeaders {
            global: true,
            retry_after: Some(Duration::from_millis(700)),
            ..Default::default()
        };
        p.on_response(&r, &h, 429, now);
        let other = route("POST /users/@me/channels");
        assert_eq!(
            p.ready_at(&other, now),
            Readiness::At(now + Duration::from_millis(700))
        );
    }

    /// One route per interaction token or DM channel: what the pacer keeps
    /// must not grow with every interaction ever answered, and dropping it
    /// must not release a bucket that is still spent.
    #[tokio::test(start_paused = true)]
    async fn spent_routes_are_forgotten_and_a_spent_bucket_still_holds() {
        let mut p = Pacer::new(45);
        let start = Instant::now();
        let held = route("POST /channels/1/messages");
        p.on_send(&held, start);
        // Spent, resetting in ten minutes: it must survive every sweep.
        p.on_response(&held, &headers("messages", 0, 600_000), 200, start);
        for i in 0..10_000u64 {
            let now = start + Duration::from_millis(20 * i);
            let r = route(&format!("POST /interactions/{i}/token{i}/callback"));
            p.on_send(&r, now);
            p.on_response(&r, &headers(&format!("b{}", i % 7), 4, 1000), 200, now);
            let dm = route(&format!("POST /channels/{}/messages", 1000 + i));
            p.on_send(&dm, now);
            p.on_response(&dm, &headers("messages", 4, 5000), 200, now);
        }
        let end = start + Duration::from_millis(20 * 10_000);
        // 200 s of traffic, a sweep a minute: what is left is at most the
        // last minute's routes and buckets, not all 20,000.
        assert!(p.tracked() < 9_000, "{} entries kept", p.tracked());
        assert!(
            matches!(p.ready_at(&held, end), Readiness::At(at) if at == start + Duration::from_secs(600)),
            "a swept pacer released a spent bucket"
        );
        // Another sweep after every reset: only the spent bucket remains.
        let later = end + Duration::from_secs(120);
        p.on_send(&route("GET /gateway/bot"), later);
        assert_eq!(p.tracked(), 2, "the spent bucket and its route");
    }
}
