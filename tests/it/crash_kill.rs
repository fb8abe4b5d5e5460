//! kill -9 of the real `ladderd run` binary against the simulator, over
//! rounds (20 here; `LADDERD_KILL_ROUNDS` for more): virtual players queue,
//! confirm the cards they see and report, while the process is killed with
//! SIGKILL at a random moment of each round and restarted on the same
//! database. Afterwards (one last start that delivers what is owed):
//! every success reply a player received is in the database; every
//! committed notice reached its player exactly once (the simulator honours
//! `enforce_nonce` as Discord does); nobody was penalised for the downtime;
//! the ladder rebuilt from the database passes its consistency checks.
//! Every wait is bounded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ladderd::sim::{Interact, SimConfig, Simulator};
use rand_chacha::rand_core::{RngCore, SeedableRng};

use crate::support::e2e::{custom_ids, letters, personal, sign_up};

const PLAYERS: usize = 6;
/// Every single wait in this file is bounded by this.
const BOUND: Duration = Duration::from_secs(30);

fn rounds() -> usize {
    std::env::var("LADDERD_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20)
}

struct Child {
    process: tokio::process::Child,
    log: PathBuf,
}

async fn start(sim: &Simulator, config: &Path, dir: &Path, round: usize) -> Child {
    let log = dir.join(format!("ladderd-{round}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let process = tokio::process::Command::new(crate::support::ladderd_bin())
        .arg("--config")
        .arg(config)
        .arg("run")
        .env("DISCORD_TOKEN", &sim.config().token)
        .env_remove("CREDENTIALS_DIRECTORY")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(file)
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let connected = tokio::time::timeout(BOUND, async {
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.contains("connected to Discord") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(
        connected.is_ok(),
        "ladderd did not connect in round {round}:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    Child { process, log }
}

async fn kill(child: &mut Child) {
    child.process.start_kill().unwrap();
    let waited = tokio::time::timeout(BOUND, child.process.wait()).await;
    assert!(waited.is_ok(), "ladderd did not die on SIGKILL");
}

/// What the players were told succeeded: (player, match, what).
type Told = BTreeSet<(u64, u64, String)>;

/// The match id and button of the newest card with a `suffix` button in
/// `user`'s DMs that `done` does not hold yet.
fn next_button(
    sim: &Simulator,
    user: u64,
    suffix: &str,
    done: &Told,
) -> Option<(u64, u64, String)> {
    sim.seen_by(user)
        .into_iter()
        .filter(|s| personal(&s.place))
        .flat_map(|s| {
            custom_ids(&s.message)
                .into_iter()
                .filter(|c| c.ends_with(suffix))
                .map(move |c| (s.message.channel_id.get(), s.message.id.get(), c))
        })
        .filter_map(|(channel, message, c)| {
            let id: u64 = c.split(':').nth(1)?.parse().ok()?;
            Some((channel, message, c, id))
        })
        .filter(|(_, _, c, id)| {
            !done
                .iter()
                .any(|(u, m, w)| *u == user && m == id && c.ends_with(w.as_str()))
        })
        .map(|(channel, message, c, _)| (channel, message, c))
        .next_back()
}

/// One round of play for `secs` seconds: each player confirms a card or
/// reports (player with the lower id wins), and what was answered as a
/// success is remembered.
async fn play(sim: &Arc<Simulator>, users: &[u64], told: &mut Told, for_: Duration) {
    let until = tokio::time::Instant::now() + for_;
    let mut waiting: Vec<(u64, u64, String, ladderd::sim::Dispatched)> = Vec::new();
    while tokio::time::Instant::now() < until {
        for (i, &user) in users.iter().enumerate() {
            if waiting.iter().any(|w| w.0 == user) {
                continue;
            }
            let report = if i % 2 == 0 {
                ":report:win"
            } else {
                ":report:loss"
            };
            for suffix in [":confirm", report] {
                if let Some((channel, message, custom_id)) = next_button(sim, user, suffix, told) {
                    let match_id: u64 = custom_id.split(':').nth(1).unwrap().parse().unwrap();
                    if let Ok(sent) = sim.interact(
                        user,
                        channel,
                        &Interact::Button {
                            custom_id: custom_id.clone(),
                            message: Some(message),
                        },
                    ) {
                        waiting.push((user, match_id, suffix.to_owned(), sent));
                    }
                    break;
                }
            }
        }
        waiting.retain(|(user, match_id, what, sent)| match sim.reply(sent) {
            Some(reply) => {
                let ok = !reply.content.starts_with('❌') && !reply.content.starts_with('⏳');
                if ok {
                    told.insert((*user, *match_id, what.clone()));
                }
                false
            }
            None => true,
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_wave_loses_nothing_told_and_penalises_nobody() {
    let sim = Arc::new(
        Simulator::start(SimConfig {
            callback_deadline: Duration::from_secs(120),
            // Every player accepts DMs: this test checks that each committed
            // notice reaches its player exactly once across kills, which rests
            // on Discord's `enforce_nonce` — offered for channel messages
            // only. A player with closed DMs is reached by interaction
            // followups, which carry no nonce: one sent just before a kill
            // may be shown twice after the restart (see discord/delivery.rs).
            realism: ladderd::sim::Realism {
                closed_dm_share: 0.0,
                ..ladderd::sim::Realism::default()
            },
            ..SimConfig::default()
        })
        .await
        .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let ids = sim.ids();
    let db = dir.path().join("ladder.db");
    let config = dir.path().join("ladderd.toml");
    std::fs::write(
        &config,
        format!(
            "[log]\nlevel = \"info\"\n[store]\npath = {db:?}\nsynchronous = \"normal\"\n\
             [discord]\nguild_id = {}\nlobby_channel_id = {}\napi_proxy = \"{}\"\ngateway_url = \"{}\"\n\
             [ops]\nshutdown_grace_s = 5\n\
             [ladder]\nwave_interval_s = 5\n\
             [replay]\nworkers = 1\nruntime_dir = {:?}\n",
            ids.guild,
            ids.lobby,
            sim.http_addr(),
            sim.gateway_url(),
            dir.path().join("run"),
        ),
    )
    .unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(
        std::env::var("LADDERD_KILL_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(19),
    );
    let mut child = start(&sim, &config, dir.path(), 0).await;
    let mut users = Vec::new();
    for i in 0..PLAYERS {
        users.push(
            tokio::time::timeout(BOUND, sign_up(&sim, &letters(i)))
                .await
                .unwrap(),
        );
    }
    let mut told = Told::new();
    for round in 1..=rounds() {
        let secs = 200 + rng.next_u64() % 2_800;
        play(&sim, &users, &mut told, Duration::from_millis(secs)).await;
        kill(&mut child).await;
        child = start(&sim, &config, dir.path(), round).await;
        // Players who were queueing are told to join again; they do.
        for &user in &users {
            let _ = sim.interact(
                user,
                ids.lobby,
                &Interact::Slash {
                    name: "queue".into(),
                    options: vec![("race".into(), "T".into())],
                },
            );
        }
    }
    // The last run delivers what is owed; then the outbox is empty.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let pending = || -> i64 {
        conn.query_row(
            "SELECT count(*) FROM outbox WHERE delivered_at IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let drained = tokio::time::timeout(BOUND, async {
        while pending() > 0 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    if drained.is_err() {
        let mut stmt = conn
            .prepare("SELECT id, audience, target, body FROM outbox WHERE delivered_at IS NULL")
            .unwrap();
        let rows: Vec<String> = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{} {} {:?} {}",
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, String>(3)?
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        panic!(
            "outbox rows never delivered: {rows:#?}
log:
{}",
            std::fs::read_to_string(&child.log).unwrap_or_default()
        );
    }
    kill(&mut child).await;
    let log = std::fs::read_to_string(&child.log).unwrap_or_default();

    // 1. Every success a player was told is in the database.
    for (user, match_id, what) in &told {
        let (p1, confirmed1, confirmed2, report1, report2): (i64, Option<i64>, Option<i64>, Option<String>, Option<String>) = conn
            .query_row(
                "SELECT player1_id, confirmed1_at, confirmed2_at, report1, report2 FROM matches WHERE id = ?1",
                [*match_id as i64],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap_or_else(|e| panic!("match {match_id} told to {user} is not stored: {e}"));
        let first = p1 as u64 == *user;
        let stored = match what.as_str() {
            ":confirm" => {
                if first {
                    confirmed1.is_some()
                } else {
                    confirmed2.is_some()
                }
            }
            _ => {
                if first {
                    report1.is_some()
                } else {
                    report2.is_some()
                }
            }
        };
        assert!(
            stored,
            "{user} was told {what} on match {match_id} succeeded; the database disagrees"
        );
    }
    // 2. Every committed notice reached its player exactly once: each
    // delivered outbox row's message is in the simulator once, as sent.
    // (Rows for the admin log and the results channel, which this server
    // has not configured, are settled without a message.)
    let mut stmt = conn
        .prepare(
            "SELECT id, message_id FROM outbox WHERE delivery = 'sent' AND audience NOT IN ('admin_log', 'match')",
        )
        .unwrap();
    let sent: Vec<(i64, Option<i64>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!sent.is_empty());
    let mut per_message: BTreeMap<i64, usize> = BTreeMap::new();
    for (_, message) in &sent {
        let message = message.expect("a sent row records Discord's message id");
        *per_message.entry(message).or_default() += 1;
    }
    assert!(
        per_message.values().all(|n| *n == 1),
        "two outbox rows settled as one message: {per_message:?}"
    );
    for &user in &users {
        let mut cards: BTreeMap<u64, usize> = BTreeMap::new();
        for s in sim.seen_by(user) {
            if personal(&s.place) && s.message.content.contains("Match found") {
                for c in custom_ids(&s.message) {
                    if let Some(id) = c
                        .strip_suffix(":confirm")
                        .and_then(|c| c.strip_prefix("match:"))
                    {
                        *cards.entry(id.parse().unwrap()).or_default() += 1;
                    }
                }
            }
        }
        assert!(
            cards.values().all(|n| *n == 1),
            "player {user} saw a card twice: {cards:?}"
        );
    }
    // 3. What Discord gave is kept across kills: no player's DM channel
    // was opened twice (each open counts against Discord's DM anti-spam).
    let opens = sim
        .requests()
        .iter()
        .filter(|r| r.route_key == "POST /users/@me/channels" && r.status == 200)
        .count();
    assert!(
        opens <= users.len(),
        "{opens} DM channels opened for {} players over {} restarts",
        users.len(),
        rounds()
    );
    // 4. Nobody penalised for the downtime: every player confirmed every
    // card they saw within well under the window, so no match was abandoned.
    let abandoned: i64 = conn
        .query_row(
            "SELECT count(*) FROM matches WHERE state = 'abandoned'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let cooled: i64 = conn
        .query_row(
            "SELECT count(*) FROM players WHERE queue_cooldown_until IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        (abandoned, cooled),
        (0, 0),
        "penalised for downtime; last log:\n{log}"
    );
    // 5. The ladder rebuilt from the database is consistent.
    let store_config = ladderd::config::StoreConfig::at(&db);
    let snapshot = ladderd::store::load_snapshot(&store_config).unwrap();
    let matches = snapshot.matches.len();
    let rows = ladderd::ladder::Rows::from(snapshot);
    let config = ladderd::config::Config::load(&config).unwrap();
    let (ladder, _) = ladderd::ladder::Ladder::from_rows(config.ladder, 1, rows, i64::MAX / 4);
    assert_eq!(ladder.check_consistency(), Ok(()));
    assert!(matches > 0, "no match was played");
    assert!(!told.is_empty(), "no player action succeeded");
}
