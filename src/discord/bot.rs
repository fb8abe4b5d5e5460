//! The bot: what ladderd does with an interaction and with a message the
//! ladder wants delivered. Routes the interaction (`router`), applies it to
//! the ladder (whose reply arrives only after the commit), renders the answer
//! (`render`) and sends it through the outbound scheduler: the interaction
//! callback at `Priority::Interaction`, DMs and channel messages behind it.
//!
//! Messages nobody is waiting for (cards, notices, the lobby, the admin log)
//! go to `delivery`, which decides where each person can be reached and
//! settles each outbox row once Discord has it.
//!
//! `/admin` commands run only after their caller presses Confirm under the
//! summary: the pending command waits here (bounded, five minutes) keyed by
//! a nonce in the button's custom_id, and only the same user may confirm it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use twilight_http::Client;
use twilight_http::request::{Request, TryIntoRequest};
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::message::MessageFlags;
use twilight_model::channel::message::component::{ActionRow, ButtonStyle, Component};
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;
use twilight_model::id::marker::{ApplicationMarker, ChannelMarker};

use super::ids::ComponentId;
use super::outbound::{Outbound, Priority, Transport};
use super::render::{self, RenderContext, Rendered, button};
use super::router::{self, Routed};
use super::transport::route_key;
use crate::config::DiscordConfig;
use crate::l10n::Locale;
use crate::ladder::{Actor, Audience, Command, Message};
use crate::ladder_loop::LadderHandle;

/// An unconfirmed /admin command expires after this.
const ADMIN_CONFIRM_WINDOW: Duration = Duration::from_secs(300);
/// At most this many unconfirmed /admin commands are kept.
const MAX_PENDING_ADMIN: usize = 1_000;

struct PendingAdmin {
    caller: u64,
    command: Command,
    asked_at: Instant,
}

pub struct Bot<T: Transport<Request = Request, Body = Vec<u8>>> {
    /// Builds requests only; they are sent through `outbound`.
    http: Client,
    application_id: Id<ApplicationMarker>,
    outbound: Outbound<T>,
    ladder: LadderHandle,
    /// Who is an owner or admin; a configuration reload replaces it.
    live: super::live::LiveDiscord,
    races: Vec<(String, String)>,
    /// Where each message nobody waits for goes (players, lobby, admin log).
    delivery: Arc<super::delivery::Delivery<T>>,
    /// Each player's latest match card, for checking their replay uploads.
    cards: Mutex<HashMap<u64, crate::ladder::MatchCard>>,
    /// Replay uploads; `None` without a worker pool.
    intake: Option<Arc<super::upload::ReplayIntake>>,
    /// ladderd's own handling time per interaction: from routing to the
    /// reply handed to the scheduler (Discord's latency excluded).
    handling: Option<Arc<crate::ops::latency::LatencyWindow>>,
    pending_admin: Mutex<HashMap<u64, PendingAdmin>>,
    /// The guild's language (`guild_locale`), for the lobby and the logs.
    guild_locale: Mutex<Locale>,
    next_nonce: AtomicU64,
    /// The health report `/admin health` shows (set by the supervisor).
    health: Option<HealthFn>,
    /// Cancelled when ladderd begins to stop: interactions that still arrive
    /// are answered "restarting" and not applied.
    stopping: tokio_util::sync::CancellationToken,
    /// Ladder-command answers in flight, so shutdown can wait for their replies
    /// to reach the scheduler before stopping it.
    tasks: tokio_util::task::TaskTracker,
    /// Match threads of earlier versions (which made one per match) by
    /// (finished at, match), deleted once older than
    /// `[discord] delete_threads_after_days`.
    finished_threads: Mutex<std::collections::BTreeMap<(i64, u64), Id<ChannelMarker>>>,
    /// Ladder time (the supervisor's clock), for thread ages.
    clock: Arc<dyn crate::clock::Clock>,
    /// A ladder answer slower than this is deferred (Discord's "thinking…")
    /// and sent as a followup, so the 3-second callback deadline never passes.
    defer_after: Duration,
}

/// How an interaction's answer reaches the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReplyVia {
    /// The interaction callback itself (within Discord's 3 s).
    Callback,
    /// A followup after a deferred callback.
    Followup,
}

/// Answers slower than this are deferred: Discord allows 3 s for the
/// callback, and the callback's own round trip needs some of it.
pub const DEFER_AFTER: Duration = Duration::from_millis(2_000);

/// What the ladder knows at start-up that the bot keeps in memory.
#[derive(Debug, Default)]
pub struct Restored {
    /// Open matches: card and (earlier versions') thread.
    pub open: Vec<(crate::ladder::MatchCard, Option<u64>)>,
    /// Finished matches whose thread still exists: (match, thread, finished at).
    pub finished_threads: Vec<(u64, u64, i64)>,
    /// How Discord lets ladderd reach each player.
    pub reach: Vec<crate::store::rows::ReachRow>,
    /// The lobby's live status message.
    pub lobby_status: Option<u64>,
}
/// The answer to an interaction that arrives while ladderd stops (in
/// English; the `restarting` message in each locale).
pub const RESTARTING: &str = "⏳ ladderd is restarting; nothing was done — try again in a minute.";

/// Produces the current one-line health report.
pub type HealthFn = Arc<dyn Fn() -> String + Send + Sync>;

impl<T: Transport<Request = Request, Body = Vec<u8>>> Bot<T> {
    pub fn new(
        application_id: Id<ApplicationMarker>,
        outbound: Outbound<T>,
        ladder: LadderHandle,
        discord: DiscordConfig,
        races: Vec<(String, String)>,
        maps: Vec<String>,
    ) -> Self {
        let places = super::delivery::Places {
            lobby: discord.lobby_channel_id.map(|c| Id::new(c.0)),
            admin_log: discord.admin_log_channel_id.map(|c| Id::new(c.0)),
            results: discord.results_channel_id.map(|c| Id::new(c.0)),
        };
        let delivery = Arc::new(super::delivery::Delivery::new(
            application_id,
            outbound.clone(),
            ladder.clone(),
            Arc::new(crate::clock::SystemClock),
            places,
        ));
        Bot {
            // No token: this client only serialises requests.
            http: Client::new(String::new()),
            application_id,
            outbound,
            ladder,
            live: {
                let live = super::live::LiveDiscord::new(discord.clone());
                live.set_maps(maps);
                live
            },
            races,
            delivery,
            cards: Mutex::new(HashMap::new()),
            intake: None,
            handling: None,
            pending_admin: Mutex::new(HashMap::new()),
            guild_locale: Mutex::new(Locale::ENGLISH),
            next_nonce: AtomicU64::new(seed_nonce()),
            health: None,
            stopping: tokio_util::sync::CancellationToken::new(),
            tasks: tokio_util::task::TaskTracker::new(),
            defer_after: DEFER_AFTER,
            finished_threads: Mutex::new(std::collections::BTreeMap::new()),
            clock: Arc::new(crate::clock::SystemClock),
        }
    }

    /// Take ladder time from `clock` (the supervisor's).
    pub fn with_clock(mut self, clock: Arc<dyn crate::clock::Clock>) -> Self {
        self.delivery_mut().set_clock(clock.clone());
        self.clock = clock;
        self
    }

    /// Count deliveries into `stats` (health and metrics read them).
    pub fn with_delivery_stats(mut self, stats: Arc<super::delivery::DeliveryStats>) -> Self {
        self.delivery_mut().set_stats(stats);
        self
    }

    /// The delivery, while the bot is being built (nothing shares it yet).
    fn delivery_mut(&mut self) -> &mut super::delivery::Delivery<T> {
        Arc::get_mut(&mut self.delivery).expect("the delivery is not shared while the bot is built")
    }

    /// Where messages go (tests look into it).
    pub fn delivery(&self) -> &Arc<super::delivery::Delivery<T>> {
        &self.delivery
    }

    /// Defer answers slower than `after` (tests use a short one).
    pub fn with_defer_after(mut self, after: Duration) -> Self {
        self.defer_after = after;
        self
    }

    /// Route with these settings, which a configuration reload replaces.
    pub fn with_live_discord(mut self, live: super::live::LiveDiscord) -> Self {
        if live.maps().is_empty() {
            live.set_maps(self.live.maps().to_vec());
        }
        self.live = live;
        self
    }

    /// Answer "restarting" to every interaction once `stopping` is cancelled.
    pub fn with_stopping(mut self, stopping: tokio_util::sync::CancellationToken) -> Self {
        self.delivery_mut().set_stopping(stopping.clone());
        self.stopping = stopping;
        self
    }

    /// Waits until every answer task has handed its replies to
    /// the scheduler (call once no more interactions are accepted).
    pub async fn finish(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// What `/admin health` reports.
    pub fn with_health(mut self, health: HealthFn) -> Self {
        self.health = Some(health);
        self
    }

    /// Record handling times here.
    pub fn with_handling(mut self, window: Arc<crate::ops::latency::LatencyWindow>) -> Self {
        self.handling = Some(window);
        self
    }

    fn record_handling(&self, started: std::time::Instant) {
        if let Some(w) = &self.handling {
            let now = std::time::Instant::now();
            w.record(now, now.duration_since(started));
        }
    }

    /// Accept replay uploads through this intake.
    pub fn with_intake(mut self, intake: Option<Arc<super::upload::ReplayIntake>>) -> Self {
        self.intake = intake;
        self
    }

    /// Takes back what the ladder knows of its open matches after a start:
    /// each player's card (for replay uploads) and each match's thread (so
    /// its messages keep going there instead of the lobby).
    pub fn restore(&self, restored: Restored) {
        {
            let mut finished = lock(&self.finished_threads);
            for (match_id, thread, finished_at) in restored.finished_threads {
                if let Some(t) = Id::new_checked(thread) {
                    finished.insert((finished_at, match_id), t);
                }
            }
        }
        self.delivery.restore(restored.reach, restored.lobby_status);
        let mut cards = lock(&self.cards);
        for (card, _thread) in restored.open {
            for side in &card.sides {
                cards.insert(side.player_id, card.clone());
            }
        }
    }

    /// A message a user posted: a `.SC2Replay` attachment is a replay upload
    /// for their current match; anything else is not ladderd's business.
    /// Handles a posted message on a task shutdown waits for (`finish`), so
    /// an upload being checked is answered before the scheduler stops
    /// (within the supervisor's grace period).
    pub fn spawn_on_message(self: &Arc<Self>, message: twilight_model::channel::Message) {
        let bot = self.clone();
        self.tasks
            .spawn(async move { bot.on_message(&message).await });
    }

    pub async fn on_message(self: &Arc<Self>, message: &twilight_model::channel::Message) {
        if message.author.bot {
            return;
        }
        let Some(attachment) = message
            .attachments
            .iter()
            .find(|a| a.filename.to_ascii_lowercase().ends_with(".sc2replay"))
        else {
            return;
        };
        let player = message.author.id.get();
        let l = self.locale_of(player);
        let answer = |text: String| async move {
            if let Ok(request) = self
                .http
                .create_message(message.channel_id)
                .content(&render::truncate(&text, render::MAX_CONTENT))
                .try_into_request()
            {
                drop(
                    self.outbound
                        .send(Priority::Direct, route_key(&request), request),
                );
            }
        };
        if self.stopping.is_cancelled() {
            return answer(l.text("restarting", &[])).await;
        }
        let Some(intake) = &self.intake else {
            return answer(format!("❌ {}", l.text("error-uploads-unavailable", &[]))).await;
        };
        let card = lock(&self.cards).get(&player).cloned();
        let Some(card) = card else {
            return answer(format!("❌ {}", l.text("error-no-match-for-replay", &[]))).await;
        };
        let evidence = match intake
            .evidence(player, &attachment.url, attachment.size, &card)
            .await
        {
            Ok(e) => e,
            Err(why) => return answer(format!("❌ {}", render::upload_error_text(&why, l))).await,
        };
        match self
            .ladder
            .command(Actor::player(player), Command::Replay(evidence))
            .await
        {
            Ok(messages) => {
                let (mine, others): (Vec<Message>, Vec<Message>) =
                    messages.into_iter().partition(|m| m.to == Audience::Actor);
                let text: Vec<String> = mine
                    .iter()
                    .map(|m| self.render(&m.body, l).content)
                    .collect();
                if !text.is_empty() {
                    answer(text.join("\n")).await;
                }
                for m in others {
                    self.deliver(m);
                }
            }
            Err(e) => answer(format!("❌ {e}")).await,
        }
    }

    /// Renders with the map names as they are now (a reload may change them).
    fn render(&self, body: &crate::ladder::Notice, locale: Locale) -> Rendered {
        let maps = self.live.maps();
        render::render(
            body,
            &RenderContext {
                races: &self.races,
                maps: &maps,
                locale,
            },
        )
    }

    /// The language `interaction` reports for its user (English for one not
    /// shipped), remembered for that user's later messages, and the guild's.
    fn locale(&self, interaction: &Interaction) -> Locale {
        let locale = Locale::from_discord(interaction.locale.as_deref().unwrap_or(""));
        // Kept with the player's reach (and stored) for the messages that
        // answer no interaction: cards, DMs.
        if let Some(user) = interaction.author_id() {
            self.delivery.saw_locale(user.get(), locale);
        }
        if let Some(guild) = interaction.guild_locale.as_deref() {
            self.saw_guild_locale(guild);
        }
        locale
    }

    /// The server's language (its `preferred_locale`, also each guild
    /// interaction's `guild_locale`): the lobby's, the results' and the
    /// admin log's.
    pub fn saw_guild_locale(&self, code: &str) {
        *lock(&self.guild_locale) = Locale::from_discord(code);
    }

    /// A player's last seen language (English if none was seen).
    pub fn locale_of(&self, player: u64) -> Locale {
        self.delivery.locale_of(player)
    }

    /// Takes one interaction: routes it and, for a ladder command, submits it
    /// to the ladder before returning — so calling this in gateway order
    /// applies commands in the order users made them — then answers in a task
    /// of its own once the ladder has committed.
    pub async fn accept(self: &Arc<Self>, interaction: Interaction) {
        if self.stopping.is_cancelled() {
            // Read, not remembered: nothing is stored while ladderd stops.
            let l = Locale::from_discord(interaction.locale.as_deref().unwrap_or(""));
            return self.reply(&interaction, info(&l.text("restarting", &[]), true));
        }
        let started = std::time::Instant::now();
        match router::route(&interaction, &self.live.get()) {
            Routed::Ladder(actor, command) => match self.ladder.submit(actor, command).await {
                Ok(answer) => {
                    let bot = self.clone();
                    self.tasks.spawn(async move {
                        let mut pending = std::pin::pin!(answer.answer());
                        // The timer first: an answer that is only ready once
                        // the threshold has passed was slow, so it is deferred
                        // (this also makes a zero threshold always defer).
                        let (result, via) = tokio::select! {
                            biased;
                            _ = slow_after(bot.defer_after) => {
                                // Slow (a stalled disk, a huge backlog):
                                // "thinking…" now, the answer as a followup
                                // once the deferral is through.
                                let deferred = bot.defer(&interaction);
                                let result = pending.await;
                                let _ = deferred.await;
                                (result, ReplyVia::Followup)
                            }
                            result = &mut pending => (result, ReplyVia::Callback),
                        };
                        bot.answer_via(&interaction, result, via).await;
                        bot.record_handling(started);
                    });
                }
                Err(e) => self.reply(&interaction, error(&e.to_string())),
            },
            _ => {
                self.on_interaction(&interaction).await;
                self.record_handling(started);
            }
        }
    }

    /// Handles one interaction to the end (reply sent or queued).
    pub async fn on_interaction(self: &Arc<Self>, interaction: &Interaction) {
        let l = self.locale(interaction);
        match router::route(interaction, &self.live.get()) {
            Routed::Ladder(actor, command) => self.run(interaction, actor, command).await,
            Routed::ConfirmAdmin(actor, command) => {
                // Only the ladder knows who it granted admin: ask it before
                // showing a prompt that would only be refused at Confirm.
                match self.ladder.command(actor, Command::AdminCheck).await {
                    Ok(messages) => {
                        if let Some(refusal) = messages.iter().find_map(|m| match &m.body {
                            crate::ladder::Notice::Error(e) => Some(render::error_text(e, l)),
                            _ => None,
                        }) {
                            return self.reply(interaction, error(&refusal));
                        }
                    }
                    Err(e) => return self.reply(interaction, error(&e.to_string())),
                }
                let nonce = self.next_nonce.fetch_add(1, Ordering::Relaxed);
                let summary = render::admin_summary(&command);
                {
                    let mut pending = lock(&self.pending_admin);
                    pending.retain(|_, p| p.asked_at.elapsed() < ADMIN_CONFIRM_WINDOW);
                    if pending.len() >= MAX_PENDING_ADMIN {
                        drop(pending);
                        return self.reply(
                            interaction,
                            error(
                                "too many unconfirmed admin commands; try again in a few minutes",
                            ),
                        );
                    }
                    pending.insert(
                        nonce,
                        PendingAdmin {
                            caller: actor.id,
                            command,
                            asked_at: Instant::now(),
                        },
                    );
                }
                let rendered = Rendered {
                    content: render::truncate(&summary, render::MAX_CONTENT),
                    components: vec![Component::ActionRow(ActionRow {
                        id: None,
                        components: vec![
                            button(
                                ComponentId::AdminConfirm(nonce),
                                "Confirm",
                                ButtonStyle::Danger,
                            ),
                            button(
                                ComponentId::AdminCancel(nonce),
                                "Cancel",
                                ButtonStyle::Secondary,
                            ),
                        ],
                    })],
                    ephemeral: true,
                    files: Vec::new(),
                };
                self.reply(interaction, rendered);
            }
            Routed::AdminDecision {
                actor,
                nonce,
                confirmed,
            } => {
                let taken = {
                    let mut pending = lock(&self.pending_admin);
                    match pending.get(&nonce) {
                        // Message ids, worded in the clicker's language below.
                        Some(p) if p.caller != actor.id => Err("error-not-asker"),
                        Some(p) if p.asked_at.elapsed() >= ADMIN_CONFIRM_WINDOW => {
                            pending.remove(&nonce);
                            Err("error-confirmation-expired")
                        }
                        Some(_) => Ok(pending.remove(&nonce)),
                        None => Err("error-confirmation-expired"),
                    }
                };
                match taken {
                    Err(id) => self.reply(interaction, error(&l.text(id, &[]))),
                    // With the authority the caller has now (`actor`, routed
                    // from the click): a reload may have revoked it since.
                    Ok(Some(p)) if confirmed => self.run(interaction, actor, p.command).await,
                    Ok(_) => self.reply(interaction, info(&l.text("cancelled", &[]), true)),
                }
            }
            Routed::ShowTerms => {
                let mut r = info(&l.text("terms", &[]), true);
                r.components = vec![Component::ActionRow(ActionRow {
                    id: None,
                    components: vec![button(
                        ComponentId::AcceptTerms,
                        &l.text("button-accept", &[]),
                        ButtonStyle::Success,
                    )],
                })];
                self.reply(interaction, r);
            }
            Routed::Help => self.reply(interaction, info(&l.text("help", &[]), true)),
            // The reply's token then carries what waits (see `reply`).
            Routed::ShowInbox => self.reply(interaction, info(&l.text("inbox", &[]), true)),
            // Configured admins and owners only: the report shows the machine,
            // not the ladder, so ladder-granted admin is not enough.
            Routed::Health(actor) if actor.is_admin || actor.is_owner => {
                let report = self
                    .health
                    .as_ref()
                    .map_or_else(|| "health reporting is not set up".to_owned(), |h| h());
                self.reply(interaction, info(&format!("🩺 {report}"), true));
            }
            Routed::Health(_) => self.reply(interaction, error(&l.text("error-not-admin", &[]))),
            Routed::OpenSetup(actor) => {
                // Prefilled with the player's profile; without one (or if the
                // ladder cannot answer) the form opens empty, as it used to.
                let current = match self.ladder.command(actor, Command::EditSetup).await {
                    Ok(messages) => messages.into_iter().find_map(|m| match m.body {
                        crate::ladder::Notice::SetupForm(f) => Some(f),
                        _ => None,
                    }),
                    Err(_) => None,
                };
                let response = InteractionResponse {
                    kind: InteractionResponseType::Modal,
                    data: Some(InteractionResponseData {
                        custom_id: ComponentId::SetupModal.encode(),
                        title: Some(l.text("setup-title", &[])),
                        components: Some(render::setup_modal_components(current.as_deref(), l)),
                        ..Default::default()
                    }),
                };
                drop(self.callback(interaction, &response));
            }
            Routed::Refused(why) => {
                let why = match why.as_str() {
                    router::STALE_BUTTON => l.text("error-stale-button", &[]),
                    router::STALE_FORM => l.text("error-stale-form", &[]),
                    _ => why,
                };
                self.reply(interaction, error(&why));
            }
        }
    }

    async fn run(self: &Arc<Self>, interaction: &Interaction, actor: Actor, command: Command) {
        let result = self.ladder.command(actor, command).await;
        self.answer(interaction, result).await;
    }

    /// Replies with the messages addressed to the actor — always ephemeral:
    /// an acknowledgement is the user's own business, announcements go to
    /// the lobby as their own messages — and delivers the rest.
    async fn answer(
        self: &Arc<Self>,
        interaction: &Interaction,
        result: Result<Vec<Message>, crate::ladder_loop::LoopError>,
    ) {
        self.answer_via(interaction, result, ReplyVia::Callback)
            .await;
    }

    async fn answer_via(
        self: &Arc<Self>,
        interaction: &Interaction,
        result: Result<Vec<Message>, crate::ladder_loop::LoopError>,
        via: ReplyVia,
    ) {
        let l = self.locale(interaction);
        match result {
            Ok(messages) => {
                let (mine, others): (Vec<Message>, Vec<Message>) =
                    messages.into_iter().partition(|m| m.to == Audience::Actor);
                let mut reply = Rendered {
                    ephemeral: true,
                    ..Rendered::default()
                };
                for m in &mine {
                    let r = self.render(&m.body, l);
                    if !reply.content.is_empty() {
                        reply.content.push('\n');
                    }
                    reply.content.push_str(&r.content);
                    if reply.components.is_empty() {
                        reply.components = r.components;
                    }
                    reply.files.extend(r.files);
                }
                if reply.content.is_empty() {
                    reply.content = l.text("done", &[]);
                }
                reply.content = render::truncate(&reply.content, render::MAX_CONTENT);
                self.reply_via(interaction, reply, via);
                for m in others {
                    self.deliver(m);
                }
            }
            Err(e) => self.reply_via(interaction, error(&e.to_string()), via),
        }
    }

    fn reply_via(&self, interaction: &Interaction, r: Rendered, via: ReplyVia) {
        if via == ReplyVia::Callback {
            return self.reply(interaction, r);
        }
        let client = self.http.interaction(self.application_id);
        let files = attachments(&r.files);
        let mut followup = client
            .create_followup(&interaction.token)
            .content(&r.content)
            .components(&r.components)
            .attachments(&files);
        if r.ephemeral {
            followup = followup.flags(MessageFlags::EPHEMERAL);
        }
        match followup.try_into_request() {
            Ok(request) => drop(self.outbound.send(
                Priority::Interaction,
                route_key(&request),
                request,
            )),
            Err(e) => tracing::error!(error = %e, "could not build an interaction followup"),
        }
    }

    /// Sends the "thinking…" callback (ephemeral); resolves once it is through.
    fn defer(
        &self,
        interaction: &Interaction,
    ) -> tokio::sync::oneshot::Receiver<
        Result<super::outbound::Reply<Vec<u8>>, super::outbound::Failure>,
    > {
        let response = InteractionResponse {
            kind: InteractionResponseType::DeferredChannelMessageWithSource,
            data: Some(InteractionResponseData {
                flags: Some(MessageFlags::EPHEMERAL),
                ..Default::default()
            }),
        };
        self.callback(interaction, &response)
    }

    fn reply(&self, interaction: &Interaction, r: Rendered) {
        let response = InteractionResponse {
            kind: InteractionResponseType::ChannelMessageWithSource,
            data: Some(InteractionResponseData {
                content: Some(r.content),
                components: (!r.components.is_empty()).then_some(r.components),
                flags: r.ephemeral.then_some(MessageFlags::EPHEMERAL),
                // A chart (`/profile`, `/stats`): twilight sends a multipart form.
                attachments: (!r.files.is_empty()).then(|| attachments(&r.files)),
                ..Default::default()
            }),
        };
        let sent = self.callback(interaction, &response);
        // Once Discord has the answer, the interaction's token can carry
        // followups: `delivery` reaches the user through it when nothing
        // better is known (closed DMs, no DM channel yet).
        let Some(user) = interaction.author_id() else {
            return;
        };
        let delivery = self.delivery.clone();
        let token = interaction.token.clone();
        let issued = Instant::now();
        tokio::spawn(async move {
            if let Ok(Ok(_)) = sent.await {
                delivery.saw_token(user.get(), token, issued);
            }
        });
    }

    /// Queues an interaction callback; the receiver says when it went
    /// through (most callers need no answer: the scheduler logs failures).
    fn callback(
        &self,
        interaction: &Interaction,
        response: &InteractionResponse,
    ) -> tokio::sync::oneshot::Receiver<
        Result<super::outbound::Reply<Vec<u8>>, super::outbound::Failure>,
    > {
        let request = self
            .http
            .interaction(self.application_id)
            .create_response(interaction.id, &interaction.token, response)
            .try_into_request();
        match request {
            Ok(request) => self
                .outbound
                .send(Priority::Interaction, route_key(&request), request),
            Err(e) => {
                tracing::error!(error = %e, "could not build an interaction response");
                // A dropped sender: "no answer" to whoever waits.
                tokio::sync::oneshot::channel().1
            }
        }
    }

    /// Hands a message nobody is waiting for (a card, a notice, the lobby's
    /// status, the admin log) to `delivery`; returns at once. A card is also
    /// kept for checking the player's replay uploads.
    pub fn deliver(&self, message: Message) {
        use super::delivery::{Item, Lane};
        // A rank change is role work, never a message (#15).
        if let crate::ladder::Notice::RankChanged { player, from, to } = &message.body {
            let discord = self.live.get();
            for request in super::roles::role_requests(&self.http, &discord, *player, *from, *to) {
                drop(
                    self.outbound
                        .send(Priority::Channel, route_key(&request), request),
                );
            }
            return;
        }
        let deadline = match &message.body {
            crate::ladder::Notice::MatchFound(card) => {
                let mut cards = lock(&self.cards);
                for side in &card.sides {
                    cards.insert(side.player_id, (**card).clone());
                }
                Some(card.confirm_by)
            }
            _ => None,
        };
        let locale = match message.to {
            Audience::Player(p) => self.locale_of(p),
            _ => *lock(&self.guild_locale),
        };
        let mut rendered = self.render(&message.body, locale);
        // `/admin replay`: the archived file rides along (#15).
        if let (crate::ladder::Notice::ReplayFile { sha256, .. }, Some(intake)) =
            (&message.body, &self.intake)
        {
            rendered.files.extend(intake.archived(sha256));
        }
        let lane = match message.to {
            Audience::Actor => {
                return tracing::debug!("an Actor message without an interaction; dropped");
            }
            Audience::Lobby if matches!(message.body, crate::ladder::Notice::Wave { .. }) => {
                return self.delivery.lobby_status(rendered);
            }
            Audience::Player(p) => Lane::Player(p),
            Audience::Lobby => Lane::Lobby,
            Audience::AdminLog => Lane::AdminLog,
            Audience::Match(_) => Lane::Results,
        };
        self.delivery.send(
            lane,
            Item {
                rendered,
                outbox: message.outbox,
                deadline,
                casual: matches!(message.body, crate::ladder::Notice::SomeoneSearching { .. }),
            },
        );
    }

    /// Deletes the threads of matches that ended more than `days` ago and
    /// records each deletion on its match. A thread Discord no longer has
    /// counts as deleted; any other failure is retried at the next sweep.
    pub async fn sweep_threads(&self, days: u32) -> usize {
        if days == 0 {
            return 0;
        }
        let cutoff = self.clock.now() - i64::from(days) * 86_400_000;
        let due: Vec<((i64, u64), Id<ChannelMarker>)> = {
            let mut finished = lock(&self.finished_threads);
            let keep = finished.split_off(&(cutoff + 1, 0));
            std::mem::replace(&mut *finished, keep)
                .into_iter()
                .collect()
        };
        let mut deleted = 0;
        for ((finished_at, match_id), thread) in due {
            let Ok(request) = self.http.delete_channel(thread).try_into_request() else {
                continue;
            };
            let outcome = self
                .outbound
                .send(Priority::Channel, route_key(&request), request)
                .await;
            let gone = match &outcome {
                Ok(Ok(_)) | Ok(Err(super::outbound::Failure::Refused { status: 404, .. })) => true,
                Ok(Err(e)) => {
                    tracing::warn!(match_id, error = %e, "deleting an old match thread failed; retrying later");
                    false
                }
                Err(_) => false,
            };
            if !gone {
                lock(&self.finished_threads).insert((finished_at, match_id), thread);
                continue;
            }
            let record = Command::ClearMatchThread { match_id };
            // Recorded under the bot's own authority, as SetMatchThread is.
            if let Err(e) = self.ladder.command(Actor::player(0), record).await {
                tracing::warn!(match_id, error = %e, "could not record the deleted thread");
            }
            deleted += 1;
        }
        deleted
    }
}

/// Resolves once an answer counts as slow; at once for zero (a timer of
/// zero may still wait for the timer's next tick).
async fn slow_after(after: Duration) {
    if !after.is_zero() {
        tokio::time::sleep(after).await;
    }
}

/// Poison-tolerant lock: the maps behind it hold no invariant a panicking
/// holder could break half-way (each update is one insert or remove).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn error(why: &str) -> Rendered {
    Rendered {
        content: render::truncate(&format!("❌ {why}"), render::MAX_CONTENT),
        components: vec![],
        ephemeral: true,
        files: Vec::new(),
    }
}

fn info(text: &str, ephemeral: bool) -> Rendered {
    Rendered {
        content: render::truncate(text, render::MAX_CONTENT),
        components: vec![],
        ephemeral,
        files: Vec::new(),
    }
}

/// Nonces start somewhere unguessable-enough per run, so a button from before
/// a restart does not confirm a different command after it.
fn seed_nonce() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (t.as_nanos() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 12
}

/// A reply's files as Discord attachments, numbered in order.
fn attachments(files: &[(String, Vec<u8>)]) -> Vec<twilight_model::http::attachment::Attachment> {
    files
        .iter()
        .zip(0..)
        .map(|((name, bytes), id)| {
            twilight_model::http::attachment::Attachment::from_bytes(
                name.clone(),
                bytes.clone(),
                id,
            )
        })
        .collect()
}
