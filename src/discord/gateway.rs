//! The gateway: twilight-gateway shards, each read by its own task, every
//! event forwarded in order to the router. Reconnecting and resuming are
//! twilight's (it replays missed dispatches by sequence on resume); ladderd's
//! part is to keep reading — heartbeats are answered while `next_event` is
//! polled — and never to drop an event it received: the channel to the router
//! is bounded, so a slow router slows reading rather than losing events.
//!
//! How many shards, and how fast they may identify, is a [`ShardPlan`]: a
//! configured count, or Discord's recommendation from `GET /gateway/bot`
//! (`shards = "auto"`). All shards share one identify queue built from the
//! plan's `session_start_limit`, so at most `max_concurrency` identify per
//! 5 s and never more than `remaining` before `reset_after`.
//!
//! Each shard task also keeps [`GatewayStats`] current (the shard's state and
//! heartbeat latency, the dispatches received) for health and metrics.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{
    CloseFrame, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, ShardState,
    StreamExt,
};

use twilight_model::gateway::SessionStartLimit;
use twilight_model::gateway::connection_info::BotConnectionInfo;

use crate::config::{MAX_SHARDS, ShardCount};
use crate::ops::rate::EventRate;

/// The shards to start and the identify limits they share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardPlan {
    /// Total shards; this process runs all of them (ids `0..shards`).
    pub shards: u32,
    pub limit: SessionStartLimit,
}

/// Why the shards could not be planned. Nothing has connected yet.
#[derive(Debug, thiserror::Error)]
pub enum ShardPlanError {
    #[error("asking Discord for the shard count (GET /gateway/bot) failed: {0}")]
    Request(String),
    #[error(
        "Discord recommends {0} shards; ladderd runs 1..={MAX_SHARDS} \
         (set discord.shards to a number to override)"
    )]
    Count(u32),
    #[error(
        "Discord's session start limit makes no sense (max_concurrency {}, remaining {} of {})",
        .0.max_concurrency, .0.remaining, .0.total
    )]
    Limit(SessionStartLimit),
}

impl ShardPlan {
    /// `shards` shards with Discord's default limits: one identify per 5 s,
    /// 1,000 sessions a day (twilight's `InMemoryQueue::default`).
    pub fn fixed(shards: u32) -> ShardPlan {
        ShardPlan {
            shards,
            limit: SessionStartLimit {
                max_concurrency: 1,
                remaining: 1000,
                reset_after: 24 * 60 * 60 * 1000,
                total: 1000,
            },
        }
    }

    /// Discord's recommendation, checked: a shard count of 0 or above
    /// [`MAX_SHARDS`], a `max_concurrency` of 0 or `remaining > total` is
    /// refused rather than started.
    pub fn from_discord(info: &BotConnectionInfo) -> Result<ShardPlan, ShardPlanError> {
        if !(1..=MAX_SHARDS).contains(&info.shards) {
            return Err(ShardPlanError::Count(info.shards));
        }
        let limit = info.session_start_limit.clone();
        if limit.max_concurrency == 0 || limit.remaining > limit.total || limit.total == 0 {
            return Err(ShardPlanError::Limit(limit));
        }
        Ok(ShardPlan {
            shards: info.shards,
            limit,
        })
    }

    /// The one identify queue every shard shares.
    fn queue(&self, without_delay: bool) -> InMemoryQueue {
        if without_delay {
            return InMemoryQueue::new(0, 0, Duration::ZERO, 0);
        }
        let l = &self.limit;
        if l.remaining == 0 {
            tracing::warn!(
                reset_after_ms = l.reset_after,
                "no session starts left today: the shards wait for Discord's reset"
            );
        }
        InMemoryQueue::new(
            l.max_concurrency,
            l.remaining,
            Duration::from_millis(l.reset_after),
            l.total,
        )
    }
}

/// The plan for the configured count: a number as is; `auto` asks Discord
/// (`GET /gateway/bot`, authenticated) through `http`.
pub async fn plan<T>(count: ShardCount, transport: &T) -> Result<ShardPlan, ShardPlanError>
where
    T: super::outbound::Transport<Request = twilight_http::request::Request, Body = Vec<u8>>,
{
    use twilight_http::request::TryIntoRequest;
    match count {
        ShardCount::Fixed(n) => Ok(ShardPlan::fixed(n)),
        ShardCount::Auto => {
            let request = |e: &dyn std::fmt::Display| ShardPlanError::Request(e.to_string());
            // A token-less client only builds the request; the transport
            // sends it with the bot's token, once.
            let get = twilight_http::Client::new(String::new())
                .gateway()
                .authed()
                .try_into_request()
                .map_err(|e| request(&e))?;
            let reply = transport.send(&get).await.map_err(|e| request(&e))?;
            if reply.status != 200 {
                return Err(request(&format!(
                    "GET /gateway/bot answered HTTP {}",
                    reply.status
                )));
            }
            let info: BotConnectionInfo =
                serde_json::from_slice(&reply.body).map_err(|e| request(&e))?;
            let plan = ShardPlan::from_discord(&info)?;
            tracing::info!(
                shards = plan.shards,
                max_concurrency = plan.limit.max_concurrency,
                remaining = plan.limit.remaining,
                "shard count from Discord"
            );
            Ok(plan)
        }
    }
}

/// A shard's connection as health reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardStatus {
    /// Identified, with an active session.
    Connected,
    /// Connecting or identifying (a new session).
    Identifying,
    /// Resuming its session, replaying missed dispatches.
    Resuming,
    /// Disconnected; twilight reconnects.
    Disconnected,
    /// Closed for good: shut down, or a fatal close code (bad token, intents).
    Closed,
}

impl ShardStatus {
    pub const ALL: [ShardStatus; 5] = [
        ShardStatus::Connected,
        ShardStatus::Identifying,
        ShardStatus::Resuming,
        ShardStatus::Disconnected,
        ShardStatus::Closed,
    ];

    pub fn of(state: ShardState) -> ShardStatus {
        match state {
            ShardState::Active => ShardStatus::Connected,
            ShardState::Identifying => ShardStatus::Identifying,
            ShardState::Resuming => ShardStatus::Resuming,
            ShardState::Disconnected { .. } => ShardStatus::Disconnected,
            ShardState::FatallyClosed => ShardStatus::Closed,
        }
    }

    /// The `state` label value (and the word in the health line).
    pub fn label(self) -> &'static str {
        match self {
            ShardStatus::Connected => "connected",
            ShardStatus::Identifying => "identifying",
            ShardStatus::Resuming => "resuming",
            ShardStatus::Disconnected => "disconnected",
            ShardStatus::Closed => "closed",
        }
    }
}

/// One shard's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardFigures {
    pub shard: u32,
    pub status: ShardStatus,
    /// The latest heartbeat's round trip (twilight's `Latency::recent()[0]`);
    /// `None` before the first acknowledged heartbeat of this connection.
    pub latency_recent: Option<Duration>,
    /// Average round trip over this connection's heartbeats.
    pub latency_average: Option<Duration>,
}

/// The gateway's figures, shared by the shard tasks (writers) and the health
/// report (reader). Created by the supervisor, like `OutboundStats`.
#[derive(Debug)]
pub struct GatewayStats {
    shards: Mutex<BTreeMap<u32, ShardFigures>>,
    events: AtomicU64,
    rate: Mutex<EventRate>,
}

impl Default for GatewayStats {
    fn default() -> Self {
        GatewayStats {
            shards: Mutex::new(BTreeMap::new()),
            events: AtomicU64::new(0),
            rate: Mutex::new(EventRate::new(tokio::time::Instant::now())),
        }
    }
}

/// A snapshot of [`GatewayStats`].
#[derive(Debug, Clone, PartialEq)]
pub struct GatewayFigures {
    pub shards: Vec<ShardFigures>,
    /// Dispatches received since start (gateway housekeeping — hello,
    /// heartbeat acks, close frames — not counted).
    pub events: u64,
    /// Dispatches per second over the last minute.
    pub events_per_second: f64,
}

impl GatewayStats {
    /// Records `shard`'s current state and latency.
    pub fn observe(&self, shard: &Shard) {
        self.set(ShardFigures {
            shard: shard.id().number(),
            status: ShardStatus::of(shard.state()),
            latency_recent: shard.latency().recent().first().copied(),
            latency_average: shard.latency().average(),
        });
    }

    pub fn set(&self, figures: ShardFigures) {
        self.shards
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(figures.shard, figures);
    }

    /// Counts one dispatch received at `now`.
    pub fn record_event(&self, now: tokio::time::Instant) {
        self.events.fetch_add(1, Ordering::Relaxed);
        self.rate
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .record(now, 1);
    }

    pub fn snapshot(&self, now: tokio::time::Instant) -> GatewayFigures {
        GatewayFigures {
            shards: self
                .shards
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .values()
                .copied()
                .collect(),
            events: self.events.load(Ordering::Relaxed),
            events_per_second: self
                .rate
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .per_second(now),
        }
    }
}

/// Whether `event` is a dispatch (not the gateway's own housekeeping).
fn is_dispatch(event: &Event) -> bool {
    !matches!(
        event,
        Event::GatewayClose(_)
            | Event::GatewayHeartbeat
            | Event::GatewayHeartbeatAck
            | Event::GatewayHello(_)
            | Event::GatewayInvalidateSession(_)
            | Event::GatewayReconnect
    )
}

/// How often a shard's state is re-read while no event arrives.
const OBSERVE_EVERY: Duration = Duration::from_secs(1);

/// What ladderd needs from Discord: guild structure, guild and DM messages
/// (replay uploads arrive as attachments; reading them in guild channels
/// needs the MESSAGE_CONTENT intent), and interactions (always delivered).
pub fn intents() -> Intents {
    Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::DIRECT_MESSAGES | Intents::MESSAGE_CONTENT
}

/// Events waiting for the router beyond this slow the shards down.
const EVENT_QUEUE: usize = 10_000;

#[derive(Debug, Clone)]
pub struct GatewaySettings {
    pub token: String,
    pub intents: Intents,
    /// `ws://host:port` of a stand-in gateway (the simulator); `None` for Discord.
    pub proxy_url: Option<String>,
    /// Shards and identify limits (see [`plan`]).
    pub plan: ShardPlan,
    /// Identify at once instead of Discord's 5 s spacing (tests and the demo,
    /// against the simulator only).
    pub identify_without_delay: bool,
}

/// Starts every shard. Returns the receiver of `(shard, event)` and a task
/// that ends once every shard has closed after `shutdown`.
pub fn spawn(
    settings: GatewaySettings,
    stats: Arc<GatewayStats>,
    shutdown: CancellationToken,
) -> (
    mpsc::Receiver<(ShardId, Event)>,
    tokio::task::JoinHandle<()>,
) {
    super::transport::install_crypto_provider();
    let (tx, rx) = mpsc::channel(EVENT_QUEUE);
    // One queue for all shards: identify limits are per bot, not per shard.
    let queue = settings.plan.queue(settings.identify_without_delay);
    // Bucket 0 of 1: this process runs every shard.
    let shards: Vec<Shard> = twilight_gateway::bucket(0, 1, settings.plan.shards.max(1))
        .map(|id| {
            let mut builder =
                ConfigBuilder::new(settings.token.clone(), settings.intents).queue(queue.clone());
            if let Some(url) = &settings.proxy_url {
                builder = builder.proxy_url(url.clone());
            }
            Shard::with_config(id, builder.build())
        })
        .collect();
    let task = tokio::spawn(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for shard in shards {
            stats.observe(&shard);
            tasks.spawn(read_shard(
                shard,
                tx.clone(),
                stats.clone(),
                shutdown.clone(),
            ));
        }
        drop(tx);
        while tasks.join_next().await.is_some() {}
    });
    (rx, task)
}

/// After asking a shard to close, wait this long for the gateway's close
/// frame; a peer that just drops the socket would otherwise have twilight
/// reconnect, and shutdown would wait forever.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

async fn read_shard(
    mut shard: Shard,
    tx: mpsc::Sender<(ShardId, Event)>,
    stats: Arc<GatewayStats>,
    shutdown: CancellationToken,
) {
    let id = shard.id();
    let mut close_by: Option<tokio::time::Instant> = None;
    let mut observe = tokio::time::interval(OBSERVE_EVERY);
    observe.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let next = tokio::select! {
            _ = shutdown.cancelled(), if close_by.is_none() => {
                close_by = Some(tokio::time::Instant::now() + CLOSE_GRACE);
                shard.close(CloseFrame::NORMAL);
                continue;
            }
            _ = sleep_until(close_by) => break,
            _ = observe.tick() => {
                stats.observe(&shard);
                continue;
            }
            next = shard.next_event(EventTypeFlags::all()) => next,
        };
        stats.observe(&shard);
        let closing = close_by.is_some();
        match next {
            Some(Ok(Event::GatewayClose(_))) if closing => break,
            Some(Ok(event)) => {
                if is_dispatch(&event) {
                    stats.record_event(tokio::time::Instant::now());
                }
                if tx.send((id, event)).await.is_err() {
                    break; // The router is gone: nobody to hand events to.
                }
            }
            Some(Err(e)) => {
                // Recoverable by twilight's design (it reconnects); log and go on.
                tracing::warn!(shard = id.number(), error = %e, "gateway receive error");
            }
            None => break,
        }
    }
    stats.set(ShardFigures {
        shard: id.number(),
        status: ShardStatus::Closed,
        latency_recent: None,
        latency_average: None,
    });
    tracing::info!(shard = id.number(), "gateway shard closed");
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(shards: u32, max_concurrency: u16, remaining: u32, total: u32) -> BotConnectionInfo {
        BotConnectionInfo {
            session_start_limit: SessionStartLimit {
                max_concurrency,
                remaining,
                reset_after: 1000,
                total,
            },
            shards,
            url: "wss://gateway.discord.gg".into(),
        }
    }

    #[test]
    fn discords_recommendation_is_used_when_sane_and_refused_otherwise() {
        let plan = ShardPlan::from_discord(&info(3, 2, 900, 1000)).unwrap();
        assert_eq!(plan.shards, 3);
        assert_eq!(plan.limit.max_concurrency, 2);
        assert_eq!(plan.limit.remaining, 900);
        assert_eq!(
            ShardPlan::from_discord(&info(MAX_SHARDS, 1, 0, 1000))
                .unwrap()
                .shards,
            MAX_SHARDS
        );
        for bad in [0, MAX_SHARDS + 1, u32::MAX] {
            let err = ShardPlan::from_discord(&info(bad, 1, 1, 1)).unwrap_err();
            assert!(matches!(err, ShardPlanError::Count(n) if n == bad), "{err}");
            assert!(err.to_string().contains("discord.shards"), "{err}");
        }
        // twilight's queue would panic on remaining > total; 0 disables it.
        for (c, r, t) in [(0, 1, 1), (1, 2, 1), (1, 0, 0)] {
            let err = ShardPlan::from_discord(&info(1, c, r, t)).unwrap_err();
            assert!(matches!(err, ShardPlanError::Limit(_)), "{err}");
        }
    }

    #[tokio::test]
    async fn a_fixed_count_asks_nobody() {
        // A transport pointed at a closed port: any request would fail.
        let http =
            super::super::transport::TwilightTransport::new(super::super::transport::clients(
                "t",
                &super::super::transport::ApiEndpoint {
                    proxy: Some("127.0.0.1:1".into()),
                },
            ));
        let plan = plan(ShardCount::Fixed(2), &http).await.unwrap();
        assert_eq!(plan, ShardPlan::fixed(2));
        let err = super::plan(ShardCount::Auto, &http).await.unwrap_err();
        assert!(matches!(err, ShardPlanError::Request(_)), "{err}");
    }

    #[test]
    fn shard_states_map_to_the_reported_words() {
        let cases = [
            (ShardState::Active, "connected"),
            (ShardState::Identifying, "identifying"),
            (ShardState::Resuming, "resuming"),
            (
                ShardState::Disconnected {
                    reconnect_attempts: 3,
                },
                "disconnected",
            ),
            (ShardState::FatallyClosed, "closed"),
        ];
        for (state, word) in cases {
            assert_eq!(ShardStatus::of(state).label(), word, "{state:?}");
        }
        let labels: std::collections::HashSet<_> =
            ShardStatus::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(labels.len(), ShardStatus::ALL.len());
    }

    #[tokio::test(start_paused = true)]
    async fn dispatches_are_counted_and_averaged_over_the_last_minute() {
        let stats = GatewayStats::default();
        let start = tokio::time::Instant::now();
        // 120 dispatches in the first two seconds, then silence.
        for i in 0..120u64 {
            stats.record_event(start + Duration::from_millis(i * 2000 / 120));
        }
        stats.set(ShardFigures {
            shard: 0,
            status: ShardStatus::Connected,
            latency_recent: Some(Duration::from_millis(30)),
            latency_average: None,
        });
        let at = |s: u64| stats.snapshot(start + Duration::from_secs(s));
        assert_eq!(at(2).events, 120);
        assert_eq!(at(2).events_per_second, 60.0);
        assert_eq!(at(60).events_per_second, 2.0);
        assert_eq!(at(62).events_per_second, 0.0);
        assert_eq!(at(62).events, 120, "the total never drops");
        assert_eq!(at(62).shards[0].status, ShardStatus::Connected);
        // A later figure for the same shard replaces the earlier one.
        stats.set(ShardFigures {
            shard: 0,
            status: ShardStatus::Resuming,
            latency_recent: None,
            latency_average: None,
        });
        assert_eq!(at(63).shards.len(), 1);
        assert_eq!(at(63).shards[0].status, ShardStatus::Resuming);
    }
}
