//! The rows the store persists: one plain struct per table, and [`Write`],
//! the unit a caller hands to the writer. The ladder core builds these as
//! effects; only `sql.rs` knows how they map to SQL.
//!
//! Times are milliseconds since the Unix epoch (UTC); Discord ids are `u64`
//! here and stored as SQLite `INTEGER` (snowflakes are below 2^63).

/// Milliseconds since the Unix epoch, UTC.
pub type UnixMillis = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlayerState {
    Idle,
    Queueing,
    InMatch,
}

impl PlayerState {
    pub fn as_str(self) -> &'static str {
        match self {
            PlayerState::Idle => "idle",
            PlayerState::Queueing => "queueing",
            PlayerState::InMatch => "in_match",
        }
    }
    pub fn parse(s: &str) -> Option<PlayerState> {
        Some(match s {
            "idle" => PlayerState::Idle,
            "queueing" => PlayerState::Queueing,
            "in_match" => PlayerState::InMatch,
            _ => return None,
        })
    }
}

/// A player, whole. Written as an upsert: the last write wins.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerRow {
    pub discord_id: u64,
    pub discord_name: String,
    pub ingame_name: Option<String>,
    pub battletag: Option<String>,
    /// Up to three, all distinct; replaces the stored list.
    pub alt_names: Vec<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub tos_accepted_at: Option<UnixMillis>,
    pub setup_at: Option<UnixMillis>,
    pub state: PlayerState,
    pub aborts_left: u32,
    /// `YYYY-MM` of the month the abort allowance was last reset for.
    pub aborts_month: Option<String>,
    pub banned: bool,
    pub ban_reason: Option<String>,
    pub is_admin: bool,
    pub queue_cooldown_until: Option<UnixMillis>,
    pub created_at: UnixMillis,
    pub updated_at: UnixMillis,
    /// Lifetime counts, for admins: aborts, and confirm windows let lapse
    /// after the card had reached the player in time.
    pub aborts_total: u32,
    pub lapses_total: u32,
    /// When the player's strikes (aborts and counted lapses) of the last day
    /// happened, oldest first: the cooldown escalates with them.
    pub strikes: Vec<UnixMillis>,
}

/// Who wants a ping when someone starts searching (`/notifications`).
#[derive(Debug, Clone, PartialEq)]
pub struct NotifyPrefsRow {
    pub player_id: u64,
    pub enabled: bool,
    /// At most one ping per this long.
    pub min_gap_ms: i64,
    /// Quiet hours as minutes of the day in `time_zone`, from and to (the
    /// span may cross midnight); `None`: no quiet hours.
    pub quiet: Option<(u16, u16)>,
    /// An IANA time zone name (`Europe/Berlin`); `None`: UTC.
    pub time_zone: Option<String>,
    /// Only for searchers whose rating is within this of the subscriber's.
    pub near_rating: Option<u32>,
    pub last_ping_at: Option<UnixMillis>,
    pub updated_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueuePrefsRow {
    pub player_id: u64,
    pub races: Vec<String>,
    pub vetoes: Vec<String>,
    pub updated_at: UnixMillis,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeasonRow {
    pub id: u32,
    pub name: String,
    pub started_at: UnixMillis,
    pub ended_at: Option<UnixMillis>,
    pub map_pool: Vec<String>,
}

/// One (season, player, race) rating. Upsert.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingRow {
    pub season_id: u32,
    pub player_id: u64,
    pub race: String,
    pub rating: f64,
    pub deviation: f64,
    pub volatility: f64,
    pub games: u32,
    pub wins: u32,
    pub losses: u32,
    pub draws: u32,
    pub last_played_at: Option<UnixMillis>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub enum MatchState {
    Found,
    InProgress,
    Completed,
    Conflict,
    Aborted,
    Abandoned,
    Invalidated,
}

impl MatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchState::Found => "found",
            MatchState::InProgress => "in_progress",
            MatchState::Completed => "completed",
            MatchState::Conflict => "conflict",
            MatchState::Aborted => "aborted",
            MatchState::Abandoned => "abandoned",
            MatchState::Invalidated => "invalidated",
        }
    }
    pub fn parse(s: &str) -> Option<MatchState> {
        Some(match s {
            "found" => MatchState::Found,
            "in_progress" => MatchState::InProgress,
            "completed" => MatchState::Completed,
            "conflict" => MatchState::Conflict,
            "aborted" => MatchState::Aborted,
            "abandoned" => MatchState::Abandoned,
            "invalidated" => MatchState::Invalidated,
            _ => return None,
        })
    }
    /// Still needs something from players or admins.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            MatchState::Found | MatchState::InProgress | MatchState::Conflict
        )
    }
}

/// What one player said about the game.
#[derive(Debug, Clone, Copy, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub enum Report {
    Win,
    Loss,
    Draw,
}

impl Report {
    pub fn as_str(self) -> &'static str {
        match self {
            Report::Win => "win",
            Report::Loss => "loss",
            Report::Draw => "draw",
        }
    }
    pub fn parse(s: &str) -> Option<Report> {
        Some(match s {
            "win" => Report::Win,
            "loss" => Report::Loss,
            "draw" => Report::Draw,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub enum MatchResult {
    Player1,
    Player2,
    Draw,
}

impl MatchResult {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchResult::Player1 => "player1",
            MatchResult::Player2 => "player2",
            MatchResult::Draw => "draw",
        }
    }
    pub fn parse(s: &str) -> Option<MatchResult> {
        Some(match s {
            "player1" => MatchResult::Player1,
            "player2" => MatchResult::Player2,
            "draw" => MatchResult::Draw,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, bincode::Encode, bincode::Decode)]
pub enum ResultSource {
    Reports,
    Replay,
    Admin,
}

impl ResultSource {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultSource::Reports => "reports",
            ResultSource::Replay => "replay",
            ResultSource::Admin => "admin",
        }
    }
    pub fn parse(s: &str) -> Option<ResultSource> {
        Some(match s {
            "reports" => ResultSource::Reports,
            "replay" => ResultSource::Replay,
            "admin" => ResultSource::Admin,
            _ => return None,
        })
    }
}

/// A rating as it stood before a match: enough to recompute the match's
/// rating change from scratch (admin resolve is idempotent).
#[derive(Debug, Clone, Copy, PartialEq, bincode::Encode, bincode::Decode)]
pub struct RatingBefore {
    pub rating: f64,
    pub deviation: f64,
    pub volatility: f64,
}

/// A match, whole. Upsert on `id`: the core assigns ids and rewrites the row
/// on every state change.
#[derive(Debug, Clone, PartialEq, bincode::Encode, bincode::Decode)]
pub struct MatchRow {
    pub id: u64,
    pub season_id: u32,
    pub player1_id: u64,
    pub player2_id: u64,
    pub race1: String,
    pub race2: String,
    pub before1: RatingBefore,
    pub before2: RatingBefore,
    pub map: String,
    pub server: String,
    pub state: MatchState,
    pub created_at: UnixMillis,
    pub confirmed1_at: Option<UnixMillis>,
    pub confirmed2_at: Option<UnixMillis>,
    pub started_at: Option<UnixMillis>,
    pub report1: Option<Report>,
    pub report2: Option<Report>,
    pub reported1_at: Option<UnixMillis>,
    pub reported2_at: Option<UnixMillis>,
    pub result: Option<MatchResult>,
    pub result_source: Option<ResultSource>,
    pub finished_at: Option<UnixMillis>,
    pub rating1_change: Option<f64>,
    pub rating2_change: Option<f64>,
    pub ended_by: Option<u64>,
    pub flagged_at: Option<UnixMillis>,
    pub thread_id: Option<u64>,
    /// The confirm deadline promised on the card (extended by a restart's
    /// downtime). `None`: made before it was stored; created + the window.
    pub confirm_by: Option<UnixMillis>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayVerdict {
    Verified,
    Rejected,
    Error,
}

impl ReplayVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplayVerdict::Verified => "verified",
            ReplayVerdict::Rejected => "rejected",
            ReplayVerdict::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<ReplayVerdict> {
        Some(match s {
            "verified" => ReplayVerdict::Verified,
            "rejected" => ReplayVerdict::Rejected,
            "error" => ReplayVerdict::Error,
            _ => return None,
        })
    }
}

/// An uploaded replay and what came of it. Insert.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayRow {
    pub sha256: String,
    pub match_id: Option<u64>,
    pub uploader_id: u64,
    pub uploaded_at: UnixMillis,
    pub bytes: u64,
    pub build: Option<u32>,
    pub map_name: Option<String>,
    pub game_started_at: Option<UnixMillis>,
    pub game_length_s: Option<u32>,
    /// JSON of the parsed summary.
    pub summary_json: Option<String>,
    pub winner_slot: Option<u8>,
    pub verdict: ReplayVerdict,
    pub verdict_detail: String,
}

/// Something an admin did. Insert.
#[derive(Debug, Clone, PartialEq)]
pub struct AdminActionRow {
    pub admin_id: u64,
    pub action: String,
    pub target_player_id: Option<u64>,
    pub target_match_id: Option<u64>,
    pub reason: String,
    pub details_json: Option<String>,
    pub at: UnixMillis,
}

/// A command someone issued and its outcome. Insert.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub at: UnixMillis,
    pub actor_id: u64,
    pub command: String,
    pub target: Option<String>,
    pub outcome: String,
    pub details_json: Option<String>,
}

/// Who an outbox row is for: people and places, never Discord channels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxAudience {
    Player(u64),
    Lobby,
    Match(u64),
    AdminLog,
}

/// How an outbox row was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Discord accepted the message.
    Sent,
    /// Not sent, on purpose: a restart found it no longer worth sending
    /// (a card of a match that has moved on, a reminder of a past deadline).
    Superseded,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Superseded => "superseded",
        }
    }
}

/// A message someone must receive because of a state change, committed
/// with that change. Insert; settled later by [`Write::OutboxSettled`].
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: u64,
    pub created_at: UnixMillis,
    pub to: OutboxAudience,
    /// JSON written and read by `ladder::outbox`.
    pub body_json: String,
}

/// Keys of the `ladder_meta` table.
pub const META_ALIVE_AT: &str = "alive_at";
/// The lobby's live status message (its Discord message id).
pub const META_LOBBY_STATUS: &str = "lobby_status_message";

/// How Discord lets ladderd reach one player (`player_reach`): written by the
/// Discord layer, never read by the ladder core.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReachRow {
    pub player_id: u64,
    /// The DM channel Discord opened for this player.
    pub dm_channel_id: Option<u64>,
    /// A DM to this player was refused with 50007 (they closed their DMs).
    pub dms_closed: bool,
    /// When the player was told how to open their DMs.
    pub hinted_at: Option<UnixMillis>,
    pub updated_at: UnixMillis,
    /// The player's language (a shipped Discord locale code), if seen.
    pub locale: Option<String>,
}

/// One row to persist. A caller submits a `Vec<Write>`; the writer commits it
/// whole (in its own savepoint) or not at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Player(PlayerRow),
    QueuePrefs(QueuePrefsRow),
    Season(SeasonRow),
    Rating(RatingRow),
    Match(MatchRow),
    Replay(ReplayRow),
    AdminAction(AdminActionRow),
    Audit(AuditRow),
    Outbox(OutboxRow),
    /// An outbox row delivered (with the Discord message id, when known) or
    /// given up on purpose.
    OutboxSettled {
        id: u64,
        at: UnixMillis,
        delivery: Delivery,
        message_id: Option<u64>,
    },
    /// The ladder was alive at this time (a restart measures its downtime
    /// from the last one).
    AliveAt(UnixMillis),
    /// A map a reload removed while open matches still play on it (JSON of
    /// its configuration), or `None` to forget it.
    RetiredMap {
        name: String,
        info_json: Option<String>,
    },
    /// How Discord lets ladderd reach a player (the Discord layer's own).
    Reach(ReachRow),
    /// A player's match card was delivered at this time.
    CardDelivered {
        match_id: u64,
        player_id: u64,
        at: UnixMillis,
    },
    NotifyPrefs(NotifyPrefsRow),
    /// A single value of `ladder_meta` (the Discord layer's own keys).
    Meta {
        key: &'static str,
        value: i64,
    },
}
