//! Reads: the queue view, profiles, the leaderboard and match history.
//! Nothing here changes state or writes rows.

use std::collections::HashMap;

use super::rating::{self, Rank};
use super::{Audience, Effects, Ladder, LadderError, MatchId, Notice, PlayerId};
use crate::store::rows::{MatchResult, MatchState, RatingRow, UnixMillis};

const DAY_MS: i64 = 86_400_000;
const ACTIVE_WINDOW_MS: i64 = 15 * 60 * 1000;
const HISTORY_PAGE: usize = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct QueueView {
    /// (race id, players queueing with it), in config order.
    pub per_race: Vec<(String, usize)>,
    /// (region id, players queueing from it), in config order; players
    /// without a region are not counted here.
    pub per_region: Vec<(String, usize)>,
    pub queueing: usize,
    pub seconds_to_next_wave: i64,
    pub matches_in_progress: usize,
    pub active_last_15_min: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileRace {
    pub race: String,
    pub rating: f64,
    pub interval: (f64, f64),
    pub provisional: bool,
    pub rank: Option<Rank>,
    pub wins: u32,
    pub losses: u32,
    pub draws: u32,
    pub win_rate: Option<f64>,
    pub last_played_at: Option<UnixMillis>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProfileView {
    pub player_id: PlayerId,
    pub ingame_name: Option<String>,
    pub battletag: Option<String>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub races: Vec<ProfileRace>,
    pub wins: u32,
    pub losses: u32,
    pub draws: u32,
    /// Games finished in the last 14, 30 and 90 days.
    pub games_last: [usize; 3],
    pub last_played_at: Option<UnixMillis>,
    pub aborts_left: u32,
    pub banned: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeaderboardQuery {
    /// ISO codes; empty means every country.
    pub countries: Vec<String>,
    /// Race ids; empty means every race.
    pub races: Vec<String>,
    /// Ranks; empty means every rank (and unranked).
    pub ranks: Vec<Rank>,
    /// Only each player's best race.
    pub best_race_only: bool,
    /// From 1.
    pub page: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeaderboardRow {
    pub position: usize,
    pub player_id: PlayerId,
    pub ingame_name: String,
    pub country: String,
    pub race: String,
    pub rating: f64,
    pub rank: Option<Rank>,
    pub provisional: bool,
    pub wins: u32,
    pub losses: u32,
    pub draws: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LeaderboardPage {
    pub rows: Vec<LeaderboardRow>,
    pub page: usize,
    pub pages: usize,
    pub total: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub match_id: MatchId,
    pub at: UnixMillis,
    pub opponent_id: PlayerId,
    pub opponent_name: String,
    pub race: String,
    pub opponent_race: String,
    pub map: String,
    pub state: MatchState,
    /// From this player's point of view: "win", "loss", "draw", or none.
    pub outcome: Option<&'static str>,
    pub rating_change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub player_id: PlayerId,
    pub entries: Vec<HistoryEntry>,
    pub page: usize,
    pub pages: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub season: String,
    pub players: usize,
    pub queueing: usize,
    pub found: usize,
    pub in_progress: usize,
    pub conflicts: Vec<MatchId>,
    pub flagged: Vec<MatchId>,
    pub next_wave_at: UnixMillis,
}

impl Ladder {
    /// Ranks of every active rated player-race of the current season.
    pub(super) fn rank_table(&self, now: UnixMillis) -> HashMap<(PlayerId, String), Rank> {
        let cutoff = now - self.config.rating.inactive_after_ms;
        let mut active: Vec<&RatingRow> = self
            .ratings
            .values()
            .filter(|r| r.games > 0 && r.last_played_at.is_some_and(|t| t >= cutoff))
            .filter(|r| self.players.get(&r.player_id).is_some_and(|p| !p.banned))
            .collect();
        active.sort_by(|a, b| {
            b.rating
                .total_cmp(&a.rating)
                .then(a.player_id.cmp(&b.player_id))
                .then(a.race.cmp(&b.race))
        });
        let n = active.len();
        active
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    (r.player_id, r.race.clone()),
                    rating::rank_at(&self.config.rating.rank_shares, i, n),
                )
            })
            .collect()
    }

    pub(super) fn queue_view(&self, now: UnixMillis) -> Effects {
        let mut fx = Effects::default();
        fx.tell(Audience::Actor, Notice::Queue(self.queue_status(now)));
        fx
    }

    /// Who is searching (by race and region), the next wave, matches in
    /// progress: `/queue`'s answer and the lobby's live status.
    pub(super) fn queue_status(&self, now: UnixMillis) -> QueueView {
        let per_race = self
            .config
            .races
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    r.id.clone(),
                    self.queue.values().filter(|e| e.races.contains(&i)).count(),
                )
            })
            .collect();
        let per_region = self
            .config
            .regions
            .iter()
            .map(|r| {
                let n = self
                    .queue
                    .keys()
                    .filter(|p| {
                        self.players.get(p).and_then(|row| row.region.as_deref())
                            == Some(r.id.as_str())
                    })
                    .count();
                (r.id.clone(), n)
            })
            .collect();
        QueueView {
            per_race,
            per_region,
            queueing: self.queue.len(),
            seconds_to_next_wave: (self.next_wave_at - now + 999).max(0) / 1000,
            matches_in_progress: self
                .open
                .iter()
                .filter(|id| {
                    self.matches
                        .get(id)
                        .is_some_and(|m| m.state == MatchState::InProgress)
                })
                .count(),
            active_last_15_min: self
                .last_seen
                .values()
                .filter(|t| now - **t <= ACTIVE_WINDOW_MS)
                .count(),
        }
    }

    pub(super) fn profile_view(
        &self,
        now: UnixMillis,
        id: PlayerId,
    ) -> Result<ProfileView, LadderError> {
        let p = self.player_ref(id)?;
        let ranks = self.rank_table(now);
        let mut races = Vec::new();
        let (mut wins, mut losses, mut draws) = (0, 0, 0);
        let mut last_played_at: Option<UnixMillis> = None;
        for race in &self.config.races {
            let Some(r) = self.ratings.get(&(id, race.id.clone())) else {
                continue;
            };
            wins += r.wins;
            losses += r.losses;
            draws += r.draws;
            last_played_at = last_played_at.max(r.last_played_at);
            let decided = r.wins + r.losses + r.draws;
            races.push(ProfileRace {
                race: race.id.clone(),
                rating: r.rating,
                interval: rating::interval(r.rating, r.deviation),
                provisional: r.games < self.config.rating.provisional_games,
                rank: ranks.get(&(id, race.id.clone())).copied(),
                wins: r.wins,
                losses: r.losses,
                draws: r.draws,
                win_rate: (decided > 0).then(|| f64::from(r.wins) / f64::from(decided)),
                last_played_at: r.last_played_at,
            });
        }
        let mut games_last = [0usize; 3];
        for mid in self.player_matches.get(&id).into_iter().flatten() {
            let Some(m) = self.matches.get(mid) else {
                continue;
            };
            if m.state != MatchState::Completed {
                continue;
            }
            let at = m.finished_at.unwrap_or(m.created_at);
            for (k, days) in [14, 30, 90].into_iter().enumerate() {
                if now - at <= days * DAY_MS {
                    games_last[k] += 1;
                }
            }
        }
        let month = super::time::month_of(now);
        Ok(ProfileView {
            player_id: id,
            ingame_name: p.ingame_name.clone(),
            battletag: p.battletag.clone(),
            country: p.country.clone(),
            region: p.region.clone(),
            races,
            wins,
            losses,
            draws,
            games_last,
            last_played_at,
            aborts_left: if p.aborts_month.as_deref() == Some(month.as_str()) {
                p.aborts_left
            } else {
                self.config.aborts_per_month
            },
            banned: p.banned,
        })
    }

    pub(super) fn profile(&self, now: UnixMillis, id: PlayerId) -> Result<Effects, LadderError> {
        let view = self.profile_view(now, id)?;
        let mut fx = Effects::default();
        fx.tell(Audience::Actor, Notice::Profile(Box::new(view)));
        Ok(fx)
    }

    pub fn leaderboard_page(
        &self,
        now: UnixMillis,
        q: &LeaderboardQuery,
    ) -> Result<LeaderboardPage, LadderError> {
        for r in &q.races {
            if self.config.race(r).is_none() {
                let ids: Vec<&str> = self.config.races.iter().map(|r| r.id.as_str()).collect();
                return Err(LadderError::UnknownRace(r.clone(), ids.join(", ")));
            }
        }
        let ranks = self.rank_table(now);
        let mut rows: Vec<(&RatingRow, Option<Rank>)> = self
            .ratings
            .values()
            .filter(|r| r.games > 0)
            .filter_map(|r| {
                let p = self.players.get(&r.player_id)?;
                if p.banned {
                    return None;
                }
                let country_ok = q.countries.is_empty()
                    || p.country
                        .as_deref()
                        .is_some_and(|c| q.countries.iter().any(|x| x.eq_ignore_ascii_case(c)));
                let race_ok =
                    q.races.is_empty() || q.races.iter().any(|x| x.eq_ignore_ascii_case(&r.race));
                let rank = ranks.get(&(r.player_id, r.race.clone())).copied();
                let rank_ok = q.ranks.is_empty() || rank.is_some_and(|k| q.ranks.contains(&k));
                (country_ok && race_ok && rank_ok).then_some((r, rank))
            })
            .collect();
        rows.sort_by(|(a, _), (b, _)| {
            b.rating
                .total_cmp(&a.rating)
                .then(a.player_id.cmp(&b.player_id))
                .then(a.race.cmp(&b.race))
        });
        if q.best_race_only {
            let mut seen = std::collections::HashSet::new();
            rows.retain(|(r, _)| seen.insert(r.player_id));
        }
        let size = self.config.leaderboard_page_size;
        let total = rows.len();
        let pages = total.div_ceil(size).max(1);
        let page = q.page.clamp(1, pages);
        let out = rows
            .iter()
            .enumerate()
            .skip((page - 1) * size)
            .take(size)
            .map(|(i, (r, rank))| {
                let p = &self.players[&r.player_id];
                LeaderboardRow {
                    position: i + 1,
                    player_id: r.player_id,
                    ingame_name: p.ingame_name.clone().unwrap_or_default(),
                    country: p.country.clone().unwrap_or_default(),
                    race: r.race.clone(),
                    rating: r.rating,
                    rank: *rank,
                    provisional: r.games < self.config.rating.provisional_games,
                    wins: r.wins,
                    losses: r.losses,
                    draws: r.draws,
                }
            })
            .collect();
        Ok(LeaderboardPage {
            rows: out,
            page,
            pages,
            total,
        })
    }

    pub(super) fn leaderboard(
        &self,
        now: UnixMillis,
        q: &LeaderboardQuery,
    ) -> Result<Effects, LadderError> {
        let page = self.leaderboard_page(now, q)?;
        let mut fx = Effects::default();
        fx.tell(Audience::Actor, Notice::Leaderboard(page));
        Ok(fx)
    }

    pub(super) fn history(&self, id: PlayerId, page: usize) -> Result<Effects, LadderError> {
        self.player_ref(id)?;
        let ids = self.player_matches.get(&id).cloned().unwrap_or_default();
        let pages = ids.len().div_ceil(HISTORY_PAGE).max(1);
        let page = page.clamp(1, pages);
        let entries = ids
            .iter()
            .rev()
            .skip((page - 1) * HISTORY_PAGE)
            .take(HISTORY_PAGE)
            .filter_map(|mid| self.matches.get(mid))
            .map(|m| {
                let me_first = m.player1_id == id;
                let (opp, race, opp_race, change) = if me_first {
                    (m.player2_id, &m.race1, &m.race2, m.rating1_change)
                } else {
                    (m.player1_id, &m.race2, &m.race1, m.rating2_change)
                };
                let outcome = m.result.map(|r| match (r, me_first) {
                    (MatchResult::Draw, _) => "draw",
                    (MatchResult::Player1, true) | (MatchResult::Player2, false) => "win",
                    _ => "loss",
                });
                HistoryEntry {
                    match_id: m.id,
                    at: m.created_at,
                    opponent_id: opp,
                    opponent_name: self
                        .players
                        .get(&opp)
                        .and_then(|p| p.ingame_name.clone())
                        .unwrap_or_default(),
                    race: race.clone(),
                    opponent_race: opp_race.clone(),
                    map: m.map.clone(),
                    state: m.state,
                    outcome,
                    rating_change: change,
                }
            })
            .collect();
        let mut fx = Effects::default();
        fx.tell(
            Audience::Actor,
            Notice::History(HistoryPage {
                player_id: id,
                entries,
                page,
                pages,
            }),
        );
        Ok(fx)
    }

    pub(super) fn snapshot(&self) -> Snapshot {
        let count = |s: MatchState| {
            self.open
                .iter()
                .filter(|id| self.matches.get(id).is_some_and(|m| m.state == s))
                .count()
        };
        Snapshot {
            season: self.season.name.clone(),
            players: self.players.len(),
            queueing: self.queue.len(),
            found: count(MatchState::Found),
            in_progress: count(MatchState::InProgress),
            conflicts: self
                .matches
                .values()
                .filter(|m| m.state == MatchState::Conflict)
                .map(|m| m.id)
                .collect(),
            flagged: self
                .open
                .iter()
                .filter(|id| self.matches.get(id).is_some_and(|m| m.flagged_at.is_some()))
                .copied()
                .collect(),
            next_wave_at: self.next_wave_at,
        }
    }
}
