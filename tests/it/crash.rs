//! A failed commit is the end of the process's story: with several commands
//! in flight behind it, every answer is checked against the database
//! afterwards — success only for rows that are there, "not saved" for rows
//! that are not — and the shutdown token is cancelled at once.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ladderd::clock::ManualClock;
use ladderd::config::{Config, StoreConfig};
use ladderd::ladder::{Actor, Command, Ladder};
use ladderd::ladder_loop::{self, LoopError, LoopFailure};
use ladderd::store::Store;
use tokio_util::sync::CancellationToken;

const T0: i64 = 45_000 * 40_000_000;
/// Every wait in this file is bounded by this.
const BOUND: Duration = Duration::from_secs(20);

fn players_in(db: &Path) -> Vec<u64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT discord_id FROM players ORDER BY discord_id")
        .unwrap();
    stmt.query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|r| r.unwrap() as u64)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_in_flight_behind_a_failed_commit_are_answered_truthfully() {
    let dir = tempfile::tempdir().unwrap();
    let mut store_config = StoreConfig::at(dir.path().join("ladder.db"));
    // The writer waits for the lock this test holds (below) rather than
    // failing on a busy machine: the fault under test is the refused row.
    store_config.busy_timeout_ms = 60_000;
    let store = Store::open(&store_config).unwrap();
    // The fault: player 4's row is refused at commit (as a bug or a full
    // disk would refuse it), in the middle of a pipeline.
    let side = rusqlite::Connection::open(&store_config.path).unwrap();
    side.execute_batch(
        "CREATE TRIGGER refuse_player_4 BEFORE INSERT ON players WHEN NEW.discord_id = 4
         BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
    )
    .unwrap();
    let ladder_config = Config::from_toml(Path::new("x.toml"), "").unwrap().ladder;
    let (ladder, start) = Ladder::new(ladder_config, 1, T0);
    let (outgoing, _rx) = tokio::sync::mpsc::unbounded_channel();
    // Hold the write lock so that every command is applied and queued
    // behind the first commit before anything commits: a real pipeline.
    side.execute_batch("BEGIN IMMEDIATE").unwrap();
    let shutdown = CancellationToken::new();
    let deliverable = CancellationToken::new();
    deliverable.cancel();
    let (handle, task) = ladder_loop::spawn(
        ladder,
        start,
        store.writer(),
        Arc::new(ManualClock::at(T0)),
        Duration::from_secs(3600),
        outgoing,
        deliverable,
        shutdown.clone(),
    );
    let mut answers = Vec::new();
    for id in 1..=8u64 {
        let answer = handle
            .submit(
                Actor::player(id),
                Command::AcceptTos {
                    discord_name: format!("p{id}"),
                },
            )
            .await
            .unwrap();
        answers.push((id, answer));
    }
    let writer = store.writer();
    let queued = tokio::time::timeout(BOUND, async {
        // The start effects and eight commands: all waiting for the writer.
        while writer
            .stats()
            .pending
            .load(std::sync::atomic::Ordering::Relaxed)
            < 9
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(queued.is_ok(), "the commands never reached the writer");
    side.execute_batch("COMMIT").unwrap();

    let mut told_saved = Vec::new();
    for (id, answer) in answers {
        match tokio::time::timeout(BOUND, answer.answer()).await.unwrap() {
            Ok(_) => told_saved.push(id),
            Err(e) => assert_eq!(e, LoopError::NotSaved, "player {id}"),
        }
    }
    let ended = tokio::time::timeout(BOUND, task).await.unwrap().unwrap();
    assert!(
        matches!(ended, Err(LoopFailure::Commit(_))),
        "the loop ends with the failed commit: {ended:?}"
    );
    assert!(shutdown.is_cancelled(), "the process stops at once");
    // After the failure nothing is taken any more.
    let late = handle
        .command(
            Actor::player(9),
            Command::AcceptTos {
                discord_name: "p9".into(),
            },
        )
        .await;
    assert!(late.is_err(), "{late:?}");
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
    // Told "saved" exactly for what is in the database; everything queued
    // after the refused command was refused too, even through close().
    assert_eq!(told_saved, vec![1, 2, 3]);
    assert_eq!(players_in(&store_config.path), told_saved);
}
