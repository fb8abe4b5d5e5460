//! `ladderd bench faults`: what a fault in the middle of a wave costs the
//! players, one sub-run per fault, each on a fresh simulator and database.
//!
//! The Discord faults run the supervisor as a `ladderd run` child (as
//! `memory` does, so it can be SIGKILLed) with `wave_interval_s = 5` and
//! `confirm_window_s = 600` (no confirm window lapses while a fault lasts:
//! lapses are the fairness rules' business, not this scenario's). 2N new
//! members sign up and `/queue`, plus one *probe* member who only signs up.
//! Each player clicks Confirm on their card as soon as they see it, and
//! clicks again if no answer came within [`RETRY`] (Discord's 3 s callback
//! deadline has passed: that answer will never come). A player mentioned
//! in the lobby with a **Show** button (ladderd's last way to reach
//! someone: no DM channel to be had, no live interaction token) clicks it. Everyone joins the queue just after a wave, so one wave
//! matches them all. Once a quarter of the players have a card, the fault
//! strikes:
//!
//! - `gateway-drop`: every gateway socket dropped without a close frame
//!   (the session stays resumable);
//! - `invalid-session`: op 9, not resumable (dispatches in the gap are gone);
//! - `429-storm`: every REST route answers 429 (`Retry-After` 1 s) for
//!   `--storm-s` seconds;
//! - `5xx-storm`: every REST route answers 500, 502, 503 in turn for
//!   `--storm-s` seconds;
//! - `supervisor-kill`: `ladderd run` SIGKILLed, then started again at once
//!   on the same database.
//!
//! From the fault on, the probe sends `/leaderboard` every [`PROBE_EVERY`]
//! until one is answered: **resumed** is the fault → the first answer to an
//! interaction sent after the fault (as the bench saw it, polling every
//! 10 ms). Also given: the fault → every player has a card. A run ends when
//! every player has confirmed, the probe was answered, the storm is over
//! and the database owes no message; or [`FaultOptions::bound`] after the
//! fault, and then the figures say what was left.
//!
//! `worker-kill` runs the replay worker pool in this process (one worker,
//! the pool's defaults, as `discord::upload` uses it; no Discord): 2N
//! uploads of the corpus's files in turn, half at once, the worker
//! SIGKILLed once a verdict is out and it holds the next job, then the rest
//! submitted. Resumed: the kill → the next verdict. Nothing is told to an
//! uploader before their verdict, so here nothing acknowledged can be lost;
//! an upload answered with an error instead of a verdict is lost otherwise.
//!
//! **Acknowledged** is what a player was told: a queue join answered, a
//! card shown, a Confirm answered without ❌, a verdict. After each run the
//! database is read and every acknowledged thing must be in it (a card's
//! match, the player's match after a join, a confirm's timestamp): anything
//! missing is **lost acknowledged**, which must be 0. **Lost otherwise** is
//! what a player had to do again: interactions never answered, uploads
//! answered "try again".

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::BenchError;
use super::handling::{Answer, ask, steps};
use super::startup::{READY_BOUND, child_config, start, tail, terminate, wait_ready};
use crate::sim::{Dispatched, Fault, Interact, Place, RouteCounters, SimConfig, Simulator};

/// A click with no answer after this is clicked again (past Discord's 3 s
/// callback deadline, so the first will never be answered).
pub const RETRY: Duration = Duration::from_secs(4);
/// How often the probe asks while service is out.
pub const PROBE_EVERY: Duration = Duration::from_millis(250);
/// `[ladder] wave_interval_s` of the supervisor (the shortest it accepts).
const WAVE_INTERVAL: Duration = Duration::from_secs(5);
/// How often the bench looks at what the players have seen.
const POLL: Duration = Duration::from_millis(10);
/// 5xx faults queued for a storm (500, 502, 503 in turn); a storm that uses
/// them all up ends early, which the run reports.
const STORM_5XX: u32 = 3_000;

/// The faults, in the order they run.
pub const FAULTS: [&str; 6] = [
    "gateway-drop",
    "invalid-session",
    "429-storm",
    "5xx-storm",
    "worker-kill",
    "supervisor-kill",
];

#[derive(Debug, Clone)]
pub struct FaultOptions {
    /// Matches in the wave (2N players); uploads in `worker-kill`.
    pub matches: usize,
    /// How long a 429 or 5xx storm lasts.
    pub storm: Duration,
    /// The `ladderd` binary (the supervisor child, the replay worker).
    pub exe: PathBuf,
    /// The replay corpus (`worker-kill`).
    pub corpus: PathBuf,
    /// Which of [`FAULTS`] to run.
    pub faults: Vec<String>,
    /// How long a run may take from the fault until everything is settled.
    pub bound: Duration,
}

/// One fault's figures. Seconds are from the fault.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FaultRun {
    pub fault: &'static str,
    /// What "resumed" measures for this fault.
    pub resumed_means: &'static str,
    pub players: usize,
    /// Acknowledged before the fault: queue joins answered, cards shown,
    /// confirms answered (verdicts for `worker-kill`).
    pub joins_answered: usize,
    pub cards_before: usize,
    pub confirms_before: usize,
    pub verdicts_before: usize,
    /// Acknowledged after the fault.
    pub cards_after: usize,
    pub confirms_after: usize,
    pub verdicts_after: usize,
    /// Acknowledged to a player, not in the database afterwards (must be 0).
    pub lost_acknowledged: usize,
    /// What was lost, named (at most ten).
    pub lost_detail: Vec<String>,
    /// Player clicks never answered (the player clicked again), uploads
    /// answered "try again".
    pub lost_retried: usize,
    /// Probes (one every [`PROBE_EVERY`] until one was answered) never
    /// answered: the outage as an interaction sender saw it.
    pub probes_unanswered: usize,
    /// Confirms answered with ❌.
    pub refused: usize,
    /// Clicks on Show under a lobby mention (a player ladderd could reach
    /// neither by DM nor by followup: after a restart, one whose last
    /// interaction was answered by the old process).
    pub show_clicks: usize,
    /// Cards a player was shown twice for the same match.
    pub duplicate_cards: usize,
    /// Players without a card when the run ended.
    pub players_without_card: usize,
    /// Messages still owed (outbox rows not settled) when the supervisor
    /// stopped, and to whom with the start of their body (at most ten).
    pub owed_at_end: usize,
    pub owed_detail: Vec<String>,
    /// Simulator answers from the fault to the end of the run.
    pub requests: u64,
    pub http_429: u64,
    pub http_5xx: u64,
    pub client_errors: u64,
    /// Gateway: resumes and identifies from the fault on.
    pub resumes: u64,
    pub identifies: u64,
    /// Identifies refused (op 9) for Discord's one identify per 5 s.
    pub identifies_refused: u64,
    /// How long the fault itself lasted (a storm's length; 0 otherwise).
    pub fault_seconds: f64,
    /// Whether a 5xx storm used up its faults before its time.
    pub storm_ended_early: bool,
    pub resumed_seconds: Option<f64>,
    /// The fault → every player has a card (0 if they all had one before).
    pub all_cards_seconds: Option<f64>,
    /// `supervisor-kill`: exec of the new process → READY=1.
    pub restart_ready_seconds: Option<f64>,
    /// `worker-kill`: jobs the pool retried (1: the kill caught a parse).
    pub jobs_retried: u64,
    /// `worker-kill`: the kill → the worker healthy again.
    pub worker_back_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct FaultReport {
    pub matches: usize,
    pub storm_seconds: f64,
    pub runs: Vec<FaultRun>,
}

pub async fn run(opts: &FaultOptions) -> Result<FaultReport, BenchError> {
    let mut report = FaultReport {
        matches: opts.matches,
        storm_seconds: opts.storm.as_secs_f64(),
        runs: Vec::new(),
    };
    for &fault in FAULTS
        .iter()
        .filter(|f| opts.faults.iter().any(|o| o == *f))
    {
        let run = match fault {
            "worker-kill" => worker_run(opts).await?,
            _ => discord_run(fault, opts).await?,
        };
        report.runs.push(run);
    }
    Ok(report)
}

/// The match id, channel and message of `user`'s newest card (a message
/// with a `match:ID:confirm` button in their DMs or an ephemeral followup).
fn card(sim: &Simulator, user: u64) -> Option<(u64, u64, u64)> {
    cards(sim, user).into_iter().next_back()
}

fn cards(sim: &Simulator, user: u64) -> Vec<(u64, u64, u64)> {
    use twilight_model::channel::message::component::Component;
    let mut out = Vec::new();
    for s in sim.seen_by(user) {
        if !matches!(s.place, Place::Dm | Place::Ephemeral) {
            continue;
        }
        let buttons = s.message.components.iter().flat_map(|c| match c {
            Component::ActionRow(row) => row.components.iter().collect(),
            _ => Vec::new(),
        });
        for b in buttons {
            if let Component::Button(b) = b
                && let Some(id) = b.custom_id.as_deref().and_then(|c| {
                    c.strip_prefix("match:")?
                        .strip_suffix(":confirm")?
                        .parse()
                        .ok()
                })
            {
                out.push((id, s.message.channel_id.get(), s.message.id.get()));
            }
        }
    }
    out
}

fn answered_ok(sim: &Simulator, sent: &Dispatched) -> Option<bool> {
    sim.reply(sent)
        .map(|m| !m.content.starts_with('❌') && !m.content.starts_with('⏳'))
}

#[derive(Default)]
struct Player {
    user: u64,
    /// (match, channel, message) and when it was first seen.
    card: Option<(u64, u64, u64)>,
    card_at: Option<Instant>,
    click: Option<(Dispatched, Instant)>,
    confirmed_at: Option<Instant>,
    refused: bool,
    /// The lobby mention whose Show button they clicked, and the click.
    show: Option<(u64, Dispatched, Instant)>,
}

/// The newest lobby mention with a Show button per player: what ladderd
/// posts for a player it cannot reach by DM or followup.
fn show_pings(sim: &Simulator) -> BTreeMap<u64, u64> {
    use twilight_model::channel::message::component::Component;
    let mut out = BTreeMap::new();
    for m in sim.channel_messages(sim.ids().lobby) {
        let has_show = m.components.iter().any(|c| {
            match c {
            Component::ActionRow(row) => row.components.iter().any(|b| {
                matches!(b, Component::Button(b) if b.custom_id.as_deref() == Some("inbox:show"))
            }),
            _ => false,
        }
        });
        let mentioned = m
            .content
            .strip_prefix("<@")
            .and_then(|r| r.split_once('>'))
            .and_then(|(id, _)| id.parse::<u64>().ok());
        if let (true, Some(user)) = (has_show, mentioned) {
            out.insert(user, m.id.get());
        }
    }
    out
}

/// The supervisor child and where it reports.
struct Child {
    process: std::process::Child,
    stderr: PathBuf,
}

fn start_child(
    opts: &FaultOptions,
    sim: &Simulator,
    dir: &Path,
    round: usize,
) -> Result<(Child, tokio::net::UnixDatagram, Instant), BenchError> {
    let started = start(
        &opts.exe,
        None,
        dir,
        &dir.join("ladderd.toml"),
        &sim.config().token,
        &format!("-{round}"),
    )?;
    Ok((
        Child {
            process: started.process,
            stderr: started.stderr,
        },
        started.notify,
        started.exec,
    ))
}

async fn ready(
    child: &Child,
    notify: &tokio::net::UnixDatagram,
    exec: Instant,
) -> Result<f64, BenchError> {
    wait_ready(notify, exec, &mut Vec::new(), READY_BOUND)
        .await
        .map_err(|why| {
            BenchError::Failed(format!(
                "`ladderd run` {why}; its stderr: {}",
                tail(&child.stderr)
            ))
        })
}

fn since(before: RouteCounters, after: RouteCounters) -> RouteCounters {
    RouteCounters {
        requests: after.requests - before.requests,
        rate_limited: after.rate_limited - before.rate_limited,
        server_errors: after.server_errors - before.server_errors,
        client_errors: after.client_errors - before.client_errors,
        ..RouteCounters::default()
    }
}

async fn sign_up(sim: &Simulator, user: u64, i: usize) -> bool {
    for s in &steps("sign-up", i, 0) {
        if !matches!(ask(sim, user, s).await, Answer::Ok) {
            return false;
        }
    }
    true
}

/// `each(sim, user, index)` for every user at once; an error unless all say `true`.
async fn gather<F, Fut>(
    sim: &Arc<Simulator>,
    users: impl Iterator<Item = u64>,
    each: F,
) -> Result<(), BenchError>
where
    F: Fn(Arc<Simulator>, u64, usize) -> Fut,
    Fut: std::future::Future<Output = bool> + Send + 'static,
{
    let mut set = tokio::task::JoinSet::new();
    for (i, user) in users.enumerate() {
        set.spawn(each(sim.clone(), user, i));
    }
    while let Some(ok) = set.join_next().await {
        if !ok.unwrap_or(false) {
            return Err(BenchError::Failed(
                "a player's sign-up or queue was refused or went unanswered".into(),
            ));
        }
    }
    Ok(())
}

async fn discord_run(fault: &'static str, opts: &FaultOptions) -> Result<FaultRun, BenchError> {
    let dir = tempfile::tempdir().map_err(BenchError::io("creating a temporary directory"))?;
    let sim = Arc::new(Simulator::start(SimConfig::default()).await?);
    let text = child_config(&sim, dir.path(), 1, "normal")
        + &format!(
            "[ladder]\nwave_interval_s = {}\nconfirm_window_s = 600\n",
            WAVE_INTERVAL.as_secs()
        );
    std::fs::write(dir.path().join("ladderd.toml"), &text)
        .map_err(BenchError::io("writing the config"))?;
    let (mut child, notify, exec) = start_child(opts, &sim, dir.path(), 0)?;
    if let Err(e) = ready(&child, &notify, exec).await {
        terminate(child.process, READY_BOUND).await;
        return Err(e);
    }
    let outcome = drive(fault, opts, &sim, dir.path(), &mut child).await;
    let stopped = terminate(child.process, READY_BOUND).await;
    let (mut run, told) = outcome?;
    if !stopped.is_some_and(|s| s.success()) {
        return Err(BenchError::Failed(format!(
            "`ladderd run` did not stop cleanly after {fault} ({stopped:?}); its stderr: {}",
            tail(&child.stderr)
        )));
    }
    check_stored(&mut run, &dir.path().join("ladder.db"), &told).await?;
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
    Ok(run)
}

/// What the players were told, checked against the database afterwards.
#[derive(Debug, Default)]
struct Told {
    /// Players whose `/queue` was answered.
    joined: Vec<u64>,
    /// (player, match) of every card shown.
    cards: Vec<(u64, u64)>,
    /// (player, match) of every Confirm answered without ❌.
    confirms: Vec<(u64, u64)>,
}

/// The fault itself; a storm's end is the drive loop's.
async fn strike(
    fault: &'static str,
    opts: &FaultOptions,
    sim: &Simulator,
    dir: &Path,
    child: &mut Child,
) -> Result<Option<tokio::task::JoinHandle<Result<f64, BenchError>>>, BenchError> {
    match fault {
        "gateway-drop" => sim.gateway().drop_connections(),
        "invalid-session" => sim.gateway().invalid_session(false),
        "429-storm" => sim.inject(Fault::rate_limited(u32::MAX, Duration::from_secs(1)))?,
        "5xx-storm" => {
            for i in 0..STORM_5XX {
                sim.inject(Fault::server_error(1, [500, 502, 503][i as usize % 3]))?;
            }
        }
        "supervisor-kill" => {
            let _ = child.process.kill();
            let until = Instant::now() + READY_BOUND;
            while child.process.try_wait().ok().flatten().is_none() {
                if Instant::now() > until {
                    return Err(BenchError::Failed("`ladderd run` survived SIGKILL".into()));
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let (next, notify, exec) = start_child(opts, sim, dir, 1)?;
            *child = next;
            let stderr = child.stderr.clone();
            // READY is awaited beside the drive loop: the players keep
            // clicking while the new process starts.
            return Ok(Some(tokio::spawn(async move {
                wait_ready(&notify, exec, &mut Vec::new(), READY_BOUND)
                    .await
                    .map_err(|why| {
                        BenchError::Failed(format!(
                            "the restarted `ladderd run` {why}; its stderr: {}",
                            tail(&stderr)
                        ))
                    })
            })));
        }
        other => return Err(BenchError::Failed(format!("no such fault: {other}"))),
    }
    Ok(None)
}

async fn drive(
    fault: &'static str,
    opts: &FaultOptions,
    sim: &Arc<Simulator>,
    dir: &Path,
    child: &mut Child,
) -> Result<(FaultRun, Told), BenchError> {
    let n = opts.matches.max(1);
    let mut players: Vec<Player> = (0..2 * n)
        .map(|i| Player {
            user: sim.add_user(&format!("fault{i:04}")),
            ..Player::default()
        })
        .collect();
    let probe = sim.add_user("probe");
    let users: Vec<u64> = players.iter().map(|p| p.user).collect();
    gather(
        sim,
        users.iter().copied().chain([probe]),
        |sim, user, i| async move { sign_up(&sim, user, i).await },
    )
    .await?;
    // Everyone joins just after a wave, so one wave matches them all.
    let wave_ms = WAVE_INTERVAL.as_millis() as i64;
    let now_ms = crate::clock::Clock::now(&crate::clock::SystemClock);
    let next = crate::ladder::next_wave_after(now_ms, wave_ms);
    if next - now_ms < wave_ms / 2 {
        tokio::time::sleep(Duration::from_millis((next - now_ms + 100) as u64)).await;
    }
    let queue = steps("queue", 0, 1).remove(0);
    gather(sim, users.iter().copied(), |sim, user, _| {
        let queue = queue.clone();
        async move { matches!(ask(&sim, user, &queue).await, Answer::Ok) }
    })
    .await?;
    let mut told = Told {
        joined: players.iter().map(|p| p.user).collect(),
        ..Told::default()
    };
    let mut run = FaultRun {
        fault,
        resumed_means: "the fault → the first answer to an interaction sent after it",
        players: players.len(),
        joins_answered: players.len(),
        ..FaultRun::default()
    };
    let storm = matches!(fault, "429-storm" | "5xx-storm").then_some(opts.storm);
    let threshold = players.len().div_ceil(4);
    let leaderboard = steps("leaderboard", 0, 0).remove(0);
    // Until the fault: (when, counters, gateway stats then).
    let mut struck: Option<(Instant, RouteCounters, crate::sim::GatewayStats)> = None;
    let mut restarting = None;
    let mut storm_over = storm.is_none();
    let mut probes: Vec<(Dispatched, Instant)> = Vec::new();
    let mut resumed_at: Option<Instant> = None;
    let mut next_owed_check = Instant::now();
    // The wave: at most one wave interval plus the bound for its cards.
    let started = Instant::now();
    loop {
        let now = Instant::now();
        let limit = struck.map_or(started + opts.bound, |(t, ..)| t + opts.bound);
        if now > limit {
            break;
        }
        let pings = show_pings(sim);
        for p in &mut players {
            if p.card.is_none()
                && let Some(c) = card(sim, p.user)
            {
                p.card = Some(c);
                p.card_at = Some(now);
                told.cards.push((p.user, c.0));
            }
            // The lobby mentions them with Show: they click it (again if
            // that click went unanswered), as a person would.
            if let Some(&ping) = pings.get(&p.user) {
                let again = match &p.show {
                    None => true,
                    Some((m, ..)) if *m != ping => true,
                    Some((_, sent, at)) => {
                        let lost = sim.reply(sent).is_none() && now - *at > RETRY;
                        run.lost_retried += usize::from(lost);
                        lost
                    }
                };
                let click = Interact::Button {
                    custom_id: "inbox:show".into(),
                    message: Some(ping),
                };
                if again && let Ok(sent) = sim.interact(p.user, sim.ids().lobby, &click) {
                    run.show_clicks += 1;
                    p.show = Some((ping, sent, now));
                }
            }
            let Some((id, channel, message)) = p.card else {
                continue;
            };
            if p.confirmed_at.is_some() || p.refused {
                continue;
            }
            match &p.click {
                Some((sent, at)) => match answered_ok(sim, sent) {
                    Some(true) => {
                        p.confirmed_at = Some(now);
                        told.confirms.push((p.user, id));
                    }
                    Some(false) => p.refused = true,
                    None if now - *at > RETRY => {
                        run.lost_retried += 1;
                        p.click = None;
                    }
                    None => {}
                },
                None => {
                    let click = Interact::Button {
                        custom_id: format!("match:{id}:confirm"),
                        message: Some(message),
                    };
                    if let Ok(sent) = sim.interact(p.user, channel, &click) {
                        p.click = Some((sent, now));
                    }
                }
            }
        }
        let carded = players.iter().filter(|p| p.card.is_some()).count();
        match struck {
            None if carded >= threshold => {
                run.cards_before = carded;
                run.confirms_before = players.iter().filter(|p| p.confirmed_at.is_some()).count();
                let before = (sim.totals(), sim.gateway().stats());
                restarting = strike(fault, opts, sim, dir, child).await?;
                struck = Some((Instant::now(), before.0, before.1));
            }
            None => {}
            Some((t0, ..)) => {
                if let Some(len) = storm
                    && !storm_over
                    && now - t0 >= len
                {
                    run.storm_ended_early = sim.faults_left() == 0;
                    sim.clear_faults();
                    storm_over = true;
                    run.fault_seconds = (now - t0).as_secs_f64();
                }
                if resumed_at.is_none() {
                    if probes
                        .iter()
                        .any(|(s, _)| answered_ok(sim, s) == Some(true))
                    {
                        resumed_at = Some(now);
                    } else if probes.last().is_none_or(|(_, at)| now - *at >= PROBE_EVERY)
                        && let Ok(sent) = sim.interact(probe, sim.ids().lobby, &leaderboard)
                    {
                        probes.push((sent, now));
                    }
                }
                if let Some(task) = restarting.take_if(|t| t.is_finished()) {
                    let ready = task
                        .await
                        .map_err(|e| BenchError::Failed(format!("waiting for READY: {e}")))??;
                    run.restart_ready_seconds = Some(ready);
                }
                let settled = players
                    .iter()
                    .all(|p| p.confirmed_at.is_some() || p.refused)
                    && resumed_at.is_some()
                    && storm_over
                    && restarting.is_none()
                    && probes
                        .iter()
                        .all(|(s, at)| sim.reply(s).is_some() || now - *at > RETRY);
                // Then what the confirms owe ("match started" …) is sent
                // too: the database's outbox, read at most twice a second.
                if settled && now >= next_owed_check {
                    next_owed_check = now + Duration::from_millis(500);
                    if owed(&dir.join("ladder.db")).await? == 0 {
                        break;
                    }
                }
            }
        }
        tokio::time::sleep(POLL).await;
    }
    let Some((t0, counters, gateway)) = struck else {
        return Err(BenchError::Failed(format!(
            "{fault}: only {} of {} players had a card within {:?}",
            players.iter().filter(|p| p.card.is_some()).count(),
            players.len(),
            opts.bound
        )));
    };
    if let Some(task) = restarting {
        task.abort();
    }
    let after = since(counters, sim.totals());
    let gw = sim.gateway().stats();
    run.requests = after.requests;
    run.http_429 = after.rate_limited;
    run.http_5xx = after.server_errors;
    run.client_errors = after.client_errors;
    run.resumes = gw.resumes - gateway.resumes;
    run.identifies = gw.identifies - gateway.identifies;
    run.resumed_seconds = resumed_at.map(|at| (at - t0).as_secs_f64());
    run.identifies_refused = gw.identifies_refused - gateway.identifies_refused;
    run.probes_unanswered = probes
        .iter()
        .filter(|(s, _)| sim.reply(s).is_none())
        .count();
    run.refused = players.iter().filter(|p| p.refused).count();
    run.cards_after = players
        .iter()
        .filter(|p| p.card_at.is_some_and(|at| at > t0))
        .count();
    run.confirms_after = players
        .iter()
        .filter(|p| p.confirmed_at.is_some_and(|at| at > t0))
        .count();
    run.players_without_card = players.iter().filter(|p| p.card.is_none()).count();
    run.all_cards_seconds = (run.players_without_card == 0).then(|| {
        players
            .iter()
            .filter_map(|p| p.card_at)
            .max()
            .map_or(0.0, |last| last.saturating_duration_since(t0).as_secs_f64())
    });
    for p in &players {
        let mut per_match: BTreeMap<u64, usize> = BTreeMap::new();
        for (id, ..) in cards(sim, p.user) {
            *per_match.entry(id).or_default() += 1;
        }
        run.duplicate_cards += per_match.values().map(|n| n - 1).sum::<usize>();
    }
    Ok((run, told))
}

/// Outbox rows not yet settled.
async fn owed(db: &Path) -> Result<usize, BenchError> {
    Ok(snapshot(db).await?.outbox.len())
}

async fn snapshot(db: &Path) -> Result<crate::store::Snapshot, BenchError> {
    let config = crate::config::StoreConfig::at(db);
    Ok(
        tokio::task::spawn_blocking(move || crate::store::load_snapshot(&config))
            .await
            .map_err(|e| BenchError::Failed(format!("reading the database: {e}")))??,
    )
}

/// Every acknowledged thing must be in the database (read once the
/// supervisor has stopped).
async fn check_stored(run: &mut FaultRun, db: &Path, told: &Told) -> Result<(), BenchError> {
    let snapshot = snapshot(db).await?;
    run.owed_at_end = snapshot.outbox.len();
    run.owed_detail = snapshot
        .outbox
        .iter()
        .take(10)
        .map(|o| {
            let body: String = o.body_json.chars().take(80).collect();
            format!("{:?}: {body}", o.to)
        })
        .collect();
    let matches: BTreeMap<u64, &crate::store::rows::MatchRow> =
        snapshot.matches.iter().map(|m| (m.id, m)).collect();
    let mut lost = Vec::new();
    for &user in &told.joined {
        if !matches
            .values()
            .any(|m| m.player1_id == user || m.player2_id == user)
        {
            lost.push(format!("player {user}'s queue join: in no stored match"));
        }
    }
    for &(user, id) in &told.cards {
        if !matches
            .get(&id)
            .is_some_and(|m| m.player1_id == user || m.player2_id == user)
        {
            lost.push(format!("player {user}'s card for match {id}: not stored"));
        }
    }
    for &(user, id) in &told.confirms {
        let stored = matches.get(&id).is_some_and(|m| {
            (m.player1_id == user && m.confirmed1_at.is_some())
                || (m.player2_id == user && m.confirmed2_at.is_some())
        });
        if !stored {
            lost.push(format!("player {user}'s confirm of match {id}: not stored"));
        }
    }
    run.lost_acknowledged = lost.len();
    lost.truncate(10);
    run.lost_detail = lost;
    Ok(())
}

async fn worker_run(opts: &FaultOptions) -> Result<FaultRun, BenchError> {
    use crate::replay::{ParseLevel, Pool, PoolOptions};
    let corpus = opts.corpus.clone();
    let files = tokio::task::spawn_blocking(move || super::uploads::load_corpus(&corpus))
        .await
        .map_err(|e| BenchError::Failed(format!("reading the corpus: {e}")))?;
    if files.is_empty() {
        return Err(BenchError::Failed(format!(
            "no replay ladderd parses in {}",
            opts.corpus.display()
        )));
    }
    let files = Arc::new(files);
    let tmp = tempfile::tempdir().map_err(BenchError::io("creating a temporary directory"))?;
    let mut o = PoolOptions::new(1, tmp.path());
    o.worker_exe = opts.exe.clone();
    let pool = Arc::new(
        Pool::start(o).map_err(|e| BenchError::Failed(format!("starting the pool: {e}")))?,
    );
    if !pool.wait_healthy(1, READY_BOUND).await {
        return Err(BenchError::Failed("the replay worker did not start".into()));
    }
    let uploads = 2 * opts.matches.max(1);
    let submit = |i: usize| {
        let (pool, files) = (pool.clone(), files.clone());
        tokio::spawn(async move {
            let bytes = files[i % files.len()].clone();
            let r = pool.parse(bytes, ParseLevel::Verification).await;
            (r.map(|_| ()), Instant::now())
        })
    };
    let first = uploads.div_ceil(2);
    let mut jobs: Vec<_> = (0..first).map(submit).collect();
    // The kill: once a verdict is out and the worker holds the next job (or
    // every job of the first half is done: then it falls between jobs, and
    // `jobs_retried` says 0).
    let until = Instant::now() + READY_BOUND;
    loop {
        let st = pool.stats();
        if (st.jobs_ok >= 1 && st.busy >= 1) || st.jobs_ok + st.jobs_failed >= first as u64 {
            break;
        }
        if Instant::now() > until {
            return Err(BenchError::Failed("no verdict from the worker".into()));
        }
        tokio::task::yield_now().await;
    }
    let before = pool.stats();
    let Some(&pid) = pool.worker_pids().first() else {
        return Err(BenchError::Failed("the pool has no worker to kill".into()));
    };
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid as i32),
        nix::sys::signal::Signal::SIGKILL,
    );
    let t0 = Instant::now();
    jobs.extend((first..uploads).map(submit));
    let mut run = FaultRun {
        fault: "worker-kill",
        resumed_means: "the SIGKILL → the next verdict (nothing is told to the uploader before \
                        its verdict, so no acknowledgement can be lost; one without a verdict \
                        is told to upload again)",
        players: uploads,
        ..FaultRun::default()
    };
    // The worker back: restarted and healthy.
    let back = {
        let pool = pool.clone();
        tokio::spawn(async move {
            while Instant::now() < until {
                let st = pool.stats();
                if st.restarts > before.restarts && st.healthy >= 1 {
                    return Some(t0.elapsed().as_secs_f64());
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            None
        })
    };
    let mut first_after: Option<Instant> = None;
    for job in jobs {
        let (r, at) = job
            .await
            .map_err(|e| BenchError::Failed(format!("an upload task failed: {e}")))?;
        match r {
            Ok(()) if at < t0 => run.verdicts_before += 1,
            Ok(()) => {
                run.verdicts_after += 1;
                first_after = Some(first_after.map_or(at, |f| f.min(at)));
            }
            Err(e) => {
                run.lost_retried += 1;
                if run.lost_detail.len() < 10 {
                    run.lost_detail.push(format!("an upload answered: {e}"));
                }
            }
        }
    }
    run.resumed_seconds = first_after.map(|at| (at - t0).as_secs_f64());
    run.worker_back_seconds = back.await.ok().flatten();
    run.jobs_retried = pool.stats().retries - before.retries;
    if let Ok(pool) = Arc::try_unwrap(pool) {
        pool.shutdown().await;
    }
    Ok(run)
}

impl FaultReport {
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let secs = |s: Option<f64>| s.map_or_else(|| "—".to_owned(), |s| format!("{s:.2} s"));
        let mut t = format!(
            "ladderd bench faults: a fault mid-wave, {} matches ({} players), storms of {:.0} s\n\n\
             | fault | acknowledged before (joins / cards / confirms) | acknowledged after (cards / confirms) | lost acknowledged | lost otherwise (player retries) | requests | 429s | 5xx | resumed after | all cards after | notes |\n\
             |---|---|---|---:|---:|---:|---:|---:|---:|---:|---|\n",
            self.matches,
            2 * self.matches,
            self.storm_seconds
        );
        for r in &self.runs {
            let (before, after) = if r.fault == "worker-kill" {
                (
                    format!("{} verdicts", r.verdicts_before),
                    format!("{} verdicts", r.verdicts_after),
                )
            } else {
                (
                    format!(
                        "{} / {} / {}",
                        r.joins_answered, r.cards_before, r.confirms_before
                    ),
                    format!("{} / {}", r.cards_after, r.confirms_after),
                )
            };
            let mut notes = Vec::new();
            if r.fault_seconds > 0.0 {
                notes.push(format!("storm {:.1} s", r.fault_seconds));
            }
            if r.storm_ended_early {
                notes.push("storm used up its faults early".to_owned());
            }
            if r.resumes + r.identifies > 0 {
                notes.push(format!(
                    "{} resume(s), {} identify(s)",
                    r.resumes, r.identifies
                ));
            }
            if let Some(s) = r.restart_ready_seconds {
                notes.push(format!("exec → READY {s:.2} s"));
            }
            if r.fault == "worker-kill" {
                notes.push(format!("{} job(s) retried", r.jobs_retried));
                if let Some(s) = r.worker_back_seconds {
                    notes.push(format!("worker back {s:.2} s"));
                }
            }
            let counted = [
                (
                    r.identifies_refused as usize,
                    "identify(s) refused (one per 5 s)",
                ),
                (r.probes_unanswered, "probe(s) unanswered"),
                (r.show_clicks, "Show click(s) in the lobby"),
                (r.duplicate_cards, "card(s) shown twice"),
                (r.refused, "confirm(s) refused"),
                (r.players_without_card, "player(s) without a card"),
                (r.owed_at_end, "message(s) still owed"),
            ];
            for (n, what) in counted.into_iter().filter(|(n, _)| *n > 0) {
                notes.push(format!("{n} {what}"));
            }
            // The pool run makes no Discord request.
            let net = |n: u64| {
                if r.fault == "worker-kill" {
                    "—".to_owned()
                } else {
                    n.to_string()
                }
            };
            let _ = writeln!(
                t,
                "| {} | {before} | {after} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.fault,
                r.lost_acknowledged,
                r.lost_retried,
                net(r.requests),
                net(r.http_429),
                net(r.http_5xx),
                secs(r.resumed_seconds),
                secs(r.all_cards_seconds),
                notes.join("; "),
            );
        }
        let _ = writeln!(t, "\nresumed after:");
        let mut means: Vec<(&str, Vec<&str>)> = Vec::new();
        for r in &self.runs {
            match means.iter_mut().find(|(m, _)| *m == r.resumed_means) {
                Some((_, faults)) => faults.push(r.fault),
                None => means.push((r.resumed_means, vec![r.fault])),
            }
        }
        for (m, faults) in means {
            let _ = writeln!(t, "  {}: {m}", faults.join(", "));
        }
        for r in self.runs.iter().filter(|r| !r.lost_detail.is_empty()) {
            let _ = writeln!(t, "\nlost in {}: {}", r.fault, r.lost_detail.join("; "));
        }
        for r in self.runs.iter().filter(|r| !r.owed_detail.is_empty()) {
            let _ = writeln!(t, "\nowed after {}: {}", r.fault, r.owed_detail.join("; "));
        }
        t
    }
}
