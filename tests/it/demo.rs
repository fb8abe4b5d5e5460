//! `ladderd demo` through the binary, on the simulator's realistic
//! defaults: the newcomer's first command must end with no ladderd error and
//! no 429 ladderd's pacer should have avoided, and say what it did — what
//! Discord imposed (403 40003/50007, shared-scope 429s, matches lost to
//! delivery) is reported as figures, not failed on.

use std::process::Command;

use crate::support::wait::{BoundedOutput as _, WAIT};

/// A whole demo run (about 17 s on an idle 2-core machine) is a workload,
/// not one wait: four times the bound on a single wait.
// The demo's confirm windows run in wall time (issue #13), so a 6-minute
// ladder takes minutes of real time; this bounds a hang, it times nothing.
const DEMO_RUN: std::time::Duration = WAIT.saturating_mul(12);

use crate::support::ladderd_bin;

#[test]
fn a_short_demo_plays_a_ladder_with_no_errors_and_no_paced_429s() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.json");
    let db = dir.path().join("kept.db");
    let transcript = dir.path().join("seen.html");
    let mut cmd = Command::new(ladderd_bin());
    cmd.args(["demo", "--players", "12", "--minutes", "6", "--seed", "7"])
        .arg("--summary-json")
        .arg(&summary)
        .arg("--transcript")
        .arg(&transcript)
        .arg("--keep-db")
        .arg(&db)
        .env("RUST_LOG", "warn");
    let corpus = crate::replay::corpus();
    match &corpus {
        Some(c) => cmd.arg("--replays").arg(c),
        None => cmd.arg("--replays").arg(dir.path()),
    };
    let out = cmd.output_within(DEMO_RUN);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("ladderd demo — summary"), "{stdout}");
    // The realism settings come first, before any figure.
    let realism = stdout.find("closed DMs: 15 %").expect("realism stated");
    assert!(realism < stdout.find("matches found").unwrap(), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&summary).unwrap()).unwrap();
    for key in [
        "matches_found",
        "matches_completed",
        "replays_verified",
        "http_requests",
        "http_429",
        "http_429_paced",
        "discord_refusals",
        "matches_lost_to_delivery",
        "invalid_requests_peak_10min",
        "errors",
        "handle_p50_us",
        "handle_p99_us",
        "searching_pings",
        "still_searching_asked",
        "removed_by_queue_expiry",
    ] {
        assert!(json[key].is_u64(), "{key} missing: {json}");
    }
    assert_eq!(json["errors"], 0, "{json}");
    assert_eq!(json["matches_lost_to_delivery"], 0, "{json}");
    assert!(
        json["per_wave"].as_array().is_some_and(|w| !w.is_empty()),
        "{json}"
    );
    // The transcript shows the first player who saw a card that card.
    let page = std::fs::read_to_string(&transcript).expect("the transcript is written");
    assert!(page.contains("<b>Match found — match #"), "{page}");
    assert!(page.contains("class=\"button success\">Confirm"), "{page}");
    assert_eq!(json["http_429_paced"], 0, "{json}");
    assert_eq!(
        json["http_429"].as_u64().unwrap(),
        json["http_429_shared"].as_u64().unwrap(),
        "every 429 was one Discord imposes: {json}"
    );
    assert!(
        json["realism"].as_array().is_some_and(|r| !r.is_empty()),
        "{json}"
    );
    assert!(json["matches_found"].as_u64().unwrap() > 0, "{json}");
    assert!(json["matches_completed"].as_u64().unwrap() > 0, "{json}");
    assert!(
        json["handle_p99_us"].as_u64() >= json["handle_p50_us"].as_u64(),
        "{json}"
    );
    if corpus.is_some() {
        let uploaded = json["replays_uploaded"].as_u64().unwrap();
        assert!(uploaded > 0, "{json}");
        assert_eq!(json["replays_verified"].as_u64(), Some(uploaded), "{json}");
    }
    // The kept database holds the ladder the summary describes.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let matches: i64 = conn
        .query_row("SELECT count(*) FROM matches", [], |r| r.get(0))
        .unwrap();
    assert_eq!(Some(matches), json["matches_found"].as_i64());
    let players: i64 = conn
        .query_row("SELECT count(*) FROM players", [], |r| r.get(0))
        .unwrap();
    assert!(players >= 12, "{players}");

    // Asked to keep the database where one exists: refused, nothing touched.
    let before = std::fs::metadata(&db).unwrap().len();
    let again = Command::new(ladderd_bin())
        .args(["demo", "--players", "4", "--minutes", "1", "--keep-db"])
        .arg(&db)
        .bounded_output();
    assert_eq!(again.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("exists"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::metadata(&db).unwrap().len(), before);
}

/// The same seed plays the same ladder: the same pairs, on the same maps,
/// with the same outcomes, whatever the scheduling of the two runs.
#[test]
fn the_same_seed_plays_the_same_ladder() {
    let dir = tempfile::tempdir().unwrap();
    let ladder = |name: &str| -> Vec<(String, String, String, String, String, f64)> {
        let db = dir.path().join(name);
        let out = Command::new(ladderd_bin())
            .args(["demo", "--players", "10", "--minutes", "4", "--seed", "11"])
            .arg("--replays")
            .arg(dir.path()) // no corpus here: the population only
            .arg("--keep-db")
            .arg(&db)
            .env("RUST_LOG", "warn")
            .output_within(DEMO_RUN);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT p1.ingame_name, p2.ingame_name, m.map, m.state, \
                 coalesce(m.report1, '-'), m.rating1_before \
                 FROM matches m JOIN players p1 ON p1.discord_id = m.player1_id \
                 JOIN players p2 ON p2.discord_id = m.player2_id ORDER BY m.id",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let first = ladder("a.db");
    assert!(!first.is_empty());
    assert_eq!(first, ladder("b.db"));
}
