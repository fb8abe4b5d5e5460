//! A local Discord: gateway, REST, rate limits, CDN and virtual players, on
//! loopback, for tests, benchmarks and `ladderd demo`. What each part models
//! is in its module's doc (`gateway`, `rest` with the route table,
//! `ratelimit`, `faults`, `validate`, `players`); what it does not is below.
//!
//! Not modelled (add when ladderd needs it): payload compression (twilight
//! asks for `zstd-stream` but reads text frames as plain JSON, so the
//! simulator sends text and ignores `compress`); ETF encoding; files in
//! interaction callbacks (multipart is taken on channel messages and
//! followups); Identify concurrency (`session_start_limit` is reported, not
//! enforced); intent validation (4013/4014: every intent is accepted,
//! privileged ones included); shared-scope 429s and Cloudflare bans;
//! permissions and roles (the bot may do everything except delete users'
//! messages or the lobby); guild member, presence, reaction,
//! THREAD_UPDATE/DELETE and THREAD_MEMBERS_UPDATE events; Components V2
//! layouts; autocomplete; more than one guild; sharding beyond routing a
//! guild's events to `(guild_id >> 22) % n` and DMs to shard 0.
//!
//! `Simulator::start` binds two loopback ports: the gateway (WebSocket, point
//! twilight-gateway's `proxy_url` at [`Simulator::gateway_url`]) and HTTP
//! (REST under `/api/v10` plus the CDN, point twilight-http's
//! `proxy(addr, true)` at [`Simulator::http_addr`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use ladderd::sim::{Interact, SimConfig, Simulator};
//!
//! let sim = Simulator::start(SimConfig::default()).await?;
//! // twilight-http (rustls) needs a crypto provider installed first.
//! let _ = rustls::crypto::ring::default_provider().install_default();
//! let http = twilight_http::Client::builder()
//!     .proxy(sim.http_addr().to_string(), true) // host:port, no scheme
//!     .token(sim.config().token.clone())
//!     .build();
//! let gateway = twilight_gateway::ConfigBuilder::new(
//!     sim.config().token.clone(),
//!     twilight_gateway::Intents::GUILDS | twilight_gateway::Intents::GUILD_MESSAGES,
//! )
//! .proxy_url(sim.gateway_url().to_owned()) // no trailing slash
//! .build();
//! let shard = twilight_gateway::Shard::with_config(twilight_gateway::ShardId::ONE, gateway);
//!
//! let ann = sim.add_user("ann");
//! let click = Interact::Button { custom_id: "queue:join".into(), message: None };
//! sim.interact(ann, sim.ids().lobby, &click)?; // INTERACTION_CREATE to the shard
//! # drop((http, shard));
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod events;
pub mod faults;
mod gateway;
pub mod players;
pub mod ratelimit;
mod rest;
pub mod validate;
mod world;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use events::{Dispatched, Interact, ModalField, OptionValue, Outcome};
pub use faults::{Fault, FaultError, FaultKind};
pub use gateway::GatewayStats;
pub use ratelimit::RouteLimit;
pub use world::{IDS, Ids, Place, Seen};

use faults::Faults;
use gateway::GatewayState;
use ratelimit::Limiter;
use world::World;

/// Errors of the simulator itself (never of a request it answers: those get
/// Discord's error JSON).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("binding the simulator's loopback listener: {0}")]
    Bind(#[source] std::io::Error),
    #[error("the simulator built a {kind} that twilight-model refuses: {source}")]
    Shape {
        kind: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("unknown {0}")]
    Unknown(&'static str),
    #[error("fault not injected: {0}")]
    Fault(#[from] FaultError),
}

/// How the simulated Discord behaves.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The bot token the simulator accepts (without the `Bot ` prefix).
    pub token: String,
    /// Sent in Hello. Discord sends 41,250 ms.
    pub heartbeat_interval: Duration,
    /// Global requests per second per bot (Discord: 50).
    pub global_limit: u32,
    /// Bucket for routes without an entry in `route_limits`.
    pub default_route_limit: RouteLimit,
    /// Per-route buckets by route key, e.g. `"POST /channels/{channel_id}/messages"`.
    pub route_limits: HashMap<String, RouteLimit>,
    /// Added latency per route key, before the route is handled.
    pub route_latency: HashMap<String, Duration>,
    /// Send `X-RateLimit-Scope: user` on 2xx responses too. Discord documents
    /// the scope header on 429s only (the default); twilight-http learns
    /// buckets only from responses that carry it.
    pub scope_on_success: bool,
    /// Dispatches kept per session for Resume.
    pub resume_buffer: usize,
    /// Time to answer an interaction (Discord: 3 s); later callbacks get
    /// 404 Unknown interaction (10062).
    pub callback_deadline: Duration,
    /// How long an interaction token serves followups and `@original`
    /// (Discord: 15 minutes); later ones get 401 Invalid Webhook Token.
    pub token_lifetime: Duration,
    /// `GET /gateway/bot`'s recommended `shards` (Discord: one per 1,000
    /// guilds or so; a single-guild bot gets 1).
    pub recommended_shards: u32,
    /// `GET /gateway/bot`'s `session_start_limit.max_concurrency` (Discord:
    /// 1, or 16 and up for very large bots).
    pub max_concurrency: u16,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            token: "sim-token".into(),
            heartbeat_interval: Duration::from_millis(41_250),
            global_limit: 50,
            default_route_limit: RouteLimit::new(5, Duration::from_secs(5)),
            route_limits: HashMap::new(),
            route_latency: HashMap::new(),
            scope_on_success: false,
            resume_buffer: 10_000,
            callback_deadline: Duration::from_secs(3),
            token_lifetime: Duration::from_secs(15 * 60),
            recommended_shards: 1,
            max_concurrency: 1,
        }
    }
}

/// Per-route request counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouteCounters {
    pub requests: u64,
    pub ok: u64,
    pub client_errors: u64,
    pub rate_limited: u64,
    /// 5xx answers (injected faults: see [`Simulator::inject`]).
    pub server_errors: u64,
    /// Most requests of this route being handled at once (shows whether a
    /// client serialises them).
    pub max_in_flight: u64,
    pub(crate) in_flight: u64,
}

/// One API request as the simulator saw it (see [`Simulator::requests`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    /// When it arrived (before its body was read).
    pub at: tokio::time::Instant,
    /// The route key, e.g. `"POST /channels/{channel_id}/messages"`.
    pub route_key: String,
    /// The path as sent, ids and tokens included: what one route of a
    /// client's is (`/api/v10/channels/5/messages`).
    pub path: String,
    pub status: u16,
    /// A 429's `Retry-After` header (whole seconds).
    pub retry_after: Option<Duration>,
}

/// The request log keeps the latest this many requests.
pub const REQUEST_LOG_CAP: usize = 10_000;

pub(crate) struct Shared {
    pub config: SimConfig,
    pub world: Mutex<World>,
    pub limiter: Mutex<Limiter>,
    pub counters: Mutex<BTreeMap<String, RouteCounters>>,
    pub faults: Mutex<Faults>,
    pub requests: Mutex<VecDeque<LoggedRequest>>,
    pub gateway: Mutex<GatewayState>,
    pub gateway_url: String,
    pub changed: watch::Sender<u64>,
}

// A poisoned lock means a simulator task panicked; the state is plain data,
// still consistent per operation, so keep serving rather than cascade.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Shared {
    pub(crate) fn bump(&self) {
        self.changed.send_modify(|v| *v += 1);
    }
}

/// A running simulator. Drop it or call [`Simulator::shutdown`].
pub struct Simulator {
    shared: Arc<Shared>,
    http_addr: SocketAddr,
    cancel: CancellationToken,
    tracker: TaskTracker,
}

impl Simulator {
    /// Bind `127.0.0.1:0` twice (gateway, HTTP) and start serving.
    pub async fn start(config: SimConfig) -> Result<Self, SimError> {
        let gw = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(SimError::Bind)?;
        let http = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(SimError::Bind)?;
        let gateway_url = format!("ws://{}", gw.local_addr().map_err(SimError::Bind)?);
        let http_addr = http.local_addr().map_err(SimError::Bind)?;
        let shared = Arc::new(Shared {
            limiter: Mutex::new(Limiter::new(config.global_limit)),
            gateway: Mutex::new(GatewayState::new(config.resume_buffer)),
            config,
            world: Mutex::new(World::new(format!("http://{http_addr}"))),
            counters: Mutex::new(BTreeMap::new()),
            faults: Mutex::new(Faults::default()),
            requests: Mutex::new(VecDeque::new()),
            gateway_url,
            changed: watch::channel(0).0,
        });
        let cancel = CancellationToken::new();
        let tracker = TaskTracker::new();
        tracker.spawn(gateway::serve(
            gw,
            shared.clone(),
            cancel.clone(),
            tracker.clone(),
        ));
        tracker.spawn(rest::serve(
            http,
            shared.clone(),
            cancel.clone(),
            tracker.clone(),
        ));
        Ok(Self {
            shared,
            http_addr,
            cancel,
            tracker,
        })
    }

    /// `ws://127.0.0.1:PORT` (no trailing slash, as twilight's `proxy_url` wants).
    pub fn gateway_url(&self) -> &str {
        &self.shared.gateway_url
    }

    /// The REST/CDN address, for twilight-http's `proxy(addr, true)`.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    pub fn ids(&self) -> Ids {
        IDS
    }

    pub fn config(&self) -> &SimConfig {
        &self.shared.config
    }

    /// Add a guild member; returns its user id.
    pub fn add_user(&self, name: &str) -> u64 {
        let mut w = lock(&self.shared.world);
        let id = w.id();
        w.users.insert(id, name.to_owned());
        id
    }

    /// Counters per route key.
    pub fn counters(&self) -> BTreeMap<String, RouteCounters> {
        lock(&self.shared.counters).clone()
    }

    /// Sum over all routes.
    pub fn totals(&self) -> RouteCounters {
        self.counters()
            .values()
            .fold(RouteCounters::default(), |a, c| RouteCounters {
                requests: a.requests + c.requests,
                ok: a.ok + c.ok,
                client_errors: a.client_errors + c.client_errors,
                rate_limited: a.rate_limited + c.rate_limited,
                server_errors: a.server_errors + c.server_errors,
                max_in_flight: a.max_in_flight.max(c.max_in_flight),
                in_flight: 0,
            })
    }

    /// Answer the next requests with a fault instead of handling them (see
    /// [`faults`]); faults queue behind those still pending. A nonsense fault
    /// (no requests, a status outside 500–599, a zero `retry_after`) is
    /// refused and nothing changes.
    pub fn inject(&self, fault: Fault) -> Result<(), SimError> {
        lock(&self.shared.faults).push(fault)?;
        Ok(())
    }

    /// The latest API requests (at most [`REQUEST_LOG_CAP`]), oldest first,
    /// with when they arrived and what they were answered: to check how a
    /// client spaces its retries.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.requests).iter().cloned().collect()
    }

    /// Requests the pending faults will still answer.
    pub fn faults_left(&self) -> u64 {
        lock(&self.shared.faults).left()
    }

    /// Drop every pending fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Invalid requests (401, 403, 429) in the last ten minutes, and ever.
    pub fn invalid_requests(&self) -> (u64, u64) {
        lock(&self.shared.limiter).invalid(tokio::time::Instant::now())
    }

    /// Everything `user` has seen: lobby messages, DMs, threads they are a
    /// member of, and their ephemeral replies, in creation order.
    pub fn seen_by(&self, user: u64) -> Vec<Seen> {
        lock(&self.shared.world).seen_by(user)
    }

    /// Messages of one channel or thread, in creation order.
    pub fn channel_messages(&self, channel: u64) -> Vec<twilight_model::channel::Message> {
        lock(&self.shared.world)
            .messages
            .values()
            .filter(|m| m.only.is_none() && m.message.channel_id.get() == channel)
            .map(|m| m.message.clone())
            .collect()
    }

    /// Members of a thread, if it exists.
    pub fn thread_members(&self, thread: u64) -> Option<Vec<u64>> {
        match &lock(&self.shared.world).channels.get(&thread)?.kind {
            world::ChannelKind::Thread { members, .. } => Some(members.iter().copied().collect()),
            _ => None,
        }
    }

    /// Application commands registered by the last bulk overwrite.
    pub fn commands(&self) -> Vec<serde_json::Value> {
        lock(&self.shared.world).commands.clone()
    }

    /// Wait until `cond` holds; re-checked after every request the simulator
    /// answers and every gateway state change.
    pub async fn wait_until(&self, mut cond: impl FnMut(&Self) -> bool) {
        let mut rx = self.shared.changed.subscribe();
        loop {
            if cond(self) {
                return;
            }
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    /// Gateway controls (dispatch, Reconnect, Invalid Session, drop).
    pub fn gateway(&self) -> gateway::GatewayControl<'_> {
        gateway::GatewayControl {
            shared: &self.shared,
        }
    }

    /// Stop accepting, close every connection, and wait for every task.
    pub async fn shutdown(self) {
        self.cancel.cancel();
        self.tracker.close();
        self.tracker.wait().await;
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

pub use gateway::GatewayControl;
