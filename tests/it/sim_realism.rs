//! The simulator's Discord-as-it-is defaults (`sim::realism`), each seen by
//! a real client: twilight-gateway for the close codes and GUILD_CREATE,
//! ladderd's own transport (`discord::transport`) for the 403s and the
//! shared-scope 429, raw HTTP where the point is the answer itself.

use std::time::Duration;

use futures_util::StreamExt as _;
use ladderd::discord::outbound::Transport;
use ladderd::discord::ratelimit::RateLimitHeaders;
use ladderd::discord::transport::{ApiEndpoint, TwilightTransport, clients};
use ladderd::sim::{Interact, InvalidRequestBan, Realism, SimConfig, Simulator};
use serde_json::{Value, json};
use twilight_gateway::{EventTypeFlags, Intents, StreamExt as _};
use twilight_http::request::TryIntoRequest;
use twilight_model::gateway::event::Event;
use twilight_model::id::Id;

use crate::support::sim::{next_matching, raw, shard_with};

const T: Duration = Duration::from_secs(20);

fn transport(sim: &Simulator) -> TwilightTransport {
    TwilightTransport::new(clients(
        &sim.config().token,
        &ApiEndpoint {
            proxy: Some(sim.http_addr().to_string()),
        },
    ))
}

/// What the transport got: status, parsed headers, JSON body.
async fn send(
    t: &TwilightTransport,
    request: twilight_http::request::Request,
) -> (u16, RateLimitHeaders, Value) {
    let reply = tokio::time::timeout(T, t.send(&request))
        .await
        .expect("answered in time")
        .expect("an HTTP answer");
    let body = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    (reply.status, reply.headers, body)
}

fn builder() -> twilight_http::Client {
    twilight_http::Client::new(String::new())
}

fn open_dm(user: u64) -> twilight_http::request::Request {
    builder()
        .create_private_channel(Id::new(user))
        .try_into_request()
        .unwrap()
}

fn thread(parent: u64, n: u32) -> twilight_http::request::Request {
    builder()
        .create_thread(
            Id::new(parent),
            &format!("match {n}"),
            twilight_model::channel::ChannelType::PrivateThread,
        )
        .try_into_request()
        .unwrap()
}

fn message(channel: u64, text: &str) -> twilight_http::request::Request {
    builder()
        .create_message(Id::new(channel))
        .content(text)
        .try_into_request()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_dms_too_fast_is_a_403_40003_that_no_header_announces() {
    // Latency off: 31 sequential DM opens are what is under test, not 3 s
    // of round trips.
    let realism = Realism {
        latency: None,
        ..Realism::default()
    };
    let rule = realism.dm_open.unwrap();
    let sim = Simulator::start(SimConfig {
        realism,
        // The route bucket is not under test (the default 5 per 5 s would
        // answer 429 first).
        default_route_limit: ladderd::sim::RouteLimit::new(1000, Duration::from_secs(1)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let t = transport(&sim);
    let users: Vec<u64> = (0..=rule.limit)
        .map(|i| sim.add_user(&format!("u{i}")))
        .collect();
    for &u in &users[..rule.limit as usize] {
        let (status, _, body) = send(&t, open_dm(u)).await;
        assert_eq!(status, 200, "{body}");
    }
    let (invalid_before, _) = sim.invalid_requests();
    let (status, headers, body) = send(&t, open_dm(users[rule.limit as usize])).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], 40003, "{body}");
    // Nothing in the headers warns of it: it is no 429 and has no scope.
    assert!(headers.scope.is_none(), "{headers:?}");
    assert_eq!(
        sim.invalid_requests().0,
        invalid_before + 1,
        "a 403 is invalid"
    );
    // A DM channel opened before is still returned (only new ones count).
    let (status, _, _) = send(&t, open_dm(users[0])).await;
    assert_eq!(status, 200);
    // And the refusal lasts: the next new one is refused too.
    let late = sim.add_user("late");
    let (status, _, body) = send(&t, open_dm(late)).await;
    assert_eq!((status, body["code"].as_u64()), (403, Some(40003)));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_player_with_closed_dms_answers_403_50007_on_every_message() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let t = transport(&sim);
    let closed = sim.add_user_with_dms("closed", false);
    let open = sim.add_user_with_dms("open", true);
    assert!(!sim.dms_open(closed) && sim.dms_open(open));
    // Opening the channel works on Discord; sending does not.
    let (status, _, dm) = send(&t, open_dm(closed)).await;
    assert_eq!(status, 200);
    let dm_id: u64 = dm["id"].as_str().unwrap().parse().unwrap();
    for i in 0..2 {
        let (status, _, body) = send(&t, message(dm_id, &format!("card {i}"))).await;
        assert_eq!(
            (status, body["code"].as_u64()),
            (403, Some(50007)),
            "{body}"
        );
    }
    assert!(sim.seen_by(closed).is_empty(), "they saw nothing");
    assert_eq!(sim.invalid_requests().0, 2);
    let (_, _, dm) = send(&t, open_dm(open)).await;
    let dm_id: u64 = dm["id"].as_str().unwrap().parse().unwrap();
    let (status, _, _) = send(&t, message(dm_id, "hello")).await;
    assert_eq!(status, 200);
    assert_eq!(sim.seen_by(open).len(), 1);

    // The default population has a seeded share of closed DMs.
    let users: Vec<u64> = (0..400).map(|i| sim.add_user(&format!("p{i}"))).collect();
    let closed = users.iter().filter(|u| !sim.dms_open(**u)).count();
    assert!((30..=100).contains(&closed), "{closed} of 400 closed");
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thread_bursts_in_one_channel_get_a_long_shared_scope_429() {
    let realism = Realism {
        // Thirteen sequential creations are under test, not their latency.
        latency: None,
        ..Realism::default()
    };
    let rule = realism.thread_create.unwrap();
    let sim = Simulator::start(SimConfig {
        realism,
        // The documented bucket is not under test.
        default_route_limit: ladderd::sim::RouteLimit::new(1000, Duration::from_secs(1)),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let t = transport(&sim);
    let lobby = sim.ids().lobby;
    let thread = |n: u32| thread(lobby, n);
    for n in 0..rule.limit {
        let (status, _, body) = send(&t, thread(n)).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, headers, body) = send(&t, thread(99)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(headers.scope.as_deref(), Some("shared"), "{headers:?}");
    let retry = body["retry_after"].as_f64().unwrap();
    assert!((145.0..=280.0).contains(&retry), "{body}");
    let logged = sim.requests().last().unwrap().retry_after.unwrap();
    assert!((145..=281).contains(&logged.as_secs()), "{logged:?}");
    // Discord's docs: shared-scope 429s are not invalid requests.
    assert_eq!(sim.invalid_requests().0, 0);
    let c = sim.counters()["POST /channels/{channel_id}/threads"];
    assert_eq!((c.rate_limited, c.rate_limited_shared), (1, 1));
    // Still refused a moment later, with a shorter wait (raw HTTP: the
    // transport's limiter now rightly holds paced requests on this route).
    let later = raw(
        sim.http_addr(),
        "POST",
        &format!("/api/v10/channels/{}/threads", sim.ids().lobby),
        Some("sim-token"),
        Some(r#"{"name":"again","type":12}"#),
    )
    .await;
    assert_eq!(later.status, 429);
    assert_eq!(later.header("x-ratelimit-scope"), Some("shared"));
    assert!(later.json()["retry_after"].as_f64().unwrap() <= retry);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_privileged_intent_not_enabled_closes_4014_through_twilight() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    // The portal default enables Message Content only; GUILD_MEMBERS is not.
    let mut shard = shard_with(&sim, Intents::GUILDS | Intents::GUILD_MEMBERS);
    let close = tokio::time::timeout(T, async {
        while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
            if let Ok(Event::GatewayClose(frame)) = event {
                return frame.map(|f| f.code);
            }
        }
        None
    })
    .await
    .expect("closed in time");
    assert_eq!(close, Some(4014));
    // twilight takes it as fatal: the shard ends rather than reconnecting.
    let next = tokio::time::timeout(T, shard.next_event(EventTypeFlags::all()))
        .await
        .expect("ended in time");
    assert!(next.is_none(), "{next:?}");
    assert_eq!(sim.gateway().stats().identifies, 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_intent_bits_close_4013_and_guild_members_follow_the_intent() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let uri = format!("{}/?v=10&encoding=json", sim.gateway_url());
    let (mut ws, _) = tokio_websockets::ClientBuilder::new()
        .uri(&uri)
        .unwrap()
        .connect()
        .await
        .unwrap();
    ws.next().await.unwrap().unwrap();
    let identify =
        json!({"op": 2, "d": {"token": "sim-token", "intents": 1u64 << 40, "properties": {}}});
    futures_util::SinkExt::send(
        &mut ws,
        tokio_websockets::Message::text(identify.to_string()),
    )
    .await
    .unwrap();
    let m = ws.next().await.unwrap().unwrap();
    assert_eq!(m.as_close().map(|(c, _)| u16::from(c)), Some(4013));

    // Without GUILD_MEMBERS, GUILD_CREATE lists only the bot, as Discord's.
    sim.add_user("ann");
    sim.add_user("bob");
    let mut shard = shard_with(&sim, Intents::GUILDS | Intents::MESSAGE_CONTENT);
    let Event::GuildCreate(guild) =
        next_matching(&mut shard, T, |e| matches!(e, Event::GuildCreate(_))).await
    else {
        unreachable!()
    };
    let twilight_model::gateway::payload::incoming::GuildCreate::Available(g) = *guild else {
        panic!("unavailable guild")
    };
    let members: Vec<u64> = g.members.iter().map(|m| m.user.id.get()).collect();
    assert_eq!(members, [sim.ids().bot_user]);
    assert_eq!(g.member_count, Some(3));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identifying_faster_than_max_concurrency_gets_op_9() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let uri = format!("{}/?v=10&encoding=json", sim.gateway_url());
    let mut answers = Vec::new();
    for _ in 0..2 {
        let (mut ws, _) = tokio_websockets::ClientBuilder::new()
            .uri(&uri)
            .unwrap()
            .connect()
            .await
            .unwrap();
        ws.next().await.unwrap().unwrap();
        let identify =
            json!({"op": 2, "d": {"token": "sim-token", "intents": 1, "properties": {}}});
        futures_util::SinkExt::send(
            &mut ws,
            tokio_websockets::Message::text(identify.to_string()),
        )
        .await
        .unwrap();
        let m = tokio::time::timeout(T, ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(m.as_text().unwrap()).unwrap();
        answers.push(v["op"].as_u64().unwrap());
        drop(ws);
    }
    // max_concurrency 1: the first gets READY (a dispatch), the second op 9.
    assert_eq!(answers, [0, 9]);
    assert_eq!(sim.gateway().stats().identifies_refused, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invalid_request_limit_bans_everything_for_its_duration() {
    let sim = Simulator::start(SimConfig {
        realism: Realism {
            // Discord's 10,000 lowered to 20 so the test sends few requests;
            // the ban itself is what is under test. Latency off for speed.
            invalid_request_ban: Some(InvalidRequestBan {
                limit: 20,
                ban: Duration::from_secs(3600),
            }),
            latency: None,
            ..Realism::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let addr = sim.http_addr();
    for _ in 0..20 {
        let r = raw(addr, "GET", "/api/v10/users/@me", Some("wrong"), None).await;
        assert_eq!(r.status, 401);
    }
    assert!(sim.banned_for().is_some());
    // Now even a good request (and an interaction callback) is refused, by
    // Cloudflare rather than the API: no JSON, no bucket headers.
    let r = raw(addr, "GET", "/api/v10/users/@me", Some("sim-token"), None).await;
    assert_eq!(r.status, 429);
    assert_eq!(String::from_utf8_lossy(&r.body), "error code: 1015");
    assert!(r.header("x-ratelimit-bucket").is_none());
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((3500..=3600).contains(&retry), "{retry}");
    let c = sim.counters()["GET /users/@me"];
    assert_eq!(c.banned, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_thread_answers_10003_and_the_thread_cap_160006() {
    let sim = Simulator::start(SimConfig {
        realism: Realism {
            // Discord's 1,000 lowered to 2 to reach it in a test.
            active_thread_cap: Some(2),
            latency: None,
            ..Realism::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let t = transport(&sim);
    let lobby = sim.ids().lobby;
    let thread = |n: u32| thread(lobby, n);
    let (_, _, a) = send(&t, thread(1)).await;
    let (_, _, b) = send(&t, thread(2)).await;
    let (status, _, body) = send(&t, thread(3)).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (400, Some(160006)),
        "{body}"
    );
    let a: u64 = a["id"].as_str().unwrap().parse().unwrap();
    sim.delete_channel(a).unwrap();
    let (status, _, body) = send(&t, message(a, "card")).await;
    assert_eq!(
        (status, body["code"].as_u64()),
        (404, Some(10003)),
        "{body}"
    );
    // A deleted thread is no longer active: there is room for one more.
    let (status, _, _) = send(&t, thread(4)).await;
    assert_eq!(status, 201);
    assert!(b["id"].is_string());
    assert!(sim.delete_channel(sim.ids().lobby).is_err());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_followup_after_a_deferred_response_replaces_the_thinking_message() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let t = transport(&sim);
    let ann = sim.add_user("ann");
    let d = sim
        .interact(
            ann,
            sim.ids().lobby,
            &Interact::Slash {
                name: "queue".into(),
                options: vec![],
            },
        )
        .unwrap();
    let b = builder();
    let app = b.interaction(Id::new(sim.ids().application));
    let defer = twilight_model::http::interaction::InteractionResponse {
        kind: twilight_model::http::interaction::InteractionResponseType::DeferredChannelMessageWithSource,
        data: Some(twilight_model::http::interaction::InteractionResponseData {
            flags: Some(twilight_model::channel::message::MessageFlags::EPHEMERAL),
            ..Default::default()
        }),
    };
    let r = app
        .create_response(Id::new(d.id), &d.token, &defer)
        .try_into_request()
        .unwrap();
    assert_eq!(send(&t, r).await.0, 204);
    let thinking = sim.reply(&d).expect("a thinking… message");
    assert!(thinking.content.is_empty());
    let r = app
        .create_followup(&d.token)
        .content("you are queued")
        .try_into_request()
        .unwrap();
    let (status, _, body) = send(&t, r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"].as_str(), Some(thinking.id.to_string().as_str()));
    let seen = sim.seen_by(ann);
    assert_eq!(seen.len(), 1, "one message, edited: {seen:?}");
    assert_eq!(seen[0].message.content, "you are queued");
    // A second followup is a new message.
    let r = app
        .create_followup(&d.token)
        .content("more")
        .try_into_request()
        .unwrap();
    let (_, _, body) = send(&t, r).await;
    assert_ne!(body["id"].as_str(), Some(thinking.id.to_string().as_str()));
    assert_eq!(sim.seen_by(ann).len(), 2);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachment_urls_are_signed_and_expire() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let ann = sim.add_user("ann");
    let id = sim
        .post(
            ann,
            sim.ids().lobby,
            "replay",
            vec![("g.SC2Replay".into(), bytes::Bytes::from_static(b"MPQ"))],
        )
        .unwrap();
    let m = sim
        .channel_messages(sim.ids().lobby)
        .into_iter()
        .find(|m| m.id.get() == id)
        .unwrap();
    let url = &m.attachments[0].url;
    assert!(
        url.contains("?ex=") && url.contains("&is=") && url.contains("&hm="),
        "{url}"
    );
    let path = url.split_once(&sim.http_addr().to_string()).unwrap().1;
    let ok = raw(sim.http_addr(), "GET", path, None, None).await;
    assert_eq!(ok.status, 200);
    let unsigned = path.split_once('?').unwrap().0;
    assert_eq!(
        raw(sim.http_addr(), "GET", unsigned, None, None)
            .await
            .status,
        404
    );
    let tampered = path.replace("hm=", "hm=0");
    assert_eq!(
        raw(sim.http_addr(), "GET", &tampered, None, None)
            .await
            .status,
        404
    );
    sim.shutdown().await;

    // A lifetime of zero: expired as soon as issued.
    let sim = Simulator::start(SimConfig {
        realism: Realism {
            cdn_url_lifetime: Some(Duration::ZERO),
            ..Realism::default()
        },
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let ann = sim.add_user("ann");
    sim.post(
        ann,
        sim.ids().lobby,
        "replay",
        vec![("g.SC2Replay".into(), bytes::Bytes::from_static(b"MPQ"))],
    )
    .unwrap();
    let url = sim.channel_messages(sim.ids().lobby)[0].attachments[0]
        .url
        .clone();
    let path = url.split_once(&sim.http_addr().to_string()).unwrap().1;
    let gone = raw(sim.http_addr(), "GET", path, None, None).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        String::from_utf8_lossy(&gone.body),
        "This content is no longer available."
    );
    sim.shutdown().await;
}
