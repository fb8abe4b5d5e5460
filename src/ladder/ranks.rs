//! Rank tables, and the current season's kept between reads.
//!
//! A rank is a player-race's position among the season's active rated
//! player-races (`rating::rank_at`). Computing it sorts every rating, so
//! `/leaderboard` and `/profile` at 10,000 players cost milliseconds when
//! each one ranked everyone anew (BENCHMARKS.md, "Handling time"). The
//! current season's table is therefore kept in [`Ratings`] and reused while
//! what it was computed from is unchanged:
//! - the ratings: every mutable access to [`Ratings`] drops it (there is no
//!   other way to change a rating: `Ratings` hands out no `&mut` map);
//! - who is banned: [`Ratings::forget_ranks`], called by ban and unban, the
//!   only writers of `banned`;
//! - the season id and `rank_shares` (a reload), compared on each read;
//! - time: a rating is active while `last_played_at >= now -
//!   inactive_after`. The table records the range of cutoffs over which no
//!   rating enters or leaves the active set, and is reused only for a cutoff
//!   in it: a new `now` or a reloaded `inactive_after_days` is only a new
//!   cutoff, and time running backwards is no different.
//!
//! Debug builds (every test) compare each reused table with a fresh one, so
//! a mutation that forgot to drop the table fails loudly in any test.

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use super::rating::{self, Rank};
use super::{Ladder, PlayerId};
use crate::store::rows::{RatingRow, UnixMillis};

/// One ranked season: every player-race with games whose player is not
/// banned, in leaderboard order, and the ranks of the active ones.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct RankTable {
    /// Best first: rating, then player id, then race id.
    pub order: Vec<Ranked>,
    /// The rank of each active entry of `order`, by (player, race).
    pub ranks: HashMap<(PlayerId, String), Rank>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ranked {
    pub player_id: PlayerId,
    pub race: String,
    /// `None`: inactive (no game within `inactive_after_days`).
    pub rank: Option<Rank>,
}

impl RankTable {
    pub fn rank(&self, player: PlayerId, race: &str) -> Option<Rank> {
        // A lookup by borrowed parts would need a custom key type; a few
        // races per player make the clone cheap (leaderboards use `order`).
        self.ranks.get(&(player, race.to_owned())).copied()
    }

    /// Ranks `rows`, each already known to be rated (games > 0) and by a
    /// player who is not banned; `active` says which take part in ranking.
    fn build<'a>(
        shares: &[f64; 7],
        rows: impl Iterator<Item = &'a RatingRow>,
        active: impl Fn(&RatingRow) -> bool,
    ) -> RankTable {
        let mut rows: Vec<&RatingRow> = rows.collect();
        rows.sort_by(|a, b| {
            b.rating
                .total_cmp(&a.rating)
                .then(a.player_id.cmp(&b.player_id))
                .then(a.race.cmp(&b.race))
        });
        let n = rows.iter().filter(|r| active(r)).count();
        let mut position = 0;
        let mut ranks = HashMap::with_capacity(n);
        let order = rows
            .iter()
            .map(|r| {
                let rank = active(r).then(|| {
                    let k = rating::rank_at(shares, position, n);
                    position += 1;
                    ranks.insert((r.player_id, r.race.clone()), k);
                    k
                });
                Ranked {
                    player_id: r.player_id,
                    race: r.race.clone(),
                    rank,
                }
            })
            .collect();
        RankTable { order, ranks }
    }
}

/// The current season's ratings by (player, race id), with the rank table
/// computed from them (see the module docs).
#[derive(Default)]
pub(super) struct Ratings {
    rows: HashMap<(PlayerId, String), RatingRow>,
    kept: Mutex<Option<Kept>>,
}

/// A table and what it was computed from.
#[derive(Clone)]
struct Kept {
    season: u32,
    shares: [f64; 7],
    /// Cutoffs in `lo..=hi` give the same active set.
    lo: UnixMillis,
    hi: UnixMillis,
    table: Arc<RankTable>,
}

impl Clone for Ratings {
    fn clone(&self) -> Ratings {
        Ratings {
            rows: self.rows.clone(),
            kept: Mutex::new(self.kept()),
        }
    }
}

/// Equal ratings are equal whatever is kept: the table is derived state.
impl PartialEq for Ratings {
    fn eq(&self, other: &Ratings) -> bool {
        self.rows == other.rows
    }
}

impl Deref for Ratings {
    type Target = HashMap<(PlayerId, String), RatingRow>;
    fn deref(&self) -> &Self::Target {
        &self.rows
    }
}

impl Ratings {
    pub fn insert(&mut self, key: (PlayerId, String), row: RatingRow) -> Option<RatingRow> {
        self.forget_ranks();
        self.rows.insert(key, row)
    }

    pub fn get_mut(&mut self, key: &(PlayerId, String)) -> Option<&mut RatingRow> {
        self.forget_ranks();
        self.rows.get_mut(key)
    }

    /// Every row, leaving none (a season moving to the past).
    pub fn take_rows(&mut self) -> HashMap<(PlayerId, String), RatingRow> {
        self.forget_ranks();
        std::mem::take(&mut self.rows)
    }

    /// Drops the kept table: something it was computed from changed.
    pub fn forget_ranks(&self) {
        *self.kept.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    fn kept(&self) -> Option<Kept> {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Ladder {
    /// Ranks of the current season `now`: kept from an earlier read when
    /// nothing it depends on changed (see the module docs).
    pub(super) fn rank_table(&self, now: UnixMillis) -> Arc<RankTable> {
        let cutoff = now - self.config.rating.inactive_after_ms;
        let shares = self.config.rating.rank_shares;
        if let Some(k) = self.ratings.kept()
            && k.season == self.season.id
            && k.shares == shares
            && (k.lo..=k.hi).contains(&cutoff)
        {
            debug_assert_eq!(
                *k.table,
                self.rank_table_fresh(now),
                "a kept rank table differs from a fresh one: a mutation did not call forget_ranks"
            );
            return k.table;
        }
        let table = Arc::new(self.rank_table_fresh(now));
        // The cutoffs that keep every candidate on its side of the line.
        let (mut lo, mut hi) = (UnixMillis::MIN, UnixMillis::MAX);
        for t in self
            .ratings
            .values()
            .filter(|r| self.listed(r))
            .filter_map(|r| r.last_played_at)
        {
            if t >= cutoff {
                hi = hi.min(t);
            } else {
                lo = lo.max(t + 1);
            }
        }
        *self
            .ratings
            .kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Kept {
            season: self.season.id,
            shares,
            lo,
            hi,
            table: table.clone(),
        });
        table
    }

    /// The current season's ranks computed from scratch.
    pub(super) fn rank_table_fresh(&self, now: UnixMillis) -> RankTable {
        let cutoff = now - self.config.rating.inactive_after_ms;
        RankTable::build(
            &self.config.rating.rank_shares,
            self.ratings.values().filter(|r| self.listed(r)),
            |r| r.last_played_at.is_some_and(|t| t >= cutoff),
        )
    }

    /// A past season's ranks: everyone who played in it, as it ended.
    pub(super) fn rank_table_past<'a>(
        &self,
        rows: impl Iterator<Item = &'a RatingRow>,
    ) -> RankTable {
        RankTable::build(
            &self.config.rating.rank_shares,
            rows.filter(|r| self.listed(r)),
            |_| true,
        )
    }

    /// A rating with games, of a player who exists and is not banned: what
    /// a leaderboard shows and ranks are taken among.
    fn listed(&self, r: &RatingRow) -> bool {
        r.games > 0 && self.players.get(&r.player_id).is_some_and(|p| !p.banned)
    }
}
