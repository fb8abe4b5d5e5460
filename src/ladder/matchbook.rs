//! Every match the ladder remembers, finished ones packed.
//!
//! A `MatchRow` in memory is ~520 B (384 B of struct, four small heap
//! strings and B-tree slack), 52 MB at 100,000 matches, nearly all of them
//! finished and read only by `/history`, `/profile` (head-to-head, games
//! per period), `/admin match` and an admin's re-resolution
//! (BENCHMARKS.md, "Memory"). So a match that reaches a final state
//! (completed, aborted, abandoned, invalidated) is packed: its bincode
//! encoding appended to one arena (about 200 B, no allocation of its own),
//! found through a sorted index, decoded on each read (well under a
//! microsecond). Matches still in play (found, in progress, a conflict
//! waiting for admins) stay whole. Writing a packed match (an admin's
//! resolve, a thread cleared) unpacks it; [`Matches::pack_finished`], run
//! after each command and tick, packs what finished. The packing is
//! lossless, so reads see exactly the row the store holds.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::MatchId;
use crate::store::rows::{MatchRow, MatchState};

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Whether a match in `state` is done for good (admins may still change
/// it, which unpacks it).
fn is_final(state: MatchState) -> bool {
    matches!(
        state,
        MatchState::Completed
            | MatchState::Aborted
            | MatchState::Abandoned
            | MatchState::Invalidated
    )
}

#[derive(Clone, Default)]
pub(super) struct Matches {
    /// Matches in play, and any written since the last `pack_finished`.
    live: BTreeMap<MatchId, MatchRow>,
    /// Packed matches: (id, offset into `arena`), ascending by id.
    index: Vec<(MatchId, u32)>,
    arena: Vec<u8>,
    /// Arena bytes of matches unpacked since (reclaimed by `compact`).
    garbage: usize,
    /// Live matches written since the last `pack_finished`.
    touched: Vec<MatchId>,
}

impl Matches {
    /// All of `rows`, each packed if final.
    #[cfg(test)]
    pub fn from_rows(rows: Vec<MatchRow>) -> Matches {
        let mut loader = MatchLoader::with_capacity(rows.len());
        for row in rows {
            loader.add(row);
        }
        loader.finish().0
    }

    pub fn get(&self, id: &MatchId) -> Option<Cow<'_, MatchRow>> {
        if let Some(m) = self.live.get(id) {
            return Some(Cow::Borrowed(m));
        }
        let at = self.index.binary_search_by_key(id, |(k, _)| *k).ok()?;
        Some(Cow::Owned(self.unpack_at(self.index[at].1)))
    }

    pub fn contains_key(&self, id: &MatchId) -> bool {
        self.live.contains_key(id) || self.index.binary_search_by_key(id, |(k, _)| *k).is_ok()
    }

    /// The match to change, unpacked if it was packed.
    pub fn get_mut(&mut self, id: &MatchId) -> Option<&mut MatchRow> {
        if !self.live.contains_key(id) {
            let at = self.index.binary_search_by_key(id, |(k, _)| *k).ok()?;
            let (_, offset) = self.index.remove(at);
            let row = self.unpack_at(offset);
            self.garbage += self.packed_len(offset);
            self.live.insert(*id, row);
            self.compact_if_wasteful();
        }
        self.touched.push(*id);
        self.live.get_mut(id)
    }

    pub fn insert(&mut self, id: MatchId, row: MatchRow) {
        if let Ok(at) = self.index.binary_search_by_key(&id, |(k, _)| *k) {
            let (_, offset) = self.index.remove(at);
            self.garbage += self.packed_len(offset);
        }
        self.touched.push(id);
        self.live.insert(id, row);
    }

    /// The highest id of any match.
    pub fn last_id(&self) -> Option<MatchId> {
        let live = self.live.keys().next_back().copied();
        let packed = self.index.last().map(|(k, _)| *k);
        live.max(packed)
    }

    /// Matches not packed: every match in play (and conflicts), without
    /// decoding the history.
    pub fn live_values(&self) -> impl Iterator<Item = &MatchRow> {
        self.live.values()
    }

    /// Every match, by id (decodes the packed ones: start-up work only).
    pub fn values(&self) -> impl Iterator<Item = Cow<'_, MatchRow>> {
        let mut live = self.live.values().peekable();
        let mut packed = self.index.iter().peekable();
        std::iter::from_fn(move || match (live.peek(), packed.peek()) {
            (Some(l), Some((p, _))) if l.id < *p => live.next().map(Cow::Borrowed),
            (Some(_), Some(_)) | (None, Some(_)) => packed
                .next()
                .map(|(_, offset)| Cow::Owned(self.unpack_at(*offset))),
            (Some(_), None) => live.next().map(Cow::Borrowed),
            (None, None) => None,
        })
    }

    /// Packs every match written since the last call that is now final.
    pub fn pack_finished(&mut self) {
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort_unstable();
        touched.dedup();
        for id in touched {
            if self.live.get(&id).is_some_and(|m| is_final(m.state))
                && let Some(row) = self.live.remove(&id)
            {
                self.pack(row);
            }
        }
    }

    fn pack(&mut self, row: MatchRow) {
        let Ok(offset) = u32::try_from(self.arena.len()) else {
            // Past 4 GiB of history: keep it whole rather than lose it.
            self.live.insert(row.id, row);
            return;
        };
        if bincode::encode_into_std_write(&row, &mut self.arena, config()).is_err() {
            self.arena.truncate(offset as usize);
            self.live.insert(row.id, row);
            return;
        }
        let id = row.id;
        match self.index.last() {
            Some((last, _)) if *last > id => {
                let at = self.index.partition_point(|(k, _)| *k < id);
                self.index.insert(at, (id, offset));
            }
            _ => self.index.push((id, offset)),
        }
    }

    fn unpack_at(&self, offset: u32) -> MatchRow {
        bincode::decode_from_slice(&self.arena[offset as usize..], config())
            .map(|(row, _)| row)
            .expect("the arena holds only what `pack` encoded")
    }

    fn packed_len(&self, offset: u32) -> usize {
        bincode::decode_from_slice::<MatchRow, _>(&self.arena[offset as usize..], config())
            .map_or(0, |(_, len)| len)
    }

    /// Rewrites the arena without the garbage once it is a quarter of it.
    fn compact_if_wasteful(&mut self) {
        if self.garbage < 64 * 1024 || self.garbage * 4 < self.arena.len() {
            return;
        }
        let old = std::mem::take(&mut self.arena);
        let mut arena = Vec::with_capacity(old.len() - self.garbage);
        for (_, offset) in &mut self.index {
            let start = *offset as usize;
            let len = bincode::decode_from_slice::<MatchRow, _>(&old[start..], config())
                .map_or(0, |(_, len)| len);
            *offset = arena.len() as u32;
            arena.extend_from_slice(&old[start..start + len]);
        }
        self.arena = arena;
        self.garbage = 0;
    }
}

/// Matches as the store reads them, packed one at a time (start-up): what
/// `Ladder::from_loaded` takes. Reading 100,000 rows into a `Vec` first
/// left ~23 MB of their freed strings resident (BENCHMARKS.md, "Memory").
#[derive(Default)]
pub struct MatchLoader {
    book: Matches,
    seen: Vec<Seen>,
}

/// What start-up needs of every match besides the match itself.
#[derive(Debug, Clone, Copy)]
pub(super) struct Seen {
    pub created_at: crate::store::rows::UnixMillis,
    pub id: MatchId,
    pub player1_id: crate::ladder::PlayerId,
    pub player2_id: crate::ladder::PlayerId,
    pub state: MatchState,
}

/// A packed match's size, to reserve the arena up front (a doubling arena
/// leaves its outgrown copies resident); measured 200–250 B (BENCHMARKS.md).
const PACKED_GUESS: usize = 256;

impl MatchLoader {
    /// For about `n` matches.
    pub fn with_capacity(n: usize) -> MatchLoader {
        let mut l = MatchLoader::default();
        l.seen.reserve_exact(n);
        l.book.index.reserve_exact(n);
        l.book.arena.reserve_exact(n.saturating_mul(PACKED_GUESS));
        l
    }

    pub fn add(&mut self, row: MatchRow) {
        self.seen.push(Seen {
            created_at: row.created_at,
            id: row.id,
            player1_id: row.player1_id,
            player2_id: row.player2_id,
            state: row.state,
        });
        if is_final(row.state) {
            self.book.pack(row);
        } else {
            self.book.live.insert(row.id, row);
        }
    }

    pub fn len(&self) -> usize {
        self.seen.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }

    /// The book, and every match's summary in creation order.
    pub(super) fn finish(mut self) -> (Matches, Vec<Seen>) {
        self.book.arena.shrink_to_fit();
        self.book.index.shrink_to_fit();
        // Unstable (ids are unique): no scratch copy.
        self.seen.sort_unstable_by_key(|s| (s.created_at, s.id));
        (self.book, self.seen)
    }
}

/// Equal when they hold the same matches, however packed.
impl PartialEq for Matches {
    fn eq(&self, other: &Matches) -> bool {
        self.values().eq(other.values())
    }
}

impl std::fmt::Debug for Matches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.values()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::rows::{MatchResult, RatingBefore, Report, ResultSource};

    fn row(id: MatchId, state: MatchState) -> MatchRow {
        let before = RatingBefore {
            rating: 1500.0 + id as f64 / 7.0,
            deviation: 350.0,
            volatility: 0.06,
        };
        MatchRow {
            id,
            season_id: 1,
            player1_id: 100 + id,
            player2_id: 900_000_000_000_000_000 + id,
            race1: "T".into(),
            race2: "Zerg with a long name".into(),
            before1: before,
            before2: before,
            map: format!("Map {id}"),
            server: "EU".into(),
            state,
            created_at: 1_767_225_600_000 + id as i64,
            confirmed1_at: Some(1),
            confirmed2_at: None,
            started_at: Some(-5),
            report1: Some(Report::Win),
            report2: None,
            reported1_at: None,
            reported2_at: Some(i64::MAX),
            result: Some(MatchResult::Draw),
            result_source: Some(ResultSource::Admin),
            finished_at: Some(i64::MIN),
            rating1_change: Some(-0.1),
            rating2_change: None,
            ended_by: Some(u64::MAX),
            flagged_at: None,
            thread_id: Some(id),
            confirm_by: None,
        }
    }

    /// Matches behaves as the plain map of whole rows it replaced, through
    /// loads, reads, writes that unpack, packing and compaction.
    #[test]
    fn packed_matches_read_and_write_like_whole_rows() {
        let states = [
            MatchState::Found,
            MatchState::InProgress,
            MatchState::Completed,
            MatchState::Conflict,
            MatchState::Aborted,
            MatchState::Abandoned,
            MatchState::Invalidated,
        ];
        let rows: Vec<MatchRow> = (1..=3_000)
            .rev()
            .map(|id| row(id, states[id as usize % states.len()]))
            .collect();
        let mut model: BTreeMap<MatchId, MatchRow> =
            rows.iter().map(|r| (r.id, r.clone())).collect();
        let mut m = Matches::from_rows(rows);
        assert!(m.index.len() > 1_500, "final matches are packed");
        assert!(m.live.len() < 1_500);
        let same = |m: &Matches, model: &BTreeMap<MatchId, MatchRow>| {
            assert!(m.values().map(Cow::into_owned).eq(model.values().cloned()));
            for (id, r) in model {
                assert_eq!(m.get(id).as_deref(), Some(r));
                assert!(m.contains_key(id));
            }
            assert_eq!(m.get(&0), None);
            assert_eq!(m.last_id(), model.keys().next_back().copied());
        };
        same(&m, &model);
        // Unpack most packed matches by writing them (enough to compact
        // the arena several times), some back into play.
        for id in (1..=3_000).step_by(2) {
            let r = m.get_mut(&id).expect("known");
            r.thread_id = None;
            if id % 3 == 0 {
                r.state = MatchState::Conflict;
            }
            let mr = model.get_mut(&id).expect("known");
            mr.thread_id = None;
            if id % 3 == 0 {
                mr.state = MatchState::Conflict;
            }
        }
        m.pack_finished();
        same(&m, &model);
        assert!(
            m.live.values().all(|r| !is_final(r.state)),
            "finished ones packed again"
        );
        // A new match, and an insert over a packed one.
        m.insert(5_000, row(5_000, MatchState::Found));
        model.insert(5_000, row(5_000, MatchState::Found));
        let over = row(2, MatchState::Completed);
        m.insert(2, over.clone());
        model.insert(2, over);
        m.pack_finished();
        same(&m, &model);
        assert_eq!(m, Matches::from_rows(model.values().cloned().collect()));
    }
}
