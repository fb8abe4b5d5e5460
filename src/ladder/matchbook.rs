//! Every match the ladder remembers, finished ones packed.
//!
//! A `MatchRow` in memory is ~520 B (384 B of struct, four small heap
//! strings and B-tree slack), 52 MB at 100,000 matches, nearly all of them
//! finished and read only by `/history`, `/profile` (head-to-head, games
//! per period), `/admin match` and an admin's re-resolution
//! (BENCHMARKS.md, "Memory"). So a match that reaches a final state
//! (completed, aborted, abandoned, invalidated) is packed: a compact
//! bincode encoding ([`Packed`]: about 140 B; the whole row's was about
//! 220 B) appended to one arena (no allocation of its own),
//! found through a sorted index, decoded on each read (well under a
//! microsecond). Matches still in play (found, in progress, a conflict
//! waiting for admins) stay whole. Writing a packed match (an admin's
//! resolve, a thread cleared) unpacks it; [`Matches::pack_finished`], run
//! after each command and tick, packs what finished. The packing is
//! lossless, so reads see exactly the row the store holds.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::MatchId;
use crate::store::rows::{
    MatchResult, MatchRow, MatchState, RatingBefore, Report, ResultSource, UnixMillis,
};

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
    /// What packed matches name by number: players, and the words (races,
    /// maps, servers).
    players: Table<u64>,
    words: Table<String>,
}

/// Values numbered in the order first seen (a packed match holds the number).
#[derive(Clone, Default)]
struct Table<T> {
    values: Vec<T>,
    numbers: std::collections::HashMap<T, u32>,
}

impl<T: Clone + Eq + std::hash::Hash> Table<T> {
    /// `value`'s number, `None` past `u32::MAX` values.
    fn number(&mut self, value: &T) -> Option<u32> {
        if let Some(n) = self.numbers.get(value) {
            return Some(*n);
        }
        let n = u32::try_from(self.values.len()).ok()?;
        self.values.push(value.clone());
        self.numbers.insert(value.clone(), n);
        Some(n)
    }

    fn value(&self, number: u32) -> Option<&T> {
        self.values.get(number as usize)
    }
}

/// A finished match as the arena holds it, about a third smaller than the
/// `MatchRow` encoding it replaced (BENCHMARKS.md, "Memory"): no id (the
/// index has it), players and words as numbers into the book's tables (a
/// snowflake is 9 bytes, a number 1–3), and every other time as an offset
/// from `created_at` (minutes fit in 3–4 bytes where a Unix millisecond
/// takes 9). Offsets wrap, so every value round-trips exactly.
#[derive(bincode::Encode, bincode::Decode)]
struct Packed {
    season_id: u32,
    player1: u32,
    player2: u32,
    race1: u32,
    race2: u32,
    map: u32,
    server: u32,
    before1: RatingBefore,
    before2: RatingBefore,
    state: MatchState,
    created_at: UnixMillis,
    confirmed1_at: Option<i64>,
    confirmed2_at: Option<i64>,
    started_at: Option<i64>,
    report1: Option<Report>,
    report2: Option<Report>,
    reported1_at: Option<i64>,
    reported2_at: Option<i64>,
    result: Option<MatchResult>,
    result_source: Option<ResultSource>,
    finished_at: Option<i64>,
    rating1_change: Option<f64>,
    rating2_change: Option<f64>,
    ended_by: Option<u64>,
    flagged_at: Option<i64>,
    thread_id: Option<u64>,
    confirm_by: Option<i64>,
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
        Some(Cow::Owned(self.unpack_at(*id, self.index[at].1)))
    }

    pub fn contains_key(&self, id: &MatchId) -> bool {
        self.live.contains_key(id) || self.index.binary_search_by_key(id, |(k, _)| *k).is_ok()
    }

    /// The match to change, unpacked if it was packed.
    pub fn get_mut(&mut self, id: &MatchId) -> Option<&mut MatchRow> {
        if !self.live.contains_key(id) {
            let at = self.index.binary_search_by_key(id, |(k, _)| *k).ok()?;
            let (_, offset) = self.index.remove(at);
            let row = self.unpack_at(*id, offset);
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
                .map(|(id, offset)| Cow::Owned(self.unpack_at(*id, *offset))),
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
        let Some(packed) = self.packed(&row) else {
            self.live.insert(row.id, row);
            return;
        };
        if bincode::encode_into_std_write(&packed, &mut self.arena, config()).is_err() {
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

    /// `row` as the arena keeps it; `None` if a table is full.
    fn packed(&mut self, row: &MatchRow) -> Option<Packed> {
        let at = |t: Option<UnixMillis>| t.map(|t| t.wrapping_sub(row.created_at));
        Some(Packed {
            season_id: row.season_id,
            player1: self.players.number(&row.player1_id)?,
            player2: self.players.number(&row.player2_id)?,
            race1: self.words.number(&row.race1)?,
            race2: self.words.number(&row.race2)?,
            map: self.words.number(&row.map)?,
            server: self.words.number(&row.server)?,
            before1: row.before1,
            before2: row.before2,
            state: row.state,
            created_at: row.created_at,
            confirmed1_at: at(row.confirmed1_at),
            confirmed2_at: at(row.confirmed2_at),
            started_at: at(row.started_at),
            report1: row.report1,
            report2: row.report2,
            reported1_at: at(row.reported1_at),
            reported2_at: at(row.reported2_at),
            result: row.result,
            result_source: row.result_source,
            finished_at: at(row.finished_at),
            rating1_change: row.rating1_change,
            rating2_change: row.rating2_change,
            ended_by: row.ended_by,
            flagged_at: at(row.flagged_at),
            thread_id: row.thread_id,
            confirm_by: at(row.confirm_by),
        })
    }

    fn unpack_at(&self, id: MatchId, offset: u32) -> MatchRow {
        let (p, _): (Packed, _) =
            bincode::decode_from_slice(&self.arena[offset as usize..], config())
                .expect("the arena holds only what `pack` encoded");
        let at = |t: Option<i64>| t.map(|t| t.wrapping_add(p.created_at));
        let player = |n| *self.players.value(n).expect("`pack` numbered it");
        let word = |n| self.words.value(n).expect("`pack` numbered it").clone();
        MatchRow {
            id,
            season_id: p.season_id,
            player1_id: player(p.player1),
            player2_id: player(p.player2),
            race1: word(p.race1),
            race2: word(p.race2),
            before1: p.before1,
            before2: p.before2,
            map: word(p.map),
            server: word(p.server),
            state: p.state,
            created_at: p.created_at,
            confirmed1_at: at(p.confirmed1_at),
            confirmed2_at: at(p.confirmed2_at),
            started_at: at(p.started_at),
            report1: p.report1,
            report2: p.report2,
            reported1_at: at(p.reported1_at),
            reported2_at: at(p.reported2_at),
            result: p.result,
            result_source: p.result_source,
            finished_at: at(p.finished_at),
            rating1_change: p.rating1_change,
            rating2_change: p.rating2_change,
            ended_by: p.ended_by,
            flagged_at: at(p.flagged_at),
            thread_id: p.thread_id,
            confirm_by: at(p.confirm_by),
        }
    }

    fn packed_len(&self, offset: u32) -> usize {
        bincode::decode_from_slice::<Packed, _>(&self.arena[offset as usize..], config())
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
            let len = bincode::decode_from_slice::<Packed, _>(&old[start..], config())
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
/// leaves its outgrown copies resident); a typical match packs in 139 B
/// (`a_typical_finished_match_packs_small_and_reads_back_equal`).
const PACKED_GUESS: usize = 160;

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

    /// A match as the ladder makes them (snowflake players and thread, times
    /// minutes apart, words from the config) packs into well under three
    /// quarters of its whole-row encoding, and reads back equal.
    #[test]
    fn a_typical_finished_match_packs_small_and_reads_back_equal() {
        let t0 = 1_767_225_600_000;
        let typical = |id: u64| MatchRow {
            player1_id: 312_345_678_901_234_567 + id % 50,
            player2_id: 412_345_678_901_234_567 + id % 70,
            race1: "Terran".into(),
            race2: "Protoss".into(),
            map: "Alcyone LE".into(),
            server: "Europe".into(),
            created_at: t0 + id as i64 * 60_000,
            confirmed1_at: Some(t0 + id as i64 * 60_000 + 9_000),
            confirmed2_at: Some(t0 + id as i64 * 60_000 + 14_000),
            started_at: Some(t0 + id as i64 * 60_000 + 14_000),
            reported1_at: Some(t0 + id as i64 * 60_000 + 900_000),
            reported2_at: Some(t0 + id as i64 * 60_000 + 960_000),
            finished_at: Some(t0 + id as i64 * 60_000 + 960_000),
            flagged_at: None,
            confirm_by: Some(t0 + id as i64 * 60_000 + 60_000),
            thread_id: Some(1_412_345_678_901_234_567 + id),
            ended_by: None,
            report2: Some(Report::Loss),
            rating1_change: Some(12.5),
            rating2_change: Some(-12.5),
            result_source: Some(ResultSource::Reports),
            ..row(id, MatchState::Completed)
        };
        let rows: Vec<MatchRow> = (1..=1_000).map(typical).collect();
        let whole: usize = rows
            .iter()
            .map(|r| bincode::encode_to_vec(r, config()).unwrap().len())
            .sum();
        let book = Matches::from_rows(rows.clone());
        assert!(book.live.is_empty(), "every finished match packed");
        assert!(
            book.arena.len() * 4 < whole * 3,
            "packed {} B vs whole rows {} B",
            book.arena.len(),
            whole
        );
        for r in &rows {
            assert_eq!(book.get(&r.id).as_deref(), Some(r));
        }
    }
}
