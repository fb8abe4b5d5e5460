//! Store write path: one transaction per write vs group commit, at 1, 8 and
//! 64 concurrent writers, in both durability modes. Prints a Markdown table.
//!
//!     cargo bench --bench store                 # 2 s per cell
//!     LADDERD_BENCH_SECS=5 cargo bench --bench store
//!
//! "One transaction per write" is the same writer with `commit_max_batch = 1`,
//! so the only difference between the rows is batching. A write is one
//! acknowledged request holding one audit row; latency is submit → ack.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ladderd::config::{StoreConfig, Synchronous};
use ladderd::store::Store;
use ladderd::store::rows::{AuditRow, Write};

fn write(n: u64) -> Vec<Write> {
    vec![Write::Audit(AuditRow {
        at: n as i64,
        actor_id: n,
        command: "bench".into(),
        target: Some(format!("target-{n}")),
        outcome: "ok".into(),
        details_json: Some("{\"race\":\"Zerg\",\"rating\":1523.4}".into()),
    })]
}

struct Cell {
    writes_per_s: f64,
    p50_us: u64,
    p99_us: u64,
    writes_per_commit: f64,
}

fn run(sync: Synchronous, group: bool, writers: usize, secs: f64) -> Cell {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut config = StoreConfig::at(dir.path().join("bench.db"));
    config.synchronous = sync;
    config.commit_max_batch = if group { 4096 } else { 1 };
    let store = Store::open(&config).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let latencies: Vec<u32> = runtime.block_on(async {
        let tasks: Vec<_> = (0..writers)
            .map(|i| {
                let (w, stop) = (store.writer(), stop.clone());
                tokio::spawn(async move {
                    let mut lat = Vec::new();
                    let mut n = i as u64 * 1_000_000_000;
                    while !stop.load(Ordering::Relaxed) {
                        let t = Instant::now();
                        w.submit(write(n)).await.unwrap();
                        lat.push(t.elapsed().as_micros() as u32);
                        n += 1;
                    }
                    lat
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    let commits = store.writer().stats().commits.load(Ordering::Relaxed);
    store.close();
    let mut lat = latencies;
    lat.sort_unstable();
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize] as u64;
    Cell {
        writes_per_s: lat.len() as f64 / elapsed,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
        writes_per_commit: lat.len() as f64 / commits.max(1) as f64,
    }
}

fn main() {
    // `cargo test` runs benches with --test-ish flags only when asked; a plain
    // `cargo bench` passes "--bench". Anything else (e.g. a filter) is ignored.
    let secs: f64 = std::env::var("LADDERD_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    println!("store write path, {secs} s per cell, one audit row per write\n");
    println!(
        "| synchronous | strategy | writers | writes/s | p50 commit latency | p99 commit latency | writes per commit | vs one-tx-per-write |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for sync in [Synchronous::Normal, Synchronous::Full] {
        for writers in [1usize, 8, 64] {
            let single = run(sync, false, writers, secs);
            let group = run(sync, true, writers, secs);
            for (name, cell) in [("one tx per write", &single), ("group commit", &group)] {
                println!(
                    "| {sync} | {name} | {writers} | {:.0} | {} µs | {} µs | {:.1} | {:.1}× |",
                    cell.writes_per_s,
                    cell.p50_us,
                    cell.p99_us,
                    cell.writes_per_commit,
                    cell.writes_per_s / single.writes_per_s
                );
            }
        }
    }
}
