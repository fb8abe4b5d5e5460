use super::rows::*;
use super::*;

fn config(dir: &tempfile::TempDir) -> StoreConfig {
    StoreConfig::at(dir.path().join("ladder.db"))
}

fn player(id: u64) -> PlayerRow {
    PlayerRow {
        discord_id: id,
        discord_name: format!("user{id}"),
        ingame_name: Some("Serral".into()),
        battletag: Some("Serral#1234".into()),
        alt_names: vec!["Alt\"One".into(), "Альт".into()],
        country: Some("FI".into()),
        region: Some("EU".into()),
        tos_accepted_at: Some(1_000),
        setup_at: Some(2_000),
        state: PlayerState::InMatch,
        aborts_left: 2,
        aborts_month: Some("2026-11".into()),
        banned: false,
        ban_reason: None,
        is_admin: true,
        queue_cooldown_until: None,
        created_at: 1_000,
        updated_at: 3_000,
        aborts_total: 4,
        lapses_total: 2,
        strikes: vec![2_500, 2_900],
    }
}

fn season() -> SeasonRow {
    SeasonRow {
        id: 1,
        name: "Season 1".into(),
        started_at: 0,
        ended_at: None,
        map_pool: vec!["Pylon LE".into(), "Persephone LE".into()],
    }
}

fn a_match(id: u64, p1: u64, p2: u64) -> MatchRow {
    let before = RatingBefore {
        rating: 1500.0,
        deviation: 350.0,
        volatility: 0.06,
    };
    MatchRow {
        id,
        season_id: 1,
        player1_id: p1,
        player2_id: p2,
        race1: "Terran".into(),
        race2: "Protoss".into(),
        before1: before,
        before2: before,
        map: "Pylon LE".into(),
        server: "Europe".into(),
        state: MatchState::Completed,
        created_at: 10,
        confirmed1_at: Some(11),
        confirmed2_at: Some(12),
        started_at: Some(12),
        report1: Some(Report::Win),
        report2: Some(Report::Loss),
        reported1_at: Some(20),
        reported2_at: Some(21),
        result: Some(MatchResult::Player1),
        result_source: Some(ResultSource::Reports),
        finished_at: Some(21),
        rating1_change: Some(12.5),
        rating2_change: Some(-12.5),
        ended_by: None,
        flagged_at: None,
        thread_id: Some(987_654_321_000),
        confirm_by: Some(1_700_000_060_000),
    }
}

fn audit(n: u64) -> Write {
    Write::Audit(AuditRow {
        at: n as i64,
        actor_id: n,
        command: "test".into(),
        target: Some(format!("t{n}")),
        outcome: "ok".into(),
        details_json: None,
    })
}

fn schema_of(path: &Path) -> Vec<(String, String)> {
    let conn = Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn fresh_database_is_migrated_once() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let first = migrate(&cfg).unwrap();
    assert_eq!((first.from, first.to), (0, latest_version()));
    let again = migrate(&cfg).unwrap();
    assert_eq!((again.from, again.to), (latest_version(), latest_version()));
    let conn = Connection::open(&cfg.path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn every_partial_upgrade_reaches_the_fresh_schema() {
    // For each k, a database left at version k by an older ladderd (the
    // first k migrations applied by hand) must end with the same schema as a
    // fresh one. With one migration this covers 0 -> 1; it grows by itself.
    let dir = tempfile::tempdir().unwrap();
    let fresh = config(&dir);
    migrate(&fresh).unwrap();
    let want = schema_of(&fresh.path);
    for k in 0..=migrations::MIGRATIONS.len() {
        let cfg = StoreConfig::at(dir.path().join(format!("v{k}.db")));
        {
            let conn = Connection::open(&cfg.path).unwrap();
            for sql in &migrations::MIGRATIONS[..k] {
                conn.execute_batch(sql).unwrap();
            }
            if k > 0 {
                conn.pragma_update(None, "application_id", migrations::APPLICATION_ID)
                    .unwrap();
            }
            conn.pragma_update(None, "user_version", k as i64).unwrap();
        }
        let report = migrate(&cfg).unwrap();
        assert_eq!(report.from, k as i64);
        assert_eq!(schema_of(&cfg.path), want, "upgrade from version {k}");
    }
}

#[test]
fn newer_schema_and_foreign_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    migrate(&cfg).unwrap();
    Connection::open(&cfg.path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    match Store::open(&cfg) {
        Err(StoreError::NewerSchema {
            found, supported, ..
        }) => assert_eq!((found, supported), (99, latest_version())),
        Err(other) => panic!("wrong error: {other}"),
        Ok(_) => panic!("a newer schema was opened"),
    }

    let other = StoreConfig::at(dir.path().join("other.db"));
    Connection::open(&other.path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (x TEXT);")
        .unwrap();
    assert!(matches!(
        migrate(&other),
        Err(StoreError::NotLadderd { .. })
    ));
    // Refused means untouched.
    assert_eq!(schema_of(&other.path).len(), 1);
}

#[tokio::test]
async fn every_row_kind_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&config(&dir)).unwrap();
    let w = store.writer();
    let mut p2 = player(2);
    p2.alt_names.clear();
    p2.state = PlayerState::Idle;
    let rating = RatingRow {
        season_id: 1,
        player_id: 1,
        race: "Terran".into(),
        rating: 1512.5,
        deviation: 290.0,
        volatility: 0.0599,
        games: 1,
        wins: 1,
        losses: 0,
        draws: 0,
        last_played_at: Some(21),
    };
    let prefs = QueuePrefsRow {
        player_id: 1,
        races: vec!["Terran".into()],
        vetoes: vec!["Pylon LE".into(), "odd \\ \"name\"\n".into()],
        updated_at: 5,
    };
    let replay = ReplayRow {
        sha256: "ab".repeat(32),
        match_id: Some(7),
        uploader_id: 1,
        uploaded_at: 30,
        bytes: 103_665,
        build: Some(95_299),
        map_name: Some("Pylon LE".into()),
        game_started_at: Some(15),
        game_length_s: Some(600),
        summary_json: Some("{}".into()),
        winner_slot: Some(1),
        verdict: ReplayVerdict::Verified,
        verdict_detail: "all checks passed".into(),
    };
    let info = w
        .submit(vec![
            Write::Player(player(1)),
            Write::Player(p2.clone()),
            Write::Season(season()),
            Write::Rating(rating.clone()),
            Write::QueuePrefs(prefs.clone()),
            Write::Match(a_match(7, 1, 2)),
            Write::Replay(replay.clone()),
            Write::AdminAction(AdminActionRow {
                admin_id: 1,
                action: "ban".into(),
                target_player_id: Some(2),
                target_match_id: None,
                reason: "test".into(),
                details_json: None,
                at: 40,
            }),
            audit(1),
        ])
        .await
        .unwrap();
    assert_eq!(info.commit_seq, 1);

    let snap = store.load().unwrap();
    assert_eq!(snap.players, vec![player(1), p2]);
    assert_eq!(snap.seasons, vec![season()]);
    assert_eq!(snap.ratings, vec![rating]);
    assert_eq!(snap.queue_prefs, vec![prefs]);
    assert_eq!(snap.matches, vec![a_match(7, 1, 2)]);
    // The summary stays on disk: start-up does not read it.
    assert_eq!(
        snap.replays,
        vec![ReplayRow {
            summary_json: None,
            ..replay
        }]
    );
    let stored: String = rusqlite::Connection::open(&config(&dir).path)
        .unwrap()
        .query_row("SELECT summary FROM replays", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "{}");

    // Upserts replace: the match moves on, the alt names shrink.
    let mut m = a_match(7, 1, 2);
    m.state = MatchState::Invalidated;
    let mut p1 = player(1);
    p1.alt_names = vec!["Only".into()];
    w.submit(vec![Write::Match(m.clone()), Write::Player(p1.clone())])
        .await
        .unwrap();
    let snap = store.load().unwrap();
    assert_eq!(snap.matches, vec![m]);
    assert_eq!(snap.players[0], p1);

    // Presence settings round-trip; card deliveries are read back only for
    // matches still waiting for confirms.
    let notify = NotifyPrefsRow {
        player_id: 1,
        enabled: true,
        min_gap_ms: 900_000,
        quiet: Some((22 * 60, 8 * 60)),
        time_zone: Some("Asia/Seoul".into()),
        near_rating: Some(200),
        last_ping_at: Some(50),
        updated_at: 51,
    };
    let mut waiting = a_match(8, 1, 2);
    waiting.state = MatchState::Found;
    let delivered = |match_id| Write::CardDelivered {
        match_id,
        player_id: 2,
        at: 60,
    };
    w.submit(vec![
        Write::NotifyPrefs(notify.clone()),
        Write::Match(waiting),
        delivered(7),
        delivered(8),
        // A second report of the same card keeps the first time.
        Write::CardDelivered {
            match_id: 8,
            player_id: 2,
            at: 99,
        },
    ])
    .await
    .unwrap();
    let snap = store.load().unwrap();
    assert_eq!(snap.notify_prefs, vec![notify]);
    assert_eq!(snap.card_deliveries, vec![(8, 2, 60)]);
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_refused_request_poisons_the_writer_and_nothing_after_it_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&config(&dir)).unwrap();
    let w = store.writer();
    w.submit(vec![Write::Player(player(1)), Write::Season(season())])
        .await
        .unwrap();
    // Player 99 does not exist: the foreign key refuses the match, and the
    // audit row submitted with it must not be committed either. The request
    // queued behind it was built assuming it committed: refused too.
    let before = w.enqueue(vec![audit(499)]).await.unwrap();
    let bad = w
        .enqueue(vec![audit(500), Write::Match(a_match(1, 1, 99))])
        .await
        .unwrap();
    let after = w.enqueue(vec![audit(501)]).await.unwrap();
    before.committed().await.unwrap();
    let bad = bad.committed().await;
    assert!(matches!(bad, Err(StoreError::Row { .. })), "{bad:?}");
    let after = after.committed().await;
    assert!(
        matches!(after, Err(StoreError::Poisoned { .. })),
        "{after:?}"
    );
    // Submitted later, and what close would flush: refused as well.
    let later = w.submit(vec![audit(502)]).await;
    assert!(
        matches!(later, Err(StoreError::Poisoned { .. })),
        "{later:?}"
    );
    let queued = w.enqueue(vec![audit(503)]).await.unwrap();
    let path = store.config.path.clone();
    tokio::task::spawn_blocking(move || store.close())
        .await
        .unwrap();
    assert!(queued.committed().await.is_err());
    let conn = Connection::open(&path).unwrap();
    let actors: Vec<i64> = conn
        .prepare("SELECT actor_id FROM audit ORDER BY actor_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(actors, vec![499]);
    let matches: i64 = conn
        .query_row("SELECT count(*) FROM matches", [], |r| r.get(0))
        .unwrap();
    assert_eq!(matches, 0);
    assert_eq!(
        w.stats()
            .refused_requests
            .load(std::sync::atomic::Ordering::Relaxed),
        4
    );
}

#[test]
fn ids_beyond_i64_are_refused_not_wrapped() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&config(&dir)).unwrap();
    let err = store
        .writer()
        .submit_blocking(vec![Write::Player(player(u64::MAX))])
        .unwrap_err();
    assert!(err.to_string().contains("does not fit"), "{err}");
    store.close();
}

#[test]
fn requests_waiting_during_a_commit_share_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let store = Store::open(&cfg).unwrap();
    let w = store.writer();
    // Hold the write lock from another connection so the writer's first
    // commit waits (busy_timeout); everything submitted meanwhile queues.
    let blocker = Connection::open(&cfg.path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let handles: Vec<_> = (0..50)
        .map(|i| {
            let w = w.clone();
            std::thread::spawn(move || w.submit_blocking(vec![audit(i)]).unwrap())
        })
        .collect();
    // Bounded: a writer that stopped counting must fail the test, not hang it.
    let until = std::time::Instant::now() + Duration::from_secs(45);
    while w.stats().pending.load(std::sync::atomic::Ordering::Relaxed) < 50 {
        assert!(
            std::time::Instant::now() < until,
            "the 50 requests never all queued"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    blocker.execute_batch("COMMIT").unwrap();
    let infos: Vec<CommitInfo> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let commits = infos.iter().map(|i| i.commit_seq).max().unwrap();
    // The writer's first transaction holds whatever had arrived when it
    // started; all the rest arrived while it waited and share the second.
    assert!(commits <= 2, "50 queued requests took {commits} commits");
    let mut sizes: Vec<(u64, usize)> = infos
        .iter()
        .map(|i| (i.commit_seq, i.batch_requests))
        .collect();
    sizes.sort();
    sizes.dedup();
    assert_eq!(sizes.iter().map(|s| s.1).sum::<usize>(), 50, "{sizes:?}");
    store.close();
}

#[test]
fn close_commits_what_was_submitted_and_refuses_more() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let store = Store::open(&cfg).unwrap();
    let w = store.writer();
    let waiters: Vec<_> = (0..20)
        .map(|i| {
            let w = w.clone();
            std::thread::spawn(move || w.submit_blocking(vec![audit(i)]))
        })
        .collect();
    for h in waiters {
        h.join().unwrap().unwrap();
    }
    store.close();
    assert!(matches!(
        w.submit_blocking(vec![audit(99)]),
        Err(StoreError::WriterGone)
    ));
    let n: i64 = Connection::open(&cfg.path)
        .unwrap()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 20);
}

#[test]
fn backup_is_a_consistent_copy_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let store = Store::open(&cfg).unwrap();
    let w = store.writer();
    w.submit_blocking(vec![Write::Player(player(1)), Write::Season(season())])
        .unwrap();
    // Keep writing while the backup runs.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer_thread = {
        let (w, stop) = (w.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                w.submit_blocking(vec![audit(i)]).unwrap();
                i += 1;
            }
            i
        })
    };
    let dest = dir.path().join("copy.db");
    let pages = backup(&cfg.path, &dest).unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer_thread.join().unwrap();
    assert!(pages > 0);
    let copy = Connection::open(&dest).unwrap();
    let in_copy: i64 = copy
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap();
    assert!(in_copy as u64 <= written, "{in_copy} > {written}");
    let copied = sql::load(&copy).unwrap();
    assert_eq!(copied.players, vec![player(1)]);
    assert!(matches!(
        backup(&cfg.path, &dest),
        Err(StoreError::BackupExists(_))
    ));
    store.close();
}
