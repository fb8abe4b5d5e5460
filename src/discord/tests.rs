//! The outbound scheduler against a fake Discord that enforces per-route
//! buckets and the global limit the way Discord documents them, with paused
//! time: every figure here is virtual time, deterministic.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::outbound::*;
use super::ratelimit::{RateLimitHeaders, RouteKey};

#[derive(Debug, Clone)]
struct FakeRequest {
    route: String,
    id: u64,
    interaction: bool,
}

#[derive(Default)]
struct FakeState {
    /// route -> (window end, used)
    buckets: HashMap<String, (Instant, u32)>,
    recent_global: VecDeque<Instant>,
    delivered: Vec<(String, u64, Instant)>,
    status_429: u64,
    max_global_in_window: usize,
    /// Scripted statuses by request id, consumed one per attempt.
    script: HashMap<u64, VecDeque<u16>>,
    /// `Retry-After` on scripted 429s (none: no rate-limit headers at all).
    scripted_retry_after: Option<Duration>,
    /// When each request id was sent, every attempt.
    attempts: HashMap<u64, Vec<Instant>>,
}

struct FakeDiscord {
    limit: u32,
    window: Duration,
    latency: Duration,
    state: Mutex<FakeState>,
}

impl FakeDiscord {
    fn new(limit: u32, window: Duration, latency: Duration) -> FakeDiscord {
        FakeDiscord {
            limit,
            window,
            latency,
            state: Mutex::default(),
        }
    }
}

impl Transport for std::sync::Arc<FakeDiscord> {
    type Request = FakeRequest;
    type Body = ();

    async fn send(&self, req: &FakeRequest) -> Result<Reply<()>, String> {
        self.state
            .lock()
            .unwrap()
            .attempts
            .entry(req.id)
            .or_default()
            .push(Instant::now());
        tokio::time::sleep(self.latency / 2).await;
        let now = Instant::now();
        let reply = {
            let mut s = self.state.lock().unwrap();
            if let Some(status) = s.script.get_mut(&req.id).and_then(VecDeque::pop_front) {
                if status == 0 {
                    return Err("connection reset".into());
                }
                if status != 200 {
                    let headers = match (status, s.scripted_retry_after) {
                        (429, Some(wait)) => RateLimitHeaders {
                            retry_after: Some(wait),
                            scope: Some("user".into()),
                            ..Default::default()
                        },
                        _ => RateLimitHeaders::default(),
                    };
                    return Ok(Reply {
                        status,
                        headers,
                        body: (),
                    });
                }
            }
            if !req.interaction {
                while s
                    .recent_global
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
                {
                    s.recent_global.pop_front();
                }
                if s.recent_global.len() >= 50 {
                    s.status_429 += 1;
                    let retry = *s.recent_global.front().unwrap() + Duration::from_secs(1) - now;
                    return Ok(Reply {
                        status: 429,
                        headers: RateLimitHeaders {
                            global: true,
                            scope: Some("global".into()),
                            retry_after: Some(retry),
                            ..Default::default()
                        },
                        body: (),
                    });
                }
            }
            let window = self.window;
            let limit = self.limit;
            let entry = s
                .buckets
                .entry(req.route.clone())
                .or_insert((now + window, 0));
            if entry.0 <= now {
                *entry = (now + window, 0);
            }
            let (end, used) = *entry;
            if !req.interaction && used >= limit {
                s.status_429 += 1;
                Reply {
                    status: 429,
                    headers: RateLimitHeaders {
                        bucket: Some(format!("bucket-{}", req.route)),
                        limit: Some(limit),
                        remaining: Some(0),
                        reset_after: Some(end - now),
                        scope: Some("user".into()),
                        retry_after: Some(end - now),
                        ..Default::default()
                    },
                    body: (),
                }
            } else {
                s.buckets.get_mut(&req.route).unwrap().1 += 1;
                if !req.interaction {
                    s.recent_global.push_back(now);
                    s.max_global_in_window = s.max_global_in_window.max(s.recent_global.len());
                }
                s.delivered.push((req.route.clone(), req.id, now));
                // As documented: bucket headers on every response, no scope on 2xx.
                Reply {
                    status: 200,
                    headers: RateLimitHeaders {
                        bucket: Some(format!("bucket-{}", req.route)),
                        limit: Some(limit),
                        remaining: Some(limit - used - 1),
                        reset_after: Some(end - now),
                        ..Default::default()
                    },
                    body: (),
                }
            }
        };
        tokio::time::sleep(self.latency / 2).await;
        Ok(reply)
    }
}

type Fake = std::sync::Arc<FakeDiscord>;

fn start(
    fake: &Fake,
    config: OutboundConfig,
) -> (
    Outbound<Fake>,
    CancellationToken,
    tokio::task::JoinHandle<()>,
) {
    let shutdown = CancellationToken::new();
    let (out, task) = Outbound::spawn(fake.clone(), config, shutdown.clone());
    (out, shutdown, task)
}

fn req(route: &str, id: u64) -> (RouteKey, FakeRequest) {
    (
        RouteKey(route.into()),
        FakeRequest {
            route: route.into(),
            id,
            interaction: false,
        },
    )
}

#[tokio::test(start_paused = true)]
async fn a_burst_on_one_route_is_paced_in_order_without_429() {
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(50),
    ));
    let (out, _stop, _task) = start(&fake, OutboundConfig::default());
    let t0 = Instant::now();
    let waits: Vec<_> = (0..30)
        .map(|i| {
            let (route, r) = req("POST /channels/1/messages", i);
            out.send(Priority::Channel, route, r)
        })
        .collect();
    for w in waits {
        assert_eq!(w.await.unwrap().unwrap().status, 200);
    }
    let s = fake.state.lock().unwrap();
    assert_eq!(s.status_429, 0);
    let ids: Vec<u64> = s.delivered.iter().map(|d| d.1).collect();
    assert_eq!(ids, (0..30).collect::<Vec<_>>(), "per-route order kept");
    // 30 requests at 5 per 5 s need five more windows after the first.
    assert!(
        t0.elapsed() >= Duration::from_secs(25),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(out.stats().rate_limited.load(Ordering::Relaxed), 0);
}

#[tokio::test(start_paused = true)]
async fn many_routes_stay_under_the_global_limit() {
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(20),
    ));
    let (out, _stop, _task) = start(&fake, OutboundConfig::default());
    let waits: Vec<_> = (0..300)
        .map(|i| {
            let (route, r) = req(&format!("POST /channels/{i}/messages"), i);
            out.send(Priority::Channel, route, r)
        })
        .collect();
    for w in waits {
        assert_eq!(w.await.unwrap().unwrap().status, 200);
    }
    let s = fake.state.lock().unwrap();
    assert_eq!(s.status_429, 0);
    assert!(s.max_global_in_window <= 50, "{}", s.max_global_in_window);
    assert_eq!(s.delivered.len(), 300);
}

#[tokio::test(start_paused = true)]
async fn interaction_callbacks_are_not_serialised_behind_anything() {
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(300),
    ));
    let (out, _stop, _task) = start(&fake, OutboundConfig::default());
    // A backlog of paced work that will take minutes.
    for i in 0..200 {
        let (route, r) = req("POST /channels/1/messages", 10_000 + i);
        drop(out.send(Priority::Channel, route, r));
    }
    let t0 = Instant::now();
    let clicks: Vec<_> = (0..50)
        .map(|i| {
            let route = format!("POST /interactions/{i}/token{i}/callback");
            out.send(
                Priority::Interaction,
                RouteKey(route.clone()),
                FakeRequest {
                    route,
                    id: i,
                    interaction: true,
                },
            )
        })
        .collect();
    for c in clicks {
        assert_eq!(c.await.unwrap().unwrap().status, 200);
    }
    // All 50 in parallel: one callback latency, nowhere near Discord's 3 s.
    assert!(
        t0.elapsed() < Duration::from_millis(400),
        "{:?}",
        t0.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn direct_messages_overtake_queued_channel_work() {
    let fake = Fake::new(FakeDiscord::new(
        100,
        Duration::from_secs(1),
        Duration::from_millis(10),
    ));
    let config = OutboundConfig {
        global_per_second: 2,
        ..OutboundConfig::default()
    };
    let (out, _stop, _task) = start(&fake, config);
    let mut waits = Vec::new();
    for i in 0..4 {
        let (route, r) = req(&format!("POST /channels/{i}/messages"), i);
        waits.push(out.send(Priority::Channel, route, r));
    }
    for i in 0..2 {
        let (route, r) = req(&format!("POST /channels/dm{i}/messages"), 100 + i);
        waits.push(out.send(Priority::Direct, route, r));
    }
    for w in waits {
        w.await.unwrap().unwrap();
    }
    let order: Vec<u64> = fake
        .state
        .lock()
        .unwrap()
        .delivered
        .iter()
        .map(|d| d.1)
        .collect();
    // The first two channel messages were already sent when the DMs arrived
    // (same instant, but the scheduler had dispatched them); the DMs then go
    // before the remaining channel messages.
    let dm_positions: Vec<usize> = order
        .iter()
        .enumerate()
        .filter(|(_, id)| **id >= 100)
        .map(|(i, _)| i)
        .collect();
    let last_channel = order.iter().rposition(|id| *id < 100).unwrap();
    assert!(dm_positions.iter().all(|p| *p < last_channel), "{order:?}");
}

#[tokio::test(start_paused = true)]
async fn server_errors_are_retried_and_refusals_reported() {
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(10),
    ));
    {
        let mut s = fake.state.lock().unwrap();
        s.script.insert(1, VecDeque::from([502, 0, 200]));
        s.script.insert(2, VecDeque::from([400]));
        s.script.insert(3, VecDeque::from([500, 500, 500, 500]));
    }
    let config = OutboundConfig {
        max_attempts: 4,
        ..OutboundConfig::default()
    };
    let (out, _stop, _task) = start(&fake, config);
    let (r1, q1) = req("POST /channels/1/messages", 1);
    let (r2, q2) = req("POST /channels/2/messages", 2);
    let (r3, q3) = req("POST /channels/3/messages", 3);
    let (a, b, c) = (
        out.send(Priority::Channel, r1, q1),
        out.send(Priority::Channel, r2, q2),
        out.send(Priority::Channel, r3, q3),
    );
    assert_eq!(a.await.unwrap().unwrap().status, 200);
    assert!(matches!(
        b.await.unwrap().unwrap_err(),
        Failure::Refused { status: 400, .. }
    ));
    assert!(matches!(
        c.await.unwrap().unwrap_err(),
        Failure::GaveUp { attempts: 4, .. }
    ));
    let stats = out.stats();
    assert_eq!(stats.retries.load(Ordering::Relaxed), 2 + 3);
    assert_eq!(stats.failed.load(Ordering::Relaxed), 2);
    assert_eq!(stats.queued.load(Ordering::Relaxed), 0);
    // All three were channel messages: the class carries the same figures.
    let class = stats.class(RouteClass::ChannelMessage);
    assert_eq!(class.sent.load(Ordering::Relaxed), 3 + 1 + 4);
    assert_eq!(class.retries.load(Ordering::Relaxed), 2 + 3);
    assert_eq!(class.failed.load(Ordering::Relaxed), 2);
    assert_eq!(stats.class(RouteClass::Dm).sent.load(Ordering::Relaxed), 0);
}

#[test]
fn route_classes_follow_the_route_key_and_priority() {
    let class = |p: Priority, route: &str| RouteClass::of(p, &RouteKey(route.into()));
    use Priority::*;
    use RouteClass as C;
    let cases = [
        (
            Interaction,
            "POST interactions/1/{token}/callback",
            C::Interaction,
        ),
        (Interaction, "POST webhooks/2/{token}", C::Interaction),
        (
            Interaction,
            "PATCH webhooks/2/{token}/messages/@original",
            C::Interaction,
        ),
        (Direct, "POST users/@me/channels", C::Dm),
        (Direct, "POST channels/5/messages", C::Dm),
        (Channel, "POST channels/5/messages", C::ChannelMessage),
        (Channel, "PATCH channels/5/messages/6", C::ChannelMessage),
        (Channel, "POST /channels/5/messages", C::ChannelMessage),
        (Channel, "POST channels/5/threads", C::Thread),
        (Channel, "POST channels/5/messages/6/threads", C::Thread),
        (Channel, "PUT channels/5/thread-members/7", C::ThreadMember),
        (Channel, "GET applications/1/guilds/3/commands", C::Commands),
        (Channel, "PUT applications/1/guilds/3/commands", C::Commands),
        (Channel, "PUT applications/1/commands", C::Commands),
        (Channel, "PATCH channels/5", C::Other),
        (Channel, "GET gateway/bot", C::Other),
        (Channel, "", C::Other),
        (Channel, "POST", C::Other),
    ];
    for (priority, route, want) in cases {
        assert_eq!(class(priority, route), want, "{priority:?} {route:?}");
    }
    // Labels are distinct Prometheus label values.
    let labels: std::collections::HashSet<&str> =
        RouteClass::ALL.iter().map(|c| c.label()).collect();
    assert_eq!(labels.len(), RouteClass::ALL.len());
    for (i, c) in RouteClass::ALL.iter().enumerate() {
        assert_eq!(*c as usize, i, "ALL is in index order");
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_is_counted_waited_out_and_delivered() {
    // Discord's bucket is tighter than the first response admits (another
    // client shares it): the pacer learns from the 429 and retries after it.
    let fake = Fake::new(FakeDiscord::new(
        1,
        Duration::from_secs(2),
        Duration::from_millis(10),
    ));
    let (out, _stop, _task) = start(&fake, OutboundConfig::default());
    fake.state.lock().unwrap().buckets.insert(
        "POST /channels/1/messages".into(),
        (Instant::now() + Duration::from_secs(2), 1),
    );
    let (route, r) = req("POST /channels/1/messages", 7);
    assert_eq!(
        out.send(Priority::Channel, route, r)
            .await
            .unwrap()
            .unwrap()
            .status,
        200
    );
    assert_eq!(out.stats().rate_limited.load(Ordering::Relaxed), 1);
    assert_eq!(
        out.stats()
            .class(RouteClass::ChannelMessage)
            .rate_limited
            .load(Ordering::Relaxed),
        1
    );
    assert_eq!(fake.state.lock().unwrap().status_429, 1);
}

#[tokio::test(start_paused = true)]
async fn shutdown_sends_what_was_queued_then_stops() {
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(10),
    ));
    let (out, stop, task) = start(&fake, OutboundConfig::default());
    for i in 0..12 {
        let (route, r) = req("POST /channels/1/messages", i);
        drop(out.send(Priority::Channel, route, r));
    }
    stop.cancel();
    task.await.unwrap();
    assert_eq!(fake.state.lock().unwrap().delivered.len(), 12);
    let (route, r) = req("POST /channels/1/messages", 99);
    assert_eq!(
        out.send(Priority::Channel, route, r)
            .await
            .unwrap()
            .unwrap_err(),
        Failure::ShuttingDown
    );
}

fn interaction(id: u64) -> (RouteKey, FakeRequest) {
    let route = format!("POST /interactions/{id}/token{id}/callback");
    (
        RouteKey(route.clone()),
        FakeRequest {
            route,
            id,
            interaction: true,
        },
    )
}

/// Gaps between one request's attempts.
fn gaps(fake: &Fake, id: u64) -> Vec<Duration> {
    let s = fake.state.lock().unwrap();
    s.attempts[&id].windows(2).map(|w| w[1] - w[0]).collect()
}

/// A 5xx outage of about a minute: the request is retried with doubling
/// backoff capped at 10 s, and delivered when Discord is back.
#[tokio::test(start_paused = true)]
async fn a_minute_of_server_errors_is_ridden_out_with_capped_backoff() {
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(10),
    ));
    let config = OutboundConfig::default();
    let failures = config.max_attempts - 1;
    fake.state.lock().unwrap().script.insert(
        1,
        (0..failures)
            .map(|i| [500, 502, 503, 0][i as usize % 4])
            .collect(),
    );
    let (out, _stop, _task) = start(&fake, config.clone());
    let t0 = Instant::now();
    let (route, r) = req("POST /users/@me/channels", 1);
    let reply = out.send(Priority::Direct, route, r).await.unwrap();
    assert_eq!(reply.unwrap().status, 200);
    assert!(
        t0.elapsed() >= Duration::from_secs(60),
        "{:?}",
        t0.elapsed()
    );
    let gaps = gaps(&fake, 1);
    assert_eq!(gaps.len(), failures as usize);
    for (i, gap) in gaps.iter().enumerate() {
        let backoff = (config.backoff * 2u32.pow(i as u32)).min(config.backoff_cap);
        assert!(
            *gap >= backoff,
            "retry {i} after {gap:?}, backoff {backoff:?}"
        );
    }
    assert!(gaps.last().unwrap() >= &config.backoff_cap);
    let stats = out.stats();
    assert_eq!(stats.retries.load(Ordering::Relaxed), u64::from(failures));
    assert_eq!(
        stats.class(RouteClass::Dm).retries.load(Ordering::Relaxed),
        u64::from(failures)
    );
    assert_eq!(stats.failed.load(Ordering::Relaxed), 0);
}

/// One more 5xx than the attempts allow: given up, logged and counted.
#[tokio::test(start_paused = true)]
async fn an_outage_longer_than_every_attempt_fails_counted() {
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(10),
    ));
    let config = OutboundConfig::default();
    fake.state
        .lock()
        .unwrap()
        .script
        .insert(1, (0..config.max_attempts).map(|_| 503).collect());
    let (out, _stop, _task) = start(&fake, config.clone());
    let (route, r) = req("POST /channels/1/messages", 1);
    let outcome = out.send(Priority::Channel, route, r).await.unwrap();
    assert_eq!(
        outcome.unwrap_err(),
        Failure::GaveUp {
            attempts: config.max_attempts,
            last: "HTTP 503".into()
        }
    );
    assert_eq!(out.stats().failed.load(Ordering::Relaxed), 1);
    assert_eq!(
        out.stats()
            .class(RouteClass::ChannelMessage)
            .failed
            .load(Ordering::Relaxed),
        1
    );
    assert_eq!(out.stats().queued.load(Ordering::Relaxed), 0);
}

/// A roomy fake Discord (50 per second a route) that answers request `id`
/// with `n` 429s saying `Retry-After: retry_after` first, for each `(id, n)`.
fn scripted_429s(retry_after: Duration, script: &[(u64, usize)]) -> Fake {
    let fake = Fake::new(FakeDiscord::new(
        50,
        Duration::from_secs(1),
        Duration::from_millis(10),
    ));
    {
        let mut s = fake.state.lock().unwrap();
        s.scripted_retry_after = Some(retry_after);
        for &(id, n) in script {
            s.script.insert(id, std::iter::repeat_n(429, n).collect());
        }
    }
    fake
}

/// A 429 on a paced route and two on an interaction callback: each is
/// counted, in total and per class; each retry, and the next request on the
/// paced route, waits `Retry-After`.
#[tokio::test(start_paused = true)]
async fn a_429_waits_retry_after_on_its_route_interactions_too() {
    let retry_after = Duration::from_millis(900);
    let fake = scripted_429s(retry_after, &[(1, 1), (2, 2)]);
    let (out, _stop, _task) = start(&fake, OutboundConfig::default());
    let (r1, q1) = req("POST /channels/1/messages", 1);
    let (r3, q3) = req("POST /channels/1/messages", 3);
    let (r2, q2) = interaction(2);
    let (a, b, c) = (
        out.send(Priority::Channel, r1, q1),
        out.send(Priority::Interaction, r2, q2),
        out.send(Priority::Channel, r3, q3),
    );
    assert_eq!(a.await.unwrap().unwrap().status, 200);
    assert_eq!(b.await.unwrap().unwrap().status, 200);
    assert_eq!(c.await.unwrap().unwrap().status, 200);
    for gap in gaps(&fake, 1).into_iter().chain(gaps(&fake, 2)) {
        assert!(gap >= retry_after, "{gap:?}");
    }
    assert_eq!(gaps(&fake, 2).len(), 2);
    {
        let s = fake.state.lock().unwrap();
        let first_429 = s.attempts[&1][0];
        assert!(
            s.attempts[&3][0] >= first_429 + retry_after,
            "the route waited for request 3 too"
        );
    }
    let stats = out.stats();
    assert_eq!(stats.rate_limited.load(Ordering::Relaxed), 3);
    let class = |c: RouteClass| stats.class(c).rate_limited.load(Ordering::Relaxed);
    assert_eq!(class(RouteClass::ChannelMessage), 1);
    assert_eq!(class(RouteClass::Interaction), 2);
    assert_eq!(
        stats.retries.load(Ordering::Relaxed),
        0,
        "429s are not 5xx retries"
    );
    assert_eq!(stats.failed.load(Ordering::Relaxed), 0);
}

/// A 429 saying `Retry-After: 0` (or nothing usable) is waited out for at
/// least `MIN_429_WAIT`, and a request 429'd over and over is given up.
#[tokio::test(start_paused = true)]
async fn a_429_saying_zero_does_not_hot_loop() {
    use super::ratelimit::MIN_429_WAIT;
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(2),
    ));
    let config = OutboundConfig {
        max_rate_limited: 5,
        ..OutboundConfig::default()
    };
    {
        let mut s = fake.state.lock().unwrap();
        s.scripted_retry_after = Some(Duration::ZERO);
        s.script.insert(1, (0..20).map(|_| 429).collect());
    }
    let (out, _stop, _task) = start(&fake, config);
    let (route, r) = req("POST /channels/1/messages", 1);
    let outcome = out.send(Priority::Channel, route, r).await.unwrap();
    assert!(
        matches!(outcome, Err(Failure::GaveUp { attempts: 6, .. })),
        "{outcome:?}"
    );
    let gaps = gaps(&fake, 1);
    assert_eq!(gaps.len(), 5);
    assert!(gaps.iter().all(|g| *g >= MIN_429_WAIT), "{gaps:?}");
    assert_eq!(out.stats().rate_limited.load(Ordering::Relaxed), 6);
    assert_eq!(out.stats().failed.load(Ordering::Relaxed), 1);
}

/// A fake Discord (5 per 5 s a route, 10 ms away) that answers request
/// `id` with `statuses` first (0: no answer), for each `(id, statuses)`.
fn scripted(script: &[(u64, &[u16])]) -> Fake {
    let fake = Fake::new(FakeDiscord::new(
        5,
        Duration::from_secs(5),
        Duration::from_millis(10),
    ));
    let mut s = fake.state.lock().unwrap();
    for &(id, statuses) in script {
        s.script.insert(id, statuses.iter().copied().collect());
    }
    drop(s);
    fake
}

/// An interaction callback is retried only while the retry still falls in
/// its 3 s: 250 + 500 + 1000 ms of backoff fit, the next 2 s would not.
#[tokio::test(start_paused = true)]
async fn an_interaction_callback_stops_retrying_at_its_deadline() {
    let fake = scripted(&[(1, &[500; 20])]);
    let config = OutboundConfig::default();
    let (out, _stop, _task) = start(&fake, config.clone());
    let t0 = Instant::now();
    let (route, r) = interaction(1);
    let outcome = out.send(Priority::Interaction, route, r).await.unwrap();
    assert!(
        matches!(outcome, Err(Failure::GaveUp { attempts: 4, .. })),
        "{outcome:?}"
    );
    // Virtual time: it gave up at once rather than sleep past the deadline.
    assert!(
        t0.elapsed() < config.interaction_deadline,
        "{:?}",
        t0.elapsed()
    );
    let stats = out.stats();
    assert_eq!(
        stats
            .class(RouteClass::Interaction)
            .retries
            .load(Ordering::Relaxed),
        3
    );
    assert_eq!(
        stats
            .class(RouteClass::Interaction)
            .failed
            .load(Ordering::Relaxed),
        1
    );
}

/// After a 5xx outage a request waiting out its backoff goes as soon as
/// any request is answered 2xx, not when its timer ends: here the DM's
/// fifth failure (3.75–4.7 s, jitter included) set its next try at 7.75 s
/// or later, and an interaction answered at 5 s brings it forward to then.
/// Once only: a route that keeps failing while others succeed is back on
/// its own timer after that one early try.
#[tokio::test(start_paused = true)]
async fn a_request_backing_off_follows_the_first_success_once() {
    let fake = scripted(&[(1, &[500, 502, 503, 500, 502]), (3, &[500; 6])]);
    let (out, _stop, _task) = start(&fake, OutboundConfig::default());
    let answered = |id| {
        let (route, r) = interaction(id);
        let reply = out.send(Priority::Interaction, route, r);
        async { assert_eq!(reply.await.unwrap().unwrap().status, 200) }
    };
    let t0 = Instant::now();
    let (route, r) = req("POST /channels/dm1/messages", 1);
    let waiting = out.send(Priority::Direct, route, r);
    tokio::time::sleep_until(t0 + Duration::from_secs(5)).await;
    assert_eq!(gaps(&fake, 1).len(), 4, "five failed attempts so far");
    answered(2).await;
    assert_eq!(waiting.await.unwrap().unwrap().status, 200);
    let sent = *fake.state.lock().unwrap().attempts[&1].last().unwrap();
    assert!(
        sent - t0 < Duration::from_millis(5_100),
        "sent {:?} after the start, not at once after the other success",
        sent - t0
    );

    let t1 = Instant::now();
    let (route, r) = req("POST /channels/dm3/messages", 3);
    let waiting = out.send(Priority::Direct, route, r);
    tokio::time::sleep_until(t1 + Duration::from_secs(5)).await;
    answered(4).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    answered(5).await;
    assert_eq!(waiting.await.unwrap().unwrap().status, 200);
    let attempts = fake.state.lock().unwrap().attempts[&3].clone();
    assert_eq!(attempts.len(), 7);
    assert!(
        attempts[5] - t1 < Duration::from_millis(5_100),
        "the early try: {:?}",
        attempts[5] - t1
    );
    assert!(
        attempts[6] - attempts[5] >= Duration::from_secs(8),
        "after its early try failed it waited its own backoff, not the next success: {:?}",
        attempts[6] - attempts[5]
    );
}

/// A 429 is never cut short by another route's success, and a request
/// resubmitted on an interaction route (which the pacer exempts) after its
/// predecessor was given up still waits out that route's `Retry-After`.
#[tokio::test(start_paused = true)]
async fn a_429_wait_is_never_cut_short() {
    let retry_after = Duration::from_secs(5);
    let fake = scripted_429s(retry_after, &[(1, 1), (3, 1)]);
    let (out, _stop, _task) = start(&fake, OutboundConfig::default());
    let (route, r) = req("POST /channels/dm1/messages", 1);
    let waiting = out.send(Priority::Direct, route, r);
    let (route, r) = req("POST /channels/dm2/messages", 2);
    out.send(Priority::Direct, route, r).await.unwrap().unwrap();
    assert_eq!(waiting.await.unwrap().unwrap().status, 200);
    assert!(gaps(&fake, 1)[0] >= retry_after, "{:?}", gaps(&fake, 1));
    // An interaction route: 5 s is past the 3 s deadline, so the first is
    // given up at once; the next on the same route waits the 5 s all the same.
    let followup = "POST /webhooks/1/token3";
    let q = |id| FakeRequest {
        route: followup.into(),
        id,
        interaction: true,
    };
    let given_up = out
        .send(Priority::Interaction, RouteKey(followup.into()), q(3))
        .await
        .unwrap();
    assert!(
        matches!(given_up, Err(Failure::GaveUp { .. })),
        "{given_up:?}"
    );
    let refused_at = fake.state.lock().unwrap().attempts[&3][0];
    let again = out.send(Priority::Interaction, RouteKey(followup.into()), q(5));
    assert_eq!(again.await.unwrap().unwrap().status, 200);
    let sent = fake.state.lock().unwrap().attempts[&5][0];
    assert!(sent >= refused_at + retry_after, "{:?}", sent - refused_at);
}

/// The jitter only ever adds, and at most a quarter.
#[test]
fn jitter_stays_within_a_quarter_above() {
    let base = Duration::from_secs(2);
    let draws: Vec<Duration> = (0..1000).map(|_| jittered(base)).collect();
    assert!(draws.iter().all(|d| *d >= base && *d <= base * 5 / 4));
    let distinct: std::collections::HashSet<_> = draws.iter().collect();
    assert!(distinct.len() > 900, "{} distinct of 1000", distinct.len());
}
