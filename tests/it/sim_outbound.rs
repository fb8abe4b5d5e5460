//! ladderd's own outbound scheduler (`discord::outbound`, pacing by bucket
//! headers) against the simulator's documented rate limits: where
//! twilight-http alone meets a 429 per bucket (see `sim_rest`), ladderd's
//! pacer must meet none, on one route and under the global limit.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use ladderd::discord::outbound::{Outbound, OutboundConfig, Priority, Reply, Transport};
use ladderd::discord::ratelimit::{RateLimitHeaders, RouteKey};
use ladderd::sim::{RouteLimit, SimConfig, Simulator};
use tokio_util::sync::CancellationToken;

use crate::support::sim::raw;

const MESSAGES: &str = "POST /channels/{channel_id}/messages";

/// A transport over raw HTTP/1.1, so the pacing under test is ladderd's alone.
struct RawTransport {
    addr: SocketAddr,
    token: String,
}

impl Transport for RawTransport {
    type Request = (String, String);
    type Body = Vec<u8>;
    fn send(
        &self,
        request: &Self::Request,
    ) -> impl Future<Output = Result<Reply<Vec<u8>>, String>> + Send {
        let (addr, token, (path, body)) = (self.addr, self.token.clone(), request.clone());
        async move {
            let r = raw(addr, "POST", &path, Some(&token), Some(&body)).await;
            let headers =
                RateLimitHeaders::parse(r.headers.iter().map(|(k, v)| (k.as_str(), v.as_bytes())));
            Ok(Reply {
                status: r.status,
                headers,
                body: r.body,
            })
        }
    }
}

async fn run(sim: &Simulator, channels: &[u64], per_channel: usize) -> u64 {
    let transport = RawTransport {
        addr: sim.http_addr(),
        token: sim.config().token.clone(),
    };
    let shutdown = CancellationToken::new();
    let (out, task) = Outbound::spawn(transport, OutboundConfig::default(), shutdown.clone());
    let mut replies = Vec::new();
    for i in 0..per_channel {
        for &c in channels {
            let route = RouteKey(format!("POST /channels/{c}/messages"));
            let req = (
                format!("/api/v10/channels/{c}/messages"),
                format!(r#"{{"content":"n{i}"}}"#),
            );
            replies.push(out.send(Priority::Channel, route, req));
        }
    }
    let mut ok = 0;
    for r in replies {
        if r.await
            .expect("answered")
            .is_ok_and(|reply| reply.status == 200)
        {
            ok += 1;
        }
    }
    let limited = out
        .stats()
        .rate_limited
        .load(std::sync::atomic::Ordering::Relaxed);
    shutdown.cancel();
    task.await.unwrap();
    assert_eq!(ok, channels.len() * per_channel);
    limited
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ladderds_pacer_meets_no_429_with_documented_headers() {
    let mut route_limits = HashMap::new();
    route_limits.insert(
        MESSAGES.to_owned(),
        RouteLimit::new(5, Duration::from_secs(1)),
    );
    // Setting up 40 threads is not what is under test.
    route_limits.insert(
        "POST /channels/{channel_id}/threads".to_owned(),
        RouteLimit::new(40, Duration::from_secs(1)),
    );
    let sim = Simulator::start(SimConfig {
        route_limits,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    assert!(
        !sim.config().scope_on_success,
        "documented headers: no scope on 2xx"
    );

    // One route, three windows' worth.
    assert_eq!(run(&sim, &[sim.ids().lobby], 15).await, 0);
    assert_eq!(sim.counters()[MESSAGES].rate_limited, 0);

    // 40 channels × 3: each bucket is roomy, the global 50/s is what binds.
    let mut threads = Vec::new();
    for i in 0..40 {
        let body = format!(r#"{{"name":"t{i}","type":12}}"#);
        let path = format!("/api/v10/channels/{}/threads", sim.ids().lobby);
        let r = raw(
            sim.http_addr(),
            "POST",
            &path,
            Some("sim-token"),
            Some(&body),
        )
        .await;
        assert_eq!(r.status, 201, "{:?}", r.json());
        threads.push(r.json()["id"].as_str().unwrap().parse::<u64>().unwrap());
    }
    // The set-up requests count toward the bot's global limit too, and
    // ladderd's pacer cannot know of them: let that one-second window pass.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(run(&sim, &threads, 3).await, 0);
    let totals = sim.totals();
    assert_eq!(totals.rate_limited, 0, "{:?}", sim.counters());
    assert_eq!(sim.counters()[MESSAGES].ok, 15 + 120);
    sim.shutdown().await;
}
