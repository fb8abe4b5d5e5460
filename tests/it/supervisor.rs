//! The supervisor booted in-process (mini-redis style) with a manual clock:
//! it tells systemd READY only when it is up, serves metrics, answers ladder
//! commands only after their rows are committed, releases a wave's "match
//! found" only after the match is committed, and on shutdown flushes the
//! store, says STOPPING and returns; a second boot continues from the database.
//! A configuration reload changes what the running ladder does, and a bad
//! one (unparsable, invalid, or not live) changes nothing.

use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ladderd::clock::ManualClock;
use ladderd::config::Config;
use ladderd::ladder::{Actor, Audience, Command, Note, Notice, SetupForm};
use ladderd::ops::notify::Notifier;
use ladderd::supervisor::{self, Environment, Running};
use tokio_util::sync::CancellationToken;

use crate::support::wait::WAIT;

/// A multiple of the default 45 s wave interval, so the first wave is at T0 + 45 s.
const T0: i64 = 45_000 * 40_000_000;

fn recv_all(sock: &UnixDatagram) -> Vec<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 512];
    while let Ok(n) = sock.recv(&mut buf) {
        out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    out
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

type Booted = (
    Running,
    CancellationToken,
    tokio::task::JoinHandle<Result<(), supervisor::SupervisorError>>,
);

async fn boot(config: &Config, notify: &Path, clock: &ManualClock) -> Booted {
    boot_with(config, notify, clock, Some(crate::support::ladderd_bin())).await
}

async fn boot_with(
    config: &Config,
    notify: &Path,
    clock: &ManualClock,
    worker_exe: Option<std::path::PathBuf>,
) -> Booted {
    let shutdown = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let env = Environment {
        notifier: Notifier::to_socket(notify, Some(Duration::from_secs(2))),
        clock: Arc::new(clock.clone()),
        seed: Some(7),
        // Ticks come from the test, after it moves the clock.
        tick_every: Duration::from_secs(3600),
        discord: None,
        worker_exe,
    };
    let task = tokio::spawn(supervisor::run(
        config.clone(),
        env,
        shutdown.clone(),
        move |running| {
            let _ = tx.send(running);
        },
    ));
    let running = match tokio::time::timeout(WAIT, rx).await.unwrap() {
        Ok(running) => running,
        Err(_) => panic!("the supervisor did not start: {:?}", task.await),
    };
    (running, shutdown, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_and_waves_are_acknowledged_after_commit_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("ladderd.toml");
    let db = dir.path().join("ladder.db");
    let text = format!(
        "[store]\npath = \"ladder.db\"\n[ops]\nmetrics_listen = \"127.0.0.1:0\"\nhealth_log_interval_s = 1\n\
         [replay]\nworkers = 1\nruntime_dir = {:?}\n",
        dir.path().join("run")
    );
    let config = Config::from_toml(&config_path, &text).unwrap();
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    notify
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    let clock = ManualClock::at(T0);

    // First boot: two players sign up and queue; the wave pairs them.
    let (mut running, shutdown, task) = boot(&config, &notify_path, &clock).await;
    assert_eq!((running.loaded_players, running.loaded_matches), (0, 0));
    for (id, name) in [(1u64, "Alpha"), (2, "Bravo")] {
        let actor = Actor::player(id);
        let reply = running
            .ladder
            .command(
                actor,
                Command::AcceptTos {
                    discord_name: name.into(),
                },
            )
            .await
            .unwrap();
        assert!(!reply.is_empty());
        // The reply came after the commit: the row is already in the file.
        assert_eq!(
            count(
                &db,
                &format!("SELECT count(*) FROM players WHERE discord_id = {id}")
            ),
            1
        );
        let form = SetupForm {
            ingame_name: name.into(),
            battletag: format!("{name}#1234"),
            alt_names: vec![],
            country: "DE".into(),
            region: "EU".into(),
        };
        running
            .ladder
            .command(actor, Command::Setup(form))
            .await
            .unwrap();
        let joined = running
            .ladder
            .command(
                actor,
                Command::JoinQueue {
                    races: vec!["T".into()],
                    vetoes: Some(vec![]),
                },
            )
            .await
            .unwrap();
        assert!(
            !joined.iter().any(|m| matches!(m.body, Notice::Error(_))),
            "{joined:?}"
        );
        assert_eq!(
            count(
                &db,
                &format!(
                    "SELECT count(*) FROM players WHERE discord_id = {id} AND state = 'queueing'"
                )
            ),
            1
        );
    }
    clock.advance(45_000);
    // Resolves once the wave is committed and its messages are handed on:
    // they are all waiting in `outgoing` already.
    running.ladder.tick_and_wait().await.unwrap();
    let mut found = 0;
    while found < 2 {
        let m = running
            .outgoing
            .as_mut()
            .unwrap()
            .try_recv()
            .expect("the wave's messages are out when tick_and_wait returns");
        if let (Audience::Player(_), Notice::MatchFound(_)) = (&m.to, &m.body) {
            // Released only after the match is committed.
            assert_eq!(
                count(&db, "SELECT count(*) FROM matches WHERE state = 'found'"),
                1
            );
            found += 1;
        }
    }

    // The replay pool is up: a corpus replay parses through a worker process.
    if let Some(dir) = crate::replay::corpus() {
        let bytes =
            std::fs::read(dir.join("5.0.15.95299-1v1-Terran-vs-Protoss-5daea193.SC2Replay"))
                .unwrap();
        let pool = running.pool.as_ref().expect("worker_exe was set");
        let summary = pool
            .parse(bytes, ladderd::replay::ParseLevel::Verification)
            .await
            .unwrap();
        assert_eq!(summary.map_name, "Pylon LE");
    }

    let addr = running.metrics_addr.expect("metrics_listen was set");
    let body = crate::support::http_get(addr, "/metrics").await;
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");

    shutdown.cancel();
    tokio::time::timeout(WAIT, task)
        .await
        .expect("stops")
        .unwrap()
        .unwrap();
    let messages = tokio::task::spawn_blocking({
        let notify = notify.try_clone().unwrap();
        move || recv_all(&notify)
    })
    .await
    .unwrap();
    let ready = messages.iter().position(|m| m.starts_with("READY=1"));
    let stopping = messages.iter().position(|m| m.starts_with("STOPPING=1"));
    assert!(
        ready.is_some() && stopping.is_some() && ready < stopping,
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m == "WATCHDOG=1"), "{messages:?}");
    assert!(matches!(
        running
            .ladder
            .command(Actor::player(1), Command::LeaveQueue)
            .await,
        Err(ladderd::ladder_loop::LoopError::Stopped)
    ));

    // Second boot: the players and the open match are back.
    clock.advance(1_000);
    let (running, shutdown, task) = boot(&config, &notify_path, &clock).await;
    assert_eq!((running.loaded_players, running.loaded_matches), (2, 1));
    let profile = running
        .ladder
        .command(
            Actor::player(2),
            Command::Profile {
                player: None,
                season: None,
                vs: None,
            },
        )
        .await
        .unwrap();
    assert!(
        !profile.iter().any(|m| matches!(m.body, Notice::Error(_))),
        "{profile:?}"
    );
    shutdown.cancel();
    task.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_commit_is_never_acknowledged_and_stops_the_ladder() {
    use ladderd::config::StoreConfig;
    use ladderd::ladder::Ladder;
    use ladderd::ladder_loop::{self, LoopError};
    use ladderd::store::Store;

    let dir = tempfile::tempdir().unwrap();
    let mut store_config = StoreConfig::at(dir.path().join("ladder.db"));
    store_config.busy_timeout_ms = 1;
    let store = Store::open(&store_config).unwrap();
    let ladder_config = Config::from_toml(Path::new("x.toml"), "").unwrap().ladder;
    let (ladder, start) = Ladder::new(ladder_config, 1, T0);
    let (outgoing, _rx) = tokio::sync::mpsc::unbounded_channel();
    let shutdown = CancellationToken::new();
    let (handle, task) = ladder_loop::spawn(
        ladder,
        start,
        store.writer(),
        Arc::new(ManualClock::at(T0)),
        Duration::from_secs(3600),
        outgoing,
        CancellationToken::new(),
        shutdown.clone(),
    );
    let accept = |id: u64| {
        let handle = handle.clone();
        async move {
            handle
                .command(
                    Actor::player(id),
                    Command::AcceptTos {
                        discord_name: format!("p{id}"),
                    },
                )
                .await
        }
    };
    accept(1).await.unwrap();
    // Another process holds the write lock past busy_timeout: the commit fails.
    let blocker = rusqlite::Connection::open(&store_config.path).unwrap();
    blocker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    assert_eq!(accept(2).await, Err(LoopError::NotSaved));
    let ended = tokio::time::timeout(WAIT, task).await.unwrap().unwrap();
    assert!(
        ended.is_err(),
        "the ladder loop must stop after a failed commit"
    );
    assert!(
        shutdown.is_cancelled(),
        "a failed commit stops the whole process at once"
    );
    assert_eq!(accept(3).await, Err(LoopError::Stopped));
    blocker.execute_batch("ROLLBACK").unwrap();
    assert_eq!(count(&store_config.path, "SELECT count(*) FROM players"), 1);
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
}

const RELOAD_BASE: &str = "[store]\npath = \"ladder.db\"\n";

fn ladder_section(wave_s: u64, maps: &[&str]) -> String {
    let mut out = format!("[ladder]\nwave_interval_s = {wave_s}\n");
    for m in maps {
        out.push_str(&format!("[[ladder.maps]]\nname = {m:?}\n"));
    }
    out
}

/// Seconds to the next wave and whether joining with `veto` was accepted.
async fn probe(running: &Running, player: u64, veto: &str) -> (i64, bool) {
    let actor = Actor::player(player);
    let joined = running
        .ladder
        .command(
            actor,
            Command::JoinQueue {
                races: vec!["T".into()],
                vetoes: Some(vec![veto.into()]),
            },
        )
        .await
        .unwrap();
    let accepted = !joined.iter().any(|m| matches!(m.body, Notice::Error(_)));
    if accepted {
        running
            .ladder
            .command(actor, Command::LeaveQueue)
            .await
            .unwrap();
    }
    let view = running
        .ladder
        .command(actor, Command::QueueView)
        .await
        .unwrap();
    let seconds = view
        .iter()
        .find_map(|m| match &m.body {
            Notice::Queue(q) => Some(q.seconds_to_next_wave),
            _ => None,
        })
        .expect("a queue view");
    (seconds, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_changes_maps_and_timings_and_a_bad_one_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ladderd.toml");
    let db = dir.path().join("ladder.db");
    let write = |text: String| std::fs::write(&path, text).unwrap();
    write(format!(
        "{RELOAD_BASE}{}",
        ladder_section(45, &["Alcyone LE", "Amphion LE"])
    ));
    let config = Config::load(&path).unwrap();
    let notify_path = dir.path().join("notify");
    let _notify = UnixDatagram::bind(&notify_path).unwrap();
    let clock = ManualClock::at(T0);
    let (mut running, shutdown, task) = boot_with(&config, &notify_path, &clock, None).await;
    let actor = Actor::player(1);
    running
        .ladder
        .command(
            actor,
            Command::AcceptTos {
                discord_name: "Alpha".into(),
            },
        )
        .await
        .unwrap();
    let form = SetupForm {
        ingame_name: "Alpha".into(),
        battletag: "Alpha#1234".into(),
        alt_names: vec![],
        country: "DE".into(),
        region: "EU".into(),
    };
    running
        .ladder
        .command(actor, Command::Setup(form))
        .await
        .unwrap();
    // Before: Dynasty LE is not in the pool; waves every 45 s.
    clock.advance(45_000);
    running.ladder.tick().await.unwrap();
    assert_eq!(probe(&running, 1, "Dynasty LE").await, (45, false));

    // A good reload: a new map pool, a new wave interval, a new admin, and a
    // key that needs a restart (reported, not applied).
    write(format!(
        "{RELOAD_BASE}commit_window_us = 500\n[discord]\nadmin_user_ids = [5]\n{}",
        ladder_section(60, &["Alcyone LE", "Dynasty LE"])
    ));
    let done = running.reloader.reload_file(&path).await.unwrap();
    assert_eq!(
        done.applied,
        [
            "ladder.maps",
            "ladder.wave_interval_s",
            "discord.admin_user_ids"
        ]
    );
    assert_eq!(done.needs_restart, ["store.commit_window_us"]);
    // The new pool is committed before the reload returns.
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM seasons WHERE ended_at IS NULL \
             AND map_pool LIKE '%Dynasty LE%' AND map_pool NOT LIKE '%Amphion LE%'"
        ),
        1
    );
    let lobby = tokio::time::timeout(WAIT, running.outgoing.as_mut().unwrap().recv())
        .await
        .expect("the pool change is announced")
        .unwrap();
    assert!(
        matches!(
            (&lobby.to, &lobby.body),
            (Audience::Lobby, Notice::Note(Note::MapPoolChanged { added, .. }))
                if added.iter().any(|m| m == "Dynasty LE")
        ),
        "{lobby:?}"
    );
    // At T0 + 45 s the 60 s rhythm's next wave (T0 + 60 s) comes before the
    // one announced (T0 + 90 s): it is the next; then every 60 s.
    assert_eq!(probe(&running, 1, "Dynasty LE").await, (15, true));
    assert!(!probe(&running, 1, "Amphion LE").await.1);
    clock.advance(15_000);
    running.ladder.tick().await.unwrap();
    assert_eq!(probe(&running, 1, "Dynasty LE").await, (60, true));
    let good = running.reloader.running().await;
    assert_eq!(good.ladder.matchmaker.wave_interval_ms, 60_000);
    assert_eq!(good.store.commit_window_us, 0, "restart-only: kept");

    // Bad reloads: unparsable, an invalid value, a key that is not live.
    let bad = [
        (
            "[ladder\nwave_interval_s = 30\n".to_owned(),
            "invalid config",
        ),
        (
            format!("{RELOAD_BASE}{}", ladder_section(1, &["Amphion LE"])),
            "ladder.wave_interval_s",
        ),
        (
            format!("{RELOAD_BASE}[ladder]\nseason_name = \"Other\"\nwave_interval_s = 30\n"),
            "ladder.season_name",
        ),
    ];
    for (text, names) in bad {
        write(text);
        let err = running.reloader.reload_file(&path).await.unwrap_err();
        assert!(err.to_string().contains(names), "{err}");
        let kept = running.reloader.running().await;
        assert_eq!(kept.ladder, good.ladder);
        assert_eq!(kept.discord.admin_user_ids, good.discord.admin_user_ids);
        assert_eq!(probe(&running, 1, "Dynasty LE").await, (60, true));
        assert!(!probe(&running, 1, "Amphion LE").await.1);
    }
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM seasons WHERE map_pool LIKE '%Amphion LE%'"
        ),
        0,
        "the first season's row was updated in place, and no bad reload wrote"
    );

    shutdown.cancel();
    tokio::time::timeout(WAIT, task)
        .await
        .expect("stops")
        .unwrap()
        .unwrap();
}
