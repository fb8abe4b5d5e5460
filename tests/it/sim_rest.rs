//! twilight-http and raw HTTP against the simulator's REST: rate-limit
//! headers and 429s, pacing, body validation, interactions, DMs, threads.

use std::collections::HashMap;
use std::time::Duration;

use ladderd::sim::{Interact, Place, RouteLimit, SimConfig, Simulator};
use serde_json::json;
use tokio::task::JoinSet;
use twilight_model::channel::ChannelType;
use twilight_model::channel::message::MessageFlags;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;

use crate::support::sim::{http, raw};

const MESSAGES: &str = "POST /channels/{channel_id}/messages";
const CALLBACK: &str = "POST /interactions/{interaction_id}/{interaction_token}/callback";

fn limited(limit: u16, window_ms: u64, scope_on_success: bool) -> SimConfig {
    let mut route_limits = HashMap::new();
    route_limits.insert(
        MESSAGES.to_owned(),
        RouteLimit::new(limit, Duration::from_millis(window_ms)),
    );
    SimConfig {
        route_limits,
        scope_on_success,
        ..SimConfig::default()
    }
}

async fn burst(
    client: &std::sync::Arc<twilight_http::Client>,
    channels: &[u64],
    per_channel: usize,
) -> usize {
    let mut set = JoinSet::new();
    for &c in channels {
        for i in 0..per_channel {
            let client = client.clone();
            set.spawn(async move {
                client
                    .create_message(Id::new(c))
                    .content(&format!("burst {i}"))
                    .await
                    .is_ok()
            });
        }
    }
    let mut ok = 0;
    while let Some(r) = set.join_next().await {
        ok += usize::from(r.unwrap());
    }
    ok
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilight_paces_a_one_route_burst_without_429s_when_2xx_carry_scope() {
    let sim = Simulator::start(limited(5, 1000, true)).await.unwrap();
    let client = std::sync::Arc::new(http(&sim, true));
    assert_eq!(burst(&client, &[sim.ids().lobby], 15).await, 15);
    let c = sim.counters()[MESSAGES];
    assert_eq!((c.requests, c.ok, c.rate_limited), (15, 15, 0));
    assert_eq!(sim.invalid_requests(), (0, 0));
    assert_eq!(sim.channel_messages(sim.ids().lobby).len(), 15);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilight_paces_a_many_route_burst_without_429s_when_2xx_carry_scope() {
    let sim = Simulator::start(limited(3, 1000, true)).await.unwrap();
    let client = std::sync::Arc::new(http(&sim, true));
    let mut channels = vec![sim.ids().lobby];
    for i in 0..7 {
        let t = client
            .create_thread(
                Id::new(sim.ids().lobby),
                &format!("match {i}"),
                ChannelType::PrivateThread,
            )
            .await
            .unwrap()
            .model()
            .await
            .unwrap();
        channels.push(t.id.get());
    }
    assert_eq!(burst(&client, &channels, 6).await, 48);
    let totals = sim.totals();
    assert_eq!(totals.rate_limited, 0, "{:?}", sim.counters());
    assert_eq!(sim.counters()[MESSAGES].ok, 48);
    sim.shutdown().await;
}

/// Discord documents `X-RateLimit-Scope` on 429s only; twilight-http learns a
/// bucket only from a response carrying it, so with documented headers a
/// compliant twilight client still meets one 429 per exhausted bucket. This
/// is why ladderd paces by the bucket headers itself (`discord::ratelimit`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_documented_headers_twilight_learns_buckets_from_a_429() {
    let sim = Simulator::start(limited(3, 3000, false)).await.unwrap();
    let client = std::sync::Arc::new(http(&sim, true));
    assert_eq!(burst(&client, &[sim.ids().lobby], 6).await, 6);
    let c = sim.counters()[MESSAGES];
    assert_eq!(c.ok, 6);
    assert!(c.rate_limited >= 1, "{c:?}");
    eprintln!(
        "documented headers: 6 requests, limit 3/3s -> {} x 429",
        c.rate_limited
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_its_ratelimiter_twilight_meets_real_429s() {
    let sim = Simulator::start(limited(2, 1000, false)).await.unwrap();
    let client = std::sync::Arc::new(http(&sim, false));
    // twilight retries a 429 at once; every request still lands eventually.
    assert_eq!(burst(&client, &[sim.ids().lobby], 4).await, 4);
    let c = sim.counters()[MESSAGES];
    assert_eq!(c.ok, 4);
    assert!(c.rate_limited > 0, "{c:?}");
    eprintln!(
        "no ratelimiter: 4 requests, limit 2/1s -> {} x 429",
        c.rate_limited
    );
    // Every 429 counts toward Discord's invalid-request ban window.
    assert_eq!(sim.invalid_requests().0, c.rate_limited);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_and_429_bodies_are_discords() {
    let mut config = limited(1, 10_000, false);
    config.global_limit = 3;
    let sim = Simulator::start(config).await.unwrap();
    let addr = sim.http_addr();
    let tok = Some("sim-token");
    let path = format!("/api/v10/channels/{}/messages", sim.ids().lobby);
    let body = Some(r#"{"content":"hi"}"#);

    let ok = raw(addr, "POST", &path, tok, body).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json()["content"], "hi");
    assert_eq!(ok.header("x-ratelimit-limit"), Some("1"));
    assert_eq!(ok.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        ok.header("x-ratelimit-bucket")
            .is_some_and(|b| !b.is_empty())
    );
    let reset_after: f64 = ok
        .header("x-ratelimit-reset-after")
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset_after > 0.0 && reset_after <= 10.0);
    let reset: f64 = ok.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!(reset > 1.7e9);
    assert_eq!(
        ok.header("x-ratelimit-scope"),
        None,
        "documented: scope only on 429"
    );

    let limited = raw(addr, "POST", &path, tok, body).await;
    assert_eq!(limited.status, 429);
    let b = limited.json();
    assert_eq!(b["global"], false);
    assert_eq!(b["message"], "You are being rate limited.");
    let retry = b["retry_after"].as_f64().unwrap();
    assert!(retry > 0.0 && retry <= 10.0);
    assert_eq!(limited.header("x-ratelimit-scope"), Some("user"));
    assert_eq!(limited.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );

    // Two more requests elsewhere use up the global 3/s; the next is global.
    let user = sim.add_user("dora");
    let dm = raw(
        addr,
        "POST",
        "/api/v10/users/@me/channels",
        tok,
        Some(&json!({"recipient_id": user.to_string()}).to_string()),
    )
    .await;
    assert_eq!(dm.status, 200, "{:?}", dm.json());
    let me = raw(addr, "GET", "/api/v10/users/@me", tok, None).await;
    assert_eq!(me.status, 200);
    let global = raw(addr, "GET", "/api/v10/gateway/bot", tok, None).await;
    if global.status == 429 {
        assert_eq!(global.json()["global"], true);
        assert_eq!(global.header("x-ratelimit-global"), Some("true"));
        assert_eq!(global.header("x-ratelimit-scope"), Some("global"));
        assert!(global.header("retry-after").is_some());
    } else {
        // The one-second window rolled over between requests (slow machine).
        assert_eq!(global.status, 200);
    }
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interaction_callbacks_are_exempt_from_the_global_limit() {
    let config = SimConfig {
        global_limit: 1,
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let user = sim.add_user("eve");
    let addr = sim.http_addr();
    let mut refused_globally = 0;
    for _ in 0..3 {
        refused_globally += u32::from(
            raw(addr, "GET", "/api/v10/users/@me", Some("sim-token"), None)
                .await
                .status
                == 429,
        );
    }
    assert!(refused_globally >= 1);
    for _ in 0..5 {
        let i = sim
            .interact(
                user,
                sim.ids().lobby,
                &Interact::Button {
                    custom_id: "join".into(),
                    message: None,
                },
            )
            .unwrap();
        let path = format!("/api/v10/interactions/{}/{}/callback", i.id, i.token);
        let r = raw(addr, "POST", &path, None, Some(r#"{"type":6}"#)).await;
        assert_eq!(r.status, 204);
    }
    assert_eq!(sim.counters()[CALLBACK].ok, 5);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_discord_would_refuse_get_400_with_discords_error_json() {
    let config = SimConfig {
        default_route_limit: RouteLimit::new(100, Duration::from_secs(1)),
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let addr = sim.http_addr();
    let path = format!("/api/v10/channels/{}/messages", sim.ids().lobby);
    let post = |body: String| {
        let path = path.clone();
        async move { raw(addr, "POST", &path, Some("sim-token"), Some(&body)).await }
    };
    let long = post(json!({"content": "x".repeat(2001)}).to_string()).await;
    assert_eq!(long.status, 400);
    assert_eq!(long.json()["code"], 50035);
    assert_eq!(long.json()["message"], "Invalid Form Body");
    assert_eq!(
        long.json()["errors"]["content"]["_errors"][0]["code"],
        "BASE_TYPE_MAX_LENGTH"
    );

    let embeds: Vec<_> = (0..11).map(|i| json!({"title": format!("e{i}")})).collect();
    let many = post(json!({"embeds": embeds}).to_string()).await;
    assert_eq!(many.status, 400);
    assert!(many.json()["errors"]["embeds"]["_errors"].is_array());

    let row =
        json!({"type": 1, "components": [{"type": 2, "style": 1, "label": "x", "custom_id": "x"}]});
    let rows = post(json!({"components": vec![row.clone(); 6]}).to_string()).await;
    assert_eq!(rows.status, 400);
    assert!(rows.json()["errors"]["components"]["_errors"].is_array());
    assert_eq!(
        post(json!({"components": vec![row; 5]}).to_string())
            .await
            .status,
        200
    );

    assert_eq!(
        post(json!({"content": ""}).to_string()).await.json()["code"],
        50006
    );
    let bad = post("{not json".into()).await;
    assert_eq!(
        (bad.status, bad.json()["code"].as_u64()),
        (400, Some(50109))
    );
    let noauth = raw(addr, "POST", &path, None, Some(r#"{"content":"x"}"#)).await;
    assert_eq!(noauth.status, 401);
    let unknown = raw(
        addr,
        "POST",
        "/api/v10/channels/1/messages",
        Some("sim-token"),
        Some(r#"{"content":"x"}"#),
    )
    .await;
    assert_eq!(
        (unknown.status, unknown.json()["code"].as_u64()),
        (404, Some(10003))
    );

    let user = sim.add_user("finn");
    let i = sim
        .interact(
            user,
            sim.ids().lobby,
            &Interact::Slash {
                name: "profile".into(),
                options: vec![],
            },
        )
        .unwrap();
    let cb = format!("/api/v10/interactions/{}/{}/callback", i.id, i.token);
    let r = raw(
        addr,
        "POST",
        &cb,
        None,
        Some(&json!({"type": 4, "data": {"content": "y".repeat(2001)}}).to_string()),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["errors"]["data"]["content"]["_errors"].is_array());
    let c = sim.counters()[MESSAGES];
    assert_eq!((c.requests, c.ok, c.client_errors), (8, 1, 7));
    assert_eq!(
        sim.invalid_requests().0,
        1,
        "only the 401 counts as invalid"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interaction_replies_dms_and_threads_are_recorded_per_user() {
    let sim = Simulator::start(SimConfig {
        scope_on_success: true,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let client = http(&sim, true);
    let app = Id::new(sim.ids().application);
    let (ann, ben) = (sim.add_user("ann"), sim.add_user("ben"));

    let i = sim
        .interact(
            ann,
            sim.ids().lobby,
            &Interact::Slash {
                name: "queue".into(),
                options: vec![],
            },
        )
        .unwrap();
    let reply = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("you joined".into()),
            flags: Some(MessageFlags::EPHEMERAL),
            ..Default::default()
        }),
    };
    client
        .interaction(app)
        .create_response(Id::new(i.id), &i.token, &reply)
        .await
        .unwrap();
    let again = client
        .interaction(app)
        .create_response(Id::new(i.id), &i.token, &reply)
        .await;
    assert!(again.is_err(), "a second callback is refused (40060)");
    client
        .interaction(app)
        .create_followup(&i.token)
        .content("queue: 1")
        .flags(MessageFlags::EPHEMERAL)
        .await
        .unwrap();
    client
        .interaction(app)
        .update_response(&i.token)
        .content(Some("you joined (edited)"))
        .await
        .unwrap();

    let dm = client
        .create_private_channel(Id::new(ben))
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    client
        .create_message(dm.id)
        .content("match found")
        .await
        .unwrap();
    let thread = client
        .create_thread(
            Id::new(sim.ids().lobby),
            "ann vs ben",
            ChannelType::PrivateThread,
        )
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    client
        .add_thread_member(thread.id, Id::new(ann))
        .await
        .unwrap();
    client
        .add_thread_member(thread.id, Id::new(ben))
        .await
        .unwrap();
    client
        .create_message(thread.id)
        .content("gl hf")
        .await
        .unwrap();
    client
        .update_thread(thread.id)
        .archived(true)
        .locked(true)
        .await
        .unwrap();
    assert!(
        client
            .create_message(thread.id)
            .content("late")
            .await
            .is_err()
    );

    let ann_saw: Vec<(Place, String)> = sim
        .seen_by(ann)
        .into_iter()
        .map(|s| (s.place, s.message.content))
        .collect();
    assert_eq!(
        ann_saw,
        vec![
            (Place::Ephemeral, "you joined (edited)".into()),
            (Place::Ephemeral, "queue: 1".into()),
            (Place::Thread(thread.id.get()), "gl hf".into()),
        ]
    );
    let ben_saw: Vec<(Place, String)> = sim
        .seen_by(ben)
        .into_iter()
        .map(|s| (s.place, s.message.content))
        .collect();
    assert_eq!(
        ben_saw,
        vec![
            (Place::Dm, "match found".into()),
            (Place::Thread(thread.id.get()), "gl hf".into())
        ]
    );
    let mut members = sim.thread_members(thread.id.get()).unwrap();
    members.sort_unstable();
    let mut want = vec![sim.ids().bot_user, ann, ben];
    want.sort_unstable();
    assert_eq!(members, want);
    // ladderd's invite does not ask for Manage Threads (it creates no
    // threads now), so the simulated bot may not delete one.
    let refused = client.delete_channel(thread.id).await.unwrap_err();
    assert!(refused.to_string().contains("50013"), "{refused}");
    assert_eq!(sim.totals().rate_limited, 0);
    sim.shutdown().await;
}

/// twilight's rate limiter serialises requests on routes whose bucket it
/// does not know, interaction callbacks included; a client without the
/// limiter sends them at once. Observed as concurrency, not as time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_latency_shows_twilights_serialisation() {
    let mut config = SimConfig::default();
    config
        .route_latency
        .insert(CALLBACK.to_owned(), Duration::from_millis(300));
    let sim = Simulator::start(config).await.unwrap();
    let user = sim.add_user("gus");
    for (limiter, want_max) in [(true, 1), (false, 4)] {
        let client = std::sync::Arc::new(http(&sim, limiter));
        let mut set = JoinSet::new();
        for _ in 0..4 {
            let i = sim
                .interact(
                    user,
                    sim.ids().lobby,
                    &Interact::Button {
                        custom_id: "confirm".into(),
                        message: None,
                    },
                )
                .unwrap();
            let client = client.clone();
            set.spawn(async move {
                let ack = InteractionResponse {
                    kind: InteractionResponseType::DeferredUpdateMessage,
                    data: None,
                };
                client
                    .interaction(Id::new(sim_app()))
                    .create_response(Id::new(i.id), &i.token, &ack)
                    .await
                    .is_ok()
            });
        }
        while let Some(r) = set.join_next().await {
            assert!(r.unwrap());
        }
        let c = sim.counters()[CALLBACK];
        if limiter {
            assert_eq!(c.max_in_flight, want_max);
        } else {
            // Four distinct callbacks arrive together when nothing holds them.
            assert!(c.max_in_flight >= 2, "{c:?}");
        }
    }
    sim.shutdown().await;
}

fn sim_app() -> u64 {
    ladderd::sim::IDS.application
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_callbacks_and_expired_tokens_are_refused_like_discord() {
    let config = SimConfig {
        callback_deadline: Duration::from_millis(200),
        token_lifetime: Duration::from_millis(600),
        realism: ladderd::sim::Realism {
            // Deadlines shrunk to 200/600 ms leave no room for ~100 ms
            // round trips; the deadlines are under test, not latency.
            latency: None,
            // This test checks the older path where a deferred reply's
            // @original appears on its first edit; the "thinking…" message
            // a followup replaces is tested in sim_realism.
            deferred_followup_edits: false,
            ..ladderd::sim::Realism::default()
        },
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let user = sim.add_user("hal");
    let addr = sim.http_addr();
    let ack = Some(r#"{"type":5}"#);

    let late = sim
        .interact(
            user,
            sim.ids().lobby,
            &Interact::Button {
                custom_id: "x".into(),
                message: None,
            },
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = raw(
        addr,
        "POST",
        &format!("/api/v10/interactions/{}/{}/callback", late.id, late.token),
        None,
        ack,
    )
    .await;
    assert_eq!((r.status, r.json()["code"].as_u64()), (404, Some(10062)));

    let i = sim
        .interact(
            user,
            sim.ids().lobby,
            &Interact::Button {
                custom_id: "y".into(),
                message: None,
            },
        )
        .unwrap();
    let followup = format!("/api/v10/webhooks/{}/{}", sim.ids().application, i.token);
    let before = raw(
        addr,
        "POST",
        &followup,
        None,
        Some(r#"{"content":"too early"}"#),
    )
    .await;
    assert_eq!(
        (before.status, before.json()["code"].as_u64()),
        (404, Some(10015))
    );
    let r = raw(
        addr,
        "POST",
        &format!("/api/v10/interactions/{}/{}/callback", i.id, i.token),
        None,
        ack,
    )
    .await;
    assert_eq!(r.status, 204);
    // A deferred reply's @original appears with its first edit.
    let edit = raw(
        addr,
        "PATCH",
        &format!("{followup}/messages/@original"),
        None,
        Some(r#"{"content":"done"}"#),
    )
    .await;
    assert_eq!(edit.status, 200);
    assert_eq!(edit.json()["content"], "done");
    let ok = raw(addr, "POST", &followup, None, Some(r#"{"content":"more"}"#)).await;
    assert_eq!(ok.status, 200);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let expired = raw(addr, "POST", &followup, None, Some(r#"{"content":"late"}"#)).await;
    assert_eq!(
        (expired.status, expired.json()["code"].as_u64()),
        (401, Some(50027))
    );
    let contents: Vec<String> = sim
        .seen_by(user)
        .into_iter()
        .map(|s| s.message.content)
        .collect();
    assert_eq!(contents, ["done", "more"]);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_discord_errors_and_never_break_the_simulator() {
    let config = SimConfig {
        default_route_limit: RouteLimit::new(1000, Duration::from_secs(1)),
        global_limit: 1000,
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let addr = sim.http_addr();
    let tok = Some("sim-token");
    let lobby = sim.ids().lobby;
    let cases: Vec<(&str, String, Option<&str>)> = vec![
        (
            "POST",
            format!("/api/v10/channels/{lobby}/messages"),
            Some("[]"),
        ),
        (
            "POST",
            format!("/api/v10/channels/{lobby}/messages"),
            Some("\"text\""),
        ),
        (
            "POST",
            format!("/api/v10/channels/{lobby}/messages"),
            Some(r#"{"content": 5}"#),
        ),
        (
            "POST",
            format!("/api/v10/channels/{lobby}/messages"),
            Some(r#"{"embeds": {"a": 1}}"#),
        ),
        (
            "POST",
            format!("/api/v10/channels/{lobby}/messages"),
            Some(r#"{"components": [{"type": 1}]}"#),
        ),
        (
            "POST",
            format!("/api/v10/channels/{lobby}/messages"),
            Some(r#"{"components": [{"type": 1, "components": [{"type": 3}, {"type": 2}]}]}"#),
        ),
        (
            "POST",
            "/api/v10/channels/abc/messages".into(),
            Some(r#"{"content":"x"}"#),
        ),
        (
            "POST",
            "/api/v10/channels/99999999999999999999999/messages".into(),
            Some(r#"{"content":"x"}"#),
        ),
        (
            "PATCH",
            format!("/api/v10/channels/{lobby}/messages/0"),
            Some(r#"{"content":"x"}"#),
        ),
        ("DELETE", format!("/api/v10/channels/{lobby}"), None),
        (
            "POST",
            "/api/v10/interactions/1/nope/callback".into(),
            Some(r#"{"type":4}"#),
        ),
        (
            "POST",
            "/api/v10/interactions/1/nope/callback".into(),
            Some("null"),
        ),
        (
            "POST",
            "/api/v10/webhooks/1/nope".into(),
            Some(r#"{"content":"x"}"#),
        ),
        (
            "POST",
            "/api/v10/users/@me/channels".into(),
            Some(r#"{"recipient_id": "x"}"#),
        ),
        (
            "PUT",
            format!("/api/v10/applications/{}/commands", sim.ids().application),
            Some(r#"[{"name": "Bad Name", "description": ""}]"#),
        ),
        (
            "PUT",
            format!("/api/v10/channels/{lobby}/thread-members/1"),
            None,
        ),
        (
            "POST",
            format!("/api/v10/channels/{lobby}/threads"),
            Some(r#"{"name": ""}"#),
        ),
        ("GET", "/api/v10/nowhere".into(), None),
        ("GET", "/api/v9/gateway".into(), None),
        ("GET", "/attachments/../../etc/passwd".into(), None),
    ];
    for (method, path, body) in &cases {
        let r = raw(addr, method, path, tok, *body).await;
        assert!(
            (400..500).contains(&r.status),
            "{method} {path} {body:?} -> {} {:?}",
            r.status,
            r.json()
        );
        if !path.starts_with("/attachments") {
            assert!(
                r.json()["message"].is_string(),
                "{method} {path}: {:?}",
                r.json()
            );
        }
    }
    // Still serving, and nothing was stored.
    let ok = raw(
        addr,
        "POST",
        &format!("/api/v10/channels/{lobby}/messages"),
        tok,
        Some(r#"{"content":"fine"}"#),
    )
    .await;
    assert_eq!(ok.status, 200);
    assert_eq!(sim.channel_messages(lobby).len(), 1);
    let commands = raw(
        addr,
        "PUT",
        &format!(
            "/api/v10/applications/{}/guilds/{}/commands",
            sim.ids().application,
            sim.ids().guild
        ),
        tok,
        Some(r#"[{"name": "queue", "description": "Join the queue", "type": 1}]"#),
    )
    .await;
    assert_eq!(commands.status, 200, "{:?}", commands.json());
    assert_eq!(sim.commands().len(), 1);
    // Listing returns what the overwrite stored (ladderd compares before writing).
    let listed = raw(
        addr,
        "GET",
        &format!(
            "/api/v10/applications/{}/guilds/{}/commands",
            sim.ids().application,
            sim.ids().guild
        ),
        tok,
        None,
    )
    .await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()[0]["name"], "queue", "{:?}", listed.json());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_message_edits_the_message_whose_button_was_clicked() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let user = sim.add_user("kim");
    let addr = sim.http_addr();
    let lobby = sim.ids().lobby;
    let card = json!({"content": "match 7: confirm?", "components": [{"type": 1, "components": [
        {"type": 2, "style": 3, "label": "Confirm", "custom_id": "match:7:confirm"}]}]});
    let posted = raw(
        addr,
        "POST",
        &format!("/api/v10/channels/{lobby}/messages"),
        Some("sim-token"),
        Some(&card.to_string()),
    )
    .await;
    let mid: u64 = posted.json()["id"].as_str().unwrap().parse().unwrap();

    let click = Interact::Button {
        custom_id: "match:7:confirm".into(),
        message: Some(mid),
    };
    let i = sim.interact(user, lobby, &click).unwrap();
    let update = json!({"type": 7, "data": {"content": "match 7: confirmed", "components": []}});
    let r = raw(
        addr,
        "POST",
        &format!("/api/v10/interactions/{}/{}/callback", i.id, i.token),
        None,
        Some(&update.to_string()),
    )
    .await;
    assert_eq!(r.status, 204, "{:?}", r.json());
    let messages = sim.channel_messages(lobby);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].content, "match 7: confirmed");
    assert!(messages[0].components.is_empty());
    assert!(messages[0].edited_timestamp.is_some());

    // A deferred update makes the same message the interaction's @original.
    let i = sim.interact(user, lobby, &click).unwrap();
    let r = raw(
        addr,
        "POST",
        &format!("/api/v10/interactions/{}/{}/callback", i.id, i.token),
        None,
        Some(r#"{"type":6}"#),
    )
    .await;
    assert_eq!(r.status, 204);
    let path = format!(
        "/api/v10/webhooks/{}/{}/messages/@original",
        sim.ids().application,
        i.token
    );
    let edit = raw(
        addr,
        "PATCH",
        &path,
        None,
        Some(r#"{"content":"match 7: started"}"#),
    )
    .await;
    assert_eq!(edit.json()["id"].as_str(), Some(mid.to_string().as_str()));
    let seen: Vec<String> = sim
        .seen_by(user)
        .into_iter()
        .map(|s| s.message.content)
        .collect();
    assert_eq!(seen, ["match 7: started"]);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_the_bot_uploads_with_twilight_are_served_by_the_cdn() {
    use twilight_model::http::attachment::Attachment;

    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let client = http(&sim, true);
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let files = [
        Attachment::from_bytes("ladder.csv".into(), b"rank,name\n1,ann\n".to_vec(), 1),
        Attachment::from_bytes("game.SC2Replay".into(), bytes.clone(), 2),
    ];
    let m = client
        .create_message(Id::new(sim.ids().lobby))
        .content("files")
        .attachments(&files)
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    assert_eq!(m.content, "files");
    let names: Vec<&str> = m.attachments.iter().map(|a| a.filename.as_str()).collect();
    assert_eq!(names, ["ladder.csv", "game.SC2Replay"]);
    let url = &m.attachments[1].url;
    let path = url.split_once(&sim.http_addr().to_string()).unwrap().1;
    let got = raw(sim.http_addr(), "GET", path, None, None).await;
    assert_eq!(got.body, bytes);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_multipart_bodies_are_400s() {
    use crate::support::sim::raw_typed;

    let config = SimConfig {
        default_route_limit: RouteLimit::new(100, Duration::from_secs(1)),
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let path = format!("/api/v10/channels/{}/messages", sim.ids().lobby);
    let mp = "multipart/form-data; boundary=XYZ";
    let cases: [(&str, &[u8]); 5] = [
        ("multipart/form-data", b"--XYZ\r\n"),
        (mp, b"no boundary here"),
        (mp, b"--XYZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n\r\n{bad json\r\n--XYZ--"),
        (mp, b"--XYZ\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"../x\"\r\n\r\nabc\r\n--XYZ--"),
        (mp, b"--XYZ\r\nno headers end"),
    ];
    for (ct, body) in cases {
        let r = raw_typed(sim.http_addr(), "POST", &path, Some("sim-token"), ct, body).await;
        assert_eq!(r.status, 400, "{ct} {:?}", String::from_utf8_lossy(body));
    }
    let ok = b"--XYZ\r\nContent-Disposition: form-data; name=\"payload_json\"\r\nContent-Type: application/json\r\n\r\n{\"content\":\"x\"}\r\n--XYZ\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\"a.txt\"\r\n\r\nabc\r\n--XYZ--";
    let r = raw_typed(sim.http_addr(), "POST", &path, Some("sim-token"), mp, ok).await;
    assert_eq!(r.status, 200, "{:?}", r.json());
    assert_eq!(r.json()["attachments"][0]["size"], 3);
    sim.shutdown().await;
}

/// Guild member roles (#15's rank roles): given and taken with 204, shown by
/// `member_roles`; another guild or an unknown user is refused as Discord does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_roles_are_given_and_taken() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let (addr, tok) = (sim.http_addr(), sim.config().token.clone());
    let guild = sim.ids().guild;
    let user = sim.add_user("Alpha");
    let path = |guild: u64, user: u64| format!("/api/v10/guilds/{guild}/members/{user}/roles/77");
    let r = raw(addr, "PUT", &path(guild, user), Some(&tok), None).await;
    assert_eq!(r.status, 204, "{:?}", r.json());
    assert_eq!(sim.member_roles(user), [77]);
    let r = raw(addr, "DELETE", &path(guild, user), Some(&tok), None).await;
    assert_eq!(r.status, 204);
    assert!(sim.member_roles(user).is_empty());
    let r = raw(addr, "PUT", &path(guild + 1, user), Some(&tok), None).await;
    assert_eq!((r.status, r.json()["code"].as_u64()), (404, Some(10004)));
    let r = raw(addr, "PUT", &path(guild, 12345), Some(&tok), None).await;
    assert_eq!((r.status, r.json()["code"].as_u64()), (404, Some(10013)));
    sim.shutdown().await;
}
