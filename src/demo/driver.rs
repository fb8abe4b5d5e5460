//! The demo's virtual players: what each one does at each wave, decided by
//! a seeded RNG, and what each one reads back from Discord (the simulator's
//! record of the messages they were shown — a player never sees a message
//! the bot could not deliver).
//!
//! Players behave like people: a card is clicked a seeded reaction time
//! after it reached the player (log-normal, median 6 s), 3 % let it lapse,
//! and a replay is uploaded minutes after the game. While a match waits for
//! confirmation, ladder time is wall time ([`Driver::confirm_window`]): a
//! card that arrives late lapses as it would on Discord. Only when no match
//! waits for confirmation does the driver jump ladder time forward.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use tokio_util::sync::CancellationToken;

use super::replays::CorpusGame;
use super::{DemoOptions, Progress, WAVE_MS};
use crate::clock::{Clock, ManualClock};
use crate::ladder::next_wave_after;
use crate::sim::realism::{LatencyDist, mix, normal, unit};
use crate::sim::{Interact, ModalField, OptionValue, Place, Simulator};
use crate::store::Snapshot;
use crate::supervisor::Running;

/// Longest wait for Discord traffic to settle after one step (a bound on a
/// hang, reported as an error, not a performance target).
const SETTLE_BOUND: Duration = Duration::from_secs(120);
/// With requests still queued, this long without a new one means ladderd
/// is waiting out a `Retry-After` Discord imposed (minutes, for thread
/// creation): the driver goes on rather than freeze ladder time for it.
const QUIET_WITH_QUEUE: Duration = Duration::from_secs(2);
/// The demo ladder's confirm window (the production default, 60 s), and
/// the slack after it for the ladder's tick to abandon what lapsed.
const CONFIRM_WINDOW: Duration = Duration::from_secs(60);
const WINDOW_SLACK: Duration = Duration::from_secs(5);
/// How long after a wave's time a supervisor in another process (ticking
/// itself every second) has surely made and committed the wave's matches.
const CHILD_WAVE_SLACK_MS: i64 = 3_000;
/// How long a person takes to notice a card and click Confirm (a guess:
/// a Discord notification, a glance, a click): median 6 s, p95 ~16 s.
const REACTION: LatencyDist = LatencyDist::new(6_000, 0.6, 45_000);
/// Share of found matches a player confirms.
const CONFIRM_RATE: f64 = 0.97;
/// Chance per wave that an idle player joins the queue.
const JOIN_RATE: f64 = 0.6;
/// Share of population players who subscribe to "someone is searching"
/// pings. A ping changes nothing the driver does: when it arrives depends on
/// delivery timing, and acting on it would make the same seed play a
/// different ladder.
const SUBSCRIBE_RATE: f64 = 0.25;
/// Share of "still searching?" questions a player answers (the rest walked
/// away from the keyboard and are removed a minute later).
const ANSWER_RATE: f64 = 0.8;
/// Players signed up per batch.
const SIGN_UP_BATCH: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Queued,
    Matched(u64),
    Playing(u64),
}

struct Player {
    user: u64,
    name: String,
    race: &'static str,
    /// Hidden skill (Elo scale) of a population player; replay players have none.
    skill: Option<f64>,
    state: State,
    cooldown_until: i64,
    /// How many of the messages this player was shown have been read.
    /// The id of the last message this player has read.
    cursor: u64,
    /// The newest card's Confirm button: (channel, message, custom_id), and
    /// when this player will click it (`None`: they let it lapse).
    card: Option<(u64, u64, String)>,
    click_at: Option<Instant>,
    /// Matches this player knows of (saw the card, or noticed afterwards).
    seen_matches: HashSet<u64>,
    has_queued: bool,
    /// "Still searching?" questions this player was asked.
    asked: u64,
}

#[derive(Default)]
struct Match {
    players: Vec<usize>,
    /// Players who clicked Confirm.
    confirmed: usize,
    ends_at: Option<i64>,
}

/// What the driver saw, for the summary.
pub struct Outcome {
    pub errors: Vec<String>,
    pub waves: u64,
    pub interactions: u64,
    pub replays_uploaded: u64,
    pub replay_rounds: u64,
    /// Corpus games that start too soon after the previous round to re-enact.
    pub skipped_games: Vec<std::path::PathBuf>,
    /// Hidden skill by Discord user id (= ladder player id).
    pub skills: HashMap<u64, f64>,
    /// (match id, user, ladder ms) of the first time each player saw the
    /// card of a match; in a confirm window ladder time is wall time.
    pub cards_seen: Vec<(u64, u64, i64)>,
    /// Replay rounds whose card did not reach both players in time.
    pub rounds_lost_to_delivery: u64,
    /// A new card reached a player with closed DMs before the notice that
    /// their previous match was abandoned (which could not reach them).
    pub cards_before_notice: u64,
    /// Cards that reached a player after their match had lapsed (or after
    /// a newer match's card).
    pub stale_cards: u64,
    /// Lobby mentions ("📬 … press Show") a player clicked.
    pub pings_clicked: u64,
    /// Presence, as players saw it: "someone is searching" pings, the
    /// "still searching?" questions, and removals for not answering.
    pub searching_pings_seen: u64,
    pub still_searching_asked: u64,
    pub queue_expired_seen: u64,
    /// Most invalid requests (401/403/429) the simulator counted in a
    /// ten-minute window, sampled as the demo ran.
    pub invalid_peak: u64,
}

/// Whether `user` confirms the card of `match_id`, and after how long:
/// seeded by (seed, user, match), so the decision does not depend on when
/// the card arrived. Replay-round players always confirm (their game was
/// played).
pub fn decision(seed: u64, user: u64, match_id: u64, always: bool) -> Option<Duration> {
    let h = mix(seed ^ mix(user ^ mix(match_id)));
    if !always && unit(h) > CONFIRM_RATE {
        return None;
    }
    Some(REACTION.at(normal(mix(h ^ 1), mix(h ^ 2))))
}

pub struct Driver<'a> {
    sim: &'a Simulator,
    /// The supervisor in this process; `None`: it is another process
    /// (`ladderd bench steady`) on the system clock, which ticks itself, so
    /// ladder time is wall time and nothing here ticks it.
    running: Option<&'a Running>,
    clock: ManualClock,
    stop: CancellationToken,
    seed: u64,
    db: std::path::PathBuf,
    cards_seen: Vec<(u64, u64, i64)>,
    rounds_lost_to_delivery: u64,
    cards_before_notice: u64,
    stale_cards: u64,
    pings_clicked: u64,
    searching_pings_seen: u64,
    still_searching_asked: u64,
    queue_expired_seen: u64,
    invalid_peak: u64,
    rng: ChaCha8Rng,
    progress: Progress,
    last_progress: Instant,
    phase: &'static str,
    players: Vec<Player>,
    by_name: HashMap<String, usize>,
    matches: HashMap<u64, Match>,
    interactions: u64,
    waves: u64,
    errors: Vec<String>,
    replays_uploaded: u64,
    replay_rounds: u64,
    completed: u64,
    skipped_games: Vec<std::path::PathBuf>,
    lobby: u64,
    bot_user: u64,
    /// The field test: ladder time follows wall time from this anchor
    /// (wall, ladder) on; `None`: compressed between confirm windows.
    realtime: Option<(Instant, i64)>,
    realtime_wanted: bool,
    /// When play began (sign-ups done) and the simulator's totals then.
    play_began: Option<(Instant, crate::sim::RouteCounters)>,
}

impl<'a> Driver<'a> {
    pub fn new(
        sim: &'a Simulator,
        running: Option<&'a Running>,
        clock: ManualClock,
        opts: &DemoOptions,
        db: std::path::PathBuf,
        stop: CancellationToken,
    ) -> Self {
        Driver {
            sim,
            running,
            clock,
            stop,
            seed: opts.seed,
            db,
            cards_seen: Vec::new(),
            rounds_lost_to_delivery: 0,
            cards_before_notice: 0,
            stale_cards: 0,
            pings_clicked: 0,
            searching_pings_seen: 0,
            still_searching_asked: 0,
            queue_expired_seen: 0,
            invalid_peak: 0,
            rng: ChaCha8Rng::seed_from_u64(opts.seed),
            progress: opts.progress,
            last_progress: Instant::now(),
            phase: "starting",
            players: Vec::new(),
            by_name: HashMap::new(),
            matches: HashMap::new(),
            interactions: 0,
            waves: 0,
            errors: Vec::new(),
            replays_uploaded: 0,
            replay_rounds: 0,
            completed: 0,
            skipped_games: Vec::new(),
            lobby: sim.ids().lobby,
            bot_user: sim.ids().bot_user,
            realtime: None,
            realtime_wanted: opts.realtime,
            play_began: None,
        }
    }

    /// The simulator's user of the player called `name` (any case).
    pub fn user_named(&self, name: &str) -> Option<u64> {
        self.by_name
            .get(&name.to_lowercase())
            .map(|&p| self.players[p].user)
    }

    /// In the field test: ladder time = the anchor plus wall time since.
    fn follow_wall(&self) {
        if self.running.is_none() {
            use crate::clock::SystemClock;
            let now = SystemClock.now();
            if now > self.clock.now() {
                self.clock.set(now);
            }
        } else if let Some((wall, ladder)) = self.realtime {
            let now = ladder + wall.elapsed().as_millis() as i64;
            if now > self.clock.now() {
                self.clock.set(now);
            }
        }
    }

    /// The field test's way to the next wave: wall time passes, players see
    /// and click what arrives, the ladder ticks every second and runs the
    /// wave when its time comes.
    async fn wave_in_wall_time(&mut self) {
        let mut next = next_wave_after(self.clock.now(), WAVE_MS);
        if self.running.is_none() {
            // A supervisor in another process runs the wave on its own
            // one-second tick: the confirm window starts once it has had
            // time to (else it would find no match waiting and end).
            next += CHILD_WAVE_SLACK_MS;
        }
        let mut last_tick = Instant::now();
        while self.clock.now() < next && !self.stop.is_cancelled() {
            self.follow_wall();
            self.scan();
            self.click_due();
            if last_tick.elapsed() >= Duration::from_secs(1) {
                self.tick().await;
                last_tick = Instant::now();
            }
            self.show_progress(false);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.tick().await;
        self.waves += 1;
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    fn below(&mut self, n: u64) -> u64 {
        self.rng.next_u64() % n.max(1)
    }

    fn error(&mut self, e: String) {
        if self.errors.len() < 10_000 {
            self.errors.push(e);
        }
    }

    fn interact(&mut self, p: usize, channel: u64, what: Interact) {
        self.interactions += 1;
        if let Err(e) = self.sim.interact(self.players[p].user, channel, &what) {
            self.error(format!("the simulator refused an interaction: {e}"));
        }
    }

    fn button(&mut self, p: usize, custom_id: String) {
        self.interact(
            p,
            self.lobby,
            Interact::Button {
                custom_id,
                message: None,
            },
        );
    }

    fn add_player(&mut self, name: String, race: &'static str, skill: Option<f64>) -> usize {
        let user = self.sim.add_user(&name);
        self.players.push(Player {
            user,
            name: name.clone(),
            race,
            skill,
            state: State::Idle,
            cooldown_until: 0,
            cursor: 0,
            card: None,
            click_at: None,
            seen_matches: HashSet::new(),
            has_queued: false,
            asked: 0,
        });
        self.by_name
            .insert(name.to_lowercase(), self.players.len() - 1);
        self.players.len() - 1
    }

    /// Accept the terms and submit the setup form (applied in this order:
    /// interactions reach the ladder in gateway order).
    fn sign_up(&mut self, p: usize, region: &str, country: &str) {
        self.button(p, "tos:accept".into());
        let name = self.players[p].name.clone();
        let field = |id: &str, v: &str| ModalField {
            custom_id: id.into(),
            value: v.into(),
        };
        self.interact(
            p,
            self.lobby,
            Interact::Modal {
                custom_id: "setup".into(),
                fields: vec![
                    field("ingame_name", &name),
                    field("battletag", &format!("{name}#1234")),
                    field("alt_names", ""),
                    field("country", country),
                    field("region", region),
                ],
            },
        );
    }

    fn join(&mut self, p: usize) {
        if self.players[p].has_queued {
            self.button(p, "queue:join".into());
        } else {
            let race = self.players[p].race.to_owned();
            self.interact(
                p,
                self.lobby,
                Interact::Slash {
                    name: "queue".into(),
                    options: vec![("race".into(), race)],
                },
            );
            self.players[p].has_queued = true;
        }
        self.players[p].state = State::Queued;
    }

    async fn tick(&mut self) {
        let Some(running) = self.running else {
            return;
        };
        if let Err(e) = running.ladder.tick_and_wait().await {
            self.error(format!("the ladder refused a tick: {e}"));
        }
    }

    /// Advances ladder time to the next wave and runs it.
    async fn wave(&mut self) {
        let next = next_wave_after(self.clock.now(), WAVE_MS);
        self.clock.set(next);
        self.tick().await;
        self.waves += 1;
    }

    /// Interaction callbacks answered so far (the simulator's count).
    fn answered(&self) -> u64 {
        self.sim
            .counters()
            .iter()
            .filter(|(k, _)| k.starts_with("POST /interactions/"))
            .map(|(_, c)| c.ok)
            .sum()
    }

    /// Waits until every interaction is answered, ladderd's outbound queue
    /// is empty and no request has reached the simulator for a moment.
    async fn settle(&mut self) {
        let deadline = Instant::now() + SETTLE_BOUND;
        let mut last = u64::MAX;
        let mut quiet = 0;
        let mut quiet_since = Instant::now();
        loop {
            let answered = self.answered();
            // Another process's queue is not visible here: answered
            // interactions and a quiet simulator are the whole test then.
            let queued = self
                .running
                .and_then(|r| r.http.as_ref())
                .map_or(0, |h| h.queued.load(Ordering::Relaxed));
            let requests = self.sim.totals().requests;
            if requests != last {
                quiet_since = Instant::now();
            }
            let drained = queued == 0 || quiet_since.elapsed() >= QUIET_WITH_QUEUE;
            if answered >= self.interactions && drained && requests == last {
                quiet += 1;
                if quiet >= 3 {
                    break;
                }
            } else {
                quiet = 0;
            }
            last = requests;
            if Instant::now() > deadline {
                let e = format!(
                    "Discord traffic did not settle within {SETTLE_BOUND:?}: {answered} of {} interactions answered, {queued} requests queued",
                    self.interactions
                );
                self.error(e);
                break;
            }
            self.show_progress(false);
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        self.scan();
        self.invalid_peak = self.invalid_peak.max(self.sim.invalid_requests().0);
    }

    /// Reads what each player was shown since the last scan.
    fn scan(&mut self) {
        let now = self.clock.now();
        for p in 0..self.players.len() {
            let seen = self
                .sim
                .seen_by_after(self.players[p].user, self.players[p].cursor);
            if let Some(last) = seen.last() {
                self.players[p].cursor = last.message.id.get();
            }
            for s in &seen {
                if s.message.author.id.get() != self.bot_user {
                    continue;
                }
                let content = &s.message.content;
                if content.starts_with('❌') {
                    if let Some(secs) = after_number(content, "you can queue again in ") {
                        // They misjudged their (escalating) cooldown: told
                        // by the ladder, they wait it out. Not a failure.
                        self.players[p].state = State::Idle;
                        self.players[p].cooldown_until = now + secs as i64 * 1000 + WAVE_MS;
                    } else {
                        let e = format!("{} was told: {content}", self.players[p].name);
                        self.error(e);
                    }
                }
                if let Some(id) = after_number(content, "you did not confirm match #") {
                    self.players[p].state = State::Idle;
                    // As told: nothing when the card came late, else the
                    // escalating cooldown; plus a wave of slack.
                    self.players[p].cooldown_until =
                        now + cooldown_told(content).map_or(0, |ms| ms + WAVE_MS);
                    self.players[p].card = None;
                    self.matches.remove(&id);
                } else if content.starts_with("🔎") {
                    self.still_searching_asked += 1;
                    // Seeded by (seed, user, question), not drawn from the
                    // driver's generator: an arrival's timing must not shift
                    // every later draw.
                    self.players[p].asked += 1;
                    let user = self.players[p].user;
                    let h = mix(self.seed ^ mix(user ^ mix(self.players[p].asked)));
                    if unit(h) <= ANSWER_RATE {
                        let message = s.message.id.get();
                        self.interact(
                            p,
                            s.message.channel_id.get(),
                            Interact::Button {
                                custom_id: "queue:stay".into(),
                                message: Some(message),
                            },
                        );
                    }
                } else if content.starts_with("You left the queue") {
                    self.queue_expired_seen += 1;
                    if self.players[p].state == State::Queued {
                        self.players[p].state = State::Idle;
                    }
                } else if content.starts_with("🔔") {
                    self.searching_pings_seen += 1;
                } else if after_number(content, "your opponent did not confirm match #").is_some() {
                    self.players[p].state = State::Queued;
                    self.players[p].card = None;
                }
                // A lobby mention of this player with a Show button: what
                // could not reach their DMs waits behind it.
                if s.place == Place::Lobby {
                    let mention = format!("<@{}>", self.players[p].user);
                    if content.starts_with(&mention)
                        && crate::sim::players::button_ids(&s.message)
                            .iter()
                            .any(|c| c == "inbox:show")
                    {
                        self.pings_clicked += 1;
                        let channel = s.message.channel_id.get();
                        let message = s.message.id.get();
                        self.interact(
                            p,
                            channel,
                            Interact::Button {
                                custom_id: "inbox:show".into(),
                                message: Some(message),
                            },
                        );
                    }
                    continue;
                }
                // Cards arrive by DM or, when ladderd cannot DM this player
                // now, as an ephemeral message on their own last interaction
                // (shown in the channel they used; the demo's players keep
                // it open while they wait for a match).
                for custom_id in crate::sim::players::button_ids(&s.message) {
                    let Some(id) = custom_id
                        .strip_prefix("match:")
                        .and_then(|r| r.strip_suffix(":confirm"))
                        .and_then(|n| n.parse::<u64>().ok())
                    else {
                        continue;
                    };
                    let known = self.players[p].seen_matches.contains(&id)
                        || self.players[p].seen_matches.iter().any(|m| *m > id);
                    match self.players[p].state {
                        State::Matched(m) | State::Playing(m) if m == id => {}
                        // A card of a match whose window has passed (it
                        // waited minutes behind a refused thread): useless
                        // to the player, counted, not acted on.
                        _ if known || self.players[p].state == State::Idle => {
                            if self.players[p].seen_matches.insert(id) {
                                let user = self.players[p].user;
                                self.cards_seen.push((id, user, now));
                                self.stale_cards += 1;
                            }
                        }
                        State::Queued => self.take_card(p, id, &s.message, custom_id, now),
                        State::Matched(old) if !self.sim.dms_open(self.players[p].user) => {
                            // The abandon notice of `old` went to their
                            // closed DMs: they learn of it only now.
                            self.cards_before_notice += 1;
                            self.matches.remove(&old);
                            self.take_card(p, id, &s.message, custom_id, now);
                        }
                        other => {
                            let e = format!(
                                "{} got the card of match #{id} while {other:?}",
                                self.players[p].name
                            );
                            self.error(e);
                        }
                    }
                }
            }
        }
    }

    /// A card reached player `p`: note when, and when they will click.
    fn take_card(
        &mut self,
        p: usize,
        id: u64,
        message: &twilight_model::channel::Message,
        custom_id: String,
        now: i64,
    ) {
        let user = self.players[p].user;
        self.cards_seen.push((id, user, now));
        self.players[p].seen_matches.insert(id);
        self.players[p].state = State::Matched(id);
        self.players[p].card = Some((message.channel_id.get(), message.id.get(), custom_id));
        self.players[p].click_at = decision(self.seed, user, id, self.players[p].skill.is_none())
            .map(|d| Instant::now() + d);
        self.matches.entry(id).or_default().players.push(p);
    }

    /// Players whose reaction time has passed click Confirm.
    fn click_due(&mut self) {
        let now = Instant::now();
        for p in 0..self.players.len() {
            if self.players[p].click_at.is_none_or(|t| t > now) {
                continue;
            }
            self.players[p].click_at = None;
            let Some((channel, message, custom_id)) = self.players[p].card.take() else {
                continue;
            };
            let State::Matched(id) = self.players[p].state else {
                continue;
            };
            self.matches.entry(id).or_default().confirmed += 1;
            self.interact(
                p,
                channel,
                Interact::Button {
                    custom_id,
                    message: Some(message),
                },
            );
        }
    }

    /// Matches waiting for confirmation, from the ladder's own database
    /// (the driver cannot know of a card that never reached anyone).
    async fn waiting_for_confirmation(&self) -> Option<Vec<(u64, u64, u64)>> {
        self.matches_in("found").await
    }

    /// (id, player 1, player 2) of the matches in `state`, newest first,
    /// read from the ladder's database (WAL: readers never block its writer).
    async fn matches_in(&self, state: &'static str) -> Option<Vec<(u64, u64, u64)>> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let conn = rusqlite::Connection::open_with_flags(
                &db,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .ok()?;
            let mut stmt = conn
                .prepare(
                    "SELECT id, player1_id, player2_id FROM matches \
                     WHERE state = ?1 ORDER BY id DESC LIMIT 5000",
                )
                .ok()?;
            let rows = stmt
                .query_map([state], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .ok()?
                .filter_map(Result::ok)
                .map(|(a, b, c)| (a as u64, b as u64, c as u64))
                .collect();
            Some(rows)
        })
        .await
        .ok()
        .flatten()
    }

    /// Ladder time is wall time while any match waits for confirmation:
    /// players see cards as they arrive, click after their reaction time,
    /// and the ladder (ticked every second) abandons what lapses. Ends once
    /// no match waits (or the window and its slack have passed).
    async fn confirm_window(&mut self) {
        let wall0 = Instant::now();
        let ladder0 = self.clock.now();
        let mut last_tick = wall0;
        let mut last_check = wall0 - Duration::from_secs(1);
        loop {
            let elapsed = wall0.elapsed();
            let ladder_now = ladder0 + elapsed.as_millis() as i64;
            if self.running.is_none() {
                self.follow_wall();
            } else if ladder_now > self.clock.now() {
                self.clock.set(ladder_now);
            }
            self.scan();
            self.click_due();
            if last_tick.elapsed() >= Duration::from_secs(1) {
                self.tick().await;
                last_tick = Instant::now();
            }
            if last_check.elapsed() >= Duration::from_millis(500) {
                last_check = Instant::now();
                let waiting = self.waiting_for_confirmation().await;
                if waiting.as_ref().is_some_and(Vec::is_empty) {
                    break;
                }
            }
            if elapsed > CONFIRM_WINDOW + WINDOW_SLACK || self.stop.is_cancelled() {
                break;
            }
            self.show_progress(false);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.tick().await;
        self.reconcile().await;
        self.invalid_peak = self.invalid_peak.max(self.sim.invalid_requests().0);
    }

    /// Players who never learned what became of their match (its card or
    /// its notice could not reach them) notice after the window, as a
    /// person would: the ladder's database says what happened.
    async fn reconcile(&mut self) {
        let abandoned = self.matches_in("abandoned").await.unwrap_or_default();
        let now = self.clock.now();
        let by_user: HashMap<u64, usize> = self
            .players
            .iter()
            .enumerate()
            .map(|(i, p)| (p.user, i))
            .collect();
        // The newest abandoned match of each player.
        let mut newest: HashMap<usize, u64> = HashMap::new();
        for (id, a, b) in abandoned {
            for u in [a, b] {
                if let Some(&p) = by_user.get(&u) {
                    newest.entry(p).or_insert(id);
                }
            }
        }
        for (p, id) in newest {
            let clicked = self
                .matches
                .get(&id)
                .is_some_and(|m| m.players.contains(&p) && self.players[p].card.is_none());
            match self.players[p].state {
                State::Matched(m) if m == id => {
                    self.matches.remove(&id);
                    self.players[p].card = None;
                    self.players[p].click_at = None;
                    if clicked {
                        // The ladder put them back in the queue.
                        self.players[p].state = State::Queued;
                    } else {
                        self.players[p].state = State::Idle;
                        // A guess (the first step): the ladder says so if
                        // it is longer, and they wait then (see `scan`).
                        self.players[p].cooldown_until = now + 300_000 + WAVE_MS;
                    }
                }
                State::Queued if !self.players[p].seen_matches.contains(&id) => {
                    // Their card never arrived; the ladder abandoned the
                    // match in their name, at no cost to them.
                    self.players[p].seen_matches.insert(id);
                    self.players[p].state = State::Idle;
                }
                _ => {}
            }
        }
    }

    /// Matches both players confirmed start; a game takes 8–20 minutes.
    fn start_confirmed(&mut self) {
        let now = self.clock.now();
        let mut started = Vec::new();
        for (id, m) in &self.matches {
            if m.ends_at.is_none() && m.confirmed == 2 && m.players.len() == 2 {
                started.push(*id);
            }
        }
        started.sort_unstable();
        for id in started {
            let minutes = 8 + self.below(13) as i64;
            if let Some(m) = self.matches.get_mut(&id) {
                m.ends_at = Some(now + minutes * 60_000);
                for &p in &m.players {
                    self.players[p].state = State::Playing(id);
                }
            }
        }
    }

    /// Both players of every finished game report what the skills decide.
    fn report_finished(&mut self) {
        let now = self.clock.now();
        let mut due: Vec<u64> = self
            .matches
            .iter()
            .filter(|(_, m)| m.ends_at.is_some_and(|t| t <= now))
            .map(|(id, _)| *id)
            .collect();
        due.sort_unstable();
        for id in due {
            let Some(m) = self.matches.remove(&id) else {
                continue;
            };
            let (a, b) = (m.players[0], m.players[1]);
            let (sa, sb) = (
                self.players[a].skill.unwrap_or(1500.0),
                self.players[b].skill.unwrap_or(1500.0),
            );
            let a_wins = self.chance(1.0 / (1.0 + 10f64.powf((sb - sa) / 400.0)));
            for (p, won) in [(a, a_wins), (b, !a_wins)] {
                let report = if won { "win" } else { "loss" };
                self.button(p, format!("match:{id}:report:{report}"));
                self.players[p].state = State::Idle;
            }
            self.completed += 1;
        }
    }

    fn join_idle(&mut self) {
        let now = self.clock.now();
        for p in 0..self.players.len() {
            if self.players[p].skill.is_some()
                && self.players[p].state == State::Idle
                && self.players[p].cooldown_until <= now
                && self.chance(JOIN_RATE)
            {
                self.join(p);
            }
        }
    }

    /// The population phase: sign up `n` players, then play `minutes` of
    /// ladder time wave by wave.
    pub async fn population(&mut self, n: usize, minutes: u32, start: i64) {
        self.population_for(n, i64::from(minutes) * 60_000, start)
            .await;
    }

    /// [`Driver::population`] for `span_ms` of ladder time.
    pub async fn population_for(&mut self, n: usize, span_ms: i64, start: i64) {
        self.phase = "population";
        self.clock.set(start.max(self.clock.now()));
        self.tick().await;
        for i in 0..n {
            let race = ["T", "Z", "P"][self.below(3) as usize];
            let (region, country) =
                [("EU", "DE"), ("NA", "US"), ("KR", "KR")][self.below(3) as usize];
            let skill = 1500.0 + 250.0 * self.normal();
            let p = self.add_player(population_name(i), race, Some(skill));
            self.sign_up(p, region, country);
            if self.chance(SUBSCRIBE_RATE) {
                self.interact(
                    p,
                    self.lobby,
                    Interact::SlashTyped {
                        name: "notifications".into(),
                        options: vec![
                            ("on".into(), OptionValue::Boolean(true)),
                            ("gap".into(), OptionValue::Integer(15)),
                        ],
                    },
                );
            }
            if (i + 1) % SIGN_UP_BATCH == 0 {
                self.settle().await;
            }
            if self.stop.is_cancelled() {
                return;
            }
        }
        self.settle().await;
        let end = if self.realtime_wanted {
            self.clock.now()
        } else {
            start
        } + span_ms;
        if self.realtime_wanted {
            self.realtime = Some((Instant::now(), self.clock.now()));
        }
        self.play_began = Some((Instant::now(), self.sim.totals()));
        while self.clock.now() < end && !self.stop.is_cancelled() {
            self.join_idle();
            self.settle().await;
            self.follow_wall();
            if self.realtime.is_some() {
                self.wave_in_wall_time().await;
            } else {
                self.wave().await;
            }
            self.confirm_window().await;
            self.start_confirmed();
            self.report_finished();
            self.settle().await;
            self.show_progress(false);
        }
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u = |d: &mut Self| ((d.rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        let (a, b) = (u(self), u(self));
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }

    fn player_for(&mut self, name: &str, race: &'static str) -> usize {
        if let Some(&p) = self.by_name.get(&name.to_lowercase()) {
            self.players[p].race = race;
            return p;
        }
        let p = self.add_player(name.to_owned(), race, None);
        self.sign_up(p, "EU", "DE");
        p
    }

    /// Re-enacts one corpus game: its players queue alone at its date with
    /// every other map vetoed, confirm, and one of them uploads the replay.
    pub async fn replay_round(&mut self, game: &CorpusGame, maps: &[String]) {
        self.phase = "replay rounds";
        let join_at = game.start_ms - 8 * 60_000;
        if join_at <= self.clock.now() {
            // Ladder time only moves forward: a game that started within
            // minutes of the previous round's upload cannot get its own wave.
            self.skipped_games.push(game.file.clone());
            return;
        }
        self.replay_rounds += 1;
        self.clock.set(join_at);
        self.tick().await;
        let pair = [
            self.player_for(&game.sides[0].name, game.sides[0].race),
            self.player_for(&game.sides[1].name, game.sides[1].race),
        ];
        let vetoes: Vec<String> = maps.iter().filter(|m| **m != game.map).cloned().collect();
        for p in pair {
            // Join with this game's race, leave, and join again with the
            // vetoes (the queue remembers the race).
            let race = self.players[p].race.to_owned();
            self.interact(
                p,
                self.lobby,
                Interact::Select {
                    custom_id: "queue:races".into(),
                    values: vec![race],
                    message: None,
                },
            );
            self.interact(
                p,
                self.lobby,
                Interact::Slash {
                    name: "leave".into(),
                    options: vec![],
                },
            );
            self.interact(
                p,
                self.lobby,
                Interact::Select {
                    custom_id: "queue:vetoes".into(),
                    values: vetoes.clone(),
                    message: None,
                },
            );
            self.players[p].state = State::Queued;
            self.players[p].has_queued = true;
        }
        self.settle().await;
        // Waves until the two are paired (their ratings may have drifted
        // apart in earlier rounds; the window widens every wave).
        let paired = loop {
            if next_wave_after(self.clock.now(), WAVE_MS) > game.start_ms - 20_000 {
                break None;
            }
            self.wave().await;
            self.confirm_window().await;
            let states = (self.players[pair[0]].state, self.players[pair[1]].state);
            if let (State::Matched(a), State::Matched(b)) = states
                && a == b
                && self.matches.get(&a).is_some_and(|m| m.confirmed == 2)
            {
                break Some(a);
            }
            if states.0 != State::Queued || states.1 != State::Queued {
                // A card did not reach one of them in time (they always
                // confirm): Discord's refusal, not the ladder's.
                self.rounds_lost_to_delivery += 1;
                for p in pair {
                    // The one the ladder put back in the queue leaves it.
                    if self.players[p].state == State::Queued {
                        self.interact(
                            p,
                            self.lobby,
                            Interact::Slash {
                                name: "leave".into(),
                                options: vec![],
                            },
                        );
                    }
                    self.players[p].state = State::Idle;
                    self.players[p].card = None;
                    self.players[p].click_at = None;
                }
                self.settle().await;
                return;
            }
        };
        let Some(match_id) = paired else {
            let e = format!(
                "{}: the two players were not paired before the game's start",
                game.file.display()
            );
            self.error(e);
            for p in pair {
                self.interact(
                    p,
                    self.lobby,
                    Interact::Slash {
                        name: "leave".into(),
                        options: vec![],
                    },
                );
                self.players[p].state = State::Idle;
            }
            self.settle().await;
            return;
        };
        self.settle().await;
        // A few minutes after the game, one of the two uploads the replay
        // in their DMs.
        let after = 120_000 + self.below(240_000) as i64;
        self.clock.set((game.end_ms + after).max(self.clock.now()));
        let first = self.below(2) as usize;
        // One who can read the bot's DMs uploads there; if neither can,
        // one uploads in the lobby (the verdict is answered where the file
        // was posted).
        let dm_open = [pair[first], pair[1 - first]]
            .into_iter()
            .find(|p| self.sim.dms_open(self.players[*p].user));
        let uploader = dm_open.unwrap_or(pair[first]);
        let user = self.players[uploader].user;
        let channel = if dm_open.is_some() {
            match self.sim.dm_channel(user) {
                Ok(c) => c,
                Err(e) => return self.error(format!("no DM channel in the simulator: {e}")),
            }
        } else {
            self.lobby
        };
        let file = game.file.file_name().map_or("game.SC2Replay".into(), |f| {
            f.to_string_lossy().into_owned()
        });
        let before = self.sim.seen_by(user).len();
        if let Err(e) = self
            .sim
            .post(user, channel, "gg", vec![(file, game.bytes.clone().into())])
        {
            return self.error(format!("posting the replay: {e}"));
        }
        self.replays_uploaded += 1;
        // The verdict comes once a worker has checked it: an answer where
        // the file was posted, or the match's result wherever ladderd
        // reaches the uploader (a followup when their DMs are closed).
        let deadline = Instant::now() + SETTLE_BOUND;
        loop {
            let answered = self
                .sim
                .seen_by(user)
                .iter()
                .skip(before)
                .any(|s| s.message.author.id.get() == self.bot_user);
            if answered {
                break;
            }
            if Instant::now() > deadline {
                let e = format!("{}: no answer to the replay upload", game.file.display());
                self.error(e);
                break;
            }
            self.show_progress(false);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.settle().await;
        self.matches.remove(&match_id);
        for p in pair {
            self.players[p].state = State::Idle;
        }
        self.completed += 1;
    }

    /// When play began after the sign-ups, and the simulator's totals then.
    pub fn play_began(&self) -> Option<(Instant, crate::sim::RouteCounters)> {
        self.play_began
    }

    /// Waits for the last traffic and hands over what was seen.
    pub async fn finish(&mut self) -> Outcome {
        self.phase = "finishing";
        self.settle().await;
        self.show_progress(true);
        Outcome {
            errors: std::mem::take(&mut self.errors),
            waves: self.waves,
            interactions: self.interactions,
            replays_uploaded: self.replays_uploaded,
            replay_rounds: self.replay_rounds,
            skipped_games: std::mem::take(&mut self.skipped_games),
            skills: self
                .players
                .iter()
                .filter_map(|p| p.skill.map(|s| (p.user, s)))
                .collect(),
            cards_seen: std::mem::take(&mut self.cards_seen),
            rounds_lost_to_delivery: self.rounds_lost_to_delivery,
            cards_before_notice: self.cards_before_notice,
            stale_cards: self.stale_cards,
            pings_clicked: self.pings_clicked,
            searching_pings_seen: self.searching_pings_seen,
            still_searching_asked: self.still_searching_asked,
            queue_expired_seen: self.queue_expired_seen,
            invalid_peak: self.invalid_peak,
        }
    }

    fn show_progress(&mut self, last: bool) {
        let every = match self.progress {
            Progress::Quiet => return,
            Progress::Line => Duration::from_millis(250),
            Progress::Lines => Duration::from_secs(5),
        };
        if !last && self.last_progress.elapsed() < every {
            return;
        }
        self.last_progress = Instant::now();
        let totals = self.sim.totals();
        let found: HashSet<u64> = self
            .players
            .iter()
            .filter_map(|p| match p.state {
                State::Matched(m) | State::Playing(m) => Some(m),
                _ => None,
            })
            .collect();
        let line = format!(
            "[{}] waves {} | players {} | in matches {} | games finished {} | replays uploaded {} | requests {} | 429s {} | errors {}",
            self.phase,
            self.waves,
            self.players.len(),
            found.len(),
            self.completed,
            self.replays_uploaded,
            totals.requests,
            totals.rate_limited,
            self.errors.len()
        );
        if self.progress == Progress::Line {
            eprint!("\r\x1b[2K{line}");
            if last {
                eprintln!();
            }
        } else {
            eprintln!("{line}");
        }
    }
}

/// `Paaa`, `Paab`, …: in-game names are letters only.
fn population_name(i: usize) -> String {
    let mut s = String::from("Pop");
    let mut n = i;
    for _ in 0..4 {
        s.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    s
}

/// The number right after `prefix` in `text`.
/// The cooldown a lapse notice tells ("… queue again in 1 h 30 min"), in
/// ms; `None` when it cost nothing.
fn cooldown_told(text: &str) -> Option<i64> {
    let (_, rest) = text.split_once("queue again in ")?;
    let mut ms = 0;
    let words: Vec<&str> = rest.split_whitespace().collect();
    for pair in words.chunks(2) {
        let [n, unit] = pair else { break };
        let Ok(n) = n.parse::<i64>() else { break };
        ms += n * match unit.trim_end_matches(|c: char| !c.is_alphabetic()) {
            "h" => 3_600_000,
            "min" => 60_000,
            _ => break,
        };
    }
    Some(ms)
}

fn after_number(text: &str, prefix: &str) -> Option<u64> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Spearman's rank correlation between each population player's best
/// rating (races with rated games) and their hidden skill.
pub fn rating_skill_spearman(snapshot: &Snapshot, skills: &HashMap<u64, f64>) -> Option<f64> {
    let mut best: HashMap<u64, f64> = HashMap::new();
    for r in &snapshot.ratings {
        if r.games > 0 && skills.contains_key(&r.player_id) {
            let e = best.entry(r.player_id).or_insert(f64::MIN);
            *e = e.max(r.rating);
        }
    }
    let (ratings, hidden): (Vec<f64>, Vec<f64>) = best.iter().map(|(p, r)| (*r, skills[p])).unzip();
    if ratings.len() < 3 {
        return None;
    }
    crate::ladder::rating::spearman(&ratings, &hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_names_are_distinct_ladder_names() {
        let names: HashSet<String> = (0..5000).map(population_name).collect();
        assert_eq!(names.len(), 5000);
        assert!(
            names
                .iter()
                .all(|n| (3..=12).contains(&n.len()) && n.chars().all(char::is_alphabetic))
        );
    }

    #[test]
    fn cooldowns_as_told() {
        let told = |t: &str| cooldown_told(t);
        assert_eq!(
            told("… counts as an abort (2 left this month); you can queue again in 5 min"),
            Some(300_000)
        );
        assert_eq!(told("… you can queue again in 1 h 30 min"), Some(5_400_000));
        assert_eq!(told("… so this costs you nothing"), None);
    }

    #[test]
    fn numbers_after_a_prefix() {
        assert_eq!(
            after_number("you did not confirm match #42 in time", "match #"),
            Some(42)
        );
        assert_eq!(after_number("no number here", "match #"), None);
        assert_eq!(after_number("match #x", "match #"), None);
    }

    #[test]
    fn spearman_sees_order_not_scale() {
        let mut snapshot = Snapshot::default();
        let mut skills = HashMap::new();
        for (id, (rating, skill)) in [(1000.0, 1.0), (1200.0, 5.0), (1500.0, 9.0), (1900.0, 10.0)]
            .into_iter()
            .enumerate()
        {
            skills.insert(id as u64, skill);
            snapshot.ratings.push(crate::store::rows::RatingRow {
                season_id: 1,
                player_id: id as u64,
                race: "T".into(),
                rating,
                deviation: 50.0,
                volatility: 0.06,
                games: 3,
                wins: 1,
                losses: 2,
                draws: 0,
                last_played_at: None,
            });
        }
        let rho = rating_skill_spearman(&snapshot, &skills).unwrap();
        assert!((rho - 1.0).abs() < 1e-9, "{rho}");
        // Reversed skills: perfectly anti-correlated.
        for v in skills.values_mut() {
            *v = -*v;
        }
        let rho = rating_skill_spearman(&snapshot, &skills).unwrap();
        assert!((rho + 1.0).abs() < 1e-9, "{rho}");
    }
}
