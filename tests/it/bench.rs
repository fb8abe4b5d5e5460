//! `ladderd bench` scenarios at a tiny size, through the binary: each one
//! runs to the end and reports figures that add up. Nothing is timed here;
//! the figures themselves go to BENCHMARKS.md from full-size runs.

use std::process::Command;

use crate::support::wait::{BoundedOutput as _, WAIT};
use crate::support::{ladderd_bin, repo_root};

/// A scenario is a small workload (a database to write, a supervisor to
/// start and stop), not one wait.
const SCENARIO_RUN: std::time::Duration = WAIT.saturating_mul(4);

fn bench(args: &[&str]) -> serde_json::Value {
    bench_within(SCENARIO_RUN, args)
}

fn bench_within(bound: std::time::Duration, args: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("figures.json");
    let out = Command::new(ladderd_bin())
        .arg("bench")
        .args(args)
        .arg("--json")
        .arg(&json)
        .current_dir(repo_root())
        .env_remove("RUST_LOG")
        .output_within(bound);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("ladderd bench"), "{stdout}");
    serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap()
}

#[test]
fn memory_starts_a_supervisor_on_a_generated_history() {
    let v = bench(&["memory", "--players", "30", "--matches", "200"]);
    assert_eq!(v["scenario"], "memory");
    assert_eq!(v["written"]["players"], 30);
    assert_eq!(v["written"]["matches"], 200);
    assert_eq!(v["written"]["outbox_rows"], 400);
    let (rss, peak) = (
        v["rss_ready_kib"].as_u64().unwrap(),
        v["peak_rss_kib"].as_u64().unwrap(),
    );
    assert!(rss > 0 && peak >= rss, "{v}");
    assert!(v["ready_seconds"].as_f64().unwrap() > 0.0, "{v}");
    assert_eq!(v["worker_rss_kib"].as_array().unwrap().len(), 2, "{v}");
    let phases = v["phases"].to_string();
    assert!(phases.contains("opening the database"), "{v}");
}

#[test]
fn uploads_verify_every_replay_with_one_and_two_workers() {
    let fixtures = repo_root().join("tests/fixtures/replays");
    let v = bench(&[
        "uploads",
        "--uploads",
        "8",
        "--within-s",
        "1",
        "--replays",
        fixtures.to_str().unwrap(),
    ]);
    assert_eq!(v["scenario"], "uploads");
    let runs = v["runs"].as_array().unwrap();
    // spread and at once, 1 and 2 workers, verification level.
    assert_eq!(runs.len(), 4, "{v}");
    for r in runs {
        assert_eq!(r["verified"], 8, "{r}");
        assert_eq!(r["refused_busy"], 0, "{r}");
        assert!(r["worker_cpu_ms_per_job"].as_f64().unwrap() >= 0.0, "{r}");
    }
}

#[test]
fn handling_reports_every_phase_with_the_history_loaded() {
    let v = bench(&[
        "handling",
        "--players",
        "40",
        "--matches",
        "200",
        "--users",
        "3",
        "--rounds",
        "1",
    ]);
    assert_eq!(v["scenario"], "handling");
    assert_eq!(v["loaded_players"], 40);
    assert_eq!(v["loaded_matches"], 200);
    let phases = v["phases"].as_array().unwrap();
    let names: Vec<&str> = phases.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "sign-up",
            "queue",
            "queue, one at a time",
            "leaderboard",
            "profile",
            "history"
        ],
        "{v}"
    );
    for p in phases {
        assert_eq!(p["unanswered"], 0, "{p}");
        assert_eq!(p["refused"], 0, "{p}");
        assert!(p["interactions"].as_u64().unwrap() >= 3, "{p}");
        assert!(p["p50_us"].as_u64().unwrap() > 0, "{p}");
    }
}

#[test]
fn burst_counts_a_waves_requests_and_cards() {
    let v = bench(&["burst", "--waves", "1", "--card-wait-s", "20"]);
    assert_eq!(v["scenario"], "burst");
    let w = &v["waves"][0];
    assert_eq!(w["players"], 2, "{v}");
    let carded = w["players_with_card"].as_u64().unwrap();
    assert!(carded <= 2, "{v}");
    // A card reached somebody only through requests the simulator answered.
    assert!(carded == 0 || w["requests"].as_u64().unwrap() > 0, "{v}");
    assert_eq!(w["all_cards_seconds"].is_null(), carded < 2, "{v}");
}

#[test]
fn web_reports_loads_and_handling_with_the_site_on() {
    let v = bench(&[
        "web",
        "--players",
        "40",
        "--matches",
        "200",
        "--users",
        "2",
        "--rounds",
        "1",
        "--clients",
        "2",
        "--seconds",
        "1",
        "--repeats",
        "2",
    ]);
    assert_eq!(v["scenario"], "web");
    assert_eq!(v["loaded_players"], 40);
    assert_eq!(v["generator"], "idle");
    let loads = v["loads"].as_array().unwrap();
    assert_eq!(loads.len(), 5, "{v}");
    for l in loads {
        assert_eq!(l["errors"], 0, "{l}");
        assert!(l["requests"].as_u64().unwrap() >= 1, "{l}");
    }
    let handling = v["handling"].as_array().unwrap();
    assert_eq!(handling.len(), 4, "two pairs of phases: {v}");
    for h in handling {
        assert_eq!(h["unanswered"], 0, "{h}");
        assert_eq!(h["refused"], 0, "{h}");
    }
    // The load generator is another process; each loaded phase had its load.
    let during = v["during"].as_array().unwrap();
    assert_eq!(during.len(), 2, "{v}");
    for d in during {
        assert!(d["requests"].as_u64().unwrap() >= 1, "{d}");
        assert_eq!(d["errors"], 0, "{d}");
    }
    assert_eq!(v["p99_pair_ratios"].as_array().unwrap().len(), 2, "{v}");
}

#[test]
fn faults_lose_nothing_acknowledged_and_service_resumes() {
    let fixtures = repo_root().join("tests/fixtures/replays");
    let v = bench_within(
        // Six runs, each a supervisor started (two for the kill) and a wave.
        SCENARIO_RUN.saturating_mul(2),
        &[
            "faults",
            "--matches",
            "1",
            "--storm-s",
            "1",
            "--replays",
            fixtures.to_str().unwrap(),
        ],
    );
    assert_eq!(v["scenario"], "faults");
    let runs = v["runs"].as_array().unwrap();
    let names: Vec<&str> = runs.iter().map(|r| r["fault"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "gateway-drop",
            "invalid-session",
            "429-storm",
            "5xx-storm",
            "worker-kill",
            "supervisor-kill"
        ],
        "{v}"
    );
    let n = |r: &serde_json::Value, k: &str| r[k].as_u64().unwrap();
    for r in runs {
        // The invariant: nothing a player was told is missing afterwards.
        assert_eq!(n(r, "lost_acknowledged"), 0, "{r}");
        assert!(r["resumed_seconds"].is_f64(), "service never resumed: {r}");
        if r["fault"] == "worker-kill" {
            assert_eq!(n(r, "verdicts_before") + n(r, "verdicts_after"), 2, "{r}");
            continue;
        }
        assert_eq!(n(r, "joins_answered"), 2, "{r}");
        assert_eq!(n(r, "cards_before") + n(r, "cards_after"), 2, "{r}");
        assert_eq!(n(r, "players_without_card"), 0, "{r}");
        assert_eq!(
            n(r, "confirms_before") + n(r, "confirms_after") + n(r, "refused"),
            2,
            "{r}"
        );
        assert!(n(r, "requests") > 0, "{r}");
    }
    // Each storm answered what it was meant to; the killed supervisor
    // started again and identified anew.
    assert!(n(&runs[2], "http_429") > 0, "{v}");
    assert!(n(&runs[3], "http_5xx") > 0, "{v}");
    assert!(runs[5]["restart_ready_seconds"].is_f64(), "{v}");
    assert!(n(&runs[5], "identifies") >= 1, "{v}");
}

#[test]
fn steady_plays_waves_against_a_child_supervisor_and_measures_it() {
    // Ladder time is wall time here: a wave (up to 45 s away) and its
    // confirm window (up to 65 s) come on top of the scenario's own work.
    let v = bench_within(
        WAIT.saturating_mul(6),
        &[
            "steady",
            "--players",
            "30",
            "--matches",
            "200",
            "--active",
            "8",
            "--minutes",
            "0.2",
            "--quiet",
        ],
    );
    assert_eq!(v["scenario"], "steady");
    assert_eq!(v["written"]["players"], 30, "{v}");
    let n = |k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{k}: {v}"));
    // Eight players of seed 1 join the first wave: matches are made, and
    // the history's 200 are not counted as the run's.
    assert!(n("matches_found") > 0 && n("matches_found") <= 4, "{v}");
    assert!(n("waves") >= 1, "{v}");
    assert!(n("requests") > 0, "{v}");
    assert_eq!(n("errors"), 0, "{v}");
    // The supervisor's own figures, from its /proc entries and /metrics.
    assert!(n("rss_start_kib") > 0, "{v}");
    assert!(
        n("peak_rss_kib") >= n("rss_end_kib") && n("rss_end_kib") > 0,
        "{v}"
    );
    assert!(v["cpu_seconds"].as_f64().unwrap() > 0.0, "{v}");
    assert!(n("handled") >= 8, "{v}");
    assert!(n("handling_max_us") >= n("handling_p50_us"), "{v}");
    assert!(n("handling_p50_us") > 0 && n("commit_max_us") > 0, "{v}");
    let windows = v["windows"].as_array().unwrap();
    assert!(!windows.is_empty(), "{v}");
    assert!(
        windows.iter().all(|w| w["rss_kib"].as_u64() > Some(0)),
        "{v}"
    );
}
