//! The supervisor: `run(config, env, shutdown, started)` owns the store writer and the
//! operations tasks, tells systemd when it is ready and when it stops, and
//! returns only after every task it started has finished (the mini-redis
//! shape: one cancellation token flows down, the caller owns the signals).
//!
//! It runs: the store, the ladder loop (core + acker, see `ladder_loop`),
//! the replay pool (when `Environment::worker_exe` is set), the Discord
//! connection (when `Environment::discord` is set, see `discord::connect`),
//! health, metrics and the watchdog.

pub mod reload;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::ladder::{Ladder, Message, Rows};
use crate::ladder_loop::{self, LadderHandle};
use crate::ops::health::{self, HealthReport, StoreHealth};
use crate::ops::notify::Notifier;
use crate::store::{Snapshot, Store, StoreError, StoreWriter};

/// What the supervisor needs from its surroundings, apart from the config:
/// tests and the demo hand it their own notify socket, clock and seed.
#[derive(Clone)]
pub struct Environment {
    pub notifier: Notifier,
    pub clock: Arc<dyn Clock>,
    /// Seed of the ladder's random choices (maps); `None`: from the clock.
    pub seed: Option<u64>,
    /// How often time-driven ladder work runs (waves, confirm timeouts).
    pub tick_every: Duration,
    /// Connect to Discord (or the simulator). `None`: the ladder runs without
    /// a gateway, driven through `Running::ladder` (tests).
    pub discord: Option<crate::discord::connect::DiscordRuntime>,
    /// The binary the replay workers run (`/proc/self/exe` in production;
    /// tests pass the built `ladderd`). `None`: no replay pool.
    pub worker_exe: Option<std::path::PathBuf>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            notifier: Notifier::default(),
            clock: Arc::new(SystemClock),
            seed: None,
            tick_every: Duration::from_secs(1),
            discord: None,
            worker_exe: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SupervisorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen for metrics on {addr}: {source}")]
    MetricsListen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("a supervisor task failed: {0}")]
    Task(String),
    #[error("the ladder stopped: {0}")]
    Ladder(String),
    #[error("could not connect to Discord (see the log)")]
    Discord,
    #[error("cannot start the replay workers: {0}")]
    Pool(String),
}

fn rows_of(snapshot: Snapshot) -> Rows {
    Rows {
        seasons: snapshot.seasons,
        players: snapshot.players,
        queue_prefs: snapshot.queue_prefs,
        ratings: snapshot.ratings,
        matches: snapshot.matches,
        replays: snapshot.replays,
    }
}

/// Handed to whoever drives the running supervisor (tests, later the
/// Discord layer): the ladder, what it says unprompted, the writer, and where
/// the metrics endpoint ended up listening.
pub struct Running {
    pub ladder: LadderHandle,
    /// Messages released after their commit that answer no command (tick
    /// effects such as "match found"); `None` when Discord delivers them.
    pub outgoing: Option<tokio::sync::mpsc::UnboundedReceiver<Message>>,
    pub writer: StoreWriter,
    /// The replay worker pool, when `Environment::worker_exe` was set.
    pub pool: Option<Arc<crate::replay::pool::Pool>>,
    /// ladderd's own handling time per interaction (last five minutes).
    pub handling: Arc<crate::ops::latency::LatencyWindow>,
    /// Applies configuration reloads (the CLI calls it on SIGHUP).
    pub reloader: reload::Reloader,
    /// Players and matches as loaded at start-up.
    pub loaded_players: usize,
    pub loaded_matches: usize,
    pub metrics_addr: Option<std::net::SocketAddr>,
    /// Discord request figures of the outbound scheduler, when connected.
    pub http: Option<Arc<crate::discord::outbound::OutboundStats>>,
}

/// Runs until `shutdown` is cancelled, then stops everything in order and
/// returns. `started` is called once everything is up (before READY=1).
pub async fn run(
    config: Config,
    env: Environment,
    shutdown: CancellationToken,
    started: impl FnOnce(Running) + Send,
) -> Result<(), SupervisorError> {
    let began = Instant::now();
    let notifier = env.notifier.clone();
    notifier.status("opening the database");
    let store_config = config.store.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&store_config))
        .await
        .map_err(|e| SupervisorError::Task(e.to_string()))??;
    tracing::info!(path = %config.store.path.display(), "{}", store.migration);
    let store_config = config.store.clone();
    let snapshot = tokio::task::spawn_blocking(move || crate::store::load_snapshot(&store_config))
        .await
        .map_err(|e| SupervisorError::Task(e.to_string()))??;
    let writer = store.writer();
    let (loaded_players, loaded_matches) = (snapshot.players.len(), snapshot.matches.len());
    let verified_replays: std::collections::HashSet<String> = snapshot
        .replays
        .iter()
        .filter(|r| r.verdict == crate::store::rows::ReplayVerdict::Verified)
        .map(|r| r.sha256.clone())
        .collect();
    let now = env.clock.now();
    let seed = env.seed.unwrap_or(now as u64);
    let (ladder, start_effects) =
        Ladder::from_rows(config.ladder.clone(), seed, rows_of(snapshot), now);
    let restored = crate::discord::bot::Restored {
        open: ladder.open_cards(),
        finished_threads: ladder.finished_threads(),
    };
    let (outgoing_tx, outgoing) = tokio::sync::mpsc::unbounded_channel();
    let live_discord = crate::discord::live::LiveDiscord::new(config.discord.clone());
    let (ladder, ladder_task) = ladder_loop::spawn(
        ladder,
        start_effects,
        writer.clone(),
        env.clock.clone(),
        env.tick_every,
        outgoing_tx,
        shutdown.clone(),
    );

    let pool = match &env.worker_exe {
        Some(exe) => {
            notifier.status("starting replay workers");
            let mut opts = config.replay.pool_options();
            opts.worker_exe = exe.clone();
            let n = opts.workers;
            // systemd creates RuntimeDirectory=; elsewhere (tests, the demo,
            // a manual start) ladderd does, private to its user.
            {
                use std::os::unix::fs::DirBuilderExt;
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&opts.runtime_dir)
                    .map_err(|e| {
                        SupervisorError::Pool(format!("{}: {e}", opts.runtime_dir.display()))
                    })?;
            }
            let pool = crate::replay::pool::Pool::start(opts)
                .map_err(|e| SupervisorError::Pool(e.to_string()))?;
            if !pool.wait_healthy(n, Duration::from_secs(10)).await {
                // Not fatal: the pool keeps respawning with backoff; uploads
                // wait or are answered "busy" meanwhile.
                tracing::warn!(workers = n, stats = ?pool.stats(), "replay workers not all healthy at start-up");
            }
            Some(Arc::new(pool))
        }
        None => None,
    };
    let handling = Arc::new(crate::ops::latency::LatencyWindow::new(
        Duration::from_secs(300),
        65_536,
    ));
    let http_stats: Option<Arc<crate::discord::outbound::OutboundStats>> =
        env.discord.as_ref().map(|_| Arc::default());
    let gateway_stats: Option<Arc<crate::discord::gateway::GatewayStats>> =
        env.discord.as_ref().map(|_| Arc::default());
    let parts = Arc::new(HealthParts {
        writer: writer.clone(),
        db: config.store.path.clone(),
        pool: pool.clone(),
        http: http_stats.clone(),
        gateway: gateway_stats.clone(),
        handling: handling.clone(),
    });
    // Tasks stop on `tasks_stop`, which follows `shutdown` but is cancelled
    // only after in-flight work has been given its grace period.
    let tasks_stop = CancellationToken::new();
    let mut tasks = tokio::task::JoinSet::new();

    let metrics_addr = match config.ops.metrics_listen {
        Some(addr) => {
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .map_err(|source| SupervisorError::MetricsListen { addr, source })?;
            let bound = listener.local_addr().ok();
            // Each scrape publishes a fresh report first, so the figures are
            // current whatever the health log interval.
            let refresh: crate::ops::metrics::Refresh = {
                let parts = parts.clone();
                Arc::new(move || parts.report(began).publish())
            };
            tasks.spawn(crate::ops::metrics::serve_with(
                listener,
                Some(refresh),
                tasks_stop.clone(),
            ));
            tracing::info!(addr = ?bound, "serving metrics");
            bound
        }
        None => None,
    };
    if config.ops.health_log_interval_s > 0 {
        let parts = parts.clone();
        let handle = health::spawn_logger(
            Duration::from_secs(config.ops.health_log_interval_s),
            move || parts.report(began),
            tasks_stop.clone(),
        );
        tasks.spawn(async move {
            let _ = handle.await;
        });
    }
    if let Some(handle) = notifier.spawn_watchdog(tasks_stop.clone()) {
        tasks.spawn(async move {
            let _ = handle.await;
        });
    }

    let mut discord_failed = false;
    let (outgoing, discord_task) = match env.discord.clone() {
        Some(rt) => {
            notifier.status("connecting to Discord");
            let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
            let races = config
                .ladder
                .races
                .iter()
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect();
            let maps = config.ladder.maps.iter().map(|m| m.name.clone()).collect();
            let parts = parts.clone();
            let health: crate::discord::bot::HealthFn =
                Arc::new(move || parts.report(began).to_string());
            let intake = pool.as_ref().map(|pool| {
                Arc::new(crate::discord::upload::ReplayIntake::new(
                    pool.clone(),
                    config.replay.max_upload_bytes,
                    config.replay.start_window_s,
                    config.replay.allow_observers,
                    config.replay.uploads_per_minute,
                    config
                        .ladder
                        .races
                        .iter()
                        .map(|r| (r.id.clone(), r.name.clone()))
                        .collect(),
                    env.clock.clone(),
                    verified_replays.clone(),
                ))
            });
            let task = tokio::spawn(crate::discord::connect::serve(
                rt,
                live_discord.clone(),
                ladder.clone(),
                outgoing,
                races,
                maps,
                health,
                intake,
                handling.clone(),
                http_stats.clone().unwrap_or_default(),
                restored,
                env.clock.clone(),
                gateway_stats.clone().unwrap_or_default(),
                ready_tx,
                shutdown.clone(),
            ));
            // READY=1 only once the gateway is connected (or we are told to stop).
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => {}
                connected = ready_rx => if connected.is_err() && !shutdown.is_cancelled() {
                    // `serve` ended before READY: nothing to run the ladder for.
                    tracing::error!("could not connect to Discord; stopping");
                    discord_failed = true;
                    shutdown.cancel();
                },
            }
            (None, Some(task))
        }
        None => (Some(outgoing), None),
    };
    let reloader = reload::Reloader::new(config.clone(), ladder.clone(), live_discord);
    started(Running {
        reloader,
        ladder,
        outgoing,
        writer: writer.clone(),
        pool: pool.clone(),
        handling: handling.clone(),
        loaded_players,
        loaded_matches,
        metrics_addr,
        http: http_stats.clone(),
    });
    if !shutdown.is_cancelled() {
        notifier.ready("ready");
        tracing::info!("ladderd supervisor ready");
    }

    // The ladder loop ends on `shutdown` (after acknowledging everything it
    // enqueued) or on its own when a commit fails.
    let ladder_result = ladder_task
        .await
        .map_err(|e| SupervisorError::Task(e.to_string()))?;
    notifier.stopping("stopping: flushing the store");
    tracing::info!("stopping");
    if let Some(mut task) = discord_task {
        // Delivers everything the ladder acknowledged, then closes the gateway
        // — within the grace period, so the whole stop fits TimeoutStopSec.
        // Everything committed is already in the database either way.
        let grace = Duration::from_secs(config.ops.shutdown_grace_s);
        match tokio::time::timeout(grace, &mut task).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => tracing::error!(error = %e, "the Discord connection failed"),
            Ok(Err(e)) => tracing::error!(error = %e, "the Discord task panicked"),
            Err(_) => {
                task.abort();
                tracing::error!(
                    grace_s = config.ops.shutdown_grace_s,
                    "Discord deliveries still pending after the grace period; stopping anyway"
                );
            }
        }
    }
    tasks_stop.cancel();
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            tracing::error!(error = %e, "a supervisor task panicked");
        }
    }
    // The report's parts hold the pool and a writer: let go of them first.
    drop(parts);
    if let Some(pool) = pool {
        match Arc::try_unwrap(pool) {
            Ok(pool) => pool.shutdown().await,
            // Someone still holds it: the workers exit on socket EOF and
            // PR_SET_PDEATHSIG when this process does.
            Err(_) => {
                tracing::warn!("replay pool still shared at shutdown; leaving it to exit with us")
            }
        }
    }
    drop(writer);
    tokio::task::spawn_blocking(move || store.close())
        .await
        .map_err(|e| SupervisorError::Task(e.to_string()))?;
    tracing::info!("stopped");
    ladder_result.map_err(SupervisorError::Ladder)?;
    if discord_failed {
        return Err(SupervisorError::Discord);
    }
    Ok(())
}

/// What the health report is made of.
pub struct HealthParts {
    pub writer: StoreWriter,
    pub db: std::path::PathBuf,
    pub pool: Option<Arc<crate::replay::pool::Pool>>,
    pub http: Option<Arc<crate::discord::outbound::OutboundStats>>,
    pub gateway: Option<Arc<crate::discord::gateway::GatewayStats>>,
    pub handling: Arc<crate::ops::latency::LatencyWindow>,
}

impl HealthParts {
    /// The current health report.
    pub fn report(&self, began: Instant) -> HealthReport {
        let now = Instant::now();
        HealthReport {
            uptime: now.duration_since(began),
            resident_bytes: health::resident_bytes(None),
            database_bytes: health::database_bytes(&self.db),
            store: StoreHealth::of(&self.writer, now),
            pool: self.pool.as_deref().map(crate::replay::pool::Pool::stats),
            http: self.http.as_deref().map(health::HttpHealth::of),
            gateway: self
                .gateway
                .as_deref()
                .map(|g| g.snapshot(tokio::time::Instant::now())),
            handling: self.handling.percentiles(now),
        }
    }
}
