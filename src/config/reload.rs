//! Live reload: what differs between the running configuration and the file
//! as re-read (through [`Config::load`], the start-up path), and which of
//! those differences apply without a restart.
//!
//! Outside `[ladder]` only the admin list is live: owners, admin users and
//! admin roles. Every other key outside `[ladder]` is read once at start-up
//! (the store, the workers, the sockets, the Discord connection …); a change
//! to one is reported as needing a restart and the running value is kept.
//! Which `[ladder]` keys are live is the ladder core's decision
//! (`Ladder::reconfigure`), which refuses the rest.

use super::Config;

/// Keys outside `[ladder]` that apply to a running ladderd.
pub const LIVE_KEYS: &[&str] = &[
    "discord.owner_user_ids",
    "discord.admin_user_ids",
    "discord.admin_role_ids",
];

/// What changed between two configurations, by key as written in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigChanges {
    /// Keys outside `[ladder]` that apply at once.
    pub live: Vec<&'static str>,
    /// Keys that only a restart applies; the running value is kept.
    pub restart: Vec<&'static str>,
    /// `[ladder]` keys, for the ladder core to apply or refuse.
    pub ladder: Vec<&'static str>,
}

impl ConfigChanges {
    pub fn is_empty(&self) -> bool {
        self.live.is_empty() && self.restart.is_empty() && self.ladder.is_empty()
    }
}

/// Every key whose effective value differs between `old` and `new`.
pub fn changes(old: &Config, new: &Config) -> ConfigChanges {
    let mut other: Vec<(&'static str, bool)> = Vec::new();
    let mut check = |key: &'static str, changed: bool| other.push((key, changed));
    check("log.level", old.log.level != new.log.level);
    let (s, t) = (&old.store, &new.store);
    check("store.path", s.path != t.path);
    check("store.synchronous", s.synchronous != t.synchronous);
    check(
        "store.busy_timeout_ms",
        s.busy_timeout_ms != t.busy_timeout_ms,
    );
    check(
        "store.commit_max_batch",
        s.commit_max_batch != t.commit_max_batch,
    );
    check(
        "store.commit_window_us",
        s.commit_window_us != t.commit_window_us,
    );
    let (d, e) = (&old.discord, &new.discord);
    check("discord.guild_id", d.guild_id != e.guild_id);
    check(
        "discord.lobby_channel_id",
        d.lobby_channel_id != e.lobby_channel_id,
    );
    check(
        "discord.admin_log_channel_id",
        d.admin_log_channel_id != e.admin_log_channel_id,
    );
    check(
        "discord.owner_user_ids",
        d.owner_user_ids != e.owner_user_ids,
    );
    check(
        "discord.admin_user_ids",
        d.admin_user_ids != e.admin_user_ids,
    );
    check(
        "discord.admin_role_ids",
        d.admin_role_ids != e.admin_role_ids,
    );
    check("discord.shards", d.shards != e.shards);
    check(
        "discord.delete_threads_after_days",
        d.delete_threads_after_days != e.delete_threads_after_days,
    );
    check("discord.api_proxy", d.api_proxy != e.api_proxy);
    check("discord.gateway_url", d.gateway_url != e.gateway_url);
    let (r, q) = (&old.replay, &new.replay);
    check("replay.workers", r.workers != q.workers);
    check("replay.runtime_dir", r.runtime_dir != q.runtime_dir);
    check(
        "replay.max_upload_bytes",
        r.max_upload_bytes != q.max_upload_bytes,
    );
    check("replay.job_deadline_ms", r.job_deadline != q.job_deadline);
    check("replay.queue_bound", r.queue_bound != q.queue_bound);
    check(
        "replay.max_frame_bytes",
        r.max_frame_bytes != q.max_frame_bytes,
    );
    check("replay.rlimit_as_mib", r.rlimit_as_mib != q.rlimit_as_mib);
    check("replay.rlimit_cpu_s", r.rlimit_cpu_s != q.rlimit_cpu_s);
    check(
        "replay.start_window_s",
        r.start_window_s != q.start_window_s,
    );
    check(
        "replay.allow_observers",
        r.allow_observers != q.allow_observers,
    );
    check(
        "replay.uploads_per_minute",
        r.uploads_per_minute != q.uploads_per_minute,
    );
    let (o, p) = (&old.ops, &new.ops);
    check(
        "ops.health_log_interval_s",
        o.health_log_interval_s != p.health_log_interval_s,
    );
    check("ops.metrics_listen", o.metrics_listen != p.metrics_listen);
    check(
        "ops.shutdown_grace_s",
        o.shutdown_grace_s != p.shutdown_grace_s,
    );

    let mut out = ConfigChanges {
        ladder: old.ladder.changed_keys(&new.ladder),
        ..ConfigChanges::default()
    };
    for (key, changed) in other {
        if !changed {
            continue;
        }
        if LIVE_KEYS.contains(&key) {
            out.live.push(key);
        } else {
            out.restart.push(key);
        }
    }
    out
}

impl Config {
    /// The configuration a running ladderd has after `new` was applied to
    /// it: the live parts (the admin list and `[ladder]`) from `new`,
    /// everything else still as it started.
    pub fn with_live_parts_of(&self, new: &Config) -> Config {
        let mut out = self.clone();
        out.discord.owner_user_ids = new.discord.owner_user_ids.clone();
        out.discord.admin_user_ids = new.discord.admin_user_ids.clone();
        out.discord.admin_role_ids = new.discord.admin_role_ids.clone();
        out.ladder = new.ladder.clone();
        out
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn load(text: &str) -> Config {
        Config::from_toml(Path::new("/etc/ladderd/test.toml"), text).expect("test config is valid")
    }

    #[test]
    fn the_same_file_changes_nothing() {
        let text = "[discord]\nadmin_user_ids = [5]\n[ladder]\nmax_vetoes = 2\n";
        assert!(changes(&load(text), &load(text)).is_empty());
    }

    #[test]
    fn changes_are_sorted_into_live_restart_and_ladder() {
        let old = load("");
        let new = load(
            "[store]\npath = \"other.db\"\n[discord]\nadmin_user_ids = [5]\nowner_user_ids = [6]\n\
             [replay]\nworkers = 3\n[ops]\nhealth_log_interval_s = 10\n[ladder]\nmax_vetoes = 2\n",
        );
        let c = changes(&old, &new);
        assert_eq!(c.live, ["discord.owner_user_ids", "discord.admin_user_ids"]);
        assert!(c.restart.contains(&"store.path"), "{c:?}");
        assert!(c.restart.contains(&"ops.health_log_interval_s"), "{c:?}");
        assert_eq!(c.ladder, ["ladder.max_vetoes"]);
        // `workers` defaults to the CPU count: a change only if it differs.
        assert_eq!(
            c.restart.contains(&"replay.workers"),
            old.replay.workers != 3,
            "{c:?}"
        );
    }

    #[test]
    fn applying_keeps_restart_only_values() {
        let old = load("");
        let new = load(
            "[store]\npath = \"other.db\"\n[discord]\nadmin_role_ids = [7]\nlobby_channel_id = 9\n\
             [ladder]\nmax_vetoes = 2\n",
        );
        let running = old.with_live_parts_of(&new);
        assert_eq!(running.store.path, old.store.path);
        assert_eq!(running.discord.lobby_channel_id, None);
        assert_eq!(running.discord.admin_role_ids, new.discord.admin_role_ids);
        assert_eq!(running.ladder.max_vetoes, 2);
        // What is left to differ is exactly what needs a restart.
        let left = changes(&running, &new);
        assert!(left.live.is_empty() && left.ladder.is_empty(), "{left:?}");
        assert_eq!(left.restart, ["store.path", "discord.lobby_channel_id"]);
    }
}
