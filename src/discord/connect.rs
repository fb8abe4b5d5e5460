//! Connecting the pieces to Discord for a running supervisor: the HTTP
//! clients and the outbound scheduler, the gateway, slash-command
//! registration, and the loop that hands interactions to the bot and the
//! ladder's unprompted messages (waves, reminders) to delivery.
//!
//! Shutdown order keeps every acknowledged message: the ladder loop stops
//! first and closes `outgoing` once everything it acknowledged is in it; this
//! loop delivers all of that, then stops the scheduler, which sends what is
//! queued before it ends (the supervisor bounds the whole with its grace period).

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use twilight_http::request::TryIntoRequest;
use twilight_model::application::command::Command as SlashCommand;
use twilight_model::gateway::event::Event;
use twilight_model::id::Id;

use super::bot::Bot;
use super::gateway::{self, GatewaySettings};
use super::outbound::{Outbound, OutboundConfig, Priority};
use super::transport::{self, ApiEndpoint, TwilightTransport, route_key};
use crate::config::DiscordConfig;
use crate::ladder::Message;
use crate::ladder_loop::LadderHandle;

/// How often finished matches' old threads are looked for.
const THREAD_SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// How to reach Discord (or the simulator).
#[derive(Clone)]
pub struct DiscordRuntime {
    pub token: String,
    pub api: ApiEndpoint,
    pub gateway_url: Option<String>,
    pub identify_without_delay: bool,
}

impl std::fmt::Debug for DiscordRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordRuntime")
            .field("token", &"[redacted]")
            .field("api", &self.api)
            .field("gateway_url", &self.gateway_url)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("the gateway closed before READY")]
    NoReady,
    /// Discord closed the gateway with a code that no retry can fix: the
    /// message says what the operator must change.
    #[error("Discord refused the gateway connection (close code {code}): {fix}")]
    Rejected { code: u16, fix: &'static str },
    #[error(transparent)]
    Shards(#[from] gateway::ShardPlanError),
}

/// What [`serve`] runs with, from the supervisor.
pub struct Serve {
    /// How to reach Discord (or the simulator).
    pub rt: DiscordRuntime,
    /// The `[discord]` settings a reload replaces.
    pub live: super::live::LiveDiscord,
    pub ladder: LadderHandle,
    /// The ladder's unprompted messages (waves, reminders), after their commit.
    pub outgoing: mpsc::UnboundedReceiver<Message>,
    /// Race ids and names, for the queue's select.
    pub races: Vec<(String, String)>,
    /// The map pool's names, for the veto select.
    pub maps: Vec<String>,
    /// `/admin health`'s report.
    pub health: super::bot::HealthFn,
    /// Replay uploads, when a worker pool runs.
    pub intake: Option<Arc<super::upload::ReplayIntake>>,
    /// ladderd's own handling time per interaction.
    pub handling: Arc<crate::ops::latency::LatencyWindow>,
    pub http_stats: Arc<super::outbound::OutboundStats>,
    pub gateway_stats: Arc<gateway::GatewayStats>,
    pub delivery_stats: Arc<super::delivery::DeliveryStats>,
    /// Open cards and threads taken back from the ladder at start-up.
    pub restored: super::bot::Restored,
    pub clock: Arc<dyn crate::clock::Clock>,
}

/// Serves until `stop` and until `outgoing` is closed and delivered.
/// `ready` fires once the gateway is READY and the commands are registered.
pub async fn serve(
    serve: Serve,
    ready: oneshot::Sender<()>,
    stop: CancellationToken,
) -> Result<(), ConnectError> {
    let Serve {
        rt,
        live,
        ladder,
        mut outgoing,
        races,
        maps,
        health,
        intake,
        handling,
        http_stats,
        gateway_stats,
        delivery_stats,
        restored,
        clock,
    } = serve;
    // Shards, guild and channels as started; the admin list stays live.
    let discord: DiscordConfig = (*live.get()).clone();
    let transport = TwilightTransport::new(transport::clients(&rt.token, &rt.api));
    // Before anything connects: a refused plan starts nothing. One request,
    // straight through the transport (the scheduler is not running yet).
    let plan = tokio::select! {
        _ = stop.cancelled() => return Ok(()),
        plan = gateway::plan(discord.shards, &transport) => plan,
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the gateway");
            return Err(e.into());
        }
    };
    let out_stop = CancellationToken::new();
    let (outbound, out_task) = Outbound::spawn_with_stats(
        transport,
        OutboundConfig::default(),
        http_stats,
        out_stop.clone(),
    );
    let gateway_stop = CancellationToken::new();
    let (mut events, gateway_task) = gateway::spawn(
        GatewaySettings {
            token: rt.token.clone(),
            intents: gateway::intents(),
            proxy_url: rt.gateway_url.clone(),
            plan,
            identify_without_delay: rt.identify_without_delay,
        },
        gateway_stats,
        gateway_stop.clone(),
    );

    // READY tells us who we are; interactions cannot be answered before it.
    let ready_event = loop {
        tokio::select! {
            _ = stop.cancelled() => {
                gateway_stop.cancel();
                out_stop.cancel();
                return Ok(());
            }
            event = events.recv() => match event {
                Some((_, Event::Ready(r))) => break r,
                Some((_, Event::GatewayClose(Some(frame)))) => {
                    if let Some(fix) = fatal_close(frame.code) {
                        gateway_stop.cancel();
                        out_stop.cancel();
                        let _ = gateway_task.await;
                        let _ = out_task.await;
                        tracing::error!(code = frame.code, "Discord refused the gateway connection: {fix}");
                        return Err(ConnectError::Rejected { code: frame.code, fix });
                    }
                    continue;
                }
                Some(_) => continue,
                None => return Err(ConnectError::NoReady),
            },
        }
    };
    let application_id = ready_event.application.id;
    let guild_id = discord
        .guild_id
        .map(|g| Id::new(g.0))
        .or_else(|| ready_event.guilds.first().map(|g| g.id));
    if let Some(guild_id) = guild_id {
        register_commands(&outbound, application_id, guild_id).await;
    }
    let discord_days = discord.delete_threads_after_days;
    let bot = Arc::new(
        Bot::new(
            application_id,
            outbound.clone(),
            ladder,
            discord,
            races,
            maps,
        )
        .with_live_discord(live)
        .with_health(health)
        .with_intake(intake)
        .with_handling(handling)
        .with_stopping(stop.clone())
        .with_clock(clock)
        .with_delivery_stats(delivery_stats),
    );
    bot.restore(restored);
    // Old finished matches' threads: swept soon after start, then hourly.
    let sweeper = {
        let bot = bot.clone();
        let days = discord_days;
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(THREAD_SWEEP_EVERY);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = every.tick() => {
                        let deleted = bot.sweep_threads(days).await;
                        if deleted > 0 {
                            tracing::info!(deleted, days, "deleted old match threads");
                        }
                    }
                }
            }
        })
    };
    let _ = ready.send(());
    tracing::info!(application = application_id.get(), "connected to Discord");

    let mut outgoing_open = true;
    let mut reading = true;
    while reading || outgoing_open {
        tokio::select! {
            event = events.recv(), if reading => match event {
                // In gateway order: `accept` submits ladder commands before it
                // returns and answers in its own task; other interactions
                // (admin confirms, modals, help) are answered here.
                Some((_, Event::InteractionCreate(i))) => bot.accept(i.0).await,
                // A replay upload: download and parse off this loop.
                Some((_, Event::MessageCreate(m))) if !m.attachments.is_empty() && !m.author.bot => {
                    bot.spawn_on_message(m.message);
                }
                // The server's language, for the lobby from the start.
                Some((_, Event::GuildCreate(g))) => {
                    if let twilight_model::gateway::payload::incoming::GuildCreate::Available(g) = &*g {
                        bot.saw_guild_locale(&g.preferred_locale);
                    }
                }
                Some(_) => {}
                None => reading = false,
            },
            message = outgoing.recv(), if outgoing_open => match message {
                // Handed to its addressee's lane; never waits here.
                Some(m) => bot.deliver(m),
                None => outgoing_open = false,
            },
            // Closing the shards ends `events`; the loop then drains the rest.
            _ = stop.cancelled(), if !gateway_stop.is_cancelled() => gateway_stop.cancel(),
        }
    }
    let _ = gateway_task.await;
    // Answers still on their way to the scheduler go out before it stops,
    // then every lane that can deliver (lanes that can only wait stop).
    bot.finish().await;
    bot.delivery().finish().await;
    let _ = sweeper.await;
    out_stop.cancel();
    let _ = out_task.await;
    Ok(())
}

/// What to change for a gateway close code that no reconnect can fix
/// (Discord's docs, "Gateway Close Event Codes"); `None`: not fatal.
pub fn fatal_close(code: u16) -> Option<&'static str> {
    Some(match code {
        4004 => {
            "the bot token was rejected: reset it in the Discord developer portal (Bot → Reset Token) and put the new one in the credential or $DISCORD_TOKEN"
        }
        4010 | 4011 => {
            "the shard configuration is wrong for this bot: set [discord] shards = \"auto\" (4011: the bot is in too many guilds for one shard)"
        }
        4012 => "ladderd asked for a gateway version Discord no longer serves: upgrade ladderd",
        4013 => "ladderd asked for intents Discord does not know: upgrade ladderd",
        4014 => {
            "a privileged intent ladderd asks for is not enabled: in the Discord developer portal, Bot → Privileged Gateway Intents, turn on Message Content Intent"
        }
        _ => return None,
    })
}

/// Bulk-overwrites the guild's commands, but only when they differ from
/// what is registered (every start otherwise rewrites them for nothing).
async fn register_commands(
    outbound: &Outbound<TwilightTransport>,
    application_id: Id<twilight_model::id::marker::ApplicationMarker>,
    guild_id: Id<twilight_model::id::marker::GuildMarker>,
) {
    let http = twilight_http::Client::new(String::new());
    let ours = super::commands::all();
    let current = match http
        .interaction(application_id)
        .guild_commands(guild_id)
        .try_into_request()
    {
        Ok(request) => outbound
            .send(Priority::Channel, route_key(&request), request)
            .await
            .ok()
            .and_then(Result::ok)
            .and_then(|reply| serde_json::from_slice::<Vec<SlashCommand>>(&reply.body).ok()),
        Err(_) => None,
    };
    if current.as_deref().is_some_and(|c| same_commands(c, &ours)) {
        tracing::info!("slash commands unchanged");
        return;
    }
    match http
        .interaction(application_id)
        .set_guild_commands(guild_id, &ours)
        .try_into_request()
    {
        Ok(request) => match outbound
            .send(Priority::Channel, route_key(&request), request)
            .await
        {
            Ok(Ok(_)) => tracing::info!(commands = ours.len(), "slash commands registered"),
            other => tracing::error!(?other, "registering slash commands failed"),
        },
        Err(e) => tracing::error!(error = %e, "could not build the command registration"),
    }
}

/// Compares what users see of two command lists: names, descriptions, options.
pub fn same_commands(a: &[SlashCommand], b: &[SlashCommand]) -> bool {
    let key = |list: &[SlashCommand]| -> BTreeMap<String, String> {
        list.iter()
            .map(|c| {
                let options = serde_json::to_string(&c.options).unwrap_or_default();
                (c.name.clone(), format!("{}\u{1}{options}", c.description))
            })
            .collect()
    };
    key(a) == key(b)
}
