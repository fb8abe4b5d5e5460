//! #15's evidence end to end: with `result_policy = "replay_required"`, two
//! matching reports do not settle a match and a verified replay (a real
//! corpus game, re-enacted by its two players) does; its file is then in the
//! archive, `ladderd backup` copies it, a ladderd restored from that copy
//! still has it, and `/admin replay` posts the very bytes that were uploaded.

use std::path::Path;

use ladderd::clock::{Clock, ManualClock};
use ladderd::sim::{OptionValue, Place, Simulator};

use crate::support::e2e::{
    BootOptions, admin_command, boot_opts, button_ending, cards, click, config_text, confirm_both,
    match_state, press, query, wait_seen, wait_seen_in,
};
use crate::support::wait::{output_of, sim_until, within};

async fn report(sim: &Simulator, user: u64, report: &str) {
    let started = wait_seen_in(sim, user, "Match confirmed", |p| *p == Place::Dm).await;
    click(
        sim,
        user,
        &started,
        &button_ending(&started, &format!(":report:{report}")),
    );
}

/// `/admin replay MATCH` by `admin`, confirmed; returns the bytes of the
/// file ladderd then posts in the admin log (the lobby here).
async fn admin_replay(sim: &Simulator, admin: u64, match_id: u64) -> Vec<u8> {
    let lobby = sim.ids().lobby;
    let posted = |sim: &Simulator| {
        sim.channel_messages(lobby)
            .into_iter()
            .filter(|m| !m.attachments.is_empty())
            .count()
    };
    let before = posted(sim);
    let prompt = admin_command(
        sim,
        admin,
        "replay",
        vec![("match", OptionValue::Integer(match_id as i64))],
    )
    .await;
    assert!(
        prompt.message.content.contains("archived replay"),
        "{prompt:?}"
    );
    let done = press(sim, admin, &prompt, ":confirm").await;
    assert!(
        done.message.content.contains("posted in the admin log"),
        "{done:?}"
    );
    sim_until(sim, "the replay file in the admin log", |sim| {
        posted(sim) > before
    })
    .await;
    let message = sim
        .channel_messages(lobby)
        .into_iter()
        .rfind(|m| !m.attachments.is_empty())
        .expect("waited for it");
    assert!(
        message.content.contains(&format!("match #{match_id}")),
        "{}",
        message.content
    );
    let url = &message.attachments[0].url;
    let path = url
        .split_once("/attachments/")
        .map(|(_, rest)| format!("/attachments/{rest}"))
        .expect("a CDN url");
    let got = crate::support::sim::raw(sim.http_addr(), "GET", &path, None, None).await;
    assert_eq!(got.status, 200, "{url}");
    got.body
}

fn archived(dir: &Path, sha: &str) -> Option<Vec<u8>> {
    std::fs::read(dir.join("replays").join(format!("{sha}.SC2Replay"))).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_required_settles_by_the_verified_replay_which_survives_backup_and_restore() {
    let fixtures = crate::support::repo_root().join("tests/fixtures/replays");
    let games = ladderd::demo::replays::load(&fixtures, &crate::support::ladderd_bin());
    let game = games
        .first()
        .expect("the fixtures hold a game ladderd can re-enact");
    let file = game
        .file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();

    let sim = Simulator::start(crate::e2e::flows()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The match is made shortly before the game started (the start window).
    let clock = ManualClock::at((game.start_ms - 120_000) / 45_000 * 45_000);
    let admin = sim.add_user("Referee");
    let discord = format!(
        "admin_user_ids = [{admin}]\nadmin_log_channel_id = {}",
        sim.ids().lobby
    );
    let extra = format!(
        "[ladder]\nresult_policy = \"replay_required\"\n[[ladder.maps]]\nname = {:?}\n",
        game.map
    );
    let opts = BootOptions {
        discord: &discord,
        extra: &extra,
        workers: true,
        ..BootOptions::default()
    };
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &clock, &opts).await;
    let users = [
        crate::support::e2e::sign_up_as(&sim, &game.sides[0].name, game.sides[0].race).await,
        crate::support::e2e::sign_up_as(&sim, &game.sides[1].name, game.sides[1].race).await,
    ];
    crate::support::e2e::wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &users).await;
    confirm_both(&sim, &users, &shown).await;

    // Both report what the replay will show: not enough on this ladder.
    for (user, side) in users.iter().zip(&game.sides) {
        report(&sim, *user, if side.won { "win" } else { "loss" }).await;
        wait_seen(&sim, *user, "a verified replay settles the result").await;
    }
    assert_eq!(match_state(dir.path(), id), "in_progress");
    let rated: i64 = query(dir.path(), "SELECT count(*) FROM ratings WHERE games > 0");
    assert_eq!(rated, 0, "matching reports moved no rating");

    // The replay, uploaded in the DM a minute after the game, settles it.
    clock.set(game.end_ms + 60_000);
    let dm = shown[0].message.channel_id.get();
    sim.post(
        users[0],
        dm,
        "gg",
        vec![(file.clone(), game.bytes.clone().into())],
    )
    .unwrap();
    sim_until(&sim, "the match settled by its replay", |_| {
        match_state(dir.path(), id) == "completed"
    })
    .await;
    let source: String = query(
        dir.path(),
        &format!("SELECT result_source FROM matches WHERE id = {id}"),
    );
    assert_eq!(source, "replay");
    let sha: String = query(
        dir.path(),
        &format!("SELECT sha256 FROM replays WHERE match_id = {id} AND verdict = 'verified'"),
    );
    assert_eq!(
        archived(dir.path(), &sha),
        Some(game.bytes.clone()),
        "archived whole"
    );
    assert_eq!(
        admin_replay(&sim, admin, id).await,
        game.bytes,
        "posted whole"
    );

    // `ladderd backup` while it runs: the database and the archive beside it.
    let config = dir.path().join("ladderd.toml");
    std::fs::write(&config, config_text(&sim, dir.path(), &opts, true)).unwrap();
    let backups = tempfile::tempdir().unwrap();
    let dest = backups.path().join("ladder.db");
    let out = output_of(
        "ladderd backup",
        std::process::Command::new(crate::support::ladderd_bin())
            .arg("--config")
            .arg(&config)
            .arg("backup")
            .arg(&dest)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("backed up 1 archived replay"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    shutdown.cancel();
    within("the supervisor to stop", task)
        .await
        .unwrap()
        .unwrap();

    // Restored into a fresh state directory, as an operator would.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&dest, restored.path().join("ladder.db")).unwrap();
    std::fs::create_dir(restored.path().join("replays")).unwrap();
    let copied = backups.path().join("ladder.db.replays");
    for entry in std::fs::read_dir(&copied).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            restored.path().join("replays").join(entry.file_name()),
        )
        .unwrap();
    }
    clock.set(clock.now() + 1_000);
    let (_running, shutdown, task) = boot_opts(&sim, restored.path(), &clock, &opts).await;
    assert_eq!(match_state(restored.path(), id), "completed");
    assert_eq!(archived(restored.path(), &sha), Some(game.bytes.clone()));
    assert_eq!(
        admin_replay(&sim, admin, id).await,
        game.bytes,
        "the same bytes after restore"
    );
    crate::support::e2e::stop(shutdown, task, sim).await;
}
