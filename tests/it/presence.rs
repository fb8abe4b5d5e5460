//! Presence through the whole supervisor on the simulator (#15 items 1, 2):
//! a `/notifications` ping reaches an idle subscriber where they can be
//! reached now without opening a DM channel; "still searching?" keeps who
//! answers and removes, and tells, who does not.

use ladderd::sim::{Interact, OptionValue, Place, SimConfig, Simulator};

use crate::support::e2e::{
    BootOptions, T0, ask, boot_opts, click, personal, query, sign_up, stop, wait_seen_in,
};
use ladderd::clock::ManualClock;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_is_pinged_and_an_unanswered_searcher_leaves_the_queue() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let (running, shutdown, task) = boot_opts(
        &sim,
        dir.path(),
        &clock,
        &BootOptions {
            extra: "[ladder]\nqueue_expiry_minutes = 2\n",
            ..BootOptions::default()
        },
    )
    .await;
    let lobby = sim.ids().lobby;
    let sub = sign_up(&sim, "Sub").await;
    ask(
        &sim,
        sub,
        lobby,
        &Interact::Slash {
            name: "leave".into(),
            options: vec![],
        },
    )
    .await;
    let reply = ask(
        &sim,
        sub,
        lobby,
        &Interact::SlashTyped {
            name: "notifications".into(),
            options: vec![
                ("on".into(), OptionValue::Boolean(true)),
                ("gap".into(), OptionValue::Integer(15)),
            ],
        },
    )
    .await;
    assert!(
        reply.message.content.contains("notifications are on"),
        "{}",
        reply.message.content
    );
    let pia = sign_up(&sim, "Pia").await;
    let ping = wait_seen_in(&sim, sub, "Someone started searching", personal).await;
    // Sub has no DM channel: the ping rides on their last interaction and
    // took no DM-open slot (cards need those).
    assert_eq!(ping.place, Place::Ephemeral);
    let opens = sim
        .requests()
        .iter()
        .filter(|r| r.route_key == "POST /users/@me/channels")
        .count();
    assert_eq!(opens, 0, "no DM channel opened for a ping");
    assert!(
        !ping.message.content.contains("Pia"),
        "a ping names nobody: {}",
        ping.message.content
    );

    // Two minutes of searching: Pia is asked, answers, stays.
    clock.advance(120_000);
    running.ladder.tick().await.unwrap();
    let asked = wait_seen_in(&sim, pia, "Still searching?", personal).await;
    let stay = crate::support::e2e::button_ending(&asked, "queue:stay");
    click(&sim, pia, &asked, &stay);
    wait_seen_in(&sim, pia, "you stay in the queue", personal).await;
    clock.advance(60_000);
    running.ladder.tick().await.unwrap();
    let state: String = query(
        dir.path(),
        &format!("SELECT state FROM players WHERE discord_id = {pia}"),
    );
    assert_eq!(state, "queueing");
    // Asked again two minutes after the answer; no answer this time.
    clock.advance(60_000);
    running.ladder.tick().await.unwrap();
    crate::support::e2e::wait_seen_n(&sim, pia, "Still searching?", 2).await;
    clock.advance(60_000);
    running.ladder.tick().await.unwrap();
    wait_seen_in(&sim, pia, "You left the queue", personal).await;
    let state: String = query(
        dir.path(),
        &format!("SELECT state FROM players WHERE discord_id = {pia}"),
    );
    assert_eq!(state, "idle");
    stop(shutdown, task, sim).await;
}
