//! `ladderd bench steady`: the supervisor through a ladder hour of ordinary
//! play (issue #18 item 1), and its memory after it (item 2).
//!
//! The history ([`super::dataset`]: `--players`, `--matches`) is written
//! first; the supervisor is then a `ladderd run` child (this binary) on it,
//! against the simulator in *this* process on its realistic defaults, so its
//! CPU and memory are its own: `/proc/PID/stat` (utime + stime, all its
//! threads) and `/proc/PID/status` (VmRSS sampled every 5 s, VmHWM) of that
//! PID alone; replay workers are its children and not counted.
//!
//! The players are the demo's field test ([`crate::demo`]'s driver with
//! ladder time = wall time): `--active` new members sign up, then for
//! `--minutes` of wall time join waves, confirm (or let a card lapse), play
//! 8–20 minutes and report, as `ladderd demo --realtime` plays them. The
//! child ticks itself on the system clock; the driver only reads what
//! players were shown and the database (read-only), as the demo does.
//!
//! Handling time and commit latency are the supervisor's own, read from its
//! `/metrics` (`…_last_5m_seconds`: the last five minutes' median, p99 and
//! max) every five minutes and once at the end; the run's figures are the
//! windows combined: the median of the windows' medians weighted by their
//! counts, the highest p99 (an upper bound of the run's p99) and the
//! highest max (exact). The last window overlaps the one before it.
//! Requests and 429s are the simulator's counts from the end of the
//! sign-ups to the end of play.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::BenchError;
use super::dataset::{self, Size};
use super::startup::{child_config, status_field, tail};
use crate::clock::{Clock, ManualClock, SystemClock};
use crate::sim::{SimConfig, Simulator};

#[derive(Debug, Clone)]
pub struct SteadyOptions {
    /// The history in the database before the run.
    pub size: Size,
    /// New members who sign up and play.
    pub active: usize,
    /// Wall-clock minutes of play after the sign-ups.
    pub minutes: f64,
    pub seed: u64,
    pub exe: PathBuf,
    pub synchronous: &'static str,
    /// A progress line on stderr every few seconds.
    pub progress: bool,
    /// Runs the supervisor under this command (a heap profiler, as
    /// `memory`'s); its RSS and CPU figures are then the wrapper's.
    pub wrapper: Option<String>,
}

/// One scrape of the supervisor's five-minute windows.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Window {
    /// Seconds since READY.
    pub at_s: f64,
    /// The supervisor's VmRSS then: whether memory levels off.
    pub rss_kib: u64,
    pub handled: u64,
    pub handling_p50_us: u64,
    pub handling_p99_us: u64,
    pub handling_max_us: u64,
    pub commits: u64,
    pub commit_p50_us: u64,
    pub commit_p99_us: u64,
    pub commit_max_us: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SteadyReport {
    pub players: usize,
    pub matches: usize,
    pub active: usize,
    pub minutes: f64,
    pub seed: u64,
    pub written: dataset::Written,
    /// exec → READY=1.
    pub ready_seconds: f64,
    /// Sign-ups of the active players (wall seconds).
    pub sign_up_seconds: f64,
    /// From the end of the sign-ups to the end of play.
    pub play_seconds: f64,
    pub waves: u64,
    pub interactions: u64,
    /// Matches made during the run, from the database afterwards.
    pub matches_found: u64,
    pub matches_completed: u64,
    pub matches_abandoned: u64,
    /// HTTP requests the simulator answered during play, and per second.
    pub requests: u64,
    pub requests_per_second: f64,
    pub http_429: u64,
    /// Of the 429s: shared-scope and ban answers (Discord imposes them).
    pub http_429_shared: u64,
    /// Requests during the sign-ups (not in `requests`).
    pub sign_up_requests: u64,
    pub handling_p50_us: u64,
    pub handling_p99_us: u64,
    pub handling_max_us: u64,
    pub handled: u64,
    pub commit_p50_us: u64,
    pub commit_p99_us: u64,
    pub commit_max_us: u64,
    pub windows: Vec<Window>,
    /// The supervisor's VmRSS after READY (before any player), at the end
    /// of play, the highest 5-second sample, and VmHWM at the end (KiB).
    pub rss_start_kib: u64,
    pub rss_end_kib: u64,
    pub rss_max_sampled_kib: u64,
    pub peak_rss_kib: u64,
    pub anon_end_kib: u64,
    /// The supervisor's CPU time (user + system, all threads) from READY
    /// to the end of play, and as a share of one core over that wall time.
    pub cpu_seconds: f64,
    pub cpu_percent_of_one_core: f64,
    /// `/proc/loadavg`'s 1-minute figure at the start and the end.
    pub load_start: f64,
    pub load_end: f64,
    /// What the players saw that ladderd should not have shown them.
    pub errors: u64,
    pub error_samples: Vec<String>,
}

/// utime + stime of `pid` in seconds. `/proc` counts in USER_HZ, which is
/// 100 on Linux whatever the kernel's HZ (it is part of the ABI).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after
    // the last ')', with the state (field 3) first.
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// Whether `pid` still runs (a zombie has ended).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|t| {
            let rest = &t[t.rfind(')')? + 1..];
            rest.split_whitespace().next().map(|s| s != "Z" && s != "X")
        })
        .unwrap_or(false)
}

/// `GET /metrics` from the child, bounded.
async fn scrape(addr: std::net::SocketAddr) -> Option<String> {
    let get = async {
        let mut s = tokio::net::TcpStream::connect(addr).await.ok()?;
        s.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut body = Vec::new();
        (&mut s).take(8 << 20).read_to_end(&mut body).await.ok()?;
        Some(String::from_utf8_lossy(&body).into_owned())
    };
    tokio::time::timeout(Duration::from_secs(10), get)
        .await
        .ok()
        .flatten()
}

/// The value of the sample `name{labels}` (or unlabelled `name`).
fn sample(text: &str, name: &str, labels: &str) -> Option<f64> {
    let key = if labels.is_empty() {
        name.to_owned()
    } else {
        format!("{name}{{{labels}}}")
    };
    text.lines().find_map(|l| {
        let (k, v) = l.rsplit_once(' ')?;
        (k == key).then(|| v.parse().ok()).flatten()
    })
}

fn window(text: &str, at_s: f64) -> Window {
    let us = |name: &str, q: &str| {
        sample(text, name, &format!("quantile=\"{q}\"")).map_or(0, |s| (s * 1e6).round() as u64)
    };
    let n = |name: &str| sample(text, name, "").map_or(0, |v| v as u64);
    let (h, c) = (
        "ladderd_interaction_handling_last_5m_seconds",
        "ladderd_store_commit_last_5m_seconds",
    );
    Window {
        at_s,
        rss_kib: 0,
        handled: n("ladderd_interaction_handling_last_5m_count"),
        handling_p50_us: us(h, "0.5"),
        handling_p99_us: us(h, "0.99"),
        handling_max_us: us(h, "1"),
        commits: n("ladderd_store_commit_last_5m_count"),
        commit_p50_us: us(c, "0.5"),
        commit_p99_us: us(c, "0.99"),
        commit_max_us: us(c, "1"),
    }
}

/// The median of `(value, weight)` pairs.
fn weighted_median(mut v: Vec<(u64, u64)>) -> u64 {
    v.retain(|(_, w)| *w > 0);
    v.sort_unstable();
    let total: u64 = v.iter().map(|(_, w)| w).sum();
    let mut seen = 0;
    for (x, w) in v {
        seen += w;
        if seen * 2 >= total {
            return x;
        }
    }
    0
}

/// How often the five-minute windows are read: once per window.
const SCRAPE_EVERY: Duration = Duration::from_secs(300);
const RSS_EVERY: Duration = Duration::from_secs(5);

pub async fn run(opts: &SteadyOptions) -> Result<SteadyReport, BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::io("creating a temporary directory"))?;
    let sim_config = SimConfig {
        realism: crate::sim::Realism {
            seed: opts.seed,
            ..crate::sim::Realism::default()
        },
        ..SimConfig::default()
    };
    let sim = Simulator::start(sim_config).await?;
    // A free loopback port for the child's /metrics (it is bound again at
    // once by the child; a clash would fail its start-up, not the figures).
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(BenchError::io("finding a free port for /metrics"))?;
    let mut text = child_config(&sim, dir.path(), 1, opts.synchronous).replacen(
        "[ops]\n",
        &format!("[ops]\nmetrics_listen = \"{metrics_addr}\"\n"),
        1,
    );
    // The demo's ladder: presence on, queue expiry the driver expects.
    text.push_str(&format!(
        "[ladder]\nqueue_expiry_minutes = {}\nnotifications = true\n",
        crate::demo::QUEUE_EXPIRY_MINUTES
    ));
    let config_path = dir.path().join("ladderd.toml");
    std::fs::write(&config_path, &text).map_err(BenchError::io("writing the config"))?;
    let config = crate::config::Config::from_toml(&config_path, &text)
        .map_err(|e| BenchError::Config(e.to_string()))?;
    let written = dataset::generate_for(&config, opts.size, opts.seed).await?;

    let super::startup::Started {
        process: child,
        notify,
        exec,
        stderr: stderr_path,
    } = super::startup::start(
        &opts.exe,
        opts.wrapper.as_deref(),
        dir.path(),
        &config_path,
        &sim.config().token,
        "",
    )?;
    let pid = child.id();
    let mut report = SteadyReport {
        players: opts.size.players,
        matches: opts.size.matches,
        active: opts.active,
        minutes: opts.minutes,
        seed: opts.seed,
        written,
        ..SteadyReport::default()
    };
    let supervisor = Supervisor {
        exec,
        pid,
        metrics_addr,
        db: config.store.path.clone(),
    };
    let result = drive(opts, &sim, &notify, &supervisor, &mut report).await;
    let stopped = super::startup::terminate(child, Duration::from_secs(60)).await;
    sim.shutdown().await;
    result?;
    if !stopped.is_some_and(|s| s.success()) {
        return Err(BenchError::Failed(format!(
            "`ladderd run` did not stop cleanly ({stopped:?}); its stderr: {}",
            tail(&stderr_path)
        )));
    }
    count_matches(&config.store.path, &mut report)?;
    Ok(report)
}

/// The `ladderd run` child: when it was started, its PID, its `/metrics`
/// and its database.
struct Supervisor {
    exec: Instant,
    pid: u32,
    metrics_addr: std::net::SocketAddr,
    db: PathBuf,
}

/// READY, then the players; fills `report` with what the run measured.
async fn drive(
    opts: &SteadyOptions,
    sim: &Simulator,
    notify: &tokio::net::UnixDatagram,
    supervisor: &Supervisor,
    report: &mut SteadyReport,
) -> Result<(), BenchError> {
    let (exec, pid, metrics_addr) = (supervisor.exec, supervisor.pid, supervisor.metrics_addr);
    let ready = async {
        let mut buf = vec![0u8; 4096];
        loop {
            let n = notify.recv(&mut buf).await?;
            if String::from_utf8_lossy(&buf[..n]).contains("READY=1") {
                return Ok::<f64, std::io::Error>(exec.elapsed().as_secs_f64());
            }
        }
    };
    report.ready_seconds = match tokio::time::timeout(Duration::from_secs(120), ready).await {
        Ok(Ok(at)) => at,
        Ok(Err(e)) => return Err(BenchError::Failed(format!("the notify socket: {e}"))),
        Err(_) => {
            return Err(BenchError::Failed(
                "`ladderd run` did not report READY within 120 s".into(),
            ));
        }
    };
    let began = Instant::now();
    report.rss_start_kib = status_field(pid, "VmRSS").unwrap_or(0);
    report.load_start = load_average();
    let cpu0 = cpu_seconds(pid).unwrap_or(0.0);

    // Samples memory and the windows while the players play; ends the
    // players' run early if the supervisor dies.
    let stop = tokio_util::sync::CancellationToken::new();
    let sampler = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let (mut rss_max, mut windows) = (0u64, Vec::new());
            let mut next_scrape = Instant::now() + SCRAPE_EVERY;
            loop {
                tokio::select! {
                    () = stop.cancelled() => break,
                    () = tokio::time::sleep(RSS_EVERY) => {}
                }
                if !alive(pid) {
                    stop.cancel();
                    break;
                }
                rss_max = rss_max.max(status_field(pid, "VmRSS").unwrap_or(0));
                if Instant::now() >= next_scrape {
                    next_scrape += SCRAPE_EVERY;
                    if let Some(text) = scrape(metrics_addr).await {
                        let mut w = window(&text, began.elapsed().as_secs_f64());
                        w.rss_kib = status_field(pid, "VmRSS").unwrap_or(0);
                        windows.push(w);
                    }
                }
            }
            (rss_max, windows)
        })
    };

    let demo = crate::demo::DemoOptions {
        players: opts.active,
        minutes: 0,
        seed: opts.seed,
        realtime: true,
        transcript: None,
        transcript_player: None,
        keep_db: None,
        corpus: None,
        worker_exe: opts.exe.clone(),
        progress: if opts.progress {
            crate::demo::Progress::Lines
        } else {
            crate::demo::Progress::Quiet
        },
    };
    let now = SystemClock.now();
    let clock = ManualClock::at(now);
    // The driver reads the child's database (read-only), as the demo does.
    let db = supervisor.db.clone();
    let mut driver = crate::demo::driver::Driver::new(sim, None, clock, &demo, db, stop.clone());
    let span_ms = (opts.minutes * 60_000.0).round() as i64;
    driver.population_for(opts.active, span_ms, now).await;
    let outcome = driver.finish().await;
    let ended = Instant::now();
    let totals = sim.totals();
    let died = stop.is_cancelled();
    stop.cancel();
    let (rss_max, mut windows) = sampler
        .await
        .map_err(|e| BenchError::Failed(format!("the sampler failed: {e}")))?;
    if died || !alive(pid) {
        return Err(BenchError::Failed(
            "`ladderd run` ended during the run".into(),
        ));
    }
    report.rss_end_kib = status_field(pid, "VmRSS").unwrap_or(0);
    if let Some(text) = scrape(metrics_addr).await {
        let mut w = window(&text, began.elapsed().as_secs_f64());
        w.rss_kib = report.rss_end_kib;
        windows.push(w);
    }
    report.anon_end_kib = status_field(pid, "RssAnon").unwrap_or(0);
    report.peak_rss_kib = status_field(pid, "VmHWM").unwrap_or(0);
    report.rss_max_sampled_kib = rss_max.max(report.rss_end_kib);
    report.cpu_seconds = cpu_seconds(pid).unwrap_or(0.0) - cpu0;
    let wall = began.elapsed().as_secs_f64();
    report.cpu_percent_of_one_core = 100.0 * report.cpu_seconds / wall.max(1e-9);
    report.load_end = load_average();

    let (play_at, at_play) = driver.play_began().unwrap_or((ended, totals));
    report.sign_up_seconds = play_at.duration_since(began).as_secs_f64();
    report.play_seconds = ended.duration_since(play_at).as_secs_f64();
    report.sign_up_requests = at_play.requests;
    report.requests = totals.requests - at_play.requests;
    report.requests_per_second = report.requests as f64 / report.play_seconds.max(1e-9);
    report.http_429 = totals.rate_limited - at_play.rate_limited;
    report.http_429_shared = (totals.rate_limited_shared + totals.banned)
        - (at_play.rate_limited_shared + at_play.banned);
    report.waves = outcome.waves;
    report.interactions = outcome.interactions;
    report.errors = outcome.errors.len() as u64;
    report.error_samples = outcome.errors.into_iter().take(10).collect();

    report.handled = windows.iter().map(|w| w.handled).sum();
    report.handling_p50_us = weighted_median(
        windows
            .iter()
            .map(|w| (w.handling_p50_us, w.handled))
            .collect(),
    );
    report.handling_p99_us = windows.iter().map(|w| w.handling_p99_us).max().unwrap_or(0);
    report.handling_max_us = windows.iter().map(|w| w.handling_max_us).max().unwrap_or(0);
    report.commit_p50_us = weighted_median(
        windows
            .iter()
            .map(|w| (w.commit_p50_us, w.commits))
            .collect(),
    );
    report.commit_p99_us = windows.iter().map(|w| w.commit_p99_us).max().unwrap_or(0);
    report.commit_max_us = windows.iter().map(|w| w.commit_max_us).max().unwrap_or(0);
    report.windows = windows;
    Ok(())
}

/// Matches made during the run (not the history's), by state.
fn count_matches(db: &std::path::Path, report: &mut SteadyReport) -> Result<(), BenchError> {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| BenchError::Failed(format!("reading the database: {e}")))?;
    let count = |state: Option<&str>| -> Result<u64, BenchError> {
        // The history's players have ids from `FIRST_PLAYER_ID` on; the
        // simulator's members (the active players) are numbered below it.
        let sql =
            "SELECT count(*) FROM matches WHERE player1_id < ?1 AND (?2 IS NULL OR state = ?2)";
        conn.query_row(
            sql,
            rusqlite::params![dataset::FIRST_PLAYER_ID as i64, state],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n as u64)
        .map_err(|e| BenchError::Failed(format!("counting matches: {e}")))
    };
    report.matches_found = count(None)?;
    report.matches_completed = count(Some("completed"))?;
    report.matches_abandoned = count(Some("abandoned"))?;
    Ok(())
}

impl SteadyReport {
    /// The Markdown table, the original bot's figures and ours / theirs.
    pub fn table(&self) -> String {
        use super::seed_figures as seed;
        use std::fmt::Write as _;
        let mib = |kib: u64| kib as f64 / 1024.0;
        let ms = |us: u64| us as f64 / 1e3;
        let mut t = format!(
            "ladderd bench steady: {} active players for {:.1} min of wall-clock play on a history of {} players and {} matches (seed {}; load average {:.2} → {:.2})\n\n",
            self.active,
            self.play_seconds / 60.0,
            self.players,
            self.matches,
            self.seed,
            self.load_start,
            self.load_end,
        );
        let _ = writeln!(
            t,
            "| figure | ladderd | original bot | ladderd / original |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|");
        let mut row = |k: &str, v: String, s: &str, ratio: Option<f64>| {
            let r = ratio.map_or(String::new(), |r| format!("× {r:.2}"));
            let _ = writeln!(t, "| {k} | {v} | {s} | {r} |");
        };
        row(
            "requests/s to Discord (play)",
            format!(
                "{:.2} ({} in {:.0} s)",
                self.requests_per_second, self.requests, self.play_seconds
            ),
            "2.8 at 1,000 users",
            Some(self.requests_per_second / seed::REQUESTS_PER_S_AT_1000_USERS),
        );
        row(
            "429s (shared/ban of them)",
            format!("{} ({})", self.http_429, self.http_429_shared),
            "",
            None,
        );
        row(
            "handling p50 / p99 / max",
            format!(
                "{:.2} / {:.2} / {:.2} ms over {} interactions",
                ms(self.handling_p50_us),
                ms(self.handling_p99_us),
                ms(self.handling_max_us),
                self.handled
            ),
            "10–50 ms per event, 15 typical",
            Some(ms(self.handling_p50_us) / seed::EVENT_MS_TYPICAL),
        );
        row(
            "commit p50 / p99 / max",
            format!(
                "{:.2} / {:.2} / {:.2} ms",
                ms(self.commit_p50_us),
                ms(self.commit_p99_us),
                ms(self.commit_max_us)
            ),
            "",
            None,
        );
        let mb = |kib: u64| kib as f64 * 1024.0 / 1e6;
        row(
            "supervisor RSS after start-up",
            format!("{:.1} MiB", mib(self.rss_start_kib)),
            "500 MB at 1,000 users (150 at 250)",
            Some(mb(self.rss_start_kib) / seed::MEMORY_MB_AT_1000_USERS),
        );
        row(
            "supervisor RSS at the end",
            format!(
                "{:.1} MiB (anon {:.1})",
                mib(self.rss_end_kib),
                mib(self.anon_end_kib)
            ),
            "500 MB at 1,000 users",
            Some(mb(self.rss_end_kib) / seed::MEMORY_MB_AT_1000_USERS),
        );
        row(
            "supervisor peak RSS (VmHWM; highest 5 s sample)",
            format!(
                "{:.1} MiB; {:.1} MiB",
                mib(self.peak_rss_kib),
                mib(self.rss_max_sampled_kib)
            ),
            "",
            None,
        );
        row(
            "supervisor CPU (READY → end)",
            format!(
                "{:.1} s, {:.1} % of one core",
                self.cpu_seconds, self.cpu_percent_of_one_core
            ),
            "",
            None,
        );
        row(
            "matches found / completed / abandoned",
            format!(
                "{} / {} / {}",
                self.matches_found, self.matches_completed, self.matches_abandoned
            ),
            "",
            None,
        );
        row(
            "waves, interactions",
            format!("{}, {}", self.waves, self.interactions),
            "",
            None,
        );
        row(
            "before play: start-up and sign-ups",
            format!(
                "{:.0} s, {} requests",
                self.sign_up_seconds, self.sign_up_requests
            ),
            "",
            None,
        );
        row(
            "exec → READY=1",
            format!("{:.2} s", self.ready_seconds),
            "",
            None,
        );
        row("errors the players saw", self.errors.to_string(), "", None);
        for e in &self.error_samples {
            let _ = writeln!(t, "\n- {e}");
        }
        let _ = writeln!(
            t,
            "\nfive-minute windows (s since READY: RSS MiB; handled, handling p50/p99/max ms; commits, commit p50/p99/max ms):"
        );
        for w in &self.windows {
            let _ = writeln!(
                t,
                "  {:7.0}  {:6.1}  {:6} {:.2}/{:.2}/{:.2}  {:6} {:.2}/{:.2}/{:.2}",
                w.at_s,
                mib(w.rss_kib),
                w.handled,
                ms(w.handling_p50_us),
                ms(w.handling_p99_us),
                ms(w.handling_max_us),
                w.commits,
                ms(w.commit_p50_us),
                ms(w.commit_p99_us),
                ms(w.commit_max_us),
            );
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_read_from_the_scrape() {
        let text = "# TYPE x gauge\n\
            ladderd_interaction_handling_last_5m_seconds{quantile=\"0.5\"} 0.0021\n\
            ladderd_interaction_handling_last_5m_seconds{quantile=\"0.99\"} 0.006\n\
            ladderd_interaction_handling_last_5m_seconds{quantile=\"1\"} 0.04\n\
            ladderd_interaction_handling_last_5m_count 120\n\
            ladderd_store_commit_last_5m_seconds{quantile=\"1\"} 0.003\n";
        let w = window(text, 1.0);
        assert_eq!(
            (
                w.handled,
                w.handling_p50_us,
                w.handling_p99_us,
                w.handling_max_us
            ),
            (120, 2100, 6000, 40_000)
        );
        assert_eq!((w.commits, w.commit_p50_us, w.commit_max_us), (0, 0, 3000));
    }

    #[test]
    fn the_median_of_windows_follows_their_weights() {
        assert_eq!(weighted_median(vec![(5, 1), (9, 10), (1, 0)]), 9);
        assert_eq!(weighted_median(vec![(5, 10), (9, 1)]), 5);
        assert_eq!(weighted_median(vec![]), 0);
    }

    #[test]
    fn cpu_time_of_this_process_is_read() {
        assert!(cpu_seconds(std::process::id()).is_some());
        assert!(alive(std::process::id()));
    }
}
