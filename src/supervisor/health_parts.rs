//! The health report's parts, shared by the health logger, the metrics
//! refresh and `/admin health`: each part's own counters, read into the
//! plain figures of `ops::health` (which knows none of these types).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::discord::gateway::{GatewayStats, ShardStatus};
use crate::discord::outbound::{OutboundStats, RouteClass};
use crate::ops::health::{
    self, ClassHealth, DeliveryHealth, GatewayHealth, HealthReport, HttpHealth, PoolHealth,
    ShardHealth, StoreHealth,
};
use crate::replay::pool::Pool;
use crate::store::StoreWriter;

/// What the health report is made of.
pub struct HealthParts {
    pub writer: StoreWriter,
    pub db: std::path::PathBuf,
    pub pool: Option<Arc<Pool>>,
    pub http: Option<Arc<OutboundStats>>,
    pub gateway: Option<Arc<GatewayStats>>,
    pub handling: Arc<crate::ops::latency::LatencyWindow>,
    pub delivery: Option<Arc<crate::discord::delivery::DeliveryStats>>,
    pub outbox: Arc<crate::ladder_loop::OutboxGauge>,
    pub presence: Arc<crate::ladder_loop::PresenceGauge>,
    /// Ladder time, for the outbox's oldest entry.
    pub clock: Arc<dyn crate::clock::Clock>,
}

impl HealthParts {
    /// The current health report.
    pub fn report(&self, began: Instant) -> HealthReport {
        let now = Instant::now();
        HealthReport {
            uptime: now.duration_since(began),
            resident_bytes: health::resident_bytes(None),
            database_bytes: health::database_bytes(&self.db),
            store: store_health(&self.writer, now),
            pool: self.pool.as_deref().map(pool_health),
            http: self.http.as_deref().map(http_health),
            gateway: self
                .gateway
                .as_deref()
                .map(|g| gateway_health(g, tokio::time::Instant::now())),
            handling: self.handling.percentiles(now),
            delivery: self.delivery.as_deref().map(|d| {
                let (owed, oldest) = self.outbox.figures();
                let age = oldest.map(|t| {
                    std::time::Duration::from_millis((self.clock.now() - t).max(0) as u64)
                });
                delivery_health(d, owed as u64, age, self.presence.figures())
            }),
        }
    }
}

fn store_health(writer: &StoreWriter, now: Instant) -> StoreHealth {
    let s = writer.stats();
    StoreHealth {
        commits: s.commits.load(Ordering::Relaxed),
        requests: s.requests.load(Ordering::Relaxed),
        pending: s.pending.load(Ordering::Relaxed),
        refused: s.refused_requests.load(Ordering::Relaxed),
        failed_commits: s.failed_commits.load(Ordering::Relaxed),
        commit_latency: s.commit_latency.percentiles(now),
    }
}

fn pool_health(pool: &Pool) -> PoolHealth {
    let p = pool.stats();
    PoolHealth {
        configured: pool.configured(),
        spawn_failures: p.spawn_failures,
        healthy: p.healthy,
        busy: p.busy,
        idle: p.idle,
        queued: p.queued,
        jobs: p.jobs,
        jobs_ok: p.jobs_ok,
        jobs_failed: p.jobs_failed,
        retries: p.retries,
        restarts: p.restarts,
    }
}

fn delivery_health(
    d: &crate::discord::delivery::DeliveryStats,
    outbox_owed: u64,
    outbox_oldest_age: Option<std::time::Duration>,
    (searching_pings_last_hour, searching_pings, queue_expired): (u64, u64, u64),
) -> DeliveryHealth {
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    DeliveryHealth {
        by_dm: n(&d.by_dm),
        by_followup: n(&d.by_followup),
        by_channel: n(&d.by_channel),
        dm_opened: n(&d.dm_opened),
        dm_open_refused: n(&d.dm_open_refused),
        dms_closed: n(&d.dms_closed),
        pings: n(&d.pings),
        expired: n(&d.expired),
        retries: n(&d.retries),
        waiting: n(&d.waiting),
        outbox_owed,
        outbox_oldest_age,
        searching_pings_last_hour,
        searching_pings,
        searching_pings_dropped: n(&d.casual_dropped),
        queue_expired,
    }
}

fn http_health(s: &OutboundStats) -> HttpHealth {
    HttpHealth {
        sent: s.sent.load(Ordering::Relaxed),
        succeeded: s.succeeded.load(Ordering::Relaxed),
        rate_limited: s.rate_limited.load(Ordering::Relaxed),
        retries: s.retries.load(Ordering::Relaxed),
        failed: s.failed.load(Ordering::Relaxed),
        queued: s.queued.load(Ordering::Relaxed),
        by_class: RouteClass::ALL
            .iter()
            .map(|&class| {
                let c = s.class(class);
                ClassHealth {
                    label: class.label(),
                    sent: c.sent.load(Ordering::Relaxed),
                    rate_limited: c.rate_limited.load(Ordering::Relaxed),
                    retries: c.retries.load(Ordering::Relaxed),
                    failed: c.failed.load(Ordering::Relaxed),
                }
            })
            .collect(),
        refusals: s.refusals(),
        unauthorized: s.unauthorized.load(Ordering::Relaxed),
    }
}

fn gateway_health(g: &GatewayStats, now: tokio::time::Instant) -> GatewayHealth {
    let figures = g.snapshot(now);
    GatewayHealth {
        shards: figures
            .shards
            .iter()
            .map(|s| ShardHealth {
                shard: s.shard,
                state: s.status.label(),
                latency_recent: s.latency_recent,
                latency_average: s.latency_average,
            })
            .collect(),
        states: ShardStatus::ALL.iter().map(|s| s.label()).collect(),
        events: figures.events,
        events_per_second: figures.events_per_second,
    }
}
