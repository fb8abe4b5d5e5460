//! Bytes of an `.SC2Replay` → [`ReplaySummary`], or a [`ReplayError`] a player can read.
//!
//! s2protocol indexes slices with offsets taken from the file and asserts on
//! header fields, so a hostile or broken file makes it panic. Two defences:
//! the MPQ framing is size-checked here before s2protocol sees the bytes, and
//! every s2protocol call runs inside `catch_unwind` (see [`guarded`]). The
//! worker process is the third defence, for what neither catches (hangs,
//! memory).

use std::panic::{AssertUnwindSafe, catch_unwind};

use sha2::{Digest, Sha256};

use super::attributes::{self, ATTR_GAME_MODE, ATTR_RACE, ATTR_TEAMS, SCOPE_GLOBAL};
use super::error::{ReplayError, Section};
use super::summary::{
    EventCounts, GameResult, ObserverSummary, PlayerSummary, Race, ReplaySummary, Winner,
};
use super::{init_data, mpq, version};

/// How much of the replay to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseLevel {
    /// Header, details, init data, attributes: what verification needs.
    Verification,
    /// Also every game, tracker and message event (counted in [`ReplaySummary::events`]).
    Full,
}

/// The oldest protocol (base build) whose every summary field matches
/// sc2reader on the corpus. s2protocol 5.0 decodes init data only from 5.0.x
/// on; older replays are refused as `UnsupportedVersion` rather than half-read.
pub const MIN_BASE_BUILD: u32 = 80_949;

/// Replays larger than this are refused before parsing unless the caller says otherwise.
pub const DEFAULT_MAX_BYTES: u64 = 8 * 1024 * 1024;

const USER_DATA_MAGIC: &[u8; 4] = b"MPQ\x1b";
const ARCHIVE_MAGIC: &[u8; 4] = b"MPQ\x1a";
const SIGNATURE: &[u8] = b"StarCraft II replay\x1b11";
/// Loops per game second at Faster in LotV (build 34784 and newer); 16 before.
const LOTV_FIRST_BUILD: u32 = 34_784;

/// Parses one replay held in memory. `max_bytes` is checked first.
pub fn parse_bytes(
    bytes: &[u8],
    level: ParseLevel,
    max_bytes: u64,
) -> Result<ReplaySummary, ReplayError> {
    let len = bytes.len() as u64;
    if len > max_bytes {
        return Err(ReplayError::TooLarge {
            bytes: len,
            limit: max_bytes,
        });
    }
    check_framing(bytes)?;
    let sha256 = hex(&Sha256::digest(bytes));

    let version = version::user_data(bytes)
        .and_then(version::read)
        .ok_or_else(|| ReplayError::Corrupt {
            section: Section::Header,
            detail: "the replay header has no readable game version".into(),
        })?;
    if version.signature != SIGNATURE {
        return Err(ReplayError::NotAReplay {
            reason: "the replay header has no StarCraft II signature".into(),
        });
    }
    let build = u32::try_from(version.build).unwrap_or(0);
    let base_build = u32::try_from(version.base_build).unwrap_or(0);
    if base_build < MIN_BASE_BUILD {
        return Err(ReplayError::UnsupportedVersion {
            build,
            min: MIN_BASE_BUILD,
        });
    }
    let archive = mpq::read_archive(bytes)?;
    // Only sections read and bounded by `mpq` reach s2protocol (see its docs).
    let sections = match level {
        ParseLevel::Verification => &mpq::FILES[..3],
        ParseLevel::Full => &mpq::FILES[..],
    };
    let checked = mpq::checked(archive, bytes, sections)?;
    let (mpq, contents) = (&checked.mpq, checked.bytes.as_slice());
    let header = guarded(Section::Header, || {
        s2protocol::read_protocol_header(mpq)
            .map(|(_, h)| h)
            .map_err(|e| short(&e))
    })?;
    let release = format!(
        "{}.{}.{}.{build}",
        version.major, version.minor, version.revision
    );
    let game_loops = header.m_elapsed_game_loops;

    let details = guarded(Section::Details, || {
        s2protocol::read_details("", mpq, contents).map_err(|e| short(&e))
    })?;
    // ladderd's own reader (see `init_data`): s2protocol's full decode was half of a parse.
    let lobby = init_data::decode(checked.section(Section::InitData)?).map_err(|e| {
        ReplayError::Corrupt {
            section: Section::InitData,
            detail: e.to_string(),
        }
    })?;
    let attrs = attributes::decode(checked.section(Section::Attributes)?, base_build).map_err(
        |detail| ReplayError::Corrupt {
            section: Section::Attributes,
            detail,
        },
    )?;

    let slots = &lobby.slots;
    // Replays from before ~2021 carry no working_set_slot_id in the details;
    // their players are the non-observing human/computer slots in order
    // (the same rule s2protocol's PlayerLobbyDetails uses).
    let player_slots: Vec<usize> = slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.control >= 2 && s.observe == 0)
        .map(|(i, _)| i)
        .collect();
    let mut players = Vec::new();
    for (idx, p) in details
        .player_list
        .iter()
        .filter(|p| p.observe == 0)
        .enumerate()
    {
        let slot_idx = p
            .working_set_slot_id
            .and_then(|w| slots.iter().position(|s| s.working_set_slot_id == Some(w)))
            .or_else(|| player_slots.get(idx).copied());
        let is_human = p.control == 2;
        let toon_handle = slot_idx
            .and_then(|i| slots.get(i))
            .map(|s| s.toon_handle.clone())
            .filter(|t| is_human && !t.is_empty());
        let pick_race = slot_idx
            .and_then(|i| u8::try_from(i + 1).ok())
            .and_then(|scope| attributes::get(&attrs, ATTR_RACE, scope))
            .and_then(pick_race);
        let (clan_tag, name) = split_clan_tag(&p.name);
        players.push(PlayerSummary {
            name,
            clan_tag,
            play_race: play_race(&p.race),
            pick_race,
            result: match p.result.as_str() {
                "Win" => Some(GameResult::Win),
                "Loss" => Some(GameResult::Loss),
                "Tie" => Some(GameResult::Tie),
                _ => None,
            },
            team: p.team_id.saturating_add(1),
            is_human,
            toon_handle,
        });
    }
    let observers = slots
        .iter()
        .filter(|s| s.observe != 0 && s.control == 2)
        .filter_map(|s| {
            let user = lobby.users.get(usize::from(s.user_id?))?;
            Some(ObserverSummary {
                name: split_clan_tag(&user.name).1,
                toon_handle: Some(s.toon_handle.clone()).filter(|t| !t.is_empty()),
            })
        })
        .collect();

    let winner = winner(&players);
    let handles: Vec<&str> = details.cache_handles.iter().map(String::as_str).collect();
    let expansion = expansion(&handles).to_owned();
    let (dependencies, mod_names) = dependencies(&handles, &details.mod_paths);
    let region = handles.first().map(|h| region(h)).unwrap_or_default();
    let speed = details.game_speed.clone();
    let game_length_s = if build >= LOTV_FIRST_BUILD {
        u64::from(game_loops) * 10 / 224
    } else {
        u64::from(game_loops) / 16
    };
    // sc2reader: real = game / factor, 1.4 at Faster before LotV, 1.0 in LotV.
    let real_length_s = if expansion != "LotV" && speed == "Faster" {
        game_length_s * 10 / 14
    } else {
        game_length_s
    };
    let end_time_utc = filetime_to_unix_s(details.time_utc);
    let start_time_utc = end_time_utc.saturating_sub(real_length_s as i64);

    let events = match level {
        ParseLevel::Verification => None,
        ParseLevel::Full => Some(EventCounts {
            game_events: guarded(Section::GameEvents, || {
                s2protocol::read_game_events("", mpq, contents)
                    .map(|e| e.len() as u64)
                    .map_err(|e| short(&e))
            })?,
            tracker_events: guarded(Section::TrackerEvents, || {
                s2protocol::read_tracker_events("", mpq, contents)
                    .map(|e| e.len() as u64)
                    .map_err(|e| short(&e))
            })?,
            message_events: guarded(Section::MessageEvents, || {
                s2protocol::read_message_events("", mpq, contents)
                    .map(|e| e.len() as u64)
                    .map_err(|e| short(&e))
            })?,
        }),
    };

    Ok(ReplaySummary {
        sha256,
        release,
        build,
        base_build,
        map_name: details.title.clone(),
        game_loops,
        game_length_s,
        real_length_s,
        start_time_utc,
        end_time_utc,
        speed,
        expansion,
        region,
        category: attributes::get(&attrs, ATTR_GAME_MODE, SCOPE_GLOBAL).map(category),
        game_type: attributes::get(&attrs, ATTR_TEAMS, SCOPE_GLOBAL).map(str::to_owned),
        dependencies,
        mod_names,
        players,
        observers,
        winner,
        events,
    })
}

/// Windows FILETIME (100 ns ticks since 1601-01-01) to Unix seconds, rounded
/// to the nearest second (half up): sc2reader keeps the fraction and prints
/// times rounded, so truncating read a .5-or-later file time one second early.
/// Saturating: the value comes straight from the file.
pub fn filetime_to_unix_s(filetime: i64) -> i64 {
    const UNIX_EPOCH_AS_FILETIME: i64 = 116_444_736_000_000_000;
    const TICKS_PER_S: i64 = 10_000_000;
    filetime
        .saturating_sub(UNIX_EPOCH_AS_FILETIME)
        .saturating_add(TICKS_PER_S / 2)
        .div_euclid(TICKS_PER_S)
}

/// Runs one s2protocol call, turning both its errors and its panics into
/// `Corrupt { section }`.
fn guarded<T>(section: Section, f: impl FnOnce() -> Result<T, String>) -> Result<T, ReplayError> {
    // AssertUnwindSafe: the closures only read the input bytes and the parsed
    // archive; whatever they were building is dropped with the panic.
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(detail)) => Err(ReplayError::Corrupt { section, detail }),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("the decoder gave up");
            Err(ReplayError::Corrupt {
                section,
                detail: format!("decoder panicked: {}", short(&detail)),
            })
        }
    }
}

/// The most of a decoder's message a player or admin is shown. Some of
/// s2protocol's errors embed the remaining input with `{:?}` (an 8 MiB input
/// made a 42 MB line), so the text is cut while it is formatted, not after.
pub const MAX_DETAIL_CHARS: usize = 160;

/// `e` formatted into at most [`MAX_DETAIL_CHARS`] characters (then "…"):
/// formatting stops at the limit, so a huge `Debug` is never built.
pub fn short(e: &dyn std::fmt::Display) -> String {
    struct Bounded {
        out: String,
        cut: bool,
    }
    impl std::fmt::Write for Bounded {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let room = MAX_DETAIL_CHARS - self.out.chars().count();
            if s.chars().count() <= room {
                self.out.push_str(s);
                return Ok(());
            }
            self.out.extend(s.chars().take(room));
            self.cut = true;
            Err(std::fmt::Error)
        }
    }
    let mut b = Bounded {
        out: String::new(),
        cut: false,
    };
    let _ = std::fmt::write(&mut b, format_args!("{e}"));
    if b.cut {
        b.out.push('…');
    }
    b.out
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at.checked_add(4)?)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes)
}

/// Checks the MPQ user-data block and archive header against the file size,
/// so the common broken uploads get a precise error and s2protocol never sees
/// tables past the end of the buffer.
fn check_framing(bytes: &[u8]) -> Result<(), ReplayError> {
    let len = bytes.len() as u64;
    if bytes.len() < 16 || &bytes[..4] != USER_DATA_MAGIC {
        return Err(ReplayError::NotAReplay {
            reason: if bytes.is_empty() {
                "the file is empty".into()
            } else {
                "no replay header (MPQ user data) at the start".into()
            },
        });
    }
    let truncated = || ReplayError::Truncated { bytes: len };
    let archive_at = u64::from(u32_at(bytes, 8).ok_or_else(truncated)?);
    let header = bytes
        .get(archive_at as usize..)
        .filter(|h| h.len() >= 32)
        .ok_or_else(truncated)?;
    if &header[..4] != ARCHIVE_MAGIC {
        return Err(ReplayError::Corrupt {
            section: Section::Archive,
            detail: "the archive header has no MPQ magic".into(),
        });
    }
    let field = |at| u64::from(u32_at(header, at).unwrap_or(u32::MAX));
    let archive_size = field(8);
    if archive_at + archive_size > len {
        return Err(truncated());
    }
    let (hash_off, block_off) = (field(16), field(20));
    let (hash_n, block_n) = (field(24), field(28));
    if archive_at + hash_off + 16 * hash_n > len || archive_at + block_off + 16 * block_n > len {
        return Err(ReplayError::Corrupt {
            section: Section::Archive,
            detail: "the archive's file tables point past the end of the file".into(),
        });
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// The sha256 in hex of "Standard Data: <m>.SC2Mod", as dependency cache
/// handles name it; computed once per process, not twice per replay.
fn standard_mod_hash(m: &str) -> &'static str {
    static HASHES: std::sync::OnceLock<Vec<(&'static str, String)>> = std::sync::OnceLock::new();
    HASHES
        .get_or_init(|| {
            STANDARD_MODS
                .iter()
                .map(|m| {
                    (
                        *m,
                        hex(&Sha256::digest(format!("Standard Data: {m}.SC2Mod"))),
                    )
                })
                .collect()
        })
        .iter()
        .find(|(name, _)| *name == m)
        .map_or("", |(_, h)| h.as_str())
}

/// Details names look like `&lt;TAG&gt;<sp/>Name`.
pub fn split_clan_tag(raw: &str) -> (Option<String>, String) {
    if let Some(rest) = raw.strip_prefix("&lt;")
        && let Some((tag, name)) = rest.split_once("&gt;<sp/>")
    {
        let tag = Some(tag.to_owned()).filter(|t| !t.is_empty());
        return (tag, name.to_owned());
    }
    (None, raw.to_owned())
}

/// Race names in `replay.details` are localised by the recording client.
fn play_race(raw: &str) -> Option<Race> {
    Some(match raw {
        "Terran" | "Terraner" | "Terrano" | "Terrani" | "Terranie" | "Терран" | "테란" | "人类"
        | "人類" => Race::Terran,
        "Zerg" | "Zergi" | "Зерг" | "저그" | "异虫" | "蟲族" => Race::Zerg,
        "Protoss" | "Protosi" | "Протосс" | "프로토스" | "星灵" | "神族" => {
            Race::Protoss
        }
        _ => return None,
    })
}

fn pick_race(raw: &str) -> Option<Race> {
    Some(match raw {
        "Terr" => Race::Terran,
        "Zerg" => Race::Zerg,
        "Prot" => Race::Protoss,
        "RAND" => Race::Random,
        _ => return None,
    })
}

fn category(raw: &str) -> String {
    match raw {
        "Amm" => "Ladder",
        "Priv" => "Private",
        "Pub" => "Public",
        other => other,
    }
    .to_owned()
}

/// The team whose players all won (sc2reader's rule).
fn winner(players: &[PlayerSummary]) -> Option<Winner> {
    let mut teams: Vec<u8> = players.iter().map(|p| p.team).collect();
    teams.sort_unstable();
    teams.dedup();
    teams.into_iter().find_map(|team| {
        let members: Vec<&PlayerSummary> = players.iter().filter(|p| p.team == team).collect();
        members
            .iter()
            .all(|p| p.result == Some(GameResult::Win))
            .then(|| Winner {
                team,
                players: members.iter().map(|p| p.name.clone()).collect(),
            })
    })
}

/// sha256 of "Standard Data: <mod>.SC2Mod", as listed in the dependency cache handles.
fn expansion(handles: &[&str]) -> &'static str {
    const MODS: [(&str, &str); 3] = [("Void", "LotV"), ("Swarm", "HotS"), ("Liberty", "WoL")];
    for (m, name) in MODS {
        let want = standard_mod_hash(m);
        if handles.iter().any(|h| h.get(16..) == Some(want)) {
            return name;
        }
    }
    ""
}

/// Blizzard's standard data mods, by the name in "Standard Data: <name>.SC2Mod".
const STANDARD_MODS: [&str; 7] = [
    "Core",
    "Liberty",
    "Swarm",
    "Void",
    "LibertyMulti",
    "SwarmMulti",
    "VoidMulti",
];

/// The hashes of the dependency cache handles, and the names of the mods
/// among them: standard data mods recognised by hash, other mods by the file
/// name of their path in the details. Bounded: the lists come from the file.
fn dependencies(handles: &[&str], mod_paths: &[String]) -> (Vec<String>, Vec<String>) {
    use crate::replay::summary::{MAX_DEPENDENCIES, MAX_MOD_NAME};
    let hashes: Vec<String> = handles
        .iter()
        .filter_map(|h| h.get(16..))
        .filter(|h| h.len() == 64)
        .take(MAX_DEPENDENCIES)
        .map(str::to_ascii_lowercase)
        .collect();
    let mut names: Vec<String> = STANDARD_MODS
        .iter()
        .filter(|m| hashes.iter().any(|h| h == standard_mod_hash(m)))
        .map(|m| (*m).to_owned())
        .collect();
    for path in mod_paths.iter().take(MAX_DEPENDENCIES) {
        let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let name: String = file.chars().take(MAX_MOD_NAME).collect();
        if !name.is_empty() && names.len() < MAX_DEPENDENCIES && !names.contains(&name) {
            names.push(name);
        }
    }
    (hashes, names)
}

/// A cache handle in hex: 4 bytes extension, 4 bytes server region (NUL padded), 32 bytes hash.
fn region(handle: &str) -> String {
    let Some(hexpart) = handle.get(8..16) else {
        return String::new();
    };
    (0..4)
        .filter_map(|i| u8::from_str_radix(hexpart.get(i * 2..i * 2 + 2)?, 16).ok())
        .filter(|&b| b != 0 && b != b' ')
        .map(|b| (b as char).to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clan_tags_are_split_off() {
        assert_eq!(
            split_clan_tag("&lt;eX&gt;<sp/>HeIIF"),
            (Some("eX".into()), "HeIIF".into())
        );
        assert_eq!(split_clan_tag("COSMOS"), (None, "COSMOS".into()));
    }

    #[test]
    fn framing_refuses_without_panicking() {
        assert!(matches!(
            parse_bytes(&[], ParseLevel::Verification, DEFAULT_MAX_BYTES),
            Err(ReplayError::NotAReplay { .. })
        ));
        let mut b = b"MPQ\x1b".to_vec();
        b.extend([0u8; 4]);
        b.extend(1024u32.to_le_bytes());
        b.extend([0u8; 100]);
        assert!(matches!(
            parse_bytes(&b, ParseLevel::Verification, DEFAULT_MAX_BYTES),
            Err(ReplayError::Truncated { .. })
        ));
        assert!(matches!(
            parse_bytes(&b, ParseLevel::Verification, 10),
            Err(ReplayError::TooLarge { .. })
        ));
    }

    #[test]
    fn file_times_round_to_the_nearest_second() {
        // 2025-11-13T00:52:54Z as a FILETIME, plus a fraction of a second.
        let whole = 116_444_736_000_000_000 + 1_762_995_174 * 10_000_000;
        assert_eq!(filetime_to_unix_s(whole), 1_762_995_174);
        assert_eq!(filetime_to_unix_s(whole + 4_999_999), 1_762_995_174);
        assert_eq!(filetime_to_unix_s(whole + 5_000_000), 1_762_995_175);
        assert_eq!(filetime_to_unix_s(whole + 9_999_999), 1_762_995_175);
        // Before 1970 it still rounds to the nearest, not toward zero.
        assert_eq!(filetime_to_unix_s(116_444_736_000_000_000 - 4_000_000), 0);
        assert_eq!(filetime_to_unix_s(116_444_736_000_000_000 - 6_000_000), -1);
        // Hostile values saturate instead of overflowing.
        assert!(filetime_to_unix_s(i64::MIN) < 0);
        assert!(filetime_to_unix_s(i64::MAX) > 0);
    }

    #[test]
    fn long_decoder_messages_are_cut_while_formatted() {
        struct Huge;
        impl std::fmt::Display for Huge {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                // 1 GB if it were all written; the writer refuses after the limit.
                for _ in 0..1_000_000_000u64 {
                    f.write_str("x")?;
                }
                Ok(())
            }
        }
        let s = short(&Huge);
        assert_eq!(s.chars().count(), MAX_DETAIL_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(short(&"no error here"), "no error here");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// A real replay with bytes overwritten anywhere (header, tables,
        /// sections) is parsed or refused, never a panic past the guard, and
        /// the error stays short.
        #[test]
        fn mutated_replays_are_refused_in_few_words(
            edits in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 1..16),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
            truncate in proptest::prelude::any::<bool>(),
        ) {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/replays/5.0.15.95299-1v1-Terran-vs-Protoss-5daea193.SC2Replay");
            let mut bytes = std::fs::read(path).unwrap();
            for (at, b) in edits {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len()));
            }
            for level in [ParseLevel::Verification, ParseLevel::Full] {
                if let Err(e) = parse_bytes(&bytes, level, DEFAULT_MAX_BYTES) {
                    proptest::prop_assert!(e.to_string().chars().count() < 300, "{}", e);
                }
            }
        }
    }

    #[test]
    fn region_from_cache_handle() {
        assert_eq!(region("73326d6100005553abcdef"), "us");
        assert_eq!(region("s2"), "");
    }
}
