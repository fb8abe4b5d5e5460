//! The gateway: Hello → Identify → READY → GUILD_CREATE → dispatches, with
//! heartbeats, Resume by sequence, and commands to send Reconnect, Invalid
//! Session or drop the socket.
//!
//! Frames are plain JSON text. twilight asks for `compress=zstd-stream` by
//! default, but it decompresses only binary frames and reads text frames as
//! they are, so the simulator ignores `compress` (see "Not modelled" in `sim`).

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tokio_websockets::{CloseCode, Limits, Message, ServerBuilder, WebSocketStream};
use twilight_model::gateway::payload::incoming::{GuildCreate, Ready};

use super::world::{IDS, shaped};
use super::{Shared, SimError, lock};

/// What a session's connection task is told to do.
#[derive(Debug)]
pub(crate) enum Out {
    Frame(String),
    Reconnect,
    InvalidSession(bool),
    Drop,
}

struct Session {
    /// The intents sent in Identify; dispatches are filtered by them.
    intents: u64,
    /// `[shard_id, num_shards]` from Identify (`[0, 1]` without one): guild
    /// events go to shard `(guild_id >> 22) % num_shards`, DMs to shard 0.
    shard: (u64, u64),
    seq: u64,
    buffer: VecDeque<(u64, String)>,
    conn: Option<(u64, mpsc::UnboundedSender<Out>)>,
}

pub(crate) struct GatewayState {
    sessions: BTreeMap<String, Session>,
    next_conn: u64,
    next_session: u64,
    buffer_cap: usize,
    /// Connections accepted, READYs and RESUMEDs sent, heartbeats ACKed.
    pub stats: GatewayStats,
}

/// Gateway counts, for tests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GatewayStats {
    pub connections: u64,
    pub identifies: u64,
    pub resumes: u64,
    pub heartbeats: u64,
    pub dispatches: u64,
    pub heartbeat_timeouts: u64,
    /// Identifies answered op 9 for exceeding `max_concurrency` per 5 s.
    pub identifies_refused: u64,
}

impl GatewayState {
    pub(crate) fn new(buffer_cap: usize) -> Self {
        Self {
            sessions: BTreeMap::new(),
            next_conn: 0,
            next_session: 0,
            buffer_cap: buffer_cap.max(1),
            stats: GatewayStats::default(),
        }
    }

    fn push(&mut self, session_id: &str, event: &str, data: &Value) {
        let cap = self.buffer_cap;
        let Some(s) = self.sessions.get_mut(session_id) else {
            return;
        };
        s.seq += 1;
        let frame = json!({ "op": 0, "s": s.seq, "t": event, "d": data }).to_string();
        s.buffer.push_back((s.seq, frame.clone()));
        while s.buffer.len() > cap {
            s.buffer.pop_front();
        }
        if let Some((_, tx)) = &s.conn
            && tx.send(Out::Frame(frame)).is_err()
        {
            s.conn = None;
        }
    }
}

/// Handle for gateway commands, from [`super::Simulator::gateway`].
pub struct GatewayControl<'a> {
    pub(crate) shared: &'a Arc<Shared>,
}

impl GatewayControl<'_> {
    /// Dispatch an event to every session (connected or waiting to resume).
    pub fn dispatch(&self, event: &str, data: &Value) {
        dispatch(self.shared, event, data);
    }

    /// Send op 7 Reconnect on every connection.
    pub fn reconnect(&self) {
        self.each_conn(|| Out::Reconnect);
    }

    /// Send op 9 Invalid Session; a non-resumable one also forgets the
    /// sessions, as Discord does.
    pub fn invalid_session(&self, resumable: bool) {
        self.each_conn(|| Out::InvalidSession(resumable));
        if !resumable {
            lock(&self.shared.gateway).sessions.clear();
        }
    }

    /// Drop every socket without a close frame. Sessions stay resumable, and
    /// dispatches from now on are buffered until the client resumes.
    pub fn drop_connections(&self) {
        let mut g = lock(&self.shared.gateway);
        for s in g.sessions.values_mut() {
            if let Some((_, tx)) = s.conn.take() {
                let _ = tx.send(Out::Drop);
            }
        }
        drop(g);
        self.shared.bump();
    }

    /// Sessions with a live connection.
    pub fn connected(&self) -> usize {
        lock(&self.shared.gateway)
            .sessions
            .values()
            .filter(|s| s.conn.is_some())
            .count()
    }

    pub fn stats(&self) -> GatewayStats {
        lock(&self.shared.gateway).stats
    }

    fn each_conn(&self, out: impl Fn() -> Out) {
        let g = lock(&self.shared.gateway);
        for s in g.sessions.values() {
            if let Some((_, tx)) = &s.conn {
                let _ = tx.send(out());
            }
        }
    }
}

/// The guild a dispatch belongs to; `None` for DMs.
fn guild_of(data: &Value) -> Option<u64> {
    data["guild_id"].as_str().and_then(|g| g.parse().ok())
}

/// Discord's routing: a guild's events go to shard `(guild_id >> 22) %
/// num_shards`; events without a guild (DMs) to shard 0.
fn is_for_shard(guild: Option<u64>, (id, total): (u64, u64)) -> bool {
    match guild {
        Some(g) => (g >> 22) % total.max(1) == id,
        None => id == 0,
    }
}

/// `[shard_id, num_shards]` from an Identify, if well-formed.
fn shard_of(shard: &Value) -> (u64, u64) {
    match shard.as_array().map(|a| {
        (
            a.first().and_then(Value::as_u64),
            a.get(1).and_then(Value::as_u64),
        )
    }) {
        Some((Some(id), Some(total))) if id < total => (id, total),
        _ => (0, 1),
    }
}

pub(crate) fn dispatch(shared: &Shared, event: &str, data: &Value) {
    let mut g = lock(&shared.gateway);
    let guild = guild_of(data);
    let ids: Vec<(String, u64)> = g
        .sessions
        .iter()
        .filter(|(_, s)| is_for_shard(guild, s.shard))
        .map(|(k, s)| (k.clone(), s.intents))
        .collect();
    for (id, intents) in ids {
        match for_intents(event, data, intents) {
            Some(std::borrow::Cow::Borrowed(d)) => g.push(&id, event, d),
            Some(std::borrow::Cow::Owned(d)) => g.push(&id, event, &d),
            None => {}
        }
    }
    g.stats.dispatches += 1;
    drop(g);
    shared.bump();
}

/// Discord's limit on a client's gateway payload.
const MAX_PAYLOAD: usize = 4096;
/// Discord's gateway send limit: 120 payloads per 60 s, else close 4008.
const SEND_LIMIT: u32 = 120;
const SEND_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

use super::realism::intents::{DIRECT_MESSAGES, GUILD_MESSAGES, GUILDS, MESSAGE_CONTENT};

/// What a session with `intents` receives of an event, as Discord filters:
/// message events need GUILD_MESSAGES or DIRECT_MESSAGES, thread events
/// GUILDS, and without the privileged MESSAGE_CONTENT intent a guild message
/// from someone else that does not mention the bot arrives with empty
/// content, embeds, attachments and components.
fn for_intents<'a>(
    event: &str,
    data: &'a Value,
    intents: u64,
) -> Option<std::borrow::Cow<'a, Value>> {
    use std::borrow::Cow;
    let in_guild = data.get("guild_id").is_some_and(|g| !g.is_null());
    match event {
        "MESSAGE_CREATE" | "MESSAGE_UPDATE" | "MESSAGE_DELETE" => {
            let needed = if in_guild {
                GUILD_MESSAGES
            } else {
                DIRECT_MESSAGES
            };
            if intents & needed == 0 {
                return None;
            }
            let bot = IDS.bot_user.to_string();
            let from_bot = data["author"]["id"].as_str() == Some(bot.as_str());
            let mentioned = data["mentions"]
                .as_array()
                .is_some_and(|m| m.iter().any(|u| u["id"].as_str() == Some(bot.as_str())));
            if event != "MESSAGE_DELETE"
                && in_guild
                && !from_bot
                && !mentioned
                && intents & MESSAGE_CONTENT == 0
            {
                let mut d = data.clone();
                d["content"] = json!("");
                for k in ["embeds", "attachments", "components"] {
                    d[k] = json!([]);
                }
                return Some(Cow::Owned(d));
            }
            Some(Cow::Borrowed(data))
        }
        "THREAD_CREATE" | "THREAD_UPDATE" | "THREAD_DELETE" if intents & GUILDS == 0 => None,
        _ => Some(Cow::Borrowed(data)),
    }
}

pub(crate) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    let conn_cancel = cancel.clone();
    super::accept_loop(listener, "gateway", cancel, tracker, move |stream| {
        connection(stream, shared.clone(), conn_cancel.clone())
    })
    .await;
}

fn op(op: u8, d: Value) -> Message {
    Message::text(json!({ "op": op, "d": d }).to_string())
}

async fn close(ws: &mut WebSocketStream<TcpStream>, code: u16, reason: &str) {
    let code = CloseCode::try_from(code).unwrap_or(CloseCode::PROTOCOL_ERROR);
    let _ = ws.send(Message::close(Some(code), reason)).await;
}

async fn connection(stream: TcpStream, shared: Arc<Shared>, cancel: CancellationToken) {
    // Discord closes connections that send payloads over 4096 bytes.
    let limits = Limits::default().max_payload_len(Some(MAX_PAYLOAD));
    // A client that never finishes the handshake must not hold up shutdown.
    let builder = ServerBuilder::new().limits(limits);
    let handshake = builder.accept(stream);
    let Ok((request, mut ws)) = (tokio::select! {
        r = handshake => r,
        () = cancel.cancelled() => return,
    }) else {
        return;
    };
    let query = request.uri().query().unwrap_or("").to_owned();
    lock(&shared.gateway).stats.connections += 1;
    if !query.split('&').any(|p| p == "v=10") {
        close(&mut ws, 4012, "Invalid API version").await;
        return;
    }
    if query
        .split('&')
        .any(|p| p.starts_with("encoding=") && p != "encoding=json")
    {
        close(&mut ws, 4002, "Decode error").await;
        return;
    }
    let interval = shared.config.heartbeat_interval;
    let interval_ms = u64::try_from(interval.as_millis()).unwrap_or(u64::MAX);
    if ws
        .send(op(10, json!({ "heartbeat_interval": interval_ms })))
        .await
        .is_err()
    {
        return;
    }
    // Discord allows some slack past the interval; twilight's first
    // heartbeat comes after a random fraction of it.
    let timeout = interval + interval / 2;
    let mut deadline = Instant::now() + timeout;
    let mut session: Option<(String, u64, mpsc::UnboundedReceiver<Out>)> = None;
    let (mut window_start, mut sent) = (Instant::now(), 0u32);
    loop {
        let out = async {
            match session.as_mut() {
                Some((_, _, rx)) => rx.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = cancel.cancelled() => {
                close(&mut ws, 1001, "simulator shutting down").await;
                break;
            }
            () = sleep_until(deadline) => {
                lock(&shared.gateway).stats.heartbeat_timeouts += 1;
                close(&mut ws, 4009, "Session timed out").await;
                break;
            }
            out = out => match out {
                Some(Out::Frame(f)) => {
                    let interaction = interaction_token(&f);
                    if ws.send(Message::text(f)).await.is_err() { break; }
                    if let Some(token) = interaction {
                        written(&shared, &token);
                    }
                }
                Some(Out::Reconnect) => {
                    if ws.send(op(7, Value::Null)).await.is_err() { break; }
                }
                Some(Out::InvalidSession(r)) => {
                    if ws.send(op(9, json!(r))).await.is_err() { break; }
                }
                Some(Out::Drop) | None => return,
            },
            msg = ws.next() => {
                let Some(Ok(msg)) = msg else { break };
                if msg.is_close() { break; }
                let Some(text) = msg.as_text() else { continue };
                if window_start.elapsed() >= SEND_WINDOW {
                    (window_start, sent) = (Instant::now(), 0);
                }
                sent += 1;
                if sent > SEND_LIMIT {
                    close(&mut ws, 4008, "Rate limited.").await;
                    break;
                }
                let Ok(v) = serde_json::from_str::<Value>(text) else {
                    close(&mut ws, 4002, "Decode error").await;
                    break;
                };
                match v.get("op").and_then(Value::as_u64) {
                    Some(1) => {
                        lock(&shared.gateway).stats.heartbeats += 1;
                        deadline = Instant::now() + timeout;
                        if ws.send(op(11, Value::Null)).await.is_err() { break; }
                    }
                    Some(2) if session.is_none() => {
                        if !token_ok(&shared, &v["d"]["token"]) {
                            close(&mut ws, 4004, "Authentication failed").await;
                            break;
                        }
                        if let Some((code, reason)) = intents_refused(&shared, &v["d"]["intents"]) {
                            close(&mut ws, code, reason).await;
                            break;
                        }
                        let allowed = lock(&shared.realism).identify(
                            &shared.config.realism,
                            shared.config.max_concurrency,
                            Instant::now(),
                        );
                        if !allowed {
                            // Discord's docs: identifying faster than
                            // max_concurrency per 5 s gets op 9.
                            lock(&shared.gateway).stats.identifies_refused += 1;
                            if ws.send(op(9, json!(false))).await.is_err() { break; }
                            continue;
                        }
                        match identify(&shared, &v["d"]) {
                            Ok(s) => session = Some(s),
                            Err(e) => {
                                tracing::error!(error = %e, "sim gateway could not build READY");
                                close(&mut ws, 4000, "Unknown error").await;
                                break;
                            }
                        }
                    }
                    Some(6) if session.is_none() => {
                        if !token_ok(&shared, &v["d"]["token"]) {
                            close(&mut ws, 4004, "Authentication failed").await;
                            break;
                        }
                        match resume(&shared, &v["d"]) {
                            Some(s) => session = Some(s),
                            None => {
                                if ws.send(op(9, json!(false))).await.is_err() { break; }
                            }
                        }
                    }
                    Some(2 | 6) => {
                        close(&mut ws, 4005, "Already authenticated").await;
                        break;
                    }
                    Some(3 | 4 | 8) if session.is_some() => {}
                    Some(3 | 4 | 8) => {
                        close(&mut ws, 4003, "Not authenticated").await;
                        break;
                    }
                    _ => {
                        close(&mut ws, 4001, "Unknown opcode").await;
                        break;
                    }
                }
            }
        }
    }
    if let Some((id, conn, _)) = session {
        let mut g = lock(&shared.gateway);
        if let Some(s) = g.sessions.get_mut(&id)
            && s.conn.as_ref().is_some_and(|(c, _)| *c == conn)
        {
            s.conn = None;
        }
        drop(g);
        shared.bump();
    }
}

/// The token of an INTERACTION_CREATE frame (`None` for other frames).
fn interaction_token(frame: &str) -> Option<String> {
    if !frame.contains("\"INTERACTION_CREATE\"") {
        return None;
    }
    let v: Value = serde_json::from_str(frame).ok()?;
    (v["t"] == "INTERACTION_CREATE")
        .then(|| v["d"]["token"].as_str().map(str::to_owned))
        .flatten()
}

/// Marks an interaction as written to a client's socket.
fn written(shared: &Shared, token: &str) {
    if let Some(rec) = lock(&shared.world).interactions.get_mut(token) {
        rec.written = true;
    }
    shared.bump();
}

/// Discord's close codes for an Identify's intents: 4013 for a bit Discord
/// does not define, 4014 for a privileged intent the application has not
/// enabled in the developer portal.
fn intents_refused(shared: &Shared, intents: &Value) -> Option<(u16, &'static str)> {
    use super::realism::intents::{KNOWN, PRIVILEGED};
    let Some(bits) = intents.as_u64() else {
        return Some((4013, "Invalid intent(s)."));
    };
    if bits & !KNOWN != 0 {
        return Some((4013, "Invalid intent(s)."));
    }
    let enabled = shared.config.realism.enabled_privileged_intents;
    (bits & PRIVILEGED & !enabled != 0).then_some((4014, "Disallowed intent(s)."))
}

fn token_ok(shared: &Shared, token: &Value) -> bool {
    let Some(t) = token.as_str() else {
        return false;
    };
    t.strip_prefix("Bot ").unwrap_or(t) == shared.config.token
        && !shared.token_reset.load(std::sync::atomic::Ordering::SeqCst)
}

fn ready_json(shared: &Shared, session_id: &str, shard: &Value) -> Result<Value, SimError> {
    let user = lock(&shared.world).user_json(IDS.bot_user);
    let mut user = user;
    user["mfa_enabled"] = json!(false);
    user["verified"] = json!(true);
    let mut ready = json!({
        "v": 10,
        "user": user,
        "guilds": [{ "id": IDS.guild.to_string(), "unavailable": true }],
        "session_id": session_id,
        "resume_gateway_url": shared.gateway_url,
        "application": { "id": IDS.application.to_string(), "flags": 0 },
    });
    if shard.is_array() {
        ready["shard"] = shard.clone();
    }
    Ok(shaped::<Ready>(ready)?.1)
}

/// GUILD_CREATE for a session with `intents`: without the privileged
/// GUILD_MEMBERS intent Discord lists only the bot itself as a member.
fn guild_json(shared: &Shared, intents: u64) -> Result<Value, SimError> {
    use super::realism::intents::GUILD_MEMBERS;
    let all_members = !shared.config.realism.members_by_intents || intents & GUILD_MEMBERS != 0;
    let w = lock(&shared.world);
    let channels: Vec<Value> = w
        .channels
        .keys()
        .filter_map(|c| w.channel_json(*c))
        .filter(|c| c["type"] == 0)
        .collect();
    let members: Vec<Value> = w
        .users
        .keys()
        .filter(|_| all_members)
        .chain(std::iter::once(&IDS.bot_user).filter(|_| !all_members))
        .map(|u| json!({ "user": w.user_json(*u), "roles": [], "joined_at": world_epoch(), "deaf": false, "mute": false, "flags": 0 }))
        .collect();
    let guild = json!({
        "id": IDS.guild.to_string(), "name": "ladderd sim", "icon": null,
        "owner_id": IDS.bot_user.to_string(), "afk_channel_id": null, "afk_timeout": 300,
        "verification_level": 0, "default_message_notifications": 0,
        "explicit_content_filter": 0, "roles": [], "emojis": [], "features": [],
        "mfa_level": 0, "application_id": null, "system_channel_id": null,
        "system_channel_flags": 0, "rules_channel_id": null, "vanity_url_code": null,
        "description": null, "banner": null, "premium_tier": 0,
        "preferred_locale": "en-US", "public_updates_channel_id": null,
        "nsfw_level": 0, "premium_progress_bar_enabled": false,
        "joined_at": world_epoch(), "large": false, "unavailable": false,
        "member_count": w.users.len() + 1, "members": members, "channels": channels,
        "threads": [], "presences": [], "voice_states": [], "stage_instances": [],
        "guild_scheduled_events": [], "stickers": [],
    });
    drop(w);
    Ok(shaped::<GuildCreate>(guild)?.1)
}

fn world_epoch() -> &'static str {
    "2026-01-01T00:00:00.000000+00:00"
}

fn identify(
    shared: &Shared,
    d: &Value,
) -> Result<(String, u64, mpsc::UnboundedReceiver<Out>), SimError> {
    let mut g = lock(&shared.gateway);
    g.next_session += 1;
    g.next_conn += 1;
    let id = format!("sim-session-{}", g.next_session);
    let conn = g.next_conn;
    g.stats.identifies += 1;
    drop(g);
    let ready = ready_json(shared, &id, &d["shard"])?;
    let guild = guild_json(shared, d["intents"].as_u64().unwrap_or(0))?;
    let shard = shard_of(&d["shard"]);
    let guild_here = is_for_shard(guild["id"].as_str().and_then(|g| g.parse().ok()), shard);
    let (tx, rx) = mpsc::unbounded_channel();
    let mut g = lock(&shared.gateway);
    g.sessions.insert(
        id.clone(),
        Session {
            intents: d["intents"].as_u64().unwrap_or(0),
            shard,
            seq: 0,
            buffer: VecDeque::new(),
            conn: Some((conn, tx)),
        },
    );
    g.push(&id, "READY", &ready);
    if guild_here {
        g.push(&id, "GUILD_CREATE", &guild);
    }
    drop(g);
    shared.bump();
    Ok((id, conn, rx))
}

/// Replay what the client missed, then RESUMED; `None` if the session is
/// unknown or its buffer no longer reaches back to the client's sequence.
fn resume(shared: &Shared, d: &Value) -> Option<(String, u64, mpsc::UnboundedReceiver<Out>)> {
    let id = d["session_id"].as_str()?.to_owned();
    let seq = d["seq"].as_u64().unwrap_or(0);
    let mut g = lock(&shared.gateway);
    g.next_conn += 1;
    let conn = g.next_conn;
    let s = g.sessions.get_mut(&id)?;
    let oldest = s.buffer.front().map_or(s.seq + 1, |(n, _)| *n);
    if seq > s.seq || seq + 1 < oldest {
        return None;
    }
    let (tx, rx) = mpsc::unbounded_channel();
    for (n, frame) in &s.buffer {
        if *n > seq {
            let _ = tx.send(Out::Frame(frame.clone()));
        }
    }
    if let Some((_, old)) = s.conn.replace((conn, tx)) {
        let _ = old.send(Out::Drop);
    }
    g.push(&id, "RESUMED", &json!({}));
    g.stats.resumes += 1;
    drop(g);
    shared.bump();
    Some((id, conn, rx))
}
