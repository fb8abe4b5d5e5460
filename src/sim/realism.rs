//! Discord as it behaves, beyond its documented bucket headers: latency,
//! the DM-open anti-spam rule (40003), closed DMs (50007), thread creation
//! refused for minutes with a shared-scope 429, the invalid-request ban, the
//! active-thread cap, privileged intents (4014/4013), the identify rate
//! (op 9) and expiring signed CDN URLs.
//!
//! Every number lives in [`Realism`] with the source it comes from. Discord
//! publishes some of them (the invalid-request limit, the thread cap, the
//! close codes, `max_concurrency`); the rest come from public reports and
//! are guesses, said so where they are defined. Everything is on by default
//! ([`Realism::default`]); a test turns a part off by name and says why
//! ([`Realism::off`] turns all of it off, for tests of something else).
//!
//! The rules are pure state machines over `tokio::time::Instant` (so the
//! paused-clock unit tests below step through them); randomness comes from
//! a seed, by hashing (seed, purpose, key), so a user's DM setting or an
//! epoch's jitter does not depend on request order.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// How long one request takes, as a log-normal distribution: `median`, and
/// `sigma` (the log's standard deviation: 0.6 puts p99 at ~4 × the median),
/// capped at `max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatencyDist {
    pub median: Duration,
    pub sigma: f64,
    pub max: Duration,
}

impl LatencyDist {
    pub const fn new(median_ms: u64, sigma: f64, max_ms: u64) -> Self {
        Self {
            median: Duration::from_millis(median_ms),
            sigma,
            max: Duration::from_millis(max_ms),
        }
    }

    /// The latency for a standard normal draw `z`.
    pub fn at(&self, z: f64) -> Duration {
        let secs = self.median.as_secs_f64() * (self.sigma * z).exp();
        Duration::from_secs_f64(secs.clamp(0.0, self.max.as_secs_f64()))
    }
}

/// Per-route-class latency with a global jitter that drifts over time.
#[derive(Clone, Debug, PartialEq)]
pub struct Latency {
    /// (route-key prefix, distribution), first match wins.
    pub classes: Vec<(String, LatencyDist)>,
    /// For routes no class matches.
    pub default: LatencyDist,
    /// Every request's latency is multiplied by `exp(global_sigma · z)`,
    /// with `z` drawn once per `global_period`: the whole API being slower
    /// or faster for a while, as Discord's is.
    pub global_sigma: f64,
    pub global_period: Duration,
}

impl Default for Latency {
    /// A guess from public reports, not a Discord figure: REST round trips
    /// to discord.com from a European or US VPS take ~50–150 ms, with a tail
    /// of several hundred ms (Discord's status page shows the API's own
    /// response time around 100 ms, with spikes). Message creation and thread
    /// creation are a little slower than reads (fan-out to the gateway).
    fn default() -> Self {
        let class = |p: &str, d: LatencyDist| (p.to_owned(), d);
        Self {
            classes: vec![
                class("POST /interactions/", LatencyDist::new(80, 0.5, 2_000)),
                class("POST /webhooks/", LatencyDist::new(100, 0.6, 2_500)),
                class(
                    "POST /users/@me/channels",
                    LatencyDist::new(110, 0.6, 2_500),
                ),
                class(
                    "POST /channels/{channel_id}/threads",
                    LatencyDist::new(150, 0.7, 3_000),
                ),
                class(
                    "POST /channels/{channel_id}/messages/{message_id}/threads",
                    LatencyDist::new(150, 0.7, 3_000),
                ),
                class(
                    "POST /channels/{channel_id}/messages",
                    LatencyDist::new(110, 0.6, 2_500),
                ),
            ],
            default: LatencyDist::new(100, 0.6, 2_500),
            global_sigma: 0.25,
            global_period: Duration::from_secs(10),
        }
    }
}

/// "More than `limit` within `window` → refused for `penalty`".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlidingRule {
    pub limit: u32,
    pub window: Duration,
    pub penalty: Duration,
}

/// Thread creation in one parent channel: over `limit` in `window`, a 429
/// with `X-RateLimit-Scope: shared` whose `Retry-After` is drawn from
/// `retry_after` (seconds, uniform), and creation refused that long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadRule {
    pub limit: u32,
    pub window: Duration,
    pub retry_after: (u64, u64),
}

/// Discord's invalid-request limit: `limit` 401/403/429 answers within ten
/// minutes (the limiter's window, [`super::ratelimit::INVALID_WINDOW`]) and
/// the IP is refused everything for `ban`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidRequestBan {
    pub limit: u32,
    pub ban: Duration,
}

/// Gateway intent bits the simulator knows.
pub mod intents {
    pub const GUILDS: u64 = 1 << 0;
    pub const GUILD_MEMBERS: u64 = 1 << 1;
    pub const GUILD_PRESENCES: u64 = 1 << 8;
    pub const GUILD_MESSAGES: u64 = 1 << 9;
    pub const DIRECT_MESSAGES: u64 = 1 << 12;
    pub const MESSAGE_CONTENT: u64 = 1 << 15;
    /// Discord's privileged intents (enabled per application in the
    /// developer portal).
    pub const PRIVILEGED: u64 = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT;
    /// Every intent Discord defines today (bits 0–16, 20–21, 24–25);
    /// anything else closes with 4013.
    pub const KNOWN: u64 = ((1 << 17) - 1) | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25);
}

/// Everything that makes the simulator behave like Discord rather than like
/// a kind test double. Numbers with their sources; see the module doc.
#[derive(Clone, Debug, PartialEq)]
pub struct Realism {
    /// Seeds latency draws, closed DMs and `Retry-After` draws.
    pub seed: u64,
    /// Added to every API request (not the CDN). `None`: answers at once.
    pub latency: Option<Latency>,
    /// Public reports, a guess: discord-advertisement-framework #82 and
    /// SnowTransfer #43 ("a few dozen at once" → 403 40003 "You are opening
    /// direct messages too fast"); Discord's docs only warn that bots
    /// opening many DMs are limited. Counts DM channels the bot opens for
    /// the first time with a user.
    pub dm_open: Option<SlidingRule>,
    /// Share of users (seeded per user) who do not accept DMs from server
    /// members: a message to their DM channel answers 403 50007 "Cannot
    /// send messages to this user" (Discord's error code; the share is a
    /// guess — the issue asks for 15 %).
    pub closed_dm_share: f64,
    /// Public reports, a guess: discord-api-docs #7816 and bots creating a
    /// thread per conversation (hermes-agent PR #96101: "Retry in 280.36
    /// seconds") — a 429 with `X-RateLimit-Scope: shared` and `Retry-After`
    /// of 145–280 s after about a dozen threads in one channel.
    pub thread_create: Option<ThreadRule>,
    /// Discord's docs (Rate Limits, "Invalid Request Limit"): 10,000
    /// invalid requests (401, 403, 429 — shared-scope 429s excepted) per
    /// 10 minutes → a temporary Cloudflare ban. The ban's length is not
    /// published; an hour is a guess from reports.
    pub invalid_request_ban: Option<InvalidRequestBan>,
    /// Discord's docs (Threads): 1,000 active threads per guild, else 400
    /// 160006 "Maximum number of active threads reached".
    pub active_thread_cap: Option<usize>,
    /// Privileged intents switched on in the developer portal. Discord's
    /// docs (Gateway, close codes): identifying with a privileged intent not
    /// enabled closes with 4014; an unknown bit with 4013. Default: Message
    /// Content only, as the README's set-up asks.
    pub enabled_privileged_intents: u64,
    /// Discord's docs (Gateway, session start limit): `max_concurrency`
    /// identifies per 5 s; the next is answered op 9 `false`.
    pub identify_window: Option<Duration>,
    /// Discord's docs (Signed attachment CDN URLs): attachment URLs carry
    /// `ex` (expiry, hex seconds), `is` (issued) and `hm` (signature); after
    /// `ex` the CDN refuses them. Discord does not publish the lifetime;
    /// about 24 hours is what clients observe (a guess).
    pub cdn_url_lifetime: Option<Duration>,
    /// Discord's behaviour (Interactions, followup messages): the first
    /// followup after a deferred response (type 5) edits the "thinking…"
    /// message instead of creating a new one.
    pub deferred_followup_edits: bool,
    /// Discord's docs (Gateway, GUILD_CREATE): without the privileged
    /// GUILD_MEMBERS intent the member list holds only the bot itself.
    pub members_by_intents: bool,
}

impl Default for Realism {
    fn default() -> Self {
        Self {
            seed: 0x5eed,
            latency: Some(Latency::default()),
            dm_open: Some(SlidingRule {
                limit: 30,
                window: Duration::from_secs(5 * 60),
                penalty: Duration::from_secs(5 * 60),
            }),
            closed_dm_share: 0.15,
            thread_create: Some(ThreadRule {
                limit: 12,
                window: Duration::from_secs(5 * 60),
                retry_after: (145, 280),
            }),
            invalid_request_ban: Some(InvalidRequestBan {
                limit: 10_000,
                ban: Duration::from_secs(3600),
            }),
            active_thread_cap: Some(1000),
            enabled_privileged_intents: intents::MESSAGE_CONTENT,
            identify_window: Some(Duration::from_secs(5)),
            cdn_url_lifetime: Some(Duration::from_secs(24 * 3600)),
            deferred_followup_edits: true,
            members_by_intents: true,
        }
    }
}

impl Realism {
    /// Nothing of it: every request answered at once, no anti-spam, every
    /// DM open, every intent allowed. For tests of something else; each says
    /// why.
    pub fn off() -> Self {
        Self {
            seed: 0,
            latency: None,
            dm_open: None,
            closed_dm_share: 0.0,
            thread_create: None,
            invalid_request_ban: None,
            active_thread_cap: None,
            enabled_privileged_intents: intents::PRIVILEGED,
            identify_window: None,
            cdn_url_lifetime: None,
            deferred_followup_edits: false,
            members_by_intents: false,
        }
    }

    /// One line per setting, for the demo's summary.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.latency {
            Some(l) => out.push(format!(
                "latency: median {} ms (log-normal σ {:.1}, capped {} ms) by route class, ±{:.0} % global drift per {} s",
                l.default.median.as_millis(),
                l.default.sigma,
                l.default.max.as_millis(),
                l.global_sigma * 100.0,
                l.global_period.as_secs()
            )),
            None => out.push("latency: none".into()),
        }
        match &self.dm_open {
            Some(r) => out.push(format!(
                "DM opens: > {} new DM channels in {} s → 403 40003 for {} s",
                r.limit,
                r.window.as_secs(),
                r.penalty.as_secs()
            )),
            None => out.push("DM opens: unlimited".into()),
        }
        out.push(format!(
            "closed DMs: {:.0} % of users (403 50007)",
            self.closed_dm_share * 100.0
        ));
        match &self.thread_create {
            Some(r) => out.push(format!(
                "thread creation: > {} per parent in {} s → 429 shared scope, Retry-After {}–{} s",
                r.limit,
                r.window.as_secs(),
                r.retry_after.0,
                r.retry_after.1
            )),
            None => out.push("thread creation: unlimited".into()),
        }
        match &self.invalid_request_ban {
            Some(b) => out.push(format!(
                "invalid requests: {} in 600 s → banned {} s",
                b.limit,
                b.ban.as_secs()
            )),
            None => out.push("invalid requests: never banned".into()),
        }
        out
    }
}

/// SplitMix64: a seeded hash, so draws keyed by (seed, purpose, key) do not
/// depend on the order requests arrive in.
pub fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A uniform draw in (0, 1) from a hash.
pub fn unit(h: u64) -> f64 {
    ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// A standard normal draw from two hashes (Box–Muller).
pub fn normal(a: u64, b: u64) -> f64 {
    (-2.0 * unit(a).ln()).sqrt() * (std::f64::consts::TAU * unit(b)).cos()
}

const PURPOSE_DMS: u64 = 1;
const PURPOSE_GLOBAL: u64 = 2;

impl Realism {
    /// Whether `user` has DMs from server members closed (seeded per user).
    pub fn dms_closed(&self, user: u64) -> bool {
        unit(mix(self.seed ^ mix(PURPOSE_DMS ^ mix(user)))) < self.closed_dm_share
    }
}

/// The mutable side of [`Realism`]: the sliding windows and the draws.
pub(crate) struct RealismState {
    counter: u64,
    dm_opens: VecDeque<Instant>,
    dm_blocked_until: Option<Instant>,
    threads: HashMap<String, ThreadWindow>,
    identifies: VecDeque<Instant>,
    pub(crate) banned_until: Option<Instant>,
    start: Instant,
}

#[derive(Default)]
struct ThreadWindow {
    created: VecDeque<Instant>,
    blocked: Option<(Instant, Duration)>,
}

/// Why [`RealismState::thread_create`] refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SharedLimited {
    pub retry_after: Duration,
}

impl RealismState {
    pub(crate) fn new() -> Self {
        Self {
            counter: 0,
            dm_opens: VecDeque::new(),
            dm_blocked_until: None,
            threads: HashMap::new(),
            identifies: VecDeque::new(),
            banned_until: None,
            start: Instant::now(),
        }
    }

    fn draw(&mut self, seed: u64) -> u64 {
        self.counter += 1;
        mix(seed ^ mix(self.counter))
    }

    /// The latency of one request on `route`.
    pub(crate) fn latency(&mut self, r: &Realism, route: &str, now: Instant) -> Duration {
        let Some(l) = &r.latency else {
            return Duration::ZERO;
        };
        let dist = l
            .classes
            .iter()
            .find(|(p, _)| route.starts_with(p.as_str()))
            .map_or(l.default, |(_, d)| *d);
        let period = l.global_period.as_millis().max(1);
        let epoch = (now.saturating_duration_since(self.start).as_millis() / period) as u64;
        let g = mix(r.seed ^ mix(PURPOSE_GLOBAL ^ mix(epoch)));
        let global = (l.global_sigma * normal(g, mix(g))).exp();
        let (a, b) = (self.draw(r.seed), self.draw(r.seed));
        let d = dist.at(normal(a, b)).mul_f64(global);
        d.min(dist.max)
    }

    /// A new DM channel is about to be opened: `Ok` counts it, `Err` is the
    /// 40003 answer.
    pub(crate) fn dm_open(&mut self, r: &Realism, now: Instant) -> Result<(), ()> {
        let Some(rule) = r.dm_open else {
            return Ok(());
        };
        if self.dm_blocked_until.is_some_and(|t| now < t) {
            return Err(());
        }
        while self
            .dm_opens
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= rule.window)
        {
            self.dm_opens.pop_front();
        }
        if self.dm_opens.len() as u64 >= u64::from(rule.limit) {
            self.dm_blocked_until = Some(now + rule.penalty);
            self.dm_opens.clear();
            return Err(());
        }
        self.dm_opens.push_back(now);
        Ok(())
    }

    /// A thread is about to be created in `parent`.
    pub(crate) fn thread_create(
        &mut self,
        r: &Realism,
        parent: &str,
        now: Instant,
    ) -> Result<(), SharedLimited> {
        let Some(rule) = r.thread_create else {
            return Ok(());
        };
        let draw = self.draw(r.seed);
        let w = self.threads.entry(parent.to_owned()).or_default();
        if let Some((until, _)) = w.blocked {
            if now < until {
                return Err(SharedLimited {
                    retry_after: until - now,
                });
            }
            w.blocked = None;
        }
        while w
            .created
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= rule.window)
        {
            w.created.pop_front();
        }
        if w.created.len() as u64 >= u64::from(rule.limit) {
            let (lo, hi) = (
                rule.retry_after.0.min(rule.retry_after.1),
                rule.retry_after.1,
            );
            let secs = lo as f64 + unit(draw) * (hi - lo) as f64;
            let retry_after = Duration::from_secs_f64(secs);
            w.blocked = Some((now + retry_after, retry_after));
            w.created.clear();
            return Err(SharedLimited { retry_after });
        }
        w.created.push_back(now);
        Ok(())
    }

    /// An Identify arrives: `false` means op 9 (too many within the window).
    pub(crate) fn identify(&mut self, r: &Realism, max_concurrency: u16, now: Instant) -> bool {
        let Some(window) = r.identify_window else {
            return true;
        };
        while self
            .identifies
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            self.identifies.pop_front();
        }
        if self.identifies.len() >= usize::from(max_concurrency.max(1)) {
            return false;
        }
        self.identifies.push_back(now);
        true
    }

    /// The remaining ban, if the IP is banned now.
    pub(crate) fn banned(&self, now: Instant) -> Option<Duration> {
        self.banned_until
            .filter(|t| now < *t)
            .map(|t| t.saturating_duration_since(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_dms_are_a_seeded_share() {
        let r = Realism::default();
        let closed = (1..=10_000u64).filter(|u| r.dms_closed(*u)).count();
        assert!((1300..=1700).contains(&closed), "{closed}");
        // Stable per user and seed; another seed closes other users.
        assert_eq!(r.dms_closed(42), r.dms_closed(42));
        let other = Realism {
            seed: 99,
            ..Realism::default()
        };
        assert!((1..=200u64).any(|u| r.dms_closed(u) != other.dms_closed(u)));
        assert!(!(1..=10_000u64).any(|u| Realism::off().dms_closed(u)));
    }

    #[tokio::test(start_paused = true)]
    async fn latency_has_a_median_near_the_setting_and_a_tail() {
        let r = Realism::default();
        let mut s = RealismState::new();
        let mut all: Vec<Duration> = (0..4000)
            .map(|i| {
                let now = Instant::now() + Duration::from_millis(i * 37);
                s.latency(&r, "GET /channels/{channel_id}", now)
            })
            .collect();
        all.sort();
        let median = all[all.len() / 2].as_millis();
        let p99 = all[all.len() * 99 / 100].as_millis();
        assert!((70..=140).contains(&median), "{median}");
        assert!(p99 >= 300, "{p99}");
        assert!(all.iter().all(|d| *d <= Duration::from_millis(2500)));
        assert_eq!(
            s.latency(&Realism::off(), "GET /x", Instant::now()),
            Duration::ZERO
        );
    }

    #[tokio::test(start_paused = true)]
    async fn dm_opens_past_the_limit_are_refused_for_the_penalty() {
        let r = Realism::default();
        let rule = r.dm_open.unwrap();
        let mut s = RealismState::new();
        let now = Instant::now();
        for _ in 0..rule.limit {
            assert!(s.dm_open(&r, now).is_ok());
        }
        assert!(s.dm_open(&r, now).is_err());
        let later = now + rule.penalty - Duration::from_secs(1);
        assert!(s.dm_open(&r, later).is_err(), "still blocked");
        assert!(s.dm_open(&r, now + rule.penalty).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn threads_past_the_limit_get_a_long_shared_429_per_parent() {
        let r = Realism::default();
        let rule = r.thread_create.unwrap();
        let mut s = RealismState::new();
        let now = Instant::now();
        for _ in 0..rule.limit {
            assert!(s.thread_create(&r, "1", now).is_ok());
        }
        let refused = s.thread_create(&r, "1", now).unwrap_err();
        let secs = refused.retry_after.as_secs();
        assert!((145..=280).contains(&secs), "{secs}");
        // Another parent is not affected.
        assert!(s.thread_create(&r, "2", now).is_ok());
        let mid = now + refused.retry_after / 2;
        let again = s.thread_create(&r, "1", mid).unwrap_err();
        assert!(again.retry_after < refused.retry_after);
        assert!(s.thread_create(&r, "1", now + refused.retry_after).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn identifies_beyond_max_concurrency_per_window_are_refused() {
        let r = Realism::default();
        let mut s = RealismState::new();
        let now = Instant::now();
        assert!(s.identify(&r, 1, now));
        assert!(!s.identify(&r, 1, now + Duration::from_secs(4)));
        assert!(s.identify(&r, 1, now + Duration::from_secs(5)));
        let mut s = RealismState::new();
        assert!(s.identify(&r, 2, now) && s.identify(&r, 2, now));
        assert!(!s.identify(&r, 2, now));
    }

    #[test]
    fn known_intents_cover_discords_and_privileged_ones() {
        use intents::*;
        for bit in [
            GUILDS,
            GUILD_MEMBERS,
            GUILD_PRESENCES,
            GUILD_MESSAGES,
            DIRECT_MESSAGES,
            MESSAGE_CONTENT,
        ] {
            assert_eq!(KNOWN & bit, bit);
        }
        assert_eq!(KNOWN & (1 << 17), 0);
        assert_eq!(KNOWN & (1 << 30), 0);
    }
}
