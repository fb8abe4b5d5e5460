//! Health: one report assembled from the parts' own counters, logged at an
//! interval, published to the metrics registry (at each interval and at each
//! scrape) and (with the Discord layer) shown by `/admin health`.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::latency::Percentiles;

/// Everything the report says, as plain figures: this module knows no other
/// module's types, so it is tested alone; `supervisor::HealthParts` reads the
/// parts' counters into it.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthReport {
    pub uptime: Duration,
    pub resident_bytes: Option<u64>,
    pub database_bytes: Option<u64>,
    pub store: StoreHealth,
    /// The replay workers, when a pool runs.
    pub pool: Option<PoolHealth>,
    /// Requests to Discord through the outbound scheduler, when connected.
    pub http: Option<HttpHealth>,
    /// The gateway's shards and dispatches, when connected.
    pub gateway: Option<GatewayHealth>,
    /// ladderd's own handling time per interaction over the last minutes.
    pub handling: Percentiles,
    /// Where messages went and what the outbox still owes, when connected.
    pub delivery: Option<DeliveryHealth>,
}

/// How messages reached people, and what is still owed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryHealth {
    pub by_dm: u64,
    pub by_followup: u64,
    pub by_channel: u64,
    pub dm_opened: u64,
    /// 403 40003 answers to a DM open.
    pub dm_open_refused: u64,
    /// Players found with closed DMs since the start.
    pub dms_closed: u64,
    pub pings: u64,
    /// Messages whose deadline passed before they could be delivered.
    pub expired: u64,
    pub retries: u64,
    /// Messages waiting in delivery lanes now.
    pub waiting: u64,
    /// Outbox rows not yet settled, and the age of the oldest.
    pub outbox_owed: u64,
    pub outbox_oldest_age: Option<Duration>,
    /// "Someone is searching" pings: in the last hour, and since the start.
    pub searching_pings_last_hour: u64,
    pub searching_pings: u64,
    /// Pings dropped: the subscriber could not be reached without opening
    /// a DM channel or waiting (see `discord::delivery::Item::casual`).
    pub searching_pings_dropped: u64,
    /// Players removed from the queue for not answering "still searching?".
    pub queue_expired: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpHealth {
    pub sent: u64,
    pub succeeded: u64,
    pub rate_limited: u64,
    pub retries: u64,
    pub failed: u64,
    /// Requests waiting in the scheduler (queued or in flight).
    pub queued: u64,
    /// The same counts per route class, every class (those that sent
    /// nothing too: the metrics publish a zero for them).
    pub by_class: Vec<ClassHealth>,
    /// 4xx answers (429 aside) by (status, Discord's JSON code; 0: none).
    pub refusals: Vec<((u16, u32), u64)>,
    /// Sending stopped: Discord rejects the bot token.
    pub unauthorized: bool,
}

/// One route class's request counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClassHealth {
    /// The class's label (`interaction`, `dm` …), as in the metrics.
    pub label: &'static str,
    pub sent: u64,
    pub rate_limited: u64,
    pub retries: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StoreHealth {
    pub commits: u64,
    pub requests: u64,
    pub pending: u64,
    pub refused: u64,
    pub failed_commits: u64,
    pub commit_latency: Percentiles,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolHealth {
    /// `[replay] workers`.
    pub configured: usize,
    /// Workers that did not get through their handshake, since start.
    pub spawn_failures: u64,
    pub healthy: usize,
    pub busy: usize,
    pub idle: usize,
    pub queued: usize,
    pub jobs: u64,
    pub jobs_ok: u64,
    pub jobs_failed: u64,
    pub retries: u64,
    pub restarts: u64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GatewayHealth {
    pub shards: Vec<ShardHealth>,
    /// Every state a shard can be in (each is published, 1 for the current one).
    pub states: Vec<&'static str>,
    pub events: u64,
    pub events_per_second: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShardHealth {
    pub shard: u32,
    /// One of [`GatewayHealth::states`].
    pub state: &'static str,
    pub latency_recent: Option<Duration>,
    pub latency_average: Option<Duration>,
}

impl fmt::Display for HealthReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = |b: Option<u64>| {
            b.map_or("?".to_owned(), |b| {
                format!("{:.1} MiB", b as f64 / 1048576.0)
            })
        };
        let s = &self.store;
        write!(
            f,
            "up {}s, rss {}, db {}, store: {} commits, {} writes, {} pending, {} refused, {} failed, \
             commit p50 {} µs p99 {} µs (last 5 min, {} commits)",
            self.uptime.as_secs(),
            mib(self.resident_bytes),
            mib(self.database_bytes),
            s.commits,
            s.requests,
            s.pending,
            s.refused,
            s.failed_commits,
            s.commit_latency.p50_us,
            s.commit_latency.p99_us,
            s.commit_latency.count
        )?;
        if let Some(h) = &self.http {
            write!(
                f,
                ", discord: {} requests ({} ok, {} 429s, {} retries, {} failed, {} queued), handling p50 {} µs p99 {} µs",
                h.sent,
                h.succeeded,
                h.rate_limited,
                h.retries,
                h.failed,
                h.queued,
                self.handling.p50_us,
                self.handling.p99_us
            )?;
            // Classes that sent anything: "dm 12 (0 429s, 1 retries, 0 failed)".
            let mut first = true;
            for c in &h.by_class {
                if c.sent == 0 && c.failed == 0 {
                    continue;
                }
                let sep = if first { ", by class: " } else { ", " };
                first = false;
                write!(
                    f,
                    "{sep}{} {} ({} 429s, {} retries, {} failed)",
                    c.label, c.sent, c.rate_limited, c.retries, c.failed
                )?;
            }
            // "refused: 403/50007 ×3, 404/10003 ×1".
            for (i, ((status, code), n)) in h.refusals.iter().enumerate() {
                let sep = if i == 0 { ", refused: " } else { ", " };
                write!(f, "{sep}{status}/{code} ×{n}")?;
            }
            if h.unauthorized {
                write!(f, ", SENDING STOPPED: Discord rejects the bot token")?;
            }
        }
        if let Some(d) = &self.delivery {
            write!(
                f,
                ", delivery: {} by DM, {} by followup, {} to channels, {} DM channels opened ({} refused 40003), {} closed DMs, {} lobby mentions, {} expired, {} retries, {} waiting; outbox: {} owed",
                d.by_dm,
                d.by_followup,
                d.by_channel,
                d.dm_opened,
                d.dm_open_refused,
                d.dms_closed,
                d.pings,
                d.expired,
                d.retries,
                d.waiting,
                d.outbox_owed
            )?;
            if let Some(age) = d.outbox_oldest_age {
                write!(f, " (oldest {} s)", age.as_secs())?;
            }
            write!(
                f,
                "; presence: {} searching pings in the last hour ({} in all, {} not deliverable at once and dropped), {} left the queue unanswered",
                d.searching_pings_last_hour,
                d.searching_pings,
                d.searching_pings_dropped,
                d.queue_expired
            )?;
        }
        if let Some(g) = &self.gateway {
            let ms = |d: Option<Duration>| d.map_or("?".to_owned(), |d| d.as_millis().to_string());
            write!(f, ", gateway:")?;
            for s in &g.shards {
                write!(
                    f,
                    " shard {} {} (heartbeat {} ms, avg {} ms),",
                    s.shard,
                    s.state,
                    ms(s.latency_recent),
                    ms(s.latency_average)
                )?;
            }
            write!(
                f,
                " {:.1} events/s (last min), {} events",
                g.events_per_second, g.events
            )?;
        }
        if let Some(p) = &self.pool {
            if p.healthy == 0 && p.configured > 0 {
                write!(
                    f,
                    ", NO replay worker running ({} failed to start): uploads are refused",
                    p.spawn_failures
                )?;
            }
            write!(
                f,
                ", replay workers: {} healthy ({} busy, {} idle), {} jobs ({} ok, {} failed), {} retries, {} restarts, {} queued",
                p.healthy,
                p.busy,
                p.idle,
                p.jobs,
                p.jobs_ok,
                p.jobs_failed,
                p.retries,
                p.restarts,
                p.queued
            )?;
        }
        Ok(())
    }
}

impl HealthReport {
    /// Publishes the gauges of this report to the metrics registry.
    pub fn publish(&self) {
        metrics::gauge!("ladderd_uptime_seconds").set(self.uptime.as_secs_f64());
        if let Some(b) = self.resident_bytes {
            metrics::gauge!("ladderd_resident_memory_bytes").set(b as f64);
        }
        if let Some(b) = self.database_bytes {
            metrics::gauge!("ladderd_database_size_bytes").set(b as f64);
        }
        // The last five minutes' windows whole (median, p99, max): a
        // scraper reading every five minutes sees every interaction and
        // commit once, the maxima included (the rolling summary of
        // `ladderd_store_commit_duration_seconds` covers a minute, no max).
        for (name, count, p) in [
            (
                "ladderd_interaction_handling_last_5m_seconds",
                "ladderd_interaction_handling_last_5m_count",
                self.handling,
            ),
            (
                "ladderd_store_commit_last_5m_seconds",
                "ladderd_store_commit_last_5m_count",
                self.store.commit_latency,
            ),
        ] {
            for (q, us) in [("0.5", p.p50_us), ("0.99", p.p99_us), ("1", p.max_us)] {
                metrics::gauge!(name, "quantile" => q).set(f64::from(us) / 1e6);
            }
            metrics::gauge!(count).set(p.count as f64);
        }
        if let Some(h) = &self.http {
            // Per class only: the total is `sum()` (an unlabelled series
            // beside the labelled ones would be counted twice by it).
            for c in &h.by_class {
                let label = c.label;
                metrics::counter!("ladderd_discord_requests_total", "class" => label)
                    .absolute(c.sent);
                metrics::counter!("ladderd_discord_rate_limited_total", "class" => label)
                    .absolute(c.rate_limited);
                metrics::counter!("ladderd_discord_retries_total", "class" => label)
                    .absolute(c.retries);
                metrics::counter!("ladderd_discord_failed_total", "class" => label)
                    .absolute(c.failed);
            }
            metrics::gauge!("ladderd_discord_queued_requests").set(h.queued as f64);
            for ((status, code), n) in &h.refusals {
                metrics::counter!(
                    "ladderd_discord_refusals_total",
                    "status" => status.to_string(),
                    "code" => code.to_string()
                )
                .absolute(*n);
            }
            metrics::gauge!("ladderd_discord_sending_stopped").set(if h.unauthorized {
                1.0
            } else {
                0.0
            });
        }
        if let Some(d) = &self.delivery {
            for (path, n) in [
                ("dm", d.by_dm),
                ("followup", d.by_followup),
                ("channel", d.by_channel),
            ] {
                metrics::counter!("ladderd_deliveries_total", "path" => path).absolute(n);
            }
            metrics::counter!("ladderd_dm_channels_opened_total").absolute(d.dm_opened);
            metrics::counter!("ladderd_dm_opens_refused_total").absolute(d.dm_open_refused);
            metrics::counter!("ladderd_players_dms_closed_total").absolute(d.dms_closed);
            metrics::counter!("ladderd_lobby_mentions_total").absolute(d.pings);
            metrics::counter!("ladderd_deliveries_expired_total").absolute(d.expired);
            metrics::counter!("ladderd_delivery_retries_total").absolute(d.retries);
            metrics::gauge!("ladderd_delivery_waiting_messages").set(d.waiting as f64);
            metrics::gauge!("ladderd_outbox_owed_messages").set(d.outbox_owed as f64);
            metrics::gauge!("ladderd_outbox_oldest_age_seconds")
                .set(d.outbox_oldest_age.map_or(0.0, |a| a.as_secs_f64()));
            metrics::counter!("ladderd_searching_pings_total").absolute(d.searching_pings);
            metrics::gauge!("ladderd_searching_pings_last_hour")
                .set(d.searching_pings_last_hour as f64);
            metrics::counter!("ladderd_queue_expired_total").absolute(d.queue_expired);
            metrics::counter!("ladderd_searching_pings_dropped_total")
                .absolute(d.searching_pings_dropped);
        }
        if let Some(g) = &self.gateway {
            for s in &g.shards {
                let shard = s.shard.to_string();
                for &state in &g.states {
                    metrics::gauge!(
                        "ladderd_gateway_shard_state",
                        "shard" => shard.clone(),
                        "state" => state
                    )
                    .set(if s.state == state { 1.0 } else { 0.0 });
                }
                // NaN (no heartbeat yet on this connection) rather than a stale figure.
                let secs = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64());
                metrics::gauge!("ladderd_gateway_heartbeat_latency_seconds", "shard" => shard.clone())
                    .set(secs(s.latency_recent));
                metrics::gauge!(
                    "ladderd_gateway_heartbeat_latency_average_seconds",
                    "shard" => shard
                )
                .set(secs(s.latency_average));
            }
            metrics::counter!("ladderd_gateway_events_total").absolute(g.events);
            metrics::gauge!("ladderd_gateway_events_per_second").set(g.events_per_second);
        }
        if let Some(p) = &self.pool {
            metrics::gauge!("ladderd_replay_workers_healthy").set(p.healthy as f64);
            metrics::gauge!("ladderd_replay_workers_busy").set(p.busy as f64);
            metrics::gauge!("ladderd_replay_jobs_queued").set(p.queued as f64);
            metrics::counter!("ladderd_replay_jobs_total").absolute(p.jobs);
            metrics::counter!("ladderd_replay_jobs_failed_total").absolute(p.jobs_failed);
            metrics::counter!("ladderd_replay_worker_restarts_total").absolute(p.restarts);
            metrics::gauge!("ladderd_replay_workers_configured").set(p.configured as f64);
            metrics::counter!("ladderd_replay_worker_spawn_failures_total")
                .absolute(p.spawn_failures);
        }
    }
}

/// Resident memory of process `pid` (this process if `None`), from
/// `/proc/PID/status`; `None` where there is no procfs.
pub fn resident_bytes(pid: Option<u32>) -> Option<u64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_owned(),
    };
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Size of the database file and its WAL.
pub fn database_bytes(db: &Path) -> Option<u64> {
    let main = std::fs::metadata(db).ok()?.len();
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    Some(main + std::fs::metadata(Path::new(&wal)).map_or(0, |m| m.len()))
}

/// Logs `report()` every `interval` until `shutdown`, and publishes its gauges.
pub fn spawn_logger<F>(
    interval: Duration,
    report: F,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()>
where
    F: Fn() -> HealthReport + Send + 'static,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await; // the first tick is immediate; the first report waits one interval
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tick.tick() => {
                    let r = report();
                    r.publish();
                    tracing::info!(target: "ladderd::health", "{r}");
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_resident_memory_is_read() {
        let rss = resident_bytes(None).expect("procfs is mounted on Linux");
        assert!(rss > 1024 * 1024, "{rss}");
    }

    #[test]
    fn database_size_includes_the_wal() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        std::fs::write(&db, [0u8; 100]).unwrap();
        assert_eq!(database_bytes(&db), Some(100));
        std::fs::write(dir.path().join("x.db-wal"), [0u8; 50]).unwrap();
        assert_eq!(database_bytes(&db), Some(150));
        assert_eq!(database_bytes(&dir.path().join("missing.db")), None);
    }

    #[test]
    fn report_is_one_line() {
        let r = HealthReport {
            uptime: Duration::from_secs(61),
            resident_bytes: Some(3 * 1048576),
            database_bytes: None,
            store: StoreHealth::default(),
            pool: None,
            http: None,
            gateway: None,
            handling: Percentiles::default(),
            delivery: None,
        };
        let s = r.to_string();
        assert!(!s.contains('\n'));
        assert!(s.starts_with("up 61s, rss 3.0 MiB, db ?"), "{s}");
        let with_http = HealthReport {
            http: Some(HttpHealth {
                sent: 10,
                rate_limited: 0,
                ..HttpHealth::default()
            }),
            ..r
        };
        let s = with_http.to_string();
        assert!(
            s.contains("discord: 10 requests") && s.contains("0 429s"),
            "{s}"
        );
        // Classes that sent nothing are left out of the line.
        assert!(!s.contains("by class"), "{s}");
    }

    #[test]
    fn no_replay_worker_running_is_in_the_report() {
        let pool = PoolHealth {
            configured: 2,
            spawn_failures: 16,
            ..PoolHealth::default()
        };
        let r = HealthReport {
            uptime: Duration::from_secs(61),
            resident_bytes: None,
            database_bytes: None,
            store: StoreHealth::default(),
            pool: Some(pool),
            http: None,
            gateway: None,
            handling: Percentiles::default(),
            delivery: None,
        };
        let s = r.to_string();
        assert!(
            s.contains(", NO replay worker running (16 failed to start): uploads are refused"),
            "{s}"
        );
        let healthy = HealthReport {
            pool: Some(PoolHealth { healthy: 2, ..pool }),
            ..r
        };
        assert!(!healthy.to_string().contains("NO replay worker"));
    }

    #[test]
    fn report_shows_classes_and_gateway() {
        let class = |label| ClassHealth {
            label,
            ..ClassHealth::default()
        };
        let http = HttpHealth {
            sent: 7,
            rate_limited: 1,
            by_class: vec![
                ClassHealth {
                    sent: 5,
                    ..class("interaction")
                },
                ClassHealth {
                    sent: 2,
                    rate_limited: 1,
                    retries: 3,
                    failed: 1,
                    ..class("dm")
                },
                class("thread"),
            ],
            ..HttpHealth::default()
        };
        let r = HealthReport {
            uptime: Duration::from_secs(5),
            resident_bytes: None,
            database_bytes: None,
            store: StoreHealth::default(),
            pool: None,
            http: Some(http),
            gateway: Some(GatewayHealth {
                states: vec!["connected", "resuming"],
                shards: vec![
                    ShardHealth {
                        shard: 0,
                        state: "connected",
                        latency_recent: Some(Duration::from_millis(42)),
                        latency_average: Some(Duration::from_millis(40)),
                    },
                    ShardHealth {
                        shard: 1,
                        state: "resuming",
                        latency_recent: None,
                        latency_average: None,
                    },
                ],
                events: 1234,
                events_per_second: 3.3,
            }),
            handling: Percentiles::default(),
            delivery: Some(DeliveryHealth {
                by_dm: 3,
                by_followup: 2,
                dms_closed: 1,
                outbox_owed: 4,
                outbox_oldest_age: Some(Duration::from_secs(12)),
                ..DeliveryHealth::default()
            }),
        };
        let s = r.to_string();
        assert!(!s.contains('\n'), "{s}");
        assert!(
            s.contains(
                "by class: interaction 5 (0 429s, 0 retries, 0 failed), dm 2 (1 429s, 3 retries, 1 failed)"
            ),
            "{s}"
        );
        assert!(!s.contains("thread"), "{s}");
        assert!(
            s.contains("delivery: 3 by DM, 2 by followup") && s.contains("1 closed DMs"),
            "{s}"
        );
        assert!(s.contains("outbox: 4 owed (oldest 12 s)"), "{s}");
        assert!(
            s.contains(
                "gateway: shard 0 connected (heartbeat 42 ms, avg 40 ms), \
                 shard 1 resuming (heartbeat ? ms, avg ? ms), 3.3 events/s (last min), 1234 events"
            ),
            "{s}"
        );
    }
}
