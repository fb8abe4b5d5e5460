//! What a replay says, as ladderd uses it: [`ReplaySummary`] and its parts.
//! Plain data, no parsing here. Serde (for `ladderd parse --json`) and bincode
//! 2 encodable; the IPC module still keeps its own wire types so a change here
//! never silently changes the worker protocol.

use serde::{Deserialize, Serialize};

/// A race as the game reports it. `Random` only appears as a pick.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    bincode::Encode,
    bincode::Decode,
)]
pub enum Race {
    Terran,
    Zerg,
    Protoss,
    Random,
}

impl Race {
    pub fn as_str(self) -> &'static str {
        match self {
            Race::Terran => "Terran",
            Race::Zerg => "Zerg",
            Race::Protoss => "Protoss",
            Race::Random => "Random",
        }
    }
}

/// A player's result in `replay.details`; `None` in [`PlayerSummary`] means undecided.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, bincode::Encode, bincode::Decode,
)]
pub enum GameResult {
    Win,
    Loss,
    Tie,
}

/// One player (human or computer), never an observer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bincode::Encode, bincode::Decode)]
pub struct PlayerSummary {
    /// The name without the clan tag.
    pub name: String,
    pub clan_tag: Option<String>,
    /// The race played; `None` when the replay names a race ladderd does not know.
    pub play_race: Option<Race>,
    /// The lobby choice (may be `Random`), from the attributes.
    pub pick_race: Option<Race>,
    pub result: Option<GameResult>,
    /// Numbered from 1.
    pub team: u8,
    pub is_human: bool,
    /// `region-S2-realm-id` from the init data; `None` for computers.
    pub toon_handle: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bincode::Encode, bincode::Decode)]
pub struct ObserverSummary {
    pub name: String,
    pub toon_handle: Option<String>,
}

/// The team whose players all won.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bincode::Encode, bincode::Decode)]
pub struct Winner {
    pub team: u8,
    pub players: Vec<String>,
}

/// Counts from full decoding (`ParseLevel::Full`); absent at verification level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bincode::Encode, bincode::Decode)]
pub struct EventCounts {
    pub game_events: u64,
    pub tracker_events: u64,
    pub message_events: u64,
}

/// Everything ladderd reads from one replay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, bincode::Encode, bincode::Decode)]
pub struct ReplaySummary {
    /// sha256 of the whole file, lowercase hex.
    pub sha256: String,
    /// `major.minor.revision.build`.
    pub release: String,
    pub build: u32,
    /// The protocol build, which selects the decoder.
    pub base_build: u32,
    pub map_name: String,
    pub game_loops: u32,
    pub game_length_s: u64,
    pub real_length_s: u64,
    /// Unix seconds, UTC.
    pub start_time_utc: i64,
    /// Unix seconds, UTC: the details file time.
    pub end_time_utc: i64,
    /// `Faster` for every modern game.
    pub speed: String,
    /// `WoL`, `HotS`, `LotV`, or empty when no known dependency is listed.
    pub expansion: String,
    /// Server region from the first cache handle (`us`, `eu`, `kr`, `cn`, `sea`, `xx`).
    pub region: String,
    /// Lobby game mode: `Ladder`, `Private`, `Public`, where the attributes say.
    pub category: Option<String>,
    /// Lobby "Teams" attribute: `1v1`, `2v2`, `FFA` …
    pub game_type: Option<String>,
    /// The sha256 (lowercase hex) of every dependency cache handle in
    /// `replay.details`: the mods and data the game loaded. At most
    /// [`MAX_DEPENDENCIES`].
    pub dependencies: Vec<String>,
    /// Names of the mods the game loaded: Blizzard's standard data mods
    /// recognised among `dependencies` (`Core`, `Liberty`, `VoidMulti` …)
    /// and the file names of the details' mod paths. At most
    /// [`MAX_DEPENDENCIES`], each at most [`MAX_MOD_NAME`] characters.
    pub mod_names: Vec<String>,
    pub players: Vec<PlayerSummary>,
    pub observers: Vec<ObserverSummary>,
    pub winner: Option<Winner>,
    pub events: Option<EventCounts>,
}

/// Bounds on what a summary carries about dependencies (a real game lists
/// fewer than ten).
pub const MAX_DEPENDENCIES: usize = 64;
pub const MAX_MOD_NAME: usize = 100;

/// Formats Unix seconds as `2025-10-11T01:01:52Z`.
pub fn format_utc(unix_s: i64) -> String {
    let days = unix_s.div_euclid(86_400);
    let secs = unix_s.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01;
/// the one implementation is [`crate::ladder::time::civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    crate::ladder::time::civil(days.saturating_mul(86_400_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_760_144_512), "2025-10-11T01:01:52Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
    }
}
