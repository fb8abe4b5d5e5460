//! The replay corpus (`../shared/replays`) against sc2reader's reading of it
//! (`ORACLE.jsonl`).
//!
//! Normalisations, stated once: the oracle's names are compared as sc2reader
//! strips them (clan tag in its own field); `toon_handle` of computers is null
//! on both sides; `broken-mpq-bad-magic` may parse like its source (sc2reader
//! reads it); `broken-bitflip-middle` only damages `replay.game.events`, so at
//! verification level it may parse like its source (sc2reader loads it up to
//! level 3), and at full level it must be a clean error.

use std::path::PathBuf;

use ladderd::replay::{self, ParseLevel, ReplayError, cli::summary_json, corpus::CorpusKind};
use serde_json::Value;

use crate::support::repo_root;

/// The replay corpus for tests that run on any: the shared one, or the
/// fixtures in the repository (see `ladderd::replay::corpus::locate`).
/// `Option` for the callers' sake; the fixtures are always there.
pub fn corpus() -> Option<PathBuf> {
    let found = replay::corpus::locate(&repo_root());
    assert!(found.is_some(), "tests/fixtures/replays is missing");
    found.map(|c| c.dir)
}

/// The full corpus, or `None` (test skipped) outside CI when only the
/// fixtures are there; under `CI=true` it must be found.
pub fn full_corpus() -> Option<PathBuf> {
    match replay::corpus::locate(&repo_root()) {
        Some(c) if c.kind == CorpusKind::Full && c.dir.join("ORACLE.jsonl").is_file() => {
            Some(c.dir)
        }
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the full replay corpus is missing and CI=true requires it"
            );
            eprintln!("SKIPPED: the full replay corpus is not found");
            None
        }
    }
}

pub fn oracle(dir: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("ORACLE.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

const FIELDS: &[&str] = &[
    "sha256",
    "release",
    "build",
    "base_build",
    "map_name",
    "game_loops",
    "game_length_s",
    "real_length_s",
    "start_time_utc",
    "end_time_utc",
    "speed",
    "expansion",
    "region",
    "category",
    "game_type",
    "observers",
    "winner",
];
const PLAYER_FIELDS: &[&str] = &[
    "name",
    "clan_tag",
    "play_race",
    "pick_race",
    "result",
    "team",
    "is_human",
    "toon_handle",
];

/// Every difference between our JSON and the oracle's, as readable lines.
fn differences(ours: &Value, want: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for f in FIELDS {
        if ours[f] != want[f] {
            out.push(format!("{f}: ours {} oracle {}", ours[f], want[f]));
        }
    }
    let (a, b) = (ours["players"].as_array(), want["players"].as_array());
    match (a, b) {
        (Some(a), Some(b)) if a.len() == b.len() => {
            for (i, (p, q)) in a.iter().zip(b).enumerate() {
                for f in PLAYER_FIELDS {
                    if p[f] != q[f] {
                        out.push(format!("players[{i}].{f}: ours {} oracle {}", p[f], q[f]));
                    }
                }
            }
        }
        _ => out.push(format!("players: ours {a:?} oracle {b:?}")),
    }
    out
}

#[test]
fn corpus_matches_the_oracle() {
    let Some(dir) = corpus() else { return };
    let (mut exact, mut unsupported, mut rejected) = (0, 0, 0);
    let mut failures = Vec::new();
    for want in oracle(&dir) {
        let file = want["file"].as_str().unwrap().to_owned();
        let path = dir.join(&file);
        let res = replay::parse_file(&path, ParseLevel::Verification, replay::DEFAULT_MAX_BYTES);
        let is_broken = want["broken"] == Value::Bool(true);
        let modern = want["release"]
            .as_str()
            .is_some_and(|r| r.starts_with("5.0."));
        match (is_broken, res) {
            (false, Ok(s)) => {
                // The domain summary is bincode-encodable and round-trips.
                let bytes = bincode::encode_to_vec(&s, bincode::config::standard()).unwrap();
                let (back, _): (replay::ReplaySummary, _) =
                    bincode::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
                assert_eq!(back, s, "{file}");
                let diffs = differences(&summary_json(&file, &s), &want);
                if diffs.is_empty() {
                    exact += 1;
                } else {
                    failures.push(format!("{file}:\n  {}", diffs.join("\n  ")));
                }
            }
            (false, Err(ReplayError::UnsupportedVersion { build, .. })) if !modern => {
                assert_eq!(Some(u64::from(build)), want["build"].as_u64(), "{file}");
                unsupported += 1;
            }
            (false, Err(e)) => failures.push(format!("{file}: {e:?}")),
            (true, Err(_)) => rejected += 1,
            (true, Ok(s)) => {
                let may_parse =
                    file.starts_with("broken-mpq-bad-magic") || file.starts_with("broken-bitflip");
                let diffs = differences(&summary_json(&file, &s), &want);
                if may_parse && diffs.is_empty() {
                    rejected += 1;
                } else {
                    failures.push(format!("{file} parsed: {diffs:?}"));
                }
            }
        }
    }
    println!("{exact} parsed exactly, {unsupported} unsupported, {rejected} broken-rejected");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let lines = oracle(&dir);
    let broken = lines
        .iter()
        .filter(|l| l["broken"] == Value::Bool(true))
        .count();
    assert_eq!(rejected, broken);
    assert_eq!(exact + unsupported, lines.len() - broken);
    let modern = lines
        .iter()
        .filter(|l| l["broken"] != Value::Bool(true))
        .filter(|l| l["release"].as_str().is_some_and(|r| r.starts_with("5.0.")))
        .count();
    assert_eq!(exact, modern, "every 5.0.x replay parses exactly");
}

/// The shared corpus as a whole: its counts, and the damaged game events of
/// `broken-bitflip-middle` noticed at full level.
#[test]
fn full_corpus_counts_and_full_level() {
    let Some(dir) = full_corpus() else { return };
    let lines = oracle(&dir);
    assert_eq!(lines.len(), 53);
    let bitflip = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().contains("broken-bitflip-middle"))
        .unwrap();
    let full = replay::parse_file(&bitflip, ParseLevel::Full, replay::DEFAULT_MAX_BYTES);
    assert!(matches!(full, Err(ReplayError::Corrupt { .. })), "{full:?}");
}

#[test]
fn parse_command_prints_json_lines_and_exit_codes() {
    let Some(dir) = corpus() else { return };
    let good = dir.join("5.0.15.95299-1v1-Terran-vs-Protoss-5daea193.SC2Replay");
    let bad = dir.join("broken-random-bytes-2f47e1e9.SC2Replay");
    let run = |files: &[&PathBuf]| {
        std::process::Command::new(crate::support::ladderd_bin())
            .arg("parse")
            .arg("--json")
            .args(files)
            .output()
            .unwrap()
    };
    let out = run(&[&good]);
    assert_eq!(out.status.code(), Some(0));
    let line: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["map_name"], "Pylon LE");
    assert_eq!(line["winner"]["team"], 1);

    let out = run(&[&good, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["error"]["kind"], "NotAReplay");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Every file of the corpus, human-readable: never a crash.
    let all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "SC2Replay"))
        .collect();
    let out = std::process::Command::new(crate::support::ladderd_bin())
        .arg("parse")
        .args(&all)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "some corpus files are broken");
}

/// #15: a ladder that requires a mod refuses a real game played without it,
/// naming the check; the same game passes when the mod it did load is the
/// one required, and the lobby rule is checked the same way.
#[test]
fn a_corpus_game_without_the_required_mod_is_refused_by_name() {
    use ladderd::replay::verify::{
        CheckName, ExpectedPlayer, GameRules, MatchExpectation, Privacy, verify,
    };

    let file = repo_root()
        .join("tests/fixtures/replays/5.0.15.95299-1v1-Terran-vs-Protoss-2e330d59.SC2Replay");
    let bytes = std::fs::read(&file).expect("the fixture is in the repository");
    let summary =
        replay::parse::parse_bytes(&bytes, ParseLevel::Verification, replay::DEFAULT_MAX_BYTES)
            .expect("the fixture parses");
    assert!(
        summary.mod_names.iter().any(|m| m == "Void"),
        "{:?}",
        summary.mod_names
    );
    assert_eq!(summary.category.as_deref(), Some("Private"));
    let humans: Vec<_> = summary.players.iter().filter(|p| p.is_human).collect();
    let slot = |i: usize| ExpectedPlayer {
        toon_handle: humans[i].toon_handle.clone(),
        name: humans[i].name.clone(),
        race: humans[i].play_race.expect("a known race"),
    };
    let verdict = |rules: &GameRules| {
        verify(
            &MatchExpectation {
                slots: [slot(0), slot(1)],
                map_name: summary.map_name.clone(),
                created_at: summary.start_time_utc - 30,
                start_window_s: 600,
                rules,
                already_used: false,
            },
            &summary,
            summary.end_time_utc + 60,
        )
    };
    let failed = |rules: &GameRules| -> Vec<CheckName> {
        verdict(rules)
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name)
            .collect()
    };
    // As played (this game had an observer, so the ladder allows them):
    // every check passes.
    let base = GameRules {
        allow_observers: true,
        ..GameRules::default()
    };
    assert_eq!(failed(&base), []);
    let evo = GameRules {
        required_mods: vec!["SCEvo.SC2Mod".into()],
        ..base.clone()
    };
    assert_eq!(failed(&evo), [CheckName::RequiredMods]);
    let v = verdict(&evo);
    let message = &v.check(CheckName::RequiredMods).unwrap().message;
    assert!(message.contains("without SCEvo.SC2Mod"), "{message}");
    // Required by name or by its cache handle's hash, the mod it loaded passes.
    let void = GameRules {
        required_mods: vec!["Void".into(), summary.dependencies[0].to_uppercase()],
        ..base.clone()
    };
    assert_eq!(failed(&void), []);
    let public = GameRules {
        privacy: Privacy::Public,
        ..base.clone()
    };
    assert_eq!(failed(&public), [CheckName::LobbyPrivacy]);
}
