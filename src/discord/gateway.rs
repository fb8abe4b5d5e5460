//! The gateway: twilight-gateway shards, each read by its own task, every
//! event forwarded in order to the router. Reconnecting and resuming are
//! twilight's (it replays missed dispatches by sequence on resume); ladderd's
//! part is to keep reading — heartbeats are answered while `next_event` is
//! polled — and never to drop an event it received: the channel to the router
//! is bounded, so a slow router slows reading rather than losing events.

use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use twilight_gateway::queue::InMemoryQueue;
use twilight_gateway::{
    CloseFrame, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt,
};

/// What ladderd needs from Discord: guild structure, guild and DM messages
/// (replay uploads arrive as attachments; reading them in guild channels
/// needs the MESSAGE_CONTENT intent), and interactions (always delivered).
pub fn intents() -> Intents {
    Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::DIRECT_MESSAGES | Intents::MESSAGE_CONTENT
}

/// Events waiting for the router beyond this slow the shards down.
const EVENT_QUEUE: usize = 10_000;

#[derive(Debug, Clone)]
pub struct GatewaySettings {
    pub token: String,
    pub intents: Intents,
    /// `ws://host:port` of a stand-in gateway (the simulator); `None` for Discord.
    pub proxy_url: Option<String>,
    /// Total shards; this process runs all of them.
    pub shards: u32,
    /// Identify at once instead of Discord's 5 s spacing (tests and the demo,
    /// against the simulator only).
    pub identify_without_delay: bool,
}

/// Starts every shard. Returns the receiver of `(shard, event)` and a task
/// that ends once every shard has closed after `shutdown`.
pub fn spawn(
    settings: GatewaySettings,
    shutdown: CancellationToken,
) -> (
    mpsc::Receiver<(ShardId, Event)>,
    tokio::task::JoinHandle<()>,
) {
    super::transport::install_crypto_provider();
    let (tx, rx) = mpsc::channel(EVENT_QUEUE);
    let shards: Vec<Shard> = twilight_gateway::bucket(0, 1, settings.shards.max(1))
        .map(|id| {
            let mut builder = ConfigBuilder::new(settings.token.clone(), settings.intents);
            if let Some(url) = &settings.proxy_url {
                builder = builder.proxy_url(url.clone());
            }
            let config = if settings.identify_without_delay {
                builder
                    .queue(InMemoryQueue::new(0, 0, Duration::ZERO, 0))
                    .build()
            } else {
                builder.build()
            };
            Shard::with_config(id, config)
        })
        .collect();
    let task = tokio::spawn(async move {
        let mut tasks = tokio::task::JoinSet::new();
        for shard in shards {
            tasks.spawn(read_shard(shard, tx.clone(), shutdown.clone()));
        }
        drop(tx);
        while tasks.join_next().await.is_some() {}
    });
    (rx, task)
}

/// After asking a shard to close, wait this long for the gateway's close
/// frame; a peer that just drops the socket would otherwise have twilight
/// reconnect, and shutdown would wait forever.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

async fn read_shard(
    mut shard: Shard,
    tx: mpsc::Sender<(ShardId, Event)>,
    shutdown: CancellationToken,
) {
    let id = shard.id();
    let mut close_by: Option<tokio::time::Instant> = None;
    loop {
        let next = tokio::select! {
            _ = shutdown.cancelled(), if close_by.is_none() => {
                close_by = Some(tokio::time::Instant::now() + CLOSE_GRACE);
                shard.close(CloseFrame::NORMAL);
                continue;
            }
            _ = sleep_until(close_by) => break,
            next = shard.next_event(EventTypeFlags::all()) => next,
        };
        let closing = close_by.is_some();
        match next {
            Some(Ok(Event::GatewayClose(_))) if closing => break,
            Some(Ok(event)) => {
                if tx.send((id, event)).await.is_err() {
                    break; // The router is gone: nobody to hand events to.
                }
            }
            Some(Err(e)) => {
                // Recoverable by twilight's design (it reconnects); log and go on.
                tracing::warn!(shard = id.number(), error = %e, "gateway receive error");
            }
            None => break,
        }
    }
    tracing::info!(shard = id.number(), "gateway shard closed");
}

async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
