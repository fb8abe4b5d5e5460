//! `replay.initData` read by hand: only the lobby fields a summary uses
//! (each user's name; each slot's control, user, observer flag, working-set
//! slot id and toon handle), every other field skipped by its width.
//!
//! Why not s2protocol's decoder: at verification level it was half of a
//! parse (`perf`, BENCHMARKS.md "Replay parsing at 20×"): it builds every
//! field of every slot (rewards, licenses, commander data) as owned values,
//! bit by bit through nom. This reader allocates only the strings it keeps.
//!
//! The layout is s2protocol's `protocol87702` (what it uses for every base
//! build from 4.11 on, so for every build ladderd accepts): Blizzard's
//! bit-packed encoding, where bits are consumed from the least significant bit
//! of each byte upwards and a value's first chunk is its most significant
//! part; strings and blobs are byte-aligned. To refuse the same files
//! s2protocol refuses, it checks what s2protocol checks on the way: enum
//! values in range, every string UTF-8, no field past the end. A test reads
//! every corpus replay with both decoders and compares the fields.
//!
//! Bounded: every read is checked against the end of the data first, counts
//! come from at most 17 bits and only the users and slots (at most 31 each,
//! 5-bit counts) are stored, so memory is bounded by the section's cap
//! (`mpq::INIT_DATA_CAP`) and time is linear in its length.

/// A lobby user: what `user_initial_data` gives a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
}

/// A lobby slot: what `lobby_state.slots` gives a summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// 2 human, 3 computer (0 open, 1 closed).
    pub control: u8,
    pub user_id: Option<u8>,
    /// 0 none, 1 spectator, 2 referee.
    pub observe: u8,
    pub working_set_slot_id: Option<u8>,
    pub toon_handle: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lobby {
    pub users: Vec<User>,
    pub slots: Vec<Slot>,
}

/// Why the init data could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitDataError {
    #[error("cut short at bit {at} reading {field}")]
    Truncated { field: &'static str, at: usize },
    #[error("{field} is {value}, a value replays never have")]
    UnknownValue { field: &'static str, value: u64 },
    #[error("{field} is not UTF-8")]
    NotUtf8 { field: &'static str },
}

type Result<T> = std::result::Result<T, InitDataError>;

/// Blizzard's bit-packed reader over `data`, at bit `pos`.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bits<'a> {
    fn need(&self, bits: usize, field: &'static str) -> Result<()> {
        let total = self.data.len().saturating_mul(8);
        if bits > total.saturating_sub(self.pos) {
            return Err(InitDataError::Truncated {
                field,
                at: self.pos,
            });
        }
        Ok(())
    }

    /// An unsigned integer of `bits` (at most 64) bits.
    fn read(&mut self, bits: u32, field: &'static str) -> Result<u64> {
        debug_assert!(bits <= 64);
        self.need(bits as usize, field)?;
        let mut value = 0u64;
        let mut left = bits;
        while left > 0 {
            let byte = *self
                .data
                .get(self.pos / 8)
                .ok_or(InitDataError::Truncated {
                    field,
                    at: self.pos,
                })?;
            let used = (self.pos % 8) as u32;
            let take = left.min(8 - used);
            let chunk = (u64::from(byte) >> used) & ((1u64 << take) - 1);
            value = (value << take) | chunk;
            self.pos += take as usize;
            left -= take;
        }
        Ok(value)
    }

    fn skip(&mut self, bits: usize, field: &'static str) -> Result<()> {
        self.need(bits, field)?;
        self.pos += bits;
        Ok(())
    }

    /// A count of `bits` bits followed by that many fields of `each` bits.
    fn skip_array(&mut self, len_bits: u32, each: usize, field: &'static str) -> Result<()> {
        let n = usize::try_from(self.read(len_bits, field)?).unwrap_or(usize::MAX);
        self.skip(n.saturating_mul(each), field)
    }

    fn flag(&mut self, field: &'static str) -> Result<bool> {
        Ok(self.read(1, field)? != 0)
    }

    /// An optional field of `bits` bits.
    fn option(&mut self, bits: u32, field: &'static str) -> Result<Option<u64>> {
        if self.flag(field)? {
            self.read(bits, field).map(Some)
        } else {
            Ok(None)
        }
    }

    /// An enum of `bits` bits whose values are `0..=max`.
    fn enumeration(&mut self, bits: u32, max: u64, field: &'static str) -> Result<u64> {
        let value = self.read(bits, field)?;
        if value > max {
            return Err(InitDataError::UnknownValue { field, value });
        }
        Ok(value)
    }

    /// `n` bytes after aligning to the next byte.
    fn bytes(&mut self, n: usize, field: &'static str) -> Result<&'a [u8]> {
        self.pos = self.pos.div_ceil(8).saturating_mul(8);
        self.need(n.saturating_mul(8), field)?;
        let start = self.pos / 8;
        let out = self
            .data
            .get(start..start + n)
            .ok_or(InitDataError::Truncated {
                field,
                at: self.pos,
            })?;
        self.pos += n * 8;
        Ok(out)
    }

    /// A string: a length of `len_bits` bits, then its bytes, aligned.
    fn string(&mut self, len_bits: u32, field: &'static str) -> Result<&'a str> {
        let n = usize::try_from(self.read(len_bits, field)?).unwrap_or(usize::MAX);
        let raw = self.bytes(n, field)?;
        std::str::from_utf8(raw).map_err(|_| InitDataError::NotUtf8 { field })
    }

    /// A bit array: a length of `len_bits` bits, then that many bits.
    fn skip_bit_array(&mut self, len_bits: u32, field: &'static str) -> Result<()> {
        self.skip_array(len_bits, 1, field)
    }
}

fn small(v: u64) -> u8 {
    // Callers read at most 8 bits.
    u8::try_from(v).unwrap_or(u8::MAX)
}

/// Decodes the users and slots of a `replay.initData` section (protocol 87702 layout).
pub fn decode(data: &[u8]) -> Result<Lobby> {
    let mut r = Bits { data, pos: 0 };
    let users = (0..r.read(5, "the user count")?)
        .map(|_| user(&mut r))
        .collect::<Result<Vec<_>>>()?;
    game_description(&mut r)?;
    // The lobby state: phase, max users, max observers, then the slots.
    r.enumeration(3, 5, "the lobby phase")?;
    r.skip(10, "the lobby's user limits")?;
    let slots = (0..r.read(5, "the slot count")?)
        .map(|_| slot(&mut r))
        .collect::<Result<Vec<_>>>()?;
    // The rest of the lobby state, read so a section cut here is refused as s2protocol does.
    r.skip(32, "the random seed")?;
    r.option(4, "the host user")?;
    r.skip(1 + 8 + 32 + 6 + 8, "the lobby's last fields")?;
    Ok(Lobby { users, slots })
}

fn user(r: &mut Bits<'_>) -> Result<User> {
    let name = r.string(8, "a user name")?.to_owned();
    if r.flag("a clan tag")? {
        r.string(8, "a clan tag")?;
    }
    if r.flag("a clan logo")? {
        r.bytes(40, "a clan logo")?;
    }
    r.option(8, "a highest league")?;
    r.option(32, "combined race levels")?;
    r.skip(32, "a user's random seed")?;
    r.option(8, "a race preference")?;
    r.option(8, "a team preference")?;
    r.skip(4 + 32, "a user's test flags")?;
    r.enumeration(2, 2, "a user's observer type")?;
    for field in ["a user's hero", "a user's skin", "a user's mount"] {
        r.string(9, field)?;
    }
    r.string(7, "a user's toon handle")?;
    r.option(32, "a scaled rating")?;
    Ok(User { name })
}

fn game_description(r: &mut Bits<'_>) -> Result<()> {
    r.skip(32, "the random value")?;
    r.string(10, "the game cache name")?;
    // Game options: 11 flags, fog (2 bits, all values used), observers (2
    // bits, all used), user difficulty, debug flags, build coach.
    r.skip(11 + 2 + 2, "the game options")?;
    r.enumeration(2, 2, "the user difficulty option")?;
    r.skip(64 + 1, "the game options")?;
    r.enumeration(3, 4, "the game speed")?;
    r.enumeration(3, 6, "the game type")?;
    // Max users, observers, players, teams, colors, races, controls; map size x, y.
    r.skip(5 + 5 + 5 + 4 + 6 + 8 + 8 + 8 + 8, "the game limits")?;
    r.skip(32, "the map checksum")?;
    r.string(11, "the map file name")?;
    r.string(8, "the map author")?;
    r.skip(32, "the mod checksum")?;
    for _ in 0..r.read(5, "the slot description count")? {
        for len_bits in [6, 8, 6, 8, 2, 8] {
            r.skip_bit_array(len_bits, "a slot description")?;
        }
    }
    r.skip(6 + 8, "the default difficulty and AI build")?;
    for _ in 0..r.read(6, "the cache handle count")? {
        r.bytes(40, "a cache handle")?;
    }
    r.skip(6, "the map flags")
}

fn slot(r: &mut Bits<'_>) -> Result<Slot> {
    let control = small(r.read(8, "a slot's control")?);
    let user_id = r.option(4, "a slot's user")?.map(small);
    r.skip(4, "a slot's team")?;
    r.option(5, "a slot's color")?;
    r.option(8, "a slot's race preference")?;
    r.skip(6 + 8 + 32, "a slot's difficulty, AI build and handicap")?;
    let observe = small(r.enumeration(2, 2, "a slot's observer type")?);
    r.skip(32, "a slot's logo")?;
    for field in ["a slot's hero", "a slot's skin", "a slot's mount"] {
        r.string(9, field)?;
    }
    for _ in 0..r.read(4, "a slot's artifact count")? {
        r.string(9, "a slot's artifact")?;
    }
    let working_set_slot_id = r.option(8, "a slot's working set id")?.map(small);
    r.skip_array(17, 32, "a slot's rewards")?;
    let toon_handle = r.string(7, "a slot's toon handle")?.to_owned();
    r.skip_array(16, 32, "a slot's licenses")?;
    r.option(4, "a slot's tandem leader")?;
    r.string(9, "a slot's commander")?;
    r.skip(32 + 1, "a slot's commander level")?;
    r.option(4, "a slot's tandem")?;
    r.skip(32, "a slot's mastery level")?;
    r.skip_array(3, 32, "a slot's mastery talents")?;
    r.skip(32, "a slot's trophy")?;
    for _ in 0..r.read(17, "a slot's reward override count")? {
        r.skip(32, "a reward override")?;
        r.skip_array(17, 32, "a reward override")?;
    }
    r.skip(32, "a slot's brutal+ difficulty")?;
    r.skip_array(3, 32, "a slot's mutation indexes")?;
    r.skip(32 * 3, "a slot's co-op fields")?;
    Ok(Slot {
        control,
        user_id,
        observe,
        working_set_slot_id,
        toon_handle,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::{Section, corpus, mpq};
    use proptest::prelude::*;

    /// The decompressed init data of every replay in the corpus ladderd
    /// parses (the shared corpus when present, else the fixtures), with s2protocol's reading.
    fn corpus_sections() -> Vec<(String, Vec<u8>, s2protocol::InitData)> {
        let mut out = Vec::new();
        for (name, bytes) in corpus::five_oh_replays() {
            let (_, archive) = s2protocol::parser::parse(&bytes).unwrap();
            let checked = mpq::checked(archive, &bytes, &[Section::InitData]).unwrap();
            let theirs = s2protocol::read_init_data("", &checked.mpq, &checked.bytes).unwrap();
            let section = mpq::read_section(&checked.mpq, &checked.bytes, Section::InitData);
            out.push((name, section.unwrap(), theirs));
        }
        out
    }

    #[test]
    fn reads_what_s2protocol_reads_on_every_corpus_replay() {
        for (name, data, theirs) in corpus_sections() {
            let ours = decode(&data).unwrap_or_else(|e| panic!("{name}: {e}"));
            let lobby = &theirs.sync_lobby_state;
            let names: Vec<&str> = lobby
                .user_initial_data
                .iter()
                .map(|u| u.name.as_str())
                .collect();
            let our_names: Vec<&str> = ours.users.iter().map(|u| u.name.as_str()).collect();
            assert_eq!(our_names, names, "{name}");
            let slots: Vec<Slot> = lobby
                .lobby_state
                .slots
                .iter()
                .map(|s| Slot {
                    control: u8::try_from(s.control).unwrap(),
                    user_id: s.user_id.map(|u| u8::try_from(u).unwrap()),
                    observe: s.observe,
                    working_set_slot_id: s.working_set_slot_id,
                    toon_handle: s.toon_handle.clone(),
                })
                .collect();
            assert_eq!(ours.slots, slots, "{name}");
            assert!(
                ours.slots.iter().any(|s| !s.toon_handle.is_empty()),
                "{name}: no slot has a toon handle, the comparison proves little"
            );
        }
    }

    #[test]
    fn every_cut_of_a_real_section_is_refused_as_truncated() {
        let (name, data, _) = corpus_sections().swap_remove(0);
        for len in 0..data.len() {
            match decode(&data[..len]) {
                Err(InitDataError::Truncated { at, .. }) => assert!(at <= len * 8, "{name} {len}"),
                other => panic!("{name} cut to {len} bytes: {other:?}"),
            }
        }
    }

    #[test]
    fn out_of_range_values_and_bad_text_are_refused() {
        // One user (5 bits) whose name (length 1: its high 3 bits end byte 0,
        // its low 5 bits start byte 1) is the single byte 0xff, not UTF-8.
        assert_eq!(
            decode(&[1, 1, 0xff]),
            Err(InitDataError::NotUtf8 {
                field: "a user name"
            })
        );
        let mut r = Bits {
            data: &[0b0000_0111],
            pos: 0,
        };
        assert_eq!(
            r.enumeration(3, 5, "x"),
            Err(InitDataError::UnknownValue {
                field: "x",
                value: 7
            })
        );
    }

    #[test]
    fn bits_are_read_as_blizzard_packs_them() {
        // Low bits first within a byte; the first chunk is the high part of the value.
        let mut r = Bits {
            data: &[0b1010_1101, 0b0000_0011],
            pos: 0,
        };
        assert_eq!(r.read(3, "a").unwrap(), 0b101);
        // The next 7 bits: 5 from byte 0 (10101) as the high part, 2 from byte 1 (11).
        assert_eq!(r.read(7, "b").unwrap(), 0b101_0111);
        assert!(r.read(7, "c").is_err());
        assert_eq!(r.read(6, "d").unwrap(), 0);
        assert!(r.read(1, "e").is_err());
        let mut s = Bits {
            data: &[0x02, b'h', b'i'],
            pos: 0,
        };
        assert_eq!(s.string(8, "s").unwrap(), "hi");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Garbage never panics and never reads past the end.
        #[test]
        fn any_bytes_are_decoded_or_refused(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
            if let Err(InitDataError::Truncated { at, .. }) = decode(&data) {
                prop_assert!(at <= data.len() * 8);
            }
        }
    }

    #[test]
    fn garbled_real_sections_are_decoded_or_refused_without_panicking() {
        let (_, data, _) = corpus_sections().swap_remove(0);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::with_cases(256)
        });
        runner
            .run(
                &proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
                |edits| {
                    let mut d = data.clone();
                    for (at, b) in edits {
                        let i = at.index(d.len());
                        d[i] ^= b;
                    }
                    let _ = decode(&d);
                    Ok(())
                },
            )
            .unwrap();
    }
}
