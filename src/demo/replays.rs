//! The corpus replays the demo's replay rounds are built from: real 1v1
//! games whose two players, races, map and date the demo re-enacts, so the
//! worker pool verifies each upload with every check on. What each game is
//! comes from `ladderd parse --json` in a child process.

use std::path::{Path, PathBuf};

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

/// Where the corpus is: [`crate::replay::corpus::locate`] from the working
/// directory (`$LADDERD_REPLAY_CORPUS`, `../shared/replays`, the fixtures).
pub fn default_corpus() -> Option<PathBuf> {
    crate::replay::corpus::locate(std::path::Path::new(".")).map(|c| c.dir)
}

fn ladder_race(race: &str) -> Option<&'static str> {
    match race {
        "Terran" => Some("T"),
        "Zerg" => Some("Z"),
        "Protoss" => Some("P"),
        _ => None,
    }
}

/// The name, if the ladder accepts it as an in-game name.
fn ladder_name(name: &str) -> Option<String> {
    crate::ladder::validate::ingame_name_error(name)
        .is_none()
        .then(|| name.to_owned())
}

/// Every game in `dir` the demo can re-enact: two humans with ladder names
/// and races, a winner, no observers; sorted by date. The files are parsed
/// by `exe parse --json` in a process of its own, as ladderd never parses a
/// replay in the supervisor's process; files that do not qualify (other
/// modes, unsupported versions, broken files) are skipped.
pub fn load(dir: &Path, exe: &Path) -> Vec<CorpusGame> {
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
    if files.is_empty() {
        return Vec::new();
    }
    files.sort();
    let Ok(out) = std::process::Command::new(exe)
        .arg("parse")
        .arg("--json")
        .args(&files)
        .stderr(std::process::Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    let mut games: Vec<CorpusGame> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|summary| game(&summary))
        .collect();
    games.sort_by_key(|g| (g.start_ms, g.file.clone()));
    games
}

fn game(summary: &serde_json::Value) -> Option<CorpusGame> {
    let file = PathBuf::from(summary["file"].as_str()?);
    let players = summary["players"].as_array()?;
    let no_observers = summary["observers"].as_array().is_some_and(Vec::is_empty);
    if !no_observers || players.len() != 2 {
        return None;
    }
    let side = |p: &serde_json::Value| -> Option<ReplaySide> {
        if p["is_human"] != true {
            return None;
        }
        Some(ReplaySide {
            name: ladder_name(p["name"].as_str()?)?,
            race: ladder_race(p["play_race"].as_str()?)?,
            won: match p["result"].as_str()? {
                "Win" => true,
                "Loss" => false,
                _ => return None,
            },
        })
    };
    let sides = [side(&players[0])?, side(&players[1])?];
    if sides[0].won == sides[1].won || sides[0].name.eq_ignore_ascii_case(&sides[1].name) {
        return None;
    }
    let bytes = std::fs::read(&file).ok()?;
    Some(CorpusGame {
        map: summary["map_name"].as_str()?.to_owned(),
        start_ms: utc_ms(summary["start_time_utc"].as_str()?)?,
        end_ms: utc_ms(summary["end_time_utc"].as_str()?)?,
        sides,
        bytes,
        file,
    })
}

/// `YYYY-MM-DDTHH:MM:SSZ` (what `ladderd parse --json` prints) as Unix ms.
fn utc_ms(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60_000 + ss * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_parse_to_unix_millis() {
        assert_eq!(utc_ms("1970-01-01T00:00:00Z"), Some(0));
        // The corpus game the e2e test re-enacts started at 1_762_995_174 s.
        assert_eq!(utc_ms("2025-11-13T00:52:54Z"), Some(1_762_995_174_000));
        assert_eq!(utc_ms("2000-03-01T12:00:00Z"), Some(951_912_000_000));
        for bad in [
            "",
            "2025-11-13 00:52:54Z",
            "2025-13-01T00:00:00Z",
            "2025-11-13T00:52:54",
        ] {
            assert_eq!(utc_ms(bad), None, "{bad}");
        }
    }
}
