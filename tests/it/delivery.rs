//! Delivery on Discord as it behaves (the simulator's realistic defaults):
//! a player with closed DMs plays a whole match, a 100-match wave meets the
//! DM-open limit, a DM channel deleted mid-match, a rejected token and a
//! missing privileged intent at start-up, a storm of 401s.

use std::process::Stdio;
use std::time::Duration;

use ladderd::clock::ManualClock;
use ladderd::sim::{Interact, Place, Realism, SimConfig, Simulator};

use crate::support::e2e::{
    BootOptions, T0, boot, button_ending, cards, click, config_text, confirm_both, letters,
    personal, sign_up, stop, wait_seen_in, wave,
};
use crate::support::wait::{output_of, within};

/// Closed DMs (403 50007): the card, the start, the result all reach the
/// player as ephemeral messages on their own interactions; they are told
/// once how to open DMs; their opponent, DMs open, reads everything by DM;
/// the closed flag is kept, so no second DM is tried.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_player_with_closed_dms_plays_a_whole_match() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot(&sim, dir.path(), &clock).await;
    // Signing up sends no DM (every answer is an interaction reply).
    let users = [sign_up(&sim, "Closed").await, sign_up(&sim, "Opened").await];
    let closed = users[0];
    for user in users {
        sim.set_dms_open(user, user != closed);
    }
    wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &users).await;
    assert_eq!(shown[0].place, Place::Ephemeral, "the closed player's card");
    confirm_both(&sim, &users, &shown).await;
    let started = wait_seen_in(&sim, closed, "Match confirmed", personal).await;
    click(
        &sim,
        closed,
        &started,
        &button_ending(&started, ":report:win"),
    );
    let other = wait_seen_in(&sim, users[1], "Match confirmed", personal).await;
    assert_eq!(other.place, Place::Dm);
    click(
        &sim,
        users[1],
        &other,
        &button_ending(&other, ":report:loss"),
    );
    let ended = wait_seen_in(&sim, closed, &format!("🏁 Match #{id}"), personal).await;
    assert_eq!(ended.place, Place::Ephemeral);
    // The hint is its own followup on the first interaction after the
    // closed DMs were found; it can arrive after the result.
    wait_seen_in(&sim, closed, "Privacy Settings", personal).await;
    let seen = sim.seen_by(closed);
    assert!(
        seen.iter().all(|s| s.place != Place::Dm),
        "nothing reached closed DMs"
    );
    let hints = seen
        .iter()
        .filter(|s| s.message.content.contains("Privacy Settings"))
        .count();
    assert_eq!(
        hints,
        1,
        "told once how to open DMs: {:#?}",
        seen.iter()
            .map(|s| (&s.place, &s.message.content))
            .collect::<Vec<_>>()
    );
    // One refused DM (the card's), none after: the flag is kept.
    let refused = sim
        .requests()
        .iter()
        .filter(|r| r.status == 403 && r.route_key == "POST /channels/{channel_id}/messages")
        .count();
    assert_eq!(refused, 1);
    let flagged: i64 = crate::support::e2e::query(
        dir.path(),
        &format!("SELECT dms_closed FROM player_reach WHERE player_id = {closed}"),
    );
    assert_eq!(flagged, 1);
    stop(shutdown, task, sim).await;
}

/// 200 players, one wave, 100 matches, on the realistic defaults (DM opens
/// past a few dozen answer 40003, 15 % closed DMs): every player gets the
/// card without the ladder clock moving, nothing is created per match, no
/// 40003 (ladderd's own budget stays under Discord's), and the wave's paced
/// requests stay under the original bot's 80 per 20 matches.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_100_match_wave_with_dm_opens_throttled() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot(&sim, dir.path(), &clock).await;
    let names: Vec<String> = (0..200).map(letters).collect();
    let users: Vec<u64> =
        futures_util::future::join_all(names.iter().map(|n| sign_up(&sim, n))).await;
    let before = sim.counters();
    wave(&running, &clock).await;
    let (shown, _) = cards(&sim, &users).await;
    let by_dm = shown.iter().filter(|s| s.place == Place::Dm).count();
    let after = sim.counters();
    let paced = crate::support::e2e::paced_between(&before, &after);
    let refused_opens = sim
        .requests()
        .iter()
        .filter(|r| r.route_key == "POST /users/@me/channels" && r.status == 403)
        .count();
    eprintln!(
        "100-match wave: {paced} paced requests, {by_dm} cards by DM, {} by followup, {refused_opens} DM opens refused",
        shown.len() - by_dm
    );
    assert_eq!(
        refused_opens, 0,
        "ladderd's DM-open budget is under Discord's"
    );
    assert!(paced <= 400, "{paced} paced requests for 100 matches");
    assert!(after.keys().all(|r| !r.contains("thread")), "{after:#?}");
    stop(shutdown, task, sim).await;
}

/// A moderator deletes a player's DM channel mid-match (404 10003 on the
/// next DM): ladderd opens a new one and the notice still arrives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dm_channel_deleted_mid_match_is_opened_again() {
    let sim = Simulator::start(crate::e2e::flows()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot(&sim, dir.path(), &clock).await;
    let users = [sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await];
    wave(&running, &clock).await;
    let (shown, id) = cards(&sim, &users).await;
    assert_eq!(shown[0].place, Place::Dm);
    let old = shown[0].message.channel_id.get();
    confirm_both(&sim, &users, &shown).await;
    sim.delete_channel(old).unwrap();
    let lobby = sim.ids().lobby;
    for (user, report) in users.iter().zip(["win", "loss"]) {
        let button = Interact::Button {
            custom_id: format!("match:{id}:report:{report}"),
            message: None,
        };
        sim.interact(*user, lobby, &button).unwrap();
    }
    let ended = wait_seen_in(&sim, users[0], &format!("🏁 Match #{id}"), |p| {
        *p == Place::Dm
    })
    .await;
    assert_ne!(ended.message.channel_id.get(), old, "a new DM channel");
    let gone = sim
        .requests()
        .iter()
        .filter(|r| r.status == 404 && r.path.contains(&format!("/channels/{old}/")))
        .count();
    assert_eq!(gone, 1, "one 404, then the new channel");
    stop(shutdown, task, sim).await;
}

/// Runs `ladderd run` against `sim` with `token`; returns (exit code, stderr).
fn run_child(sim: &Simulator, token: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ladderd.toml");
    std::fs::write(
        &config,
        config_text(sim, dir.path(), &BootOptions::default(), true),
    )
    .unwrap();
    let child = std::process::Command::new(crate::support::ladderd_bin())
        .current_dir(dir.path())
        .arg("--config")
        .arg(&config)
        .arg("run")
        .env("DISCORD_TOKEN", token)
        .env_remove("CREDENTIALS_DIRECTORY")
        .env_remove("NOTIFY_SOCKET")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = output_of("ladderd run refused by Discord", child);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A rejected token (close 4004) and a privileged intent not enabled in the
/// developer portal (close 4014) stop start-up with exit 78 (systemd does
/// not restart it) and a message saying what to change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_or_intent_exits_78_saying_what_to_change() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let (code, stderr) = tokio::task::block_in_place(|| run_child(&sim, "not-the-token"));
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("close code 4004"), "{stderr}");
    assert!(stderr.contains("Reset Token"), "{stderr}");
    sim.shutdown().await;

    // The portal has no privileged intent enabled; ladderd asks for
    // Message Content (replay attachments in DMs and the lobby).
    let sim = Simulator::start(SimConfig {
        realism: Realism {
            enabled_privileged_intents: 0,
            ..Realism::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let token = sim.config().token.clone();
    let (code, stderr) = tokio::task::block_in_place(|| run_child(&sim, &token));
    assert_eq!(code, Some(78), "{stderr}");
    assert!(stderr.contains("close code 4014"), "{stderr}");
    assert!(stderr.contains("Message Content Intent"), "{stderr}");
    sim.shutdown().await;
}

/// The token is reset while ladderd runs: after a burst of 401s ladderd
/// stops sending (it would only earn the invalid-request ban), says so in
/// health, and the simulator sees no more bot-token requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_401s_stops_sending() {
    let sim = Simulator::start(crate::e2e::flows()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot(&sim, dir.path(), &clock).await;
    // 31 players: one is left queueing, so the second wave has a lobby
    // status to show (work for Discord after sending stopped).
    let names: Vec<String> = (0..31).map(letters).collect();
    let users: Vec<u64> =
        futures_util::future::join_all(names.iter().map(|n| sign_up(&sim, n))).await;
    sim.reset_token();
    wave(&running, &clock).await;
    let http = running.http.clone().expect("connected");
    within("sending to stop", async {
        while !http.unauthorized.load(std::sync::atomic::Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let unauthorized = |sim: &Simulator| sim.requests().iter().filter(|r| r.status == 401).count();
    let at_stop = unauthorized(&sim);
    // More work for Discord: ladderd fails it at once without sending it.
    let failed = http.failed.load(std::sync::atomic::Ordering::Relaxed);
    wave(&running, &clock).await;
    within("the next wave's sends to fail unsent", async {
        while http.failed.load(std::sync::atomic::Ordering::Relaxed) == failed {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        unauthorized(&sim) <= at_stop + 1,
        "{} 401s after stopping at {at_stop}",
        unauthorized(&sim)
    );
    assert!(at_stop >= ladderd::discord::outbound::UNAUTHORIZED_STOP);
    assert!(at_stop < users.len() * 2, "{at_stop} 401s before stopping");
    stop(shutdown, task, sim).await;
}
