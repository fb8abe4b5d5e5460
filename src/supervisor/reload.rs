//! Live reload (SIGHUP, `systemctl reload`): re-read the config file through
//! the start-up path, validate all of it, and apply what can change under a
//! running ladder — or keep the running configuration whole and say why.
//!
//! Order: the file is read and validated ([`Config::load`]); the changes are
//! sorted (`config::reload`); the `[ladder]` part goes to the ladder loop,
//! in order with the commands, where the core applies it or refuses it
//! (nothing changes); only once the ladder has accepted it and committed its
//! rows is the admin list swapped for the bot. Keys that need a restart are
//! reported and keep their running value.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::config::{Config, ConfigError};
use crate::discord::live::LiveDiscord;
use crate::ladder::ReconfigureError;
use crate::ops::notify::Notifier;

use crate::ladder_loop::{LadderHandle, LoopError};

/// Why a reload changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Refused(#[from] ReconfigureError),
    #[error("the ladder did not take the new configuration: {0}")]
    Ladder(#[from] LoopError),
    #[error("reading the configuration failed: {0}")]
    Task(#[source] tokio::task::JoinError),
}

/// An applied reload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reloaded {
    /// Keys whose new value is in force.
    pub applied: Vec<&'static str>,
    /// Keys that changed in the file but apply only at the next start.
    pub needs_restart: Vec<&'static str>,
}

impl fmt::Display for Reloaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.applied.is_empty() && self.needs_restart.is_empty() {
            return f.write_str("nothing changed");
        }
        if !self.applied.is_empty() {
            write!(f, "applied {}", self.applied.join(", "))?;
        } else {
            f.write_str("nothing applied")?;
        }
        if !self.needs_restart.is_empty() {
            write!(
                f,
                "; needs a restart, keeping the running value: {}",
                self.needs_restart.join(", ")
            )?;
        }
        Ok(())
    }
}

/// Applies reloads to a running supervisor (see `Running::reloader`).
/// Cloneable; reloads run one at a time.
#[derive(Clone)]
pub struct Reloader {
    /// The configuration in force: start-up values plus applied reloads.
    running: Arc<tokio::sync::Mutex<Config>>,
    ladder: LadderHandle,
    discord: LiveDiscord,
    /// The web site's copy of the ladder follows the core's live keys.
    web: Option<Arc<crate::web::Site>>,
}

impl Reloader {
    pub(super) fn new(
        running: Config,
        ladder: LadderHandle,
        discord: LiveDiscord,
        web: Option<Arc<crate::web::Site>>,
    ) -> Reloader {
        Reloader {
            running: Arc::new(tokio::sync::Mutex::new(running)),
            ladder,
            discord,
            web,
        }
    }

    /// The configuration in force now.
    pub async fn running(&self) -> Config {
        self.running.lock().await.clone()
    }

    /// Re-reads `path` (the file `run` was started with) and applies it.
    pub async fn reload_file(&self, path: &Path) -> Result<Reloaded, ReloadError> {
        let owned = path.to_path_buf();
        let new = tokio::task::spawn_blocking(move || Config::load(&owned))
            .await
            .map_err(ReloadError::Task)??;
        self.apply(new).await
    }

    /// Applies the live parts of `new`, all or nothing.
    pub async fn apply(&self, new: Config) -> Result<Reloaded, ReloadError> {
        let mut running = self.running.lock().await;
        let changes = crate::config::reload::changes(&running, &new);
        let mut applied = Vec::new();
        if !changes.ladder.is_empty() {
            applied = self.ladder.reconfigure(new.ladder.clone()).await??;
            self.discord
                .set_maps(new.ladder.maps.iter().map(|m| m.name.clone()).collect());
            if let Some(site) = &self.web {
                site.reconfigure(new.ladder.clone());
            }
        }
        let next = running.with_live_parts_of(&new);
        if !changes.live.is_empty() {
            self.discord.set(next.discord.clone());
            applied.extend(changes.live.iter().copied());
        }
        *running = next;
        Ok(Reloaded {
            applied,
            needs_restart: changes.restart,
        })
    }

    /// One SIGHUP: reloads `path`, logs what changed (info) or why nothing
    /// did (error), and tells systemd in a `STATUS=` line.
    pub async fn on_hangup(
        &self,
        path: &Path,
        notifier: &Notifier,
    ) -> Result<Reloaded, ReloadError> {
        match self.reload_file(path).await {
            Ok(done) => {
                tracing::info!(path = %path.display(), "configuration reloaded: {done}");
                notifier.status(&status_line(&format!(
                    "reloaded {}: {done}",
                    path.display()
                )));
                Ok(done)
            }
            Err(e) => {
                tracing::error!(
                    path = %path.display(),
                    "configuration reload refused; the running configuration stays: {e}"
                );
                notifier.status(&status_line(&format!("reload refused: {e}")));
                Err(e)
            }
        }
    }
}

/// A `STATUS=` value: one line, bounded.
fn status_line(text: &str) -> String {
    let one: String = text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .take(400)
        .collect();
    one
}
