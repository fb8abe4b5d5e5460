//! Live reconfiguration (SIGHUP): [`Ladder::reconfigure`] applies the
//! `[ladder]` keys that can change under a running ladder and refuses the
//! rest, naming each key, without changing anything.
//!
//! Live, and what a change does:
//! - `maps`: maps removed from the file leave the season's pool, added maps
//!   join it; vetoes of removed maps are dropped from queue entries and
//!   remembered preferences. Matches already made keep their map (and its
//!   replay name, for verifying their replays).
//! - `max_vetoes`: lowered, queue entries and preferences keep their first ones.
//! - `wave_interval_s`: the next wave is the earlier of the one already
//!   announced and the new interval's next multiple.
//! - `confirm_window_s`: matches made from now on; a match already waiting
//!   for confirmation keeps the deadline its players were shown.
//! - the matchmaker's other knobs, `servers`, `blocked_region_pairs`,
//!   `abandon_cooldown_s`, `strike_cooldown_minutes` (strikes from then on,
//!   counted over the day already kept), `aborts_per_month`,
//!   `queue_expiry_minutes` (measured from each searcher's last sign of
//!   life, so a shorter one may ask at the next tick), `notifications` (off:
//!   no pings, `/notifications` refused; settings are kept),
//!   `unreported_flag_after_minutes`,
//!   `result_policy` (reports and replays arriving from then on),
//!   `tau`, `elo_k`, `elo_divisor`, `provisional_games`, `rank_shares`,
//!   `inactive_after_days`, `season_soft_reset`, `leaderboard_page_size`,
//!   `lobby_settings`: from the next use on.
//!
//! Refused (a restart or a new season is the way): `season_name`,
//! `race_groups`, `regions`, `rating_system`, `initial_rating`,
//! `initial_deviation`, `initial_volatility`. Which keys are live is declared
//! once, in `config::keys` (`ladder live` / `ladder refused`).

use std::collections::HashSet;

use super::{Audience, Effects, Ladder, Note, next_wave_after};
use crate::config::LadderConfig;
use crate::store::rows::{MatchState, UnixMillis, Write};

/// Why a key cannot change under a running ladder.
fn why_not_live(key: &str) -> &'static str {
    match key {
        "ladder.season_name" => {
            "it names the first season only; `/admin end_season` starts a new one with its name"
        }
        "ladder.race_groups" => "queue entries, matches and ratings refer to the races",
        "ladder.regions" => "players are set up in these regions",
        "ladder.rating_system"
        | "ladder.initial_rating"
        | "ladder.initial_deviation"
        | "ladder.initial_volatility" => "this season's ratings were started with it",
        _ => "it is read at start-up only",
    }
}

/// A refused reconfiguration: nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .refused.iter().map(|(k, why)| format!("`{k}` cannot change while ladderd runs ({why})")).collect::<Vec<_>>().join("; "))]
pub struct ReconfigureError {
    /// Each refused key and why.
    pub refused: Vec<(&'static str, &'static str)>,
}

/// An applied reconfiguration: the keys that changed, and the effects to
/// commit (the season's new pool, trimmed preferences) and then show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconfigured {
    pub changed: Vec<&'static str>,
    pub effects: Effects,
}

impl Ladder {
    /// Applies `config` at `now` if every key that differs is live (see the
    /// module); otherwise returns which are not and changes nothing.
    pub fn reconfigure(
        &mut self,
        now: UnixMillis,
        config: LadderConfig,
    ) -> Result<Reconfigured, ReconfigureError> {
        let changed = self.config.changed_keys(&config);
        let refused: Vec<(&'static str, &'static str)> = changed
            .iter()
            .filter(|k| !crate::config::keys::is_live(k))
            .map(|k| (*k, why_not_live(k)))
            .collect();
        if !refused.is_empty() {
            return Err(ReconfigureError { refused });
        }
        let mut fx = Effects::default();
        if changed.is_empty() {
            return Ok(Reconfigured {
                changed,
                effects: fx,
            });
        }
        let has = |key: &str| changed.contains(&key);

        // Promises made under the old config are kept: confirm deadlines
        // shown. Matches made since migration 2 carry theirs; older ones get
        // it written now, before the window changes.
        if has("ladder.confirm_window_s") {
            let waiting: Vec<u64> = self
                .open
                .iter()
                .filter(|id| {
                    self.matches
                        .get(id)
                        .is_some_and(|m| m.state == MatchState::Found && m.confirm_by.is_none())
                })
                .copied()
                .collect();
            for id in waiting {
                let Some(deadline) = self.matches.get(&id).map(|m| self.confirm_deadline(&m))
                else {
                    continue;
                };
                if let Some(m) = self.matches.get_mut(&id) {
                    m.confirm_by = Some(deadline);
                    fx.write(Write::Match(m.clone()));
                }
            }
        }
        let old = std::mem::replace(&mut self.config, config);

        if has("ladder.maps") {
            self.apply_map_pool(&old, &mut fx);
        }
        if has("ladder.maps") || has("ladder.max_vetoes") {
            self.fit_vetoes(now, &mut fx);
        }
        if has("ladder.wave_interval_s") {
            self.next_wave_at = self.next_wave_at.min(next_wave_after(
                now,
                self.config.matchmaker.wave_interval_ms,
            ));
        }
        fx.info(
            Audience::AdminLog,
            format!("configuration reloaded: {}", changed.join(", ")),
        );
        self.seal(now, &mut fx);
        Ok(Reconfigured {
            changed,
            effects: fx,
        })
    }

    /// The season's pool after the configured maps went from `old` to the
    /// current config: removed maps leave it, added ones join it.
    fn apply_map_pool(&mut self, old: &LadderConfig, fx: &mut Effects) {
        let lower = |list: &[crate::config::MapInfo]| -> HashSet<String> {
            list.iter().map(|m| m.name.to_lowercase()).collect()
        };
        let (before, after) = (lower(&old.maps), lower(&self.config.maps));
        let removed: Vec<&crate::config::MapInfo> = old
            .maps
            .iter()
            .filter(|m| !after.contains(&m.name.to_lowercase()))
            .collect();
        let added: Vec<String> = self
            .config
            .maps
            .iter()
            .filter(|m| !before.contains(&m.name.to_lowercase()))
            .map(|m| m.name.clone())
            .collect();
        // Matches already made keep their map and what verifies its replays.
        let in_use = |ladder: &Ladder, name: &str| {
            ladder.open.iter().any(|id| {
                ladder
                    .matches
                    .get(id)
                    .is_some_and(|m| m.map.eq_ignore_ascii_case(name))
            })
        };
        let mut retired = std::mem::take(&mut self.retired_maps);
        // Persisted, so a restart still verifies replays of those matches.
        for gone in retired.iter().filter(|r| !in_use(self, &r.name)) {
            fx.write(Write::RetiredMap {
                name: gone.name.clone(),
                info_json: None,
            });
        }
        retired.retain(|r| in_use(self, &r.name));
        for info in &removed {
            if in_use(self, &info.name) && !retired.iter().any(|r| r.name == info.name) {
                retired.push((*info).clone());
                fx.write(Write::RetiredMap {
                    name: info.name.clone(),
                    info_json: Some(map_to_json(info)),
                });
            }
        }
        self.retired_maps = retired;
        let mut pool: Vec<String> = self
            .season
            .map_pool
            .iter()
            .filter(|m| after.contains(&m.to_lowercase()))
            .cloned()
            .collect();
        pool.extend(added.iter().cloned());
        if pool.is_empty() {
            // The season played a subset that is gone entirely: the whole new list.
            pool = self.config.maps.iter().map(|m| m.name.clone()).collect();
        }
        if pool != self.season.map_pool {
            self.season.map_pool = pool;
            fx.write(Write::Season(self.season.clone()));
            fx.note(
                Audience::Lobby,
                Note::MapPoolChanged {
                    added: added.clone(),
                    removed: removed.iter().map(|m| m.name.clone()).collect(),
                },
            );
        }
    }

    /// Queue entries and remembered preferences keep only vetoes of maps in
    /// the pool, at most `max_vetoes` of them; changed preferences are written.
    fn fit_vetoes(&mut self, now: UnixMillis, fx: &mut Effects) {
        let pool = self.season.map_pool.clone();
        let max = self.config.max_vetoes;
        let fit = |vetoes: &mut Vec<String>| -> bool {
            let before = vetoes.len();
            vetoes.retain(|v| pool.contains(v));
            vetoes.truncate(max);
            vetoes.len() != before
        };
        for entry in self.queue.values_mut() {
            fit(&mut entry.vetoes);
        }
        let mut ids: Vec<u64> = self.prefs.keys().copied().collect();
        ids.sort_unstable();
        for id in ids {
            if let Some(prefs) = self.prefs.get_mut(&id)
                && fit(&mut prefs.vetoes)
            {
                prefs.updated_at = now;
                fx.write(Write::QueuePrefs(prefs.clone()));
            }
        }
    }
}

/// A map's configuration as `retired_maps` stores it.
pub(super) fn map_to_json(m: &crate::config::MapInfo) -> String {
    serde_json::json!({
        "name": m.name, "replay_name": m.replay_name, "link": m.link, "author": m.author,
    })
    .to_string()
}

/// Reads what [`map_to_json`] wrote; `None` for anything else.
pub(super) fn map_from_json(json: &str) -> Option<crate::config::MapInfo> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    Some(crate::config::MapInfo {
        name: text("name")?,
        replay_name: text("replay_name")?,
        link: text("link"),
        author: text("author"),
    })
}
