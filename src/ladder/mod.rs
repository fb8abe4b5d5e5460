//! The ladder core: players, queue, matchmaker, matches and ratings as one
//! pure state machine.
//!
//! [`Ladder::handle`] applies one [`Command`] at a time `now` and returns the
//! [`Effects`] to perform: rows for the store's writer and [`Message`]s to
//! show. [`Ladder::tick`] runs what time alone triggers (waves, confirm
//! reminders and timeouts, unreported flags). The core does no I/O, reads no
//! clock and draws randomness only from the seeded RNG it was built with, so
//! the same inputs always give the same effects.
//!
//! A bad command never changes state: every handler checks before it mutates
//! and returns a [`LadderError`], which `handle` turns into one error message
//! to the acting user.

mod admin;
mod fairness;
mod matchbook;
mod matches;
pub mod matchmaker;
pub mod notes;
pub mod outbox;
pub mod presence;
mod profiles;
mod queue;
mod ranks;
pub mod rating;
mod reads;
mod recognition;
pub mod reconfigure;
pub mod site;
pub mod time;
pub mod validate;

#[cfg(test)]
mod community_tests;
#[cfg(test)]
mod fairness_tests;
#[cfg(test)]
mod presence_tests;
#[cfg(test)]
mod restart_tests;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;

use crate::config::{LadderConfig, MapInfo};
use crate::replay::Sha256;
use crate::store::rows::{
    AuditRow, MatchResult, MatchRow, MatchState, PlayerRow, PlayerState, QueuePrefsRow,
    RatingBefore, RatingRow, ReplayRow, Report, SeasonRow, UnixMillis, Write,
};

pub use admin::{AdminOp, RatingAdjustment, Resolution};
pub use matchbook::MatchLoader;
pub use notes::{EndReason, Note};
pub use presence::NotifySettings;
pub use rating::Rank;
pub use reads::{
    HeadToHead, HistoryEntry, HistoryPage, LeaderboardPage, LeaderboardQuery, LeaderboardRow,
    ProfileRace, ProfileView, QueueView, Snapshot,
};
pub use reconfigure::{ReconfigureError, Reconfigured};
pub use validate::{Field, FieldError, FieldProblem, SetupForm};

pub type PlayerId = u64;
pub type MatchId = u64;

/// Who issues a command. Authority from the server (owner ids, admin ids and
/// roles in the config) is resolved by the router; admin granted through the
/// ladder itself is kept on the player row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: PlayerId,
    pub is_owner: bool,
    pub is_admin: bool,
}

impl Actor {
    pub fn player(id: PlayerId) -> Actor {
        Actor {
            id,
            is_owner: false,
            is_admin: false,
        }
    }
}

/// A replay the replay pipeline has judged, attached to a match.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayEvidence {
    /// The row to persist; `verdict` and `match_id` come from the pipeline.
    pub row: ReplayRow,
    pub players: Vec<ReplayPlayer>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplayPlayer {
    /// The name shown in the replay (clan tag removed).
    pub name: String,
    pub toon: Option<String>,
    pub race: String,
    pub winner: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    AcceptTos {
        discord_name: String,
    },
    Setup(SetupForm),
    /// The actor's profile as a setup form, to open `/setup` prefilled.
    /// Reads only; answers [`Notice::SetupForm`].
    EditSetup,
    /// Changes only the country (`/setcountry`).
    SetCountry {
        country: String,
    },
    /// `races` empty: use the remembered preference. `vetoes` `None`: likewise.
    JoinQueue {
        races: Vec<String>,
        vetoes: Option<Vec<String>>,
    },
    LeaveQueue,
    /// "Still searching?" answered: stay in the queue.
    StayInQueue,
    /// `/notifications`: change (or show) the actor's ping settings.
    Notifications(NotifySettings),
    Confirm {
        match_id: MatchId,
    },
    Abort {
        match_id: MatchId,
    },
    Report {
        match_id: MatchId,
        report: Report,
    },
    Replay(ReplayEvidence),
    /// The router created the Discord thread that carries a match card.
    SetMatchThread {
        match_id: MatchId,
        thread_id: u64,
    },
    /// The router deleted a finished match's thread (it had grown old).
    ClearMatchThread {
        match_id: MatchId,
    },
    QueueView,
    /// When the ladder is busy (`/stats`).
    Stats,
    /// May the actor run admin commands (configured, or granted by the
    /// ladder)? Answers nothing on yes, `NotAdmin` on no; changes nothing.
    AdminCheck,
    Profile {
        player: Option<PlayerId>,
        /// A past season's id; `None`: the current season.
        season: Option<u32>,
        /// Show the head-to-head record against this player too.
        vs: Option<PlayerId>,
    },
    Leaderboard(LeaderboardQuery),
    History {
        player: Option<PlayerId>,
        page: usize,
    },
    Admin {
        reason: String,
        op: AdminOp,
    },
}

/// Where a message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The user who issued the command (an interaction reply).
    Actor,
    /// One player, wherever the Discord layer can reach them (a DM, or
    /// elsewhere when their DMs are closed): the core does not choose.
    Player(PlayerId),
    /// Everyone in the ladder's lobby.
    Lobby,
    /// The public record of a match: one line per finished match, for a
    /// results channel if the server has one.
    Match(MatchId),
    /// The admins' log.
    AdminLog,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub to: Audience,
    pub body: Notice,
    /// The outbox row this message is (durable messages, see `outbox`);
    /// the Discord layer reports its delivery under this id.
    pub outbox: Option<u64>,
}

/// One side of a match card.
#[derive(Debug, Clone, PartialEq)]
pub struct CardSide {
    pub player_id: PlayerId,
    pub ingame_name: String,
    pub battletag: String,
    pub alt_names: Vec<String>,
    pub country: String,
    pub race: String,
    pub rating: f64,
    pub deviation: f64,
    pub provisional: bool,
}

/// Everything both players need to set up the game.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchCard {
    pub match_id: MatchId,
    pub sides: [CardSide; 2],
    pub map: MapInfo,
    /// Every map in the pool was vetoed by one of the players: the least-vetoed was picked.
    pub all_maps_vetoed: bool,
    pub server: String,
    /// Predicted chance that side one wins.
    pub win_probability: f64,
    /// How to set up the custom game, from the config.
    pub lobby_settings: Vec<String>,
    /// When the match was made (the replay's earliest plausible start).
    pub created_at: UnixMillis,
    pub confirm_by: UnixMillis,
}

/// A short acknowledgement to the actor, phrased by the Discord layer in the
/// actor's language (one message id each).
#[derive(Debug, Clone, PartialEq)]
pub enum Ack {
    TermsAccepted,
    TermsAlreadyAccepted,
    ProfileSaved,
    /// `None`: the player represents no country.
    CountrySaved(Option<String>),
    Queued {
        /// Race names, in the order queued with.
        races: Vec<String>,
        next_wave_s: i64,
    },
    LeftQueue,
    ConfirmedWaiting,
    AlreadyConfirmed,
    BothConfirmed,
    ReportSaved,
    ReportSavedWaiting,
    /// The ladder settles by replay only: upload it.
    ReportSavedUploadReplay(MatchId),
    ReplayAlreadySettled,
}

/// What to show: plain domain data; the Discord layer renders it.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Error(LadderError),
    /// Free text, already phrased (English): admin views and the admin log
    /// only, and rows an older ladderd stored. Players get [`Notice::Note`].
    Info(String),
    Ack(Ack),
    /// Information for a player or the lobby, as data (words: the Discord layer).
    Note(Note),
    MatchFound(Box<MatchCard>),
    ConfirmReminder {
        match_id: MatchId,
        seconds_left: i64,
    },
    MatchStarted(Box<MatchCard>),
    MatchEnded {
        match_id: MatchId,
        state: crate::store::rows::MatchState,
        result: Option<MatchResult>,
        rating_changes: Option<(f64, f64)>,
        /// The players' names (slot 1, slot 2), to say who won; `None` in a
        /// row stored by an older ladderd.
        names: Option<(String, String)>,
        why: EndReason,
    },
    Conflict {
        match_id: MatchId,
        reports: (Option<Report>, Option<Report>),
        /// The verified replay's result, when a report contradicts it.
        replay_result: Option<MatchResult>,
    },
    Flagged {
        match_id: MatchId,
    },
    /// A wave ran: the lobby's live status (edited in place by the Discord
    /// layer, not posted anew).
    Wave {
        matches: usize,
        still_queueing: usize,
        status: Box<QueueView>,
    },
    Queue(QueueView),
    Profile(Box<ProfileView>),
    /// `/stats`: matches by hour of the week, games per day.
    Stats(Box<site::Activity>),
    /// The actor's current setup (empty fields where unset), for a prefilled form.
    SetupForm(Box<SetupForm>),
    Leaderboard(Box<LeaderboardPage>),
    History(HistoryPage),
    Snapshot(Box<Snapshot>),
    PlayerDetail(Box<PlayerRow>, Vec<RatingRow>),
    MatchDetail(Box<MatchRow>),
    /// The archived file of a match's verified replay (`/admin replay`):
    /// the Discord layer attaches the file it finds under this hash.
    ReplayFile {
        match_id: MatchId,
        sha256: String,
    },
    /// The player has searched for a while: still there? (a button answers;
    /// no answer by `answer_by` removes them from the queue).
    StillSearching {
        answer_by: UnixMillis,
        searching_minutes: i64,
    },
    /// Nobody answered "still searching?": the player left the queue.
    QueueExpired,
    /// Someone started searching (a `/notifications` ping): their races and
    /// rating, never their name, and how many are searching now.
    SomeoneSearching {
        races: Vec<String>,
        rating: i64,
        searching: usize,
    },
    /// A player's best rank changed (`None`: unranked): the Discord layer
    /// moves their rank role. Never shown as a message.
    RankChanged {
        player: PlayerId,
        from: Option<Rank>,
        to: Option<Rank>,
    },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LadderError {
    #[error("accept the terms of service first")]
    NoTos,
    #[error("finish your setup first (in-game name, BattleTag, country, region)")]
    NotSetUp,
    #[error("you are banned from this ladder: {0}")]
    Banned(String),
    #[error("your setup has problems: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidSetup(Vec<FieldError>),
    #[error("{0:?} is not a race of this ladder; choose from {1}")]
    UnknownRace(String, String),
    #[error("choose at most one race per group; {0} and {1} are in the same group")]
    SameGroup(String, String),
    #[error("choose a race to queue with")]
    NoRace,
    #[error("{0:?} is not in this season's map pool")]
    UnknownMap(String),
    #[error("at most {0} vetoes")]
    TooManyVetoes(usize),
    #[error("you are already in the queue")]
    AlreadyQueueing,
    #[error("you are not in the queue")]
    NotQueueing,
    #[error("you are in a match; finish it first")]
    InMatch,
    #[error("you aborted or let lapse a match recently; you can queue again in {0} s")]
    Cooldown(i64),
    #[error("no player {0} on this ladder")]
    UnknownPlayer(PlayerId),
    #[error("no match #{0}")]
    UnknownMatch(MatchId),
    #[error("you are not playing in match #{0}")]
    NotYourMatch(MatchId),
    #[error("match #{0} is {1}; that is not possible now")]
    WrongState(MatchId, &'static str),
    #[error("the confirm window for match #{0} has closed")]
    ConfirmWindowClosed(MatchId),
    #[error("both players must confirm match #{0} before reporting")]
    NotConfirmed(MatchId),
    #[error("no aborts left this month; they reset on the 1st (UTC)")]
    NoAbortsLeft,
    #[error("match #{0} was resolved by an admin; ask an admin if it is wrong")]
    ResolvedByAdmin(MatchId),
    #[error("match #{0} is already completed")]
    AlreadyCompleted(MatchId),
    #[error("the replay's players do not match the players of match #{0}")]
    ReplayPlayersMismatch(MatchId),
    #[error("this needs a ladder admin")]
    NotAdmin,
    #[error("only an owner can grant or revoke admin")]
    NotOwner,
    #[error("admin actions need a reason")]
    NoReason,
    #[error("{0}")]
    Invalid(Invalid),
}

/// A refusal of what a command carried, beyond the errors above: each has
/// its message (`invalid-*` in `locales/*/ladderd.ftl`); `Display` is the
/// English one, for logs and the replay table's verdict.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Invalid {
    #[error("this replay was already used for a match; upload the replay of this game")]
    ReplayReused,
    #[error("no season {season}; the seasons are {known}")]
    UnknownSeason { season: u32, known: String },
    #[error("a head-to-head needs two different players")]
    SamePlayer,
    #[error("{region:?} is not a region of this ladder; choose from {choices}")]
    UnknownRegion { region: String, choices: String },
    #[error("these leaderboard buttons have expired; run /leaderboard again")]
    ExpiredButtons,
    #[error("notifications are switched off on this ladder")]
    NotificationsOff,
    #[error("the gap between pings must be {min} to {max} minutes")]
    PingGap { min: u32, max: u32 },
    #[error("quiet hours look like 22-07 or 22:30-07:00 (or off), not {given:?}")]
    QuietHours { given: String },
    #[error("quiet hours from and to are the same time: {given:?}")]
    QuietHoursEmpty { given: String },
    #[error("{given:?} is not a time zone; use a name like Europe/Berlin or Asia/Seoul")]
    TimeZone { given: String },
    #[error("near_rating is at most {max} points (0: anyone)")]
    NearRating { max: u32 },
    #[error("match #{0} has no verified replay")]
    NoReplay(MatchId),
    #[error("{0} is not a usable rating")]
    Rating(f64),
    #[error("player {0} is not in the queue")]
    NotInQueue(PlayerId),
    #[error("name the next season")]
    NoSeasonName,
}

/// What one command or tick produced. The caller commits `writes` (whole, in
/// order) before it shows `messages`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Effects {
    pub writes: Vec<Write>,
    pub messages: Vec<Message>,
}

impl Effects {
    fn write(&mut self, w: Write) {
        self.writes.push(w);
    }
    fn tell(&mut self, to: Audience, body: Notice) {
        self.messages.push(Message {
            to,
            body,
            outbox: None,
        });
    }
    /// English free text: admins only (see [`Notice::Info`]).
    fn info(&mut self, to: Audience, text: impl Into<String>) {
        self.tell(to, Notice::Info(text.into()));
    }
    fn note(&mut self, to: Audience, note: Note) {
        self.tell(to, Notice::Note(note));
    }
    fn extend(&mut self, other: Effects) {
        self.writes.extend(other.writes);
        self.messages.extend(other.messages);
    }
}

#[derive(Debug, Clone, PartialEq)]
struct QueueEntry {
    /// Indices into `config.races`, at most one per group.
    races: Vec<usize>,
    vetoes: Vec<String>,
    joined_at: UnixMillis,
    waves_waited: u32,
    /// When the player last showed they are there (joined, or answered
    /// "still searching?"), and when they were asked (see `presence`).
    active_at: UnixMillis,
    asked_at: Option<UnixMillis>,
}

/// Everything `from_rows` needs, as the store reads it.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub seasons: Vec<SeasonRow>,
    pub players: Vec<PlayerRow>,
    pub queue_prefs: Vec<QueuePrefsRow>,
    /// Ratings of every season; only the current season's are used.
    pub ratings: Vec<RatingRow>,
    /// All matches (history and open ones).
    pub matches: Vec<MatchRow>,
    /// Replays; verified ones attached to matches are remembered as evidence.
    pub replays: Vec<ReplayRow>,
    /// Outbox rows not yet settled (see `outbox`).
    pub outbox: Vec<crate::store::rows::OutboxRow>,
    /// The id the next outbox row gets.
    pub next_outbox_id: u64,
    /// The last heartbeat before this start: the downtime starts there.
    pub alive_at: Option<UnixMillis>,
    /// (name, JSON) of maps a reload removed while open matches use them.
    pub retired_maps: Vec<(String, String)>,
    /// (match, player, delivered at) of cards of matches waiting for confirms.
    pub card_deliveries: Vec<(MatchId, PlayerId, UnixMillis)>,
    pub notify_prefs: Vec<crate::store::rows::NotifyPrefsRow>,
}

impl From<crate::store::Snapshot> for Rows {
    fn from(s: crate::store::Snapshot) -> Rows {
        Rows {
            seasons: s.seasons,
            players: s.players,
            queue_prefs: s.queue_prefs,
            ratings: s.ratings,
            matches: s.matches,
            replays: s.replays,
            outbox: s.outbox,
            next_outbox_id: s.next_outbox_id,
            alive_at: s.alive_at,
            retired_maps: s.retired_maps,
            card_deliveries: s.card_deliveries,
            notify_prefs: s.notify_prefs,
        }
    }
}

#[derive(Clone)]
#[cfg_attr(test, derive(PartialEq))]
pub struct Ladder {
    config: LadderConfig,
    rng: ChaCha8Rng,
    season: SeasonRow,
    players: HashMap<PlayerId, PlayerRow>,
    /// Current season, keyed by (player, race id).
    ratings: ranks::Ratings,
    /// Ended seasons by id, and their final ratings by (season, player,
    /// race): what `/leaderboard season:` and `/profile season:` browse.
    past_seasons: BTreeMap<u32, SeasonRow>,
    past_ratings: BTreeMap<(u32, PlayerId, String), RatingRow>,
    /// Leaderboard filters too long for a button's custom id, kept here for
    /// its page buttons: (query, expires at) by id. Bounded and expiring;
    /// not persisted (a restart makes those buttons say "run it again").
    saved_queries: BTreeMap<u64, (LeaderboardQuery, UnixMillis)>,
    next_saved_query: u64,
    /// Every match; finished ones packed (see `matchbook`).
    matches: matchbook::Matches,
    player_matches: HashMap<PlayerId, Vec<MatchId>>,
    /// Matches that still involve their players (found, in progress): the
    /// tick's work list. A conflict frees its players and waits for admins.
    open: BTreeSet<MatchId>,
    in_match: HashMap<PlayerId, MatchId>,
    queue: BTreeMap<PlayerId, QueueEntry>,
    prefs: HashMap<PlayerId, QueuePrefsRow>,
    /// Recent opponents per player, newest last, for the rematch penalty.
    recent: HashMap<PlayerId, VecDeque<(PlayerId, UnixMillis)>>,
    /// Result of the verified replay of a match, winner by slot.
    replay_results: HashMap<MatchId, MatchResult>,
    /// sha256 of every verified replay: one replay proves one match (the
    /// database enforces it too; checking here keeps a re-upload from
    /// becoming a refused commit).
    /// The one copy in the supervisor: the upload path asks the loop
    /// (`LadderHandle::replay_used`) instead of keeping its own.
    used_replays: HashSet<Sha256>,
    /// sha256 of each match's verified replay, for `/admin replay`.
    replay_files: HashMap<MatchId, Sha256>,
    /// Each player's best rank as last told (see `recognition`).
    shown_ranks: BTreeMap<PlayerId, Rank>,
    reminded: HashSet<MatchId>,
    /// The outbox rows of match cards still owed, by id: (match, player),
    /// so a delivery report can say whose card arrived (see `fairness`).
    card_outbox: HashMap<u64, (MatchId, PlayerId)>,
    /// When each player's card of a match still waiting for confirms was
    /// delivered (persisted: `Write::CardDelivered`).
    card_delivered: HashMap<(MatchId, PlayerId), UnixMillis>,
    /// `/notifications` settings by player (see `presence`).
    notify: HashMap<PlayerId, crate::store::rows::NotifyPrefsRow>,
    last_seen: HashMap<PlayerId, UnixMillis>,
    next_match_id: MatchId,
    next_wave_at: UnixMillis,
    /// Maps a reload removed that open matches still play on (persisted).
    retired_maps: Vec<MapInfo>,
    next_outbox_id: u64,
    /// Outbox rows a restart found pending, until `resume` re-issues them.
    pending_outbox: Vec<crate::store::rows::OutboxRow>,
    /// The last heartbeat of the previous run (see `outbox::resume`).
    down_since: Option<UnixMillis>,
    resumed: bool,
    alive_written: UnixMillis,
}

impl Ladder {
    /// A new, empty ladder (first start): opens season 1 with the configured pool.
    /// Nothing to resume: no downtime, no outbox.
    pub fn new(config: LadderConfig, seed: u64, now: UnixMillis) -> (Ladder, Effects) {
        let (mut ladder, fx) = Ladder::from_rows(config, seed, Rows::default(), now);
        ladder.resumed = true;
        (ladder, fx)
    }

    /// Rebuilds the ladder from the database. Queues are not persisted as
    /// such: players who were queueing are set idle and told; open matches
    /// continue.
    pub fn from_rows(
        config: LadderConfig,
        seed: u64,
        mut rows: Rows,
        now: UnixMillis,
    ) -> (Ladder, Effects) {
        let mut loaded = MatchLoader::with_capacity(rows.matches.len());
        for m in std::mem::take(&mut rows.matches) {
            loaded.add(m);
        }
        Ladder::from_loaded(config, seed, rows, loaded, now)
    }

    /// [`from_rows`](Self::from_rows) with the matches already read into a
    /// [`MatchLoader`] (`rows.matches` is ignored): how the supervisor
    /// starts, one match row in memory at a time.
    pub fn from_loaded(
        config: LadderConfig,
        seed: u64,
        rows: Rows,
        loaded: MatchLoader,
        now: UnixMillis,
    ) -> (Ladder, Effects) {
        let mut fx = Effects::default();
        let season = match rows
            .seasons
            .iter()
            .filter(|s| s.ended_at.is_none())
            .max_by_key(|s| s.id)
        {
            Some(s) => s.clone(),
            None => {
                let id = rows.seasons.iter().map(|s| s.id).max().unwrap_or(0) + 1;
                let s = SeasonRow {
                    id,
                    name: if id == 1 {
                        config.season_name.clone()
                    } else {
                        format!("Season {id}")
                    },
                    started_at: now,
                    ended_at: None,
                    map_pool: config.maps.iter().map(|m| m.name.clone()).collect(),
                };
                fx.write(Write::Season(s.clone()));
                s
            }
        };
        let mut ladder = Ladder {
            next_wave_at: next_wave_after(now, config.matchmaker.wave_interval_ms),
            config,
            rng: ChaCha8Rng::seed_from_u64(seed),
            season,
            players: HashMap::new(),
            ratings: ranks::Ratings::default(),
            past_seasons: BTreeMap::new(),
            past_ratings: BTreeMap::new(),
            saved_queries: BTreeMap::new(),
            // From the clock, so a button kept before a restart can never
            // name filters kept after it: it is refused as expired.
            next_saved_query: u64::try_from(now).unwrap_or(0).max(1),
            matches: matchbook::Matches::default(),
            player_matches: HashMap::new(),
            open: BTreeSet::new(),
            in_match: HashMap::new(),
            queue: BTreeMap::new(),
            prefs: HashMap::new(),
            recent: HashMap::new(),
            replay_results: HashMap::new(),
            used_replays: HashSet::new(),
            replay_files: HashMap::new(),
            shown_ranks: BTreeMap::new(),
            reminded: HashSet::new(),
            card_outbox: HashMap::new(),
            card_delivered: rows
                .card_deliveries
                .iter()
                .map(|&(m, p, at)| ((m, p), at))
                .collect(),
            notify: rows
                .notify_prefs
                .into_iter()
                .map(|n| (n.player_id, n))
                .collect(),
            last_seen: HashMap::new(),
            next_match_id: 1,
            retired_maps: rows
                .retired_maps
                .iter()
                .filter_map(|(_, json)| reconfigure::map_from_json(json))
                .collect(),
            next_outbox_id: rows.next_outbox_id.max(1),
            pending_outbox: rows.outbox,
            down_since: rows.alive_at,
            resumed: false,
            alive_written: now,
        };
        for p in rows.players {
            ladder.players.insert(p.discord_id, p);
        }
        for s in rows.seasons {
            if s.id != ladder.season.id {
                ladder.past_seasons.insert(s.id, s);
            }
        }
        for r in rows.ratings {
            if r.season_id == ladder.season.id {
                ladder.ratings.insert((r.player_id, r.race.clone()), r);
            } else {
                ladder
                    .past_ratings
                    .insert((r.season_id, r.player_id, r.race.clone()), r);
            }
        }
        for p in rows.queue_prefs {
            ladder.prefs.insert(p.player_id, p);
        }
        let (book, seen) = loaded.finish();
        for m in &seen {
            ladder.next_match_id = ladder.next_match_id.max(m.id + 1);
            ladder.remember_opponents(m.player1_id, m.player2_id, m.created_at);
            for p in [m.player1_id, m.player2_id] {
                ladder.player_matches.entry(p).or_default().push(m.id);
            }
            if matches!(m.state, MatchState::Found | MatchState::InProgress) {
                ladder.open.insert(m.id);
                ladder.in_match.insert(m.player1_id, m.id);
                ladder.in_match.insert(m.player2_id, m.id);
            }
        }
        ladder.matches = book;
        for r in rows.replays {
            // A verified row's hash was checked when it was handled
            // (`matches::replay`); one that does not read as a sha256 (an
            // edited database) proves nothing and names no file.
            let verified_sha = (r.verdict == crate::store::rows::ReplayVerdict::Verified)
                .then(|| r.sha256.parse::<Sha256>().ok())
                .flatten();
            if let Some(sha) = verified_sha {
                ladder.used_replays.insert(sha);
                if let Some(id) = r.match_id {
                    ladder.replay_files.insert(id, sha);
                }
            }
            if r.verdict == crate::store::rows::ReplayVerdict::Verified
                && let (Some(id), Some(slot)) = (r.match_id, r.winner_slot)
            {
                let result = if slot == 1 {
                    MatchResult::Player1
                } else {
                    MatchResult::Player2
                };
                ladder.replay_results.insert(id, result);
            }
        }
        let mut ids: Vec<PlayerId> = ladder.players.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let in_match = ladder.in_match.contains_key(&id);
            let Some(p) = ladder.players.get_mut(&id) else {
                continue;
            };
            let fixed = match (p.state, in_match) {
                (PlayerState::Queueing, _) => {
                    fx.note(Audience::Player(id), Note::QueueEmptiedByRestart);
                    Some(PlayerState::Idle)
                }
                (PlayerState::InMatch, false) => Some(PlayerState::Idle),
                (PlayerState::Idle, true) => Some(PlayerState::InMatch),
                _ => None,
            };
            if let Some(state) = fixed {
                p.state = state;
                p.updated_at = now;
                fx.write(Write::Player(p.clone()));
            }
        }
        ladder.shown_ranks = ladder.best_ranks(now);
        ladder.seal(now, &mut fx);
        (ladder, fx)
    }

    pub fn config(&self) -> &LadderConfig {
        &self.config
    }

    pub fn season(&self) -> &SeasonRow {
        &self.season
    }

    pub fn player(&self, id: PlayerId) -> Option<&PlayerRow> {
        self.players.get(&id)
    }

    pub fn match_row(&self, id: MatchId) -> Option<MatchRow> {
        self.matches.get(&id).map(std::borrow::Cow::into_owned)
    }

    pub fn rating(&self, player: PlayerId, race: &str) -> Option<&RatingRow> {
        self.ratings.get(&(player, race.to_owned()))
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    pub fn next_wave_at(&self) -> UnixMillis {
        self.next_wave_at
    }

    /// The match a player is in, if any.
    pub fn current_match(&self, player: PlayerId) -> Option<MatchId> {
        self.in_match.get(&player).copied()
    }

    /// Whether a verified replay with this sha256 already proves a match:
    /// the upload path's "fresh replay" check asks this (one set in the
    /// supervisor, not a copy per reader).
    pub fn replay_used(&self, sha: &Sha256) -> bool {
        self.used_replays.contains(sha)
    }

    /// The card and thread of every match still open (found or in
    /// progress): what the Discord layer needs after a restart to route the
    /// match's messages to its thread and to check replay uploads.
    pub fn open_cards(&self) -> Vec<(MatchCard, Option<u64>)> {
        self.open
            .iter()
            .filter_map(|id| self.matches.get(id))
            .map(|m| (self.card(&m, false), m.thread_id))
            .collect()
    }

    /// Finished matches whose thread still exists: (match, thread, finished
    /// at), for deleting threads once they are old.
    pub fn finished_threads(&self) -> Vec<(MatchId, u64, UnixMillis)> {
        self.matches
            .values()
            .filter(|m| !self.open.contains(&m.id))
            .filter_map(|m| Some((m.id, m.thread_id?, m.finished_at?)))
            .collect()
    }

    /// The ladder's own invariants, checked: every open match holds its two
    /// players and they are in it, a player's stored state agrees with the
    /// queue and the matches, ids are fresh. `Err` names the first breach.
    /// Cheap enough for tests and a start-up check, not for every command.
    pub fn check_consistency(&self) -> Result<(), String> {
        for (&p, &m) in &self.in_match {
            let row = self
                .matches
                .get(&m)
                .ok_or(format!("player {p} is in unknown match {m}"))?;
            if !self.open.contains(&m)
                || !matches!(row.state, MatchState::Found | MatchState::InProgress)
            {
                return Err(format!(
                    "player {p} is in match {m}, which is {:?}",
                    row.state
                ));
            }
            if row.player1_id != p && row.player2_id != p {
                return Err(format!("player {p} is in match {m} without playing in it"));
            }
        }
        for &m in &self.open {
            let row = self
                .matches
                .get(&m)
                .ok_or(format!("unknown open match {m}"))?;
            for p in [row.player1_id, row.player2_id] {
                if self.in_match.get(&p) != Some(&m) {
                    return Err(format!("open match {m} has lost player {p}"));
                }
            }
        }
        for (id, p) in &self.players {
            let expected = if self.in_match.contains_key(id) {
                PlayerState::InMatch
            } else if self.queue.contains_key(id) {
                PlayerState::Queueing
            } else {
                PlayerState::Idle
            };
            if p.state != expected {
                return Err(format!(
                    "player {id} is stored {:?} but is {expected:?}",
                    p.state
                ));
            }
        }
        if let Some(max) = self.matches.last_id()
            && self.next_match_id <= max
        {
            return Err(format!("next match id {} is not fresh", self.next_match_id));
        }
        Ok(())
    }

    /// Applies one command. Errors become a message to the actor and change
    /// nothing. The first command or tick after a start resumes the ladder
    /// first (see [`resume`](Self::resume)).
    pub fn handle(&mut self, now: UnixMillis, actor: Actor, command: Command) -> Effects {
        let mut fx = self.resume(now);
        fx.extend(self.apply(now, actor, command));
        self.sync_ranks(now, &mut fx);
        self.seal(now, &mut fx);
        self.matches.pack_finished();
        fx
    }

    fn apply(&mut self, now: UnixMillis, actor: Actor, command: Command) -> Effects {
        self.last_seen.insert(actor.id, now);
        let result = match command {
            Command::AcceptTos { discord_name } => self.accept_tos(now, actor.id, discord_name),
            Command::Setup(form) => self.setup(now, actor.id, &form),
            Command::EditSetup => Ok(self.edit_setup(actor.id)),
            Command::SetCountry { country } => self.set_country(now, actor.id, &country),
            Command::JoinQueue { races, vetoes } => self.join_queue(now, actor.id, races, vetoes),
            Command::LeaveQueue => self.leave_queue(now, actor.id),
            Command::StayInQueue => self.stay_in_queue(now, actor.id),
            Command::Notifications(s) => self.set_notifications(now, actor.id, s),
            Command::Confirm { match_id } => self.confirm(now, actor.id, match_id),
            Command::Abort { match_id } => self.abort(now, actor.id, match_id),
            Command::Report { match_id, report } => self.report(now, actor.id, match_id, report),
            Command::Replay(evidence) => self.replay(now, actor, evidence),
            Command::SetMatchThread {
                match_id,
                thread_id,
            } => self.set_thread(match_id, Some(thread_id)),
            Command::ClearMatchThread { match_id } => self.set_thread(match_id, None),
            Command::QueueView => Ok(self.queue_view(now)),
            Command::Stats => {
                let mut fx = Effects::default();
                fx.tell(Audience::Actor, Notice::Stats(Box::new(self.activity(now))));
                Ok(fx)
            }
            Command::AdminCheck => {
                if self.is_admin(actor) {
                    Ok(Effects::default())
                } else {
                    Err(LadderError::NotAdmin)
                }
            }
            Command::Profile { player, season, vs } => {
                self.profile(now, player.unwrap_or(actor.id), season, vs)
            }
            Command::Leaderboard(query) => self.leaderboard(now, query),
            Command::History { player, page } => self.history(player.unwrap_or(actor.id), page),
            Command::Admin { reason, op } => self.admin(now, actor, reason, op),
        };
        match result {
            Ok(fx) => fx,
            Err(e) => {
                let mut fx = Effects::default();
                fx.tell(Audience::Actor, Notice::Error(e));
                fx
            }
        }
    }

    /// What time alone triggers: confirm reminders and timeouts, unreported
    /// flags, and the wave when one is due. Call it at least once a second.
    pub fn tick(&mut self, now: UnixMillis) -> Effects {
        let mut fx = self.resume(now);
        fx.extend(self.expire_and_remind(now));
        fx.extend(self.flag_unreported(now));
        fx.extend(self.expire_queue(now));
        if now >= self.next_wave_at {
            self.next_wave_at = next_wave_after(now, self.config.matchmaker.wave_interval_ms);
            fx.extend(self.run_wave(now));
        }
        self.heartbeat(now, &mut fx);
        self.sync_ranks(now, &mut fx);
        self.seal(now, &mut fx);
        self.matches.pack_finished();
        fx
    }

    // ---- helpers shared by the handlers ----

    /// When `m` must be confirmed by.
    fn confirm_deadline(&self, m: &MatchRow) -> UnixMillis {
        m.confirm_by
            .unwrap_or(m.created_at + self.config.confirm_window_ms)
    }

    fn player_ref(&self, id: PlayerId) -> Result<&PlayerRow, LadderError> {
        self.players.get(&id).ok_or(LadderError::UnknownPlayer(id))
    }

    /// A player who may act (not only read): accepted the terms and not banned.
    fn active_player(&self, id: PlayerId) -> Result<&PlayerRow, LadderError> {
        let p = self.players.get(&id).ok_or(LadderError::NoTos)?;
        if p.tos_accepted_at.is_none() {
            return Err(LadderError::NoTos);
        }
        if p.banned {
            return Err(LadderError::Banned(
                p.ban_reason
                    .clone()
                    .unwrap_or_else(|| "no reason given".into()),
            ));
        }
        Ok(p)
    }

    /// Resets the monthly abort allowance when the month has changed.
    /// Returns whether the row changed.
    fn roll_abort_month(&mut self, id: PlayerId, now: UnixMillis) -> bool {
        let month = time::month_of(now);
        let allowance = self.config.aborts_per_month;
        match self.players.get_mut(&id) {
            Some(p) if p.aborts_month.as_deref() != Some(month.as_str()) => {
                p.aborts_left = allowance;
                p.aborts_month = Some(month);
                true
            }
            _ => false,
        }
    }

    fn set_state(&mut self, id: PlayerId, state: PlayerState, now: UnixMillis, fx: &mut Effects) {
        if let Some(p) = self.players.get_mut(&id) {
            p.state = state;
            p.updated_at = now;
            fx.write(Write::Player(p.clone()));
        }
    }

    /// The current-season rating of (player, race), or a fresh one.
    fn rating_or_new(&self, player: PlayerId, race: &str) -> RatingRow {
        self.ratings
            .get(&(player, race.to_owned()))
            .cloned()
            .unwrap_or_else(|| RatingRow {
                season_id: self.season.id,
                player_id: player,
                race: race.to_owned(),
                rating: self.config.rating.initial_rating,
                deviation: self.deviation_initial(),
                volatility: self.volatility_initial(),
                games: 0,
                wins: 0,
                losses: 0,
                draws: 0,
                last_played_at: None,
            })
    }

    fn deviation_initial(&self) -> f64 {
        match self.config.rating.system {
            crate::config::RatingSystem::Glicko2 => self.config.rating.initial_deviation,
            crate::config::RatingSystem::Elo => 0.0,
        }
    }

    fn volatility_initial(&self) -> f64 {
        match self.config.rating.system {
            crate::config::RatingSystem::Glicko2 => self.config.rating.initial_volatility,
            crate::config::RatingSystem::Elo => 0.0,
        }
    }

    fn before_of(&self, player: PlayerId, race: &str) -> RatingBefore {
        let r = self.rating_or_new(player, race);
        RatingBefore {
            rating: r.rating,
            deviation: r.deviation,
            volatility: r.volatility,
        }
    }

    fn remember_opponents(&mut self, one: PlayerId, two: PlayerId, created_at: UnixMillis) {
        let keep = self.config.matchmaker.rematch_last_matches;
        let within = self.config.matchmaker.rematch_within_ms;
        for (me, them) in [(one, two), (two, one)] {
            let list = self.recent.entry(me).or_default();
            list.push_back((them, created_at));
            while list.len() > keep && list.front().is_some_and(|(_, at)| created_at - at > within)
            {
                list.pop_front();
            }
        }
    }

    fn is_rematch(&self, a: PlayerId, b: PlayerId, now: UnixMillis) -> bool {
        let Some(list) = self.recent.get(&a) else {
            return false;
        };
        let keep = self.config.matchmaker.rematch_last_matches;
        let within = self.config.matchmaker.rematch_within_ms;
        list.iter()
            .rev()
            .enumerate()
            .any(|(i, (o, at))| *o == b && (i < keep || now - at <= within))
    }

    fn audit(
        &self,
        fx: &mut Effects,
        now: UnixMillis,
        actor: PlayerId,
        command: &str,
        outcome: &str,
        details: Option<serde_json::Value>,
    ) {
        fx.write(Write::Audit(AuditRow {
            at: now,
            actor_id: actor,
            command: command.to_owned(),
            target: None,
            outcome: outcome.to_owned(),
            details_json: details.map(|d| d.to_string()),
        }));
    }

    fn set_thread(
        &mut self,
        match_id: MatchId,
        thread_id: Option<u64>,
    ) -> Result<Effects, LadderError> {
        let m = self
            .matches
            .get_mut(&match_id)
            .ok_or(LadderError::UnknownMatch(match_id))?;
        m.thread_id = thread_id;
        let mut fx = Effects::default();
        fx.write(Write::Match(m.clone()));
        Ok(fx)
    }

    // ---- players ----

    fn accept_tos(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
        discord_name: String,
    ) -> Result<Effects, LadderError> {
        let mut fx = Effects::default();
        if let Some(p) = self.players.get(&id)
            && p.tos_accepted_at.is_some()
        {
            fx.tell(Audience::Actor, Notice::Ack(Ack::TermsAlreadyAccepted));
            return Ok(fx);
        }
        let allowance = self.config.aborts_per_month;
        let p = self.players.entry(id).or_insert_with(|| PlayerRow {
            discord_id: id,
            discord_name: discord_name.clone(),
            ingame_name: None,
            battletag: None,
            alt_names: Vec::new(),
            country: None,
            region: None,
            tos_accepted_at: None,
            setup_at: None,
            state: PlayerState::Idle,
            aborts_left: allowance,
            aborts_month: Some(time::month_of(now)),
            banned: false,
            ban_reason: None,
            is_admin: false,
            queue_cooldown_until: None,
            created_at: now,
            updated_at: now,
            aborts_total: 0,
            lapses_total: 0,
            strikes: Vec::new(),
        });
        p.tos_accepted_at = Some(now);
        p.discord_name = discord_name;
        p.updated_at = now;
        fx.write(Write::Player(p.clone()));
        self.audit(&mut fx, now, id, "accept_tos", "ok", None);
        fx.tell(Audience::Actor, Notice::Ack(Ack::TermsAccepted));
        Ok(fx)
    }

    fn setup(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
        form: &SetupForm,
    ) -> Result<Effects, LadderError> {
        self.active_player(id)?;
        let valid = validate::check_setup(&self.config, form).map_err(LadderError::InvalidSetup)?;
        let p = self
            .players
            .get_mut(&id)
            .expect("active_player checked the player exists");
        let old = serde_json::json!({
            "ingame_name": p.ingame_name, "battletag": p.battletag, "alt_names": p.alt_names,
            "country": p.country, "region": p.region,
        });
        p.ingame_name = Some(valid.ingame_name);
        p.battletag = Some(valid.battletag);
        p.alt_names = valid.alt_names;
        p.country = Some(valid.country);
        p.region = Some(valid.region);
        p.setup_at = Some(now);
        p.updated_at = now;
        let new = serde_json::json!({
            "ingame_name": p.ingame_name, "battletag": p.battletag, "alt_names": p.alt_names,
            "country": p.country, "region": p.region,
        });
        let mut fx = Effects::default();
        fx.write(Write::Player(p.clone()));
        self.audit(
            &mut fx,
            now,
            id,
            "setup",
            "ok",
            Some(serde_json::json!({ "old": old, "new": new })),
        );
        fx.tell(Audience::Actor, Notice::Ack(Ack::ProfileSaved));
        Ok(fx)
    }

    fn is_set_up(p: &PlayerRow) -> bool {
        p.ingame_name.is_some()
            && p.battletag.is_some()
            && p.country.is_some()
            && p.region.is_some()
    }
}

/// The first multiple of `interval` strictly after `now`: every process
/// computes the same wave times, so everyone sees the same countdown.
pub fn next_wave_after(now: UnixMillis, interval: i64) -> UnixMillis {
    (now.div_euclid(interval) + 1) * interval
}
