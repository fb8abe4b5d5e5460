//! Admin operations. Each one, reads included, writes an `AdminActionRow`
//! naming who, what, the target, the reason and when.

use super::{
    Actor, Audience, Effects, EndReason, Invalid, Ladder, LadderError, MatchId, Note, Notice,
    PlayerId, rating,
};
use crate::store::rows::{
    AdminActionRow, MatchResult, MatchState, PlayerState, RatingBefore, ResultSource, SeasonRow,
    UnixMillis, Write,
};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Resolution {
    Player1,
    Player2,
    Draw,
    Invalidate,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RatingAdjustment {
    Set(f64),
    Add(f64),
    Subtract(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum AdminOp {
    Snapshot,
    InspectPlayer(PlayerId),
    InspectMatch(MatchId),
    /// Post the archived file of a match's verified replay to the admin log.
    ReplayFile(MatchId),
    Resolve {
        match_id: MatchId,
        resolution: Resolution,
    },
    AdjustRating {
        player: PlayerId,
        race: String,
        adjustment: RatingAdjustment,
    },
    RemoveFromQueue(PlayerId),
    ResetToIdle(PlayerId),
    Ban(PlayerId),
    Unban(PlayerId),
    ResetAborts(PlayerId),
    ClearQueue,
    GrantAdmin(PlayerId),
    RevokeAdmin(PlayerId),
    /// Archive the current season's ratings, soft-reset them into a new
    /// season with this name and map pool (empty: every configured map).
    EndSeason {
        next_name: String,
        map_pool: Vec<String>,
    },
}

impl AdminOp {
    fn name(&self) -> &'static str {
        match self {
            AdminOp::Snapshot => "snapshot",
            AdminOp::InspectPlayer(_) => "inspect_player",
            AdminOp::InspectMatch(_) => "inspect_match",
            AdminOp::ReplayFile(_) => "replay_file",
            AdminOp::Resolve { .. } => "resolve",
            AdminOp::AdjustRating { .. } => "adjust_rating",
            AdminOp::RemoveFromQueue(_) => "remove_from_queue",
            AdminOp::ResetToIdle(_) => "reset_to_idle",
            AdminOp::Ban(_) => "ban",
            AdminOp::Unban(_) => "unban",
            AdminOp::ResetAborts(_) => "reset_aborts",
            AdminOp::ClearQueue => "clear_queue",
            AdminOp::GrantAdmin(_) => "grant_admin",
            AdminOp::RevokeAdmin(_) => "revoke_admin",
            AdminOp::EndSeason { .. } => "end_season",
        }
    }

    /// Whether the op changes the ladder (and so needs a reason); the three
    /// reads do not.
    pub fn changes_state(&self) -> bool {
        !matches!(
            self,
            AdminOp::Snapshot
                | AdminOp::InspectPlayer(_)
                | AdminOp::InspectMatch(_)
                | AdminOp::ReplayFile(_)
        )
    }
}

impl Ladder {
    pub fn is_admin(&self, actor: Actor) -> bool {
        actor.is_owner || actor.is_admin || self.players.get(&actor.id).is_some_and(|p| p.is_admin)
    }

    pub(super) fn admin(
        &mut self,
        now: UnixMillis,
        actor: Actor,
        reason: String,
        op: AdminOp,
    ) -> Result<Effects, LadderError> {
        if !self.is_admin(actor) {
            return Err(LadderError::NotAdmin);
        }
        if matches!(op, AdminOp::GrantAdmin(_) | AdminOp::RevokeAdmin(_)) && !actor.is_owner {
            return Err(LadderError::NotOwner);
        }
        let reason = reason.trim().to_owned();
        if op.changes_state() && reason.is_empty() {
            return Err(LadderError::NoReason);
        }
        let action = op.name();
        let (mut target_player, mut target_match) = (None, None);
        let mut fx = Effects::default();
        let details: serde_json::Value = match op {
            AdminOp::Snapshot => {
                fx.tell(Audience::Actor, Notice::Snapshot(Box::new(self.snapshot())));
                serde_json::Value::Null
            }
            AdminOp::InspectPlayer(id) => {
                target_player = Some(id);
                let p = self.player_ref(id)?.clone();
                let mut ratings: Vec<_> = self
                    .ratings
                    .values()
                    .filter(|r| r.player_id == id)
                    .cloned()
                    .collect();
                ratings.sort_by(|a, b| a.race.cmp(&b.race));
                fx.tell(Audience::Actor, Notice::PlayerDetail(Box::new(p), ratings));
                serde_json::Value::Null
            }
            AdminOp::InspectMatch(id) => {
                target_match = Some(id);
                let m = self
                    .matches
                    .get(&id)
                    .ok_or(LadderError::UnknownMatch(id))?
                    .into_owned();
                fx.tell(Audience::Actor, Notice::MatchDetail(Box::new(m)));
                serde_json::Value::Null
            }
            AdminOp::ReplayFile(id) => {
                target_match = Some(id);
                if !self.matches.contains_key(&id) {
                    return Err(LadderError::UnknownMatch(id));
                }
                let sha256 = self
                    .replay_files
                    .get(&id)
                    .map(ToString::to_string)
                    .ok_or(LadderError::Invalid(Invalid::NoReplay(id)))?;
                fx.info(
                    Audience::Actor,
                    format!("the replay of match #{id} is posted in the admin log"),
                );
                fx.tell(
                    Audience::AdminLog,
                    Notice::ReplayFile {
                        match_id: id,
                        sha256: sha256.clone(),
                    },
                );
                serde_json::json!({ "sha256": sha256 })
            }
            AdminOp::Resolve {
                match_id,
                resolution,
            } => {
                target_match = Some(match_id);
                let m = self
                    .matches
                    .get(&match_id)
                    .ok_or(LadderError::UnknownMatch(match_id))?;
                let before = serde_json::json!({ "state": m.state.as_str(), "result": m.result.map(|r| r.as_str()) });
                let result = match resolution {
                    Resolution::Player1 => Some(MatchResult::Player1),
                    Resolution::Player2 => Some(MatchResult::Player2),
                    Resolution::Draw => Some(MatchResult::Draw),
                    Resolution::Invalidate => None,
                };
                self.settle(now, match_id, result, ResultSource::Admin, &mut fx);
                let Some(m) = self.matches.get(&match_id) else {
                    return Err(LadderError::UnknownMatch(match_id));
                };
                serde_json::json!({
                    "before": before,
                    "after": { "state": m.state.as_str(), "result": m.result.map(|r| r.as_str()) },
                    "rating_changes": [m.rating1_change, m.rating2_change],
                })
            }
            AdminOp::AdjustRating {
                player,
                race,
                adjustment,
            } => {
                target_player = Some(player);
                self.player_ref(player)?;
                let race = self
                    .config
                    .race(&race)
                    .ok_or_else(|| {
                        let ids: Vec<&str> =
                            self.config.races.iter().map(|r| r.id.as_str()).collect();
                        LadderError::UnknownRace(race.clone(), ids.join(", "))
                    })?
                    .id
                    .clone();
                let value = match adjustment {
                    RatingAdjustment::Set(v)
                    | RatingAdjustment::Add(v)
                    | RatingAdjustment::Subtract(v) => v,
                };
                if !value.is_finite() || value.abs() > 100_000.0 {
                    return Err(LadderError::Invalid(Invalid::Rating(value)));
                }
                let mut row = self.rating_or_new(player, &race);
                let old = row.rating;
                row.rating = match adjustment {
                    RatingAdjustment::Set(v) => v,
                    RatingAdjustment::Add(v) => old + v,
                    RatingAdjustment::Subtract(v) => old - v,
                };
                fx.write(Write::Rating(row.clone()));
                let new = row.rating;
                self.ratings.insert((player, race.clone()), row);
                fx.info(
                    Audience::Actor,
                    format!("{race} rating of player {player}: {old:.0} → {new:.0}"),
                );
                serde_json::json!({ "race": race, "old": old, "new": new })
            }
            AdminOp::RemoveFromQueue(id) => {
                target_player = Some(id);
                self.player_ref(id)?;
                if self.queue.remove(&id).is_none() {
                    return Err(LadderError::Invalid(Invalid::NotInQueue(id)));
                }
                self.set_state(id, PlayerState::Idle, now, &mut fx);
                fx.note(
                    Audience::Player(id),
                    Note::RemovedFromQueue {
                        reason: reason.clone(),
                    },
                );
                serde_json::Value::Null
            }
            AdminOp::ResetToIdle(id) => {
                target_player = Some(id);
                let old = self.player_ref(id)?.state;
                self.queue.remove(&id);
                // Their open match ends too, on disk as in memory: otherwise
                // a restart would put them back in it.
                let open = self.in_match.get(&id).copied();
                if let Some(m) = open.and_then(|m| self.abort_match(m, id, now, &mut fx)) {
                    let body = Notice::MatchEnded {
                        match_id: m.id,
                        state: MatchState::Aborted,
                        result: None,
                        rating_changes: None,
                        names: Some(self.names_of(&m)),
                        why: EndReason::AdminReset {
                            reason: reason.clone(),
                        },
                    };
                    self.tell_both(&m, &mut fx, body);
                }
                self.set_state(id, PlayerState::Idle, now, &mut fx);
                serde_json::json!({ "old_state": old.as_str(), "left_match": open })
            }
            AdminOp::Ban(id) => {
                target_player = Some(id);
                self.player_ref(id)?;
                self.queue.remove(&id);
                // Ranks are taken among players who are not banned.
                self.ratings.forget_ranks();
                let p = self.players.get_mut(&id).expect("player_ref checked");
                p.banned = true;
                p.ban_reason = Some(reason.clone());
                if p.state == PlayerState::Queueing {
                    p.state = PlayerState::Idle;
                }
                p.updated_at = now;
                fx.write(Write::Player(p.clone()));
                fx.note(
                    Audience::Player(id),
                    Note::Banned {
                        reason: reason.clone(),
                    },
                );
                serde_json::Value::Null
            }
            AdminOp::Unban(id) => {
                target_player = Some(id);
                self.player_ref(id)?;
                self.ratings.forget_ranks();
                let p = self.players.get_mut(&id).expect("player_ref checked");
                p.banned = false;
                p.ban_reason = None;
                p.updated_at = now;
                fx.write(Write::Player(p.clone()));
                fx.note(Audience::Player(id), Note::Unbanned);
                serde_json::Value::Null
            }
            AdminOp::ResetAborts(id) => {
                target_player = Some(id);
                self.player_ref(id)?;
                let allowance = self.config.aborts_per_month;
                let p = self.players.get_mut(&id).expect("player_ref checked");
                let old = p.aborts_left;
                p.aborts_left = allowance;
                p.aborts_month = Some(super::time::month_of(now));
                p.updated_at = now;
                fx.write(Write::Player(p.clone()));
                serde_json::json!({ "old": old, "new": allowance })
            }
            AdminOp::ClearQueue => {
                let ids: Vec<PlayerId> = self.queue.keys().copied().collect();
                self.queue.clear();
                for id in &ids {
                    self.set_state(*id, PlayerState::Idle, now, &mut fx);
                    fx.note(
                        Audience::Player(*id),
                        Note::QueueCleared {
                            reason: reason.clone(),
                        },
                    );
                }
                serde_json::json!({ "removed": ids })
            }
            AdminOp::GrantAdmin(id) | AdminOp::RevokeAdmin(id) => {
                target_player = Some(id);
                self.player_ref(id)?;
                let grant = action == "grant_admin";
                let p = self.players.get_mut(&id).expect("player_ref checked");
                p.is_admin = grant;
                p.updated_at = now;
                fx.write(Write::Player(p.clone()));
                serde_json::json!({ "is_admin": grant })
            }
            AdminOp::EndSeason {
                next_name,
                map_pool,
            } => {
                let next_name = next_name.trim().to_owned();
                if next_name.is_empty() {
                    return Err(LadderError::Invalid(Invalid::NoSeasonName));
                }
                let mut pool = Vec::new();
                for m in &map_pool {
                    let info = self
                        .config
                        .map(m)
                        .ok_or_else(|| LadderError::UnknownMap(m.clone()))?;
                    if !pool.contains(&info.name) {
                        pool.push(info.name.clone());
                    }
                }
                if pool.is_empty() {
                    pool = self.config.maps.iter().map(|m| m.name.clone()).collect();
                }
                self.end_season(now, next_name, pool, &mut fx)
            }
        };
        fx.write(Write::AdminAction(AdminActionRow {
            admin_id: actor.id,
            action: action.to_owned(),
            target_player_id: target_player,
            target_match_id: target_match,
            reason: reason.clone(),
            details_json: (!details.is_null()).then(|| details.to_string()),
            at: now,
        }));
        if action != "snapshot" && !action.starts_with("inspect") {
            fx.tell(
                Audience::AdminLog,
                Notice::Info(format!(
                    "admin {} {action}{}{}: {reason}",
                    actor.id,
                    target_player.map_or(String::new(), |p| format!(" player {p}")),
                    target_match.map_or(String::new(), |m| format!(" match #{m}")),
                )),
            );
        }
        Ok(fx)
    }

    fn end_season(
        &mut self,
        now: UnixMillis,
        next_name: String,
        pool: Vec<String>,
        fx: &mut Effects,
    ) -> serde_json::Value {
        let mut old = self.season.clone();
        old.ended_at = Some(now);
        fx.write(Write::Season(old.clone()));
        let next = SeasonRow {
            id: old.id + 1,
            name: next_name,
            started_at: now,
            ended_at: None,
            map_pool: pool,
        };
        fx.write(Write::Season(next.clone()));
        let mut keys: Vec<(PlayerId, String)> = self.ratings.keys().cloned().collect();
        keys.sort();
        let mut reset = 0;
        for key in keys {
            let Some(r) = self.ratings.get_mut(&key) else {
                continue;
            };
            // The ended season's row stays in the store under its season id;
            // keep it browsable here too.
            self.past_ratings
                .insert((old.id, key.0, key.1.clone()), r.clone());
            let soft = rating::soft_reset(
                &self.config.rating,
                RatingBefore {
                    rating: r.rating,
                    deviation: r.deviation,
                    volatility: r.volatility,
                },
            );
            r.season_id = next.id;
            r.rating = soft.rating;
            r.deviation = soft.deviation;
            r.volatility = soft.volatility;
            r.games = 0;
            r.wins = 0;
            r.losses = 0;
            r.draws = 0;
            fx.write(Write::Rating(r.clone()));
            reset += 1;
        }
        self.past_seasons.insert(old.id, old.clone());
        self.season = next;
        // Vetoes of maps that left the pool are dropped when players next join.
        let open_matches = self
            .open
            .iter()
            .filter(|id| {
                self.matches
                    .get(id)
                    .is_some_and(|m| m.state != MatchState::Completed)
            })
            .count();
        fx.note(
            Audience::Lobby,
            Note::SeasonStarted {
                ended: old.name.clone(),
                started: self.season.name.clone(),
                maps: self.season.map_pool.len(),
            },
        );
        serde_json::json!({ "ended": old.id, "started": self.season.id, "ratings_reset": reset, "open_matches": open_matches })
    }
}
