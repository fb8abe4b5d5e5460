//! `ladderd bench burst`: one matchmaking wave of N matches on Discord as
//! the simulator plays it by default (latency, DM-open anti-spam, closed
//! DMs, thread limits: nothing raised), and what it costs to tell every
//! player — the original bot's "20-match wave: 80 requests, 30 × 429,
//! ~4 s".
//!
//! 2N new members sign up and queue (before the wave, not counted); the
//! ladder clock (a `ManualClock`, so no confirm window lapses meanwhile)
//! moves to the wave and the loop ticks once; then the bench waits, bounded,
//! until every player has seen a "Match found" card (DM or match thread),
//! and counts the HTTP requests and 429s the simulator answered from the
//! tick to then.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::BenchError;
use crate::clock::ManualClock;
use crate::sim::{Interact, ModalField, SimConfig, Simulator};
use crate::supervisor::{self, Environment};

#[derive(Debug, Clone)]
pub struct BurstOptions {
    /// Wave sizes in matches, each on a fresh ladder.
    pub waves: Vec<usize>,
    pub seed: u64,
    /// How long to wait for every card.
    pub card_wait: Duration,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Wave {
    pub matches_wanted: usize,
    pub players: usize,
    pub players_with_card: usize,
    /// Tick → the last player's card; `None` if not all had one in time.
    pub all_cards_seconds: Option<f64>,
    pub p50_card_seconds: f64,
    pub requests: u64,
    pub http_429: u64,
    /// Of the 429s: shared-scope ones Discord imposes (thread limits).
    pub http_429_shared: u64,
    /// 4xx answers other than 429 (403 40003 DM-open refusals, 50007 closed DMs …).
    pub client_errors: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct BurstReport {
    pub waves: Vec<Wave>,
}

fn letters(i: usize) -> String {
    let l = |k: usize| (b'a' + (k % 26) as u8) as char;
    format!("W{}{}{}", l(i / 676), l(i / 26), l(i))
}

/// One interaction; whether ladderd answered it without an error notice.
async fn ask(sim: &Simulator, user: u64, what: &Interact) -> bool {
    let Ok(sent) = sim.interact(user, sim.ids().lobby, what) else {
        return false;
    };
    let came = tokio::time::timeout(
        Duration::from_secs(60),
        sim.wait_until(|s| s.reply(&sent).is_some()),
    )
    .await;
    came.is_ok()
        && sim
            .reply(&sent)
            .is_some_and(|m| !m.content.starts_with('❌'))
}

async fn one_wave(n: usize, seed: u64, card_wait: Duration) -> Result<Wave, BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::io("creating a temporary directory"))?;
    let sim = Arc::new(Simulator::start(SimConfig::default()).await?);
    let text = super::startup::child_config(&sim, dir.path(), 1, "normal");
    let config = crate::config::Config::from_toml(&dir.path().join("ladderd.toml"), &text)
        .map_err(|e| BenchError::Config(e.to_string()))?;
    // Monday 2026-01-05 00:00 UTC, just before a wave.
    let clock = ManualClock::at(crate::ladder::next_wave_after(1_767_571_200_000, 45_000) - 1);
    let env = Environment {
        clock: Arc::new(clock.clone()),
        seed: Some(seed),
        tick_every: Duration::from_secs(3600),
        discord: Some(sim.discord_runtime()),
        ..Environment::default()
    };
    let shutdown = tokio_util::sync::CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(supervisor::run(config, env, shutdown.clone(), move |r| {
        let _ = tx.send(r);
    }));
    let Ok(Ok(running)) = tokio::time::timeout(Duration::from_secs(60), rx).await else {
        shutdown.cancel();
        return Err(BenchError::Failed(format!(
            "the supervisor did not start: {:?}",
            task.await
        )));
    };
    let players = 2 * n;
    let mut set = tokio::task::JoinSet::new();
    let users: Vec<u64> = (0..players)
        .map(|i| sim.add_user(&format!("wave{i:04}")))
        .collect();
    for (i, &user) in users.iter().enumerate() {
        let sim = sim.clone();
        set.spawn(async move {
            let field = |id: &str, v: String| ModalField {
                custom_id: id.to_owned(),
                value: v,
            };
            let steps = [
                Interact::Slash {
                    name: "termsofservice".into(),
                    options: vec![],
                },
                Interact::Button {
                    custom_id: "tos:accept".into(),
                    message: None,
                },
                Interact::Modal {
                    custom_id: "setup".into(),
                    fields: vec![
                        field("ingame_name", letters(i)),
                        field("battletag", format!("{}#1234", letters(i))),
                        field("alt_names", String::new()),
                        field("country", "DE".into()),
                        field("region", "EU".into()),
                    ],
                },
                Interact::Slash {
                    name: "queue".into(),
                    options: vec![("race".into(), "T".into())],
                },
            ];
            let mut ok = true;
            for s in &steps {
                ok &= ask(&sim, user, s).await;
            }
            ok
        });
    }
    while let Some(r) = set.join_next().await {
        if !r.unwrap_or(false) {
            shutdown.cancel();
            return Err(BenchError::Failed(
                "a player's sign-up or queue was refused or went unanswered".into(),
            ));
        }
    }

    let before = sim.totals();
    let has_card = |sim: &Simulator, u: u64| {
        sim.seen_by(u)
            .iter()
            .any(|s| s.message.content.contains("Match found"))
    };
    clock.advance(45_000);
    let began = Instant::now();
    let _ = running.ladder.tick().await;
    let mut carded_at: Vec<Option<f64>> = vec![None; players];
    let deadline = began + card_wait;
    while Instant::now() < deadline && carded_at.iter().any(Option::is_none) {
        for (i, &u) in users.iter().enumerate() {
            if carded_at[i].is_none() && has_card(&sim, u) {
                carded_at[i] = Some(began.elapsed().as_secs_f64());
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let after = sim.totals();
    let mut times: Vec<f64> = carded_at.iter().flatten().copied().collect();
    times.sort_by(f64::total_cmp);
    let wave = Wave {
        matches_wanted: n,
        players,
        players_with_card: times.len(),
        all_cards_seconds: (times.len() == players).then(|| times.last().copied().unwrap_or(0.0)),
        p50_card_seconds: times.get(times.len() / 2).copied().unwrap_or(0.0),
        requests: after.requests - before.requests,
        http_429: after.rate_limited - before.rate_limited,
        http_429_shared: after.rate_limited_shared - before.rate_limited_shared,
        client_errors: after.client_errors - before.client_errors,
    };
    drop(running);
    shutdown.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(60), task).await;
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
    Ok(wave)
}

pub async fn run(opts: &BurstOptions) -> Result<BurstReport, BenchError> {
    let mut report = BurstReport::default();
    for &n in &opts.waves {
        report
            .waves
            .push(one_wave(n.max(1), opts.seed, opts.card_wait).await?);
    }
    Ok(report)
}

impl BurstReport {
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut t = String::from(
            "ladderd bench burst: one wave on the simulator's realistic defaults\n\n\
             | matches | players | with a card | all cards after | p50 card | requests | 429s (shared) | other 4xx | original bot (20 matches) |\n\
             |---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
        );
        for w in &self.waves {
            let _ = writeln!(
                t,
                "| {} | {} | {} | {} | {:.2} s | {} | {} ({}) | {} | 80 requests, 30 × 429, ~4 s |",
                w.matches_wanted,
                w.players,
                w.players_with_card,
                w.all_cards_seconds.map_or_else(
                    || "not within the bound".to_owned(),
                    |s| format!("{s:.2} s")
                ),
                w.p50_card_seconds,
                w.requests,
                w.http_429,
                w.http_429_shared,
                w.client_errors,
            );
        }
        t
    }
}
