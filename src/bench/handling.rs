//! `ladderd bench handling`: ladderd's own handling time per interaction
//! with a big ladder in memory (issue #18 item 3).
//!
//! The history ([`super::dataset`]) is loaded by a supervisor running in
//! this process against the simulator, so the handling-time window the
//! supervisor keeps (`Running::handling`: from routing an interaction to
//! handing its reply to the outbound scheduler, queueing in the ladder loop
//! and the group commit included, Discord's latency not) can be read per
//! phase. `--users` new guild members then act at once, each waiting for
//! its reply before its next step, as people do:
//! 1. **sign-up**: terms, accept, the setup modal (writes);
//! 2. **queue**: `/queue race:T` then `/leave`, `--rounds` times (writes);
//! 3. **queue, one at a time**: the same by 50 users taking turns, so
//!    the figure is one command's own cost, not a queue of 200;
//! 4. **reads**, one phase each, one request at a time by 50 users:
//!    `/leaderboard` (ranks every rated player), `/profile`, `/history`
//!    (no writes): each read's own cost, not a queue of them.
//!
//! The loop's own timer is set to an hour, so no wave matches the queueing
//! users mid-phase: this measures interactions, not waves.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::BenchError;
use super::dataset::{self, Size};
use crate::sim::{Interact, ModalField, SimConfig, Simulator};
use crate::supervisor::{self, Environment};

#[derive(Debug, Clone)]
pub struct HandlingOptions {
    pub size: Size,
    pub users: usize,
    pub rounds: usize,
    pub seed: u64,
    pub synchronous: &'static str,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Phase {
    pub name: &'static str,
    pub interactions: usize,
    pub unanswered: usize,
    /// Answered with an error notice; the first one's text.
    pub refused: usize,
    pub refusal_sample: Option<String>,
    pub wall_seconds: f64,
    pub p50_us: u32,
    pub p99_us: u32,
    pub max_us: u32,
    /// The store's commit latency over the phase.
    pub commit_p50_us: u32,
    pub commit_p99_us: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HandlingReport {
    pub players: usize,
    pub matches: usize,
    pub synchronous: &'static str,
    pub users: usize,
    pub loaded_players: usize,
    pub loaded_matches: usize,
    pub phases: Vec<Phase>,
}

/// What came of one interaction.
pub(super) enum Answer {
    Ok,
    /// ladderd answered with an error notice (❌): a refusal is measured
    /// too, but a phase that is all refusals measures the wrong thing.
    Refused(String),
    Unanswered,
}

/// One interaction, and its reply awaited (bounded).
pub(super) async fn ask(sim: &Simulator, user: u64, what: &Interact) -> Answer {
    let Ok(sent) = sim.interact(user, sim.ids().lobby, what) else {
        return Answer::Unanswered;
    };
    let came = tokio::time::timeout(
        Duration::from_secs(60),
        sim.wait_until(|s| s.reply(&sent).is_some()),
    )
    .await;
    match (came, sim.reply(&sent)) {
        (Ok(()), Some(m)) if m.content.starts_with('❌') => Answer::Refused(m.content),
        (Ok(()), Some(_)) => Answer::Ok,
        _ => Answer::Unanswered,
    }
}

fn slash(name: &str, options: &[(&str, &str)]) -> Interact {
    Interact::Slash {
        name: name.to_owned(),
        options: options
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// Letters-only in-game names ("Baaa", "Baab", …): setup refuses digits.
fn letters(i: usize) -> String {
    let l = |k: usize| (b'a' + (k % 26) as u8) as char;
    format!("B{}{}{}", l(i / 676), l(i / 26), l(i))
}

pub(super) fn steps(phase: &str, i: usize, rounds: usize) -> Vec<Interact> {
    let field = |id: &str, v: String| ModalField {
        custom_id: id.to_owned(),
        value: v,
    };
    match phase {
        "sign-up" => vec![
            slash("termsofservice", &[]),
            Interact::Button {
                custom_id: "tos:accept".to_owned(),
                message: None,
            },
            Interact::Modal {
                custom_id: "setup".to_owned(),
                fields: vec![
                    field("ingame_name", letters(i)),
                    field("battletag", format!("{}#1234", letters(i))),
                    field("alt_names", String::new()),
                    field("country", "DE".to_owned()),
                    field("region", "EU".to_owned()),
                ],
            },
        ],
        "queue" | "queue, one at a time" => (0..rounds)
            .flat_map(|_| [slash("queue", &[("race", "T")]), slash("leave", &[])])
            .collect(),
        other => vec![slash(other, &[])],
    }
}

/// How many users take turns in a read phase.
const READERS: usize = 50;

pub async fn run(opts: &HandlingOptions) -> Result<HandlingReport, BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::io("creating a temporary directory"))?;
    let sim = Arc::new(Simulator::start(SimConfig::default()).await?);
    let text = super::startup::child_config(&sim, dir.path(), 1, opts.synchronous);
    let config = crate::config::Config::from_toml(&dir.path().join("ladderd.toml"), &text)
        .map_err(|e| BenchError::Config(e.to_string()))?;
    dataset::generate_for(&config, opts.size, opts.seed).await?;

    let env = Environment {
        seed: Some(opts.seed),
        // No wave mid-phase (see the module docs).
        tick_every: Duration::from_secs(3600),
        discord: Some(sim.discord_runtime()),
        ..Environment::default()
    };
    let shutdown = tokio_util::sync::CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(supervisor::run(config, env, shutdown.clone(), move |r| {
        let _ = tx.send(r);
    }));
    let running = match tokio::time::timeout(Duration::from_secs(120), rx).await {
        Ok(Ok(r)) => r,
        _ => {
            shutdown.cancel();
            let why = match task.await {
                Ok(Err(e)) => e.to_string(),
                _ => "it did not start within 120 s".to_owned(),
            };
            return Err(BenchError::Failed(format!("the supervisor: {why}")));
        }
    };
    let mut report = HandlingReport {
        players: opts.size.players,
        matches: opts.size.matches,
        synchronous: opts.synchronous,
        users: opts.users,
        loaded_players: running.loaded_players,
        loaded_matches: running.loaded_matches,
        phases: Vec::new(),
    };
    let users: Vec<u64> = (0..opts.users)
        .map(|i| sim.add_user(&format!("bench{i:04}")))
        .collect();
    for name in [
        "sign-up",
        "queue",
        "queue, one at a time",
        "leaderboard",
        "profile",
        "history",
    ] {
        running.handling.clear();
        running.writer.stats().commit_latency.clear();
        let began = Instant::now();
        let mut set = tokio::task::JoinSet::new();
        let mut set_results = Vec::new();
        // Reads one at a time, by the first `READERS` users: each read's own
        // cost, not a pile-up of 200 in the loop (which defers them after 2 s).
        let sequential = !matches!(name, "sign-up" | "queue");
        let acting = if sequential {
            &users[..READERS.min(users.len())]
        } else {
            &users[..]
        };
        for (i, &user) in acting.iter().enumerate() {
            let (sim, steps) = (sim.clone(), steps(name, i, opts.rounds));
            set.spawn(async move {
                let (mut unanswered, mut refused) = (0, Vec::new());
                for step in &steps {
                    match ask(&sim, user, step).await {
                        Answer::Ok => {}
                        Answer::Refused(text) => refused.push(text),
                        Answer::Unanswered => unanswered += 1,
                    }
                }
                (steps.len(), unanswered, refused)
            });
            if sequential && let Some(r) = set.join_next().await {
                set_results.push(r);
            }
        }
        let mut phase = Phase {
            name,
            ..Phase::default()
        };
        while let Some(r) = set.join_next().await {
            set_results.push(r);
        }
        for r in set_results {
            let (n, missed, refused) =
                r.map_err(|e| BenchError::Failed(format!("a user's task failed: {e}")))?;
            phase.interactions += n;
            phase.unanswered += missed;
            phase.refused += refused.len();
            if phase.refusal_sample.is_none() {
                phase.refusal_sample = refused.into_iter().next();
            }
        }
        phase.wall_seconds = began.elapsed().as_secs_f64();
        let at = Instant::now();
        let h = running.handling.percentiles(at);
        let c = running.writer.stats().commit_latency.percentiles(at);
        (phase.p50_us, phase.p99_us, phase.max_us) = (h.p50_us, h.p99_us, h.max_us);
        (phase.commit_p50_us, phase.commit_p99_us) = (c.p50_us, c.p99_us);
        report.phases.push(phase);
    }
    drop(running);
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(60), task).await;
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
    match stopped {
        Ok(Ok(Ok(()))) => Ok(report),
        other => Err(BenchError::Failed(format!(
            "the supervisor did not stop cleanly: {other:?}"
        ))),
    }
}

impl HandlingReport {
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut t = format!(
            "ladderd bench handling: {} players and {} matches loaded, synchronous = {:?}, {} users acting at once\n\n",
            self.loaded_players, self.loaded_matches, self.synchronous, self.users
        );
        let _ = writeln!(
            t,
            "| phase | interactions | refused | unanswered | wall s | handling p50 | p99 | max | commit p50 | commit p99 | original bot |"
        );
        let _ = writeln!(t, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for p in &self.phases {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {:.1} | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms | 10–50 ms per event |",
                p.name,
                p.interactions,
                p.refused,
                p.unanswered,
                p.wall_seconds,
                f64::from(p.p50_us) / 1e3,
                f64::from(p.p99_us) / 1e3,
                f64::from(p.max_us) / 1e3,
                f64::from(p.commit_p50_us) / 1e3,
                f64::from(p.commit_p99_us) / 1e3,
            );
        }
        for p in &self.phases {
            if let Some(why) = &p.refusal_sample {
                let _ = writeln!(t, "\n{} refused, e.g.: {why}", p.name);
            }
        }
        t
    }
}
