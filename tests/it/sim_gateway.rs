//! twilight-gateway against the simulator's gateway: identify, READY,
//! dispatches, heartbeats, resume after a drop, Reconnect, Invalid Session.

use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use ladderd::sim::{Interact, SimConfig, Simulator};
use serde_json::json;
use tokio_websockets::{ClientBuilder, Message};
use twilight_model::application::interaction::InteractionData;
use twilight_model::gateway::event::Event;

use crate::support::sim::{next_matching, raw, shard};

const T: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilight_identifies_gets_ready_guild_and_dispatches() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let user = sim.add_user("alice");
    let mut shard = shard(&sim);
    let Event::Ready(ready) = next_matching(&mut shard, T, |e| matches!(e, Event::Ready(_))).await
    else {
        unreachable!()
    };
    assert_eq!(ready.resume_gateway_url, sim.gateway_url());
    assert_eq!(ready.application.id.get(), sim.ids().application);
    let Event::GuildCreate(guild) =
        next_matching(&mut shard, T, |e| matches!(e, Event::GuildCreate(_))).await
    else {
        unreachable!()
    };
    assert_eq!(guild.id().get(), sim.ids().guild);

    sim.interact(
        user,
        sim.ids().lobby,
        &Interact::Slash {
            name: "queue".into(),
            options: vec![("race".into(), "zerg".into())],
        },
    )
    .unwrap();
    let Event::InteractionCreate(i) =
        next_matching(&mut shard, T, |e| matches!(e, Event::InteractionCreate(_))).await
    else {
        unreachable!()
    };
    let Some(InteractionData::ApplicationCommand(cmd)) = &i.data else {
        panic!("not a command: {i:?}")
    };
    assert_eq!(cmd.name, "queue");
    assert_eq!(i.author_id().map(|u| u.get()), Some(user));

    let replay = Bytes::from_static(b"MPQ\x1a fake replay bytes");
    sim.post(
        user,
        sim.ids().lobby,
        "my replay",
        vec![("game.SC2Replay".into(), replay.clone())],
    )
    .unwrap();
    let Event::MessageCreate(m) =
        next_matching(&mut shard, T, |e| matches!(e, Event::MessageCreate(_))).await
    else {
        unreachable!()
    };
    assert_eq!(m.author.id.get(), user);
    let url = &m.attachments[0].url;
    let path = url.split_once(&sim.http_addr().to_string()).unwrap().1;
    let got = raw(sim.http_addr(), "GET", path, None, None).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, replay.to_vec());
    let missing = raw(
        sim.http_addr(),
        "GET",
        &path.replace("game", "other"),
        None,
        None,
    )
    .await;
    assert_eq!(missing.status, 404);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_are_acked_and_a_silent_client_is_closed() {
    // Short enough for a quick test, long enough that a busy 2-core machine
    // does not make twilight's heartbeat late for the 1.5 × interval deadline.
    let config = SimConfig {
        heartbeat_interval: Duration::from_millis(500),
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let mut shard = shard(&sim);
    next_matching(&mut shard, T, |e| matches!(e, Event::Ready(_))).await;
    // Keep polling the shard (it heartbeats while polled) until several
    // heartbeats were ACKed on the one connection.
    let poll = async {
        loop {
            let _ = tokio::time::timeout(Duration::from_millis(50), shard.next()).await;
            if sim.gateway().stats().heartbeats >= 3 {
                break;
            }
        }
    };
    tokio::time::timeout(T, poll).await.expect("heartbeats");
    let stats = sim.gateway().stats();
    assert_eq!(
        stats.connections, 1,
        "ACKed heartbeats keep twilight on one connection"
    );
    assert_eq!(stats.heartbeat_timeouts, 0);
    assert!(shard.latency().recent().len() >= 2);

    // A raw client that identifies and then never heartbeats is closed with 4009.
    let uri = format!("{}/?v=10&encoding=json", sim.gateway_url());
    let (mut ws, _) = ClientBuilder::new()
        .uri(&uri)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let hello = ws.next().await.unwrap().unwrap();
    assert!(hello.as_text().unwrap().contains("\"op\":10"));
    let identify = json!({"op": 2, "d": {"token": "Bot sim-token", "intents": 0,
        "properties": {"os": "linux", "browser": "t", "device": "t"}}});
    ws.send(Message::text(identify.to_string())).await.unwrap();
    let close = tokio::time::timeout(T, async {
        while let Some(Ok(m)) = ws.next().await {
            if let Some((code, _)) = m.as_close() {
                return u16::from(code);
            }
        }
        0
    })
    .await
    .expect("closed");
    assert_eq!(close, 4009);
    // The shard, no longer polled, may have timed out too.
    assert!(sim.gateway().stats().heartbeat_timeouts >= 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_closed_with_4004() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let uri = format!("{}/?v=10&encoding=json", sim.gateway_url());
    let (mut ws, _) = ClientBuilder::new()
        .uri(&uri)
        .unwrap()
        .connect()
        .await
        .unwrap();
    ws.next().await.unwrap().unwrap();
    let identify = json!({"op": 2, "d": {"token": "Bot wrong", "intents": 0, "properties": {}}});
    ws.send(Message::text(identify.to_string())).await.unwrap();
    let m = ws.next().await.unwrap().unwrap();
    assert_eq!(m.as_close().map(|(c, _)| u16::from(c)), Some(4004));
    sim.shutdown().await;
}

fn content_of(e: &Event) -> Option<String> {
    match e {
        Event::MessageCreate(m) => Some(m.content.clone()),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_a_drop_delivers_every_dispatch_exactly_once_in_order() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let user = sim.add_user("bob");
    let lobby = sim.ids().lobby;
    let mut shard = shard(&sim);
    next_matching(&mut shard, T, |e| matches!(e, Event::GuildCreate(_))).await;
    let mut got = Vec::new();
    for i in 0..5 {
        sim.post(user, lobby, &format!("m{i}"), vec![]).unwrap();
    }
    for _ in 0..5 {
        got.push(
            content_of(&next_matching(&mut shard, T, |e| content_of(e).is_some()).await).unwrap(),
        );
    }
    sim.gateway().drop_connections();
    assert_eq!(sim.gateway().connected(), 0);
    // Sent while the client is away: only Resume can deliver these.
    for i in 5..10 {
        sim.post(user, lobby, &format!("m{i}"), vec![]).unwrap();
    }
    let mut resumed = false;
    while got.len() < 10 {
        let e = next_matching(&mut shard, T, |e| {
            content_of(e).is_some() || matches!(e, Event::Resumed)
        })
        .await;
        match content_of(&e) {
            Some(c) => got.push(c),
            None => resumed = true,
        }
    }
    for i in 10..15 {
        sim.post(user, lobby, &format!("m{i}"), vec![]).unwrap();
    }
    while got.len() < 15 {
        let e = next_matching(&mut shard, T, |e| {
            content_of(e).is_some() || matches!(e, Event::Resumed)
        })
        .await;
        match content_of(&e) {
            Some(c) => got.push(c),
            None => resumed = true,
        }
    }
    let want: Vec<String> = (0..15).map(|i| format!("m{i}")).collect();
    assert_eq!(got, want);
    assert!(resumed);
    let stats = sim.gateway().stats();
    assert_eq!((stats.identifies, stats.resumes), (1, 1));
    // Nothing further (no duplicate) is pending: the next event is a new one.
    sim.post(user, lobby, "last", vec![]).unwrap();
    let e = next_matching(&mut shard, T, |e| content_of(e).is_some()).await;
    assert_eq!(content_of(&e).as_deref(), Some("last"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_and_invalid_session_are_handled() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let user = sim.add_user("carol");
    let mut shard = shard(&sim);
    next_matching(&mut shard, T, |e| matches!(e, Event::GuildCreate(_))).await;

    sim.gateway().reconnect();
    next_matching(&mut shard, T, |e| matches!(e, Event::Resumed)).await;
    assert_eq!(sim.gateway().stats().resumes, 1);

    sim.gateway().invalid_session(true);
    next_matching(&mut shard, T, |e| matches!(e, Event::Resumed)).await;
    assert_eq!(sim.gateway().stats().resumes, 2);

    sim.gateway().invalid_session(false);
    next_matching(&mut shard, T, |e| matches!(e, Event::Ready(_))).await;
    let stats = sim.gateway().stats();
    assert_eq!((stats.identifies, stats.resumes), (2, 2));

    sim.post(user, sim.ids().lobby, "after", vec![]).unwrap();
    let e = next_matching(&mut shard, T, |e| content_of(e).is_some()).await;
    assert_eq!(content_of(&e).as_deref(), Some("after"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_the_buffer_no_longer_covers_is_invalid_and_twilight_reidentifies() {
    let config = SimConfig {
        resume_buffer: 3,
        ..SimConfig::default()
    };
    let sim = Simulator::start(config).await.unwrap();
    let user = sim.add_user("ivy");
    let mut shard = shard(&sim);
    next_matching(&mut shard, T, |e| matches!(e, Event::GuildCreate(_))).await;
    sim.gateway().drop_connections();
    for i in 0..10 {
        sim.post(user, sim.ids().lobby, &format!("lost {i}"), vec![])
            .unwrap();
    }
    next_matching(&mut shard, T, |e| matches!(e, Event::Ready(_))).await;
    let stats = sim.gateway().stats();
    assert_eq!((stats.identifies, stats.resumes), (2, 0));
    sim.post(user, sim.ids().lobby, "fresh", vec![]).unwrap();
    let e = next_matching(&mut shard, T, |e| content_of(e).is_some()).await;
    assert_eq!(content_of(&e).as_deref(), Some("fresh"));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_send_limit_and_payload_size_are_discords() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let uri = format!("{}/?v=10&encoding=json", sim.gateway_url());

    let (mut ws, _) = ClientBuilder::new()
        .uri(&uri)
        .unwrap()
        .connect()
        .await
        .unwrap();
    ws.next().await.unwrap().unwrap();
    let heartbeat = json!({"op": 1, "d": null}).to_string();
    let mut acks = 0;
    for _ in 0..121 {
        ws.send(Message::text(heartbeat.clone())).await.unwrap();
    }
    let code = loop {
        match tokio::time::timeout(T, ws.next()).await.expect("answer") {
            Some(Ok(m)) if m.is_close() => break m.as_close().map(|(c, _)| u16::from(c)),
            Some(Ok(_)) => acks += 1,
            _ => break None,
        }
    };
    assert_eq!((acks, code), (120, Some(4008)));

    let (mut ws, _) = ClientBuilder::new()
        .uri(&uri)
        .unwrap()
        .connect()
        .await
        .unwrap();
    ws.next().await.unwrap().unwrap();
    let big = json!({"op": 2, "d": {"token": "x".repeat(5000)}}).to_string();
    let _ = ws.send(Message::text(big)).await;
    let ended = tokio::time::timeout(T, async {
        loop {
            match ws.next().await {
                Some(Ok(m)) if m.is_close() => return true,
                Some(Ok(_)) => {}
                _ => return true,
            }
        }
    })
    .await
    .expect("closed");
    assert!(ended);
    assert_eq!(sim.gateway().stats().identifies, 0);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatches_follow_the_identified_intents() {
    use twilight_gateway::Intents;

    use crate::support::sim::shard_with;

    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let user = sim.add_user("jo");
    let lobby = sim.ids().lobby;
    // No MESSAGE_CONTENT: a user's guild message arrives emptied.
    let mut without_content = shard_with(&sim, Intents::GUILDS | Intents::GUILD_MESSAGES);
    // No GUILD_MESSAGES: no guild message at all.
    let mut without_messages = shard_with(&sim, Intents::GUILDS);
    next_matching(&mut without_content, T, |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    next_matching(&mut without_messages, T, |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;

    let file = ("r.SC2Replay".to_owned(), Bytes::from_static(b"replay"));
    sim.post(user, lobby, "here is my replay", vec![file])
        .unwrap();
    sim.interact(
        user,
        lobby,
        &Interact::Button {
            custom_id: "after".into(),
            message: None,
        },
    )
    .unwrap();

    let Event::MessageCreate(m) =
        next_matching(&mut without_content, T, |e| content_of(e).is_some()).await
    else {
        unreachable!()
    };
    assert_eq!(m.content, "");
    assert!(m.attachments.is_empty(), "attachments need MESSAGE_CONTENT");
    let first = next_matching(&mut without_messages, T, |e| {
        matches!(e, Event::MessageCreate(_) | Event::InteractionCreate(_))
    })
    .await;
    assert!(matches!(first, Event::InteractionCreate(_)), "{first:?}");
    // The full record still has what the user sent.
    assert_eq!(sim.channel_messages(lobby)[0].attachments.len(), 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_despite_stalled_clients() {
    use tokio::io::AsyncWriteExt;
    use tokio::net::TcpStream;

    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let gw_addr = sim.gateway_url().trim_start_matches("ws://").to_owned();
    // Connected, never sends the WebSocket handshake.
    let _silent_gateway = TcpStream::connect(&gw_addr).await.unwrap();
    // Sends headers promising a body it never finishes.
    let mut stalled_http = TcpStream::connect(sim.http_addr()).await.unwrap();
    let head = format!(
        "POST /api/v10/channels/{}/messages HTTP/1.1\r\nhost: x\r\nauthorization: Bot sim-token\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"content\"",
        sim.ids().lobby
    );
    stalled_http.write_all(head.as_bytes()).await.unwrap();
    let mut shard = shard(&sim);
    next_matching(&mut shard, T, |e| matches!(e, Event::GuildCreate(_))).await;
    // A bound on a hang, not a performance figure.
    tokio::time::timeout(Duration::from_secs(30), sim.shutdown())
        .await
        .expect("shutdown waited on a stalled client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_can_dm_the_bot() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let user = sim.add_user("lee");
    let mut shard = shard(&sim);
    next_matching(&mut shard, T, |e| matches!(e, Event::GuildCreate(_))).await;
    let dm = sim.dm_channel(user).unwrap();
    assert_eq!(sim.dm_channel(user).unwrap(), dm, "one DM channel per user");
    sim.post(user, dm, "can I play?", vec![]).unwrap();
    let Event::MessageCreate(m) = next_matching(&mut shard, T, |e| content_of(e).is_some()).await
    else {
        unreachable!()
    };
    assert_eq!((m.channel_id.get(), m.guild_id), (dm, None));
    let path = format!("/api/v10/channels/{dm}/messages");
    let r = raw(
        sim.http_addr(),
        "POST",
        &path,
        Some("sim-token"),
        Some(r#"{"content":"yes"}"#),
    )
    .await;
    assert_eq!(r.status, 200);
    let seen: Vec<(ladderd::sim::Place, String)> = sim
        .seen_by(user)
        .into_iter()
        .map(|s| (s.place, s.message.content))
        .collect();
    assert_eq!(
        seen,
        [
            (ladderd::sim::Place::Dm, "can I play?".to_owned()),
            (ladderd::sim::Place::Dm, "yes".to_owned())
        ]
    );
    assert!(sim.dm_channel(12345).is_err());
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_shards_start_as_many_shards_as_the_simulator_recommends() {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use ladderd::config::ShardCount;
    use ladderd::discord::gateway::{self, GatewaySettings, GatewayStats, ShardStatus};
    use tokio_util::sync::CancellationToken;

    let sim = Simulator::start(SimConfig {
        recommended_shards: 3,
        max_concurrency: 3,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let http = sim_transport(&sim);
    let plan = gateway::plan(ShardCount::Auto, &http).await.unwrap();
    assert_eq!((plan.shards, plan.limit.max_concurrency), (3, 3));

    let stats = Arc::new(GatewayStats::default());
    let stop = CancellationToken::new();
    // Discord's identify queue (not the tests' no-op one), from the plan.
    let (mut events, task) = gateway::spawn(
        GatewaySettings {
            token: sim.config().token.clone(),
            intents: gateway::intents(),
            proxy_url: Some(sim.gateway_url().to_owned()),
            plan,
            identify_without_delay: false,
        },
        stats.clone(),
        stop.clone(),
    );
    let mut ready = BTreeSet::new();
    tokio::time::timeout(Duration::from_secs(60), async {
        while ready.len() < 3 {
            match events.recv().await {
                Some((id, Event::Ready(r))) => {
                    assert_eq!(id.total(), 3);
                    assert_eq!(r.shard, Some(id), "READY names the identifying shard");
                    assert!(ready.insert(id.number()), "one READY per shard");
                }
                Some(_) => {}
                None => panic!("the gateway ended before every shard was READY"),
            }
        }
    })
    .await
    .expect("every recommended shard became READY");
    assert_eq!(ready, BTreeSet::from([0, 1, 2]));
    assert_eq!(
        sim.gateway().connected(),
        3,
        "three sessions at the simulator"
    );
    let figures = stats.snapshot(tokio::time::Instant::now());
    assert_eq!(
        figures.shards.iter().map(|s| s.shard).collect::<Vec<_>>(),
        [0, 1, 2]
    );

    stop.cancel();
    tokio::time::timeout(Duration::from_secs(30), async {
        while events.recv().await.is_some() {}
        task.await.unwrap();
    })
    .await
    .expect("the shards closed after stop");
    let closed = stats.snapshot(tokio::time::Instant::now());
    assert!(
        closed
            .shards
            .iter()
            .all(|s| s.status == ShardStatus::Closed),
        "{closed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_recommendation_is_refused_before_connecting() {
    use ladderd::config::{MAX_SHARDS, ShardCount};
    use ladderd::discord::gateway::{self, ShardPlanError};

    for shards in [0, MAX_SHARDS + 1] {
        let sim = Simulator::start(SimConfig {
            recommended_shards: shards,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let http = sim_transport(&sim);
        let err = gateway::plan(ShardCount::Auto, &http).await.unwrap_err();
        assert!(
            matches!(err, ShardPlanError::Count(n) if n == shards),
            "{err}"
        );
        assert_eq!(sim.gateway().connected(), 0, "nothing connected");
    }
}

/// ladderd's production transport pointed at the simulator.
fn sim_transport(sim: &Simulator) -> ladderd::discord::transport::TwilightTransport {
    use ladderd::discord::transport::{ApiEndpoint, TwilightTransport, clients};
    TwilightTransport::new(clients(
        &sim.config().token,
        &ApiEndpoint {
            proxy: Some(sim.http_addr().to_string()),
        },
    ))
}
