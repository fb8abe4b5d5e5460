//! The bot end to end below Discord: a real ladder loop and store, and a fake
//! API behind the outbound scheduler that records every request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use twilight_http::request::Request;
use twilight_model::id::Id;

use super::bot::Bot;
use super::outbound::{Outbound, OutboundConfig, Reply, Transport};
use super::ratelimit::RateLimitHeaders;
use super::router_tests::interaction;
use crate::clock::ManualClock;
use crate::config::{Config, StoreConfig};
use crate::ladder::Ladder;
use crate::ladder_loop;
use crate::store::Store;

#[derive(Clone, Default)]
struct FakeApi(
    Arc<Mutex<Vec<(String, String, Value)>>>,
    /// When set, thread creation waits for this permit (a slow bucket).
    Option<Arc<tokio::sync::Semaphore>>,
);

impl Transport for FakeApi {
    type Request = Request;
    type Body = Vec<u8>;
    async fn send(&self, request: &Request) -> Result<Reply<Vec<u8>>, String> {
        let body: Value = request
            .body()
            .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
            .unwrap_or(Value::Null);
        let path = request.path().to_owned();
        self.0.lock().unwrap().push((
            request.method().name().to_owned(),
            path.clone(),
            body.clone(),
        ));
        let reply = if path == "users/@me/channels" {
            let user = body["recipient_id"].as_str().unwrap_or("0").to_owned();
            json!({"id": format!("7{user}"), "type": 1})
        } else if path.ends_with("/threads") {
            if let Some(gate) = &self.1 {
                gate.acquire()
                    .await
                    .expect("the gate is never closed")
                    .forget();
            }
            json!({"id": "8000", "type": 12})
        } else {
            json!({})
        };
        Ok(Reply {
            status: 200,
            headers: RateLimitHeaders::default(),
            body: serde_json::to_vec(&reply).unwrap(),
        })
    }
}

struct Harness {
    bot: Arc<Bot<FakeApi>>,
    api: FakeApi,
    live: super::live::LiveDiscord,
    ladder: ladder_loop::LadderHandle,
    /// The bot's "ladderd is stopping" token.
    stopping: CancellationToken,
    _store: Store,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Harness {
        Harness::with_api(FakeApi::default())
    }

    fn with_api(api: FakeApi) -> Harness {
        Harness::build(api, super::bot::DEFER_AFTER)
    }

    fn build(api: FakeApi, defer_after: Duration) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::at(dir.path().join("bot.db"))).unwrap();
        let config = Config::from_toml(
            std::path::Path::new("t.toml"),
            "[discord]\nowner_user_ids = [1]\nadmin_user_ids = [2]\nlobby_channel_id = 555\n",
        )
        .unwrap();
        let t0 = 45_000 * 40_000_000;
        let (ladder, start) = Ladder::new(config.ladder.clone(), 1, t0);
        let (outgoing, _rx) = tokio::sync::mpsc::unbounded_channel();
        let (handle, _task) = ladder_loop::spawn(
            ladder,
            start,
            store.writer(),
            Arc::new(ManualClock::at(t0)),
            Duration::from_secs(3600),
            outgoing,
            ready(),
            CancellationToken::new(),
        );
        let (outbound, _t) = Outbound::spawn(
            api.clone(),
            OutboundConfig::default(),
            CancellationToken::new(),
        );
        let live = super::live::LiveDiscord::new(config.discord.clone());
        let stopping = CancellationToken::new();
        let bot = Bot::new(
            Id::new(901),
            outbound,
            handle.clone(),
            config.discord,
            vec![],
            vec![],
        )
        .with_live_discord(live.clone())
        .with_health(Arc::new(|| "up 5s, store fine".to_owned()))
        .with_stopping(stopping.clone())
        .with_defer_after(defer_after)
        .with_clock(Arc::new(ManualClock::at(t0)));
        let bot = Arc::new(bot);
        Harness {
            bot,
            api,
            live,
            ladder: handle,
            stopping,
            _store: store,
            _dir: dir,
        }
    }

    /// Waits until the fake API has seen `n` requests; returns them.
    async fn requests(&self, n: usize) -> Vec<(String, String, Value)> {
        for _ in 0..500 {
            let seen = self.api.0.lock().unwrap().clone();
            if seen.len() >= n {
                return seen;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "expected {n} requests, saw {:?}",
            self.api.0.lock().unwrap()
        );
    }
}

fn slash(
    user: u64,
    name: &str,
    options: Value,
) -> twilight_model::application::interaction::Interaction {
    interaction(
        2,
        user,
        &[],
        json!({"id": "5", "name": name, "type": 1, "options": options}),
    )
}

fn click(user: u64, custom_id: &str) -> twilight_model::application::interaction::Interaction {
    interaction(
        3,
        user,
        &[],
        json!({"custom_id": custom_id, "component_type": 2, "values": []}),
    )
}

const EPHEMERAL: u64 = 1 << 6;

#[tokio::test]
async fn an_unregistered_player_gets_an_ephemeral_error_callback() {
    let h = Harness::new();
    h.bot
        .on_interaction(&slash(
            10,
            "queue",
            json!([{"name": "race", "type": 3, "value": "T"}]),
        ))
        .await;
    let reqs = h.requests(1).await;
    let (method, path, body) = &reqs[0];
    assert_eq!(method, "POST");
    assert_eq!(path, "interactions/900/secret-token/callback");
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], EPHEMERAL);
    assert!(
        body["data"]["content"]
            .as_str()
            .unwrap()
            .contains("terms of service"),
        "{body}"
    );
}

#[tokio::test]
async fn terms_then_accept_registers_the_player() {
    let h = Harness::new();
    h.bot
        .on_interaction(&slash(10, "termsofservice", json!([])))
        .await;
    let reqs = h.requests(1).await;
    let accept = reqs[0].2["data"]["components"][0]["components"][0]["custom_id"]
        .as_str()
        .unwrap()
        .to_owned();
    h.bot.on_interaction(&click(10, &accept)).await;
    let reqs = h.requests(2).await;
    let content = reqs[1].2["data"]["content"].as_str().unwrap();
    assert!(!content.starts_with('❌'), "{content}");
    // Now /leave says "not in the queue" rather than "accept the terms".
    h.bot.on_interaction(&slash(10, "leave", json!([]))).await;
    let reqs = h.requests(3).await;
    let content = reqs[2].2["data"]["content"].as_str().unwrap();
    assert!(content.contains("not in the queue"), "{content}");
}

#[tokio::test]
async fn setup_opens_a_modal() {
    let h = Harness::new();
    h.bot.on_interaction(&slash(10, "setup", json!([]))).await;
    let reqs = h.requests(1).await;
    assert_eq!(reqs[0].2["type"], 9);
    assert_eq!(reqs[0].2["data"]["custom_id"], "setup");
    assert_eq!(reqs[0].2["data"]["components"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn admin_commands_run_only_when_their_caller_confirms() {
    let h = Harness::new();
    h.bot
        .on_interaction(&slash(
            2,
            "admin",
            json!([{"name": "clearqueue", "type": 1, "options": [
            {"name": "reason", "type": 3, "value": "maintenance"}]}]),
        ))
        .await;
    let reqs = h.requests(1).await;
    // The prompt says what will happen, in words, only to the caller.
    assert_eq!(
        reqs[0].2["data"]["content"],
        "Remove everyone from the queue?\nReason: maintenance"
    );
    assert_eq!(reqs[0].2["data"]["flags"], 64, "ephemeral");
    let buttons = &reqs[0].2["data"]["components"][0]["components"];
    assert_eq!(buttons[0]["label"], "Confirm");
    assert_eq!(buttons[1]["label"], "Cancel");
    let confirm = buttons[0]["custom_id"].as_str().unwrap().to_owned();
    // Someone else presses Confirm: refused, nothing runs.
    h.bot.on_interaction(&click(3, &confirm)).await;
    let reqs = h.requests(2).await;
    assert!(
        reqs[1].2["data"]["content"]
            .as_str()
            .unwrap()
            .contains("only the admin who asked")
    );
    // The caller confirms: it runs (and the nonce is spent).
    h.bot.on_interaction(&click(2, &confirm)).await;
    let reqs = h.requests(3).await;
    let content = reqs[2].2["data"]["content"].as_str().unwrap();
    assert!(!content.starts_with('❌'), "{content}");
    h.bot.on_interaction(&click(2, &confirm)).await;
    let reqs = h.requests(4).await;
    assert!(
        reqs[3].2["data"]["content"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn a_grant_by_a_non_owner_is_refused_without_a_prompt() {
    let h = Harness::new();
    // User 2 is a configured admin, not an owner.
    h.bot
        .on_interaction(&slash(
            2,
            "admin",
            json!([{"name": "grant", "type": 1, "options": [
                {"name": "player", "type": 6, "value": "5"},
                {"name": "reason", "type": 3, "value": "helps"}]}]),
        ))
        .await;
    let reqs = h.requests(1).await;
    let data = &reqs[0].2["data"];
    let content = data["content"].as_str().unwrap();
    assert!(content.starts_with('❌'), "{content}");
    assert!(content.contains("only an owner"), "{content}");
    assert!(
        data["components"].as_array().is_none_or(|c| c.is_empty()),
        "no Confirm button: {data}"
    );
}

#[tokio::test]
async fn direct_messages_open_a_dm_channel_once() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    for text in ["one", "two"] {
        h.bot
            .deliver(Message {
                to: Audience::Dm(42),
                outbox: None,
                body: Notice::Info(text.into()),
            })
            .await;
    }
    h.bot
        .deliver(Message {
            to: Audience::Lobby,
            outbox: None,
            body: Notice::Info("lobby".into()),
        })
        .await;
    let reqs = h.requests(4).await;
    let paths: Vec<&str> = reqs.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(
        paths.iter().filter(|p| **p == "users/@me/channels").count(),
        1,
        "{paths:?}"
    );
    assert_eq!(
        paths
            .iter()
            .filter(|p| **p == "channels/742/messages")
            .count(),
        2,
        "{paths:?}"
    );
    assert!(paths.contains(&"channels/555/messages"), "{paths:?}");
}

#[tokio::test]
async fn outbox_messages_are_created_once_by_nonce_and_others_are_not() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    h.bot
        .deliver(Message {
            to: Audience::Lobby,
            outbox: Some(77),
            body: Notice::Info("owed".into()),
        })
        .await;
    h.bot
        .deliver(Message {
            to: Audience::Lobby,
            outbox: None,
            body: Notice::Info("chatter".into()),
        })
        .await;
    let reqs = h.requests(2).await;
    let body = |text: &str| {
        reqs.iter()
            .find(|r| r.2["content"].as_str().is_some_and(|c| c.contains(text)))
            .map(|r| r.2.clone())
            .unwrap_or_else(|| panic!("no message {text:?} in {reqs:?}"))
    };
    let owed = body("owed");
    // The outbox id is the nonce, and Discord must enforce it: a resend
    // after a crash is answered with the message already created.
    assert_eq!(owed["nonce"].to_string().trim_matches('"'), "77", "{owed}");
    assert_eq!(owed["enforce_nonce"], Value::Bool(true), "{owed}");
    let chatter = body("chatter");
    assert!(chatter.get("nonce").is_none(), "{chatter}");
}

#[tokio::test]
async fn admin_health_answers_admins_only() {
    let h = Harness::new();
    let health = json!([{"name": "health", "type": 1, "options": []}]);
    h.bot
        .on_interaction(&slash(3, "admin", health.clone()))
        .await;
    h.bot.on_interaction(&slash(2, "admin", health)).await;
    let reqs = h.requests(2).await;
    let contents: Vec<&str> = reqs
        .iter()
        .map(|r| r.2["data"]["content"].as_str().unwrap())
        .collect();
    assert!(
        contents.iter().any(|c| c.contains("needs a ladder admin")),
        "{contents:?}"
    );
    assert!(
        contents.iter().any(|c| c.contains("up 5s, store fine")),
        "{contents:?}"
    );
    assert!(reqs.iter().all(|r| r.2["data"]["flags"] == EPHEMERAL));
}

fn card(match_id: u64, players: [u64; 2]) -> crate::ladder::MatchCard {
    let side = |player_id: u64| crate::ladder::CardSide {
        player_id,
        ingame_name: format!("P{player_id}"),
        battletag: format!("P{player_id}#1"),
        alt_names: vec![],
        country: "DE".into(),
        race: "T".into(),
        rating: 1500.0,
        deviation: 350.0,
        provisional: true,
    };
    crate::ladder::MatchCard {
        match_id,
        sides: [side(players[0]), side(players[1])],
        map: crate::config::MapInfo {
            name: "Pylon LE".into(),
            replay_name: "Pylon LE".into(),
            link: None,
            author: None,
        },
        all_maps_vetoed: false,
        server: "Europe".into(),
        win_probability: 0.5,
        lobby_settings: vec![],
        created_at: 0,
        confirm_by: 0,
    }
}

/// Thread creation waits on the lobby's bucket; the players' DM cards must
/// not wait with it. Thread messages follow the thread's creation, and the
/// thread is archived after the result is posted.
#[tokio::test]
async fn cards_reach_dms_while_the_thread_is_still_being_created() {
    use crate::ladder::{Audience, Message, Notice};
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let h = Harness::with_api(FakeApi(Arc::default(), Some(gate.clone())));
    let _lane = h.bot.start_thread_lane();
    let card = card(5, [41, 42]);
    for p in [41, 42] {
        h.bot
            .deliver(Message {
                to: Audience::Dm(p),
                outbox: None,
                body: Notice::MatchFound(Box::new(card.clone())),
            })
            .await;
    }
    // Thread news arrives before the thread exists.
    h.bot
        .deliver(Message {
            to: Audience::MatchThread(5),
            outbox: None,
            body: Notice::Info("news".into()),
        })
        .await;
    // Both DM cards go out while thread creation is held.
    let paths = |h: &Harness| -> Vec<String> {
        h.api
            .0
            .lock()
            .unwrap()
            .iter()
            .map(|r| r.1.clone())
            .collect()
    };
    let mut seen = Vec::new();
    for _ in 0..500 {
        seen = paths(&h);
        if seen.iter().any(|p| p == "channels/741/messages")
            && seen.iter().any(|p| p == "channels/742/messages")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        seen.iter().any(|p| p == "channels/741/messages")
            && seen.iter().any(|p| p == "channels/742/messages"),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|p| p.starts_with("channels/8000")),
        "nothing goes to the thread before it exists: {seen:?}"
    );
    gate.add_permits(1);
    // Two members, the card and the news, in the thread.
    for _ in 0..500 {
        seen = paths(&h);
        if seen
            .iter()
            .filter(|p| p.starts_with("channels/8000/"))
            .count()
            >= 4
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let thread_posts = h
        .api
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.1 == "channels/8000/messages")
        .map(|r| r.2["content"].as_str().unwrap_or("").to_owned())
        .collect::<Vec<_>>();
    assert_eq!(thread_posts.len(), 2, "{thread_posts:?}");
    assert!(thread_posts[1].contains("news"), "{thread_posts:?}");
    assert_eq!(
        seen.iter()
            .filter(|p| p.starts_with("channels/8000/thread-members/"))
            .count(),
        2,
        "{seen:?}"
    );
    assert_eq!(seen.iter().filter(|p| p.ends_with("/threads")).count(), 1);
    // The result: posted, then the thread archived.
    h.bot
        .deliver(Message {
            to: Audience::MatchThread(5),
            outbox: None,
            body: Notice::MatchEnded {
                match_id: 5,
                state: crate::store::rows::MatchState::Aborted,
                result: None,
                rating_changes: None,
                detail: "aborted".into(),
            },
        })
        .await;
    let mut archive = None;
    for _ in 0..500 {
        archive = h
            .api
            .0
            .lock()
            .unwrap()
            .iter()
            .position(|r| r.0 == "PATCH" && r.1 == "channels/8000");
        if archive.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let reqs = h.api.0.lock().unwrap().clone();
    let archive = archive.expect("the thread is archived");
    assert_eq!(reqs[archive].2["archived"], true);
    let last_post = reqs
        .iter()
        .rposition(|r| r.1 == "channels/8000/messages")
        .unwrap();
    assert!(last_post < archive, "archived only after the result");
}

/// After a restart the bot knows open matches' threads and cards again.
#[tokio::test]
async fn restored_matches_keep_their_thread() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    h.bot.restore(super::bot::Restored {
        open: vec![(card(9, [51, 52]), Some(8100))],
        finished_threads: vec![],
    });
    h.bot
        .deliver(Message {
            to: Audience::MatchThread(9),
            outbox: None,
            body: Notice::Info("after restart".into()),
        })
        .await;
    let reqs = h.requests(1).await;
    assert_eq!(reqs[0].1, "channels/8100/messages", "{reqs:?}");
}

#[tokio::test]
async fn a_reloaded_admin_list_applies_to_the_next_interaction() {
    let h = Harness::new();
    let health = json!([{"name": "health", "type": 1, "options": []}]);
    h.bot
        .on_interaction(&slash(3, "admin", health.clone()))
        .await;
    let reqs = h.requests(1).await;
    assert!(
        reqs[0].2["data"]["content"]
            .as_str()
            .unwrap()
            .contains("needs a ladder admin"),
        "{reqs:?}"
    );
    // What the supervisor does on reload: user 3 becomes an admin, 2 is not one.
    let next = Config::from_toml(
        std::path::Path::new("t.toml"),
        "[discord]\nowner_user_ids = [1]\nadmin_user_ids = [3]\nlobby_channel_id = 555\n",
    )
    .unwrap();
    h.live.set(next.discord);
    let content = |reqs: &[(String, String, Value)], i: usize| -> String {
        reqs[i].2["data"]["content"].as_str().unwrap().to_owned()
    };
    h.bot
        .on_interaction(&slash(3, "admin", health.clone()))
        .await;
    let reqs = h.requests(2).await;
    assert!(content(&reqs, 1).contains("up 5s, store fine"), "{reqs:?}");
    h.bot.on_interaction(&slash(2, "admin", health)).await;
    let reqs = h.requests(3).await;
    assert!(
        content(&reqs, 2).contains("needs a ladder admin"),
        "{reqs:?}"
    );
}

#[tokio::test]
async fn an_admin_removed_by_a_reload_cannot_confirm_what_they_asked_before() {
    let h = Harness::new();
    h.bot
        .on_interaction(&slash(
            2,
            "admin",
            json!([{"name": "clearqueue", "type": 1, "options": [
            {"name": "reason", "type": 3, "value": "maintenance"}]}]),
        ))
        .await;
    let reqs = h.requests(1).await;
    let buttons = &reqs[0].2["data"]["components"][0]["components"];
    let confirm = buttons[0]["custom_id"].as_str().unwrap().to_owned();
    let next = Config::from_toml(
        std::path::Path::new("t.toml"),
        "[discord]\nowner_user_ids = [1]\nlobby_channel_id = 555\n",
    )
    .unwrap();
    h.live.set(next.discord);
    h.bot.on_interaction(&click(2, &confirm)).await;
    let reqs = h.requests(2).await;
    let content = reqs[1].2["data"]["content"].as_str().unwrap();
    assert!(content.contains("needs a ladder admin"), "{content}");
}

#[tokio::test]
async fn interactions_while_stopping_are_answered_restarting_and_not_applied() {
    let h = Harness::new();
    h.stopping.cancel();
    // A ladder command (accept the terms) and one answered by the bot itself.
    h.bot.accept(click(10, "tos:accept")).await;
    h.bot.accept(slash(10, "setup", json!([]))).await;
    let reqs = h.requests(2).await;
    for (method, path, body) in &reqs {
        assert_eq!(
            (method.as_str(), path.as_str()),
            ("POST", "interactions/900/secret-token/callback")
        );
        assert_eq!(body["type"], 4, "a message, not the setup modal: {body}");
        assert_eq!(body["data"]["flags"], EPHEMERAL);
        assert_eq!(body["data"]["content"], super::bot::RESTARTING);
    }
    // The ladder (still running here) never saw the first: a later command
    // is committed, the click before it is not.
    h.ladder
        .command(
            crate::ladder::Actor::player(11),
            crate::ladder::Command::AcceptTos {
                discord_name: "eleven".into(),
            },
        )
        .await
        .unwrap();
    let db = h._dir.path().join("bot.db");
    let players: Vec<i64> = rusqlite::Connection::open(&db)
        .unwrap()
        .prepare("SELECT discord_id FROM players ORDER BY discord_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(players, vec![11]);
    assert_eq!(h.requests(2).await.len(), 2, "nothing else was sent");
}

/// An answer slower than the deferral threshold: "thinking…" first (an
/// ephemeral deferred callback), then the answer as an ephemeral followup —
/// only after the deferral went through.
#[tokio::test]
async fn a_slow_answer_is_deferred_then_sent_as_a_followup() {
    // A zero threshold: every ladder answer counts as slow.
    let h = Harness::build(FakeApi::default(), Duration::ZERO);
    h.bot.accept(click(10, "tos:accept")).await;
    let reqs = h.requests(2).await;
    assert_eq!(reqs[0].1, "interactions/900/secret-token/callback");
    assert_eq!(reqs[0].2["type"], 5, "{:?}", reqs[0]);
    assert_eq!(reqs[0].2["data"]["flags"], EPHEMERAL);
    assert_eq!(reqs[1].0, "POST");
    assert!(
        reqs[1].1.starts_with("webhooks/901/secret-token"),
        "{:?}",
        reqs[1]
    );
    assert_eq!(reqs[1].2["flags"], EPHEMERAL);
    let content = reqs[1].2["content"].as_str().unwrap();
    assert!(content.contains("terms accepted"), "{content}");
    assert_eq!(h.requests(2).await.len(), 2, "one deferral, one followup");
}

/// A fast answer is the callback itself, never deferred.
#[tokio::test]
async fn a_fast_answer_is_the_callback_itself() {
    let h = Harness::build(FakeApi::default(), Duration::from_secs(60));
    h.bot.accept(click(10, "tos:accept")).await;
    let reqs = h.requests(1).await;
    assert_eq!(reqs[0].2["type"], 4, "{:?}", reqs[0]);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(h.api.0.lock().unwrap().len(), 1);
}

/// Threads of matches that ended more than the configured days ago are
/// deleted once; younger ones stay; 0 days keeps everything.
#[tokio::test]
async fn old_finished_threads_are_deleted_once() {
    let h = Harness::new();
    let t0: i64 = 45_000 * 40_000_000;
    let day = 86_400_000;
    h.bot.restore(super::bot::Restored {
        open: vec![],
        finished_threads: vec![(3, 8300, t0 - 31 * day), (4, 8400, t0 - 2 * day)],
    });
    assert_eq!(h.bot.sweep_threads(0).await, 0, "0 days keeps threads");
    assert_eq!(h.bot.sweep_threads(30).await, 1);
    let reqs = h.requests(1).await;
    assert_eq!(
        (reqs[0].0.as_str(), reqs[0].1.as_str()),
        ("DELETE", "channels/8300")
    );
    assert_eq!(h.bot.sweep_threads(30).await, 0, "deleted once");
    // The younger one goes once it is old enough.
    assert_eq!(h.bot.sweep_threads(1).await, 1);
    let reqs = h.requests(2).await;
    assert_eq!(reqs[1].1, "channels/8400");
}

/// A reload's new map pool reaches the veto select of the next queue view.
#[tokio::test]
async fn the_veto_select_offers_the_maps_as_reloaded() {
    let h = Harness::new();
    let veto_options = |body: &Value| -> Vec<String> {
        let rows = body["data"]["components"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        rows.iter()
            .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
            .filter(|c| c["custom_id"] == "queue:vetoes")
            .flat_map(|c| c["options"].as_array().cloned().unwrap_or_default())
            .filter_map(|o| o["value"].as_str().map(str::to_owned))
            .collect()
    };
    h.live.set_maps(vec!["Alpha LE".into(), "Beta LE".into()]);
    h.bot.accept(slash(10, "queue", json!([]))).await;
    let reqs = h.requests(1).await;
    assert_eq!(
        veto_options(&reqs[0].2),
        ["Alpha LE", "Beta LE"],
        "{:?}",
        reqs[0]
    );
    h.live.set_maps(vec!["Gamma LE".into()]);
    h.bot.accept(slash(10, "queue", json!([]))).await;
    let reqs = h.requests(2).await;
    assert_eq!(veto_options(&reqs[1].2), ["Gamma LE"], "{:?}", reqs[1]);
}

/// A replay posted while ladderd stops is answered "restarting", not checked;
/// upload tasks are tracked, so `finish` waits for their answer.
#[tokio::test]
async fn an_upload_while_stopping_is_answered_restarting() {
    let h = Harness::new();
    let message: twilight_model::channel::Message = serde_json::from_value(json!({
        "id": "70", "channel_id": "7010", "content": "gg",
        "author": {"id": "10", "username": "ann", "discriminator": "0000", "avatar": null},
        "timestamp": "2026-11-28T10:00:00.000000+00:00", "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [{"id": "71", "filename": "game.SC2Replay", "size": 1000,
                         "url": "http://127.0.0.1:1/game.SC2Replay",
                         "proxy_url": "http://127.0.0.1:1/game.SC2Replay"}],
        "embeds": [], "pinned": false, "type": 0
    }))
    .unwrap();
    h.stopping.cancel();
    h.bot.spawn_on_message(message);
    h.bot.finish().await;
    let reqs = h.requests(1).await;
    assert_eq!(reqs[0].1, "channels/7010/messages", "{reqs:?}");
    assert_eq!(reqs[0].2["content"], super::bot::RESTARTING);
}

/// A gate already open: the test ladder ticks at once.
fn ready() -> CancellationToken {
    let t = CancellationToken::new();
    t.cancel();
    t
}
