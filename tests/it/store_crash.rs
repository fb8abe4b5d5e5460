//! Nothing acknowledged is lost: a child process hammers the store with
//! acknowledged writes and prints each acknowledgement; we SIGKILL it at a
//! random moment, reopen the database, and check every acknowledged write is
//! there, whole. Repeated over many rounds on the same database (each round
//! also recovers from the previous kill), in both durability modes.
//!
//! The child is this test binary run again, filtered to the very test that
//! starts it, with `LADDERD_HAMMER_DB` set: in that role the test function
//! runs [`hammer`] (which never returns) instead of the rounds. Run alone, a
//! test is always the parent, so it never passes without checking anything.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ladderd::config::{StoreConfig, Synchronous};
use ladderd::store::Store;
use ladderd::store::rows::{AdminActionRow, AuditRow, Write};
use rusqlite::Connection;

const CHILD_ENV: &str = "LADDERD_HAMMER_DB";

/// Rounds per durability mode; `LADDERD_CRASH_ROUNDS` runs more.
fn rounds() -> u32 {
    std::env::var("LADDERD_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

/// The two rows of write number `seq`: derived from `seq` alone, so the
/// checker knows exactly what must be there.
fn rows_for(seq: u64) -> Vec<Write> {
    vec![
        Write::Audit(AuditRow {
            at: seq as i64,
            actor_id: seq,
            command: "hammer".into(),
            target: Some(format!("seq-{seq}")),
            outcome: "ok".into(),
            details_json: Some(format!("{{\"check\":{}}}", checksum(seq))),
        }),
        Write::AdminAction(AdminActionRow {
            admin_id: seq,
            action: "hammer".into(),
            target_player_id: None,
            target_match_id: None,
            reason: format!("twin of seq-{seq}"),
            details_json: None,
            at: seq as i64,
        }),
    ]
}

fn checksum(seq: u64) -> u64 {
    seq.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
}

/// The child role: acknowledged writes as fast as they commit, until killed.
fn hammer(db: String) {
    let sync = match std::env::var("LADDERD_HAMMER_SYNC").as_deref() {
        Ok("normal") => Synchronous::Normal,
        _ => Synchronous::Full,
    };
    let first: u64 = std::env::var("LADDERD_HAMMER_FIRST_SEQ")
        .unwrap()
        .parse()
        .unwrap();
    let mut config = StoreConfig::at(db);
    config.synchronous = sync;
    let store = Store::open(&config).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let next = Arc::new(AtomicU64::new(first));
    runtime.block_on(async {
        for _ in 0..16 {
            let (w, next) = (store.writer(), next.clone());
            tokio::spawn(async move {
                loop {
                    let seq = next.fetch_add(1, Ordering::Relaxed);
                    w.submit(rows_for(seq)).await.unwrap();
                    // Only now may anyone be told: this line is the acknowledgement.
                    println!("ack {seq}");
                }
            });
        }
        // Hammer until the parent kills us.
        std::future::pending::<()>().await
    });
}

/// A small deterministic generator, seeded from the clock and printed, so a
/// failing round can be replayed with `LADDERD_CRASH_SEED`.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// `test` (this test's own name, which the child is filtered to) in the
/// parent role: `rounds()` kill -9 rounds in durability mode `sync`; in the
/// child role (`LADDERD_HAMMER_DB` set), the hammer.
fn crash_rounds(test: &str, sync: &str) {
    if let Ok(db) = std::env::var(CHILD_ENV) {
        return hammer(db);
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let seed = std::env::var("LADDERD_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let mut rng = XorShift(seed);
    let mut acked: BTreeSet<u64> = BTreeSet::new();
    let rounds = rounds();
    for round in 0..rounds {
        let first_seq = u64::from(round) * 100_000_000;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([test, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &db)
            .env("LADDERD_HAMMER_SYNC", sync)
            .env("LADDERD_HAMMER_FIRST_SEQ", first_seq.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(seq) = line.strip_prefix("ack ") {
                    seen.push(seq.parse::<u64>().unwrap());
                }
            }
            seen
        });
        // Kill anywhere from start-up (open, migration, recovery) to full speed.
        let delay = Duration::from_millis(rng.next() % 400);
        let started = Instant::now();
        std::thread::sleep(delay);
        // SIGKILL: no destructor, no flush, no goodbye.
        child.kill().unwrap();
        child.wait().unwrap();
        let seen = reader.join().unwrap();
        let this_round = seen.len();
        acked.extend(seen);

        let conn = Connection::open(&db).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "round {round}, seed {seed}");
        if conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'audit'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
            == 0
        {
            // Killed before the first migration committed: nothing was acknowledged.
            assert_eq!(this_round, 0, "acks without a schema (seed {seed})");
            continue;
        }
        let mut stmt = conn
            .prepare(
                "SELECT a.actor_id, a.target, a.details, b.reason
                 FROM audit a LEFT JOIN admin_actions b ON b.admin_id = a.actor_id
                 WHERE a.command = 'hammer'",
            )
            .unwrap();
        let mut stored = BTreeSet::new();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let seq = row.get::<_, i64>(0).unwrap() as u64;
            let target: String = row.get(1).unwrap();
            let details: String = row.get(2).unwrap();
            let twin: Option<String> = row.get(3).unwrap();
            assert_eq!(target, format!("seq-{seq}"), "torn row (seed {seed})");
            assert_eq!(
                details,
                format!("{{\"check\":{}}}", checksum(seq)),
                "torn row (seed {seed})"
            );
            // A request commits whole or not at all.
            assert_eq!(
                twin,
                Some(format!("twin of seq-{seq}")),
                "half a request committed (seed {seed})"
            );
            stored.insert(seq);
        }
        let lost: Vec<_> = acked.difference(&stored).take(10).collect();
        assert!(
            lost.is_empty(),
            "{sync}: round {round} (seed {seed}, killed after {:?}): acknowledged writes lost: {lost:?}",
            started.elapsed()
        );
        eprintln!(
            "store_crash {sync}: round {}/{rounds}: killed after {delay:?}, {this_round} acked this round, {} acked in all, {} stored, none lost",
            round + 1,
            acked.len(),
            stored.len()
        );
    }
    assert!(
        !acked.is_empty(),
        "no round acknowledged anything (seed {seed})"
    );
    eprintln!(
        "store_crash {sync}: {rounds} rounds, {} acknowledged writes, none lost (seed {seed})",
        acked.len()
    );
}

#[test]
fn acknowledged_writes_survive_sigkill_synchronous_full() {
    crash_rounds(
        "store_crash::acknowledged_writes_survive_sigkill_synchronous_full",
        "full",
    );
}

#[test]
fn acknowledged_writes_survive_sigkill_synchronous_normal() {
    crash_rounds(
        "store_crash::acknowledged_writes_survive_sigkill_synchronous_normal",
        "normal",
    );
}
