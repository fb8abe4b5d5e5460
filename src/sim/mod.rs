//! A local Discord: gateway, REST, rate limits, CDN and virtual players, on
//! loopback, for tests, benchmarks and `ladderd demo`. What each part models
//! is in its module's doc (`gateway`, `rest` with the route table,
//! `ratelimit`, `realism`, `faults`, `validate`, `players`); what it does
//! not is below.
//!
//! By default it behaves like Discord rather than like a kind test double
//! ([`realism`]): per-route-class latency (median ~100 ms, a tail to several
//! hundred, a global drift), 403 40003 after a burst of new DM channels,
//! 403 50007 for the 15 % of users with closed DMs, a shared-scope 429 of
//! 145–280 s after a dozen threads in one channel, the invalid-request ban,
//! 160006 at 1,000 active threads, 10003 for deleted channels
//! ([`Simulator::delete_channel`]), close 4014/4013 for intents, op 9 for
//! identifies beyond `max_concurrency` per 5 s, deferred responses whose
//! first followup edits the "thinking…" message, GUILD_CREATE members by
//! intent, and signed CDN URLs that expire. A test turns a part off in its
//! `SimConfig::realism` and says why.
//!
//! # Where the simulator still differs from Discord
//!
//! - **Numbers that are guesses.** Latency, the DM-open rule (30 new DM
//!   channels per 5 min → 40003 for 5 min), the thread rule (12 per parent
//!   per 5 min), the ban's length (1 h), the CDN URL lifetime (24 h) and the
//!   closed-DM share come from public reports, not from Discord; each is
//!   named in `realism.rs` with its source. Discord changes these silently.
//! - **Thread 429s end exactly at `Retry-After`.** Reports say Discord's
//!   `Retry-After` can overstate the real wait; here the refusal lasts as
//!   long as it says.
//! - **Closed DMs are fixed per user.** People change the setting; here it
//!   changes only through [`Simulator::set_dms_open`]. A user who opened a
//!   DM with the bot themselves is still refused (Discord's rule for that
//!   case is not documented).
//! - **Channel permissions are one member overwrite per channel**
//!   (`permissions.rs`): no role hierarchy, no category sync; 50001/50013
//!   only on the routes ladderd uses.
//! - **Ephemeral messages are always seen.** A virtual player reads an
//!   ephemeral followup (where ladderd reaches a player it cannot DM) as
//!   soon as it exists; a person sees it only while that channel is open,
//!   and gets no notification for it.
//! - **Latency is per request, not per connection**: no TCP/TLS set-up
//!   cost, no connection reuse effects, no packet loss, no outage; 5xx only
//!   when injected (`faults.rs`).
//! - **The invalid-request ban is per simulator, not per IP**, answers
//!   `error code: 1015` with a `Retry-After` (Cloudflare's page is HTML and
//!   may carry none), and its own answers do not count again.
//! - **Modal submits carry plain action rows**, not the Label components
//!   Discord now sends; presences, voice, roles, member chunking
//!   (REQUEST_GUILD_MEMBERS) and the daily session-start total are not
//!   modelled; the gateway sends text JSON (no zstd).
//! - **One guild, one bot**: no shared IP with other bots, no global 429s
//!   caused by others.
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
pub mod permissions;
pub mod players;
pub mod ratelimit;
pub mod realism;
mod rest;
pub mod standalone;
pub mod transcript;
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
pub use realism::{InvalidRequestBan, Latency, LatencyDist, Realism, SlidingRule, ThreadRule};
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
    /// Latency, anti-spam rules, closed DMs, bans, intents: Discord as it
    /// behaves (see [`realism`]). On by default; a test that turns a part
    /// off says which and why.
    pub realism: Realism,
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
            realism: Realism::default(),
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
    /// Of `rate_limited`: shared-scope 429s (not invalid requests).
    pub rate_limited_shared: u64,
    /// Of `rate_limited`: answers of the invalid-request ban (Cloudflare's).
    pub banned: u64,
    /// 5xx answers (injected faults: see [`Simulator::inject`]).
    pub server_errors: u64,
    /// Most requests of this route being handled at once (shows whether a
    /// client serialises them).
    pub max_in_flight: u64,
    pub(crate) in_flight: u64,
}

/// How the simulator answered, for counts by kind: the HTTP status, the
/// Discord error code of a JSON error body (0 if none), and a 429's scope
/// (`user`, `global`, `shared`, or `ban` for the invalid-request ban).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Answer {
    pub status: u16,
    pub code: u64,
    pub scope: Option<&'static str>,
}

impl std::fmt::Display for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.status)?;
        if self.code != 0 {
            write!(f, " {}", self.code)?;
        }
        if let Some(s) = self.scope {
            write!(f, " ({s})")?;
        }
        Ok(())
    }
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
    pub realism: Mutex<realism::RealismState>,
    pub counters: Mutex<BTreeMap<String, RouteCounters>>,
    pub answers: Mutex<BTreeMap<Answer, u64>>,
    pub faults: Mutex<Faults>,
    pub requests: Mutex<VecDeque<LoggedRequest>>,
    pub gateway: Mutex<GatewayState>,
    pub gateway_url: String,
    pub changed: watch::Sender<u64>,
    /// The bot token was reset in the developer portal: every request with
    /// it answers 401 and an identify closes 4004 ([`Simulator::reset_token`]).
    pub token_reset: std::sync::atomic::AtomicBool,
}

// A poisoned lock means a simulator task panicked; the state is plain data,
// still consistent per operation, so keep serving rather than cascade.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The one accept loop of both listeners: each accepted connection is
/// served by `serve` on its own tracked task, until `cancel`.
pub(crate) async fn accept_loop<F, Fut>(
    listener: TcpListener,
    what: &'static str,
    cancel: CancellationToken,
    tracker: TaskTracker,
    serve: F,
) where
    F: Fn(tokio::net::TcpStream) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    loop {
        let stream = tokio::select! {
            () = cancel.cancelled() => return,
            r = listener.accept() => match r {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!(error = %e, listener = what, "sim accept failed");
                    continue;
                }
            },
        };
        tracker.spawn(serve(stream));
    }
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
        let any = SocketAddr::from(([127, 0, 0, 1], 0));
        Simulator::start_on(config, any, any).await
    }

    /// Serve the gateway on `gateway` and REST/CDN on `http` (`ladderd sim`
    /// with fixed ports). The caller keeps them on loopback.
    pub async fn start_on(
        config: SimConfig,
        gateway: SocketAddr,
        http: SocketAddr,
    ) -> Result<Self, SimError> {
        let gw = TcpListener::bind(gateway).await.map_err(SimError::Bind)?;
        let http = TcpListener::bind(http).await.map_err(SimError::Bind)?;
        let gateway_url = format!("ws://{}", gw.local_addr().map_err(SimError::Bind)?);
        let http_addr = http.local_addr().map_err(SimError::Bind)?;
        let mut world = World::new(format!("http://{http_addr}"));
        world.cdn_lifetime = config.realism.cdn_url_lifetime;
        let shared = Arc::new(Shared {
            limiter: Mutex::new(Limiter::new(config.global_limit)),
            realism: Mutex::new(realism::RealismState::new()),
            gateway: Mutex::new(GatewayState::new(config.resume_buffer)),
            config,
            world: Mutex::new(world),
            counters: Mutex::new(BTreeMap::new()),
            answers: Mutex::new(BTreeMap::new()),
            faults: Mutex::new(Faults::default()),
            requests: Mutex::new(VecDeque::new()),
            gateway_url,
            changed: watch::channel(0).0,
            token_reset: std::sync::atomic::AtomicBool::new(false),
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

    /// Add a guild member; returns its user id. Whether they accept DMs
    /// from server members is drawn from the seed
    /// ([`Realism::closed_dm_share`]).
    pub fn add_user(&self, name: &str) -> u64 {
        let mut w = lock(&self.shared.world);
        let id = w.id();
        w.users.insert(id, name.to_owned());
        if self.shared.config.realism.dms_closed(id) {
            w.dms_closed.insert(id);
        }
        id
    }

    /// The language `user`'s Discord client reports (`locale` on their
    /// interactions; "en-US" until set). Any string, as a client could send.
    pub fn set_locale(&self, user: u64, locale: &str) {
        lock(&self.shared.world)
            .locales
            .insert(user, locale.to_owned());
    }

    /// Add a guild member who accepts DMs (`true`) or not, whatever the seed
    /// would draw: for tests about one or the other.
    /// How ladderd (in process) reaches this simulator: its token, REST
    /// address and gateway, identifies without the usual 5 s spacing.
    pub fn discord_runtime(&self) -> crate::discord::connect::DiscordRuntime {
        crate::discord::connect::DiscordRuntime {
            token: self.config().token.clone(),
            api: crate::discord::transport::ApiEndpoint {
                proxy: Some(self.http_addr().to_string()),
            },
            gateway_url: Some(self.gateway_url().to_owned()),
            identify_without_delay: true,
        }
    }

    /// The name `user` was added with.
    pub fn user_name(&self, user: u64) -> Option<String> {
        lock(&self.shared.world).users.get(&user).cloned()
    }

    pub fn add_user_with_dms(&self, name: &str, open: bool) -> u64 {
        let id = self.add_user(name);
        self.set_dms_open(id, open);
        id
    }

    /// As if someone reset the bot's token in the developer portal: from now
    /// on every REST request with the old token answers 401 and an identify
    /// is closed with 4004, as Discord does.
    pub fn reset_token(&self) {
        self.shared
            .token_reset
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Open or close `user`'s DMs from server members (403 50007 when closed).
    pub fn set_dms_open(&self, user: u64, open: bool) {
        let mut w = lock(&self.shared.world);
        if open {
            w.dms_closed.remove(&user);
        } else {
            w.dms_closed.insert(user);
        }
    }

    /// Whether `user` accepts DMs from server members.
    pub fn dms_open(&self, user: u64) -> bool {
        !lock(&self.shared.world).dms_closed.contains(&user)
    }

    /// A moderator deletes a channel or thread (not the lobby): later
    /// requests on it answer 404 10003, and THREAD_DELETE / CHANNEL_DELETE
    /// is dispatched.
    pub fn delete_channel(&self, channel: u64) -> Result<(), SimError> {
        let mut w = lock(&self.shared.world);
        if channel == IDS.lobby {
            return Err(SimError::Unknown("deletable channel (the lobby stays)"));
        }
        let rec = w
            .channels
            .get_mut(&channel)
            .filter(|c| !c.deleted)
            .ok_or(SimError::Unknown("channel"))?;
        rec.deleted = true;
        let event = match rec.kind {
            world::ChannelKind::Thread { parent, .. } => (
                "THREAD_DELETE",
                serde_json::json!({
                    "id": channel.to_string(), "guild_id": IDS.guild.to_string(),
                    "parent_id": parent.to_string(), "type": 12,
                }),
            ),
            _ => (
                "CHANNEL_DELETE",
                w.channel_json(channel).unwrap_or_default(),
            ),
        };
        drop(w);
        gateway::dispatch(&self.shared, event.0, &event.1);
        Ok(())
    }

    /// How long the invalid-request ban still lasts, if one is on.
    pub fn banned_for(&self) -> Option<Duration> {
        lock(&self.shared.realism).banned(tokio::time::Instant::now())
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
                rate_limited_shared: a.rate_limited_shared + c.rate_limited_shared,
                banned: a.banned + c.banned,
                server_errors: a.server_errors + c.server_errors,
                max_in_flight: a.max_in_flight.max(c.max_in_flight),
                in_flight: 0,
            })
    }

    /// API answers counted by status, Discord error code and 429 scope.
    pub fn answers(&self) -> BTreeMap<Answer, u64> {
        lock(&self.shared.answers).clone()
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

    /// [`seen_by`](Self::seen_by), only messages with an id above `after`
    /// (message ids grow with creation; edits keep theirs).
    pub fn seen_by_after(&self, user: u64, after: u64) -> Vec<Seen> {
        lock(&self.shared.world).seen_by_after(user, after)
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

    /// The roles the bot has given `user` (and not taken back).
    pub fn member_roles(&self, user: u64) -> Vec<u64> {
        lock(&self.shared.world)
            .member_roles
            .get(&user)
            .map(|r| r.iter().copied().collect())
            .unwrap_or_default()
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
