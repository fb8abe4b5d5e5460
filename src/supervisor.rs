//! The supervisor: `run(config, env, shutdown)` owns the store writer and the
//! operations tasks, tells systemd when it is ready and when it stops, and
//! returns only after every task it started has finished (the mini-redis
//! shape: one cancellation token flows down, the caller owns the signals).
//!
//! What is here is the frame: store, health, metrics, watchdog. The gateway,
//! the outbound scheduler, the ladder core and the replay pool plug into it
//! with the issue "ladderd on Discord"; until then `ladderd run` does not
//! start it (it exits 69 after its start-up checks).

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::ops::health::{self, HealthReport, StoreHealth};
use crate::ops::notify::Notifier;
use crate::store::{Snapshot, Store, StoreError, StoreWriter};

/// What the supervisor needs from its surroundings, apart from the config:
/// tests hand it their own notify socket.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    pub notifier: Notifier,
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
}

/// Handed to whoever drives the running supervisor (tests, later the
/// Discord layer): the writer, the state loaded at start-up, and where the
/// metrics endpoint ended up listening.
pub struct Running {
    pub writer: StoreWriter,
    pub snapshot: Snapshot,
    pub metrics_addr: Option<std::net::SocketAddr>,
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
    let notifier = env.notifier;
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
            tasks.spawn(crate::ops::metrics::serve(listener, tasks_stop.clone()));
            tracing::info!(addr = ?bound, "serving metrics");
            bound
        }
        None => None,
    };
    if config.ops.health_log_interval_s > 0 {
        let (w, db) = (writer.clone(), config.store.path.clone());
        let handle = health::spawn_logger(
            Duration::from_secs(config.ops.health_log_interval_s),
            move || report(began, &w, &db),
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

    started(Running {
        writer: writer.clone(),
        snapshot,
        metrics_addr,
    });
    notifier.ready("ready");
    tracing::info!("ladderd supervisor ready");

    shutdown.cancelled().await;
    notifier.stopping("stopping: flushing the store");
    tracing::info!("stopping");
    tasks_stop.cancel();
    while let Some(joined) = tasks.join_next().await {
        if let Err(e) = joined {
            tracing::error!(error = %e, "a supervisor task panicked");
        }
    }
    drop(writer);
    tokio::task::spawn_blocking(move || store.close())
        .await
        .map_err(|e| SupervisorError::Task(e.to_string()))?;
    tracing::info!("stopped");
    Ok(())
}

/// The current health report.
pub fn report(began: Instant, writer: &StoreWriter, db: &std::path::Path) -> HealthReport {
    let now = Instant::now();
    HealthReport {
        uptime: now.duration_since(began),
        resident_bytes: health::resident_bytes(None),
        database_bytes: health::database_bytes(db),
        store: StoreHealth::of(writer, now),
    }
}
