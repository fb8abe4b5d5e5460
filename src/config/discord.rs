//! `[discord]`: which guild and channels the ladder lives in, and who its
//! admins are. The token is not here (see `token.rs`).

use std::fmt::Write as _;

use serde::Deserialize;

use super::{ConfigError, Validator, span_of};

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

/// How many gateway shards to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardCount {
    /// Exactly this many (1..=[`MAX_SHARDS`]).
    Fixed(u32),
    /// As many as Discord recommends (`GET /gateway/bot`), asked at start-up.
    Auto,
}

impl std::fmt::Display for ShardCount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShardCount::Fixed(n) => write!(f, "{n}"),
            ShardCount::Auto => f.write_str("auto"),
        }
    }
}

/// The most shards one ladderd process runs, configured or recommended by
/// Discord (one shard serves about 1,000 guilds; a ladder lives in one).
pub const MAX_SHARDS: u32 = 64;

/// `shards = 2` or `shards = "auto"`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawShards {
    Count(i64),
    Word(String),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDiscord {
    /// The application's id (developer portal, General Information), for
    /// `ladderd invite-url`.
    pub application_id: Option<Snowflake>,
    pub guild_id: Option<Snowflake>,
    pub lobby_channel_id: Option<Snowflake>,
    pub admin_log_channel_id: Option<Snowflake>,
    /// One line per finished match; unset: none.
    pub results_channel_id: Option<Snowflake>,
    #[serde(default)]
    pub owner_user_ids: Vec<Snowflake>,
    #[serde(default)]
    pub admin_user_ids: Vec<Snowflake>,
    #[serde(default)]
    pub admin_role_ids: Vec<Snowflake>,
    /// A role per letter rank (`S = id`, …), synced as ranks change.
    pub rank_role_ids: Option<toml::Spanned<std::collections::BTreeMap<String, Snowflake>>>,
    /// Gateway shards: a number, or `"auto"`; a single-guild ladder needs one.
    pub shards: Option<toml::Spanned<RawShards>>,
    /// Finished matches' (archived) threads are deleted this many days after
    /// the match ended; 0 keeps them.
    pub delete_threads_after_days: Option<toml::Spanned<u32>>,
    /// `host:port` of a plain-HTTP stand-in for the REST API: the simulator
    /// (`ladderd sim`) or a local rate-limit proxy; loopback only.
    pub api_proxy: Option<toml::Spanned<String>>,
    /// `ws://host:port` of a stand-in gateway (the simulator); loopback or
    /// Discord's own gateway host only.
    pub gateway_url: Option<toml::Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct DiscordConfig {
    pub application_id: Option<Snowflake>,
    pub guild_id: Option<Snowflake>,
    pub lobby_channel_id: Option<Snowflake>,
    pub admin_log_channel_id: Option<Snowflake>,
    pub results_channel_id: Option<Snowflake>,
    pub owner_user_ids: Vec<Snowflake>,
    pub admin_user_ids: Vec<Snowflake>,
    pub admin_role_ids: Vec<Snowflake>,
    /// The role of each letter rank, by `Rank as usize` (S first); `None`:
    /// that rank has no role.
    pub rank_role_ids: [Option<Snowflake>; 7],
    pub shards: ShardCount,
    /// 0: never delete finished matches' threads.
    pub delete_threads_after_days: u32,
    pub api_proxy: Option<String>,
    pub gateway_url: Option<String>,
}

pub(super) fn validate(raw: RawDiscord, v: &Validator<'_>) -> Result<DiscordConfig, ConfigError> {
    let mut rank_role_ids = [None; 7];
    if let Some(s) = &raw.rank_role_ids {
        for (letter, id) in s.get_ref() {
            match crate::ladder::Rank::parse(letter) {
                Some(rank) if letter.len() == 1 => rank_role_ids[rank as usize] = Some(*id),
                _ => {
                    return Err(v.invalid(
                        "discord.rank_role_ids",
                        span_of(s),
                        format!("{letter:?} is not a rank; the keys are S, A, B, C, D, E, F"),
                    ));
                }
            }
        }
    }
    let shards = match &raw.shards {
        None => ShardCount::Fixed(1),
        Some(s) => match s.get_ref() {
            RawShards::Count(n) => match u32::try_from(*n) {
                Ok(n) if (1..=MAX_SHARDS).contains(&n) => ShardCount::Fixed(n),
                _ => {
                    return Err(v.invalid(
                        "discord.shards",
                        span_of(s),
                        format!("{n} is out of range 1..={MAX_SHARDS}"),
                    ));
                }
            },
            RawShards::Word(w) if w == "auto" => ShardCount::Auto,
            RawShards::Word(w) => {
                return Err(v.invalid(
                    "discord.shards",
                    span_of(s),
                    format!("{w:?} is neither a number 1..={MAX_SHARDS} nor \"auto\""),
                ));
            }
        },
    };
    let delete_threads_after_days = match &raw.delete_threads_after_days {
        Some(d) if *d.get_ref() > 3_650 => {
            return Err(v.invalid(
                "discord.delete_threads_after_days",
                span_of(d),
                format!("{} is out of range 0..=3650 (0 keeps threads)", d.get_ref()),
            ));
        }
        Some(d) => *d.get_ref(),
        None => 30,
    };
    if let Some(proxy) = &raw.api_proxy {
        let ok = proxy
            .get_ref()
            .rsplit_once(':')
            .is_some_and(|(host, port)| {
                !host.is_empty() && !host.contains('/') && port.parse::<u16>().is_ok()
            });
        if ok && !is_loopback_host(proxy.get_ref()) {
            return Err(v.invalid(
                "discord.api_proxy",
                span_of(proxy),
                format!(
                    "{:?} is not on loopback: api_proxy is plain HTTP, for the simulator \
                     (`ladderd sim`) or a rate-limit proxy on this host only",
                    proxy.get_ref()
                ),
            ));
        }
        if !ok {
            return Err(v.invalid(
                "discord.api_proxy",
                span_of(proxy),
                format!(
                    "{:?} is not host:port (no scheme, no path)",
                    proxy.get_ref()
                ),
            ));
        }
    }
    if let Some(url) = &raw.gateway_url {
        let u = url.get_ref();
        if !(u.starts_with("ws://") || u.starts_with("wss://")) || u.ends_with('/') || u.len() > 256
        {
            return Err(v.invalid(
                "discord.gateway_url",
                span_of(url),
                format!("{u:?} must be ws://host:port or wss://host:port without a trailing slash"),
            ));
        }
        let rest = u.split_once("://").map_or(u.as_str(), |(_, r)| r);
        let discord = u.starts_with("wss://") && {
            let host = rest.split(['/', '?']).next().unwrap_or("");
            let host = host.split(':').next().unwrap_or("");
            host == "gateway.discord.gg" || host.ends_with(".discord.gg")
        };
        let authority = rest.split(['/', '?']).next().unwrap_or("");
        if !discord && !is_loopback_host(authority) {
            return Err(v.invalid(
                "discord.gateway_url",
                span_of(url),
                format!(
                    "{u:?}: only Discord's gateway (wss://gateway.discord.gg) or a loopback \
                     address (the simulator, `ladderd sim`) is accepted"
                ),
            ));
        }
    }
    Ok(DiscordConfig {
        shards,
        delete_threads_after_days,
        api_proxy: raw.api_proxy.map(toml::Spanned::into_inner),
        gateway_url: raw.gateway_url.map(toml::Spanned::into_inner),
        application_id: raw.application_id,
        guild_id: raw.guild_id,
        lobby_channel_id: raw.lobby_channel_id,
        admin_log_channel_id: raw.admin_log_channel_id,
        results_channel_id: raw.results_channel_id,
        owner_user_ids: raw.owner_user_ids,
        admin_user_ids: raw.admin_user_ids,
        admin_role_ids: raw.admin_role_ids,
        rank_role_ids,
    })
}

/// Whether `authority` (`host:port` or `[v6]:port`) names this machine.
fn is_loopback_host(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl DiscordConfig {
    pub(super) fn describe(&self, out: &mut String) {
        let id = |s: Option<Snowflake>| s.map_or("(unset)".to_owned(), |s| s.0.to_string());
        let _ = writeln!(
            out,
            "[discord] guild_id = {}, lobby_channel_id = {}, admin_log_channel_id = {}, \
             results_channel_id = {}, owners = {}, admin users = {}, admin roles = {}, rank roles = {}, shards = {}, api = {}, gateway = {}",
            id(self.guild_id),
            id(self.lobby_channel_id),
            id(self.admin_log_channel_id),
            id(self.results_channel_id),
            self.owner_user_ids.len(),
            self.admin_user_ids.len(),
            self.admin_role_ids.len(),
            self.rank_role_ids.iter().flatten().count(),
            self.shards,
            self.api_proxy.as_deref().unwrap_or("discord.com"),
            self.gateway_url.as_deref().unwrap_or("Discord's")
        );
    }
}
