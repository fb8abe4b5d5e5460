//! #15's recognition end to end: with rank roles configured, a settled
//! match gives each player the role of their rank through the scheduler.

use ladderd::clock::ManualClock;
use ladderd::sim::{Place, Simulator};

use crate::support::e2e::{
    BootOptions, T0, boot_opts, button_ending, cards, click, confirm_both, sign_up, stop,
    wait_seen_in, wave,
};
use crate::support::wait::sim_until;

/// Role ids by rank, S first.
const ROLES: [u64; 7] = [
    900_000_000_000_000_001,
    900_000_000_000_000_002,
    900_000_000_000_000_003,
    900_000_000_000_000_004,
    900_000_000_000_000_005,
    900_000_000_000_000_006,
    900_000_000_000_000_007,
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settled_match_gives_each_player_their_rank_role() {
    let sim = Simulator::start(crate::e2e::flows()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::at(T0);
    let letters = ["S", "A", "B", "C", "D", "E", "F"];
    let table: Vec<String> = letters
        .iter()
        .zip(ROLES)
        .map(|(l, id)| format!("{l} = {id}"))
        .collect();
    let discord = format!("rank_role_ids = {{ {} }}", table.join(", "));
    let opts = BootOptions {
        discord: &discord,
        ..BootOptions::default()
    };
    let (running, shutdown, task) = boot_opts(&sim, dir.path(), &clock, &opts).await;
    let users = [sign_up(&sim, "Alpha").await, sign_up(&sim, "Bravo").await];
    assert!(users.iter().all(|u| sim.member_roles(*u).is_empty()));
    wave(&running, &clock).await;
    let (shown, _) = cards(&sim, &users).await;
    confirm_both(&sim, &users, &shown).await;
    for (user, report) in users.iter().zip(["win", "loss"]) {
        let started = wait_seen_in(&sim, *user, "Match confirmed", |p| *p == Place::Dm).await;
        click(
            &sim,
            *user,
            &started,
            &button_ending(&started, &format!(":report:{report}")),
        );
    }
    sim_until(&sim, "both players' rank roles", |sim| {
        users.iter().all(|u| sim.member_roles(*u).len() == 1)
    })
    .await;
    let rank_of = |user: u64| {
        let role = sim.member_roles(user)[0];
        ROLES.iter().position(|r| *r == role).expect("a rank role")
    };
    assert!(
        rank_of(users[0]) <= rank_of(users[1]),
        "the winner's rank is at least the loser's"
    );
    let puts = sim
        .requests()
        .iter()
        .filter(|r| r.path.contains("/roles/"))
        .count();
    assert_eq!(puts, 2, "one role each, nothing taken that was not given");
    stop(shutdown, task, sim).await;
}
