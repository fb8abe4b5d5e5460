//! Every configuration key, declared once: its name as written in the file,
//! whether a running ladderd applies a change to it, and how a change is
//! seen. The reload diff ([`super::reload::changes`]), the configuration in
//! force after a reload ([`Config::with_live_parts_of`]), the `[ladder]` diff
//! ([`LadderConfig::changed_keys`]) and the ladder core's live keys
//! (`ladder::reconfigure`) all read [`KEYS`]; nothing else lists keys.
//!
//! **Adding a key** is one line here, next to its section's others:
//! - `restart "section.key": section.field` — read once at start-up; a change
//!   is reported as needing a restart and the running value is kept;
//! - `live "section.key": section.field` — applies at once on reload (the
//!   running config takes the new value; its reader must read it per use, as
//!   the bot reads `discord::live::LiveDiscord`);
//! - `ladder live|refused "ladder.key": field` — a `[ladder]` key, compared
//!   on `LadderConfig`; `live` ones the core applies in `Ladder::reconfigure`
//!   (which must then handle it), `refused` ones it refuses, naming the key.
//!
//! A field that is not `PartialEq`, or a key spanning two fields, takes a
//! closure instead of the field path: `|a, b| a.x != b.x || a.y != b.y`.
//! `every_example_key_is_declared` fails if `ladderd.example.toml` (its
//! commented-out keys included) has a key that is not declared here.

use super::{Config, LadderConfig};

/// Whether a change to a key applies to a running ladderd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// Applied on reload.
    Live,
    /// Outside `[ladder]`: needs a restart, the running value is kept.
    /// In `[ladder]`: refused by the core (a restart or a new season is the way).
    NotLive,
}

/// How a change to a key is seen: on the whole config, or (for `[ladder]`
/// keys, which the core compares on its own copy) on `LadderConfig`.
#[derive(Clone, Copy)]
pub enum Compare {
    Config(fn(&Config, &Config) -> bool),
    Ladder(fn(&LadderConfig, &LadderConfig) -> bool),
}

/// One declared key.
#[derive(Clone, Copy)]
pub struct Key {
    /// As written in the file: `section.key`.
    pub name: &'static str,
    pub apply: Apply,
    /// Whether the effective value differs.
    pub changed: Compare,
    /// For a live key outside `[ladder]`: copies the new value into the
    /// running config (a no-op for the others; `[ladder]` is taken whole
    /// once the core has accepted it).
    take: fn(&mut Config, &Config),
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("name", &self.name)
            .field("apply", &self.apply)
            .finish()
    }
}

impl Key {
    /// Whether the key is in `[ladder]`.
    pub fn in_ladder(&self) -> bool {
        matches!(self.changed, Compare::Ladder(_))
    }

    /// Whether this key's effective value differs between `old` and `new`.
    pub fn differs(&self, old: &Config, new: &Config) -> bool {
        match self.changed {
            Compare::Config(f) => f(old, new),
            Compare::Ladder(f) => f(&old.ladder, &new.ladder),
        }
    }

    /// Copies a live key's new value into `running`.
    pub fn take(&self, running: &mut Config, new: &Config) {
        (self.take)(running, new)
    }
}

macro_rules! key {
    (restart $name:literal: $($f:ident).+) => {
        Key {
            name: $name,
            apply: Apply::NotLive,
            changed: Compare::Config(|a, b| a.$($f).+ != b.$($f).+),
            take: |_, _| {},
        }
    };
    (live $name:literal: $($f:ident).+) => {
        Key {
            name: $name,
            apply: Apply::Live,
            changed: Compare::Config(|a, b| a.$($f).+ != b.$($f).+),
            take: |running, new| running.$($f).+ = new.$($f).+.clone(),
        }
    };
    (ladder live $name:literal: $($t:tt)+) => {
        key!(@ladder Live $name: $($t)+)
    };
    (ladder refused $name:literal: $($t:tt)+) => {
        key!(@ladder NotLive $name: $($t)+)
    };
    (@ladder $apply:ident $name:literal: |$a:ident, $b:ident| $e:expr) => {
        Key {
            name: $name,
            apply: Apply::$apply,
            changed: Compare::Ladder(|$a, $b| $e),
            take: |_, _| {},
        }
    };
    (@ladder $apply:ident $name:literal: $($f:ident).+) => {
        Key {
            name: $name,
            apply: Apply::$apply,
            changed: Compare::Ladder(|a, b| a.$($f).+ != b.$($f).+),
            take: |_, _| {},
        }
    };
}

/// Every key, in file order within each section.
pub const KEYS: &[Key] = &[
    key!(restart "log.level": log.level),
    key!(restart "store.path": store.path),
    key!(restart "store.synchronous": store.synchronous),
    key!(restart "store.busy_timeout_ms": store.busy_timeout_ms),
    key!(restart "store.commit_max_batch": store.commit_max_batch),
    key!(restart "store.commit_window_us": store.commit_window_us),
    key!(restart "discord.application_id": discord.application_id),
    key!(restart "discord.guild_id": discord.guild_id),
    key!(restart "discord.lobby_channel_id": discord.lobby_channel_id),
    key!(restart "discord.admin_log_channel_id": discord.admin_log_channel_id),
    key!(restart "discord.results_channel_id": discord.results_channel_id),
    key!(live "discord.owner_user_ids": discord.owner_user_ids),
    key!(live "discord.admin_user_ids": discord.admin_user_ids),
    key!(live "discord.admin_role_ids": discord.admin_role_ids),
    key!(restart "discord.rank_role_ids": discord.rank_role_ids),
    key!(restart "discord.shards": discord.shards),
    key!(restart "discord.delete_threads_after_days": discord.delete_threads_after_days),
    key!(restart "discord.api_proxy": discord.api_proxy),
    key!(restart "discord.gateway_url": discord.gateway_url),
    key!(restart "replay.workers": replay.workers),
    key!(restart "replay.runtime_dir": replay.runtime_dir),
    key!(restart "replay.max_upload_bytes": replay.max_upload_bytes),
    key!(restart "replay.job_deadline_ms": replay.job_deadline),
    key!(restart "replay.queue_bound": replay.queue_bound),
    key!(restart "replay.max_frame_bytes": replay.max_frame_bytes),
    key!(restart "replay.rlimit_as_mib": replay.rlimit_as_mib),
    key!(restart "replay.rlimit_cpu_s": replay.rlimit_cpu_s),
    key!(restart "replay.start_window_s": replay.start_window_s),
    key!(restart "replay.allow_observers": replay.allow_observers),
    key!(restart "replay.uploads_per_minute": replay.uploads_per_minute),
    key!(restart "replay.required_mods": replay.required_mods),
    key!(restart "replay.game_speed": replay.game_speed),
    key!(restart "replay.lobby_privacy": replay.lobby_privacy),
    key!(restart "replay.archive_retention_days": replay.archive_retention_days),
    key!(restart "replay.archive_max_mib": replay.archive_max_mib),
    key!(restart "ops.health_log_interval_s": ops.health_log_interval_s),
    key!(restart "ops.metrics_listen": ops.metrics_listen),
    key!(restart "ops.shutdown_grace_s": ops.shutdown_grace_s),
    key!(restart "web.listen": web.listen),
    key!(restart "web.base_url": web.base_url),
    key!(restart "web.max_connections": web.max_connections),
    key!(ladder refused "ladder.season_name": season_name),
    // Races and their groups are one key.
    key!(ladder refused "ladder.race_groups": |a, b| {
        a.race_groups != b.race_groups || a.races != b.races
    }),
    key!(ladder live "ladder.maps": maps),
    key!(ladder live "ladder.max_vetoes": max_vetoes),
    key!(ladder refused "ladder.regions": regions),
    key!(ladder live "ladder.servers": servers),
    key!(ladder live "ladder.blocked_region_pairs": blocked_region_pairs),
    key!(ladder live "ladder.wave_interval_s": matchmaker.wave_interval_ms),
    key!(ladder live "ladder.window_base": matchmaker.window_base),
    key!(ladder live "ladder.window_growth": matchmaker.window_growth),
    key!(ladder live "ladder.wait_bonus": matchmaker.wait_bonus),
    key!(ladder live "ladder.rematch_penalty": matchmaker.rematch_penalty),
    key!(ladder live "ladder.rematch_last_matches": matchmaker.rematch_last_matches),
    key!(ladder live "ladder.rematch_within_minutes": matchmaker.rematch_within_ms),
    key!(ladder live "ladder.max_wait_s": matchmaker.max_wait_ms),
    key!(ladder live "ladder.matcher": matchmaker.strategy),
    key!(ladder live "ladder.confirm_window_s": confirm_window_ms),
    key!(ladder live "ladder.abandon_cooldown_s": strike_cooldowns_ms),
    key!(ladder live "ladder.strike_cooldown_minutes": strike_cooldowns_ms),
    key!(ladder live "ladder.queue_expiry_minutes": queue_expiry_ms),
    key!(ladder live "ladder.notifications": notifications),
    key!(ladder live "ladder.aborts_per_month": aborts_per_month),
    key!(ladder live "ladder.unreported_flag_after_minutes": unreported_flag_after_ms),
    key!(ladder live "ladder.result_policy": result_policy),
    key!(ladder refused "ladder.rating_system": rating.system),
    key!(ladder refused "ladder.initial_rating": rating.initial_rating),
    key!(ladder refused "ladder.initial_deviation": rating.initial_deviation),
    key!(ladder refused "ladder.initial_volatility": rating.initial_volatility),
    key!(ladder live "ladder.tau": rating.tau),
    key!(ladder live "ladder.elo_k": rating.elo_k),
    key!(ladder live "ladder.elo_divisor": rating.elo_divisor),
    key!(ladder live "ladder.provisional_games": rating.provisional_games),
    key!(ladder live "ladder.rank_shares": rating.rank_shares),
    key!(ladder live "ladder.inactive_after_days": rating.inactive_after_ms),
    key!(ladder live "ladder.season_soft_reset": rating.season_soft_reset),
    key!(ladder live "ladder.leaderboard_page_size": leaderboard_page_size),
    key!(ladder live "ladder.lobby_settings": lobby_settings),
];

/// Whether `name` (as written in the file) applies to a running ladderd.
/// An undeclared name is not live.
pub fn is_live(name: &str) -> bool {
    KEYS.iter()
        .any(|k| k.name == name && k.apply == Apply::Live)
}

impl LadderConfig {
    /// The `[ladder]` keys whose effective value differs between `self` and
    /// `other`, named as in the file, in file order.
    pub fn changed_keys(&self, other: &LadderConfig) -> Vec<&'static str> {
        KEYS.iter()
            .filter(|k| match k.changed {
                Compare::Ladder(f) => f(self, other),
                Compare::Config(_) => false,
            })
            .map(|k| k.name)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `section.key` for every `key = …` line of `text`, commented out or
    /// not, by the `[section]` / `[[section.array]]` header above it; an
    /// array of tables is one key (`[[ladder.maps]]` → `ladder.maps`), and
    /// its fields are not keys of their own.
    fn example_keys(text: &str) -> Vec<String> {
        let mut section = String::new();
        // Inside an array of tables; `Some(true)` if its header is commented
        // out, so the first live key line is back in `section`.
        let mut in_array: Option<bool> = None;
        let mut out = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            let commented = line.starts_with('#');
            let uncommented = line.trim_start_matches('#').trim();
            if let Some(array) = uncommented
                .strip_prefix("[[")
                .and_then(|l| l.split("]]").next())
            {
                out.push(array.to_owned());
                in_array = Some(commented);
                continue;
            }
            if let Some(table) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
                section = table.to_owned();
                in_array = None;
                continue;
            }
            let Some((key, _)) = uncommented.split_once('=') else {
                continue;
            };
            if !commented && in_array == Some(true) {
                in_array = None;
            }
            let key = key.trim();
            let is_key = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if is_key && in_array.is_none() && !section.is_empty() {
                out.push(format!("{section}.{key}"));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn every_example_key_is_declared() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ladderd.example.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let found = example_keys(&text);
        // The parser above must see the file's keys, or this test proves nothing.
        for sure in [
            "log.level",
            "discord.api_proxy",
            "ladder.maps",
            "ladder.elo_k",
        ] {
            assert!(
                found.iter().any(|k| k == sure),
                "{sure} not found: {found:?}"
            );
        }
        let undeclared: Vec<&String> = found
            .iter()
            .filter(|k| !KEYS.iter().any(|d| d.name == k.as_str()))
            .collect();
        assert!(
            undeclared.is_empty(),
            "keys of ladderd.example.toml missing from config::keys::KEYS: {undeclared:?}"
        );
    }

    #[test]
    fn every_key_is_declared_once() {
        let mut names: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        names.sort();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before, "a key is declared twice");
    }

    #[test]
    fn only_the_admin_list_is_live_outside_ladder() {
        let live: Vec<&str> = KEYS
            .iter()
            .filter(|k| !k.in_ladder() && k.apply == Apply::Live)
            .map(|k| k.name)
            .collect();
        assert_eq!(
            live,
            [
                "discord.owner_user_ids",
                "discord.admin_user_ids",
                "discord.admin_role_ids"
            ]
        );
        assert!(is_live("ladder.maps") && !is_live("ladder.season_name"));
        assert!(!is_live("no.such_key"));
    }
}
