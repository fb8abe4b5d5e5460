//! Helpers for the simulator tests: twilight clients pointed at a running
//! `ladderd::sim::Simulator`, and a raw HTTP/1.1 client for checking exact
//! status codes, headers and bodies (twilight validates bodies itself, so it
//! cannot send the ones Discord would refuse).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use ladderd::sim::Simulator;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{ConfigBuilder, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _};
use twilight_model::gateway::event::Event;

/// twilight-http (rustls) panics without a process-wide crypto provider.
pub fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A twilight-http client for the simulator, with or without its rate limiter.
pub fn http(sim: &Simulator, ratelimiter: bool) -> twilight_http::Client {
    install_crypto();
    let mut b = twilight_http::Client::builder()
        .proxy(sim.http_addr().to_string(), true)
        .token(sim.config().token.clone())
        .timeout(Duration::from_secs(30));
    if !ratelimiter {
        b = b.ratelimiter(None);
    }
    b.build()
}

/// A twilight-gateway shard for the simulator; the queue is a no-op so a
/// re-identify does not wait five seconds.
pub fn shard(sim: &Simulator) -> Shard<InMemoryQueue> {
    shard_with(
        sim,
        Intents::GUILDS
            | Intents::GUILD_MESSAGES
            | Intents::DIRECT_MESSAGES
            | Intents::MESSAGE_CONTENT,
    )
}

/// A shard identifying with exactly `intents`.
pub fn shard_with(sim: &Simulator, intents: Intents) -> Shard<InMemoryQueue> {
    install_crypto();
    let config = ConfigBuilder::new(sim.config().token.clone(), intents)
        .proxy_url(sim.gateway_url().to_owned())
        .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
        .build();
    Shard::with_config(ShardId::ONE, config)
}

/// The next event matching `pred`, skipping others; panics after `within`
/// (generous: a bound on a hang, not a performance assertion).
pub async fn next_matching(
    shard: &mut Shard<InMemoryQueue>,
    within: Duration,
    mut pred: impl FnMut(&Event) -> bool,
) -> Event {
    let fut = async {
        loop {
            match shard.next_event(EventTypeFlags::all()).await {
                Some(Ok(e)) if pred(&e) => return e,
                Some(_) => {}
                None => panic!("shard closed"),
            }
        }
    };
    tokio::time::timeout(within, fut)
        .await
        .expect("event did not arrive in time")
}

/// One raw HTTP response.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Raw {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

/// Send one JSON request on a fresh connection and read the whole answer.
pub async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: Option<&str>,
    body: Option<&str>,
) -> Raw {
    let body = body.unwrap_or("");
    raw_typed(
        addr,
        method,
        path,
        auth,
        "application/json",
        body.as_bytes(),
    )
    .await
}

/// Send one request with any content type and body.
pub async fn raw_typed(
    addr: SocketAddr,
    method: &str,
    path: &str,
    auth: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> Raw {
    let buf = crate::support::wait::within(&format!("{method} {path}"), async {
        let mut s = TcpStream::connect(addr).await.expect("connect");
        let mut req = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
        if let Some(a) = auth {
            req.push_str(&format!("authorization: Bot {a}\r\n"));
        }
        req.push_str(&format!(
            "content-type: {content_type}\r\ncontent-length: {}\r\n\r\n",
            body.len()
        ));
        s.write_all(req.as_bytes()).await.expect("write");
        s.write_all(body).await.expect("write");
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await.expect("read");
        buf
    })
    .await;
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Raw {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
    }
}

/// Every 429 in `log` is followed, on the same path (one of the client's
/// routes), by a retry no sooner than the 429's `Retry-After`. A lower bound
/// only: load can only make the wait longer. Returns how many 429s it checked.
pub fn assert_429s_waited_out(log: &[ladderd::sim::LoggedRequest]) -> usize {
    let mut checked = 0;
    for (i, limited) in log.iter().enumerate().filter(|(_, r)| r.status == 429) {
        let retry_after = limited.retry_after.expect("a 429 says Retry-After");
        let next = log[i + 1..]
            .iter()
            .find(|r| r.path == limited.path)
            .unwrap_or_else(|| panic!("no retry after the 429 on {}", limited.route_key));
        let waited = next.at - limited.at;
        assert!(
            waited >= retry_after,
            "{} retried after {waited:?}, Retry-After {retry_after:?}",
            limited.route_key
        );
        checked += 1;
    }
    checked
}
