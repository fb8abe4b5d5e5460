//! `ladderd bench uploads`: replay uploads through the worker pool, as the
//! upload handler submits them (the pool's default options: queue bound 64,
//! 5 s deadline), with 1 and 2 workers in the same run.
//!
//! Two shapes per worker count and level:
//! - **spread**: `--uploads` uploads evenly within `--within` (the issue's
//!   100 in 10 s): time to the last verdict after the last upload, latency
//!   per upload, the deepest the queue got, uploads refused as busy;
//! - **at once**: the same uploads submitted together (the pool's
//!   throughput, so 2 workers vs 1 is a scaling figure). The queue bound is
//!   raised to the upload count here: this shape measures throughput, not
//!   refusals.
//!
//! CPU per job is split between the supervisor's side (this process:
//! hashing, framing, waking tasks) and the workers (their `/proc` times
//! read before they stop), which is where the gap to N× goes on a machine
//! with N cores.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::BenchError;
use crate::replay::{ParseLevel, Pool, PoolOptions, ReplayError};

#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// The replay corpus (5.0.x files are used; older are skipped).
    pub corpus: PathBuf,
    pub uploads: usize,
    pub within: Duration,
    pub workers: Vec<usize>,
    /// The `ladderd` binary the workers run.
    pub exe: PathBuf,
    /// Also run the full level (all events), the heavy job.
    pub full: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct UploadRun {
    pub workers: usize,
    pub level: &'static str,
    pub shape: &'static str,
    pub uploads: usize,
    pub verified: usize,
    pub refused_busy: usize,
    pub failed_other: usize,
    /// First submission to the last verdict.
    pub wall_seconds: f64,
    /// The last submission to the last verdict.
    pub after_last_upload_ms: f64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub latency_max_ms: f64,
    pub max_queued: usize,
    pub replays_per_second: f64,
    /// The supervisor side's CPU (this process) per job.
    pub supervisor_cpu_ms_per_job: f64,
    /// The workers' CPU per job.
    pub worker_cpu_ms_per_job: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct UploadReport {
    pub files: usize,
    pub runs: Vec<UploadRun>,
}

/// The corpus's replays ladderd parses, read into memory.
pub fn load_corpus(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "SC2Replay"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("broken"))
        })
        .filter_map(|p| std::fs::read(p).ok())
        .filter(|b| {
            crate::replay::parse_bytes(
                b,
                ParseLevel::Verification,
                crate::replay::DEFAULT_MAX_BYTES,
            )
            .is_ok()
        })
        .collect()
}

fn cpu_ms_self() -> f64 {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_SELF).map_or(0.0, |u| {
        let t = |tv: nix::sys::time::TimeVal| tv.tv_sec() as f64 * 1e3 + tv.tv_usec() as f64 / 1e3;
        t(u.user_time()) + t(u.system_time())
    })
}

/// utime + stime of a process, ms (clock ticks of 10 ms).
fn cpu_ms_of(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name's closing parenthesis: state is 3rd, utime 14th.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| f.get(i)?.parse::<f64>().ok())
        .sum();
    // USER_HZ is 100 on Linux.
    ticks * 10.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn one_run(
    opts: &UploadOptions,
    files: &Arc<Vec<Vec<u8>>>,
    workers: usize,
    level: ParseLevel,
    spread: bool,
) -> Result<UploadRun, BenchError> {
    let tmp = tempfile::tempdir().map_err(BenchError::io("creating a temporary directory"))?;
    let mut o = PoolOptions::new(workers, tmp.path());
    o.worker_exe = opts.exe.clone();
    if !spread {
        o.queue_bound = opts.uploads;
        o.job_deadline = Duration::from_secs(30);
    }
    let pool = Arc::new(
        Pool::start(o).map_err(|e| BenchError::Failed(format!("starting the pool: {e}")))?,
    );
    if !pool.wait_healthy(workers, Duration::from_secs(30)).await {
        return Err(BenchError::Failed(format!(
            "{workers} replay workers did not start within 30 s"
        )));
    }
    let pids = pool.worker_pids();
    let worker_cpu_before: f64 = pids.iter().map(|&p| cpu_ms_of(p)).sum();
    let max_queued = Arc::new(AtomicUsize::new(0));
    // At once, the queue is sampled every millisecond while it drains (a
    // fraction of a second to seconds); spread, at each upload instead, so
    // 10 s of sampler wake-ups do not count as the supervisor's CPU.
    let sampler = (!spread).then(|| {
        let (pool, max_queued) = (pool.clone(), max_queued.clone());
        tokio::spawn(async move {
            loop {
                max_queued.fetch_max(pool.stats().queued, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    });
    let gap = if spread {
        opts.within / opts.uploads.max(1) as u32
    } else {
        Duration::ZERO
    };
    let cpu_before = cpu_ms_self();
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    let mut last_submit = start;
    for i in 0..opts.uploads {
        if spread {
            tokio::time::sleep_until((start + gap * i as u32).into()).await;
            max_queued.fetch_max(pool.stats().queued, Ordering::Relaxed);
        }
        let (pool, files) = (pool.clone(), files.clone());
        last_submit = Instant::now();
        set.spawn(async move {
            let t = Instant::now();
            let bytes = files[i % files.len()].clone();
            let r = pool.parse(bytes, level).await;
            (
                t.elapsed().as_secs_f64() * 1e3,
                r.map(|_| ()),
                Instant::now(),
            )
        });
    }
    let mut run = UploadRun {
        workers,
        level: match level {
            ParseLevel::Verification => "verification",
            ParseLevel::Full => "full",
        },
        shape: if spread { "spread" } else { "at once" },
        uploads: opts.uploads,
        ..UploadRun::default()
    };
    let mut latencies = Vec::with_capacity(opts.uploads);
    let mut last_verdict = start;
    while let Some(joined) = set.join_next().await {
        let (ms, r, at) =
            joined.map_err(|e| BenchError::Failed(format!("an upload task failed: {e}")))?;
        latencies.push(ms);
        last_verdict = last_verdict.max(at);
        match r {
            Ok(()) => run.verified += 1,
            Err(ReplayError::Unavailable(why)) if why.contains("busy") => run.refused_busy += 1,
            Err(_) => run.failed_other += 1,
        }
    }
    let cpu_after = cpu_ms_self();
    let worker_cpu_after: f64 = pids.iter().map(|&p| cpu_ms_of(p)).sum();
    if let Some(s) = sampler {
        s.abort();
    }
    run.wall_seconds = (last_verdict - start).as_secs_f64();
    run.after_last_upload_ms = last_verdict
        .saturating_duration_since(last_submit)
        .as_secs_f64()
        * 1e3;
    latencies.sort_by(f64::total_cmp);
    run.latency_p50_ms = percentile(&latencies, 0.5);
    run.latency_p99_ms = percentile(&latencies, 0.99);
    run.latency_max_ms = latencies.last().copied().unwrap_or(0.0);
    run.max_queued = max_queued.load(Ordering::Relaxed);
    run.replays_per_second = opts.uploads as f64 / run.wall_seconds.max(1e-9);
    let jobs = opts.uploads.max(1) as f64;
    run.supervisor_cpu_ms_per_job = (cpu_after - cpu_before) / jobs;
    run.worker_cpu_ms_per_job = (worker_cpu_after - worker_cpu_before) / jobs;
    if let Ok(pool) = Arc::try_unwrap(pool) {
        pool.shutdown().await;
    }
    Ok(run)
}

pub async fn run(opts: &UploadOptions) -> Result<UploadReport, BenchError> {
    let dir = opts.corpus.clone();
    let files = tokio::task::spawn_blocking(move || load_corpus(&dir))
        .await
        .map_err(|e| BenchError::Failed(format!("reading the corpus: {e}")))?;
    if files.is_empty() {
        return Err(BenchError::Failed(format!(
            "no replay ladderd parses in {}",
            opts.corpus.display()
        )));
    }
    let files = Arc::new(files);
    let mut report = UploadReport {
        files: files.len(),
        runs: Vec::new(),
    };
    let mut levels = vec![ParseLevel::Verification];
    if opts.full {
        levels.push(ParseLevel::Full);
    }
    for level in levels {
        for spread in [true, false] {
            for &w in &opts.workers {
                report
                    .runs
                    .push(one_run(opts, &files, w, level, spread).await?);
            }
        }
    }
    Ok(report)
}

impl UploadReport {
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut t = format!(
            "ladderd bench uploads: {} distinct replays, uploads through the worker pool\n\n",
            self.files
        );
        let _ = writeln!(
            t,
            "| level | shape | workers | uploads | verified | busy | other failures | wall s | last verdict after last upload ms | p50 ms | p99 ms | max ms | max queued | replays/s | vs 1 worker | supervisor CPU ms/job | worker CPU ms/job |"
        );
        let _ = writeln!(
            t,
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        );
        for r in &self.runs {
            let one = self
                .runs
                .iter()
                .find(|o| o.workers == 1 && o.level == r.level && o.shape == r.shape)
                .map_or(0.0, |o| o.replays_per_second);
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {} | {} | {} | {:.3} | {:.1} | {:.2} | {:.2} | {:.2} | {} | {:.0} | {} | {:.3} | {:.3} |",
                r.level,
                r.shape,
                r.workers,
                r.uploads,
                r.verified,
                r.refused_busy,
                r.failed_other,
                r.wall_seconds,
                r.after_last_upload_ms,
                r.latency_p50_ms,
                r.latency_p99_ms,
                r.latency_max_ms,
                r.max_queued,
                r.replays_per_second,
                if r.shape == "at once" && one > 0.0 {
                    format!("{:.2}×", r.replays_per_second / one)
                } else {
                    "—".to_owned()
                },
                r.supervisor_cpu_ms_per_job,
                r.worker_cpu_ms_per_job,
            );
        }
        t
    }
}
