//! The corpus replays the demo's replay rounds are built from: real 1v1
//! games whose two players, races, map and date the demo re-enacts, so the
//! worker pool verifies each upload with every check on.

use std::path::{Path, PathBuf};

use crate::replay::summary::{GameResult, Race};
use crate::replay::{DEFAULT_MAX_BYTES, ParseLevel, parse_bytes};

/// One side of a corpus game.
#[derive(Debug, Clone)]
pub struct ReplaySide {
    pub name: String,
    /// The ladder's race id (T, Z, P).
    pub race: &'static str,
    pub won: bool,
}

/// A corpus game the demo can re-enact.
#[derive(Debug, Clone)]
pub struct CorpusGame {
    pub file: PathBuf,
    pub bytes: Vec<u8>,
    pub map: String,
    /// Unix milliseconds.
    pub start_ms: i64,
    pub end_ms: i64,
    pub sides: [ReplaySide; 2],
}

/// Where the corpus is: `$LADDERD_REPLAY_CORPUS`, else `../shared/replays`
/// beside the working directory, else nowhere.
pub fn default_corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("LADDERD_REPLAY_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    let beside = PathBuf::from("../shared/replays");
    beside.is_dir().then_some(beside)
}

fn ladder_race(race: Option<Race>) -> Option<&'static str> {
    match race? {
        Race::Terran => Some("T"),
        Race::Zerg => Some("Z"),
        Race::Protoss => Some("P"),
        Race::Random => None,
    }
}

/// The name as the ladder accepts it (3–12 letters), or `None`.
fn ladder_name(name: &str) -> Option<String> {
    let n = name.chars().count();
    ((3..=12).contains(&n) && name.chars().all(char::is_alphabetic)).then(|| name.to_owned())
}

/// Every game in `dir` the demo can re-enact: parsed, two humans with ladder
/// names and races, a winner, no observers. Sorted by date. Files that do not
/// qualify (other modes, unsupported versions, broken files) are skipped.
pub fn load(dir: &Path) -> Vec<CorpusGame> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("SC2Replay"))
        })
        .collect();
    files.sort();
    let mut games: Vec<CorpusGame> = files.into_iter().filter_map(|f| game(&f)).collect();
    games.sort_by_key(|g| (g.start_ms, g.file.clone()));
    games
}

fn game(file: &Path) -> Option<CorpusGame> {
    let bytes = std::fs::read(file).ok()?;
    let summary = parse_bytes(&bytes, ParseLevel::Verification, DEFAULT_MAX_BYTES).ok()?;
    if !summary.observers.is_empty() || summary.players.len() != 2 {
        return None;
    }
    let side = |i: usize| -> Option<ReplaySide> {
        let p = &summary.players[i];
        if !p.is_human {
            return None;
        }
        Some(ReplaySide {
            name: ladder_name(&p.name)?,
            race: ladder_race(p.play_race)?,
            won: match p.result? {
                GameResult::Win => true,
                GameResult::Loss => false,
                GameResult::Tie => return None,
            },
        })
    };
    let sides = [side(0)?, side(1)?];
    if sides[0].won == sides[1].won || sides[0].name.eq_ignore_ascii_case(&sides[1].name) {
        return None;
    }
    Some(CorpusGame {
        file: file.to_owned(),
        map: summary.map_name.clone(),
        start_ms: summary.start_time_utc * 1000,
        end_ms: summary.end_time_utc * 1000,
        sides,
        bytes,
    })
}
