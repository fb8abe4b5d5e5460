//! `[discord]`: which guild and channels the ladder lives in, and who its
//! admins are. The token is not here (see `token.rs`).

use std::fmt::Write as _;

use serde::Deserialize;

use super::{ConfigError, Validator};

/// A Discord snowflake: a non-zero 64-bit id. Checked while deserializing, so
/// a bad id is reported at its line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "u64")]
pub struct Snowflake(pub u64);

impl TryFrom<u64> for Snowflake {
    type Error = String;
    fn try_from(id: u64) -> Result<Self, Self::Error> {
        if id == 0 {
            Err("a Discord id is never 0".to_owned())
        } else {
            Ok(Snowflake(id))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiscord {
    pub guild_id: Option<Snowflake>,
    pub lobby_channel_id: Option<Snowflake>,
    pub admin_log_channel_id: Option<Snowflake>,
    #[serde(default)]
    pub owner_user_ids: Vec<Snowflake>,
    #[serde(default)]
    pub admin_user_ids: Vec<Snowflake>,
    #[serde(default)]
    pub admin_role_ids: Vec<Snowflake>,
}

#[derive(Debug, Clone)]
pub struct DiscordConfig {
    pub guild_id: Option<Snowflake>,
    pub lobby_channel_id: Option<Snowflake>,
    pub admin_log_channel_id: Option<Snowflake>,
    pub owner_user_ids: Vec<Snowflake>,
    pub admin_user_ids: Vec<Snowflake>,
    pub admin_role_ids: Vec<Snowflake>,
}

pub(super) fn validate(raw: RawDiscord, _v: &Validator<'_>) -> Result<DiscordConfig, ConfigError> {
    Ok(DiscordConfig {
        guild_id: raw.guild_id,
        lobby_channel_id: raw.lobby_channel_id,
        admin_log_channel_id: raw.admin_log_channel_id,
        owner_user_ids: raw.owner_user_ids,
        admin_user_ids: raw.admin_user_ids,
        admin_role_ids: raw.admin_role_ids,
    })
}

impl DiscordConfig {
    pub(super) fn describe(&self, out: &mut String) {
        let id = |s: Option<Snowflake>| s.map_or("(unset)".to_owned(), |s| s.0.to_string());
        let _ = writeln!(
            out,
            "[discord] guild_id = {}, lobby_channel_id = {}, admin_log_channel_id = {}, \
             owners = {}, admin users = {}, admin roles = {}",
            id(self.guild_id),
            id(self.lobby_channel_id),
            id(self.admin_log_channel_id),
            self.owner_user_ids.len(),
            self.admin_user_ids.len(),
            self.admin_role_ids.len()
        );
    }
}
