//! `ladderd parse [--json] FILE...`: one JSON object per file per line (field
//! names and value conventions of `../shared/replays/ORACLE.jsonl`), or a short
//! human-readable block per file.

use std::io::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::{ParseLevel, ReplayError, ReplaySummary, format_utc, parse_file};

/// The JSON object for one parsed file.
pub fn summary_json(file: &str, s: &ReplaySummary) -> Value {
    json!({
        "file": file,
        "sha256": s.sha256,
        "release": s.release,
        "build": s.build,
        "base_build": s.base_build,
        "map_name": s.map_name,
        "game_loops": s.game_loops,
        "game_length_s": s.game_length_s,
        "real_length_s": s.real_length_s,
        "start_time_utc": format_utc(s.start_time_utc),
        "end_time_utc": format_utc(s.end_time_utc),
        "speed": s.speed,
        "expansion": s.expansion,
        "region": s.region,
        "category": s.category,
        "game_type": s.game_type,
        "dependencies": s.dependencies,
        "mod_names": s.mod_names,
        "players": s.players.iter().map(|p| json!({
            "name": p.name,
            "clan_tag": p.clan_tag,
            "play_race": p.play_race.map(|r| r.as_str()),
            "pick_race": p.pick_race.map(|r| r.as_str()),
            "result": p.result.map(|r| format!("{r:?}")),
            "team": p.team,
            "is_human": p.is_human,
            "toon_handle": p.toon_handle,
        })).collect::<Vec<_>>(),
        "observers": s.observers.iter().map(|o| json!({
            "name": o.name,
            "toon_handle": o.toon_handle,
        })).collect::<Vec<_>>(),
        "winner": s.winner.as_ref().map(|w| json!({"team": w.team, "players": w.players})),
    })
}

/// The JSON object for one file that did not parse.
pub fn error_json(file: &str, e: &ReplayError) -> Value {
    json!({"file": file, "error": {"kind": e.kind(), "message": e.to_string()}})
}

fn human_block(file: &str, s: &ReplaySummary) -> String {
    let mut out = format!(
        "{file}\n  {} on {} ({}, {}), {} s game, {} s real\n  started {} ended {}\n",
        s.release,
        s.map_name,
        s.speed,
        s.category.as_deref().unwrap_or("unknown mode"),
        s.game_length_s,
        s.real_length_s,
        format_utc(s.start_time_utc),
        format_utc(s.end_time_utc),
    );
    for p in &s.players {
        let tag = p
            .clan_tag
            .as_deref()
            .map(|t| format!("[{t}] "))
            .unwrap_or_default();
        out.push_str(&format!(
            "  team {} {}{} {} {}{}\n",
            p.team,
            tag,
            p.name,
            p.play_race.map_or("?", |r| r.as_str()),
            p.result
                .map_or_else(|| "undecided".into(), |r| format!("{r:?}")),
            if p.is_human { "" } else { " (computer)" },
        ));
    }
    for o in &s.observers {
        out.push_str(&format!("  observer {}\n", o.name));
    }
    out.push_str(&format!("  sha256 {}\n", s.sha256));
    out
}

/// Parses every file and prints the result; returns whether all parsed.
pub fn run(files: &[impl AsRef<Path>], json: bool, max_bytes: u64) -> bool {
    let mut all_ok = true;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in files {
        let path = path.as_ref();
        let name = path.display().to_string();
        let res = parse_file(path, ParseLevel::Verification, max_bytes);
        all_ok &= res.is_ok();
        let text = match (&res, json) {
            (Ok(s), true) => summary_json(&name, s).to_string(),
            (Err(e), true) => error_json(&name, e).to_string(),
            (Ok(s), false) => human_block(&name, s),
            (Err(e), false) => format!("{name}\n  error ({}): {e}\n", e.kind()),
        };
        // A closed stdout (e.g. `| head`) ends the output, never the process with a panic.
        if writeln!(out, "{text}").is_err() {
            return all_ok;
        }
    }
    all_ok
}
