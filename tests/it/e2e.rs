//! ladderd end to end against the local Discord simulator: the real
//! supervisor with the real twilight gateway and HTTP clients, driven by
//! virtual users' interactions, with a manual clock for the waves.

use ladderd::clock::ManualClock;
use ladderd::sim::{Interact, Realism, SimConfig, Simulator};

use crate::support::e2e::{
    BootOptions, T0, boot, boot_opts, boot_with, custom_ids, letters, personal, sign_up,
    sign_up_as, stop, wait_seen, wait_seen_in,
};
use crate::support::wait::bounded;

/// The simulator for tests of the ladder's flows through Discord, not of
/// delivery under Discord's refusals (issue #14's end-to-end tests are):
/// every player accepts DMs and Discord's DM-open anti-spam is off, so what
/// these tests read does not depend on which players the seeded 15 % with
/// closed DMs are or on which DM opens a 40003 refused (`delivery.rs`'s
/// own tests and `tests/it/delivery.rs` cover those). Latency, the
/// invalid-request ban, the thread-creation limit, intents and the rest of
/// the realism stay on.
pub(crate) fn flows() -> SimConfig {
    SimConfig {
        realism: Realism {
            closed_dm_share: 0.0,
            dm_open: None,
            ..Realism::default()
        },
        ..SimConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_queue_match_confirm_and_report_through_discord() {
    let sim = Simulator::start(flows()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot(&sim, dir.path(), &clock).await;
    // Commands were registered once the gateway was READY.
    let names: Vec<String> = sim
        .commands()
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect();
    assert!(
        names.contains(&"queue".to_owned()) && names.contains(&"admin".to_owned()),
        "{names:?}"
    );

    let lobby = sim.ids().lobby;
    let mut users = Vec::new();
    for name in ["Alpha", "Bravo"] {
        users.push(sign_up(&sim, name).await);
    }
    clock.advance(45_000);
    running.ladder.tick().await.unwrap();
    let mut match_id = String::new();
    for user in &users {
        let seen = wait_seen_in(&sim, *user, "Match found", personal).await;
        // Confirm with the button on the card.
        let confirm = custom_ids(&seen.message)
            .into_iter()
            .find(|c| c.ends_with(":confirm"))
            .expect("the card carries a Confirm button");
        match_id = confirm.split(':').nth(1).unwrap().to_owned();
        sim.interact(
            *user,
            seen.message.channel_id.get(),
            &Interact::Button {
                custom_id: confirm,
                message: Some(seen.message.id.get()),
            },
        )
        .unwrap();
    }
    for user in &users {
        wait_seen(&sim, *user, "Match confirmed").await;
    }
    // Nothing was created for the match: no thread, nobody added to one.
    let counters = sim.counters();
    assert!(
        counters.keys().all(|route| !route.contains("thread")),
        "{counters:#?}"
    );
    // Both report; agreeing reports complete the match and move the ratings.
    for (user, report) in users.iter().zip(["win", "loss"]) {
        sim.interact(
            *user,
            lobby,
            &Interact::Button {
                custom_id: format!("match:{match_id}:report:{report}"),
                message: None,
            },
        )
        .unwrap();
    }
    for user in &users {
        let ended = wait_seen(&sim, *user, "won").await;
        assert!(
            ended.message.content.contains("Rating change"),
            "{}",
            ended.message.content
        );
    }
    let totals = sim.totals();
    assert_eq!(totals.rate_limited, 0, "{:#?}", sim.counters());

    stop(shutdown, task, sim).await;
}

/// 40 players, one wave, 20 matches: every player gets the card where only
/// they see it (a DM, or a followup on their queue click once the DM-open
/// budget is spent) with Confirm and Abort, nothing is created per match,
/// the lobby's status shows the wave, the wave's paced requests stay within
/// the original bot's 80, and Discord never has to answer 429 — whether or
/// not its 2xx responses carry `X-RateLimit-Scope`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_matches_without_429s_with_documented_headers() {
    twenty_match_wave(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_matches_without_429s_when_2xx_carry_scope() {
    twenty_match_wave(true).await;
}

async fn twenty_match_wave(scope_on_success: bool) {
    use std::collections::{BTreeMap, BTreeSet};

    let sim = Simulator::start(SimConfig {
        scope_on_success,
        ..flows()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot(&sim, dir.path(), &clock).await;
    let mut users = Vec::new();
    for i in 0..40 {
        users.push(sign_up(&sim, &letters(i)).await);
    }
    let before = sim.counters();
    clock.advance(45_000);
    running.ladder.tick().await.unwrap();

    // Every player: the card, with Confirm and Abort for its match.
    let mut players_of: BTreeMap<u64, BTreeSet<u64>> = BTreeMap::new();
    for user in &users {
        let card = wait_seen_in(&sim, *user, "Match found", personal).await;
        let ids = custom_ids(&card.message);
        let confirm = ids
            .iter()
            .find(|c| c.starts_with("match:") && c.ends_with(":confirm"))
            .unwrap_or_else(|| panic!("user {user}: no Confirm on the card: {ids:?}"));
        let match_id: u64 = confirm.split(':').nth(1).unwrap().parse().unwrap();
        assert!(
            ids.contains(&format!("match:{match_id}:abort")),
            "user {user}: no Abort on the card: {ids:?}"
        );
        assert!(
            card.message.content.contains(&format!("match #{match_id}")),
            "{}",
            card.message.content
        );
        assert!(
            players_of.entry(match_id).or_default().insert(*user),
            "user {user} got the card twice"
        );
    }
    assert_eq!(players_of.len(), 20, "{players_of:?}");
    assert!(
        players_of.values().all(|p| p.len() == 2),
        "two players a match: {players_of:?}"
    );

    // The lobby: its status message shows the wave.
    let lobby = sim.ids().lobby;
    let announced = bounded(sim.wait_until(|sim| {
        sim.channel_messages(lobby)
            .iter()
            .any(|m| m.content.contains("last wave: 20 match(es) found"))
    }))
    .await;
    assert!(
        announced.is_some(),
        "{:?}",
        sim.channel_messages(lobby)
            .iter()
            .map(|m| &m.content)
            .collect::<Vec<_>>()
    );
    // What the wave cost in paced requests (interaction callbacks and
    // followups aside, which Discord does not count against the global
    // limit): the original bot's 20-match burst took 80.
    let after = sim.counters();
    let paced = crate::support::e2e::paced_between(&before, &after);
    assert!(
        after.keys().all(|route| !route.contains("thread")),
        "nothing created per match: {after:#?}"
    );
    assert!(
        paced <= 80,
        "the wave took {paced} paced requests: {after:#?}"
    );
    eprintln!(
        "20-match wave: {paced} paced requests ({:.1} per match)",
        paced as f64 / 20.0
    );

    let totals = sim.totals();
    assert_eq!(
        totals.rate_limited,
        0,
        "scope_on_success = {scope_on_success}: {:#?}",
        sim.counters()
    );
    eprintln!(
        "20-match wave (scope on 2xx: {scope_on_success}): {} requests, {} 429s",
        totals.requests, totals.rate_limited
    );
    stop(shutdown, task, sim).await;
}

/// `shards = "auto"`: ladderd asks `GET /gateway/bot`, runs the two shards
/// the simulator recommends and, the simulator routing guild events to one
/// shard and DMs to shard 0 as Discord does, answers every interaction once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_shards_run_what_discord_recommends() {
    let sim = Simulator::start(SimConfig {
        recommended_shards: 2,
        max_concurrency: 2,
        ..flows()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let opts = BootOptions {
        discord: "shards = \"auto\"",
        ..BootOptions::default()
    };
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &clock, &opts).await;
    let both = bounded(sim.wait_until(|s| s.gateway().connected() == 2)).await;
    assert!(
        both.is_some(),
        "{} shard(s) connected",
        sim.gateway().connected()
    );
    let asked: u64 = sim
        .counters()
        .iter()
        .filter(|(route, _)| route.ends_with("/gateway/bot"))
        .map(|(_, c)| c.requests)
        .sum();
    assert_eq!(asked, 1, "{:#?}", sim.counters());

    let users = [sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await];
    clock.advance(45_000);
    running.ladder.tick().await.unwrap();
    for user in users {
        wait_seen_in(&sim, user, "Match found", personal).await;
        let rules = sim
            .seen_by(user)
            .iter()
            .filter(|s| s.message.content.contains("Ladder rules"))
            .count();
        assert_eq!(rules, 1, "user {user}: one answer per interaction");
    }
    assert_eq!(sim.totals().rate_limited, 0);
    stop(shutdown, task, sim).await;
}

/// The gateway drops mid-flow; twilight resumes, the simulator replays what
/// was dispatched meanwhile, and ladderd answers every interaction once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_gateway_loses_no_interaction() {
    let sim = Simulator::start(flows()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot(&sim, dir.path(), &clock).await;
    let alpha = sign_up(&sim, "Alpha").await;
    let lobby = sim.ids().lobby;
    let bravo = sim.add_user("Bravo");
    sim.gateway().drop_connections();
    // Dispatched while ladderd is disconnected: buffered for its resume.
    sim.interact(
        bravo,
        lobby,
        &Interact::Slash {
            name: "termsofservice".into(),
            options: vec![],
        },
    )
    .unwrap();
    sim.interact(
        alpha,
        lobby,
        &Interact::Slash {
            name: "leave".into(),
            options: vec![],
        },
    )
    .unwrap();
    wait_seen(&sim, bravo, "Ladder rules").await;
    wait_seen(&sim, alpha, "left the queue").await;
    assert!(
        sim.gateway().stats().resumes >= 1,
        "{:?}",
        sim.gateway().stats()
    );
    // Answered once each, not twice.
    let rules = sim
        .seen_by(bravo)
        .into_iter()
        .filter(|s| s.message.content.contains("Ladder rules"))
        .count();
    assert_eq!(rules, 1);
    drop(running);
    stop(shutdown, task, sim).await;
}

/// A replay posted in the match's DM channel is downloaded, parsed by a
/// worker, verified against the match and completes it by itself. The two
/// virtual players carry the names, races and map of a real corpus replay,
/// and the clock is set to the day it was played.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uploaded_replay_is_verified_and_completes_the_match() {
    let Some(corpus) = crate::replay::corpus() else {
        return;
    };
    let file = "5.0.15.95299-1v1-Terran-vs-Protoss-8db77c3b.SC2Replay";
    let bytes = std::fs::read(corpus.join(file)).unwrap();
    // The game started 2025-11-13T00:52:54Z; the wave before it is 114 s earlier.
    let wave_before_game: i64 = 1_762_995_015_000;
    let sim = Simulator::start(flows()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(wave_before_game);
    let maps = "[ladder]\n[[ladder.maps]]\nname = \"Pylon LE\"\n";
    let (running, shutdown, task) = boot_with(&sim, dir.path(), &clock, maps, true).await;
    let cosmos = sign_up_as(&sim, "COSMOS", "T").await;
    let sefirofe = sign_up_as(&sim, "Sefirofe", "P").await;
    clock.advance(45_000);
    running.ladder.tick().await.unwrap();
    let mut dm_channel = 0;
    for user in [cosmos, sefirofe] {
        let seen = wait_seen_in(&sim, user, "Match found", personal).await;
        if user == cosmos {
            dm_channel = seen.message.channel_id.get();
        }
        let confirm = custom_ids(&seen.message)
            .into_iter()
            .find(|c| c.ends_with(":confirm"))
            .unwrap();
        sim.interact(
            user,
            seen.message.channel_id.get(),
            &Interact::Button {
                custom_id: confirm,
                message: Some(seen.message.id.get()),
            },
        )
        .unwrap();
    }
    wait_seen(&sim, cosmos, "Match confirmed").await;
    // Upload after the game ended (00:52:54 + ~10 min).
    clock.set(1_762_995_174_000 + 3_600_000);
    sim.post(
        cosmos,
        dm_channel,
        "gg",
        vec![(file.into(), bytes.clone().into())],
    )
    .unwrap();
    for user in [cosmos, sefirofe] {
        let ended = wait_seen(&sim, user, "won").await;
        assert!(
            ended.message.content.contains("Rating change"),
            "{}",
            ended.message.content
        );
    }
    // The same file again: refused as already used, the match stays decided.
    sim.post(
        cosmos,
        dm_channel,
        "again",
        vec![(file.into(), bytes.into())],
    )
    .unwrap();
    wait_seen(&sim, cosmos, "already used").await;
    assert_eq!(sim.totals().rate_limited, 0);
    stop(shutdown, task, sim).await;
}
