//! Rank tables, and the current season's kept between reads.
//!
//! A rank is a player-race's position among the season's active rated
//! player-races (`rating::rank_at`). Computing it sorts every rating, so
//! `/leaderboard` and `/profile` at 10,000 players cost milliseconds when
//! each one ranked everyone anew (BENCHMARKS.md, "Handling time"), and a
//! settlement, which must tell whose rank changed (`recognition`), cost a
//! whole rebuild: 100 ms at 1,000 players and 0.5 s at 10,000 under play
//! ("bench steady"). The current season's table is therefore kept in
//! [`Ratings`] and brought up to date rather than rebuilt:
//! - the ratings: every mutable access to [`Ratings`] notes the key and
//!   where its row stood in the table (there is no other way to change a
//!   rating: `Ratings` hands out no `&mut` map). The next read moves just
//!   those entries in the kept order and re-ranks in one pass without
//!   sorting or allocating, and records whose rank changed for
//!   [`Ratings::take_rank_changes`]. More than [`MAX_PENDING`] notes, or a
//!   note the table cannot place, and it is rebuilt instead;
//! - who is banned: [`Ratings::forget_ranks`], called by ban and unban, the
//!   only writers of `banned`;
//! - the season id and `rank_shares` (a reload), compared on each read;
//! - time: a rating is active while `last_played_at >= now -
//!   inactive_after`. The table records the range of cutoffs over which no
//!   rating enters or leaves the active set; a cutoff outside it (a new
//!   `now`, a reloaded `inactive_after_days`, time running backwards) flips
//!   the entries it passed in one pass before re-ranking.
//!
//! Debug builds (every test) compare each reused table with a fresh one, so
//! a mutation that forgot to note its change, or an update that placed it
//! wrong, fails loudly in any test.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::{Bound, Deref};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, PoisonError};

use super::rating::{self, Rank};
use super::{Ladder, PlayerId};
use crate::store::rows::{RatingRow, UnixMillis};

/// A rating's key: the player and the race id.
type Key = (PlayerId, String);

/// How many changed ratings a kept table takes in place before the next
/// read; past it a rebuild is cheaper than moving each (and bounds memory).
pub(super) const MAX_PENDING: usize = 64;

/// One ranked season: every player-race with games whose player is not
/// banned, in leaderboard order, and the ranks of the active ones.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct RankTable {
    /// Best first: rating, then player id, then race id.
    pub order: Vec<Ranked>,
    /// The rank of each active entry of `order`, by (player, race): ordered,
    /// so one player's races are a range.
    pub ranks: BTreeMap<Key, Rank>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ranked {
    pub player_id: PlayerId,
    pub race: String,
    /// The rating the entry is ordered by.
    pub rating: f64,
    /// Whether it is active depends on it.
    pub last_played_at: Option<UnixMillis>,
    /// `None`: inactive (no game within `inactive_after_days`).
    pub rank: Option<Rank>,
}

impl Ranked {
    /// Leaderboard order: rating (best first), then player id, then race id.
    fn cmp_to(&self, rating: f64, player: PlayerId, race: &str) -> Ordering {
        rating
            .total_cmp(&self.rating)
            .then(self.player_id.cmp(&player))
            .then(self.race.as_str().cmp(race))
    }
}

impl RankTable {
    pub fn rank(&self, player: PlayerId, race: &str) -> Option<Rank> {
        // A lookup by borrowed parts would need a custom key type; a few
        // races per player make the clone cheap (leaderboards use `order`).
        self.ranks.get(&(player, race.to_owned())).copied()
    }

    /// A player's best rank over their races (`Rank` orders S first).
    pub fn best(&self, player: PlayerId) -> Option<Rank> {
        let end = match player.checked_add(1) {
            Some(next) => Bound::Excluded((next, String::new())),
            None => Bound::Unbounded,
        };
        self.ranks
            .range((Bound::Included((player, String::new())), end))
            .map(|(_, &rank)| rank)
            .min()
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
        let bounds = rating::boundaries(shares, n);
        let mut position = 0;
        let mut ranks = BTreeMap::new();
        let order = rows
            .iter()
            .map(|r| {
                let rank = active(r).then(|| {
                    let k = rating::rank_below(&bounds, position);
                    position += 1;
                    ranks.insert((r.player_id, r.race.clone()), k);
                    k
                });
                Ranked {
                    player_id: r.player_id,
                    race: r.race.clone(),
                    rating: r.rating,
                    last_played_at: r.last_played_at,
                    rank,
                }
            })
            .collect();
        RankTable { order, ranks }
    }

    /// Ranks every active entry of `order` anew from its position, keeping
    /// `ranks` equal; returns the players whose rank changed. One pass, no
    /// sort; a key is cloned only for a rank that changed.
    fn rerank(&mut self, shares: &[f64; 7], mut changed: impl FnMut(PlayerId)) {
        let n = self.order.iter().filter(|e| e.rank.is_some()).count();
        let bounds = rating::boundaries(shares, n);
        let mut position = 0;
        for e in &mut self.order {
            let Some(old) = e.rank else { continue };
            let rank = rating::rank_below(&bounds, position);
            position += 1;
            if rank != old {
                e.rank = Some(rank);
                self.ranks.insert((e.player_id, e.race.clone()), rank);
                changed(e.player_id);
            }
        }
    }
}

/// The current season's ratings by (player, race id), with the rank table
/// computed from them (see the module docs).
#[derive(Default)]
pub(super) struct Ratings {
    rows: HashMap<Key, RatingRow>,
    kept: Mutex<Option<Kept>>,
    /// Tables computed from scratch, for tests and benchmarks to tell an
    /// update in place from a rebuild.
    rebuilds: AtomicU64,
}

/// A table, what it was computed from, and what changed since.
#[derive(Clone)]
struct Kept {
    season: u32,
    shares: [f64; 7],
    /// Cutoffs in `lo..=hi` give the same active set.
    lo: UnixMillis,
    hi: UnixMillis,
    table: Arc<RankTable>,
    /// Ratings changed since the table was brought up to date, each with
    /// the rating its entry is ordered by in `table` (`None`: no entry, as
    /// the row had no games or did not exist). One note per key.
    pending: Vec<(Key, Option<f64>)>,
    /// Players whose rank may have changed since the last
    /// [`Ratings::take_rank_changes`]; `None` until then after a rebuild.
    changed: Option<BTreeSet<PlayerId>>,
}

impl Clone for Ratings {
    fn clone(&self) -> Ratings {
        Ratings {
            rows: self.rows.clone(),
            kept: Mutex::new(self.kept()),
            rebuilds: AtomicU64::new(self.rebuilds()),
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
    type Target = HashMap<Key, RatingRow>;
    fn deref(&self) -> &Self::Target {
        &self.rows
    }
}

impl Ratings {
    pub fn insert(&mut self, key: Key, row: RatingRow) -> Option<RatingRow> {
        self.note_change(&key);
        self.rows.insert(key, row)
    }

    pub fn get_mut(&mut self, key: &Key) -> Option<&mut RatingRow> {
        self.note_change(key);
        self.rows.get_mut(key)
    }

    /// Every row, leaving none (a season moving to the past).
    pub fn take_rows(&mut self) -> HashMap<Key, RatingRow> {
        self.forget_ranks();
        std::mem::take(&mut self.rows)
    }

    /// Drops the kept table: something it was computed from changed.
    pub fn forget_ranks(&self) {
        *self.lock() = None;
    }

    /// The players whose rank may have changed since the last call, or
    /// `None` when that is not known (no table kept since, or it was
    /// rebuilt): then any may have.
    pub(super) fn take_rank_changes(&self) -> Option<BTreeSet<PlayerId>> {
        self.lock()
            .as_mut()
            .and_then(|k| k.changed.replace(BTreeSet::new()))
    }

    /// Notes that `key`'s row is about to change, before it does.
    fn note_change(&self, key: &Key) {
        let mut kept = self.lock();
        let Some(k) = kept.as_mut() else { return };
        if k.pending.iter().any(|(p, _)| p == key) {
            return;
        }
        if k.pending.len() >= MAX_PENDING {
            *kept = None;
            return;
        }
        let placed = self.rows.get(key).filter(|r| r.games > 0).map(|r| r.rating);
        k.pending.push((key.clone(), placed));
    }

    /// How many times a table was computed from scratch.
    pub(super) fn rebuilds(&self) -> u64 {
        self.rebuilds.load(AtomicOrdering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Kept>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn kept(&self) -> Option<Kept> {
        self.lock().clone()
    }
}

impl Ladder {
    /// Ranks of the current season `now`: kept from an earlier read and
    /// brought up to date when nothing but ratings changed (see the module
    /// docs).
    pub(super) fn rank_table(&self, now: UnixMillis) -> Arc<RankTable> {
        let cutoff = now - self.config.rating.inactive_after_ms;
        let shares = self.config.rating.rank_shares;
        let kept = self.ratings.lock().take();
        if let Some(mut k) = kept
            && k.season == self.season.id
            && k.shares == shares
            && self.bring_up_to_date(&mut k, cutoff)
        {
            debug_assert_eq!(
                *k.table,
                self.rank_table_fresh(now),
                "a kept rank table differs from a fresh one: a mutation did not note its change, \
                 or the update placed it wrong"
            );
            let table = k.table.clone();
            *self.ratings.lock() = Some(k);
            return table;
        }
        let table = Arc::new(self.rank_table_fresh(now));
        self.ratings.rebuilds.fetch_add(1, AtomicOrdering::Relaxed);
        // The cutoffs that keep every candidate on its side of the line.
        let (mut lo, mut hi) = (UnixMillis::MIN, UnixMillis::MAX);
        for t in self
            .ratings
            .values()
            .filter(|r| self.listed(r))
            .filter_map(|r| r.last_played_at)
        {
            narrow(&mut lo, &mut hi, t, cutoff);
        }
        *self.ratings.lock() = Some(Kept {
            season: self.season.id,
            shares,
            lo,
            hi,
            table: table.clone(),
            pending: Vec::new(),
            // Whose rank changed is not known across a rebuild.
            changed: None,
        });
        table
    }

    /// Moves each pending rating to where it now belongs in `k`'s table and
    /// re-ranks. False when a note does not match the table (then it must
    /// be rebuilt; debug builds fail instead, as that is a bug).
    fn bring_up_to_date(&self, k: &mut Kept, cutoff: UnixMillis) -> bool {
        let retime = !(k.lo..=k.hi).contains(&cutoff);
        if k.pending.is_empty() && !retime {
            return true;
        }
        // Unshared but for a read that still holds it; cloned then, once.
        let table = Arc::make_mut(&mut k.table);
        if retime {
            // Time moved the line past some entries: flip those, in one
            // pass, and find the range of cutoffs that keeps the new set.
            (k.lo, k.hi) = (UnixMillis::MIN, UnixMillis::MAX);
            for e in &mut table.order {
                let Some(t) = e.last_played_at else { continue };
                narrow(&mut k.lo, &mut k.hi, t, cutoff);
                let active = t >= cutoff;
                if active == e.rank.is_some() {
                    continue;
                }
                // A placeholder rank, as for a moved entry below.
                e.rank = active.then_some(Rank::F);
                if active {
                    table.ranks.insert((e.player_id, e.race.clone()), Rank::F);
                } else {
                    table.ranks.remove(&(e.player_id, e.race.clone()));
                }
                if let Some(changed) = &mut k.changed {
                    changed.insert(e.player_id);
                }
            }
        }
        for ((player, race), placed) in k.pending.drain(..) {
            let listed_player = self.players.get(&player).is_some_and(|p| !p.banned);
            if let (Some(rating), true) = (placed, listed_player) {
                let Ok(i) = table
                    .order
                    .binary_search_by(|e| e.cmp_to(rating, player, &race))
                else {
                    debug_assert!(
                        false,
                        "a pending rating of {player}/{race} is not in the table"
                    );
                    return false;
                };
                if table.order.remove(i).rank.is_some() {
                    table.ranks.remove(&(player, race.clone()));
                }
            }
            if let Some(changed) = &mut k.changed {
                changed.insert(player);
            }
            let Some(row) = self.ratings.get(&(player, race.clone())) else {
                continue;
            };
            if !self.listed(row) {
                continue;
            }
            let active = row.last_played_at.is_some_and(|t| t >= cutoff);
            if let Some(t) = row.last_played_at {
                narrow(&mut k.lo, &mut k.hi, t, cutoff);
            }
            let at = table
                .order
                .partition_point(|e| e.cmp_to(row.rating, player, &race) == Ordering::Less);
            // A placeholder rank: `rerank` sets the real one, and the map
            // must hold the entry for `rerank` to keep it equal.
            let rank = active.then_some(Rank::F);
            if active {
                table.ranks.insert((player, race.clone()), Rank::F);
            }
            table.order.insert(
                at,
                Ranked {
                    player_id: player,
                    race,
                    rating: row.rating,
                    last_played_at: row.last_played_at,
                    rank,
                },
            );
        }
        table.rerank(&k.shares, |player| {
            if let Some(changed) = &mut k.changed {
                changed.insert(player);
            }
        });
        true
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

/// Narrows `lo..=hi` so that the cutoffs in it leave `t` on the side of the
/// line `cutoff` puts it on.
fn narrow(lo: &mut UnixMillis, hi: &mut UnixMillis, t: UnixMillis, cutoff: UnixMillis) {
    if t >= cutoff {
        *hi = (*hi).min(t);
    } else {
        *lo = (*lo).max(t + 1);
    }
}
