//! Delivery: how what the ladder owes a person or a place reaches Discord.
//!
//! The core addresses people (`Audience::Player`), the lobby, the admin log
//! and a match's public record; this module decides where each one can be
//! reached and keeps at it until it is delivered or worthless.
//!
//! **One lane per addressee.** Every message for one player (or place) goes
//! through that addressee's lane, one at a time, in the order the ladder
//! produced them: a player reads a match's abandonment before the next
//! match's card, whatever path each one took. Lanes are independent: a
//! player who cannot be reached holds up nobody else.
//!
//! **Where a player is reached**, best first:
//! 1. their DM channel, once Discord gave us one (kept in `player_reach`,
//!    never asked for again, even after a restart);
//! 2. a new DM channel, within the budget: at most [`DM_OPENS_PER_WINDOW`]
//!    new DM channels per [`DM_OPEN_WINDOW`] for the whole bot, and none for
//!    anyone for [`DM_OPEN_PAUSE`] after a 403 40003 (Discord's DM anti-spam,
//!    which no header announces) — a DM notifies and stays;
//! 3. an ephemeral followup on their latest interaction, while its token is
//!    usable (Discord: 15 minutes; ladderd uses 14): a player who just
//!    queued sees their card at once, in the channel they queued from, when
//!    no DM channel can be had now — which is what a large wave meets — and
//!    their DM channel is opened later, when the budget has room;
//! 4. otherwise the message waits in the lane, and the player is mentioned
//!    in the lobby at most every [`PING_EVERY`] with a **Show** button: the
//!    click is an interaction, whose token carries the waiting messages.
//!
//! A 403 50007 (DMs closed to server members) marks the player, persisted, so
//! no later DM repeats the invalid request; they are told once, the next
//! time they use a command, how to open DMs. A 404 on a DM channel (deleted)
//! forgets it and opens a new one. Nothing here creates a channel or thread
//! per match, so no burst of matches meets Discord's thread-creation limits.
//!
//! **Nothing dropped.** A failed send (after the scheduler's own retries) is
//! retried with backoff ([`RETRY_FIRST`] doubling to [`RETRY_CAP`], plus
//! jitter) until it is delivered or, for a match card, its confirm deadline
//! passes; a stop leaves it pending in the outbox, which the next start
//! re-issues. The backoff is cut short once Discord answers 2xx to any
//! request sent after the failure ([`Outbound::recovered`]): after a storm,
//! waiting messages follow the first success at the scheduler's pace
//! instead of sleeping out timers of up to minutes. The scheduler still
//! holds every 429'd route until `Retry-After`.
//!
//! **The lobby's status** is one message edited in place after each wave
//! (its id kept in `ladder_meta`), not a new message per wave.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use twilight_http::Client;
use twilight_http::request::{Request, TryIntoRequest};
use twilight_model::channel::message::component::{ActionRow, ButtonStyle, Component};
use twilight_model::channel::message::{AllowedMentions, MessageFlags};
use twilight_model::id::Id;
use twilight_model::id::marker::{ApplicationMarker, ChannelMarker, MessageMarker};

use super::ids::ComponentId;
use super::outbound::{Failure, Outbound, Priority, Reply, Transport, jittered};
use super::render::{Rendered, button};
use super::transport::route_key;
use crate::clock::Clock;
use crate::l10n::Locale;
use crate::ladder_loop::LadderHandle;
use crate::store::rows::{META_LOBBY_STATUS, ReachRow, UnixMillis, Write};

/// Discord's docs ("Receiving and Responding"): an interaction token is valid
/// for 15 minutes. ladderd stops using one a minute early.
pub const TOKEN_USABLE: Duration = Duration::from_secs(14 * 60);
/// New DM channels per window for the whole bot. Discord publishes no
/// number; public reports (discord-advertisement-framework #82, SnowTransfer
/// #43) see 40003 after "a few dozen at once", so ladderd stays well under.
pub const DM_OPENS_PER_WINDOW: usize = 20;
pub const DM_OPEN_WINDOW: Duration = Duration::from_secs(5 * 60);
/// After a 40003 no new DM channel is opened for anyone this long (Discord
/// does not say how long its block lasts; reports say minutes).
pub const DM_OPEN_PAUSE: Duration = Duration::from_secs(10 * 60);
/// First retry of a failed delivery; doubles up to [`RETRY_CAP`].
pub const RETRY_FIRST: Duration = Duration::from_secs(2);
pub const RETRY_CAP: Duration = Duration::from_secs(5 * 60);
/// A waiting lane looks again at least this often (a budget slot may have
/// freed, a deadline may have passed).
const WAIT_POLL: Duration = Duration::from_secs(10);
/// A player with news and no way to reach them is mentioned in the lobby at
/// most this often.
pub const PING_EVERY: Duration = Duration::from_secs(30 * 60);

/// Told once to a player whose DMs are closed, ephemerally.
pub const DM_HINT: &str = "ℹ️ Your DMs are closed to members of this server, so ladderd shows your match cards and news here, while you have this channel open. To get them as direct messages, with a notification: open the server's menu → **Privacy Settings** → turn on **Direct Messages**.";

/// Who a lane delivers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    Player(u64),
    Lobby,
    AdminLog,
    /// A match's public record: the results channel.
    Results,
}

/// One message on its way.
#[derive(Debug, Clone)]
pub struct Item {
    pub rendered: Rendered,
    /// The outbox row to settle once delivered.
    pub outbox: Option<u64>,
    /// Ladder time after which the message is worthless (a card's confirm
    /// deadline); `None`: delivered however late.
    pub deadline: Option<UnixMillis>,
    /// About a moment and wanted by nobody in particular (a "someone is
    /// searching" ping): sent only where the player can be reached now — a
    /// kept DM channel or a live interaction token — and otherwise dropped.
    /// It never takes a DM-open slot (cards need them), never waits in the
    /// lane and never mentions the player in the lobby.
    pub casual: bool,
}

/// Counters for health and metrics.
#[derive(Debug, Default)]
pub struct DeliveryStats {
    /// Casual messages (pings) dropped: the player could not be reached
    /// without opening a DM channel or waiting.
    pub casual_dropped: AtomicU64,
    pub by_dm: AtomicU64,
    pub by_followup: AtomicU64,
    pub by_channel: AtomicU64,
    pub dm_opened: AtomicU64,
    /// 403 40003 answers to a DM open (each pauses all opens).
    pub dm_open_refused: AtomicU64,
    /// Players found with closed DMs (403 50007).
    pub dms_closed: AtomicU64,
    /// Lobby mentions of players who could not be reached otherwise.
    pub pings: AtomicU64,
    /// Messages dropped because their deadline passed first.
    pub expired: AtomicU64,
    /// Sends retried after a failure.
    pub retries: AtomicU64,
    /// Messages waiting in lanes now.
    pub waiting: AtomicU64,
}

#[derive(Debug, Clone, Default)]
struct Reach {
    dm: Option<Id<ChannelMarker>>,
    closed: bool,
    hinted_at: Option<UnixMillis>,
    /// The language their last interaction reported (`None`: none seen).
    locale: Option<Locale>,
}

#[derive(Default)]
struct LaneState {
    queue: VecDeque<Item>,
    running: bool,
}

#[derive(Default)]
struct State {
    reach: HashMap<u64, Reach>,
    /// Each player's latest usable interaction token and when it was issued.
    tokens: HashMap<u64, (String, Instant)>,
    lanes: HashMap<Lane, LaneState>,
    /// When the DM channels opened within the window were opened.
    opens: VecDeque<Instant>,
    dm_paused_until: Option<Instant>,
    /// When each player was last mentioned in the lobby.
    pinged: HashMap<u64, Instant>,
    status_message: Option<Id<MessageMarker>>,
    /// The newest lobby status not yet shown, and whether a task shows it.
    status_pending: Option<Rendered>,
    status_running: bool,
}

/// Where the channels are.
#[derive(Debug, Clone, Default)]
pub struct Places {
    pub lobby: Option<Id<ChannelMarker>>,
    pub admin_log: Option<Id<ChannelMarker>>,
    pub results: Option<Id<ChannelMarker>>,
}

pub struct Delivery<T: Transport<Request = Request, Body = Vec<u8>>> {
    http: Client,
    application_id: Id<ApplicationMarker>,
    outbound: Outbound<T>,
    ladder: LadderHandle,
    clock: Arc<dyn Clock>,
    places: Places,
    state: Mutex<State>,
    /// Woken when something a waiting lane may need arrives (a token, a
    /// DM channel).
    wake: tokio::sync::Notify,
    stats: Arc<DeliveryStats>,
    /// Once cancelled, lanes that can only wait stop (their rows stay
    /// pending in the outbox); lanes that can send finish.
    stopping: tokio_util::sync::CancellationToken,
    tasks: tokio_util::task::TaskTracker,
}

/// What one attempt came to.
enum Outcome {
    Sent(Option<u64>),
    /// 403 50007: this player's DMs are closed.
    Closed,
    /// 404: the channel is gone (10003, deleted by a moderator).
    Gone,
    /// The interaction token no longer works (10015, 50027).
    TokenDead,
    /// Refused as built: sending it again would be refused again.
    Refused,
    /// Failed after the scheduler's retries: try again later.
    Retry,
    Stop,
}

enum Route {
    Dm(Id<ChannelMarker>),
    Followup(String),
    OpenDm,
    Wait,
}

impl<T: Transport<Request = Request, Body = Vec<u8>>> Delivery<T> {
    pub fn new(
        application_id: Id<ApplicationMarker>,
        outbound: Outbound<T>,
        ladder: LadderHandle,
        clock: Arc<dyn Clock>,
        places: Places,
    ) -> Self {
        Delivery {
            http: Client::new(String::new()),
            application_id,
            outbound,
            ladder,
            clock,
            places,
            state: Mutex::new(State::default()),
            wake: tokio::sync::Notify::new(),
            stats: Arc::default(),
            stopping: tokio_util::sync::CancellationToken::new(),
            tasks: tokio_util::task::TaskTracker::new(),
        }
    }

    /// Count into `stats` (which health and metrics read).
    pub fn set_stats(&mut self, stats: Arc<DeliveryStats>) {
        self.stats = stats;
    }

    /// Ladder time (deadlines, persisted times) from `clock`.
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    /// Lanes that can only wait stop once `stopping` is cancelled.
    pub fn set_stopping(&mut self, stopping: tokio_util::sync::CancellationToken) {
        self.stopping = stopping;
    }

    pub fn stats(&self) -> &Arc<DeliveryStats> {
        &self.stats
    }

    /// What Discord gave us before the last stop.
    pub fn restore(&self, reach: Vec<ReachRow>, lobby_status: Option<u64>) {
        let mut st = lock(&self.state);
        for row in reach {
            st.reach.insert(
                row.player_id,
                Reach {
                    dm: row.dm_channel_id.and_then(Id::new_checked),
                    closed: row.dms_closed,
                    hinted_at: row.hinted_at,
                    locale: row.locale.as_deref().map(Locale::from_discord),
                },
            );
        }
        st.status_message = lobby_status.and_then(Id::new_checked);
    }

    /// `player`'s language as their latest interaction reported it: kept
    /// (and stored, when it changed) for the messages that answer none.
    pub fn saw_locale(&self, player: u64, locale: Locale) {
        let known = lock(&self.state).reach.get(&player).and_then(|r| r.locale);
        if known != Some(locale) {
            self.update_reach(player, |r| r.locale = Some(locale));
        }
    }

    /// `player`'s language (English until one is seen).
    pub fn locale_of(&self, player: u64) -> Locale {
        lock(&self.state)
            .reach
            .get(&player)
            .and_then(|r| r.locale)
            .unwrap_or_default()
    }

    /// The player's DM channel, as known now (tests).
    pub fn dm_channel_of(&self, player: u64) -> Option<u64> {
        lock(&self.state)
            .reach
            .get(&player)
            .and_then(|r| r.dm)
            .map(Id::get)
    }

    /// Waits until every lane that can deliver has (call once nothing new
    /// is queued); lanes that can only wait stop once `stopping` is cancelled.
    pub async fn finish(&self) {
        self.tasks.close();
        self.tasks.wait().await;
    }

    /// Queues `item` on `lane`; it is delivered after everything queued on
    /// that lane before it.
    pub fn send(self: &Arc<Self>, lane: Lane, item: Item) {
        let start = {
            let mut st = lock(&self.state);
            let l = st.lanes.entry(lane).or_default();
            l.queue.push_back(item);
            self.stats.waiting.fetch_add(1, Ordering::Relaxed);
            !std::mem::replace(&mut l.running, true)
        };
        if start {
            let this = self.clone();
            self.tasks.spawn(async move { this.drain(lane).await });
        }
    }

    /// A user interacted and Discord accepted our answer: their token can
    /// carry followups for the next minutes. A player whose DMs are closed
    /// is told once how to open them.
    pub fn saw_token(self: &Arc<Self>, player: u64, token: String, issued: Instant) {
        let hint = {
            let mut st = lock(&self.state);
            st.tokens.insert(player, (token.clone(), issued));
            st.pinged.remove(&player);
            let r = st.reach.entry(player).or_default();
            if r.closed && r.hinted_at.is_none() {
                r.hinted_at = Some(self.clock.now());
                Some(r.clone())
            } else {
                None
            }
        };
        self.wake.notify_waiters();
        if let Some(r) = hint {
            self.persist(player, &r);
            let rendered = Rendered {
                content: DM_HINT.to_owned(),
                components: vec![],
                ephemeral: true,
                files: Vec::new(),
            };
            let this = self.clone();
            tokio::spawn(async move {
                let _ = this.followup(&token, &rendered).await;
            });
        }
    }

    /// Shows the lobby's status: edits the one status message (or posts it
    /// once); only the newest status is shown if several come quickly.
    pub fn lobby_status(self: &Arc<Self>, rendered: Rendered) {
        let Some(lobby) = self.places.lobby else {
            return;
        };
        let start = {
            let mut st = lock(&self.state);
            st.status_pending = Some(rendered);
            !std::mem::replace(&mut st.status_running, true)
        };
        if !start {
            return;
        }
        let this = self.clone();
        self.tasks.spawn(async move {
            loop {
                let (next, known) = {
                    let mut st = lock(&this.state);
                    match st.status_pending.take() {
                        Some(r) => (r, st.status_message),
                        None => {
                            st.status_running = false;
                            return;
                        }
                    }
                };
                this.show_status(lobby, next, known).await;
            }
        });
    }

    async fn show_status(
        &self,
        lobby: Id<ChannelMarker>,
        rendered: Rendered,
        known: Option<Id<MessageMarker>>,
    ) {
        if let Some(message) = known {
            let request = self
                .http
                .update_message(lobby, message)
                .content(Some(&rendered.content))
                .components(Some(&rendered.components))
                .try_into_request();
            if let Ok(request) = request {
                match self.exchange(Priority::Channel, request).await {
                    Ok(_) => return,
                    // Deleted by a moderator: post a new one below.
                    Err(Failure::Refused { status: 404, .. }) => {}
                    Err(e) => {
                        return tracing::warn!(error = %e, "updating the lobby status failed");
                    }
                }
            }
        }
        let Ok(request) = self
            .http
            .create_message(lobby)
            .content(&rendered.content)
            .components(&rendered.components)
            .try_into_request()
        else {
            return;
        };
        match self.exchange(Priority::Channel, request).await {
            Ok(reply) => {
                let id = message_id(&reply.body);
                lock(&self.state).status_message = id.and_then(Id::new_checked);
                if let Some(id) = id {
                    let write = Write::Meta {
                        key: META_LOBBY_STATUS,
                        value: id as i64,
                    };
                    if let Err(e) = self.ladder.remember(write).await {
                        tracing::debug!(error = %e, "lobby status message not remembered");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "posting the lobby status failed"),
        }
    }

    async fn drain(self: Arc<Self>, lane: Lane) {
        loop {
            let item = {
                let mut st = lock(&self.state);
                let Some(l) = st.lanes.get_mut(&lane) else {
                    return;
                };
                match l.queue.pop_front() {
                    Some(item) => item,
                    None => {
                        st.lanes.remove(&lane);
                        return;
                    }
                }
            };
            let kept = match lane {
                Lane::Player(p) => self.deliver_to_player(p, &item).await,
                Lane::Lobby => self.deliver_to_place(self.places.lobby, &item).await,
                Lane::AdminLog => self.deliver_to_place(self.places.admin_log, &item).await,
                Lane::Results => self.deliver_to_place(self.places.results, &item).await,
            };
            self.stats.waiting.fetch_sub(1, Ordering::Relaxed);
            if !kept {
                // Stopping with this lane unable to deliver: the rest stays
                // in the outbox for the next start, in order.
                let mut st = lock(&self.state);
                if let Some(l) = st.lanes.remove(&lane) {
                    self.stats
                        .waiting
                        .fetch_sub(l.queue.len() as u64, Ordering::Relaxed);
                }
                return;
            }
        }
    }

    /// Delivers `item` to a configured channel, retrying with backoff.
    /// `false`: stopped before it could.
    async fn deliver_to_place(&self, channel: Option<Id<ChannelMarker>>, item: &Item) -> bool {
        let Some(channel) = channel else {
            // Nowhere to deliver, now or after a restart: settled as is.
            self.settle(item.outbox, None).await;
            return true;
        };
        let mut backoff = RETRY_FIRST;
        loop {
            match self.post(channel, item, Priority::Channel).await {
                Outcome::Sent(id) => {
                    self.stats.by_channel.fetch_add(1, Ordering::Relaxed);
                    self.settle(item.outbox, id).await;
                    return true;
                }
                Outcome::Refused | Outcome::Gone | Outcome::Closed | Outcome::TokenDead => {
                    // Logged and counted by the scheduler; a configured
                    // channel that refuses needs a person.
                    return true;
                }
                Outcome::Stop => return false,
                Outcome::Retry => {
                    if !self.back_off(&mut backoff).await {
                        return false;
                    }
                }
            }
        }
    }

    /// Delivers `item` to `player` wherever they can be reached (see the
    /// module doc). `false`: stopped before it could.
    async fn deliver_to_player(self: &Arc<Self>, player: u64, item: &Item) -> bool {
        let mut backoff = RETRY_FIRST;
        // A DM channel that answered 404 for this message: it is reopened
        // once (outside the budget: usually not a new channel for Discord's
        // count); if that hands back the same channel, it is not tried again.
        let mut dead: Option<Id<ChannelMarker>> = None;
        let mut reopened = false;
        loop {
            if item.deadline.is_some_and(|d| self.clock.now() >= d) {
                self.stats.expired.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    player,
                    outbox = item.outbox,
                    "a message reached its deadline before it could be delivered"
                );
                return true;
            }
            let woken = self.wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            let route = match self.route_for(player, dead, !reopened, !item.casual) {
                Route::OpenDm | Route::Wait if item.casual => {
                    self.stats.casual_dropped.fetch_add(1, Ordering::Relaxed);
                    return true;
                }
                route => route,
            };
            let outcome = match route {
                Route::Dm(channel) => {
                    let o = self.post(channel, item, Priority::Direct).await;
                    if matches!(o, Outcome::Sent(_)) {
                        self.stats.by_dm.fetch_add(1, Ordering::Relaxed);
                    }
                    o
                }
                Route::Followup(token) => {
                    let o = self.followup(&token, &item.rendered).await;
                    if matches!(o, Outcome::Sent(_)) {
                        self.stats.by_followup.fetch_add(1, Ordering::Relaxed);
                        // For later messages, when this token has expired.
                        self.warm(player);
                    }
                    o
                }
                Route::OpenDm => {
                    reopened |= dead.is_some();
                    self.open_dm(player).await;
                    continue;
                }
                Route::Wait => {
                    if self.stopping.is_cancelled() {
                        return false;
                    }
                    self.ping(player).await;
                    let poll = item.deadline.map_or(WAIT_POLL, |d| {
                        Duration::from_millis((d - self.clock.now()).clamp(0, 10_000) as u64)
                            .min(WAIT_POLL)
                    });
                    tokio::select! {
                        _ = &mut woken => {}
                        _ = tokio::time::sleep(poll) => {}
                        _ = self.stopping.cancelled() => return false,
                    }
                    continue;
                }
            };
            match outcome {
                Outcome::Sent(id) => {
                    self.settle(item.outbox, id).await;
                    return true;
                }
                Outcome::Closed => self.update_reach(player, |r| {
                    r.closed = true;
                }),
                Outcome::Gone => {
                    dead = lock(&self.state).reach.get(&player).and_then(|r| r.dm);
                    self.update_reach(player, |r| r.dm = None);
                }
                Outcome::TokenDead => {
                    lock(&self.state).tokens.remove(&player);
                }
                Outcome::Refused => return true,
                Outcome::Stop => return false,
                Outcome::Retry => {
                    if !self.back_off(&mut backoff).await {
                        return false;
                    }
                }
            }
        }
    }

    /// Waits out one retry delay (doubling it for the next, jittered), or
    /// less once a request sent from now on succeeds; `false` if ladderd
    /// began to stop meanwhile.
    async fn back_off(&self, backoff: &mut Duration) -> bool {
        self.stats.retries.fetch_add(1, Ordering::Relaxed);
        let failed_at = tokio::time::Instant::now();
        let wait = jittered(*backoff);
        *backoff = (*backoff * 2).min(RETRY_CAP);
        tokio::select! {
            _ = tokio::time::sleep(wait) => true,
            _ = self.outbound.recovered(failed_at) => true,
            _ = self.stopping.cancelled() => false,
        }
    }

    /// Where to try next (see the module doc). `dead`: a DM channel that
    /// answered 404 for the message at hand; `may_reopen`: it may be
    /// reopened once.
    fn route_for(
        &self,
        player: u64,
        dead: Option<Id<ChannelMarker>>,
        may_reopen: bool,
        may_open: bool,
    ) -> Route {
        let now = Instant::now();
        let mut st = lock(&self.state);
        let reach = st.reach.get(&player).cloned().unwrap_or_default();
        if let (Some(dm), false) = (reach.dm, reach.closed)
            && Some(dm) != dead
        {
            return Route::Dm(dm);
        }
        // A DM notifies the player and stays; an ephemeral followup shows
        // only while they look at the channel. So a DM first, when the
        // budget allows opening one.
        if !reach.closed && reach.dm.is_none() && may_open {
            let reopen = dead.is_some() && may_reopen;
            if reopen || (dead.is_none() && take_open_slot(&mut st, now)) {
                return Route::OpenDm;
            }
        }
        if let Some((token, issued)) = st.tokens.get(&player)
            && now.saturating_duration_since(*issued) < TOKEN_USABLE
        {
            return Route::Followup(token.clone());
        }
        Route::Wait
    }

    /// Opens `player`'s DM channel in the background if the budget allows
    /// and it is not known yet (a card went by followup; later messages
    /// should not depend on a token).
    fn warm(self: &Arc<Self>, player: u64) {
        let go = {
            let mut st = lock(&self.state);
            let reach = st.reach.get(&player).cloned().unwrap_or_default();
            !reach.closed && reach.dm.is_none() && take_open_slot(&mut st, Instant::now())
        };
        if go {
            let this = self.clone();
            self.tasks.spawn(async move { this.open_dm(player).await });
        }
    }

    /// Opens the DM channel (a budget slot is already taken) and keeps it.
    async fn open_dm(&self, player: u64) {
        let Some(user) = Id::new_checked(player) else {
            return;
        };
        let Ok(request) = self.http.create_private_channel(user).try_into_request() else {
            return;
        };
        match self.exchange(Priority::Direct, request).await {
            Ok(reply) => {
                let channel =
                    serde_json::from_slice::<twilight_model::channel::Channel>(&reply.body)
                        .ok()
                        .map(|c| c.id);
                if let Some(channel) = channel {
                    self.stats.dm_opened.fetch_add(1, Ordering::Relaxed);
                    self.update_reach(player, |r| r.dm = Some(channel));
                    self.wake.notify_waiters();
                }
            }
            Err(Failure::Refused {
                status: 403,
                code: Some(40003),
                ..
            }) => {
                self.stats.dm_open_refused.fetch_add(1, Ordering::Relaxed);
                let mut st = lock(&self.state);
                st.dm_paused_until = Some(Instant::now() + DM_OPEN_PAUSE);
                tracing::warn!(
                    pause_s = DM_OPEN_PAUSE.as_secs(),
                    "Discord refused a new DM channel (40003, opening DMs too fast): no new DM channel for anyone for a while; players are reached through their interactions meanwhile"
                );
            }
            Err(e) => tracing::warn!(player, error = %e, "opening a DM channel failed"),
        }
    }

    /// Mentions `player` in the lobby with a Show button (at most every
    /// [`PING_EVERY`]): their click's token carries what waits for them.
    async fn ping(&self, player: u64) {
        let Some(lobby) = self.places.lobby else {
            return;
        };
        {
            let mut st = lock(&self.state);
            let now = Instant::now();
            if st
                .pinged
                .get(&player)
                .is_some_and(|at| now.saturating_duration_since(*at) < PING_EVERY)
            {
                return;
            }
            st.pinged.insert(player, now);
        }
        let Some(user) = Id::new_checked(player) else {
            return;
        };
        let content = format!(
            "<@{player}> 📬 the ladder has news for you that could not reach your DMs — press **Show** to read it here (only you will see it)."
        );
        let components = vec![Component::ActionRow(ActionRow {
            id: None,
            components: vec![button(ComponentId::ShowInbox, "Show", ButtonStyle::Primary)],
        })];
        let mentions = AllowedMentions {
            users: vec![user],
            ..AllowedMentions::default()
        };
        let Ok(request) = self
            .http
            .create_message(lobby)
            .content(&content)
            .components(&components)
            .allowed_mentions(Some(&mentions))
            .try_into_request()
        else {
            return;
        };
        self.stats.pings.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = self.exchange(Priority::Channel, request).await {
            tracing::warn!(player, error = %e, "mentioning a player in the lobby failed");
        }
    }

    fn update_reach(&self, player: u64, change: impl FnOnce(&mut Reach)) {
        let reach = {
            let mut st = lock(&self.state);
            let r = st.reach.entry(player).or_default();
            let was_closed = r.closed;
            change(r);
            if r.closed && !was_closed {
                self.stats.dms_closed.fetch_add(1, Ordering::Relaxed);
            }
            r.clone()
        };
        self.persist(player, &reach);
    }

    fn persist(&self, player: u64, reach: &Reach) {
        let row = ReachRow {
            player_id: player,
            dm_channel_id: reach.dm.map(Id::get),
            dms_closed: reach.closed,
            hinted_at: reach.hinted_at,
            updated_at: self.clock.now(),
            locale: reach.locale.map(|l| l.code().to_owned()),
        };
        let ladder = self.ladder.clone();
        tokio::spawn(async move {
            if let Err(e) = ladder.remember(Write::Reach(row)).await {
                tracing::debug!(player, error = %e, "player reach not remembered");
            }
        });
    }

    /// One message into `channel`, created at most once (nonce = outbox id).
    async fn post(&self, channel: Id<ChannelMarker>, item: &Item, priority: Priority) -> Outcome {
        let request = match create_message(&self.http, channel, &item.rendered, item.outbox) {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "could not build a message");
                return Outcome::Refused;
            }
        };
        outcome_of(self.exchange(priority, request).await)
    }

    /// An ephemeral followup on an interaction token.
    async fn followup(&self, token: &str, rendered: &Rendered) -> Outcome {
        let client = self.http.interaction(self.application_id);
        let request = client
            .create_followup(token)
            .content(&rendered.content)
            .components(&rendered.components)
            .flags(MessageFlags::EPHEMERAL)
            .try_into_request();
        let request = match request {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(error = %e, "could not build a followup");
                return Outcome::Refused;
            }
        };
        match self.exchange(Priority::Interaction, request).await {
            Err(Failure::Refused {
                code: Some(10015 | 50027),
                ..
            })
            | Err(Failure::Refused { status: 401, .. }) => Outcome::TokenDead,
            other => outcome_of(other),
        }
    }

    async fn exchange(
        &self,
        priority: Priority,
        request: Request,
    ) -> Result<Reply<Vec<u8>>, Failure> {
        self.outbound
            .send(priority, route_key(&request), request)
            .await
            .unwrap_or(Err(Failure::ShuttingDown))
    }

    async fn settle(&self, outbox: Option<u64>, message_id: Option<u64>) {
        if let Some(outbox) = outbox
            && let Err(e) = self.ladder.delivered(outbox, message_id).await
        {
            tracing::debug!(outbox, error = %e, "delivery not recorded; it is re-issued at the next start");
        }
    }
}

fn outcome_of(result: Result<Reply<Vec<u8>>, Failure>) -> Outcome {
    match result {
        Ok(reply) => Outcome::Sent(message_id(&reply.body)),
        Err(Failure::Refused {
            status: 403,
            code: Some(50007),
            ..
        }) => Outcome::Closed,
        Err(Failure::Refused { status: 404, .. }) => Outcome::Gone,
        Err(Failure::Refused { .. }) => Outcome::Refused,
        Err(Failure::ShuttingDown) => Outcome::Stop,
        Err(Failure::GaveUp { .. } | Failure::QueueFull(_)) => Outcome::Retry,
    }
}

/// Takes a slot of the DM-open budget if there is one.
fn take_open_slot(st: &mut State, now: Instant) -> bool {
    if st.dm_paused_until.is_some_and(|t| now < t) {
        return false;
    }
    while st
        .opens
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= DM_OPEN_WINDOW)
    {
        st.opens.pop_front();
    }
    if st.opens.len() >= DM_OPENS_PER_WINDOW {
        return false;
    }
    st.opens.push_back(now);
    true
}

fn message_id(body: &[u8]) -> Option<u64> {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("id")?.as_str()?.parse::<u64>().ok())
}

/// A message-create request; with an outbox id, carrying it as `nonce`
/// with `enforce_nonce` so Discord creates the message at most once
/// (twilight 0.18 sets a nonce but has no `enforce_nonce`: the JSON body
/// is amended here).
pub fn create_message(
    http: &Client,
    channel: Id<ChannelMarker>,
    rendered: &Rendered,
    outbox: Option<u64>,
) -> Result<Request, twilight_http::Error> {
    let attachments: Vec<twilight_model::http::attachment::Attachment> = rendered
        .files
        .iter()
        .zip(0..)
        .map(|((name, bytes), id)| {
            twilight_model::http::attachment::Attachment::from_bytes(
                name.clone(),
                bytes.clone(),
                id,
            )
        })
        .collect();
    let builder = http
        .create_message(channel)
        .content(&rendered.content)
        .components(&rendered.components)
        .attachments(&attachments);
    let Some(nonce) = outbox else {
        return builder.try_into_request();
    };
    let request = builder.nonce(nonce).try_into_request()?;
    let Some(mut body) = request
        .body()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
    else {
        return Ok(request);
    };
    body["enforce_nonce"] = serde_json::Value::Bool(true);
    Request::builder(&twilight_http::routing::Route::CreateMessage {
        channel_id: channel.get(),
    })
    .json(&body)
    .build()
}

/// Poison-tolerant lock: every update under it is one insert or remove.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
