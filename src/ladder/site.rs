//! Reads for the web site and the charts (`crate::web`), and how the site's
//! copy of the ladder follows the committed rows ([`Ladder::apply_committed`]).
//!
//! The site never asks the ladder loop: it keeps its own `Ladder`, rebuilt
//! from the same rows at start-up and then fed the rows of each commit by the
//! loop's acker, so a page never waits for a command or a write and never
//! shows anything not yet committed. Only the read side of the state is kept
//! up to date here (players, seasons, ratings, matches, verified replays); the
//! queue, outbox and timers of the copy are never used.

use std::collections::BTreeMap;

use super::{Ladder, MatchId, PlayerId};
use crate::store::rows::{
    MatchResult, MatchRow, MatchState, ReplayVerdict, SeasonRow, UnixMillis, Write,
};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;
/// Activity: the days of games per day counted back from now.
pub const ACTIVITY_DAYS: usize = 60;

/// One point of a player's rating history: the rating after a completed,
/// rated match.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingPoint {
    pub at: UnixMillis,
    pub season_id: u32,
    pub race: String,
    pub rating: f64,
}

/// A season, for the seasons list and the charts' boundaries.
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonSummary {
    pub id: u32,
    pub name: String,
    pub started_at: UnixMillis,
    pub ended_at: Option<UnixMillis>,
    /// Player-races with at least one rated game in the season.
    pub rated: usize,
}

/// A match as the site shows it: public fields only (no reports, no admin,
/// no thread or confirm times).
#[derive(Debug, Clone, PartialEq)]
pub struct MatchSummary {
    pub id: MatchId,
    pub season_id: u32,
    pub players: [PlayerId; 2],
    pub names: [String; 2],
    pub races: [String; 2],
    pub ratings_before: [f64; 2],
    pub rating_changes: [Option<f64>; 2],
    pub map: String,
    pub state: MatchState,
    pub result: Option<MatchResult>,
    pub created_at: UnixMillis,
    pub finished_at: Option<UnixMillis>,
    /// The verified replay's file hash, when there is one.
    pub replay_sha256: Option<String>,
}

/// When the ladder is busy.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    /// Matches found by hour of the week (UTC, Monday 00:00 first): each
    /// match is two queue joins that met.
    pub by_hour_of_week: [u32; 168],
    /// Completed matches per UTC day, oldest first, the last
    /// [`ACTIVITY_DAYS`] days up to today.
    pub per_day: Vec<(UnixMillis, u32)>,
}

impl Ladder {
    /// Applies committed rows to this copy (see the module doc). Rows are
    /// upserts, so applying one twice changes nothing.
    pub fn apply_committed(&mut self, writes: &[Write]) {
        for w in writes {
            match w {
                Write::Player(p) => {
                    self.players.insert(p.discord_id, p.clone());
                }
                Write::Season(s) => self.apply_season(s),
                Write::Rating(r) => {
                    if r.season_id == self.season.id {
                        self.ratings
                            .insert((r.player_id, r.race.clone()), r.clone());
                    } else {
                        self.past_ratings
                            .insert((r.season_id, r.player_id, r.race.clone()), r.clone());
                    }
                }
                Write::Match(m) => {
                    if !self.matches.contains_key(&m.id) {
                        for p in [m.player1_id, m.player2_id] {
                            self.player_matches.entry(p).or_default().push(m.id);
                        }
                        self.next_match_id = self.next_match_id.max(m.id + 1);
                    }
                    self.matches.insert(m.id, m.clone());
                }
                Write::Replay(r) => {
                    // The live ladder stores a row verified only if its
                    // hash reads as a sha256.
                    if r.verdict == ReplayVerdict::Verified
                        && let (Some(id), Ok(sha)) = (r.match_id, r.sha256.parse())
                    {
                        self.replay_files.insert(id, sha);
                    }
                }
                _ => {}
            }
        }
    }

    fn apply_season(&mut self, s: &SeasonRow) {
        if s.id == self.season.id {
            self.season = s.clone();
        } else if s.ended_at.is_none() && s.id > self.season.id {
            // A new season opened: the current one and its ratings move to
            // the past, as `from_rows` would file them.
            let old = std::mem::replace(&mut self.season, s.clone());
            for ((p, race), r) in self.ratings.take_rows() {
                self.past_ratings.insert((old.id, p, race), r);
            }
            self.past_seasons.insert(old.id, old);
        } else {
            self.past_seasons.insert(s.id, s.clone());
        }
    }

    /// Whether rows of this kind can change what the site shows.
    pub fn shown_on_site(w: &Write) -> bool {
        matches!(
            w,
            Write::Player(_) | Write::Season(_) | Write::Rating(_) | Write::Match(_)
        ) || matches!(w, Write::Replay(r) if r.verdict == ReplayVerdict::Verified)
    }

    /// Every player, by (created at, id): the order the site numbers them in.
    pub fn players_by_creation(&self) -> Vec<(UnixMillis, PlayerId)> {
        let mut v: Vec<(UnixMillis, PlayerId)> = self
            .players
            .values()
            .map(|p| (p.created_at, p.discord_id))
            .collect();
        v.sort_unstable();
        v
    }

    /// A player the site may show: set up and not banned.
    pub fn shown_player(&self, id: PlayerId) -> Option<&str> {
        self.players
            .get(&id)
            .filter(|p| !p.banned)
            .and_then(|p| p.ingame_name.as_deref())
    }

    /// The profile of the current season (`season: None`) or a past one,
    /// with the head-to-head against `vs`; `None` for an unknown player.
    pub fn site_profile(
        &self,
        now: UnixMillis,
        id: PlayerId,
        season: Option<u32>,
        vs: Option<PlayerId>,
    ) -> Result<super::ProfileView, super::LadderError> {
        self.profile_view(now, id, season, vs)
    }

    /// `me` against `them` (completed matches of `season`, or all).
    pub fn site_head_to_head(
        &self,
        me: PlayerId,
        them: PlayerId,
        season: Option<u32>,
    ) -> Result<super::HeadToHead, super::LadderError> {
        self.head_to_head(me, them, season)
    }

    /// The ratings after each of `id`'s completed, rated matches, oldest
    /// first, every season.
    pub fn rating_history(&self, id: PlayerId) -> Vec<RatingPoint> {
        let mut out = Vec::new();
        for mid in self.player_matches.get(&id).into_iter().flatten() {
            let Some(m) = self.matches.get(mid) else {
                continue;
            };
            if m.state != MatchState::Completed {
                continue;
            }
            let (race, before, change) = if m.player1_id == id {
                (&m.race1, &m.before1, m.rating1_change)
            } else {
                (&m.race2, &m.before2, m.rating2_change)
            };
            let Some(change) = change else { continue };
            out.push(RatingPoint {
                at: m.finished_at.unwrap_or(m.created_at),
                season_id: m.season_id,
                race: race.clone(),
                rating: before.rating + change,
            });
        }
        out.sort_by_key(|p| p.at);
        out
    }

    /// Every season, newest first.
    pub fn seasons(&self) -> Vec<SeasonSummary> {
        let mut rated: BTreeMap<u32, usize> = BTreeMap::new();
        for ((s, _, _), r) in &self.past_ratings {
            if r.games > 0 {
                *rated.entry(*s).or_default() += 1;
            }
        }
        let current = self.ratings.values().filter(|r| r.games > 0).count();
        let mut out: Vec<SeasonSummary> = self
            .past_seasons
            .values()
            .map(|s| SeasonSummary {
                id: s.id,
                name: s.name.clone(),
                started_at: s.started_at,
                ended_at: s.ended_at,
                rated: rated.get(&s.id).copied().unwrap_or(0),
            })
            .collect();
        out.push(SeasonSummary {
            id: self.season.id,
            name: self.season.name.clone(),
            started_at: self.season.started_at,
            ended_at: self.season.ended_at,
            rated: current,
        });
        out.sort_by_key(|s| std::cmp::Reverse(s.id));
        out
    }

    /// The current season's id.
    pub fn current_season(&self) -> u32 {
        self.season.id
    }

    /// Match `id`, without what is private.
    pub fn match_summary(&self, id: MatchId) -> Option<MatchSummary> {
        self.matches.get(&id).map(|m| self.summarise(&m))
    }

    fn summarise(&self, m: &MatchRow) -> MatchSummary {
        let name = |p: PlayerId| {
            self.players
                .get(&p)
                .and_then(|r| r.ingame_name.clone())
                .unwrap_or_default()
        };
        MatchSummary {
            id: m.id,
            season_id: m.season_id,
            players: [m.player1_id, m.player2_id],
            names: [name(m.player1_id), name(m.player2_id)],
            races: [m.race1.clone(), m.race2.clone()],
            ratings_before: [m.before1.rating, m.before2.rating],
            rating_changes: [m.rating1_change, m.rating2_change],
            map: m.map.clone(),
            state: m.state,
            result: m.result,
            created_at: m.created_at,
            finished_at: m.finished_at,
            replay_sha256: self.replay_files.get(&m.id).map(ToString::to_string),
        }
    }

    /// `id`'s latest `n` matches, newest first.
    pub fn recent_matches(&self, id: PlayerId, n: usize) -> Vec<MatchSummary> {
        self.player_matches
            .get(&id)
            .into_iter()
            .flatten()
            .rev()
            .filter_map(|mid| self.matches.get(mid))
            .take(n)
            .map(|m| self.summarise(&m))
            .collect()
    }

    /// The opponents `id` has completed matches against, most played first
    /// (at most `n`), for the head-to-head section.
    pub fn frequent_opponents(&self, id: PlayerId, n: usize) -> Vec<(PlayerId, u32)> {
        let mut count: BTreeMap<PlayerId, u32> = BTreeMap::new();
        for mid in self.player_matches.get(&id).into_iter().flatten() {
            if let Some(m) = self.matches.get(mid)
                && m.state == MatchState::Completed
            {
                let other = if m.player1_id == id {
                    m.player2_id
                } else {
                    m.player1_id
                };
                *count.entry(other).or_default() += 1;
            }
        }
        let mut v: Vec<(PlayerId, u32)> = count.into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }

    /// Matches found by hour of the week and completed per day (see
    /// [`Activity`]), as of `now`.
    pub fn activity(&self, now: UnixMillis) -> Activity {
        let mut by_hour_of_week = [0u32; 168];
        let today = now.div_euclid(DAY_MS);
        let first = today - (ACTIVITY_DAYS as i64 - 1);
        let mut per_day = vec![0u32; ACTIVITY_DAYS];
        for m in self.matches.values() {
            // 1970-01-01 was a Thursday: shift so Monday 00:00 is hour 0.
            let hour = (m.created_at.div_euclid(HOUR_MS) + 72).rem_euclid(168);
            by_hour_of_week[hour as usize] += 1;
            if m.state == MatchState::Completed {
                let day = m.finished_at.unwrap_or(m.created_at).div_euclid(DAY_MS);
                if (first..=today).contains(&day) {
                    per_day[(day - first) as usize] += 1;
                }
            }
        }
        Activity {
            by_hour_of_week,
            per_day: per_day
                .into_iter()
                .enumerate()
                .map(|(i, n)| ((first + i as i64) * DAY_MS, n))
                .collect(),
        }
    }
}
