//! The supervisor: `run(config, env, shutdown, started)` owns the store writer and the
//! operations tasks, tells systemd when it is ready and when it stops, and
//! returns only after every task it started has finished (the mini-redis
//! shape: one cancellation token flows down, the caller owns the signals).
//!
//! It runs: the store, the ladder loop (core + acker, see `ladder_loop`),
//! the replay pool (when `Environment::worker_exe` is set), the Discord
//! connection (when `Environment::discord` is set, see `discord::connect`),
//! health, metrics and the watchdog.

mod health_parts;
pub mod reload;

pub use health_parts::HealthParts;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::ladder::{Ladder, MatchLoader, Message, Rows};
use crate::ladder_loop::{self, LadderHandle};
use crate::ops::health;
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
    #[error("cannot listen for the web site on {addr}: {source}")]
    WebListen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("a supervisor task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("the ladder stopped: {0}")]
    Ladder(#[from] ladder_loop::LoopFailure),
    #[error("could not connect to Discord (see the log)")]
    Discord,
    /// Discord refused for good (a bad token, an intent not enabled): a
    /// restart cannot help, so it exits as a configuration error.
    #[error(transparent)]
    DiscordRejected(crate::discord::connect::ConnectError),
    #[error("cannot create the replay workers' directory {path}: {source}")]
    PoolDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the replay workers: {0}")]
    Pool(#[source] crate::replay::pool::PoolError),
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
    /// Where the web site listens (`[web] listen`, port 0 resolved).
    pub web_addr: Option<std::net::SocketAddr>,
    /// The web site, when it is on (tests read its counters).
    pub web: Option<Arc<crate::web::Site>>,
    /// Discord request figures of the outbound scheduler, when connected.
    pub http: Option<Arc<crate::discord::outbound::OutboundStats>>,
    /// Where messages went (DM, followup, channel), when connected.
    pub delivery: Option<Arc<crate::discord::delivery::DeliveryStats>>,
}

/// Runs until `shutdown` is cancelled, then stops everything in order and
/// returns. `started` is called once everything is up (before READY=1).
/// One function per phase below: store, ladder, replay pool, operations
/// tasks, Discord, stop.
pub async fn run(
    config: Config,
    env: Environment,
    shutdown: CancellationToken,
    started: impl FnOnce(Running) + Send,
) -> Result<(), SupervisorError> {
    let began = Instant::now();
    let notifier = env.notifier.clone();
    notifier.status("opening the database");
    let (store, (snapshot, matches)) = open_store(&config).await?;
    let writer = store.writer();
    let mut ladder = start_ladder(
        &config,
        &env,
        writer.clone(),
        snapshot,
        matches,
        shutdown.clone(),
    );
    let pool = start_pool(&config, &env).await?;
    let handling = Arc::new(crate::ops::latency::LatencyWindow::new(
        Duration::from_secs(300),
        65_536,
    ));
    let parts = Arc::new(HealthParts {
        writer: writer.clone(),
        db: config.store.path.clone(),
        pool: pool.clone(),
        http: env.discord.as_ref().map(|_| Arc::default()),
        gateway: env.discord.as_ref().map(|_| Arc::default()),
        handling: handling.clone(),
        delivery: env.discord.as_ref().map(|_| Arc::default()),
        outbox: ladder.handle.outbox().clone(),
        presence: ladder.handle.presence().clone(),
        clock: env.clock.clone(),
    });
    // Tasks stop on `tasks_stop`, which follows `shutdown` but is cancelled
    // only after in-flight work has been given its grace period.
    let tasks_stop = CancellationToken::new();
    let mut tasks = tokio::task::JoinSet::new();
    let metrics_addr = start_ops(&config, &parts, began, &mut tasks, &tasks_stop).await?;
    let (web, web_addr) = start_web(&config, ladder.web.take(), &mut tasks, &tasks_stop).await?;
    if let Some(handle) = notifier.spawn_watchdog(tasks_stop.clone()) {
        tasks.spawn(async move {
            let _ = handle.await;
        });
    }
    let live_discord = crate::discord::live::LiveDiscord::new(config.discord.clone());
    let discord = connect_discord(
        &config,
        &env,
        &mut ladder,
        &parts,
        pool.as_ref(),
        live_discord.clone(),
        began,
        &shutdown,
    )
    .await;
    let reloader = reload::Reloader::new(
        config.clone(),
        ladder.handle.clone(),
        live_discord,
        web.clone(),
    );
    started(Running {
        reloader,
        ladder: ladder.handle.clone(),
        outgoing: discord.outgoing,
        writer: writer.clone(),
        pool: pool.clone(),
        handling,
        loaded_players: ladder.loaded_players,
        loaded_matches: ladder.loaded_matches,
        metrics_addr,
        web_addr,
        web,
        http: parts.http.clone(),
        delivery: parts.delivery.clone(),
    });
    if !shutdown.is_cancelled() {
        notifier.ready("ready");
        tracing::info!("ladderd supervisor ready");
    }

    // The ladder loop ends on `shutdown` (after acknowledging everything it
    // enqueued) or on its own when a commit fails (it cancels `shutdown`).
    let ladder_result = ladder.task.await?;
    notifier.stopping("stopping: flushing the store");
    tracing::info!("stopping");
    stop(
        &config,
        discord.task,
        tasks,
        tasks_stop,
        parts,
        pool,
        writer,
        store,
    )
    .await?;
    tracing::info!("stopped");
    ladder_result?;
    if let Some(e) = discord.rejected {
        return Err(SupervisorError::DiscordRejected(e));
    }
    if discord.failed {
        return Err(SupervisorError::Discord);
    }
    Ok(())
}

/// Phase 1: the database, migrated, and everything in it.
async fn open_store(config: &Config) -> Result<(Store, (Snapshot, MatchLoader)), SupervisorError> {
    let store_config = config.store.clone();
    let store = tokio::task::spawn_blocking(move || Store::open(&store_config)).await??;
    tracing::info!(path = %config.store.path.display(), "{}", store.migration);
    let store_config = config.store.clone();
    // Matches are packed as they are read: one row in memory at a time.
    let loaded = tokio::task::spawn_blocking(move || {
        crate::store::load_snapshot_with(&store_config, MatchLoader::with_capacity, |l, m| l.add(m))
    })
    .await??;
    Ok((store, loaded))
}

/// The running ladder loop and what the other phases need of the start.
struct LadderParts {
    handle: LadderHandle,
    task: tokio::task::JoinHandle<Result<(), ladder_loop::LoopFailure>>,
    /// Taken by the Discord phase, or handed to `Running` without Discord.
    outgoing: Option<tokio::sync::mpsc::UnboundedReceiver<Message>>,
    /// Cancelled once Discord can deliver: the loop's first tick waits for it.
    deliverable: CancellationToken,
    restored: Option<crate::discord::bot::Restored>,
    loaded_players: usize,
    loaded_matches: usize,
    /// The web site and the rows it follows, when `[web] listen` is set.
    web: Option<(
        Arc<crate::web::Site>,
        tokio::sync::mpsc::Receiver<Vec<crate::store::rows::Write>>,
    )>,
}

/// Phase 2: the ladder rebuilt from the snapshot, and its loop.
fn start_ladder(
    config: &Config,
    env: &Environment,
    writer: StoreWriter,
    mut snapshot: Snapshot,
    matches: MatchLoader,
    shutdown: CancellationToken,
) -> LadderParts {
    let (loaded_players, loaded_matches) = (snapshot.players.len(), matches.len());
    let now = env.clock.now();
    let seed = env.seed.unwrap_or(now as u64);
    let reach = std::mem::take(&mut snapshot.reach);
    let lobby_status = snapshot.lobby_status_message;
    // The site's own copy of the ladder (`crate::web`), from its own read of
    // the database: the ladder's read packed the match history as it went
    // (one row in memory at a time), so there are no rows left to share.
    let web = config.web.listen.and_then(|_| {
        match crate::store::load_snapshot(&config.store) {
            Ok(site_rows) => Some(crate::web::Site::new(
                Rows::from(site_rows),
                &config.ladder,
                Some(&config.store),
                seed,
                env.clock.clone(),
                &config.web.base_url,
                config
                    .replay
                    .open_archive(&config.store.path)
                    .ok()
                    .map(Arc::new),
            )),
            Err(e) => {
                tracing::error!(error = %e, "the web site could not read the database; it stays off");
                None
            }
        }
    });
    let (ladder, start_effects) = Ladder::from_loaded(
        config.ladder.clone(),
        seed,
        Rows::from(snapshot),
        matches,
        now,
    );
    let restored = crate::discord::bot::Restored {
        open: ladder.open_cards(),
        finished_threads: ladder.finished_threads(),
        reach,
        lobby_status,
    };
    let (outgoing_tx, outgoing) = tokio::sync::mpsc::unbounded_channel();
    let deliverable = CancellationToken::new();
    let (handle, task) = ladder_loop::spawn_with_feed(
        ladder,
        start_effects,
        writer,
        env.clock.clone(),
        env.tick_every,
        outgoing_tx,
        deliverable.clone(),
        shutdown,
        web.as_ref().map(|(_, feed, _)| feed.clone()),
    );
    LadderParts {
        handle,
        task,
        outgoing: Some(outgoing),
        deliverable,
        restored: Some(restored),
        loaded_players,
        loaded_matches,
        web: web.map(|(site, _, rx)| (site, rx)),
    }
}

/// The web site (`[web] listen`), serving and following the ladder's commits
/// until the tasks stop; returns where it listens.
#[allow(clippy::type_complexity)]
async fn start_web(
    config: &Config,
    web: Option<(
        Arc<crate::web::Site>,
        tokio::sync::mpsc::Receiver<Vec<crate::store::rows::Write>>,
    )>,
    tasks: &mut tokio::task::JoinSet<()>,
    tasks_stop: &CancellationToken,
) -> Result<(Option<Arc<crate::web::Site>>, Option<std::net::SocketAddr>), SupervisorError> {
    let (Some(addr), Some((site, rx))) = (config.web.listen, web) else {
        return Ok((None, None));
    };
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|source| SupervisorError::WebListen { addr, source })?;
    let bound = listener.local_addr().ok();
    // Its own thread at idle priority (`web::start`): the site's load may
    // not slow the ladder.
    let stopped = crate::web::start(
        site.clone(),
        listener,
        rx,
        config.web.max_connections,
        tasks_stop.clone(),
    )
    .map_err(|source| SupervisorError::WebListen { addr, source })?;
    tasks.spawn(async move {
        let _ = stopped.await;
    });
    tracing::info!(addr = ?bound, "serving the web site");
    Ok((Some(site), bound))
}

/// Phase 3: the replay workers, when the environment names their binary.
async fn start_pool(
    config: &Config,
    env: &Environment,
) -> Result<Option<Arc<crate::replay::pool::Pool>>, SupervisorError> {
    let Some(exe) = &env.worker_exe else {
        return Ok(None);
    };
    env.notifier.status("starting replay workers");
    let mut opts = config.replay.pool_options();
    opts.worker_exe = exe.clone();
    let n = opts.workers;
    // systemd creates RuntimeDirectory=; elsewhere (tests, the demo, a manual
    // start) ladderd does, private to its user.
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&opts.runtime_dir)
            .map_err(|source| SupervisorError::PoolDir {
                path: opts.runtime_dir.clone(),
                source,
            })?;
    }
    let pool = crate::replay::pool::Pool::start(opts).map_err(SupervisorError::Pool)?;
    if !pool.wait_healthy(n, Duration::from_secs(10)).await {
        // Not fatal, even with no worker at all: queueing, matches, reports
        // and ratings work without replays, and failing would have systemd
        // restart the whole ladder in a loop over a replay-only fault. The
        // cause is logged as an ERROR and the health report and metrics
        // (`ladderd_replay_workers_healthy` 0 of `_configured`) show it; the
        // pool keeps respawning with backoff.
        let stats = pool.stats();
        if stats.healthy == 0 {
            tracing::error!(
                workers = n,
                spawn_failures = stats.spawn_failures,
                cause = pool.last_spawn_failure().as_deref().unwrap_or("unknown"),
                "no replay worker could start: replay uploads are refused until one does"
            );
        } else {
            tracing::warn!(workers = n, stats = ?stats, "replay workers not all healthy at start-up");
        }
    }
    Ok(Some(Arc::new(pool)))
}

/// Phase 4: metrics endpoint, health log and watchdog. Returns where the
/// metrics endpoint listens.
async fn start_ops(
    config: &Config,
    parts: &Arc<HealthParts>,
    began: Instant,
    tasks: &mut tokio::task::JoinSet<()>,
    tasks_stop: &CancellationToken,
) -> Result<Option<std::net::SocketAddr>, SupervisorError> {
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
    Ok(metrics_addr)
}
/// What the Discord phase leaves for the rest of the run.
struct DiscordParts {
    /// The ladder's unprompted messages when nobody delivers them (tests).
    outgoing: Option<tokio::sync::mpsc::UnboundedReceiver<Message>>,
    task: Option<tokio::task::JoinHandle<Result<(), crate::discord::connect::ConnectError>>>,
    /// `serve` ended before the gateway was ready.
    failed: bool,
    /// ... because Discord refused for good.
    rejected: Option<crate::discord::connect::ConnectError>,
}

/// Phase 5: the Discord connection, when the environment has one. Returns
/// once the gateway is ready (or `shutdown`); only then may the ladder tick.
#[allow(clippy::too_many_arguments)]
async fn connect_discord(
    config: &Config,
    env: &Environment,
    ladder: &mut LadderParts,
    parts: &Arc<HealthParts>,
    pool: Option<&Arc<crate::replay::pool::Pool>>,
    live_discord: crate::discord::live::LiveDiscord,
    began: Instant,
    shutdown: &CancellationToken,
) -> DiscordParts {
    let outgoing = ladder.outgoing.take().unwrap_or_else(|| {
        // Only one Discord phase per run; an empty channel if ever called twice.
        tokio::sync::mpsc::unbounded_channel().1
    });
    let Some(rt) = env.discord.clone() else {
        ladder.deliverable.cancel();
        return DiscordParts {
            outgoing: Some(outgoing),
            task: None,
            failed: false,
            rejected: None,
        };
    };
    env.notifier.status("connecting to Discord");
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    let races: Vec<(String, String)> = config
        .ladder
        .races
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    let maps = config.ladder.maps.iter().map(|m| m.name.clone()).collect();
    let health: crate::discord::bot::HealthFn = {
        let parts = parts.clone();
        Arc::new(move || parts.report(began).to_string())
    };
    let intake = pool.map(|pool| {
        let intake = crate::discord::upload::ReplayIntake::new(
            pool.clone(),
            config.replay.max_upload_bytes,
            config.replay.start_window_s,
            config.replay.game_rules(),
            config.replay.uploads_per_minute,
            races.clone(),
            env.clock.clone(),
            ladder.handle.clone(),
        );
        // Without its archive ladderd still verifies and settles; admins
        // lose the files, which the error says.
        match config.replay.open_archive(&config.store.path) {
            Ok(archive) => {
                // Retention holds even while nobody uploads: prune at start.
                match archive.prune(env.clock.now()) {
                    Ok(p) if p.files > 0 => {
                        tracing::info!(files = p.files, bytes = p.bytes, "pruned the replay archive")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "could not prune the replay archive"),
                }
                Arc::new(intake.with_archive(Arc::new(archive)))
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot open the replay archive; verified replays will not be kept");
                Arc::new(intake)
            }
        }
    });
    let serve = crate::discord::connect::Serve {
        rt,
        live: live_discord,
        ladder: ladder.handle.clone(),
        outgoing,
        races,
        maps,
        health,
        intake,
        handling: parts.handling.clone(),
        http_stats: parts.http.clone().unwrap_or_default(),
        gateway_stats: parts.gateway.clone().unwrap_or_default(),
        delivery_stats: parts.delivery.clone().unwrap_or_default(),
        restored: ladder.restored.take().unwrap_or_default(),
        clock: env.clock.clone(),
    };
    let task = tokio::spawn(crate::discord::connect::serve(
        serve,
        ready_tx,
        shutdown.clone(),
    ));
    let mut failed = false;
    let mut task = Some(task);
    let mut rejected = None;
    // READY=1 only once the gateway is connected (or we are told to stop).
    tokio::select! {
        biased;
        _ = shutdown.cancelled() => {}
        connected = ready_rx => match connected {
            Ok(()) => ladder.deliverable.cancel(),
            Err(_) if !shutdown.is_cancelled() => {
                // `serve` ended before READY: nothing to run the ladder for.
                tracing::error!("could not connect to Discord; stopping");
                failed = true;
                shutdown.cancel();
                if let Some(t) = task.take()
                    && let Ok(Err(e @ crate::discord::connect::ConnectError::Rejected { .. })) =
                        t.await
                {
                    rejected = Some(e);
                }
            }
            Err(_) => {}
        },
    }
    DiscordParts {
        outgoing: None,
        task,
        failed,
        rejected,
    }
}

/// Phase 6: everything stops in order; the store last.
#[allow(clippy::too_many_arguments)]
async fn stop(
    config: &Config,
    discord_task: Option<
        tokio::task::JoinHandle<Result<(), crate::discord::connect::ConnectError>>,
    >,
    mut tasks: tokio::task::JoinSet<()>,
    tasks_stop: CancellationToken,
    parts: Arc<HealthParts>,
    pool: Option<Arc<crate::replay::pool::Pool>>,
    writer: StoreWriter,
    store: Store,
) -> Result<(), SupervisorError> {
    if let Some(mut task) = discord_task {
        // Delivers everything the ladder acknowledged, then closes the gateway
        // — within the grace period, so the whole stop fits TimeoutStopSec.
        // Everything committed is already in the database (and its outbox).
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
    tokio::task::spawn_blocking(move || store.close()).await?;
    Ok(())
}
