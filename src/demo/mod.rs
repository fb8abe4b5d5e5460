//! `ladderd demo`: the whole system on this machine with no token and no
//! setup — a temporary database, the local Discord simulator, the real
//! supervisor with its replay workers, and a seeded population of virtual
//! players who sign up, queue, confirm, play, report and upload replays
//! through Discord interactions, exactly as people would.
//!
//! The simulator runs on its defaults ([`crate::sim::Realism`]): latency,
//! DM-open anti-spam, 15 % closed DMs, thread creation refused for minutes,
//! the invalid-request ban. No limit is raised for the demo.
//!
//! Ladder time is a [`ManualClock`]. While a match waits for confirmation,
//! ladder time is wall time (the driver's confirm window): cards that
//! arrive late lapse as they would on Discord. Only while no match waits
//! does the driver jump ladder time forward (wave to wave, game ends), after
//! every interaction is answered and ladderd's outbound queue is empty or
//! waiting out a `Retry-After` Discord imposed.
//!
//! **What counts as an error** (exit 1): what ladderd does wrong — a ❌ a
//! player was shown, an interaction left unanswered, a card shown out of
//! order to a player who could have read the notice before it, a 429 of
//! `user` or `global` scope (ladderd's pacer should never meet one), a
//! request ladderd gave up on that Discord did not refuse, an uploaded
//! replay not verified, the supervisor failing. What Discord imposes — 403
//! 40003 and 50007, shared-scope 429s, and the matches lost because a card
//! could not reach a player in time — is a figure the summary reports, not
//! an error: the delivery work (issue #14) is judged on those figures.
//!
//! Two phases:
//! 1. **Replay rounds** (when the replay corpus is found): for each real
//!    corpus game, its two players (names, races) queue alone with every map
//!    but the game's vetoed, at the game's date; they confirm, and one
//!    uploads the replay, which the worker pool parses and verifies with
//!    every check on. Corpus games are real games on real dates, so the
//!    match is made to fit the replay: the pair queues alone at the game's
//!    date minus eight minutes, every map but the game's vetoed (the demo's
//!    pool is the corpus games' maps, `max_vetoes` = pool − 1), and uploads
//!    after the game's end. Nothing is relaxed or rewritten; a game that
//!    cannot fit (a best-of-three between the same players within minutes:
//!    ladder time only moves forward) is skipped and said so. The simulator's
//!    default route limit (5 per 5 s) is its own guess for routes Discord does
//!    not document: the demo raises two (opening DM channels 50/s, creating
//!    threads 50 per 5 s) and prints that it does.
//! 2. **The population**: `--players` virtual players with a hidden skill
//!    play `--minutes` of ladder time: join, confirm (3 % let the window
//!    lapse), play 8–20 minutes, report the result the hidden skills decide.
//!
//! The summary's match and replay counts are read from the database after
//! the supervisor has stopped.

pub(crate) mod driver;
pub mod replays;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::clock::ManualClock;
use crate::config::{Config, StoreConfig};
use crate::sim::{SimConfig, Simulator};
use crate::store::rows::{MatchState, ReplayVerdict};
use crate::supervisor::{self, Environment};

/// How the demo runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub players: usize,
    /// Simulated ladder minutes of the population phase.
    pub minutes: u32,
    pub seed: u64,
    /// Ladder time = wall time throughout the population phase (the field
    /// test); otherwise compressed between confirm windows.
    pub realtime: bool,
    /// Write an HTML transcript of what one player saw here: the player named
    /// by `transcript_player`, else the first who saw a match card.
    pub transcript: Option<PathBuf>,
    pub transcript_player: Option<String>,
    /// Keep the database here (must not exist yet).
    pub keep_db: Option<PathBuf>,
    /// The replay corpus; `None` skips the replay rounds.
    pub corpus: Option<PathBuf>,
    /// The binary the replay workers run (`ladderd worker`).
    pub worker_exe: PathBuf,
    /// Print a live progress line to stderr.
    pub progress: Progress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Rewrite one line (a terminal).
    Line,
    /// A line every few seconds (a log).
    Lines,
    Quiet,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("--keep-db {0}: the file exists; the demo writes a new database only")]
    KeepDbExists(PathBuf),
    #[error("creating the demo's temporary directory: {0}")]
    TempDir(#[source] std::io::Error),
    #[error("starting the Discord simulator: {0}")]
    Sim(#[from] crate::sim::SimError),
    #[error("the demo's configuration was refused (a bug): {0}")]
    Config(String),
    #[error("the supervisor did not start: {0}")]
    Supervisor(String),
    #[error("reading the demo's database: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// What the demo did; `--summary-json` writes this object.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// The simulator's realism settings, one line each (printed first).
    pub realism: Vec<String>,
    pub players: usize,
    pub seed: u64,
    pub simulated_minutes: u32,
    pub wall_seconds: f64,
    pub waves: u64,
    pub interactions: u64,
    pub matches_found: u64,
    pub matches_completed: u64,
    pub matches_abandoned: u64,
    pub matches_open_at_end: u64,
    pub replay_rounds: u64,
    pub replays_uploaded: u64,
    pub replays_verified: u64,
    pub http_requests: u64,
    pub http_429: u64,
    /// 429s of `user` or `global` scope: ladderd's pacer met a limit it
    /// should have seen coming (an error).
    pub http_429_paced: u64,
    /// 429s of `shared` scope and of the invalid-request ban: imposed.
    pub http_429_shared: u64,
    /// Answers by status, Discord error code and 429 scope (`"403 50007"`).
    pub http_answers: BTreeMap<String, u64>,
    /// 403 40003 / 50007, shared-scope 429s and ban answers: refusals
    /// Discord imposes whatever the client does.
    pub discord_refusals: u64,
    /// Requests the scheduler gave up on (refused or retried out).
    pub http_failed: u64,
    /// Most invalid requests (401/403/429, shared scope excepted) in a
    /// ten-minute window, as the demo sampled it, and Discord's limit.
    pub invalid_requests_peak_10min: u64,
    pub invalid_request_limit: u64,
    /// Time from a match's creation to each player seeing its card (ms,
    /// ladder time = wall time in confirm windows); cards never seen are
    /// not in these, they are in `matches_lost_to_delivery`.
    pub card_latency_p50_ms: Option<i64>,
    pub card_latency_p95_ms: Option<i64>,
    pub card_latency_max_ms: Option<i64>,
    pub cards_seen: usize,
    /// Matches abandoned although both players would have confirmed in time
    /// (their seeded decision): a card reached one of them late or never.
    pub matches_lost_to_delivery: u64,
    pub replay_rounds_lost_to_delivery: u64,
    /// New cards that reached a player with closed DMs before they could
    /// know their previous match was abandoned.
    pub cards_before_abandon_notice: u64,
    /// Cards that reached a player after their match had lapsed.
    pub stale_cards: u64,
    /// The same card figures per wave (matches made at one moment).
    pub per_wave: Vec<WaveFigures>,
    /// Lobby mentions of a player ladderd could not reach otherwise that
    /// the player clicked ("Show").
    pub lobby_mentions_clicked: u64,
    /// Presence (#15), as the players saw it: "someone is searching" pings
    /// (in all, and per hour of ladder time), "still searching?" questions,
    /// and players removed for not answering.
    pub searching_pings: u64,
    pub searching_pings_per_hour: f64,
    pub still_searching_asked: u64,
    pub removed_by_queue_expiry: u64,
    /// Where ladderd delivered messages: (path, count) for "dm",
    /// "followup", "channel"; DM channels opened, 40003s, closed DMs found.
    pub delivered_by: BTreeMap<String, u64>,
    pub requests_by_route: BTreeMap<String, u64>,
    pub http_429_by_route: BTreeMap<String, u64>,
    pub handle_p50_us: u32,
    pub handle_p99_us: u32,
    pub handled_interactions: usize,
    /// Spearman correlation of the population's ratings with their hidden
    /// skill (players with at least one rated game); `None` below 3 players.
    pub rating_skill_spearman: Option<f64>,
    pub errors: u64,
    /// The first few errors, for the reader.
    pub error_samples: Vec<String>,
    pub notes: Vec<String>,
    pub stopped_early: bool,
}

impl Summary {
    /// No ladderd failure (see the module doc: Discord-imposed refusals
    /// are figures, not errors) and no paced 429.
    pub fn ok(&self) -> bool {
        self.errors == 0 && self.http_429_paced == 0 && !self.stopped_early
    }

    /// The table printed at the end.
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut t = String::new();
        let row = |t: &mut String, k: &str, v: String| {
            let _ = writeln!(t, "  {k:<28} {v}");
        };
        let _ = writeln!(t, "ladderd demo — summary");
        let _ = writeln!(
            t,
            "  simulated Discord (defaults, nothing raised for the demo):"
        );
        for r in &self.realism {
            let _ = writeln!(t, "    {r}");
        }
        row(&mut t, "players", self.players.to_string());
        row(&mut t, "seed", self.seed.to_string());
        row(
            &mut t,
            "ladder time (population)",
            format!("{} min", self.simulated_minutes),
        );
        row(&mut t, "wall time", format!("{:.1} s", self.wall_seconds));
        row(&mut t, "waves", self.waves.to_string());
        row(&mut t, "interactions", self.interactions.to_string());
        row(&mut t, "matches found", self.matches_found.to_string());
        row(
            &mut t,
            "matches completed",
            self.matches_completed.to_string(),
        );
        row(
            &mut t,
            "matches abandoned",
            self.matches_abandoned.to_string(),
        );
        row(
            &mut t,
            "matches still open at end",
            self.matches_open_at_end.to_string(),
        );
        row(
            &mut t,
            "replays uploaded / verified",
            format!("{} / {}", self.replays_uploaded, self.replays_verified),
        );
        let ms = |v: Option<i64>| v.map_or("-".to_owned(), |v| format!("{v} ms"));
        row(
            &mut t,
            "card latency p50/p95/max",
            format!(
                "{} / {} / {} over {} cards",
                ms(self.card_latency_p50_ms),
                ms(self.card_latency_p95_ms),
                ms(self.card_latency_max_ms),
                self.cards_seen
            ),
        );
        row(
            &mut t,
            "matches lost to delivery",
            format!(
                "{} (+ {} replay rounds)",
                self.matches_lost_to_delivery, self.replay_rounds_lost_to_delivery
            ),
        );
        row(
            &mut t,
            "cards before abandon notice",
            self.cards_before_abandon_notice.to_string(),
        );
        row(
            &mut t,
            "cards after their window",
            self.stale_cards.to_string(),
        );
        let _ = writeln!(
            t,
            "  per wave (matches, cards seen, card p50/p95/max, lost to delivery):"
        );
        let ms = |v: Option<i64>| v.map_or("-".to_owned(), |v| v.to_string());
        for w in &self.per_wave {
            let secs = w.at.div_euclid(1000).rem_euclid(86_400);
            let _ = writeln!(
                t,
                "    {:02}:{:02}:{:02} UTC  {:>4} matches  {:>4} cards  {:>6} / {:>6} / {:>6} ms  {} lost",
                secs / 3600,
                secs / 60 % 60,
                secs % 60,
                w.matches,
                w.cards_seen,
                ms(w.card_latency_p50_ms),
                ms(w.card_latency_p95_ms),
                ms(w.card_latency_max_ms),
                w.lost_to_delivery
            );
        }
        row(
            &mut t,
            "delivered by",
            self.delivered_by
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        row(
            &mut t,
            "lobby mentions clicked",
            self.lobby_mentions_clicked.to_string(),
        );
        row(
            &mut t,
            "presence",
            format!(
                "{} searching pings ({:.0}/h), {} asked \"still searching?\", {} removed unanswered",
                self.searching_pings,
                self.searching_pings_per_hour,
                self.still_searching_asked,
                self.removed_by_queue_expiry
            ),
        );
        row(&mut t, "HTTP requests", self.http_requests.to_string());
        row(
            &mut t,
            "HTTP 429s",
            format!(
                "{} ({} paced by ladderd: errors; {} shared/ban: imposed)",
                self.http_429, self.http_429_paced, self.http_429_shared
            ),
        );
        for (route, n) in &self.http_429_by_route {
            let _ = writeln!(t, "    {n:>7}  {route}");
        }
        row(
            &mut t,
            "Discord-imposed refusals",
            self.discord_refusals.to_string(),
        );
        let _ = writeln!(t, "  HTTP answers by status / code / scope:");
        for (k, n) in &self.http_answers {
            let _ = writeln!(t, "    {n:>7}  {k}");
        }
        row(
            &mut t,
            "invalid requests (10 min)",
            format!(
                "{} peak of {} ({:.2} %)",
                self.invalid_requests_peak_10min,
                self.invalid_request_limit,
                100.0 * self.invalid_requests_peak_10min as f64
                    / self.invalid_request_limit.max(1) as f64
            ),
        );
        row(&mut t, "requests given up", self.http_failed.to_string());
        row(
            &mut t,
            "handling p50 / p99 (5 min)",
            format!(
                "{} µs / {} µs over {} interactions",
                self.handle_p50_us, self.handle_p99_us, self.handled_interactions
            ),
        );
        if let Some(rho) = self.rating_skill_spearman {
            row(
                &mut t,
                "rating vs hidden skill",
                format!("Spearman {rho:.3}"),
            );
        }
        row(&mut t, "errors", self.errors.to_string());
        for e in &self.error_samples {
            let _ = writeln!(t, "    - {e}");
        }
        let _ = writeln!(t, "  requests per route:");
        for (route, n) in &self.requests_by_route {
            let _ = writeln!(t, "    {n:>7}  {route}");
        }
        for n in &self.notes {
            let _ = writeln!(t, "  note: {n}");
        }
        t
    }
}

/// Wave interval of the demo ladder (the production default).
pub const WAVE_MS: i64 = 45_000;
/// The demo asks "still searching?" after this long (the ladder's default
/// is 30 min; a 10-minute demo would never ask), so the field test
/// exercises queue expiry.
pub const QUEUE_EXPIRY_MINUTES: u32 = 2;

/// Where the population phase starts when there are no replay rounds:
/// Monday 2026-01-05 00:00 UTC (a fixed date, so a seed replays exactly).
const POPULATION_EPOCH_MS: i64 = 1_767_571_200_000;

/// Runs the demo to the end (or until `stop`), then stops everything.
pub async fn run(opts: DemoOptions, stop: CancellationToken) -> Result<Summary, DemoError> {
    let began = Instant::now();
    if let Some(p) = &opts.keep_db
        && p.exists()
    {
        return Err(DemoError::KeepDbExists(p.clone()));
    }
    let games = match opts.corpus.clone() {
        Some(dir) => {
            let exe = opts.worker_exe.clone();
            tokio::task::spawn_blocking(move || replays::load(&dir, &exe))
                .await
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    let mut notes = Vec::new();
    match &opts.corpus {
        None => notes.push(
            "no replay corpus found (set LADDERD_REPLAY_CORPUS): no replay rounds were played"
                .to_owned(),
        ),
        Some(dir) if games.is_empty() => notes.push(format!(
            "{} holds no replay the demo can re-enact: no replay rounds were played",
            dir.display()
        )),
        Some(dir) => notes.push(format!(
            "{} replay rounds re-enact real games from {} at their dates, with every verification check on",
            games.len(),
            dir.display()
        )),
    }
    let mut maps: Vec<String> = games.iter().map(|g| g.map.clone()).collect();
    maps.sort();
    maps.dedup();

    let dir = tempfile::tempdir().map_err(DemoError::TempDir)?;
    let db = opts
        .keep_db
        .clone()
        .unwrap_or_else(|| dir.path().join("ladder.db"));
    let sim_config = SimConfig {
        // The seed plays the simulated Discord too (latency draws, who
        // has DMs closed).
        realism: crate::sim::Realism {
            seed: opts.seed,
            ..crate::sim::Realism::default()
        },
        ..SimConfig::default()
    };
    let realism_lines = sim_config.realism.describe();
    let invalid_request_limit = sim_config
        .realism
        .invalid_request_ban
        .map_or(10_000, |b| u64::from(b.limit));
    let sim = Simulator::start(sim_config).await?;
    let config = demo_config(&sim, &db, &dir.path().join("run"), &maps)?;
    crate::logging::init(&config.log);

    let start_ms = match games.first() {
        Some(g) => g.start_ms - 3_600_000,
        None => POPULATION_EPOCH_MS,
    };
    let clock = ManualClock::at(crate::ladder::next_wave_after(start_ms, WAVE_MS) - 1);
    let env = Environment {
        clock: Arc::new(clock.clone()),
        seed: Some(opts.seed),
        // The driver ticks; the loop's own timer only backs it up.
        tick_every: Duration::from_secs(3600),
        discord: Some(sim.discord_runtime()),
        worker_exe: Some(opts.worker_exe.clone()),
        ..Environment::default()
    };
    let shutdown = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(supervisor::run(
        config.clone(),
        env,
        shutdown.clone(),
        move |r| {
            let _ = tx.send(r);
        },
    ));
    let running = match tokio::time::timeout(Duration::from_secs(60), rx).await {
        Ok(Ok(r)) => r,
        _ => {
            shutdown.cancel();
            let why = match task.await {
                Ok(Err(e)) => e.to_string(),
                _ => "it did not report READY within 60 s".to_owned(),
            };
            sim.shutdown().await;
            return Err(DemoError::Supervisor(why));
        }
    };

    let mut driver = driver::Driver::new(
        &sim,
        Some(&running),
        clock.clone(),
        &opts,
        db.clone(),
        stop.clone(),
    );
    for game in &games {
        if stop.is_cancelled() {
            break;
        }
        driver.replay_round(game, &maps).await;
    }
    let population_start = crate::ladder::next_wave_after(
        games
            .last()
            .map_or(POPULATION_EPOCH_MS, |g| g.end_ms + 3_600_000),
        WAVE_MS,
    ) - 1;
    if !stop.is_cancelled() {
        driver
            .population(opts.players, opts.minutes, population_start)
            .await;
    }
    let mut outcome = driver.finish().await;
    if let Some(path) = &opts.transcript {
        let user = match &opts.transcript_player {
            Some(name) => driver.user_named(name),
            None => outcome.cards_seen.first().map(|(_, user, _)| *user),
        };
        match user {
            Some(user) => {
                let page = crate::sim::transcript::html(&sim, user);
                if let Err(e) = std::fs::write(path, page) {
                    notes.push(format!(
                        "the transcript could not be written to {}: {e}",
                        path.display()
                    ));
                } else {
                    notes.push(format!(
                        "transcript of what {} saw: {}",
                        sim.user_name(user).unwrap_or_default(),
                        path.display()
                    ));
                }
            }
            None => notes.push("no transcript: no such player, or nobody saw a card".to_owned()),
        }
    }
    if !outcome.skipped_games.is_empty() {
        notes.push(format!(
            "{} corpus games were not re-enacted: each starts within minutes of the previous round's upload, and ladder time only moves forward ({})",
            outcome.skipped_games.len(),
            outcome
                .skipped_games
                .iter()
                .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    let handling = running
        .handling
        .percentiles(tokio::time::Instant::now().into_std());
    let http_failed = running
        .http
        .as_ref()
        .map_or(0, |h| h.failed.load(std::sync::atomic::Ordering::Relaxed));
    let running_delivery: BTreeMap<String, u64> = running
        .delivery
        .as_ref()
        .map(|d| {
            let n = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed);
            [
                ("dm", n(&d.by_dm)),
                ("followup", n(&d.by_followup)),
                ("channel", n(&d.by_channel)),
                ("DM channels opened", n(&d.dm_opened)),
                ("DM opens refused (40003)", n(&d.dm_open_refused)),
                ("closed DMs found", n(&d.dms_closed)),
                ("lobby mentions", n(&d.pings)),
                ("expired undelivered", n(&d.expired)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
        })
        .unwrap_or_default();
    // The supervisor stops the worker pool only once nobody else holds it.
    drop(driver);
    drop(running);
    shutdown.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(60), task).await;
    let counters = sim.counters();
    let totals = sim.totals();
    let answers = sim.answers();
    let invalid_now = sim.invalid_requests().0;
    sim.shutdown().await;
    let mut errors = std::mem::take(&mut outcome.errors);
    match stopped {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => errors.push(format!("the supervisor stopped with an error: {e}")),
        Ok(Err(e)) => errors.push(format!("the supervisor task failed: {e}")),
        Err(_) => errors.push("the supervisor did not stop within 60 s".to_owned()),
    }

    let snapshot = crate::store::load_snapshot(&StoreConfig::at(db.clone()))?;
    let count =
        |state: MatchState| snapshot.matches.iter().filter(|m| m.state == state).count() as u64;
    let replays_verified = snapshot
        .replays
        .iter()
        .filter(|r| r.verdict == ReplayVerdict::Verified)
        .count() as u64;
    if replays_verified < outcome.replays_uploaded {
        errors.push(format!(
            "{} of {} uploaded replays were not verified",
            outcome.replays_uploaded - replays_verified,
            outcome.replays_uploaded
        ));
    }
    let spearman = driver::rating_skill_spearman(&snapshot, &outcome.skills);
    let delivery = delivery_figures(&snapshot, &outcome, opts.seed);
    let imposed = |a: &crate::sim::Answer| {
        (a.status == 403 && matches!(a.code, 40003 | 50007))
            || matches!(a.scope, Some("shared" | "ban"))
    };
    let discord_refusals: u64 = answers
        .iter()
        .filter(|(a, _)| imposed(a))
        .map(|(_, n)| n)
        .sum();
    let http_429_shared: u64 = answers
        .iter()
        .filter(|(a, _)| a.status == 429 && matches!(a.scope, Some("shared" | "ban")))
        .map(|(_, n)| n)
        .sum();
    // Requests ladderd gave up on beyond what Discord refused outright are
    // ladderd's failures.
    let ladderd_failed = http_failed.saturating_sub(discord_refusals);
    if ladderd_failed > 0 {
        errors.push(format!(
            "{ladderd_failed} requests given up that Discord did not refuse outright"
        ));
    }
    if opts.keep_db.is_some() {
        notes.push(format!("the database is kept at {}", db.display()));
    }
    let summary = Summary {
        players: opts.players,
        seed: opts.seed,
        simulated_minutes: opts.minutes,
        wall_seconds: began.elapsed().as_secs_f64(),
        waves: outcome.waves,
        interactions: outcome.interactions,
        matches_found: snapshot.matches.len() as u64,
        matches_completed: count(MatchState::Completed),
        matches_abandoned: count(MatchState::Abandoned),
        matches_open_at_end: count(MatchState::Found) + count(MatchState::InProgress),
        replay_rounds: outcome.replay_rounds,
        replays_uploaded: outcome.replays_uploaded,
        replays_verified,
        realism: realism_lines,
        http_requests: totals.requests,
        http_429: totals.rate_limited,
        http_429_paced: totals.rate_limited.saturating_sub(http_429_shared),
        http_429_shared,
        http_answers: answers.iter().map(|(a, n)| (a.to_string(), *n)).collect(),
        discord_refusals,
        http_failed,
        invalid_requests_peak_10min: outcome.invalid_peak.max(invalid_now),
        invalid_request_limit,
        card_latency_p50_ms: delivery.p50,
        card_latency_p95_ms: delivery.p95,
        card_latency_max_ms: delivery.max,
        cards_seen: outcome.cards_seen.len(),
        matches_lost_to_delivery: delivery.lost,
        replay_rounds_lost_to_delivery: outcome.rounds_lost_to_delivery,
        cards_before_abandon_notice: outcome.cards_before_notice,
        stale_cards: outcome.stale_cards,
        per_wave: delivery.per_wave,
        lobby_mentions_clicked: outcome.pings_clicked,
        searching_pings: outcome.searching_pings_seen,
        searching_pings_per_hour: outcome.searching_pings_seen as f64 * 60.0
            / f64::from(opts.minutes.max(1)),
        still_searching_asked: outcome.still_searching_asked,
        removed_by_queue_expiry: outcome.queue_expired_seen,
        delivered_by: running_delivery,
        http_429_by_route: counters
            .iter()
            .filter(|(_, c)| c.rate_limited > 0)
            .map(|(k, c)| (k.clone(), c.rate_limited))
            .collect(),
        requests_by_route: counters.into_iter().map(|(k, c)| (k, c.requests)).collect(),
        handle_p50_us: handling.p50_us,
        handle_p99_us: handling.p99_us,
        handled_interactions: handling.count,
        rating_skill_spearman: spearman,
        errors: errors.len() as u64,
        error_samples: errors.into_iter().take(10).collect(),
        notes,
        stopped_early: stop.is_cancelled(),
    };
    Ok(summary)
}

/// Card latency percentiles and matches lost to delivery.
struct Delivery {
    p50: Option<i64>,
    p95: Option<i64>,
    max: Option<i64>,
    lost: u64,
    per_wave: Vec<WaveFigures>,
}

/// One wave's matches: how fast their cards reached the players.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WaveFigures {
    /// Ladder time of the wave (ms).
    pub at: i64,
    pub matches: u64,
    pub cards_seen: u64,
    pub card_latency_p50_ms: Option<i64>,
    pub card_latency_p95_ms: Option<i64>,
    pub card_latency_max_ms: Option<i64>,
    pub lost_to_delivery: u64,
}

fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    (!sorted.is_empty()).then(|| sorted[((sorted.len() - 1) as f64 * q).round() as usize])
}

fn delivery_figures(
    snapshot: &crate::store::Snapshot,
    outcome: &driver::Outcome,
    seed: u64,
) -> Delivery {
    let created: std::collections::HashMap<u64, i64> = snapshot
        .matches
        .iter()
        .map(|m| (m.id, m.created_at))
        .collect();
    let mut latencies: Vec<i64> = outcome
        .cards_seen
        .iter()
        .filter_map(|(id, _, seen)| created.get(id).map(|c| (seen - c).max(0)))
        .collect();
    latencies.sort_unstable();
    // Replay-round players always confirm; population players decide by
    // the same seeded draw the driver used.
    let is_lost = |m: &&crate::store::rows::MatchRow| {
        m.state == MatchState::Abandoned
            && [m.player1_id, m.player2_id].iter().all(|u| {
                let always = !outcome.skills.contains_key(u);
                driver::decision(seed, *u, m.id, always).is_some()
            })
    };
    let lost = snapshot.matches.iter().filter(is_lost).count() as u64;
    let mut waves: std::collections::BTreeMap<i64, (u64, u64, Vec<i64>)> = Default::default();
    for m in &snapshot.matches {
        let w = waves.entry(m.created_at).or_default();
        w.0 += 1;
        if is_lost(&m) {
            w.1 += 1;
        }
    }
    for (id, _, seen) in &outcome.cards_seen {
        if let Some(c) = created.get(id)
            && let Some(w) = waves.get_mut(c)
        {
            w.2.push((seen - c).max(0));
        }
    }
    let per_wave = waves
        .into_iter()
        .map(|(at, (matches, lost, mut l))| {
            l.sort_unstable();
            WaveFigures {
                at,
                matches,
                cards_seen: l.len() as u64,
                card_latency_p50_ms: percentile(&l, 0.5),
                card_latency_p95_ms: percentile(&l, 0.95),
                card_latency_max_ms: l.last().copied(),
                lost_to_delivery: lost,
            }
        })
        .collect();
    Delivery {
        p50: percentile(&latencies, 0.5),
        p95: percentile(&latencies, 0.95),
        max: latencies.last().copied(),
        lost,
        per_wave,
    }
}

/// The ladder the demo runs: the production defaults, the simulator's
/// guild and lobby, two replay workers, and — when there are replay rounds —
/// the corpus games' maps as the pool with all but one vetoable.
fn demo_config(
    sim: &Simulator,
    db: &std::path::Path,
    runtime_dir: &std::path::Path,
    maps: &[String],
) -> Result<Config, DemoError> {
    use std::fmt::Write as _;
    let ids = sim.ids();
    let mut text = format!(
        "[log]\nlevel = \"warn\"\n[store]\npath = {db:?}\nsynchronous = \"normal\"\n\
         [discord]\nguild_id = {}\nlobby_channel_id = {}\n\
         [ops]\nhealth_log_interval_s = 0\n\
         [replay]\nworkers = 2\nruntime_dir = {runtime_dir:?}\n[ladder]\n\
         queue_expiry_minutes = {QUEUE_EXPIRY_MINUTES}\nnotifications = true\n",
        ids.guild, ids.lobby,
    );
    if !maps.is_empty() {
        let _ = writeln!(text, "max_vetoes = {}", maps.len() - 1);
        for m in maps {
            let _ = writeln!(text, "[[ladder.maps]]\nname = {m:?}");
        }
    }
    Config::from_toml(std::path::Path::new("(demo)"), &text)
        .map_err(|e| DemoError::Config(e.to_string()))
}
