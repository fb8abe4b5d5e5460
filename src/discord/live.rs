//! The `[discord]` settings as the running bot sees them: a snapshot that a
//! configuration reload replaces. Only the admin list (owners, admin users,
//! admin roles) changes live; the supervisor keeps the rest as it started.
//! Beside them, the map pool's names the veto select offers, which a reload
//! of `[ladder] maps` replaces once the ladder has taken the new pool.

use std::sync::{Arc, RwLock};

use crate::config::DiscordConfig;

/// Shared by the supervisor (which replaces it on reload) and the bot (which
/// takes one snapshot per interaction, so one interaction is routed with one
/// consistent admin list).
#[derive(Clone)]
pub struct LiveDiscord(
    Arc<RwLock<Arc<DiscordConfig>>>,
    Arc<RwLock<Arc<Vec<String>>>>,
);

impl LiveDiscord {
    pub fn new(config: DiscordConfig) -> LiveDiscord {
        LiveDiscord(
            Arc::new(RwLock::new(Arc::new(config))),
            Arc::new(RwLock::new(Arc::new(Vec::new()))),
        )
    }

    /// The map names the veto select offers now.
    pub fn maps(&self) -> Arc<Vec<String>> {
        self.1.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the map names (after the ladder took the new pool).
    pub fn set_maps(&self, maps: Vec<String>) {
        *self.1.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(maps);
    }

    /// The current settings.
    pub fn get(&self) -> Arc<DiscordConfig> {
        // A poisoned lock still holds a whole Arc: writers only swap it.
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the settings for every interaction routed from now on.
    pub fn set(&self, config: DiscordConfig) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(config);
    }
}

impl std::fmt::Debug for LiveDiscord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LiveDiscord").field(&self.get()).finish()
    }
}
