//! A seeded population plays a simulated hour against a trivial echo bot
//! (real twilight-gateway + twilight-http), and the counters add up.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use ladderd::sim::players::{Action, Concrete, Order, Population, Script, Step, play};
use ladderd::sim::{Place, RouteLimit, SimConfig, Simulator};
use twilight_gateway::{EventTypeFlags, StreamExt as _};
use twilight_model::application::interaction::InteractionData;
use twilight_model::channel::message::MessageFlags;
use twilight_model::gateway::event::Event;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;

use crate::support::sim::{http, raw, shard};

const MESSAGES: &str = "POST /channels/{channel_id}/messages";
const CALLBACK: &str = "POST /interactions/{interaction_id}/{interaction_token}/callback";
const CDN: &str = "GET /attachments (CDN)";

fn script() -> Script {
    let s = |name: &str| (name.to_owned(), "x".to_owned());
    Script {
        steps: vec![
            Step {
                action: Action::Slash {
                    name: "queue".into(),
                    options: vec![s("race")],
                },
                weight: 3,
            },
            Step {
                action: Action::Button {
                    custom_id: "match:confirm".into(),
                },
                weight: 3,
            },
            Step {
                action: Action::Select {
                    custom_id: "veto".into(),
                    options: vec!["Alcyone".into(), "Amphion".into(), "Crimson Court".into()],
                    pick: 1,
                },
                weight: 2,
            },
            Step {
                action: Action::Modal {
                    custom_id: "setup".into(),
                    fields: vec![s("battletag"), s("country")],
                },
                weight: 1,
            },
            Step {
                action: Action::Upload {
                    files: vec![
                        ("a.SC2Replay".into(), Bytes::from(vec![7u8; 3000])),
                        ("b.SC2Replay".into(), Bytes::from(vec![9u8; 5000])),
                    ],
                },
                weight: 1,
            },
        ],
        order: Order::Random,
        think: (Duration::from_secs(30), Duration::from_secs(240)),
    }
}

fn label(data: &Option<InteractionData>) -> String {
    match data {
        Some(InteractionData::ApplicationCommand(c)) => format!("/{}", c.name),
        Some(InteractionData::MessageComponent(c)) => {
            format!("{} {}", c.custom_id, c.values.join(","))
        }
        Some(InteractionData::ModalSubmit(m)) => m.custom_id.clone(),
        _ => "?".into(),
    }
}

/// The echo bot: an ephemeral echo for every interaction, a lobby message
/// with the byte count for every user message (after fetching its files).
async fn echo_bot(sim: Arc<Simulator>, ready: tokio::sync::oneshot::Sender<()>) {
    let mut shard = shard(&sim);
    // Callbacks go through a client without twilight's limiter, as ladderd's
    // interaction transport does, so they never queue behind each other.
    let callbacks = Arc::new(http(&sim, false));
    let paced = Arc::new(http(&sim, true));
    let app = Id::new(sim.ids().application);
    let mut ready = Some(ready);
    while let Some(event) = shard.next_event(EventTypeFlags::all()).await {
        match event {
            Ok(Event::GuildCreate(_)) => {
                if let Some(r) = ready.take() {
                    let _ = r.send(());
                }
            }
            Ok(Event::InteractionCreate(i)) => {
                let callbacks = callbacks.clone();
                tokio::spawn(async move {
                    let reply = InteractionResponse {
                        kind: InteractionResponseType::ChannelMessageWithSource,
                        data: Some(InteractionResponseData {
                            content: Some(format!("echo {}", label(&i.data))),
                            flags: Some(MessageFlags::EPHEMERAL),
                            ..Default::default()
                        }),
                    };
                    callbacks
                        .interaction(app)
                        .create_response(i.id, &i.token, &reply)
                        .await
                        .expect("callback");
                });
            }
            Ok(Event::MessageCreate(m)) if !m.author.bot => {
                let (paced, addr) = (paced.clone(), sim.http_addr());
                tokio::spawn(async move {
                    let mut bytes = 0;
                    for a in &m.attachments {
                        let path = a.url.split_once(&addr.to_string()).expect("cdn url").1;
                        bytes += raw(addr, "GET", path, None, None).await.body.len();
                    }
                    paced
                        .create_message(m.channel_id)
                        .content(&format!("got {bytes} bytes"))
                        .await
                        .expect("reply");
                });
            }
            Ok(_) => {}
            Err(e) => panic!("gateway error: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_population_plays_a_simulated_hour_against_an_echo_bot() {
    let mut route_limits = HashMap::new();
    // The lobby sees an hour of uploads in seconds; widen its bucket so the
    // compressed run is not a rate-limit test (those are in sim_rest).
    route_limits.insert(
        MESSAGES.to_owned(),
        RouteLimit::new(50, Duration::from_secs(1)),
    );
    let config = SimConfig {
        route_limits,
        scope_on_success: true,
        ..SimConfig::default()
    };
    let sim = Arc::new(Simulator::start(config).await.unwrap());
    let population = Population {
        seed: 2026,
        players: 30,
        script: script(),
    };
    let users: Vec<u64> = (0..population.players)
        .map(|i| sim.add_user(&format!("player{i}")))
        .collect();
    let plan = population.plan(Duration::from_secs(3600));

    let (tx, rx) = tokio::sync::oneshot::channel();
    let bot = tokio::spawn(echo_bot(sim.clone(), tx));
    tokio::time::timeout(Duration::from_secs(20), rx)
        .await
        .unwrap()
        .unwrap();

    // One simulated hour in six real seconds.
    let report = play(&sim, &plan, &users, 600).await.unwrap();
    let posts = plan
        .iter()
        .filter(|p| matches!(p.what, Concrete::Post { .. }))
        .count() as u64;
    let interactions = plan.len() as u64 - posts;
    assert_eq!(
        (report.interactions, report.posts, report.uploads),
        (interactions, posts, posts)
    );
    assert!(interactions > 500, "an hour of 30 players: {interactions}");
    eprintln!("simulated hour: {interactions} interactions, {posts} uploads by 30 players");

    let done = sim.wait_until(|s| {
        let c = s.counters();
        let ok = |k: &str| c.get(k).map_or(0, |r| r.ok);
        ok(CALLBACK) == interactions && ok(MESSAGES) == posts && ok(CDN) == posts
    });
    tokio::time::timeout(Duration::from_secs(60), done)
        .await
        .expect("the bot answered everything");
    let c = sim.counters();
    assert_eq!(sim.totals().rate_limited, 0, "{c:?}");
    assert_eq!(sim.totals().client_errors, 0, "{c:?}");
    assert_eq!(c[CALLBACK].requests, interactions);
    assert_eq!(c[MESSAGES].requests, posts);
    assert_eq!(c[CDN].requests, posts);
    // Dispatches: each interaction, each player post, each bot reply.
    assert_eq!(sim.gateway().stats().dispatches, interactions + 2 * posts);

    // Per user: one ephemeral echo per own interaction, and the lobby (every
    // player's post and every reply) like everyone else.
    let mut per_player: BTreeMap<usize, u64> = BTreeMap::new();
    for p in &plan {
        if matches!(p.what, Concrete::Interact(_)) {
            *per_player.entry(p.player).or_default() += 1;
        }
    }
    for (i, &u) in users.iter().enumerate() {
        let seen = sim.seen_by(u);
        let eph = seen.iter().filter(|s| s.place == Place::Ephemeral).count() as u64;
        assert_eq!(eph, per_player.get(&i).copied().unwrap_or(0), "player {i}");
        assert!(
            seen.iter()
                .filter(|s| s.place == Place::Ephemeral)
                .all(|s| s.message.content.starts_with("echo "))
        );
        let lobby = seen.iter().filter(|s| s.place == Place::Lobby).count() as u64;
        assert_eq!(lobby, 2 * posts);
    }
    let bytes: u64 = sim
        .channel_messages(sim.ids().lobby)
        .iter()
        .filter_map(|m| {
            m.content
                .strip_prefix("got ")?
                .strip_suffix(" bytes")?
                .parse::<u64>()
                .ok()
        })
        .sum();
    let planned_bytes: u64 = plan
        .iter()
        .filter_map(|p| match &p.what {
            Concrete::Post {
                file: Some((_, b)), ..
            } => Some(b.len() as u64),
            _ => None,
        })
        .sum();
    assert_eq!(bytes, planned_bytes, "the CDN served every upload whole");
    bot.abort();
    let _ = bot.await;
    match Arc::try_unwrap(sim) {
        Ok(sim) => sim.shutdown().await,
        Err(_) => panic!("simulator still shared"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn players_click_the_buttons_the_bot_showed_them() {
    use twilight_model::channel::message::Component;
    use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};

    let sim = Arc::new(Simulator::start(SimConfig::default()).await.unwrap());
    let client = http(&sim, true);
    let mut shard = shard(&sim);
    crate::support::sim::next_matching(&mut shard, Duration::from_secs(20), |e| {
        matches!(e, Event::GuildCreate(_))
    })
    .await;
    let users = vec![sim.add_user("p0"), sim.add_user("p1")];
    let population = Population {
        seed: 1,
        players: 2,
        script: Script {
            steps: vec![Step {
                action: Action::ClickShown {
                    prefix: "match:".into(),
                },
                weight: 1,
            }],
            order: Order::Sequence,
            think: (Duration::from_secs(1), Duration::from_secs(1)),
        },
    };
    // Before the bot shows a button there is nothing to click.
    let early = play(
        &sim,
        &population.plan(Duration::from_millis(1500)),
        &users,
        100,
    )
    .await
    .unwrap();
    assert_eq!((early.interactions, early.skipped), (0, 2));

    let button = |id: &str| {
        Component::Button(Button {
            custom_id: Some(id.into()),
            disabled: false,
            emoji: None,
            id: None,
            label: Some("Confirm".into()),
            sku_id: None,
            style: ButtonStyle::Success,
            url: None,
        })
    };
    let row = Component::ActionRow(ActionRow {
        components: vec![button("other"), button("match:42:confirm")],
        id: None,
    });
    let shown = client
        .create_message(Id::new(sim.ids().lobby))
        .content("match found")
        .components(&[row])
        .await
        .unwrap()
        .model()
        .await
        .unwrap();
    let report = play(
        &sim,
        &population.plan(Duration::from_millis(1500)),
        &users,
        100,
    )
    .await
    .unwrap();
    assert_eq!((report.interactions, report.skipped), (2, 0));
    let mut clickers = Vec::new();
    while clickers.len() < 2 {
        let e = crate::support::sim::next_matching(&mut shard, Duration::from_secs(20), |e| {
            matches!(e, Event::InteractionCreate(_))
        })
        .await;
        let Event::InteractionCreate(i) = e else {
            unreachable!()
        };
        let Some(InteractionData::MessageComponent(c)) = &i.data else {
            panic!("{i:?}")
        };
        assert_eq!(c.custom_id, "match:42:confirm");
        assert_eq!(i.message.as_ref().map(|m| m.id), Some(shown.id));
        clickers.push(i.author_id().unwrap().get());
    }
    clickers.sort_unstable();
    assert_eq!(clickers, users);
    drop(shard);
    match Arc::try_unwrap(sim) {
        Ok(sim) => sim.shutdown().await,
        Err(_) => panic!("simulator still shared"),
    }
}
