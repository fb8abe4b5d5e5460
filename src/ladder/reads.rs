//! Reads: the queue view, profiles, the leaderboard and match history.
//! Nothing here changes state or writes rows.

use std::collections::HashSet;
use std::sync::Arc;

use super::ranks::{RankTable, Ranked};
use super::rating::{self, Rank};
use super::{Audience, Effects, Invalid, Ladder, LadderError, MatchId, Notice, PlayerId};
use crate::store::rows::{MatchResult, MatchState, RatingRow, SeasonRow, UnixMillis};

const DAY_MS: i64 = 86_400_000;
/// Saved leaderboard filters (see `Ladder::saved_queries`): at most this
/// many, each for this long after its last use.
pub const MAX_SAVED_QUERIES: usize = 512;
pub const SAVED_QUERY_TTL_MS: i64 = 60 * 60 * 1000;
/// Head-to-head: the most recent matches listed.
const HEAD_TO_HEAD_RECENT: usize = 5;
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
    /// The season the ratings are of, and whether it has ended.
    pub season: String,
    pub season_ended: bool,
    pub head_to_head: Option<HeadToHead>,
    /// Ratings after each rated match, every season (the `/profile` chart),
    /// and the seasons, for its boundaries.
    pub rating_history: Vec<super::site::RatingPoint>,
    pub seasons: Vec<super::site::SeasonSummary>,
}

/// Completed matches between two players, from the first one's side: all
/// seasons, or the season asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadToHead {
    pub opponent_id: PlayerId,
    pub opponent_name: String,
    pub wins: u32,
    pub losses: u32,
    pub draws: u32,
    /// The latest few: (match, "win" | "loss" | "draw"), newest first.
    pub recent: Vec<(MatchId, &'static str)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeaderboardQuery {
    /// ISO codes; empty means every country.
    pub countries: Vec<String>,
    /// Race ids; empty means every race.
    pub races: Vec<String>,
    /// Ranks; empty means every rank (and unranked).
    pub ranks: Vec<Rank>,
    /// Region ids; empty means every region.
    pub regions: Vec<String>,
    /// A past season's id; `None`: the current season.
    pub season: Option<u32>,
    /// Only each player's best race.
    pub best_race_only: bool,
    /// From 1.
    pub page: usize,
    /// Keep these filters in the ladder for the page buttons (the caller
    /// found them too long to carry); the page answers with their id.
    pub keep: bool,
    /// Page through filters kept earlier: every other field but `page` is
    /// ignored.
    pub saved: Option<u64>,
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
    /// The season shown, and whether it has ended.
    pub season: String,
    pub season_ended: bool,
    /// The filters this page answers (`keep` and `saved` cleared), for its
    /// page buttons.
    pub query: LeaderboardQuery,
    /// The id the filters are kept under, when they were kept.
    pub saved: Option<u64>,
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

    /// The season `season` names (`None`: the current one) and its ranks: a
    /// past season ranks everyone who played in it, as it ended.
    fn season_table(
        &self,
        now: UnixMillis,
        season: Option<u32>,
    ) -> Result<(&SeasonRow, Arc<RankTable>), LadderError> {
        match season {
            None => Ok((&self.season, self.rank_table(now))),
            Some(id) if id == self.season.id => Ok((&self.season, self.rank_table(now))),
            Some(id) => {
                let s = self.past_seasons.get(&id).ok_or_else(|| {
                    // The newest ten: years of seasons would not fit a message.
                    let all: Vec<&SeasonRow> = self
                        .past_seasons
                        .values()
                        .chain(std::iter::once(&self.season))
                        .collect();
                    let known: Vec<String> = all[all.len().saturating_sub(10)..]
                        .iter()
                        .map(|s| format!("{} ({})", s.id, s.name))
                        .collect();
                    LadderError::Invalid(Invalid::UnknownSeason {
                        season: id,
                        known: known.join(", "),
                    })
                })?;
                let rows = self
                    .past_ratings
                    .range((id, 0, String::new())..)
                    .take_while(|((s, _, _), _)| *s == id)
                    .map(|(_, r)| r);
                Ok((s, Arc::new(self.rank_table_past(rows))))
            }
        }
    }

    /// One rating of the season `season_row` (current or past).
    fn season_rating(
        &self,
        season_row: &SeasonRow,
        player: PlayerId,
        race: &str,
    ) -> Option<&RatingRow> {
        if season_row.id == self.season.id {
            self.ratings.get(&(player, race.to_owned()))
        } else {
            self.past_ratings
                .get(&(season_row.id, player, race.to_owned()))
        }
    }

    pub(super) fn profile_view(
        &self,
        now: UnixMillis,
        id: PlayerId,
        season: Option<u32>,
        vs: Option<PlayerId>,
    ) -> Result<ProfileView, LadderError> {
        let p = self.player_ref(id)?;
        let head_to_head = match vs {
            Some(o) => Some(self.head_to_head(id, o, season)?),
            None => None,
        };
        let (season_row, ranks) = self.season_table(now, season)?;
        let mut races = Vec::new();
        let (mut wins, mut losses, mut draws) = (0, 0, 0);
        let mut last_played_at: Option<UnixMillis> = None;
        for race in &self.config.races {
            let Some(r) = self.season_rating(season_row, id, &race.id) else {
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
                rank: ranks.rank(id, &race.id),
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
            season: season_row.name.clone(),
            season_ended: season_row.ended_at.is_some(),
            head_to_head,
            rating_history: self.rating_history(id),
            seasons: self.seasons(),
        })
    }

    /// `me` against `them`: completed matches of `season` (all seasons when
    /// `None`).
    pub(super) fn head_to_head(
        &self,
        me: PlayerId,
        them: PlayerId,
        season: Option<u32>,
    ) -> Result<HeadToHead, LadderError> {
        let opponent = self.player_ref(them)?;
        if me == them {
            return Err(LadderError::Invalid(Invalid::SamePlayer));
        }
        let mut h = HeadToHead {
            opponent_id: them,
            opponent_name: opponent.ingame_name.clone().unwrap_or_default(),
            wins: 0,
            losses: 0,
            draws: 0,
            recent: Vec::new(),
        };
        for mid in self.player_matches.get(&me).into_iter().flatten().rev() {
            let Some(m) = self.matches.get(mid) else {
                continue;
            };
            let me_first = m.player1_id == me;
            let other = if me_first { m.player2_id } else { m.player1_id };
            if other != them
                || m.state != MatchState::Completed
                || season.is_some_and(|s| s != m.season_id)
            {
                continue;
            }
            let outcome = match (m.result, me_first) {
                (Some(MatchResult::Draw), _) => "draw",
                (Some(MatchResult::Player1), true) | (Some(MatchResult::Player2), false) => "win",
                (Some(_), _) => "loss",
                (None, _) => continue,
            };
            match outcome {
                "win" => h.wins += 1,
                "loss" => h.losses += 1,
                _ => h.draws += 1,
            }
            if h.recent.len() < HEAD_TO_HEAD_RECENT {
                h.recent.push((m.id, outcome));
            }
        }
        Ok(h)
    }

    pub(super) fn profile(
        &self,
        now: UnixMillis,
        id: PlayerId,
        season: Option<u32>,
        vs: Option<PlayerId>,
    ) -> Result<Effects, LadderError> {
        let view = self.profile_view(now, id, season, vs)?;
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
        for r in &q.regions {
            if !self
                .config
                .regions
                .iter()
                .any(|x| x.id.eq_ignore_ascii_case(r))
            {
                let ids: Vec<&str> = self.config.regions.iter().map(|r| r.id.as_str()).collect();
                return Err(LadderError::Invalid(Invalid::UnknownRegion {
                    region: r.to_string(),
                    choices: ids.join(", "),
                }));
            }
        }
        let (season, table) = self.season_table(now, q.season)?;
        // `table.order` is every rated, unbanned player-race, best first:
        // a page is a filter over it, with no sort per request.
        let wanted = |e: &&Ranked| {
            let race_ok =
                q.races.is_empty() || q.races.iter().any(|x| x.eq_ignore_ascii_case(&e.race));
            let rank_ok = q.ranks.is_empty() || e.rank.is_some_and(|k| q.ranks.contains(&k));
            if !(race_ok && rank_ok) {
                return false;
            }
            if q.countries.is_empty() && q.regions.is_empty() {
                return true;
            }
            let Some(p) = self.players.get(&e.player_id) else {
                return false;
            };
            let country_ok = q.countries.is_empty()
                || p.country
                    .as_deref()
                    .is_some_and(|c| q.countries.iter().any(|x| x.eq_ignore_ascii_case(c)));
            let region_ok = q.regions.is_empty()
                || p.region
                    .as_deref()
                    .is_some_and(|g| q.regions.iter().any(|x| x.eq_ignore_ascii_case(g)));
            country_ok && region_ok
        };
        let mut seen = HashSet::new();
        let rows: Vec<&Ranked> = table
            .order
            .iter()
            .filter(wanted)
            .filter(|e| !q.best_race_only || seen.insert(e.player_id))
            .collect();
        let size = self.config.leaderboard_page_size;
        let total = rows.len();
        let pages = total.div_ceil(size).max(1);
        let page = q.page.clamp(1, pages);
        let out = rows
            .iter()
            .enumerate()
            .skip((page - 1) * size)
            .take(size)
            .filter_map(|(i, e)| {
                let r = self.season_rating(season, e.player_id, &e.race)?;
                let p = self.players.get(&e.player_id)?;
                Some(LeaderboardRow {
                    position: i + 1,
                    player_id: e.player_id,
                    ingame_name: p.ingame_name.clone().unwrap_or_default(),
                    country: p.country.clone().unwrap_or_default(),
                    race: r.race.clone(),
                    rating: r.rating,
                    rank: e.rank,
                    provisional: r.games < self.config.rating.provisional_games,
                    wins: r.wins,
                    losses: r.losses,
                    draws: r.draws,
                })
            })
            .collect();
        Ok(LeaderboardPage {
            rows: out,
            page,
            pages,
            total,
            season: season.name.clone(),
            season_ended: season.ended_at.is_some(),
            query: LeaderboardQuery {
                page,
                keep: false,
                saved: None,
                ..q.clone()
            },
            saved: None,
        })
    }

    /// Answers a leaderboard query; keeps its filters when asked (see
    /// [`LeaderboardQuery::keep`]) and pages through kept ones.
    pub(super) fn leaderboard(
        &mut self,
        now: UnixMillis,
        q: LeaderboardQuery,
    ) -> Result<Effects, LadderError> {
        self.saved_queries.retain(|_, (_, expires)| *expires > now);
        let (q, saved) = match q.saved {
            Some(id) => {
                let (kept, _) = self
                    .saved_queries
                    .get(&id)
                    .ok_or(LadderError::Invalid(Invalid::ExpiredButtons))?;
                (
                    LeaderboardQuery {
                        page: q.page,
                        ..kept.clone()
                    },
                    Some(id),
                )
            }
            None => (q, None),
        };
        let mut page = self.leaderboard_page(now, &q)?;
        page.saved = match saved {
            Some(id) => Some(id),
            None if q.keep => {
                // Full: the entry that expires first makes room.
                while self.saved_queries.len() >= MAX_SAVED_QUERIES {
                    let oldest = self
                        .saved_queries
                        .iter()
                        .min_by_key(|(id, (_, expires))| (*expires, **id))
                        .map(|(id, _)| *id);
                    match oldest {
                        Some(id) => self.saved_queries.remove(&id),
                        None => break,
                    };
                }
                let id = self.next_saved_query;
                self.next_saved_query += 1;
                Some(id)
            }
            None => None,
        };
        if let Some(id) = page.saved {
            // Each use extends the filters' life: someone is paging.
            self.saved_queries
                .insert(id, (page.query.clone(), now + SAVED_QUERY_TTL_MS));
        }
        let mut fx = Effects::default();
        fx.tell(Audience::Actor, Notice::Leaderboard(Box::new(page)));
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
            // A conflict waits for admins, so it is never packed: no need
            // to decode the history.
            conflicts: self
                .matches
                .live_values()
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
