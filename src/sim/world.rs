//! The simulated guild: users, channels, messages, interactions, attachments,
//! and what each virtual user has seen. Every payload that leaves the
//! simulator is built here and passed through its `twilight-model` type
//! (deserialized, then serialized again), so a shape Discord's types would
//! refuse is an error in the simulator, not a surprise in ladderd.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use twilight_model::channel::Message;

use super::SimError;

/// Fixed ids of the simulated application, bot and guild.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ids {
    pub application: u64,
    pub bot_user: u64,
    pub guild: u64,
    /// The guild's one text channel ("ladder"), where lobby messages go.
    pub lobby: u64,
}

pub const IDS: Ids = Ids {
    application: 100_000_000_000_000_001,
    bot_user: 100_000_000_000_000_001,
    guild: 100_000_000_000_000_002,
    lobby: 100_000_000_000_000_003,
};

/// Pass a JSON value through its twilight-model type.
pub(crate) fn shaped<T: DeserializeOwned + Serialize>(v: Value) -> Result<(T, Value), SimError> {
    let typed: T = serde_json::from_value(v).map_err(|e| SimError::Shape {
        kind: std::any::type_name::<T>(),
        source: e,
    })?;
    let back = serde_json::to_value(&typed).map_err(|e| SimError::Shape {
        kind: std::any::type_name::<T>(),
        source: e,
    })?;
    Ok((typed, back))
}

pub(crate) fn now_iso() -> String {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or_default();
    let secs = (micros / 1_000_000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = crate::replay::summary::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        micros % 1_000_000
    )
}

/// Where a message was shown, from one user's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// The guild's lobby text channel.
    Lobby,
    /// A DM channel with the bot.
    Dm,
    /// A thread the user is a member of.
    Thread(u64),
    /// An ephemeral interaction reply only this user saw.
    Ephemeral,
}

/// One message as a virtual user saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub place: Place,
    pub message: Message,
}

#[derive(Clone, Debug)]
pub(crate) enum ChannelKind {
    Text,
    Dm {
        recipient: u64,
    },
    Thread {
        parent: u64,
        members: BTreeSet<u64>,
        archived: bool,
        locked: bool,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct ChannelRec {
    pub kind: ChannelKind,
    pub name: String,
    /// Deleted channels stay so users' history of what they saw survives.
    pub deleted: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct StoredMessage {
    pub message: Message,
    /// `Some(user)` for an ephemeral reply: only that user sees it.
    pub only: Option<u64>,
}

#[derive(Clone, Debug)]
pub(crate) struct InteractionRec {
    pub id: u64,
    pub user: u64,
    pub channel: u64,
    pub created: tokio::time::Instant,
    pub callbacks: u32,
    /// Written to a client's gateway socket (at least once).
    pub written: bool,
    pub ephemeral: bool,
    pub original: Option<u64>,
    /// The message whose component was used (component interactions).
    pub message: Option<u64>,
    /// A deferred response (type 5) whose "thinking…" message the first
    /// followup will replace, as Discord does.
    pub deferred_pending: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Attachment {
    pub filename: String,
    pub bytes: Bytes,
    /// The signed URL's `ex`, as Unix seconds (`None`: never expires).
    pub expires: Option<u64>,
    /// The signed URL's `hm`.
    pub signature: String,
}

pub(crate) struct World {
    next_id: u64,
    pub users: BTreeMap<u64, String>,
    /// Users whose Discord client is not in English: their `locale`.
    pub locales: BTreeMap<u64, String>,
    pub channels: BTreeMap<u64, ChannelRec>,
    pub messages: BTreeMap<u64, StoredMessage>,
    /// By interaction token.
    pub interactions: HashMap<String, InteractionRec>,
    pub attachments: HashMap<u64, Attachment>,
    pub commands: Vec<Value>,
    pub http_base: String,
    /// Messages created with `enforce_nonce`, by (channel, nonce): Discord
    /// answers a repeat with the message it already created.
    pub nonces: HashMap<(u64, String), Value>,
    /// Users who do not accept DMs from server members (403 50007).
    pub dms_closed: BTreeSet<u64>,
    /// How long a signed attachment URL serves (`None`: unsigned URLs).
    pub cdn_lifetime: Option<std::time::Duration>,
    /// Each guild member's roles (only those the bot gave or took).
    pub member_roles: BTreeMap<u64, BTreeSet<u64>>,
    /// Permissions the bot is denied per text channel (`permissions.rs`).
    pub bot_denied: BTreeMap<u64, u64>,
}

impl World {
    /// The bot's permissions in `channel`: a text channel's own, a thread's
    /// parent's; DMs are not permission-checked.
    pub(crate) fn bot_permissions(&self, channel: u64) -> Option<u64> {
        let text = match &self.channels.get(&channel)?.kind {
            ChannelKind::Text => channel,
            ChannelKind::Thread { parent, .. } => *parent,
            ChannelKind::Dm { .. } => return None,
        };
        Some(super::permissions::bot_permissions(
            self.bot_denied.get(&text).copied().unwrap_or(0),
        ))
    }

    pub(crate) fn new(http_base: String) -> Self {
        let mut channels = BTreeMap::new();
        channels.insert(
            IDS.lobby,
            ChannelRec {
                kind: ChannelKind::Text,
                name: "ladder".into(),
                deleted: false,
            },
        );
        Self {
            next_id: 200_000_000_000_000_000,
            users: BTreeMap::new(),
            locales: BTreeMap::new(),
            channels,
            messages: BTreeMap::new(),
            interactions: HashMap::new(),
            attachments: HashMap::new(),
            commands: Vec::new(),
            nonces: HashMap::new(),
            http_base,
            dms_closed: BTreeSet::new(),
            cdn_lifetime: None,
            member_roles: BTreeMap::new(),
            bot_denied: BTreeMap::new(),
        }
    }

    /// Increasing ids, so id order is creation order (as snowflakes are).
    pub(crate) fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub(crate) fn user_json(&self, id: u64) -> Value {
        let bot = id == IDS.bot_user;
        let name = if bot {
            "ladderd".to_owned()
        } else {
            self.users
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("user{id}"))
        };
        json!({
            "id": id.to_string(), "username": name, "global_name": null,
            "discriminator": "0", "avatar": null, "bot": bot,
        })
    }

    pub(crate) fn channel_json(&self, id: u64) -> Option<Value> {
        let rec = self.channels.get(&id)?;
        Some(match &rec.kind {
            ChannelKind::Text => json!({
                "id": id.to_string(), "type": 0, "guild_id": IDS.guild.to_string(),
                "name": rec.name, "position": 0,
                "permission_overwrites": super::permissions::overwrites_json(
                    self.bot_denied.get(&id).copied().unwrap_or(0)
                ),
                "nsfw": false, "parent_id": null, "last_message_id": null,
            }),
            ChannelKind::Dm { recipient } => json!({
                "id": id.to_string(), "type": 1, "last_message_id": null,
                "recipients": [self.user_json(*recipient)],
            }),
            ChannelKind::Thread {
                parent,
                members,
                archived,
                locked,
            } => json!({
                "id": id.to_string(), "type": 12, "guild_id": IDS.guild.to_string(),
                "name": rec.name, "parent_id": parent.to_string(),
                "owner_id": IDS.bot_user.to_string(), "member_count": members.len(),
                "message_count": 0, "rate_limit_per_user": 0,
                "thread_metadata": {
                    "archived": archived, "locked": locked,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": now_iso(), "invitable": false,
                },
            }),
        })
    }

    /// A message from `author` built from a validated request body.
    pub(crate) fn message_json(
        &self,
        id: u64,
        channel: u64,
        author: u64,
        body: &Value,
        attachments: Vec<Value>,
    ) -> Value {
        let get = |k: &str, default: Value| body.get(k).cloned().unwrap_or(default);
        let mut m = json!({
            "id": id.to_string(),
            "channel_id": channel.to_string(),
            "author": self.user_json(author),
            "content": get("content", json!("")),
            "timestamp": now_iso(),
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": get("embeds", json!([])),
            "pinned": false,
            "type": 0,
            "flags": body.get("flags").and_then(Value::as_u64).unwrap_or(0),
        });
        if let Some(c) = body.get("components") {
            m["components"] = c.clone();
        }
        if self
            .channels
            .get(&channel)
            .is_some_and(|c| !matches!(c.kind, ChannelKind::Dm { .. }))
        {
            m["guild_id"] = json!(IDS.guild.to_string());
        }
        m
    }

    /// Store a message (after shaping) and return its JSON.
    pub(crate) fn store_message(&mut self, m: Value, only: Option<u64>) -> Result<Value, SimError> {
        let (message, json) = shaped::<Message>(m)?;
        self.messages
            .insert(message.id.get(), StoredMessage { message, only });
        Ok(json)
    }

    /// The DM channel with `user`, created if there is none.
    /// Whether a DM channel with `user` exists already.
    pub(crate) fn has_dm_with(&self, user: u64) -> bool {
        self.channels.values().any(|c| {
            !c.deleted && matches!(c.kind, ChannelKind::Dm { recipient } if recipient == user)
        })
    }

    pub(crate) fn dm_with(&mut self, user: u64) -> u64 {
        // A deleted DM channel is not handed out again: opening the DM
        // creates a new one. Discord cannot really delete a DM channel
        // (DELETE only closes it, and it is handed out again); this models a
        // 404/10003 on a player's channel the way guild channels behave, so
        // ladderd's reopen-once path can be tested.
        let existing = self.channels.iter().find_map(|(id, c)| {
            (!c.deleted && matches!(c.kind, ChannelKind::Dm { recipient } if recipient == user))
                .then_some(*id)
        });
        existing.unwrap_or_else(|| {
            let id = self.id();
            self.channels.insert(
                id,
                ChannelRec {
                    kind: ChannelKind::Dm { recipient: user },
                    name: String::new(),
                    deleted: false,
                },
            );
            id
        })
    }

    /// Store a file for the CDN; returns its attachment JSON. With a CDN
    /// lifetime the URL is signed as Discord's are: `?ex=` (expiry, hex Unix
    /// seconds) `&is=` (issued) `&hm=` (a signature over the path and both).
    pub(crate) fn add_attachment(&mut self, channel: u64, filename: String, bytes: Bytes) -> Value {
        let id = self.id();
        let path = format!("{}/attachments/{channel}/{id}/{filename}", self.http_base);
        let (url, expires, signature) = match self.cdn_lifetime {
            Some(life) => {
                let issued = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                let ex = issued + life.as_secs();
                let hm = cdn_signature(id, ex, issued);
                (
                    format!("{path}?ex={ex:x}&is={issued:x}&hm={hm}&"),
                    Some(ex),
                    hm,
                )
            }
            None => (path, None, String::new()),
        };
        let json = json!({
            "id": id.to_string(), "filename": filename, "size": bytes.len(),
            "url": url, "proxy_url": url, "content_type": "application/octet-stream",
        });
        self.attachments.insert(
            id,
            Attachment {
                filename,
                bytes,
                expires,
                signature,
            },
        );
        json
    }

    /// Whether `user` can see messages of `channel`.
    fn visible(&self, user: u64, channel: u64) -> Option<Place> {
        match &self.channels.get(&channel)?.kind {
            ChannelKind::Text => Some(Place::Lobby),
            ChannelKind::Dm { recipient } => (*recipient == user).then_some(Place::Dm),
            ChannelKind::Thread { members, .. } => {
                members.contains(&user).then_some(Place::Thread(channel))
            }
        }
    }

    /// Everything `user` has seen, in creation order.
    pub(crate) fn seen_by(&self, user: u64) -> Vec<Seen> {
        self.seen_by_after(user, 0)
    }

    /// What `user` saw among the messages with an id above `after` (ids
    /// grow with creation): a reader's cursor, so reading stays cheap as
    /// the world grows.
    pub(crate) fn seen_by_after(&self, user: u64, after: u64) -> Vec<Seen> {
        self.messages
            .range(after.saturating_add(1)..)
            .map(|(_, m)| m)
            .filter_map(|m| {
                let place = match m.only {
                    Some(u) if u == user => Some(Place::Ephemeral),
                    Some(_) => None,
                    None => self.visible(user, m.message.channel_id.get()),
                }?;
                Some(Seen {
                    place,
                    message: m.message.clone(),
                })
            })
            .collect()
    }
}

/// The `hm` of a signed CDN URL: a keyed hash (Discord's is an HMAC with a
/// secret; any stable keyed hash shows a client that tampers or guesses).
pub(crate) fn cdn_signature(id: u64, ex: u64, issued: u64) -> String {
    use super::realism::mix;
    format!(
        "{:016x}{:016x}",
        mix(id ^ mix(ex)),
        mix(issued ^ mix(id ^ 0xcd17))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_as_discord_timestamps() {
        let s = now_iso();
        let parsed: Result<twilight_model::util::Timestamp, _> = s.parse();
        assert!(parsed.is_ok(), "{s}");
        use crate::replay::summary::civil_from_days;
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_454), (2026, 1, 1));
    }

    #[test]
    fn messages_are_shaped_by_twilight() {
        let mut w = World::new("http://127.0.0.1:1".into());
        let id = w.id();
        let m = w.message_json(
            id,
            IDS.lobby,
            IDS.bot_user,
            &json!({"content": "hi"}),
            vec![],
        );
        let back = w.store_message(m, None).unwrap();
        assert_eq!(back["content"], "hi");
        assert_eq!(w.seen_by(5).len(), 1);
    }
}
