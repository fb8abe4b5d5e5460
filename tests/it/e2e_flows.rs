//! The match flows end to end: the real supervisor with the real twilight
//! clients against the simulator, virtual players clicking the buttons they
//! were shown. Agreeing reports, a dispute an admin resolves, an abort, an
//! abandon, `/admin` refused to a player, bad replay uploads, and a wave
//! delivered through a 429 storm and through a 5xx storm injected in the
//! simulator. What must not change is read back from the database.

use std::time::Duration;

use ladderd::clock::{Clock, ManualClock};
use ladderd::sim::{Fault, Interact, OptionValue, Place, RouteLimit, SimConfig, Simulator};

use crate::support::e2e::{
    BootOptions, T0, admin_command, ask, boot_opts, button_ending, cards, click, confirm_both,
    ladder_state, letters, match_state, personal, press, query, seen_count, sign_up, stop,
    wait_seen, wait_seen_in, wait_seen_n, wave,
};
use crate::support::wait::{sim_until, within};

/// Buckets roomy enough that only what a test injects slows anything down;
/// Discord's refusals of delivery off as in `e2e::flows` (which says why).
fn roomy() -> SimConfig {
    SimConfig {
        default_route_limit: RouteLimit::new(50, Duration::from_secs(1)),
        ..crate::e2e::flows()
    }
}

fn admins(id: u64) -> String {
    format!("admin_user_ids = [{id}]")
}

/// Reports `report` by the button under `user`'s "Match confirmed" message.
async fn report(sim: &Simulator, user: u64, report: &str) {
    let started = wait_seen_in(sim, user, "Match confirmed", personal).await;
    click(
        sim,
        user,
        &started,
        &button_ending(&started, &format!(":report:{report}")),
    );
}

fn players_of(dir: &std::path::Path, match_id: u64) -> (u64, u64) {
    let p1: i64 = query(
        dir,
        &format!("SELECT player1_id FROM matches WHERE id = {match_id}"),
    );
    let p2: i64 = query(
        dir,
        &format!("SELECT player2_id FROM matches WHERE id = {match_id}"),
    );
    (p1 as u64, p2 as u64)
}

fn rating_row(dir: &std::path::Path, player: u64) -> (f64, i64, i64, i64) {
    let conn = crate::support::e2e::db(dir);
    conn.query_row(
        &format!("SELECT rating, games, wins, losses FROM ratings WHERE player_id = {player}"),
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreeing_reports_complete_the_match_and_move_both_ratings() {
    let sim = Simulator::start(roomy()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) =
        boot_opts(&sim, dir.path(), &clock, &BootOptions::default()).await;
    let users = [sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await];
    wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &users).await;
    confirm_both(&sim, &users, &shown).await;
    assert_eq!(match_state(dir.path(), id), "in_progress");

    report(&sim, users[0], "win").await;
    wait_seen(&sim, users[0], "waiting for your opponent's report").await;
    // One report decides nothing.
    assert_eq!(match_state(dir.path(), id), "in_progress");
    report(&sim, users[1], "loss").await;
    for user in users {
        let ended = wait_seen_in(&sim, user, &format!("🏁 Match #{id}"), personal).await;
        assert!(
            ended.message.content.contains("Rating change")
                && ended.message.content.contains("both players agreed"),
            "{}",
            ended.message.content
        );
    }
    assert_eq!(match_state(dir.path(), id), "completed");
    let (p1, p2) = players_of(dir.path(), id);
    let (winner, loser) = if p1 == users[0] { (p1, p2) } else { (p2, p1) };
    let (w, l) = (
        rating_row(dir.path(), winner),
        rating_row(dir.path(), loser),
    );
    assert!(w.0 > l.0, "winner {w:?}, loser {l:?}");
    assert_eq!((w.1, w.2, w.3), (1, 1, 0));
    assert_eq!((l.1, l.2, l.3), (1, 0, 1));
    assert_eq!(sim.totals().rate_limited, 0, "{:#?}", sim.counters());
    stop(shutdown, task, sim).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicting_reports_are_disputed_until_an_admin_resolves_them() {
    let sim = Simulator::start(roomy()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let admin = sim.add_user("Referee");
    let discord = admins(admin);
    let opts = BootOptions {
        discord: &discord,
        ..BootOptions::default()
    };
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &clock, &opts).await;
    let users = [sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await];
    wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &users).await;
    confirm_both(&sim, &users, &shown).await;

    // Both claim the win.
    report(&sim, users[0], "win").await;
    wait_seen(&sim, users[0], "waiting for your opponent's report").await;
    report(&sim, users[1], "win").await;
    for user in users {
        wait_seen(&sim, user, "the reports disagree").await;
    }
    assert_eq!(match_state(dir.path(), id), "conflict");
    let ratings: i64 = query(dir.path(), "SELECT count(*) FROM ratings WHERE games > 0");
    assert_eq!(ratings, 0, "a dispute moves no rating");

    // The admin decides for player 1, with Confirm.
    let prompt = admin_command(
        &sim,
        admin,
        "resolve",
        vec![
            ("match", OptionValue::Integer(id as i64)),
            ("outcome", OptionValue::String("player1".into())),
            (
                "reason",
                OptionValue::String("screenshot in the thread".into()),
            ),
        ],
    )
    .await;
    assert_eq!(
        prompt.message.content,
        format!("Resolve match #{id} as a win for player 1?\nReason: screenshot in the thread"),
        "{prompt:?}"
    );
    // Nothing happens before Confirm.
    assert_eq!(match_state(dir.path(), id), "conflict");
    let done = press(&sim, admin, &prompt, ":confirm").await;
    assert!(!done.message.content.contains('❌'), "{done:?}");
    // The result names the winner (player 1) and the loser.
    let name = |slot: &str| -> String {
        query(
            dir.path(),
            &format!(
                "SELECT p.ingame_name FROM matches m JOIN players p \
                 ON p.discord_id = m.{slot} WHERE m.id = {id}"
            ),
        )
    };
    let won = format!("{} won against {}", name("player1_id"), name("player2_id"));
    for user in users {
        let ended = wait_seen(&sim, user, "resolved by an admin").await;
        assert!(
            ended.message.content.contains(&won) && ended.message.content.contains("Rating change"),
            "{}",
            ended.message.content
        );
    }
    assert_eq!(match_state(dir.path(), id), "completed");
    let source: String = query(
        dir.path(),
        &format!("SELECT result_source FROM matches WHERE id = {id}"),
    );
    assert_eq!(source, "admin");
    let (p1, p2) = players_of(dir.path(), id);
    let (r1, r2) = (rating_row(dir.path(), p1), rating_row(dir.path(), p2));
    assert!(r1.0 > r2.0, "{r1:?} {r2:?}");
    assert_eq!((r1.2, r2.3), (1, 1));
    let logged: i64 = query(
        dir.path(),
        &format!(
            "SELECT count(*) FROM admin_actions WHERE admin_id = {admin} AND action = 'resolve' AND target_match_id = {id}"
        ),
    );
    assert_eq!(logged, 1);
    stop(shutdown, task, sim).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_player_aborts_a_found_match() {
    let sim = Simulator::start(roomy()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) =
        boot_opts(&sim, dir.path(), &clock, &BootOptions::default()).await;
    let users = [sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await];
    wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &users).await;
    let aborts: i64 = query(
        dir.path(),
        &format!(
            "SELECT aborts_left FROM players WHERE discord_id = {}",
            users[0]
        ),
    );
    click(
        &sim,
        users[0],
        &shown[0],
        &button_ending(&shown[0], ":abort"),
    );
    for user in users {
        // Named by their in-game name, never their Discord id.
        let ended = wait_seen_in(&sim, user, "aborted by Alpha", personal).await;
        assert!(
            ended.message.content.contains(&format!("Match #{id}")),
            "{}",
            ended.message.content
        );
    }
    assert_eq!(match_state(dir.path(), id), "aborted");
    let ended_by: i64 = query(
        dir.path(),
        &format!("SELECT ended_by FROM matches WHERE id = {id}"),
    );
    assert_eq!(ended_by as u64, users[0]);
    let left: i64 = query(
        dir.path(),
        &format!(
            "SELECT aborts_left FROM players WHERE discord_id = {}",
            users[0]
        ),
    );
    assert_eq!(left, aborts - 1);
    let rated: i64 = query(dir.path(), "SELECT count(*) FROM ratings WHERE games > 0");
    assert_eq!(rated, 0);
    // Both are free again: the opponent can queue at once.
    sim.interact(
        users[1],
        sim.ids().lobby,
        &Interact::Slash {
            name: "queue".into(),
            options: vec![("race".into(), "T".into())],
        },
    )
    .unwrap();
    wait_seen_n(&sim, users[1], "you are in the queue", 2).await;
    // A Confirm on the aborted card is refused and changes nothing.
    let before = ladder_state(dir.path());
    let refused = press(&sim, users[1], &shown[1], ":confirm").await;
    assert!(
        refused.message.content.contains('❌') && refused.message.content.contains("aborted"),
        "{}",
        refused.message.content
    );
    assert_eq!(ladder_state(dir.path()), before);
    stop(shutdown, task, sim).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_match_left_unconfirmed_is_abandoned_when_the_window_closes() {
    let sim = Simulator::start(roomy()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) =
        boot_opts(&sim, dir.path(), &clock, &BootOptions::default()).await;
    let (alpha, bravo) = (sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await);
    wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &[alpha, bravo]).await;
    click(
        &sim,
        alpha,
        &shown[0],
        &button_ending(&shown[0], ":confirm"),
    );
    wait_seen(&sim, alpha, "waiting for your opponent").await;
    // The 60 s confirm window passes; the next tick closes it.
    clock.advance(60_000);
    running.ladder.tick().await.unwrap();
    let gone = wait_seen(&sim, bravo, "you did not confirm").await;
    assert!(
        gone.message.content.contains(&format!("match #{id}")),
        "{}",
        gone.message.content
    );
    wait_seen(&sim, alpha, "back in the queue").await;
    assert_eq!(match_state(dir.path(), id), "abandoned");
    let ended_by: i64 = query(
        dir.path(),
        &format!("SELECT ended_by FROM matches WHERE id = {id}"),
    );
    assert_eq!(ended_by as u64, bravo);
    let (a, b): (String, String) = (
        query(
            dir.path(),
            &format!("SELECT state FROM players WHERE discord_id = {alpha}"),
        ),
        query(
            dir.path(),
            &format!("SELECT state FROM players WHERE discord_id = {bravo}"),
        ),
    );
    assert_eq!((a.as_str(), b.as_str()), ("queueing", "idle"));
    let cooldown: Option<i64> = query(
        dir.path(),
        &format!("SELECT queue_cooldown_until FROM players WHERE discord_id = {bravo}"),
    );
    assert!(cooldown.is_some_and(|c| c > clock.now()), "{cooldown:?}");
    // Too late: Bravo's Confirm is refused and changes nothing.
    let before = ladder_state(dir.path());
    let refused = press(&sim, bravo, &shown[1], ":confirm").await;
    assert!(
        refused.message.content.contains('❌') && refused.message.content.contains("abandoned"),
        "{}",
        refused.message.content
    );
    assert_eq!(ladder_state(dir.path()), before);
    stop(shutdown, task, sim).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_player_cannot_run_admin_commands() {
    let sim = Simulator::start(roomy()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let admin = sim.add_user("Referee");
    let discord = admins(admin);
    let opts = BootOptions {
        discord: &discord,
        ..BootOptions::default()
    };
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &clock, &opts).await;
    let users = [sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await];
    wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &users).await;
    confirm_both(&sim, &users, &shown).await;
    let before = ladder_state(dir.path());
    let resolve = |who: &str| {
        vec![
            ("match", OptionValue::Integer(id as i64)),
            ("outcome", OptionValue::String("player2".into())),
            ("reason", OptionValue::String(format!("{who} says so"))),
        ]
    };

    // A player's /admin resolve is refused at once: no Confirm prompt.
    let answer = admin_command(&sim, users[1], "resolve", resolve("Bravo")).await;
    assert!(
        answer.message.components.is_empty(),
        "no prompt: {answer:?}"
    );
    assert_eq!(answer.place, Place::Ephemeral);
    assert!(
        answer
            .message
            .content
            .contains("❌ this needs a ladder admin"),
        "{}",
        answer.message.content
    );
    // /admin health answers admins only, at once.
    let health = admin_command(&sim, users[1], "health", vec![]).await;
    assert!(
        health
            .message
            .content
            .contains("❌ this needs a ladder admin"),
        "{}",
        health.message.content
    );
    // The admin's pending command cannot be confirmed by the player…
    let prompt = admin_command(&sim, admin, "resolve", resolve("Referee")).await;
    let forged = Interact::Button {
        custom_id: button_ending(&prompt, ":confirm"),
        message: None,
    };
    let refused = ask(&sim, users[1], sim.ids().lobby, &forged).await;
    assert!(
        refused
            .message
            .content
            .contains("only the admin who asked can confirm this"),
        "{}",
        refused.message.content
    );
    // …and the admin may still cancel it.
    let cancelled = press(&sim, admin, &prompt, ":cancel").await;
    assert!(
        cancelled.message.content.contains("nothing was done"),
        "{}",
        cancelled.message.content
    );
    assert_eq!(ladder_state(dir.path()), before);
    assert_eq!(match_state(dir.path(), id), "in_progress");
    // Nobody else was told anything.
    assert_eq!(seen_count(&sim, users[0], "🏁"), 0);
    stop(shutdown, task, sim).await;
}

/// Bad uploads get a clear reason in the channel they were posted in and
/// change nothing: too big by its announced size (never downloaded), not a
/// readable replay, a replay of other players.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_replay_uploads_are_answered_with_a_reason_and_change_nothing() {
    let Some(corpus) = crate::replay::corpus() else {
        return;
    };
    let sim = Simulator::start(roomy()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let opts = BootOptions {
        // Seven uploads from one player in the same minute.
        replay: "max_upload_bytes = 120000\nuploads_per_minute = 10",
        workers: true,
        ..BootOptions::default()
    };
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &clock, &opts).await;
    let users = [sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await];
    wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &users).await;
    confirm_both(&sim, &users, &shown).await;
    let dm = shown[0].message.channel_id.get();
    let before = ladder_state(dir.path());
    let bot = sim.ids().bot_user;
    let answers = |sim: &Simulator| -> Vec<String> {
        sim.channel_messages(dm)
            .into_iter()
            .filter(|m| m.author.id.get() == bot && !m.content.contains("Match"))
            .map(|m| m.content)
            .collect()
    };
    // Posts `file` and returns the bot's answer to it.
    let upload = async |file: &str| -> String {
        let bytes = std::fs::read(corpus.join(file)).unwrap();
        let n = answers(&sim).len();
        sim.post(users[0], dm, "gg", vec![(file.into(), bytes.into())])
            .unwrap();
        sim_until(&sim, &format!("an answer to {file}"), |sim| {
            answers(sim).len() > n
        })
        .await;
        answers(&sim).swap_remove(n)
    };
    const CDN: &str = "GET /attachments (CDN)";

    // 131,979 bytes announced against a 120,000-byte limit.
    let big = upload("5.0.15.95299-1v1-Terran-vs-Protoss-3a8da1b8.SC2Replay").await;
    assert!(
        big.contains("131979 bytes") && big.contains("over 120000 bytes are refused"),
        "{big}"
    );
    assert_eq!(
        sim.counters().get(CDN).map_or(0, |c| c.requests),
        0,
        "refused by its announced size, never downloaded"
    );

    let broken = [
        "broken-zero-bytes-e3b0c442.SC2Replay",
        "broken-random-bytes-2f47e1e9.SC2Replay",
        "broken-truncated-half-abd62827.SC2Replay",
        "broken-mpq-bad-table-offsets-9a6c79b6.SC2Replay",
        "broken-truncated-userdata-only-99e06aca.SC2Replay",
    ];
    for file in broken {
        let answer = upload(file).await;
        assert!(
            answer.starts_with("❌ this replay could not be read: "),
            "{file}: {answer}"
        );
    }
    assert_eq!(
        sim.counters().get(CDN).map_or(0, |c| c.requests),
        broken.len() as u64
    );

    // A real 1v1 replay, but of two other players.
    let other = upload("5.0.15.95299-1v1-Terran-vs-Protoss-f901bc58.SC2Replay").await;
    assert!(
        other.contains("replay not accepted") && other.contains("the replay is not a game between"),
        "{other}"
    );

    assert_eq!(ladder_state(dir.path()), before);
    assert_eq!(match_state(dir.path(), id), "in_progress");
    // Only the readable one is on record, as rejected.
    let verdicts: String = query(
        dir.path(),
        "SELECT coalesce(group_concat(verdict), '') FROM replays",
    );
    assert_eq!(verdicts, "rejected");
    // The opponent heard nothing of it.
    assert_eq!(seen_count(&sim, users[1], "❌"), 0);
    assert_eq!(seen_count(&sim, users[1], "not accepted"), 0);
    stop(shutdown, task, sim).await;
}

/// The `discord: … (… ok, N 429s, N retries, N failed, N queued)` figures of
/// the health report an admin gets from `/admin health`.
async fn discord_figures(sim: &Simulator, admin: u64) -> std::collections::HashMap<String, u64> {
    let reply = admin_command(sim, admin, "health", vec![]).await;
    let text = reply.message.content;
    let start = text
        .find("discord: ")
        .expect("the report has Discord figures")
        + 9;
    let end = text[start..]
        .find(')')
        .map(|e| start + e)
        .expect("the Discord figures end with ')'");
    text[start..end]
        .split(['(', ','])
        .filter_map(|part| {
            let (n, label) = part.trim().split_once(' ')?;
            Some((label.to_owned(), n.parse().ok()?))
        })
        .collect()
}

/// Ten players, five matches; the wave's requests (DM channels, DMs, the
/// lobby's status) and then the confirms' interaction callbacks meet
/// `storm(route)` faults. Returns the health figures after everything was
/// delivered, and the number of requests the faults answered.
async fn wave_through(
    storm: impl Fn(&str) -> Vec<Fault>,
) -> (std::collections::HashMap<String, u64>, Simulator) {
    let sim = Simulator::start(roomy()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let admin = sim.add_user("Referee");
    let discord = admins(admin);
    let opts = BootOptions {
        discord: &discord,
        ..BootOptions::default()
    };
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &clock, &opts).await;
    let mut users = Vec::new();
    for i in 0..10 {
        users.push(sign_up(&sim, &letters(i)).await);
    }
    for route in [
        "POST /users/@me/channels",
        "POST /channels/{channel_id}/messages",
    ] {
        for fault in storm(route) {
            sim.inject(fault).unwrap();
        }
    }
    wave(&running, &clock).await;
    // Every player gets the card.
    let mut by_match: std::collections::BTreeMap<u64, Vec<(u64, ladderd::sim::Seen)>> =
        Default::default();
    for user in &users {
        let (shown, id) = cards(&sim, &[*user]).await;
        by_match
            .entry(id)
            .or_default()
            .push((*user, shown.into_iter().next().expect("one card")));
    }
    assert_eq!(by_match.len(), 5);
    assert!(by_match.values().all(|v| v.len() == 2));
    sim_until(&sim, "the wave's announcement", |sim| {
        sim.channel_messages(sim.ids().lobby)
            .iter()
            .any(|m| m.content.contains("last wave: 5 match(es)"))
    })
    .await;
    assert_eq!(sim.faults_left(), 0, "the wave met every injected fault");

    // Then the confirms' callbacks.
    for fault in storm("POST /interactions") {
        sim.inject(fault).unwrap();
    }
    for pair in by_match.values() {
        for (user, card) in pair {
            click(&sim, *user, card, &button_ending(card, ":confirm"));
        }
    }
    for user in &users {
        wait_seen_in(&sim, *user, "Match confirmed", personal).await;
    }
    assert_eq!(
        sim.faults_left(),
        0,
        "the confirms met every injected fault"
    );
    let figures = discord_figures(&sim, admin).await;
    drop(running);
    shutdown.cancel();
    within("the supervisor to stop", task)
        .await
        .unwrap()
        .unwrap();
    (figures, sim)
}

/// 429s on every route the wave uses and on the confirms' callbacks: every
/// message still arrives, nothing fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_survives_a_429_storm() {
    let per_route = 3;
    let (figures, sim) = wave_through(|route| {
        vec![Fault::rate_limited(per_route, Duration::from_millis(300)).on(route)]
    })
    .await;
    let injected = 3 * u64::from(per_route);
    assert_eq!(
        sim.totals().rate_limited,
        injected,
        "exactly the injected 429s: {:#?}",
        sim.counters()
    );
    // ladderd saw (and counted) every one of them: none was retried out of
    // its sight, and each route waited its Retry-After before trying again.
    assert_eq!(figures.get("429s"), Some(&injected), "{figures:?}");
    assert_eq!(
        crate::support::sim::assert_429s_waited_out(&sim.requests()),
        injected as usize
    );
    assert_eq!(figures.get("failed"), Some(&0), "{figures:?}");
    eprintln!(
        "429 storm: {injected} injected; ladderd's figures {figures:?}; simulator {:?}",
        sim.totals()
    );
    sim.shutdown().await;
}

/// 500/502/503 on every route the wave uses and on the confirms' callbacks:
/// three in a row on most routes, five in a row on the DM-channel route (an
/// outage of several seconds: the DM of a committed match must still get
/// through). Every message arrives, each 5xx was retried, nothing failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wave_survives_a_5xx_storm() {
    const DM_CHANNELS: &str = "POST /users/@me/channels";
    let in_a_row = |route: &str| if route == DM_CHANNELS { 5 } else { 3 };
    let (figures, sim) = wave_through(|route| {
        [500, 502, 503]
            .into_iter()
            .cycle()
            .take(in_a_row(route))
            .map(|status| Fault::server_error(1, status).on(route))
            .collect()
    })
    .await;
    let injected = 2 * 3 + in_a_row(DM_CHANNELS) as u64;
    assert_eq!(
        sim.counters()[DM_CHANNELS].server_errors,
        in_a_row(DM_CHANNELS) as u64
    );
    assert_eq!(
        sim.totals().server_errors,
        injected,
        "{:#?}",
        sim.counters()
    );
    assert_eq!(sim.totals().rate_limited, 0, "{:#?}", sim.counters());
    assert!(
        figures.get("retries").is_some_and(|r| *r >= injected),
        "every 5xx retried: {figures:?}"
    );
    assert_eq!(figures.get("failed"), Some(&0), "{figures:?}");
    eprintln!(
        "5xx storm: {injected} injected; ladderd's figures {figures:?}; simulator {:?}",
        sim.totals()
    );
    sim.shutdown().await;
}
