//! Recognition: each player's rank as the server shows it (a Discord role
//! per letter, when configured). After every command or tick that changed a
//! rating (a settlement, an admin's adjustment, a season's end) the ladder
//! compares each player's best rank with the one last told and says only
//! what differs, as [`Notice::RankChanged`]; the Discord layer turns that
//! into role changes paced like any other request.
//!
//! What was last told is not stored: a start takes the ranks the stored
//! ratings give as told (a restart changes nothing), so roles follow
//! changes from then on.

use std::collections::BTreeMap;

use super::{Audience, Effects, Ladder, Notice, PlayerId, Rank};
use crate::store::rows::{UnixMillis, Write};

impl Ladder {
    /// Each player's best rank (over their races) this season, now.
    pub(super) fn best_ranks(&self, now: UnixMillis) -> BTreeMap<PlayerId, Rank> {
        let mut best: BTreeMap<PlayerId, Rank> = BTreeMap::new();
        for (&(player, _), &rank) in &self.rank_table(now).ranks {
            // `Rank` orders S first: the smaller is the better.
            best.entry(player)
                .and_modify(|r| *r = (*r).min(rank))
                .or_insert(rank);
        }
        best
    }

    /// Tells every rank that changed, if `fx` changed a rating. Usually
    /// only the players the kept rank table says may have changed are
    /// compared; after a rebuild of the table, everyone.
    pub(super) fn sync_ranks(&mut self, now: UnixMillis, fx: &mut Effects) {
        let rated = fx
            .writes
            .iter()
            .any(|w| matches!(w, Write::Rating(_) | Write::Season(_)));
        if !rated {
            return;
        }
        let table = self.rank_table(now);
        let players: Vec<PlayerId> = match self.ratings.take_rank_changes() {
            Some(changed) => changed.into_iter().collect(),
            None => {
                let mut all: Vec<PlayerId> = table
                    .ranks
                    .keys()
                    .map(|&(p, _)| p)
                    .chain(self.shown_ranks.keys().copied())
                    .collect();
                all.sort_unstable();
                all.dedup();
                all
            }
        };
        for player in players {
            let (from, to) = (self.shown_ranks.get(&player).copied(), table.best(player));
            if from != to {
                fx.tell(Audience::AdminLog, Notice::RankChanged { player, from, to });
                match to {
                    Some(rank) => self.shown_ranks.insert(player, rank),
                    None => self.shown_ranks.remove(&player),
                };
            }
        }
        debug_assert_eq!(
            self.shown_ranks,
            self.best_ranks(now),
            "the ranks told differ from the table's"
        );
    }
}
