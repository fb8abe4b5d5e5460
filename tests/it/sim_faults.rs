//! Fault injection in the simulator (`Simulator::inject`): injected 429s and
//! 5xx are Discord-shaped, counted per route, limited to their route prefix
//! and count, change nothing, use up no rate-limit bucket; and what twilight
//! does with them (it retries a 429 itself, hands a 5xx back). Also the
//! simulator features the end-to-end flows use: subcommand interactions,
//! `Simulator::reply`, reading registered commands back.

use std::collections::HashMap;
use std::time::Duration;

use ladderd::sim::ratelimit::bucket_id;
use ladderd::sim::{Fault, FaultError, RouteLimit, SimConfig, SimError, Simulator};
use twilight_model::id::Id;

use crate::support::sim::{http, raw};

const MESSAGES: &str = "POST /channels/{channel_id}/messages";
const ME: &str = "GET /users/@me";

fn post_lobby(sim: &Simulator) -> String {
    format!("/api/v10/channels/{}/messages", sim.ids().lobby)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_route_429_is_discords_and_touches_only_its_prefix() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let (addr, token) = (sim.http_addr(), sim.config().token.clone());
    sim.inject(Fault::rate_limited(2, Duration::from_millis(1500)).on("POST /channels"))
        .unwrap();
    assert_eq!(sim.faults_left(), 2);
    // Another route is not faulted.
    let me = raw(addr, "GET", "/api/v10/users/@me", Some(&token), None).await;
    assert_eq!(me.status, 200);
    let body = r#"{"content":"hello"}"#;
    for left in [1, 0] {
        let r = raw(addr, "POST", &post_lobby(&sim), Some(&token), Some(body)).await;
        assert_eq!(r.status, 429, "{:?}", r);
        assert_eq!(r.header("retry-after"), Some("2"));
        assert_eq!(r.header("x-ratelimit-scope"), Some("user"));
        assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
        assert_eq!(r.header("x-ratelimit-reset-after"), Some("1.500"));
        assert_eq!(r.header("x-ratelimit-limit"), Some("5"));
        assert_eq!(
            r.header("x-ratelimit-bucket"),
            Some(bucket_id(MESSAGES).as_str())
        );
        assert_eq!(r.header("x-ratelimit-global"), None);
        let j = r.json();
        assert_eq!(j["retry_after"], 1.5);
        assert_eq!(j["global"], false);
        assert_eq!(sim.faults_left(), left);
    }
    let ok = raw(addr, "POST", &post_lobby(&sim), Some(&token), Some(body)).await;
    assert_eq!(ok.status, 200);
    let c = sim.counters();
    let m = c[MESSAGES];
    assert_eq!(
        (m.requests, m.ok, m.rate_limited, m.server_errors),
        (3, 1, 2, 0)
    );
    assert_eq!((c[ME].requests, c[ME].rate_limited), (1, 0));
    // Faulted requests stored nothing; Discord counts 429s as invalid.
    assert_eq!(sim.channel_messages(sim.ids().lobby).len(), 1);
    assert_eq!(sim.invalid_requests(), (2, 2));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_global_429_says_global() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let (addr, token) = (sim.http_addr(), sim.config().token.clone());
    sim.inject(Fault::globally_rate_limited(1, Duration::from_millis(250)))
        .unwrap();
    let r = raw(addr, "GET", "/api/v10/users/@me", Some(&token), None).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("x-ratelimit-global"), Some("true"));
    assert_eq!(r.header("x-ratelimit-scope"), Some("global"));
    assert_eq!(r.header("retry-after"), Some("1"));
    assert_eq!(r.json()["global"], true);
    assert_eq!(r.json()["retry_after"], 0.25);
    let r = raw(addr, "GET", "/api/v10/users/@me", Some(&token), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(sim.counters()[ME].rate_limited, 1);
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_server_errors_are_counted_change_nothing_and_use_no_bucket() {
    // One request per minute on the message route: a faulted request must not
    // use it up, or the request after the storm would get a 429.
    let mut route_limits = HashMap::new();
    route_limits.insert(
        MESSAGES.to_owned(),
        RouteLimit::new(1, Duration::from_secs(60)),
    );
    let sim = Simulator::start(SimConfig {
        route_limits,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let (addr, token) = (sim.http_addr(), sim.config().token.clone());
    sim.inject(Fault::server_error(1, 502).on(MESSAGES))
        .unwrap();
    sim.inject(Fault::server_error(2, 503)).unwrap();
    assert_eq!(sim.faults_left(), 3);
    let body = r#"{"content":"hello"}"#;
    for status in [502, 503, 503] {
        let r = raw(addr, "POST", &post_lobby(&sim), Some(&token), Some(body)).await;
        assert_eq!(r.status, status);
        assert_eq!(r.header("x-ratelimit-bucket"), None);
        assert!(
            r.json()["message"]
                .as_str()
                .is_some_and(|m| m.contains("injected")),
            "{:?}",
            r.json()
        );
    }
    assert_eq!(sim.faults_left(), 0);
    let ok = raw(addr, "POST", &post_lobby(&sim), Some(&token), Some(body)).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("x-ratelimit-remaining"), Some("0"));
    let m = sim.counters()[MESSAGES];
    assert_eq!(
        (
            m.requests,
            m.ok,
            m.server_errors,
            m.rate_limited,
            m.client_errors
        ),
        (4, 1, 3, 0, 0)
    );
    assert_eq!(sim.totals().server_errors, 3);
    assert_eq!(sim.channel_messages(sim.ids().lobby).len(), 1);
    // 5xx are not invalid requests.
    assert_eq!(sim.invalid_requests(), (0, 0));
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nonsense_faults_are_refused_and_change_nothing() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    for (fault, why) in [
        (Fault::server_error(1, 404), FaultError::NotServerError(404)),
        (Fault::server_error(0, 500), FaultError::NoRequests),
        (
            Fault::rate_limited(1, Duration::ZERO),
            FaultError::RetryAfter(Duration::ZERO),
        ),
        (
            Fault::rate_limited(1, Duration::from_secs(7200)),
            FaultError::RetryAfter(Duration::from_secs(7200)),
        ),
        (Fault::server_error(1, 500).on(""), FaultError::EmptyPrefix),
    ] {
        match sim.inject(fault) {
            Err(SimError::Fault(e)) => assert_eq!(e, why),
            other => panic!("expected {why:?}, got {other:?}"),
        }
    }
    assert_eq!(sim.faults_left(), 0);
    let token = sim.config().token.clone();
    let r = raw(
        sim.http_addr(),
        "GET",
        "/api/v10/users/@me",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    // Pending faults can be dropped.
    sim.inject(Fault::server_error(5, 500)).unwrap();
    sim.clear_faults();
    assert_eq!(sim.faults_left(), 0);
    let r = raw(
        sim.http_addr(),
        "GET",
        "/api/v10/users/@me",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(r.status, 200);
    sim.shutdown().await;
}

/// twilight-http retries a 429 by itself (after the reset its limiter learned
/// from the headers), so its caller sees success and never the 429s; a 5xx
/// it hands back at once. This is what ladderd's scheduler sits on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilight_retries_injected_429s_itself_and_hands_5xx_back() {
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let client = http(&sim, true);
    let lobby = Id::new(sim.ids().lobby);
    sim.inject(Fault::rate_limited(3, Duration::from_millis(100)).on(MESSAGES))
        .unwrap();
    let sent = tokio::time::timeout(
        Duration::from_secs(30),
        client.create_message(lobby).content("through the storm"),
    )
    .await
    .expect("a hang guard");
    assert!(sent.is_ok(), "{sent:?}");
    let m = sim.counters()[MESSAGES];
    assert_eq!((m.requests, m.rate_limited, m.ok), (4, 3, 1));
    assert_eq!(sim.channel_messages(sim.ids().lobby).len(), 1);

    sim.inject(Fault::server_error(1, 502).on(MESSAGES))
        .unwrap();
    let failed = client.create_message(lobby).content("once").await;
    let err = failed.expect_err("a 5xx is not retried by twilight");
    assert!(
        matches!(
            err.kind(),
            twilight_http::error::ErrorType::Response { status, .. } if status.get() == 502
        ),
        "{err:?}"
    );
    assert_eq!(sim.counters()[MESSAGES].server_errors, 1);
    assert_eq!(sim.channel_messages(sim.ids().lobby).len(), 1);
    sim.shutdown().await;
}

/// What the end-to-end tests lean on besides faults: `/name sub` with typed
/// options arrives as twilight's subcommand, `Simulator::reply` finds the
/// answer to one interaction, and the registered commands can be read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subcommands_replies_and_registered_commands() {
    use ladderd::sim::{Interact, OptionValue};
    use twilight_model::application::command::CommandType;
    use twilight_model::application::interaction::InteractionData;
    use twilight_model::application::interaction::application_command::CommandOptionValue as V;
    use twilight_model::gateway::event::Event;
    use twilight_model::http::interaction::{
        InteractionResponse, InteractionResponseData, InteractionResponseType,
    };

    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let client = http(&sim, true);
    let app = Id::new(sim.ids().application);
    let guild = Id::new(sim.ids().guild);
    let ann = sim.add_user("ann");
    let mut shard = crate::support::sim::shard(&sim);
    let t = Duration::from_secs(20);
    crate::support::sim::next_matching(&mut shard, t, |e| matches!(e, Event::GuildCreate(_))).await;

    let sent = sim
        .interact(
            ann,
            sim.ids().lobby,
            &Interact::Subcommand {
                name: "admin".into(),
                sub: "resolve".into(),
                options: vec![
                    ("match".into(), OptionValue::Integer(7)),
                    ("outcome".into(), OptionValue::String("draw".into())),
                    ("best".into(), OptionValue::Boolean(true)),
                    ("player".into(), OptionValue::User(ann)),
                ],
            },
        )
        .unwrap();
    let Event::InteractionCreate(i) = crate::support::sim::next_matching(&mut shard, t, |e| {
        matches!(e, Event::InteractionCreate(_))
    })
    .await
    else {
        unreachable!()
    };
    let Some(InteractionData::ApplicationCommand(data)) = &i.data else {
        panic!("{:?}", i.data)
    };
    assert_eq!(data.name, "admin");
    let [sub] = data.options.as_slice() else {
        panic!("{:?}", data.options)
    };
    assert_eq!(sub.name, "resolve");
    let V::SubCommand(opts) = &sub.value else {
        panic!("{:?}", sub.value)
    };
    let values: Vec<(&str, &V)> = opts.iter().map(|o| (o.name.as_str(), &o.value)).collect();
    assert_eq!(
        values,
        vec![
            ("match", &V::Integer(7)),
            ("outcome", &V::String("draw".into())),
            ("best", &V::Boolean(true)),
            ("player", &V::User(Id::new(ann))),
        ]
    );

    assert!(sim.reply(&sent).is_none(), "no reply yet");
    let reply = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("resolved".into()),
            ..Default::default()
        }),
    };
    client
        .interaction(app)
        .create_response(Id::new(sent.id), &sent.token, &reply)
        .await
        .unwrap();
    assert_eq!(
        sim.reply(&sent).map(|m| m.content).as_deref(),
        Some("resolved")
    );

    // Nothing registered yet, then what was registered.
    let none = client.interaction(app).guild_commands(guild).await.unwrap();
    assert!(none.models().await.unwrap().is_empty());
    let command = twilight_util::builder::command::CommandBuilder::new(
        "admin",
        "Ladder administration",
        CommandType::ChatInput,
    )
    .build();
    client
        .interaction(app)
        .set_guild_commands(guild, &[command])
        .await
        .unwrap();
    let listed = client
        .interaction(app)
        .guild_commands(guild)
        .await
        .unwrap()
        .models()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "admin");
    sim.shutdown().await;
}
