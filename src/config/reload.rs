//! Live reload: what differs between the running configuration and the file
//! as re-read (through [`Config::load`], the start-up path), and which of
//! those differences apply without a restart.
//!
//! Outside `[ladder]` only the admin list is live: owners, admin users and
//! admin roles. Every other key outside `[ladder]` is read once at start-up
//! (the store, the workers, the sockets, the Discord connection …); a change
//! to one is reported as needing a restart and the running value is kept.
//! `[ladder]` keys go to the ladder core (`Ladder::reconfigure`), which
//! applies the live ones and refuses the rest. Which is which is declared
//! once per key in [`super::keys`].

use super::Config;
use super::keys::{Apply, KEYS};

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

/// Every key whose effective value differs between `old` and `new`, sorted
/// by how it applies ([`super::keys::KEYS`] declares each key once).
pub fn changes(old: &Config, new: &Config) -> ConfigChanges {
    let mut out = ConfigChanges::default();
    for key in KEYS.iter().filter(|k| k.differs(old, new)) {
        let list = match (key.in_ladder(), key.apply) {
            (true, _) => &mut out.ladder,
            (false, Apply::Live) => &mut out.live,
            (false, Apply::NotLive) => &mut out.restart,
        };
        list.push(key.name);
    }
    out
}

impl Config {
    /// The configuration a running ladderd has after `new` was applied to
    /// it: the live keys (the admin list) and `[ladder]` (which the core
    /// has accepted whole) from `new`, everything else still as it started.
    pub fn with_live_parts_of(&self, new: &Config) -> Config {
        let mut out = self.clone();
        for key in KEYS
            .iter()
            .filter(|k| !k.in_ladder() && k.apply == Apply::Live)
        {
            key.take(&mut out, new);
        }
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
