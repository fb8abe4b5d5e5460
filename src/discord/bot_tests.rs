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
struct FakeApi(Arc<Mutex<Vec<(String, String, Value)>>>, Arc<Refusing>);

/// What the fake API refuses, as Discord does.
#[derive(Default)]
struct Refusing {
    /// Users whose DMs are closed: a DM to them is 403 50007.
    closed: Mutex<std::collections::HashSet<u64>>,
    /// Opening a DM channel is 403 40003 (opening DMs too fast).
    dm_opens: std::sync::atomic::AtomicBool,
    /// Every request is answered 503 until then (an outage).
    down_until: Mutex<Option<tokio::time::Instant>>,
    /// The path of each request answered 2xx, and when.
    answered: Mutex<Vec<(String, tokio::time::Instant)>>,
}

impl Transport for FakeApi {
    type Request = Request;
    type Body = Vec<u8>;
    fn error_of(body: &Vec<u8>) -> (Option<u32>, String) {
        super::transport::discord_error(body)
    }
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
        let refused = |code: u32| {
            Ok(Reply {
                status: 403,
                headers: RateLimitHeaders::default(),
                body: serde_json::to_vec(&json!({"code": code, "message": "refused"})).unwrap(),
            })
        };
        if path == "channels/404/messages" {
            return Ok(Reply {
                status: 404,
                headers: RateLimitHeaders::default(),
                body: serde_json::to_vec(&json!({"code": 10003, "message": "Unknown Channel"}))
                    .unwrap(),
            });
        }
        let now = tokio::time::Instant::now();
        if self.1.down_until.lock().unwrap().is_some_and(|t| now < t) {
            return Ok(Reply {
                status: 503,
                headers: RateLimitHeaders::default(),
                body: serde_json::to_vec(&json!({"message": "down", "code": 0})).unwrap(),
            });
        }
        let closed = self.1.closed.lock().unwrap().clone();
        if path == "users/@me/channels" && self.1.dm_opens.load(std::sync::atomic::Ordering::SeqCst)
        {
            return refused(40003);
        }
        if closed
            .iter()
            .any(|u| path == format!("channels/7{u}/messages"))
        {
            return refused(50007);
        }
        let reply = if path == "users/@me/channels" {
            let user = body["recipient_id"].as_str().unwrap_or("0").to_owned();
            json!({"id": format!("7{user}"), "type": 1})
        } else if path.ends_with("/messages") && request.method().name() == "POST" {
            json!({"id": "6000"})
        } else {
            json!({})
        };
        self.1.answered.lock().unwrap().push((path, now));
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
        Harness::build_with(api, defer_after, OutboundConfig::default())
    }

    fn build_with(api: FakeApi, defer_after: Duration, outbound: OutboundConfig) -> Harness {
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
        let (outbound, _t) = Outbound::spawn(api.clone(), outbound, CancellationToken::new());
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
        h.bot.deliver(Message {
            to: Audience::Player(42),
            outbox: None,
            body: Notice::Info(text.into()),
        });
    }
    h.bot.deliver(Message {
        to: Audience::Lobby,
        outbox: None,
        body: Notice::Info("lobby".into()),
    });
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
    h.bot.deliver(Message {
        to: Audience::Lobby,
        outbox: Some(77),
        body: Notice::Info("owed".into()),
    });
    h.bot.deliver(Message {
        to: Audience::Lobby,
        outbox: None,
        body: Notice::Info("chatter".into()),
    });
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

/// A card for a match whose confirm window is still open.
fn open_card(match_id: u64, players: [u64; 2]) -> crate::ladder::MatchCard {
    let mut c = card(match_id, players);
    c.confirm_by = i64::MAX;
    c
}

fn paths(h: &Harness) -> Vec<String> {
    h.api
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.0, r.1))
        .collect()
}

/// Waits (bounded) until `ok` holds for the requests seen so far.
async fn until(h: &Harness, what: &str, ok: impl Fn(&[String]) -> bool) -> Vec<String> {
    for _ in 0..500 {
        let seen = paths(h);
        if ok(&seen) {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{what}: saw {:?}", paths(h));
}

/// A match card goes to each player; nothing is created per match (no
/// thread, no thread members), and a match's end goes on its public record
/// only (here no results channel: it is settled, not sent).
#[tokio::test]
async fn a_card_reaches_each_player_and_creates_nothing_per_match() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    let card = open_card(5, [41, 42]);
    for p in [41, 42] {
        h.bot.deliver(Message {
            to: Audience::Player(p),
            outbox: None,
            body: Notice::MatchFound(Box::new(card.clone())),
        });
    }
    let seen = until(&h, "both cards", |s| {
        s.contains(&"POST channels/741/messages".to_owned())
            && s.contains(&"POST channels/742/messages".to_owned())
    })
    .await;
    assert!(
        !seen.iter().any(|p| p.contains("thread")),
        "no thread for a match: {seen:?}"
    );
    assert_eq!(seen.len(), 4, "two DM opens, two cards: {seen:?}");
}

/// One player's messages arrive in the order the ladder produced them, even
/// when the first has to wait for a DM channel and the rest do not.
#[tokio::test]
async fn a_players_messages_keep_their_order() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    for text in ["first", "second", "third"] {
        h.bot.deliver(Message {
            to: Audience::Player(43),
            outbox: None,
            body: Notice::Info(text.into()),
        });
    }
    h.requests(4).await;
    let texts: Vec<String> = h
        .api
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|r| r.2["content"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(texts, ["first", "second", "third"]);
}

/// Closed DMs (403 50007): the player is marked (persisted, no further DM
/// tried), their message waits until they interact, then arrives as an
/// ephemeral followup on that interaction's token; they are told once how
/// to open their DMs.
#[tokio::test]
async fn closed_dms_fall_back_to_the_players_next_interaction() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    h.api.1.closed.lock().unwrap().insert(44);
    h.bot.deliver(Message {
        to: Audience::Player(44),
        outbox: None,
        body: Notice::Info("one".into()),
    });
    until(&h, "the refused DM", |s| {
        s.contains(&"POST channels/744/messages".to_owned())
    })
    .await;
    h.bot.deliver(Message {
        to: Audience::Player(44),
        outbox: None,
        body: Notice::Info("two".into()),
    });
    // The player uses a command: the answer's token carries what waits.
    h.bot.accept(slash(44, "help", json!([]))).await;
    let seen = until(&h, "two followups and the hint", |s| {
        s.iter()
            .filter(|p| p.starts_with("POST webhooks/901/"))
            .count()
            >= 3
    })
    .await;
    let dms = seen
        .iter()
        .filter(|p| *p == "POST channels/744/messages")
        .count();
    assert_eq!(dms, 1, "one refused DM, no second try: {seen:?}");
    let reqs = h.api.0.lock().unwrap().clone();
    let followups: Vec<&str> = reqs
        .iter()
        .filter(|r| r.1.starts_with("webhooks/901/"))
        .filter_map(|r| r.2["content"].as_str())
        .collect();
    assert!(
        followups.contains(&"one") && followups.contains(&"two"),
        "{followups:?}"
    );
    let one = followups.iter().position(|c| *c == "one").unwrap();
    let two = followups.iter().position(|c| *c == "two").unwrap();
    assert!(one < two, "in order: {followups:?}");
    assert_eq!(
        followups
            .iter()
            .filter(|c| c.contains("Privacy Settings"))
            .count(),
        1,
        "told once how to open DMs: {followups:?}"
    );
    assert!(
        reqs.iter()
            .filter(|r| r.1.starts_with("webhooks/901/"))
            .all(|r| r.2["flags"] == EPHEMERAL),
        "followups are ephemeral"
    );
    // Kept: a restart knows the DMs are closed (and that the hint was given).
    let reach = eventually_reach(&h, 44, |r| r.dms_closed && r.hinted_at.is_some()).await;
    assert_eq!(reach.dm_channel_id, Some(744));
}

/// Reads the stored reach of `player` until `ok` (bounded).
async fn eventually_reach(
    h: &Harness,
    player: u64,
    ok: impl Fn(&crate::store::rows::ReachRow) -> bool,
) -> crate::store::rows::ReachRow {
    for _ in 0..500 {
        let snap = crate::store::load_snapshot(&StoreConfig::at(h._dir.path().join("bot.db")))
            .expect("the store loads");
        if let Some(r) = snap.reach.into_iter().find(|r| r.player_id == player)
            && ok(&r)
        {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("player {player}'s reach never got there");
}

/// A 40003 on one DM open pauses new DM channels for everyone; players
/// with a fresh interaction get their card by followup meanwhile.
#[tokio::test]
async fn a_40003_pauses_dm_opens_for_everyone() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    h.api
        .1
        .dm_opens
        .store(true, std::sync::atomic::Ordering::SeqCst);
    h.bot.deliver(Message {
        to: Audience::Player(45),
        outbox: None,
        body: Notice::Info("for 45".into()),
    });
    until(&h, "the refused open", |s| {
        s.contains(&"POST users/@me/channels".to_owned())
    })
    .await;
    // Player 46 queued a moment ago: their token is fresh.
    h.bot.accept(slash(46, "help", json!([]))).await;
    h.bot.deliver(Message {
        to: Audience::Player(46),
        outbox: None,
        body: Notice::Info("for 46".into()),
    });
    let seen = until(&h, "46's followup", |s| {
        s.iter()
            .filter(|p| p.starts_with("POST webhooks/901/"))
            .count()
            >= 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let opens = paths(&h)
        .iter()
        .filter(|p| *p == "POST users/@me/channels")
        .count();
    assert_eq!(opens, 1, "no DM open after the 40003: {seen:?}");
    assert_eq!(
        h.bot
            .delivery()
            .stats()
            .dm_open_refused
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
}

/// After a restart, the DM channels Discord gave are used as they are:
/// none is opened again.
#[tokio::test]
async fn restored_dm_channels_are_not_opened_again() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    h.bot.restore(super::bot::Restored {
        reach: vec![crate::store::rows::ReachRow {
            player_id: 51,
            dm_channel_id: Some(9051),
            ..Default::default()
        }],
        ..Default::default()
    });
    h.bot.deliver(Message {
        to: Audience::Player(51),
        outbox: None,
        body: Notice::Info("after restart".into()),
    });
    let reqs = h.requests(1).await;
    assert_eq!(reqs[0].1, "channels/9051/messages", "{reqs:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(h.api.0.lock().unwrap().len(), 1);
}

/// After an outage, a message waiting out its delivery backoff goes as soon
/// as Discord answers another DM again, not when its timer ends. The
/// scheduler makes one attempt here, so each 503 reaches delivery at once:
/// its tries come at 0, 2, 6, 14 and 30 s (later with jitter), the next at
/// 62 s or later; Discord is back at 40 s, when another player's DM goes.
#[tokio::test(start_paused = true)]
async fn after_an_outage_a_waiting_message_follows_the_first_success() {
    use crate::ladder::{Audience, Message, Notice};
    let config = OutboundConfig {
        max_attempts: 1,
        ..OutboundConfig::default()
    };
    let h = Harness::build_with(FakeApi::default(), super::bot::DEFER_AFTER, config);
    h.bot.restore(super::bot::Restored {
        reach: [61, 62]
            .map(|p| crate::store::rows::ReachRow {
                player_id: p,
                dm_channel_id: Some(9000 + p),
                ..Default::default()
            })
            .into(),
        ..Default::default()
    });
    let t0 = tokio::time::Instant::now();
    let up = t0 + Duration::from_secs(40);
    *h.api.1.down_until.lock().unwrap() = Some(up);
    let say = |p: u64, text: &str| {
        h.bot.deliver(Message {
            to: Audience::Player(p),
            outbox: None,
            body: Notice::Info(text.into()),
        })
    };
    say(61, "sent during the outage");
    tokio::time::sleep_until(up).await;
    let tries = h.api.0.lock().unwrap().len();
    assert_eq!(tries, 5, "tries during the outage");
    say(62, "sent once Discord is back");
    let delivered = |p: u64| {
        let path = format!("channels/{}/messages", 9000 + p);
        h.api
            .1
            .answered
            .lock()
            .unwrap()
            .iter()
            .find(|(seen, _)| *seen == path)
            .map(|(_, at)| *at)
    };
    let mut waited = 0;
    let at = loop {
        if let (Some(_), Some(at)) = (delivered(62), delivered(61)) {
            break at;
        }
        waited += 1;
        assert!(
            waited < 10_000,
            "not delivered within 100 s of virtual time"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(
        at - up < Duration::from_secs(1),
        "delivered {:?} after Discord was back",
        at - up
    );
}

/// A DM channel deleted on Discord's side (404) is forgotten and a new one
/// opened; the message still arrives.
#[tokio::test]
async fn a_deleted_dm_channel_is_opened_again() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    h.bot.restore(super::bot::Restored {
        reach: vec![crate::store::rows::ReachRow {
            player_id: 52,
            // Channel 404 is the one the fake says is gone (10003).
            dm_channel_id: Some(404),
            ..Default::default()
        }],
        ..Default::default()
    });
    h.bot.deliver(Message {
        to: Audience::Player(52),
        outbox: None,
        body: Notice::Info("still here".into()),
    });
    let seen = until(&h, "a new DM channel", |s| {
        s.contains(&"POST channels/752/messages".to_owned())
    })
    .await;
    assert_eq!(
        seen,
        [
            "POST channels/404/messages",
            "POST users/@me/channels",
            "POST channels/752/messages"
        ]
    );
}

/// The lobby's status is one message, edited in place after each wave.
#[tokio::test]
async fn the_lobby_status_is_edited_in_place() {
    use crate::ladder::{Audience, Message, Notice, QueueView};
    let h = Harness::new();
    for n in [3, 1] {
        h.bot.deliver(Message {
            to: Audience::Lobby,
            outbox: None,
            body: Notice::Wave {
                matches: 1,
                still_queueing: n,
                status: Box::new(QueueView {
                    per_race: vec![("T".into(), n)],
                    per_region: vec![],
                    queueing: n,
                    seconds_to_next_wave: 45,
                    matches_in_progress: 1,
                    active_last_15_min: 4,
                }),
            },
        });
        until(&h, "the status", |s| s.len() >= if n == 3 { 1 } else { 2 }).await;
    }
    let reqs = h.api.0.lock().unwrap().clone();
    assert_eq!(reqs[0].0, "POST");
    assert_eq!(reqs[0].1, "channels/555/messages");
    assert_eq!(
        (reqs[1].0.as_str(), reqs[1].1.as_str()),
        ("PATCH", "channels/555/messages/6000")
    );
    assert!(
        reqs[1].2["content"]
            .as_str()
            .unwrap()
            .contains("1 searching"),
        "{reqs:?}"
    );
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
        finished_threads: vec![(3, 8300, t0 - 31 * day), (4, 8400, t0 - 2 * day)],
        ..Default::default()
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

/// A player's language is kept with their reach, so after a restart the
/// messages that answer no interaction (a card, a DM) still come in it.
#[tokio::test]
async fn a_players_language_is_stored_and_survives_a_restart() {
    use crate::ladder::{Ack, Audience, Message, Notice};
    let h = Harness::new();
    let mut korean = slash(47, "help", json!([]));
    korean.locale = Some("ko".into());
    h.bot.accept(korean).await;
    let reach = eventually_reach(&h, 47, |r| r.locale.as_deref() == Some("ko")).await;
    assert_eq!(h.bot.locale_of(47).code(), "ko");
    // A fresh bot restored from the stored row: nothing seen since.
    let after = Harness::new();
    after.bot.restore(super::bot::Restored {
        reach: vec![crate::store::rows::ReachRow {
            dm_channel_id: Some(9047),
            ..reach
        }],
        ..Default::default()
    });
    after.bot.deliver(Message {
        to: Audience::Player(47),
        outbox: None,
        body: Notice::Ack(Ack::LeftQueue),
    });
    let reqs = after.requests(1).await;
    assert_eq!(reqs[0].1, "channels/9047/messages", "{reqs:?}");
    assert_eq!(reqs[0].2["content"], "큐에서 나왔습니다");
    // Someone never seen reads English.
    assert_eq!(after.bot.locale_of(48), crate::l10n::Locale::ENGLISH);
}

/// The refusals a player meets in normal use (a stale button) come in the
/// interaction's language; an unknown locale gets English.
#[tokio::test]
async fn a_stale_button_is_refused_in_the_players_language() {
    let h = Harness::new();
    let mut korean = click(60, "no-such-button");
    korean.locale = Some("ko".into());
    h.bot.accept(korean).await;
    let reqs = h.requests(1).await;
    assert_eq!(
        reqs[0].2["data"]["content"],
        "❌ 오래된 버튼입니다. 명령을 다시 실행하세요"
    );
    let mut unknown = click(61, "no-such-button");
    unknown.locale = Some("xx-XX".into());
    h.bot.accept(unknown).await;
    let reqs = h.requests(2).await;
    assert_eq!(
        reqs[1].2["data"]["content"],
        format!("❌ {}", super::router::STALE_BUTTON)
    );
}

/// The lobby speaks the server's language (its preferred locale), not a
/// player's.
#[tokio::test]
async fn the_lobby_speaks_the_servers_language() {
    use crate::ladder::{Audience, Message, Notice};
    let h = Harness::new();
    h.bot.saw_guild_locale("de");
    h.bot.deliver(Message {
        to: Audience::Lobby,
        outbox: None,
        body: Notice::Flagged { match_id: 3 },
    });
    let reqs = h.requests(1).await;
    assert_eq!(reqs[0].1, "channels/555/messages", "{reqs:?}");
    let content = reqs[0].2["content"].as_str().unwrap_or_default();
    assert!(
        content.starts_with("🚩 Match #3 ist zu lange offen"),
        "{content}"
    );
}
