//! The outbound scheduler: every request ladderd makes to Discord goes
//! through here. Interaction callbacks go out at once, never queued behind
//! anything (Discord gives 3 s and exempts them from the global limit); then
//! DMs; then channel, thread and lobby work. Paced requests wait for their
//! route per [`Pacer`]. The transport hands back every answer after one
//! attempt, so every retry is decided here:
//! - a **429** (a bug to count, not a normal path) on any request,
//!   interaction callbacks included, is counted (`rate_limited`, in total and
//!   per class) and the route waits [`RateLimitHeaders::wait_after_429`]
//!   (`Retry-After`, never less than 100 ms: no hot loop) before it is tried
//!   again; a 429 does not use up an attempt, but at most
//!   `max_rate_limited` of them are borne per request;
//! - a **5xx or transport error** is retried with exponential backoff
//!   (`backoff` doubling up to `backoff_cap`, plus up to a quarter of
//!   [`jittered`] on top, `max_attempts` attempts: the defaults ride out
//!   about a minute of outage, so a message the ladder has committed
//!   survives it). Once any request sent after the failure is answered 2xx,
//!   Discord is back: a request waiting out such a backoff goes at once
//!   (once per request, so a route that fails alone costs one request more,
//!   not one per success elsewhere), still through the pacer, which spaces
//!   a backlog to the global rate. Any route, not the failed one's: after a
//!   storm the failed route may have nothing else to probe it (one DM open
//!   waits at the head of its route; the rest queue behind it). A 429's wait is
//!   never cut short: the pacer holds its bucket (and, for an interaction
//!   route, which the pacer exempts, the scheduler holds the route) until
//!   `Retry-After`, for every request on it, a resubmitted one too;
//!   [`Outbound::recovered`] tells the delivery layer the same news;
//! - an **interaction callback** is retried only while the retry still falls
//!   within `interaction_deadline` of its submission (Discord gives 3 s).
//!
//! What finally fails is logged and counted, never dropped silently.
//!
//! Generic over [`Transport`] so the policy is tested against a fake Discord
//! with paused time; the twilight-http transport is the production one.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::ratelimit::{Pacer, RateLimitHeaders, Readiness, RouteKey};

/// Who waits for the request, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// Interaction callbacks and followups: exempt from pacing, never queued.
    Interaction = 0,
    /// Direct messages to players.
    Direct = 1,
    /// Channel, thread and lobby messages; admin log.
    Channel = 2,
}

const PRIORITIES: [Priority; 3] = [Priority::Interaction, Priority::Direct, Priority::Channel];

/// What came back from Discord.
#[derive(Debug)]
pub struct Reply<B> {
    pub status: u16,
    pub headers: RateLimitHeaders,
    pub body: B,
}

/// How ladderd reaches Discord (twilight-http in production).
pub trait Transport: Send + Sync + 'static {
    type Request: Send + Sync + 'static;
    type Body: Send + 'static;
    /// Sends one request. `Err` is a transport failure (no HTTP response).
    fn send(
        &self,
        request: &Self::Request,
    ) -> impl Future<Output = Result<Reply<Self::Body>, String>> + Send;

    /// Discord's JSON error code and message in a refusal's body (`{"code":
    /// 50007, "message": "Cannot send messages to this user"}`), for the
    /// log, the per-code counters and the callers that act on a code.
    fn error_of(_body: &Self::Body) -> (Option<u32>, String) {
        (None, String::new())
    }
}

/// Why a request was given up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("Discord refused the request with HTTP {status}{}", code.map(|c| format!(" (code {c}: {message})")).unwrap_or_default())]
    Refused {
        status: u16,
        /// Discord's JSON error code (40003, 50007, 10003 …), when it sent one.
        code: Option<u32>,
        message: String,
    },
    #[error("gave up after {attempts} attempts: {last}")]
    GaveUp { attempts: u32, last: String },
    #[error("the outbound queue is full ({0} requests waiting)")]
    QueueFull(usize),
    #[error("ladderd is shutting down; the request was not sent")]
    ShuttingDown,
}

#[derive(Debug, Clone)]
pub struct OutboundConfig {
    /// Paced requests per second across all routes (Discord's global limit is 50).
    pub global_per_second: usize,
    /// Attempts for 5xx and transport errors before giving up.
    pub max_attempts: u32,
    /// First retry delay after a 5xx or transport error; doubles each attempt.
    pub backoff: Duration,
    /// The longest retry delay after a 5xx or transport error.
    pub backoff_cap: Duration,
    /// 429s borne by one request before it is given up (each waited out).
    pub max_rate_limited: u32,
    /// An interaction callback is not retried past this long after it was
    /// submitted (Discord lets a callback come 3 s after the interaction).
    pub interaction_deadline: Duration,
    /// Requests waiting beyond this are refused with [`Failure::QueueFull`].
    pub max_queued: usize,
    /// Interaction callbacks in flight at once.
    pub max_interactions_in_flight: usize,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        OutboundConfig {
            // 20 % under Discord's 50/s: the pacer counts when requests
            // leave, Discord when they arrive, and delays between the two
            // vary (measured here: a loaded machine bunched enough arrivals
            // to turn 45/s into a 429 against a fixed one-second window).
            global_per_second: 40,
            // 250 ms doubling to 10 s: 0.25+0.5+1+2+4+8+10×5 ≈ 66 s of
            // 5xx answers survived (longer with slow answers).
            max_attempts: 12,
            backoff: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(10),
            max_rate_limited: 10,
            interaction_deadline: Duration::from_secs(3),
            max_queued: 100_000,
            max_interactions_in_flight: 256,
        }
    }
}

/// Counters for health and metrics: totals, and the same per [`RouteClass`].
#[derive(Debug, Default)]
pub struct OutboundStats {
    pub sent: AtomicU64,
    pub succeeded: AtomicU64,
    pub rate_limited: AtomicU64,
    pub retries: AtomicU64,
    pub failed: AtomicU64,
    pub queued: AtomicU64,
    /// Indexed by `RouteClass as usize`.
    pub by_class: [ClassStats; RouteClass::ALL.len()],
    /// 4xx answers other than 429, by (status, Discord's JSON code; 0 when
    /// the body had none).
    pub refusals: std::sync::Mutex<std::collections::BTreeMap<(u16, u32), u64>>,
    /// Set while ladderd has stopped sending because Discord rejects its
    /// token (a burst of 401s): sending more would only earn a ban.
    pub unauthorized: std::sync::atomic::AtomicBool,
}

/// One route class's counters.
#[derive(Debug, Default)]
pub struct ClassStats {
    pub sent: AtomicU64,
    pub rate_limited: AtomicU64,
    pub retries: AtomicU64,
    pub failed: AtomicU64,
}

impl OutboundStats {
    pub fn class(&self, class: RouteClass) -> &ClassStats {
        &self.by_class[class as usize]
    }

    /// The refusals counted so far, by (status, code).
    pub fn refusals(&self) -> Vec<((u16, u32), u64)> {
        self.refusals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| (*k, *v))
            .collect()
    }
}

/// 401s within [`UNAUTHORIZED_WINDOW`] that make ladderd stop sending: the
/// token was revoked or reset, every further request is another invalid
/// request toward Discord's 10,000-per-10-minutes ban, and only a new
/// token (a restart) can help.
pub const UNAUTHORIZED_STOP: usize = 10;
pub const UNAUTHORIZED_WINDOW: Duration = Duration::from_secs(60);

/// What a request is for, as health and metrics group requests: derived from
/// its route key (and, for messages, its priority: a message at
/// `Priority::Direct` goes to a DM channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteClass {
    /// Interaction callbacks and followups (`interactions/…`, `webhooks/…`).
    Interaction = 0,
    /// Opening DM channels (`users/@me/channels`) and messages sent to them.
    Dm = 1,
    /// Messages in guild channels and threads.
    ChannelMessage = 2,
    /// Creating threads.
    Thread = 3,
    /// Adding (or removing) thread members.
    ThreadMember = 4,
    /// Slash-command registration.
    Commands = 5,
    Other = 6,
}

impl RouteClass {
    pub const ALL: [RouteClass; 7] = [
        RouteClass::Interaction,
        RouteClass::Dm,
        RouteClass::ChannelMessage,
        RouteClass::Thread,
        RouteClass::ThreadMember,
        RouteClass::Commands,
        RouteClass::Other,
    ];

    /// The class of a request on `route` (`"METHOD path"`, as
    /// `transport::route_key` builds it) sent at `priority`.
    pub fn of(priority: Priority, route: &RouteKey) -> RouteClass {
        let path = route.0.split_once(' ').map_or(route.0.as_str(), |(_, p)| p);
        let path = path.trim_start_matches('/');
        let segments: Vec<&str> = path.split('/').collect();
        match segments.as_slice() {
            ["interactions" | "webhooks", ..] => RouteClass::Interaction,
            ["users", "@me", "channels"] => RouteClass::Dm,
            ["channels", _, "threads"] | ["channels", _, "messages", _, "threads"] => {
                RouteClass::Thread
            }
            ["channels", _, "messages", ..] if priority == Priority::Direct => RouteClass::Dm,
            ["channels", _, "messages", ..] => RouteClass::ChannelMessage,
            ["channels", _, "thread-members", ..] => RouteClass::ThreadMember,
            ["applications", _, "commands", ..]
            | ["applications", _, "guilds", _, "commands", ..] => RouteClass::Commands,
            _ => RouteClass::Other,
        }
    }

    /// The `class` label value.
    pub fn label(self) -> &'static str {
        match self {
            RouteClass::Interaction => "interaction",
            RouteClass::Dm => "dm",
            RouteClass::ChannelMessage => "channel_message",
            RouteClass::Thread => "thread",
            RouteClass::ThreadMember => "thread_member",
            RouteClass::Commands => "commands",
            RouteClass::Other => "other",
        }
    }
}

type Done<B> = oneshot::Sender<Result<Reply<B>, Failure>>;

/// A finished attempt: the job and what the transport said.
type Attempt<T> = (Job<T>, Result<Reply<<T as Transport>::Body>, String>);

struct Job<T: Transport> {
    priority: Priority,
    route: RouteKey,
    class: RouteClass,
    request: Arc<T::Request>,
    done: Option<Done<T::Body>>,
    /// Times sent.
    attempts: u32,
    /// Answers that were 5xx or no answer at all.
    errors: u32,
    /// Answers that were 429.
    rate_limited: u32,
    submitted: Instant,
    not_before: Option<Instant>,
    /// When the attempt now in flight was sent.
    sent_at: Option<Instant>,
    /// Set while the job waits out a 5xx or transport error that came at
    /// this time (and was never released): a 2xx to any request sent later
    /// releases it.
    failed_at: Option<Instant>,
    /// It was released so once already (see the module doc).
    released: bool,
}

/// The send time of the latest request that Discord answered 2xx:
/// "Discord works again", for whoever waits out a failure.
type Recovery = watch::Sender<Option<Instant>>;

/// The cloneable handle: submit requests, optionally await their replies.
pub struct Outbound<T: Transport> {
    tx: mpsc::UnboundedSender<Job<T>>,
    stats: Arc<OutboundStats>,
    max_queued: usize,
    recovery: Arc<Recovery>,
}

impl<T: Transport> Clone for Outbound<T> {
    fn clone(&self) -> Self {
        Outbound {
            tx: self.tx.clone(),
            stats: self.stats.clone(),
            max_queued: self.max_queued,
            recovery: self.recovery.clone(),
        }
    }
}

impl<T: Transport> Outbound<T> {
    /// Starts the scheduler. It runs until `shutdown`, then sends what is
    /// already queued and stops (the caller bounds that with its grace period).
    pub fn spawn(
        transport: T,
        config: OutboundConfig,
        shutdown: CancellationToken,
    ) -> (Outbound<T>, tokio::task::JoinHandle<()>) {
        Self::spawn_with_stats(transport, config, Arc::default(), shutdown)
    }

    /// [`spawn`](Self::spawn), counting into `stats` (which the health report reads).
    pub fn spawn_with_stats(
        transport: T,
        config: OutboundConfig,
        stats: Arc<OutboundStats>,
        shutdown: CancellationToken,
    ) -> (Outbound<T>, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let recovery = Arc::new(Recovery::new(None));
        let handle = Outbound {
            tx,
            stats: stats.clone(),
            max_queued: config.max_queued,
            recovery: recovery.clone(),
        };
        let scheduler = Scheduler {
            transport: Arc::new(transport),
            pacer: Pacer::new(config.global_per_second),
            queues: [VecDeque::new(), VecDeque::new(), VecDeque::new()],
            in_flight: JoinSet::new(),
            interactions_in_flight: 0,
            config,
            stats,
            unauthorized: VecDeque::new(),
            recovery,
            error_waiting: 0,
            interaction_holds: HashMap::new(),
        };
        (handle, tokio::spawn(scheduler.run(rx, shutdown)))
    }

    /// Queues `request` and returns a receiver for its outcome (drop it if
    /// nobody needs the reply: the request is still sent).
    pub fn send(
        &self,
        priority: Priority,
        route: RouteKey,
        request: T::Request,
    ) -> oneshot::Receiver<Result<Reply<T::Body>, Failure>> {
        let (done, rx) = oneshot::channel();
        let class = RouteClass::of(priority, &route);
        let queued = self.stats.queued.load(Ordering::Relaxed) as usize;
        if queued >= self.max_queued {
            self.stats.failed.fetch_add(1, Ordering::Relaxed);
            self.stats
                .class(class)
                .failed
                .fetch_add(1, Ordering::Relaxed);
            tracing::error!(queued, "outbound queue full; request refused");
            let _ = done.send(Err(Failure::QueueFull(queued)));
            return rx;
        }
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        let job = Job {
            priority,
            route,
            class,
            request: Arc::new(request),
            done: Some(done),
            attempts: 0,
            errors: 0,
            rate_limited: 0,
            submitted: Instant::now(),
            not_before: None,
            sent_at: None,
            failed_at: None,
            released: false,
        };
        if let Err(mpsc::error::SendError(job)) = self.tx.send(job) {
            self.stats.queued.fetch_sub(1, Ordering::Relaxed);
            if let Some(done) = job.done {
                let _ = done.send(Err(Failure::ShuttingDown));
            }
        }
        rx
    }

    pub fn stats(&self) -> &OutboundStats {
        &self.stats
    }

    /// Resolves once Discord has answered 2xx to a request sent after
    /// `since`: whoever waits out a failure may try again now (the
    /// scheduler still paces it and holds any 429's wait). Pending forever
    /// if that never happens: race it with a timer.
    pub async fn recovered(&self, since: Instant) {
        let mut rx = self.recovery.subscribe();
        if rx
            .wait_for(|last| last.is_some_and(|sent| sent > since))
            .await
            .is_err()
        {
            std::future::pending::<()>().await;
        }
    }
}

/// `base` plus up to a quarter of it, at random: requests that failed
/// together do not all come back in the same instant. Never less than
/// `base`, so no retry comes sooner than the unjittered backoff.
pub fn jittered(base: Duration) -> Duration {
    // splitmix64 over a shared counter: cheap, lock-free, and different in
    // each process (the pid); nothing here needs cryptographic randomness.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seed = NEXT.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        ^ u64::from(std::process::id()).rotate_left(32);
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let fraction = (z >> 11) as f64 / (1u64 << 53) as f64;
    base + base.mul_f64(fraction / 4.0)
}

struct Scheduler<T: Transport> {
    transport: Arc<T>,
    pacer: Pacer,
    queues: [VecDeque<Job<T>>; 3],
    in_flight: JoinSet<Attempt<T>>,
    interactions_in_flight: usize,
    config: OutboundConfig,
    stats: Arc<OutboundStats>,
    /// When the recent 401s came (see [`UNAUTHORIZED_STOP`]).
    unauthorized: VecDeque<Instant>,
    recovery: Arc<Recovery>,
    /// Queued jobs waiting out a 5xx or transport error (no queue scan on
    /// a 2xx while there are none).
    error_waiting: usize,
    /// Interaction routes (exempt from the pacer) held after a 429 until
    /// `Retry-After`: a request resubmitted on the route waits too.
    interaction_holds: HashMap<RouteKey, Instant>,
}

impl<T: Transport> Scheduler<T> {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Job<T>>, shutdown: CancellationToken) {
        let mut draining = false;
        loop {
            let next_wake = self.dispatch();
            if draining && self.queues.iter().all(VecDeque::is_empty) && self.in_flight.is_empty() {
                match rx.try_recv() {
                    Ok(job) => {
                        self.enqueue(job);
                        continue;
                    }
                    Err(_) => break,
                }
            }
            tokio::select! {
                biased;
                Some(joined) = self.in_flight.join_next() => match joined {
                    Ok((job, result)) => self.complete(job, result),
                    Err(e) => tracing::error!(error = %e, "an outbound request task panicked"),
                },
                job = rx.recv(), if !draining => match job {
                    Some(job) => self.enqueue(job),
                    None => draining = true,
                },
                _ = sleep_until(next_wake), if next_wake.is_some() => {}
                _ = shutdown.cancelled(), if !draining => draining = true,
            }
        }
    }

    fn enqueue(&mut self, job: Job<T>) {
        self.queues[job.priority as usize].push_back(job);
    }

    /// Starts every queued request that may go now, in priority order and
    /// FIFO per route; returns when the next waiting one may go.
    fn dispatch(&mut self) -> Option<Instant> {
        let now = Instant::now();
        let mut next_wake: Option<Instant> = None;
        for priority in PRIORITIES {
            let mut held: HashSet<RouteKey> = HashSet::new();
            let mut i = 0;
            while i < self.queues[priority as usize].len() {
                let job = &self.queues[priority as usize][i];
                if held.contains(&job.route) {
                    i += 1;
                    continue;
                }
                if let Some(at) = job.not_before.filter(|at| *at > now) {
                    next_wake = Some(next_wake.map_or(at, |w| w.min(at)));
                    held.insert(job.route.clone());
                    i += 1;
                    continue;
                }
                if priority == Priority::Interaction {
                    if let Some(&at) = self.interaction_holds.get(&job.route) {
                        if at > now {
                            next_wake = Some(next_wake.map_or(at, |w| w.min(at)));
                            held.insert(job.route.clone());
                            i += 1;
                            continue;
                        }
                        self.interaction_holds.remove(&job.route);
                    }
                    if self.interactions_in_flight >= self.config.max_interactions_in_flight {
                        break;
                    }
                } else {
                    match self.pacer.ready_at(&job.route, now) {
                        Readiness::Now => {}
                        Readiness::At(at) => {
                            next_wake = Some(next_wake.map_or(at, |w| w.min(at)));
                            held.insert(job.route.clone());
                            i += 1;
                            continue;
                        }
                        Readiness::Busy => {
                            held.insert(job.route.clone());
                            i += 1;
                            continue;
                        }
                    }
                }
                let Some(job) = self.queues[priority as usize].remove(i) else {
                    break;
                };
                self.start(job, now);
            }
        }
        next_wake
    }

    fn start(&mut self, mut job: Job<T>, now: Instant) {
        if job.failed_at.take().is_some() {
            self.error_waiting -= 1;
        }
        job.sent_at = Some(now);
        // Interaction callbacks and followups authenticate by their own
        // token in the path; they still go.
        if job.priority != Priority::Interaction && self.stats.unauthorized.load(Ordering::Relaxed)
        {
            self.finish(
                job,
                Err(Failure::Refused {
                    status: 401,
                    code: Some(0),
                    message: "not sent: Discord rejected the bot token".to_owned(),
                }),
            );
            return;
        }
        if job.priority == Priority::Interaction {
            self.interactions_in_flight += 1;
        } else {
            self.pacer.on_send(&job.route, now);
        }
        self.stats.sent.fetch_add(1, Ordering::Relaxed);
        self.stats
            .class(job.class)
            .sent
            .fetch_add(1, Ordering::Relaxed);
        let transport = self.transport.clone();
        self.in_flight.spawn(async move {
            let result = transport.send(&job.request).await;
            (job, result)
        });
    }

    fn complete(&mut self, mut job: Job<T>, result: Result<Reply<T::Body>, String>) {
        let now = Instant::now();
        if job.priority == Priority::Interaction {
            self.interactions_in_flight -= 1;
        }
        job.attempts += 1;
        let reason = match result {
            Ok(reply) => {
                if job.priority != Priority::Interaction {
                    self.pacer
                        .on_response(&job.route, &reply.headers, reply.status, now);
                }
                match reply.status {
                    200..=299 => {
                        if let Some(sent) = job.sent_at {
                            self.recovered(sent);
                        }
                        self.stats.succeeded.fetch_add(1, Ordering::Relaxed);
                        self.finish(job, Ok(reply));
                        return;
                    }
                    429 => {
                        self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                        self.stats
                            .class(job.class)
                            .rate_limited
                            .fetch_add(1, Ordering::Relaxed);
                        job.rate_limited += 1;
                        // The pacer now holds the route (or every paced route)
                        // for as long; the job waits the same on its own, which
                        // is what holds an interaction's route.
                        let wait = reply.headers.wait_after_429();
                        tracing::warn!(
                            route = %job.route.0,
                            global = reply.headers.global,
                            wait_ms = wait.as_millis() as u64,
                            "Discord answered 429"
                        );
                        if job.priority == Priority::Interaction {
                            self.hold_interaction_route(&job.route, now + wait);
                        }
                        if job.rate_limited > self.config.max_rate_limited {
                            let reason = format!("{} answers were 429", job.rate_limited);
                            self.give_up(job, reason);
                        } else {
                            self.retry_at(job, now + wait, "HTTP 429".to_owned(), false);
                        }
                        return;
                    }
                    500..=599 => format!("HTTP {}", reply.status),
                    status => {
                        let (code, message) = T::error_of(&reply.body);
                        self.refused(&job, status, code, &message, now);
                        self.finish(
                            job,
                            Err(Failure::Refused {
                                status,
                                code,
                                message,
                            }),
                        );
                        return;
                    }
                }
            }
            Err(e) => {
                if job.priority != Priority::Interaction {
                    self.pacer.on_no_response(&job.route);
                }
                e
            }
        };
        job.errors += 1;
        if job.errors >= self.config.max_attempts {
            self.give_up(job, reason);
            return;
        }
        let delay = jittered(
            self.config
                .backoff
                .saturating_mul(2u32.saturating_pow(job.errors - 1))
                .min(self.config.backoff_cap),
        );
        self.retry_at(job, now + delay, reason, true);
    }

    /// A request sent at `sent` was answered 2xx: tell the delivery layer,
    /// and release the jobs waiting out a failure that came before it was
    /// sent (each once; the pacer still decides when each goes).
    fn recovered(&mut self, sent: Instant) {
        self.recovery.send_if_modified(|last| {
            let newer = last.is_none_or(|l| l < sent);
            if newer {
                *last = Some(sent);
            }
            newer
        });
        if self.error_waiting == 0 {
            return;
        }
        for job in self.queues.iter_mut().flatten() {
            if !job.released && job.failed_at.is_some_and(|f| f < sent) {
                job.released = true;
                job.not_before = None;
            }
        }
    }

    /// Holds an interaction route until `until` (see `interaction_holds`);
    /// expired holds are pruned here, so the map stays as small as the
    /// routes 429'd within the longest `Retry-After`.
    fn hold_interaction_route(&mut self, route: &RouteKey, until: Instant) {
        let now = Instant::now();
        self.interaction_holds.retain(|_, at| *at > now);
        let at = self.interaction_holds.entry(route.clone()).or_insert(until);
        *at = (*at).max(until);
    }

    /// Counts and logs a 4xx with Discord's code; a burst of 401s stops all
    /// sending (see [`UNAUTHORIZED_STOP`]).
    fn refused(
        &mut self,
        job: &Job<T>,
        status: u16,
        code: Option<u32>,
        message: &str,
        now: Instant,
    ) {
        *self
            .stats
            .refusals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((status, code.unwrap_or(0)))
            .or_default() += 1;
        tracing::warn!(route = %job.route.0, status, code, message, "Discord refused a request");
        if status != 401 {
            return;
        }
        self.unauthorized.push_back(now);
        while self
            .unauthorized
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) > UNAUTHORIZED_WINDOW)
        {
            self.unauthorized.pop_front();
        }
        if self.unauthorized.len() >= UNAUTHORIZED_STOP
            && !self.stats.unauthorized.swap(true, Ordering::Relaxed)
        {
            tracing::error!(
                answers = self.unauthorized.len(),
                "Discord rejects the bot token (HTTP 401): ladderd stops sending until it is restarted with a valid token (reset it in the developer portal and update the credential)"
            );
        }
    }

    /// Queues `job` again, to go no sooner than `at` — unless it is an
    /// interaction callback that would then miss its deadline. `error`: the
    /// retry follows a 5xx or transport error (counted in `retries`).
    fn retry_at(&mut self, mut job: Job<T>, at: Instant, reason: String, error: bool) {
        if job.priority == Priority::Interaction
            && at > job.submitted + self.config.interaction_deadline
        {
            let reason = format!(
                "{reason}; a retry would come after the interaction's {:?} deadline",
                self.config.interaction_deadline
            );
            self.give_up(job, reason);
            return;
        }
        if error {
            // A job released once waits out its own timer from now on.
            if !job.released && job.failed_at.replace(Instant::now()).is_none() {
                self.error_waiting += 1;
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            self.stats
                .class(job.class)
                .retries
                .fetch_add(1, Ordering::Relaxed);
        }
        job.not_before = Some(at);
        self.requeue_front(job);
    }

    fn give_up(&mut self, job: Job<T>, last: String) {
        tracing::error!(route = %job.route.0, attempts = job.attempts, last = %last, "giving up on a Discord request");
        let attempts = job.attempts;
        self.finish(job, Err(Failure::GaveUp { attempts, last }));
    }

    /// A retried request goes back before the requests that came after it on
    /// its route, so per-route order is kept.
    fn requeue_front(&mut self, job: Job<T>) {
        self.queues[job.priority as usize].push_front(job);
    }

    fn finish(&mut self, mut job: Job<T>, outcome: Result<Reply<T::Body>, Failure>) {
        self.stats.queued.fetch_sub(1, Ordering::Relaxed);
        if outcome.is_err() {
            self.stats.failed.fetch_add(1, Ordering::Relaxed);
            self.stats
                .class(job.class)
                .failed
                .fetch_add(1, Ordering::Relaxed);
        }
        if let Some(done) = job.done.take() {
            let _ = done.send(outcome);
        }
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
