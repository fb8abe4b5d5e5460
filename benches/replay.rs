//! Replay parsing: per-replay time at verification level and full (all
//! events), single-threaded and in-process, next to sc2reader's medians on the
//! same files; then the worker pool's throughput with 1, 2 and N workers and
//! its IPC overhead per job. Prints Markdown tables.
//!
//!     cargo bench --bench replay
//!     LADDERD_BENCH_ROUNDS=20 cargo bench --bench replay
//!
//! The corpus is `$LADDERD_REPLAY_CORPUS` or `../shared/replays`. Only the
//! replays ladderd parses (5.0.x) are timed; sc2reader's figures come from
//! `SC2READER_TIMINGS.tsv` for exactly those files, or from the file named by
//! `$LADDERD_SC2READER_TSV` (same columns): `benches/sc2reader_side_by_side.sh`
//! times sc2reader on this machine and passes its figures that way, with
//! `LADDERD_BENCH_PARSE_ONLY=1` (no pool runs) and a per-file table.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ladderd::replay::{self, ParseLevel, Pool, PoolOptions};

fn corpus() -> PathBuf {
    std::env::var_os("LADDERD_REPLAY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/replays"))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median milliseconds of `rounds` parses of `bytes`, after one warm-up.
fn time_parse(bytes: &[u8], level: ParseLevel, rounds: usize) -> f64 {
    let _ = replay::parse_bytes(bytes, level, u64::MAX);
    let mut v: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            let r = replay::parse_bytes(bytes, level, u64::MAX);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            assert!(r.is_ok(), "{r:?}");
            ms
        })
        .collect();
    median(&mut v)
}

fn main() {
    let dir = corpus();
    if !dir.join("SC2READER_TIMINGS.tsv").is_file() {
        eprintln!("SKIPPED: replay corpus not found at {}", dir.display());
        return;
    }
    let rounds: usize = std::env::var("LADDERD_BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    // sc2reader medians by (file, load level).
    let tsv_path = std::env::var_os("LADDERD_SC2READER_TSV")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("SC2READER_TIMINGS.tsv"));
    let tsv = std::fs::read_to_string(tsv_path).unwrap();
    let mut sc2: HashMap<(String, u8), f64> = HashMap::new();
    for line in tsv.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if let [file, _, level, ms, "ok"] = f[..] {
            sc2.insert(
                (file.to_owned(), level.parse().unwrap()),
                ms.parse().unwrap(),
            );
        }
    }
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "SC2Replay"))
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?.to_owned();
            let bytes = std::fs::read(&p).ok()?;
            (!name.starts_with("broken")
                && replay::parse_bytes(&bytes, ParseLevel::Verification, u64::MAX).is_ok())
            .then_some((name, bytes))
        })
        .collect();
    files.sort();

    let (mut ver, mut full, mut s2, mut s4) = (vec![], vec![], vec![], vec![]);
    for (name, bytes) in &files {
        ver.push(time_parse(bytes, ParseLevel::Verification, rounds));
        full.push(time_parse(bytes, ParseLevel::Full, rounds.div_ceil(2)));
        s2.push(sc2[&(name.clone(), 2)]);
        s4.push(sc2[&(name.clone(), 4)]);
    }
    let parse_only = std::env::var_os("LADDERD_BENCH_PARSE_ONLY").is_some();
    if parse_only {
        println!("### Per file (ms, median of {rounds}; ratio = sc2reader / ladderd)\n");
        println!(
            "| file | ladderd verification | sc2reader level 2 | ratio | ladderd full | sc2reader level 4 | ratio |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for (i, (name, _)) in files.iter().enumerate() {
            println!(
                "| {name} | {:.3} | {:.2} | {:.1}× | {:.2} | {:.1} | {:.1}× |",
                ver[i],
                s2[i],
                s2[i] / ver[i],
                full[i],
                s4[i],
                s4[i] / full[i]
            );
        }
        println!();
    }
    let total = |v: &[f64]| v.iter().sum::<f64>();
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!(
        "### Per-replay parse time, single-threaded, in-process ({} replays 5.0.x, median of {rounds})\n",
        files.len()
    );
    println!(
        "| level | ladderd median ms | ladderd max ms | ladderd total ms | sc2reader median ms (same files) | sc2reader total ms | ratio (median) |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (label, ours, theirs) in [
        ("verification (sc2reader load_level=2)", &mut ver, &mut s2),
        (
            "full, all events (sc2reader load_level=4)",
            &mut full,
            &mut s4,
        ),
    ] {
        let (t_ours, t_theirs, m_ours) = (total(ours), total(theirs), max(ours));
        let (med_ours, med_theirs) = (median(ours), median(theirs));
        println!(
            "| {label} | {med_ours:.3} | {m_ours:.2} | {t_ours:.1} | {med_theirs:.1} | {t_theirs:.0} | {:.0}× |",
            med_theirs / med_ours
        );
    }

    if parse_only {
        return;
    }
    // The pool. Each job is a verification-level parse, what the ladder asks for.
    let n = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut sizes = vec![1, 2, n];
    sizes.dedup();
    let files = Arc::new(files);
    for (level, label, jobs_per_run) in [
        (
            ParseLevel::Verification,
            "verification level",
            files.len() * 60,
        ),
        (ParseLevel::Full, "full level (all events)", files.len() * 6),
    ] {
        println!("\n### Worker pool, {label} ({jobs_per_run} jobs per run, median of 3 runs)\n");
        println!("| workers | replays/s | vs 1 worker |");
        println!("|---:|---:|---:|");
        let mut one = 0.0;
        for &workers in &sizes {
            let mut runs: Vec<f64> = (0..3)
                .map(|_| runtime.block_on(pool_rate(workers, level, jobs_per_run, files.clone())))
                .collect();
            let rate = median(&mut runs);
            if workers == 1 {
                one = rate;
            }
            println!("| {workers} | {rate:.0} | {:.2}× |", rate / one);
        }
    }

    // IPC overhead: one worker, one job at a time, minus the in-process time.
    let (per_job_ms, parse_ms) = runtime.block_on(async {
        let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
        let mut o = PoolOptions::new(1, tmp.path());
        o.worker_exe = PathBuf::from(env!("CARGO_BIN_EXE_ladderd"));
        let pool = Pool::start(o).unwrap();
        assert!(pool.wait_healthy(1, Duration::from_secs(10)).await);
        let mut through_pool = Vec::new();
        let mut in_process = Vec::new();
        for _ in 0..rounds {
            for (_, bytes) in files.iter() {
                let t = Instant::now();
                pool.parse(bytes.clone(), ParseLevel::Verification)
                    .await
                    .unwrap();
                through_pool.push(t.elapsed().as_secs_f64() * 1e3);
                let t = Instant::now();
                replay::parse_bytes(bytes, ParseLevel::Verification, u64::MAX).unwrap();
                in_process.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        pool.shutdown().await;
        (median(&mut through_pool), median(&mut in_process))
    });
    println!("\n### IPC overhead per job (1 worker, sequential, median)\n");
    println!("| through the pool ms | in-process ms | overhead ms |");
    println!("|---:|---:|---:|");
    println!(
        "| {per_job_ms:.3} | {parse_ms:.3} | {:.3} |",
        per_job_ms - parse_ms
    );
}

/// Replays per second through a pool of `workers`, all jobs submitted at once.
async fn pool_rate(
    workers: usize,
    level: ParseLevel,
    jobs: usize,
    files: Arc<Vec<(String, Vec<u8>)>>,
) -> f64 {
    let tmp = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut o = PoolOptions::new(workers, tmp.path());
    o.worker_exe = PathBuf::from(env!("CARGO_BIN_EXE_ladderd"));
    o.queue_bound = jobs;
    o.job_deadline = Duration::from_secs(30);
    let pool = Arc::new(Pool::start(o).unwrap());
    assert!(pool.wait_healthy(workers, Duration::from_secs(10)).await);
    let t = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for i in 0..jobs {
        let (pool, files) = (pool.clone(), files.clone());
        set.spawn(async move {
            let bytes = files[i % files.len()].1.clone();
            pool.parse(bytes, level).await.unwrap();
        });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap();
    }
    let rate = jobs as f64 / t.elapsed().as_secs_f64();
    let stats = pool.stats();
    if stats.restarts > 0 {
        eprintln!("note: {workers} workers, {level:?}: {stats:?}");
    }
    if let Ok(pool) = Arc::try_unwrap(pool) {
        pool.shutdown().await;
    }
    rate
}
