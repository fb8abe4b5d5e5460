//! The fixture of the end-to-end tests: the real supervisor with the real
//! twilight clients against a simulator the test started (with the
//! `SimConfig` it chose), in this process ([`boot_opts`]) or as a
//! `ladderd run` child ([`config_text`] and `support::process::Ladderd`);
//! virtual users signing up and clicking, and waiting on what they have
//! seen (state, not time: every wait is bounded by `support::wait::WAIT`).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ladderd::clock::ManualClock;
use ladderd::config::Config;
use ladderd::sim::{Interact, ModalField, OptionValue, Place, Seen, Simulator};
use ladderd::supervisor::{self, Environment, Running};
use tokio_util::sync::CancellationToken;

/// A multiple of the default 45 s wave interval.
pub const T0: i64 = 45_000 * 40_000_000;

use crate::support::wait::{bounded, sim_until, within};

pub type Booted = (
    Running,
    CancellationToken,
    tokio::task::JoinHandle<Result<(), supervisor::SupervisorError>>,
);

pub async fn boot(sim: &Simulator, dir: &Path, clock: &ManualClock) -> Booted {
    boot_with(sim, dir, clock, "", false).await
}

/// Boots the supervisor against `sim`; `extra` is appended to the config,
/// `workers` starts the replay pool (one worker, the built binary).
pub async fn boot_with(
    sim: &Simulator,
    dir: &Path,
    clock: &ManualClock,
    extra: &str,
    workers: bool,
) -> Booted {
    boot_opts(
        sim,
        dir,
        clock,
        &BootOptions {
            extra,
            workers,
            ..BootOptions::default()
        },
    )
    .await
}

/// What a test adds to the standard config.
#[derive(Debug, Default, Clone, Copy)]
pub struct BootOptions<'a> {
    /// Lines inside `[discord]` (e.g. `admin_user_ids = [..]`).
    pub discord: &'a str,
    /// Lines inside `[replay]` (e.g. `max_upload_bytes = ..`).
    pub replay: &'a str,
    /// Appended after everything (whole sections such as `[ladder]`).
    pub extra: &'a str,
    /// Lines inside `[ops]` (e.g. `metrics_listen = ..`).
    pub ops: &'a str,
    /// Start the replay pool (one worker, the built binary).
    pub workers: bool,
}

/// The standard test config for `sim`, state under `dir` (the database at
/// `dir/ladder.db` once the text is saved as `dir/ladderd.toml`), with what
/// `opts` adds; `child` also points `[discord]` at the simulator, which a
/// `ladderd run` child needs (an in-process supervisor gets it from its
/// `Environment`).
pub fn config_text(sim: &Simulator, dir: &Path, opts: &BootOptions<'_>, child: bool) -> String {
    let ids = sim.ids();
    let endpoints = if child {
        format!(
            "api_proxy = \"{}\"\ngateway_url = \"{}\"\n",
            sim.http_addr(),
            sim.gateway_url()
        )
    } else {
        String::new()
    };
    format!(
        "[store]\npath = \"ladder.db\"\nsynchronous = \"normal\"\n\
         [discord]\nguild_id = {}\nlobby_channel_id = {}\n{endpoints}{}\n\
         [ops]\nhealth_log_interval_s = 0\n{}\n\
         [replay]\nworkers = 1\nruntime_dir = {:?}\n{}\n{}",
        ids.guild,
        ids.lobby,
        opts.discord,
        opts.ops,
        dir.join("run"),
        opts.replay,
        opts.extra,
    )
}

pub async fn boot_opts(
    sim: &Simulator,
    dir: &Path,
    clock: &ManualClock,
    opts: &BootOptions<'_>,
) -> Booted {
    let text = config_text(sim, dir, opts, false);
    let config = Config::from_toml(&dir.join("ladderd.toml"), &text).unwrap();
    let env = Environment {
        clock: Arc::new(clock.clone()),
        seed: Some(3),
        tick_every: Duration::from_secs(3600),
        discord: Some(sim.discord_runtime()),
        worker_exe: opts.workers.then(crate::support::ladderd_bin),
        ..Environment::default()
    };
    let shutdown = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(supervisor::run(config, env, shutdown.clone(), move |r| {
        let _ = tx.send(r);
    }));
    let running = within("the supervisor to start", rx)
        .await
        .expect("the supervisor reports its start");
    (running, shutdown, task)
}

/// Stops the supervisor (it must exit cleanly), then the simulator.
pub async fn stop(
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), supervisor::SupervisorError>>,
    sim: Simulator,
) {
    shutdown.cancel();
    within("the supervisor to stop", task)
        .await
        .unwrap()
        .unwrap();
    sim.shutdown().await;
}

/// Requests between two counter readings on the routes ladderd paces:
/// interaction callbacks and followups aside (Discord exempts them from the
/// global limit).
pub fn paced_between(
    before: &std::collections::BTreeMap<String, ladderd::sim::RouteCounters>,
    after: &std::collections::BTreeMap<String, ladderd::sim::RouteCounters>,
) -> u64 {
    after
        .iter()
        .filter(|(route, _)| !route.contains("interactions/") && !route.contains("webhooks/"))
        .map(|(route, c)| c.requests - before.get(route).map_or(0, |b| b.requests))
        .sum()
}

/// A place only that player sees: their DMs, or an ephemeral message on
/// their own interaction (where ladderd reaches a player it cannot DM now).
pub fn personal(place: &Place) -> bool {
    matches!(place, Place::Dm | Place::Ephemeral)
}

/// Waits until `user` has seen a message whose content contains `needle`
/// (in their DMs, threads or as a reply only they see: the lobby is everyone's).
pub async fn wait_seen(sim: &Simulator, user: u64, needle: &str) -> Seen {
    wait_seen_in(sim, user, needle, |p| *p != Place::Lobby).await
}

pub async fn wait_seen_in(
    sim: &Simulator,
    user: u64,
    needle: &str,
    place: impl Fn(&Place) -> bool,
) -> Seen {
    wait_seen_where(sim, user, |s| {
        place(&s.place) && s.message.content.contains(needle)
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "user {user} never saw {needle:?}; saw {:#?}",
            sim.seen_by(user)
                .iter()
                .map(|s| (&s.place, &s.message.content))
                .collect::<Vec<_>>()
        )
    })
}

/// The first message `user` has seen that satisfies `pred`, waiting for it
/// (re-checked after every request the simulator answers); `None` after [`crate::support::wait::WAIT`].
pub async fn wait_seen_where(
    sim: &Simulator,
    user: u64,
    pred: impl Fn(&Seen) -> bool,
) -> Option<Seen> {
    let find = |sim: &Simulator| sim.seen_by(user).into_iter().find(|s| pred(s));
    bounded(sim.wait_until(|sim| find(sim).is_some()))
        .await
        .and_then(|()| find(sim))
}

/// How many messages `user` has seen containing `needle` (anywhere but the lobby).
pub fn seen_count(sim: &Simulator, user: u64, needle: &str) -> usize {
    sim.seen_by(user)
        .iter()
        .filter(|s| s.place != Place::Lobby && s.message.content.contains(needle))
        .count()
}

/// Waits until `user` has seen `n` messages containing `needle`.
pub async fn wait_seen_n(sim: &Simulator, user: u64, needle: &str, n: usize) {
    let done = bounded(sim.wait_until(|sim| seen_count(sim, user, needle) >= n)).await;
    assert!(
        done.is_some(),
        "user {user} saw {needle:?} {} times, not {n}",
        seen_count(sim, user, needle)
    );
}

pub fn custom_ids(message: &twilight_model::channel::Message) -> Vec<String> {
    use twilight_model::channel::message::component::Component;
    let mut out = Vec::new();
    for c in &message.components {
        if let Component::ActionRow(row) = c {
            for inner in &row.components {
                if let Component::Button(b) = inner
                    && let Some(id) = &b.custom_id
                {
                    out.push(id.clone());
                }
            }
        }
    }
    out
}

/// One virtual user through terms, setup and the queue (race T), waiting
/// for each reply before the next step, as a person would.
pub async fn sign_up(sim: &Simulator, name: &str) -> u64 {
    sign_up_as(sim, name, "T").await
}

pub async fn sign_up_as(sim: &Simulator, name: &str, race: &str) -> u64 {
    let lobby = sim.ids().lobby;
    let user = sim.add_user(name);
    sim.interact(
        user,
        lobby,
        &Interact::Slash {
            name: "termsofservice".into(),
            options: vec![],
        },
    )
    .unwrap();
    wait_seen(sim, user, "Ladder rules").await;
    sim.interact(
        user,
        lobby,
        &Interact::Button {
            custom_id: "tos:accept".into(),
            message: None,
        },
    )
    .unwrap();
    wait_seen(sim, user, "terms accepted").await;
    let field = |id: &str, v: &str| ModalField {
        custom_id: id.into(),
        value: v.into(),
    };
    sim.interact(
        user,
        lobby,
        &Interact::Modal {
            custom_id: "setup".into(),
            fields: vec![
                field("ingame_name", name),
                field("battletag", &format!("{name}#1234")),
                field("alt_names", ""),
                field("country", "DE"),
                field("region", "EU"),
            ],
        },
    )
    .unwrap();
    sim.interact(
        user,
        lobby,
        &Interact::Slash {
            name: "queue".into(),
            options: vec![("race".into(), race.into())],
        },
    )
    .unwrap();
    wait_seen(sim, user, "you are in the queue").await;
    user
}

/// Letters-only in-game names: "Paaa", "Paab", …
pub fn letters(i: usize) -> String {
    let (a, b, c) = (i / 676 % 26, i / 26 % 26, i % 26);
    format!(
        "P{}{}{}",
        (b'a' + a as u8) as char,
        (b'a' + b as u8) as char,
        (b'a' + c as u8) as char
    )
}

/// Clicks `custom_id` on `seen` (a message `user` was shown).
pub fn click(sim: &Simulator, user: u64, seen: &Seen, custom_id: &str) {
    sim.interact(
        user,
        seen.message.channel_id.get(),
        &Interact::Button {
            custom_id: custom_id.to_owned(),
            message: Some(seen.message.id.get()),
        },
    )
    .unwrap();
}

/// The button on `seen` whose custom_id ends with `suffix`.
pub fn button_ending(seen: &Seen, suffix: &str) -> String {
    custom_ids(&seen.message)
        .into_iter()
        .find(|c| c.ends_with(suffix))
        .unwrap_or_else(|| {
            panic!(
                "no {suffix:?} button on {:?}: {:?}",
                seen.message.content,
                custom_ids(&seen.message)
            )
        })
}

/// Runs the wave: advances the clock one wave interval and ticks.
pub async fn wave(running: &Running, clock: &ManualClock) {
    clock.advance(45_000);
    running.ladder.tick().await.unwrap();
}

/// Each user's match card (by DM), and the match id they share.
pub async fn cards(sim: &Simulator, users: &[u64]) -> (Vec<Seen>, u64) {
    let mut out = Vec::new();
    for user in users {
        out.push(wait_seen_in(sim, *user, "Match found", personal).await);
    }
    let id = button_ending(&out[0], ":confirm")
        .split(':')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .expect("a match custom_id is match:<id>:confirm");
    (out, id)
}

/// Both players press Confirm on their DM card; waits for "Match confirmed".
pub async fn confirm_both(sim: &Simulator, users: &[u64], cards: &[Seen]) {
    for (user, card) in users.iter().zip(cards) {
        click(sim, *user, card, &button_ending(card, ":confirm"));
    }
    for user in users {
        wait_seen(sim, *user, "Match confirmed").await;
    }
}

/// Sends `what` as `user` in `channel` and waits for ladderd's reply to
/// that very interaction, as `user` sees it.
pub async fn ask(sim: &Simulator, user: u64, channel: u64, what: &Interact) -> Seen {
    let sent = sim.interact(user, channel, what).unwrap();
    sim_until(sim, &format!("user {user}'s reply to {what:?}"), |sim| {
        sim.reply(&sent).is_some()
    })
    .await;
    let reply = sim.reply(&sent).expect("waited for it above");
    sim.seen_by(user)
        .into_iter()
        .find(|s| s.message.id == reply.id)
        .unwrap_or_else(|| panic!("user {user} cannot see the reply to {what:?}: {reply:?}"))
}

/// `/admin <sub>` by `user` with `options`: returns the reply (a Confirm
/// prompt for an admin command, or a refusal).
pub async fn admin_command(
    sim: &Simulator,
    user: u64,
    sub: &str,
    options: Vec<(&str, OptionValue)>,
) -> Seen {
    let what = Interact::Subcommand {
        name: "admin".into(),
        sub: sub.into(),
        options: options
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v))
            .collect(),
    };
    ask(sim, user, sim.ids().lobby, &what).await
}

/// Presses the button ending in `suffix` on `shown` (a message `user` sees)
/// and returns the reply to that click.
pub async fn press(sim: &Simulator, user: u64, shown: &Seen, suffix: &str) -> Seen {
    let what = Interact::Button {
        custom_id: button_ending(shown, suffix),
        message: Some(shown.message.id.get()),
    };
    ask(sim, user, shown.message.channel_id.get(), &what).await
}

/// The ladder's database, read while it runs (WAL: readers see every commit).
pub fn db(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("ladder.db")).unwrap()
}

/// One value of one row.
pub fn query<T: rusqlite::types::FromSql>(dir: &Path, sql: &str) -> T {
    db(dir)
        .query_row(sql, [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The state of match `id` (`found`, `in_progress`, `completed` …).
pub fn match_state(dir: &Path, id: u64) -> String {
    query(dir, &format!("SELECT state FROM matches WHERE id = {id}"))
}

/// Everything that a refused action must leave alone, as one comparable value:
/// every match row, every rating row, the admin log, the players' states.
pub fn ladder_state(dir: &Path) -> Vec<String> {
    let conn = db(dir);
    let mut out = Vec::new();
    for sql in [
        "SELECT id, state, result, result_source, report1, report2, rating1_change, rating2_change, ended_by FROM matches ORDER BY id",
        "SELECT player_id, race, rating, games, wins, losses, draws FROM ratings ORDER BY player_id, race",
        "SELECT discord_id, state, aborts_left, queue_cooldown_until, banned FROM players ORDER BY discord_id",
        "SELECT id, admin_id, action, target_match_id FROM admin_actions ORDER BY id",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                let mut line = Vec::new();
                for i in 0..n {
                    let v: rusqlite::types::Value = r.get(i)?;
                    line.push(format!("{v:?}"));
                }
                Ok(line.join("|"))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}
