//! End-to-end cost of one ladder event inside the supervisor: the command
//! goes through the ladder loop, its rows through the group-committing
//! writer, and the reply comes back after the commit — everything but
//! Discord. The original bot took 10–50 ms per event.
//!
//!     cargo bench --bench events              # 2 s per cell
//!     LADDERD_BENCH_SECS=5 cargo bench --bench events
//!
//! 1,000 registered players; each of C concurrent clients alternates
//! join-queue and leave-queue for its own player (each writes a player row
//! and a queue-preferences row), in both durability modes.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ladderd::clock::ManualClock;
use ladderd::config::{Config, StoreConfig, Synchronous};
use ladderd::ladder::{Actor, Command, Ladder, SetupForm};
use ladderd::ladder_loop;
use ladderd::store::Store;
use tokio_util::sync::CancellationToken;

const T0: i64 = 45_000 * 40_000_000;

/// In-game names are letters only: player 1 is "Paaa", 2 is "Paab" …
fn name(id: u64) -> String {
    let mut n = id;
    let mut letters = Vec::new();
    for _ in 0..3 {
        letters.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    letters.reverse();
    format!("P{}", letters.into_iter().collect::<String>())
}

/// Every reply must be a success, or the benchmark measures refusals.
fn ok(messages: Vec<ladderd::ladder::Message>) {
    if let Some(e) = messages
        .iter()
        .find(|m| matches!(m.body, ladderd::ladder::Notice::Error(_)))
    {
        panic!("the ladder refused a benchmark command: {e:?}");
    }
}
const PLAYERS: u64 = 1_000;

fn main() {
    let secs: f64 = std::env::var("LADDERD_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    println!("ladder events through the supervisor's loop and store, {secs} s per cell\n");
    println!(
        "| synchronous | concurrent clients | events/s | p50 latency | p99 latency | max | rows per commit |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for sync in [Synchronous::Normal, Synchronous::Full] {
        for clients in [1usize, 16, 128] {
            run(sync, clients, secs);
        }
    }
}

fn run(sync: Synchronous, clients: usize, secs: f64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut store_config = StoreConfig::at(dir.path().join("events.db"));
    store_config.synchronous = sync;
    let store = Store::open(&store_config).unwrap();
    let ladder_config = Config::from_toml(std::path::Path::new("x.toml"), "")
        .unwrap()
        .ladder;
    let (ladder, start) = Ladder::new(ladder_config, 1, T0);
    runtime.block_on(async {
        let (outgoing, mut sink) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move { while sink.recv().await.is_some() {} });
        let shutdown = CancellationToken::new();
        let (handle, task) = ladder_loop::spawn(
            ladder,
            start,
            store.writer(),
            Arc::new(ManualClock::at(T0)),
            Duration::from_secs(3600),
            outgoing,
            {
                // No Discord here: the ladder may tick at once.
                let deliverable = CancellationToken::new();
                deliverable.cancel();
                deliverable
            },
            shutdown.clone(),
        );
        for id in 1..=PLAYERS {
            let a = Actor::player(id);
            ok(handle
                .command(
                    a,
                    Command::AcceptTos {
                        discord_name: name(id),
                    },
                )
                .await
                .unwrap());
            let form = SetupForm {
                ingame_name: name(id),
                battletag: format!("{}#1234", name(id)),
                alt_names: vec![],
                country: "DE".into(),
                region: "EU".into(),
            };
            ok(handle.command(a, Command::Setup(form)).await.unwrap());
        }
        let commits_before = store.writer().stats().commits.load(Ordering::Relaxed);
        let rows_before = store.writer().stats().rows.load(Ordering::Relaxed);
        let stop = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let (handle, stop) = (handle.clone(), stop.clone());
                tokio::spawn(async move {
                    let id = 1 + c as u64 % PLAYERS;
                    let mut lat = Vec::new();
                    let mut join = true;
                    while !stop.load(Ordering::Relaxed) {
                        let cmd = if join {
                            Command::JoinQueue {
                                races: vec!["T".into()],
                                vetoes: Some(vec![]),
                            }
                        } else {
                            Command::LeaveQueue
                        };
                        let t = Instant::now();
                        ok(handle.command(Actor::player(id), cmd).await.unwrap());
                        lat.push(t.elapsed().as_micros() as u32);
                        join = !join;
                    }
                    lat
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs_f64(secs)).await;
        stop.store(true, Ordering::Relaxed);
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await.unwrap());
        }
        let elapsed = started.elapsed().as_secs_f64();
        let commits = store.writer().stats().commits.load(Ordering::Relaxed) - commits_before;
        let rows = store.writer().stats().rows.load(Ordering::Relaxed) - rows_before;
        shutdown.cancel();
        task.await.unwrap().unwrap();
        lat.sort_unstable();
        let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
        println!(
            "| {sync} | {clients} | {:.0} | {} µs | {} µs | {} µs | {:.1} |",
            lat.len() as f64 / elapsed,
            pct(0.5),
            pct(0.99),
            lat[lat.len() - 1],
            rows as f64 / commits.max(1) as f64
        );
    });
    store.close();
}
