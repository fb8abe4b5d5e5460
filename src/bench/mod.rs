//! `ladderd bench SCENARIO` (feature `sim`): named measurements of the
//! whole system, each printing a table with the original bot's figure
//! beside ours where its design document gives one, and writing a JSON
//! summary with `--json PATH`. The figures go to `BENCHMARKS.md`; nothing
//! here asserts a time (tests run each scenario at a tiny size only to keep
//! it working).
//!
//! - `memory`: a history of `--players` players and `--matches` matches
//!   written through the store, then `ladderd run` started on it as a child:
//!   time to READY and the supervisor's own resident memory
//!   ([`startup`]).
//! - `handling`: ladderd's own time per interaction with that history
//!   loaded, by phase (sign-up, queue, reads), `synchronous` as configured
//!   ([`handling`]).
//! - `uploads`: replay uploads through the worker pool with 1 and 2
//!   workers: time to the last verdict, queue depth, refusals
//!   ([`uploads`]).
//!
//! - `burst`: one matchmaking wave of 20 and of 100 matches on the
//!   simulator's realistic defaults: requests, 429s, time until every
//!   player has a card ([`burst`]).
//!
//! - `web`: the web site's requests/s and p99 with that history loaded,
//!   and the supervisor's interaction handling time with the site idle and
//!   under load ([`web`]).
//!
//! - `faults`: a fault in the middle of a wave (gateway drop, invalid
//!   session, a 429 storm, a 5xx storm, a replay worker SIGKILLed
//!   mid-parse, the supervisor SIGKILLed and restarted on its database):
//!   what players had been told before and after, what was lost (nothing
//!   acknowledged may be), and how long until service resumed
//!   ([`faults`]).
//!
//! - `steady`: `--active` members signing up and playing the demo's field
//!   test in wall time for `--minutes` (a ladder hour by default) on that
//!   history, the supervisor a `ladderd run` child: requests/s and 429s to
//!   Discord, handling time and commit latency from its `/metrics`, its own
//!   RSS after start-up and after the hour, CPU ([`steady`]).

pub mod burst;
pub mod dataset;
pub mod faults;
pub mod handling;
pub mod startup;
pub mod steady;
pub mod uploads;
pub mod web;

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{context}: {source}")]
    Io {
        context: &'static str,
        source: std::io::Error,
    },
    #[error("the bench's configuration was refused (a bug): {0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("starting the Discord simulator: {0}")]
    Sim(#[from] crate::sim::SimError),
    #[error("{0}")]
    Failed(String),
}

impl BenchError {
    fn io(context: &'static str) -> impl FnOnce(std::io::Error) -> BenchError {
        move |source| BenchError::Io { context, source }
    }
}

/// Which scenario, and its size.
#[derive(Debug, Clone)]
pub enum Scenario {
    Memory(startup::StartupOptions),
    Handling(handling::HandlingOptions),
    Burst(burst::BurstOptions),
    Uploads(uploads::UploadOptions),
    Web(web::WebOptions),
    Faults(faults::FaultOptions),
    Steady(steady::SteadyOptions),
}

/// A scenario's result: the table printed and the JSON written.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "scenario", rename_all = "lowercase")]
pub enum Report {
    Memory(startup::StartupReport),
    Handling(handling::HandlingReport),
    Burst(burst::BurstReport),
    Uploads(uploads::UploadReport),
    Web(web::WebReport),
    Faults(faults::FaultReport),
    /// Boxed: the largest report by far.
    Steady(Box<steady::SteadyReport>),
}

pub async fn run(scenario: &Scenario) -> Result<Report, BenchError> {
    Ok(match scenario {
        Scenario::Memory(o) => Report::Memory(startup::run(o).await?),
        Scenario::Handling(o) => Report::Handling(handling::run(o).await?),
        Scenario::Burst(o) => Report::Burst(burst::run(o).await?),
        Scenario::Uploads(o) => Report::Uploads(uploads::run(o).await?),
        Scenario::Web(o) => Report::Web(web::run(o).await?),
        Scenario::Faults(o) => Report::Faults(faults::run(o).await?),
        Scenario::Steady(o) => Report::Steady(Box::new(steady::run(o).await?)),
    })
}

/// The original bot's figures (its design document), for the tables.
pub mod seed_figures {
    /// Memory: 150 MB at 250 users, 500 MB at 1,000.
    pub const MEMORY_MB_AT_1000_USERS: f64 = 500.0;
    /// Steady load: 2.8 requests/s to Discord at 1,000 users.
    pub const REQUESTS_PER_S_AT_1000_USERS: f64 = 2.8;
    /// Memory at 250 users.
    pub const MEMORY_MB_AT_250_USERS: f64 = 150.0;
    /// Handling: 10–50 ms per event, 15 ms typical.
    pub const EVENT_MS_TYPICAL: f64 = 15.0;
    /// Replay parsing: 25–100 ms per replay.
    pub const REPLAY_PARSE_MS: (f64, f64) = (25.0, 100.0);
}

impl Report {
    /// A Markdown table for `BENCHMARKS.md`.
    pub fn table(&self) -> String {
        let mut t = String::new();
        match self {
            Report::Memory(r) => {
                let mb = |kib: u64| kib as f64 / 1024.0;
                let _ = writeln!(
                    t,
                    "ladderd bench memory: {} players, {} matches ({} replays, {} outbox rows; database {:.0} MB, written in {:.1} s)\n",
                    r.players,
                    r.matches,
                    r.written.replays,
                    r.written.outbox_rows,
                    r.written.db_bytes as f64 / 1e6,
                    r.generate_seconds
                );
                let _ = writeln!(t, "| figure | ladderd | goal | original bot |");
                let _ = writeln!(t, "|---|---:|---:|---:|");
                let _ = writeln!(
                    t,
                    "| exec to READY=1 | {:.2} s | ≤ 2 s | — |",
                    r.ready_seconds
                );
                let _ = writeln!(
                    t,
                    "| supervisor RSS at READY | {:.1} MiB | ≤ 50 MB | {} MB at 1,000 users |",
                    mb(r.rss_ready_kib),
                    seed_figures::MEMORY_MB_AT_1000_USERS
                );
                let _ = writeln!(
                    t,
                    "| supervisor RSS idle after READY | {:.1} MiB (anon {:.1}) | ≤ 50 MB | |",
                    mb(r.rss_settled_kib),
                    mb(r.anon_settled_kib)
                );
                let _ = writeln!(
                    t,
                    "| supervisor peak RSS (VmHWM) | {:.1} MiB | | |",
                    mb(r.peak_rss_kib)
                );
                let workers: Vec<String> = r
                    .worker_rss_kib
                    .iter()
                    .map(|k| format!("{:.1}", mb(*k)))
                    .collect();
                let _ = writeln!(
                    t,
                    "| each replay worker's RSS | {} MiB | | |",
                    workers.join(", ")
                );
                let _ = writeln!(t, "| supervisor threads | {} | | |", r.threads);
                let _ = writeln!(t, "\nstart-up phases (seconds since exec):");
                for (at, s) in &r.phases {
                    let _ = writeln!(t, "  {at:7.3}  {s}");
                }
            }
            Report::Handling(r) => t = r.table(),
            Report::Burst(r) => t = r.table(),
            Report::Uploads(r) => t = r.table(),
            Report::Web(r) => t = r.table(),
            Report::Faults(r) => t = r.table(),
            Report::Steady(r) => t = r.table(),
        }
        t
    }
}

/// Defaults of `ladderd bench memory` (the sizes).
pub fn memory_defaults(exe: PathBuf) -> startup::StartupOptions {
    startup::StartupOptions {
        size: dataset::Size {
            players: 10_000,
            matches: 100_000,
        },
        seed: 1,
        workers: 2,
        settle: Duration::from_secs(3),
        exe,
        synchronous: "normal",
        wrapper: None,
    }
}
