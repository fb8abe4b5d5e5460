//! What virtual users do, as gateway dispatches with Discord's payloads:
//! INTERACTION_CREATE (slash command, button, select, modal submit) and
//! MESSAGE_CREATE (with attachments served by the CDN).

use bytes::Bytes;
use serde_json::{Value, json};
use twilight_model::application::interaction::Interaction;

use super::world::{IDS, InteractionRec, shaped};
use super::{SimError, Simulator, gateway, lock};

/// One field of a submitted modal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModalField {
    pub custom_id: String,
    pub value: String,
}

/// A user's interaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Interact {
    /// `/name` with string options `(name, value)`.
    Slash {
        name: String,
        options: Vec<(String, String)>,
    },
    /// `/name` with typed options, e.g. `/notifications on:true gap:15`.
    SlashTyped {
        name: String,
        options: Vec<(String, OptionValue)>,
    },
    /// `/name sub` (a subcommand) with typed options, e.g. `/admin resolve
    /// match:3 outcome:player1 reason:…`.
    Subcommand {
        name: String,
        sub: String,
        options: Vec<(String, OptionValue)>,
    },
    /// A button click on a message (the bot's message, if `message` is set).
    Button {
        custom_id: String,
        message: Option<u64>,
    },
    /// A string select with the chosen values.
    Select {
        custom_id: String,
        values: Vec<String>,
        message: Option<u64>,
    },
    /// A modal submitted with text-input values.
    Modal {
        custom_id: String,
        fields: Vec<ModalField>,
    },
}

/// A typed slash-command option value (Discord's option types 3, 4, 5, 6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionValue {
    String(String),
    Integer(i64),
    Boolean(bool),
    User(u64),
}

impl OptionValue {
    fn json(&self, name: &str) -> Value {
        match self {
            OptionValue::String(v) => json!({ "name": name, "type": 3, "value": v }),
            OptionValue::Integer(v) => json!({ "name": name, "type": 4, "value": v }),
            OptionValue::Boolean(v) => json!({ "name": name, "type": 5, "value": v }),
            OptionValue::User(v) => json!({ "name": name, "type": 6, "value": v.to_string() }),
        }
    }
}

/// The dispatched interaction, for tests to follow up on.
#[derive(Clone, Debug)]
pub struct Dispatched {
    pub id: u64,
    pub token: String,
}

/// What became of a dispatched interaction.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Its INTERACTION_CREATE was written to a client's gateway socket.
    pub written: bool,
    /// Callbacks accepted (Discord accepts one; a second gets 400 and is not counted).
    pub callbacks: u32,
    /// The message the callback posted, if it posted one (not for a modal).
    pub reply: Option<twilight_model::channel::Message>,
}

impl Simulator {
    /// Dispatch an INTERACTION_CREATE from `user` in `channel`.
    pub fn interact(
        &self,
        user: u64,
        channel: u64,
        what: &Interact,
    ) -> Result<Dispatched, SimError> {
        let mut w = lock(&self.shared.world);
        if !w.users.contains_key(&user) {
            return Err(SimError::Unknown("user"));
        }
        let ch = w
            .channel_json(channel)
            .ok_or(SimError::Unknown("channel"))?;
        let id = w.id();
        let token = format!("sim-interaction-token-{id}");
        let (kind, data, message) = match what {
            Interact::Slash { name, options } => {
                let opts: Vec<Value> = options
                    .iter()
                    .map(|(n, v)| json!({ "name": n, "type": 3, "value": v }))
                    .collect();
                let cmd_id = w.id();
                (
                    2,
                    json!({ "id": cmd_id.to_string(), "name": name, "type": 1, "options": opts }),
                    None,
                )
            }
            Interact::SlashTyped { name, options } => {
                let opts: Vec<Value> = options.iter().map(|(n, v)| v.json(n)).collect();
                let cmd_id = w.id();
                (
                    2,
                    json!({ "id": cmd_id.to_string(), "name": name, "type": 1, "options": opts }),
                    None,
                )
            }
            Interact::Subcommand { name, sub, options } => {
                let opts: Vec<Value> = options.iter().map(|(n, v)| v.json(n)).collect();
                let cmd_id = w.id();
                (
                    2,
                    json!({ "id": cmd_id.to_string(), "name": name, "type": 1, "options": [
                        { "name": sub, "type": 1, "options": opts }
                    ]}),
                    None,
                )
            }
            Interact::Button { custom_id, message } => (
                3,
                json!({ "custom_id": custom_id, "component_type": 2 }),
                *message,
            ),
            Interact::Select {
                custom_id,
                values,
                message,
            } => (
                3,
                json!({ "custom_id": custom_id, "component_type": 3, "values": values }),
                *message,
            ),
            Interact::Modal { custom_id, fields } => {
                let rows: Vec<Value> = fields
                    .iter()
                    .zip(1..)
                    .map(|(f, n)| {
                        // Discord numbers every component of a submitted modal.
                        json!({ "type": 1, "id": 2 * n - 1, "components": [
                            { "type": 4, "id": 2 * n, "custom_id": f.custom_id, "value": f.value }
                        ]})
                    })
                    .collect();
                (
                    5,
                    json!({ "custom_id": custom_id, "components": rows }),
                    None,
                )
            }
        };
        let component_message = message;
        let message_json = match message {
            Some(m) => Some(
                w.messages
                    .get(&m)
                    .and_then(|s| serde_json::to_value(&s.message).ok())
                    .ok_or(SimError::Unknown("message"))?,
            ),
            // Discord always attaches the message to a component interaction.
            None if kind == 3 => {
                let mid = w.id();
                Some(w.message_json(mid, channel, IDS.bot_user, &json!({"content": ""}), vec![]))
            }
            None => None,
        };
        let in_guild = ch["type"] != 1;
        let mut v = json!({
            "id": id.to_string(),
            "application_id": IDS.application.to_string(),
            "type": kind,
            "data": data,
            "channel_id": channel.to_string(),
            "channel": ch,
            "token": token,
            "version": 1,
            "locale": w.locales.get(&user).map_or("en-US", String::as_str),
            "app_permissions": "0",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "attachment_size_limit": 10_485_760,
            "context": if in_guild { 0 } else { 1 },
        });
        if in_guild {
            v["guild_id"] = json!(IDS.guild.to_string());
            v["guild_locale"] = json!("en-US");
            v["member"] = json!({
                "user": w.user_json(user), "roles": [], "joined_at": "2026-01-01T00:00:00.000000+00:00",
                "deaf": false, "mute": false, "flags": 0, "permissions": "0",
            });
        } else {
            v["user"] = w.user_json(user);
        }
        if let Some(m) = message_json {
            v["message"] = m;
        }
        let (_, shaped_json) = shaped::<Interaction>(v)?;
        w.interactions.insert(
            token.clone(),
            InteractionRec {
                id,
                user,
                channel,
                created: tokio::time::Instant::now(),
                callbacks: 0,
                written: false,
                ephemeral: false,
                original: None,
                message: component_message,
                deferred_pending: false,
            },
        );
        drop(w);
        gateway::dispatch(&self.shared, "INTERACTION_CREATE", &shaped_json);
        Ok(Dispatched { id, token })
    }

    /// What became of the interaction with `token` (`None`: never dispatched).
    pub fn outcome(&self, token: &str) -> Option<Outcome> {
        let w = lock(&self.shared.world);
        let rec = w.interactions.get(token)?;
        Some(Outcome {
            written: rec.written,
            callbacks: rec.callbacks,
            reply: rec
                .original
                .and_then(|m| w.messages.get(&m))
                .map(|m| m.message.clone()),
        })
    }

    /// The bot's response to `interaction` once it exists (its `@original`:
    /// the reply a type 4 callback created, the message a type 7 updated, a
    /// deferred reply after its first edit), as it is now; followups are not
    /// included.
    pub fn reply(&self, interaction: &Dispatched) -> Option<twilight_model::channel::Message> {
        let w = lock(&self.shared.world);
        let rec = w
            .interactions
            .get(&interaction.token)
            .filter(|r| r.id == interaction.id)?;
        w.messages.get(&rec.original?).map(|m| m.message.clone())
    }

    /// The DM channel between `user` and the bot (created on first use, as
    /// when a user opens a DM), for [`Simulator::post`] in DMs.
    pub fn dm_channel(&self, user: u64) -> Result<u64, SimError> {
        let mut w = lock(&self.shared.world);
        if !w.users.contains_key(&user) {
            return Err(SimError::Unknown("user"));
        }
        Ok(w.dm_with(user))
    }

    /// Dispatch a MESSAGE_CREATE from `user` in `channel`, with attachments
    /// stored for the CDN. Returns the message id.
    pub fn post(
        &self,
        user: u64,
        channel: u64,
        content: &str,
        files: Vec<(String, Bytes)>,
    ) -> Result<u64, SimError> {
        let mut w = lock(&self.shared.world);
        if !w.users.contains_key(&user) {
            return Err(SimError::Unknown("user"));
        }
        if !w.channels.contains_key(&channel) {
            return Err(SimError::Unknown("channel"));
        }
        let id = w.id();
        let attachments = files
            .into_iter()
            .map(|(filename, bytes)| w.add_attachment(channel, filename, bytes))
            .collect();
        let m = w.message_json(
            id,
            channel,
            user,
            &json!({ "content": content }),
            attachments,
        );
        let json = w.store_message(m, None)?;
        drop(w);
        gateway::dispatch(&self.shared, "MESSAGE_CREATE", &json);
        Ok(id)
    }
}
