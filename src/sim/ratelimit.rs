//! Discord's documented HTTP rate limits: per-route buckets keyed by the
//! route template and its major parameter, the global limit per bot, and the
//! invalid-request window.
//!
//! Time is `tokio::time::Instant` so paused-clock tests can step through
//! resets; only the absolute `X-RateLimit-Reset` header reads the wall clock.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// Requests allowed per window on one bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteLimit {
    /// Requests per window.
    pub limit: u16,
    /// Window length; the bucket resets this long after its first request.
    pub window: Duration,
}

impl RouteLimit {
    /// `limit` requests per `window`.
    pub const fn new(limit: u16, window: Duration) -> Self {
        Self { limit, window }
    }
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Limited {
    /// The route's bucket is empty (`X-RateLimit-Scope: user`).
    Route { retry_after: Duration },
    /// The bot's global limit is used up (`X-RateLimit-Scope: global`).
    Global { retry_after: Duration },
    /// A per-resource limit shared by everyone (`X-RateLimit-Scope:
    /// shared`): not counted as an invalid request.
    Shared { retry_after: Duration },
}

/// Bucket state reported in the `X-RateLimit-*` headers.
#[derive(Clone, Debug, PartialEq)]
pub struct BucketHeaders {
    pub bucket: String,
    pub limit: u16,
    pub remaining: u16,
    pub reset_after: Duration,
}

impl BucketHeaders {
    /// The header pairs Discord sends on every bucketed response.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let reset_at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            + self.reset_after;
        vec![
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            (
                "x-ratelimit-reset",
                format!("{:.3}", reset_at.as_secs_f64()),
            ),
            (
                "x-ratelimit-reset-after",
                format!("{:.3}", self.reset_after.as_secs_f64()),
            ),
            ("x-ratelimit-bucket", self.bucket.clone()),
        ]
    }
}

struct Bucket {
    remaining: u16,
    reset_at: Instant,
}

/// The limiter: one per simulator.
pub(crate) struct Limiter {
    global_limit: u32,
    global_count: u32,
    global_reset: Instant,
    buckets: HashMap<(String, String), Bucket>,
    invalid: VecDeque<Instant>,
    invalid_total: u64,
}

/// Discord's invalid-request window (10,000 per 10 minutes bans the IP).
pub const INVALID_WINDOW: Duration = Duration::from_secs(600);

impl Limiter {
    pub(crate) fn new(global_limit: u32) -> Self {
        Self {
            global_limit,
            global_count: 0,
            global_reset: Instant::now(),
            buckets: HashMap::new(),
            invalid: VecDeque::new(),
            invalid_total: 0,
        }
    }

    /// Decide one request and, when allowed, count it against its bucket
    /// and (unless `exempt`) the global limit.
    pub(crate) fn check(
        &mut self,
        route: &str,
        major: &str,
        limit: RouteLimit,
        exempt_global: bool,
        now: Instant,
    ) -> (BucketHeaders, Option<Limited>) {
        if now >= self.global_reset {
            self.global_count = 0;
            self.global_reset = now + Duration::from_secs(1);
        }
        let key = (route.to_owned(), major.to_owned());
        let bucket = self.buckets.entry(key).or_insert(Bucket {
            remaining: limit.limit,
            reset_at: now + limit.window,
        });
        if now >= bucket.reset_at {
            bucket.remaining = limit.limit;
            bucket.reset_at = now + limit.window;
        }
        let reset_after = bucket.reset_at.saturating_duration_since(now);
        let mut headers = BucketHeaders {
            bucket: bucket_id(route),
            limit: limit.limit,
            remaining: bucket.remaining,
            reset_after,
        };
        if !exempt_global && self.global_count >= self.global_limit {
            let retry_after = self.global_reset.saturating_duration_since(now);
            return (headers, Some(Limited::Global { retry_after }));
        }
        if bucket.remaining == 0 {
            return (
                headers,
                Some(Limited::Route {
                    retry_after: reset_after,
                }),
            );
        }
        bucket.remaining -= 1;
        headers.remaining = bucket.remaining;
        if !exempt_global {
            self.global_count += 1;
        }
        (headers, None)
    }

    /// Record a 401, 403 or 429 (the statuses Discord counts as invalid).
    pub(crate) fn record_invalid(&mut self, now: Instant) {
        self.invalid_total += 1;
        self.invalid.push_back(now);
        self.prune(now);
    }

    /// Invalid requests within the last ten minutes, and ever.
    pub(crate) fn invalid(&mut self, now: Instant) -> (u64, u64) {
        self.prune(now);
        (self.invalid.len() as u64, self.invalid_total)
    }

    fn prune(&mut self, now: Instant) {
        while self
            .invalid
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= INVALID_WINDOW)
        {
            self.invalid.pop_front();
        }
    }
}

/// A stable opaque bucket id per route template (Discord's are opaque hashes
/// shared by every major parameter of the route).
pub fn bucket_id(route: &str) -> String {
    // FNV-1a: stable across runs and platforms, unlike `DefaultHasher`.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in route.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: &str = "POST /channels/{channel_id}/messages";

    #[tokio::test(start_paused = true)]
    async fn bucket_empties_and_resets_after_its_window() {
        let mut l = Limiter::new(50);
        let lim = RouteLimit::new(2, Duration::from_secs(5));
        let now = Instant::now();
        assert_eq!(l.check(R, "1", lim, false, now).0.remaining, 1);
        assert_eq!(l.check(R, "1", lim, false, now).0.remaining, 0);
        let (_, refused) = l.check(R, "1", lim, false, now);
        assert_eq!(
            refused,
            Some(Limited::Route {
                retry_after: Duration::from_secs(5)
            })
        );
        // Another major parameter has its own count under the same bucket id.
        let (h, refused) = l.check(R, "2", lim, false, now);
        assert!(refused.is_none());
        assert_eq!(h.bucket, bucket_id(R));
        let later = now + Duration::from_secs(5);
        let (h, refused) = l.check(R, "1", lim, false, later);
        assert!(refused.is_none());
        assert_eq!(h.remaining, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn global_limit_spares_exempt_requests() {
        let mut l = Limiter::new(3);
        let lim = RouteLimit::new(100, Duration::from_secs(1));
        let now = Instant::now();
        for i in 0..3 {
            assert!(l.check(R, &i.to_string(), lim, false, now).1.is_none());
        }
        assert!(matches!(
            l.check(R, "9", lim, false, now).1,
            Some(Limited::Global { .. })
        ));
        assert!(l.check("callback", "9", lim, true, now).1.is_none());
        let next = now + Duration::from_secs(1);
        assert!(l.check(R, "9", lim, false, next).1.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn invalid_requests_leave_the_window_after_ten_minutes() {
        let mut l = Limiter::new(50);
        let now = Instant::now();
        l.record_invalid(now);
        l.record_invalid(now + Duration::from_secs(300));
        assert_eq!(l.invalid(now + Duration::from_secs(599)), (2, 2));
        assert_eq!(l.invalid(now + Duration::from_secs(600)), (1, 2));
    }
}
