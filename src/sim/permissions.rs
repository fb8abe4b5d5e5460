//! The simulator's permission model: one guild with an @everyone role (id =
//! the guild id) and the bot's managed role, which holds the permissions
//! ladderd's invite asks for; per channel, a member overwrite for the bot
//! that a test can use to deny some of them ([`Simulator::deny_bot`]). The
//! REST side serves it as Discord does (`GET /guilds/{id}/roles`,
//! `GET /guilds/{id}/members/{user}`, `permission_overwrites` on
//! `GET /channels/{id}`) and enforces it on the routes ladderd uses: 403
//! 50001 (Missing Access) without View Channel, 403 50013 (Missing
//! Permissions) without Send Messages, Create Private Threads, Send
//! Messages in Threads (on the parent) or Manage Threads (deleting a thread).
//!
//! Not modelled: role hierarchy, category sync, per-role overwrites set by
//! tests, thread-level permission differences beyond the parent's.

use serde_json::{Value, json};

use super::Simulator;
use super::world::IDS;
use crate::discord::permissions::bits;

/// The bot's managed role (what the invite grants).
pub const BOT_ROLE: u64 = 100_000_000_000_000_009;
/// @everyone's permissions in the simulated guild: View Channel, Send
/// Messages, Attach Files, Read Message History, Create Public and Private
/// Threads, Send Messages in Threads (a new server's @everyone role has
/// these among Discord's defaults).
pub const EVERYONE: u64 = bits::VIEW_CHANNEL
    | bits::SEND_MESSAGES
    | (1 << 15)
    | (1 << 16)
    | (1 << 35)
    | bits::CREATE_PRIVATE_THREADS
    | bits::SEND_MESSAGES_IN_THREADS;

/// The bot's permissions in `channel` (a text channel, or a thread's parent).
pub(crate) fn bot_permissions(denied: u64) -> u64 {
    (EVERYONE | crate::discord::permissions::invite_permissions()) & !denied
}

pub(crate) fn roles_json() -> Value {
    json!([
        { "id": IDS.guild.to_string(), "name": "@everyone", "permissions": EVERYONE.to_string(),
          "position": 0, "color": 0, "hoist": false, "managed": false, "mentionable": false,
          "flags": 0 },
        { "id": BOT_ROLE.to_string(), "name": "ladderd",
          "permissions": crate::discord::permissions::invite_permissions().to_string(),
          "position": 1, "color": 0, "hoist": false, "managed": true, "mentionable": false,
          "flags": 0, "tags": { "bot_id": IDS.bot_user.to_string() } },
    ])
}

/// The `permission_overwrites` of a text channel where the bot is denied `denied`.
pub(crate) fn overwrites_json(denied: u64) -> Value {
    if denied == 0 {
        json!([])
    } else {
        json!([{ "id": IDS.bot_user.to_string(), "type": 1, "allow": "0",
                 "deny": denied.to_string() }])
    }
}

impl Simulator {
    /// From now on the bot lacks `bits` in `channel` (a member overwrite).
    pub fn deny_bot(&self, channel: u64, bits: u64) {
        let mut w = super::lock(&self.shared.world);
        *w.bot_denied.entry(channel).or_insert(0) |= bits;
        drop(w);
        self.shared.bump();
    }
}
