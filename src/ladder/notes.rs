//! What the ladder tells people beyond cards and refusals, as data: the
//! Discord layer words each one in its reader's language (`discord::render`,
//! `locales/*/ladderd.ftl`). The core stays free of words.
//!
//! Both enums are stored in the outbox as JSON (`outbox::Body`), so a
//! variant or field, once landed, is only ever added to, never renamed:
//! a row written by an older ladderd must still decode after an upgrade.

use serde::{Deserialize, Serialize};

use super::MatchId;

/// A notice to a player (or the lobby) that is neither a card nor a refusal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// The player let match `match_id` lapse and it counts as an abort.
    Lapsed {
        match_id: MatchId,
        aborts_left: u32,
        cooldown_ms: i64,
    },
    /// The player let it lapse, but its card reached them late: no cost.
    LapsedForgiven {
        match_id: MatchId,
    },
    /// The opponent let it lapse; the player is back in the queue.
    OpponentLapsed {
        match_id: MatchId,
    },
    /// A restart emptied the queue the player was in.
    QueueEmptiedByRestart,
    /// "Still searching?" answered yes.
    StayingInQueue,
    /// An admin took the player out of the queue.
    RemovedFromQueue {
        reason: String,
    },
    /// An admin cleared the whole queue.
    QueueCleared {
        reason: String,
    },
    Banned {
        reason: String,
    },
    Unbanned,
    /// The lobby: the season's map pool changed.
    MapPoolChanged {
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// The lobby: a season ended and the next began.
    SeasonStarted {
        ended: String,
        started: String,
        maps: usize,
    },
    /// The player's `/notifications` settings, as they now are.
    Notifications {
        enabled: bool,
        min_gap_minutes: i64,
        /// Quiet hours, minutes of the day (from, to), and their time zone.
        quiet: Option<(u16, u16)>,
        time_zone: Option<String>,
        near_rating: Option<u32>,
    },
    /// A verified replay with no match to attach it to.
    ReplayUnattached,
    /// The replay failed verification; `detail` is the verifier's (English)
    /// reason, already bounded.
    ReplayRejected {
        detail: String,
    },
    /// Stored, but an admin had already resolved the match.
    ReplayAfterAdmin,
    /// Stored; it agrees with the settled result.
    ReplayAgrees,
    /// Verified and kept; on this ladder reports settle the match.
    ReplayKept {
        match_id: MatchId,
    },
    /// Stored; the match is in `state` (`MatchState::as_str`).
    ReplayStored {
        match_id: MatchId,
        state: String,
    },
}

/// Why a match ended, told with its result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum EndReason {
    /// Both players reported the same result.
    Agreed,
    /// The verified replay settled it.
    Replay,
    /// An admin resolved it.
    Admin,
    /// One player aborted it.
    AbortedBy {
        name: String,
        aborts_left: u32,
        cooldown_ms: i64,
    },
    /// An admin reset one of its players.
    AdminReset { reason: String },
    /// Words an older ladderd stored with the result (English), shown as
    /// they are; empty: nothing.
    Legacy { text: String },
}
